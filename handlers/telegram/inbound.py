"""Telegram updates into the transactional inbox (`bot.services.inbox`).

Long polling is our own getUpdates loop on PTB's `Bot.get_updates`: a batch is committed to
the `inbound_updates` table before the next call, whose `offset` is what acknowledges it to
Telegram (Bot API, getUpdates: "An update is considered confirmed as soon as getUpdates is
called with an offset higher than its update_id"). PTB's own Updater confirms updates while
they are still being handled, so a kill -9 lost them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from telegram import Bot, Update
from telegram.error import Conflict, Forbidden, InvalidToken, NetworkError, TelegramError
from telegram.ext import Application

from bot.services.inbox import InboundQueue
from storage.db import is_disk_full

log = logging.getLogger("koordinat.telegram")

POLL_TIMEOUT = 30  # seconds Telegram holds a getUpdates call open (long polling)
MAX_BACKOFF = 60.0
MAX_CONFLICTS = 3  # getUpdates conflicts within CONFLICT_WINDOW seconds before giving up
CONFLICT_WINDOW = 120.0


def chat_key_of(data: dict[str, Any]) -> str:
    """The chat an update belongs to (its updates are processed in order), '' if none."""
    for key, value in data.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        chat = value.get("chat") or (value.get("message") or {}).get("chat")
        if isinstance(chat, dict) and "id" in chat:
            return str(chat["id"])
        sender = value.get("from") or value.get("user")
        if isinstance(sender, dict) and "id" in sender:
            return str(sender["id"])
    return ""


def stored_item(data: dict[str, Any]) -> tuple[str, str, str]:
    """`(update_id, chat_key, payload)` for `InboundQueue.store`."""
    return str(data["update_id"]), chat_key_of(data), json.dumps(data, ensure_ascii=False)


def processor(app: Application, fresh: dict[str, Update] | None = None) -> Callable[[str, str], Any]:  # type: ignore[type-arg]
    """The queue's `process`: one stored update through PTB's handlers (errors go to on_error).
    `fresh` holds the Update objects the polling loop just parsed, so that an update stored a
    moment ago is not parsed a second time; after a restart it is parsed from its payload."""
    async def process(update_id: str, payload: str) -> None:
        update = fresh.pop(update_id, None) if fresh is not None else None
        if update is None:
            update = Update.de_json(json.loads(payload), app.bot)
        await app.process_update(update)

    return process


def safe(text: object, token: str) -> str:
    """An error text without the token in it (httpx errors may quote the URL)."""
    return str(text).replace(token, "<token>") if token else str(text)


class Polling:
    """The getUpdates loop. `on_fatal(line)` is called (and the loop ends) when polling cannot
    go on: the token was revoked, or another process polls with the same token."""

    def __init__(self, bot: Bot, queue: InboundQueue, on_fatal: Callable[[str], None],
                 fresh: dict[str, Update] | None = None) -> None:
        self._bot = bot
        self._fresh = fresh if fresh is not None else {}
        self._queue = queue
        self._on_fatal = on_fatal
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="telegram-polling")

    async def stop(self) -> None:
        """Cancel the open getUpdates call; updates it would have returned stay unconfirmed."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        offset: int | None = None
        failures = 0
        conflicts: list[float] = []
        token = self._bot.token
        while True:
            try:
                updates = await self._bot.get_updates(offset=offset, timeout=POLL_TIMEOUT)
            except Conflict:
                # Telegram ends the older of two getUpdates calls with 409: another process
                # polls with this token. Once may be a stray probe; repeatedly, we step aside.
                moment = time.monotonic()
                conflicts = [at for at in conflicts if moment - at < CONFLICT_WINDOW] + [moment]
                if len(conflicts) >= MAX_CONFLICTS:
                    self._on_fatal("another process is receiving updates for this bot token "
                                   "(getUpdates conflict); run one bot per token")
                    return
                log.warning("getUpdates conflict: another process uses this bot token; retrying in 1 s")
                await asyncio.sleep(1.0)
                continue
            except (InvalidToken, Forbidden) as error:
                self._on_fatal(f"Telegram rejected the bot token ({safe(error, token)})")
                return
            except (NetworkError, TelegramError) as error:
                failures += 1
                delay = min(MAX_BACKOFF, 0.5 * 2 ** min(failures, 8))
                log.warning("getUpdates failed (%s: %s); retrying in %.0f s", type(error).__name__,
                            safe(error, token), delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            if not updates:
                continue
            items = [stored_item(update.to_dict()) for update in updates]
            if len(self._fresh) > 10_000:  # redeliveries never processed again: do not pile up
                self._fresh.clear()
            for update in updates:
                self._fresh[str(update.update_id)] = update
            try:
                await self._queue.store(items)
            except Exception as error:  # not stored: not acknowledged either, Telegram resends
                if is_disk_full(error):  # logged once by the database; answer "not saved"
                    await self._queue.process_unstored(items)
                    offset = updates[-1].update_id + 1
                    continue
                for update in updates:
                    self._fresh.pop(str(update.update_id), None)
                log.error("could not store %d updates (%s: %s); they stay unconfirmed",
                          len(items), type(error).__name__, error)
                await asyncio.sleep(1.0)
                continue
            offset = updates[-1].update_id + 1
