"""Start-up (issue 24): `koordinat --help` and every CLI command, cold start to the first
reply and idle memory, each against its bare baseline measured in the same run.

- CLI: every command of `koordinat --help` (but `run` and `demo`, which do not end) doing its
  real work on the demo's database (the scripted tour played once, kept): wall time of
  `python -m bot <command>`, min and median of `--runs`, the runs interleaved with the
  baselines `python -c pass` and `python -c "import pydantic"`; goal ≤ 0.35 s each. The CPU
  time of each process (user + system) is printed beside it: on a busy machine it moves far
  less than the wall time.
- Cold start: from spawning `koordinat run` (5,000 members in 50 groups, a /help waiting at
  the fake Bot API) until its answer is sent, vs a bare sequential PTB echo bot spawned the
  same way until its echo, alternating, `--cold-runs` times each (a fresh copy of the
  database each time); goal ≤ 1.5 × the bare bot (ratio of the medians; the ratio of the
  minima beside it). CPU seconds each process used until then are printed too.
- Idle RSS: each process's resident memory once it has answered and been idle for a second;
  goal ≤ 1.5 × the bare bot.

    python -m benchmarks.startup [--runs 5] [--cold-runs 3] [--members 5000] [--groups 50]
                                 [--parts cli,cold]

Run from the repository root; modules are compiled to bytecode first (what an installed
package has), so the times are imports, not compiling.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks._support import emit, migrate, seed
from benchmarks.inbound_throughput import env_for, spawn, stop
from bot.emulator.telegram import FakeBotApi

ROOT = Path(__file__).resolve().parents[1]
CLI_GOAL = 0.35  # seconds
COLD_GOAL = 1.5  # × the bare bot
RSS_GOAL = 1.5  # × the bare bot
LESSON = ROOT / "bot" / "content" / "lessons" / "01-strategic-plan.toml"
XLSFORM = ROOT / "tests" / "files" / "xlsforms" / "kobo_tutorial.xls"


def commands(out: Path, year: int) -> dict[str, list[str]]:
    """Every one-off command, with arguments that make it do its work on the demo database
    (group 1, round 4 has a vote, survey 1 has answers); files go to `out`."""
    return {
        "help": ["--help"], "export_help": ["export", "--help"],
        "migrate": ["migrate"], "backup": ["backup", str(out / "backup.db")],
        "migrate_to": ["migrate-to", str(out / "copy-{run}.db")],
        "group_create": ["group", "create", "Yeni Grup", "--city", "Kars", "--force"],
        "group_list": ["group", "list"], "group_whatsapp": ["group", "whatsapp", "1", "on"],
        "group_quiet": ["group", "quiet", "1"], "group_share_proposals": ["group", "share-proposals", "1", "on"],
        "group_rounds": ["group", "rounds"], "invite": ["invite", "1"],
        "milestones_load_template": ["milestones", "load-template", "1", str(year + 1)],
        "export_milestones_ics": ["export", "milestones", "1", "--output", str(out / "m.ics")],
        "export_milestones_xlsx": ["export", "milestones", "1", "--format", "xlsx", "--output", str(out / "m.xlsx")],
        "export_opinion": ["export", "opinion", "4", "--output", str(out / "o.docx")],
        "export_proposals": ["export", "proposals", "--output", str(out / "p.xlsx")],
        "export_lessons": ["export", "lessons", "1", "--output", str(out / "l.xlsx")],
        "export_survey_xlsx": ["export", "survey", "1", "--output", str(out / "s.xlsx")],
        "export_survey_csv": ["export", "survey", "1", "--format", "csv", "--output", str(out / "s.csv")],
        "export_template": ["export", "template", "istanbul_bakim_guvenlik", "--output", str(out / "t.xlsx")],
        "export_attendance_csv": ["export", "attendance", "1", "--from", f"{year - 1}-01-01", "--to",
                                  f"{year + 1}-12-31", "--output", str(out / "a.csv")],
        "export_attendance_xlsx": ["export", "attendance", "1", "--from", f"{year - 1}-01-01", "--to",
                                   f"{year + 1}-12-31", "--output", str(out / "a.xlsx")],
        "lessons_list": ["lessons", "list"], "lessons_check": ["lessons", "check", str(LESSON)],
        "report_docx": ["report", "1", "--period", str(year), "--output", str(out / "r.docx")],
        "report_xlsx": ["report", "1", "--period", str(year), "--output", str(out / "r.xlsx")],
        "report_thresholds": ["report", "1", "--thresholds", "90,60"],
        "quarantine_list": ["quarantine", "list"], "quarantine_drop": ["quarantine", "drop", "--all"],
        "survey_library": ["survey", "library"], "survey_target": ["survey", "target", "1"],
        "survey_import_check": ["survey", "import", str(XLSFORM), "--check"],
        "survey_export_form": ["survey", "export-form", "izleme", "--output", str(out / "f.xlsx")],
    }


def _timed(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one process; exits the benchmark if it fails."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stderr is not None
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({status}): {errors.decode()[-500:]}")
    return elapsed, usage.ru_utime + usage.ru_stime


def demo_database(folder: Path) -> Path:
    """The scripted demo tour played once into `folder` (benchmarks/_demo_database.py)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOORDINAT_")}
    env["PYTHONPATH"] = str(ROOT)
    subprocess.run([sys.executable, "-m", "benchmarks._demo_database", str(folder / "state")], cwd=folder,
                   env=env, check=True, stdout=subprocess.DEVNULL, timeout=900)
    return folder / "state" / "demo.db"


def cli_times(runs: int, database: Path, out: Path) -> dict[str, dict[str, float]]:
    """Per command and per baseline: wall and CPU seconds, min and median, the runs
    interleaved (a busy machine slows all of them alike)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOORDINAT_")}
    env.update({"KOORDINAT_DATABASE": str(database), "PYTHONPATH": str(ROOT)})
    cases = {"python_pass": [sys.executable, "-c", "pass"],
             "python_import_pydantic": [sys.executable, "-c", "from pydantic import BaseModel"],
             **{name: [sys.executable, "-m", "bot", *argv]
                for name, argv in commands(out, date.today().year).items()}}
    wall: dict[str, list[float]] = {name: [] for name in cases}
    cpu: dict[str, list[float]] = {name: [] for name in cases}
    for run in range(runs):
        for name, argv in cases.items():
            seconds, used = _timed([part.replace("{run}", str(run)) for part in argv], env, out)
            wall[name].append(seconds)
            cpu[name].append(used)
    return {name: {"min": round(min(wall[name]), 3), "median": round(statistics.median(wall[name]), 3),
                   "cpu_min": round(min(cpu[name]), 3), "cpu_median": round(statistics.median(cpu[name]), 3)}
            for name in cases}


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used so far (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 3)


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
            cpu = _cpu_seconds(process.pid)
            await asyncio.sleep(1.0)
            rss = _rss_mb(process.pid)
        finally:
            await stop(process)
    return {"seconds_to_first_reply": round(elapsed, 3), "cpu_seconds_to_first_reply": cpu, "idle_rss_mb": rss}


async def cold_starts(runs: int, tmp: Path, database: Path, members: list) -> dict[str, object]:  # type: ignore[type-arg]
    """`runs` cold starts of each, alternating; each of ours on a fresh copy of `database`
    (a second start would find the waiting /help already processed)."""
    ours: list[dict[str, float]] = []
    bare: list[dict[str, float]] = []
    for run in range(runs):
        fresh = tmp / f"cold-{run}.db"
        shutil.copy(database, fresh)
        ours.append(await cold_start("bot", tmp, fresh, members))
        bare.append(await cold_start("benchmarks._echo_bot", tmp, None, members))

    def summary(samples: list[dict[str, float]]) -> dict[str, float]:
        seconds = [sample["seconds_to_first_reply"] for sample in samples]
        cpu = [sample["cpu_seconds_to_first_reply"] for sample in samples]
        return {"seconds_min": min(seconds), "seconds_median": round(statistics.median(seconds), 3),
                "cpu_seconds_median": round(statistics.median(cpu), 3),
                "idle_rss_mb": statistics.median(sample["idle_rss_mb"] for sample in samples)}

    mine, theirs = summary(ours), summary(bare)
    return {"koordinat": mine, "ptb_echo_bot": theirs,
            "cold_start_ratio": round(mine["seconds_median"] / theirs["seconds_median"], 2),
            "cold_start_ratio_of_minima": round(mine["seconds_min"] / theirs["seconds_min"], 2),
            "cold_start_cpu_ratio": round(mine["cpu_seconds_median"] / theirs["cpu_seconds_median"], 2),
            "idle_rss_ratio": round(mine["idle_rss_mb"] / theirs["idle_rss_mb"], 2) if theirs["idle_rss_mb"] else None,
            "runs": runs}


async def main(runs: int, cold_runs: int, members: int, groups: int, parts: set[str]) -> None:
    compileall.compile_dir(str(ROOT / "bot"), quiet=1)
    for package in ("handlers", "storage", "messages"):
        compileall.compile_dir(str(ROOT / package), quiet=1)
    result: dict[str, object] = {"benchmark": "startup", "members": members, "groups": groups,
                                 "goals": {"cli_seconds": CLI_GOAL, "cold_start_ratio": COLD_GOAL,
                                           "idle_rss_ratio": RSS_GOAL}}
    ok = True
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        if "cli" in parts:
            out = tmp / "cli"
            out.mkdir()
            cli = cli_times(runs, demo_database(tmp), out)
            width = max(map(len, cli))
            print(f"{'command':<{width}}  wall min / median    CPU min / median (seconds, {runs} runs)")
            for name, row in cli.items():
                print(f"{name:<{width}}  {row['min']:.3f} / {row['median']:.3f}        "
                      f"{row['cpu_min']:.3f} / {row['cpu_median']:.3f}")
            over = sorted(name for name, row in cli.items() if not name.startswith("python_")
                          and row["median"] > CLI_GOAL)
            result.update({"cli": cli, "cli_over_goal": over})
            ok = ok and not over
        if "cold" in parts:
            database = tmp / "k.db"
            await migrate(database)
            seeded = seed(database, members, groups=groups)
            cold = await cold_starts(cold_runs, tmp, database, seeded.users)
            result.update(cold)
            ok = ok and cold["cold_start_ratio"] <= COLD_GOAL and (cold["idle_rss_ratio"] or 0) <= RSS_GOAL  # type: ignore[operator]
    emit({**result, "ok": ok})


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="runs of each CLI command")
    parser.add_argument("--cold-runs", type=int, default=3, help="cold starts of each bot")
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--groups", type=int, default=50)
    parser.add_argument("--parts", default="cli,cold", help="cli, cold or both (default)")
    args = parser.parse_args()
    asyncio.run(main(args.runs, args.cold_runs, args.members, args.groups, set(args.parts.split(","))))
