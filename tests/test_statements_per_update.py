"""Work done twice per update (issue 24): over the common paths — a plain text, /help, an RSVP
button, a typed survey answer — the real bot (PTB Application, fake Bot API, SQLite file)
issues no SQL statement twice while handling one update, and stays within a budget of
statements per update.

Every statement both connections run is recorded by SQLite's trace callback (the expanded SQL,
parameters included), from the member's update leaving the fake server until her reply is
delivered and the outbox is idle.
"""

from __future__ import annotations

import pytest

import asyncio
import os
import re
import threading
from collections import Counter
from collections.abc import Awaitable, Callable

from bot.emulator.telegram import SentMessage
from tests.harness import Harness, Person
from tests.meetings_support import announce, group_with, notice

# Statements one update may take at most (measured: see the asserts' messages when it fails).
BUDGET = 40
# The transaction's own savepoint plus at most one for a nested write of the dialog's.
SAVEPOINTS = 2


class Statements:
    """SQL as SQLite runs it, on both of the Database's connections (worker threads)."""

    def __init__(self) -> None:
        self.recording = False
        self.seen: list[str] = []
        self.triggered: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, sql: str) -> None:
        if self.recording:
            with self._lock:
                self.seen.append(" ".join(sql.split()))

    async def attach(self, harness: Harness) -> None:
        db = harness.services.db
        rows = await db.fetchall("SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger'")
        self.triggered = {str(row[0]) for row in rows}
        for conn in (db._writer, db._reader):  # noqa: SLF001 - the test's window on the driver
            await conn.set_trace_callback(self)

    async def during(self, act: Callable[[], Awaitable[SentMessage]], harness: Harness) -> list[str]:
        """The statements run while `act` (one update and its reply) is handled."""
        await harness.settle()
        with self._lock:
            self.seen = []
        self.recording = True
        try:
            await act()
            await harness.settle()
            await asyncio.sleep(0)  # the reply's outbox bookkeeping is committed before idle
        finally:
            self.recording = False
        with self._lock:
            return _without_trigger_echoes(self.seen, self.triggered)


def _without_trigger_echoes(statements: list[str], triggered: set[str]) -> list[str]:
    """SQLite's trace callback reports a write again for each trigger program it runs (with
    the same expanded text): a write to a table with triggers repeated back to back is one."""
    kept: list[str] = []
    for sql in statements:
        target = re.match(r"(?:UPDATE|INSERT INTO|DELETE FROM) (\w+)", sql)
        if kept and kept[-1] == sql and target and target.group(1) in triggered:
            continue
        kept.append(sql)
    return kept


CONTROL = re.compile(r"^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b")


def _handling(statements: list[str]) -> list[str]:
    """The statements of the transaction that handled the update (the one recording it in
    `processed_updates`), from its BEGIN to its COMMIT; reads on the reader connection that
    fall inside are kept too (they are the handler's)."""
    claim = next(i for i, sql in enumerate(statements) if sql.startswith("INSERT INTO processed_updates"))
    begin = max(i for i in range(claim) if statements[i].startswith("BEGIN"))
    end = next(i for i in range(claim, len(statements)) if statements[i] == "COMMIT")
    return statements[begin:end + 1]


def _twice(statements: list[str]) -> dict[str, int]:
    """Statements (other than transaction control) issued more than once."""
    counted = Counter(sql for sql in statements if not CONTROL.match(sql))
    return {sql: n for sql, n in counted.items() if n > 1}


def _check(label: str, statements: list[str]) -> list[str]:
    """The handling transaction's statements, after checking them; also that the raw update is
    deleted once and each update is stored once in the whole window."""
    listing = "\n  ".join(statements)
    assert statements, f"{label}: no statement recorded (is the trace attached?)"
    handling = _handling(statements)
    assert not _twice(handling), f"{label}: issued twice: {_twice(handling)}\nall:\n  {listing}"
    for once in ("DELETE FROM inbound_updates", "INSERT INTO inbound_updates", "INSERT INTO processed_updates"):
        assert sum(sql.startswith(once) for sql in statements) == 1, f"{label}: {once} not once:\n  {listing}"
    savepoints = [sql for sql in handling if sql.startswith("SAVEPOINT")]
    assert len(savepoints) <= SAVEPOINTS, f"{label}: {len(savepoints)} savepoints:\n  {listing}"
    assert len(handling) <= BUDGET, f"{label}: {len(handling)} statements > {BUDGET}:\n  {listing}"
    if os.environ.get("SHOW_STATEMENTS"):
        print(f"\n== {label}: {len(handling)}\n  " + "\n  ".join(sql[:150] for sql in handling))
    return handling


async def _member_with_meeting_and_survey(harness: Harness) -> tuple[Person, Person, SentMessage]:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await announce(harness, zeynep)
    invitation = await notice(harness, ayse)
    return zeynep, ayse, invitation


@pytest.mark.sqlite_only  # SQLite's trace callback counts the statements
async def test_no_statement_twice_on_the_common_paths(harness: Harness) -> None:
    zeynep, ayse, invitation = await _member_with_meeting_and_survey(harness)
    trace = Statements()
    await trace.attach(harness)

    plain = await trace.during(lambda: harness.send(ayse, "merhaba, bugün nasılsınız?"), harness)
    _check("plain text", plain)
    help_ = await trace.during(lambda: harness.send(ayse, "/yardim"), harness)
    _check("/yardim", help_)
    async def tap() -> SentMessage:
        await harness.server.press_button(ayse.user, invitation, "✅ Katılıyorum")
        return await harness.server.wait_for_edit(invitation, lambda m: "Yanıtınız" in (m.text or ""))

    rsvp = await trace.during(tap, harness)
    _check("RSVP button", rsvp)
    assert any("rsvps" in sql for sql in rsvp), rsvp
    typed = await trace.during(lambda: harness.send(ayse, "evet"), harness)  # a typed RSVP
    _check("typed evet", typed)
    assert sum("FROM pending_choices" in sql for sql in typed) == 1, typed

    # A survey: Zeynep sends the monitoring template, Ayşe starts it and types answers.
    await harness.send(zeynep, "/anket")
    source = await harness.next(zeynep)
    ask_deadline = await harness.press(zeynep, source, "Altı aylık izleme (6 soru)")
    anonymity = await harness.send(zeynep, "12.12.2026 17:00")
    preview = await harness.press(zeynep, anonymity, "👤 İsimli")
    await harness.press(zeynep, preview, "📤 Gönder")
    assert ask_deadline.text
    survey = await harness.next_containing(ayse, "Yeni anket", timeout=10)
    await harness.press(ayse, survey, "▶️ Başla")
    await harness.next_containing(ayse, "1/6")
    answer = await trace.during(lambda: harness.send(ayse, "%40"), harness)
    _check("survey answer", answer)
    assert any("survey_answers" in s for s in answer), answer
    second = await trace.during(lambda: harness.send(ayse, "kırk"), harness)  # refused: asked again
    _check("refused survey answer", second)


async def test_replies_go_out_through_the_sender_s_own_small_pool(harness: Harness) -> None:
    """The outbox sends through a Bot of its own whose pool holds its sends in flight + 2
    connections (httpcore scans every pooled connection per request), apart from the
    application's; a reply still reaches the member through it."""
    koordinat = harness.bot
    assert koordinat is not None and koordinat.telegram is not None
    sender = koordinat._sender  # noqa: SLF001 - the composition root's wiring is the subject
    assert sender is not None and sender is not koordinat.telegram.bot
    limits = sender.request._client_kwargs["limits"]  # noqa: SLF001 - PTB keeps the pool size there
    assert limits.max_connections == harness.services.dispatcher.max_in_flight + 2
    before = len(harness.server.calls_to("sendMessage"))
    person = harness.person("Elif")
    reply = await harness.send(person, "merhaba")
    assert reply.text and len(harness.server.calls_to("sendMessage")) > before
