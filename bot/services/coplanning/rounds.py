"""Proposal rounds: opening one (`/onerituru`), the phase changes members are told about, the
count at the end of voting, and the adoption of the group's opinion.

Each phase change is a reminder row (`coplan:<round>:…`) of the reminders engine, so a restart
or an outage cannot lose it; every notice is a broadcast through the outbox.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.errors import NotFound
from storage.sql import Connection

from bot.models import Button, Group, Recheck, Reply, Role
from bot.services.broadcasts import BroadcastService
from bot.services.coplanning import render
from bot.services.coplanning.model import PROPOSALS_LEAD, Feeds, Phase, Round, legal_deadline
from bot.services.coplanning.opinion import OpinionDocument, OpinionLine, build_opinion_docx
from bot.services.coplanning.ranking import rank
from bot.services.groups import GroupService
from bot.services.late import LateDelivery, Recipient
from bot.services.reminders import Reminder, ReminderService
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

    def register(self) -> None:
        self._reminders.register_kind(PHASE_KIND, self._on_phase, grace=None)
        self._reminders.register_kind(NUDGE_KIND, self._on_nudge, grace=_until_vote_ends)
        self._reminders.register_kind(COUNT_KIND, self._on_count, grace=None)
        self._reminders.register_kind(ADOPT_KIND, self._on_adopt, grace=None)

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
        """Rounds not finished yet (newest first), or finished in the last 30 days."""
        now = self._now()
        async with self._db.read() as conn:
            rounds = await repo.rounds_of_groups(conn, group_ids)
        return [r for r in rounds if r.adopt_until > now - timedelta(days=30)]

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
                if previous:
                    text += "\n\n" + t("coplan.previous_open", lang, count=len(previous))
                return Reply(text=text)

            if announce:
                await self._broadcasts.send_to_group(broadcast, group_id, notice)
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
        """The ranked result with counts (never who chose what); ties said as ties."""
        voters, members = turnout or (0, 0)
        text = t("coplan.result_heading", lang, group=group.name, feeds=render.feeds_label(round_, lang),
                 voters=voters, members=members)
        if round_.quorum:
            key = "coplan.quorum_met" if voters >= round_.quorum else "coplan.quorum_missed"
            text += "\n" + t(key, lang, quorum=round_.quorum, voters=voters)
        for line in lines:
            text += "\n" + t("coplan.result_line_tied" if line.tied else "coplan.result_line", lang,
                             rank=line.rank, ref=line.proposal.ref, title=line.proposal.title, votes=line.votes)
        if not lines:
            text += "\n" + t("coplan.result_empty", lang)
        elif voters == 0:  # nobody voted: no ranking the group could stand behind
            text += "\n\n" + t("coplan.no_votes", lang)
        buttons: list[list[Button]] = []
        if ask and lines and voters > 0:
            text += "\n\n" + t("coplan.consent_ask", lang, until=render.when(round_.adopt_until, group, lang))
            buttons = [[Button(label=t("coplan.consent_agree", lang), choice=f"cp:cs:{round_.id}:agree")],
                       [Button(label=t("coplan.consent_reservation", lang), choice=f"cp:cs:{round_.id}:reservation")],
                       [Button(label=t("coplan.consent_object", lang), choice=f"cp:cs:{round_.id}:object")]]
        return Reply(text=text, buttons=buttons)

    async def _on_adopt(self, reminder: Reminder, now: datetime) -> None:
        round_id = int(reminder.payload["round_id"])
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
            if not await repo.set_adopted(tx, round_id, now):
                return
            round_ = await self.get(round_id)
            group = await self.group(round_.group_id)
            coordinators = [member.id for member, role in await members_repo.group_members(tx, group.id)
                            if role is Role.COORDINATOR]
            everyone = await self._broadcasts.create_broadcast(f"coplan:{round_id}:adopted", group.id, "coplan")
            await self._broadcasts.send_to_group(everyone, group.id, lambda lang: Reply(text=t(
                "coplan.adopted", lang, group=group.name, feeds=render.feeds_label(round_, lang))))
            files = await self._broadcasts.create_broadcast(f"coplan:{round_id}:opinion", group.id, "coplan")
            documents = {lang: await self.opinion_attachment(round_, group, lang) for lang in ("tr", "en")}
            await self._broadcasts.send_to_members(files, coordinators, lambda lang: Reply(
                text=t("coplan.opinion_caption", lang, group=group.name), attachment=documents.get(lang, documents["tr"])))

    # -- the opinion document ----------------------------------------------------------------
    async def opinion_attachment(self, round_: Round, group: Group, lang: str) -> Attachment:
        from bot.models import Attachment

        content = await self.opinion_docx(round_, group, lang)
        return Attachment(kind="document", filename=f"gorus-{group.city.lower()}-{round_.year}-{round_.id}.docx",
                          content=content, mime_type="application/vnd.openxmlformats-officedocument."
                                                    "wordprocessingml.document")

    async def opinion_docx(self, round_: Round, group: Group, lang: str) -> bytes:
        """The opinion as a .docx (draft until the consent round ends)."""
        async with self._db.read() as conn:
            lines, turnout = await repo.results(conn, round_.id)
            answers = await repo.consents(conn, round_.id)
            count = len(await repo.proposals_of_round(conn, round_.id))
            discussions = {line.proposal.id: await repo.discussion(conn, line.proposal.id) for line in lines}
        voters, members = turnout or (0, 0)
        document = OpinionDocument(
            group=group.name, city=group.city, date=format_date(self._now(), lang, group.timezone),
            feeds=render.plain(render.feeds_label(round_, lang)), max_picks=round_.picks_allowed(count), voters=voters,
            members=members,
            lines=[OpinionLine(rank=line.rank, tied=line.tied, votes=line.votes, ref=line.proposal.ref,
                               title=line.proposal.title, body=line.proposal.body, plan_item=line.proposal.plan_item,
                               beneficiaries=line.proposal.beneficiaries, effect=line.proposal.effect,
                               arguments_for=discussions[line.proposal.id].arguments_for)
                   for line in lines],
            agree=sum(1 for answer, _ in answers if answer == "agree"),
            reservations=[reason or "—" for answer, reason in answers if answer == "reservation"],
            objections=[reason or "—" for answer, reason in answers if answer == "object"])
        import asyncio

        return await asyncio.to_thread(build_opinion_docx, document, lang)


def _until_vote_ends(reminder: Reminder) -> datetime | None:
    until = reminder.payload.get("until")
    return datetime.fromisoformat(str(until)) if until else None
