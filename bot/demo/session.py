"""One demo run: the real bot, the emulator, the cast, and what each person has seen."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from bot.clock import ManualClock
from bot.demo.render import button_count, render, terminal_text
from bot.demo.seed import Cast
from bot.emulator.bot_api import FakeBotApi, FakeUser, SentMessage
from bot.services import Services
from messages import t

_DURATION = re.compile(r"(\d+)(dk|sa|gün|gun|[mhdg])", re.IGNORECASE)
_UNITS = {"m": "minutes", "dk": "minutes", "h": "hours", "sa": "hours",
          "d": "days", "g": "days", "gün": "days", "gun": "days"}


def parse_duration(text: str) -> timedelta | None:
    """`1h`, `1d`, `30m`, `1d6h` (Turkish `1g`, `2sa`, `30dk` too); None if not understood."""
    cleaned = text.strip().lower().replace(" ", "")
    if not cleaned or _DURATION.sub("", cleaned):
        return None
    total = timedelta()
    for amount, unit in _DURATION.findall(cleaned):
        total += timedelta(**{_UNITS[unit.lower()]: int(amount)})
    return total if total > timedelta() else None


class DemoSession:
    def __init__(self, services: Services, server: FakeBotApi, clock: ManualClock, cast: Cast,
                 language: str, files: Path, write: Callable[[str], None] = print,
                 color: bool | None = None) -> None:
        self.services = services
        self.server = server
        self.clock = clock
        self.cast = cast
        self.language = language
        self.files = files
        self.write = write
        self.color = sys.stdout.isatty() if color is None else color
        self._seen: dict[tuple[int, int], int] = {}  # (chat, message) → versions shown
        self._last_with_buttons: dict[int, SentMessage] = {}

    # -- acting ---------------------------------------------------------------------------
    async def say(self, user: FakeUser, text: str) -> list[SentMessage]:
        await self.server.send_text(user, text)
        return await self.settle(user)

    async def press(self, user: FakeUser, choice: str) -> list[SentMessage] | None:
        """Press button number `choice` (or with that label) on the latest message with buttons."""
        message = self._last_with_buttons.get(user.id)
        if message is None:
            return None
        buttons = [button for row in message.buttons for button in row]
        if choice.isdigit():
            index = int(choice) - 1
            if not 0 <= index < len(buttons):
                return None
            target = buttons[index]
        else:
            found = [button for button in buttons if choice in (button.text, button.callback_data)]
            if not found:
                return None
            target = found[0]
        await self.server.press_button(user, message, target.callback_data or target.text)
        return await self.settle(user)

    async def wait(self, user: FakeUser, delta: timedelta) -> list[SentMessage]:
        self.clock.advance(delta)
        return await self.settle(user)

    async def settle(self, user: FakeUser) -> list[SentMessage]:
        """Let the bot finish what it is doing, then return what is new for `user`."""
        for _ in range(3):
            await self.services.scheduler.settle()
            await self.services.dispatcher.wait_idle()
            await self.server.wait_idle(quiet=0.15, timeout=15)
        return self.fresh(user)

    def fresh(self, user: FakeUser) -> list[SentMessage]:
        new = []
        for message in self.server.messages(user.id):
            key = (user.id, message.message_id)
            versions = len(message.history) + 1
            if self._seen.get(key, 0) < versions:
                self._seen[key] = versions
                new.append(message)
                if message.buttons:
                    self._last_with_buttons[user.id] = message
        return new

    def mark_all_seen(self) -> None:
        for user in self.cast.people.values():
            self.fresh(user)

    # -- showing --------------------------------------------------------------------------
    def tell(self, key: str, **params: object) -> None:
        """A line of the demo itself, from the catalog, with its markup rendered for a terminal."""
        self.write(terminal_text(t(key, self.language, **params), self.color))

    def show(self, messages: list[SentMessage]) -> None:
        for message in messages:
            saved = self._save_file(message)
            self.write(render(message, color=self.color, first_button=1, saved=saved,
                              edited_label=t("demo.edited", self.language),
                              saved_label=t("demo.saved", self.language)))
            if button_count(message):
                self.write("   " + t("demo.pick_hint", self.language))

    def _save_file(self, message: SentMessage) -> Path | None:
        content, name = None, None
        if message.document_bytes is not None:
            content, name = message.document_bytes, message.document_name or f"file-{message.message_id}"
        elif message.photo_bytes is not None:
            content, name = message.photo_bytes, f"photo-{message.chat_id}-{message.message_id}.png"
        if content is None or name is None:
            return None
        self.files.mkdir(parents=True, exist_ok=True)
        path = self.files / name
        path.write_bytes(content)
        return path
