"""Survey answers durably stored per second vs. a bare python-telegram-bot echo bot's updates
per second, against the same fake Bot API in the same run.

N members each answer K typed questions of an open survey (`1.250`, `%40`, `evet`...), one at
a time as a person does (the next answer after the bot's reply), all members at once. An
answer counts when its row is committed in `survey_answers` and the reply has reached the
server. The echo bot answers the same N×K messages with `reply_text(text)`. Each bot runs as
its own process (`koordinat run`; `benchmarks._echo_bot`, 256 updates at once), as in production, the
fake Bot API in this one; both with per-chat pacing off (people cannot type faster than either
bot answers). CPU seconds of each process are reported beside the rates.

Goal: ratio = Koordinat's answers/s ÷ echo updates/s ≥ 0.7 (issue 24) (best of `--rounds` alternating
runs of each, since other load on a shared machine only slows a run down).

    python -m benchmarks.survey_answers [--members 50] [--answers 10] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks._support import emit, migrate, seed, settings
from bot.emulator.telegram import FakeBotApi, FakeUser
from bot.models import Actor
from bot.services.surveys.model import SurveyForm

TYPED = ["1.250", "%40", "evet", "12,5", "3", "1.250,5", "40 %", "hayır", "7", "%12,5"]
KINDS = ["integer", "percentage", "yes_no", "decimal", "range", "decimal", "percentage", "yes_no", "integer",
         "percentage"]
FAST = 10_000  # messages per second: pacing out of the way


def form(answers: int) -> SurveyForm:
    questions = []
    for index in range(answers):
        kind = KINDS[index % len(KINDS)]
        question = {"name": f"q{index}", "type": kind, "required": True, "label": {"tr": f"Soru {index + 1}"}}
        if kind == "range":
            question["scale"] = {"start": 1, "end": 5}
        questions.append(question)
    return SurveyForm.model_validate({"code": "bench", "title": {"tr": "Ölçüm"}, "questions": questions})


def typed(index: int) -> str:
    return TYPED[index % len(TYPED)]


async def converse(server: FakeBotApi, users: list[FakeUser], answers: int) -> float:
    """Every user types `answers` messages, each after the bot's reply; seconds for all."""
    async def person(user: FakeUser) -> None:
        for index in range(answers):
            await server.send_text(user, typed(index))
            await server.wait_for_message(user, timeout=60)

    started = time.monotonic()
    await asyncio.gather(*(person(user) for user in users))
    return time.monotonic() - started


async def koordinat(members: int, answers: int, tmp: Path, *, in_survey: bool = True) -> tuple[float, int, float]:
    """Seconds for every answer, answers stored, CPU seconds of the bot's process. With
    `in_survey` False nobody has tapped Start, so the same messages get the bot's plain "not
    understood" reply: the cost of the shared inbound path (inbox, outbox, dispatcher) without
    the survey's own work."""
    from benchmarks.inbound_throughput import _cpu_seconds, env_for, spawn, stop
    from bot.clock import SystemClock
    from bot.services import build_services
    from storage.db import Database

    database = tmp / "koordinat.db"
    await migrate(database)
    seeded = seed(database, members)
    conn = sqlite3.connect(database)
    with conn:
        conn.executemany("INSERT INTO consents (member_id, purpose, granted, notice_version, channel, recorded_at) "
                         "VALUES (?, 'surveys', 1, 'bench', 'telegram', '2026-11-25T06:00:00+00:00')",
                         [(member_id,) for member_id in seeded.member_ids])
    conn.close()
    async with FakeBotApi(global_per_second=FAST, per_chat_per_second=FAST, record_calls=True) as server:
        for user in seeded.users:
            server.open_private_chat(user)
        db = await Database.open(database)  # the survey is open and each has tapped Start (not measured)
        try:
            services = build_services(settings(server, database), db, SystemClock())
            survey = await services.surveys.send(
                group_id=seeded.group_ids[0], form=form(answers), anonymous=False, created_by=None,
                deadline=datetime.now(UTC) + timedelta(days=7), invite=False)
            for user in seeded.users if in_survey else []:
                await services.conversation.on_choice(Actor(channel="telegram", external_id=str(user.id)),
                                                      f"sv:{survey.id}:start")
        finally:
            await db.close()
        bot = await spawn("bot", env_for(server, database), tmp / "koordinat.log", "run")
        try:
            await server.wait_until(lambda: bool(server.calls_to("getUpdates")), timeout=60, what="the bot is up")
            await asyncio.sleep(0.5)  # start-up finishes (as for the echo bot)
            cpu_before = _cpu_seconds(bot.pid)
            elapsed = await converse(server, seeded.users, answers)
            cpu = _cpu_seconds(bot.pid) - cpu_before
        finally:
            await stop(bot)
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        stored = int(conn.execute("SELECT COUNT(*) FROM survey_answers").fetchone()[0])
    finally:
        conn.close()
    return elapsed, stored, cpu


async def echo_bot(members: int, answers: int, tmp: Path) -> tuple[float, float]:
    """Seconds and CPU seconds of the bare echo bot (its own process, 256 updates at once)."""
    from benchmarks.inbound_throughput import _cpu_seconds, env_for, spawn, stop

    users = [FakeUser(300_000 + i, f"Üye {i}") for i in range(members)]
    async with FakeBotApi(global_per_second=FAST, per_chat_per_second=FAST, record_calls=True) as server:
        for user in users:
            server.open_private_chat(user)
        # Concurrent, as before: people wait for each reply, so a sequential bot would leave the
        # other 49 members waiting behind one (inbound_throughput uses the sequential one).
        bot = await spawn("benchmarks._echo_bot", {**env_for(server), "BENCH_ECHO_CONCURRENCY": "256"},
                          tmp / "echo.log")
        try:
            await server.wait_until(lambda: bool(server.calls_to("getUpdates")), timeout=60, what="echo bot up")
            await asyncio.sleep(0.5)  # PTB's updater and application finish starting
            cpu_before = _cpu_seconds(bot.pid)
            elapsed = await converse(server, users, answers)
            return elapsed, _cpu_seconds(bot.pid) - cpu_before
        finally:
            await stop(bot)


async def main(members: int, answers: int, rounds: int) -> None:
    """`rounds` alternating runs of each bot; the best rate of each counts (the machine's other
    load only ever slows a run down)."""
    total = members * answers
    ours_rates, plain_rates, echo_rates, stored = [], [], [], total
    ours_cpu, plain_cpu, echo_cpu = [], [], []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as tmp:
            elapsed, stored_now, cpu = await koordinat(members, answers, Path(tmp))
        stored = min(stored, stored_now)
        ours_rates.append(stored_now / elapsed)
        ours_cpu.append(cpu)
        with tempfile.TemporaryDirectory() as tmp:
            elapsed, _, cpu = await koordinat(members, answers, Path(tmp), in_survey=False)
        plain_rates.append(total / elapsed)
        plain_cpu.append(cpu)
        with tempfile.TemporaryDirectory() as tmp:
            elapsed, cpu = await echo_bot(members, answers, Path(tmp))
        echo_rates.append(total / elapsed)
        echo_cpu.append(cpu)
    ours_rate, echo_rate = max(ours_rates), max(echo_rates)

    def per_update_ms(cpu: list[float]) -> float:
        return round(1000 * min(cpu) / total, 2)

    result = {
        "benchmark": "survey_answers", "members": members, "answers_each": answers, "rounds": rounds,
        "answers_stored": stored, "answers_expected": total, "processes": "bot and echo bot each its own",
        "koordinat_answers_per_second": round(ours_rate, 1), "echo_updates_per_second": round(echo_rate, 1),
        "koordinat_plain_replies_per_second": round(max(plain_rates), 1),
        "cpu_ms_per_update": {"koordinat_survey": per_update_ms(ours_cpu), "koordinat_plain": per_update_ms(plain_cpu),
                              "echo_bot": per_update_ms(echo_cpu)},
        "plain_ratio": round(max(plain_rates) / echo_rate, 3),
        "ratio": round(ours_rate / echo_rate, 3), "goal_ratio": 0.7,
    }
    result["ok"] = stored == total and result["ratio"] >= 0.7
    emit(result)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--answers", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(args.members, args.answers, args.rounds))
