"""The whole lesson as one Word document (.docx, python-docx), to read offline: title, every
part (practice marked), the quiz with its right answers and explanations, and the sources.

.docx is among the document types WhatsApp Cloud API accepts
(application/vnd.openxmlformats-officedocument.wordprocessingml.document) and Telegram sends
any file, so one format serves both.
"""

from __future__ import annotations

import io


from bot.models import Attachment
from bot.services.lessons.content import Lesson
from bot.services.lessons.render import plain, right_answer
from messages import t

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _plain(key: str, lang: str, **params: object) -> str:
    """A catalog text as plain text: no HTML tags, entities unescaped (`render.plain`)."""
    return plain(t(key, lang, **params))


def lesson_docx(lesson: Lesson, lang: str) -> bytes:
    """The lesson in `lang` as .docx bytes."""
    from docx import Document  # imported where used: start-up stays light (issue 24)
    from docx.shared import Pt

    document = Document()
    style = document.styles["Normal"]
    style.font.size = Pt(12)  # large enough to read on a phone
    document.add_heading(lesson.title.get(lang), level=1)
    document.add_paragraph(lesson.summary.get(lang))
    for part in lesson.part:
        for paragraph in part.text.get(lang).split("\n\n"):
            document.add_paragraph(paragraph)
        if part.practice:
            document.add_paragraph(_plain("lessons.practice_note", lang)).runs[0].italic = True
    document.add_heading(_plain("lessons.doc_quiz", lang), level=2)
    for number, question in enumerate(lesson.quiz, start=1):
        document.add_paragraph(f"{number}. {question.text.get(lang)}")
        if question.type == "choice":
            for choice in question.choices:
                document.add_paragraph(choice.get(lang), style="List Bullet")
        document.add_paragraph(_plain("lessons.doc_answer", lang, answer=right_answer(question, lang),
                                      explain=question.explain.get(lang)))
    document.add_heading(_plain("lessons.doc_sources", lang), level=2)
    for source in lesson.sources:
        document.add_paragraph(source.get(lang), style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def lesson_attachment(lesson: Lesson, lang: str) -> Attachment:
    return Attachment(kind="document", filename=f"{_plain('lessons.doc_filename', lang)}-{lesson.slug}.docx",
                      content=lesson_docx(lesson, lang), mime_type=DOCX)
