"""Inbound throughput: the real `koordinat run` process vs. a bare python-telegram-bot echo
bot, both against the fake Bot API in this run.

N updates from M members (typed "evet" answering the meeting, RSVP taps on its notice,
/help), all queued at once; measured from the first update until every update's effect is
committed (a `processed_updates` row; no stored update left) and every reply is sent (no
outbox row pending). The echo bot: until every text was echoed and every tap answered.
Sending limits are lifted for the measurement; the durability of the inbox is kept (each
update committed before it is acknowledged).

With `--survey K`, each member instead taps Start on an open indicator survey and types K
answers the Turkish way (`1.250`, `%40`, `evet`…), one after the other: the updates are then
members × (K + 1), and an answer counts once its row is committed in `survey_answers`.

Goal (issue 24): ratio (Koordinat / a *sequential* echo bot, updates per second, each counted to
its last reply) >= 0.7 on each path: plain text, button taps, survey answers; CPU per update
of each is printed beside it.

    python -m benchmarks.inbound_throughput [--updates 2000] [--members 500] [--paths text,button,survey] [--survey 6]

`BENCH_PROFILE=/tmp/k.prof` runs the Koordinat process under cProfile recording only the
measured window (`benchmarks._profiled`; the file is written when it stops; read it with
`python -m pstats`): how the answer path's cost was found.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks._support import TOKEN, emit, migrate, seed, settings
from bot.clock import SystemClock
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup

from bot.emulator.telegram.server import FakeBotApi, FakeUser, SentMessage
from bot.services import build_services
from storage.db import Database

ROOT = Path(__file__).resolve().parents[1]
LIFTED = {"KOORDINAT_SEND_RATE_PER_SECOND": "100000", "KOORDINAT_PRIVATE_CHAT_RATE_PER_SECOND": "100000",
          "KOORDINAT_GROUP_CHAT_RATE_PER_MINUTE": "100000"}


def env_for(server: FakeBotApi, database: Path | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOORDINAT_")}
    env.update({"KOORDINAT_TELEGRAM_TOKEN": TOKEN, "KOORDINAT_TELEGRAM_API_URL": server.base_url,
                "KOORDINAT_TELEGRAM_FILE_URL": server.file_base_url, "PTB_TIMEDELTA": "1",
                "PYTHONPATH": os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]), **LIFTED})
    if database is not None:
        env["KOORDINAT_DATABASE"] = str(database)
    return env


async def spawn(module: str, env: dict[str, str], log: Path, *args: str) -> asyncio.subprocess.Process:
    with log.open("ab") as out:
        profile = (["-m", "benchmarks._profiled", os.environ["BENCH_PROFILE"]]
                   if os.environ.get("BENCH_PROFILE") and module == "bot" else [])
        return await asyncio.create_subprocess_exec(sys.executable, *profile, "-m", module, *args, cwd=ROOT, env=env,
                                                    stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out)


async def stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
            await process.wait()


PATHS = ("text", "button", "mixed")
PLAIN = "merhaba, toplantı ne zaman?"  # plain text: no command, no dialog (the free-text hint)


async def push_updates(server: FakeBotApi, users: list[FakeUser], notices: dict[int, SentMessage],
                       count: int, path: str = "mixed") -> None:
    """Queue `count` updates round-robin over the members. `mixed`: typed "evet", a tap on a
    button of the meeting notice, /help in turn; `text`: plain text only; `button`: taps only
    (each member's taps alternate yes/no/maybe, so every tap changes her answer)."""
    answers = ("yes", "no", "maybe")
    for index in range(count):
        user = users[index % len(users)]
        if path == "text":
            await server.send_text(user, PLAIN)
            continue
        if path == "button":
            notice = notices[user.id]
            choice = next(d for d in notice.callback_datas if d.endswith(answers[(index // len(users)) % 3]))
            await server.press_button(user, notice, choice)
            continue
        kind = (index // len(users)) % 3
        if kind == 1:
            notice = notices[user.id]
            choice = next(d for d in notice.callback_datas if d.endswith(answers[index % 3]))
            await server.press_button(user, notice, choice)
        else:
            await server.send_text(user, "evet" if kind == 0 else "/help")


def db_state(database: Path) -> tuple[int, int, int]:
    """(processed updates, stored-unprocessed updates, outbox rows not yet sent)."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)
    try:
        processed = conn.execute("SELECT COUNT(*) FROM processed_updates").fetchone()[0]
        stored = conn.execute("SELECT COUNT(*) FROM inbound_updates").fetchone()[0]
        unsent = conn.execute("SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending')").fetchone()[0]
        return processed, stored, unsent
    finally:
        conn.close()


async def prepare(database: Path, members: int, survey: int = 0) -> list[FakeUser]:
    await migrate(database)
    seeded = seed(database, members)
    db = await Database.open(database)
    try:
        async with FakeBotApi() as unused:
            services = build_services(settings(unused, database), db, SystemClock())
            await services.meetings.create_and_announce(
                group_id=seeded.group_ids[0], title="Kadın Meclisi toplantısı",
                starts_at=datetime.now(UTC) + timedelta(days=7), place="Belediye")
            if survey:
                from benchmarks.survey_answers import form

                async with db.transaction() as tx:
                    await tx.execute(
                        "INSERT INTO consents (member_id, purpose, granted, notice_version, channel, recorded_at) "
                        "SELECT member_id, 'surveys', 1, 'bench', 'telegram', ? FROM memberships WHERE group_id = ?",
                        (datetime.now(UTC).isoformat(), seeded.group_ids[0]))
                await services.surveys.send(group_id=seeded.group_ids[0], form=form(survey),
                                            deadline=datetime.now(UTC) + timedelta(days=7), anonymous=False,
                                            created_by=None)
    finally:
        await db.close()
    return seeded.users


async def push_survey(server: FakeBotApi, users: list[FakeUser], invitations: dict[int, SentMessage],
                      answers: int) -> None:
    """Each member taps Start on the survey invitation, then types `answers` answers."""
    from benchmarks.survey_answers import typed

    for user in users:
        datas = invitations[user.id].callback_datas  # the echo bot's notice has no Start: any tap
        start = next((d for d in datas if d.endswith(":start")), datas[0])
        await server.press_button(user, invitations[user.id], start)
    for index in range(answers):
        for user in users:
            await server.send_text(user, typed(index))


async def koordinat(updates: int, members: int, tmp: Path, survey: int = 0, path: str = "mixed") -> dict[str, float]:
    database = tmp / f"koordinat-{path}-{survey}.db"
    users = await prepare(database, members, survey)
    async with FakeBotApi(record_calls=True) as server:
        for user in users:
            server.open_private_chat(user)
        bot = await spawn("bot", env_for(server, database), tmp / "koordinat.log", "run")
        try:
            wanted = 2 if survey else 1
            await server.wait_until(lambda: all(len(server.messages(u)) >= wanted for u in users), timeout=60,
                                    what="the notices reached everyone")
            notices = {u.id: server.messages(u)[0] for u in users}
            base_processed = db_state(database)[0]
            if os.environ.get("BENCH_PROFILE"):
                bot.send_signal(signal.SIGUSR1)  # benchmarks._profiled: record from here on
            cpu_before = _cpu_seconds(bot.pid)
            started = time.monotonic()
            if survey:
                invitations = {u.id: next(m for m in server.messages(u) if any(
                    d.endswith(":start") for d in m.callback_datas)) for u in users}
                await push_survey(server, users, invitations, survey)
            else:
                await push_updates(server, users, notices, updates, path)
            while True:
                processed, stored, unsent = db_state(database)
                if processed - base_processed >= updates and stored == 0 and unsent == 0 \
                        and server.pending_updates == 0:
                    break
                if time.monotonic() - started > 120:
                    raise TimeoutError(f"koordinat: {processed - base_processed}/{updates} processed")
                await asyncio.sleep(0.02)
            elapsed = time.monotonic() - started
            cpu = _cpu_seconds(bot.pid) - cpu_before
        finally:
            await stop(bot)
    result = {"seconds": round(elapsed, 2), "updates_per_second": round(updates / elapsed, 1),
              "cpu_seconds": round(cpu, 2), "cpu_ms_per_update": round(1000 * cpu / updates, 2)}
    if survey:
        conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=5)
        try:
            result["answers_stored"] = conn.execute("SELECT COUNT(*) FROM survey_answers").fetchone()[0]
        finally:
            conn.close()
    return result


async def echo_bot(updates: int, members: int, tmp: Path, survey: int = 0, path: str = "mixed") -> dict[str, float]:
    users = [FakeUser(400_000 + i, f"Üye {i}", "tr") for i in range(members)]
    async with FakeBotApi(record_calls=True) as server:
        for user in users:
            server.open_private_chat(user)
        # The same kind of notice with RSVP buttons, so that taps have something to press.
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(a, callback_data=f"rsvp:1:{a}")
                                        for a in ("yes", "no", "maybe")]])
        async with Bot(TOKEN, base_url=server.base_url) as sender:
            for start in range(0, members, 50):
                await asyncio.gather(*(sender.send_message(u.id, "Toplantı", reply_markup=markup)
                                       for u in users[start:start + 50]))
        notices = {u.id: server.messages(u)[0] for u in users}
        bot = await spawn("benchmarks._echo_bot", env_for(server), tmp / "echo.log")  # sequential
        try:
            await server.wait_until(lambda: bool(server.calls_to("getUpdates")), timeout=30, what="echo bot up")
            await asyncio.sleep(0.3)
            answers = _AnswerCount(server)
            cpu_before = _cpu_seconds(bot.pid)
            started = time.monotonic()
            if survey:  # the same shape: a tap, then typed answers
                await push_survey(server, users, {u.id: notices[u.id] for u in users}, survey)
            else:
                await push_updates(server, users, notices, updates, path)
            while answers() < updates:
                if time.monotonic() - started > 120:
                    raise TimeoutError("echo bot too slow")
                await asyncio.sleep(0.02)
            elapsed = time.monotonic() - started
            cpu = _cpu_seconds(bot.pid) - cpu_before
        finally:
            await stop(bot)
    return {"seconds": round(elapsed, 2), "updates_per_second": round(updates / elapsed, 1),
            "cpu_seconds": round(cpu, 2), "cpu_ms_per_update": round(1000 * cpu / updates, 2)}


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process has used so far (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


class _AnswerCount:
    """Echoes and tap answers since creation; reads only the calls recorded since last time
    (a full scan every 20 ms would slow the fake server that runs in this process)."""

    def __init__(self, server: FakeBotApi) -> None:
        self._calls = server.calls
        self._seen = len(self._calls)
        self._count = 0

    def __call__(self) -> int:
        new = self._calls[self._seen:]
        self._seen += len(new)
        # Counted to the last reply: a text's echo, a tap's edit (which follows its answer).
        self._count += sum(1 for c in new if c.ok and c.method in ("sendMessage", "editMessageText"))
        return self._count


async def one_path(updates: int, members: int, tmp: Path, path: str, survey: int) -> dict[str, object]:
    """Koordinat then the echo bot on the same path; their figures and ratios."""
    if path == "survey":
        updates = members * (survey + 1)
    ours = await koordinat(updates, members, tmp, survey if path == "survey" else 0, path)
    baseline = await echo_bot(updates, members, tmp, survey if path == "survey" else 0, path)
    if path == "survey" and ours.get("answers_stored") != members * survey:
        raise SystemExit(f"only {ours.get('answers_stored')} of {members * survey} answers were stored")
    ratio = ours["updates_per_second"] / baseline["updates_per_second"]
    # CPU per update is steadier than wall time on a shared machine: shown alongside.
    cpu_ratio = baseline["cpu_seconds"] / ours["cpu_seconds"] if ours["cpu_seconds"] else float("nan")
    return {"updates": updates, "koordinat": ours, "ptb_echo_bot": baseline, "ratio": round(ratio, 2),
            "cpu_ratio": round(cpu_ratio, 2)}


async def main(updates: int, members: int, paths: list[str], survey: int) -> None:
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for path in paths:
            results[path] = result = await one_path(updates, members, Path(folder), path, survey)
            ours, theirs = result["koordinat"], result["ptb_echo_bot"]
            print(f"{path}: {ours['updates_per_second']} vs {theirs['updates_per_second']} updates/s "  # type: ignore[index]
                  f"(ratio {result['ratio']}); CPU {ours['cpu_ms_per_update']} vs "  # type: ignore[index]
                  f"{theirs['cpu_ms_per_update']} ms per update (ratio {result['cpu_ratio']})", flush=True)  # type: ignore[index]
    ratios = {path: result["ratio"] for path, result in results.items()}
    emit({"benchmark": "inbound_throughput", "members": members, "baseline": "sequential PTB echo bot",
          "paths": results, "ratios": ratios,
          "cpu_ratios": {path: result["cpu_ratio"] for path, result in results.items()},
          "goal_ratio": GOAL, "ok": all(float(r) >= GOAL for r in ratios.values())})  # type: ignore[arg-type]


GOAL = 0.7


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--paths", default="text,button,survey",
                        help="comma-separated, measured in this order in one run: text, button, mixed, survey")
    parser.add_argument("--survey", type=int, default=6, metavar="K",
                        help="for the survey path: members tap Start on an open survey and type K answers each")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(args.updates, args.members, [p.strip() for p in args.paths.split(",") if p.strip()],
                     args.survey))
