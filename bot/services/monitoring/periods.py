"""Reporting periods of a working group's monitoring: the six-monthly monitoring report
(izleme raporu, January–June: `2027-H1`), the second half (`2027-H2`) and the yearly
evaluation report (değerlendirme raporu: `2027`).

A survey round reports on exactly one half-year: the one that ended at most `REPORTING_LAG`
before its deadline (figures for January–June are gathered in July, July–December's in
January–March; the municipality's activity report follows in April, Law 5393 art. 56), else
the one its deadline falls in. A year covers the rounds of both its halves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from messages import t

REPORTING_LAG = timedelta(days=75)
_PATTERN = re.compile(r"^\s*(\d{4})(?:\s*[-/ ]\s*(?:H|Y|D)?([12]))?\s*$", re.IGNORECASE)


class BadPeriod(ValueError):
    """The text is not a period; `str()` is an English one-line reason with an example."""


@dataclass(frozen=True, order=True)
class Period:
    """A year (`half` None) or one of its halves (1: January–June, 2: July–December)."""

    year: int
    half: int | None = None

    @classmethod
    def parse(cls, text: str) -> Period:
        """`2027` (the year), `2027-H1` / `2027-1` / `2027/1` (January–June), `2027-H2`.
        Raises `BadPeriod` otherwise (years 2000–2100)."""
        found = _PATTERN.match(text or "")
        if not found or not 2000 <= int(found.group(1)) <= 2100:
            raise BadPeriod(f"not a period: {text!r} (examples: 2027-H1, 2027)")
        return cls(int(found.group(1)), int(found.group(2)) if found.group(2) else None)

    @property
    def code(self) -> str:
        return f"{self.year}-H{self.half}" if self.half else str(self.year)

    @property
    def start(self) -> date:
        return date(self.year, 7 if self.half == 2 else 1, 1)

    @property
    def end(self) -> date:
        """The period's last day."""
        return date(self.year, 6, 30) if self.half == 1 else date(self.year, 12, 31)

    @property
    def is_evaluation(self) -> bool:
        """The yearly evaluation report (a whole year), else a monitoring report."""
        return self.half is None

    @classmethod
    def reported_on(cls, day: date) -> Period:
        """The half-year a round whose deadline is on `day` (local date) reports on: the one
        that ended at most `REPORTING_LAG` before, else the one `day` falls in. Examples:
        10 July 2027 → 2027-H1; 20 January 2028 → 2027-H2; 15 October 2027 → 2027-H2."""
        own = cls(day.year, 1 if day.month <= 6 else 2)
        previous = cls(day.year - 1, 2) if own.half == 1 else cls(day.year, 1)
        return previous if day <= previous.end + REPORTING_LAG else own

    def covers(self, day: date) -> bool:
        """Whether a round whose deadline is on `day` (the group's local date) reports on this
        period (`reported_on`; a year: either of its halves)."""
        half = Period.reported_on(day)
        return half == self if self.half else half.year == self.year

    def label(self, lang: str) -> str:
        """"2027 Ocak–Haziran" / "January–June 2027", "2027 yılı" / "the year 2027"."""
        key = "monitoring.period_year" if self.half is None else f"monitoring.period_h{self.half}"
        return t(key, lang, year=self.year)

    def title(self, lang: str) -> str:
        """The report's name: "İzleme raporu" / "Değerlendirme raporu" with the period."""
        key = "monitoring.evaluation_title" if self.is_evaluation else "monitoring.monitoring_title"
        return t(key, lang, period=self.label(lang))


def current_periods(today: date) -> list[Period]:
    """The periods a coordinator most likely reports on `today`, the one due first: from July
    the year's first half (its monitoring report, due in July) and the year so far; until June
    the previous year (its evaluation report, due in January) and its second half; then the
    year before."""
    if today.month >= 7:
        return [Period(today.year, 1), Period(today.year), Period(today.year - 1)]
    return [Period(today.year - 1), Period(today.year - 1, 2), Period(today.year - 2)]
