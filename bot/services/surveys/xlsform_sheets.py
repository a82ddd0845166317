"""Reading the sheets of an XLSForm workbook: `.xlsx` (openpyxl) and legacy `.xls` (xlrd).

Cells come back as clean text: Excel's `_x000B_` escapes (ECMA-376 Part 1, §22.9.2.19 ST_Xstring)
decoded, then control and bidi/invisible format characters dropped (`bot.text.clean_text`).
A formula cell is read as the value Excel saved with it (openpyxl `data_only`; xlrd always
gives the saved value); a formula with no saved value (a file written by a program that does
not compute formulas) is a `FormulaCell`, which the reader refuses by row. Library warnings
(openpyxl's "Unknown extension", "Data Validation extension") are silenced: the person sees
only our own words.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


from bot.text import clean_text

_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
BLANK_RUN_LIMIT = 2000  # rows: a sheet "used" to row 1,048,576 stops after this many blank rows


class WorkbookError(ValueError):
    """The bytes are not a workbook we can open (message in plain words)."""


@dataclass(frozen=True)
class FormulaCell:
    """A formula whose value was never saved: its text, for the refusal."""

    formula: str


@dataclass
class Sheet:
    """One sheet: its title, header cells and the rows with any content, numbered as the
    spreadsheet shows them (header = row 1)."""

    title: str
    header: list[str]
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)

    def where(self, index: int) -> str:
        """`C (relevant)`: a column as the person finds it."""
        name = self.header[index] if index < len(self.header) else ""
        from openpyxl.utils import get_column_letter  # imported where used

        return f"{get_column_letter(index + 1)} ({name})" if name else get_column_letter(index + 1)


def cell_text(value: Any, *, multiline: bool = False) -> str:
    """A cell as clean text ("" for empty; whole floats without `.0`)."""
    if value is None or isinstance(value, FormulaCell):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = _ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), str(value))
    return clean_text(text, multiline=multiline)


def load(source: Path | bytes, name: str) -> dict[str, Sheet]:
    """Every sheet by lower-cased title. Raises WorkbookError when it is not .xlsx or .xls."""
    data = source.read_bytes() if isinstance(source, Path) else source
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if data[:4] == b"PK\x03\x04":
            return _load_xlsx(data)
        if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            return _load_xls(data)
    raise WorkbookError("not an Excel workbook (.xlsx or .xls); save the form from Excel, "
                        "LibreOffice or KoboToolbox (Download → XLS)")


def _finish(title: str, raw: list[list[Any]]) -> Sheet:
    header = [cell_text(cell) for cell in (raw[0] if raw else [])]
    sheet = Sheet(title, header)
    blank = 0
    for number, row in enumerate(raw[1:], start=2):
        if any(cell_text(cell) or isinstance(cell, FormulaCell) for cell in row):
            sheet.rows.append((number, row))
            blank = 0
        else:
            blank += 1
            if blank > BLANK_RUN_LIMIT:
                break
    return sheet


def _iter_rows(worksheet: Any) -> list[list[Any]]:
    rows: list[list[Any]] = []
    blank = 0
    for row in worksheet.iter_rows(values_only=True):
        values = list(row)
        rows.append(values)
        if any(value is not None and value != "" for value in values):
            blank = 0
        else:
            blank += 1
            if blank > BLANK_RUN_LIMIT:
                break
    return rows


def _load_xlsx(data: bytes) -> dict[str, Sheet]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise WorkbookError(f"the .xlsx file cannot be opened ({type(error).__name__})") from error
    sheets: dict[str, list[list[Any]]] = {ws.title: _iter_rows(ws) for ws in book.worksheets}
    book.close()
    formulas = [(title, r, c) for title, rows in sheets.items() for r, row in enumerate(rows)
                for c, value in enumerate(row) if isinstance(value, str) and value.startswith("=")]
    if formulas:
        cached = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        saved = {ws.title: _iter_rows(ws) for ws in cached.worksheets}
        cached.close()
        for title, r, c in formulas:
            rows = saved.get(title, [])
            value = rows[r][c] if r < len(rows) and c < len(rows[r]) else None
            sheets[title][r][c] = value if value not in (None, "") else FormulaCell(sheets[title][r][c])
    return {title.strip().lower(): _finish(title, rows) for title, rows in sheets.items()}


def _load_xls(data: bytes) -> dict[str, Sheet]:
    import xlrd

    try:
        # xlrd writes its own warnings ("WARNING *** OLE2 inconsistency") to a log file,
        # stdout by default: keep them out of the operator's terminal.
        book = xlrd.open_workbook(file_contents=data, logfile=io.StringIO(), verbosity=0)
    except Exception as error:  # xlrd raises XLRDError, struct errors... for a damaged file
        raise WorkbookError(f"the .xls file cannot be opened ({type(error).__name__})") from error
    result = {}
    for worksheet in book.sheets():
        rows = []
        for r in range(worksheet.nrows):
            row = []
            for c in range(worksheet.ncols):
                cell = worksheet.cell(r, c)
                if cell.ctype == xlrd.XL_CELL_ERROR:
                    row.append(FormulaCell("#ERROR"))
                elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                    row.append(bool(cell.value))
                else:
                    row.append(cell.value if cell.value != "" else None)
            rows.append(row)
        result[worksheet.name.strip().lower()] = _finish(worksheet.name, rows)
    return result
