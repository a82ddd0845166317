"""Dates the way coordinators type them."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.dates import example_text, parse_meeting_time
from bot.errors import InvalidAnswer

ISTANBUL = ZoneInfo("Europe/Istanbul")
NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # Wednesday 25.11.2026 09:00 in Istanbul
EXPECTED = datetime(2026, 12, 3, 11, 0, tzinfo=UTC)  # Thursday 03.12.2026 14:00 in Istanbul (UTC+3)


@pytest.mark.parametrize("typed", [
    "03.12.2026 14:00", "3.12.2026 14.00", "03/12/2026 14:00", "3-12-2026 14:00", "03.12.26 14:00",
    " 3.12.2026   14:00 ", "03.12.2026, 14:00", "03.12.2026 saat 14:00", "3.12 14:00",
    "2026-12-03 14:00", "2026-12-03T14:00", "2026-12-03T14:00:00", "2026-12-03T11:00:00Z",
    "2026-12-03T14:00+03:00", "3 Aralık 2026 14:00", "3 ARALIK 14:00", "3 aralik 2026 14:00",
    "Perşembe, 03.12.2026 14:00", "PERŞEMBE 3.12.2026 14:00", "Thursday, 3 December 2026, 14:00",
    "December 3, 2026 2:00 pm", "Dec 3rd 2:00 PM", "3 Dec 2026 14:00",
])
def test_accepted_forms(typed: str) -> None:
    assert parse_meeting_time(typed, ISTANBUL, NOW) == EXPECTED


@pytest.mark.parametrize(("typed", "key"), [
    ("yarın", "meeting.bad_date"),
    ("YARIN 14:00", "meeting.bad_date"),
    ("tomorrow at 2pm", "meeting.bad_date"),
    ("14:00", "meeting.bad_date"),
    ("", "meeting.bad_date"),
    ("03.12.2026", "meeting.missing_time"),
    ("03.12.2026 14", "meeting.missing_time"),
    ("2026-12-03", "meeting.missing_time"),
    ("31.02.2026 10:00", "meeting.no_such_date"),
    ("29.02.2027 10:00", "meeting.no_such_date"),
    ("03.12.2026 25:00", "meeting.no_such_date"),
    ("03.12.2026 14:75", "meeting.no_such_date"),
    ("2026-02-31 10:00", "meeting.no_such_date"),
    ("3 Smarch 2026 14:00", "meeting.bad_date"),
    ("24.11.2026 10:00", "meeting.date_in_past"),
    ("25.11.2026 08:59", "meeting.date_in_past"),
    ("20.11 10:00", "meeting.date_in_past"),  # five days ago, not next November
    ("12.12.2062 14:00", "meeting.date_too_far"),
    ("Cuma, 03.12.2026 14:00", "meeting.weekday_mismatch"),
])
def test_refused_with_a_reason_and_an_example(typed: str, key: str) -> None:
    with pytest.raises(InvalidAnswer) as raised:
        parse_meeting_time(typed, ISTANBUL, NOW)
    assert raised.value.key == key
    assert raised.value.params["example"] == "12.12.2026 14:00"


def test_without_a_year_the_next_such_day_is_meant() -> None:
    december = datetime(2026, 12, 20, 6, 0, tzinfo=UTC)
    assert parse_meeting_time("05.01 10:00", ISTANBUL, december) == datetime(2027, 1, 5, 7, 0, tzinfo=UTC)


def test_the_group_zone_decides_the_hour() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    assert parse_meeting_time("03.12.2026 14:00", berlin, NOW) == datetime(2026, 12, 3, 13, 0, tzinfo=UTC)
    assert parse_meeting_time("01.07.2027 14:00", berlin, NOW) == datetime(2027, 7, 1, 12, 0, tzinfo=UTC)


def test_the_example_is_always_ahead() -> None:
    assert example_text(NOW, ISTANBUL) == "12.12.2026 14:00"
    assert example_text(datetime(2026, 12, 28, 6, 0, tzinfo=UTC), ISTANBUL) == "12.01.2027 14:00"
