"""Shared pieces of the benchmarks: seeding members fast, starting the real bot against the
fake Bot API, reading memory, printing the one-line JSON result."""

from __future__ import annotations

import json
import os
import resource
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("PTB_TIMEDELTA", "1")  # PTB 22: RetryAfter.retry_after as timedelta

from bot.__main__ import Koordinat  # noqa: E402
from bot.clock import Clock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.emulator.telegram.server import FakeBotApi, FakeUser  # noqa: E402
from storage.db import Database  # noqa: E402

TOKEN = "123456:BENCH-TOKEN"


@dataclass
class Seeded:
    group_ids: list[int]
    users: list[FakeUser]
    member_ids: list[int]


async def migrate(path: Path) -> None:
    db = await Database.open(path)
    await db.close()


def seed(path: Path, members: int, *, groups: int = 1, first_user_id: int = 100_000) -> Seeded:
    """`members` members spread over `groups` groups, written with plain sqlite3 in bulk
    (the database must be migrated first)."""
    now = "2026-11-25T06:00:00+00:00"
    conn = sqlite3.connect(path)
    try:
        with conn:
            group_ids = []
            for index in range(groups):
                # Quiet hours off: these measure sending at any hour of the wall clock.
                cursor = conn.execute(
                    "INSERT INTO groups (name, city, language, timezone, created_at, settings) "
                    "VALUES (?, 'Kars', 'tr', 'Europe/Istanbul', ?, ?)",
                    (f"Grup {index}", now, '{"quiet_hours": {"off": true}}'))
                group_ids.append(int(cursor.lastrowid or 0))
            start = conn.execute("SELECT COALESCE(MAX(id), 0) FROM members").fetchone()[0] + 1
            member_ids = list(range(start, start + members))
            users = [FakeUser(first_user_id + i, f"Üye {i}", "tr") for i in range(members)]
            conn.executemany("INSERT INTO members (id, display_name, language, created_at) VALUES (?, ?, 'tr', ?)",
                             [(mid, u.first_name, now) for mid, u in zip(member_ids, users, strict=True)])
            conn.executemany("INSERT INTO identities (channel, external_id, member_id, created_at) "
                             "VALUES ('telegram', ?, ?, ?)",
                             [(str(u.id), mid, now) for mid, u in zip(member_ids, users, strict=True)])
            conn.executemany("INSERT INTO memberships (group_id, member_id, role, joined_at) VALUES (?, ?, 'member', ?)",
                             [(group_ids[i % groups], mid, now) for i, mid in enumerate(member_ids)])
    finally:
        conn.close()
    return Seeded(group_ids, users, member_ids)


def settings(server: FakeBotApi, database: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"telegram_token": TOKEN, "telegram_api_url": server.base_url,
                              "telegram_file_url": server.file_base_url, "database": database}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


async def start_bot(server: FakeBotApi, database: Path, clock: Clock | None = None, **overrides: Any) -> Koordinat:
    bot = Koordinat(settings(server, database, **overrides), clock=clock)
    await bot.start()
    return bot


def rss_mb() -> float:
    """Resident memory now (Linux /proc), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def emit(result: dict[str, Any]) -> None:
    """The benchmark's result: one JSON object on the last line of stdout."""
    sys.stdout.flush()
    print(json.dumps(result, ensure_ascii=False, sort_keys=False))


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.monotonic()

    def __call__(self) -> float:
        return time.monotonic() - self.started
