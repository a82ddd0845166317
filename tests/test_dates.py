"""Dates the way coordinators type them."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.dates import parse_meeting_time
from bot.errors import InvalidAnswer

ISTANBUL = ZoneInfo("Europe/Istanbul")
NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
EXPECTED = datetime(2026, 12, 3, 11, 0, tzinfo=UTC)  # 14:00 in Istanbul (UTC+3)


@pytest.mark.parametrize("typed", ["03.12.2026 14:00", "3.12.2026 14.00", "03/12/2026 14:00",
                                   "2026-12-03 14:00", "2026-12-03T14:00", " 3.12.2026   14:00 "])
def test_accepted_forms(typed: str) -> None:
    assert parse_meeting_time(typed, ISTANBUL, NOW) == EXPECTED


@pytest.mark.parametrize(("typed", "key"), [
    ("yarın", "meeting.bad_date"),
    ("14:00", "meeting.bad_date"),
    ("31.02.2026 10:00", "meeting.no_such_date"),
    ("03.12.2026 25:00", "meeting.no_such_date"),
    ("24.11.2026 10:00", "meeting.date_in_past"),
])
def test_refused_with_a_reason(typed: str, key: str) -> None:
    with pytest.raises(InvalidAnswer) as raised:
        parse_meeting_time(typed, ISTANBUL, NOW)
    assert raised.value.key == key
