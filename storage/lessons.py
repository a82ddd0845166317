"""Lessons in chat (issue 23): a member's progress in each lesson and the offers made to her.

Rows of `lesson_progress` and `lesson_offers` (migration 028). Scores are percentages (0–100)
of right answers in one quiz attempt; times are UTC ISO strings (`storage.times`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from sqlite3 import Row

from aiosqlite import Connection

from storage.personal_data import section
from storage.sql import fetch_all, fetch_one
from storage.times import from_db, to_db


@dataclass
class Progress:
    """Where a member is in one lesson. `step`: the next part or question to show (parts
    first, then questions; `step == parts + questions` once the quiz was answered through)."""

    member_id: int
    lesson: str
    step: int = 0
    correct: int = 0
    attempts: int = 0
    last_score: float | None = None
    best_score: float | None = None
    passed_at: datetime | None = None


@dataclass(frozen=True)
class LessonStats:
    """One lesson among a group's members: who passed its quiz, who started it, how many
    answered its quiz through (`takers`), the average of each taker's best score (percent,
    None when nobody finished an attempt). Shown only from `MIN_QUIZ_TAKERS` takers up
    (bot/services/lessons/service.py), so that no one's score can be read off it."""

    lesson: str
    passed: int
    started: int
    takers: int
    average: float | None


def _progress(row: Row) -> Progress:
    return Progress(member_id=row["member_id"], lesson=row["lesson"], step=row["step"], correct=row["correct"],
                    attempts=row["attempts"], last_score=row["last_score"], best_score=row["best_score"],
                    passed_at=from_db(row["passed_at"]))


_COLUMNS = "member_id, lesson, step, correct, attempts, last_score, best_score, passed_at"


async def get(conn: Connection, member_id: int, lesson: str) -> Progress | None:
    row = await fetch_one(conn, f"SELECT {_COLUMNS} FROM lesson_progress WHERE member_id = ? AND lesson = ?",
                          (member_id, lesson))
    return _progress(row) if row is not None else None


async def of_member(conn: Connection, member_id: int) -> dict[str, Progress]:
    rows = await fetch_all(conn, f"SELECT {_COLUMNS} FROM lesson_progress WHERE member_id = ?", (member_id,))
    return {row["lesson"]: _progress(row) for row in rows}


async def save(conn: Connection, progress: Progress, now: datetime) -> None:
    """Insert or update her row (`started_at` is kept from the first save)."""
    await conn.execute(
        "INSERT INTO lesson_progress (member_id, lesson, step, correct, attempts, last_score, best_score, "
        "passed_at, started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (member_id, lesson) DO UPDATE SET step = excluded.step, correct = excluded.correct, "
        "attempts = excluded.attempts, last_score = excluded.last_score, best_score = excluded.best_score, "
        "passed_at = excluded.passed_at, updated_at = excluded.updated_at",
        (progress.member_id, progress.lesson, progress.step, progress.correct, progress.attempts,
         progress.last_score, progress.best_score,
         to_db(progress.passed_at) if progress.passed_at else None, to_db(now), to_db(now)))


async def group_stats(conn: Connection, group_id: int) -> dict[str, LessonStats]:
    """Per lesson, among the group's current members with the member role (coordinators are
    not counted). `takers` and `average` count only quizzes answered through (attempts > 0):
    a quiz in progress is not a score."""
    rows = await fetch_all(
        conn,
        "SELECT p.lesson, COUNT(p.passed_at) AS passed, COUNT(*) AS started, "
        "SUM(CASE WHEN p.attempts > 0 AND p.best_score IS NOT NULL THEN 1 ELSE 0 END) AS takers, "
        "AVG(CASE WHEN p.attempts > 0 THEN p.best_score END) AS average FROM lesson_progress p "
        "JOIN memberships ms ON ms.member_id = p.member_id AND ms.group_id = ? AND ms.role = 'member' "
        "GROUP BY p.lesson",
        (group_id,))
    return {row["lesson"]: LessonStats(row["lesson"], row["passed"], row["started"], int(row["takers"] or 0),
                                       float(row["average"]) if row["average"] is not None else None)
            for row in rows}


async def group_passed(conn: Connection, group_id: int) -> dict[int, set[str]]:
    """member id → the lessons whose quiz she passed, for every member (member role;
    coordinators are not counted) of the group (only whether she passed: never her answers or
    score)."""
    rows = await fetch_all(
        conn,
        "SELECT ms.member_id, p.lesson FROM memberships ms "
        "LEFT JOIN lesson_progress p ON p.member_id = ms.member_id AND p.passed_at IS NOT NULL "
        "WHERE ms.group_id = ? AND ms.role = 'member'", (group_id,))
    passed: dict[int, set[str]] = {}
    for row in rows:
        lessons = passed.setdefault(row["member_id"], set())
        if row["lesson"] is not None:
            lessons.add(row["lesson"])
    return passed


# -- offers ------------------------------------------------------------------------------------

async def last_offer_at(conn: Connection, member_id: int) -> datetime | None:
    row = await fetch_one(conn, "SELECT MAX(offered_at) AS latest FROM lesson_offers WHERE member_id = ?",
                          (member_id,))
    return from_db(row["latest"]) if row is not None else None


async def declined(conn: Connection, member_id: int, lesson: str) -> bool:
    row = await fetch_one(conn, "SELECT declined_at FROM lesson_offers WHERE member_id = ? AND lesson = ?",
                          (member_id, lesson))
    return row is not None and row["declined_at"] is not None


async def record_offer(conn: Connection, member_id: int, lesson: str, reason: str, now: datetime) -> None:
    """She was offered `lesson` now (a "no thanks" given earlier stays)."""
    await conn.execute(
        "INSERT INTO lesson_offers (member_id, lesson, reason, offered_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (member_id, lesson) DO UPDATE SET reason = excluded.reason, offered_at = excluded.offered_at",
        (member_id, lesson, reason, to_db(now)))


async def decline(conn: Connection, member_id: int, lesson: str, now: datetime) -> None:
    """She said "no thanks" to `lesson`: it is not offered to her again."""
    await conn.execute(
        "INSERT INTO lesson_offers (member_id, lesson, reason, offered_at, declined_at) VALUES (?, ?, 'declined', ?, ?) "
        "ON CONFLICT (member_id, lesson) DO UPDATE SET declined_at = excluded.declined_at",
        (member_id, lesson, to_db(now), to_db(now)))


async def ever_offered(conn: Connection, member_id: int, lesson: str) -> bool:
    row = await fetch_one(conn, "SELECT 1 AS found FROM lesson_offers WHERE member_id = ? AND lesson = ?",
                          (member_id, lesson))
    return row is not None


@section("lessons")
async def _personal(conn: Connection, member_id: int) -> object:
    progress = await fetch_all(conn, "SELECT lesson, step, attempts, last_score, best_score, passed_at, started_at, "
                                     "updated_at FROM lesson_progress WHERE member_id = ? ORDER BY lesson", (member_id,))
    offers = await fetch_all(conn, "SELECT lesson, reason, offered_at, declined_at FROM lesson_offers "
                                   "WHERE member_id = ? ORDER BY lesson", (member_id,))
    return {"progress": [dict(row) for row in progress], "offers": [dict(row) for row in offers]}
