"""Indicator surveys as members and coordinators live them: /anket, the invitation, answering
one question at a time (typed Turkish numbers, buttons, a wrong answer, Back, Skip, a change at
the summary), a restart mid-survey, the nudge to those who have not finished, the closing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.emulator.telegram.server import SentMessage
from bot.services.surveys.content import library
from storage import surveys as repo
from tests.harness import Harness, Person
from tests.meetings_support import group_with, texts

# 12.12.2026 17:00 in Istanbul.
DEADLINE = datetime(2026, 12, 12, 14, 0, tzinfo=UTC)


async def _send_izleme(harness: Harness, zeynep: Person, *, anonymous: bool = False) -> SentMessage:
    """Zeynep sends the six-monthly monitoring template through the real /anket dialog."""
    await harness.send(zeynep, "/anket")
    source = await harness.next(zeynep)
    assert "Altı aylık izleme (6 soru)" in source.button_texts, source.button_texts
    ask_deadline = await harness.press(zeynep, source, "Altı aylık izleme (6 soru)")
    assert "Örnek: 12.12.2026 14:00" in ask_deadline.text
    refused = await harness.send(zeynep, "gelecek ay")  # a month is not a day
    assert "anlaşılamadı" in refused.text and "Örnek: 12.12.2026 14:00" in refused.text  # the question, in one message
    anonymity = await harness.send(zeynep, "12.12.2026 17:00")
    preview = await harness.press(zeynep, anonymity, "🕶 Anonim" if anonymous else "👤 İsimli")
    assert "Önizleme" in preview.text and "Cumartesi" not in preview.text and "12.12.2026 17:00" in preview.text
    assert "1. YEEP eylemlerinin zamanında gerçekleşme oranı" in preview.text
    sent = await harness.press(zeynep, preview, "📤 Gönder")
    assert "gönderiliyor" in sent.text, sent.text
    return sent


async def _invitation(harness: Harness, person: Person) -> SentMessage:
    return await harness.next_containing(person, "Yeni anket", timeout=10)


async def test_a_member_completes_the_six_question_survey_the_way_she_types(harness: Harness) -> None:
    zeynep, (ayse, fatma) = await group_with(harness, ("Ayşe", "tr"), ("Fatma", "tr"))
    await _send_izleme(harness, zeynep)

    invitation = await _invitation(harness, ayse)
    fatma_invitation = await _invitation(harness, fatma)
    assert "Altı aylık izleme" in invitation.text and "12.12.2026 17:00" in invitation.text
    assert "YEEP" not in invitation.text  # no question in what lands on a shared phone
    await harness.press(ayse, invitation, "▶️ Başla")
    first = await harness.next_containing(ayse, "1/6")
    assert "YEEP eylemlerinin" in first.text and "%40" in first.text
    assert "Atla ⏭" not in first.button_texts  # required

    wrong = await harness.send(ayse, "kırk")  # one message: what was wrong and what is expected
    assert "yüzde olarak okunamadı" in wrong.text and "örneğin %40" in wrong.text
    assert wrong.button_texts == ["💬 Yorum ekle"]
    required = await harness.send(ayse, "atla")
    assert "zorunlu, atlanamaz" in required.text and "örneğin %40" in required.text
    assert "sayı" not in required.text and "okunamadı" not in required.text
    await harness.settle()
    assert texts(harness, ayse)[-1] == required.text  # nothing else was sent after either

    second = await harness.send(ayse, "%40")
    assert "✓ Kaydedildi: %40" in second.text and "2/6" in second.text and "Kadın danışma" in second.text
    third = await harness.press(ayse, second, "Atla ⏭")
    assert "Atlandı" in third.text and "3/6" in third.text
    fourth = await harness.send(ayse, "evet.")
    assert "✓ Kaydedildi: ✅ Evet" in fourth.text and "4/6" in fourth.text
    back = await harness.press(ayse, fourth, "⬅️ Geri")
    assert "3/6" in back.text and "Şu anki yanıtınız: ✅ Evet" in back.text
    assert "• ✅ Evet •" in back.button_texts
    fourth = await harness.press(ayse, back, "❌ Hayır")
    assert "4/6" in fourth.text and "Resmi rapor" in fourth.button_texts
    fifth = await harness.send(ayse, "bilgi edinme başvurusu")  # the button's words, typed
    assert "✓ Kaydedildi: Bilgi edinme başvurusu" in fifth.text and "5/6" in fifth.text
    assert fifth.button_texts[:5] == ["1", "2", "3", "4", "5"]

    await harness.restart()  # the bot goes down mid-survey
    sixth = await harness.press(ayse, fifth, "4")
    assert "6/6" in sixth.text and "Rapora eklemek" in sixth.text
    summary = await harness.send(ayse, "Kreş kontenjanı 1.250'ye çıktı")
    assert "yanıtlarınız" in summary.text
    for shown in ("→ %40", "→ —", "→ ❌ Hayır", "→ Bilgi edinme başvurusu", "→ 4",
                  "1.250"):
        assert shown in summary.text, shown

    confused = await harness.send(ayse, "tamam mı bu?")
    assert "Gönder" in confused.text and "yanıtlarınız" in confused.text  # one message, summary included
    which = await harness.send(ayse, "değiştir")  # the button's word, typed
    first_again = await harness.press(ayse, which, which.button_texts[0])
    assert "1/6" in first_again.text and "Şu anki yanıtınız: %40" in first_again.text
    summary = await harness.send(ayse, "12,5")
    assert "yanıtlarınız" in summary.text and "→ %12,5" in summary.text
    thanks = await harness.press(ayse, summary, "📤 Gönder")
    assert "Teşekkürler" in thanks.text
    stale = await harness.press(ayse, fifth, "3")  # a button from before she sent it
    assert "zaten yanıtladınız" in stale.text and "kaldığınız" not in stale.text
    await harness.settle()
    assert texts(harness, ayse)[-1] == stale.text

    async with harness.services.db.read() as conn:
        [survey] = await repo.surveys_for_groups(conn, [1])
        [response] = await repo.responses(conn, survey.id)
    form = library().templates["izleme"]
    values = {name: answer.value(form.question(name)) for name, answer in response.answers.items()}  # type: ignore[arg-type]
    assert values == {"i9": 12.5, "i2": None, "i8": False, "data_access": "request", "progress": 4,
                      "notes": "Kreş kontenjanı 1.250'ye çıktı"}
    assert response.answers["i2"].skipped

    listed = await harness.send(ayse, "/anketler")
    assert "✅ gönderildi" in listed.text and listed.button_texts == []
    again = await harness.press(ayse, invitation, "▶️ Başla")
    assert "zaten yanıtladınız" in again.text

    # Three days before the deadline, only those who have not finished are nudged.
    await harness.settle()
    await harness.advance(DEADLINE - timedelta(days=3) + timedelta(minutes=1) - harness.clock.now())
    nudge = await harness.next_containing(fatma, "yanıtlamadığınız bir anket", timeout=10)
    assert "12.12.2026 17:00" in nudge.text and "YEEP" not in nudge.text and "izleme" not in nudge.text
    await harness.next_containing(zeynep, "yanıtlamadığınız bir anket", timeout=10)
    await harness.settle()
    assert not any("yanıtlamadığınız" in text for text in texts(harness, ayse))

    # At the deadline it closes: the coordinator gets the rate and a results button.
    await harness.advance(DEADLINE + timedelta(minutes=1) - harness.clock.now())
    closing = await harness.next_containing(zeynep, "kapandı", timeout=10)
    assert "1/3" in closing.text and f"results:{survey.id}" in closing.callback_datas
    late = await harness.press(fatma, fatma_invitation, "▶️ Başla")
    assert "anketi kapandı" in late.text


async def test_two_tonight_and_the_rest_tomorrow_from_the_list(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await _send_izleme(harness, zeynep)
    invitation = await _invitation(harness, ayse)
    later = await harness.press(ayse, invitation, "⏰ Sonra")
    assert "/anketler" in later.text
    await harness.press(ayse, invitation, "▶️ Başla")
    await harness.next_containing(ayse, "1/6")
    await harness.send(ayse, "%55")
    await harness.send(ayse, "1.250")
    await harness.send(ayse, "/toplantilar")  # she goes off to do something else
    await harness.send(ayse, "iptal")
    await harness.advance(timedelta(hours=14))
    listed = await harness.send(ayse, "/anketler")
    assert "yarım kaldı" in listed.text and "son gün 12.12.2026 17:00" in listed.text
    resumed = await harness.press(ayse, listed, listed.button_texts[0])
    assert "kaldığınız yerden" in resumed.text
    third = await harness.next(ayse)
    assert "3/6" in third.text


async def test_an_anonymous_survey_keeps_no_link_to_who_answered(harness: Harness) -> None:
    zeynep, (ayse, fatma) = await group_with(harness, ("Ayşe", "tr"), ("Fatma", "tr"))
    await _send_izleme(harness, zeynep, anonymous=True)
    invitation = await _invitation(harness, ayse)
    assert "Anonim" in invitation.text
    await harness.press(ayse, invitation, "▶️ Başla")
    await harness.next_containing(ayse, "1/6")
    for typed in ("40 %", "12", "hayir", "Resmi rapor", "5"):
        await harness.send(ayse, typed)
    summary = await harness.send(ayse, "Işıklandırma yetersiz")
    await harness.press(ayse, summary, "📤 Gönder")
    async with harness.services.db.read() as conn:
        [survey] = await repo.surveys_for_groups(conn, [1])
        [response] = await repo.responses(conn, survey.id)
        rows = await conn.execute_fetchall("SELECT * FROM survey_responses")
        answer_times = await conn.execute_fetchall("SELECT answered_at FROM survey_answers")
        assert await repo.unfinished_member_ids(conn, survey.id) == sorted(
            r.member_id for r in await repo.recipients(conn, survey.id) if r.submitted_at is None)
    assert response.member_id is None and response.answers["i9"].value_num == 40
    assert [dict(row)["respondent_token"] for row in rows] == [None]
    assert {row[0] for row in answer_times} == {None}
    assert response.started_at.hour == 0 and response.submitted_at and response.submitted_at.minute == 0
    # She cannot answer twice; Fatma, who has not answered, still can.
    assert "zaten yanıtladınız" in (await harness.press(ayse, invitation, "▶️ Başla")).text
    await harness.press(fatma, await _invitation(harness, fatma), "▶️ Başla")
    assert "1/6" in (await harness.next_containing(fatma, "1/6")).text


async def test_only_coordinators_send_surveys_and_forged_buttons_are_stale(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    refused = await harness.send(ayse, "/anket")
    assert "yalnızca koordinatörler" in refused.text
    assert "yalnızca koordinatörler" in (await harness.send(ayse, "/oylama Ne zaman? | Sabah | Akşam")).text
    await _send_izleme(harness, zeynep)
    invitation = await _invitation(harness, ayse)
    await harness.server.send_text(ayse.user, "/anketler")
    await harness.next(ayse)
    # A crafted callback for the coordinator's tools, or for a survey of another group.
    services = harness.services
    from bot.models import Actor
    actor = Actor(channel="telegram", external_id=str(ayse.chat_id))
    assert "yalnızca koordinatörler" in (await services.conversation.on_choice(actor, "svm:1:closeyes"))[0].text
    assert "geçerli değil" in (await services.conversation.on_choice(actor, "sv:99:start"))[0].text
    assert "geçerli değil" in (await services.conversation.on_choice(actor, "sv:1:a:x:9"))[0].text
    assert invitation.button_texts == ["▶️ Başla", "⏰ Sonra"]
