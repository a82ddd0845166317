"""The monitoring report's figures, computed in one place: an indicator's series over the
group's survey rounds, its value for a period, the achievement rate and the status.

Achievement rate (gerçekleşme oranı), SBB strategic-planning guide, target card:
    (actual − baseline) ÷ (target − baseline) × 100
The same formula serves a falling indicator (target below the baseline, e.g. the support
line's waiting time): both differences are negative. When the target equals the baseline the
ratio is undefined: the indicator is on track when the value is held (≥ the target), else off
track, and the row says so. Yes/no indicators (I8 "equality unit active"): 100 when the
reported state is the target state, 0 when not (as `surveys.results.Achievement`).

Status thresholds are each group's choice (DOMAIN.md); the defaults are ≥ 90 % on track,
60–90 % at risk, < 60 % off track. No value in the period is "no data", never a guess.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.services.monitoring.periods import REPORTING_LAG, Period
from bot.services.surveys.results import (
    MINIMUM_ANONYMOUS_RESPONSES,
    NUMERIC_TYPES,
    PARTIAL,
    SurveyView,
    achievement_percent,
)


class Status(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"
    NO_TARGET = "no_target"


NEEDS_REASON = frozenset({Status.AT_RISK, Status.OFF_TRACK})


@dataclass(frozen=True)
class Thresholds:
    """Achievement rates (in %) from which an indicator is on track / at risk; below
    `at_risk` it is off track. Defaults 90 and 60."""

    on_track: float = 90.0
    at_risk: float = 60.0

    def __post_init__(self) -> None:
        if not 0 < self.at_risk < self.on_track <= 100:
            raise ValueError("thresholds: 0 < at risk < on track ≤ 100")


@dataclass(frozen=True)
class Card:
    """An indicator's target card: baseline (with its year) and yearly targets."""

    code: str
    baseline: float | None
    baseline_year: int | None
    targets: dict[int, float]


@dataclass(frozen=True)
class Point:
    """One survey round's value of an indicator: `value` is the median of the numbers reported
    (the majority state, 1.0/0.0, for yes/no; None on a tie), `day` the round's deadline in the
    group's zone."""

    survey_id: int
    day: date
    value: float | None
    reports: int
    yes_share: float | None = None
    evidence: int = 0


@dataclass
class Row:
    """An indicator's line of the report for one period."""

    code: str
    yes_no: bool
    card: Card | None
    series: list[Point]
    point: Point | None           # the latest round of the period
    target: float | None           # the period year's target
    rate: float | None             # achievement rate in %, None when undefined
    status: Status
    evidence: int = 0
    notes: list[str] = field(default_factory=list)  # message keys: "target_equals_baseline"

    @property
    def actual(self) -> float | None:
        return self.point.value if self.point else None


def status_of(rate: float | None, *, met: bool | None, thresholds: Thresholds) -> Status:
    """The status for an achievement `rate` (%); with no rate (target = baseline), `met`
    decides (on track or off track)."""
    if rate is None:
        return Status.ON_TRACK if met else Status.OFF_TRACK
    if rate >= thresholds.on_track:
        return Status.ON_TRACK
    return Status.AT_RISK if rate >= thresholds.at_risk else Status.OFF_TRACK


def series(views: list[SurveyView], code: str, *,
           minimum_responses: int = MINIMUM_ANONYMOUS_RESPONSES) -> list[Point]:
    """The indicator's value in each round (survey) that asked it, oldest first. An
    anonymous round below the minimum number of responses gives nothing (anonymity rules:
    its figure could be one person's); partial responses are not counted."""
    points = []
    for view in views:
        questions = [q for q in view.answerable if q.indicator == code and q.type in NUMERIC_TYPES | {"yes_no"}]
        if not questions or view.closes_at is None:
            continue
        sent = [r for r in view.responses if r.sending != PARTIAL]
        if view.anonymous and len(sent) < minimum_responses:
            continue
        question = questions[0]
        day = view.closes_at.astimezone(ZoneInfo(view.timezone)).date()
        evidence = sum(1 for q in view.answerable if q.type == "evidence" and q.indicator == code
                       for r in sent if q.name in r.answers)
        values = [r.answers.get(question.name) for r in sent]
        if question.type == "yes_no":
            yes = sum(v is True for v in values)
            no = sum(v is False for v in values)
            if yes + no == 0:
                continue
            value = None if yes == no else (1.0 if yes > no else 0.0)
            points.append(Point(view.id, day, value, yes + no, yes_share=100.0 * yes / (yes + no), evidence=evidence))
            continue
        numbers = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        if numbers:
            points.append(Point(view.id, day, statistics.median(numbers), len(numbers), evidence=evidence))
    return sorted(points, key=lambda point: (point.day, point.survey_id))


def row(code: str, points: list[Point], card: Card | None, period: Period, *, yes_no: bool,
        thresholds: Thresholds = Thresholds()) -> Row:
    """The indicator's row for `period`: its value is the latest round covering the period
    (`Period.covers`); the series shown is every round up to the period's reporting end."""
    shown = [p for p in points if p.day <= period.end + REPORTING_LAG]  # every round up to the report
    inside = [p for p in shown if period.covers(p.day) and p.value is not None]
    point = inside[-1] if inside else None
    target = card.targets.get(period.year) if card else None
    item = Row(code, yes_no, card, shown, point, target, None, Status.NO_DATA,
               evidence=sum(p.evidence for p in shown if period.covers(p.day)))
    if card is None or card.baseline is None or target is None:
        item.status = Status.NO_TARGET if point is not None else Status.NO_DATA
        return item
    if point is None:
        return item
    actual = point.value
    assert actual is not None
    if yes_no:
        goal = 1.0 if target >= 0.5 else 0.0
        item.rate = 100.0 if actual == goal else 0.0
        item.status = status_of(item.rate, met=None, thresholds=thresholds)
        return item
    item.rate = achievement_percent(actual, card.baseline, target)
    if item.rate is None:
        item.notes.append("target_equals_baseline")
    item.status = status_of(item.rate, met=actual >= target, thresholds=thresholds)
    return item


@dataclass(frozen=True)
class Counts:
    """How many rows of each status (the report's one-page summary)."""

    on_track: int
    at_risk: int
    off_track: int
    no_data: int

    @classmethod
    def of(cls, rows: list[Row]) -> Counts:
        statuses = [r.status for r in rows]
        return cls(statuses.count(Status.ON_TRACK), statuses.count(Status.AT_RISK),
                   statuses.count(Status.OFF_TRACK),
                   statuses.count(Status.NO_DATA) + statuses.count(Status.NO_TARGET))


def local_day(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()
