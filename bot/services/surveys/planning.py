"""Surveys in the plan calendar and the weekly digest.

- The digest's surveys part: coordinators see each open survey of the group with its response
  rate and a "remind the rest" button; members see only that they have an open survey and its
  deadline (never a question or an answer: phones are shared).
- A milestone linked to a survey template (issue 11, item 4): its first reminder offers the
  coordinator "send the survey now, due on the milestone's date"; while such a survey is open,
  the milestone's member reminders go only to those who have not answered it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.models import Button, Group, Reply
from bot.services.conversation import Ctx, Replies
from bot.services.milestones.digest import DigestRequest, DigestSection
from bot.services.surveys import content
from bot.services.surveys.model import SurveyKind, SurveyStatus
from messages import format_datetime, t
from storage import surveys as repo
from storage.milestones import Milestone

if TYPE_CHECKING:
    from bot.services.surveys.service import SurveyService


def digest_part(surveys: SurveyService):  # type: ignore[no-untyped-def]
    """`part(request, group, full)` for `milestones.digest.add_part`."""
    async def part(request: DigestRequest, group: Group, full: bool) -> DigestSection | None:
        async with surveys.db.read() as conn:
            open_surveys = sorted((s for s in await repo.surveys_for_groups(conn, [group.id], status=SurveyStatus.OPEN)
                                   if s.kind == SurveyKind.SURVEY and s.deadline > request.now),
                                  key=lambda s: (s.deadline, s.id))  # the soonest first
            if not open_surveys:
                return None
            lines = [t("survey.digest_title", request.lang)]
            buttons: list[list[Button]] = []
            dues: list[str] = []  # each remind button's survey deadline, to tell them apart
            for survey in open_surveys:
                deadline = format_datetime(survey.deadline, request.lang, group.timezone)
                title = await surveys.title(survey, request.lang)
                if full:
                    recipients = await repo.recipients(conn, survey.id)
                    done = sum(1 for r in recipients if r.submitted_at is not None)
                    lines.append(t("survey.digest_line", request.lang, title=title, deadline=deadline,
                                   done=done, total=len(recipients)))
                    if done < len(recipients):
                        buttons.append([Button(label=t("survey.remind_button", request.lang),
                                               choice=f"svm:{survey.id}:remind")])
                        dues.append(f"{survey.deadline.astimezone(ZoneInfo(group.timezone)):%d.%m}")
                else:
                    mine = await repo.recipient(conn, survey.id, request.member.id)
                    if mine is not None and mine.submitted_at is None:
                        lines.append(t("survey.digest_member_line", request.lang, deadline=deadline))
        if len(lines) == 1:
            return None
        if len(buttons) > 1:  # several open surveys (maybe with one title): the button names its deadline
            buttons = [[Button(label=t("survey.remind_button_due", request.lang, due=due), choice=row[0].choice)]
                       for row, due in zip(buttons, dues, strict=True)]
        return DigestSection("\n".join(lines), buttons)

    return part


def unanswered_hook(surveys: SurveyService):  # type: ignore[no-untyped-def]
    """Member ids who have not finished the group's open survey from the milestone's template,
    or None when no such survey is open (then the whole group is reminded)."""
    async def hook(milestone: Milestone) -> list[int] | None:
        async with surveys.db.read() as conn:
            found = [s for s in await repo.surveys_for_groups(conn, [milestone.group_id], status=SurveyStatus.OPEN)
                     if s.template == milestone.survey_template_code]
            if not found:
                return None
            return await repo.unfinished_member_ids(conn, found[0].id)

    return hook


def send_survey_hook(surveys: SurveyService):  # type: ignore[no-untyped-def]
    """The coordinator's one tap: send the milestone's survey template to the group, due at the
    milestone's date (named; nudges as usual)."""
    async def hook(ctx: Ctx, milestone: Milestone) -> Replies:
        surveys.require_coordinator(ctx, milestone.group_id)
        code = milestone.survey_template_code
        async with surveys.db.read() as conn:
            forms = await content.templates_for_group(conn, milestone.group_id)
            already = [s for s in await repo.surveys_for_groups(conn, [milestone.group_id], status=SurveyStatus.OPEN)
                       if s.template == code]
        form = forms.get(code or "")
        if form is None:
            return [ctx.text("survey.milestone_no_template", code=code or "—")]
        if already:
            return [ctx.text("survey.milestone_already_open")]
        if milestone.due_at <= ctx.now:
            return [ctx.text("survey.milestone_due_passed")]
        member = ctx.require_member()
        survey = await surveys.send(group_id=milestone.group_id, form=form, deadline=milestone.due_at,
                                    anonymous=False, created_by=member.id, template=code)
        group = await surveys.group(milestone.group_id)
        return [Reply(text=t("survey.milestone_sent", ctx.lang, title=await surveys.title(survey, ctx.lang),
                             deadline=format_datetime(survey.deadline, ctx.lang, group.timezone)))]

    return hook
