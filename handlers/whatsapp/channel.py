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
recorded on the outbox row, logged once per template and code.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable

import httpx
from pywa_async import errors as wa_errors
from pywa_async import types as wa_types
from pywa_async.types.templates import TemplateLanguage

from bot.channels import PermanentFailure, RetryLater, TransientFailure, Unreachable
from bot.config import Settings
from bot.models import Reply
from handlers.whatsapp.client import CloudApi
from handlers.whatsapp.render import Outgoing, Remembered, render
from messages import FALLBACK, whatsapp_templates
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
    async def deliver(self, address: str, reply: Reply) -> str | None:
        async with self._db.read() as conn:
            contact = await whatsapp_repo.get(conn, address)
            member = await members_repo.by_identity(conn, "whatsapp", address)
        lang = member.language if member else FALLBACK
        now = self._now()
        opened = contact.last_inbound_at if contact else None
        if opened is None or now - opened > WINDOW_SECONDS - WINDOW_MARGIN:
            return await self._outside_window(address, reply, lang, member.display_name if member else "",
                                              member.id if member else None)
        try:
            return await self._send_reply(address, reply, lang)
        except wa_errors.ReEngagementMessage:
            return await self._outside_window(address, reply, lang, member.display_name if member else "",
                                              member.id if member else None)

    async def _send_reply(self, address: str, reply: Reply, lang: str) -> str | None:
        rendered = render(reply, lang)
        last: str | None = None
        for message in rendered.messages:
            last = await self._call(lambda m=message: self._send(address, m))  # type: ignore[misc]
        await self._remember(address, rendered.remembered)
        return last

    async def _remember(self, address: str, remembered: list[Remembered]) -> None:
        payload = json.dumps([[r.number, r.label, r.choice] for r in remembered], ensure_ascii=False) \
            if remembered else None
        async with self._db.transaction() as tx:
            await whatsapp_repo.remember_choices(tx, address, payload)

    async def _send(self, to: str, message: Outgoing) -> str:
        wa = self._wa
        if message.kind == "text":
            sent = await wa.send_message(to=to, text=message.body)
        elif message.kind == "buttons":
            sent = await wa.send_message(to=to, text=message.body, buttons=[
                wa_types.Button(title=title, callback_data=choice) for choice, title in message.buttons])
        elif message.kind == "list":
            rows = [wa_types.SectionRow(title=title, callback_data=choice, description=description)
                    for choice, title, description in message.rows]
            sent = await wa.send_message(to=to, text=message.body, buttons=wa_types.SectionList(
                button_title=message.list_button, sections=[wa_types.Section(title=message.list_section, rows=rows)]))
        else:
            attachment = message.attachment
            assert attachment is not None
            if message.kind == "image":
                sent = await wa.send_image(to=to, image=attachment.content, caption=message.body or None,
                                           mime_type=attachment.mime_type)
            else:
                sent = await wa.send_document(to=to, document=attachment.content, filename=attachment.filename,
                                              caption=message.body or None, mime_type=attachment.mime_type)
        return str(sent.id)

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
        message_id = await self._call(lambda: self._wa.send_template(
            to=address, name=self._settings.whatsapp_template_notice,
            language=TemplateLanguage(self._settings.whatsapp_template_language(lang)),
            params=[{"type": "body", "parameters": [{"type": "text", "text": name_param}]}]),
            template=str(template["name"]))
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
