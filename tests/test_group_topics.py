"""Telegram group chats as they are today (issue 18 §5): /baglan typed inside a forum topic
posts the group's notices in that topic; a closed or deleted topic (or a closed General)
tells the coordinators once; commands typed in a group with @botname are answered."""

from __future__ import annotations

from bot.emulator.telegram import FakeBotApi
from tests.harness import Harness
from tests.meetings_support import announce, group_with, notice
from tests.trust_support import eventually

FORUM = -1005005


async def _link_in_topic(harness: Harness, zeynep, topic: int | None) -> None:  # noqa: ANN001
    await harness.server.send_text(zeynep.user, "/baglan@koordinat_bot" if topic else "/baglan",
                                   chat_id=FORUM, thread_id=topic)
    linked = await harness.next(zeynep)
    assert "bağlan" in linked.text.lower(), linked.text


async def test_baglan_in_a_topic_posts_notices_in_that_topic(harness: Harness, telegram: FakeBotApi) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    telegram.add_forum(FORUM, "Kars kadın meclisi", members=[zeynep.user])
    topic = telegram.create_topic(FORUM, "Toplantılar")
    telegram.set_topic(FORUM, None, "closed")  # General is closed, as in many forums
    await _link_in_topic(harness, zeynep, topic)
    await announce(harness, zeynep)
    await notice(harness, ayse)
    posted = await telegram.wait_for_message(FORUM, lambda m: "Aralık çalışma toplantısı" in (m.text or ""))
    assert posted.thread_id == topic


async def test_a_closed_topic_tells_the_coordinators_once(harness: Harness, telegram: FakeBotApi) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    telegram.add_forum(FORUM, "Kars kadın meclisi", members=[zeynep.user])
    topic = telegram.create_topic(FORUM, "Toplantılar")
    await _link_in_topic(harness, zeynep, topic)
    telegram.set_topic(FORUM, topic, "closed")
    await announce(harness, zeynep)
    told = await harness.next_containing(zeynep, "kapatılmış")
    assert "Kadın Dostu Kent" in told.text and "/baglan" in told.text
    await announce(harness, zeynep, title="Ocak toplantısı", when="10.12.2026 14:00")
    await notice(harness, ayse, "Ocak toplantısı")
    await harness.settle()
    assert sum("kapatılmış" in (m.text or "") for m in telegram.messages(zeynep.chat_id)) == 1
    assert not [m for m in telegram.messages(FORUM) if "toplantı" in (m.text or "").lower()]


async def test_a_deleted_topic_or_a_closed_general_is_told_too(harness: Harness, telegram: FakeBotApi) -> None:
    zeynep, _ = await group_with(harness)
    telegram.add_forum(FORUM, "Kars kadın meclisi", members=[zeynep.user])
    await _link_in_topic(harness, zeynep, None)  # linked from General
    telegram.set_topic(FORUM, None, "closed")
    await announce(harness, zeynep)
    assert "kapatılmış" in (await harness.next_containing(zeynep, "kapatılmış")).text

    topic = telegram.create_topic(FORUM, "Duyurular")
    await _link_in_topic(harness, zeynep, topic)  # linked anew: a later problem is told again
    telegram.set_topic(FORUM, topic, "deleted")
    await announce(harness, zeynep, title="Ocak toplantısı", when="10.12.2026 14:00")
    assert "silinmiş" in (await harness.next_containing(zeynep, "silinmiş")).text


async def test_commands_with_the_bots_name_in_a_group_are_answered(harness: Harness, telegram: FakeBotApi) -> None:
    zeynep, _ = await group_with(harness)
    telegram.add_group_chat(-4242, "Kars grubu", members=[zeynep.user]).bot_is_member = True
    await telegram.send_text(zeynep.user, "/yardim@koordinat_bot", chat_id=-4242)
    answer = await telegram.wait_for_message(-4242)
    assert "/baglan" in answer.text and "t.me/koordinat_bot" in answer.text
    await telegram.send_text(zeynep.user, "/help@KOORDINAT_BOT", chat_id=-4242)
    assert "/baglan" in (await telegram.wait_for_message(-4242)).text
    # in a topic: the answer goes to that topic
    telegram.add_forum(FORUM, "Forum", members=[zeynep.user])
    topic = telegram.create_topic(FORUM, "Sorular")
    await telegram.send_text(zeynep.user, "/yardim@koordinat_bot", chat_id=FORUM, thread_id=topic)
    assert (await telegram.wait_for_message(FORUM)).thread_id == topic
    # another bot's command is not ours
    before = len(telegram.messages(-4242))
    update = await telegram.send_text(zeynep.user, "/yardim@other_bot", chat_id=-4242)

    async def handled() -> bool:
        """the update was taken"""
        return telegram.pending_updates == 0

    if update is not None:  # a bot in privacy mode may not even receive it
        await eventually(handled)
    await harness.settle()
    assert len(telegram.messages(-4242)) == before
