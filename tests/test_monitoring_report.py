"""The monitoring report end to end, as Zeynep (coordinator, Kars) lives it: two survey
rounds in 2027, the clock moved to July, `/rapor`, the reasons dialog (with a restart in the
middle), the Word and Excel files, adoption and re-download; the CLI in English."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
from docx import Document

from bot.services.surveys.model import Answer, SurveyForm
from storage import surveys as repo
from tests.harness import Harness
from tests.survey_results_e2e_support import kars_group, member_id

FORM = SurveyForm.model_validate({
    "code": "izleme-6ay", "title": {"tr": "Altı aylık izleme", "en": "Six-monthly monitoring"},
    "questions": [
        {"name": "creches", "type": "integer", "label": {"tr": "Kreş kontenjanı", "en": "Crèche places"},
         "indicator": "I4"},
        {"name": "centres", "type": "integer", "label": {"tr": "Danışma merkezi", "en": "Counselling centres"},
         "indicator": "I2"},
        {"name": "unit", "type": "yes_no", "label": {"tr": "Eşitlik birimi çalışıyor mu?", "en": "Equality unit?"},
         "indicator": "I8"},
    ]})
ROUND_1 = datetime(2027, 1, 20, 20, 59, tzinfo=UTC)   # the January round (reports on 2026)
ROUND_2 = datetime(2027, 7, 10, 20, 59, tzinfo=UTC)   # the July monitoring round (2027 H1)


async def _round(harness: Harness, group_id: int, people: list, deadline: datetime,
                 answers: list[dict[str, object]]) -> int:
    questions = {question.name: question for question in FORM.questions}
    ids = [await member_id(harness, person) for person in people]
    now = harness.clock.now()
    async with harness.services.db.transaction() as tx:
        form_id = await repo.save_form(tx, FORM, now, group_id=group_id)
        survey = await repo.create_survey(tx, group_id=group_id, form_id=form_id, deadline=deadline,
                                          anonymous=False, created_by=ids[0], now=now, template=FORM.code)
        await repo.add_recipients(tx, survey, ids, now)
        for member, values in zip(ids, answers, strict=False):
            response = await repo.start_response(tx, survey, member, now)
            for name, value in values.items():
                await repo.save_answer(tx, response.id, Answer.of(questions[name], value))
            await repo.submit(tx, survey, response.id, member, now)
    return survey.id


async def _seed(harness: Harness) -> tuple:
    zeynep, members, group_id = await kars_group(harness)
    async with harness.services.db.transaction() as tx:
        now = harness.clock.now()
        await repo.set_baseline(tx, group_id, "I4", 1000, 2024, now)
        await repo.set_target(tx, group_id, "I4", 2027, 1500, now)
        await repo.set_baseline(tx, group_id, "I2", 2, 2024, now)
        await repo.set_target(tx, group_id, "I2", 2027, 6, now)
        await repo.set_baseline(tx, group_id, "I8", 0, 2024, now)
        await repo.set_target(tx, group_id, "I8", 2027, 1, now)
    people = [zeynep, *members]
    await _round(harness, group_id, people, ROUND_1,
                 [{"creches": 1100, "centres": 2, "unit": False}] * 3)
    await _round(harness, group_id, people, ROUND_2,
                 [{"creches": 1400, "centres": 3, "unit": True}, {"creches": 1400, "centres": 3, "unit": True},
                  {"creches": 1380, "centres": 4, "unit": False}])
    return zeynep, members, group_id


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for table_row in table.rows:
            parts.extend(cell.text for cell in table_row.cells)
    return "\n".join(parts)


async def test_a_coordinator_gathers_reasons_and_adopts_the_july_report(harness: Harness) -> None:
    zeynep, (ayse, *_), group_id = await _seed(harness)
    harness.clock.advance(datetime(2027, 7, 15, 7, 0, tzinfo=UTC) - harness.clock.now())
    await harness.settle()

    periods = await harness.send(zeynep, "/rapor")
    assert "Kadın Dostu Kent" in (periods.text or "")
    assert "İzleme raporu — 2027 Ocak–Haziran" in periods.button_texts
    card = await harness.press(zeynep, periods, f"report:{group_id}:2027-H1")
    text = card.text or ""
    assert "İzleme raporu — 2027 Ocak–Haziran" in text
    # I4: (1400 − 1000) ÷ (1500 − 1000) = 80 % → at risk; I2: (3 − 2) ÷ (6 − 2) = 25 % → off track;
    # I8: yes reached → on track.
    assert "🟡 I4 Belediye kreş kapasitesi: 1.400 / 1.500 · %80" in text
    assert "🔴 I2" in text and "%25" in text and "🟢 I8" in text
    assert "Hedefte: 1 · Risk altında: 1 · Sapmış: 1 · Veri yok: 0" in text
    assert "2 göstergenin sapma nedeni eksik: I4, I2" in text and "Taslak" in text

    question = await harness.press(zeynep, card, f"report:{group_id}:2027-H1:reasons")
    assert "I4 Belediye kreş kapasitesi" in (question.text or "") and "(1/2)" in (question.text or "")
    too_long = await harness.send(zeynep, "x" * 600)
    assert "en fazla 500" in (too_long.text or "") and "Örnek" in (too_long.text or "")
    asked = await harness.send(zeynep, "İhale gecikti, iki kreş 2028'e kaldı.")
    assert "Grubun önerisi" in (asked.text or "")
    await harness.restart()  # the dialog is in the database: it goes on after a restart
    second = await harness.send(zeynep, "Ek ödenek konmalı")
    assert "I2" in (second.text or "") and "(2/2)" in (second.text or "")
    await harness.send(zeynep, "atla")
    done = await harness.send(zeynep, "atla")
    assert "Sapma nedenleri kaydedildi (1 gösterge)" in (done.text or "")
    card = await harness.next(zeynep)
    assert "1 göstergenin sapma nedeni eksik: I2" in (card.text or "")

    word = await harness.press(zeynep, card, f"report:{group_id}:2027-H1:docx")
    assert word.kind == "document" and word.document_name == "rapor-kars-2027-H1.docx"
    content = _docx_text(word.document_bytes or b"")
    assert "TASLAK" in content and "İhale gecikti, iki kreş 2028'e kaldı." in content
    assert "Ek ödenek konmalı" in content and "Belediye kreş kapasitesi" in content
    assert "1.000 (2024)" in content and "Risk altında" in content and "Hedeften sapmış" in content
    assert "Ayşe" not in content and "Fatma" not in content  # nobody is named
    document = Document(io.BytesIO(word.document_bytes or b""))
    assert len(document.inline_shapes) == 3  # one chart per indicator with a series

    sheet = await harness.press(zeynep, card, f"report:{group_id}:2027-H1:xlsx")
    book = openpyxl.load_workbook(io.BytesIO(sheet.document_bytes or b""))
    rows = list(book["Göstergeler"].iter_rows(values_only=True))
    i4 = next(r for r in rows if str(r[1]).startswith("I4"))
    assert i4[3:8] == (1000, 2024, 1500, 1400, 80)
    series = list(book["Seri"].iter_rows(values_only=True))
    assert [r[2] for r in series if r[0] == "I4"] == [1100, 1400]

    confirm = await harness.press(zeynep, card, f"report:{group_id}:2027-H1:adopt")
    adopted = await harness.press(zeynep, confirm, f"report:{group_id}:2027-H1:adopt_y")
    assert "kabul edildi olarak saklandı (15.07.2027)" in (adopted.text or "")
    assert "Kabul tarihi: 15.07.2027" in _docx_text(adopted.document_bytes or b"")

    harness.clock.advance(timedelta(days=40))
    again = await harness.send(zeynep, "/rapor 2027-H1")
    assert "15.07.2027 tarihinde kabul edildi" in (again.text or "")
    kept = await harness.press(zeynep, again, f"report:{group_id}:2027-H1:docx")
    assert "15.07.2027 tarihinde kabul edilen rapor" in (kept.text or "")
    assert kept.document_bytes == adopted.document_bytes

    # Members cannot; a forged group id gets the stale-button answer; a wrong period is explained
    refused = await harness.send(ayse, "/rapor")
    assert "koordinatör" in (refused.text or "").lower()
    wrong = await harness.send(zeynep, "/rapor 2027-H3")
    assert "Örnek: 2027-H1" in (wrong.text or "")


async def test_the_cli_writes_the_report_in_english(harness: Harness, tmp_path: Path) -> None:
    zeynep, _members, group_id = await _seed(harness)
    await harness.stop()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOORDINAT_")}  # (the PostgreSQL pass's map too)
    env.update({"KOORDINAT_DATABASE": str(harness.database),
                "KOORDINAT_NOW": "2027-07-20T10:00:00+03:00"})  # the CLI's clock, injected
    output = tmp_path / "report.docx"
    done = subprocess.run([sys.executable, "-m", "bot", "report", "Kars", "--period", "2027-H1", "--output",
                           str(output), "--language", "en"], capture_output=True, text=True, env=env, timeout=120,
                          cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, done.stderr
    text = _docx_text(output.read_bytes())
    assert "Monitoring report — January–June 2027" in text and "DRAFT" in text
    assert "Municipal childcare capacity" in text and "At risk" in text
    for turkish in ("Hedef", "Gösterge", "Taslak", "Ocak", "kreş"):
        assert turkish not in text, turkish
    wrong = subprocess.run([sys.executable, "-m", "bot", "report", "Kars", "--period", "2027-H9", "--output",
                            str(output)], capture_output=True, text=True, env=env, timeout=120,
                           cwd=Path(__file__).parent.parent)
    assert wrong.returncode == 2 and "examples: 2027-H1" in wrong.stderr and "Traceback" not in wrong.stderr
    await harness.start()


async def test_the_july_milestone_and_the_digest_say_how_many_reasons_are_missing(harness: Harness) -> None:
    zeynep, (ayse, *_), group_id = await _seed(harness)
    await harness.services.milestones.service.load_template(group_id, 2027)
    # To the day before the July monitoring's 14-days-before reminder, then a day at a time
    harness.clock.advance(datetime(2027, 6, 30, 7, 0, tzinfo=UTC) - harness.clock.now())
    await harness.restart()  # the bot was down since November: everything re-armed at start-up
    await harness.settle()
    for _ in range(16):  # 1–16 July, a day at a time
        harness.clock.advance(timedelta(days=1))
        await harness.settle()
    reminders = [m for m in harness.server.messages(zeynep.user)
                 if "altı aylık izleme" in (m.text or "") and "Hatırlatma" in (m.text or "")]
    assert len(reminders) >= 2, "no reminders of the July monitoring milestone"
    # Before the July round closed (10 July) nothing is missing yet; after it, two reasons are
    assert "sapma nedeni eksik" not in (reminders[0].text or "")
    assert "Rapor için 2 göstergenin sapma nedeni eksik: /rapor" in (reminders[-1].text or "")
    member_view = [m for m in harness.server.messages(ayse.user) if "sapma nedeni" in (m.text or "")]
    assert member_view == []  # members are not told about the coordinators' report

    # The Monday digest (09:00 Istanbul) in July lists it, with the button that opens the dialog
    monday = datetime(2027, 7, 19, 6, 0, tzinfo=UTC)
    await harness.advance(monday - timedelta(days=1) - harness.clock.now())
    await harness.settle()  # the missed slot of 5 July is dropped, the 12th's armed
    await harness.advance(timedelta(days=1, minutes=1))
    digest = await harness.next_containing(zeynep, "İzleme raporu — 2027 Ocak–Haziran: 2 göstergenin sapma nedeni eksik")
    await harness.server.press_button(zeynep.user, digest, f"report:{group_id}:2027-H1:reasons")
    await harness.next_containing(zeynep, "(1/2)")


async def test_the_word_file_opens_in_libreoffice_with_nothing_cut(harness: Harness, tmp_path: Path) -> None:
    """Where LibreOffice is installed: the .docx converts to PDF, fits a few landscape pages,
    and every reason typed (long ones too) is there whole."""
    import shutil

    import pytest

    office, totext = shutil.which("soffice") or shutil.which("libreoffice"), shutil.which("pdftotext")
    if office is None or totext is None:
        pytest.skip("LibreOffice or pdftotext is not installed")
    zeynep, _members, group_id = await _seed(harness)
    long_reason = ("Kreş binası için ihale iki kez iptal edildi; yer tahsisi Haziran'da yapıldı. "
                   "Ödenek ikinci yarıya kaldı, bu yüzden açılış Eylül'e ertelendi.")
    async with harness.services.db.transaction() as tx:
        from storage import monitoring as monitoring_repo
        await monitoring_repo.save_reason(tx, group_id, "I4", "2027-H1", field="reason", text=long_reason,
                                          now=harness.clock.now())
    monitoring = harness.services.extras["monitoring"]
    from bot.services.monitoring import Period
    data = await monitoring.data(group_id, Period(2027, 1))
    document = tmp_path / "rapor.docx"
    document.write_bytes(await monitoring.docx(data, "tr"))
    done = subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(document)],
                          capture_output=True, text=True, timeout=180,
                          env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    pdf = tmp_path / "rapor.pdf"
    text = subprocess.run([totext, str(pdf), "-"], capture_output=True, text=True, timeout=60).stdout
    pages = text.count("\f") + (0 if text.endswith("\f") else 1)
    assert 2 <= pages <= 6, pages
    words = text.split()
    for word in long_reason.split():  # every word of the reason is on a page: nothing is cut
        assert word in words, word
    flat = " ".join(words)
    for phrase in ("Risk altında", "İzleme raporu — 2027 Ocak–Haziran", "Kadın Dostu Kent"):
        assert phrase in flat, phrase


async def test_a_coordinator_asks_the_group_and_takes_its_answers_as_the_reason(harness: Harness) -> None:
    zeynep, (ayse, *_), group_id = await _seed(harness)
    harness.clock.advance(datetime(2027, 7, 15, 7, 0, tzinfo=UTC) - harness.clock.now())
    await harness.settle()
    card = await harness.send(zeynep, "/rapor 2027-H1")
    question = await harness.press(zeynep, card, f"report:{group_id}:2027-H1:reasons")
    assert "🗳 Gruba sor" in question.button_texts and "⏭ Atla" in question.button_texts
    asked = await harness.press(zeynep, question, "reasons:ask")
    assert "Soru gruba gönderildi" in (asked.text or "")
    await harness.next_containing(zeynep, "(1/2)")  # the same question: she can still type a reason herself

    invitation = await harness.next_containing(ayse, "Sapma nedeni: I4 Belediye kreş kapasitesi")
    asked_ayse = await harness.press(ayse, invitation, invitation.buttons[0][0].callback_data)
    if "I4" not in (asked_ayse.text or ""):  # an intro first, then the question
        asked_ayse = await harness.next_containing(ayse, "Sizce nedeni nedir")
    summary = await harness.send(ayse, "İhale iptal oldu, yer bulunamadı")
    if "Gönder" not in " ".join(summary.button_texts):
        summary = await harness.next(ayse)
    await harness.press(ayse, summary, "📤 Gönder")

    # Later she opens the dialog again: the group's answer is shown, one tap takes it
    await harness.server.send_text(zeynep.user, "/rapor 2027-H1")
    card = await harness.next_containing(zeynep, "📑 İzleme raporu")
    question = await harness.press(zeynep, card, f"report:{group_id}:2027-H1:reasons")
    assert "Gruptan gelenler: «İhale iptal oldu, yer bulunamadı»" in (question.text or "")
    taken = await harness.press(zeynep, question, "reasons:take")
    assert "Grubun önerisi" in (taken.text or "")
    await harness.press(zeynep, taken, "reasons:skip")
    async with harness.services.db.read() as conn:
        from storage import monitoring as monitoring_repo
        reasons = await monitoring_repo.reasons(conn, group_id, "2027-H1")
    assert reasons["I4"].reason == "İhale iptal oldu, yer bulunamadı"


async def test_the_january_round_makes_the_yearly_evaluation_report(harness: Harness) -> None:
    zeynep, members, group_id = await _seed(harness)
    await _round(harness, group_id, [zeynep, *members], datetime(2028, 1, 20, 20, 59, tzinfo=UTC),
                 [{"creches": 1500, "centres": 5, "unit": True}] * 3)
    harness.clock.advance(datetime(2028, 2, 3, 7, 0, tzinfo=UTC) - harness.clock.now())
    await harness.settle()
    await harness.server.send_text(zeynep.user, "/rapor")
    periods = await harness.next_containing(zeynep, "hangi dönemin raporu")
    assert periods.button_texts[:2] == ["Değerlendirme raporu — 2027 yılı", "İzleme raporu — 2027 Temmuz–Aralık"]
    card = await harness.press(zeynep, periods, f"report:{group_id}:2027")
    text = card.text or ""
    # I4 1500 = its target (100 %), I2 (5 − 2) ÷ (6 − 2) = 75 % at risk, I8 yes
    assert "🟢 I4 Belediye kreş kapasitesi: 1.500 / 1.500 · %100" in text and "🟡 I2" in text and "%75" in text
    assert "1 göstergenin sapma nedeni eksik: I2" in text
    confirm = await harness.press(zeynep, card, f"report:{group_id}:2027:adopt")
    adopted = await harness.press(zeynep, confirm, f"report:{group_id}:2027:adopt_y")
    content = _docx_text(adopted.document_bytes or b"")
    assert "Değerlendirme raporu — 2027 yılı" in content and "Kabul tarihi: 03.02.2028" in content
    assert "TASLAK" not in content
    sheet = await harness.press(zeynep, card, f"report:{group_id}:2027:xlsx")
    series = list(openpyxl.load_workbook(io.BytesIO(sheet.document_bytes or b""))["Seri"].iter_rows(values_only=True))
    assert [r[2] for r in series if r[0] == "I4"] == [1100, 1400, 1500]  # every round up to the report


async def test_a_group_that_shares_its_figures_is_compared_side_by_side(harness: Harness) -> None:
    from tests.survey_results_e2e_support import new_group

    zeynep, members, kars = await _seed(harness)
    leyla, izmir_people, izmir = await new_group(harness, "Eşitlik İzleme", "İzmir", "Leyla", "Nur", "Derya")
    await _round(harness, izmir, [leyla, *izmir_people], ROUND_2, [{"creches": 900, "centres": 4, "unit": True}] * 3)
    harness.clock.advance(datetime(2027, 7, 15, 7, 0, tzinfo=UTC) - harness.clock.now())
    card = await harness.send(zeynep, "/rapor 2027-H1")
    assert "🏙" not in " ".join(card.button_texts)  # İzmir shares nothing yet: one group, nothing to compare

    await harness.services.extras["monitoring"].set_sharing(izmir, True)
    card = await harness.send(zeynep, "/rapor 2027-H1")
    compared = await harness.press(zeynep, card, f"report:{kars}:2027-H1:cmp")
    rows = list(openpyxl.load_workbook(io.BytesIO(compared.document_bytes or b"")).worksheets[0].iter_rows(values_only=True))
    cities = {row[1] for row in rows[1:]}
    assert cities == {"Kars", "İzmir"}
    assert not any(name in str(row) for row in rows for name in ("Ayşe", "Nur", "Derya", "Leyla"))  # figures only
    refused = await harness.send(members[0], "/rapor")
    assert "koordinatör" in (refused.text or "").lower()


async def test_the_comparison_reuses_the_reports_just_built_for_its_period_only(harness: Harness) -> None:
    from bot.services.monitoring.periods import Period
    from tests.survey_results_e2e_support import new_group

    _, _, kars = await _seed(harness)
    leyla, izmir_people, izmir = await new_group(harness, "Eşitlik İzleme", "İzmir", "Leyla", "Nur", "Derya")
    await _round(harness, izmir, [leyla, *izmir_people], ROUND_2, [{"creches": 900, "centres": 4, "unit": True}] * 3)
    harness.clock.advance(datetime(2027, 7, 15, 7, 0, tzinfo=UTC) - harness.clock.now())
    monitoring = harness.services.extras["monitoring"]
    half, year = Period.parse("2027-H1"), Period.parse("2026")

    def rows(content: bytes) -> list[tuple]:
        return list(openpyxl.load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))

    fresh = rows(await monitoring.comparison([kars, izmir], half, "tr"))
    built = {kars: await monitoring.data(kars, half), izmir: await monitoring.data(izmir, half)}
    assert rows(await monitoring.comparison([kars, izmir], half, "tr", reports=built)) == fresh
    # a report of another period is not taken for this one: read afresh
    other = {kars: await monitoring.data(kars, year)}
    assert rows(await monitoring.comparison([kars, izmir], half, "tr", reports=other)) == fresh
    assert other[kars].rows != built[kars].rows  # (else the line above could not fail)
