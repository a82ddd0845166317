"""A fake Telegram Bot API server for tests, benchmarks and the local demo.

The real python-telegram-bot talks to it over HTTP on 127.0.0.1
(`Bot(token, base_url=server.base_url, base_file_url=server.file_base_url)`). It answers like
api.telegram.org, including the usual errors (message too long or empty, HTML that does not
parse, callback_data over 64 bytes, "message is not modified", chat not found, blocked user,
flood control), records every call, keeps what each chat sees, and lets a test act as users.

    async with FakeBotApi() as server:
        app = ApplicationBuilder().token("1:T").base_url(server.base_url).build()
        ...
        await server.send_text(ayse, "/start ABC")
        reply = await server.wait_for_message(ayse.id)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.emulator.telegram.control import handle_control
from bot.emulator.telegram.limits import (
    FailurePlan,
    LimitViolations,
    PlannedFailure,
    SendRateTracker,
)
from bot.emulator.telegram.methods import BotApiMethods
from bot.emulator.telegram.records import (
    ApiCall,
    Button,
    CallbackAnswer,
    FakeUser,
    SentMessage,
    UploadedFile,
)
from bot.emulator.telegram.request import read_params
from bot.emulator.telegram.store import FakeChat
from bot.emulator.telegram.users import UserActions
from bot.emulator.telegram.validation import ApiError, scope_key
from bot.emulator.telegram.waits import Waiting

__all__ = [
    "ApiCall", "Button", "CallbackAnswer", "FakeBotApi", "FakeChat", "FakeUser",
    "LimitViolations", "SentMessage", "UploadedFile", "main",
]

log = logging.getLogger(__name__)
_utf8 = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_ascii = json.JSONEncoder(ensure_ascii=True, separators=(",", ":")).encode


def _body(data: Any) -> bytes:
    """UTF-8 JSON; a lone UTF-16 surrogate (which Telegram can deliver inside a message) has no
    UTF-8 form, and Telegram sends it as a `\\ud800` escape: so do we."""
    try:
        return _utf8(data).encode()
    except UnicodeEncodeError:
        return _ascii(data).encode()


class FakeBotApi(UserActions, Waiting):
    """The fake Bot API server; see the module docstring."""

    def __init__(
        self,
        token: str | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        username: str = "koordinat_bot",
        first_name: str = "Koordinat",
        bot_id: int | None = None,
        privacy_mode: bool = True,
        strict_html: bool = True,
        enforce_limits: bool = False,
        global_per_second: int = 30,
        per_chat_per_second: int = 1,
        group_per_minute: int = 20,
        record_calls: bool = True,
        now: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """`token=None` accepts any token; otherwise other tokens get 401 Unauthorized.

        privacy_mode: groups deliver only commands, mentions and replies to the bot.
        strict_html: also refuse a bare "&" in HTML (Telegram shows it; the docs forbid it).
        enforce_limits: answer 429 past the flood limits (violations are counted regardless).
        now: wall clock for message dates (epoch seconds); monotonic: for rate windows.
        """
        self.token = token
        self.host = host
        self.port = port
        self.username = username
        self.privacy_mode = privacy_mode
        self.record_calls = record_calls
        self._monotonic = monotonic
        if bot_id is None:
            prefix = (token or "").partition(":")[0]
            bot_id = int(prefix) if prefix.isdigit() else 7_000_000_001
        bot_user = {
            "id": bot_id, "is_bot": True, "first_name": first_name, "username": username,
            "can_join_groups": True, "can_read_all_group_messages": not privacy_mode,
            "supports_inline_queries": False, "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self._limits = SendRateTracker(global_per_second, per_chat_per_second, group_per_minute)
        self._api = BotApiMethods(
            bot_user, strict_html=strict_html, enforce_limits=enforce_limits,
            limits=self._limits, now=now, monotonic=monotonic,
        )
        self._failures = FailurePlan()
        self.calls: list[ApiCall] = []
        self._completed: dict[str, list[ApiCall]] = {}
        self._in_flight = 0
        self._last_activity = monotonic()
        self._runner: web.AppRunner | None = None

    # --- lifecycle -------------------------------------------------------------------------

    async def start(self) -> FakeBotApi:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        """Wake long polls, stop webhook delivery, close the listening socket."""
        self._api.updates.close()
        if self._api.webhook is not None:
            await self._api.webhook.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For `Bot(base_url=...)`: PTB appends the token and the method name."""
        return f"{self.url}/bot"

    @property
    def file_base_url(self) -> str:
        """For `Bot(base_file_url=...)`: file downloads are `{file_base_url}{token}/{path}`."""
        return f"{self.url}/file/bot"

    @property
    def bot_user(self) -> dict[str, Any]:
        return dict(self._api.bot_user)

    # --- HTTP ------------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["tail"]
        if path.startswith("file/bot"):
            return self._download(path[len("file/bot"):])
        if path.startswith("_emulator/"):
            return await handle_control(self, request, path[len("_emulator/"):])
        if not path.startswith("bot") or "/" not in path:
            return _error_response(ApiError(404, "Not Found"))
        token, _, method = path[3:].partition("/")
        token_error = self._check_token(token)
        if token_error is not None:
            return _error_response(token_error)
        try:
            params, files = await read_params(request)
        except ApiError as exc:
            return _error_response(exc)
        return await self._answer(request, method, params, files)

    async def _answer(
        self, request: web.Request, method: str, params: dict[str, Any],
        files: dict[str, UploadedFile],
    ) -> web.StreamResponse:
        name = method.lower()
        call = ApiCall(method, params, files, self._monotonic())
        if self.record_calls:
            self.calls.append(call)
            self._api.changed.notify()
        polling = name == "getupdates"
        if not polling:
            self._in_flight += 1
            self._last_activity = call.at
        try:
            failure = self._failures.take(name, params.get("chat_id"))
            if failure is not None and failure.delay:
                await asyncio.sleep(failure.delay)
            if failure is not None and failure.drop_connection and not failure.after_processing:
                return self._drop(request, call)
            if failure is not None and failure.error_code:
                raise failure.error()
            result = await self._api.call(method, params, files)
            if failure is not None and failure.drop_connection:
                return self._drop(request, call)
            call.status, call.result = 200, result
            return web.Response(
                body=_body({"ok": True, "result": result}),
                content_type="application/json",
            )
        except ApiError as exc:
            call.status, call.error = exc.code, exc.description
            return _error_response(exc)
        finally:
            if not polling:
                self._in_flight -= 1
                self._last_activity = self._monotonic()
            if self.record_calls:
                self._completed.setdefault(name, []).append(call)
            self._api.changed.notify()

    def _drop(self, request: web.Request, call: ApiCall) -> web.StreamResponse:
        """Close the connection without an answer: the client sees a network error."""
        call.status, call.error = -1, "connection dropped"
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=500)

    def _check_token(self, token: str) -> ApiError | None:
        if self.token is None or token == self.token:
            return None
        if ":" not in token:
            return ApiError(404, "Not Found")
        return ApiError(401, "Unauthorized")

    def _download(self, rest: str) -> web.StreamResponse:
        token, _, file_path = rest.partition("/")
        stored = self._api.files.by_path(file_path)
        if self._check_token(token) is not None or stored is None:
            return _error_response(ApiError(404, "Not Found"))
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    # --- what tests read -------------------------------------------------------------------

    def start_update_ids_at(self, first: int) -> None:
        """Number the next updates from `first` (a bot whose database has seen a previous
        fake's updates must not take new ones for redeliveries: the demo's kept database)."""
        self._api.updates._next_id = max(first, self._api.updates._next_id)

    def chat(self, chat_id: int | FakeUser) -> FakeChat | None:
        key = chat_id.id if isinstance(chat_id, FakeUser) else chat_id
        return self._api.chats.chats.get(key)

    def messages(self, chat_id: int | FakeUser) -> list[SentMessage]:
        """Bot messages in the chat, oldest first, as they look now (deleted ones included)."""
        chat = self.chat(chat_id)
        return list(chat.sent) if chat is not None else []

    def message(self, chat_id: int | FakeUser, message_id: int) -> SentMessage | None:
        chat = self.chat(chat_id)
        return chat.by_id.get(message_id) if chat is not None else None

    def last_message(self, chat_id: int | FakeUser) -> SentMessage | None:
        chat = self.chat(chat_id)
        return chat.sent[-1] if chat is not None and chat.sent else None

    @property
    def sent_count(self) -> int:
        """Messages the bot has sent, over all chats."""
        return sum(len(c.sent) for c in self._api.chats.chats.values())

    def calls_to(self, method: str) -> list[ApiCall]:
        """Answered calls of `method` (case-insensitive), in the order they finished."""
        return list(self._completed.get(method.lower(), []))

    def commands(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        """Commands set with setMyCommands for exactly this scope and language."""
        return list(self._api.commands.get(scope_key(scope, language_code), []))

    def callback_answer(self, update_id: int) -> CallbackAnswer | None:
        press = next((p for p in self._api.presses.values() if p.update_id == update_id), None)
        return press.answer if press is not None else None

    @property
    def pending_updates(self) -> int:
        return len(self._api.updates)

    @property
    def webhook_url(self) -> str | None:
        return self._api.webhook.url if self._api.webhook else None

    @property
    def webhook_secret(self) -> str | None:
        return self._api.webhook.secret_token if self._api.webhook else None

    def limit_violations(self) -> LimitViolations:
        """Sends over Telegram's limits so far (global 30/s, 1/s per chat, 20/min per group)."""
        v = self._limits.violations
        return LimitViolations(v.global_per_second, v.per_chat_per_second, v.group_per_minute)

    # --- planned failures ------------------------------------------------------------------

    def fail_next(
        self,
        method: str | None = "sendMessage",
        chat_id: int | None = None,
        error_code: int = 429,
        retry_after: int = 3,
        times: int = 1,
        description: str | None = None,
    ) -> None:
        """The next `times` calls of `method` (to `chat_id`) fail with `error_code`.

        429 answers "Too Many Requests: retry after N" with parameters.retry_after; other codes
        use Telegram's usual description unless `description` is given. method=None: any.
        """
        self._failures.add(PlannedFailure(
            method.lower() if method else None, chat_id, times, error_code=error_code,
            description=description or "", retry_after=retry_after if error_code == 429 else None,
        ))

    def drop_connection_next(
        self, method: str | None = "sendMessage", chat_id: int | None = None, times: int = 1,
        *, after_processing: bool = False,
    ) -> None:
        """Close the connection instead of answering (PTB raises NetworkError).

        With after_processing the message is sent first and only the answer is lost, the case
        that makes a naive retry send it twice.
        """
        self._failures.add(PlannedFailure(
            method.lower() if method else None, chat_id, times, drop_connection=True,
            after_processing=after_processing,
        ))

    def delay_next(
        self, method: str | None = "sendMessage", seconds: float = 1.0, chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next matching calls only after `seconds` (to provoke client timeouts)."""
        self._failures.add(PlannedFailure(
            method.lower() if method else None, chat_id, times, delay=seconds,
        ))

    def clear_failures(self) -> None:
        self._failures.clear()


def _error_response(error: ApiError) -> web.Response:
    return web.Response(
        status=error.code, body=_body(error.payload()), content_type="application/json"
    )


async def _serve(args: argparse.Namespace) -> None:
    server = FakeBotApi(args.token, host=args.host, port=args.port, username=args.username)
    await server.start()
    print(f"fake Telegram Bot API listening on {server.url}")
    print(f"  base_url      {server.base_url}")
    print(f"  base_file_url {server.file_base_url}")
    print(f"  play a user:  curl -d '{{\"user\":{{\"id\":1,\"first_name\":\"Ayşe\"}},"
          f"\"text\":\"/start\"}}' -H 'Content-Type: application/json' "
          f"{server.url}/_emulator/send_text")
    print(f"  read replies: curl '{server.url}/_emulator/messages?chat_id=1'")
    print("Ctrl-C to stop")
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> None:
    """Run the fake server standalone: `python -m bot.emulator.telegram --port 8081`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=None, help="accept only this token (default: any)")
    parser.add_argument("--username", default="koordinat_bot")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:
        pass

if __name__ == "__main__":
    main()
