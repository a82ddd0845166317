"""A human clock (issue 17 §2, issue 18 §3): quiet hours per group, only the newest of several
sends about one thing after downtime, observances never overdue, one day count for every text
and window, and catch-up after a clock step of years without walking the gap."""

from __future__ import annotations

import asyncio
import os

import time as wall
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.daycount import days_until, window_end
from bot.errors import InvalidAnswer
from bot.services import quiet
from bot.services.milestones.dates import due_on
from bot.services.milestones.render import is_observance
from storage.milestones import Milestone
from tests.harness import Harness, Person
from tests.meetings_support import group_with, texts
from tests.trust_support import eventually, forge_press

IST = ZoneInfo("Europe/Istanbul")
BERLIN = ZoneInfo("Europe/Berlin")


def ist(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=IST).astimezone(UTC)


async def advance_to(harness: Harness, moment: datetime) -> None:
    await harness.advance(moment - harness.clock.now())
    await harness.services.scheduler.settle()
    await harness.settle()


def count(harness: Harness, person: Person, fragment: str) -> int:
    return sum(fragment in text for text in texts(harness, person))


# -- the rules, unit by unit --------------------------------------------------------------

@pytest.mark.parametrize(("local", "inside"), [
    (time(20, 59), False), (time(21, 0), True), (time(23, 30), True), (time(0, 0), True),
    (time(2, 30), True), (time(7, 59), True), (time(8, 0), False), (time(12, 0), False)])
def test_default_quiet_hours_cross_midnight(local: time, inside: bool) -> None:
    hours = quiet.from_setting(None, "Europe/Istanbul")
    moment = datetime.combine(date(2027, 3, 10), local, tzinfo=IST)
    assert hours.contains(moment) is inside
    if inside:
        morning = hours.end_after(moment).astimezone(IST)
        assert morning.time() == time(8, 0) and morning > moment
        assert (morning - moment) <= timedelta(hours=11)
    else:
        assert hours.end_after(moment) == moment


def test_quiet_hours_keep_wall_time_across_a_dst_change() -> None:
    hours = quiet.from_setting({"start": "22:00", "end": "07:00"}, "Europe/Berlin")
    night = datetime(2027, 3, 27, 23, 0, tzinfo=BERLIN)  # clocks go forward that night
    assert hours.end_after(night).astimezone(BERLIN) == datetime(2027, 3, 28, 7, 0, tzinfo=BERLIN)
    assert hours.end_after(night) - night.astimezone(UTC) == timedelta(hours=7)  # one hour less


def test_daytime_quiet_hours_and_off() -> None:
    hours = quiet.from_setting({"start": "12:00", "end": "14:00"}, "Europe/Istanbul")
    assert hours.contains(datetime(2027, 1, 5, 13, 0, tzinfo=IST))
    assert not hours.contains(datetime(2027, 1, 5, 23, 0, tzinfo=IST))
    assert quiet.from_setting({"off": True}, "Europe/Istanbul") is None
    assert quiet.from_setting({"start": "garbage"}, "Europe/Istanbul").label() == "21:00–08:00"


@pytest.mark.parametrize(("typed", "expected"), [
    ("22-7", ("22:00", "07:00")), ("22:00-07:30", ("22:00", "07:30")), ("21.30 – 08.00", ("21:30", "08:00")),
    ("23:00 06:00", ("23:00", "06:00")), ("0-6", ("00:00", "06:00"))])
def test_typed_ranges(typed: str, expected: tuple[str, str]) -> None:
    assert quiet.parse_range(typed) == {"start": expected[0], "end": expected[1]}


@pytest.mark.parametrize("typed", ["25-7", "22:70-07", "abc", "22", "8-8", "22-07-05", ""])
def test_unreadable_ranges_are_refused_with_what_was_typed(typed: str) -> None:
    with pytest.raises(InvalidAnswer) as raised:
        quiet.parse_range(typed)
    assert raised.value.key == "quiet.bad_range" and raised.value.params["typed"] == typed.strip()[:40]


@pytest.mark.parametrize("hour", [0, 9, 16, 17, 23])
def test_the_digest_window_holds_every_day_a_reminder_counts(hour: int) -> None:
    """A date-only milestone is due at 17:00: `days_until == 14` must be inside "the next 14
    days" at any hour of the day the reminder says "14 gün kaldı"."""
    now = datetime(2027, 5, 3, hour, 0, tzinfo=IST)
    for days in range(0, 16):
        due = due_on(now.date() + timedelta(days=days), IST)
        inside = due < window_end(now, 14, IST)
        assert days_until(due, now, IST) == days
        assert inside is (days <= 14)


def test_an_observance_is_recognised_with_its_year_suffix() -> None:
    def milestone(code: str | None) -> Milestone:
        return Milestone(id=1, group_id=1, title="x", due_at=datetime(2027, 3, 8, 14, tzinfo=UTC), has_time=False,
                         audience="group", offsets=[7], template_code=code)

    assert is_observance(milestone("womens-day@2027"))
    assert is_observance(milestone("violence-against-women-day@2026"))
    assert is_observance(milestone("womens-day"))
    assert not is_observance(milestone("activity-report@2027"))
    assert not is_observance(milestone(None))


# -- end to end ---------------------------------------------------------------------------

async def announce_at_night(harness: Harness, zeynep: Person, title: str, when: str) -> None:
    """The real /toplanti dialog (her own copy of the notice waits like everyone's)."""
    await harness.send(zeynep, "/toplanti")
    await harness.next(zeynep)
    await harness.send(zeynep, title)
    await harness.send(zeynep, when)
    agenda = await harness.send(zeynep, "Belediye")
    quorum = await harness.press(zeynep, agenda, "Atla ⏭")
    repeat = await harness.press(zeynep, quorum, "Atla ⏭")
    preview = await harness.press(zeynep, repeat, "Tekrar yok")
    sent = await harness.press(zeynep, preview, "📤 Gönder")
    assert "gönderiliyor" in sent.text, sent.text


async def test_after_a_night_down_a_reminder_waits_for_the_morning_and_only_the_newest_goes(
        harness: Harness) -> None:
    zeynep, (ayse, emma) = await group_with(harness, ("Ayşe", "tr"), ("Emma", "en"))
    due = due_on(date(2026, 12, 10), IST)  # Thursday; reminders Wed 2 and Thu 3 December, 09:00
    await harness.services.milestones.service.create(group_id=1, title="Faaliyet raporu", due_at=due,
                                                     has_time=False, offsets=[8, 7])
    await advance_to(harness, ist(2026, 12, 1, 20, 0))
    await harness.stop()  # down from Tuesday evening ...
    harness.clock.advance(ist(2026, 12, 3, 2, 30) - harness.clock.now())
    await harness.start()  # ... back at 02:30 on Thursday: the 8-day reminder is late, still in its grace
    await harness.services.scheduler.settle()
    await harness.settle()
    assert count(harness, ayse, "Faaliyet raporu") == 0  # not at 02:30, to every phone
    await advance_to(harness, ist(2026, 12, 3, 8, 1))
    assert count(harness, ayse, "Faaliyet raporu") == 0  # at 08:00 the 7-day one is an hour away
    await advance_to(harness, ist(2026, 12, 3, 9, 1))
    reminder = await harness.next_containing(ayse, "Faaliyet raporu", timeout=30)
    assert "7 gün kaldı" in reminder.text
    await harness.next_containing(emma, "7 days left", timeout=30)
    await harness.settle()
    for person in (zeynep, ayse, emma):
        assert count(harness, person, "Faaliyet raporu") == 1, texts(harness, person)


async def test_a_timed_send_due_at_night_waits_and_a_stale_one_is_dropped(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    # A meeting at 08:30: its 1-hour reminder (07:30) waits for 08:00 and says "30 dakika".
    await harness.services.meetings.create_and_announce(
        group_id=1, title="Erken toplantı", starts_at=ist(2026, 11, 28, 8, 30), place="Belediye", created_by=1)
    # A meeting at 06:00: its 1-hour reminder (05:00) would be stale by 08:00: dropped.
    await harness.services.meetings.create_and_announce(
        group_id=1, title="Şafak yürüyüşü", starts_at=ist(2026, 11, 29, 6, 0), place="Sahil", created_by=1)
    await harness.settle()
    await advance_to(harness, ist(2026, 11, 27, 8, 31))
    await advance_to(harness, ist(2026, 11, 28, 7, 31))
    early = [text for text in texts(harness, ayse) if "Erken toplantı" in text]
    assert len(early) == 2  # the notice and the 1-day reminder (27.11 08:30), nothing at 07:30
    await advance_to(harness, ist(2026, 11, 28, 8, 0) + timedelta(seconds=30))
    early = [text for text in texts(harness, ayse) if "Erken toplantı" in text]
    assert len(early) == 3 and "30 dakika" in early[-1], early
    await advance_to(harness, ist(2026, 11, 29, 8, 30))
    walk = [text for text in texts(harness, ayse) if "Şafak yürüyüşü" in text]
    assert len(walk) == 2, walk  # the notice and the 1-day reminder (28.11 06:00 → 08:00); no 05:00 one


async def test_replies_are_never_held_and_a_coordinators_notice_at_night_asks_now_or_morning(
        harness: Harness) -> None:
    zeynep, (ayse, emma) = await group_with(harness, ("Ayşe", "tr"), ("Emma", "en"))
    await advance_to(harness, ist(2026, 11, 25, 23, 10))
    answer = await harness.send(ayse, "/takvim")  # a reply to what she just did: at once
    assert "Kadın Dostu Kent" in answer.text
    await announce_at_night(harness, zeynep, "Gece duyurusu", "03.12.2026 14:00")
    question = await harness.next_containing(zeynep, "sessiz saatlerde")
    assert "26.11.2026 08:00" in question.text and "3 kişi" in question.text, question.text
    assert question.button_texts == ["📣 Şimdi gönder", "🌅 Sabah 08:00"]
    await harness.settle()
    assert count(harness, ayse, "Gece duyurusu") == 0 and count(harness, emma, "Gece duyurusu") == 0
    now = await harness.press(zeynep, question, "📣 Şimdi gönder")
    assert "şimdi gönderiliyor" in now.text
    await harness.next_containing(ayse, "Gece duyurusu", timeout=30)
    await harness.next_containing(emma, "Gece duyurusu", timeout=30)
    await harness.settle()
    await harness.server.press_button(zeynep.user, question, "📣 Şimdi gönder")  # a second tap: nothing twice
    await harness.next_containing(zeynep, "zaten gönderildi")

    # The second notice that night she leaves for the morning.
    await announce_at_night(harness, zeynep, "Sabah duyurusu", "10.12.2026 14:00")
    question = await harness.next_containing(zeynep, "sessiz saatlerde")
    kept = await harness.press(zeynep, question, "🌅 Sabah 08:00")
    assert "26.11.2026 08:00" in kept.text
    await advance_to(harness, ist(2026, 11, 26, 7, 59))
    assert count(harness, ayse, "Sabah duyurusu") == 0
    await advance_to(harness, ist(2026, 11, 26, 8, 0) + timedelta(seconds=5))
    await harness.next_containing(ayse, "Sabah duyurusu", timeout=30)
    await harness.settle()
    assert count(harness, ayse, "Sabah duyurusu") == 1


async def test_coordinators_set_quiet_hours_in_chat_in_both_languages(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    card = await harness.send(zeynep, "/sessiz")
    assert "sessiz saatler: 21:00–08:00 (Türkiye saati)" in card.text and "/sessiz 22:00-07:30" in card.text
    bad = await harness.send(zeynep, "/sessiz 25-7")
    assert "«25-7» okunamadı" in bad.text and "22:00-07:30" in bad.text
    saved = await harness.send(zeynep, "/sessiz 23:00-06:30")
    assert "Kaydedildi" in saved.text and "23:00–06:30" in saved.text
    await harness.server.press_button(zeynep.user, card, "22:00–07:00")

    async def card_edited() -> bool:
        shown = next(m for m in harness.server.messages(zeynep.chat_id) if m.message_id == card.message_id)
        return "sessiz saatler: 22:00–07:00" in (shown.text or "")

    await eventually(card_edited)
    off = await harness.send(zeynep, "/sessiz kapat")
    assert "kapalı" in off.text
    member = await harness.send(ayse, "/sessiz")
    assert "koordinatör" in member.text.lower()
    group = await harness.services.groups.get(1)
    assert group is not None and quiet.of_group(group) is None
    english = harness.person("Jane", "en")
    created = await harness.create_group("Equality Watch", "Kars", "en")
    await harness.join(english, created.coordinator_invite.code, language="en")
    await harness.next(english)
    card = await harness.send(english, "/quiet")
    assert "quiet hours: 21:00–08:00" in card.text and "sessiz" not in card.text.lower()
    bad = await harness.send(english, "/quiet tonight")
    assert "Could not read «tonight»" in bad.text and "/quiet 22:00-07:30" in bad.text


async def test_observance_days_remind_but_are_never_done_or_overdue(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    service = harness.services.milestones.service
    await service.load_template(1, 2027)
    milestones = await service.year(1, 2027)
    womens_day = next(m for m in milestones if (m.template_code or "").startswith("womens-day@"))
    await advance_to(harness, ist(2027, 3, 1, 9, 1))
    reminder = await harness.next_containing(zeynep, womens_day.title, timeout=30)
    assert "✅" not in " ".join(reminder.button_texts)  # no Done on a day to observe
    for day in (9, 10, 11, 15):
        await advance_to(harness, ist(2027, 3, day, 9, 5))
    escalations = [text for text in texts(harness, zeynep) if womens_day.title in text and "gecik" in text]
    assert escalations == []
    listing = await harness.send(zeynep, "/takvim")
    assert womens_day.title not in listing.text  # a past observance is not "overdue"


async def test_a_forged_done_on_an_observance_is_refused(harness: Harness) -> None:
    zeynep, _ = await group_with(harness, ("Ayşe", "tr"))
    service = harness.services.milestones.service
    await service.load_template(1, 2027)
    observance = next(m for m in await service.year(1, 2027)
                      if (m.template_code or "").startswith("violence-against-women-day@"))
    answer = await forge_press(harness, zeynep, f"ms:{observance.id}:done")
    assert "anma ve farkındalık günü" in answer.text
    stored = await service.get(observance.id)
    assert stored.is_open


async def test_a_twenty_year_clock_step_catches_up_once_per_kind_without_walking_the_gap(
        harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    meetings = harness.services.meetings
    await meetings.create_series(group_id=1, frequency="weekly", starts_at=ist(2026, 12, 2, 14, 0),
                                 title="Haftalık buluşma", place="Belediye", created_by=1)
    await harness.services.milestones.service.create(
        group_id=1, title="Geciken rapor", due_at=due_on(date(2026, 12, 4), IST), has_time=False, offsets=[1])
    await harness.settle()
    before = count(harness, ayse, "Haftalık buluşma")
    await harness.stop()
    harness.clock.advance(ist(2046, 12, 3, 10, 0) - harness.clock.now())  # twenty years on, a Monday 10:00
    started = wall.monotonic()
    await harness.start()
    await harness.services.scheduler.settle(timeout=20)
    await harness.settle()
    elapsed = wall.monotonic() - started
    assert elapsed < 8, f"catch-up took {elapsed:.1f}s"
    upcoming = await harness.services.meetings.upcoming([1], limit=100)
    assert 1 <= len(upcoming) <= 2 and all(m.starts_at > harness.clock.now() for m in upcoming)  # the series goes on
    new_notices = count(harness, ayse, "Haftalık buluşma") - before
    assert new_notices <= 2
    escalations = [text for text in texts(harness, zeynep) if "Geciken rapor" in text and "gecik" in text]
    assert len(escalations) == 1, escalations  # one escalation, not one per missed day


async def test_the_operator_sets_quiet_hours_from_the_command_line(harness: Harness) -> None:
    import subprocess
    import sys

    await harness.create_group("Kadın Dostu Kent", "Kars")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOORDINAT_")}  # (the PostgreSQL pass's map too)
    env["KOORDINAT_DATABASE"] = str(harness.database)
    async def run(*args: str) -> subprocess.CompletedProcess[str]:  # in a thread: the bot's loop keeps running
        return await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "bot", "group", "quiet", *args],
                                       capture_output=True, text=True, env=env, timeout=60)

    shown = await run("Kars")
    assert shown.returncode == 0 and "quiet hours 21:00–08:00 (Europe/Istanbul)" in shown.stdout, shown
    changed = await run("1", "22:30-07:00")
    assert changed.returncode == 0 and "22:30–07:00" in changed.stdout
    bad = await run("1", "late")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "22:00-07:30" in bad.stderr
    off = await run("1", "off")
    assert "quiet hours off" in off.stdout
    group = await harness.services.groups.get(1)
    assert group is not None and quiet.of_group(group) is None


async def test_every_manual_reminder_button_follows_one_rule(harness: Harness) -> None:
    """The survey's "🔔 Kalanlara hatırlat" as the meeting's: a second tap asks first, and
    taps repeated quickly never send the same nudge twice."""
    from bot.services.surveys.content import library

    zeynep, (ayse, emma) = await group_with(harness, ("Ayşe", "tr"), ("Emma", "en"))
    await harness.services.surveys.send(group_id=1, form=library().templates["toplanti_geri_bildirim"],
                                        deadline=ist(2026, 12, 12, 17, 0), anonymous=False, created_by=1,
                                        template="toplanti_geri_bildirim")
    await harness.next_containing(ayse, "Yeni anket", timeout=30)
    await harness.send(zeynep, "/anketler")
    card = await harness.next_containing(zeynep, "Yanıtlayan")
    reminded = await harness.press(zeynep, card, "🔔 Kalanlara hatırlat")
    assert "kişiye" in reminded.text
    await harness.next_containing(ayse, "yanıtlamadığınız bir anket", timeout=30)
    await harness.settle()
    await harness.server.press_button(zeynep.user, card, "🔔 Kalanlara hatırlat")
    ask = await harness.next_containing(zeynep, "son hatırlatma")
    assert ask.button_texts == ["📨 Yine de gönder", "Vazgeç"], ask.button_texts
    await harness.server.press_button(zeynep.user, ask, "📨 Yine de gönder")
    await harness.server.press_button(zeynep.user, ask, "📨 Yine de gönder")  # a double tap
    await harness.settle()
    await advance_to(harness, harness.clock.now() + timedelta(seconds=5))
    assert count(harness, ayse, "yanıtlamadığınız bir anket") == 2, texts(harness, ayse)
    assert count(harness, emma, "you have an open survey") == 2


async def test_the_digest_lists_the_milestone_whose_reminder_says_14_days_that_same_minute(
        harness: Harness) -> None:
    zeynep, _ = await group_with(harness, ("Ayşe", "tr"))
    await harness.services.milestones.service.create(
        group_id=1, title="Ara değerlendirme", due_at=due_on(date(2026, 12, 14), IST), has_time=False,
        offsets=[14])
    await advance_to(harness, ist(2026, 11, 30, 9, 0) + timedelta(seconds=30))  # Monday: digest and reminder
    reminder = await harness.next_containing(zeynep, "Hatırlatma:", timeout=30)
    digest = await harness.next_containing(zeynep, "Haftalık özet", timeout=30)
    assert "14 gün kaldı" in reminder.text and "Ara değerlendirme" in reminder.text
    line = next(line for line in digest.text.splitlines() if "Ara değerlendirme" in line)
    assert "14.12.2026" in line and "14 gün kaldı" in line, digest.text


async def test_a_digest_hour_inside_quiet_hours_is_named_and_the_digest_comes_in_the_morning(
        harness: Harness) -> None:
    zeynep, _ = await group_with(harness, ("Ayşe", "tr"))
    answer = await harness.send(zeynep, "/ozet grup pazartesi 22")
    assert "sessiz saatlerinde (21:00–08:00)" in answer.text and "08:00" in answer.text, answer.text
    await advance_to(harness, ist(2026, 11, 30, 22, 0) + timedelta(seconds=30))
    assert count(harness, zeynep, "📋 Haftalık özet") == 0
    await advance_to(harness, ist(2026, 12, 1, 8, 0) + timedelta(seconds=30))
    await harness.next_containing(zeynep, "📋 Haftalık özet", timeout=30)


async def test_an_action_due_at_night_happens_on_time_and_its_notice_waits_for_the_morning(
        harness: Harness) -> None:
    from bot.services.surveys.content import library

    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    survey = await harness.services.surveys.send(
        group_id=1, form=library().templates["toplanti_geri_bildirim"], deadline=ist(2026, 11, 27, 23, 59),
        anonymous=False, created_by=1, template="toplanti_geri_bildirim", nudge_hours=())
    await harness.next_containing(ayse, "Yeni anket", timeout=30)
    await advance_to(harness, ist(2026, 11, 27, 23, 59) + timedelta(seconds=30))
    async with harness.services.db.read() as conn:
        from storage import surveys as surveys_repo
        stored = await surveys_repo.get_survey(conn, survey.id)
    assert stored is not None and not stored.is_open  # closed at its deadline, at night
    assert count(harness, zeynep, "kapandı") == 0  # ... but nobody is told at midnight
    await advance_to(harness, ist(2026, 11, 28, 7, 59))
    assert count(harness, zeynep, "kapandı") == 0
    await advance_to(harness, ist(2026, 11, 28, 8, 0) + timedelta(seconds=5))
    closed = await harness.next_containing(zeynep, "kapandı", timeout=30)
    assert "Toplantı" in closed.text or "kapandı" in closed.text


async def test_due_together_about_one_thing_only_the_newest_goes_per_person(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Unit level: the rule by subject (kind, key without its last part, person)."""
    from bot.clock import ManualClock
    from bot.services.reminders import Reminder, ReminderService
    from storage.db import Database
    from tests.harness import TEST_START

    db = await Database.open(tmp_path / "k.db")
    try:
        reminders = ReminderService(db, ManualClock(TEST_START))
        seen: list[str] = []

        async def record(reminder: Reminder, now: datetime) -> None:
            seen.append(reminder.key)

        reminders.register_kind("k", record, grace=None)
        start = TEST_START - timedelta(days=2)
        await reminders.schedule("thing:1:remind:14d", "k", start, {})
        await reminders.schedule("thing:1:remind:7d", "k", start + timedelta(days=1), {})
        await reminders.schedule("thing:2:remind:7d", "k", start, {})  # another thing
        await reminders.schedule("thing:3:remind:a", "k", start, {"member_id": 1})  # one per person
        await reminders.schedule("thing:3:remind:b", "k", start, {"member_id": 2})
        await reminders.schedule("thing:4:remind:late", "k", start, {})  # late, and a newer one comes soon
        await reminders.schedule("thing:4:remind:soon", "k", TEST_START + timedelta(hours=2), {})
        await reminders.schedule("thing:5:remind:late", "k", start, {})  # late, the next one is far
        await reminders.schedule("thing:5:remind:later", "k", TEST_START + timedelta(days=3), {})
        report = await reminders.send_due(TEST_START)
        assert sorted(seen) == ["thing:1:remind:7d", "thing:2:remind:7d", "thing:3:remind:a", "thing:3:remind:b",
                                "thing:5:remind:late"]
        assert sorted(report.keys_dropped) == ["thing:1:remind:14d", "thing:4:remind:late"]
    finally:
        await db.close()
