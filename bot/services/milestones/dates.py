"""Reading a milestone's due date "exactly as for meetings", with the time optional.

The one place that calls the shared date reader (`bot.dates`): when that module's API
changes, only `read_due` follows it.
"""

from __future__ import annotations

from dataclasses import dataclass
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.dates import example_time, names_a_day, parse_when
from bot.errors import InvalidAnswer

# Plan milestones reach at most into the next strategic-plan period.
FARTHEST = timedelta(days=2 * 366)
_HALF_TIME = re.compile(r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\s+\d{1,2}$")
# A date-only milestone is due at the end of that working day in the group's zone.
END_OF_DAY = time(17, 0)
_ERRORS = {"dates.bad_date": "milestone.bad_due", "dates.missing_date": "milestone.bad_due",
           "dates.no_such_date": "milestone.no_such_due", "dates.in_past": "milestone.due_in_past",
           "dates.weekday_mismatch": "milestone.due_weekday"}


@dataclass(frozen=True)
class Due:
    """A due moment (aware, UTC) and whether the person named a time of day."""

    at: datetime
    has_time: bool
    read: bool = False  # our reading (`yarın`, `13 Mart`, `saat 3` → 15:00): show it before use


def example_due(now: datetime, zone: ZoneInfo) -> str:
    """An example date in the form to type: `12.12.2026` (always ahead)."""
    return example_time(now, zone).strftime("%d.%m.%Y")


def due_on(day: date, zone: ZoneInfo) -> datetime:
    """The due moment of a date-only milestone on `day` (17:00 there), in UTC."""
    return datetime.combine(day, END_OF_DAY, tzinfo=zone).astimezone(UTC)


def read_due(text: str, zone: ZoneInfo, now: datetime, lang: str = "tr") -> Due:
    """`03.12.2026`, `3 Aralık 2026`, `03.12.2026 14:00`... in `zone`: the due moment ahead.

    Raises `InvalidAnswer` (keys `milestone.bad_due`, `no_such_due`, `due_in_past`,
    `due_too_far`, `due_weekday`, each with `typed` and an `example`)."""
    cleaned = " ".join(text.strip().split())
    try:
        parsed = parse_when(cleaned, zone, now, lang)
        if not names_a_day(cleaned):  # "gelecek ay": no day to remind on
            raise InvalidAnswer("dates.bad_date", typed=cleaned[:40])
        # "03.12.2026 14": meetings read 14:00 and confirm it; milestones have no confirmation step
        if _HALF_TIME.search(cleaned):
            raise InvalidAnswer("dates.bad_date", typed=cleaned[:40])
        if parsed.day > (now + FARTHEST).astimezone(zone).date():  # a typo like 2062: no confirm step here
            raise InvalidAnswer("milestone.due_too_far", typed=cleaned[:40])
    except InvalidAnswer as error:
        raise _translated(error, now, zone) from None
    if parsed.moment is not None:
        return Due(parsed.moment, True, parsed.needs_confirmation)
    return Due(due_on(parsed.day, zone), False, parsed.needs_confirmation)  # a date without a time: due at the end of that day


def _translated(error: InvalidAnswer, now: datetime, zone: ZoneInfo, typed: str | None = None) -> InvalidAnswer:
    params = dict(error.params)
    params["example"] = example_due(now, zone)
    if typed is not None and "typed" in params:  # not the " 17:00" added above
        params["typed"] = typed
    return InvalidAnswer(_ERRORS.get(error.key, error.key), **params)
