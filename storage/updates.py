"""Processed inbound updates: each platform update changes things once."""

from __future__ import annotations

from aiosqlite import Connection


async def claim(conn: Connection, channel: str, update_id: str, now: float) -> bool:
    """Record the update as processed; False if it already was (a redelivery)."""
    cursor = await conn.execute(
        "INSERT INTO processed_updates (channel, update_id, processed_at) VALUES (?, ?, ?) "
        "ON CONFLICT DO NOTHING",
        (channel, update_id, now),
    )
    return cursor.rowcount > 0


async def forget_older_than(conn: Connection, cutoff: float) -> int:
    cursor = await conn.execute("DELETE FROM processed_updates WHERE processed_at < ?", (cutoff,))
    return cursor.rowcount
