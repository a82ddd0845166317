"""Reading the dates people type, the way Turkish coordinators type them.

One public entry point, `parse_when(text, zone, now, lang)`, shared by every feature that asks
for a date (meetings, plan milestones...). It accepts, in the group's time zone:

- numbers: `03.12.2026 14:00`, `3.12.26 14.00`, `03/12/2026 14:00`, `3-12-26 9:30`, `12.12 14:00`;
- month names and their short forms: `3 Aralık 14:00`, `3 Ara 2026 14:00`, `3 ARALIK 14:00`,
  `3 aralik 2026 saat 14:00`, `December 3, 2026 2:00 pm`, `3 Dec 14:00`;
- the time first or last, `saat` / `at` between: `14:00 3 Aralık`, `3 Aralık saat 14:00`;
- a bare hour after a whole date: `03.12.2026 14`, `3 Aralık 14`, `yarın 14` (14:00, confirmed);
- relative words: `yarın 14:00`, `cuma 14:00`, `bugün 18:30`, `tomorrow 2pm`, `friday 14:00`;
- the bot's own echo `Perşembe, 03.12.2026 14:00` and ISO 8601 (`2026-12-03T14:00+03:00`).

The date itself is read by `dateparser` (restricted to Turkish and English, day first,
preferring future dates); what comes back is then checked strictly here: a time that cannot be
(`24:00` says the *hour* is wrong), a date that does not exist (`31.02`), a weekday that does
not match the date, a moment already past, a wall time skipped or repeated by a daylight-saving
change in the zone. A date without a year means the next such date. What is typed without a
time is returned as a day (`Parsed.clock is None`) so that the caller asks only for the time
(`parse_clock`, then `at_clock`) or, for milestones, takes the day as it is.

For a feature whose time is optional (a plan milestone's due date):

    parsed = parse_when(text, ZoneInfo(group.timezone), clock.now(), member.language)
    due = parsed.moment or datetime.combine(parsed.day, time(0), tzinfo=zone)  # or keep the day
    # InvalidAnswer -> reply t(error.key, lang, **error.params); messages in messages/*/dates.toml

Everything that was not a literal, full date (`literal=False`: a relative word, a weekday,
no year), that lies more than a year ahead (`far_ahead`, e.g. a typo `2062`) or that falls in
a repeated DST hour (`ambiguous`) should be echoed with its weekday and confirmed before use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import get_timezone_location

from bot.errors import InvalidAnswer
from bot.text import fold

# More than this ahead is confirmed, not taken (a meeting in 2062 is a typo for 2026).
FAR_AHEAD = timedelta(days=366)
LANGUAGES = ("tr", "en")

# Folded spellings (and short forms) → the spelling dateparser knows. dateparser lower-cases
# with Python's rules, so `ARALIK` becomes `aralik` and is not found; we fold ourselves first.
_CANONICAL = {
    **dict.fromkeys(("ocak", "oca"), "ocak"), **dict.fromkeys(("subat", "sub"), "şubat"),
    "mart": "mart", **dict.fromkeys(("nisan", "nis"), "nisan"), **dict.fromkeys(("mayis",), "mayıs"),
    **dict.fromkeys(("haziran", "haz"), "haziran"), **dict.fromkeys(("temmuz", "tem"), "temmuz"),
    **dict.fromkeys(("agustos", "agu", "agus"), "ağustos"), **dict.fromkeys(("eylul", "eyl"), "eylül"),
    **dict.fromkeys(("ekim", "eki"), "ekim"), **dict.fromkeys(("kasim", "kas"), "kasım"),
    **dict.fromkeys(("aralik", "ara"), "aralık"),
    "pazartesi": "pazartesi", "sali": "salı", "carsamba": "çarşamba", "persembe": "perşembe",
    "cuma": "cuma", "cumartesi": "cumartesi", "pazar": "pazar",
    "pzt": "pazartesi", "sal": "salı", "car": "çarşamba", "per": "perşembe", "cum": "cuma",
    "cmt": "cumartesi", "paz": "pazar",
    "bugun": "bugün", "yarin": "yarın",
}
_WEEKDAYS = {name: number for number, names in enumerate((
    ("pazartesi", "pzt", "monday", "mon"), ("sali", "sal", "tuesday", "tue", "tues"),
    ("carsamba", "car", "wednesday", "wed"), ("persembe", "per", "thursday", "thu", "thurs"),
    ("cuma", "cum", "friday", "fri"), ("cumartesi", "cmt", "saturday", "sat"),
    ("pazar", "paz", "sunday", "sun"))) for name in names}
_NEXT_WEEK = frozenset({"haftaya", "gelecek", "sonraki", "next"})
_RELATIVE = frozenset({"bugun", "yarin", "obur", "ertesi", "haftaya", "gelecek", "sonraki", "today",
                       "tomorrow", "next", "tonight", "aksam", "sabah", *_WEEKDAYS})

# A clock time: `14:00`, `14.00`, `9:30`, `2:00 pm`, `2pm`, `saat 14`, `14:00'te`.
_CLOCK = re.compile(
    r"(?<![\d./-])(?:(?:saat|at)\s+)?(\d{1,2})(?:([:.])(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?"
    r"(?:'?(?:de|da|te|ta))?(?![\w./-])")
_NUMERIC_DATE = re.compile(r"(?<![\d:])(\d{1,2})[./-](\d{1,2})(?:[./-](\d{4}|\d{2}))?(?![\d:])")
_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
_YEAR = re.compile(r"\b\d{4}\b")


@dataclass(frozen=True)
class Parsed:
    """What `parse_when` understood.

    - `day`: the local calendar day;
    - `clock`: the local wall time, or None when only a date was typed;
    - `moment`: `day` at `clock` in the zone as an aware UTC datetime (None without a clock);
    - `literal`: the text named the full date itself (day, month, year), so an echo suffices;
      False for relative words, weekdays and a left-out year, which are confirmed;
    - `far_ahead`: more than `FAR_AHEAD` ahead — confirm (`2062` for `2026`);
    - `ambiguous`: the wall time occurs twice in the zone (the hour repeated when DST ends);
      `moment` is its first occurrence — confirm.
    """

    day: date
    clock: time | None
    moment: datetime | None
    literal: bool
    far_ahead: bool = False
    ambiguous: bool = False

    @property
    def needs_time(self) -> bool:
        return self.clock is None

    @property
    def needs_confirmation(self) -> bool:
        return not self.literal or self.far_ahead or self.ambiguous


def example_time(now: datetime, zone: ZoneInfo) -> datetime:
    """A date to show in examples that is always ahead: the 12th of next month at 14:00."""
    local = now.astimezone(zone)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return datetime(year, month, 12, 14, 0, tzinfo=zone)


def example_text(now: datetime, zone: ZoneInfo) -> str:
    """The example in the form people should type: `12.12.2026 14:00`."""
    return example_time(now, zone).strftime("%d.%m.%Y %H:%M")


def zone_name(zone: ZoneInfo | str, lang: str) -> str:
    """The zone as people call it, not its IANA id: `Türkiye saati`, `Türkiye Time`,
    `Almanya (Berlin) saati` (Babel's CLDR location names)."""
    zone = ZoneInfo(zone) if isinstance(zone, str) else zone
    name = get_timezone_location(zone, locale="tr" if lang == "tr" else "en")
    return name.replace(" Saati", " saati") if lang == "tr" else name


def parse_when(text: str, zone: ZoneInfo, now: datetime, lang: str = "tr", *,
               allow_past: bool = False) -> Parsed:
    """Read a date, with or without a time, typed in `zone`'s wall time.

    `now` is an aware datetime (the injectable clock); `lang` the person's language ("tr" or
    "en"; both are understood, hers first). Returns a `Parsed`. Raises `InvalidAnswer` with
    params `typed` and `example` (`example_text`) and one of these keys:
    `dates.bad_date` (no date found), `dates.missing_date` (only a time), `dates.no_such_date`
    (31.02), `dates.bad_hour` (24:00, 14:75, 13 pm), `dates.weekday_mismatch` (+ `date`),
    `dates.in_past` (unless `allow_past`; a date-only answer is past only before today),
    `dates.no_such_time` (a wall time skipped by a DST change; + `date`).
    """
    cleaned = " ".join(text.strip().split())
    shown, example = cleaned[:40], example_text(now, zone)
    if not cleaned:
        raise InvalidAnswer("dates.bad_date", typed="—", example=example)
    if _ISO.match(cleaned):
        return _checked(*_read_iso(cleaned, zone, shown, example), True, zone, now, shown, example, allow_past)
    folded = fold(cleaned).replace(",", " ").replace("’", "'")
    clock, date_part = _split_clock(folded, shown, example)
    bare_hour = False
    if clock is None:  # `03.12.2026 14`, `yarın 14`: a bare hour after a whole date
        clock, date_part, bare_hour = _split_bare_hour(folded, shown, example)
    if not date_part.strip(" -"):
        raise InvalidAnswer("dates.missing_date" if clock else "dates.bad_date", typed=shown, example=example)
    day, literal = _read_day(date_part, zone, now, shown, example, lang)
    # `14` for 14:00 is our reading, not what was typed: echoed and confirmed.
    return _checked(day, clock, literal and not bare_hour, zone, now, shown, example, allow_past)


_DAY_WORDS = frozenset({"bugun", "yarin", "obur", "today", "tomorrow", "tonight", "haftaya", *_WEEKDAYS})


def names_a_day(text: str) -> bool:
    """Whether `text` names a particular day — a number, a weekday, today/tomorrow, `haftaya` —
    rather than only a month or a week ("gelecek ay", "next month"): those are refused by
    the dialogs that have no confirmation step (milestones, proposal rounds)."""
    if any(ch.isdigit() for ch in text):
        return True
    return any(word in _DAY_WORDS for word in fold(text).replace(",", " ").split())


def parse_clock(text: str) -> time:
    """A time of day typed alone: `14:00`, `14.00`, `14`, `saat 14`, `2 pm`, `14:00'te`.

    Raises `InvalidAnswer("dates.bad_clock", typed=…)`, or `dates.bad_hour` for `24:00`.
    """
    folded = " ".join(fold(text).split())
    match = _CLOCK.fullmatch(folded)
    if match is None:
        raise InvalidAnswer("dates.bad_clock", typed=text.strip()[:40] or "—", example="14:00")
    return _clock_of(match, text.strip()[:40], "14:00")


def at_clock(day: date, clock: time, zone: ZoneInfo, now: datetime, *, literal: bool = True,
             allow_past: bool = False) -> Parsed:
    """`day` (from a date-only `Parsed`) at `clock`, with the same checks as `parse_when`."""
    shown = f"{day:%d.%m.%Y} {clock:%H:%M}"
    return _checked(day, clock, literal, zone, now, shown, example_text(now, zone), allow_past)


def wall_time_issue(day: date, clock: time, zone: ZoneInfo) -> str | None:
    """"gap" when the wall time does not exist in `zone` (clocks jump forward over it), "fold"
    when it exists twice (clocks go back), None otherwise (always None for Turkey, which has
    kept UTC+3 all year since 2016). Source: PEP 495 (fold)."""
    naive = datetime.combine(day, clock)
    first, second = naive.replace(tzinfo=zone, fold=0), naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return None
    round_trip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return "fold" if round_trip == naive else "gap"


# -- the parts ----------------------------------------------------------------------------

def _split_clock(folded: str, shown: str, example: str) -> tuple[time | None, str]:
    """The clock time in the text and the text without it. A lone `12.12` is a date, not 12:12:
    a dotted token is a time only next to another date word or after `saat`/`at`."""
    candidates = [m for m in _CLOCK.finditer(folded) if _looks_like_clock(m, folded)]
    if not candidates:
        return None, folded
    match = candidates[-1]
    rest = (folded[:match.start()] + " " + folded[match.end():])
    rest = " ".join(re.sub(r"\b(saat|at|de|da|te|ta)\b", " ", rest).split())
    return _clock_of(match, shown, example), rest


# A bare hour at the very end: `14`, `14'te`, `9'da` (the locative suffix optional).
_BARE_HOUR = re.compile(r"(?<![\d./:-])(\d{1,2})(?:'?(?:de|da|te|ta))?\s*$")
_DAY_NUMBER = re.compile(r"(?<![\d./:-])\d{1,2}(?![\d./:-])")


def _split_bare_hour(folded: str, shown: str, example: str) -> tuple[time | None, str, bool]:
    """`03.12.2026 14`, `3 Aralık 14`, `yarın 14`, `cuma 14'te`: a number 0–23 at the end is
    the hour (minutes :00) when the text before it already names a whole day by itself — a
    numeric date, a day number with a month name, or a day word (yarın, cuma...). `December 3`
    and `3 Aralık 2026` stay dates. Returns (clock, the rest, whether a bare hour was read)."""
    match = _BARE_HOUR.search(folded)
    if match is None:
        return None, folded, False
    rest = folded[:match.start()].strip(" -")
    words = re.findall(r"[a-z]+", rest)
    if int(match.group(1)) > 23:  # `03.12.2026 24`: the date is whole, so 24 is a wrong hour
        numeric = _NUMERIC_DATE.search(rest)
        if (numeric and numeric.group(3)) or _YEAR.search(rest):
            raise InvalidAnswer("dates.bad_hour", typed=shown, example=example)
        return None, folded, False
    names_day = (bool(_NUMERIC_DATE.search(rest))
                 or any(word in _DAY_WORDS for word in words)
                 or (bool(_DAY_NUMBER.search(rest)) and any(_is_month_word(_CANONICAL.get(word, word))
                                                            or _is_turkish_month(word) for word in words)))
    if not rest or not names_day:
        return None, folded, False
    hour = int(match.group(1))
    rest = " ".join(re.sub(r"\b(saat|at)\b", " ", rest).split())
    return time(hour, 0), rest, True


def _is_turkish_month(word: str) -> bool:
    return word[:3] in {"oca", "sub", "mar", "nis", "may", "haz", "tem", "agu", "eyl", "eki", "kas", "ara"}


def _looks_like_clock(match: re.Match[str], folded: str) -> bool:
    hour, separator, _minutes, half = match.group(1), match.group(2), match.group(3), match.group(4)
    prefixed = match.group(0).lstrip().startswith(("saat", "at "))
    if separator == ":" or half or prefixed:
        return True
    if separator == ".":  # `14.00` is a time only if something else in the text is the date
        rest = folded[:match.start()] + " " + folded[match.end():]
        return bool(rest.strip()) and (bool(_NUMERIC_DATE.search(rest)) or _has_date_word(rest))
    del hour
    return False  # a bare number (`3` in `3 Aralık`) is a day, not an hour


def _has_date_word(text: str) -> bool:
    return any(word in _CANONICAL or word in _RELATIVE or _is_month_word(word)
               for word in re.findall(r"[a-z]+", text))


def _is_month_word(word: str) -> bool:
    return word[:3] in {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}


def _clock_of(match: re.Match[str], shown: str, example: str) -> time:
    hour, minute = int(match.group(1)), int(match.group(3) or 0)
    half = (match.group(4) or "").replace(".", "")
    if half:
        if not 1 <= hour <= 12:
            raise InvalidAnswer("dates.bad_hour", typed=shown, example=example)
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise InvalidAnswer("dates.bad_hour", typed=shown, example=example)
    return time(hour, minute)


def _next_day_numbered(number: int, today: date) -> date:
    """The first day numbered `number` from today on (this month, else the next month that has
    it: `31` in November is 31 December)."""
    year, month = today.year, today.month
    for _ in range(13):
        try:
            found = date(year, month, number)
        except ValueError:
            found = None
        if found is not None and found >= today:
            return found
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return today


def _read_day(part: str, zone: ZoneInfo, now: datetime, shown: str, example: str,
              lang: str) -> tuple[date, bool]:
    """The calendar day the date part names and whether it was literal (with its year)."""
    today = now.astimezone(zone).date()
    bare = part.strip(" .-")
    if re.fullmatch(r"\d{1,2}", bare) and 1 <= int(bare) <= 31:  # `2`: the next 2nd of a month
        return _next_day_numbered(int(bare), today), False
    if bare in ("obur gun", "oburgun", "obur", "day after tomorrow"):  # öbür gün
        return today + timedelta(days=2), False
    words = re.findall(r"[a-z]+", part)
    weekday = next((_WEEKDAYS[word] for word in words if word in _WEEKDAYS), None)
    numeric = _NUMERIC_DATE.search(part)
    has_number = bool(re.search(r"\d", part))
    relative = any(word in _RELATIVE for word in words)
    literal = bool(_YEAR.search(part) or (numeric and numeric.group(3)))
    next_week = any(word in _NEXT_WEEK for word in words)
    if weekday is not None and next_week and not has_number:  # `haftaya cuma`: Friday of next week
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        return monday + timedelta(days=weekday), False
    if numeric:  # dateparser does not read `12.12` without a year; we do, then let it check
        day_text, month_text, year_text = numeric.groups()
        year = int(year_text) + (2000 if year_text and len(year_text) == 2 else 0) if year_text else today.year
        try:
            found = date(year, int(month_text), int(day_text))
        except ValueError:
            raise InvalidAnswer("dates.no_such_date", typed=shown, example=example) from None
        if not year_text and found < today:
            found = _next_year(found, shown, example)
    else:
        found = _dateparser_day(part, today, lang, shown, example, has_number)
        if has_number and not _YEAR.search(part) and not relative and found < today:
            found = _next_year(found, shown, example)
    if weekday is not None and has_number and found.weekday() != weekday:
        raise InvalidAnswer("dates.weekday_mismatch", typed=shown, example=example,
                            date=found.strftime("%d.%m.%Y"))
    return found, literal and not (relative and not has_number)


def _next_year(found: date, shown: str, example: str) -> date:
    try:
        return found.replace(year=found.year + 1)
    except ValueError:  # 29.02 without a year, next year not a leap year
        raise InvalidAnswer("dates.no_such_date", typed=shown, example=example) from None


def _dateparser_day(part: str, today: date, lang: str, shown: str, example: str, has_number: bool) -> date:
    canonical = " ".join(_CANONICAL.get(word, word) for word in part.split())
    languages = [lang, *(other for other in LANGUAGES if other != lang)] if lang in LANGUAGES else list(LANGUAGES)
    base = datetime.combine(today, time(12, 0))
    import dateparser  # imported where used: start-up stays light (issue 24)
    parsed = dateparser.parse(canonical, languages=languages, settings={
        "DATE_ORDER": "DMY", "PREFER_DATES_FROM": "future", "RELATIVE_BASE": base,
        "RETURN_AS_TIMEZONE_AWARE": False, "PREFER_DAY_OF_MONTH": "first",
        "REQUIRE_PARTS": ["day"] if has_number else []})
    if parsed is None:
        # `31 şubat 2026`: a day and a month name that dateparser refuses → the date is impossible
        key = "dates.no_such_date" if has_number and _has_date_word(part) else "dates.bad_date"
        raise InvalidAnswer(key, typed=shown, example=example)
    return parsed.date()


def _read_iso(cleaned: str, zone: ZoneInfo, shown: str, example: str) -> tuple[date, time | None]:
    date_text, _, clock = cleaned.replace("T", " ", 1).partition(" ")
    try:
        day = date.fromisoformat(date_text)
    except ValueError:
        well_formed = re.fullmatch(r"\d{4}-\d{2}-\d{2}", date_text) is not None
        raise InvalidAnswer("dates.no_such_date" if well_formed else "dates.bad_date",
                            typed=shown, example=example) from None
    if not clock:
        return day, None
    try:
        moment = datetime.fromisoformat(f"{date_text}T{clock}")
    except ValueError:
        raise InvalidAnswer("dates.bad_hour", typed=shown, example=example) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(zone)
    return moment.date(), moment.time().replace(second=0, microsecond=0, tzinfo=None)


def _checked(day: date, clock: time | None, literal: bool, zone: ZoneInfo, now: datetime,
             shown: str, example: str, allow_past: bool) -> Parsed:
    local_now = now.astimezone(zone)
    if clock is None:
        if day < local_now.date() and not allow_past:
            raise InvalidAnswer("dates.in_past", typed=shown, example=example)
        far = datetime.combine(day, time(0), tzinfo=zone) - local_now > FAR_AHEAD
        return Parsed(day=day, clock=None, moment=None, literal=literal, far_ahead=far)
    issue = wall_time_issue(day, clock, zone)
    if issue == "gap":
        raise InvalidAnswer("dates.no_such_time", typed=shown, example=example, date=day.strftime("%d.%m.%Y"))
    local = datetime.combine(day, clock, tzinfo=zone)
    if local <= local_now and not allow_past:
        raise InvalidAnswer("dates.in_past", typed=shown, example=example)
    return Parsed(day=day, clock=clock, moment=local.astimezone(UTC), literal=literal,
                  far_ahead=local - local_now > FAR_AHEAD, ambiguous=issue == "fold")
