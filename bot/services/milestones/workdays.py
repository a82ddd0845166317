"""Working days in Turkey and the council's session day.

Public holidays come from the maintained `holidays` package (`holidays.country_holidays("TR")`:
official holidays of Law 2429 incl. the religious feasts), not a hand-written list.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from typing import TYPE_CHECKING

from bot.text import fold

if TYPE_CHECKING:
    import holidays

WEEKDAY_NAMES: dict[str, int] = {name: number for number, names in enumerate((
    ("pazartesi", "pzt", "monday", "mon"), ("sali", "tuesday", "tue"), ("carsamba", "wednesday", "wed"),
    ("persembe", "thursday", "thu"), ("cuma", "friday", "fri"), ("cumartesi", "saturday", "sat"),
    ("pazar", "sunday", "sun"))) for name in names}
ORDINALS: dict[str, int] = {"ilk": 1, "birinci": 1, "1.": 1, "1": 1, "first": 1, "1st": 1,
                            "ikinci": 2, "2.": 2, "2": 2, "second": 2, "2nd": 2}
# Law 5393 art. 20: the council meets in the first week of the month, on a day it fixes.
DEFAULT_COUNCIL_RULE = {"nth": 1, "weekday": 0}
COUNCIL_SETTING = "council_rule"


# Our language codes → the `holidays` package's localisations of Turkey's holidays
# (`holidays.country_holidays("TR").supported_languages`: en_US, tr, ...).
_HOLIDAY_LANGUAGES = {"tr": "tr", "en": "en_US"}


@cache
def _turkish_holidays(year: int, language: str = "tr") -> holidays.HolidayBase:
    import holidays  # imported where used: start-up stays light (issue 24)
    return holidays.country_holidays("TR", years=year, language=language)


def holiday_name(day: date, lang: str = "tr") -> str | None:
    """The Turkish public holiday on `day` in the reader's language (`Cumhuriyet Bayramı` /
    `Republic Day`, `Kurban Bayramı` / `Eid al-Adha`; names from the `holidays` package's
    localisation), or None."""
    return _turkish_holidays(day.year, _HOLIDAY_LANGUAGES.get(lang, "tr")).get(day)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a Turkish public holiday."""
    return day.weekday() < 5 and holiday_name(day) is None


def working_day_on_or_before(day: date) -> date:
    """`day` itself if people work then, else the last working day before it."""
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def nth_weekday(year: int, month: int, nth: int, weekday: int) -> date:
    """The `nth` (1-based) `weekday` (0 = Monday) of the month: "first Tuesday of April"."""
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def read_council_rule(text: str) -> dict[str, int] | None:
    """`ilk salı`, `first Tuesday`, `2. çarşamba` → {"nth": 1, "weekday": 1}; None if not a rule."""
    words = fold(text).replace(",", " ").split()
    if len(words) == 1 and words[0] in WEEKDAY_NAMES:
        return {"nth": 1, "weekday": WEEKDAY_NAMES[words[0]]}
    if len(words) == 2 and words[0] in ORDINALS and words[1] in WEEKDAY_NAMES:
        return {"nth": ORDINALS[words[0]], "weekday": WEEKDAY_NAMES[words[1]]}
    return None


def council_rule(settings: dict[str, object]) -> dict[str, int]:
    rule = settings.get(COUNCIL_SETTING)
    if isinstance(rule, dict) and isinstance(rule.get("nth"), int) and isinstance(rule.get("weekday"), int):
        return {"nth": int(rule["nth"]), "weekday": int(rule["weekday"])}
    return dict(DEFAULT_COUNCIL_RULE)


def local_election_day(year: int) -> date | None:
    """The last Sunday of March in a local-election year (every 5 years since 2024), else None."""
    if (year - 2024) % 5:
        return None
    last = date(year, 3, 31)
    return last - timedelta(days=(last.weekday() - 6) % 7)
