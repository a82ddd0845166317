"""Chats and the messages in them, indexed so every lookup is O(1) or O(log n)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from bot.emulator.telegram.records import FakeUser, SentMessage, UserMessage
from bot.emulator.telegram.validation import ApiError, bad_request, forbidden

JSON = dict[str, Any]


@dataclass(eq=False)
class FakeChat:
    """A chat the bot can see: a private chat with one user, or a group."""

    id: int
    type: str  # "private" | "group" | "supergroup"
    title: str | None = None
    user: FakeUser | None = None
    username: str | None = None
    members: set[int] = field(default_factory=set)
    bot_is_member: bool = True
    last_message_id: int = 0
    sent: list[SentMessage] = field(default_factory=list)  # bot messages, message_id order
    by_id: dict[int, SentMessage] = field(default_factory=dict)
    from_users: dict[int, UserMessage] = field(default_factory=dict)
    transcript: list[SentMessage | UserMessage] = field(default_factory=list)
    cursor: int = 0  # message_id of the last message handed out by wait_for_message
    # A forum supergroup (topics on): topic id -> "open" | "closed" | "deleted"; General has no
    # id of its own (messages without message_thread_id) and can be closed too.
    is_forum: bool = False
    topics: dict[int, str] = field(default_factory=dict)
    general_closed: bool = False

    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")

    def next_message_id(self) -> int:
        self.last_message_id += 1
        return self.last_message_id

    def to_api(self) -> JSON:
        data: JSON = {"id": self.id, "type": self.type}
        if self.is_group:
            data["title"] = self.title or str(self.id)
            if self.is_forum:
                data["is_forum"] = True
        elif self.user is not None:
            data["first_name"] = self.user.first_name
            if self.user.last_name:
                data["last_name"] = self.user.last_name
            if self.user.username:
                data["username"] = self.user.username
        if self.username:
            data["username"] = self.username
        return data

    def full_info(self) -> JSON:
        """getChat's ChatFullInfo (PTB insists on the fields Telegram always sends)."""
        data = self.to_api()
        data.update({
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False,
                "premium_subscription": False, "gifts_from_channels": False,
            },
        })
        if self.is_group:
            data["permissions"] = {"can_send_messages": True}
        return data

    def add_sent(self, message: SentMessage) -> None:
        self.sent.append(message)
        self.by_id[message.message_id] = message
        self.transcript.append(message)

    def sent_after(self, message_id: int) -> int:
        """Index in `sent` of the first bot message with a message_id above `message_id`."""
        return bisect.bisect_right(self.sent, message_id, key=lambda m: m.message_id)

    def describe(self, last: int = 40) -> str:
        name = self.title if self.is_group else (self.user.first_name if self.user else "?")
        lines = [f"--- chat {self.id} ({self.type}, {name}): {len(self.transcript)} messages ---"]
        shown = self.transcript[-last:]
        if len(self.transcript) > last:
            lines.append(f"... {len(self.transcript) - last} earlier messages not shown")
        for m in shown:
            lines.append(("  -> " if isinstance(m, UserMessage) else "  <- ") + m.describe())
        return "\n".join(lines)


class ChatStore:
    """All chats by id, plus who blocked the bot."""

    def __init__(self) -> None:
        self.chats: dict[int, FakeChat] = {}
        self.forbidden: dict[int, str] = {}  # chat_id -> 403 description
        self.migrated: dict[int, int] = {}  # group chat_id -> the supergroup it became
        self.users: dict[int, FakeUser] = {}

    def private_chat(self, user: FakeUser) -> FakeChat:
        """The user's private chat with the bot, opened on first use (as when she presses Start)."""
        self.users[user.id] = user
        chat = self.chats.get(user.id)
        if chat is None:
            chat = FakeChat(id=user.id, type="private", user=user, members={user.id})
            self.chats[user.id] = chat
        elif chat.user != user:
            chat.user = user  # name or language changed
        return chat

    def group(self, chat_id: int, title: str, chat_type: str = "group") -> FakeChat:
        chat = self.chats.get(chat_id)
        if chat is None:
            chat = FakeChat(id=chat_id, type=chat_type, title=title)
            self.chats[chat_id] = chat
        return chat

    def writable(self, chat_id: Any) -> FakeChat:
        """The chat a bot message goes to, or Telegram's error for a chat it cannot write to."""
        chat = self.find(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        if chat.id in self.migrated:
            raise ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                           migrate_to_chat_id=self.migrated[chat.id])
        denied = self.forbidden.get(chat.id)
        if denied:
            raise forbidden(denied)
        if chat.is_group and not chat.bot_is_member:
            raise forbidden("bot is not a member of the group chat")
        return chat

    def find(self, chat_id: Any) -> FakeChat | None:
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        if isinstance(chat_id, str):
            if chat_id.lstrip("-").isdigit():
                chat_id = int(chat_id)
            else:
                return next((c for c in self.chats.values() if c.username and
                             "@" + c.username == chat_id), None)
        if not isinstance(chat_id, int):
            raise bad_request("chat_id is invalid")
        return self.chats.get(chat_id)

    def message_to_edit(
        self, params: JSON, *, action: str = "edit"
    ) -> tuple[FakeChat, SentMessage]:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")
        chat = self.find(params.get("chat_id"))
        message_id = params.get("message_id")
        if chat is None:
            raise bad_request("chat not found")
        if not isinstance(message_id, int):
            raise bad_request("message identifier is not specified")
        message = chat.by_id.get(message_id)
        if message is None or message.deleted:
            if message_id in chat.from_users and action == "edit":
                raise bad_request("message can't be edited")
            raise bad_request(f"message to {action} not found")
        return chat, message


def message_json(message: SentMessage, chat: FakeChat, bot_user: JSON) -> JSON:
    """The Message object Telegram returns for a bot message, as it is now."""
    data: JSON = {
        "message_id": message.message_id,
        "from": bot_user,
        "chat": chat.to_api(),
        "date": message.date,
    }
    if message.kind == "text":
        text_key, entities_key = "text", "entities"
    else:
        text_key, entities_key = "caption", "caption_entities"
    if message.text is not None:
        data[text_key] = message.text
        if message.entities:
            data[entities_key] = message.entities
    if message.document is not None:
        data["document"] = message.document.document_json()
    if message.photo is not None:
        data["photo"] = message.photo.photo_sizes_json()
    if message.reply_markup and "inline_keyboard" in message.reply_markup:
        data["reply_markup"] = {"inline_keyboard": message.reply_markup["inline_keyboard"]}
    if message.edit_date is not None:
        data["edit_date"] = message.edit_date
    if message.params.get("message_thread_id") and chat.is_forum:
        data["message_thread_id"] = message.params["message_thread_id"]
        data["is_topic_message"] = True
    if message.reply_to_message_id is not None:
        replied = chat.by_id.get(message.reply_to_message_id)
        user_message = chat.from_users.get(message.reply_to_message_id)
        if replied is not None:
            inner = message_json(replied, chat, bot_user)
            inner.pop("reply_to_message", None)
            data["reply_to_message"] = inner
        elif user_message is not None:
            data["reply_to_message"] = user_message.json
    return data
