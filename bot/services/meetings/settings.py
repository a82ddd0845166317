"""`/reminders` (`/hatirlatmalar`): when members are reminded of their group's meetings.

The choice is stored in `groups.settings["meeting_reminder_minutes"]` and applied to the
group's upcoming meetings at once (their pending reminders are re-armed).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from bot.lazy_babel import format_list

from bot.models import Button, Group, Reply
from bot.services.meetings import render
from bot.services.conversation import Ctx, Replies
from messages import normalize_language, t
from storage import groups as groups_repo
from storage.db import Database

if TYPE_CHECKING:
    from bot.services.meetings.service import MeetingService

REMINDER_SETTING = "meeting_reminder_minutes"

# Minutes before the meeting; the first is the default.
PRESETS: tuple[tuple[int, ...], ...] = ((24 * 60, 60), (2 * 24 * 60, 2 * 60), (24 * 60,), (60,), ())


def describe(minutes: list[int] | tuple[int, ...], lang: str) -> str:
    """`1 gün ve 1 saat önce` / `1 day and 1 hour before`, or `kapalı` / `off`."""
    if not minutes:
        return t("meeting_reminders.off", lang)
    leads = [render.lead_time(timedelta(minutes=value), lang) for value in minutes]
    return t("meeting_reminders.before", lang, leads=format_list(leads, locale=normalize_language(lang)))


class ReminderSettings:
    def __init__(self, meetings: MeetingService, db: Database) -> None:
        self._meetings = meetings
        self._db = db

    async def show(self, ctx: Ctx, args: list[str]) -> Replies:
        """One card per coordinated group: the current setting and the choices."""
        return [self._card(ctx, await self._meetings.group(group_id)) for group_id in ctx.coordinated_groups()]

    def _card(self, ctx: Ctx, group: Group, edit_of: str | None = None, saved: bool = False) -> Reply:
        current = self._meetings.reminder_minutes(group)
        buttons = [[Button(label=("• " if list(preset) == current else "") + describe(preset, ctx.lang),
                           choice=f"remset:{group.id}:{index}")] for index, preset in enumerate(PRESETS)]
        asked = render.enabled_needs(group)  # the optional questions at RSVP, one toggle each
        buttons += [[Button(label=("☑ " if need in asked else "☐ ") + t("meeting_reminders.ask_need", ctx.lang,
                                                                     need=t(f"rsvp.need_{need}", ctx.lang)),
                            choice=f"remset:{group.id}:need:{need}")] for need in render.NEEDS]
        key = "meeting_reminders.saved" if saved else "meeting_reminders.title"
        return Reply(text=t(key, ctx.lang, group=group.name, current=describe(current, ctx.lang)),
                     buttons=buttons, edit_of=edit_of)

    async def on_choice(self, ctx: Ctx, parts: list[str]) -> Replies:
        """`remset:<group>:<preset>`: store the choice and re-arm upcoming meetings;
        `remset:<group>:need:<need>`: ask (or stop asking) that support question at RSVP."""
        if len(parts) == 3 and parts[0].isdigit() and parts[1] == "need" and parts[2] in render.NEEDS:
            group = await self._meetings.group(int(parts[0]))
            self._meetings.require_coordinator(ctx, group.id)
            asked = set(render.enabled_needs(group)) ^ {parts[2]}
            settings = {**group.settings, render.NEEDS_SETTING: [need for need in render.NEEDS if need in asked]}
            async with self._db.transaction() as tx:
                await groups_repo.update_settings(tx, group.id, settings)
            return [self._card(ctx, await self._meetings.group(group.id), edit_of=ctx.actor.source_message_id,
                               saved=True)]
        if len(parts) != 2 or not all(part.isdigit() for part in parts) or int(parts[1]) >= len(PRESETS):
            return [ctx.text("error.stale_button")]
        group = await self._meetings.group(int(parts[0]))
        self._meetings.require_coordinator(ctx, group.id)
        settings = {**group.settings, REMINDER_SETTING: list(PRESETS[int(parts[1])])}
        async with self._db.transaction() as tx:
            await groups_repo.update_settings(tx, group.id, settings)
        await self._meetings.rearm_reminders(group.id)
        updated = await self._meetings.group(group.id)
        return [self._card(ctx, updated, edit_of=ctx.actor.source_message_id, saved=True)]
