"""Quiet hours: a group's night, when no timed message goes out.

Each group has quiet hours in its own zone (default 21:00–08:00; `groups.settings["quiet_hours"]`
= `{"start": "21:00", "end": "08:00"}`, or `{"off": true}`). A timed send — a reminder, an
escalation, a digest, a nudge, a notice a reminder row fans out — that falls due inside them
waits for their end, or is dropped when it is stale by then (`ReminderService` applies it,
see `bot/services/reminders.py`). Replies to what a person just did are never held.

Coordinators change them with `/sessiz` (`/quiet`), the operator with
`koordinat group quiet GROUP 22:00-07:30|off|default`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.errors import InvalidAnswer
from bot.models import Group

SETTING = "quiet_hours"
DEFAULT_START = time(21, 0)
DEFAULT_END = time(8, 0)
# `22-7`, `22:00-07:30`, `22.00 – 07.30`, `22:00 07:30`
_RANGE = re.compile(r"^\s*(\d{1,2})(?:[:.](\d{2}))?\s*(?:-|–|—|\s)\s*(\d{1,2})(?:[:.](\d{2}))?\s*$")


@dataclass(frozen=True)
class QuietHours:
    """From `start` to `end`, wall time in `zone`; `start > end` crosses midnight."""

    start: time
    end: time
    zone: ZoneInfo

    def contains(self, moment: datetime) -> bool:
        """Whether the aware `moment` falls inside the quiet hours."""
        local = moment.astimezone(self.zone).time().replace(tzinfo=None)
        if self.start == self.end:
            return False
        if self.start > self.end:
            return local >= self.start or local < self.end
        return self.start <= local < self.end

    def end_after(self, moment: datetime) -> datetime:
        """The first end of quiet hours at or after `moment` (aware UTC): when a send that
        falls due at `moment` may go out. `moment` itself when it is not inside them."""
        if not self.contains(moment):
            return moment.astimezone(UTC)
        local = moment.astimezone(self.zone)
        day = local.date()
        candidate = datetime.combine(day, self.end, tzinfo=self.zone)
        if candidate <= local:
            candidate = datetime.combine(day + timedelta(days=1), self.end, tzinfo=self.zone)
        return candidate.astimezone(UTC)

    def label(self) -> str:
        """`21:00–08:00`"""
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


def of_group(group: Group) -> QuietHours | None:
    """The group's quiet hours, or None when a coordinator turned them off."""
    return from_setting(group.settings.get(SETTING), group.timezone)


def from_setting(value: object, timezone: str) -> QuietHours | None:
    """Quiet hours from a stored setting (missing or unreadable: the default)."""
    zone = ZoneInfo(timezone)
    if isinstance(value, dict):
        if value.get("off"):
            return None
        try:
            return QuietHours(time.fromisoformat(str(value["start"])), time.fromisoformat(str(value["end"])), zone)
        except (KeyError, ValueError):
            pass
    return QuietHours(DEFAULT_START, DEFAULT_END, zone)


def parse_range(text: str) -> dict[str, str]:
    """`22-7`, `22:00-07:30`, `21.30 – 08.00` → `{"start": "22:00", "end": "07:00"}`.

    Raises InvalidAnswer("quiet.bad_range", typed=...) when it is not two times of day, or
    when both are the same."""
    match = _RANGE.match(text)
    typed = text.strip()[:40]
    if match is None:
        raise InvalidAnswer("quiet.bad_range", typed=typed)
    start_h, start_m, end_h, end_m = (int(part) if part else 0 for part in match.groups())
    if start_h > 23 or end_h > 23 or start_m > 59 or end_m > 59 or (start_h, start_m) == (end_h, end_m):
        raise InvalidAnswer("quiet.bad_range", typed=typed)
    return {"start": f"{start_h:02d}:{start_m:02d}", "end": f"{end_h:02d}:{end_m:02d}"}
