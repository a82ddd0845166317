"""The monitoring report at scale: 16 indicators × 6 rounds × 4 cities (issue 22).

Four groups each ran six six-monthly rounds of a 16-indicator survey (20 members answering),
with target cards for every indicator. Measured from the stored rows, through the real
service: each group's report data (series, rates, statuses), its Word document (with one
chart per indicator) and its XLSX, and the four-city comparison.

`seconds` is the first time, cold: it includes importing matplotlib, python-docx and
xlsxwriter and setting up the chart's figure and fonts (what `koordinat report` pays every
time, and the bot at its first /rapor); `warm_seconds` is the same work again. `extra_mb`:
peak RSS during the cold run (the kernel's high-water mark, reset before it) minus RSS
before it.

Goals: all four reports and the comparison under 3 s (cold), under 150 MB extra.

    python -m benchmarks.monitoring_report [--groups 4] [--rounds 6] [--members 20]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks._support import emit, migrate, peak_rss_mb, rss_mb, seed
from bot.services.monitoring import Period
from bot.services.monitoring.service import MonitoringService
from bot.services.surveys.model import Answer, SurveyForm
from storage import surveys as repo
from storage.db import Database

NOW = datetime(2028, 2, 20, 9, 0, tzinfo=UTC)
INDICATORS = [f"I{n}" for n in range(1, 17)]
FORM = SurveyForm.model_validate({
    "code": "bench-izleme", "title": {"tr": "Altı aylık izleme", "en": "Six-monthly monitoring"},
    "questions": [{"name": f"q{code}", "type": "decimal", "label": {"tr": code}, "indicator": code}
                  for code in INDICATORS]})


async def seed_rounds(db: Database, group_ids: list[int], member_ids: list[int], rounds: int, members: int) -> None:
    rng = random.Random(22)
    first = NOW - timedelta(days=182 * rounds)
    async with db.transaction() as tx:
        for group_id in group_ids:
            for code in INDICATORS:
                await repo.set_baseline(tx, group_id, code, 100, 2024, first)
                for year in range(2024, 2030):
                    await repo.set_target(tx, group_id, code, year, 200, first)
            people = member_ids[:members]
            for index in range(rounds):
                deadline = first + timedelta(days=182 * index)
                form_id = await repo.save_form(tx, FORM, deadline, group_id=group_id)
                survey = await repo.create_survey(tx, group_id=group_id, form_id=form_id, deadline=deadline,
                                                  anonymous=False, created_by=None, now=deadline, template=FORM.code)
                await repo.add_recipients(tx, survey, people, deadline)
                for member in people:
                    response = await repo.start_response(tx, survey, member, deadline)
                    for question in FORM.questions:
                        value = 100 + 15 * index + rng.uniform(-5, 5)
                        await repo.save_answer(tx, response.id, Answer.of(question, value))
                    await repo.submit(tx, survey, response.id, member, deadline)
                await repo.close_survey(tx, survey.id, deadline)


async def measure(groups: int, rounds: int, members: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "koordinat.db"
        await migrate(path)
        seeded = seed(path, members * groups, groups=groups)
        db = await Database.open(path)
        try:
            await seed_rounds(db, seeded.group_ids, seeded.member_ids, rounds, members)
            service = MonitoringService(db, lambda: NOW, conversation=None)  # type: ignore[arg-type]
            period = Period(2027)
            cold = not any(name in sys.modules for name in ("matplotlib", "docx", "xlsxwriter"))
            reset_peak = _reset_peak_rss()
            before = rss_mb()
            started = time.perf_counter()
            size, rows = await _reports(service, seeded.group_ids, period)
            seconds = time.perf_counter() - started
            peak = _peak_rss_mb() if reset_peak else peak_rss_mb()
            started = time.perf_counter()
            await _reports(service, seeded.group_ids, period)
            warm_seconds = time.perf_counter() - started
        finally:
            await db.close()
    extra = max(peak - before, 0.0)
    return {"benchmark": "monitoring_report", "groups": groups, "indicators": len(INDICATORS), "rounds": rounds,
            "series_points_last_group": rows, "seconds": round(seconds, 3), "cold": cold,
            "warm_seconds": round(warm_seconds, 3), "extra_mb": round(extra, 1),
            "bytes": size, "goal_seconds": 3.0, "goal_mb": 150, "ok": seconds < 3.0 and extra < 150}


async def _reports(service: MonitoringService, group_ids: list[int], period: Period) -> tuple[int, int]:
    """Every group's data, .docx and .xlsx, then the comparison: (bytes written, series
    points of the last group)."""
    size = 0
    built = {}
    for group_id in group_ids:
        data = built[group_id] = await service.data(group_id, period)
        size += len(await service.docx(data)) + len(await service.xlsx(data))
    size += len(await service.comparison(group_ids, period, "tr", reports=built))
    return size, sum(len(r.series) for r in data.rows)


def _reset_peak_rss() -> bool:
    """Reset the kernel's peak RSS of this process (Linux), so that the peak read after is
    this run's, not the seeding's. False where that cannot be done."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return _peak_rss_mb() > 0


def _peak_rss_mb() -> float:
    """VmHWM: peak resident memory since the last reset, in MB (0 when unknown)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--members", type=int, default=20)
    args = parser.parse_args()
    emit(asyncio.run(measure(args.groups, args.rounds, args.members)))


if __name__ == "__main__":
    main()
