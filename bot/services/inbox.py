"""The transactional inbox: every inbound update is stored before the platform is told it
arrived, then processed exactly once.

1. A channel adapter hands raw updates to `InboundQueue.store`, which commits them to the
   `inbound_updates` table; only then does the adapter acknowledge them (the next getUpdates
   offset, the webhook's 200). A crash after that point loses nothing: the rows are there.
2. The queue processes stored updates in arrival order per chat (one chat's updates one after
   the other, different chats concurrently) by calling the adapter's `process(payload)`.
3. `Inbox.handle` runs an update's action: its effects, its replies (as outbox rows), its
   `processed_updates` row and the removal of its stored raw update commit in one transaction,
   so a redelivered or re-processed update (after a kill -9) changes nothing and is answered once.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable

from bot.channels import Notifier
from bot.models import Actor, Reply
from storage import updates as updates_repo
from storage.db import Database, is_disk_full

log = logging.getLogger(__name__)

# The update the current task is processing, `[update_id, removed]`: `Inbox.handle` sets
# `removed` when its own transaction deleted the raw update, so the queue does not issue the
# same DELETE a second time (issue 24: one statement per update, not two).
_processing: contextvars.ContextVar[list[object] | None] = contextvars.ContextVar("inbox_processing",
                                                                                  default=None)

MAX_SCHEDULED = 1000  # stored updates taken into memory at once (after an outage: many more)
FETCH = 500
RESCAN_EVERY = 5.0  # seconds between looks at the table when nothing woke the queue


class Inbox:
    """Runs one update's action exactly once (see the module docstring, step 3)."""

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
            await updates_repo.finish_inbound(tx, actor.channel, [update_id])
        current = _processing.get()
        if current is not None and current[0] == update_id:
            current[1] = True  # committed: the queue has nothing left to remove
        self._on_commit()
        return True


class InboundQueue:
    """Stored updates of one channel, processed in order per chat (module docstring, 1–2).

    `process(update_id, payload)` is the adapter's handler for one raw update (JSON text); it
    must not raise for a bad update (the adapter's error handler answers the person).
    `concurrency` bounds how many chats are served at once.
    """

    def __init__(self, db: Database, channel: str, now: Callable[[], float],
                 process: Callable[[str, str], Awaitable[None]], *, concurrency: int = 32) -> None:
        self._db = db
        self.channel = channel
        self._now = now
        self._process = process
        self._slots = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._last_id = 0  # the highest stored row already handed to a chat's chain
        self._chains: dict[str, asyncio.Task[None]] = {}
        self._running: set[asyncio.Task[None]] = set()
        self._done: list[str] = []
        self._task: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self.processed = 0

    async def store(self, items: list[tuple[str, str, str]]) -> int:
        """Commit raw updates `(update_id, chat_key, payload JSON)`; the caller acknowledges
        them to the platform only after this returns. Returns how many were new."""
        if not items:
            return 0
        async with self._db.transaction() as tx:
            added = await updates_repo.store_inbound(tx, self.channel, items, self._now())
        self.wake()
        return added

    async def process_unstored(self, items: list[tuple[str, str, str]]) -> None:
        """Process updates that could not be stored (the disk is full): their handlers run and
        fail like any write, and the person is told her input was not saved, instead of the
        bot going silent while the platform redelivers them forever."""
        for update_id, _, payload in items:
            try:
                await self._process(update_id, payload)
            except Exception:
                log.exception("inbox: update %s could not be processed", update_id)

    @property
    def task(self) -> asyncio.Task[None] | None:
        """The worker that takes stored updates, for supervision."""
        return self._task

    def wake(self) -> None:
        self._idle.clear()
        self._wake.set()

    async def start(self) -> None:
        """Process what a previous run stored but did not finish, then whatever arrives."""
        self._task = asyncio.create_task(self._run(), name=f"inbox-{self.channel}",
                                         context=contextvars.Context())
        self.wake()

    async def stop(self, timeout: float = 5.0) -> None:
        """Stop taking stored updates; let those being processed finish (the rest stay stored)."""
        if self._task is None:
            return
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None
        running = set(self._running)
        if running:
            _, pending = await asyncio.wait(running, timeout=timeout)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        await self._flush_done()

    async def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until every stored update has been processed (tests, benchmarks)."""
        async with asyncio.timeout(timeout):
            await self._idle.wait()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            if len(self._running) >= MAX_SCHEDULED:  # a long backlog: hold the rest in the table
                await self._wake.wait()
                continue
            try:
                rows = await self._fetch()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # a database error: the watchdog decides what is fatal
                if not is_disk_full(error):  # logged once per episode by the database
                    log.error("inbox: could not read stored updates: %s: %s", type(error).__name__, error)
                await asyncio.sleep(1.0)
                continue
            for row_id, update_id, chat_key, payload in rows:
                self._last_id = row_id
                self._schedule(update_id, chat_key, payload)
            if len(rows) == FETCH:
                continue
            await self._flush_done()
            if not self._running and not rows:
                self._idle.set()
            try:  # also look now and then: `koordinat quarantine retry` puts rows back from outside
                async with asyncio.timeout(RESCAN_EVERY):
                    await self._wake.wait()
            except TimeoutError:
                pass

    async def _fetch(self) -> list[tuple[int, str, str, str]]:
        async with self._db.read() as conn:
            return await updates_repo.pending_inbound(conn, self.channel, self._last_id, FETCH)

    def _schedule(self, update_id: str, chat_key: str, payload: str) -> None:
        previous = self._chains.get(chat_key)
        task = asyncio.create_task(self._one(previous, update_id, payload), context=contextvars.Context())
        self._chains[chat_key] = task
        self._running.add(task)

        def finished(done: asyncio.Task[None]) -> None:
            self._running.discard(done)
            if self._chains.get(chat_key) is done:
                del self._chains[chat_key]
            self.wake()

        task.add_done_callback(finished)

    async def _one(self, previous: asyncio.Task[None] | None, update_id: str, payload: str) -> None:
        if previous is not None:
            await asyncio.gather(previous, return_exceptions=True)  # this chat's earlier update first
        current: list[object] = [update_id, False]
        _processing.set(current)  # this task runs in a context of its own (see _schedule)
        async with self._slots:
            try:
                await self._process(update_id, payload)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("inbox: update %s could not be processed", update_id)
        if not current[1]:  # no handler removed it in its transaction (no effects, or it failed)
            self._done.append(update_id)
        self.processed += 1

    async def _flush_done(self) -> None:
        """Remove processed raw updates (those with effects were removed in their own
        transaction already; this catches updates no handler took)."""
        if not self._done:
            return
        done, self._done = self._done, []
        try:
            async with self._db.transaction() as tx:
                await updates_repo.finish_inbound(tx, self.channel, done)
        except Exception as error:
            self._done[:0] = done
            if not is_disk_full(error):  # logged once per episode by the database
                log.error("inbox: could not record processed updates: %s: %s", type(error).__name__, error)
