"""The report as files: a Word document (python-docx) for the strategy department and the
council, and an XLSX (xlsxwriter) with the same tables as data. Both in one language.

Layout (the SBB guide's monitoring table, DOMAIN.md): a cover (group, city, period, date of
adoption or DRAFT), a one-page summary, one table per plan area (indicator, unit, baseline
with year, target, realised, achievement rate, status, reason, recommendation), one chart per
indicator, the evidence received (counted; file names never), and the co-planning annex.
Nothing names a member: reasons are the group's, evidence is counted.
"""

from __future__ import annotations

import html
import io
import re
from datetime import date, datetime, time
from typing import Any

from bot.services.monitoring import render
from bot.services.monitoring.chart import series_png
from bot.services.monitoring.figures import Row
from bot.services.monitoring.source import AREA_ORDER, ReportData
from messages import t as _t

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def t(key: str, lang: str, **params: object) -> str:
    """Catalog text as plain text (files have no HTML)."""
    return html.unescape(re.sub(r"<[^>]+>", "", _t(key, lang, **params)))


def filename(data: ReportData, extension: str) -> str:
    """`rapor-kars-2027-H1.docx` / `report-kars-2027-H1.xlsx` (ASCII, for every phone)."""
    city = re.sub(r"[^a-z0-9]+", "-", data.group.city.lower().translate(str.maketrans("çğıöşüâîû", "cgiosuaiu"))).strip("-")
    stem = "rapor" if data.group.language == "tr" else "report"
    return f"{stem}-{city or 'group'}-{data.period.code}.{extension}"


def by_area(data: ReportData) -> list[tuple[str, list[Row]]]:
    areas: dict[str, list[Row]] = {}
    for item in data.rows:
        area = data.info[item.code].area if item.code in data.info else "other"
        areas.setdefault(area, []).append(item)
    return [(area, areas[area]) for area in AREA_ORDER if area in areas]


def _no_symbols(text: str) -> str:
    """`⏳ Beklemede` → `Beklemede`: the chat's emoji have no glyph in office fonts."""
    return text[next((i for i, ch in enumerate(text) if ch.isalnum()), 0):]


def _reason(data: ReportData, code: str) -> tuple[str, str]:
    found = data.reasons.get(code)
    return (found.reason or "", found.recommendation or "") if found else ("", "")


def _columns(data: ReportData, lang: str) -> list[str]:
    return [t("monitoring.col_indicator", lang), t("monitoring.col_unit", lang), t("monitoring.col_baseline", lang),
            t("monitoring.col_target", lang, year=data.period.year), t("monitoring.col_actual", lang),
            t("monitoring.col_rate", lang), t("monitoring.col_status", lang), t("monitoring.col_reason", lang),
            t("monitoring.col_recommendation", lang)]


def _cells(data: ReportData, item: Row, lang: str) -> list[str]:
    reason, recommendation = _reason(data, item.code)
    return [render.indicator_name(data, item.code, lang), render.unit(data, item.code, lang),
            render.baseline(item, lang), render.value(item, item.target, lang),
            render.value(item, item.actual, lang), render.rate(item, lang), render.status(item, lang),
            reason, recommendation]


def _outcome(row: dict[str, object], lang: str) -> str:
    outcome = str(row.get("outcome") or "pending")
    text = _no_symbols(t(f"coplan.outcome_{outcome}", lang))
    reason = row.get("outcome_reason")
    return f"{text} ({reason})" if reason else text


def report_docx(data: ReportData, lang: str, today: date) -> bytes:
    """The report as .docx bytes. Blocking (charts): call from a worker thread."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE  # A4 (python-docx's template is US Letter)
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.8))
    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10)
    zone = data.group.timezone
    styles: dict[str, Any] = {}

    def style(name: str) -> Any:
        """The document's style by name, looked up once (python-docx searches every style)."""
        if name not in styles:
            styles[name] = document.styles[name]
        return styles[name]

    def heading(text: str, level: int) -> None:  # as Document.add_heading
        document.add_paragraph(text, style("Title" if level == 0 else f"Heading {level}"))

    # Cover
    heading(data.period.title(lang), 0)
    for line in (t("monitoring.cover_group", lang, group=data.group.name),
                 t("monitoring.cover_city", lang, city=data.group.city),
                 t("monitoring.cover_period", lang, period=data.period.label(lang)),
                 t("monitoring.cover_prepared", lang, day=render.day(today, lang, zone))):
        document.add_paragraph(line)
    if data.adopted_at:
        document.add_paragraph(t("monitoring.cover_adopted", lang, day=render.day(data.adopted_at, lang, zone)))
    else:
        document.add_paragraph().add_run(t("monitoring.cover_draft", lang)).bold = True
    # Summary
    heading(t("monitoring.summary_heading", lang), 1)
    for line in summary_lines(data, lang):
        document.add_paragraph(line, style=style("List Bullet"))
    document.add_paragraph(t("monitoring.thresholds_line", lang, on_track=render.number(data.thresholds.on_track, lang),
                             at_risk=render.number(data.thresholds.at_risk, lang)))
    # Tables per plan area
    heading(t("monitoring.section_tables", lang), 1)
    if not data.rows:
        document.add_paragraph(t("monitoring.no_indicators", lang))
    # Landscape A4 less margins is 26.1 cm: room for the reasons, the figures narrow.
    widths = [Cm(4.2), Cm(1.8), Cm(2.2), Cm(1.8), Cm(2.0), Cm(2.4), Cm(2.1), Cm(4.8), Cm(4.8)]
    for area, rows in by_area(data):
        heading(t(f"monitoring.area_{area}", lang), 2)
        table = document.add_table(rows=1, cols=len(widths))
        table.style = style("Table Grid")
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
        _fill(table.rows[0], _columns(data, lang), widths, bold=True)
        _repeat_header(table.rows[0])
        for item in rows:
            _fill(table.add_row(), _cells(data, item, lang), widths)
        notes = [item for item in rows if "target_equals_baseline" in item.notes]
        for item in notes:
            document.add_paragraph(f"{item.code}: {t('monitoring.note_equal', lang)}")
    # Charts
    charts = [(item, series_png(item, render.indicator_name(data, item.code, lang), lang, zone)) for item in data.rows]
    charts = [(item, png) for item, png in charts if png]
    if charts:
        heading(t("monitoring.section_charts", lang), 1)
        for _, png in charts:
            document.add_picture(io.BytesIO(png), width=Cm(16))
    # Evidence: counted per indicator, never named
    heading(t("monitoring.section_evidence", lang), 1)
    counted = [item for item in data.rows if item.evidence]
    if counted:
        for item in counted:
            document.add_paragraph(t("monitoring.evidence_line", lang, indicator=render.indicator_name(data, item.code, lang),
                                     count=item.evidence), style=style("List Bullet"))
    else:
        document.add_paragraph(t("monitoring.evidence_none", lang))
    # Co-planning annex
    heading(t("monitoring.section_annex", lang), 1)
    if data.proposals:
        table = document.add_table(rows=1, cols=3)
        table.style = style("Table Grid")
        for cell, key in zip(table.rows[0].cells, ("col_ref", "col_proposal", "col_decision"), strict=True):
            cell.text = t(f"monitoring.{key}", lang)
        for proposal in data.proposals:
            cells = table.add_row().cells
            cells[0].text = str(proposal.get("ref") or "")
            cells[1].text = str(proposal.get("title") or "")
            cells[2].text = _outcome(proposal, lang)
    else:
        document.add_paragraph(t("monitoring.annex_empty", lang))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _fill(row, texts: list[str], widths: list, *, bold: bool = False) -> None:  # type: ignore[no-untyped-def]
    """One table row: each cell's text (9 pt), its width, and a row that never splits
    across pages (a reason is read whole)."""
    from docx.oxml import OxmlElement
    from docx.shared import Pt

    for cell, text, width in zip(row.cells, texts, widths, strict=True):
        cell.width = width
        paragraph = cell.paragraphs[0]
        run = paragraph.add_run(text)
        run.font.size = Pt(8 if bold else 9)
        if bold:
            run.bold = True
    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))


def _repeat_header(row) -> None:  # type: ignore[no-untyped-def]
    """The header row repeats on every page the table runs over."""
    from docx.oxml import OxmlElement

    row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def summary_lines(data: ReportData, lang: str) -> list[str]:
    """The one-page summary's lines: statuses, rounds and response rates, milestones, proposals."""
    from bot.services.surveys.results import response_rate

    lines = [render.counts_line(data, lang)]
    if data.rounds:
        rounds = "; ".join(t("monitoring.summary_round", lang, title=view.title_in(lang),
                             day=render.day(view.closes_at, lang, data.group.timezone) if view.closes_at else "",
                             responded=response_rate(view).responded, invited=response_rate(view).invited)
                           for view in data.rounds)
        lines.append(t("monitoring.summary_rounds", lang, rounds=rounds))
    else:
        lines.append(t("monitoring.summary_no_rounds", lang))
    lines.append(t("monitoring.summary_milestones", lang, **data.milestones))
    decided = sum(1 for p in data.proposals if p.get("outcome") not in (None, "", "pending"))
    lines.append(t("monitoring.summary_proposals", lang, count=len(data.proposals), decided=decided))
    return lines


def report_xlsx(data: ReportData, lang: str) -> bytes:
    """The same tables as data: indicators (numbers as numbers), the series, the annex."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet = book.add_worksheet(t("monitoring.sheet_indicators", lang)[:31])
    header = [*_columns(data, lang)]
    header.insert(0, t("monitoring.col_period", lang))
    header.insert(4, t("monitoring.col_baseline_year", lang))
    sheet.write_row(0, 0, header, bold)
    for index, item in enumerate(data.rows, start=1):
        reason, recommendation = _reason(data, item.code)
        sheet.write(index, 0, data.period.code)
        sheet.write(index, 1, render.indicator_name(data, item.code, lang), wrap)
        sheet.write(index, 2, render.unit(data, item.code, lang))
        base = item.card.baseline if item.card else None
        base_year = item.card.baseline_year if item.card else None
        for column, figure in ((3, base), (4, base_year), (5, item.target), (6, item.actual), (7, item.rate)):
            if figure is None:
                sheet.write_blank(index, column, None)
            else:
                sheet.write_number(index, column, round(figure, 4))
        sheet.write(index, 8, render.status(item, lang))
        sheet.write(index, 9, reason, wrap)
        sheet.write(index, 10, recommendation, wrap)
    sheet.set_column(1, 1, 40)
    sheet.set_column(9, 10, 40)
    series = book.add_worksheet(t("monitoring.sheet_series", lang)[:31])
    day_format = book.add_format({"num_format": "dd.mm.yyyy" if lang == "tr" else "yyyy-mm-dd"})
    series.write_row(0, 0, [t("monitoring.col_indicator", lang), t("monitoring.col_round", lang),
                            t("monitoring.col_value", lang), t("monitoring.col_reports", lang)], bold)
    line = 1
    for item in data.rows:
        for point in item.series:
            series.write(line, 0, item.code)
            series.write_datetime(line, 1, datetime.combine(point.day, time()), day_format)
            if point.value is None:
                series.write_blank(line, 2, None)
            else:
                series.write_number(line, 2, point.value)
            series.write_number(line, 3, point.reports)
            line += 1
    annex = book.add_worksheet(t("monitoring.sheet_annex", lang)[:31])
    annex.write_row(0, 0, [t("monitoring.col_ref", lang), t("monitoring.col_proposal", lang),
                           t("monitoring.col_decision", lang)], bold)
    for index, proposal in enumerate(data.proposals, start=1):
        annex.write_row(index, 0, [str(proposal.get("ref") or ""), str(proposal.get("title") or ""),
                                   _outcome(proposal, lang)])
    book.close()
    return out.getvalue()


def comparison_xlsx(reports: list[ReportData], lang: str) -> bytes:
    """Several groups' reports of one period side by side: one row per indicator and city."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    sheet = book.add_worksheet(t("monitoring.sheet_compare", lang)[:31])
    sheet.write_row(0, 0, [t("monitoring.col_indicator", lang), t("monitoring.col_city", lang),
                           t("monitoring.col_period", lang), t("monitoring.col_baseline", lang),
                           t("monitoring.col_target", lang, year=reports[0].period.year if reports else ""),
                           t("monitoring.col_actual", lang), t("monitoring.col_rate", lang),
                           t("monitoring.col_status", lang)], bold)
    rows = sorted(((item.code, data.group.city, data, item) for data in reports for item in data.rows),
                  key=lambda entry: (entry[0], entry[1]))
    for index, (code, city, data, item) in enumerate(rows, start=1):
        sheet.write_row(index, 0, [render.indicator_name(data, code, lang), city, data.period.code,
                                   render.baseline(item, lang), render.value(item, item.target, lang),
                                   render.value(item, item.actual, lang), render.rate(item, lang),
                                   render.status(item, lang)])
    sheet.set_column(0, 0, 40)
    book.close()
    return out.getvalue()
