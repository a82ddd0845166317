"""The retention policy: nightly, delete what is no longer needed (docs/architecture.md, timed messages).

- outbox rows sent (or failed, dropped) more than `KOORDINAT_RETENTION_DAYS` ago (default 30),
  after adding them to the per-broadcast delivery counts coordinators see;
- reminders finished (done, cancelled, dropped) that long ago;
- processed-update ids older than any redelivery (Telegram keeps updates 24 hours).
Without it one 1,000-member group meeting weekly grows the database by about 160 MB a year.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.clock import utc_timestamp
from storage import outbox as outbox_repo
from storage import quarantine as quarantine_repo
from storage import reminders as reminders_repo
from storage import updates as updates_repo
from storage.db import Database

log = logging.getLogger(__name__)

UPDATE_MEMORY = timedelta(days=7)


class Retention:
    """`run(reminder, now)` is the handler of the nightly recurring slot."""

    def __init__(self, db: Database, days: int) -> None:
        self._db = db
        self.keep = timedelta(days=days)

    async def run(self, _reminder: object, now: datetime) -> tuple[int, int]:
        """Prune; returns (outbox rows, reminders) deleted."""
        cutoff = utc_timestamp(now - self.keep)
        async with self._db.transaction() as tx:
            await updates_repo.forget_older_than(tx, utc_timestamp(now - UPDATE_MEMORY))
            rows = await outbox_repo.prune_finished(tx, cutoff)
            reminders = await reminders_repo.prune_finished(tx, cutoff)
            await quarantine_repo.forget_older_than(tx, cutoff)  # raw updates hold message text
        if rows or reminders:
            log.info("retention: deleted %d sent messages and %d finished reminders older than %d days",
                     rows, reminders, self.keep.days)
        return rows, reminders
