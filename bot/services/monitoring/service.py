"""`/rapor` (`/report`) for coordinators: the group's monitoring or evaluation report for a
period, its reasons for deviations gathered in one dialog, the Word and Excel files, the
adoption, and the cross-city comparison; also the API the CLI uses.

Choice ids (`report:<group>`, `report:<group>:<period>[:docx|xlsx|reasons|adopt|adopt_y|adopt_n|cmp]`)
are input, never proof: the group must be one she coordinates now, else the polite
stale-button answer. Files are built in a worker thread.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.errors import InvalidAnswer, NotFound
from bot.models import Attachment, Button, Group, Reply
from bot.services.conversation import CommandSpec, Conversation, Ctx, Replies
from bot.services.monitoring import documents, render, source
from bot.services.monitoring.figures import NEEDS_REASON, Thresholds
from bot.services.monitoring.periods import BadPeriod, Period, current_periods
from bot.services.monitoring.source import ReportData
from bot.services.surveys.model import SurveyForm
from bot.text import clean_text, fold
from messages import t
from storage import groups as groups_repo
from storage import monitoring as monitoring_repo
from storage import surveys as surveys_repo
from storage.db import Database
from storage.dialogs import DialogState

REASON_LIMIT = 500
SHARE_SETTING = "share_monitoring"
YEARS_BACK = 20  # reports reach back this many years (as the milestone exports do)


def period_refusal(period: Period, today: date) -> str | None:
    """The message key when a report for `period` cannot be made on `today`: a period that
    has not begun (`monitoring.future_period`) or one more than `YEARS_BACK` years ago."""
    if period.start > today:
        return "monitoring.future_period"
    if period.year < today.year - YEARS_BACK:
        return "monitoring.old_period"
    return None
ASK_DAYS = 7  # the group's one-question survey on a deviation is open this long
SKIP_WORDS = frozenset({"-", "atla", "gec", "skip", "pass", "yok"})
ACTIONS = frozenset({"", "docx", "xlsx", "reasons", "adopt", "adopt_y", "adopt_n", "cmp"})


class MonitoringService:
    """The monitoring report for coordinators, in chat and for the CLI."""

    def __init__(self, db: Database, now: Callable[[], datetime], conversation: Conversation,
                 surveys: Any = None) -> None:
        self._db = db
        self._now = now
        self._conversation = conversation
        self._surveys = surveys  # SurveyService: "ask the group" sends a one-question survey
        self.reasons_flow = ReasonsFlow(self, conversation)

    def register(self, conversation: Conversation) -> None:
        conversation.add_command(CommandSpec("report", self.command, aliases=("rapor",),
                                             coordinator_only=True, order=47))
        conversation.add_choice("report", self.on_choice)
        conversation.add_flow(self.reasons_flow)

    # -- the API (CLI, tests, benchmark) ------------------------------------------------
    async def data(self, group_id: int, period: Period) -> ReportData:
        """The group's report data; `NotFound` when there is no such group."""
        async with self._db.read() as conn:
            group = await groups_repo.get(conn, group_id)
            if group is None:
                raise NotFound()
            return await source.load(conn, group, period, self._now())

    async def docx(self, data: ReportData, lang: str | None = None) -> bytes:
        today = self._now().astimezone(ZoneInfo(data.group.timezone)).date()
        return await asyncio.to_thread(documents.report_docx, data, lang or data.group.language, today)

    async def xlsx(self, data: ReportData, lang: str | None = None) -> bytes:
        return await asyncio.to_thread(documents.report_xlsx, data, lang or data.group.language)

    async def comparison(self, group_ids: list[int], period: Period, lang: str, *,
                         reports: dict[int, ReportData] | None = None) -> bytes:
        """The cross-city comparison (.xlsx bytes) of `group_ids` for `period`. `reports`:
        report data the caller has just built for this period (group id → data), reused
        instead of read again; the other groups' data are read now."""
        known = reports or {}
        found = [known[group_id] if group_id in known and known[group_id].period == period
                 else await self.data(group_id, period) for group_id in group_ids]
        return await asyncio.to_thread(documents.comparison_xlsx, found, lang)

    async def set_thresholds(self, group_id: int, thresholds: Thresholds) -> None:
        async with self._db.transaction() as tx:
            group = await groups_repo.get(tx, group_id)
            if group is None:
                raise NotFound()
            settings = dict(group.settings)
            settings[source.THRESHOLDS_SETTING] = [thresholds.on_track, thresholds.at_risk]
            await groups_repo.update_settings(tx, group_id, settings)

    @property
    def can_ask(self) -> bool:
        return self._surveys is not None

    @staticmethod
    def ask_template(period: Period, code: str) -> str:
        """The template code of the group's one-question survey on a deviation."""
        return f"reason-{period.code}-{code}"

    async def ask_group(self, ctx: Ctx, data: ReportData, code: str) -> Reply:
        """Send the group a one-question survey (named, open `ASK_DAYS` days): what do you
        think is the reason for this deviation? Its answers come back in the reasons dialog."""
        item = next(r for r in data.rows if r.code == code)
        texts = {lang: {"indicator": render.indicator_name(data, code, lang), "rate": render.rate(item, lang)}
                 for lang in ("tr", "en")}
        form = SurveyForm.model_validate({
            "code": self.ask_template(data.period, code),
            "title": {lang: t("monitoring.ask_title", lang, **texts[lang]) for lang in texts},
            "questions": [{"name": "reason", "type": "text", "required": True,
                           "label": {lang: t("monitoring.poll_question", lang, group=data.group.name, **texts[lang])
                                     for lang in texts}}]})
        member = ctx.require_member()
        await self._surveys.send(group_id=data.group.id, form=form, deadline=ctx.now + timedelta(days=ASK_DAYS),
                                 anonymous=False, created_by=member.id, template=form.code, nudge_hours=(24,))
        return ctx.text("monitoring.asked_group")

    async def group_answers(self, group_id: int, period: Period, code: str) -> list[str]:
        """The group's answers to the one-question surveys on this deviation (texts only)."""
        template = self.ask_template(period, code)
        async with self._db.read() as conn:
            surveys = [s for s in await surveys_repo.surveys_for_groups(conn, [group_id], limit=200)
                       if s.template == template]
            answers: list[str] = []
            for survey in surveys:
                for response in await surveys_repo.responses(conn, survey.id, submitted_only=True):
                    answer = response.answers.get("reason")
                    if answer is not None and answer.value_text:
                        answers.append(answer.value_text)
        return answers

    async def missing_reasons(self, group_id: int, period: Period) -> list[str]:
        """Indicators at risk or off track in `period` without a reason yet (reminders, digest)."""
        return (await self.data(group_id, period)).missing_reasons

    # -- chat ---------------------------------------------------------------------------
    async def command(self, ctx: Ctx, args: list[str]) -> Replies:
        """`/rapor` picks the group and period; `/rapor 2027-H1` names the period."""
        groups = ctx.coordinated_groups()
        if not groups:
            return [ctx.text("monitoring.no_groups")]
        period = None
        if args:
            try:
                period = Period.parse(" ".join(args))
            except BadPeriod:
                return [ctx.text("monitoring.bad_period")]
            refused = period_refusal(period, ctx.now.date())
            if refused is not None:
                return [ctx.text(refused, first=ctx.now.year - YEARS_BACK, year=ctx.now.year)]
        if len(groups) > 1:
            buttons = []
            for group_id in groups:
                group = await self._group(group_id)
                suffix = f":{period.code}" if period else ""
                buttons.append([Button(label=f"{group.name} ({group.city})", choice=f"report:{group_id}{suffix}")])
            return [Reply(text=t("monitoring.pick_group", ctx.lang), buttons=buttons)]
        if period is None:
            return [await self._periods(ctx, groups[0])]
        return await self._card(ctx, groups[0], period)

    async def on_choice(self, ctx: Ctx, parts: list[str]) -> Replies:
        if not parts or not parts[0].isdigit() or len(parts) > 3:
            return [ctx.text("error.stale_button")]
        group_id = int(parts[0])
        if group_id not in ctx.coordinated_groups():
            return [ctx.text("error.stale_button")]
        if len(parts) == 1:
            return [await self._periods(ctx, group_id)]
        try:
            period = Period.parse(parts[1])
        except BadPeriod:
            return [ctx.text("error.stale_button")]
        action = parts[2] if len(parts) == 3 else ""
        if action not in ACTIONS or period_refusal(period, ctx.now.date()) is not None:
            return [ctx.text("error.stale_button")]
        if action == "":
            return await self._card(ctx, group_id, period)
        data = await self.data(group_id, period)
        if action == "docx":
            return [await self._docx_reply(ctx, data)]
        if action == "xlsx":
            return [Reply(text=t("monitoring.xlsx_caption", ctx.lang, title=period.title(ctx.lang), group=data.group.name),
                          attachment=Attachment(kind="document", filename=documents.filename(data, "xlsx"),
                                                content=await self.xlsx(data, ctx.lang), mime_type=documents.XLSX_MIME))]
        if action == "reasons":
            return await self.reasons_flow.start(ctx, data)
        if action == "adopt":
            warning = (t("monitoring.adopt_missing", ctx.lang, count=len(data.missing_reasons),
                         codes=", ".join(data.missing_reasons)) + "\n" if data.missing_reasons else "")
            again = t("monitoring.adopt_again", ctx.lang) + "\n" if data.adopted_at is not None else ""
            return [Reply(text=warning + again + t("monitoring.adopt_confirm", ctx.lang), buttons=[
                [Button(label=t("monitoring.adopt_yes", ctx.lang), choice=f"report:{group_id}:{period.code}:adopt_y")],
                [Button(label=t("monitoring.adopt_no", ctx.lang), choice=f"report:{group_id}:{period.code}:adopt_n")]])]
        if action == "adopt_n":
            return [ctx.text("monitoring.adopt_cancelled")]
        if action == "adopt_y":
            return await self._adopt(ctx, data)
        return await self._compare(ctx, period)

    async def _group(self, group_id: int) -> Group:
        async with self._db.read() as conn:
            group = await groups_repo.get(conn, group_id)
        if group is None:
            raise NotFound()
        return group

    async def _periods(self, ctx: Ctx, group_id: int) -> Reply:
        group = await self._group(group_id)
        today = ctx.now.astimezone(ZoneInfo(group.timezone)).date()
        buttons = [[Button(label=period.title(ctx.lang), choice=f"report:{group_id}:{period.code}")]
                   for period in current_periods(today)]
        return Reply(text=t("monitoring.pick_period", ctx.lang, group=group.name), buttons=buttons)

    async def _card(self, ctx: Ctx, group_id: int, period: Period) -> Replies:
        data = await self.data(group_id, period)
        today = ctx.now.astimezone(ZoneInfo(data.group.timezone)).date()
        prefix = f"report:{group_id}:{period.code}"
        buttons = []
        if any(item.status in NEEDS_REASON for item in data.rows):
            buttons.append([Button(label=t("monitoring.button_reasons", ctx.lang), choice=f"{prefix}:reasons")])
        buttons.append([Button(label=t("monitoring.button_docx", ctx.lang), choice=f"{prefix}:docx"),
                        Button(label=t("monitoring.button_xlsx", ctx.lang), choice=f"{prefix}:xlsx")])
        # Adopted: a changed reason reaches the kept report only when it is adopted again.
        adopt_label = "monitoring.button_adopt" if data.adopted_at is None else "monitoring.button_readopt"
        buttons.append([Button(label=t(adopt_label, ctx.lang), choice=f"{prefix}:adopt")])
        if len(await self.comparable_groups(ctx)) > 1:
            buttons.append([Button(label=t("monitoring.button_compare", ctx.lang), choice=f"{prefix}:cmp")])
        return [Reply(text=render.card_text(data, ctx.lang, today), buttons=buttons)]

    async def _docx_reply(self, ctx: Ctx, data: ReportData) -> Reply:
        title = data.period.title(ctx.lang)
        if data.adopted_at is not None:  # the adopted one, as it was adopted
            async with self._db.read() as conn:
                kept = await monitoring_repo.adopted(conn, data.group.id, data.period.code)
            if kept is not None:
                day = render.day(kept.adopted_at, ctx.lang, data.group.timezone)
                return Reply(text=t("monitoring.adopted_caption", ctx.lang, title=title, group=data.group.name, day=day),
                             attachment=Attachment(kind="document", filename=kept.filename, content=kept.content,
                                                   mime_type=documents.DOCX_MIME))
        state = t("monitoring.state_draft_word", ctx.lang)
        return Reply(text=t("monitoring.docx_caption", ctx.lang, title=title, group=data.group.name, state=state),
                     attachment=Attachment(kind="document", filename=documents.filename(data, "docx"),
                                           content=await self.docx(data, ctx.lang), mime_type=documents.DOCX_MIME))

    async def _adopt(self, ctx: Ctx, data: ReportData) -> Replies:
        """Keep the report as adopted today, in the group's language, and send it."""
        now = ctx.now
        data.adopted_at = now
        content = await self.docx(data, data.group.language)
        async with self._db.transaction() as tx:
            await monitoring_repo.adopt(tx, data.group.id, data.period.code, data.group.language,
                                        documents.filename(data, "docx"), content, now)
        day = render.day(now, ctx.lang, data.group.timezone)
        return [Reply(text=t("monitoring.adopted", ctx.lang, title=data.period.title(ctx.lang), day=day),
                      attachment=Attachment(kind="document", filename=documents.filename(data, "docx"),
                                            content=content, mime_type=documents.DOCX_MIME))]

    async def comparable_groups(self, ctx: Ctx) -> list[int]:
        """Groups a coordinator may compare side by side: those she coordinates, and those that
        share their monitoring figures (`groups.settings.share_monitoring`, as co-planning's
        share_proposals); none for a member. Only aggregated figures are compared."""
        mine = ctx.coordinated_groups()
        if not mine:
            return []
        async with self._db.read() as conn:
            shared = [g.id for g in await groups_repo.all_groups(conn) if g.settings.get(SHARE_SETTING)]
        return sorted(set(mine) | set(shared))

    async def set_sharing(self, group_id: int, share: bool) -> None:
        """Let (or stop letting) other groups' coordinators compare this group's figures."""
        async with self._db.transaction() as tx:
            group = await groups_repo.get(tx, group_id)
            if group is None:
                raise NotFound()
            settings = {k: v for k, v in group.settings.items() if k != SHARE_SETTING}
            if share:
                settings[SHARE_SETTING] = True
            await groups_repo.update_settings(tx, group_id, settings)

    async def _compare(self, ctx: Ctx, period: Period) -> Replies:
        groups = await self.comparable_groups(ctx)
        if len(groups) < 2:
            return [ctx.text("monitoring.compare_none")]
        content = await self.comparison(sorted(groups), period, ctx.lang)
        return [Reply(text=t("monitoring.compare_caption", ctx.lang, period=period.label(ctx.lang)),
                      attachment=Attachment(kind="document", filename=f"compare-{period.code}.xlsx",
                                            content=content, mime_type=documents.XLSX_MIME))]


class ReasonsFlow:
    """The coordinator's one dialog for the reasons: per indicator at risk or off track, the
    reason for the deviation, then the group's recommendation (typed, skippable with «atla»,
    resumable: the state is in `dialogs`)."""

    kind = "reasons"

    def __init__(self, service: MonitoringService, conversation: Conversation) -> None:
        self._service = service
        self._conversation = conversation

    async def start(self, ctx: Ctx, data: ReportData) -> Replies:
        codes = [item.code for item in data.rows if item.status in NEEDS_REASON]
        if not codes:
            return [ctx.text("monitoring.reasons_none")]
        # Those without a reason first, then the rest (to read or change)
        codes.sort(key=lambda code: code not in data.missing_reasons)
        state = DialogState(self.kind, "reason", {"group_id": data.group.id, "period": data.period.code,
                                                  "codes": codes, "index": 0, "saved": 0})
        await self._conversation.save(ctx, state)
        return [await self._question(ctx, state, data)]

    async def expects(self, ctx: Ctx, state: DialogState) -> str | None:
        return t("monitoring.reasons_expects", ctx.lang)

    async def on_text(self, ctx: Ctx, state: DialogState, text: str) -> Replies:
        group_id = int(state.data["group_id"])
        if group_id not in ctx.coordinated_groups():
            await self._conversation.end(ctx)
            return [ctx.text("error.stale_button")]
        period = Period.parse(str(state.data["period"]))
        codes = list(state.data["codes"])  # type: ignore[call-overload]
        index = int(state.data["index"])  # type: ignore[call-overload]
        answer = clean_text(text, multiline=True)
        skipped = fold(answer) in SKIP_WORDS
        if not skipped:
            if len(answer) > REASON_LIMIT:
                raise InvalidAnswer("monitoring.reason_too_long", limit=REASON_LIMIT, length=len(answer))
            if sum(ch.isalpha() for ch in answer) < 3:  # `5`, `?`, `ok.`: not a reason yet
                raise InvalidAnswer("monitoring.reason_too_short")
            field = "reason" if state.step == "reason" else "recommendation"
            async with self._service._db.transaction() as tx:
                await monitoring_repo.save_reason(tx, group_id, codes[index], period.code, field=field,
                                                  text=answer, now=ctx.now)
            if field == "reason":
                state.data["saved"] = int(state.data.get("saved", 0)) + 1  # type: ignore[call-overload]
        if state.step == "reason":
            state.step = "recommendation"
            await self._conversation.save(ctx, state)
            return await self.resume(ctx, state)
        index += 1
        if index >= len(codes):
            await self._conversation.end(ctx)
            saved = int(state.data.get("saved", 0))  # type: ignore[call-overload]
            done = ctx.text("monitoring.reasons_done", saved=saved) if saved else ctx.text("monitoring.reasons_none_saved")
            return [done] + \
                await self._service._card(ctx, group_id, period)
        state.data["index"] = index
        state.step = "reason"
        await self._conversation.save(ctx, state)
        return [await self._question(ctx, state, await self._service.data(group_id, period))]

    async def on_choice(self, ctx: Ctx, state: DialogState, parts: list[str]) -> Replies:
        """`reasons:skip` as typing «atla»; `reasons:ask` sends the group a one-question survey
        on this deviation; `reasons:take` makes the group's answers the reason."""
        if parts == ["skip"]:
            return await self.on_text(ctx, state, "atla")
        group_id = int(state.data["group_id"])
        if parts not in (["ask"], ["take"]) or state.step != "reason" or group_id not in ctx.coordinated_groups():
            return [ctx.text("error.stale_button")]
        period = Period.parse(str(state.data["period"]))
        data = await self._service.data(group_id, period)
        code = list(state.data["codes"])[int(state.data["index"])]  # type: ignore[call-overload]
        if parts == ["ask"]:
            return [await self._service.ask_group(ctx, data, code), await self._question(ctx, state, data)]
        answers = await self._service.group_answers(group_id, period, code)
        if not answers:
            return [await self._question(ctx, state, data)]
        return await self.on_text(ctx, state, " · ".join(answers)[:REASON_LIMIT])

    async def resume(self, ctx: Ctx, state: DialogState) -> Replies:
        """The step's question again (after another command or an old button)."""
        if state.step == "recommendation":
            return [Reply(text=t("monitoring.recommendation_question", ctx.lang, limit=REASON_LIMIT),
                          buttons=[[Button(label=t("monitoring.skip_button", ctx.lang), choice="reasons:skip")]])]
        period = Period.parse(str(state.data["period"]))
        return [await self._question(ctx, state, await self._service.data(int(state.data["group_id"]), period))]

    async def _question(self, ctx: Ctx, state: DialogState, data: ReportData) -> Reply:
        codes = list(state.data["codes"])  # type: ignore[call-overload]
        index = int(state.data["index"])  # type: ignore[call-overload]
        item = next(r for r in data.rows if r.code == codes[index])
        given = data.reasons.get(item.code)
        current = t("monitoring.current_reason", ctx.lang, reason=given.reason) if given and given.reason else ""
        answers = await self._service.group_answers(data.group.id, data.period, item.code)
        if answers:
            current += t("monitoring.poll_answers", ctx.lang, answers=" · ".join(f"«{a}»" for a in answers)) + "\n"
        buttons = [[Button(label=t("monitoring.take_button", ctx.lang), choice="reasons:take")]] if answers else []
        if self._service.can_ask:
            buttons.append([Button(label=t("monitoring.ask_group_button", ctx.lang), choice="reasons:ask")])
        buttons.append([Button(label=t("monitoring.skip_button", ctx.lang), choice="reasons:skip")])
        return Reply(text=t("monitoring.reason_question", ctx.lang, indicator=render.indicator_name(data, item.code, ctx.lang),
                            position=index + 1, total=len(codes), actual=render.value(item, item.actual, ctx.lang),
                            target=render.value(item, item.target, ctx.lang), rate=render.rate(item, ctx.lang),
                            status=render.status(item, ctx.lang), current=current, limit=REASON_LIMIT),
                     buttons=buttons)
