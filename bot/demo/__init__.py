"""`koordinat demo`: the real bot against the built-in Bot API emulator, in a terminal.

Everything runs in one process on 127.0.0.1 with a fresh database in a temporary folder;
time is a `ManualClock`, so `/wait 1d` shows tomorrow's reminders now.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from bot.clock import ManualClock
from bot.config import Settings
from bot.demo.seed import seed
from bot.demo.session import DemoSession
from bot.demo.terminal import chat, play_tour, stdin_lines
from bot.emulator.bot_api import FakeBotApi, FakeUser
from messages import format_datetime, t

FILES = Path("demo-files")
NEWCOMER_ID = 4242


def run_demo(settings: Settings, runtime: Any, *, script: bool, language: str) -> int:
    """Run the demo; the exit code is 0 unless the scripted tour went wrong."""
    logging.getLogger().setLevel(logging.WARNING)
    for name in ("httpx", "telegram", "apscheduler", "aiohttp"):
        logging.getLogger(name).setLevel(logging.ERROR)
    return asyncio.run(_demo(settings, runtime, script=script, language=language))


async def _demo(settings: Settings, runtime: Any, *, script: bool, language: str) -> int:
    zone = ZoneInfo(settings.timezone)
    today = datetime.now(zone).date()
    clock = ManualClock(start=datetime.combine(today, time(9, 0), tzinfo=zone))  # a working morning
    with tempfile.TemporaryDirectory(prefix="koordinat-demo-") as folder:
        async with FakeBotApi() as server:
            demo_settings = settings.model_copy(update={
                "telegram_token": SecretStr("demo:token"), "telegram_api_url": server.base_url,
                "telegram_file_url": server.file_base_url, "database": Path(folder) / "demo.db",
                "webhook_url": None, "default_language": language,
                # People in the demo answer faster than anyone on a phone.
                "private_chat_rate_per_second": 20.0,
                "controller_name": t("demo.controller", language), "controller_contact": "kvkk@example.org"})
            bot = runtime(demo_settings, clock=clock)
            services = await bot.start()
            try:
                cast = await seed(services, server, language)
                session = DemoSession(services, server, clock, cast, language, FILES)
                await session.settle(next(iter(cast.people.values())))
                session.mark_all_seen()
                newcomer = FakeUser(id=NEWCOMER_ID, first_name="Deniz", language_code=language)
                cast.people["Deniz"] = newcomer
                kars = cast.group("Kars")
                if script:
                    meeting = datetime.combine(today + timedelta(days=2), time(14, 0), tzinfo=zone)
                    fill = {"kars_code": kars.member_code, "meeting_date": format_datetime(meeting, "tr", zone)}
                    ok = await play_tour(session, newcomer, fill)
                    return 0 if ok else 1
                session.tell("demo.welcome", name=newcomer.first_name, group=kars.name,
                                code=kars.member_code, coordinator=kars.coordinator,
                                names=", ".join(sorted(cast.people)), files=str(FILES))
                await chat(session, newcomer, stdin_lines, coordinator=kars.coordinator)
                session.tell("demo.bye")
                return 0
            finally:
                await bot.stop()

