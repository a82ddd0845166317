"""Broadcasts: one notice to many people, and the delivery counts coordinators see.

A broadcast is a row (`broadcasts`, unique key) plus one outbox row per recipient carrying its
id. The fan-out to a whole group is a single INSERT … SELECT in the member's language, so a
10,000-member notice is queued in one statement; the dispatcher's bulk lane then paces it.

The built-in reminder kind `notice` (see `notice_payload`) sends a catalog message to a group
or to listed members when it falls due, e.g. from a feature or from an operator's script:

    await reminders.schedule("meeting:42:remind:1h", "notice", starts_at - timedelta(hours=1),
                             notice_payload("meeting.reminder_1h", group_id=3,
                                            params={"title": "Plan review"},
                                            times={"when": starts_at}, send_until=starts_at))
"""

from __future__ import annotations

import contextvars
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from storage.sql import Connection

from bot.models import Button, Member, Reply, Role
from bot.services.reminders import Reminder, ReminderService
from messages import FALLBACK, LANGUAGES, format_datetime, t
from storage import broadcasts as broadcasts_repo
from storage import groups as groups_repo
from storage import outbox as outbox_repo
from storage.db import Database

log = logging.getLogger(__name__)

ALL_ROLES: tuple[str, ...] = (Role.MEMBER.value, Role.COORDINATOR.value)
NOTICE = "notice"
NOTICE_GRACE = timedelta(hours=6)

# A reply in every language: a mapping {language: Reply}, or a function of the language.
Replies = Mapping[str, Reply] | Callable[[str], Reply]

# The broadcasts (id, group) a person's action created in this update, collected while
# `collect_broadcasts()` is on (the conversation turns it on per update), so that a notice a
# coordinator sends in her group's quiet hours can wait for the morning (`bot.services.quiet_chat`).
_created: contextvars.ContextVar[list[tuple[int, int]] | None] = contextvars.ContextVar(
    "koordinat_broadcasts_created", default=None)


def collect_broadcasts() -> list[tuple[int, int]]:
    """Start collecting the group broadcasts created in this context; returns the list."""
    created: list[tuple[int, int]] = []
    _created.set(created)
    return created


@dataclass(frozen=True)
class DeliveryCounts:
    """Where a broadcast's messages are: sent, still pending (or in flight), failed (rejected
    by the platform), unreachable (blocked the bot), dropped."""

    sent: int = 0
    pending: int = 0
    failed: int = 0
    unreachable: int = 0
    dropped: int = 0

    @property
    def total(self) -> int:
        return self.sent + self.pending + self.failed + self.unreachable + self.dropped

    @property
    def finished(self) -> bool:
        return self.pending == 0


def notice_payload(text: str, *, group_id: int | None = None, member_ids: Sequence[int] = (),
                   roles: Sequence[str] = ALL_ROLES, params: Mapping[str, Any] | None = None,
                   times: Mapping[str, datetime] | None = None,
                   buttons: Sequence[Sequence[tuple[str, str]]] = (),
                   send_until: datetime | None = None, kind: str = NOTICE) -> dict[str, Any]:
    """The payload of a `notice` reminder: message key `text` with `params`; `times` are
    formatted in each reader's language and the group's zone; `buttons` rows of
    (label message key, choice id); audience the group (with `roles`) and/or `member_ids`;
    `send_until`: not sent at all after this moment (default: 6 hours after the due time)."""
    if group_id is None and not member_ids:
        raise ValueError("a notice needs a group or members")
    return {
        "text": text, "group_id": group_id, "member_ids": list(member_ids), "roles": list(roles),
        "params": dict(params or {}),
        "times": {name: moment.isoformat() for name, moment in (times or {}).items()},
        "buttons": [[list(button) for button in row] for row in buttons],
        "send_until": send_until.isoformat() if send_until else None, "kind": kind,
    }


def notice_deadline(reminder: Reminder) -> datetime:
    """A notice is sent late only until its `send_until` (default: 6 hours after due)."""
    until = reminder.payload.get("send_until")
    return datetime.fromisoformat(until) if until else reminder.due_at + NOTICE_GRACE


@lru_cache(maxsize=1024)
def _render_notice(text: str, params_json: str, times_json: str, buttons_json: str, zone: str,
                   lang: str) -> str:
    params: dict[str, Any] = json.loads(params_json)
    for name, moment in json.loads(times_json).items():
        params[name] = format_datetime(datetime.fromisoformat(moment), lang, zone)
    buttons = [[Button(label=t(label, lang), choice=choice) for label, choice in row]
               for row in json.loads(buttons_json)]
    return Reply(text=t(text, lang, **params), buttons=buttons).model_dump_json()


class BroadcastService:
    def __init__(self, db: Database, now: Callable[[], float], *,
                 on_commit: Callable[[], None] = lambda: None, timezone: str = "Europe/Istanbul") -> None:
        self._db = db
        self._now = now
        self._on_commit = on_commit
        self._timezone = timezone

    # --- creating and fanning out --------------------------------------------------------------

    async def create_broadcast(self, key: str, group_id: int | None, kind: str, *,
                               conn: Connection | None = None) -> int:
        """The id of broadcast `key` (created if new; the same id when retried)."""
        async with self._writing(conn) as tx:
            broadcast_id = await broadcasts_repo.create(tx, key=key, group_id=group_id, kind=kind, now=self._now())
        created = _created.get()
        if created is not None and group_id is not None and ReminderService.active_connection() is None:
            created.append((broadcast_id, group_id))
        return broadcast_id

    async def broadcast_id(self, key: str) -> int | None:
        async with self._db.read() as conn:
            return await broadcasts_repo.id_of(conn, key)

    async def notice_broadcast_id(self, reminder_key: str) -> int | None:
        """The broadcast the `notice` reminder `reminder_key` produced (the latest, if it was
        reset and sent again); None before it fell due or when it had a single recipient."""
        async with self._db.read() as conn:
            return await broadcasts_repo.latest_with_prefix(conn, f"reminder:{reminder_key}@")

    async def send_to_group(self, broadcast_id: int, group_id: int, replies: Replies, *,
                            roles: Sequence[str] = ALL_ROLES, lane: int = outbox_repo.BULK_LANE,
                            conn: Connection | None = None) -> int:
        """Queue the message for every member of the group with one of `roles`, each in her
        language; returns the rows added (0 when the broadcast was queued before)."""
        payloads, default = _payloads(replies)
        async with self._writing(conn) as tx:
            return await outbox_repo.enqueue_for_group(
                tx, key_prefix=f"b:{broadcast_id}:m", group_id=group_id, roles=list(roles),
                payloads=payloads, default_payload=default, now=self._now(),
                broadcast_id=broadcast_id, lane=lane)

    async def send_to_members(self, broadcast_id: int | None, member_ids: Sequence[int], replies: Replies,
                              *, key_prefix: str | None = None, lane: int = outbox_repo.BULK_LANE,
                              conn: Connection | None = None) -> int:
        """Queue the message for the listed members, each in her language."""
        payloads, default = _payloads(replies)
        prefix = key_prefix or f"b:{broadcast_id}:m"
        async with self._writing(conn) as tx:
            return await outbox_repo.enqueue_for_members(
                tx, key_prefix=prefix, member_ids=list(member_ids), payloads=payloads,
                default_payload=default, now=self._now(), broadcast_id=broadcast_id, lane=lane)

    async def send_personal(self, broadcast_id: int, members: Sequence[Member],
                            render: Callable[[Member], Reply], *, lane: int = outbox_repo.BULK_LANE,
                            conn: Connection | None = None) -> int:
        """Queue a message rendered for each member (e.g. with her own RSVP state)."""
        async with self._writing(conn) as tx:
            addresses = await outbox_repo.addresses_of(tx, [m.id for m in members])
            messages = []
            for member in members:
                found = addresses.get(member.id)
                if found is None:
                    continue
                channel, address, reachable = found
                if not reachable:
                    continue
                messages.append(outbox_repo.NewMessage(
                    key=f"b:{broadcast_id}:m{member.id}", channel=channel, address=address,
                    payload=render(member).model_dump_json(), member_id=member.id))
            return await outbox_repo.enqueue_many(tx, messages, now=self._now(), lane=lane,
                                                  broadcast_id=broadcast_id)

    # --- what coordinators see -----------------------------------------------------------------

    async def delivery_counts(self, broadcast_id: int) -> DeliveryCounts:
        async with self._db.read() as conn:
            counts = await broadcasts_repo.status_counts(conn, broadcast_id)
        return DeliveryCounts(**counts)

    async def unreachable_members(self, broadcast_id: int) -> list[Member]:
        async with self._db.read() as conn:
            return await broadcasts_repo.unreachable_members(conn, broadcast_id)

    @staticmethod
    def describe(counts: DeliveryCounts, lang: str) -> str:
        """One line for coordinators: `broadcasts.delivery_counts`."""
        return t("broadcasts.delivery_counts", lang, sent=counts.sent, pending=counts.pending,
                 failed=counts.failed + counts.dropped, unreachable=counts.unreachable,
                 total=counts.total)

    # --- the built-in `notice` reminder kind ---------------------------------------------------

    def register(self, reminders: ReminderService) -> None:
        reminders.register_kind(NOTICE, self.send_notice, grace=notice_deadline,
                                batch_handler=self.send_notices)

    async def send_notices(self, reminders: list[Reminder], now: datetime) -> None:
        """Many due notices at once: one-member notices (personal nudges) are queued with a
        single statement, the others one by one."""
        singles: list[tuple[str, int, Mapping[str, str], str]] = []
        for reminder in reminders:
            payload = reminder.payload
            member_ids = payload.get("member_ids") or []
            if payload.get("group_id") is None and len(member_ids) == 1:
                replies = _notice_replies(payload, self._timezone)
                singles.append((f"r:{_arming(reminder)}:m", int(member_ids[0]), replies, replies[FALLBACK]))
            else:
                await self.send_notice(reminder, now)
        if singles:
            async with self._writing(ReminderService.active_connection()) as tx:
                await outbox_repo.enqueue_for_each(tx, singles, now=self._now())

    async def send_notice(self, reminder: Reminder, now: datetime) -> None:
        """Fan a due `notice` reminder out to its audience (runs in the reminder's transaction)."""
        payload = reminder.payload
        conn = ReminderService.active_connection()
        async with self._writing(conn) as tx:
            group_id = payload.get("group_id")
            zone = self._timezone
            if group_id is not None:
                group = await groups_repo.get(tx, int(group_id))
                if group is None:
                    log.warning("notice %s: group %s no longer exists", reminder.key, group_id)
                    return
                zone = group.timezone
            replies = _notice_replies(payload, zone)
            member_ids = [int(m) for m in payload.get("member_ids") or []]
            broadcast_id: int | None = None
            arming = _arming(reminder)
            if group_id is not None or len(member_ids) > 1:
                broadcast_id = await broadcasts_repo.create(
                    tx, key=f"reminder:{arming}", group_id=group_id,
                    kind=str(payload.get("kind") or NOTICE), now=self._now())
            if group_id is not None:
                await outbox_repo.enqueue_for_group(
                    tx, key_prefix=f"b:{broadcast_id}:m", group_id=int(group_id),
                    roles=list(payload.get("roles") or ALL_ROLES), payloads=replies,
                    default_payload=replies[FALLBACK], now=self._now(), broadcast_id=broadcast_id)
            if member_ids:
                prefix = f"b:{broadcast_id}:m" if broadcast_id is not None else f"r:{arming}:m"
                await outbox_repo.enqueue_for_members(
                    tx, key_prefix=prefix, member_ids=member_ids, payloads=replies,
                    default_payload=replies[FALLBACK], now=self._now(), broadcast_id=broadcast_id)

    # --- helpers -------------------------------------------------------------------------------

    def _writing(self, conn: Connection | None, *, kick: bool = True) -> _Writing:
        return _Writing(self._db, conn, self._on_commit if kick else None)


class _Writing:
    """Use the caller's open connection, or open (and commit, and kick the dispatcher) our own."""

    def __init__(self, db: Database, conn: Connection | None, on_commit: Callable[[], None] | None) -> None:
        self._db = db
        self._conn = conn
        self._on_commit = on_commit
        self._own: Any = None

    async def __aenter__(self) -> Connection:
        if self._conn is not None:
            return self._conn
        self._own = self._db.transaction()
        return await self._own.__aenter__()  # type: ignore[no-any-return]

    async def __aexit__(self, *exc: Any) -> bool | None:
        if self._own is None:
            return None
        result = await self._own.__aexit__(*exc)
        if exc[0] is None and self._on_commit is not None:
            self._db.after_commit(self._on_commit)  # once the enclosing transaction, if any, commits
        return result  # type: ignore[no-any-return]


def _arming(reminder: Reminder) -> str:
    """One broadcast per arming: a reminder reset to a new time is a new notice."""
    return f"{reminder.key}@{int(reminder.due_at.timestamp())}"


def _payloads(replies: Replies) -> tuple[dict[str, str], str]:
    if callable(replies):
        rendered = {lang: replies(lang).model_dump_json() for lang in LANGUAGES}
    else:
        rendered = {lang: reply.model_dump_json() for lang, reply in replies.items()}
    default = rendered.get(FALLBACK) or next(iter(rendered.values()))
    return rendered, default


def _notice_replies(payload: Mapping[str, Any], zone: str) -> dict[str, str]:
    text = str(payload["text"])
    params_json = json.dumps(payload.get("params") or {}, sort_keys=True, ensure_ascii=False)
    times_json = json.dumps(payload.get("times") or {}, sort_keys=True)
    buttons_json = json.dumps(payload.get("buttons") or [])
    return {lang: _render_notice(text, params_json, times_json, buttons_json, zone, lang)
            for lang in LANGUAGES}
