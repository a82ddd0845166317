"""The coordinator's dialogs: `/anket` (`/newsurvey`) and a new deadline for a survey.

Steps of `/anket`: group (only if she coordinates several) → what to ask (a template, or
indicators picked from the library) → deadline (read exactly like meeting dates) → named or
anonymous → preview → send. From the preview she can change the deadline or the nudge times
(`5 gün, 1 gün`, read by `nudges.parse_nudge_times`; default 3 days and 1 day before); times
already past are named in the preview and never sent. State lives in the `dialogs` table; a wrong date is re-asked
with an example and nothing chosen so far is lost. Button ids carry positions in lists kept
in the dialog state, never codes or ids the server has not offered.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.lazy_babel import format_date

import bot.dates as dates
from bot.dates import example_text, zone_name
from bot.errors import InvalidAnswer
from bot.models import Button, Group, Reply, Role
from bot.services.conversation import Conversation, Ctx, Replies, first_state, group_picker
from bot.services.surveys import content, nudges
from bot.services.surveys.answering import BACK_WORDS
from bot.services.surveys.deadline import read_deadline
from bot.services.surveys.model import DEFAULT_NUDGE_HOURS, SurveyForm, localized
from bot.text import fold
from messages import format_datetime, normalize_language, t
from storage import surveys as surveys_repo
from storage.dialogs import DialogState

if TYPE_CHECKING:
    from bot.services.surveys.model import Survey
    from bot.services.surveys.service import SurveyService

NEW = "newsurvey"
INDICATOR_PAGE = 20


# Where `geri` (back) leads from each step of /anket (the preview goes back to the last question).
_BACK_STEPS = {"indicators": "source", "deadline": "source", "anonymity": "deadline", "nudges": "preview",
               "preview": "anonymity"}


class NewSurveyFlow:
    kind = NEW
    cancelled_key = "dialog.draft_discarded"

    def __init__(self, service: SurveyService, conversation: Conversation) -> None:
        self._service = service
        self._conversation = conversation

    async def begin_command(self, ctx: Ctx, args: list[str]) -> Replies:
        state = first_state(ctx, self.kind, "source")
        await self._conversation.save(ctx, state)
        return [ctx.text("survey.new_intro"), await self._prompt(ctx, state)]

    async def _group(self, state: DialogState) -> Group:
        return await self._service.group(int(state.data["group_id"]))

    async def _prompt(self, ctx: Ctx, state: DialogState) -> Reply:
        step = state.step
        if step == "group":
            return await group_picker(ctx, NEW, "survey.new_ask_group", self._service.group)
        group = await self._group(state)
        if step == "source":
            async with self._service.db.read() as conn:
                templates = await content.templates_for_group(conn, group.id)
            codes = list(templates)
            state.data["templates"] = codes
            await self._conversation.save(ctx, state)
            buttons = [[Button(label=t("survey.template_label", ctx.lang, title=localized(form.title, ctx.lang),
                                       count=len(form.answerable)), choice=f"{NEW}:tpl:{index}")]
                       for index, form in enumerate(templates.values())]
            buttons.append([Button(label=t("survey.pick_indicators_button", ctx.lang), choice=f"{NEW}:ind")])
            return Reply(text=t("survey.new_ask_source", ctx.lang, group=group.name), buttons=buttons)
        if step == "indicators":
            async with self._service.db.read() as conn:
                indicators = await content.indicators_for_group(conn, group.id)
            codes = list(indicators)
            state.data["indicator_codes"] = codes
            await self._conversation.save(ctx, state)
            picked = set(state.data.get("picked") or [])
            buttons = [[Button(label=("☑️ " if code in picked else "⬜ ") + f"{code} {localized(ind.name, ctx.lang)}"[:56],
                               choice=f"{NEW}:tog:{index}")] for index, (code, ind) in enumerate(indicators.items())]
            buttons.append([Button(label=t("survey.done_button", ctx.lang), choice=f"{NEW}:inddone")])
            return Reply(text=t("survey.new_ask_indicators", ctx.lang), buttons=buttons,
                         edit_of=state.data.pop("edit_of", None))  # type: ignore[arg-type]
        if step == "deadline":
            return Reply(text=t("survey.new_ask_deadline", ctx.lang, zone=zone_name(group.timezone, ctx.lang),
                                example=example_text(ctx.now, ZoneInfo(group.timezone))))
        if step == "anonymity":
            return Reply(text=t("survey.new_ask_anonymity", ctx.lang), buttons=[
                [Button(label=t("survey.named_button", ctx.lang), choice=f"{NEW}:anon:0")],
                [Button(label=t("survey.anonymous_button", ctx.lang), choice=f"{NEW}:anon:1")]])
        if step == "nudges":
            return Reply(text=t("survey.ask_nudges", ctx.lang, nudges=nudges.describe(_nudge_hours(state), ctx.lang)))
        return await self._preview(ctx, state)

    def _form(self, state: DialogState) -> SurveyForm:
        return SurveyForm.model_validate(state.data["form"])

    async def _preview(self, ctx: Ctx, state: DialogState) -> Reply:
        group = await self._group(state)
        form = self._form(state)
        deadline = datetime.fromisoformat(str(state.data["deadline"]))
        questions = "\n".join(f"{n}. {localized(q.label, ctx.lang)}" for n, q in enumerate(form.answerable, start=1))
        text = t("survey.preview", ctx.lang, title=localized(form.title, ctx.lang), group=group.name,
                 deadline=_deadline_shown(deadline, ctx.lang, group.timezone, bool(state.data.get("deadline_read"))),
                 questions=questions,
                 anonymous=t("survey.anonymous_short" if state.data.get("anonymous") else "survey.named_short", ctx.lang))
        hours = _nudge_hours(state)
        text = "\n".join([text, t("survey.nudges_line", ctx.lang, nudges=nudges.describe(hours, ctx.lang)),
                          *nudges.dropped_notes(hours, deadline, ctx.now, ctx.lang)])
        return Reply(text=text, buttons=[
            [Button(label=t("survey.send_button", ctx.lang), choice=f"{NEW}:send")],
            [Button(label=t("survey.change_deadline_button", ctx.lang), choice=f"{NEW}:redeadline"),
             Button(label=t("survey.change_nudges_button", ctx.lang), choice=f"{NEW}:renudge")],
            [Button(label=t("survey.abort_button", ctx.lang), choice=f"{NEW}:abort")]])

    async def _to(self, ctx: Ctx, state: DialogState, step: str) -> Replies:
        state.step = step
        await self._conversation.save(ctx, state)
        return [await self._prompt(ctx, state)]

    async def on_text(self, ctx: Ctx, state: DialogState, text: str) -> Replies:
        back = _BACK_STEPS.get(state.step)
        if back is not None and fold(text).strip(" .!") in BACK_WORDS:  # `geri`, as in every dialog
            if back == "source" and state.data.get("picked"):
                back = "indicators"
            return await self._to(ctx, state, back)
        if state.step == "deadline":
            group = await self._group(state)
            zone = ZoneInfo(group.timezone)
            try:
                deadline = read_deadline(text, zone, ctx.now, ctx.lang)
            except InvalidAnswer as error:  # one message: what was wrong, then the question
                prompt = await self._prompt(ctx, state)
                return [Reply(text=t(error.key, ctx.lang, **error.params) + "\n\n" + prompt.text, buttons=prompt.buttons)]
            state.data["deadline"] = deadline.isoformat()
            # `yarın 17:00`, `cuma`: the preview names the weekday too, so the reading can be checked.
            state.data["deadline_read"] = dates.parse_when(text, zone, ctx.now, ctx.lang).needs_confirmation
            return await self._to(ctx, state, "preview" if state.data.pop("editing", False) else "anonymity")
        if state.step == "preview" and dates.names_a_day(text):  # a newly typed deadline replaces it
            group = await self._group(state)
            zone = ZoneInfo(group.timezone)
            try:
                deadline = read_deadline(text, zone, ctx.now, ctx.lang)
            except InvalidAnswer as error:
                preview = await self._prompt(ctx, state)
                return [Reply(text=t(error.key, ctx.lang, **error.params) + "\n\n" + preview.text,
                              buttons=preview.buttons)]
            state.data["deadline"] = deadline.isoformat()
            state.data["deadline_read"] = True  # the preview names the weekday: the new reading is checked
            return await self._to(ctx, state, "preview")
        if state.step == "nudges":
            try:
                state.data["nudge_hours"] = list(nudges.parse_nudge_times(text))
            except InvalidAnswer as error:
                return [Reply(text=t(error.key, ctx.lang, **error.params))]
            return await self._to(ctx, state, "preview")
        if state.step == "anonymity":
            word = fold(text)
            if word in ("anonim", "anonymous", "isimsiz"):
                state.data["anonymous"] = True
                return await self._to(ctx, state, "preview")
            if word in ("isimli", "named", "acik"):
                state.data["anonymous"] = False
                return await self._to(ctx, state, "preview")
        return [ctx.text("survey.use_buttons"), await self._prompt(ctx, state)]

    async def on_choice(self, ctx: Ctx, state: DialogState, parts: list[str]) -> Replies:
        action = parts[0] if parts else ""
        argument = parts[1] if len(parts) > 1 and parts[1].isdigit() else None
        if action == "abort":
            return await self._conversation.cancel(ctx)
        if action == "group" and state.step == "group" and argument is not None:
            if ctx.roles.get(int(argument)) is not Role.COORDINATOR:
                return [ctx.text("error.stale_button")]
            state.data["group_id"] = int(argument)
            return await self._to(ctx, state, "source")
        if action == "tpl" and state.step == "source" and argument is not None:
            codes = list(state.data.get("templates") or [])
            if int(argument) >= len(codes):
                return [ctx.text("error.stale_button")]
            async with self._service.db.read() as conn:
                templates = await content.templates_for_group(conn, int(state.data["group_id"]))
            form = templates.get(codes[int(argument)])
            if form is None:
                return [ctx.text("error.stale_button")]
            state.data["form"] = form.model_dump(mode="json")
            state.data["template"] = form.code
            return await self._to(ctx, state, "deadline")
        if action == "ind" and state.step == "source":
            return await self._to(ctx, state, "indicators")
        if action == "tog" and state.step == "indicators" and argument is not None:
            codes = list(state.data.get("indicator_codes") or [])
            if int(argument) >= len(codes):
                return [ctx.text("error.stale_button")]
            picked = list(state.data.get("picked") or [])
            code = codes[int(argument)]
            state.data["picked"] = [c for c in picked if c != code] if code in picked else [*picked, code]
            state.data["edit_of"] = ctx.actor.source_message_id
            return [await self._prompt(ctx, state)]
        if action == "inddone" and state.step == "indicators":
            picked = list(state.data.get("picked") or [])
            if not picked:
                return [ctx.text("survey.pick_at_least_one"), await self._prompt(ctx, state)]
            async with self._service.db.read() as conn:
                indicators = await content.indicators_for_group(conn, int(state.data["group_id"]))
            order = list(indicators)
            picked.sort(key=order.index)
            form = content.form_from_indicators(picked, indicators, title={
                "tr": t("survey.indicator_form_title", "tr"), "en": t("survey.indicator_form_title", "en")})
            state.data["form"] = form.model_dump(mode="json")
            state.data["template"] = None
            return await self._to(ctx, state, "deadline")
        if action == "anon" and state.step == "anonymity" and argument in ("0", "1"):
            state.data["anonymous"] = argument == "1"
            return await self._to(ctx, state, "preview")
        if action == "redeadline" and state.step == "preview":
            state.data["editing"] = True
            return await self._to(ctx, state, "deadline")
        if action == "renudge" and state.step == "preview":
            return await self._to(ctx, state, "nudges")
        if action == "send" and state.step == "preview":
            return await self._send(ctx, state)
        return [ctx.text("error.stale_button")]

    async def _send(self, ctx: Ctx, state: DialogState) -> Replies:
        group = await self._group(state)
        self._service.require_coordinator(ctx, group.id)
        deadline = datetime.fromisoformat(str(state.data["deadline"]))
        if deadline <= ctx.now + timedelta(minutes=5):  # the preview waited too long
            state.data["editing"] = True
            return [ctx.text("survey.deadline_passed")] + await self._to(ctx, state, "deadline")
        member = ctx.require_member()
        form = self._form(state)
        survey = await self._service.send(group_id=group.id, form=form, deadline=deadline,
                                          anonymous=bool(state.data.get("anonymous")), created_by=member.id,
                                          template=state.data.get("template"),  # type: ignore[arg-type]
                                          nudge_hours=tuple(_nudge_hours(state)))
        await self._conversation.end(ctx)
        async with self._service.db.read() as conn:
            count = len(await surveys_repo.recipients(conn, survey.id))
        return [ctx.text("survey.sent", title=localized(form.title, ctx.lang), group=group.name, count=count)]


def _nudge_hours(state: DialogState) -> list[int]:
    hours = state.data.get("nudge_hours")
    return [int(h) for h in hours] if isinstance(hours, list) else list(DEFAULT_NUDGE_HOURS)


async def _dialog_survey(service: SurveyService, conversation: Conversation, ctx: Ctx,
                         state: DialogState) -> Survey | None:
    """The survey a one-question coordinator dialog is about (`survey_id`), checked to be of a
    group she coordinates (NotAuthorized otherwise); None, with the dialog ended, once it is gone."""
    survey = await service.survey(int(state.data["survey_id"]))
    if survey is None:
        await conversation.end(ctx)
        return None
    service.require_coordinator(ctx, survey.group_id)
    return survey


class ExtendFlow:
    """One question: the survey's new deadline."""

    kind = "svext"
    cancelled_key = "dialog.nothing_changed"

    def __init__(self, service: SurveyService, conversation: Conversation) -> None:
        self._service = service
        self._conversation = conversation

    async def begin(self, ctx: Ctx, survey: Survey, group: Group) -> Replies:
        await self._conversation.save(ctx, DialogState(self.kind, "deadline", {"survey_id": survey.id}))
        return [ctx.text("survey.ask_new_deadline", title=await self._service.title(survey, ctx.lang),
                         deadline=format_datetime(survey.deadline, ctx.lang, group.timezone),
                         example=example_text(ctx.now, ZoneInfo(group.timezone)))]

    async def on_text(self, ctx: Ctx, state: DialogState, text: str) -> Replies:
        survey = await _dialog_survey(self._service, self._conversation, ctx, state)
        if survey is None:
            return [ctx.text("error.not_found")]
        group = await self._service.group(survey.group_id)
        zone = ZoneInfo(group.timezone)
        try:
            deadline = read_deadline(text, zone, ctx.now, ctx.lang)
        except InvalidAnswer as error:
            return [Reply(text=t(error.key, ctx.lang, **error.params))]
        moved = await self._service.extend(survey, deadline)
        await self._conversation.end(ctx)
        return [ctx.text("survey.extended", title=await self._service.title(moved, ctx.lang),
                         deadline=format_datetime(deadline, ctx.lang, group.timezone))]

    async def on_choice(self, ctx: Ctx, state: DialogState, parts: list[str]) -> Replies:
        return [ctx.text("error.stale_button")]


class NudgeTimesFlow:
    """One question, from the coordinator's survey card: the open survey's new nudge times
    (`5 gün, 1 gün`, `yok`). The reminders are re-armed by the engine a deadline extension
    uses (`SurveyService.set_nudges`); times already past are named and not sent."""

    kind = "svnudge"
    cancelled_key = "dialog.nothing_changed"

    def __init__(self, service: SurveyService, conversation: Conversation) -> None:
        self._service = service
        self._conversation = conversation

    async def begin(self, ctx: Ctx, survey: Survey, group: Group) -> Replies:
        await self._conversation.save(ctx, DialogState(self.kind, "nudges", {"survey_id": survey.id}))
        return [ctx.text("survey.ask_nudges_for", title=await self._service.title(survey, ctx.lang),
                         deadline=format_datetime(survey.deadline, ctx.lang, group.timezone),
                         nudges=nudges.describe(survey.nudge_hours, ctx.lang))]

    async def on_text(self, ctx: Ctx, state: DialogState, text: str) -> Replies:
        survey = await _dialog_survey(self._service, self._conversation, ctx, state)
        if survey is None:
            return [ctx.text("error.not_found")]
        if not survey.is_open:
            await self._conversation.end(ctx)
            return [ctx.text("survey.already_closed")]
        try:
            hours = nudges.parse_nudge_times(text)
        except InvalidAnswer as error:
            return [Reply(text=t(error.key, ctx.lang, **error.params))]
        changed = await self._service.set_nudges(survey, hours)
        await self._conversation.end(ctx)
        title = await self._service.title(changed, ctx.lang)
        lines = [t("survey.nudges_saved", ctx.lang, title=title, nudges=nudges.describe(hours, ctx.lang)) if hours
                 else t("survey.nudges_saved_none", ctx.lang, title=title),
                 *nudges.dropped_notes(hours, changed.deadline, ctx.now, ctx.lang)]
        return [Reply(text="\n".join(lines))]

    async def on_choice(self, ctx: Ctx, state: DialogState, parts: list[str]) -> Replies:
        return [ctx.text("error.stale_button")]


def _deadline_shown(deadline: datetime, lang: str, zone: str, with_weekday: bool) -> str:
    """`12.12.2026 17:00`, or `Cumartesi, 12.12.2026 17:00` when the typed date was not
    literal (a relative word, a weekday, a left-out year), as meetings echo theirs."""
    shown = format_datetime(deadline, lang, zone)
    if not with_weekday:
        return shown
    weekday = format_date(deadline.astimezone(ZoneInfo(zone)), "EEEE", locale=normalize_language(lang))
    return f"{weekday}, {shown}"

