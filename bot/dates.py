"""Reading the dates people type: `03.12.2026 14:00` the Turkish way, and a few more."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.errors import InvalidAnswer

# 3.12.2026 14:00 · 03/12/2026 14.00 · 3-12-2026 9:30 — day first, as written in Turkey.
_DAY_FIRST = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})[ T,]+(\d{1,2})[:.](\d{2})$")
# 2026-12-03 14:00 · 2026-12-03T14:00 (ISO 8601)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2})[:.](\d{2})(?::\d{2})?$")


def parse_meeting_time(text: str, zone: ZoneInfo, now: datetime) -> datetime:
    """The moment `text` names in `zone`, as aware UTC; it must be in the future.

    Raises `InvalidAnswer` with a message key saying what was expected: unknown format,
    a date that does not exist (31.02.2026), or a time already past.
    """
    cleaned = " ".join(text.strip().split())
    if match := _DAY_FIRST.match(cleaned):
        day, month, year, hour, minute = (int(part) for part in match.groups())
    elif match := _ISO.match(cleaned):
        year, month, day, hour, minute = (int(part) for part in match.groups())
    else:
        raise InvalidAnswer("meeting.bad_date", typed=text.strip()[:40])
    try:
        local = datetime(year, month, day, hour, minute, tzinfo=zone)
    except ValueError:
        raise InvalidAnswer("meeting.no_such_date", typed=cleaned) from None
    if local <= now.astimezone(zone):
        raise InvalidAnswer("meeting.date_in_past", typed=cleaned)
    return local.astimezone(ZoneInfo("UTC"))
