"""`koordinat demo`: the real bot against the built-in Bot API emulator, in a terminal.

Everything runs in one process on 127.0.0.1 with its own database (never the operator's):
`demo-files/state/demo.db`, kept between runs so that what was done last time is still there
(`--fresh` starts over; the first screen says which). The scripted tour always uses a new one
in a temporary folder. Time is a `ManualClock`, so `/wait 1d` shows tomorrow's reminders now.
"""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
import socket
import sys
import tempfile
import time as time_module
from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime as babel_datetime
from pydantic import SecretStr

from bot.clock import ManualClock, utc_timestamp
from bot.config import Settings
from bot.demo.script import TourPlayer
from bot.demo.seed import Cast, seed
from bot.demo.coplanning import seed_round
from bot.demo.monitoring import report_period, seed_earlier_rounds
from bot.demo.surveys import seed_survey
from bot.demo.session import DemoSession
from bot.demo.terminal import Chat, ReadLine, TerminalInput, first_screen
from bot.demo.tour import TOUR, Step
from bot.demo.whatsapp import WhatsAppPeople
from bot.emulator.telegram.server import FakeBotApi
from bot.emulator.whatsapp import FakeGraphApi
from messages import normalize_language, t

__all__ = ["FILES", "play", "run_demo"]

FILES = Path("demo-files")
# The tour's meeting: two days ahead at 14:00, so both reminders (24 h, 1 h) come within it.
TOUR_MEETING_DAYS, TOUR_MEETING_HOUR = 2, 14
QUIET_LOGGERS = ("httpx", "httpcore", "telegram", "apscheduler", "aiohttp", "koordinat", "uvicorn", "pywa", "bot",
                 "handlers")


class _LogFile(logging.FileHandler):
    """A log file whose folder is made only when the first line is written."""

    def _open(self):  # type: ignore[no-untyped-def]
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        return super()._open()


def run_demo(settings: Settings, runtime: Any, *, script: bool, language: str, fresh: bool = False) -> int:
    """Run the demo; the exit code is 0 unless the scripted tour went wrong. Log lines never
    reach the screen (they would break the chat): warnings and errors go to
    `demo-files/demo.log`, created only if there is something to write."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    log_file = _LogFile(FILES / "demo.log", delay=True, encoding="utf-8")
    log_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(log_file)
    root.setLevel(logging.WARNING)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        return asyncio.run(play(settings, runtime, script=script, language=language, fresh=fresh))
    except KeyboardInterrupt:  # Ctrl-C in the chat: leave as politely as with /quit
        print("\n" + t("demo.bye", normalize_language(language)).replace("<code>", "").replace("</code>", ""))
        return 0


async def play(settings: Settings, runtime: Any, *, script: bool, language: str,
               read_line: ReadLine | None = None, write: Callable[[str], None] = print,
               files: Path = FILES, color: bool | None = None, steps: list[Step] = TOUR,
               fresh: bool = False) -> int:
    """The demo with its input and output injectable (tests drive the chat through these).
    Interactive runs keep their database in `files/state/` unless `fresh`."""
    language = normalize_language(language)
    zone = ZoneInfo(settings.timezone)
    today = settings.demo_today or datetime.now(zone).date()
    clock = ManualClock(start=datetime.combine(today, time(9, 0), tzinfo=zone))  # a working morning
    if not script:  # the kept database may be another demo's, running now: never delete or share it
        holder = _running_demo(files / "state" / "demo.db")
        if holder is not None:
            write(t("demo.already_running", language, path=str(files / "state" / "demo.db"), holder=holder)
                  .replace("<code>", "").replace("</code>", ""))
            return 1
    with tempfile.TemporaryDirectory(prefix="koordinat-demo-") as temporary:
        folder, kept = _state_folder(files, Path(temporary), script=script, fresh=fresh)
        # The demo's clock stands still while people type, so Meta's pair rate (a burst, then one
        # message per 6 s to a person) would never let a survey's next question through.
        async with FakeBotApi() as server, \
                FakeGraphApi(now=lambda: utc_timestamp(clock.now()), pair_burst=100_000) as graph:
            if kept:  # the kept database has seen the last run's update and message ids
                first = int(time_module.time() * 1000)
                server.start_update_ids_at(first)
                graph.start_ids_at(first)
            bot = runtime(_demo_whatsapp(_demo_settings(settings, server, Path(folder), language), graph),
                          clock=clock)
            services = await bot.start()
            try:
                whatsapp = _whatsapp_people(bot, graph)
                async def before_announcing(group):  # type: ignore[no-untyped-def]
                    await seed_earlier_rounds(services, group)  # /rapor shows a series (issue 22)
                    await seed_survey(services, group)
                    await seed_round(services, group, language)

                cast = await seed(services, server, language, whatsapp=whatsapp,
                                  before_announcing=before_announcing, existing=kept)
                session = DemoSession(services, server, clock, cast, language, files, write=write, color=color,
                                      whatsapp=whatsapp)
                if not script:
                    session.tell("demo.database_kept" if kept else "demo.database_new",
                                 path=str(folder / "demo.db"))
                await session.settle(cast.newcomer)
                session.mark_all_seen()  # the seeded meetings' notices are old news
                if script:
                    player = TourPlayer(session, _facts(session, cast, zone))
                    return 0 if await player.play(steps) else 1
                session.write(first_screen(session))
                chat = Chat(session, read_line or TerminalInput(),
                            echo=read_line is not None or not sys.stdin.isatty())
                await chat.run()
                session.write("")
                session.tell("demo.bye")
                return 0
            finally:
                await bot.stop()


def _running_demo(database: Path) -> str | None:
    """Who holds the demo database's instance lock (`pid … since …`), or None if nobody."""
    from storage.instance import AlreadyRunning, InstanceLock

    if not database.with_name(database.name + ".lock").exists():
        return None
    lock = InstanceLock(database)
    try:
        lock.acquire()
    except AlreadyRunning as error:  # "(pid 123 on host since …)": the pid is the same in both languages
        found = re.search(r"pid \d+", str(error))
        return found.group(0) if found else "pid ?"
    except OSError:
        return None
    lock.release()
    return None


def _state_folder(files: Path, temporary: Path, *, script: bool, fresh: bool) -> tuple[Path, bool]:
    """Where the demo's database lives and whether it holds a previous run: the scripted tour
    in `temporary` (always new); otherwise `files/state/`, emptied first when `fresh`."""
    if script:
        return temporary, False
    folder = files / "state"
    if fresh and folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return folder, (folder / "demo.db").exists()


def _demo_settings(settings: Settings, server: FakeBotApi, folder: Path, language: str) -> Settings:
    return settings.model_copy(update={
        "telegram_token": SecretStr("123456:DEMO"), "telegram_api_url": server.base_url,
        "telegram_file_url": server.file_base_url, "database": folder / "demo.db",
        "files_dir": folder / "files",
        "webhook_url": None, "default_language": language,
        # People in the demo answer faster than anyone on a phone.
        "private_chat_rate_per_second": 20.0,
        "controller_name": t("demo.controller", language), "controller_contact": "kvkk@example.org"})


def _demo_whatsapp(settings: Settings, graph: FakeGraphApi) -> Settings:
    """WhatsApp through the fake Graph API; its webhook on a free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    return settings.model_copy(update={
        "whatsapp_token": SecretStr(graph.token), "whatsapp_phone_number_id": graph.phone_number_id,
        "whatsapp_app_secret": SecretStr(graph.app_secret), "whatsapp_verify_token": SecretStr(graph.verify_token),
        "whatsapp_api_url": graph.base_url, "webhook_listen": "127.0.0.1", "port": port,
        # The demo's own web server is its "public URL": calendar links on WhatsApp open from it.
        "webhook_url": f"http://127.0.0.1:{port}",
        "whatsapp_pair_seconds": 0.2})


def _whatsapp_people(bot: Any, graph: FakeGraphApi) -> WhatsAppPeople | None:
    web = getattr(bot, "web", None)
    if web is None:  # a runtime without the WhatsApp web server (tests' stand-ins)
        return None
    graph.webhook_url = f"http://127.0.0.1:{web.port}/whatsapp"
    return WhatsAppPeople(graph)


def _facts(session: DemoSession, cast: Cast, zone: ZoneInfo) -> dict[str, str]:
    """What the tour's texts may name: the invite code, the meeting time as typed locally..."""
    lang = session.language
    day = session.clock.now().astimezone(zone).date() + timedelta(days=TOUR_MEETING_DAYS)
    meeting = datetime.combine(day, time(TOUR_MEETING_HOUR), tzinfo=zone)
    typed = babel_datetime(meeting, t("demo.tour.when_format", lang), locale=lang, tzinfo=zone)
    # The group's monthly meeting (seeded `days_ahead` days ahead) moves one day later, to 15:00.
    moved_day = session.clock.now().astimezone(zone).date() + timedelta(days=cast.joins.meeting_days_ahead + 1)
    moved = babel_datetime(datetime.combine(moved_day, time(15), tzinfo=zone), t("demo.tour.when_format", lang),
                           locale=lang, tzinfo=zone)
    return {"code": cast.joins.member_code, "when": " ".join(typed.split()), "new_when": " ".join(moved.split()),
            "language": lang, "newcomer": cast.newcomer.first_name, "coordinator": cast.joins.coordinator,
            "group": cast.joins.name, "city": cast.joins.city, "files": str(session.files),
            # the period of the groups' earlier survey rounds (bot/demo/monitoring.py)
            "report_period": report_period(session.clock.now().astimezone(zone).date()).code}
