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
import collections
import contextvars
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from storage.sql import fetch_all, fetch_one, run as sql_run

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000


class DatabaseUnavailable(Exception):
    """The database cannot be used; the message is one line naming the path and the cause."""


def check_location(path: Path) -> None:
    """Raise `DatabaseUnavailable` if a database cannot live at `path`: a parent is a regular
    file, the directory is missing and cannot be made, or it is not writable (SQLite needs to
    create its -wal and -shm files next to the database)."""
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise DatabaseUnavailable(f"database {path}: {parent} is a file, not a directory")
            break
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DatabaseUnavailable(f"database {path}: cannot create {path.parent}: "
                                  f"{error.strerror or error}") from None
    if path.exists() and not path.is_file():
        raise DatabaseUnavailable(f"database {path}: not a regular file")
    probe = path.parent / f".koordinat-write-test-{os.getpid()}"
    try:  # os.access says yes to root even on a read-only file system: really try
        probe.touch()
        probe.unlink()
    except OSError as error:
        raise DatabaseUnavailable(f"database {path}: directory {path.parent} is not writable "
                                  f"({error.strerror or error})") from None
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise DatabaseUnavailable(f"database {path}: file is not writable")


def is_postgres_location(location: object) -> bool:
    """True for a `postgresql://` or `postgres://` DSN (anything else names a SQLite file)."""
    return isinstance(location, str) and location.split("://", 1)[0].lower() in {"postgresql", "postgres"}


def sqlite_path(location: Path | str) -> Path:
    """The file a SQLite location names: a path, or a `sqlite:///relative` / `sqlite:////abs` URL."""
    if isinstance(location, str) and location.lower().startswith("sqlite://"):
        rest = location[len("sqlite://"):]
        return Path(rest[1:] if rest.startswith("/") else rest)
    return Path(location)


def _identity(path: Path) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_dev, info.st_ino


class StorageError(Exception):
    """A typed storage failure, the same on both engines (`classify`)."""


class DiskFull(StorageError):
    """SQLITE_FULL; PostgreSQL SQLSTATE 53100 disk_full (53xxx insufficient resources)."""


class ReadOnly(StorageError):
    """SQLITE_READONLY*; SQLSTATE 25006 read_only_sql_transaction (a standby, a read-only
    database)."""


class ConnectionLost(StorageError):
    """SQLITE_IOERR*/CORRUPT/NOTADB (the file is gone or broken); SQLSTATE class 08
    (connection exception) or 57P01–57P03 (server shut down), or the socket closed."""


_FATAL_SQLSTATES = ("08", "57P01", "57P02", "57P03", "58030", "XX001", "XX002")


def classify(error: BaseException) -> type[StorageError] | None:
    """`DiskFull`, `ReadOnly`, `ConnectionLost` or None for a driver error of either engine
    (sqlite3 error codes, Python 3.11; PostgreSQL SQLSTATEs, manual Appendix A)."""
    if isinstance(error, StorageError):
        return type(error)
    sqlstate = getattr(error, "sqlstate", None)
    if isinstance(sqlstate, str):
        if sqlstate == "53100":
            return DiskFull
        if sqlstate == "25006":
            return ReadOnly
        if sqlstate.startswith(_FATAL_SQLSTATES):
            return ConnectionLost
        return None
    if type(error).__module__.startswith("asyncpg") and (
            "closed" in str(error) or "ConnectionDoesNotExist" in type(error).__name__):
        return ConnectionLost
    if not isinstance(error, sqlite3.Error):
        return None
    code = getattr(error, "sqlite_errorcode", None)
    if code == sqlite3.SQLITE_FULL or "disk is full" in str(error):
        return DiskFull
    if code is not None:
        if (code & 0xFF) == sqlite3.SQLITE_READONLY:
            return ReadOnly
        if (code & 0xFF) in (sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
            return ConnectionLost
        return None
    text = str(error).lower()
    if "readonly" in text or "read-only" in text:
        return ReadOnly
    if "disk i/o error" in text or "malformed" in text:
        return ConnectionLost
    return None


def is_disk_full(error: BaseException) -> bool:
    """SQLITE_FULL ("database or disk is full") or PostgreSQL's 53100 disk_full."""
    return classify(error) is DiskFull


def is_fatal_storage_error(error: BaseException) -> bool:
    """Errors after which this process must not go on writing: the file went read-only, was
    removed under us, or I/O failed (SQLITE_READONLY*, SQLITE_IOERR*, SQLITE_CORRUPT,
    SQLITE_NOTADB; sqlite3 error codes, Python 3.11); on PostgreSQL a read-only server or a
    lost connection (`classify`)."""
    if getattr(error, "sqlstate", None) is not None or not isinstance(error, sqlite3.Error):
        return classify(error) in (ReadOnly, ConnectionLost)
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR,
                                 sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
    text = str(error).lower()
    return any(word in text for word in ("readonly", "read-only", "disk i/o error", "malformed"))


class _OpenTransaction:
    """Marks the transaction a task is inside; tasks spawned inside it inherit a copy, so
    `active` tells whether it is still open."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn
        self.owner: object = None
        self.active = True
        self.after_commit: list[Callable[[], None]] = []
        self.savepoint = ""


MAX_GROUP = 64  # transactions committed together at most
# ... and the longest a group stays open for newcomers (seconds since its BEGIN): under a steady
# stream of updates somebody is always waiting, so without it each group would grow to
# MAX_GROUP and every caller in it (the outbox's "sent" marks too, which hold its send slots)
# would wait for 64 transactions before its COMMIT (issue 24).
MAX_GROUP_SECONDS = 0.01


# Set (to True) in the context of a task whose writes free resources others wait for: the
# outbox dispatcher's claims and "sent" marks, which hold its send slots. Such a transaction
# takes the write lock before callers queued without it (`_WriteLock`); PostgreSQL ignores it.
urgent_writes: contextvars.ContextVar[bool] = contextvars.ContextVar("urgent_writes", default=False)


class _WriteLock:
    """An asyncio lock with two queues: callers in an `urgent_writes` context are served
    before the others, each queue first come, first served. The lock passes straight from the
    releasing caller to the next (as asyncio.Lock's waiters, a caller cancelled after it was
    handed the lock passes it on). Issue 24: behind 32 updates queued for the lock, each reply's
    "sent" mark waited for all of them while its send slot stayed taken."""

    def __init__(self) -> None:
        self._held = False
        self._urgent: collections.deque[asyncio.Future[None]] = collections.deque()
        self._normal: collections.deque[asyncio.Future[None]] = collections.deque()

    def locked(self) -> bool:
        return self._held

    async def acquire(self) -> bool:
        if not self._held and not self._urgent and not self._normal:
            self._held = True
            return True
        queue = self._urgent if urgent_writes.get() else self._normal
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue.append(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                self.release()  # handed the lock as we were cancelled: pass it on
            else:
                queue.remove(waiter)
            raise
        return True

    def release(self) -> None:
        if not self._held:
            raise RuntimeError("write lock released while not held")
        for queue in (self._urgent, self._normal):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)  # still held: it is theirs now
                    return
        self._held = False

    async def __aenter__(self) -> None:
        await self.acquire()

    async def __aexit__(self, *exc: object) -> None:
        self.release()


class _Group:
    """One SQLite transaction shared by the callers that queued for it (group commit)."""

    def __init__(self) -> None:
        loop = asyncio.get_running_loop()
        self.committed: asyncio.Future[None] = loop.create_future()
        self.members = 0
        self.opened = loop.time()


def _settle(future: asyncio.Future[None], error: BaseException | None) -> None:
    if future.done():
        return
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)
        future.add_done_callback(lambda f: f.exception())  # retrieved: no "never retrieved" warning


_current: contextvars.ContextVar[_OpenTransaction | None] = contextvars.ContextVar(
    "koordinat_transaction", default=None
)


def _open_transaction(owner: object = None) -> aiosqlite.Connection | None:
    """The connection of the transaction this task is inside, if it belongs to `owner` (a
    transaction on one database is not one on another: `migrate-to` reads one, writes the other)."""
    marker = _current.get()
    if marker is None or not marker.active or (owner is not None and marker.owner is not owner):
        return None
    return marker.conn


def migration_files() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every `storage/migrations/NNN_name.sql`, in order."""
    found = []
    for entry in resources.files("storage.migrations").iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:3].isdigit():
            found.append((int(name[:3]), name, entry.read_text(encoding="utf-8")))
    return sorted(found)


def _set_inline(conn: aiosqlite.Connection, inline: bool) -> None:
    """Run `conn`'s statements on the loop's thread (True) or its worker thread (`_Connection`)."""
    if isinstance(conn, _Connection):
        conn.inline = inline


async def _run(conn: aiosqlite.Connection, sql: str) -> None:
    """Execute and close the cursor at once (an open PRAGMA cursor keeps a lock), in one
    hand-off to the connection's thread (`storage.sql.run`)."""
    await sql_run(conn, sql)


class _Connection(aiosqlite.Connection):
    """aiosqlite's connection that can run statements on the event loop's own thread.

    Every `await` on an aiosqlite connection is a round trip to its worker thread (a queue
    put, a thread wake-up, the GIL handed over and back, a self-pipe write to wake the loop):
    tens to hundreds of microseconds, and up to the interpreter's switch interval (5 ms) when
    the loop thread is busy — far more than an indexed statement costs. While a write
    transaction is open (`inline`, set by `Database` between a successful `BEGIN IMMEDIATE`
    and its `COMMIT`/`ROLLBACK`), statements run directly on the loop's thread: inside that
    transaction SQLite never waits for a lock (it holds the write lock) and, in WAL mode with
    `synchronous = NORMAL`, writes nothing to disk until COMMIT. `BEGIN IMMEDIATE` (it may wait
    up to busy_timeout for another process) and `COMMIT` (it may checkpoint the WAL, with an
    fsync) still go through the thread, so the loop never blocks on the disk or on a lock.
    Issue 24: an update's transaction held the write lock across ~14 thread hand-offs, which
    serialised every update behind them. A very large statement inside a transaction (a
    50,000-row INSERT … SELECT) now runs on the loop's thread for its duration."""

    inline = False

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if self.inline and self._running and self._connection is not None:
            return fn(*args, **kwargs)
        return await super()._execute(fn, *args, **kwargs)


async def _open_connection(path: Path) -> aiosqlite.Connection:
    location = str(path)
    # The sqlite3 connection is made in the worker thread and, while `inline`, used from the
    # loop's thread: never both at once (the write lock orders every use of the writer).
    conn: aiosqlite.Connection = await _Connection(
        lambda: sqlite3.connect(location, isolation_level=None, check_same_thread=False), 64)
    try:
        conn.row_factory = aiosqlite.Row
        await _run(conn, f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        await _run(conn, "PRAGMA foreign_keys = ON")
        await _run(conn, "PRAGMA synchronous = NORMAL")
        await _run(conn, "PRAGMA secure_delete = ON")  # deleted rows are zeroed, not left in free space (/forget)
    except BaseException:
        await conn.close()  # else its worker thread keeps the process alive
        raise
    return conn


class Database:
    """An open Koordinat database. Use `await Database.open(path)`."""

    # Rows deleted by /forget may survive in a file of ours (SQLite's -wal) until
    # `checkpoint_truncate`; PostgreSQL's WAL is the server's (the operator's retention).
    wal_keeps_erased_rows = True

    def __init__(self, path: Path, writer: aiosqlite.Connection, reader: aiosqlite.Connection):
        self.path = path
        self._writer = writer
        self._reader = reader
        self._write_lock = _WriteLock()
        self._savepoints = 0
        self._waiting = 0  # callers queued for the write lock
        self._group: _Group | None = None  # the open group transaction, if any
        self._identity: tuple[int, int] | None = None
        # Told about storage errors the process cannot write through (the composition root
        # stops the bot); disk-full is logged once per episode and the bot keeps going.
        self.on_fatal: Callable[[str], None] | None = None
        self._disk_full_logged = False
        self._changes_when_full = 0  # the writer's total_changes at the last disk-full error

    dialect = "sqlite"
    term: int | None = None  # PostgreSQL: this process's leadership term (`lead`)

    async def lead(self, *, wait: bool = True) -> int | None:
        """SQLite: nothing to wait for (one process per file: storage.instance). PostgreSQL:
        block until this process is the schema's leader (storage.postgres); `wait=False`
        returns None at once when another process leads."""
        return None

    async def still_leading(self) -> bool:
        """SQLite: always (one process per file). PostgreSQL: whether this process may still
        send as the schema's leader (storage.postgres; the send-time fence)."""
        return True

    async def listen(self, on_notice: Callable[[str], None]) -> None:
        """SQLite: nothing to listen to (one process; wake-ups are in-process calls).
        PostgreSQL: `on_notice(topic)` for rows other processes commit (storage.postgres)."""
        return None

    # What a driver raises; the group commit treats these as "this transaction failed".
    driver_errors: tuple[type[BaseException], ...] = (sqlite3.Error,)

    @classmethod
    async def open(cls, path: Path | str, *, migrate: bool = True) -> Database:
        """Open (creating it if needed) and migrate. `path` is a SQLite file (or `sqlite:///…`)
        or a `postgresql://` DSN (`storage.postgres`, optional `?schema=`). Raises
        `DatabaseUnavailable` with one line naming the cause (directory missing or not
        writable, path under a regular file, not a database; bad DSN, server unreachable,
        permission refused); nothing stays open after a failure (no worker thread keeps the
        process alive)."""
        if is_postgres_location(path):
            from storage.postgres import PostgresDatabase

            return await PostgresDatabase.open(path, migrate=migrate)
        path = sqlite_path(path)
        check_location(path)
        opened: list[aiosqlite.Connection] = []
        try:
            writer = await _open_connection(path)
            opened.append(writer)
            await _run(writer, "PRAGMA journal_mode = WAL")
            reader = await _open_connection(path)
            opened.append(reader)
            db = cls(path, writer, reader)
            if migrate:
                await db.migrate()
        except BaseException as error:
            for conn in opened:
                try:
                    await conn.close()
                except Exception:  # already broken: the thread ends with the close attempt
                    pass
            if isinstance(error, sqlite3.Error):
                raise DatabaseUnavailable(f"database {path}: {error}") from None
            raise
        db._identity = _identity(path)
        return db

    async def close(self) -> None:
        for conn in (self._reader, self._writer):
            try:
                await conn.close()
            except Exception as error:  # a vanished file: still end the worker thread
                log.warning("closing the database: %s", error)

    def _report(self, error: BaseException) -> None:
        if is_disk_full(error):
            self._changes_when_full = self._writer.total_changes
            if not self._disk_full_logged:
                self._disk_full_logged = True
                log.error("database %s: the disk is full; changes are not being saved", self.path)
        elif is_fatal_storage_error(error):
            problem = self.file_problem() or f"database {self.path}: {error}"
            if self.on_fatal is not None:
                self.on_fatal(problem)

    def file_problem(self) -> str | None:
        """Why the open database file can no longer be trusted, or None: it was deleted,
        replaced by another file (a different inode), or made read-only."""
        try:
            identity = _identity(self.path)
        except FileNotFoundError:
            return f"database file {self.path} was deleted while the bot was running"
        except OSError as error:
            return f"database file {self.path} cannot be read: {error.strerror or error}"
        if self._identity is not None and identity != self._identity:
            return f"database file {self.path} was replaced by another file while the bot was running"
        if not os.access(self.path, os.W_OK):
            return f"database file {self.path} is no longer writable"
        return None

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
        if applied:  # one line, not one per file: a new database applies them all
            log.info("database %s: applied %d migration(s), %s … %s", self.path, len(applied), applied[0], applied[-1])
        return applied

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction; nested calls become savepoints of the outer one."""
        outer = _open_transaction(self)
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
        group, marker = await self._join_group()
        token = _current.set(marker)
        failure: BaseException | None = None
        try:
            yield self._writer
        except BaseException as error:
            failure = error
        marker.active = False
        _current.reset(token)
        # Shielded: a caller cancelled now must not leave the group open (others wait on it)
        # nor the lock taken; the ending finishes on its own and releases the lock.
        await asyncio.shield(asyncio.ensure_future(self._finish_member(group, marker, failure)))
        if failure is not None:
            raise failure
        await asyncio.shield(group.committed)  # raises if the group's COMMIT failed
        # The episode ends with a commit that wrote something: one that changed nothing (an
        # empty claim) succeeds even on a full disk and would end it every second.
        if self._disk_full_logged and self._writer.total_changes > self._changes_when_full:
            self._disk_full_logged = False
            log.info("database %s: saving changes again", self.path)
        for callback in marker.after_commit:
            callback()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[aiosqlite.Connection]:
        """For writes that need no rollback of their own (one statement, which SQLite applies
        atomically, or statements whose failure fails the caller too): inside an open
        transaction, its connection with no savepoint (a savepoint costs two round trips to the
        connection's thread); otherwise a transaction of their own. A failure rolls back with
        the enclosing transaction or savepoint."""
        outer = _open_transaction(self)
        if outer is not None:
            yield outer
            return
        async with self.transaction() as tx:
            yield tx

    # Group commit: transactions that queue for the write lock while another runs join one
    # SQLite transaction (each as a savepoint, rolled back alone if it fails); the last one
    # with nobody waiting behind it commits for all. Each caller returns only after that
    # COMMIT, so "committed before acknowledged" holds, at a fraction of the commits.

    async def _join_group(self) -> tuple[_Group, _OpenTransaction]:
        """Take the write lock and open this caller's savepoint (a new group if none is open)."""
        self._waiting += 1
        try:
            await self._write_lock.acquire()
        except BaseException:
            self._waiting -= 1
            self._commit_soon()  # if we were the one the open group counted on
            raise
        self._waiting -= 1
        opening = asyncio.ensure_future(self._open_member())
        try:
            return await asyncio.shield(opening)
        except asyncio.CancelledError:
            opening.add_done_callback(self._undo_opened)  # it may still open: undo it then
            raise
        except BaseException:
            self._write_lock.release()
            raise

    async def _open_member(self) -> tuple[_Group, _OpenTransaction]:
        """(Lock held.) BEGIN if no group is open, then this caller's savepoint."""
        group = self._group
        if group is None:
            try:
                await _run(self._writer, "BEGIN IMMEDIATE")
            except self.driver_errors as error:
                self._report(error)
                raise
            _set_inline(self._writer, True)  # the transaction's statements: no thread hand-off
            group = self._group = _Group()
        self._savepoints += 1
        name = f"tx{self._savepoints}"
        try:
            await _run(self._writer, f"SAVEPOINT {name}")
        except BaseException as error:
            await self._abandon_group(group, error)
            raise
        marker = _OpenTransaction(self._writer)
        marker.owner = self
        marker.savepoint = name
        return group, marker

    def _undo_opened(self, opening: asyncio.Future[tuple[_Group, _OpenTransaction]]) -> None:
        """The caller was cancelled while its savepoint was being opened."""
        if opening.cancelled() or opening.exception() is not None:
            self._write_lock.release()
            return
        group, marker = opening.result()
        asyncio.ensure_future(self._finish_member(group, marker, asyncio.CancelledError()))

    async def _finish_member(self, group: _Group, marker: _OpenTransaction, failure: BaseException | None) -> None:
        try:
            await self._end_member(group, marker, failure)
        except BaseException as error:  # e.g. the connection closed under us: nobody may hang
            if self._group is group:
                await self._abandon_group(group, error)
            _settle(group.committed, error)
        finally:
            self._write_lock.release()

    async def _end_member(self, group: _Group, marker: _OpenTransaction, failure: BaseException | None) -> None:
        """Keep or undo this caller's savepoint; commit the group unless someone waits to join."""
        try:
            if failure is None:
                await _run(self._writer, f"RELEASE {marker.savepoint}")
            else:
                self._report(failure)
                await _run(self._writer, f"ROLLBACK TO {marker.savepoint}")
                await _run(self._writer, f"RELEASE {marker.savepoint}")
        except self.driver_errors as error:  # SQLite rolled back the whole transaction itself
            self._report(error)
            await self._abandon_group(group, error)
            return
        group.members += 1
        if (self._waiting == 0 or group.members >= MAX_GROUP
                or asyncio.get_running_loop().time() - group.opened >= MAX_GROUP_SECONDS):
            await self._commit_group(group)

    async def _commit_group(self, group: _Group) -> None:
        self._group = None
        _set_inline(self._writer, False)  # COMMIT may checkpoint (fsync): in the thread
        try:
            await _run(self._writer, "COMMIT")
        except self.driver_errors as error:
            self._report(error)
            try:
                await _run(self._writer, "ROLLBACK")
            except self.driver_errors:
                pass
            _settle(group.committed, error)
            return
        _settle(group.committed, None)

    async def _abandon_group(self, group: _Group, error: BaseException) -> None:
        self._group = None
        _set_inline(self._writer, False)
        try:
            await _run(self._writer, "ROLLBACK")
        except Exception:  # already rolled back, or the connection is gone
            pass
        _settle(group.committed, error)

    def _commit_soon(self) -> None:
        """A waiter left the queue (cancelled): make sure an open group still gets committed."""
        if self._group is not None and self._waiting == 0:
            async def commit_if_open() -> None:
                async with self._write_lock:
                    if self._group is not None and self._waiting == 0:
                        await self._commit_group(self._group)

            asyncio.get_running_loop().create_task(commit_if_open(), context=contextvars.Context())

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
                if self._group is not None:  # a group commit left open for waiters: close it
                    await self._commit_group(self._group)
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
        outer = _open_transaction(self)
        yield outer if outer is not None else self._reader

    async def fetchall(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        async with self.read() as conn:
            return await fetch_all(conn, sql, params)

    async def fetchone(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> sqlite3.Row | None:
        async with self.read() as conn:
            return await fetch_one(conn, sql, params)

    async def backup(self, target: Path | str) -> None:
        """A consistent copy while the bot runs, through SQLite's online backup API."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            target.unlink()

        await asyncio.to_thread(backup_file, self.path, Path(target))


BACKUP_ERRORS: tuple[type[BaseException], ...] = (OSError, sqlite3.Error, ValueError)  # what backup_file raises


def backup_file(source_path: Path, target: Path) -> None:
    """Copy a live database consistently (SQLite online backup; safe while the bot writes).

    Raises FileNotFoundError (no database) and ValueError when `target` is the database itself
    or one of its -wal/-shm/.lock files (an overwrite would destroy what it means to copy)."""
    if not source_path.is_file():
        raise FileNotFoundError(f"no database at {source_path}")
    live = source_path.resolve()
    own = {live, *(live.with_name(live.name + suffix) for suffix in ("-wal", "-shm", "-journal", ".lock"))}
    if target.resolve() in own or (target.exists() and target.resolve().samefile(live)):
        raise ValueError(f"{target} is the database itself; give another file, e.g. backups/koordinat-DATE.db")
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        target.unlink()
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
