"""Plan milestones (issue 11): the municipal plan-cycle calendar of each working group.

- `service.py`: create, move, delete, done; reminders at set offsets, snooze, overdue escalation;
- `dialog.py`: the coordinator's `/yenitarih` dialog and the new-date question;
- `overview.py`: `/takvim` (list, cards, template for a year, council rule, .ics);
- `template.py` + `bot/content/plan_cycle.toml`: the shipped, validated plan-cycle template;
- `workdays.py`: Turkish public holidays (`holidays`), working days, the council's session day;
- `dates.py`: reading a due date (time optional) through the shared date reader;
- `digest.py` + `parts.py`: the per-group weekly digest and its milestones and meetings parts;
- `exports.py`: the year as .ics (stable UIDs) and .xlsx;
- `render.py`: how a milestone reads.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.services.broadcasts import BroadcastService
from bot.services.conversation import CommandSpec, Conversation
from bot.services.groups import GroupService
from bot.services.milestones.dialog import MoveFlow, NewMilestoneFlow
from bot.services.milestones.digest import DigestPart, DigestRequest, DigestSection, WeeklyDigest
from bot.services.milestones.overview import MilestoneOverview
from bot.services.milestones.parts import meetings_part, milestones_part
from bot.services.milestones.service import MilestoneService
from bot.services.reminders import ReminderService
from storage.db import Database

__all__ = ["DigestPart", "DigestRequest", "DigestSection", "MilestoneService", "Milestones", "WeeklyDigest"]


class Milestones:
    """The feature wired together: `service` (the API), `digest` (add survey parts here)."""

    def __init__(self, db: Database, now: Callable[[], datetime], groups: GroupService,
                 reminders: ReminderService, broadcasts: BroadcastService) -> None:
        self.service = MilestoneService(db, now, groups, reminders, broadcasts)
        self.digest = WeeklyDigest(db, now, reminders, broadcasts)
        self.digest.add_part(milestones_part(db))
        self.digest.add_part(meetings_part(db))

    def register(self, conversation: Conversation) -> None:
        self.new_flow = NewMilestoneFlow(self.service, conversation)
        self.move_flow = MoveFlow(self.service, conversation)
        self.overview = MilestoneOverview(self.service, self.move_flow)
        conversation.add_command(CommandSpec("milestones", self.overview.command, aliases=("takvim",), order=20))
        conversation.add_command(CommandSpec("newmilestone", self.new_flow.begin_command, aliases=("yenitarih",),
                                             coordinator_only=True, order=44))
        conversation.add_command(CommandSpec("digest", self.digest.command, aliases=("ozet",), order=60))
        conversation.add_flow(self.new_flow)
        conversation.add_flow(self.move_flow)
        conversation.add_choice("ms", self.overview.on_choice)
        conversation.add_text_fallback(self.overview.on_typed)
        self.service.register_kinds()
        self.digest.register()
