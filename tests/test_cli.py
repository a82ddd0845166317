"""The operator's command line, run as Mehmet would run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def _koordinat(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOORDINAT_")}
    env["KOORDINAT_DATABASE"] = str(tmp_path / "k.db")
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=env, input=stdin,
                          capture_output=True, text=True, timeout=90)


def test_group_create_prints_two_invite_links_and_json(tmp_path: Path) -> None:
    human = _koordinat(tmp_path, "group", "create", "Kadın Dostu Kent", "--city", "Kars")
    assert human.returncode == 0, human.stderr
    assert "coordinator invite: https://t.me/koordinat_bot?start=" in human.stdout
    assert "member invite:" in human.stdout

    machine = _koordinat(tmp_path, "group", "create", "Equality Plan Monitoring", "--city", "İzmir",
                         "--language", "en", "--json")
    data = json.loads(machine.stdout)
    assert data["group_id"] == 2
    assert data["coordinator_invite"].startswith("https://t.me/koordinat_bot?start=")
    assert data["member_invite"] != data["coordinator_invite"]

    listing = _koordinat(tmp_path, "group", "list")
    assert "Kadın Dostu Kent (Kars, tr)" in listing.stdout
    assert "Equality Plan Monitoring (İzmir, en)" in listing.stdout


def test_migrate_reports_the_schema_version(tmp_path: Path) -> None:
    first = _koordinat(tmp_path, "migrate")
    assert first.returncode == 0 and "applied 001_init.sql" in first.stdout
    second = _koordinat(tmp_path, "migrate")
    assert "up to date" in second.stdout


def test_webhook_without_url_is_refused_with_one_line(tmp_path: Path) -> None:
    env_token = {"KOORDINAT_TELEGRAM_TOKEN": "1:x"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOORDINAT_")} | env_token
    env["KOORDINAT_DATABASE"] = str(tmp_path / "k.db")
    result = subprocess.run([sys.executable, "-m", "bot", "run", "--webhook"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "KOORDINAT_WEBHOOK_URL" in result.stderr and "Traceback" not in result.stderr


def test_every_command_s_help_prints() -> None:
    """`--help` of every command and subcommand (argparse formats `%` in help texts)."""
    import argparse

    from bot.cli import _parser

    def walk(parser: argparse.ArgumentParser) -> int:
        parser.format_help()
        count = 1
        for action in parser._actions:  # noqa: SLF001 - argparse keeps subparsers here
            if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
                for sub in action.choices.values():
                    count += walk(sub)
        return count

    assert walk(_parser()) > 20


@pytest.mark.sqlite_only
def test_a_backup_onto_the_database_itself_is_refused_and_the_database_kept(tmp_path: Path) -> None:
    created = _koordinat(tmp_path, "group", "create", "Kadın Dostu Kent", "--city", "Kars")
    assert created.returncode == 0, created.stderr
    database = tmp_path / "k.db"
    size = database.stat().st_size
    for target in (str(database), "k.db", "./k.db"):
        refused = _koordinat(tmp_path, "backup", target)
        assert refused.returncode == 1 and "is the database itself" in refused.stderr, refused.stderr
        assert database.stat().st_size == size
    assert "Kadın Dostu Kent" in _koordinat(tmp_path, "group", "list").stdout


@pytest.mark.sqlite_only
def test_a_file_that_is_not_a_database_is_one_line_and_the_process_ends(tmp_path: Path) -> None:
    (tmp_path / "k.db").write_text("junk")
    for command in (["group", "list"], ["migrate"]):
        result = _koordinat(tmp_path, *command)  # a 90 s timeout: a hang fails the test
        assert result.returncode == 1 and "file is not a database" in result.stderr
        assert "Traceback" not in result.stderr


def test_a_missing_target_exits_1_and_a_wrong_command_2_in_every_subcommand(tmp_path: Path) -> None:
    """One contract for the shell (documented in `koordinat --help`): 1 when what the command
    names does not exist, 2 when the command itself is wrong."""
    assert _koordinat(tmp_path, "group", "create", "Kadın Dostu Kent", "--city", "Kars").returncode == 0
    (tmp_path / "form.xlsx").write_bytes(b"")
    missing = [("invite", "99"), ("group", "whatsapp", "99", "on"), ("group", "share-proposals", "99", "on"),
               ("milestones", "load-template", "99", "2027"), ("export", "milestones", "99"),
               ("export", "attendance", "99", "--from", "2026-01-01", "--to", "2026-02-01"),
               ("export", "proposals", "--group", "99"), ("export", "opinion", "99"), ("export", "survey", "99"),
               ("survey", "target", "99", "I4"), ("survey", "import", "form.xlsx", "--group", "99"),
               ("survey", "import", "nothing.xlsx", "--group", "1"),
               ("report", "99", "--period", "2027-H1", "--output", "r.docx")]
    for args in missing:
        result = _koordinat(tmp_path, *args)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 1 and len(lines) == 1 and lines[0].startswith("koordinat: "), (args, result.stderr)
    wrong = [("invite",), ("milestones", "load-template", "1", "2999"), ("milestones",),
             ("export", "attendance", "1", "--from", "1 Ocak", "--to", "2026-02-01"), ("group", "whatsapp", "x", "on"),
             ("report", "1", "--period", "2027-H9", "--output", "r.docx"), ("report", "1", "--period", "2027"),
             ("report", "1", "--period", "2027", "--output", "r.pdf"), ("report", "1", "--thresholds", "abc")]
    for args in wrong:
        result = _koordinat(tmp_path, *args)
        assert result.returncode == 2 and "Traceback" not in result.stderr, (args, result.stderr)
    described = _koordinat(tmp_path, "--help")
    assert "exit status:" in described.stdout and "1  the command could not be carried out" in described.stdout


@pytest.mark.sqlite_only
def test_operator_commands_print_results_not_logs_and_create_no_database_by_mistake(tmp_path: Path) -> None:
    missing = _koordinat(tmp_path, "group", "list")  # no database yet (a mistyped KOORDINAT_DATABASE)
    assert missing.returncode == 1 and "no database at" in missing.stderr, missing.stderr
    assert not (tmp_path / "k.db").exists()

    created = _koordinat(tmp_path, "group", "create", "Test", "--city", "Kars")
    assert created.returncode == 0 and "INFO" not in created.stderr, created.stderr  # no migration log lines
    listed = _koordinat(tmp_path, "group", "list")
    assert "Test (Kars" in listed.stdout and listed.stderr == ""

    by_name = _koordinat(tmp_path, "export", "attendance", "Test", "--from", "2026-09-01", "--to", "2026-12-31")
    assert by_name.returncode == 0, by_name.stderr  # a group's name works as it does elsewhere
    by_city = _koordinat(tmp_path, "milestones", "load-template", "Kars", "2027")  # or its city, everywhere
    assert by_city.returncode == 0 and "Test" in by_city.stdout + by_city.stderr, by_city.stderr
    backwards = _koordinat(tmp_path, "export", "attendance", "Test", "--from", "2026-12-31", "--to", "2026-01-01")
    assert backwards.returncode == 2 and "is after --to" in backwards.stderr and backwards.stdout == ""


def test_a_usage_error_is_one_line_naming_the_help(tmp_path: Path) -> None:
    for args, what in ((("export", "attendance"), "the following arguments are required"),
                       (("frobnicate",), "invalid choice"),
                       (("survey", "target", "Kars", "I4", "--baseline-year", "iki bin"), "invalid int value")):
        refused = _koordinat(tmp_path, *args)
        lines = refused.stderr.strip().splitlines()
        assert refused.returncode == 2 and len(lines) == 1, refused.stderr
        assert lines[0].startswith("koordinat: ") and what in lines[0] and "--help`)" in lines[0], lines[0]


def test_the_command_line_removes_a_mistyped_target_year(tmp_path: Path) -> None:
    _koordinat(tmp_path, "group", "create", "Kadın Dostu Kent", "--city", "Kars")
    set_ = _koordinat(tmp_path, "survey", "target", "Kars", "I4", "--baseline", "400", "--baseline-year", "2024",
                      "--target", "2027=700", "--target", "2072=900")
    assert set_.returncode == 0 and "2072: 900" in set_.stdout, set_.stderr
    early = _koordinat(tmp_path, "survey", "target", "Kars", "I4", "--target", "2023=500")
    assert early.returncode == 2 and "before the baseline's year (2024)" in early.stderr, early.stderr
    fixed = _koordinat(tmp_path, "survey", "target", "Kars", "I4", "--target", "2072=-")
    assert fixed.returncode == 0 and "2072" not in fixed.stdout and "2027: 700" in fixed.stdout, fixed.stdout


@pytest.mark.parametrize("command", ["group", "export"])
def test_a_command_without_what_to_do_shows_its_own_usage(tmp_path: Path, command: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOORDINAT_")}
    env["KOORDINAT_DATABASE"] = str(tmp_path / "k.db")
    done = subprocess.run([sys.executable, "-m", "bot", command], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(f"usage: koordinat {command} ") and f"koordinat {command}: say what to do" in done.stderr
    assert "Koordinat working-group bot" not in done.stderr  # not the whole program's help
