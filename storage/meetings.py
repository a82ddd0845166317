"""Meetings, RSVPs and attendance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict

from bot.collation import sorted_by_name
from bot.models import Member, Role
from storage import personal_data
from storage.sql import Connection, Row, fetch_all, insert_returning_id
from storage.times import from_db, to_db

ANSWERS = ("yes", "no", "maybe")


class Meeting(BaseModel):
    model_config = ConfigDict(defer_build=True)  # built on first use (start-up, issue 24)
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
    attendance_taken: bool = False
    series_id: int | None = None

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"


@dataclass(frozen=True)
class RosterLine:
    """A member of the meeting's group, her answer and (after the meeting) whether she came."""

    member: Member
    role: Role
    answer: str | None
    attended: bool
    note: str | None = None
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class AttendanceRecord:
    """One member's attendance over the meetings where it was taken."""

    came: int
    taken: int
    missed_in_a_row: int  # absences since she last came (most recent meetings first)


def _meeting(row: Row) -> Meeting:
    starts = from_db(row["starts_at"])
    assert starts is not None
    return Meeting(id=row["id"], group_id=row["group_id"], title=row["title"], starts_at=starts,
                   duration_minutes=row["duration_minutes"], place=row["place"], agenda=row["agenda"],
                   quorum=row["quorum"], status=row["status"], sequence=row["sequence"],
                   attendance_taken=row["attendance_taken_at"] is not None, series_id=row["series_id"])


async def create(conn: Connection, *, group_id: int, title: str, starts_at: datetime, place: str,
                 agenda: str | None, quorum: int | None, created_by: int | None, now: datetime,
                 duration_minutes: int = 120, series_id: int | None = None) -> Meeting:
    new_id = await insert_returning_id(
        conn, "INSERT INTO meetings (group_id, title, starts_at, duration_minutes, place, agenda, quorum, "
        "created_by, created_at, series_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (group_id, title, to_db(starts_at), duration_minutes, place, agenda, quorum, created_by, to_db(now),
         series_id))
    meeting = await get(conn, new_id)
    assert meeting is not None
    return meeting


async def get(conn: Connection, meeting_id: int) -> Meeting | None:
    found = await fetch_all(conn, "SELECT * FROM meetings WHERE id = ?", (meeting_id,))
    row = found[0] if found else None
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
                                 limit: int = 3, offset: int = 0) -> list[Meeting]:
    """Meetings that took place, latest first (for taking attendance); `offset` skips the
    latest ones (the "older" page)."""
    return await _scheduled(conn, group_ids, now, limit, upcoming=False, offset=offset)


async def _scheduled(conn: Connection, group_ids: list[int], now: datetime, limit: int, *,
                     upcoming: bool, offset: int = 0) -> list[Meeting]:
    if not group_ids:
        return []
    marks = ",".join("?" * len(group_ids))
    comparison, order = (">", "ASC") if upcoming else ("<=", "DESC")
    found = await fetch_all(conn,
        f"SELECT * FROM meetings WHERE group_id IN ({marks}) AND status = 'scheduled' "
        f"AND starts_at {comparison} ? ORDER BY starts_at {order}, id {order} LIMIT ? OFFSET ?",
        (*group_ids, to_db(now), limit, offset))
    return [_meeting(row) for row in found]


# -- answers ------------------------------------------------------------------------------

async def set_rsvp(conn: Connection, meeting_id: int, member_id: int, answer: str, now: datetime) -> None:
    await conn.execute(
        "INSERT INTO rsvps (meeting_id, member_id, answer, answered_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (meeting_id, member_id) DO UPDATE SET answer = excluded.answer, "
        "answered_at = excluded.answered_at, "
        "note = CASE WHEN rsvps.answer = excluded.answer THEN rsvps.note END, "  # a new answer drops the old reason
        "needs = CASE WHEN excluded.answer = 'no' THEN NULL ELSE rsvps.needs END",
        (meeting_id, member_id, answer, to_db(now)))


async def set_note(conn: Connection, meeting_id: int, member_id: int, note: str | None) -> bool:
    """The reason given with a "no" or "maybe"; False if she has no such answer now."""
    cursor = await conn.execute(
        "UPDATE rsvps SET note = ? WHERE meeting_id = ? AND member_id = ? AND answer IN ('no', 'maybe')",
        (note, meeting_id, member_id))
    return cursor.rowcount > 0


async def rsvp_of(conn: Connection, meeting_id: int, member_id: int) -> str | None:
    found = await fetch_all(conn, "SELECT answer FROM rsvps WHERE meeting_id = ? AND member_id = ?",
                            (meeting_id, member_id))
    row = found[0] if found else None
    return row["answer"] if row else None


async def rsvp_and_needs(conn: Connection, meeting_id: int, member_id: int) -> tuple[str | None, tuple[str, ...]]:
    """Her answer ('yes'/'no'/'maybe', None if none) and the needs she asked for, in one read."""
    found = await fetch_all(conn, "SELECT answer, needs FROM rsvps WHERE meeting_id = ? AND member_id = ?",
                            (meeting_id, member_id))
    if not found:
        return None, ()
    return found[0]["answer"], tuple(filter(None, (found[0]["needs"] or "").split(",")))


async def tally(conn: Connection, meeting_id: int) -> dict[str | None, int]:
    """{answer: count} over the people now in the meeting's group; None counts those who have
    not answered."""
    found = await fetch_all(conn,
        "SELECT r.answer, COUNT(*) AS n FROM memberships ms JOIN meetings m ON m.group_id = ms.group_id "
        "LEFT JOIN rsvps r ON r.meeting_id = m.id AND r.member_id = ms.member_id "
        "WHERE m.id = ? GROUP BY r.answer", (meeting_id,))
    counts: dict[str | None, int] = {answer: 0 for answer in (*ANSWERS, None)}
    for row in found:
        counts[row["answer"]] = int(row["n"])
    return counts


async def reminder_audience(conn: Connection, meeting_id: int) -> list[int]:
    """Members of the meeting's group who did not say they cannot come."""
    answered, waiting = await reminder_audience_by_answer(conn, meeting_id)
    return sorted(answered + waiting)


async def reminder_audience_by_answer(conn: Connection, meeting_id: int) -> tuple[list[int], list[int]]:
    """(those who said yes or maybe, those who have not answered) in the meeting's group."""
    found = await fetch_all(conn,
        "SELECT ms.member_id, r.answer FROM memberships ms JOIN meetings m ON m.group_id = ms.group_id "
        "LEFT JOIN rsvps r ON r.meeting_id = m.id AND r.member_id = ms.member_id "
        "WHERE m.id = ? AND (r.answer IS NULL OR r.answer != 'no') ORDER BY ms.member_id",
        (meeting_id,))
    rows = found
    return ([int(row["member_id"]) for row in rows if row["answer"] is not None],
            [int(row["member_id"]) for row in rows if row["answer"] is None])


async def roster(conn: Connection, meeting: Meeting, *, members_at_start: bool = False) -> list[RosterLine]:
    """Everyone in the meeting's group with her answer and attendance (`members_at_start`:
    only those who had joined by the time it started, for the attendance sheet)."""
    joined = "AND ms.joined_at <= ?" if members_at_start else ""
    params: tuple[object, ...] = (meeting.id, meeting.id, meeting.group_id)
    if members_at_start:
        params += (to_db(meeting.starts_at),)
    found = await fetch_all(conn,
        "SELECT m.id, m.display_name, m.language, m.unreachable_at, ms.role, r.answer, r.note, r.needs, a.attended "
        "FROM memberships ms JOIN members m ON m.id = ms.member_id "
        "LEFT JOIN rsvps r ON r.meeting_id = ? AND r.member_id = m.id "
        "LEFT JOIN attendance a ON a.meeting_id = ? AND a.member_id = m.id "
        f"WHERE ms.group_id = ? {joined}", params)
    rows = sorted_by_name(found, lambda row: row["display_name"], lambda row: row["id"])
    return [RosterLine(member=Member(id=row["id"], display_name=row["display_name"], language=row["language"],
                                     unreachable_at=row["unreachable_at"]),
                       role=Role(row["role"]), answer=row["answer"], attended=bool(row["attended"]),
                       note=row["note"], needs=tuple(filter(None, (row["needs"] or "").split(","))))
            for row in rows]


# -- attendance ---------------------------------------------------------------------------

async def toggle_attendance(conn: Connection, meeting_id: int, member_id: int, now: datetime) -> bool:
    """Tick or untick one person; the first tap marks the meeting's attendance as taken.
    Returns whether she now counts as present."""
    await conn.execute(
        "INSERT INTO attendance (meeting_id, member_id, attended, recorded_at) VALUES (?, ?, 1, ?) "
        "ON CONFLICT (meeting_id, member_id) DO UPDATE SET attended = 1 - attendance.attended, "
        "recorded_at = excluded.recorded_at", (meeting_id, member_id, to_db(now)))
    await conn.execute("UPDATE meetings SET attendance_taken_at = COALESCE(attendance_taken_at, ?) "
                       "WHERE id = ?", (to_db(now), meeting_id))
    found = await fetch_all(conn, "SELECT attended FROM attendance WHERE meeting_id = ? AND member_id = ?",
                            (meeting_id, member_id))
    row = found[0] if found else None
    return bool(row and row["attended"])


async def head_count(conn: Connection, meeting_id: int) -> int:
    """How many came, including people who have since asked to be forgotten."""
    found = await fetch_all(conn, "SELECT COUNT(*) FROM attendance WHERE meeting_id = ? AND attended = 1",
                            (meeting_id,))
    row = found[0] if found else None
    return int(row[0]) if row else 0


async def attendance_history(conn: Connection, group_id: int) -> dict[int, AttendanceRecord]:
    """For each member: of the group's meetings where attendance was taken and she was already
    a member, how many she came to, and how many she has missed since she last came."""
    found = await fetch_all(conn,
        "SELECT ms.member_id, COALESCE(a.attended, 0) AS came FROM meetings m "
        "JOIN memberships ms ON ms.group_id = m.group_id AND ms.joined_at <= m.starts_at "
        "LEFT JOIN attendance a ON a.meeting_id = m.id AND a.member_id = ms.member_id "
        "WHERE m.group_id = ? AND m.status = 'scheduled' AND m.attendance_taken_at IS NOT NULL "
        "ORDER BY ms.member_id, m.starts_at DESC", (group_id,))
    rows = found
    history: dict[int, list[bool]] = {}
    for row in rows:
        history.setdefault(int(row["member_id"]), []).append(bool(row["came"]))
    records = {}
    for member_id, latest_first in history.items():
        streak = next((index for index, came in enumerate(latest_first) if came), len(latest_first))
        records[member_id] = AttendanceRecord(came=sum(latest_first), taken=len(latest_first),
                                              missed_in_a_row=streak)
    return records


@personal_data.section("meetings")
async def _export(conn: Connection, member_id: int) -> list[dict[str, object]]:
    found = await fetch_all(conn,
        "SELECT m.title, m.starts_at, m.status, r.answer, r.note, r.answered_at, a.attended FROM meetings m "
        "LEFT JOIN rsvps r ON r.meeting_id = m.id AND r.member_id = ? "
        "LEFT JOIN attendance a ON a.meeting_id = m.id AND a.member_id = ? "
        "WHERE r.member_id IS NOT NULL OR a.member_id IS NOT NULL ORDER BY m.starts_at",
        (member_id, member_id))
    return [dict(row) for row in found]


def meeting_of_broadcast(kind: str, key: str) -> int | None:
    """The meeting id a broadcast is about (its notice, a change, a reminder), else None."""
    if kind not in ("meeting", "meeting_reminder"):
        return None
    parts = str(key).split(":")
    return int(parts[1]) if len(parts) > 1 and parts[0] == "meeting" and parts[1].isdigit() else None


async def answered_by(conn: Connection, member_id: int, meeting_ids: list[int]) -> set[int]:
    """Which of `meeting_ids` the member has answered."""
    if not meeting_ids:
        return set()
    marks = ",".join("?" * len(meeting_ids))
    found = await fetch_all(conn, f"SELECT meeting_id FROM rsvps WHERE member_id = ? AND meeting_id IN ({marks})",
                            (member_id, *meeting_ids))
    return {int(row["meeting_id"]) for row in found}


AMENDABLE = {"title": "title", "place": "place", "agenda": "agenda", "duration": "duration_minutes"}


async def amend(conn: Connection, meeting_id: int, field: str, value: object) -> None:
    """Change the title, place, agenda or duration (minutes): next calendar SEQUENCE; the
    answers stay (only a new time asks again). Raises KeyError for another field."""
    column = AMENDABLE[field]
    await conn.execute(f"UPDATE meetings SET {column} = ?, sequence = sequence + 1 WHERE id = ?",
                       (value, meeting_id))


@dataclass(frozen=True)
class ExportCell:
    """One member at one meeting: her answer (None: none given) and whether she came (None:
    attendance not taken for that meeting)."""

    meeting_id: int
    member_id: int
    name: str
    answer: str | None
    came: bool | None


async def held_between(conn: Connection, group_id: int, since: datetime, until: datetime) -> list[Meeting]:
    """The group's meetings (not cancelled) starting in [since, until), earliest first."""
    found = await fetch_all(conn,
        "SELECT * FROM meetings WHERE group_id = ? AND status = 'scheduled' AND starts_at >= ? AND starts_at < ? "
        "ORDER BY starts_at, id", (group_id, to_db(since), to_db(until)))
    return [_meeting(row) for row in found]


async def export_cells(conn: Connection, meeting_ids: list[int]) -> list[ExportCell]:
    """Everyone now in each meeting's group, with her answer and attendance."""
    if not meeting_ids:
        return []
    marks = ",".join("?" * len(meeting_ids))
    found = await fetch_all(conn,
        "SELECT m.id AS meeting_id, mb.id AS member_id, mb.display_name, r.answer, a.attended, "
        "m.attendance_taken_at FROM meetings m JOIN memberships ms ON ms.group_id = m.group_id "
        "JOIN members mb ON mb.id = ms.member_id "
        "LEFT JOIN rsvps r ON r.meeting_id = m.id AND r.member_id = mb.id "
        "LEFT JOIN attendance a ON a.meeting_id = m.id AND a.member_id = mb.id "
        f"WHERE m.id IN ({marks}) ORDER BY mb.display_name, mb.id", tuple(meeting_ids))
    rows = found
    return [ExportCell(meeting_id=int(row["meeting_id"]), member_id=int(row["member_id"]), name=row["display_name"],
                       answer=row["answer"],
                       came=None if row["attendance_taken_at"] is None else bool(row["attended"]))
            for row in rows]



# -- series (repeating meetings) ----------------------------------------------------------

class Series(BaseModel):
    """A repeating meeting: `frequency` "weekly" or "monthly" (the `nth` `weekday`, -1 = last)."""
    model_config = ConfigDict(defer_build=True)  # built on first use (start-up, issue 24)

    id: int
    group_id: int
    frequency: str
    weekday: int
    nth: int | None
    local_time: str
    title: str
    place: str
    agenda: str | None
    quorum: int | None
    duration_minutes: int
    created_by: int | None
    lead_days: int
    active: bool


async def create_series(conn: Connection, *, group_id: int, frequency: str, weekday: int, nth: int | None,
                        local_time: str, title: str, place: str, agenda: str | None, quorum: int | None,
                        duration_minutes: int, created_by: int | None, now: datetime, lead_days: int = 30) -> Series:
    new_id = await insert_returning_id(
        conn, "INSERT INTO meeting_series (group_id, frequency, weekday, nth, local_time, title, place, agenda, quorum, "
        "duration_minutes, created_by, lead_days, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (group_id, frequency, weekday, nth, local_time, title, place, agenda, quorum, duration_minutes,
         created_by, lead_days, to_db(now)))
    series = await get_series(conn, new_id)
    assert series is not None
    return series


async def get_series(conn: Connection, series_id: int) -> Series | None:
    found = await fetch_all(conn, "SELECT * FROM meeting_series WHERE id = ?", (series_id,))
    row = found[0] if found else None
    if row is None:
        return None
    return Series(**{key: row[key] for key in Series.model_fields if key != "active"}, active=bool(row["active"]))


async def stop_series(conn: Connection, series_id: int) -> None:
    await conn.execute("UPDATE meeting_series SET active = 0 WHERE id = ?", (series_id,))


async def latest_of_series(conn: Connection, series_id: int) -> Meeting | None:
    found = await fetch_all(conn, "SELECT * FROM meetings WHERE series_id = ? ORDER BY starts_at DESC LIMIT 1",
                            (series_id,))
    row = found[0] if found else None
    return _meeting(row) if row else None


async def upcoming_of_series(conn: Connection, series_id: int, now: datetime) -> list[Meeting]:
    found = await fetch_all(conn, "SELECT * FROM meetings WHERE series_id = ? AND status = 'scheduled' AND starts_at > ? "
                            "ORDER BY starts_at", (series_id, to_db(now)))
    return [_meeting(row) for row in found]



async def series_from(conn: Connection, series_id: int, since: datetime) -> list[Meeting]:
    """The series' occurrences starting at or after `since`, cancelled ones too, earliest first."""
    found = await fetch_all(conn, "SELECT * FROM meetings WHERE series_id = ? AND starts_at >= ? ORDER BY starts_at, id",
                            (series_id, to_db(since)))
    return [_meeting(row) for row in found]


async def previous_of_series(conn: Connection, series_id: int, before: datetime) -> Meeting | None:
    """The series' latest occurrence (not cancelled) that starts before `before`."""
    found = await fetch_all(conn, "SELECT * FROM meetings WHERE series_id = ? AND status = 'scheduled' AND starts_at < ? "
                            "ORDER BY starts_at DESC LIMIT 1", (series_id, to_db(before)))
    row = found[0] if found else None
    return _meeting(row) if row else None


async def reschedule_series(conn: Connection, series_id: int, *, weekday: int, nth: int | None,
                            local_time: str) -> None:
    """A new pattern (weekday 0–6 = Monday–Sunday, nth 1–4 or -1 for monthly series, wall
    time "HH:MM") for the occurrences still to be created."""
    await conn.execute("UPDATE meeting_series SET weekday = ?, nth = ?, local_time = ? WHERE id = ?",
                       (weekday, nth, local_time, series_id))


async def needs_of(conn: Connection, meeting_id: int, member_id: int) -> tuple[str, ...]:
    found = await fetch_all(conn, "SELECT needs FROM rsvps WHERE meeting_id = ? AND member_id = ?",
                            (meeting_id, member_id))
    row = found[0] if found else None
    return tuple(filter(None, ((row["needs"] if row else None) or "").split(",")))


async def toggle_need(conn: Connection, meeting_id: int, member_id: int, need: str) -> tuple[str, ...] | None:
    """Add or remove one need on her yes/maybe answer; None if she has no such answer."""
    current = await needs_of(conn, meeting_id, member_id)
    updated = tuple(sorted(set(current) ^ {need}))
    cursor = await conn.execute(
        "UPDATE rsvps SET needs = ? WHERE meeting_id = ? AND member_id = ? AND answer IN ('yes', 'maybe')",
        (",".join(updated) or None, meeting_id, member_id))
    return updated if cursor.rowcount else None


async def needs_count(conn: Connection, meeting_id: int) -> dict[str, int]:
    """{need: how many of those coming (yes or maybe) asked for it}."""
    found = await fetch_all(conn, "SELECT needs FROM rsvps WHERE meeting_id = ? AND answer IN ('yes', 'maybe') "
                            "AND needs IS NOT NULL", (meeting_id,))
    counts: dict[str, int] = {}
    for row in found:
        for need in filter(None, row["needs"].split(",")):
            counts[need] = counts.get(need, 0) + 1
    return counts


async def amend_series(conn: Connection, series_id: int, field: str, value: object) -> None:
    """The title, place, agenda or duration of the occurrences still to be created."""
    column = AMENDABLE[field]
    await conn.execute(f"UPDATE meeting_series SET {column} = ? WHERE id = ?", (value, series_id))


async def joined_since_notice(conn: Connection, group_id: int, broadcast_id: int) -> int:
    """Members who joined the group after the notice went out and so are not among its
    recipients: each got the upcoming meetings when she joined."""
    found = await fetch_all(conn, "SELECT created_at FROM broadcasts WHERE id = ?", (broadcast_id,))
    row = found[0] if found else None
    if row is None:
        return 0
    since = to_db(datetime.fromtimestamp(float(row["created_at"]), UTC))
    found = await fetch_all(conn,
        "SELECT COUNT(*) FROM memberships ms WHERE ms.group_id = ? AND ms.joined_at >= ? "
        "AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.broadcast_id = ? AND o.member_id = ms.member_id)",
        (group_id, since, broadcast_id))
    row = found[0] if found else None
    return int(row[0]) if row else 0
