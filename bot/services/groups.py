"""Working groups and their invite codes (used by the CLI and by coordinators)."""

from __future__ import annotations

import io
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta


from bot.errors import InvalidInvite
from bot.models import Group, Invite, Role, split_topic_address
from bot.text import ascii_digits, clean_text, fold
from storage import groups as groups_repo
from storage import invites as invites_repo
from storage.db import Database

MEMBER_INVITE_DAYS = 90
COORDINATOR_INVITE_DAYS = 14
COORDINATOR_INVITE_USES = 3
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"


def new_code(length: int = 10) -> str:
    """A code for a deep link: letters and digits only, no look-alikes (0/O, 1/l/I)."""
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(length))


@dataclass
class CreatedGroup:
    group: Group
    coordinator_invite: Invite
    member_invite: Invite


class InviteLinks:
    """Turns invite codes into links people open (`t.me/<bot>?start=<code>`) and QR codes."""

    def __init__(self, telegram_username: str) -> None:
        self.telegram_username = telegram_username

    def telegram(self, code: str) -> str:
        return f"https://t.me/{self.telegram_username}?start={code}"

    def qr_png(self, code: str) -> bytes:
        buffer = io.BytesIO()
        import segno  # imported where used: start-up stays light (issue 24)
        segno.make(self.telegram(code), error="m").save(buffer, kind="png", scale=8, border=4)
        return buffer.getvalue()


class GroupService:
    def __init__(self, db: Database, now: Callable[[], datetime], timezone: str) -> None:
        self._db = db
        self._now = now
        self._timezone = timezone
        # `hook(group)` after a group is created (the weekly digest arms its first slot now,
        # not at the scheduler's next pass, which may come after the slot).
        self.created_hooks: list[Callable[[Group], Awaitable[None]]] = []

    async def create(self, name: str, city: str, language: str, timezone: str | None = None) -> CreatedGroup:
        now = self._now()
        async with self._db.transaction() as tx:
            group = await groups_repo.create(tx, name=clean_text(name), city=clean_text(city), language=language,
                                             timezone=timezone or self._timezone, now=now)
            coordinator = await self._new_invite(tx, group.id, Role.COORDINATOR, now)
            member = await self._new_invite(tx, group.id, Role.MEMBER, now)
        for hook in self.created_hooks:
            await hook(group)
        return CreatedGroup(group, coordinator, member)

    async def new_member_invite(self, group_id: int) -> Invite:
        async with self._db.transaction() as tx:
            return await self._new_invite(tx, group_id, Role.MEMBER, self._now())

    async def new_invite(self, group_id: int, role: Role) -> Invite:
        """A fresh invite with the usual lifetime for `role` (the CLI's `koordinat invite`,
        when the first coordinator link expired or was lost); older invites stay valid."""
        async with self._db.transaction() as tx:
            return await self._new_invite(tx, group_id, role, self._now())

    async def find(self, name_or_id: str) -> list[Group]:
        """Groups an operator means by `3`, by name, or else by city (`Kars`): `match_groups`."""
        async with self._db.read() as conn:
            return match_groups(await groups_repo.all_groups(conn), name_or_id)

    async def find_one(self, name_or_id: str) -> Group:
        """The one group an operator means (`one_group`); raises GroupNotFound."""
        async with self._db.read() as conn:
            return one_group(await groups_repo.all_groups(conn), name_or_id)

    async def same_name_and_city(self, name: str, city: str) -> list[Group]:
        """Existing groups with this name in this city (compared as `fold` sees them)."""
        async with self._db.read() as conn:
            groups = await groups_repo.all_groups(conn)
        key = (fold(clean_text(name)), fold(clean_text(city)))
        return [group for group in groups if (fold(group.name), fold(group.city)) == key]

    async def _new_invite(self, tx: object, group_id: int, role: Role, now: datetime) -> Invite:
        days = COORDINATOR_INVITE_DAYS if role is Role.COORDINATOR else MEMBER_INVITE_DAYS
        uses = COORDINATOR_INVITE_USES if role is Role.COORDINATOR else None
        return await invites_repo.create(tx, code=new_code(), group_id=group_id, role=role,  # type: ignore[arg-type]
                                         expires_at=now + timedelta(days=days), max_uses=uses, now=now)

    async def all(self) -> list[tuple[Group, dict[str, int]]]:
        async with self._db.read() as conn:
            groups = await groups_repo.all_groups(conn)
            counts = await groups_repo.member_counts(conn)
        return [(group, counts.get(group.id, {})) for group in groups]

    async def get(self, group_id: int) -> Group | None:
        async with self._db.read() as conn:
            return await groups_repo.get(conn, group_id)

    async def link_chat(self, group_id: int, chat_address: str | None) -> Group:
        """Post the group's notices in this chat too (None unlinks). `chat_address` may name a
        forum topic (`-100…#42`, `bot.models.topic_address`): its notices then go to that topic."""
        chat, thread = split_topic_address(chat_address) if chat_address else (None, None)
        async with self._db.transaction() as tx:
            await groups_repo.link_telegram_chat(tx, group_id, chat, thread)
            group = await groups_repo.get(tx, group_id)
        assert group is not None
        return group

    async def usable_invite(self, code: str) -> tuple[Invite, Group]:
        """The invite and its group, or `InvalidInvite` saying why not (unknown, expired, used up)."""
        cleaned = code.strip()
        async with self._db.read() as conn:
            invite = await invites_repo.get(conn, cleaned) if cleaned else None
            if invite is None and cleaned:
                invite = await invites_repo.get_ignoring_case(conn, cleaned)
            group = await groups_repo.get(conn, invite.group_id) if invite else None
        if invite is None or group is None:
            raise InvalidInvite("join.invalid_code", code=cleaned)
        if invite.expires_at is not None and invite.expires_at <= self._now():
            raise InvalidInvite("join.expired_code", code=cleaned)
        if invite.max_uses is not None and invite.uses >= invite.max_uses:
            raise InvalidInvite("join.used_up_code", code=cleaned)
        return invite, group

    async def count_use(self, code: str) -> bool:
        """Count one use of the invite `code` (as typed: any letter case); False when it was
        used up meanwhile (another join took its last use), True otherwise."""
        async with self._db.transaction() as tx:
            invite = await invites_repo.get(tx, code) or await invites_repo.get_ignoring_case(tx, code)
            if invite is None:
                return True  # deleted meanwhile: nothing to count, as before
            return await invites_repo.count_use(tx, invite.code)


class GroupNotFound(LookupError):
    """No group, or several, answer to what an operator typed. `str(error)` is the one line
    to print; `ambiguous` is True when several matched (then she must give the id)."""

    def __init__(self, message: str, *, ambiguous: bool = False) -> None:
        super().__init__(message)
        self.ambiguous = ambiguous


def one_group(groups: list[Group], key: str) -> Group:
    """The one group `key` names (`match_groups`). Raises GroupNotFound when none or several do."""
    found = match_groups(groups, key)
    if len(found) == 1:
        return found[0]
    if found:
        names = ", ".join(f"{g.id} ({g.name}, {g.city})" for g in found)
        raise GroupNotFound(f"several groups match {key!r}: {names}; give the id", ambiguous=True)
    raise GroupNotFound(f"no group {key!r} (see `koordinat group list`)")


def match_groups(groups: list[Group], key: str) -> list[Group]:
    """The groups an operator means by `key` — an id (`3`), a name, or else a city (`Kars`),
    compared case- and diacritics-insensitively — in every CLI command alike. Several
    matches are the caller's to disambiguate (give the id); none: an empty list."""
    wanted = key.strip()
    if ascii_digits(wanted).isdigit():  # `3`, `³`, `٣`
        return [group for group in groups if group.id == int(ascii_digits(wanted))]
    folded = fold(clean_text(wanted))
    return ([group for group in groups if fold(group.name) == folded]
            or [group for group in groups if fold(group.city) == folded])

