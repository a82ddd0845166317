"""Platform events that change who can be reached (issue 8, items 12–14), end to end against
the fake Bot API: a linked group becoming a supergroup, the bot removed from a linked group,
a member who blocked the bot and comes back."""

from __future__ import annotations

from tests.harness import Harness
from tests.meetings_support import announce, group_with, notice
from tests.trust_support import eventually, link_group_chat


async def _linked_chat(harness: Harness) -> str | None:
    row = await harness.services.db.fetchone("SELECT telegram_chat_id FROM groups ORDER BY id LIMIT 1")
    return row[0]


async def test_a_linked_group_that_becomes_a_supergroup_is_relinked(harness: Harness) -> None:
    zeynep, _ = await group_with(harness)
    await link_group_chat(harness, zeynep, -4001)
    harness.server.migrate_to_supergroup(-4001, -1004001)

    async def relinked() -> bool:
        return await _linked_chat(harness) == "-1004001"
    await eventually(relinked)
    await announce(harness, zeynep)
    posted = await harness.server.wait_for_message(-1004001, lambda m: "Aralık çalışma toplantısı" in (m.text or ""))
    assert posted.chat_id == -1004001


async def test_a_notice_refused_with_migrate_to_chat_id_is_resent_to_the_supergroup(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await link_group_chat(harness, zeynep, -4002)
    # The group was upgraded while the bot was not listening: only the send tells.
    harness.server.add_group_chat(-1004002, "Kars grubu", chat_type="supergroup").bot_is_member = True
    harness.server._api.chats.migrated[-4002] = -1004002  # noqa: SLF001
    await announce(harness, zeynep)
    await notice(harness, ayse)
    posted = await harness.server.wait_for_message(-1004002, lambda m: "Aralık çalışma toplantısı" in (m.text or ""))
    assert "düğmeler kişisel mesajınızda" in posted.text  # the whole group notice
    assert await _linked_chat(harness) == "-1004002"


async def test_the_bot_removed_from_a_linked_group_unlinks_it_and_tells_the_coordinator_once(
        harness: Harness) -> None:
    zeynep, _ = await group_with(harness)
    await link_group_chat(harness, zeynep, -4003)
    harness.server.kick_bot(-4003, by=zeynep.user)
    told = await harness.next_containing(zeynep, "çıkarıldı")
    assert "Kadın Dostu Kent" in told.text and "/baglan" in told.text
    assert await _linked_chat(harness) is None
    await announce(harness, zeynep)  # nothing is posted to the old chat any more
    await harness.settle()
    assert not [m for m in harness.server.messages(-4003) if "Aralık" in (m.text or "")]
    assert sum("çıkarıldı" in (m.text or "") for m in harness.server.messages(zeynep.chat_id)) == 1


async def test_a_403_on_a_linked_group_unlinks_it_once(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await link_group_chat(harness, zeynep, -4004)
    # Removed without the bot hearing of it (my_chat_member lost): the send finds out.
    harness.server._api.chats.forbidden[-4004] = "bot was kicked from the group chat"  # noqa: SLF001
    await announce(harness, zeynep)
    await harness.next_containing(zeynep, "çıkarıldı")
    assert await _linked_chat(harness) is None
    await announce(harness, zeynep, title="Ocak toplantısı", when="10.12.2026 14:00")
    await notice(harness, ayse, "Ocak toplantısı")
    await harness.settle()
    assert sum("çıkarıldı" in (m.text or "") for m in harness.server.messages(zeynep.chat_id)) == 1


async def _unreachable(harness: Harness, name: str) -> str | None:
    row = await harness.services.db.fetchone("SELECT unreachable_at FROM members WHERE display_name = ?", (name,))
    return row[0]


async def test_a_member_who_blocked_the_bot_and_writes_again_gets_notices_again(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    harness.server._api.chats.forbidden[ayse.chat_id] = "bot was blocked by the user"  # noqa: SLF001
    await announce(harness, zeynep)
    await harness.settle()

    async def marked() -> bool:
        return await _unreachable(harness, "Ayşe") is not None
    await eventually(marked)

    answer = await harness.send(ayse, "/yardim")  # writing again unblocks the bot
    assert "/yardim" in answer.text
    assert await _unreachable(harness, "Ayşe") is None
    await announce(harness, zeynep, title="Ocak toplantısı", when="10.12.2026 14:00")
    assert "Ocak toplantısı" in (await notice(harness, ayse, "Ocak toplantısı")).text


async def test_blocking_and_unblocking_are_heard_from_my_chat_member(harness: Harness) -> None:
    _, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    harness.server.block(ayse.chat_id)

    async def marked() -> bool:
        return await _unreachable(harness, "Ayşe") is not None
    await eventually(marked)
    harness.server.unblock(ayse.chat_id)

    async def back() -> bool:
        return await _unreachable(harness, "Ayşe") is None
    await eventually(back)


async def test_a_linked_group_that_no_longer_exists_is_unlinked(harness: Harness) -> None:
    zeynep, _ = await group_with(harness)
    await link_group_chat(harness, zeynep, -4005)
    del harness.server._api.chats.chats[-4005]  # noqa: SLF001 - the group was deleted: "chat not found"
    await announce(harness, zeynep)
    await harness.next_containing(zeynep, "çıkarıldı")
    assert await _linked_chat(harness) is None
