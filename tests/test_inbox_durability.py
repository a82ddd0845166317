"""Issue 8, item 1: an update is acknowledged to Telegram only once it is stored, and a stored
update is processed exactly once, across a kill -9 of the real process.

Two windows are held open at the kill:
- stored and acknowledged but not processed: the bot is stuck answering the button press
  (answerCallbackQuery delayed by the fake server);
- fetched but not stored: the test holds SQLite's write lock, so the bot cannot commit them.
After a restart every one of the six people gets her welcome exactly once and is a member.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sqlite3
from pathlib import Path

import pytest

from bot.clock import SystemClock
from bot.emulator.telegram.server import FakeBotApi, SentMessage
from bot.emulator.telegram.records import FakeUser
from bot.services.groups import GroupService
from storage.db import Database
from tests.process_support import bot_env, query, start_bot

PEOPLE = 6


async def reach_last_consent(server: FakeBotApi, user: FakeUser, code: str) -> SentMessage:
    """Open the invite link, pick Turkish, accept the first consent: the last question shows."""
    await server.send_text(user, f"/start {code}")
    picker = await server.wait_for_message(user, lambda m: bool(m.buttons), timeout=10)
    await server.press_button(user, picker, f"lang:tr:{code}")
    question = await server.wait_for_message(user, lambda m: bool(m.buttons), timeout=10)
    await server.press_button(user, question, f"consent:tr:{code}:y")
    return await server.wait_for_message(user, lambda m: bool(m.buttons), timeout=10)


@pytest.mark.sqlite_only
async def test_kill_9_with_updates_in_flight_loses_none_and_repeats_none(tmp_path: Path) -> None:
    database = tmp_path / "koordinat.db"
    log = tmp_path / "bot.log"
    async with FakeBotApi() as server:
        db = await Database.open(database)
        try:
            created = await GroupService(db, SystemClock().now, "Europe/Istanbul").create("Kadın Meclisi", "Kars", "tr")
        finally:
            await db.close()
        code = created.member_invite.code
        people = [FakeUser(70_000 + n, f"Kişi {n}", "tr") for n in range(PEOPLE)]
        env = bot_env(server, database)
        bot = await start_bot(env, log)
        locker = sqlite3.connect(database, timeout=10, isolation_level=None)
        try:
            questions = [await reach_last_consent(server, user, code) for user in people]
            last = {user.id: len(server.messages(user)) for user in people}

            # Window 1: stored and acknowledged, stuck before its transaction.
            server.delay_next("answerCallbackQuery", seconds=20, times=3)
            for user, question in zip(people[:3], questions[:3], strict=True):
                await server.press_button(user, question, f"consent:tr:{code}:y:y")
            await server.wait_until(lambda: server.pending_updates == 0, timeout=5,
                                    what="the three presses acknowledged (stored)")
            # Window 2: fetched, but the write lock is ours, so they cannot be stored.
            locker.execute("BEGIN IMMEDIATE")
            for user, question in zip(people[3:], questions[3:], strict=True):
                await server.press_button(user, question, f"consent:tr:{code}:y:y")
            await asyncio.sleep(0.5)
            assert server.pending_updates == 3, "not stored, so not acknowledged"
        finally:
            bot.send_signal(signal.SIGKILL)
            await bot.wait()
            locker.rollback() if locker.in_transaction else None
            locker.close()

        assert query(database, "SELECT COUNT(*) FROM inbound_updates")[0][0] == 3
        assert query(database, "SELECT COUNT(*) FROM memberships")[0][0] == 0
        assert all(len(server.messages(user)) == last[user.id] for user in people), "no welcome yet"

        bot = await start_bot(env, log)
        try:
            await server.wait_until(
                lambda: all(len(server.messages(u)) >= last[u.id] + 2 for u in people), timeout=15,
                what="every person welcomed")
            await asyncio.sleep(1.0)  # a duplicate would arrive now
        finally:
            bot.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(bot.wait(), 15) == 0

    for user in people:
        after = [m.text or "" for m in server.messages(user)[last[user.id]:]]
        # The welcome and the command list, once each.
        assert len(after) == 2, f"{user.first_name}: {after}"
        assert sum("üye olarak katıldınız" in text for text in after) == 1
    assert query(database, "SELECT COUNT(*) FROM memberships")[0][0] == PEOPLE
    assert query(database, "SELECT COUNT(*) FROM inbound_updates")[0][0] == 0
    assert "Traceback" not in log.read_text(encoding="utf-8")


async def test_a_stored_backlog_is_processed_once_in_order_per_chat(
        telegram: FakeBotApi, tmp_path: Path) -> None:
    """After an outage: 1,500 stored updates from 15 chats (more than the queue takes into
    memory at once) are each answered once, every chat's in the order they arrived."""
    from bot.clock import ManualClock
    from storage import updates as updates_repo
    from tests.harness import TEST_START, Harness

    database = tmp_path / "k.db"
    people = [FakeUser(90_000 + n, f"Kişi {n}", "tr") for n in range(15)]
    sent: dict[int, list[str]] = {user.id: [] for user in people}
    db = await Database.open(database)
    try:
        items = []
        for index in range(1500):
            user = people[index % len(people)]
            text = "/start" if (index // len(people)) % 3 == 0 else "/help"
            sent[user.id].append(text)
            message = {"message_id": index + 1, "date": 0, "text": text,
                       "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
                       "chat": {"id": user.id, "type": "private", "first_name": user.first_name},
                       "from": {"id": user.id, "is_bot": False, "first_name": user.first_name,
                                "language_code": "tr"}}
            items.append((str(10_000 + index), str(user.id), json.dumps({"update_id": 10_000 + index,
                                                                          "message": message})))
        async with db.transaction() as tx:
            await updates_repo.store_inbound(tx, "telegram", items, 0.0)
    finally:
        await db.close()
    for user in people:
        telegram.open_private_chat(user)

    harness = Harness(telegram, database, ManualClock(start=TEST_START), private_chat_rate_per_second=500,
                      send_rate_per_second=2000)
    await harness.start()
    try:
        await telegram.wait_until(lambda: all(len(telegram.messages(u)) >= 100 for u in people), timeout=60,
                                  what="every stored update answered")
        await asyncio.sleep(0.5)
    finally:
        await harness.stop()
    for user in people:
        replies = ["start" if (m.text or "").startswith("👋") else "help" for m in telegram.messages(user)]
        assert replies == [text.lstrip("/") for text in sent[user.id]]
    assert query(database, "SELECT COUNT(*) FROM inbound_updates")[0][0] == 0
