"""`koordinat export lessons GROUP`: what the coordinators see in chat, as .xlsx (xlsxwriter).

Sheet 1, per lesson: title, sources, members who passed its quiz, started, took the quiz, the
quiz average (each taker's best score, percent; "fewer than 3 took the quiz" below
`MIN_QUIZ_TAKERS` takers, so no one's score can be read off it), the group's members
(coordinators are not counted). Sheet 2, per member: ✓ for each lesson she
passed — only whether she passed, never her answers or scores (issue 23, item 4).
"""

from __future__ import annotations

import io
from collections.abc import Sequence


from bot.models import Member
from bot.services.lessons.content import Lesson
from bot.services.lessons.render import plain
from bot.services.lessons.service import MIN_QUIZ_TAKERS, shown_average
from messages import t
from storage.lessons import LessonStats


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _plain(key: str, lang: str, **params: object) -> str:
    """A catalog text as plain text: no HTML tags, entities unescaped (`render.plain`)."""
    return plain(t(key, lang, **params))


def lessons_xlsx(lessons: Sequence[Lesson], stats: dict[str, LessonStats], passed: dict[int, set[str]],
                 members: Sequence[Member], lang: str) -> bytes:
    """The two sheets as .xlsx bytes; text is written as text (a name starting with `=` stays
    a name), counts and averages as numbers."""
    buffer = io.BytesIO()
    import xlsxwriter  # imported where used: start-up stays light (issue 24)

    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_numbers": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet(_plain("lessons.xlsx.sheet_lessons", lang)[:31])
    columns = ("lesson", "sources", "passed", "started", "takers", "average", "members")
    for column, name in enumerate(columns):
        sheet.write_string(0, column, _plain(f"lessons.xlsx.{name}", lang), bold)
    for row, lesson in enumerate(lessons, start=1):
        found = stats.get(lesson.slug)
        sheet.write_string(row, 0, lesson.title.get(lang))
        sheet.write_string(row, 1, "; ".join(source.get(lang) for source in lesson.sources))
        sheet.write_number(row, 2, found.passed if found else 0)
        sheet.write_number(row, 3, found.started if found else 0)
        sheet.write_number(row, 4, found.takers if found else 0)
        average = shown_average(found)
        if average is not None:
            sheet.write_number(row, 5, round(average, 1))
        elif found is not None and found.takers:  # one or two takers: the average would be a score
            sheet.write_string(row, 5, _plain("lessons.stats_few_takers", lang, minimum=MIN_QUIZ_TAKERS))
        sheet.write_number(row, 6, len(members))
    sheet.set_column(0, 1, 40)
    sheet.freeze_panes(1, 0)
    who = book.add_worksheet(_plain("lessons.xlsx.sheet_members", lang)[:31])
    who.write_string(0, 0, _plain("lessons.xlsx.member", lang), bold)
    for column, lesson in enumerate(lessons, start=1):
        who.write_string(0, column, lesson.short.get(lang), bold)
    for row, member in enumerate(members, start=1):
        who.write_string(row, 0, member.display_name)
        for column, lesson in enumerate(lessons, start=1):
            if lesson.slug in passed.get(member.id, set()):
                who.write_string(row, column, "✓")
    who.freeze_panes(1, 1)
    book.close()
    return buffer.getvalue()
