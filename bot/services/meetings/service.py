"""Meetings: announce, remind, reschedule, cancel — the core the other meeting modules use.

- `dialog.py`: the coordinator's `/newmeeting` dialog and the new-time dialog;
- `answers.py`: RSVP taps, typed "EVET", the calendar file;
- `overview.py`: `/meetings` for members and coordinators, attendee lists, move/cancel;
- `attendance.py`: who came, and the attendance history in `/members`;
- `settings.py`: `/reminders`, when the group's members are reminded;
- `render.py`: how a meeting reads.

Every notice goes out as a broadcast (outbox rows, paced by the dispatcher, with delivery
counts). Reminders are rows in `reminders` keyed `meeting:<id>:…`: moving a meeting re-arms
them, cancelling it drops them, and each carries the meeting's SEQUENCE so that a reminder of
an older version of the meeting never goes out. A series (`recurrence.py`) creates its
occurrences ahead through a reminder keyed `meeting-series:<id>:<day>`; moving a whole series
changes its pattern and moves the occurrences from the chosen one on (`move_series`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from storage.sql import Connection

from bot.calendar import meeting_ics
from bot.channels import Notifier
from bot.errors import InvalidAnswer, NotAuthorized, NotFound
from bot.models import Attachment, Button, Group, Member, Recheck, Reply, Role
from bot.services.meetings import export, recurrence, render
from bot.services.broadcasts import BroadcastService, DeliveryCounts
from bot.services.conversation import CommandSpec, Conversation, Ctx, Replies
from bot.services.groups import GroupService
from bot.services.late import LateDelivery, Recipient
from bot.services.meetings.amend import AmendFlow, change_line
from bot.services.meetings.answers import MeetingAnswers
from bot.services.meetings.attendance import Attendance
from bot.services.meetings.dialog import NewMeetingFlow, RescheduleFlow
from bot.services.meetings.overview import MeetingOverview
from bot.services.meetings.settings import REMINDER_SETTING, ReminderSettings
from bot.services.reminders import HOLD, Reminder, ReminderService
from messages import Markup, t
from storage import broadcasts as broadcasts_repo
from storage import groups as groups_repo
from storage import meetings as meetings_repo
from storage import members as members_repo
from storage.db import Database
from storage.meetings import Meeting

# groups.settings["meeting_reminder_minutes"] overrides these (e.g. [2880, 120] for 2 days
# and 2 hours before); an empty list turns member reminders off for the group.
DEFAULT_REMINDER_MINUTES = (24 * 60, 60)
SUMMARY_LEAD = timedelta(hours=24)
REMINDER_KIND = "meeting_reminder"
SERIES_KIND = "meeting_series"
# How far ahead each occurrence of a series is created and announced: a month for a monthly
# meeting; for a weekly one, six days (else four notices would arrive at once).
SERIES_LEAD_DAYS = {"monthly": 30, "weekly": 6}
SUMMARY_KIND = "meeting_summary"
NOTICE_KIND = "meeting_notice"  # late-delivery check of an announcement or change (bot.services.late)
# A cancellation read after the meeting would have begun is not delivered (no check needed: `until`).
CANCELLED_KIND = "meeting_cancelled"


@dataclasses.dataclass(frozen=True)
class SeriesMove:
    """What moving a whole series did: the series with its new pattern, the occurrences that
    moved (each member told once per occurrence), and when the occurrence after the moved one
    starts (already created or still to be)."""

    series: meetings_repo.Series
    moved: list[Meeting]
    next: datetime


def _send_until(reminder: Reminder) -> datetime | None:
    """A meeting reminder is worth sending until the next one is due (or the meeting starts):
    after a long outage people get the nearest reminder, not all of them at once."""
    until = reminder.payload.get("send_until") or reminder.payload.get("starts_at")
    return datetime.fromisoformat(until) if until else None


class MeetingService:
    def __init__(self, db: Database, now: Callable[[], datetime], groups: GroupService,
                 reminders: ReminderService, broadcasts: BroadcastService, notifier: Notifier) -> None:
        self._db = db
        self._now = now
        self._groups = groups
        self._reminders = reminders
        self._broadcasts = broadcasts
        self._notifier = notifier

    def register(self, conversation: Conversation) -> None:
        self.new_meeting_flow = NewMeetingFlow(self, conversation)
        self.reschedule_flow = RescheduleFlow(self, conversation)
        self.amend_flow = AmendFlow(self, conversation)
        self.answers = MeetingAnswers(self, self._db, conversation)
        self.attendance = Attendance(self, self._db)
        self.overview = MeetingOverview(self, self._db)
        self.settings = ReminderSettings(self, self._db)
        conversation.add_command(CommandSpec("newmeeting", self.new_meeting_flow.begin_command,
                                             aliases=("toplanti",), coordinator_only=True, order=40))
        conversation.add_command(CommandSpec("meetings", self.overview.meetings, aliases=("toplantilar",),
                                             order=10))
        conversation.add_command(CommandSpec("reminders", self.settings.show, aliases=("hatirlatmalar",),
                                             coordinator_only=True, order=42))
        # `/baglan` is typed in the group chat (the Telegram adapter handles it there); typed in
        # the private chat it gets an explanation instead of "unknown command".
        conversation.add_command(CommandSpec("link", self._link_in_private, aliases=("baglan",),
                                             needs_member=False, in_menu=False))
        conversation.add_flow(self.new_meeting_flow)
        conversation.add_flow(self.reschedule_flow)
        conversation.add_flow(self.amend_flow)
        conversation.add_flow(self.answers.note_flow)
        conversation.add_choice("rsvp", self.answers.on_rsvp)
        conversation.add_choice("ics", self.answers.on_calendar)
        conversation.add_choice("need", self.answers.on_need)
        conversation.add_choice("mtg", self.overview.on_manage)
        conversation.add_choice("mtgpast", self.overview.on_older)
        conversation.add_choice("att", self.attendance.on_toggle)
        conversation.add_choice("remset", self.settings.on_choice)
        conversation.add_text_fallback(self.answers.on_typed_answer)
        conversation.add_interruption(self.answers.on_typed_after_notice)
        conversation.add_interrupting_choice("rsvp", except_in=(self.answers.note_flow.kind,))
        self._reminders.register_kind(REMINDER_KIND, self._send_reminder, grace=_send_until)
        self._reminders.register_kind(SUMMARY_KIND, self._send_summary, grace=_send_until)
        # A series' next occurrence is created late rather than never (after an outage).
        self._reminders.register_kind(SERIES_KIND, self._run_series, grace=None, quiet=HOLD)

    async def _link_in_private(self, ctx: Ctx, args: list[str]) -> Replies:
        return [ctx.text("meeting.link_in_group_chat", command="/baglan" if ctx.lang == "tr" else "/link")]

    # -- lookups ------------------------------------------------------------------------
    async def group(self, group_id: int) -> Group:
        group = await self._groups.get(group_id)
        if group is None:
            raise NotFound()
        return group

    async def meeting(self, meeting_id: int) -> Meeting:
        async with self._db.read() as conn:
            meeting = await meetings_repo.get(conn, meeting_id)
        if meeting is None:
            raise NotFound()
        return meeting

    async def meeting_of_choice(self, ctx: Ctx, part: str) -> Meeting:
        """The meeting a button names, if the person belongs to its group."""
        if not (part.isascii() and part.isdigit()):  # `²` is a digit to isdigit, not to int
            raise NotFound()
        meeting = await self.meeting(int(part))
        if meeting.group_id not in ctx.roles:
            raise NotFound()
        return meeting

    @staticmethod
    def require_coordinator(ctx: Ctx, group_id: int) -> None:
        """Roles are checked here, not only by the command router: buttons and ids can be
        pressed, forwarded or crafted by anyone."""
        if ctx.roles.get(group_id) is not Role.COORDINATOR:
            raise NotAuthorized(command="/toplanti" if ctx.lang == "tr" else "/newmeeting")

    async def upcoming(self, group_ids: list[int], limit: int = 5) -> list[Meeting]:
        async with self._db.read() as conn:
            return await meetings_repo.upcoming_for_groups(conn, group_ids, self._now(), limit=limit)

    async def group_size(self, group_id: int) -> int:
        async with self._db.read() as conn:
            return len(await members_repo.group_members(conn, group_id))

    async def announcement_counts(self, meeting: Meeting) -> DeliveryCounts | None:
        """Where the latest notice about the meeting is: sent, pending, unreachable..."""
        broadcast = await self._broadcasts.broadcast_id(self._notice_key(meeting))
        if broadcast is None:
            return None
        counts = await self._broadcasts.delivery_counts(broadcast)
        async with self._db.read() as conn:  # newcomers got it on joining: they count as reached
            newcomers = await meetings_repo.joined_since_notice(conn, meeting.group_id, broadcast)
        return dataclasses.replace(counts, sent=counts.sent + newcomers)

    # -- announcing, moving, calling off (also the API for scripts and the demo) -----------
    async def create_and_announce(self, *, group_id: int, title: str, starts_at: datetime, place: str,
                                  agenda: str | None = None, quorum: int | None = None,
                                  created_by: int | None = None, duration_minutes: int = 120,
                                  series_id: int | None = None) -> Meeting:
        """Store the meeting, queue its notice to every member (and the linked group chat) and
        arm its reminders and the coordinators' summary, all in one transaction."""
        async with self._db.transaction() as tx:
            meeting = await meetings_repo.create(
                tx, group_id=group_id, title=title, starts_at=starts_at, place=place, agenda=agenda,
                quorum=quorum, created_by=created_by, now=self._now(), duration_minutes=duration_minutes,
                series_id=series_id)
            await self._announce(meeting, "meeting.announcement")
            await self._arm_reminders(meeting)
        return meeting

    async def create_series(self, *, group_id: int, frequency: str, starts_at: datetime, title: str, place: str,
                            agenda: str | None = None, quorum: int | None = None, created_by: int | None = None,
                            duration_minutes: int = 120) -> Meeting:
        """A repeating meeting ("weekly", or "monthly" on the same nth weekday as `starts_at`):
        the first occurrence is announced now; each later one is created and announced
        `SERIES_LEAD_DAYS` before it starts, as a normal meeting. Returns the first."""
        group = await self.group(group_id)
        local = starts_at.astimezone(ZoneInfo(group.timezone))
        async with self._db.transaction() as tx:
            series = await meetings_repo.create_series(
                tx, group_id=group_id, frequency=frequency, weekday=local.weekday(),
                nth=recurrence.nth_of(local.date()) if frequency == "monthly" else None,
                local_time=local.strftime("%H:%M"), title=title, place=place, agenda=agenda, quorum=quorum,
                duration_minutes=duration_minutes, created_by=created_by, now=self._now(),
                lead_days=SERIES_LEAD_DAYS[frequency])
            first = await self.create_and_announce(
                group_id=group_id, title=title, starts_at=starts_at, place=place, agenda=agenda, quorum=quorum,
                created_by=created_by, duration_minutes=duration_minutes, series_id=series.id)
            await self._extend_series(series, local.date())
        return first

    async def _extend_series(self, series: meetings_repo.Series, after: date) -> None:
        """Create every occurrence after `after` that is within the series' lead time, then arm
        the reminder that creates the next one."""
        group = await self.group(series.group_id)
        zone, now = ZoneInfo(group.timezone), self._now()
        day = recurrence.next_date(series, after)
        if recurrence.starts_on(series, day, zone) <= now:
            # Back after downtime (or a clock stepped years ahead): occurrences that already
            # began are not announced; jump to the first one ahead without walking the gap.
            day = recurrence.next_date(series, now.astimezone(zone).date() - timedelta(days=1))
            while recurrence.starts_on(series, day, zone) <= now:
                day = recurrence.next_date(series, day)
        while recurrence.starts_on(series, day, zone) - timedelta(days=series.lead_days) <= now:
            await self.create_and_announce(
                group_id=series.group_id, title=series.title, starts_at=recurrence.starts_on(series, day, zone),
                place=series.place, agenda=series.agenda, quorum=series.quorum, created_by=series.created_by,
                duration_minutes=series.duration_minutes, series_id=series.id)
            day = recurrence.next_date(series, day)
        due = recurrence.starts_on(series, day, zone) - timedelta(days=series.lead_days)
        await self._reminders.schedule(f"meeting-series:{series.id}:{day.isoformat()}", SERIES_KIND, due,
                                       {"series_id": series.id, "day": day.isoformat()})

    async def _run_series(self, reminder: Reminder, now: datetime) -> None:
        async with self._db.read() as conn:
            series = await meetings_repo.get_series(conn, int(reminder.payload["series_id"]))
            latest = await meetings_repo.latest_of_series(conn, series.id) if series else None
        if series is None or not series.active:
            return
        group = await self.group(series.group_id)
        zone = ZoneInfo(group.timezone)
        if "day" in reminder.payload:  # the occurrence this reminder was armed for comes next
            after = date.fromisoformat(str(reminder.payload["day"])) - timedelta(days=1)
        else:  # armed before reminders named their day
            after = latest.starts_at.astimezone(zone).date() if latest else now.astimezone(zone).date()
        await self._extend_series(series, after)

    async def stop_series(self, series_id: int) -> int:
        """Stop a series: no more occurrences, and every upcoming one is called off (each
        member is told). Returns how many were called off."""
        async with self._db.transaction() as tx:
            await meetings_repo.stop_series(tx, series_id)
            await self._reminders.cancel_prefix(f"meeting-series:{series_id}:")
            upcoming = await meetings_repo.upcoming_of_series(tx, series_id, self._now())
            for meeting in upcoming:
                await self.call_off(meeting.id)
        return len(upcoming)

    async def move(self, meeting_id: int, starts_at: datetime, *,
                   series: meetings_repo.Series | None = None) -> Meeting:
        """New time: everyone is told and asked again, reminders move, SEQUENCE grows. With
        `series` (a whole series moved), the notice also names the series' new pattern."""
        async with self._db.transaction() as tx:
            before = await meetings_repo.get(tx, meeting_id)
            if before is None:
                raise NotFound()
            await meetings_repo.reschedule(tx, meeting_id, starts_at)
            moved = await meetings_repo.get(tx, meeting_id)
            assert moved is not None
            await self._reminders.cancel_prefix(f"meeting:{meeting_id}:")
            await self._announce(moved, "meeting.rescheduled", previous=before.starts_at, series=series)
            await self._arm_reminders(moved)
        return moved

    async def series(self, series_id: int) -> meetings_repo.Series | None:
        async with self._db.read() as conn:
            return await meetings_repo.get_series(conn, series_id)

    async def move_series(self, meeting_id: int, starts_at: datetime) -> SeriesMove:
        """Move this occurrence to `starts_at` and the series with it: its wall time (and, if
        the day changed, its weekday / nth weekday, derived as when a series is created)
        changes for this and every later occurrence. Each later occurrence already created
        moves to the new pattern's date in its own week or month (one notice each, naming the
        new pattern; answers asked again, reminders re-armed, SEQUENCE bumped); occurrences
        already past or cancelled are skipped, earlier ones untouched; later occurrences are
        created on the new pattern. Raises `NotFound` (no such meeting, or not in an active
        series) and `InvalidAnswer("meeting.series_before_previous")` when `starts_at` is not
        after the series' previous occurrence."""
        meeting = await self.meeting(meeting_id)
        group = await self.group(meeting.group_id)
        zone, now = ZoneInfo(group.timezone), self._now()
        async with self._db.transaction() as tx:
            series = await meetings_repo.get_series(tx, meeting.series_id) if meeting.series_id else None
            if series is None or not series.active:
                raise NotFound()
            previous = await meetings_repo.previous_of_series(tx, series.id, meeting.starts_at)
            if previous is not None and starts_at <= previous.starts_at:
                raise InvalidAnswer("meeting.series_before_previous",
                                    previous=previous.starts_at.astimezone(zone).strftime("%d.%m.%Y %H:%M"))
            weekday, nth, local_time = recurrence.pattern_of(series.frequency, starts_at, zone)
            await meetings_repo.reschedule_series(tx, series.id, weekday=weekday, nth=nth, local_time=local_time)
            renewed = series.model_copy(update={"weekday": weekday, "nth": nth, "local_time": local_time})
            new_day = starts_at.astimezone(zone).date()
            shift = recurrence.period_shift(series.frequency, meeting.starts_at.astimezone(zone).date(), new_day)
            moved, last_day = [], new_day
            for occurrence in await meetings_repo.series_from(tx, series.id, meeting.starts_at):
                if occurrence.id == meeting.id:
                    target = starts_at
                else:
                    day = recurrence.shifted(renewed, occurrence.starts_at.astimezone(zone).date(), shift)
                    target, last_day = recurrence.starts_on(renewed, day, zone), max(last_day, day)
                if occurrence.cancelled or occurrence.starts_at <= now or target == occurrence.starts_at:
                    continue  # past or cancelled: left as it is
                moved.append(await self.move(occurrence.id, target, series=renewed))
            await self._reminders.cancel_prefix(f"meeting-series:{series.id}:")
            await self._extend_series(renewed, last_day)
            later = [each for each in await meetings_repo.upcoming_of_series(tx, series.id, now)
                     if each.starts_at > starts_at]
        following = later[0].starts_at if later else recurrence.starts_on(
            renewed, recurrence.next_date(renewed, last_day), zone)
        return SeriesMove(series=renewed, moved=moved, next=following)

    async def amend(self, meeting_id: int, field: str, value: object) -> Meeting:
        """New title, place, agenda or duration: everyone is told what changed (old → new) and
        keeps her answer; the calendar SEQUENCE grows and the reminders follow the new version."""
        async with self._db.transaction() as tx:
            before = await meetings_repo.get(tx, meeting_id)
            if before is None:
                raise NotFound()
            await meetings_repo.amend(tx, meeting_id, field, value)
            after = await meetings_repo.get(tx, meeting_id)
            assert after is not None
            group = await self.group(after.group_id)
            previous = getattr(before, "duration_minutes" if field == "duration" else field)
            broadcast = await self._broadcasts.create_broadcast(self._notice_key(after), group.id, "meeting")
            notice = self._notice_recheck(after)
            await self._broadcasts.send_to_group(broadcast, group.id, lambda lang: render.amended(
                after, group, lang, change_line(field, previous, value, lang)).model_copy(update={"recheck": notice}))
            await self._post_to_chat(group, broadcast, render.amended(
                after, group, group.language, change_line(field, previous, value, group.language), chat=True))
            await self._reminders.cancel_prefix(f"meeting:{meeting_id}:")
            await self._arm_reminders(after)
        return after

    async def amend_series(self, meeting_id: int, field: str, value: object) -> int:
        """The same change for this occurrence, every upcoming one of its series, and those
        still to be created. Returns how many meetings were changed (each one's members told)."""
        meeting = await self.meeting(meeting_id)
        if meeting.series_id is None:
            await self.amend(meeting_id, field, value)
            return 1
        async with self._db.transaction() as tx:
            await meetings_repo.amend_series(tx, meeting.series_id, field, value)
            upcoming = await meetings_repo.upcoming_of_series(tx, meeting.series_id, self._now())
            changed = 0
            for occurrence in upcoming:
                current = getattr(occurrence, "duration_minutes" if field == "duration" else field)
                if current != value:
                    await self.amend(occurrence.id, field, value)
                    changed += 1
        return changed

    async def call_off(self, meeting_id: int) -> Meeting:
        """Cancel: everyone is told (with a calendar file that removes it), reminders dropped."""
        async with self._db.transaction() as tx:
            await meetings_repo.cancel(tx, meeting_id)
            cancelled = await meetings_repo.get(tx, meeting_id)
            if cancelled is None:
                raise NotFound()
            await self._reminders.cancel_prefix(f"meeting:{meeting_id}:")
            group = await self.group(cancelled.group_id)
            broadcast = await self._broadcasts.create_broadcast(self._notice_key(cancelled), group.id, "meeting")
            await self._broadcasts.send_to_group(
                broadcast, group.id, lambda lang: render.cancellation(cancelled, group, lang).model_copy(
                    update={"recheck": Recheck(kind=CANCELLED_KIND, until=cancelled.starts_at, reminder=False)}))
            await self._post_to_chat(group, broadcast, Reply(
                text=render.cancellation(cancelled, group, group.language).text))
        return cancelled

    async def _announce(self, meeting: Meeting, heading: str, previous: datetime | None = None,
                        series: meetings_repo.Series | None = None) -> None:
        group = await self.group(meeting.group_id)
        broadcast = await self._broadcasts.create_broadcast(self._notice_key(meeting), group.id, "meeting")

        def change(lang: str) -> str | None:
            if previous is None:
                return None
            line = render.time_change(previous, meeting.starts_at, group, lang)
            if series is not None:  # a whole series moved: its new pattern, once, in this notice
                line = Markup(line + "\n" + render.series_line(series, lang))
            return line

        notice = self._notice_recheck(meeting)
        await self._broadcasts.send_to_group(
            broadcast, group.id, lambda lang: render.invitation(meeting, group, lang, heading=heading,
                                                                change=change(lang)).model_copy(
                update={"recheck": notice}))
        await self._post_to_chat(group, broadcast, render.group_chat_notice(
            meeting, group, heading, change(group.language)))

    async def _post_to_chat(self, group: Group, broadcast: int, reply: Reply) -> None:
        """The group's linked Telegram group chat gets the notice too; the dispatcher keeps to
        the group-chat rate limit."""
        if group.telegram_chat_id is None:
            return
        async with self._db.transaction() as tx:
            await self._notifier.to_chat(tx, "telegram", group.telegram_address, reply,
                                         f"b:{broadcast}:chat", broadcast_id=broadcast)

    @staticmethod
    def _notice_key(meeting: Meeting) -> str:
        """One broadcast per version of the meeting people are told about."""
        return f"meeting:{meeting.id}:notice:{meeting.sequence}"

    # -- reminders ----------------------------------------------------------------------
    def reminder_minutes(self, group: Group) -> list[int]:
        configured = group.settings.get(REMINDER_SETTING)
        if not isinstance(configured, list):
            return list(DEFAULT_REMINDER_MINUTES)
        return sorted({int(minutes) for minutes in configured if int(minutes) > 0}, reverse=True)

    async def rearm_reminders(self, group_id: int) -> None:
        """After the group's reminder setting changed: its upcoming meetings follow it."""
        for meeting in await self.upcoming([group_id], limit=100):
            await self._reminders.cancel_prefix(f"meeting:{meeting.id}:remind:")
            await self._arm_member_reminders(meeting)

    async def _arm_reminders(self, meeting: Meeting) -> None:
        await self._arm_member_reminders(meeting)
        # The summary comes a day before; for a meeting announced later than that, halfway
        # between the announcement and the start, so that people have had time to answer.
        now = self._now()
        summary_at = max(meeting.starts_at - SUMMARY_LEAD, now + (meeting.starts_at - now) / 2)
        await self._reminders.schedule(f"meeting:{meeting.id}:summary", SUMMARY_KIND, summary_at,
                                       self._payload(meeting), reset=True)

    @staticmethod
    def _payload(meeting: Meeting) -> dict[str, object]:
        return {"meeting_id": meeting.id, "sequence": meeting.sequence, "starts_at": meeting.starts_at.isoformat()}

    async def _arm_member_reminders(self, meeting: Meeting) -> None:
        """One reminder per configured lead time still ahead (a meeting announced 3 hours
        before gets no "1 day" reminder); each is sent late only until the next is due."""
        group = await self.group(meeting.group_id)
        now = self._now()
        base = self._payload(meeting)
        due_times = [(minutes, meeting.starts_at - timedelta(minutes=minutes))
                     for minutes in self.reminder_minutes(group)]
        ahead = [(minutes, due) for minutes, due in due_times if due > now]
        for index, (minutes, due) in enumerate(ahead):
            until = ahead[index + 1][1] if index + 1 < len(ahead) else meeting.starts_at
            await self._reminders.schedule(
                f"meeting:{meeting.id}:remind:{minutes}m", REMINDER_KIND, due,
                {**base, "minutes": minutes, "send_until": until.isoformat()}, reset=True)

    async def _current(self, reminder: Reminder) -> tuple[Meeting, Group] | None:
        """The meeting a reminder is about, unless it was cancelled or moved since."""
        async with self._db.read() as conn:
            meeting = await meetings_repo.get(conn, int(reminder.payload["meeting_id"]))
        if meeting is None or meeting.cancelled or meeting.sequence != reminder.payload.get("sequence"):
            return None
        return meeting, await self.group(meeting.group_id)

    async def _send_reminder(self, reminder: Reminder, now: datetime) -> None:
        """To everyone in the group but those who said they cannot come (runs inside the
        reminder's transaction: the reminder is done exactly when its messages are queued)."""
        found = await self._current(reminder)
        if found is None:
            return
        meeting, group = found
        async with self._db.read() as conn:
            answered, waiting = await meetings_repo.reminder_audience_by_answer(conn, meeting.id)
        recheck = self._recheck(meeting, _send_until(reminder))
        broadcast = await self._broadcasts.create_broadcast(
            f"{reminder.key}:{meeting.sequence}", group.id, "meeting_reminder")
        await self._broadcasts.send_to_members(
            broadcast, answered, lambda lang: render.reminder(meeting, group, lang, now).model_copy(
                update={"recheck": recheck}))
        await self._broadcasts.send_to_members(
            broadcast, waiting, lambda lang: render.reminder(meeting, group, lang, now, ask=True).model_copy(
                update={"recheck": recheck}))

    @staticmethod
    def _recheck(meeting: Meeting, until: datetime | None) -> Recheck:
        return Recheck(kind=REMINDER_KIND, ref={"meeting_id": meeting.id, "sequence": meeting.sequence},
                       until=until or meeting.starts_at)

    @staticmethod
    def _notice_recheck(meeting: Meeting) -> Recheck:
        return Recheck(kind=NOTICE_KIND, ref={"meeting_id": meeting.id, "starts_at": meeting.starts_at.isoformat()},
                       until=meeting.starts_at, reminder=False)

    def register_late(self, late: LateDelivery) -> None:
        """A reminder or notice delivered late (a WhatsApp message held while her window was
        closed) is checked again when it is released."""
        late.register(REMINDER_KIND, self._late_reminder)
        late.register(NOTICE_KIND, self._late_notice)

    async def _late_notice(self, conn: Connection, held: Reply, recheck: Recheck, recipient: Recipient,
                           now: datetime) -> Reply | None:
        """None once the meeting was cancelled, has begun, or was moved to another time (the
        notice of the move, with its RSVP buttons, follows); else the notice as it was (a new
        title or place is told by its own notice, and the RSVP buttons here still work)."""
        meeting = await meetings_repo.get(conn, int(recheck.ref["meeting_id"]))
        if meeting is None or meeting.cancelled or meeting.starts_at.isoformat() != recheck.ref.get("starts_at"):
            return None
        return None if meeting.starts_at <= now else held

    async def _late_reminder(self, conn: Connection, held: Reply, recheck: Recheck, recipient: Recipient,
                             now: datetime) -> Reply | None:
        """The reminder as it would be sent now: None once the meeting was cancelled, moved
        (the change notice told her), has begun, or she said she cannot come; else its text
        from the real time left, with the RSVP buttons while she has not answered."""
        meeting = await meetings_repo.get(conn, int(recheck.ref["meeting_id"]))
        if (meeting is None or meeting.cancelled or meeting.sequence != recheck.ref.get("sequence")
                or meeting.starts_at <= now):
            return None
        group = await groups_repo.get(conn, meeting.group_id)
        if group is None:
            return None
        answer = (await meetings_repo.rsvp_of(conn, meeting.id, recipient.member_id)
                  if recipient.member_id is not None else None)
        if answer == "no":
            return None
        return render.reminder(meeting, group, recipient.lang, now, ask=answer is None)

    async def _send_summary(self, reminder: Reminder, now: datetime) -> None:
        """The coordinators' look at the answers before the meeting, with a quorum warning."""
        found = await self._current(reminder)
        if found is None:
            return
        meeting, group = found
        async with self._db.read() as conn:
            counts = await meetings_repo.tally(conn, meeting.id)
            roster = await meetings_repo.roster(conn, meeting)
        coordinators = [line.member.id for line in roster if line.role is Role.COORDINATOR]

        def summary(lang: str) -> Reply:
            text = t("meeting.summary", lang, title=meeting.title, when=render.when(meeting, group, lang),
                     tally=render.tally_line(counts, lang))
            if meeting.quorum and counts["yes"] < meeting.quorum:
                text += "\n\n" + t("meeting.quorum_warning", lang, yes=counts["yes"], quorum=meeting.quorum)
            buttons = [Button(label=t("meeting.list_button", lang), choice=f"mtg:{meeting.id}:list")]
            if counts.get(None, 0):
                buttons.append(Button(label=t("meeting.nudge_button", lang), choice=f"mtg:{meeting.id}:nudge"))
            return Reply(text=text, buttons=[buttons])

        broadcast = await self._broadcasts.create_broadcast(
            f"{reminder.key}:{meeting.sequence}", group.id, "meeting_summary")
        await self._broadcasts.send_to_members(broadcast, coordinators, summary)

    async def last_reminded(self, meeting: Meeting) -> datetime | None:
        """When this meeting's latest reminder (automatic or a coordinator's) went out, or None."""
        async with self._db.read() as conn:
            at = await broadcasts_repo.last_sent_at(conn, f"meeting:{meeting.id}:", "meeting_reminder")
        return datetime.fromtimestamp(at, UTC) if at is not None else None

    async def remind_waiting(self, meeting: Meeting) -> int:
        """The coordinator's "remind those who have not answered": a reminder with the RSVP
        buttons to each member without an answer. Pressed twice within the same hour, it
        sends nothing new (the broadcast and its outbox keys are the same). Returns how many
        were asked."""
        group = await self.group(meeting.group_id)
        now = self._now()
        async with self._db.read() as conn:
            _, waiting = await meetings_repo.reminder_audience_by_answer(conn, meeting.id)
        if not waiting:
            return 0
        async with self._db.transaction():
            broadcast = await self._broadcasts.create_broadcast(
                f"meeting:{meeting.id}:nudge:{meeting.sequence}:{now:%Y%m%d%H}", group.id, "meeting_reminder")
            recheck = self._recheck(meeting, meeting.starts_at)
            await self._broadcasts.send_to_members(
                broadcast, waiting, lambda lang: render.reminder(meeting, group, lang, now, ask=True).model_copy(
                    update={"recheck": recheck}))
        return len(waiting)

    # -- for the other modules ----------------------------------------------------------
    def calendar_file(self, meeting: Meeting, group: Group, lang: str, now: datetime) -> Reply:
        content = meeting_ics(meeting_id=meeting.id, title=meeting.title, starts_at=meeting.starts_at,
                              duration=timedelta(minutes=meeting.duration_minutes), place=meeting.place,
                              agenda=meeting.agenda, timezone=group.timezone, sequence=meeting.sequence,
                              cancelled=meeting.cancelled, stamp=now, organizer=group.name)
        return render.calendar_file(meeting, content, lang)

    async def export_file(self, meeting: Meeting, kind: str, lang: str) -> Reply:
        """One meeting's answers and attendance as a CSV or XLSX file (coordinators only;
        the caller checks)."""
        group = await self.group(meeting.group_id)
        table = await export.build(self._db, group, [meeting], lang)
        content = export.render(table, kind, group.name)
        return Reply(text=t("meeting.export_caption", lang, title=meeting.title),
                     attachment=Attachment(kind="document", filename=export.filename(
                         group, meeting.starts_at, None, kind, lang), content=content, mime_type=export.MIME[kind]))

    async def export_period(self, group_id: int, since: datetime, until: datetime, kind: str,
                            lang: str) -> tuple[bytes, int]:
        """The group's meetings in [since, until) as a CSV or XLSX file, and how many meetings
        it covers (for `koordinat export attendance`)."""
        group = await self.group(group_id)
        async with self._db.read() as conn:
            held = await meetings_repo.held_between(conn, group_id, since, until)
        table = await export.build(self._db, group, held, lang)
        return export.render(table, kind, group.name), len(held)

    async def upcoming_for_newcomer(self, ctx: Ctx, member: Member, group: Group) -> Replies:
        """Join hook: a member who joins after the announcement gets the upcoming meetings."""
        return [render.invitation(meeting, group, ctx.lang, heading="meeting.upcoming")
                for meeting in await self.upcoming([group.id], limit=3)]
