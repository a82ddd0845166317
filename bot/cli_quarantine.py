"""`koordinat quarantine list|retry|drop`: the operator's look at inbound updates the bot
could not parse, store or process (`bot.services.quarantine`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import argparse
import json
import sys
from datetime import UTC, datetime

from bot.clock import operator_clock, utc_timestamp

if TYPE_CHECKING:  # imported by the command that runs (start-up stays light, issue 24)
    from bot.config import Settings
    from storage.db import Database


def add_parsers(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """`quarantine list [--raw] [--json]`, `quarantine retry ID…|--all`, `quarantine drop ID…|--all`."""
    parser = commands.add_parser("quarantine", help="updates the bot could not read: list, retry or drop them")
    actions = parser.add_subparsers(dest="quarantine_command", required=True)
    listing = actions.add_parser("list", help="the kept updates, oldest first (id, channel, when, reason)")
    listing.add_argument("--raw", action="store_true", help="also print each update's raw JSON (holds message text)")
    listing.add_argument("--json", action="store_true", help="print machine-readable JSON")
    for name, text in (("retry", "put Telegram updates back into the inbox (lone surrogates replaced)"),
                       ("drop", "delete kept updates")):
        action = actions.add_parser(name, help=text)
        which = action.add_mutually_exclusive_group(required=True)
        which.add_argument("ids", type=int, nargs="*", default=[], metavar="ID")
        which.add_argument("--all", action="store_true")


def handles(args: argparse.Namespace) -> bool:
    return getattr(args, "command", None) == "quarantine"


async def run(settings: Settings, args: argparse.Namespace) -> int:
    """Exit 0 done, 1 an unknown id or a message that cannot be retried (one line on stderr)."""
    from storage.db import Database
    from bot.services import quarantine
    if args.quarantine_command != "list" and not args.all and not args.ids:
        print(f"koordinat: give the ids to {args.quarantine_command} or --all "
              "(see `koordinat quarantine list`)", file=sys.stderr)
        return 2
    db = await Database.open(settings.database)
    try:
        ids = None if getattr(args, "all", False) else list(getattr(args, "ids", []))
        if args.quarantine_command == "list":
            return await _list(db, raw=args.raw, as_json=args.json)
        if args.quarantine_command == "retry":
            done = await quarantine.retry(db, ids, utc_timestamp(operator_clock(settings.now).now()))
            print(f"{len(done)} update(s) put back into the inbox"
                  + (f": #{', #'.join(map(str, done))}" if done else "")
                  + ("; the running bot processes them within seconds" if done else ""))
            return 0
        dropped = await quarantine.drop(db, ids)
        print(f"{dropped} update(s) dropped")
        return 0
    except quarantine.QuarantineError as error:
        print(f"koordinat: {error}", file=sys.stderr)
        return 1
    finally:
        await db.close()


async def _list(db: Database, *, raw: bool, as_json: bool) -> int:
    from storage.db import Database
    from bot.services import quarantine
    total, items = await quarantine.listing(db)
    if as_json:
        print(json.dumps([{"id": item.id, "channel": item.channel, "update_id": item.update_id,
                           "received_at": _when(item.received_at), "reason": item.reason,
                           **({"payload": json.loads(item.payload)} if raw else {})} for item in items],
                         ensure_ascii=True, indent=1))
        return 0
    if not items:
        print("no quarantined updates")
        return 0
    for item in items:
        print(f"#{item.id}  {item.channel}  update {item.update_id}  {_when(item.received_at)}  {item.reason}")
        if raw:
            print(f"    {item.payload}")
    if total > len(items):
        print(f"… and {total - len(items)} more")
    return 0


def _when(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
