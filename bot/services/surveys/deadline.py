"""Reading a survey's deadline, typed exactly like a meeting date (`bot/dates.py`).

`12.12.2026 17:00`, `12 Aralık 2026 17:00` and the rest of what meeting dates accept; a date
alone (`12.12.2026`) means the end of that day (23:59) in the group's zone. The deadline must
lie at least a few minutes ahead and within a year.

The date itself is read by `bot.dates.parse_when` (dateparser, tr/en), as meeting dates are.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import bot.dates as dates
from bot.errors import InvalidAnswer

LATEST = timedelta(days=366)
EARLIEST = timedelta(minutes=10)
END_OF_DAY = time(23, 59)


def read_deadline(text: str, zone: ZoneInfo, now: datetime, lang: str) -> datetime:
    """The deadline `text` names in `zone`, as aware UTC.

    Raises InvalidAnswer: the date reader's own keys (bad or impossible date, past...) or
    `survey.deadline_too_soon` / `survey.deadline_too_far`, all with `typed` and `example`."""
    shown = " ".join(text.split())[:40]
    example = dates.example_text(now, zone)
    parsed = dates.parse_when(text, zone, now, lang)
    if not dates.names_a_day(text):  # "gelecek ay": which day?
        raise InvalidAnswer("dates.bad_date", typed=shown, example=example)
    moment = parsed.moment or datetime.combine(parsed.day, END_OF_DAY, tzinfo=zone).astimezone(UTC)
    if moment - now < EARLIEST:
        raise InvalidAnswer("survey.deadline_too_soon", typed=shown, example=example)
    if moment - now > LATEST:
        raise InvalidAnswer("survey.deadline_too_far", typed=shown, example=example)
    return moment
