"""The CLI checks what it is given (issue 8, item 18), run as Mehmet runs it."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _koordinat(cwd: Path, *args: str, database: Path | None = None, **env_extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOORDINAT_")}
    env["KOORDINAT_DATABASE"] = str(database or cwd / "k.db")
    env.update(env_extra)
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=90)


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip() and " INFO " not in line]
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_a_misspelt_time_zone_gets_the_same_line_as_the_environment_variable(tmp_path: Path) -> None:
    cli = _koordinat(tmp_path, "group", "create", "Kadın Dostu Kent", "--city", "Kars", "--timezone", "Europe/Istanbull")
    env = _koordinat(tmp_path, "group", "list", KOORDINAT_TIMEZONE="Europe/Istanbull")
    assert cli.returncode == env.returncode == 2
    expected = "unknown time zone 'Europe/Istanbull' (example: Europe/Istanbul)"
    assert _one_line(cli) == f"koordinat: configuration error: --timezone: {expected}"
    assert _one_line(env) == f"koordinat: configuration error: KOORDINAT_TIMEZONE: {expected}"
    assert not (tmp_path / "k.db").exists() or "Kadın" not in _koordinat(tmp_path, "group", "list").stdout


def test_a_second_group_with_the_same_name_and_city_needs_force(tmp_path: Path) -> None:
    assert _koordinat(tmp_path, "group", "create", "Kadın Dostu Kent", "--city", "Kars").returncode == 0
    again = _koordinat(tmp_path, "group", "create", "KADIN DOSTU KENT ", "--city", "kars")
    assert again.returncode == 1
    line = _one_line(again)
    assert "already exists (id 1)" in line and "--force" in line
    assert _koordinat(tmp_path, "group", "create", "Kadın Dostu Kent", "--city", "Kars", "--force").returncode == 0
    assert _koordinat(tmp_path, "group", "create", "Kadın Dostu Kent", "--city", "İzmir").returncode == 0
    listing = _koordinat(tmp_path, "group", "list").stdout
    assert listing.count("Kadın Dostu Kent (Kars") == 2 and "Kadın Dostu Kent (İzmir" in listing
    blank = _koordinat(tmp_path, "group", "create", "\u200b", "--city", "Kars")
    assert blank.returncode == 2 and "visible characters" in _one_line(blank)


@pytest.mark.sqlite_only
def test_backup_of_a_missing_database_says_so(tmp_path: Path) -> None:
    result = _koordinat(tmp_path, "backup", str(tmp_path / "b.db"), database=tmp_path / "nowhere.db")
    assert result.returncode == 1
    assert "no database at" in _one_line(result) and "nowhere.db" in result.stderr
    assert not (tmp_path / "b.db").exists() and not (tmp_path / "nowhere.db").exists()


@pytest.mark.sqlite_only
def test_a_database_path_with_hash_and_question_mark_backs_up_completely(tmp_path: Path) -> None:
    folder = tmp_path / "kars #1 ?yedek"
    folder.mkdir()
    database = folder / "k#1?.db"
    created = _koordinat(tmp_path, "group", "create", "Kadın Dostu Kent", "--city", "Kars", database=database)
    assert created.returncode == 0, created.stderr
    target = tmp_path / "out" / "backup #2.db"
    result = _koordinat(tmp_path, "backup", str(target), database=database)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT name, city FROM groups").fetchall() == [("Kadın Dostu Kent", "Kars")]


@pytest.mark.sqlite_only
def test_invite_issues_a_fresh_coordinator_or_member_link(tmp_path: Path) -> None:
    first = json.loads(_koordinat(tmp_path, "group", "create", "Kadın Dostu Kent", "--city", "Kars", "--json").stdout)
    fresh = _koordinat(tmp_path, "invite", "1", "--coordinator", "--json")
    assert fresh.returncode == 0, fresh.stderr
    data = json.loads(fresh.stdout)
    assert data["role"] == "coordinator" and data["max_uses"] == 3
    assert data["invite"].startswith("https://t.me/koordinat_bot?start=") and data["code"] != first["coordinator_code"]
    by_name = _koordinat(tmp_path, "invite", "kadın dostu kent")
    assert by_name.returncode == 0 and "member invite: https://t.me/koordinat_bot?start=" in by_name.stdout
    assert "valid until" in by_name.stdout
    with sqlite3.connect(tmp_path / "k.db") as conn:
        roles = [row[0] for row in conn.execute("SELECT role FROM invites ORDER BY rowid")]
    assert roles == ["coordinator", "member", "coordinator", "member"]
    missing = _koordinat(tmp_path, "invite", "Yok Böyle Grup", "--coordinator")
    assert missing.returncode == 1 and "no group" in _one_line(missing)
