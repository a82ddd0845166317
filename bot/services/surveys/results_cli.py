"""The operator's survey commands: exports, XLSForm import and export.

- `koordinat export survey ID --format xlsx|csv [--output FILE] [--language tr|en]`
- `koordinat export template CODE [--output FILE] [--language tr|en]`: cross-city, the latest
  survey of that template in every group, side by side (the operator sees every group).
- `koordinat survey import FILE --group G`: an XLSForm (.xlsx) or our own TOML/YAML definition
  becomes the group's template (listed by /anket); refused with sheet/row/column (XLSForm) or
  file/line/field (TOML/YAML) when outside the subset.
- `koordinat survey export-form ID|CODE [--group G] [--output FILE]`: a survey's form (by
  survey id) or a template (by code) written as XLSForm.
Every command prints one line saying what it wrote, or one line on stderr and exits 2.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.clock import SystemClock
from bot.config import Settings
from bot.errors import NotFound
from bot.services.surveys import content
from bot.services.surveys.exports import export_filename, template_filename
from bot.services.surveys.model import SurveyForm
from bot.services.surveys.results_service import SurveyResultsService
from bot.services.surveys.xlsform import XLSFormError, read_xlsform, write_xlsform
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


def run(settings: Settings, args: argparse.Namespace) -> int:
    try:
        print(asyncio.run(_run(settings, args)))
        return 0
    except (CommandError, XLSFormError, content.ContentError) as error:
        print(f"koordinat: {error}", file=sys.stderr)
        return getattr(error, "exit_code", 2)


async def _run(settings: Settings, args: argparse.Namespace) -> str:
    db = await Database.open(settings.database)
    try:
        service = SurveyResultsService(db, SystemClock().now)
        if args.command == "export" and args.export_command == "survey":
            return await _export_survey(service, args)
        if args.command == "export" and args.export_command == "template":
            return await _export_template(service, args)
        if args.survey_command == "import":
            return await _import(db, args)
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
    data = service.xlsx(view, args.language) if args.format == "xlsx" else service.csv(view, args.language)
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


async def _import(db: Database, args: argparse.Namespace) -> str:
    path: Path = args.file
    if not path.is_file():
        raise MissingTarget(f"{path}: no such file")
    async with db.transaction() as tx:
        group = await _group(tx, args.group)
        now = SystemClock().now()
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            known = set(await content.indicators_for_group(tx, group.id))
            form = read_xlsform(path, default_language=group.language, known_indicators=known)
            await surveys_repo.save_form(tx, form, now, group_id=group.id, source="xlsform", is_template=True)
            return (f"{path.name}: template {form.code!r} ({len(form.answerable)} question(s)) "
                    f"imported for group {group.id} ({group.name})")
        if path.suffix.lower() in (".toml", ".yaml", ".yml"):
            definition = content.load_definition_file(path)
            await content.import_definition(tx, group.id, definition, now)
            return (f"{path.name}: {len(definition.indicators)} indicator(s), {len(definition.templates)} "
                    f"template(s) imported for group {group.id} ({group.name})")
    raise CommandError(f"{path.name}: expected an XLSForm (.xlsx) or a TOML/YAML definition (.toml, .yaml)")


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
        raise MissingTarget(f"no template {key!r}; see koordinat survey library")
    target = args.output or Path(f"{form.code}.xlsx")
    target.write_bytes(write_xlsform(form))
    return f"form {form.code!r} ({len(form.answerable)} question(s)) written to {target} as XLSForm"
