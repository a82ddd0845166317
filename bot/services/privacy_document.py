"""/verilerim as a document a person can read on her phone (KVKK art. 11: the right to learn
what is processed about her): the same data as the machine-readable JSON export, as a Word
file with one heading per section and one line per field, in her language.

WhatsApp takes Word files (its supported document types: text, PDF, Word, Excel,
PowerPoint), and every phone opens them.
"""

from __future__ import annotations

import io
from typing import Any


from messages import catalog, t

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MAX_ITEMS = 500  # per section: a long message history is summarised, the JSON has it all


def _section_title(name: str, lang: str) -> str:
    key = f"mydata.section.{name}"
    return t(key, lang) if key in catalog(lang) else name.replace("_", " ").capitalize()


def _value(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_value(item)}" for key, item in value.items())
    if isinstance(value, list):
        return ", ".join(_value(item) for item in value)
    return str(value)


def readable_document(data: dict[str, Any], lang: str) -> bytes:
    """The .docx bytes for `data` (`storage.personal_data.export` plus `exported_at`,
    `privacy_notice_version`): a title, when it was made, then each section."""
    from docx import Document  # imported where used: start-up stays light (issue 24)
    from docx.shared import Pt

    document = Document()
    document.styles["Normal"].font.size = Pt(11)
    document.add_heading(t("mydata.document_title", lang), level=0)
    document.add_paragraph(t("mydata.document_intro", lang, when=str(data.get("exported_at", "")),
                             version=str(data.get("privacy_notice_version", ""))))
    for name, content in data.items():
        if name in ("exported_at", "privacy_notice_version"):
            continue
        document.add_heading(_section_title(name, lang), level=1)
        items = content if isinstance(content, list) else [content]
        if not items or items == [None]:
            document.add_paragraph(t("mydata.document_empty", lang))
            continue
        for item in items[:MAX_ITEMS]:
            if isinstance(item, dict):
                paragraph = document.add_paragraph(style="List Bullet")
                for index, (key, value) in enumerate(item.items()):
                    run = paragraph.add_run(f"{key}: ")
                    run.bold = True
                    paragraph.add_run(_value(value) + ("" if index == len(item) - 1 else "\n"))
            else:
                document.add_paragraph(_value(item), style="List Bullet")
        if len(items) > MAX_ITEMS:
            document.add_paragraph(t("mydata.document_more", lang, count=len(items) - MAX_ITEMS))
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()
