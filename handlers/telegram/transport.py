"""PTB's HTTP request class with a cheaper check of pooled connections (issue 24).

On every request, and again when each response is closed, httpcore's connection pool asks each
idle connection whether the server closed it (`has_expired` → the stream's
`get_extra_info("is_readable")`). With anyio's streams that builds the stream's whole table
of typed attributes (a dict of lambdas, a `getpeername` among them) for every idle connection,
twice per request (encode/httpcore#928): with the application's 256-connection pool grown to
~80 connections by concurrent callback answers, that scan was the largest single cost of an
RSVP tap. Here the stream looks its socket up once, when the connection is made, and each check
is one `poll(0)` on it: the same answer, without the table.

`lean_request(...)` is a drop-in `HTTPXRequest` (same arguments) for
`ApplicationBuilder().request(...)` and for the outbox's own sender `Bot`.
"""

from __future__ import annotations

import select
import socket
import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx
from telegram.request import HTTPXRequest


def _readable(sock: socket.socket | None) -> bool:
    """True if a read on `sock` would not block: for an idle HTTP/1.1 connection, that the
    server closed it (or sent something unexpected); a socket without a descriptor counts as
    readable, as in httpcore."""
    fd = -1 if sock is None else sock.fileno()
    if fd < 0:
        return True
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(0))


class _Stream(httpcore.AsyncNetworkStream):
    """httpcore's stream with the socket looked up once (see the module docstring)."""

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket: socket.socket | None = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable" and self._socket is not None:
            return _readable(self._socket)
        return self._inner.get_extra_info(info)


class _Backend(httpcore.AsyncNetworkBackend):
    """httpcore's anyio backend, its streams wrapped in `_Stream`."""

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.connect_tcp(host, port, timeout, local_address, socket_options))

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class _Transport(httpx.AsyncHTTPTransport):
    """httpx's transport over a pool that uses `_Backend` (HTTP/1.1, as PTB's default)."""

    def __init__(self, limits: httpx.Limits, verify: Any = True) -> None:
        super().__init__(limits=limits, verify=verify)
        # httpx builds its pool without a way to pass a network backend: build the same pool
        # with ours (the attribute httpx's handle_async_request uses; tests/test_transport.py
        # fails if that changes).
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context(verify=verify),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry, http1=True, http2=False,
            network_backend=_Backend())


class LeanHTTPXRequest(HTTPXRequest):
    """`HTTPXRequest` whose client uses `_Transport` (only for HTTP/1.1 without a proxy; with
    either, PTB's own client is kept)."""

    def _build_client(self) -> httpx.AsyncClient:
        kwargs = dict(self._client_kwargs)
        if kwargs.get("proxy") is None and kwargs.get("http1", True) and kwargs.get("transport") is None:
            kwargs["transport"] = _Transport(kwargs["limits"], kwargs.get("verify", True))
        return httpx.AsyncClient(**kwargs)


def lean_request(**kwargs: Any) -> HTTPXRequest:
    """A `LeanHTTPXRequest` with PTB's `HTTPXRequest` arguments (`connection_pool_size`,
    `pool_timeout`, `read_timeout`…)."""
    return LeanHTTPXRequest(**kwargs)
