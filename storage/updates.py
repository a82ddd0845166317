"""Processed inbound updates: each platform update changes things once."""

from __future__ import annotations


from storage.sql import Connection, fetch_all


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


# --- the transactional inbox: raw updates stored before they are acknowledged ---------------

async def store_inbound(conn: Connection, channel: str, items: list[tuple[str, str, str]],
                        now: float) -> int:
    """Store raw updates `(update_id, chat_key, payload JSON)`; one already stored (or already
    processed) is skipped. Returns how many were new."""
    before = conn.total_changes
    await conn.executemany(
        "INSERT INTO inbound_updates (channel, update_id, chat_key, payload, received_at) "
        "SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM processed_updates "
        "WHERE channel = ? AND update_id = ?) ON CONFLICT DO NOTHING",
        [(channel, update_id, chat_key, payload, now, channel, update_id)
         for update_id, chat_key, payload in items],
    )
    return conn.total_changes - before


async def pending_inbound(conn: Connection, channel: str, after_id: int = 0,
                          limit: int = 500) -> list[tuple[int, str, str, str]]:
    """Stored, unprocessed updates `(row id, update_id, chat_key, payload)` in arrival order."""
    rows = await fetch_all(
        conn, "SELECT id, update_id, chat_key, payload FROM inbound_updates WHERE channel = ? AND id > ? "
        "ORDER BY id LIMIT ?", (channel, after_id, limit),
    )
    return [(int(row[0]), str(row[1]), str(row[2]), str(row[3])) for row in rows]


async def finish_inbound(conn: Connection, channel: str, update_ids: list[str]) -> None:
    """Processed (its effects committed, or it had none): the raw update is no longer kept."""
    await conn.executemany("DELETE FROM inbound_updates WHERE channel = ? AND update_id = ?",
                           [(channel, update_id) for update_id in update_ids])



async def claim_next_inbound(conn: Connection, channel: str) -> tuple[int, str, str, str] | None:
    """PostgreSQL, several workers: lock the oldest stored update of a chat that no other
    transaction is working on, `(row id, update_id, chat_key, payload)`, or None.

    `FOR UPDATE SKIP LOCKED` skips rows other workers hold; a row is a candidate only if no
    older row of its chat is stored (locked or not), so a chat whose oldest update is being
    processed elsewhere has nothing to take, and its updates go one after the other, in row
    id order, across processes. The lock lasts until the caller's transaction ends: the caller
    processes the update in that transaction (its effects, replies and the row's deletion
    commit together), and a worker killed mid-way leaves the row to the next claim."""
    rows = await fetch_all(
        conn, "SELECT id, update_id, chat_key, payload FROM inbound_updates u WHERE channel = ? "
        "AND NOT EXISTS (SELECT 1 FROM inbound_updates o WHERE o.channel = u.channel "
        "AND o.chat_key = u.chat_key AND o.id < u.id) ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
        (channel,))
    if not rows:
        return None
    row = rows[0]
    return int(row[0]), str(row[1]), str(row[2]), str(row[3])


async def finish_inbound_row(conn: Connection, row_id: int) -> None:
    """Delete one stored update by its row id (the claim's row, once processed)."""
    await conn.execute("DELETE FROM inbound_updates WHERE id = ?", (row_id,))
