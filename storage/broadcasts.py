"""Broadcasts: one notice to an audience. Its outbox rows carry `broadcast_id`, so delivery
counts per broadcast are one indexed GROUP BY (`outbox_by_broadcast`)."""

from __future__ import annotations


from bot.collation import sorted_by_name
from bot.models import Member
from storage.outbox import FINAL_STATUSES
from storage.sql import Connection, fetch_all, fetch_one


async def create(conn: Connection, *, key: str, group_id: int | None, kind: str, now: float) -> int:
    """The id of the broadcast `key`, created if new (idempotent: a retried fan-out reuses it)."""
    await conn.execute(
        "INSERT INTO broadcasts (key, group_id, kind, created_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (key) DO NOTHING",
        (key, group_id, kind, now),
    )
    found = await id_of(conn, key)
    assert found is not None
    return found


async def id_of(conn: Connection, key: str) -> int | None:
    row = await fetch_one(conn, "SELECT id FROM broadcasts WHERE key = ?", (key,))
    return int(row[0]) if row else None


async def latest_with_prefix(conn: Connection, prefix: str) -> int | None:
    """The newest broadcast whose key starts with `prefix` (an index range on the key)."""
    high = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    row = await fetch_one(
        conn, "SELECT id FROM broadcasts WHERE key >= ? AND key < ? ORDER BY id DESC LIMIT 1", (prefix, high)
    )
    return int(row[0]) if row else None


async def last_sent_at(conn: Connection, prefix: str, kind: str) -> float | None:
    """When (epoch seconds) the newest broadcast of `kind` whose key starts with `prefix` was
    made, e.g. a meeting's latest reminder (`meeting:42:`, `meeting_reminder`); None if none."""
    high = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    row = await fetch_one(
        conn, "SELECT MAX(created_at) FROM broadcasts WHERE key >= ? AND key < ? AND kind = ?", (prefix, high, kind))
    return float(row[0]) if row and row[0] is not None else None


async def status_counts(conn: Connection, broadcast_id: int) -> dict[str, int]:
    """{status: rows}; every outbox status appears, 'sending' folded into 'pending'."""
    counts = dict.fromkeys(("pending", *FINAL_STATUSES), 0)
    rows = await fetch_all(
        conn, "SELECT status, COUNT(*) AS n FROM outbox WHERE broadcast_id = ? GROUP BY status",
        (broadcast_id,),
    )
    for row in rows:
        status = "pending" if row["status"] == "sending" else row["status"]
        counts[status] += row["n"]
    rows = await fetch_all(conn,   # rows removed by the retention policy (issue 8) still count
        "SELECT status, n FROM broadcast_counts WHERE broadcast_id = ?", (broadcast_id,),
    )
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + row["n"]
    return counts


async def unreachable_members(conn: Connection, broadcast_id: int) -> list[Member]:
    """Members this broadcast could not reach (blocked the bot, chat gone), by name."""
    rows = await fetch_all(
        conn, "SELECT DISTINCT m.id, m.display_name, m.language, m.unreachable_at FROM outbox o "
        "JOIN members m ON m.id = o.member_id WHERE o.broadcast_id = ? AND o.status = 'unreachable' "
        "ORDER BY m.id",
        (broadcast_id,),
    )
    rows = sorted_by_name(rows, lambda row: row[1], lambda row: row[0])
    return [Member(id=row[0], display_name=row[1], language=row[2], unreachable_at=row[3])
            for row in rows]


async def group_of(conn: Connection, broadcast_id: int) -> tuple[bool, int | None]:
    """(exists, its group id or None) of broadcast `broadcast_id`."""
    row = await fetch_one(conn, "SELECT group_id FROM broadcasts WHERE id = ?", (broadcast_id,))
    if row is None:
        return False, None
    return True, (int(row[0]) if row[0] is not None else None)
