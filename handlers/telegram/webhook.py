"""Webhook mode: Telegram posts each update to `/telegram`; we answer 200 only once the update
is committed to the inbox (an answer other than 2xx makes Telegram deliver it again).

Refused: a missing or wrong `X-Telegram-Bot-Api-Secret-Token` (403), a body over 1 MB (413),
a body that is not a JSON update (400). A Starlette app served by uvicorn on a socket bound
before start-up finishes, so a port in use is one start-up error line, not a crash later.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import socket

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.services.inbox import InboundQueue
from handlers.telegram.inbound import stored_item

log = logging.getLogger("koordinat.webhook")

MAX_BODY = 1_000_000  # bytes; Telegram's updates are far smaller
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
PATH = "/telegram"


def telegram_route(queue: InboundQueue, secret: str) -> Route:
    """The POST route for Telegram's webhook (mountable into any Starlette app)."""
    expected = secret.encode()

    async def receive(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return PlainTextResponse("forbidden", status_code=403)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_BODY:
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
        try:
            await queue.store([stored_item(data)])
        except Exception as error:  # not stored: Telegram must deliver it again
            log.error("could not store update %s: %s: %s", data["update_id"], type(error).__name__, error)
            return PlainTextResponse("try again", status_code=503)
        return Response(status_code=200)

    return Route(PATH, receive, methods=["POST"])


async def health(_: Request) -> Response:
    return PlainTextResponse("ok")


class _QuietServer(uvicorn.Server):
    """Leaves SIGINT/SIGTERM to the bot, which stops everything in order."""

    def capture_signals(self) -> contextlib.AbstractContextManager[None]:  # type: ignore[override]
        return contextlib.nullcontext()


class WebhookServer:
    """uvicorn serving the webhook route and `/health` on (listen, port)."""

    def __init__(self, queue: InboundQueue, secret: str, listen: str, port: int) -> None:
        app = Starlette(routes=[telegram_route(queue, secret), Route("/health", health)])
        self._config = uvicorn.Config(app, log_config=None, lifespan="off", access_log=False)
        self._listen = listen
        self._port = port
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Bind now (raises OSError naming the address), then serve in the background."""
        family = socket.AF_INET6 if ":" in self._listen else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self._listen, self._port))
            sock.listen(128)
            sock.setblocking(False)
        except OSError as error:
            sock.close()
            raise OSError(f"cannot listen on {self._listen}:{self._port}: {error.strerror or error}") from None
        self._server = _QuietServer(self._config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name="webhook-server")
        while not self._server.started and not self._task.done():
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await asyncio.gather(self._task, return_exceptions=True)
        self._server = self._task = None
