"""The co-planning dialogs, with their state in the `dialogs` table (a restart resumes them):

- `RoundFlow` (`/onerituru`): group → what the round feeds → year → the suggested phase dates
  (one tap) or four typed dates → how many picks per voter → preview → open;
- `ProposalFlow` (`/oneri`): round → title → text → plan item → who benefits → expected
  gender-equality effect → evidence → preview → submit (then similar proposals are offered);
- `TextFlow`: one typed answer for a button that needs one (an argument, a revision, a
  withdrawal reason, a reason for a reservation or objection, a council decision).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.dates import example_text, names_a_day, parse_when
from bot.errors import InvalidAnswer
from bot.models import Button, Reply, Role, Upload
from bot.services.conversation import Conversation, Ctx, Replies, first_state, group_picker
from bot.services.coplanning import render
from bot.services.coplanning.model import Feeds, Phase
from bot.services.coplanning.rounds import default_year, end_of_day, suggested_schedule
from bot.text import clean_text, fold
from messages import t
from storage.dialogs import DialogState

if TYPE_CHECKING:
    from bot.services.coplanning.service import CoPlanningService

SKIP_WORDS = frozenset({"-", "yok", "gec", "atla", "skip", "none", "no"})
TITLE_LENGTH = (4, 120)
BODY_LENGTH = (10, 2000)
FIELD_LENGTH = (2, 500)
PICK_OPTIONS = (1, 2, 3, 5)


def clean(text: str, bounds: tuple[int, int], key: str, *, multiline: bool = False) -> str:
    """Visible text (`bot.text.clean_text`: NFC, no control or invisible characters) within
    `bounds` characters, or InvalidAnswer(key) naming the limits."""
    value = clean_text(text, multiline=multiline)
    low, high = bounds
    if not low <= len(value) <= high or not any(ch.isalnum() for ch in value):
        raise InvalidAnswer(key, low=low, high=high)
    return value


def read_day(text: str, zone: ZoneInfo, now: datetime, lang: str = "tr") -> datetime:
    """A phase end typed as a date (time optional), read exactly as meeting dates
    (`bot.dates.parse_when`); a date without a time means 23:59 that day in the group's zone."""
    parsed = parse_when(text, zone, now, lang)
    if not names_a_day(text):  # "gelecek ay": which day?
        raise InvalidAnswer("dates.bad_date", typed=" ".join(text.split())[:40], example=example_text(now, zone))
    if parsed.moment is not None:
        return parsed.moment
    return end_of_day(parsed.day, zone)


class RoundFlow:
    kind = "cpround"
    numeric_steps = frozenset({"year"})  # `2027` typed is the year (its one button is a shortcut)
    cancelled_key = "dialog.draft_discarded"

    def __init__(self, service: CoPlanningService, conversation: Conversation) -> None:
        self._service = service
        self._conversation = conversation

    async def begin(self, ctx: Ctx, args: list[str]) -> Replies:
        state = first_state(ctx, self.kind, "feeds")
        await self._conversation.save(ctx, state)
        return [ctx.text("coplan.round_intro"), await self._prompt(ctx, state)]

    async def _prompt(self, ctx: Ctx, state: DialogState) -> Reply:
        step, data = state.step, state.data
        if step == "group":
            return await group_picker(ctx, self.kind, "coplan.ask_group", self._service.rounds.group)
        if step == "feeds":
            return Reply(text=t("coplan.ask_feeds", ctx.lang), buttons=[
                [Button(label=t(f"coplan.feeds_button_{feeds.value}", ctx.lang), choice=f"{self.kind}:feeds:{feeds.value}")]
                for feeds in Feeds])
        if step == "year":
            year = default_year(Feeds(data["feeds"]), ctx.now)
            return Reply(text=t("coplan.ask_year", ctx.lang, example=year),
                         buttons=[[Button(label=str(year), choice=f"{self.kind}:year:{year}")]])
        group = await self._service.rounds.group(int(data["group_id"]))
        zone = ZoneInfo(group.timezone)
        if step == "dates":
            ends = suggested_schedule(Feeds(data["feeds"]), int(data["year"]), ctx.now, zone)
            if ends[0] <= ctx.now:
                data["suggested"] = None
                state.step = "collect_until"
                await self._conversation.save(ctx, state)
                return Reply(text=t("coplan.suggestion_past", ctx.lang) + "\n" + self._ask_date(ctx, "collect_until", zone))
            data["suggested"] = [end.isoformat() for end in ends]
            await self._conversation.save(ctx, state)
            text = t("coplan.ask_dates", ctx.lang, schedule=render.schedule(_round_like(data, ends), group, ctx.lang))
            deadline = _deadline_note(Feeds(data["feeds"]), int(data["year"]), ctx.lang)
            if deadline:
                text += "\n" + deadline
            return Reply(text=text, buttons=[[Button(label=t("coplan.use_dates", ctx.lang), choice=f"{self.kind}:dates:use"),
                                              Button(label=t("coplan.own_dates", ctx.lang), choice=f"{self.kind}:dates:own")]])
        if step in ("collect_until", "discuss_until", "vote_until", "adopt_until"):
            return Reply(text=self._ask_date(ctx, step, zone))
        if step == "picks":
            return Reply(text=t("coplan.ask_picks", ctx.lang), buttons=[[
                Button(label=str(n), choice=f"{self.kind}:picks:{n}") for n in PICK_OPTIONS]])
        ends = tuple(datetime.fromisoformat(str(value)) for value in data["ends"])
        text = t("coplan.round_preview", ctx.lang, group=group.name,
                 feeds=t(f"coplan.feeds_{data['feeds']}", ctx.lang, year=data["year"]),
                 schedule=render.schedule(_round_like(data, ends), group, ctx.lang), picks=data["picks"])
        return Reply(text=text, buttons=[[Button(label=t("coplan.open_button", ctx.lang), choice=f"{self.kind}:open"),
                                          Button(label=t("coplan.discard_button", ctx.lang), choice=f"{self.kind}:abort")]])

    def _ask_date(self, ctx: Ctx, step: str, zone: ZoneInfo) -> str:
        return t(f"coplan.ask_{step}", ctx.lang, example=t("coplan.date_example", ctx.lang))

    async def on_text(self, ctx: Ctx, state: DialogState, text: str) -> Replies:
        data = state.data
        if state.step == "year":
            cleaned = text.strip()
            if not cleaned.isdigit() or not ctx.now.year - 1 <= int(cleaned) <= ctx.now.year + 6:
                raise InvalidAnswer("coplan.bad_year", example=default_year(Feeds(data["feeds"]), ctx.now))
            data["year"] = int(cleaned)
            state.step = "dates"
            return [await self._prompt(ctx, state)]
        if state.step in ("collect_until", "discuss_until", "vote_until", "adopt_until"):
            group = await self._service.rounds.group(int(data["group_id"]))
            moment = read_day(text, ZoneInfo(group.timezone), ctx.now, ctx.lang)
            previous = [datetime.fromisoformat(v) for v in data.get("typed", [])]
            if previous and moment <= previous[-1]:
                raise InvalidAnswer("coplan.date_not_after", previous=render.when(previous[-1], group, ctx.lang))
            data.setdefault("typed", []).append(moment.isoformat())
            order = ("collect_until", "discuss_until", "vote_until", "adopt_until")
            index = order.index(state.step)
            if index + 1 < len(order):
                state.step = order[index + 1]
            else:
                data["ends"] = data.pop("typed")
                state.step = "picks"
            await self._conversation.save(ctx, state)
            return [await self._prompt(ctx, state)]
        return [ctx.text("coplan.use_buttons"), await self._prompt(ctx, state)]

    async def on_choice(self, ctx: Ctx, state: DialogState, parts: list[str]) -> Replies:
        action, value = (parts + ["", ""])[:2]
        data = state.data
        if action == "group" and state.step == "group" and value.isdigit():
            if ctx.roles.get(int(value)) is not Role.COORDINATOR:
                return [ctx.text("error.stale_button")]
            data["group_id"] = int(value)
            state.step = "feeds"
        elif action == "feeds" and state.step == "feeds" and value in {f.value for f in Feeds}:
            data["feeds"] = value
            state.step = "year"
        elif action == "year" and state.step == "year" and value.isdigit():
            data["year"] = int(value)
            state.step = "dates"
        elif action == "dates" and state.step == "dates" and value == "use" and data.get("suggested"):
            data["ends"] = data["suggested"]
            state.step = "picks"
        elif action == "dates" and state.step == "dates" and value == "own":
            data["typed"] = []
            state.step = "collect_until"
        elif action == "picks" and state.step == "picks" and value.isdigit() and int(value) in PICK_OPTIONS:
            data["picks"] = int(value)
            state.step = "preview"
        elif action == "open" and state.step == "preview":
            return await self._open(ctx, state)
        elif action == "abort":
            await self._conversation.end(ctx)
            return [ctx.text("coplan.round_discarded")]
        else:
            return [ctx.text("error.stale_button")]
        await self._conversation.save(ctx, state)
        return [await self._prompt(ctx, state)]

    async def _open(self, ctx: Ctx, state: DialogState) -> Replies:
        data = state.data
        ends = tuple(datetime.fromisoformat(str(value)) for value in data["ends"])
        if ends[0] <= ctx.now:
            state.step = "dates"
            await self._conversation.save(ctx, state)
            return [ctx.text("coplan.suggestion_past"), await self._prompt(ctx, state)]
        group_id = int(data["group_id"])
        self._service.require_coordinator(ctx, group_id)
        member = ctx.require_member()
        round_ = await self._service.rounds.open(group_id=group_id, feeds=Feeds(data["feeds"]), year=int(data["year"]),
                                                 ends=ends, max_picks=int(data["picks"]), quorum=None,
                                                 created_by=member.id)
        await self._conversation.end(ctx)
        group = await self._service.rounds.group(group_id)
        return [ctx.text("coplan.round_opened_for_you", group=group.name, feeds=render.feeds_label(round_, ctx.lang))]


def _round_like(data: dict[str, Any], ends: tuple[datetime, ...]) -> Any:
    from bot.services.coplanning.model import Round

    return Round(id=0, group_id=int(data.get("group_id", 0)), feeds=Feeds(data["feeds"]), year=int(data["year"]),
                 collect_until=ends[0], discuss_until=ends[1], vote_until=ends[2], adopt_until=ends[3])


def _deadline_note(feeds: Feeds, year: int, lang: str) -> str | None:
    from bot.services.coplanning.model import legal_deadline

    found = legal_deadline(feeds, year)
    if found is None:
        return None
    return t("coplan.deadline_note", lang, date=found[0].strftime("%d.%m.%Y"))


PROPOSAL_STEPS = ("round", "title", "body", "plan_item", "beneficiaries", "effect", "evidence", "preview")
OPTIONAL = {"plan_item", "beneficiaries", "effect", "evidence"}


class ProposalFlow:
    kind = "cpprop"
    cancelled_key = "dialog.draft_discarded"

    def __init__(self, service: CoPlanningService, conversation: Conversation) -> None:
        self._service = service
        self._conversation = conversation

    async def begin(self, ctx: Ctx, args: list[str], *, resubmit_of: int | None = None,
                    round_id: int | None = None) -> Replies:
        member = ctx.require_member()
        collecting = [r for r in await self._service.rounds.current(list(ctx.roles))
                      if r.phase(ctx.now) is Phase.COLLECTING]
        if not collecting:
            return [ctx.text("coplan.no_collecting_round")]
        data: dict[str, Any] = {}
        if round_id is not None and any(r.id == round_id for r in collecting):
            data["round_id"] = round_id
        elif len(collecting) == 1:
            data["round_id"] = collecting[0].id
        if resubmit_of is not None:
            old = await self._service.proposal(resubmit_of)
            if old.author_id != member.id and ctx.roles.get(
                    (await self._service.rounds.get(old.round_id)).group_id) is not Role.COORDINATOR:
                return [ctx.text("error.stale_button")]
            data.update(title=old.title, body=old.body, plan_item=old.plan_item, beneficiaries=old.beneficiaries,
                        effect=old.effect, resubmitted_from=old.id)
        step = "round" if "round_id" not in data else ("preview" if resubmit_of else "title")
        state = DialogState(self.kind, step, data)
        offers = [] if resubmit_of is not None else [
            reply for hook in self._service.propose_hooks for reply in await hook(ctx)]  # a lesson, first time
        await self._conversation.save(ctx, state)
        return [*offers, ctx.text("coplan.proposal_intro"), await self._prompt(ctx, state)]

    async def _prompt(self, ctx: Ctx, state: DialogState) -> Reply:
        step, data = state.step, state.data
        if step == "round":
            buttons = []
            for round_ in await self._service.rounds.current(list(ctx.roles)):
                if round_.phase(ctx.now) is Phase.COLLECTING:
                    group = await self._service.rounds.group(round_.group_id)
                    buttons.append([Button(label=f"{group.city}: {render.plain(render.feeds_label(round_, ctx.lang))}",
                                           choice=f"{self.kind}:round:{round_.id}")])
            return Reply(text=t("coplan.ask_round", ctx.lang), buttons=buttons)
        if step == "preview":
            round_ = await self._service.rounds.get(int(data["round_id"]))
            text = t("coplan.proposal_preview", ctx.lang, title=data["title"], body=data["body"],
                     plan_item=data.get("plan_item") or "—", beneficiaries=data.get("beneficiaries") or "—",
                     effect=data.get("effect") or "—",
                     evidence=t("coplan.evidence_yes" if data.get("evidence") else "coplan.evidence_no", ctx.lang),
                     feeds=render.feeds_label(round_, ctx.lang))
            if data.get("resubmitted_from"):  # what became of it before travels with it
                history = await self._service.history_from(int(data["resubmitted_from"]), ctx.lang)
                text += "\n\n" + t("coplan.card_history", ctx.lang) + "".join(f"\n• {line}" for line in history)
            return Reply(text=text, buttons=[[Button(label=t("coplan.submit_button", ctx.lang), choice=f"{self.kind}:submit"),
                                              Button(label=t("coplan.edit_button", ctx.lang), choice=f"{self.kind}:edit"),
                                              Button(label=t("coplan.discard_button", ctx.lang), choice=f"{self.kind}:abort")]])
        text = t(f"coplan.ask_{step}", ctx.lang)
        if data.get("editing") and data.get(step):
            text += "\n" + t("coplan.current_value", ctx.lang, value=data[step])
        buttons = [[Button(label=t("coplan.skip_button", ctx.lang), choice=f"{self.kind}:skip")]] if step in OPTIONAL else []
        return Reply(text=text, buttons=buttons)

    async def _advance(self, ctx: Ctx, state: DialogState) -> Replies:
        if state.data.pop("editing", False):
            state.step = "preview"
        else:
            state.step = PROPOSAL_STEPS[PROPOSAL_STEPS.index(state.step) + 1]
        await self._conversation.save(ctx, state)
        return [await self._prompt(ctx, state)]

    async def on_text(self, ctx: Ctx, state: DialogState, text: str) -> Replies:
        step, data = state.step, state.data
        if step in ("round", "preview"):
            return [ctx.text("coplan.use_buttons"), await self._prompt(ctx, state)]
        if step == "evidence":
            if fold(text) in SKIP_WORDS:
                data["evidence"] = None
                return await self._advance(ctx, state)
            return [ctx.text("coplan.evidence_expected"), await self._prompt(ctx, state)]
        if step in OPTIONAL and fold(text) in SKIP_WORDS:
            data[step] = None
            return await self._advance(ctx, state)
        if step == "title":
            data["title"] = clean(text, TITLE_LENGTH, "coplan.bad_title")
        elif step == "body":
            data["body"] = clean(text, BODY_LENGTH, "coplan.bad_body", multiline=True)
        else:
            data[step] = clean(text, FIELD_LENGTH, "coplan.bad_field")
        return await self._advance(ctx, state)

    async def on_upload(self, ctx: Ctx, state: DialogState, upload: Upload) -> Replies:
        if state.step != "evidence" or upload.kind not in ("photo", "document") or not upload.file_id:
            return [ctx.text("coplan.upload_not_here"), await self._prompt(ctx, state)]
        state.data["evidence"] = [ctx.actor.channel, upload.file_id]
        return await self._advance(ctx, state)

    async def on_choice(self, ctx: Ctx, state: DialogState, parts: list[str]) -> Replies:
        action, value = (parts + ["", ""])[:2]
        data = state.data
        if action == "round" and state.step == "round" and value.isdigit():
            round_ = await self._service.rounds.get(int(value))
            if round_.group_id not in ctx.roles or round_.phase(ctx.now) is not Phase.COLLECTING:
                return [ctx.text("error.stale_button")]
            data["round_id"] = round_.id
            state.step = "title" if "title" not in data else "preview"
            await self._conversation.save(ctx, state)
            return [await self._prompt(ctx, state)]
        if action == "skip" and state.step in OPTIONAL:
            data[state.step] = None
            return await self._advance(ctx, state)
        if action == "edit" and state.step == "preview":
            return [Reply(text=t("coplan.which_field", ctx.lang), buttons=[
                [Button(label=t(f"coplan.field_{name}", ctx.lang), choice=f"{self.kind}:field:{name}")]
                for name in PROPOSAL_STEPS[1:-1]])]
        if action == "field" and value in PROPOSAL_STEPS[1:-1] and state.step == "preview":
            state.step, data["editing"] = value, True
            await self._conversation.save(ctx, state)
            return [await self._prompt(ctx, state)]
        if action == "abort":
            await self._conversation.end(ctx)
            return [ctx.text("coplan.proposal_discarded")]
        if action == "submit" and state.step == "preview":
            return await self._service.proposals.submit(ctx, data)
        return [ctx.text("error.stale_button")]


class TextFlow:
    """One typed answer for a button that needs words: `data["purpose"]` says which."""

    kind = "cptext"
    cancelled_key = "dialog.nothing_changed"

    def __init__(self, service: CoPlanningService, conversation: Conversation) -> None:
        self._service = service
        self._conversation = conversation

    async def ask(self, ctx: Ctx, purpose: str, prompt: Reply, **data: Any) -> Replies:
        await self._conversation.save(ctx, DialogState(self.kind, purpose, data))
        return [prompt]

    async def on_text(self, ctx: Ctx, state: DialogState, text: str) -> Replies:
        replies = await self._service.on_typed(ctx, state.step, state.data, text)
        if replies is None:  # the step wants more (the next part was saved in the state)
            return []
        return replies

    async def on_choice(self, ctx: Ctx, state: DialogState, parts: list[str]) -> Replies:
        return await self._service.on_text_choice(ctx, state, parts)

    async def on_upload(self, ctx: Ctx, state: DialogState, upload: Upload) -> Replies:
        if state.step == "fate_evidence":
            return await self._service.fate.save_evidence(ctx, state.data, upload)
        return [ctx.text("coplan.upload_not_here")]
