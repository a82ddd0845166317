"""100,000 pending reminders: start-up until armed, memory, and how late the ones due in the
next seconds are sent.

The database holds 100,000 pending `notice` reminders spread over the next 30 days plus a few
hundred due 2-6 s after start-up (one member each). The real bot starts against the fake Bot
API. Figures: seconds from `Services.start()` until the scheduler is armed (goal < 3 s), RSS
after start-up and at the end (goal < 150 MB), and the lateness of the soon-due reminders,
measured as (delivered to the fake Bot API: the outbox row marked sent) - (due time), goal p99
< 1 s, with the sending limits lifted (300 messages in 4 s exceed Telegram's 30/s: pacing is
`broadcast_pacing`'s subject; this one measures the path from the due time to delivery). The
lateness of the outbox rows being written is shown beside it (`queued_*`).

    python -m benchmarks.reminders_startup [--pending 100000] [--soon 300]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sqlite3
import tempfile
import time
from pathlib import Path

from benchmarks._support import emit, migrate, peak_rss_mb, percentile, rss_mb, seed, settings
from bot.__main__ import Koordinat
from bot.emulator.telegram.server import FakeBotApi
from bot.services.broadcasts import notice_payload


def fill(database: Path, pending: int, soon: int, member_ids: list[int], soon_from: float) -> None:
    now = time.time()
    far = json.dumps(notice_payload("notice.announcement", member_ids=[member_ids[0]],
                                    params={"group": "G", "text": "later"}))
    rows = []
    for i in range(pending):
        due = now + 3600 + (i * 7919) % (30 * 86_400)
        rows.append((f"meeting:{i}:remind:24h", "notice", due, due, far, now))
    for i in range(soon):
        due = soon_from + 4.0 * i / soon
        payload = json.dumps(notice_payload("notice.announcement", member_ids=[member_ids[i % len(member_ids)]],
                                            params={"group": "G", "text": f"soon {i}"}))
        rows.append((f"soon:{i}", "notice", due, due, payload, now))
    conn = sqlite3.connect(database)
    with conn:
        conn.executemany("INSERT INTO reminders (key, kind, due_at, wake_at, payload, created_at) "
                         "VALUES (?, ?, ?, ?, ?, ?)", rows)
    conn.close()


async def main(pending: int, soon: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "bench.db"
        await migrate(database)
        seeded = seed(database, min(soon, 500))
        fill(database, pending, soon, seeded.member_ids, soon_from=time.time() + 4.0)
        async with FakeBotApi(record_calls=False) as server:
            rss_before = rss_mb()
            for user in seeded.users:
                server.open_private_chat(user)
            bot = Koordinat(settings(server, database, send_rate_per_second=100000,
                                     private_chat_rate_per_second=100000))
            started = time.monotonic()
            await bot.start()  # database, services (arming included), Telegram
            services = bot.services
            assert services is not None
            await services.scheduler.settle()
            total_start = time.monotonic() - started
            # The arming on its own: stop the scheduler and start it again on the same table.
            await services.scheduler.stop()
            arm_started = time.monotonic()
            await services.scheduler.start()
            await services.scheduler.settle()
            arm_seconds = time.monotonic() - arm_started
            armed_for = services.scheduler.armed_at("reminders")
            rss_started = rss_mb()
            # Wait for the soon-due reminders (they fall due 4-8 s after filling).
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                row = await services.db.fetchone(
                    "SELECT COUNT(*) FROM reminders r JOIN outbox o ON o.key = 'r:' || r.key || '@' || "
                    "CAST(r.due_at AS INTEGER) || ':m' || o.member_id WHERE r.key >= 'soon:' AND r.key < 'soon;' "
                    "AND o.status = 'sent'")
                if row is not None and row[0] >= soon:
                    break
                await asyncio.sleep(0.2)
            rows = await services.db.fetchall(
                "SELECT o.sent_at - r.due_at AS late, o.created_at - r.due_at AS queued FROM reminders r "
                "JOIN outbox o ON o.key = 'r:' || r.key || '@' || CAST(r.due_at AS INTEGER) || ':m' || o.member_id "
                "WHERE r.key >= 'soon:' AND r.key < 'soon;' AND o.status = 'sent'")
            lateness = [max(0.0, float(r["late"])) for r in rows]
            queued = [max(0.0, float(r["queued"])) for r in rows]
            rss_end = rss_mb()
            await bot.stop()
    emit({
        "benchmark": "reminders_startup", "pending": pending, "soon": soon,
        "arm_seconds": round(arm_seconds, 4), "goal_arm_seconds": 3.0,
        "bot_start_seconds": round(total_start, 3), "armed": armed_for is not None,
        "rss_mb_before_start": round(rss_before, 1), "rss_mb_started": round(rss_started, 1),
        "rss_mb_end": round(rss_end, 1), "rss_mb_peak": round(peak_rss_mb(), 1), "goal_rss_mb": 150,
        "soon_sent": len(lateness), "lateness_p50": round(percentile(lateness, 0.5), 4),
        "lateness_p99": round(percentile(lateness, 0.99), 4), "lateness_max": round(max(lateness, default=0), 4),
        "goal_lateness_p99": 1.0, "measured": "delivery to the fake Bot API (limits lifted)",
        "queued_p50": round(percentile(queued, 0.5), 4), "queued_p99": round(percentile(queued, 0.99), 4),
        "ok": arm_seconds < 3 and peak_rss_mb() < 150 and len(lateness) == soon
        and percentile(lateness, 0.99) < 1.0,
    })


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pending", type=int, default=100_000)
    parser.add_argument("--soon", type=int, default=300)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(args.pending, args.soon))
