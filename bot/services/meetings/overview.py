"""`/meetings`: a member's upcoming meetings and her answers; for coordinators also the tally,
the delivery of the notice, the attendee list and the tools to move or cancel a meeting."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING


from bot.errors import InvalidAnswer
from bot.models import Button, Member, Reply, Role
from bot.services.meetings import export, recurrence, render
from bot.services.broadcasts import BroadcastService
from bot.services import remind_button
from bot.services.conversation import Ctx, Replies
from messages import format_day, t
from storage import meetings as meetings_repo
from storage.db import Database
from storage.meetings import ANSWERS, Meeting

if TYPE_CHECKING:
    from bot.services.meetings.service import MeetingService

UPCOMING_SHOWN = 5
# Names per answer in the attendee list; the rest are counted (the CSV export has everyone).
NAMES_SHOWN = 40
PAST_SHOWN = 3
# A coordinator's "remind those who have not answered" this soon after a reminder asks first.


class MeetingOverview:
    def __init__(self, meetings: MeetingService, db: Database) -> None:
        self._meetings = meetings
        self._db = db

    async def meetings(self, ctx: Ctx, args: list[str]) -> Replies:
        """One card per upcoming meeting (with the member's answer); coordinators also see
        the meetings just held, to take attendance."""
        member = ctx.require_member()
        upcoming = await self._meetings.upcoming(list(ctx.roles), limit=UPCOMING_SHOWN)
        past = await self.past_page(ctx, 0)
        if not upcoming and not past:
            key = "meeting.none_upcoming_coordinator" if ctx.is_coordinator else "meeting.none_upcoming"
            return [ctx.text(key)]
        return [await self.card(ctx, member, meeting) for meeting in upcoming] + past

    async def past_page(self, ctx: Ctx, offset: int) -> Replies:
        """Upcoming meetings come first; then at most `PAST_SHOWN` meetings already held (from
        `offset`, latest first), the last with an "older" button when there are more."""
        async with self._db.read() as conn:
            past = await meetings_repo.recent_past_for_groups(conn, ctx.coordinated_groups(), ctx.now,
                                                              limit=PAST_SHOWN + 1, offset=offset)
        replies = [await self._meetings.attendance.past_card(ctx, meeting) for meeting in past[:PAST_SHOWN]]
        if len(past) > PAST_SHOWN:
            last = replies[-1]
            replies[-1] = last.model_copy(update={"buttons": [*last.buttons, [Button(
                label=t("meeting.older_button", ctx.lang), choice=f"mtgpast:{offset + PAST_SHOWN}")]]})
        return replies

    async def on_older(self, ctx: Ctx, parts: list[str]) -> Replies:
        """`mtgpast:<offset>`: the next page of meetings already held."""
        ctx.require_member()
        if len(parts) != 1 or not parts[0].isdigit() or not ctx.is_coordinator:
            return [ctx.text("error.stale_button")]
        return await self.past_page(ctx, int(parts[0])) or [ctx.text("meeting.no_older")]

    async def card(self, ctx: Ctx, member: Member, meeting: Meeting) -> Reply:
        """The meeting with the member's answer; for its coordinators, with the tally, the
        notice's delivery, the quorum and the buttons to list, move or cancel."""
        group = await self._meetings.group(meeting.group_id)
        async with self._db.read() as conn:
            chosen = await meetings_repo.rsvp_of(conn, meeting.id, member.id)
        reply = render.invitation(meeting, group, ctx.lang, chosen=chosen, heading="meeting.upcoming")
        if ctx.roles.get(group.id) is not Role.COORDINATOR:
            return reply
        async with self._db.read() as conn:
            counts = await meetings_repo.tally(conn, meeting.id)
        extra = [render.tally_line(counts, ctx.lang)]
        delivery = await self._meetings.announcement_counts(meeting)
        if delivery is not None:
            extra.append(BroadcastService.describe(delivery, ctx.lang))
        if quorum := render.quorum_line(meeting, counts["yes"], ctx.lang):
            extra.append(quorum)
        if render.enabled_needs(group):
            async with self._db.read() as conn:
                needs = await meetings_repo.needs_count(conn, meeting.id)
            extra.append(render.needs_line(needs, group, ctx.lang) or "")
        manage = [Button(label=t("meeting.list_button", ctx.lang), choice=f"mtg:{meeting.id}:list"),
                  Button(label=t("meeting.move_button", ctx.lang), choice=f"mtg:{meeting.id}:move"),
                  Button(label=t("meeting.cancel_button", ctx.lang), choice=f"mtg:{meeting.id}:cancel")]
        more = [Button(label=t("meeting.edit_meeting_button", ctx.lang), choice=f"mtg:{meeting.id}:edit")]
        if counts.get(None, 0):
            more.append(Button(label=t("meeting.nudge_button", ctx.lang), choice=f"mtg:{meeting.id}:nudge"))
        rows = [*reply.buttons, manage, more]
        if meeting.series_id is not None:
            rows.append([Button(label=t("meeting.stop_series_button", ctx.lang), choice=f"mtg:{meeting.id}:stopseries")])
        return Reply(text=reply.text + "\n\n" + "\n".join(extra), buttons=rows)

    # -- coordinator actions: `mtg:<meeting>:<action>` ---------------------------------
    async def on_manage(self, ctx: Ctx, parts: list[str]) -> Replies:
        ctx.require_member()
        if len(parts) != 2:
            return [ctx.text("error.stale_button")]
        meeting = await self._meetings.meeting_of_choice(ctx, parts[0])
        self._meetings.require_coordinator(ctx, meeting.group_id)
        action = parts[1]
        if action == "list":
            return [await self.attendee_list(ctx, meeting)]
        if action == "att":
            return [await self._meetings.attendance.sheet(ctx, meeting, edit_of=None)]
        if action in export.FORMATS:
            return [await self._meetings.export_file(meeting, action, ctx.lang)]
        if meeting.cancelled:
            return [ctx.text("meeting.was_cancelled_coordinator", title=meeting.title)]
        if action == "keep":
            return [ctx.text("meeting.kept", title=meeting.title)]
        if meeting.starts_at <= ctx.now:
            return [ctx.text("meeting.too_late_to_change", title=meeting.title)]
        if action == "move":
            return await self._meetings.reschedule_flow.begin(ctx, meeting)
        if action == "stopseries" and meeting.series_id is not None:
            return [Reply(text=t("meeting.stop_series_confirm", ctx.lang, title=meeting.title), buttons=[[
                Button(label=t("meeting.stop_series_yes", ctx.lang), choice=f"mtg:{meeting.id}:stopyes"),
                Button(label=t("meeting.cancel_no", ctx.lang), choice=f"mtg:{meeting.id}:keep")]])]
        if action == "stopyes" and meeting.series_id is not None:
            count = await self._meetings.stop_series(meeting.series_id)
            return [ctx.text("meeting.series_stopped", title=meeting.title, count=count)]
        if action == "edit":
            return await self._meetings.amend_flow.begin(ctx, meeting)
        if action == "nudge":  # a reminder went out lately: ask before sending another one (remind_button)
            question = remind_button.ask_first(ctx.lang, meeting.title, await self._meetings.last_reminded(meeting),
                                               ctx.now, yes=f"mtg:{meeting.id}:nudgeyes", no=f"mtg:{meeting.id}:keep")
            if question is not None:
                return [question]
        if action in ("nudge", "nudgeyes"):
            count = await self._meetings.remind_waiting(meeting)
            return [ctx.text("meeting.nudged" if count else "meeting.nobody_waiting", title=meeting.title, count=count)]
        if action == "cancel":
            return [Reply(text=t("meeting.cancel_confirm", ctx.lang, title=meeting.title), buttons=[[
                Button(label=t("meeting.cancel_yes", ctx.lang), choice=f"mtg:{meeting.id}:cancelyes"),
                Button(label=t("meeting.cancel_no", ctx.lang), choice=f"mtg:{meeting.id}:keep")]])]
        if action == "cancelyes":
            await self._meetings.call_off(meeting.id)
            return [ctx.text("meeting.cancelled_done", title=meeting.title)]
        return [ctx.text("error.stale_button")]

    async def attendee_list(self, ctx: Ctx, meeting: Meeting) -> Reply:
        """Who said yes, no, maybe, and who has not answered yet."""
        group = await self._meetings.group(meeting.group_id)
        async with self._db.read() as conn:
            roster = await meetings_repo.roster(conn, meeting)
        sections = []
        for answer in (*ANSWERS, None):
            names = [line.member.display_name + "".join(" " + render.NEED_ICONS[need] for need in line.needs)
                     + (f" («{line.note}»)" if line.note else "") for line in roster if line.answer == answer]
            label = t(render.ANSWER_KEYS[answer], ctx.lang) if answer else t("rsvp.waiting", ctx.lang)
            shown = ", ".join(names[:NAMES_SHOWN]) if names else "—"
            if len(names) > NAMES_SHOWN:  # a big group's list stays one message (4096 characters)
                shown += " " + t("meeting.list_more", ctx.lang, count=len(names) - NAMES_SHOWN)
            sections.append(t("meeting.list_section", ctx.lang, answer=label, count=len(names), names=shown))
        return Reply(text=t("meeting.list_title", ctx.lang, title=meeting.title,
                            when=render.when(meeting, group, ctx.lang)) + "\n" + "\n".join(sections))

    async def reschedule(self, ctx: Ctx, meeting: Meeting, starts_at: datetime) -> Replies:
        """The coordinator typed the new time (from the reschedule dialog)."""
        self._meetings.require_coordinator(ctx, meeting.group_id)
        if meeting.cancelled:
            return [ctx.text("meeting.was_cancelled_coordinator", title=meeting.title)]
        if meeting.starts_at <= ctx.now:
            return [ctx.text("meeting.too_late_to_change", title=meeting.title)]
        if starts_at == meeting.starts_at:
            raise InvalidAnswer("meeting.same_time", when=render.when(
                meeting, await self._meetings.group(meeting.group_id), ctx.lang))
        moved = await self._meetings.move(meeting.id, starts_at)
        group = await self._meetings.group(moved.group_id)
        return [ctx.text("meeting.rescheduled_done", title=moved.title,
                         change=render.time_change(meeting.starts_at, moved.starts_at, group, ctx.lang))]

    async def reschedule_series(self, ctx: Ctx, meeting: Meeting, starts_at: datetime) -> Replies:
        """The coordinator chose "this and all following" for the new time (reschedule dialog)."""
        self._meetings.require_coordinator(ctx, meeting.group_id)
        if meeting.cancelled:
            return [ctx.text("meeting.was_cancelled_coordinator", title=meeting.title)]
        if meeting.starts_at <= ctx.now:
            return [ctx.text("meeting.too_late_to_change", title=meeting.title)]
        group = await self._meetings.group(meeting.group_id)
        if starts_at == meeting.starts_at:
            raise InvalidAnswer("meeting.same_time", when=render.when(meeting, group, ctx.lang))
        done = await self._meetings.move_series(meeting.id, starts_at)
        series = done.series
        return [ctx.text("meeting.series_moved_done", title=meeting.title,
                         change=render.time_change(meeting.starts_at, starts_at, group, ctx.lang),
                         pattern=recurrence.describe(series.frequency, series.weekday, series.nth,
                                                     series.local_time, ctx.lang),
                         count=len(done.moved), next=format_day(done.next, ctx.lang, group.timezone))]
