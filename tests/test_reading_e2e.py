"""Reading what people type, through the real bot (fake Bot API, real SQLite, real dialogs):
a month-named date is that month, a new date typed at "doğru mu?" replaces the reading, a
bare hour is the afternoon, a polite Turkish no answers the meeting, an unclear one gets the
buttons, other digits are digits. Now is Wednesday 25.11.2026 09:00 in Istanbul."""

from __future__ import annotations

from tests.harness import Harness
from tests.meetings_support import announce, group_with, notice


async def _to_the_date_question(harness: Harness, zeynep) -> None:  # type: ignore[no-untyped-def]
    await harness.send(zeynep, "/toplanti")
    await harness.next(zeynep)
    asked = await harness.send(zeynep, "Mart toplantısı")
    assert "2/5" in asked.text


async def test_a_turkish_month_with_a_day_past_12_is_that_month_and_a_new_date_replaces_the_reading(
        harness: Harness) -> None:
    zeynep, _ = await group_with(harness, ("Ayşe", "tr"))
    await _to_the_date_question(harness, zeynep)
    confirm = await harness.send(zeynep, "13 Mart 14:00")  # was 13 January (MART = Marquesas Time)
    assert "Cumartesi, 13.03.2027 14:00" in confirm.text and "doğru mu" in confirm.text, confirm.text
    again = await harness.send(zeynep, "12 Mart 2027 saat 3")  # typed instead of tapping: read again
    assert "düğmelerden" not in again.text
    assert "Cuma, 12.03.2027 15:00" in again.text and "doğru mu" in again.text, again.text
    assert "öğleden sonra" in again.text  # says that 3 was read as 15:00
    place = await harness.send(zeynep, "evet, doğru")
    assert "3/5" in place.text and "Cuma, 12.03.2027 15:00" in place.text


async def test_bare_hours_and_parts_of_the_day_at_the_date_and_time_questions(harness: Harness) -> None:
    zeynep, _ = await group_with(harness, ("Ayşe", "tr"))
    await _to_the_date_question(harness, zeynep)
    confirm = await harness.send(zeynep, "yarın saat 3")
    assert "Perşembe, 26.11.2026 15:00" in confirm.text and "doğru mu" in confirm.text, confirm.text
    no = await harness.send(zeynep, "hayır, yanlış")
    assert "2/5" in no.text
    ask_time = await harness.send(zeynep, "4 Aralık 2026")
    assert "saat kaçta" in ask_time.text
    evening = await harness.send(zeynep, "akşam 7")  # a clear part of the day: taken and echoed
    assert "3/5" in evening.text and "Cuma, 04.12.2026 19:00" in evening.text, evening.text


async def test_the_evening_said_with_the_day_holds_for_the_hour(harness: Harness) -> None:
    zeynep, _ = await group_with(harness, ("Ayşe", "tr"))
    await _to_the_date_question(harness, zeynep)
    ask_time = await harness.send(zeynep, "yarın akşam")
    assert "saat kaçta" in ask_time.text
    confirm = await harness.send(zeynep, "7")
    assert "Perşembe, 26.11.2026 19:00" in confirm.text and "doğru mu" in confirm.text, confirm.text


async def test_a_new_date_typed_at_the_move_preview_replaces_it(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await announce(harness, zeynep)
    overview = await harness.send(zeynep, "/toplantilar")
    await harness.press(zeynep, overview, "🗓 Tarihi değiştir")
    preview = await harness.send(zeynep, "10.12.2026 15:00")
    assert "Per 10.12 15:00" in preview.text
    replaced = await harness.send(zeynep, "17 Aralık 2026 akşam 6")
    assert "Per 17.12 18:00" in replaced.text and "düğmeleri kullanın" not in replaced.text, replaced.text
    later = await harness.send(zeynep, "19:30")  # a time alone: the same day
    assert "Per 17.12 19:30" in later.text, later.text
    done = await harness.press(zeynep, later, "📤 Gönder")
    assert "Per 17.12 19:30" in done.text


async def test_a_polite_inflected_no_answers_the_meeting(harness: Harness) -> None:
    zeynep, (ayse, fatma, emma) = await group_with(harness, ("Ayşe", "tr"), ("Fatma", "tr"), ("Emma", "en"))
    await announce(harness, zeynep)
    await notice(harness, ayse)
    answered = await harness.send(ayse, "Maalesef bu sefer katılamayacağım, kusura bakmayın 🙏")
    assert "Yanıtınız kaydedildi" in answered.text and "Katılamıyorum" in answered.text, answered.text
    await notice(harness, fatma)
    unclear = await harness.send(fatma, "maalesef")  # an answer, but which? the buttons, not "anlayamadım"
    assert "anlayamadım" not in unclear.text and "cevap olarak" in unclear.text, unclear.text
    assert unclear.button_texts == ["✅ Katılıyorum", "❌ Katılamıyorum", "🤔 Belki"]
    await harness.server.press_button(fatma.user, unclear, "🤔 Belki")
    await notice(harness, emma, "New meeting")
    english = await harness.send(emma, "Sorry, I can't make it")
    assert "answer is saved" in english.text and "I can't attend" in english.text, english.text
    overview = await harness.send(zeynep, "/toplantilar")
    assert "❌ 2" in overview.text and "🤔 1" in overview.text, overview.text


async def test_a_quorum_typed_with_other_digits(harness: Harness) -> None:
    zeynep, _ = await group_with(harness, ("Ayşe", "tr"), ("Fatma", "tr"))
    sent = await announce(harness, zeynep, quorum="²")  # superscript two
    assert "gönderiliyor" in sent.text
    overview = await harness.send(zeynep, "/toplantilar")
    assert "2" in overview.text


async def test_a_new_due_date_typed_at_the_milestone_preview_replaces_it_and_titles_follow_the_reader(
        harness: Harness) -> None:
    zeynep, (emma,) = await group_with(harness, ("Emma", "en"))
    await harness.send(zeynep, "/yenitarih")
    await harness.next(zeynep)
    await harness.send(zeynep, "Bütçe önerilerimiz")
    ask_link = await harness.send(zeynep, "13 Mart 2027")
    assert "3/5" in ask_link.text
    ask_audience = await harness.press(zeynep, ask_link, "Atla ⏭")
    ask_offsets = await harness.press(zeynep, ask_audience, "Tüm grup")
    preview = await harness.press(zeynep, ask_offsets, "✔️ 14, 7, 1, 0")
    assert "13.03.2027" in preview.text
    replaced = await harness.send(zeynep, "15 Mart 2027")  # typed instead of a button
    assert "Önizleme" in replaced.text and "Pazartesi, 15.03.2027" in replaced.text, replaced.text
    assert "düğme" not in replaced.text
    saved = await harness.press(zeynep, replaced, "💾 Kaydet")
    assert "15.03.2027" in saved.text

    loaded = await harness.send(zeynep, "/takvim sablon ２０２７")  # a full-width year is a year
    assert "tarih eklendi" in loaded.text, loaded.text
    await harness.next(zeynep)
    listing = await harness.send(emma, "/takvim")
    assert "April council session: activity report" in listing.text, listing.text
    assert "Nisan meclis oturumu" not in listing.text
    assert "Bütçe önerilerimiz" in listing.text  # a title she typed stays as typed


async def test_a_new_deadline_typed_at_the_survey_preview_replaces_it(harness: Harness) -> None:
    zeynep, _ = await group_with(harness, ("Ayşe", "tr"))
    await harness.send(zeynep, "/anket")
    source = await harness.next(zeynep)
    indicators = await harness.press(zeynep, source, "📋 Göstergeleri kendim seçeceğim")
    await harness.server.press_button(zeynep.user, indicators, indicators.button_texts[3])
    await harness.server.wait_for_edit(indicators, lambda m: m.button_texts[3].startswith("☑️ I4 "))
    ask_deadline = await harness.press(zeynep, indicators, "✔️ Tamam")
    assert "Son gün" in ask_deadline.text
    await harness.send(zeynep, "11.12.2026 17:00")
    preview = await harness.send(zeynep, "anonim")
    assert "11.12.2026 17:00" in preview.text
    replaced = await harness.send(zeynep, "18 Aralık saat 5")  # typed at the preview: read, 5 is 17:00
    assert "Cuma, 18.12.2026 17:00" in replaced.text and "düğme" not in replaced.text, replaced.text
    refused = await harness.send(zeynep, "31 Şubat")  # a wrong one: said why, the preview stays
    assert "diye bir gün yok" in refused.text and "18.12.2026 17:00" in refused.text, refused.text
    sent = await harness.press(zeynep, refused, "📤 Gönder")
    assert "kişiye" in sent.text


async def test_a_time_typed_at_the_confirmation_keeps_the_day(harness: Harness) -> None:
    zeynep, _ = await group_with(harness, ("Ayşe", "tr"))
    await _to_the_date_question(harness, zeynep)
    confirm = await harness.send(zeynep, "cuma 14:00")
    assert "Cuma, 27.11.2026 14:00" in confirm.text and "doğru mu" in confirm.text
    again = await harness.send(zeynep, "akşam 6")  # only the time changes; read back again
    assert "Cuma, 27.11.2026 18:00" in again.text and "doğru mu" in again.text, again.text
    place = await harness.send(zeynep, "evet")
    assert "3/5" in place.text and "Cuma, 27.11.2026 18:00" in place.text


async def test_a_milestone_moved_to_a_date_we_read_is_read_back_first(harness: Harness) -> None:
    zeynep, _ = await group_with(harness, ("Ayşe", "tr"))
    await harness.send(zeynep, "/yenitarih")
    await harness.next(zeynep)
    await harness.send(zeynep, "Meclis gündemi görüşü")
    ask_link = await harness.send(zeynep, "31.12.2026")
    ask_audience = await harness.press(zeynep, ask_link, "Atla ⏭")
    ask_offsets = await harness.press(zeynep, ask_audience, "Tüm grup")
    preview = await harness.press(zeynep, ask_offsets, "✔️ 14, 7, 1, 0")
    await harness.press(zeynep, preview, "💾 Kaydet")
    card = await harness.press(zeynep, await harness.send(zeynep, "/takvim"), "1")
    await harness.press(zeynep, card, "📆 Tarihi değiştir")
    confirm = await harness.send(zeynep, "13 Ocak")  # no year: read, shown, not yet moved
    assert "Çarşamba, 13.01.2027" in confirm.text and "doğru mu" in confirm.text, confirm.text
    again = await harness.send(zeynep, "14 Ocak")  # typed instead of tapping: read again
    assert "Perşembe, 14.01.2027" in again.text and "doğru mu" in again.text, again.text
    moved = await harness.send(zeynep, "evet")
    assert "güncellendi" in moved.text and "Perşembe, 14.01.2027" in moved.text, moved.text
    literal = await harness.press(zeynep, await harness.send(zeynep, "/takvim"), "1")
    await harness.press(zeynep, literal, "📆 Tarihi değiştir")
    at_once = await harness.send(zeynep, "15.01.2027")  # a whole date: moved at once, as before
    assert "güncellendi" in at_once.text and "Cuma, 15.01.2027" in at_once.text
