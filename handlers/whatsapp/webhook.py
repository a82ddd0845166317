"""The WhatsApp webhook: the GET verify handshake and signed POSTs (Starlette endpoints).

A POST is accepted only with a valid `X-Hub-Signature-256`: HMAC-SHA256 of the raw request
bytes with the app secret (pywa's validator), never of re-encoded JSON, so Turkish letters,
`@` and escapes verify exactly as Meta signed them. Missing → 401, wrong → 403; nothing is
stored. The 200 goes back only after the messages' effects are committed, so a crash makes
Meta redeliver, and the inbox makes a redelivery change nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from pywa.utils import webhook_updates_validator
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from bot.services import Services
from bot.models import Actor
from bot.services.quarantine import reason_of
from handlers.whatsapp.payloads import Unreadable, parse_each, parse_statuses
from handlers.whatsapp.statuses import handle_status
from storage import whatsapp as whatsapp_repo
from storage.db import is_disk_full, is_fatal_storage_error
from handlers.whatsapp.updates import handle

log = logging.getLogger(__name__)

MAX_BODY = 3 * 1024 * 1024  # Meta's payloads are a few KB; refuse anything absurd


class WhatsAppWebhook:
    def __init__(self, services: Services, app_secret: str, verify_token: str) -> None:
        self._services = services
        self._app_secret = app_secret
        self._verify_token = verify_token

    async def verify(self, request: Request) -> Response:
        """Meta's subscription handshake: echo `hub.challenge` when `hub.verify_token` matches."""
        params = request.query_params
        token = params.get("hub.verify_token", "")
        if params.get("hub.mode") == "subscribe" and hmac.compare_digest(token, self._verify_token):
            return PlainTextResponse(params.get("hub.challenge", ""))
        log.warning("whatsapp webhook verification refused (wrong verify token)")
        return PlainTextResponse("Forbidden", status_code=403)

    async def receive(self, request: Request) -> Response:
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > MAX_BODY:
            return PlainTextResponse("Payload Too Large", status_code=413)
        body = await request.body()
        signature = request.headers.get("x-hub-signature-256")
        if not signature:
            log.warning("whatsapp webhook: POST without X-Hub-Signature-256 refused")
            return PlainTextResponse("Unauthorized", status_code=401)
        if not webhook_updates_validator(self._app_secret, body, signature):
            log.warning("whatsapp webhook: POST with a wrong signature refused")
            return PlainTextResponse("Forbidden", status_code=403)
        try:
            inbound, unreadable = parse_each(body)
        except ValueError:  # signed by Meta, yet no webhook body: kept, never redelivered forever
            digest = hashlib.sha256(body).hexdigest()[:16]
            raw = body.decode("utf-8", "replace")
            return await self._kept([Unreadable(raw, "not a Cloud API webhook body", "", f"body:{digest}")])
        for message in inbound:
            try:
                await handle(self._services, message)
            except Exception as error:
                if is_disk_full(error) or is_fatal_storage_error(error):
                    raise  # not saved: Meta delivers it again (the database said why, once)
                unreadable.append(Unreadable({"id": message.message_id, "from_user_id": message.user_id},
                                             reason_of(error), message.user_id, message.message_id))
        try:  # delivery statuses (a failure Meta reports after the send): acted on like a failed send
            statuses = parse_statuses(body)
        except ValueError:
            log.warning("whatsapp webhook: statuses that could not be read were left out")
            statuses = []
        for status in statuses:
            await handle_status(self._services, status)
        return await self._kept(unreadable)

    async def _kept(self, unreadable: list[Unreadable]) -> Response:
        """Quarantine what could not be read or processed, answer its sender, then 200; a 503
        (Meta delivers again) only when not even the quarantine can be written."""
        quarantine = self._services.quarantine
        for item in unreadable:
            country = item.user_id.split(".")[0] if "." in item.user_id else ""
            sender = Actor(channel="whatsapp", external_id=item.user_id,
                           language_hint="tr" if country in ("TR", "") else "en") if item.user_id else None
            try:
                if quarantine is None:
                    raise RuntimeError("no quarantine")
                if sender is not None:  # she wrote: her 24-hour window is open for the answer
                    async with self._services.db.transaction() as tx:
                        await whatsapp_repo.saw(tx, item.user_id, None, self._services.now_seconds())
                await quarantine.keep("whatsapp", item.message_id or "?", item.raw, item.reason,
                                      chat_key=item.user_id, sender=sender)
            except Exception as error:
                log.error("whatsapp webhook: could not quarantine message %s: %s", item.message_id,
                          reason_of(error))
                return PlainTextResponse("try again", status_code=503)
        return PlainTextResponse("ok")
