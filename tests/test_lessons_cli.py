"""`koordinat export lessons GROUP` and `koordinat lessons list|check|import`, run as an operator
runs them (a subprocess), on a real SQLite file."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import openpyxl

from bot.models import Role
from storage import lessons as lessons_repo
from storage import members as members_repo
from storage.db import Database
from storage.lessons import Progress

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "bot/content/lessons/06-monitoring.toml"
NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


def in_process(tmp_path: Path, monkeypatch, capsys, *args: str, **env_extra: str):  # type: ignore[no-untyped-def]
    """The same command in this process (fast): (exit status, stdout, stderr)."""
    from bot.__main__ import main

    for key in [k for k in os.environ if k.startswith("KOORDINAT_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("KOORDINAT_DATABASE", str(tmp_path / "k.db"))
    for key, value in env_extra.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    status = main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def koordinat(tmp_path: Path, *args: str, **env_extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOORDINAT_")}
    path = os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH", ""), str(ROOT)]))  # (the PostgreSQL map first)
    env.update(KOORDINAT_DATABASE=str(tmp_path / "k.db"), PYTHONPATH=path, **env_extra)
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)


SEEDED = (("Ayşe", "monitoring", 3), ("=Emma", "monitoring", 1), ("Zehra", None, 0))


async def _seed(database: Path, people: tuple[tuple[str, str | None, int | None], ...] = SEEDED,
                role: Role = Role.MEMBER, first: int = 1) -> None:
    """Members with a finished monitoring quiz (`correct` of 3), one in her first attempt
    (`correct` None: step 5, no score yet) or none (`slug` None)."""
    db = await Database.open(database)
    try:
        async with db.transaction() as tx:
            for number, (name, slug, correct) in enumerate(people, start=first):
                member = await members_repo.create(tx, display_name=name, language="tr", channel="telegram",
                                                   external_id=str(number), now=NOW)
                await members_repo.add_membership(tx, 1, member.id, role, NOW)
                if slug and correct is None:
                    await lessons_repo.save(tx, Progress(member.id, slug, step=5), NOW)
                elif slug:
                    score = round(100 * correct / 3, 1)
                    await lessons_repo.save(tx, Progress(member.id, slug, step=7, correct=correct, attempts=1,
                                                         last_score=score, best_score=score,
                                                         passed_at=NOW if correct >= 2 else None), NOW)
    finally:
        await db.close()


def test_export_lessons_names_who_completed_and_never_scores(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    assert in_process(tmp_path, monkeypatch, capsys, "group", "create", "Kadın Dostu Kent", "--city", "Kars")[0] == 0
    asyncio.run(_seed(tmp_path / "k.db"))
    done = koordinat(tmp_path, "export", "lessons", "Kadın Dostu Kent", "--output", "out.xlsx")
    assert done.returncode == 0, done.stderr
    assert "written to out.xlsx" in done.stdout
    book = openpyxl.load_workbook(tmp_path / "out.xlsx")
    lessons, people = book.worksheets
    rows = {row[0]: row for row in lessons.iter_rows(min_row=2, values_only=True)}
    monitoring = rows["İzleme ve değerlendirme: gerçekleşme oranı"]
    # passed, started, quiz takers, average (two takers: not shown, it would give away scores), members
    assert monitoring[2:7] == (1, 2, 2, "testi 3 üyeden az çözdü, ortalama gösterilmez", 3)
    assert "koordinatörler hariç" in lessons.cell(1, 7).value
    assert "SBB" in monitoring[1]
    header = [cell.value for cell in people[1]]
    column = header.index("İzleme")
    marks = {row[0]: row[column] for row in people.iter_rows(min_row=2, values_only=True)}
    assert marks == {"Ayşe": "✓", "=Emma": None, "Zehra": None}  # a name is text, never a formula
    assert not any(isinstance(value, float) for row in people.iter_rows(values_only=True) for value in row)

    status, _, err = in_process(tmp_path, monkeypatch, capsys, "export", "lessons", "Yok")
    assert status == 1 and "koordinat: no group" in err


def test_check_and_import_a_groups_own_lesson(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    own = SHIPPED.read_text(encoding="utf-8").replace('slug = "monitoring"', 'slug = "kars-winter"')
    (tmp_path / "own.toml").write_text(own, encoding="utf-8")
    broken = own.replace('{ tr = "Hiçbir şey", en = "Nothing" }', '{ tr = "Hiçbir şey", en = "Nothing", right = true }')
    (tmp_path / "broken.toml").write_text(broken, encoding="utf-8")

    checked = koordinat(tmp_path, "lessons", "check", "broken.toml")  # a real process: no traceback
    assert checked.returncode == 2
    assert checked.stderr.startswith("koordinat: broken.toml:") and "quiz.2: " in checked.stderr
    assert "exactly one choice" in checked.stderr and "Traceback" not in checked.stderr

    run = lambda *args, **env: in_process(tmp_path, monkeypatch, capsys, *args, **env)  # noqa: E731
    status, _, err = run("lessons", "import", "own.toml")
    assert status == 2 and "KOORDINAT_LESSONS_DIR" in err
    status, out, _ = run("lessons", "import", "own.toml", KOORDINAT_LESSONS_DIR="mine")
    assert status == 0 and (tmp_path / "mine/kars-winter.toml").exists()
    status, out, _ = run("lessons", "list", KOORDINAT_LESSONS_DIR="mine")
    assert "kars-winter" in out and "strategic-plan" in out
    status, _, err = run("lessons", "import", str(SHIPPED), KOORDINAT_LESSONS_DIR="mine")
    assert status == 2 and "already a lesson" in err


def test_export_lessons_average_from_three_finished_quizzes_without_coordinators(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    assert in_process(tmp_path, monkeypatch, capsys, "group", "create", "Kadın Dostu Kent", "--city", "Kars")[0] == 0
    # Three finished quizzes (100, 33.3, 66.7), one first attempt in progress (no score), and a
    # coordinator who passed with 100%: she is not a member in the counts.
    asyncio.run(_seed(tmp_path / "k.db", (*SEEDED[:2], ("Zehra", "monitoring", 2), ("Defne", "monitoring", None))))
    asyncio.run(_seed(tmp_path / "k.db", (("Leyla", "monitoring", 3),), role=Role.COORDINATOR, first=10))
    done = koordinat(tmp_path, "export", "lessons", "Kadın Dostu Kent", "--output", "les.XLSX")
    assert done.returncode == 0, done.stderr
    lessons, people = openpyxl.load_workbook(tmp_path / "les.XLSX").worksheets
    rows = {row[0]: row for row in lessons.iter_rows(min_row=2, values_only=True)}
    assert rows["İzleme ve değerlendirme: gerçekleşme oranı"][2:7] == (2, 4, 3, 66.7, 4)
    names = [row[0] for row in people.iter_rows(min_row=2, values_only=True)]
    assert "Leyla" not in names and sorted(names) == ["=Emma", "Ayşe", "Defne", "Zehra"]


def test_export_lessons_refuses_an_output_that_is_not_xlsx(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    assert in_process(tmp_path, monkeypatch, capsys, "group", "create", "Kadın Dostu Kent", "--city", "Kars")[0] == 0
    refused = koordinat(tmp_path, "export", "lessons", "Kadın Dostu Kent", "--output", "les.csv")
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.strip().splitlines() == [
        "koordinat: --output les.csv: the file must end in .xlsx (example: --output dersler.xlsx)"]
    assert not (tmp_path / "les.csv").exists()
    for output in ("les", "yok/les.xlsx"):
        status, out, err = in_process(tmp_path, monkeypatch, capsys, "export", "lessons", "Kadın Dostu Kent",
                                      "--output", output)
        assert status == 2 and len(err.strip().splitlines()) == 1 and "--output" in err and "Traceback" not in err
    (tmp_path / "dir.xlsx").mkdir()
    status, _, err = in_process(tmp_path, monkeypatch, capsys, "export", "lessons", "Kadın Dostu Kent",
                                "--output", "dir.xlsx")
    assert status == 2 and "not a file in an existing folder" in err


def test_import_into_a_folder_that_cannot_be_made_is_one_line(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    own = SHIPPED.read_text(encoding="utf-8").replace('slug = "monitoring"', 'slug = "kars-winter"')
    (tmp_path / "own.toml").write_text(own, encoding="utf-8")
    (tmp_path / "taken").write_text("a file, not a folder", encoding="utf-8")
    status, _, err = in_process(tmp_path, monkeypatch, capsys, "lessons", "import", "own.toml",
                                KOORDINAT_LESSONS_DIR="taken/mine")
    assert status == 2 and len(err.strip().splitlines()) == 1 and "KOORDINAT_LESSONS_DIR" in err, err
