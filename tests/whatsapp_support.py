"""A bot with both channels: the fake Bot API for Telegram people and the fake Graph API for
WhatsApp people, the WhatsApp webhook served by the real web server on loopback."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import ManualClock, utc_timestamp
from bot.emulator.telegram import FakeBotApi
from bot.emulator.whatsapp import FakeGraphApi, FakeWaUser, WaMessage
from tests.harness import Harness
from bot.emulator.waits import DEFAULT_WAIT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class WaHarness(Harness):
    """`Harness` plus WhatsApp people."""

    graph: FakeGraphApi

    async def start(self, *, webhook: bool = False) -> None:
        await super().start(webhook=webhook)
        assert self.bot is not None and self.bot.web is not None
        self.graph.webhook_url = f"http://127.0.0.1:{self.bot.web.port}/whatsapp"

    async def wa_send(self, user: FakeWaUser, text: str) -> WaMessage:
        await self.graph.send_text(user, text)
        return await self.graph.wait_for_message(user)

    async def wa_tap(self, user: FakeWaUser, message: WaMessage, choice: str) -> WaMessage:
        await self.graph.tap(user, message, choice)
        return await self.graph.wait_for_message(user)

    async def wa_next(self, user: FakeWaUser, fragment: str | None = None, timeout: float = DEFAULT_WAIT) -> WaMessage:
        return await self.graph.wait_for_message(
            user, (lambda m: fragment in m.text) if fragment else None, timeout=timeout)

    async def wa_skip(self, user: FakeWaUser) -> list[WaMessage]:
        """Wait for the outbox to finish, then mark everything sent to her as read."""
        await self.settle()
        unread = [m for i, m in enumerate(self.graph.sent)
                  if m.to == user.user_id and i >= self.graph._cursor.get(user.user_id, 0)]
        self.graph._cursor[user.user_id] = len(self.graph.sent)
        return unread

    async def wa_join(self, user: FakeWaUser, code: str, language: str = "en") -> WaMessage:
        """Onboarding the WhatsApp way: `katıl KOD` (Turkish) or `join CODE` (English) — the
        word is her language —, the privacy notice, two consent buttons; the welcome."""
        notice = await self.wa_send(user, f"{'katıl' if language == 'tr' else 'join'} {code}")
        question = notice if notice.buttons else await self.wa_next(user)
        assert notice.text and question.buttons, (notice, question)
        second = await self.wa_tap(user, question, f"consent:{language}:{code}:y")
        return await self.wa_tap(user, second, f"consent:{language}:{code}:y:y")


def wa_settings(graph: FakeGraphApi) -> dict[str, object]:
    return {"whatsapp_token": graph.token, "whatsapp_phone_number_id": graph.phone_number_id,
            "whatsapp_app_secret": graph.app_secret, "whatsapp_verify_token": graph.verify_token,
            "whatsapp_api_url": graph.base_url, "webhook_listen": "127.0.0.1", "port": free_port(),
            "whatsapp_pair_seconds": 0.05, "private_chat_rate_per_second": 50}


@pytest.fixture
async def graph(clock: ManualClock) -> AsyncIterator[FakeGraphApi]:
    # The bot paces each person at whatsapp_pair_seconds (0.05 s here); so does this fake.
    async with FakeGraphApi(now=lambda: utc_timestamp(clock.now()), pair_seconds=0.05) as server:
        yield server


@pytest.fixture
async def wa(telegram: FakeBotApi, graph: FakeGraphApi, tmp_path: Path, clock: ManualClock) -> AsyncIterator[WaHarness]:
    h = WaHarness(telegram, tmp_path / "koordinat.db", clock, **wa_settings(graph))
    h.graph = graph
    await h.start()
    try:
        yield h
    finally:
        await h.stop()
