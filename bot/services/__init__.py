"""Use cases, one module per noun, wired together into `Services`.

`Services` is built by the composition root (`bot.__main__`) and handed to the channel
adapters; it knows no chat platform.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.channels import Channel, Notifier
from bot.clock import Clock, utc_timestamp
from bot.config import Settings
from bot.services.conversation import Conversation
from bot.services.groups import GroupService, InviteLinks
from bot.services.inbox import Inbox
from bot.services.members import MemberService
from bot.services.outbox import OutboxDispatcher
from bot.services.privacy import PrivacyService
from storage.db import Database


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    notifier: Notifier
    dispatcher: OutboxDispatcher
    conversation: Conversation
    inbox: Inbox
    links: InviteLinks
    groups: GroupService
    members: MemberService
    privacy: PrivacyService
    extras: dict[str, object] = field(default_factory=dict)

    def now_seconds(self) -> float:
        return utc_timestamp(self.clock.now())

    def add_channel(self, channel: Channel) -> None:
        self.dispatcher.add_channel(channel)

    async def start(self) -> None:
        await self.dispatcher.start()

    async def stop(self) -> None:
        await self.dispatcher.stop()


def build_services(settings: Settings, db: Database, clock: Clock) -> Services:
    """Wire every service; order matters only where one registers into another."""
    def now_seconds() -> float:
        return utc_timestamp(clock.now())

    notifier = Notifier(now_seconds)
    dispatcher = OutboxDispatcher(db, {}, now_seconds)
    conversation = Conversation(db, clock.now, settings.default_language)
    controller = (settings.controller_name, settings.controller_contact)
    links = InviteLinks(settings.bot_username)
    groups = GroupService(db, clock.now, settings.timezone)
    members = MemberService(db, groups, links, conversation, controller)
    privacy = PrivacyService(db, controller)
    members.register(conversation)
    privacy.register(conversation)
    inbox = Inbox(db, notifier, now_seconds, dispatcher.kick)
    return Services(settings=settings, db=db, clock=clock, notifier=notifier, dispatcher=dispatcher,
                    conversation=conversation, inbox=inbox, links=links, groups=groups,
                    members=members, privacy=privacy)

