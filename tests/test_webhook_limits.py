"""Issue 8, item 7: the webhook answers 200 only for a stored, signed update; oversized bodies
get 413 and bodies that are not a JSON update get 400 (never 500)."""

from __future__ import annotations

import asyncio
import json
import socket
import urllib.error
import urllib.request
from pathlib import Path

from bot.clock import ManualClock
from bot.emulator.telegram.server import FakeBotApi
from tests.harness import Harness

SECRET = "s3cret_Token-1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _post(url: str, body: bytes, secret: str | None = SECRET) -> int:
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _update(update_id: int, text: str, user_id: int = 5) -> bytes:
    return json.dumps({"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "text": text, "chat": {"id": user_id, "type": "private"},
        "from": {"id": user_id, "is_bot": False, "first_name": "Nur", "language_code": "tr"}}}).encode()


async def test_webhook_refuses_bad_bodies_and_answers_a_stored_update_once(
        telegram: FakeBotApi, tmp_path: Path, clock: ManualClock) -> None:
    port = _free_port()
    harness = Harness(telegram, tmp_path / "k.db", clock, webhook_url=f"http://127.0.0.1:{port}",
                      webhook_secret=SECRET, webhook_listen="127.0.0.1", port=port)
    await harness.start(webhook=True)
    url = f"http://127.0.0.1:{port}/telegram"
    try:
        assert await asyncio.to_thread(_post, url, b"x" * 1_100_000) == 413
        assert await asyncio.to_thread(_post, url, b"{not json") == 400
        assert await asyncio.to_thread(_post, url, b"[1, 2]") == 400
        assert await asyncio.to_thread(_post, url, b'{"update_id": "7"}') == 400
        assert await asyncio.to_thread(_post, url, _update(41, "/help"), None) == 403

        telegram.open_private_chat(telegram_user := _user())
        assert await asyncio.to_thread(_post, url, _update(42, "/help", telegram_user.id)) == 200
        # Telegram redelivers when it misses our 200: the same update changes nothing.
        assert await asyncio.to_thread(_post, url, _update(42, "/help", telegram_user.id)) == 200
        first = await telegram.wait_for_message(telegram_user, timeout=5)
        assert "/yardim" in (first.text or "")
        await asyncio.sleep(0.5)
        assert len(telegram.messages(telegram_user)) == 1
    finally:
        await harness.stop()


def _user():  # type: ignore[no-untyped-def]
    from bot.emulator.telegram.records import FakeUser

    return FakeUser(5, "Nur", "tr")
