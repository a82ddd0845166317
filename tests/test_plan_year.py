"""A whole plan year in the suite (issue 17 §5): one group — Telegram and WhatsApp members,
Turkish and English — from June to the next May on the injectable clock, with the bot
stopped for hours and days at seeded random moments; invariants over every message each
person received. The simulation lives in tests/plan_year.py, the features' parts in
tests/plan_year_parts.py (how to add one: tests/README.md)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import ManualClock, utc_timestamp
from bot.emulator.telegram import FakeBotApi
from bot.emulator.whatsapp import FakeGraphApi
from tests.plan_year import YEAR_START, YearSim, invariants, known_elsewhere
from tests.plan_year_parts import PARTS
from tests.postgres_support import test_database as postgres_dsn

SEEDS = (1, 7, 2026)
# Names, titles and places people (or the plan template, in the group's language) wrote:
# they are content, not catalog text, in every reader's messages.
CONTENT = ("Kadın Dostu Kent Kars Zeynep Ayşe Emma Leyla Grace Belediye toplantı salonu çalışma toplantısı ara",
           "Kars Kadın Meclisi Derneği",
           # the budget round's proposals and the council's decisions, as people typed them
           "Kadın kooperatiflerinden belediye alımı Belediye ikram ve hediyelik alımlarını kadın kooperatiflerinden "
           "yapsın Bütçeye alındı Bütçe kısıtı Lighting at bus stops Light and an emergency button at dark bus stops")


async def run_year(seed: int, workdir: Path) -> YearSim:
    clock = ManualClock(start=YEAR_START)
    async with FakeBotApi() as telegram, FakeGraphApi(now=lambda: utc_timestamp(clock.now()),
                                                      pair_seconds=0.01) as graph:
        sim = YearSim(seed, workdir, telegram, graph, clock, [part() for part in PARTS])
        try:
            await sim.setup()
            await sim.run()
        finally:
            await sim.stop()
    return sim


def allowed_content(sim: YearSim) -> list[str]:
    """Typed content and the meetings' titles. The plan-cycle milestones' titles are not
    allowed: they follow each reader's language (issue 17 §4)."""
    milestones: set[str] = sim.facts.get("milestone_titles", set())  # type: ignore[assignment]
    return [*CONTENT, *(title for title in sim.facts.get("dates", {}) if title not in milestones)]  # type: ignore[union-attr]


# The year's time budget: each of its thousands of transactions is a round trip to the server
# on PostgreSQL, a call into the same process on SQLite.
BUDGET = 150 if postgres_dsn() else 90


@pytest.mark.timeout(2 * BUDGET)
@pytest.mark.parametrize("seed", SEEDS)
async def test_a_plan_year(seed: int, tmp_path: Path) -> None:
    started = time.monotonic()
    sim = await run_year(seed, tmp_path)
    elapsed = time.monotonic() - started
    found = invariants(sim, sim.facts.get("dates", {}), allowed_content(sim))  # type: ignore[arg-type]
    report = "\n".join(f"[{name}] {line}" for name, lines in found.items() for line in lines[:15])
    for line in known_elsewhere(sim):  # another issue's fault, not yet merged: shown with -rA / -s
        print(f"seed {seed} known: {line}")
    assert not report, f"seed {seed}: {sum(map(len, found.values()))} violation(s)\n{report}"
    assert sim.restarts >= 4 and len(sim.transcript) > 300
    assert elapsed < BUDGET, f"seed {seed} took {elapsed:.0f}s"
