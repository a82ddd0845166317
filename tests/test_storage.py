"""The SQLite layer: migrations, serialised transactions, savepoints, online backup."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import os
from pathlib import Path

import pytest

from storage.db import Database, migration_files


@pytest.mark.sqlite_only
async def test_migrations_apply_once_and_set_user_version(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "k.db")
    latest = migration_files()[-1][0]
    assert await db.schema_version() == latest
    assert await db.migrate() == []
    row = await db.fetchone("PRAGMA journal_mode")
    assert row is not None and row[0] == "wal"
    row = await db.fetchone("PRAGMA foreign_keys")
    assert row is not None and row[0] == 1
    await db.close()


async def test_a_failed_inner_step_rolls_back_only_itself(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "k.db")
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO audit_log (at, action) VALUES ('x', 'outer')")
        with pytest.raises(RuntimeError):
            async with db.transaction() as inner:
                await inner.execute("INSERT INTO audit_log (at, action) VALUES ('x', 'inner')")
                raise RuntimeError("boom")
    rows = await db.fetchall("SELECT action FROM audit_log")
    assert [row["action"] for row in rows] == ["outer"]
    await db.close()


async def test_concurrent_writers_are_serialised_without_busy_errors(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "k.db")

    async def writer(n: int) -> None:
        async with db.transaction() as tx:
            async with tx.execute("SELECT COUNT(*) FROM audit_log") as cursor:
                await cursor.fetchone()
            await tx.execute("INSERT INTO audit_log (at, action) VALUES ('x', ?)", (str(n),))

    await asyncio.gather(*(writer(n) for n in range(50)))
    row = await db.fetchone("SELECT COUNT(*) FROM audit_log")
    assert row is not None and row[0] == 50
    await db.close()


@pytest.mark.sqlite_only
async def test_backup_while_open_is_a_consistent_copy(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "k.db")
    async with db.transaction() as tx:
        await tx.execute("INSERT INTO groups (name, city, created_at) VALUES ('Kadın Dostu Kent', 'Kars', 'x')")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOORDINAT_")}
    env["KOORDINAT_DATABASE"] = str(tmp_path / "k.db")
    result = subprocess.run([sys.executable, "-m", "bot", "backup", str(tmp_path / "copy.db")],
                            env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("SELECT name FROM groups").fetchall() == [("Kadın Dostu Kent",)]
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copy.close()
    await db.close()


async def test_processed_update_ids_are_forgotten_after_a_week(tmp_path: Path) -> None:
    from datetime import timedelta

    from bot.clock import ManualClock, utc_timestamp
    from bot.config import Settings
    from bot.services import build_services
    from tests.harness import TEST_START

    db = await Database.open(tmp_path / "k.db")
    clock = ManualClock(TEST_START)
    services = build_services(Settings(_env_file=None, database=tmp_path / "k.db"), db, clock)  # type: ignore[call-arg]
    await services.start()
    try:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO processed_updates VALUES ('telegram', 'old', ?), ('telegram', 'new', ?)",
                             (utc_timestamp(TEST_START - timedelta(days=8)), utc_timestamp(TEST_START)))
        clock.advance(timedelta(days=1))  # past tonight's 04:00 slot
        await services.scheduler.settle()
        rows = await db.fetchall("SELECT update_id FROM processed_updates")
        assert [row["update_id"] for row in rows] == ["new"]
    finally:
        await services.stop()
        await db.close()
