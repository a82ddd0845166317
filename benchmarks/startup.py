"""Start-up (issue 24): `koordinat --help` and the CLI commands, cold start to the first reply
and idle memory, each against its bare baseline measured in the same run.

- CLI: wall time of `python -m bot <command>` (median of `--runs`, alternating with the
  baselines `python -c pass` and `python -c "import pydantic"`), goal ≤ 0.35 s each.
- Cold start: from spawning `koordinat run` (5,000 members in 50 groups, a /help waiting at
  the fake Bot API) until its answer is sent, vs a bare sequential PTB echo bot spawned the
  same way until its echo; goal ≤ 1.5 × the bare bot.
- Idle RSS: each process's resident memory once it has answered and been idle for a second;
  goal ≤ 1.5 × the bare bot.

    python -m benchmarks.startup [--runs 5] [--members 5000] [--groups 50]

Run from the repository root; modules are compiled to bytecode first (what an installed
package has), so the times are imports, not compiling.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks._support import emit, migrate, seed
from benchmarks.inbound_throughput import env_for, spawn, stop
from bot.emulator.telegram import FakeBotApi

ROOT = Path(__file__).resolve().parents[1]
CLI_GOAL = 0.35  # seconds
COLD_GOAL = 1.5  # × the bare bot
RSS_GOAL = 1.5  # × the bare bot
COMMANDS = {"help": ["--help"], "export_help": ["export", "--help"], "survey_library": ["survey", "library"],
            "group_list": ["group", "list"], "migrate": ["migrate"]}


def _timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0,):
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode()[-500:]}")
    return elapsed


def cli_times(runs: int, database: Path) -> dict[str, float]:
    """Median seconds per command and per baseline, the runs interleaved (a busy machine
    slows all of them alike)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOORDINAT_")}
    env.update({"KOORDINAT_DATABASE": str(database), "PYTHONPATH": str(ROOT)})
    cases = {"python_pass": [sys.executable, "-c", "pass"],
             "python_import_pydantic": [sys.executable, "-c", "import pydantic"],
             **{name: [sys.executable, "-m", "bot", *argv] for name, argv in COMMANDS.items()}}
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, argv in cases.items():
            samples[name].append(_timed(argv, env))
    return {name: round(statistics.median(values), 3) for name, values in samples.items()}


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


async def cold_start(module: str, tmp: Path, database: Path | None, members: list) -> dict[str, float]:  # type: ignore[type-arg]
    """Seconds from spawn to the answer of a /help already waiting; RSS after 1 s idle."""
    async with FakeBotApi(record_calls=True) as server:
        user = members[0]
        server.open_private_chat(user)
        before = len(server.messages(user))
        await server.send_text(user, "/help")
        started = time.monotonic()
        process = await spawn(module, env_for(server, database), tmp / f"{module}.log",
                              *(["run"] if module == "bot" else []))
        try:
            await server.wait_until(lambda: len(server.messages(user)) > before, timeout=120, what="first reply")
            elapsed = time.monotonic() - started
            await asyncio.sleep(1.0)
            rss = _rss_mb(process.pid)
        finally:
            await stop(process)
    return {"seconds_to_first_reply": round(elapsed, 3), "idle_rss_mb": rss}


async def main(runs: int, members: int, groups: int) -> None:
    compileall.compile_dir(str(ROOT / "bot"), quiet=1)
    for package in ("handlers", "storage", "messages"):
        compileall.compile_dir(str(ROOT / package), quiet=1)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        database = tmp / "k.db"
        await migrate(database)
        seeded = seed(database, members, groups=groups)
        cli = cli_times(runs, database)
        ours = await cold_start("bot", tmp, database, seeded.users)
        bare = await cold_start("benchmarks._echo_bot", tmp, None, seeded.users)
    commands = {name: cli[name] for name in COMMANDS}
    cold_ratio = ours["seconds_to_first_reply"] / bare["seconds_to_first_reply"]
    rss_ratio = ours["idle_rss_mb"] / bare["idle_rss_mb"] if bare["idle_rss_mb"] else float("nan")
    emit({"benchmark": "startup", "members": members, "groups": groups, "cli_seconds": cli,
          "cli_over_bare_python": {name: round(cli[name] - cli["python_pass"], 3) for name in COMMANDS},
          "koordinat": ours, "ptb_echo_bot": bare, "cold_start_ratio": round(cold_ratio, 2),
          "idle_rss_ratio": round(rss_ratio, 2), "goals": {"cli_seconds": CLI_GOAL, "cold_start_ratio": COLD_GOAL,
                                                           "idle_rss_ratio": RSS_GOAL},
          "ok": max(commands.values()) <= CLI_GOAL and cold_ratio <= COLD_GOAL and rss_ratio <= RSS_GOAL})


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--groups", type=int, default=50)
    args = parser.parse_args()
    asyncio.run(main(args.runs, args.members, args.groups))
