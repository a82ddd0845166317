"""The outbox dispatcher: sends pending outbox rows through their channel, within its limits.

Two lanes. A reply to what a person just did (lane 0) takes the very next send slot the
platform allows; broadcasts and reminders (lane 1) use every other slot, so a 10,000-member
broadcast never makes anyone wait for the answer to her button press.

Limits (bot.ratelimit): overall messages/s, per private chat (with a small burst for
replies), per group chat (20/min). A `RetryAfter` pauses that chat and re-queues the row;
several in a short time pause the bulk lane. Network errors back off per row and per channel.
A person who blocked the bot is marked unreachable and never retried.

Exactly once, as far as the platform allows: a row is claimed ('sending') before it is sent
and marked 'sent' in the first commit after the platform answered. A send slot is freed only
after that commit, so at any moment at most `max_in_flight` rows have been handed to the
platform without being marked sent. After a crash (kill -9) those are the only rows that can
reach their person twice; every other claimed row was never handed over and is simply sent
at start-up. (Telegram has no idempotency key for sendMessage, so no design can close this
window completely: a message may be delivered while its answer is lost.)

On PostgreSQL only the schema's leader runs a dispatcher (so the rate limits live in one
process). Its claims are fenced by its leadership term, and each send by
`Database.still_leading()` (a ping confirmed within part of the lease, else one more ping):
a leader frozen past its lease, then woken, sends nothing — not even rows it claimed before.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pydantic import ValidationError

from bot.channels import Channel, PermanentFailure, RetryLater, TransientFailure, UnknownOutcome, Unreachable
from bot.models import Reply
from bot.ratelimit import ChannelLimits, RateLimits
from storage import members as members_repo
from storage import outbox as outbox_repo
from storage.db import Database, is_disk_full, urgent_writes

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10  # network errors; after that the row is 'failed'
MAX_UNKNOWN_RETRIES = 1  # a send whose outcome is unknown is tried once more, then 'failed'
# A throttled row (429 retry_after) is given up after this long since it was queued: a reply
# an hour late answers nothing; a notice may still matter for a few hours.
THROTTLE_LIMIT = {0: 15 * 60.0, 1: 6 * 3600.0}
CHANNEL_PAUSE_AFTER = 3  # distinct chats failing in a row = the platform itself is failing
CHANNEL_MISSING_DELAY = 60.0
KEEP_IN_MEMORY = 2.0  # a row whose chat frees up sooner waits in memory, else back in the table
RECHECK_EVERY = 1.0  # while busy, look for newly ready rows (e.g. retries) this often


@dataclass
class _Outcome:
    row: outbox_repo.OutboxRow
    lane: int
    status: str  # sent | part | retry | failed | unreachable
    message_id: str | None = None
    parts_sent: int = 0  # for 'part': messages of the split reply delivered so far
    retry_in: float = 0.0
    error: str | None = None
    holds_slot: bool = True  # False for rows put back before they were sent
    attempted: bool = True  # False when the platform refused before sending (429)


@dataclass
class DispatcherStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    unreachable: int = 0
    resumed: int = 0
    parts: int = 0  # messages of split replies sent before their last part
    bulk_pauses: int = 0
    by_lane: dict[int, int] = field(default_factory=lambda: {0: 0, 1: 0})


class OutboxDispatcher:
    """Delivers outbox rows; `kick()` after a commit wakes it."""

    def __init__(self, db: Database, channels: dict[str, Channel], now: Callable[[], float], *,
                 limits: RateLimits | dict[str, RateLimits] | None = None, max_in_flight: int = 8,
                 reply_reserve: int = 2, claim_batch: int = 32,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        if max_in_flight < 2 or not 0 < reply_reserve < max_in_flight:
            raise ValueError("need max_in_flight >= 2 and 0 < reply_reserve < max_in_flight")
        self._db = db
        self._channels = dict(channels)
        self._now = now
        self._monotonic = monotonic
        self._limits_config = limits if limits is not None else RateLimits()
        self._limits: dict[str, ChannelLimits] = {}
        self.max_in_flight = max_in_flight
        self._bulk_slots = max_in_flight - reply_reserve
        self._claim_batch = claim_batch
        self._replies: deque[outbox_repo.OutboxRow] = deque()
        self._bulk: deque[outbox_repo.OutboxRow] = deque()
        self._in_flight = 0
        self._bulk_in_flight = 0
        self._outcomes: list[_Outcome] = []
        self._outcome_ready = asyncio.Event()
        self._wake = asyncio.Event()
        self._kicked = True
        self._reply_dirty = True
        self._bulk_dirty = True
        self._last_recheck = 0.0
        self._channel_backoff: dict[str, tuple[int, float]] = {}  # name -> (failures, until)
        self._failing_chats: dict[str, set[str]] = {}  # channel -> chats failing since a success
        self._chat_backoff: dict[tuple[str, str], float] = {}  # (channel, address) -> until
        self._idle = asyncio.Event()
        self._stopping = False
        self._closing = False
        self._writes_failing = False  # outcomes could not be recorded: claim and start no bulk row
        self._task: asyncio.Task[None] | None = None
        self._writer: asyncio.Task[None] | None = None
        self._sends: set[asyncio.Task[None]] = set()
        self.stats = DispatcherStats()

    # --- wiring ------------------------------------------------------------------------------

    def add_channel(self, channel: Channel) -> None:
        self._channels[channel.name] = channel
        self.kick()

    def limits_for(self, channel: str) -> ChannelLimits:
        found = self._limits.get(channel)
        if found is None:
            config = self._limits_config
            if isinstance(config, dict):
                config = config.get(channel) or config.get("*") or RateLimits()
            found = self._limits[channel] = ChannelLimits(config)
        return found

    def kick(self) -> None:
        """New rows were committed (or time jumped): look again now."""
        self._kicked = True
        self._idle.clear()
        self._wake.set()

    def tasks(self) -> list[asyncio.Task[None]]:
        """The long-running tasks (the loop and the outcome writer), for supervision."""
        return [task for task in (self._task, self._writer) if task is not None]

    @property
    def in_flight(self) -> int:
        return self._in_flight

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        async with self._db.transaction() as tx:
            resumed = await outbox_repo.resume_in_flight(tx)
        if resumed:
            log.info("resuming %d messages left in flight", resumed)
        self.stats.resumed += resumed
        self._stopping = self._closing = False
        # A fresh context: these tasks must never see a transaction of whoever started them.
        empty = contextvars.Context()
        self._task = asyncio.create_task(self._run(), name="outbox-dispatcher", context=empty)
        self._writer = asyncio.create_task(self._record_outcomes(), name="outbox-writer",
                                           context=contextvars.Context())
        self.kick()

    async def stop(self, timeout: float = 5.0) -> None:
        """Stop claiming, let sends in flight finish and record them, put back the rest."""
        if self._task is None:
            return
        self._stopping = True
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None
        if self._sends:
            await asyncio.wait(set(self._sends), timeout=timeout)
        for send in list(self._sends):
            send.cancel()
        await asyncio.gather(*self._sends, return_exceptions=True)
        if self._writer is not None:
            self._closing = True  # the writer ends once every outcome is recorded
            self._outcome_ready.set()
            done, _ = await asyncio.wait({self._writer}, timeout=timeout)
            if not done:
                log.error("outbox: could not record the last outcomes within %.0f s", timeout)
                self._writer.cancel()
            self._writer = None
        unsent = [row.id for row in (*self._replies, *self._bulk)]
        self._replies.clear()
        self._bulk.clear()
        if unsent and self._db.term != -1:  # a fenced leader's rows belong to the new leader
            async with self._db.transaction() as tx:
                await outbox_repo.release_many(tx, unsent)

    async def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until nothing is ready to send and nothing is in flight (tests, demo)."""
        self.kick()
        async with asyncio.timeout(timeout):
            await self._idle.wait()

    # --- the loop ----------------------------------------------------------------------------

    async def _run(self) -> None:
        urgent_writes.set(True)  # claims go before queued updates (this task's own context)
        while not self._stopping:
            try:
                timeout = await self._step()
            except asyncio.CancelledError:
                raise
            except Exception as error:
                if not is_disk_full(error):  # a full disk is logged once per episode by the database
                    log.error("outbox dispatcher step failed (%s: %s); retrying in 1 s", type(error).__name__,
                              str(error).splitlines()[0] if str(error) else "", exc_info=log.isEnabledFor(logging.DEBUG))
                timeout = 1.0
            if timeout is None or timeout > 0:
                # asyncio.timeout, not wait_for: in 3.11 wait_for can swallow a cancellation
                # that arrives just as the event is set, and stop() would wait forever.
                try:
                    async with asyncio.timeout(timeout):
                        await self._wake.wait()
                except TimeoutError:
                    pass

    async def _step(self) -> float | None:
        """Claim and start what may go now; return how long to sleep (None: until kicked)."""
        self._wake.clear()
        if self._kicked:
            self._kicked = False
            self._reply_dirty = self._bulk_dirty = True
        mono = self._monotonic()
        if mono - self._last_recheck >= RECHECK_EVERY:
            self._last_recheck = mono
            self._reply_dirty = self._bulk_dirty = True
        await self._refill()
        wait = self._start_sends()
        if wait is None and (self._replies or self._bulk):
            wait = RECHECK_EVERY
        if not self._replies and not self._bulk:
            async with self._db.read() as conn:
                due = await outbox_repo.next_due(conn)
            if due is not None:
                until_due = max(0.0, due - self._now())
                if until_due == 0.0:
                    self._reply_dirty = self._bulk_dirty = True
                    return 0.0 if self._in_flight < self.max_in_flight else wait
                wait = until_due if wait is None else min(wait, until_due)
            if self._in_flight == 0 and not self._outcomes:
                self._idle.set()
        return wait

    async def _refill(self) -> None:
        """Claim ready rows. They are taken into memory only once the claim has committed: a
        row whose claim was rolled back (a full disk at COMMIT) is still 'pending' in the table
        and would be claimed — and sent — a second time. While outcomes cannot be written
        (`_writes_failing`), no bulk row is claimed: its "sent" mark could not be written either."""
        want_bulk = (self._bulk_dirty and len(self._bulk) < self._claim_batch // 2
                     and not self._writes_failing)
        if not self._reply_dirty and not want_bulk:
            return
        replies: list[outbox_repo.OutboxRow] = []
        bulk: list[outbox_repo.OutboxRow] = []
        async with self._db.transaction() as tx:
            now = self._now()
            if self._reply_dirty:
                replies = await outbox_repo.claim_ready(tx, now, 64, lane=outbox_repo.REPLY_LANE, term=self._db.term)
            if want_bulk:
                bulk = await outbox_repo.claim_ready(tx, now, self._claim_batch - len(self._bulk),
                                                     lane=outbox_repo.BULK_LANE, term=self._db.term)
            if bulk and self._db.dialect == "postgresql" and len(replies) < 64:
                # Each PostgreSQL statement sees what committed before it started: a reply
                # committed together with a notice claimed just now (after the reply claim)
                # is claimed too, so it goes out first (replies are started first).
                replies += await outbox_repo.claim_ready(tx, now, 64 - len(replies), lane=outbox_repo.REPLY_LANE,
                                                         term=self._db.term)
        if self._reply_dirty or replies:
            self._replies.extend(replies)
            self._reply_dirty = len(replies) == 64
        if want_bulk:
            self._bulk.extend(bulk)
            self._bulk_dirty = bool(bulk)

    def _start_sends(self) -> float | None:
        """Start every send allowed now, replies first. Returns 0 to loop at once, else the
        seconds until something may become possible, or None when only a kick can help."""
        wait: float | None = None
        deferred: list[tuple[outbox_repo.OutboxRow, float, str]] = []
        replies_hold_slot = False  # a reply waits for the next send slot: bulk must not take it

        def later(seconds: float) -> None:
            nonlocal wait
            wait = seconds if wait is None else min(wait, seconds)

        for queue, lane in ((self._replies, outbox_repo.REPLY_LANE), (self._bulk, outbox_repo.BULK_LANE)):
            blocked: set[tuple[str, str]] = set()  # keeps each chat's rows in order
            kept: deque[outbox_repo.OutboxRow] = deque()
            while queue:
                row = queue.popleft()
                mono = self._monotonic()
                chat_key = (row.channel, row.address)
                if chat_key in blocked:
                    kept.append(row)
                    continue
                channel = self._channels.get(row.channel)
                if channel is None:
                    deferred.append((row, CHANNEL_MISSING_DELAY, "channel not running"))
                    continue
                backoff = max(self._channel_wait(row.channel, mono),
                              self._chat_backoff.get(chat_key, 0.0) - mono)
                if backoff > KEEP_IN_MEMORY:  # that chat keeps failing: others go first
                    deferred.append((row, backoff, "chat backing off"))
                    blocked.add(chat_key)
                    continue
                if backoff > 0:
                    later(backoff)
                    kept.append(row)
                    blocked.add(chat_key)
                    continue
                limits = self.limits_for(row.channel)
                is_group = channel.is_group_chat(row.address)
                if lane == outbox_repo.BULK_LANE:
                    if self._writes_failing:  # its "sent" mark could not be written: hold it
                        kept.append(row)
                        break
                    if (replies_hold_slot or self._bulk_in_flight >= self._bulk_slots
                            or self._in_flight >= self.max_in_flight):
                        kept.append(row)
                        break  # a slot frees when an outcome is recorded (that wakes us)
                    paused = limits.bulk_delay(mono)
                    if paused > 0:
                        later(paused)
                        kept.append(row)
                        break
                elif self._in_flight >= self.max_in_flight:
                    kept.append(row)
                    replies_hold_slot = True
                    break
                chat_wait = limits.chat_delay(row.address, is_group, mono)
                if chat_wait > 0:
                    if chat_wait > KEEP_IN_MEMORY:
                        deferred.append((row, chat_wait, "chat rate limit"))
                    else:
                        kept.append(row)
                        blocked.add(chat_key)
                        later(chat_wait)
                    continue
                overall = limits.overall_delay(mono)
                if overall is None or overall > 0:
                    if overall is not None:
                        later(overall)  # else: an answer wakes us
                    kept.append(row)
                    if lane == outbox_repo.REPLY_LANE:
                        replies_hold_slot = True
                    break
                limits.record(row.address, is_group, mono)
                self._launch(row, lane, channel)
            kept.extend(queue)
            queue.clear()
            queue.extend(kept)
        if deferred:
            self._defer(deferred)
        return wait

    def _channel_wait(self, name: str, mono: float) -> float:
        failures, until = self._channel_backoff.get(name, (0, 0.0))
        return max(0.0, until - mono) if failures else 0.0

    def _defer(self, rows: list[tuple[outbox_repo.OutboxRow, float, str]]) -> None:
        """Rows that cannot go for a while go back to the table with a later `not_before`."""
        for row, seconds, reason in rows:
            self._outcomes.append(_Outcome(row, row.lane, "retry", retry_in=seconds, error=reason,
                                           holds_slot=False))
        self._outcome_ready.set()

    def _launch(self, row: outbox_repo.OutboxRow, lane: int, channel: Channel) -> None:
        self._in_flight += 1
        if lane == outbox_repo.BULK_LANE:
            self._bulk_in_flight += 1
        task = asyncio.create_task(self._send(row, lane, channel), name=f"outbox-send-{row.id}",
                                   context=contextvars.Context())
        self._sends.add(task)
        task.add_done_callback(self._sends.discard)

    async def _send(self, row: outbox_repo.OutboxRow, lane: int, channel: Channel) -> None:
        if not await self._db.still_leading():
            # PostgreSQL: this process lost the lead (it was frozen past its lease): the new
            # leader owns the row now. Nothing is sent and nothing recorded; the process stops.
            self._in_flight -= 1
            if lane == outbox_repo.BULK_LANE:
                self._bulk_in_flight -= 1
            self.limits_for(row.channel).answered(self._monotonic())
            return
        try:
            outcome = await self._deliver(row, lane, channel)
        finally:
            self.limits_for(row.channel).answered(self._monotonic())
            self._wake.set()
        self._outcomes.append(outcome)
        self._outcome_ready.set()

    async def _deliver(self, row: outbox_repo.OutboxRow, lane: int, channel: Channel) -> _Outcome:
        part: int | None = None
        try:
            reply = Reply.model_validate_json(row.payload)
            count_parts = getattr(channel, "parts", None)
            count = count_parts(reply) if count_parts is not None else 1
            if count > 1:  # one message of a split reply per send slot, each sent once
                part = min(row.parts_sent, count - 1)
                message_id = await channel.deliver(row.address, reply, part=part)  # type: ignore[call-arg]
                if part + 1 < count:
                    self._sent_ok(row)
                    return _Outcome(row, lane, "part", message_id=message_id, parts_sent=part + 1)
            else:
                message_id = await channel.deliver(row.address, reply)
        except ValidationError as error:
            log.error("outbox row %s (%s) has no valid message: %d errors", row.id, row.key,
                      error.error_count())
            outcome = _Outcome(row, lane, "failed", error="invalid payload")
        except RetryLater as error:
            waited = max(0.0, self._now() - row.created_at) if row.created_at else 0.0
            if waited + error.seconds > THROTTLE_LIMIT.get(lane, THROTTLE_LIMIT[1]):
                reason = f"gave up: throttled by the platform (retry_after) for {waited:.0f} s"
                log.error("outbox row %s (%s): %s", row.id, row.key, reason)
                return _Outcome(row, lane, "failed", error=reason)
            outcome = _Outcome(row, lane, "retry", retry_in=error.seconds,
                               error=f"retry_after {error.seconds:.0f} s", attempted=False)
            limits = self.limits_for(row.channel)
            if limits.retry_after(row.address, channel.is_group_chat(row.address), error.seconds,
                                  self._monotonic()):
                self.stats.bulk_pauses += 1
                log.warning("flood control: bulk sends on %s paused for %.0f s", row.channel, error.seconds)
        except Unreachable as error:
            outcome = _Outcome(row, lane, "unreachable", error=str(error)[:200])
        except PermanentFailure as error:
            log.error("outbox row %s (%s) rejected by %s: %s", row.id, row.key, row.channel, error)
            outcome = _Outcome(row, lane, "failed", error=str(error)[:200])
        except UnknownOutcome as error:
            outcome = self._unknown(row, lane, str(error))
        except TransientFailure as error:
            outcome = self._transient(row, lane, str(error))
        except asyncio.CancelledError:
            # Stopped mid-send: we cannot know whether it went out; leave the row 'sending' so
            # that start-up resends it (the same window as a crash, documented above).
            self._in_flight -= 1
            if lane == outbox_repo.BULK_LANE:
                self._bulk_in_flight -= 1
            raise
        except Exception as error:  # a bug in a channel adapter: keep the row, back off
            log.exception("outbox row %s: unexpected error from %s", row.id, row.channel)
            outcome = self._transient(row, lane, type(error).__name__)
        else:
            outcome = _Outcome(row, lane, "sent", message_id=message_id)
            self._sent_ok(row)
        return outcome

    def _sent_ok(self, row: outbox_repo.OutboxRow) -> None:
        self._channel_backoff.pop(row.channel, None)
        self._failing_chats.pop(row.channel, None)
        self._chat_backoff.pop((row.channel, row.address), None)

    def _chat_failed(self, row: outbox_repo.OutboxRow, delay: float) -> None:
        """Back off this chat only; pause the whole channel only when several different chats
        fail in a row (then the platform, not one chat, is the problem)."""
        self._chat_backoff[(row.channel, row.address)] = self._monotonic() + delay
        failing = self._failing_chats.setdefault(row.channel, set())
        failing.add(row.address)
        if len(failing) >= CHANNEL_PAUSE_AFTER:
            failures, _ = self._channel_backoff.get(row.channel, (0, 0.0))
            failures += 1
            pause = min(30.0, 0.25 * 2 ** min(failures, 8))
            self._channel_backoff[row.channel] = (failures, self._monotonic() + pause)

    def _unknown(self, row: outbox_repo.OutboxRow, lane: int, error: str) -> _Outcome:
        """The message may have arrived: one more try at most, never a silent loop."""
        if row.attempts > MAX_UNKNOWN_RETRIES:
            reason = f"outcome unknown after {row.attempts} attempts: {error}"[:200]
            log.error("outbox row %s (%s): %s", row.id, row.key, reason)
            return _Outcome(row, lane, "failed", error=reason)
        delay = 2.0 * 2 ** max(row.attempts - 1, 0) * random.uniform(0.8, 1.2)
        self._chat_failed(row, delay)
        log.warning("outbox row %s: outcome unknown (%s); one more try in %.1f s", row.id, error[:200], delay)
        return _Outcome(row, lane, "retry", retry_in=delay, error=f"outcome unknown: {error}"[:200])

    def _transient(self, row: outbox_repo.OutboxRow, lane: int, error: str) -> _Outcome:
        if row.attempts >= MAX_ATTEMPTS:
            log.error("outbox row %s (%s): giving up after %d attempts: %s", row.id, row.key,
                      row.attempts, error)
            return _Outcome(row, lane, "failed", error=error[:200])
        delay = min(300.0, 2.0 ** min(row.attempts, 8)) * random.uniform(0.8, 1.2)
        self._chat_failed(row, delay)
        log.warning("outbox row %s: %s; retrying in %.1f s", row.id, error[:200], delay)
        return _Outcome(row, lane, "retry", retry_in=delay, error=error[:200])

    # --- recording outcomes ------------------------------------------------------------------

    async def _record_outcomes(self) -> None:
        """Commit outcomes in batches (whatever finished during the previous commit), then free
        their send slots: until a sent row is committed as sent, its slot stays taken. The
        writes go before queued updates' (`urgent_writes`), so slots free up at the pace of
        the platform, not of the inbox's backlog."""
        urgent_writes.set(True)  # this task's own context (see start)
        while True:
            if not self._outcomes:
                if self._closing:
                    return
                await self._outcome_ready.wait()
                self._outcome_ready.clear()
                continue
            batch, self._outcomes = self._outcomes, []
            try:
                await self._commit(batch)
            except asyncio.CancelledError:
                self._outcomes[:0] = batch
                raise
            except Exception as error:
                # Kept in memory until they can be written: a sent row stays 'sending' in the
                # table (never claimed again) and bulk sends wait (`_writes_failing`).
                self._writes_failing = True
                if not is_disk_full(error):  # a full disk is logged once per episode by the database
                    log.error("could not record %d outbox outcomes (%s: %s); retrying", len(batch),
                              type(error).__name__, str(error).splitlines()[0] if str(error) else "")
                self._outcomes[:0] = batch
                await asyncio.sleep(0.5)
                self._outcome_ready.set()
                continue
            if self._writes_failing:
                self._writes_failing = False
                self.kick()  # bulk sends held while writes failed may go now
            for outcome in batch:
                if outcome.holds_slot:
                    self._in_flight -= 1
                    if outcome.lane == outbox_repo.BULK_LANE:
                        self._bulk_in_flight -= 1
            if any(outcome.status == "part" for outcome in batch):
                self.kick()  # the next part is ready now
            self._wake.set()

    async def _commit(self, batch: list[_Outcome]) -> None:
        now = self._now()
        moment = datetime.fromtimestamp(now, UTC)
        async with self._db.transaction() as tx:
            sent = [(o.row.id, o.message_id) for o in batch if o.status == "sent"]
            await outbox_repo.mark_sent_many(tx, sent, now)
            for outcome in batch:
                row = outcome.row
                if outcome.status == "part":
                    await outbox_repo.part_sent(tx, row.id, outcome.parts_sent)
                elif outcome.status == "retry":
                    await outbox_repo.release(tx, row.id, now + outcome.retry_in, outcome.error,
                                              attempted=outcome.holds_slot and outcome.attempted)
                elif outcome.status == "failed":
                    await outbox_repo.finish(tx, row.id, "failed", outcome.error)
                elif outcome.status == "unreachable":
                    await outbox_repo.finish(tx, row.id, "unreachable", outcome.error)
                    member_id = row.member_id
                    if member_id is None:
                        member = await members_repo.by_identity(tx, row.channel, row.address)
                        member_id = member.id if member is not None else None
                    if member_id is not None and await members_repo.mark_unreachable(tx, member_id, moment):
                        log.info("member %s is unreachable on %s", member_id, row.channel)
        for outcome in batch:
            if outcome.status == "part":
                self.stats.parts += 1
            elif outcome.status == "sent":
                self.stats.sent += 1
                self.stats.by_lane[outcome.lane] = self.stats.by_lane.get(outcome.lane, 0) + 1
            elif outcome.status == "retry":
                self.stats.retried += 1
            elif outcome.status == "failed":
                self.stats.failed += 1
            else:
                self.stats.unreachable += 1
