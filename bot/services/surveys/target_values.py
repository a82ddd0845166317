"""Reading a target card's value (baseline / başlangıç değeri, or a yearly target / hedef) the
way the indicator is measured, refusing values the indicator cannot take.

- `percentage`: `%40`, `40 %`, `12,5` → 0–100 (a share cannot be negative or above 100 %);
- `integer`: `1.250` → a whole number, not negative (a count: places, women, centres);
- `decimal`: `12,5` → not negative (amounts, ratios);
- `yes_no`: `evet`/`var`/`yes` → 1.0, `hayır`/`yok`/`no` → 0.0 (e.g. I8 "equality unit /
  commission active": baseline `hayır`, target `evet`).

Values are stored as numbers (`indicator_targets.target`, `indicator_baselines.baseline`), so a
yes/no state is 1.0 / 0.0; `shown` writes it back as Evet / Hayır.
"""

from __future__ import annotations

import html
import re

from bot.errors import InvalidAnswer
from bot.services.surveys.answers import read_number, read_percentage, read_yes_no
from bot.services.surveys.model import IndicatorAnswerType
from messages import format_number, t

EXAMPLES = {
    "tr": {IndicatorAnswerType.PERCENTAGE: "%32,5", IndicatorAnswerType.INTEGER: "400",
           IndicatorAnswerType.DECIMAL: "12,5", IndicatorAnswerType.YES_NO: "evet"},
    "en": {IndicatorAnswerType.PERCENTAGE: "32.5%", IndicatorAnswerType.INTEGER: "400",
           IndicatorAnswerType.DECIMAL: "12.5", IndicatorAnswerType.YES_NO: "yes"},
}


def read_target_value(text: str, answer_type: IndicatorAnswerType | str, lang: str = "tr") -> float:
    """The value `text` names for an indicator answered as `answer_type` (`lang`: the
    language of the example in the error).

    Raises InvalidAnswer (params `typed`, `example`) with `targets.value_bad_number`,
    `targets.value_bad_yes_no`, `targets.value_percentage_range` (outside 0–100),
    `targets.value_negative` or `targets.value_not_whole` (a count with a fraction)."""
    kind = IndicatorAnswerType(answer_type)
    typed = " ".join(text.split())[:40]
    example = EXAMPLES["en" if lang == "en" else "tr"][kind]
    if kind == IndicatorAnswerType.YES_NO:
        try:
            return 1.0 if read_yes_no(text) else 0.0
        except InvalidAnswer:
            raise InvalidAnswer("targets.value_bad_yes_no", typed=typed, example=example) from None
    try:
        value = read_percentage(text) if kind == IndicatorAnswerType.PERCENTAGE else read_number(text)
    except InvalidAnswer:
        raise InvalidAnswer("targets.value_bad_number", typed=typed, example=example) from None
    if kind == IndicatorAnswerType.PERCENTAGE and not 0 <= value <= 100:
        raise InvalidAnswer("targets.value_percentage_range", typed=typed, example=example)
    if value < 0:
        raise InvalidAnswer("targets.value_negative", typed=typed, example=example)
    if kind == IndicatorAnswerType.INTEGER and not float(value).is_integer():
        raise InvalidAnswer("targets.value_not_whole", typed=typed, example=example)
    return value


def shown(value: float, answer_type: IndicatorAnswerType | str, lang: str) -> str:
    """`Evet` / `Hayır` for a yes/no indicator, else the number in the language's format
    (`1.250`, `12,5`; the unit is shown beside it)."""
    if IndicatorAnswerType(answer_type) == IndicatorAnswerType.YES_NO:
        return t("survey_results.yes" if value >= 0.5 else "survey_results.no", lang)
    return format_number(value, lang)


def plain(error: InvalidAnswer, lang: str = "en") -> str:
    """The error's message as one plain line (no markup), for the command line."""
    return html.unescape(re.sub(r"<[^>]+>", "", t(error.key, lang, **error.params))).replace("\n", " ")
