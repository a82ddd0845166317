"""The `koordinat survey …` and `koordinat export survey|template` argument parsers, apart from
the commands themselves (bot/services/surveys/targets.py, results_cli.py): building
`koordinat --help` imports no survey module (issue 24)."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_survey_commands(commands: argparse._SubParsersAction) -> argparse._SubParsersAction:  # type: ignore[type-arg]
    """Add `survey target` and `survey library` to the `koordinat` parser; returns the
    `survey` sub-command group so other survey commands can join it."""
    survey = commands.add_parser("survey", help="indicator surveys: targets, library").add_subparsers(
        dest="survey_command")
    target = survey.add_parser("target", help="set or show an indicator's baseline and yearly targets")
    target.add_argument("group", help="group id, name or city")
    target.add_argument("indicator", nargs="?", help="indicator code, e.g. I4 (none: show every card)")
    target.add_argument("--baseline", help="baseline value (başlangıç değeri), e.g. 400, %%32,5 or, for a yes/no "
                        "indicator, hayır/evet")
    target.add_argument("--baseline-year", type=int, help="the baseline's year, e.g. 2024")
    target.add_argument("--target", action="append", default=[], metavar="YEAR=VALUE",
                        help="a yearly target (hedef), repeatable: --target 2027=700; --target 2025=- removes "
                        "that year's target")
    survey.add_parser("library", help="list the shipped indicators and survey templates")
    return survey


def add_result_commands(export: argparse._SubParsersAction, survey: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """`export survey|template` (under the shared `export`) and, under `survey`, `import` and
    `export-form`."""
    one = export.add_parser("survey", help="one survey's responses, summary and plan-versus-actual")
    one.add_argument("survey_id", type=int)
    one.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    one.add_argument("--output", type=Path, default=None, help="file to write (default: survey-ID-GROUP.xlsx)")
    one.add_argument("--language", choices=["tr", "en"], default=None, help="labels (default: the group's)")
    many = export.add_parser("template", help="one template's latest results in every group, side by side")
    many.add_argument("template")
    many.add_argument("--output", type=Path, default=None)
    many.add_argument("--language", choices=["tr", "en"], default="tr")
    reader = survey.add_parser("import", help="a group's own template from an XLSForm (.xlsx) or TOML/YAML file")
    reader.add_argument("file", type=Path)
    reader.add_argument("--group", default=None, help="group id, name or city (not needed with --check)")
    reader.add_argument("--check", action="store_true",
                        help="print per row what will be asked, simplified, left out or refused; store nothing")
    reader.add_argument("--replace", action="store_true",
                        help="replace a template of the same id (shipped or the group's own) without asking")
    writer = survey.add_parser("export-form", help="a survey's form (by id) or a template (by code) as XLSForm")
    writer.add_argument("form", help="survey id, or template code")
    writer.add_argument("--group", default=None, help="for a group's own template code")
    writer.add_argument("--output", type=Path, default=None)


def handles(args: argparse.Namespace) -> bool:
    """True for `export survey|template` and `survey import|export-form` (results_cli.run)."""
    return ((args.command == "export" and getattr(args, "export_command", None) in ("survey", "template"))
            or (args.command == "survey" and getattr(args, "survey_command", None) in ("import", "export-form")))
