"""Pending updates: handed out by getUpdates (long polling) or posted to a webhook."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import aiohttp

from bot.emulator.telegram.validation import ApiError

JSON = dict[str, Any]
log = logging.getLogger(__name__)

# What Telegram sends when allowed_updates was never set (or set to []).
DEFAULT_UPDATE_TYPES = frozenset({
    "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages",
    "inline_query", "chosen_inline_result", "callback_query", "shipping_query",
    "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer", "my_chat_member",
    "chat_join_request", "chat_boost", "removed_chat_boost",
})


class ChangeSignal:
    """Wakes every waiter on the next change; costs nothing while nobody waits."""

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None

    def notify(self) -> None:
        if self._event is not None:
            self._event.set()
            self._event = None

    async def wait(self, timeout: float | None) -> bool:
        """Wait for the next notify(); False on timeout."""
        if self._event is None:
            self._event = asyncio.Event()
        event = self._event
        if timeout is None:
            await event.wait()
            return True
        if timeout <= 0:
            return False
        try:
            async with asyncio.timeout(timeout):
                await event.wait()
        except TimeoutError:
            return False
        return True


def update_type(update: JSON) -> str:
    return next((key for key in update if key != "update_id"), "")


class UpdateQueue:
    """Updates not yet confirmed by the bot, in update_id order."""

    def __init__(self, first_update_id: int = 1) -> None:
        self._pending: deque[JSON] = deque()
        self._next_id = first_update_id
        self.allowed: frozenset[str] = DEFAULT_UPDATE_TYPES
        self.changed = ChangeSignal()
        self._poll_generation = 0
        self.closed = False

    def __len__(self) -> int:
        return len(self._pending)

    def push(self, update: JSON) -> int:
        """Queue an update (without update_id); returns the update_id given to it."""
        update_id = self._next_id
        self._next_id += 1
        self._pending.append({"update_id": update_id, **update})
        self.changed.notify()
        return update_id

    def set_allowed(self, allowed: Any) -> None:
        """Remember allowed_updates like Telegram does (None keeps the previous setting)."""
        if allowed is None:
            return
        if not isinstance(allowed, list):
            raise ApiError(400, "Bad Request: can't parse allowed updates JSON object")
        self.allowed = frozenset(allowed) if allowed else DEFAULT_UPDATE_TYPES

    def confirm(self, offset: int) -> None:
        """Forget updates below `offset`; a negative offset keeps only the last -offset ones."""
        pending = self._pending
        if offset < 0:
            while len(pending) > -offset:
                pending.popleft()
            return
        while pending and pending[0]["update_id"] < offset:
            pending.popleft()

    def drop_all(self) -> None:
        self._pending.clear()

    def take(self, limit: int) -> list[JSON]:
        """Up to `limit` pending updates of allowed types; disallowed ones are dropped."""
        out: list[JSON] = []
        kept: list[JSON] = []
        while self._pending and len(out) < limit:
            update = self._pending.popleft()
            if update_type(update) in self.allowed:
                out.append(update)
                kept.append(update)
        self._pending.extendleft(reversed(kept))  # they stay until confirmed by offset
        return out

    async def poll(self, offset: int | None, limit: int, timeout: float) -> list[JSON]:
        """getUpdates: confirm by offset, then return at once or wait up to `timeout`.

        A newer getUpdates call ends an older one with 409 Conflict, as on Telegram, which
        catches two bot instances polling the same token.
        """
        self._poll_generation += 1
        generation = self._poll_generation
        self.changed.notify()  # wake an older poll so it notices it was superseded
        if offset is not None:
            self.confirm(offset)
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            updates = self.take(limit)
            if updates or self.closed:
                return updates
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return []
            await self.changed.wait(remaining)
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only "
                    "one bot instance is running",
                )

    def close(self) -> None:
        self.closed = True
        self.changed.notify()


class WebhookSender:
    """Posts pending updates one by one to the webhook, retrying until it answers 2xx."""

    def __init__(
        self, queue: UpdateQueue, url: str, secret_token: str | None,
        on_delivered: Callable[[], None] = lambda: None,
    ) -> None:
        self.queue = queue
        self.on_delivered = on_delivered
        self.url = url
        self.secret_token = secret_token
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self.delivered = 0
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _run(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        retry_delay = 0.05
        while not self.queue.closed:
            batch = self.queue.take(1)
            if not batch:
                await self.queue.changed.wait(None)
                continue
            update = batch[0]
            if await self._post(update):
                self.queue.confirm(update["update_id"] + 1)
                self.delivered += 1
                self.on_delivered()
                retry_delay = 0.05
            else:
                await asyncio.sleep(retry_delay)
                retry_delay = min(retry_delay * 2, 2.0)

    async def _post(self, update: JSON) -> bool:
        assert self._session is not None
        headers = {}
        if self.secret_token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = self.secret_token
        try:
            async with self._session.post(self.url, json=update, headers=headers) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return True
                self._record_error(
                    f"Wrong response from the webhook: {response.status} {response.reason}"
                )
        except (aiohttp.ClientError, TimeoutError) as exc:
            self._record_error(f"Connection error: {exc.__class__.__name__}")
        return False

    def _record_error(self, message: str) -> None:
        self.last_error_date = int(time.time())
        self.last_error_message = message
        log.warning("fake Bot API: webhook delivery failed: %s", message)
