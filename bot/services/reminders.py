"""Reminders: durable timed sends, keyed (e.g. `meeting:42:remind:24h`), with a due time.

The `reminders` table is the source of truth; the scheduler only wakes `send_due(now)` at the
earliest due time. Each *kind* has a handler and a grace: how late it may still be sent. The
handler runs inside the transaction that marks the reminder done and fans the message out to
its audience through the outbox (one reminder row -> N outbox rows), so a crash either keeps
the reminder pending or commits it together with every message it produced: nothing is sent
twice and nothing is lost. A reminder that falls due while the bot is down is sent late only
within its kind's grace; past it the row is marked 'dropped' and logged (never its text).

Every method works inside another transaction too (it becomes a savepoint of it), so a
feature can save a meeting and (re)schedule its reminders in one commit.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

from bot.clock import Clock, from_timestamp, utc_timestamp
from bot.services import quiet
from bot.services.quiet import QuietHours
from storage import groups as groups_repo
from storage import outbox as outbox_repo
from storage import reminders as reminders_repo
from storage.db import Database
from storage.sql import Connection

if TYPE_CHECKING:
    from bot.scheduler import Scheduler

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reminder:
    id: int
    key: str
    kind: str
    due_at: datetime
    payload: dict[str, Any]
    status: str = reminders_repo.PENDING
    attempts: int = 0


Handler = Callable[[Reminder, datetime], Awaitable[None]]
# Optional: handles every due reminder of the kind in a batch at once (fewer round trips when
# 50,000 personal nudges fall due together); must do what `handler` does for each.
BatchHandler = Callable[[list[Reminder], datetime], Awaitable[None]]
# How late a kind may still be sent: a fixed time after its due time, a callable giving the
# deadline from the reminder (e.g. "until the meeting starts"; None: no limit), or None.
Grace = timedelta | Callable[[Reminder], datetime | None] | None

DEFAULT_GRACE = timedelta(hours=1)
SOURCE = "reminders"
# What a kind does when it falls due in its group's quiet hours (`bot/services/quiet.py`):
DEFER = "defer"  # a pure send: wait for the morning (texts made then), or drop when stale by then
HOLD = "hold"    # an action (a survey closes, a phase ends): run now, its notices wait for the morning
# A late send is dropped when a newer one about the same thing (same kind, same key but its
# last part, same person) falls due within this window: after downtime only the newest goes.
SUPERSEDE_WINDOW = timedelta(hours=12)
LATE_AFTER = timedelta(minutes=1)


@dataclass(frozen=True)
class ReminderKind:
    name: str
    handler: Handler
    grace: Grace
    batch_handler: BatchHandler | None = None
    quiet: str = DEFER

    def deadline(self, reminder: Reminder, hours: QuietHours | None = None) -> datetime | None:
        """How late `reminder` may still go. A fixed grace counts from its due time, or, for
        a send planned inside quiet hours, from their end (when it was meant to go)."""
        if self.grace is None:
            return None
        if isinstance(self.grace, timedelta):
            start = hours.end_after(reminder.due_at) if hours is not None else reminder.due_at
            return start + self.grace
        return self.grace(reminder)


def _person(payload: dict[str, Any]) -> object:
    """Whom a personal reminder is for (`member_id`, or its `member_ids`), None for a group's."""
    if payload.get("member_id") is not None:
        return payload["member_id"]
    members = payload.get("member_ids")
    return tuple(members) if isinstance(members, list) else None


def subject_of(reminder: Reminder) -> tuple[str, str, object] | None:
    """What a reminder is about, for "only the newest goes": (kind, key without its last
    part, the person it is for); None for a key of fewer than three parts."""
    head, _, _ = reminder.key.rpartition(":")
    if head.count(":") < 1:
        return None
    return reminder.kind, head, _person(reminder.payload)


@dataclass
class DueReport:
    """What one `send_due` pass did."""

    sent: int = 0
    dropped: int = 0
    failed: int = 0
    deferred: int = 0
    keys_dropped: list[str] = field(default_factory=list)


_handler_connection: contextvars.ContextVar[Connection | None] = contextvars.ContextVar(
    "koordinat_reminder_connection", default=None)


def _reminder(row: reminders_repo.ReminderRow) -> Reminder:
    return Reminder(id=row.id, key=row.key, kind=row.kind, due_at=from_timestamp(row.due_at),
                    payload=row.payload, status=row.status, attempts=row.attempts)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("due times must be timezone-aware (UTC or the group's zone)")
    return moment.astimezone(UTC)


class WeeklyDigest:
    """The weekly digest slot (Monday 09:00 in the configured zone): features add their part."""

    def __init__(self) -> None:
        self._parts: list[Callable[[datetime], Awaitable[None]]] = []

    def add(self, part: Callable[[datetime], Awaitable[None]]) -> None:
        """`part(slot)` runs inside the slot's transaction, like any reminder handler."""
        self._parts.append(part)

    async def run(self, reminder: Reminder, now: datetime) -> None:
        for part in self._parts:
            await part(reminder.due_at)


class ReminderService:
    def __init__(self, db: Database, clock: Clock, *, timezone: str | ZoneInfo = "UTC",
                 on_commit: Callable[[], None] = lambda: None, batch_size: int = 200,
                 max_attempts: int = 5) -> None:
        self._db = db
        self._clock = clock
        self.timezone = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
        self._on_commit = on_commit
        self._batch_size = batch_size
        self._max_attempts = max_attempts
        self._kinds: dict[str, ReminderKind] = {}
        self._recurring: dict[str, CronTrigger] = {}
        self._upkeep: list[Callable[[datetime], Awaitable[None]]] = []
        self._scheduler: Scheduler | None = None
        self._rearming: asyncio.Task[None] | None = None
        self._rearm_again = False
        self.weekly_digest = WeeklyDigest()

    # --- kinds -------------------------------------------------------------------------------

    def register_kind(self, kind: str, handler: Handler, *, grace: Grace = DEFAULT_GRACE,
                      batch_handler: BatchHandler | None = None, quiet: str = DEFER) -> None:
        """`handler(reminder, now)` sends a due reminder of this kind (inside the transaction
        that marks it done); `grace` says how late it may still be sent; `quiet` what it does
        in its group's quiet hours: `DEFER` (a pure send: wait for their end, dropped when
        past its grace by then) or `HOLD` (an action: run on time, its messages wait).
        The group is the one its payload names (`storage.reminders.group_of`); a reminder
        of no group has no quiet hours.

        A handler should only write to the database (outbox rows through the Notifier or
        BroadcastService): if another handler of its batch fails, the batch is rolled back and
        each handler runs again in its own savepoint. `batch_handler(reminders, now)`, if
        given, is used for all due reminders of the kind at once (the same effect)."""
        if kind in self._kinds:
            raise ValueError(f"reminder kind {kind!r} is already registered")
        if quiet not in (DEFER, HOLD):
            raise ValueError(f"quiet must be {DEFER!r} or {HOLD!r}")
        self._kinds[kind] = ReminderKind(kind, handler, grace, batch_handler, quiet)

    def kinds(self) -> list[str]:
        return sorted(self._kinds)

    def add_recurring(self, name: str, handler: Handler, *, grace: Grace = timedelta(hours=6),
                      quiet: str = HOLD, **cron_fields: Any) -> None:
        """A durable cron slot (e.g. `day_of_week="mon", hour=9`): each slot is a reminder row
        `recurring:<name>:<slot>`, so it survives restarts, runs once, and obeys `grace`."""
        cron_fields.setdefault("timezone", self.timezone)
        trigger = CronTrigger(**cron_fields)
        kind = f"recurring:{name}"

        async def run_slot(reminder: Reminder, now: datetime) -> None:
            await handler(reminder, now)
            await self._schedule_slot(name, trigger, max(now, reminder.due_at))

        self.register_kind(kind, run_slot, grace=grace, quiet=quiet)
        self._recurring[name] = trigger

    async def _schedule_slot(self, name: str, trigger: CronTrigger, after: datetime) -> None:
        slot = trigger.get_next_fire_time(None, after + timedelta(microseconds=1))
        if slot is not None:
            slot_utc = slot.astimezone(UTC)
            await self.schedule(f"recurring:{name}:{slot_utc:%Y-%m-%dT%H:%MZ}", f"recurring:{name}", slot_utc)

    def add_upkeep(self, upkeep: Callable[[datetime], Awaitable[None]]) -> None:
        """`upkeep(now)` runs at start and after every scheduled pass, to arm rows that must
        exist (e.g. each group's next weekly digest, also after one was dropped as late)."""
        self._upkeep.append(upkeep)

    async def _ensure_recurring(self) -> None:
        """Every recurring slot has its next row (also after one was dropped for lateness)."""
        for name, trigger in self._recurring.items():
            if not await self.pending(f"recurring:{name}:"):
                await self._schedule_slot(name, trigger, self._clock.now())

    # --- scheduling --------------------------------------------------------------------------

    def attach(self, scheduler: Scheduler) -> None:
        """Let `scheduler` wake `send_due` at the earliest due time."""
        self._scheduler = scheduler
        scheduler.add_source(SOURCE, self._scheduled_pass, self.next_due)

    async def start(self) -> None:
        await self._ensure_recurring()
        for upkeep in self._upkeep:
            await upkeep(self._clock.now())

    async def schedule(self, key: str, kind: str, due_at: datetime,
                       payload: dict[str, Any] | None = None, *, reset: bool = False) -> bool:
        """Create or move the reminder `key`. True if it is pending at `due_at` now; False if it
        was already sent (pass `reset=True` to send it again, e.g. for a new meeting date)."""
        if kind not in self._kinds:
            log.warning("reminder %s scheduled with unregistered kind %r", key, kind)
        due = _utc(due_at)
        async with self._db.transaction() as tx:
            armed = await reminders_repo.upsert(
                tx, key=key, kind=kind, due_at=utc_timestamp(due), payload=payload or {},
                now=utc_timestamp(self._clock.now()), reset=reset)
        if armed and self._scheduler is not None:
            scheduler = self._scheduler
            self._db.after_commit(lambda: scheduler.wake_at(SOURCE, due))
        return armed

    async def schedule_many(self, items: Sequence[tuple[str, str, datetime, dict[str, Any] | None]]) -> int:
        """`schedule` for several (key, kind, due_at, payload) in one transaction — every
        group's next digest at start-up is one commit, not one per group (issue 24). Returns
        how many are pending now."""
        armed: list[datetime] = []
        if not items:
            return 0
        async with self._db.transaction() as tx:
            for key, kind, due_at, payload in items:
                if kind not in self._kinds:
                    log.warning("reminder %s scheduled with unregistered kind %r", key, kind)
                due = _utc(due_at)
                if await reminders_repo.upsert(tx, key=key, kind=kind, due_at=utc_timestamp(due),
                                               payload=payload or {}, now=utc_timestamp(self._clock.now()),
                                               reset=False):
                    armed.append(due)
        if armed and self._scheduler is not None:
            scheduler, earliest = self._scheduler, min(armed)
            self._db.after_commit(lambda: scheduler.wake_at(SOURCE, earliest))
        return len(armed)

    def rearm_soon(self) -> None:
        """Reminders changed in another process (PostgreSQL's NOTIFY): read the earliest wake
        time and arm the scheduler for it, if it runs here and that is sooner than it is armed
        for. Notifications that arrive while one read is on its way cost one more read at most."""
        if self._scheduler is None or not self._scheduler.running:
            return
        if self._rearming is not None and not self._rearming.done():
            self._rearm_again = True
            return
        self._rearm_again = False
        self._rearming = asyncio.get_running_loop().create_task(self._rearm(), context=contextvars.Context())

    async def _rearm(self) -> None:
        while True:
            try:
                due = await self.next_due()
            except Exception as error:  # the sweep looks again within a minute
                log.warning("could not re-arm the reminders (%s: %s)", type(error).__name__, error)
                return
            if due is not None and self._scheduler is not None:
                self._scheduler.wake_at(SOURCE, due)
            if not self._rearm_again:
                return
            self._rearm_again = False

    async def cancel(self, key: str) -> bool:
        async with self._db.transaction() as tx:
            return await reminders_repo.cancel(tx, key, utc_timestamp(self._clock.now()))

    async def cancel_prefix(self, prefix: str) -> int:
        """Cancel every pending reminder whose key starts with `prefix` (e.g. `meeting:42:`)."""
        async with self._db.transaction() as tx:
            return await reminders_repo.cancel_prefix(tx, prefix, utc_timestamp(self._clock.now()))

    async def get(self, key: str) -> Reminder | None:
        async with self._db.read() as conn:
            row = await reminders_repo.get(conn, key)
        return _reminder(row) if row else None

    async def pending(self, prefix: str) -> list[Reminder]:
        async with self._db.read() as conn:
            rows = await reminders_repo.with_prefix(conn, prefix)
        return [_reminder(row) for row in rows]

    async def next_due(self) -> datetime | None:
        async with self._db.read() as conn:
            wake = await reminders_repo.next_wake(conn)
        return from_timestamp(wake) if wake is not None else None

    @staticmethod
    def active_connection() -> Connection | None:
        """Inside a handler: the open transaction's connection (no savepoint needed)."""
        return _handler_connection.get()

    # --- sending -----------------------------------------------------------------------------

    async def _scheduled_pass(self, now: datetime) -> None:
        await self.send_due(now)
        if self._recurring:
            await self._ensure_recurring()
        for upkeep in self._upkeep:
            await upkeep(self._clock.now())

    async def send_due(self, now: datetime | None = None) -> DueReport:
        """Send every reminder due at `now` (default: the clock's now), in batches of one
        transaction each, so that people's replies get the database in between."""
        now = _utc(now) if now is not None else self._clock.now()
        now_ts = utc_timestamp(now)
        report = DueReport()
        while True:
            async with self._db.transaction() as tx:
                rows = await reminders_repo.due(tx, now_ts, self._batch_size)
                if rows:
                    await self._process(tx, rows, now, report)
            if rows:
                self._on_commit()
            if len(rows) < self._batch_size:
                return report

    async def _process(self, tx: Connection, rows: list[reminders_repo.ReminderRow], now: datetime,
                       report: DueReport) -> None:
        now_ts = utc_timestamp(now)
        runnable: list[tuple[Reminder, ReminderKind, datetime | None]] = []
        dropped: list[int] = []
        superseded: list[int] = []
        hours_of: dict[int | None, QuietHours | None] = {}
        for row in rows:
            reminder = _reminder(row)
            kind = self._kinds.get(row.kind)
            if kind is None:
                await self._failed(tx, reminder, now, f"unknown kind {row.kind!r}", report)
                continue
            try:
                hours = await self._quiet_hours(tx, reminder, hours_of)
                deadline = kind.deadline(reminder, hours)
            except Exception as error:  # a grace rule that cannot read its payload
                await self._failed(tx, reminder, now, f"grace: {type(error).__name__}", report)
                continue
            quiet_now = hours is not None and hours.contains(now)
            if quiet_now and kind.quiet == DEFER:
                assert hours is not None
                morning = hours.end_after(now)
                if deadline is None or morning <= deadline:
                    await reminders_repo.defer(tx, row.id, utc_timestamp(morning), "quiet hours")
                    report.deferred += 1
                    log.info("reminder %s (%s) waits for the end of quiet hours (%s)", reminder.key,
                             reminder.kind, morning.isoformat(timespec="minutes"))
                    if self._scheduler is not None:
                        scheduler = self._scheduler
                        self._db.after_commit(lambda when=morning: scheduler.wake_at(SOURCE, when))
                    continue
                log.info("reminder %s (%s) dropped: stale by the end of quiet hours", reminder.key, reminder.kind)
                dropped.append(row.id)
                report.keys_dropped.append(reminder.key)
                continue
            if deadline is not None and now > deadline:
                late = now - reminder.due_at
                log.warning("reminder %s (%s) dropped: due %s, %s late, past its grace",
                            reminder.key, reminder.kind, reminder.due_at.isoformat(timespec="seconds"),
                            timedelta(seconds=round(late.total_seconds())))
                dropped.append(row.id)
                report.keys_dropped.append(reminder.key)
                continue
            hold = hours.end_after(now) if quiet_now and hours is not None else None
            runnable.append((reminder, kind, hold))
        runnable = await self._newest_only(tx, runnable, now, superseded, report)
        await reminders_repo.finish_many(tx, dropped, reminders_repo.DROPPED, now_ts, "late")
        await reminders_repo.finish_many(tx, superseded, reminders_repo.DROPPED, now_ts, "superseded")
        report.dropped += len(dropped) + len(superseded)
        done = await self._run_handlers(tx, runnable, now, report)
        await reminders_repo.finish_many(tx, done, reminders_repo.DONE, now_ts)
        report.sent += len(done)

    async def _quiet_hours(self, conn: Connection, reminder: Reminder,
                           cache: dict[int | None, QuietHours | None]) -> QuietHours | None:
        """The quiet hours of the reminder's group; None when the group turned them off, or
        for a reminder of no group (housekeeping; nothing that people read is group-less)."""
        group_id = await reminders_repo.group_of(conn, reminder.payload)
        if group_id is None:
            return None
        if group_id not in cache:
            group = await groups_repo.get(conn, group_id)
            cache[group_id] = quiet.of_group(group) if group is not None else None
        return cache[group_id]

    async def _newest_only(self, conn: Connection, runnable: list[tuple[Reminder, ReminderKind, datetime | None]],
                           now: datetime, superseded: list[int],
                           report: DueReport) -> list[tuple[Reminder, ReminderKind, datetime | None]]:
        """Of several sends about the same thing due together (in this pass, or a late one
        with a newer one due within `SUPERSEDE_WINDOW`), only the newest goes."""
        newest: dict[tuple[str, str, object], Reminder] = {}
        for reminder, _, _ in runnable:
            subject = subject_of(reminder)
            if subject is not None and (subject not in newest or reminder.due_at > newest[subject].due_at):
                newest[subject] = reminder
        batch_ids = [reminder.id for reminder, _, _ in runnable]
        kept: list[tuple[Reminder, ReminderKind, datetime | None]] = []
        for reminder, kind, hold in runnable:
            subject = subject_of(reminder)
            stale = subject is not None and newest[subject].id != reminder.id
            if subject is not None and not stale and now - reminder.due_at > LATE_AFTER:
                later = await reminders_repo.same_subject_due(
                    conn, subject[1] + ":", reminder.kind, utc_timestamp(now + SUPERSEDE_WINDOW), batch_ids)
                stale = any(row.due_at > utc_timestamp(reminder.due_at) and _person(row.payload) == subject[2]
                            for row in later)
            if stale:
                log.info("reminder %s (%s) dropped: a newer one about the same thing is due", reminder.key,
                         reminder.kind)
                superseded.append(reminder.id)
                report.keys_dropped.append(reminder.key)
            else:
                kept.append((reminder, kind, hold))
        return kept

    async def _run_handlers(self, tx: Connection, runnable: list[tuple[Reminder, ReminderKind, datetime | None]],
                            now: datetime, report: DueReport) -> list[int]:
        """Run the whole batch in one savepoint; if a handler fails, undo and run each in its
        own savepoint so that one broken reminder cannot hold back the others. An action due
        in quiet hours runs alone, and the messages it wrote wait for their end."""
        if not runnable:
            return []
        token = _handler_connection.set(tx)
        try:
            done: list[int] = []
            held = [(reminder, kind, hold) for reminder, kind, hold in runnable if hold is not None]
            batch = [(reminder, kind) for reminder, kind, hold in runnable if hold is None]
            for reminder, kind, hold in held:
                assert hold is not None
                try:
                    async with self._db.transaction():
                        before = await outbox_repo.last_id(tx)
                        await kind.handler(reminder, now)
                        await outbox_repo.hold_after(tx, before, utc_timestamp(hold))
                except Exception as error:
                    log.exception("reminder %s (%s): handler failed", reminder.key, reminder.kind)
                    await self._failed(tx, reminder, now, f"handler: {type(error).__name__}", report)
                else:
                    done.append(reminder.id)
            if not batch:
                return done
            try:
                async with self._db.transaction():
                    batches: dict[str, list[Reminder]] = {}
                    for reminder, kind in batch:
                        if kind.batch_handler is not None:
                            batches.setdefault(kind.name, []).append(reminder)
                        else:
                            await kind.handler(reminder, now)
                    for name, reminders in batches.items():
                        batch_handler = self._kinds[name].batch_handler
                        assert batch_handler is not None
                        await batch_handler(reminders, now)
                return done + [reminder.id for reminder, _ in batch]
            except Exception as error:
                log.warning("a reminder handler failed (%s); running the batch one by one",
                            type(error).__name__)
            for reminder, kind in batch:
                try:
                    async with self._db.transaction():
                        await kind.handler(reminder, now)
                except Exception as error:
                    log.exception("reminder %s (%s): handler failed", reminder.key, reminder.kind)
                    await self._failed(tx, reminder, now, f"handler: {type(error).__name__}", report)
                else:
                    done.append(reminder.id)
            return done
        finally:
            _handler_connection.reset(token)

    async def _failed(self, tx: Connection, reminder: Reminder, now: datetime, error: str,
                      report: DueReport) -> None:
        """Try again later with back-off; after `max_attempts`, drop it."""
        attempts = reminder.attempts + 1
        if attempts >= self._max_attempts:
            log.error("reminder %s (%s) dropped after %d attempts: %s", reminder.key, reminder.kind,
                      attempts, error)
            await reminders_repo.finish_many(tx, [reminder.id], reminders_repo.DROPPED,
                                             utc_timestamp(now), error)
            report.dropped += 1
            report.keys_dropped.append(reminder.key)
            return
        retry = now + timedelta(seconds=min(3600, 30 * 2 ** attempts))
        log.warning("reminder %s (%s): %s; retrying at %s", reminder.key, reminder.kind, error,
                    retry.isoformat(timespec="seconds"))
        await reminders_repo.postpone(tx, reminder.id, utc_timestamp(retry), error)
        report.failed += 1
        if self._scheduler is not None:
            self._scheduler.wake_at(SOURCE, retry)
