"""Proposals: submitting (with similar proposals offered for merging), the discussion
(agree / disagree / pass and one argument each), revisions by the author (versions kept), and
the coordinators' merge and withdrawal with a reason the authors see."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.errors import NotFound
from bot.models import Button, Reply, Role
from bot.services.conversation import Ctx, Replies
from bot.services.coplanning import render
from bot.services.coplanning.model import Phase, Proposal, Round, Stance
from bot.services.coplanning.rounds import history_lines
from bot.services.coplanning.similarity import similar
from messages import format_date, t
from storage import coplanning as repo
from storage import members as members_repo

if TYPE_CHECKING:
    from bot.services.coplanning.service import CoPlanningService

DISCUSSABLE = (Phase.COLLECTING, Phase.DISCUSSING)
ARGUMENT_LENGTH = (5, 400)
AMENDMENT_LENGTH = (5, 800)


def reference(city: str, round_: Round, number: int, *, round_number: int, group_id: int | None = None) -> str:
    """A stable, readable reference: KARS-2027-B2-003 (city, year, what it feeds with the
    round's place among the group's own rounds — 2: the group's second round, whatever other
    groups did —, the proposal's number in the round). `group_id` is added to the city only
    when another group of the same city already holds the reference (KARS7-2027-B1-001)."""
    from bot.text import fold

    letter = {"strategic_plan": "SP", "performance_programme": "PP", "budget": "B", "yeep": "Y"}[round_.feeds.value]
    town = "".join(ch for ch in fold(city).upper() if ch.isalnum())[:14] or "G"  # GAZIANTEP, KAHRAMANMARAS
    if group_id is not None:
        town += str(group_id)
    return f"{town}-{round_.year}-{letter}{round_number}-{number:03d}"


async def new_reference(conn: Any, city: str, round_: Round) -> str:
    """The next free reference of a proposal in `round_` (see `reference`): numbers count the
    round's proposals, rounds count the group's rounds; never one already given."""
    round_number = await repo.round_number(conn, round_.group_id, round_.id)
    number = await repo.next_ref_number(conn, round_.id)
    while True:
        ref = reference(city, round_, number, round_number=round_number)
        if not await repo.ref_taken(conn, ref):
            return ref
        # Another group of this city uses the same numbers: tell them apart by the group.
        ref = reference(city, round_, number, round_number=round_number, group_id=round_.group_id)
        if not await repo.ref_taken(conn, ref):
            return ref
        number += 1


class Proposals:
    def __init__(self, service: CoPlanningService) -> None:
        self._service = service
        self._db = service.db

    async def submit(self, ctx: Ctx, data: dict[str, Any]) -> Replies:
        member = ctx.require_member()
        round_ = await self._service.rounds.get(int(data["round_id"]))
        if round_.group_id not in ctx.roles or round_.phase(ctx.now) is not Phase.COLLECTING:
            await self._service.conversation.end(ctx)
            return [ctx.text("coplan.collecting_over")]
        group = await self._service.rounds.group(round_.group_id)
        async with self._db.transaction() as tx:
            others = await repo.proposals_of_round(tx, round_.id)
            ref = await new_reference(tx, group.city, round_)
            evidence = data.get("evidence")
            proposal = await repo.create_proposal(
                tx, round_id=round_.id, ref=ref, title=str(data["title"]),
                body=str(data["body"]), plan_item=data.get("plan_item"), beneficiaries=data.get("beneficiaries"),
                effect=data.get("effect"), evidence=(str(evidence[0]), str(evidence[1])) if evidence else None,
                author_id=member.id, resubmitted_from=data.get("resubmitted_from"), now=ctx.now)
        await self._service.conversation.end(ctx)
        replies = [ctx.text("coplan.submitted", ref=proposal.ref, title=proposal.title)]
        matches = similar((proposal.title, proposal.body),
                          [(p.id, (p.title, p.body)) for p in others if p.author_id != member.id],
                          ignore=(group.city,))
        for match_id, _ in matches[:2]:
            match = next(p for p in others if p.id == match_id)
            replies.append(Reply(text=t("coplan.similar_found", ctx.lang, ref=match.ref, title=match.title), buttons=[
                [Button(label=t("coplan.similar_merge", ctx.lang), choice=f"cp:sim:{proposal.id}:{match.id}:merge")],
                [Button(label=t("coplan.similar_coauthor", ctx.lang), choice=f"cp:sim:{proposal.id}:{match.id}:coauthor")],
                [Button(label=t("coplan.similar_keep", ctx.lang), choice=f"cp:sim:{proposal.id}:{match.id}:keep")]]))
        return replies

    async def on_similar(self, ctx: Ctx, new_id: int, match_id: int, action: str) -> Replies:
        """The author's answer to "a similar proposal exists": merge her text into it, join it as
        a co-author (hers is withdrawn), or keep both."""
        member = ctx.require_member()
        new = await self._service.proposal(new_id)
        match = await self._service.proposal(match_id)
        if new.author_id != member.id or new.round_id != match.round_id or not new.active or not match.active:
            return [ctx.text("error.stale_button")]
        if action == "keep":
            return [ctx.text("coplan.kept_separate", ref=new.ref)]
        async with self._db.transaction() as tx:
            if action == "merge":
                await repo.revise(tx, match.id, title=match.title, body=f"{match.body}\n\n{new.body}",
                                  note=t("coplan.merged_note", "tr", ref=new.ref), now=ctx.now)
            await repo.add_coauthor(tx, match.id, member.id, ctx.now)
            await repo.set_status(tx, new.id, "merged", reason=None, merged_into=match.id, now=ctx.now)
            authors = [a for a in await repo.authors(tx, match.id) if a != member.id]
            await self._tell(tx, authors, f"cp:{match.id}:joined:{member.id}", lambda lang: t(
                "coplan.coauthor_joined", lang, name=member.display_name, ref=match.ref, title=match.title))
        key = "coplan.merged_done" if action == "merge" else "coplan.coauthor_done"
        return [ctx.text(key, ref=match.ref, title=match.title)]

    async def _tell(self, tx: Any, member_ids: list[int], key: str, text: Any) -> None:
        """Queue a message for the authors; `key` names the event (one message per event and person)."""
        if member_ids:
            await self._service.broadcasts.send_to_members(
                None, member_ids, lambda lang: Reply(text=text(lang)), key_prefix=f"{key}:m", conn=tx)

    # -- listing and reading --------------------------------------------------------------
    async def overview(self, ctx: Ctx, args: list[str]) -> Replies:
        """`/oneriler`: the rounds of her groups still in their cycle (running, or waiting for
        the council's answer on a proposal), each with its proposals as buttons; older rounds
        (archived, or with every fate recorded) behind one button."""
        ctx.require_member()
        rounds = await self._service.rounds.current(list(ctx.roles))
        older = await self._service.rounds.older(list(ctx.roles))
        replies: Replies = []
        if not rounds:
            replies.append(ctx.text("coplan.no_rounds"))
        for round_ in rounds[:4]:
            replies += await self.round_replies(ctx, round_)
        if len(rounds) > 4:  # a coordinator of several groups: the rest one tap away, none hidden
            buttons = []
            for round_ in rounds[4:12]:
                group = await self._service.rounds.group(round_.group_id)
                label = t("coplan.older_line", ctx.lang, feeds=render.plain(render.feeds_label(round_, ctx.lang)),
                          group=group.city)
                buttons.append([Button(label=label[:60], choice=f"cp:rd:{round_.id}")])
            replies.append(Reply(text=t("coplan.more_rounds", ctx.lang, count=len(rounds) - 4), buttons=buttons))
        if older:
            replies.append(Reply(text=t("coplan.older_heading", ctx.lang, count=len(older)), buttons=[
                [Button(label=t("coplan.older_button", ctx.lang), choice="cp:old:0")]]))
        if ctx.is_coordinator:
            replies.append(Reply(text=t("coplan.export_offer", ctx.lang), buttons=[
                [Button(label=t("coplan.export_button", ctx.lang), choice="cp:xlsx")]]))
        return replies

    async def older_list(self, ctx: Ctx, page: int) -> Replies:
        """The older rounds, eight to a page, each a button that opens it."""
        older = await self._service.rounds.older(list(ctx.roles))
        if not older:
            return [ctx.text("coplan.no_older")]
        pages = max(1, -(-len(older) // 8))
        page = min(max(page, 0), pages - 1)
        buttons = []
        for round_ in older[page * 8:(page + 1) * 8]:
            group = await self._service.rounds.group(round_.group_id)
            label = t("coplan.older_line", ctx.lang, feeds=render.plain(render.feeds_label(round_, ctx.lang)),
                      group=group.city)
            buttons.append([Button(label=label[:60], choice=f"cp:rd:{round_.id}")])
        nav = []
        if page > 0:
            nav.append(Button(label="◀", choice=f"cp:old:{page - 1}"))
        if page + 1 < pages:
            nav.append(Button(label="▶", choice=f"cp:old:{page + 1}"))
        if nav:
            buttons.append(nav)
        text = t("coplan.older_heading", ctx.lang, count=len(older))
        if pages > 1:
            text += "\n" + t("coplan.page", ctx.lang, page=page + 1, pages=pages)
        return [Reply(text=text, buttons=buttons)]

    async def open_round(self, ctx: Ctx, round_id: int) -> Replies:
        """One round (current or older) as `/oneriler` shows it."""
        round_ = await self._service.rounds.get(round_id)
        if round_.group_id not in ctx.roles:
            raise NotFound()
        return await self.round_replies(ctx, round_)

    async def round_replies(self, ctx: Ctx, round_: Round) -> Replies:
        """A round's heading (phase, schedule, and after the vote: no-vote note, the day the
        opinion went to the council, how many proposals wait for an answer, archived) with its
        proposals, results, opinion and the coordinator's archive / sent-to-council buttons."""
        group = await self._service.rounds.group(round_.group_id)
        phase = round_.phase(ctx.now)
        async with self._db.read() as conn:
            proposals = await repo.proposals_of_round(conn, round_.id)
            _, turnout = await repo.results(conn, round_.id)
            pending = (await repo.pending_counts(conn, [round_.id]))[round_.id]
        voted = turnout is not None and turnout[0] > 0
        coordinator = ctx.roles.get(group.id) is Role.COORDINATOR
        text = t("coplan.round_heading", ctx.lang, group=group.name, feeds=render.feeds_label(round_, ctx.lang),
                 phase=render.phase_name(phase, ctx.lang), schedule=render.schedule(round_, group, ctx.lang),
                 count=len(proposals))
        if round_.counted_at is not None and not voted:
            text += "\n" + t("coplan.round_no_votes_line", ctx.lang)
        if round_.adopted_at is not None:
            sent = round_.sent_on or round_.adopted_at.astimezone(ZoneInfo(group.timezone)).date()
            text += "\n" + t("coplan.round_fate_line", ctx.lang, date=render.day(sent, ctx.lang), pending=pending)
        if round_.archived_at is not None:
            text += "\n" + t("coplan.round_archived_line", ctx.lang,
                             date=format_date(round_.archived_at, ctx.lang, group.timezone))
        buttons = [[Button(label=f"{p.ref.rsplit('-', 1)[-1]} · {p.title}"[:60], choice=f"cp:v:{p.id}")]
                   for p in proposals[:20]]
        if phase is Phase.VOTING:
            buttons.insert(0, [Button(label=t("coplan.vote_button", ctx.lang), choice=f"cp:ballot:{round_.id}")])
        if round_.counted_at is not None:
            buttons.insert(0, [Button(label=t("coplan.result_button", ctx.lang), choice=f"cp:res:{round_.id}")])
        if coordinator and round_.counted_at is not None and voted:
            buttons.append([Button(label=t("coplan.opinion_button", ctx.lang), choice=f"cp:doc:{round_.id}")])
        if coordinator and round_.adopted_at is not None and round_.archived_at is None:
            buttons.append([Button(label=t("coplan.sent_button", ctx.lang), choice=f"cp:sent:{round_.id}")])
        if coordinator and phase is Phase.CLOSED:
            if round_.archived_at is None:
                buttons.append([Button(label=t("coplan.archive_button", ctx.lang), choice=f"cp:arc:{round_.id}")])
            else:
                buttons.append([Button(label=t("coplan.restore_button", ctx.lang), choice=f"cp:unarc:{round_.id}")])
        replies: Replies = [Reply(text=text, buttons=buttons)]
        if phase is Phase.COLLECTING:
            previous = await self._service.resubmittable(ctx, round_)
            if previous is not None:
                replies.append(previous)
        return replies

    async def view(self, ctx: Ctx, proposal_id: int) -> Replies:
        proposal, round_ = await self._service.proposal_for(ctx, proposal_id)
        phase = round_.phase(ctx.now)
        async with self._db.read() as conn:
            names = {m.id: m.display_name for m, _ in await members_repo.group_members(conn, round_.group_id)}
            discussion = await repo.discussion(conn, proposal.id)
            mine = await repo.stance_of(conn, proposal.id, ctx.require_member().id)
            history = await history_lines(conn, proposal, ctx.lang)
        text = render.card(proposal, render.author_name(proposal, names, ctx.lang), discussion, ctx.lang)
        if history:
            text += "\n\n" + t("coplan.card_history", ctx.lang) + "".join(f"\n• {line}" for line in history)
        if not proposal.active:
            text += "\n\n" + t(f"coplan.status_{proposal.status}", ctx.lang, reason=proposal.status_reason or "—")
        buttons: list[list[Button]] = []
        if proposal.active and phase in DISCUSSABLE:
            def mark(stance: Stance, label: str) -> Button:
                chosen = "✓ " if mine == stance.value else ""
                return Button(label=chosen + t(label, ctx.lang), choice=f"cp:s:{proposal.id}:{stance.value}")
            buttons.append([mark(Stance.AGREE, "coplan.agree"), mark(Stance.DISAGREE, "coplan.disagree"),
                            mark(Stance.PASS, "coplan.pass")])
            buttons.append([Button(label=t("coplan.argue_for", ctx.lang), choice=f"cp:arg:{proposal.id}:for"),
                            Button(label=t("coplan.argue_against", ctx.lang), choice=f"cp:arg:{proposal.id}:against")])
            if proposal.author_id == ctx.require_member().id:
                buttons.append([Button(label=t("coplan.revise", ctx.lang), choice=f"cp:rev:{proposal.id}")])
            else:
                buttons.append([Button(label=t("coplan.amend", ctx.lang), choice=f"cp:am:{proposal.id}")])
            if ctx.roles.get(round_.group_id) is Role.COORDINATOR:
                buttons.append([Button(label=t("coplan.merge", ctx.lang), choice=f"cp:mrg:{proposal.id}"),
                                Button(label=t("coplan.withdraw", ctx.lang), choice=f"cp:wd:{proposal.id}")])
        if ctx.roles.get(round_.group_id) is Role.COORDINATOR and round_.adopted_at is not None and proposal.active:
            buttons.append([Button(label=t("coplan.record_fate", ctx.lang), choice=f"cp:fate:{proposal.id}")])
        return [Reply(text=text, buttons=buttons)]

    # -- discussion ----------------------------------------------------------------------
    async def set_stance(self, ctx: Ctx, proposal_id: int, stance: str) -> Replies:
        proposal, round_ = await self._service.proposal_for(ctx, proposal_id)
        if stance not in {s.value for s in Stance} or not proposal.active or round_.phase(ctx.now) not in DISCUSSABLE:
            return [ctx.text("coplan.discussion_closed")]
        async with self._db.transaction() as tx:
            await repo.set_stance(tx, proposal.id, ctx.require_member().id, stance, ctx.now)
        replies = await self.view(ctx, proposal_id)
        if ctx.actor.source_message_id:
            replies[0] = replies[0].model_copy(update={"edit_of": ctx.actor.source_message_id})
        return replies

    async def ask_argument(self, ctx: Ctx, proposal_id: int, side: str) -> Replies:
        proposal, round_ = await self._service.proposal_for(ctx, proposal_id)
        if side not in ("for", "against") or not proposal.active or round_.phase(ctx.now) not in DISCUSSABLE:
            return [ctx.text("coplan.discussion_closed")]
        return await self._service.text_flow.ask(ctx, "argument", ctx.text(f"coplan.ask_argument_{side}", ref=proposal.ref),
                                                 proposal_id=proposal.id, side=side)

    async def save_argument(self, ctx: Ctx, data: dict[str, Any], text: str) -> Replies:
        from bot.services.coplanning.dialogs import clean

        proposal, round_ = await self._service.proposal_for(ctx, int(data["proposal_id"]))
        argument = clean(text, ARGUMENT_LENGTH, "coplan.bad_argument")
        if not proposal.active or round_.phase(ctx.now) not in DISCUSSABLE:
            await self._service.conversation.end(ctx)
            return [ctx.text("coplan.discussion_closed")]
        stance = "agree" if data["side"] == "for" else "disagree"
        async with self._db.transaction() as tx:
            await repo.set_argument(tx, proposal.id, ctx.require_member().id, stance, argument, ctx.now)
        await self._service.conversation.end(ctx)
        return [ctx.text("coplan.argument_saved", ref=proposal.ref)]

    async def ask_revision(self, ctx: Ctx, proposal_id: int) -> Replies:
        proposal, round_ = await self._service.proposal_for(ctx, proposal_id)
        if proposal.author_id != ctx.require_member().id or round_.phase(ctx.now) not in DISCUSSABLE:
            return [ctx.text("error.stale_button")]
        return await self._service.text_flow.ask(ctx, "revision", ctx.text("coplan.ask_revision", ref=proposal.ref,
                                                                           body=proposal.body), proposal_id=proposal.id)

    async def save_revision(self, ctx: Ctx, data: dict[str, Any], text: str) -> Replies:
        from bot.services.coplanning.dialogs import BODY_LENGTH, clean

        proposal, round_ = await self._service.proposal_for(ctx, int(data["proposal_id"]))
        body = clean(text, BODY_LENGTH, "coplan.bad_body", multiline=True)
        if proposal.author_id != ctx.require_member().id or round_.phase(ctx.now) not in DISCUSSABLE:
            await self._service.conversation.end(ctx)
            return [ctx.text("coplan.discussion_closed")]
        async with self._db.transaction() as tx:
            version = await repo.revise(tx, proposal.id, title=proposal.title, body=body, note=None, now=ctx.now)
        await self._service.conversation.end(ctx)
        return [ctx.text("coplan.revised", ref=proposal.ref, version=version)]

    # -- amendments: suggested by a member, accepted or rejected by the author with one tap --
    async def ask_amendment(self, ctx: Ctx, proposal_id: int) -> Replies:
        proposal, round_ = await self._service.proposal_for(ctx, proposal_id)
        if not proposal.active or round_.phase(ctx.now) not in DISCUSSABLE:
            return [ctx.text("coplan.discussion_closed")]
        if proposal.author_id == ctx.require_member().id:
            return await self.ask_revision(ctx, proposal_id)
        return await self._service.text_flow.ask(ctx, "amendment", ctx.text("coplan.ask_amendment", ref=proposal.ref),
                                                 proposal_id=proposal.id)

    async def save_amendment(self, ctx: Ctx, data: dict[str, Any], text: str) -> Replies:
        """Store the suggestion and ask the author, with the text and two buttons."""
        from bot.services.coplanning.dialogs import clean

        proposal, round_ = await self._service.proposal_for(ctx, int(data["proposal_id"]))
        suggestion = clean(text, AMENDMENT_LENGTH, "coplan.bad_amendment", multiline=True)
        await self._service.conversation.end(ctx)
        if not proposal.active or round_.phase(ctx.now) not in DISCUSSABLE:
            return [ctx.text("coplan.discussion_closed")]
        member = ctx.require_member()
        async with self._db.transaction() as tx:
            amendment_id = await repo.add_amendment(tx, proposal.id, member.id, suggestion, ctx.now)
            if proposal.author_id is not None:
                await self._service.broadcasts.send_to_members(
                    None, [proposal.author_id], lambda lang: Reply(
                        text=t("coplan.amendment_for_author", lang, name=member.display_name, ref=proposal.ref,
                               title=proposal.title, text=suggestion),
                        buttons=[[Button(label=t("coplan.amendment_accept", lang), choice=f"cp:amok:{amendment_id}"),
                                  Button(label=t("coplan.amendment_reject", lang), choice=f"cp:amno:{amendment_id}")]]),
                    key_prefix=f"cp:amendment:{amendment_id}:m", conn=tx)
        return [ctx.text("coplan.amendment_sent", ref=proposal.ref)]

    async def decide_amendment(self, ctx: Ctx, amendment_id: int, accept: bool) -> Replies:
        """The author's one tap: an accepted amendment is added to the text as a new version
        (earlier versions kept); either way the member who suggested it is told."""
        async with self._db.read() as conn:
            amendment = await repo.get_amendment(conn, amendment_id)
        if amendment is None:
            return [ctx.text("error.stale_button")]
        proposal, round_ = await self._service.proposal_for(ctx, amendment.proposal_id)
        if proposal.author_id != ctx.require_member().id:
            return [ctx.text("error.stale_button")]
        if round_.phase(ctx.now) not in DISCUSSABLE or not proposal.active:
            return [ctx.text("coplan.discussion_closed")]
        async with self._db.transaction() as tx:
            if not await repo.decide_amendment(tx, amendment_id, "accepted" if accept else "rejected", ctx.now):
                return [ctx.text("coplan.amendment_already_decided")]
            version = None
            if accept:
                version = await repo.revise(tx, proposal.id, title=proposal.title,
                                            body=f"{proposal.body}\n\n{amendment.text}", note=f"amendment {amendment_id}",
                                            now=ctx.now)
            if amendment.member_id is not None:
                key = "coplan.amendment_accepted_notice" if accept else "coplan.amendment_rejected_notice"
                await self._service.broadcasts.send_to_members(
                    None, [amendment.member_id], lambda lang: Reply(text=t(key, lang, ref=proposal.ref, title=proposal.title)),
                    key_prefix=f"cp:amendment:{amendment_id}:decided:m", conn=tx)
        if accept:
            return [ctx.text("coplan.amendment_accepted", ref=proposal.ref, version=version)]
        return [ctx.text("coplan.amendment_rejected", ref=proposal.ref)]

    # -- coordinators ----------------------------------------------------------------------
    async def ask_merge_target(self, ctx: Ctx, proposal_id: int) -> Replies:
        proposal, round_ = await self._service.proposal_for(ctx, proposal_id)
        self._service.require_coordinator(ctx, round_.group_id)
        async with self._db.read() as conn:
            others = [p for p in await repo.proposals_of_round(conn, round_.id) if p.id != proposal.id]
        if not others:
            return [ctx.text("coplan.nothing_to_merge")]
        # The likeliest targets first (the same title/body comparison as the offer on submit).
        group = await self._service.rounds.group(round_.group_id)
        scores = dict(similar((proposal.title, proposal.body), [(p.id, (p.title, p.body)) for p in others],
                              limit=len(others), ignore=(group.city,)))
        others.sort(key=lambda p: (-scores.get(p.id, 0.0), p.id))
        return [Reply(text=t("coplan.ask_merge_target", ctx.lang, ref=proposal.ref), buttons=[
            [Button(label=f"{p.ref.rsplit('-', 1)[-1]} · {p.title}"[:60], choice=f"cp:mrgto:{proposal.id}:{p.id}")]
            for p in others[:10]])]

    async def merge(self, ctx: Ctx, proposal_id: int, target_id: int) -> Replies:
        """Coordinator: fold one proposal into another; its authors become co-authors and are told."""
        proposal, round_ = await self._service.proposal_for(ctx, proposal_id)
        target, _ = await self._service.proposal_for(ctx, target_id)
        self._service.require_coordinator(ctx, round_.group_id)
        if target.round_id != proposal.round_id or not proposal.active or not target.active or target.id == proposal.id:
            return [ctx.text("error.stale_button")]
        async with self._db.transaction() as tx:
            await repo.revise(tx, target.id, title=target.title, body=f"{target.body}\n\n{proposal.body}",
                              note=proposal.ref, now=ctx.now)
            authors = await repo.authors(tx, proposal.id)
            for author in authors:
                await repo.add_coauthor(tx, target.id, author, ctx.now)
            await repo.set_status(tx, proposal.id, "merged", reason=None, merged_into=target.id, now=ctx.now)
            await self._tell(tx, authors, f"cp:{proposal.id}:merged", lambda lang: t(
                "coplan.merged_by_coordinator", lang, ref=proposal.ref, title=proposal.title, target=target.ref))
        return [ctx.text("coplan.merged_done", ref=target.ref, title=target.title)]

    async def ask_withdraw_reason(self, ctx: Ctx, proposal_id: int) -> Replies:
        proposal, round_ = await self._service.proposal_for(ctx, proposal_id)
        self._service.require_coordinator(ctx, round_.group_id)
        return await self._service.text_flow.ask(ctx, "withdraw", ctx.text("coplan.ask_withdraw_reason", ref=proposal.ref),
                                                 proposal_id=proposal.id)

    async def withdraw(self, ctx: Ctx, data: dict[str, Any], text: str) -> Replies:
        from bot.services.coplanning.dialogs import FIELD_LENGTH, clean

        proposal, round_ = await self._service.proposal_for(ctx, int(data["proposal_id"]))
        self._service.require_coordinator(ctx, round_.group_id)
        reason = clean(text, FIELD_LENGTH, "coplan.bad_field")
        async with self._db.transaction() as tx:
            await repo.set_status(tx, proposal.id, "withdrawn", reason=reason, merged_into=None, now=ctx.now)
            await self._tell(tx, await repo.authors(tx, proposal.id), f"cp:{proposal.id}:withdrawn", lambda lang: t(
                "coplan.withdrawn_notice", lang, ref=proposal.ref, title=proposal.title, reason=reason))
        await self._service.conversation.end(ctx)
        return [ctx.text("coplan.withdrawn_done", ref=proposal.ref)]


async def proposal_or_none(conn: Any, proposal_id: int) -> Proposal:
    found = await repo.get_proposal(conn, proposal_id)
    if found is None:
        raise NotFound()
    return found
