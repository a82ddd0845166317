"""Quarantined inbound updates: kept raw with the reason they could not be parsed, stored or
processed, so the rest of the intake goes on (`bot.services.quarantine`)."""

from __future__ import annotations

from dataclasses import dataclass

from aiosqlite import Connection

from storage.sql import fetch_all, fetch_one


@dataclass(frozen=True)
class Quarantined:
    """One kept update. `payload` is JSON text (ASCII, escapes for everything else)."""

    id: int
    channel: str
    update_id: str
    chat_key: str
    reason: str
    payload: str
    received_at: float
    retries: int


def _row(row: object) -> Quarantined:
    return Quarantined(id=int(row["id"]), channel=str(row["channel"]), update_id=str(row["update_id"]),  # type: ignore[index]
                       chat_key=str(row["chat_key"]), reason=str(row["reason"]), payload=str(row["payload"]),  # type: ignore[index]
                       received_at=float(row["received_at"]), retries=int(row["retries"]))  # type: ignore[index]


async def keep(conn: Connection, channel: str, update_id: str, chat_key: str, reason: str,
               payload: str, now: float) -> int:
    """Store one update (payload: ASCII JSON text); returns its quarantine id."""
    row = await fetch_one(
        conn, "INSERT INTO quarantined_updates (channel, update_id, chat_key, reason, payload, received_at) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id", (channel, update_id, chat_key, reason, payload, now))
    assert row is not None
    return int(row[0])


async def listing(conn: Connection, limit: int = 100) -> list[Quarantined]:
    """The oldest `limit` kept updates, oldest first."""
    rows = await fetch_all(conn, "SELECT * FROM quarantined_updates ORDER BY id LIMIT ?", (limit,))
    return [_row(row) for row in rows]


async def count(conn: Connection) -> int:
    row = await fetch_one(conn, "SELECT COUNT(*) FROM quarantined_updates")
    return int(row[0]) if row else 0


async def get(conn: Connection, quarantine_id: int) -> Quarantined | None:
    row = await fetch_one(conn, "SELECT * FROM quarantined_updates WHERE id = ?", (quarantine_id,))
    return _row(row) if row is not None else None


async def drop(conn: Connection, quarantine_id: int) -> bool:
    """Delete one kept update; False if there was none with this id."""
    cursor = await conn.execute("DELETE FROM quarantined_updates WHERE id = ?", (quarantine_id,))
    return cursor.rowcount > 0


async def drop_all(conn: Connection) -> int:
    cursor = await conn.execute("DELETE FROM quarantined_updates")
    return cursor.rowcount


async def forget_chat(conn: Connection, channel: str, chat_key: str) -> int:
    """Erasure (/forget): every kept update from this person's chat."""
    cursor = await conn.execute("DELETE FROM quarantined_updates WHERE channel = ? AND chat_key = ?",
                                (channel, chat_key))
    return cursor.rowcount


async def forget_older_than(conn: Connection, cutoff: float) -> int:
    """Retention: kept updates hold message text; none is kept longer than the sent messages."""
    cursor = await conn.execute("DELETE FROM quarantined_updates WHERE received_at < ?", (cutoff,))
    return cursor.rowcount


async def requeue(conn: Connection, item: Quarantined, now: float) -> bool:
    """Put a kept update back into the inbox (`inbound_updates`) and delete it here; False if it
    was processed meanwhile (a redelivery) — then it is only deleted."""
    await conn.execute("DELETE FROM quarantined_updates WHERE id = ?", (item.id,))
    processed = await fetch_one(conn, "SELECT 1 FROM processed_updates WHERE channel = ? AND update_id = ?",
                                (item.channel, item.update_id))
    if processed is not None:
        return False
    await conn.execute(
        "INSERT INTO inbound_updates (channel, update_id, chat_key, payload, received_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT DO NOTHING", (item.channel, item.update_id, item.chat_key, item.payload, now))
    return True
