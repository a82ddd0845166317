"""A full disk doubles nothing (issue 18 §3): a send whose "sent" mark cannot be written is
never sent again blindly. While writes fail, no bulk row is claimed or started; the marks of
what was sent are kept in memory until they can be written; "the disk is full" is one log
line per episode. On a real, really full file system (a 4 MB tmpfs)."""

from __future__ import annotations

import asyncio
import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.emulator.telegram import FakeBotApi
from tests.harness import Harness
from tests.test_broadcasts import seed_group
from tests.test_database_watch import fill
from tests.test_outbox import broadcast

# The SQLite file itself is what these tests read (or fill): not on the PostgreSQL pass.
pytestmark = pytest.mark.sqlite_only

MEMBERS = 300


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 32 MB file system (tmpfs) that can really be filled; skipped where mounting is
    not allowed."""
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(mount)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


async def _flapping(disk: Path) -> None:
    """Another process on the same disk frees a little space and takes it back, again and again:
    some of the bot's writes succeed and others fail (the usual way a disk is "full")."""
    slack = disk / "slack"
    fill(slack)
    while True:
        slack.unlink(missing_ok=True)
        await asyncio.sleep(0.02)
        fill(slack)
        await asyncio.sleep(0.03)


async def _sent_count(telegram: FakeBotApi, users: list) -> int:  # noqa: ANN001
    return sum(1 for user in users if telegram.messages(user))


async def _start_broadcast(harness: Harness, telegram: FakeBotApi) -> list:  # noqa: ANN001
    group = await seed_group(harness.services.db, telegram, MEMBERS)
    await broadcast(harness, group.id, "Toplantı duyurusu")
    async with asyncio.timeout(20):
        while await _sent_count(telegram, group.users) < 40:
            await asyncio.sleep(0.005)
    return group.users


async def _all_once(harness: Harness, telegram: FakeBotApi, users: list) -> None:  # noqa: ANN001
    async with asyncio.timeout(30):
        while await _sent_count(telegram, users) < MEMBERS:
            await asyncio.sleep(0.02)
    await harness.settle()
    twice = [user.id for user in users if len(telegram.messages(user)) > 1]
    assert twice == []


async def test_a_full_disk_mid_broadcast_stops_bulk_sends_and_doubles_nothing(
        telegram: FakeBotApi, small_disk: Path, clock: ManualClock, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    harness = Harness(telegram, small_disk / "koordinat.db", clock, send_rate_per_second=200,
                      private_chat_rate_per_second=50)
    await harness.start()
    try:
        users = await _start_broadcast(harness, telegram)
        fill(small_disk / "filler")
        async with asyncio.timeout(10):  # the first mark that cannot be written stops the bulk lane
            while not harness.services.dispatcher._writes_failing:
                await asyncio.sleep(0.01)
        during = await _sent_count(telegram, users)
        await asyncio.sleep(1.0)  # a window in which nothing new may start (not a wait for an event)
        assert await _sent_count(telegram, users) - during <= harness.services.dispatcher.max_in_flight
        (small_disk / "filler").unlink()  # space again: the marks are written, the rest goes
        await _all_once(harness, telegram, users)
        full = [r for r in caplog.records if "disk is full" in r.getMessage()]
        assert len(full) == 1, [r.getMessage() for r in full]  # one line per episode
        assert len([r for r in caplog.records if "saving changes again" in r.getMessage()]) == 1
        assert not [r for r in caplog.records if r.exc_info and r.levelno >= logging.ERROR]
    finally:
        await harness.stop()


async def test_a_disk_that_is_nearly_full_for_a_while_doubles_nothing(
        telegram: FakeBotApi, small_disk: Path, clock: ManualClock) -> None:
    harness = Harness(telegram, small_disk / "koordinat.db", clock, send_rate_per_second=200,
                      private_chat_rate_per_second=50)
    await harness.start()
    try:
        users = await _start_broadcast(harness, telegram)
        fill(small_disk / "filler")  # full, and now and then a little space: some writes succeed
        pressure = asyncio.create_task(_flapping(small_disk))
        await asyncio.sleep(3.0)  # how long the disk stays nearly full (a scenario length, not a wait)
        pressure.cancel()
        await asyncio.gather(pressure, return_exceptions=True)
        (small_disk / "filler").unlink()
        (small_disk / "slack").unlink(missing_ok=True)
        await _all_once(harness, telegram, users)
    finally:
        await harness.stop()
