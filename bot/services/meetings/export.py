"""Attendance and RSVP exports: CSV and XLSX, per meeting or per period (member × meeting).

One row per member, one column per meeting, each cell "came / answered" ("✓ geldi · evet",
"✗ gelmedi · yanıt yok", or only the answer where attendance was not taken), then the member's
totals. CSV is UTF-8 with a BOM (Excel opens Turkish letters right); XLSX is written by
`xlsxwriter` with a frozen header and the meeting dates as a second header row.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime


from bot.models import Group
from messages import format_day, t
from storage import meetings as meetings_repo
from storage.db import Database
from storage.meetings import ExportCell, Meeting

FORMATS = ("csv", "xlsx")
MIME = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass(frozen=True)
class Table:
    """The export as rows of text: `header` (meeting titles), `dates`, then one row per member."""

    header: list[str]
    dates: list[str]
    rows: list[list[str]]


async def build(db: Database, group: Group, meetings: list[Meeting], lang: str) -> Table:
    """member × meeting for `meetings` (all of `group`), in `lang`."""
    async with db.read() as conn:
        cells = await meetings_repo.export_cells(conn, [meeting.id for meeting in meetings])
    by_member: dict[int, tuple[str, dict[int, ExportCell]]] = {}
    for cell in cells:
        by_member.setdefault(cell.member_id, (cell.name, {}))[1][cell.meeting_id] = cell
    header = [t("meeting.export_member", lang), *(meeting.title for meeting in meetings),
              t("meeting.export_came_total", lang), t("meeting.export_answered_total", lang)]
    dates = ["", *(format_day(meeting.starts_at, lang, group.timezone) for meeting in meetings), "", ""]
    rows = []
    for name, own in sorted(by_member.values(), key=lambda item: item[0].casefold()):
        row = [name]
        for meeting in meetings:
            cell = own.get(meeting.id)
            row.append(_cell(cell, lang) if cell else "")
        taken = [own[m.id] for m in meetings if m.id in own and own[m.id].came is not None]
        row.append(f"{sum(1 for cell in taken if cell.came)}/{len(taken)}")
        row.append(f"{sum(1 for m in meetings if m.id in own and own[m.id].answer)}/{len(meetings)}")
        rows.append(row)
    return Table(header=header, dates=dates, rows=rows)


def _cell(cell: ExportCell, lang: str) -> str:
    answer = t(f"meeting.export_answer_{cell.answer or 'none'}", lang)
    if cell.came is None:
        return answer
    return t("meeting.export_came" if cell.came else "meeting.export_absent", lang) + " · " + answer


def _safe(cell: object) -> object:
    """A name such as `=cmd|...` must stay text in a spreadsheet (formula injection)."""
    return "'" + cell if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@") else cell


def to_csv(table: Table) -> bytes:
    """UTF-8 with BOM and `;` between cells, so Turkish Excel opens it in columns (its list
    separator is `;`, since `,` is the decimal mark). Cells that start like a formula are
    written with a leading apostrophe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([_safe(cell) for cell in table.header])
    writer.writerow([_safe(cell) for cell in table.dates])
    writer.writerows([[_safe(cell) for cell in row] for row in table.rows])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(table: Table, sheet_name: str) -> bytes:
    buffer = io.BytesIO()
    import xlsxwriter  # imported where used: start-up stays light (issue 24)
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet(sheet_name[:31])
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    sheet.write_row(0, 0, table.header, bold)
    sheet.write_row(1, 0, table.dates, bold)
    for index, row in enumerate(table.rows, start=2):
        sheet.write_row(index, 0, row)
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, len(table.header), 18)
    sheet.freeze_panes(2, 1)
    workbook.close()
    return buffer.getvalue()


def render(table: Table, kind: str, sheet_name: str) -> bytes:
    """The file's bytes; `kind` is "csv" or "xlsx" (ValueError otherwise)."""
    if kind == "csv":
        return to_csv(table)
    if kind == "xlsx":
        return to_xlsx(table, sheet_name)
    raise ValueError(kind)


def filename(group: Group, since: datetime, until: datetime | None, kind: str, lang: str) -> str:
    period = f"{since:%Y%m%d}" + (f"-{until:%Y%m%d}" if until else "")
    return f"{t('meeting.export_filename', lang)}-{group.id}-{period}.{kind}"
