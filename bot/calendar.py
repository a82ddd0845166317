"""Calendar files (.ics, RFC 5545) for meetings, with the group's time zone.

One VEVENT per file. Its UID stays the same for the life of the meeting and SEQUENCE grows
with every change people are told about, so a phone that imports the file again after a
reschedule moves the entry instead of adding a second one; a cancellation is the same UID
with METHOD:CANCEL and STATUS:CANCELLED, which removes or strikes it. The VTIMEZONE carries
only the transitions around the meeting (a few lines instead of fifty years of history).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


PRODID = "-//Koordinat//Working group meetings//TR"
UID_DOMAIN = "koordinat"
# The organiser is the working group; the address is a placeholder that no client will use
# for replies to a published (not requested) event.
ORGANIZER_ADDRESS = "mailto:noreply@koordinat.invalid"
_ZONE_MARGIN = timedelta(days=366)
_LINK = re.compile(r"https?://[^\s<>\"]+")


def meeting_uid(meeting_id: int) -> str:
    return f"meeting-{meeting_id}@{UID_DOMAIN}"


def meeting_ics(*, meeting_id: int, title: str, starts_at: datetime, duration: timedelta, place: str,
                agenda: str | None, timezone: str, sequence: int, cancelled: bool, stamp: datetime,
                organizer: str) -> bytes:
    """The .ics for one meeting; `stamp` is when the file is made (DTSTAMP, in UTC)."""
    zone = ZoneInfo(timezone)
    start = starts_at.astimezone(zone)
    from icalendar import Calendar, Event, Timezone, vCalAddress  # imported where used: start-up stays light (issue 24)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    calendar.add_component(Timezone.from_tzid(timezone, first_date=(start - _ZONE_MARGIN).date(),
                                              last_date=(start + duration + _ZONE_MARGIN).date()))
    event = Event()
    event.add("uid", meeting_uid(meeting_id))
    event.add("sequence", sequence)
    event.add("dtstamp", stamp.astimezone(ZoneInfo("UTC")))
    event.add("dtstart", start)
    event.add("dtend", start + duration)
    event.add("summary", title)
    event.add("location", place)
    if link := _LINK.search(place):  # a hybrid meeting's place often holds its video link
        event.add("url", link.group(0))
    if agenda:
        event.add("description", agenda)
    organizer_address = vCalAddress(ORGANIZER_ADDRESS)
    organizer_address.params["cn"] = organizer
    event.add("organizer", organizer_address)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if cancelled else "OPAQUE")
    calendar.add_component(event)
    return calendar.to_ical()


GOOGLE_CALENDAR = "https://calendar.google.com/calendar/render"


def google_calendar_link(ics: bytes) -> str | None:
    """A "add to Google Calendar" link (`action=TEMPLATE`, times in UTC as `YYYYMMDDTHHMMSSZ`)
    for a calendar file holding exactly one event that is not cancelled; None otherwise (a
    year of milestones, a cancellation, a file that does not parse). Parameters as Google's
    event-publishing links take them: text, dates, details, location."""
    from urllib.parse import urlencode

    from icalendar import Calendar  # imported where used: start-up stays light (issue 24)

    try:
        calendar = Calendar.from_ical(ics)
    except ValueError:
        return None
    events = [component for component in calendar.walk("VEVENT")]
    if len(events) != 1 or str(events[0].get("status", "")).upper() == "CANCELLED":
        return None
    event = events[0]
    start, end = event.get("dtstart"), event.get("dtend")
    if start is None or not isinstance(start.dt, datetime):
        return None
    begin = start.dt.astimezone(ZoneInfo("UTC"))
    finish = end.dt.astimezone(ZoneInfo("UTC")) if end is not None and isinstance(end.dt, datetime) \
        else begin + timedelta(hours=1)
    stamp = "%Y%m%dT%H%M%SZ"
    params = {"action": "TEMPLATE", "text": str(event.get("summary", "")),
              "dates": f"{begin.strftime(stamp)}/{finish.strftime(stamp)}"}
    if event.get("description"):
        params["details"] = str(event.get("description"))[:1000]
    if event.get("location"):
        params["location"] = str(event.get("location"))
    return f"{GOOGLE_CALENDAR}?{urlencode(params)}"


def ics_summary(ics: bytes) -> tuple[int, str | None, bool]:
    """(number of events, the title of the only event or None, whether it is cancelled) of a
    calendar file; (0, None, False) when it does not parse."""
    from icalendar import Calendar  # imported where used

    try:
        calendar = Calendar.from_ical(ics)
    except ValueError:
        return 0, None, False
    events = list(calendar.walk("VEVENT"))
    if len(events) != 1:
        return len(events), None, False
    event = events[0]
    cancelled = str(event.get("status", "")).upper() == "CANCELLED" or str(calendar.get("method", "")).upper() == "CANCEL"
    return 1, str(event.get("summary", "")) or None, cancelled
