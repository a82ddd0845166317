"""Play the tour of `bot/demo/tour.py`: print the transcript, check every step's answer."""

from __future__ import annotations

import html
import re
import string

from bot.demo.session import DemoSession, parse_duration
from bot.demo.tour import COORDINATOR, NEWCOMER, Expect, Key, Press, Read, Say, Step, Wait
from bot.emulator.telegram.server import FakeUser, SentMessage
from messages import catalog, normalize_language, t

_TAG = re.compile(r"<[^>]*>")
_COMMAND_SLASH = re.compile(r"(?<![\w/])/(?=[a-zçğıöşü])")


def pattern(item: Expect, lang: str, facts: dict[str, str]) -> re.Pattern[str]:
    """The visible text of catalog entry `item.key` as a regex: markup dropped, placeholders
    match anything unless pinned by `item.params`."""
    template = _TAG.sub("", catalog(normalize_language(lang))[item.key]).strip()
    parts: list[str] = []
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        # `/surveys` reads `surveys` on WhatsApp (commands are typed as words there).
        parts.append(_COMMAND_SLASH.sub("/?", re.escape(html.unescape(literal))))
        if name is None:
            continue
        if name in item.params:
            parts.append(re.escape(_value(item.params[name], lang, facts)))
        else:
            parts.append(".*?")
    return re.compile("".join(parts), re.DOTALL)


def described(item: Expect, lang: str) -> str:
    """The expected text for a person to read: placeholders as `…`."""
    template = _TAG.sub("", catalog(normalize_language(lang))[item.key]).strip()
    shown = "".join(html.unescape(literal) + ("…" if name is not None else "")
                    for literal, name, _, _ in string.Formatter().parse(template))
    return " ".join(shown.split())


def _value(value: str, lang: str, facts: dict[str, str]) -> str:
    text = t(value, lang, **facts) if isinstance(value, Key) else value
    return html.unescape(_TAG.sub("", text))


def shows(message: SentMessage, item: Expect, lang: str, facts: dict[str, str]) -> bool:
    # WhatsApp messages (bot.demo.whatsapp) are matched without their *bold* marks.
    if not pattern(item, lang, facts).search(getattr(message, "plain_text", None) or message.text or ""):
        return False
    return item.file is None or (message.document_name or "").endswith(item.file)


class TourPlayer:
    """Plays steps on a session; stops at the first step whose answer is not the expected one."""

    def __init__(self, session: DemoSession, facts: dict[str, str]) -> None:
        self.session = session
        self.facts = facts
        self.lang = session.language

    def person(self, who: str) -> FakeUser:
        cast = self.session.cast
        if who == NEWCOMER:
            return cast.newcomer
        if who == COORDINATOR:
            return cast.people[cast.joins.coordinator]
        return cast.people[who]

    async def play(self, steps: list[Step]) -> bool:
        for number, step in enumerate(steps, start=1):
            if not await self.play_step(number, step):
                return False
        self.session.write("")
        self.session.tell("demo.tour_done", steps=len(steps))
        return True

    async def play_step(self, number: int, step: Step) -> bool:
        session, user = self.session, self.person(step.who)
        facts = {**self.facts, "name": user.first_name}
        if step.note:
            session.write("")
            session.write("— " + session.text(step.note, **facts))
        action = step.action
        fresh: list[SentMessage] | None
        if isinstance(action, Say):
            typed = html.unescape(t(action.key, self.lang, **facts))
            session.write(f"▶ {user.first_name}: {typed}")
            fresh = await session.say(user, typed)
        elif isinstance(action, Press):
            session.show(user, session.fresh(user))  # she looks at her phone before tapping
            fresh = await self._press(number, user, action, facts)
            if fresh is None:
                return False
        elif isinstance(action, Wait):
            delta = parse_duration(action.duration)
            if delta is None:
                raise ValueError(f"step {number}: bad duration {action.duration!r}")
            session.tell("demo.tour_wait", duration=action.duration, name=user.first_name)
            fresh = await session.wait(user, delta)
        else:
            assert isinstance(action, Read)
            session.tell("demo.tour_read", name=user.first_name)
            fresh = await session.settle(user)
        session.show(user, fresh)
        return self._check(number, step, fresh, facts)

    async def _press(self, number: int, user: FakeUser, action: Press,
                     facts: dict[str, str]) -> list[SentMessage] | None:
        session = self.session
        buttons = session.buttons_of(user)
        index: int | None = None
        wanted = ""
        if action.number is not None:
            wanted = str(action.number)
            index = action.number - 1 if 0 < action.number <= len(buttons) else None
        elif action.label is not None:
            wanted = html.unescape(t(action.label, self.lang, **facts))
            index = next((i for i, button in enumerate(buttons) if button.text == wanted), None)
        elif action.choice is not None:
            wanted = action.choice.format(**facts)
            index = next((i for i, button in enumerate(buttons)
                          if (button.callback_data or "").startswith(wanted)), None)
        if index is None:
            session.tell("demo.tour_no_button", step=number, label=wanted,
                         shown=", ".join(button.text for button in buttons) or "—")
            return None
        session.write(f"▶ {user.first_name} 👆 [{buttons[index].text}]")
        return await session.press(user, index + 1)

    def _check(self, number: int, step: Step, fresh: list[SentMessage], facts: dict[str, str]) -> bool:
        missing = [item for item in step.expect
                   if not any(shows(message, item, self.lang, facts) for message in fresh)]
        if not missing:
            return True
        got = "\n".join("   • " + (message.text or f"[{message.kind}]").split("\n")[0] for message in fresh)
        self.session.tell("demo.tour_mismatch", step=number,
                          expected=" | ".join(described(item, self.lang) for item in missing),
                          got=got or "   • " + self.session.text("demo.tour_nothing"))
        return False
