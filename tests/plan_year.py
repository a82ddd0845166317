"""The plan-year simulation: one group through a whole year on the injectable clock.

`YearSim` runs the real bot (PTB Application, WhatsApp webhook, SQLite file, scheduler,
outbox) against the fake Bot API and the fake Graph API with a `ManualClock`. People —
Telegram and WhatsApp, Turkish and English — act at the moments a feature's *scenario part*
gives (`Step`s); between them the clock jumps to each next due time, so every reminder,
escalation, digest and nudge falls due as it would in a real year. At seeded random moments
the bot is stopped for hours or days (a real stop and start of the services on the same
SQLite file) and the clock moves on while it is down.

Every message each person receives is recorded with the simulated time it arrived
(`Received`, in `YearSim.transcript`); `invariants(sim)` checks the whole transcript (no timed
send in quiet hours, nothing twice, every "N gün kaldı / yarın / bugün / N saat sonra" true
when sent, every date shown equal to the stored one, nothing of the other language's
catalog, every feature answering whenever the calendar needs it).

A feature adds its part with a `Part`: `steps(sim)` returns the `Step`s it plays (each a
coroutine run at its moment; it may call services or act as a person through `sim.say`), and
`check(sim)` may return more violations of its own. See tests/README.md.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import random
import re
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.clock import ManualClock, utc_timestamp
from bot.daycount import days_until
from bot.emulator.telegram.store import message_json
from bot.emulator.telegram import FakeBotApi
from bot.emulator.whatsapp import FakeGraphApi, FakeWaUser
from bot.services import quiet
from messages import catalog
from storage import outbox as outbox_repo
from storage.sql import fetch_one
from tests.harness import Harness, Person

ZONE = ZoneInfo("Europe/Istanbul")
# Monday 1 June 2026, 10:00 in Istanbul: the plan year runs to the end of May 2027.
YEAR_START = datetime(2026, 6, 1, 10, 0, tzinfo=ZONE).astimezone(UTC)
YEAR_END = datetime(2027, 5, 31, 18, 0, tzinfo=ZONE).astimezone(UTC)
DAYTIME = (time(10, 0), time(17, 0))  # people act between these (group time)
# Nightly upkeep nobody reads: the clock does not stop for it (it runs at the next look).
_callback_ids = itertools.count(8_800_000_000_000_000_001)
# ("coplan-no-answer" sends, but at most once per proposal: whenever it runs, the invariants
# see its messages; stopping the clock for it every morning would triple the year's stops.)
HOUSEKEEPING = ("recurring:forget-old-updates", "recurring:whatsapp-forget-strangers", "recurring:coplan-no-answer")


def local(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A wall time in the group's zone, as aware UTC."""
    return datetime(year, month, day, hour, minute, tzinfo=ZONE).astimezone(UTC)


@dataclass
class Member:
    """A person of the simulated group."""

    name: str
    lang: str
    channel: str  # "telegram" | "whatsapp"
    coordinator: bool = False
    person: Person | None = None
    wa_user: FakeWaUser | None = None
    member_id: int | None = None


@dataclass(frozen=True)
class Received:
    """One message a person received: when (simulated UTC), to whom, and whether it was a
    timed send (False: the answer to something a person of the simulation just did)."""

    at: datetime
    who: str
    lang: str
    channel: str
    text: str
    timed: bool
    template: bool = False  # a WhatsApp template (the "messages are waiting" ping)


@dataclass
class Step:
    """`run(sim)` at `at` (moved to the next daytime after a downtime that covers it)."""

    at: datetime
    name: str
    run: Callable[[YearSim], Awaitable[None]]


class Part(Protocol):
    """A feature's share of the year."""

    name: str

    def steps(self, sim: YearSim) -> list[Step]: ...

    def check(self, sim: YearSim) -> list[str]: ...


@dataclass
class Downtime:
    start: datetime
    end: datetime


def downtimes(rng: random.Random, count: int = 6) -> list[Downtime]:
    """Seeded stops of the bot: a few hours (often overnight) up to three days."""
    windows: list[Downtime] = []
    span = (YEAR_END - YEAR_START).total_seconds()
    while len(windows) < count:
        start = YEAR_START + timedelta(days=3, seconds=rng.uniform(0, span - 10 * 86400))
        length = timedelta(hours=rng.choice([3, 7, 11, 20, 30, 52, 75]), minutes=rng.randrange(60))
        window = Downtime(start, start + length)
        if all(window.end + timedelta(days=2) < other.start or other.end + timedelta(days=2) < window.start
               for other in windows):
            windows.append(window)
    return sorted(windows, key=lambda w: w.start)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class YearSim:
    """The year, its people, its transcript. Build, `await setup()`, `await run()`."""

    def __init__(self, seed: int, workdir: Path, telegram: FakeBotApi, graph: FakeGraphApi,
                 clock: ManualClock, parts: Iterable[Part] = ()) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.clock = clock
        self.telegram = telegram
        self.graph = graph
        settings = {"whatsapp_token": graph.token, "whatsapp_phone_number_id": graph.phone_number_id,
                    "whatsapp_app_secret": graph.app_secret, "whatsapp_verify_token": graph.verify_token,
                    "whatsapp_api_url": graph.base_url, "webhook_listen": "127.0.0.1", "port": free_port(),
                    "whatsapp_pair_seconds": 0.01, "private_chat_rate_per_second": 200}
        self.harness = Harness(telegram, workdir / "koordinat.db", clock, **settings)
        self.parts = list(parts)
        self.members: dict[str, Member] = {}
        self.transcript: list[Received] = []
        self.violations: list[str] = []
        self.downtimes = downtimes(self.rng)
        self.group_id = 0
        self.restarts = 0
        self.wakeups = 0
        self._cursors: dict[str, int] = {}
        self._wa_cursor = 0
        self._queue: list[tuple[datetime, int, Step]] = []
        self._order = itertools.count()
        self.setup_messages = 0
        self.facts: dict[str, object] = {}  # what parts remember (ids, titles → stored dates)

    # -- life cycle -----------------------------------------------------------------------
    async def start_bot(self) -> None:
        await self.harness.start()
        assert self.harness.bot is not None and self.harness.bot.web is not None
        self.graph.webhook_url = f"http://127.0.0.1:{self.harness.bot.web.port}/whatsapp"

    async def setup(self) -> None:
        """The group and its people, everyone joined through the real onboarding."""
        self.clock.advance(YEAR_START - self.clock.now())
        await self.start_bot()
        created = await self.harness.create_group("Kadın Dostu Kent", "Kars")
        self.group_id = created.group.id
        people = [Member("Zeynep", "tr", "telegram", coordinator=True), Member("Ayşe", "tr", "telegram"),
                  Member("Emma", "en", "telegram"), Member("Leyla", "tr", "whatsapp"),
                  Member("Grace", "en", "whatsapp")]
        for member in people:
            self.members[member.name] = member
            code = (created.coordinator_invite if member.coordinator else created.member_invite).code
            if member.channel == "telegram":
                member.person = self.harness.person(member.name, member.lang)
                await self.harness.join(member.person, code, language=member.lang)
            else:
                member.wa_user = self.graph.user(member.name, phone=None)
                # `katıl KOD` / `join CODE`: the word is her language (no language question)
                notice = await self._wa_say(member.wa_user, f"{'katıl' if member.lang == 'tr' else 'join'} {code}")
                question = notice if notice.buttons else await self.graph.wait_for_message(member.wa_user)
                assert notice.text and question.buttons
                second = await self._wa_tap(member.wa_user, question, f"consent:{member.lang}:{code}:y")
                await self._wa_tap(member.wa_user, second, f"consent:{member.lang}:{code}:y:y")
        await self.settle()
        self.collect(timed=False)
        async with self.harness.services.db.read() as conn:
            from storage import members as members_repo
            for found, _role in await members_repo.group_members(conn, self.group_id):
                for member in self.members.values():
                    if found.display_name == member.name:
                        member.member_id = found.id

    def later(self, step: Step) -> None:
        """Play `step` at its time too (a part that learns its dates as the year goes on)."""
        heapq.heappush(self._queue, (step.at, next(self._order), step))

    async def run(self) -> None:
        """Play every part's steps in time order; between them let time pass."""
        self.setup_messages = len(self.transcript)
        for part in self.parts:
            for step in part.steps(self):
                self.later(step)
        while self._queue:
            _, _, step = heapq.heappop(self._queue)
            if step.at < self.clock.now():  # its moment passed while the bot was down
                step.at = self.daytime(self.clock.now())
            await self.pass_time(step.at)  # settled at its end
            try:
                await step.run(self)
            except Exception as error:  # a step that cannot be played is a finding, not a crash
                self.violations.append(f"{self._when(self.clock.now())} step {step.name!r} failed: "
                                       f"{type(error).__name__}: {str(error)[:300]}")
            await self.settle()
            self.collect(timed=False)
        await self.pass_time(YEAR_END)
        await self.settle()
        self.collect(timed=True)

    async def stop(self) -> None:
        await self.harness.stop()

    # -- time -----------------------------------------------------------------------------
    async def pass_time(self, until: datetime) -> None:
        """Move the clock to `until`, stopping at every due reminder and held message on the
        way (and going down for any downtime that starts before it)."""
        while self.clock.now() < until:
            down = next((w for w in self.downtimes if self.clock.now() <= w.start < until), None)
            target = down.start if down is not None else until
            due = await self._next_due()
            if due is not None and self.clock.now() < due < target:
                target = due + timedelta(seconds=1)
            self.clock.advance(target - self.clock.now())
            self.wakeups += 1
            await self.settle()
            self.collect(timed=True)
            if down is not None and target == down.start:
                await self.harness.stop()
                self.clock.advance(down.end - self.clock.now())
                await self.start_bot()
                self.restarts += 1
                await self.settle()
                self.collect(timed=True)
                self.downtimes.remove(down)

    async def _next_due(self) -> datetime | None:
        """The next moment something people read may go out: a pending reminder (not the
        nightly housekeeping, which runs whenever the bot next looks) or a held message."""
        services = self.harness.services
        async with services.db.read() as conn:
            row = await fetch_one(conn, "SELECT MIN(wake_at) FROM reminders WHERE status = 'pending' "
                                  f"AND kind NOT IN ({','.join('?' * len(HOUSEKEEPING))})", HOUSEKEEPING)
            held = await outbox_repo.next_due(conn)
        due = datetime.fromtimestamp(float(row[0]), UTC) if row and row[0] is not None else None
        if held is not None:
            moment = datetime.fromtimestamp(held, UTC)
            due = moment if due is None else min(due, moment)
        return due

    async def settle(self) -> None:
        """Wait until the scheduler has nothing running and the outbox nothing due."""
        services = self.harness.services
        await services.scheduler.settle(timeout=30)
        await services.dispatcher.wait_idle(timeout=30)

    def daytime(self, moment: datetime) -> datetime:
        """`moment`, or the next 10:00 group time when it falls outside the day."""
        wall = moment.astimezone(ZONE)
        if DAYTIME[0] <= wall.time() <= DAYTIME[1]:
            return moment
        day = wall.date() + (timedelta(days=1) if wall.time() > DAYTIME[1] else timedelta(0))
        return datetime.combine(day, DAYTIME[0], tzinfo=ZONE).astimezone(UTC)

    # -- people ---------------------------------------------------------------------------
    async def say(self, name: str, text: str) -> list[str]:
        """`name` types `text`; returns what she received in answer (all of it, settled)."""
        member = self.members[name]
        self.collect(timed=True)
        if member.channel == "telegram":
            assert member.person is not None
            chat = member.person.chat_id
            before = len(self.telegram.messages(chat))
            await self.telegram.send_text(member.person.user, text)
            arrived = lambda: len(self.telegram.messages(chat)) > before  # noqa: E731
        else:
            assert member.wa_user is not None
            user_id = member.wa_user.user_id
            before = sum(m.to == user_id for m in self.graph.sent)
            await self.graph.send_text(member.wa_user, text)
            arrived = lambda: sum(m.to == user_id for m in self.graph.sent) > before  # noqa: E731
        deadline = asyncio.get_running_loop().time() + 15
        while not arrived():
            if asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.005)
        await self.settle()
        return [r.text for r in self.collect(timed=False) if r.who == name]

    async def press(self, name: str, data: str) -> list[str]:
        """A Telegram member taps the button `data` on her latest message (a callback query
        as the client sends it); returns what she received in answer, settled."""
        member = self.members[name]
        assert member.person is not None, "buttons are pressed by Telegram members here"
        self.collect(timed=True)
        api = self.telegram._api  # noqa: SLF001 - the fake's store, as tests/trust_support.py uses it
        chat = api.chats.chats[member.person.chat_id]
        answered = len(self.telegram.calls_to("answerCallbackQuery"))
        api.updates.push({"callback_query": {
            "id": str(next(_callback_ids)), "from": member.person.user.to_api(),
            "message": message_json(chat.sent[-1], chat, api.bot_ref), "chat_instance": "1", "data": data}})
        deadline = asyncio.get_running_loop().time() + 15
        while len(self.telegram.calls_to("answerCallbackQuery")) <= answered:
            if asyncio.get_running_loop().time() > deadline:
                break
            await asyncio.sleep(0.005)
        await self.settle()
        return [r.text for r in self.collect(timed=False) if r.who == name]

    async def _wa_say(self, user: FakeWaUser, text: str):  # type: ignore[no-untyped-def]
        await self.graph.send_text(user, text)
        return await self.graph.wait_for_message(user, timeout=15)

    async def _wa_tap(self, user: FakeWaUser, message, choice: str):  # type: ignore[no-untyped-def]
        await self.graph.tap(user, message, choice)
        return await self.graph.wait_for_message(user, timeout=15)

    # -- the transcript -------------------------------------------------------------------
    def collect(self, *, timed: bool) -> list[Received]:
        """Record what arrived since the last look, stamped with the simulated time."""
        now = self.clock.now()
        new: list[Received] = []
        for member in self.members.values():
            if member.person is None:
                continue
            shown = self.telegram.messages(member.person.chat_id)
            start = self._cursors.get(member.name, 0)
            for message in shown[start:]:
                new.append(Received(now, member.name, member.lang, "telegram", message.text or "", timed))
            self._cursors[member.name] = len(shown)
        by_user = {m.wa_user.user_id: m for m in self.members.values() if m.wa_user is not None}
        for message in self.graph.sent[self._wa_cursor:]:
            member = by_user.get(message.to)
            if member is not None:
                text = message.text or " ".join(message.template_params)
                new.append(Received(now, member.name, member.lang, "whatsapp", text, timed,
                                    template=message.type == "template"))
        self._wa_cursor = len(self.graph.sent)
        self.transcript += new
        return new

    @staticmethod
    def _when(moment: datetime) -> str:
        return moment.astimezone(ZONE).strftime("%d.%m.%Y %H:%M")


# -- invariants over the transcript ----------------------------------------------------------

_TR_DATE = re.compile(r"\b(\d{2})\.(\d{2})\.(\d{4})\b")
_EN_MONTHS = {m: i for i, m in enumerate(["January", "February", "March", "April", "May", "June", "July", "August",
                                          "September", "October", "November", "December"], start=1)}
_EN_DATE = re.compile(r"\b(\d{1,2}) (" + "|".join(m[:3] for m in _EN_MONTHS) + r")[a-z]* (\d{4})\b")
_LEFT = [(re.compile(r"(\d+) gün kaldı"), 1), (re.compile(r"(\d+) days left"), 1),
         (re.compile(r"(\d+) gün gecikti"), -1), (re.compile(r"(\d+) days overdue"), -1)]
_WORDS = [(re.compile(r"·\s*(bugün|today)\b", re.I), 0), (re.compile(r"·\s*(yarın|tomorrow)\b", re.I), 1),
          (re.compile(r"·\s*<?b?>?\s*(1 gün gecikti|1 day overdue)", re.I), -1)]


def dates_in(line: str) -> list[date]:
    found = [date(int(y), int(m), int(d)) for d, m, y in _TR_DATE.findall(line)]
    found += [date(int(y), [v for k, v in _EN_MONTHS.items() if k.startswith(m)][0], int(d))
              for d, m, y in _EN_DATE.findall(line)]
    return found


def day_count_claims(line: str) -> list[int]:
    claims = [sign * int(n) for pattern, sign in _LEFT for n in pattern.findall(line)]
    claims += [value for pattern, value in _WORDS if pattern.search(line)]
    return claims


def quiet_sends(sim: YearSim) -> list[str]:
    hours = quiet.from_setting(None, "Europe/Istanbul")
    return [f"{sim._when(r.at)} {r.who}: timed send in quiet hours: {r.text[:80]!r}"
            for r in sim.transcript if r.timed and hours.contains(r.at)]


DUPLICATE_WINDOW = timedelta(days=30)  # the same text months apart is another survey of one title


def duplicates(sim: YearSim) -> list[str]:
    """The same timed text to the same person twice within `DUPLICATE_WINDOW`."""
    seen: dict[tuple[str, str], Received] = {}
    found = []
    for r in sim.transcript:
        if not r.timed or r.template or not r.text.strip():
            continue
        key = (r.who, r.text)
        if key in seen and r.at - seen[key].at < DUPLICATE_WINDOW:
            found.append(f"{sim._when(r.at)} {r.who}: twice (first {sim._when(seen[key].at)}): {r.text[:80]!r}")
        else:
            seen[key] = r
    return found


def false_day_counts(sim: YearSim) -> list[str]:
    """Each line with a date and a day count: the count is true at the time it arrived."""
    found = []
    for r in sim.transcript:
        for line in r.text.splitlines():
            days = dates_in(line)
            claims = day_count_claims(line)
            if len(days) != 1 or not claims:
                continue
            true = days_until(datetime.combine(days[0], time(12), tzinfo=ZONE), r.at, ZONE)
            for claim in claims:
                if claim != true:
                    found.append(f"{sim._when(r.at)} {r.who}: says {claim} day(s) for {days[0]:%d.%m.%Y} "
                                 f"(true: {true}): {line[:100]!r}")
    return found


def wrong_dates(sim: YearSim, stored: dict[str, set[date]]) -> list[str]:
    """Each line naming a stored thing (title → its stored dates: a template title recurs
    each year) shows one of those dates, if it shows any."""
    found = []
    for r in sim.transcript:
        for line in r.text.splitlines():
            for title, days in stored.items():
                if title not in line:
                    continue
                shown = dates_in(line)
                if shown and not set(shown) & days:
                    found.append(f"{sim._when(r.at)} {r.who}: {title!r} shown on {shown[0]:%d.%m.%Y}, "
                                 f"stored {', '.join(f'{d:%d.%m.%Y}' for d in sorted(days))}")
    return found


def _catalog_words(lang: str) -> set[str]:
    words: set[str] = set()
    for text in catalog(lang).values():
        text = re.sub(r"\{[^}]*\}|<[^>]+>", " ", text)
        words |= {w.lower() for w in re.findall(r"[^\W\d_]{5,}", text)}
    return words


def foreign_words(sim: YearSim, allowed: Iterable[str] = ()) -> list[str]:
    """Words only the other language's catalog has, in a reader's messages (names, titles and
    places people typed are `allowed`)."""
    tr, en = _catalog_words("tr"), _catalog_words("en")
    only = {"tr": tr - en, "en": en - tr}
    content = {w.lower() for text in allowed for w in re.findall(r"[^\W\d_]{5,}", text)}
    found = []
    for r in sim.transcript[sim.setup_messages:]:  # the language picker is in both, by design
        other = only["en" if r.lang == "tr" else "tr"] - content
        shown = re.sub(r"<[^>]+>|/\w+", " ", r.text)  # markup and command names (/takvim /milestones)
        words = {w.lower() for w in re.findall(r"[^\W\d_]{5,}", shown)}
        leaked = sorted(words & other)
        if leaked:
            found.append(f"{sim._when(r.at)} {r.who} ({r.lang}): {leaked[:5]} in {r.text[:80]!r}")
    return found


def invariants(sim: YearSim, stored_dates: dict[str, set[date]], allowed_words: Iterable[str]) -> dict[str, list[str]]:
    """Every invariant's violations, by name (empty lists when the year held)."""
    checks = {
        "quiet hours": quiet_sends(sim),
        "twice": duplicates(sim),
        "day counts": false_day_counts(sim),
        "dates": wrong_dates(sim, stored_dates),
        "language": foreign_words(sim, allowed_words),
        "steps": list(sim.violations),
    }
    for part in sim.parts:
        checks[part.name] = part.check(sim)
    return checks


def known_elsewhere(sim: YearSim) -> list[str]:
    """Faults the year finds that belong to another open issue (each line names it): shown,
    not asserted, until that fix is merged — then a part moves its check into `check()`."""
    return list(sim.facts.get("known", []))  # type: ignore[arg-type]


def utc_seconds(moment: datetime) -> float:
    return utc_timestamp(moment)
