"""Reply latency during a 1,000-member broadcast: Koordinat vs. a plain PTB bot with
`AIORateLimiter`, measured in the same run against the fake Bot API.

Both bots send a 1,000-member broadcast at the same overall limit (R msg/s) while members
write to them (one message each, spread over the first seconds of the broadcast). Latency is
the time from the member's message to the bot's answer reaching the server.

- Koordinat: the broadcast is queued in the outbox; replies take the reply lane.
- Plain bot: `ApplicationBuilder().rate_limiter(AIORateLimiter(overall_max_rate=R))`, updates
  handled concurrently, the broadcast sent 300 messages at a time with `asyncio.gather` (the
  anchor of issue 3: replies wait FIFO behind up to 300 queued sends, 4-9 s).

Goal: Koordinat's p95 < 0.5 s.

    python -m benchmarks.reply_latency [--members 1000] [--rate 30] [--writers 30]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from benchmarks._support import TOKEN, emit, migrate, percentile, seed, start_bot
from bot.emulator.telegram.server import FakeBotApi, FakeUser
from bot.models import Reply

BROADCAST_TEXT = "Toplantı duyurusu"
WRITE_WINDOW = 9.0  # members write during these first seconds of the broadcast


async def measure_replies(server: FakeBotApi, writers: list[FakeUser], text: str) -> list[float]:
    """Each writer sends `text` at her moment; returns the seconds until each got an answer."""
    rng = random.Random(7)
    moments = sorted(rng.uniform(0.5, WRITE_WINDOW) for _ in writers)
    sent_at: dict[int, float] = {}
    start = time.monotonic()

    async def write(user: FakeUser, moment: float) -> None:
        await asyncio.sleep(max(0.0, start + moment - time.monotonic()))
        sent_at[user.id] = time.monotonic()
        await server.send_text(user, text)

    await asyncio.gather(*(write(u, m) for u, m in zip(writers, moments, strict=True)))

    def answers() -> dict[int, float]:
        found: dict[int, float] = {}
        for call in server.calls:
            chat = call.chat_id
            if (call.method == "sendMessage" and call.ok and chat in sent_at and chat not in found
                    and call.params.get("text") != BROADCAST_TEXT and call.at >= sent_at[chat]):
                found[chat] = call.at
        return found

    await server.wait_until(lambda: len(answers()) == len(writers), timeout=60, what="every answer")
    got = answers()
    return [got[u.id] - sent_at[u.id] for u in writers]


async def koordinat(members: int, rate: int, writers: int, tmp: Path) -> tuple[list[float], int]:
    database = tmp / "koordinat.db"
    await migrate(database)
    seeded = seed(database, members)
    async with FakeBotApi(global_per_second=rate) as server:
        for user in seeded.users:
            server.open_private_chat(user)
        bot = await start_bot(server, database, send_rate_per_second=rate)
        assert bot.services is not None
        services = bot.services
        try:
            broadcast_id = await services.broadcasts.create_broadcast("bench", seeded.group_ids[0], "bench")
            await services.broadcasts.send_to_group(broadcast_id, seeded.group_ids[0],
                                                    {"tr": Reply(text=BROADCAST_TEXT)})
            chosen = random.Random(1).sample(seeded.users, writers)
            latencies = await measure_replies(server, chosen, "/help")
            still_pending = (await services.broadcasts.delivery_counts(broadcast_id)).pending
        finally:
            await bot.stop()
        return latencies, still_pending


async def plain_ptb(members: int, rate: int, writers: int) -> tuple[list[float], int]:
    users = [FakeUser(300_000 + i, f"Üye {i}") for i in range(members)]
    async with FakeBotApi(global_per_second=rate) as server:
        for user in users:
            server.open_private_chat(user)

        async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            """Answer every message (as a /help reply would)."""
            assert update.effective_message is not None
            await update.effective_message.reply_text("Komutlar: /yardim")

        app: Application = (  # type: ignore[type-arg]
            ApplicationBuilder().token(TOKEN).base_url(server.base_url).base_file_url(server.file_base_url)
            .rate_limiter(AIORateLimiter(overall_max_rate=rate, overall_time_period=1, max_retries=0))
            .concurrent_updates(True).build())
        app.add_handler(MessageHandler(filters.TEXT, answer))
        await app.initialize()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=10)
        await app.start()

        async def broadcast() -> None:
            for start in range(0, members, 300):
                await asyncio.gather(*(app.bot.send_message(u.id, BROADCAST_TEXT) for u in users[start:start + 300]))

        sending = asyncio.create_task(broadcast())
        try:
            chosen = random.Random(1).sample(users, writers)
            latencies = await measure_replies(server, chosen, "yardım")
            delivered = sum(1 for c in server.calls if c.method == "sendMessage" and c.params.get("text") == BROADCAST_TEXT)
        finally:
            sending.cancel()
            await asyncio.gather(sending, return_exceptions=True)
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
        return latencies, members - delivered


def summary(latencies: list[float]) -> dict[str, Any]:
    return {"p50": round(percentile(latencies, 0.5), 3), "p95": round(percentile(latencies, 0.95), 3),
            "max": round(max(latencies), 3)}


async def main(members: int, rate: int, writers: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ours, ours_pending = await koordinat(members, rate, writers, Path(tmp))
    plain, plain_pending = await plain_ptb(members, rate, writers)
    result = {
        "benchmark": "reply_latency", "members": members, "limit_per_second": rate, "writers": writers,
        "koordinat": {**summary(ours), "broadcast_still_pending": ours_pending},
        "plain_ptb_aioratelimiter": {**summary(plain), "broadcast_still_pending": plain_pending},
        "p95_seconds": round(percentile(ours, 0.95), 3), "goal_p95_seconds": 0.5,
        "plain_p95_seconds": round(percentile(plain, 0.95), 3),
        "speedup_p95": round(percentile(plain, 0.95) / max(percentile(ours, 0.95), 1e-6), 1),
    }
    result["ok"] = result["p95_seconds"] < 0.5
    emit(result)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--rate", type=int, default=30)
    parser.add_argument("--writers", type=int, default=30)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(args.members, args.rate, args.writers))
