"""Edge cases of the milestone building blocks: reading due dates with the time optional,
the digest's next slot across DST, reminder days around weekends and holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.errors import InvalidAnswer
from bot.models import Group
from bot.services.milestones.dates import read_due
from bot.services.milestones.digest import next_slot
from bot.services.milestones.workdays import working_day_on_or_before

ISTANBUL = ZoneInfo("Europe/Istanbul")
NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(("typed", "expected", "has_time"), [
    ("31.12.2026", datetime(2026, 12, 31, 14, 0, tzinfo=UTC), False),  # 17:00 in Istanbul
    ("3 Aralık 2026", datetime(2026, 12, 3, 14, 0, tzinfo=UTC), False),
    ("Perşembe, 03.12.2026", datetime(2026, 12, 3, 14, 0, tzinfo=UTC), False),
    ("03.12.2026 10:30", datetime(2026, 12, 3, 7, 30, tzinfo=UTC), True),
    ("2027-01-15", datetime(2027, 1, 15, 14, 0, tzinfo=UTC), False),
])
def test_due_dates_are_read_with_or_without_a_time(typed: str, expected: datetime, has_time: bool) -> None:
    due = read_due(typed, ISTANBUL, NOW)
    assert (due.at, due.has_time) == (expected, has_time)


@pytest.mark.parametrize(("typed", "key"), [
    ("gelecek hafta", "milestone.bad_due"), ("31.02.2027", "milestone.no_such_due"),
    ("01.11.2026", "milestone.due_in_past"), ("01.01.2031", "milestone.due_too_far"),
    ("Pazartesi, 03.12.2026", "milestone.due_weekday"),
])
def test_unreadable_due_dates_say_why_with_a_date_only_example(typed: str, key: str) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        read_due(typed, ISTANBUL, NOW)
    assert caught.value.key == key and caught.value.params["example"] == "12.12.2026"


def test_a_half_typed_time_is_refused_showing_what_was_typed() -> None:
    with pytest.raises(InvalidAnswer) as caught:
        read_due("03.12.2026 14", ISTANBUL, NOW)
    assert caught.value.key == "milestone.bad_due" and caught.value.params["typed"] == "03.12.2026 14"
    with pytest.raises(InvalidAnswer) as past:
        read_due("01.11.2026", ISTANBUL, NOW)
    assert past.value.params["typed"] == "01.11.2026"


def _group(zone: str, **settings: object) -> Group:
    return Group(id=1, name="G", city="Kars", language="tr", timezone=zone, settings=settings)


def test_the_next_digest_slot_stays_at_nine_local_across_dst() -> None:
    berlin = _group("Europe/Berlin")
    assert next_slot(berlin, datetime(2027, 3, 19, tzinfo=UTC)) == datetime(2027, 3, 22, 8, 0, tzinfo=UTC)
    assert next_slot(berlin, datetime(2027, 3, 22, 8, 0, tzinfo=UTC)) == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)
    assert next_slot(berlin, datetime(2027, 10, 26, tzinfo=UTC)) == datetime(2027, 11, 1, 8, 0, tzinfo=UTC)
    istanbul = _group("Europe/Istanbul", digest={"day": 2, "hour": 10})
    assert next_slot(istanbul, datetime(2027, 3, 22, tzinfo=UTC)) == datetime(2027, 3, 24, 7, 0, tzinfo=UTC)
    assert next_slot(_group("Europe/Istanbul", digest={"off": True}), NOW) is None
    assert next_slot(_group("Europe/Istanbul", digest={"day": 9}), NOW) == datetime(2026, 11, 30, 6, 0, tzinfo=UTC)


def test_reminder_days_move_back_over_weekends_and_holidays() -> None:
    assert working_day_on_or_before(date(2026, 12, 20)) == date(2026, 12, 18)  # Sunday -> Friday
    assert working_day_on_or_before(date(2027, 1, 1)) == date(2026, 12, 31)  # New Year's Day
    assert working_day_on_or_before(date(2026, 10, 29)) == date(2026, 10, 28)  # Republic Day
    assert working_day_on_or_before(date(2027, 3, 11)) == date(2027, 3, 8)  # Ramazan Bayramı 9-11 March
