"""XLSForm in and out (https://xlsform.org/en/): the format KoboToolbox and ODK users write.

Reading (`check_xlsform`, `read_xlsform`) takes a real Kobo/ODK form (`.xlsx` or legacy `.xls`)
and keeps what a chat can ask; every row gets a note saying what will be asked, what was
simplified, what was left out and what is refused, with its sheet, row and column — all in
one pass. `read_xlsform` raises `XLSFormError` listing the refusals; nothing is silently dropped.

| XLSForm                                   | In the chat                                         |
|-------------------------------------------|-----------------------------------------------------|
| integer, decimal, text, date, range, note | asked as typed answers / buttons (note: shown)      |
| select_one / select_multiple LIST         | buttons (WhatsApp: list); `or_other` adds "Other" and a text follow-up |
| acknowledge (trigger)                     | one "OK" button                                     |
| image, photo, file, audio, video          | evidence: she sends the photo / file / recording    |
| geopoint (gps)                            | the chat app's own location message                 |
| begin group / end group                   | flattened: the label shown once as a heading, its `relevant` applied to each question |
| begin repeat with a fixed repeat_count    | its questions asked that many times (`name_1`, `name_2`…) |
| calculate (arithmetic over earlier numbers) | stored with the response, not asked               |
| start, end, today, deviceid, username...  | left out with a note (the chat knows who and when)  |
| appearance and other display columns      | left out with a note                                |
| choice_filter, select_one_from_file, begin repeat without a fixed count, time, datetime, barcode, geotrace, geoshape | refused by row |

Koordinat conventions on top: `percentage` (a number 0–100; written back as `decimal` with
`bind::koordinat:type` = `percentage`), yes/no (a `select_one` whose list has exactly the
choices `yes` and `no`, or the type `yes_no`) and `bind::koordinat:indicator` (or `indicator`):
the indicator code the answer reports (e.g. I4). Expressions: see `xlsform_expr`, `calc`.

Writing (`write_xlsform`) produces the same subset, so a form read, written and read again is
the same form (round trip).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

__all__ = ["ImportCheck", "Problem", "XLSFormError", "check_xlsform", "read_xlsform", "write_xlsform"]

from pydantic import ValidationError

from bot.services.surveys import calc
from bot.services.surveys.model import NAME_PATTERN, Question, QuestionType, SurveyForm
from bot.services.surveys.xlsform_expr import REF, parse_constraint, parse_relevant
from bot.services.surveys.xlsform_write import write_xlsform
from bot.services.surveys.xlsform_sheets import FormulaCell, Sheet, WorkbookError, cell_text, load
from messages import t

_LANG_CODE = re.compile(r"\(([A-Za-z]{2,3}(?:-[A-Za-z]+)?)\)\s*$")
_RANGE_PARAM = re.compile(r"^(start|end|step)\s*=\s*(-?\d+)$")
_TYPES_PLAIN = {"integer": QuestionType.INTEGER, "int": QuestionType.INTEGER, "decimal": QuestionType.DECIMAL,
                "text": QuestionType.TEXT, "string": QuestionType.TEXT, "date": QuestionType.DATE,
                "note": QuestionType.NOTE, "range": QuestionType.RANGE,
                "image": QuestionType.EVIDENCE, "photo": QuestionType.EVIDENCE, "file": QuestionType.EVIDENCE,
                "audio": QuestionType.EVIDENCE, "video": QuestionType.EVIDENCE,
                "acknowledge": QuestionType.ACKNOWLEDGE, "trigger": QuestionType.ACKNOWLEDGE,
                "geopoint": QuestionType.GEOPOINT, "gps": QuestionType.GEOPOINT, "location": QuestionType.GEOPOINT,
                "percentage": QuestionType.PERCENTAGE, "yes_no": QuestionType.YES_NO}
_METADATA = {"start", "end", "today", "deviceid", "imei", "username", "phonenumber", "audit", "simserial",
             "subscriberid", "start-geopoint", "email", "uri:deviceid", "uri:email", "uri:username",
             "uri:phonenumber", "uri:subscriberid", "uri:simserial", "background-audio", "background-geopoint",
             "deviceid", "hidden", "xml-external", "csv-external"}
_REFUSED_TYPES = {
    "time": "a time of day is not asked in the chat; use text or integer (hour)",
    "datetime": "a date with a time is not asked in the chat; use date",
    "dateTime": "a date with a time is not asked in the chat; use date",
    "barcode": "a barcode scan is not possible in a chat; use text",
    "geotrace": "a line drawn on a map is not possible in a chat; use geopoint",
    "geoshape": "a shape drawn on a map is not possible in a chat; use geopoint",
    "rank": "ranking is not asked in the chat; use select_multiple",
    "select_one_from_file": "choices from an attached file cannot be shown; put them on the choices sheet",
    "select_multiple_from_file": "choices from an attached file cannot be shown; put them on the choices sheet",
    "select_one_external": "external choices cannot be shown; put them on the choices sheet",
}
# Survey columns: header (lower-case) → the meaning we use.
_COLUMNS = {"type": "type", "name": "name", "required": "required", "bind:required": "required",
            "bind::required": "required", "relevant": "relevant", "bind:relevant": "relevant",
            "bind::relevant": "relevant", "constraint": "constraint", "bind:constraint": "constraint",
            "bind::constraint": "constraint", "calculation": "calculation", "bind:calculate": "calculation",
            "bind::calculate": "calculation", "default": "default", "parameters": "parameters",
            "choice_filter": "choice_filter", "choice filter": "choice_filter", "repeat_count": "repeat_count",
            "jr:count": "repeat_count", "select_from_list_name": "list_ref", "indicator": "indicator", "bind::koordinat:indicator": "indicator",
            "bind::koordinat:type": "koordinat_type", "list_name": "list_name", "list name": "list_name"}
_LOCALIZED = {"label": "label", "hint": "hint", "constraint_message": "constraint_message",
              "constraint message": "constraint_message", "jr:constraintmsg": "constraint_message",
              "bind:jr:constraintmsg": "constraint_message", "bind::jr:constraintmsg": "constraint_message",
              "required_message": "required_message", "required message": "required_message",
              "requiredmsg": "required_message", "jr:requiredmsg": "required_message",
              "bind:jr:requiredmsg": "required_message", "bind::jr:requiredmsg": "required_message"}
_DISPLAY = ("appearance", "media", "image", "audio", "video", "big-image", "autoplay", "read_only", "readonly",
            "guidance_hint", "body", "control", "instance", "trigger", "save_to", "rows", "buttontext",
            "tag", "style", "bind::oc", "bind:oc", "intent", "flash", "hxl")
_TRUE = {"yes", "true", "true()", "1", "evet"}
_FALSE = {"no", "false", "false()", "0", "hayır", "hayir", ""}
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})
REPEAT_MAX = 20  # a fixed repeat_count above this is refused (a chat of 20+ copies is no survey)


@dataclass(frozen=True)
class Problem:
    """One note on a row (or a whole column/sheet): where, what and how it is taken.

    `kind`: "asked" (what the chat asks), "simplified" (asked, a detail changed), "ignored"
    (left out, the rest imports) or "refused" (the form cannot import until it is changed)."""

    sheet: str
    row: int  # 1-based, as the spreadsheet shows it; 0 for the whole file
    column: str  # "C (relevant)", or "" for the whole row/sheet
    message: str
    kind: str = "refused"

    def __str__(self) -> str:
        where = f"{self.sheet}!row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class XLSFormError(ValueError):
    """The file is not an XLSForm Koordinat can use; `problems` name sheet, row and column."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems
        super().__init__(f"{file}: " + "; ".join(map(str, problems)))


@dataclass
class ImportCheck:
    """The result of `check_xlsform`: the form (None when anything is refused) and every note,
    in sheet and row order."""

    file: str
    form: SurveyForm | None
    notes: list[Problem] = field(default_factory=list)

    @property
    def refused(self) -> list[Problem]:
        return [note for note in self.notes if note.kind == "refused"]

    def report(self) -> str:
        """Per row: what will be asked, simplified, left out, refused; then one verdict line."""
        marks = {"asked": "ask     ", "simplified": "simplify", "ignored": "leave   ", "refused": "REFUSED "}
        lines = [f"{self.file}:"]
        for note in sorted(self.notes, key=lambda n: (n.sheet != "survey", n.sheet, n.row)):
            where = f"{note.sheet}!{note.row}" + (f" {note.column}" if note.column else "")
            lines.append(f"  {marks[note.kind]} {where}: {note.message}")
        if self.form is not None:
            asked = len(self.form.answerable)
            lines.append(f"{self.file}: importable as {self.form.code!r} — {asked} question(s) to ask, "
                         f"{sum(n.kind == 'simplified' for n in self.notes)} simplified, "
                         f"{sum(n.kind == 'ignored' for n in self.notes)} left out")
        else:
            lines.append(f"{self.file}: not importable — {len(self.refused)} row(s) refused; change them and "
                         "check again")
        return "\n".join(lines)


# -- reading --------------------------------------------------------------------------------
def _language(suffix: str, default: str) -> str | None:
    """`Turkish (tr)` → tr, `en` / `English` → en, "" → the default language; None when no
    language can be told."""
    if not suffix.strip():
        return default
    code = _LANG_CODE.search(suffix)
    if code:
        return code.group(1).lower()
    suffix = suffix.strip().lower()
    for code_name, names in (("tr", ("tr", "turkish", "türkçe", "turkce")), ("en", ("en", "english", "ingilizce")),
                             ("fr", ("fr", "french", "français", "francais")), ("es", ("es", "spanish", "español")),
                             ("ar", ("ar", "arabic")), ("ku", ("ku", "kurdish", "kurmanji")),
                             ("sw", ("sw", "swahili")), ("pt", ("pt", "portuguese")), ("zh", ("zh", "chinese"))):
        if suffix in names:
            return code_name
    return suffix if re.fullmatch(r"[a-z]{2,3}", suffix) else None


def _header(text: str, default: str) -> tuple[str, str | None]:
    """(meaning, language) of a column header: ("label", "en"), ("relevant", None),
    ("display", None), ("unknown", None)."""
    lowered = text.strip().lower()
    if lowered in _COLUMNS:
        return _COLUMNS[lowered], None
    for separator in ("::", ":"):
        prefix, found, suffix = text.strip().partition(separator)
        key = prefix.strip().lower()
        if key in _LOCALIZED and (found or not suffix):
            if separator == ":" and key.startswith(("bind", "jr")):
                continue
            language = _language(suffix, default)
            return (_LOCALIZED[key], language) if language else ("unknown", None)
    if lowered in _LOCALIZED:
        return _LOCALIZED[lowered], default
    if lowered.startswith(_DISPLAY):
        return "display", None
    return "unknown", None


class _Columns:
    """A sheet's headers understood once: meaning → column indexes (localized: per language)."""

    def __init__(self, sheet: Sheet, default: str, notes: list[Problem], allowed: set[str]) -> None:
        self.sheet = sheet
        self.plain: dict[str, int] = {}
        self.localized: dict[str, dict[str, int]] = {}
        for index, header in enumerate(sheet.header):
            used = [number for number, row in sheet.rows if index < len(row) and cell_text(row[index])]
            if not header:
                if used:
                    notes.append(Problem(sheet.title, 1, sheet.where(index),
                                         f"a column without a header (used from row {used[0]}): left out", "ignored"))
                continue
            meaning, language = _header(header, default)
            if language is not None and meaning in ("label", "hint", "constraint_message", "required_message"):
                self.localized.setdefault(meaning, {}).setdefault(language, index)
            elif meaning in allowed and meaning not in self.plain:
                self.plain[meaning] = index
            elif used:
                why = ("a display setting the chat cannot honour" if meaning == "display"
                       else "a column Koordinat does not use")
                notes.append(Problem(sheet.title, 1, sheet.where(index),
                                     f"{header!r} is {why}; left out ({len(used)} row(s) use it)", "ignored"))

    def get(self, row: list[Any], meaning: str) -> Any:
        index = self.plain.get(meaning)
        return row[index] if index is not None and index < len(row) else None

    def text(self, row: list[Any], meaning: str) -> str:
        return cell_text(self.get(row, meaning))

    def where(self, meaning: str) -> str:
        index = self.plain.get(meaning)
        if index is None:
            index = next(iter(self.localized.get(meaning, {}).values()), None)
        return self.sheet.where(index) if index is not None else ""

    def texts(self, row: list[Any], meaning: str) -> tuple[dict[str, str], list[int]]:
        """{language: text} of a localized column, and the indexes holding a formula without
        a saved value."""
        texts, formulas = {}, []
        for language, index in self.localized.get(meaning, {}).items():
            value = row[index] if index < len(row) else None
            if isinstance(value, FormulaCell):
                formulas.append(index)
            elif cell_text(value, multiline=True):
                texts[language] = cell_text(value, multiline=True)
        return texts, formulas


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


def _plain(error: ValidationError) -> str:
    """A pydantic error in plain words (no "Value error," or field paths)."""
    first = error.errors()[0]
    message = str(first["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return message[0].upper() + message[1:] if message else "not valid"


def _choices(sheets: dict[str, Sheet], default: str, notes: list[Problem], later: dict[str, list[Problem]],
             duplicates_allowed: bool) -> dict[str, list[dict[str, Any]]]:
    """The choice lists by name; each choice carries its sheet row (`_row`). A problem of a
    list goes to `later` (by list name): it is refused only if a question uses the list."""
    sheet = sheets.get("choices") or sheets.get("choices sheet")
    if sheet is None:
        return {}
    columns = _Columns(sheet, default, notes, {"list_name", "name"})
    if "list_name" not in columns.plain or "name" not in columns.plain:
        notes.append(Problem(sheet.title, 1, "", "the choices sheet needs the columns list_name and name"))
        return {}
    lists: dict[str, list[dict[str, Any]]] = {}
    for number, row in sheet.rows:
        list_name, name = columns.text(row, "list_name"), columns.text(row, "name")
        labels, formulas = columns.texts(row, "label")
        for index in formulas:
            notes.append(Problem(sheet.title, number, sheet.where(index), "the label is a formula with no saved "
                                 "value; open the file in Excel or LibreOffice, save it, and import again"))
        if not list_name and not name:
            continue
        if not list_name or not name:
            notes.append(Problem(sheet.title, number, columns.where("name" if list_name else "list_name"),
                                 "every choice needs a list_name and a name"))
            continue
        if any(choice["name"] == name for choice in lists.get(list_name, [])):
            if duplicates_allowed:
                notes.append(Problem(sheet.title, number, columns.where("name"), f"the list {list_name!r} has the "
                                     f"choice {name!r} twice; the first is kept", "simplified"))
            else:
                later.setdefault(list_name, []).append(Problem(
                    sheet.title, number, columns.where("name"), f"the list {list_name!r} has the choice {name!r} "
                    "twice; give each choice of a list its own name"))
            continue
        if not labels and not formulas:
            notes.append(Problem(sheet.title, number, columns.where("name"),
                                 f"the choice {name!r} has no label; its name is shown", "simplified"))
        lists.setdefault(list_name, []).append({"name": name, "label": labels or {default: name}, "_row": number})
    return lists


@dataclass
class _Group:
    row: int
    kind: str  # "group" | "repeat"
    label: dict[str, str]
    conditions: list[list[dict[str, object]]]
    pending_heading: bool = True


class _Reader:
    """One pass over the survey sheet: questions, and a note for every row."""

    def __init__(self, sheet: Sheet, columns: _Columns, lists: dict[str, list[dict[str, Any]]], default: str,
                 notes: list[Problem], known_indicators: set[str] | None,
                 list_problems: dict[str, list[Problem]]) -> None:
        self.sheet, self.columns, self.lists, self.default = sheet, columns, lists, default
        self.list_problems = list_problems
        self.notes, self.known_indicators = notes, known_indicators
        self.questions: list[dict[str, Any]] = []
        self.seen: dict[str, QuestionType] = {}
        self.choices_of: dict[str, set[str]] = {}
        self.left_out: dict[str, str] = {}  # name → why (metadata, a calculate beyond the subset)
        self.groups: list[_Group] = []
        self.later: dict[str, int] = {}
        for number, row in sheet.rows:
            name = columns.text(row, "name")
            if name:
                self.later.setdefault(name, number)

    def note(self, number: int, meaning: str, message: str, kind: str = "refused") -> None:
        self.notes.append(Problem(self.sheet.title, number, self.columns.where(meaning) if meaning else "",
                                  message, kind))

    # -- the sheet, row by row ------------------------------------------------------------
    def read(self) -> None:
        rows = self.sheet.rows
        index = 0
        while index < len(rows):
            number, row = rows[index]
            kind = " ".join(self.columns.text(row, "type").replace("_", " ").lower().split())
            if kind.startswith(("begin repeat", "begin loop")):
                end = self._matching_end(index)
                index = self._repeat(index, end if end is not None else len(rows))
                continue
            self._row(number, row, {}, "")
            index += 1
        for group in self.groups:
            self.note(group.row, "type", f"the {group.kind} opened here is never closed; it ends with the form",
                      "simplified")

    def _matching_end(self, start: int) -> int | None:
        depth = 0
        for index in range(start, len(self.sheet.rows)):
            kind = " ".join(self.columns.text(self.sheet.rows[index][1], "type").replace("_", " ").lower().split())
            if kind.startswith(("begin repeat", "begin loop")):
                depth += 1
            elif kind in ("end repeat", "end loop"):
                depth -= 1
                if depth == 0:
                    return index
        self.note(self.sheet.rows[start][0], "type", "this repeat is never closed (no end repeat); it ends "
                  "with the form", "simplified")
        return None

    def _repeat(self, start: int, end: int) -> int:
        number, row = self.sheet.rows[start]
        count = self.columns.text(row, "repeat_count")
        inner = self.sheet.rows[start + 1:end]
        if not re.fullmatch(r"\d+", count) or not 1 <= int(count) <= REPEAT_MAX:
            why = (f"repeat_count {count!r} depends on an answer" if count else "it has no fixed repeat_count")
            self.note(number, "type", f"begin repeat: a section asked again and again cannot be asked in a chat "
                      f"({why}); give it a fixed repeat_count (1–{REPEAT_MAX}) or remove the repeat "
                      f"({len(inner)} row(s) inside)")
            return end + 1
        times = int(count)
        label, _ = self.columns.texts(row, "label")
        names = {self.columns.text(r, "name") for _, r in inner} - {""}
        self.note(number, "type", f"repeat asked {times} time(s): its questions get _1…_{times} after their names",
                  "simplified")
        for copy in range(1, times + 1):
            heading = {lang: f"{text} ({copy}/{times})" for lang, text in label.items()}
            self.groups.append(_Group(number, "repeat", heading, []))
            rename = {name: f"{name}_{copy}" for name in names}
            for inner_number, inner_row in inner:
                self._row(inner_number, inner_row, rename, f" ({copy}/{times})")
            self.groups.pop()
        return end + 1

    def _expression(self, text: str, rename: dict[str, str], own: str = "") -> str:
        """An expression with typographic quotes made plain (Word and Excel put ‘ ’ “ ” in),
        names renamed inside a repeat copy, and the row's own `${name}` read as `.`."""
        text = text.translate(_QUOTES)
        if rename:
            text = REF.sub(lambda m: "${" + rename.get(m.group(1), m.group(1)) + "}", text)
        if own:
            text = text.replace("${" + own + "}", ".")
        return text

    def _references(self, number: int, meaning: str, text: str, names: set[str]) -> bool:
        """Whether every `${name}` is an earlier question we keep; else a refusal, named."""
        fine = True
        for name in sorted(names):
            if name in self.seen:
                continue
            fine = False
            if name in self.left_out:
                self.note(number, meaning, f"{text!r} uses ${{{name}}}, which is left out ({self.left_out[name]})")
            elif name in self.later and self.later[name] >= number:
                self.note(number, meaning, f"{text!r} uses ${{{name}}}, which comes later (row "
                          f"{self.later[name]}); the chat asks in order, so a question can only depend on earlier ones")
            else:
                self.note(number, meaning, f"{text!r} uses ${{{name}}}, but no question has that name")
        return fine

    def _relevant(self, number: int, text: str, meaning: str = "relevant") -> list[list[dict[str, object]]] | None:
        try:
            parsed = parse_relevant(text)
        except ValueError as error:
            part = str(error)
            if part.startswith("too many"):
                self.note(number, meaning, f"{text!r} combines too many and / or for the chat's skip logic; "
                          "split the question, or simplify the condition")
            else:
                self.note(number, meaning, f"the condition {part!r} is beyond the chat's skip logic (supported: "
                          "${q} = 'x', !=, >, <, >=, <=, selected(${q}, 'x'), not(…), joined by and / or)")
            return None
        dropped = {str(a["question"]) for part in parsed for a in part if str(a["question"]) in self.left_out}
        if dropped:  # a condition on something the chat does not keep: read as true (asked)
            parsed = [part for part in parsed if not any(str(a["question"]) in dropped for a in part)]
            self.note(number, meaning, f"the part(s) of {text!r} about {', '.join(sorted(dropped))} (left out of the "
                      "form) are read as true, so the question is asked", "simplified")
        if not self._references(number, meaning, text, {str(a["question"]) for part in parsed for a in part}):
            return None
        for part in parsed:
            for atom in part:
                earlier = self.seen[str(atom["question"])]
                selected = atom.pop("selected", False)
                if earlier == QuestionType.YES_NO and str(atom["value"]).lower() in ("yes", "no", "1", "0"):
                    atom["value"] = str(atom["value"]).lower() in ("yes", "1")
                elif earlier == QuestionType.SELECT_MULTIPLE and not selected and atom["value"] != "":
                    self.note(number, meaning, f"{text!r}: compare a multiple choice with selected(${{q}}, 'x')")
                    return None
                elif earlier in (QuestionType.SELECT_ONE, QuestionType.SELECT_MULTIPLE) and atom["value"] != "":
                    atom["value"] = str(atom["value"])
                    if atom["value"] not in self.choices_of.get(str(atom["question"]), set()):
                        self.note(number, meaning, f"{text!r}: {atom['question']!r} has no choice "
                                  f"{atom['value']!r}, so this is never true", "simplified")
                if atom["op"] in ("gt", "lt", "ge", "le") and earlier not in (
                        QuestionType.INTEGER, QuestionType.DECIMAL, QuestionType.PERCENTAGE, QuestionType.RANGE,
                        QuestionType.CALCULATE):
                    self.note(number, meaning, f"{text!r}: > and < need a number question")
                    return None
        return parsed

    def _row(self, number: int, row: list[Any], rename: dict[str, str], suffix: str) -> None:
        columns = self.columns
        raw_type = columns.text(row, "type")
        if raw_type.lower() in ("select_one", "select_multiple", "select one", "select multiple") \
                and columns.text(row, "list_ref"):  # KoboToolbox's own export: the list in its own column
            raw_type = f"{raw_type} {columns.text(row, 'list_ref')}"
        name = columns.text(row, "name")
        name = rename.get(name, name)
        words = raw_type.split()
        kind = " ".join(raw_type.replace("_", " ").lower().split())
        if not raw_type:
            if name or columns.texts(row, "label")[0]:
                self.note(number, "type", "the row has no type; left out", "ignored")
            return
        if kind == "begin group":
            label, _ = columns.texts(row, "label")
            relevant_text = self._expression(columns.text(row, "relevant"), rename)
            conditions = self._relevant(number, relevant_text) if relevant_text else []
            self.groups.append(_Group(number, "group", label, conditions or []))
            self.note(number, "", f"group {name or ''}{': ' + next(iter(label.values())) if label else ''} — its "
                      "questions are asked in order" + (", under its label as a heading" if label else "")
                      + (", when its condition holds" if conditions else ""), "simplified")
            return
        if kind == "end group":
            if not self.groups or self.groups[-1].kind != "group":
                self.note(number, "type", "end group without a begin group above it")
            else:
                self.groups.pop()
            return
        if kind in ("end repeat", "end loop"):
            return
        base = words[0].lower() if words else ""
        if base in _METADATA or kind in _METADATA:
            self.left_out[name] = f"{base} is recorded by the form app, not asked"
            self.note(number, "type", f"{base} {name}: the chat records who answered and when itself; left out",
                      "ignored")
            return
        if base in _REFUSED_TYPES or base.lower() in _REFUSED_TYPES:
            self.note(number, "type", f"the type {base!r}: {_REFUSED_TYPES.get(base, _REFUSED_TYPES.get(base.lower()))}")
            return
        if base == "calculate":
            self._calculate(number, row, name, rename)
            return
        question: dict[str, Any] = {"name": name}
        or_other = False
        list_name = ""
        select = re.fullmatch(r"(select_one|select_multiple|select one|select all that apply|select multiple)"
                              r"(?: from)? (\S+)(?: (or_other|or specify other))?", " ".join(words), re.IGNORECASE)
        if select or base in ("select_one", "select_multiple", "select"):
            if not select:
                self.note(number, "type", f"{raw_type!r}: write select_one LIST or select_multiple LIST")
                return
            multiple = not select.group(1).lower().replace("_", " ").endswith("one")
            list_name, or_other = select.group(2), bool(select.group(3))
            self.notes.extend(self.list_problems.pop(list_name, []))
            if list_name not in self.lists:
                self.note(number, "type", f"{raw_type!r}: the choice list {list_name!r} is not on the choices sheet")
                return
            options = [{"name": o["name"], "label": o["label"]} for o in self.lists[list_name]]
            if not multiple and not or_other and sorted(o["name"] for o in options) == ["no", "yes"]:
                question["type"] = QuestionType.YES_NO
            else:
                question["type"] = QuestionType.SELECT_MULTIPLE if multiple else QuestionType.SELECT_ONE
                question["choices"] = options
        elif base in _TYPES_PLAIN and len(words) == 1:
            question["type"] = _TYPES_PLAIN[base]
        else:
            self.note(number, "type", f"the type {raw_type!r} is not one the chat can ask (it asks: integer, decimal, "
                      "text, date, range, select_one, select_multiple, note, acknowledge, image, file, audio, "
                      "video, geopoint, calculate)")
            return
        kind_q = QuestionType(question["type"])
        if columns.text(row, "choice_filter"):
            self.note(number, "choice_filter", "choice_filter (choices that depend on an earlier answer) cannot be "
                      "shown in a chat; split the list into one question per case with relevant, or remove it")
            return
        marker = columns.text(row, "koordinat_type").lower()
        if marker:
            if marker == "percentage" and kind_q == QuestionType.DECIMAL:
                kind_q = question["type"] = QuestionType.PERCENTAGE
            else:
                self.note(number, "koordinat_type", f"{marker!r} only marks a decimal as percentage")
        label, formulas = columns.texts(row, "label")
        for index in formulas:
            self.notes.append(Problem(self.sheet.title, number, self.sheet.where(index),
                                      "the label is a formula with no saved value; open the file in Excel or "
                                      "LibreOffice, save it, and import again"))
        if formulas:
            return
        if not label:
            self.note(number, "type", "the row has no label; give it one (a question the chat asks needs words)")
            return
        question["label"] = {lang: text + suffix for lang, text in label.items()} if suffix else label
        for meaning in ("hint", "required_message", "constraint_message"):
            texts, _ = columns.texts(row, meaning)
            if texts:
                question[meaning] = texts
        indicator = columns.text(row, "indicator")
        if indicator:
            question["indicator"] = indicator
            if self.known_indicators is not None and indicator not in self.known_indicators:
                self.note(number, "indicator", f"unknown indicator {indicator!r} (see koordinat survey library)")
        ok = self._details(number, row, question, kind_q, rename)
        heading = self._heading()
        conditions = [part for group in self.groups for part in group.conditions]
        if conditions:
            question["conditions"] = conditions + question.get("conditions", [])
        if heading:
            question["heading"] = heading
        if not ok:
            return
        try:
            Question.model_validate(question)
        except ValidationError as error:
            self.note(number, "name" if "letters, digits" in _plain(error).lower() else "type", _plain(error))
            return
        if name in self.seen:
            self.note(number, "name", f"the name {name!r} is used twice (row {self.later.get(name)})")
            return
        self.questions.append(question)
        self.seen[name] = kind_q
        self.choices_of[name] = {c["name"] for c in question.get("choices", [])}
        for group in self.groups:
            group.pending_heading = False
        self.note(number, "", f"{_kind_words(kind_q)} {name}: {_short(question['label'])}", "asked")
        if or_other:
            self._or_other(number, question)

    def _heading(self) -> dict[str, str]:
        pending = [group.label for group in self.groups if group.pending_heading and group.label]
        if not pending:
            return {}
        languages = {lang for label in pending for lang in label}
        return {lang: " › ".join(label.get(lang) or next(iter(label.values())) for label in pending)
                for lang in languages}

    def _details(self, number: int, row: list[Any], question: dict[str, Any], kind: QuestionType,
                 rename: dict[str, str]) -> bool:
        """required, constraint, relevant, parameters, default: True when the row stays in."""
        columns = self.columns
        fine = True
        required = columns.text(row, "required")
        if required:
            try:
                question["required"] = _required(required)
            except ValueError as error:
                self.note(number, "required", str(error))
                fine = False
        relevant_text = self._expression(columns.text(row, "relevant"), rename)
        if relevant_text:
            parsed = self._relevant(number, relevant_text)
            if parsed is None:
                fine = False
            elif len(parsed) == 1 and len(parsed[0]) == 1:
                question["relevant"] = parsed[0][0]
            else:
                question["conditions"] = parsed
        constraint_text = self._expression(columns.text(row, "constraint"), rename, str(question["name"]))
        if constraint_text:
            fine = self._constraint(number, constraint_text, question, kind) and fine
        parameters = columns.text(row, "parameters")
        if parameters and kind == QuestionType.RANGE:
            try:
                question["scale"] = _range(parameters)
            except ValueError as error:
                self.note(number, "parameters", str(error))
                fine = False
        elif parameters:
            self.note(number, "parameters", f"parameters {parameters!r} are a display setting here; left out",
                      "ignored")
        default = columns.text(row, "default")
        if default:
            choices = {c["name"] for c in question.get("choices", [])}
            if "(" in default or "${" in default:
                self.note(number, "default", f"the default {default!r} is computed by the form app; left out",
                          "ignored")
            elif kind in (QuestionType.SELECT_ONE, QuestionType.SELECT_MULTIPLE) and default not in choices:
                self.note(number, "default", f"the default {default!r} is not one of the choices; left out", "ignored")
            elif kind in (QuestionType.EVIDENCE, QuestionType.GEOPOINT, QuestionType.NOTE, QuestionType.ACKNOWLEDGE,
                          QuestionType.SELECT_MULTIPLE, QuestionType.YES_NO, QuestionType.RANGE):
                self.note(number, "default", "a default is not offered for this type in the chat; left out", "ignored")
            else:
                question["default"] = default
                how = "its button is marked until she picks" if kind == QuestionType.SELECT_ONE \
                    else "offered as a one-tap answer"
                self.note(number, "default", f"default {default!r}: {how}", "simplified")
        return fine

    def _constraint(self, number: int, text: str, question: dict[str, Any], kind: QuestionType) -> bool:
        names = set(REF.findall(text))
        if names and not self._references(number, "constraint", text, names):
            return False
        found = parse_constraint(text, whole=kind in (QuestionType.INTEGER, QuestionType.RANGE))
        left_out = list(found.left_out)
        if found.on_length is not None:
            fits = (found.on_length and kind == QuestionType.TEXT) or (
                not found.on_length and kind in (QuestionType.INTEGER, QuestionType.DECIMAL,
                                                 QuestionType.PERCENTAGE, QuestionType.DATE))
            dates = isinstance(found.low, date) or isinstance(found.high, date)
            if fits and dates != (kind == QuestionType.DATE):
                fits = False
            if fits:
                question["min"], question["max"] = found.low, found.high
            else:
                left_out.append("the bounds (they do not fit a " + _kind_words(kind) + ")")
        if found.pattern is not None:
            if kind == QuestionType.TEXT:
                question["pattern"] = found.pattern
            else:
                left_out.append(f"regex on a {_kind_words(kind)}")
        if found.strict:
            self.note(number, "constraint", f"{', '.join(found.strict)}: read as ≥ / ≤", "simplified")
        if left_out:
            self.note(number, "constraint", f"the part(s) {', '.join(map(repr, left_out))} of the constraint are "
                      "beyond the chat's checks; left out, the rest is checked", "simplified")
        return True

    def _calculate(self, number: int, row: list[Any], name: str, rename: dict[str, str]) -> None:
        expression = self._expression(self.columns.text(row, "calculation"), rename)
        if not expression:
            self.left_out[name] = "a calculate without a calculation"
            self.note(number, "calculation", f"calculate {name}: no calculation; left out", "ignored")
            return
        try:
            _, names = calc.parse(expression)
        except ValueError:
            self.left_out[name] = "a calculation beyond simple arithmetic"
            self.note(number, "calculation", f"calculate {name}: {expression!r} is beyond simple arithmetic over "
                      "earlier numbers; left out", "ignored")
            return
        numeric = {QuestionType.INTEGER, QuestionType.DECIMAL, QuestionType.PERCENTAGE, QuestionType.RANGE,
                   QuestionType.CALCULATE}
        bad = sorted(n for n in names if n in self.seen and self.seen[n] not in numeric)
        if bad:
            self.left_out[name] = "a calculation over answers that are not numbers"
            self.note(number, "calculation", f"calculate {name}: {', '.join(bad)} are not numbers; left out", "ignored")
            return
        if not self._references(number, "calculation", expression, names):
            return
        label, _ = self.columns.texts(row, "label")
        question = {"name": name, "type": QuestionType.CALCULATE, "label": label or {self.default: name},
                    "calculation": expression}
        try:
            Question.model_validate(question)
        except ValidationError as error:
            self.note(number, "name", _plain(error))
            return
        self.questions.append(question)
        self.seen[name] = QuestionType.CALCULATE
        self.note(number, "", f"calculate {name} = {expression}: stored with each response, not asked", "asked")

    def _or_other(self, number: int, question: dict[str, Any]) -> None:
        languages = sorted(set(question["label"]) | {self.default})
        if not any(choice["name"] == "other" for choice in question["choices"]):
            question["choices"].append({"name": "other", "label": {
                lang: t("xlsform.other_choice", lang if lang in ("tr", "en") else "en") for lang in languages}})
        follow = {"name": f"{question['name']}_other", "type": QuestionType.TEXT,
                  "label": {lang: t("xlsform.other_specify", lang if lang in ("tr", "en") else "en")
                            for lang in languages},
                  "required": question.get("required", False),
                  "relevant": {"question": question["name"], "op": "eq", "value": "other"},
                  "conditions": question.get("conditions", [])}
        self.questions.append(follow)
        self.seen[follow["name"]] = QuestionType.TEXT
        self.note(number, "type", f"or_other: an \"Other\" choice and a text question {follow['name']} for it",
                  "simplified")


def _kind_words(kind: QuestionType) -> str:
    return {QuestionType.EVIDENCE: "file/photo upload", QuestionType.GEOPOINT: "location",
            QuestionType.YES_NO: "yes/no", QuestionType.ACKNOWLEDGE: "acknowledge (OK button)"}.get(kind, kind.value)


def _short(texts: dict[str, str]) -> str:
    text = " ".join(next(iter(texts.values()), "").split())
    return text if len(text) <= 60 else text[:59] + "…"


def check_xlsform(source: Path | bytes, *, default_language: str = "tr", file: str | None = None,
                  known_indicators: set[str] | None = None) -> ImportCheck:
    """Read an XLSForm (.xlsx or .xls; path or bytes) in one pass: the form when nothing is
    refused, and a note per row (`Problem.kind`: asked / simplified / ignored / refused).
    With `known_indicators`, an indicator code outside that set is refused. Never raises
    for a bad file: that is a refused note too."""
    name = file or (source.name if isinstance(source, Path) else "form.xlsx")
    notes: list[Problem] = []
    try:
        sheets = load(source, name)
    except WorkbookError as error:
        return ImportCheck(name, None, [Problem("-", 0, "", str(error))])
    if "survey" not in sheets:
        return ImportCheck(name, None, [Problem("survey", 0, "", "the workbook has no sheet named 'survey'")])
    settings = _settings(sheets)
    default = _language(settings.get("default_language", ""), default_language) or default_language
    list_problems: dict[str, list[Problem]] = {}
    lists = _choices(sheets, default, notes, list_problems,
                     settings.get("allow_choice_duplicates", "").lower() in _TRUE)
    sheet = sheets["survey"]
    columns = _Columns(sheet, default, notes, set(_COLUMNS.values()) - {"list_name"})
    for required_column in ("type", "name"):
        if required_column not in columns.plain:
            notes.append(Problem(sheet.title, 1, "", f"the sheet has no {required_column!r} column"))
    if any(note.kind == "refused" and note.row == 1 for note in notes):
        return ImportCheck(name, None, notes)
    reader = _Reader(sheet, columns, lists, default, notes, known_indicators, list_problems)
    reader.read()
    code = settings.get("form_id") or settings.get("id_string") or Path(name).stem
    code = re.sub(r"[^A-Za-z0-9_.\-]+", "_", code)[:64].strip("_") or "form"
    title = _localized_setting(settings, "form_title", default) or {default: Path(name).stem}
    description = _localized_setting(settings, "description", default)
    if any(note.kind == "refused" for note in notes):
        return ImportCheck(name, None, notes)
    if not any(QuestionType(q["type"]) not in (QuestionType.NOTE, QuestionType.CALCULATE) for q in reader.questions):
        notes.append(Problem(sheet.title, 0, "", "no row is a question the chat can ask"))
        return ImportCheck(name, None, notes)
    try:
        form = SurveyForm.model_validate({"code": code, "title": title, "description": description,
                                          "questions": reader.questions})
    except ValidationError as error:
        notes.append(Problem(sheet.title, 0, "", _plain(error)))
        return ImportCheck(name, None, notes)
    return ImportCheck(name, form, notes)


def read_xlsform(source: Path | bytes, *, default_language: str = "tr", file: str | None = None,
                 known_indicators: set[str] | None = None) -> SurveyForm:
    """The `SurveyForm` in an XLSForm file (path or bytes). Raises `XLSFormError` listing
    every refused row, each with its sheet, row and column (see `check_xlsform`)."""
    checked = check_xlsform(source, default_language=default_language, file=file, known_indicators=known_indicators)
    if checked.form is None:
        raise XLSFormError(checked.file, checked.refused)
    return checked.form


def _settings(sheets: dict[str, Sheet]) -> dict[str, str]:
    sheet = sheets.get("settings")
    if sheet is None or not sheet.rows:
        return {}
    first = sheet.rows[0][1]
    return {(key if "::" in key else key.lower()): cell_text(value)
            for key, value in zip(sheet.header, first, strict=False) if key and cell_text(value)}


def _localized_setting(settings: dict[str, str], key: str, default: str) -> dict[str, str]:
    """`form_title` (the default language) and `form_title::English (en)` (Koordinat's
    extension for a title per language; other XLSForm tools ignore it)."""
    texts = {}
    for column, value in settings.items():
        prefix, _, suffix = column.partition("::")
        if prefix.lower() != key:
            continue
        lang = _language(suffix, default)
        if lang:
            texts[lang] = value
    return texts
