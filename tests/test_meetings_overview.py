"""The coordinator's overview (issue 10, items 12, 16, 18): commands named as she knows them,
upcoming meetings first and at most three past ones with "older" on request, and a button
that reminds those who have not answered."""

from __future__ import annotations

from datetime import timedelta

from tests.harness import Harness
from tests.meetings_support import announce, group_with, notice, texts


async def test_commands_are_named_as_the_person_knows_them(harness: Harness) -> None:
    zeynep, (ayse, emma) = await group_with(harness, ("Ayşe", "tr"), ("Emma", "en"))
    assert "/toplanti yalnızca koordinatörler içindir" in (await harness.send(ayse, "/toplanti")).text
    assert "/newmeeting is for coordinators only" in (await harness.send(emma, "/newmeeting")).text
    assert "/toplanti yalnızca" in (await harness.send(ayse, "toplanti")).text  # typed as a word
    turkish_help = await harness.send(ayse, "/yardim")
    assert "/toplantilar /meetings" in turkish_help.text and "/yardim /help" in turkish_help.text
    english_help = await harness.send(emma, "/help")
    assert "/meetings /toplantilar" in english_help.text
    private = await harness.send(zeynep, "/baglan")
    assert "grubun Telegram sohbetinde" in private.text and "/baglan" in private.text


async def test_upcoming_first_then_three_past_meetings_and_older_on_request(harness: Harness) -> None:
    zeynep, _ = await group_with(harness, ("Ayşe", "tr"))
    group_id = 1  # the only group
    start = harness.clock.now()
    for hours in range(1, 6):
        await harness.services.meetings.create_and_announce(
            group_id=group_id, title=f"Toplantı {hours}", starts_at=start + timedelta(hours=hours), place="Salon")
    await harness.services.meetings.create_and_announce(
        group_id=group_id, title="Gelecek toplantı", starts_at=start + timedelta(days=3), place="Salon")
    await harness.next_containing(zeynep, "Gelecek toplantı")  # all six notices are in
    await harness.advance(timedelta(hours=6))
    upcoming = await harness.send(zeynep, "/toplantilar")
    assert "Gelecek toplantı" in upcoming.text  # upcoming first
    for number in (5, 4, 3):  # then the last three held, latest first
        await harness.next_containing(zeynep, f"Geçmiş toplantı: Toplantı {number}")
    await harness.settle()
    past = [text for text in texts(harness, zeynep) if text.startswith("🗓 Geçmiş toplantı")]
    assert len(past) == 3
    last = harness.server.messages(zeynep.chat_id)[-1]
    assert "Toplantı 3" in (last.text or "") and "🗂 Daha eski toplantılar" in last.button_texts
    await harness.server.press_button(zeynep.user, last, "🗂 Daha eski toplantılar")
    await harness.next_containing(zeynep, "Geçmiş toplantı: Toplantı 2")
    older = await harness.next_containing(zeynep, "Geçmiş toplantı: Toplantı 1")
    assert "🗂 Daha eski toplantılar" not in older.button_texts


async def test_a_coordinator_reminds_those_who_have_not_answered(harness: Harness) -> None:
    zeynep, (ayse, fatma) = await group_with(harness, ("Ayşe", "tr"), ("Fatma", "tr"))
    await announce(harness, zeynep)
    invitation = await notice(harness, ayse)
    await harness.server.press_button(ayse.user, invitation, "✅ Katılıyorum")
    await harness.server.wait_for_edit(invitation, lambda m: "Yanıtınız" in (m.text or ""))
    await notice(harness, fatma)
    overview = await harness.send(zeynep, "/toplantilar")
    done = await harness.press(zeynep, overview, "⏳ Yanıt vermeyenlere hatırlat")
    assert "yanıt vermeyen 2 kişiye" in done.text  # Fatma and Zeynep herself
    nudge = await harness.next_containing(fatma, "Hatırlatma")
    assert "Katılacak mısınız?" in nudge.text and "✅ Katılıyorum" in nudge.button_texts
    await harness.settle()
    assert not any("Hatırlatma" in text for text in texts(harness, ayse))  # she answered
    await harness.server.press_button(zeynep.user, overview, "⏳ Yanıt vermeyenlere hatırlat")  # again: asked first
    again = await harness.next_containing(zeynep, "son hatırlatma")
    assert "son hatırlatma" in again.text and again.button_texts == ["📨 Yine de gönder", "Vazgeç"], again.text
    await harness.server.press_button(zeynep.user, again, "Vazgeç")
    await harness.next_containing(zeynep, "olduğu gibi")
    await harness.settle()
    assert sum("Hatırlatma" in text for text in texts(harness, fatma)) == 1
    await harness.advance(timedelta(hours=2))  # two hours later she insists: one more goes out
    await harness.server.press_button(zeynep.user, overview, "⏳ Yanıt vermeyenlere hatırlat")
    again = await harness.next_containing(zeynep, "son hatırlatma")
    await harness.server.press_button(zeynep.user, again, "📨 Yine de gönder")
    await harness.next_containing(zeynep, "yanıt vermeyen 2 kişiye")
    await harness.next_containing(fatma, "Hatırlatma")
    await harness.settle()
    assert sum("Hatırlatma" in text for text in texts(harness, fatma)) == 2
