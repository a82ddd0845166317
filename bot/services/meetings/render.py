"""How a meeting reads in chat, in the reader's language and the group's time zone."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.lazy_babel import format_datetime, format_timedelta

from bot.models import Attachment, Button, Group, Reply
from messages import Markup, format_day, normalize_language, t
from bot.services.meetings.recurrence import describe
from storage.meetings import ANSWERS, Meeting, Series

ANSWER_KEYS = {"yes": "rsvp.yes", "no": "rsvp.no", "maybe": "rsvp.maybe"}
# The group's optional questions at RSVP (groups.settings["rsvp_needs"]), in display order.
NEEDS = ("childcare", "transport", "access")
NEEDS_SETTING = "rsvp_needs"
NEED_ICONS = {"childcare": "👶", "transport": "🚌", "access": "♿"}


def enabled_needs(group: Group) -> list[str]:
    configured = group.settings.get(NEEDS_SETTING)
    return [need for need in NEEDS if isinstance(configured, list) and need in configured]


def need_buttons(meeting: Meeting, group: Group, lang: str, chosen: tuple[str, ...]) -> list[list[Button]]:
    """☐ / ☑ per question the group asks, for a member who said yes or maybe."""
    return [[Button(label=("☑ " if need in chosen else "☐ ") + t(f"rsvp.need_{need}", lang),
                    choice=f"need:{meeting.id}:{need}")] for need in enabled_needs(group)]


def needs_line(counts: dict[str, int], group: Group, lang: str) -> str | None:
    """`🧩 Destek: 👶 2 · 🚌 1 · ♿ 0` for the coordinators, when the group asks."""
    needs = enabled_needs(group)
    if not needs:
        return None
    return t("meeting.needs_line", lang, counts=" · ".join(f"{NEED_ICONS[need]} {counts.get(need, 0)}" for need in needs))


def when(meeting: Meeting, group: Group, lang: str) -> str:
    """`Perşembe, 03.12.2026 14:00` / `Thursday, 3 December 2026, 14:00` in the group's zone."""
    return format_day(meeting.starts_at, lang, group.timezone)


def short(moment: datetime, group: Group, lang: str) -> str:
    """`Pzt 07.12 14:00` / `Mon 7 Dec 14:00` in the group's zone."""
    zone = ZoneInfo(group.timezone)
    language = normalize_language(lang)
    return format_datetime(moment.astimezone(zone), t("meeting.short_format", language), locale=language, tzinfo=zone)


def time_change(old: datetime, new: datetime, group: Group, lang: str) -> Markup:
    """"Tarih değişti: Pzt 07.12 14:00 → Sal 08.12 15:00", or "Saat değişti: 14:00 → 15:00"
    when only the time of the same day moved (in the group's zone)."""
    zone = ZoneInfo(group.timezone)
    if old.astimezone(zone).date() == new.astimezone(zone).date():
        return Markup(t("meeting.change_time", lang, day=short(old, group, lang).rsplit(" ", 1)[0],
                 old=old.astimezone(zone).strftime("%H:%M"), new=new.astimezone(zone).strftime("%H:%M")))
    return Markup(t("meeting.change_date", lang, old=short(old, group, lang), new=short(new, group, lang)))


def series_line(series: Series, lang: str) -> Markup:
    """`🔁 Bundan sonra: her ayın ilk Cuma günü 15:00` — a series' pattern after it moved."""
    return Markup(t("meeting.series_line", lang, pattern=describe(
        series.frequency, series.weekday, series.nth, series.local_time, lang)))


def details(meeting: Meeting, group: Group, lang: str) -> str:
    """Title, weekday + date + time, place (a link stays tappable), agenda."""
    lines = [t("meeting.details", lang, title=meeting.title, group=group.name,
               when=when(meeting, group, lang), place=meeting.place)]
    if meeting.agenda:
        lines.append(t("meeting.agenda_line", lang, agenda=meeting.agenda))
    return "\n".join(lines)


def rsvp_buttons(meeting: Meeting, lang: str, chosen: str | None) -> list[list[Button]]:
    """✅ / ❌ / 🤔 (the chosen one marked) and the calendar file one tap away."""
    row = []
    for answer in ANSWERS:
        label = t(ANSWER_KEYS[answer], lang)
        row.append(Button(label=f"• {label} •" if answer == chosen else label,
                          choice=f"rsvp:{meeting.id}:{answer}"))
    return [row, [Button(label=t("meeting.calendar_button", lang), choice=f"ics:{meeting.id}")]]


def invitation(meeting: Meeting, group: Group, lang: str, *, chosen: str | None = None,
               heading: str = "meeting.announcement", edit_of: str | None = None,
               change: str | None = None, needs: tuple[str, ...] | None = None) -> Reply:
    """The notice with RSVP buttons (and the member's answer, once given); `change` is the
    line saying what changed (old → new) on a notice about a changed meeting."""
    parts = [t(heading, lang)] + ([change] if change else []) + [details(meeting, group, lang)]
    if chosen:
        parts.append(t("rsvp.your_answer", lang, answer=t(ANSWER_KEYS[chosen], lang)))
    else:
        parts.append(t("rsvp.question", lang))
    buttons = rsvp_buttons(meeting, lang, chosen)
    if needs is not None and chosen in ("yes", "maybe") and enabled_needs(group):
        parts.append(t("rsvp.needs_question", lang))
        buttons = [buttons[0], *need_buttons(meeting, group, lang, needs), *buttons[1:]]
    return Reply(text="\n\n".join(parts), buttons=buttons, edit_of=edit_of)


def amended(meeting: Meeting, group: Group, lang: str, change: str, *, chat: bool = False) -> Reply:
    """The notice that the title, place, agenda or duration changed: what changed, the meeting
    as it is now, "your answer stays", and the updated calendar file one tap away."""
    parts = [t("meeting.changed_heading", lang), change, details(meeting, group, lang)]
    if chat:
        return Reply(text="\n\n".join(parts))
    return Reply(text="\n\n".join([*parts, t("meeting.changed_answers_stay", lang)]),
                 buttons=[[Button(label=t("meeting.calendar_button", lang), choice=f"ics:{meeting.id}")]])


def group_chat_notice(meeting: Meeting, group: Group, heading: str, change: str | None = None) -> Reply:
    """For the linked group chat, in the group's language, without answer buttons: answers
    are personal and given in the private chat."""
    lang = group.language
    return Reply(text="\n\n".join([t(heading, lang), *([change] if change else []), details(meeting, group, lang),
                                   t("meeting.group_chat_hint", lang)]))


def cancellation(meeting: Meeting, group: Group, lang: str, edit_of: str | None = None) -> Reply:
    return Reply(text=t("meeting.cancelled_notice", lang, title=meeting.title, when=when(meeting, group, lang)),
                 buttons=[[Button(label=t("meeting.calendar_remove_button", lang), choice=f"ics:{meeting.id}")]],
                 edit_of=edit_of)


def reminder(meeting: Meeting, group: Group, lang: str, now: datetime, *, ask: bool = False) -> Reply:
    """Says what is due, when (from the real time left at `now`: "yarın 10:00'da", "45 dakika
    sonra") and where; nothing else (phones are shared). With `ask`, for those who have not
    answered yet, the RSVP buttons too."""
    text = t("meeting.reminder", lang, title=meeting.title, soon=soon(meeting.starts_at, now, group, lang),
             when=when(meeting, group, lang), place=meeting.place)
    if not ask:
        return Reply(text=text)
    return Reply(text=text + "\n\n" + t("rsvp.question", lang), buttons=rsvp_buttons(meeting, lang, None))


def soon(starts: datetime, now: datetime, group: Group, lang: str) -> str:
    """How far off the meeting is, said the way people say it, from `now`:
    `45 dakika sonra` / `in 45 minutes` (under an hour, to 5 minutes), `1 saat sonra`,
    `bugün 14:00'te` / `today at 14:00`, `yarın 10:00'da` / `tomorrow at 10:00`,
    `Perşembe 14:00'te` / `on Thursday at 14:00` (within a week), else the date."""
    zone = ZoneInfo(group.timezone)
    local, today = starts.astimezone(zone), now.astimezone(zone).date()
    left = starts - now
    language = normalize_language(lang)
    if left < timedelta(minutes=63):
        minutes = max(5, round(left.total_seconds() / 300) * 5)
        return t("meeting.soon_hour", language) if minutes >= 60 else t("meeting.soon_minutes", language,
                                                                         minutes=minutes)
    clock = local.strftime("%H:%M") + (turkish_locative(local.hour, local.minute) if language == "tr" else "")
    days = (local.date() - today).days
    if days == 0:
        return t("meeting.soon_today", language, clock=clock)
    if days == 1:
        return t("meeting.soon_tomorrow", language, clock=clock)
    if days < 7:
        weekday = format_datetime(local, "EEEE", locale=language, tzinfo=zone)
        return t("meeting.soon_weekday", language, weekday=weekday, clock=clock)
    return t("meeting.soon_date", language, date=format_datetime(local, "dd.MM.yyyy", locale=language, tzinfo=zone),
             clock=clock)


def lead_time(lead: timedelta, lang: str) -> str:
    """`1 gün`, `1 saat`, `30 dakika` / `1 day`, `2 hours` (Babel knows the plurals), for the
    reminder setting's choices."""
    minutes = max(5, round(lead.total_seconds() / 300) * 5)
    return format_timedelta(timedelta(minutes=minutes), threshold=1.0, locale=normalize_language(lang))


# The locative suffix after a clock time, by the last number word read aloud: 14:00 "on dört"
# → 'te, 10:00 "on" → 'da, 14:30 "otuz" → 'da, 09:45 "kırk beş" → 'te (vowel harmony and
# consonant assimilation of -DA; TDK Yazım Kılavuzu, "Sayıların yazılışı").
_UNITS_SUFFIX = {1: "de", 2: "de", 3: "te", 4: "te", 5: "te", 6: "da", 7: "de", 8: "de", 9: "da"}
_TENS_SUFFIX = {0: "da", 1: "da", 2: "de", 3: "da", 4: "ta", 5: "de"}


def turkish_locative(hour: int, minute: int) -> str:
    """`'te`, `'da`, `'de` or `'ta` for `HH:MM`: 14:00'te, 10:00'da, 20:00'de, 09:40'ta."""
    number = minute if minute else hour
    units, tens = number % 10, number // 10
    return "'" + (_UNITS_SUFFIX[units] if units else _TENS_SUFFIX[tens])


def tally_line(counts: dict[str | None, int], lang: str) -> str:
    return t("meeting.tally", lang, yes=counts.get("yes", 0), no=counts.get("no", 0),
             maybe=counts.get("maybe", 0), waiting=counts.get(None, 0))


def quorum_line(meeting: Meeting, yes: int, lang: str) -> str | None:
    if not meeting.quorum:
        return None
    key = "meeting.quorum_short" if yes < meeting.quorum else "meeting.quorum_line"
    return t(key, lang, quorum=meeting.quorum, yes=yes)


def calendar_file(meeting: Meeting, content: bytes, lang: str) -> Reply:
    caption = "meeting.calendar_cancel_caption" if meeting.cancelled else "meeting.calendar_caption"
    return Reply(text=t(caption, lang, title=meeting.title),
                 attachment=Attachment(kind="document", filename=calendar_filename(meeting, lang),
                                       content=content, mime_type="text/calendar"))


def calendar_filename(meeting: Meeting, lang: str) -> str:
    return f"{t('meeting.calendar_filename', lang)}-{meeting.id}.ics"
