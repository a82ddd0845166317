"""Milestones: create, move, delete, mark done; their reminders and the overdue escalation.

Reminders are rows of the reminders engine keyed `milestone:<id>:…`:
- `milestone:<id>:remind:<N>d` — N days before the due date (default 14, 7, 1, 0), at 09:00
  in the group's zone; a day that is a weekend or a Turkish public holiday moves to the
  working day before. Each is sent late only until the next one is due.
- `milestone:<id>:snooze:<member>` — one person's "remind me tomorrow".
- `milestones:<group>:overdue:<YYYY-MM-DD>` — the group's overdue escalation: once a day at
  09:00 to the coordinators, ONE message listing every milestone of the group overdue that day
  (each send arms the next day's row while any is still overdue). Armed for the day after each
  due date; which milestones it lists is decided when it is sent, so done, dismissed or moved
  ones drop out by themselves. (Rows `milestone:<id>:overdue:<day>` armed by older versions
  are read as their group's escalation.)
Reminder payloads carry the milestone's `sequence`, so a reminder armed for an older date never
goes out; texts ("12 gün kaldı", "yarın", "bugün") are computed when sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage.sql import Connection

from bot.errors import NotAuthorized, NotFound
from bot.models import Button, Group, Recheck, Reply, Role
from bot.services.broadcasts import BroadcastService
from bot.services.conversation import Ctx, Replies
from bot.services.groups import GroupService
from bot.services.late import LateDelivery, Recipient
from bot.services.milestones import render
from bot.services.milestones.dates import due_on
from bot.services.milestones.render import OBSERVANCES, is_observance, template_entry  # noqa: F401
from bot.services.milestones.template import for_year
from bot.services.milestones.workdays import COUNCIL_SETTING, council_rule, working_day_on_or_before
from bot.services.reminders import Reminder, ReminderService
from messages import format_datetime, t
from storage import groups as groups_repo
from storage import members as members_repo
from storage import milestones as repo
from storage.db import Database
from storage.milestones import DEFAULT_OFFSETS, Milestone

REMIND_KIND = "milestone_reminder"
SNOOZE_KIND = "milestone_snooze"
OVERDUE_KIND = "milestone_overdue"
REMIND_AT = time(9, 0)  # reminders and escalations go out at 09:00 group time
SNOOZE = timedelta(days=1)
# A combined escalation lists this many overdue milestones with their buttons (two each: 10
# choices, a WhatsApp list's limit); the rest are counted with a pointer to /takvim.
OVERDUE_SHOWN = 5

# Item 4 hooks, wired by the surveys feature: who of the group has not answered the survey
# reporting this milestone (None: no survey running), and "send the survey now".
UnansweredHook = Callable[[Milestone], Awaitable[list[int] | None]]
SendSurveyHook = Callable[[Ctx, Milestone], Awaitable[Replies]]
# A line for the coordinators' reminder of a milestone, per language (the monitoring report's
# reasons still missing), or None.
ReminderNoteHook = Callable[[Milestone], Awaitable[Callable[[str], str] | None]]


def _until(reminder: Reminder) -> datetime | None:
    until = reminder.payload.get("send_until")
    return datetime.fromisoformat(until) if until else None


class MilestoneService:
    """The milestones of every group. Roles are checked here (`require_coordinator`)."""

    def __init__(self, db: Database, now: Callable[[], datetime], groups: GroupService,
                 reminders: ReminderService, broadcasts: BroadcastService) -> None:
        self._db = db
        self._now = now
        self._groups = groups
        self._reminders = reminders
        self._broadcasts = broadcasts
        self.unanswered_hook: UnansweredHook | None = None
        self.send_survey_hook: SendSurveyHook | None = None
        # `hook(milestone, group)` after a milestone's first reminder went out (lesson offers).
        self.first_reminder_hooks: list[Callable[[Milestone, Group], Awaitable[None]]] = []
        self.reminder_note_hooks: list[ReminderNoteHook] = []

    def register_kinds(self) -> None:
        self._reminders.register_kind(REMIND_KIND, self._send_reminder, grace=_until)
        self._reminders.register_kind(SNOOZE_KIND, self._send_snoozed, grace=timedelta(hours=12))
        # Sent late whenever the bot comes back (the text counts the days at sending).
        self._reminders.register_kind(OVERDUE_KIND, self._send_overdue, grace=None)

    # -- lookups --------------------------------------------------------------------------
    async def group(self, group_id: int) -> Group:
        group = await self._groups.get(group_id)
        if group is None:
            raise NotFound()
        return group

    async def get(self, milestone_id: int) -> Milestone:
        async with self._db.read() as conn:
            milestone = await repo.get(conn, milestone_id)
        if milestone is None:
            raise NotFound()
        return milestone

    async def of_choice(self, ctx: Ctx, part: str) -> Milestone:
        """The milestone a button names, if the person belongs to its group (else NotFound)."""
        if not (part.isascii() and part.isdigit()):  # `²` is a digit to isdigit, not to int
            raise NotFound()
        async with self._db.read() as conn:
            milestone = await repo.get(conn, int(part))
        if milestone is None or milestone.group_id not in ctx.roles:
            raise NotFound()
        return milestone

    @staticmethod
    def require_coordinator(ctx: Ctx, group_id: int) -> None:
        if ctx.roles.get(group_id) is not Role.COORDINATOR:
            raise NotAuthorized(command="/yenitarih" if ctx.lang == "tr" else "/newmilestone")

    async def upcoming(self, group_ids: list[int], *, until: datetime | None = None) -> list[Milestone]:
        """Open milestones of the groups (overdue ones included), by due date."""
        async with self._db.read() as conn:
            return await repo.for_groups(conn, group_ids, until=until)

    async def year(self, group_id: int, year: int) -> list[Milestone]:
        """Every milestone (any status) due in `year` in the group's zone."""
        group = await self.group(group_id)
        zone = ZoneInfo(group.timezone)
        start = datetime(year, 1, 1, tzinfo=zone)
        async with self._db.read() as conn:
            return await repo.for_groups(conn, [group_id], status=None, since=start,
                                         until=datetime(year + 1, 1, 1, tzinfo=zone))

    # -- changing -------------------------------------------------------------------------
    async def create(self, *, group_id: int, title: str, due_at: datetime, has_time: bool,
                     audience: str = "group", offsets: list[int] | tuple[int, ...] = DEFAULT_OFFSETS,
                     indicator_code: str | None = None, survey_template_code: str | None = None,
                     template_code: str | None = None, legal_basis: str | None = None,
                     notes: str | None = None, created_by: int | None = None) -> Milestone | None:
        """Store a milestone and arm its reminders (one transaction); None if the template
        entry `template_code` was already loaded for the group."""
        async with self._db.transaction() as tx:
            milestone = await repo.create(
                tx, group_id=group_id, title=title, due_at=due_at, has_time=has_time, audience=audience,
                offsets=offsets, indicator_code=indicator_code, survey_template_code=survey_template_code,
                template_code=template_code, legal_basis=legal_basis, notes=notes, created_by=created_by,
                now=self._now())
            if milestone is not None:
                await self._arm(milestone)
        return milestone

    async def move(self, milestone_id: int, due_at: datetime, has_time: bool) -> Milestone:
        """A new due date: the old reminders are dropped and new ones armed."""
        async with self._db.transaction() as tx:
            await repo.update(tx, milestone_id, due_at=due_at, has_time=has_time)
            milestone = await repo.get(tx, milestone_id)
            if milestone is None:
                raise NotFound()
            await self._reminders.cancel_prefix(f"milestone:{milestone_id}:")
            if milestone.is_open:
                await self._arm(milestone)
        return milestone

    async def change(self, milestone_id: int, **fields: object) -> Milestone:
        """Change title, audience, offsets or links; reminders are re-armed."""
        async with self._db.transaction() as tx:
            await repo.update(tx, milestone_id, **fields)
            milestone = await repo.get(tx, milestone_id)
            if milestone is None:
                raise NotFound()
            await self._reminders.cancel_prefix(f"milestone:{milestone_id}:")
            if milestone.is_open:
                await self._arm(milestone)
        return milestone

    async def delete(self, milestone_id: int) -> None:
        async with self._db.transaction() as tx:
            await self._reminders.cancel_prefix(f"milestone:{milestone_id}:")
            await repo.delete(tx, milestone_id)

    async def close(self, milestone: Milestone, status: str, member_id: int | None) -> bool:
        """Done (or dismissed): every pending reminder stops; a group milestone's completion is
        announced to the group. False if it was already closed."""
        async with self._db.transaction() as tx:
            closed = await repo.close(tx, milestone.id, status, member_id, self._now())
            if not closed:
                return False
            await self._reminders.cancel_prefix(f"milestone:{milestone.id}:")
            if status == "done" and milestone.audience == "group":
                who = await members_repo.get(tx, member_id) if member_id is not None else None
                group = await self.group(milestone.group_id)
                broadcast = await self._broadcasts.create_broadcast(
                    f"milestone:{milestone.id}:done", group.id, "milestone_done")
                await self._broadcasts.send_to_group(broadcast, group.id, lambda lang: Reply(
                    text=t("milestone.done_notice", lang, title=render.title(milestone, lang),
                           who=who.display_name if who else "—")))
        return True

    async def load_template(self, group_id: int, year: int, created_by: int | None = None) -> tuple[int, int, int]:
        """Load the plan-cycle template for `year` (the group's council rule applied), in the
        group's language. Returns (added, already there, already past)."""
        group = await self.group(group_id)
        zone = ZoneInfo(group.timezone)
        added = existing = past = 0
        now = self._now()
        async with self._db.transaction():
            for planned in for_year(year, council_rule(group.settings)):
                due_at = due_on(planned.due, zone)
                if due_at <= now:
                    past += 1
                    continue
                entry = planned.entry
                created = await self.create(
                    group_id=group_id, title=entry.title.get(group.language), due_at=due_at, has_time=False,
                    audience=entry.audience, offsets=entry.offsets, indicator_code=entry.indicator,
                    survey_template_code=entry.survey_template, template_code=planned.template_code,
                    legal_basis=entry.basis, notes=entry.note.get(group.language) if entry.note else None,
                    created_by=created_by)
                if created is None:
                    existing += 1
                else:
                    added += 1
        return added, existing, past

    async def set_council_rule(self, group_id: int, rule: dict[str, int]) -> int:
        """The council's session day ({"nth": 1, "weekday": 1} = first Tuesday); open
        council-session milestones loaded from the template move to it (reminders too).
        Returns how many moved."""
        group = await self.group(group_id)
        zone = ZoneInfo(group.timezone)
        moved = 0
        async with self._db.transaction() as tx:
            await groups_repo.update_settings(tx, group_id, {**group.settings, COUNCIL_SETTING: rule})
            for milestone in await repo.open_from_template(tx, group_id):
                code, _, year = (milestone.template_code or "").partition("@")  # see template_entry
                if not year.isdigit():
                    continue
                planned = {p.entry.code: p for p in for_year(int(year), rule)}.get(code)
                if planned is None or planned.entry.rule != "council_session":
                    continue
                due_at = due_on(planned.due, zone)
                if due_at != milestone.due_at and due_at > self._now():
                    await self.move(milestone.id, due_at, False)
                    moved += 1
        return moved

    # -- reminders ------------------------------------------------------------------------
    def reminder_days(self, milestone: Milestone, group: Group) -> list[tuple[int, datetime]]:
        """(offset, moment) of each reminder: 09:00 on the offset's day in the group's zone,
        moved back to a working day; ahead of now, one per day, earliest first."""
        zone = ZoneInfo(group.timezone)
        due_day = milestone.due_at.astimezone(zone).date()
        now = self._now()
        by_day: dict[date, int] = {}
        for offset in sorted(milestone.offsets, reverse=True):
            day = working_day_on_or_before(due_day - timedelta(days=offset))
            by_day[day] = offset  # two offsets on one day: the nearer one wins
        moments = [(offset, datetime.combine(day, REMIND_AT, tzinfo=zone).astimezone(UTC))
                   for day, offset in sorted(by_day.items())]
        if milestone.has_time:  # an "on the day" reminder after a 08:00 deadline is useless
            moments = [(offset, moment) for offset, moment in moments if moment < milestone.due_at]
        return [(offset, moment) for offset, moment in moments if moment > now]

    async def _arm(self, milestone: Milestone) -> None:
        group = await self.group(milestone.group_id)
        ahead = self.reminder_days(milestone, group)
        base = {"milestone_id": milestone.id, "sequence": milestone.sequence}
        for index, (offset, moment) in enumerate(ahead):
            until = ahead[index + 1][1] if index + 1 < len(ahead) else max(
                milestone.due_at, moment + timedelta(hours=8))
            await self._reminders.schedule(
                f"milestone:{milestone.id}:remind:{offset}d", REMIND_KIND, moment,
                {**base, "offset": offset, "first": index == 0, "send_until": until.isoformat()}, reset=True)
        await self._arm_overdue(milestone, group, after=milestone.due_at)

    async def _arm_overdue(self, milestone: Milestone, group: Group, *, after: datetime) -> None:
        """The group's escalation on the first day after `after` (the due date). Observance
        days (8 March, 25 November) are dates, not tasks: they remind but are never "overdue"."""
        if is_observance(milestone):
            return
        zone = ZoneInfo(group.timezone)
        await self._arm_group_overdue(group, after.astimezone(zone).date() + timedelta(days=1))

    async def _arm_group_overdue(self, group: Group, day: date) -> None:
        """The group's escalation at 09:00 group time on `day` (one row per group and day)."""
        moment = datetime.combine(day, REMIND_AT, tzinfo=ZoneInfo(group.timezone)).astimezone(UTC)
        await self._reminders.schedule(
            f"milestones:{group.id}:overdue:{day.isoformat()}", OVERDUE_KIND, moment,
            {"group_id": group.id}, reset=True)

    async def overdue(self, group: Group, now: datetime) -> list[Milestone]:
        """The group's open milestones whose due day (group zone) is before today, most overdue
        first; observance days excluded."""
        async with self._db.read() as conn:
            milestones = await repo.for_groups(conn, [group.id], until=now)
        return [m for m in milestones
                if not is_observance(m) and render.days_left(m, group, now) < 0]

    async def _current(self, reminder: Reminder) -> tuple[Milestone, Group] | None:
        """The milestone a reminder is about, unless it was closed, deleted or moved since."""
        async with self._db.read() as conn:
            milestone = await repo.get(conn, int(reminder.payload["milestone_id"]))
        if milestone is None or not milestone.is_open or milestone.sequence != reminder.payload.get("sequence"):
            return None
        group = await self._groups.get(milestone.group_id)
        return (milestone, group) if group is not None else None

    def reminder_reply(self, milestone: Milestone, group: Group, lang: str, now: datetime, *,
                       coordinator: bool, offer_survey: bool = False) -> Reply:
        """A reminder: what is due and when, the days left as of `now`; Done for coordinators,
        Snooze for everyone. Never survey contents."""
        text = t("milestone.reminder", lang, title=render.title(milestone, lang), group=group.name,
                 when=render.when(milestone, group, lang),
                 left=render.left_text(render.days_left(milestone, group, now), lang))
        warning = render.nonworking_warning(milestone, group, lang)
        if warning:
            text += "\n" + warning
        row = [Button(label=t("milestone.snooze_button", lang), choice=f"ms:{milestone.id}:snooze")]
        if coordinator and not is_observance(milestone):
            row.insert(0, Button(label=t("milestone.done_button", lang), choice=f"ms:{milestone.id}:done"))
        buttons = [row]
        if coordinator and offer_survey and milestone.survey_template_code:
            text += "\n" + t("milestone.survey_offer", lang)
            buttons.append([Button(label=t("milestone.send_survey_button", lang),
                                   choice=f"ms:{milestone.id}:survey")])
        return Reply(text=text, buttons=buttons)

    async def _send_reminder(self, reminder: Reminder, now: datetime) -> None:
        found = await self._current(reminder)
        if found is None:
            return
        milestone, group = found
        broadcast = await self._broadcasts.create_broadcast(
            f"{reminder.key}:{milestone.sequence}", group.id, "milestone_reminder")
        first = bool(reminder.payload.get("first"))
        if first:
            for hook in self.first_reminder_hooks:
                await hook(milestone, group)
        recheck = Recheck(kind=REMIND_KIND, until=_until(reminder), ref={
            "milestone_id": milestone.id, "sequence": milestone.sequence, "first": int(first)})
        notes = [note for hook in self.reminder_note_hooks if (note := await hook(milestone)) is not None]

        def coordinator_reply(lang: str) -> Reply:
            reply = self.reminder_reply(milestone, group, lang, now, coordinator=True, offer_survey=first)
            text = "\n\n".join([reply.text, *(note(lang) for note in notes)])
            return reply.model_copy(update={"recheck": recheck, "text": text})

        await self._broadcasts.send_to_group(broadcast, group.id, coordinator_reply, roles=[Role.COORDINATOR.value])
        if milestone.audience != "group":
            return
        member_reply = lambda lang: self.reminder_reply(  # noqa: E731
            milestone, group, lang, now, coordinator=False).model_copy(update={"recheck": recheck})
        unanswered = await self.unanswered_hook(milestone) if (
            self.unanswered_hook is not None and milestone.survey_template_code) else None
        if unanswered is None:
            await self._broadcasts.send_to_group(broadcast, group.id, member_reply, roles=[Role.MEMBER.value])
            return
        async with self._db.read() as conn:
            members = {member.id for member, role in await members_repo.group_members(conn, group.id)
                       if role is Role.MEMBER}
        await self._broadcasts.send_to_members(broadcast, [m for m in unanswered if m in members], member_reply)

    def register_late(self, late: LateDelivery) -> None:
        """A reminder delivered late (WhatsApp, window closed) is checked again on release."""
        late.register(REMIND_KIND, self._late_reminder)

    async def _late_reminder(self, conn: Connection, held: Reply, recheck: Recheck, recipient: Recipient,
                             now: datetime) -> Reply | None:
        """None once the milestone was done, dismissed or moved, or she left the group; else
        the reminder with the days left as of `now`."""
        milestone = await repo.get(conn, int(recheck.ref["milestone_id"]))
        if milestone is None or not milestone.is_open or milestone.sequence != recheck.ref.get("sequence"):
            return None
        group = await groups_repo.get(conn, milestone.group_id)
        role = (await members_repo.role_in(conn, milestone.group_id, recipient.member_id)
                if group is not None and recipient.member_id is not None else None)
        if group is None or role is None:
            return None
        coordinator = role is Role.COORDINATOR
        return self.reminder_reply(milestone, group, recipient.lang, now, coordinator=coordinator,
                                   offer_survey=coordinator and bool(recheck.ref.get("first")))

    async def snooze(self, ctx: Ctx, milestone: Milestone) -> Replies:
        """Remind this person again in a day (again and again, if she snoozes again)."""
        member = ctx.require_member()
        when = ctx.now + SNOOZE
        await self._reminders.schedule(
            f"milestone:{milestone.id}:snooze:{member.id}", SNOOZE_KIND, when,
            {"milestone_id": milestone.id, "sequence": milestone.sequence, "member_id": member.id}, reset=True)
        group = await self.group(milestone.group_id)
        return [ctx.text("milestone.snoozed", title=render.title(milestone, ctx.lang),
                         when=format_datetime(when, ctx.lang, group.timezone))]

    async def _send_snoozed(self, reminder: Reminder, now: datetime) -> None:
        found = await self._current(reminder)
        if found is None:
            return
        milestone, group = found
        member_id = int(reminder.payload["member_id"])
        async with self._db.read() as conn:
            role = await members_repo.role_in(conn, group.id, member_id)
        if role is None:
            return
        broadcast = await self._broadcasts.create_broadcast(
            f"{reminder.key}:{utc_key(reminder.due_at)}", group.id, "milestone_reminder")
        await self._broadcasts.send_to_members(broadcast, [member_id], lambda lang: self.reminder_reply(
            milestone, group, lang, now, coordinator=role is Role.COORDINATOR))

    async def _send_overdue(self, reminder: Reminder, now: datetime) -> None:
        """To the coordinators: the group's overdue milestones in one message (Done / Dismiss
        for each); then arm tomorrow's while any is still overdue."""
        group = await self._overdue_group(reminder)
        if group is None:
            return
        overdue = await self.overdue(group, now)
        if not overdue:
            return  # all done, dismissed or moved since: nothing to say, nothing to re-arm
        today = now.astimezone(ZoneInfo(group.timezone)).date()
        # One broadcast per group and day: rows for the same day (an older version's, one per
        # milestone) send the message once.
        broadcast = await self._broadcasts.create_broadcast(
            f"milestones:{group.id}:overdue:{today.isoformat()}", group.id, "milestone_overdue")
        await self._broadcasts.send_to_group(
            broadcast, group.id, lambda lang: self.escalation_reply(overdue, group, lang, now),
            roles=[Role.COORDINATOR.value])
        await self._arm_group_overdue(group, today + timedelta(days=1))

    async def _overdue_group(self, reminder: Reminder) -> Group | None:
        group_id = reminder.payload.get("group_id")
        if group_id is None:  # a row armed per milestone by an older version
            async with self._db.read() as conn:
                milestone = await repo.get(conn, int(reminder.payload["milestone_id"]))
            if milestone is None:
                return None
            group_id = milestone.group_id
        return await self._groups.get(int(group_id))

    def escalation_reply(self, overdue: list[Milestone], group: Group, lang: str, now: datetime) -> Reply:
        """The daily escalation: one overdue milestone as a card with ✅ Done / 🙈 Dismiss;
        several as a numbered list (title, due date, days overdue) with "✅ n" / "🙈 n" per
        milestone, one button a row (a WhatsApp list), at most OVERDUE_SHOWN of them and
        "… and N more: /takvim" for the rest."""
        def late(milestone: Milestone) -> str:
            return render.left_text(min(render.days_left(milestone, group, now), -1), lang)

        if len(overdue) == 1:
            milestone = overdue[0]
            return Reply(text=t("milestone.overdue", lang, title=render.title(milestone, lang), group=group.name,
                                when=render.when(milestone, group, lang), overdue=late(milestone)),
                         buttons=[[Button(label=t("milestone.done_button", lang), choice=f"ms:{milestone.id}:done"),
                                   Button(label=t("milestone.dismiss_button", lang),
                                          choice=f"ms:{milestone.id}:dismiss")]])
        shown = overdue[:OVERDUE_SHOWN]
        lines = [t("milestone.overdue_many", lang, count=len(overdue), group=group.name)]
        lines += [t("milestone.overdue_item", lang, n=n, title=render.title(m, lang), when=render.when(m, group, lang),
                    overdue=late(m)) for n, m in enumerate(shown, start=1)]
        if len(overdue) > len(shown):
            lines.append(t("milestone.overdue_more", lang, count=len(overdue) - len(shown)))
        lines.append(t("milestone.overdue_many_hint", lang))
        buttons = []
        for n, milestone in enumerate(shown, start=1):
            buttons.append([Button(label=t("milestone.overdue_done_n_button", lang, n=n),
                                   choice=f"ms:{milestone.id}:done")])
            buttons.append([Button(label=t("milestone.overdue_dismiss_n_button", lang, n=n),
                                   choice=f"ms:{milestone.id}:dismiss")])
        return Reply(text="\n".join(lines), buttons=buttons)


def utc_key(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M")
