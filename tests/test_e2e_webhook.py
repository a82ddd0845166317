"""Webhook mode: Telegram posts updates to us with the secret token; unsigned posts are refused."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
from pathlib import Path

import asyncio

from bot.clock import ManualClock
from bot.emulator.telegram.server import FakeBotApi
from tests.harness import Harness


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _post(url: str, body: dict[str, object], secret: str | None) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


async def test_webhook_mode_answers_signed_updates_and_refuses_unsigned_ones(
        telegram: FakeBotApi, tmp_path: Path, clock: ManualClock) -> None:
    port = _free_port()
    harness = Harness(telegram, tmp_path / "k.db", clock, webhook_url=f"http://127.0.0.1:{port}",
                      webhook_secret="s3cret-token", webhook_listen="127.0.0.1", port=port)
    await harness.start(webhook=True)
    try:
        assert telegram.webhook_url == f"http://127.0.0.1:{port}/telegram"
        assert telegram.webhook_secret == "s3cret-token"
        someone = harness.person("Nur")
        reply = await harness.send(someone, "/start")
        assert "davet bağlantısını" in reply.text

        forged = {"update_id": 999, "message": {"message_id": 1, "date": 0, "text": "/help",
                                                "chat": {"id": 5, "type": "private"},
                                                "from": {"id": 5, "is_bot": False, "first_name": "X"}}}
        url = f"http://127.0.0.1:{port}/telegram"
        assert await asyncio.to_thread(_post, url, forged, None) == 403
        assert await asyncio.to_thread(_post, url, forged, "wrong") == 403
    finally:
        await harness.stop()
