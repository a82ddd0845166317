"""The SQLite database: connection, pragmas, migrations, and serialised write transactions.

One connection writes, guarded by an asyncio lock, with `BEGIN IMMEDIATE` (a deferred
read-then-write upgrade fails with SQLITE_BUSY regardless of busy_timeout). A second
connection reads the last committed state. Code running inside `transaction()` sees the
transaction through a context variable, so a service called from an update handler joins the
handler's transaction (as a savepoint) and an update's effects commit together with its
`processed_updates` row.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000


class _OpenTransaction:
    """Marks the transaction a task is inside; tasks spawned inside it inherit a copy, so
    `active` tells whether it is still open."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self.active = True
        self.after_commit: list[Callable[[], None]] = []


_current: contextvars.ContextVar[_OpenTransaction | None] = contextvars.ContextVar(
    "koordinat_transaction", default=None
)


def _open_transaction() -> aiosqlite.Connection | None:
    marker = _current.get()
    return marker.conn if marker is not None and marker.active else None


def migration_files() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every `storage/migrations/NNN_name.sql`, in order."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            found.append((int(name[:3]), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


async def _run(conn: aiosqlite.Connection, sql: str) -> None:
    """Execute and close the cursor at once (an open PRAGMA cursor keeps a lock)."""
    async with conn.execute(sql) as cursor:
        await cursor.fetchall()


async def _open_connection(path: Path) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(str(path), isolation_level=None)
    conn.row_factory = aiosqlite.Row
    await _run(conn, f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await _run(conn, "PRAGMA foreign_keys = ON")
    await _run(conn, "PRAGMA synchronous = NORMAL")
    await _run(conn, "PRAGMA secure_delete = ON")  # deleted rows are zeroed, not left in free space (/forget)
    return conn


class Database:
    """An open Koordinat database. Use `await Database.open(path)`."""

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection):
        self.path = path
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()
        self._savepoints = 0

    @classmethod
    async def open(cls, path: Path | str, *, migrate: bool = True) -> Database:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = await _open_connection(path)
        await _run(writer, "PRAGMA journal_mode = WAL")
        reader = await _open_connection(path)
        db = cls(path, writer, reader)
        if migrate:
            await db.migrate()
        return db

    async def close(self) -> None:
        await self._reader.close()
        await self._writer.close()

    async def schema_version(self) -> int:
        async with self._writer.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def migrate(self) -> list[str]:
        """Apply every migration newer than `PRAGMA user_version`; return the applied names."""
        applied = []
        async with self._write_lock:
            current = await self.schema_version()
            for version, name, sql in migration_files():
                if version <= current:
                    continue
                await _run(self._writer, "BEGIN IMMEDIATE")
                try:
                    for statement in _split_statements(sql):
                        await _run(self._writer, statement)
                    await _run(self._writer, f"PRAGMA user_version = {version}")
                    await _run(self._writer, "COMMIT")
                except BaseException:
                    await _run(self._writer, "ROLLBACK")
                    raise
                applied.append(name)
                log.info("applied migration %s", name)
        return applied

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction; nested calls become savepoints of the outer one."""
        outer = _open_transaction()
        if outer is not None:
            self._savepoints += 1
            name = f"sp{self._savepoints}"
            await _run(outer, f"SAVEPOINT {name}")
            try:
                yield outer
            except BaseException:
                await _run(outer, f"ROLLBACK TO {name}")
                await _run(outer, f"RELEASE {name}")
                raise
            await _run(outer, f"RELEASE {name}")
            return
        async with self._write_lock:
            await _run(self._writer, "BEGIN IMMEDIATE")
            marker = _OpenTransaction(self._writer)
            token = _current.set(marker)
            try:
                yield self._writer
            except BaseException:
                marker.active = False
                _current.reset(token)
                await _run(self._writer, "ROLLBACK")
                raise
            marker.active = False
            _current.reset(token)
            await _run(self._writer, "COMMIT")
        for callback in marker.after_commit:
            callback()

    @staticmethod
    def after_commit(callback: Callable[[], None]) -> None:
        """Run `callback` once the open transaction commits (at once if none is open): other
        tasks woken by it must find the rows this transaction wrote."""
        marker = _current.get()
        if marker is not None and marker.active:
            marker.after_commit.append(callback)
        else:
            callback()

    async def checkpoint_truncate(self, attempts: int = 20) -> bool:
        """Copy the WAL into the database file and truncate the WAL to zero bytes, so rows
        deleted by `/forget` leave no copy behind (`PRAGMA wal_checkpoint(TRUNCATE)`).
        Retries briefly while a reader holds an old snapshot; True once it completed."""
        for _ in range(attempts):
            async with self._write_lock:
                async with self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor:
                    row = await cursor.fetchone()
            if row is not None and row[0] == 0:
                return True
            await asyncio.sleep(0.05)
        log.warning("WAL checkpoint did not complete: a reader kept an old snapshot")
        return False

    @asynccontextmanager
    async def read(self) -> AsyncIterator[aiosqlite.Connection]:
        """A connection for reading: the open transaction if there is one, else the reader."""
        outer = _open_transaction()
        yield outer if outer is not None else self._reader

    async def fetchall(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        async with self.read() as conn, conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def fetchone(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Row | None:
        async with self.read() as conn, conn.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def backup(self, target: Path | str) -> None:
        """A consistent copy while the bot runs, through SQLite's online backup API."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            target.unlink()

        await asyncio.to_thread(backup_file, self.path, Path(target))


def backup_file(source_path: Path, target: Path) -> None:
    """Copy a live database consistently (SQLite online backup; safe while the bot writes)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.unlink()
    if not source_path.is_file():
        raise FileNotFoundError(f"no database at {source_path}")
    # as_uri() percent-encodes `#`, `?` and `%`, which a raw `file:` URI would cut the path at.
    source = sqlite3.connect(source_path.resolve().as_uri() + "?mode=ro", uri=True,
                             timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        destination = sqlite3.connect(str(target))
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()


def _split_statements(sql: str) -> Iterable[str]:
    """Split a migration into statements (SQLite's execute runs one at a time)."""
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statement = buffer.strip()
            if statement:
                yield statement
            buffer = ""
    if buffer.strip():
        yield buffer.strip()
