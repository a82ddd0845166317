"""WhatsApp words: a typed number presses the reply buttons of the last message she saw, and
commands are named as the words she types (no slash) in every message."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.clock import ManualClock, utc_timestamp
from bot.emulator.whatsapp import FakeGraphApi
from bot.services.surveys.content import library
from tests.meetings_support import group_with
from tests.whatsapp_support import WaHarness, wa  # noqa: F401  (fixtures)

DEADLINE = datetime(2026, 12, 5, 11, 0, tzinfo=UTC)


@pytest.fixture
async def graph(clock: ManualClock) -> AsyncIterator[FakeGraphApi]:
    async with FakeGraphApi(now=lambda: utc_timestamp(clock.now()), pair_seconds=0.05, pair_burst=1000) as server:
        yield server


async def test_typing_1_at_a_survey_invitation_starts_it(wa: WaHarness) -> None:  # noqa: F811
    zeynep, _ = await group_with(wa)
    code = (await wa.services.groups.new_member_invite(1)).code
    ayse = wa.graph.user("Ayşe", phone="905321234567")
    await wa.wa_join(ayse, code, "tr")
    joined = await wa.wa_skip(ayse)
    print([ (m.text, m.titles) for m in joined])
    await wa.services.surveys.send(group_id=1, form=library().templates["izleme"], deadline=DEADLINE,
                                   anonymous=False, created_by=1, template="izleme")
    await wa.settle()
    invitation = (await wa.wa_skip(ayse))[-1]
    assert invitation.titles == ["▶️ Başla", "⏰ Sonra"], invitation.titles
    started = await wa.wa_send(ayse, "1")
    assert "1/6" in started.text, started.text



async def test_a_typed_number_presses_buttons_that_reached_her_after_her_question_without_a_broadcast(
        wa: WaHarness) -> None:  # noqa: F811
    """Not every message after her question is a broadcast (a co-planning author's notice, a
    held message released when she writes): the buttons on her screen are not her number
    question's own, so "2" presses the second of them."""
    from bot.models import Button, Reply
    from tests.test_whatsapp_survey import _answers, _at_first_question
    _, ayse, question = await _at_first_question(wa)
    assert question.titles == ["💬 Yorum ekle"]
    member = await wa.services.db.fetchone("SELECT member_id FROM identities WHERE channel = 'whatsapp'")
    notice = Reply(text="📋 Anketiniz sizi bekliyor", buttons=[[Button(label="▶️ Devam", choice="sv:1:start"),
                                                                Button(label="⏰ Sonra", choice="sv:1:later")]])
    await wa.services.broadcasts.send_to_members(None, [int(member["member_id"])], lambda lang: notice, key_prefix="t:wa")
    await wa.settle()
    shown = (await wa.wa_skip(ayse))[-1]
    assert shown.titles == ["▶️ Devam", "⏰ Sonra"], shown.titles
    later = await wa.wa_send(ayse, "2")
    assert later.text.startswith("Tamam. Son gün") and "Kaydedildi" not in later.text, later.text
    assert await _answers(wa) == 0  # not 2 % in her open survey


def _slash_commands(text: str, names: list[str]) -> list[str]:
    import re
    return [name for name in names if re.search(rf"(?<![\w/]){'/' + re.escape(name)}(?![\w])", text)]


async def test_no_whatsapp_message_names_a_slash_command(wa: WaHarness) -> None:  # noqa: F811
    """WhatsApp has no slash commands: she types the word (`yardım`, `rapor`, `anketler`),
    so no message she gets in a typical session says `/rapor` or `/anketler`."""
    zeynep, _ = await group_with(wa)
    code = (await wa.services.groups.new_member_invite(1)).code
    ayse = wa.graph.user("Ayşe", phone="905321234567")
    await wa.wa_join(ayse, code, "tr")
    await wa.wa_skip(ayse)
    for typed in ("yardım", "menü", "rapor", "merhaba", "anketler", "/rapor", "dil", "iptal", "gizlilik"):
        await wa.graph.send_text(ayse, typed)
        await wa.wa_skip(ayse)
    await wa.services.surveys.send(group_id=1, form=library().templates["izleme"], deadline=DEADLINE,
                                   anonymous=False, created_by=1, template="izleme")
    await wa.settle()
    await wa.wa_send(ayse, "1")  # Başla
    for typed in ("%40", "yardım", "sonra", "anketler"):
        await wa.graph.send_text(ayse, typed)
        await wa.wa_skip(ayse)
    names = wa.services.conversation.command_names()
    texts = [m.text for m in wa.graph.messages_to(ayse)] + \
        [f"{b.title} {r.title} {r.description or ''}" for m in wa.graph.messages_to(ayse)
         for b in m.buttons for r in m.rows] + [b.title for m in wa.graph.messages_to(ayse) for b in m.buttons]
    assert any("*rapor*" in text for text in texts)  # "rapor is for coordinators", as a word
    assert {text[:80]: found for text in texts if (found := _slash_commands(text, names))} == {}


def test_every_catalog_text_reaches_whatsapp_without_a_slash_command() -> None:
    from handlers.whatsapp.render import whatsapp_text
    from messages import LANGUAGES, catalog
    names = ["yardim", "help", "rapor", "report", "anketler", "surveys", "gizlilik", "privacy", "sessiz",
             "quiet", "tercih", "unut", "forget", "anket", "survey", "toplanti", "meeting", "iptal", "cancel"]
    for lang in LANGUAGES:
        found = {key: hits for key, text in catalog(lang).items() if not key.startswith("demo.")
                 and (hits := _slash_commands(whatsapp_text(str(text)), names))}
        assert found == {}, lang
    assert whatsapp_text("Tarih 03/12/2026, oran 1/6, ve/veya, https://örnek.org/rapor") == \
        "Tarih 03/12/2026, oran 1/6, ve/veya, https://örnek.org/rapor"
    assert whatsapp_text("<b>Komutlar: /yardim</b> (/rapor)") == "*Komutlar: yardim* (*rapor*)"
