"""Shared fixtures: a fake Telegram Bot API per test, a temp SQLite file, a movable clock.

How the tests are built: tests/README.md; the rules they check: docs/architecture.md.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

# PTB 22 warns when RetryAfter.retry_after is read as int; opt in to timedelta (warnings are errors).
os.environ.setdefault("PTB_TIMEDELTA", "1")

from bot.clock import ManualClock  # noqa: E402
from bot.emulator.telegram.server import FakeBotApi  # noqa: E402
from tests.harness import TEST_START, Harness  # noqa: E402


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(start=TEST_START)


@pytest.fixture
async def telegram() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        yield server


@pytest.fixture
async def harness(telegram: FakeBotApi, tmp_path: Path, clock: ManualClock) -> AsyncIterator[Harness]:
    # People in these tests answer in milliseconds, which a real person never does; the
    # per-chat pace (1 message/s after a burst) has its own tests in test_outbox*.py.
    h = Harness(telegram, tmp_path / "koordinat.db", clock, private_chat_rate_per_second=50)
    await h.start()
    try:
        yield h
    finally:
        await h.stop()
