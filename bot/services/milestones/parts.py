"""The digest's parts built here: milestones (coordinators) and meetings (everyone). The
surveys part is added by the surveys feature through `WeeklyDigest.add_part`."""

from __future__ import annotations

from bot.daycount import window_end
from bot.models import Group
from bot.services.meetings import render as meeting_render
from bot.services.milestones import render
from bot.services.milestones.digest import DigestRequest, DigestSection
from messages import t
from storage import meetings as meetings_repo
from storage import milestones as milestones_repo
from storage.db import Database

HORIZON_DAYS = 14  # "the next 14 days": calendar days in the group's zone (bot.daycount)


def milestones_part(db: Database):  # type: ignore[no-untyped-def]
    """Coordinators: overdue milestones and those due in the next 14 days, with days left."""
    async def part(request: DigestRequest, group: Group, full: bool) -> DigestSection | None:
        if not full:
            return None
        async with db.read() as conn:
            due = await milestones_repo.for_groups(conn, [group.id], until=window_end(request.now, HORIZON_DAYS, group.timezone))
        due = [m for m in due if not (render.is_observance(m) and render.days_left(m, group, request.now) < 0)]
        if not due:
            return None
        lines = [t("digest.milestones", request.lang)]
        lines += [render.line(m, group, request.lang, request.now) for m in due]
        return DigestSection("\n".join(lines))

    return part


def meetings_part(db: Database):  # type: ignore[no-untyped-def]
    """Coordinators: upcoming meetings (14 days) with RSVP counts; members: the ones she has
    not answered yet."""
    async def part(request: DigestRequest, group: Group, full: bool) -> DigestSection | None:
        async with db.read() as conn:
            meetings = [m for m in await meetings_repo.upcoming_for_groups(conn, [group.id], request.now)
                        if m.starts_at < window_end(request.now, HORIZON_DAYS, group.timezone)]
            lines = []
            for meeting in meetings:
                when = meeting_render.when(meeting, group, request.lang)
                if full:
                    counts = await meetings_repo.tally(conn, meeting.id)
                    lines.append(t("digest.meeting_line", request.lang, title=meeting.title, when=when,
                                   tally=meeting_render.tally_line(counts, request.lang)))
                elif await meetings_repo.rsvp_of(conn, meeting.id, request.member.id) is None:
                    lines.append(t("digest.meeting_unanswered", request.lang, title=meeting.title, when=when))
        if not lines:
            return None
        return DigestSection("\n".join([t("digest.meetings", request.lang), *lines]))

    return part
