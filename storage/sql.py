"""The transaction interface every repository speaks, and one-hop reads on it.

A `Connection` is what `Database.transaction()`, `Database.write()` and `Database.read()` hand
out: an aiosqlite connection on SQLite, a `storage.postgres.PgConnection` on PostgreSQL. Both
take SQL with `?` placeholders (translated to `$1..$n` for PostgreSQL in one place,
`storage.dialect.placeholders`) and give rows that are read by position or by column name
(`row[0]`, `row["id"]`, `dict(row)`). The part of the interface repositories may use:

- `await conn.execute(sql, params)` → a cursor with `rowcount` (rows changed), `fetchone()`,
  `fetchall()`; also usable as `async with conn.execute(...) as cursor`;
- `await conn.executemany(sql, seq_of_params)`; `conn.total_changes` (rows changed so far);
- `await conn.execute_fetchall(sql, params)` → a list of rows;
- for a new row's id, `INSERT … RETURNING id` (both engines; no `lastrowid`).

The helpers below execute, fetch and drop the cursor in one call: on aiosqlite one hand-off to
the connection's thread instead of three (`Connection.execute_fetchall`, aiosqlite ≥ 0.17),
which is most of the cost of a small indexed query. Use them for every read in `storage/`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

Params = Sequence[Any] | dict[str, Any]


class Row(Protocol):
    """A result row: `row[0]`, `row["column"]`, `row.keys()` (sqlite3.Row, asyncpg.Record)."""

    def __getitem__(self, key: int | str) -> Any: ...

    def keys(self) -> Any: ...


class Cursor(Protocol):
    rowcount: int

    async def fetchone(self) -> Any: ...

    async def fetchall(self) -> Iterable[Any]: ...


class Connection(Protocol):
    """The transaction interface (module docstring); driver types stay inside `storage/`."""

    @property
    def total_changes(self) -> int: ...

    def execute(self, sql: str, parameters: Params | None = None) -> Any: ...

    async def executemany(self, sql: str, parameters: Iterable[Params]) -> Any: ...

    async def execute_fetchall(self, sql: str, parameters: Params | None = None) -> Iterable[Any]: ...


async def fetch_all(conn: Connection, sql: str, params: Params = ()) -> list[Any]:
    """All rows of `sql` (a list, possibly empty); driver errors propagate unchanged."""
    return list(await conn.execute_fetchall(sql, params))


async def fetch_one(conn: Connection, sql: str, params: Params = ()) -> Any | None:
    """The first row of `sql`, or None. Reads every row the query returns: give it a query
    that selects one (a key lookup, `LIMIT 1`, `INSERT … RETURNING id`)."""
    rows = await conn.execute_fetchall(sql, params)
    return rows[0] if rows else None  # type: ignore[index]


async def run(conn: Connection, sql: str, params: Params = ()) -> None:
    """Execute one statement for its effect (BEGIN, SAVEPOINT, PRAGMA…) and close its cursor,
    in one hand-off: an open cursor on a PRAGMA would keep a lock."""
    await conn.execute_fetchall(sql, params)


async def execute(conn: Connection, sql: str, params: Params = ()) -> int:
    """Execute one statement; the number of rows it changed (0 for none)."""
    cursor = await conn.execute(sql, params)
    return max(int(cursor.rowcount), 0)


async def insert_returning_id(conn: Connection, sql: str, params: Params = ()) -> int:
    """Run `INSERT … RETURNING id` and give the new row's id (both engines; no lastrowid)."""
    row = await fetch_one(conn, sql, params)
    if row is None:
        raise LookupError("INSERT … RETURNING id returned no row")
    return int(row[0])
