"""Webhook payloads (Cloud API `messages` field) → what people did, platform-neutral.

pywa's typed updates read only the first message of a POST (`entry[0].changes[0]…[0]`), and
Meta may batch several; so the envelope is read here, with pydantic, and every message kept.
Shapes: developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples (2026:
`user_id` / `from_user_id` is the business-scoped user id; `wa_id` / `from` may be absent).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.models import Upload


class _Loose(BaseModel):
    model_config = ConfigDict(extra="allow")


class _Profile(_Loose):
    name: str | None = None


class _Contact(_Loose):
    profile: _Profile = Field(default_factory=_Profile)
    wa_id: str | None = None
    user_id: str | None = None


class _Message(_Loose):
    id: str
    type: str
    from_: str | None = Field(default=None, alias="from")
    from_user_id: str | None = None
    timestamp: str | None = None


class _StatusError(_Loose):
    code: int = 0
    title: str | None = None


class _Status(_Loose):
    id: str
    status: str
    timestamp: str | None = None
    recipient_id: str | None = None       # her phone (wa_id), absent when hidden
    recipient_user_id: str | None = None  # her business-scoped user id
    errors: list[_StatusError] = Field(default_factory=list)


class _Value(_Loose):
    contacts: list[_Contact] = Field(default_factory=list)
    messages: list[_Message] = Field(default_factory=list)
    statuses: list[_Status] = Field(default_factory=list)


class _Change(_Loose):
    field: str = ""
    value: _Value = Field(default_factory=_Value)


class _Entry(_Loose):
    changes: list[_Change] = Field(default_factory=list)


class Envelope(_Loose):
    object: str = ""
    entry: list[_Entry] = Field(default_factory=list)


@dataclass(frozen=True)
class Inbound:
    """One thing a person did. `user_id` is her business-scoped id (the wa_id only for old
    payloads without one); exactly one of text / choice / upload / new_user_id is set."""

    message_id: str
    user_id: str
    wa_id: str | None  # E.164, e.g. +905321234567
    name: str
    timestamp: float | None
    text: str | None = None
    choice: str | None = None
    choice_title: str | None = None
    upload: Upload | None = None
    new_user_id: str | None = None
    new_wa_id: str | None = None
    ignored: bool = False  # a reaction or a read receipt of hers: it opens the window, nothing more


@dataclass(frozen=True)
class StatusUpdate:
    """A `statuses[]` entry: what became of a message we sent (`sent`, `delivered`, `read`,
    `failed` with the Cloud API error `codes`). `user_id` (BSUID) and `wa_id` (E.164) name
    her when Meta gives them."""

    message_id: str
    status: str
    user_id: str | None
    wa_id: str | None
    codes: tuple[int, ...] = ()


def parse_statuses(body: bytes) -> list[StatusUpdate]:
    """Every status in a webhook body. Raises `pydantic.ValidationError` like `parse`."""
    envelope = Envelope.model_validate_json(body)
    return [StatusUpdate(message_id=status.id, status=status.status, user_id=status.recipient_user_id,
                         wa_id=e164(status.recipient_id), codes=tuple(error.code for error in status.errors))
            for entry in envelope.entry for change in entry.changes if change.field == "messages"
            for status in change.value.statuses]


def e164(wa_id: str | None) -> str | None:
    """`905321234567` → `+905321234567` (phonenumbers); None when absent or not a number."""
    if not wa_id:
        return None
    try:
        number = phonenumbers.parse("+" + wa_id.lstrip("+"), None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(phone: str | None) -> str:
    """For logs: `+905321234567` → `+90*******67`."""
    if not phone:
        return "-"
    return phone[:3] + "*" * max(0, len(phone) - 5) + phone[-2:]


# Answering these would cost a message and say nothing (a 👍 under a notice is not a question).
_SILENT = frozenset({"reaction", "request_welcome", "ephemeral", "revoke"})
_MEDIA_KINDS = {"image": "photo", "document": "document", "video": "video", "audio": "audio",
                "sticker": "sticker"}


def _upload(message: _Message) -> Upload:
    extra: dict[str, Any] = message.model_extra or {}
    if message.type in _MEDIA_KINDS:
        media = extra.get(message.type) or {}
        kind = _MEDIA_KINDS[message.type]
        if message.type == "audio" and media.get("voice"):
            kind = "voice"
        file_id = "" if kind == "sticker" else str(media.get("id", ""))
        return Upload(kind=kind, file_id=file_id, filename=media.get("filename"),  # type: ignore[arg-type]
                      mime_type=media.get("mime_type"), caption=media.get("caption"))
    if message.type == "location":  # Cloud API: {"location": {"latitude": …, "longitude": …, "name"?, "address"?}}
        place = extra.get("location") or {}
        try:
            latitude, longitude = float(place["latitude"]), float(place["longitude"])
        except (KeyError, TypeError, ValueError):
            return Upload(kind="location")
        return Upload(kind="location", latitude=latitude, longitude=longitude)
    if message.type == "contacts":
        return Upload(kind="contact")
    return Upload(kind="other")


def parse(body: bytes) -> list[Inbound]:
    """Every message in a webhook body (statuses and other fields are ignored).

    Raises `pydantic.ValidationError` for a body that is not a Cloud API payload."""
    envelope = Envelope.model_validate_json(body)
    found: list[Inbound] = []
    for entry in envelope.entry:
        for change in entry.changes:
            if change.field != "messages":
                continue
            contacts = change.value.contacts
            for message in change.value.messages:
                contact = next((c for c in contacts if c.user_id and c.user_id == message.from_user_id), None) \
                    or next((c for c in contacts if c.wa_id and c.wa_id == message.from_), None) \
                    or (contacts[0] if len(contacts) == 1 else _Contact())
                user_id = message.from_user_id or contact.user_id or message.from_ or contact.wa_id
                if not user_id:
                    continue
                found.append(_inbound(message, user_id, contact))
    return found


@dataclass(frozen=True)
class Unreadable:
    """A message of a webhook body that could not be read: its raw JSON, why, and who sent it
    (her business-scoped id, '' when even that is unknown)."""

    raw: Any
    reason: str
    user_id: str
    message_id: str


UNSTORABLE = "text that cannot be stored (a lone UTF-16 surrogate)"


def parse_each(body: bytes) -> tuple[list[Inbound], list[Unreadable]]:
    """Like `parse`, message by message: one message that cannot be read (an unexpected shape,
    text with a lone UTF-16 surrogate, which has no UTF-8 form) is returned apart and the
    others are read. Raises `ValueError` for a body that is not JSON with an `entry` list."""
    data = json.loads(body)
    if not isinstance(data, dict) or not isinstance(data.get("entry"), list):
        raise ValueError("not a Cloud API webhook body")
    found: list[Inbound] = []
    unreadable: list[Unreadable] = []
    for entry in data["entry"]:
        for change in (entry.get("changes") if isinstance(entry, dict) else None) or []:
            if not isinstance(change, dict) or change.get("field") != "messages":
                continue
            value = change.get("value") if isinstance(change.get("value"), dict) else {}
            contacts = value.get("contacts") if isinstance(value.get("contacts"), list) else []
            for message in value.get("messages") if isinstance(value.get("messages"), list) else []:
                single = {"object": data.get("object", ""), "entry": [{"id": str(entry.get("id", "")), "changes": [
                    {"field": "messages", "value": {**value, "contacts": contacts, "messages": [message]}}]}]}
                sender = message.get("from_user_id") or message.get("from") or "" if isinstance(message, dict) else ""
                message_id = str(message.get("id") or "") if isinstance(message, dict) else ""
                try:
                    text = json.dumps(single, ensure_ascii=False)
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    unreadable.append(Unreadable(message, UNSTORABLE, str(sender), message_id))
                    continue
                try:
                    found += parse(text.encode("utf-8"))
                except (ValidationError, ValueError, TypeError, AttributeError) as error:
                    first = str(error).splitlines()[0] if str(error) else ""
                    unreadable.append(Unreadable(message, f"{type(error).__name__}: {first}", str(sender),
                                                 message_id))
    return found, unreadable


def _inbound(message: _Message, user_id: str, contact: _Contact) -> Inbound:
    extra: dict[str, Any] = message.model_extra or {}
    wa_id = e164(message.from_ or contact.wa_id)
    stamp = float(message.timestamp) if message.timestamp and message.timestamp.isdigit() else None
    base = {"message_id": message.id, "user_id": user_id, "wa_id": wa_id,
            "name": contact.profile.name or "", "timestamp": stamp}
    if message.type == "text":
        return Inbound(**base, text=str((extra.get("text") or {}).get("body", "")))
    if message.type == "interactive":
        data = extra.get("interactive") or {}
        reply = data.get("button_reply") or data.get("list_reply") or {}
        return Inbound(**base, choice=str(reply.get("id", "")), choice_title=reply.get("title"))
    if message.type == "button":  # a quick-reply button on a template
        button = extra.get("button") or {}
        return Inbound(**base, text=str(button.get("text") or button.get("payload") or ""))
    if message.type in _SILENT:
        return Inbound(**base, ignored=True)
    if message.type == "system":
        system = extra.get("system") or {}
        return Inbound(**base, new_user_id=system.get("user_id") or user_id,
                       new_wa_id=e164(system.get("wa_id") or system.get("new_wa_id")))
    return Inbound(**base, upload=_upload(message))
