"""Time comes from a clock object so tests and the demo can move it without sleeping."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Call `listener` whenever time jumps (a manual clock was moved)."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Real time never jumps, so there is nothing to notify."""


class ManualClock:
    """A clock that runs with real time but can be moved forward (tests, `/wait` in the demo)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._offset = timedelta(0)
        if start is not None:
            self._offset = start.astimezone(UTC) - datetime.now(UTC)
        self._listeners: list[Callable[[], None]] = []

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def advance(self, delta: timedelta) -> None:
        self._offset += delta
        for listener in list(self._listeners):
            listener()

    def subscribe(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)


def operator_clock(now: datetime | None = None) -> Clock:
    """The clock of an operator's CLI command: the wall clock, or — `KOORDINAT_NOW` set, for
    tests and rehearsals ("what would the July report say on 15.07.2027?") — a clock that
    starts at `now` (aware)."""
    return SystemClock() if now is None else ManualClock(start=now)


def utc_timestamp(moment: datetime) -> float:
    return moment.astimezone(UTC).timestamp()


def from_timestamp(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
