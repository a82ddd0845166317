"""Reading a typed answer to a quiz's number question: the number as survey numbers are read
(`bot.services.surveys.answers.read_number`: `360.000` / `12,5` in Turkish, `360,000` /
`12.5` in English, `1 250`, `-5`), with the question's unit before or after it when the unit
matches the question: `360.000 TL`, `₺360.000`, `360 bin TL`, `%75`, `75 %`, `yüzde 75`,
`6 ay`, `3 gün`, `12 kişi`, `75 percent`.

The units a question accepts are its `unit` (`unit = "TL"` in the lesson file), or, without
one, those its text names (`kaç TL?`, `kaç ay`, `how many days`). A unit the question does not
ask in (`75 TL` for a percentage) is refused, naming the question's unit. No range is
imposed: an achievement rate can be above 100% or below 0, a wrong number is simply wrong.
"""

from __future__ import annotations

import re

from bot.errors import InvalidAnswer
from bot.services.surveys.answers import read_number
from bot.text import fold
from messages import t

# Unit code → the words and signs that write it, folded (`fold`: lower case, no Turkish letters).
UNIT_WORDS: dict[str, frozenset[str]] = {
    "percent": frozenset({"%", "yuzde", "percent", "per cent", "pct"}),
    "lira": frozenset({"tl", "₺", "lira", "turk lirasi", "try"}),
    "people": frozenset({"kisi", "people", "person", "persons", "uye", "members", "kadin", "women"}),
    "days": frozenset({"gun", "days", "day"}),
    "months": frozenset({"ay", "months", "month"}),
    "years": frozenset({"yil", "years", "year"}),
}
# Words after the number that multiply it: `360 bin TL`, `3 million`.
MULTIPLIERS = {"bin": 1e3, "thousand": 1e3, "milyon": 1e6, "million": 1e6, "milyar": 1e9, "billion": 1e9}
# Words in a question's text that mean it asks in that unit ("try" is an English verb: not here).
_QUESTION_WORDS = {code: words - {"try", "person", "members", "women", "kadin", "uye", "day", "month", "year"}
                   for code, words in UNIT_WORDS.items()}

_NUMBER = re.compile(r"[+-]?\d[\d.,]*(?: \d{3}(?!\d))*")


def unit_code(unit: str) -> str | None:
    """The code of a question's `unit` (`"TL"`, `"%"`, `"gün"` → `lira`, `percent`, `days`),
    or None for a unit not in `UNIT_WORDS`."""
    folded = fold(unit).strip()
    return next((code for code, words in UNIT_WORDS.items() if folded in words), None)


def accepted_units(unit: str | None, texts: list[str]) -> list[str]:
    """Unit codes a number question accepts: its `unit`'s, else those its texts (both
    languages) name as a word or sign; a `unit` outside the table accepts its own word."""
    if unit:
        code = unit_code(unit)
        return [code] if code else [f"={fold(unit).strip()}"]
    found: list[str] = []
    for text in texts:
        words = re.findall(r"\w+|[%₺]", fold(text))
        tokens, folded = set(words), " ".join(words)
        for code, words in _QUESTION_WORDS.items():
            if code not in found and any(word in tokens or (" " in word and word in folded) for word in words):
                found.append(code)
    return found


def unit_label(code: str, lang: str) -> str:
    """How a unit code reads in `lang` ("TL", "%", "gün"…); a free unit reads as written."""
    return code[1:] if code.startswith("=") else t(f"lessons.unit.{code}", lang)


def _spaced(folded: str) -> str:
    return " ".join(re.sub(r"([%₺])", r" \1 ", folded).replace("−", "-").split())


def _words_of(code: str) -> frozenset[str]:
    return frozenset({code[1:]}) if code.startswith("=") else UNIT_WORDS[code]


def read_quiz_number(text: str, units: list[str], lang: str) -> float:
    """The number typed for a question accepting `units` (codes from `accepted_units`), in
    the question's unit (`360 bin TL` → 360000.0, `%75` → 75.0).

    Raises InvalidAnswer: `lessons.number_unreadable` (not one number, or words that are not
    a unit), `lessons.number_wrong_unit` (another unit than the question's, with `unit`),
    `lessons.number_no_unit` (a unit where the question asks for a plain number), or
    `survey.ambiguous_number` (`1,25` in English); each with `typed`."""
    shown = " ".join(text.split())[:40]
    cleaned = _spaced(fold(text)).strip(" .!?;:")
    numbers = list(_NUMBER.finditer(cleaned))
    if len(numbers) != 1:
        raise InvalidAnswer("lessons.number_unreadable", typed=shown)
    found = numbers[0]
    number = found.group(0).rstrip(".,")
    before = cleaned[:found.start()].strip()
    after = (cleaned[found.start() + len(number):]).strip(" .,")
    factor = 1.0
    head, _, rest = after.partition(" ")
    if head in MULTIPLIERS:
        factor, after = MULTIPLIERS[head], rest.strip()
    for word in (before, after):
        if not word:
            continue
        if any(word in _words_of(code) for code in units):
            continue
        if any(word in words for words in UNIT_WORDS.values()):
            if units:
                raise InvalidAnswer("lessons.number_wrong_unit", typed=shown, unit=unit_label(units[0], lang))
            raise InvalidAnswer("lessons.number_no_unit", typed=shown)
        raise InvalidAnswer("lessons.number_unreadable", typed=shown)
    try:
        value = read_number(number, lang)
    except InvalidAnswer as refused:
        if refused.key == "survey.ambiguous_number":
            raise InvalidAnswer("survey.ambiguous_number", typed=shown) from None
        raise InvalidAnswer("lessons.number_unreadable", typed=shown) from None
    return value * factor
