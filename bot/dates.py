"""Reading the dates people type: `03.12.2026 14:00` the Turkish way, and a few more.

Accepted, in the group's time zone: `03.12.2026 14:00`, `3.12.2026 14.00`, `03/12/2026 14:00`,
`3-12-26 9:30`, `12.12 14:00` (the next 12 December), `3 Aralık 2026 14:00`,
`Perşembe, 03.12.2026 14:00` (as the bot itself writes it), `3 December 2026, 2:00 pm`,
`December 3, 2026 14:00` and ISO 8601 (`2026-12-03T14:00`, with or without an offset).
Relative words (`yarın`, `tomorrow`) are refused on purpose: a notice to a whole group should
name its date.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.errors import InvalidAnswer
from bot.text import fold

# Meetings are planned weeks ahead, not years: a year like 2062 is a typo.
HORIZON = timedelta(days=2 * 366)
# Without a year, a day already past this year means next year only if that is soon.
YEAR_WRAP = timedelta(days=183)

_MONTHS = {name: number for number, names in enumerate((
    ("ocak", "oca", "january", "jan"), ("subat", "sub", "february", "feb"),
    ("mart", "mar", "march"), ("nisan", "nis", "april", "apr"), ("mayis", "may"),
    ("haziran", "haz", "june", "jun"), ("temmuz", "tem", "july", "jul"),
    ("agustos", "agu", "august", "aug"), ("eylul", "eyl", "september", "sep", "sept"),
    ("ekim", "eki", "october", "oct"), ("kasim", "kas", "november", "nov"),
    ("aralik", "ara", "december", "dec")), start=1) for name in names}
_WEEKDAYS = {name: number for number, names in enumerate((
    ("pazartesi", "monday", "mon"), ("sali", "tuesday", "tue"), ("carsamba", "wednesday", "wed"),
    ("persembe", "thursday", "thu"), ("cuma", "friday", "fri"), ("cumartesi", "saturday", "sat"),
    ("pazar", "sunday", "sun"))) for name in names}

_WEEKDAY = re.compile(r"^([a-z]+),? (?=\d|[a-z]+ \d)")
_TIME = re.compile(r"(?:^|[ ,]+)(?:saat |at )?(\d{1,2})(?:[:.](\d{2}))?(?: ?(am|pm))?$")
_NUMERIC = re.compile(r"^(\d{1,2})[./-](\d{1,2})(?:[./-](\d{4}|\d{2}))?$")
_DAY_MONTH_NAME = re.compile(r"^(\d{1,2})\.? ([a-z]+)(?:,? (\d{4}))?$")
_MONTH_NAME_DAY = re.compile(r"^([a-z]+) (\d{1,2})(?:st|nd|rd|th)?(?:,? (\d{4}))?$")
_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")


def example_time(now: datetime, zone: ZoneInfo) -> datetime:
    """A date to show in examples that is always ahead: the 12th of next month at 14:00."""
    local = now.astimezone(zone)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return datetime(year, month, 12, 14, 0, tzinfo=zone)


def example_text(now: datetime, zone: ZoneInfo) -> str:
    """The example in the form people should type: `12.12.2026 14:00`."""
    return example_time(now, zone).strftime("%d.%m.%Y %H:%M")


def parse_meeting_time(text: str, zone: ZoneInfo, now: datetime) -> datetime:
    """The moment `text` names in `zone`, as aware UTC; it must lie ahead (within two years).

    Raises `InvalidAnswer` with a key saying what went wrong — unknown form, a date without
    a time, a date that does not exist (31.02.2026), a weekday that does not match, a time
    already past, a year too far — and an `example` that would have worked.
    """
    cleaned = " ".join(text.strip().split())
    shown = cleaned[:40]
    example = example_text(now, zone)
    local = _read(cleaned, zone, now, shown, example)
    if local <= now.astimezone(zone):
        raise InvalidAnswer("meeting.date_in_past", typed=shown, example=example)
    if local - now.astimezone(zone) > HORIZON:
        raise InvalidAnswer("meeting.date_too_far", typed=shown, example=example)
    return local.astimezone(UTC)


def _read(cleaned: str, zone: ZoneInfo, now: datetime, shown: str, example: str) -> datetime:
    if _ISO.match(cleaned):
        return _read_iso(cleaned, zone, shown, example)
    folded = fold(cleaned)
    weekday = None
    if (match := _WEEKDAY.match(folded)) and match.group(1) in _WEEKDAYS:
        weekday = _WEEKDAYS[match.group(1)]
        folded = folded[match.end():]
    time_match = _TIME.search(folded)
    date_part = folded[:time_match.start()].strip(" ,") if time_match else folded
    day_month_year = _read_date(date_part)
    if day_month_year is None:
        raise InvalidAnswer("meeting.bad_date", typed=shown, example=example)
    if time_match is None or not date_part:
        raise InvalidAnswer("meeting.missing_time", typed=shown, example=example)
    hour, minute = _read_clock(time_match, shown, example)
    day, month, year = day_month_year
    try:
        if year is None:  # `05.01 14:00` in December: next January; `20.11` on 25.11: past
            today = now.astimezone(zone)
            local = datetime(today.year, month, day, hour, minute, tzinfo=zone)
            following = datetime(today.year + 1, month, day, hour, minute, tzinfo=zone)
            if local <= today and following - today <= YEAR_WRAP:
                local = following
        else:
            local = datetime(year, month, day, hour, minute, tzinfo=zone)
    except ValueError:
        raise InvalidAnswer("meeting.no_such_date", typed=shown, example=example) from None
    if weekday is not None and local.weekday() != weekday:
        raise InvalidAnswer("meeting.weekday_mismatch", typed=shown, example=example,
                            date=local.strftime("%d.%m.%Y"))
    return local


def _read_date(part: str) -> tuple[int, int, int | None] | None:
    """(day, month, year or None) from the date part, or None if it is not a date."""
    if match := _NUMERIC.match(part):
        day, month, year = match.groups()
        return int(day), int(month), _full_year(year)
    if (match := _DAY_MONTH_NAME.match(part)) and match.group(2) in _MONTHS:
        return int(match.group(1)), _MONTHS[match.group(2)], _full_year(match.group(3))
    if (match := _MONTH_NAME_DAY.match(part)) and match.group(1) in _MONTHS:
        return int(match.group(2)), _MONTHS[match.group(1)], _full_year(match.group(3))
    return None


def _full_year(year: str | None) -> int | None:
    if year is None:
        return None
    return 2000 + int(year) if len(year) == 2 else int(year)


def _read_clock(match: re.Match[str], shown: str, example: str) -> tuple[int, int]:
    hour_text, minute_text, half = match.groups()
    if minute_text is None and half is None:  # `03.12.2026 14`: too easy to misread
        raise InvalidAnswer("meeting.missing_time", typed=shown, example=example)
    hour, minute = int(hour_text), int(minute_text or 0)
    if half is not None:
        if not 1 <= hour <= 12:
            raise InvalidAnswer("meeting.no_such_date", typed=shown, example=example)
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise InvalidAnswer("meeting.no_such_date", typed=shown, example=example)
    return hour, minute


def _read_iso(cleaned: str, zone: ZoneInfo, shown: str, example: str) -> datetime:
    date_text, _, clock = cleaned.replace("T", " ", 1).partition(" ")
    try:
        date.fromisoformat(date_text)
    except ValueError:
        well_formed = re.fullmatch(r"\d{4}-\d{2}-\d{2}", date_text) is not None
        raise InvalidAnswer("meeting.no_such_date" if well_formed else "meeting.bad_date",
                            typed=shown, example=example) from None
    if not clock:
        raise InvalidAnswer("meeting.missing_time", typed=shown, example=example)
    try:
        moment = datetime.fromisoformat(f"{date_text}T{clock}")
    except ValueError:
        raise InvalidAnswer("meeting.no_such_date", typed=shown, example=example) from None
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)
