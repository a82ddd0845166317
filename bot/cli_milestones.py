"""`koordinat milestones load-template GROUP YEAR` and `koordinat export milestones GROUP
--format ics|xlsx`: the operator's side of plan milestones (issue 11)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from typing import TYPE_CHECKING

from bot.cli_support import operator_services

if TYPE_CHECKING:
    from bot.config import Settings

EXPORT_YEARS_BACK = 20  # exports reach back this many years (the history of past plans)


def add_parsers(commands: argparse._SubParsersAction, export: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `milestones …` to the top-level parser and `milestones` to `export`."""
    milestones = commands.add_parser("milestones", help="plan milestones").add_subparsers(dest="milestones_command")
    load = milestones.add_parser("load-template", help="load the plan-cycle template for a year")
    load.add_argument("group", help="group id or exact name")
    load.add_argument("year", type=int)
    calendar = export.add_parser("milestones", help="a group's milestones of a year as .ics or .xlsx")
    calendar.add_argument("group", help="group id or exact name")
    calendar.add_argument("--format", choices=["ics", "xlsx"], default="ics")
    calendar.add_argument("--year", type=int, default=None, help="default: the current year")
    calendar.add_argument("--output", type=Path, default=None, help="default: milestones-<group>-<year>.<format>")
    calendar.add_argument("--language", choices=["tr", "en"], default=None,
                          help="titles, legal bases and holidays in this language (default: the group's)")


def handles(args: argparse.Namespace) -> bool:
    return args.command == "milestones" or (args.command == "export" and args.export_command == "milestones")


async def run(settings: Settings, args: argparse.Namespace) -> int:
    """Exit status 0 done, 1 no such group, 2 a wrong command or a year out of range."""
    from bot.services.groups import GroupNotFound
    from bot.services.milestones.exports import year_ics, year_xlsx
    from bot.services.milestones.template import template_years

    if args.command == "milestones" and args.milestones_command != "load-template":
        print("usage: koordinat milestones load-template GROUP YEAR", file=sys.stderr)
        return 2
    async with operator_services(settings) as services:
        try:
            group = await services.groups.find_one(args.group)
        except GroupNotFound as error:
            print(f"koordinat: {error}", file=sys.stderr)
            return 1
        now = services.clock.now()
        today = now.astimezone(ZoneInfo(group.timezone)).date()
        if args.command == "milestones":
            years = template_years(today)
            if args.year not in years:
                print(f"koordinat: year {args.year}: the plan-cycle template can be loaded for "
                      f"{years[0]}-{years[-1]} (example: koordinat milestones load-template {group.id} "
                      f"{years[0] + 1})", file=sys.stderr)
                return 2
            added, existing, past = await services.milestones.service.load_template(group.id, args.year)
            print(f"{group.name}: {added} milestone(s) of {args.year} added, {existing} already there, "
                  f"{past} already past")
            return 0
        year = args.year if args.year is not None else today.year
        if not today.year - EXPORT_YEARS_BACK <= year <= template_years(today)[-1]:
            print(f"koordinat: --year {year}: give a year from {today.year - EXPORT_YEARS_BACK} to "
                  f"{template_years(today)[-1]} (example: --year {today.year})", file=sys.stderr)
            return 2
        milestones = await services.milestones.service.year(group.id, year)
        language = args.language or group.language
        content = year_ics(group, milestones, now, language) if args.format == "ics" \
            else year_xlsx(group, milestones, now, language)
        output = args.output or Path(f"milestones-{group.id}-{year}.{args.format}")
        output.write_bytes(content)
        print(f"{len(milestones)} milestone(s) of {year} written to {output}")
        if not milestones and args.year is None:  # e.g. the template was loaded for next year
            for other in template_years(today):
                if other != year and await services.milestones.service.year(group.id, other):
                    print(f"the group's milestones are in {other}: add --year {other}")
                    break
        return 0

