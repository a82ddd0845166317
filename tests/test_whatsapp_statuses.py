"""Failures Meta reports later, by signed status webhook after a 200 on the send, are acted on
exactly like the same error on the send: 131026 → unreachable (the coordinator's card counts
her so, no more notices), 131047 → held + the one template, others → failed."""

from __future__ import annotations

import re

from bot.emulator.whatsapp import FakeWaUser
from tests.meetings_support import announce, group_with
from tests.whatsapp_support import WaHarness, graph, wa  # noqa: F401  (fixtures)


async def _wa_member(wa: WaHarness, phone: str | None = "905321234567", user_id: str | None = None) -> FakeWaUser:
    code = (await wa.services.groups.new_member_invite(1)).code
    user = wa.graph.user("Ayşe", phone=phone, user_id=user_id)
    await wa.wa_join(user, code, "tr")
    await wa.wa_skip(user)
    return user


def _delivery(card_text: str) -> tuple[int, ...]:
    found = re.search(r"📬 (\d+) kişiden (\d+) kişiye ulaştı · bekleyen: (\d+) · başarısız: (\d+) · "
                      r"ulaşılamayan \(botu engellemiş\): (\d+)", card_text)
    assert found, card_text
    return tuple(int(group) for group in found.groups())


async def _card(wa: WaHarness, zeynep) -> str:  # type: ignore[no-untyped-def]
    await wa.settle()
    card = await wa.send(zeynep, "/toplantilar")
    return card.text or ""


async def test_undeliverable_reported_later_marks_her_unreachable_by_bsuid(wa: WaHarness) -> None:  # noqa: F811
    zeynep, _ = await group_with(wa)
    # A username user: no phone anywhere, a business-scoped id with letters.
    ayse = await _wa_member(wa, phone=None, user_id="TR.Xk3Lm9Qp2Rw")
    wa.graph.fail_later(131026, ayse)
    await announce(wa, zeynep)
    notice = await wa.wa_next(ayse, "Yeni toplantı")  # Meta answered 200 …
    assert _delivery(await _card(wa, zeynep)) == (2, 2, 0, 0, 0)
    assert await wa.graph.flush_statuses() == 1  # … then reports it undeliverable
    await wa.settle()
    assert _delivery(await _card(wa, zeynep)) == (2, 1, 0, 0, 1)
    members = await wa.send(zeynep, "/uyeler")
    assert re.search(r"Ayşe.*ulaşılamıyor", members.text or ""), members.text
    # She gets no more notices; the next one counts her unreachable at once.
    before = len(wa.graph.messages_to(ayse))
    await announce(wa, zeynep, title="Ocak toplantısı", when="07.01.2027 14:00")
    await wa.settle()
    assert len(wa.graph.messages_to(ayse)) == before
    assert notice.id  # the status named the message by its id


async def test_a_status_for_an_unknown_message_finds_her_by_her_business_scoped_id(wa: WaHarness) -> None:  # noqa: F811
    await group_with(wa)
    ayse = await _wa_member(wa)
    status = {"id": "wamid.NOT-OURS", "status": "failed", "timestamp": "1", "recipient_user_id": ayse.user_id,
              "errors": [{"code": 131026, "title": "Message undeliverable"}]}
    assert await wa.graph.post_statuses([status]) == 200
    row = await wa.services.db.fetchone("SELECT unreachable_at FROM members WHERE display_name = 'Ayşe'")
    assert row is not None and row["unreachable_at"] is not None
    # She writes again: reachable again, as after unblocking on Telegram.
    await wa.wa_send(ayse, "yardım")
    row = await wa.services.db.fetchone("SELECT unreachable_at FROM members WHERE display_name = 'Ayşe'")
    assert row is not None and row["unreachable_at"] is None


async def test_re_engagement_reported_later_holds_the_notice_and_sends_the_one_template(wa: WaHarness) -> None:  # noqa: F811
    zeynep, _ = await group_with(wa)
    ayse = await _wa_member(wa)
    wa.graph.fail_later(131047, ayse)
    await announce(wa, zeynep)
    await wa.wa_next(ayse, "Yeni toplantı")
    assert await wa.graph.flush_statuses() == 1
    template = await wa.wa_next(ayse)
    assert template.type == "template" and template.template == "koordinat_notice"
    # The same status again (Meta may repeat a webhook) changes nothing more.
    failed = wa.graph.sent[-2]
    assert await wa.graph.post_statuses([wa.graph.status(failed, "failed", 131047)]) == 200
    assert await wa.wa_skip(ayse) == []
    # She answers the template: the notice she missed arrives, dated, with its buttons.
    await wa.graph.send_text(ayse, "menü")
    held = await wa.wa_next(ayse, "Yeni toplantı")
    assert "tarihli mesaj" in held.text and held.buttons


async def test_other_failures_reported_later_count_as_failed(wa: WaHarness) -> None:  # noqa: F811
    zeynep, _ = await group_with(wa)
    ayse = await _wa_member(wa)
    wa.graph.fail_later(131049, ayse)
    await announce(wa, zeynep)
    await wa.wa_next(ayse, "Yeni toplantı")
    await wa.graph.flush_statuses()
    assert _delivery(await _card(wa, zeynep)) == (2, 1, 0, 1, 0)
    row = await wa.services.db.fetchone("SELECT unreachable_at FROM members WHERE display_name = 'Ayşe'")
    assert row is not None and row["unreachable_at"] is None  # still reachable: only this one failed
    # Delivered and read statuses change nothing.
    sent = wa.graph.messages_to(ayse)[-1]
    assert await wa.graph.post_statuses([wa.graph.status(sent, "delivered"), wa.graph.status(sent, "read")]) == 200
    assert _delivery(await _card(wa, zeynep)) == (2, 1, 0, 1, 0)
