"""`koordinat report GROUP --period 2027-H1|2027 --output FILE.docx|.xlsx`: the group's
monitoring (six-monthly) or evaluation (yearly) report as a file (issue 22);
`koordinat report GROUP --thresholds 90,60` sets the group's status thresholds."""

from __future__ import annotations

from typing import TYPE_CHECKING

import argparse
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.cli_support import operator_services

FORMATS = (".docx", ".xlsx")

if TYPE_CHECKING:  # imported by the command that runs (start-up stays light, issue 24)
    from bot.config import Settings


def add_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    report = commands.add_parser("report", help="a group's monitoring or evaluation report (.docx or .xlsx)")
    report.add_argument("group", help="group id, name or city")
    report.add_argument("--period", default=None, help="2027-H1 (January–June) or 2027 (the year)")
    report.add_argument("--output", type=Path, default=None, help="FILE.docx or FILE.xlsx")
    report.add_argument("--language", choices=["tr", "en"], default=None, help="default: the group's")
    report.add_argument("--share", choices=["on", "off"], default=None,
                        help="let coordinators of other groups compare this group's figures (cities side by side)")
    report.add_argument("--thresholds", default=None, metavar="ON,RISK",
                        help="set the group's status thresholds in %% (default 90,60)")


def handles(args: argparse.Namespace) -> bool:
    return args.command == "report"


async def run(settings: Settings, args: argparse.Namespace) -> int:
    """Exit status 0 done, 1 no such group, 2 a wrong command."""
    from bot.services.groups import GroupNotFound
    from bot.services.monitoring import BadPeriod, Period, Thresholds
    from bot.services.monitoring.service import YEARS_BACK, period_refusal
    thresholds = None
    if args.thresholds is not None:
        try:
            on_track, at_risk = (float(part.replace("%", "").strip()) for part in args.thresholds.split(","))
            thresholds = Thresholds(on_track, at_risk)
        except ValueError:
            print(f"koordinat: --thresholds {args.thresholds!r}: give two percentages, on track then at risk, "
                  "with 0 < at risk < on track ≤ 100 (example: --thresholds 90,60)", file=sys.stderr)
            return 2
    period = None
    if args.period is not None:
        try:
            period = Period.parse(args.period)
        except BadPeriod as error:
            print(f"koordinat: --period: {error}", file=sys.stderr)
            return 2
    if thresholds is None and args.share is None and (period is None or args.output is None):
        print("koordinat: report needs --period and --output (example: koordinat report Kars --period 2027-H1 "
              "--output rapor.docx), or --thresholds", file=sys.stderr)
        return 2
    if args.output is not None and args.output.suffix.lower() not in FORMATS:
        print(f"koordinat: --output {args.output}: the file must end in .docx or .xlsx", file=sys.stderr)
        return 2
    async with operator_services(settings) as services:
        monitoring = services.extras["monitoring"]
        try:
            group = await services.groups.find_one(args.group)
        except GroupNotFound as error:
            print(f"koordinat: {error}", file=sys.stderr)
            return 1
        if args.share is not None:
            await monitoring.set_sharing(group.id, args.share == "on")
            print(f"{group.name}: monitoring figures {'shared with' if args.share == 'on' else 'hidden from'} "
                  "other groups' coordinators")
        if thresholds is not None:
            await monitoring.set_thresholds(group.id, thresholds)
            print(f"{group.name}: on track from {thresholds.on_track:g}%, at risk from {thresholds.at_risk:g}%")
        if period is None or args.output is None:
            return 0
        assert period is not None and args.output is not None
        today = services.clock.now().astimezone(ZoneInfo(group.timezone)).date()
        if period_refusal(period, today) is not None:
            print(f"koordinat: --period {period.code}: give a period that has begun, from "
                  f"{today.year - YEARS_BACK} on (example: --period {today.year}; to rehearse a later date, set "
                  f"KOORDINAT_NOW, e.g. KOORDINAT_NOW={today.year + 1}-07-15T10:00+03:00)", file=sys.stderr)
            return 2
        data = await monitoring.data(group.id, period)
        lang = args.language or group.language
        content = await (monitoring.docx(data, lang) if args.output.suffix.lower() == ".docx"
                         else monitoring.xlsx(data, lang))
        args.output.write_bytes(content)
        state = "adopted" if data.adopted_at else "draft"
        print(f"{group.name}: {period.code} report ({state}; indicators: {len(data.rows)}; reasons missing: "
              f"{len(data.missing_reasons)}) written to {args.output}")
        return 0
