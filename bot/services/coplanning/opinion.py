"""The group's opinion (görüş) as a Word document, in the form a city council working group
submits it: group, date, legal basis (Law 5393 art. 76), what it feeds, the method and
turnout, the ranked proposals with their texts, plan links and reasons, and the recorded
objections — each proposal under its stable reference number so that the council's decision
can be matched back to it.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass, field


from messages import t as _t


@dataclass(frozen=True)
class OpinionLine:
    """One ranked proposal as the opinion shows it."""

    rank: int
    tied: bool
    votes: int
    ref: str
    title: str
    body: str
    plan_item: str | None
    beneficiaries: str | None
    effect: str | None
    arguments_for: list[str] = field(default_factory=list)
    history: list[str] = field(default_factory=list)  # a resubmission's earlier refs and answers


@dataclass(frozen=True)
class OpinionDocument:
    group: str
    city: str
    date: str            # already formatted for the language, e.g. 03.12.2026
    feeds: str           # already localized, e.g. "2027 bütçesi"
    max_picks: int
    voters: int
    members: int
    lines: list[OpinionLine]
    agree: int
    reservations: list[str]   # the reasons given with "Çekincem var"
    objections: list[str]     # the reasons given with "Karşıyım"
    draft: str | None = None  # while the consent round runs: the draft notice


def t(key: str, lang: str, **params: object) -> str:
    """Catalog text as plain text (a .docx has no HTML)."""
    return html.unescape(re.sub(r"<[^>]+>", "", _t(key, lang, **params)))


def build_opinion_docx(doc: OpinionDocument, lang: str) -> bytes:
    """The opinion as .docx bytes (python-docx), in `lang`."""
    from docx import Document  # imported where used: start-up stays light (issue 24)
    from docx.shared import Pt  # imported where used: start-up stays light (issue 24)
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(11)
    document.add_heading(t("coplan.doc_title", lang, group=doc.group), level=1)
    if doc.draft:
        document.add_paragraph(doc.draft).runs[0].bold = True
    document.add_paragraph(t("coplan.doc_meta", lang, group=doc.group, city=doc.city, date=doc.date))
    document.add_paragraph(t("coplan.doc_legal_basis", lang))
    document.add_paragraph(t("coplan.doc_feeds", lang, feeds=doc.feeds))
    document.add_heading(t("coplan.doc_method_heading", lang), level=2)
    document.add_paragraph(t("coplan.doc_method", lang, picks=doc.max_picks, voters=doc.voters, members=doc.members))
    document.add_heading(t("coplan.doc_proposals_heading", lang), level=2)
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, key in zip(table.rows[0].cells, ("doc_col_rank", "doc_col_ref", "doc_col_title", "doc_col_votes"),
                         strict=True):
        cell.text = t(f"coplan.{key}", lang)
    for line in doc.lines:
        cells = table.add_row().cells
        cells[0].text = f"{line.rank}{' (=)' if line.tied else ''}"
        cells[1].text = line.ref
        cells[2].text = line.title
        cells[3].text = str(line.votes)
    for line in doc.lines:
        document.add_heading(f"{line.ref} — {line.title}", level=3)
        document.add_paragraph(line.body)
        details = [(t("coplan.doc_plan_item", lang), line.plan_item),
                   (t("coplan.doc_beneficiaries", lang), line.beneficiaries),
                   (t("coplan.doc_effect", lang), line.effect)]
        for label, value in details:
            if value:
                paragraph = document.add_paragraph()
                paragraph.add_run(f"{label}: ").bold = True
                paragraph.add_run(value)
        for argument in line.arguments_for:
            document.add_paragraph(argument, style="List Bullet")
        if line.history:
            document.add_paragraph(t("coplan.doc_history", lang)).runs[0].bold = True
            for earlier in line.history:
                document.add_paragraph(earlier, style="List Bullet")
    document.add_heading(t("coplan.doc_consent_heading", lang), level=2)
    document.add_paragraph(t("coplan.doc_consent_rule", lang))
    document.add_paragraph(t("coplan.doc_consent", lang, agree=doc.agree, reservations=len(doc.reservations),
                             objections=len(doc.objections)))
    for heading, reasons in ((t("coplan.doc_objections", lang), doc.objections),
                             (t("coplan.doc_reservations", lang), doc.reservations)):
        if reasons:
            document.add_paragraph(heading).runs[0].bold = True
            for reason in reasons:
                document.add_paragraph(reason, style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
