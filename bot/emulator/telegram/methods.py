"""The Bot API methods the fake server implements, over its in-memory state."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from bot.emulator.telegram.files import FileStore
from bot.emulator.telegram.limits import SendRateTracker
from bot.emulator.telegram.markup import ParsedText
from bot.emulator.telegram.records import ButtonPress, CallbackAnswer, SentMessage, UploadedFile
from bot.emulator.telegram.store import ChatStore, FakeChat, message_json
from bot.emulator.telegram.updates import ChangeSignal, UpdateQueue, WebhookSender
from bot.emulator.telegram.validation import (
    MAX_CALLBACK_ANSWER,
    ApiError,
    bad_request,
    check_caption,
    check_commands,
    check_reply_markup,
    check_text,
    scope_key,
)

JSON = dict[str, Any]
Files = dict[str, UploadedFile]
Handler = Callable[[JSON, Files], Awaitable[Any]]

CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
})
# Methods a bot calls once at setup whose effect tests rarely inspect: accepted and recorded.
ACCEPTED_METHODS = (
    "setMyDescription", "setMyShortDescription", "setMyName", "setChatMenuButton",
    "setMyDefaultAdministratorRights", "pinChatMessage", "unpinChatMessage",
)
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


class BotApiMethods:
    """State of one fake bot and the handlers for its API methods (one per method name)."""

    def __init__(
        self,
        bot_user: JSON,
        *,
        strict_html: bool,
        enforce_limits: bool,
        limits: SendRateTracker,
        now: Callable[[], float],
        monotonic: Callable[[], float],
    ) -> None:
        self.bot_user = bot_user
        self.bot_ref: JSON = {k: bot_user[k] for k in ("id", "is_bot", "first_name", "username")}
        self.strict_html = strict_html
        self.enforce_limits = enforce_limits
        self.limits = limits
        self.now = now
        self.monotonic = monotonic
        self.chats = ChatStore()
        self.files = FileStore()
        self.updates = UpdateQueue()
        self.changed = ChangeSignal()
        self.presses: dict[str, ButtonPress] = {}
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.webhook: WebhookSender | None = None
        self.handlers: dict[str, Handler] = {
            "getme": self.get_me,
            "getupdates": self.get_updates,
            "sendmessage": self.send_message,
            "senddocument": self.send_document,
            "sendphoto": self.send_photo,
            "editmessagetext": self.edit_message_text,
            "editmessagecaption": self.edit_message_caption,
            "editmessagereplymarkup": self.edit_message_reply_markup,
            "deletemessage": self.delete_message,
            "answercallbackquery": self.answer_callback_query,
            "sendchataction": self.send_chat_action,
            "setmycommands": self.set_my_commands,
            "getmycommands": self.get_my_commands,
            "deletemycommands": self.delete_my_commands,
            "setwebhook": self.set_webhook,
            "deletewebhook": self.delete_webhook,
            "getwebhookinfo": self.get_webhook_info,
            "getchat": self.get_chat,
            "getchatmember": self.get_chat_member,
            "getfile": self.get_file,
            "close": self.accept,
            "logout": self.accept,
        }
        for name in ACCEPTED_METHODS:
            self.handlers[name.lower()] = self.accept

    async def call(self, method: str, params: JSON, files: Files) -> Any:
        handler = self.handlers.get(method.lower())
        if handler is None:
            raise ApiError(404, "Not Found")
        return await handler(params, files)

    def date(self) -> int:
        return int(self.now())

    async def accept(self, params: JSON, files: Files) -> Any:
        return True

    async def get_me(self, params: JSON, files: Files) -> Any:
        return dict(self.bot_user)

    async def get_updates(self, params: JSON, files: Files) -> Any:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use "
                "deleteWebhook to delete the webhook first",
            )
        self.updates.set_allowed(params.get("allowed_updates"))
        offset = _int(params.get("offset"), "offset")
        limit = min(100, max(1, _int(params.get("limit"), "limit") or 100))
        timeout = max(0, _int(params.get("timeout"), "timeout") or 0)
        return await self.updates.poll(offset, limit, float(timeout))

    # --- sending -------------------------------------------------------------------------

    async def send_message(self, params: JSON, files: Files) -> Any:
        chat = self.chats.writable(params.get("chat_id"))
        parsed = check_text(
            params.get("text"), params.get("parse_mode"), params.get("entities"),
            strict_html=self.strict_html,
        )
        return self._store_sent(chat, "text", params, parsed, params.get("text"))

    async def send_document(self, params: JSON, files: Files) -> Any:
        return await self._send_media("document", params, files)

    async def send_photo(self, params: JSON, files: Files) -> Any:
        return await self._send_media("photo", params, files)

    async def _send_media(self, kind: str, params: JSON, files: Files) -> Any:
        chat = self.chats.writable(params.get("chat_id"))
        parsed = check_caption(
            params.get("caption"), params.get("parse_mode"), params.get("caption_entities"),
            strict_html=self.strict_html,
        )
        stored = self.files.resolve(kind, params.get(kind), files)
        return self._store_sent(
            chat, kind, params, parsed, params.get("caption"),
            document=stored if kind == "document" else None,
            photo=stored if kind == "photo" else None,
        )

    @staticmethod
    def _check_topic(chat: FakeChat, params: JSON) -> None:
        """Forum topics as Telegram answers them: a closed topic (or closed General) refuses
        with TOPIC_CLOSED, a deleted or unknown one with "message thread not found"."""
        thread = params.get("message_thread_id")
        if not chat.is_forum:
            return
        if thread in (None, 1):
            if chat.general_closed:
                raise bad_request("TOPIC_CLOSED")
            return
        state = chat.topics.get(_int(thread, "message_thread_id") or 0)
        if state is None or state == "deleted":
            raise bad_request("message thread not found")
        if state == "closed":
            raise bad_request("TOPIC_CLOSED")

    def _store_sent(
        self, chat: FakeChat, kind: str, params: JSON, parsed: ParsedText | None,
        raw_text: Any, **media: Any,
    ) -> JSON:
        self._check_topic(chat, params)
        markup = check_reply_markup(params.get("reply_markup"))
        reply_to = self._reply_to(chat, params)
        self.limits.admit(chat.id, chat.is_group, self.monotonic(), enforce=self.enforce_limits)
        message = SentMessage(
            message_id=chat.next_message_id(),
            chat_id=chat.id,
            date=self.date(),
            kind=kind,
            text=parsed.text if parsed else None,
            raw_text=raw_text if parsed else None,
            entities=parsed.entities if parsed else [],
            parse_mode=params.get("parse_mode") if parsed else None,
            reply_markup=markup,
            reply_to_message_id=reply_to,
            params=params,
            **media,
        )
        chat.add_sent(message)
        self.changed.notify()
        return message_json(message, chat, self.bot_ref)

    def _reply_to(self, chat: FakeChat, params: JSON) -> int | None:
        reply = params.get("reply_parameters")
        allow = bool(params.get("allow_sending_without_reply"))
        if isinstance(reply, dict):
            target, allow = reply.get("message_id"), bool(reply.get("allow_sending_without_reply"))
        else:
            target = params.get("reply_to_message_id")
        if target is None:
            return None
        if target in chat.by_id or target in chat.from_users:
            return int(target)
        if allow:
            return None
        raise bad_request("message to be replied not found")

    # --- editing -------------------------------------------------------------------------

    async def edit_message_text(self, params: JSON, files: Files) -> Any:
        chat, message = self.chats.message_to_edit(params)
        if message.kind != "text":
            raise bad_request("there is no text in the message to edit")
        parsed = check_text(
            params.get("text"), params.get("parse_mode"), params.get("entities"),
            strict_html=self.strict_html,
        )
        markup = check_reply_markup(params.get("reply_markup"))
        return self._apply_edit(chat, message, parsed, params.get("text"), params, markup)

    async def edit_message_caption(self, params: JSON, files: Files) -> Any:
        chat, message = self.chats.message_to_edit(params)
        if message.kind == "text":
            raise bad_request("there is no caption in the message to edit")
        parsed = check_caption(
            params.get("caption"), params.get("parse_mode"), params.get("caption_entities"),
            strict_html=self.strict_html,
        )
        markup = check_reply_markup(params.get("reply_markup"))
        return self._apply_edit(chat, message, parsed, params.get("caption"), params, markup)

    async def edit_message_reply_markup(self, params: JSON, files: Files) -> Any:
        chat, message = self.chats.message_to_edit(params)
        markup = check_reply_markup(params.get("reply_markup"))
        current = ParsedText(message.text, message.entities) if message.text is not None else None
        return self._apply_edit(
            chat, message, current, message.raw_text, {"parse_mode": message.parse_mode}, markup
        )

    def _apply_edit(
        self, chat: FakeChat, message: SentMessage, parsed: ParsedText | None, raw: Any,
        params: JSON, markup: JSON | None,
    ) -> JSON:
        """Telegram drops an inline keyboard left out of an edit, and refuses no-op edits."""
        new_text = parsed.text if parsed else None
        new_entities = parsed.entities if parsed else []
        if (
            new_text == message.text
            and new_entities == message.entities
            and _keyboard(markup) == _keyboard(message.reply_markup)
        ):
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        message.history.append(message.snapshot())
        message.text, message.entities = new_text, new_entities
        message.raw_text = raw if parsed else None
        message.parse_mode = params.get("parse_mode") if parsed else None
        message.reply_markup = markup
        message.edit_date = self.date()
        self.changed.notify()
        return message_json(message, chat, self.bot_ref)

    async def delete_message(self, params: JSON, files: Files) -> Any:
        chat = self.chats.find(params.get("chat_id"))
        message_id = params.get("message_id")
        if chat is not None and message_id in chat.from_users:
            return True
        chat, message = self.chats.message_to_edit(params, action="delete")
        message.deleted = True
        self.changed.notify()
        return True

    # --- buttons, actions, commands ------------------------------------------------------

    async def answer_callback_query(self, params: JSON, files: Files) -> Any:
        press = self.presses.get(str(params.get("callback_query_id")))
        if press is None or press.answer is not None:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = params.get("text")
        if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER:
            raise bad_request("MESSAGE_TOO_LONG")
        press.answer = CallbackAnswer(
            None if text is None else str(text), bool(params.get("show_alert")), params.get("url")
        )
        self.changed.notify()
        return True

    async def send_chat_action(self, params: JSON, files: Files) -> Any:
        self.chats.writable(params.get("chat_id"))
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    async def set_my_commands(self, params: JSON, files: Files) -> Any:
        commands = check_commands(params.get("commands"))
        key = scope_key(params.get("scope"), params.get("language_code"))
        if commands:
            self.commands[key] = commands
        else:
            self.commands.pop(key, None)
        return True

    async def get_my_commands(self, params: JSON, files: Files) -> Any:
        key = scope_key(params.get("scope"), params.get("language_code"))
        return list(self.commands.get(key, []))

    async def delete_my_commands(self, params: JSON, files: Files) -> Any:
        self.commands.pop(scope_key(params.get("scope"), params.get("language_code")), None)
        return True

    # --- webhook -------------------------------------------------------------------------

    async def set_webhook(self, params: JSON, files: Files) -> Any:
        url = params.get("url") or ""
        if not url:
            return await self.delete_webhook(params, files)
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN.fullmatch(str(secret)):
            raise bad_request("secret token contains unallowed characters")
        self.updates.set_allowed(params.get("allowed_updates"))
        if params.get("drop_pending_updates"):
            self.updates.drop_all()
        if self.webhook is not None:
            await self.webhook.stop()
        self.webhook = WebhookSender(
            self.updates, url, None if secret is None else str(secret), self.changed.notify
        )
        self.webhook.start()
        return True

    async def delete_webhook(self, params: JSON, files: Files) -> Any:
        if self.webhook is not None:
            await self.webhook.stop()
            self.webhook = None
        if params.get("drop_pending_updates"):
            self.updates.drop_all()
        return True

    async def get_webhook_info(self, params: JSON, files: Files) -> Any:
        info: JSON = {
            "url": self.webhook.url if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }
        if self.webhook is not None:
            info["max_connections"] = 40
            if self.webhook.last_error_date is not None:
                info["last_error_date"] = self.webhook.last_error_date
                info["last_error_message"] = self.webhook.last_error_message
        return info

    # --- chats and files -----------------------------------------------------------------

    async def get_chat(self, params: JSON, files: Files) -> Any:
        chat = self.chats.find(params.get("chat_id"))
        if chat is None:
            raise bad_request("chat not found")
        return chat.full_info()

    async def get_chat_member(self, params: JSON, files: Files) -> Any:
        chat = self.chats.find(params.get("chat_id"))
        if chat is None:
            raise bad_request("chat not found")
        user_id = params.get("user_id")
        if user_id == self.bot_user["id"]:
            return {"status": "administrator" if chat.is_group else "member", "user": self.bot_ref,
                    "can_be_edited": False, "is_anonymous": False, "can_manage_chat": True,
                    "can_delete_messages": True, "can_manage_video_chats": False,
                    "can_restrict_members": True, "can_promote_members": False,
                    "can_change_info": False, "can_invite_users": True,
                    "can_post_stories": False, "can_edit_stories": False,
                    "can_delete_stories": False}
        user = self.chats.users.get(user_id) if isinstance(user_id, int) else None
        if user is None:
            raise bad_request("user not found")
        status = "member" if user_id in chat.members else "left"
        return {"status": status, "user": user.to_api()}

    async def get_file(self, params: JSON, files: Files) -> Any:
        stored = self.files.get(str(params.get("file_id") or ""))
        if stored is None:
            raise bad_request("invalid file_id")
        return stored.file_json()

    def record_press(self, press: ButtonPress) -> None:
        self.presses[press.query_id] = press


def _keyboard(markup: JSON | None) -> list[Any]:
    """The inline keyboard a message shows, for comparing before and after an edit."""
    rows = (markup or {}).get("inline_keyboard") or []
    return [[{k: v for k, v in b.items() if v is not None} for b in row] for row in rows]


def _int(value: Any, name: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise bad_request(f"wrong parameter {name}")
    try:
        return int(value)
    except ValueError:
        raise bad_request(f"wrong parameter {name}") from None
