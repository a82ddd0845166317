"""Issue 8, item 3: the database deleted or replaced under the running bot stops it with one
line and a non-zero exit; a full disk is one log line, the bot keeps running and the person
is told her input was not saved."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from bot.emulator.telegram.server import FakeBotApi
from bot.clock import ManualClock
from tests.harness import Harness
from tests.process_support import bot_env, start_bot, wait_for_line


@pytest.mark.sqlite_only
@pytest.mark.parametrize("change, cause", [("delete", "was deleted"), ("replace", "was replaced")])
async def test_database_file_gone_stops_the_bot_with_one_line(tmp_path: Path, change: str, cause: str) -> None:
    database = tmp_path / "k.db"
    log = tmp_path / "bot.log"
    async with FakeBotApi() as server:
        bot = await start_bot(bot_env(server, database), log)
        try:
            await wait_for_line(log, "Koordinat is running")
            if change == "delete":
                database.unlink()
            else:
                shutil.copy(database, tmp_path / "other.db")
                os.replace(tmp_path / "other.db", database)
            code = await asyncio.wait_for(bot.wait(), 15)
        finally:
            if bot.returncode is None:
                bot.send_signal(signal.SIGKILL)
                await bot.wait()
    output = log.read_text()
    assert code == 1
    assert "Traceback" not in output
    stops = [line for line in output.splitlines() if line.startswith("koordinat: stopped")]
    assert len(stops) == 1 and cause in stops[0] and str(database) in stops[0]
    assert [line for line in output.splitlines() if " ERROR " in line] == []  # said once, there


@pytest.fixture
def tiny_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A real 4 MB file system (tmpfs), so the disk can really be full; skipped where mounting
    is not allowed."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(path: Path) -> None:
    try:
        with path.open("wb", buffering=0) as out:
            while True:
                out.write(b"\0" * 4096)
    except OSError:
        pass


@pytest.mark.sqlite_only
async def test_full_disk_is_said_honestly_and_the_bot_keeps_going(
        telegram: FakeBotApi, tiny_disk: Path, clock: ManualClock, caplog: pytest.LogCaptureFixture) -> None:
    harness = Harness(telegram, tiny_disk / "koordinat.db", clock, private_chat_rate_per_second=50)
    await harness.start()
    try:
        ayse, nur = harness.person("Ayşe"), harness.person("Nur")
        assert "/katil" in (await harness.send(nur, "/start")).text
        fill(tiny_disk / "filler")
        await telegram.send_text(ayse.user, "/start")
        first = await telegram.wait_for_message(ayse.user, timeout=5)
        await telegram.send_text(nur.user, "/help")
        second = await telegram.wait_for_message(nur.user, timeout=5)
        for reply in (first, second):
            assert "disk" in reply.text and "kaydedilmedi" in reply.text
            assert "kaybolmadı" not in reply.text
        full_lines = [r for r in caplog.records if "disk is full" in r.getMessage()]
        assert len(full_lines) == 1
        (tiny_disk / "filler").unlink()  # space again: handled normally
        reply = await harness.send(ayse, "/help")
        assert "/yardim" in (reply.text or "")
    finally:
        await harness.stop()

