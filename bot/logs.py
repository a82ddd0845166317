"""Logging set-up: one line per event, and repeated lines rate-limited.

Under abuse (a flood of half-open connections, a disk that stays full) the same line could
be written thousands of times a second — the log grew by 200 MB in 40 s. `RepeatFilter` lets
the first `burst` lines of a kind through in each `window` seconds (so a retry with backoff
still says each attempt), then nothing until the window ends; the next line says how many
like it were left out ("… (and 1,234 more like it in the last 60 s)").
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable

WINDOW = 60.0  # seconds
BURST = 5  # lines of one kind let through per window
_DIGITS = re.compile(r"\d+")


def _kind(record: logging.LogRecord) -> tuple[str, int, str]:
    """Lines of one kind: same logger, level and message template (numbers ignored when the
    message was formatted before logging)."""
    template = record.msg if isinstance(record.msg, str) else str(record.msg)
    if not record.args:
        template = _DIGITS.sub("#", template.split("\n", 1)[0])[:120]
    return record.name, record.levelno, template


class RepeatFilter(logging.Filter):
    """A handler filter: per kind of line (`_kind`), the first passes, then one per `window`
    seconds carrying the count of those left out. Memory is bounded by `max_kinds`."""

    def __init__(self, window: float = WINDOW, clock: Callable[[], float] = time.monotonic,
                 max_kinds: int = 4096, burst: int = BURST) -> None:
        super().__init__()
        self._window = window
        self._burst = burst
        self._clock = clock
        self._max_kinds = max_kinds
        # kind -> (window start, lines let through, lines left out)
        self._seen: dict[tuple[str, int, str], tuple[float, int, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        kind = _kind(record)
        now = self._clock()
        seen = self._seen.get(kind)
        if seen is None or now - seen[0] >= self._window:
            if len(self._seen) >= self._max_kinds:
                self._seen.clear()
            self._seen[kind] = (now, 1, 0)
            if seen is not None and seen[2]:
                record.msg = f"{record.getMessage()} (and {seen[2]:,} more like it in the last {self._window:.0f} s)"
                record.args = None
            return True
        start, passed, left_out = seen
        if passed < self._burst:
            self._seen[kind] = (start, passed + 1, left_out)
            return True
        self._seen[kind] = (start, passed, left_out + 1)
        return False


def configure(level: int = logging.INFO) -> None:
    """The process's logging: one line per record to stderr, repeated lines rate-limited."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RepeatFilter) for f in handler.filters):
            handler.addFilter(RepeatFilter())
