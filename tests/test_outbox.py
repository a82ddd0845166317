"""The outbox dispatcher against the fake Bot API: flood control (429 retry_after) delays
without losing anything, blocked people are marked unreachable, network errors back off,
replies never wait behind a broadcast, and the overall limit holds in every second."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.emulator.telegram.server import FakeBotApi
from bot.models import Reply
from bot.services.broadcasts import DeliveryCounts
from tests.harness import Harness
from tests.test_broadcasts import seed_group


@pytest.fixture
async def fast(telegram: FakeBotApi, tmp_path: Path, clock: ManualClock) -> AsyncIterator[Harness]:
    """The bot with a higher overall pace, so that tests with many members stay short."""
    h = Harness(telegram, tmp_path / "koordinat.db", clock, send_rate_per_second=60)
    await h.start()
    try:
        yield h
    finally:
        await h.stop()


async def broadcast(harness: Harness, group_id: int, text: str, key: str = "announce") -> int:
    services = harness.services
    broadcast_id = await services.broadcasts.create_broadcast(key, group_id, "announcement")
    await services.broadcasts.send_to_group(broadcast_id, group_id, {"tr": Reply(text=text)})
    return broadcast_id


def sends_to(server: FakeBotApi, chat_id: int) -> list[float]:
    return [c.at for c in server.calls if c.method == "sendMessage" and c.chat_id == chat_id]


async def test_retry_after_delays_that_chat_and_loses_nothing(fast: Harness, telegram: FakeBotApi) -> None:
    group = await seed_group(fast.services.db, telegram, 6)
    slow = group.users[2]
    telegram.fail_next("sendMessage", chat_id=slow.id, error_code=429, retry_after=2)
    broadcast_id = await broadcast(fast, group.id, "duyuru")

    for user in group.users:
        assert (await telegram.wait_for_message(user, timeout=10)).text == "duyuru"
    refused, retried = sends_to(telegram, slow.id)
    assert retried - refused >= 2.0  # Telegram's retry_after was obeyed
    others_done = max(sends_to(telegram, u.id)[0] for u in group.users if u != slow)
    assert others_done < refused + 1.0  # one chat's flood control did not hold the others
    await fast.settle()
    assert await fast.services.broadcasts.delivery_counts(broadcast_id) == DeliveryCounts(sent=6)
    assert all(len(telegram.messages(user)) == 1 for user in group.users)


async def test_flood_control_on_several_chats_pauses_the_bulk_lane(fast: Harness, telegram: FakeBotApi) -> None:
    group = await seed_group(fast.services.db, telegram, 8)
    telegram.fail_next("sendMessage", error_code=429, retry_after=1, times=2)  # any two chats
    await broadcast(fast, group.id, "duyuru")
    for user in group.users:
        await telegram.wait_for_message(user, timeout=10)
    calls = [c for c in telegram.calls if c.method == "sendMessage"]
    second_refusal = [c.at for c in calls if c.status == 429][-1]
    after = [c.at for c in calls if c.status == 200 and c.at > second_refusal]
    assert after and min(after) - second_refusal >= 0.95
    assert fast.services.dispatcher.stats.bulk_pauses == 1
    assert sum(len(telegram.messages(u)) for u in group.users) == 8


async def test_a_blocked_person_is_marked_unreachable_and_not_retried(harness: Harness,
                                                                      telegram: FakeBotApi) -> None:
    group = await seed_group(harness.services.db, telegram, 2)
    blocked = group.users[1]
    # Blocked without the bot having heard of it (no my_chat_member yet): the send finds out.
    telegram.fail_next("sendMessage", chat_id=blocked.id, error_code=403, times=10)
    broadcast_id = await broadcast(harness, group.id, "duyuru")
    await telegram.wait_for_message(group.users[0])
    await harness.settle()
    assert len(sends_to(telegram, blocked.id)) == 1  # tried once, never again
    assert await harness.services.broadcasts.delivery_counts(broadcast_id) == DeliveryCounts(sent=1, unreachable=1)
    row = await harness.services.db.fetchone("SELECT unreachable_at FROM members WHERE id = ?",
                                             (group.member_ids[1],))
    assert row is not None and row["unreachable_at"] is not None


async def test_a_reply_to_someone_who_blocked_the_bot_marks_her_unreachable(harness: Harness,
                                                                              telegram: FakeBotApi) -> None:
    group = await seed_group(harness.services.db, telegram, 1)
    ayse = group.users[0]
    telegram.fail_next("sendMessage", chat_id=ayse.id, error_code=403)
    await telegram.send_text(ayse, "/help")
    await telegram.wait_for_calls("sendMessage", 1)
    await harness.settle()
    row = await harness.services.db.fetchone("SELECT unreachable_at FROM members WHERE id = ?",
                                             (group.member_ids[0],))
    assert row is not None and row["unreachable_at"] is not None


async def test_network_errors_back_off_and_then_deliver(harness: Harness, telegram: FakeBotApi) -> None:
    group = await seed_group(harness.services.db, telegram, 1)
    user = group.users[0]
    telegram.drop_connection_next("sendMessage", chat_id=user.id)
    broadcast_id = await broadcast(harness, group.id, "duyuru")
    assert (await telegram.wait_for_message(user, timeout=10)).text == "duyuru"
    await harness.settle()
    row = await harness.services.db.fetchone("SELECT status, attempts FROM outbox WHERE broadcast_id = ?",
                                             (broadcast_id,))
    assert row is not None and (row["status"], row["attempts"]) == ("sent", 2)


async def test_a_message_the_platform_rejects_is_failed_not_retried(harness: Harness,
                                                                     telegram: FakeBotApi) -> None:
    group = await seed_group(harness.services.db, telegram, 2)
    telegram.fail_next("sendMessage", chat_id=group.users[0].id, error_code=400,
                       description="Bad Request: can't parse entities")
    broadcast_id = await broadcast(harness, group.id, "duyuru")
    await telegram.wait_for_message(group.users[1])
    await harness.settle()
    assert await harness.services.broadcasts.delivery_counts(broadcast_id) == DeliveryCounts(sent=1, failed=1)
    assert len(sends_to(telegram, group.users[0].id)) == 1


async def test_replies_do_not_wait_behind_a_running_broadcast(tmp_path: Path, telegram: FakeBotApi,
                                                              clock: ManualClock) -> None:
    harness = Harness(telegram, tmp_path / "k.db", clock, send_rate_per_second=20)
    await harness.start()
    try:
        group = await seed_group(harness.services.db, telegram, 160)
        broadcast_id = await broadcast(harness, group.id, "büyük duyuru")
        await telegram.wait_for_calls("sendMessage", 20, timeout=10)  # the broadcast is under way

        latencies = []
        for user in (group.users[-1], group.users[-2], group.users[-3]):
            started = time.monotonic()
            await telegram.send_text(user, "/help")
            reply = await telegram.wait_for_message(user, lambda m: "büyük duyuru" not in (m.text or ""))
            latencies.append(time.monotonic() - started)
            assert "/" in reply.text
        counts = await harness.services.broadcasts.delivery_counts(broadcast_id)
        assert counts.pending > 60  # the broadcast was still running while they got answers
        assert max(latencies) < 0.5, latencies
    finally:
        await harness.stop()


async def test_the_overall_limit_holds_in_every_second(tmp_path: Path, clock: ManualClock) -> None:
    async with FakeBotApi(global_per_second=30) as server:
        harness = Harness(server, tmp_path / "k.db", clock, send_rate_per_second=30)
        await harness.start()
        try:
            group = await seed_group(harness.services.db, server, 75)
            started = time.monotonic()
            await broadcast(harness, group.id, "duyuru")
            await server.wait_for_calls("sendMessage", 75, timeout=15)
            elapsed = time.monotonic() - started
        finally:
            await harness.stop()
        assert server.limit_violations().total == 0
        assert 2.3 < elapsed < 3.2  # 75 messages at 30/s: about 2.5 s, not faster, not much slower


async def test_a_clean_stop_mid_broadcast_repeats_and_loses_nothing(fast: Harness, telegram: FakeBotApi) -> None:
    group = await seed_group(fast.services.db, telegram, 120)
    broadcast_id = await broadcast(fast, group.id, "duyuru")
    await telegram.wait_for_calls("sendMessage", 30, timeout=10)
    await fast.restart()
    await telegram.wait_for_calls("sendMessage", 120, timeout=15)
    await fast.settle()
    per_chat = Counter(c.chat_id for c in telegram.calls if c.method == "sendMessage")
    assert sorted(per_chat) == sorted(u.id for u in group.users)
    assert set(per_chat.values()) == {1}
    assert await fast.services.broadcasts.delivery_counts(broadcast_id) == DeliveryCounts(sent=120)


async def test_rows_of_an_absent_channel_wait_for_it(harness: Harness, telegram: FakeBotApi) -> None:
    """A WhatsApp member while only Telegram runs: the row waits, nothing fails."""
    services = harness.services
    async with services.db.transaction() as tx:
        await services.notifier.to_chat(tx, "whatsapp", "905551112233", Reply(text="merhaba"), "wa:1")
    services.dispatcher.kick()
    await asyncio.sleep(0.1)
    await harness.settle()
    row = await services.db.fetchone("SELECT status FROM outbox WHERE key = 'wa:1'")
    assert row is not None and row["status"] == "pending"
    assert telegram.calls_to("sendMessage") == []
