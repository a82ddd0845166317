"""Proposal rounds: opening one (`/onerituru`), the phase changes members are told about, the
count at the end of voting, and the adoption of the group's opinion.

Each phase change is a reminder row (`coplan:<round>:…`) of the reminders engine, so a restart
or an outage cannot lose it; every notice is a broadcast through the outbox.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.errors import NotFound
from storage.sql import Connection

from bot.models import Button, Group, Recheck, Reply, Role
from bot.services.broadcasts import BroadcastService
from bot.services.coplanning import render
from bot.services.coplanning.model import PROPOSALS_LEAD, Feeds, Phase, Proposal, Round, legal_deadline
from bot.services.coplanning.opinion import OpinionDocument, OpinionLine, build_opinion_docx
from bot.services.coplanning.ranking import rank
from bot.services.groups import GroupService
from bot.services.late import LateDelivery, Recipient
from bot.services.reminders import HOLD, Reminder, ReminderService
from messages import format_date, t
from storage import coplanning as repo
from storage import members as members_repo
from storage.db import Database

if TYPE_CHECKING:
    from bot.models import Attachment

PHASE_KIND = "coplan_phase"
NUDGE_KIND = "coplan_vote_nudge"
COUNT_KIND = "coplan_count"
ADOPT_KIND = "coplan_adopt"
VOTE_NUDGE_LEAD = timedelta(days=1)


def suggested_schedule(feeds: Feeds, year: int, now: datetime, zone: ZoneInfo) -> tuple[datetime, ...]:
    """Phase ends a coordinator can take with one tap.

    For a budget or performance programme the opinion must be adopted two weeks before the
    draft budget goes to the executive committee (1 September of year−1, Law 5393 art. 62);
    voting ends a week before that, discussion two weeks before voting, collecting two weeks
    before discussion. Otherwise the round runs 2 + 2 + 1 + 1 weeks from today. Each phase
    ends at 23:59 in the group's zone.
    """
    deadline = legal_deadline(feeds, year)
    if deadline is not None:
        adopt_day = deadline[0] - PROPOSALS_LEAD
        days = (adopt_day - timedelta(days=28), adopt_day - timedelta(days=14), adopt_day - timedelta(days=7), adopt_day)
    else:
        today = now.astimezone(zone).date()
        days = (today + timedelta(days=14), today + timedelta(days=28), today + timedelta(days=35),
                today + timedelta(days=42))
    return tuple(end_of_day(day, zone) for day in days)


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(23, 59), tzinfo=zone).astimezone(ZoneInfo("UTC"))


def default_year(feeds: Feeds, now: datetime) -> int:
    """The first year whose budget/programme deadline still leaves six weeks for a round."""
    year = now.year + 1
    while True:
        deadline = legal_deadline(feeds, year)
        if deadline is None or deadline[0] - PROPOSALS_LEAD - timedelta(days=42) >= now.date():
            return year
        year += 1


class Rounds:
    """Opening rounds and running their phases."""

    def __init__(self, db: Database, now: Callable[[], datetime], groups: GroupService,
                 reminders: ReminderService, broadcasts: BroadcastService) -> None:
        self._db = db
        self._now = now
        self._groups = groups
        self._reminders = reminders
        self._broadcasts = broadcasts
        # `hook(round)` inside the opening transaction, after the group was told (lesson offers).
        self.opened_hooks: list[Callable[[Round], Awaitable[None]]] = []

    def register(self) -> None:
        self._reminders.register_kind(PHASE_KIND, self._on_phase, grace=None, quiet=HOLD)
        self._reminders.register_kind(NUDGE_KIND, self._on_nudge, grace=_until_vote_ends)
        self._reminders.register_kind(COUNT_KIND, self._on_count, grace=None, quiet=HOLD)
        self._reminders.register_kind(ADOPT_KIND, self._on_adopt, grace=None, quiet=HOLD)

    async def group(self, group_id: int) -> Group:
        group = await self._groups.get(group_id)
        if group is None:
            raise NotFound()
        return group

    async def all_groups(self) -> list[tuple[Group, dict[str, int]]]:
        return await self._groups.all()

    async def get(self, round_id: int) -> Round:
        async with self._db.read() as conn:
            found = await repo.get_round(conn, round_id)
        if found is None:
            raise NotFound()
        return found

    async def current(self, group_ids: list[int]) -> list[Round]:
        """The rounds still in their cycle (newest first): every round that is not archived and
        either still running or with a proposal whose council answer is not recorded yet.
        However many months the council takes (budgets are decided in October–November), the
        round stays in `/oneriler`, `/gorus` and the exports until then."""
        return (await self._split(group_ids))[0]

    async def older(self, group_ids: list[int]) -> list[Round]:
        """The rounds whose cycle is over (newest first): archived by a coordinator, or ended
        with every proposal's fate recorded. Listed under "older rounds", still browsable."""
        return (await self._split(group_ids))[1]

    async def _split(self, group_ids: list[int]) -> tuple[list[Round], list[Round]]:
        now = self._now()
        async with self._db.read() as conn:
            rounds = await repo.rounds_of_groups(conn, group_ids)
            pending = await repo.pending_counts(conn, [r.id for r in rounds])
        current, older = [], []
        for round_ in rounds:
            (older if self.settled(round_, pending[round_.id], now) else current).append(round_)
        return current, older

    @staticmethod
    def settled(round_: Round, pending: int, now: datetime) -> bool:
        """A round's cycle is over when a coordinator archived it, or when it has ended (the
        consent round is over) and no active proposal waits for the council's answer."""
        if round_.archived_at is not None:
            return True
        return round_.phase(now) is Phase.CLOSED and pending == 0

    async def archive(self, round_id: int, member_id: int | None, *, restore: bool = False) -> bool:
        """Archive a round (it moves to "older rounds" and its proposals are no longer flagged
        as unanswered) or bring it back; False if it already was so."""
        async with self._db.transaction() as tx:
            return await repo.set_archived(tx, round_id, None if restore else self._now(), member_id)

    async def set_sent_on(self, round_id: int, day: date) -> None:
        """Record the day the opinion went to the council (the 60-day flag counts from it)."""
        async with self._db.transaction() as tx:
            await repo.set_sent_on(tx, round_id, day)

    # -- opening --------------------------------------------------------------------------
    async def open(self, *, group_id: int, feeds: Feeds, year: int, ends: tuple[datetime, ...],
                   max_picks: int, quorum: int | None, created_by: int | None, announce: bool = True) -> Round:
        """Store the round, tell the group (unless `announce` is False: seeded data), arm its
        phase changes; one transaction."""
        async with self._db.transaction() as tx:
            round_ = await repo.create_round(tx, group_id=group_id, feeds=feeds, year=year,
                                             ends=(ends[0], ends[1], ends[2], ends[3]), max_picks=max_picks,
                                             quorum=quorum, created_by=created_by, now=self._now())
            group = await self.group(group_id)
            previous = await repo.open_for_resubmission(tx, group_id, feeds, round_.id)
            broadcast = await self._broadcasts.create_broadcast(f"coplan:{round_.id}:opened", group_id, "coplan")

            def notice(lang: str) -> Reply:
                text = t("coplan.round_opened", lang, group=group.name, feeds=render.feeds_label(round_, lang),
                         schedule=render.schedule(round_, group, lang), picks=round_.max_picks)
                text += "\n" + t("coplan.consent_rule", lang)
                if previous:
                    text += "\n\n" + t("coplan.previous_open", lang, count=len(previous))
                return Reply(text=text)

            if announce:
                await self._broadcasts.send_to_group(broadcast, group_id, notice)
                for hook in self.opened_hooks:
                    await hook(round_)
            for phase, until in ((Phase.DISCUSSING, round_.collect_until), (Phase.VOTING, round_.discuss_until)):
                await self._reminders.schedule(f"coplan:{round_.id}:phase:{phase.value}", PHASE_KIND, until,
                                               {"round_id": round_.id, "phase": phase.value})
            nudge_at = round_.vote_until - VOTE_NUDGE_LEAD
            if nudge_at > max(round_.discuss_until, self._now()):
                await self._reminders.schedule(f"coplan:{round_.id}:nudge", NUDGE_KIND, nudge_at,
                                               {"round_id": round_.id, "until": round_.vote_until.isoformat()})
            await self._reminders.schedule(f"coplan:{round_.id}:count", COUNT_KIND, round_.vote_until,
                                           {"round_id": round_.id})
            await self._reminders.schedule(f"coplan:{round_.id}:adopt", ADOPT_KIND, round_.adopt_until,
                                           {"round_id": round_.id})
        return round_

    # -- phase changes ------------------------------------------------------------------------
    async def _on_phase(self, reminder: Reminder, now: datetime) -> None:
        round_ = await self.get(int(reminder.payload["round_id"]))
        group = await self.group(round_.group_id)
        phase = Phase(str(reminder.payload["phase"]))
        async with self._db.read() as conn:
            count = len(await repo.proposals_of_round(conn, round_.id))
        broadcast = await self._broadcasts.create_broadcast(reminder.key, group.id, "coplan")

        ends = round_.discuss_until if phase is Phase.DISCUSSING else round_.vote_until
        # Held on WhatsApp and read after the phase ended: not delivered (no check beyond `until`).
        recheck = Recheck(kind=PHASE_KIND, until=ends, reminder=False)

        def notice(lang: str) -> Reply:
            key = "coplan.discussion_open" if phase is Phase.DISCUSSING else "coplan.voting_open"
            return Reply(text=t(key, lang, group=group.name, feeds=render.feeds_label(round_, lang), count=count,
                                picks=round_.picks_allowed(count), until=render.when(ends, group, lang)),
                         recheck=recheck)

        await self._broadcasts.send_to_group(broadcast, group.id, notice)

    async def _on_nudge(self, reminder: Reminder, now: datetime) -> None:
        """Members who have not voted yet (and only they) are reminded, without any tally."""
        round_ = await self.get(int(reminder.payload["round_id"]))
        if round_.counted_at is not None:
            return
        group = await self.group(round_.group_id)
        async with self._db.read() as conn:
            everyone = [member.id for member, _ in await members_repo.group_members(conn, group.id)]
            voted = await repo.voters(conn, round_.id)
            count = len(await repo.proposals_of_round(conn, round_.id))
        missing = [member_id for member_id in everyone if member_id not in voted]
        broadcast = await self._broadcasts.create_broadcast(reminder.key, group.id, "coplan_nudge")
        recheck = Recheck(kind=NUDGE_KIND, ref={"round_id": round_.id}, until=_until_vote_ends(reminder))
        await self._broadcasts.send_to_members(broadcast, missing, lambda lang: Reply(text=t(
            "coplan.vote_nudge", lang, group=group.name, until=render.when(round_.vote_until, group, lang),
            picks=round_.picks_allowed(count)), recheck=recheck))

    def register_late(self, late: LateDelivery) -> None:
        """A vote nudge held on WhatsApp is checked again when she writes."""
        late.register(NUDGE_KIND, self._late_nudge)

    async def _late_nudge(self, conn: Connection, held: Reply, recheck: Recheck, recipient: Recipient,
                          now: datetime) -> Reply | None:
        """The nudge as it was, unless the vote was counted or she has voted meanwhile."""
        round_ = await repo.get_round(conn, int(recheck.ref["round_id"]))
        if round_ is None or round_.counted_at is not None or recipient.member_id is None:
            return None
        return None if recipient.member_id in await repo.voters(conn, round_.id) else held

    async def _on_count(self, reminder: Reminder, now: datetime) -> None:
        await self.count(int(reminder.payload["round_id"]), now)

    async def count(self, round_id: int, now: datetime) -> bool:
        """Close the vote: freeze the ranking and turnout, tell the group the ranked result and
        open the consent round. Runs once (False if it already ran)."""
        async with self._db.transaction() as tx:
            if not await repo.set_counted(tx, round_id, now):
                return False
            round_ = await self.get(round_id)
            group = await self.group(round_.group_id)
            proposals = await repo.proposals_of_round(tx, round_id)
            ballots = await repo.ballots_for_count(tx, round_id)
            members = await members_repo.group_members(tx, group.id)
            ranked = rank([p.id for p in proposals], ballots)
            await repo.save_results(tx, round_id, [(line.proposal_id, line.votes, line.rank, line.tied)
                                                   for line in ranked],
                                    len({voter for voter, _ in ballots}), len(members))
            lines, turnout = await repo.results(tx, round_id)
            broadcast = await self._broadcasts.create_broadcast(f"coplan:{round_id}:result", group.id, "coplan")
            # Held on WhatsApp and read after the consent round ended: not delivered (its buttons are dead).
            recheck = Recheck(kind=PHASE_KIND, until=round_.adopt_until, reminder=False)
            await self._broadcasts.send_to_group(
                broadcast, group.id, lambda lang: self.result_reply(round_, group, lines, turnout, lang, ask=True)
                .model_copy(update={"recheck": recheck}))
        return True

    def result_reply(self, round_: Round, group: Group, lines: list[repo.ResultLine],
                     turnout: tuple[int, int] | None, lang: str, *, ask: bool) -> Reply:
        """The ranked result with counts (never who chose what); ties said as ties. With no
        vote cast there is no ranking: the proposals are listed unranked and the round yields
        no opinion (the same answer `/gorus`, the CLI and the spreadsheet give)."""
        voters, members = turnout or (0, 0)
        text = t("coplan.result_heading", lang, group=group.name, feeds=render.feeds_label(round_, lang),
                 voters=voters, members=members)
        if round_.quorum and voters:
            key = "coplan.quorum_met" if voters >= round_.quorum else "coplan.quorum_missed"
            text += "\n" + t(key, lang, quorum=round_.quorum, voters=voters)
        if not lines:
            text += "\n" + t("coplan.result_empty", lang)
        elif voters == 0:  # nobody voted: no ranking the group could stand behind, no opinion
            text += "\n\n" + t("coplan.no_votes", lang)
            for line in lines:
                text += "\n" + t("coplan.result_line_unranked", lang, ref=line.proposal.ref, title=line.proposal.title)
        else:
            for line in lines:
                text += "\n" + t("coplan.result_line_tied" if line.tied else "coplan.result_line", lang,
                                 rank=line.rank, ref=line.proposal.ref, title=line.proposal.title, votes=line.votes)
        buttons: list[list[Button]] = []
        if ask and lines and voters > 0:
            text += "\n\n" + t("coplan.consent_ask", lang, until=render.when(round_.adopt_until, group, lang))
            text += "\n" + t("coplan.consent_rule", lang)
            buttons = [[Button(label=t("coplan.consent_agree", lang), choice=f"cp:cs:{round_.id}:agree")],
                       [Button(label=t("coplan.consent_reservation", lang), choice=f"cp:cs:{round_.id}:reservation")],
                       [Button(label=t("coplan.consent_object", lang), choice=f"cp:cs:{round_.id}:object")]]
        return Reply(text=text, buttons=buttons)

    async def voters_of(self, round_id: int) -> int | None:
        """How many members voted in the round, or None while the vote is not counted."""
        async with self._db.read() as conn:
            _, turnout = await repo.results(conn, round_id)
        return None if turnout is None else turnout[0]

    async def _on_adopt(self, reminder: Reminder, now: datetime) -> None:
        await self.adopt(int(reminder.payload["round_id"]), now)

    async def adopt(self, round_id: int, now: datetime) -> None:
        """End the consent round: the opinion becomes final (adopted now) and goes to the
        coordinators in both languages; with no vote cast the group is told there is no
        opinion. Runs once; also run by `/gorus` when the bot was down at the round's end."""
        if (await self.get(round_id)).counted_at is None:
            await self.count(round_id, now)
        async with self._db.transaction() as tx:
            _, turnout = await repo.results(tx, round_id)
            if not (turnout or (0, 0))[0]:  # nobody voted: there is no group opinion to adopt
                round_ = await self.get(round_id)
                if round_.adopted_at is not None:
                    return
                group = await self.group(round_.group_id)
                nothing = await self._broadcasts.create_broadcast(f"coplan:{round_id}:adopted", group.id, "coplan")
                await self._broadcasts.send_to_group(nothing, group.id, lambda lang: Reply(text=t(
                    "coplan.not_adopted_no_votes", lang, group=group.name, feeds=render.feeds_label(round_, lang))))
                return
            # Adopted when the consent round ended, even if the bot was down then and runs this
            # later: the opinion is dated by the round's calendar, never by an outage.
            ended = (await self.get(round_id)).adopt_until
            if not await repo.set_adopted(tx, round_id, min(now, ended)):
                return
            round_ = await repo.get_round(tx, round_id)
            assert round_ is not None
            group = await self.group(round_.group_id)
            coordinators = [member.id for member, role in await members_repo.group_members(tx, group.id)
                            if role is Role.COORDINATOR]
            everyone = await self._broadcasts.create_broadcast(f"coplan:{round_id}:adopted", group.id, "coplan")
            await self._broadcasts.send_to_group(everyone, group.id, lambda lang: Reply(text=t(
                "coplan.adopted", lang, group=group.name, feeds=render.feeds_label(round_, lang))))
            files = await self._broadcasts.create_broadcast(f"coplan:{round_id}:opinion", group.id, "coplan")
            documents = {lang: await self.opinion_attachment(round_, group, lang, conn=tx) for lang in ("tr", "en")}
            await self._broadcasts.send_to_members(files, coordinators, lambda lang: Reply(
                text=t("coplan.opinion_caption", lang, group=group.name), attachment=documents.get(lang, documents["tr"])))

    # -- the opinion document ----------------------------------------------------------------
    async def opinion_attachment(self, round_: Round, group: Group, lang: str, *, conn: Connection | None = None
                                 ) -> Attachment:
        from bot.models import Attachment

        content = await self.opinion_docx(round_, group, lang, conn=conn)
        return Attachment(kind="document", filename=f"gorus-{group.city.lower()}-{round_.year}-{round_.id}.docx",
                          content=content, mime_type="application/vnd.openxmlformats-officedocument."
                                                    "wordprocessingml.document")

    async def opinion_docx(self, round_: Round, group: Group, lang: str, *, conn: Connection | None = None) -> bytes:
        """The opinion as a .docx: dated the day it was adopted (a draft, while the consent round
        runs, says so and carries the day the vote closed); never the day it is downloaded."""
        if conn is None:
            async with self._db.read() as read:
                return await self.opinion_docx(round_, group, lang, conn=read)
        lines, turnout = await repo.results(conn, round_.id)
        answers = await repo.consents(conn, round_.id)
        count = len(await repo.proposals_of_round(conn, round_.id))
        discussions = {line.proposal.id: await repo.discussion(conn, line.proposal.id) for line in lines}
        histories = {line.proposal.id: [render.plain(text) for text in await history_lines(conn, line.proposal, lang)]
                     for line in lines}
        voters, members = turnout or (0, 0)
        dated = round_.adopted_at or round_.counted_at or self._now()
        draft = None
        if round_.adopted_at is None:
            draft = t("coplan.doc_draft", lang, until=render.when(round_.adopt_until, group, lang))
        document = OpinionDocument(
            group=group.name, city=group.city, date=format_date(dated, lang, group.timezone),
            feeds=render.plain(render.feeds_label(round_, lang)), max_picks=round_.picks_allowed(count), voters=voters,
            members=members,
            lines=[OpinionLine(rank=line.rank, tied=line.tied, votes=line.votes, ref=line.proposal.ref,
                               title=line.proposal.title, body=line.proposal.body, plan_item=line.proposal.plan_item,
                               beneficiaries=line.proposal.beneficiaries, effect=line.proposal.effect,
                               arguments_for=discussions[line.proposal.id].arguments_for,
                               history=histories[line.proposal.id])
                   for line in lines],
            agree=sum(1 for answer, _ in answers if answer == "agree"),
            reservations=[reason or "—" for answer, reason in answers if answer == "reservation"],
            objections=[reason or "—" for answer, reason in answers if answer == "object"], draft=draft)
        import asyncio

        return await asyncio.to_thread(build_opinion_docx, document, lang)


async def history_lines(conn: Connection, proposal: Proposal, lang: str) -> list[str]:
    """A resubmitted proposal's history, oldest first: each earlier reference with the
    council's recorded answer, its date, decision number and stated reason (or "no answer
    recorded"). Empty for a proposal submitted for the first time."""
    return await history_from(conn, proposal.resubmitted_from, lang, seen={proposal.id})


async def history_from(conn: Connection, earlier_id: int | None, lang: str, *, seen: set[int] | None = None
                       ) -> list[str]:
    """`history_lines` of a proposal resubmitted from `earlier_id` (also before it exists:
    the resubmission's preview)."""
    found: list[str] = []
    seen = set(seen or ())
    while earlier_id is not None and earlier_id not in seen:
        seen.add(earlier_id)
        earlier = await repo.get_proposal(conn, earlier_id)
        if earlier is None:
            break
        decision = await repo.decision_of(conn, earlier.id)
        if decision is None:
            found.append(t("coplan.history_no_answer", lang, ref=earlier.ref,
                           outcome=t(f"coplan.outcome_{earlier.outcome.value}", lang)))
        else:
            found.append(t("coplan.history_line", lang, ref=earlier.ref,
                           outcome=t(f"coplan.outcome_{decision['outcome'] or earlier.outcome.value}", lang),
                           date=render.day(date.fromisoformat(decision["happened_on"]), lang),
                           reference=decision["reference"] or "—",
                           reason=decision["reason"] or earlier.outcome_reason or "—"))
        earlier_id = earlier.resubmitted_from
    return list(reversed(found))


def _until_vote_ends(reminder: Reminder) -> datetime | None:
    until = reminder.payload.get("until")
    return datetime.fromisoformat(str(until)) if until else None
