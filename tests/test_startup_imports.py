"""Start-up stays light (issue 24): `koordinat --help`, every command's parser, the one-off
commands and the bot's own start path import no heavy library. Heavy libraries are imported by
the function that uses them (an export, a chart, a typed date, a QR code…).

Asserted on what a real subprocess imported (`python -X importtime`), never on wall time: the
machine running the tests may be busy; the time itself is measured by
benchmarks/cli_startup.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Imported only where used; each costs 10–140 ms and up to 24 MB at start-up.
HEAVY = ("openpyxl", "numpy", "docx", "lxml", "holidays", "icalendar", "dateparser", "matplotlib",
         "xlsxwriter", "segno", "rapidfuzz", "yaml", "PIL", "pyxform", "phonenumbers", "regex")
# Not needed to print help or a usage error: the platform, the database, the services.
NOT_FOR_HELP = HEAVY + ("asyncio", "telegram", "httpx", "httpcore", "aiosqlite", "apscheduler", "pydantic_settings",
                        "bot.services", "handlers", "storage")


def _imported(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run `python -X importtime <args>` from the repository's code; the modules it imported."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOORDINAT_")}
    env["KOORDINAT_DATABASE"] = str(tmp_path / "k.db")
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run([sys.executable, "-X", "importtime", *args], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    modules = {line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines()
               if line.startswith("import time:") and "|" in line}
    return result, modules


def _tops(modules: set[str], banned: tuple[str, ...]) -> list[str]:
    return sorted(name for name in modules for ban in banned if name == ban or name.startswith(ban + "."))


@pytest.mark.parametrize("argv", [["--help"], ["survey", "--help"], ["export", "--help"],
                                  ["export", "survey", "--help"], ["milestones", "load-template", "--help"],
                                  ["group", "create", "--help"], ["no-such-command"]])
def test_help_and_usage_errors_import_no_feature_or_heavy_module(tmp_path: Path, argv: list[str]) -> None:
    result, modules = _imported(tmp_path, "-m", "bot", *argv)
    assert result.returncode in (0, 2), result.stderr[-2000:]
    assert "usage: koordinat" in result.stdout or "koordinat:" in result.stderr
    assert "bot.cli" in modules  # the probe sees the CLI's imports at all
    assert _tops(modules, NOT_FOR_HELP) == []


def test_one_off_commands_and_the_services_import_no_heavy_library(tmp_path: Path) -> None:
    migrated, _ = _imported(tmp_path, "-m", "bot", "migrate")
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    result, modules = _imported(tmp_path, "-m", "bot", "group", "list")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "bot.services" in modules
    assert _tops(modules, HEAVY) == []


# What the one-off commands that need no feature must not load: every feature (`build_services`
# in bot/services/wiring.py imports them all), the chat platform, pydantic-settings and babel.
NOT_FOR_LIGHT_COMMANDS = HEAVY + ("bot.services.wiring", "bot.services.conversation", "bot.services.meetings",
                                  "bot.services.surveys.service", "bot.services.coplanning", "telegram", "httpx",
                                  "apscheduler", "pydantic_settings", "babel", "starlette")
LIGHT_COMMANDS = [["migrate"], ["backup", "copy.db"], ["group", "list"], ["group", "quiet", "1"],
                  ["group", "quiet", "1", "22:00-07:00"], ["invite", "1"], ["invite", "1", "--json"],
                  ["group", "whatsapp", "1", "off"], ["group", "share-proposals", "1", "on"],
                  ["quarantine", "list"], ["lessons", "list"], ["survey", "library"]]


def test_light_commands_build_no_feature_they_do_not_use(tmp_path: Path) -> None:
    """Each command that needs no feature imports none (the composition of every feature
    costs most of a command's start-up) — and still does its work on a real database."""
    created, modules = _imported(tmp_path, "-m", "bot", "group", "create", "Kadın Dostu Kent", "--city", "Kars")
    assert created.returncode == 0, created.stderr[-2000:]
    assert "member invite:" in created.stdout
    assert _tops(modules, NOT_FOR_LIGHT_COMMANDS) == []
    for argv in LIGHT_COMMANDS:
        result, modules = _imported(tmp_path, "-m", "bot", *argv)
        assert result.returncode == 0, (argv, result.stderr[-2000:])
        assert _tops(modules, NOT_FOR_LIGHT_COMMANDS) == [], argv
    listed, _ = _imported(tmp_path, "-m", "bot", "group", "list")
    assert "Kadın Dostu Kent (Kars, tr)" in listed.stdout
    quiet, _ = _imported(tmp_path, "-m", "bot", "group", "quiet", "1")
    assert "quiet hours 22:00" in quiet.stdout


def test_a_feature_command_still_gets_every_feature_wired(tmp_path: Path) -> None:
    """`group rounds` needs co-planning: the whole `Services` is built (as the running bot's)."""
    assert _imported(tmp_path, "-m", "bot", "group", "create", "Kent", "--city", "Kars")[0].returncode == 0
    result, modules = _imported(tmp_path, "-m", "bot", "group", "rounds")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "no proposal rounds" in result.stdout
    assert "bot.services.wiring" in modules
    assert _tops(modules, HEAVY) == []


def test_the_bot_s_start_path_imports_no_heavy_library(tmp_path: Path) -> None:
    """Everything `koordinat run` imports before its first update: the composition root, the
    services and the Telegram adapter (the WhatsApp adapter only loads when configured)."""
    result, modules = _imported(tmp_path, "-c", "import bot.__main__, bot.services, handlers.telegram, "
                                                "handlers.telegram.inbound, handlers.telegram.webhook")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "handlers.telegram" in modules
    assert _tops(modules, HEAVY) == []


def test_the_polling_start_path_leaves_babel_and_the_web_server_for_later(tmp_path: Path) -> None:
    """Before its first reply a polling bot needs neither babel's locale data (dates are
    formatted through bot/lazy_babel.py) nor starlette (webhook mode only)."""
    result, modules = _imported(tmp_path, "-c", "import bot.__main__, bot.cli, bot.services.wiring, handlers.telegram, "
                                                "handlers.telegram.inbound")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "bot.services.wiring" in modules
    assert _tops(modules, ("babel", "starlette", "pydantic_settings")) == []


def test_the_heavy_libraries_still_load_where_they_are_used(tmp_path: Path) -> None:
    """The exports import their library on first use (a lazy import that is never reached
    in tests would hide a typo until a coordinator asks for a file)."""
    code = ("from bot.services.meetings.export import to_xlsx\n"
            "from bot.services.milestones.workdays import holiday_name\n"
            "from bot.services.coplanning.similarity import similar\n"
            "import datetime, sys\n"
            "assert holiday_name(datetime.date(2027, 4, 23))\n"
            "assert similar(('Kadın sığınma evi', ''), [(1, ('kadin siginma evi', ''))])[0][0] == 1\n"
            "print(sorted(m for m in ('holidays', 'rapidfuzz') if m in sys.modules))\n")
    result, _ = _imported(tmp_path, "-c", code)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "['holidays', 'rapidfuzz']"
