"""The coordinator's dialogs: create a meeting (`/newmeeting`) and move one to a new time.

State lives in the `dialogs` table: a restart mid-dialog resumes at the same step, and a
wrong answer re-asks with an example while everything entered so far stays.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.dates import parse_meeting_time
from bot.errors import InvalidAnswer
from bot.models import Button, Reply, Role
from bot.services.conversation import Conversation, Ctx, Replies
from bot.text import fold
from messages import format_day, t
from storage.dialogs import DialogState
from storage.meetings import Meeting

if TYPE_CHECKING:
    from bot.services.meetings import MeetingService

STEPS = ("group", "title", "when", "place", "agenda", "quorum", "preview")
OPTIONAL = {"agenda", "quorum"}
SKIP_WORDS = frozenset({"-", "yok", "gec", "atla", "skip", "none", "no"})
EDITABLE = ("title", "when", "place", "agenda", "quorum")


class NewMeetingFlow:
    kind = "newmeeting"

    def __init__(self, meetings: MeetingService, conversation: Conversation) -> None:
        self._meetings = meetings
        self._conversation = conversation

    async def begin(self, ctx: Ctx) -> Replies:
        groups = ctx.coordinated_groups()
        data: dict[str, Any] = {}
        if len(groups) == 1:
            data["group_id"] = groups[0]
        state = DialogState(self.kind, "title" if "group_id" in data else "group", data)
        await self._conversation.save(ctx, state)
        return [ctx.text("meeting.dialog_intro"), await self._prompt(ctx, state)]

    async def _prompt(self, ctx: Ctx, state: DialogState) -> Reply:
        step = state.step
        if step == "group":
            buttons = []
            for group_id in ctx.coordinated_groups():
                group = await self._meetings.group(group_id)
                buttons.append([Button(label=f"{group.name} ({group.city})", choice=f"{self.kind}:group:{group_id}")])
            return Reply(text=t("meeting.ask_group", ctx.lang), buttons=buttons)
        if step == "preview":
            return await self._preview(ctx, state)
        buttons = [[Button(label=t("meeting.skip_button", ctx.lang), choice=f"{self.kind}:skip")]] \
            if step in OPTIONAL else []
        example_zone = (await self._meetings.group(int(state.data["group_id"]))).timezone
        return Reply(text=t(f"meeting.ask_{step}", ctx.lang, zone=example_zone), buttons=buttons)

    async def _preview(self, ctx: Ctx, state: DialogState) -> Reply:
        data = state.data
        group = await self._meetings.group(int(data["group_id"]))
        when = format_day(datetime.fromisoformat(str(data["when"])), ctx.lang, group.timezone)
        text = t("meeting.preview", ctx.lang, title=data["title"], group=group.name, when=when,
                 place=data["place"], agenda=data.get("agenda") or "—",
                 quorum=data.get("quorum") or "—")
        buttons = [[Button(label=t("meeting.send_button", ctx.lang), choice=f"{self.kind}:send"),
                    Button(label=t("meeting.edit_button", ctx.lang), choice=f"{self.kind}:edit"),
                    Button(label=t("meeting.abort_button", ctx.lang), choice=f"{self.kind}:abort")]]
        return Reply(text=text, buttons=buttons)

    async def _advance(self, ctx: Ctx, state: DialogState) -> Replies:
        """Go to the next unanswered step (or back to the preview after an edit)."""
        if state.data.pop("editing", False):
            state.step = "preview"
        else:
            state.step = STEPS[STEPS.index(state.step) + 1]
        await self._conversation.save(ctx, state)
        return [await self._prompt(ctx, state)]

    async def on_text(self, ctx: Ctx, state: DialogState, text: str) -> Replies:
        step = state.step
        if step == "group":
            raise InvalidAnswer("meeting.pick_group_first")
        if step == "preview":
            return [ctx.text("meeting.use_buttons"), await self._preview(ctx, state)]
        group = await self._meetings.group(int(state.data["group_id"]))
        if step == "title":
            state.data["title"] = self._meetings.check_title(text)
        elif step == "when":
            starts = parse_meeting_time(text, ZoneInfo(group.timezone), ctx.now)
            state.data["when"] = starts.isoformat()
        elif step == "place":
            place = text.strip()
            if not 2 <= len(place) <= 300:
                raise InvalidAnswer("meeting.bad_place")
            state.data["place"] = place
        elif step == "agenda":
            agenda = text.strip()
            if len(agenda) > 1500:
                raise InvalidAnswer("meeting.bad_agenda")
            state.data["agenda"] = None if fold(agenda) in SKIP_WORDS else agenda
        elif step == "quorum":
            state.data["quorum"] = None if fold(text) in SKIP_WORDS else _quorum(text)
        return await self._advance(ctx, state)

    async def on_choice(self, ctx: Ctx, state: DialogState, parts: list[str]) -> Replies:
        action = parts[0] if parts else ""
        if action == "group" and len(parts) == 2 and parts[1].isdigit():
            group_id = int(parts[1])
            if ctx.roles.get(group_id) is not Role.COORDINATOR:
                return [ctx.text("error.stale_button")]
            state.data["group_id"] = group_id
            state.step = "group"
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
        if starts <= ctx.now:  # the preview waited too long
            state.step, data["editing"] = "when", True
            await self._conversation.save(ctx, state)
            return [ctx.text("meeting.date_in_past", typed=""), await self._prompt(ctx, state)]
        member = ctx.require_member()
        meeting = await self._meetings.create_and_announce(
            group_id=int(data["group_id"]), title=str(data["title"]), starts_at=starts, place=str(data["place"]),
            agenda=data.get("agenda"), quorum=data.get("quorum"), created_by=member.id)
        await self._conversation.end(ctx)
        group = await self._meetings.group(meeting.group_id)
        return [ctx.text("meeting.sent", title=meeting.title, group=group.name)]


class RescheduleFlow:
    kind = "moving"

    def __init__(self, meetings: MeetingService, conversation: Conversation) -> None:
        self._meetings = meetings
        self._conversation = conversation

    async def begin(self, ctx: Ctx, meeting: Meeting) -> Replies:
        await self._conversation.save(ctx, DialogState(self.kind, "when", {"meeting_id": meeting.id}))
        return [ctx.text("meeting.ask_new_time", title=meeting.title)]

    async def on_text(self, ctx: Ctx, state: DialogState, text: str) -> Replies:
        meeting = await self._meetings.meeting(int(state.data["meeting_id"]))
        group = await self._meetings.group(meeting.group_id)
        starts = parse_meeting_time(text, ZoneInfo(group.timezone), ctx.now)
        await self._conversation.end(ctx)
        return await self._meetings.reschedule(ctx, meeting, starts)

    async def on_choice(self, ctx: Ctx, state: DialogState, parts: list[str]) -> Replies:
        return [ctx.text("error.stale_button")]


def _quorum(text: str) -> int:
    cleaned = text.strip()
    if not cleaned.isdigit() or not 1 <= int(cleaned) <= 10_000:
        raise InvalidAnswer("meeting.bad_quorum")
    return int(cleaned)
