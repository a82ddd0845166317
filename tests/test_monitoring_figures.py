"""The monitoring report's figures against hand-computed cases (SBB achievement rate:
(actual − baseline) ÷ (target − baseline) × 100)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.services.monitoring.figures import Card, Point, Status, Thresholds, row, series, status_of
from bot.services.monitoring.periods import BadPeriod, Period, current_periods
from bot.services.surveys.results import QuestionView, ResponseView, SurveyView

H1 = Period(2027, 1)
YEAR = Period(2027)


def _points(*values: tuple[date, float | None]) -> list[Point]:
    return [Point(index, day, value, 3) for index, (day, value) in enumerate(values, start=1)]


def test_periods_read_and_cover_their_reporting_lag() -> None:
    assert Period.parse("2027-H1") == H1 == Period.parse("2027/1") == Period.parse(" 2027-h1 ")
    assert Period.parse("2027") == YEAR and Period.parse("2027-H2") == Period(2027, 2)
    for wrong in ("", "27", "2027-H3", "H1", "1999", "2027-13"):
        with pytest.raises(BadPeriod):
            Period.parse(wrong)
    assert H1.covers(date(2027, 7, 20))  # the July monitoring round reports on January–June
    assert not H1.covers(date(2027, 10, 1))
    assert YEAR.covers(date(2028, 2, 10))  # the January evaluation round reports on the year before
    assert current_periods(date(2027, 7, 5))[:2] == [H1, YEAR]
    assert current_periods(date(2028, 1, 20))[:2] == [YEAR, Period(2027, 2)]  # the evaluation first
    assert current_periods(date(2027, 5, 2))[0] == Period(2026)
    # Each round reports on exactly one half-year
    assert Period.reported_on(date(2027, 7, 10)) == H1
    assert Period.reported_on(date(2028, 1, 20)) == Period(2027, 2)
    assert Period.reported_on(date(2027, 10, 15)) == Period(2027, 2)
    assert Period.reported_on(date(2027, 4, 15)) == H1
    assert not Period(2027, 2).covers(date(2027, 7, 10))


def test_rising_indicator_on_track_at_risk_and_off_track() -> None:
    card = Card("I4", 1000, 2024, {2027: 1500})
    cases = [(1450, 90.0, Status.ON_TRACK), (1400, 80.0, Status.AT_RISK), (1250, 50.0, Status.OFF_TRACK),
             (1600, 120.0, Status.ON_TRACK), (900, -20.0, Status.OFF_TRACK)]
    for actual, rate, status in cases:
        item = row("I4", _points((date(2027, 7, 15), actual)), card, H1, yes_no=False)
        assert item.rate == pytest.approx(rate) and item.status is status, (actual, item)


def test_falling_indicator_uses_the_same_formula() -> None:
    # Support-line waiting time: baseline 40 minutes, target 20; realised 26 → (26−40)/(20−40) = 70 %.
    card = Card("I14", 40, 2024, {2027: 20})
    item = row("I14", _points((date(2027, 7, 1), 26)), card, H1, yes_no=False)
    assert item.rate == pytest.approx(70.0) and item.status is Status.AT_RISK
    worse = row("I14", _points((date(2027, 7, 1), 45)), card, H1, yes_no=False)
    assert worse.rate == pytest.approx(-25.0) and worse.status is Status.OFF_TRACK


def test_target_equal_to_baseline_has_no_rate_and_says_so() -> None:
    card = Card("I1", 3, 2024, {2027: 3})
    kept = row("I1", _points((date(2027, 7, 1), 3)), card, H1, yes_no=False)
    assert kept.rate is None and kept.status is Status.ON_TRACK and "target_equals_baseline" in kept.notes
    lost = row("I1", _points((date(2027, 7, 1), 2.5)), card, H1, yes_no=False)
    assert lost.rate is None and lost.status is Status.OFF_TRACK


def test_yes_no_indicator_is_reached_or_not() -> None:
    card = Card("I8", 0, 2024, {2027: 1})
    reached = row("I8", _points((date(2027, 7, 1), 1.0)), card, H1, yes_no=True)
    assert reached.rate == 100.0 and reached.status is Status.ON_TRACK
    missed = row("I8", _points((date(2027, 7, 1), 0.0)), card, H1, yes_no=True)
    assert missed.rate == 0.0 and missed.status is Status.OFF_TRACK


def test_missing_rounds_are_no_data_and_the_latest_round_of_the_period_counts() -> None:
    card = Card("I2", 2, 2024, {2027: 6})
    assert row("I2", [], card, H1, yes_no=False).status is Status.NO_DATA
    # Rounds in January 2027 (for 2026), July 2027 (for H1) and January 2028 (for 2027)
    points = _points((date(2027, 1, 20), 3), (date(2027, 7, 10), 4), (date(2028, 1, 25), 5))
    h1 = row("I2", points, card, H1, yes_no=False)
    assert h1.actual == 4 and [p.value for p in h1.series] == [3, 4]  # earlier ones shown
    year = row("I2", points, card, YEAR, yes_no=False)
    assert year.actual == 5 and year.rate == pytest.approx(75.0) and year.status is Status.AT_RISK
    # A period with a target but no round reporting on it
    assert row("I2", points, card, Period(2029, 1), yes_no=False).status is Status.NO_DATA
    # A value but no target for the year: stated, not guessed
    assert row("I2", points, Card("I2", 2, 2024, {2026: 6}), H1, yes_no=False).status is Status.NO_TARGET


def test_thresholds_are_the_groups_choice() -> None:
    strict = Thresholds(on_track=100, at_risk=80)
    assert status_of(95, met=None, thresholds=strict) is Status.AT_RISK
    assert status_of(95, met=None, thresholds=Thresholds()) is Status.ON_TRACK
    with pytest.raises(ValueError):
        Thresholds(on_track=50, at_risk=60)


def _view(survey_id: int, closes: datetime, values: list[object], *, anonymous: bool = False,
          kind: str = "integer") -> SurveyView:
    question = QuestionView("q", kind, {"tr": "Soru"}, indicator="I4")
    responses = [ResponseView({"q": value}, closes, None if anonymous else n, None if anonymous else f"P{n}")
                 for n, value in enumerate(values)]
    return SurveyView(id=survey_id, title="t", group_id=1, group_name="g", language="tr", timezone="Europe/Istanbul",
                      anonymous=anonymous, questions=[question], responses=responses, closes_at=closes)


def test_series_takes_the_median_per_round_and_respects_anonymity() -> None:
    views = [_view(1, datetime(2027, 1, 20, 20, tzinfo=UTC), [1000, 1100, 5000]),
             _view(2, datetime(2027, 7, 10, 20, tzinfo=UTC), [1200, 1300], anonymous=True),  # below 3: withheld
             _view(3, datetime(2027, 7, 30, 20, tzinfo=UTC), [1250, 1350, 1300], anonymous=True)]
    found = series(views, "I4")
    assert [(p.survey_id, p.value) for p in found] == [(1, 1100), (3, 1300)]
    yes_no = series([_view(4, datetime(2027, 7, 1, tzinfo=UTC), [True, True, False], kind="yes_no")], "I4")
    assert yes_no[0].value == 1.0 and yes_no[0].yes_share == pytest.approx(200 / 3)
