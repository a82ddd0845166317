"""Invite codes that let a person join a group with a role."""

from __future__ import annotations

from datetime import datetime


from bot.models import Invite, Role
from storage.sql import Connection, Row, fetch_all, fetch_one
from storage.times import from_db, to_db


def ascii_upper(text: str) -> str:
    """`text` with only a–z upper-cased (what SQLite's upper() and PostgreSQL's under the C
    collation do): `i` → `I`, never `İ`."""
    return text.translate(_ASCII_UPPER)


_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _invite(row: Row) -> Invite:
    return Invite(code=row["code"], group_id=row["group_id"], role=Role(row["role"]),
                  expires_at=from_db(row["expires_at"]), max_uses=row["max_uses"], uses=row["uses"])


async def create(conn: Connection, *, code: str, group_id: int, role: Role,
                 expires_at: datetime | None, max_uses: int | None, now: datetime) -> Invite:
    await conn.execute(
        "INSERT INTO invites (code, group_id, role, expires_at, max_uses, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (code, group_id, role.value, to_db(expires_at) if expires_at else None, max_uses, to_db(now)),
    )
    return Invite(code=code, group_id=group_id, role=role, expires_at=expires_at,
                  max_uses=max_uses, uses=0)


async def get(conn: Connection, code: str) -> Invite | None:
    row = await fetch_one(conn, "SELECT * FROM invites WHERE code = ?", (code,))
    return _invite(row) if row else None


async def get_ignoring_case(conn: Connection, code: str) -> Invite | None:
    """The invite whose code matches `code` in any letter case — only if exactly one does
    (a code typed on a phone's keyboard often comes capitalised)."""
    # upper() of a C-collated column and an ASCII upper-casing here: no Turkish İ/ı on any engine.
    rows = await fetch_all(conn, "SELECT * FROM invites WHERE upper(code) = ? LIMIT 2", (ascii_upper(code),))
    return _invite(rows[0]) if len(rows) == 1 else None


async def count_use(conn: Connection, code: str) -> bool:
    """Count one use of invite `code` unless it is used up; False when it was (or is unknown).
    One conditional UPDATE, not a read then a write: two people joining at once on a
    last-use invite in two workers (PostgreSQL) cannot both pass — the second UPDATE waits for
    the first's row lock and finds `uses < max_uses` false."""
    cursor = await conn.execute(
        "UPDATE invites SET uses = uses + 1 WHERE code = ? AND (max_uses IS NULL OR uses < max_uses)", (code,))
    return cursor.rowcount > 0
