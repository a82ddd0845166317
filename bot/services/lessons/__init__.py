"""Lessons in chat (issue 23): the concepts and methods a working group needs to co-plan and
monitor the municipal plan, as short lessons with quizzes, offered when the plan cycle needs them.

- `content.py` + `bot/content/lessons/*.toml`: the lessons as data, validated at load
  (`file:line: field: problem`); a group's own in `KOORDINAT_LESSONS_DIR`;
- `chat.py`: `/dersler` (`/lessons`), the `ls:` buttons, the lesson dialog, coordinators' view;
- `service.py`: progress, coordinators' counts, offers (weekly cap, "no thanks", quiet hours);
- `quiet.py`: the quiet-hours hook (default 21:00–08:00 in the group's zone);
- `render.py`: how a part, a question and a verdict read; `document.py`: the lesson as .docx;
- `exports.py`: `koordinat export lessons GROUP` (.xlsx).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # each module is imported where it is used: `koordinat lessons list` reads
    # `content.py` alone (start-up, issue 24)
    from bot.services.broadcasts import BroadcastService
    from bot.services.conversation import Conversation
    from bot.services.groups import GroupService
    from bot.services.lessons.chat import LessonChat
    from bot.services.lessons.service import LessonService
    from bot.services.reminders import ReminderService
    from storage.db import Database

__all__ = ["LessonChat", "LessonService", "Lessons"]


def __getattr__(name: str) -> Any:
    """`LessonChat` and `LessonService`, imported when first asked for."""
    if name == "LessonChat":
        from bot.services.lessons.chat import LessonChat

        return LessonChat
    if name == "LessonService":
        from bot.services.lessons.service import LessonService

        return LessonService
    raise AttributeError(f"module 'bot.services.lessons' has no attribute {name!r}")


class Lessons:
    """The feature wired together: `service` (the API), `chat` (commands and buttons)."""

    def __init__(self, db: Database, now: Callable[[], datetime], groups: GroupService,
                 broadcasts: BroadcastService, reminders: ReminderService, lessons_dir: Path | None = None,
                 kick: Callable[[], None] = lambda: None) -> None:
        from bot.services.lessons.service import LessonService

        self._now = now
        self.service = LessonService(db, now, groups, broadcasts, reminders, lessons_dir, kick)

    def register(self, conversation: Conversation) -> None:
        from bot.services.lessons.chat import LessonChat

        self.chat = LessonChat(self.service, conversation)
        self.chat.register()
        self.service.register_kinds()

    # -- hooks other features call ---------------------------------------------------------------
    async def on_round_opened(self, round_: Any) -> None:
        """A co-planning round opened: a budget round offers the gender-budgeting lesson."""
        from bot.services.lessons.service import BUDGET_ROUND, LINKED_LESSONS

        if str(getattr(round_.feeds, "value", round_.feeds)) == "budget":
            await self.service.offer_to_group(round_.group_id, LINKED_LESSONS[BUDGET_ROUND], BUDGET_ROUND)

    async def before_survey_sent(self, group_id: int, form: Any, member_ids: list[int]) -> None:
        """A survey is about to go out: one that asks for indicators (a monitoring survey)
        offers the monitoring lesson first, to its recipients."""
        from bot.services.lessons.service import LINKED_LESSONS, MONITORING_SURVEY

        if any(getattr(question, "indicator", None) for question in form.questions):
            await self.service.offer_to_group(group_id, LINKED_LESSONS[MONITORING_SURVEY], MONITORING_SURVEY,
                                              member_ids=member_ids)

    async def on_milestone_reminder(self, milestone: Any, group: Any) -> None:
        """A plan-cycle milestone linked to lessons (`lessons = [...]` in plan_cycle.toml) had
        its first reminder: each member is offered the first of its lessons she may get (the
        weekly cap keeps it to one)."""
        from bot.services.lessons.service import MILESTONE
        from bot.services.milestones.template import plan_cycle

        code = (milestone.template_code or "").partition("@")[0]
        entry = next((entry for entry in plan_cycle().milestone if entry.code == code), None)
        audience = None
        if getattr(milestone, "audience", "group") == "coordinators":  # a coordinators' milestone: theirs only
            audience = await self.service.coordinators(group.id)
        for slug in entry.lessons if entry is not None else []:
            await self.service.offer_to_group(group.id, slug, MILESTONE, member_ids=audience)

    async def on_propose(self, ctx: Any) -> list[Any]:
        """Her /oneri: the proposal-writing lesson the first time (a reply before the dialog's)."""
        offer = await self.chat.offer_on_propose(ctx, self._now())
        return [offer] if offer is not None else []
