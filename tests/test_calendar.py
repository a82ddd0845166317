"""The .ics file: valid RFC 5545 that phones import at the right hour, updated in place on a
reschedule and removed on a cancellation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from bot.calendar import meeting_ics, meeting_uid

START = datetime(2026, 12, 3, 11, 0, tzinfo=UTC)  # 14:00 in Istanbul
STAMP = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


def _ics(**overrides: object) -> bytes:
    values: dict[str, object] = {
        "meeting_id": 42, "title": "Bütçe; talepler, öncelikler", "starts_at": START,
        "duration": timedelta(hours=2), "place": "Kent Konseyi + https://meet.example.org/kars",
        "agenda": "1. Bütçe\n2. Kreş", "timezone": "Europe/Istanbul", "sequence": 0,
        "cancelled": False, "stamp": STAMP, "organizer": "Kadın Dostu Kent"}
    values.update(overrides)
    return meeting_ics(**values)  # type: ignore[arg-type]


def _event(content: bytes) -> icalendar.Event:
    return next(iter(icalendar.Calendar.from_ical(content).walk("VEVENT")))


def test_the_start_is_right_in_utc_and_in_the_groups_zone() -> None:
    event = _event(_ics())
    assert event.decoded("dtstart").astimezone(UTC) == START
    assert event.decoded("dtend").astimezone(UTC) == START + timedelta(hours=2)
    assert str(event.get("dtstart").params["TZID"]) == "Europe/Istanbul"
    assert b"DTSTART;TZID=Europe/Istanbul:20261203T140000" in _ics()
    assert b"DTSTAMP:20261125T060000Z" in _ics()


def test_it_is_a_well_formed_calendar_with_the_zone_it_uses() -> None:
    content = _ics()
    lines = content.split(b"\r\n")
    assert lines[0] == b"BEGIN:VCALENDAR" and lines[-2:] == [b"END:VCALENDAR", b""]
    assert all(len(line) <= 75 for line in lines)  # folded as RFC 5545 section 3.1 asks
    parsed = icalendar.Calendar.from_ical(content)
    assert str(parsed.get("version")) == "2.0" and str(parsed.get("prodid")).startswith("-//Koordinat//")
    zones = list(parsed.walk("VTIMEZONE"))
    assert [str(zone.get("tzid")) for zone in zones] == ["Europe/Istanbul"]
    assert content.count(b"BEGIN:STANDARD") + content.count(b"BEGIN:DAYLIGHT") <= 3  # only what matters
    event = _event(content)
    for required in ("uid", "dtstamp", "dtstart", "summary", "organizer"):
        assert event.get(required) is not None, required
    assert str(event.get("summary")) == "Bütçe; talepler, öncelikler"  # escaped and read back
    assert str(event.get("description")) == "1. Bütçe\n2. Kreş"
    assert str(event.get("url")) == "https://meet.example.org/kars"
    assert event.get("organizer").params["CN"] == "Kadın Dostu Kent"


@pytest.mark.parametrize("zone", ["Europe/Berlin", "America/New_York"])
def test_zones_with_daylight_saving_keep_the_local_hour(zone: str) -> None:
    summer = datetime(2027, 7, 1, 12, 0, tzinfo=UTC)
    content = _ics(timezone=zone, starts_at=summer)
    event = _event(content)
    assert event.decoded("dtstart").astimezone(UTC) == summer
    assert b"BEGIN:DAYLIGHT" in content


def test_a_reschedule_updates_the_same_entry_and_a_cancellation_removes_it() -> None:
    first, moved = _event(_ics()), _event(_ics(sequence=1, starts_at=START + timedelta(days=7)))
    assert str(first.get("uid")) == str(moved.get("uid")) == meeting_uid(42)
    assert (int(first.get("sequence")), int(moved.get("sequence"))) == (0, 1)
    assert str(icalendar.Calendar.from_ical(_ics()).get("method")) == "PUBLISH"

    cancelled = _ics(sequence=2, cancelled=True)
    assert str(icalendar.Calendar.from_ical(cancelled).get("method")) == "CANCEL"
    event = _event(cancelled)
    assert str(event.get("status")) == "CANCELLED" and int(event.get("sequence")) == 2
    assert str(event.get("uid")) == meeting_uid(42)


def test_a_place_without_a_link_has_no_url() -> None:
    assert _event(_ics(place="Belediye kültür merkezi")).get("url") is None
