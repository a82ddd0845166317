"""What became of each proposal: the hand-off steps of the group's opinion (the city council's
executive board, its general assembly, the municipal council's agenda — Law 5393 art. 76)
and the council's decision, told at once to the authors and the group; proposals without an
answer after 60 days are flagged to coordinators with a drafted follow-up."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.errors import InvalidAnswer
from bot.models import Button, Reply, Role, Upload
from bot.services.conversation import Ctx, Replies
from bot.services.coplanning import render
from bot.services.coplanning.model import NO_ANSWER_AFTER, Outcome, Proposal, Round, Step
from bot.services.reminders import Reminder
from bot.text import fold
from messages import t
from storage import coplanning as repo
from storage import members as members_repo

if TYPE_CHECKING:
    from bot.services.coplanning.service import CoPlanningService

_DATE = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})$")
TODAY_WORDS = frozenset({"bugun", "today"})


def read_past_day(word: str, today: date) -> date:
    """A day on which something happened: `12.03.2027`, `12/3/27`, `bugün`/`today`; not in the
    future. Raises InvalidAnswer("coplan.bad_event_date")."""
    if fold(word) in TODAY_WORDS:
        return today
    match = _DATE.match(word.strip())
    if match is None:
        raise InvalidAnswer("coplan.bad_event_date")
    day, month, year = (int(part) for part in match.groups())
    if year < 100:
        year += 2000
    try:
        found = date(year, month, day)
    except ValueError as error:
        raise InvalidAnswer("coplan.bad_event_date") from error
    if found > today:
        raise InvalidAnswer("coplan.event_in_future")
    return found


class Fate:
    def __init__(self, service: CoPlanningService) -> None:
        self._service = service
        self._db = service.db

    async def ask_step(self, ctx: Ctx, proposal_id: int) -> Replies:
        proposal, round_ = await self._service.proposal_for(ctx, proposal_id)
        self._service.require_coordinator(ctx, round_.group_id)
        return [Reply(text=t("coplan.ask_fate_step", ctx.lang, ref=proposal.ref, title=proposal.title), buttons=[
            [Button(label=t(f"coplan.step_{step.value}", ctx.lang), choice=f"cp:fs:{proposal.id}:{step.value}")]
            for step in Step])]

    async def on_step(self, ctx: Ctx, proposal_id: int, step: str) -> Replies:
        proposal, round_ = await self._service.proposal_for(ctx, proposal_id)
        self._service.require_coordinator(ctx, round_.group_id)
        if step not in {s.value for s in Step}:
            return [ctx.text("error.stale_button")]
        if step == Step.DECISION.value:
            return [Reply(text=t("coplan.ask_outcome", ctx.lang, ref=proposal.ref), buttons=[
                [Button(label=t(f"coplan.outcome_{outcome.value}", ctx.lang),
                        choice=f"cp:fo:{proposal.id}:{outcome.value}")] for outcome in Outcome])]
        return await self._service.text_flow.ask(ctx, "fate", ctx.text("coplan.ask_fate_details"),
                                                 proposal_id=proposal.id, step=step, outcome=None)

    async def on_outcome(self, ctx: Ctx, proposal_id: int, outcome: str) -> Replies:
        proposal, round_ = await self._service.proposal_for(ctx, proposal_id)
        self._service.require_coordinator(ctx, round_.group_id)
        if outcome not in {o.value for o in Outcome}:
            return [ctx.text("error.stale_button")]
        return await self._service.text_flow.ask(ctx, "fate", ctx.text("coplan.ask_decision_details"),
                                                 proposal_id=proposal.id, step=Step.DECISION.value, outcome=outcome)

    async def record(self, ctx: Ctx, data: dict[str, Any], text: str) -> Replies:
        """`12.03.2027 2027/45 reason…`: the day, the document or decision number, and (for a
        decision) the stated reason; authors and the group are told at once."""
        proposal, round_ = await self._service.proposal_for(ctx, int(data["proposal_id"]))
        self._service.require_coordinator(ctx, round_.group_id)
        group = await self._service.rounds.group(round_.group_id)
        words = text.split(maxsplit=2)
        if not words:
            raise InvalidAnswer("coplan.bad_event_date")
        today = ctx.now.astimezone(ZoneInfo(group.timezone)).date()
        day = read_past_day(words[0], today)
        reference = words[1] if len(words) > 1 else None
        reason = words[2] if len(words) > 2 else None
        step, outcome = str(data["step"]), data.get("outcome")
        member = ctx.require_member()
        async with self._db.transaction() as tx:
            event_id = await repo.add_event(tx, proposal.id, step=step, happened_on=day.isoformat(), reference=reference,
                                 outcome=outcome, reason=reason, evidence_file_id=None, recorded_by=member.id,
                                 now=ctx.now)
            if outcome is not None:
                await repo.set_outcome(tx, proposal.id, Outcome(outcome), reason, ctx.now)
            authors = await repo.authors(tx, proposal.id)

            def notice(lang: str) -> Reply:
                key = "coplan.fate_decision" if outcome else "coplan.fate_step"
                return Reply(text=t(key, lang, ref=proposal.ref, title=proposal.title,
                                    step=t(f"coplan.step_{step}", lang), date=render.day(day, lang), reference=reference or "—",
                                    outcome=t(f"coplan.outcome_{outcome}", lang) if outcome else "",
                                    reason=reason or "—"))

            broadcasts = self._service.broadcasts
            event = f"cp:{proposal.id}:fate:{step}:{ctx.now.timestamp():.0f}"
            if authors:
                await broadcasts.send_to_members(None, authors, notice, key_prefix=f"{event}:a", conn=tx)
            everyone = await broadcasts.create_broadcast(event, group.id, "coplan_fate", conn=tx)
            others = [m.id for m, _ in await members_repo.group_members(tx, group.id) if m.id not in authors]
            await broadcasts.send_to_members(everyone, others, notice, conn=tx)
        await self._service.conversation.end(ctx)
        recorded = ctx.text("coplan.fate_recorded", ref=proposal.ref)
        if outcome is None:
            return [recorded]
        # A decision: its photo or document may follow (optional).
        return [recorded, *await self._service.text_flow.ask(ctx, "fate_evidence", Reply(
            text=t("coplan.ask_decision_evidence", ctx.lang),
            buttons=[[Button(label=t("coplan.skip_button", ctx.lang), choice="cp:fskip")]]),
            proposal_id=proposal.id, event_id=event_id)]

    async def save_evidence(self, ctx: Ctx, data: dict[str, Any], upload: Upload) -> Replies:
        """The decision's photo or document, kept with the recorded step."""
        proposal, round_ = await self._service.proposal_for(ctx, int(data["proposal_id"]))
        self._service.require_coordinator(ctx, round_.group_id)
        if upload.kind not in ("photo", "document") or not upload.file_id:
            return [ctx.text("coplan.decision_evidence_expected")]
        async with self._db.transaction() as tx:
            await repo.set_event_evidence(tx, int(data["event_id"]), f"{ctx.actor.channel}:{upload.file_id}")
        await self._service.conversation.end(ctx)
        return [ctx.text("coplan.decision_evidence_saved", ref=proposal.ref)]

    async def ask_sent_on(self, ctx: Ctx, round_id: int) -> Replies:
        """Coordinator: "on which day did the opinion go to the council?" (typed day)."""
        round_ = await self._service.rounds.get(round_id)
        if round_.group_id not in ctx.roles:
            return [ctx.text("error.stale_button")]
        self._service.require_coordinator(ctx, round_.group_id)
        if round_.adopted_at is None:
            return [ctx.text("coplan.sent_not_adopted")]
        group = await self._service.rounds.group(round_.group_id)
        example = render.day(ctx.now.astimezone(ZoneInfo(group.timezone)).date(), ctx.lang)
        return await self._service.text_flow.ask(ctx, "sent_on", ctx.text("coplan.ask_sent_on", example=example),
                                                 round_id=round_.id)

    async def save_sent_on(self, ctx: Ctx, data: dict[str, Any], text: str) -> Replies:
        """The typed day the opinion went to the council: not in the future, not before the
        adoption. The 60-day flag counts from it; flags not sent yet wait for the new day."""
        round_ = await self._service.rounds.get(int(data["round_id"]))
        self._service.require_coordinator(ctx, round_.group_id)
        if round_.adopted_at is None:
            await self._service.conversation.end(ctx)
            return [ctx.text("coplan.sent_not_adopted")]
        group = await self._service.rounds.group(round_.group_id)
        zone = ZoneInfo(group.timezone)
        today = ctx.now.astimezone(zone).date()
        example = render.day(today, ctx.lang)
        words = text.split()
        if len(words) != 1:
            raise InvalidAnswer("coplan.bad_sent_on", example=example)
        try:
            day = read_past_day(words[0], today)
        except InvalidAnswer as error:
            key = "coplan.sent_on_in_future" if error.key == "coplan.event_in_future" else "coplan.bad_sent_on"
            raise InvalidAnswer(key, example=example) from error
        adopted = round_.adopted_at.astimezone(zone).date()
        if day < adopted:
            raise InvalidAnswer("coplan.sent_on_before_adoption", adopted=render.day(adopted, ctx.lang),
                                example=example)
        await self._service.rounds.set_sent_on(round_.id, day)
        await self._service.conversation.end(ctx)
        return [ctx.text("coplan.sent_on_saved", date=render.day(day, ctx.lang),
                         flag=render.day(day + NO_ANSWER_AFTER, ctx.lang))]

    async def flag_unanswered(self, reminder: Reminder, now: datetime) -> None:
        """Daily: for each adopted, not archived round, the proposals still without the
        council's answer 60 days after the opinion went to the council (the day a coordinator
        recorded, else the adoption day, in the group's calendar) go to the group's
        coordinators once, in one message with a drafted follow-up and a button per proposal.
        Counting from each member's submission flagged every proposal the morning after the
        adoption (issue 17)."""
        async with self._db.transaction() as tx:
            by_round: dict[int, list[Proposal]] = {}
            for proposal, round_id in await repo.unanswered(tx):
                by_round.setdefault(round_id, []).append(proposal)
            for round_id, proposals in by_round.items():
                round_ = await repo.get_round(tx, round_id)
                if round_ is None or round_.adopted_at is None:
                    continue
                group = await self._service.rounds.group(round_.group_id)
                zone = ZoneInfo(group.timezone)
                sent = round_.sent_on or round_.adopted_at.astimezone(zone).date()
                today = now.astimezone(zone).date()
                if today < sent + NO_ANSWER_AFTER:
                    continue
                for proposal in proposals:
                    await repo.flag(tx, proposal.id, now)
                coordinators = [m.id for m, role in await members_repo.group_members(tx, group.id)
                                if role is Role.COORDINATOR]
                days = (today - sent).days
                shown = proposals

                def notice(lang: str, r: Round = round_, g: Any = group, d: int = days, s: Any = sent,
                           ps: list[Proposal] = shown) -> Reply:
                    lines = "\n".join(t("coplan.no_answer_line", lang, ref=p.ref, title=p.title) for p in ps)
                    return Reply(text=t("coplan.no_answer_round", lang, group=g.name, feeds=render.feeds_label(r, lang),
                                        sent=render.day(s, lang), days=d, lines=lines,
                                        refs=", ".join(p.ref for p in ps)),
                                 buttons=[[Button(label=f"📌 {p.ref.rsplit('-', 1)[-1]} · {p.title}"[:60],
                                                  choice=f"cp:fate:{p.id}")] for p in ps[:8]])

                await self._service.broadcasts.send_to_members(
                    None, coordinators, notice, key_prefix=f"cp:round:{round_.id}:noanswer:{today.isoformat()}:m",
                    conn=tx)
