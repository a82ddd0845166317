"""A survey's nudge times, per survey: typed in the /anket preview (`5 gün, 1 gün`, `yok`), and
changed after sending from the coordinator's card; times already past are named, never sent at
once; the nudges reach only members who have not finished, at the times set."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import InvalidAnswer
from bot.services.surveys.content import library
from bot.services.surveys.nudges import describe, dropped_notes, parse_nudge_times
from messages import t
from tests.harness import Harness, Person
from tests.meetings_support import group_with, texts

NUDGE = "yanıtlamadığınız bir anket"
NUDGE_EN = "you have an open survey. Due"


@pytest.mark.parametrize(("typed", "hours"), [
    ("5 gün, 1 gün", (120, 24)),
    ("2 gün 12 saat", (60,)),
    ("48 saat", (48,)),
    ("3 gün ve 1 gün", (72, 24)),
    ("1 gün önce", (24,)),
    ("2g 12s", (60,)),
    ("2G, 6 SA", (48, 6)),
    ("1 hafta; 3 gün", (168, 72)),
    ("5 gün 1 gün", (120, 24)),  # a unit that repeats starts the next time
    ("12 saat 1 gün", (24, 12)),  # ...and so does a larger one; largest first
    ("1,5 gün", (36,)),
    ("1 gün, 24 saat", (24,)),  # the same time twice is one nudge
    ("2 weeks", (336,)),
    ("3 days and 1 day", (72, 24)),
    ("36h, 2d", (48, 36)),
    ("1 day 6 hours before", (30,)),
    ("yok", ()),
    ("Hiç", ()),
    ("none", ()),
])
def test_nudge_times_are_read_in_turkish_and_english(typed: str, hours: tuple[int, ...]) -> None:
    assert parse_nudge_times(typed) == hours


@pytest.mark.parametrize(("typed", "key"), [
    ("3", "survey.nudges_no_unit"),
    ("3, 1", "survey.nudges_no_unit"),
    ("3 1 gün", "survey.nudges_no_unit"),
    ("30 dk", "survey.nudges_whole_hours"),
    ("1,3 gün", "survey.nudges_whole_hours"),
    ("0 saat", "survey.nudges_range"),
    ("100 gün", "survey.nudges_range"),
    ("1 g, 2 g, 3 g, 4 g, 5 g, 6 g", "survey.nudges_too_many"),
    ("bir gün önce", "survey.nudges_bad"),
    ("gün", "survey.nudges_bad"),
    ("", "survey.nudges_bad"),
])
def test_unreadable_nudge_times_say_what_is_expected_with_an_example(typed: str, key: str) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        parse_nudge_times(typed)
    assert caught.value.key == key
    for lang in ("tr", "en"):
        message = t(key, lang, **caught.value.params)
        assert "<code>" in message and (typed[:10] in message)


def test_nudge_times_are_said_back_and_past_ones_are_named() -> None:
    assert describe((72, 24), "tr") == "son tarihten 3 gün ve 1 gün önce"
    assert describe((60, 1), "en") == "2 days 12 hours and 1 hour before the deadline"
    assert describe((168,), "tr") == "son tarihten 1 hafta önce" and describe((), "en") == "none"
    deadline = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    assert dropped_notes((72, 24, 1), deadline, deadline - timedelta(hours=30), "tr") == [
        "⚠️ 3 gün önce: son tarihe 1 gün 6 saat var, gönderilmeyecek."]
    assert dropped_notes((1,), deadline, deadline - timedelta(minutes=40), "tr") == [
        "⚠️ 1 saat önce: son tarihe 40 dakika var, gönderilmeyecek."]
    assert dropped_notes((72, 24), deadline, deadline - timedelta(days=4), "en") == []


async def _answer_feedback(harness: Harness, person: Person) -> None:
    """She answers the 3-question meeting feedback survey from its invitation and submits."""
    invitation = await harness.next_containing(person, "Yeni anket", timeout=10)
    await harness.press(person, invitation, "▶️ Başla")
    await harness.next_containing(person, "1. soru (en fazla 4)")
    await harness.send(person, "2")
    await harness.send(person, "Daha kısa olsun")
    format_question = await harness.send(person, "EVET")
    summary = await harness.press(person, format_question, "Karma")
    thanks = await harness.press(person, summary, "📤 Gönder")
    assert "Teşekkürler" in thanks.text


async def _pending_nudges(harness: Harness) -> dict[str, datetime]:
    async with harness.services.db.read() as conn:
        rows = await conn.execute_fetchall(
            "SELECT key, due_at FROM reminders WHERE key LIKE 'survey:1:nudge:%' AND status = 'pending'")
    return {row[0]: datetime.fromtimestamp(float(row[1]), UTC) for row in rows}


def _nudges(harness: Harness, person: Person) -> int:
    return sum(NUDGE in text for text in texts(harness, person))


async def test_nudge_times_typed_in_the_preview_reach_only_those_not_finished(harness: Harness) -> None:
    zeynep, (ayse, fatma) = await group_with(harness, ("Ayşe", "tr"), ("Fatma", "tr"))
    await harness.send(zeynep, "/anket")
    source = await harness.next(zeynep)
    label = next(label for label in source.button_texts if label.startswith("Toplantı geri bildirimi"))
    await harness.press(zeynep, source, label)
    # 27.11.2026 17:00 Istanbul = 14:00 UTC: 2 days 8 hours after the test's start (25.11 06:00 UTC).
    anonymity = await harness.send(zeynep, "27.11.2026 17:00")
    preview = await harness.press(zeynep, anonymity, "👤 İsimli")
    assert "🔔 Hatırlatmalar: son tarihten 3 gün ve 1 gün önce" in preview.text
    assert "⚠️ 3 gün önce: son tarihe 2 gün 8 saat var, gönderilmeyecek." in preview.text
    assert "1 gün önce: son" not in preview.text

    ask = await harness.press(zeynep, preview, "🔔 Hatırlatmaları değiştir")
    assert "şu an: son tarihten 3 gün ve 1 gün önce" in ask.text and "5 gün, 1 gün" in ask.text
    no_unit = await harness.send(zeynep, "3, 1")
    assert "birimini de yazın" in no_unit.text and "<code>" not in no_unit.text  # shown as code, not markup
    await harness.restart()  # her phone loses signal; the dialog waits in the database
    preview = await harness.send(zeynep, "2 gün 12 saat, 36 saat ve 6 sa")
    assert "🔔 Hatırlatmalar: son tarihten 2 gün 12 saat, 1 gün 12 saat ve 6 saat önce" in preview.text
    assert "⚠️ 2 gün 12 saat önce: son tarihe 2 gün 8 saat var, gönderilmeyecek." in preview.text
    assert "27.11.2026 17:00" in preview.text and "Toplantı geri bildirimi" in preview.text  # nothing lost
    sent = await harness.press(zeynep, preview, "📤 Gönder")
    assert "3 kişiye" in sent.text

    deadline = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
    assert await _pending_nudges(harness) == {"survey:1:nudge:36h": deadline - timedelta(hours=36),
                                              "survey:1:nudge:6h": deadline - timedelta(hours=6)}
    await _answer_feedback(harness, ayse)
    await harness.next_containing(fatma, "Yeni anket", timeout=10)
    await harness.settle()
    assert _nudges(harness, fatma) == 0  # the 60-hour time was already past: not sent at once

    await harness.advance(deadline - timedelta(hours=36, minutes=1) - harness.clock.now())
    await harness.settle()
    assert _nudges(harness, fatma) == 0  # not a minute early
    await harness.advance(timedelta(minutes=2))
    await harness.settle()
    assert _nudges(harness, fatma) == 0  # 36 hours before is 05:00 there: quiet hours until 08:00
    await harness.advance(deadline - timedelta(hours=33, seconds=1) - harness.clock.now())
    await harness.settle()
    assert _nudges(harness, fatma) == 0
    await harness.advance(timedelta(seconds=2))
    nudge = await harness.next_containing(fatma, NUDGE, timeout=10)
    assert "27.11.2026 17:00" in nudge.text and "memnun" not in nudge.text  # no question on a shared phone
    await harness.advance(deadline - timedelta(hours=6) + timedelta(minutes=1) - harness.clock.now())
    await harness.settle()
    await harness.next_containing(fatma, NUDGE, timeout=10)
    await harness.settle()
    assert _nudges(harness, fatma) == 2 and _nudges(harness, ayse) == 0  # she had finished


async def test_a_coordinator_changes_the_nudge_times_from_her_survey_card(harness: Harness) -> None:
    zeynep, (ayse, fatma) = await group_with(harness, ("Ayşe", "tr"), ("Emma", "en"))
    deadline = datetime(2026, 12, 12, 14, 0, tzinfo=UTC)  # 12.12.2026 17:00 Istanbul
    await harness.services.surveys.send(group_id=1, form=library().templates["toplanti_geri_bildirim"],
                                        deadline=deadline, anonymous=False, created_by=1,
                                        template="toplanti_geri_bildirim")
    await _answer_feedback(harness, ayse)
    emma = fatma
    await harness.next_containing(emma, "New survey", timeout=10)

    await harness.send(zeynep, "/anketler")
    card = await harness.next_containing(zeynep, "Yanıtlayan")
    assert "🔔 Hatırlatmalar: son tarihten 3 gün ve 1 gün önce" in card.text
    ask = await harness.press(zeynep, card, "🔔 Hatırlatma zamanları")
    assert "12.12.2026 17:00" in ask.text and "şu an: son tarihten 3 gün ve 1 gün önce" in ask.text
    wrong = await harness.send(zeynep, "bir gün önce")
    assert "okunamadı" in wrong.text and "5 gün, 1 gün" in wrong.text
    saved = await harness.send(zeynep, "5 gün, 12 saat")
    assert "hatırlatmalar son tarihten 5 gün ve 12 saat önce" in saved.text and "⚠️" not in saved.text
    assert await _pending_nudges(harness) == {"survey:1:nudge:5d": deadline - timedelta(days=5),
                                              "survey:1:nudge:12h": deadline - timedelta(hours=12)}

    await harness.advance(deadline - timedelta(days=5, minutes=-1) - harness.clock.now())
    nudge = await harness.next_containing(emma, NUDGE_EN, timeout=10)
    assert "Kadın Dostu Kent" in nudge.text and "meeting" not in nudge.text.lower()
    await harness.advance(deadline - timedelta(days=3, minutes=-1) - harness.clock.now())
    await harness.settle()  # the old 3-day nudge is gone
    assert sum(NUDGE_EN in text for text in texts(harness, emma)) == 1

    # Eight hours before the deadline (the 12-hour nudge, due at 05:00 in the group's quiet
    # hours, went out at 08:00) she asks for 1 day and 1 hour: the day is past, named, and not
    # sent at once.
    await harness.advance(deadline - timedelta(hours=12, minutes=1) - harness.clock.now())
    await harness.settle()
    assert sum(NUDGE_EN in text for text in texts(harness, emma)) == 1  # 05:00: quiet hours
    await harness.advance(deadline - timedelta(hours=8) - harness.clock.now())
    await harness.next_containing(emma, NUDGE_EN, timeout=10)
    await harness.server.press_button(zeynep.user, card, "🔔 Hatırlatma zamanları")
    await harness.next_containing(zeynep, "şu an: son tarihten 5 gün ve 12 saat önce")  # (her own nudges came first)
    saved = await harness.send(zeynep, "1 gün, 1 saat")
    assert "⚠️ 1 gün önce: son tarihe 7 saat 59 dakika var, gönderilmeyecek." in saved.text  # the clock moved a few seconds
    assert await _pending_nudges(harness) == {"survey:1:nudge:1h": deadline - timedelta(hours=1)}
    await harness.settle()
    assert sum(NUDGE_EN in text for text in texts(harness, emma)) == 2  # nothing sent at once
    await harness.advance(timedelta(hours=7, minutes=1))
    await harness.next_containing(emma, NUDGE_EN, timeout=10)
    await harness.settle()
    assert sum(NUDGE_EN in text for text in texts(harness, emma)) == 3 and _nudges(harness, ayse) == 0

    await harness.server.press_button(zeynep.user, card, "🔔 Hatırlatma zamanları")
    await harness.next_containing(zeynep, "şu an: son tarihten 1 gün ve 1 saat önce")  # kept for an extension
    none = await harness.send(zeynep, "yok")
    assert "hatırlatma gönderilmeyecek" in none.text and "yanıtlamayanlara" not in none.text
    assert await _pending_nudges(harness) == {}
