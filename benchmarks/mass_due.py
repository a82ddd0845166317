"""50,000 member-sends falling due in the same minute: all delivered to the fake Bot API, none dropped.

Two shapes, each due at one and the same instant (the worst case of "the same minute"):
  personal  50,000 reminders of one member each (e.g. survey nudges);
  groups    50 group notices of 1,000 members each (e.g. meeting reminders).
Figures: seconds from the due instant until every outbox row is written (goal < 10 s), until
every message has reached the fake Bot API over HTTP through the real dispatcher and
TelegramChannel (sending limits lifted: this measures the pipeline, not Telegram's pacing, which
`broadcast_pacing` covers), and messages lost (goal 0). For contrast, the pattern docs/architecture.md forbids: one APScheduler date job per
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

from benchmarks._support import TOKEN, emit, migrate, seed
from bot.clock import SystemClock
from bot.config import Settings
from bot.emulator.telegram import FakeBotApi
from bot.services import build_services
from bot.services.broadcasts import notice_payload
from handlers.telegram import TelegramChannel
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
        async with FakeBotApi(record_calls=False) as server:
            for user in seeded.users:
                server.open_private_chat(user)
            result = await _deliver(database, server, sends, due)
    return {"shape": shape, "reminders": len(rows), **result}


async def _deliver(database: Path, server: FakeBotApi, sends: int, due: float) -> dict[str, Any]:
    """Run reminders, scheduler, dispatcher and the Telegram channel until every send has
    reached the fake (or 120 s after the due instant)."""
    from telegram import Bot
    from telegram.request import HTTPXRequest

    db = await Database.open(database)
    settings = Settings(_env_file=None, database=database, send_rate_per_second=100000,  # type: ignore[call-arg]
                        private_chat_rate_per_second=100000, group_chat_rate_per_minute=100000)
    services = build_services(settings, db, SystemClock())
    bot = Bot(TOKEN, base_url=server.base_url, request=HTTPXRequest(connection_pool_size=16))
    services.add_channel(TelegramChannel(bot))
    await services.start()
    queued_after = delivered_after = None
    written = delivered = 0
    try:
        deadline = due + 120
        while time.time() < deadline:
            row = await db.fetchone("SELECT COUNT(*) FROM outbox")
            written = int(row[0]) if row else 0
            if queued_after is None and written >= sends:
                queued_after = time.time() - due
            row = await db.fetchone("SELECT COUNT(*) FROM outbox WHERE status = 'sent'")
            delivered = int(row[0]) if row else 0
            if delivered >= sends:
                delivered_after = time.time() - due
                break
            await asyncio.sleep(0.05)
        done = await db.fetchone("SELECT COUNT(*) FROM reminders WHERE status = 'done' AND key NOT LIKE 'recurring:%'")
    finally:
        await services.stop()
        await bot.shutdown()
        await db.close()
    received = server.sent_count
    return {"outbox_rows": written, "delivered": delivered, "received_by_fake": received,
            "lost": sends - delivered, "reminders_done": int(done[0]) if done else 0,
            "queued_seconds": round(queued_after, 3) if queued_after is not None else None,
            "delivered_seconds": round(delivered_after, 3) if delivered_after is not None else None,
            "deliveries_per_second": round(delivered / delivered_after, 1) if delivered_after else None}


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
    queued = [shape["queued_seconds"] for shape in (personal, grouped)]
    delivered = [shape["delivered_seconds"] for shape in (personal, grouped)]
    result: dict[str, Any] = {"benchmark": "mass_due", "sends": sends, "personal": personal, "groups": grouped,
                              "lost": personal["lost"] + grouped["lost"], "goal_lost": 0,
                              "queued_seconds": None if None in queued else max(queued),  # type: ignore[type-var]
                              "delivered_seconds": None if None in delivered else max(delivered),  # type: ignore[type-var]
                              "goal_queued_seconds": 10.0}
    if naive:
        result["contrast"] = await naive_apscheduler(sends)
    result["ok"] = result["lost"] == 0 and result["queued_seconds"] is not None and result["queued_seconds"] < 10.0
    emit(result)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sends", type=int, default=50_000)
    parser.add_argument("--groups", type=int, default=50)
    parser.add_argument("--no-naive", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(args.sends, args.groups, not args.no_naive))
