"""Results and XLSX export for a 2,000-member group's survey: time and extra memory.

A group of `--members` members got a 10-question survey (every answer type, two indicators
with target cards); `--answered` of them submitted it. Measured from the stored rows: loading
the survey (`SurveyResultsService.view`), the summaries and plan-versus-actual, the XLSX and
the CSV — what one `/sonuclar` tap or `koordinat export survey` costs — and, apart, the chart.

Goals: results + XLSX under 2 s and under 100 MB extra memory (peak RSS during the run
minus RSS before it).

    python -m benchmarks.survey_results [--members 2000] [--answered 1800] [--anonymous]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import random
import sqlite3
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from benchmarks._support import emit, migrate, peak_rss_mb, rss_mb, seed
from bot.services.surveys.charts import chart_png
from bot.services.surveys.model import Answer, Evidence, SurveyForm
from bot.services.surveys.results_service import SurveyResultsService
from storage.db import Database

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)

FORM = SurveyForm.model_validate({
    "code": "bench-izleme", "title": {"tr": "Altı aylık izleme", "en": "Six-monthly monitoring"},
    "questions": [
        {"name": "places", "type": "integer", "label": {"tr": "Kreş kontenjanı"}, "indicator": "I4"},
        {"name": "share", "type": "percentage", "label": {"tr": "Bütçe payı"}, "indicator": "I1"},
        {"name": "amount", "type": "decimal", "label": {"tr": "Tutar (TL)"}},
        {"name": "unit", "type": "yes_no", "label": {"tr": "Eşitlik birimi var mı?"}},
        {"name": "score", "type": "range", "label": {"tr": "Memnuniyet"}, "scale": {"start": 1, "end": 5}},
        {"name": "light", "type": "select_one", "label": {"tr": "Aydınlatma"},
         "choices": [{"name": n, "label": {"tr": n.title()}} for n in ("iyi", "orta", "zayif")]},
        {"name": "areas", "type": "select_multiple", "label": {"tr": "Öncelikler"},
         "choices": [{"name": n, "label": {"tr": n.title()}} for n in ("bakim", "guvenlik", "istihdam", "saglik")]},
        {"name": "opinion", "type": "text", "label": {"tr": "Görüşünüz"}},
        {"name": "walked", "type": "date", "label": {"tr": "Denetim tarihi"}},
        {"name": "photo", "type": "evidence", "label": {"tr": "Fotoğraf"}},
    ]})


def _answers(rng: random.Random) -> dict[str, object]:
    return {"places": rng.randint(300, 600), "share": round(rng.uniform(0.5, 5), 1), "amount": rng.uniform(1e3, 1e6),
            "unit": rng.random() < 0.6, "score": rng.randint(1, 5), "light": rng.choice(["iyi", "orta", "zayif"]),
            "areas": rng.sample(["bakim", "guvenlik", "istihdam", "saglik"], rng.randint(0, 3)),
            "opinion": rng.choice(["Kreş saatleri uzamalı", "=1+1 formül değil", "Aydınlatma yetersiz", ""]) or None,
            "walked": date(2026, 11, rng.randint(1, 24)),
            "photo": Evidence(kind="photo", file_id=f"AgAD{rng.randint(0, 10**9)}", filename="park.jpg")
            if rng.random() < 0.2 else None}


def seed_survey(path: Path, members: list[int], group_id: int, answered: int, anonymous: bool) -> int:
    """The form, the survey, its recipients and `answered` submitted responses, in bulk."""
    rng = random.Random(9)
    questions = {q.name: q for q in FORM.questions}
    stamp = NOW.isoformat()
    conn = sqlite3.connect(path)
    try:
        with conn:
            form_id = conn.execute("INSERT INTO survey_forms (group_id, code, title, definition, created_at) "
                                   "VALUES (?, ?, ?, ?, ?)", (group_id, FORM.code, json.dumps(FORM.title),
                                                              FORM.model_dump_json(), stamp)).lastrowid
            survey_id = conn.execute(
                "INSERT INTO surveys (group_id, form_id, template, deadline, anonymous, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)", (group_id, form_id, FORM.code, (NOW + timedelta(days=10)).isoformat(),
                                              int(anonymous), stamp)).lastrowid
            conn.executemany("INSERT INTO survey_recipients (survey_id, member_id, invited_at, submitted_at) "
                             "VALUES (?, ?, ?, ?)", [(survey_id, m, stamp, stamp if i < answered else None)
                                                     for i, m in enumerate(members)])
            answer_rows = []
            for index, member in enumerate(members[:answered]):
                when = (NOW + timedelta(minutes=index)).isoformat()
                response_id = conn.execute(
                    "INSERT INTO survey_responses (survey_id, member_id, started_at, submitted_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?)", (survey_id, None if anonymous else member, when, when, when)).lastrowid
                for name, value in _answers(rng).items():
                    if value is None:
                        continue
                    a = Answer.of(questions[name], value)  # type: ignore[arg-type]
                    e = a.evidence
                    answer_rows.append((response_id, name, a.value_num, a.value_text,
                                        a.value_date.isoformat() if a.value_date else None,
                                        json.dumps(a.value_json) if a.value_json is not None else None,
                                        e.kind if e else None, e.file_id if e else None,
                                        e.filename if e else None))
            conn.executemany("INSERT INTO survey_answers (response_id, question, value_num, value_text, value_date, "
                             "value_json, evidence_kind, evidence_file_id, evidence_filename) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", answer_rows)
            for code, baseline, target in (("I4", 350, 500), ("I1", 2.0, 3.0)):
                conn.execute("INSERT INTO indicator_baselines (group_id, indicator_code, baseline, baseline_year, "
                             "updated_at) VALUES (?, ?, ?, 2024, ?)", (group_id, code, baseline, stamp))
                conn.execute("INSERT INTO indicator_targets (group_id, indicator_code, year, target, updated_at) "
                             "VALUES (?, ?, 2026, ?, ?)", (group_id, code, target, stamp))
        return int(survey_id or 0)
    finally:
        conn.close()


async def measure(members: int, answered: int, anonymous: bool) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "koordinat.db"
        await migrate(path)
        seeded = seed(path, members)
        survey_id = seed_survey(path, seeded.member_ids, seeded.group_ids[0], answered, anonymous)
        db = await Database.open(path)
        try:
            service = SurveyResultsService(db, lambda: NOW)
            # No warm-up: the first chart's import of matplotlib and its font cache are part of what
            # the first /sonuclar of a process costs (issue 24), timed as `first_chart_s`.
            before = rss_mb()
            started = time.perf_counter()
            view = await service.view(survey_id)
            loaded = time.perf_counter()
            results = service.summarize(view)
            summarized = time.perf_counter()
            xlsx = service.xlsx(view)
            exported = time.perf_counter()
            peak = peak_rss_mb()
            csv_data = service.csv(view)
            csv_done = time.perf_counter()
            png = chart_png(results, "tr")
            charted = time.perf_counter()
            chart_png(results, "tr")
            charted_again = time.perf_counter()
        finally:
            await db.close()
    import openpyxl  # only to check the file (after the timing: it is not what the bot runs)

    rows = openpyxl.load_workbook(io.BytesIO(xlsx), read_only=True).worksheets[0].max_row
    seconds = exported - started
    extra = max(peak - before, 0.0)
    return {
        "benchmark": "survey_results", "members": members, "responses": len(view.responses),
        "anonymous": anonymous, "xlsx_rows": rows, "xlsx_bytes": len(xlsx), "csv_bytes": len(csv_data),
        "png_bytes": len(png or b""),
        "load_s": round(loaded - started, 3), "summaries_s": round(summarized - loaded, 3),
        "xlsx_s": round(exported - summarized, 3), "results_and_xlsx_s": round(seconds, 3),
        "csv_s": round(csv_done - exported, 3), "first_chart_s": round(charted - csv_done, 3),
        "chart_s": round(charted_again - charted, 3),
        "extra_memory_mb": round(extra, 1),
        "goals": {"results_and_xlsx_s": "< 2", "extra_memory_mb": "< 100"},
        "ok": seconds < 2.0 and extra < 100 and rows == len(view.responses) + 1,
        "plan": [(a.card.indicator, round(a.percent or 0, 1)) for a in results.achievements],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--answered", type=int, default=1800)
    parser.add_argument("--anonymous", action="store_true")
    args = parser.parse_args()
    result = asyncio.run(measure(args.members, min(args.answered, args.members), args.anonymous))
    print(f"{result['responses']} responses: load {result['load_s']} s, summaries {result['summaries_s']} s, "
          f"XLSX {result['xlsx_s']} s ({result['xlsx_bytes']} B), CSV {result['csv_s']} s, "
          f"first chart {result['first_chart_s']} s (with matplotlib's import), next chart {result['chart_s']} s; extra memory {result['extra_memory_mb']} MB")
    emit(result)


if __name__ == "__main__":
    main()
