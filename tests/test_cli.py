"""The operator's command line, run as Mehmet would run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


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
