"""Issue 8, items 4 and 5: a split reply is delivered part by part, each part once and paced;
a throttled row is given up after a bounded time with the reason; one failing chat never
holds up another; an unknown outcome is retried once, then recorded as failed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.emulator.telegram.server import FakeBotApi
from bot.models import Actor, Reply
from tests.harness import Harness, Person


@pytest.fixture
async def paced(telegram: FakeBotApi, tmp_path: Path, clock: ManualClock) -> AsyncIterator[Harness]:
    """The bot with Telegram's real per-chat pace (1 message/s after a burst of 3)."""
    h = Harness(telegram, tmp_path / "koordinat.db", clock)
    await h.start()
    try:
        yield h
    finally:
        await h.stop()


async def reply_to(harness: Harness, person: Person, text: str, key: str) -> None:
    services = harness.services
    actor = Actor(channel="telegram", external_id=str(person.chat_id), display_name=person.user.first_name)
    async with services.db.transaction() as tx:
        await services.notifier.reply_to(tx, actor, Reply(text=text), key)
    services.dispatcher.kick()


async def row(harness: Harness, key: str) -> tuple[str, str | None, int]:
    found = await harness.services.db.fetchone("SELECT status, error, parts_sent FROM outbox WHERE key = ?", (key,))
    assert found is not None
    return found["status"], found["error"], found["parts_sent"]


def long_text(parts: int) -> str:
    """`parts` messages' worth of member lines (each part under 4096 characters)."""
    lines = [f"{n:05d} Üye adı soyadı — Kars Kadın Meclisi, katılım: evet" for n in range(parts * 70)]
    return "\n".join(lines)


async def test_a_long_reply_goes_part_by_part_and_a_throttled_part_never_repeats_the_others(
        paced: Harness, telegram: FakeBotApi, clock: ManualClock) -> None:
    ayse = paced.person("Ayşe")
    telegram.open_private_chat(ayse.user)
    text = long_text(6)
    await reply_to(paced, ayse, text, "reply:long")
    await telegram.wait_until(lambda: len(telegram.messages(ayse.user)) >= 3, timeout=5, what="the burst")
    telegram.fail_next("sendMessage", chat_id=ayse.chat_id, error_code=429, retry_after=1)
    telegram.drop_connection_next("sendMessage", chat_id=ayse.chat_id)  # part 4's retry: lost
    deadline = time.monotonic() + 20
    while len(telegram.messages(ayse.user)) < 6 and time.monotonic() < deadline:
        clock.advance(timedelta(seconds=5))
        await asyncio.sleep(0.3)
    received = [m.text or "" for m in telegram.messages(ayse.user)]
    assert len(received) == 6, f"{len(received)} parts"
    assert "\n".join(received).replace("\n", "") == text.replace("\n", "")  # every part once, in order
    sends = [c.at for c in telegram.calls if c.method == "sendMessage" and c.chat_id == ayse.chat_id and c.ok]
    # Paced like any send: 1/s per private chat after a burst of 3, so 4 sends span a second.
    assert all(sends[i + 3] - sends[i] >= 0.9 for i in range(len(sends) - 3)), sends
    await paced.settle()
    assert (await row(paced, "reply:long"))[0] == "sent"


async def test_a_row_throttled_for_too_long_is_given_up_with_the_reason(
        harness: Harness, telegram: FakeBotApi, clock: ManualClock) -> None:
    nur = harness.person("Nur")
    telegram.open_private_chat(nur.user)
    telegram.fail_next("sendMessage", chat_id=nur.chat_id, error_code=429, retry_after=1, times=100)
    await reply_to(harness, nur, "Cevap", "reply:throttled")
    deadline = time.monotonic() + 15
    while (await row(harness, "reply:throttled"))[0] != "failed" and time.monotonic() < deadline:
        clock.advance(timedelta(minutes=4))
        await asyncio.sleep(0.5)
    status, error, _ = await row(harness, "reply:throttled")
    assert status == "failed" and error is not None and "throttled" in error
    assert 2 <= len(telegram.calls_to("sendMessage")) <= 6


async def test_a_chat_whose_sends_all_fail_never_holds_up_another(harness: Harness, telegram: FakeBotApi) -> None:
    ali, banu = harness.person("Ali"), harness.person("Banu")
    telegram.fail_next("sendMessage", chat_id=ali.chat_id, error_code=500, times=1000)
    for n in range(3):
        await telegram.send_text(ali.user, "/help")
    await telegram.wait_until(
        lambda: len([c for c in telegram.calls_to("sendMessage") if c.chat_id == ali.chat_id]) >= 3,
        timeout=10, what="three failed sends to Ali")
    started = time.monotonic()
    reply = await harness.send(banu, "/help")
    assert time.monotonic() - started < 1.0
    assert "/yardim" in (reply.text or "")
    assert telegram.messages(ali.user) == []


async def test_an_unknown_outcome_is_retried_once_then_failed_with_the_reason(
        harness: Harness, telegram: FakeBotApi, clock: ManualClock) -> None:
    cem = harness.person("Cem")
    telegram.open_private_chat(cem.user)
    telegram.drop_connection_next("sendMessage", chat_id=cem.chat_id, times=10, after_processing=True)
    await reply_to(harness, cem, "Toplantıya geliyor musunuz?", "reply:unknown")
    deadline = time.monotonic() + 15
    while (await row(harness, "reply:unknown"))[0] != "failed" and time.monotonic() < deadline:
        clock.advance(timedelta(seconds=5))
        await asyncio.sleep(0.3)
    status, error, _ = await row(harness, "reply:unknown")
    assert status == "failed" and error is not None and "outcome unknown" in error
    assert len(telegram.messages(cem.user)) == 2  # the first try and one retry, never more
