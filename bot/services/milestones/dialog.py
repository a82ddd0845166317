"""The coordinator's `/yenitarih` (`/newmilestone`) dialog and the one-question "new date"
dialog. State lives in the `dialogs` table (a restart resumes at the same step); a wrong
answer re-asks with an example and keeps everything entered so far; what a person types
is matched against the pending question's buttons first."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.dates import names_a_day, zone_name
from bot.errors import InvalidAnswer
from bot.models import Button, Group, Reply, Role
from bot.services.conversation import Conversation, Ctx, Replies, first_state, group_picker
from bot.services.milestones import render
from bot.services.milestones.dates import example_due, read_due
from bot.text import ascii_digits, fold
from bot.typed_answers import leaning as typed_leaning
from messages import t
from storage.dialogs import DialogState
from storage.milestones import DEFAULT_OFFSETS, Milestone

if TYPE_CHECKING:
    from bot.services.milestones.service import MilestoneService

STEPS = ("group", "title", "due", "link", "audience", "offsets", "preview")
NUMBERED = ("title", "due", "link", "audience", "offsets")
TITLE_LENGTH = (2, 150)
SKIP_WORDS = frozenset({"-", "yok", "gec", "atla", "skip", "none", "no"})
DEFAULT_WORDS = frozenset({"varsayilan", "default", "tamam", "ok", "evet"})
SAVE_WORDS = frozenset({"kaydet", "save"})
AUDIENCE_WORDS = {"coordinators": frozenset({"koordinatorler", "koordinator", "coordinators", "coordinator"}),
                  "group": frozenset({"tum grup", "grup", "herkes", "whole group", "group", "everyone"})}
_INDICATOR = re.compile(r"^i\d{1,3}$")
_CODE = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,40}$")


def _button_words(label: str) -> str:
    """A button's label as people type it: no emoji, folded."""
    return fold(re.sub(r"[^\w\s]", "", label))


class NewMilestoneFlow:
    kind = "newmilestone"
    cancelled_key = "dialog.draft_discarded"

    def __init__(self, service: MilestoneService, conversation: Conversation) -> None:
        self._service = service
        self._conversation = conversation

    async def begin_command(self, ctx: Ctx, args: list[str]) -> Replies:
        state = first_state(ctx, self.kind, "title")
        await self._conversation.save(ctx, state)
        return [ctx.text("milestone.dialog_intro"), await self._prompt(ctx, state)]

    async def _group(self, state: DialogState) -> Group:
        return await self._service.group(int(state.data["group_id"]))

    async def _prompt(self, ctx: Ctx, state: DialogState) -> Reply:
        step = state.step
        if step == "group":
            return await group_picker(ctx, self.kind, "milestone.ask_group", self._service.group)
        if step == "preview":
            return await self._preview(ctx, state)
        group = await self._group(state)
        number = f"{NUMBERED.index(step) + 1}/{len(NUMBERED)}"
        text = t(f"milestone.ask_{step}", ctx.lang, step=number, zone=zone_name(group.timezone, ctx.lang),
                 example=example_due(ctx.now, ZoneInfo(group.timezone)))
        buttons: list[list[Button]] = []
        if step == "link":
            buttons = [[Button(label=t("milestone.skip_button", ctx.lang), choice=f"{self.kind}:skip")]]
        elif step == "audience":
            buttons = [[Button(label=t("milestone.audience_group", ctx.lang), choice=f"{self.kind}:aud:group"),
                        Button(label=t("milestone.audience_coordinators", ctx.lang),
                               choice=f"{self.kind}:aud:coordinators")]]
        elif step == "offsets":
            buttons = [[Button(label=t("milestone.default_offsets_button", ctx.lang), choice=f"{self.kind}:defaults")]]
        return Reply(text=text, buttons=buttons)

    async def _preview(self, ctx: Ctx, state: DialogState) -> Reply:
        data = state.data
        group = await self._group(state)
        draft = self._draft(data)
        text = t("milestone.preview", ctx.lang, title=draft.title, group=group.name,
                 when=render.when(draft, group, ctx.lang),
                 left=render.left_text(render.days_left(draft, group, ctx.now), ctx.lang),
                 link=data.get("link") or "—", audience=t(f"milestone.audience_{draft.audience}", ctx.lang),
                 offsets=render.offsets_text(draft.offsets, ctx.lang))
        warning = render.nonworking_warning(draft, group, ctx.lang)
        if warning:
            text += "\n" + warning
        return Reply(text=text, buttons=[[
            Button(label=t("milestone.save_button", ctx.lang), choice=f"{self.kind}:save"),
            Button(label=t("milestone.abort_button", ctx.lang), choice=f"{self.kind}:abort")]])

    @staticmethod
    def _draft(data: dict[str, Any]) -> Milestone:
        return Milestone(id=0, group_id=int(data["group_id"]), title=str(data["title"]),
                         due_at=datetime.fromisoformat(str(data["due"])), has_time=bool(data.get("has_time")),
                         audience=str(data.get("audience") or "group"),
                         offsets=list(data.get("offsets") or DEFAULT_OFFSETS))

    async def _advance(self, ctx: Ctx, state: DialogState) -> Replies:
        state.step = STEPS[STEPS.index(state.step) + 1]
        await self._conversation.save(ctx, state)
        return [await self._prompt(ctx, state)]

    async def on_text(self, ctx: Ctx, state: DialogState, text: str) -> Replies:
        step = state.step
        words = fold(text).strip(" .!")
        if step == "group":
            return [ctx.text("milestone.pick_group_first"), await self._prompt(ctx, state)]
        if step == "preview":
            if words in SAVE_WORDS or words == _button_words(t("milestone.save_button", ctx.lang)):
                return await self._save(ctx, state)
            if names_a_day(text):  # a newly typed due date replaces the one in the preview
                group = await self._group(state)
                due = read_due(text, ZoneInfo(group.timezone), ctx.now, ctx.lang)
                state.data["due"], state.data["has_time"] = due.at.isoformat(), due.has_time
                await self._conversation.save(ctx, state)
                return [await self._preview(ctx, state)]
            return [ctx.text("milestone.use_buttons"), await self._preview(ctx, state)]
        group = await self._group(state)
        if step == "title":
            title = " ".join(text.split())
            if not TITLE_LENGTH[0] <= len(title) <= TITLE_LENGTH[1]:
                raise InvalidAnswer("milestone.bad_title", low=TITLE_LENGTH[0], high=TITLE_LENGTH[1])
            state.data["title"] = title
        elif step == "due":
            due = read_due(text, ZoneInfo(group.timezone), ctx.now, ctx.lang)
            state.data["due"], state.data["has_time"] = due.at.isoformat(), due.has_time
        elif step == "link":
            state.data["link"] = self._link(words)
        elif step == "audience":
            audience = next((name for name, names in AUDIENCE_WORDS.items()
                             if words in names or words == _button_words(t(f"milestone.audience_{name}", ctx.lang))),
                            None)
            if audience is None:
                raise InvalidAnswer("milestone.bad_audience")
            state.data["audience"] = audience
        elif step == "offsets":
            state.data["offsets"] = self._offsets(words, ctx)
        return await self._advance(ctx, state)

    @staticmethod
    def _link(words: str) -> str | None:
        if words in SKIP_WORDS:
            return None
        if _INDICATOR.match(words):
            return words.upper()
        if _CODE.match(words):
            return words
        raise InvalidAnswer("milestone.bad_link")

    @staticmethod
    def _offsets(words: str, ctx: Ctx) -> list[int]:
        if words in DEFAULT_WORDS or words == _button_words(t("milestone.default_offsets_button", ctx.lang)):
            return list(DEFAULT_OFFSETS)
        parts = [part for part in re.split(r"[,\s;]+", ascii_digits(words)) if part]
        if not parts or len(parts) > 8 or not all(part.isdigit() and int(part) <= 366 for part in parts):
            raise InvalidAnswer("milestone.bad_offsets")
        return sorted({int(part) for part in parts}, reverse=True)

    async def on_choice(self, ctx: Ctx, state: DialogState, parts: list[str]) -> Replies:
        action = parts[0] if parts else ""
        if action == "group" and state.step == "group" and len(parts) == 2 and parts[1].isdigit():
            if ctx.roles.get(int(parts[1])) is not Role.COORDINATOR:
                return [ctx.text("error.stale_button")]
            state.data["group_id"] = int(parts[1])
            return await self._advance(ctx, state)
        if action == "skip" and state.step == "link":
            state.data["link"] = None
            return await self._advance(ctx, state)
        if action == "aud" and state.step == "audience" and len(parts) == 2 and parts[1] in AUDIENCE_WORDS:
            state.data["audience"] = parts[1]
            return await self._advance(ctx, state)
        if action == "defaults" and state.step == "offsets":
            state.data["offsets"] = list(DEFAULT_OFFSETS)
            return await self._advance(ctx, state)
        if action == "abort":
            return await self._conversation.cancel(ctx)
        if action == "save" and state.step == "preview":
            return await self._save(ctx, state)
        return [ctx.text("error.stale_button")]

    async def _save(self, ctx: Ctx, state: DialogState) -> Replies:
        data = state.data
        group = await self._group(state)
        self._service.require_coordinator(ctx, group.id)
        draft = self._draft(data)
        if draft.due_at <= ctx.now:  # the preview waited too long
            state.step = "due"
            await self._conversation.save(ctx, state)
            return [ctx.text("milestone.due_in_past", typed=render.when(draft, group, ctx.lang),
                             example=example_due(ctx.now, ZoneInfo(group.timezone))),
                    await self._prompt(ctx, state)]
        link = data.get("link")
        indicator = link if link and _INDICATOR.match(fold(link)) else None
        survey = link if link and indicator is None else None
        milestone = await self._service.create(
            group_id=group.id, title=draft.title, due_at=draft.due_at, has_time=draft.has_time,
            audience=draft.audience, offsets=draft.offsets, indicator_code=indicator,
            survey_template_code=survey, created_by=ctx.require_member().id)
        await self._conversation.end(ctx)
        assert milestone is not None
        reminders = self._service.reminder_days(milestone, group)
        return [ctx.text("milestone.saved", title=render.title(milestone, ctx.lang), group=group.name,
                         when=render.when(milestone, group, ctx.lang), count=len(reminders))]


class MoveFlow:
    """One question about an existing milestone: its new due date, title or reminder days
    (`field` in the dialog state)."""

    kind = "msdate"
    cancelled_key = "dialog.nothing_changed"
    FIELDS = ("due", "title", "offsets")

    def __init__(self, service: MilestoneService, conversation: Conversation) -> None:
        self._service = service
        self._conversation = conversation

    async def begin(self, ctx: Ctx, milestone: Milestone, field: str = "due") -> Replies:
        group = await self._service.group(milestone.group_id)
        await self._conversation.save(ctx, DialogState(self.kind, field, {"milestone_id": milestone.id}))
        if field == "title":
            return [ctx.text("milestone.ask_new_title", title=render.title(milestone, ctx.lang))]
        if field == "offsets":
            return [ctx.text("milestone.ask_new_offsets", title=render.title(milestone, ctx.lang),
                             offsets=render.offsets_text(milestone.offsets, ctx.lang))]
        return [ctx.text("milestone.ask_new_due", title=render.title(milestone, ctx.lang), when=render.when(milestone, group, ctx.lang),
                         example=example_due(ctx.now, ZoneInfo(group.timezone)))]

    async def on_text(self, ctx: Ctx, state: DialogState, text: str) -> Replies:
        milestone = await self._service.get(int(state.data["milestone_id"]))
        self._service.require_coordinator(ctx, milestone.group_id)
        group = await self._service.group(milestone.group_id)
        if state.step == "title":
            title = " ".join(text.split())
            if not TITLE_LENGTH[0] <= len(title) <= TITLE_LENGTH[1]:
                raise InvalidAnswer("milestone.bad_title", low=TITLE_LENGTH[0], high=TITLE_LENGTH[1])
            changed = await self._service.change(milestone.id, title=title)
        elif state.step == "offsets":
            changed = await self._service.change(
                milestone.id, offsets=NewMilestoneFlow._offsets(fold(text).strip(" .!"), ctx))  # noqa: SLF001
        else:
            if state.step == "due_confirm":
                said = None if names_a_day(text) else typed_leaning(text)
                if said is not None:
                    return await self._confirmed(ctx, state, milestone, group, said == "yes")
            due = read_due(text, ZoneInfo(group.timezone), ctx.now, ctx.lang)
            if due.read:  # `yarın`, `13 Mart`, `saat 3`: read back with its weekday before it moves
                state.step = "due_confirm"
                state.data.update(due=due.at.isoformat(), has_time=due.has_time)
                await self._conversation.save(ctx, state)
                return [self._confirm(ctx, milestone, group, due.at, due.has_time)]
            changed = await self._service.move(milestone.id, due.at, due.has_time)
        await self._conversation.end(ctx)
        return [ctx.text("milestone.changed", title=render.title(changed, ctx.lang), when=render.when(changed, group, ctx.lang),
                         count=len(self._service.reminder_days(changed, group)))]

    def takes_text(self, state: DialogState, text: str) -> bool:
        """At "doğru mu?", a newly typed date replaces the reading."""
        return state.step == "due_confirm" and names_a_day(text)

    def _confirm(self, ctx: Ctx, milestone: Milestone, group: Group, due: datetime, has_time: bool) -> Reply:
        shown = milestone.model_copy(update={"due_at": due, "has_time": has_time})
        return Reply(text=t("milestone.confirm_due", ctx.lang, title=render.title(milestone, ctx.lang),
                            when=render.when(shown, group, ctx.lang)), buttons=[[
            Button(label=t("meeting.when_right_button", ctx.lang), choice=f"{self.kind}:due:yes"),
            Button(label=t("meeting.when_wrong_button", ctx.lang), choice=f"{self.kind}:due:no")]])

    async def _confirmed(self, ctx: Ctx, state: DialogState, milestone: Milestone, group: Group,
                         right: bool) -> Replies:
        if not right:  # asked again, nothing moved
            state.step = "due"
            await self._conversation.save(ctx, state)
            return [ctx.text("milestone.ask_new_due", title=render.title(milestone, ctx.lang),
                             when=render.when(milestone, group, ctx.lang),
                             example=example_due(ctx.now, ZoneInfo(group.timezone)))]
        changed = await self._service.move(milestone.id, datetime.fromisoformat(str(state.data["due"])),
                                           bool(state.data.get("has_time")))
        await self._conversation.end(ctx)
        return [ctx.text("milestone.changed", title=render.title(changed, ctx.lang),
                         when=render.when(changed, group, ctx.lang),
                         count=len(self._service.reminder_days(changed, group)))]

    async def on_choice(self, ctx: Ctx, state: DialogState, parts: list[str]) -> Replies:
        if state.step == "due_confirm" and parts[:1] == ["due"] and len(parts) == 2 and parts[1] in ("yes", "no"):
            milestone = await self._service.get(int(state.data["milestone_id"]))
            self._service.require_coordinator(ctx, milestone.group_id)
            group = await self._service.group(milestone.group_id)
            return await self._confirmed(ctx, state, milestone, group, parts[1] == "yes")
        return [ctx.text("error.stale_button")]
