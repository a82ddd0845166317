"""What the fake Graph API records: people, messages the business sent, and limits."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# Cloud API limits (developers.facebook.com/docs/whatsapp/cloud-api/reference/messages,
# "Interactive object"): reply buttons, list messages, texts.
MAX_REPLY_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_LIST_ROWS = 10
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72
MAX_LIST_BUTTON = 20
MAX_TEXT_BODY = 4096
MAX_INTERACTIVE_BODY = 1024
MAX_CAPTION = 1024
WINDOW_SECONDS = 24 * 3600

# Supported media (developers.facebook.com/docs/whatsapp/cloud-api/reference/media,
# "Supported media types"): MIME type → (message type it may be sent as, maximum bytes).
MB = 1024 * 1024
MEDIA_TYPES: dict[str, tuple[str, int]] = {
    "audio/aac": ("audio", 16 * MB), "audio/amr": ("audio", 16 * MB), "audio/mpeg": ("audio", 16 * MB),
    "audio/mp4": ("audio", 16 * MB), "audio/ogg": ("audio", 16 * MB),
    "text/plain": ("document", 100 * MB), "application/pdf": ("document", 100 * MB),
    "application/msword": ("document", 100 * MB),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("document", 100 * MB),
    "application/vnd.ms-excel": ("document", 100 * MB),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("document", 100 * MB),
    "application/vnd.ms-powerpoint": ("document", 100 * MB),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("document", 100 * MB),
    "image/jpeg": ("image", 5 * MB), "image/png": ("image", 5 * MB),
    "image/webp": ("sticker", 500 * 1024),
    "video/mp4": ("video", 16 * MB), "video/3gpp": ("video", 16 * MB),
}

# Business-scoped user ids as Meta documents them (developers.facebook.com/documentation/
# business-messaging/whatsapp/business-scoped-user-ids): a two-letter country code, a period
# and an alphanumeric id (`US.13491208655302741918`); a parent BSUID `US.ENT.11815799212886844830`.
BSUID = re.compile(r"^[A-Z]{2}\.(ENT\.)?[A-Za-z0-9]{1,128}$")


@dataclass
class FakeWaUser:
    """A WhatsApp user: business-scoped user id (always) and phone (wa_id, may be hidden)."""

    user_id: str
    name: str
    wa_id: str | None = None


@dataclass
class Choice:
    id: str
    title: str
    description: str | None = None

    # The names the demo's tour player uses for Telegram buttons.
    @property
    def text(self) -> str:
        return self.title

    @property
    def callback_data(self) -> str:
        return self.id


@dataclass
class WaMessage:
    """One message the business sent (what the person's phone shows)."""

    id: str
    to: str
    type: str  # text | interactive | template | document | image
    text: str = ""
    buttons: list[Choice] = field(default_factory=list)   # reply buttons
    rows: list[Choice] = field(default_factory=list)      # list message rows
    list_button: str | None = None
    template: str | None = None
    template_language: str | None = None
    template_params: list[str] = field(default_factory=list)
    media_id: str | None = None
    filename: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def plain_text(self) -> str:
        """The text without WhatsApp's formatting marks (*bold*, _italic_, `code`)."""
        return re.sub(r"(?<!\w)[*_`]|[*_`](?!\w)", "", self.text)

    @property
    def document_name(self) -> str | None:
        return self.filename

    @property
    def kind(self) -> str:
        return self.type

    @property
    def choices(self) -> list[Choice]:
        return self.buttons + self.rows

    @property
    def titles(self) -> list[str]:
        return [choice.title for choice in self.choices]


class GraphError(Exception):
    """An error answer, shaped like the Graph API's `{"error": {...}}`."""

    def __init__(self, code: int, message: str, *, status: int = 400, details: str = "",
                 full_message: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.details = details
        self.full_message = full_message  # Meta's own wording, e.g. "(#100) Param file must be…"

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.full_message or f"({self.code}) {self.message}", "type": "OAuthException",
                                 "code": self.code, "fbtrace_id": "FAKE"}
        if self.details:
            error["error_data"] = {"messaging_product": "whatsapp", "details": self.details}
        return {"error": error}


# The meanings the bot must handle (Cloud API error codes).
ERRORS: dict[int, str] = {
    130429: "Rate limit hit",
    131026: "Message undeliverable",
    131047: "Re-engagement message",
    131049: "This message was not delivered to maintain healthy ecosystem engagement.",
    131050: "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages "
            "on WhatsApp from your business",
    130472: "User's number is part of an experiment",
    131056: "(Business Account, Consumer Account) pair rate limit hit",
    132000: "Number of parameters does not match the expected number of params",
    132001: "Template name does not exist in the translation",
    132015: "Template is paused",
}
