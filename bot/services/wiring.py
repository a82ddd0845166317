"""Every service wired together into `Services`: `build_services` (the running bot) builds
all of them; `bot.services` exposes both names lazily.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.channels import Channel, Notifier
from bot.clock import Clock, utc_timestamp
from bot.config import Settings
from bot.ratelimit import RateLimits, whatsapp_limits
from bot.scheduler import Scheduler
from bot.services.broadcasts import BroadcastService
from bot.services.chat_events import ChatEvents
from bot.services.conversation import Conversation
from bot.services.coplanning import CoPlanningService
from bot.services.groups import GroupService, InviteLinks
from bot.services.inbox import Inbox
from bot.services.late import LateDelivery
from bot.services.lessons import Lessons
from bot.services.linking import LinkingService
from bot.services.meetings import MeetingService
from bot.services.members import MemberService
from bot.services.milestones import Milestones
from bot.services.monitoring import MonitoringService
from bot.services.monitoring import calendar as monitoring_calendar
from bot.services.outbox import OutboxDispatcher
from bot.services.privacy import PrivacyService
from bot.services.quiet_chat import QuietChat
from bot.services.quarantine import Quarantine
from bot.services.reminders import ReminderService
from bot.services.retention import Retention
from bot.services.surveys import planning as survey_planning
from bot.services.surveys.results_service import SurveyResultsService
from bot.services.surveys.service import SurveyService
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
    chat_events: ChatEvents  # platform events: chats moved or left, members blocked/back
    milestones: Milestones
    coplanning: CoPlanningService
    surveys: SurveyService
    extras: dict[str, object] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    # Survey results, charts and exports (issue 9): /sonuclar, `results:<id>`, CLI exports.
    survey_results: SurveyResultsService | None = None
    # Reminders and nudges delivered late (WhatsApp messages held while the window was closed).
    late: LateDelivery = field(default_factory=LateDelivery)
    # Inbound updates that could not be parsed, stored or processed (issue 18).
    quarantine: Quarantine | None = None

    def now_seconds(self) -> float:
        return utc_timestamp(self.clock.now())

    def add_channel(self, channel: Channel) -> None:
        self.dispatcher.add_channel(channel)
        self.channels[channel.name] = channel

    async def start(self) -> None:
        await self.dispatcher.start()
        await self.reminders.start()
        await self.scheduler.start()  # arms the earliest pending reminder from the table
        await self.privacy.start()  # finishes a /forget scrub a crash interrupted

    def warm_up(self) -> None:
        """Load what start-up leaves for later (issue 24: the first reply comes first): the
        lesson catalogue (a broken lesson file of the group's own is logged here) and both
        languages' message catalogues. Called by the running bot just after start."""
        from messages import LANGUAGES, catalog

        lessons = self.extras.get("lessons")
        if lessons is not None:
            lessons.service.lessons  # type: ignore[attr-defined]  # noqa: B018 - loads it
        for lang in LANGUAGES:
            catalog(lang)

    def notified(self, topic: str) -> None:
        """PostgreSQL: a process committed rows the leader acts on (storage.postgres.listen):
        'outbox' wakes the dispatcher, 'reminders' re-arms the scheduler at the earliest due
        time. Nothing happens in a process that does not lead (neither is running there)."""
        if topic == "outbox":
            self.dispatcher.kick()
        elif topic == "reminders":
            self.reminders.rearm_soon()

    async def stop(self) -> None:
        await self.scheduler.stop()  # no new fan-outs, then let sends in flight finish
        await self.dispatcher.stop()
        await self.privacy.stop()


def build_services(settings: Settings, db: Database, clock: Clock) -> Services:
    """Wire every service; order matters only where one registers into another."""
    def now_seconds() -> float:
        return utc_timestamp(clock.now())

    notifier = Notifier(now_seconds)
    dispatcher = OutboxDispatcher(db, {}, now_seconds, limits={
        "*": RateLimits.from_settings(settings), "whatsapp": whatsapp_limits(settings)})
    clock.subscribe(dispatcher.kick)  # a moved clock makes delayed rows due at once
    scheduler = Scheduler(clock, settings.timezone)
    reminders = ReminderService(db, clock, timezone=settings.timezone, on_commit=dispatcher.kick)
    reminders.attach(scheduler)
    broadcasts = BroadcastService(db, now_seconds, on_commit=dispatcher.kick, timezone=settings.timezone)
    broadcasts.register(reminders)  # the built-in `notice` reminder kind
    # Nightly retention (issue 8): old update ids, sent messages, finished reminders.
    retention = Retention(db, settings.retention_days)
    reminders.add_recurring("forget-old-updates", retention.run, hour=4, minute=0)
    conversation = Conversation(db, clock.now, settings.default_language)
    # (name, contact, what backups keep): the third is None on SQLite, else the backup retention.
    backups = (settings.backup_retention_days or 0) if db.dialect == "postgresql" else None
    controller = (settings.controller_name, settings.controller_contact, backups)
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
    # Plan milestones and the per-group weekly digest (surveys add theirs with
    # `milestones.digest.add_part(...)`).
    milestones = Milestones(db, clock.now, groups, reminders, broadcasts)
    milestones.register(conversation)
    groups.created_hooks.append(milestones.digest.arm_new)
    coplanning = CoPlanningService(db, clock.now, groups, reminders, broadcasts)
    coplanning.register(conversation)
    privacy.forget_hooks.append(coplanning.forget_member)
    channels: dict[str, Channel] = {}

    async def download(channel: str, file_id: str) -> bytes | None:
        found = channels.get(channel)
        return await found.download(file_id) if found is not None else None

    surveys = SurveyService(db, clock.now, groups, reminders, broadcasts, files_dir=settings.files_dir,
                            download=download)
    surveys.register(conversation)
    privacy.forget_hooks.append(surveys.forget_member)
    members.join_hooks.append(surveys.open_for_newcomer)
    # Surveys in the plan calendar: the digest's part, and milestones linked to a template.
    milestones.digest.add_part(survey_planning.digest_part(surveys))
    milestones.service.unanswered_hook = survey_planning.unanswered_hook(surveys)
    milestones.service.send_survey_hook = survey_planning.send_survey_hook(surveys)
    inbox = Inbox(db, notifier, now_seconds, dispatcher.kick)
    chat_events = ChatEvents(db, notifier, clock.now, dispatcher.kick)
    linking = LinkingService(db)  # one person, two apps (issue 12)
    linking.register(conversation)
    survey_results = SurveyResultsService(db, clock.now)
    survey_results.register(conversation)
    # Lessons in chat (issue 23), offered when a budget round opens, before a monitoring survey,
    # at a member's first /oneri and at plan-cycle milestones linked to a lesson.
    lessons = Lessons(db, clock.now, groups, broadcasts, reminders, settings.lessons_dir, kick=dispatcher.kick)
    lessons.register(conversation)
    coplanning.rounds.opened_hooks.append(lessons.on_round_opened)
    coplanning.propose_hooks.append(lessons.on_propose)
    surveys.before_send_hooks.append(lessons.before_survey_sent)
    milestones.service.first_reminder_hooks.append(lessons.on_milestone_reminder)
    monitoring = MonitoringService(db, clock.now, conversation, surveys)  # the monitoring report (issue 22)
    monitoring.register(conversation)
    milestones.digest.add_part(monitoring_calendar.digest_part(monitoring))
    milestones.service.reminder_note_hooks.append(monitoring_calendar.reminder_note(monitoring))
    quiet_chat = QuietChat(db, clock.now, groups)  # quiet hours: /sessiz, notices sent at night
    quiet_chat.register(conversation)
    services = Services(settings=settings, db=db, clock=clock, notifier=notifier, dispatcher=dispatcher,
                        conversation=conversation, inbox=inbox, links=links, groups=groups,
                        members=members, privacy=privacy, reminders=reminders, broadcasts=broadcasts,
                        scheduler=scheduler, meetings=meetings, chat_events=chat_events,
                        milestones=milestones, coplanning=coplanning, surveys=surveys, channels=channels,
                        survey_results=survey_results)
    services.extras["linking"] = linking
    services.extras["lessons"] = lessons
    services.extras["monitoring"] = monitoring
    services.extras["quiet"] = quiet_chat
    services.quarantine = Quarantine(db, notifier, now_seconds, settings.default_language, dispatcher.kick)
    meetings.register_late(services.late)
    surveys.register_late(services.late)
    milestones.digest.register_late(services.late)
    milestones.service.register_late(services.late)
    coplanning.rounds.register_late(services.late)
    lessons.service.register_late(services.late)
    return services

