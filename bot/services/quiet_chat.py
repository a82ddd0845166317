"""Quiet hours in chat: `/sessiz` (`/quiet`) for coordinators, and "now or in the morning?"
for a notice a coordinator sends while her group is in its quiet hours.

- `/sessiz` shows one card per group she coordinates, with presets (buttons
  `quiet:<group>:<preset>`); `/sessiz 22:00-07:30`, `/sessiz kapat`, `/sessiz varsayılan` set
  every group she coordinates (as `/ozet grup` does).
- A group notice created by a coordinator's action (a meeting announced, moved or called off,
  a survey sent, a round opened…) while the group is in its quiet hours waits for their end;
  she is asked at once, with `quiet:now:<broadcast>` and `quiet:later:<broadcast>`: the first
  sends it now, the second confirms the morning. The broadcast's group is looked up, never
  trusted from the button, and only its coordinators may release it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.clock import utc_timestamp
from bot.dates import zone_name
from bot.errors import InvalidAnswer, NotFound
from bot.models import Button, Group, Reply, Role
from bot.services import quiet
from bot.services.broadcasts import collect_broadcasts
from bot.services.conversation import CommandSpec, Conversation, Ctx, Replies
from bot.services.groups import GroupService
from bot.text import fold
from messages import format_datetime, t
from storage import broadcasts as broadcasts_repo
from storage import groups as groups_repo
from storage import outbox as outbox_repo
from storage.db import Database

PRESETS: tuple[dict[str, str] | None, ...] = (
    {"start": "21:00", "end": "08:00"}, {"start": "22:00", "end": "07:00"},
    {"start": "20:00", "end": "09:00"}, {"start": "22:00", "end": "08:00"}, None)
OFF_WORDS = frozenset({"kapat", "kapali", "off", "yok", "none"})
DEFAULT_WORDS = frozenset({"varsayilan", "default", "ac", "on"})


def hours_text(group: Group, lang: str) -> str:
    """`21:00–08:00 (Türkiye saati)` or `kapalı` / `off`."""
    hours = quiet.of_group(group)
    if hours is None:
        return t("quiet.off", lang)
    return t("quiet.hours", lang, hours=hours.label(), zone=zone_name(group.timezone, lang))


class QuietChat:
    def __init__(self, db: Database, now: Callable[[], datetime], groups: GroupService) -> None:
        self._db = db
        self._now = now
        self._groups = groups

    def register(self, conversation: Conversation) -> None:
        conversation.add_command(CommandSpec("quiet", self.command, aliases=("sessiz",), coordinator_only=True,
                                             order=62))
        conversation.add_choice("quiet", self.on_choice)
        conversation.add_after_action(self.after_action, before=collect_broadcasts)

    # -- /sessiz --------------------------------------------------------------------------
    async def command(self, ctx: Ctx, args: list[str]) -> Replies:
        """No argument: a card per coordinated group. `22:00-07:30`, `kapat`, `varsayılan`:
        that setting for every group she coordinates."""
        groups = ctx.coordinated_groups()
        if not groups:
            return [ctx.text("quiet.coordinators_only")]
        if not args:
            return [self._card(ctx, await self._group(group_id)) for group_id in sorted(groups)]
        typed = " ".join(args)
        word = fold(typed).strip(" .!")
        value: dict[str, object] | None
        if word in OFF_WORDS:
            value = {"off": True}
        elif word in DEFAULT_WORDS:
            value = None
        else:
            try:
                value = dict(quiet.parse_range(typed))
            except InvalidAnswer as error:
                return [ctx.text(error.key, **error.params)]
        replies: Replies = []
        for group_id in sorted(groups):
            group = await self._save(group_id, value)
            replies.append(self._card(ctx, group, saved=True))
        return replies

    def _card(self, ctx: Ctx, group: Group, *, saved: bool = False, edit_of: str | None = None) -> Reply:
        current = group.settings.get(quiet.SETTING)
        buttons = []
        for index, preset in enumerate(PRESETS):
            label = (f"{preset['start']}–{preset['end']}" if preset is not None else t("quiet.off_button", ctx.lang))
            chosen = (preset is None and isinstance(current, dict) and current.get("off")) or (
                preset is not None and quiet.of_group(group) is not None
                and quiet.of_group(group).label() == label)  # type: ignore[union-attr]
            buttons.append([Button(label=("• " if chosen else "") + label, choice=f"quiet:{group.id}:{index}")])
        text = t("quiet.card", ctx.lang, group=group.name, hours=hours_text(group, ctx.lang))
        if saved:
            text = t("quiet.saved", ctx.lang) + "\n" + text
        return Reply(text=text + "\n" + t("quiet.usage", ctx.lang), buttons=buttons, edit_of=edit_of)

    async def _group(self, group_id: int) -> Group:
        group = await self._groups.get(group_id)
        if group is None:
            raise NotFound()
        return group

    async def _save(self, group_id: int, value: dict[str, object] | None) -> Group:
        async with self._db.transaction() as tx:
            group = await groups_repo.get(tx, group_id)
            if group is None:
                raise NotFound()
            settings = {k: v for k, v in group.settings.items() if k != quiet.SETTING}
            if value is not None:
                settings[quiet.SETTING] = value
            await groups_repo.update_settings(tx, group_id, settings)
        return group.model_copy(update={"settings": settings})

    # -- buttons --------------------------------------------------------------------------
    async def on_choice(self, ctx: Ctx, parts: list[str]) -> Replies:
        """`quiet:<group>:<preset>`, `quiet:now:<broadcast>`, `quiet:later:<broadcast>`."""
        if len(parts) != 2 or not parts[1].isdigit():
            return [ctx.text("error.stale_button")]
        if parts[0] in ("now", "later"):
            return await self._release(ctx, parts[0], int(parts[1]))
        if not parts[0].isdigit() or int(parts[1]) >= len(PRESETS):
            return [ctx.text("error.stale_button")]
        group_id = int(parts[0])
        if ctx.roles.get(group_id) is not Role.COORDINATOR:
            raise NotFound()
        preset = PRESETS[int(parts[1])]
        group = await self._save(group_id, dict(preset) if preset is not None else {"off": True})
        return [self._card(ctx, group, saved=True, edit_of=ctx.actor.source_message_id)]

    async def _release(self, ctx: Ctx, action: str, broadcast_id: int) -> Replies:
        async with self._db.transaction() as tx:
            exists, group_id = await broadcasts_repo.group_of(tx, broadcast_id)
            if not exists or group_id is None or ctx.roles.get(group_id) is not Role.COORDINATOR:
                raise NotFound()
            group = await groups_repo.get(tx, group_id)
            if group is None:
                raise NotFound()
            if action == "now":
                count = await outbox_repo.release_broadcast(tx, broadcast_id, utc_timestamp(ctx.now))
                if count == 0:
                    return [ctx.text("quiet.already_sent")]
                return [ctx.text("quiet.sending_now", count=count)]
        hours = quiet.of_group(group)
        morning = hours.end_after(ctx.now) if hours is not None else ctx.now
        return [ctx.text("quiet.kept", when=format_datetime(morning, ctx.lang, group.timezone))]

    # -- notices sent at night ------------------------------------------------------------
    async def after_action(self, ctx: Ctx, replies: Replies) -> Replies:
        """A coordinator's group notice created in this step while the group is in its quiet
        hours waits for their end; she gets "now or in the morning?" with the replies."""
        from bot.services.broadcasts import _created  # the list `collect_broadcasts` started

        created = _created.get() or []
        if not created:
            return replies
        asked: list[Reply] = []
        seen: set[int] = set()
        for broadcast_id, group_id in created:
            if broadcast_id in seen or ctx.roles.get(group_id) is not Role.COORDINATOR:
                continue
            seen.add(broadcast_id)
            group = await self._groups.get(group_id)
            hours = quiet.of_group(group) if group is not None else None
            if group is None or hours is None or not hours.contains(ctx.now):
                continue
            morning = hours.end_after(ctx.now)
            async with self._db.transaction() as tx:
                held = await outbox_repo.hold_broadcast(tx, broadcast_id, utc_timestamp(morning))
            if not held:
                continue
            clock = morning.astimezone(hours.zone).strftime("%H:%M")
            asked.append(Reply(
                text=t("quiet.held", ctx.lang, group=group.name, hours=hours.label(), count=held,
                       when=format_datetime(morning, ctx.lang, group.timezone)),
                buttons=[[Button(label=t("quiet.now_button", ctx.lang), choice=f"quiet:now:{broadcast_id}"),
                          Button(label=t("quiet.later_button", ctx.lang, clock=clock),
                                 choice=f"quiet:later:{broadcast_id}")]]))
        created.clear()
        return [*replies, *asked]
