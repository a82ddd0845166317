"""Platform events that change who can be reached (issue 8, items 12–14).

- A linked group chat that moved to a new id (Telegram: a group upgraded to a supergroup,
  `migrate_to_chat_id`) is re-linked to the new id.
- The bot removed from a linked group chat (Telegram `my_chat_member` → left/kicked, or a
  403 on send) unlinks it and tells the group's coordinators once.
- A member who blocked the bot and writes again, or unblocks it (`my_chat_member` →
  member), is reachable again; blocking (`my_chat_member` → kicked) marks her unreachable.

Channel adapters call these from inbound updates and from failed sends; each is idempotent,
so a redelivered event or many failed sends to one chat change things once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.channels import Notifier
from bot.clock import utc_timestamp
from bot.models import Group, Reply, Role
from messages import t
from storage import groups as groups_repo
from storage import members as members_repo
from storage.db import Database

log = logging.getLogger(__name__)


class ChatEvents:
    def __init__(self, db: Database, notifier: Notifier, now: Callable[[], datetime],
                 on_commit: Callable[[], None]) -> None:
        self._db = db
        self._notifier = notifier
        self._now = now
        self._on_commit = on_commit

    async def chat_migrated(self, channel: str, old_address: str, new_address: str) -> list[Group]:
        """Groups linked to `old_address` now post to `new_address`; returns those groups."""
        if channel != "telegram" or old_address == new_address:
            return []
        async with self._db.transaction() as tx:
            groups = await groups_repo.all_by_telegram_chat(tx, old_address)
            for group in groups:
                await groups_repo.link_telegram_chat(tx, group.id, new_address)
        if groups:
            log.info("group chat moved on %s: %d group(s) re-linked", channel, len(groups))
        return groups

    async def chat_removed(self, channel: str, address: str) -> list[Group]:
        """The bot can no longer post in this group chat: unlink it from every group and tell
        each group's coordinators (once: a second call finds nothing linked)."""
        if channel != "telegram":
            return []
        now = self._now()
        async with self._db.transaction() as tx:
            groups = await groups_repo.all_by_telegram_chat(tx, address)
            for group in groups:
                await groups_repo.link_telegram_chat(tx, group.id, None)
                for member, role in await members_repo.group_members(tx, group.id):
                    if role is not Role.COORDINATOR:
                        continue
                    text = t("trust.chat_unlinked", member.language, group=group.name, chat=address)
                    await self._notifier.to_member(
                        tx, member, Reply(text=text),
                        f"chat-unlinked:{group.id}:{address}:{member.id}:{int(utc_timestamp(now))}")
            self._db.after_commit(self._on_commit)
        if groups:
            log.info("bot removed from a linked group chat on %s: %d group(s) unlinked", channel, len(groups))
        return groups

    async def topic_unavailable(self, channel: str, chat: str, thread: int | None, state: str) -> list[Group]:
        """The linked forum topic of this chat (None: General) is `closed` or `deleted`: tell the
        coordinators of each group posting there, once (until it works again or /link is typed
        anew). The link stays: a reopened topic works again."""
        if channel != "telegram":
            return []
        now = self._now()
        told: list[Group] = []
        async with self._db.transaction() as tx:
            for group in await groups_repo.all_by_telegram_chat(tx, chat):
                if group.telegram_thread_id != thread:
                    continue
                if not await groups_repo.note_topic_problem(tx, group.id, utc_timestamp(now)):
                    continue
                told.append(group)
                for member, role in await members_repo.group_members(tx, group.id):
                    if role is not Role.COORDINATOR:
                        continue
                    text = t(f"topics.{state}", member.language, group=group.name)
                    await self._notifier.to_member(
                        tx, member, Reply(text=text),
                        f"topic-{state}:{group.id}:{member.id}:{int(utc_timestamp(now))}")
            if told:
                self._db.after_commit(self._on_commit)
        if told:
            log.warning("a linked forum topic is %s on %s: %d group(s)' coordinators told", state, channel,
                        len(told))
        return told

    async def member_reachable(self, channel: str, address: str) -> bool:
        """She wrote again or unblocked the bot: notices reach her again. True if she was
        marked unreachable."""
        async with self._db.transaction() as tx:
            member = await members_repo.by_identity(tx, channel, address)
            if member is None or member.unreachable_at is None:
                return False
            await members_repo.mark_reachable(tx, member.id)
        log.info("member %s is reachable again on %s", member.id, channel)
        return True

    async def member_blocked(self, channel: str, address: str) -> bool:
        """She blocked the bot: marked unreachable (coordinators see it in /members)."""
        async with self._db.transaction() as tx:
            member = await members_repo.by_identity(tx, channel, address)
            if member is None:
                return False
            return await members_repo.mark_unreachable(tx, member.id, self._now())
