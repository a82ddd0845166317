"""The transactional inbox: every inbound update is stored before the platform is told it
arrived, then processed exactly once.

1. A channel adapter hands raw updates to `InboundQueue.store`, which commits them to the
   `inbound_updates` table; only then does the adapter acknowledge them (the next getUpdates
   offset, the webhook's 200). A crash after that point loses nothing: the rows are there.
2. The queue processes stored updates in arrival order per chat (one chat's updates one after
   the other, different chats concurrently) by calling the adapter's `process(payload)`.
   On PostgreSQL with several workers, `ClaimingInboundQueue` does this instead: each update
   is claimed from the table in the transaction that processes it (per-chat order across
   processes; chosen by `inbound_queue`).
3. `Inbox.handle` runs an update's action: its effects, its replies (as outbox rows), its
   `processed_updates` row and the removal of its stored raw update commit in one transaction,
   so a redelivered or re-processed update (after a kill -9) changes nothing and is answered once.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from bot.channels import Notifier
from bot.models import Actor, Reply
from storage import quarantine as quarantine_repo
from storage import updates as updates_repo
from storage.db import Database, classify, is_disk_full

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
        self._db.after_commit(self._on_commit)  # inside a claim's transaction (PostgreSQL): once it commits
        return True


class _StoredUpdates:
    """What both inbound queues share: storing raw updates before they are acknowledged, the
    disk-full path, and the task supervision watches. Subclasses set `_db`, `channel`, `_now`,
    `_process`, `_task` and define `wake()`."""

    _db: Database
    channel: str
    _now: Callable[[], float]
    _process: Callable[[str, str], Awaitable[None]]
    _task: asyncio.Task[None] | None

    def wake(self) -> None:
        raise NotImplementedError

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


class InboundQueue(_StoredUpdates):
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


MAX_FAILED_CLAIMS = 3  # transactions of one update that failed before it is quarantined
CLAIMERS = 8  # chats one process serves at once on PostgreSQL (each holds a pooled connection)


class ClaimingInboundQueue(_StoredUpdates):
    """The inbound queue of one channel when several processes share the database (PostgreSQL).

    The same interface as `InboundQueue` (`store`, `start`, `stop`, `wake`, `wait_idle`), but
    nothing is kept in memory: each of `concurrency` claimers opens a transaction, claims the
    oldest stored update of a chat nobody is working on (`storage.updates.claim_next_inbound`:
    `FOR UPDATE SKIP LOCKED`, only a chat's oldest row), runs the adapter's `process` for it
    inside that transaction — `Inbox.handle` joins it as a savepoint, so its effects, its
    replies and the removal of the raw update commit together with the claim — and commits.
    Per-chat order holds across processes, no update is processed twice, and a process killed
    mid-update leaves its row (the transaction rolls back) to the next claim, here or in
    another worker. A transaction that fails (a deadlock broken by the server, a lost
    connection) leaves the row for another try; after `MAX_FAILED_CLAIMS` the update is moved
    to the quarantine (`koordinat quarantine`), so one bad update cannot stop its chat.

    Woken by `wake()`: after a local `store`, and through LISTEN/NOTIFY when any process stores
    rows (migration 032); it also looks every `RESCAN_EVERY` seconds.
    """

    def __init__(self, db: Database, channel: str, now: Callable[[], float],
                 process: Callable[[str, str], Awaitable[None]], *, concurrency: int = CLAIMERS) -> None:
        self._db = db
        self.channel = channel
        self._now = now
        self._process = process
        self._concurrency = concurrency
        self._sleepers: deque[asyncio.Event] = deque()  # claimers that found nothing, waiting
        self._missed = False  # woken while no claimer slept: the next one to find nothing looks again
        self._idle = asyncio.Event()
        self._failures: dict[int, int] = {}  # row id -> failed transactions
        self._task: asyncio.Task[None] | None = None
        self.processed = 0

    def wake(self) -> None:
        """Stored rows may be waiting (here or from another process): one sleeping claimer
        looks now (each one that finds something wakes the next, up to `concurrency`)."""
        self._idle.clear()
        self._wake_one()

    async def start(self) -> None:
        """Start the claimers: what is stored (by any process) is processed, then what arrives."""
        self._task = asyncio.create_task(self._run(), name=f"inbox-{self.channel}",
                                         context=contextvars.Context())
        self.wake()

    async def stop(self, timeout: float = 5.0) -> None:
        """Stop claiming; an update being processed finishes within `timeout` or rolls back
        (its row stays stored for the next claim)."""
        if self._task is None:
            return
        task, self._task = self._task, None
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    async def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until no claimer finds anything to take (tests, benchmarks)."""
        async with asyncio.timeout(timeout):
            await self._idle.wait()

    async def _run(self) -> None:
        claimers = [asyncio.create_task(self._claimer(), name=f"inbox-{self.channel}-{n}")
                    for n in range(self._concurrency)]
        try:
            await asyncio.gather(*claimers)
        finally:
            for claimer in claimers:
                claimer.cancel()
            await asyncio.gather(*claimers, return_exceptions=True)

    async def _claimer(self) -> None:
        while True:
            self._missed = False
            try:
                took = await self._take_one()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the claim itself failed (a lost connection, a full disk)
                if not self._storage_error(error):
                    raise  # a bug: the task ends, the supervisor stops the process
                if not is_disk_full(error):
                    log.error("inbox: could not claim stored updates: %s: %s", type(error).__name__, error)
                await asyncio.sleep(1.0)
                continue
            if took:
                self._wake_one()  # there may be more: let one more claimer look
                continue
            if self._missed:  # woken while this claim was looking: look again
                continue
            sleeper = asyncio.Event()
            self._sleepers.append(sleeper)
            if len(self._sleepers) == self._concurrency:
                self._idle.set()
            # A timer sets the event rather than asyncio.timeout cancelling the wait: on 3.11 a
            # timeout that expires as the event is set (many at once after a frozen process
            # wakes) leaves a cancellation pending that would hit the next claim's transaction.
            timer = asyncio.get_running_loop().call_later(RESCAN_EVERY, sleeper.set)
            try:
                await sleeper.wait()
            finally:
                timer.cancel()
                if sleeper in self._sleepers:
                    self._sleepers.remove(sleeper)

    def _wake_one(self) -> None:
        if self._sleepers:
            self._sleepers.popleft().set()
        else:
            self._missed = True

    async def _take_one(self) -> bool:
        """Claim and process one update in one transaction; False when none could be claimed."""
        claimed: tuple[int, str, str, str] | None = None
        try:
            async with self._db.transaction() as tx:
                claimed = await updates_repo.claim_next_inbound(tx, self.channel)
                if claimed is None:
                    return False
                row_id, update_id, chat_key, payload = claimed
                if self._failures.get(row_id, 0) >= MAX_FAILED_CLAIMS:
                    await self._quarantine(tx, claimed)
                    return True
                current = self._schedule(update_id, chat_key, payload)
                token = _processing.set(current)
                try:
                    await self._process(update_id, payload)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("inbox: update %s could not be processed", update_id)
                finally:
                    _processing.reset(token)
                if not current[1]:  # no handler removed it in its transaction (no effects, or it failed)
                    await updates_repo.finish_inbound_row(tx, row_id)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            if claimed is None or not self._storage_error(error):
                raise  # a bug: the task ends, the supervisor stops the process (bot.supervision)
            failures = self._failures[claimed[0]] = self._failures.get(claimed[0], 0) + 1
            if not is_disk_full(error):
                log.warning("inbox: update %s rolled back (%s: %s); attempt %d of %d", claimed[1],
                            type(error).__name__, str(error).splitlines()[0] if str(error) else "",
                            failures, MAX_FAILED_CLAIMS)
            return True
        self._failures.pop(claimed[0], None)
        self.processed += 1
        return True

    def _schedule(self, update_id: str, chat_key: str, payload: str) -> list[object]:
        """The claimed update is about to run in this task: its `[update_id, removed]` marker
        (`Inbox.handle` sets `removed` when its transaction deleted the raw update)."""
        return [update_id, False]

    def _storage_error(self, error: BaseException) -> bool:
        """A database error (the claim's transaction failed), not a bug in this queue."""
        return isinstance(error, self._db.driver_errors) or classify(error) is not None

    async def _quarantine(self, tx: object, claimed: tuple[int, str, str, str]) -> None:
        row_id, update_id, chat_key, payload = claimed
        try:
            text = json.dumps(json.loads(payload))  # the quarantine keeps ASCII JSON
        except ValueError:
            text = json.dumps(payload)
        reason = f"processing failed {MAX_FAILED_CLAIMS} times"
        await quarantine_repo.keep(tx, self.channel, update_id, chat_key, reason, text,  # type: ignore[arg-type]
                                   self._now())
        await updates_repo.finish_inbound_row(tx, row_id)  # type: ignore[arg-type]
        self._failures.pop(row_id, None)
        log.error("inbox: quarantined %s update %s: %s", self.channel, update_id, reason)


def inbound_queue(db: Database, channel: str, now: Callable[[], float],
                  process: Callable[[str, str], Awaitable[None]]) -> InboundQueue | ClaimingInboundQueue:
    """The inbound queue the database calls for: in memory on SQLite (one process per file:
    the fastest), claimed row by row on PostgreSQL (several workers share the schema)."""
    if db.dialect == "postgresql":
        return ClaimingInboundQueue(db, channel, now, process)
    return InboundQueue(db, channel, now, process)
