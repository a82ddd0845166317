"""The `koordinat` command line: run, demo, migrate, backup, groups."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from pathlib import Path
from typing import Any, Protocol

from bot.clock import SystemClock
from bot.config import ConfigError, Settings, load_settings
from bot.services import build_services
from messages import t
from storage.db import Database, backup_file


class Runtime(Protocol):
    def __init__(self, settings: Settings, clock: Any = None) -> None: ...

    async def run_until_stopped(self, *, webhook: bool = False) -> None: ...


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="koordinat", description="Koordinat working-group bot")
    commands = parser.add_subparsers(dest="command")
    run = commands.add_parser("run", help="run the bot (the local demo when no token is set)")
    run.add_argument("--webhook", action="store_true", help="receive updates by webhook (needs KOORDINAT_WEBHOOK_URL)")
    demo = commands.add_parser("demo", help="try Koordinat in the terminal, no token needed")
    demo.add_argument("--script", action="store_true", help="play the scripted tour and exit")
    demo.add_argument("--language", choices=["tr", "en"], default=None)
    commands.add_parser("migrate", help="apply database migrations")
    backup = commands.add_parser("backup", help="consistent copy of the database (safe while running)")
    backup.add_argument("path", type=Path)
    group = commands.add_parser("group", help="manage working groups").add_subparsers(dest="group_command")
    create = group.add_parser("create", help="create a group and print its invite links")
    create.add_argument("name")
    create.add_argument("--city", required=True)
    create.add_argument("--language", choices=["tr", "en"], default=None)
    create.add_argument("--timezone", default=None)
    create.add_argument("--json", action="store_true", help="print machine-readable JSON")
    group.add_parser("list", help="list groups with their member counts")
    export = commands.add_parser("export", help="export data for reports").add_subparsers(dest="export_command")
    attendance = export.add_parser("attendance", help="a group's meeting answers and attendance (member × meeting)")
    attendance.add_argument("group", type=int, help="group id (see `koordinat group list`)")
    attendance.add_argument("--from", dest="since", required=True, help="first day, YYYY-MM-DD (inclusive)")
    attendance.add_argument("--to", dest="until", required=True, help="last day, YYYY-MM-DD (inclusive)")
    attendance.add_argument("--format", choices=["csv", "xlsx"], default=None,
                            help="default: from the output's extension, else csv")
    attendance.add_argument("--output", type=Path, default=None, help="file to write (default: stdout for csv)")
    attendance.add_argument("--language", choices=["tr", "en"], default=None)
    return parser


def main(argv: list[str], runtime: type[Runtime]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    parser = _parser()
    args = parser.parse_args(argv or ["run"])
    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"koordinat: configuration error: {error}", file=sys.stderr)
        return 2
    command = args.command or "run"
    if command == "run":
        if not settings.has_telegram_token:
            print(t("cli.no_token", settings.default_language), file=sys.stderr)
            return _demo(settings, runtime, script=not sys.stdin.isatty(), language=None)
        if args.webhook and not settings.webhook_url:
            print("koordinat: configuration error: KOORDINAT_WEBHOOK_URL: needed for --webhook "
                  "(example: https://koordinat.example.org)", file=sys.stderr)
            return 2
        asyncio.run(runtime(settings).run_until_stopped(webhook=args.webhook))
        return 0
    if command == "demo":
        return _demo(settings, runtime, script=args.script, language=args.language)
    if command == "migrate":
        return asyncio.run(_migrate(settings))
    if command == "backup":
        backup_file(settings.database, args.path)
        print(f"backup written to {args.path}")
        return 0
    if command == "export" and getattr(args, "export_command", None) == "attendance":
        return asyncio.run(_export_attendance(settings, args))
    if command == "group":
        if args.group_command == "create":
            return asyncio.run(_group_create(settings, args))
        if args.group_command == "list":
            return asyncio.run(_group_list(settings))
    parser.print_help()
    return 2


def _demo(settings: Settings, runtime: type[Runtime], *, script: bool, language: str | None) -> int:
    try:
        from bot.demo import run_demo
    except ImportError:
        print("koordinat: the local demo is not part of this build yet", file=sys.stderr)
        return 1
    return run_demo(settings, runtime, script=script, language=language or settings.default_language)


async def _migrate(settings: Settings) -> int:
    db = await Database.open(settings.database, migrate=False)
    try:
        applied = await db.migrate()
        print(f"database {settings.database}: schema version {await db.schema_version()}"
              + (f", applied {', '.join(applied)}" if applied else ", up to date"))
    finally:
        await db.close()
    return 0


async def _group_create(settings: Settings, args: argparse.Namespace) -> int:
    db = await Database.open(settings.database)
    try:
        services = build_services(settings, db, SystemClock())
        created = await services.groups.create(args.name, args.city, args.language or settings.default_language,
                                               args.timezone)
        links = services.links
        result = {"group_id": created.group.id, "name": created.group.name, "city": created.group.city,
                  "coordinator_invite": links.telegram(created.coordinator_invite.code),
                  "member_invite": links.telegram(created.member_invite.code),
                  "coordinator_code": created.coordinator_invite.code,
                  "member_code": created.member_invite.code}
        if args.json:
            print(json.dumps(result, ensure_ascii=False))
        else:
            print(f"group {result['group_id']}: {created.group.name} ({created.group.city})")
            print(f"  coordinator invite: {result['coordinator_invite']}")
            print(f"  member invite:      {result['member_invite']}")
    finally:
        await db.close()
    return 0


async def _group_list(settings: Settings) -> int:
    db = await Database.open(settings.database)
    try:
        services = build_services(settings, db, SystemClock())
        for group, counts in await services.groups.all():
            print(f"{group.id:>4}  {group.name} ({group.city}, {group.language}) — "
                  f"{counts.get('coordinator', 0)} coordinator(s), {counts.get('member', 0)} member(s)")
    finally:
        await db.close()
    return 0


async def _export_attendance(settings: Settings, args: argparse.Namespace) -> int:
    """`koordinat export attendance GROUP --from 2026-09-01 --to 2026-12-31 --output k.xlsx`."""
    from datetime import date, datetime, time, timedelta
    from zoneinfo import ZoneInfo

    kind = args.format or (args.output.suffix.lstrip(".").lower() if args.output else "csv")
    if kind not in ("csv", "xlsx"):
        print(f"koordinat: unknown format {kind!r}: use --format csv or xlsx", file=sys.stderr)
        return 2
    if kind == "xlsx" and args.output is None:
        print("koordinat: an XLSX export needs --output FILE.xlsx", file=sys.stderr)
        return 2
    try:
        first, last = date.fromisoformat(args.since), date.fromisoformat(args.until)
    except ValueError:
        print("koordinat: --from and --to are dates like 2026-09-01", file=sys.stderr)
        return 2
    db = await Database.open(settings.database)
    try:
        services = build_services(settings, db, SystemClock())
        group = await services.groups.get(args.group)
        if group is None:
            print(f"koordinat: no group {args.group} (see `koordinat group list`)", file=sys.stderr)
            return 2
        zone = ZoneInfo(group.timezone)
        since = datetime.combine(first, time(0), tzinfo=zone)
        until = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
        content, count = await services.meetings.export_period(
            group.id, since, until, kind, args.language or group.language)
    finally:
        await db.close()
    if args.output is None:
        sys.stdout.write(content.decode("utf-8-sig"))
    else:
        args.output.write_bytes(content)
        print(f"{count} meeting(s) of {group.name} written to {args.output}", file=sys.stderr)
    return 0
