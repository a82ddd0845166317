"""Reminders that tell the truth (issue 10, items 4–6): none whose moment has passed, texts from
the real time left ("yarın 10:00'da", "45 dakika sonra"), RSVP buttons for those who have not
answered, and a typed "evet" right after a reminder answering that meeting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.models import Group
from bot.services.meetings.render import soon, turkish_locative
from tests.harness import Harness
from tests.meetings_support import MEETING_START, announce, group_with, notice, texts

KARS = Group(id=1, name="Kadın Dostu Kent", city="Kars", timezone="Europe/Istanbul", language="tr")
NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # Wednesday 09:00 in Istanbul


@pytest.mark.parametrize(("hour", "minute", "suffix"), [
    (14, 0, "'te"), (10, 0, "'da"), (20, 0, "'de"), (9, 40, "'ta"), (9, 30, "'da"), (13, 0, "'te"),
    (12, 0, "'de"), (16, 0, "'da"), (9, 45, "'te"), (0, 0, "'da"), (18, 0, "'de"), (11, 15, "'te"),
])
def test_the_turkish_suffix_follows_the_time_read_aloud(hour: int, minute: int, suffix: str) -> None:
    assert turkish_locative(hour, minute) == suffix


@pytest.mark.parametrize(("starts", "tr", "en"), [
    (NOW + timedelta(minutes=44), "45 dakika sonra", "in 45 minutes"),
    (NOW + timedelta(minutes=59), "1 saat sonra", "in an hour"),
    (datetime(2026, 11, 25, 11, 0, tzinfo=UTC), "bugün 14:00'te", "today at 14:00"),
    (datetime(2026, 11, 26, 7, 0, tzinfo=UTC), "yarın 10:00'da", "tomorrow at 10:00"),
    (datetime(2026, 11, 27, 11, 0, tzinfo=UTC), "Cuma 14:00'te", "on Friday at 14:00"),
    (datetime(2026, 12, 10, 17, 0, tzinfo=UTC), "10.12.2026 20:00'de", "on 10.12.2026 at 20:00"),
])
def test_how_far_off_is_said_from_the_real_time_left(starts: datetime, tr: str, en: str) -> None:
    assert soon(starts, NOW, KARS, "tr") == tr
    assert soon(starts, NOW, KARS, "en") == en


async def test_a_meeting_51_minutes_ahead_gets_no_reminder_burst(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await announce(harness, zeynep, title="Ani toplantı", when="25.11.2026 09:51", agenda=None)
    await notice(harness, ayse)
    pending = {r.key for r in await harness.services.reminders.pending("meeting:1:")}
    assert pending == {"meeting:1:summary"}  # neither "1 day" nor "1 hour" before: both passed
    await harness.settle()
    assert not any("Hatırlatma" in text for text in texts(harness, ayse))
    assert not any("için yanıtlar" in text for text in texts(harness, zeynep))  # no instant summary


async def test_reminders_ask_those_who_have_not_answered_and_evet_answers_that_meeting(harness: Harness) -> None:
    zeynep, (ayse, fatma) = await group_with(harness, ("Ayşe", "tr"), ("Fatma", "tr"))
    await announce(harness, zeynep)
    await announce(harness, zeynep, title="Ocak toplantısı", when="14.01.2027 10:00", agenda=None)
    first = await notice(harness, ayse, "Aralık")
    await notice(harness, ayse, "Ocak")
    await harness.server.press_button(ayse.user, first, "✅ Katılıyorum")
    await harness.server.wait_for_edit(first, lambda m: "Yanıtınız" in (m.text or ""))
    await notice(harness, fatma, "Aralık")
    await notice(harness, fatma, "Ocak")

    await harness.advance(MEETING_START - timedelta(hours=24) - harness.clock.now())
    answered = await harness.next_containing(ayse, "Hatırlatma", timeout=10)
    assert "yarın 14:00'te" in answered.text and answered.button_texts == []
    asked = await harness.next_containing(fatma, "Hatırlatma", timeout=10)
    assert "Katılacak mısınız?" in asked.text
    assert asked.button_texts[:3] == ["✅ Katılıyorum", "❌ Katılamıyorum", "🤔 Belki"]
    # Two meetings are open for Fatma, but she types right after the December reminder.
    typed = await harness.send(fatma, "gelemiyorum")
    assert "Aralık çalışma toplantısı" in typed.text and "Katılamıyorum" in typed.text
