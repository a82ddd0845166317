"""The coordinator's dialogs: create a meeting (`/newmeeting`) and move one to a new time.

State lives in the `dialogs` table: a restart mid-dialog resumes at the same step, and a
wrong answer re-asks with an example while everything entered so far stays (the failed step
rolls back, the saved state does not). The group comes first when she coordinates several:
the date she types is read in that group's time zone.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.dates import example_text, names_a_day, zone_name
from bot.errors import InvalidAnswer
from bot.models import Button, Group, Reply, Role
from bot.services.conversation import Conversation, Ctx, Replies, first_state, group_picker
from bot.services.meetings import recurrence, render
from bot.services.meetings import when as when_question
from bot.text import clean_text, fold, read_number, require_text
from messages import format_day, t
from storage.dialogs import DialogState
from storage.meetings import Meeting

if TYPE_CHECKING:
    from bot.services.meetings.service import MeetingService

STEPS = ("group", "title", "when", "place", "agenda", "quorum", "repeat", "preview")
REPEATS = ("none", "weekly", "monthly")
# Steps answered only with a button: typed text that fits none gets "tap a button".
CHOICE_STEPS = frozenset({"group", "preview", "when_confirm", "repeat"})
OPTIONAL = {"agenda", "quorum"}
EDITABLE = ("title", "when", "place", "agenda", "quorum")
SKIP_WORDS = frozenset({"-", "yok", "gec", "atla", "skip", "none", "no"})
TITLE_LENGTH = (2, 120)
PLACE_LENGTH = (2, 300)
AGENDA_LENGTH = 1500


class NewMeetingFlow:
    kind = "newmeeting"
    cancelled_key = "meeting.discarded"
    choice_steps = CHOICE_STEPS
    numeric_steps = frozenset({"quorum"})

    def __init__(self, meetings: MeetingService, conversation: Conversation) -> None:
        self._meetings = meetings
        self._conversation = conversation

    async def begin_command(self, ctx: Ctx, args: list[str]) -> Replies:
        """`/newmeeting`: start the dialog (the group is asked only if she coordinates several)."""
        state = first_state(ctx, self.kind, "title")
        await self._conversation.save(ctx, state)
        return [ctx.text("meeting.dialog_intro"), await self._prompt(ctx, state)]

    # -- asking ---------------------------------------------------------------------------
    async def _prompt(self, ctx: Ctx, state: DialogState) -> Reply:
        step = state.step
        if step == "group":
            return await group_picker(ctx, self.kind, "meeting.ask_group", self._meetings.group)
        if step == "preview":
            return await self._preview(ctx, state)
        group = await self._group(state)
        if step in ("when_time", "when_confirm"):
            return when_question.prompt(ctx, group, state.data, step, self.kind)
        if step == "repeat":
            return Reply(text=t("meeting.ask_repeat", ctx.lang), buttons=[
                [Button(label=self._repeat_label(ctx, group, state.data, repeat), choice=f"{self.kind}:repeat:{repeat}")]
                for repeat in REPEATS])
        text = t(f"meeting.ask_{step}", ctx.lang, zone=zone_name(group.timezone, ctx.lang),
                 example=example_text(ctx.now, ZoneInfo(group.timezone)))
        current = self._shown(ctx, group, state.data, step)
        if state.data.get("editing") and current is not None:
            text += "\n" + t("meeting.current_value", ctx.lang, value=current)
        buttons = [[Button(label=t("meeting.skip_button", ctx.lang), choice=f"{self.kind}:skip")]] \
            if step in OPTIONAL else []
        return Reply(text=text, buttons=buttons)

    @staticmethod
    def _shown(ctx: Ctx, group: Group, data: dict[str, Any], field: str) -> str | None:
        """A field as the preview shows it."""
        value = data.get(field)
        if value is None:
            return None
        if field == "when":
            return format_day(datetime.fromisoformat(str(value)), ctx.lang, group.timezone)
        return str(value)

    @staticmethod
    def _repeat_label(ctx: Ctx, group: Group, data: dict[str, Any], repeat: str) -> str:
        """`Tekrar yok`, `🔁 her hafta Perşembe 14:00`, `🔁 her ayın ilk Perşembe günü 14:00`."""
        if repeat == "none":
            return t("meeting.repeat_none_button", ctx.lang)
        local = datetime.fromisoformat(str(data["when"])).astimezone(ZoneInfo(group.timezone))
        nth = recurrence.nth_of(local.date()) if repeat == "monthly" else None
        return "🔁 " + recurrence.describe(repeat, local.weekday(), nth, local.strftime("%H:%M"), ctx.lang)

    async def _preview(self, ctx: Ctx, state: DialogState) -> Reply:
        data = state.data
        group = await self._group(state)
        text = t("meeting.preview", ctx.lang, title=data["title"], group=group.name,
                 when=self._shown(ctx, group, data, "when"), place=data["place"],
                 agenda=data.get("agenda") or "—", quorum=data.get("quorum") or "—")
        if data.get("repeat") in ("weekly", "monthly"):  # above the closing question
            head, _, question = text.rpartition("\n\n")
            text = f"{head}\n{self._repeat_label(ctx, group, data, str(data['repeat']))}\n\n{question}"
        buttons = [[Button(label=t("meeting.send_button", ctx.lang), choice=f"{self.kind}:send"),
                    Button(label=t("meeting.edit_button", ctx.lang), choice=f"{self.kind}:edit"),
                    Button(label=t("meeting.abort_button", ctx.lang), choice=f"{self.kind}:abort")]]
        return Reply(text=text, buttons=buttons)

    async def _group(self, state: DialogState) -> Group:
        return await self._meetings.group(int(state.data["group_id"]))

    @staticmethod
    def takes_text(state: DialogState, text: str) -> bool:
        """At "doğru mu?", a newly typed date replaces the reading (not "tap a button")."""
        return state.step == "when_confirm" and names_a_day(text)

    async def _advance(self, ctx: Ctx, state: DialogState, echo: str | None = None) -> Replies:
        """To the next step, or back to the preview after editing one field; `echo` (the date
        as understood) heads the next question."""
        if state.step in when_question.WHEN_STEPS:
            state.step = "when"
        if state.data.pop("editing", False):
            state.step = "preview"
        else:
            state.step = STEPS[STEPS.index(state.step) + 1]
        await self._conversation.save(ctx, state)
        question = await self._prompt(ctx, state)
        if echo:
            question = question.model_copy(update={"text": echo + "\n\n" + question.text})
        return [question]

    async def _after_when(self, ctx: Ctx, state: DialogState, group: Group, step: str) -> Replies:
        """After an answer to one of the "when" steps: ask the time, confirm, or go on."""
        if step == "done":
            return await self._advance(ctx, state, echo=when_question.understood(ctx, group, state.data))
        state.step = step
        await self._conversation.save(ctx, state)
        return [await self._prompt(ctx, state)]

    async def expects(self, ctx: Ctx, state: DialogState) -> str:
        """What the current step takes, for the hint after a photo or an edited message."""
        if state.step in ("group", "preview"):
            return t(f"trust.expects.meeting.{state.step}", ctx.lang)
        group = await self._group(state)
        return t(f"trust.expects.meeting.{state.step}", ctx.lang,
                 example=example_text(ctx.now, ZoneInfo(group.timezone)))

    # -- answers --------------------------------------------------------------------------
    async def on_text(self, ctx: Ctx, state: DialogState, text: str) -> Replies:
        step = state.step
        if step == "group":
            return [ctx.text("meeting.pick_group_first"), await self._prompt(ctx, state)]
        if step == "preview":
            return [ctx.text("meeting.use_buttons"), await self._preview(ctx, state)]
        if step == "repeat":
            return [ctx.text("meeting.use_buttons"), await self._prompt(ctx, state)]
        group = await self._group(state)
        if step in when_question.WHEN_STEPS:
            return await self._after_when(ctx, state, group, when_question.read(ctx, group, state.data, step, text))
        if step == "title":
            state.data["title"] = _within(require_title(text), TITLE_LENGTH, "meeting.bad_title")
        elif step == "place":
            state.data["place"] = _within(text, PLACE_LENGTH, "meeting.bad_place")
        elif step == "agenda":
            agenda = clean_text(text, multiline=True)
            if len(agenda) > AGENDA_LENGTH:
                raise InvalidAnswer("meeting.bad_agenda", limit=AGENDA_LENGTH, length=len(agenda))
            state.data["agenda"] = None if not agenda or fold(agenda) in SKIP_WORDS else agenda
        elif step == "quorum":
            state.data["quorum"] = None if fold(text) in SKIP_WORDS else await self._quorum(text, group)
        return await self._advance(ctx, state)

    async def _quorum(self, text: str, group: Group) -> int:
        quorum = read_number(text)  # `5`, `５`, `٥`, `⁵`
        if quorum is None or quorum < 1:
            raise InvalidAnswer("meeting.bad_quorum")
        size = await self._meetings.group_size(group.id)
        if quorum > size:
            raise InvalidAnswer("meeting.quorum_too_big", quorum=quorum, size=size)
        return quorum

    async def on_choice(self, ctx: Ctx, state: DialogState, parts: list[str]) -> Replies:
        action = parts[0] if parts else ""
        if action == "group" and state.step == "group" and len(parts) == 2 and parts[1].isdigit():
            if ctx.roles.get(int(parts[1])) is not Role.COORDINATOR:
                return [ctx.text("error.stale_button")]
            state.data["group_id"] = int(parts[1])
            return await self._advance(ctx, state)
        if action == "when" and state.step == "when_confirm" and len(parts) == 2:
            step = when_question.on_choice(state.data, parts[1])
            if step is not None:
                return await self._after_when(ctx, state, await self._group(state), step)
        if action == "repeat" and state.step == "repeat" and len(parts) == 2 and parts[1] in REPEATS:
            state.data["repeat"] = parts[1]
            return await self._advance(ctx, state)
        if action == "skip" and state.step in OPTIONAL:
            state.data[state.step] = None
            return await self._advance(ctx, state)
        if action == "edit" and state.step == "preview":
            buttons = [[Button(label=t(f"meeting.field_{name}", ctx.lang), choice=f"{self.kind}:field:{name}")]
                       for name in EDITABLE]
            return [Reply(text=t("meeting.which_field", ctx.lang), buttons=buttons)]
        if action == "field" and len(parts) == 2 and parts[1] in EDITABLE and state.step == "preview":
            state.step = parts[1]
            state.data["editing"] = True
            await self._conversation.save(ctx, state)
            return [await self._prompt(ctx, state)]
        if action == "abort":
            return await self._conversation.cancel(ctx)
        if action == "send" and state.step == "preview":
            return await self._send(ctx, state)
        return [ctx.text("error.stale_button")]

    async def _send(self, ctx: Ctx, state: DialogState) -> Replies:
        data = state.data
        starts = datetime.fromisoformat(str(data["when"]))
        group = await self._group(state)
        if starts <= ctx.now:  # the preview waited too long
            state.step, data["editing"] = "when", True
            await self._conversation.save(ctx, state)
            shown = format_day(starts, ctx.lang, group.timezone)
            return [ctx.text("dates.in_past", typed=shown, example=example_text(ctx.now, ZoneInfo(group.timezone))),
                    await self._prompt(ctx, state)]
        member = ctx.require_member()
        if data.get("repeat") in ("weekly", "monthly"):
            meeting = await self._meetings.create_series(
                group_id=group.id, frequency=str(data["repeat"]), starts_at=starts, title=str(data["title"]),
                place=str(data["place"]), agenda=data.get("agenda"), quorum=data.get("quorum"), created_by=member.id)
        else:
            meeting = await self._meetings.create_and_announce(
                group_id=group.id, title=str(data["title"]), starts_at=starts, place=str(data["place"]),
                agenda=data.get("agenda"), quorum=data.get("quorum"), created_by=member.id)
        await self._conversation.end(ctx)
        return [ctx.text("meeting.sent", title=meeting.title, group=group.name)]


class RescheduleFlow:
    """The new date and time (a date alone asks for the time), then a preview showing
    old → new with "send" / "keep it as it was"; the preview also confirms a reading that was
    not literal. For an occurrence of a repeating meeting whose pattern the new time changes,
    "send" becomes "only this one" (`moving:send`) / "this and all following"
    (`moving:sendall`, `MeetingService.move_series`)."""

    kind = "moving"
    cancelled_key = "meeting.move_aborted"
    choice_steps = frozenset({"preview"})

    def __init__(self, meetings: MeetingService, conversation: Conversation) -> None:
        self._meetings = meetings
        self._conversation = conversation

    async def begin(self, ctx: Ctx, meeting: Meeting) -> Replies:
        group = await self._meetings.group(meeting.group_id)
        await self._conversation.save(ctx, DialogState(self.kind, "when", {"meeting_id": meeting.id}))
        return [ctx.text("meeting.ask_new_time", title=meeting.title, when=format_day(
            meeting.starts_at, ctx.lang, group.timezone), zone=zone_name(group.timezone, ctx.lang),
            example=example_text(ctx.now, ZoneInfo(group.timezone)))]

    @staticmethod
    def takes_text(state: DialogState, text: str) -> bool:
        """The preview confirms the new time: a newly typed date there replaces it."""
        return state.step == "preview" and names_a_day(text)

    async def on_text(self, ctx: Ctx, state: DialogState, text: str) -> Replies:
        meeting = await self._meetings.meeting(int(state.data["meeting_id"]))
        group = await self._meetings.group(meeting.group_id)
        if state.step == "preview" and not names_a_day(text):
            return [ctx.text("meeting.use_buttons"), await self._preview(ctx, state, meeting, group)]
        step_now = state.step
        if step_now == "preview":  # a new date, or a time alone for the same day, replaces the preview's
            state.data["when_pending"], step_now = state.data["when"], "when_confirm"
        step = when_question.read(ctx, group, state.data, step_now, text)
        if step == "when_confirm":  # the preview confirms it
            state.data["when"] = state.data.pop("when_pending")
            step = "done"
        if step == "done":
            starts = datetime.fromisoformat(str(state.data["when"]))
            if starts == meeting.starts_at:
                raise InvalidAnswer("meeting.same_time", when=format_day(starts, ctx.lang, group.timezone))
            state.step = "preview"
            await self._conversation.save(ctx, state)
            return [await self._preview(ctx, state, meeting, group)]
        state.step = step
        await self._conversation.save(ctx, state)
        return [when_question.prompt(ctx, group, state.data, step, self.kind)]

    async def _preview(self, ctx: Ctx, state: DialogState, meeting: Meeting, group: Group) -> Reply:
        """Old → new; for an occurrence of a repeating meeting whose pattern the new time
        changes, also the series' pattern old → new and the choice "only this one" / "this and
        all following"."""
        starts = datetime.fromisoformat(str(state.data["when"]))
        text = t("meeting.move_preview", ctx.lang, title=meeting.title,
                 change=render.time_change(meeting.starts_at, starts, group, ctx.lang),
                 zone=zone_name(group.timezone, ctx.lang))
        send = [Button(label=t("meeting.send_button", ctx.lang), choice=f"{self.kind}:send")]
        patterns = await self._patterns(ctx, meeting, group, starts)
        if patterns is not None:  # above the closing question
            head, _, question = text.rpartition("\n\n")
            text = head + "\n\n" + t("meeting.move_series_choice", ctx.lang, old=patterns[0], new=patterns[1]) \
                + "\n\n" + question
            send = [Button(label=t("meeting.amend_this_one", ctx.lang), choice=f"{self.kind}:send"),
                    Button(label=t("meeting.move_series_button", ctx.lang), choice=f"{self.kind}:sendall")]
        lines = [text] + [t(f"meeting.confirm_when_{note}", ctx.lang) for note in state.data.get("when_notes") or []]
        return Reply(text="\n".join(lines), buttons=[send, [
            Button(label=t("meeting.move_again_button", ctx.lang), choice=f"{self.kind}:again"),
            Button(label=t("meeting.abort_button", ctx.lang), choice=f"{self.kind}:abort")]])

    async def _patterns(self, ctx: Ctx, meeting: Meeting, group: Group, starts: datetime) -> tuple[str, str] | None:
        """(the series' pattern now, the pattern `starts` would give it) when `meeting` is an
        occurrence of an active series and the two differ; else None (a plain move)."""
        series = await self._meetings.series(meeting.series_id) if meeting.series_id is not None else None
        if series is None or not series.active:
            return None
        new = recurrence.pattern_of(series.frequency, starts, ZoneInfo(group.timezone))
        if new == (series.weekday, series.nth, series.local_time):
            return None
        return (recurrence.describe(series.frequency, series.weekday, series.nth, series.local_time, ctx.lang),
                recurrence.describe(series.frequency, *new, ctx.lang))

    async def on_choice(self, ctx: Ctx, state: DialogState, parts: list[str]) -> Replies:
        action = parts[0] if parts else ""
        if action == "abort":
            await self._conversation.end(ctx)
            return [ctx.text("meeting.move_aborted")]
        if state.step != "preview":
            return [ctx.text("error.stale_button")]
        meeting = await self._meetings.meeting(int(state.data["meeting_id"]))
        if action == "again":
            return await self.begin(ctx, meeting)
        if action in ("send", "sendall"):
            starts = datetime.fromisoformat(str(state.data["when"]))
            if action == "sendall" and meeting.series_id is not None:
                replies = await self._meetings.overview.reschedule_series(ctx, meeting, starts)
            else:
                replies = await self._meetings.overview.reschedule(ctx, meeting, starts)
            await self._conversation.end(ctx)
            return replies
        return [ctx.text("error.stale_button")]

    async def expects(self, ctx: Ctx, state: DialogState) -> str:
        """The new date and time, with an example in the meeting's zone."""
        meeting = await self._meetings.meeting(int(state.data["meeting_id"]))
        group = await self._meetings.group(meeting.group_id)
        return t("trust.expects.meeting.new_time", ctx.lang, example=example_text(ctx.now, ZoneInfo(group.timezone)))


def _within(text: str, bounds: tuple[int, int], key: str) -> str:
    """One line of visible text within `bounds` characters (see `bot.text.clean_text`)."""
    low, high = bounds
    return require_text(text, key=key, min_length=low, max_length=high)


def require_title(title: str) -> str:
    """`title` as typed, unless something visible in it has no letter or digit (`🎉`, `...`,
    `!!`): then `InvalidAnswer("meeting.title_needs_letters")` — a meeting must be nameable in
    a list, a reminder and a calendar. (Empty or invisible text is left to the length check.)"""
    cleaned = clean_text(title)
    if cleaned and not any(ch.isalnum() for ch in cleaned):
        raise InvalidAnswer("meeting.title_needs_letters")
    return title
