"""The buttons of the last question each person was asked (`pending_choices`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from aiosqlite import Connection

from storage.sql import fetch_one
from storage.times import from_db, to_db


@dataclass(frozen=True)
class PendingChoices:
    """`choices`: (label, choice id) in the order shown; `exclusive`: only a button answers."""

    choices: list[tuple[str, str]]
    exclusive: bool
    asked_at: datetime | None = None


async def get(conn: Connection, channel: str, external_id: str) -> PendingChoices | None:
    row = await fetch_one(
        conn, "SELECT choices, exclusive, asked_at FROM pending_choices WHERE channel = ? AND external_id = ?",
        (channel, external_id),
    )
    if row is None:
        return None
    return PendingChoices([(label, choice) for label, choice in json.loads(row["choices"])], bool(row["exclusive"]),
                          from_db(row["asked_at"]))


async def save(conn: Connection, channel: str, external_id: str, pending: PendingChoices, now: datetime) -> None:
    await conn.execute(
        "INSERT INTO pending_choices (channel, external_id, choices, exclusive, asked_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (channel, external_id) DO UPDATE SET choices = excluded.choices, "
        "exclusive = excluded.exclusive, asked_at = excluded.asked_at",
        (channel, external_id, json.dumps(pending.choices, ensure_ascii=False), int(pending.exclusive), to_db(now)),
    )


async def clear(conn: Connection, channel: str, external_id: str) -> None:
    await conn.execute("DELETE FROM pending_choices WHERE channel = ? AND external_id = ?", (channel, external_id))


async def superseded(conn: Connection, member_id: int, since: datetime) -> bool:
    """Whether a broadcast (a notice, a reminder...) went to the member after `since`: her last
    question is then no longer the last message she saw."""
    row = await fetch_one(
        conn, "SELECT 1 FROM outbox WHERE member_id = ? AND broadcast_id IS NOT NULL AND created_at > ? LIMIT 1",
        (member_id, since.timestamp()))
    return row is not None
