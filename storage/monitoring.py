"""The monitoring report's rows: reasons for deviations, thresholds, adopted reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiosqlite import Connection

from storage.sql import fetch_all, fetch_one, run


@dataclass(frozen=True)
class Reason:
    """Why an indicator is off its target in a period, and what the group recommends."""

    indicator: str
    period: str
    reason: str | None
    recommendation: str | None


@dataclass(frozen=True)
class AdoptedReport:
    period: str
    language: str
    adopted_at: datetime
    filename: str
    content: bytes


async def reasons(conn: Connection, group_id: int, period: str) -> dict[str, Reason]:
    """The group's reasons for `period`, by indicator code."""
    rows = await fetch_all(conn, "SELECT indicator, period, reason, recommendation FROM deviation_reasons "
                                 "WHERE group_id = ? AND period = ?", (group_id, period))
    return {row[0]: Reason(row[0], row[1], row[2], row[3]) for row in rows}


async def save_reason(conn: Connection, group_id: int, indicator: str, period: str, *, field: str,
                      text: str | None, now: datetime) -> None:
    """Set the reason or the recommendation (`field`) of one indicator and period."""
    if field not in ("reason", "recommendation"):
        raise ValueError(field)
    await run(conn, f"INSERT INTO deviation_reasons (group_id, indicator, period, {field}, updated_at) "
                    f"VALUES (?, ?, ?, ?, ?) ON CONFLICT (group_id, indicator, period) DO UPDATE SET "
                    f"{field} = excluded.{field}, updated_at = excluded.updated_at",
              (group_id, indicator, period, text, now.isoformat()))


async def adopted(conn: Connection, group_id: int, period: str) -> AdoptedReport | None:
    row = await fetch_one(conn, "SELECT period, language, adopted_at, filename, content FROM monitoring_reports "
                                "WHERE group_id = ? AND period = ?", (group_id, period))
    if row is None:
        return None
    return AdoptedReport(row[0], row[1], datetime.fromisoformat(row[2]), row[3], bytes(row[4]))


async def adopt(conn: Connection, group_id: int, period: str, language: str, filename: str,
                content: bytes, now: datetime) -> None:
    """Keep `content` as the group's adopted report for `period` (a later adoption replaces it)."""
    await run(conn, "INSERT INTO monitoring_reports (group_id, period, language, adopted_at, filename, content) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (group_id, period) DO UPDATE SET "
                    "language = excluded.language, adopted_at = excluded.adopted_at, "
                    "filename = excluded.filename, content = excluded.content",
              (group_id, period, language, now.isoformat(), filename, content))
