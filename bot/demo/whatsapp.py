"""WhatsApp people in the demo: `/as Ayşe` plays a member who uses WhatsApp, whose screen
shows what WhatsApp would (reply buttons, a list behind a button, a template outside the
24-hour window), through the fake Graph API and the bot's real WhatsApp webhook."""

from __future__ import annotations

from pathlib import Path

from bot.demo.render import INDENT
from bot.emulator.telegram import FakeUser
from bot.emulator.whatsapp import FakeGraphApi, FakeWaUser, WaMessage
from bot.emulator.whatsapp.records import Choice


class WhatsAppPeople:
    """The demo's WhatsApp members (by their FakeUser id) and what each has seen."""

    def __init__(self, graph: FakeGraphApi) -> None:
        self.graph = graph
        self.users: dict[int, FakeWaUser] = {}
        self._seen: dict[str, int] = {}  # user id → messages shown
        self._with_choices: dict[str, WaMessage] = {}

    def add(self, user: FakeUser, phone: str | None = None, user_id: str | None = None) -> FakeWaUser:
        wa = self.graph.user(user.first_name, phone=phone, user_id=user_id)
        self.users[user.id] = wa
        return wa

    def of(self, user: FakeUser) -> FakeWaUser | None:
        return self.users.get(user.id)

    async def say(self, wa: FakeWaUser, text: str) -> None:
        await self.graph.send_text(wa, text)

    def unseen(self, wa: FakeWaUser) -> list[WaMessage]:
        return self.graph.messages_to(wa)[self._seen.get(wa.user_id, 0):]

    def seen(self, wa: FakeWaUser) -> int:
        """How many of her messages she has been shown."""
        return self._seen.get(wa.user_id, 0)

    def fresh(self, wa: FakeWaUser) -> list[WaMessage]:
        new = self.unseen(wa)
        self._seen[wa.user_id] = self._seen.get(wa.user_id, 0) + len(new)
        for message in new:
            if message.choices:
                self._with_choices[wa.user_id] = message
            elif message.type != "template":
                self._with_choices.pop(wa.user_id, None)  # typed numbers answer the latest text
        return new

    def with_choices(self, wa: FakeWaUser) -> WaMessage | None:
        """Her newest shown message whose choices a typed number picks (None: no such)."""
        return self._with_choices.get(wa.user_id)

    def choices(self, wa: FakeWaUser) -> list[Choice]:
        message = self._with_choices.get(wa.user_id)
        return message.choices if message else []

    async def press(self, wa: FakeWaUser, number: int) -> bool:
        message = self._with_choices.get(wa.user_id)
        if message is None or not 0 < number <= len(message.choices):
            return False
        await self.graph.tap(wa, message, message.choices[number - 1].id)
        return True

    def save(self, wa: FakeWaUser, message: WaMessage, folder: Path, name: str) -> Path | None:
        if message.media_id is None:
            return None
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}-{Path(message.filename or f'media-{message.id}').name}"
        path.write_bytes(self.graph.media_bytes(message.media_id))
        return path


def render_whatsapp(message: WaMessage, *, saved: Path | None, saved_label: str, list_hint: str) -> str:
    """`🟢 text` (WhatsApp's *bold* kept as typed), reply buttons `[n] title`, a list as
    `☰ button` with numbered rows and their descriptions, templates marked as such."""
    head = "🟢 " + (f"[{message.template}] " if message.template else "")
    lines = [head + message.text.replace("\n", "\n" + INDENT)]
    if saved is not None:
        lines.append(f"{INDENT}📎 {saved_label}: {saved}")
    if message.buttons:
        lines.append(INDENT + "   ".join(f"[{n}] {b.title}" for n, b in enumerate(message.buttons, start=1)))
    if message.rows:
        lines.append(f"{INDENT}☰ {message.list_button} ({list_hint})")
        for number, row in enumerate(message.rows, start=1):
            lines.append(f"{INDENT}  [{number}] {row.title}" + (f" — {row.description}" if row.description else ""))
    return "\n".join(lines)
