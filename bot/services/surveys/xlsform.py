"""XLSForm in and out (https://xlsform.org/en/): the format KoboToolbox and ODK users write.

Reading (`read_xlsform`) accepts exactly the subset Koordinat can ask in a chat, and refuses
anything else with the sheet, row and column named (`XLSFormError`) — never silently dropped.

`survey` sheet columns:
- `type`: `integer`, `decimal`, `text`, `date`, `note`, `select_one LIST`, `select_multiple LIST`,
  `range` (with `parameters` `start=1 end=5 step=1`), `image` / `file` (evidence: a photo or
  document the member sends), and two Koordinat conventions: `percentage` (a number 0–100;
  written back as `decimal` with `bind::koordinat:type` = `percentage`) and yes/no (a `select_one` whose list has exactly the choices `yes` and `no`,
  or the type `yes_no`);
- `name`; `label`, `label::Turkish (tr)`, `label::English (en)` (any `label::… (code)` or
  `label::code`); `hint` likewise; `required` (`yes`/`no`, `true`/`false`, `1`/`0`);
- `constraint`: `. >= a`, `. <= b`, or `. >= a and . <= b` (numbers; `date('YYYY-MM-DD')` for
  dates; `string-length(.)` instead of `.` for text length);
- `relevant`: `${q} = 'x'`, `${q} != 'x'`, `${q} > 3`, `${q} < 3`, and `selected(${q}, 'x')` /
  `not(selected(${q}, 'x'))` for multiple choice;
- `bind::koordinat:indicator` (or `indicator`): the indicator code the answer reports (e.g. I4).
`choices` sheet: `list_name`, `name`, `label` / `label::…`. `settings` sheet (optional):
`form_title`, `form_id`. Columns such as `constraint_message`, `appearance`, `calculation`,
`choice_filter` and types such as `begin_group`, `calculate`, `geopoint` are refused when used.

Writing (`write_xlsform`) produces the same subset, so a form read, written and read again is
the same form (round trip).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import xlsxwriter
from openpyxl.utils import get_column_letter
from pydantic import ValidationError

from bot.services.surveys.model import Question, QuestionType, SurveyForm

LANGUAGE_NAMES = {"tr": "Turkish", "en": "English"}
YES_NO_LIST = "yes_no"
_LANG_CODE = re.compile(r"\(([A-Za-z]{2,3}(?:-[A-Za-z]+)?)\)\s*$")
_NUMBER = r"-?\d+(?:[.,]\d+)?"
_BOUND = rf"(?:{_NUMBER}|date\(\s*'\d{{4}}-\d{{2}}-\d{{2}}'\s*\))"
_CONSTRAINT_PART = re.compile(rf"^\s*(\.|string-length\(\s*\.\s*\))\s*(>=|<=)\s*({_BOUND})\s*$")
_RELEVANT = re.compile(r"""^\s*\$\{([A-Za-z_][A-Za-z0-9_.\-]*)\}\s*(=|!=|>|<)\s*(?:'([^']*)'|"([^"]*)"|(-?\d+(?:\.\d+)?))\s*$""")
_SELECTED = re.compile(r"""^\s*(not\(\s*)?selected\(\s*\$\{([A-Za-z_][A-Za-z0-9_.\-]*)\}\s*,\s*'([^']*)'\s*\)\s*(\))?\s*$""")
_RANGE_PARAM = re.compile(r"^(start|end|step)\s*=\s*(-?\d+)$")
_TYPES_PLAIN = {"integer": QuestionType.INTEGER, "decimal": QuestionType.DECIMAL, "text": QuestionType.TEXT,
                "date": QuestionType.DATE, "note": QuestionType.NOTE, "range": QuestionType.RANGE,
                "image": QuestionType.EVIDENCE, "file": QuestionType.EVIDENCE,
                "percentage": QuestionType.PERCENTAGE, "yes_no": QuestionType.YES_NO}
_SURVEY_COLUMNS = {"type", "name", "required", "constraint", "relevant", "parameters", "indicator",
                   "bind::koordinat:indicator", "bind::koordinat:type"}
_CHOICE_COLUMNS = {"list_name", "list name", "name"}
_OP = {"=": "eq", "!=": "ne", ">": "gt", "<": "lt"}
_OP_BACK = {value: key for key, value in _OP.items()}
_TRUE = {"yes", "true", "true()", "1", "evet"}
_FALSE = {"no", "false", "false()", "0", "hayır", "hayir", ""}


@dataclass(frozen=True)
class Problem:
    """One cell (or row) outside the subset: where and why."""

    sheet: str
    row: int  # 1-based, as the spreadsheet shows it
    column: str  # "C (relevant)", or "" for the whole row/sheet
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet}!row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class XLSFormError(ValueError):
    """The file is not an XLSForm Koordinat can use; `problems` name sheet, row and column."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems
        super().__init__(f"{file}: " + "; ".join(map(str, problems)))


# -- reading --------------------------------------------------------------------------------
class _Sheet:
    """A sheet as header → column index, with rows that have any content."""

    def __init__(self, worksheet: Any) -> None:
        self.title = worksheet.title
        rows = list(worksheet.iter_rows(values_only=True))
        self.header = [str(cell).strip() if cell is not None else "" for cell in (rows[0] if rows else [])]
        self.rows = [(index, row) for index, row in enumerate(rows[1:], start=2)
                     if any(_text(cell) for cell in row)]

    def column(self, name: str) -> int | None:
        lowered = [cell.lower() for cell in self.header]
        return lowered.index(name) if name in lowered else None

    def where(self, index: int) -> str:
        return f"{get_column_letter(index + 1)} ({self.header[index]})"

    def cell(self, row: tuple[Any, ...], name: str) -> Any:
        index = self.column(name)
        return row[index] if index is not None and index < len(row) else None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _language(header: str, default: str) -> str | None:
    """`label::Turkish (tr)` → tr, `label::en` → en, `label` → the default language; None
    when the header is not a label/hint column or names no language we can tell."""
    prefix, _, suffix = header.strip().partition("::")
    if prefix.lower() not in ("label", "hint"):
        return None
    if not suffix:
        return default
    code = _LANG_CODE.search(suffix)
    if code:
        return code.group(1).lower()
    suffix = suffix.strip().lower()
    for code_name, names in (("tr", ("tr", "turkish", "türkçe", "turkce")), ("en", ("en", "english", "ingilizce"))):
        if suffix in names:
            return code_name
    return suffix if re.fullmatch(r"[a-z]{2,3}", suffix) else None


def _texts(sheet: _Sheet, row: tuple[Any, ...], kind: str, default: str) -> dict[str, str]:
    texts = {}
    for index, header in enumerate(sheet.header):
        if header.lower().split("::")[0] == kind and index < len(row) and _text(row[index]):
            lang = _language(header, default)
            if lang:
                texts[lang] = _text(row[index])
    return texts


def _check_columns(sheet: _Sheet, allowed: set[str], problems: list[Problem], default: str) -> None:
    """A column outside the subset is refused only if some row uses it."""
    for index, header in enumerate(sheet.header):
        name = header.lower()
        known = name in allowed or (name.split("::")[0] in ("label", "hint") and _language(header, default))
        if known or not header:
            if not header and any(index < len(row) and _text(row[index]) for _, row in sheet.rows):
                problems.append(Problem(sheet.title, 1, get_column_letter(index + 1), "a column without a header"))
            continue
        used = [number for number, row in sheet.rows if index < len(row) and _text(row[index])]
        if used:
            problems.append(Problem(sheet.title, used[0], sheet.where(index),
                                    f"the column {header!r} is not supported by Koordinat; empty it or remove it"))


def _bound(text: str) -> float | date:
    if text.startswith("date"):
        return date.fromisoformat(re.search(r"\d{4}-\d{2}-\d{2}", text).group(0))  # type: ignore[union-attr]
    return float(text.replace(",", "."))


def _constraint(text: str) -> tuple[float | date | None, float | date | None, bool]:
    """(min, max, on_length) of `. >= a and . <= b`; ValueError when outside the subset."""
    low: float | date | None = None
    high: float | date | None = None
    lengths = set()
    for part in re.split(r"\s+and\s+", text.strip()):
        match = _CONSTRAINT_PART.match(part)
        if not match:
            raise ValueError(f"constraint {text!r}: only `. >= a`, `. <= b` and `. >= a and . <= b` are supported")
        lengths.add(match.group(1) != ".")
        bound = _bound(match.group(3))
        if match.group(2) == ">=":
            low = bound
        else:
            high = bound
    if len(lengths) > 1:
        raise ValueError(f"constraint {text!r}: mixes `.` and `string-length(.)`")
    return low, high, lengths == {True}


def _relevant(text: str) -> dict[str, object]:
    selected = _SELECTED.match(text)
    if selected:
        negated = bool(selected.group(1))
        if negated != bool(selected.group(4)):
            raise ValueError(f"relevant {text!r}: unbalanced parentheses")
        return {"question": selected.group(2), "op": "ne" if negated else "eq", "value": selected.group(3)}
    match = _RELEVANT.match(text)
    if not match:
        raise ValueError(f"relevant {text!r}: only ${{q}} = 'x', !=, > and < on one earlier question are supported")
    name, op, single, double, number = match.groups()
    value: object = number if number is not None else (single if single is not None else double)
    if number is not None:
        value = float(number) if "." in number else int(number)
    return {"question": name, "op": _OP[op], "value": value}


def _required(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"required {text!r}: write yes or no")


def _range(text: str) -> dict[str, int]:
    scale = {}
    for part in text.replace(";", " ").split():
        match = _RANGE_PARAM.match(part.strip())
        if not match:
            raise ValueError(f"parameters {text!r}: write start=1 end=5 step=1")
        scale[match.group(1)] = int(match.group(2))
    return scale


def _choices(book: Any, default: str, problems: list[Problem]) -> dict[str, list[dict[str, object]]]:
    if "choices" not in book.sheetnames:
        return {}
    sheet = _Sheet(book["choices"])
    _check_columns(sheet, _CHOICE_COLUMNS, problems, default)
    lists: dict[str, list[dict[str, object]]] = {}
    list_column = "list_name" if sheet.column("list_name") is not None else "list name"
    for number, row in sheet.rows:
        list_name, name = _text(sheet.cell(row, list_column)), _text(sheet.cell(row, "name"))
        labels = _texts(sheet, row, "label", default)
        if not list_name or not name:
            problems.append(Problem("choices", number, "", "every choice needs a list_name and a name"))
            continue
        if not labels:
            problems.append(Problem("choices", number, "", f"the choice {name!r} has no label"))
        lists.setdefault(list_name, []).append({"name": name, "label": labels or {default: name}})
    return lists


def read_xlsform(source: Path | bytes, *, default_language: str = "tr", file: str | None = None,
                 known_indicators: set[str] | None = None) -> SurveyForm:
    """The `SurveyForm` in an XLSForm file (path or bytes). Raises `XLSFormError` listing
    every problem, each with its sheet, row and column. With `known_indicators`, an
    indicator code outside that set is a problem too."""
    name = file or (source.name if isinstance(source, Path) else "form.xlsx")
    try:
        book = openpyxl.load_workbook(source if isinstance(source, Path) else io.BytesIO(source),
                                      read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a file that is not XLSX
        raise XLSFormError(name, [Problem("-", 0, "", f"not an .xlsx file ({type(error).__name__})")]) from error
    problems: list[Problem] = []
    if "survey" not in book.sheetnames:
        raise XLSFormError(name, [Problem("survey", 0, "", "the workbook has no sheet named 'survey'")])
    settings = _settings(book)
    default = _default_language(settings.get("default_language", ""), default_language)
    lists = _choices(book, default, problems)
    sheet = _Sheet(book["survey"])
    _check_columns(sheet, _SURVEY_COLUMNS, problems, default)
    for required_column in ("type", "name"):
        if sheet.column(required_column) is None:
            problems.append(Problem("survey", 1, "", f"the sheet has no {required_column!r} column"))
    questions: list[dict[str, object]] = []
    seen: dict[str, QuestionType] = {}
    if not problems:
        for number, row in sheet.rows:
            question = _question(sheet, number, row, lists, default, seen, problems)
            code = question.get("indicator") if question else None
            if code and known_indicators is not None and code not in known_indicators:
                column = sheet.column("bind::koordinat:indicator")
                column = sheet.column("indicator") if column is None else column
                problems.append(Problem("survey", number, sheet.where(column) if column is not None else "",
                                        f"unknown indicator {code!r} (see koordinat survey library)"))
            if question is not None:
                questions.append(question)
                seen[str(question["name"])] = QuestionType(str(question["type"]))
    if problems:
        raise XLSFormError(name, problems)
    code = settings.get("form_id") or re.sub(r"[^A-Za-z0-9_.\-]+", "_", Path(name).stem)[:64] or "form"
    title = _localized_setting(settings, "form_title", default) or {default: Path(name).stem}
    description = _localized_setting(settings, "description", default)
    try:
        return SurveyForm.model_validate({"code": code, "title": title, "description": description,
                                          "questions": questions})
    except ValidationError as error:
        raise XLSFormError(name, [Problem("settings" if "code" in str(error) else "survey", 0, "",
                                          _first_error(error))]) from error


def _settings(book: Any) -> dict[str, str]:
    if "settings" not in book.sheetnames:
        return {}
    rows = list(book["settings"].iter_rows(values_only=True))
    if len(rows) < 2:
        return {}
    header = [_text(cell) for cell in rows[0]]
    return {(key if "::" in key else key.lower()): _text(value)
            for key, value in zip(header, rows[1], strict=False) if key and _text(value)}


def _default_language(setting: str, fallback: str) -> str:
    """XLSForm's `default_language` setting (`Turkish (tr)`, `tr`): the language of plain
    `label` columns."""
    return _language(f"label::{setting}", fallback) if setting else fallback  # type: ignore[return-value]


def _localized_setting(settings: dict[str, str], key: str, default: str) -> dict[str, str]:
    """`form_title` (the default language) and `form_title::English (en)` (Koordinat's
    extension for a title per language; other XLSForm tools ignore it)."""
    texts = {}
    for column, value in settings.items():
        prefix, _, suffix = column.partition("::")
        if prefix != key:
            continue
        lang = _language(f"label::{suffix}" if suffix else "label", default)
        if lang:
            texts[lang] = value
    return texts


def _question(sheet: _Sheet, number: int, row: tuple[Any, ...], lists: dict[str, list[dict[str, object]]],
              default: str, seen: dict[str, QuestionType], problems: list[Problem]) -> dict[str, object] | None:
    def fail(column: str, message: str) -> None:
        index = sheet.column(column)
        problems.append(Problem("survey", number, sheet.where(index) if index is not None else column, message))

    raw_type = _text(sheet.cell(row, "type"))
    name = _text(sheet.cell(row, "name"))
    parts = raw_type.split()
    base = parts[0].lower() if parts else ""
    question: dict[str, object] = {"name": name}
    if base in ("select_one", "select_multiple"):
        if len(parts) != 2 or parts[1] not in lists:
            fail("type", f"{raw_type!r}: the choice list {parts[1] if len(parts) > 1 else ''!r} is not on the choices sheet"
                 if len(parts) == 2 else f"{raw_type!r}: write select_one LIST or select_multiple LIST")
            return None
        options = lists[parts[1]]
        if base == "select_one" and sorted(str(o["name"]) for o in options) == ["no", "yes"]:
            question["type"] = QuestionType.YES_NO  # Koordinat's yes/no convention
        else:
            question["type"] = QuestionType(base)
            question["choices"] = options
    elif base in _TYPES_PLAIN and len(parts) == 1:
        question["type"] = _TYPES_PLAIN[base]
    else:
        fail("type", f"the type {raw_type!r} is not supported (supported: integer, decimal, percentage, "
                     "range, select_one, select_multiple, text, date, image, file, note)")
        return None
    kind = QuestionType(str(question["type"]))
    marker = _text(sheet.cell(row, "bind::koordinat:type")).lower()
    if marker:
        if marker == "percentage" and kind == QuestionType.DECIMAL:
            kind = question["type"] = QuestionType.PERCENTAGE
        else:
            fail("bind::koordinat:type", f"{marker!r} only marks a decimal as percentage")
    question["label"] = _texts(sheet, row, "label", default)
    if not question["label"]:
        fail("type", "the row has no label")
    hint = _texts(sheet, row, "hint", default)
    if hint:
        question["hint"] = hint
    indicator = _text(sheet.cell(row, "bind::koordinat:indicator")) or _text(sheet.cell(row, "indicator"))
    if indicator:
        question["indicator"] = indicator
    for column, parse in (("required", _required), ("constraint", _constraint), ("relevant", _relevant),
                          ("parameters", _range)):
        text = _text(sheet.cell(row, column))
        if not text:
            continue
        try:
            value = parse(text)
        except (ValueError, AttributeError) as error:
            fail(column, str(error))
            continue
        if column == "required":
            question["required"] = value
        elif column == "constraint":
            low, high, on_length = value  # type: ignore[misc]
            if on_length != (kind == QuestionType.TEXT):
                fail(column, "use string-length(.) for text and `.` for numbers and dates")
                continue
            question["min"], question["max"] = low, high
        elif column == "relevant":
            earlier = seen.get(str(value["question"]))  # type: ignore[index]
            if earlier is None:
                fail(column, f"{text!r} names {value['question']!r}, which is not an earlier question")  # type: ignore[index]
                continue
            if earlier == QuestionType.YES_NO and value["value"] in ("yes", "no"):  # type: ignore[index]
                value["value"] = value["value"] == "yes"  # type: ignore[index]
            question["relevant"] = value
        elif column == "parameters":
            if kind != QuestionType.RANGE:
                fail(column, "parameters are only for range questions")
                continue
            question["scale"] = value
    try:
        Question.model_validate(question)
    except ValidationError as error:
        fail("name" if "name" in _first_error(error).split(":")[0] else "type", _first_error(error))
        return None
    return question


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else str(first["msg"])


# -- writing -----------------------------------------------------------------------------------
def write_xlsform(form: SurveyForm) -> bytes:
    """The form as an XLSForm workbook (survey, choices, settings sheets)."""
    languages = sorted({lang for q in form.questions for lang in q.label} | set(form.title),
                       key=lambda lang: (lang != "tr", lang != "en", lang))
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "strings_to_numbers": False})
    survey = book.add_worksheet("survey")
    choices = book.add_worksheet("choices")
    settings = book.add_worksheet("settings")

    def header(lang: str) -> str:
        return f"{LANGUAGE_NAMES.get(lang, lang)} ({lang})"

    columns = ["type", "name", *[f"label::{header(lang)}" for lang in languages],
               *[f"hint::{header(lang)}" for lang in languages], "required", "constraint", "relevant",
               "parameters", "bind::koordinat:type", "bind::koordinat:indicator"]
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
        if question.relevant is not None:
            cells["relevant"] = _relevant_cell(question, form)
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
    return str(question.type)


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
    return " and ".join(parts)


def _relevant_cell(question: Question, form: SurveyForm) -> str:
    condition = question.relevant
    assert condition is not None
    earlier = form.question(condition.question)
    value = condition.value
    if earlier is not None and earlier.type == QuestionType.SELECT_MULTIPLE:
        inner = f"selected(${{{condition.question}}}, '{value}')"
        return inner if condition.op == "eq" else f"not({inner})"
    if isinstance(value, bool):
        text = "'yes'" if value else "'no'"
    elif isinstance(value, int | float):
        text = str(int(value)) if float(value).is_integer() else str(value)
    else:
        text = f"'{value}'"
    return f"${{{condition.question}}} {_OP_BACK[condition.op]} {text}"


