"""Pydantic models at the boundaries: stored rows and what services hand to channels."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.text import clean_text


class Role(StrEnum):
    COORDINATOR = "coordinator"
    MEMBER = "member"


class Group(BaseModel):
    model_config = ConfigDict(defer_build=True)  # built on first use (start-up, issue 24)
    id: int
    name: str
    city: str
    language: str
    timezone: str
    telegram_chat_id: str | None = None
    settings: dict[str, object] = Field(default_factory=dict)
    # The forum topic of the linked chat (`message_thread_id`) its notices go to; None: the chat.
    telegram_thread_id: int | None = None

    @property
    def telegram_address(self) -> str | None:
        """Where its notices go on Telegram: `<chat id>` or `<chat id>#<topic>` (see
        `topic_address`), None when no chat is linked."""
        if self.telegram_chat_id is None:
            return None
        return topic_address(self.telegram_chat_id, self.telegram_thread_id)


def topic_address(chat_id: str, thread_id: int | None) -> str:
    """A chat address naming a forum topic: `-1001234567890#42` (the chat alone without one)."""
    return f"{chat_id}#{thread_id}" if thread_id else chat_id


def split_topic_address(address: str) -> tuple[str, int | None]:
    """`-1001234567890#42` → (`-1001234567890`, 42); an address without a topic → (it, None)."""
    chat, _, thread = address.partition("#")
    return chat, int(thread) if thread.isdigit() else None


class Member(BaseModel):
    model_config = ConfigDict(defer_build=True)  # built on first use (start-up, issue 24)
    id: int
    display_name: str
    language: str
    unreachable_at: str | None = None


class Membership(BaseModel):
    model_config = ConfigDict(defer_build=True)  # built on first use (start-up, issue 24)
    group: Group
    role: Role


class Invite(BaseModel):
    model_config = ConfigDict(defer_build=True)  # built on first use (start-up, issue 24)
    code: str
    group_id: int
    role: Role
    expires_at: datetime | None
    max_uses: int | None
    uses: int


class Actor(BaseModel):
    """Who is talking to the bot, as the channel adapter saw them."""
    model_config = ConfigDict(defer_build=True)  # built on first use (start-up, issue 24)

    channel: str
    external_id: str
    display_name: str = ""
    language_hint: str | None = None
    # The bot message a button was pressed on (lets a service edit it in place).
    source_message_id: str | None = None

    @field_validator("display_name")
    @classmethod
    def _visible_name(cls, value: str) -> str:
        """A platform name of only zero-width or control characters counts as no name."""
        return clean_text(value)


class Button(BaseModel):
    """A choice (`choice` is a callback id such as `rsvp:42:yes`, ≤ 64 bytes) or a link."""
    model_config = ConfigDict(defer_build=True)  # built on first use (start-up, issue 24)

    label: str
    choice: str | None = None
    url: str | None = None
    # A longer explanation shown under the choice where the platform can (WhatsApp list rows).
    description: str | None = None


class Attachment(BaseModel):
    model_config = ConfigDict(defer_build=True, ser_json_bytes="base64", val_json_bytes="base64")

    kind: Literal["document", "photo"]
    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


UploadKind = Literal["photo", "document", "video", "audio", "voice", "sticker", "location",
                     "contact", "other"]


class Upload(BaseModel):
    """Something other than text that a person sent the bot (inbound).

    `file_id` is the platform's own handle (Telegram `file_id`, WhatsApp media id); the bytes
    are fetched through `Channel.download(file_id)` only when a step wants them (evidence).
    Location, contact and sticker have no file worth keeping: `file_id` is then "".
    """
    model_config = ConfigDict(defer_build=True)  # built on first use (start-up, issue 24)

    kind: UploadKind
    file_id: str = ""
    filename: str | None = None
    mime_type: str | None = None
    size: int | None = None  # bytes, when the platform says
    caption: str | None = None
    latitude: float | None = None  # a shared location (WGS 84 degrees), when kind is "location"
    longitude: float | None = None

    @field_validator("caption")
    @classmethod
    def _visible_caption(cls, value: str | None) -> str | None:
        return (clean_text(value, multiline=True) or None) if value is not None else None


class Recheck(BaseModel):
    """What a timed message (a reminder, a nudge) is about, so that a late delivery can be
    checked again before it goes out: a WhatsApp message held while her 24-hour window was
    closed is released only when she writes, maybe days later (`bot.services.late`).

    `kind` names a check registered with `LateDelivery` (e.g. `meeting_reminder`), `ref` the
    ids it needs (e.g. `{"meeting_id": 4, "sequence": 1}`), `until` (UTC) the moment after
    which the message is not worth sending any more: the same grace the reminder kind has
    for a late send on Telegram (`ReminderService.register_kind(grace=...)`). `reminder` is
    True for reminders, nudges and digests (about something she was told before), False for
    a notice of something new (e.g. a meeting announced): only the latter may cost a second
    WhatsApp template while her window stays closed.
    """
    model_config = ConfigDict(defer_build=True)  # built on first use (start-up, issue 24)

    kind: str
    ref: dict[str, int | str] = Field(default_factory=dict)
    until: datetime | None = None
    reminder: bool = True


class Reply(BaseModel):
    """One message for one person, in their language, platform-neutral.

    `text` is the small HTML subset of `messages/`. With `edit_of`, the adapter edits that
    earlier message instead of sending a new one (e.g. RSVP buttons showing the choice).
    `recheck`, on reminders and nudges, lets a late delivery be dropped or recomputed
    (`Recheck`); channels that send at once ignore it.
    """

    model_config = ConfigDict(defer_build=True, ser_json_bytes="base64", val_json_bytes="base64")

    text: str
    buttons: list[list[Button]] = Field(default_factory=list)
    attachment: Attachment | None = None
    edit_of: str | None = None
    recheck: Recheck | None = None
