"""One ASGI app (Starlette, served by uvicorn) for every webhook: `/telegram` (with its secret
token), `/whatsapp` (verify handshake + signed POSTs), `/health`, and the calendar links
offered on WhatsApp (`/takvim/<token>.ics`: unguessable, expiring; 404 once expired).

Used by `koordinat run --webhook` (the Procfile's `web:`) and whenever WhatsApp is configured.

The port is public, so the server holds under abuse (issue 18): at most `MAX_CONNECTIONS`
open connections — past that the oldest idle one is closed, so half-open connections can
neither use up the file descriptors nor keep `/health` and real updates out; a connection
must send its request headers within `HEADER_TIMEOUT` seconds and stay idle no longer than
`KEEP_ALIVE` between requests; request headers are limited to `MAX_HEADER_BYTES`; a body
over a path's limit is answered 413 at once, from its Content-Length, without being read
into memory (what follows is discarded for a short while so that the sender sees the 413
instead of a connection reset).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
import socket
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.services import Services
from handlers.whatsapp.webhook import WhatsAppWebhook
from storage import whatsapp as whatsapp_repo

log = logging.getLogger(__name__)

MAX_CONNECTIONS = 200  # open connections at most (file descriptors are the scarce resource)
HEADER_TIMEOUT = 10.0  # seconds for a new connection to send its request headers
KEEP_ALIVE = 5  # seconds an idle keep-alive connection stays open
MAX_HEADER_BYTES = 16 * 1024  # request line + headers (h11's incomplete-event limit)
BACKLOG = 1024
BODY_LIMITS = {"/telegram": 1_000_000, "/whatsapp": 3 * 1024 * 1024}  # bytes, per path
OTHER_BODY_LIMIT = 64 * 1024  # any other path
DRAIN_SECONDS = 10.0  # after a 413, what the sender still sends is discarded this long at most
DRAIN_BYTES = 64 * 1024 * 1024  # … and up to this much


class BodyLimit:
    """ASGI middleware: a body over the path's limit gets 413 at once (by its Content-Length,
    or as soon as a chunked body passes the limit); nothing of it is kept. The 413 is written
    completely before the rest of the upload is discarded (up to DRAIN_SECONDS/DRAIN_BYTES),
    so a client that sends the whole body before reading (httpx, requests) sees the 413, not
    a reset; then the connection is closed."""

    def __init__(self, app: Any, limits: dict[str, int], default: int) -> None:
        self._app = app
        self._limits = limits
        self._default = default

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        limit = self._limits.get(scope["path"], self._default)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(receive, send, drain=headers.get(b"expect", b"").lower() != b"100-continue")
            return
        if declared.isdigit():
            await self._app(scope, receive, send)
            return
        seen = 0
        refused = False

        async def counted() -> dict[str, Any]:  # a chunked body: counted as it comes
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:  # answer 413 now; the app sees the client gone
                    refused = True
                    await self._refuse(receive, send, drain=True)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: dict[str, Any]) -> None:
            if not refused:  # after the 413, whatever the app still says is dropped
                await send(message)

        try:
            await self._app(scope, counted, guarded_send)
        except Exception:
            if not refused:
                raise

    @staticmethod
    async def _refuse(receive: Any, send: Any, *, drain: bool) -> None:
        body = b"body too large"
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"text/plain"), (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body, "more_body": drain})
        if not drain:
            return
        discarded = 0
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(DRAIN_SECONDS):
                while discarded < DRAIN_BYTES:
                    message = await receive()
                    if message["type"] != "http.request":
                        break
                    discarded += len(message.get("body", b""))
                    if not message.get("more_body", False):
                        break
        await send({"type": "http.response.body", "body": b"", "more_body": False})


class _Guard:
    """The open connections of one server, oldest first, and the limits they are held to."""

    def __init__(self, max_connections: int, header_timeout: float) -> None:
        self.max_connections = max_connections
        self.header_timeout = header_timeout
        self.open: OrderedDict[GuardedH11Protocol, None] = OrderedDict()
        self.shed = 0  # connections closed to make room (tests, logs)
        self.timed_out = 0  # connections closed for not sending their headers in time


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a connection cap and a header timeout (module docstring)."""

    guard: _Guard  # set on a subclass per server (WebServer)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        guard = self.guard
        guard.open[self] = None
        self._header_timer: asyncio.TimerHandle | None = self.loop.call_later(
            guard.header_timeout, self._headers_too_slow)
        if len(guard.open) > guard.max_connections:
            victim = next((p for p in guard.open if p is not self and p._idle()), self)
            guard.shed += 1
            log.warning("web: more than %d open connections; closing the oldest idle one", guard.max_connections)
            victim._shed()

    def _shed(self) -> None:
        """Close this connection to make room; it stops counting at once (asyncio accepts up to
        the backlog in one go, before any closed connection's end is processed)."""
        self.guard.open.pop(self, None)
        self.connections.discard(self)
        self.transport.close()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._header_timer is not None and self.cycle is not None:  # its headers arrived
            self._header_timer.cancel()
            self._header_timer = None

    def connection_lost(self, exc: Exception | None) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None
        self.guard.open.pop(self, None)
        super().connection_lost(exc)

    def _idle(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.cycle is None and not self.transport.is_closing():
            self.guard.timed_out += 1
            log.warning("web: closed a connection that sent no request within %.0f s", self.guard.header_timeout)
            self._shed()


def raise_open_files_limit() -> int:
    """Raise this process's soft limit of open files to its hard limit (many hosts start at
    1024); returns the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    if soft != resource.RLIM_INFINITY and soft < target:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            return target
    return soft


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


def limit_bodies(app: Any) -> BodyLimit:
    """`app` behind the per-path body limits (`BODY_LIMITS`, else `OTHER_BODY_LIMIT`)."""
    return BodyLimit(app, BODY_LIMITS, OTHER_BODY_LIMIT)


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # the composition root handles SIGINT/SIGTERM and stops us


class WebServer:
    """uvicorn in this process and event loop."""

    def __init__(self, app: Starlette, host: str, port: int, *, max_connections: int = MAX_CONNECTIONS,
                 header_timeout: float = HEADER_TIMEOUT, keep_alive: int = KEEP_ALIVE) -> None:
        self.guard = _Guard(max_connections, header_timeout)
        protocol = type("ServerProtocol", (GuardedH11Protocol,), {"guard": self.guard})
        self._server = _Server(uvicorn.Config(
            limit_bodies(app), host=host, port=port, log_config=None, access_log=False, lifespan="off",
            http=protocol, backlog=BACKLOG, timeout_keep_alive=keep_alive,
            # uvicorn's own limit (503 beyond it): never reached by connections (the cap above
            # closes the oldest idle one first); it bounds requests in progress.
            limit_concurrency=max_connections + 1, h11_max_incomplete_event_size=MAX_HEADER_BYTES,
            timeout_graceful_shutdown=3))
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
        raise_open_files_limit()
        config = self._server.config
        family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((config.host, config.port))
            sock.listen(BACKLOG)
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

    @property
    def task(self) -> asyncio.Task[None] | None:
        """uvicorn's serving task, for supervision."""
        return self._task

    async def stop(self) -> None:
        if self._task is None:
            return
        self._server.should_exit = True
        await asyncio.gather(self._task, return_exceptions=True)
        self._task = None
