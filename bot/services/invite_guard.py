"""Limits guessing of invite codes (issue 8, item 11).

Codes carry about 58 bits, so guessing is hopeless, but nothing should let a script try:
after `MAX_WRONG` unknown codes from one chat within `WINDOW`, that chat is refused for
`LOCKOUT` (even a right code, so a lucky guess during the lockout gains nothing), and one
log line says so — without the codes and with only a short hash of the chat's id.

State is in memory: a restart forgets it, which costs a guesser nothing worth having (one
more window) and keeps the hot path free of writes.
"""

from __future__ import annotations

import hashlib
import logging
from collections import deque
from datetime import datetime, timedelta

log = logging.getLogger(__name__)

MAX_WRONG = 5
WINDOW = timedelta(minutes=1)
LOCKOUT = timedelta(minutes=10)


class InviteGuard:
    def __init__(self, max_wrong: int = MAX_WRONG, window: timedelta = WINDOW,
                 lockout: timedelta = LOCKOUT) -> None:
        self.max_wrong = max_wrong
        self.window = window
        self.lockout = lockout
        self._wrong: dict[tuple[str, str], deque[datetime]] = {}
        self._locked_until: dict[tuple[str, str], datetime] = {}

    def refused_for(self, channel: str, address: str, now: datetime) -> timedelta | None:
        """How much longer this chat is refused, or None when it may try a code."""
        until = self._locked_until.get((channel, address))
        if until is None:
            return None
        if until <= now:
            del self._locked_until[(channel, address)]
            return None
        return until - now

    def wrong_code(self, channel: str, address: str, now: datetime) -> bool:
        """Count an unknown code from this chat; True when this one starts a lockout."""
        key = (channel, address)
        recent = self._wrong.setdefault(key, deque())
        recent.append(now)
        while recent and recent[0] <= now - self.window:
            recent.popleft()
        if len(recent) < self.max_wrong:
            return False
        del self._wrong[key]
        self._locked_until[key] = now + self.lockout
        self._forget_old(now)
        chat = hashlib.sha256(f"{channel}:{address}".encode()).hexdigest()[:8]
        log.warning("invite codes: %d unknown codes within %ds from %s chat #%s; refused for %d min",
                    self.max_wrong, self.window.total_seconds(), channel, chat,
                    self.lockout.total_seconds() // 60)
        return True

    def _forget_old(self, now: datetime) -> None:
        """Drop expired lockouts and stale counters so memory stays bounded."""
        for key in [k for k, until in self._locked_until.items() if until <= now]:
            del self._locked_until[key]
        for key in [k for k, times in self._wrong.items() if not times or times[-1] <= now - self.window]:
            del self._wrong[key]
