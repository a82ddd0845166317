"""Surveys in the plan calendar: a milestone linked to a survey template sends it with one
tap at its first reminder, its later reminders skip members who have answered, and the Monday
digest shows open surveys (rates and "remind the rest" for coordinators; only "you have an
open survey" for members)."""

from __future__ import annotations

from tests.harness import Harness
from tests.meetings_support import group_with, texts
from tests.test_milestones import _advance_to, _istanbul, _new_milestone


async def test_a_linked_milestone_sends_its_survey_and_the_digest_follows_it(harness: Harness) -> None:
    zeynep, (ayse, fatma) = await group_with(harness, ("Ayşe", "tr"), ("Fatma", "tr"))
    await _new_milestone(harness, zeynep, "Toplantı geri bildirimi", "31.12.2026", link="toplanti_geri_bildirim")
    await _advance_to(harness, _istanbul(17, 12, minute=1))  # 14 days before: the first reminder
    first = await harness.next_containing(zeynep, "Hatırlatma", timeout=10)
    sent = await harness.press(zeynep, first, "📨 Anketi gönder")
    assert "anketi gönderildi" in sent.text and "31.12.2026" in sent.text

    invitation = await harness.next_containing(ayse, "Yeni anket", timeout=10)
    await harness.next_containing(fatma, "Yeni anket", timeout=10)
    await harness.press(ayse, invitation, "▶️ Başla")
    await harness.next_containing(ayse, "1. soru (en fazla 4)")
    await harness.send(ayse, "5")
    format_question = await harness.send(ayse, "evet")
    summary = await harness.press(ayse, format_question, "Karma")
    await harness.press(ayse, summary, "📤 Gönder")
    await harness.server.press_button(zeynep.user, first, "📨 Anketi gönder")  # a second tap sends nothing
    assert "zaten" in (await harness.next_containing(zeynep, "zaten")).text

    await _advance_to(harness, _istanbul(21, 12, minute=5))  # Monday 09:00: the digest
    digest = await harness.next_containing(zeynep, "Açık anketler", timeout=10)
    assert "1/3 yanıt" in digest.text and "🔔 Kalanlara hatırlat" in digest.button_texts
    short = await harness.next_containing(fatma, "Açık bir anketiniz var", timeout=10)
    assert "31.12.2026" in short.text and "Kooperatif" not in short.text
    await harness.settle()
    assert not any("Açık bir anketiniz var" in text for text in texts(harness, ayse))  # she answered

    await _advance_to(harness, _istanbul(24, 12, minute=1))  # 7 days before
    await harness.next_containing(fatma, "7 gün kaldı", timeout=10)
    await harness.settle()
    assert sum("Hatırlatma" in text for text in texts(harness, ayse)) == 1  # only the 14-day one


async def test_two_open_surveys_with_one_title_get_remind_buttons_that_name_their_deadline(harness: Harness) -> None:
    from datetime import UTC, datetime

    from bot.services.surveys.content import library

    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    form = library().templates["toplanti_geri_bildirim"]
    for day in (18, 23):  # the same template twice: the same title
        await harness.services.surveys.send(group_id=1, form=form, anonymous=False, created_by=None,
                                            deadline=datetime(2026, 12, day, 14, 0, tzinfo=UTC))
    for monday in (30, 7):  # the weekly digest steps week by week (each Monday 09:00)
        await _advance_to(harness, _istanbul(monday, 11 if monday == 30 else 12, minute=5))
        await harness.settle()
    await _advance_to(harness, _istanbul(14, 12, minute=5))
    digest = await harness.next_containing(zeynep, "Açık anketler", timeout=10)
    reminders = [label for label in digest.button_texts if label.startswith("🔔")]
    assert reminders == ["🔔 Hatırlat · 18.12", "🔔 Hatırlat · 23.12"], digest.button_texts
    assert all(len(label) <= 20 for label in reminders)  # a WhatsApp reply button's limit
