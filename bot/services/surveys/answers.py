"""Reading typed answers the way Turkish users write them, and showing answers back.

Numbers follow the person's language (`read_number`): Turkish `12,5` `1.250` (thousands)
`1.250,5` `12.5`, English `12.5` `1,250` (thousands) `1,250.5`, both `-3` `1 250`; an English
`1,25` is ambiguous and re-asked; integers and decimals without their own bounds stay within
±`NUMBER_LIMIT`. Percentages: `%40` `40%` `40 %` `yüzde 40` `%12,5`; yes/no: `EVET` `evet.`
`Hayır` `hayir` `e` `h` `yes` `no` `var` `yok`; dates: `03.12.2026` `3.12.26` `3 Aralık 2026`
`3 December 2026` `2026-12-03`; choices: a button's words typed as text (any language, any
case, with or without Turkish letters, spaces, punctuation or its emoji: `çevrimiçi` for
"Çevrim içi"), the choice's number as she sees it — its position (`2`), never a numeric choice
code, unless every label is itself a number — or, for select_multiple, several separated by
`,` `;` `ve` `and` or spaces (`1 3`); locations `41.0082, 28.9784`. Each reader raises `InvalidAnswer` with a message key
saying what was expected and an `example` (the caller re-asks the question).
"""

from __future__ import annotations

import re
from datetime import date, datetime

from bot.lazy_babel import format_date

from bot.errors import InvalidAnswer
from bot.services.surveys.model import (
    Answer,
    AnswerValue,
    Evidence,
    Question,
    QuestionType,
    localized,
)
from bot.text import NO_WORDS, YES_WORDS, ascii_digits, fold
from bot.typed_answers import leaning
from messages import format_number, normalize_language, t

YES = YES_WORDS | {"var", "evet var", "dogru", "true"}
NO = NO_WORDS | {"hayir yok", "yanlis", "false"}
TEXT_MAX = 2000  # a chat answer longer than this is a pasted document, not an answer
# Integer and decimal questions without their own min/max accept values within ±1 billion:
# every figure a working group reports (people, places, budgets in thousands of TL) fits, and
# a slip of the thumb (`99999999999`) is refused with the bound named. Set `max` in the form
# for anything larger.
NUMBER_LIMIT = 1_000_000_000

_PUNCTUATION = " .!?…,;:\"'`()[]"
_GROUPED_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")       # 1.250 / 1.250,5
_GROUPED_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")     # 1,250 / 1,250.5 (English)
_PLAIN = re.compile(r"^[+-]?\d+([.,]\d+)?$")                         # 12 / 12,5 / 12.5
_SPACED = re.compile(r"^[+-]?\d{1,3}( \d{3})+([.,]\d+)?$")           # 1 250
_EMOJI = re.compile(r"[^\w\s%.,;:+\-/']", re.UNICODE)

# Month names as typed, folded (no Turkish letters, lower case), with common abbreviations.
_MONTHS = {name: number for number, names in enumerate((
    ("ocak", "oca", "january", "jan"), ("subat", "sub", "february", "feb"), ("mart", "mar", "march"),
    ("nisan", "nis", "april", "apr"), ("mayis", "may"), ("haziran", "haz", "june", "jun"),
    ("temmuz", "tem", "july", "jul"), ("agustos", "agu", "august", "aug"),
    ("eylul", "eyl", "september", "sep", "sept"), ("ekim", "eki", "october", "oct"),
    ("kasim", "kas", "november", "nov"), ("aralik", "ara", "december", "dec")), start=1) for name in names}
_NUMERIC_DATE = re.compile(r"^(\d{1,2})[./-](\d{1,2})(?:[./-](\d{4}|\d{2}))?$")
_DAY_MONTH = re.compile(r"^(\d{1,2})\.? ([a-z]+)\.?(?:,? (\d{4}))?$")
_MONTH_DAY = re.compile(r"^([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?(?:,? (\d{4}))?$")


def _date_parts(folded: str) -> tuple[int, int, int | None] | None:
    """(day, month, year or None) from a folded date, or None when it is not one."""
    if match := _NUMERIC_DATE.match(folded):
        day, month, year = match.groups()
    elif (match := _DAY_MONTH.match(folded)) and match.group(2) in _MONTHS:
        day, month, year = match.group(1), str(_MONTHS[match.group(2)]), match.group(3)
    elif (match := _MONTH_DAY.match(folded)) and match.group(1) in _MONTHS:
        day, month, year = match.group(2), str(_MONTHS[match.group(1)]), match.group(3)
    else:
        return None
    full_year = None if year is None else (2000 + int(year) if len(year) == 2 else int(year))
    return int(day), int(month), full_year


def _shown(text: str) -> str:
    return " ".join(text.split())[:40]


def read_number(text: str, lang: str = "tr") -> float:
    """A number as typed, read the way a person writing in `lang` writes it.

    Turkish (`tr`): `.` groups thousands and `,` marks decimals — `1.250` is 1250,
    `1.250,5` is 1250.5, `12,5` and `1,250` are 12.5 and 1.25; a point that cannot be a
    thousands group (`12.5`) is read as a decimal point, as phone keyboards type it.
    English (`en`): `,` groups thousands and `.` marks decimals — `1,250` is 1250,
    `1,250.5` is 1250.5, `12.5` and `1.250` are 12.5 and 1.25; a comma that is not a
    thousands group (`1,25`, `12,5`) is ambiguous and refused (`survey.ambiguous_number`).
    Both: `1 250` (space-grouped), `-3`; a number using both marks (`1.250,5`, `1,250.5`) is
    read by their order. Raises InvalidAnswer("survey.bad_number" | "survey.ambiguous_number")
    with `typed`."""
    cleaned = ascii_digits(text).strip().strip(" .!?")  # `²`, `٣`, `３` are their digits
    english = normalize_language(lang) == "en"
    if _GROUPED_DOT.match(cleaned) and ("," in cleaned or not english):
        return float(cleaned.replace(".", "").replace(",", "."))
    if _GROUPED_COMMA.match(cleaned) and ("." in cleaned or english):
        return float(cleaned.replace(",", ""))
    if _SPACED.match(cleaned):
        return float(cleaned.replace(" ", "").replace(",", "."))
    if _PLAIN.match(cleaned):
        if english and "," in cleaned:
            raise InvalidAnswer("survey.ambiguous_number", typed=_shown(text))
        return float(cleaned.replace(",", "."))
    raise InvalidAnswer("survey.bad_number", typed=_shown(text))


def read_percentage(text: str, lang: str = "tr") -> float:
    """`%40`, `40%`, `40 %`, `yüzde 40`, `%12,5` (tr) / `12.5%` (en) → 40.0 / 12.5 (percent
    points, 0–100); the number itself is read as `read_number` reads it in `lang`."""
    cleaned = fold(text).strip(_PUNCTUATION)
    cleaned = re.sub(r"^(yuzde|percent)\s*", "", cleaned)
    cleaned = re.sub(r"\s*(percent|yuzde)$", "", cleaned)
    cleaned = cleaned.strip().removeprefix("%").removesuffix("%").strip()
    try:
        return read_number(cleaned, lang)
    except InvalidAnswer as refused:
        if refused.key == "survey.ambiguous_number":
            raise InvalidAnswer("survey.ambiguous_number", typed=_shown(text)) from None
        raise InvalidAnswer("survey.bad_percentage", typed=_shown(text)) from None


def read_yes_no(text: str, labels: tuple[str, ...] = ()) -> bool:
    """`EVET`, `evet.`, `Hayır`, `hayir`, `e`, `h`, `var`, `yok`, yes/no, or the buttons' words."""
    cleaned = _words(text)
    if cleaned in YES or cleaned in {_words(label) for label in labels[:1]}:
        return True
    if cleaned in NO or cleaned in {_words(label) for label in labels[1:2]}:
        return False
    said = leaning(text, YES | {_words(label) for label in labels[:1]}, NO | {_words(label) for label in labels[1:2]})
    if said is not None:  # `maalesef yok`, `evet galiba`, `sure`
        return said == "yes"
    raise InvalidAnswer("survey.bad_yes_no", typed=_shown(text))


def read_date(text: str) -> date:
    """`03.12.2026`, `3.12.26`, `3 Aralık 2026`, `December 3, 2026`, `2026-12-03` → a date.
    A date without a year is refused (surveys ask about past and future alike)."""
    cleaned = " ".join(ascii_digits(text).strip().strip(" .!?").split())
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", cleaned):
            return date.fromisoformat(cleaned)
    except ValueError:
        raise InvalidAnswer("survey.no_such_date", typed=_shown(text)) from None
    found = _date_parts(" ".join(fold(cleaned).split()))
    if found is None:
        raise InvalidAnswer("survey.bad_date", typed=_shown(text))
    day, month, year = found
    if year is None:
        raise InvalidAnswer("survey.date_needs_year", typed=_shown(text))
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidAnswer("survey.no_such_date", typed=_shown(text)) from None


def _words(text: str) -> str:
    """Folded text without emoji, punctuation or bullets, spaces collapsed."""
    return " ".join(_EMOJI.sub(" ", fold(text)).strip(_PUNCTUATION).split()).strip(_PUNCTUATION)


def _squashed(text: str) -> str:
    """Folded text with every space and punctuation mark removed: `Çevrim içi` and
    `çevrimiçi` both become `cevrimici`."""
    return re.sub(r"[\W_]+", "", _words(text))


def choice_words(question: Question) -> dict[str, str]:
    """Every way to type each choice: its number on her screen (1, 2, …), its labels in every
    language, its code (`name`) unless the code is a number, and each of those squashed (no
    spaces or punctuation: `çevrimiçi` for "Çevrim içi"). A number always means the position
    she sees — a numeric code is never read, so code `3` at position 1 cannot shadow position
    3. A squashed form two choices share is left out (ambiguous), so only their full words
    pick them."""
    words: dict[str, str] = {}
    if not _numbers_shown(question):
        for number, choice in enumerate(question.choices, start=1):
            words[str(number)] = choice.name
    for choice in question.choices:
        code = _words(choice.name)
        if code and not _is_number(code):
            words.setdefault(code, choice.name)
        for label in choice.label.values():
            typed = _words(label)
            if typed and not (_is_number(typed) and typed in words):
                words.setdefault(typed, choice.name)
    squashed: dict[str, str | None] = {}
    for typed, name in list(words.items()):
        key = re.sub(r"[\W_]+", "", typed)
        if key and not key.isdigit():
            squashed[key] = name if squashed.get(key, name) == name else None
    for key, name in squashed.items():
        if name is not None:
            words.setdefault(key, name)
    return words


_NUMBER_LIST = re.compile(r"^\d+(?:\s*(?:,|;|/|\+|&|\s|\bve\b|\band\b)\s*\d+)*$")


def _is_number(text: str) -> bool:
    return text.isdigit()


def _numbers_shown(question: Question) -> bool:
    """Every choice reads as a number (a scale typed as choices: "0", "1-2" aside): then the
    number she sees is the label itself, and a typed number picks the choice labelled so."""
    return bool(question.choices) and all(
        _words(label).isdigit() for choice in question.choices for label in choice.label.values())


def _position(text: str, question: Question) -> str:
    """The choice at the typed position (1-based) — or, when the labels are the numbers she
    sees, the choice with that label; InvalidAnswer naming the range when none."""
    if _numbers_shown(question):
        found = choice_words(question).get(text)
        if found is None:
            raise InvalidAnswer("survey.bad_choice", typed=_shown(text))
        return found
    number = int(text)
    if not 1 <= number <= len(question.choices):
        for choice in question.choices:  # `0` on a button of its own ("0", "1-2", "3+"): that button
            if any(_words(label) == text for label in choice.label.values()):
                return choice.name
        raise InvalidAnswer("survey.number_not_listed", typed=_shown(text), count=len(question.choices))
    return question.choices[number - 1].name


def _find_choice(words: dict[str, str], text: str) -> str | None:
    return words.get(_words(text)) or words.get(_squashed(text) or "\0")


def read_choice(text: str, question: Question) -> str:
    """One choice by its number on screen or its words (spaces, punctuation, case and
    Turkish letters aside). Raises InvalidAnswer("survey.bad_choice" |
    "survey.number_not_listed")."""
    typed = _words(text)
    if typed.isdigit():
        return _position(typed, question)
    found = _find_choice(choice_words(question), text)
    if found is None:
        raise InvalidAnswer("survey.bad_choice", typed=_shown(text))
    return found


def read_choices(text: str, question: Question) -> list[str]:
    """Several choices: `1, 3`, `1 3`, `bakım ve güvenlik`, `Care; Health`. Numbers are the
    positions she sees, each one a choice."""
    folded = _words(text)
    if _NUMBER_LIST.match(folded):
        picked = []
        for number in re.findall(r"\d+", folded):
            name = _position(number, question)
            if name not in picked:
                picked.append(name)
        return picked
    words = choice_words(question)
    whole = _find_choice(words, text)
    if whole is not None:
        return [whole]
    parts = [part for part in re.split(r"\s*(?:,|;|/|\+|\bve\b|\band\b|&)\s*", fold(text)) if part.strip()]
    picked: list[str] = []
    for part in parts:
        found = _position(_words(part), question) if _words(part).isdigit() else _find_choice(words, part)
        if found is None:
            raise InvalidAnswer("survey.bad_choices", typed=_shown(part))
        if found not in picked:
            picked.append(found)
    if not picked:
        raise InvalidAnswer("survey.bad_choices", typed=_shown(text))
    return picked


_GEOPOINT = re.compile(r"^\s*(-?\d{1,3}(?:[.,]\d+)?)\s*[,; ]\s*(-?\d{1,3}(?:[.,]\d+)?)(?:\s+-?\d+(?:\.\d+)?){0,2}\s*$")


def read_geopoint(text: str, lang: str = "tr") -> str:
    """A location as ODK stores a geopoint, "lat lon" in WGS 84 degrees: from the chat app's
    location message (the handler passes "lat lon") or typed `41.0082, 28.9784` /
    `41,0082 28,9784`. Raises InvalidAnswer("survey.bad_geopoint" |
    "survey.geopoint_out_of_range")."""
    cleaned = text.strip()
    match = _GEOPOINT.match(cleaned)
    if not match and cleaned.count(",") == 3:  # `41,0082, 28,9784` (Turkish decimal commas)
        match = _GEOPOINT.match(cleaned.replace(", ", " "))
    if not match:
        raise InvalidAnswer("survey.bad_geopoint", typed=_shown(text))
    latitude, longitude = (float(part.replace(",", ".")) for part in match.groups())
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidAnswer("survey.geopoint_out_of_range", typed=_shown(text))
    return f"{latitude:g} {longitude:g}"


def read_scale(text: str, question: Question, lang: str = "tr") -> int | float:
    assert question.scale is not None
    try:
        value = read_number(text, lang)
    except InvalidAnswer:
        raise InvalidAnswer("survey.bad_scale", typed=_shown(text), start=question.scale.start,
                            end=question.scale.end) from None
    if value not in question.scale.points():
        raise InvalidAnswer("survey.bad_scale", typed=_shown(text), start=question.scale.start,
                            end=question.scale.end)
    return int(value) if float(value).is_integer() else value


def read_answer(question: Question, text: str, lang: str) -> AnswerValue:
    """The typed value of `text` as an answer to `question`, constraints checked.

    Raises InvalidAnswer with a `survey.*` key; params include `typed` and, for bounds,
    `min`/`max` formatted for `lang`."""
    kind = question.type
    value: AnswerValue
    if kind == QuestionType.INTEGER:
        number = read_number(text, lang)
        if not float(number).is_integer():
            raise InvalidAnswer("survey.not_whole", typed=_shown(text))
        value = int(number)
    elif kind == QuestionType.DECIMAL:
        value = read_number(text, lang)
    elif kind == QuestionType.PERCENTAGE:
        value = read_percentage(text, lang)
        if not 0 <= value <= 100 and question.min is None and question.max is None:
            raise InvalidAnswer("survey.percentage_out_of_range", typed=_shown(text))
    elif kind == QuestionType.YES_NO:
        value = read_yes_no(text, (t("survey.yes", lang), t("survey.no", lang)))
    elif kind == QuestionType.RANGE:
        value = read_scale(text, question, lang)
    elif kind == QuestionType.SELECT_ONE:
        value = read_choice(text, question)
    elif kind == QuestionType.SELECT_MULTIPLE:
        value = read_choices(text, question)
    elif kind == QuestionType.DATE:
        value = read_date(text)
    elif kind == QuestionType.TEXT:
        value = " ".join(text.split()) if "\n" not in text else text.strip()
        if not value:
            raise InvalidAnswer("survey.empty_text")
    elif kind == QuestionType.EVIDENCE:
        raise InvalidAnswer("survey.send_file")
    elif kind == QuestionType.ACKNOWLEDGE:
        if _words(text) not in YES and _words(text) != _words(t("survey.ok_button", lang)):
            raise InvalidAnswer("survey.use_buttons")
        value = True
    elif kind == QuestionType.GEOPOINT:
        value = read_geopoint(text, lang)
    else:
        raise InvalidAnswer("survey.note_no_answer")
    check_constraint(question, value, lang)
    return value


def check_constraint(question: Question, value: AnswerValue, lang: str) -> None:
    """XLSForm `constraint` as min/max: bounds of numbers, dates, or text length. Integer
    and decimal questions without a bound of their own are held within ±`NUMBER_LIMIT`.
    Raises InvalidAnswer (`survey.too_small`/`too_big` with `min`/`max` formatted for `lang`,
    `survey.too_early`/`too_late`, `survey.text_too_long`/`text_too_short`)."""
    low, high = question.min, question.max
    if question.type == QuestionType.TEXT and isinstance(value, str) and question.pattern \
            and not re.fullmatch(question.pattern, value):
        raise InvalidAnswer("survey.bad_pattern", typed=_shown(value))
    if question.type == QuestionType.TEXT and isinstance(value, str):
        limit = int(high) if isinstance(high, int | float) else TEXT_MAX
        if len(value) > limit:
            raise InvalidAnswer("survey.text_too_long", limit=limit, length=len(value))
        if isinstance(low, int | float) and len(value) < low:
            raise InvalidAnswer("survey.text_too_short", limit=int(low))
        return
    if isinstance(value, bool) or not isinstance(value, int | float | date):
        return
    if question.type in (QuestionType.INTEGER, QuestionType.DECIMAL):
        low = -NUMBER_LIMIT if low is None else low
        high = NUMBER_LIMIT if high is None else high
    if isinstance(value, date):
        if isinstance(low, date) and value < low:
            raise InvalidAnswer("survey.too_early", min=format_plain_date(low, lang))
        if isinstance(high, date) and value > high:
            raise InvalidAnswer("survey.too_late", max=format_plain_date(high, lang))
        return
    if isinstance(low, int | float) and not isinstance(low, bool) and value < low:
        raise InvalidAnswer("survey.too_small", min=format_number(low, lang))
    if isinstance(high, int | float) and not isinstance(high, bool) and value > high:
        raise InvalidAnswer("survey.too_big", max=format_number(high, lang))


# -- showing answers and examples ----------------------------------------------------------

def format_plain_date(day: date, lang: str) -> str:
    """`03.12.2026` in Turkish, `3 Dec 2026` in English."""
    language = normalize_language(lang)
    return day.strftime("%d.%m.%Y") if language == "tr" else format_date(day, "d MMM y", locale=language)


def format_percentage(value: float, lang: str) -> str:
    number = format_number(value, lang)
    return f"%{number}" if normalize_language(lang) == "tr" else f"{number}%"


def format_answer(question: Question, answer: Answer | None, lang: str) -> str:
    """An answer as the summary shows it (Babel's number formats); "—" when skipped."""
    if answer is None or answer.skipped:
        return "—"
    value = answer.value(question)
    if value is None:
        return "—"
    kind = question.type
    if kind == QuestionType.YES_NO:
        return t("survey.yes" if value else "survey.no", lang)
    if kind == QuestionType.PERCENTAGE and isinstance(value, int | float):
        return format_percentage(float(value), lang)
    if kind in (QuestionType.INTEGER, QuestionType.DECIMAL, QuestionType.RANGE) and isinstance(value, int | float):
        return format_number(value, lang)
    if kind == QuestionType.SELECT_ONE and isinstance(value, str):
        choice = question.choice(value)
        return localized(choice.label, lang) if choice else value
    if kind == QuestionType.SELECT_MULTIPLE and isinstance(value, list):
        labels = []
        for name in value:
            choice = question.choice(name)
            labels.append(localized(choice.label, lang) if choice else name)
        return ", ".join(labels)
    if kind == QuestionType.DATE and isinstance(value, date):
        return format_plain_date(value, lang)
    if kind == QuestionType.GEOPOINT and isinstance(value, str):
        return "📍 " + ", ".join(value.split()[:2])
    if kind == QuestionType.ACKNOWLEDGE:
        return "✔️"
    if kind == QuestionType.CALCULATE and isinstance(value, int | float):
        return format_number(value, lang)
    if kind == QuestionType.EVIDENCE and isinstance(value, Evidence):
        return "📎 " + (value.filename or t(f"survey.evidence_{value.kind}", lang))
    return str(value)


def example_for(question: Question, lang: str, today: datetime | None = None) -> str:
    """A typed answer that would be accepted, for the re-ask message."""
    kind = question.type
    low = question.min if isinstance(question.min, int | float) else None
    high = question.max if isinstance(question.max, int | float) else None
    if kind == QuestionType.INTEGER:
        sample = 1250 if (high is None or high >= 1250) and (low is None or low <= 1250) else int(low or 0)
        return format_number(sample, lang)
    if kind == QuestionType.DECIMAL:
        return format_number(12.5 if high is None or high >= 12.5 else (low or 0), lang)
    if kind == QuestionType.PERCENTAGE:
        return format_percentage(40, lang)
    if kind == QuestionType.YES_NO:
        return t("survey.yes", lang)
    if kind == QuestionType.RANGE and question.scale is not None:
        return str(question.scale.end)
    if kind in (QuestionType.SELECT_ONE, QuestionType.SELECT_MULTIPLE) and question.choices:
        first = localized(question.choices[0].label, lang)
        if kind == QuestionType.SELECT_MULTIPLE and len(question.choices) > 1:
            return f"{first}, {localized(question.choices[1].label, lang)}"
        return first
    if kind == QuestionType.DATE:
        return "03.12.2026" if normalize_language(lang) == "tr" else "3 December 2026"
    if kind == QuestionType.GEOPOINT:
        return "41.0082, 28.9784"
    return ""
