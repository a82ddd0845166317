"""Edits are not answers (item 15) and a file where text is expected gets a hint naming what
the step expects (item 16), end to end."""

from __future__ import annotations

from tests.harness import Harness
from tests.meetings_support import announce, group_with, notice
from tests.test_uploads import PNG


async def _dialog_data(harness: Harness) -> tuple[str, str] | None:
    row = await harness.services.db.fetchone("SELECT step, data FROM dialogs")
    return (row["step"], row["data"]) if row else None


async def test_an_edit_inside_a_dialog_changes_nothing_and_says_what_to_send(harness: Harness) -> None:
    zeynep, _ = await group_with(harness)
    await harness.send(zeynep, "/toplanti")
    await harness.next(zeynep)
    asked = await harness.send(zeynep, "Aralık toplantısı")
    assert "2/5" in asked.text
    before = await _dialog_data(harness)
    await harness.server.edit_text(zeynep.user, "Aralık toplantısı", "Ocak toplantısı")
    note = await harness.next(zeynep)
    assert "Düzenlenen mesajları okumuyorum" in note.text
    assert "tarih ve saat" in note.text and "<code>" not in note.text  # rendered, not escaped
    assert await _dialog_data(harness) == before
    assert "Aralık toplantısı" in before[1] and "Ocak" not in before[1]
    # The dialog goes on from where it was.
    assert "3/5" in (await harness.send(zeynep, "03.12.2026 14:00")).text


async def test_an_edited_evet_is_not_an_rsvp(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await announce(harness, zeynep)
    await notice(harness, ayse)
    recorded = await harness.send(ayse, "belki")
    assert "Yanıtınız kaydedildi" in recorded.text
    await harness.server.edit_text(ayse.user, "belki", "evet")
    note = await harness.next(ayse)
    assert "Düzenlenen mesajları okumuyorum" in note.text
    answers = await harness.services.db.fetchall("SELECT answer FROM rsvps")
    assert [row["answer"] for row in answers] == ["maybe"]


async def test_an_edited_command_in_a_group_chat_does_nothing(harness: Harness) -> None:
    zeynep, _ = await group_with(harness)
    harness.server.add_group_chat(-4100, "Kars", members=[zeynep.user]).bot_is_member = True
    await harness.server.send_text(zeynep.user, "merhaba /baglan", chat_id=-4100)
    await harness.server.edit_text(zeynep.user, "merhaba /baglan", "/baglan", chat_id=-4100)
    await harness.send(zeynep, "/yardim")  # the next thing she hears is the help, not a link
    row = await harness.services.db.fetchone("SELECT telegram_chat_id FROM groups")
    assert row[0] is None


async def test_a_sticker_photo_or_location_where_a_date_is_expected_names_the_date(harness: Harness) -> None:
    zeynep, _ = await group_with(harness)
    await harness.send(zeynep, "/toplanti")
    await harness.next(zeynep)
    await harness.send(zeynep, "Aralık toplantısı")
    await harness.server.send_sticker_from(zeynep.user)
    hint = await harness.next(zeynep)
    assert "çıkartma okunmuyor" in hint.text and "tarih ve saat" in hint.text and "/iptal" in hint.text
    await harness.server.send_photo_from(zeynep.user, PNG)
    assert "fotoğraf okunmuyor" in (await harness.next(zeynep)).text
    await harness.server.send_location_from(zeynep.user, 40.6, 43.1)
    hint = await harness.next(zeynep)
    assert "konum okunmuyor" in hint.text and "tarih ve saat" in hint.text
    assert "3/5" in (await harness.send(zeynep, "03.12.2026 14:00")).text


async def test_the_hint_speaks_english_and_names_the_step(harness: Harness) -> None:
    group = await harness.create_group()
    emma = harness.person("Emma", "en")
    await harness.join(emma, group.coordinator_invite.code, language="en")
    await harness.next(emma)
    await harness.send(emma, "/newmeeting")
    await harness.next(emma)
    await harness.server.send_photo_from(emma.user, PNG)
    hint = await harness.next(emma)
    assert "does not read photos" in hint.text and "the meeting's title" in hint.text


async def test_a_dice_or_poll_is_answered_not_ignored(harness: Harness) -> None:
    zeynep, _ = await group_with(harness)
    await harness.send(zeynep, "/toplanti")
    await harness.next(zeynep)
    server = harness.server
    chat = server._api.chats.private_chat(zeynep.user)  # noqa: SLF001 - no sender for dice in the fake
    server._deliver(chat, zeynep.user, server._new_message(zeynep.user, chat, {"dice": {"emoji": "🎲", "value": 4}}),  # noqa: SLF001
                    None, True)
    hint = await harness.next(zeynep)
    assert "okunmuyor" in hint.text and "başlığı" in hint.text
