"""Quiet hours for lesson offers: no offer reaches a member at night.

`quiet_hours(group)` is the one place the offers ask. Until the group setting for quiet hours
exists (being added by the "clock" work in parallel), it reads `group.settings["quiet_hours"]`
when present (`{"start": "21:00", "end": "08:00"}` or `"21:00-08:00"`) and otherwise uses the
default 21:00–08:00 in the group's time zone. Wire the shared quiet-hours function in here
(`LessonService.quiet_hours = …` in `build_services`) once it lands.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.models import Group

DEFAULT_QUIET = (time(21, 0), time(8, 0))

QuietHours = Callable[[Group], tuple[time, time]]


def _clock(value: object) -> time | None:
    try:
        hours, minutes = str(value).strip().split(":")
        return time(int(hours), int(minutes))
    except (ValueError, TypeError):
        return None


def quiet_hours(group: Group) -> tuple[time, time]:
    """(start, end) local times of the group's quiet hours; start > end spans midnight."""
    setting = group.settings.get("quiet_hours")
    start = end = None
    if isinstance(setting, dict):
        start, end = _clock(setting.get("start")), _clock(setting.get("end"))
    elif isinstance(setting, str) and "-" in setting:
        first, _, second = setting.partition("-")
        start, end = _clock(first), _clock(second)
    if start is None or end is None or start == end:
        return DEFAULT_QUIET
    return start, end


def is_quiet(window: tuple[time, time], zone: str, moment: datetime) -> bool:
    """Whether `moment` (aware) falls in `window` in the time zone `zone`."""
    start, end = window
    local = moment.astimezone(ZoneInfo(zone)).time()
    if start < end:
        return start <= local < end
    return local >= start or local < end


def quiet_ends(window: tuple[time, time], zone: str, moment: datetime) -> datetime:
    """The next end of the quiet hours after `moment`, in UTC (`moment` itself if not quiet)."""
    if not is_quiet(window, zone, moment):
        return moment
    tz = ZoneInfo(zone)
    local = moment.astimezone(tz)
    end = datetime.combine(local.date(), window[1], tzinfo=tz)
    if end <= local:
        end = datetime.combine(local.date() + timedelta(days=1), window[1], tzinfo=tz)
    return end.astimezone(UTC)
