"""Plan milestones and the members who opted out of the short weekly digest."""

from __future__ import annotations

import json
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from storage import personal_data
from storage.sql import Connection, Row, fetch_one
from storage.times import from_db, to_db

DEFAULT_OFFSETS = (14, 7, 1, 0)
AUDIENCES = ("coordinators", "group")


class Milestone(BaseModel):
    """One dated step of a group's plan cycle. `due_at` is aware UTC; `offsets` are days
    before the due date at which reminders go out (0 = on the day)."""
    model_config = ConfigDict(defer_build=True)  # built on first use (start-up, issue 24)

    id: int
    group_id: int
    title: str
    due_at: datetime
    has_time: bool
    audience: str
    offsets: list[int]
    indicator_code: str | None = None
    survey_template_code: str | None = None
    template_code: str | None = None
    legal_basis: str | None = None
    notes: str | None = None
    status: str = "open"
    sequence: int = 0
    done_by: int | None = None
    done_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status == "open"


def _milestone(row: Row) -> Milestone:
    due = from_db(row["due_at"])
    assert due is not None
    return Milestone(id=row["id"], group_id=row["group_id"], title=row["title"], due_at=due,
                     has_time=bool(row["has_time"]), audience=row["audience"],
                     offsets=json.loads(row["offsets"]), indicator_code=row["indicator_code"],
                     survey_template_code=row["survey_template_code"],
                     template_code=row["template_code"], legal_basis=row["legal_basis"],
                     notes=row["notes"], status=row["status"], sequence=row["sequence"],
                     done_by=row["done_by"], done_at=from_db(row["done_at"]))


async def create(conn: Connection, *, group_id: int, title: str, due_at: datetime, has_time: bool,
                 audience: str = "group", offsets: list[int] | tuple[int, ...] = DEFAULT_OFFSETS,
                 indicator_code: str | None = None, survey_template_code: str | None = None,
                 template_code: str | None = None, legal_basis: str | None = None,
                 notes: str | None = None, created_by: int | None, now: datetime) -> Milestone | None:
    """Insert a milestone; None when `template_code` was already loaded for the group."""
    row = await fetch_one(
        conn, "INSERT INTO milestones (group_id, title, due_at, has_time, audience, offsets, indicator_code, "
        "survey_template_code, template_code, legal_basis, notes, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (group_id, template_code) DO NOTHING "
        "RETURNING id",
        (group_id, title, to_db(due_at), int(has_time), audience, json.dumps(sorted(set(offsets), reverse=True)),
         indicator_code, survey_template_code, template_code, legal_basis, notes, created_by, to_db(now)))
    if row is None:
        return None
    return await get(conn, int(row[0]))


async def get(conn: Connection, milestone_id: int) -> Milestone | None:
    async with conn.execute("SELECT * FROM milestones WHERE id = ?", (milestone_id,)) as cursor:
        row = await cursor.fetchone()
    return _milestone(row) if row else None


async def update(conn: Connection, milestone_id: int, **fields: object) -> None:
    """Change some of: title, due_at, has_time, audience, offsets, indicator_code,
    survey_template_code. A new `due_at` raises the sequence (old reminders become stale)."""
    allowed = {"title", "due_at", "has_time", "audience", "offsets", "indicator_code", "survey_template_code"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"unknown milestone fields: {sorted(unknown)}")
    values: dict[str, object] = {}
    for name, value in fields.items():
        if name == "due_at":
            assert isinstance(value, datetime)
            values[name] = to_db(value)
        elif name == "offsets":
            values[name] = json.dumps(sorted(set(value), reverse=True))  # type: ignore[call-overload]
        elif name == "has_time":
            values[name] = int(bool(value))
        else:
            values[name] = value
    if not values:
        return
    sets = ", ".join(f"{name} = ?" for name in values)
    await conn.execute(f"UPDATE milestones SET {sets}, sequence = sequence + 1 WHERE id = ?",
                       (*values.values(), milestone_id))


async def close(conn: Connection, milestone_id: int, status: str, member_id: int | None,
                now: datetime) -> bool:
    """Mark an open milestone done or dismissed; False if it was not open."""
    cursor = await conn.execute(
        "UPDATE milestones SET status = ?, done_by = ?, done_at = ? WHERE id = ? AND status = 'open'",
        (status, member_id, to_db(now), milestone_id))
    return cursor.rowcount > 0


async def delete(conn: Connection, milestone_id: int) -> None:
    await conn.execute("DELETE FROM milestones WHERE id = ?", (milestone_id,))


async def for_groups(conn: Connection, group_ids: list[int], *, until: datetime | None = None,
                     status: str | None = "open", since: datetime | None = None) -> list[Milestone]:
    """The groups' milestones by due date (open only by default), optionally due before `until`
    and at or after `since`."""
    if not group_ids:
        return []
    marks = ",".join("?" * len(group_ids))
    where = [f"group_id IN ({marks})"]
    params: list[object] = list(group_ids)
    if status is not None:
        where.append("status = ?")
        params.append(status)
    if until is not None:
        where.append("due_at < ?")
        params.append(to_db(until))
    if since is not None:
        where.append("due_at >= ?")
        params.append(to_db(since))
    async with conn.execute(
        f"SELECT * FROM milestones WHERE {' AND '.join(where)} ORDER BY due_at, id", params) as cursor:
        return [_milestone(row) for row in await cursor.fetchall()]


async def set_digest_optout(conn: Connection, member_id: int, off: bool, now: datetime) -> None:
    if off:
        await conn.execute("INSERT INTO digest_optouts (member_id, since) VALUES (?, ?) "
                           "ON CONFLICT (member_id) DO NOTHING", (member_id, to_db(now)))
    else:
        await conn.execute("DELETE FROM digest_optouts WHERE member_id = ?", (member_id,))


async def digest_optouts(conn: Connection) -> set[int]:
    async with conn.execute("SELECT member_id FROM digest_optouts") as cursor:
        return {int(row[0]) for row in await cursor.fetchall()}


@personal_data.section("milestones")
async def _export(conn: Connection, member_id: int) -> dict[str, object]:
    """What a person did with milestones (created, marked done) and her digest choice."""
    async with conn.execute(
        "SELECT title, due_at, status, done_at, created_by = ? AS created, done_by = ? AS closed "
        "FROM milestones WHERE created_by = ? OR done_by = ? ORDER BY due_at",
        (member_id, member_id, member_id, member_id)) as cursor:
        rows = [dict(row) for row in await cursor.fetchall()]
    async with conn.execute("SELECT since FROM digest_optouts WHERE member_id = ?", (member_id,)) as cursor:
        optout = await cursor.fetchone()
    return {"milestones": rows, "weekly_digest_off_since": optout["since"] if optout else None}



async def open_from_template(conn: Connection, group_id: int) -> list[Milestone]:
    """The group's open milestones that were loaded from the plan-cycle template."""
    async with conn.execute(
        "SELECT * FROM milestones WHERE group_id = ? AND status = 'open' AND template_code IS NOT NULL "
        "ORDER BY due_at", (group_id,)) as cursor:
        return [_milestone(row) for row in await cursor.fetchall()]
