"""The WhatsApp side of the Channel protocol: the 24-hour window, templates, Cloud API errors.

Inside the customer-service window (24 h since her last message) a reply goes out free-form.
Outside it, the message is held and an approved utility template (no content: "there is a
new message for you, reply to read it") asks her to open the window; held messages follow
as soon as she writes, each reminder or nudge checked again first (`handlers.whatsapp.updates`,
`bot.services.late`).

Template rule (every template is billed): one template per closed window, i.e. the first
message held since she last wrote sends it and later ones are only held. One more goes out
only for a new notice (an announcement, a change, a new survey: not a reminder, nudge or
digest of something she was already told about, `Recheck.reminder`) held at least
`TEMPLATE_REPEAT_AFTER` (7 days) after the first. Never more than two until she writes. Errors by meaning (Cloud API error codes):
131047 → the window was closed after all: hold + template; 130429 (throughput) → back off the
lane; 131056 (pair rate) → back off that person; 131026 → unreachable; 1320xx (template) →
recorded on the outbox row, logged once per template and code. The same errors reported later
by status webhook are acted on in `handlers.whatsapp.statuses`; every message id is recorded
for them (`storage.whatsapp.record_sent`).

Addressing: a business-scoped user id (any shape Meta documents, letters included) is sent in
`recipient`, a phone number (older payloads) in `to` — decided here, never by a library's id
pattern (pywa 4.5 takes `TR.AbC…` for a group id).

A reply that becomes several messages goes out part by part (`parts`, `deliver(part=i)`): the
dispatcher sends each once, in order, and resumes from the failed part after a 131056.

Files (`handlers.whatsapp.files`): a CSV goes as XLSX, a JSON export as plain text; a calendar
file becomes a link to our web server (`/takvim/<token>.ics`, unguessable, expiring after
`CALENDAR_LINK_DAYS`) plus a Google Calendar link; a file WhatsApp would refuse (or that
Meta refuses on upload) becomes one message saying so, never silence.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Callable
from typing import Any

import httpx
from pywa_async import errors as wa_errors

from bot.channels import PermanentFailure, RetryLater, TransientFailure, Unreachable
from bot.config import Settings
from bot.models import Attachment, Reply
from bot.calendar import google_calendar_link, ics_summary
from handlers.whatsapp.client import CloudApi
from handlers.whatsapp.files import CALENDAR, mime_of, sendable
from handlers.whatsapp.render import Outgoing, Remembered, render, whatsapp_text
from messages import FALLBACK, LANGUAGES, t, whatsapp_templates
from storage import members as members_repo
from storage import whatsapp as whatsapp_repo
from storage.db import Database

log = logging.getLogger(__name__)

WINDOW_SECONDS = 24 * 3600
WINDOW_MARGIN = 120  # do not start a free-form send in the window's last two minutes
# One "a message is waiting" template per closed window, one more after a week for a new
# notice (module docstring); she writes → the count starts again.
TEMPLATE_REPEAT_AFTER = 7 * 24 * 3600
TEMPLATES_PER_WINDOW = 2
THROUGHPUT_BACKOFF = 2.0  # 130429: the dispatcher pauses the bulk lane when several chats hit it
# The media message itself refused (invalid parameter, unsupported type, media upload error):
# she is told in one message instead.
FILE_REFUSED = frozenset({100, 131009, 131051, 131052, 131053})
CALENDAR_LINK_DAYS = 30  # a calendar link works this long (the meeting is usually sooner)
CALENDAR_PATH = "/takvim"


def reply_digest(reply: Reply) -> str:
    """What identifies a reply's outbox row among hers (status webhooks): SHA-256 of its JSON."""
    return hashlib.sha256(reply.model_dump_json().encode()).hexdigest()[:32]


def is_phone(address: str) -> bool:
    """A wa_id (digits, maybe a leading +) rather than a business-scoped user id."""
    return address.lstrip("+").isdigit()


class WhatsAppChannel:
    """`Channel` for the WhatsApp Cloud API through pywa."""

    name = "whatsapp"

    def __init__(self, api: CloudApi, db: Database, settings: Settings, now: Callable[[], float]) -> None:
        self._api = api
        self._wa = api.client
        self._db = db
        self._settings = settings
        self._now = now
        self._template_errors_logged: set[tuple[str, int]] = set()

    def is_group_chat(self, address: str) -> bool:
        return False  # Cloud API groups are not used: every address is a person

    async def download(self, file_id: str) -> bytes:
        """The media's bytes: a fresh URL (valid 5 minutes), then the file; a URL that has
        expired meanwhile is fetched once more."""
        for attempt in (1, 2):
            try:
                media = await self._wa.get_media_url(file_id)
                return await self._wa.get_media_bytes(media.url)
            except httpx.HTTPStatusError as error:
                if attempt == 2 or error.response.status_code not in (401, 403, 404, 410):
                    raise TransientFailure(f"media download: HTTP {error.response.status_code}") from error
            except wa_errors.WhatsAppError as error:
                raise TransientFailure(f"media url: {error.code}") from error
            except httpx.HTTPError as error:
                raise TransientFailure(f"media download: {type(error).__name__}") from error
        raise TransientFailure("media download failed")  # pragma: no cover

    # -- sending -----------------------------------------------------------------------------
    def parts(self, reply: Reply) -> int:
        """How many Cloud API messages `reply` becomes (the most in any language: the last
        part asked for sends whatever remains)."""
        return max(len(render(reply, lang).messages) for lang in LANGUAGES) or 1

    async def deliver(self, address: str, reply: Reply, part: int | None = None) -> str | None:
        """Send `reply` (all of it, or only message `part` of `parts(reply)`)."""
        async with self._db.read() as conn:
            contact = await whatsapp_repo.get(conn, address)
            member = await members_repo.by_identity(conn, "whatsapp", address)
        lang = member.language if member else FALLBACK
        now = self._now()
        opened = contact.last_inbound_at if contact else None
        if not part and (opened is None or now - opened > WINDOW_SECONDS - WINDOW_MARGIN):
            return await self._outside_window(address, reply, lang, member.display_name if member else "",
                                              member.id if member else None)
        try:
            return await self._send_reply(address, reply, lang, part, record=member is not None)
        except wa_errors.ReEngagementMessage:
            return await self._outside_window(address, reply, lang, member.display_name if member else "",
                                              member.id if member else None)

    async def _send_reply(self, address: str, reply: Reply, lang: str, part: int | None = None, *,
                          record: bool = True) -> str | None:
        """Send the reply's messages (all, or message `part`); `record`: keep their ids for
        status webhooks (not for a person who is no member, e.g. the goodbye after /unut)."""
        rendered = render(reply, lang)
        messages = rendered.messages
        last_part = True
        if part is not None:
            count = self.parts(reply)
            last_part = part >= count - 1
            messages = messages[part:] if last_part else messages[part:part + 1]
        digest = reply_digest(reply)
        last: str | None = None
        for message in messages:
            last = await self._call(lambda m=message: self._send(address, m, lang))  # type: ignore[misc]
            if record:
                await self._record(address, last, digest)
        if last_part:
            await self._remember(address, rendered.remembered)
        return last

    async def _record(self, address: str, message_id: str, digest: str, *, template: bool = False) -> None:
        async with self._db.transaction() as tx:
            await whatsapp_repo.record_sent(tx, message_id=message_id, user_id=address, reply_digest=digest,
                                            template=template, now=self._now())

    async def _remember(self, address: str, remembered: list[Remembered]) -> None:
        payload = json.dumps([[r.number, r.label, r.choice] for r in remembered], ensure_ascii=False) \
            if remembered else None
        async with self._db.transaction() as tx:
            await whatsapp_repo.remember_choices(tx, address, payload)

    async def _post(self, address: str, typ: str, body: dict[str, Any]) -> str:
        """POST one message (Cloud API `messages`), addressed by `recipient` (a BSUID of any
        shape) or `to` (a phone number); the message id."""
        to, recipient = (address, None) if is_phone(address) else (None, address)
        answer = await self._wa.api.send_message(
            sender=str(self._settings.whatsapp_phone_number_id), to=to, recipient=recipient,
            recipient_type="individual", typ=typ, msg=body)
        return str(answer["messages"][0]["id"])

    async def _send(self, to: str, message: Outgoing, lang: str = FALLBACK) -> str:
        if message.kind == "text":
            return await self._post(to, "text", {"body": message.body, "preview_url": False})
        if message.kind == "buttons":
            return await self._post(to, "interactive", {
                "type": "button", "body": {"text": message.body},
                "action": {"buttons": [{"type": "reply", "reply": {"id": choice, "title": title}}
                                       for choice, title in message.buttons]}})
        if message.kind == "list":
            rows = []
            for choice, title, description in message.rows:
                row = {"id": choice, "title": title}
                if description:
                    row["description"] = description
                rows.append(row)
            return await self._post(to, "interactive", {
                "type": "list", "body": {"text": message.body},
                "action": {"button": message.list_button,
                           "sections": [{"title": message.list_section, "rows": rows}]}})
        attachment = message.attachment
        assert attachment is not None
        if mime_of(attachment) == CALENDAR:
            return await self._post(to, "text", {"body": await self._calendar_text(message.body, attachment, lang),
                                                 "preview_url": False})
        found = sendable(attachment)
        if found is None:
            return await self._file_refused(to, message.body, attachment.filename, lang)
        kind, file = found
        try:
            uploaded = await self._wa.api.upload_media(
                phone_id=str(self._settings.whatsapp_phone_number_id), media=file.content,
                mime_type=file.mime_type, filename=file.filename)
        except wa_errors.WhatsAppError as error:
            if error.status_code is not None and error.status_code >= 500:
                raise
            log.warning("WhatsApp refused a %s upload (%s): she is told", file.mime_type, error.code)
            return await self._file_refused(to, message.body, file.filename, lang)
        media: dict[str, Any] = {"id": str(uploaded["id"])}
        if kind == "document":
            media["filename"] = file.filename
        if message.body:
            media["caption"] = message.body
        try:
            return await self._post(to, kind, media)
        except wa_errors.WhatsAppError as error:
            if error.code not in FILE_REFUSED:
                raise
            log.warning("WhatsApp refused a %s message (%s): she is told", kind, error.code)
            return await self._file_refused(to, message.body, file.filename, lang)

    async def _file_refused(self, to: str, body: str, filename: str, lang: str) -> str:
        """One message instead of a file WhatsApp does not take: the caption, then why."""
        note = whatsapp_text(t("whatsapp.file_not_sent", lang, name=filename))
        text = f"{body}\n\n{note}" if body else note
        return await self._post(to, "text", {"body": text[:4096], "preview_url": False})

    async def _calendar_text(self, body: str, attachment: Attachment, lang: str) -> str:
        """The calendar entry as links: our `.ics` behind an unguessable token that expires
        (webhook mode: the bot has a public URL) and a Google Calendar link (one event)."""
        lines = []
        base = (self._settings.webhook_url or "").rstrip("/")
        if base:
            token = secrets.token_urlsafe(24)
            async with self._db.transaction() as tx:
                await whatsapp_repo.add_calendar_link(
                    tx, token=token, filename=attachment.filename,
                    content=attachment.content.decode("utf-8", errors="replace"),
                    expires_at=self._now() + CALENDAR_LINK_DAYS * 24 * 3600)
            lines.append(whatsapp_text(t("whatsapp.calendar_link", lang, url=f"{base}{CALENDAR_PATH}/{token}.ics",
                                         days=CALENDAR_LINK_DAYS)))
        google = google_calendar_link(attachment.content)
        if google:
            lines.append(whatsapp_text(t("whatsapp.calendar_google", lang, url=google)))
        if not lines:
            lines.append(whatsapp_text(t("whatsapp.file_not_sent", lang, name=attachment.filename)))
        else:  # the caption says "open the file": say what the links hold instead
            count, title, cancelled = ics_summary(attachment.content)
            if title:
                body = whatsapp_text(t("whatsapp.calendar_cancelled" if cancelled else "whatsapp.calendar_title",
                                       lang, title=title))
            elif count:
                body = whatsapp_text(t("whatsapp.calendar_entries", lang, count=count))
        text = "\n\n".join([body, *lines]) if body else "\n\n".join(lines)
        return text[:4096]

    async def _outside_window(self, address: str, reply: Reply, lang: str, name: str,
                              member_id: int | None) -> str | None:
        """Hold the message; send the notice template if the template rule allows one."""
        now = self._now()
        payload = reply.model_dump_json()
        # The same message held again (its send retried after the template failed) is held once.
        # The key outlives her in the outbox (`wa-held:<key>`): opaque, never her user id.
        key = hashlib.sha256(f"{address}\n{payload}".encode()).hexdigest()[:32]
        async with self._db.transaction() as tx:
            await whatsapp_repo.hold(tx, user_id=address, key=key, payload=payload, member_id=member_id, now=now)
            contact = await whatsapp_repo.get(tx, address)
        if not template_due(contact, reply, now):
            return None
        template = whatsapp_templates()["notice"]
        name_param = name or ("Koordinat" if lang == "en" else "Koordinat üyesi")
        message_id = await self._call(lambda: self._post(address, "template", {
            "name": self._settings.whatsapp_template_notice,
            "language": {"code": self._settings.whatsapp_template_language(lang)},
            "components": [{"type": "body", "parameters": [{"type": "text", "text": name_param}]}]}),
            template=str(template["name"]))
        await self._record(address, message_id, reply_digest(reply), template=True)
        async with self._db.transaction() as tx:
            await whatsapp_repo.templated(tx, address, now)
            await whatsapp_repo.remember_choices(tx, address, None)
        return message_id

    async def _call(self, send: Callable[[], object], *, template: str | None = None) -> str:
        """One Cloud API call with its errors turned into the dispatcher's meanings."""
        try:
            result = await send()  # type: ignore[misc]
        except (wa_errors.RateLimitHit, wa_errors.ToManyAPICalls) as error:
            raise RetryLater(THROUGHPUT_BACKOFF) from error
        except wa_errors.TooManyMessages as error:
            # 131056: about one message every 6 s to the same person (whatsapp_pair_seconds).
            raise RetryLater(self._settings.whatsapp_pair_seconds) from error
        except wa_errors.MessageUndeliverable as error:
            raise Unreachable(f"131026 {error.message}") from error
        except wa_errors.ReEngagementMessage:
            raise
        except wa_errors.WhatsAppError as error:
            if 132000 <= error.code < 133000:
                marker = (template or "?", error.code)
                if marker not in self._template_errors_logged:
                    self._template_errors_logged.add(marker)
                    log.error("WhatsApp template %s rejected (%s %s): check it is approved in WhatsApp "
                              "Manager with the texts in messages/whatsapp_templates.toml", template,
                              error.code, error.message)
                raise PermanentFailure(f"template {template}: {error.code} {error.message}") from error
            if error.status_code is not None and error.status_code >= 500 or error.is_transient:
                raise TransientFailure(f"{error.code} {error.message}") from error
            raise PermanentFailure(f"{error.code} {error.message}") from error
        except httpx.HTTPError as error:
            raise TransientFailure(type(error).__name__) from error
        return str(getattr(result, "id", result))


def template_due(contact: whatsapp_repo.Contact | None, reply: Reply, now: float) -> bool:
    """The template rule (module docstring): True for the first message held since she last
    wrote; for a second only if it is a new notice (not a reminder) and the first template is
    at least `TEMPLATE_REPEAT_AFTER` seconds old; never a third."""
    sent = contact.templates_since_inbound if contact else 0
    if sent == 0:
        return True
    if sent >= TEMPLATES_PER_WINDOW or (reply.recheck is not None and reply.recheck.reminder):
        return False
    last = contact.last_template_at if contact else None
    return last is None or now - last >= TEMPLATE_REPEAT_AFTER
