"""What the Cloud API answers and what the bot does about it; media; identity changes;
/verilerim and /unut for a WhatsApp member."""

from __future__ import annotations

import json

from bot.emulator.whatsapp import FakeWaUser
from tests.whatsapp_support import WaHarness, graph, wa  # noqa: F401  (fixtures)


async def _member(wa: WaHarness, name: str = "Ayşe", phone: str | None = "905321234567") -> FakeWaUser:
    created = await wa.create_group()
    user = wa.graph.user(name, phone=phone)
    await wa.wa_join(user, created.member_invite.code, "tr")
    await wa.wa_skip(user)
    return user


async def test_pair_rate_and_throughput_errors_are_retried_after_a_pause(wa: WaHarness) -> None:
    ayse = await _member(wa)
    before = len(wa.graph.sent)
    wa.graph.fail_next(131056, ayse)
    wa.graph.fail_next(130429, ayse)
    await wa.graph.send_text(ayse, "yardım")
    help_ = await wa.wa_next(ayse, timeout=20)
    assert "*yardim* *help*" in help_.text  # Turkish names first for a Turkish member
    assert [e.code for _, e in wa.graph.rejected] == [131056, 130429]
    assert len([m for m in wa.graph.sent[before:] if "*help*" in m.text]) == 1


async def test_an_undeliverable_member_is_marked_unreachable_for_the_coordinators(wa: WaHarness) -> None:
    ayse = await _member(wa)
    wa.graph.fail_next(131026, ayse)
    await wa.graph.send_text(ayse, "yardım")
    await wa.settle()
    row = await wa.services.db.fetchone("SELECT unreachable_at FROM members WHERE display_name = 'Ayşe'")
    assert row is not None and row["unreachable_at"] is not None
    await wa.graph.send_text(ayse, "yardım")  # she writes again: reachable, and answered
    assert "*help*" in (await wa.wa_next(ayse, "*help*")).text
    row = await wa.services.db.fetchone("SELECT unreachable_at FROM members WHERE display_name = 'Ayşe'")
    assert row is not None and row["unreachable_at"] is None


async def test_a_template_error_is_recorded_on_the_outbox_row(wa: WaHarness, caplog) -> None:  # type: ignore[no-untyped-def]
    ayse = await _member(wa)
    wa.graph.fail_next(131047, ayse)  # window closed → template …
    wa.graph.fail_next(132001, ayse)  # … which Meta does not know
    await wa.graph.send_text(ayse, "yardım")
    await wa.settle()
    row = await wa.services.db.fetchone("SELECT status, error FROM outbox ORDER BY id DESC LIMIT 1")
    assert row is not None and row["status"] == "failed" and "132001" in row["error"]
    assert "koordinat_notice" in caplog.text and "approved" in caplog.text


async def test_a_photo_is_downloaded_through_the_media_endpoint_even_after_its_url_expired(wa: WaHarness) -> None:
    ayse = await _member(wa)
    payload = await wa.graph.send_image(ayse, b"\xff\xd8JPEG-bytes", caption="Kars")
    hint = await wa.wa_next(ayse)
    assert hint.text  # no dialog asks for a photo: a hint, not silence
    media_id = payload["entry"][0]["changes"][0]["value"]["messages"][0]["image"]["id"]
    assert wa.bot is not None and wa.bot.whatsapp_channel is not None
    wa.graph.expire_next_urls = 1
    assert await wa.bot.whatsapp_channel.download(media_id) == b"\xff\xd8JPEG-bytes"


async def test_a_changed_user_id_keeps_her_membership(wa: WaHarness) -> None:
    ayse = await _member(wa)
    await wa.graph.change_user_id(ayse, "TR.99887766554433", new_phone="905329998877")
    await wa.settle()
    answer = await wa.wa_send(ayse, "dil")
    assert answer.titles == ["Türkçe", "English"]  # still a member (a stranger gets a hint)
    row = await wa.services.db.fetchone("SELECT wa_id FROM whatsapp_contacts WHERE user_id = 'TR.99887766554433'")
    assert row is not None and row["wa_id"] == "+905329998877"


async def test_mydata_holds_her_phone_and_forget_deletes_it(wa: WaHarness, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level("INFO")
    ayse = await _member(wa)
    export = await wa.wa_send(ayse, "verilerim")
    assert export.type == "document"
    data = json.loads(wa.graph.media_bytes(export.media_id or ""))
    assert data["whatsapp"][0]["phone"] == "+905321234567"
    readable = await wa.wa_next(ayse)  # the same, as a document her phone opens
    assert readable.type == "document" and (readable.filename or "").endswith(".docx")
    confirm = await wa.wa_send(ayse, "unut")
    done = await wa.wa_tap(ayse, confirm, "🗑 Evet, sil")
    assert done.type == "text" and done.text  # the goodbye still arrives, free-form
    row = await wa.services.db.fetchone("SELECT COUNT(*) AS n FROM whatsapp_contacts WHERE wa_id IS NOT NULL")
    assert row is not None and row["n"] == 0
    await wa.settle()
    row = await wa.services.db.fetchone("SELECT COUNT(*) AS n FROM whatsapp_sent WHERE user_id = ?", (ayse.user_id,))
    assert row is not None and row["n"] == 0  # the ids of messages sent to her went with her
    assert "905321234567" not in caplog.text  # never a phone number in the logs
