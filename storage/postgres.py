"""The PostgreSQL backend (asyncpg): the same `Database` API and transaction interface as SQLite.

- `PgConnection` wraps one asyncpg connection in the interface repositories speak
  (`storage.sql`): `?` placeholders are numbered in one place (`storage.dialect`), a cursor
  gives `rowcount` from the command tag, operations on one connection are serialised (asyncpg
  refuses two at once), and codecs accept what SQLite accepts (an int for a text column, a
  bool for an integer) so repositories need no per-engine casts.
- `PostgresDatabase`: each outermost transaction gets a connection of its own from the write
  pool (so one process runs several chats' transactions at once; no group commit: the server
  serialises what conflicts), nested calls join it as savepoints through the same context
  variable as on SQLite, `after_commit` runs once it committed. Reads outside a transaction
  use a second, small pool. Migrations run on a connection of their own, in one transaction
  under an advisory lock, so two workers starting together migrate once; the version is kept
  in `koordinat_migrations`.
- One leader per schema (`lead`): a session advisory lock on a connection of its own; the
  leader runs the outbox dispatcher, the scheduler and retention. `still_leading` fences each
  send (docs/architecture.md, "Several workers").
- Wake-ups across processes (`listen`): triggers of migration 032 `pg_notify` on commit when
  rows are added to `inbound_updates`, `outbox` or `reminders` (or made due sooner); every
  process LISTENs on one connection and wakes its inbound queue, dispatcher or scheduler.
- `KOORDINAT_DATABASE_SCHEMA` (or `?schema=` in the DSN) puts one organisation per schema
  (`search_path`); the schema is created when missing.

SQLSTATE → the typed errors of `storage.errors`: 53100 disk full, 25006 read-only, class 08
and 57P0x connection lost (asyncpg docs, "Exceptions"; PostgreSQL manual, Appendix A).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import time
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from storage.db import (Database, DatabaseUnavailable, _current, _open_transaction, _OpenTransaction,
                        migration_files)
from storage.dialect import placeholders, postgres_migration, transaction_statement
from storage.errors import BackupNotSupported, display_dsn

try:  # the optional extra: pip install "koordinat[postgres]"
    import asyncpg
except ImportError:  # pragma: no cover - exercised by the one-line message below
    asyncpg = None

log = logging.getLogger(__name__)

MIGRATION_LOCK = 0x4B6F6F72  # "Koor": pg_advisory_xact_lock(MIGRATION_LOCK, hashtext(schema))
LEADER_LOCK = 0x4B6F6F73  # pg_advisory_lock(LEADER_LOCK, hashtext(schema)), held by the leader's session
LEASE_SECONDS = 5.0  # a frozen leader's session ends after this long without a ping (idle_session_timeout)
POOL_SIZE = 4  # connections for reads outside a transaction
WRITE_POOL_SIZE = 10  # connections for transactions (one per transaction running at once)
FENCE_MARGIN = 0.6  # a send needs a leadership ping confirmed within this part of the lease
_UTILITY = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "SET ", "VACUUM", "LISTEN", "UNLISTEN",
            "NOTIFY", "CREATE SCHEMA", "ANALYZE")


def split_schema(dsn: str, schema: str | None) -> tuple[str, str]:
    """(DSN without `schema=`, schema): the explicit `schema` wins, then `?schema=`, then
    `public`. Raises DatabaseUnavailable for a schema name that is not a plain identifier."""
    parts = urlsplit(dsn)
    query = parse_qsl(parts.query, keep_blank_values=True)
    from_dsn = next((value for key, value in query if key == "schema"), None)
    rest = urlencode([(key, value) for key, value in query if key != "schema"])
    chosen = schema or from_dsn or "public"
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", chosen):
        raise DatabaseUnavailable(f"database schema {chosen!r}: use letters, digits and _ (e.g. kars_kadin_meclisi)")
    return urlunsplit(parts._replace(query=rest)), chosen


# --- codecs: accept what SQLite accepts ------------------------------------------------------

def _encode_int(value: Any) -> str:
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(f"{value!r} is not a whole number")
    return str(int(value))


def _encode_float(value: Any) -> str:
    return repr(float(value))


def _decode_numeric(text: str) -> int | float:
    return float(text) if any(mark in text for mark in ".eEN") else int(text)


async def _init_connection(conn: Any) -> None:
    for name in ("int2", "int4", "int8"):
        await conn.set_type_codec(name, schema="pg_catalog", encoder=_encode_int, decoder=int, format="text")
    for name in ("float4", "float8"):
        await conn.set_type_codec(name, schema="pg_catalog", encoder=_encode_float, decoder=float, format="text")
    await conn.set_type_codec("numeric", schema="pg_catalog", encoder=str, decoder=_decode_numeric, format="text")
    for name in ("text", "varchar", "bpchar"):
        await conn.set_type_codec(name, schema="pg_catalog", encoder=str, decoder=str, format="text")


# --- the transaction interface ---------------------------------------------------------------

def _changed(status: str) -> int:
    """Rows changed according to a command tag (`INSERT 0 3`, `UPDATE 2`, `DELETE 1`); -1 for
    a query, as sqlite3's rowcount."""
    parts = status.split()
    if parts and parts[0] in {"INSERT", "UPDATE", "DELETE", "MERGE"} and parts[-1].isdigit():
        return int(parts[-1])
    return -1


class PgCursor:
    """The rows and row count of one executed statement (sqlite3.Cursor's subset we use)."""

    @property
    def lastrowid(self) -> int:
        """PostgreSQL has no lastrowid: a repository that asks is ported wrong (it would read 0)."""
        raise NotImplementedError("lastrowid does not exist on PostgreSQL: use INSERT … RETURNING id "
                                  "(storage.sql.insert_returning_id)")

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self.rows = rows
        self.rowcount = rowcount
        self._next = 0

    async def fetchone(self) -> Any:
        if self._next >= len(self.rows):
            return None
        self._next += 1
        return self.rows[self._next - 1]

    async def fetchall(self) -> list[Any]:
        rest, self._next = self.rows[self._next:], len(self.rows)
        return rest

    async def close(self) -> None:
        return None


class _Pending:
    """`await conn.execute(…)` and `async with conn.execute(…) as cursor`, as aiosqlite allows."""

    def __init__(self, running: Any) -> None:
        self._running = running

    def __await__(self) -> Any:
        return self._running.__await__()

    async def __aenter__(self) -> PgCursor:
        cursor: PgCursor = await self._running
        return cursor

    async def __aexit__(self, *exc: object) -> bool:
        return False


class PgConnection:
    """One asyncpg connection behind the transaction interface (`storage.sql.Connection`)."""

    dialect = "postgresql"  # what `storage.dialect.lock_person` looks at

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self._lock = asyncio.Lock()
        self.total_changes = 0

    async def _run(self, sql: str, parameters: Sequence[Any] | dict[str, Any] | None) -> PgCursor:
        if isinstance(parameters, dict):
            raise TypeError("named parameters are not supported; use ? placeholders")
        args = tuple(parameters or ())
        sql = transaction_statement(sql)
        async with self._lock:
            if not args and sql.lstrip()[:13].upper().startswith(_UTILITY):
                status = await self.raw.execute(sql)
                rows: list[Any] = []
            else:
                rows, tag, _ = await self.raw._execute(placeholders(sql), args, 0, None, return_status=True)
                status = tag.decode() if isinstance(tag, bytes) else str(tag or "")
        count = _changed(status or "")
        if count > 0:
            self.total_changes += count
        return PgCursor(list(rows or ()), count)

    def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] | None = None) -> _Pending:
        return _Pending(self._run(sql, parameters))

    async def executemany(self, sql: str, parameters: Iterable[Sequence[Any]]) -> PgCursor:
        total = 0
        for params in parameters:
            cursor = await self._run(sql, params)
            total += max(cursor.rowcount, 0)
        return PgCursor([], total)

    async def execute_fetchall(self, sql: str, parameters: Sequence[Any] | dict[str, Any] | None = None) -> list[Any]:
        return (await self._run(sql, parameters)).rows

    async def close(self) -> None:
        await self.raw.close()


def _unavailable(display: str, error: BaseException) -> DatabaseUnavailable:
    """One line for a DSN that does not work: bad DSN, unreachable server, missing permission."""
    if isinstance(error, OSError):
        reason = f"cannot connect ({error.strerror or error})"
    elif isinstance(error, asyncio.TimeoutError):
        reason = "cannot connect (timed out)"
    elif isinstance(error, ValueError) and "invalid literal for int()" in str(error):
        reason = ("the port is not a number (expected e.g. "
                  "postgresql://user:password@db.example.org:5432/koordinat)")
    else:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    return DatabaseUnavailable(f"database {display}: {reason}")


class PostgresDatabase(Database):
    """An open PostgreSQL database (one schema). Use `await Database.open("postgresql://…")`."""

    wal_keeps_erased_rows = False

    def __init__(self, display: str, writer: PgConnection, pool: Any, schema: str,
                 write_pool: Any = None) -> None:
        super().__init__(display, writer, writer)  # type: ignore[arg-type]
        self.driver_errors = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError)
        self._pool = pool
        self._write_pool = write_pool if write_pool is not None else pool
        self.schema = schema
        self.dialect = "postgresql"
        self._lease = LEASE_SECONDS
        self._confirmed_at = 0.0  # monotonic start of the last leadership ping that succeeded
        self._leader_lock = asyncio.Lock()  # one query at a time on the leader's connection
        self._listener: Any = None

    @property
    def notify_channel(self) -> str:
        """The LISTEN/NOTIFY channel of this schema (migration 032's triggers use the same)."""
        return notify_channel(self.schema)

    @classmethod
    async def open(cls, location: Any, *, migrate: bool = True, schema: str | None = None) -> PostgresDatabase:
        """Connect (pool + one writer), create the schema if missing, migrate. Raises
        `DatabaseUnavailable` with one line (asyncpg missing, bad DSN, server unreachable,
        authentication or permission refused)."""
        raw_dsn = str(location)
        display = display_dsn(raw_dsn)
        if asyncpg is None:
            raise DatabaseUnavailable(f'database {display}: PostgreSQL needs asyncpg: pip install "koordinat[postgres]"')
        dsn, chosen = split_schema(raw_dsn, schema)
        settings = {"search_path": chosen, "application_name": "koordinat"}
        writer_raw = pool = None
        try:
            writer_raw = await asyncpg.connect(dsn, server_settings=settings, timeout=10)
            # Two workers starting together: one creates the schema, the other waits and finds it.
            await writer_raw.execute("SELECT pg_advisory_lock($1, hashtext($2))", MIGRATION_LOCK, chosen)
            try:
                await writer_raw.execute(f'CREATE SCHEMA IF NOT EXISTS "{chosen}"')
            finally:
                await writer_raw.execute("SELECT pg_advisory_unlock($1, hashtext($2))", MIGRATION_LOCK, chosen)
            await _init_connection(writer_raw)
            pool = await asyncpg.create_pool(dsn, min_size=1, max_size=POOL_SIZE, server_settings=settings,
                                             init=_init_connection, timeout=10, reset=_reset)
            try:
                write_pool = await asyncpg.create_pool(dsn, min_size=1, max_size=WRITE_POOL_SIZE,
                                                       server_settings=settings, init=_init_connection,
                                                       timeout=10, reset=_reset)
            except BaseException:
                pool.terminate()
                raise
            db = cls(display, PgConnection(writer_raw), pool, chosen, write_pool)
            db._dsn = dsn
            if migrate:
                await db.migrate()
        except BaseException as error:
            if pool is not None:
                pool.terminate()
                written = locals().get("write_pool")
                if written is not None:
                    written.terminate()
            if writer_raw is not None:
                writer_raw.terminate()
            if isinstance(error, DatabaseUnavailable):
                raise
            if isinstance(error, (OSError, asyncio.TimeoutError, ValueError, asyncpg.PostgresError,
                                  asyncpg.InterfaceError)):
                raise _unavailable(display, error) from None
            raise
        return db

    async def lead(self, lease: float = LEASE_SECONDS, *, wait: bool = True) -> int | None:
        """Block until this process is the schema's leader, then return its term (with
        `wait=False`: None at once when another process leads).

        The leader holds a session advisory lock on a connection of its own, pinged every
        lease/3 s; `idle_session_timeout` = lease ends that session if the process freezes
        (SIGSTOP, a paused VM), and a killed process's session ends with its socket: either way
        the lock is released and the waiting standby takes over at once. Each takeover bumps
        `koordinat_leadership.term`; the outbox claim is fenced by it (`storage.outbox.
        claim_ready(term=…)`), so a leader that wakes after losing the lock claims nothing, and
        each send by `still_leading`. Losing the lock connection is fatal (`on_fatal`): the
        process stops, its supervisor restarts it as a standby."""
        settings = {"search_path": self.schema, "application_name": "koordinat-leader",
                    "idle_session_timeout": str(int(lease * 1000))}
        conn = await asyncpg.connect(self._dsn, server_settings=settings, timeout=10)
        try:
            if not await conn.fetchval("SELECT pg_try_advisory_lock($1, hashtext($2))", LEADER_LOCK, self.schema):
                if not wait:
                    conn.terminate()
                    return None
                log.info("database %s: another process leads schema %s; waiting to take over", self.path, self.schema)
                await conn.execute("SET idle_session_timeout = 0")  # waiting is not idling
                await conn.execute("SELECT pg_advisory_lock($1, hashtext($2))", LEADER_LOCK, self.schema)
                await conn.execute(f"SET idle_session_timeout = {int(lease * 1000)}")
            started = time.monotonic()
            term = await conn.fetchval(
                "INSERT INTO koordinat_leadership (id, term, since) VALUES (1, 1, now()) ON CONFLICT (id) "
                "DO UPDATE SET term = koordinat_leadership.term + 1, since = now() RETURNING term")
        except BaseException:
            conn.terminate()
            raise
        self._leader = conn
        self._lease = lease
        self._confirmed_at = started
        self.term = int(term)
        self._pinger = asyncio.get_running_loop().create_task(self._keep_leading(conn, lease), name="leadership")
        log.info("database %s: leading schema %s (term %d)", self.path, self.schema, self.term)
        return self.term

    async def _ping(self, conn: Any, timeout: float) -> None:
        """One leadership ping; on success the lease counts from when it was sent."""
        async with self._leader_lock:
            started = time.monotonic()
            await asyncio.wait_for(conn.fetchval("SELECT 1"), timeout)
            self._confirmed_at = max(self._confirmed_at, started)

    def _lost(self, error: BaseException) -> None:
        if self.term == -1:
            return
        self.term = -1  # fence at once: no claim and no send succeeds from now on
        if self.on_fatal is not None:
            self.on_fatal(f"database {self.path}: lost the leadership of schema {self.schema} ({error})")

    async def _keep_leading(self, conn: Any, lease: float) -> None:
        while True:
            await asyncio.sleep(lease / 3)
            try:
                await self._ping(conn, lease)
            except asyncio.CancelledError:
                raise
            except TimeoutError:  # a slow server, not a lost session (a running query is not idle)
                log.warning("database %s: the leadership ping took over %.0f s", self.path, lease)
            except Exception as error:
                self._lost(error)
                return

    async def still_leading(self) -> bool:
        """True when this process may send now: it never asked to lead (a tool, a test), or its
        leadership session answered a ping sent less than FENCE_MARGIN × lease ago (the server
        ends a silent session only a full lease after its last query, and the lock goes with
        it). Otherwise it pings now: a process that was frozen past its lease finds its session
        gone, is fenced (term −1, `on_fatal`) and sends nothing. Costs nothing while the
        background ping keeps the confirmation fresh."""
        if self.term is None:
            return True
        if self.term == -1:
            return False
        if time.monotonic() - self._confirmed_at < self._lease * FENCE_MARGIN:
            return True
        leader = getattr(self, "_leader", None)
        if leader is None:
            return False
        try:
            await self._ping(leader, self._lease / 3)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            self._lost(error)
            return False
        return self.term != -1 and time.monotonic() - self._confirmed_at < self._lease * FENCE_MARGIN

    async def listen(self, on_notice: Any) -> None:
        """Call `on_notice(topic)` ('inbound', 'outbox', 'reminders') for every notification
        of this schema, on a connection of its own (migration 032's triggers send them when
        such rows commit, from any process). Losing that connection is fatal (`on_fatal`)."""
        settings = {"search_path": self.schema, "application_name": "koordinat-listen"}
        conn = await asyncpg.connect(self._dsn, server_settings=settings, timeout=10)

        def received(_conn: Any, _pid: int, _channel: str, payload: str) -> None:
            try:
                on_notice(payload)
            except Exception:  # pragma: no cover - a bug in a wake-up must not end listening
                log.exception("database %s: handling notification %r failed", self.path, payload)

        def terminated(_conn: Any) -> None:
            if self._listener is conn and self.on_fatal is not None:
                self.on_fatal(f"database {self.path}: lost the notification connection")

        try:
            await conn.add_listener(self.notify_channel, received)
        except BaseException:
            conn.terminate()
            raise
        conn.add_termination_listener(terminated)
        self._listener = conn

    async def close(self) -> None:
        pinger = getattr(self, "_pinger", None)
        if pinger is not None:
            pinger.cancel()
            await asyncio.gather(pinger, return_exceptions=True)
        leader = getattr(self, "_leader", None)
        if leader is not None:  # releases the lock: a standby takes over now
            leader.terminate()
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.terminate()
        try:
            await self._writer.close()  # type: ignore[attr-defined]
        except Exception as error:
            log.warning("closing the database: %s", error)
        for pool in {id(self._pool): self._pool, id(self._write_pool): self._write_pool}.values():
            try:
                await asyncio.wait_for(pool.close(), 5)
            except Exception:
                pool.terminate()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Any]:
        """A write transaction on a connection of its own from the write pool; nested calls
        (in this task, or tasks it spawned while it is open) become savepoints of it. Commits
        before returning; `after_commit` callbacks run then. A driver error is reported
        (disk full logged once, a lost connection or read-only server fatal) and re-raised."""
        if _open_transaction(self) is not None:
            async with super().transaction() as outer:  # a savepoint of the open transaction
                yield outer
            return
        raw = await self._write_pool.acquire()
        try:
            conn = PgConnection(raw)
            marker = _OpenTransaction(conn)  # type: ignore[arg-type]
            marker.owner = self
            try:
                await raw.execute("BEGIN")
            except self.driver_errors as error:
                self._report(error)
                raise
            token = _current.set(marker)
            failure: BaseException | None = None
            try:
                yield conn
            except BaseException as error:
                failure = error
            marker.active = False
            _current.reset(token)
            if failure is not None:
                self._report(failure)
                try:
                    await raw.execute("ROLLBACK")
                except (Exception, asyncio.CancelledError):  # gone, or cancelled: the pool's reset rolls back
                    pass
                raise failure
            try:
                await raw.execute("COMMIT")
            except self.driver_errors as error:
                self._report(error)
                raise
        finally:
            await asyncio.shield(self._write_pool.release(raw))
        if self._disk_full_logged and conn.total_changes > 0:  # a commit that wrote something
            self._disk_full_logged = False
            log.info("database %s: saving changes again", self.path)
        for callback in marker.after_commit:
            callback()

    def _report(self, error: BaseException) -> None:
        if isinstance(error, self.driver_errors):
            super()._report(error)

    def file_problem(self) -> str | None:
        return None  # no file to lose: a lost connection is reported as a fatal error instead

    async def schema_version(self) -> int:
        row = await self._writer.execute_fetchall(
            "SELECT COALESCE(MAX(version), 0) FROM koordinat_migrations") if await self._has_versions() else None
        return int(row[0][0]) if row else 0

    async def _has_versions(self) -> bool:
        rows = await self._writer.execute_fetchall("SELECT to_regclass('koordinat_migrations') IS NOT NULL")
        return bool(rows[0][0])

    async def migrate(self) -> list[str]:
        """Apply every migration newer than the schema's version, all in one transaction under
        an advisory lock (a second worker waits, then finds nothing to do)."""
        applied: list[str] = []
        writer: PgConnection = self._writer  # type: ignore[assignment]
        async with self._write_lock:
            async with writer._lock:
                raw = writer.raw
                async with raw.transaction():
                    await raw.execute("SELECT pg_advisory_xact_lock($1, hashtext($2))", MIGRATION_LOCK, self.schema)
                    await raw.execute("CREATE TABLE IF NOT EXISTS koordinat_migrations (version BIGINT PRIMARY KEY, "
                                      'name TEXT COLLATE "C" NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())')
                    await raw.execute("CREATE TABLE IF NOT EXISTS koordinat_leadership (id INTEGER PRIMARY KEY "
                                      "CHECK (id = 1), term BIGINT NOT NULL, since TIMESTAMPTZ NOT NULL)")
                    current = await raw.fetchval("SELECT COALESCE(MAX(version), 0) FROM koordinat_migrations")
                    for version, name, sql in migration_files():
                        if version <= current:
                            continue
                        await raw.execute(migration_sql(name, sql))
                        await raw.execute("INSERT INTO koordinat_migrations (version, name) VALUES ($1, $2)", version, name)
                        applied.append(name)
        if applied:
            log.info("database %s: applied %d migration(s), %s … %s", self.path, len(applied), applied[0], applied[-1])
        return applied

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Any]:
        """The open transaction if there is one, else a pooled connection (committed state)."""
        outer = _open_transaction(self)
        if outer is not None:
            yield outer
            return
        async with self._pool.acquire() as raw:
            yield PgConnection(raw)

    async def checkpoint_truncate(self, attempts: int = 20) -> bool:
        """After an erasure (/forget): VACUUM every table of the schema, so deleted rows' space
        is reclaimed in the live tables. The WAL and base backups keep them until the
        operator's retention ends (README, "Hosting many groups: PostgreSQL")."""
        async with self._write_lock:
            if self._group is not None:
                await self._commit_group(self._group)
        async with self._pool.acquire() as raw:
            tables = await raw.fetch("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            for table in tables:
                await raw.execute(f'VACUUM "{table[0]}"')
        return True

    async def backup(self, target: Any) -> None:
        raise BackupNotSupported.for_dsn(self._dsn, self.schema)


def notify_channel(schema: str) -> str:
    """The NOTIFY channel of `schema`: `koordinat_` + md5 of its name (a channel is an
    identifier of at most 63 bytes; migration 032's `koordinat_wake()` computes the same)."""
    return "koordinat_" + hashlib.md5(schema.encode()).hexdigest()


async def _reset(raw: Any) -> None:
    """A pooled connection given back: roll back what a cancelled caller left open (asyncpg's
    default reset costs a round trip on every release; our connections hold no session state)."""
    if raw.is_in_transaction():
        await raw.execute("ROLLBACK")


def migration_sql(name: str, sqlite_sql: str) -> str:
    """The PostgreSQL text of migration `name`: `storage/migrations/postgresql/<name>` when
    written by hand, else the SQLite text translated (`storage.dialect.postgres_migration`)."""
    folder = resources.files("storage.migrations").joinpath("postgresql")
    try:
        own = folder.joinpath(name)
        if own.is_file():
            return own.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        pass
    return postgres_migration(sqlite_sql)
