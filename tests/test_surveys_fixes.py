"""Survey faults a fresh tester found, each lived through the fake Bot API as members and
coordinators meet them: answers saved but never sent when the survey closes, English number
forms, one message per wrong answer, typed choices without spaces, a stable question count,
a bound on numbers, a readable summary sheet, and /sonuclar before anyone answered."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
from babel.dates import format_date

from bot.services.surveys.model import SurveyForm
from storage import surveys as repo
from bot.emulator.telegram.server import SentMessage
from tests.harness import Harness, Person
from tests.meetings_support import group_with, texts

DEADLINE = datetime(2026, 12, 12, 14, 0, tzinfo=UTC)  # 12.12.2026 17:00 in Istanbul

FORM = SurveyForm.model_validate({
    "code": "kres-izleme", "title": {"tr": "Kreş izleme", "en": "Crèche monitoring"},
    "questions": [
        {"name": "places", "type": "integer", "required": True, "indicator": "I4",
         "label": {"tr": "Kreş kontenjanı", "en": "Crèche places"}},
        {"name": "layout", "type": "select_one", "required": True,
         "label": {"tr": "Toplantı biçimi", "en": "Meeting format"},
         "choices": [{"name": "in_person", "label": {"tr": "Yüz yüze", "en": "In person"}},
                     {"name": "online", "label": {"tr": "Çevrim içi", "en": "Online"}},
                     {"name": "mixed", "label": {"tr": "Karma", "en": "Mixed"}}]},
        {"name": "unit", "type": "yes_no", "label": {"tr": "Eşitlik birimi toplandı mı?",
                                                    "en": "Did the equality unit meet?"}},
        {"name": "share", "type": "percentage", "label": {"tr": "Bütçe payı", "en": "Budget share"}},
        {"name": "hours", "type": "decimal", "label": {"tr": "Günlük açık saat", "en": "Opening hours a day"}},
    ]})


async def _send(harness: Harness, form: SurveyForm = FORM, *, anonymous: bool = False) -> int:
    survey = await harness.services.surveys.send(group_id=1, form=form, deadline=DEADLINE, anonymous=anonymous,
                                                 created_by=1, template=form.code)
    return survey.id


async def test_answers_saved_but_never_sent_are_nudged_then_sent_or_kept_as_partial_at_the_closing(
        harness: Harness) -> None:
    zeynep, (ayse, fatma, sule) = await group_with(harness, ("Ayşe", "tr"), ("Fatma", "tr"), ("Şule", "tr"))
    survey_id = await _send(harness)

    # Ayşe answers both required questions (typing the option without its space) and stops.
    invitation = await harness.next_containing(ayse, "Yeni anket", timeout=10)
    await harness.press(ayse, invitation, "▶️ Başla")
    await harness.next_containing(ayse, "1/5")
    assert "✓ Kaydedildi: 1.250" in (await harness.send(ayse, "1.250")).text
    third = await harness.send(ayse, "çevrimiçi")
    assert "✓ Kaydedildi: Çevrim içi" in third.text and "3/5" in third.text
    # Fatma answers the first and leaves; Şule never starts.
    fatma_invitation = await harness.next_containing(fatma, "Yeni anket", timeout=10)
    await harness.press(fatma, fatma_invitation, "▶️ Başla")
    await harness.next_containing(fatma, "1/5")
    await harness.send(fatma, "900")
    await harness.next_containing(sule, "Yeni anket", timeout=10)

    # Three days before: those who started hear that nothing is sent yet (and nothing else).
    await harness.settle()
    await harness.advance(DEADLINE - timedelta(days=3) + timedelta(minutes=1) - harness.clock.now())
    for person in (ayse, fatma):
        nudge = await harness.next_containing(person, "🔔", timeout=10)
        assert "kaydedildi ama henüz gönderilmedi" in nudge.text and "/anketler" in nudge.text, nudge.text
        assert "Kreş" not in nudge.text and "1.250" not in nudge.text and "12.12.2026 17:00" in nudge.text
    plain = await harness.next_containing(sule, "🔔", timeout=10)
    assert "yanıtlamadığınız bir anket" in plain.text and "gönderilmedi" not in plain.text

    # At the deadline: Ayşe's complete response is sent for her, Fatma's stays partial.
    await harness.advance(DEADLINE + timedelta(minutes=1) - harness.clock.now())
    closing = await harness.next_containing(zeynep, "kapandı", timeout=10)
    assert "Yanıt oranı: 1/4" in closing.text
    assert "1 yanıt tüm zorunlu soruları yanıtlanmış olduğu için anket kapanırken otomatik gönderildi" in closing.text
    assert "1 tamamlanmamış yanıt (zorunlu bir soru eksik)" in closing.text
    stale = await harness.press(ayse, third, "✅ Evet")  # her last question's button, after the closing
    assert "zaten yanıtladınız" in stale.text and "kaldığınız" not in stale.text
    # What she types next is read as usual, not as an answer to a survey that is gone.
    help_ = await harness.send(ayse, "yardım")
    assert "Koordinat komutları" in help_.text, help_.text
    typed = await harness.send(fatma, "evet")  # her last question was a yes/no one
    assert "zaten" not in typed.text and "Kaydedildi" not in typed.text, typed.text

    results = await harness.press(zeynep, closing, "📊 Sonuçlar")
    text = results.text or ""
    assert "Yanıt oranı: <b>1/4</b>" in (results.raw_text or "") or "Yanıt oranı: 1/4" in text
    assert "1 yanıt anket kapanırken otomatik gönderildi" in text
    assert "1 tamamlanmamış yanıt" in text
    assert "Kreş kontenjanı (2 yanıt)" in text  # Fatma's answer is in the summary
    assert "Yanıtlamayanlar: Fatma, Şule, Zeynep" in text
    await harness.next(zeynep)  # the chart
    workbook = await harness.next(zeynep)
    book = openpyxl.load_workbook(io.BytesIO(workbook.document_bytes or b""))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    by_name = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_name["Ayşe"]["Gönderim"] == "otomatik" and by_name["Ayşe"]["Kreş kontenjanı"] == 1250
    assert by_name["Fatma"]["Gönderim"] == "tamamlanmamış" and by_name["Fatma"]["Kreş kontenjanı"] == 900
    assert by_name["Fatma"]["Gönderilme"] is None

    # The summary sheet: every table has its own header, no share under "Ortanca".
    summary = list(book["Özet"].iter_rows(values_only=True))
    assert ("Tamamlanmamış yanıt", 1) == summary[3][:2]
    numbers_header = summary.index(("Soru", "Sayı", "Ortalama", "Ortanca", "En az", "En çok"))
    assert summary[numbers_header + 1][:6] == ("Kreş kontenjanı", 2, 1075, 1075, 900, 1250)
    choices_header = next(i for i, row in enumerate(summary) if row[:4] == ("Soru", "Seçenek", "Sayı", "Pay (%)"))
    assert summary[choices_header - 1][0] == "Seçenekli sorular"
    online = next(row for row in summary[choices_header:] if row[1] == "Çevrim içi")
    assert online[:4] == ("Toplantı biçimi", "Çevrim içi", 1, 100)
    assert all(row[2] is None or isinstance(row[2], int | float) for row in summary[choices_header + 1:]
               if row[0] == "Toplantı biçimi")

    async with harness.services.db.read() as conn:
        responses = await repo.responses(conn, survey_id, submitted_only=False)
    assert sorted((r.submitted, r.auto_submitted) for r in responses) == [(False, False), (True, True)]


async def test_an_anonymous_survey_keeps_no_link_to_a_partial_response_after_closing(harness: Harness) -> None:
    zeynep, (ayse, fatma, sule) = await group_with(harness, ("Ayşe", "tr"), ("Fatma", "tr"), ("Şule", "tr"))
    survey_id = await _send(harness, anonymous=True)
    for person, typed in ((ayse, ["1.250", "Karma"]), (fatma, ["900"])):
        invitation = await harness.next_containing(person, "Yeni anket", timeout=10)
        await harness.press(person, invitation, "▶️ Başla")
        await harness.next_containing(person, "1/5")
        for answer in typed:
            await harness.send(person, answer)
    await harness.settle()
    await harness.advance(DEADLINE + timedelta(minutes=1) - harness.clock.now())
    closing = await harness.next_containing(zeynep, "kapandı", timeout=10)
    assert "1/4" in closing.text
    async with harness.services.db.read() as conn:
        tokens = await conn.execute_fetchall("SELECT token FROM survey_recipients WHERE survey_id = ?", (survey_id,))
        links = await conn.execute_fetchall("SELECT member_id, respondent_token FROM survey_responses")
    assert {row[0] for row in tokens} == {None}
    assert {tuple(row) for row in links} == {(None, None)}
    results = await harness.press(zeynep, closing, "📊 Sonuçlar")
    assert "gizlilik için sonuçlar en az" in (results.text or "")  # 1 sent + 1 partial < 3: nothing shown
    await harness.settle()
    assert not any(m.kind == "document" for m in harness.server.messages(zeynep.chat_id))


async def _one_reply(harness: Harness, person: Person, typed: str) -> SentMessage:
    """What she types gets exactly one message back (each is billed on WhatsApp)."""
    before = len(harness.server.messages(person.chat_id))
    reply = await harness.send(person, typed)
    await harness.settle()
    assert len(harness.server.messages(person.chat_id)) == before + 1, texts(harness, person)[before:]
    return reply


async def test_an_english_member_types_english_numbers_and_each_mistake_costs_one_message(
        harness: Harness) -> None:
    zeynep, (emma,) = await group_with(harness, ("Emma", "en"))
    await _send(harness)
    invitation = await harness.next_containing(emma, "New survey", timeout=10)
    await harness.press(emma, invitation, "▶️ Start")
    first = await harness.next_containing(emma, "1/5")
    assert "e.g. 1,250" in first.text

    huge = await _one_reply(harness, emma, "99999999999")
    assert "at most 1,000,000,000" in huge.text and "e.g. 1,250" in huge.text
    skip = await _one_reply(harness, emma, "skip")
    assert "required and cannot be skipped" in skip.text and "e.g. 1,250" in skip.text
    assert "could not be read" not in skip.text
    second = await _one_reply(harness, emma, "1,250")  # the hint's own form is accepted
    assert "✓ Saved: 1,250" in second.text and "2/5" in second.text
    third = await _one_reply(harness, emma, "online")
    assert "✓ Saved: Online" in third.text and "3/5" in third.text
    assert "type yes or no" in third.text and "✅ Yes /" not in third.text
    await _one_reply(harness, emma, "yes")
    share = await _one_reply(harness, emma, "1,250")  # not 1.25 %: 1250 is no percentage
    assert "is not allowed: type a percentage from 0 to 100" in share.text and "e.g. 40%" in share.text
    assert "Budget share" not in share.text  # the error and the expected form only
    assert "✓ Saved: 12.5%" in (await _one_reply(harness, emma, "12.5%")).text
    ambiguous = await _one_reply(harness, emma, "1,25")
    assert "ambiguous" in ambiguous.text and "e.g. 12.5" in ambiguous.text
    summary = await _one_reply(harness, emma, "7.5")
    for shown in ("→ 1,250", "→ Online", "→ ✅ Yes", "→ 12.5%", "→ 7.5"):
        assert shown in summary.text, shown


async def test_results_before_anyone_answered_send_no_empty_spreadsheet(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await _send(harness)
    await harness.next_containing(ayse, "Yeni anket", timeout=10)
    await harness.next_containing(zeynep, "Yeni anket", timeout=10)
    results = await harness.send(zeynep, "/sonuclar")
    assert "Henüz yanıt yok" in results.text and "Excel" in results.text
    assert "Ayrıntılar Excel dosyasında" not in results.text and results.button_texts == []
    await harness.settle()
    assert not any(m.kind in ("document", "photo") for m in harness.server.messages(zeynep.chat_id))


def test_a_target_card_is_read_in_the_coordinators_language() -> None:
    from bot.services.surveys.model import IndicatorAnswerType
    from bot.services.surveys.targets import _baseline, _target, parse_target

    count, share, amount = IndicatorAnswerType.INTEGER, IndicatorAnswerType.PERCENTAGE, IndicatorAnswerType.DECIMAL
    assert _baseline("1,250 2024", 2026, count, "en") == (1250, 2024)
    assert _baseline("1.250 2024", 2026, count, "tr") == (1250, 2024)
    assert _baseline("32.5% 2024", 2026, share, "en") == (32.5, 2024)
    assert _target("2027=1,250", amount, "en") == (2027, 1250) and _target("2027=1,250", amount, "tr") == (2027, 1.25)
    # The command line reads numbers the Turkish way whatever its (English) messages.
    assert parse_target("2027=1.250", count) == (2027, 1250)


async def test_with_skip_logic_the_list_the_intro_and_every_question_give_the_same_count(harness: Harness) -> None:
    from bot.services.surveys.content import library

    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await harness.send(zeynep, "/anket")
    source = await harness.next(zeynep)
    assert "Toplantı geri bildirimi (4 soru)" in source.button_texts, source.button_texts
    await harness.send(zeynep, "/iptal")
    await _send(harness, library().templates["toplanti_geri_bildirim"])
    invitation = await harness.next_containing(ayse, "Yeni anket", timeout=10)
    intro = await harness.press(ayse, invitation, "▶️ Başla")
    assert "en fazla 4 soru" in intro.text
    first = await harness.next_containing(ayse, "1. soru (en fazla 4)")
    assert "memnun" in first.text
    second = await harness.send(ayse, "5")  # satisfied: the follow-up is not asked, the count stays
    assert "2. soru (en fazla 4)" in second.text and "daha iyi" not in second.text
    back = await harness.press(ayse, second, "⬅️ Geri")
    follow_up = await harness.press(ayse, back, "2")  # now it is asked: still "of at most 4"
    assert "2. soru (en fazla 4)" in follow_up.text and "daha iyi" in follow_up.text
    third = await harness.send(ayse, "Daha kısa olsun")
    assert "3. soru (en fazla 4)" in third.text


async def test_a_relative_deadline_is_read_back_with_its_weekday(harness: Harness) -> None:
    zeynep, _ = await group_with(harness, ("Ayşe", "tr"))
    await harness.send(zeynep, "/anket")
    source = await harness.next(zeynep)
    ask = await harness.press(zeynep, source, "Altı aylık izleme (6 soru)")
    assert "Örnek:" in ask.text
    anonymity = await harness.send(zeynep, "yarın 17:00")
    preview = await harness.press(zeynep, anonymity, "👤 İsimli")
    tomorrow = harness.clock.now().astimezone(ZoneInfo("Europe/Istanbul")).date() + timedelta(days=1)
    weekday = format_date(tomorrow, "EEEE", locale="tr")
    assert f"{weekday}, {tomorrow:%d.%m.%Y} 17:00" in preview.text, preview.text
