"""Webhook mode of the real process: Telegram's post is answered 200 only once the update is
stored; killed before that, Telegram delivers it again and it is answered once."""

from __future__ import annotations

import asyncio
import signal
import socket
import sqlite3
from pathlib import Path

import pytest

from bot.emulator.telegram.server import FakeBotApi
from bot.emulator.telegram.records import FakeUser
from tests.process_support import bot_env, query, start_bot, wait_for_line

SECRET = "Tr4nsactional_Inbox-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.sqlite_only
async def test_webhook_update_is_acknowledged_only_once_stored_across_a_kill(tmp_path: Path) -> None:
    database = tmp_path / "k.db"
    log = tmp_path / "bot.log"
    port = free_port()
    nur = FakeUser(8_001, "Nur", "tr")
    async with FakeBotApi() as server:
        server.open_private_chat(nur)
        env = bot_env(server, database, KOORDINAT_WEBHOOK_URL=f"http://127.0.0.1:{port}",
                      KOORDINAT_WEBHOOK_SECRET=SECRET, KOORDINAT_WEBHOOK_LISTEN="127.0.0.1", PORT=str(port))
        bot = await start_bot(env, log, "--webhook")
        locker = sqlite3.connect(database, timeout=10, isolation_level=None)
        try:
            await wait_for_line(log, "Koordinat is running (webhook)")
            assert server.webhook_url == f"http://127.0.0.1:{port}/telegram"
            assert server.webhook_secret == SECRET
            first = await server.send_text(nur, "/help")
            await server.wait_for_message(nur, timeout=10)
            for _ in range(100):  # its outbox row recorded as sent (else it is resent: outbox window)
                if not query(database, "SELECT 1 FROM outbox WHERE status != 'sent'"):
                    break
                await asyncio.sleep(0.05)

            locker.execute("BEGIN IMMEDIATE")  # the bot cannot store the next update
            await server.send_text(nur, "/yardim")
            await asyncio.sleep(1.0)
            assert server.pending_updates == 1, "no 200 before it is stored"
        finally:
            bot.send_signal(signal.SIGKILL)
            await bot.wait()
            if locker.in_transaction:
                locker.rollback()
            locker.close()
        assert first is not None

        bot = await start_bot(env, log, "--webhook")
        try:
            second = await server.wait_for_message(nur, timeout=15)
            assert "/yardim" in (second.text or "")
            await server.wait_until(lambda: server.pending_updates == 0, timeout=5, what="acknowledged")
            await asyncio.sleep(0.8)  # a duplicate would arrive now
        finally:
            bot.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(bot.wait(), 15) == 0
    assert len(server.messages(nur)) == 2, [(m.text or "")[:60] for m in server.messages(nur)]
    assert "Traceback" not in log.read_text()
