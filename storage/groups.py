"""Working groups."""

from __future__ import annotations

import json
from datetime import datetime


from bot.models import Group
from storage.sql import Connection, Row, fetch_all, fetch_one, insert_returning_id
from storage.times import to_db


def _group(row: Row) -> Group:
    return Group(id=row["id"], name=row["name"], city=row["city"], language=row["language"],
                 timezone=row["timezone"], telegram_chat_id=row["telegram_chat_id"],
                 settings=json.loads(row["settings"] or "{}"))


async def create(conn: Connection, *, name: str, city: str, language: str, timezone: str,
                 now: datetime) -> Group:
    new_id = await insert_returning_id(
        conn, "INSERT INTO groups (name, city, language, timezone, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
        (name, city, language, timezone, to_db(now)),
    )
    group = await get(conn, new_id)
    assert group is not None
    return group


async def get(conn: Connection, group_id: int) -> Group | None:
    row = await fetch_one(conn, "SELECT * FROM groups WHERE id = ?", (group_id,))
    return _group(row) if row else None


async def all_groups(conn: Connection) -> list[Group]:
    rows = await fetch_all(conn, "SELECT * FROM groups ORDER BY id")
    return [_group(row) for row in rows]


async def by_telegram_chat(conn: Connection, chat_id: str) -> Group | None:
    row = await fetch_one(conn, "SELECT * FROM groups WHERE telegram_chat_id = ?", (chat_id,))
    return _group(row) if row else None


async def link_telegram_chat(conn: Connection, group_id: int, chat_id: str | None) -> None:
    await conn.execute("UPDATE groups SET telegram_chat_id = ? WHERE id = ?", (chat_id, group_id))


async def update_settings(conn: Connection, group_id: int, settings: dict[str, object]) -> None:
    await conn.execute("UPDATE groups SET settings = ? WHERE id = ?", (json.dumps(settings), group_id))


async def member_counts(conn: Connection) -> dict[int, dict[str, int]]:
    """{group_id: {"coordinator": n, "member": m}}"""
    counts: dict[int, dict[str, int]] = {}
    rows = await fetch_all(
        conn, "SELECT group_id, role, COUNT(*) AS n FROM memberships GROUP BY group_id, role"
    )
    for row in rows:
        counts.setdefault(row["group_id"], {})[row["role"]] = row["n"]
    return counts


async def all_by_telegram_chat(conn: Connection, chat_id: str) -> list[Group]:
    """Every group whose notices are posted in this Telegram chat (one chat may serve several)."""
    rows = await fetch_all(conn, "SELECT * FROM groups WHERE telegram_chat_id = ? ORDER BY id", (chat_id,))
    return [_group(row) for row in rows]
