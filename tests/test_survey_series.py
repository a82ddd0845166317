"""Plan versus actual over several rounds (issue 20 §3): a group reporting every six months
sees each indicator's series — every round's value, the target line, the baseline — in
/sonuclar and in the XLSX (a sheet with a line chart), not only the latest round."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime, timedelta

import openpyxl

from bot.services.surveys.model import Answer
from bot.services.surveys.series import indicator_series
from storage import surveys as repo
from tests.harness import Harness
from tests.survey_results_e2e_support import FORM, kars_group, member_id

# Six-monthly rounds, deadlines 23:59 in Istanbul; values of I4 (crèche places) and I1.
ROUNDS = [(datetime(2025, 6, 10, 20, 59, tzinfo=UTC), [1100, 1120], [2.0]),
          (datetime(2025, 12, 10, 20, 59, tzinfo=UTC), [1180, 1200, 1190], [2.5]),
          (datetime(2026, 6, 10, 20, 59, tzinfo=UTC), [], [2.75]),  # I4 not reported this round
          (datetime(2026, 12, 10, 20, 59, tzinfo=UTC), [1300, 1400, 1350], [3.0])]


async def _seed_rounds(harness: Harness, group_id: int, people: list) -> list[int]:  # type: ignore[type-arg]
    questions = {question.name: question for question in FORM.questions}
    ids = [await member_id(harness, person) for person in people]
    surveys = []
    async with harness.services.db.transaction() as tx:
        start = ROUNDS[0][0] - timedelta(days=30)
        await repo.set_baseline(tx, group_id, "I4", 1000, 2024, start)
        await repo.set_target(tx, group_id, "I4", 2025, 1200, start)
        await repo.set_target(tx, group_id, "I4", 2026, 1500, start)
        for deadline, creches, shares in ROUNDS:
            sent = deadline - timedelta(days=14)
            form_id = await repo.save_form(tx, FORM, sent, group_id=group_id)
            survey = await repo.create_survey(tx, group_id=group_id, form_id=form_id, deadline=deadline,
                                              anonymous=False, created_by=ids[0], now=sent, template=FORM.code)
            await repo.add_recipients(tx, survey, ids, sent)
            for index, member in enumerate(ids):
                response = await repo.start_response(tx, survey, member, sent + timedelta(hours=index + 1))
                values = {"creche_places": creches[index] if index < len(creches) else None,
                          "budget_share": shares[index] if index < len(shares) else None}
                for name, value in values.items():
                    if value is not None:
                        await repo.save_answer(tx, response.id, Answer.of(questions[name], value))
                await repo.submit(tx, survey, response.id, member, sent + timedelta(hours=index + 2))
            surveys.append(survey.id)
    return surveys


async def test_the_series_is_computed_round_by_round_with_each_rounds_target(harness: Harness) -> None:
    zeynep, (ayse, fatma, sule, _emma), group_id = await kars_group(harness)
    surveys = await _seed_rounds(harness, group_id, [ayse, fatma, sule])
    service = harness.services.survey_results
    assert service is not None
    latest = await service.view(surveys[-1])
    rounds = await service.rounds(latest)
    assert [view.id for view in rounds] == surveys
    earlier = await service.rounds(await service.view(surveys[1]))  # a past round sees only its past
    assert [view.id for view in earlier] == surveys[:2]
    [i4] = [line for line in indicator_series(rounds) if line.indicator == "I4"]
    assert (i4.baseline, i4.baseline_year) == (1000, 2024)
    assert [point.actual for point in i4.points] == [1110, 1190, None, 1350]
    assert [(point.target, point.target_year) for point in i4.points] == [(1200, 2025), (1200, 2025),
                                                                          (1500, 2026), (1500, 2026)]
    assert [round(point.percent) if point.percent is not None else None for point in i4.points] == [55, 95, None, 70]


async def test_sonuclar_and_the_xlsx_show_every_round_the_target_line_and_the_baseline(harness: Harness) -> None:
    zeynep, (ayse, fatma, sule, _emma), group_id = await kars_group(harness)
    surveys = await _seed_rounds(harness, group_id, [ayse, fatma, sule])
    harness.clock.advance(datetime(2026, 12, 11, 9, 0, tzinfo=UTC) - harness.clock.now())
    summary = await harness.send(zeynep, f"/sonuclar {surveys[-1]}")
    text = summary.text or ""
    assert "Dönem dönem" in text
    assert "I4 Belediye kreş kapasitesi — başlangıç 1.000 (2024)" in text
    for line in ("10.06.2025: 1.110 · hedef 1.200 (2025) · %55", "10.12.2025: 1.190 · hedef 1.200 (2025) · %95",
                 "10.06.2026: bildirilmedi · hedef 1.500 (2026)", "10.12.2026: 1.350 · hedef 1.500 (2026) · %70"):
        assert line in text, text
    await harness.next(zeynep)  # the chart
    sheet_file = await harness.next(zeynep)
    data = sheet_file.document_bytes or b""
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames[-1] == "Dönemler"
    rows = [row for row in book["Dönemler"].iter_rows(values_only=True) if row[0] == "I4"]
    assert [(row[2], row[4], row[6], row[8]) for row in rows] == [
        (datetime(2025, 6, 10), 1110, 1200, 1000), (datetime(2025, 12, 10), 1190, 1200, 1000),
        (datetime(2026, 6, 10), None, 1500, 1000), (datetime(2026, 12, 10), 1350, 1500, 1000)]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        charts = [name for name in archive.namelist() if name.startswith("xl/charts/chart")]
        assert charts and b"<c:lineChart>" in archive.read(charts[0])

    first = await harness.send(zeynep, f"/sonuclar {surveys[0]}")  # the first round: nothing to draw yet
    assert "Dönem dönem" not in (first.text or "")
