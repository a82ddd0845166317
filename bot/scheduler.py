"""Wake-ups: an APScheduler 3 `AsyncIOScheduler` of our own (not PTB's JobQueue, which only
exists while Telegram runs) that wakes the bot when the next timed thing is due.

The database is the source of truth. The scheduler holds at most one date job per *source*
(e.g. "reminders"), armed for that source's earliest due time; when it fires, the source does
its work (`reminders.send_due(now)`) and the job is re-armed for the next earliest time. So
100,000 pending reminders cost one timer, and APScheduler never has to run thousands of jobs
in one pass (it silently drops them past its misfire grace). Besides:

- a periodic sweep (default every 60 s) asks every source to look again, in case a wake-up
  was missed (a transaction that rolled back, a system clock jump);
- cron jobs (`add_cron`) for slots such as a weekly digest, computed with APScheduler's
  `CronTrigger` in the configured time zone;
- every time comes from the injectable clock. APScheduler's timers run on real time, so a
  due time is converted into "seconds from now" on the clock when a job is armed, and a
  clock that jumps (`ManualClock.advance`) makes every source look again at once.

Job functions only set an `asyncio.Event`; the work runs in one long-lived task per source
(started in a fresh context, so it never joins a caller's transaction) and a source that is
busy when woken simply runs once more. Idle, nothing polls.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.clock import Clock

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger(__name__)
logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
logging.getLogger("apscheduler.scheduler").setLevel(logging.WARNING)

Run = Callable[[datetime], Awaitable[object]]
NextDue = Callable[[], Awaitable[datetime | None]]

ERROR_RETRY = timedelta(seconds=5)
SWEEP_EVERY = timedelta(seconds=60)


@dataclass(eq=False)
class _Source:
    name: str
    run: Run
    next_due: NextDue
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    busy: bool = False
    armed_at: datetime | None = None
    hint: datetime | None = None  # earliest time announced while a pass was running
    task: asyncio.Task[None] | None = None
    runs: int = 0


class _Cron:
    """A cron slot kept in memory: fires once per slot on the clock, missed slots coalesced."""

    def __init__(self, trigger: CronTrigger, func: Run, clock: Clock) -> None:
        self.trigger = trigger
        self.func = func
        self.clock = clock
        self.next_fire: datetime | None = None

    async def next_due(self) -> datetime | None:
        if self.next_fire is None:
            self.next_fire = self.trigger.get_next_fire_time(None, self.clock.now())
        return self.next_fire

    async def run(self, now: datetime) -> None:
        if self.next_fire is None or self.next_fire > now:
            return
        slot = self.next_fire
        self.next_fire = self.trigger.get_next_fire_time(None, now + timedelta(microseconds=1))
        await self.func(slot)


class Scheduler:
    def __init__(self, clock: Clock, timezone: str | ZoneInfo = "UTC", *,
                 sweep_every: timedelta = SWEEP_EVERY) -> None:
        self._clock = clock
        self.timezone = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
        self._sweep_every = sweep_every
        self._sources: dict[str, _Source] = {}
        self._aps: AsyncIOScheduler | None = None
        self._running = False
        self._subscribed = False

    # --- what runs -------------------------------------------------------------------------

    def add_source(self, name: str, run: Run, next_due: NextDue) -> None:
        """`run(now)` does whatever is due; `next_due()` says when to wake it next."""
        if name in self._sources:
            raise ValueError(f"source {name!r} already added")
        source = _Source(name, run, next_due)
        self._sources[name] = source
        if self._running:
            self._start_source(source)

    def add_cron(self, name: str, func: Run, **cron_fields: Any) -> None:
        """Run `func(slot)` at each slot of the cron expression in the scheduler's time zone,
        e.g. `add_cron("digest", send_digest, day_of_week="mon", hour=9)`. In-memory: a slot
        that passes while the bot is down is not replayed (use `ReminderService.add_recurring`
        for slots that must survive a restart)."""
        cron_fields.setdefault("timezone", self.timezone)
        cron = _Cron(CronTrigger(**cron_fields), func, self._clock)
        self.add_source(f"cron:{name}", cron.run, cron.next_due)

    def wake_at(self, name: str, when: datetime) -> None:
        """Source `name` has something due at `when` (maybe earlier than it is armed for)."""
        source = self._sources.get(name)
        if source is None or not self._running:
            return
        if source.busy:
            source.hint = when if source.hint is None else min(source.hint, when)
        if source.armed_at is None or when < source.armed_at:
            self._arm(source, when)

    def check_now(self, name: str | None = None) -> None:
        """Ask one source (or all) to look at once."""
        for source in self._sources.values():
            if name is None or source.name == name:
                source.wake.set()

    @property
    def running(self) -> bool:
        """Whether the scheduler is started (on PostgreSQL: only in the leader)."""
        return self._running

    def armed_at(self, name: str) -> datetime | None:
        source = self._sources.get(name)
        return source.armed_at if source is not None else None

    def runs(self, name: str) -> int:
        source = self._sources.get(name)
        return source.runs if source is not None else 0

    def tasks(self) -> list[asyncio.Task[None]]:
        """The long-running task of each source, for supervision."""
        return [source.task for source in self._sources.values() if source.task is not None]

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Start the timer and arm every source from what is stored."""
        if self._running:
            return
        # Imported here: the scheduler (and the process pool executor module it brings along)
        # is only needed by a running bot, not by a CLI command that builds the services.
        from apscheduler.schedulers.asyncio import AsyncIOScheduler

        self._aps = AsyncIOScheduler(timezone=self.timezone)
        self._aps.start()
        self._running = True
        self._aps.add_job(self._sweep, "interval", seconds=self._sweep_every.total_seconds(),
                          id="sweep", coalesce=True, misfire_grace_time=None, max_instances=1)
        if not self._subscribed:
            self._clock.subscribe(self._time_jumped)
            self._subscribed = True
        for source in self._sources.values():
            self._start_source(source)

    async def stop(self) -> None:
        if not self._running:
            return
        self._running = False
        tasks = [s.task for s in self._sources.values() if s.task is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for source in self._sources.values():
            source.task = None
            source.armed_at = None
            source.busy = False
        if self._aps is not None:
            self._aps.shutdown(wait=False)
            await asyncio.sleep(0)  # AsyncIOScheduler shuts down in a loop callback
            self._aps = None

    async def settle(self, timeout: float = 10.0) -> None:
        """Wait until no source has work running or waiting (tests, demo)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while any(s.busy or s.wake.is_set() for s in self._sources.values()):
            if loop.time() > deadline:
                raise TimeoutError("scheduler did not settle")
            await asyncio.sleep(0.005)

    # --- internals -------------------------------------------------------------------------

    def _start_source(self, source: _Source) -> None:
        source.wake = asyncio.Event()
        source.wake.set()  # first pass: do what is already due, then arm
        source.task = asyncio.create_task(self._pump(source), name=f"scheduler-{source.name}",
                                          context=contextvars.Context())

    async def _pump(self, source: _Source) -> None:
        while True:
            await source.wake.wait()
            source.wake.clear()
            source.busy = True
            source.hint = None
            failed = False
            try:
                await source.run(self._clock.now())
                source.runs += 1
            except asyncio.CancelledError:
                raise
            except Exception as error:
                _log_failure("scheduled work %r failed", source.name, error)
                failed = True
            try:
                due = await source.next_due()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                _log_failure("could not read the next due time of %r", source.name, error)
                due, failed = None, True
            if source.hint is not None and (due is None or source.hint < due):
                due = source.hint
            if failed:
                retry = self._clock.now() + ERROR_RETRY
                due = retry if due is None else max(due, retry)
            self._arm(source, due)
            source.busy = False

    def _arm(self, source: _Source, when: datetime | None) -> None:
        assert self._aps is not None
        job_id = f"wake:{source.name}"
        source.armed_at = when
        if when is None:
            if self._aps.get_job(job_id) is not None:
                self._aps.remove_job(job_id)
            return
        seconds = (when - self._clock.now()).total_seconds()
        if seconds <= 0:
            source.wake.set()
            return
        run_date = datetime.now(UTC) + timedelta(seconds=seconds)
        self._aps.add_job(self._fire, "date", run_date=run_date, args=[source.name], id=job_id,
                          replace_existing=True, misfire_grace_time=None, coalesce=True)

    async def _fire(self, name: str) -> None:
        source = self._sources.get(name)
        if source is not None and self._running:
            source.armed_at = None
            source.wake.set()

    async def _sweep(self) -> None:
        if self._running:
            self.check_now()

    def _time_jumped(self) -> None:
        if self._running:
            self.check_now()


def _log_failure(message: str, name: str, error: Exception) -> None:
    """A full disk is logged once per episode by the database: nothing more here. A storage
    error is one line; anything else (a bug) keeps its traceback."""
    from storage.db import is_disk_full, is_fatal_storage_error

    if is_disk_full(error):
        return
    if is_fatal_storage_error(error):
        log.error(message + " (%s: %s)", name, type(error).__name__, error)
        return
    log.error(message, name, exc_info=error)
