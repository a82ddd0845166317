"""50,000 member-sends falling due in the same minute: all become outbox rows, none dropped.

Two shapes, each due at one and the same instant (the worst case of "the same minute"):
  personal  50,000 reminders of one member each (e.g. survey nudges);
  groups    50 group notices of 1,000 members each (e.g. meeting reminders).
Figures: seconds from the due instant until every outbox row is written (goal < 10 s) and
rows lost (goal 0). For contrast, the pattern docs/architecture.md forbids: one APScheduler date job per
member-send, 50,000 jobs due together with APScheduler's default 1 s misfire grace.

    python -m benchmarks.mass_due [--sends 50000] [--groups 50] [--no-naive]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from benchmarks._support import emit, migrate, seed
from bot.clock import SystemClock
from bot.config import Settings
from bot.services import build_services
from bot.services.broadcasts import notice_payload
from storage.db import Database

LEAD = 3.0  # seconds between start-up and the due instant


def add_reminders(database: Path, rows: list[tuple[str, str]], due: float) -> None:
    conn = sqlite3.connect(database)
    with conn:
        conn.executemany("INSERT INTO reminders (key, kind, due_at, wake_at, payload, created_at) "
                         "VALUES (?, 'notice', ?, ?, ?, ?)",
                         [(key, due, due, payload, due - LEAD) for key, payload in rows])
    conn.close()


async def run_shape(shape: str, sends: int, groups: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "bench.db"
        await migrate(database)
        seeded = seed(database, sends, groups=groups)
        due = time.time() + LEAD
        if shape == "personal":
            rows = [(f"survey:1:nudge:{mid}", json.dumps(notice_payload(
                "notice.announcement", member_ids=[mid], params={"group": "G", "text": "anket"})))
                for mid in seeded.member_ids]
        else:
            rows = [(f"meeting:{gid}:remind:1h", json.dumps(notice_payload(
                "notice.announcement", group_id=gid, params={"group": "G", "text": "toplantı"})))
                for gid in seeded.group_ids]
        add_reminders(database, rows, due)
        db = await Database.open(database)
        settings = Settings(_env_file=None, database=database)  # type: ignore[call-arg]
        services = build_services(settings, db, SystemClock())
        await services.reminders.start()
        await services.scheduler.start()  # the dispatcher is not started: this measures queueing
        try:
            deadline = due + 60
            written = 0
            while time.time() < deadline:
                row = await db.fetchone("SELECT COUNT(*) FROM outbox")
                written = int(row[0]) if row else 0
                if written >= sends:
                    break
                await asyncio.sleep(0.05)
            queued_after = time.time() - due
            done = await db.fetchone("SELECT COUNT(*) FROM reminders WHERE status = 'done' AND key NOT LIKE 'recurring:%'")
        finally:
            await services.scheduler.stop()
            await db.close()
    return {"shape": shape, "reminders": len(rows), "outbox_rows": written, "lost": sends - written,
            "reminders_done": int(done[0]) if done else 0, "queued_seconds": round(queued_after, 3)}


async def naive_apscheduler(jobs: int) -> dict[str, Any]:
    """One date job per member-send, all due at once (what docs/architecture.md, "Timed messages", forbids)."""
    ran = 0

    async def send_one() -> None:
        nonlocal ran
        ran += 1

    for name in ("apscheduler", "apscheduler.executors", "apscheduler.scheduler"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    scheduler = AsyncIOScheduler(timezone="UTC")
    when = datetime.now(UTC) + timedelta(seconds=LEAD)
    for index in range(jobs):
        scheduler.add_job(send_one, "date", run_date=when, id=f"send:{index}")
    scheduler.start()
    await asyncio.sleep((when - datetime.now(UTC)).total_seconds() + 8.0)
    scheduler.shutdown(wait=False)
    await asyncio.sleep(0)
    return {"naive_jobs": jobs, "naive_jobs_run": ran, "naive_jobs_lost": jobs - ran}


async def main(sends: int, groups: int, naive: bool) -> None:
    personal = await run_shape("personal", sends, groups)
    grouped = await run_shape("groups", sends, groups)
    result: dict[str, Any] = {"benchmark": "mass_due", "sends": sends, "personal": personal, "groups": grouped,
                              "lost": personal["lost"] + grouped["lost"], "goal_lost": 0,
                              "queued_seconds": max(personal["queued_seconds"], grouped["queued_seconds"]),
                              "goal_queued_seconds": 10.0}
    if naive:
        result["contrast"] = await naive_apscheduler(sends)
    result["ok"] = result["lost"] == 0 and result["queued_seconds"] < 10.0
    emit(result)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sends", type=int, default=50_000)
    parser.add_argument("--groups", type=int, default=50)
    parser.add_argument("--no-naive", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(args.sends, args.groups, not args.no_naive))
