"""Telegram's sending limits (counted, optionally enforced) and failures planned by a test."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from bot.emulator.telegram.validation import ApiError, default_description, too_many_requests

# Methods that put a new message into a chat; these are what Telegram's flood limits count.
SENDING_METHODS = frozenset({
    "sendmessage", "senddocument", "sendphoto", "sendaudio", "sendvideo", "sendvoice",
    "sendanimation", "sendsticker", "sendmediagroup", "sendlocation", "sendvenue",
    "sendcontact", "sendpoll", "senddice", "copymessage", "forwardmessage",
})


@dataclass
class LimitViolations:
    """How many sends went over each of Telegram's limits (sliding windows)."""

    global_per_second: int = 0
    per_chat_per_second: int = 0
    group_per_minute: int = 0

    @property
    def total(self) -> int:
        return self.global_per_second + self.per_chat_per_second + self.group_per_minute


class SendRateTracker:
    """Sliding windows of send times: global (1 s), per chat (1 s), per group (60 s).

    A send is a violation of a window when that window already holds `limit` sends, i.e. the
    send would make it `limit + 1`. Each append and expiry is O(1), so this keeps up with many
    thousands of sends per second.
    """

    def __init__(
        self, global_per_second: int, per_chat_per_second: int, group_per_minute: int
    ) -> None:
        self.global_limit = global_per_second
        self.chat_limit = per_chat_per_second
        self.group_limit = group_per_minute
        self._global: deque[float] = deque()
        self._chats: dict[int, deque[float]] = {}
        self._groups: dict[int, deque[float]] = {}
        self.violations = LimitViolations()

    def admit(self, chat_id: int, is_group: bool, now: float, *, enforce: bool) -> None:
        """Count a send at `now`; with `enforce`, refuse it with 429 instead of recording it."""
        waits: list[float] = []
        g = _expire(self._global, now - 1.0)
        if len(g) >= self.global_limit:
            self.violations.global_per_second += 1
            waits.append(g[len(g) - self.global_limit] + 1.0 - now)
        c = _expire(self._chats.setdefault(chat_id, deque()), now - 1.0)
        if len(c) >= self.chat_limit:
            self.violations.per_chat_per_second += 1
            waits.append(c[len(c) - self.chat_limit] + 1.0 - now)
        grp: deque[float] | None = None
        if is_group:
            grp = _expire(self._groups.setdefault(chat_id, deque()), now - 60.0)
            if len(grp) >= self.group_limit:
                self.violations.group_per_minute += 1
                waits.append(grp[len(grp) - self.group_limit] + 60.0 - now)
        if waits and enforce:
            raise too_many_requests(max(1, math.ceil(max(waits))))
        g.append(now)
        c.append(now)
        if grp is not None:
            grp.append(now)


def _expire(window: deque[float], older_than: float) -> deque[float]:
    while window and window[0] <= older_than:
        window.popleft()
    return window


@dataclass
class PlannedFailure:
    """A failure a test asked for: the next `times` matching calls fail this way."""

    method: str | None  # lower-case method name; None matches every method
    chat_id: int | str | None
    times: int
    error_code: int = 0
    description: str = ""
    retry_after: int | None = None
    drop_connection: bool = False
    after_processing: bool = False
    delay: float = 0.0

    def matches(self, method: str, chat_id: object) -> bool:
        if self.method is not None and self.method != method:
            return False
        return self.chat_id is None or str(self.chat_id) == str(chat_id)

    def error(self) -> ApiError:
        return ApiError(
            self.error_code,
            self.description or default_description(self.error_code, self.retry_after),
            retry_after=self.retry_after if self.error_code == 429 else None,
        )


class FailurePlan:
    """The failures still to happen, matched in the order they were planned."""

    def __init__(self) -> None:
        self._planned: list[PlannedFailure] = []

    def add(self, failure: PlannedFailure) -> None:
        if failure.times > 0:
            self._planned.append(failure)

    def take(self, method: str, chat_id: object) -> PlannedFailure | None:
        """The first planned failure matching this call, used up once."""
        if not self._planned:
            return None
        for index, failure in enumerate(self._planned):
            if failure.matches(method, chat_id):
                failure.times -= 1
                if failure.times <= 0:
                    del self._planned[index]
                return failure
        return None

    def clear(self) -> None:
        self._planned.clear()
