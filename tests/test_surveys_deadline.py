"""A survey's deadline is read like a meeting date; a date alone means the end of that day."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.errors import InvalidAnswer
from bot.services.surveys.deadline import read_deadline

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # 09:00 in Istanbul
ISTANBUL = ZoneInfo("Europe/Istanbul")


@pytest.mark.parametrize(("typed", "expected"), [
    ("12.12.2026 17:00", datetime(2026, 12, 12, 14, 0, tzinfo=UTC)),
    ("12 Aralık 2026 17:00", datetime(2026, 12, 12, 14, 0, tzinfo=UTC)),
    ("12.12.2026", datetime(2026, 12, 12, 20, 59, tzinfo=UTC)),  # 23:59 that day
])
def test_deadlines(typed: str, expected: datetime) -> None:
    assert read_deadline(typed, ISTANBUL, NOW, "tr") == expected


@pytest.mark.parametrize("typed", ["sonra", "31.02.2026 10:00", "01.01.2020 10:00", "25.11.2026 09:05"])
def test_unreadable_impossible_or_past_deadlines_are_refused_with_an_example(typed: str) -> None:
    with pytest.raises(InvalidAnswer) as refused:
        read_deadline(typed, ISTANBUL, NOW, "tr")
    assert refused.value.params.get("example") == "12.12.2026 14:00"


def test_a_deadline_more_than_a_year_ahead_is_refused() -> None:
    with pytest.raises(InvalidAnswer) as refused:
        read_deadline("01.12.2027 10:00", ISTANBUL, NOW, "tr")
    assert refused.value.key == "survey.deadline_too_far"
