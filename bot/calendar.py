"""Calendar files (.ics, RFC 5545) for meetings, with the group's time zone."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event


def meeting_ics(*, meeting_id: int, title: str, starts_at: datetime, duration: timedelta, place: str,
                agenda: str | None, timezone: str, sequence: int, cancelled: bool, stamp: datetime) -> bytes:
    """One VEVENT whose UID stays the same across reschedules (SEQUENCE grows), so phones
    update the entry instead of adding a second one; a cancellation uses METHOD:CANCEL."""
    zone = ZoneInfo(timezone)
    calendar = Calendar()
    calendar.add("prodid", "-//Koordinat//Working group meetings//TR")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", f"meeting-{meeting_id}@koordinat")
    event.add("dtstamp", stamp)
    event.add("dtstart", starts_at.astimezone(zone))
    event.add("dtend", (starts_at + duration).astimezone(zone))
    event.add("summary", title)
    event.add("location", place)
    if place.startswith(("http://", "https://")):
        event.add("url", place)
    if agenda:
        event.add("description", agenda)
    event.add("sequence", sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
