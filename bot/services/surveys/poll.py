"""`/oylama Soru? | A | B | C` (`/poll`): a one-question quick poll with live counts.

A poll is a survey of kind `poll` with one select_one question, open for a week. Every member
who agreed to surveys gets it with one button per option; a tap records (or changes) her vote
and her message is edited to show the counts so far.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bot.models import Button, Reply, Role
from bot.services.conversation import Conversation, Ctx, Replies
from bot.services.surveys.model import Answer, Survey, SurveyForm, SurveyKind, localized
from messages import t
from storage import surveys as repo
from storage.dialogs import DialogState

if TYPE_CHECKING:
    from bot.services.surveys.service import SurveyService

POLL_DAYS = 7
MAX_OPTIONS = 10
OPTION_LENGTH = 60
QUESTION_LENGTH = 300


class Polls:
    kind = "poll"

    def __init__(self, service: SurveyService, conversation: Conversation) -> None:
        self._service = service
        self._conversation = conversation

    async def command(self, ctx: Ctx, args: list[str]) -> Replies:
        parts = [part.strip() for part in " ".join(args).split("|")]
        question, options = parts[0], [option for option in parts[1:] if option]
        if not question or len(options) < 2 or len(options) > MAX_OPTIONS or len(question) > QUESTION_LENGTH \
                or any(len(option) > OPTION_LENGTH for option in options) \
                or len({option.casefold() for option in options}) != len(options):
            return [ctx.text("poll.usage", command="/oylama" if ctx.lang == "tr" else "/poll", max=MAX_OPTIONS)]
        groups = ctx.coordinated_groups()
        if len(groups) == 1:
            return await self._create(ctx, groups[0], question, options)
        await self._conversation.save(ctx, DialogState(self.kind, "group", {"question": question, "options": options}))
        buttons = []
        for group_id in groups:
            group = await self._service.group(group_id)
            buttons.append([Button(label=f"{group.name} ({group.city})", choice=f"{self.kind}:group:{group_id}")])
        return [Reply(text=t("survey.new_ask_group", ctx.lang), buttons=buttons)]

    async def on_text(self, ctx: Ctx, state: DialogState, text: str) -> Replies:
        return [ctx.text("survey.use_buttons")]

    async def on_choice(self, ctx: Ctx, state: DialogState, parts: list[str]) -> Replies:
        if len(parts) == 2 and parts[0] == "group" and parts[1].isdigit() \
                and ctx.roles.get(int(parts[1])) is Role.COORDINATOR:
            await self._conversation.end(ctx)
            return await self._create(ctx, int(parts[1]), str(state.data["question"]),
                                      [str(o) for o in state.data["options"]])  # type: ignore[union-attr]
        return [ctx.text("error.stale_button")]

    async def _create(self, ctx: Ctx, group_id: int, question: str, options: list[str]) -> Replies:
        self._service.require_coordinator(ctx, group_id)
        form = SurveyForm(code="poll", title={"tr": question, "en": question}, questions=[{  # type: ignore[list-item]
            "name": "vote", "type": "select_one", "required": True, "label": {"tr": question, "en": question},
            "choices": [{"name": f"o{index}", "label": {"tr": option, "en": option}}
                        for index, option in enumerate(options)]}])
        member = ctx.require_member()
        survey = await self._service.send(group_id=group_id, form=form, deadline=ctx.now + timedelta(days=POLL_DAYS),
                                          anonymous=False, created_by=member.id, kind=SurveyKind.POLL, nudge_hours=())
        group = await self._service.group(group_id)
        async with self._service.db.read() as conn:
            audience = [r.member_id for r in await repo.recipients(conn, survey.id)]
        broadcasts = self._service.broadcasts
        broadcast = await broadcasts.create_broadcast(f"survey:{survey.id}:poll", group_id, "poll")
        await broadcasts.send_to_members(broadcast, audience, lambda lang: self._card(survey, form, group.name, lang,
                                                                                      counts=None, mine=None))
        return [ctx.text("poll.sent", group=group.name, count=len(audience))]

    def _card(self, survey: Survey, form: SurveyForm, group: str, lang: str, *, counts: dict[str, int] | None,
              mine: str | None, edit_of: str | None = None) -> Reply:
        question = form.questions[0]
        lines = [t("poll.card", lang, group=group, question=localized(question.label, lang))]
        if counts is not None:
            total = sum(counts.values())
            for choice in question.choices:
                lines.append(t("poll.count_line", lang, option=localized(choice.label, lang),
                               count=counts.get(choice.name, 0), total=total))
        closed = not survey.is_open
        buttons = [] if closed else [[Button(label=(f"• {localized(c.label, lang)} •" if c.name == mine
                                                    else localized(c.label, lang)),
                                             choice=f"vote:{survey.id}:{index}")]
                                     for index, c in enumerate(question.choices)]
        if closed:
            lines.append(t("poll.closed", lang))
        return Reply(text="\n".join(lines), buttons=buttons, edit_of=edit_of)

    async def counts(self, survey: Survey) -> dict[str, int]:
        counts: dict[str, int] = {}
        async with self._service.db.read() as conn:
            for response in await repo.responses(conn, survey.id):
                answer = response.answers.get("vote")
                if answer is not None and answer.value_text:
                    counts[answer.value_text] = counts.get(answer.value_text, 0) + 1
        return counts

    async def on_vote(self, ctx: Ctx, parts: list[str]) -> Replies:
        """`vote:<survey>:<option index>`: record or change her vote; her card shows the counts."""
        if len(parts) != 2 or not all(part.isdigit() for part in parts):
            return [ctx.text("error.stale_button")]
        survey = await self._service.survey_for_member(ctx, int(parts[0]))
        if survey is None or survey.kind != SurveyKind.POLL:
            return [ctx.text("error.stale_button")]
        form = await self._service.form(survey)
        question = form.questions[0]
        group = await self._service.group(survey.group_id)
        if not survey.is_open or survey.deadline <= ctx.now:
            return [self._card(survey.model_copy(update={"status": "closed"}), form, group.name, ctx.lang,
                               counts=await self.counts(survey), mine=None, edit_of=ctx.actor.source_message_id)]
        index = int(parts[1])
        if index >= len(question.choices):
            return [ctx.text("error.stale_button")]
        member = ctx.require_member()
        choice = question.choices[index].name
        async with self._service.db.transaction() as tx:
            response = await repo.start_response(tx, survey, member.id, ctx.now)
            await repo.save_answer(tx, response.id, Answer.of(question, choice, answered_at=ctx.now))
            await repo.submit(tx, survey, response.id, member.id, ctx.now)
        counts: dict[str, Any] = await self.counts(survey)
        return [self._card(survey, form, group.name, ctx.lang, counts=counts, mine=choice,
                           edit_of=ctx.actor.source_message_id)]
