"""Conversation state per chat, so a restart mid-dialog resumes at the same step."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime


from storage.dialect import lock_person
from storage.sql import Connection, fetch_all, fetch_one
from storage.times import to_db


@dataclass
class DialogState:
    """A person's open dialog. `outbox_mark` (as read): the outbox's highest row id when its
    step was last saved, so anything sent to her after its question has a higher id."""

    kind: str
    step: str
    data: dict[str, object] = field(default_factory=dict)
    outbox_mark: int = field(default=0, compare=False)


async def get(conn: Connection, channel: str, external_id: str) -> DialogState | None:
    """Her open dialog, or None. On PostgreSQL the person's dialog lock is taken first
    (`storage.dialect.lock_person`): held until the transaction ends."""
    await lock_person(conn, channel, external_id)
    row = await fetch_one(
        conn, "SELECT kind, step, data, outbox_mark FROM dialogs WHERE channel = ? AND external_id = ?",
        (channel, external_id),
    )
    if row is None:
        return None
    return DialogState(row["kind"], row["step"], json.loads(row["data"]), int(row["outbox_mark"]))


async def save(conn: Connection, channel: str, external_id: str, state: DialogState,
               now: datetime) -> None:
    """Save her dialog's step (under the person's dialog lock on PostgreSQL)."""
    await lock_person(conn, channel, external_id)
    await conn.execute(
        "INSERT INTO dialogs (channel, external_id, kind, step, data, updated_at, outbox_mark) "
        "VALUES (?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(id), 0) FROM outbox)) "
        "ON CONFLICT (channel, external_id) DO UPDATE SET kind = excluded.kind, step = excluded.step, "
        "data = excluded.data, updated_at = excluded.updated_at, outbox_mark = excluded.outbox_mark",
        (channel, external_id, state.kind, state.step, json.dumps(state.data, ensure_ascii=False), to_db(now)),
    )


async def clear(conn: Connection, channel: str, external_id: str) -> bool:
    """End her dialog (under the person's dialog lock on PostgreSQL); True if one was open."""
    await lock_person(conn, channel, external_id)
    cursor = await conn.execute(
        "DELETE FROM dialogs WHERE channel = ? AND external_id = ?", (channel, external_id)
    )
    return cursor.rowcount > 0


async def clear_for_survey(conn: Connection, survey_id: int) -> int:
    """End every answering dialog of this survey (it closed), and forget the buttons of its
    questions as anyone's pending question: what members type next is read as usual, not
    as an answer to a survey that is gone. Returns the dialogs ended."""
    answering = [(row[0], row[1]) for row in await fetch_all(
        conn, "SELECT channel, external_id, data FROM dialogs WHERE kind = 'sv'")
        if json.loads(row[2] or "{}").get("survey_id") == survey_id]  # no JSON functions: both engines
    await conn.executemany("DELETE FROM dialogs WHERE channel = ? AND external_id = ?", answering)
    await conn.execute("UPDATE pending_choices SET choices = '[]', exclusive = 0 WHERE choices LIKE ?",
                       (f'%"sv:{survey_id}:%',))
    return len(answering)

