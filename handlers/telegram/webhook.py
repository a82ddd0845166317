"""Webhook mode: Telegram posts each update to `/telegram`; we answer 200 only once the update
is committed to the inbox (an answer other than 2xx makes Telegram deliver it again).

Refused: a missing or wrong `X-Telegram-Bot-Api-Secret-Token` (403), a body over 1 MB (413),
a body that is not a JSON update (400). The route is served by `handlers.web` (one server for
every webhook and /health).
"""

from __future__ import annotations

import hmac
import json
import logging

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.services.inbox import InboundQueue
from bot.services.quarantine import Quarantine, is_storable, reason_of
from handlers.telegram.inbound import UNSTORABLE, quarantine_update, stored_item

log = logging.getLogger("koordinat.webhook")

MAX_BODY = 1_000_000  # bytes; Telegram's updates are far smaller
DRAIN_UP_TO = 8_000_000  # a refused body up to this size is read (and dropped) before the 413
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
PATH = "/telegram"


def telegram_route(queue: InboundQueue, secret: str, quarantine: Quarantine | None = None) -> Route:
    """The POST route for Telegram's webhook (mountable into any Starlette app). An update
    that cannot be stored is quarantined (`bot.services.quarantine`) and answered 200."""
    expected = secret.encode()

    async def receive(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return PlainTextResponse("forbidden", status_code=403)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY:
            if int(declared) <= DRAIN_UP_TO:  # read it away first, so the sender sees the 413
                async for _ in request.stream():  # rather than a broken pipe mid-upload
                    pass
            return PlainTextResponse("body too large", status_code=413)
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                return PlainTextResponse("body too large", status_code=413)
        try:
            data = json.loads(body)
        except ValueError:
            return PlainTextResponse("body is not JSON", status_code=400)
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return PlainTextResponse("not a Telegram update", status_code=400)
        item = stored_item(data)
        if not is_storable(item[2]):  # kept aside and acknowledged, never a 503 forever
            try:
                await quarantine_update(quarantine, item[0], data, UNSTORABLE)
            except Exception as error:
                log.error("could not quarantine update %s: %s", item[0], reason_of(error))
                return PlainTextResponse("try again", status_code=503)
            return Response(status_code=200)
        try:
            await queue.store([item])
        except Exception as error:  # not stored: Telegram must deliver it again
            log.error("could not store update %s: %s: %s", data["update_id"], type(error).__name__, error)
            return PlainTextResponse("try again", status_code=503)
        return Response(status_code=200)

    return Route(PATH, receive, methods=["POST"])
