"""`koordinat export lessons GROUP` and `koordinat lessons list | check FILE | import FILE`:
the operator's side of lessons in chat (issue 23).

`import` validates a group's own lesson file (the shipped format, bot/services/lessons/content.py)
and copies it into KOORDINAT_LESSONS_DIR, where the bot loads it at start, beside the shipped ones.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import argparse
import shutil
import sys
from pathlib import Path

from bot.cli_support import operator_services

if TYPE_CHECKING:  # imported by the command that runs (start-up stays light, issue 24)
    from bot.config import Settings


def add_parsers(commands: argparse._SubParsersAction, export: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `lessons …` to the top-level parser and `lessons` to `export`."""
    lessons = commands.add_parser("lessons", help="lessons in chat: list, check or import a lesson file")
    sub = lessons.add_subparsers(dest="lessons_command")
    sub.add_parser("list", help="the lessons the bot offers (shipped and the group's own)")
    check = sub.add_parser("check", help="validate a lesson file (TOML, the shipped format)")
    check.add_argument("file", type=Path)
    load = sub.add_parser("import", help="validate a lesson file and copy it into KOORDINAT_LESSONS_DIR")
    load.add_argument("file", type=Path)
    sheet = export.add_parser("lessons", help="who in a group completed which lesson, and the quiz averages (.xlsx)")
    sheet.add_argument("group", help="group id or exact name")
    sheet.add_argument("--output", type=Path, default=None, help="default: lessons-<group>.xlsx")


def handles(args: argparse.Namespace) -> bool:
    return args.command == "lessons" or (args.command == "export" and args.export_command == "lessons")


def run(settings: Settings, args: argparse.Namespace) -> int:
    """Exit status 0 done, 1 no such group, 2 a wrong command, an invalid lesson file or an
    --output that is not a writable .xlsx file."""
    from bot.services.lessons.content import LessonError, catalogue, load_file
    import asyncio

    if args.command == "export":
        return asyncio.run(_export(settings, args))
    try:
        if args.lessons_command == "list":
            for lesson in catalogue(settings.lessons_dir):
                print(f"{lesson.order:>3}  {lesson.slug:<26} {lesson.title.tr} / {lesson.title.en}")
            return 0
        if args.lessons_command == "check":
            lesson = load_file(args.file)
            print(f"{args.file}: lesson {lesson.slug!r} is valid ({len(lesson.part)} parts, {len(lesson.quiz)} questions)")
            return 0
        if args.lessons_command == "import":
            return _import(settings, args.file)
    except LessonError as error:
        print(f"koordinat: {error}", file=sys.stderr)
        return 2
    print("usage: koordinat lessons list | check FILE | import FILE", file=sys.stderr)
    return 2


def _import(settings: Settings, file: Path) -> int:
    from bot.services.lessons.content import catalogue, load_file
    if settings.lessons_dir is None:
        print("koordinat: configuration error: KOORDINAT_LESSONS_DIR: set it to the folder for your own "
              "lessons (example: KOORDINAT_LESSONS_DIR=./lessons)", file=sys.stderr)
        return 2
    lesson = load_file(file)
    target = settings.lessons_dir / f"{lesson.slug}.toml"
    existing = {item.slug for item in catalogue(settings.lessons_dir)}
    if lesson.slug in existing and not (target.exists() and load_file(target).slug == lesson.slug):
        print(f"koordinat: {file}: slug {lesson.slug!r} is already a lesson; choose another slug", file=sys.stderr)
        return 2
    try:
        settings.lessons_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(file, target)
    except OSError as error:
        print(f"koordinat: KOORDINAT_LESSONS_DIR {settings.lessons_dir}: cannot write {target.name} there "
              f"({error.strerror or error})", file=sys.stderr)
        return 2
    catalogue(settings.lessons_dir)  # the whole set still loads
    print(f"lesson {lesson.slug!r} imported to {target}; restart the bot to offer it")
    return 0


async def _export(settings: Settings, args: argparse.Namespace) -> int:
    """Exit 2 before anything is read when --output does not end in .xlsx (the file is XLSX;
    a `.csv` name would lie) or cannot be written."""
    from bot.services.groups import GroupNotFound
    from bot.services.lessons import Lessons
    from bot.services.lessons.exports import lessons_xlsx
    if args.output is not None and args.output.suffix.lower() != ".xlsx":
        print(f"koordinat: --output {args.output}: the file must end in .xlsx "
              "(example: --output dersler.xlsx)", file=sys.stderr)
        return 2
    if args.output is not None and (args.output.is_dir() or not args.output.parent.is_dir()):
        print(f"koordinat: --output {args.output}: not a file in an existing folder "
              "(example: --output dersler.xlsx)", file=sys.stderr)
        return 2
    async with operator_services(settings) as services:
        try:
            group = await services.groups.find_one(args.group)
        except GroupNotFound as error:
            print(f"koordinat: {error}", file=sys.stderr)
            return 1
        lessons = services.extras["lessons"]
        assert isinstance(lessons, Lessons)
        stats, passed, members = await lessons.service.stats(group.id)
        content = lessons_xlsx(lessons.service.lessons, stats, passed, members, group.language)
        output = args.output or Path(f"lessons-{group.id}.xlsx")
        try:
            output.write_bytes(content)
        except OSError as error:
            print(f"koordinat: --output {output}: cannot write it ({error.strerror or error})", file=sys.stderr)
            return 2
        finished = sum(item.passed for item in stats.values())
        print(f"{len(lessons.service.lessons)} lesson(s), {len(members)} member(s), {finished} completion(s) "
              f"written to {output}")
        return 0
