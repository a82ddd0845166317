"""One bad update never stops the intake: an inbound update that cannot be parsed, stored or
processed is kept raw in `quarantined_updates` with its reason, acknowledged to the platform,
logged in one line (no message body) and — when the sender is known — answered with the
generic "could not read that" message. The operator looks with `koordinat quarantine
list|retry|drop`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from bot.channels import Notifier
from bot.models import Actor, Reply
from messages import t
from storage import members as members_repo
from storage import quarantine as quarantine_repo
from storage.db import Database

log = logging.getLogger("koordinat.quarantine")

REASON_LIMIT = 300  # characters of the reason kept (an exception's first line)


def ascii_json(raw: Any) -> str:
    """`raw` (parsed JSON) as storable JSON text: every non-ASCII character escaped, so a lone
    UTF-16 surrogate (which Telegram can deliver inside a string) is kept as `\\ud800`."""
    return json.dumps(raw, ensure_ascii=True, separators=(",", ":"))


def is_storable(text: str) -> bool:
    """False for text SQLite cannot take: a lone UTF-16 surrogate has no UTF-8 form."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def repaired(raw: Any) -> Any:
    """`raw` with each lone surrogate replaced by U+FFFD (surrogate pairs become their
    character): what `retry` puts back into the inbox for an update kept as unstorable."""
    if isinstance(raw, str):
        return raw.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(raw, list):
        return [repaired(item) for item in raw]
    if isinstance(raw, dict):
        return {repaired(key): repaired(value) for key, value in raw.items()}
    return raw


def reason_of(error: BaseException | str) -> str:
    """One line: `TypeError: 'str' object cannot be interpreted as an integer`."""
    if isinstance(error, str):
        text = error
    else:
        first = str(error).splitlines()[0] if str(error) else ""
        text = f"{type(error).__name__}: {first}" if first else type(error).__name__
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text[:REASON_LIMIT]


class Quarantine:
    """Keeps bad updates (see the module docstring). `on_commit` wakes the dispatcher."""

    def __init__(self, db: Database, notifier: Notifier, now: Callable[[], float],
                 default_language: str, on_commit: Callable[[], None]) -> None:
        self._db = db
        self._notifier = notifier
        self._now = now
        self._default_language = default_language
        self._on_commit = on_commit
        self.kept = 0

    async def keep(self, channel: str, update_id: str, raw: Any, reason: BaseException | str, *,
                   chat_key: str = "", sender: Actor | None = None) -> int:
        """Store `raw` (parsed JSON, or text when it could not be parsed) with `reason`, and —
        when `sender` is known — queue the "could not read that" reply, in one transaction.
        Returns the quarantine id. Raises the database's error when even this cannot be
        written (a full disk): the caller then does what it did before (answer "not saved")."""
        why = reason_of(reason)
        payload = ascii_json(raw)
        async with self._db.transaction() as tx:
            kept_id = await quarantine_repo.keep(tx, channel, update_id, chat_key, why, payload, self._now())
            if sender is not None:
                member = await members_repo.by_identity(tx, sender.channel, sender.external_id)
                lang = member.language if member is not None else (sender.language_hint or self._default_language)
                await self._notifier.reply_to(tx, sender, Reply(text=t("quarantine.unreadable", lang)),
                                              f"reply:{channel}:{update_id}:unreadable")
        self.kept += 1
        log.warning("quarantined %s update %s (#%d): %s", channel, update_id, kept_id, why)
        self._db.after_commit(self._on_commit)  # once the enclosing transaction, if any, commits
        return kept_id


# --- the operator's commands (`koordinat quarantine list|retry|drop`) ------------------------

class QuarantineError(Exception):
    """A `koordinat quarantine` command cannot be carried out; the message is one line."""


async def listing(db: Database, limit: int = 100) -> tuple[int, list[quarantine_repo.Quarantined]]:
    """(how many are kept, the oldest `limit` of them)."""
    async with db.read() as conn:
        return await quarantine_repo.count(conn), await quarantine_repo.listing(conn, limit)


async def retry(db: Database, ids: list[int] | None, now: float) -> list[int]:
    """Put kept Telegram updates back into the inbox (all when `ids` is None); a running bot
    processes them within seconds, otherwise at its next start. Lone surrogates are replaced
    by U+FFFD first (`repaired`), so text that could not be stored now can be. Returns the ids
    put back. Raises `QuarantineError` for an unknown id or a WhatsApp message (Meta does not
    deliver it again and the bot keeps no inbox for it: ask the person to send it again)."""
    async with db.transaction() as tx:
        items = await quarantine_repo.listing(tx, 1_000_000) if ids is None else []
        for quarantine_id in ids or []:
            item = await quarantine_repo.get(tx, quarantine_id)
            if item is None:
                raise QuarantineError(f"no quarantined update #{quarantine_id} (see `koordinat quarantine list`)")
            items.append(item)
        if ids is not None:
            refused = [item for item in items if item.channel != "telegram"]
            if refused:
                raise QuarantineError(f"#{refused[0].id} is a {refused[0].channel} message, which cannot be "
                                      "retried: ask the person to send it again, then drop it")
        done = []
        for item in items:
            if item.channel != "telegram":
                continue
            try:
                payload = ascii_json(repaired(json.loads(item.payload)))
            except ValueError:
                payload = item.payload
            fixed = quarantine_repo.Quarantined(**{**item.__dict__, "payload": payload})
            await quarantine_repo.requeue(tx, fixed, now)
            done.append(item.id)
    return done


async def drop(db: Database, ids: list[int] | None) -> int:
    """Delete kept updates (all when `ids` is None); raises `QuarantineError` for an unknown id."""
    async with db.transaction() as tx:
        if ids is None:
            return await quarantine_repo.drop_all(tx)
        for quarantine_id in ids:
            if not await quarantine_repo.drop(tx, quarantine_id):
                raise QuarantineError(f"no quarantined update #{quarantine_id} (see `koordinat quarantine list`)")
        return len(ids)
