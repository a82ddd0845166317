"""Supervision of the process's long-running tasks (the polling loop, the inbox worker, the
outbox dispatcher and its writer, the scheduler's pumps, the web server, the database watch).

Each such task runs until the process stops. If one ends on its own — an exception that
escaped its loop, or a return — the bot can no longer do its job while still looking healthy
to a supervisor, so the process logs one line and exits non-zero (the supervisor restarts it).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable


def why_it_ended(task: asyncio.Task[object]) -> str:
    """`outbox-dispatcher stopped unexpectedly (RuntimeError: boom)`; one line."""
    error = task.exception()
    if error is None:
        return f"{task.get_name()} stopped unexpectedly (it returned)"
    first = str(error).splitlines()[0] if str(error) else ""
    what = f"{type(error).__name__}: {first}" if first else type(error).__name__
    return f"{task.get_name()} stopped unexpectedly ({what})"


class Supervisor:
    """Watches tasks; `on_death(line)` is called once a watched task ends while the process
    is not stopping (a cancelled task is a stop, never a death)."""

    def __init__(self, on_death: Callable[[str], None]) -> None:
        self._on_death = on_death
        self._watched: set[asyncio.Task[object]] = set()
        self.stopping = False

    def watch(self, tasks: Iterable[asyncio.Task[object] | None]) -> None:
        """Watch these tasks (None and already watched ones are skipped)."""
        for task in tasks:
            if task is None or task in self._watched:
                continue
            self._watched.add(task)
            task.add_done_callback(self._ended)

    def _ended(self, task: asyncio.Task[object]) -> None:
        self._watched.discard(task)
        if self.stopping or task.cancelled():
            return
        self._on_death(why_it_ended(task))
