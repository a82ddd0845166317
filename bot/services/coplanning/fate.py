"""What became of each proposal: the hand-off steps of the group's opinion (the city council's
executive board, its general assembly, the municipal council's agenda — Law 5393 art. 76)
and the council's decision, told at once to the authors and the group; proposals without an
answer after 60 days are flagged to coordinators with a drafted follow-up."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.errors import InvalidAnswer
from bot.models import Button, Reply, Role, Upload
from bot.services.conversation import Ctx, Replies
from bot.services.coplanning.model import NO_ANSWER_AFTER, Outcome, Step
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
            shown = day.strftime("%d.%m.%Y")

            def notice(lang: str) -> Reply:
                key = "coplan.fate_decision" if outcome else "coplan.fate_step"
                return Reply(text=t(key, lang, ref=proposal.ref, title=proposal.title,
                                    step=t(f"coplan.step_{step}", lang), date=shown, reference=reference or "—",
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

    async def flag_unanswered(self, reminder: Reminder, now: datetime) -> None:
        """Daily: proposals still without an answer 60 days after submission, once each, to the
        group's coordinators with a drafted follow-up they can forward."""
        async with self._db.transaction() as tx:
            for proposal, group_id in await repo.unanswered(tx, now - NO_ANSWER_AFTER):
                round_ = await repo.get_round(tx, proposal.round_id)
                if round_ is None or round_.adopted_at is None:
                    continue
                await repo.flag(tx, proposal.id, now)
                coordinators = [m.id for m, role in await members_repo.group_members(tx, group_id)
                                if role is Role.COORDINATOR]
                days = (now - proposal.created_at) // timedelta(days=1)
                await self._service.broadcasts.send_to_members(
                    None, coordinators, lambda lang, p=proposal, d=days: Reply(
                        text=t("coplan.no_answer_yet", lang, ref=p.ref, title=p.title, days=d),
                        buttons=[[Button(label=t("coplan.record_fate", lang), choice=f"cp:fate:{p.id}")]]),
                    key_prefix=f"cp:{proposal.id}:noanswer:m", conn=tx)
