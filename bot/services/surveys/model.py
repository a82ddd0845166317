"""The survey question model: indicators, questions, forms, survey instances and answers.

Questions follow a subset of XLSForm (https://xlsform.org/en/): `name`, `type`, `label`,
`hint`, `required`, a `constraint` limited to min/max, and a `relevant` condition limited to
one earlier answer compared with eq/ne/gt/lt. Indicators and their baseline/targets follow the
SBB strategic-plan guide's target card (hedef kartı): baseline (başlangıç değeri, with its
year) and one target (hedef) per year; achievement = (actual − baseline) ÷ (target − baseline).

How an answer value is represented, per question type (`AnswerValue`, and the typed columns
of the `answers` table in `storage/migrations/006_surveys.sql`):

| type            | Python value          | column                                    |
|-----------------|-----------------------|-------------------------------------------|
| integer         | int                   | value_num                                 |
| decimal         | float                 | value_num                                 |
| percentage      | float, 0–100 (40 = %40) | value_num                               |
| yes_no          | bool                  | value_num (1/0) and value_text yes/no     |
| range           | int or float on the scale | value_num                             |
| select_one      | str (choice name)     | value_text                                |
| select_multiple | list[str] (names, in the form's choice order) | value_json (JSON list) |
| text            | str                   | value_text                                |
| date            | datetime.date         | value_date (ISO YYYY-MM-DD)               |
| evidence        | Evidence              | evidence_* columns (+ value_text = file name) |
| acknowledge     | True (the one button) | value_num 1 and value_text "OK"           |
| geopoint        | str "lat lon" (WGS 84 degrees, as ODK writes it) | value_text     |
| calculate       | float (computed, not asked) | value_num                           |
| note            | (no answer)           | —                                         |
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

LANGUAGES = ("tr", "en")

# A text in several languages: {"tr": "...", "en": "..."}; at least one non-empty entry.
Localized = dict[str, str]

NAME_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")  # XLSForm `name` column


def localized(texts: Localized | None, lang: str) -> str:
    """The text in `lang`, else Turkish, else English, else any; "" when there is none."""
    if not texts:
        return ""
    for candidate in (lang, "tr", "en"):
        value = texts.get(candidate)
        if value:
            return value
    return next((value for value in texts.values() if value), "")


def _check_localized(value: Localized, *, required: bool) -> Localized:
    cleaned = {lang: text.strip() for lang, text in value.items() if text and text.strip()}
    if required and not cleaned:
        raise ValueError("needs a text in at least one language (tr or en)")
    return cleaned


class QuestionType(StrEnum):
    """XLSForm question types we support (`yes_no` is our shorthand for a yes/no select_one)."""

    INTEGER = "integer"
    DECIMAL = "decimal"
    PERCENTAGE = "percentage"
    YES_NO = "yes_no"
    RANGE = "range"
    SELECT_ONE = "select_one"
    SELECT_MULTIPLE = "select_multiple"
    TEXT = "text"
    DATE = "date"
    EVIDENCE = "evidence"
    NOTE = "note"
    ACKNOWLEDGE = "acknowledge"  # XLSForm acknowledge/trigger: one "OK" button
    GEOPOINT = "geopoint"  # the chat app's own location message
    CALCULATE = "calculate"  # arithmetic over earlier numbers: stored, never asked


NUMERIC_TYPES = frozenset({QuestionType.INTEGER, QuestionType.DECIMAL, QuestionType.PERCENTAGE,
                           QuestionType.RANGE})
CHOICE_TYPES = frozenset({QuestionType.SELECT_ONE, QuestionType.SELECT_MULTIPLE})


class Frequency(StrEnum):
    """How often an indicator is monitored (DOMAIN.md)."""

    YEARLY = "yearly"
    SIX_MONTHLY = "six_monthly"
    QUARTERLY = "quarterly"
    PER_ELECTION = "per_election"


class IndicatorAnswerType(StrEnum):
    """The question type a survey uses to ask for an indicator's figure."""

    INTEGER = "integer"
    DECIMAL = "decimal"
    PERCENTAGE = "percentage"
    YES_NO = "yes_no"


class Indicator(BaseModel):
    """A performance indicator (performans göstergesi) a group monitors.

    `code` is unique within the shipped library plus the group's own (`group_id` set for a
    group-defined indicator, None for the shipped library in `bot/content/indicators.toml`).
    `explanation` says what to count; `source` where the figure usually comes from.
    """

    model_config = ConfigDict(defer_build=True, extra="forbid")

    code: str = Field(min_length=1, max_length=32)
    name: Localized
    unit: Localized
    answer_type: IndicatorAnswerType
    explanation: Localized
    source: Localized
    frequency: Frequency
    group_id: int | None = None

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if not NAME_PATTERN.match(value):
            raise ValueError("letters, digits, _ . - only, starting with a letter (e.g. I4, KARS_1)")
        return value

    @field_validator("name", "unit", "explanation", "source")
    @classmethod
    def _texts(cls, value: Localized) -> Localized:
        return _check_localized(value, required=True)


class TargetCard(BaseModel):
    """An indicator's baseline and yearly targets for one group (hedef kartı, SBB guide).

    `targets` maps a year to the target value, in the indicator's unit (percentages 0–100).
    """
    model_config = ConfigDict(defer_build=True)  # built on first use (start-up, issue 24)

    group_id: int
    indicator_code: str
    baseline: float | None = None
    baseline_year: int | None = None
    targets: dict[int, float] = Field(default_factory=dict)

    def target_for(self, year: int) -> float | None:
        return self.targets.get(year)


class Choice(BaseModel):
    """One option of a select_one/select_multiple question (XLSForm `choices` sheet row)."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    name: str
    label: Localized

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        # XLSForm choice names are codes that the chat never shows (buttons carry positions):
        # real Kobo forms use `0_2`, `24/7`, `Mo-Sa 08:00-18:00`, `père`. Only blank is refused.
        if not value.strip() or value != value.strip() or len(value) > 200:
            raise ValueError("a choice needs a name (a code such as yes, option_1 or 3)")
        return value

    @field_validator("label")
    @classmethod
    def _label(cls, value: Localized) -> Localized:
        return _check_localized(value, required=True)


class Scale(BaseModel):
    """A range question's scale (XLSForm `parameters`: start, end, step)."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    start: int = 1
    end: int = 5
    step: int = 1

    @model_validator(mode="after")
    def _sane(self) -> Scale:
        if self.step <= 0 or self.end <= self.start:
            raise ValueError("needs start < end and a positive step (e.g. 1–5, step 1)")
        if (self.end - self.start) // self.step + 1 > 11:
            raise ValueError("at most 11 points (e.g. 0–10)")
        return self

    def points(self) -> list[int]:
        return list(range(self.start, self.end + 1, self.step))


RelevantOp = Literal["eq", "ne", "gt", "lt", "ge", "le"]


class Relevant(BaseModel):
    """Skip logic: ask this question only when earlier answer `question` `op` `value`.

    `value` compares with the earlier answer as represented in `AnswerValue`: a number for
    numeric questions, True/False for yes_no, a choice name for select_one (for
    select_multiple, eq/ne test whether that choice is among those picked). An unanswered
    (skipped) earlier question makes the condition false, except that `value` "" tests
    whether it was answered at all (XLSForm `${q} != ''` / `${q} = ''`).
    """

    model_config = ConfigDict(defer_build=True, extra="forbid")

    question: str
    op: RelevantOp = "eq"
    value: bool | int | float | str


class Question(BaseModel):
    """One question (XLSForm `survey` sheet row). `min`/`max` bound numbers, the length of
    text, or dates; `indicator` links the answer to an indicator code for plan-versus-actual."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    name: str
    type: QuestionType
    label: Localized
    hint: Localized = Field(default_factory=dict)
    required: bool = False
    min: float | date | None = None
    max: float | date | None = None
    relevant: Relevant | None = None
    choices: list[Choice] = Field(default_factory=list)
    scale: Scale | None = None
    indicator: str | None = None
    # From imported XLSForms (all optional; a Koordinat-made form leaves them empty):
    heading: Localized = Field(default_factory=dict)  # a group's label, shown once before this question
    conditions: list[list[Relevant]] = Field(default_factory=list)  # and of ors, besides `relevant`
    required_message: Localized = Field(default_factory=dict)  # re-ask text when skipped
    constraint_message: Localized = Field(default_factory=dict)  # re-ask text when out of bounds
    pattern: str | None = None  # XLSForm regex(., '…'): the whole text must match
    default: str | None = None  # XLSForm default, offered as a one-tap answer
    calculation: str | None = None  # calculate: arithmetic over earlier numbers (bot.services.surveys.calc)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME_PATTERN.match(value):
            raise ValueError("letters, digits, _ . - only, starting with a letter (e.g. creche_places)")
        return value

    @field_validator("label")
    @classmethod
    def _label(cls, value: Localized) -> Localized:
        return _check_localized(value, required=True)

    @field_validator("hint")
    @classmethod
    def _hint(cls, value: Localized) -> Localized:
        return _check_localized(value, required=False)

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        if self.type in CHOICE_TYPES:
            if len(self.choices) < 2:
                raise ValueError(f"a {self.type} question needs at least 2 choices")
            names = [choice.name for choice in self.choices]
            if len(set(names)) != len(names):
                raise ValueError("choice names must be unique")
        elif self.choices:
            raise ValueError(f"choices are only for select_one/select_multiple, not {self.type}")
        if self.type == QuestionType.RANGE and self.scale is None:
            self.scale = Scale()
        if self.type != QuestionType.RANGE and self.scale is not None:
            raise ValueError("a scale is only for range questions")
        if self.type == QuestionType.DATE:
            for bound in (self.min, self.max):
                if bound is not None and not isinstance(bound, date):
                    raise ValueError("min/max of a date question are dates (YYYY-MM-DD)")
        elif self.type in NUMERIC_TYPES or self.type == QuestionType.TEXT:
            for bound in (self.min, self.max):
                if isinstance(bound, date):
                    raise ValueError(f"min/max of a {self.type} question are numbers")
        elif self.min is not None or self.max is not None:
            raise ValueError(f"min/max do not apply to {self.type} questions")
        if self.min is not None and self.max is not None and self.min > self.max:  # type: ignore[operator]
            raise ValueError("min is greater than max")
        if self.type in (QuestionType.NOTE, QuestionType.CALCULATE):
            self.required = False
        return self

    @property
    def answerable(self) -> bool:
        """Asked in the chat (a note is shown, a calculate is computed)."""
        return self.type not in (QuestionType.NOTE, QuestionType.CALCULATE)

    @property
    def stored(self) -> bool:
        """Has a value in a response (asked, or computed by a calculate)."""
        return self.type != QuestionType.NOTE

    def choice(self, name: str) -> Choice | None:
        return next((choice for choice in self.choices if choice.name == name), None)


class SurveyForm(BaseModel):
    """A survey definition (template or group form): a code, a bilingual title and questions.

    Raises (pydantic ValidationError) on duplicate question names, a `relevant` that names a
    later/unknown question or compares gt/lt on a non-numeric one, or no answerable question.
    """

    model_config = ConfigDict(defer_build=True, extra="forbid")

    code: str = Field(min_length=1, max_length=64)
    title: Localized
    description: Localized = Field(default_factory=dict)
    questions: list[Question]

    @field_validator("title")
    @classmethod
    def _title(cls, value: Localized) -> Localized:
        return _check_localized(value, required=True)

    @field_validator("description")
    @classmethod
    def _description(cls, value: Localized) -> Localized:
        return _check_localized(value, required=False)

    @model_validator(mode="after")
    def _consistent(self) -> SurveyForm:
        seen: dict[str, Question] = {}
        for question in self.questions:
            if question.name in seen:
                raise ValueError(f"question name {question.name!r} is used twice")
            for condition in [question.relevant, *(c for any_of in question.conditions for c in any_of)]:
                if condition is None:
                    continue
                earlier = seen.get(condition.question)
                if earlier is None:
                    raise ValueError(f"{question.name}: relevant names {condition.question!r}, "
                                     "which is not an earlier question")
                if condition.op in ("gt", "lt", "ge", "le") and earlier.type not in NUMERIC_TYPES | {QuestionType.CALCULATE}:
                    raise ValueError(f"{question.name}: gt/lt need a numeric earlier question")
            seen[question.name] = question
        if not any(question.answerable for question in self.questions):
            raise ValueError("a form needs at least one question that is not a note")
        return self

    def question(self, name: str) -> Question | None:
        return next((question for question in self.questions if question.name == name), None)

    @property
    def answerable(self) -> list[Question]:
        return [question for question in self.questions if question.answerable]

    @property
    def stored(self) -> list[Question]:
        """Questions whose values a response holds: the answerable ones and calculates."""
        return [question for question in self.questions if question.stored]


class SurveyKind(StrEnum):
    SURVEY = "survey"
    POLL = "poll"  # /oylama: one select_one question, live counts in the group


class SurveyStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


DEFAULT_NUDGE_HOURS = (72, 24)  # 3 days and 1 day before the deadline


class Survey(BaseModel):
    """A form sent to a group: deadline in UTC, named or anonymous, open or closed.

    `nudge_hours` are the hours before the deadline at which members who have not finished
    are nudged. `template` is the shipped/group template code it came from, if any.
    """
    model_config = ConfigDict(defer_build=True)  # built on first use (start-up, issue 24)

    id: int
    group_id: int
    form_id: int
    kind: SurveyKind = SurveyKind.SURVEY
    template: str | None = None
    deadline: datetime
    anonymous: bool = False
    status: SurveyStatus = SurveyStatus.OPEN
    nudge_hours: list[int] = Field(default_factory=lambda: list(DEFAULT_NUDGE_HOURS))
    created_by: int | None = None
    created_at: datetime
    closed_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status == SurveyStatus.OPEN


class Recipient(BaseModel):
    """A member the survey was sent to and how far she got (for rates and nudges). For an
    anonymous survey, times are cut to the day."""
    model_config = ConfigDict(defer_build=True)  # built on first use (start-up, issue 24)

    survey_id: int
    member_id: int
    invited_at: datetime
    started_at: datetime | None = None
    submitted_at: datetime | None = None


class Evidence(BaseModel):
    """A photo or document sent as an answer: the platform's file id and, when the bytes
    could be downloaded, the path under KOORDINAT_FILES_DIR."""
    model_config = ConfigDict(defer_build=True)  # built on first use (start-up, issue 24)

    kind: Literal["photo", "document", "video", "audio", "voice"]
    file_id: str
    path: str | None = None
    filename: str | None = None
    mime_type: str | None = None


AnswerValue = bool | int | float | str | list[str] | date | Evidence


class Answer(BaseModel):
    """One stored answer: typed columns as in the module docstring. `skipped` marks an
    optional question passed over (Skip), as distinct from not yet reached."""
    model_config = ConfigDict(defer_build=True)  # built on first use (start-up, issue 24)

    question: str
    value_num: float | None = None
    value_text: str | None = None
    value_date: date | None = None
    value_json: list[str] | None = None
    comment: str | None = None
    evidence: Evidence | None = None
    skipped: bool = False
    answered_at: datetime | None = None

    @classmethod
    def of(cls, question: Question, value: AnswerValue | None, *, comment: str | None = None,
           answered_at: datetime | None = None) -> Answer:
        """Store `value` (shaped as in the module table) for `question`; None = skipped.

        Raises ValueError when the value's Python type does not fit the question type.
        """
        answer = cls(question=question.name, comment=comment, answered_at=answered_at)
        if value is None:
            answer.skipped = True
            return answer
        kind = question.type
        if kind == QuestionType.YES_NO:
            if not isinstance(value, bool):
                raise ValueError("yes_no answers are bool")
            answer.value_num, answer.value_text = (1.0 if value else 0.0), ("yes" if value else "no")
        elif kind in NUMERIC_TYPES:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{kind} answers are numbers")
            answer.value_num = float(value)
        elif kind == QuestionType.SELECT_ONE or kind == QuestionType.TEXT:
            if not isinstance(value, str):
                raise ValueError(f"{kind} answers are text")
            answer.value_text = value
        elif kind == QuestionType.SELECT_MULTIPLE:
            if not isinstance(value, list):
                raise ValueError("select_multiple answers are lists of choice names")
            order = [choice.name for choice in question.choices]
            answer.value_json = sorted(value, key=lambda name: order.index(name) if name in order else len(order))
        elif kind == QuestionType.DATE:
            if not isinstance(value, date) or isinstance(value, datetime):
                raise ValueError("date answers are dates")
            answer.value_date = value
        elif kind == QuestionType.ACKNOWLEDGE:
            answer.value_num, answer.value_text = 1.0, "OK"
        elif kind == QuestionType.GEOPOINT:
            if not isinstance(value, str):
                raise ValueError("geopoint answers are 'lat lon' text")
            answer.value_text = value
        elif kind == QuestionType.CALCULATE:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError("calculate values are numbers")
            answer.value_num = float(value)
        elif kind == QuestionType.EVIDENCE:
            if not isinstance(value, Evidence):
                raise ValueError("evidence answers are Evidence")
            answer.evidence, answer.value_text = value, value.filename
        else:
            raise ValueError("notes take no answer")
        return answer

    def value(self, question: Question) -> AnswerValue | None:
        """The typed value back (None when skipped)."""
        if self.skipped:
            return None
        kind = question.type
        if kind == QuestionType.YES_NO:
            return None if self.value_num is None else self.value_num >= 1
        if kind == QuestionType.ACKNOWLEDGE:
            return None if self.value_num is None else True
        if kind == QuestionType.CALCULATE:
            return self.value_num
        if kind == QuestionType.INTEGER:
            return None if self.value_num is None else int(self.value_num)
        if kind == QuestionType.RANGE:
            if self.value_num is None:
                return None
            return int(self.value_num) if float(self.value_num).is_integer() else self.value_num
        if kind in NUMERIC_TYPES:
            return self.value_num
        if kind == QuestionType.SELECT_MULTIPLE:
            return self.value_json
        if kind == QuestionType.DATE:
            return self.value_date
        if kind == QuestionType.EVIDENCE:
            return self.evidence
        return self.value_text


class Response(BaseModel):
    """One member's answers to one survey. `member_id` is None for an anonymous survey
    (its in-progress link is a random `respondent_token`, erased at submission).
    `current_question` is where she resumes; `submitted_at` None = not finished.
    `auto_submitted`: she never tapped Send, but every required question was answered when
    the survey closed, so the closing submitted it."""
    model_config = ConfigDict(defer_build=True)  # built on first use (start-up, issue 24)

    id: int
    survey_id: int
    member_id: int | None
    started_at: datetime
    submitted_at: datetime | None = None
    current_question: str | None = None
    auto_submitted: bool = False
    answers: dict[str, Answer] = Field(default_factory=dict)

    @property
    def submitted(self) -> bool:
        return self.submitted_at is not None


def relevant(question: Question, form: SurveyForm, answers: dict[str, Answer]) -> bool:
    """Whether `question` is to be asked given the answers so far: its `relevant` rule and
    every one of its `conditions` (each an "any of" list) hold."""
    if question.relevant is not None and not holds(question.relevant, form, answers):
        return False
    return all(any(holds(condition, form, answers) for condition in any_of) for any_of in question.conditions)


def holds(condition: Relevant, form: SurveyForm, answers: dict[str, Answer]) -> bool:
    """One skip-logic comparison against the answers so far (see `Relevant`)."""
    earlier = form.question(condition.question)
    answer = answers.get(condition.question)
    value = answer.value(earlier) if earlier is not None and answer is not None else None
    if condition.value == "" and condition.op in ("eq", "ne"):  # ${q} = '' / ${q} != ''
        empty = value is None or value == "" or value == []
        return empty if condition.op == "eq" else not empty
    if value is None:
        return False
    expected = condition.value
    if isinstance(value, list):
        hit = str(expected) in value
        return hit if condition.op == "eq" else (not hit if condition.op == "ne" else False)
    if isinstance(value, bool):
        expected_bool = _as_bool(expected)
        if expected_bool is None:
            return False
        return (value == expected_bool) if condition.op == "eq" else (value != expected_bool if condition.op == "ne" else False)
    if isinstance(value, int | float):
        try:
            number = float(expected)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
        return {"eq": value == number, "ne": value != number, "gt": value > number,
                "lt": value < number, "ge": value >= number, "le": value <= number}[condition.op]
    text = str(value)
    return (text == str(expected)) if condition.op == "eq" else (text != str(expected) if condition.op == "ne" else False)


def _as_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    lowered = str(value).strip().lower()
    if lowered in ("yes", "evet", "true", "1"):
        return True
    if lowered in ("no", "hayır", "hayir", "false", "0"):
        return False
    return None

