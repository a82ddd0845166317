"""Running the real `python -m bot run` as a subprocess against an in-test fake Bot API (the
crash, start-up and database-watch tests)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from pathlib import Path

from bot.emulator.telegram.server import FakeBotApi

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "123456:TEST-TOKEN"


def bot_env(server: FakeBotApi | None, database: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("KOORDINAT_")}
    env.update({
        "KOORDINAT_TELEGRAM_TOKEN": TOKEN,
        "KOORDINAT_DATABASE": str(database),
        "KOORDINAT_PRIVATE_CHAT_RATE_PER_SECOND": "50",
        "PTB_TIMEDELTA": "1",
    })
    if server is not None:
        env["KOORDINAT_TELEGRAM_API_URL"] = server.base_url
        env["KOORDINAT_TELEGRAM_FILE_URL"] = server.file_base_url
    env.update(extra)
    return env


async def start_bot(env: dict[str, str], log: Path, *args: str) -> asyncio.subprocess.Process:
    """`python -m bot run ARGS` with its output appended to `log`."""
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", *args, cwd=ROOT, env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out)


async def run_bot(env: dict[str, str], *args: str, timeout: float = 30) -> tuple[int, str]:
    """Run to completion; (exit code, combined output)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", *args, cwd=ROOT, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        output, _ = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    return process.returncode or 0, output.decode("utf-8", "replace")


def query(database: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Rows of `sql` read from the test's database file — or, on the PostgreSQL pass, from the
    schema that file maps to (tests/postgres_support.py)."""
    from tests.postgres_support import query_postgres, test_database

    if test_database() is not None:
        return query_postgres(database, sql, params)
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        return list(conn.execute(sql, params).fetchall())
    finally:
        conn.close()


async def wait_for_line(log: Path, fragment: str, timeout: float = 15) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while fragment not in log.read_text(encoding="utf-8", errors="replace"):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"no {fragment!r} in the log:\n{log.read_text(errors='replace')[-3000:]}")
        await asyncio.sleep(0.05)
