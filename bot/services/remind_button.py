"""One rule for every manual "remind those who have not answered" button (a meeting's RSVP,
a survey's "🔔 Kalanlara hatırlat", and any later one):

- a reminder about the same thing went out (automatically or by hand) less than `RECENT` ago:
  ask first — "the last one went out 40 minutes ago; send another anyway?";
- repeated taps send nothing twice: the broadcast key is per hour (`key`), and a confirmed
  "send anyway" per minute (`again_key`), so the outbox's idempotency keys repeat.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.lazy_babel import format_timedelta

from bot.models import Button, Reply
from messages import normalize_language, t
from storage import broadcasts as broadcasts_repo
from storage.db import Database

RECENT = timedelta(hours=3)


def key(subject: str, now: datetime) -> str:
    """The broadcast key of a tap at `now` on the button about `subject` (`survey:7`)."""
    return f"{subject}:remind:{now:%Y%m%d%H}"


def again_key(subject: str, now: datetime) -> str:
    """The broadcast key of a confirmed "send anyway" at `now`."""
    return f"{subject}:remind-again:{now:%Y%m%d%H%M}"


async def last_sent(db: Database, prefix: str, kind: str) -> datetime | None:
    """When the newest broadcast of `kind` whose key starts with `prefix` was made (UTC)."""
    async with db.read() as conn:
        at = await broadcasts_repo.last_sent_at(conn, prefix, kind)
    return datetime.fromtimestamp(at, UTC) if at is not None else None


def ask_first(lang: str, title: str, last: datetime | None, now: datetime, *, yes: str, no: str) -> Reply | None:
    """The question to ask before another reminder (buttons `yes` / `no` are choice ids), or
    None when none went out within `RECENT`."""
    if last is None or now - last >= RECENT:
        return None
    ago = format_timedelta(now - last, locale=normalize_language(lang))
    return Reply(text=t("remind_button.recent", lang, title=title, ago=ago),
                 buttons=[[Button(label=t("remind_button.again", lang), choice=yes),
                           Button(label=t("remind_button.keep", lang), choice=no)]])
