"""The scheduler: one timer for the earliest due time, cron slots on the injectable clock,
a sweep for what a timer missed, and nothing running while nothing is due."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock, utc_timestamp
from bot.scheduler import Scheduler
from bot.services.reminders import Reminder, ReminderService
from storage.db import Database
from tests.harness import TEST_START


@pytest.fixture
async def db(tmp_path: Path) -> Database:
    database = await Database.open(tmp_path / "scheduler.db")
    yield database  # type: ignore[misc]
    await database.close()


class Recorder:
    def __init__(self) -> None:
        self.keys: list[str] = []
        self.arrived = asyncio.Event()

    async def __call__(self, reminder: Reminder, now: datetime) -> None:
        self.keys.append(reminder.key)
        self.arrived.set()


async def running(db: Database, clock: ManualClock, **scheduler_options: object) -> tuple[Scheduler, ReminderService, Recorder]:
    scheduler = Scheduler(clock, "Europe/Istanbul", **scheduler_options)  # type: ignore[arg-type]
    reminders = ReminderService(db, clock)
    recorder = Recorder()
    reminders.register_kind("k", recorder)
    reminders.attach(scheduler)
    await scheduler.start()
    await scheduler.settle()
    return scheduler, reminders, recorder


async def test_moving_the_clock_fires_what_fell_due_at_once(db: Database) -> None:
    clock = ManualClock(TEST_START)
    scheduler, reminders, recorder = await running(db, clock)
    try:
        await reminders.schedule("late", "k", TEST_START + timedelta(days=1), {})
        await reminders.schedule("early", "k", TEST_START + timedelta(hours=1), {})
        assert scheduler.armed_at("reminders") == TEST_START + timedelta(hours=1)
        clock.advance(timedelta(minutes=59))
        await scheduler.settle()
        assert recorder.keys == []
        clock.advance(timedelta(minutes=1))
        await asyncio.wait_for(recorder.arrived.wait(), 2)
        await scheduler.settle()
        assert recorder.keys == ["early"]
        assert scheduler.armed_at("reminders") == TEST_START + timedelta(days=1)
    finally:
        await scheduler.stop()


async def test_the_timer_fires_on_real_time_too(db: Database) -> None:
    clock = ManualClock(TEST_START)
    scheduler, reminders, recorder = await running(db, clock)
    try:
        started = time.monotonic()
        await reminders.schedule("soon", "k", clock.now() + timedelta(milliseconds=300), {})
        await asyncio.wait_for(recorder.arrived.wait(), 3)
        assert 0.25 <= time.monotonic() - started < 1.5
    finally:
        await scheduler.stop()


async def test_nothing_runs_while_nothing_is_due(db: Database) -> None:
    clock = ManualClock(TEST_START)
    scheduler, reminders, _ = await running(db, clock)
    try:
        await reminders.schedule("far", "k", TEST_START + timedelta(days=30), {})
        await scheduler.settle()
        passes = scheduler.runs("reminders")
        await asyncio.sleep(0.5)
        assert scheduler.runs("reminders") == passes  # no polling loop
    finally:
        await scheduler.stop()


async def test_the_sweep_finds_a_reminder_written_behind_its_back(db: Database) -> None:
    clock = ManualClock(TEST_START)
    scheduler, _, recorder = await running(db, clock, sweep_every=timedelta(seconds=0.3))
    try:
        # e.g. written by another process (the CLI): no wake-up was announced.
        async with db.transaction() as tx:
            await tx.execute(
                "INSERT INTO reminders (key, kind, due_at, wake_at, payload, created_at) VALUES "
                "('cli', 'k', ?, ?, '{}', ?)", (utc_timestamp(TEST_START),) * 3)
        await asyncio.wait_for(recorder.arrived.wait(), 3)
        assert recorder.keys == ["cli"]
    finally:
        await scheduler.stop()


async def test_a_rolled_back_schedule_arms_nothing(db: Database) -> None:
    """The wake-up is announced only after the scheduling transaction commits."""
    clock = ManualClock(TEST_START)
    scheduler, reminders, recorder = await running(db, clock)
    try:
        await reminders.schedule("kept", "k", TEST_START + timedelta(hours=5), {})
        with pytest.raises(RuntimeError):
            async with db.transaction():
                await reminders.schedule("rolled-back", "k", TEST_START + timedelta(hours=1), {})
                raise RuntimeError
        assert scheduler.armed_at("reminders") == TEST_START + timedelta(hours=5)
        clock.advance(timedelta(hours=1))
        await scheduler.settle()
        assert recorder.keys == []
        assert scheduler.armed_at("reminders") == TEST_START + timedelta(hours=5)
    finally:
        await scheduler.stop()


async def test_start_up_arms_the_earliest_of_many_pending_rows_quickly(db: Database) -> None:
    clock = ManualClock(TEST_START)
    base = utc_timestamp(TEST_START)
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO reminders (key, kind, due_at, wake_at, payload, created_at) VALUES (?, 'k', ?, ?, '{}', ?)",
            [(f"r:{i}", base + 3600 + (i * 7919) % 86_400, base + 3600 + (i * 7919) % 86_400, base)
             for i in range(20_000)])
    started = time.monotonic()
    scheduler, _, _ = await running(db, clock)
    try:
        assert time.monotonic() - started < 1.0
        assert scheduler.armed_at("reminders") == TEST_START + timedelta(hours=1)
    finally:
        await scheduler.stop()


async def test_cron_slots_follow_the_clock_in_the_configured_zone() -> None:
    clock = ManualClock(TEST_START)  # Wednesday 09:00 in Istanbul
    scheduler = Scheduler(clock, "Europe/Istanbul")
    slots: list[datetime] = []

    async def digest(slot: datetime) -> None:
        slots.append(slot)

    scheduler.add_cron("weekly-digest", digest, day_of_week="mon", hour=9)
    await scheduler.start()
    try:
        await scheduler.settle()
        monday = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
        assert scheduler.armed_at("cron:weekly-digest") == monday
        clock.advance(timedelta(days=4, hours=23))
        await scheduler.settle()
        assert slots == []
        clock.advance(timedelta(days=15))  # three slots passed while "away": run once
        await scheduler.settle()
        assert [s.astimezone(UTC) for s in slots] == [monday]
        assert scheduler.armed_at("cron:weekly-digest") == monday + timedelta(days=21)
    finally:
        await scheduler.stop()
