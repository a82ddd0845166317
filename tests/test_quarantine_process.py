"""Issue 18 §1 through the real process: `python -m bot run --polling` against the fake Bot
API serving updates it cannot parse or store, then the operator's `koordinat quarantine`."""

from __future__ import annotations

import asyncio
import signal
import sys
from pathlib import Path

from bot.emulator.telegram import FakeBotApi
from bot.emulator.telegram.records import FakeUser
from tests.process_support import ROOT, bot_env, query, start_bot, wait_for_line


async def _cli(env: dict[str, str], *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "quarantine", *args, cwd=ROOT, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await asyncio.wait_for(process.communicate(), 30)
    return process.returncode or 0, output.decode()


async def test_bad_updates_never_stop_the_real_process_and_the_operator_can_retry_them(tmp_path: Path) -> None:
    database = tmp_path / "k.db"
    log = tmp_path / "bot.log"
    nur, emma, zehra = FakeUser(9_001, "Nur", "tr"), FakeUser(9_002, "Emma", "en"), FakeUser(9_003, "Zehra", "tr")
    async with FakeBotApi() as server:
        env = bot_env(server, database)
        bot = await start_bot(env, log, "--polling")
        try:
            await wait_for_line(log, "Koordinat is running (long polling)")
            # One batch: a field of a newer Bot API PTB cannot parse, a lone surrogate, a good one.
            server.send_raw(nur, {"text": "merhaba", "checklist": {"tasks": "many"}})
            server.send_raw(emma, {"text": "hi \udc00 there"})
            await server.send_text(zehra, "/start")
            assert "okuyamadım" in (await server.wait_for_message(nur, timeout=10)).text
            assert "could not read" in (await server.wait_for_message(emma, timeout=10)).text
            assert "Koordinat" in (await server.wait_for_message(zehra, timeout=10)).text
            assert server.pending_updates == 0  # acknowledged: never fetched again
            # still polling: the next update is answered
            await server.send_text(nur, "/start")
            await server.wait_for_message(nur, lambda m: "Koordinat" in (m.text or ""), timeout=10)

            code, listing = await _cli(env, "list")
            assert code == 0
            lines = [line for line in listing.splitlines() if line.startswith("#")]
            assert len(lines) == 2 and "surrogate" in listing and "Error" in listing
            assert "hi" not in listing and "merhaba" not in listing  # no message text without --raw
            surrogate_id = next(line.split()[0][1:] for line in lines if "surrogate" in line)
            unparseable_id = next(line.split()[0][1:] for line in lines if "surrogate" not in line)

            before = len(server.messages(emma))
            code, said = await _cli(env, "retry", surrogate_id)
            assert code == 0 and "1 update(s) put back" in said
            for _ in range(200):  # the running bot takes it within seconds (U+FFFD instead)
                if len(server.messages(emma)) > before:
                    break
                await asyncio.sleep(0.05)
            assert len(server.messages(emma)) > before
            assert "could not read" not in (server.last_message(emma).text or "")

            code, said = await _cli(env, "drop", unparseable_id)
            assert code == 0
            assert query(database, "SELECT COUNT(*) FROM quarantined_updates") == [(0,)]
        finally:
            bot.send_signal(signal.SIGTERM)
            await asyncio.wait_for(bot.wait(), 15)
    text = log.read_text()
    assert bot.returncode == 0, text
    assert "Traceback" not in text
    assert "hi \\udc00" not in text and "merhaba" not in text  # no message bodies in the log
