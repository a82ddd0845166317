"""Platform-neutral routing of what a person does: commands, free text, button choices.

Feature modules register their commands (with aliases and the role they need), their
choice prefixes (`rsvp:42:yes` → the `rsvp` handler) and their dialog flows here. The
Telegram and WhatsApp adapters only turn platform updates into `on_command`, `on_text` and
`on_choice` calls.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot.errors import KoordinatError, NotAuthorized, NotFound, NotRegistered
from bot.models import Actor, Button, Group, Member, Reply, Role, Upload
from bot.text import NO_WORDS, YES_WORDS, clean_text, fold, is_cancel
from bot.typed_answers import leaning as typed_leaning
from messages import Markup, normalize_language, t
from storage import dialogs as dialogs_repo
from storage import members as members_repo
from storage import pending_choices as pending_repo
from storage.db import Database
from storage.dialogs import DialogState
from storage.pending_choices import PendingChoices

log = logging.getLogger(__name__)

_UNREAD = object()  # Ctx.dialog before the dialog was read


@dataclass
class Ctx:
    """Who acts, in which language, at what time."""

    actor: Actor
    member: Member | None
    lang: str
    now: datetime
    roles: dict[int, Role] = field(default_factory=dict)
    # The person's open dialog as last read or written through `Conversation` in this update
    # (`_UNREAD`: not read yet), so one update reads it once.
    dialog: object = field(default=_UNREAD, repr=False, compare=False)
    # Her last question's buttons (`PendingChoices` or None) as read in this update, so the
    # typed-answer paths read them once (issue 24); `_UNREAD` until read, again after a write.
    pending: object = field(default=_UNREAD, repr=False, compare=False)

    def require_member(self) -> Member:
        if self.member is None:
            raise NotRegistered()
        return self.member

    def coordinated_groups(self) -> list[int]:
        return [group_id for group_id, role in self.roles.items() if role is Role.COORDINATOR]

    @property
    def is_coordinator(self) -> bool:
        return bool(self.coordinated_groups())

    def text(self, key: str, **params: object) -> Reply:
        return Reply(text=t(key, self.lang, **params))


Replies = list[Reply]
CommandHandler = Callable[[Ctx, list[str]], Awaitable[Replies]]
ChoiceHandler = Callable[[Ctx, list[str]], Awaitable[Replies]]
# Free text outside a dialog that a feature may understand (e.g. "EVET" answers a meeting);
# returns None when it does not.
TextFallback = Callable[[Ctx, str], Awaitable[Replies | None]]
Interruption = Callable[[Ctx, DialogState, str], Awaitable[Replies | None]]


@dataclass(frozen=True)
class CommandSpec:
    """A command as people see it in /help and the platform's command menu."""

    name: str
    handler: CommandHandler
    aliases: tuple[str, ...] = ()
    coordinator_only: bool = False
    needs_member: bool = True
    in_menu: bool = True
    order: int = 100

    def names_for(self, lang: str) -> tuple[str, ...]:
        """The names as the person knows them first: `/toplanti /newmeeting` for Turkish
        readers (the aliases are the Turkish names), `/newmeeting /toplanti` otherwise."""
        return (*self.aliases, self.name) if lang == "tr" else (self.name, *self.aliases)


def first_state(ctx: Ctx, kind: str, first_step: str) -> DialogState:
    """A coordinator's creation dialog starts at `first_step` in her one group, or at "group"
    (pick one) when she coordinates several: dates are read in the chosen group's zone."""
    groups = ctx.coordinated_groups()
    data: dict[str, object] = {"group_id": groups[0]} if len(groups) == 1 else {}
    return DialogState(kind, first_step if data else "group", data)


async def group_picker(ctx: Ctx, kind: str, text_key: str,
                       group_of: Callable[[int], Awaitable[Group]]) -> Reply:
    """The "which group?" question of a creation dialog: one button per group she
    coordinates, `<kind>:group:<id>` (checked again when pressed: ids are input)."""
    buttons = []
    for group_id in ctx.coordinated_groups():
        group = await group_of(group_id)
        buttons.append([Button(label=f"{group.name} ({group.city})", choice=f"{kind}:group:{group_id}")])
    return Reply(text=t(text_key, ctx.lang), buttons=buttons)


class Flow(Protocol):
    """A multi-step dialog whose state lives in the `dialogs` table."""

    kind: str

    async def on_text(self, ctx: Ctx, state: DialogState, text: str) -> Replies: ...

    async def on_choice(self, ctx: Ctx, state: DialogState, parts: list[str]) -> Replies: ...


class ExpectingFlow(Flow, Protocol):
    """A dialog that can say what its current step expects, as a short noun phrase in
    `ctx.lang` ("the date and time, e.g. 12.12.2026 14:00"); used when a person sends a photo
    or edits a message where an answer is expected. Flows without it get a generic phrase."""

    async def expects(self, ctx: Ctx, state: DialogState) -> str | None: ...


class UploadFlow(Flow, Protocol):
    """A dialog that can take a file, photo or other non-text message at some steps
    (survey evidence). Flows without `on_upload` get the generic hint."""

    async def on_upload(self, ctx: Ctx, state: DialogState, upload: Upload) -> Replies: ...


# Typed words that answer a yes/no question: compared after `fold`. A button counts as the "yes"
# (or "no") of its question if its label starts with ✅ (❌) or with such a word.
AFFIRMATIVE = YES_WORDS | {"onayliyorum", "dogru", "gonder", "kabul"}
NEGATIVE = NO_WORDS | {"vazgec", "onaylamiyorum", "yanlis", "istemiyorum", "degil"}
# A question whose buttons are not the only answer is forgotten after this long: a member who
# saw a meeting card yesterday and types "evet" today may mean another meeting.
PENDING_FOR_SECONDS = 3600
# Choice prefixes whose questions only a button answers (typed text that fits none is told to
# tap one): the language and consent questions of joining, the /unut confirmation.
EXCLUSIVE_PREFIXES = {"lang", "consent", "forget"}


def _words(text: str) -> str:
    """`✅ Katılıyorum!` → `katiliyorum`: folded, emoji and punctuation dropped."""
    kept = "".join(ch if ch.isalnum() or ch in " '" else " " for ch in fold(text).replace("’", "'"))
    return " ".join(kept.split())


def _leaning(label: str) -> str | None:
    """"yes" / "no" if the button reads as one, else None."""
    stripped = label.strip()
    words = _words(label).split()
    if stripped.startswith("✅") or (words and words[0] in AFFIRMATIVE):
        return "yes"
    if stripped.startswith("❌") or (words and words[0] in NEGATIVE):
        return "no"
    return None


def match_choice(text: str, choices: list[tuple[str, str]], *, numbers: bool = False) -> str | None:
    """The choice id a typed text picks among (label, choice) buttons, or None.

    Matches, in order: the whole label (`katılıyorum` for `✅ Katılıyorum`, any case, with or
    without Turkish letters and emoji); a yes/no word for the one button that reads as yes/no
    (`evet` for `🗑 Evet, verilerimi sil` or `✅ Onaylıyorum`); the start of exactly one label
    (4 letters at least); with `numbers`, the button's position (`2`)."""
    typed = _words(text)
    if not typed:
        return None
    for label, choice in choices:
        if _words(label) == typed:
            return choice
    # a bare word; for a question only buttons answer, also a sentence read the way it is
    # written (`maalesef hayır`, `sure`) — elsewhere a sentence may be a note or a new topic
    leaning = "yes" if typed in AFFIRMATIVE else "no" if typed in NEGATIVE else \
        (typed_leaning(text) if numbers else None)
    if leaning is not None:
        fitting = [choice for label, choice in choices if _leaning(label) == leaning]
        if len(fitting) == 1:
            return fitting[0]
    if len(typed) >= 4:
        starting = [choice for label, choice in choices if _words(label).startswith(typed)]
        if len(starting) == 1:
            return starting[0]
    if numbers and typed.isdigit() and 0 < int(typed) <= len(choices):
        return choices[int(typed) - 1][1]
    return None


class Conversation:
    def __init__(self, db: Database, now: Callable[[], datetime], default_language: str) -> None:
        self._db = db
        self._now = now
        self._default_language = default_language
        self._commands: dict[str, CommandSpec] = {}
        self._choices: dict[str, ChoiceHandler] = {}
        self._flows: dict[str, Flow] = {}
        self._keywords: dict[str, str] = {}
        self._text_fallbacks: list[TextFallback] = []
        self._interruptions: list[Interruption] = []
        self._interrupting_choices: dict[str, frozenset[str]] = {}
        # after_action(ctx, replies) -> replies, inside the update's transaction (quiet hours).
        self._after_actions: list[Callable[[Ctx, Replies], Awaitable[Replies]]] = []
        self._before_actions: list[Callable[[], object]] = []
        self.add_command(CommandSpec("cancel", self._cancel_command, aliases=("iptal",),
                                     needs_member=False, order=90))
        # `cmd:<name>` runs a command from a menu (WhatsApp's list message has no slash commands).
        self.add_choice("cmd", self._command_choice)

    # -- registration -------------------------------------------------------------------
    def add_command(self, spec: CommandSpec) -> None:
        for name in (spec.name, *spec.aliases):
            self._commands[name] = spec
            self._keywords[fold(name)] = spec.name

    def add_keyword(self, word: str, command: str) -> None:
        """Plain words that run a command (WhatsApp has no commands; people type `yardım`)."""
        self._keywords[fold(word)] = command

    def add_text_fallback(self, handler: TextFallback) -> None:
        self._text_fallbacks.append(handler)

    def add_interruption(self, handler: Interruption) -> None:
        """Typed text that answers a message which reached the person AFTER her open dialog's
        last question (a meeting notice, then "evet"): the last message she saw wins over the
        dialog. `handler(ctx, state, text)` returns replies when it took the text, else None;
        the dialog stays open and its question is shown again after the replies."""
        self._interruptions.append(handler)

    def add_interrupting_choice(self, prefix: str, *, except_in: tuple[str, ...] = ()) -> None:
        """Buttons of this prefix sit on notices (a meeting's RSVP): pressed while a dialog is
        open, the dialog's question is shown again after the answer, as after a typed one
        (not for the dialogs `except_in`, which belong to the same notice: the RSVP's note)."""
        self._interrupting_choices[prefix] = frozenset(except_in)

    def add_choice(self, prefix: str, handler: ChoiceHandler) -> None:
        self._choices[prefix] = handler

    def add_after_action(self, hook: Callable[[Ctx, Replies], Awaitable[Replies]],
                         before: Callable[[], object] | None = None) -> None:
        """`hook(ctx, replies)` sees every successful step's replies inside its transaction and
        returns them, maybe with more (e.g. "now or at 08:00?" for a notice sent at night);
        `before()` runs as each step starts."""
        self._after_actions.append(hook)
        if before is not None:
            self._before_actions.append(before)

    async def _act(self, action: Callable[[], Awaitable[Replies]]) -> Replies:
        for before in self._before_actions:
            before()
        return await action()

    async def _after(self, ctx: Ctx, replies: Replies) -> Replies:
        for hook in self._after_actions:
            replies = await hook(ctx, replies)
        return replies

    def add_flow(self, flow: Flow) -> None:
        self._flows[flow.kind] = flow

    def is_keyword(self, text: str) -> bool:
        """Whether typed `text` is a command's word (`yardım`, `toplantilar`, `iptal`...)."""
        return self._keywords.get(fold(text).lstrip("/")) is not None or is_cancel(text)

    async def run_keyword(self, ctx: Ctx, text: str) -> Replies:
        """Run the command whose word `text` is (a dialog that let a keyword through, e.g. a
        paused lesson); `iptal` and unknown words get the usual answers."""
        keyword = self._keywords.get(fold(text).lstrip("/"))
        if keyword is not None:
            return await self._run_command(ctx, self._commands[keyword], [])
        if is_cancel(text):
            return [ctx.text("dialog.nothing_to_cancel")]
        return [ctx.text("help.free_text_hint")]

    def add_exclusive_choice(self, prefix: str) -> None:
        """Questions with buttons of this prefix are answered only by a button (or its words)."""
        EXCLUSIVE_PREFIXES.add(prefix)

    async def expects_number(self, actor: Actor) -> bool:
        """Whether the open dialog's current step asks for a number (a quorum...), so that a
        client that turns typed digits into button presses (the demo) sends them as text."""
        ctx = await self.context(actor)
        state = await self.current_dialog(ctx)
        flow = self._flows.get(state.kind) if state else None
        if state is None or flow is None:
            return False
        if hasattr(flow, "expects_number"):  # steps known only at run time (a survey's questions)
            return bool(await flow.expects_number(ctx, state))
        return state.step in getattr(flow, "numeric_steps", frozenset())

    def commands(self) -> list[CommandSpec]:
        unique = {spec.name: spec for spec in self._commands.values()}
        return sorted(unique.values(), key=lambda spec: (spec.order, spec.name))

    def command_names(self) -> list[str]:
        return sorted(self._commands)

    # -- context ------------------------------------------------------------------------
    async def context(self, actor: Actor) -> Ctx:
        async with self._db.read() as conn:
            member = await members_repo.by_identity(conn, actor.channel, actor.external_id)
            roles = {}
            if member is not None:
                roles = {m.group.id: m.role for m in await members_repo.memberships(conn, member.id)}
        if member is not None and member.unreachable_at is not None:
            # She writes to the bot again, so she unblocked it: notices reach her again.
            async with self._db.transaction() as tx:
                await members_repo.mark_reachable(tx, member.id)
            member = member.model_copy(update={"unreachable_at": None})
        lang = member.language if member else normalize_language(actor.language_hint or self._default_language)
        return Ctx(actor=actor, member=member, lang=lang, now=self._now(), roles=roles)

    # -- dialogs ------------------------------------------------------------------------
    async def begin(self, ctx: Ctx, kind: str, step: str, data: dict[str, object] | None = None) -> None:
        state = DialogState(kind, step, data or {})
        async with self._db.write() as tx:
            await dialogs_repo.save(tx, ctx.actor.channel, ctx.actor.external_id, state, ctx.now)
        ctx.dialog = state

    async def save(self, ctx: Ctx, state: DialogState) -> None:
        async with self._db.write() as tx:
            await dialogs_repo.save(tx, ctx.actor.channel, ctx.actor.external_id, state, ctx.now)
        ctx.dialog = state

    async def end(self, ctx: Ctx) -> bool:
        async with self._db.write() as tx:
            ended = await dialogs_repo.clear(tx, ctx.actor.channel, ctx.actor.external_id)
        ctx.dialog = None
        return ended

    async def current_dialog(self, ctx: Ctx) -> DialogState | None:
        """Her open dialog: read once per update, then as this conversation last saved it (a
        flow that saves its state itself mutates the same object)."""
        if isinstance(ctx.dialog, DialogState) or ctx.dialog is None:
            return ctx.dialog
        async with self._db.read() as conn:
            state = await dialogs_repo.get(conn, ctx.actor.channel, ctx.actor.external_id)
        ctx.dialog = state
        return state

    # -- inbound ------------------------------------------------------------------------
    async def on_command(self, actor: Actor, name: str, args: list[str]) -> Replies:
        ctx = await self.context(actor)
        spec = self._commands.get(name.lower())
        if spec is None:
            return [ctx.text("help.unknown_command", command="/" + name)]
        return await self._guarded(ctx, lambda: self._run_command(ctx, spec, args, typed=name.lower()))

    async def on_text(self, actor: Actor, text: str) -> Replies:
        """Typed text, cleaned once for every feature (`bot.text.clean_text`, line breaks
        kept): no NUL, control or bidi characters reach a dialog or the database."""
        text = clean_text(text, multiline=True)
        ctx = await self.context(actor)
        return await self._guarded(ctx, lambda: self._route_text(ctx, text))

    async def on_choice(self, actor: Actor, data: str) -> Replies:
        """A pressed button (`rsvp:42:yes`). The id is input from the person, never proof: a
        malformed, forged or outdated one (a part missing, not a number, a meeting of another
        group, a record that is gone) gets the polite stale-button answer and changes nothing."""
        return await self._choice(await self.context(actor), data)

    async def _choice(self, ctx: Ctx, data: str) -> Replies:
        if not data.isascii():  # ours are ASCII; `rsvp:²:yes` passes isdigit() but not int()
            return [ctx.text("error.stale_button")]
        parts = data.split(":")
        handler = self._choices.get(parts[0])
        if handler is not None:
            before = await self.current_dialog(ctx) if parts[0] in self._interrupting_choices else None
            replies = await self._guarded_choice(ctx, parts[0], lambda: handler(ctx, parts[1:]))
            after = await self.current_dialog(ctx) if before is not None else None
            if (before is not None and after is not None and after.kind == before.kind and after.kind in self._flows
                    and after.kind not in self._interrupting_choices[parts[0]]):
                replies = [*replies, *await self._resume(ctx, after)]  # a notice's button, mid-dialog
                if isinstance(ctx.dialog, DialogState):  # its question, asked again: the last she saw
                    await self.save(ctx, ctx.dialog)
            return replies
        state = await self.current_dialog(ctx)
        flow = self._flows.get(state.kind) if state else None
        if state is not None and flow is not None and parts[0] == state.kind:
            return await self._guarded_choice(ctx, parts[0], lambda: flow.on_choice(ctx, state, parts[1:]))
        if state is not None and flow is not None:  # an old button while a dialog waits: its question again
            return [ctx.text("dialog.stale_button_open"), *await self._resume(ctx, state)]
        return [ctx.text("error.stale_button")]

    async def _guarded_choice(self, ctx: Ctx, prefix: str, action: Callable[[], Awaitable[Replies]]) -> Replies:
        """As `_guarded` (the question asked is remembered), and a malformed id is stale."""
        try:
            async with self._db.transaction():
                replies = await self._after(ctx, await self._act(action))
                await self._remember_question(ctx, replies)
                return replies
        except NotFound:  # a record that is gone, or one of a group she is not in
            return [ctx.text("error.stale_button")]
        except KoordinatError as error:
            return [ctx.text(error.key, **error.params)]
        except (ValueError, IndexError, LookupError) as error:
            # Only the prefix is logged: the rest of an id may carry an invite code.
            log.warning("malformed %r choice from %s: %s", prefix, ctx.actor.channel, type(error).__name__)
            return [ctx.text("error.stale_button")]

    async def on_upload(self, actor: Actor, upload: Upload) -> Replies:
        """A photo, document, sticker, location... : to the open dialog if its step takes
        one, otherwise a hint saying what is expected."""
        ctx = await self.context(actor)

        async def route() -> Replies:
            state = await self.current_dialog(ctx)
            flow = self._flows.get(state.kind) if state else None
            if state is not None and flow is not None and hasattr(flow, "on_upload"):
                return await flow.on_upload(ctx, state, upload)  # type: ignore[attr-defined]
            if state is not None:
                return [ctx.text("trust.upload_not_read", what=t(f"trust.upload_kind.{upload.kind}", ctx.lang),
                                 expects=await self.expects(ctx, state))]
            return [ctx.text("upload.not_expected")]

        return await self._guarded(ctx, route)

    async def on_edit(self, actor: Actor) -> Replies:
        """A person edited a message she sent earlier. Edits are not new answers: nothing
        changes (an edited "evet" is not an RSVP); she is told to send it again, with what
        the open dialog's step expects."""
        ctx = await self.context(actor)

        async def note() -> Replies:
            state = await self.current_dialog(ctx)
            if state is None:
                return [ctx.text("trust.edit_not_read")]
            return [ctx.text("trust.edit_not_read_in_dialog", expects=await self.expects(ctx, state))]

        return await self._guarded(ctx, note)

    async def expects(self, ctx: Ctx, state: DialogState) -> str:
        """What the dialog's current step expects, in the person's language (the flow's own
        `expects` when it has one, else a generic "a typed answer or one of the buttons")."""
        flow = self._flows.get(state.kind)
        if flow is not None and hasattr(flow, "expects"):
            phrase = await flow.expects(ctx, state)  # type: ignore[attr-defined]
            if phrase:
                return Markup(phrase)
        return t("trust.expects_answer", ctx.lang)

    async def on_action(self, actor: Actor, action: Callable[[Ctx], Awaitable[Replies]]) -> Replies:
        """Run an adapter-specific action (e.g. linking a group chat) with the usual context
        and error handling."""
        ctx = await self.context(actor)
        return await self._guarded(ctx, lambda: action(ctx))

    async def _run_command(self, ctx: Ctx, spec: CommandSpec, args: list[str], typed: str | None = None) -> Replies:
        if spec.needs_member and ctx.member is None:
            raise NotRegistered()
        if spec.coordinator_only and not ctx.is_coordinator:  # named as she typed it
            raise NotAuthorized(command="/" + (typed if typed in (spec.name, *spec.aliases) else spec.names_for(ctx.lang)[0]))
        return await spec.handler(ctx, args)

    async def _route_text(self, ctx: Ctx, text: str) -> Replies:
        state = await self.current_dialog(ctx)
        if state is not None and is_cancel(text):
            return await self.cancel(ctx)
        if state is not None:
            for interruption in self._interruptions:
                replies = await interruption(ctx, state, text)
                if replies is not None:
                    resumed = await self._resume(ctx, state)
                    if isinstance(ctx.dialog, DialogState):  # its question, asked again: newer than the notice
                        await self.save(ctx, ctx.dialog)
                    return [*replies, *resumed]
        answered = await self._answer_pending(ctx, state, text)
        if answered is not None:
            return answered
        if state is not None and state.kind in self._flows:
            keyword = self._keywords.get(fold(text).lstrip("/"))
            if keyword is not None and await self._never_an_answer(ctx, state):
                return await self._keyword_mid_dialog(ctx, state, keyword)
            return await self._flows[state.kind].on_text(ctx, state, text)
        keyword = self._keywords.get(fold(text).lstrip("/"))
        if keyword is not None:
            return await self._run_command(ctx, self._commands[keyword], [])
        if is_cancel(text):
            return [ctx.text("dialog.nothing_to_cancel")]
        for fallback in self._text_fallbacks:
            replies = await fallback(ctx, text)
            if replies is not None:
                return replies
        return [ctx.text("help.free_text_hint")]

    # -- typed words answer the pending question first ------------------------------------
    async def _answer_pending(self, ctx: Ctx, state: DialogState | None, text: str) -> Replies | None:
        """If the last question had buttons, typed text that fits one of them is that button's
        press; if only a button can answer it, other text gets "tap one of the buttons" with
        the choices named (global keywords still work). None: route the text as usual."""
        pending = await self.pending_choices(ctx)
        if pending is None or not pending.choices:
            return None
        if not pending.exclusive and pending.asked_at is not None:
            if (ctx.now - pending.asked_at).total_seconds() > PENDING_FOR_SECONDS:
                return None
            async with self._db.read() as conn:
                if await pending_repo.superseded(conn, ctx.actor.channel, ctx.actor.external_id,
                                                 pending.outbox_mark):
                    return None
        choice = match_choice(text, pending.choices, numbers=pending.exclusive)
        if choice is not None:
            return await self._choice(ctx, choice)
        if not pending.exclusive or self._keywords.get(fold(text).lstrip("/")) is not None:
            return None
        flow = self._flows.get(state.kind) if state is not None else None
        takes_text = getattr(flow, "takes_text", None)  # a typed new date at "doğru mu?"
        if state is not None and takes_text is not None and takes_text(state, text):
            return None
        names = ", ".join(f"«{label}»" for label, _ in pending.choices)
        buttons = [Button(label=label, choice=choice) for label, choice in pending.choices]
        return [Reply(text=t("dialog.tap_one_of", ctx.lang, choices=names),
                      buttons=[buttons[i:i + 3] for i in range(0, len(buttons), 3)])]

    async def _never_an_answer(self, ctx: Ctx, state: DialogState) -> bool:
        """Whether a word cannot answer the open dialog's step: it asks for a number, or only
        its buttons answer it (a typed word that fits none is not an answer)."""
        flow = self._flows.get(state.kind)
        if flow is None:
            return False
        if hasattr(flow, "expects_number"):
            return bool(await flow.expects_number(ctx, state))
        return state.step in getattr(flow, "numeric_steps", frozenset()) \
            or state.step in getattr(flow, "choice_steps", frozenset())

    async def _keyword_mid_dialog(self, ctx: Ctx, state: DialogState, keyword: str) -> Replies:
        """A known keyword that is not a valid answer is the keyword (`menü`, `anketler`,
        `yardım` at a number question): its answer, then the open dialog's question again
        (unless the command opened a dialog of its own or closed this one)."""
        replies = list(await self._run_command(ctx, self._commands[keyword], []))
        after = await self.current_dialog(ctx)
        if after is None or after.kind != state.kind or after.step != state.step:
            return replies
        resumed = await self._resume(ctx, after)
        if isinstance(ctx.dialog, DialogState):  # its question, asked again: the last she saw
            await self.save(ctx, ctx.dialog)
        return [*replies, *resumed]

    async def pending_choices(self, ctx: Ctx) -> PendingChoices | None:
        """The buttons of the last question asked in this chat (None: none kept), read once per
        update and kept on `ctx`."""
        if ctx.pending is _UNREAD:
            async with self._db.read() as conn:
                ctx.pending = await pending_repo.get(conn, ctx.actor.channel, ctx.actor.external_id)
        return ctx.pending  # type: ignore[return-value]

    async def _resume(self, ctx: Ctx, state: DialogState) -> Replies:
        """The open dialog's question again (the flow's `resume`), or a line saying what it
        still expects."""
        flow = self._flows.get(state.kind)
        if flow is not None and hasattr(flow, "resume"):
            return list(await flow.resume(ctx, state))  # type: ignore[attr-defined]
        prompt = getattr(flow, "_prompt", None)  # most flows ask their current step with `_prompt(ctx, state)`
        if prompt is not None:
            try:
                return [await prompt(ctx, state)]
            except (KoordinatError, LookupError, ValueError, TypeError):
                log.debug("%s: step %r not re-asked", state.kind, state.step, exc_info=True)
        return [ctx.text("dialog.still_open", expects=await self.expects(ctx, state))]

    async def _remember_question(self, ctx: Ctx, replies: Replies) -> None:
        """Keep the buttons of the one question just asked (none when several messages with
        buttons went out, e.g. three meeting cards: a typed "evet" would be ambiguous)."""
        asked = [reply for reply in replies if any(button.choice for row in reply.buttons for button in row)]
        last = replies[-1] if replies else None
        if len(asked) != 1 and not (last is not None and last in asked and self._is_exclusive(last, None)):
            await self._no_question(ctx)
            return
        question = asked[-1] if len(asked) == 1 else last
        assert question is not None
        state = await self.current_dialog(ctx)
        choices = [(button.label, button.choice) for row in question.buttons for button in row if button.choice]
        async with self._db.write() as tx:
            await pending_repo.save(tx, ctx.actor.channel, ctx.actor.external_id,
                                    PendingChoices(choices, self._is_exclusive(question, state)), ctx.now)
        ctx.pending = _UNREAD

    async def _no_question(self, ctx: Ctx) -> None:
        """No question with buttons is pending any more. A member keeps a row marking this
        exchange (notices before it no longer count as just received); anyone else — a
        newcomer who declined consent, a person just forgotten — keeps nothing under her chat id."""
        async with self._db.write() as tx:
            if ctx.member is not None:
                await pending_repo.mark_seen(tx, ctx.actor.channel, ctx.actor.external_id, ctx.now)
            else:
                await pending_repo.clear(tx, ctx.actor.channel, ctx.actor.external_id)
        ctx.pending = _UNREAD

    def _is_exclusive(self, question: Reply, state: DialogState | None) -> bool:
        first = next((button.choice for row in question.buttons for button in row if button.choice), "")
        prefix = first.split(":")[0]
        if prefix in EXCLUSIVE_PREFIXES:
            return True
        flow = self._flows.get(state.kind) if state else None
        return (state is not None and prefix == state.kind
                and state.step in getattr(flow, "choice_steps", frozenset()))

    async def cancel(self, ctx: Ctx) -> Replies:
        """Leave any dialog; what was already saved stays saved (a flow may say it its own
        way: a discarded draft is not "kept")."""
        state = await self.current_dialog(ctx)
        if await self.end(ctx):
            flow = self._flows.get(state.kind) if state else None
            return [ctx.text(getattr(flow, "cancelled_key", "dialog.cancelled"))]
        async with self._db.read() as conn:
            pending = await pending_repo.get(conn, ctx.actor.channel, ctx.actor.external_id)
        if pending is not None and pending.exclusive:  # a yes/no question such as /unut's: closed, nothing done
            await self._no_question(ctx)
            return [ctx.text("dialog.question_closed")]
        return [ctx.text("dialog.nothing_to_cancel")]

    async def _command_choice(self, ctx: Ctx, parts: list[str]) -> Replies:
        spec = self._commands.get(parts[0]) if parts else None
        if spec is None:
            return [ctx.text("error.stale_button")]
        return await self._run_command(ctx, spec, [])

    async def _cancel_command(self, ctx: Ctx, args: list[str]) -> Replies:
        return await self.cancel(ctx)

    async def _guarded(self, ctx: Ctx, action: Callable[[], Awaitable[Replies]]) -> Replies:
        """Turn expected failures into a localized message; effects of the failed step roll back."""
        try:
            async with self._db.transaction():
                replies = await self._after(ctx, await self._act(action))
                await self._remember_question(ctx, replies)
                return replies
        except KoordinatError as error:
            return [ctx.text(error.key, **error.params)]
