"""Gathers what a group's report needs from storage: every survey round's result view, the
target cards, indicator names and units, the reasons given, milestones and proposals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.models import Group
from bot.services.monitoring.figures import NEEDS_REASON, Card, Row, Thresholds, row, series
from bot.services.monitoring.periods import REPORTING_LAG, Period
from bot.services.surveys import content
from bot.services.surveys.result_views import ViewCache, load_view
from bot.services.surveys.results import MINIMUM_ANONYMOUS_RESPONSES, SurveyView
from storage import coplanning as coplanning_repo
from storage import milestones as milestones_repo
from storage import monitoring as monitoring_repo
from storage import surveys as surveys_repo
from storage.monitoring import Reason

THRESHOLDS_SETTING = "monitoring_thresholds"

# Plan areas (the local equality action plan's areas, DOMAIN.md) of the shipped indicators;
# a group's own indicators fall under "other".
AREAS: dict[str, str] = {
    "I1": "budget", "I7": "budget", "I15": "budget",
    "I2": "violence", "I3": "violence", "I14": "violence",
    "I4": "care", "I13": "employment", "I12": "employment",
    "I5": "decision", "I6": "decision", "I8": "decision", "I9": "decision", "I16": "decision",
    "I10": "urban", "I11": "urban",
}
AREA_ORDER = ("budget", "decision", "care", "employment", "violence", "urban", "other")


@dataclass(frozen=True)
class IndicatorInfo:
    code: str
    name: dict[str, str]
    unit: dict[str, str]
    yes_no: bool
    area: str


@dataclass
class ReportData:
    """Everything one group's report shows for one period."""

    group: Group
    period: Period
    rows: list[Row]
    info: dict[str, IndicatorInfo]
    reasons: dict[str, Reason]
    thresholds: Thresholds
    rounds: list[SurveyView]           # the rounds that cover the period (response rates)
    milestones: dict[str, int]         # "met", "late", "missed", "open"
    proposals: list[dict[str, Any]]    # the co-planning annex (no member is named)
    named: bool                        # whether any round of the period was named
    adopted_at: datetime | None = None
    missing_reasons: list[str] = field(default_factory=list)


def thresholds_of(group: Group) -> Thresholds:
    """The group's thresholds (`groups.settings`), else the defaults (90 / 60)."""
    value = group.settings.get(THRESHOLDS_SETTING)
    if isinstance(value, list) and len(value) == 2:
        try:
            return Thresholds(float(value[0]), float(value[1]))
        except (TypeError, ValueError):
            pass
    return Thresholds()


def indicator_info(own: list[Any]) -> dict[str, IndicatorInfo]:
    """The shipped library's indicators overlaid with the group's own."""
    found = {}
    for indicator in [*content.library().indicators.values(), *own]:
        found[indicator.code] = IndicatorInfo(indicator.code, dict(indicator.name), dict(indicator.unit),
                                              str(indicator.answer_type) == "yes_no",
                                              AREAS.get(indicator.code, "other") if indicator.group_id is None else "other")
    return found


async def load(conn: Any, group: Group, period: Period, now: datetime, *,
               minimum_responses: int = MINIMUM_ANONYMOUS_RESPONSES) -> ReportData:
    """The group's report data for `period` as of `now` (a handful of queries per survey
    round). Only rounds whose deadline has passed count: an open round's figures may change."""
    surveys = await surveys_repo.surveys_for_groups(conn, [group.id], limit=10_000)
    zone = ZoneInfo(group.timezone)
    reporting_end = min(datetime.combine(period.end + REPORTING_LAG, time(23, 59), tzinfo=zone), now)
    cache = ViewCache()  # this build's: the group's members, cards and indicators read once
    views = [await load_view(conn, survey, cache) for survey in reversed(surveys) if survey.deadline <= reporting_end]
    _, _, stored_cards, _ = await cache.group(conn, group.id)
    cards = {code: Card(code, card.baseline, card.baseline_year, dict(card.targets))
             for code, card in stored_cards.items()}
    info = indicator_info(await surveys_repo.group_indicators(conn, group.id))
    asked = {q.indicator for view in views for q in view.answerable if q.indicator}
    codes = sorted(set(cards) | asked, key=lambda code: (AREA_ORDER.index(info[code].area) if code in info else 99,
                                                         _natural(code)))
    thresholds = thresholds_of(group)
    rows = []
    for code in codes:
        yes_no = info[code].yes_no if code in info else any(
            q.type == "yes_no" for view in views for q in view.answerable if q.indicator == code)
        points = series(views, code, minimum_responses=minimum_responses)
        rows.append(row(code, points, cards.get(code), period, yes_no=yes_no, thresholds=thresholds))
    rounds = [view for view in views if view.closes_at and period.covers(view.closes_at.astimezone(zone).date())]
    reasons = await monitoring_repo.reasons(conn, group.id, period.code)
    adopted = await monitoring_repo.adopted(conn, group.id, period.code)
    data = ReportData(group, period, rows, info, reasons, thresholds, rounds,
                      await _milestones(conn, group, period), await _proposals(conn, group, period),
                      named=any(not view.anonymous for view in rounds),
                      adopted_at=adopted.adopted_at if adopted else None)
    data.missing_reasons = missing_reasons(data)
    return data


def missing_reasons(data: ReportData) -> list[str]:
    """Indicators at risk or off track whose reason for the deviation is not given yet."""
    return [r.code for r in data.rows if r.status in NEEDS_REASON
            and not (data.reasons.get(r.code) and data.reasons[r.code].reason)]


async def _milestones(conn: Any, group: Group, period: Period) -> dict[str, int]:
    zone = ZoneInfo(group.timezone)
    since = datetime.combine(period.start, time(0, 0), tzinfo=zone).astimezone(UTC)
    until = datetime.combine(period.end + timedelta(days=1), time(0, 0), tzinfo=zone).astimezone(UTC)
    counts = {"met": 0, "late": 0, "missed": 0, "open": 0}
    for milestone in await milestones_repo.for_groups(conn, [group.id], status=None, since=since, until=until):
        if milestone.status == "done":
            late = milestone.done_at is not None and milestone.done_at > milestone.due_at + timedelta(days=1)
            counts["late" if late else "met"] += 1
        elif milestone.status == "open":
            counts["open"] += 1
        else:
            counts["missed"] += 1
    return counts


async def _proposals(conn: Any, group: Group, period: Period) -> list[dict[str, Any]]:
    """The group's proposals for the plan/budget of the period's year and the next (a round
    held in year Y proposes for Y+1's budget), with their council decision."""
    rows = await coplanning_repo.export_rows(conn, [group.id])
    return [r for r in rows if r.get("year") in (period.year, period.year + 1)]


def _natural(code: str) -> tuple[str, int]:
    digits = "".join(ch for ch in code if ch.isdigit())
    return (code.rstrip("0123456789"), int(digits) if digits else 0)
