"""The plan-year simulation (tests/plan_year.py) over more seeds than the suite runs.

Each seed plays one group's year — Telegram and WhatsApp members, Turkish and English,
monthly meetings (one moved, one called off), two surveys, the plan-cycle template with its
reminders, escalations and digests — with the bot stopped at that seed's random moments, and
checks the invariants over the whole transcript. Figures per seed: wall seconds, messages
received, restarts, clock stops, violations by invariant; `ok` when no seed has a violation
and each took under 90 s.

    python -m benchmarks.plan_year [--seeds 10] [--first 100]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("PTB_TIMEDELTA", "1")

from benchmarks._support import emit  # noqa: E402
from tests.plan_year import invariants, known_elsewhere  # noqa: E402
from tests.test_plan_year import allowed_content, run_year  # noqa: E402

LIMIT_SECONDS = 90.0


async def one(seed: int) -> dict[str, object]:
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as workdir:
        sim = await run_year(seed, Path(workdir))
    seconds = time.monotonic() - started
    found = invariants(sim, sim.facts.get("dates", {}), allowed_content(sim))  # type: ignore[arg-type]
    for name, lines in found.items():
        for line in lines[:3]:
            print(f"seed {seed} [{name}] {line}")
    known = known_elsewhere(sim)
    for line in known[:3]:
        print(f"seed {seed} known: {line}")
    return {"seed": seed, "seconds": round(seconds, 1), "messages": len(sim.transcript), "known_elsewhere": len(known),
            "restarts": sim.restarts, "clock_stops": sim.wakeups,
            "violations": {name: len(lines) for name, lines in found.items() if lines}}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--first", type=int, default=100)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    runs = []
    for seed in range(args.first, args.first + args.seeds):
        result = await one(seed)
        print(f"seed {seed}: {result['seconds']} s, {result['messages']} messages, "
              f"{result['restarts']} restarts, violations {result['violations'] or 'none'}")
        runs.append(result)
    seconds = [float(r["seconds"]) for r in runs]  # type: ignore[arg-type]
    failing = [r["seed"] for r in runs if r["violations"]]
    emit({"benchmark": "plan_year", "seeds": len(runs), "seconds_max": max(seconds),
          "seconds_mean": round(sum(seconds) / len(seconds), 1), "failing_seeds": failing,
          "violations": sum(sum(r["violations"].values()) for r in runs),  # type: ignore[union-attr]
          "goal": {"violations": 0, "seconds_max": LIMIT_SECONDS},
          "ok": not failing and max(seconds) < LIMIT_SECONDS, "runs": runs})


if __name__ == "__main__":
    asyncio.run(main())
