"""Co-planning: the commands, the `cp:` buttons and the typed answers, wired to the parts.

Commands (Turkish alias first for Turkish users):
`/onerituru` `/proposalround` (coordinators) open a round; `/oneri` `/propose` submit a
proposal; `/oneriler` `/proposals` read and discuss; `/oy` `/vote` vote; `/gorus` `/opinion`
(coordinators) the opinion document. Buttons carry ids only; who may do what is checked here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bot.errors import NotAuthorized, NotFound
from bot.models import Attachment, Button, Reply, Role
from bot.services.broadcasts import BroadcastService
from bot.services.conversation import CommandSpec, Conversation, Ctx, Replies
from bot.services.coplanning.dialogs import FIELD_LENGTH, SKIP_WORDS, ProposalFlow, RoundFlow, TextFlow, clean
from bot.text import fold
from bot.services.coplanning.fate import Fate
from bot.services.coplanning.model import ConsentAnswer, Phase, Proposal, Round
from bot.services.coplanning.proposals import Proposals
from bot.services.coplanning import render
from bot.services.coplanning.render import plain
from bot.services.coplanning.rounds import Rounds
from bot.services.coplanning.voting import Voting
from bot.services.groups import GroupService
from bot.services.reminders import ReminderService
from messages import t
from storage import coplanning as repo
from storage.db import Database
from storage.dialogs import DialogState


class CoPlanningService:
    def __init__(self, db: Database, now: Callable[[], datetime], groups: GroupService,
                 reminders: ReminderService, broadcasts: BroadcastService) -> None:
        self.db = db
        self._now = now
        self.broadcasts = broadcasts
        self.reminders = reminders
        self.rounds = Rounds(db, now, groups, reminders, broadcasts)
        self.proposals = Proposals(self)
        self.voting = Voting(self)
        self.fate = Fate(self)
        # `hook(ctx)` when a member starts /oneri: replies shown before its first question.
        self.propose_hooks: list[Callable[[Ctx], Awaitable[Replies]]] = []

    def register(self, conversation: Conversation) -> None:
        self.conversation = conversation
        self.round_flow = RoundFlow(self, conversation)
        self.proposal_flow = ProposalFlow(self, conversation)
        self.text_flow = TextFlow(self, conversation)
        conversation.add_command(CommandSpec("proposalround", self.round_flow.begin, aliases=("onerituru",),
                                             coordinator_only=True, order=60))
        conversation.add_command(CommandSpec("propose", self.proposal_flow.begin, aliases=("oneri",), order=30))
        conversation.add_command(CommandSpec("proposals", self.proposals.overview, aliases=("oneriler",), order=31))
        conversation.add_command(CommandSpec("vote", self.voting.command, aliases=("oy",), order=32))
        conversation.add_command(CommandSpec("opinion", self.opinion_command, aliases=("gorus",),
                                             coordinator_only=True, order=61))
        for flow in (self.round_flow, self.proposal_flow, self.text_flow):
            conversation.add_flow(flow)
        conversation.add_choice("cp", self.on_choice)
        self.rounds.register()
        # Late is fine (it catches up on what it missed), so no grace: a long outage or a moved
        # clock runs it once and arms the next day.
        self.reminders.add_recurring("coplan-no-answer", self.fate.flag_unanswered, grace=None, hour=9, minute=0)

    @staticmethod
    async def forget_member(conn: Any, member_id: int) -> None:
        """`/unut` hook (inside its transaction): see `storage.coplanning.forget_member`."""
        await repo.forget_member(conn, member_id)

    # -- lookups and rules ----------------------------------------------------------------
    async def proposal(self, proposal_id: int) -> Proposal:
        async with self.db.read() as conn:
            found = await repo.get_proposal(conn, proposal_id)
        if found is None:
            raise NotFound()
        return found

    async def proposal_for(self, ctx: Ctx, proposal_id: int) -> tuple[Proposal, Round]:
        """The proposal and its round, if the person belongs to the round's group."""
        proposal = await self.proposal(proposal_id)
        round_ = await self.rounds.get(proposal.round_id)
        if round_.group_id not in ctx.roles:
            raise NotFound()
        return proposal, round_

    async def history_from(self, earlier_id: int, lang: str) -> list[str]:
        """A resubmission's history (earlier references, the council's answers and reasons)."""
        from bot.services.coplanning.rounds import history_from

        async with self.db.read() as conn:
            return await history_from(conn, earlier_id, lang)

    @staticmethod
    def require_coordinator(ctx: Ctx, group_id: int) -> None:
        if ctx.roles.get(group_id) is not Role.COORDINATOR:
            raise NotAuthorized(command="/onerituru" if ctx.lang == "tr" else "/proposalround")

    # -- buttons --------------------------------------------------------------------------
    async def on_choice(self, ctx: Ctx, parts: list[str]) -> Replies:
        """`cp:<action>:<ids…>`; a malformed or foreign id gets the stale-button answer."""
        action, ids = (parts[0] if parts else ""), parts[1:]
        numbers = [int(part) for part in ids if part.isdigit()]
        words = [part for part in ids if not part.isdigit()]
        try:
            return await self._dispatch(ctx, action, numbers, words)
        except (IndexError, ValueError, NotFound):
            return [ctx.text("error.stale_button")]

    async def _dispatch(self, ctx: Ctx, action: str, n: list[int], w: list[str]) -> Replies:
        if action == "v":
            return await self.proposals.view(ctx, n[0])
        if action == "s":
            return await self.proposals.set_stance(ctx, n[0], w[0])
        if action == "arg":
            return await self.proposals.ask_argument(ctx, n[0], w[0])
        if action == "rev":
            return await self.proposals.ask_revision(ctx, n[0])
        if action == "am":
            return await self.proposals.ask_amendment(ctx, n[0])
        if action in ("amok", "amno"):
            return await self.proposals.decide_amendment(ctx, n[0], accept=action == "amok")
        if action == "mrg":
            return await self.proposals.ask_merge_target(ctx, n[0])
        if action == "mrgto":
            return await self.proposals.merge(ctx, n[0], n[1])
        if action == "wd":
            return await self.proposals.ask_withdraw_reason(ctx, n[0])
        if action == "sim":
            return await self.proposals.on_similar(ctx, n[0], n[1], w[0])
        if action == "ballot":
            round_ = await self.rounds.get(n[0])
            if round_.group_id not in ctx.roles:
                raise NotFound()
            if round_.phase(ctx.now) is not Phase.VOTING:
                return [ctx.text("coplan.voting_closed")]
            return [await self.voting.ballot(ctx, round_, 0)]
        if action == "pk":
            return await self.voting.toggle(ctx, n[0], n[1], n[2])
        if action == "pg":
            return await self.voting.page(ctx, n[0], n[1])
        if action == "res":
            return await self.results(ctx, n[0])
        if action == "cs":
            return await self.consent(ctx, n[0], w[0])
        if action == "doc":
            return await self.opinion(ctx, n[0])
        if action == "fate":
            return await self.fate.ask_step(ctx, n[0])
        if action == "fs":
            return await self.fate.on_step(ctx, n[0], w[0])
        if action == "fo":
            return await self.fate.on_outcome(ctx, n[0], w[0])
        if action == "fskip":
            await self.conversation.end(ctx)
            return [ctx.text("coplan.decision_evidence_skipped")]
        if action == "old":
            return await self.proposals.older_list(ctx, n[0] if n else 0)
        if action == "rd":
            return await self.proposals.open_round(ctx, n[0])
        if action in ("arc", "unarc"):
            return await self.archive(ctx, n[0], restore=action == "unarc")
        if action == "sent":
            return await self.fate.ask_sent_on(ctx, n[0])
        if action == "xlsx":
            return await self.export_for(ctx)
        if action == "rs":
            return await self.proposal_flow.begin(ctx, [], resubmit_of=n[0], round_id=n[1])
        return [ctx.text("error.stale_button")]

    # -- typed answers to a button that asked for words ------------------------------------
    async def on_typed(self, ctx: Ctx, purpose: str, data: dict[str, Any], text: str) -> Replies | None:
        if purpose == "argument":
            return await self.proposals.save_argument(ctx, data, text)
        if purpose == "amendment":
            return await self.proposals.save_amendment(ctx, data, text)
        if purpose == "revision":
            return await self.proposals.save_revision(ctx, data, text)
        if purpose == "withdraw":
            return await self.proposals.withdraw(ctx, data, text)
        if purpose == "consent_reason":
            return await self._save_consent(ctx, int(data["round_id"]), str(data["answer"]),
                                            clean(text, FIELD_LENGTH, "coplan.bad_field"))
        if purpose == "sent_on":
            return await self.fate.save_sent_on(ctx, data, text)
        if purpose == "fate":
            return await self.fate.record(ctx, data, text)
        if purpose == "fate_evidence":
            if fold(text) in SKIP_WORDS:
                await self.conversation.end(ctx)
                return [ctx.text("coplan.decision_evidence_skipped")]
            return [ctx.text("coplan.decision_evidence_expected")]
        await self.conversation.end(ctx)
        return [ctx.text("error.stale_button")]

    async def on_text_choice(self, ctx: Ctx, state: DialogState, parts: list[str]) -> Replies:
        return [ctx.text("coplan.type_answer")]

    # -- results, consent, the opinion ---------------------------------------------------------
    async def results(self, ctx: Ctx, round_id: int) -> Replies:
        round_ = await self.rounds.get(round_id)
        if round_.group_id not in ctx.roles:
            raise NotFound()
        if round_.counted_at is None:
            return [ctx.text("coplan.results_hidden", until=(await self._when(round_, round_.vote_until, ctx.lang)))]
        group = await self.rounds.group(round_.group_id)
        async with self.db.read() as conn:
            lines, turnout = await repo.results(conn, round_.id)
        ask = round_.adopted_at is None and round_.phase(ctx.now) is Phase.ADOPTING
        return [self.rounds.result_reply(round_, group, lines, turnout, ctx.lang, ask=ask)]

    async def _when(self, round_: Round, moment: datetime, lang: str) -> str:
        from bot.services.coplanning.render import when

        return when(moment, await self.rounds.group(round_.group_id), lang)

    async def consent(self, ctx: Ctx, round_id: int, answer: str) -> Replies:
        round_ = await self.rounds.get(round_id)
        if round_.group_id not in ctx.roles or answer not in {a.value for a in ConsentAnswer}:
            raise NotFound()
        if round_.counted_at is None or round_.adopted_at is not None or round_.phase(ctx.now) is not Phase.ADOPTING:
            return [ctx.text("coplan.consent_closed")]
        if answer == ConsentAnswer.AGREE.value:
            return await self._save_consent(ctx, round_id, answer, None)
        return await self.text_flow.ask(ctx, "consent_reason", ctx.text(f"coplan.ask_reason_{answer}"),
                                        round_id=round_id, answer=answer)

    async def _save_consent(self, ctx: Ctx, round_id: int, answer: str, reason: str | None) -> Replies:
        round_ = await self.rounds.get(round_id)
        await self.conversation.end(ctx)
        if round_.adopted_at is not None or round_.phase(ctx.now) is not Phase.ADOPTING:
            return [ctx.text("coplan.consent_closed")]
        async with self.db.transaction() as tx:
            await repo.set_consent(tx, round_id, ctx.require_member().id, answer, reason, ctx.now)
        return [ctx.text(f"coplan.consent_saved_{answer}")]

    async def opinion_command(self, ctx: Ctx, args: list[str]) -> Replies:
        """`/gorus`: the opinion of each counted round still in its cycle (however long the
        council takes) of the groups she coordinates; older rounds' opinions are one tap
        away under "older rounds". A round nobody voted in has no opinion, and says so."""
        groups = ctx.coordinated_groups()
        rounds = [r for r in await self.rounds.current(groups) if r.counted_at is not None or ctx.now >= r.vote_until]
        replies: Replies = []
        for round_ in rounds[:3]:
            replies += await self.opinion(ctx, round_.id)
        if not replies:
            replies.append(ctx.text("coplan.no_opinion_yet"))
        older = await self.rounds.older(groups)
        if older:
            replies.append(Reply(text=t("coplan.older_heading", ctx.lang, count=len(older)), buttons=[
                [Button(label=t("coplan.older_button", ctx.lang), choice="cp:old:0")]]))
        return replies

    async def opinion(self, ctx: Ctx, round_id: int) -> Replies:
        """The round's opinion .docx: "draft" only while the consent round runs; final (dated
        the adoption) after it — adopted now if the bot was down when the round ended; none
        when nobody voted."""
        round_ = await self.rounds.get(round_id)
        if round_.group_id not in ctx.roles:
            raise NotFound()
        self.require_coordinator(ctx, round_.group_id)
        if round_.counted_at is None and ctx.now >= round_.vote_until:  # its timer has not run yet (downtime)
            if round_.phase(ctx.now) is Phase.CLOSED:
                await self.rounds.adopt(round_.id, ctx.now)
            else:
                await self.rounds.count(round_.id, ctx.now)
            round_ = await self.rounds.get(round_id)
        if round_.counted_at is None:
            return [ctx.text("coplan.no_opinion_yet")]
        group = await self.rounds.group(round_.group_id)
        if not await self.rounds.voters_of(round_.id):
            return [ctx.text("coplan.opinion_no_votes", group=group.name,
                             feeds=render.feeds_label(round_, ctx.lang))]
        if round_.adopted_at is None and round_.phase(ctx.now) is Phase.CLOSED:
            await self.rounds.adopt(round_.id, ctx.now)  # its timer has not run yet (downtime)
            round_ = await self.rounds.get(round_id)
        key = "coplan.opinion_caption" if round_.adopted_at else "coplan.opinion_draft_caption"
        return [Reply(text=t(key, ctx.lang, group=group.name),
                      attachment=await self.rounds.opinion_attachment(round_, group, ctx.lang))]

    async def archive(self, ctx: Ctx, round_id: int, *, restore: bool) -> Replies:
        """Coordinator: archive an ended round (it moves under "older rounds" and its
        unanswered proposals are no longer flagged) or bring it back."""
        round_ = await self.rounds.get(round_id)
        if round_.group_id not in ctx.roles:
            raise NotFound()
        self.require_coordinator(ctx, round_.group_id)
        group = await self.rounds.group(round_.group_id)
        if round_.phase(ctx.now) is not Phase.CLOSED:
            return [ctx.text("coplan.archive_not_ended", until=render.when(round_.adopt_until, group, ctx.lang))]
        if not await self.rounds.archive(round_id, ctx.require_member().id, restore=restore):
            return [ctx.text("coplan.not_archived" if restore else "coplan.already_archived")]
        feeds = render.feeds_label(round_, ctx.lang)
        if restore:
            return [ctx.text("coplan.restored_done", feeds=feeds)]
        return [Reply(text=t("coplan.archived_done", ctx.lang, feeds=feeds), buttons=[
            [Button(label=t("coplan.restore_button", ctx.lang), choice=f"cp:unarc:{round_.id}")]])]

    # -- across cities ------------------------------------------------------------------------
    SHARE_SETTING = "share_proposals"

    async def visible_groups(self, ctx: Ctx) -> list[int]:
        """Groups whose proposals a coordinator may see side by side: those she coordinates,
        and those that share theirs (`groups.settings.share_proposals`)."""
        mine = ctx.coordinated_groups()
        if not mine:
            return []
        shared = [group.id for group, _ in await self.rounds.all_groups() if group.settings.get(self.SHARE_SETTING)]
        return sorted(set(mine) | set(shared))

    async def export_attachment(self, group_ids: list[int], lang: str) -> Attachment:
        """The cross-city XLSX of these groups' proposals and outcomes."""
        from bot.services.coplanning.exports import ProposalRow, proposals_xlsx

        async with self.db.read() as conn:
            rows = await repo.export_rows(conn, group_ids)
        table = [ProposalRow(
            group=row["group_name"], city=row["city"],
            feeds=plain(t(f"coplan.feeds_{row['feeds']}", lang, year=row["year"])), ref=row["ref"],
            title=row["title"], plan_item=row["plan_item"] or "",
            status=plain(t(f"coplan.status_name_{row['status']}", lang)),
            votes=row["votes"] if row["voters"] else None, rank=row["rank"] if row["voters"] else None,
            tied=bool(row["tied"]), no_votes=row["voters"] == 0, earlier=row["earlier_ref"] or "",
            outcome=plain(t(f"coplan.outcome_{row['outcome']}", lang)),
            reason=row["outcome_reason"] or "",
            last_step=plain(t(f"coplan.step_{row['last_step']}", lang)) if row["last_step"] else "") for row in rows]
        content = await asyncio.to_thread(proposals_xlsx, table, lang)
        return Attachment(kind="document", filename="oneriler.xlsx" if lang == "tr" else "proposals.xlsx",
                          content=content,
                          mime_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    async def export_for(self, ctx: Ctx) -> Replies:
        groups = await self.visible_groups(ctx)
        if not groups:
            raise NotAuthorized(command="/oneriler" if ctx.lang == "tr" else "/proposals")
        return [Reply(text=t("coplan.export_caption", ctx.lang), attachment=await self.export_attachment(groups, ctx.lang))]

    async def resubmittable(self, ctx: Ctx, round_: Round) -> Reply | None:
        """For a round that is collecting: the group's pending or rejected proposals of the
        previous rounds for the same plan or budget, with their history and "resubmit?"."""
        async with self.db.read() as conn:
            earlier = await repo.open_for_resubmission(conn, round_.group_id, round_.feeds, round_.id)
            histories = {p.id: await repo.events(conn, p.id) for p in earlier}
        member = ctx.require_member()
        coordinator = ctx.roles.get(round_.group_id) is Role.COORDINATOR
        shown = [p for p in earlier if coordinator or p.author_id == member.id]
        if not shown:
            return None
        lines = []
        for proposal in shown[:8]:
            last = histories[proposal.id][-1] if histories[proposal.id] else None
            lines.append(t("coplan.previous_line", ctx.lang, ref=proposal.ref, title=proposal.title,
                           outcome=t(f"coplan.outcome_{proposal.outcome.value}", ctx.lang),
                           reason=(last or {}).get("reason") or proposal.outcome_reason or "—"))
        return Reply(text=t("coplan.previous_heading", ctx.lang) + "\n" + "\n".join(lines), buttons=[
            [Button(label=t("coplan.resubmit", ctx.lang, ref=p.ref.rsplit("-", 1)[-1]), choice=f"cp:rs:{p.id}:{round_.id}")]
            for p in shown[:8]])
