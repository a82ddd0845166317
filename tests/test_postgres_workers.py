"""Several processes on one PostgreSQL schema (issue 21): one leader, a standby that takes over.

Real `python -m bot run` processes against the fake Bot API and a real PostgreSQL server
(KOORDINAT_TEST_DATABASE, else 127.0.0.1:5432/test when it answers; skipped otherwise):

- the leader killed (kill -9): the standby answers a waiting member within a second of
  taking the lock;
- the leader frozen (SIGSTOP): the standby takes over within the lease (idle_session_timeout)
  plus a second, the member gets one answer, and after SIGCONT the old leader sends nothing
  and stops (its session and term are gone);
- `migrate-to` round trip SQLite → PostgreSQL → SQLite keeps every count and id.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import signal
import sqlite3
import sys
import time
import uuid
from pathlib import Path

import pytest

from bot.emulator.telegram import FakeBotApi, FakeUser
from tests.process_support import ROOT, bot_env, wait_for_line

asyncpg = pytest.importorskip("asyncpg")


def _dsn() -> str | None:
    dsn = os.environ.get("KOORDINAT_TEST_DATABASE") or "postgresql://postgres@127.0.0.1:5432/test"

    async def probe() -> bool:
        try:
            conn = await asyncpg.connect(dsn, timeout=3)
        except Exception:
            return False
        await conn.close()
        return True

    return dsn if asyncio.run(probe()) else None


DSN = _dsn()
pytestmark = pytest.mark.skipif(DSN is None, reason="no PostgreSQL server answers (set KOORDINAT_TEST_DATABASE)")


async def _drop(schema: str) -> None:
    conn = await asyncpg.connect(DSN)
    try:
        await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    finally:
        await conn.close()


def _env(server: FakeBotApi, tmp_path: Path, schema: str) -> dict[str, str]:
    env = bot_env(server, tmp_path / "unused.db", KOORDINAT_DATABASE=DSN or "", KOORDINAT_DATABASE_SCHEMA=schema)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.pop("PYTEST_POSTGRES_DSN", None)  # this test names its own schema
    return env


async def _start(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=env, stdin=asyncio.subprocess.DEVNULL,
            stdout=out, stderr=out)


async def _answers(server: FakeBotApi, user: FakeUser, count: int, timeout: float) -> float:
    """Seconds until `user` has `count` messages (fails after `timeout`)."""
    started = time.monotonic()
    await server.wait_until(lambda: len(server.messages(user)) >= count, timeout=timeout,
                            what=f"{count} message(s) to {user.first_name}")
    return time.monotonic() - started


async def _end(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        process.kill()
        await process.wait()


async def test_a_killed_leader_is_replaced_by_the_standby_at_once(tmp_path: Path) -> None:
    schema = f"lead_{uuid.uuid4().hex[:10]}"
    async with FakeBotApi() as server:
        env = _env(server, tmp_path, schema)
        leader = await _start(env, tmp_path / "a.log")
        standby = None
        try:
            await wait_for_line(tmp_path / "a.log", "leading schema", timeout=60)
            standby = await _start(env, tmp_path / "b.log")
            await wait_for_line(tmp_path / "b.log", "waiting to take over", timeout=60)
            ayse = FakeUser(7001, "Ayşe", "tr")
            server.open_private_chat(ayse)
            await server.send_text(ayse, "/start")
            await _answers(server, ayse, 1, timeout=30)  # the leader answers
            before = len(server.messages(ayse))

            leader.send_signal(signal.SIGKILL)
            await leader.wait()
            killed = time.monotonic()
            await wait_for_line(tmp_path / "b.log", "leading schema", timeout=10)
            took_over = time.monotonic() - killed
            await server.send_text(ayse, "/help")
            waited = await _answers(server, ayse, before + 1, timeout=10)
            assert took_over < 2.0, f"the standby took {took_over:.2f} s to take the lock"
            assert waited < 1.0 + 1.0, f"the standby answered {waited:.2f} s after the message"
        finally:
            await _end(leader)
            if standby is not None:
                standby.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(standby.wait(), 15)
                finally:
                    await _end(standby)
            await _drop(schema)


async def test_a_frozen_leader_loses_the_lead_and_sends_nothing_after_it_wakes(tmp_path: Path) -> None:
    from storage.postgres import LEASE_SECONDS

    schema = f"lead_{uuid.uuid4().hex[:10]}"
    async with FakeBotApi() as server:
        env = _env(server, tmp_path, schema)
        leader = await _start(env, tmp_path / "a.log")
        standby = None
        try:
            await wait_for_line(tmp_path / "a.log", "leading schema", timeout=60)
            standby = await _start(env, tmp_path / "b.log")
            await wait_for_line(tmp_path / "b.log", "waiting to take over", timeout=60)
            fatma = FakeUser(7002, "Fatma", "tr")
            server.open_private_chat(fatma)

            leader.send_signal(signal.SIGSTOP)
            frozen = time.monotonic()
            await wait_for_line(tmp_path / "b.log", "leading schema", timeout=LEASE_SECONDS + 10)
            took_over = time.monotonic() - frozen
            assert took_over < LEASE_SECONDS + 1.0 + 1.0, f"took over after {took_over:.2f} s"
            await server.send_text(fatma, "/start")
            await _answers(server, fatma, 1, timeout=15)
            sent_before_waking = len(server.messages(fatma))

            leader.send_signal(signal.SIGCONT)
            code = await asyncio.wait_for(leader.wait(), 30)  # it finds its session gone and stops
            assert code != 0
            assert "lost the leadership" in (tmp_path / "a.log").read_text(errors="replace")
            assert len(server.messages(fatma)) == sent_before_waking  # the old leader sent nothing
        finally:
            if leader.returncode is None:
                leader.send_signal(signal.SIGCONT)
            await _end(leader)
            if standby is not None:
                standby.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(standby.wait(), 15)
                finally:
                    await _end(standby)
            await _drop(schema)


def _koordinat(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    import subprocess

    done = subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=180)
    return done.returncode, done.stdout, done.stderr


def test_migrate_to_postgresql_and_back_keeps_every_count_and_id(tmp_path: Path) -> None:
    schema = f"move_{uuid.uuid4().hex[:10]}"
    base = {k: v for k, v in os.environ.items() if not k.startswith("KOORDINAT_") and k != "PYTEST_POSTGRES_DSN"}
    base["PYTHONPATH"] = str(ROOT)
    first = {**base, "KOORDINAT_DATABASE": str(tmp_path / "a.db")}
    for name, city in (("Kadın Dostu Kent", "Kars"), ("Çiğli Kadın Meclisi", "İzmir"), ("Eşitlik", "Ağrı")):
        assert _koordinat(first, "group", "create", name, "--city", city)[0] == 0
    try:
        code, out, err = _koordinat(first, "migrate-to", DSN or "", "--schema", schema)
        assert code == 0, err
        assert "groups" in out and "3 → 3" in out and "id sum 6 → 6" in out and "counts and id sums match" in out
        again = _koordinat(first, "migrate-to", DSN or "", "--schema", schema)
        assert again[0] == 1 and "already has" in again[2]  # never mixed into a used database

        pg = {**base, "KOORDINAT_DATABASE": DSN or "", "KOORDINAT_DATABASE_SCHEMA": schema}
        code, out, err = _koordinat(pg, "migrate-to", str(tmp_path / "b.db"))
        assert code == 0, err
        created = _koordinat(pg, "group", "create", "Yeni", "--city", "Van")
        assert created[0] == 0 and "group 4:" in created[1]  # the identity continues after the copied ids
    finally:
        asyncio.run(_drop(schema))
    with sqlite3.connect(tmp_path / "a.db") as a, sqlite3.connect(tmp_path / "b.db") as b:
        for table in ("groups", "invites", "audit_log"):
            assert a.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() == \
                b.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()


def test_a_bad_dsn_an_unreachable_server_and_a_refused_role_are_one_line_each(tmp_path: Path) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith("KOORDINAT_") and k != "PYTEST_POSTGRES_DSN"}
    base["PYTHONPATH"] = str(ROOT)
    cases = [("postgresql://postgres@127.0.0.1:1/koordinat", "cannot connect"),
             ("postgresql://no_such_role_k@127.0.0.1:5432/test", 'role "no_such_role_k" does not exist'),
             ("postgresql://postgres@127.0.0.1:5432/no_such_db_k", 'database "no_such_db_k" does not exist'),
             ("postgresql://postgres@127.0.0.1:notaport/k", "the port is not a number (expected e.g. postgresql://")]
    for dsn, fragment in cases:
        code, out, err = _koordinat({**base, "KOORDINAT_DATABASE": dsn}, "group", "list")
        lines = err.strip().splitlines()
        assert code == 1 and len(lines) == 1 and lines[0].startswith("koordinat: database "), (dsn, err)
        assert fragment in lines[0] and "Traceback" not in err


def test_backup_on_postgresql_says_how(tmp_path: Path) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith("KOORDINAT_") and k != "PYTEST_POSTGRES_DSN"}
    base["PYTHONPATH"] = str(ROOT)
    schema = f"backup_{uuid.uuid4().hex[:8]}"
    env = {**base, "KOORDINAT_DATABASE": DSN or "", "KOORDINAT_DATABASE_SCHEMA": schema}
    assert _koordinat(env, "migrate")[0] == 0
    try:
        code, out, err = _koordinat(env, "backup", str(tmp_path / "copy.db"))
        assert code == 1 and len(err.strip().splitlines()) == 1 and "pg_dump" in err and "Traceback" not in err
        assert not (tmp_path / "copy.db").exists()
        if shutil.which("pg_dump"):  # the suggested command runs as printed and dumps that schema
            command = err.split("e.g. ", 1)[1].split(" (restore", 1)[0]
            assert f"--schema={schema}" in command and "schema=" not in command.split("'")[1], command
            done = subprocess.run(["sh", "-c", command], cwd=tmp_path, capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, (command, done.stderr)
            assert [p.name for p in tmp_path.glob(f"koordinat-{schema}-*.dump")], command
    finally:
        async def drop() -> None:
            conn = await asyncpg.connect(DSN)
            try:
                await conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            finally:
                await conn.close()

        asyncio.run(drop())


# --- several workers behind one webhook (issue 21, item 4) -------------------------------------

def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Balancer:
    """A round-robin load balancer in front of the workers' webhooks, as a host would run:
    a worker that does not answer (killed) is skipped, and when none answers Telegram (the
    fake Bot API) gets a 502 and delivers the update again."""

    def __init__(self, upstreams: list[str]) -> None:
        self.upstreams = upstreams
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._next = 0

    async def __aenter__(self) -> _Balancer:
        import aiohttp
        from aiohttp import web

        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))

        async def forward(request: web.Request) -> web.Response:
            body = await request.read()
            headers = {key: value for key, value in request.headers.items()
                       if key.lower() in ("content-type", "x-telegram-bot-api-secret-token")}
            for _ in range(len(self.upstreams)):
                upstream = self.upstreams[self._next % len(self.upstreams)]
                self._next += 1
                try:
                    async with self._session.post(upstream + request.path, data=body, headers=headers) as answer:
                        return web.Response(status=answer.status, body=await answer.read())
                except (aiohttp.ClientError, OSError):
                    continue
            return web.Response(status=502)

        app = web.Application()
        app.router.add_post("/telegram", forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._runner.cleanup()
        await self._session.close()


def _worker_env(env: dict[str, str], balancer: _Balancer, port: int) -> dict[str, str]:
    return {**env, "KOORDINAT_WEBHOOK_URL": balancer.url, "KOORDINAT_WEBHOOK_SECRET": "workers-secret",
            "KOORDINAT_WEBHOOK_LISTEN": "127.0.0.1", "PORT": str(port),
            "KOORDINAT_SEND_RATE_PER_SECOND": "1000", "KOORDINAT_PRIVATE_CHAT_RATE_PER_SECOND": "100"}


async def _start_worker(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--webhook", cwd=ROOT, env=env,
            stdin=asyncio.subprocess.DEVNULL, stdout=out, stderr=out)


async def _stop(process: asyncio.subprocess.Process | None) -> None:
    if process is None or process.returncode is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), 15)
    finally:
        await _end(process)


CHATS = int(os.environ.get("WORKERS_TEST_CHATS", "200"))
PER_CHAT = int(os.environ.get("WORKERS_TEST_PER_CHAT", "10"))


async def _telegram_posts(url: str, people: list[FakeUser], per_chat: int, connections: int = 40) -> dict[int, int]:
    """Deliver `per_chat` text messages from each person to the webhook at `url` as Telegram
    does: up to `connections` requests at once, each chat's updates one after the other (the
    next only once the previous was answered 200), an update answered otherwise delivered
    again. Returns {update_id: chat id}."""
    import aiohttp

    chat_of: dict[int, int] = {}
    slots = asyncio.Semaphore(connections)
    headers = {"X-Telegram-Bot-Api-Secret-Token": "workers-secret"}

    async def chat(session: aiohttp.ClientSession, index: int, person: FakeUser) -> None:
        for round_ in range(per_chat):
            update_id = round_ * len(people) + index + 1
            chat_of[update_id] = person.id
            update = {"update_id": update_id, "message": {
                "message_id": round_ + 1, "date": int(time.time()), "text": f"mesaj {round_}",
                "chat": {"id": person.id, "type": "private", "first_name": person.first_name},
                "from": person.to_api()}}
            delay = 0.05
            while True:
                async with slots:
                    try:
                        async with session.post(url + "/telegram", json=update, headers=headers) as answer:
                            if answer.status == 200:
                                break
                    except (aiohttp.ClientError, OSError):
                        pass
                await asyncio.sleep(delay)  # Telegram's back-off before it delivers again
                delay = min(delay * 2, 1.0)

    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        await asyncio.gather(*(chat(session, n, person) for n, person in enumerate(people)))
    return chat_of


@pytest.mark.timeout(240)
async def test_two_workers_lose_nothing_repeat_nothing_and_keep_each_chat_in_order_when_one_is_killed(
        tmp_path: Path) -> None:
    """2,000 updates in 200 chats through a load balancer to two `run --webhook` workers; the
    worker that does not lead is killed (kill -9) midway. Every update is answered exactly once,
    in order within its chat; nothing is left stored."""
    schema = f"work_{uuid.uuid4().hex[:10]}"
    port_a, port_b = _free_port(), _free_port()
    async with FakeBotApi() as server, _Balancer([f"http://127.0.0.1:{port_a}",
                                                  f"http://127.0.0.1:{port_b}"]) as balancer:
        env = _env(server, tmp_path, schema)
        a = b = None
        probe = await asyncpg.connect(DSN, server_settings={"search_path": schema})
        try:
            a = await _start_worker(_worker_env(env, balancer, port_a), tmp_path / "a.log")
            await wait_for_line(tmp_path / "a.log", "leading schema", timeout=60)
            b = await _start_worker(_worker_env(env, balancer, port_b), tmp_path / "b.log")
            await wait_for_line(tmp_path / "b.log", "waiting to take over", timeout=60)
            await wait_for_line(tmp_path / "b.log", "Koordinat is running", timeout=60)

            people = [FakeUser(90_000 + n, f"Kişi{n}", "tr") for n in range(CHATS)]
            for person in people:
                server.open_private_chat(person)
            posting = asyncio.create_task(_telegram_posts(balancer.url, people, PER_CHAT))

            async def processed() -> int:
                return int(await probe.fetchval("SELECT COUNT(*) FROM processed_updates"))

            deadline = time.monotonic() + 120
            while await processed() < CHATS * PER_CHAT * 0.35:  # midway: kill the worker that does not lead
                assert time.monotonic() < deadline, "the workers did not get a third of the way"
                await asyncio.sleep(0.05)
            at_kill = await probe.fetchval("SELECT COUNT(*) FROM processed_updates")
            b.send_signal(signal.SIGKILL)
            await b.wait()

            chat_of = await asyncio.wait_for(posting, 180)
            await server.wait_until(lambda: all(len(server.messages(p)) >= PER_CHAT for p in people),
                                    timeout=180, what="an answer to every update")
            deadline = time.monotonic() + 30
            while await probe.fetchval("SELECT COUNT(*) FROM outbox WHERE status <> 'sent'"):
                assert time.monotonic() < deadline, "some answers were never marked sent"
                await asyncio.sleep(0.05)

            counts = {p.id: len(server.messages(p)) for p in people}
            assert sorted(set(counts.values())) == [PER_CHAT], "an update was answered twice or not at all"
            assert await processed() == CHATS * PER_CHAT
            assert await probe.fetchval("SELECT COUNT(*) FROM inbound_updates") == 0
            assert await probe.fetchval("SELECT COUNT(*) FROM outbox") == CHATS * PER_CHAT
            # Within a chat, answers were written (outbox id order) in the order the updates came.
            rows = await probe.fetch("SELECT key FROM outbox ORDER BY id")
            by_chat: dict[int, list[int]] = {}
            for row in rows:
                update_id = int(row["key"].split(":")[2])  # reply:telegram:<update_id>:0
                by_chat.setdefault(chat_of[update_id], []).append(update_id)
            out_of_order = [chat for chat, ids in by_chat.items() if ids != sorted(ids)]
            assert not out_of_order, f"{len(out_of_order)} chats answered out of order"
            assert 0 < at_kill < CHATS * PER_CHAT  # the kill came midway
            log_b = (tmp_path / "b.log").read_text(errors="replace")
            assert "leading schema" not in log_b  # b never led: a sent every answer
        finally:
            await probe.close()
            await _end(b) if b is not None else None
            await _stop(a)
            await _drop(schema)


async def test_a_reminder_scheduled_by_a_worker_that_does_not_lead_fires_on_the_leader_on_time(
        tmp_path: Path) -> None:
    """A worker that does not lead schedules a reminder due in a few seconds (the test process
    acts as that worker: the app's own `ReminderService.schedule` on the shared schema, with no
    scheduler of its own). The leader's scheduler sweeps only every 60 s; the reminders table's
    NOTIFY wakes it, so the message goes out within a second of its due time."""
    from datetime import UTC, datetime, timedelta

    from bot.clock import SystemClock
    from bot.services.broadcasts import NOTICE
    from bot.services.reminders import ReminderService
    from messages import t
    from storage import members as members_repo
    from storage.db import Database

    schema = f"wake_{uuid.uuid4().hex[:10]}"
    async with FakeBotApi() as server:
        env = _env(server, tmp_path, schema)
        leader = await _start(env, tmp_path / "a.log")
        worker = None
        try:
            await wait_for_line(tmp_path / "a.log", "leading schema", timeout=60)
            await wait_for_line(tmp_path / "a.log", "Koordinat is running", timeout=60)
            zeynep = FakeUser(7003, "Zeynep", "tr")
            server.open_private_chat(zeynep)
            worker = await Database.open(f"{DSN}{'&' if '?' in (DSN or '') else '?'}schema={schema}")
            assert worker.dialect == "postgresql" and worker.term is None  # it does not lead
            async with worker.transaction() as tx:
                member = await members_repo.create(tx, display_name="Zeynep", language="tr", channel="telegram",
                                                   external_id=str(zeynep.id), now=datetime.now(UTC))
            due = datetime.now(UTC) + timedelta(seconds=3)
            reminders = ReminderService(worker, SystemClock())
            assert await reminders.schedule("test:wake:1", NOTICE, due,
                                            {"text": "quarantine.unreadable", "member_ids": [member.id]})
            await server.wait_until(lambda: len(server.messages(zeynep)) >= 1, timeout=30,
                                    what="the reminder's message")
            late = time.time() - due.timestamp()
            assert server.messages(zeynep)[0].text.startswith(t("quarantine.unreadable", "tr")[:20])
            assert -0.5 < late < 1.0, f"the reminder went out {late:.2f} s after its due time"
        finally:
            if worker is not None:
                await worker.close()
            await _stop(leader)
            await _drop(schema)


async def test_a_leader_that_slept_past_its_lease_sends_nothing_it_had_claimed() -> None:
    """The send-time fence: a row claimed under the leader's term, then the process "sleeps"
    past its lease (its monotonic clock jumps, as after SIGSTOP/SIGCONT) while the server ends
    its session. Before handing the row to the platform the dispatcher asks `still_leading`,
    which pings, finds the session gone, fences the process (term −1, on_fatal) and sends
    nothing."""
    import time as time_module

    from bot.models import Reply
    from bot.services.outbox import OutboxDispatcher
    from storage import outbox as outbox_repo
    from storage.db import Database

    class Recording:
        name = "telegram"

        def __init__(self) -> None:
            self.sent: list[str] = []

        async def deliver(self, address: str, reply: Reply) -> str | None:
            self.sent.append(address)
            return "1"

        def is_group_chat(self, address: str) -> bool:
            return False

    schema = f"fence_{uuid.uuid4().hex[:10]}"
    db = await Database.open(f"{DSN}{'&' if '?' in (DSN or '') else '?'}schema={schema}")
    fatal: list[str] = []
    db.on_fatal = fatal.append
    try:
        term = await db.lead(lease=5.0)
        assert await db.still_leading()
        async with db.transaction() as tx:
            await outbox_repo.enqueue(tx, key="k1", channel="telegram", address="42", now=time_module.time(),
                                      payload=Reply(text="merhaba").model_dump_json(), lane=outbox_repo.REPLY_LANE)
            [row] = await outbox_repo.claim_ready(tx, time_module.time(), 10, term=term)
        channel = Recording()
        dispatcher = OutboxDispatcher(db, {"telegram": channel}, time_module.time)  # type: ignore[dict-item]

        killer = await asyncpg.connect(DSN)
        try:  # what idle_session_timeout does to a frozen leader's session
            await killer.execute("SELECT pg_terminate_backend($1)", db._leader.get_server_pid())  # type: ignore[attr-defined]
        finally:
            await killer.close()
        db._confirmed_at -= 60  # type: ignore[attr-defined]  # the process slept through its lease

        dispatcher._in_flight = 1  # as `_launch` counts it
        await dispatcher._send(row, outbox_repo.REPLY_LANE, channel)  # type: ignore[arg-type]
        assert channel.sent == []  # nothing handed to the platform
        assert db.term == -1 and fatal and "lost the leadership" in fatal[0]
        assert dispatcher.in_flight == 0
    finally:
        await db.close()
        await _drop(schema)
