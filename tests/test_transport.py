"""The Bot API request class with the cheaper idle-connection check (handlers/telegram/transport.py,
issue 24): it sends like PTB's own, reuses its connections, and still notices a connection the
server closed."""

from __future__ import annotations

import socket

import httpcore
from telegram import Bot

from bot.emulator.telegram.server import FakeBotApi, FakeUser
from handlers.telegram.transport import LeanHTTPXRequest, _Backend, _readable, _Stream, lean_request

TOKEN = "123456:TRANSPORT-TEST"


async def test_a_bot_sends_through_the_lean_pool_and_reuses_its_connection() -> None:
    user = FakeUser(7001, "Ayşe", "tr")
    async with FakeBotApi() as server:
        server.open_private_chat(user)
        request = lean_request(connection_pool_size=4)
        assert isinstance(request, LeanHTTPXRequest)
        pool = request._client._transport._pool  # noqa: SLF001 - what httpx sends through
        assert isinstance(pool, httpcore.AsyncConnectionPool)
        assert isinstance(pool._network_backend, _Backend)  # noqa: SLF001
        async with Bot(TOKEN, base_url=server.base_url, request=request, get_updates_request=request) as bot:
            for text in ("bir", "iki", "üç"):
                await bot.send_message(user.id, text)
            assert len(pool.connections) == 1  # sequential sends: one kept-alive connection
        assert [m.text for m in server.messages(user)] == ["bir", "iki", "üç"]


async def test_an_idle_connection_closed_by_the_server_reads_as_readable() -> None:
    ours, theirs = socket.socketpair()
    try:
        assert _readable(ours) is False  # idle, open: the pool may reuse it
        theirs.close()
        assert _readable(ours) is True  # the server hung up: the pool drops it
    finally:
        ours.close()
    assert _readable(ours) is True  # no descriptor any more: treated as closed, as httpcore does


async def test_the_stream_answers_other_questions_from_the_inner_stream() -> None:
    class Inner(httpcore.AsyncNetworkStream):
        def __init__(self, sock: socket.socket) -> None:
            self.sock = sock

        def get_extra_info(self, info: str) -> object:
            return {"socket": self.sock, "server_addr": ("127.0.0.1", 80)}.get(info)

    ours, theirs = socket.socketpair()
    try:
        stream = _Stream(Inner(ours))
        assert stream.get_extra_info("server_addr") == ("127.0.0.1", 80)
        assert stream.get_extra_info("is_readable") is False
        theirs.sendall(b"x")
        assert stream.get_extra_info("is_readable") is True
    finally:
        ours.close()
        theirs.close()
