"""Survey answers durably stored per second vs. a bare python-telegram-bot echo bot's updates
per second, against the same fake Bot API in the same run.

N members each answer K typed questions of an open survey (`1.250`, `%40`, `evet`...), one at
a time as a person does (the next answer after the bot's reply), all members at once. An
answer counts when its row is committed in `survey_answers` and the reply has reached the
server. The echo bot answers the same N×K messages with `reply_text(text)`. Both bots run
with per-chat pacing off (people cannot type faster than either bot answers).

Goal: ratio = Koordinat's answers/s ÷ echo updates/s ≥ 0.5 (best of `--rounds` alternating
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

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from benchmarks._support import TOKEN, emit, migrate, seed, start_bot
from bot.emulator.telegram.server import FakeBotApi, FakeUser
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


async def koordinat(members: int, answers: int, tmp: Path, *, in_survey: bool = True) -> tuple[float, int]:
    """Seconds for every answer, and answers stored. With `in_survey` False nobody has tapped
    Start, so the same messages get the bot's plain "not understood" reply: the cost of the
    shared inbound path (inbox, outbox, dispatcher) without the survey's own work."""
    database = tmp / "koordinat.db"
    await migrate(database)
    seeded = seed(database, members)
    conn = sqlite3.connect(database)
    with conn:
        conn.executemany("INSERT INTO consents (member_id, purpose, granted, notice_version, channel, recorded_at) "
                         "VALUES (?, 'surveys', 1, 'bench', 'telegram', '2026-11-25T06:00:00+00:00')",
                         [(member_id,) for member_id in seeded.member_ids])
    conn.close()
    async with FakeBotApi(global_per_second=FAST, per_chat_per_second=FAST) as server:
        for user in seeded.users:
            server.open_private_chat(user)
        bot = await start_bot(server, database, send_rate_per_second=FAST, private_chat_rate_per_second=FAST,
                              files_dir=tmp / "files")
        assert bot.services is not None
        services = bot.services
        try:
            survey = await services.surveys.send(
                group_id=seeded.group_ids[0], form=form(answers), anonymous=False, created_by=None,
                deadline=datetime.now(UTC) + timedelta(days=7), invite=False)
            for user in seeded.users if in_survey else []:  # each has tapped Start (not measured)
                await services.conversation.on_choice(Actor(channel="telegram", external_id=str(user.id)),
                                                      f"sv:{survey.id}:start")
            elapsed = await converse(server, seeded.users, answers)
            async with services.db.read() as read:
                rows = await read.execute_fetchall("SELECT COUNT(*) FROM survey_answers")
            stored = int(rows[0][0])
        finally:
            await bot.stop()
    return elapsed, stored


async def echo_bot(members: int, answers: int) -> float:
    users = [FakeUser(300_000 + i, f"Üye {i}") for i in range(members)]
    async with FakeBotApi(global_per_second=FAST, per_chat_per_second=FAST) as server:
        for user in users:
            server.open_private_chat(user)

        async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            """Say it back."""
            assert update.effective_message is not None and update.effective_message.text is not None
            await update.effective_message.reply_text(update.effective_message.text)

        app: Application = (  # type: ignore[type-arg]
            ApplicationBuilder().token(TOKEN).base_url(server.base_url).base_file_url(server.file_base_url)
            .concurrent_updates(True).build())
        app.add_handler(MessageHandler(filters.TEXT, echo))
        await app.initialize()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=10)
        await app.start()
        try:
            return await converse(server, users, answers)
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()


async def main(members: int, answers: int, rounds: int) -> None:
    """`rounds` alternating runs of each bot; the best rate of each counts (the machine's other
    load only ever slows a run down)."""
    total = members * answers
    ours_rates, plain_rates, echo_rates, stored = [], [], [], total
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as tmp:
            elapsed, stored_now = await koordinat(members, answers, Path(tmp))
        stored = min(stored, stored_now)
        ours_rates.append(stored_now / elapsed)
        with tempfile.TemporaryDirectory() as tmp:
            plain_rates.append(total / (await koordinat(members, answers, Path(tmp), in_survey=False))[0])
        echo_rates.append(total / await echo_bot(members, answers))
    ours_rate, echo_rate = max(ours_rates), max(echo_rates)
    result = {
        "benchmark": "survey_answers", "members": members, "answers_each": answers, "rounds": rounds,
        "answers_stored": stored, "answers_expected": total,
        "koordinat_answers_per_second": round(ours_rate, 1), "echo_updates_per_second": round(echo_rate, 1),
        "koordinat_plain_replies_per_second": round(max(plain_rates), 1),
        "plain_ratio": round(max(plain_rates) / echo_rate, 3),
        "ratio": round(ours_rate / echo_rate, 3), "goal_ratio": 0.5,
    }
    result["ok"] = stored == total and result["ratio"] >= 0.5
    emit(result)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--answers", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(args.members, args.answers, args.rounds))
