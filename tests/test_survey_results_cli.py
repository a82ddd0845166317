"""The operator's survey commands, run as Mehmet would run them: exports, cross-city,
XLSForm import (refusals named by row) and export-form, each in a real subprocess."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl

from bot.models import Role
from bot.services.surveys import content
from bot.services.surveys.model import Answer
from bot.services.surveys.xlsform import read_xlsform
from storage import groups as groups_repo
from storage import members as members_repo
from storage import surveys as repo
from storage.db import Database
from tests.test_xlsform import KOBO_FORM, xlsform

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


def _koordinat(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOORDINAT_")}
    env["KOORDINAT_DATABASE"] = str(tmp_path / "k.db")
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=90)


async def _seed(path: Path) -> None:
    """Two cities answered the shipped `izleme` template; Kars has a target card for I4."""
    form = content.library().templates["izleme"]
    db = await Database.open(path)
    try:
        async with db.transaction() as tx:
            for city, values in (("Kars", (420, 380, 400)), ("İzmir", (900, 1000))):
                group = await groups_repo.create(tx, name=f"{city} grubu", city=city, language="tr",
                                                 timezone="Europe/Istanbul", now=NOW)
                form_id = await repo.save_form(tx, form, NOW, group_id=group.id)
                survey = await repo.create_survey(tx, group_id=group.id, form_id=form_id,
                                                  deadline=NOW + timedelta(days=10), anonymous=False,
                                                  created_by=None, now=NOW, template="izleme")
                numeric = next(q for q in form.questions if q.type == "integer")
                for index, value in enumerate(values):
                    member = await members_repo.create(tx, display_name=f"{city} üye {index}", language="tr",
                                                       channel="telegram", external_id=f"{city}{index}", now=NOW)
                    await members_repo.add_membership(tx, group.id, member.id, Role.MEMBER, NOW)
                    await repo.add_recipients(tx, survey, [member.id], NOW)
                    response = await repo.start_response(tx, survey, member.id, NOW)
                    await repo.save_answer(tx, response.id, Answer.of(numeric, value))
                    await repo.submit(tx, survey, response.id, member.id, NOW + timedelta(hours=index))
                if city == "Kars" and numeric.indicator:
                    await repo.set_baseline(tx, group.id, numeric.indicator, 300, 2024, NOW)
                    await repo.set_target(tx, group.id, numeric.indicator, 2026, 500, NOW)
    finally:
        await db.close()


def test_exports_of_one_survey_and_of_a_template_across_cities(tmp_path: Path) -> None:
    assert _koordinat(tmp_path, "migrate").returncode == 0
    asyncio.run(_seed(tmp_path / "k.db"))
    numeric = next(q for q in content.library().templates["izleme"].questions if q.type == "integer")

    xlsx = _koordinat(tmp_path, "export", "survey", "1", "--format", "xlsx")
    assert xlsx.returncode == 0, xlsx.stderr
    assert "3 response(s) written to survey-1-kars-grubu.xlsx" in xlsx.stdout
    book = openpyxl.load_workbook(tmp_path / "survey-1-kars-grubu.xlsx")
    assert book.sheetnames[1:] == ["Özet", "Plan-Gerçekleşme"]
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    column = rows[0].index(numeric.label["tr"])
    assert [row[column] for row in rows[1:]] == [420, 380, 400]
    plan = list(book["Plan-Gerçekleşme"].iter_rows(values_only=True))
    assert plan[1][0] == numeric.indicator and plan[1][6:9] == (400, 3, 50)  # (400-300)/(500-300)

    out = tmp_path / "out" / "kars.csv"
    out.parent.mkdir()
    as_csv = _koordinat(tmp_path, "export", "survey", "1", "--format", "csv", "--output", str(out),
                        "--language", "en")
    assert as_csv.returncode == 0, as_csv.stderr
    table = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig")), delimiter=";"))
    assert table[0][:2] == ["Respondent", "Submitted"] and len(table) == 4

    side_by_side = _koordinat(tmp_path, "export", "template", "izleme")
    assert side_by_side.returncode == 0, side_by_side.stderr
    assert "2 group(s) (Kars grubu, İzmir grubu)" in side_by_side.stdout
    comparison = openpyxl.load_workbook(tmp_path / "template-izleme.xlsx")["Karşılaştırma"]
    header = [cell.value for cell in comparison[1]]
    assert header[1] == "Kars grubu (Kars)" and header[3] == "İzmir grubu (İzmir)"
    means = next(row for row in comparison.iter_rows(values_only=True) if row[0] == numeric.label["tr"])
    assert means[1:5] == (400, 3, 950, 2)

    missing = _koordinat(tmp_path, "export", "survey", "99")
    assert missing.returncode == 1 and "no survey 99" in missing.stderr and "Traceback" not in missing.stderr


def test_xlsform_import_refusal_and_export_form(tmp_path: Path) -> None:
    assert _koordinat(tmp_path, "group", "create", "Kadın Dostu Kent", "--city", "Kars").returncode == 0
    (tmp_path / "kars.xlsx").write_bytes(KOBO_FORM)
    imported = _koordinat(tmp_path, "survey", "import", "kars.xlsx", "--group", "Kars")
    assert imported.returncode == 0, imported.stderr
    assert "template 'kars_izleme' (11 question(s)) imported for group 1 (Kadın Dostu Kent)" in imported.stdout

    (tmp_path / "bad.xlsx").write_bytes(xlsform([["integer", "a", "A"], ["time", "when", "Saat"]]))
    refused = _koordinat(tmp_path, "survey", "import", "bad.xlsx", "--group", "1")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "REFUSED  survey!3 A (type): the type 'time'" in refused.stderr and "not importable" in refused.stderr
    (tmp_path / "unknown.xlsx").write_bytes(xlsform([["integer", "a", "A", None, None, None, None, None, None, "I99"]]))
    unknown = _koordinat(tmp_path, "survey", "import", "unknown.xlsx", "--group", "1")
    assert unknown.returncode == 2 and "survey!2 J (bind::koordinat:indicator): unknown indicator 'I99'" \
        in unknown.stderr

    written = _koordinat(tmp_path, "survey", "export-form", "kars_izleme", "--group", "Kars")
    assert written.returncode == 0, written.stderr
    assert read_xlsform(tmp_path / "kars_izleme.xlsx").model_dump() == read_xlsform(KOBO_FORM).model_dump()
    shipped = _koordinat(tmp_path, "survey", "export-form", "izleme", "--output", "izleme-form.xlsx")
    assert shipped.returncode == 0, shipped.stderr
    assert read_xlsform(tmp_path / "izleme-form.xlsx").model_dump() == \
        content.library().templates["izleme"].model_dump()


def test_export_form_of_a_groups_own_template_names_the_group_and_keeps_its_language(tmp_path: Path) -> None:
    """The Kobo tutorial (English, plain `label` column) imported by a Turkish group: export-form
    without --group says which group has it and how to ask; the export calls English English."""
    assert _koordinat(tmp_path, "group", "create", "Kadın Dostu Kent", "--city", "Kars").returncode == 0
    tutorial = Path(__file__).parent / "files" / "xlsforms" / "kobo_tutorial.xls"
    imported = _koordinat(tmp_path, "survey", "import", str(tutorial), "--group", "Kars")
    assert imported.returncode == 0, imported.stderr
    code = read_xlsform(tutorial).code

    bare = _koordinat(tmp_path, "survey", "export-form", code)
    assert bare.returncode != 0 and "Traceback" not in bare.stderr
    assert "--group" in bare.stderr and f"export-form {code} --group 1" in bare.stderr
    assert "1 (Kadın Dostu Kent)" in bare.stderr
    nowhere = _koordinat(tmp_path, "survey", "export-form", "no_such_form")
    assert nowhere.returncode != 0 and "--group" in nowhere.stderr and "survey library" in nowhere.stderr

    written = _koordinat(tmp_path, "survey", "export-form", code, "--group", "Kars")
    assert written.returncode == 0, written.stderr
    book = openpyxl.load_workbook(tmp_path / f"{code}.xlsx")
    header = [cell.value for cell in book["survey"][1]]
    assert "label::English (en)" in header and not any("Turkish" in str(cell) for cell in header)
    settings = {cell.value: book["settings"][2][index].value for index, cell in enumerate(book["settings"][1])}
    assert settings["default_language"] == "English (en)"
    again = read_xlsform(tmp_path / f"{code}.xlsx")
    assert again.question("pizza_fan").label == {"en": "Do you like pizza?"}
