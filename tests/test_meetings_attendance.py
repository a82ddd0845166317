"""After the meeting: who came (one tap per person), the attendance history in /uyeler, and
what /verilerim and /unut do with answers and attendance."""

from __future__ import annotations

import json
from datetime import timedelta

from bot.models import Actor, Role
from storage import meetings as meetings_repo
from storage import members as members_repo
from tests.harness import Harness
from tests.meetings_support import announce, group_with, notice


async def test_attendance_is_taken_with_one_tap_each_and_kept_as_history(harness: Harness) -> None:
    zeynep, (ayse, fatma) = await group_with(harness, ("Ayşe", "tr"), ("Fatma", "tr"))
    await announce(harness, zeynep, title="Kasım toplantısı", when="25.11.2026 14:00", agenda=None)
    invitation = await notice(harness, ayse)
    await harness.server.press_button(ayse.user, invitation, "✅ Katılıyorum")
    await harness.server.wait_for_edit(invitation, lambda m: "Yanıtınız" in (m.text or ""))

    # Attendance before the meeting is refused, even with a crafted button id.
    early = await harness.services.conversation.on_choice(
        Actor(channel="telegram", external_id=str(zeynep.chat_id)), "att:1:2")
    assert "henüz başlamadı" in early[0].text

    await harness.advance(timedelta(hours=6))  # the meeting is over
    overview = await harness.send(zeynep, "/toplantilar")
    assert "Geçmiş toplantı" in overview.text and "yoklama alınmadı" in overview.text
    sheet = await harness.press(zeynep, overview, "📝 Yoklama")
    assert "yoklama: 0/3" in sheet.text
    assert sheet.button_texts == ["⬜ Ayşe (✅)", "⬜ Fatma", "⬜ Zeynep"]  # alphabetical, with the RSVP
    await harness.server.press_button(zeynep.user, sheet, "⬜ Ayşe (✅)")
    await harness.server.wait_for_edit(sheet, lambda m: "✅ Ayşe (✅)" in m.button_texts)
    await harness.server.press_button(zeynep.user, sheet, "⬜ Zeynep")
    await harness.server.wait_for_edit(sheet, lambda m: "yoklama: 2/3" in (m.text or ""))
    await harness.server.press_button(zeynep.user, sheet, "✅ Zeynep")  # a slip, undone
    await harness.server.wait_for_edit(sheet, lambda m: "yoklama: 1/3" in (m.text or ""))

    # A second meeting; this time only Zeynep comes.
    await announce(harness, zeynep, title="Aralık toplantısı", when="02.12.2026 10:00", agenda=None)
    await harness.advance(timedelta(days=7))
    latest = await harness.send(zeynep, "/toplantilar")
    earlier = await harness.next(zeynep)
    assert "Aralık toplantısı" in latest.text and "yoklama alınmadı" in latest.text
    assert "Kasım toplantısı" in earlier.text and "gelen: 1" in earlier.text
    sheet = await harness.press(zeynep, latest, "📝 Yoklama")
    await harness.server.press_button(zeynep.user, sheet, "⬜ Zeynep")
    await harness.server.wait_for_edit(sheet, lambda m: "yoklama: 1/3" in (m.text or ""))

    members = await harness.send(zeynep, "/uyeler")
    assert "Ayşe (üye) — 📋 1/2" in members.text
    assert "Fatma (üye) — 📋 0/2 ⚠️ son 2 toplantıya gelmedi" in members.text
    assert "Zeynep (koordinatör) — 📋 1/2" in members.text and "Zeynep (koordinatör) — 📋 1/2 ⚠️" not in members.text

    # Members cannot take attendance.
    refused = await harness.services.conversation.on_choice(
        Actor(channel="telegram", external_id=str(ayse.chat_id)), "att:1:2")
    assert "yalnızca koordinatörler" in refused[0].text


async def test_a_latecomer_is_not_on_the_sheet_of_a_meeting_held_before_she_joined(harness: Harness) -> None:
    zeynep, _ = await group_with(harness, ("Ayşe", "tr"))
    await announce(harness, zeynep, title="Kasım toplantısı", when="25.11.2026 14:00", agenda=None)
    await harness.advance(timedelta(hours=6))
    invite = await harness.send(zeynep, "/davet")
    elif_ = harness.person("Elif")
    await harness.join(elif_, invite.text.split("?start=")[1].split()[0])

    overview = await harness.send(zeynep, "/toplantilar")
    sheet = await harness.press(zeynep, overview, "📝 Yoklama")
    assert "Elif" not in " ".join(sheet.button_texts) and "0/2" in sheet.text
    await harness.server.press_button(zeynep.user, sheet, "⬜ Ayşe")
    await harness.server.wait_for_edit(sheet, lambda m: "1/2" in (m.text or ""))
    members = await harness.send(zeynep, "/uyeler")
    assert "Elif (üye)\n" in members.text + "\n" and "Elif (üye) —" not in members.text


async def test_my_data_lists_answers_and_forget_keeps_only_the_head_count(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await announce(harness, zeynep, title="Kasım toplantısı", when="25.11.2026 14:00", agenda=None)
    invitation = await notice(harness, ayse)
    await harness.server.press_button(ayse.user, invitation, "🤔 Belki")
    await harness.server.wait_for_edit(invitation, lambda m: "Yanıtınız" in (m.text or ""))
    await harness.advance(timedelta(hours=6))
    sheet = await harness.press(zeynep, await harness.send(zeynep, "/toplantilar"), "📝 Yoklama")
    await harness.server.press_button(zeynep.user, sheet, "⬜ Ayşe (🤔)")
    await harness.server.wait_for_edit(sheet, lambda m: "1/2" in (m.text or ""))

    export = await harness.send(ayse, "/verilerim")
    meetings = json.loads(export.document_bytes or b"{}")["meetings"]
    assert [{key: row[key] for key in ("title", "starts_at", "answer", "attended")} for row in meetings] == [
        {"title": "Kasım toplantısı", "starts_at": "2026-11-25T11:00:00+00:00", "answer": "maybe", "attended": 1}]
    await harness.next(ayse)  # the same data as a readable document

    confirm = await harness.send(ayse, "/unut")
    await harness.press(ayse, confirm, "forget:yes")
    overview = await harness.send(zeynep, "/toplantilar")
    assert "gelen: 1" in overview.text  # the meeting's head count stays, anonymous
    members = await harness.send(zeynep, "/uyeler")
    assert "Ayşe" not in members.text
    rows = await harness.services.db.fetchall("SELECT member_id, attended FROM attendance")
    assert [tuple(row) for row in rows] == [(None, 1)]
    assert await harness.services.db.fetchall("SELECT * FROM rsvps") == []


async def test_the_attendance_sheet_of_a_2000_member_group_is_paged(harness: Harness) -> None:
    zeynep, _ = await group_with(harness)
    now = harness.clock.now()
    async with harness.services.db.transaction() as tx:
        for number in range(2000):
            member = await members_repo.create(tx, display_name=f"Üye {number:04d}", language="tr",
                                               channel="telegram", external_id=f"big-{number}", now=now)
            await members_repo.add_membership(tx, 1, member.id, Role.MEMBER, now)
        # Stored directly: a notice to 2,000 chats the fake API does not know is not the point here.
        await meetings_repo.create(tx, group_id=1, title="Büyük toplantı", starts_at=now + timedelta(hours=1),
                                             place="Salon", agenda=None, quorum=None, created_by=None, now=now)
    upcoming = await harness.send(zeynep, "/toplantilar")  # before it: the attendee list fits one message
    attendees = await harness.press(zeynep, upcoming, "👥 Katılımcılar")
    assert len(attendees.text) < 4096 and "⏳ Yanıt vermedi (2001)" in attendees.text
    assert "ve 1961 kişi daha" in attendees.text
    await harness.advance(timedelta(hours=3))
    overview = await harness.send(zeynep, "/toplantilar")
    sheet = await harness.press(zeynep, overview, "📝 Yoklama")
    buttons = [button for row in sheet.buttons for button in row]
    assert len(buttons) <= 100 and "yoklama: 0/2001" in sheet.text and "Sayfa 1/34" in sheet.text
    assert sheet.button_texts[:2] == ["⬜ Zeynep", "⬜ Üye 0000"]
    assert sheet.button_texts[-1] == "▶"
    await harness.server.press_button(zeynep.user, sheet, "▶")
    await harness.server.wait_for_edit(sheet, lambda m: "Sayfa 2/34" in (m.text or ""))
    assert sheet.button_texts[-2:] == ["◀", "▶"]
    first_on_page = sheet.button_texts[0]
    await harness.server.press_button(zeynep.user, sheet, first_on_page)
    await harness.server.wait_for_edit(sheet, lambda m: "yoklama: 1/2001" in (m.text or ""))
    assert "Sayfa 2/34" in sheet.text and sheet.button_texts[0] == "✅" + first_on_page[1:]


async def test_a_long_member_list_comes_as_a_file(harness: Harness) -> None:
    zeynep, _ = await group_with(harness)
    now = harness.clock.now()
    async with harness.services.db.transaction() as tx:
        for number in range(300):
            member = await members_repo.create(tx, display_name=f"Üye {number:03d}", language="tr",
                                               channel="telegram", external_id=f"many-{number}", now=now)
            await members_repo.add_membership(tx, 1, member.id, Role.MEMBER, now)
    listing = await harness.send(zeynep, "/uyeler")
    assert "dosya olarak ekte" in listing.text and listing.document_name == "uyeler-1.txt"
    assert "Üye 299 (üye)" in listing.document_bytes.decode("utf-8")
