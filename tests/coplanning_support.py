"""Steps the co-planning tests (and the plan-year simulation) share: a budget round driven
through the real chat — opened with the suggested schedule, proposals, votes, the consent
round, adoption, the day the opinion went to the council, and the council's decisions —
by people writing to the fake Bot API while the ManualClock moves.

Every step waits for what the person would see (no fixed sleeps) and finds messages by the
buttons' callback data or by catalog text in the person's language, so Turkish and English
members can be driven alike.

The simulation calls `run_round_to_decision` once a year (e.g. open in June, decisions in
November); the round's dates come from the legal calendar (Law 5393 art. 62: the draft
budget goes to the executive committee before 1 September; the group's opinion is due two
weeks earlier).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.emulator.telegram import SentMessage
from messages import catalog
from tests.harness import Harness, Person

_TAG = re.compile(r"<[^>]+>")
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def fragment(key: str, lang: str) -> str:
    """The longest literal piece of a catalog text (between placeholders, without HTML), to
    recognise a message in either language: `fragment("coplan.submitted", "en")`."""
    text = _TAG.sub("", catalog(lang)[key]).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return max((part.strip() for part in _PLACEHOLDER.split(text)), key=len)


def lang_of(person: Person) -> str:
    return "en" if (person.user.language_code or "tr").startswith("en") else "tr"


async def until(harness: Harness, moment: datetime) -> None:
    """Move the clock to `moment` (UTC) if it is still ahead; never backwards."""
    now = harness.clock.now()
    if moment > now:
        await harness.advance(moment - now)


async def expect(harness: Harness, person: Person, key: str, timeout: float = 8.0) -> SentMessage:
    """The next message to `person` that carries catalog text `key` in her language."""
    piece = fragment(key, lang_of(person))
    return await harness.server.wait_for_message(person.user, lambda m: piece in (m.text or ""), timeout=timeout)


async def with_button(harness: Harness, person: Person, prefix: str, timeout: float = 8.0) -> SentMessage:
    """The next message to `person` with a button whose callback data starts with `prefix`."""
    return await harness.server.wait_for_message(
        person.user, lambda m: any(data.startswith(prefix) for data in m.callback_datas), timeout=timeout)


async def command(harness: Harness, person: Person, tr: str, en: str) -> None:
    """Type a command in her language (notices still on their way arrive first)."""
    await harness.settle()
    await harness.server.send_text(person.user, tr if lang_of(person) == "tr" else en)


@dataclass
class Submitted:
    ref: str
    proposal_id: int
    author: Person


@dataclass
class RoundRun:
    """What `run_round_to_decision` did: the round, its phase ends (UTC), its proposals."""

    round_id: int
    year: int
    collect_until: datetime
    discuss_until: datetime
    vote_until: datetime
    adopt_until: datetime
    proposals: list[Submitted] = field(default_factory=list)
    opinion: SentMessage | None = None


async def open_budget_round(harness: Harness, coordinator: Person, *, picks: str = "3") -> RoundRun:
    """The coordinator opens the next budget round with the suggested (legal) schedule in one
    tap: `/onerituru` → Budget → the suggested year → "use these dates" → picks → open."""
    await command(harness, coordinator, "/onerituru", "/proposalround")
    feeds = await with_button(harness, coordinator, "cpround:feeds:")
    await harness.server.press_button(coordinator.user, feeds, "cpround:feeds:budget")
    year_ask = await with_button(harness, coordinator, "cpround:year:")
    year_choice = year_ask.callback_datas[0]
    await harness.server.press_button(coordinator.user, year_ask, year_choice)
    dates = await with_button(harness, coordinator, "cpround:dates:")
    await harness.server.press_button(coordinator.user, dates, "cpround:dates:use")
    ask_picks = await with_button(harness, coordinator, "cpround:picks:")
    await harness.server.press_button(coordinator.user, ask_picks, f"cpround:picks:{picks}")
    preview = await with_button(harness, coordinator, "cpround:open")
    await harness.server.press_button(coordinator.user, preview, "cpround:open")
    await expect(harness, coordinator, "coplan.round_opened_for_you")
    row = await harness.services.db.fetchone(
        "SELECT id, year, collect_until, discuss_until, vote_until, adopt_until FROM proposal_rounds "
        "ORDER BY id DESC LIMIT 1")
    ends = [datetime.fromisoformat(str(value)) for value in row[2:6]]
    return RoundRun(round_id=int(row[0]), year=int(row[1]), collect_until=ends[0], discuss_until=ends[1],
                    vote_until=ends[2], adopt_until=ends[3])


async def propose(harness: Harness, person: Person, title: str, body: str, *,
                  round_id: int | None = None) -> Submitted:
    """A member's proposal through `/oneri`: title, text, the optional fields skipped, submit.
    With several collecting rounds, `round_id` picks one."""
    await command(harness, person, "/oneri", "/propose")
    first = await harness.server.wait_for_message(
        person.user, lambda m: fragment("coplan.ask_title", lang_of(person)) in (m.text or "")
        or any(d.startswith("cpprop:round:") for d in m.callback_datas))
    if any(d.startswith("cpprop:round:") for d in first.callback_datas):
        await harness.server.press_button(person.user, first, f"cpprop:round:{round_id}")
        await expect(harness, person, "coplan.ask_title")
    await harness.server.send_text(person.user, title)
    await expect(harness, person, "coplan.ask_body")
    await harness.server.send_text(person.user, body)
    for key in ("coplan.ask_plan_item", "coplan.ask_beneficiaries", "coplan.ask_effect", "coplan.ask_evidence"):
        await expect(harness, person, key)
        await harness.server.send_text(person.user, "-")
    preview = await with_button(harness, person, "cpprop:submit")
    await harness.server.press_button(person.user, preview, "cpprop:submit")
    done = await expect(harness, person, "coplan.submitted")
    row = await harness.services.db.fetchone("SELECT id, ref FROM proposals WHERE title = ? ORDER BY id DESC LIMIT 1",
                                             (title,))
    assert row[1] in (done.text or ""), done.text
    return Submitted(ref=str(row[1]), proposal_id=int(row[0]), author=person)


async def vote(harness: Harness, person: Person, round_id: int, proposal_ids: Sequence[int]) -> None:
    """`/oy` and pick these proposals (each pick waits for the ballot's edit)."""
    await command(harness, person, "/oy", "/vote")
    ballot = await with_button(harness, person, f"cp:pk:{round_id}:")
    for count, proposal_id in enumerate(proposal_ids, start=1):
        await harness.server.press_button(person.user, ballot, f"cp:pk:{round_id}:{proposal_id}:0")
        await harness.server.wait_for_edit(ballot, lambda m, c=count: sum("✅" in b.text for row in m.buttons
                                                                          for b in row) == c)


async def consent(harness: Harness, person: Person, round_id: int, answer: str, reason: str | None = None, *,
                  result: SentMessage | None = None) -> None:
    """Answer the consent round from the result message (the next one with its buttons, or
    `result`): agree | reservation | object (with `reason`)."""
    result = result or await with_button(harness, person, f"cp:cs:{round_id}:")
    await harness.server.press_button(person.user, result, f"cp:cs:{round_id}:{answer}")
    if answer != "agree":
        await expect(harness, person, f"coplan.ask_reason_{answer}")
        await harness.server.send_text(person.user, reason or "—")
    await expect(harness, person, f"coplan.consent_saved_{answer}")


async def record_sent_on(harness: Harness, coordinator: Person, round_id: int, day: str) -> SentMessage:
    """The coordinator records the day the opinion went to the council (`dd.mm.yyyy`), from
    the round's heading in `/oneriler`."""
    await command(harness, coordinator, "/oneriler", "/proposals")
    heading = await with_button(harness, coordinator, f"cp:sent:{round_id}")
    await harness.server.press_button(coordinator.user, heading, f"cp:sent:{round_id}")
    await expect(harness, coordinator, "coplan.ask_sent_on")
    await harness.server.send_text(coordinator.user, day)
    return await expect(harness, coordinator, "coplan.sent_on_saved")


async def record_decision(harness: Harness, coordinator: Person, proposal_id: int, outcome: str,
                          details: str) -> None:
    """The council's decision on a proposal: card → "record its fate" → "council decided" →
    outcome (adopted | partly | rejected | pending) → `dd.mm.yyyy number reason`; the
    evidence photo is skipped."""
    await command(harness, coordinator, "/oneriler", "/proposals")
    listing = await with_button(harness, coordinator, f"cp:v:{proposal_id}")
    await harness.server.press_button(coordinator.user, listing, f"cp:v:{proposal_id}")
    card = await with_button(harness, coordinator, f"cp:fate:{proposal_id}")
    await harness.server.press_button(coordinator.user, card, f"cp:fate:{proposal_id}")
    steps = await with_button(harness, coordinator, f"cp:fs:{proposal_id}:")
    await harness.server.press_button(coordinator.user, steps, f"cp:fs:{proposal_id}:decision")
    outcomes = await with_button(harness, coordinator, f"cp:fo:{proposal_id}:")
    await harness.server.press_button(coordinator.user, outcomes, f"cp:fo:{proposal_id}:{outcome}")
    await expect(harness, coordinator, "coplan.ask_decision_details")
    await harness.server.send_text(coordinator.user, details)
    await expect(harness, coordinator, "coplan.fate_recorded")
    skip = await with_button(harness, coordinator, "cp:fskip")
    await harness.server.press_button(coordinator.user, skip, "cp:fskip")
    await expect(harness, coordinator, "coplan.decision_evidence_skipped")


async def resubmit(harness: Harness, person: Person, earlier_id: int, round_id: int) -> Submitted:
    """Next year: `/oneriler` lists the earlier round's pending or rejected proposals (with the
    council's answer); she taps "resubmit" on `earlier_id` and submits it unchanged. The new
    proposal keeps its history (`resubmitted_from`)."""
    await command(harness, person, "/oneriler", "/proposals")
    previous = await with_button(harness, person, f"cp:rs:{earlier_id}:{round_id}")
    await harness.server.press_button(person.user, previous, f"cp:rs:{earlier_id}:{round_id}")
    preview = await with_button(harness, person, "cpprop:submit")
    assert fragment("coplan.card_history", lang_of(person)) in (preview.text or ""), preview.text
    await harness.server.press_button(person.user, preview, "cpprop:submit")
    done = await expect(harness, person, "coplan.submitted")
    row = await harness.services.db.fetchone(
        "SELECT id, ref FROM proposals WHERE resubmitted_from = ? ORDER BY id DESC LIMIT 1", (earlier_id,))
    assert row is not None and row[1] in (done.text or ""), done.text
    return Submitted(ref=str(row[1]), proposal_id=int(row[0]), author=person)


@dataclass(frozen=True)
class Decision:
    """What the council decided on the n-th proposal: outcome, number, reason."""

    outcome: str            # adopted | partly | rejected
    number: str = "—"
    reason: str = ""


async def run_round_to_decision(harness: Harness, coordinator: Person, authors: Sequence[tuple[Person, str, str]],
                                voters: Sequence[Person], *, sent_on: date, decided_on: date,
                                decisions: Sequence[Decision]) -> RoundRun:
    """One budget round from collecting to the council's recorded decision:

    1. the coordinator opens the next budget round with the suggested schedule (call it in
       June: collecting ends in late July, adoption two weeks before 1 September);
    2. each (person, title, body) of `authors` submits a proposal ("keep separate" if a
       similar one is offered);
    3. the clock moves into voting and each voter approves the first proposal;
    4. past the vote's close everyone who voted agrees in the consent round;
    5. past the consent round the coordinator receives the final opinion .docx;
    6. at `sent_on` she records the day the opinion went to the council;
    7. at `decided_on` (e.g. in November) she records `decisions[i]` for proposal i.

    The clock only moves forward (to the phase ends + 1 h and to the given days, 10:00 in
    Istanbul); a simulation may stop the bot in between, the round's timers catch up.
    Returns the round with its proposals and the opinion message.
    """
    run = await open_budget_round(harness, coordinator)
    for person, title, body in authors:
        run.proposals.append(await propose(harness, person, title, body, round_id=run.round_id))
    await until(harness, run.discuss_until + timedelta(hours=9))
    for person in voters:
        await vote(harness, person, run.round_id, [run.proposals[0].proposal_id])
    await until(harness, run.vote_until + timedelta(hours=9))
    for person in voters:
        await consent(harness, person, run.round_id, "agree")
    await until(harness, run.adopt_until + timedelta(hours=9))
    caption = fragment("coplan.opinion_caption", lang_of(coordinator))
    run.opinion = await harness.server.wait_for_message(
        coordinator.user, lambda m: bool(m.document_name) and caption in (m.text or ""), timeout=8.0)
    await until(harness, _morning(sent_on))
    await record_sent_on(harness, coordinator, run.round_id, sent_on.strftime("%d.%m.%Y"))
    await until(harness, _morning(decided_on))
    for submitted, decision in zip(run.proposals, decisions, strict=False):
        details = f"{decided_on:%d.%m.%Y} {decision.number} {decision.reason}".strip()
        await record_decision(harness, coordinator, submitted.proposal_id, decision.outcome, details)
    return run


def _morning(day: date) -> datetime:
    """10:00 in Istanbul (UTC+3, no DST since 2016) on `day`, as UTC."""
    from datetime import UTC, time

    return datetime.combine(day, time(7, 0), tzinfo=UTC)
