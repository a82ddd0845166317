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

- parts of the day: `sabah 9`, `öğlen 12`, `öğleden sonra 3` (15:00), `akşam 7` (19:00),
  `gece 11`, `3 buçuk`, `tomorrow afternoon 3`, `friday evening 6`; a bare hour 1–6 without
  one (`yarın saat 3`) is the afternoon (`Parsed.hour_assumed`, confirmed); digits of any
  script (`٣`, `３`) are digits.

A date with a month word (`MONTH_WORDS`: Turkish and English names and short forms) is read
here from the typed day, month and year; relative words and weekdays are read by `dateparser`
(Turkish and English, day first, preferring future dates). Whatever reads it, the result must
agree with what was typed — the month word's month, the typed day number, the typed year —
else `dates.misread` (dateparser given several languages also knows time-zone abbreviations:
`MART` is Marquesas Time, and `13 Mart` once came back as 13 January). Then it is checked here: a time that cannot be
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
no year, an hour we interpreted), that lies more than a year ahead (`far_ahead`, e.g. a typo
`2062`), that falls in a repeated DST hour (`ambiguous`) or in the night (`night`, 00:00–05:59)
should be echoed with its weekday and confirmed before use (`Parsed.needs_confirmation`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.lazy_babel import get_timezone_location

from bot.errors import InvalidAnswer
from bot.text import ascii_digits, fold

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
    r"(?<![\d./-])(?:(?<![a-z])(?:saat|at)\s+)?(\d{1,2})(?:([:.])(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?"
    r"(?:'?(?:de|da|te|ta))?(?![\w./-])")
_HALF_HOUR = re.compile(r"(?<![\d:.])(\d{1,2})\s*(?:bucuk|and a half)\b")  # `3 buçuk` is 3:30
_OCLOCK = re.compile(r"\bo'?clock\b")
_NUMERIC_DATE = re.compile(r"(?<![\d:])(\d{1,2})[./-](\d{1,2})(?:[./-](\d{4}|\d{2}))?(?![\d:])")
_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
_YEAR = re.compile(r"\b\d{4}\b")

# Folded month words → month number: Turkish and English names and their usual short forms
# (`Oca`, `Şub`, `Ağu`, `Eyl`, `Jan`, `Sept`...). A date typed with one of these is read here, not
# by dateparser: given several languages, dateparser also knows time-zone abbreviations, and
# `MART` (Marquesas Time, UTC−9:30) beat the Turkish month, so `13 Mart` became 13 January.
MONTH_WORDS: dict[str, int] = {
    word: number for number, words in enumerate((
        ("ocak", "oca", "january", "jan"), ("subat", "sub", "february", "feb"),
        ("mart", "mar", "march"), ("nisan", "nis", "april", "apr"), ("mayis", "may"),
        ("haziran", "haz", "june", "jun"), ("temmuz", "tem", "july", "jul"),
        ("agustos", "agu", "agus", "august", "aug"), ("eylul", "eyl", "september", "sep", "sept"),
        ("ekim", "eki", "october", "oct"), ("kasim", "kas", "november", "nov"),
        ("aralik", "ara", "december", "dec")), start=1) for word in words}
# Words that may sit around a date without changing it: `3 Aralık Perşembe günü`, `the 3rd of`.
_FILLER = frozenset({"gunu", "gun", "tarihinde", "tarihi", "the", "of", "on", "saat", "at"})

# Parts of the day, folded, longest first: `öğleden sonra 3` is 15:00, `akşam 7` 19:00.
_PERIODS = tuple((re.compile(rf"\b(?:{pattern})\b"), name) for pattern, name in (
    (r"ogleden sonra|ogle ?den sonra|ikindi(?:n|de)?|aksamustu|in the afternoon|this afternoon|afternoon", "afternoon"),
    (r"ogle(?:n|yin|de)?|at noon|noon|midday", "noon"),
    (r"aksam(?:leyin|a|i|ki)?|in the evening|this evening|evening|tonight", "evening"),
    (r"sabah(?:leyin|a|i|ki)?|in the morning|this morning|morning", "morning"),
    (r"gece(?:leyin|si|yarisi)?|at night|night", "night"),
))
# Words that name today when no day is given: `bu akşam`, `tonight`.
_TODAY_PERIODS = re.compile(r"\b(?:bu|this|tonight)\b")
# A bare hour without a part of day: 1–6 is afternoon (13–18) — groups do not meet at 03:00.
AFTERNOON_HOURS = range(1, 7)


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
      `moment` is its first occurrence — confirm;
    - `hour_assumed`: a bare hour 1–6 without a part of day (`yarın saat 3`) was read as the
      afternoon (15:00) — confirm, saying so;
    - `night`: the time lies between 00:00 and 05:59 (`gece 2`, `03:00`) — confirm.
    """

    day: date
    clock: time | None
    moment: datetime | None
    literal: bool
    far_ahead: bool = False
    ambiguous: bool = False
    hour_assumed: bool = False
    night: bool = False
    period: str | None = None  # the part of day typed with a date alone (`yarın akşam`): for its time

    @property
    def needs_time(self) -> bool:
        return self.clock is None

    @property
    def needs_confirmation(self) -> bool:
        return not self.literal or self.far_ahead or self.ambiguous or self.hour_assumed or self.night


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
    `dates.no_such_time` (a wall time skipped by a DST change; + `date`), `dates.misread`
    (the reading does not agree with the typed day, month or year).
    """
    cleaned = " ".join(ascii_digits(text).strip().split())
    shown, example = cleaned[:40], example_text(now, zone)
    if not cleaned:
        raise InvalidAnswer("dates.bad_date", typed="—", example=example)
    if _ISO.match(cleaned):
        return _checked(*_read_iso(cleaned, zone, shown, example), True, zone, now, shown, example, allow_past)
    folded = fold(cleaned).replace(",", " ").replace("’", "'")
    folded = _HALF_HOUR.sub(r"\1:30", _OCLOCK.sub(" ", folded))  # `3 buçuk` is 3:30; `3 o'clock` is 3
    folded, period = _split_period(folded)
    typed, date_part = _split_clock(folded, shown, example)
    bare_hour = False
    if typed is None:  # `03.12.2026 14`, `yarın 14`: a bare hour after a whole date
        typed, date_part, bare_hour = _split_bare_hour(folded, shown, example)
    if typed is None and period is not None:  # `akşam 7`, `öğleden sonra 3'te`
        typed, date_part = _split_period_hour(folded)
    clock, assumed, shift = (None, False, 0) if typed is None else _to_time(typed, period, shown, example)
    if not date_part.strip(" -"):
        if clock is None or (period is None and not (typed and typed.half)):
            raise InvalidAnswer("dates.missing_date" if clock else "dates.bad_date", typed=shown, example=example)
        # `akşam 7`, `3 pm` alone: today, or tomorrow once that time has passed — confirmed
        local_now = now.astimezone(zone)
        day = local_now.date() + timedelta(days=shift)
        if datetime.combine(day, clock, tzinfo=zone) <= local_now:
            day += timedelta(days=1)
        return _checked(day, clock, False, zone, now, shown, example, allow_past)
    day, literal = _read_day(date_part, zone, now, shown, example, lang)
    if clock is None and period is not None:  # `yarın akşam`: the time question keeps the evening
        return replace(_checked(day, None, False, zone, now, shown, example, allow_past), period=period)
    # `14` for 14:00, `akşam 7` for 19:00, `saat 3` for 15:00 are our reading, not what was
    # typed: echoed and confirmed.
    return _checked(day + timedelta(days=shift), clock, literal and not bare_hour and period is None, zone, now,
                    shown, example, allow_past, hour_assumed=assumed)


_DAY_WORDS = frozenset({"bugun", "yarin", "obur", "today", "tomorrow", "tonight", "haftaya", *_WEEKDAYS})


def names_a_day(text: str) -> bool:
    """Whether `text` names a particular day — a number, a weekday, today/tomorrow, `haftaya` —
    rather than only a month or a week ("gelecek ay", "next month"): those are refused by
    the dialogs that have no confirmation step (milestones, proposal rounds)."""
    if any(ch.isdigit() for ch in text):
        return True
    return any(word in _DAY_WORDS for word in fold(text).replace(",", " ").split())


def parse_clock(text: str) -> time:
    """A time of day typed alone: `14:00`, `14.00`, `14`, `saat 14`, `2 pm`, `14:00'te`,
    `akşam 7` (19:00), `öğleden sonra 3` (15:00), `sabah 9`; a bare `3` is 15:00 (see
    `read_clock` for whether that was assumed).

    Raises `InvalidAnswer("dates.bad_clock", typed=…)`, or `dates.bad_hour` for `24:00`.
    """
    return read_clock(text)[0]


def read_clock(text: str, period: str | None = None) -> tuple[time, bool]:
    """`parse_clock`, and whether the hour was assumed to be the afternoon (a bare 1–6 without
    a part of day: `3` → 15:00), which the caller confirms. `period` is a part of day said
    before (`Parsed.period`: `yarın akşam`, then `7` is 19:00)."""
    shown = text.strip()[:40] or "—"
    folded = " ".join(fold(ascii_digits(text)).replace("’", "'").split())
    folded = _HALF_HOUR.sub(r"\1:30", _OCLOCK.sub(" ", folded))
    folded, typed_period = _split_period(folded)
    period = typed_period or period
    match = _CLOCK.fullmatch(" ".join(folded.split()))
    if match is None:
        raise InvalidAnswer("dates.bad_clock", typed=shown, example="14:00")
    clock, assumed, _shift = _to_time(_typed_of(match), period, shown, "14:00")
    return clock, assumed


def at_clock(day: date, clock: time, zone: ZoneInfo, now: datetime, *, literal: bool = True,
             allow_past: bool = False, hour_assumed: bool = False) -> Parsed:
    """`day` (from a date-only `Parsed`) at `clock`, with the same checks as `parse_when`;
    `hour_assumed` as `read_clock` says."""
    shown = f"{day:%d.%m.%Y} {clock:%H:%M}"
    return _checked(day, clock, literal, zone, now, shown, example_text(now, zone), allow_past,
                    hour_assumed=hour_assumed)


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

@dataclass(frozen=True)
class _TypedClock:
    """A time as typed, before a part of day or the afternoon rule makes it a `time`."""

    hour: str
    minute: int
    half: str  # "am", "pm" or ""


def _typed_of(match: re.Match[str]) -> _TypedClock:
    return _TypedClock(match.group(1), int(match.group(3) or 0), (match.group(4) or "").replace(".", ""))


def _split_period(folded: str) -> tuple[str, str | None]:
    """The part of day named in the text (`afternoon`, `noon`, `evening`, `morning`, `night`)
    and the text without it; `tonight` / `bu akşam` leave `bugun` (today) behind."""
    for pattern, name in _PERIODS:
        match = pattern.search(folded)
        if match is None:
            continue
        word = match.group(0)
        rest = folded[:match.start()] + (" bugun " if word == "tonight" else " ") + folded[match.end():]
        before = rest[:match.start()].split()
        if before and before[-1] in ("bu", "this"):  # `bu akşam 7`: today
            rest = " ".join(before[:-1]) + " bugun " + rest[match.start():]
        return " ".join(rest.split()), name
    return folded, None


# A bare number that can be the hour next to a part of day: `akşam 7`, `7'de`, `sabah 9da`.
_PERIOD_HOUR = re.compile(r"(?<![\d./:-])(\d{1,2})(?:'?(?:de|da|te|ta))?(?![\w./:-])")


def _split_period_hour(folded: str) -> tuple[_TypedClock | None, str]:
    """With a part of day named: the last bare number 0–23 not followed by a month word
    (`3 Aralık akşam 7` → 7) as the hour, and the text without it."""
    for match in reversed(list(_PERIOD_HOUR.finditer(folded))):
        following = folded[match.end():].split()
        if following and _month_of(following[0]) is not None:
            continue  # `3 Aralık`: a day of a month
        if int(match.group(1)) > 23:
            continue
        rest = " ".join((folded[:match.start()] + " " + folded[match.end():]).split())
        rest = " ".join(re.sub(r"\b(saat|at)\b", " ", rest).split())
        return _TypedClock(match.group(1), 0, ""), rest
    return None, folded


def _to_time(typed: _TypedClock, period: str | None, shown: str, example: str) -> tuple[time, bool, int]:
    """The wall time a typed hour means: (time, whether the afternoon was assumed, days to add).

    `2 pm` → 14:00; with a part of day, an hour 1–12 is moved into it (`akşam 7` 19:00,
    `öğleden sonra 3` 15:00, `öğlen 1` 13:00, `gece 11` 23:00, `gece 12` 00:00 of the next
    day, `sabah 9` 09:00); without one, a bare 1–6 (not `03`) is 13:00–18:00, assumed; an hour
    of 13–23 is taken as typed. Raises `dates.bad_hour` (24:00, 14:75, 13 pm)."""
    hour, minute = int(typed.hour), typed.minute
    if typed.half:
        if not 1 <= hour <= 12 or minute > 59:
            raise InvalidAnswer("dates.bad_hour", typed=shown, example=example)
        return time(hour % 12 + (12 if typed.half == "pm" else 0), minute), False, 0
    if hour > 23 or minute > 59:
        raise InvalidAnswer("dates.bad_hour", typed=shown, example=example)
    if period is not None and 1 <= hour <= 12:
        if hour == 12 and period in ("evening", "night"):  # `gece 12`: the midnight that ends the day
            return time(0, minute), False, 1
        if period in ("afternoon", "evening") or (period == "noon" and hour <= 5) or (period == "night" and hour >= 6):
            return time(hour % 12 + 12, minute), False, 0
        return time(hour, minute), False, 0  # `sabah 9`, `öğlen 12`, `gece 2`
    if period is None and hour in AFTERNOON_HOURS and not typed.hour.startswith("0"):
        return time(hour + 12, minute), True, 0
    return time(hour, minute), False, 0


def _split_clock(folded: str, shown: str, example: str) -> tuple[_TypedClock | None, str]:
    """The clock time in the text and the text without it. A lone `12.12` is a date, not 12:12:
    a dotted token is a time only next to another date word or after `saat`/`at`."""
    candidates = [m for m in _CLOCK.finditer(folded) if _looks_like_clock(m, folded)]
    if not candidates:
        return None, folded
    match = candidates[-1]
    rest = (folded[:match.start()] + " " + folded[match.end():])
    rest = " ".join(re.sub(r"\b(saat|at|de|da|te|ta)\b", " ", rest).split())
    _to_time(_typed_of(match), None, shown, example)  # `24:00`, `13 pm`: the hour is wrong
    return _typed_of(match), rest


# A bare hour at the very end: `14`, `14'te`, `9'da` (the locative suffix optional).
_BARE_HOUR = re.compile(r"(?<![\d./:-])(\d{1,2})(?:'?(?:de|da|te|ta))?\s*$")
_DAY_NUMBER = re.compile(r"(?<![\d./:-])\d{1,2}(?![\d./:-])")


def _split_bare_hour(folded: str, shown: str, example: str) -> tuple[_TypedClock | None, str, bool]:
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
    rest = " ".join(re.sub(r"\b(saat|at)\b", " ", rest).split())
    return _TypedClock(match.group(1), 0, ""), rest, True


_MONTH_SUFFIX = re.compile(r"^(ocak|subat|mart|nisan|mayis|haziran|temmuz|agustos|eylul|ekim|kasim|aralik)"
                           r"'?(?:ta|te|da|de|in|un|i|u)?$")


def _month_of(word: str) -> int | None:
    """The month a folded word names (`aralik`, `Ara`, `sept`, `aralık'ta`, `martta`), else None."""
    word = word.strip(".")
    if word in MONTH_WORDS:
        return MONTH_WORDS[word]
    match = _MONTH_SUFFIX.match(word)
    return MONTH_WORDS[match.group(1)] if match else None


@dataclass(frozen=True)
class _TypedDay:
    """The parts of a date typed with a month word: what the reading must agree with."""

    month: int | None
    day: int | None
    year: int | None
    only_known_words: bool  # nothing but numbers, the month, a weekday and filler words
    several_months: bool = False  # `3 Aralık Ocak`


_DATE_TOKEN = re.compile(r"\d+(?:st|nd|rd|th|'[a-z]+|\.)?|[a-z]+(?:'[a-z]+)?")


def _typed_day(part: str) -> _TypedDay:
    """Day number, month and year as typed in `part` (`3 Aralık 2026`, `Dec 3rd`, `3 Ara 26`)."""
    months: set[int] = set()
    numbers: list[tuple[str, bool]] = []  # (digits, after the month word)
    known = True
    for token in _DATE_TOKEN.findall(part):
        if token[0].isdigit():
            numbers.append((re.match(r"\d+", token).group(0), bool(months)))  # type: ignore[union-attr]
            continue
        month = _month_of(token)
        if month is not None:
            months.add(month)
        elif token.split("'")[0] not in _WEEKDAYS and token.split("'")[0] not in _CANONICAL \
                and token not in _FILLER:
            known = False
    month = next(iter(months)) if len(months) == 1 else None
    if len(months) > 1:
        known = False
    small = [digits for digits, _after in numbers if len(digits) <= 2]
    years = [int(digits) for digits, _after in numbers if len(digits) == 4]
    if len(small) == 2 and not years and numbers[-1][1] and len(numbers[-1][0]) == 2:  # `3 Ara 26`
        years, small = [2000 + int(small[1])], small[:1]
    if len(small) > 1 or len(years) > 1 or len(small) + len(years) != len(numbers):
        known = False
    return _TypedDay(month, int(small[0]) if len(small) == 1 else None,
                     years[0] if len(years) == 1 else None, known, len(months) > 1)


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
    literal = bool(_YEAR.search(part) or (numeric and numeric.group(3)) or _typed_day(part).year)
    next_week = any(word in _NEXT_WEEK for word in words)
    if weekday is not None and next_week and not has_number:  # `haftaya cuma`: Friday of next week
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        return monday + timedelta(days=weekday), False
    typed = _typed_day(part)
    if typed.several_months:
        raise InvalidAnswer("dates.bad_date", typed=shown, example=example)
    if typed.month is not None and not numeric:
        if typed.day is None or not typed.only_known_words:
            # `Aralık`, `Aralık 2026`: which day? `3 4 Aralık`, `3 Aralık Ocak`: which date?
            raise InvalidAnswer("dates.bad_date", typed=shown, example=example)
        try:
            found = date(typed.year or today.year, typed.month, typed.day)
        except ValueError:
            raise InvalidAnswer("dates.no_such_date", typed=shown, example=example) from None
        if typed.year is None and found < today:
            found = _next_year(found, shown, example)
    elif numeric:  # dateparser does not read `12.12` without a year; we do, then let it check
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
        # Whatever the reader made of it, a typed day number or year must come back as typed.
        if (typed.day is not None and typed.only_known_words and found.day != typed.day) \
                or (typed.year is not None and found.year != typed.year):
            raise InvalidAnswer("dates.misread", typed=shown, example=example)
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
             shown: str, example: str, allow_past: bool, *, hour_assumed: bool = False) -> Parsed:
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
                  far_ahead=local - local_now > FAR_AHEAD, ambiguous=issue == "fold",
                  hour_assumed=hour_assumed, night=clock.hour < 6)
