"""The WhatsApp webhook: the GET verify handshake and signed POSTs (Starlette endpoints).

A POST is accepted only with a valid `X-Hub-Signature-256`: HMAC-SHA256 of the raw request
bytes with the app secret (pywa's validator), never of re-encoded JSON, so Turkish letters,
`@` and escapes verify exactly as Meta signed them. Missing → 401, wrong → 403; nothing is
stored. The 200 goes back only after the messages' effects are committed, so a crash makes
Meta redeliver, and the inbox makes a redelivery change nothing.
"""

from __future__ import annotations

import hmac
import logging

from pydantic import ValidationError
from pywa.utils import webhook_updates_validator
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from bot.services import Services
from handlers.whatsapp.payloads import parse, parse_statuses
from handlers.whatsapp.statuses import handle_status
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
            inbound = parse(body)
            statuses = parse_statuses(body)
        except ValidationError:
            return PlainTextResponse("Bad Request", status_code=400)
        for message in inbound:
            await handle(self._services, message)
        for status in statuses:
            await handle_status(self._services, status)
        return PlainTextResponse("ok")
