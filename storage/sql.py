"""One-hop reads on an aiosqlite connection.

aiosqlite runs every call on the connection's own thread and hands the result back to the event
loop: `async with conn.execute(sql) as cursor: await cursor.fetchone()` is three such hand-offs
(execute, fetch, close), each a queue put, a thread wake-up and a self-pipe write. These helpers
execute, fetch and drop the cursor in one (`Connection.execute_fetchall`, aiosqlite ≥ 0.17), which
is most of the cost of a small indexed query. Use them for every read in `storage/`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from aiosqlite import Connection

Params = Sequence[Any] | dict[str, Any]


async def fetch_all(conn: Connection, sql: str, params: Params = ()) -> list[sqlite3.Row]:
    """All rows of `sql` (a list, possibly empty); sqlite3 errors propagate unchanged."""
    return list(await conn.execute_fetchall(sql, params))


async def fetch_one(conn: Connection, sql: str, params: Params = ()) -> sqlite3.Row | None:
    """The first row of `sql`, or None. Reads every row the query returns: give it a query
    that selects one (a key lookup, `LIMIT 1`)."""
    rows = await conn.execute_fetchall(sql, params)
    return rows[0] if rows else None


async def run(conn: Connection, sql: str, params: Params = ()) -> None:
    """Execute one statement for its effect (BEGIN, SAVEPOINT, PRAGMA…) and close its cursor,
    in one hand-off: an open cursor on a PRAGMA would keep a lock."""
    await conn.execute_fetchall(sql, params)
