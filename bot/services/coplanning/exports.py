"""Co-planning exports for the operator and coordinators of several cities: every round's
proposals and outcomes side by side (XLSX). Ballots never appear: counts only."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass


from bot.services.coplanning.render import plain
from messages import t


@dataclass(frozen=True)
class ProposalRow:
    """One proposal as the cross-city sheet shows it."""

    group: str
    city: str
    feeds: str
    ref: str
    title: str
    plan_item: str
    status: str
    votes: int | None
    rank: int | None
    tied: bool
    outcome: str
    reason: str
    last_step: str
    no_votes: bool = False  # nobody voted in its round: no rank, no count
    earlier: str = ""       # the reference it was resubmitted from


COLUMNS = ("group", "city", "feeds", "ref", "title", "plan_item", "status", "votes", "rank", "outcome", "reason",
           "last_step", "earlier")


def proposals_xlsx(rows: Sequence[ProposalRow], lang: str) -> bytes:
    """An .xlsx with one row per proposal. Text is always written as text (a title starting
    with `=` cannot become a formula); numbers as numbers."""
    buffer = io.BytesIO()
    import xlsxwriter  # imported where used: start-up stays light (issue 24)
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                        "strings_to_numbers": False, "strings_to_urls": False})
    sheet = book.add_worksheet(plain(t("coplan.sheet_name", lang))[:31])
    bold = book.add_format({"bold": True})
    for column, name in enumerate(COLUMNS):
        sheet.write_string(0, column, plain(t(f"coplan.col_{name}", lang)), bold)
    for index, row in enumerate(rows, start=1):
        values = (row.group, row.city, row.feeds, row.ref, row.title, row.plan_item, row.status)
        for column, value in enumerate(values):
            sheet.write_string(index, column, value)
        if row.votes is not None:
            sheet.write_number(index, 7, row.votes)
        if row.no_votes:  # nobody voted in the round: no ranking (as in chat and the CLI)
            sheet.write_string(index, 8, plain(t("coplan.rank_no_votes", lang)))
        elif row.rank is not None:
            sheet.write_string(index, 8, f"{row.rank}{' (=)' if row.tied else ''}")
        sheet.write_string(index, 9, row.outcome)
        sheet.write_string(index, 10, row.reason)
        sheet.write_string(index, 11, row.last_step)
        sheet.write_string(index, 12, row.earlier)
    sheet.autofilter(0, 0, max(len(rows), 1), len(COLUMNS) - 1)
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()
