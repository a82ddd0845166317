"""Writing a `SurveyForm` as an XLSForm workbook (https://xlsform.org/en/): the subset
`xlsform.read_xlsform` reads back, so a form read, written and read again is the same form
(round trip); an imported Kobo/ODK form keeps its messages, defaults and regex."""

from __future__ import annotations

import io
from datetime import date
from typing import Any


from bot.services.surveys.model import Question, QuestionType, SurveyForm
from bot.services.surveys.text_language import detected_language

LANGUAGE_NAMES = {"tr": "Turkish", "en": "English"}
YES_NO_LIST = "yes_no"
_OP_BACK = {"eq": "=", "ne": "!=", "gt": ">", "lt": "<", "ge": ">=", "le": "<="}


def write_xlsform(form: SurveyForm) -> bytes:
    """The form as an XLSForm workbook (survey, choices, settings sheets). A form whose texts
    are in one language only is written under the language they are really in (detected, see
    `text_language`): an English Kobo form imported by a Turkish group is `label::English (en)`."""
    form = in_its_own_language(form)
    languages = sorted({lang for q in form.questions for lang in q.label} | set(form.title),
                       key=lambda lang: (lang != "tr", lang != "en", lang))
    buffer = io.BytesIO()
    import xlsxwriter  # imported where used: start-up stays light (issue 24)

    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    survey = book.add_worksheet("survey")
    choices = book.add_worksheet("choices")
    settings = book.add_worksheet("settings")

    def header(lang: str) -> str:
        return f"{LANGUAGE_NAMES.get(lang, lang)} ({lang})"

    columns = ["type", "name", *[f"label::{header(lang)}" for lang in languages],
               *[f"hint::{header(lang)}" for lang in languages], "required", "constraint", "relevant",
               "calculation", "parameters", "bind::koordinat:type", "bind::koordinat:indicator"]
    messages = [(kind, lang) for kind in ("required_message", "constraint_message") for lang in languages
                if any(getattr(q, kind).get(lang) for q in form.questions)]
    columns += [f"{kind}::{header(lang)}" for kind, lang in messages]
    if any(q.default for q in form.questions):
        columns.append("default")
    for index, column in enumerate(columns):
        survey.write_string(0, index, column)
    choice_columns = ["list_name", "name", *[f"label::{header(lang)}" for lang in languages]]
    for index, column in enumerate(choice_columns):
        choices.write_string(0, index, column)
    choice_row = 1
    if any(q.type == QuestionType.YES_NO for q in form.questions):
        for name, labels in (("yes", {"tr": "Evet", "en": "Yes"}), ("no", {"tr": "Hayır", "en": "No"})):
            _write_row(choices, choice_row, choice_columns, {"list_name": YES_NO_LIST, "name": name,
                       **{f"label::{header(lang)}": labels.get(lang, labels["en"]) for lang in languages}})
            choice_row += 1
    for row, question in enumerate(form.questions, start=1):
        cells: dict[str, str] = {"name": question.name, "type": _type_cell(question)}
        for lang in languages:
            if question.label.get(lang):
                cells[f"label::{header(lang)}"] = question.label[lang]
            if question.hint.get(lang):
                cells[f"hint::{header(lang)}"] = question.hint[lang]
        if question.required:
            cells["required"] = "yes"
        cells["constraint"] = _constraint_cell(question)
        cells["relevant"] = _relevant_cell(question, form)
        if question.calculation:
            cells["calculation"] = question.calculation
        for kind, lang in messages:
            if getattr(question, kind).get(lang):
                cells[f"{kind}::{header(lang)}"] = getattr(question, kind)[lang]
        if question.default:
            cells["default"] = question.default
        if question.scale is not None:
            cells["parameters"] = f"start={question.scale.start} end={question.scale.end} step={question.scale.step}"
        if question.type == QuestionType.PERCENTAGE:
            cells["bind::koordinat:type"] = "percentage"
        if question.indicator:
            cells["bind::koordinat:indicator"] = question.indicator
        _write_row(survey, row, columns, cells)
        if question.choices:
            for choice in question.choices:
                _write_row(choices, choice_row, choice_columns, {
                    "list_name": question.name, "name": choice.name,
                    **{f"label::{header(lang)}": text for lang, text in choice.label.items()}})
                choice_row += 1
    first = next(lang for lang in languages if lang in form.title)
    entries = [("form_title", form.title[first]), ("form_id", form.code), ("default_language", header(first))]
    entries += [(f"form_title::{header(lang)}", text) for lang, text in form.title.items() if lang != first]
    entries += [(f"description::{header(lang)}", text) for lang, text in form.description.items()]
    for index, (key, value) in enumerate(entries):
        settings.write_string(0, index, key)
        settings.write_string(1, index, value)
    book.close()
    return buffer.getvalue()


def _write_row(sheet: Any, row: int, columns: list[str], cells: dict[str, str]) -> None:
    for index, column in enumerate(columns):
        if cells.get(column):
            sheet.write_string(row, index, cells[column])


def _type_cell(question: Question) -> str:
    if question.type == QuestionType.YES_NO:
        return f"select_one {YES_NO_LIST}"
    if question.type in (QuestionType.SELECT_ONE, QuestionType.SELECT_MULTIPLE):
        return f"{question.type} {question.name}"
    if question.type == QuestionType.PERCENTAGE:
        return "decimal"
    if question.type == QuestionType.EVIDENCE:
        return "file"
    return str(question.type.value)


def _bound_cell(value: float | date) -> str:
    if isinstance(value, date):
        return f"date('{value.isoformat()}')"
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _constraint_cell(question: Question) -> str:
    low, high = question.min, question.max
    subject = "string-length(.)" if question.type == QuestionType.TEXT else "."
    parts = []
    if low is not None:
        parts.append(f"{subject} >= {_bound_cell(low)}")
    if high is not None:
        parts.append(f"{subject} <= {_bound_cell(high)}")
    if question.pattern is not None:
        quote = "'" if "'" not in question.pattern else '"'
        parts.append(f"regex(., {quote}{question.pattern}{quote})")
    return " and ".join(parts)


def _relevant_cell(question: Question, form: SurveyForm) -> str:
    """`relevant` and `conditions` written back as one XLSForm expression ("" when none)."""
    parts = [_condition_cell(question.relevant, form)] if question.relevant is not None else []
    for any_of in question.conditions:
        options = [_condition_cell(condition, form) for condition in any_of]
        parts.append(options[0] if len(options) == 1 else "(" + " or ".join(options) + ")")
    return " and ".join(parts)


def _condition_cell(condition: Any, form: SurveyForm) -> str:
    earlier = form.question(condition.question)
    value = condition.value
    if earlier is not None and earlier.type == QuestionType.SELECT_MULTIPLE and value != "":
        inner = f"selected(${{{condition.question}}}, '{value}')"
        return inner if condition.op == "eq" else f"not({inner})"
    if isinstance(value, bool):
        text = "'yes'" if value else "'no'"
    elif isinstance(value, int | float):
        text = str(int(value)) if float(value).is_integer() else str(value)
    else:
        text = f"'{value}'"
    return f"${{{condition.question}}} {_OP_BACK[condition.op]} {text}"


def _texts(data: Any) -> list[dict[str, str]]:
    """Every localized text dict ({lang: text}) in a dumped form, in form order."""
    found: list[dict[str, str]] = []
    if isinstance(data, dict):
        if data and all(isinstance(key, str) and len(key) <= 3 and isinstance(value, str)
                        for key, value in data.items()):
            found.append(data)
        else:
            for value in data.values():
                found += _texts(value)
    elif isinstance(data, list):
        for value in data:
            found += _texts(value)
    return found


def in_its_own_language(form: SurveyForm) -> SurveyForm:
    """`form` with its texts moved to the language they are detected in, when they are all in
    one stored language and the detector is sure of another; else `form` unchanged."""
    data = form.model_dump(mode="json")
    texts = [texts for texts in _texts(data) if texts]
    stored = {lang for texts in texts for lang in texts}
    if len(stored) != 1:
        return form
    (lang,) = stored
    detected = detected_language(text for texts in texts for text in texts.values())
    if detected is None or detected == lang:
        return form
    for texts in texts:
        texts[detected] = texts.pop(lang)
    return SurveyForm.model_validate(data)
