"""Meetings: announce, RSVP, remind, reschedule, cancel, attendance.

The creation and rescheduling dialogs live in `meeting_dialog.py`; how a meeting reads, in
`meeting_render.py`. Every notice goes through broadcasts (outbox rows); reminders are rows
in `reminders` keyed `meeting:<id>:…`, so moving or cancelling a meeting moves or drops them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from bot.calendar import meeting_ics
from bot.channels import Notifier
from bot.errors import InvalidAnswer, NotAuthorized, NotFound
from bot.models import Button, Group, Member, Reply, Role
from bot.services import meeting_render as render
from bot.services.broadcasts import BroadcastService
from bot.services.conversation import CommandSpec, Conversation, Ctx, Replies
from bot.services.groups import GroupService
from bot.services.reminders import Reminder, ReminderService
from bot.text import NO_WORDS, YES_WORDS, fold
from messages import t
from storage import members as members_repo
from storage import meetings as meetings_repo
from storage.db import Database
from storage.meetings import ANSWERS, Meeting

DEFAULT_REMINDER_MINUTES = (24 * 60, 60)
SUMMARY_LEAD = timedelta(hours=24)
MAYBE_WORDS = frozenset({"belki", "maybe", "emin degilim", "bilmiyorum"})
REMINDER_KIND = "meeting_reminder"
SUMMARY_KIND = "meeting_summary"


def _starts(reminder: Reminder) -> datetime | None:
    """Meeting reminders and summaries make no sense once the meeting has started."""
    starts = reminder.payload.get("starts_at")
    return datetime.fromisoformat(starts) if starts else None


class MeetingService:
    def __init__(self, db: Database, now: Callable[[], datetime], groups: GroupService,
                 reminders: ReminderService, broadcasts: BroadcastService, notifier: Notifier) -> None:
        self._db = db
        self._notifier = notifier
        self._now = now
        self._groups = groups
        self._reminders = reminders
        self._broadcasts = broadcasts

    def register(self, conversation: Conversation) -> None:
        from bot.services.meeting_dialog import NewMeetingFlow, RescheduleFlow

        conversation.add_command(CommandSpec("newmeeting", self.new_meeting, aliases=("toplanti",),
                                             coordinator_only=True, order=40))
        conversation.add_command(CommandSpec("meetings", self.meetings, aliases=("toplantilar",), order=10))
        conversation.add_choice("rsvp", self.on_rsvp)
        conversation.add_choice("ics", self.on_calendar)
        conversation.add_choice("mtg", self.on_manage)
        conversation.add_choice("att", self.on_attendance_toggle)
        conversation.add_text_fallback(self.on_typed_answer)
        self._conversation = conversation
        self.new_meeting_flow = NewMeetingFlow(self, conversation)
        self.reschedule_flow = RescheduleFlow(self, conversation)
        conversation.add_flow(self.new_meeting_flow)
        conversation.add_flow(self.reschedule_flow)
        self._reminders.register_kind(REMINDER_KIND, self._send_reminder, grace=_starts)
        self._reminders.register_kind(SUMMARY_KIND, self._send_summary, grace=_starts)

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

    def _require_coordinator(self, ctx: Ctx, group_id: int) -> None:
        if ctx.roles.get(group_id) is not Role.COORDINATOR:
            raise NotAuthorized(command="/toplanti" if ctx.lang == "tr" else "/newmeeting")

    # -- creating and announcing --------------------------------------------------------
    async def new_meeting(self, ctx: Ctx, args: list[str]) -> Replies:
        return await self.new_meeting_flow.begin(ctx)

    async def create_and_announce(self, *, group_id: int, title: str, starts_at: datetime, place: str,
                                  agenda: str | None, quorum: int | None, created_by: int | None) -> Meeting:
        """Store the meeting, queue its notice to every member, arm its reminders."""
        async with self._db.transaction() as tx:
            meeting = await meetings_repo.create(tx, group_id=group_id, title=title, starts_at=starts_at,
                                                 place=place, agenda=agenda, quorum=quorum,
                                                 created_by=created_by, now=self._now())
            await self._announce(meeting, "meeting.announcement")
            await self._arm_reminders(meeting)
        return meeting

    async def _announce(self, meeting: Meeting, heading: str) -> int:
        group = await self.group(meeting.group_id)
        broadcast = await self._broadcasts.create_broadcast(self._announce_key(meeting), group.id, "meeting")
        async with self._db.read() as conn:
            people = [member for member, _ in await members_repo.group_members(conn, group.id)]
        sent = await self._broadcasts.send_personal(
            broadcast, people, lambda member: render.invitation(meeting, group, member.language, heading=heading))
        await self._post_to_chat(group, broadcast, Reply(
            text=t(heading, group.language) + "\n\n" + render.details(meeting, group, group.language)
            + "\n\n" + t("meeting.group_chat_hint", group.language)))
        return sent

    async def _post_to_chat(self, group: Group, broadcast: int, reply: Reply) -> None:
        """The group's linked Telegram group chat gets the notice too (without answer buttons:
        answers are personal)."""
        if group.telegram_chat_id is None:
            return
        async with self._db.transaction() as tx:
            await self._notifier.to_chat(tx, "telegram", group.telegram_chat_id, reply,
                                         f"chat:{broadcast}", broadcast_id=broadcast)

    @staticmethod
    def _announce_key(meeting: Meeting) -> str:
        return f"meeting:{meeting.id}:announce:{meeting.sequence}"

    async def _arm_reminders(self, meeting: Meeting) -> None:
        group = await self.group(meeting.group_id)
        offsets = group.settings.get("meeting_reminder_minutes", list(DEFAULT_REMINDER_MINUTES))
        payload = {"meeting_id": meeting.id, "sequence": meeting.sequence,
                   "starts_at": meeting.starts_at.isoformat()}
        for minutes in offsets:  # type: ignore[union-attr]
            await self._reminders.schedule(f"meeting:{meeting.id}:remind:{minutes}m", REMINDER_KIND,
                                           meeting.starts_at - timedelta(minutes=int(minutes)),
                                           {**payload, "minutes": int(minutes)}, reset=True)
        summary_at = max(meeting.starts_at - SUMMARY_LEAD, self._now())
        await self._reminders.schedule(f"meeting:{meeting.id}:summary", SUMMARY_KIND, summary_at, payload,
                                       reset=True)

    # -- reminders (run inside the reminder's transaction) ------------------------------
    async def _send_reminder(self, reminder: Reminder, now: datetime) -> None:
        meeting = await self.meeting(int(reminder.payload["meeting_id"]))
        if meeting.cancelled or meeting.sequence != reminder.payload.get("sequence"):
            return
        group = await self.group(meeting.group_id)
        minutes = int(reminder.payload["minutes"])
        async with self._db.read() as conn:
            answers = await meetings_repo.rsvps(conn, meeting.id)
            people = [m for m, _ in await members_repo.group_members(conn, group.id) if answers.get(m.id) != "no"]
        broadcast = await self._broadcasts.create_broadcast(
            f"meeting:{meeting.id}:remind:{minutes}m:{meeting.sequence}", group.id, "meeting_reminder")
        await self._broadcasts.send_personal(
            broadcast, people, lambda member: render.reminder(meeting, group, member.language, minutes))

    async def _send_summary(self, reminder: Reminder, now: datetime) -> None:
        meeting = await self.meeting(int(reminder.payload["meeting_id"]))
        if meeting.cancelled or meeting.sequence != reminder.payload.get("sequence"):
            return
        group = await self.group(meeting.group_id)
        async with self._db.read() as conn:
            answers = await meetings_repo.rsvps(conn, meeting.id)
            everyone = await members_repo.group_members(conn, group.id)
        coordinators = [m for m, role in everyone if role is Role.COORDINATOR]

        def summary(member: Member) -> Reply:
            lang = member.language
            text = t("meeting.summary", lang, title=meeting.title, when=render.when(meeting, group, lang),
                     tally=render.tally_line(answers, len(everyone), lang))
            yes = sum(1 for answer in answers.values() if answer == "yes")
            if meeting.quorum and yes < meeting.quorum:
                text += "\n\n" + t("meeting.quorum_warning", lang, yes=yes, quorum=meeting.quorum)
            return Reply(text=text, buttons=[[Button(label=t("meeting.list_button", lang),
                                                     choice=f"mtg:{meeting.id}:list")]])

        broadcast = await self._broadcasts.create_broadcast(
            f"meeting:{meeting.id}:summary:{meeting.sequence}", group.id, "meeting_summary")
        await self._broadcasts.send_personal(broadcast, coordinators, summary)

    # -- answering ----------------------------------------------------------------------
    async def on_rsvp(self, ctx: Ctx, parts: list[str]) -> Replies:
        member = ctx.require_member()
        if len(parts) != 2 or not parts[0].isdigit() or parts[1] not in ANSWERS:
            return [ctx.text("error.stale_button")]
        meeting = await self.meeting(int(parts[0]))
        return await self._record_answer(ctx, member, meeting, parts[1], edit_of=ctx.actor.source_message_id)

    async def _record_answer(self, ctx: Ctx, member: Member, meeting: Meeting, answer: str,
                             edit_of: str | None) -> Replies:
        group = await self.group(meeting.group_id)
        if group.id not in ctx.roles:
            raise NotFound()
        if meeting.cancelled:
            return [ctx.text("meeting.was_cancelled", title=meeting.title)]
        if meeting.starts_at <= ctx.now:
            return [ctx.text("meeting.already_started", title=meeting.title)]
        async with self._db.transaction() as tx:
            await meetings_repo.set_rsvp(tx, meeting.id, member.id, answer, ctx.now)
        if edit_of is not None and ctx.roles.get(group.id) is Role.COORDINATOR:
            overview = await self._overview(ctx, member, meeting)  # keeps the tally and tools
            return [overview.model_copy(update={"edit_of": edit_of})]
        updated = render.invitation(meeting, group, ctx.lang, chosen=answer, edit_of=edit_of)
        if edit_of is None:
            return [ctx.text("rsvp.recorded", title=meeting.title, answer=t(render.ANSWER_KEYS[answer], ctx.lang))]
        return [updated]

    async def on_typed_answer(self, ctx: Ctx, text: str) -> Replies | None:
        """"EVET", "hayır", "belki" answer the one upcoming meeting; if several, ask which."""
        word = fold(text).strip(" .!")
        answer = ("yes" if word in YES_WORDS else "no" if word in NO_WORDS
                  else "maybe" if word in MAYBE_WORDS else None)
        if answer is None or ctx.member is None:
            return None
        async with self._db.read() as conn:
            upcoming = await meetings_repo.upcoming_for_groups(conn, list(ctx.roles), ctx.now)
        if not upcoming:
            return [ctx.text("meeting.none_to_answer")]
        if len(upcoming) > 1:
            buttons = [[Button(label=f"{m.title} — {render.when(m, await self.group(m.group_id), ctx.lang)}",
                               choice=f"rsvp:{m.id}:{answer}")] for m in upcoming[:5]]
            return [Reply(text=t("meeting.which_one", ctx.lang), buttons=buttons)]
        return await self._record_answer(ctx, ctx.member, upcoming[0], answer, edit_of=None)

    async def on_calendar(self, ctx: Ctx, parts: list[str]) -> Replies:
        ctx.require_member()
        if not parts or not parts[0].isdigit():
            return [ctx.text("error.stale_button")]
        meeting = await self.meeting(int(parts[0]))
        if meeting.group_id not in ctx.roles:
            raise NotFound()
        group = await self.group(meeting.group_id)
        content = meeting_ics(meeting_id=meeting.id, title=meeting.title, starts_at=meeting.starts_at,
                              duration=timedelta(minutes=meeting.duration_minutes), place=meeting.place,
                              agenda=meeting.agenda, timezone=group.timezone, sequence=meeting.sequence,
                              cancelled=meeting.cancelled, stamp=ctx.now)
        return [render.calendar_file(meeting, content, ctx.lang)]

    # -- /meetings ----------------------------------------------------------------------
    async def meetings(self, ctx: Ctx, args: list[str]) -> Replies:
        member = ctx.require_member()
        async with self._db.read() as conn:
            upcoming = await meetings_repo.upcoming_for_groups(conn, list(ctx.roles), ctx.now, limit=5)
            past = await meetings_repo.recent_past_for_groups(conn, ctx.coordinated_groups(), ctx.now)
        if not upcoming and not past:
            return [ctx.text("meeting.none_upcoming")]
        replies = [await self._overview(ctx, member, meeting) for meeting in upcoming]
        for meeting in past:
            group = await self.group(meeting.group_id)
            replies.append(Reply(text=t("meeting.past", ctx.lang, title=meeting.title,
                                        when=render.when(meeting, group, ctx.lang)),
                                 buttons=[[Button(label=t("meeting.attendance_button", ctx.lang),
                                                  choice=f"mtg:{meeting.id}:att")]]))
        return replies

    async def _overview(self, ctx: Ctx, member: Member, meeting: Meeting) -> Reply:
        group = await self.group(meeting.group_id)
        async with self._db.read() as conn:
            chosen = await meetings_repo.rsvp_of(conn, meeting.id, member.id)
        reply = render.invitation(meeting, group, ctx.lang, chosen=chosen, heading="meeting.upcoming")
        if ctx.roles.get(group.id) is not Role.COORDINATOR:
            return reply
        async with self._db.read() as conn:
            answers = await meetings_repo.rsvps(conn, meeting.id)
            size = len(await members_repo.group_members(conn, group.id))
        extra = [render.tally_line(answers, size, ctx.lang)]
        broadcast = await self._broadcasts.broadcast_id(self._announce_key(meeting))
        if broadcast is not None:
            extra.append(BroadcastService.describe(await self._broadcasts.delivery_counts(broadcast), ctx.lang))
        if meeting.quorum:
            extra.append(t("meeting.quorum_line", ctx.lang, quorum=meeting.quorum))
        manage = [Button(label=t("meeting.list_button", ctx.lang), choice=f"mtg:{meeting.id}:list"),
                  Button(label=t("meeting.move_button", ctx.lang), choice=f"mtg:{meeting.id}:move"),
                  Button(label=t("meeting.cancel_button", ctx.lang), choice=f"mtg:{meeting.id}:cancel")]
        return Reply(text=reply.text + "\n\n" + "\n".join(extra), buttons=[*reply.buttons, manage])

    # -- coordinator actions ------------------------------------------------------------
    async def on_manage(self, ctx: Ctx, parts: list[str]) -> Replies:
        ctx.require_member()
        if len(parts) != 2 or not parts[0].isdigit():
            return [ctx.text("error.stale_button")]
        meeting = await self.meeting(int(parts[0]))
        self._require_coordinator(ctx, meeting.group_id)
        action = parts[1]
        if action == "list":
            return [await self._attendee_list(ctx, meeting)]
        if action == "att":
            return [await self._attendance_sheet(ctx, meeting, edit_of=None)]
        if meeting.cancelled:
            return [ctx.text("meeting.was_cancelled", title=meeting.title)]
        if action == "move":
            return await self.reschedule_flow.begin(ctx, meeting)
        if action == "cancel":
            return [Reply(text=t("meeting.cancel_confirm", ctx.lang, title=meeting.title), buttons=[[
                Button(label=t("meeting.cancel_yes", ctx.lang), choice=f"mtg:{meeting.id}:cancelyes"),
                Button(label=t("meeting.cancel_no", ctx.lang), choice=f"mtg:{meeting.id}:keep")]])]
        if action == "cancelyes":
            return await self.cancel(ctx, meeting)
        if action == "keep":
            return [ctx.text("meeting.kept")]
        return [ctx.text("error.stale_button")]

    async def _attendee_list(self, ctx: Ctx, meeting: Meeting) -> Reply:
        group = await self.group(meeting.group_id)
        async with self._db.read() as conn:
            answers = await meetings_repo.rsvps(conn, meeting.id)
            people = await members_repo.group_members(conn, group.id)
        sections = []
        for answer in (*ANSWERS, None):
            names = [m.display_name for m, _ in people if answers.get(m.id) == answer]
            label = t(render.ANSWER_KEYS[answer], ctx.lang) if answer else t("rsvp.waiting", ctx.lang)
            sections.append(t("meeting.list_section", ctx.lang, answer=label, count=len(names),
                              names=", ".join(names) if names else "—"))
        return Reply(text=t("meeting.list_title", ctx.lang, title=meeting.title,
                            when=render.when(meeting, group, ctx.lang)) + "\n" + "\n".join(sections))

    async def reschedule(self, ctx: Ctx, meeting: Meeting, starts_at: datetime) -> Replies:
        self._require_coordinator(ctx, meeting.group_id)
        async with self._db.transaction() as tx:
            await meetings_repo.reschedule(tx, meeting.id, starts_at)
            moved = await meetings_repo.get(tx, meeting.id)
            assert moved is not None
            await self._reminders.cancel_prefix(f"meeting:{meeting.id}:")
            await self._announce(moved, "meeting.rescheduled")
            await self._arm_reminders(moved)
        group = await self.group(meeting.group_id)
        return [ctx.text("meeting.rescheduled_done", title=moved.title, when=render.when(moved, group, ctx.lang))]

    async def cancel(self, ctx: Ctx, meeting: Meeting) -> Replies:
        self._require_coordinator(ctx, meeting.group_id)
        group = await self.group(meeting.group_id)
        async with self._db.transaction() as tx:
            await meetings_repo.cancel(tx, meeting.id)
            cancelled = await meetings_repo.get(tx, meeting.id)
            assert cancelled is not None
            await self._reminders.cancel_prefix(f"meeting:{meeting.id}:")
            broadcast = await self._broadcasts.create_broadcast(self._announce_key(cancelled), group.id, "meeting")
            people = [member for member, _ in await members_repo.group_members(tx, group.id)]
            await self._broadcasts.send_personal(
                broadcast, people, lambda member: render.cancellation(cancelled, group, member.language))
            await self._post_to_chat(group, broadcast, Reply(text=render.cancellation(
                cancelled, group, group.language).text))
        return [ctx.text("meeting.cancelled_done", title=meeting.title)]

    # -- attendance ---------------------------------------------------------------------
    async def _attendance_sheet(self, ctx: Ctx, meeting: Meeting, edit_of: str | None) -> Reply:
        group = await self.group(meeting.group_id)
        async with self._db.read() as conn:
            answers = await meetings_repo.rsvps(conn, meeting.id)
            came = await meetings_repo.attendance(conn, meeting.id)
            people = await members_repo.group_members(conn, group.id)
        order = {"yes": 0, "maybe": 1, None: 2, "no": 3}
        people.sort(key=lambda item: (order.get(answers.get(item[0].id)), item[0].display_name.casefold()))
        buttons = [[Button(label=("✅ " if came.get(m.id) else "⬜ ") + m.display_name,
                           choice=f"att:{meeting.id}:{m.id}")] for m, _ in people]
        present = sum(1 for value in came.values() if value)
        return Reply(text=t("meeting.attendance_title", ctx.lang, title=meeting.title,
                            when=render.when(meeting, group, ctx.lang), present=present, total=len(people)),
                     buttons=buttons, edit_of=edit_of)

    async def on_attendance_toggle(self, ctx: Ctx, parts: list[str]) -> Replies:
        ctx.require_member()
        if len(parts) != 2 or not all(part.isdigit() for part in parts):
            return [ctx.text("error.stale_button")]
        meeting = await self.meeting(int(parts[0]))
        self._require_coordinator(ctx, meeting.group_id)
        member_id = int(parts[1])
        async with self._db.transaction() as tx:
            if await members_repo.role_in(tx, meeting.group_id, member_id) is None:
                raise NotFound()
            came = await meetings_repo.attendance(tx, meeting.id)
            await meetings_repo.set_attendance(tx, meeting.id, member_id, not came.get(member_id, False), ctx.now)
        return [await self._attendance_sheet(ctx, meeting, edit_of=ctx.actor.source_message_id)]

    async def attendance_lines(self, group: Group, people: list[Member]) -> dict[int, str]:
        """For `/members`: how many of the recorded meetings each person attended."""
        async with self._db.read() as conn:
            history = await meetings_repo.attendance_history(conn, group.id)
        return {member_id: t("members.attendance", group.language, came=came, taken=taken)
                for member_id, (came, taken) in history.items()}

    # -- joining later ------------------------------------------------------------------
    async def upcoming_for_newcomer(self, ctx: Ctx, member: Member, group: Group) -> Replies:
        async with self._db.read() as conn:
            upcoming = await meetings_repo.upcoming_for_groups(conn, [group.id], ctx.now, limit=3)
        return [render.invitation(meeting, group, ctx.lang) for meeting in upcoming]

    # -- used by the dialog -------------------------------------------------------------
    def check_title(self, text: str) -> str:
        title = " ".join(text.split())
        if not 2 <= len(title) <= 120:
            raise InvalidAnswer("meeting.bad_title")
        return title
