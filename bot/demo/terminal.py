"""The interactive terminal chat: each line goes to the bot as the person being played,
except the demo's own commands (/as, /wait, /say, /demo, /quit) and button numbers."""

from __future__ import annotations

import asyncio
import html
import sys
import threading
from collections.abc import Awaitable, Callable
from queue import SimpleQueue

from bot.demo.seed import Cast, pick
from bot.demo.session import DemoSession, button_address, parse_duration
from bot.emulator.telegram.server import FakeUser
from bot.text import fold, read_number
from messages import LANGUAGE_NAMES, Markup, format_day, t

ReadLine = Callable[[str], Awaitable[str | None]]

QUIT = {"/quit", "/exit", "/q", "/cik"}
AS = {"/as", "/ol"}
WAIT = {"/wait", "/bekle"}
SAY = {"/say", "/yaz"}
DEMO = {"/demo"}


class Chat:
    def __init__(self, session: DemoSession, read_line: ReadLine, *, echo: bool = False) -> None:
        self.session = session
        self.read_line = read_line
        self.echo = echo  # input that is not typed on a terminal is shown, so the output reads as a chat
        self.playing = session.cast.newcomer

    async def run(self) -> None:
        """Read lines until /quit or the end of input."""
        while True:
            prompt = f"\n{self.playing.first_name} › "
            line = await self.read_line(prompt)
            if line is None:
                return
            if self.echo:
                self.session.write(prompt.lstrip("\n") + line)
            text = line.strip()
            if not text:
                continue
            if not await self.handle(text):
                return

    async def handle(self, text: str) -> bool:
        """Do what one line says; False to leave."""
        session = self.session
        command, _, rest = text.partition(" ")
        word, rest = fold(command), rest.strip()
        if word in QUIT:
            return False
        if word in DEMO:
            session.write(first_screen(session))
        elif word in AS:
            self.switch(rest)
        elif word in WAIT:
            delta = parse_duration(rest)
            if delta is None:
                session.tell("demo.bad_wait", typed=rest or "—")
            else:
                session.show(self.playing, await session.wait(self.playing, delta))
                session.tell("demo.time_now", when=now_text(session))
                self.point_at_others()
        elif word in SAY and rest:
            await self.say(rest)
        elif (address := button_address(text)) is not None and not await session.expects_number(self.playing):
            back, number = address
            pressed = await session.press_back(self.playing, back, number)
            if pressed is None:
                session.tell("demo.no_such_address", typed=text)
            else:
                session.show(self.playing, pressed)
                self.point_at_others()
        elif not text.isdigit() and (found := session.button_with_words(self.playing, text)) is not None \
                and (found[0] > 1 or not session.on_whatsapp(self.playing)) \
                and not (found[0] > 1 and session.in_dialog(self.playing)):  # an open question takes her words
            # A button's words, as the real bot reads them (on WhatsApp the bot itself reads
            # the newest message's; an earlier message's button is pressed here).
            session.show(self.playing, await session.press_back(self.playing, *found) or [])
            self.point_at_others()
        elif (number := read_number(text)) is not None and session.buttons_of(self.playing) \
                and not await session.number_is_an_answer(self.playing):
            count = len(session.buttons_of(self.playing))
            if 0 < number <= count:  # `2`, `²`, `٢`: the second button
                session.show(self.playing, await session.press(self.playing, number) or [])
                self.point_at_others()
            elif session.on_whatsapp(self.playing):  # a choice numbered in the text: typed, as on her phone
                await self.say(text)
            else:
                session.tell("demo.no_such_button", number=text, count=count)
        else:  # anything else (a number the bot asked for too) is a message to the bot
            await self.say(text)
        return True

    async def say(self, text: str) -> None:
        self.session.show(self.playing, await self.session.say(self.playing, text))
        self.point_at_others()

    def switch(self, who: str) -> None:
        session = self.session
        if not who:
            session.write(roster(session, cards=True))
            return
        chosen = pick_person(session.cast, who)
        if chosen is None:
            session.tell("demo.unknown_person", name=who, names=", ".join(sorted(session.cast.people)))
            return
        self.playing = chosen
        session.tell("demo.now_playing", name=chosen.first_name, about=about(session, chosen))
        session.show(chosen, session.fresh(chosen))

    def point_at_others(self) -> None:
        """Say who else just got messages, so the player knows whom to switch to."""
        waiting = self.session.waiting_for(self.playing)
        if waiting:
            people = ", ".join(f"{name} ({count})" for name, count in sorted(waiting.items()))
            self.session.tell("demo.others_have_news", people=people)


def pick_person(cast: Cast, who: str) -> FakeUser | None:
    """`coordinator` (of the newcomer's group), `coordinator İzmir`, or a name, typed any way."""
    words = fold(who).split()
    if words and words[0] in ("coordinator", "koordinator"):
        city = " ".join(words[1:])
        group = next((g for g in cast.groups if fold(g.city) == city), cast.joins) if city else cast.joins
        return cast.people[group.coordinator]
    return next((user for name, user in cast.people.items() if fold(name) == fold(who)), None)


def about(session: DemoSession, user: FakeUser) -> Markup:
    """`koordinatör, Kadın Dostu Kent (Kars)`, or what the newcomer is about to do."""
    lang, cast = session.language, session.cast
    if user.id == cast.newcomer.id:
        return t("demo.about_newcomer", lang, group=cast.joins.name, city=cast.joins.city)
    parts = []
    for group in cast.groups_of(user.first_name):
        role = t("role.coordinator" if group.coordinator == user.first_name else "role.member", lang)
        parts.append(t("demo.about_group", lang, role=role, group=group.name, city=group.city))
    if user.language_code and user.language_code != lang:
        parts.append(html.escape(LANGUAGE_NAMES.get(user.language_code, user.language_code), quote=False))
    return Markup("; ".join(parts))  # already escaped by t(): "Care & Safety", not "Care &amp; Safety"


def roster(session: DemoSession, *, cards: bool) -> str:
    """Who is who: a line per group, or (cards) each group's description and indicators too."""
    lang, cast = session.language, session.cast
    blocks = [session.text("demo.roster_title")]
    for group in cast.groups:
        names = [t("demo.coordinator_mark", lang, name=group.coordinator)] + [
            _with_language(session, name) for name in group.members]
        if cards:
            indicators = ", ".join(t("demo.indicator", lang, id=item.id, name=pick(item.name, lang))
                                   for item in group.indicators)
            blocks.append(session.text("demo.group_card", group=group.name, city=group.city,
                                       description=group.description, indicators=indicators,
                                       people=", ".join(names)))
        else:
            blocks.append(session.text("demo.roster_line", group=group.name, city=group.city,
                                       people=", ".join(names)))
    return "\n".join(blocks)


def _with_language(session: DemoSession, name: str) -> str:
    user = session.cast.people[name]
    if user.language_code and user.language_code != session.language:
        return t("demo.language_mark", session.language, name=name,
                 language=LANGUAGE_NAMES.get(user.language_code, user.language_code))
    return name


def first_screen(session: DemoSession) -> str:
    cast = session.cast
    return session.text(
        "demo.welcome", name=cast.newcomer.first_name, group=cast.joins.name, city=cast.joins.city,
        code=cast.joins.member_code, coordinator=cast.joins.coordinator, files=str(session.files),
        now=now_text(session)) + "\n\n" + roster(session, cards=False)


def now_text(session: DemoSession) -> str:
    return format_day(session.clock.now(), session.language, session.services.settings.timezone)


class TerminalInput:
    """Lines from stdin, read on a daemon thread one prompt at a time (the prompt appears only
    once the bot has answered, and a pending read never keeps the process alive at exit)."""

    def __init__(self) -> None:
        self._prompts: SimpleQueue[tuple[str, asyncio.AbstractEventLoop, asyncio.Future[str | None]]] = SimpleQueue()
        self._thread: threading.Thread | None = None

    async def __call__(self, prompt: str) -> str | None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._serve, name="demo-stdin", daemon=True)
            self._thread.start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[str | None] = loop.create_future()
        self._prompts.put((prompt, loop, future))
        return await future

    def _serve(self) -> None:
        interactive = sys.stdin.isatty()
        while True:
            prompt, loop, future = self._prompts.get()
            try:
                line: str | None = input(prompt if interactive else "")
            except EOFError:
                line = None
            except Exception:  # a closed stdin ends the chat like Ctrl-D
                line = None
            loop.call_soon_threadsafe(_resolve, future, line)
            if line is None:
                return


def _resolve(future: asyncio.Future[str | None], line: str | None) -> None:
    if not future.done():
        future.set_result(line)
