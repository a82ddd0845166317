"""Plain records kept by the fake Bot API: users, chats, sent messages, recorded calls."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

JSON = dict[str, Any]


@dataclass(frozen=True)
class FakeUser:
    """A Telegram user who talks to the bot in a test or in the demo."""

    id: int
    first_name: str
    language_code: str | None = "tr"
    username: str | None = None
    last_name: str | None = None

    def to_api(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data


class UploadedFile(NamedTuple):
    """One multipart part of a request: (filename, bytes, content type)."""

    filename: str | None
    data: bytes
    content_type: str | None


@dataclass(frozen=True)
class StoredFile:
    """A file the fake server knows by file_id (uploaded by the bot or sent by a user)."""

    file_id: str
    file_unique_id: str
    data: bytes
    kind: str  # "document" | "photo"
    file_path: str
    filename: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0

    @property
    def size(self) -> int:
        return len(self.data)

    def document_json(self) -> JSON:
        data: JSON = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }
        if self.filename:
            data["file_name"] = self.filename
        if self.mime_type:
            data["mime_type"] = self.mime_type
        return data

    def photo_sizes_json(self) -> list[JSON]:
        """A thumbnail (when the picture is larger than 90 px) and the full size, like Telegram."""
        full = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "width": self.width,
            "height": self.height,
        }
        longest = max(self.width, self.height)
        if longest <= 90:
            return [full]
        scale = 90 / longest
        thumb = {
            "file_id": self.file_id + "_s",
            "file_unique_id": self.file_unique_id + "s",
            "file_size": max(1, self.size // 20),
            "width": max(1, round(self.width * scale)),
            "height": max(1, round(self.height * scale)),
        }
        return [thumb, full]

    def file_json(self) -> JSON:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "file_path": self.file_path,
        }


@dataclass(frozen=True)
class Button:
    """One inline keyboard button as the user sees it."""

    text: str
    callback_data: str | None = None
    url: str | None = None

    @property
    def value(self) -> str | None:
        """callback_data, or the url for link buttons."""
        return self.callback_data if self.callback_data is not None else self.url


@dataclass(frozen=True)
class MessageVersion:
    """What a message looked like before an edit."""

    text: str | None
    raw_text: str | None
    entities: list[JSON]
    parse_mode: str | None
    reply_markup: JSON | None
    edit_date: int | None


@dataclass(eq=False)
class SentMessage:
    """A message the bot sent, as the recipient sees it now (edits applied, history kept).

    `text` is the visible text (or caption, for documents and photos) after entity parsing:
    `<b>Hi</b>` sent with parse_mode HTML is stored as text "Hi" and raw_text "<b>Hi</b>".
    """

    message_id: int
    chat_id: int
    date: int
    kind: str  # "text" | "document" | "photo"
    text: str | None
    raw_text: str | None
    entities: list[JSON]
    parse_mode: str | None
    reply_markup: JSON | None
    document: StoredFile | None = None
    photo: StoredFile | None = None
    reply_to_message_id: int | None = None
    edit_date: int | None = None
    deleted: bool = False
    history: list[MessageVersion] = field(default_factory=list)
    params: JSON = field(default_factory=dict)

    @property
    def thread_id(self) -> int | None:
        """The forum topic it was posted in (None: General or a chat without topics)."""
        thread = self.params.get("message_thread_id")
        return int(thread) if thread not in (None, "") else None

    @property
    def edited(self) -> bool:
        return bool(self.history)

    @property
    def caption(self) -> str | None:
        return self.text if self.kind != "text" else None

    @property
    def buttons(self) -> list[list[Button]]:
        """Inline keyboard rows; empty when the message has no inline keyboard."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [
            [Button(b.get("text", ""), b.get("callback_data"), b.get("url")) for b in row]
            for row in rows
        ]

    @property
    def button_texts(self) -> list[str]:
        return [b.text for row in self.buttons for b in row]

    @property
    def callback_datas(self) -> list[str]:
        return [b.callback_data for row in self.buttons for b in row if b.callback_data]

    def button(self, text_or_data: str) -> Button | None:
        """The button whose callback_data, or else whose text, equals `text_or_data`."""
        flat = [b for row in self.buttons for b in row]
        for b in flat:
            if b.callback_data == text_or_data:
                return b
        for b in flat:
            if b.text == text_or_data:
                return b
        return None

    @property
    def document_name(self) -> str | None:
        return self.document.filename if self.document else None

    @property
    def document_bytes(self) -> bytes | None:
        return self.document.data if self.document else None

    @property
    def photo_bytes(self) -> bytes | None:
        return self.photo.data if self.photo else None

    def snapshot(self) -> MessageVersion:
        return MessageVersion(
            self.text, self.raw_text, list(self.entities), self.parse_mode,
            self.reply_markup, self.edit_date,
        )

    def describe(self) -> str:
        """One transcript line."""
        parts = [f"#{self.message_id} bot"]
        if self.edited:
            parts.append(f"(edited x{len(self.history)})")
        if self.deleted:
            parts.append("(deleted)")
        if self.document:
            parts.append(f"[document {self.document.filename!r}, {self.document.size} B]")
        if self.photo:
            parts.append(f"[photo {self.photo.size} B]")
        head = " ".join(parts)
        line = f"{head}: {self.text!r}" if self.text is not None else head
        rows = self.buttons
        if rows:
            shown = " / ".join(
                " | ".join(f"{b.text}({b.value})" for b in row) for row in rows
            )
            line += f"  buttons: {shown}"
        return line


@dataclass(frozen=True)
class UserMessage:
    """A message a fake user sent to a chat (kept for transcripts and replies)."""

    message_id: int
    chat_id: int
    user: FakeUser
    text: str | None
    json: JSON
    delivered: bool

    def describe(self) -> str:
        note = "" if self.delivered else " (not delivered: privacy mode)"
        if "new_chat_members" in self.json:
            names = ", ".join(m.get("first_name", "?") for m in self.json["new_chat_members"])
            return f"#{self.message_id} {self.user.first_name}: [added {names}]"
        media = next((k for k in ("photo", "document") if k in self.json), None)
        body = repr(self.text) if self.text is not None else ""
        if media:
            body = f"[{media}] {body}".strip()
        return f"#{self.message_id} {self.user.first_name}: {body}{note}"


@dataclass
class ApiCall:
    """One HTTP request to the fake Bot API."""

    method: str
    params: JSON
    files: dict[str, UploadedFile]
    at: float
    status: int = 0
    error: str | None = None
    result: Any = None

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")


@dataclass(frozen=True)
class CallbackAnswer:
    """What the bot answered to a button press (the toast or alert the user saw)."""

    text: str | None
    show_alert: bool
    url: str | None


@dataclass
class ButtonPress:
    """A callback query a fake user made by pressing an inline button."""

    query_id: str
    update_id: int
    user: FakeUser
    chat_id: int
    message_id: int
    data: str
    answer: CallbackAnswer | None = None
