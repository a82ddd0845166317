"""Dates the way coordinators type them (`bot.dates.parse_when`)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.dates import at_clock, example_text, parse_clock, parse_when, wall_time_issue
from bot.errors import InvalidAnswer

ISTANBUL = ZoneInfo("Europe/Istanbul")
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # Wednesday 25.11.2026 09:00 in Istanbul
EXPECTED = datetime(2026, 12, 3, 11, 0, tzinfo=UTC)  # Thursday 03.12.2026 14:00 in Istanbul (UTC+3)


@pytest.mark.parametrize("typed", [
    "03.12.2026 14:00", "3.12.2026 14.00", "03/12/2026 14:00", "3-12-2026 14:00", "03.12.26 14:00",
    " 3.12.2026   14:00 ", "03.12.2026, 14:00", "03.12.2026 saat 14:00", "2026-12-03 14:00",
    "2026-12-03T14:00", "2026-12-03T14:00:00", "2026-12-03T11:00:00Z", "2026-12-03T14:00+03:00",
    "3 Aralık 2026 14:00", "3 aralik 2026 14:00", "3 Ara 2026 14:00", "3 ARA 2026 14:00",
    "Perşembe, 03.12.2026 14:00", "PERŞEMBE 3.12.2026 14:00", "Thursday, 3 December 2026, 14:00",
    "December 3, 2026 2:00 pm", "3 Dec 2026 14:00", "14:00 03.12.2026", "14:00, 3 Aralık 2026",
])
def test_literal_dates_are_read_as_typed(typed: str) -> None:
    parsed = parse_when(typed, ISTANBUL, NOW)
    assert parsed.moment == EXPECTED
    assert parsed.literal and not parsed.needs_confirmation


@pytest.mark.parametrize(("typed", "local"), [
    ("3 Aralık 14:00", datetime(2026, 12, 3, 14, 0)),
    ("3 ARALIK 14:00", datetime(2026, 12, 3, 14, 0)),
    ("3 Aralık saat 14:00", datetime(2026, 12, 3, 14, 0)),
    ("3 Aralık 14:00'te", datetime(2026, 12, 3, 14, 0)),
    ("14:00 3 Aralık", datetime(2026, 12, 3, 14, 0)),
    ("3.12 14:00", datetime(2026, 12, 3, 14, 0)),
    ("Dec 3rd 2:00 PM", datetime(2026, 12, 3, 14, 0)),
    ("yarın 14:00", datetime(2026, 11, 26, 14, 0)),
    ("YARIN saat 14", datetime(2026, 11, 26, 14, 0)),
    ("cuma 14:00", datetime(2026, 11, 27, 14, 0)),
    ("Cuma saat 14.30", datetime(2026, 11, 27, 14, 30)),
    ("haftaya cuma 14:00", datetime(2026, 12, 4, 14, 0)),
    ("bugün 18:30", datetime(2026, 11, 25, 18, 30)),
    ("tomorrow at 2pm", datetime(2026, 11, 26, 14, 0)),
    ("friday 14:00", datetime(2026, 11, 27, 14, 0)),
    ("20.11 10:00", datetime(2027, 11, 20, 10, 0)),  # the year left out: the next such date
])
def test_relative_and_yearless_dates_are_read_and_must_be_confirmed(typed: str, local: datetime) -> None:
    parsed = parse_when(typed, ISTANBUL, NOW)
    assert parsed.moment == local.replace(tzinfo=ISTANBUL).astimezone(UTC)
    assert parsed.needs_confirmation


@pytest.mark.parametrize(("typed", "day"), [
    ("03.12.2026", date(2026, 12, 3)), ("3 Aralık", date(2026, 12, 3)), ("yarın", date(2026, 11, 26)),
    ("perşembe", date(2026, 11, 26)), ("12.12", date(2026, 12, 12)), ("2026-12-03", date(2026, 12, 3)),
    ("bugün", date(2026, 11, 25)),
])
def test_a_date_without_a_time_is_a_day_that_still_needs_its_time(typed: str, day: date) -> None:
    parsed = parse_when(typed, ISTANBUL, NOW)
    assert parsed.day == day and parsed.needs_time and parsed.moment is None
    assert at_clock(parsed.day, parse_clock("14:00"), ISTANBUL, NOW).moment == \
        datetime.combine(day, time(14), tzinfo=ISTANBUL).astimezone(UTC)


@pytest.mark.parametrize(("typed", "key"), [
    ("yarın mı öbür gün mü bilmiyorum", "dates.bad_date"),
    ("", "dates.bad_date"),
    ("14:00", "dates.missing_date"),
    ("31.02.2026 10:00", "dates.no_such_date"),
    ("29.02.2027 10:00", "dates.no_such_date"),
    ("31 şubat 2026 10:00", "dates.no_such_date"),
    ("2026-02-31 10:00", "dates.no_such_date"),
    ("03.12.2026 24:00", "dates.bad_hour"),  # the hour is wrong, not the day
    ("03.12.2026 14:75", "dates.bad_hour"),
    ("3 Aralık 13 pm", "dates.bad_hour"),
    ("3 Smarch 2026 14:00", "dates.bad_date"),
    ("24.11.2026 10:00", "dates.in_past"),
    ("25.11.2026 08:59", "dates.in_past"),
    ("bugün 8:00", "dates.in_past"),
    ("Cuma, 03.12.2026 14:00", "dates.weekday_mismatch"),
])
def test_refused_with_a_reason_and_an_example(typed: str, key: str) -> None:
    with pytest.raises(InvalidAnswer) as raised:
        parse_when(typed, ISTANBUL, NOW)
    assert raised.value.key == key
    assert raised.value.params["example"] == "12.12.2026 14:00"


def test_a_typo_year_far_ahead_is_flagged_for_confirmation_not_refused() -> None:
    parsed = parse_when("12.12.2062 14:00", ISTANBUL, NOW)
    assert parsed.far_ahead and parsed.needs_confirmation and parsed.day == date(2062, 12, 12)


def test_english_speakers_get_english_first_and_turkish_still_works() -> None:
    assert parse_when("3 March 2027 10:00", ISTANBUL, NOW, "en").day == date(2027, 3, 3)
    assert parse_when("3 Mart 2027 10:00", ISTANBUL, NOW, "en").day == date(2027, 3, 3)


def test_past_dates_are_allowed_when_asked_for() -> None:
    assert parse_when("01.09.2026", ISTANBUL, NOW, allow_past=True).day == date(2026, 9, 1)


def test_the_group_zone_decides_the_hour() -> None:
    assert parse_when("03.12.2026 14:00", BERLIN, NOW).moment == datetime(2026, 12, 3, 13, 0, tzinfo=UTC)
    assert parse_when("01.07.2027 14:00", BERLIN, NOW).moment == datetime(2027, 7, 1, 12, 0, tzinfo=UTC)


def test_daylight_saving_gaps_are_refused_and_repeated_hours_confirmed() -> None:
    march = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
    with pytest.raises(InvalidAnswer) as raised:  # Berlin skips 02:00–03:00 on 28.03.2027
        parse_when("28.03.2027 02:30", BERLIN, march)
    assert raised.value.key == "dates.no_such_time"
    twice = parse_when("31.10.2027 02:30", BERLIN, march)  # 02:30 happens twice that night
    assert twice.ambiguous and twice.needs_confirmation
    assert twice.moment == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # the first, summer-time one
    assert wall_time_issue(date(2027, 10, 31), time(2, 30), ISTANBUL) is None  # Turkey: no DST


@pytest.mark.parametrize(("typed", "clock"), [
    ("14:00", time(14)), ("14.00", time(14)), ("14", time(14)), ("saat 14", time(14)),
    ("2 pm", time(14)), ("14:30'da", time(14, 30)), (" 9:05 ", time(9, 5)),
])
def test_a_time_alone(typed: str, clock: time) -> None:
    assert parse_clock(typed) == clock


@pytest.mark.parametrize(("typed", "key"), [("24:00", "dates.bad_hour"), ("öğlen", "dates.bad_clock"),
                                             ("14:61", "dates.bad_hour")])
def test_a_wrong_time_alone(typed: str, key: str) -> None:
    with pytest.raises(InvalidAnswer) as raised:
        parse_clock(typed)
    assert raised.value.key == key


def test_the_example_is_always_ahead() -> None:
    assert example_text(NOW, ISTANBUL) == "12.12.2026 14:00"
    assert example_text(datetime(2026, 12, 28, 6, 0, tzinfo=UTC), ISTANBUL) == "12.01.2027 14:00"


@pytest.mark.parametrize(("typed", "day"), [
    ("2", date(2026, 12, 2)), ("25", date(2026, 11, 25)), ("24", date(2026, 12, 24)),
    ("31", date(2026, 12, 31)), ("öbür gün", date(2026, 11, 27)), ("öbürgün", date(2026, 11, 27)),
])
def test_a_bare_day_number_is_the_next_such_day_and_obur_gun_is_in_two_days(typed: str, day: date) -> None:
    """A coordinator typing `2` on 25 November means 2 December, not 2 November next year."""
    assert parse_when(typed, ISTANBUL, NOW).day == day


@pytest.mark.parametrize(("typed", "local"), [
    ("03.12.2026 14", datetime(2026, 12, 3, 14, 0)),
    ("3.12.26 14", datetime(2026, 12, 3, 14, 0)),
    ("3 Aralık 14", datetime(2026, 12, 3, 14, 0)),
    ("3 Ara 2026 14", datetime(2026, 12, 3, 14, 0)),
    ("3 Aralık 2026 14'te", datetime(2026, 12, 3, 14, 0)),
    ("03.12.2026 9'da", datetime(2026, 12, 3, 9, 0)),
    ("3 Aralık saat 14", datetime(2026, 12, 3, 14, 0)),
    ("yarın 14", datetime(2026, 11, 26, 14, 0)),
    ("yarın saat 14", datetime(2026, 11, 26, 14, 0)),
    ("cuma 14", datetime(2026, 11, 27, 14, 0)),
    ("haftaya cuma 10", datetime(2026, 12, 4, 10, 0)),
    ("12.12 14", datetime(2026, 12, 12, 14, 0)),
    ("Dec 3 14", datetime(2026, 12, 3, 14, 0)),
    ("December 3, 2026 14", datetime(2026, 12, 3, 14, 0)),
])
def test_a_bare_hour_after_a_whole_date_is_that_hour_and_is_confirmed(typed: str, local: datetime) -> None:
    """`03.12.2026 14` is 14:00 that day, not a date whose time must still be asked; since the
    `:00` is ours, the reading is echoed for confirmation."""
    parsed = parse_when(typed, ISTANBUL, NOW)
    assert parsed.moment == local.replace(tzinfo=ISTANBUL).astimezone(UTC)
    assert not parsed.literal and parsed.needs_confirmation


@pytest.mark.parametrize(("typed", "day"), [
    ("December 3", date(2026, 12, 3)), ("3 Aralık 2026", date(2026, 12, 3)), ("12 12", date(2026, 12, 12)),
    ("Aralık 3", date(2026, 12, 3)),
])
def test_a_number_that_is_the_day_or_the_year_is_not_taken_for_an_hour(typed: str, day: date) -> None:
    parsed = parse_when(typed, ISTANBUL, NOW)
    assert parsed.day == day and parsed.needs_time


@pytest.mark.parametrize("typed", ["03.12.2026 24", "3 Aralık 2026 25"])
def test_a_bare_hour_past_23_after_a_whole_date_is_a_wrong_hour(typed: str) -> None:
    with pytest.raises(InvalidAnswer) as raised:
        parse_when(typed, ISTANBUL, NOW)
    assert raised.value.key == "dates.bad_hour"


def test_saat_14_alone_still_asks_for_the_date_and_answers_the_time_question() -> None:
    with pytest.raises(InvalidAnswer) as raised:
        parse_when("saat 14", ISTANBUL, NOW)
    assert raised.value.key == "dates.missing_date"
    assert parse_clock("saat 14") == time(14)
