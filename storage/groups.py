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
                 settings=json.loads(row["settings"] or "{}"),
                 telegram_thread_id=row["telegram_thread_id"] if "telegram_thread_id" in row.keys() else None)


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


async def link_telegram_chat(conn: Connection, group_id: int, chat_id: str | None,
                             thread_id: int | None = None) -> None:
    """Link (or with None unlink) the group's Telegram chat and, in a forum, the topic its
    notices go to; a problem told about the previous topic is forgotten."""
    await conn.execute("UPDATE groups SET telegram_chat_id = ?, telegram_thread_id = ?, "
                       "telegram_topic_problem_at = NULL WHERE id = ?", (chat_id, thread_id, group_id))


async def note_topic_problem(conn: Connection, group_id: int, now: float) -> bool:
    """Record that the linked topic cannot be posted to; True the first time (tell once)."""
    cursor = await conn.execute("UPDATE groups SET telegram_topic_problem_at = ? WHERE id = ? "
                                "AND telegram_topic_problem_at IS NULL", (now, group_id))
    return cursor.rowcount > 0


async def clear_topic_problem(conn: Connection, group_id: int) -> None:
    await conn.execute("UPDATE groups SET telegram_topic_problem_at = NULL WHERE id = ? "
                       "AND telegram_topic_problem_at IS NOT NULL", (group_id,))


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
