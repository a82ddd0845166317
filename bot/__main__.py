"""Composition root (`python -m bot` == `koordinat`): settings → db → services → channels
→ scheduler → servers. The only module that wires platform adapters to the core.

Start-up either completes or fails with one line naming the cause (`StartupError`), after
closing whatever it had opened. While running, a fault the process cannot work through (the
database file deleted, replaced or read-only; the token revoked; a second poller on the same
token) stops the bot with one line and a non-zero exit, so a supervisor restarts it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
from pathlib import Path

# PTB 22: read RetryAfter.retry_after as a timedelta (the int form is deprecated).
os.environ.setdefault("PTB_TIMEDELTA", "1")

from typing import TYPE_CHECKING

from bot.clock import Clock, SystemClock

if TYPE_CHECKING:  # the CLI (`--help`, one-off commands) never pays for telegram/httpx/services
    import asyncio

    from telegram import Bot
    from telegram.ext import Application

    from bot.config import Settings
    from bot.services import Services
    from bot.services.inbox import InboundQueue
    from handlers.telegram.inbound import Polling
    from storage.db import Database
    from storage.instance import InstanceLock

log = logging.getLogger("koordinat")

WATCH_EVERY = 2.0  # seconds between checks that the database file is still ours
MAX_CONNECT_BACKOFF = 60.0
WARM_UP_AFTER = 1.0  # seconds after start-up before loading what the services load lazily
FINISH_STARTING = 2.0  # seconds a start-up in its last steps may take after a stop request


class StartupError(Exception):
    """The bot cannot start; the message is one line naming the cause (never the token)."""


class Koordinat:
    """One running bot: database, services, the Telegram adapter and the outbox dispatcher."""

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.db: Database | None = None
        self.services: Services | None = None
        self.telegram: Application | None = None  # type: ignore[type-arg]
        self._sender: Bot | None = None  # the outbox's own Bot: a connection pool of its size
        self.inbound: InboundQueue | None = None
        self.failure: str | None = None  # why the bot stopped itself, if it did
        self._lock: InstanceLock | None = None
        self._polling: Polling | None = None
        self._telegram_route: object | None = None  # starlette Route, served by `self.web`
        self.web = None  # handlers.web.WebServer: the webhooks and /health
        self.whatsapp = None  # handlers.whatsapp.CloudApi when configured
        self.whatsapp_channel = None
        self._watch: asyncio.Task[None] | None = None
        self._later: asyncio.Task[None] | None = None  # the command menu and warm-up (background)
        self._leading: asyncio.Task[None] | None = None  # PostgreSQL: waiting for the lead, then starting
        self._stop_requested: asyncio.Event | None = None
        self._says_why_on_exit = False
        from bot.supervision import Supervisor  # not at module top: it brings asyncio

        self.supervisor = Supervisor(self.fail)

    async def start(self, *, webhook: bool = False) -> Services:
        """Open everything; raises `StartupError` (after closing what was opened)."""
        import asyncio  # not at module top: `koordinat --help` never starts a loop
        self._stop_requested = self._stop_requested or asyncio.Event()
        self.supervisor.stopping = False
        try:
            return await self._start(webhook=webhook)
        except BaseException:
            await self.stop()
            raise

    async def _start(self, *, webhook: bool) -> Services:
        import asyncio  # not at module top: `koordinat --help` never starts a loop
        from bot.services import build_services
        from storage.db import Database, DatabaseUnavailable, check_location
        from storage.instance import AlreadyRunning, InstanceLock

        database = self.settings.database
        try:
            if not self.settings.uses_postgres:  # PostgreSQL: no file; the server serialises writers
                check_location(Path(database))
                self._lock = InstanceLock(database)
                self._lock.acquire()
            self.db = await Database.open(database)
        except (DatabaseUnavailable, AlreadyRunning) as error:
            raise StartupError(str(error)) from None
        except OSError as error:
            raise StartupError(f"database {database}: {error.strerror or error}") from None
        self.db.on_fatal = self.fail
        services = build_services(self.settings, self.db, self.clock)
        self.services = services
        if self.settings.has_whatsapp:
            self._start_whatsapp(services)
        if self.settings.has_telegram_token:
            await self._start_telegram(services, webhook=webhook)
        # SQLite: this process is the only one (storage.instance) and runs everything now.
        # PostgreSQL: every worker stores, acknowledges and processes updates (inbound queue,
        # web server); the leader's part (outbox dispatcher, scheduler, retention, long polling)
        # starts now if nobody leads, else once `lead()` returns, in the background: a standby
        # serves webhooks meanwhile.
        leads_now = self.db.dialect != "postgresql"
        if not leads_now:
            await self.db.listen(self._notified)
            # Nobody leads (the usual single process, or the first worker): lead at once, so
            # start() returns with everything running, as on SQLite.
            leads_now = await self.db.lead(wait=False) is not None
        if leads_now:
            await services.start()
        if self.inbound is not None:
            await self.inbound.start()
        if self._telegram_route is not None or self.settings.has_whatsapp:
            await self._start_web(services)
        if self._telegram_route is not None and self.telegram is not None and self.settings.webhook_url:
            secret = self.settings.webhook_secret.get_secret_value() if self.settings.webhook_secret else ""
            from handlers.telegram.webhook import PATH as WEBHOOK_PATH

            await self.telegram.bot.set_webhook(self.settings.webhook_url.rstrip("/") + WEBHOOK_PATH,
                                                secret_token=secret)
        if leads_now:
            if self._polling is not None:
                self._polling.start()
        else:
            self._leading = asyncio.create_task(self._lead(services), name="leadership-wait")
        # After the first getUpdates went out (not before the first reply): the command menu
        # and what the services load lazily.
        self._later = asyncio.create_task(self._after_start(services), name="after-start")
        self._watch = asyncio.create_task(self._watch_database(), name="database-watch")
        self._supervise()
        return services

    async def _lead(self, services: Services) -> None:
        """PostgreSQL: wait to be the schema's leader, then start what only the leader runs
        (the outbox dispatcher, the scheduler with retention, long polling). A failure stops
        the process (one line), as a failure at start-up would."""
        assert self.db is not None
        try:
            await self.db.lead()
            await services.start()
            if self._polling is not None:
                self._polling.start()
        except Exception as error:
            self.fail(f"could not take over as leader: {_one_line(error)}")
            return
        self._supervise()

    def _notified(self, topic: str) -> None:
        """PostgreSQL: another process (or this one) committed rows (storage.postgres.listen)."""
        if topic == "inbound" and self.inbound is not None:
            self.inbound.wake()
        elif self.services is not None:
            self.services.notified(topic)

    def _supervise(self) -> None:
        """Watch every long-running task (see `bot.supervision`); called again by the database
        watch, so a task started later (a scheduler source added while running) is watched too."""
        tasks: list[asyncio.Task[object] | None] = [self._watch]  # type: ignore[list-item]
        if self.services is not None:
            tasks += self.services.dispatcher.tasks() + self.services.scheduler.tasks()  # type: ignore[operator]
        if self.inbound is not None:
            tasks.append(self.inbound.task)  # type: ignore[arg-type]
        if self._polling is not None:
            tasks.append(self._polling.task)  # type: ignore[arg-type]
        if self.web is not None:
            tasks.append(self.web.task)
        self.supervisor.watch(tasks)

    def _start_whatsapp(self, services: Services) -> None:
        from handlers import whatsapp as whatsapp_adapter

        self.whatsapp = whatsapp_adapter.build_client(self.settings)
        self.whatsapp_channel = whatsapp_adapter.WhatsAppChannel(self.whatsapp, services.db, self.settings,
                                                                 services.now_seconds)
        services.add_channel(self.whatsapp_channel)
        whatsapp_adapter.add_keywords(services)
        services.reminders.add_recurring("whatsapp-forget-strangers", whatsapp_adapter.forget_strangers(services),
                                         hour=4, minute=10)

    async def _start_web(self, services: Services) -> None:
        """One server on (listen, PORT): Telegram's webhook (when in webhook mode), WhatsApp's
        (when configured) and /health. A port in use is one start-up line."""
        from handlers.web import WebServer, build_app

        hook = None
        if self.settings.has_whatsapp:
            from handlers.whatsapp import WhatsAppWebhook

            assert self.settings.whatsapp_app_secret and self.settings.whatsapp_verify_token
            hook = WhatsAppWebhook(services, self.settings.whatsapp_app_secret.get_secret_value(),
                                   self.settings.whatsapp_verify_token.get_secret_value())
        self.web = WebServer(build_app(services, telegram=self._telegram_route, whatsapp=hook),  # type: ignore[arg-type]
                             self.settings.webhook_listen, self.settings.port)
        try:
            await self.web.start()
        except OSError as error:
            raise StartupError(f"webhook: {error}") from None

    async def _start_telegram(self, services: Services, *, webhook: bool) -> None:
        from telegram.ext import ApplicationBuilder
        from telegram.request import HTTPXRequest

        from bot.services.inbox import inbound_queue
        from handlers.telegram.transport import lean_request
        from handlers import telegram as telegram_adapter
        from handlers.telegram.inbound import Polling, processor

        assert self.settings.telegram_token is not None
        token = self.settings.telegram_token.get_secret_value()
        file_url = self.settings.telegram_file_url or self.settings.telegram_api_url.replace("/bot", "/file/bot")
        # The requests ApplicationBuilder would build (256 connections; 1 for getUpdates), and
        # the sender's below, share one TLS context: each would otherwise load the CA bundle
        # again (tens of milliseconds each, before the first reply; issue 24).
        tls = _tls_context()
        app = (ApplicationBuilder().token(token).base_url(self.settings.telegram_api_url)
               .base_file_url(file_url).updater(None)
               .request(lean_request(connection_pool_size=APP_POOL, httpx_kwargs={"verify": tls}))
               .get_updates_request(HTTPXRequest(connection_pool_size=1, httpx_kwargs={"verify": tls}))
               .build())
        telegram_adapter.register(app, services)
        self.telegram = app
        await self._connect(app, token)
        if app.bot.username:
            services.links.telegram_username = app.bot.username
        self._sender = await _sender_bot(app, token, file_url, services.dispatcher.max_in_flight, tls)
        services.add_channel(telegram_adapter.TelegramChannel(self._sender or app.bot, services.chat_events,
                                                              files=app.bot))
        await app.start()
        fresh: dict[str, object] = {}  # updates the polling loop parsed, handed over unparsed-again
        self.inbound = inbound_queue(self.db, "telegram", services.now_seconds,  # type: ignore[assignment]
                                     processor(app, fresh, services.quarantine))  # type: ignore[arg-type]
        services.extras["telegram_inbound"] = self.inbound
        if webhook and self.settings.webhook_url:
            secret = self.settings.webhook_secret.get_secret_value() if self.settings.webhook_secret else ""
            if not secret:
                raise StartupError("KOORDINAT_WEBHOOK_SECRET: needed for --webhook (Telegram signs every "
                                   "update with it; 1-256 of A-Z a-z 0-9 _ -)")
            # Served by handlers.web (next to WhatsApp's webhook, if any); set_webhook comes once
            # the server listens (see _start).
            from handlers.telegram.webhook import telegram_route  # starlette: webhook mode only

            self._telegram_route = telegram_route(self.inbound, secret, services.quarantine)
        else:
            await app.bot.delete_webhook(drop_pending_updates=False)  # getUpdates needs no webhook
            self._polling = Polling(app.bot, self.inbound, self.fail, fresh,  # type: ignore[arg-type]
                                    services.quarantine)

    async def _after_start(self, services: Services) -> None:
        """In the background once the bot receives updates: setMyCommands in every language
        (handlers/telegram/menu.py; a convenience, so a failure is one warning line and it is
        published again at the next start), then, `WARM_UP_AFTER` seconds after start (the first
        updates are answered first), `Services.warm_up`."""
        import asyncio  # not at module top: `koordinat --help` never starts a loop

        await asyncio.sleep(0)  # let the polling loop send its first getUpdates first
        if self.telegram is not None:
            from telegram.error import TelegramError

            from handlers import telegram as telegram_adapter
            from handlers.telegram.inbound import safe

            bot = self.telegram.bot
            try:
                await telegram_adapter.publish_menu(bot, services.conversation, self.settings.default_language)
            except TelegramError as error:
                log.warning("could not publish the command menu: %s", safe(error, bot.token))
        await asyncio.sleep(WARM_UP_AFTER)
        try:
            services.warm_up()
        except Exception as error:  # loaded again, and reported, where it is used
            log.error("warming up after start-up failed: %s", _one_line(error))

    async def _connect(self, app: Application, token: str) -> None:  # type: ignore[type-arg]
        """getMe until it answers: a rejected token is fatal, a network error is retried with
        backoff and one line per attempt."""
        import asyncio  # not at module top: `koordinat --help` never starts a loop
        from telegram.error import Forbidden, InvalidToken, NetworkError, TelegramError

        from handlers.telegram.inbound import safe

        attempt = 0
        while True:
            try:
                await app.initialize()
                return
            except (InvalidToken, Forbidden):
                raise StartupError("KOORDINAT_TELEGRAM_TOKEN: Telegram rejected the bot token "
                                   "(revoked or mistyped? copy it again from @BotFather)") from None
            except (NetworkError, TelegramError) as error:
                attempt += 1
                delay = min(MAX_CONNECT_BACKOFF, 2.0 ** attempt)
                log.warning("cannot reach the Telegram Bot API at %s (attempt %d: %s); retrying in %.0f s",
                            self.settings.telegram_api_url.removesuffix("/bot"), attempt,
                            safe(error, token) or type(error).__name__, delay)
                await asyncio.sleep(delay)

    async def _watch_database(self) -> None:
        import asyncio  # not at module top: `koordinat --help` never starts a loop
        while self.db is not None:
            await asyncio.sleep(WATCH_EVERY)
            if self.db is None:
                return
            problem = self.db.file_problem()
            if problem is not None:
                self.fail(problem)
                return
            self._supervise()

    def fail(self, reason: str) -> None:
        """Stop the bot because of `reason` (logged once, one line); the exit code is 1."""
        if self.failure is None:
            self.failure = reason
            if not self._says_why_on_exit:  # else run_until_stopped prints it, once
                log.error("stopping: %s", reason)
        if self._stop_requested is not None:
            self._stop_requested.set()

    async def stop(self) -> None:
        """Close everything that is open, in reverse order; each step even if one before failed."""
        import asyncio  # not at module top: `koordinat --help` never starts a loop
        self.supervisor.stopping = True  # tasks ending from here on are being stopped
        if self._leading is not None:
            self._leading.cancel()
            await asyncio.gather(self._leading, return_exceptions=True)
            self._leading = None
        if self._watch is not None:
            self._watch.cancel()
            await asyncio.gather(self._watch, return_exceptions=True)
            self._watch = None
        if self._later is not None:
            self._later.cancel()
            await asyncio.gather(self._later, return_exceptions=True)
            self._later = None
        if self._polling is not None:
            await self._polling.stop()
            self._polling = None
        if self.web is not None:
            await _quietly(self.web.stop(), "web server")
            self.web = None
        self._telegram_route = None
        if self.inbound is not None:
            await _quietly(self.inbound.stop(), "inbox")
            self.inbound = None
        if self.services is not None:
            await _quietly(self.services.stop(), "services")
            self.services = None
        if self.telegram is not None:
            app, self.telegram = self.telegram, None
            if app.running:
                await _quietly(app.stop(), "telegram")
            await _quietly(app.shutdown(), "telegram")
        if self._sender is not None:
            sender, self._sender = self._sender, None
            await _quietly(sender.request.shutdown(), "telegram sender")
        if self.whatsapp is not None:
            await _quietly(self.whatsapp.close(), "whatsapp client")
            self.whatsapp = None
        if self.db is not None:
            await _quietly(self.db.close(), "database")
            self.db = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    async def run_until_stopped(self, *, webhook: bool = False) -> int:
        """Run until SIGINT/SIGTERM (exit code 0) or a fatal fault (1); a failed start prints
        one line and returns 1."""
        import asyncio  # not at module top: `koordinat --help` never starts a loop
        stop = self._stop_requested = asyncio.Event()
        self._says_why_on_exit = True
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, stop.set)
            except NotImplementedError:  # pragma: no cover - Windows
                pass
        starting = asyncio.create_task(self.start(webhook=webhook))
        stopped = asyncio.create_task(stop.wait())
        await asyncio.wait({starting, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if not starting.done():  # asked to stop while starting: let a start that is about to
            await asyncio.wait({starting}, timeout=FINISH_STARTING)  # finish do so, then stop cleanly
        if not starting.done():  # still connecting (no network?): it never started
            starting.cancel()
            await asyncio.gather(starting, return_exceptions=True)
            await self.stop()
            print("koordinat: stopped before start-up finished", file=sys.stderr)
            return 1
        stopped.cancel()
        error = starting.exception()
        if error is not None:
            if not isinstance(error, StartupError):  # a bug: the traceback for whoever debugs it
                log.debug("start-up failed", exc_info=error)
            print(f"koordinat: cannot start: {error if isinstance(error, StartupError) else _one_line(error)}",
                  file=sys.stderr)
            return 1
        log.info("Koordinat is running (%s)", "webhook" if webhook else "long polling")
        if not self.settings.controller_name or not self.settings.controller_contact:
            log.warning("KOORDINAT_CONTROLLER_NAME / KOORDINAT_CONTROLLER_CONTACT are not set: the privacy "
                        "notice (KVKK art. 10) names no data controller; set both before inviting members")
        try:
            await stop.wait()
        finally:
            await self.stop()
        if self.failure is not None:
            print(f"koordinat: stopped: {self.failure}", file=sys.stderr)
            return 1
        return 0


APP_POOL = 40  # the application's connections (PTB's default 256; a smaller pool is scanned faster, issue 24)
SENDER_POOL_SPARE = 2  # connections beyond the outbox's sends in flight
SENDER_POOL_TIMEOUT = 10.0  # seconds a send may wait for a free connection


def _tls_context() -> object:
    """The TLS context every httpx client of the bot would build for itself (`verify=True`:
    certifi's bundle, or SSL_CERT_FILE / SSL_CERT_DIR), built once and shared."""
    import httpx

    return httpx.create_ssl_context()


async def _sender_bot(app: Application, token: str, file_url: str, in_flight: int,  # type: ignore[type-arg]
                      tls: object = True) -> Bot | None:
    """A Bot for the outbox dispatcher with its own small connection pool (`in_flight` + spare)
    instead of the application's 256-connection one shared with the handlers' calls: httpcore
    checks every pooled connection for expiry on each request (a `getpeername` each; issue 24,
    encode/httpcore#928), so the sender's requests only scan the connections it can use at once.
    `tls`: httpx's `verify` (the bot's shared TLS context; True builds one). None (send with
    the application's Bot) if it cannot be set up."""
    from telegram import Bot
    from handlers.telegram.transport import lean_request

    request = lean_request(connection_pool_size=in_flight + SENDER_POOL_SPARE, pool_timeout=SENDER_POOL_TIMEOUT,
                           httpx_kwargs={"verify": tls})
    # No `initialize()`: that would ask getMe again; the application's Bot already checked the
    # token, and sending needs no bot user. The one request object serves both of its slots.
    sender = Bot(token, base_url=app.bot.base_url.removesuffix(token), base_file_url=file_url,
                 request=request, get_updates_request=request)
    try:
        await request.initialize()
    except Exception as error:  # pragma: no cover - building an httpx client does not fail
        log.warning("the sender's own connection pool is unavailable (%s); sending through the main one",
                    type(error).__name__)
        return None
    return sender


def _one_line(error: BaseException) -> str:
    return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"


async def _quietly(step: object, what: str) -> None:
    try:
        await step  # type: ignore[misc]
    except Exception as error:
        log.warning("while stopping the %s: %s", what, _one_line(error))


def main(argv: list[str] | None = None) -> int:
    from bot import cli

    return cli.main(sys.argv[1:] if argv is None else argv, runtime=Koordinat)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
