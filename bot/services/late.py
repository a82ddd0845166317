"""Late delivery: a reminder or nudge that reaches its person long after it was made is
checked again first, by the same rules that keep Telegram from sending it late.

A WhatsApp message is held while the member's 24-hour window is closed and released only when
she writes again, maybe days later (`handlers.whatsapp.updates`). Before a held message goes
out, `LateDelivery.review` looks at its `Reply.recheck`:

- past `recheck.until` (the reminder kind's grace, e.g. "until the next reminder is due or
  the meeting starts", "until the deadline, at most 12 hours late") → dropped;
- the feature's check, registered under `recheck.kind`, sees the thing as it is now: a
  meeting cancelled, moved or begun, a survey closed, extended or already submitted → dropped;
  otherwise it returns the message recomputed at the real time left ("1 saat sonra" read now,
  never from when it was made: texts about time are computed when sent), or, for
  a notice that still holds (`Recheck.reminder` False), the message as it was.

Messages without a `recheck` (answers, announcements) are delivered as they are.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from storage.sql import Connection

from bot.models import Recheck, Reply

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    """Who the late message is for: her member id (None for a stranger) and language."""

    member_id: int | None
    lang: str


# check(conn, held, recheck, recipient, now) -> the message to send now (`held` itself, or one
# made again for `now`), or None to drop it. `recheck` is `held.recheck`.
Check = Callable[[Connection, Reply, Recheck, Recipient, datetime], Awaitable[Reply | None]]


class LateDelivery:
    """Registry of late-delivery checks by `Recheck.kind`."""

    def __init__(self) -> None:
        self._checks: dict[str, Check] = {}

    def register(self, kind: str, check: Check) -> None:
        """`check` decides about late messages whose `recheck.kind` is `kind`; raises
        ValueError if the kind already has one."""
        if kind in self._checks:
            raise ValueError(f"late-delivery check {kind!r} is already registered")
        self._checks[kind] = check

    async def review(self, conn: Connection, reply: Reply, recipient: Recipient, now: datetime) -> Reply | None:
        """The message to deliver now (`reply` itself when it carries no recheck), a
        recomputed one, or None when it is no longer worth sending. `now` is UTC-aware."""
        recheck = reply.recheck
        if recheck is None:
            return reply
        if recheck.until is not None and now > recheck.until:
            log.info("late %s dropped: past its grace (%s)", recheck.kind, recheck.until.isoformat(timespec="seconds"))
            return None
        check = self._checks.get(recheck.kind)
        if check is None:
            return reply  # a kind nobody checks (a feature not installed): as it was
        fresh = await check(conn, reply, recheck, recipient, now)
        if fresh is None:
            log.info("late %s dropped: no longer current", recheck.kind)
            return None
        return fresh.model_copy(update={"recheck": recheck})
