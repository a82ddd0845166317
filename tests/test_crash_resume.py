"""`kill -9` in the middle of a 500-member broadcast, then a restart: every member gets the
notice, and only a message that was in flight at the kill can arrive twice.

The bot runs as the operator runs it (`python -m bot run`) in a subprocess, against the fake
Bot API served by this test. The broadcast is a due `notice` reminder seeded in the database
before start-up, as a meeting reminder would be.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import SystemClock
from bot.emulator.telegram.server import FakeBotApi
from bot.services.outbox import OutboxDispatcher
from bot.services.reminders import ReminderService
from storage.db import Database
from tests.test_broadcasts import announcement, seed_group

ROOT = Path(__file__).resolve().parents[1]
MEMBERS = 500
RATE = 150  # messages/s: the fake server does not enforce limits; keeps the test short
MAX_DUPLICATES = OutboxDispatcher.__init__.__kwdefaults__["max_in_flight"]  # type: ignore[index]


async def start_bot(server: FakeBotApi, database: Path, log: Path) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "KOORDINAT_TELEGRAM_TOKEN": "123456:TEST-TOKEN",
        "KOORDINAT_TELEGRAM_API_URL": server.base_url,
        "KOORDINAT_DATABASE": str(database),
        "KOORDINAT_SEND_RATE_PER_SECOND": str(RATE),
        "PTB_TIMEDELTA": "1",
    }
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=env, stdin=asyncio.subprocess.DEVNULL,
            stdout=out, stderr=out)


def outbox_statuses(database: Path) -> Counter[str]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        return Counter(dict(conn.execute("SELECT status, COUNT(*) FROM outbox GROUP BY status").fetchall()))


def keys_with_status(database: Path, status: str) -> set[str]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as conn:
        return {row[0] for row in conn.execute("SELECT address FROM outbox WHERE status = ?", (status,))}


@pytest.mark.sqlite_only
async def test_kill_9_mid_broadcast_then_restart_delivers_to_everyone_once(tmp_path: Path) -> None:
    database = tmp_path / "koordinat.db"
    log = tmp_path / "bot.log"
    async with FakeBotApi() as server:
        db = await Database.open(database)
        try:
            group = await seed_group(db, server, MEMBERS)
            reminders = ReminderService(db, SystemClock())
            await reminders.schedule("meeting:1:remind:1h", "notice", SystemClock().now() - timedelta(seconds=1),
                                     announcement("Toplantı bir saat sonra", group.id))
        finally:
            await db.close()

        bot = await start_bot(server, database, log)
        try:
            await server.wait_for_calls("sendMessage", 150, timeout=30)
        finally:
            bot.send_signal(signal.SIGKILL)
            await bot.wait()
        delivered_before = sum(1 for u in group.users if server.messages(u))
        in_flight_at_kill = keys_with_status(database, "sending")
        assert 150 <= delivered_before < MEMBERS, "the kill should land mid-broadcast"

        bot = await start_bot(server, database, log)
        try:
            await server.wait_until(lambda: all(server.messages(u) for u in group.users), timeout=30,
                                    what="every member got the notice")
            deadline = time.monotonic() + 10
            while (statuses := outbox_statuses(database))["sent"] < MEMBERS and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
        finally:
            bot.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(bot.wait(), 15) == 0

    received = {u.id: len(server.messages(u)) for u in group.users}
    duplicated = {str(chat) for chat, n in received.items() if n > 1}
    print(f"\nkill -9 after {delivered_before} of {MEMBERS} delivered; {len(in_flight_at_kill)} rows claimed "
          f"at the kill; {len(duplicated)} duplicate(s) after restart (bound: {MAX_DUPLICATES})")
    assert all(n >= 1 for n in received.values())
    assert max(received.values()) <= 2
    assert len(duplicated) <= MAX_DUPLICATES
    assert duplicated <= in_flight_at_kill  # only a row claimed and in flight can repeat
    assert statuses == Counter({"sent": MEMBERS})
    assert "Traceback" not in log.read_text(encoding="utf-8")
