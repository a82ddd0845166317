"""The report in the plan calendar: the plan-cycle template's July monitoring and January
evaluation milestones tell coordinators how many reasons for deviations are still missing,
and the weekly digest lists it while a report is due (July–September for January–June,
January–March for the year before)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.models import Button, Group
from bot.services.milestones.digest import DigestRequest, DigestSection
from bot.services.monitoring.periods import Period
from messages import t
from storage.milestones import Milestone

if TYPE_CHECKING:
    from bot.services.monitoring.service import MonitoringService

# plan_cycle.toml codes → the period their report covers, from the milestone's year
REPORT_MILESTONES: dict[str, Callable[[int], Period]] = {
    "six-monthly-monitoring": lambda year: Period(year, 1),
    "yearly-evaluation": lambda year: Period(year - 1),
}


def due_period(today: date) -> Period | None:
    """The report due on `today`: January–June's in July–September, the previous year's in
    January–March; None otherwise."""
    if 7 <= today.month <= 9:
        return Period(today.year, 1)
    if today.month <= 3:
        return Period(today.year - 1)
    return None


def reminder_note(monitoring: MonitoringService):  # type: ignore[no-untyped-def]
    """A `MilestoneService.reminder_note_hooks` hook: the reasons still missing for the
    report a milestone stands for (None when none is missing or it is another milestone)."""
    async def note(milestone: Milestone) -> Callable[[str], str] | None:
        code, _, year = (milestone.template_code or "").partition("@")
        if code not in REPORT_MILESTONES or not year.isdigit():
            return None
        missing = await monitoring.missing_reasons(milestone.group_id, REPORT_MILESTONES[code](int(year)))
        if not missing:
            return None
        return lambda lang: t("monitoring.reminder_line", lang, count=len(missing))

    return note


def digest_part(monitoring: MonitoringService):  # type: ignore[no-untyped-def]
    """`part(request, group, full)` for `milestones.digest.add_part`: coordinators only."""
    async def part(request: DigestRequest, group: Group, full: bool) -> DigestSection | None:
        if not full:
            return None
        period = due_period(request.now.astimezone(ZoneInfo(group.timezone)).date())
        if period is None:
            return None
        data = await monitoring.data(group.id, period)
        if not data.missing_reasons or data.adopted_at is not None:
            return None
        text = t("monitoring.digest_line", request.lang, title=period.title(request.lang),
                 count=len(data.missing_reasons))
        return DigestSection(text, [[Button(label=t("monitoring.button_reasons", request.lang),
                                            choice=f"report:{group.id}:{period.code}:reasons")]])

    return part
