"""Attendance and RSVP exports (issue 10, item 20): CSV and XLSX per meeting from the chat, and
per period from `koordinat export attendance GROUP --from --to`."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import openpyxl

from tests.harness import Harness
from tests.meetings_support import announce, group_with, notice


async def _a_held_meeting_with_answers_and_attendance(harness: Harness):  # type: ignore[no-untyped-def]
    zeynep, (ayse, fatma) = await group_with(harness, ("Ayşe", "tr"), ("Fatma", "tr"))
    await announce(harness, zeynep, title="Kasım toplantısı", when="25.11.2026 14:00", agenda=None)
    for person, label in ((ayse, "✅ Katılıyorum"), (fatma, "❌ Katılamıyorum")):
        invitation = await notice(harness, person)
        await harness.server.press_button(person.user, invitation, label)
        await harness.server.wait_for_edit(invitation, lambda m: "Yanıtınız" in (m.text or ""))
    await harness.advance(timedelta(hours=6))
    overview = await harness.send(zeynep, "/toplantilar")
    sheet = await harness.press(zeynep, overview, "📝 Yoklama")
    await harness.server.press_button(zeynep.user, sheet, "⬜ Ayşe (✅)")
    await harness.server.wait_for_edit(sheet, lambda m: "yoklama: 1/3" in (m.text or ""))
    return zeynep, overview


async def test_a_coordinator_downloads_one_meetings_answers_and_attendance(harness: Harness) -> None:
    zeynep, overview = await _a_held_meeting_with_answers_and_attendance(harness)
    file = await harness.press(zeynep, overview, "📤 CSV")
    assert file.document_name == "katilim-1-20261125.csv" and "Kasım toplantısı" in (file.text or "")
    assert file.document_bytes.startswith("\ufeff".encode())  # BOM: Excel reads UTF-8
    rows = list(csv.reader(io.StringIO(file.document_bytes.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Üye", "Kasım toplantısı", "Geldi (yoklama alınan)", "Yanıtladı"]
    assert rows[1][1] == "Çarşamba, 25.11.2026 14:00"
    assert rows[2:] == [["Ayşe", "✓ geldi · evet", "1/1", "1/1"], ["Fatma", "✗ gelmedi · hayır", "0/1", "1/1"],
                        ["Zeynep", "✗ gelmedi · yanıt yok", "0/1", "0/1"]]

    workbook = await harness.press(zeynep, overview, "📊 XLSX")
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.document_bytes)).active
    assert [cell.value for cell in sheet[3]] == ["Ayşe", "✓ geldi · evet", "1/1", "1/1"]


async def test_the_operator_exports_a_period_from_the_command_line(harness: Harness, tmp_path: Path) -> None:
    await _a_held_meeting_with_answers_and_attendance(harness)
    await harness.stop()  # one process owns a database
    env = {key: value for key, value in os.environ.items() if not key.startswith("KOORDINAT_")}
    env["KOORDINAT_DATABASE"] = str(harness.database)
    target = tmp_path / "kars.xlsx"
    done = subprocess.run([sys.executable, "-m", "bot", "export", "attendance", "1", "--from", "2026-11-01",
                           "--to", "2026-11-30", "--output", str(target)], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "1 meeting(s)" in done.stderr
    rows = [[cell.value for cell in row] for row in openpyxl.load_workbook(target).active.iter_rows()]
    assert rows[0][:2] == ["Üye", "Kasım toplantısı"] and rows[2][:2] == ["Ayşe", "✓ geldi · evet"]

    empty = subprocess.run([sys.executable, "-m", "bot", "export", "attendance", "1", "--from", "2026-12-01",
                            "--to", "2026-12-31"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert empty.returncode == 0 and empty.stdout.splitlines()[0] == "Üye;Geldi (yoklama alınan);Yanıtladı"
    wrong = subprocess.run([sys.executable, "-m", "bot", "export", "attendance", "1", "--from", "1 Kasım",
                            "--to", "2026-12-31"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert wrong.returncode == 2 and "2026-09-01" in wrong.stderr
