"""`/forget` leaves no personal data on disk (issue 8, item 10): the raw bytes of the database,
its WAL and shared-memory files hold neither the person's name nor her Telegram id once she
is forgotten — also after a `kill -9` right after the confirmation, with the bot run as the
operator runs it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from bot.clock import SystemClock
from bot.emulator.telegram.server import FakeBotApi, FakeUser
from bot.services.groups import GroupService
from storage.db import Database
from tests.harness import Harness, Person
from tests.meetings_support import announce, group_with, notice

ROOT = Path(__file__).resolve().parents[1]
NAME = "Nergisçiçeği"
SURNAME = "Yıldırımkaya"
TELEGRAM_ID = 7300123456


def traces(database: Path) -> dict[str, list[str]]:
    """Which of the person's identifiers each database file still contains, as raw bytes."""
    needles = {"name": NAME.encode(), "surname": SURNAME.encode(), "id": str(TELEGRAM_ID).encode()}
    found: dict[str, list[str]] = {}
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = database.with_name(database.name + suffix)
        if path.exists():
            data = path.read_bytes()
            hits = [label for label, needle in needles.items() if needle in data]
            if hits:
                found[path.name] = hits
    return found


async def clean_eventually(database: Path, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while (left := traces(database)) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert not left, f"personal data still on disk: {left}"


@pytest.mark.sqlite_only
async def test_forget_leaves_no_name_or_id_in_the_database_or_wal(harness: Harness) -> None:
    zeynep, _ = await group_with(harness)
    code = (await harness.services.db.fetchone("SELECT code FROM invites WHERE role = 'member'"))["code"]
    nergis = Person(FakeUser(id=TELEGRAM_ID, first_name=NAME, last_name=SURNAME, language_code="tr"))
    await harness.join(nergis, code)
    await announce(harness, zeynep)
    await notice(harness, nergis)
    await harness.send(nergis, "evet")
    members = await harness.send(zeynep, "/uyeler")  # her name goes out to the coordinator
    assert NAME in members.text
    await harness.settle()
    assert traces(harness.database), "the test must see her data on disk before the forget"

    confirm = await harness.send(nergis, "/unut")
    done = await harness.press(nergis, confirm, "forget:yes")
    assert "Verileriniz silindi" in done.text
    await clean_eventually(harness.database)
    # The bot goes on working, and the coordinator's view no longer names her.
    assert NAME not in (await harness.send(zeynep, "/uyeler")).text
    await harness.settle()
    await clean_eventually(harness.database)


async def _start_bot(server: FakeBotApi, database: Path, log: Path) -> asyncio.subprocess.Process:
    env = {**os.environ, "KOORDINAT_TELEGRAM_TOKEN": "123456:TEST-TOKEN",
           "KOORDINAT_TELEGRAM_API_URL": server.base_url, "KOORDINAT_DATABASE": str(database),
           "KOORDINAT_PRIVATE_CHAT_RATE_PER_SECOND": "50", "PTB_TIMEDELTA": "1"}
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=env, stdin=asyncio.subprocess.DEVNULL,
            stdout=out, stderr=out)


@pytest.mark.sqlite_only
async def test_kill_9_right_after_a_forget_leaves_nothing_after_restart(tmp_path: Path) -> None:
    database = tmp_path / "koordinat.db"
    log = tmp_path / "bot.log"
    async with FakeBotApi() as server:
        db = await Database.open(database)
        try:
            created = await GroupService(db, SystemClock().now, "Europe/Istanbul").create("Kadın Dostu Kent", "Kars", "tr")
        finally:
            await db.close()
        code = created.member_invite.code
        user = FakeUser(id=TELEGRAM_ID, first_name=NAME, last_name=SURNAME, language_code="tr")
        bot = await _start_bot(server, database, log)
        try:
            await server.send_text(user, f"/start {code}")
            picker = await server.wait_for_message(user, timeout=20)
            await server.press_button(user, picker, f"lang:tr:{code}")
            await server.wait_for_message(user)
            consent = await server.wait_for_message(user)
            await server.press_button(user, consent, f"consent:tr:{code}:y")
            second = await server.wait_for_message(user)
            await server.press_button(user, second, f"consent:tr:{code}:y:y")
            await server.wait_for_message(user, lambda m: "Kadın Dostu Kent" in (m.text or ""))
            await server.send_text(user, "/unut")
            confirm = await server.wait_for_message(user, lambda m: bool(m.buttons))
            await server.press_button(user, confirm, "forget:yes")
            await server.wait_for_message(user, lambda m: "Verileriniz silindi" in (m.text or ""))
        finally:
            bot.send_signal(signal.SIGKILL)
            await bot.wait()

        bot = await _start_bot(server, database, log)
        try:
            await clean_eventually(database, timeout=20)
        finally:
            bot.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(bot.wait(), 15) == 0
    assert not traces(database)
    assert "Traceback" not in log.read_text(encoding="utf-8")
