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

from bot.models import Actor
from bot.services.inbox import InboundQueue
from bot.services.quarantine import Quarantine, is_storable, reason_of
from storage.db import is_disk_full

log = logging.getLogger("koordinat.telegram")

POLL_TIMEOUT = 30  # seconds Telegram holds a getUpdates call open (long polling)
MAX_BACKOFF = 60.0
READ_MARGIN = 10.0  # seconds beyond POLL_TIMEOUT before a getUpdates call counts as lost
MAX_CONFLICTS = 3  # getUpdates conflicts within CONFLICT_WINDOW seconds before giving up
CONFLICT_WINDOW = 120.0
FAILED_KEY = "koordinat.failed_updates"  # app.bot_data: update id -> the error on_error saw


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


def sender_of(data: dict[str, Any]) -> Actor | None:
    """Who sent a raw update, read without PTB (for an update PTB cannot parse): the chat to
    answer and her language, or None (no chat, a bot, a channel post)."""
    for key, value in data.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        chat = value.get("chat") or (value.get("message") or {}).get("chat")
        sender = value.get("from") or value.get("user")
        if not isinstance(chat, dict) or not isinstance(chat.get("id"), int):
            return None
        if chat.get("type") == "channel" or (isinstance(sender, dict) and sender.get("is_bot")):
            return None
        hint = sender.get("language_code") if isinstance(sender, dict) else None
        return Actor(channel="telegram", external_id=str(chat["id"]),
                     language_hint=hint if isinstance(hint, str) and hint.isascii() else None)
    return None


UNSTORABLE = "text that cannot be stored (a lone UTF-16 surrogate)"


async def quarantine_update(quarantine: Quarantine | None, update_id: str, raw: Any,
                            reason: BaseException | str) -> None:
    """Keep a bad update (see `bot.services.quarantine`), answering its sender if known."""
    if quarantine is None:  # no services (a tool): one line, as before
        log.error("update %s could not be read: %s", update_id, reason_of(reason))
        return
    data = raw if isinstance(raw, dict) else {}
    await quarantine.keep("telegram", update_id, raw, reason, chat_key=chat_key_of(data),
                          sender=sender_of(data))


def processor(app: Application, fresh: dict[str, Update] | None = None,  # type: ignore[type-arg]
              quarantine: Quarantine | None = None) -> Callable[[str, str], Any]:
    """The queue's `process`: one stored update through PTB's handlers (errors go to on_error).
    `fresh` holds the Update objects the polling loop just parsed, so that an update stored a
    moment ago is not parsed a second time; after a restart it is parsed from its payload.
    An update PTB cannot parse, or whose handler failed with a bug (`errors.on_error` notes
    it), is quarantined; the queue goes on with the next."""
    failed: dict[str, BaseException] = app.bot_data.setdefault(FAILED_KEY, {})

    async def process(update_id: str, payload: str) -> None:
        update = fresh.pop(update_id, None) if fresh is not None else None
        if update is None:
            raw: Any = payload
            try:
                raw = json.loads(payload)
                update = Update.de_json(raw, app.bot)
            except Exception as error:
                await quarantine_update(quarantine, update_id, raw, error)
                return
        await app.process_update(update)
        error = failed.pop(update_id, None)
        if error is not None and quarantine is not None:
            await quarantine.keep("telegram", update_id, json.loads(payload), error,
                                  chat_key=chat_key_of(json.loads(payload)))  # on_error answered her

    return process


def safe(text: object, token: str) -> str:
    """An error text without the token in it (httpx errors may quote the URL)."""
    return str(text).replace(token, "<token>") if token else str(text)


class Polling:
    """The getUpdates loop. `on_fatal(line)` is called (and the loop ends) when polling cannot
    go on: the token was revoked, or another process polls with the same token.

    getUpdates is read as raw JSON and each update parsed on its own: PTB's `get_updates`
    parses the whole batch at once, so one update it cannot parse (a field of an unexpected
    type, from an older or newer Bot API server) raised out of the loop — and logged the whole
    batch, message texts included. Such an update, and one that cannot be stored, is
    quarantined and acknowledged; the rest of the batch goes on."""

    def __init__(self, bot: Bot, queue: InboundQueue, on_fatal: Callable[[str], None],
                 fresh: dict[str, Update] | None = None, quarantine: Quarantine | None = None) -> None:
        self._bot = bot
        self._fresh = fresh if fresh is not None else {}
        self._queue = queue
        self._on_fatal = on_fatal
        self._quarantine = quarantine
        self._task: asyncio.Task[None] | None = None

    @property
    def task(self) -> asyncio.Task[None] | None:
        """The loop's task (the composition root supervises it)."""
        return self._task

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="telegram-polling")

    async def stop(self) -> None:
        """Cancel the open getUpdates call; updates it would have returned stay unconfirmed."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _fetch(self, offset: int | None) -> list[Any]:
        """One getUpdates call, its result unparsed (a list of JSON objects)."""
        data: dict[str, Any] = {"timeout": POLL_TIMEOUT, "limit": 100}
        if offset is not None:
            data["offset"] = offset
        # Bot._post is PTB's raw call (do_api_request warns for methods the Bot has): it
        # raises the same TelegramError subclasses and returns the "result" untouched.
        result = await self._bot._post("getUpdates", data, read_timeout=POLL_TIMEOUT + READ_MARGIN)  # noqa: SLF001
        if not isinstance(result, list):
            raise TelegramError(f"getUpdates returned {type(result).__name__}, not a list")
        return result

    async def _run(self) -> None:
        offset: int | None = None
        failures = 0
        conflicts: list[float] = []
        token = self._bot.token
        while True:
            try:
                batch = await self._fetch(offset)
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
            except asyncio.CancelledError:
                raise
            except Exception as error:  # network, a 5xx, a body that is not JSON: one line each
                failures += 1
                delay = min(MAX_BACKOFF, 0.5 * 2 ** min(failures, 8))
                log.warning("getUpdates failed (%s: %s); retrying in %.0f s", type(error).__name__,
                            safe(reason_of(error), token), delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            if not batch:
                continue
            ids = [raw["update_id"] for raw in batch if isinstance(raw, dict) and isinstance(raw.get("update_id"), int)]
            if len(ids) < len(batch):
                log.error("getUpdates returned %d entries without an update_id; skipped", len(batch) - len(ids))
            if not ids:
                continue
            if await self._take(batch):
                offset = max(ids) + 1
            else:
                await asyncio.sleep(1.0)  # not stored: not acknowledged either, Telegram resends

    async def _take(self, batch: list[Any]) -> bool:
        """Store (or quarantine) one batch; True once it may be acknowledged."""
        items: list[tuple[str, str, str]] = []
        parsed: list[Update] = []
        bad: list[tuple[str, Any, BaseException | str]] = []
        for raw in batch:
            if not isinstance(raw, dict) or not isinstance(raw.get("update_id"), int):
                continue
            update_id = str(raw["update_id"])
            try:
                update = Update.de_json(raw, self._bot)
            except Exception as error:
                bad.append((update_id, raw, error))
                continue
            item = stored_item(raw)
            if not is_storable(item[2]):
                bad.append((update_id, raw, UNSTORABLE))
                continue
            items.append(item)
            parsed.append(update)
        if len(self._fresh) > 10_000:  # redeliveries never processed again: do not pile up
            self._fresh.clear()
        for update in parsed:
            self._fresh[str(update.update_id)] = update
        try:
            await self._queue.store(items)
        except Exception as error:
            if is_disk_full(error):  # logged once by the database; answer "not saved"
                await self._queue.process_unstored(items)
            elif not await self._store_one_by_one(items, bad):
                for update in parsed:
                    self._fresh.pop(str(update.update_id), None)
                log.error("could not store %d updates (%s: %s); they stay unconfirmed",
                          len(items), type(error).__name__, reason_of(error))
                return False
        for update_id, raw, reason in bad:
            try:
                await quarantine_update(self._quarantine, update_id, raw, reason)
            except Exception as error:
                if not is_disk_full(error):
                    log.error("could not quarantine update %s (%s); it stays unconfirmed", update_id,
                              reason_of(error))
                    return False
                log.error("update %s could not be read nor kept (the disk is full): %s", update_id,
                          reason_of(reason))
        return True

    async def _store_one_by_one(self, items: list[tuple[str, str, str]],
                                bad: list[tuple[str, Any, BaseException | str]]) -> bool:
        """The batch could not be stored: store each update alone; those that still cannot be
        are added to `bad` (quarantined). False when not even one could (the database is down)."""
        stored = 0
        for item in items:
            try:
                await self._queue.store([item])
                stored += 1
            except Exception as error:
                self._fresh.pop(item[0], None)
                bad.append((item[0], json.loads(item[2]), error))
        if stored == 0 and len(items) > 1:
            for update_id, _, _ in items:
                bad[:] = [entry for entry in bad if entry[0] != update_id]
            return False
        return True
