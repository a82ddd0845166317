"""The outbox dispatcher: sends pending outbox rows through their channel.

(First version: sends in order, replies first, with retries. Pacing per platform limits is
added by the rate-limited dispatcher.)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bot.channels import Channel, PermanentFailure, RetryLater, TransientFailure, Unreachable
from bot.models import Reply
from storage import members as members_repo
from storage import outbox as outbox_repo
from storage.db import Database

log = logging.getLogger(__name__)


class OutboxDispatcher:
    """Delivers outbox rows; `kick()` after a commit wakes it."""

    def __init__(self, db: Database, channels: dict[str, Channel], now: Callable[[], float]) -> None:
        self._db = db
        self._channels = channels
        self._now = now
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()

    def add_channel(self, channel: Channel) -> None:
        self._channels[channel.name] = channel

    def kick(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        async with self._db.transaction() as tx:
            resumed = await outbox_repo.resume_in_flight(tx)
        if resumed:
            log.info("resuming %d messages left in flight", resumed)
        self._task = asyncio.create_task(self._run(), name="outbox-dispatcher")
        self.kick()

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    async def _run(self) -> None:
        while True:
            self._idle.clear()
            sent_any = await self._send_batch()
            if sent_any:
                continue
            self._idle.set()
            async with self._db.read() as conn:
                next_due = await outbox_repo.next_due(conn)
            timeout = None if next_due is None else max(0.05, next_due - self._now())
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
            except TimeoutError:
                pass
            self._wake.clear()

    async def _send_batch(self) -> bool:
        async with self._db.transaction() as tx:
            rows = await outbox_repo.claim_ready(tx, self._now(), limit=50)
        for row in rows:
            await self._send(row)
        return bool(rows)

    async def _send(self, row: outbox_repo.OutboxRow) -> None:
        channel = self._channels.get(row.channel)
        if channel is None:
            async with self._db.transaction() as tx:
                await outbox_repo.release(tx, row.id, self._now() + 60, "channel not running")
            return
        try:
            message_id = await channel.deliver(row.address, Reply.model_validate_json(row.payload))
        except RetryLater as error:
            async with self._db.transaction() as tx:
                await outbox_repo.release(tx, row.id, self._now() + error.seconds, "retry_after")
        except Unreachable as error:
            async with self._db.transaction() as tx:
                await outbox_repo.finish(tx, row.id, "unreachable", str(error))
                if row.member_id is not None:
                    from datetime import UTC, datetime
                    await members_repo.mark_unreachable(tx, row.member_id, datetime.fromtimestamp(self._now(), UTC))
        except PermanentFailure as error:
            log.error("outbox row %s rejected: %s", row.id, error)
            async with self._db.transaction() as tx:
                await outbox_repo.finish(tx, row.id, "failed", str(error))
        except TransientFailure as error:
            delay = min(300.0, 2.0 ** min(row.attempts, 8))
            async with self._db.transaction() as tx:
                await outbox_repo.release(tx, row.id, self._now() + delay, str(error))
        else:
            async with self._db.transaction() as tx:
                await outbox_repo.mark_sent(tx, row.id, self._now(), message_id)

    async def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until nothing is due (tests, demo)."""
        await asyncio.sleep(0)
        await asyncio.wait_for(self._idle.wait(), timeout)
