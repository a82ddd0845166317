"""Loading indicators and survey templates: the shipped library (`bot/content/*.toml`) and a
group's own definitions (a TOML or YAML file), validated by pydantic at load.

The one entry point for every source of survey content; the XLSForm reader (`xlsform.py`)
builds the same `SurveyForm`s. Errors name the file, the line and the field:
`ContentError("survey_templates.toml", 42, "izleme.questions[3].type", "Input should be ...")`.

A group definition file has two top-level tables, both optional:

    [indicators.KARS_1]          # same fields as bot/content/indicators.toml
    [templates.kis_izleme]       # same fields as bot/content/survey_templates.toml
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.services.surveys.model import (
    Indicator,
    IndicatorAnswerType,
    Localized,
    Question,
    QuestionType,
    SurveyForm,
    localized,
)
from storage import surveys as surveys_repo
from storage.sql import Connection

INDICATORS_FILE = "indicators.toml"
TEMPLATES_FILE = "survey_templates.toml"


class ContentError(ValueError):
    """A content file that does not validate: `file`, 1-based `line`, dotted `field`."""

    def __init__(self, file: str, line: int, field: str, message: str) -> None:
        self.file, self.line, self.field, self.message = file, line, field, message
        super().__init__(f"{file}:{line}: {field}: {message}")


@dataclass
class Definition:
    """Indicators and templates read from one file."""

    indicators: dict[str, Indicator] = field(default_factory=dict)
    templates: dict[str, SurveyForm] = field(default_factory=dict)


# -- locating a field in the text (tomllib and PyYAML's safe_load give no line numbers) ----

def _key_line(lines: list[str], start: int, key: str) -> int | None:
    pattern = re.compile(rf"""(^|[\s\[.{{,])["']?{re.escape(key)}["']?\s*(=|:|\]|\.)""")
    for index in range(start, len(lines)):
        if pattern.search(lines[index]):
            return index
    return None


def _item_line(lines: list[str], start: int, position: int) -> int | None:
    """The line of the `position`-th list item after `start` (`[[table]]` or `- `)."""
    seen = -1
    for index in range(start, len(lines)):
        stripped = lines[index].lstrip()
        if stripped.startswith("[[") or stripped.startswith("- ") or stripped.startswith("{ name") \
                or stripped.startswith("{name"):
            seen += 1
            if seen == position:
                return index
    return None


def locate(text: str, path: list[str | int]) -> int:
    """Best-effort 1-based line of the value at `path` (e.g. ["izleme", "questions", 2, "type"])."""
    lines = text.splitlines()
    cursor, found = 0, 0
    for part in path:
        hit = _item_line(lines, cursor, part) if isinstance(part, int) else _key_line(lines, cursor, part)
        if hit is None:
            break
        cursor = found = hit
    return found + 1


def _field_name(path: list[str | int]) -> str:
    shown = ""
    for part in path:
        shown += f"[{part}]" if isinstance(part, int) else (f".{part}" if shown else str(part))
    return shown


def _parse(text: str, file: str) -> dict[str, Any]:
    if file.endswith((".yaml", ".yml")):
        import yaml  # imported where used (a YAML file): start-up stays light (issue 24)

        try:
            data = yaml.safe_load(text) or {}
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            raise ContentError(file, (mark.line + 1) if mark else 1, "-", str(error)) from None
    else:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            match = re.search(r"line (\d+)", str(error))
            raise ContentError(file, int(match.group(1)) if match else 1, "-", str(error)) from None
    if not isinstance(data, dict):
        raise ContentError(file, 1, "-", "expected a table of entries")
    return data


_TYPE_TAGS = frozenset({"float", "int", "str", "bool", "date", "datetime", "list", "dict", "none"})


def _fail(text: str, file: str, prefix: list[str | int], error: ValidationError) -> ContentError:
    first = error.errors()[0]
    loc = [part for part in first["loc"] if isinstance(part, str | int)]
    # pydantic puts union/function tags in loc ("function-after[...]"); drop non-field parts
    loc = [part for part in loc if not (isinstance(part, str) and ("[" in part or "-" in part or part in _TYPE_TAGS))]
    path = prefix + loc
    return ContentError(file, locate(text, path), _field_name(path), first["msg"])


# -- indicators -------------------------------------------------------------------------------

def parse_indicators(text: str, file: str, *, table: dict[str, Any] | None = None,
                     prefix: list[str | int] | None = None) -> dict[str, Indicator]:
    """Indicators from TOML/YAML text (`{code: {name, unit, answer_type, ...}}`).

    Raises ContentError naming the file, line and field of the first problem."""
    data = table if table is not None else _parse(text, file)
    found: dict[str, Indicator] = {}
    for code, entry in data.items():
        path: list[str | int] = [*(prefix or []), code]
        if not isinstance(entry, dict):
            raise ContentError(file, locate(text, path), _field_name(path), "expected a table")
        try:
            found[code] = Indicator.model_validate({"code": code, **entry})
        except ValidationError as error:
            raise _fail(text, file, path, error) from None
    return found


def indicator_question(indicator: Indicator, *, required: bool = False) -> Question:
    """The question that asks for an indicator's figure (name = lower-cased code)."""
    hint: Localized = {}
    for lang in ("tr", "en"):
        unit = localized(indicator.unit, lang)
        explanation = localized(indicator.explanation, lang)
        source = localized(indicator.source, lang)
        hint[lang] = f"{explanation} ({unit}) — {'Kaynak' if lang == 'tr' else 'Source'}: {source}"
    kind = QuestionType(indicator.answer_type.value)
    bounds: dict[str, Any] = {}
    if indicator.answer_type in (IndicatorAnswerType.INTEGER, IndicatorAnswerType.DECIMAL):
        bounds = {"min": 0}
    elif indicator.answer_type == IndicatorAnswerType.PERCENTAGE:
        bounds = {"min": 0, "max": 100}
    return Question(name=indicator.code.lower().replace(".", "_"), type=kind, label=dict(indicator.name),
                    hint=hint, required=required, indicator=indicator.code, **bounds)


# -- templates --------------------------------------------------------------------------------

def parse_templates(text: str, file: str, indicators: dict[str, Indicator], *,
                    table: dict[str, Any] | None = None,
                    prefix: list[str | int] | None = None) -> dict[str, SurveyForm]:
    """Templates from TOML/YAML text; `{indicator = "I4"}` entries are built from `indicators`.

    Raises ContentError naming the file, line and field of the first problem."""
    data = table if table is not None else _parse(text, file)
    found: dict[str, SurveyForm] = {}
    for code, entry in data.items():
        path: list[str | int] = [*(prefix or []), code]
        if not isinstance(entry, dict):
            raise ContentError(file, locate(text, path), _field_name(path), "expected a table")
        questions: list[Any] = []
        for index, item in enumerate(entry.get("questions") or []):
            item_path = [*path, "questions", index]
            if isinstance(item, dict) and "indicator" in item and "type" not in item:
                extra = set(item) - {"indicator", "required"}
                if extra:
                    raise ContentError(file, locate(text, [*item_path, sorted(extra)[0]]),
                                       _field_name([*item_path, sorted(extra)[0]]),
                                       "an indicator entry takes only `indicator` and `required`")
                indicator = indicators.get(str(item["indicator"]))
                if indicator is None:
                    raise ContentError(file, locate(text, [*item_path, "indicator"]),
                                       _field_name([*item_path, "indicator"]),
                                       f"unknown indicator {item['indicator']!r}")
                questions.append(indicator_question(indicator, required=bool(item.get("required", False))))
            else:
                questions.append(item)
        try:
            found[code] = SurveyForm.model_validate({**entry, "code": code, "questions": questions})
        except ValidationError as error:
            raise _fail(text, file, path, error) from None
    return found


# -- the shipped library ------------------------------------------------------------------------

def _shipped_text(name: str) -> str:
    return resources.files("bot.content").joinpath(name).read_text(encoding="utf-8")


@cache
def library() -> Definition:
    """The shipped indicators and templates (validated once; ContentError if broken)."""
    indicators = parse_indicators(_shipped_text(INDICATORS_FILE), INDICATORS_FILE)
    templates = parse_templates(_shipped_text(TEMPLATES_FILE), TEMPLATES_FILE, indicators)
    return Definition(indicators=indicators, templates=templates)


def parse_definition(text: str, file: str, base: dict[str, Indicator] | None = None) -> Definition:
    """A group's own indicators and templates (`[indicators.X]`, `[templates.Y]`); templates
    may use the shipped indicators and the file's own."""
    data = _parse(text, file)
    unknown = set(data) - {"indicators", "templates"}
    if unknown:
        name = sorted(unknown)[0]
        raise ContentError(file, locate(text, [name]), name, "expected only `indicators` and `templates` tables")
    own = parse_indicators(text, file, table=data.get("indicators") or {}, prefix=["indicators"])
    shipped = library().indicators if base is None else base
    clash = sorted(set(own) & set(shipped))
    if clash:
        raise ContentError(file, locate(text, ["indicators", clash[0]]), f"indicators.{clash[0]}",
                           "this code is already in the shipped library: choose another")
    templates = parse_templates(text, file, {**shipped, **own}, table=data.get("templates") or {},
                                prefix=["templates"])
    return Definition(indicators=own, templates=templates)


def load_definition_file(path: Path) -> Definition:
    """`parse_definition` of a .toml/.yaml/.yml file (ContentError names the file's name)."""
    return parse_definition(path.read_text(encoding="utf-8"), path.name)


# -- per group ------------------------------------------------------------------------------

async def indicators_for_group(conn: Connection, group_id: int) -> dict[str, Indicator]:
    """The shipped library plus the group's own indicators, by code."""
    return {**library().indicators, **{i.code: i for i in await surveys_repo.group_indicators(conn, group_id)}}


async def templates_for_group(conn: Connection, group_id: int) -> dict[str, SurveyForm]:
    """Shipped templates plus the group's own (a group template may shadow a shipped code)."""
    own = {form.code: form for _, form in await surveys_repo.group_templates(conn, group_id)}
    return {**library().templates, **own}


async def import_definition(conn: Connection, group_id: int, definition: Definition, now: datetime) -> None:
    """Store a group's own indicators and templates (a template with an existing code becomes
    its new version; surveys already sent keep the form they were sent with)."""
    for indicator in definition.indicators.values():
        await surveys_repo.save_indicator(conn, group_id, indicator.model_copy(update={"group_id": group_id}), now)
    for form in definition.templates.values():
        await surveys_repo.save_form(conn, form, now, group_id=group_id, source="group", is_template=True)


def form_from_indicators(codes: list[str], indicators: dict[str, Indicator], title: Localized,
                         code: str = "indicators") -> SurveyForm:
    """An ad-hoc form asking the listed indicators (coordinator picked them in /anket)."""
    questions = [indicator_question(indicators[c]) for c in codes]
    return SurveyForm(code=code, title=title, questions=questions)
