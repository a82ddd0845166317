"""The year's milestones as files: an iCalendar (.ics, RFC 5545) with one all-day or timed
event per milestone and stable UIDs (`milestone-<id>@koordinat`, so a re-import updates the
entries instead of doubling them), and a spreadsheet (.xlsx, xlsxwriter)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


from bot.models import Group
from bot.services.milestones import render
from messages import t
from storage.milestones import Milestone

PRODID = "-//Koordinat//Plan milestones//TR"


def milestone_uid(milestone_id: int) -> str:
    return f"milestone-{milestone_id}@koordinat"


def year_ics(group: Group, milestones: list[Milestone], stamp: datetime, lang: str | None = None) -> bytes:
    """One VEVENT per milestone: all-day on its date, or 1 hour at its time in the group's zone;
    SEQUENCE follows date changes; done milestones are kept, marked in the summary. Titles,
    notes and legal bases in `lang` (the reader's; default the group's language)."""
    lang = lang or group.language
    zone = ZoneInfo(group.timezone)
    from icalendar import Calendar, Event, Timezone  # imported where used: start-up stays light (issue 24)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", group.name)
    if any(m.has_time for m in milestones):
        days = [m.due_at.astimezone(zone).date() for m in milestones]
        calendar.add_component(Timezone.from_tzid(group.timezone, first_date=min(days) - timedelta(days=1),
                                                  last_date=max(days) + timedelta(days=1)))
    for milestone in milestones:
        event = Event()
        event.add("uid", milestone_uid(milestone.id))
        event.add("sequence", milestone.sequence)
        event.add("dtstamp", stamp.astimezone(ZoneInfo("UTC")))
        local = milestone.due_at.astimezone(zone)
        if milestone.has_time:
            event.add("dtstart", local)
            event.add("dtend", local + timedelta(hours=1))
        else:
            event.add("dtstart", local.date())
            event.add("dtend", local.date() + timedelta(days=1))
        event.add("summary", ("✅ " if milestone.status == "done" else "") + render.title(milestone, lang))
        description = [text for text in (render.notes(milestone, lang), render.basis_text(milestone, lang)) if text]
        if description:
            event.add("description", "\n".join(description))
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()


def year_xlsx(group: Group, milestones: list[Milestone], now: datetime, lang: str | None = None) -> bytes:
    """A sheet with one row per milestone: date, title, status, days left, basis, links; all
    text in `lang` (default the group's language)."""
    lang = lang or group.language
    buffer = io.BytesIO()
    import xlsxwriter  # imported where used: start-up stays light (issue 24)
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(t("milestone.xlsx_sheet", lang)[:31])
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "dd.mm.yyyy"})
    headers = [t(f"milestone.xlsx_{name}", lang) for name in
               ("date", "title", "status", "left", "basis", "indicator", "survey", "audience")]
    sheet.write_row(0, 0, headers, bold)
    zone = ZoneInfo(group.timezone)
    for row, milestone in enumerate(milestones, start=1):
        local = milestone.due_at.astimezone(zone)
        sheet.write_datetime(row, 0, local.replace(tzinfo=None), date_format)
        sheet.write(row, 1, render.title(milestone, lang))
        sheet.write(row, 2, t(f"milestone.status_{milestone.status}", lang))
        sheet.write(row, 3, render.days_left(milestone, group, now) if milestone.is_open else "")
        sheet.write(row, 4, render.legal_basis(milestone.legal_basis, lang) if milestone.legal_basis else "")
        sheet.write(row, 5, milestone.indicator_code or "")
        sheet.write(row, 6, milestone.survey_template_code or "")
        sheet.write(row, 7, t(f"milestone.audience_{milestone.audience}", lang))
    sheet.set_column(0, 0, 12)
    sheet.set_column(1, 1, 60)
    sheet.set_column(2, 7, 16)
    sheet.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()
