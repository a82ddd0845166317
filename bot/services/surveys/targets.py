"""Target cards from the operator's command line (`koordinat survey target ...`) and the
library listing (`koordinat survey library`).

    koordinat survey target Kars I4 --baseline 400 --baseline-year 2024 --target 2026=550 --target 2027=700
    koordinat survey target Kars            # prints the group's target cards

Values are read like survey answers (`1.250`, `12,5`, `%40`). The baseline (başlangıç değeri)
and the yearly targets (hedef) follow the SBB strategic-plan guide's target card.
"""

from __future__ import annotations

import argparse
from datetime import datetime

from bot.errors import InvalidAnswer
from bot.services.surveys import content
from bot.services.surveys.answers import read_percentage
from bot.services.surveys.model import localized
from storage import groups as groups_repo
from storage import surveys as repo
from storage.db import Database

YEARS = range(2000, 2101)


class TargetError(ValueError):
    """A command-line value that cannot be used, with the reason and an example."""


def add_commands(commands: argparse._SubParsersAction) -> argparse._SubParsersAction:  # type: ignore[type-arg]
    """Add `survey target` and `survey library` to the `koordinat` parser; returns the
    `survey` sub-command group so other survey commands can join it."""
    survey = commands.add_parser("survey", help="indicator surveys: targets, library").add_subparsers(
        dest="survey_command")
    target = survey.add_parser("target", help="set or show an indicator's baseline and yearly targets")
    target.add_argument("group", help="group id or name")
    target.add_argument("indicator", nargs="?", help="indicator code, e.g. I4 (none: show every card)")
    target.add_argument("--baseline", help="baseline value (başlangıç değeri), e.g. 400 or %32,5")
    target.add_argument("--baseline-year", type=int, help="the baseline's year, e.g. 2024")
    target.add_argument("--target", action="append", default=[], metavar="YEAR=VALUE",
                        help="a yearly target (hedef), repeatable: --target 2027=700")
    survey.add_parser("library", help="list the shipped indicators and survey templates")
    return survey


def number(text: str) -> float:
    try:
        return read_percentage(text)
    except InvalidAnswer:
        raise TargetError(f"{text!r} is not a number (examples: 400, 1.250, 12,5, %40)") from None


def parse_target(text: str) -> tuple[int, float]:
    """`2027=700` → (2027, 700.0); TargetError otherwise."""
    year, sep, value = text.partition("=")
    if not sep or not year.strip().isdigit() or int(year) not in YEARS:
        raise TargetError(f"--target {text!r}: write YEAR=VALUE, e.g. --target 2027=700")
    return int(year), number(value)


async def run_target(db: Database, args: argparse.Namespace, now: datetime) -> list[str]:
    """Apply `survey target` and return the lines to print (the card(s) after the change)."""
    async with db.transaction() as tx:
        group = await _group(tx, args.group)
        indicators = await content.indicators_for_group(tx, group.id)
        if args.indicator is None:
            if args.baseline is not None or args.target:
                raise TargetError("name the indicator to change, e.g. koordinat survey target Kars I4 --target 2027=700")
            cards = await repo.target_cards(tx, group.id)
            lines = [_line(card, indicators) for code in indicators if (card := cards.get(code)) is not None]
            return [f"{group.name} ({group.city})", *(lines or ["  no target cards yet"])]
        code = args.indicator.strip().upper() if args.indicator.strip().upper() in indicators else args.indicator.strip()
        if code not in indicators:
            raise TargetError(f"unknown indicator {args.indicator!r}; known: {', '.join(indicators)}")
        if args.baseline is not None or args.baseline_year is not None:
            if args.baseline is None or args.baseline_year is None:
                raise TargetError("give --baseline and --baseline-year together, e.g. --baseline 400 --baseline-year 2024")
            if args.baseline_year not in YEARS:
                raise TargetError(f"--baseline-year {args.baseline_year}: a year such as 2024")
            await repo.set_baseline(tx, group.id, code, number(args.baseline), args.baseline_year, now)
        for text in args.target:
            year, value = parse_target(text)
            await repo.set_target(tx, group.id, code, year, value, now)
        card = await repo.target_card(tx, group.id, code)
    return [f"{group.name} ({group.city})", _line(card, indicators) if card else f"{code}: no baseline or target yet"]


def _line(card: repo.TargetCard, indicators: dict[str, content.Indicator]) -> str:
    indicator = indicators.get(card.indicator_code)
    name = localized(indicator.name, "en") if indicator else ""
    unit = localized(indicator.unit, "en") if indicator else ""
    baseline = "—" if card.baseline is None else f"{card.baseline:g} ({card.baseline_year})"
    targets = ", ".join(f"{year}: {value:g}" for year, value in sorted(card.targets.items())) or "—"
    return f"  {card.indicator_code} {name} [{unit}] — baseline {baseline}; targets {targets}"


async def _group(conn, key: str):  # type: ignore[no-untyped-def]
    groups = await groups_repo.all_groups(conn)
    for group in groups:
        if key.isdigit() and group.id == int(key) or group.name.casefold() == key.casefold() \
                or group.city.casefold() == key.casefold():
            return group
    raise TargetError(f"no group {key!r}; see koordinat group list")


def library_lines() -> list[str]:
    shipped = content.library()
    lines = ["Indicators:"]
    for code, indicator in shipped.indicators.items():
        lines.append(f"  {code:<4} {localized(indicator.name, 'tr')} / {localized(indicator.name, 'en')}"
                     f" [{indicator.answer_type.value}, {localized(indicator.unit, 'en')}, {indicator.frequency.value}]")
    lines.append("Templates:")
    for code, form in shipped.templates.items():
        lines.append(f"  {code:<28} {localized(form.title, 'tr')} ({len(form.answerable)} questions)")
    return lines
