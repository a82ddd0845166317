"""Lessons in chat (issue 23), end to end over the fake Telegram Bot API: a member takes a
lesson over two sittings with a restart in between, fails and retakes its quiz, gets the
gender-budgeting lesson offered when a budget round opens and declines it; the coordinator's
counts follow; offers keep the weekly cap, the "no thanks" and the quiet hours."""

from __future__ import annotations

import io
from datetime import timedelta

from docx import Document

from bot.services.lessons import Lessons
from tests.harness import Harness, Person
from tests.meetings_support import group_with
from tests.test_coplanning import open_round
from tests.trust_support import forge_press


def lessons_of(harness: Harness) -> Lessons:
    found = harness.services.extras["lessons"]
    assert isinstance(found, Lessons)
    return found


async def stats_text(harness: Harness, zeynep: Person) -> str:
    listing = await harness.send(zeynep, "/dersler")
    stats = await harness.press(zeynep, listing, "ls:stats")
    assert stats.text
    return stats.text


def line_of(text: str, title: str) -> str:
    lines = text.splitlines()
    index = next(i for i, line in enumerate(lines) if title in line)
    return lines[index] + "\n" + lines[index + 1]


async def test_a_lesson_over_two_sittings_a_failed_quiz_and_a_retake(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    listing = await harness.send(ayse, "/dersler")
    assert "🆕 6. İzleme ve değerlendirme" in listing.text, listing.text
    assert "ls:stats" not in listing.callback_datas  # members do not see who has what

    first = await harness.press(ayse, listing, "ls:open:monitoring")
    assert "(1/4)" in first.text and "gerçekleşme oranı" in first.text
    assert first.button_texts == ["Devam ▶️", "📄 Belge olarak al"]
    second = await harness.press(ayse, first, "Devam ▶️")
    assert "(2/4)" in second.text
    # The same "Devam" pressed twice does not skip a part: she is shown where she is.
    again = await harness.press(ayse, first, "Devam ▶️")
    assert "(2/4)" in again.text

    await harness.restart()  # days later, after a restart: her place is kept
    await harness.advance(timedelta(days=2))
    listing = await harness.send(ayse, "/dersler")
    assert "▶️ 6. İzleme ve değerlendirme" in listing.text
    resumed = await harness.press(ayse, listing, "ls:open:monitoring")
    assert "Kaldığınız yerden" in resumed.text and "(2/4)" in resumed.text
    third = await harness.send(ayse, "devam")  # typed instead of tapped
    assert "(3/4)" in third.text and "Uygulama" in third.text  # practice is marked as practice
    fourth = await harness.press(ayse, third, "Devam ▶️")
    assert "(4/4)" in fourth.text and "Teste geç ▶️" in fourth.button_texts
    q1 = await harness.press(ayse, fourth, "Teste geç ▶️")
    assert "Soru 1/3" in q1.text and "ör. " in q1.text

    # A wrong form is refused with the question again; nothing is lost.
    refused = await harness.send(ayse, "yetmiş beş")
    assert "sayı" in refused.text and "Soru 1/3" in refused.text
    q2 = await harness.send(ayse, "10")
    assert "❌ Doğru cevap: %75" in q2.text and "Soru 2/3" in q2.text
    q3 = await harness.send(ayse, "40")
    assert "❌" in q3.text and "Soru 3/3" in q3.text
    result = await harness.press(ayse, q3, "Neden ve tedbir")
    assert "✅ Doğru." in result.text and "3 sorudan 1 doğru" in result.text and "en az 2" in result.text
    assert "Kaynaklar" in result.text and "SBB" in result.text

    text = await stats_text(harness, zeynep)
    line = line_of(text, "İzleme")
    # One taker: her score would be the "average", so none is shown; the coordinator is not counted.
    assert "0/1 üye tamamladı" in line and "1 devam ediyor" in line and "3 üyeden az" in line, line
    assert "%" not in line and "koordinatörler sayılmaz" in text
    assert "Ayşe" not in text  # not finished: not named; quiz answers never shown

    q1 = await harness.press(ayse, result, "🔁 Testi tekrar çöz")
    assert "Soru 1/3" in q1.text
    q2 = await harness.send(ayse, "%75")
    assert "✅ Doğru." in q2.text
    q3 = await harness.send(ayse, "50")
    done = await harness.send(ayse, "neden ve tedbir")  # a choice's words typed
    assert "3 sorudan 3 doğru" in done.text and "tamamladınız ✅" in done.text
    listing = await harness.send(ayse, "/dersler")
    assert "✅ 6. İzleme ve değerlendirme" in listing.text

    text = await stats_text(harness, zeynep)
    line = line_of(text, "İzleme")
    assert "1/1 üye tamamladı" in line and "0 devam ediyor" in line and "Ayşe" in line, line
    assert "%" not in line and "3 üyeden az" in line, line
    stats = await harness.press(zeynep, await harness.send(zeynep, "/dersler"), "ls:stats")
    await harness.server.press_button(zeynep.user, stats, "📥 Excel")
    sheet = await harness.server.wait_for_message(zeynep.user, lambda m: m.kind == "document")
    assert sheet.document_name == "dersler-1.xlsx"

    # The whole lesson as a document, to read offline.
    card = await harness.press(ayse, listing, "ls:open:monitoring")
    assert "✅ Tamamlandı" in card.text
    await harness.server.press_button(ayse.user, card, "📄 Belge olarak al")
    document = await harness.server.wait_for_message(ayse.user, lambda m: m.kind == "document")
    assert document.document is not None and document.document_name == "ders-monitoring.docx"
    paragraphs = [p.text for p in Document(io.BytesIO(document.document.data)).paragraphs]
    assert paragraphs[0].startswith("İzleme ve değerlendirme") and any("Kaynaklar" == p for p in paragraphs)


async def test_budget_round_offer_declined_and_the_offer_rules(harness: Harness) -> None:
    zeynep, (ayse, emma) = await group_with(harness, ("Ayşe", "tr"), ("Emma", "en"))
    await open_round(harness, zeynep)
    offer = await harness.next_containing(ayse, "Bütçe önerileri turu açıldı")
    assert "Toplumsal cinsiyete duyarlı bütçeleme" in offer.text
    assert offer.button_texts == ["▶️ Derse başla", "⏰ Sonra", "Hayır, teşekkürler"]
    english = await harness.next_containing(emma, "A budget proposal round has opened")
    assert "Gender-responsive budgeting" in english.text and "Bütçe" not in english.text
    declined = await harness.press(ayse, offer, "Hayır, teşekkürler")
    assert "bir daha önermeyeceğim" in declined.text

    # Her first /oneri: no second offer in the same week.
    await harness.server.send_text(ayse.user, "/oneri")
    asked = await harness.next_containing(ayse, "kısa başlığı")
    assert "Öneri yazmak" not in asked.text
    await harness.send(ayse, "iptal")

    lessons = lessons_of(harness)
    group_id = next(iter((await harness.services.groups.all())))[0].id
    await harness.advance(timedelta(days=8))
    # A week later another budget round: Emma (who did not decline) is offered it again, Ayşe not.
    assert await lessons.service.offer_to_group(group_id, "gender-budgeting", "budget-round") == 2  # Emma, Zeynep
    await harness.next_containing(emma, "A budget proposal round has opened")

    # Quiet hours (21:00–08:00 in the group's zone): the offer waits for the morning.
    await harness.advance(timedelta(hours=13))  # 22:00 in Istanbul
    assert await lessons.service.offer_to_group(group_id, "proposal-writing", "milestone") == 0
    await harness.settle()
    assert not [m for m in harness.server.messages(ayse.user) if "Öneri yazmak" in (m.text or "")
                or "Meclisin işleyebileceği" in (m.text or "")]
    await harness.advance(timedelta(hours=10))  # 08:00
    morning = await harness.next_containing(ayse, "Meclisin işleyebileceği bir öneri yazmak")
    assert "Plan takviminizdeki" in morning.text


async def test_a_coordinator_sends_a_lesson_and_a_forged_button_is_stale(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    stats = await harness.press(zeynep, await harness.send(zeynep, "/dersler"), "ls:stats")
    picker = await harness.press(zeynep, stats, "📤 Gruba gönder")
    confirm = await harness.press(zeynep, picker, next(c for c in picker.callback_datas if c.endswith(":city-council")))
    assert "Kent konseyi" in confirm.text
    sent = await harness.press(zeynep, confirm, "✅ Gönder")
    assert "gönderiliyor" in sent.text
    invitation = await harness.next_containing(ayse, "bir ders gönderdi")
    part = await harness.press(ayse, invitation, "▶️ Derse başla")
    assert "(1/4)" in part.text
    # A member cannot send, and forged ids get the polite stale answer.
    forged = await forge_press(harness, ayse, "ls:sendok:1:city-council")
    assert "/dersler" in forged.text and "gönderiliyor" not in forged.text, forged.text
    for choice in ("ls:open:no-such-lesson", "ls:ans:city-council:x:1", "ls:next", "ls:stats"):
        stale = await forge_press(harness, ayse, choice)
        assert "gönderiliyor" not in stale.text and "tamamladı" not in stale.text, stale.text
    # Her place is untouched: the lesson goes on at part 2.
    assert "(2/4)" in (await harness.press(ayse, part, "Devam ▶️")).text


async def test_the_monitoring_lesson_comes_just_before_a_monitoring_survey(harness: Harness) -> None:
    from tests.test_surveys_answering import _send_izleme

    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await _send_izleme(harness, zeynep)
    offer = await harness.next_containing(ayse, "İzleme anketleri göstergeleri")
    assert "İzleme ve değerlendirme" in offer.text
    invitation = await harness.next_containing(ayse, "Yeni anket")
    assert offer.message_id < invitation.message_id  # the lesson first, then the survey
    # Starting the lesson from the offer, then the survey: both work, nothing is lost.
    part = await harness.press(ayse, offer, "▶️ Derse başla")
    assert "(1/4)" in part.text
    started = await harness.press(ayse, invitation, "sv:1:start")
    assert "6 soru" in started.text, started.text


async def test_a_milestone_linked_to_lessons_offers_the_first_she_may_get(harness: Harness) -> None:
    from storage.milestones import Milestone

    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    lessons = lessons_of(harness)
    group = (await harness.services.groups.all())[0][0]
    # Ayşe already completed gender budgeting: the milestone's next lesson is offered instead.
    async with harness.services.db.transaction() as tx:
        from storage import lessons as repo
        from storage.lessons import Progress
        member_id = next(m.id for m in (await lessons.service.stats(group.id))[2] if m.display_name == "Ayşe")
        await repo.save(tx, Progress(member_id, "gender-budgeting", step=7, correct=3, attempts=1, last_score=100,
                                     best_score=100, passed_at=harness.clock.now()), harness.clock.now())
    milestone = Milestone.model_construct(template_code="gender-budget-proposals@2027", group_id=group.id)
    await lessons.on_milestone_reminder(milestone, group)
    offer = await harness.next_containing(ayse, "Plan takviminizdeki")
    assert "Meclisin işleyebileceği bir öneri yazmak" in offer.text
    zeynep_offer = await harness.next_containing(zeynep, "Plan takviminizdeki")
    assert "Toplumsal cinsiyete duyarlı bütçeleme" in zeynep_offer.text  # one offer each (the weekly cap)
    assert [m for m in harness.server.messages(zeynep.user) if "Plan takviminizdeki" in (m.text or "")] == [zeynep_offer]


async def test_the_proposal_lesson_is_offered_at_her_first_oneri_only(harness: Harness) -> None:
    from zoneinfo import ZoneInfo

    from bot.services.coplanning.rounds import suggested_schedule
    from storage.coplanning_rows import Feeds

    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    group = (await harness.services.groups.all())[0][0]
    ends = suggested_schedule(Feeds.STRATEGIC_PLAN, 2027, harness.clock.now(), ZoneInfo(group.timezone))
    await harness.services.coplanning.rounds.open(group_id=group.id, feeds=Feeds.STRATEGIC_PLAN, year=2027, ends=ends,
                                                  max_picks=3, quorum=None, created_by=None)
    await harness.next_containing(ayse, "öneri turu")  # no lesson with a strategic-plan round
    await harness.settle()
    assert not [m for m in harness.server.messages(ayse.user) if "📚" in (m.text or "")]

    await harness.server.send_text(ayse.user, "/oneri")
    offer = await harness.next_containing(ayse, "İlk önerinize başladınız")
    assert "Meclisin işleyebileceği bir öneri yazmak" in offer.text
    await harness.next_containing(ayse, "kısa başlığı")
    later = await harness.press(ayse, offer, "⏰ Sonra")
    assert "/dersler" in later.text
    title = await harness.send(ayse, "Kadın kooperatiflerinden alım")  # her draft goes on
    assert "birkaç cümleyle" in title.text, title.text
    await harness.send(ayse, "iptal")
    await harness.advance(timedelta(days=8))
    await harness.server.send_text(ayse.user, "/oneri")  # not the first time: no offer again
    await harness.next_containing(ayse, "kısa başlığı")
    assert len([m for m in harness.server.messages(ayse.user) if "İlk önerinize" in (m.text or "")]) == 1


async def test_a_command_typed_mid_lesson_pauses_it_and_mydata_holds_progress(harness: Harness) -> None:
    import json

    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    listing = await harness.send(ayse, "/dersler")
    part = await harness.press(ayse, listing, "ls:open:city-council")
    await harness.press(ayse, part, "Devam ▶️")
    meetings = await harness.send(ayse, "toplantilar")  # a command's word, not "devam"
    assert "Ders duraklatıldı" in meetings.text and "/dersler" in meetings.text
    await harness.server.send_text(ayse.user, "/dersler")
    listing = await harness.next_containing(ayse, "Bir derse dokunun")
    assert "▶️ 7. Kent konseyi" in listing.text
    resumed = await harness.press(ayse, listing, "ls:open:city-council")
    assert "(2/4)" in resumed.text
    cancelled = await harness.send(ayse, "iptal")
    assert "yeriniz saklı" in cancelled.text

    await harness.server.send_text(ayse.user, "/verilerim")
    export = await harness.server.wait_for_message(ayse.user, lambda m: m.document_bytes is not None)
    data = json.loads(export.document_bytes)
    assert data["lessons"]["progress"][0]["lesson"] == "city-council"
    assert data["lessons"]["progress"][0]["step"] == 1


async def test_old_and_forged_quiz_buttons_never_skip_or_score(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    listing = await harness.send(ayse, "/dersler")
    part = await harness.press(ayse, listing, "ls:open:plan-terms")
    # An answer id for a question she has not reached yet (or one pointing at a part): her part again.
    forged = await forge_press(harness, ayse, "ls:ans:plan-terms:0:1")
    assert "(1/4)" in forged.text
    forged = await forge_press(harness, ayse, "ls:ans:plan-terms:4:1")
    assert "(1/4)" in forged.text
    for _ in range(3):
        part = await harness.press(ayse, part, "Devam ▶️")
    q1 = await harness.press(ayse, part, "Teste geç ▶️")
    q2 = await harness.press(ayse, q1, "Gösterge")
    assert "✅ Doğru." in q2.text and "Soru 2/3" in q2.text
    again = await harness.press(ayse, q1, "Amaç")  # the first question's old button
    assert "Bu soruyu zaten cevapladınız" in again.text and "Soru 2/3" in again.text
    bad = await forge_press(harness, ayse, "ls:ans:plan-terms:5:9")  # no such choice
    assert "Soru" not in bad.text
    q3 = await harness.send(ayse, "1")
    assert "✅ Doğru." in q3.text and "Soru 3/3" in q3.text


async def test_the_first_reminder_of_a_linked_milestone_offers_its_lesson(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    group = (await harness.services.groups.all())[0][0]
    due = harness.clock.now() + timedelta(days=3)
    await harness.services.milestones.service.create(
        group_id=group.id, title="Altı aylık izleme", due_at=due, has_time=False, offsets=[2, 0],
        template_code="six-monthly-monitoring@2026")
    await harness.advance(timedelta(days=1, hours=2))  # the first reminder (2 days before) falls due
    offer = await harness.next_containing(ayse, "Plan takviminizdeki")
    assert "İzleme ve değerlendirme" in offer.text
    await harness.advance(timedelta(days=2))  # the reminder on the day: no second offer
    await harness.next_containing(ayse, "Altı aylık izleme")
    await harness.settle()
    assert len([m for m in harness.server.messages(ayse.user) if "Plan takviminizdeki" in (m.text or "")]) == 1
