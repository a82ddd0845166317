"""Evidence photos, /verilerim and /unut, the coordinator's tools (remind the rest, close early,
extend) and the quick poll."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.services.surveys.content import library
from storage import surveys as repo
from tests.harness import Harness
from tests.meetings_support import group_with, texts
from tests.test_uploads import PNG

DEADLINE = datetime(2026, 12, 12, 14, 0, tzinfo=UTC)


async def _send(harness: Harness, template: str, *, anonymous: bool = False) -> int:
    survey = await harness.services.surveys.send(group_id=1, form=library().templates[template], deadline=DEADLINE,
                                                 anonymous=anonymous, created_by=1, template=template)
    return survey.id


async def test_an_evidence_photo_is_stored_listed_and_forgotten(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await _send(harness, "kars_kadin_dostu_kent")
    invitation = await harness.next_containing(ayse, "Yeni anket", timeout=10)
    await harness.press(ayse, invitation, "▶️ Başla")
    await harness.next_containing(ayse, "1/7")
    ask_photo = await harness.send(ayse, "%60")
    assert "2/7" in ask_photo.text and "fotoğraf" in ask_photo.text
    typed = await harness.send(ayse, "fotoğrafı yarın atarım")
    assert "fotoğraf ya da belge gönderin" in typed.text
    await harness.server.send_photo_from(ayse.user, PNG)
    saved = await harness.next_containing(ayse, "3/7")
    assert "✓ Kaydedildi: 📎" in saved.text
    files = list((harness.database.parent / "files").rglob("*"))
    stored = [path for path in files if path.is_file()]
    assert len(stored) == 1 and stored[0].read_bytes() == PNG

    mine = await harness.send(ayse, "/verilerim")
    data = json.loads(mine.document_bytes or b"{}")
    assert any(row["question"] == "i10" and row["value_num"] == 60 for row in data["surveys"])
    await harness.next(ayse)  # the same data as a readable document

    confirm = await harness.send(ayse, "/unut")
    await harness.press(ayse, confirm, "forget:yes")
    assert not stored[0].exists()
    async with harness.services.db.read() as conn:
        assert await repo.responses(conn, 1, submitted_only=False) == []


async def test_remind_the_rest_close_early_and_extend(harness: Harness) -> None:
    zeynep, (ayse, fatma) = await group_with(harness, ("Ayşe", "tr"), ("Fatma", "tr"))
    await _send(harness, "toplanti_geri_bildirim")
    invitation = await harness.next_containing(ayse, "Yeni anket", timeout=10)
    await harness.next_containing(fatma, "Yeni anket", timeout=10)
    await harness.press(ayse, invitation, "▶️ Başla")
    # Skip logic may add a follow-up: the count is the most that can be asked, and stays put.
    first = await harness.next_containing(ayse, "1. soru (en fazla 4)")
    assert "memnun" in first.text
    follow_up = await harness.send(ayse, "2")
    assert "2. soru (en fazla 4)" in follow_up.text and "daha iyi" in follow_up.text  # relevant: satisfaction < 4
    await harness.send(ayse, "Daha kısa olsun")
    format_question = await harness.send(ayse, "EVET")
    assert "4. soru (en fazla 4)" in format_question.text
    summary = await harness.press(ayse, format_question, "Karma")
    await harness.press(ayse, summary, "📤 Gönder")

    cards = await harness.send(zeynep, "/anketler")
    card = await harness.next_containing(zeynep, "Yanıtlayan")
    assert "Yanıtlayan: 1/3" in card.text, [cards.text, card.text]
    reminded = await harness.press(zeynep, card, "🔔 Kalanlara hatırlat")
    assert "2 kişiye" in reminded.text
    await harness.next_containing(fatma, "yanıtlamadığınız bir anket", timeout=10)
    await harness.settle()
    assert not any("yanıtlamadığınız" in text for text in texts(harness, ayse))

    await harness.server.press_button(zeynep.user, card, "📅 Süreyi uzat")
    await harness.next_containing(zeynep, "yeni son günü")  # (her own nudge came first)
    await harness.server.send_text(zeynep.user, "20.12.2026 17:00")
    extended = await harness.next_containing(zeynep, "Yanıtlamayanlara haber")
    assert "20.12.2026 17:00" in extended.text
    told = await harness.next_containing(fatma, "uzatıldı", timeout=10)
    assert "20.12.2026 17:00" in told.text and "▶️ Başla" in told.button_texts
    async with harness.services.db.read() as conn:
        keys = [row[0] for row in await conn.execute_fetchall(
            "SELECT key FROM reminders WHERE key LIKE 'survey:1:%' AND status = 'pending' ORDER BY key")]
    assert keys == ["survey:1:close", "survey:1:nudge:1d", "survey:1:nudge:3d"]

    await harness.server.press_button(zeynep.user, card, "🔒 Kapat")
    ask = await harness.next_containing(zeynep, "şimdi kapatılsın mı")
    await harness.server.press_button(zeynep.user, ask, "🔒 Evet, kapat")
    closed = await harness.next_containing(zeynep, "kapatıldı.")
    assert "kapatıldı" in closed.text
    await harness.next_containing(zeynep, "Yanıt oranı: 1/3", timeout=10)
    await harness.next_containing(fatma, "koordinatör tarafından kapatıldı", timeout=10)
    refused = await harness.press(fatma, told, "▶️ Başla")
    assert "anketi kapandı" in refused.text
    await harness.advance(datetime(2026, 12, 20, 14, 1, tzinfo=UTC) - harness.clock.now())
    await harness.settle()
    assert sum("Yanıt oranı" in text for text in texts(harness, zeynep)) == 1  # closed once


async def test_a_quick_poll_with_live_counts(harness: Harness) -> None:
    zeynep, (ayse, fatma) = await group_with(harness, ("Ayşe", "tr"), ("Fatma", "tr"))
    usage = await harness.send(zeynep, "/oylama Ne zaman?")
    assert "Kullanım" in usage.text
    sent = await harness.send(zeynep, "/oylama Toplantı saati? | Sabah | Öğleden sonra | Akşam")
    assert "3 kişiye" in sent.text
    card = await harness.next_containing(ayse, "Toplantı saati?", timeout=10)
    assert card.button_texts == ["Sabah", "Öğleden sonra", "Akşam"]
    await harness.server.press_button(ayse.user, card, "Sabah")
    await harness.server.wait_for_edit(card, lambda m: "Sabah: 1/1" in (m.text or ""))
    assert "• Sabah •" in card.button_texts
    fatma_card = await harness.next_containing(fatma, "Toplantı saati?", timeout=10)
    await harness.server.press_button(fatma.user, fatma_card, "Akşam")
    await harness.server.wait_for_edit(fatma_card, lambda m: "Akşam: 1/2" in (m.text or ""))
    await harness.server.press_button(ayse.user, card, "Akşam")  # she changes her mind
    await harness.server.wait_for_edit(card, lambda m: "Akşam: 2/2" in (m.text or ""))
    assert "Sabah: 0/2" in card.text


def test_files_dir_is_configurable(tmp_path: Path) -> None:
    from bot.config import Settings
    settings = Settings(_env_file=None, files_dir=tmp_path / "kanıt")  # type: ignore[call-arg]
    assert settings.files_dir == tmp_path / "kanıt"
    assert Settings(_env_file=None).files_dir == Path("./koordinat-files")  # type: ignore[call-arg]


async def test_consent_decides_who_is_asked_and_latecomers_get_the_open_survey(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    no_surveys = harness.person("Elif")
    await _send(harness, "izleme")
    await harness.next_containing(ayse, "Yeni anket", timeout=10)
    # Elif joins later without agreeing to surveys; Nesrin joins later and agrees.
    async with harness.services.db.read() as conn:
        code = (await conn.execute_fetchall("SELECT code FROM invites WHERE role = 'member'"))[0][0]
    await harness.join(no_surveys, code, surveys=False)
    nesrin = harness.person("Nesrin")
    await harness.join(nesrin, code)
    invitation = await harness.next_containing(nesrin, "Yeni anket")
    assert "Altı aylık izleme" in invitation.text
    await harness.settle()
    assert not any("Yeni anket" in text for text in texts(harness, no_surveys))
    from bot.models import Actor
    forged = await harness.services.conversation.on_choice(
        Actor(channel="telegram", external_id=str(no_surveys.chat_id)), "sv:1:start")
    assert "onay vermediniz" in forged[0].text
    await harness.server.send_text(no_surveys.user, "/anketler")  # why she is not asked, and where to change it
    told = await harness.next_containing(no_surveys, "onay vermediniz")
    assert "onay vermediniz" in told.text and "/gizlilik" in told.text
    async with harness.services.db.read() as conn:
        assert len(await repo.recipients(conn, 1)) == 3  # Zeynep, Ayşe, Nesrin


async def test_an_english_member_ticks_several_options_and_sends_a_document(harness: Harness) -> None:
    zeynep, (emma,) = await group_with(harness, ("Emma", "en"))
    await _send(harness, "degerlendirme")
    invitation = await harness.next_containing(emma, "New survey", timeout=10)
    assert invitation.button_texts == ["▶️ Start", "⏰ Later"]
    await harness.press(emma, invitation, "▶️ Start")
    first = await harness.next_containing(emma, "1/8")
    assert "Budget share for gender equality" in first.text and "e.g. 40%" in first.text
    step = await harness.send(emma, "12.5%")
    assert "✓ Saved: 12.5%" in step.text and "2/8" in step.text
    ask = await harness.press(emma, step, "💬 Add a comment")
    assert "Write your comment" in ask.text and "Women in municipal management" in ask.text
    step = await harness.send(emma, "HR would not give the figure")
    assert "Comment saved" in step.text and "2/8" in step.text
    for number in (3, 4, 5, 6):
        step = await harness.press(emma, step, "Skip ⏭")
        assert f"{number}/8" in step.text
    await harness.server.press_button(emma.user, step, "⬜ Care services")
    await harness.server.wait_for_edit(step, lambda m: "☑️ Care services" in m.button_texts)
    await harness.server.press_button(emma.user, step, "⬜ Health")
    await harness.server.wait_for_edit(step, lambda m: "☑️ Health" in m.button_texts)
    recommendation = await harness.press(emma, step, "✔️ Done")
    assert "✓ Saved: Care services, Health" in recommendation.text and "7/8" in recommendation.text
    evidence = await harness.send(emma, "More crèches near bus stops")
    assert "8/8" in evidence.text and "Send a photo or a document" in evidence.text
    await harness.server.send_document_from(emma.user, b"%PDF-1.4 report", "report.pdf", mime_type="application/pdf")
    summary = await harness.next_containing(emma, "your answers")
    assert "💬 HR would not give the figure" in summary.text
    assert "→ 12.5%" in summary.text and "→ Care services, Health" in summary.text and "📎 report.pdf" in summary.text
    thanks = await harness.press(emma, summary, "📤 Submit")
    assert "Thank you" in thanks.text and "/surveys" in thanks.text


async def test_a_coordinator_of_two_groups_picks_indicators_for_one(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    _, (leyla,) = await group_with(harness, ("Leyla", "tr"), name="Ekonomik Güçlenme", city="Gaziantep",
                                   coordinator=zeynep)
    await harness.send(zeynep, "/anket")
    pick_group = await harness.next(zeynep)
    assert pick_group.button_texts == ["Kadın Dostu Kent (Kars)", "Ekonomik Güçlenme (Gaziantep)"]
    source = await harness.press(zeynep, pick_group, "Ekonomik Güçlenme (Gaziantep)")
    assert "Ekonomik Güçlenme" in source.text
    indicators = await harness.press(zeynep, source, "📋 Göstergeleri kendim seçeceğim")
    assert len(indicators.button_texts) == 17 and indicators.button_texts[3].startswith("⬜ I4 ")
    empty = await harness.press(zeynep, indicators, "✔️ Tamam")
    assert "En az bir" in empty.text
    indicators = await harness.next(zeynep)  # the list again
    await harness.server.press_button(zeynep.user, indicators, indicators.button_texts[3])
    await harness.server.wait_for_edit(indicators, lambda m: m.button_texts[3].startswith("☑️ I4 "))
    await harness.server.press_button(zeynep.user, indicators, indicators.button_texts[12])
    await harness.server.wait_for_edit(indicators, lambda m: m.button_texts[12].startswith("☑️ I13 "))
    ask_deadline = await harness.press(zeynep, indicators, "✔️ Tamam")
    assert "Son gün" in ask_deadline.text
    anonymity = await harness.send(zeynep, "Cuma, 11.12.2026 17:00")
    preview = await harness.send(zeynep, "anonim")  # the button's word, typed
    assert "Gösterge anketi" in preview.text and "anonim" in preview.text
    assert "1. Belediye kreş kapasitesi" in preview.text and "2. Kurs ve istihdama" in preview.text
    sent = await harness.press(zeynep, preview, "📤 Gönder")
    assert "Ekonomik Güçlenme grubunda 2 kişiye" in sent.text  # Zeynep and Leyla
    invitation = await harness.next_containing(leyla, "Yeni anket", timeout=10)
    assert "Ekonomik Güçlenme" in invitation.text and "Anonim" in invitation.text
    await harness.settle()
    assert not any("Yeni anket" in text for text in texts(harness, ayse))  # the other group


async def test_typing_the_start_word_instead_of_tapping(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await _send(harness, "toplanti_geri_bildirim")
    await harness.next_containing(ayse, "Yeni anket", timeout=10)
    await harness.send(ayse, "Başla")
    first = await harness.next_containing(ayse, "1. soru")
    assert "memnun" in first.text
    await harness.send(ayse, "iptal")
    await harness.send(ayse, "devam")
    assert "memnun" in (await harness.next_containing(ayse, "1. soru")).text


async def test_a_coordinator_fills_in_a_target_card_in_the_chat(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    assert "yalnızca koordinatörler" in (await harness.send(ayse, "/hedef")).text
    pick = await harness.send(zeynep, "/hedef")
    assert len(pick.button_texts) == 16 and pick.button_texts[9].startswith("I10 ")
    ask = await harness.press(zeynep, pick, pick.button_texts[9])
    assert "başlangıç — · hedef —" in ask.text and "400 2024" in ask.text
    wrong = await harness.send(zeynep, "otuz beş")  # one message: the problem and the question again
    assert "okunamadı" in wrong.text and "başlangıç — · hedef —" in wrong.text
    targets = await harness.send(zeynep, "%35,0 2024")
    assert "başlangıç 35 (2024)" in targets.text
    saved = await harness.send(zeynep, "2026=50, 2027=%62,5")
    assert "başlangıç 35 (2024) · hedef 2026: 50, 2027: 62,5" in saved.text
    async with harness.services.db.read() as conn:
        card = await repo.target_card(conn, 1, "I10")
    assert card is not None and card.targets == {2026: 50, 2027: 62.5} and card.baseline_year == 2024
    again = await harness.send(zeynep, "/hedef")
    assert again.button_texts[9].startswith("🎯 I10 ")
