"""Meetings, RSVPs and attendance."""

from __future__ import annotations

from datetime import datetime

from aiosqlite import Connection, Row
from pydantic import BaseModel

from storage import personal_data
from storage.times import from_db, to_db

ANSWERS = ("yes", "no", "maybe")


class Meeting(BaseModel):
    id: int
    group_id: int
    title: str
    starts_at: datetime
    duration_minutes: int
    place: str
    agenda: str | None
    quorum: int | None
    status: str
    sequence: int

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"


def _meeting(row: Row) -> Meeting:
    starts = from_db(row["starts_at"])
    assert starts is not None
    return Meeting(id=row["id"], group_id=row["group_id"], title=row["title"], starts_at=starts,
                   duration_minutes=row["duration_minutes"], place=row["place"], agenda=row["agenda"],
                   quorum=row["quorum"], status=row["status"], sequence=row["sequence"])


async def create(conn: Connection, *, group_id: int, title: str, starts_at: datetime, place: str,
                 agenda: str | None, quorum: int | None, created_by: int | None, now: datetime) -> Meeting:
    cursor = await conn.execute(
        "INSERT INTO meetings (group_id, title, starts_at, place, agenda, quorum, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (group_id, title, to_db(starts_at), place, agenda, quorum, created_by, to_db(now)))
    meeting = await get(conn, int(cursor.lastrowid or 0))
    assert meeting is not None
    return meeting


async def get(conn: Connection, meeting_id: int) -> Meeting | None:
    async with conn.execute("SELECT * FROM meetings WHERE id = ?", (meeting_id,)) as cursor:
        row = await cursor.fetchone()
    return _meeting(row) if row else None


async def reschedule(conn: Connection, meeting_id: int, starts_at: datetime) -> None:
    """New time, next calendar SEQUENCE, and everyone's answer is asked again."""
    await conn.execute("UPDATE meetings SET starts_at = ?, sequence = sequence + 1 WHERE id = ?",
                       (to_db(starts_at), meeting_id))
    await conn.execute("DELETE FROM rsvps WHERE meeting_id = ?", (meeting_id,))


async def cancel(conn: Connection, meeting_id: int) -> None:
    await conn.execute("UPDATE meetings SET status = 'cancelled', sequence = sequence + 1 WHERE id = ?",
                       (meeting_id,))


async def upcoming_for_groups(conn: Connection, group_ids: list[int], now: datetime,
                              limit: int = 10) -> list[Meeting]:
    """Scheduled meetings still ahead, soonest first."""
    return await _scheduled(conn, group_ids, now, limit, upcoming=True)


async def recent_past_for_groups(conn: Connection, group_ids: list[int], now: datetime,
                                 limit: int = 3) -> list[Meeting]:
    """Meetings that took place, latest first (for taking attendance)."""
    return await _scheduled(conn, group_ids, now, limit, upcoming=False)


async def _scheduled(conn: Connection, group_ids: list[int], now: datetime, limit: int, *,
                     upcoming: bool) -> list[Meeting]:
    if not group_ids:
        return []
    marks = ",".join("?" * len(group_ids))
    comparison, order = (">", "ASC") if upcoming else ("<=", "DESC")
    async with conn.execute(
        f"SELECT * FROM meetings WHERE group_id IN ({marks}) AND status = 'scheduled' "
        f"AND starts_at {comparison} ? ORDER BY starts_at {order} LIMIT ?",
        (*group_ids, to_db(now), limit)) as cursor:
        return [_meeting(row) for row in await cursor.fetchall()]


async def set_rsvp(conn: Connection, meeting_id: int, member_id: int, answer: str, now: datetime) -> None:
    await conn.execute(
        "INSERT INTO rsvps (meeting_id, member_id, answer, answered_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (meeting_id, member_id) DO UPDATE SET answer = excluded.answer, "
        "answered_at = excluded.answered_at", (meeting_id, member_id, answer, to_db(now)))


async def rsvp_of(conn: Connection, meeting_id: int, member_id: int) -> str | None:
    async with conn.execute("SELECT answer FROM rsvps WHERE meeting_id = ? AND member_id = ?",
                            (meeting_id, member_id)) as cursor:
        row = await cursor.fetchone()
    return row["answer"] if row else None


async def rsvps(conn: Connection, meeting_id: int) -> dict[int, str]:
    """{member_id: answer} for people still in the meeting's group."""
    async with conn.execute(
        "SELECT r.member_id, r.answer FROM rsvps r JOIN meetings m ON m.id = r.meeting_id "
        "JOIN memberships ms ON ms.member_id = r.member_id AND ms.group_id = m.group_id "
        "WHERE r.meeting_id = ?", (meeting_id,)) as cursor:
        return {row["member_id"]: row["answer"] for row in await cursor.fetchall()}


async def set_attendance(conn: Connection, meeting_id: int, member_id: int, attended: bool,
                         now: datetime) -> None:
    await conn.execute(
        "INSERT INTO attendance (meeting_id, member_id, attended, recorded_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (meeting_id, member_id) DO UPDATE SET attended = excluded.attended, "
        "recorded_at = excluded.recorded_at", (meeting_id, member_id, int(attended), to_db(now)))


async def attendance(conn: Connection, meeting_id: int) -> dict[int, bool]:
    async with conn.execute("SELECT member_id, attended FROM attendance WHERE meeting_id = ?",
                            (meeting_id,)) as cursor:
        return {row["member_id"]: bool(row["attended"]) for row in await cursor.fetchall()}


async def attendance_history(conn: Connection, group_id: int) -> dict[int, tuple[int, int]]:
    """{member_id: (meetings attended, meetings with attendance taken)} in the group."""
    async with conn.execute(
        "SELECT a.member_id, SUM(a.attended) AS came, COUNT(*) AS taken FROM attendance a "
        "JOIN meetings m ON m.id = a.meeting_id WHERE m.group_id = ? GROUP BY a.member_id",
        (group_id,)) as cursor:
        return {row["member_id"]: (int(row["came"]), int(row["taken"])) for row in await cursor.fetchall()}


@personal_data.section("meetings")
async def _export(conn: Connection, member_id: int) -> list[dict[str, object]]:
    async with conn.execute(
        "SELECT m.title, m.starts_at, r.answer, r.answered_at, a.attended FROM meetings m "
        "LEFT JOIN rsvps r ON r.meeting_id = m.id AND r.member_id = ? "
        "LEFT JOIN attendance a ON a.meeting_id = m.id AND a.member_id = ? "
        "WHERE r.member_id IS NOT NULL OR a.member_id IS NOT NULL ORDER BY m.starts_at",
        (member_id, member_id)) as cursor:
        return [dict(row) for row in await cursor.fetchall()]
