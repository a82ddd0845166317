"""Broadcasts: a notice reaches every member of a group in her language, coordinators see the
delivery counts, and members who blocked the bot are counted, not retried.

`seed_group` (used by the other timed-message tests too) creates members straight in the
database, as if they had joined long ago, and opens their private chats on the fake Bot API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.clock import utc_timestamp
from bot.emulator.telegram.server import FakeBotApi, FakeUser
from bot.models import Reply, Role
from bot.services.broadcasts import DeliveryCounts, notice_payload
from storage import groups as groups_repo
from storage import members as members_repo
from storage.db import Database
from tests.harness import Harness


@dataclass
class SeededGroup:
    id: int
    users: list[FakeUser]
    member_ids: list[int]


async def seed_group(db: Database, server: FakeBotApi | None, size: int, *, first_user_id: int = 50_000,
                     english_every: int = 0, name: str = "Kadın Dostu Kent", now: float = 1.8e9,
                     quiet_hours: bool = False) -> SeededGroup:
    """A group with `size` members (Telegram ids from `first_user_id`); every
    `english_every`-th member reads English. Their private chats exist on `server`. Quiet
    hours are off unless asked for: these tests send at any hour of the wall clock."""
    from bot.clock import from_timestamp

    moment = from_timestamp(now)
    users: list[FakeUser] = []
    member_ids: list[int] = []
    async with db.transaction() as tx:
        group = await groups_repo.create(tx, name=name, city="Kars", language="tr",
                                         timezone="Europe/Istanbul", now=moment)
        if not quiet_hours:
            await groups_repo.update_settings(tx, group.id, {"quiet_hours": {"off": True}})
        for index in range(size):
            english = bool(english_every) and index % english_every == 0
            user = FakeUser(first_user_id + index, f"Üye {index}", "en" if english else "tr")
            member = await members_repo.create(tx, display_name=user.first_name,
                                               language="en" if english else "tr", channel="telegram",
                                               external_id=str(user.id), now=moment)
            role = Role.COORDINATOR if index == 0 else Role.MEMBER
            await members_repo.add_membership(tx, group.id, member.id, role, moment)
            users.append(user)
            member_ids.append(member.id)
    if server is not None:
        for user in users:
            server.open_private_chat(user)
    return SeededGroup(group.id, users, member_ids)


def announcement(text: str, group: int, **extra: object) -> dict[str, object]:
    return notice_payload("notice.announcement", group_id=group,
                          params={"group": "Kadın Dostu Kent", "text": text}, **extra)  # type: ignore[arg-type]


async def test_a_notice_reaches_every_member_in_her_language(harness: Harness, telegram: FakeBotApi) -> None:
    services = harness.services
    group = await seed_group(services.db, telegram, 6, english_every=3)
    due = harness.clock.now() + timedelta(minutes=10)
    await services.reminders.schedule(
        "meeting:1:remind:1h", "notice", due,
        notice_payload("notice.announcement", group_id=group.id,
                       params={"group": "Kadın Dostu Kent", "text": "Toplantı <saat 14:00>"},
                       buttons=[[("button.yes_consent", "rsvp:1:yes")]]))
    harness.clock.advance(timedelta(minutes=10))

    for index, user in enumerate(group.users):
        message = await telegram.wait_for_message(user)
        assert "Toplantı &lt;saat 14:00&gt;" not in message.text  # shown as text, not HTML
        assert "Toplantı <saat 14:00>" in message.text
        assert message.callback_datas == ["rsvp:1:yes"]
        expected = "✅ I agree" if index % 3 == 0 else "✅ Onaylıyorum"
        assert message.button_texts == [expected]

    broadcast_id = await services.broadcasts.notice_broadcast_id("meeting:1:remind:1h")
    assert broadcast_id is not None
    await harness.settle()
    counts = await services.broadcasts.delivery_counts(broadcast_id)
    assert counts == DeliveryCounts(sent=6)
    assert "6 kişiden 6 kişiye ulaştı" in services.broadcasts.describe(counts, "tr")
    assert "Delivered to 6 of 6" in services.broadcasts.describe(counts, "en")


async def test_members_who_blocked_the_bot_are_counted_as_unreachable(harness: Harness,
                                                                      telegram: FakeBotApi) -> None:
    services = harness.services
    group = await seed_group(services.db, telegram, 4)
    blocked = group.users[2]
    telegram.block(blocked.id)
    async with services.db.transaction() as tx:
        broadcast_id = await services.broadcasts.create_broadcast("announce:1", group.id, "announcement", conn=tx)
        added = await services.broadcasts.send_to_group(
            broadcast_id, group.id, lambda lang: Reply(text=f"duyuru ({lang})"), conn=tx)
    services.dispatcher.kick()
    assert added == 4
    await telegram.wait_for_calls("sendMessage", 4)
    await harness.settle()

    assert await services.broadcasts.delivery_counts(broadcast_id) == DeliveryCounts(sent=3, unreachable=1)
    assert [m.display_name for m in await services.broadcasts.unreachable_members(broadcast_id)] == ["Üye 2"]
    member = await services.db.fetchone("SELECT unreachable_at FROM members WHERE id = ?", (group.member_ids[2],))
    assert member is not None and member["unreachable_at"] is not None

    # The next broadcast does not try her again: she is counted unreachable at once.
    second = await services.broadcasts.create_broadcast("announce:2", group.id, "announcement")
    await services.broadcasts.send_to_group(second, group.id, {"tr": Reply(text="ikinci duyuru")})
    await harness.settle()
    assert await services.broadcasts.delivery_counts(second) == DeliveryCounts(sent=3, unreachable=1)
    assert len(telegram.calls_to("sendMessage")) == 4 + 3


async def test_queueing_a_broadcast_twice_sends_it_once(harness: Harness, telegram: FakeBotApi) -> None:
    services = harness.services
    group = await seed_group(services.db, telegram, 3)
    for _ in range(2):
        broadcast_id = await services.broadcasts.create_broadcast("announce:once", group.id, "announcement")
        await services.broadcasts.send_to_group(broadcast_id, group.id, {"tr": Reply(text="bir kez")})
    await telegram.wait_for_calls("sendMessage", 3)
    await harness.settle()
    assert len(telegram.calls_to("sendMessage")) == 3
    row = await services.db.fetchone("SELECT COUNT(*) FROM outbox WHERE created_at <= ?",
                                     (utc_timestamp(harness.clock.now()),))
    assert row is not None and row[0] == 3
