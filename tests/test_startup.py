"""Issue 8, items 2, 7 and 17: every bad start of the real process is one line naming the
cause, a non-zero exit, no traceback, never the token; the process does not linger."""

from __future__ import annotations

import asyncio
import signal
import socket
import time
from pathlib import Path

import pytest

from bot.emulator.telegram.server import FakeBotApi
from tests.process_support import TOKEN, bot_env, run_bot, start_bot, wait_for_line

SECRET_PART = TOKEN.split(":")[1]


def problem_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("koordinat:")]


def assert_one_clean_line(output: str, *fragments: str) -> None:
    assert "Traceback" not in output, output
    assert SECRET_PART not in output, "the token must never be printed"
    lines = problem_lines(output)
    assert len(lines) == 1, output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


async def test_malformed_token_is_refused_before_any_network_call(tmp_path: Path) -> None:
    async with FakeBotApi() as server:
        code, output = await run_bot(bot_env(server, tmp_path / "k.db", KOORDINAT_TELEGRAM_TOKEN="abc:def ghi"))
        assert server.calls_to("getMe") == []
    assert code == 2
    assert_one_clean_line(output, "KOORDINAT_TELEGRAM_TOKEN", "not a bot token", "@BotFather")
    assert "def ghi" not in output


@pytest.mark.sqlite_only
async def test_rejected_token_is_one_line_and_the_process_exits(tmp_path: Path) -> None:
    async with FakeBotApi(token="999:SOMEONE-ELSES") as server:
        started = time.monotonic()
        code, output = await run_bot(bot_env(server, tmp_path / "k.db"))
    assert code == 1
    assert time.monotonic() - started < 15, "the database thread must not keep the process alive"
    assert_one_clean_line(output, "cannot start", "rejected the bot token")
    assert not (tmp_path / "k.db.lock").read_text(), "the lock is released"


async def test_no_network_is_retried_with_one_line_per_attempt(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = tmp_path / "bot.log"
    env = bot_env(None, tmp_path / "k.db", KOORDINAT_TELEGRAM_API_URL=f"http://127.0.0.1:{port}/bot")
    bot = await start_bot(env, log)
    try:
        await wait_for_line(log, "attempt 2")
    finally:
        bot.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(bot.wait(), 10)
    output = log.read_text()
    assert code == 1
    assert "Traceback" not in output and SECRET_PART not in output
    attempts = [line for line in output.splitlines() if "cannot reach the Telegram Bot API" in line]
    assert len(attempts) >= 2 and "attempt 1" in attempts[0] and "retrying in" in attempts[0]


@pytest.mark.parametrize("where, cause", [
    ("under-a-file", "is a file, not a directory"),
    ("read-only-directory", "is not writable"),
])
@pytest.mark.sqlite_only
async def test_unusable_database_location_is_one_line(tmp_path: Path, where: str, cause: str) -> None:
    if where == "under-a-file":
        (tmp_path / "notes.txt").write_text("x")
        database = tmp_path / "notes.txt" / "koordinat.db"
    else:
        database = Path("/sys/fs/koordinat.db")  # sysfs: no new files, even for root
        if not database.parent.is_dir():
            pytest.skip("no /sys/fs here")
    async with FakeBotApi() as server:
        code, output = await run_bot(bot_env(server, database))
        assert server.calls_to("getMe") == []
    assert code == 1
    assert_one_clean_line(output, "cannot start", str(database), cause)


@pytest.mark.parametrize("secret, expected", [
    (None, "KOORDINAT_WEBHOOK_SECRET: needed for --webhook"),
    ("has spaces and ü", "KOORDINAT_WEBHOOK_SECRET: 1-256 characters"),
])
async def test_webhook_needs_a_secret_telegram_accepts(tmp_path: Path, secret: str | None, expected: str) -> None:
    extra = {"KOORDINAT_WEBHOOK_URL": "https://koordinat.example.org"}
    if secret is not None:
        extra["KOORDINAT_WEBHOOK_SECRET"] = secret
    async with FakeBotApi() as server:
        code, output = await run_bot(bot_env(server, tmp_path / "k.db", **extra), "--webhook")
        assert server.calls_to("getMe") == []
    assert code == 2
    assert_one_clean_line(output, expected)
    if secret:
        assert secret not in output


@pytest.mark.sqlite_only
async def test_a_second_bot_on_the_same_database_refuses_to_start(tmp_path: Path) -> None:
    database = tmp_path / "k.db"
    log = tmp_path / "first.log"
    async with FakeBotApi() as server:
        first = await start_bot(bot_env(server, database), log)
        try:
            await wait_for_line(log, "Koordinat is running")
            code, output = await run_bot(bot_env(server, database))
            assert first.returncode is None, "the first one keeps running"
            assert server.calls_to("getMe").__len__() == 1, "the second never reached Telegram"
        finally:
            first.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(first.wait(), 15) == 0
    assert code == 1
    assert_one_clean_line(output, "another Koordinat is already running", f"pid {first.pid}", "since")


async def test_two_bots_on_one_token_do_not_run_alongside(tmp_path: Path) -> None:
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    async with FakeBotApi() as server:
        bots = [await start_bot(bot_env(server, tmp_path / f"{name}.db"), log)
                for name, log in zip("ab", logs, strict=True)]
        try:
            done, _ = await asyncio.wait([asyncio.ensure_future(b.wait()) for b in bots], timeout=60,
                                         return_when=asyncio.FIRST_COMPLETED)
            assert done, "one of them must stop"
        finally:
            for bot in bots:
                if bot.returncode is None:
                    bot.send_signal(signal.SIGTERM)
                    await asyncio.wait_for(bot.wait(), 15)
    stopped = [log.read_text() for bot, log in zip(bots, logs, strict=True) if bot.returncode == 1]
    assert stopped
    for output in stopped:
        assert_one_clean_line(output, "stopped", "another process is receiving updates for this bot token")


async def test_webhook_port_in_use_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        extra = {"KOORDINAT_WEBHOOK_URL": "https://koordinat.example.org", "KOORDINAT_WEBHOOK_SECRET": "abc_DEF-123",
                 "KOORDINAT_WEBHOOK_LISTEN": "127.0.0.1", "PORT": str(port)}
        async with FakeBotApi() as server:
            code, output = await run_bot(bot_env(server, tmp_path / "k.db", **extra), "--webhook")
            assert server.calls_to("setWebhook") == []
    assert code == 1
    assert_one_clean_line(output, "cannot start", f"cannot listen on 127.0.0.1:{port}")
