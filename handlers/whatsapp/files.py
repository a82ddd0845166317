"""Files in a form the Cloud API takes and her phone opens.

Meta accepts documents only as plain text, PDF, Word, Excel or PowerPoint, images as JPEG or
PNG (developers.facebook.com/docs/whatsapp/cloud-api/reference/media, "Supported media
types"), each within its size. So before an upload: a CSV becomes an XLSX workbook (same
cells), a JSON export a `.json.txt` plain-text file (machine-readable, opens as text), and a
calendar file (`text/calendar`) is not uploaded at all: the channel offers it as a link
(`handlers.whatsapp.channel`). Anything else that WhatsApp would refuse is `None`: she is
told in one message that the file could not be sent.
"""

from __future__ import annotations

import csv
import io


from bot.models import Attachment

MB = 1024 * 1024
# MIME type → (Cloud API message type, maximum bytes): the types this bot may send.
SENDABLE: dict[str, tuple[str, int]] = {
    "text/plain": ("document", 100 * MB),
    "application/pdf": ("document", 100 * MB),
    "application/msword": ("document", 100 * MB),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("document", 100 * MB),
    "application/vnd.ms-excel": ("document", 100 * MB),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("document", 100 * MB),
    "application/vnd.ms-powerpoint": ("document", 100 * MB),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("document", 100 * MB),
    "image/jpeg": ("image", 5 * MB),
    "image/png": ("image", 5 * MB),
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CALENDAR = "text/calendar"


def mime_of(attachment: Attachment) -> str:
    return attachment.mime_type.split(";")[0].strip().lower()


def sendable(attachment: Attachment) -> tuple[str, Attachment] | None:
    """(Cloud API message type, the file as WhatsApp takes it), or None when WhatsApp cannot
    take it (a calendar file: see the module docstring; an unsupported type; too large)."""
    mime = mime_of(attachment)
    if mime == "text/csv":
        attachment = csv_as_xlsx(attachment)
    elif mime == "application/json":
        attachment = Attachment(kind="document", filename=attachment.filename + ".txt",
                                content=attachment.content, mime_type="text/plain")
    mime = mime_of(attachment)
    found = SENDABLE.get(mime)
    if found is None or not attachment.content or len(attachment.content) > found[1]:
        return None
    kind = found[0] if attachment.kind == "photo" else "document"
    return kind, attachment


def csv_as_xlsx(attachment: Attachment) -> Attachment:
    """The same table as one XLSX sheet (numbers stay text, as they were in the CSV); the
    name keeps its stem: `anket-12.csv` → `anket-12.xlsx`."""
    text = attachment.content.decode("utf-8-sig", errors="replace")
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    output = io.BytesIO()
    import xlsxwriter  # imported where used: start-up stays light (issue 24)

    with xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_numbers": False}) as workbook:
        sheet = workbook.add_worksheet()
        bold = workbook.add_format({"bold": True})
        widths: dict[int, int] = {}
        for row_number, row in enumerate(csv.reader(io.StringIO(text), dialect)):
            for column, value in enumerate(row):
                sheet.write_string(row_number, column, value, bold if row_number == 0 else None)
                widths[column] = max(widths.get(column, 8), min(60, len(value) + 2))
        for column, width in widths.items():
            sheet.set_column(column, column, width)
    stem = attachment.filename.rsplit(".", 1)[0] if "." in attachment.filename else attachment.filename
    return Attachment(kind="document", filename=stem + ".xlsx", content=output.getvalue(), mime_type=XLSX)
