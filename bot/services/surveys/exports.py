"""Survey results as files: XLSX (xlsxwriter) and CSV for Turkish Excel.

XLSX: a responses sheet (one row per response, one column per question; numbers as numeric
cells, dates as date cells, multiple choice as one 0/1 column per option), a summary sheet and
a plan-versus-actual sheet; labels in the group's language. CSV: the responses sheet only,
UTF-8 with BOM and `;` as separator (what Excel with Turkish regional settings opens in columns),
decimal comma in Turkish.

Safe to open (OWASP "CSV injection"): text is always written with `write_string` (never a
formula, even when it starts with `=`, `+`, `-` or `@`); in CSV such text is prefixed with `'`.
Sheet names are valid (≤ 31 characters, none of `[]:*?/\\`) and unique, whatever the titles.
Times are written in the group's local time, without a zone (Excel has none). Anonymous
surveys: no name, no id, only the day of submission, evidence as "yes" without file names,
rows in an order that says nothing about who answered first.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo


from bot.services.surveys.results import (
    NUMERIC_TYPES,
    Evidence,
    QuestionView,
    SurveyResults,
    SurveyView,
    summarize,
)
from bot.services.surveys.results_text import number, state
from bot.services.surveys.series import IndicatorSeries
from bot.text import fold
from messages import t

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"
SHEET_NAME_LIMIT = 31
MAX_CELL_TEXT = 32_767
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | date | datetime | None


# -- the table shared by XLSX and CSV -----------------------------------------------------
def response_columns(survey: SurveyView, lang: str) -> list[str]:
    """Headers of the responses table: who/when (and how it was sent, when any response was
    sent at the closing or left partial), then one column per question (one per option for
    multiple choice, plus a comment column where anyone commented)."""
    headers = [] if survey.anonymous else [t("survey_results.col_respondent", lang)]
    headers.append(t("survey_results.col_day" if survey.anonymous else "survey_results.col_submitted", lang))
    if _has_unsent(survey):
        headers.append(t("survey_results.col_sending", lang))
    for question in survey.answerable:
        if question.type == "select_multiple":
            headers += [f"{question.label(lang)}: {choice.label(lang)}" for choice in question.choices]
        else:
            headers.append(question.label(lang))
        if _has_comments(survey, question):
            headers.append(t("survey_results.col_comment", lang, question=question.label(lang)))
    return headers


def response_rows(survey: SurveyView, lang: str) -> list[list[Cell]]:
    """One row per finished response, typed cells (see module docstring)."""
    zone = ZoneInfo(survey.timezone)
    commented = {question.name for question in survey.answerable if _has_comments(survey, question)}
    yes_no = (t("survey_results.yes", lang), t("survey_results.no", lang))
    sending = _has_unsent(survey)
    rows = []
    for response in survey.responses:
        row: list[Cell] = []
        local = response.submitted_at.astimezone(zone).replace(tzinfo=None) if response.submitted_at else None
        if survey.anonymous:
            row.append(local.date() if local else None)
        else:
            row += [response.respondent_name or "", local]
        if sending:
            row.append(t(f"survey_results.sending_{response.sending}", lang))
        for question in survey.answerable:
            value = response.answers.get(question.name)
            row += _cells(question, value, lang, survey.anonymous, yes_no)
            if question.name in commented:
                row.append(response.comments.get(question.name))
        rows.append(row)
    if survey.anonymous:  # an order that tells nothing (not arrival): by day, then content
        rows.sort(key=lambda row: tuple((type(cell).__name__, str(cell)) for cell in row))
    return rows


def _cells(question: QuestionView, value: object, lang: str, anonymous: bool,
           yes_no: tuple[str, str]) -> list[Cell]:
    if question.type == "select_multiple":
        picked = set(value) if isinstance(value, list | tuple | set) else set()
        if value is None:
            return [None] * len(question.choices)
        return [1 if choice.name in picked else 0 for choice in question.choices]
    if value is None:
        return [None]
    if question.type in NUMERIC_TYPES:
        return [value if isinstance(value, int | float) and not isinstance(value, bool) else str(value)]
    if question.type == "yes_no":
        return [yes_no[0] if value else yes_no[1]]
    if question.type == "select_one":
        return [question.choice_label(str(value), lang)]
    if question.type == "date":
        return [value if isinstance(value, date) else str(value)]
    if question.type == "evidence":
        if anonymous or not isinstance(value, Evidence):
            return [t("survey_results.evidence_attached", lang)]
        return [value.filename or value.file_id]
    return [str(value)]


def _has_unsent(survey: SurveyView) -> bool:
    """Whether any response was sent at the closing or left partial (then a "Gönderim"
    column says, per row: kendisi / otomatik / tamamlanmamış)."""
    return any(response.sending != "member" for response in survey.responses)


def _has_comments(survey: SurveyView, question: QuestionView) -> bool:
    return any(response.comments.get(question.name) for response in survey.responses)


# -- sheet names --------------------------------------------------------------------------
def sheet_name(title: str, taken: Iterable[str] = (), fallback: str = "Sheet") -> str:
    """A valid Excel sheet name for `title`, unique (case-insensitively, as Excel compares)
    among `taken`: forbidden characters replaced, at most 31 characters, no leading or
    trailing apostrophe, "History" avoided (reserved), " (2)", " (3)"... on a clash."""
    name = _SHEET_FORBIDDEN.sub("_", title).strip().strip("'").strip() or fallback
    if name.casefold() == "history":
        name = f"{name}_"
    used = {existing.casefold() for existing in taken}
    candidate = name[:SHEET_NAME_LIMIT].rstrip().strip("'") or fallback
    number = 2
    while candidate.casefold() in used:
        suffix = f" ({number})"
        candidate = name[:SHEET_NAME_LIMIT - len(suffix)].rstrip().strip("'") + suffix
        number += 1
    return candidate


# -- XLSX -----------------------------------------------------------------------------------
class _Book:
    """An xlsxwriter workbook with the formats every sheet uses and unique sheet names."""

    def __init__(self, buffer: io.BytesIO) -> None:
        # Never turn strings into formulas, URLs or numbers behind our back.
        import xlsxwriter  # imported where used: start-up stays light (issue 24)
        self.workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                                     "strings_to_urls": False, "strings_to_numbers": False})
        self.bold = self.workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        self.date = self.workbook.add_format({"num_format": "dd.mm.yyyy"})
        self.datetime = self.workbook.add_format({"num_format": "dd.mm.yyyy hh:mm"})
        self.number = self.workbook.add_format({"num_format": "0.##"})
        self.percent = self.workbook.add_format({"num_format": "0.0"})
        self.names: list[str] = []

    def sheet(self, title: str):  # type: ignore[no-untyped-def]
        name = sheet_name(title, self.names)
        self.names.append(name)
        return self.workbook.add_worksheet(name)

    def write_row(self, sheet, row: int, cells: Sequence[Cell], header: bool = False) -> None:  # type: ignore[no-untyped-def]
        for column, cell in enumerate(cells):
            self.write(sheet, row, column, cell, header)

    def write(self, sheet, row: int, column: int, cell: Cell, header: bool = False) -> None:  # type: ignore[no-untyped-def]
        if cell is None:
            return
        if isinstance(cell, bool):
            sheet.write_boolean(row, column, cell)
        elif isinstance(cell, int | float):
            sheet.write_number(row, column, cell)
        elif isinstance(cell, datetime):
            sheet.write_datetime(row, column, cell.replace(tzinfo=None), self.datetime)
        elif isinstance(cell, date):
            sheet.write_datetime(row, column, cell, self.date)
        else:  # never a formula; Excel's cell limit is 32,767 characters
            sheet.write_string(row, column, str(cell)[:MAX_CELL_TEXT], self.bold if header else None)

    def close(self) -> None:
        self.workbook.close()


def survey_xlsx(survey: SurveyView, *, lang: str | None = None, results: SurveyResults | None = None,
                series: list[IndicatorSeries] | None = None) -> bytes:
    """The XLSX file for one survey: responses, summary and plan-versus-actual sheets, labels
    in `lang` (default: the group's). An anonymous survey below the minimum number of
    responses gets only the summary sheet saying so."""
    language = lang or survey.language
    results = results or summarize(survey, lang=language)
    buffer = io.BytesIO()
    book = _Book(buffer)
    if not results.withheld:
        _responses_sheet(book, survey, language, survey.title_in(language))
    _summary_sheet(book, results, language)
    _plan_sheet(book, [results], language)
    if series:
        _series_sheet(book, series, language, survey.timezone)
    book.close()
    return buffer.getvalue()


def _series_sheet(book: _Book, series: list[IndicatorSeries], lang: str, zone: str) -> None:
    """One block per indicator: a row per round (deadline date, value, reports, that round's
    target, baseline, achievement), and a line chart of value, target and baseline."""
    sheet = book.sheet(t("survey_results.sheet_series", lang))
    headers = [t("survey_results.col_indicator", lang), t("survey_results.col_indicator_name", lang),
               t("survey_results.col_round", lang), t("survey_results.col_survey", lang),
               t("survey_results.col_actual", lang), t("survey_results.col_reports", lang),
               t("survey_results.col_target", lang), t("survey_results.col_target_year", lang),
               t("survey_results.col_baseline", lang), t("survey_results.col_baseline_year", lang),
               t("survey_results.col_achievement", lang)]
    book.write_row(sheet, 0, headers, header=True)
    sheet.set_column(0, len(headers) - 1, 14)
    sheet.set_column(1, 1, 36)
    row = 0
    for line in series:
        first = row + 1
        name = line.name.get(lang) or next(iter(line.name.values()), line.indicator)
        for point in line.points:
            row += 1
            when = point.closes_at.astimezone(ZoneInfo(zone)).date() if point.closes_at else None
            value: Cell = point.actual
            if line.yes_no and point.actual is not None:
                value = state(point.actual, lang)
            book.write_row(sheet, row, [
                line.indicator, name, when, point.survey_id, value, point.reports,
                state(point.target, lang) if line.yes_no and point.target is not None else point.target,
                point.target_year,
                state(line.baseline, lang) if line.yes_no and line.baseline is not None else line.baseline,
                line.baseline_year, round(point.percent, 1) if point.percent is not None else None])
        if not line.yes_no and len(line.points) >= 2:
            chart = book.workbook.add_chart({"type": "line"})
            title = sheet.get_name()
            for column, key in ((4, "chart_series_actual"), (6, "chart_series_target"), (8, "chart_series_baseline")):
                chart.add_series({"name": t(f"survey_results.{key}", lang),
                                  "categories": [title, first, 2, row, 2], "values": [title, first, column, row, column],
                                  "marker": {"type": "circle"}})
            chart.set_title({"name": f"{line.indicator} {name}"[:80]})
            chart.set_size({"width": 520, "height": 260})
            sheet.insert_chart(first, len(headers) + 1, chart)
            row = max(row, first + 13)  # the chart is about 13 rows high
        row += 1  # a blank row between indicators


def template_xlsx(surveys: list[SurveyView], *, lang: str) -> bytes:
    """Cross-city: the same template's results side by side, one summary column block and one
    plan-versus-actual block per group, then each group's own summary sheet."""
    buffer = io.BytesIO()
    book = _Book(buffer)
    all_results = [summarize(survey, lang=lang) for survey in surveys]
    _comparison_sheet(book, all_results, lang)
    _plan_sheet(book, all_results, lang, by_group=True)
    for results in all_results:
        _summary_sheet(book, results, lang, title=f"{results.survey.group_name} #{results.survey.id}")
    book.close()
    return buffer.getvalue()


def _responses_sheet(book: _Book, survey: SurveyView, lang: str, title: str) -> None:
    sheet = book.sheet(title or t("survey_results.sheet_responses", lang))
    headers = response_columns(survey, lang)
    book.write_row(sheet, 0, headers, header=True)
    for index, row in enumerate(response_rows(survey, lang), start=1):
        book.write_row(sheet, index, row)
    sheet.freeze_panes(1, 0)
    sheet.set_column(0, max(len(headers) - 1, 0), 18)


def _summary_sheet(book: _Book, results: SurveyResults, lang: str, title: str | None = None) -> None:
    """The summary as separate, labelled tables, each with its own header row (so no value
    sits under another table's heading): every question with its count and number
    statistics; options with their count and share; written answers; date ranges; files."""
    survey = results.survey
    sheet = book.sheet(title or t("survey_results.sheet_summary", lang))
    sheet.set_column(0, 0, 40)
    sheet.set_column(1, 1, 24)
    sheet.set_column(2, 7, 12)
    book.write_row(sheet, 0, [survey.title], header=True)
    book.write_row(sheet, 1, [t("survey_results.col_group", lang), survey.group_name])
    book.write_row(sheet, 2, [t("survey_results.col_responses", lang), results.rate.responded,
                              t("survey_results.col_invited", lang), results.rate.invited])
    row = 3
    if results.rate.partial:
        book.write_row(sheet, row, [t("survey_results.col_partial", lang), results.rate.partial])
        row += 1
    if results.withheld:
        book.write_row(sheet, row + 1, [t("survey_results.withheld_plain", lang, minimum=results.minimum)])
        return
    question = t("survey_results.col_question", lang)
    tables: list[tuple[str, list[str], list[list[Cell]]]] = [
        ("table_numbers", [question, t("survey_results.col_count", lang), t("survey_results.col_mean", lang),
                           t("survey_results.col_median", lang), t("survey_results.col_min", lang),
                           t("survey_results.col_max", lang)], []),
        ("table_choices", [question, t("survey_results.col_option", lang), t("survey_results.col_count", lang),
                           t("survey_results.col_share", lang)], []),
        ("table_texts", [question, t("survey_results.col_answer", lang)], []),
        ("table_dates", [question, t("survey_results.col_first", lang), t("survey_results.col_last", lang)], []),
        ("table_files", [question, t("survey_results.col_files", lang)], []),
    ]
    for summary in results.summaries:
        label = summary.question.label(lang)
        stats = summary.numbers
        tables[0][2].append([label, summary.count] + (
            [stats.mean, stats.median, stats.minimum, stats.maximum] if stats else []))
        for share in summary.shares:
            option = t(f"survey_results.{share.name}", lang) if summary.question.type == "yes_no" else share.label
            tables[1][2].append([label, option, share.count, round(share.percent, 1)])
        tables[2][2].extend([label, text] for text in summary.texts)
        if summary.dates:
            tables[3][2].append([label, summary.dates[0], summary.dates[1]])
        if summary.evidence:
            tables[4][2].append([label, summary.evidence])
    for key, headers, rows in tables:
        if not rows:
            continue
        row += 1
        book.write_row(sheet, row, [t(f"survey_results.{key}", lang)], header=True)
        row += 1
        book.write_row(sheet, row, headers, header=True)
        for cells in rows:
            row += 1
            book.write_row(sheet, row, cells)
        row += 1


def _plan_sheet(book: _Book, all_results: list[SurveyResults], lang: str, *, by_group: bool = False) -> None:
    sheet = book.sheet(t("survey_results.sheet_plan", lang))
    headers = ([t("survey_results.col_group", lang)] if by_group else []) + [
        t("survey_results.col_indicator", lang), t("survey_results.col_indicator_name", lang),
        t("survey_results.col_baseline", lang), t("survey_results.col_baseline_year", lang),
        t("survey_results.col_target", lang), t("survey_results.col_target_year", lang),
        t("survey_results.col_actual", lang), t("survey_results.col_reports", lang),
        t("survey_results.col_achievement", lang), t("survey_results.col_note", lang),
        t("survey_results.col_yes_share", lang)]
    book.write_row(sheet, 0, headers, header=True)
    sheet.set_column(0, len(headers) - 1, 14)
    sheet.set_column(1 if by_group else 1, 1 if by_group else 1, 40)
    row = 0
    for results in all_results:
        for item in results.achievements:
            row += 1
            name = item.card.name.get(lang) or item.question.label(lang)
            if item.yes_no:  # states as Evet / Hayır, the majority's achievement, the yes share
                share = number(item.yes_share or 0.0, lang, 0)
                notes = [t("survey_results.note_yes_no_tie" if item.actual is None else "survey_results.note_yes_no",
                           lang, share=share)]
                if item.target_equals_baseline:
                    notes.append(t("survey_results.note_yes_no_kept", lang))
                baseline: Cell = state(item.card.baseline, lang)
                target: Cell = state(item.card.target, lang)
                actual: Cell = None if item.actual is None else state(item.actual, lang)
                yes_share: Cell = round(item.yes_share or 0.0, 1)
            else:
                notes = [t("survey_results.note_target_equals_baseline", lang)] if item.target_equals_baseline else []
                baseline, target, actual, yes_share = item.card.baseline, item.card.target, item.actual, None
            cells: list[Cell] = ([results.survey.group_name] if by_group else []) + [
                item.card.indicator, name, baseline, item.card.baseline_year, target,
                item.card.target_year, actual, item.reports,
                round(item.percent, 1) if item.percent is not None else None, " ".join(notes), yes_share]
            book.write_row(sheet, row, cells)
    if row == 0:
        withheld = all_results and all(results.withheld for results in all_results)
        note = t("survey_results.withheld_plain", lang, minimum=all_results[0].minimum) if withheld \
            else t("survey_results.no_targets", lang)
        book.write_row(sheet, 1, [note])


def _comparison_sheet(book: _Book, all_results: list[SurveyResults], lang: str) -> None:
    """Rows: questions (and options); columns: per group the count and mean or share."""
    sheet = book.sheet(t("survey_results.sheet_comparison", lang))
    sheet.set_column(0, 0, 40)
    header: list[Cell] = [t("survey_results.col_question", lang)]
    for results in all_results:
        header += [f"{results.survey.group_name} ({results.survey.city})".replace(" ()", ""),
                   t("survey_results.col_count", lang)]
    book.write_row(sheet, 0, header, header=True)
    book.write_row(sheet, 1, [t("survey_results.col_responses", lang)]
                   + [cell for r in all_results for cell in (r.rate.responded, r.rate.invited)])
    lines: dict[str, dict[int, tuple[Cell, Cell]]] = {}
    order: list[str] = []
    for index, results in enumerate(all_results):
        if results.withheld:
            continue
        for summary in results.summaries:
            label = summary.question.label(lang)
            if summary.numbers:
                _line(lines, order, label, index, (summary.numbers.mean, summary.count))
            for share in summary.shares:
                option = t(f"survey_results.{share.name}", lang) if summary.question.type == "yes_no" else share.label
                _line(lines, order, f"{label}: {option} (%)", index, (round(share.percent, 1), share.count))
    for row, label in enumerate(order, start=2):
        book.write(sheet, row, 0, label)
        for index, (value, count) in lines[label].items():
            book.write(sheet, row, 1 + 2 * index, value)
            book.write(sheet, row, 2 + 2 * index, count)


def _line(lines: dict[str, dict[int, tuple[Cell, Cell]]], order: list[str], label: str, index: int,
          cells: tuple[Cell, Cell]) -> None:
    if label not in lines:
        lines[label] = {}
        order.append(label)
    lines[label][index] = cells


# -- CSV --------------------------------------------------------------------------------------
def survey_csv(survey: SurveyView, *, lang: str | None = None, minimum_responses: int | None = None) -> bytes:
    """The responses table as CSV: UTF-8 with BOM, `;`-separated, CRLF line ends, decimal
    comma and `dd.mm.yyyy` dates in Turkish. Anonymous below the minimum: headers only."""
    language = lang or survey.language
    results = summarize(survey, lang=language) if minimum_responses is None else \
        summarize(survey, lang=language, minimum_responses=minimum_responses)
    text = io.StringIO()
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([csv_text(header) for header in response_columns(survey, language)])
    if not results.withheld:
        for row in response_rows(survey, language):
            writer.writerow([_csv_cell(cell, language) for cell in row])
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def csv_text(value: str) -> str:
    """Text that a spreadsheet must not read as a formula gets a leading `'` (OWASP)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _csv_cell(cell: Cell, lang: str) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.strftime("%d.%m.%Y %H:%M" if lang == "tr" else "%Y-%m-%d %H:%M")
    if isinstance(cell, date):
        return cell.strftime("%d.%m.%Y" if lang == "tr" else "%Y-%m-%d")
    if isinstance(cell, bool):
        return "1" if cell else "0"
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, float):
        text = f"{cell:.10g}"
        return text.replace(".", ",") if lang == "tr" else text
    return csv_text(str(cell))


def export_filename(survey: SurveyView, extension: str) -> str:
    """`survey-12-kars.xlsx`: ASCII only, so every platform and mail client keeps it."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(survey.group_name or survey.city)).strip("-")[:30]
    return f"survey-{survey.id}{'-' + slug if slug else ''}.{extension}"


def template_filename(template: str) -> str:
    """`template-six-monthly-monitoring.xlsx` (ASCII, short)."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(template)).strip("-")[:40]
    return f"template-{slug or 'survey'}.xlsx"
