"""A WhatsApp member's own words mid-survey: the keywords the bot tells her to type are the
keywords at a number question (her survey comes back after), and the last message she saw
wins for numbered choices as for Telegram buttons."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock, utc_timestamp
from bot.emulator.whatsapp import FakeGraphApi, FakeWaUser, WaMessage
from bot.services.surveys.content import library
from tests.meetings_support import announce, group_with
from tests.whatsapp_support import WaHarness, wa  # noqa: F401  (fixtures)

DEADLINE = datetime(2026, 12, 5, 11, 0, tzinfo=UTC)


@pytest.fixture
async def graph(clock: ManualClock) -> AsyncIterator[FakeGraphApi]:
    """The fake without its pair-rate limit: these tests are about words, not pacing (a
    131056 retry waits on the test's manual clock)."""
    async with FakeGraphApi(now=lambda: utc_timestamp(clock.now()), pair_seconds=0.05, pair_burst=1000) as server:
        yield server


async def _at_first_question(wa: WaHarness, user_id: str | None = None) -> tuple[object, FakeWaUser, WaMessage]:
    zeynep, _ = await group_with(wa)
    code = (await wa.services.groups.new_member_invite(1)).code
    ayse = wa.graph.user("Ayşe", phone=None if user_id else "905321234567", user_id=user_id)
    await wa.wa_join(ayse, code, "tr")
    await wa.wa_skip(ayse)
    await wa.services.surveys.send(group_id=1, form=library().templates["izleme"], deadline=DEADLINE,
                                   anonymous=False, created_by=1, template="izleme")
    await wa.settle()
    await wa.next_containing(zeynep, "Yeni anket")  # the coordinator is a member too
    invitation = await wa.wa_next(ayse, "Yeni anket")
    await wa.graph.tap(ayse, invitation, "▶️ Başla")
    question = await wa.wa_next(ayse, "1/6")
    assert "Bir yüzde yazın" in question.text
    await wa.wa_skip(ayse)
    return zeynep, ayse, question


async def _answers(wa: WaHarness) -> int:
    row = await wa.services.db.fetchone("SELECT COUNT(*) AS n FROM survey_answers")
    return int(row["n"]) if row else 0


async def test_keywords_she_is_told_to_type_work_at_a_number_question(wa: WaHarness) -> None:  # noqa: F811
    _, ayse, _ = await _at_first_question(wa, user_id="TR.Ay5eXq9Lk")  # a BSUID with letters: addressed as such
    for word, expected in (("menü", "Ne yapmak istersiniz?"), ("anketler", "Altı aylık izleme"),
                           ("Yardım", "Koordinat komutları"), ("MENU", "Ne yapmak istersiniz?")):
        await wa.graph.send_text(ayse, word)
        got = await wa.wa_skip(ayse)
        texts = [m.text for m in got]
        assert not any("okunamadı" in text for text in texts), (word, texts)
        assert expected in texts[0], (word, texts)
        assert "1/6" in texts[-1], (word, texts)  # her survey comes back after
    assert await _answers(wa) == 0
    second = await wa.wa_send(ayse, "%40")
    assert "2/6" in second.text
    assert await _answers(wa) == 1
    assert not [error for _, error in wa.graph.rejected]


async def test_a_typed_number_answers_the_notice_she_saw_last_not_her_survey(wa: WaHarness) -> None:  # noqa: F811
    zeynep, ayse, _ = await _at_first_question(wa)
    await announce(wa, zeynep)
    notice = await wa.wa_next(ayse, "Yeni toplantı")
    assert notice.titles[0] == "✅ Katılıyorum"
    await wa.graph.send_text(ayse, "1")  # "✅ Katılıyorum" is on her screen
    got = await wa.wa_skip(ayse)
    assert "kaydedildi" in got[0].text.lower() and "Katılıyorum" in got[0].text, [m.text for m in got]
    assert "1/6" in got[-1].text  # then her survey again
    assert await _answers(wa) == 0
    row = await wa.services.db.fetchone("SELECT answer FROM rsvps")
    assert row is not None and row["answer"] == "yes"
    # Now the survey question is the last message she saw: "1" is 1 %.
    second = await wa.wa_send(ayse, "1")
    assert "2/6" in second.text, second.text
    assert await _answers(wa) == 1


async def test_reply_buttons_alone_count_one_two_three_when_they_came_last(wa: WaHarness) -> None:  # noqa: F811
    _, ayse, question = await _at_first_question(wa)
    assert question.titles == ["💬 Yorum ekle"]  # the number question's own button: "1" is not it
    second = await wa.wa_send(ayse, "1")
    assert "2/6" in second.text, second.text


async def test_the_last_answer_sends_and_back_is_the_way_back(wa: WaHarness) -> None:  # noqa: F811
    _, ayse, _ = await _at_first_question(wa)
    for answer in ("%40", "3", "evet", "Resmi rapor"):
        await wa.graph.send_text(ayse, answer)
        await wa.wa_skip(ayse)
    await wa.graph.send_text(ayse, "4")
    last = (await wa.wa_skip(ayse))[-1]
    assert "6/6" in last.text and "Son soru: yanıtınızla anket gönderilir" in last.text, last.text
    assert "5/6" not in last.text
    back = await wa.wa_tap(ayse, last, "⬅️ Geri")  # the way back, before it is sent
    assert "5/6" in back.text and "Son soru" not in back.text
    await wa.graph.send_text(ayse, "2")
    again = (await wa.wa_skip(ayse))[-1]
    assert "6/6" in again.text and "Son soru" in again.text
    sent = await wa.wa_send(ayse, "Belediyeye iletilsin")
    assert "✓ Kaydedildi: Belediyeye iletilsin" in sent.text and "→ *2*" in sent.text
    assert "Teşekkürler" in sent.text and not sent.choices
    assert await _answers(wa) == 6


async def test_menu_typed_after_the_template_brings_the_held_notice_then_her_survey(wa: WaHarness) -> None:  # noqa: F811
    zeynep, ayse, _ = await _at_first_question(wa)
    await wa.advance(timedelta(hours=25))  # her window closes mid-survey
    await announce(wa, zeynep)
    await wa.settle()
    template = (await wa.wa_skip(ayse))[-1]
    assert template.type == "template"
    await wa.graph.send_text(ayse, "menü")  # as the template asks her to reply
    got = [m.text for m in await wa.wa_skip(ayse)]
    assert not any("okunamadı" in text for text in got), got
    assert any("Yeni toplantı" in text for text in got) and any("Ne yapmak istersiniz?" in text for text in got), got
    assert "1/6" in got[-1], got  # her survey, after the rest
    assert await _answers(wa) == 0


async def test_on_telegram_menu_is_still_the_help(wa: WaHarness) -> None:  # noqa: F811
    zeynep, _ = await group_with(wa)
    shown = await wa.send(zeynep, "menü")
    assert "Koordinat komutları" in (shown.text or ""), shown.text


async def test_a_typed_number_presses_the_reply_buttons_of_a_newer_notice(wa: WaHarness) -> None:  # noqa: F811
    zeynep, ayse, _ = await _at_first_question(wa)
    await wa.services.surveys.send(group_id=1, form=library().templates["toplanti_geri_bildirim"],
                                   deadline=DEADLINE, anonymous=False, created_by=1, template="toplanti_geri_bildirim")
    await wa.settle()
    invitation = (await wa.wa_skip(ayse))[-1]
    assert invitation.titles == ["▶️ Başla", "⏰ Sonra"], invitation.titles  # two reply buttons, no numbers
    later = await wa.wa_send(ayse, "2")  # she counts them: the second is "later"
    assert later.text.startswith("Tamam. Son gün") and "Kaydedildi" not in later.text, later.text
    assert await _answers(wa) == 0  # not 2 % in her open survey


async def test_a_wrong_code_typed_to_join_is_refused_with_the_reason(wa: WaHarness) -> None:  # noqa: F811
    await wa.create_group()
    ayse = wa.graph.user("Ayşe", phone="905321234567")
    refused = await wa.wa_send(ayse, "katıl YANLIS123")
    assert "geçerli bir davet kodu değil" in refused.text and "Örnek" in refused.text, refused.text
    row = await wa.services.db.fetchone("SELECT COUNT(*) AS n FROM members")
    assert row is not None and row["n"] == 0
