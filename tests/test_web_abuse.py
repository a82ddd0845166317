"""The public web server holds under abuse (issue 18 §2), through the real process on loopback:
a flood of half-open and garbage connections (bounded in count and time, 127.0.0.1 only)
never keeps `/health` or real updates out, the log stays small, and an over-large body gets
413 rather than a connection reset."""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from pathlib import Path

import httpx

from bot.emulator.telegram import FakeBotApi
from bot.emulator.telegram.records import FakeUser
from bot.logs import RepeatFilter
from tests.process_support import bot_env, start_bot, wait_for_line
from tests.test_webhook_process import SECRET, free_port

FLOOD = 1200  # connections opened by the "attacker"
FLOOD_SECONDS = 6.0


async def _open(port: int) -> asyncio.StreamWriter | None:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        return writer
    except OSError:
        return None


async def _flood(port: int, stop: asyncio.Event) -> int:
    """Half-open connections, slow headers and garbage, until `stop` or FLOOD_SECONDS."""
    writers: list[asyncio.StreamWriter] = []
    opened = 0
    try:
        async with asyncio.timeout(FLOOD_SECONDS):
            for index in range(FLOOD):
                if stop.is_set():
                    break
                writer = await _open(port)
                if writer is None:
                    continue
                opened += 1
                if index % 3 == 1:
                    writer.write(b"POST /telegram HTTP/1.1\r\nHost: x\r\nX-Slow: ")  # headers never end
                elif index % 3 == 2:
                    writer.write(b"\x16\x03\x01 not http at all\r\n\r\n")  # garbage: a log line each
                writers.append(writer)
                if index % 50 == 0:
                    await asyncio.sleep(0)  # let the health checks in
            await stop.wait()
    except TimeoutError:
        pass
    finally:
        for writer in writers:
            writer.transport.abort()
    return opened


async def test_health_answers_within_a_second_through_a_connection_flood(tmp_path: Path) -> None:
    database = tmp_path / "k.db"
    log = tmp_path / "bot.log"
    port = free_port()
    nur = FakeUser(8_101, "Nur", "tr")
    async with FakeBotApi() as server:
        server.open_private_chat(nur)
        env = bot_env(server, database, KOORDINAT_WEBHOOK_URL=f"http://127.0.0.1:{port}",
                      KOORDINAT_WEBHOOK_SECRET=SECRET, KOORDINAT_WEBHOOK_LISTEN="127.0.0.1", PORT=str(port))
        bot = await start_bot(env, log, "--webhook")
        try:
            await wait_for_line(log, "Koordinat is running (webhook)")
            stop = asyncio.Event()
            flood = asyncio.create_task(_flood(port, stop))
            slowest = 0.0
            checks = 0
            async with httpx.AsyncClient(timeout=5.0) as client:
                deadline = time.monotonic() + FLOOD_SECONDS - 1.0
                while time.monotonic() < deadline:
                    began = time.monotonic()
                    answer = await client.get(f"http://127.0.0.1:{port}/health",
                                              headers={"Connection": "close"})
                    slowest = max(slowest, time.monotonic() - began)
                    assert answer.status_code == 200
                    checks += 1
                    await asyncio.sleep(0.1)
                # a real update still gets through during the flood
                await server.send_text(nur, "/start")
                await server.wait_for_message(nur, timeout=10)
                stop.set()
                opened = await flood
                # an over-large body: 413, not a connection reset, and not read into memory
                big = b"x" * (9 * 1024 * 1024)
                refused = await client.post(f"http://127.0.0.1:{port}/telegram", content=big,
                                            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
                assert refused.status_code == 413
            assert opened >= FLOOD // 2, opened
            assert checks >= 10 and slowest < 1.0, (checks, slowest)
        finally:
            bot.send_signal(signal.SIGTERM)
            await asyncio.wait_for(bot.wait(), 15)
    assert log.stat().st_size < 1_000_000
    text = log.read_text()
    assert "Traceback" not in text
    assert text.count("closing the oldest idle one") <= 5  # rate-limited: 5 lines, then a count a minute


def test_repeated_log_lines_are_one_line_with_a_count_per_minute() -> None:
    now = [0.0]
    kept: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            kept.append(record.getMessage())

    handler = Keep()
    handler.addFilter(RepeatFilter(clock=lambda: now[0]))
    logger = logging.getLogger("test.repeats")
    logger.propagate = False
    logger.addHandler(handler)
    try:
        for second in range(0, 130):
            now[0] = float(second)
            for _ in range(10):
                logger.warning("could not store update %s", second)
            logger.error("unrelated line")  # another kind is counted on its own
        # per minute: the first 5 of each kind, then one line with the count of the rest
        assert kept[:6] == ["could not store update 0"] * 5 + ["unrelated line"]
        assert kept.count("unrelated line") == 5 + 4 + 4  # three windows; each later one starts with a count
        assert "could not store update 60 (and 595 more like it in the last 60 s)" in kept
        assert "unrelated line (and 55 more like it in the last 60 s)" in kept
        assert len(kept) == 3 * 10
    finally:
        logger.removeHandler(handler)


async def test_over_large_bodies_get_413_declared_or_chunked_and_small_ones_pass() -> None:
    """In process (uvicorn on loopback): 413 from the Content-Length without reading, and as
    soon as a chunked body passes the limit; the sender reads the 413, not a reset."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse
    from starlette.routing import Route

    from handlers.web import WebServer

    async def echo(request: Request) -> PlainTextResponse:
        return PlainTextResponse(str(len(await request.body())))

    web = WebServer(Starlette(routes=[Route("/telegram", echo, methods=["POST"])]), "127.0.0.1", 0)
    await web.start()

    async def chunks(count: int):  # noqa: ANN202
        for _ in range(count):
            yield b"x" * 65536

    try:
        async with httpx.AsyncClient(timeout=20) as client:
            url = f"http://127.0.0.1:{web.port}/telegram"
            assert (await client.post(url, content=chunks(4))).text == str(4 * 65536)
            assert (await client.post(url, content=chunks(40))).status_code == 413
            assert (await client.post(url, content=b"y" * (20 * 1024 * 1024))).status_code == 413
            assert (await client.post(url, content=b"y" * 100)).text == "100"
            assert (await client.post(f"http://127.0.0.1:{web.port}/other", content=b"z" * 70_000)).status_code == 413
    finally:
        await web.stop()
