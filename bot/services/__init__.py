"""Use cases, one module per noun, wired together into `Services`.

`Services` is built by the composition root (`bot.__main__`) and handed to the channel
adapters; it knows no chat platform.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.channels import Channel, Notifier
from bot.clock import Clock, utc_timestamp
from bot.config import Settings
from bot.ratelimit import RateLimits
from bot.scheduler import Scheduler
from bot.services.broadcasts import BroadcastService
from bot.services.conversation import Conversation
from bot.services.groups import GroupService, InviteLinks
from bot.services.inbox import Inbox
from bot.services.meetings import MeetingService
from bot.services.members import MemberService
from bot.services.outbox import OutboxDispatcher
from bot.services.privacy import PrivacyService
from bot.services.reminders import Reminder, ReminderService
from bot.services.surveys.results_service import SurveyResultsService
from bot.services.surveys.service import SurveyService
from storage import updates as updates_repo
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
    # Timed messages and sending (issue 3): reminders table + our scheduler, broadcasts.
    reminders: ReminderService
    broadcasts: BroadcastService
    scheduler: Scheduler
    meetings: MeetingService
    surveys: SurveyService
    extras: dict[str, object] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    # Survey results, charts and exports (issue 9): /sonuclar, `results:<id>`, CLI exports.
    survey_results: SurveyResultsService | None = None

    def now_seconds(self) -> float:
        return utc_timestamp(self.clock.now())

    def add_channel(self, channel: Channel) -> None:
        self.dispatcher.add_channel(channel)
        self.channels[channel.name] = channel

    async def start(self) -> None:
        await self.dispatcher.start()
        await self.reminders.start()
        await self.scheduler.start()  # arms the earliest pending reminder from the table

    async def stop(self) -> None:
        await self.scheduler.stop()  # no new fan-outs, then let sends in flight finish
        await self.dispatcher.stop()


def build_services(settings: Settings, db: Database, clock: Clock) -> Services:
    """Wire every service; order matters only where one registers into another."""
    def now_seconds() -> float:
        return utc_timestamp(clock.now())

    notifier = Notifier(now_seconds)
    dispatcher = OutboxDispatcher(db, {}, now_seconds, limits=RateLimits.from_settings(settings))
    clock.subscribe(dispatcher.kick)  # a moved clock makes delayed rows due at once
    scheduler = Scheduler(clock, settings.timezone)
    reminders = ReminderService(db, clock, timezone=settings.timezone, on_commit=dispatcher.kick)
    reminders.attach(scheduler)
    broadcasts = BroadcastService(db, now_seconds, on_commit=dispatcher.kick, timezone=settings.timezone)
    broadcasts.register(reminders)  # the built-in `notice` reminder kind
    # The weekly digest slot, Monday 09:00 in the configured zone; features add their parts
    # with `reminders.weekly_digest.add(...)`.
    reminders.add_recurring("weekly-digest", reminders.weekly_digest.run, day_of_week="mon", hour=9, minute=0)
    reminders.add_recurring("forget-old-updates", _forget_old_updates(db), hour=4, minute=0)
    conversation = Conversation(db, clock.now, settings.default_language)
    controller = (settings.controller_name, settings.controller_contact)
    links = InviteLinks(settings.bot_username)
    groups = GroupService(db, clock.now, settings.timezone)
    members = MemberService(db, groups, links, conversation, controller)
    privacy = PrivacyService(db, controller)
    members.register(conversation)
    privacy.register(conversation)
    meetings = MeetingService(db, clock.now, groups, reminders, broadcasts, notifier)
    meetings.register(conversation)
    members.join_hooks.append(meetings.upcoming_for_newcomer)
    members.member_line_hooks.append(meetings.attendance.member_lines)
    channels: dict[str, Channel] = {}

    async def download(channel: str, file_id: str) -> bytes | None:
        found = channels.get(channel)
        return await found.download(file_id) if found is not None else None

    surveys = SurveyService(db, clock.now, groups, reminders, broadcasts, files_dir=settings.files_dir,
                            download=download)
    surveys.register(conversation)
    privacy.forget_hooks.append(surveys.forget_member)
    members.join_hooks.append(surveys.open_for_newcomer)
    inbox = Inbox(db, notifier, now_seconds, dispatcher.kick)
    survey_results = SurveyResultsService(db, clock.now)
    survey_results.register(conversation)
    return Services(settings=settings, db=db, clock=clock, notifier=notifier, dispatcher=dispatcher,
                    conversation=conversation, inbox=inbox, links=links, groups=groups,
                    members=members, privacy=privacy, reminders=reminders, broadcasts=broadcasts,
                    scheduler=scheduler, meetings=meetings, surveys=surveys, channels=channels,
                    survey_results=survey_results)



UPDATE_MEMORY = timedelta(days=7)


def _forget_old_updates(db: Database):  # type: ignore[no-untyped-def]
    """Nightly: processed-update ids older than any redelivery (Telegram keeps updates 24 h)."""
    async def forget(reminder: Reminder, now: datetime) -> None:
        async with db.transaction() as tx:
            await updates_repo.forget_older_than(tx, utc_timestamp(now - UPDATE_MEMORY))

    return forget
