"""Outbox rows: every outgoing message is written here before anything is sent.

Claiming uses a single `UPDATE … RETURNING` so a future PostgreSQL backend can claim with
`FOR UPDATE SKIP LOCKED` and several workers without touching the services.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiosqlite import Connection

REPLY_LANE = 0
BULK_LANE = 1


@dataclass(frozen=True)
class OutboxRow:
    id: int
    key: str
    lane: int
    channel: str
    address: str
    member_id: int | None
    broadcast_id: int | None
    payload: str
    attempts: int


async def enqueue(conn: Connection, *, key: str, channel: str, address: str, payload: str,
                  now: float, lane: int = BULK_LANE, member_id: int | None = None,
                  broadcast_id: int | None = None, not_before: float = 0.0) -> bool:
    """Add a message unless one with the same idempotency key exists; True if added."""
    cursor = await conn.execute(
        "INSERT INTO outbox (key, lane, channel, address, member_id, broadcast_id, payload, "
        "not_before, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
        (key, lane, channel, address, member_id, broadcast_id, payload, not_before, now),
    )
    return cursor.rowcount > 0


async def claim_ready(conn: Connection, now: float, limit: int, lane: int | None = None) -> list[OutboxRow]:
    """Mark up to `limit` due rows as in flight and return them, replies first, oldest first."""
    lane_filter = "" if lane is None else f"AND lane = {int(lane)}"
    async with conn.execute(
        "UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id IN ("
        f" SELECT id FROM outbox WHERE status = 'pending' AND not_before <= ? {lane_filter}"
        " ORDER BY lane, id LIMIT ?) "
        "RETURNING id, key, lane, channel, address, member_id, broadcast_id, payload, attempts",
        (now, limit),
    ) as cursor:
        rows = await cursor.fetchall()
    claimed = [OutboxRow(*tuple(row)) for row in rows]
    claimed.sort(key=lambda row: (row.lane, row.id))
    return claimed


async def mark_sent(conn: Connection, row_id: int, now: float, external_message_id: str | None) -> None:
    """Replies keep neither their text nor their address once sent (a /mydata export or a
    /forget confirmation must not linger in the outbox); notices keep the address so the
    sent message can be found again."""
    await conn.execute(
        "UPDATE outbox SET status = 'sent', sent_at = ?, external_message_id = ?, error = NULL, "
        f"payload = CASE WHEN lane = {REPLY_LANE} THEN '{{}}' ELSE payload END, "
        f"address = CASE WHEN lane = {REPLY_LANE} THEN '' ELSE address END "
        "WHERE id = ?", (now, external_message_id, row_id),
    )


async def release(conn: Connection, row_id: int, not_before: float, error: str | None = None) -> None:
    """Put an in-flight row back to pending, to be tried again at `not_before`."""
    await conn.execute(
        "UPDATE outbox SET status = 'pending', not_before = ?, error = ? WHERE id = ?",
        (not_before, error, row_id),
    )


async def finish(conn: Connection, row_id: int, status: str, error: str | None) -> None:
    """Close a row that will not be sent: 'failed', 'unreachable' or 'dropped'."""
    await conn.execute("UPDATE outbox SET status = ?, error = ? WHERE id = ?", (status, error, row_id))


async def resume_in_flight(conn: Connection) -> int:
    """Rows a crash left 'sending' go back to pending (start-up)."""
    cursor = await conn.execute("UPDATE outbox SET status = 'pending' WHERE status = 'sending'")
    return cursor.rowcount


async def next_due(conn: Connection) -> float | None:
    async with conn.execute(
        "SELECT MIN(not_before) FROM outbox WHERE status = 'pending'"
    ) as cursor:
        row = await cursor.fetchone()
    return float(row[0]) if row and row[0] is not None else None


async def forget_member(conn: Connection, member_id: int, addresses: list[tuple[str, str]]) -> None:
    """Before a person is deleted: drop their pending messages and blank their addresses."""
    await conn.execute("DELETE FROM outbox WHERE member_id = ? AND status IN ('pending', 'sending')",
                       (member_id,))
    await conn.execute("UPDATE outbox SET address = '', payload = '{}' WHERE member_id = ?", (member_id,))
    for channel, address in addresses:
        await conn.execute(
            "DELETE FROM outbox WHERE channel = ? AND address = ? AND status IN ('pending', 'sending')",
            (channel, address))
        await conn.execute("UPDATE outbox SET address = '', payload = '{}' WHERE channel = ? AND address = ?",
                           (channel, address))


async def counts_for_broadcast(conn: Connection, broadcast_id: int) -> dict[str, int]:
    async with conn.execute(
        "SELECT status, COUNT(*) AS n FROM outbox WHERE broadcast_id = ? GROUP BY status",
        (broadcast_id,),
    ) as cursor:
        return {row["status"]: row["n"] for row in await cursor.fetchall()}
