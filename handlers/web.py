"""One ASGI app (Starlette, served by uvicorn) for every webhook: `/telegram` (with its secret
token), `/whatsapp` (verify handshake + signed POSTs), `/health`, and the calendar links
offered on WhatsApp (`/takvim/<token>.ics`: unguessable, expiring; 404 once expired).

Used by `koordinat run --webhook` (the Procfile's `web:`) and whenever WhatsApp is configured.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Iterator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.services import Services
from handlers.whatsapp.webhook import WhatsAppWebhook
from storage import whatsapp as whatsapp_repo

log = logging.getLogger(__name__)


def build_app(services: Services, *, telegram: Route | None = None,
              whatsapp: WhatsAppWebhook | None = None) -> Starlette:
    """The routes for what is configured; `/health` always. `telegram` is the route of
    `handlers.telegram.webhook.telegram_route` (secret checked, 200 only once stored)."""
    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok", "telegram": telegram is not None, "whatsapp": whatsapp is not None})

    async def calendar(request: Request) -> Response:
        token = request.path_params["token"]
        found = None
        if 20 <= len(token) <= 64 and all(ch.isalnum() or ch in "-_" for ch in token):
            async with services.db.read() as conn:
                found = await whatsapp_repo.calendar_link(conn, token, services.now_seconds())
        if found is None:
            return PlainTextResponse("Not Found", status_code=404)
        filename, content = found
        safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in filename)
        return Response(content.encode("utf-8"), media_type="text/calendar; charset=utf-8",
                        headers={"Content-Disposition": f'inline; filename="{safe}"',
                                 "Cache-Control": "no-store", "X-Robots-Tag": "noindex"})

    routes = [Route("/health", health, methods=["GET"])]
    if whatsapp is not None:
        routes += [Route("/whatsapp", whatsapp.verify, methods=["GET"]),
                   Route("/whatsapp", whatsapp.receive, methods=["POST"]),
                   Route("/takvim/{token}.ics", calendar, methods=["GET"])]
    if telegram is not None:
        routes.append(telegram)
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
        """Bind now (raises OSError naming the address), then serve in the background."""
        config = self._server.config
        family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((config.host, config.port))
            sock.listen(128)
            sock.setblocking(False)
        except OSError as error:
            sock.close()
            raise OSError(f"cannot listen on {config.host}:{config.port}: {error.strerror or error}") from None
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name="web-server")
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
