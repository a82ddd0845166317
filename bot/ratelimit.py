"""Sending limits: how fast one channel may send, overall, per private chat and per group.

All limits run on the monotonic clock: they are about the platform's real seconds, not about
the (possibly moved) clock the rest of the bot reads.

- `Pacer` is a token bucket written as GCRA (generic cell rate algorithm): a send is allowed
  once the theoretical arrival time, minus the burst allowance, has come. Waking a little late
  costs nothing (the schedule does not slip) because a send may go up to `tolerance` early.
- `SlidingWindow` allows at most `limit` sends in any `window` seconds (groups: 20 a minute).
- `ArrivalWindow` guards the overall limit against network jitter: the platform counts a
  message when it *arrives*, somewhere between our send and its answer, so a send that was
  slow to arrive (a new connection, a stalled network) can land in the same second as one
  sent a second later. A send is therefore allowed only while fewer than `limit` sends are
  in flight or were answered in the last second: then no 1-second window of arrivals can
  hold more than `limit`, whatever the latency.
- `ChannelLimits` combines them for one bot (one token, one WhatsApp number) and remembers
  what a `RetryAfter` paused: one chat, or — when floods hit several chats — the bulk lane.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Protocol


class _SendingSettings(Protocol):
    send_rate_per_second: float
    private_chat_rate_per_second: float
    group_chat_rate_per_minute: float


@dataclass(frozen=True)
class RateLimits:
    """One channel's limits. `margin` keeps the pace that fraction below each limit, so that
    jitter between our clock and the platform's cannot push a 1-second window over it."""

    per_second: float = 25.0
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: float = 20.0
    margin: float = 0.01
    # A RetryAfter from this many different chats within `flood_window` seconds means the
    # platform throttles the whole bot: pause the bulk lane, not just those chats.
    flood_chats: int = 2
    flood_window: float = 10.0

    @classmethod
    def from_settings(cls, settings: _SendingSettings, **overrides: float) -> RateLimits:
        values: dict[str, float] = {
            "per_second": settings.send_rate_per_second,
            "private_per_second": settings.private_chat_rate_per_second,
            "group_per_minute": settings.group_chat_rate_per_minute,
        }
        values.update(overrides)
        return cls(**values)  # type: ignore[arg-type]


def whatsapp_limits(settings: object) -> RateLimits:
    """The Cloud API's limits for one business number: `whatsapp_send_rate_per_second`
    (80 messages/s by default) and the pair rate, about one message per
    `whatsapp_pair_seconds` (6 s) to the same person after a short burst (Cloud API
    "Throughput" and "Pair rate limits", error 131056)."""
    pair_seconds = float(getattr(settings, "whatsapp_pair_seconds", 6.0))
    return RateLimits(per_second=float(getattr(settings, "whatsapp_send_rate_per_second", 80.0)),
                      private_per_second=1.0 / pair_seconds,
                      private_burst=int(getattr(settings, "whatsapp_pair_burst", 10)))


class Pacer:
    """At most one send per `interval` on average, `burst` back to back."""

    def __init__(self, interval: float, burst: int = 1, tolerance: float = 0.005) -> None:
        self.interval = interval
        self.burst = max(1, burst)
        self.tolerance = tolerance
        self._tat = -math.inf  # theoretical arrival time of the next send

    def delay(self, now: float) -> float:
        """Seconds until a send is allowed (0: now)."""
        earliest = self._tat - (self.burst - 1) * self.interval - self.tolerance
        return max(0.0, earliest - now)

    def take(self, now: float) -> None:
        self._tat = max(self._tat, now) + self.interval

    def idle(self, now: float) -> bool:
        """Full again: forgetting this pacer changes nothing."""
        return self._tat <= now


class SlidingWindow:
    """At most `limit` sends in any `window` seconds."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = max(1, limit)
        self.window = window
        self._sent: deque[float] = deque()

    def delay(self, now: float) -> float:
        while self._sent and self._sent[0] <= now - self.window:
            self._sent.popleft()
        if len(self._sent) < self.limit:
            return 0.0
        return self._sent[len(self._sent) - self.limit] + self.window - now

    def take(self, now: float) -> None:
        self._sent.append(now)

    def idle(self, now: float) -> bool:
        return not self._sent or self._sent[-1] <= now - self.window


class ArrivalWindow:
    """At most `limit` sends arriving in any `window` seconds, counting each send from its
    start until `window` seconds after its answer (see the module docstring)."""

    def __init__(self, limit: int, window: float = 1.0) -> None:
        self.limit = max(1, limit)
        self.window = window
        self.in_flight = 0
        self._answered: deque[float] = deque()

    def delay(self, now: float) -> float | None:
        """Seconds until a send is allowed; None: not before a send in flight is answered."""
        while self._answered and self._answered[0] <= now - self.window:
            self._answered.popleft()
        room = self.limit - 1 - self.in_flight  # answered sends that may still be in the window
        if room < 0:
            return None
        if len(self._answered) <= room:
            return 0.0
        return self._answered[len(self._answered) - room - 1] + self.window - now

    def start(self) -> None:
        self.in_flight += 1

    def answered(self, now: float) -> None:
        self.in_flight = max(0, self.in_flight - 1)
        self._answered.append(now)
        while len(self._answered) > self.limit:
            self._answered.popleft()


@dataclass
class _Chat:
    pacer: Pacer
    window: SlidingWindow | None
    paused_until: float = 0.0

    def delay(self, now: float) -> float:
        wait = max(self.pacer.delay(now), self.paused_until - now)
        if self.window is not None:
            wait = max(wait, self.window.delay(now))
        return max(0.0, wait)

    def idle(self, now: float) -> bool:
        return (self.paused_until <= now and self.pacer.idle(now)
                and (self.window is None or self.window.idle(now)))


class ChannelLimits:
    """Every limit of one channel; the dispatcher asks `delay`, then calls `record`."""

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        keep = 1.0 - limits.margin
        self.overall = Pacer(1.0 / (limits.per_second * keep))
        self.arrivals = ArrivalWindow(max(1, math.floor(limits.per_second)))
        self._chat_interval = 1.0 / (limits.private_per_second * keep)
        self._group_limit = max(1, math.floor(limits.group_per_minute))
        self._group_window = 60.0 / keep
        self._chats: dict[str, _Chat] = {}
        self._records = 0
        self.bulk_paused_until = 0.0
        self._floods: deque[tuple[float, str]] = deque()

    def _chat(self, address: str, is_group: bool) -> _Chat:
        chat = self._chats.get(address)
        if chat is None:
            window = SlidingWindow(self._group_limit, self._group_window) if is_group else None
            chat = _Chat(Pacer(self._chat_interval, self.limits.private_burst), window)
            self._chats[address] = chat
        return chat

    def chat_delay(self, address: str, is_group: bool, now: float) -> float:
        chat = self._chats.get(address)
        return chat.delay(now) if chat is not None else 0.0

    def overall_delay(self, now: float) -> float | None:
        """Seconds until the next send may start; None: once a send in flight is answered."""
        window = self.arrivals.delay(now)
        return None if window is None else max(window, self.overall.delay(now))

    def bulk_delay(self, now: float) -> float:
        return max(0.0, self.bulk_paused_until - now)

    def record(self, address: str, is_group: bool, now: float) -> None:
        """A send to `address` starts now (call `answered` when it comes back)."""
        self.overall.take(now)
        self.arrivals.start()
        chat = self._chat(address, is_group)
        chat.pacer.take(now)
        if chat.window is not None:
            chat.window.take(now)
        self._records += 1
        if self._records % 1024 == 0:
            self._forget_idle(now)

    def answered(self, now: float) -> None:
        """A send started with `record` got its answer (or failed)."""
        self.arrivals.answered(now)

    def retry_after(self, address: str, is_group: bool, seconds: float, now: float) -> bool:
        """The platform said "retry after `seconds`" for a send to `address`: pause that chat,
        and the bulk lane too when several chats were refused lately. True if bulk paused."""
        chat = self._chat(address, is_group)
        chat.paused_until = max(chat.paused_until, now + seconds)
        self._floods.append((now, address))
        while self._floods and self._floods[0][0] < now - self.limits.flood_window:
            self._floods.popleft()
        if len({chat_address for _, chat_address in self._floods}) >= self.limits.flood_chats:
            self.bulk_paused_until = max(self.bulk_paused_until, now + seconds)
            return True
        return False

    @property
    def tracked_chats(self) -> int:
        return len(self._chats)

    def _forget_idle(self, now: float) -> None:
        for address in [a for a, chat in self._chats.items() if chat.idle(now)]:
            del self._chats[address]
