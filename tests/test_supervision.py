"""Every long-running task is supervised (issue 18 §1): if the polling loop, the inbox worker,
the outbox dispatcher or a scheduler pump ends unexpectedly, the process logs one line and
exits non-zero, so its supervisor restarts it — never a live process that does nothing."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.__main__ import Koordinat
from bot.clock import ManualClock
from bot.emulator.telegram import FakeBotApi
from bot.emulator.telegram.records import FakeUser
from tests.harness import make_settings
from tests.process_support import ROOT, bot_env, wait_for_line


def _break_dispatcher(bot: Koordinat) -> None:
    dispatcher = bot.services.dispatcher  # type: ignore[union-attr]

    async def broken() -> None:  # outside the loop's own error handling
        raise RuntimeError("dispatcher bug")

    dispatcher._wake.wait = broken  # type: ignore[method-assign]
    dispatcher.kick()


def _break_inbox(bot: Koordinat) -> None:
    assert bot.inbound is not None

    def broken(*args: object) -> None:
        raise RuntimeError("inbox bug")

    bot.inbound._schedule = broken  # type: ignore[method-assign]


def _break_scheduler(bot: Koordinat) -> None:
    scheduler = bot.services.scheduler  # type: ignore[union-attr]

    def broken(*args: object) -> None:
        raise RuntimeError("scheduler bug")

    scheduler._arm = broken  # type: ignore[method-assign]
    scheduler.check_now()


def _break_polling(bot: Koordinat) -> None:
    assert bot._polling is not None

    async def broken(*args: object) -> bool:
        raise RuntimeError("polling bug")

    bot._polling._take = broken  # type: ignore[method-assign]


@pytest.mark.parametrize(("breaker", "task"), [
    (_break_dispatcher, "outbox-dispatcher"), (_break_inbox, "inbox-telegram"),
    (_break_scheduler, "scheduler-"), (_break_polling, "telegram-polling"),
], ids=["dispatcher", "inbox", "scheduler", "polling"])
async def test_a_task_that_dies_stops_the_bot_with_one_line_and_exit_1(
        telegram: FakeBotApi, tmp_path: Path, clock: ManualClock, capsys: pytest.CaptureFixture[str],
        breaker: Callable[[Koordinat], None], task: str) -> None:
    bot = Koordinat(make_settings(telegram, tmp_path / "k.db"), clock=clock)
    running = asyncio.create_task(bot.run_until_stopped())
    async with asyncio.timeout(10):
        while bot.services is None or bot._polling is None or bot._polling.task is None:
            await asyncio.sleep(0.01)
    breaker(bot)
    await telegram.send_text(FakeUser(5, "Nur", "tr"), "/start")  # gives the loops something to do
    code = await asyncio.wait_for(running, 10)
    assert code == 1
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("koordinat:")]
    assert len(lines) == 1 and "stopped unexpectedly" in lines[0] and task in lines[0], err
    assert "Traceback" not in err


async def test_a_clean_stop_is_not_a_death(telegram: FakeBotApi, tmp_path: Path, clock: ManualClock) -> None:
    bot = Koordinat(make_settings(telegram, tmp_path / "k.db"), clock=clock)
    await bot.start()
    await bot.stop()
    assert bot.failure is None


PATCH_INBOX = """
import sys
from bot.services import inbox
def broken(self, *args):
    raise RuntimeError("a bug in scheduling")
inbox.InboundQueue._schedule = broken
inbox.ClaimingInboundQueue._schedule = broken  # the PostgreSQL pass's queue
from bot.__main__ import main
sys.exit(main(["run", "--polling"]))
"""


async def test_the_real_process_exits_non_zero_when_its_inbox_worker_dies(tmp_path: Path) -> None:
    log = tmp_path / "bot.log"
    async with FakeBotApi() as server:
        env = bot_env(server, tmp_path / "k.db")
        with log.open("ab") as out:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-c", PATCH_INBOX, cwd=ROOT, env=env,
                stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out)
        try:
            await wait_for_line(log, "Koordinat is running")
            await server.send_text(FakeUser(7, "Nur", "tr"), "/start")
            code = await asyncio.wait_for(process.wait(), 15)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    text = log.read_text()
    assert code == 1, text
    assert "koordinat: stopped: inbox-telegram stopped unexpectedly (RuntimeError: a bug in scheduling)" in text
    assert "Traceback" not in text
