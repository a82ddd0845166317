"""Reminders: every future timed send, one row per unique key (e.g. `meeting:42:remind:24h`).

Times are epoch seconds (UTC). `wake_at` is when the scheduler next looks at a pending row:
its due time, or later after a failed attempt. Every query the scheduler runs on a wake-up is
an index range (`reminders_wake`), so 100,000 pending rows cost no more than 100.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


from storage.sql import Connection, Row, fetch_all, fetch_one

PENDING = "pending"
DONE = "done"
CANCELLED = "cancelled"
DROPPED = "dropped"


@dataclass(frozen=True)
class ReminderRow:
    id: int
    key: str
    kind: str
    due_at: float
    payload: dict[str, Any]
    status: str
    attempts: int
    error: str | None


_COLUMNS = "id, key, kind, due_at, payload, status, attempts, error"


def _row(row: Row) -> ReminderRow:
    return ReminderRow(id=row["id"], key=row["key"], kind=row["kind"], due_at=float(row["due_at"]),
                       payload=json.loads(row["payload"] or "{}"), status=row["status"],
                       attempts=row["attempts"], error=row["error"])


def prefix_range(prefix: str) -> tuple[str, str]:
    """[low, high) bounds of the keys starting with `prefix` (an index range, unlike LIKE)."""
    if not prefix:
        raise ValueError("empty prefix")
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


async def upsert(conn: Connection, *, key: str, kind: str, due_at: float, payload: dict[str, Any],
                 now: float, reset: bool = False) -> bool:
    """Create or move the reminder `key`; True if it is now pending at `due_at`.

    A pending, cancelled or dropped row is (re)armed with the new time, kind and payload. A row
    that was already sent ('done') stays done unless `reset`: re-saving a meeting must not
    send its 24-hour reminder again.
    """
    done_guard = "" if reset else "WHERE reminders.status <> 'done'"
    cursor = await conn.execute(
        "INSERT INTO reminders (key, kind, due_at, wake_at, payload, status, attempts, created_at) "
        "VALUES (?, ?, ?, ?, ?, 'pending', 0, ?) "
        "ON CONFLICT (key) DO UPDATE SET kind = excluded.kind, due_at = excluded.due_at, "
        "wake_at = excluded.wake_at, payload = excluded.payload, status = 'pending', attempts = 0, "
        f"error = NULL, finished_at = NULL {done_guard}",
        (key, kind, due_at, due_at, json.dumps(payload, ensure_ascii=False, sort_keys=True), now),
    )
    return cursor.rowcount > 0


async def get(conn: Connection, key: str) -> ReminderRow | None:
    row = await fetch_one(conn, f"SELECT {_COLUMNS} FROM reminders WHERE key = ?", (key,))
    return _row(row) if row else None


async def with_prefix(conn: Connection, prefix: str, status: str | None = PENDING) -> list[ReminderRow]:
    low, high = prefix_range(prefix)
    status_filter = "" if status is None else "AND status = ?"
    params: tuple[Any, ...] = (low, high) if status is None else (low, high, status)
    rows = await fetch_all(
        conn, f"SELECT {_COLUMNS} FROM reminders WHERE key >= ? AND key < ? {status_filter} ORDER BY due_at, id",
        params,
    )
    return [_row(row) for row in rows]


async def cancel(conn: Connection, key: str, now: float) -> bool:
    cursor = await conn.execute(
        "UPDATE reminders SET status = 'cancelled', finished_at = ? WHERE key = ? AND status = 'pending'",
        (now, key),
    )
    return cursor.rowcount > 0


async def cancel_prefix(conn: Connection, prefix: str, now: float) -> int:
    low, high = prefix_range(prefix)
    cursor = await conn.execute(
        "UPDATE reminders SET status = 'cancelled', finished_at = ? "
        "WHERE key >= ? AND key < ? AND status = 'pending'",
        (now, low, high),
    )
    return cursor.rowcount


async def next_wake(conn: Connection) -> float | None:
    """The earliest time a pending reminder needs attention (one index lookup)."""
    row = await fetch_one(
        conn, "SELECT MIN(wake_at) FROM reminders WHERE status = 'pending'"
    )
    return float(row[0]) if row and row[0] is not None else None


async def due(conn: Connection, now: float, limit: int) -> list[ReminderRow]:
    """Pending rows whose wake time has come, earliest first."""
    rows = await fetch_all(
        conn, f"SELECT {_COLUMNS} FROM reminders WHERE status = 'pending' AND wake_at <= ? "
        "ORDER BY wake_at, id LIMIT ?",
        (now, limit),
    )
    return [_row(row) for row in rows]


async def finish_many(conn: Connection, ids: Sequence[int], status: str, now: float,
                      error: str | None = None) -> None:
    """Close rows ('done' or 'dropped') in one statement per call."""
    if not ids:
        return
    await conn.executemany(
        "UPDATE reminders SET status = ?, finished_at = ?, error = ? WHERE id = ? AND status = 'pending'",
        [(status, now, error, row_id) for row_id in ids],
    )


async def postpone(conn: Connection, row_id: int, wake_at: float, error: str) -> None:
    """A failed attempt: look at it again at `wake_at` (due_at is kept)."""
    await conn.execute(
        "UPDATE reminders SET wake_at = ?, attempts = attempts + 1, error = ? WHERE id = ?",
        (wake_at, error, row_id),
    )


async def counts(conn: Connection) -> dict[str, int]:
    rows = await fetch_all(conn, "SELECT status, COUNT(*) AS n FROM reminders GROUP BY status")
    return {row["status"]: row["n"] for row in rows}


async def prune_finished(conn: Connection, cutoff: float) -> int:
    """Delete reminders that finished (done, cancelled, dropped) before `cutoff` (epoch s)."""
    cursor = await conn.execute(
        "DELETE FROM reminders WHERE status IN ('done', 'cancelled', 'dropped') AND finished_at < ?",
        (cutoff,))
    return max(cursor.rowcount, 0)


# Which group a reminder is about, from the ids its payload names (first match wins).
_GROUP_OF = (
    ("meeting_id", "SELECT group_id FROM meetings WHERE id = ?"),
    ("milestone_id", "SELECT group_id FROM milestones WHERE id = ?"),
    ("survey_id", "SELECT group_id FROM surveys WHERE id = ?"),
    ("round_id", "SELECT group_id FROM proposal_rounds WHERE id = ?"),
    ("series_id", "SELECT group_id FROM meeting_series WHERE id = ?"),
)


async def group_of(conn: Connection, payload: dict[str, Any]) -> int | None:
    """The group a reminder's payload is about (`group_id`, or the group of the meeting,
    milestone, survey, proposal round or meeting series it names); None for none."""
    group_id = payload.get("group_id")
    if group_id is not None:
        try:
            return int(group_id)
        except (TypeError, ValueError):
            return None
    for field, query in _GROUP_OF:
        value = payload.get(field)
        if value is None:
            continue
        try:
            row = await fetch_one(conn, query, (int(value),))
        except (TypeError, ValueError):
            return None
        return int(row[0]) if row else None
    return None


async def same_subject_due(conn: Connection, prefix: str, kind: str, until: float,
                           exclude_ids: Sequence[int]) -> list[ReminderRow]:
    """Pending rows of `kind` whose key starts with `prefix`, due by `until` (epoch s), other
    than `exclude_ids`: the later sends about the same thing that make an older one stale."""
    low, high = prefix_range(prefix)
    rows = await fetch_all(
        conn, f"SELECT {_COLUMNS} FROM reminders WHERE key >= ? AND key < ? AND status = 'pending' "
        "AND kind = ? AND due_at <= ? ORDER BY due_at, id", (low, high, kind, until))
    excluded = set(exclude_ids)
    return [_row(row) for row in rows if row["id"] not in excluded]


async def defer(conn: Connection, row_id: int, wake_at: float, note: str) -> None:
    """Look at a pending row again at `wake_at` (quiet hours); its due time and attempts stay."""
    await conn.execute("UPDATE reminders SET wake_at = ?, error = ? WHERE id = ?", (wake_at, note, row_id))
