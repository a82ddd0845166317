"""Plan versus actual over several rounds: each indicator's series (issue 20 §3).

A group that reports every six months sends the same template again and again; each round is a
survey. `indicator_series` turns those rounds (oldest first) into one series per indicator:
each round's value (the round's `Achievement.actual`: the median of the figures reported, or
the majority state for yes/no), the target that applied to that round's reporting year (the
target line), and the baseline (SBB strategic-plan guide, target card: achievement =
(actual − baseline) ÷ (target − baseline) × 100, see `results.achievement_percent`).

Pure functions over `SurveyView`s, so the monitoring report (issue 22) can reuse them:
`SurveyResultsService.rounds(view)` loads the rounds; `results_text.series_lines` and
`exports` show them in /sonuclar and in the XLSX.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.services.surveys.results import MINIMUM_ANONYMOUS_RESPONSES, SurveyView, summarize


@dataclass(frozen=True)
class RoundPoint:
    """One round of one indicator: `actual` None when nobody reported it (or, for yes/no, a
    tie; or an anonymous round below the minimum number of responses: `withheld`)."""

    survey_id: int
    closes_at: datetime | None  # the round's deadline (UTC)
    year: int | None  # the reporting year the round's targets were read for
    actual: float | None
    reports: int
    target: float | None
    target_year: int | None
    percent: float | None  # achievement (SBB), None when target == baseline or no actual
    withheld: bool = False


@dataclass
class IndicatorSeries:
    """An indicator's rounds in time order, with its baseline (the target card's)."""

    indicator: str
    name: dict[str, str]
    question_type: str  # "integer" | "decimal" | "percentage" | "range" | "yes_no"
    baseline: float | None
    baseline_year: int | None
    points: list[RoundPoint] = field(default_factory=list)

    @property
    def yes_no(self) -> bool:
        return self.question_type == "yes_no"

    @property
    def reported(self) -> list[RoundPoint]:
        return [point for point in self.points if point.actual is not None]


def indicator_series(rounds: list[SurveyView], *,
                     minimum_responses: int = MINIMUM_ANONYMOUS_RESPONSES) -> list[IndicatorSeries]:
    """One series per indicator with a target card in any round, in the order the indicators
    first appear; every round gets a point (value None when not reported or withheld).
    `rounds` are surveys of one template in one group, oldest first."""
    series: dict[str, IndicatorSeries] = {}
    per_round = []
    for view in rounds:
        results = summarize(view, minimum_responses=minimum_responses)
        achieved = {item.card.indicator: item for item in results.achievements}
        per_round.append((view, results.withheld, achieved))
        for item in results.achievements:
            series.setdefault(item.card.indicator, IndicatorSeries(
                item.card.indicator, item.card.name or item.question.labels, item.question.type,
                item.card.baseline, item.card.baseline_year))
    for view, withheld, achieved in per_round:
        for code, line in series.items():
            item = achieved.get(code)
            card = item.card if item is not None else view.targets.get(code)
            if card is not None and line.baseline is None:
                line.baseline, line.baseline_year = card.baseline, card.baseline_year
            line.points.append(RoundPoint(
                view.id, view.closes_at, view.year, item.actual if item else None, item.reports if item else 0,
                card.target if card else None, card.target_year if card else None,
                item.percent if item else None, withheld=withheld))
    return list(series.values())
