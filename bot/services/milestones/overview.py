"""`/takvim` (`/milestones`): the groups' upcoming and overdue milestones with days left; for
coordinators the card of each one (done, new date, delete), the template for a year, the
council's session rule and the calendar file. Buttons are `ms:<id>:<action>`; an id is
looked up and checked against the person's roles, never trusted."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from zoneinfo import ZoneInfo

from bot.daycount import window_end
from bot.errors import InvalidAnswer, NotFound
from bot.models import Attachment, Button, Reply, Role
from bot.services.conversation import Ctx, Replies
from bot.services.milestones import render
from bot.services.milestones.exports import year_ics
from bot.services.milestones.template import template_years
from bot.services.milestones.workdays import read_council_rule
from bot.text import ascii_digits, fold
from messages import t
from storage.milestones import Milestone

if TYPE_CHECKING:
    from bot.services.milestones.dialog import MoveFlow
    from bot.services.milestones.service import MilestoneService

SHOWN = 15
# Words people type instead of tapping a reminder's buttons.
SNOOZE_WORDS = frozenset({"ertele", "1 gun ertele", "snooze", "snooze 1 day"})
DONE_WORDS = frozenset({"tamamlandi", "bitti", "done"})
TYPED_HORIZON_DAYS = 14
TEMPLATE_WORDS = frozenset({"sablon", "template"})
COUNCIL_WORDS = frozenset({"meclis", "council"})


class MilestoneOverview:
    def __init__(self, service: MilestoneService, move_flow: MoveFlow) -> None:
        self._service = service
        self._move_flow = move_flow

    # -- /takvim ------------------------------------------------------------------------
    async def command(self, ctx: Ctx, args: list[str]) -> Replies:
        """`/takvim`, `/takvim sablon 2027`, `/takvim meclis ilk salı`."""
        ctx.require_member()
        if args and fold(args[0]) in TEMPLATE_WORDS:
            return await self._template_command(ctx, args[1:])
        if args and fold(args[0]) in COUNCIL_WORDS:
            return await self._council_command(ctx, args[1:])
        if args:
            return [ctx.text("milestone.usage")]
        return await self.listing(ctx)

    async def listing(self, ctx: Ctx) -> Replies:
        replies = []
        for group_id in sorted(ctx.roles):
            group = await self._service.group(group_id)
            milestones = [m for m in await self._service.upcoming([group_id])
                          if not (render.is_observance(m) and render.days_left(m, group, ctx.now) < 0)]
            coordinator = ctx.roles[group_id] is Role.COORDINATOR
            shown = milestones[:SHOWN]
            if not shown:
                key = "milestone.none_coordinator" if coordinator else "milestone.none"
                replies.append(ctx.text(key, group=group.name))
                continue
            overdue = [m for m in shown if render.days_left(m, group, ctx.now) < 0]
            ahead = [m for m in shown if m not in overdue]
            lines = [t("milestone.list_title", ctx.lang, group=group.name)]
            numbered = [*overdue, *ahead]
            if overdue:
                lines.append(t("milestone.list_overdue", ctx.lang))
                lines += [render.line(m, group, ctx.lang, ctx.now, i + 1) for i, m in enumerate(overdue)]
            if ahead:
                lines.append(t("milestone.list_upcoming", ctx.lang))
                lines += [render.line(m, group, ctx.lang, ctx.now, len(overdue) + i + 1) for i, m in enumerate(ahead)]
            if any(render.nonworking_warning(m, group, ctx.lang) for m in shown):
                lines.append(t("milestone.warning_legend", ctx.lang))
            if len(milestones) > SHOWN:
                lines.append(t("milestone.more", ctx.lang, count=len(milestones) - SHOWN))
            buttons: list[list[Button]] = []
            if coordinator:
                lines.append(t("milestone.pick_hint", ctx.lang))
                row: list[Button] = []
                for number, milestone in enumerate(numbered, start=1):
                    row.append(Button(label=str(number), choice=f"ms:{milestone.id}:card"))
                    if len(row) == 5:
                        buttons.append(row)
                        row = []
                if row:
                    buttons.append(row)
            buttons.append([Button(label=t("milestone.ics_button", ctx.lang), choice=f"ms:{group_id}:ics")])
            replies.append(Reply(text="\n".join(lines), buttons=buttons))
        if not replies:
            return [ctx.text("milestone.no_groups")]
        return replies

    async def _target_group(self, ctx: Ctx) -> int:
        groups = ctx.coordinated_groups()
        if not groups:
            raise InvalidAnswer("milestone.coordinators_only")
        return groups[0]

    async def _years(self, group_id: int, ctx: Ctx) -> range:
        group = await self._service.group(group_id)
        return template_years(ctx.now.astimezone(ZoneInfo(group.timezone)).date())

    async def _template_command(self, ctx: Ctx, args: list[str]) -> Replies:
        """`/takvim sablon 2027`; without a year it asks for one (this year and next as buttons)."""
        groups = ctx.coordinated_groups()
        if not groups:
            return [ctx.text("milestone.coordinators_only")]
        years = await self._years(groups[0], ctx)
        window = {"first": years[0], "last": years[-1], "example": years[0] + 1}
        year_text = ascii_digits(" ".join(args)).strip()  # `２０２７`, `٢٠٢٧` are years too
        if not year_text:
            buttons = [] if len(groups) > 1 else [[
                Button(label=str(year), choice=f"ms:{groups[0]}:tpl:{year}") for year in years[:2]]]
            return [Reply(text=t("milestone.template_ask_year", ctx.lang, **window), buttons=buttons)]
        if not year_text.isdigit() or int(year_text) not in years:
            return [ctx.text("milestone.bad_year", typed=year_text[:10], **window)]
        year = int(year_text)
        if len(groups) > 1:
            buttons = []
            for group_id in groups:
                group = await self._service.group(group_id)
                buttons.append([Button(label=group.name, choice=f"ms:{group_id}:tpl:{year}")])
            return [Reply(text=t("milestone.pick_group", ctx.lang), buttons=buttons)]
        return await self._load(ctx, groups[0], year)

    async def _load(self, ctx: Ctx, group_id: int, year: int) -> Replies:
        self._service.require_coordinator(ctx, group_id)
        member = ctx.require_member()
        group = await self._service.group(group_id)
        added, existing, past = await self._service.load_template(group_id, year, created_by=member.id)
        text = t("milestone.template_loaded", ctx.lang, year=year, group=group.name, added=added)
        if existing:
            text += "\n" + t("milestone.template_existing", ctx.lang, count=existing)
        if past:
            text += "\n" + t("milestone.template_past", ctx.lang, count=past)
        return [Reply(text=text), *await self.listing_for(ctx, group_id)]

    async def listing_for(self, ctx: Ctx, group_id: int) -> Replies:
        roles = ctx.roles
        ctx.roles = {group_id: roles[group_id]}
        try:
            return await self.listing(ctx)
        finally:
            ctx.roles = roles

    async def _council_command(self, ctx: Ctx, args: list[str]) -> Replies:
        group_id = await self._target_group(ctx)
        if not " ".join(args).strip():
            return [ctx.text("milestone.council_ask_rule")]
        rule = read_council_rule(" ".join(args))
        if rule is None:
            return [ctx.text("milestone.bad_council_rule", typed=" ".join(args)[:40])]
        group = await self._service.group(group_id)
        moved = await self._service.set_council_rule(group_id, rule)
        rule_text = t(f"milestone.nth_{rule['nth']}", ctx.lang) + " " + t(f"milestone.weekday_{rule['weekday']}", ctx.lang)
        text = t("milestone.council_set", ctx.lang, group=group.name, rule=rule_text)
        if moved:
            text += "\n" + t("milestone.council_moved", ctx.lang, count=moved)
        return [Reply(text=text)]

    # -- typed instead of tapped ----------------------------------------------------------
    async def on_typed(self, ctx: Ctx, text: str) -> Replies | None:
        """`ertele` / `tamamlandı` typed after a reminder: the milestone if only one is near
        (14 days or overdue), else a choice between them. None for any other text."""
        words = fold(text).strip(" .!")
        action = "snooze" if words in SNOOZE_WORDS else "done" if words in DONE_WORDS else None
        if action is None or ctx.member is None:
            return None
        groups = sorted(ctx.roles) if action == "snooze" else ctx.coordinated_groups()
        if not groups:
            return [ctx.text("milestone.coordinators_only")]
        # Calendar days (bot.daycount); one day more covers the group zones east of UTC.
        near = await self._service.upcoming(groups, until=window_end(ctx.now, TYPED_HORIZON_DAYS + 1, "UTC"))
        if action == "done":
            near = [m for m in near if not render.is_observance(m)]
        if action == "snooze":
            near = [m for m in near if m.audience == "group" or ctx.roles.get(m.group_id) is Role.COORDINATOR]
        if not near:
            return [ctx.text("milestone.nothing_near")]
        if len(near) == 1:
            return await self.on_choice(ctx, [str(near[0].id), action])
        buttons = []
        for milestone in near[:8]:
            group = await self._service.group(milestone.group_id)
            buttons.append([Button(label=f"{render.title(milestone, ctx.lang)[:40]} — {render.when(milestone, group, ctx.lang)}",
                                   choice=f"ms:{milestone.id}:{action}")])
        return [Reply(text=t("milestone.which_one", ctx.lang), buttons=buttons)]

    # -- buttons ------------------------------------------------------------------------
    async def on_choice(self, ctx: Ctx, parts: list[str]) -> Replies:
        """`ms:<id>:card|done|dismiss|snooze|move|delete|delete_yes|survey`,
        `ms:<group>:ics`, `ms:<group>:tpl:<year>`."""
        if len(parts) < 2 or not parts[0].isdigit():
            return [ctx.text("error.stale_button")]
        action = parts[1]
        try:
            if action == "ics":
                return await self._calendar(ctx, int(parts[0]))
            if action == "tpl" and len(parts) == 3 and parts[2].isdigit() and \
                    int(parts[2]) in await self._years(int(parts[0]), ctx):
                return await self._load(ctx, int(parts[0]), int(parts[2]))
            if action == "tpl":
                return [ctx.text("error.stale_button")]
            milestone = await self._service.of_choice(ctx, parts[0])
        except NotFound:
            return [ctx.text("error.stale_button")]
        if action == "snooze":
            if not milestone.is_open:
                return [ctx.text("milestone.already_closed", title=render.title(milestone, ctx.lang))]
            return await self._service.snooze(ctx, milestone)
        if action in {"card", "done", "dismiss", "move", "retitle", "offsets", "delete", "delete_yes", "survey"}:
            self._service.require_coordinator(ctx, milestone.group_id)
        if action == "card":
            return [await self.card(ctx, milestone)]
        if action == "done" and render.is_observance(milestone):
            return [ctx.text("milestone.observance_not_done", title=milestone.title)]
        if action in {"done", "dismiss"}:
            status = "done" if action == "done" else "dismissed"
            closed = await self._service.close(milestone, status, ctx.require_member().id)
            if not closed:
                return [ctx.text("milestone.already_closed", title=render.title(milestone, ctx.lang))]
            return [ctx.text(f"milestone.marked_{action}", title=render.title(milestone, ctx.lang))]
        if action == "move":
            return await self._move_flow.begin(ctx, milestone)
        if action in {"retitle", "offsets"}:
            return await self._move_flow.begin(ctx, milestone, "title" if action == "retitle" else "offsets")
        if action == "delete":
            return [Reply(text=t("milestone.delete_confirm", ctx.lang, title=render.title(milestone, ctx.lang)), buttons=[[
                Button(label=t("milestone.delete_yes", ctx.lang), choice=f"ms:{milestone.id}:delete_yes"),
                Button(label=t("milestone.keep", ctx.lang), choice=f"ms:{milestone.id}:card")]])]
        if action == "delete_yes":
            await self._service.delete(milestone.id)
            return [ctx.text("milestone.deleted", title=render.title(milestone, ctx.lang))]
        if action == "survey":
            hook = self._service.send_survey_hook
            if hook is None or not milestone.survey_template_code:
                return [ctx.text("milestone.survey_unavailable")]
            return await hook(ctx, milestone)
        return [ctx.text("error.stale_button")]

    async def card(self, ctx: Ctx, milestone: Milestone) -> Reply:
        group = await self._service.group(milestone.group_id)
        text = render.details(milestone, group, ctx.lang, ctx.now)
        if not milestone.is_open:
            return Reply(text=text)
        first_row = [Button(label=t("milestone.move_button", ctx.lang), choice=f"ms:{milestone.id}:move")]
        if not render.is_observance(milestone):  # a day to observe is never "done"
            first_row.insert(0, Button(label=t("milestone.done_button", ctx.lang), choice=f"ms:{milestone.id}:done"))
        return Reply(text=text, buttons=[
            first_row,
            [Button(label=t("milestone.retitle_button", ctx.lang), choice=f"ms:{milestone.id}:retitle"),
             Button(label=t("milestone.offsets_button", ctx.lang), choice=f"ms:{milestone.id}:offsets")],
            [Button(label=t("milestone.delete_button", ctx.lang), choice=f"ms:{milestone.id}:delete")]])

    async def _calendar(self, ctx: Ctx, group_id: int) -> Replies:
        if group_id not in ctx.roles:
            raise NotFound()
        group = await self._service.group(group_id)
        year = ctx.now.astimezone(ZoneInfo(group.timezone)).year
        milestones = [*await self._service.year(group_id, year), *await self._service.year(group_id, year + 1)]
        content = year_ics(group, milestones, ctx.now, ctx.lang)
        return [Reply(text=t("milestone.ics_caption", ctx.lang, group=group.name),
                      attachment=Attachment(kind="document", filename=f"{t('milestone.ics_filename', ctx.lang)}-{group_id}.ics",
                                            content=content, mime_type="text/calendar"))]


