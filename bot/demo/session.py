"""One demo run: the real bot, the emulator, the cast, and what each person has seen."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from bot.clock import ManualClock
from bot.demo.render import choices, render, supports_color, terminal_text
from bot.demo.seed import Cast
from bot.text import ascii_digits
from bot.demo.whatsapp import WhatsAppPeople, render_whatsapp
from bot.emulator.telegram.server import FakeBotApi, FakeUser, SentMessage
from bot.emulator.telegram.records import Button
from bot.models import Actor
from bot.text import fold
from bot.services import Services
from messages import t

_DURATION = re.compile(r"(\d+)(minutes|minute|dakika|hours|hour|saat|days|day|gün|gun|hafta|weeks|week|"
                       r"mins|min|dk|sa|hrs|hr|[mhdgsw])", re.IGNORECASE)
_UNITS = {**dict.fromkeys(("m", "dk", "min", "mins", "minute", "minutes", "dakika"), "minutes"),
          **dict.fromkeys(("h", "s", "sa", "saat", "hr", "hrs", "hour", "hours"), "hours"),
          **dict.fromkeys(("d", "g", "gün", "gun", "day", "days"), "days"),
          **dict.fromkeys(("w", "hafta", "week", "weeks"), "weeks")}
LONGEST_WAIT = timedelta(days=400)
_ADDRESS = re.compile(r"^(\d{1,2})\.(\d{1,2})$")  # `2.3`: the second-last message's third button


def button_address(text: str) -> tuple[int, int] | None:
    """`2.3` → (2, 3): how many messages back, which button; None for anything else."""
    found = _ADDRESS.match(text.strip())
    return (int(found.group(1)), int(found.group(2))) if found else None


def _words(text: str) -> str:
    """A label as typed words: folded, emoji and punctuation dropped (`📤 CSV` → `csv`)."""
    kept = "".join(ch if ch.isalnum() or ch == " " else " " for ch in fold(text))
    return " ".join(kept.split())


def parse_duration(text: str) -> timedelta | None:
    """`1h`, `1d`, `30m`, `1d6h`, `2 hours`; Turkish `1s` / `2 saat`, `30 dk`, `1g`, `1 hafta`;
    None if not understood."""
    cleaned = ascii_digits(text).strip().lower().replace(" ", "")  # `²d`, `٢ saat` too
    if not cleaned or _DURATION.sub("", cleaned):
        return None
    total = timedelta()
    for amount, unit in _DURATION.findall(cleaned):
        total += timedelta(**{_UNITS[unit.lower()]: int(amount)})
    return total if timedelta() < total <= LONGEST_WAIT else None


class DemoSession:
    def __init__(self, services: Services, server: FakeBotApi, clock: ManualClock, cast: Cast,
                 language: str, files: Path, write: Callable[[str], None] = print,
                 color: bool | None = None, whatsapp: WhatsAppPeople | None = None) -> None:
        self.services = services
        self.server = server
        self.clock = clock
        self.cast = cast
        self.language = language
        self.files = files
        self.write = write
        self.color = supports_color(sys.stdout) if color is None else color
        self._seen: dict[tuple[int, int], int] = {}  # (chat, message) → versions shown
        # Each person's newest message: a typed number presses one of its buttons, and only
        # its (a number after a message without buttons is text, never an older card's button).
        self._newest: dict[int, SentMessage] = {}
        self._languages: dict[int, str] = {}  # each person's language, as the bot knows it
        # Each person's open dialog as last seen (kind, step, data, outbox mark) and how far
        # her screen went when it last asked something: a message with buttons after that
        # point is newer than the dialog's question, so a typed number presses its button.
        self._dialogs: dict[int, tuple[object, int]] = {}
        self.whatsapp = whatsapp  # people who use WhatsApp: their own screens (bot.demo.whatsapp)

    def _wa(self, user: FakeUser):  # type: ignore[no-untyped-def]
        return self.whatsapp.of(user) if self.whatsapp is not None else None

    def on_whatsapp(self, user: FakeUser) -> bool:
        """Whether `user` is played on WhatsApp (typed numbers beyond her buttons go to the bot)."""
        return self._wa(user) is not None

    # -- acting ---------------------------------------------------------------------------
    async def say(self, user: FakeUser, text: str) -> list[SentMessage]:
        if (wa := self._wa(user)) is not None:
            await self.whatsapp.say(wa, text)  # type: ignore[union-attr]
            return await self.settle(user)
        await self.server.send_text(user, text)
        return await self.settle(user)

    def buttons_of(self, user: FakeUser) -> list[Button]:
        """The buttons `user` can press now, numbered from 1: those of her newest message (as
        it reads now), none when it has none."""
        if (wa := self._wa(user)) is not None:
            return self.whatsapp.choices(wa)  # type: ignore[union-attr,return-value]
        message = self._newest.get(user.id)
        if message is None:
            return []
        current = self.server.message(user.id, message.message_id) or message
        return choices(current)

    async def press(self, user: FakeUser, number: int) -> list[SentMessage] | None:
        """Press button `number` as shown; None when there is no such button."""
        if (wa := self._wa(user)) is not None:
            return await self.settle(user) if await self.whatsapp.press(wa, number) else None  # type: ignore[union-attr]
        message = self._newest.get(user.id)
        buttons = self.buttons_of(user)
        if message is None or not 0 < number <= len(buttons):
            return None
        update_id = await self.server.press_button(user, message, buttons[number - 1].callback_data or "")
        fresh = await self.settle(user)
        answer = self.server.callback_answer(update_id)
        if answer is not None and answer.text:  # the short note a phone shows over the chat
            self.write(f"💬 {answer.text}")
        return fresh

    def shown_with_choices(self, user: FakeUser) -> list[tuple[int, list[str]]]:
        """Her messages shown so far that have buttons (or list rows), newest first, as
        (how many back: 1 = her newest message, their labels in the order numbered)."""
        if (wa := self._wa(user)) is not None:
            messages = self.whatsapp.graph.messages_to(wa)[:self.whatsapp.seen(wa)]  # type: ignore[union-attr]
            return [(back, [choice.title for choice in message.choices])
                    for back, message in enumerate(reversed(messages), start=1) if message.choices]
        shown = [m for m in self.server.messages(user.id) if (user.id, m.message_id) in self._seen]
        found = []
        for back, message in enumerate(reversed(shown), start=1):
            current = self.server.message(user.id, message.message_id) or message
            if labels := [button.text for button in choices(current)]:
                found.append((back, labels))
        return found

    async def press_back(self, user: FakeUser, back: int, number: int) -> list[SentMessage] | None:
        """Press button `number` of the message `back` messages back (1: her newest; `2.3` is
        the third button of the second-last message); None when there is no such button."""
        if (wa := self._wa(user)) is not None:
            messages = self.whatsapp.graph.messages_to(wa)[:self.whatsapp.seen(wa)]  # type: ignore[union-attr]
            if not 0 < back <= len(messages):
                return None
            message = messages[-back]
            if not 0 < number <= len(message.choices):
                return None
            await self.whatsapp.graph.tap(wa, message, message.choices[number - 1].id)  # type: ignore[union-attr]
            return await self.settle(user)
        shown = [m for m in self.server.messages(user.id) if (user.id, m.message_id) in self._seen]
        if not 0 < back <= len(shown):
            return None
        message = shown[-back]
        buttons = choices(self.server.message(user.id, message.message_id) or message)
        if not 0 < number <= len(buttons):
            return None
        update_id = await self.server.press_button(user, message, buttons[number - 1].callback_data or "")
        fresh = await self.settle(user)
        answer = self.server.callback_answer(update_id)
        if answer is not None and answer.text:
            self.write(f"💬 {answer.text}")
        return fresh

    def in_dialog(self, user: FakeUser) -> bool:
        """Whether the bot asked her something she has not answered yet (an open dialog, as of
        the last settle): her typing then goes to that question, as in the real bot."""
        return user.id in self._dialogs

    def button_with_words(self, user: FakeUser, typed: str) -> tuple[int, int] | None:
        """(back, number) of the newest shown button whose words are what she typed
        (`csv` for `📤 CSV`, `katılıyorum` for `✅ Katılıyorum`), as the real bot reads typed
        button words; None when no button reads so."""
        wanted = _words(typed)
        if not wanted:
            return None
        for back, labels in self.shown_with_choices(user):
            for number, label in enumerate(labels, start=1):
                if _words(label) == wanted:
                    return back, number
        return None

    async def wait(self, user: FakeUser, delta: timedelta) -> list[SentMessage]:
        """Let `delta` pass as it would: the clock stops at every reminder due on the way, in
        order, so each goes out at its own time (none is late, none "past its grace")."""
        target = self.clock.now() + delta
        for _ in range(1000):  # a guard: reminders that keep failing are retried later, not forever here
            due = await self.services.reminders.next_due()
            if due is None or due > target:
                break
            if due > self.clock.now():
                self.clock.advance(due - self.clock.now())
            await self._settle_bot()
            after = await self.services.reminders.next_due()
            if after is not None and after <= due:
                break
        if target > self.clock.now():
            self.clock.advance(target - self.clock.now())
        return await self.settle(user)

    async def settle(self, user: FakeUser) -> list[SentMessage]:
        """Let the bot finish what it is doing (updates, due reminders, the outbox), then
        return what is new for `user`."""
        await self._settle_bot()
        wa = self._wa(user)
        actor = (Actor(channel="whatsapp", external_id=wa.user_id) if wa is not None else
                 Actor(channel="telegram", external_id=str(user.id), language_hint=user.language_code))
        ctx = await self.services.conversation.context(actor)
        self._languages[user.id] = ctx.lang  # the language she chose when joining, if she has
        new = self.fresh(user)
        state = await self.services.conversation.current_dialog(ctx)
        signature = None if state is None else (state.kind, state.step, repr(state.data), state.outbox_mark)
        if signature is None:
            self._dialogs.pop(user.id, None)
        elif user.id not in self._dialogs or self._dialogs[user.id][0] != signature:
            self._dialogs[user.id] = (signature, self._position(user))  # its question is among `new`
        return new

    def _position(self, user: FakeUser) -> int:
        """How far her screen goes: the newest shown message's id (a WhatsApp screen: its count)."""
        if (wa := self._wa(user)) is not None:
            return self.whatsapp.seen(wa)  # type: ignore[union-attr]
        newest = self._newest.get(user.id)
        return newest.message_id if newest is not None else 0

    def _buttons_position(self, user: FakeUser) -> int:
        """Where the message whose buttons a typed number presses sits on her screen (as
        `_position` counts); 0 when none."""
        if (wa := self._wa(user)) is not None:
            message = self.whatsapp.with_choices(wa)  # type: ignore[union-attr]
            shown = self.whatsapp.graph.messages_to(wa)[:self.whatsapp.seen(wa)]  # type: ignore[union-attr]
            return next((index for index, m in enumerate(shown, start=1) if m is message), 0)
        newest = self._newest.get(user.id)
        return newest.message_id if newest is not None and self.buttons_of(user) else 0

    async def number_is_an_answer(self, user: FakeUser) -> bool:
        """Whether a typed number goes to the bot as an answer rather than pressing a button of
        her newest message: her open dialog asks for a number and its question is the last
        message with buttons she saw (the last message she saw wins, as in the real bot — a
        period picker shown by /rapor after a paused quiz question takes the number)."""
        if not await self.expects_number(user):
            return False
        if not self.buttons_of(user):
            return True
        asked = self._dialogs.get(user.id)
        return asked is None or self._buttons_position(user) <= asked[1]

    async def _settle_bot(self) -> None:
        for _ in range(3):
            await self.services.scheduler.settle()
            await self.services.dispatcher.wait_idle()
            await self.server.wait_idle(quiet=0.15, timeout=15)

    async def expects_number(self, user: FakeUser) -> bool:
        """Whether the bot just asked `user` for a number (a quorum, a survey's integer
        question, a year): typed digits are then an answer, not a button press. Asked on the
        app she uses: a WhatsApp member's dialog is hers under her WhatsApp id."""
        wa = self._wa(user)
        actor = (Actor(channel="whatsapp", external_id=wa.user_id) if wa is not None
                 else Actor(channel="telegram", external_id=str(user.id)))
        return await self.services.conversation.expects_number(actor)

    def fresh(self, user: FakeUser) -> list[SentMessage]:
        """Messages (and new edits) `user` has not been shown yet; they count as shown now."""
        if (wa := self._wa(user)) is not None:
            return self.whatsapp.fresh(wa)  # type: ignore[union-attr,return-value]
        new = self._unseen(user)
        for message in new:
            self._seen[(user.id, message.message_id)] = len(message.history) + 1
            newest = self._newest.get(user.id)
            if newest is None or message.message_id >= newest.message_id:
                self._newest[user.id] = message
        return new

    def _unseen(self, user: FakeUser) -> list[SentMessage]:
        if (wa := self._wa(user)) is not None:
            return self.whatsapp.unseen(wa)  # type: ignore[union-attr,return-value]
        return [message for message in self.server.messages(user.id)
                if self._seen.get((user.id, message.message_id), 0) < len(message.history) + 1]

    def waiting_for(self, playing: FakeUser) -> dict[str, int]:
        """Who else has unread messages, and how many."""
        counts = {name: len(self._unseen(user)) for name, user in self.cast.people.items() if user.id != playing.id}
        return {name: count for name, count in counts.items() if count}

    def mark_all_seen(self) -> None:
        for user in self.cast.people.values():
            self.fresh(user)

    # -- showing --------------------------------------------------------------------------
    def text(self, key: str, **params: object) -> str:
        """A line of the demo itself, from the catalog, with its markup rendered for a terminal."""
        return terminal_text(t(key, self.language, **params), self.color)

    def tell(self, key: str, **params: object) -> None:
        self.write(self.text(key, **params))

    def show(self, user: FakeUser, messages: list[SentMessage], *, to: str | None = None) -> None:
        if (wa := self._wa(user)) is not None:
            for message in messages:
                saved = self.whatsapp.save(wa, message, self.files, user.first_name)  # type: ignore[union-attr,arg-type]
                self.write(render_whatsapp(message, saved=saved, saved_label=t("demo.saved", self.language),  # type: ignore[arg-type]
                                           list_hint=t("demo.whatsapp_list", self.language)))
            if any(message.choices for message in messages):  # once, under what she was just shown
                lang = self._languages.get(user.id, user.language_code or self.language)
                self.write("   " + terminal_text(t("demo.pick_hint", lang), self.color))
            return
        for message in messages:
            saved = self._save_file(user, message)
            self.write(render(message, color=self.color, saved=saved, to=to,
                              edited_label=t("demo.edited", self.language),
                              saved_label=t("demo.saved", self.language)))
        newest = self._newest.get(user.id)
        if newest is not None and any(m.message_id == newest.message_id for m in messages) and self.buttons_of(user):
            # under her newest message, when a typed number presses one of its buttons; in her language
            lang = self._languages.get(user.id, user.language_code or self.language)
            self.write("   " + terminal_text(t("demo.pick_hint", lang), self.color))

    def _save_file(self, user: FakeUser, message: SentMessage) -> Path | None:
        if message.document_bytes is not None:
            content, name = message.document_bytes, message.document_name or f"file-{message.message_id}"
        elif message.photo_bytes is not None:
            content, name = message.photo_bytes, f"photo-{message.message_id}.png"
        else:
            return None
        self.files.mkdir(parents=True, exist_ok=True)
        path = self.files / f"{user.first_name}-{Path(name).name}"
        path.write_bytes(content)
        return path
