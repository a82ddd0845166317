"""Composition root (`python -m bot` == `koordinat`): settings → db → services → channels
→ scheduler → servers. The only module that wires platform adapters to the core."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys

# PTB 22: read RetryAfter.retry_after as a timedelta (the int form is deprecated).
os.environ.setdefault("PTB_TIMEDELTA", "1")

from telegram.ext import Application, ApplicationBuilder  # noqa: E402

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.services import Services, build_services
from handlers import telegram as telegram_adapter
from storage.db import Database

log = logging.getLogger("koordinat")


class Koordinat:
    """One running bot: database, services, the Telegram adapter and the outbox dispatcher."""

    def __init__(self, settings: Settings, clock: Clock | None = None) -> None:
        self.settings = settings
        self.clock: Clock = clock or SystemClock()
        self.db: Database | None = None
        self.services: Services | None = None
        self.telegram: Application | None = None  # type: ignore[type-arg]
        self.whatsapp = None  # handlers.whatsapp.CloudApi when configured
        self.whatsapp_channel = None
        self.web = None  # handlers.web.WebServer: both webhooks and /health

    async def start(self, *, webhook: bool = False) -> Services:
        self.db = await Database.open(self.settings.database)
        services = build_services(self.settings, self.db, self.clock)
        self.services = services
        if self.settings.has_whatsapp:
            self._start_whatsapp(services)
        if self.settings.has_telegram_token:
            await self._start_telegram(services, webhook=webhook)
        await services.start()
        if self.settings.has_whatsapp:
            await self._start_web(services)
        return services

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
        """One server for the WhatsApp webhook, the Telegram webhook (if any) and /health."""
        from handlers.web import WebServer, build_app
        from handlers.whatsapp import WhatsAppWebhook

        assert self.settings.whatsapp_app_secret and self.settings.whatsapp_verify_token
        hook = WhatsAppWebhook(services, self.settings.whatsapp_app_secret.get_secret_value(),
                               self.settings.whatsapp_verify_token.get_secret_value())
        secret = self.settings.webhook_secret.get_secret_value() if self.settings.webhook_secret else None
        telegram = self.telegram if self.telegram is not None and self.telegram.updater is not None \
            and not self.telegram.updater.running else None
        self.web = WebServer(build_app(services, telegram=telegram, telegram_secret=secret, whatsapp=hook),
                             self.settings.webhook_listen, self.settings.port)
        await self.web.start()

    async def _start_telegram(self, services: Services, *, webhook: bool) -> None:
        assert self.settings.telegram_token is not None
        token = self.settings.telegram_token.get_secret_value()
        file_url = self.settings.telegram_file_url or self.settings.telegram_api_url.replace("/bot", "/file/bot")
        app = (ApplicationBuilder().token(token).base_url(self.settings.telegram_api_url)
               .base_file_url(file_url).concurrent_updates(32).build())
        telegram_adapter.register(app, services)
        await app.initialize()
        if app.bot.username:
            services.links.telegram_username = app.bot.username
        services.add_channel(telegram_adapter.TelegramChannel(app.bot, services.chat_events))
        await telegram_adapter.publish_menu(app.bot, services.conversation, self.settings.default_language)
        await app.start()
        assert app.updater is not None
        if webhook and self.settings.webhook_url and self.settings.has_whatsapp:
            # Served by handlers.web next to the WhatsApp webhook (see _start_web).
            secret = self.settings.webhook_secret.get_secret_value() if self.settings.webhook_secret else None
            await app.bot.set_webhook(self.settings.webhook_url.rstrip("/") + "/telegram", secret_token=secret)
        elif webhook and self.settings.webhook_url:
            secret = self.settings.webhook_secret.get_secret_value() if self.settings.webhook_secret else None
            await app.updater.start_webhook(listen=self.settings.webhook_listen, port=self.settings.port, url_path="telegram",
                                            webhook_url=self.settings.webhook_url.rstrip("/") + "/telegram",
                                            secret_token=secret)
        else:
            await app.updater.start_polling(poll_interval=0.0, timeout=30, drop_pending_updates=False)
        self.telegram = app

    async def stop(self) -> None:
        if self.web is not None:
            await self.web.stop()
            self.web = None
        if self.services is not None:
            await self.services.stop()
        if self.telegram is not None:
            if self.telegram.updater and self.telegram.updater.running:
                await self.telegram.updater.stop()
            if self.telegram.running:
                await self.telegram.stop()
            await self.telegram.shutdown()
            self.telegram = None
        if self.whatsapp is not None:
            await self.whatsapp.close()
            self.whatsapp = None
        if self.db is not None:
            await self.db.close()
            self.db = None

    async def run_until_stopped(self, *, webhook: bool = False) -> None:
        """Run until SIGINT/SIGTERM, then stop cleanly."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, stop.set)
            except NotImplementedError:  # pragma: no cover - Windows
                pass
        await self.start(webhook=webhook)
        log.info("Koordinat is running (%s)", "webhook" if webhook else "long polling")
        try:
            await stop.wait()
        finally:
            await self.stop()


def main(argv: list[str] | None = None) -> int:
    from bot import cli

    return cli.main(sys.argv[1:] if argv is None else argv, runtime=Koordinat)


if __name__ == "__main__":
    sys.exit(main())
