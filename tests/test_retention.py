"""Issue 8, item 6: the nightly slot deletes sent messages and finished reminders older than
KOORDINAT_RETENTION_DAYS, and coordinators still see the same delivery counts."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from bot.emulator.telegram.server import FakeBotApi
from bot.services.broadcasts import DeliveryCounts
from tests.harness import Harness
from tests.test_broadcasts import announcement, seed_group


async def count(harness: Harness, sql: str) -> int:
    row = await harness.services.db.fetchone(sql)
    assert row is not None
    return int(row[0])


async def test_old_sent_messages_and_reminders_are_pruned_nightly_keeping_the_counts(
        harness: Harness, telegram: FakeBotApi) -> None:
    services, clock = harness.services, harness.clock
    group = await seed_group(services.db, telegram, 5)
    telegram.block(group.users[4].id)
    await services.reminders.schedule("meeting:1:remind:1h", "notice", clock.now() + timedelta(minutes=1),
                                      announcement("Toplantı yarın", group.id))
    clock.advance(timedelta(minutes=1))
    for user in group.users[:4]:
        await telegram.wait_for_message(user)
    await harness.settle()
    broadcast_id = await services.broadcasts.notice_broadcast_id("meeting:1:remind:1h")
    assert broadcast_id is not None
    before = await services.broadcasts.delivery_counts(broadcast_id)
    assert before == DeliveryCounts(sent=4, unreachable=1)
    assert await count(harness, "SELECT COUNT(*) FROM reminders WHERE status = 'done' "
                                "AND key = 'meeting:1:remind:1h'") == 1

    # 30 days and 18 hours later it is 03:30 in Istanbul; the nightly slot runs at 04:00.
    clock.advance(timedelta(days=30, hours=18, minutes=30))
    await asyncio.sleep(0.3)
    await services.reminders.schedule("meeting:2:remind:1h", "notice", clock.now() + timedelta(days=2),
                                      announcement("Sonraki toplantı", group.id))
    recent = harness.person("Yeni")
    await harness.send(recent, "/help")  # a reply sent today: kept
    clock.advance(timedelta(hours=1))
    deadline = time.monotonic() + 5
    while await count(harness, "SELECT COUNT(*) FROM outbox WHERE status = 'sent' AND broadcast_id IS NOT NULL") \
            and time.monotonic() < deadline:
        await asyncio.sleep(0.1)

    assert await count(harness, "SELECT COUNT(*) FROM outbox WHERE status = 'sent' AND broadcast_id IS NOT NULL") == 0
    assert await count(harness, "SELECT COUNT(*) FROM outbox WHERE status = 'unreachable'") == 1  # names who missed it
    assert await count(harness, "SELECT COUNT(*) FROM outbox WHERE lane = 0 AND status = 'sent'") == 1
    assert await count(harness, "SELECT COUNT(*) FROM reminders WHERE key = 'meeting:1:remind:1h'") == 0
    assert await count(harness, "SELECT COUNT(*) FROM reminders WHERE key = 'meeting:2:remind:1h' "
                                "AND status = 'pending'") == 1
    assert await services.broadcasts.delivery_counts(broadcast_id) == before
    assert [m.display_name for m in await services.broadcasts.unreachable_members(broadcast_id)] == ["Üye 4"]
