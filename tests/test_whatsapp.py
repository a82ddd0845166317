"""WhatsApp members, end to end: the fake Graph API posts signed webhooks to the real web
server, the real bot answers through pywa, and we read what her phone shows."""

from __future__ import annotations

from tests.whatsapp_support import WaHarness, graph, wa  # noqa: F401  (fixtures)


async def test_ayse_joins_on_whatsapp_with_a_typed_code_and_buttons(wa: WaHarness) -> None:
    created = await wa.create_group()
    ayse = wa.graph.user("Ayşe", phone="905321234567")
    picker = await wa.wa_send(ayse, f"katıl {created.member_invite.code}")
    assert picker.type == "interactive" and picker.titles == ["Türkçe", "English"]
    notice = await wa.wa_tap(ayse, picker, "English")
    assert "Kars Kadın Meclisi Derneği" in notice.text  # the privacy notice names the controller
    question = await wa.wa_next(ayse)
    assert question.titles == ["✅ I agree", "❌ I do not agree"]
    second = await wa.wa_tap(ayse, question, "✅ I agree")
    welcome = await wa.wa_tap(ayse, second, "✅ I agree")
    assert "You joined" in welcome.text or "joined" in welcome.text, welcome.text
    assert "<b>" not in welcome.text  # WhatsApp formatting, not HTML
