"""Changing a meeting's title, place, agenda or duration after it was announced (`mtg:<id>:edit`).

Members are told what changed ("📍 Yer: eski → yeni") and keep their answers (only a new time
asks again); the calendar file keeps its UID with a higher SEQUENCE. The dialog: which field →
the new value → a preview with "send" / "discard".
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from bot.errors import InvalidAnswer
from bot.models import Button, Reply
from bot.services.conversation import Conversation, Ctx, Replies
from bot.services.meetings.dialog import require_title
from bot.text import clean_text, fold
from messages import Markup, t
from storage.dialogs import DialogState
from storage.meetings import Meeting

if TYPE_CHECKING:
    from bot.services.meetings.service import MeetingService

FIELDS = ("title", "place", "agenda", "duration")
LIMITS = {"title": (2, 120), "place": (2, 300), "agenda": (0, 1500)}
DURATION_MINUTES = (15, 12 * 60)
_DURATION = re.compile(r"^(\d+(?:[.,]\d+)?)\s*(saat|sa|s|h|hours?|dakika|dk|min|minutes?|m)?$")


def parse_duration(text: str) -> int:
    """`2 saat`, `1,5 saat`, `90 dk`, `90`, `2` → minutes (a bare number up to 12 is hours).
    Raises `InvalidAnswer("meeting.bad_duration")` outside 15 minutes – 12 hours."""
    match = _DURATION.match(fold(text).replace(" ", " ").strip())
    if match is None:
        raise InvalidAnswer("meeting.bad_duration")
    amount, unit = float(match.group(1).replace(",", ".")), match.group(2)
    hours = unit in ("saat", "sa", "s", "h", "hour", "hours") or (unit is None and amount <= 12)
    minutes = round(amount * 60) if hours else round(amount)
    if not DURATION_MINUTES[0] <= minutes <= DURATION_MINUTES[1]:
        raise InvalidAnswer("meeting.bad_duration")
    return minutes


def shown(field: str, value: object, lang: str) -> str:
    if value in (None, ""):
        return "—"
    if field == "duration":
        minutes = int(str(value))
        hours, rest = divmod(minutes, 60)
        return t("meeting.duration_value", lang, hours=hours, minutes=rest)
    return str(value)


class AmendFlow:
    kind = "mtgedit"
    cancelled_key = "meeting.amend_aborted"
    choice_steps = frozenset({"field", "preview"})

    def __init__(self, meetings: MeetingService, conversation: Conversation) -> None:
        self._meetings = meetings
        self._conversation = conversation

    async def begin(self, ctx: Ctx, meeting: Meeting) -> Replies:
        await self._conversation.save(ctx, DialogState(self.kind, "field", {"meeting_id": meeting.id}))
        buttons = [[Button(label=t(f"meeting.field_{name}", ctx.lang), choice=f"{self.kind}:field:{name}")]
                   for name in FIELDS]
        return [Reply(text=t("meeting.amend_which", ctx.lang, title=meeting.title), buttons=buttons)]

    async def on_text(self, ctx: Ctx, state: DialogState, text: str) -> Replies:
        meeting = await self._meetings.meeting(int(state.data["meeting_id"]))
        if state.step != "value":
            return [ctx.text("meeting.use_buttons")]
        field = str(state.data["field"])
        if field == "duration":
            value: object = parse_duration(text)
        else:
            value = clean_text(text, multiline=field == "agenda")  # no invisible or control characters
            low, high = LIMITS[field]
            if field == "title":
                require_title(str(value))
            if field == "agenda" and fold(str(value)) in ("-", "yok", "sil", "none", "delete"):
                value = None
            elif not low <= len(str(value)) <= high:
                raise InvalidAnswer("meeting.bad_amend_length", low=low, high=high)
        if value == getattr(meeting, "duration_minutes" if field == "duration" else field):
            raise InvalidAnswer("meeting.amend_same", value=shown(field, value, ctx.lang))
        state.data["value"], state.step = value, "preview"
        await self._conversation.save(ctx, state)
        return [self._preview(ctx, meeting, field, value)]

    def _preview(self, ctx: Ctx, meeting: Meeting, field: str, value: object) -> Reply:
        before = getattr(meeting, "duration_minutes" if field == "duration" else field)
        send = [Button(label=t("meeting.send_button", ctx.lang), choice=f"{self.kind}:send")]
        if meeting.series_id is not None:  # a repeating meeting: this one, or the whole series
            send = [Button(label=t("meeting.amend_this_one", ctx.lang), choice=f"{self.kind}:send"),
                    Button(label=t("meeting.amend_all", ctx.lang), choice=f"{self.kind}:sendall")]
        return Reply(text=t("meeting.amend_preview", ctx.lang, title=meeting.title,
                            change=change_line(field, before, value, ctx.lang)),
                     buttons=[send, [Button(label=t("meeting.abort_button", ctx.lang), choice=f"{self.kind}:abort")]])

    async def on_choice(self, ctx: Ctx, state: DialogState, parts: list[str]) -> Replies:
        action = parts[0] if parts else ""
        if action == "abort":
            return await self._conversation.cancel(ctx)
        meeting = await self._meetings.meeting(int(state.data["meeting_id"]))
        self._meetings.require_coordinator(ctx, meeting.group_id)
        if action == "field" and state.step == "field" and len(parts) == 2 and parts[1] in FIELDS:
            state.data["field"], state.step = parts[1], "value"
            await self._conversation.save(ctx, state)
            current = getattr(meeting, "duration_minutes" if parts[1] == "duration" else parts[1])
            return [ctx.text(f"meeting.amend_ask_{parts[1]}", current=shown(parts[1], current, ctx.lang))]
        if action in ("send", "sendall") and state.step == "preview":
            if meeting.cancelled or meeting.starts_at <= ctx.now:
                await self._conversation.end(ctx)
                return [ctx.text("meeting.too_late_to_change", title=meeting.title)]
            await self._conversation.end(ctx)
            if action == "sendall":
                count = await self._meetings.amend_series(meeting.id, str(state.data["field"]), state.data.get("value"))
                return [ctx.text("meeting.amended_all", title=meeting.title, count=count)]
            await self._meetings.amend(meeting.id, str(state.data["field"]), state.data.get("value"))
            return [ctx.text("meeting.amended", title=meeting.title)]
        return [ctx.text("error.stale_button")]


def change_line(field: str, before: object, after: object, lang: str) -> Markup:
    """`📍 Yer: Salon → Kültür merkezi` (the values escaped, the line safe to embed)."""
    return Markup(t(f"meeting.changed_{field}", lang, old=shown(field, before, lang), new=shown(field, after, lang)))
