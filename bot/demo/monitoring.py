"""The demo's earlier survey rounds (issue 22): each city group reported twice in the period
its coordinator would report on now, so `/rapor` shows a real series and a real deviation.

The rounds are written as they would have been stored then (closed, named, three members'
answers each). The city's first indicator climbs from about a third of the way to its target
to about 70 % of it, so it is "at risk" in the report; the others reach about 95 % (on track)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.demo.seed import DemoGroup
from bot.demo.surveys import BASELINE_YEAR, SurveySeeds, load_seeds
from bot.models import Role
from bot.services import Services
from bot.services.monitoring.periods import Period, current_periods
from bot.services.surveys.content import library
from bot.services.surveys.model import Answer
from storage import members as members_repo
from storage import surveys as surveys_repo

BEHIND = (0.35, 0.7)          # of the way from the baseline to the target, per round
ON_TRACK = (0.6, 0.95)
SPREAD = (-1.0, 0.0, 1.0)     # three members report around the same municipal figure


def report_period(today: date) -> Period:
    """The period the demo's earlier rounds report on: the last half-year whose report is
    due or done by `today` (`current_periods`' first)."""
    return current_periods(today)[0]


async def seed_earlier_rounds(services: Services, group: DemoGroup, seeds: SurveySeeds | None = None) -> int:
    """Two closed rounds of the city's template in the period the report would cover today;
    returns how many rounds were written (0 for a city without targets)."""
    seeds = seeds or load_seeds()
    code = seeds.templates.get(group.city)
    targets = seeds.targets.get(group.city, {})
    if code is None or not targets:
        return 0
    form = library().templates[code]
    zone = ZoneInfo((await services.surveys.group(group.id)).timezone)
    now = services.clock.now()
    today = now.astimezone(zone).date()
    period = report_period(today)
    # One round in the period (past the previous half's reporting lag), one just after it
    # (the round that reports on it): both report on `period` (`Period.reported_on`).
    days = [period.start + timedelta(days=105), min(period.end + timedelta(days=10), today - timedelta(days=1))]
    written = 0
    async with services.db.transaction() as tx:
        members = [m.id for m, role in await members_repo.group_members(tx, group.id) if role is Role.MEMBER][:3]
        if not members:
            return 0
        first = next(iter(targets))
        for round_index, day in enumerate(days):
            deadline = datetime.combine(day, time(17, 0), tzinfo=zone)
            form_id = await surveys_repo.save_form(tx, form, deadline, group_id=group.id)
            survey = await surveys_repo.create_survey(tx, group_id=group.id, form_id=form_id, deadline=deadline,
                                                      anonymous=False, created_by=None,
                                                      now=deadline - timedelta(days=14), template=code)
            await surveys_repo.add_recipients(tx, survey, members, deadline - timedelta(days=14))
            for member, spread in zip(members, SPREAD, strict=False):
                response = await surveys_repo.start_response(tx, survey, member, deadline - timedelta(days=2))
                for question in form.questions:
                    card = targets.get(question.indicator or "")
                    target = card.targets.get(period.year) if card else None
                    if card is None or target is None:
                        continue
                    share = (BEHIND if question.indicator == first else ON_TRACK)[round_index]
                    value = card.baseline + share * (target - card.baseline) + spread
                    if str(question.type) == "integer":
                        value = round(value)
                    await surveys_repo.save_answer(tx, response.id, Answer.of(question, value))
                await surveys_repo.submit(tx, survey, response.id, member, deadline - timedelta(days=1))
            await surveys_repo.close_survey(tx, survey.id, deadline)
            written += 1
        for indicator, card in targets.items():  # the target cards the rounds are read against
            await surveys_repo.set_baseline(tx, group.id, indicator, card.baseline, BASELINE_YEAR, now)
            for year, target in card.targets.items():
                await surveys_repo.set_target(tx, group.id, indicator, year, target, now)
    return written
