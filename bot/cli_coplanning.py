"""`koordinat export opinion ROUND`, `koordinat export proposals`, `koordinat group
share-proposals GROUP on|off`, `koordinat group rounds [GROUP]`: co-planning for the operator."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from typing import TYPE_CHECKING

from bot.cli_support import operator_services
from bot.clock import operator_clock

if TYPE_CHECKING:
    from bot.config import Settings


def add_parsers(group: argparse._SubParsersAction, export: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """`group share-proposals`, `export opinion`, `export proposals`."""
    share = group.add_parser("share-proposals", help="let coordinators of other groups see this group's proposals")
    share.add_argument("group_id", type=int)
    share.add_argument("state", choices=["on", "off"])
    rounds = group.add_parser("rounds", help="proposal rounds: current ones (running or awaiting the council) "
                                             "and older ones (every fate recorded, or archived)")
    rounds.add_argument("group", nargs="?", default=None, help="a group's id or name (default: every group)")
    opinion = export.add_parser("opinion", help="a proposal round's opinion document (.docx)")
    opinion.add_argument("round_id", type=int)
    opinion.add_argument("--language", choices=["tr", "en"], default=None)
    opinion.add_argument("--output", type=Path, default=None)
    proposals = export.add_parser("proposals", help="every group's proposals and outcomes side by side")
    proposals.add_argument("--format", choices=["xlsx"], default="xlsx")
    proposals.add_argument("--group", type=int, action="append", help="only this group (repeatable)")
    proposals.add_argument("--language", choices=["tr", "en"], default=None)
    proposals.add_argument("--output", type=Path, default=None)


def handles(args: argparse.Namespace) -> bool:
    return ((args.command == "group" and getattr(args, "group_command", None) in ("share-proposals", "rounds"))
            or (args.command == "export" and getattr(args, "export_command", None) in ("opinion", "proposals")))


async def run(settings: Settings, args: argparse.Namespace) -> int:
    if args.command == "group" and args.group_command == "rounds":
        return await list_rounds(settings, args)
    if args.command == "group":
        return await share_proposals(settings, args)
    if args.export_command == "opinion":
        return await export_opinion(settings, args)
    return await export_proposals(settings, args)


async def export_opinion(settings: Settings, args: argparse.Namespace) -> int:
    """Write round ROUND's opinion (.docx) to --output (default: the file name the chat uses)."""
    from bot.errors import NotFound

    async with operator_services(settings) as services:
        rounds = services.coplanning.rounds
        try:
            round_ = await rounds.get(args.round_id)
        except NotFound:
            print(f"koordinat: no proposal round {args.round_id} (see `koordinat group rounds`)", file=sys.stderr)
            return 1
        if round_.counted_at is None:
            print(f"koordinat: round {args.round_id} has not finished voting; its opinion is drafted after the vote",
                  file=sys.stderr)
            return 1
        if not await rounds.voters_of(round_.id):
            print(f"koordinat: nobody voted in round {args.round_id}: there is no ranking and no opinion "
                  "(its proposals can be resubmitted in the next round)", file=sys.stderr)
            return 1
        group = await rounds.group(round_.group_id)
        attachment = await rounds.opinion_attachment(round_, group, args.language or group.language)
        path: Path = args.output or Path(attachment.filename)
        path.write_bytes(attachment.content)
        print(f"opinion of round {round_.id} ({group.name}) written to {path}")
        return 0


async def export_proposals(settings: Settings, args: argparse.Namespace) -> int:
    """Every group's (or the --group ones') proposals and outcomes in one .xlsx."""

    async with operator_services(settings) as services:
        groups = [group.id for group, _ in await services.groups.all()]
        wanted = args.group or groups
        unknown = sorted(set(wanted) - set(groups))
        if unknown:
            print(f"koordinat: no group {unknown[0]} (see `koordinat group list`)", file=sys.stderr)
            return 1
        attachment = await services.coplanning.export_attachment(wanted, args.language or settings.default_language)
        path: Path = args.output or Path(attachment.filename)
        path.write_bytes(attachment.content)
        print(f"proposals of {len(wanted)} group(s) written to {path}")
        return 0


async def share_proposals(settings: Settings, args: argparse.Namespace) -> int:
    from storage import groups as groups_repo
    from storage.db import Database

    db = await Database.open(settings.database)
    try:
        async with db.transaction() as tx:
            group = await groups_repo.get(tx, args.group_id)
            if group is None:
                print(f"koordinat: no group {args.group_id} (see `koordinat group list`)", file=sys.stderr)
                return 1
            await groups_repo.update_settings(tx, group.id, {**group.settings, "share_proposals": args.state == "on"})
        print(f"group {group.id} ({group.name}): proposals {'shared with' if args.state == 'on' else 'hidden from'} "
              "other groups' coordinators")
        return 0
    finally:
        await db.close()


async def list_rounds(settings: Settings, args: argparse.Namespace) -> int:
    """One line per round, current ones first: id, group, what it feeds, phase, voters,
    proposals still awaiting the council's answer, and archived/older. Nothing is dropped by
    age: a round is current until every fate is recorded or it is archived."""
    from bot.services.groups import GroupNotFound
    from storage import coplanning as repo

    async with operator_services(settings) as services:
        try:
            groups = [await services.groups.find_one(args.group)] if args.group else [
                group for group, _ in await services.groups.all()]
        except GroupNotFound as error:
            print(f"koordinat: {error}", file=sys.stderr)
            return 1
        names = {group.id: f"{group.name} ({group.city})" for group in groups}
        rounds = services.coplanning.rounds
        current = await rounds.current(list(names))
        older = await rounds.older(list(names))
        if not current and not older:
            print("no proposal rounds")
            return 0
        now = operator_clock(settings.now).now()
        async with services.db.read() as conn:
            pending = await repo.pending_counts(conn, [r.id for r in current + older])
        for label, chosen in (("current", current), ("older", older)):
            for round_ in chosen:
                voters = await rounds.voters_of(round_.id)
                state = "archived" if round_.archived_at else label
                print(f"{round_.id}\t{names[round_.group_id]}\t{round_.feeds.value} {round_.year}\t"
                      f"{round_.phase(now).value}\tvoters: {'-' if voters is None else voters}\t"
                      f"awaiting the council: {pending[round_.id]}\t{state}")
        return 0
