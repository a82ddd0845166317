"""Broadcast pacing: N members through the fake Bot API with the overall limit set to R msg/s.

Measures wall time from queueing the broadcast until the last message reached the server,
divided by the ideal N/R (goal <= 1.05), and the sends over the limit in any 1-second window
as the fake server counts them (goal 0).

    python -m benchmarks.broadcast_pacing [--members 1000] [--rate 30]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
from pathlib import Path

from benchmarks._support import Stopwatch, emit, migrate, seed, start_bot
from bot.emulator.telegram.server import FakeBotApi
from bot.models import Reply


async def main(members: int, rate: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "bench.db"
        await migrate(database)
        seeded = seed(database, members)
        async with FakeBotApi(global_per_second=rate, record_calls=True) as server:
            for user in seeded.users:
                server.open_private_chat(user)
            bot = await start_bot(server, database, send_rate_per_second=rate)
            assert bot.services is not None
            services = bot.services
            try:
                clock = Stopwatch()
                broadcast_id = await services.broadcasts.create_broadcast("bench", seeded.group_ids[0], "bench")
                await services.broadcasts.send_to_group(broadcast_id, seeded.group_ids[0],
                                                        {"tr": Reply(text="Toplantı duyurusu")})
                queued = clock()
                await server.wait_for_calls("sendMessage", members, timeout=members / rate * 2 + 10)
                wall = clock()
                await services.dispatcher.wait_idle()
                counts = await services.broadcasts.delivery_counts(broadcast_id)
            finally:
                await bot.stop()
            violations = server.limit_violations()
    ideal = members / rate
    emit({
        "benchmark": "broadcast_pacing", "members": members, "limit_per_second": rate,
        "queued_seconds": round(queued, 3), "wall_seconds": round(wall, 3), "ideal_seconds": round(ideal, 3),
        "broadcast_ratio": round(wall / ideal, 4), "goal_ratio": 1.05,
        "violations": violations.global_per_second, "per_chat_violations": violations.per_chat_per_second,
        "goal_violations": 0, "sent": counts.sent,
        "ok": wall / ideal <= 1.05 and violations.global_per_second == 0 and counts.sent == members,
    })


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--rate", type=int, default=30)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(args.members, args.rate))
