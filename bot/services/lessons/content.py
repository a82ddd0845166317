"""Lessons as data: the shipped lessons in `bot/content/lessons/*.toml`, and a group's own in
the same format (a directory named by `KOORDINAT_LESSONS_DIR`, or checked and copied there with
`koordinat lessons import FILE`).

A lesson file is TOML:

    slug = "monitoring"                       # a-z 0-9 -, unique across all lessons
    order = 6                                 # place in /dersler
    minutes = 4                               # reading time, shown in the list
    title = { tr = "…", en = "…" }            # ≤ 60 characters (headings, document title)
    short = { tr = "…", en = "…" }            # ≤ 20 characters (buttons and list rows)
    summary = { tr = "…", en = "…" }          # ≤ 72 characters (WhatsApp list descriptions)
    sources = [{ tr = "…", en = "…" }, …]     # law articles, the SBB guide, TÜİK…
    [[part]]                                  # 3–6 short messages, each ≤ 900 characters
    text = { tr = "…", en = "…" }
    practice = true                           # optional: marked "practice, not law"
    [[quiz]]                                  # 2–4 questions
    type = "choice"                           # or "number"
    text = { tr = "…", en = "…" }
    choices = [{ tr = "…", en = "…", right = true }, …]   # 2–3, labels ≤ 20 characters
    answer = 75                               # "number": the right value …
    tolerance = 0.5                           # … and how far off still counts
    explain = { tr = "…", en = "…" }          # one line, shown after her answer

Limits follow WhatsApp's: reply-button titles ≤ 20 characters, list-row titles ≤ 24,
descriptions ≤ 72, interactive bodies ≤ 1024 (a part and its heading stay well below). A
broken file fails with `LessonError("file:line: field: problem")`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from messages import FALLBACK, LANGUAGES

SHIPPED_DIR = "bot/content/lessons"
PART_LIMIT = 900  # characters of one part's text: with its heading, below WhatsApp's 1024 body limit
QUESTION_LIMIT = 600
BUTTON_LIMIT = 20  # WhatsApp reply-button title
TITLE_LIMIT = 60
SUMMARY_LIMIT = 72  # WhatsApp list-row description
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,30}$")


class LessonError(ValueError):
    """A lesson file is not valid; the message names file, line and field."""


def _localized(limit: int) -> type[BaseModel]:
    class Text(BaseModel):
        model_config = ConfigDict(defer_build=True, extra="forbid")
        tr: str = Field(min_length=1, max_length=limit)
        en: str = Field(min_length=1, max_length=limit)

        @field_validator("tr", "en")
        @classmethod
        def _visible(cls, value: str) -> str:
            value = value.strip()
            if not value:
                raise ValueError("must not be empty")
            return value

        def get(self, lang: str) -> str:
            return str(getattr(self, lang if lang in LANGUAGES else FALLBACK))

    return Text


Title = _localized(TITLE_LIMIT)
Short = _localized(BUTTON_LIMIT)
Summary = _localized(SUMMARY_LIMIT)
Source = _localized(300)
PartText = _localized(PART_LIMIT)
QuestionText = _localized(QUESTION_LIMIT)
Explanation = _localized(300)


class QuizChoice(BaseModel):
    """One option of a single-choice question; its label is a button (≤ 20 characters)."""

    model_config = ConfigDict(defer_build=True, extra="forbid")
    tr: str = Field(min_length=1, max_length=BUTTON_LIMIT)
    en: str = Field(min_length=1, max_length=BUTTON_LIMIT)
    right: bool = False

    def get(self, lang: str) -> str:
        return str(getattr(self, lang if lang in LANGUAGES else FALLBACK))


class Part(BaseModel):
    """One short message of a lesson. `practice`: what it says is custom, not law."""

    model_config = ConfigDict(defer_build=True, extra="forbid")
    text: PartText  # type: ignore[valid-type]
    practice: bool = False


class QuizQuestion(BaseModel):
    """A quiz question: `choice` (exactly one right choice) or `number` (`answer` ± `tolerance`)."""

    model_config = ConfigDict(defer_build=True, extra="forbid")
    type: Literal["choice", "number"]
    text: QuestionText  # type: ignore[valid-type]
    explain: Explanation  # type: ignore[valid-type]
    choices: list[QuizChoice] = Field(default_factory=list)
    answer: float | None = None
    tolerance: float = Field(default=0.0, ge=0)
    unit: str | None = Field(default=None, max_length=10)

    @model_validator(mode="after")
    def _shape(self) -> QuizQuestion:
        if self.type == "choice":
            if not 2 <= len(self.choices) <= 3:
                raise ValueError("a choice question needs 2 or 3 choices (they are buttons)")
            if sum(choice.right for choice in self.choices) != 1:
                raise ValueError("exactly one choice must have right = true")
            if self.answer is not None:
                raise ValueError("'answer' is for number questions; mark the right choice with right = true")
            for lang in LANGUAGES:
                labels = [choice.get(lang).casefold() for choice in self.choices]
                if len(set(labels)) != len(labels):
                    raise ValueError(f"two choices read the same in {lang}")
        else:
            if self.answer is None:
                raise ValueError("a number question needs 'answer'")
            if self.choices:
                raise ValueError("a number question has no choices")
        return self

    def right_choice(self) -> int:
        """Index of the one right choice (choice questions)."""
        return next(index for index, choice in enumerate(self.choices) if choice.right)

    def is_right(self, value: float) -> bool:
        """A number answer within `tolerance` of `answer` (number questions)."""
        assert self.answer is not None
        return abs(value - self.answer) <= self.tolerance + 1e-9


class Lesson(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")
    slug: str
    order: int = Field(ge=1, le=999)
    minutes: int = Field(default=4, ge=1, le=30)
    title: Title  # type: ignore[valid-type]
    short: Short  # type: ignore[valid-type]
    summary: Summary  # type: ignore[valid-type]
    sources: list[Source] = Field(min_length=1)  # type: ignore[valid-type]
    part: list[Part] = Field(min_length=3, max_length=6)
    quiz: list[QuizQuestion] = Field(min_length=2, max_length=4)

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError("2-31 of a-z, 0-9 and -, e.g. gender-budgeting")
        return value

    @property
    def steps(self) -> int:
        """Parts and questions: a member's position runs 0 … steps (finished)."""
        return len(self.part) + len(self.quiz)


def _header_lines(text: str, table: str) -> list[int]:
    return [number for number, line in enumerate(text.splitlines(), start=1) if line.strip() == f"[[{table}]]"]


def _key_line(text: str, key: str, after: int = 0) -> int | None:
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*(=|\.)")
    for number, line in enumerate(text.splitlines(), start=1):
        if number > after and pattern.match(line):
            return number
    return None


def parse(text: str, file: str) -> Lesson:
    """Validate one lesson file; raises `LessonError` ("file:line: field: problem")."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise LessonError(f"{file}: {error}") from None
    try:
        return Lesson.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        location = list(first["loc"])
        line: int | None = None
        if len(location) >= 2 and location[0] in ("part", "quiz") and isinstance(location[1], int):
            headers = _header_lines(text, str(location[0]))
            if location[1] < len(headers):
                line = headers[location[1]]
                if len(location) >= 3 and isinstance(location[2], str):
                    line = _key_line(text, location[2], after=line) or line
        elif location and isinstance(location[0], str):
            line = _key_line(text, location[0])
        field = ".".join(str(part) for part in location) or "lesson"
        where = f"{file}:{line}" if line else file
        problem = str(first["msg"]).removeprefix("Value error, ")
        raise LessonError(f"{where}: {field}: {problem}") from None


def load_file(path: Path) -> Lesson:
    """One lesson file from disk (a group's own); raises `LessonError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise LessonError(f"{path}: cannot be read ({error})") from None
    return parse(text, str(path))


@cache
def shipped() -> tuple[Lesson, ...]:
    """The lessons shipped in `bot/content/lessons/`, validated once, in their order."""
    folder = resources.files("bot.content").joinpath("lessons")
    lessons = [parse(entry.read_text(encoding="utf-8"), f"{SHIPPED_DIR}/{entry.name}")
               for entry in sorted(folder.iterdir(), key=lambda entry: entry.name) if entry.name.endswith(".toml")]
    return tuple(_checked(lessons))


def _checked(lessons: list[Lesson]) -> list[Lesson]:
    slugs = [lesson.slug for lesson in lessons]
    twice = sorted({slug for slug in slugs if slugs.count(slug) > 1})
    if twice:
        raise LessonError(f"lessons: slug used twice: {', '.join(twice)}")
    return sorted(lessons, key=lambda lesson: (lesson.order, lesson.slug))


def catalogue(extra_dir: Path | None = None, *,
              on_error: Callable[[LessonError], None] | None = None) -> tuple[Lesson, ...]:
    """The shipped lessons plus a group's own (`*.toml` in `extra_dir`), by `order`. A file
    whose slug is already taken, or that is invalid, raises `LessonError` — or, with
    `on_error` (the running bot), is reported to it and left out."""
    lessons = list(shipped())
    if extra_dir is not None and extra_dir.is_dir():
        for path in sorted(extra_dir.glob("*.toml")):
            try:
                own = load_file(path)
                if any(lesson.slug == own.slug for lesson in lessons):
                    raise LessonError(f"{path}: slug: {own.slug!r} is already a lesson")
                lessons.append(own)
            except LessonError as error:
                if on_error is None:
                    raise
                on_error(error)
    return tuple(_checked(lessons))
