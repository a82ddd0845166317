"""After /unut nothing identifying her stays (issue 18 §7): every table and the raw database
files (db, -wal) are searched for each of her identifiers — her ids, phone, name and, on
WhatsApp, her business-scoped user id (BSUID) — after she joined, used the bot and had a
message quarantined as unreadable."""

from __future__ import annotations

import pytest

import asyncio
import sqlite3
import time
from pathlib import Path

from bot.emulator.telegram import FakeBotApi, FakeUser
from tests.harness import Harness, Person
from tests.meetings_support import group_with
from tests.whatsapp_support import WaHarness, graph, wa  # noqa: F401  (fixtures)

# The SQLite file itself is what these tests read (or fill): not on the PostgreSQL pass.
pytestmark = pytest.mark.sqlite_only

NAME, SURNAME = "Gülizarhanım", "Karaağaçlıoğlu"
PHONE = "905327771199"
TELEGRAM_ID = 7_412_998_331


def _needles(*values: str) -> dict[str, bytes]:
    return {value: value.encode() for value in values if value}


def traces(database: Path, needles: dict[str, bytes]) -> dict[str, list[str]]:
    """Which identifiers each table (every text column, every row) and each raw file holds."""
    found: dict[str, list[str]] = {}
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        tables = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):  # noqa: S608 - our own table names
                text = " ".join(str(value) for value in row if value is not None)
                hits = [label for label, needle in needles.items() if needle.decode() in text]
                if hits:
                    found.setdefault(f"table {table}", []).extend(hits)
    finally:
        conn.close()
    for suffix in ("", "-wal"):
        path = database.with_name(database.name + suffix)
        if path.exists():
            data = path.read_bytes()
            hits = [label for label, needle in needles.items() if needle in data]
            if hits:
                found[path.name] = hits
    return found


async def nothing_left(database: Path, needles: dict[str, bytes], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while (left := traces(database, needles)) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    assert not left, f"her identifiers are still stored: {left}"


async def test_after_unut_on_whatsapp_nothing_identifies_her(wa: WaHarness) -> None:  # noqa: F811
    created = await wa.create_group()
    gul = wa.graph.user(f"{NAME} {SURNAME}", phone=PHONE)
    await wa.wa_join(gul, created.member_invite.code, language="tr")
    await wa.wa_skip(gul)
    # a message the bot cannot read: quarantined with her id as its chat
    await wa.graph.send_text(gul, "merhaba \ud83d")
    await wa.wa_next(gul, "okuyamadım")
    # (A notice held behind a closed 24-hour window and released before /unut is left out:
    # the goodbye then never arrives — a fault that predates issue 18, reported to the lead.)
    needles = _needles(gul.user_id, PHONE, "+" + PHONE, NAME, SURNAME)
    assert traces(wa.database, needles), "the test must see her data stored before /unut"

    confirm = await wa.wa_send(gul, "unut")
    await wa.graph.tap(gul, confirm, "🗑 Evet, sil")
    done = await wa.wa_next(gul)
    assert done.text  # the goodbye still arrives, free-form
    await wa.settle()
    await nothing_left(wa.database, needles)


async def test_after_unut_on_telegram_nothing_identifies_her(harness: Harness, telegram: FakeBotApi) -> None:
    zeynep, _ = await group_with(harness)
    code = (await harness.services.db.fetchone("SELECT code FROM invites WHERE role = 'member'"))["code"]
    gul = Person(FakeUser(id=TELEGRAM_ID, first_name=NAME, last_name=SURNAME, language_code="tr",
                          username="gulizar_k"))
    await harness.join(gul, code)
    await harness.next(gul)
    telegram.send_raw(gul.user, {"text": "merhaba", "checklist": 5})  # quarantined, her ids inside
    await harness.next_containing(gul, "okuyamadım")
    await harness.settle()
    needles = _needles(str(TELEGRAM_ID), NAME, SURNAME, "gulizar_k")
    assert traces(harness.database, needles), "the test must see her data stored before /unut"

    confirm = await harness.send(gul, "/unut")
    done = await harness.press(gul, confirm, "forget:yes")
    assert "silindi" in done.text
    await harness.settle()
    await nothing_left(harness.database, needles)
