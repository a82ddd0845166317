"""The buttons of the last question each person was asked (`pending_choices`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime


from storage.sql import Connection, fetch_one
from storage.times import from_db, to_db


@dataclass(frozen=True)
class PendingChoices:
    """`choices`: (label, choice id) in the order shown (none: her last exchange asked nothing
    with buttons); `exclusive`: only a button answers; `outbox_mark`: the outbox's highest row
    id at that exchange, so a notice sent to her afterwards has a higher id."""

    choices: list[tuple[str, str]]
    exclusive: bool
    asked_at: datetime | None = None
    outbox_mark: int = 0


_UPSERT = (
    "INSERT INTO pending_choices (channel, external_id, choices, exclusive, asked_at, outbox_mark) "
    "VALUES (?, ?, ?, ?, ?, (SELECT COALESCE(MAX(id), 0) FROM outbox)) "
    "ON CONFLICT (channel, external_id) DO UPDATE SET choices = excluded.choices, "
    "exclusive = excluded.exclusive, asked_at = excluded.asked_at, outbox_mark = excluded.outbox_mark"
)


async def get(conn: Connection, channel: str, external_id: str) -> PendingChoices | None:
    row = await fetch_one(
        conn, "SELECT choices, exclusive, asked_at, outbox_mark FROM pending_choices "
        "WHERE channel = ? AND external_id = ?", (channel, external_id),
    )
    if row is None:
        return None
    return PendingChoices([(label, choice) for label, choice in json.loads(row["choices"])], bool(row["exclusive"]),
                          from_db(row["asked_at"]), int(row["outbox_mark"]))


async def save(conn: Connection, channel: str, external_id: str, pending: PendingChoices, now: datetime) -> None:
    """Her last exchange asked `pending` (marked with the outbox's current highest id)."""
    await conn.execute(_UPSERT, (channel, external_id, json.dumps(pending.choices, ensure_ascii=False),
                                 int(pending.exclusive), to_db(now)))


async def mark_seen(conn: Connection, channel: str, external_id: str, now: datetime) -> None:
    """Her last exchange asked nothing with buttons (or several things): no pending question,
    but the mark moves, so notices sent before it no longer count as "just received". (Not
    after `/unut`: the conversation skips it once the person is gone.)"""
    await conn.execute(_UPSERT, (channel, external_id, "[]", 0, to_db(now)))


async def clear(conn: Connection, channel: str, external_id: str) -> None:
    await conn.execute("DELETE FROM pending_choices WHERE channel = ? AND external_id = ?", (channel, external_id))


async def superseded(conn: Connection, channel: str, external_id: str, mark: int) -> bool:
    """Whether a broadcast (a notice, a reminder...) went to this chat address after the
    exchange marked `mark`: her last question is then no longer the last message she saw."""
    row = await fetch_one(
        conn, "SELECT 1 FROM outbox WHERE address = ? AND channel = ? AND id > ? AND broadcast_id IS NOT NULL "
        "LIMIT 1", (external_id, channel, mark))
    return row is not None
