"""The shipped plan-cycle template (`bot/content/plan_cycle.toml`): validated at load, and
turned into a year's dated milestones for one group (its council's session rule applied).

A broken file fails at load with `TemplateError` naming the file, the line of the entry and
the field, so that whoever edits the content sees at once what to fix.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.services.milestones.workdays import local_election_day, nth_weekday
from messages import FALLBACK, LANGUAGES
from storage.milestones import DEFAULT_OFFSETS

FILE = "bot/content/plan_cycle.toml"
# "Law 5393 art. 62", "Law 5393 art. 41; Law 5018 art. 9", or "practice".
_BASIS = re.compile(r"^(practice|Law (5393|5018)( art\. \d+)?(; Law (5393|5018)( art\. \d+)?)*)$")


class TemplateError(ValueError):
    """The template file is not valid; the message names file, line and field."""


class Localized(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")
    tr: str = Field(min_length=2, max_length=200)
    en: str = Field(min_length=2, max_length=200)

    def get(self, lang: str) -> str:
        return str(getattr(self, lang if lang in LANGUAGES else FALLBACK))


class TemplateEntry(BaseModel):
    """One milestone of the cycle. `basis` is its legal basis (Law 5393/5018 article) or
    "practice"; `rule` with `month`/`day`/`of`/`days`/`months` says how its date is found."""

    model_config = ConfigDict(defer_build=True, extra="forbid")
    code: str = Field(pattern=r"^[a-z0-9-]{2,40}$")
    rule: Literal["date", "council_session", "before", "election"]
    title: Localized
    note: Localized | None = None
    basis: str
    month: int | None = Field(default=None, ge=1, le=12)
    day: int | None = Field(default=None, ge=1, le=31)
    of: str | None = None
    days: int | None = Field(default=None, ge=1, le=120)
    months: int | None = Field(default=None, ge=1, le=12)
    audience: Literal["coordinators", "group"] = "group"
    offsets: list[int] = Field(default_factory=lambda: list(DEFAULT_OFFSETS))
    indicator: str | None = Field(default=None, pattern=r"^I\d{1,3}$")
    survey_template: str | None = None
    # Lessons (bot/content/lessons/, by slug) offered to members who have not taken them when
    # this milestone's first reminder goes out (issue 23).
    lessons: list[str] = Field(default_factory=list)

    @field_validator("basis")
    @classmethod
    def _basis(cls, value: str) -> str:
        if not _BASIS.match(value):
            raise ValueError('must name the law and article ("Law 5393 art. 62") or be "practice"')
        return value

    @field_validator("offsets")
    @classmethod
    def _offsets(cls, value: list[int]) -> list[int]:
        if not value or any(not 0 <= days <= 366 for days in value):
            raise ValueError("reminder offsets are days before the due date, 0 to 366")
        return sorted(set(value), reverse=True)

    @model_validator(mode="after")
    def _rule_fields(self) -> TemplateEntry:
        needed = {"date": ("month", "day"), "council_session": ("month",), "before": ("of", "days"),
                  "election": ("months",)}[self.rule]
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise ValueError(f"rule {self.rule!r} needs {', '.join(missing)}")
        if self.rule == "date":
            assert self.month is not None and self.day is not None
            date(2028, self.month, self.day)  # a leap year: 29 February is allowed
        return self


class PlanCycle(BaseModel):
    model_config = ConfigDict(defer_build=True, extra="forbid")
    milestone: list[TemplateEntry]

    @model_validator(mode="after")
    def _references(self) -> PlanCycle:
        codes = [entry.code for entry in self.milestone]
        if len(codes) != len(set(codes)):
            raise ValueError("codes must be unique")
        for entry in self.milestone:
            if entry.of is not None and entry.of not in codes:
                raise ValueError(f"{entry.code}: 'of' names unknown entry {entry.of!r}")
        return self


def _entry_lines(text: str) -> list[int]:
    """Line numbers (1-based) of each `[[milestone]]` header."""
    return [number for number, line in enumerate(text.splitlines(), start=1)
            if line.strip() == "[[milestone]]"]


def parse(text: str, file: str = FILE) -> PlanCycle:
    """Validate a plan-cycle template; raises `TemplateError` ("file:line: field: problem")."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise TemplateError(f"{file}: {error}") from None
    try:
        return PlanCycle.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        location = list(first["loc"])
        lines = _entry_lines(text)
        line = ""
        if len(location) >= 2 and location[0] == "milestone" and isinstance(location[1], int):
            index = location[1]
            line = f":{lines[index]}" if index < len(lines) else ""
            location = location[2:]
        field = ".".join(str(part) for part in location) or "milestone"
        raise TemplateError(f"{file}{line}: {field}: {first['msg']}") from None


@cache
def plan_cycle() -> PlanCycle:
    """The shipped template, validated once."""
    text = resources.files("bot.content").joinpath("plan_cycle.toml").read_text(encoding="utf-8")
    return parse(text)


def entry_of(template_code: str | None) -> TemplateEntry | None:
    """The template entry a stored milestone came from (`template_code` is `<code>@<year>`,
    as `PlannedMilestone.template_code` makes it; a bare `<code>` is accepted too), or None."""
    if not template_code:
        return None
    code = template_code.split("@", 1)[0]
    return next((entry for entry in plan_cycle().milestone if entry.code == code), None)


@dataclass(frozen=True)
class PlannedMilestone:
    """A template entry placed in a year: its date (local, date only) and what to store."""

    entry: TemplateEntry
    due: date

    @property
    def template_code(self) -> str:
        return f"{self.entry.code}@{self.due.year}"


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")


YEARS_AHEAD = 5  # a strategic plan covers five years (Law 5018 art. 9 and its regulation)


def template_years(today: date) -> range:
    """The years whose plan-cycle template may be loaded: this year (as `today`, in the
    group's zone) to YEARS_AHEAD years ahead. An earlier year has nothing left to remind; a
    later one is almost surely a typo (`2062`)."""
    return range(today.year, today.year + YEARS_AHEAD + 1)


def for_year(year: int, council: dict[str, int], cycle: PlanCycle | None = None) -> list[PlannedMilestone]:
    """The template's milestones in `year`, by date. `council` is the group's session rule
    ({"nth": 1, "weekday": 1} = the first Tuesday); election-only entries appear in
    local-election years."""
    cycle = cycle or plan_cycle()
    dates: dict[str, date] = {}
    pending = list(cycle.milestone)
    for _ in range(len(pending) + 1):  # `before` entries may come before what they refer to
        waiting = []
        for entry in pending:
            if entry.rule == "date":
                assert entry.month and entry.day
                try:
                    dates[entry.code] = date(year, entry.month, entry.day)
                except ValueError:  # 29 February in a common year
                    dates[entry.code] = date(year, entry.month, 28)
            elif entry.rule == "council_session":
                assert entry.month
                dates[entry.code] = nth_weekday(year, entry.month, council["nth"], council["weekday"])
            elif entry.rule == "election":
                election = local_election_day(year)
                if election is not None:
                    assert entry.months
                    dates[entry.code] = _add_months(election, entry.months)
            elif entry.of in dates:
                assert entry.days
                dates[entry.code] = dates[entry.of] - timedelta(days=entry.days)
            else:
                waiting.append(entry)
        pending = waiting
    planned = [PlannedMilestone(entry, dates[entry.code]) for entry in cycle.milestone if entry.code in dates]
    return sorted(planned, key=lambda item: (item.due, item.entry.code))
