"""Group commit (storage.db): transactions that queue behind the write lock share one SQLite
transaction, yet each is all-or-nothing on its own and returns only once committed."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from storage.db import Database


@pytest.fixture
async def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    database = await Database.open(tmp_path / "k.db")
    async with database.transaction() as tx:
        await tx.execute("CREATE TABLE t (n INTEGER PRIMARY KEY)")
    yield database
    await database.close()


def committed(db: Database) -> list[int]:
    """The rows another connection sees (committed), on this pass's engine."""
    from tests.postgres_support import query_postgres

    schema = getattr(db, "schema", None)
    if schema is not None:
        return [int(row[0]) for row in query_postgres(None, "SELECT n FROM t ORDER BY n", schema=schema)]
    conn = sqlite3.connect(db.path)
    try:
        return [row[0] for row in conn.execute("SELECT n FROM t ORDER BY n")]
    finally:
        conn.close()


async def test_concurrent_transactions_commit_together_and_fail_alone(db: Database) -> None:
    seen_at_return: dict[int, list[int]] = {}

    async def write(n: int) -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO t VALUES (?)", (n,))
            await asyncio.sleep(0)
            if n == 3:
                raise ValueError("this one fails")
        seen_at_return[n] = committed(db)  # a second connection: only committed rows

    results = await asyncio.gather(*(write(n) for n in range(8)), return_exceptions=True)
    assert isinstance(results[3], ValueError)
    assert committed(db) == [0, 1, 2, 4, 5, 6, 7]
    for n, rows in seen_at_return.items():
        assert n in rows, "a transaction returns only after its rows are committed"


async def test_after_commit_callbacks_see_committed_rows(db: Database) -> None:
    seen: dict[int, list[int]] = {}

    async def write(n: int) -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO t VALUES (?)", (n,))
            db.after_commit(lambda: seen.setdefault(n, committed(db)))

    await asyncio.gather(*(write(n) for n in range(5)))
    assert sorted(seen) == [0, 1, 2, 3, 4]
    assert all(n in rows for n, rows in seen.items())


async def test_a_cancelled_waiter_does_not_leave_the_group_uncommitted(db: Database) -> None:
    first_inside = asyncio.Event()
    release_first = asyncio.Event()

    async def first() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO t VALUES (1)")
            first_inside.set()
            await release_first.wait()

    async def second() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO t VALUES (2)")

    one = asyncio.create_task(first())
    await first_inside.wait()
    two = asyncio.create_task(second())
    await asyncio.sleep(0.01)  # queued behind the first: the first will leave the group open
    release_first.set()
    await asyncio.sleep(0)
    two.cancel()
    await asyncio.wait_for(asyncio.gather(one, two, return_exceptions=True), 2)
    await asyncio.sleep(0.05)
    assert 1 in committed(db)


async def test_cancelling_writers_at_any_point_strands_nobody(db: Database) -> None:
    finished: list[int] = []

    async def write(n: int) -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO t VALUES (?)", (n,))
            await asyncio.sleep(0.001 * (n % 3))
        finished.append(n)

    for delay in (0, 0.0005, 0.001, 0.002, 0.004):
        tasks = [asyncio.create_task(write(n)) for n in range(int(delay * 1e5), int(delay * 1e5) + 20)]
        await asyncio.sleep(delay)
        for task in tasks[::3]:
            task.cancel()
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 5)
    async with asyncio.timeout(5):  # the lock is free and no group is left open
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO t VALUES (-1)")
    rows = committed(db)
    assert -1 in rows
    assert set(finished) <= set(rows), "every writer that returned is committed"


@pytest.mark.sqlite_only
async def test_urgent_writers_go_before_queued_ones(db: Database) -> None:
    """The outbox's "sent" marks (`urgent_writes`) take the write lock before updates queued
    earlier."""
    from storage import db as db_module

    order: list[str] = []
    release = asyncio.Event()

    async def holder() -> None:
        async with db.transaction() as tx:
            order.append("holder")
            await tx.execute("INSERT INTO t (n) VALUES (1)")
            await release.wait()

    async def writer(name: str, n: int, urgent: bool) -> None:
        db_module.urgent_writes.set(urgent)
        async with db.transaction() as tx:
            order.append(name)  # the write lock is ours now
            await tx.execute("INSERT INTO t (n) VALUES (?)", (n,))

    first = asyncio.create_task(holder())
    await asyncio.sleep(0.01)
    normal = [asyncio.create_task(writer(f"normal{i}", 10 + i, False)) for i in range(3)]
    await asyncio.sleep(0.01)
    urgent = asyncio.create_task(writer("urgent", 99, True))
    await asyncio.sleep(0.01)
    release.set()
    await asyncio.gather(first, urgent, *normal)
    assert order == ["holder", "urgent", "normal0", "normal1", "normal2"]
    assert committed(db) == [1, 10, 11, 12, 99]


@pytest.mark.sqlite_only
async def test_a_writer_cancelled_as_it_is_handed_the_lock_passes_it_on(db: Database) -> None:
    release = asyncio.Event()

    async def holder() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO t (n) VALUES (1)")
            await release.wait()

    async def writer(n: int) -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO t (n) VALUES (?)", (n,))

    first = asyncio.create_task(holder())
    await asyncio.sleep(0.01)
    doomed = asyncio.create_task(writer(2))
    after = asyncio.create_task(writer(3))
    await asyncio.sleep(0.01)
    release.set()
    await asyncio.sleep(0)  # the holder ends and hands the lock on…
    doomed.cancel()  # …to a caller cancelled before it could use it
    await asyncio.wait_for(asyncio.gather(first, after), 5)
    await asyncio.gather(doomed, return_exceptions=True)
    assert 3 in committed(db) and 1 in committed(db)


@pytest.mark.sqlite_only
async def test_a_transactions_statements_take_no_thread_hand_off(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 24: inside an open write transaction the statements run on the loop's thread;
    only BEGIN and COMMIT go to the connection's worker thread (COMMIT may checkpoint)."""
    import aiosqlite

    handed: list[str] = []
    original = aiosqlite.Connection._execute

    async def counting(self, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        handed.append(str(args[0]) if args else getattr(fn, "__name__", "?"))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counting)
    async with db.transaction() as tx:
        for n in range(10):
            await tx.execute("INSERT INTO t (n) VALUES (?)", (100 + n,))
        rows = await tx.execute_fetchall("SELECT COUNT(*) FROM t")
        assert rows[0][0] == 10
        async with db.transaction() as nested:  # a savepoint: no hand-off either
            await nested.execute("INSERT INTO t (n) VALUES (200)")
    assert handed == ["BEGIN IMMEDIATE", "COMMIT"]
    assert len(committed(db)) == 11
    handed.clear()
    assert len(await db.fetchall("SELECT n FROM t")) == 11  # outside a transaction: the reader's thread
    assert handed == ["SELECT n FROM t"]
