"""How a meeting reads in chat, in the reader's language and the group's time zone."""

from __future__ import annotations

from datetime import timedelta

from babel.dates import format_timedelta

from bot.models import Attachment, Button, Group, Reply
from messages import format_day, normalize_language, t
from storage.meetings import ANSWERS, Meeting

ANSWER_KEYS = {"yes": "rsvp.yes", "no": "rsvp.no", "maybe": "rsvp.maybe"}


def when(meeting: Meeting, group: Group, lang: str) -> str:
    return format_day(meeting.starts_at, lang, group.timezone)


def details(meeting: Meeting, group: Group, lang: str) -> str:
    """Title, weekday + date + time, place (a link stays tappable), agenda."""
    lines = [t("meeting.details", lang, title=meeting.title, group=group.name,
               when=when(meeting, group, lang), place=meeting.place)]
    if meeting.agenda:
        lines.append(t("meeting.agenda_line", lang, agenda=meeting.agenda))
    return "\n".join(lines)


def rsvp_buttons(meeting: Meeting, lang: str, chosen: str | None) -> list[list[Button]]:
    row = []
    for answer in ANSWERS:
        label = t(ANSWER_KEYS[answer], lang)
        row.append(Button(label=f"• {label} •" if answer == chosen else label,
                          choice=f"rsvp:{meeting.id}:{answer}"))
    return [row, [Button(label=t("meeting.calendar_button", lang), choice=f"ics:{meeting.id}")]]


def invitation(meeting: Meeting, group: Group, lang: str, *, chosen: str | None = None,
               heading: str = "meeting.announcement", edit_of: str | None = None) -> Reply:
    """The notice with RSVP buttons (and the member's answer, once given)."""
    parts = [t(heading, lang), details(meeting, group, lang)]
    if chosen:
        parts.append(t("rsvp.your_answer", lang, answer=t(ANSWER_KEYS[chosen], lang)))
    else:
        parts.append(t("rsvp.question", lang))
    return Reply(text="\n\n".join(parts), buttons=rsvp_buttons(meeting, lang, chosen), edit_of=edit_of)


def cancellation(meeting: Meeting, group: Group, lang: str) -> Reply:
    return Reply(text=t("meeting.cancelled_notice", lang, title=meeting.title, when=when(meeting, group, lang)),
                 buttons=[[Button(label=t("meeting.calendar_remove_button", lang), choice=f"ics:{meeting.id}")]])


def reminder(meeting: Meeting, group: Group, lang: str, minutes: int) -> Reply:
    """Says what is due and when; nothing else (phones are shared)."""
    return Reply(text=t("meeting.reminder", lang, title=meeting.title, when=when(meeting, group, lang),
                        place=meeting.place, lead=lead_time(minutes, lang)))


def lead_time(minutes: int, lang: str) -> str:
    """`1 gün`, `1 saat`, `30 dakika` / `1 day`, `2 hours` (Babel knows the plurals)."""
    return format_timedelta(timedelta(minutes=minutes), threshold=1.0, locale=normalize_language(lang))


def tally_line(answers: dict[int, str], group_size: int, lang: str) -> str:
    counts = {answer: sum(1 for given in answers.values() if given == answer) for answer in ANSWERS}
    return t("meeting.tally", lang, yes=counts["yes"], no=counts["no"], maybe=counts["maybe"],
             waiting=max(0, group_size - len(answers)))


def calendar_file(meeting: Meeting, content: bytes, lang: str) -> Reply:
    caption = "meeting.calendar_cancel_caption" if meeting.cancelled else "meeting.calendar_caption"
    return Reply(text=t(caption, lang, title=meeting.title),
                 attachment=Attachment(kind="document", filename=f"toplanti-{meeting.id}.ics",
                                       content=content, mime_type="text/calendar"))
