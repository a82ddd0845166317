"""Who came: after a meeting the coordinator ticks each person on a sheet (one tap each, a
second tap undoes), and `/members` shows each member's attendance history — groups often
drop members after repeated absences."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.errors import NotFound
from bot.models import Button, Group, Member, Reply
from bot.services.meetings import render
from bot.services.conversation import Ctx, Replies
from messages import t
from storage import meetings as meetings_repo
from storage.db import Database
from storage.meetings import Meeting

if TYPE_CHECKING:
    from bot.services.meetings.service import MeetingService

# People per page of the attendance sheet (two a row, plus a ◀ ▶ row: far below 100 buttons).
SHEET_PAGE = 60
# From this many absences in a row, `/members` flags the member.
ABSENCE_WARNING = 2


class Attendance:
    def __init__(self, meetings: MeetingService, db: Database) -> None:
        self._meetings = meetings
        self._db = db

    async def past_card(self, ctx: Ctx, meeting: Meeting) -> Reply:
        """A meeting just held, in the coordinator's `/meetings`, with the attendance button."""
        group = await self._meetings.group(meeting.group_id)
        async with self._db.read() as conn:
            came = await meetings_repo.head_count(conn, meeting.id)
        key = "meeting.past_taken" if meeting.attendance_taken else "meeting.past"
        return Reply(text=t(key, ctx.lang, title=meeting.title, when=render.when(meeting, group, ctx.lang),
                            present=came),
                     buttons=[[Button(label=t("meeting.attendance_button", ctx.lang),
                                      choice=f"mtg:{meeting.id}:att"),
                               Button(label="📤 CSV", choice=f"mtg:{meeting.id}:csv"),
                               Button(label="📊 XLSX", choice=f"mtg:{meeting.id}:xlsx")]])

    async def sheet(self, ctx: Ctx, meeting: Meeting, edit_of: str | None, page: int = 0) -> Reply:
        """One button per person who was a member when the meeting started (✅ came, ⬜ not),
        alphabetical, each with her RSVP; `SHEET_PAGE` people a page with ◀ ▶, so that a
        2,000-member group stays within Telegram's 100 buttons a message."""
        group = await self._meetings.group(meeting.group_id)
        async with self._db.read() as conn:
            roster = await meetings_repo.roster(conn, meeting, members_at_start=True)
        roster.sort(key=lambda line: (line.member.display_name.casefold(), line.member.id))
        pages = max(1, -(-len(roster) // SHEET_PAGE))
        page = min(max(page, 0), pages - 1)
        shown = roster[page * SHEET_PAGE:(page + 1) * SHEET_PAGE]
        buttons = [[Button(label=("✅ " if line.attended else "⬜ ") + line.member.display_name
                           + (f" ({t(render.ANSWER_KEYS[line.answer], ctx.lang)[:1]})" if line.answer else ""),
                           choice=f"att:{meeting.id}:{line.member.id}:{page}") for line in shown[i:i + 2]]
                   for i in range(0, len(shown), 2)]
        if pages > 1:
            nav = []
            if page > 0:
                nav.append(Button(label="◀", choice=f"att:{meeting.id}:p{page - 1}"))
            if page + 1 < pages:
                nav.append(Button(label="▶", choice=f"att:{meeting.id}:p{page + 1}"))
            buttons.append(nav)
        present = sum(1 for line in roster if line.attended)
        text = t("meeting.attendance_title", ctx.lang, title=meeting.title,
                 when=render.when(meeting, group, ctx.lang), present=present, total=len(roster))
        if pages > 1:
            text += "\n" + t("meeting.sheet_page", ctx.lang, page=page + 1, pages=pages,
                              first=shown[0].member.display_name, last=shown[-1].member.display_name)
        return Reply(text=text, buttons=buttons, edit_of=edit_of)

    async def on_toggle(self, ctx: Ctx, parts: list[str]) -> Replies:
        """`att:<meeting>:<member>[:<page>]`: tick or untick one person; `att:<meeting>:p<page>`:
        turn the page. The sheet updates in place."""
        ctx.require_member()
        if len(parts) not in (2, 3) or not all(part.isdigit() for part in parts[2:]):
            return [ctx.text("error.stale_button")]
        if not (parts[1].isdigit() or (parts[1].startswith("p") and parts[1][1:].isdigit())):
            return [ctx.text("error.stale_button")]  # malformed: nothing to authorise
        meeting = await self._meetings.meeting_of_choice(ctx, parts[0])
        self._meetings.require_coordinator(ctx, meeting.group_id)
        if parts[1].startswith("p") and parts[1][1:].isdigit() and len(parts) == 2:
            return [await self.sheet(ctx, meeting, edit_of=ctx.actor.source_message_id, page=int(parts[1][1:]))]
        if not parts[1].isdigit():
            return [ctx.text("error.stale_button")]
        if meeting.cancelled:
            return [ctx.text("meeting.was_cancelled_coordinator", title=meeting.title)]
        if meeting.starts_at > ctx.now:
            return [ctx.text("meeting.attendance_too_early", title=meeting.title)]
        member_id = int(parts[1])
        async with self._db.transaction() as tx:
            roster = await meetings_repo.roster(tx, meeting, members_at_start=True)
            if member_id not in {line.member.id for line in roster}:
                raise NotFound()
            await meetings_repo.toggle_attendance(tx, meeting.id, member_id, ctx.now)
        page = int(parts[2]) if len(parts) == 3 else 0
        return [await self.sheet(ctx, meeting, edit_of=ctx.actor.source_message_id, page=page)]

    async def member_lines(self, group: Group, people: list[Member], lang: str) -> dict[int, str]:
        """For `/members`: `📋 4/5` meetings attended, and a flag after repeated absences."""
        async with self._db.read() as conn:
            history = await meetings_repo.attendance_history(conn, group.id)
        lines = {}
        for member_id, record in history.items():
            line = t("members.attendance", lang, came=record.came, taken=record.taken)
            if record.missed_in_a_row >= ABSENCE_WARNING:
                line += " " + t("members.absent_in_a_row", lang, count=record.missed_in_a_row)
            lines[member_id] = line
        return lines
