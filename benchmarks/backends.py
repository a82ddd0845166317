"""SQLite vs PostgreSQL, measured in the same run: inbound updates per second through the real
`koordinat run` process, and reply p95 while a broadcast is being sent (the in-process bot).

- **inbound**: as `benchmarks.inbound_throughput` (N updates from M members — typed "evet",
  RSVP taps, /help — queued at once; until every update is committed and every reply sent).
  The PostgreSQL database is the same seeded SQLite file copied with `migrate-to`'s
  `copy_database`, so both engines start from identical rows.
- **reply p95**: as `benchmarks.reply_latency` (a broadcast to every member at R msg/s while W
  members write /help; seconds until each got her answer).

Each engine's figures are also given as a ratio to SQLite's (single process, this run).
PostgreSQL is measured with one worker and with two on one schema (`postgresql_2_workers`):
the first process leads (polls, sends, schedules), the second only claims and processes stored
updates (`ClaimingInboundQueue`), as a standby behind a load balancer would.

    python -m benchmarks.backends [--updates 1000] [--members 250] [--writers 20]
        [--dsn postgresql://postgres@127.0.0.1:5432/koordinat_tr]

Without a PostgreSQL server (or asyncpg) only SQLite is measured and the JSON says why.
The result is one JSON object on the last line of stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from benchmarks._support import emit, migrate, percentile, seed, start_bot
from benchmarks.inbound_throughput import db_state, env_for, prepare, push_updates, spawn, stop
from bot.emulator.telegram import FakeBotApi
from bot.models import Reply
from storage.db import Database

DEFAULT_DSN = "postgresql://postgres@127.0.0.1:5432/koordinat_tr"


async def _pg_state(dsn: str, schema: str) -> tuple[int, int, int]:
    db = await Database.open(f"{dsn}?schema={schema}", migrate=False)
    try:
        processed = (await db.fetchone("SELECT COUNT(*) FROM processed_updates"))[0]
        stored = (await db.fetchone("SELECT COUNT(*) FROM inbound_updates"))[0]
        unsent = (await db.fetchone("SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')"))[0]
        return int(processed), int(stored), int(unsent)
    finally:
        await db.close()


async def _copy_to_postgres(database: Path, dsn: str, schema: str) -> None:
    from storage.migrate_to import copy_database

    source = await Database.open(database)
    target = await Database.open(f"{dsn}?schema={schema}")
    try:
        await copy_database(source, target)
    finally:
        await target.close()
        await source.close()


async def _wait_line(log: Path, fragment: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not log.exists() or fragment not in log.read_text(errors="replace"):
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {fragment!r} in {log}")
        await asyncio.sleep(0.05)


async def inbound(updates: int, members: int, tmp: Path, dsn: str | None, workers: int = 1) -> dict[str, float]:
    """Updates per second through `python -m bot run` on SQLite (dsn None) or PostgreSQL
    (`workers` processes on one schema)."""
    database = tmp / "koordinat.db"
    users = await prepare(database, members)
    schema = None
    if dsn is not None:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        await _copy_to_postgres(database, dsn, schema)

    async def state() -> tuple[int, int, int]:
        return await _pg_state(dsn, schema) if dsn and schema else db_state(database)

    async with FakeBotApi(record_calls=True) as server:
        for user in users:
            server.open_private_chat(user)
        env = env_for(server, database)
        if dsn is not None and schema is not None:
            env.update({"KOORDINAT_DATABASE": dsn, "KOORDINAT_DATABASE_SCHEMA": schema})
        log = tmp / f"koordinat-{'pg' if dsn else 'sqlite'}-{workers}.log"
        bot = await spawn("bot", env, log, "run")
        others: list[asyncio.subprocess.Process] = []
        try:
            if workers > 1:
                await _wait_line(log, "leading schema")
                for n in range(1, workers):
                    other_log = tmp / f"koordinat-pg-{workers}-{n}.log"
                    others.append(await spawn("bot", env, other_log, "run"))
                    await _wait_line(other_log, "waiting to take over")
            await server.wait_until(lambda: all(server.messages(u) for u in users), timeout=120,
                                    what="the notices reached everyone")
            notices = {u.id: server.messages(u)[0] for u in users}
            base = (await state())[0]
            started = time.monotonic()
            await push_updates(server, users, notices, updates)
            while True:
                processed, stored, unsent = await state()
                if processed - base >= updates and stored == 0 and unsent == 0 and server.pending_updates == 0:
                    break
                if time.monotonic() - started > 300:
                    raise TimeoutError(f"{processed - base}/{updates} processed")
                await asyncio.sleep(0.05)
            elapsed = time.monotonic() - started
        finally:
            for other in others:
                await stop(other)
            await stop(bot)
    if dsn is not None and schema is not None:
        await _drop(dsn, schema)
    return {"seconds": round(elapsed, 2), "updates_per_second": round(updates / elapsed, 1)}


async def reply_p95(members: int, writers: int, tmp: Path, dsn: str | None, rate: int = 30,
                    workers: int = 1) -> float:
    """p95 seconds from a member's /help to its answer, during a broadcast to every member
    (PostgreSQL: the in-process bot leads; `workers - 1` more processes claim updates too)."""
    from benchmarks.reply_latency import measure_replies

    database = tmp / "latency.db"
    await migrate(database)
    seeded = seed(database, members)
    schema = None
    if dsn is not None:
        schema = f"bench_{uuid.uuid4().hex[:8]}"
        await _copy_to_postgres(database, dsn, schema)
    async with FakeBotApi(global_per_second=rate) as server:
        for user in seeded.users:
            server.open_private_chat(user)
        overrides: dict[str, Any] = {"send_rate_per_second": rate}
        if dsn is not None:
            overrides["database_schema"] = schema
        bot = await start_bot(server, dsn or database, **overrides)  # type: ignore[arg-type]
        assert bot.services is not None
        others: list[asyncio.subprocess.Process] = []
        try:
            if workers > 1 and dsn is not None and schema is not None:
                while bot.db.term is None:  # type: ignore[union-attr]  # leading starts in the background
                    await asyncio.sleep(0.05)
                env = {**env_for(server), "KOORDINAT_DATABASE": dsn, "KOORDINAT_DATABASE_SCHEMA": schema,
                       "KOORDINAT_SEND_RATE_PER_SECOND": str(rate)}
                for n in range(1, workers):
                    other_log = tmp / f"latency-pg-{workers}-{n}.log"
                    others.append(await spawn("bot", env, other_log, "run"))
                    await _wait_line(other_log, "waiting to take over")
            services = bot.services
            broadcast_id = await services.broadcasts.create_broadcast("bench", seeded.group_ids[0], "bench")
            await services.broadcasts.send_to_group(broadcast_id, seeded.group_ids[0], {"tr": Reply(text="Toplantı duyurusu")})
            latencies = await measure_replies(server, random.Random(1).sample(seeded.users, writers), "/help")
        finally:
            for other in others:
                await stop(other)
            await bot.stop()
    if dsn is not None and schema is not None:
        await _drop(dsn, schema)
    return round(percentile(latencies, 0.95), 3)


async def _drop(dsn: str, schema: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


async def _postgres_available(dsn: str) -> str | None:
    """None when usable, else why not."""
    try:
        db = await Database.open(f"{dsn}?schema=bench_probe")
    except Exception as error:  # DatabaseUnavailable: asyncpg missing, server down…
        return str(error)
    await db.close()
    await _drop(dsn, "bench_probe")
    return None


async def main(updates: int, members: int, writers: int, dsn: str) -> None:
    result: dict[str, Any] = {"benchmark": "backends", "updates": updates, "members": members,
                              "writers": writers}
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "a").mkdir()
        sqlite_in = await inbound(updates, members, Path(tmp) / "a", None)
        sqlite_p95 = await reply_p95(members, writers, Path(tmp), None)
        result["sqlite"] = {**sqlite_in, "reply_p95": sqlite_p95, "ratio_updates": 1.0, "ratio_p95": 1.0}
        why = await _postgres_available(dsn)
        if why is None:
            for workers, name in ((1, "postgresql"), (2, "postgresql_2_workers")):
                folder = Path(tmp) / f"pg{workers}"
                folder.mkdir()
                pg_in = await inbound(updates, members, folder, dsn, workers=workers)
                pg_p95 = await reply_p95(members, writers, folder, dsn, workers=workers)
                result[name] = {**pg_in, "reply_p95": pg_p95, "workers": workers,
                                "ratio_updates": round(pg_in["updates_per_second"] / sqlite_in["updates_per_second"], 2),
                                "ratio_p95": round(pg_p95 / sqlite_p95, 2) if sqlite_p95 else None}
        else:
            result["postgresql"] = {"skipped": why}
    emit(result)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--members", type=int, default=250)
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--dsn", default=DEFAULT_DSN)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(args.updates, args.members, args.writers, args.dsn))
