"""`/sonuclar` (`/results`) for coordinators and the `results:<survey_id>` choice.

A coordinator picks a survey of a group she coordinates (or the closing message's button
names it) and gets, in as few messages as will hold it (every WhatsApp message is billed):
the response rate and per-question summaries with plan-versus-actual as text, the chart as a
photo and the XLSX as a document; the CSV and the cross-city comparison are one tap away.

Choice ids (`results:<id>`, `results:<id>:csv`, `results:<id>:cmp`) are input, never proof:
the survey is looked up and its group must be one she coordinates now, otherwise she gets
the polite stale-button answer; a coordinator never sees another group's rows. Files and
the chart are built in a worker thread (a 2,000-response XLSX takes a few tenths of a second),
so other people's taps are answered meanwhile.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from bot.errors import NotFound
from bot.models import Attachment, Button, Reply
from bot.services.conversation import CommandSpec, Conversation, Ctx, Replies
from bot.text import ascii_digits
from bot.services.surveys import model
from bot.services.surveys.charts import render_png
from bot.services.surveys.exports import (
    CSV_MIME,
    XLSX_MIME,
    export_filename,
    template_filename,
    survey_csv,
    survey_xlsx,
    template_xlsx,
)
from bot.services.surveys.result_views import load_view, titled
from bot.services.surveys.series import IndicatorSeries, indicator_series
from bot.services.surveys.results import (
    MINIMUM_ANONYMOUS_RESPONSES,
    SurveyResults,
    SurveyView,
    response_rate,
    summarize,
)
from bot.services.surveys.results_text import results_text
from bot.services.surveys.results_text import format_date
from messages import t
from storage import groups as groups_repo
from storage import surveys as surveys_repo
from storage.db import Database

LIST_LIMIT = 8


ROUNDS_SHOWN = 12  # rounds in a series: six years of six-monthly reports


class SurveyResultsService:
    """Results for coordinators, in chat and as files; also the API the CLI uses."""

    def __init__(self, db: Database, now: Callable[[], datetime], *,
                 minimum_responses: int = MINIMUM_ANONYMOUS_RESPONSES) -> None:
        self._db = db
        self._now = now
        self.minimum_responses = minimum_responses

    def register(self, conversation: Conversation) -> None:
        conversation.add_command(CommandSpec("results", self.command, aliases=("sonuclar",),
                                             coordinator_only=True, order=46))
        conversation.add_choice("results", self.on_choice)

    # -- the API (CLI, tests, benchmark) ------------------------------------------------
    async def view(self, survey_id: int) -> SurveyView:
        """The survey's result view; `NotFound` when there is no such survey."""
        async with self._db.read() as conn:
            survey = await surveys_repo.get_survey(conn, survey_id)
            if survey is None:
                raise NotFound()
            return await load_view(conn, survey)

    def summarize(self, view: SurveyView, lang: str | None = None) -> SurveyResults:
        return summarize(view, lang=lang, minimum_responses=self.minimum_responses)

    def xlsx(self, view: SurveyView, lang: str | None = None, series: list[IndicatorSeries] | None = None) -> bytes:
        return survey_xlsx(view, lang=lang, results=self.summarize(view, lang), series=series)

    async def rounds(self, view: SurveyView, *, limit: int = ROUNDS_SHOWN) -> list[SurveyView]:
        """The rounds of `view`'s template in its group up to and including it (deadline
        order, oldest first, at most `limit`): what the series is drawn from."""
        async with self._db.read() as conn:
            surveys = [survey for survey in await surveys_repo.surveys_for_groups(conn, [view.group_id], limit=10_000)
                       if survey.template is not None and survey.template == view.template
                       and survey.kind == model.SurveyKind.SURVEY
                       and (view.closes_at is None or survey.deadline <= view.closes_at)]
            surveys.sort(key=lambda survey: (survey.deadline, survey.id))
            chosen = surveys[-limit:]
            if not any(survey.id == view.id for survey in chosen):
                return [view]
            return [view if survey.id == view.id else await load_view(conn, survey) for survey in chosen]

    async def series(self, view: SurveyView) -> list[IndicatorSeries]:
        """Each indicator's value round by round, with its target line and baseline; empty
        when the survey is the template's first round in the group (nothing to draw yet)."""
        rounds = await self.rounds(view)
        if len(rounds) < 2:
            return []
        return [line for line in indicator_series(rounds, minimum_responses=self.minimum_responses)
                if len(line.reported) >= 1]

    def csv(self, view: SurveyView, lang: str | None = None) -> bytes:
        return survey_csv(view, lang=lang, minimum_responses=self.minimum_responses)

    async def template_views(self, template: str, group_ids: list[int] | None = None) -> list[SurveyView]:
        """The latest survey of `template` per group (all groups, or those given), by group."""
        async with self._db.read() as conn:
            if group_ids is None:
                group_ids = [group.id for group in await groups_repo.all_groups(conn)]
            latest: dict[int, model.Survey] = {}
            for survey in await surveys_repo.surveys_for_groups(conn, group_ids, limit=10_000):
                if survey.template == template and survey.group_id not in latest:
                    latest[survey.group_id] = survey
            return [await load_view(conn, latest[group_id]) for group_id in sorted(latest)]

    def template_xlsx(self, views: list[SurveyView], lang: str) -> bytes:
        return template_xlsx(views, lang=lang)

    # -- chat ---------------------------------------------------------------------------
    async def command(self, ctx: Ctx, args: list[str]) -> Replies:
        """List the surveys of her groups (or show the one named: `/sonuclar 12`)."""
        if args and ascii_digits(args[0]).lstrip("#").isdigit():
            return await self._show(ctx, await self._own_survey(ctx, ascii_digits(args[0]).lstrip("#")))
        async with self._db.read() as conn:
            surveys = await surveys_repo.surveys_for_groups(conn, ctx.coordinated_groups(), limit=LIST_LIMIT)
            if not surveys:
                return [ctx.text("survey_results.no_surveys")]
            if len(surveys) == 1:
                return await self._show(ctx, surveys[0])
            buttons = [[Button(label=await self._label(conn, ctx, survey), choice=f"results:{survey.id}")]
                       for survey in surveys]
        return [Reply(text=t("survey_results.pick_survey", ctx.lang), buttons=buttons)]

    async def on_choice(self, ctx: Ctx, parts: list[str]) -> Replies:
        """`results:<id>` shows, `results:<id>:csv` sends the CSV, `results:<id>:cmp` compares."""
        if not parts or not parts[0].isdigit() or len(parts) > 2:
            return [ctx.text("error.stale_button")]
        try:
            survey = await self._own_survey(ctx, parts[0])
        except NotFound:
            return [ctx.text("error.stale_button")]
        action = parts[1] if len(parts) == 2 else ""
        if action == "":
            return await self._show(ctx, survey)
        if action == "csv":
            return await self._csv(ctx, survey)
        if action == "cmp":
            return await self._compare(ctx, survey)
        return [ctx.text("error.stale_button")]

    async def _own_survey(self, ctx: Ctx, part: str) -> model.Survey:
        """The survey, if it belongs to a group she coordinates (else `NotFound`)."""
        async with self._db.read() as conn:
            survey = await surveys_repo.get_survey(conn, int(part))
        if survey is None or survey.group_id not in ctx.coordinated_groups():
            raise NotFound()
        return survey

    async def _label(self, conn, ctx: Ctx, survey: model.Survey) -> str:  # type: ignore[no-untyped-def]
        title = await titled(conn, survey, ctx.lang)
        group = await groups_repo.get(conn, survey.group_id)
        day = format_date(survey.deadline, ctx.lang, group.timezone if group else "Europe/Istanbul")
        status = "🟢" if survey.is_open else "⚪"
        label = f"{status} {title} · {day}"
        return label if len(label) <= 60 else label[:59] + "…"

    async def _show(self, ctx: Ctx, survey: model.Survey) -> Replies:
        async with self._db.read() as conn:
            view = await load_view(conn, survey)
        results = self.summarize(view, ctx.lang)
        series = [] if results.withheld else await self.series(view)
        if not view.responses:  # no empty spreadsheet, no empty chart: say so
            return [Reply(text=results_text(results, survey, ctx.lang, series=series))]
        buttons = [] if results.withheld else [[Button(label=t("survey_results.csv_button", ctx.lang),
                                                       choice=f"results:{survey.id}:csv")]]
        if len(ctx.coordinated_groups()) > 1 and await self._comparable(ctx, survey):
            buttons.append([Button(label=t("survey_results.compare_button", ctx.lang),
                                   choice=f"results:{survey.id}:cmp")])
        replies = [Reply(text=results_text(results, survey, ctx.lang, series=series), buttons=buttons)]
        if results.withheld:
            return replies
        png = await render_png(results, ctx.lang)
        if png is not None:
            replies.append(Reply(text=t("survey_results.chart_caption", ctx.lang, title=view.title_in(ctx.lang)),
                                 attachment=Attachment(kind="photo", filename=f"survey-{survey.id}.png",
                                                       content=png, mime_type="image/png")))
        replies.append(Reply(text=t("survey_results.xlsx_caption", ctx.lang, title=view.title_in(ctx.lang)),
                             attachment=Attachment(kind="document", filename=export_filename(view, "xlsx"),
                                                   content=await asyncio.to_thread(self.xlsx, view, None, series),
                                                   mime_type=XLSX_MIME)))
        return replies

    async def _csv(self, ctx: Ctx, survey: model.Survey) -> Replies:
        async with self._db.read() as conn:
            view = await load_view(conn, survey)
        return [Reply(text=t("survey_results.csv_caption", ctx.lang, title=view.title_in(ctx.lang)),
                      attachment=Attachment(kind="document", filename=export_filename(view, "csv"),
                                            content=await asyncio.to_thread(self.csv, view), mime_type=CSV_MIME))]

    async def _comparable(self, ctx: Ctx, survey: model.Survey) -> bool:
        if survey.template is None:
            return False
        async with self._db.read() as conn:
            others = await surveys_repo.surveys_for_groups(conn, [g for g in ctx.coordinated_groups()
                                                                  if g != survey.group_id], limit=200)
        return any(other.template == survey.template for other in others)

    async def _compare(self, ctx: Ctx, survey: model.Survey) -> Replies:
        """The same template in every group she coordinates (and only those), side by side."""
        if survey.template is None:
            return [ctx.text("error.stale_button")]
        views = await self.template_views(survey.template, ctx.coordinated_groups())
        lines = [t("survey_results.compare_heading", ctx.lang, template=views[0].title_in(ctx.lang) if views else survey.template)]
        for view in views:
            lines.append(t("survey_results.compare_group", ctx.lang, group=view.group_name,
                           responded=response_rate(view).responded,
                           invited=response_rate(view).invited))
        content = await asyncio.to_thread(self.template_xlsx, views, ctx.lang)
        return [Reply(text="\n".join(lines)),
                Reply(text=t("survey_results.compare_caption", ctx.lang, template=survey.template),
                      attachment=Attachment(kind="document", filename=template_filename(survey.template),
                                            content=content, mime_type=XLSX_MIME))]
