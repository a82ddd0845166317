"""Proposal rounds, proposals, the discussion, secret ballots, consent and fate (co-planning).

Ballots are secret: the only queries that read them count them, or return one voter's own
picks to that voter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from storage.sql import Connection, Row, insert_returning_id

from storage.coplanning_rows import Feeds, Outcome, Proposal, Round
from storage import personal_data
from storage.sql import fetch_all, fetch_one
from storage.times import from_db, to_db


def _round(row: Row) -> Round:
    return Round(id=row["id"], group_id=row["group_id"], feeds=Feeds(row["feeds"]), year=row["year"],
                 collect_until=from_db(row["collect_until"]), discuss_until=from_db(row["discuss_until"]),
                 vote_until=from_db(row["vote_until"]), adopt_until=from_db(row["adopt_until"]),
                 max_picks=row["max_picks"], quorum=row["quorum"], counted_at=from_db(row["counted_at"]),
                 adopted_at=from_db(row["adopted_at"]), archived_at=from_db(row["archived_at"]),
                 sent_on=date.fromisoformat(row["sent_on"]) if row["sent_on"] else None)


def _proposal(row: Row) -> Proposal:
    return Proposal(id=row["id"], round_id=row["round_id"], ref=row["ref"], title=row["title"], body=row["body"],
                    plan_item=row["plan_item"], beneficiaries=row["beneficiaries"], effect=row["effect"],
                    evidence_file_id=row["evidence_file_id"], author_id=row["author_id"], status=row["status"],
                    merged_into=row["merged_into"], status_reason=row["status_reason"], version=row["version"],
                    outcome=Outcome(row["outcome"]), outcome_reason=row["outcome_reason"],
                    resubmitted_from=row["resubmitted_from"], created_at=from_db(row["created_at"]))


# -- rounds ---------------------------------------------------------------------------------
async def create_round(conn: Connection, *, group_id: int, feeds: Feeds, year: int,
                       ends: tuple[datetime, datetime, datetime, datetime], max_picks: int,
                       quorum: int | None, created_by: int | None, now: datetime) -> Round:
    new_id = await insert_returning_id(
        conn, "INSERT INTO proposal_rounds (group_id, feeds, year, collect_until, discuss_until, vote_until, "
        "adopt_until, max_picks, quorum, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (group_id, feeds.value, year, *(to_db(end) for end in ends), max_picks, quorum, created_by, to_db(now)))
    found = await get_round(conn, new_id)
    assert found is not None
    return found


async def get_round(conn: Connection, round_id: int) -> Round | None:
    async with conn.execute("SELECT * FROM proposal_rounds WHERE id = ?", (round_id,)) as cursor:
        row = await cursor.fetchone()
    return _round(row) if row else None


async def rounds_of_groups(conn: Connection, group_ids: list[int]) -> list[Round]:
    """Every round of these groups, newest first."""
    if not group_ids:
        return []
    marks = ",".join("?" * len(group_ids))
    async with conn.execute(f"SELECT * FROM proposal_rounds WHERE group_id IN ({marks}) "
                            "ORDER BY adopt_until DESC, id DESC", group_ids) as cursor:
        return [_round(row) for row in await cursor.fetchall()]


async def set_counted(conn: Connection, round_id: int, now: datetime) -> bool:
    """Mark the vote counted; False when it already was (the close runs once)."""
    cursor = await conn.execute("UPDATE proposal_rounds SET counted_at = ? WHERE id = ? AND counted_at IS NULL",
                                (to_db(now), round_id))
    return cursor.rowcount == 1


async def set_adopted(conn: Connection, round_id: int, now: datetime) -> bool:
    cursor = await conn.execute("UPDATE proposal_rounds SET adopted_at = ? WHERE id = ? AND adopted_at IS NULL",
                                (to_db(now), round_id))
    return cursor.rowcount == 1


# -- proposals ------------------------------------------------------------------------------
async def next_ref_number(conn: Connection, round_id: int) -> int:
    async with conn.execute("SELECT COUNT(*) FROM proposals WHERE round_id = ?", (round_id,)) as cursor:
        row = await cursor.fetchone()
    return int(row[0]) + 1 if row else 1


async def create_proposal(conn: Connection, *, round_id: int, ref: str, title: str, body: str,
                          plan_item: str | None, beneficiaries: str | None, effect: str | None,
                          evidence: tuple[str, str] | None, author_id: int | None,
                          resubmitted_from: int | None, now: datetime) -> Proposal:
    proposal_id = await insert_returning_id(
        conn, "INSERT INTO proposals (round_id, ref, title, body, plan_item, beneficiaries, effect, evidence_file_id, "
        "evidence_channel, author_id, resubmitted_from, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (round_id, ref, title, body, plan_item, beneficiaries, effect, evidence[1] if evidence else None,
         evidence[0] if evidence else None, author_id, resubmitted_from, to_db(now), to_db(now)))
    await conn.execute("INSERT INTO proposal_versions (proposal_id, version, title, body, created_at) "
                       "VALUES (?, 1, ?, ?, ?)", (proposal_id, title, body, to_db(now)))
    found = await get_proposal(conn, proposal_id)
    assert found is not None
    return found


async def get_proposal(conn: Connection, proposal_id: int) -> Proposal | None:
    async with conn.execute("SELECT * FROM proposals WHERE id = ?", (proposal_id,)) as cursor:
        row = await cursor.fetchone()
    return _proposal(row) if row else None


async def proposals_of_round(conn: Connection, round_id: int, *, active_only: bool = True) -> list[Proposal]:
    where = " AND status = 'active'" if active_only else ""
    async with conn.execute(f"SELECT * FROM proposals WHERE round_id = ?{where} ORDER BY id", (round_id,)) as cursor:
        return [_proposal(row) for row in await cursor.fetchall()]


async def revise(conn: Connection, proposal_id: int, *, title: str, body: str, note: str | None,
                 now: datetime) -> int:
    """A new version of the text (the old ones are kept); returns the new version number."""
    await conn.execute("UPDATE proposals SET version = version + 1, title = ?, body = ?, updated_at = ? WHERE id = ?",
                       (title, body, to_db(now), proposal_id))
    async with conn.execute("SELECT version FROM proposals WHERE id = ?", (proposal_id,)) as cursor:
        row = await cursor.fetchone()
    version = int(row[0])
    await conn.execute("INSERT INTO proposal_versions (proposal_id, version, title, body, note, created_at) "
                       "VALUES (?, ?, ?, ?, ?, ?)", (proposal_id, version, title, body, note, to_db(now)))
    return version


async def versions(conn: Connection, proposal_id: int) -> list[dict[str, Any]]:
    async with conn.execute("SELECT version, title, body, note, created_at FROM proposal_versions "
                            "WHERE proposal_id = ? ORDER BY version", (proposal_id,)) as cursor:
        return [dict(row) for row in await cursor.fetchall()]


async def set_status(conn: Connection, proposal_id: int, status: str, *, reason: str | None,
                     merged_into: int | None, now: datetime) -> None:
    await conn.execute("UPDATE proposals SET status = ?, status_reason = ?, merged_into = ?, updated_at = ? "
                       "WHERE id = ?", (status, reason, merged_into, to_db(now), proposal_id))


async def add_coauthor(conn: Connection, proposal_id: int, member_id: int, now: datetime) -> None:
    await conn.execute("INSERT INTO proposal_coauthors (proposal_id, member_id, joined_at) VALUES (?, ?, ?) "
                       "ON CONFLICT DO NOTHING",
                       (proposal_id, member_id, to_db(now)))


async def authors(conn: Connection, proposal_id: int) -> list[int]:
    """The author (if still known) and the co-authors."""
    async with conn.execute(
        "SELECT author_id AS member_id FROM proposals WHERE id = ? AND author_id IS NOT NULL "
        "UNION SELECT member_id FROM proposal_coauthors WHERE proposal_id = ?", (proposal_id, proposal_id)) as cursor:
        return [int(row["member_id"]) for row in await cursor.fetchall()]


async def set_outcome(conn: Connection, proposal_id: int, outcome: Outcome, reason: str | None,
                      now: datetime) -> None:
    await conn.execute("UPDATE proposals SET outcome = ?, outcome_reason = ?, updated_at = ? WHERE id = ?",
                       (outcome.value, reason, to_db(now), proposal_id))


async def flag(conn: Connection, proposal_id: int, now: datetime) -> None:
    await conn.execute("UPDATE proposals SET flagged_at = ? WHERE id = ?", (to_db(now), proposal_id))


async def unanswered(conn: Connection) -> list[tuple[Proposal, int]]:
    """Active proposals still waiting for the council's answer (outcome pending), not
    resubmitted to a later round and not flagged yet, of adopted rounds nobody archived, with their round id; the caller decides
    from the round's sent-to-council day whether they are overdue."""
    rows = await fetch_all(
        conn, "SELECT p.* FROM proposals p JOIN proposal_rounds r ON r.id = p.round_id "
        "WHERE p.status = 'active' AND p.outcome = 'pending' AND p.flagged_at IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM proposals q WHERE q.resubmitted_from = p.id) "
        "AND r.adopted_at IS NOT NULL AND r.archived_at IS NULL ORDER BY p.round_id, p.id")
    return [(_proposal(row), int(row["round_id"])) for row in rows]


async def pending_counts(conn: Connection, round_ids: list[int]) -> dict[int, int]:
    """Round id → how many of its active proposals have no recorded outcome yet and were not
    resubmitted to a later round (their story goes on there); 0 if none."""
    if not round_ids:
        return {}
    marks = ",".join("?" * len(round_ids))
    rows = await fetch_all(
        conn, f"SELECT round_id, COUNT(*) AS n FROM proposals p WHERE round_id IN ({marks}) AND status = 'active' "
        "AND outcome = 'pending' AND NOT EXISTS (SELECT 1 FROM proposals q WHERE q.resubmitted_from = p.id) "
        "GROUP BY round_id", list(round_ids))
    found = {int(row["round_id"]): int(row["n"]) for row in rows}
    return {round_id: found.get(round_id, 0) for round_id in round_ids}


async def set_archived(conn: Connection, round_id: int, at: datetime | None, by: int | None) -> bool:
    """Archive (`at` set) or bring back (`at` None) a round; False if it already was so."""
    if at is None:
        cursor = await conn.execute("UPDATE proposal_rounds SET archived_at = NULL, archived_by = NULL "
                                    "WHERE id = ? AND archived_at IS NOT NULL", (round_id,))
    else:
        cursor = await conn.execute("UPDATE proposal_rounds SET archived_at = ?, archived_by = ? "
                                    "WHERE id = ? AND archived_at IS NULL", (to_db(at), by, round_id))
    return cursor.rowcount == 1


async def set_sent_on(conn: Connection, round_id: int, day: date) -> None:
    """The day the group's opinion went to the council (the 60-day flag counts from it)."""
    await conn.execute("UPDATE proposal_rounds SET sent_on = ? WHERE id = ?", (day.isoformat(), round_id))


async def round_number(conn: Connection, group_id: int, round_id: int) -> int:
    """The round's place among its group's rounds (1 for the group's first), for references."""
    row = await fetch_one(conn, "SELECT COUNT(*) AS n FROM proposal_rounds WHERE group_id = ? AND id <= ?",
                          (group_id, round_id))
    return int(row["n"]) if row else 1


async def ref_taken(conn: Connection, ref: str) -> bool:
    return await fetch_one(conn, "SELECT 1 FROM proposals WHERE ref = ?", (ref,)) is not None


async def decision_of(conn: Connection, proposal_id: int) -> dict[str, Any] | None:
    """The latest recorded council decision on a proposal (step 'decision'), or None."""
    row = await fetch_one(conn, "SELECT happened_on, reference, outcome, reason FROM proposal_events "
                          "WHERE proposal_id = ? AND step = 'decision' ORDER BY id DESC LIMIT 1", (proposal_id,))
    return dict(row) if row else None


async def open_for_resubmission(conn: Connection, group_id: int, feeds: Feeds, before_round: int) -> list[Proposal]:
    """Pending or rejected proposals of the group's earlier rounds for the same plan or budget
    (rounds that were adopted, or closed with nobody voting), not resubmitted yet."""
    async with conn.execute(
        "SELECT p.* FROM proposals p JOIN proposal_rounds r ON r.id = p.round_id "
        "WHERE r.group_id = ? AND r.feeds = ? AND r.id < ? AND p.status = 'active' "
        "AND p.outcome IN ('pending', 'rejected') AND (r.adopted_at IS NOT NULL OR (r.counted_at IS NOT NULL AND "
        "NOT EXISTS (SELECT 1 FROM proposal_turnout t WHERE t.round_id = r.id AND t.voters > 0))) "
        "AND NOT EXISTS (SELECT 1 FROM proposals q WHERE q.resubmitted_from = p.id) ORDER BY p.id",
        (group_id, feeds.value, before_round)) as cursor:
        return [_proposal(row) for row in await cursor.fetchall()]


# -- discussion -----------------------------------------------------------------------------
async def set_stance(conn: Connection, proposal_id: int, member_id: int, stance: str, now: datetime) -> None:
    await conn.execute(
        "INSERT INTO proposal_stances (proposal_id, member_id, stance, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (proposal_id, member_id) DO UPDATE SET stance = excluded.stance, updated_at = excluded.updated_at",
        (proposal_id, member_id, stance, to_db(now)))


async def set_argument(conn: Connection, proposal_id: int, member_id: int, stance: str, argument: str,
                       now: datetime) -> None:
    await conn.execute(
        "INSERT INTO proposal_stances (proposal_id, member_id, stance, argument, updated_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (proposal_id, member_id) DO UPDATE SET stance = excluded.stance, argument = excluded.argument, "
        "updated_at = excluded.updated_at", (proposal_id, member_id, stance, argument, to_db(now)))


@dataclass(frozen=True)
class Discussion:
    agree: int
    disagree: int
    passed: int
    arguments_for: list[str]
    arguments_against: list[str]


async def discussion(conn: Connection, proposal_id: int) -> Discussion:
    async with conn.execute("SELECT stance, argument FROM proposal_stances WHERE proposal_id = ? "
                            "ORDER BY updated_at", (proposal_id,)) as cursor:
        rows = await cursor.fetchall()
    counts = {"agree": 0, "disagree": 0, "pass": 0}
    pro: list[str] = []
    con: list[str] = []
    for row in rows:
        counts[row["stance"]] += 1
        if row["argument"]:
            (pro if row["stance"] == "agree" else con).append(row["argument"])
    return Discussion(counts["agree"], counts["disagree"], counts["pass"], pro, con)


async def stance_of(conn: Connection, proposal_id: int, member_id: int) -> str | None:
    async with conn.execute("SELECT stance FROM proposal_stances WHERE proposal_id = ? AND member_id = ?",
                            (proposal_id, member_id)) as cursor:
        row = await cursor.fetchone()
    return row["stance"] if row else None


# -- ballots (secret) -----------------------------------------------------------------------
async def my_picks(conn: Connection, round_id: int, member_id: int) -> set[int]:
    """The voter's own picks — shown to her alone."""
    async with conn.execute("SELECT proposal_id FROM proposal_ballots WHERE round_id = ? AND member_id = ?",
                            (round_id, member_id)) as cursor:
        return {int(row[0]) for row in await cursor.fetchall()}


async def pick(conn: Connection, round_id: int, member_id: int, proposal_id: int, now: datetime) -> None:
    await conn.execute("INSERT INTO proposal_ballots (round_id, member_id, proposal_id, picked_at) "
                       "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", (round_id, member_id, proposal_id, to_db(now)))


async def unpick(conn: Connection, round_id: int, member_id: int, proposal_id: int) -> None:
    await conn.execute("DELETE FROM proposal_ballots WHERE round_id = ? AND member_id = ? AND proposal_id = ?",
                       (round_id, member_id, proposal_id))


async def ballots_for_count(conn: Connection, round_id: int) -> list[tuple[int, int]]:
    """(voter, proposal) pairs, for counting only: never shown, never exported."""
    async with conn.execute("SELECT member_id, proposal_id FROM proposal_ballots WHERE round_id = ?",
                            (round_id,)) as cursor:
        return [(int(row[0]), int(row[1])) for row in await cursor.fetchall()]


async def voters(conn: Connection, round_id: int) -> set[int]:
    async with conn.execute("SELECT DISTINCT member_id FROM proposal_ballots WHERE round_id = ?",
                            (round_id,)) as cursor:
        return {int(row[0]) for row in await cursor.fetchall()}


async def save_results(conn: Connection, round_id: int, lines: list[tuple[int, int, int, bool]],
                       voters_count: int, members_count: int) -> None:
    await conn.executemany("INSERT INTO proposal_results (round_id, proposal_id, votes, rank, tied) "
                           "VALUES (?, ?, ?, ?, ?) ON CONFLICT (round_id, proposal_id) DO UPDATE SET "
                           "votes = excluded.votes, rank = excluded.rank, tied = excluded.tied", [(round_id, *line) for line in lines])
    await conn.execute("INSERT INTO proposal_turnout (round_id, voters, members) VALUES (?, ?, ?) "
                       "ON CONFLICT (round_id) DO UPDATE SET voters = excluded.voters, members = excluded.members",
                       (round_id, voters_count, members_count))


@dataclass(frozen=True)
class ResultLine:
    proposal: Proposal
    votes: int
    rank: int
    tied: bool


async def results(conn: Connection, round_id: int) -> tuple[list[ResultLine], tuple[int, int] | None]:
    """The frozen ranking and the turnout (voters, members) once the vote was counted."""
    async with conn.execute(
        "SELECT p.*, r.votes AS votes, r.rank AS result_rank, r.tied AS tied FROM proposal_results r "
        "JOIN proposals p ON p.id = r.proposal_id WHERE r.round_id = ? ORDER BY r.rank, p.id", (round_id,)) as cursor:
        lines = [ResultLine(_proposal(row), row["votes"], row["result_rank"], bool(row["tied"]))
                 for row in await cursor.fetchall()]
    async with conn.execute("SELECT voters, members FROM proposal_turnout WHERE round_id = ?", (round_id,)) as cursor:
        row = await cursor.fetchone()
    return lines, ((row["voters"], row["members"]) if row else None)


# -- consent round --------------------------------------------------------------------------
async def set_consent(conn: Connection, round_id: int, member_id: int, answer: str, reason: str | None,
                      now: datetime) -> None:
    await conn.execute(
        "INSERT INTO opinion_consents (round_id, member_id, answer, reason, answered_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (round_id, member_id) DO UPDATE SET answer = excluded.answer, reason = excluded.reason, "
        "answered_at = excluded.answered_at", (round_id, member_id, answer, reason, to_db(now)))


async def consents(conn: Connection, round_id: int) -> list[tuple[str, str | None]]:
    """(answer, reason) of every consent answer; who answered is not part of the opinion."""
    async with conn.execute("SELECT answer, reason FROM opinion_consents WHERE round_id = ? ORDER BY answered_at",
                            (round_id,)) as cursor:
        return [(row["answer"], row["reason"]) for row in await cursor.fetchall()]


async def consented(conn: Connection, round_id: int) -> set[int]:
    async with conn.execute("SELECT member_id FROM opinion_consents WHERE round_id = ? AND member_id IS NOT NULL",
                            (round_id,)) as cursor:
        return {int(row[0]) for row in await cursor.fetchall()}


# -- fate -----------------------------------------------------------------------------------
async def add_event(conn: Connection, proposal_id: int, *, step: str, happened_on: str, reference: str | None,
                    outcome: str | None, reason: str | None, evidence_file_id: str | None,
                    recorded_by: int | None, now: datetime) -> int:
    return await insert_returning_id(
        conn, "INSERT INTO proposal_events (proposal_id, step, happened_on, reference, outcome, reason, evidence_file_id, "
        "recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (proposal_id, step, happened_on, reference, outcome, reason, evidence_file_id, recorded_by, to_db(now)))


async def set_event_evidence(conn: Connection, event_id: int, file_id: str) -> None:
    """A photo or document of the council's decision (the platform's file id)."""
    await conn.execute("UPDATE proposal_events SET evidence_file_id = ? WHERE id = ?", (file_id, event_id))


async def events(conn: Connection, proposal_id: int) -> list[dict[str, Any]]:
    async with conn.execute("SELECT step, happened_on, reference, outcome, reason, evidence_file_id FROM proposal_events "
                            "WHERE proposal_id = ? ORDER BY id", (proposal_id,)) as cursor:
        return [dict(row) for row in await cursor.fetchall()]


# -- /forget --------------------------------------------------------------------------------
async def forget_member(conn: Connection, member_id: int) -> None:
    """Before a member is deleted: proposals of adopted opinions stay as "a member's proposal"
    (author cleared by ON DELETE SET NULL); her other proposals are deleted; ballots of rounds
    not yet counted go (counts of counted rounds are frozen in proposal_results)."""
    await conn.execute(
        "DELETE FROM proposals WHERE author_id = ? AND round_id IN "
        "(SELECT id FROM proposal_rounds WHERE adopted_at IS NULL)", (member_id,))
    await conn.execute(
        "DELETE FROM proposal_ballots WHERE member_id = ? AND round_id IN "
        "(SELECT id FROM proposal_rounds WHERE counted_at IS NULL)", (member_id,))


@personal_data.section("proposals")
async def _export(conn: Connection, member_id: int) -> Any:
    async with conn.execute("SELECT ref, title, body, plan_item, beneficiaries, effect, status, outcome, created_at "
                            "FROM proposals WHERE author_id = ? ORDER BY id", (member_id,)) as cursor:
        proposals = [dict(row) for row in await cursor.fetchall()]
    async with conn.execute("SELECT p.ref, s.stance, s.argument, s.updated_at FROM proposal_stances s "
                            "JOIN proposals p ON p.id = s.proposal_id WHERE s.member_id = ?", (member_id,)) as cursor:
        stances = [dict(row) for row in await cursor.fetchall()]
    async with conn.execute("SELECT p.ref, b.picked_at FROM proposal_ballots b JOIN proposals p ON p.id = b.proposal_id "
                            "WHERE b.member_id = ?", (member_id,)) as cursor:
        ballots = [dict(row) for row in await cursor.fetchall()]
    async with conn.execute("SELECT round_id, answer, reason, answered_at FROM opinion_consents WHERE member_id = ?",
                            (member_id,)) as cursor:
        consent_rows = [dict(row) for row in await cursor.fetchall()]
    async with conn.execute("SELECT p.ref, a.text, a.status, a.created_at FROM proposal_amendments a "
                            "JOIN proposals p ON p.id = a.proposal_id WHERE a.member_id = ?", (member_id,)) as cursor:
        amendments = [dict(row) for row in await cursor.fetchall()]
    return {"proposals": proposals, "stances_and_arguments": stances, "ballots": ballots,
            "opinion_consents": consent_rows, "amendments_suggested": amendments}


async def export_rows(conn: Connection, group_ids: list[int]) -> list[dict[str, Any]]:
    """Every proposal of these groups' rounds with its count, rank, the round's number of
    voters (None before the count), the reference it was resubmitted from and its last
    hand-off step (for the cross-city sheet); no ballot is read."""
    if not group_ids:
        return []
    marks = ",".join("?" * len(group_ids))
    async with conn.execute(
        "SELECT g.name AS group_name, g.city, r.feeds, r.year, p.ref, p.title, p.plan_item, p.status, p.outcome, "
        "p.outcome_reason, res.votes, res.rank, res.tied, tu.voters AS voters, "
        "(SELECT q.ref FROM proposals q WHERE q.id = p.resubmitted_from) AS earlier_ref, "
        "(SELECT step FROM proposal_events e WHERE e.proposal_id = p.id ORDER BY e.id DESC LIMIT 1) AS last_step "
        "FROM proposals p JOIN proposal_rounds r ON r.id = p.round_id JOIN groups g ON g.id = r.group_id "
        "LEFT JOIN proposal_results res ON res.proposal_id = p.id AND res.round_id = r.id "
        "LEFT JOIN proposal_turnout tu ON tu.round_id = r.id "
        f"WHERE r.group_id IN ({marks}) ORDER BY g.city, r.id, p.id", group_ids) as cursor:
        return [dict(row) for row in await cursor.fetchall()]


# -- amendments -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Amendment:
    id: int
    proposal_id: int
    member_id: int | None
    text: str
    status: str


async def add_amendment(conn: Connection, proposal_id: int, member_id: int, text: str, now: datetime) -> int:
    return await insert_returning_id(conn, "INSERT INTO proposal_amendments (proposal_id, member_id, text, created_at) "
                                     "VALUES (?, ?, ?, ?) RETURNING id", (proposal_id, member_id, text, to_db(now)))


async def get_amendment(conn: Connection, amendment_id: int) -> Amendment | None:
    async with conn.execute("SELECT id, proposal_id, member_id, text, status FROM proposal_amendments WHERE id = ?",
                            (amendment_id,)) as cursor:
        row = await cursor.fetchone()
    return Amendment(row["id"], row["proposal_id"], row["member_id"], row["text"], row["status"]) if row else None


async def decide_amendment(conn: Connection, amendment_id: int, status: str, now: datetime) -> bool:
    """Accept or reject an open amendment; False if it was decided before."""
    cursor = await conn.execute("UPDATE proposal_amendments SET status = ?, decided_at = ? WHERE id = ? AND status = 'open'",
                                (status, to_db(now), amendment_id))
    return cursor.rowcount == 1
