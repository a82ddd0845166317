"""How a lesson reads in chat: a part, a quiz question, the verdict on an answer, the list.

Lesson texts are data (`bot/content/lessons/`), escaped here; everything around them comes
from the `lessons.*` message keys. Each message stays short enough for a phone screen and for
WhatsApp's 1024-character interactive body (parts are ≤ 900 characters, checked at load).
"""

from __future__ import annotations

import html
import re

from bot.models import Button, Reply
from bot.services.lessons.content import Lesson, QuizQuestion
from bot.services.lessons.numbers import accepted_units, unit_code, unit_label
from messages import Markup, format_number, t
from storage.lessons import Progress

PASS_SHARE = 0.6  # a quiz is passed with at least 60% right (2 of 3, 3 of 4, 2 of 2)


def passes(correct: int, total: int) -> bool:
    """Whether `correct` right answers of `total` pass the quiz (PASS_SHARE)."""
    return total > 0 and correct / total >= PASS_SHARE - 1e-9


def needed(total: int) -> int:
    """Right answers needed to pass a quiz of `total` questions."""
    return next(count for count in range(total + 1) if passes(count, total))


_TAGS = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """Catalog text (HTML for chat: `<b>`, `<i>`, `&amp;`…) as plain text for a file (.docx,
    .xlsx): every tag removed, every entity unescaped."""
    return html.unescape(_TAGS.sub("", text))


def esc(text: str) -> Markup:
    return Markup(html.escape(text, quote=False))


def mark(lesson: Lesson, progress: Progress | None) -> str:
    """✅ passed, ▶️ started (or quiz not passed yet), 🆕 new."""
    if progress is not None and progress.passed_at is not None:
        return "✅"
    if progress is not None:
        return "▶️"
    return "🆕"


def lesson_button(lesson: Lesson, progress: Progress | None, lang: str, choice: str) -> Button:
    """A list row: mark + short title (≤ 22 characters, below WhatsApp's 24), summary under it."""
    return Button(label=f"{mark(lesson, progress)} {lesson.short.get(lang)}", choice=choice,
                  description=lesson.summary.get(lang))


def part_reply(lesson: Lesson, index: int, lang: str, *, before: str = "") -> Reply:
    """Part `index` of the lesson, headed with the title and "2/4", with "Devam" (or "Teste
    geç" after the last part) and, on the first part, the whole lesson as a document."""
    part = lesson.part[index]
    text = t("lessons.part", lang, title=esc(lesson.title.get(lang)), number=index + 1, total=len(lesson.part),
             text=esc(part.text.get(lang)))
    if part.practice:
        text += "\n\n" + t("lessons.practice_note", lang)
    if before:
        text = before + "\n\n" + text
    last = index == len(lesson.part) - 1
    label = t("lessons.to_quiz_button" if last else "lessons.next_button", lang)
    buttons = [Button(label=label, choice=f"ls:next:{lesson.slug}:{index}")]
    if index == 0:
        buttons.append(Button(label=t("lessons.document_button", lang), choice=f"ls:doc:{lesson.slug}"))
    return Reply(text=text, buttons=[buttons])


def question_reply(lesson: Lesson, number: int, lang: str, *, before: str = "") -> Reply:
    """Quiz question `number` (0-based): choices as buttons, or "type a number" with an example."""
    question = lesson.quiz[number]
    step = len(lesson.part) + number
    text = t("lessons.question", lang, number=number + 1, total=len(lesson.quiz), text=esc(question.text.get(lang)))
    buttons: list[list[Button]] = []
    if question.type == "choice":
        buttons = [[Button(label=choice.get(lang), choice=f"ls:ans:{lesson.slug}:{step}:{index}")
                    for index, choice in enumerate(question.choices)]]
    else:
        text += "\n\n" + t("lessons.type_number", lang, example=number_example(question, lang))
    if before:
        text = before + "\n\n" + text
    return Reply(text=text, buttons=buttons)


def question_units(question: QuizQuestion) -> list[str]:
    """The unit codes a number question's answer may be typed with (`numbers.accepted_units`):
    its `unit`, else the units its text names (`kaç TL?` → TL)."""
    return accepted_units(question.unit, [question.text.tr, question.text.en])


def with_unit(value: str, unit: str | None, lang: str) -> str:
    """`%75` (tr) / `75%` (en), `360.000 TL`, or the bare value without a unit."""
    if not unit:
        return value
    if unit_code(unit) == "percent":
        return f"%{value}" if lang == "tr" else f"{value}%"
    return f"{value} {unit_label(unit_code(unit), lang) if unit_code(unit) else unit}"


def number_example(question: QuizQuestion, lang: str) -> str:
    """An example of the form a number is typed in: `%40` / `40%` for percentages, `42 TL`
    with the question's unit, `12,5` / `12.5` where decimals matter, else a whole number."""
    assert question.answer is not None
    value = format_number(12.5, lang) if question.answer != int(question.answer) else "42"
    if unit_code(question.unit or "") == "percent":
        value = "40"
    return with_unit(value, question.unit, lang)


def right_answer(question: QuizQuestion, lang: str) -> str:
    if question.type == "choice":
        return question.choices[question.right_choice()].get(lang)
    assert question.answer is not None
    return with_unit(format_number(question.answer, lang), question.unit, lang)


def verdict(question: QuizQuestion, right: bool, lang: str) -> str:
    """"✅ Doğru." or "❌ Doğru cevap: …", then the one-line explanation."""
    head = t("lessons.right", lang) if right else t("lessons.wrong", lang, answer=esc(right_answer(question, lang)))
    return head + " " + esc(question.explain.get(lang))


def result_text(lesson: Lesson, correct: int, lang: str) -> str:
    total = len(lesson.quiz)
    if passes(correct, total):
        return t("lessons.passed", lang, correct=correct, total=total, title=esc(lesson.title.get(lang)))
    return t("lessons.failed", lang, correct=correct, total=total, needed=needed(total))


def after_quiz_buttons(lesson: Lesson, lang: str) -> list[list[Button]]:
    return [[Button(label=t("lessons.retake_button", lang), choice=f"ls:retake:{lesson.slug}"),
             Button(label=t("lessons.document_button", lang), choice=f"ls:doc:{lesson.slug}"),
             Button(label=t("lessons.list_button", lang), choice="ls:list")]]


def sources_text(lesson: Lesson, lang: str) -> Markup:
    return Markup("\n".join(f"• {esc(source.get(lang))}" for source in lesson.sources))
