"""Counting days the way people do: by the calendar in the group's zone, not by 24-hour spans.

One function for every text and window, so that they agree: the reminder that says
"14 gün kaldı" at 09:00 and the digest's "next 14 days" sent that same minute both count
`days_until(...) == 14` (a date-only milestone is due at 17:00; counting 24-hour spans left it
out of the window while the reminder counted it in). "bugün" is 0, "yarın" 1.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo


def days_until(moment: datetime, now: datetime, zone: ZoneInfo | str) -> int:
    """Calendar days from `now`'s date to `moment`'s date in `zone` (both aware): 0 today,
    1 tomorrow, negative when the day has passed."""
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    return (moment.astimezone(tz).date() - now.astimezone(tz).date()).days


def window_end(now: datetime, days: int, zone: ZoneInfo | str) -> datetime:
    """The end (exclusive, aware UTC) of "the next `days` days" from `now` in `zone`: the
    start of the day after the `days`-th, so that every moment with
    `days_until(moment, now, zone) <= days` is inside."""
    tz = ZoneInfo(zone) if isinstance(zone, str) else zone
    last = now.astimezone(tz).date() + timedelta(days=days + 1)
    return datetime.combine(last, time(0), tzinfo=tz).astimezone(UTC)
