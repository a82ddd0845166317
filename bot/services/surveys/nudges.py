"""A survey's nudge times (hatırlatma zamanları): reading what a coordinator types, and saying
them back.

A nudge goes, through the reminders engine, to the members who have not finished, a set time
before the deadline (issue 9 §4: default 3 days and 1 day before; per survey). Times are whole
hours before the deadline, stored as `Survey.nudge_hours` (e.g. `(72, 24)`).

    >>> parse_nudge_times("5 gün, 1 gün")
    (120, 24)
    >>> parse_nudge_times("2 gün 12 saat")
    (60,)
    >>> parse_nudge_times("48 saat ve 2 hafta")
    (336, 48)
    >>> parse_nudge_times("yok")
    ()

Units, Turkish and English: hafta/hft, gün/g, saat/sa/s; week/wk/w, day/d, hour/hr/h (plural
forms too). Parts of one time go from the larger unit to the smaller (`2 gün 12 saat`); a unit
that repeats or grows starts the next time (`5 gün 1 gün` = two times). Times are separated by
`,`, `;`, `/`, `+`, `ve`, `and`; `önce`, `kala`, `before` are ignored (`1 gün önce`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.lazy_babel import format_list

from bot.errors import InvalidAnswer
from bot.text import fold
from messages import normalize_language, t

MAX_NUDGES = 5
LONGEST = timedelta(days=90)
NONE_WORDS = frozenset({"yok", "hic", "hicbiri", "hic yok", "hatirlatma yok", "istemiyorum", "none", "no",
                        "no reminders", "never", "off", "kapali", "-"})
_UNIT_HOURS = {
    **dict.fromkeys(("hafta", "hft", "week", "weeks", "wk", "wks", "w"), 168),
    **dict.fromkeys(("gun", "g", "day", "days", "d"), 24),
    **dict.fromkeys(("saat", "sa", "s", "hour", "hours", "hr", "hrs", "h"), 1),
}
_MINUTE_UNITS = frozenset({"dakika", "dk", "min", "mins", "minute", "minutes", "m"})
_IGNORED = frozenset({"once", "kala", "before", "the", "deadline", "son", "tarihten", "gunden"})
_SEPARATOR_WORDS = frozenset({"ve", "and", "ile"})
_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[a-z]+|[,;/+&]|\S")
EXAMPLES = "5 gün, 1 gün"


def parse_nudge_times(text: str) -> tuple[int, ...]:
    """The nudge times `text` names, as hours before the deadline, largest first, without
    repeats; `()` for "none" (`yok`, `none`, `hiç`).

    Raises InvalidAnswer with `typed` (what she wrote, shortened) and one of the keys
    `survey.nudges_bad` (unreadable), `survey.nudges_no_unit` (a number without a unit, `3`),
    `survey.nudges_whole_hours` (minutes, or `1,3 gün` which is not whole hours),
    `survey.nudges_range` (under 1 hour or over 90 days before; with `days`) or
    `survey.nudges_too_many` (more than 5; with `max`)."""
    shown = " ".join(text.split())[:40]
    folded = " ".join(fold(text).strip(" .!").split())
    if folded in NONE_WORDS:
        return ()
    tokens = _TOKEN.findall(folded)
    times: list[float] = []
    current: float | None = None
    last_unit = 10**6
    amount: float | None = None
    for token in tokens:
        if token[0].isdigit():
            if amount is not None:  # `3 1 gün`: a number without a unit
                raise InvalidAnswer("survey.nudges_no_unit", typed=shown)
            amount = float(token.replace(",", "."))
        elif token in _UNIT_HOURS or token in _MINUTE_UNITS:
            if amount is None:
                raise InvalidAnswer("survey.nudges_bad", typed=shown)
            if token in _MINUTE_UNITS:
                raise InvalidAnswer("survey.nudges_whole_hours", typed=shown)
            unit = _UNIT_HOURS[token]
            if current is not None and unit >= last_unit:  # `5 gün 1 gün`: the next time
                times.append(current)
                current = None
            current = (current or 0.0) + amount * unit
            last_unit, amount = unit, None
        elif token in (",", ";", "/", "+", "&") or token in _SEPARATOR_WORDS:
            if amount is not None:
                raise InvalidAnswer("survey.nudges_no_unit", typed=shown)
            if current is not None:
                times.append(current)
            current, last_unit = None, 10**6
        elif token in _IGNORED:
            continue
        else:
            raise InvalidAnswer("survey.nudges_bad", typed=shown)
    if amount is not None:
        raise InvalidAnswer("survey.nudges_no_unit", typed=shown)
    if current is not None:
        times.append(current)
    if not times:
        raise InvalidAnswer("survey.nudges_bad", typed=shown)
    hours: set[int] = set()
    for value in times:
        if abs(value - round(value)) > 1e-9:
            raise InvalidAnswer("survey.nudges_whole_hours", typed=shown)
        if not 1 <= round(value) <= LONGEST.total_seconds() // 3600:
            raise InvalidAnswer("survey.nudges_range", typed=shown, days=LONGEST.days)
        hours.add(round(value))
    if len(hours) > MAX_NUDGES:
        raise InvalidAnswer("survey.nudges_too_many", typed=shown, max=MAX_NUDGES)
    return tuple(sorted(hours, reverse=True))


def _count(unit: str, count: int, lang: str) -> str:
    return t(f"survey.span_{unit}_one" if count == 1 else f"survey.span_{unit}", lang, count=count)


def span(hours: int, lang: str) -> str:
    """`3 gün`, `2 gün 12 saat`, `1 hafta`, `48 saat` is `2 gün` / `2 days 12 hours` in English."""
    weeks, rest = divmod(hours, 168) if hours % 168 == 0 else (0, hours)
    if weeks:
        return _count("weeks", weeks, lang)
    days, rest = divmod(rest, 24)
    parts = ([_count("days", days, lang)] if days else []) + (
        [_count("hours", rest, lang)] if rest else [])
    return " ".join(parts)


def time_left(left: timedelta, lang: str) -> str:
    """What is left until the deadline: `2 gün 5 saat` (a day or more: to the nearest hour),
    `3 saat 20 dakika`, `40 dakika`."""
    minutes = max(0, int(left.total_seconds() // 60))
    if minutes < 60:
        return _count("minutes", minutes, lang)
    if minutes >= 24 * 60:  # a day or more: to the nearest hour
        return span(round(minutes / 60), lang)
    hours, rest = divmod(minutes, 60)
    if rest:
        return f"{span(hours, lang)} {_count('minutes', rest, lang)}"
    return span(hours, lang)


def describe(hours: Iterable[int], lang: str) -> str:
    """`son tarihten 3 gün ve 1 gün önce` / `3 days and 1 day before the deadline`; `yok` /
    `none` when there are none."""
    spans = [span(value, lang) for value in sorted(set(hours), reverse=True)]
    if not spans:
        return t("survey.nudges_none", lang)
    return t("survey.nudges_before", lang, times=format_list(spans, locale=normalize_language(lang)))


def too_late(hours: Iterable[int], deadline: datetime, now: datetime) -> list[int]:
    """The times whose moment (deadline − hours) is not after `now`: they will not be sent
    (never all at once when a survey is sent or changed late)."""
    return [value for value in sorted(set(hours), reverse=True) if deadline - timedelta(hours=value) <= now]


def dropped_notes(hours: Iterable[int], deadline: datetime, now: datetime, lang: str) -> list[str]:
    """One line per time that will not be sent: `⚠️ 3 gün önce: son tarihe 2 gün 5 saat var,
    gönderilmeyecek.`"""
    left = time_left(deadline - now, lang)
    return [t("survey.nudge_dropped", lang, time=span(value, lang), left=left)
            for value in too_late(hours, deadline, now)]
