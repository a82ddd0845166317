"""What fake users do: write to the bot, press its buttons, join groups, block it.

Mixed into `FakeBotApi`; every action becomes an update, queued for getUpdates or posted to the
webhook, and returns its update_id (None when Telegram would not deliver it to the bot).
"""

from __future__ import annotations

import dataclasses
import re
from itertools import count
from typing import Any

from bot.emulator.telegram.markup import utf16_len
from bot.emulator.telegram.methods import BotApiMethods
from bot.emulator.telegram.records import ButtonPress, FakeUser, SentMessage, UserMessage
from bot.emulator.telegram.store import FakeChat, message_json
from bot.emulator.telegram.validation import ApiError

JSON = dict[str, Any]
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?=\s|$)")
_query_ids = count(4_200_000_000_000_000_001)


def command_entities(text: str) -> list[JSON]:
    """A bot_command entity at offset 0 when the text starts with a command, like Telegram."""
    match = _COMMAND.match(text)
    if match is None:
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group())}]


class UserActions:
    """Injection of user input; needs `_api`, `username` and `privacy_mode` from the server."""

    _api: BotApiMethods
    username: str
    privacy_mode: bool

    # --- chats -----------------------------------------------------------------------------

    def open_private_chat(self, user: FakeUser) -> FakeChat:
        """Make the private chat exist without sending an update (she started the bot earlier)."""
        return self._api.chats.private_chat(user)

    def add_group_chat(
        self, chat_id: int, title: str, *, chat_type: str | None = None,
        members: tuple[FakeUser, ...] | list[FakeUser] = (), username: str | None = None,
    ) -> FakeChat:
        """Register a group the bot is already in (no update). Group ids are negative."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative, e.g. -1001234567890")
        kind = chat_type or ("supergroup" if str(chat_id).startswith("-100") else "group")
        chat = self._api.chats.group(chat_id, title, kind)
        chat.username = username
        for user in members:
            self._api.chats.users[user.id] = user
            chat.members.add(user.id)
        return chat

    def add_forum(self, chat_id: int, title: str, *, members: tuple[FakeUser, ...] | list[FakeUser] = ()) -> FakeChat:
        """A supergroup with topics on (a forum) that the bot is already in."""
        chat = self.add_group_chat(chat_id, title, chat_type="supergroup", members=members)
        chat.is_forum = True
        return chat

    def create_topic(self, chat_id: int, name: str) -> int:
        """A new forum topic; returns its message_thread_id (its creation message's id)."""
        chat = self._group(chat_id)
        if not chat.is_forum:
            raise AssertionError(f"chat {chat_id} is not a forum")
        thread_id = chat.next_message_id()
        if thread_id == 1:  # 1 is General's id in a forum
            thread_id = chat.next_message_id()
        chat.topics[thread_id] = "open"
        return thread_id

    def set_topic(self, chat_id: int, thread_id: int | None, state: str) -> None:
        """Close, reopen or delete a topic (`None`: General, which can be closed, not deleted)."""
        chat = self._group(chat_id)
        if state not in ("open", "closed", "deleted"):
            raise ValueError("state is open, closed or deleted")
        if thread_id is None:
            chat.general_closed = state == "closed"
        else:
            chat.topics[thread_id] = state

    async def join_group(self, user: FakeUser, chat_id: int) -> int:
        """`user` joins a group: a new_chat_members message (delivered even in privacy mode)."""
        chat = self._group(chat_id)
        chat.members.add(user.id)
        self._api.chats.users[user.id] = user
        message = self._new_message(user, chat, {"new_chat_members": [user.to_api()]})
        return self._deliver(chat, user, message, None, True)  # type: ignore[return-value]

    async def add_bot_to_group(
        self, by: FakeUser, chat_id: int, title: str, *, chat_type: str | None = None
    ) -> int:
        """`by` adds the bot to a (new) group: my_chat_member, then the service message."""
        chat = self.add_group_chat(chat_id, title, chat_type=chat_type, members=[by])
        chat.bot_is_member = True
        self._push_my_chat_member(chat, by, "left", "member")
        message = self._new_message(by, chat, {"new_chat_members": [self._api.bot_ref]})
        return self._deliver(chat, by, message, None, True)  # type: ignore[return-value]

    def kick_bot(self, chat_id: int, by: FakeUser | None = None) -> int:
        """The bot is removed from a group; sending there then fails with 403."""
        chat = self._group(chat_id)
        chat.bot_is_member = False
        self._api.chats.forbidden[chat.id] = "bot was kicked from the group chat"
        actor = by or next(iter(self._api.chats.users.values()), FakeUser(1, "Admin"))
        return self._push_my_chat_member(chat, actor, "member", "kicked")

    def migrate_to_supergroup(self, chat_id: int, new_chat_id: int, by: FakeUser | None = None) -> int:
        """The group becomes a supergroup with a new id (as when an admin turns on a public
        link or history): the old chat gets a service message with `migrate_to_chat_id`, the
        new one with `migrate_from_chat_id`, and sends to the old id fail with 400 carrying
        `parameters.migrate_to_chat_id`. Returns the update_id of the first service message."""
        old = self._group(chat_id)
        new = self.add_group_chat(new_chat_id, old.title or str(new_chat_id), chat_type="supergroup")
        new.members |= old.members
        new.bot_is_member = old.bot_is_member
        self._api.chats.migrated[old.id] = new.id
        actor = by or next((self._api.chats.users[m] for m in old.members if m in self._api.chats.users),
                           FakeUser(1, "Admin"))
        first = self._deliver(old, actor, self._new_message(actor, old, {"migrate_to_chat_id": new.id}),
                              None, True)
        self._deliver(new, actor, self._new_message(actor, new, {"migrate_from_chat_id": old.id}), None, True)
        return first  # type: ignore[return-value]

    def block(self, user_id: int) -> int | None:
        """The user blocks the bot: sends to her fail with 403; the bot gets my_chat_member."""
        self._api.chats.forbidden[user_id] = "bot was blocked by the user"
        chat = self._api.chats.chats.get(user_id)
        if chat is None or chat.user is None:
            return None
        return self._push_my_chat_member(chat, chat.user, "member", "kicked")

    def unblock(self, user_id: int) -> int | None:
        """The user unblocks the bot (writing to it again also unblocks)."""
        if self._api.chats.forbidden.pop(user_id, None) is None:
            return None
        chat = self._api.chats.chats.get(user_id)
        if chat is None or chat.user is None:
            return None
        return self._push_my_chat_member(chat, chat.user, "kicked", "member")

    # --- messages --------------------------------------------------------------------------

    async def send_text(
        self, user: FakeUser, text: str, *, chat_id: int | None = None,
        reply_to: int | SentMessage | None = None, thread_id: int | None = None,
    ) -> int | None:
        """`user` writes `text` (private chat unless chat_id names a group).

        Returns the update_id, or None for a group message that a bot in privacy mode does not
        receive (plain text that is neither a command, a mention nor a reply to the bot).
        """
        chat = self._chat_of(user, chat_id)
        fields: JSON = {"text": text}
        entities = command_entities(text)
        if entities:
            fields["entities"] = entities
        reply_id = reply_to.message_id if isinstance(reply_to, SentMessage) else reply_to
        if thread_id is not None:  # typed inside a forum topic
            if chat.topics.get(thread_id) != "open":
                raise AssertionError(f"no open topic {thread_id} in chat {chat.id}")
            fields.update(message_thread_id=thread_id, is_topic_message=True)
        message = self._new_message(user, chat, fields, reply_id)
        return self._deliver(chat, user, message, text, self._reaches_bot(chat, text, reply_id))

    def send_raw(self, user: FakeUser, fields: JSON, *, chat_id: int | None = None,
                 kind: str = "message") -> int:
        """`user` sends a message made of exactly `fields` (besides message_id, from, chat and
        date, which `fields` may override), as Telegram can deliver what a library does not
        expect: a field of a newer or older Bot API with another type (`{"checklist": 5}`,
        `{"date": "now"}`), or text holding a lone UTF-16 surrogate (`{"text": "a\\ud83d"}`;
        sent as a JSON escape). `kind` is the update's field (`message`, `edited_message`…).
        Always reaches the bot; returns the update_id."""
        chat = self._chat_of(user, chat_id)
        message = self._new_message(user, chat, {})
        message.update(fields)
        record = UserMessage(int(message["message_id"]) if isinstance(message.get("message_id"), int)
                             else chat.next_message_id(), chat.id, user, None, message, True)
        chat.from_users[record.message_id] = record
        chat.transcript.append(record)
        return self._api.updates.push({kind: message})

    def push_update(self, update: JSON) -> int:
        """Queue any update object as it is (without update_id, which is given to it): for
        updates no user action makes, e.g. one of a type this emulator does not model."""
        return self._api.updates.push(update)

    async def edit_text(self, user: FakeUser, old_text: str, new_text: str, *,
                        chat_id: int | None = None) -> int | None:
        """`user` edits her latest message that reads `old_text`: an `edited_message` update
        (same message_id, an `edit_date`). Returns the update_id."""
        chat = self._chat_of(user, chat_id)
        original = next((m for m in reversed(list(chat.from_users.values()))
                         if m.user.id == user.id and m.text == old_text), None)
        if original is None:
            raise AssertionError(f"edit_text: {user.first_name} sent no message {old_text!r} in chat {chat.id}")
        message = {**original.json, "text": new_text, "edit_date": self._api.date()}
        entities = command_entities(new_text)
        message.pop("entities", None)
        if entities:
            message["entities"] = entities
        reaches = original.delivered or self._reaches_bot(chat, new_text, None)
        chat.from_users[original.message_id] = dataclasses.replace(original, text=new_text, json=message,
                                                                    delivered=reaches)
        if not reaches:
            return None
        return self._api.updates.push({"edited_message": message})

    async def send_sticker_from(self, user: FakeUser) -> int | None:
        """`user` sends a sticker in her private chat."""
        chat = self._chat_of(user, None)
        sticker = {"file_id": "CAACAgIAAxkBAAEsticker", "file_unique_id": "AgADsticker", "type": "regular",
                   "width": 512, "height": 512, "is_animated": False, "is_video": False}
        return self._deliver(chat, user, self._new_message(user, chat, {"sticker": sticker}), None, True)

    async def send_location_from(self, user: FakeUser, latitude: float, longitude: float) -> int | None:
        """`user` shares a location in her private chat."""
        chat = self._chat_of(user, None)
        location = {"latitude": latitude, "longitude": longitude}
        return self._deliver(chat, user, self._new_message(user, chat, {"location": location}), None, True)

    async def send_photo_from(
        self, user: FakeUser, data: bytes, caption: str | None = None, *,
        chat_id: int | None = None,
    ) -> int | None:
        """`user` sends a picture (PNG, JPEG, GIF or WebP bytes), optionally with a caption."""
        chat = self._chat_of(user, chat_id)
        stored = self._store_user_file("photo", data, None, None)
        fields: JSON = {"photo": stored.photo_sizes_json()}
        if caption:
            fields["caption"] = caption
        message = self._new_message(user, chat, fields)
        reaches = self._reaches_bot(chat, caption or "", None)
        return self._deliver(chat, user, message, caption, reaches)

    async def send_document_from(
        self, user: FakeUser, data: bytes, filename: str, *, mime_type: str | None = None,
        caption: str | None = None, chat_id: int | None = None,
    ) -> int | None:
        """`user` sends a file."""
        chat = self._chat_of(user, chat_id)
        stored = self._store_user_file("document", data, filename, mime_type)
        fields: JSON = {"document": stored.document_json()}
        if caption:
            fields["caption"] = caption
        message = self._new_message(user, chat, fields)
        reaches = self._reaches_bot(chat, caption or "", None)
        return self._deliver(chat, user, message, caption, reaches)

    async def press_button(
        self, user: FakeUser, message: int | SentMessage, button: str, *,
        chat_id: int | None = None,
    ) -> int:
        """`user` presses the inline button whose callback_data (or else text) is `button`.

        Fails the test (AssertionError) when that message does not show such a button now.
        `message` is a SentMessage or a message_id in `chat_id` (default: her private chat).
        """
        if isinstance(message, SentMessage):
            chat_id, message_id = message.chat_id, message.message_id
        else:
            chat_id, message_id = (user.id if chat_id is None else chat_id), message
        chat = self._api.chats.chats.get(chat_id)
        if chat is None:
            raise AssertionError(f"press_button: chat {chat_id} does not exist")
        current = chat.by_id.get(message_id)
        if current is None or current.deleted:
            state = "was deleted" if current is not None else "does not exist"
            raise AssertionError(
                f"press_button: bot message #{message_id} {state} in chat {chat_id}\n"
                + chat.describe()
            )
        found = current.button(button)
        if found is None or found.callback_data is None:
            why = "is a URL button" if found is not None else "is not on that message"
            raise AssertionError(
                f"press_button: button {button!r} {why}; message #{message_id} shows "
                f"{[(b.text, b.value) for row in current.buttons for b in row]}"
            )
        query_id = str(next(_query_ids))
        update = {
            "callback_query": {
                "id": query_id,
                "from": user.to_api(),
                "message": message_json(current, chat, self._api.bot_ref),
                "chat_instance": str(abs(hash((chat.id, self._api.bot_user["id"])))),
                "data": found.callback_data,
            }
        }
        update_id = self._api.updates.push(update)
        self._api.record_press(
            ButtonPress(query_id, update_id, user, chat.id, message_id, found.callback_data)
        )
        return update_id

    # --- helpers ---------------------------------------------------------------------------

    def _group(self, chat_id: int) -> FakeChat:
        chat = self._api.chats.chats.get(chat_id)
        if chat is None or not chat.is_group:
            raise AssertionError(f"chat {chat_id} is not a known group; call add_group_chat first")
        return chat

    def _chat_of(self, user: FakeUser, chat_id: int | None) -> FakeChat:
        if chat_id is None or chat_id == user.id:
            self._api.chats.forbidden.pop(user.id, None)  # writing again means she unblocked
            return self._api.chats.private_chat(user)
        chat = self._group(chat_id)
        chat.members.add(user.id)
        self._api.chats.users[user.id] = user
        return chat

    def _store_user_file(
        self, kind: str, data: bytes, filename: str | None, mime_type: str | None
    ) -> Any:
        try:
            return self._api.files.add(kind, data, filename, mime_type)
        except ApiError as exc:
            raise ValueError(f"a user could not send this {kind}: {exc.description}") from None

    def _new_message(
        self, user: FakeUser, chat: FakeChat, fields: JSON, reply_to: int | None = None
    ) -> JSON:
        message: JSON = {
            "message_id": chat.next_message_id(),
            "from": user.to_api(),
            "chat": chat.to_api(),
            "date": self._api.date(),
            **fields,
        }
        if reply_to is not None:
            replied = chat.by_id.get(reply_to)
            if replied is not None:
                message["reply_to_message"] = message_json(replied, chat, self._api.bot_ref)
            elif reply_to in chat.from_users:
                message["reply_to_message"] = chat.from_users[reply_to].json
            else:
                raise AssertionError(f"reply_to: no message #{reply_to} in chat {chat.id}")
        return message

    def _reaches_bot(self, chat: FakeChat, text: str, reply_to: int | None) -> bool:
        """Privacy mode: in groups the bot sees commands, mentions and replies to itself only."""
        if not chat.is_group or not self.privacy_mode:
            return True
        if reply_to is not None and reply_to in chat.by_id:
            return True
        match = _COMMAND.match(text)
        if match is not None:
            _, _, addressee = match.group().partition("@")
            return not addressee or addressee.lower() == self.username.lower()
        return f"@{self.username}".lower() in text.lower()

    def _deliver(
        self, chat: FakeChat, user: FakeUser, message: JSON, text: str | None, reaches: bool
    ) -> int | None:
        record = UserMessage(message["message_id"], chat.id, user, text, message, reaches)
        chat.from_users[record.message_id] = record
        chat.transcript.append(record)
        if not reaches:
            return None
        return self._api.updates.push({"message": message})

    def _push_my_chat_member(self, chat: FakeChat, actor: FakeUser, old: str, new: str) -> int:
        def member(status: str) -> JSON:
            data: JSON = {"status": status, "user": self._api.bot_ref}
            if status == "kicked":
                data["until_date"] = 0
            return data

        return self._api.updates.push({
            "my_chat_member": {
                "chat": chat.to_api(),
                "from": actor.to_api(),
                "date": self._api.date(),
                "old_chat_member": member(old),
                "new_chat_member": member(new),
            }
        })
