"""The `koordinat` command line: run, demo, migrate, backup, groups."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import date
from pathlib import Path
from typing import Any, NoReturn, Protocol
from zoneinfo import ZoneInfo

from typing import TYPE_CHECKING

from bot import cli_coplanning, cli_lessons, cli_milestones, cli_monitoring, cli_quarantine, cli_surveys, logs
from bot.cli_support import operator_services
from bot.clock import operator_clock

if TYPE_CHECKING:
    from bot.config import Settings

# Everything past argument parsing (settings, services, the database, feature modules) is
# imported by the command that needs it: `koordinat --help` and a usage error stay at a third
# of a second (issue 24; tests/test_startup.py checks no heavy library is imported for them).


class Runtime(Protocol):
    def __init__(self, settings: Settings, clock: Any = None) -> None: ...

    async def run_until_stopped(self, *, webhook: bool = False) -> int | None: ...


# Exit statuses, the same in every subcommand (README, "Operating it"):
EXIT_MISSING = 1  # a well-formed command whose target does not exist (group, survey, round, file), or that failed
EXIT_USAGE = 2    # the command itself is wrong: unknown option, a value out of range, a configuration error
EXIT_STATUSES = """exit status:
  0  done
  1  the command could not be carried out: what it names does not exist (no such group,
     survey, round or file) or the database/output cannot be used
  2  the command is wrong: usage error, a value out of range (e.g. a year), configuration error"""


class _Parser(argparse.ArgumentParser):
    """argparse with the project's one-line failures: a usage error prints
    `koordinat: <what is wrong> (see `koordinat export attendance --help`)` and exits 2
    (`EXIT_USAGE`), instead of the whole usage block. Subcommands' parsers are of this class too."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"koordinat: {message} (see `{self.prog} --help`)\n")


def _day(text: str) -> date:
    """argparse type for `--today`: an ISO day (`2027-06-15`), else a one-line usage error."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a day: {text!r} (example: 2027-06-15)") from None


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="koordinat", description="Koordinat working-group bot",
                                     epilog=EXIT_STATUSES, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command")
    run = commands.add_parser("run", help="run the bot (the local demo when no token is set)")
    mode = run.add_mutually_exclusive_group()
    mode.add_argument("--webhook", action="store_true",
                      help="receive updates by webhook (needs a configured channel: KOORDINAT_TELEGRAM_TOKEN with "
                           "KOORDINAT_WEBHOOK_URL, or WhatsApp)")
    mode.add_argument("--polling", action="store_true",
                      help="long polling (needs KOORDINAT_TELEGRAM_TOKEN); never falls back to the demo")
    demo = commands.add_parser("demo", help="try Koordinat in the terminal, no token needed")
    demo.add_argument("--script", action="store_true", help="play the scripted tour and exit")
    demo.add_argument("--language", choices=["tr", "en"], default=None)
    demo.add_argument("--today", type=_day, default=None, metavar="YYYY-MM-DD",
                      help="play the demo as if today were this day (e.g. a budget month: 2027-09-01)")
    demo.add_argument("--fresh", action="store_true",
                      help="start from a new demo database (otherwise the last run's is kept)")
    commands.add_parser("migrate", help="apply database migrations")
    backup = commands.add_parser("backup", help="consistent copy of the database (safe while running)")
    backup.add_argument("path", type=Path)
    move = commands.add_parser("migrate-to", help="copy every row into another, empty database (SQLite file "
                               "or postgresql://…) and verify counts and ids; stop the bot first")
    move.add_argument("target", help="a SQLite file (koordinat.db, sqlite:///koordinat.db) or postgresql://user@host/db")
    move.add_argument("--schema", default=None, help="PostgreSQL target: the schema (default: public)")
    group = commands.add_parser("group", help="manage working groups").add_subparsers(dest="group_command")
    create = group.add_parser("create", help="create a group and print its invite links")
    create.add_argument("name")
    create.add_argument("--city", required=True)
    create.add_argument("--language", choices=["tr", "en"], default=None)
    create.add_argument("--timezone", default=None)
    create.add_argument("--force", action="store_true", help="create it even if a group with this name and city exists")
    create.add_argument("--json", action="store_true", help="print machine-readable JSON")
    group.add_parser("list", help="list groups with their member counts")
    switch = group.add_parser("whatsapp", help="turn WhatsApp sending of a group's notices on or off (billed per message)")
    switch.add_argument("group_id", type=int)
    switch.add_argument("state", choices=["on", "off"])
    quiet_hours = group.add_parser("quiet", help="a group's quiet hours: no reminder, digest or alert goes out then "
                                                 "(default 21:00-08:00 group time)")
    quiet_hours.add_argument("group", help="the group's id or name (see `koordinat group list`)")
    quiet_hours.add_argument("hours", nargs="?", default=None,
                             help="e.g. 22:00-07:30, `off` or `default`; none: show them")
    invite = commands.add_parser("invite", help="a fresh invite link for a group (e.g. when the coordinator link expired)")
    invite.add_argument("group", help="the group's id or name (see `koordinat group list`)")
    role = invite.add_mutually_exclusive_group()
    role.add_argument("--coordinator", dest="role", action="store_const", const="coordinator",
                      help="a coordinator link (14 days, 3 uses)")
    role.add_argument("--member", dest="role", action="store_const", const="member",
                      help="a member link (90 days; the default)")
    invite.add_argument("--json", action="store_true", help="print machine-readable JSON")
    # `koordinat export <what> …`: each feature adds its own kind of file.
    export = commands.add_parser("export", help="export files").add_subparsers(dest="export_command")
    cli_milestones.add_parsers(commands, export)
    cli_coplanning.add_parsers(group, export)
    cli_lessons.add_parsers(commands, export)
    cli_monitoring.add_parsers(commands)
    cli_quarantine.add_parsers(commands)
    survey = cli_surveys.add_survey_commands(commands)
    cli_surveys.add_result_commands(export, survey)
    attendance = export.add_parser("attendance", help="a group's meeting answers and attendance (member × meeting)")
    attendance.add_argument("group", help="group id or name (see `koordinat group list`)")
    attendance.add_argument("--from", dest="since", required=True, help="first day, YYYY-MM-DD (inclusive)")
    attendance.add_argument("--to", dest="until", required=True, help="last day, YYYY-MM-DD (inclusive)")
    attendance.add_argument("--format", choices=["csv", "xlsx"], default=None,
                            help="default: from the output's extension, else csv")
    attendance.add_argument("--output", type=Path, default=None, help="file to write (default: stdout for csv)")
    attendance.add_argument("--language", choices=["tr", "en"], default=None)
    return parser


def main(argv: list[str], runtime: type[Runtime]) -> int:
    """Run one command; an unusable database or output path is one line, never a traceback."""
    try:
        return _main(argv, runtime)
    except OSError as error:
        where = f" {error.filename}" if getattr(error, "filename", None) else ""
        return _fail(f"{error.strerror or error}:{where}" if where else str(error))
    except Exception as error:
        if type(error).__name__ == "DatabaseUnavailable" and type(error).__module__ == "storage.db":
            return _fail(str(error))  # (matched by name: `--help` does not import the database code)
        raise


def _main(argv: list[str], runtime: type[Runtime]) -> int:
    logs.configure(logging.INFO)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    parser = _parser()
    args = parser.parse_args(argv or ["run"])
    import asyncio

    from bot.config import ConfigError, load_settings

    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"koordinat: configuration error: {error}", file=sys.stderr)
        return 2
    command = args.command or "run"
    if command not in ("run", "demo"):  # an operator's one-off command: its result, not the bot's progress log
        logging.getLogger().setLevel(logging.WARNING)
    if command == "run":
        if args.webhook and not settings.has_telegram_token and not settings.has_whatsapp:
            print("koordinat: configuration error: --webhook needs a configured channel: KOORDINAT_TELEGRAM_TOKEN "
                  "(with KOORDINAT_WEBHOOK_URL) or KOORDINAT_WHATSAPP_TOKEN; only a bare `koordinat run` "
                  "plays the demo", file=sys.stderr)
            return 2
        if args.polling and not settings.has_telegram_token:
            print("koordinat: configuration error: KOORDINAT_TELEGRAM_TOKEN: needed for --polling (the bot "
                  "token from @BotFather); only a bare `koordinat run` plays the demo", file=sys.stderr)
            return 2
        if not settings.has_telegram_token and not settings.has_whatsapp:  # WhatsApp-only runs too
            from messages import t

            print(t("cli.no_token", settings.default_language), file=sys.stderr)
            return _demo(settings, runtime, script=not sys.stdin.isatty(), language=None)
        if args.webhook and settings.has_telegram_token and not settings.webhook_url:
            print("koordinat: configuration error: KOORDINAT_WEBHOOK_URL: needed for --webhook "
                  "(example: https://koordinat.example.org)", file=sys.stderr)
            return 2
        if args.webhook and settings.has_telegram_token and not settings.webhook_secret:
            print("koordinat: configuration error: KOORDINAT_WEBHOOK_SECRET: needed for --webhook, "
                  "Telegram signs every update with it (1-256 of A-Z a-z 0-9 _ -; example: "
                  "python -c \"import secrets; print(secrets.token_urlsafe(32))\")", file=sys.stderr)
            return 2
        return asyncio.run(runtime(settings).run_until_stopped(webhook=args.webhook)) or 0
    if command == "demo":
        if args.today is not None:
            settings = settings.model_copy(update={"demo_today": args.today})
        return _demo(settings, runtime, script=args.script, language=args.language, fresh=args.fresh)
    if command == "migrate":
        return asyncio.run(_migrate(settings))
    if command == "backup":
        return _backup(settings, args.path)
    if command == "migrate-to":
        return asyncio.run(_migrate_to(settings, args.target, args.schema))
    if command == "export" and getattr(args, "export_command", None) == "attendance":
        return asyncio.run(_export_attendance(settings, args))
    if command == "group":
        if args.group_command == "create":
            return asyncio.run(_group_create(settings, args))
        if args.group_command == "list":
            return asyncio.run(_group_list(settings))
        if args.group_command == "whatsapp":
            return asyncio.run(_group_whatsapp(settings, args))
        if args.group_command == "quiet":
            return asyncio.run(_group_quiet(settings, args))
    if command == "invite":
        return asyncio.run(_invite(settings, args))
    if cli_milestones.handles(args):
        return asyncio.run(cli_milestones.run(settings, args))
    if cli_coplanning.handles(args):
        return asyncio.run(cli_coplanning.run(settings, args))
    if cli_lessons.handles(args):
        return cli_lessons.run(settings, args)
    if cli_monitoring.handles(args):
        return asyncio.run(cli_monitoring.run(settings, args))
    if cli_quarantine.handles(args):
        return asyncio.run(cli_quarantine.run(settings, args))
    if cli_surveys.handles(args):  # export survey|template, survey import|export-form
        from bot.services.surveys import results_cli

        return results_cli.run(settings, args)
    if command == "survey":
        return _survey(settings, args)
    subcommands = next((action for action in parser._actions if isinstance(action, argparse._SubParsersAction)), None)
    chosen = subcommands.choices.get(command) if subcommands is not None and command else None
    if chosen is not None:  # `koordinat group` without what to do: that command's usage, not the whole help
        chosen.print_usage(sys.stderr)
        print(f"koordinat {command}: say what to do (e.g. koordinat {command} --help)", file=sys.stderr)
        return 2
    parser.print_help()
    return 2


def _survey(settings: Settings, args: argparse.Namespace) -> int:
    """`koordinat survey target|library` (bot/services/surveys/targets.py)."""
    if args.survey_command == "library":  # the shipped content alone: no dialog, no database
        from bot.services.surveys.library import library_lines

        print("\n".join(library_lines()))
        return 0
    from bot.services.surveys import targets

    if args.survey_command != "target":
        _parser().parse_args(["survey", "--help"])
        return 2

    async def run() -> int:
        from storage.db import Database

        db = await Database.open(settings.database)
        try:
            print("\n".join(await targets.run_target(db, args, operator_clock(settings.now).now())))
            return 0
        except targets.TargetError as error:
            print(f"koordinat: {error}", file=sys.stderr)
            return error.exit_code
        finally:
            await db.close()

    import asyncio

    return asyncio.run(run())


def _demo(settings: Settings, runtime: type[Runtime], *, script: bool, language: str | None,
          fresh: bool = False) -> int:
    try:
        from bot.demo import run_demo
    except ImportError:
        print("koordinat: the local demo is not part of this build yet", file=sys.stderr)
        return 1
    return run_demo(settings, runtime, script=script, language=language or settings.default_language, fresh=fresh)


async def _migrate(settings: Settings) -> int:
    from storage.db import Database

    db = await Database.open(settings.database, migrate=False)
    try:
        applied = await db.migrate()
        print(f"database {db.path}: schema version {await db.schema_version()}"
              + (f", applied {', '.join(applied)}" if applied else ", up to date"))
    finally:
        await db.close()
    return 0


def _fail(message: str, code: int = 1) -> int:
    """One line on stderr, the exit status for the shell."""
    print(f"koordinat: {message}", file=sys.stderr)
    return code


async def _migrate_to(settings: Settings, target: str, schema: str | None) -> int:
    """Copy the configured database into `target` (storage/migrate_to.py); one line per table
    with rows and id sums on both sides; exit 1 if any differs."""
    from bot.config import Settings
    from storage.db import Database
    from storage.errors import display_dsn
    from storage.instance import AlreadyRunning, InstanceLock
    from storage.migrate_to import TargetNotEmpty, copy_database

    if _no_database(settings):
        return _fail(f"no database at {settings.database} (set KOORDINAT_DATABASE)")
    try:
        location: str | Path = Settings(_env_file=None, database=target, database_schema=schema).database  # type: ignore[call-arg]
    except ValueError as error:  # pydantic's ValidationError: the field's message, one line
        reason = error.errors()[0]["msg"] if hasattr(error, "errors") else str(error)
        return _fail(f"migrate-to {target}: {reason}", EXIT_USAGE)
    if not isinstance(location, str) and Path(location).resolve() == Path(settings.database).resolve():
        return _fail("migrate-to: the target is the database itself; give another file or a postgresql:// DSN", EXIT_USAGE)
    lock = None
    if not settings.uses_postgres:  # the bot must not write while its rows are copied
        lock = InstanceLock(settings.database)
        try:
            lock.acquire()
        except AlreadyRunning as error:
            return _fail(str(error))
    source = await Database.open(settings.database)
    try:
        destination = await Database.open(location)
        try:
            checks = await copy_database(source, destination)
        except TargetNotEmpty as error:
            return _fail(f"migrate-to: {error}")
        finally:
            await destination.close()
    finally:
        await source.close()
        if lock is not None:
            lock.release()
    width = max(len(check.table) for check in checks)
    for check in checks:
        sums = "" if check.source_id_sum is None else f"  id sum {check.source_id_sum} → {check.target_id_sum}"
        print(f"{check.table:<{width}}  {check.source_rows:>7} → {check.target_rows:<7}{sums}  "
              f"{'ok' if check.ok else 'DIFFERENT'}")
    bad = [check.table for check in checks if not check.ok]
    where = display_dsn(location) if isinstance(location, str) else location
    if bad:
        return _fail(f"migrate-to: the copy differs in {', '.join(bad)}")
    print(f"copied {sum(c.source_rows for c in checks)} rows in {len(checks)} tables to {where}; "
          "counts and id sums match")
    return 0


def _no_database(settings: Settings) -> bool:
    """A SQLite file that does not exist (a mistyped KOORDINAT_DATABASE); a PostgreSQL DSN is
    checked when connecting (`DatabaseUnavailable`, one line)."""
    return not settings.uses_postgres and not Path(settings.database).is_file()


def _backup(settings: Settings, target: Path) -> int:
    from storage.db import BACKUP_ERRORS, backup_file
    from storage.errors import BackupNotSupported

    if settings.uses_postgres:  # no file to copy: the server's tools do it, consistently
        return _fail(str(BackupNotSupported.for_dsn(str(settings.database), settings.database_schema)))
    if _no_database(settings):
        return _fail(f"no database at {settings.database} (set KOORDINAT_DATABASE, or run "
                     "`koordinat migrate` to create one)")
    try:
        backup_file(Path(settings.database), target)
    except BACKUP_ERRORS as error:
        return _fail(f"backup to {target} failed: {error}")
    print(f"backup written to {target}")
    return 0


async def _group_create(settings: Settings, args: argparse.Namespace) -> int:
    import json

    from bot.config import check_timezone
    from bot.text import clean_text

    if args.timezone is not None:
        try:
            check_timezone(args.timezone)
        except ValueError as error:
            return _fail(f"configuration error: --timezone: {error}", 2)
    if not clean_text(args.name) or not clean_text(args.city):
        return _fail("the group's name and --city need visible characters "
                     "(example: koordinat group create \"Kadın Dostu Kent\" --city Kars)", 2)
    async with operator_services(settings) as services:
        twins = await services.groups.same_name_and_city(args.name, args.city)
        if twins and not args.force:
            return _fail(f"a group \"{twins[0].name}\" in {twins[0].city} already exists (id {twins[0].id}); "
                         "add --force to create another one, or `koordinat invite "
                         f"{twins[0].id} --coordinator` for a fresh link")
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
    return 0


async def _group_whatsapp(settings: Settings, args: argparse.Namespace) -> int:
    """`koordinat group whatsapp GROUP on|off`: whether the group's notices, reminders and
    digests may go over WhatsApp (replies to a member's own message always do)."""
    from storage import groups as groups_repo
    from storage.db import Database

    if _no_database(settings):
        return _fail(f"no database at {settings.database} (set KOORDINAT_DATABASE)")
    db = await Database.open(settings.database)
    try:
        async with db.transaction() as tx:
            group = await groups_repo.get(tx, args.group_id)
            if group is None:
                return _fail(f"no group {args.group_id} (see `koordinat group list`)")
            await groups_repo.update_settings(tx, group.id, {**group.settings, "whatsapp_off": args.state == "off"})
        print(f"group {group.id} ({group.name}): WhatsApp notices {'on' if args.state == 'on' else 'off'}")
    finally:
        await db.close()
    return 0


async def _group_quiet(settings: Settings, args: argparse.Namespace) -> int:
    """`koordinat group quiet GROUP [22:00-07:30|off|default]`: show or set the group's quiet
    hours (`bot/services/quiet.py`); exit 2 for a range it cannot read."""
    from bot.services.groups import GroupNotFound
    from bot.errors import InvalidAnswer
    from bot.services import quiet
    from storage import groups as groups_repo

    value: dict[str, object] | None = None
    if args.hours is not None:
        word = args.hours.strip().lower()
        if word in ("off", "kapat"):
            value = {"off": True}
        elif word not in ("default", "varsayilan", "varsayılan"):
            try:
                value = dict(quiet.parse_range(args.hours))
            except InvalidAnswer:
                return _fail(f"cannot read quiet hours {args.hours!r}: give a start and an end, e.g. 22:00-07:30, "
                             "or `off` / `default`", 2)
    if _no_database(settings):
        return _fail(f"no database at {settings.database} (set KOORDINAT_DATABASE)")
    async with operator_services(settings) as services:
        try:
            group = await services.groups.find_one(args.group)
        except GroupNotFound as error:
            return _fail(str(error), EXIT_MISSING)
        if args.hours is not None:
            settings_ = {k: v for k, v in group.settings.items() if k != quiet.SETTING}
            if value is not None:
                settings_[quiet.SETTING] = value
            async with services.db.transaction() as tx:
                await groups_repo.update_settings(tx, group.id, settings_)
            group = group.model_copy(update={"settings": settings_})
        hours = quiet.of_group(group)
        shown = f"{hours.label()} ({group.timezone})" if hours is not None else "off"
        print(f"group {group.id} ({group.name}): quiet hours {shown}")
    return 0


async def _group_list(settings: Settings) -> int:

    if _no_database(settings):  # a mistyped KOORDINAT_DATABASE: say so, create nothing
        return _fail(f"no database at {settings.database} (set KOORDINAT_DATABASE, or create the first group: "
                     "koordinat group create \"Kadın Dostu Kent\" --city Kars)", EXIT_MISSING)
    async with operator_services(settings) as services:
        groups = await services.groups.all()
        for group, counts in groups:
            print(f"{group.id:>4}  {group.name} ({group.city}, {group.language}) — "
                  f"{counts.get('coordinator', 0)} coordinator(s), {counts.get('member', 0)} member(s)")
        if not groups:
            print("no groups yet: koordinat group create \"Kadın Dostu Kent\" --city Kars", file=sys.stderr)
    return 0


async def _invite(settings: Settings, args: argparse.Namespace) -> int:
    """`koordinat invite GROUP [--coordinator|--member] [--json]`: a fresh link."""
    import json
    from bot.models import Role
    from bot.services.groups import GroupNotFound

    if _no_database(settings):
        return _fail(f"no database at {settings.database} (set KOORDINAT_DATABASE)")
    async with operator_services(settings) as services:
        try:
            group = await services.groups.find_one(args.group)
        except GroupNotFound as error:
            return _fail(str(error), EXIT_MISSING)
        role = Role(args.role or "member")
        invite = await services.groups.new_invite(group.id, role)
        link = services.links.telegram(invite.code)
        expires = invite.expires_at.astimezone(ZoneInfo(group.timezone)) if invite.expires_at else None
        if args.json:
            print(json.dumps({"group_id": group.id, "role": role.value, "invite": link, "code": invite.code,
                              "expires_at": expires.isoformat() if expires else None,
                              "max_uses": invite.max_uses}, ensure_ascii=False))
        else:
            print(f"group {group.id}: {group.name} ({group.city})")
            until = f", valid until {expires:%d.%m.%Y %H:%M}" if expires else ""
            uses = f", {invite.max_uses} uses" if invite.max_uses else ""
            print(f"  {role.value} invite: {link}{until}{uses}")
    return 0


async def _export_attendance(settings: Settings, args: argparse.Namespace) -> int:
    """`koordinat export attendance GROUP --from 2026-09-01 --to 2026-12-31 --output k.xlsx`."""
    from datetime import date, datetime, time, timedelta
    from zoneinfo import ZoneInfo

    from bot.services.groups import GroupNotFound

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
    if first > last:
        return _fail(f"--from {first.isoformat()} is after --to {last.isoformat()}: give the earlier day first "
                     "(example: --from 2026-09-01 --to 2026-12-31)", EXIT_USAGE)
    if _no_database(settings):
        return _fail(f"no database at {settings.database} (set KOORDINAT_DATABASE)", EXIT_MISSING)
    async with operator_services(settings) as services:
        try:
            group = await services.groups.find_one(args.group)
        except GroupNotFound as error:
            return _fail(str(error), EXIT_USAGE if error.ambiguous else EXIT_MISSING)
        zone = ZoneInfo(group.timezone)
        since = datetime.combine(first, time(0), tzinfo=zone)
        until = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
        content, count = await services.meetings.export_period(
            group.id, since, until, kind, args.language or group.language)
    if args.output is None:
        sys.stdout.write(content.decode("utf-8-sig"))
    else:
        args.output.write_bytes(content)
        print(f"{count} meeting(s) of {group.name} written to {args.output}", file=sys.stderr)
    return 0
