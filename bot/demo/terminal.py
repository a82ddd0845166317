"""The interactive terminal chat and the scripted tour, both on a `DemoSession`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from bot.demo.session import DemoSession, parse_duration
from bot.demo.tour import TOUR, Step
from bot.emulator.bot_api import FakeUser
from bot.text import fold

ReadLine = Callable[[], Awaitable[str | None]]


async def play_tour(session: DemoSession, newcomer: FakeUser, fill: dict[str, str],
                    steps: list[Step] = TOUR) -> bool:
    """Play every step, print the transcript; False at the first step whose answer differs."""
    lang = session.language
    for number, step in enumerate(steps, start=1):
        user = newcomer if step.who == "newcomer" else session.cast.people[step.who]
        value = step.value[lang].format(**fill)
        if step.note:
            session.write("\n— " + step.note[lang])
        if step.do == "say":
            session.write(f"▶ {user.first_name}: {value}")
            fresh = await session.say(user, value)
        elif step.do == "press":
            session.write(f"▶ {user.first_name} 👆 [{value}]")
            fresh = await session.press(user, value)
        else:
            delta = parse_duration(value)
            assert delta is not None, value
            session.write(f"⏩ /wait {value}")
            fresh = await session.wait(user, delta)
        if fresh is None:
            session.tell("demo.tour_no_button", step=number, label=value)
            return False
        session.show(fresh)
        expected = step.expect.get(lang)
        if expected and not any(expected in (message.text or "") for message in fresh):
            session.tell("demo.tour_mismatch", step=number, expected=expected)
            return False
    session.write("")
    session.tell("demo.tour_done", steps=len(steps))
    return True


async def chat(session: DemoSession, playing: FakeUser, read_line: ReadLine, coordinator: str) -> None:
    """Read lines until /quit or end of input; each line is sent as the person being played."""
    while True:
        session.write(f"\n{playing.first_name} › ")
        line = await read_line()
        if line is None:
            return
        text = line.strip()
        if not text:
            continue
        word = fold(text)
        if word in ("/quit", "/exit", "/cik", "/q"):
            return
        if word.startswith("/as"):
            who = text[3:].strip()
            chosen = _pick_person(session, who, coordinator)
            if chosen is None:
                session.tell("demo.unknown_person", name=who or "?",
                                names=", ".join(sorted(session.cast.people)))
                continue
            playing = chosen
            session.tell("demo.now_playing", name=playing.first_name)
            session.show(session.fresh(playing))
            continue
        if word.startswith("/wait") or word.startswith("/bekle"):
            delta = parse_duration(text.split(maxsplit=1)[1] if " " in text else "")
            if delta is None:
                session.tell("demo.bad_wait")
                continue
            session.show(await session.wait(playing, delta))
            session.tell("demo.time_now", when=_now_text(session))
            continue
        if text.isdigit():
            pressed = await session.press(playing, text)
            if pressed is None:
                session.tell("demo.no_such_button", number=text)
                continue
            session.show(pressed)
            continue
        session.show(await session.say(playing, text))


def _pick_person(session: DemoSession, who: str, coordinator: str) -> FakeUser | None:
    if fold(who) in ("coordinator", "koordinator"):
        return session.cast.people[coordinator]
    for name, user in session.cast.people.items():
        if fold(name) == fold(who):
            return user
    return None


def _now_text(session: DemoSession) -> str:
    from messages import format_day

    return format_day(session.clock.now(), session.language, "Europe/Istanbul")


async def stdin_lines() -> str | None:
    line = await asyncio.to_thread(input_line)
    return line


def input_line() -> str | None:
    try:
        return input()
    except EOFError:
        return None
