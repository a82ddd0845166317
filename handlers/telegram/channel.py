"""The Telegram side of the Channel protocol: deliver one Reply, map API errors."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.channels import PermanentFailure, RetryLater, TransientFailure, UnknownOutcome, Unreachable
from bot.models import Reply, split_topic_address
from bot.services.chat_events import ChatEvents
from handlers.telegram.render import MAX_CAPTION, keyboard, split_text, visible_length

log = logging.getLogger(__name__)
# A forum topic that cannot take messages (Bot API 400 texts): closed, or deleted.
_TOPIC_CLOSED = ("topic_closed",)
_TOPIC_DELETED = ("message thread not found", "topic_deleted", "topic_id_invalid")
_NO_PREVIEW = {"is_disabled": True}  # Bot API LinkPreviewOptions (PTB's disable_web_page_preview)
_GONE = ("chat not found", "user is deactivated", "bot was kicked", "not enough rights",
         "have no rights", "peer_id_invalid")


class TelegramChannel:
    name = "telegram"

    def __init__(self, bot: Bot, events: ChatEvents | None = None, *, files: Bot | None = None) -> None:
        """`bot` sends (the outbox's own small connection pool); `files` downloads what people
        send (default: `bot`), so a burst of uploads never waits for a send slot's connection."""
        self._bot = bot
        self._files = files or bot
        self._events = events

    def is_group_chat(self, address: str) -> bool:
        return address.startswith("-")

    async def download(self, file_id: str) -> bytes:
        """The bytes of a file a person sent (Bot API getFile, then the file URL; ≤ 20 MB)."""
        try:
            file = await self._files.get_file(file_id)
            return bytes(await file.download_as_bytearray())
        except (TimedOut, NetworkError) as error:
            raise TransientFailure(str(error)) from error

    def parts(self, reply: Reply) -> int:
        """How many Telegram messages `reply` becomes (text parts of 4096, then the file)."""
        if reply.edit_of is not None:
            return 1
        attachment = reply.attachment
        if attachment is not None and visible_length(reply.text) <= MAX_CAPTION:
            return 1
        return len(split_text(reply.text)) + (1 if attachment is not None else 0)

    async def deliver(self, address: str, reply: Reply, part: int | None = None) -> str | None:
        """Send `reply` (all of it, or only message number `part` of `parts(reply)`)."""
        token = self._bot.token
        address, thread = split_topic_address(address)  # `-100…#42`: a forum topic
        try:
            try:
                return await self._deliver(int(address), reply, part, thread)
            except ChatMigrated as moved:
                # The group became a supergroup: re-link the group(s) and send it there.
                new_address = str(moved.new_chat_id)
                if self._events is not None:
                    await self._events.chat_migrated(self.name, address, new_address)
                return await self._deliver(int(new_address), reply, part, thread)
            except (Forbidden, BadRequest) as error:
                # The linked topic (or General) is closed or deleted: its coordinators are told
                # once (ChatEvents.topic_unavailable); the notice is recorded as failed.
                text = error.message.lower()
                state = ("closed" if any(r in text for r in _TOPIC_CLOSED)
                         else "deleted" if any(r in text for r in _TOPIC_DELETED) else None)
                if isinstance(error, BadRequest) and state is not None and self.is_group_chat(address):
                    if self._events is not None:
                        await self._events.topic_unavailable(self.name, address, thread, state)
                    raise PermanentFailure(f"topic {state}: {error.message}") from error
                # Removed from a linked group (403), or the group is gone ("chat not found"):
                # unlink it and tell its coordinators (once: the next call finds it unlinked).
                gone = isinstance(error, Forbidden) or any(r in error.message.lower() for r in _GONE)
                if gone and self.is_group_chat(address) and self._events is not None:
                    await self._events.chat_removed(self.name, address)
                raise
        except RetryAfter as error:
            retry = error.retry_after
            raise RetryLater(retry.total_seconds() if hasattr(retry, "total_seconds") else float(retry)) from error
        except Forbidden as error:
            raise Unreachable(error.message) from error
        except ChatMigrated as error:
            raise PermanentFailure(f"chat migrated to {error.new_chat_id}") from error
        except BadRequest as error:
            if "message is not modified" in error.message.lower():
                return reply.edit_of
            if any(reason in error.message.lower() for reason in _GONE):
                raise Unreachable(error.message) from error
            raise PermanentFailure(error.message) from error
        except TimedOut as error:  # the request went out; it may have been delivered
            raise UnknownOutcome(f"timed out: {error}") from error
        except NetworkError as error:
            text = str(error).replace(token, "<token>")
            if "ConnectError" in text or "ConnectTimeout" in text:  # never reached Telegram
                raise TransientFailure(text) from error
            if text.startswith("httpx."):  # dropped or unreadable after sending
                raise UnknownOutcome(text) from error
            raise TransientFailure(text) from error  # a 5xx answer: Telegram did not send it
        except TelegramError as error:  # e.g. "Invalid server response": a success unparsed
            raise UnknownOutcome(f"{type(error).__name__}: {error}") from error

    async def _call(self, method: str, data: dict[str, Any]) -> Any:
        """One Bot API call, its answer left as JSON: PTB's `send_message` would parse the
        answer into a `Message` (with its keyboard) that nobody reads — a third of the cost
        of sending a reply (issue 24). The same request and the same `TelegramError`s as
        PTB's methods (`Bot._post` is what they call; None values are dropped there)."""
        result = await self._bot._post(method, data)  # noqa: SLF001
        if method == "sendMessage" and not (isinstance(result, dict) and "message_id" in result):
            raise TelegramError(f"{method} returned no message")  # → UnknownOutcome
        return result

    async def _deliver(self, chat_id: int, reply: Reply, only: int | None = None,
                       thread: int | None = None) -> str | None:
        markup = keyboard(reply)
        topic = {"message_thread_id": thread} if thread else {}
        if reply.edit_of is not None:
            edited = await self._call("editMessageText", {
                "chat_id": chat_id, "message_id": int(reply.edit_of), "text": reply.text,
                "parse_mode": ParseMode.HTML, "reply_markup": markup, "link_preview_options": _NO_PREVIEW})
            return str(edited.get("message_id", reply.edit_of) if isinstance(edited, dict) else reply.edit_of)
        last_id: int | None = None
        attachment = reply.attachment
        caption_fits = attachment is not None and visible_length(reply.text) <= MAX_CAPTION
        if not caption_fits:
            parts = split_text(reply.text)
            for index, part in enumerate(parts):
                if only is not None and index != only:
                    continue
                is_last = index == len(parts) - 1 and attachment is None
                sent = await self._call("sendMessage", {
                    "chat_id": chat_id, "text": part, "parse_mode": ParseMode.HTML, **topic,
                    "reply_markup": markup if is_last else None, "link_preview_options": _NO_PREVIEW})
                last_id = int(sent["message_id"])
        if attachment is not None and (only is None or caption_fits or only == len(split_text(reply.text))):
            upload = InputFile(attachment.content, filename=attachment.filename)
            caption = reply.text if caption_fits else None
            if attachment.kind == "photo":
                message = await self._bot.send_photo(chat_id=chat_id, photo=upload, caption=caption, **topic,
                                                     parse_mode=ParseMode.HTML, reply_markup=markup)
            else:
                message = await self._bot.send_document(chat_id=chat_id, document=upload, caption=caption, **topic,
                                                        parse_mode=ParseMode.HTML, reply_markup=markup)
            last_id = message.message_id
        return str(last_id) if last_id is not None else None
