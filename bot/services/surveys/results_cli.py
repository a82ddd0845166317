"""The operator's survey commands: exports, XLSForm import and export.

- `koordinat export survey ID --format xlsx|csv [--output FILE] [--language tr|en]`
- `koordinat export template CODE [--output FILE] [--language tr|en]`: cross-city, the latest
  survey of that template in every group, side by side (the operator sees every group).
- `koordinat survey import FILE --group G [--check] [--replace]`: an XLSForm (.xlsx or .xls,
  e.g. a KoboToolbox or ODK form) or our own TOML/YAML definition becomes the group's template
  (listed by /anket). `--check` prints per row what will be asked, what was simplified, what is
  left out and what is refused, and stores nothing (exit 0 when importable, 2 when not).
  Without it, the form is imported only when nothing is refused (else the same report on
  stderr, exit 2). A form whose id is a shipped template's, or one of the group's own, replaces
  it only after a yes at the prompt or with `--replace`.
- `koordinat survey export-form ID|CODE [--group G] [--output FILE]`: a survey's form (by
  survey id) or a template (by code) written as XLSForm.
Every command prints one line saying what it wrote, or one line on stderr and exits 2.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.clock import operator_clock
from bot.config import Settings
from bot.errors import NotFound
from bot.services.surveys import content
from bot.services.surveys.exports import export_filename, template_filename
from bot.services.surveys.model import SurveyForm
from bot.services.surveys.results_service import SurveyResultsService
from bot.services.surveys.xlsform import XLSFormError, check_xlsform, write_xlsform

XLSFORM_SUFFIXES = (".xlsx", ".xlsm", ".xls")
from storage import groups as groups_repo
from storage import surveys as surveys_repo
from storage.db import Database


class CommandError(ValueError):
    """A value the operator gave that cannot be used (printed as one line; exit status 2)."""

    exit_code = 2


class MissingTarget(CommandError):
    """The survey, group, template or file named does not exist (exit status 1, as in every
    `koordinat` command)."""

    exit_code = 1


def add_commands(export: argparse._SubParsersAction, survey: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """`export survey|template` and `survey import|export-form` (bot/cli_surveys.py)."""
    from bot.cli_surveys import add_result_commands

    add_result_commands(export, survey)


def handles(args: argparse.Namespace) -> bool:
    return ((args.command == "export" and getattr(args, "export_command", None) in ("survey", "template"))
            or (args.command == "survey" and getattr(args, "survey_command", None) in ("import", "export-form")))


class FormRefused(CommandError):
    """An XLSForm with refused rows: the whole per-row report goes to stderr."""


def run(settings: Settings, args: argparse.Namespace) -> int:
    if args.command == "survey" and args.survey_command == "import" and args.check:
        try:
            return _check_only(settings, args)
        except CommandError as error:
            print(f"koordinat: {error}", file=sys.stderr)
            return error.exit_code
    try:
        print(asyncio.run(_run(settings, args)))
        return 0
    except FormRefused as error:
        print(str(error), file=sys.stderr)
        return 2
    except (CommandError, XLSFormError, content.ContentError) as error:
        print(f"koordinat: {error}", file=sys.stderr)
        return getattr(error, "exit_code", 2)


async def _group_context(settings: Settings, key: str) -> tuple[str, set[str]]:
    """(language, indicator codes) of the group named, for a check as that group's import."""
    db = await Database.open(settings.database)
    try:
        async with db.read() as conn:
            group = await _group(conn, key)
            return group.language, set(await content.indicators_for_group(conn, group.id))
    finally:
        await db.close()


def _check_only(settings: Settings, args: argparse.Namespace) -> int:
    """`survey import FILE --check [--group G]`: the per-row report, nothing stored; with a
    group, read as that group's import would (its language, its indicator codes)."""
    path: Path = args.file
    if not path.is_file():
        print(f"koordinat: {path}: no such file", file=sys.stderr)
        return 1
    if path.suffix.lower() not in XLSFORM_SUFFIXES:
        print(f"koordinat: {path.name}: --check reads XLSForms (.xlsx, .xls)", file=sys.stderr)
        return 2
    language, known = asyncio.run(_group_context(settings, args.group)) if args.group else ("tr", None)
    checked = check_xlsform(path, default_language=language, known_indicators=known)
    print(checked.report())
    return 0 if checked.form is not None else 2


async def _run(settings: Settings, args: argparse.Namespace) -> str:
    db = await Database.open(settings.database)
    try:
        service = SurveyResultsService(db, operator_clock(settings.now).now)
        if args.command == "export" and args.export_command == "survey":
            return await _export_survey(service, args)
        if args.command == "export" and args.export_command == "template":
            return await _export_template(service, args)
        if args.survey_command == "import":
            return await _import(db, args, settings)
        if args.survey_command == "export-form":
            return await _export_form(db, args)
        raise CommandError("say what to export: koordinat export survey ID | koordinat export template CODE")
    finally:
        await db.close()


async def _export_survey(service: SurveyResultsService, args: argparse.Namespace) -> str:
    try:
        view = await service.view(args.survey_id)
    except NotFound:
        raise MissingTarget(f"no survey {args.survey_id}") from None
    data = service.xlsx(view, args.language, await service.series(view)) if args.format == "xlsx" \
        else service.csv(view, args.language)
    target = args.output or Path(export_filename(view, args.format))
    target.write_bytes(data)
    return f"survey {view.id} ({view.group_name}): {len(view.responses)} response(s) written to {target}"


async def _export_template(service: SurveyResultsService, args: argparse.Namespace) -> str:
    views = await service.template_views(args.template)
    if not views:
        raise MissingTarget(f"no survey of template {args.template!r} yet (see koordinat survey library)")
    target = args.output or Path(template_filename(args.template))
    target.write_bytes(service.template_xlsx(views, args.language))
    groups = ", ".join(view.group_name for view in views)
    return f"template {args.template}: {len(views)} group(s) ({groups}) written to {target}"


async def _group(conn, key: str):  # type: ignore[no-untyped-def]
    from bot.services.groups import GroupNotFound, one_group

    try:
        return one_group(await groups_repo.all_groups(conn), key)
    except GroupNotFound as error:
        raise MissingTarget(str(error)) from None


def _confirm_replace(code: str, what: str) -> bool:
    """Ask on the terminal; False without one (a script must say --replace)."""
    if not sys.stdin.isatty():
        return False
    answer = input(f"{code!r} is {what}. Replace it with this form for the group? [y/N] ")
    return answer.strip().lower() in ("y", "yes", "e", "evet")


async def _import(db: Database, args: argparse.Namespace, settings: Settings) -> str:
    path: Path = args.file
    if not path.is_file():
        raise MissingTarget(f"{path}: no such file")
    if not args.group:
        raise CommandError("say which group gets the form: --group G (or use --check to only check it)")
    async with db.transaction() as tx:
        group = await _group(tx, args.group)
        now = operator_clock(settings.now).now()
        if path.suffix.lower() in XLSFORM_SUFFIXES:
            known = set(await content.indicators_for_group(tx, group.id))
            checked = check_xlsform(path, default_language=group.language, known_indicators=known)
            if checked.form is None:
                raise FormRefused(checked.report())
            form = checked.form
            own = {existing.code for _, existing in await surveys_repo.group_templates(tx, group.id)}
            clash = ("one of this group's templates" if form.code in own else
                     "a shipped template" if form.code in content.library().templates else None)
            if clash and not args.replace and not _confirm_replace(form.code, clash):
                raise CommandError(f"{path.name}: the form id {form.code!r} is {clash}; nothing imported. "
                                   "Run again with --replace to replace it, or change form_id on the settings sheet")
            await surveys_repo.save_form(tx, form, now, group_id=group.id, source="xlsform", is_template=True)
            notes = sum(note.kind in ("simplified", "ignored") for note in checked.notes)
            replaced = f", replacing {clash}" if clash else ""
            return (f"{path.name}: template {form.code!r} ({len(form.answerable)} question(s)) "
                    f"imported for group {group.id} ({group.name}){replaced}"
                    + (f"; {notes} row(s) simplified or left out (see --check)" if notes else ""))
        if path.suffix.lower() in (".toml", ".yaml", ".yml"):
            definition = content.load_definition_file(path)
            await content.import_definition(tx, group.id, definition, now)
            return (f"{path.name}: {len(definition.indicators)} indicator(s), {len(definition.templates)} "
                    f"template(s) imported for group {group.id} ({group.name})")
    raise CommandError(f"{path.name}: expected an XLSForm (.xlsx, .xls) or a TOML/YAML definition (.toml, .yaml)")


async def _no_form(db: Database, key: str, group_key: str | None) -> str:
    """Why `export-form KEY` found nothing, with the command that would: a group's own
    (imported) template is found only with --group, so the groups that have one are named."""
    if key.isdigit():
        return f"no survey {key}"
    async with db.read() as conn:
        owners = [group for group in await groups_repo.all_groups(conn)
                  if any(form.code == key for _, form in await surveys_repo.group_templates(conn, group.id))]
    if group_key:
        where = f"group {group_key!r} has no template {key!r} of its own and no shipped template has that code"
    else:
        where = f"no shipped template {key!r}"
    if owners:
        names = ", ".join(f"{group.id} ({group.name})" for group in owners)
        return (f"{where}; it is the own template of group {names}: add --group, e.g. "
                f"koordinat survey export-form {key} --group {owners[0].id}")
    return (f"{where}; see koordinat survey library for shipped templates. A group's own imported template "
            f"needs --group, e.g. koordinat survey export-form {key} --group 1")


async def _export_form(db: Database, args: argparse.Namespace) -> str:
    key: str = args.form
    form: SurveyForm | None = None
    async with db.read() as conn:
        if key.isdigit():
            survey = await surveys_repo.get_survey(conn, int(key))
            if survey is None:
                raise MissingTarget(f"no survey {key}")
            form = await surveys_repo.get_form(conn, survey.form_id)
        elif args.group:
            form = (await content.templates_for_group(conn, (await _group(conn, args.group)).id)).get(key)
        else:
            form = content.library().templates.get(key)
    if form is None:
        raise MissingTarget(await _no_form(db, key, args.group))
    target = args.output or Path(f"{form.code}.xlsx")
    target.write_bytes(write_xlsform(form))
    return f"form {form.code!r} ({len(form.answerable)} question(s)) written to {target} as XLSForm"
