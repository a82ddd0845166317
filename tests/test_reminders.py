"""Reminders: they fire at their time on the (moved) clock, move when edited, never fire when
cancelled, and after a restart are sent late only within their kind's grace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.emulator.telegram.server import FakeBotApi
from bot.services.broadcasts import notice_payload
from bot.services.reminders import Reminder, ReminderService
from storage.db import Database
from tests.harness import TEST_START, Harness
from tests.test_broadcasts import announcement, seed_group


async def quiet(harness: Harness) -> None:
    """Let every due wake-up run and every due message go out."""
    await harness.services.scheduler.settle()
    await harness.settle()


async def test_a_reminder_fires_at_its_time(harness: Harness, telegram: FakeBotApi) -> None:
    services = harness.services
    group = await seed_group(services.db, telegram, 3)
    due = harness.clock.now() + timedelta(hours=2)
    await services.reminders.schedule("meeting:7:remind:2h", "notice", due, announcement("Toplantı 2 saat sonra", group.id))
    assert services.scheduler.armed_at("reminders") == due  # one timer, for the earliest row

    harness.clock.advance(timedelta(hours=1, minutes=59))
    await quiet(harness)
    assert all(telegram.messages(user) == [] for user in group.users)

    harness.clock.advance(timedelta(minutes=1))
    for user in group.users:
        message = await telegram.wait_for_message(user)
        assert "Toplantı 2 saat sonra" in message.text
    reminder = await services.reminders.get("meeting:7:remind:2h")
    assert reminder is not None and reminder.status == "done"


async def test_an_edited_due_time_moves_the_reminder(harness: Harness, telegram: FakeBotApi) -> None:
    services = harness.services
    group = await seed_group(services.db, telegram, 1)
    user = group.users[0]
    start = harness.clock.now()
    await services.reminders.schedule("meeting:8:remind", "notice", start + timedelta(hours=2), announcement("ertelendi", group.id))
    await services.reminders.schedule("meeting:8:remind", "notice", start + timedelta(hours=4), announcement("ertelendi", group.id))

    harness.clock.advance(timedelta(hours=3))
    await quiet(harness)
    assert telegram.messages(user) == []
    harness.clock.advance(timedelta(hours=1))
    assert "ertelendi" in (await telegram.wait_for_message(user)).text

    # Moving one earlier re-arms the wake-up for the earlier time.
    later = harness.clock.now() + timedelta(hours=5)
    await services.reminders.schedule("meeting:9:remind", "notice", later, announcement("öne alındı", group.id))
    assert services.scheduler.armed_at("reminders") == later
    sooner = harness.clock.now() + timedelta(minutes=30)
    await services.reminders.schedule("meeting:9:remind", "notice", sooner, announcement("öne alındı", group.id))
    assert services.scheduler.armed_at("reminders") == sooner
    harness.clock.advance(timedelta(minutes=30))
    assert "öne alındı" in (await telegram.wait_for_message(user)).text


async def test_a_cancelled_reminder_never_fires(harness: Harness, telegram: FakeBotApi) -> None:
    services = harness.services
    group = await seed_group(services.db, telegram, 1)
    now = harness.clock.now()
    for offset in ("24h", "1h"):
        await services.reminders.schedule(f"meeting:10:remind:{offset}", "notice", now + timedelta(hours=1),
                                          announcement("iptal edilen toplantı", group.id))
    await services.reminders.schedule("meeting:11:remind:1h", "notice", now + timedelta(hours=2),
                                      announcement("kalan toplantı", group.id))
    assert await services.reminders.cancel("meeting:10:remind:24h")
    assert await services.reminders.cancel_prefix("meeting:10:") == 1
    assert not await services.reminders.cancel("meeting:10:remind:24h")  # already cancelled

    harness.clock.advance(timedelta(hours=3))
    message = await telegram.wait_for_message(group.users[0])
    assert "kalan toplantı" in message.text
    await quiet(harness)
    assert [m.text for m in telegram.messages(group.users[0])] == [message.text]
    assert [r.key for r in await services.reminders.pending("meeting:")] == []


async def test_a_sent_reminder_is_not_sent_again_unless_reset(harness: Harness, telegram: FakeBotApi) -> None:
    services = harness.services
    group = await seed_group(services.db, telegram, 1)
    key = "meeting:12:remind:1h"
    due = harness.clock.now() + timedelta(minutes=5)
    await services.reminders.schedule(key, "notice", due, announcement("bir kez", group.id))
    harness.clock.advance(timedelta(minutes=5))
    await telegram.wait_for_message(group.users[0])

    # Saving the meeting again re-schedules its reminders: the one already sent stays sent.
    assert not await services.reminders.schedule(key, "notice", due, announcement("bir kez", group.id))
    harness.clock.advance(timedelta(minutes=5))
    await quiet(harness)
    assert len(telegram.messages(group.users[0])) == 1

    # A new date for the meeting: reset, and it is sent again (as a new broadcast).
    assert await services.reminders.schedule(key, "notice", harness.clock.now() + timedelta(minutes=1),
                                             announcement("yeni tarih", group.id), reset=True)
    harness.clock.advance(timedelta(minutes=1))
    assert "yeni tarih" in (await telegram.wait_for_message(group.users[0])).text
    await quiet(harness)
    assert len(telegram.messages(group.users[0])) == 2


async def test_late_reminders_follow_their_kinds_grace_after_a_restart(harness: Harness,
                                                                       telegram: FakeBotApi) -> None:
    services = harness.services
    group = await seed_group(services.db, telegram, 2)
    now = harness.clock.now()
    starts = now + timedelta(hours=2)
    # "Meeting in 1 hour": pointless once the meeting has started.
    await services.reminders.schedule("meeting:20:remind:1h", "notice", starts - timedelta(hours=1),
                                      announcement("1 saat sonra toplantı", group.id, send_until=starts))
    # "The survey closes tomorrow": still useful a few hours late (default grace 6 h).
    await services.reminders.schedule("survey:3:nudge", "notice", now + timedelta(hours=1),
                                      announcement("anket yarın kapanıyor", group.id))
    # Due long after the restart: untouched.
    await services.reminders.schedule("meeting:21:remind:24h", "notice", now + timedelta(days=2),
                                      announcement("yarın toplantı", group.id))

    await harness.stop()
    harness.clock.advance(timedelta(hours=3))  # the bot was down when both fell due
    await harness.start()
    services = harness.services

    message = await telegram.wait_for_message(group.users[0])
    assert "anket yarın kapanıyor" in message.text
    await quiet(harness)
    assert len(telegram.messages(group.users[0])) == 1
    late = await services.reminders.get("meeting:20:remind:1h")
    assert late is not None and late.status == "dropped"
    # Armed for what is still pending: the next row (a nightly housekeeping slot may come first).
    next_due = await services.reminders.next_due()
    assert next_due is not None and next_due <= now + timedelta(days=2)
    assert services.scheduler.armed_at("reminders") == next_due

    # Another restart sends nothing twice.
    await harness.restart()
    await quiet(harness)
    assert len(telegram.messages(group.users[0])) == 1


async def test_scheduling_joins_the_callers_transaction(harness: Harness, telegram: FakeBotApi) -> None:
    services = harness.services
    group = await seed_group(services.db, telegram, 1)
    due = harness.clock.now() + timedelta(minutes=10)
    with pytest.raises(RuntimeError):
        async with services.db.transaction():
            await services.reminders.schedule("meeting:30:remind", "notice", due, announcement("geri alındı", group.id))
            raise RuntimeError("saving the meeting failed")
    assert await services.reminders.get("meeting:30:remind") is None

    async with services.db.transaction():
        await services.reminders.schedule("meeting:31:remind", "notice", due, announcement("kaydedildi", group.id))
        await services.reminders.cancel_prefix("meeting:30:")
    harness.clock.advance(timedelta(minutes=10))
    assert "kaydedildi" in (await telegram.wait_for_message(group.users[0])).text


# --- the service on its own: send_due with an explicit time ---------------------------------

@pytest.fixture
async def db(tmp_path: Path) -> Database:
    database = await Database.open(tmp_path / "reminders.db")
    yield database  # type: ignore[misc]
    await database.close()


async def test_grace_as_a_time_span_or_a_rule(db: Database) -> None:
    clock = ManualClock(TEST_START)
    reminders = ReminderService(db, clock)
    seen: list[str] = []

    async def record(reminder: Reminder, now: datetime) -> None:
        seen.append(reminder.key)

    reminders.register_kind("nudge", record, grace=timedelta(minutes=30))
    reminders.register_kind("before-start", record,
                            grace=lambda r: datetime.fromisoformat(r.payload["starts_at"]))
    reminders.register_kind("whenever", record, grace=None)
    start = TEST_START
    await reminders.schedule("a", "nudge", start, {})
    await reminders.schedule("b", "nudge", start + timedelta(minutes=45), {})
    await reminders.schedule("c", "before-start", start, {"starts_at": (start + timedelta(minutes=50)).isoformat()})
    await reminders.schedule("d", "before-start", start, {"starts_at": (start + timedelta(hours=3)).isoformat()})
    await reminders.schedule("e", "whenever", start, {})

    report = await reminders.send_due(start + timedelta(hours=1))
    assert sorted(seen) == ["b", "d", "e"]
    assert report.sent == 3 and sorted(report.keys_dropped) == ["a", "c"]
    assert {key: (await reminders.get(key)).status for key in "abcde"} == {  # type: ignore[union-attr]
        "a": "dropped", "b": "done", "c": "dropped", "d": "done", "e": "done"}


async def test_a_failing_handler_holds_back_no_other_reminder(db: Database) -> None:
    clock = ManualClock(TEST_START)
    reminders = ReminderService(db, clock, max_attempts=2)

    async def send(reminder: Reminder, now: datetime) -> None:
        async with db.transaction() as tx:  # joins the reminder's transaction
            await tx.execute("INSERT INTO audit_log (at, action, detail) VALUES (?, 'sent', ?)",
                             (now.isoformat(), reminder.key))
        if reminder.payload.get("broken"):
            raise ValueError("template missing")

    reminders.register_kind("k", send)
    for key in ("one", "two", "three"):
        await reminders.schedule(key, "k", TEST_START, {"broken": key == "two"})
    report = await reminders.send_due(TEST_START)
    assert report.sent == 2 and report.failed == 1
    # Only the database counts (a handler may run twice before its batch commits): the broken
    # one's writes were rolled back; it is retried later, then dropped.
    logged = await db.fetchall("SELECT detail FROM audit_log ORDER BY id")
    assert sorted(r["detail"] for r in logged) == ["one", "three"]
    retry = await reminders.next_due()
    assert retry is not None and retry > TEST_START
    await reminders.send_due(retry)
    two = await reminders.get("two")
    assert two is not None and two.status == "dropped" and two.attempts == 1


async def test_a_recurring_slot_runs_once_per_slot_in_the_configured_zone(db: Database) -> None:
    clock = ManualClock(TEST_START)  # Wednesday 09:00 in Istanbul
    reminders = ReminderService(db, clock, timezone="Europe/Istanbul")
    runs: list[datetime] = []
    reminders.weekly_digest.add(lambda slot: _append(runs, slot))
    reminders.add_recurring("weekly-digest", reminders.weekly_digest.run, day_of_week="mon", hour=9)
    await reminders.start()
    await reminders.start()  # idempotent
    monday = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)  # 09:00 in Istanbul
    assert [r.due_at for r in await reminders.pending("recurring:")] == [monday]

    await reminders.send_due(monday + timedelta(minutes=1))
    await reminders.send_due(monday + timedelta(minutes=2))
    assert runs == [monday]
    assert [r.due_at for r in await reminders.pending("recurring:")] == [monday + timedelta(days=7)]


async def _append(runs: list[datetime], slot: datetime) -> None:
    runs.append(slot)


async def test_unregistered_kinds_wait_and_are_finally_dropped(db: Database) -> None:
    clock = ManualClock(TEST_START)
    reminders = ReminderService(db, clock, max_attempts=2)
    await reminders.schedule("x", "removed-feature", TEST_START, {})
    first = await reminders.send_due(TEST_START)
    assert first.failed == 1
    retry = await reminders.next_due()
    assert retry is not None
    await reminders.send_due(retry)
    gone = await reminders.get("x")
    assert gone is not None and gone.status == "dropped"
    assert await reminders.next_due() is None


async def test_due_times_must_carry_a_zone(db: Database) -> None:
    reminders = ReminderService(db, ManualClock(TEST_START))
    with pytest.raises(ValueError):
        await reminders.schedule("naive", "k", datetime(2026, 12, 1, 9, 0), {})
    with pytest.raises(ValueError):
        notice_payload("notice.announcement")
