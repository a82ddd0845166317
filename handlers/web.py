"""One ASGI app (Starlette, served by uvicorn) for every webhook: `/telegram` (with its secret
token), `/whatsapp` (verify handshake + signed POSTs) and `/health`.

Used by `koordinat run --webhook` (the Procfile's `web:`) whenever WhatsApp is configured; a
Telegram-only webhook deployment keeps PTB's built-in server.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import Iterator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from bot.services import Services
from handlers.whatsapp.webhook import WhatsAppWebhook

log = logging.getLogger(__name__)

MAX_TELEGRAM_BODY = 1024 * 1024


def build_app(services: Services, *, telegram: Application | None = None,  # type: ignore[type-arg]
              telegram_secret: str | None = None, whatsapp: WhatsAppWebhook | None = None) -> Starlette:
    """The routes for what is configured; `/health` always."""
    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "telegram": telegram is not None, "whatsapp": whatsapp is not None})

    routes = [Route("/health", health, methods=["GET"])]
    if whatsapp is not None:
        routes += [Route("/whatsapp", whatsapp.verify, methods=["GET"]),
                   Route("/whatsapp", whatsapp.receive, methods=["POST"])]
    if telegram is not None:
        async def telegram_update(request: Request) -> Response:
            """As PTB's own webhook server: check the secret token, queue the update."""
            given = request.headers.get("x-telegram-bot-api-secret-token", "")
            if telegram_secret and not hmac.compare_digest(given, telegram_secret):
                return PlainTextResponse("Forbidden", status_code=403)
            body = await request.body()
            if len(body) > MAX_TELEGRAM_BODY:
                return PlainTextResponse("Payload Too Large", status_code=413)
            try:
                update = Update.de_json(json.loads(body), telegram.bot)
            except (ValueError, TypeError, KeyError):
                return PlainTextResponse("Bad Request", status_code=400)
            await telegram.update_queue.put(update)
            return PlainTextResponse("ok")

        routes.append(Route("/telegram", telegram_update, methods=["POST"]))
    return Starlette(routes=routes)


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # the composition root handles SIGINT/SIGTERM and stops us


class WebServer:
    """uvicorn in this process and event loop."""

    def __init__(self, app: Starlette, host: str, port: int) -> None:
        self._server = _Server(uvicorn.Config(app, host=host, port=port, log_config=None,
                                              access_log=False, lifespan="off"))
        self._task: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        servers = getattr(self._server, "servers", [])
        for server in servers:
            for sock in server.sockets:
                return int(sock.getsockname()[1])
        return self._server.config.port

    async def start(self) -> None:
        self._task = asyncio.create_task(self._server.serve(), name="web-server")
        while not self._server.started:
            if self._task.done():
                self._task.result()  # raises the start-up error (port in use...)
                raise RuntimeError("web server stopped during start-up")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self._task is None:
            return
        self._server.should_exit = True
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None
