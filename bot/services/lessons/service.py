"""Lessons: the catalogue, each member's progress, the coordinators' view, and offers made when
the plan cycle needs a lesson (a budget proposal round opens, a monitoring survey goes out, her
first /oneri, a plan-cycle milestone linked to a lesson).

Offer rules (issue 23): only to members who have not passed the lesson's quiz; at most one
offer per member in `OFFER_EVERY` (7 days); none after she said "no thanks" to that lesson;
never in quiet hours (`quiet.py`): an offer falling in them waits, as a reminder row, for
their end and is checked again then.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path

from bot.errors import NotFound
from storage.sql import Connection

from bot.models import Button, Group, Member, Recheck, Reply, Role
from bot.services.broadcasts import BroadcastService
from bot.services.groups import GroupService
from bot.services.late import LateDelivery, Recipient
from bot.services.lessons import quiet
from bot.services.lessons.content import Lesson, catalogue
from bot.services.lessons.render import esc
from bot.services.reminders import Reminder, ReminderService
from messages import t
from storage import lessons as repo
from storage import members as members_repo
from storage.db import Database

log = logging.getLogger(__name__)

OFFER_EVERY = timedelta(days=7)
OFFER_KIND = "lesson-offer"
# Why a lesson is offered → the lesson offered (issue 23, item 3).
BUDGET_ROUND = "budget-round"
MONITORING_SURVEY = "monitoring-survey"
PROPOSE = "propose"
MILESTONE = "milestone"
COORDINATOR = "coordinator"
# The quiz average is shown only when at least this many members answered the quiz through:
# with one or two, the "average" is a person's score (issue 23, item 4: never individual
# quiz results).
MIN_QUIZ_TAKERS = 3
LINKED_LESSONS = {BUDGET_ROUND: "gender-budgeting", MONITORING_SURVEY: "monitoring", PROPOSE: "proposal-writing"}


def shown_average(stats: repo.LessonStats | None) -> float | None:
    """The quiz average (percent) coordinators may see, or None when fewer than
    `MIN_QUIZ_TAKERS` members answered the quiz through (or nobody did)."""
    if stats is None or stats.average is None or stats.takers < MIN_QUIZ_TAKERS:
        return None
    return stats.average


class LessonService:
    def __init__(self, db: Database, now: Callable[[], datetime], groups: GroupService,
                 broadcasts: BroadcastService, reminders: ReminderService, lessons_dir: Path | None = None,
                 kick: Callable[[], None] = lambda: None) -> None:
        self.db = db
        self._kick = kick  # wakes the outbox dispatcher (after the commit)
        self._now = now
        self._groups = groups
        self._broadcasts = broadcasts
        self._reminders = reminders
        self._lessons_dir = lessons_dir
        self.quiet_hours: quiet.QuietHours = quiet.quiet_hours  # replace with the shared group setting

    @cached_property
    def lessons(self) -> tuple[Lesson, ...]:
        """The shipped lessons and the group's own, read on first use (the running bot reads
        them just after start-up, `Services.warm_up`; issue 24). A broken file of the group's
        own is logged and left out; the shipped ones always load."""
        return catalogue(self._lessons_dir, on_error=lambda error: log.error("lesson left out: %s", error))

    def register_kinds(self) -> None:
        self._reminders.register_kind(OFFER_KIND, self._on_offer_due, grace=timedelta(hours=12))

    # -- catalogue and progress -------------------------------------------------------------
    def lesson(self, slug: str) -> Lesson:
        """The lesson `slug`; raises NotFound (a stale or forged button)."""
        for lesson in self.lessons:
            if lesson.slug == slug:
                return lesson
        raise NotFound()

    def has(self, slug: str) -> bool:
        return any(lesson.slug == slug for lesson in self.lessons)

    async def progress(self, member_id: int) -> dict[str, repo.Progress]:
        async with self.db.read() as conn:
            return await repo.of_member(conn, member_id)

    async def group(self, group_id: int) -> Group:
        group = await self._groups.get(group_id)
        if group is None:
            raise NotFound()
        return group

    # -- what coordinators see --------------------------------------------------------------
    async def stats(self, group_id: int) -> tuple[dict[str, repo.LessonStats], dict[int, set[str]], list[Member]]:
        """Per lesson: counts and the quiz average; per member: the lessons she passed (never
        answers or scores); the group's members by name. "Members" are those with the member
        role: coordinators are not counted (they see the figures; they are not in them)."""
        async with self.db.read() as conn:
            stats = await repo.group_stats(conn, group_id)
            passed = await repo.group_passed(conn, group_id)
            members = [member for member, role in await members_repo.group_members(conn, group_id)
                       if role is Role.MEMBER]
        return stats, passed, sorted(members, key=lambda member: member.display_name.casefold())

    async def coordinators(self, group_id: int) -> list[int]:
        async with self.db.read() as conn:
            return [member.id for member, role in await members_repo.group_members(conn, group_id)
                    if role is Role.COORDINATOR]

    # -- offers ---------------------------------------------------------------------------
    def is_quiet(self, group: Group, moment: datetime) -> bool:
        return quiet.is_quiet(self.quiet_hours(group), group.timezone, moment)

    async def may_offer(self, member_id: int, slug: str, now: datetime) -> bool:
        """Not passed, not declined, no offer to her in the last week."""
        async with self.db.read() as conn:
            progress = await repo.get(conn, member_id, slug)
            if progress is not None and progress.passed_at is not None:
                return False
            if await repo.declined(conn, member_id, slug):
                return False
            last = await repo.last_offer_at(conn, member_id)
        return last is None or now - last >= OFFER_EVERY

    async def offer_to_group(self, group_id: int, slug: str, reason: str, *,
                             member_ids: Sequence[int] | None = None) -> int:
        """Offer `slug` to the group's members (or those of `member_ids` in it) who may get it
        now; in quiet hours, arm a reminder for their end instead. Returns the offers queued."""
        if not self.has(slug):
            log.warning("lesson offer %s: no lesson %r", reason, slug)
            return 0
        group = await self.group(group_id)
        now = self._now()
        if self.is_quiet(group, now):
            due = quiet.quiet_ends(self.quiet_hours(group), group.timezone, now)
            payload: dict[str, object] = {"group_id": group_id, "lesson": slug, "reason": reason}
            if member_ids is not None:
                payload["member_ids"] = list(member_ids)
            await self._reminders.schedule(f"lesson-offer:{group_id}:{slug}:{reason}:{now:%Y%m%d}", OFFER_KIND,
                                           due, payload)
            return 0
        return await self._offer_now(group, slug, reason, member_ids, now)

    async def _on_offer_due(self, reminder: Reminder, now: datetime) -> None:
        payload = reminder.payload
        group = await self._groups.get(int(payload["group_id"]))
        if group is None or not self.has(str(payload["lesson"])):
            return
        if self.is_quiet(group, now):  # the quiet hours moved meanwhile: wait again
            await self.offer_to_group(group.id, str(payload["lesson"]), str(payload["reason"]),
                                      member_ids=payload.get("member_ids"))
            return
        await self._offer_now(group, str(payload["lesson"]), str(payload["reason"]), payload.get("member_ids"), now)

    async def _offer_now(self, group: Group, slug: str, reason: str, member_ids: Sequence[int] | None,
                         now: datetime) -> int:
        lesson = self.lesson(slug)
        async with self.db.read() as conn:
            members = [member for member, _ in await members_repo.group_members(conn, group.id)]
        wanted = set(member_ids) if member_ids is not None else None
        chosen = [member for member in members
                  if (wanted is None or member.id in wanted) and await self.may_offer(member.id, slug, now)]
        if not chosen:
            return 0
        async with self.db.transaction() as tx:
            self.db.after_commit(self._kick)
            for member in chosen:
                await repo.record_offer(tx, member.id, slug, reason, now)
            broadcast = await self._broadcasts.create_broadcast(
                f"lesson-offer:{group.id}:{slug}:{reason}:{now.isoformat()}", group.id, "lesson", conn=tx)
            return await self._broadcasts.send_personal(
                broadcast, chosen, lambda member: self.offer_reply(lesson, reason, member.language, now), conn=tx)

    async def offer_in_reply(self, member_id: int, group_id: int, slug: str, reason: str, now: datetime) -> Reply | None:
        """An offer as part of her own action's replies (her first /oneri), or None when the
        rules say no (quiet hours included: then nothing is recorded, and it may come later)."""
        if not self.has(slug):
            return None
        group = await self.group(group_id)
        if self.is_quiet(group, now) or not await self.may_offer(member_id, slug, now):
            return None
        async with self.db.write() as tx:
            await repo.record_offer(tx, member_id, slug, reason, now)
        async with self.db.read() as conn:
            member = await members_repo.get(conn, member_id)
        return self.offer_reply(self.lesson(slug), reason, member.language if member else "tr")

    async def ever_offered(self, member_id: int, slug: str) -> bool:
        async with self.db.read() as conn:
            return await repo.ever_offered(conn, member_id, slug)

    @staticmethod
    def offer_reply(lesson: Lesson, reason: str, lang: str, now: datetime | None = None) -> Reply:
        """"A short lesson would help now": why, the title and length, three buttons. Held on
        WhatsApp (her window closed), it is checked again when released (`late_offer`)."""
        text = t("lessons.offer", lang, why=t(f"lessons.why.{reason}", lang), title=esc(lesson.title.get(lang)),
                 minutes=lesson.minutes, summary=esc(lesson.summary.get(lang)))
        recheck = (Recheck(kind=OFFER_KIND, ref={"lesson": lesson.slug}, until=now + OFFER_EVERY, reminder=True)
                   if now is not None else None)
        return Reply(text=text, recheck=recheck, buttons=[[
            Button(label=t("lessons.start_button", lang), choice=f"ls:open:{lesson.slug}"),
            Button(label=t("lessons.later_button", lang), choice=f"ls:later:{lesson.slug}"),
            Button(label=t("lessons.decline_button", lang), choice=f"ls:no:{lesson.slug}")]])

    def register_late(self, late: LateDelivery) -> None:
        late.register(OFFER_KIND, self._late_offer)

    async def _late_offer(self, conn: Connection, held: Reply, recheck: Recheck, recipient: Recipient,
                          now: datetime) -> Reply | None:
        """An offer released late (WhatsApp): dropped once she completed or declined the lesson."""
        slug = str(recheck.ref.get("lesson"))
        if recipient.member_id is None or not self.has(slug):
            return None
        progress = await repo.get(conn, recipient.member_id, slug)
        if (progress is not None and progress.passed_at is not None) or await repo.declined(
                conn, recipient.member_id, slug):
            return None
        return held

    async def decline(self, member_id: int, slug: str, now: datetime) -> None:
        async with self.db.write() as tx:
            await repo.decline(tx, member_id, slug, now)

    # -- a coordinator sends a lesson to the group ---------------------------------------------
    async def send_to_group(self, group_id: int, slug: str, sender: Member) -> int:
        """Every member of the group gets the lesson's invitation (the other coordinators too,
        in their language) — not `sender`, who sent it; returns the messages queued."""
        lesson = self.lesson(slug)
        group = await self.group(group_id)
        now = self._now()
        async with self.db.transaction() as tx:
            self.db.after_commit(self._kick)
            broadcast = await self._broadcasts.create_broadcast(
                f"lesson-send:{group_id}:{slug}:{now.isoformat()}", group_id, "lesson", conn=tx)
            members = [member for member, _ in await members_repo.group_members(tx, group_id)
                       if member.id != sender.id]
            return await self._broadcasts.send_personal(
                broadcast, members, lambda member: Reply(
                    text=t("lessons.sent_to_you", member.language, group=group.name, sender=sender.display_name,
                           title=esc(lesson.title.get(member.language)), minutes=lesson.minutes,
                           summary=esc(lesson.summary.get(member.language))),
                    buttons=[[Button(label=t("lessons.start_button", member.language), choice=f"ls:open:{slug}"),
                              Button(label=t("lessons.later_button", member.language), choice=f"ls:later:{slug}")]]),
                conn=tx)
