"""Members, their channel identities, their memberships and their consents."""

from __future__ import annotations

from datetime import datetime


from bot.collation import sorted_by_name
from bot.models import Member, Membership, Role
from storage.groups import _group
from storage.sql import Connection, Row, fetch_all, fetch_one, insert_returning_id
from storage.times import to_db


def _member(row: Row) -> Member:
    return Member(id=row["id"], display_name=row["display_name"], language=row["language"],
                  unreachable_at=row["unreachable_at"])


async def create(conn: Connection, *, display_name: str, language: str, channel: str,
                 external_id: str, now: datetime) -> Member:
    member_id = await insert_returning_id(
        conn, "INSERT INTO members (display_name, language, created_at) VALUES (?, ?, ?) RETURNING id",
        (display_name, language, to_db(now)),
    )
    await conn.execute(
        "INSERT INTO identities (channel, external_id, member_id, created_at) VALUES (?, ?, ?, ?)",
        (channel, external_id, member_id, to_db(now)),
    )
    member = await get(conn, member_id)
    assert member is not None
    return member


async def get(conn: Connection, member_id: int) -> Member | None:
    row = await fetch_one(conn, "SELECT * FROM members WHERE id = ?", (member_id,))
    return _member(row) if row else None


async def by_identity(conn: Connection, channel: str, external_id: str) -> Member | None:
    row = await fetch_one(
        conn, "SELECT m.* FROM members m JOIN identities i ON i.member_id = m.id "
        "WHERE i.channel = ? AND i.external_id = ?",
        (channel, external_id),
    )
    return _member(row) if row else None


async def identities(conn: Connection, member_id: int) -> list[tuple[str, str]]:
    """(channel, external_id) pairs, her preferred channel (/tercih) first, else Telegram first."""
    rows = await fetch_all(
        conn, "SELECT i.channel, i.external_id FROM identities i JOIN members m ON m.id = i.member_id "
        "WHERE i.member_id = ? ORDER BY i.channel = COALESCE(m.preferred_channel, 'telegram') DESC, "
        "i.created_at", (member_id,)
    )
    return [(row["channel"], row["external_id"]) for row in rows]


async def add_identity(conn: Connection, member_id: int, channel: str, external_id: str,
                       now: datetime) -> None:
    """One more app for the same person (linking Telegram and WhatsApp)."""
    await conn.execute(
        "INSERT INTO identities (channel, external_id, member_id, created_at) VALUES (?, ?, ?, ?)",
        (channel, external_id, member_id, to_db(now)),
    )


async def set_preferred_channel(conn: Connection, member_id: int, channel: str) -> None:
    await conn.execute("UPDATE members SET preferred_channel = ? WHERE id = ?", (channel, member_id))


async def set_language(conn: Connection, member_id: int, language: str) -> None:
    await conn.execute("UPDATE members SET language = ? WHERE id = ?", (language, member_id))


async def set_display_name(conn: Connection, member_id: int, name: str) -> None:
    await conn.execute("UPDATE members SET display_name = ? WHERE id = ?", (name, member_id))


async def mark_unreachable(conn: Connection, member_id: int, now: datetime) -> bool:
    """Mark the member unreachable; True if they were reachable before."""
    cursor = await conn.execute(
        "UPDATE members SET unreachable_at = ? WHERE id = ? AND unreachable_at IS NULL",
        (to_db(now), member_id),
    )
    return cursor.rowcount > 0


async def mark_reachable(conn: Connection, member_id: int) -> None:
    await conn.execute("UPDATE members SET unreachable_at = NULL WHERE id = ?", (member_id,))


async def delete(conn: Connection, member_id: int) -> None:
    """Delete the person; identities, memberships and consents go with them (ON DELETE CASCADE)."""
    await conn.execute("DELETE FROM members WHERE id = ?", (member_id,))


async def add_membership(conn: Connection, group_id: int, member_id: int, role: Role,
                         now: datetime) -> None:
    await conn.execute(
        "INSERT INTO memberships (group_id, member_id, role, joined_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (group_id, member_id) DO UPDATE SET role = excluded.role",
        (group_id, member_id, role.value, to_db(now)),
    )


async def memberships(conn: Connection, member_id: int) -> list[Membership]:
    rows = await fetch_all(
        conn, "SELECT g.*, ms.role AS member_role FROM memberships ms JOIN groups g ON g.id = ms.group_id "
        "WHERE ms.member_id = ? ORDER BY g.id", (member_id,)
    )
    return [Membership(group=_group(row), role=Role(row["member_role"])) for row in rows]


async def role_in(conn: Connection, group_id: int, member_id: int) -> Role | None:
    row = await fetch_one(
        conn, "SELECT role FROM memberships WHERE group_id = ? AND member_id = ?", (group_id, member_id)
    )
    return Role(row["role"]) if row else None


async def group_members(conn: Connection, group_id: int) -> list[tuple[Member, Role]]:
    rows = await fetch_all(
        conn, "SELECT m.*, ms.role AS member_role FROM memberships ms JOIN members m ON m.id = ms.member_id "
        "WHERE ms.group_id = ?", (group_id,),
    )
    ordered = sorted_by_name(rows, lambda row: row["display_name"],
                             lambda row: (row["member_role"] != "coordinator", row["id"]))
    ordered.sort(key=lambda row: row["member_role"] != "coordinator")  # coordinators first, stable
    return [(_member(row), Role(row["member_role"])) for row in ordered]


async def record_consent(conn: Connection, member_id: int, *, purpose: str, granted: bool,
                         notice_version: str, channel: str, now: datetime) -> None:
    await conn.execute(
        "INSERT INTO consents (member_id, purpose, granted, notice_version, channel, recorded_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (member_id, purpose, int(granted), notice_version, channel, to_db(now)),
    )


async def consents(conn: Connection, member_id: int) -> dict[str, bool]:
    """The latest answer per purpose."""
    rows = await fetch_all(
        conn, "SELECT purpose, granted FROM consents WHERE member_id = ? ORDER BY id", (member_id,)
    )
    return {row["purpose"]: bool(row["granted"]) for row in rows}


