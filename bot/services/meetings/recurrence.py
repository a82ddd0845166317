"""Repeating meetings: when the next occurrence of a series falls, and how a series reads.

weekly: every week on the same weekday and wall time. monthly: the nth weekday of each month
("the first Thursday", nth 1–4) or the last one (nth -1), so a series started on the 5th
Thursday of a month repeats on the last Thursday. Times are wall times in the group's zone,
so a series keeps "14:00" across daylight-saving changes.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.lazy_babel import format_date

from messages import normalize_language, t
from storage.meetings import Series


def nth_of(day: date) -> int:
    """Which weekday of its month `day` is: 1–4, or -1 for a fifth (= the last)."""
    nth = (day.day - 1) // 7 + 1
    return -1 if nth == 5 else nth


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    days = [week[weekday] for week in calendar.Calendar().monthdatescalendar(year, month)
            if week[weekday].month == month]
    return days[-1] if nth == -1 else days[nth - 1]


def next_date(series: Series, after: date) -> date:
    """The first occurrence strictly after `after`."""
    if series.frequency == "weekly":
        return after + timedelta(days=(series.weekday - after.weekday() - 1) % 7 + 1)
    year, month = after.year, after.month
    for _ in range(14):
        candidate = _nth_weekday(year, month, series.weekday, series.nth or 1)
        if candidate > after:
            return candidate
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise ValueError("no occurrence within a year")  # cannot happen for a valid series


def starts_on(series: Series, day: date, zone: ZoneInfo) -> datetime:
    hour, minute = (int(part) for part in series.local_time.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def describe(frequency: str, weekday: int, nth: int | None, local_time: str, lang: str) -> str:
    """`her hafta Perşembe 14:00`, `her ayın ilk Perşembe günü 14:00` / `every month on the
    first Thursday at 14:00`."""
    language = normalize_language(lang)
    name = format_date(date(2024, 1, 1) + timedelta(days=weekday), "EEEE", locale=language)
    if frequency == "weekly":
        return t("meeting.repeat_weekly", language, weekday=name, clock=local_time)
    ordinal = t(f"meeting.ordinal_{'last' if nth == -1 else nth or 1}", language)
    return t("meeting.repeat_monthly", language, nth=ordinal, weekday=name, clock=local_time)


def pattern_of(frequency: str, moment: datetime, zone: ZoneInfo) -> tuple[int, int | None, str]:
    """(weekday, nth, local_time) of a series of `frequency` whose occurrence is `moment`, as
    when a series is created: weekly keeps the weekday, monthly the nth weekday (`nth_of`)."""
    local = moment.astimezone(zone)
    return local.weekday(), nth_of(local.date()) if frequency == "monthly" else None, local.strftime("%H:%M")


def period_shift(frequency: str, old: date, new: date) -> int:
    """How many periods (weeks Monday–Sunday, or calendar months) `new` lies after `old`
    (negative before)."""
    if frequency == "weekly":
        return ((new - timedelta(days=new.weekday())) - (old - timedelta(days=old.weekday()))).days // 7
    return (new.year * 12 + new.month) - (old.year * 12 + old.month)


def shifted(series: Series, day: date, shift: int) -> date:
    """The date `series` (its new pattern) has in the period `shift` periods after the one of
    `day`: moving a whole series maps each occurrence to the new pattern's date in its own
    week or month (so a cancelled occurrence keeps its place and nothing collides)."""
    if series.frequency == "weekly":
        monday = day - timedelta(days=day.weekday()) + timedelta(weeks=shift)
        return monday + timedelta(days=series.weekday)
    index = day.year * 12 + day.month - 1 + shift
    return _nth_weekday(index // 12, index % 12 + 1, series.weekday, series.nth or 1)
