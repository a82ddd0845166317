"""The weekly digest: per group, Monday 09:00 in the group's own zone by default (day, hour
or off set per group), one message per person covering all her groups whose digest is due.

Scheduling is durable: each group has one pending reminder row `digest:<group>:<slot UTC>`
for its next digest; sending it arms the next one (computed in the group's zone, so a DST
change in Berlin and none in Istanbul both stay at 09:00 local). A restart at 08:59 finds the
row pending and sends it once at 09:00; the upkeep after every scheduler pass only fills in
a group that has no pending row (new group, or one dropped after a long outage).

Coordinators get the full version for the groups they coordinate (milestones due in 14 days
and overdue, upcoming meetings with RSVP counts, open surveys...), members a short one (what
still waits for their answer) unless they turned it off. Features add their part with
`add_part(part)`: `part(request, group, full)` returns a `DigestSection` or None.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage.sql import Connection

from bot.dates import zone_name
from bot.models import Button, Group, Member, Recheck, Reply, Role
from bot.services.broadcasts import BroadcastService
from bot.services.conversation import Ctx, Replies
from bot.services import quiet
from bot.services.late import LateDelivery, Recipient
from bot.services.reminders import Reminder, ReminderService
from bot.services.milestones.workdays import WEEKDAY_NAMES
from bot.text import ascii_digits, fold
from messages import format_date, t
from storage import groups as groups_repo
from storage import members as members_repo
from storage import milestones as milestones_repo
from storage import reminders as reminders_repo
from storage.db import Database

log = logging.getLogger(__name__)

KIND = "weekly_digest"
SETTING = "digest"
DEFAULT = {"day": 0, "hour": 9}  # Monday 09:00, group time
GRACE = timedelta(hours=6)
# A digest held for a WhatsApp member (window closed) is recomputed when released, and dropped
# once the next one is due: she never reads last week's "what awaits you".
SUPERSEDED_AFTER = timedelta(days=7)
MAX_TEXT = 3800  # Telegram's limit is 4096 characters per message
OFF_WORDS = frozenset({"kapat", "kapali", "off", "stop", "hayir"})
ON_WORDS = frozenset({"ac", "acik", "on", "start", "evet"})
GROUP_WORDS = frozenset({"grup", "group"})


@dataclass(frozen=True)
class DigestRequest:
    """Whom a digest is for: `member` reads it in `lang`; it is made at `now`."""

    member: Member
    lang: str
    now: datetime


@dataclass
class DigestSection:
    text: str
    buttons: list[list[Button]] = field(default_factory=list)


DigestPart = Callable[[DigestRequest, Group, bool], Awaitable[DigestSection | None]]


def schedule_of(group: Group) -> dict[str, int] | None:
    """{"day": 0-6 (Monday = 0), "hour": 0-23} or None when the group turned it off."""
    value = group.settings.get(SETTING)
    if isinstance(value, dict):
        if value.get("off"):
            return None
        day, hour = value.get("day"), value.get("hour")
        if isinstance(day, int) and isinstance(hour, int) and 0 <= day <= 6 and 0 <= hour <= 23:
            return {"day": day, "hour": hour}
    return dict(DEFAULT)


def next_slot(group: Group, after: datetime) -> datetime | None:
    """The group's first digest moment strictly after `after` (aware UTC), or None if off."""
    schedule = schedule_of(group)
    if schedule is None:
        return None
    zone = ZoneInfo(group.timezone)
    today = after.astimezone(zone).date()
    for offset in range(8):
        day = today + timedelta(days=offset)
        if day.weekday() != schedule["day"]:
            continue
        moment = datetime.combine(day, time(schedule["hour"]), tzinfo=zone).astimezone(UTC)
        if moment > after:
            return moment
    raise AssertionError("a weekday comes within eight days")


class WeeklyDigest:
    def __init__(self, db: Database, now: Callable[[], datetime], reminders: ReminderService,
                 broadcasts: BroadcastService) -> None:
        self._db = db
        self._now = now
        self._reminders = reminders
        self._broadcasts = broadcasts
        self._parts: list[DigestPart] = []

    def add_part(self, part: DigestPart) -> None:
        """`part(request, group, full)`: a section for one group (`full` for its coordinators,
        the short version otherwise), or None when it has nothing to say."""
        self._parts.append(part)

    def register(self) -> None:
        self._reminders.register_kind(KIND, self._send_one, grace=GRACE, batch_handler=self._send)
        self._reminders.add_upkeep(self.ensure)

    # -- scheduling -----------------------------------------------------------------------
    async def ensure(self, now: datetime) -> None:
        """Every group with the digest on has its next slot armed (one query for all, one
        transaction for all)."""
        async with self._db.read() as conn:
            groups = await groups_repo.all_groups(conn)
            pending = {row.key.split(":")[1] for row in await reminders_repo.with_prefix(conn, "digest:")}
        slots = [(group, next_slot(group, now)) for group in groups if str(group.id) not in pending]
        await self._reminders.schedule_many([(self._slot_key(group, slot), KIND, slot, {"group_id": group.id})
                                             for group, slot in slots if slot is not None])

    @staticmethod
    def _slot_key(group: Group, slot: datetime) -> str:
        return f"digest:{group.id}:{slot:%Y-%m-%dT%H:%MZ}"

    async def _arm(self, group: Group, after: datetime) -> None:
        slot = next_slot(group, after)
        if slot is not None:
            await self._reminders.schedule(self._slot_key(group, slot), KIND, slot, {"group_id": group.id})

    async def arm_new(self, group: Group) -> None:
        """A group was just created: arm its first digest slot now (the scheduler's upkeep
        would arm it only at its next pass, possibly after that slot)."""
        await self._arm(group, self._now())

    async def reschedule(self, group: Group) -> datetime | None:
        """After the group's setting changed: drop its pending slot and arm the new one."""
        await self._reminders.cancel_prefix(f"digest:{group.id}:")
        await self._arm(group, self._now())
        return next_slot(group, self._now())

    # -- sending --------------------------------------------------------------------------
    async def _send_one(self, reminder: Reminder, now: datetime) -> None:
        await self._send([reminder], now)

    async def _send(self, reminders: list[Reminder], now: datetime) -> None:
        """One message per person for all her groups whose digest is due in this pass."""
        group_ids = sorted({int(r.payload["group_id"]) for r in reminders})
        groups: dict[int, Group] = {}
        readers: dict[int, tuple[Member, list[int], list[int]]] = {}
        async with self._db.read() as conn:
            optouts = await milestones_repo.digest_optouts(conn)
            for group_id in group_ids:
                group = await groups_repo.get(conn, group_id)
                if group is None or schedule_of(group) is None:
                    continue
                groups[group_id] = group
                for member, role in await members_repo.group_members(conn, group_id):
                    entry = readers.setdefault(member.id, (member, [], []))
                    entry[1 if role is Role.COORDINATOR else 2].append(group_id)
        messages: dict[int, Reply] = {}
        for member_id, (member, full, short) in readers.items():
            if member.unreachable_at:
                continue
            if member_id in optouts:
                short = []
            if not full and not short:
                continue
            reply = await self._compose(member, [groups[g] for g in full], [groups[g] for g in short], now)
            if reply is not None:
                messages[member_id] = reply
        if messages:
            key = "digest:" + min(r.due_at for r in reminders).strftime("%Y-%m-%dT%H:%MZ") + ":" + \
                ",".join(map(str, group_ids))
            broadcast = await self._broadcasts.create_broadcast(key, None, "digest")
            members = [readers[member_id][0] for member_id in messages]
            recheck = Recheck(kind=KIND, ref={"groups": ",".join(map(str, group_ids))},
                              until=min(r.due_at for r in reminders) + SUPERSEDED_AFTER)
            await self._broadcasts.send_personal(
                broadcast, members, lambda member: messages[member.id].model_copy(update={"recheck": recheck}))
        log.info("weekly digest for group(s) %s: %d message(s)", ",".join(map(str, group_ids)), len(messages))
        for reminder in reminders:
            group = groups.get(int(reminder.payload["group_id"]))
            if group is not None:
                await self._arm(group, max(now, reminder.due_at))

    def register_late(self, late: LateDelivery) -> None:
        """A digest delivered late (WhatsApp, window closed) is made again when released."""
        late.register(KIND, self._late)

    async def _late(self, conn: Connection, held: Reply, recheck: Recheck, recipient: Recipient,
                    now: datetime) -> Reply | None:
        """Her digest for the same groups as it reads now (None if nothing is left to say)."""
        if recipient.member_id is None:
            return None
        member = await members_repo.get(conn, recipient.member_id)
        if member is None:
            return None
        optouts = await milestones_repo.digest_optouts(conn)
        full: list[Group] = []
        short: list[Group] = []
        for group_id in (int(g) for g in str(recheck.ref.get("groups", "")).split(",") if g):
            group = await groups_repo.get(conn, group_id)
            if group is None or schedule_of(group) is None:
                continue
            for someone, role in await members_repo.group_members(conn, group_id):
                if someone.id == member.id:
                    if role is Role.COORDINATOR:
                        full.append(group)
                    elif member.id not in optouts:
                        short.append(group)
        if not full and not short:
            return None
        return await self._compose(member.model_copy(update={"language": recipient.lang}), full, short, now)

    async def _compose(self, member: Member, full: list[Group], short: list[Group], now: datetime) -> Reply | None:
        lang = member.language
        request = DigestRequest(member=member, lang=lang, now=now)
        blocks: list[str] = []
        buttons: list[list[Button]] = []
        for group, is_full in [*((g, True) for g in full), *((g, False) for g in short)]:
            sections = [section for part in self._parts if (section := await part(request, group, is_full))]
            if not sections and not is_full:
                continue
            lines = [f"<b>{_escape(group.name)}</b>"]
            lines += [section.text for section in sections] or [t("digest.nothing", lang)]
            for section in sections:
                buttons += section.buttons
            blocks.append("\n".join(lines))
        if not blocks:
            return None
        zone = ZoneInfo((full or short)[0].timezone)
        heading = t("digest.title" if full else "digest.title_short", lang,
                    date=format_date(now, lang, zone))  # 08.12.2026 / 8 Dec 2026
        footer = t("digest.footer" if full else "digest.footer_short", lang)
        more = t("digest.more_groups", lang)
        if sum(len(block) + 2 for block in [heading, *blocks, footer]) > MAX_TEXT:
            while len(blocks) > 1 and sum(len(block) + 2 for block in [heading, *blocks, more, footer]) > MAX_TEXT:
                blocks.pop()  # a coordinator of very many groups: the rest is one command away
            footer = more + "\n" + footer
        return Reply(text="\n\n".join([heading, *blocks, footer]), buttons=buttons[:10])

    # -- /ozet ----------------------------------------------------------------------------
    async def command(self, ctx: Ctx, args: list[str]) -> Replies:
        """`/ozet` shows the settings; `/ozet kapat|ac` for oneself; coordinators:
        `/ozet grup pazartesi 9`, `/ozet grup kapat`."""
        member = ctx.require_member()
        words = [fold(arg) for arg in args]
        if not words:
            return [await self._status(ctx)]
        if words[0] in GROUP_WORDS:
            return await self._group_setting(ctx, words[1:])
        if len(words) == 1 and words[0] in OFF_WORDS | ON_WORDS:
            async with self._db.transaction() as tx:
                await milestones_repo.set_digest_optout(tx, member.id, words[0] in OFF_WORDS, ctx.now)
            return [ctx.text("digest.member_off" if words[0] in OFF_WORDS else "digest.member_on")]
        return [ctx.text("digest.usage")]

    async def _status(self, ctx: Ctx) -> Reply:
        member = ctx.require_member()
        async with self._db.read() as conn:
            off = member.id in await milestones_repo.digest_optouts(conn)
            lines = [t("digest.status_member_off" if off else "digest.status_member_on", ctx.lang)]
            for group_id in ctx.coordinated_groups():
                group = await groups_repo.get(conn, group_id)
                if group is None:
                    continue
                lines.append(self._describe(group, ctx.lang))
        lines.append(t("digest.usage", ctx.lang))
        return Reply(text="\n".join(lines))

    @staticmethod
    def _describe(group: Group, lang: str) -> str:
        schedule = schedule_of(group)
        if schedule is None:
            return t("digest.group_off", lang, group=group.name)
        return t("digest.group_on", lang, group=group.name, day=t(f"milestone.weekday_{schedule['day']}", lang),
                 hour=f"{schedule['hour']:02d}:00", zone=zone_name(group.timezone, lang))

    async def _group_setting(self, ctx: Ctx, words: list[str]) -> Replies:
        groups = ctx.coordinated_groups()
        if not groups:
            return [ctx.text("milestone.coordinators_only")]
        if len(words) == 1 and words[0] in OFF_WORDS:
            value: dict[str, object] = {"off": True}
        elif len(words) == 1 and words[0] in ON_WORDS:
            value = dict(DEFAULT)
        elif len(words) == 2 and words[0] in WEEKDAY_NAMES and (hour := _hour(words[1])) is not None:
            value = {"day": WEEKDAY_NAMES[words[0]], "hour": hour}
        else:
            return [ctx.text("digest.bad_setting")]
        replies: Replies = []
        for group_id in groups:  # every group she coordinates follows her setting
            async with self._db.transaction() as tx:
                group = await groups_repo.get(tx, group_id)
                assert group is not None
                settings = {**group.settings, SETTING: value}
                await groups_repo.update_settings(tx, group_id, settings)
                updated = group.model_copy(update={"settings": settings})
                await self.reschedule(updated)
            text = self._describe(updated, ctx.lang)
            slot = next_slot(updated, ctx.now)
            hours = quiet.of_group(updated)
            if slot is not None and hours is not None and hours.contains(slot):  # it would wait for the morning
                text += "\n" + t("quiet.digest_in_quiet", ctx.lang, hours=hours.label(),
                                  clock=hours.end_after(slot).astimezone(hours.zone).strftime("%H:%M"))
            replies.append(Reply(text=text))
        return replies


def _hour(word: str) -> int | None:
    text = ascii_digits(word).replace(".", ":")
    hour_text = text.split(":")[0]
    if not hour_text.isdigit() or int(hour_text) > 23 or (":" in text and text.split(":")[1] not in {"00", "0"}):
        return None
    return int(hour_text)


def _escape(text: str) -> str:
    return html.escape(text, quote=False)
