"""How a milestone reads in chat: its date in the group's zone, the days left (computed when
the text is made, never stored), the weekend/holiday warning and its legal basis."""

from __future__ import annotations

import html
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.lazy_babel import format_date

from bot.daycount import days_until
from bot.models import Group
from bot.services.milestones.template import entry_of
from bot.services.milestones.workdays import holiday_name, is_working_day
from messages import format_day, normalize_language, t
from storage.milestones import Milestone


# Template entries that mark a day to observe rather than something to deliver.
OBSERVANCES = frozenset({"womens-day", "violence-against-women-day"})


def template_entry(milestone: Milestone) -> str | None:
    """The plan-cycle entry a milestone was loaded from (`womens-day` for the stored
    `womens-day@2027`), or None for one typed by a coordinator."""
    if not milestone.template_code:
        return None
    return milestone.template_code.partition("@")[0]


def is_observance(milestone: Milestone) -> bool:
    """A dated observance (8 March, 25 November): reminded, never "done", never overdue."""
    return template_entry(milestone) in OBSERVANCES


def local_due(milestone: Milestone, group: Group) -> datetime:
    return milestone.due_at.astimezone(ZoneInfo(group.timezone))


def days_left(milestone: Milestone, group: Group, now: datetime) -> int:
    """Calendar days from today (in the group's zone) to the due date; negative when overdue
    (`bot.daycount.days_until`, the one count every text and window uses)."""
    return days_until(milestone.due_at, now, group.timezone)


def left_text(days: int, lang: str) -> str:
    """`bugün`, `yarın`, `12 gün kaldı`, `3 gün gecikti`."""
    if days == 0:
        return t("milestone.today", lang)
    if days == 1:
        return t("milestone.tomorrow", lang)
    if days > 1:
        return t("milestone.days_left", lang, days=days)
    if days == -1:
        return t("milestone.one_day_overdue", lang)
    return t("milestone.days_overdue", lang, days=-days)


def when(milestone: Milestone, group: Group, lang: str) -> str:
    """`Salı, 01.09.2026` or, with a time, `Salı, 01.09.2026 14:00`."""
    if milestone.has_time:
        return format_day(milestone.due_at, lang, group.timezone)
    return day_text(local_due(milestone, group).date(), lang)


def day_text(day: date, lang: str) -> str:
    language = normalize_language(lang)
    return format_date(day, t("milestone.format_day", language), locale=language)


def nonworking_warning(milestone: Milestone, group: Group, lang: str) -> str | None:
    """⚠️ when the due date is a weekend day or a Turkish public holiday."""
    day = local_due(milestone, group).date()
    if is_working_day(day):
        return None
    holiday = holiday_name(day, normalize_language(lang))
    if holiday is not None:
        return t("milestone.on_holiday", lang, holiday=holiday)
    return t("milestone.on_weekend", lang)


def basis_text(milestone: Milestone, lang: str) -> str | None:
    """`⚖️ Dayanak: 5393 sayılı Kanun md. 56` / `⚖️ Basis: Law 5393 art. 56`, or None."""
    if not milestone.legal_basis:
        return None
    if milestone.legal_basis == "practice":
        return t("milestone.basis_practice", lang)
    return t("milestone.basis_law", lang, basis=legal_basis(milestone.legal_basis, lang))


# The stored, language-neutral form of a legal basis: "Law 5393 art. 56; Law 5018 art. 9".
_LAW_REFERENCE = re.compile(r"Law (\d+)(?: art\. (\d+))?")


def legal_basis(basis: str, lang: str) -> str:
    """A stored legal basis in the reader's language, each law through the catalog:
    `Law 5393 art. 56` → `5393 sayılı Kanun md. 56` (tr) / `Law 5393 art. 56` (en);
    `practice` → `uygulama` / `practice`; anything else as stored."""
    if basis == "practice":
        return t("milestone.basis_practice_short", lang)
    references = _LAW_REFERENCE.findall(basis)
    if not references:
        return basis
    return "; ".join(t("milestone.law_article" if article else "milestone.law", lang, law=law, article=article)
                     for law, article in references)


def title(milestone: Milestone, lang: str) -> str:
    """The milestone's title in the reader's language: a plan-cycle milestone whose title is
    still the template's (in either language) reads in `lang`; a title a coordinator typed or
    changed stays as she wrote it."""
    entry = entry_of(milestone.template_code)
    if entry is None or milestone.title not in (entry.title.tr, entry.title.en):
        return milestone.title
    return entry.title.get(normalize_language(lang))


def notes(milestone: Milestone, lang: str) -> str | None:
    """The template's note in the reader's language when the stored one is the template's."""
    entry = entry_of(milestone.template_code)
    if entry is None or entry.note is None or milestone.notes not in (entry.note.tr, entry.note.en):
        return milestone.notes
    return entry.note.get(normalize_language(lang))


def line(milestone: Milestone, group: Group, lang: str, now: datetime, number: int | None = None) -> str:
    """One line of a list: `3. <b>Title</b> — Salı, 01.09.2026 · 12 gün kaldı ⚠️`."""
    text = t("milestone.line", lang, title=title(milestone, lang), when=when(milestone, group, lang),
             left=left_text(days_left(milestone, group, now), lang))
    if number is not None:
        text = f"{number}. {text}"
    if nonworking_warning(milestone, group, lang):
        text += " ⚠️"
    return text


def details(milestone: Milestone, group: Group, lang: str, now: datetime) -> str:
    """The card: title, group, date, days left, warning, basis, link."""
    lines = [t("milestone.card", lang, title=title(milestone, lang), group=group.name,
               when=when(milestone, group, lang), left=left_text(days_left(milestone, group, now), lang))]
    for extra in (nonworking_warning(milestone, group, lang), basis_text(milestone, lang)):
        if extra:
            lines.append(extra)
    note = notes(milestone, lang)
    if note:
        lines.append(f"<i>{_escape(note)}</i>")
    if milestone.indicator_code or milestone.survey_template_code:
        lines.append(t("milestone.linked", lang, link=" · ".join(
            code for code in (milestone.indicator_code, milestone.survey_template_code) if code)))
    if milestone.status == "done":
        lines.append(t("milestone.is_done", lang))
    return "\n".join(lines)


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def offsets_text(offsets: list[int] | tuple[int, ...], lang: str) -> str:
    """Reminder offsets in words: `14, 7, 1 gün önce ve o gün` / `14, 7, 1 days before and
    on the day`; `o gün` / `on the day` alone for [0]."""
    before = sorted({days for days in offsets if days > 0}, reverse=True)
    parts = [t("milestone.offsets_before", lang, days=", ".join(map(str, before)))] if before else []
    if 0 in offsets:
        parts.append(t("milestone.offsets_same_day", lang))
    return t("milestone.offsets_and", lang).join(parts) if parts else "—"

