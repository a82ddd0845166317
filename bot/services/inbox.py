"""Each inbound update once: its effects, its replies (as outbox rows) and its
`processed_updates` row commit in one transaction; a redelivered update changes nothing."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.channels import Notifier
from bot.models import Actor, Reply
from storage import updates as updates_repo
from storage.db import Database

log = logging.getLogger(__name__)


class Inbox:
    def __init__(self, db: Database, notifier: Notifier, now: Callable[[], float],
                 on_commit: Callable[[], None]) -> None:
        self._db = db
        self._notifier = notifier
        self._now = now
        self._on_commit = on_commit

    async def handle(self, actor: Actor, update_id: str,
                     action: Callable[[], Awaitable[list[Reply]]]) -> bool:
        """Run `action` for this update unless it was processed before; True if it ran."""
        async with self._db.transaction() as tx:
            if not await updates_repo.claim(tx, actor.channel, update_id, self._now()):
                log.info("skipping redelivered %s update %s", actor.channel, update_id)
                return False
            replies = await action()
            for index, reply in enumerate(replies):
                await self._notifier.reply_to(tx, actor, reply, f"reply:{actor.channel}:{update_id}:{index}")
        self._on_commit()
        return True
