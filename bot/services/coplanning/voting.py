"""Capped approval voting in chat: each member picks up to K proposals and may change her picks
until the close. Tallies stay hidden until the close (no bandwagon); only the turnout and the
quorum are shown. The ballot pages hold at most 8 proposals, so it fits a WhatsApp list too."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.models import Button, Reply
from bot.services.conversation import Ctx, Replies
from bot.services.coplanning import render
from bot.services.coplanning.model import Phase, Round
from messages import t
from storage import coplanning as repo
from storage import members as members_repo

if TYPE_CHECKING:
    from bot.services.coplanning.service import CoPlanningService

PAGE = 8


class Voting:
    def __init__(self, service: CoPlanningService) -> None:
        self._service = service
        self._db = service.db

    async def command(self, ctx: Ctx, args: list[str]) -> Replies:
        """`/oy`: the ballot of each round of her groups that is in its voting phase; with none,
        the results of the rounds still in their cycle, one tap each."""
        ctx.require_member()
        current = await self._service.rounds.current(list(ctx.roles))
        voting = [r for r in current if r.phase(ctx.now) is Phase.VOTING]
        if not voting:
            # The vote of a round still in its cycle is over: its result is one tap away.
            counted = [r for r in current if r.counted_at is not None][:4]
            return [Reply(text=t("coplan.no_voting_round", ctx.lang), buttons=[
                [Button(label=f"📊 {render.plain(render.feeds_label(r, ctx.lang))}"[:60], choice=f"cp:res:{r.id}")]
                for r in counted])]
        return [await self.ballot(ctx, round_, 0) for round_ in voting]

    async def ballot(self, ctx: Ctx, round_: Round, page: int, *, edit: bool = False) -> Reply:
        member = ctx.require_member()
        group = await self._service.rounds.group(round_.group_id)
        async with self._db.read() as conn:
            proposals = await repo.proposals_of_round(conn, round_.id)
            mine = await repo.my_picks(conn, round_.id, member.id)
            voters = len(await repo.voters(conn, round_.id))
            members = len(await members_repo.group_members(conn, group.id))
        pages = max(1, -(-len(proposals) // PAGE))
        page = min(max(page, 0), pages - 1)
        text = t("coplan.ballot", ctx.lang, group=group.name, feeds=render.feeds_label(round_, ctx.lang),
                 picks=len(mine), max=round_.picks_allowed(len(proposals)), voters=voters, members=members,
                 until=render.when(round_.vote_until, group, ctx.lang))
        if round_.quorum:
            text += "\n" + t("coplan.ballot_quorum", ctx.lang, quorum=round_.quorum)
        if pages > 1:
            text += "\n" + t("coplan.page", ctx.lang, page=page + 1, pages=pages)
        buttons = []
        for proposal in proposals[page * PAGE:(page + 1) * PAGE]:
            mark = "✅" if proposal.id in mine else "◻️"
            number = proposal.ref.rsplit("-", 1)[-1]
            buttons.append([Button(label=f"{mark} {number} · {proposal.title}"[:60],
                                   choice=f"cp:pk:{round_.id}:{proposal.id}:{page}")])
        nav = []
        if page > 0:
            nav.append(Button(label="◀", choice=f"cp:pg:{round_.id}:{page - 1}"))
        if page + 1 < pages:
            nav.append(Button(label="▶", choice=f"cp:pg:{round_.id}:{page + 1}"))
        if nav:
            buttons.append(nav)
        reply = Reply(text=text, buttons=buttons)
        if edit and ctx.actor.source_message_id:
            reply = reply.model_copy(update={"edit_of": ctx.actor.source_message_id})
        return reply

    async def toggle(self, ctx: Ctx, round_id: int, proposal_id: int, page: int) -> Replies:
        """Pick or unpick; a pick beyond K is refused with the rule named."""
        round_ = await self._service.rounds.get(round_id)
        if round_.group_id not in ctx.roles:
            return [ctx.text("error.stale_button")]
        if round_.phase(ctx.now) is not Phase.VOTING or round_.counted_at is not None:
            return [ctx.text("coplan.voting_closed")]
        member = ctx.require_member()
        async with self._db.transaction() as tx:
            proposal = await repo.get_proposal(tx, proposal_id)
            if proposal is None or proposal.round_id != round_.id or not proposal.active:
                return [ctx.text("error.stale_button")]
            mine = await repo.my_picks(tx, round_.id, member.id)
            if proposal.id in mine:
                await repo.unpick(tx, round_.id, member.id, proposal.id)
            elif len(mine) >= (allowed := round_.picks_allowed(len(await repo.proposals_of_round(tx, round_.id)))):
                return [ctx.text("coplan.too_many_picks", max=allowed)]
            else:
                await repo.pick(tx, round_.id, member.id, proposal.id, ctx.now)
        return [await self.ballot(ctx, round_, page, edit=True)]

    async def page(self, ctx: Ctx, round_id: int, page: int) -> Replies:
        round_ = await self._service.rounds.get(round_id)
        if round_.group_id not in ctx.roles:
            return [ctx.text("error.stale_button")]
        if round_.phase(ctx.now) is not Phase.VOTING:
            return [ctx.text("coplan.voting_closed")]
        return [await self.ballot(ctx, round_, page, edit=True)]
