"""End-to-end harness: the real bot (PTB Application, SQLite file, outbox, scheduler)
talking real HTTP to the fake Telegram Bot API, driven as people would drive it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.__main__ import Koordinat
from bot.clock import ManualClock
from bot.config import Settings
from bot.emulator.telegram.server import FakeBotApi, FakeUser, SentMessage
from bot.services import Services
from bot.services.groups import CreatedGroup
from bot.emulator.waits import DEFAULT_WAIT

# A fixed, realistic "now" for every test: Wednesday 25 November 2026, 09:00 in Istanbul.
TEST_START = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
# The local demo's first day in tests (`koordinat demo --today`): a Monday, never the real date.
DEMO_TODAY = date(2026, 11, 30)


def make_settings(server: FakeBotApi, database: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "telegram_token": "123456:TEST-TOKEN",
        "telegram_api_url": server.base_url,
        "telegram_file_url": server.file_base_url,
        "database": database,
        "files_dir": database.parent / "files",
        "controller_name": "Kars Kadın Meclisi Derneği",
        "controller_contact": "kvkk@example.org",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class Person:
    """A fake Telegram user and the chat the bot has with them."""

    user: FakeUser

    @property
    def chat_id(self) -> int:
        return self.user.id


class Harness:
    def __init__(self, server: FakeBotApi, database: Path, clock: ManualClock, **settings: object) -> None:
        self.server = server
        self.database = database
        self.clock = clock
        self.settings = make_settings(server, database, **settings)
        self.bot: Koordinat | None = None
        self._next_user_id = 1000

    @property
    def services(self) -> Services:
        assert self.bot is not None and self.bot.services is not None
        return self.bot.services

    async def start(self, *, webhook: bool = False) -> None:
        self.bot = Koordinat(self.settings, clock=self.clock)
        await self.bot.start(webhook=webhook)

    async def stop(self) -> None:
        if self.bot is not None:
            await self.bot.stop()
            self.bot = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    def person(self, first_name: str, language_code: str = "tr") -> Person:
        self._next_user_id += 1
        return Person(FakeUser(id=self._next_user_id, first_name=first_name, language_code=language_code))

    async def create_group(self, name: str = "Kadın Dostu Kent", city: str = "Kars",
                           language: str = "tr") -> CreatedGroup:
        return await self.services.groups.create(name, city, language)

    # -- acting as a person ---------------------------------------------------------------
    async def send(self, person: Person, text: str) -> SentMessage:
        """Type `text` and return the bot's first answer."""
        await self.server.send_text(person.user, text)
        return await self.server.wait_for_message(person.user)

    async def press(self, person: Person, message: SentMessage, choice: str) -> SentMessage:
        """Tap the button with that callback data or label and return the bot's next message."""
        await self.server.press_button(person.user, message, choice)
        return await self.server.wait_for_message(person.user)

    async def next(self, person: Person, timeout: float = DEFAULT_WAIT) -> SentMessage:
        return await self.server.wait_for_message(person.user, timeout=timeout)

    async def next_containing(self, person: Person, fragment: str, timeout: float = DEFAULT_WAIT) -> SentMessage:
        return await self.server.wait_for_message(person.user, lambda m: fragment in (m.text or ""), timeout=timeout)

    async def join(self, person: Person, code: str, language: str = "tr",
                   surveys: bool = True) -> SentMessage:
        """The whole onboarding: open the deep link, pick a language, read the notice, consent."""
        picker = await self.send(person, f"/start {code}")
        notice = await self.press(person, picker, f"lang:{language}:{code}")
        question = await self.next(person)
        assert notice.text and question.buttons, "expected the privacy notice and a consent question"
        second = await self.press(person, question, f"consent:{language}:{code}:y")
        welcome = await self.press(person, second, f"consent:{language}:{code}:y:{'y' if surveys else 'n'}")
        return welcome

    async def settle(self) -> None:
        """Wait until every update sent so far was stored and processed, and the outbox has
        nothing due (deliveries done). On PostgreSQL an update's processing is a claim and a
        commit more than on SQLite: waiting for the outbox alone could return before it."""
        await self.server.wait_until(lambda: self.server.pending_updates == 0, timeout=10,
                                     what="the bot fetched every update")
        if self.bot is not None and self.bot.inbound is not None:
            await self.bot.inbound.wait_idle()
        await self.services.dispatcher.wait_idle()

    async def advance(self, delta: timedelta) -> None:
        self.clock.advance(delta)
