"""Lessons, after the independent test: files carry plain text (no HTML), the coordinators'
figures never give away one person's quiz score, quiz numbers are read with their unit, and
the offer texts stay true however late they arrive."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import openpyxl
import pytest
from docx import Document

from bot.errors import InvalidAnswer
from bot.models import Member
from bot.services.lessons import render
from bot.services.lessons.content import Lesson, shipped
from bot.services.lessons.document import lesson_docx
from bot.services.lessons.exports import lessons_xlsx
from bot.services.lessons.numbers import read_quiz_number
from bot.services.lessons.service import MIN_QUIZ_TAKERS, shown_average
from messages import t
from storage.lessons import LessonStats, Progress
from tests.harness import Harness
from tests.meetings_support import group_with

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
MARKUP = re.compile(r"</?[a-z]+>|&(amp|lt|gt|quot|#\d+);")


def lesson(slug: str) -> Lesson:
    return next(item for item in shipped() if item.slug == slug)


def number_question(slug: str, index: int = 0):  # type: ignore[no-untyped-def]
    return [question for question in lesson(slug).quiz if question.type == "number"][index]


# -- 1. files: plain text ----------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["tr", "en"])
def test_the_lesson_document_has_no_html_tags_or_entities(lang: str) -> None:
    for item in shipped():
        paragraphs = [p.text for p in Document(io.BytesIO(lesson_docx(item, lang))).paragraphs]
        assert not [p for p in paragraphs if MARKUP.search(p)], item.slug
    practice = [p.text for p in Document(io.BytesIO(lesson_docx(lesson("monitoring"), lang))).paragraphs]
    expected = ("🛠 Uygulama: bu kısım yasa değil, yaygın uygulamadır." if lang == "tr"
                else "🛠 Practice: this part is common practice, not law.")
    assert expected in practice


def test_plain_strips_every_tag_and_unescapes_entities() -> None:
    assert render.plain("🛠 <i>Practice &amp; law</i> <b>x</b> <a href='y'>z</a> a &lt; b") == "🛠 Practice & law x z a < b"


@pytest.mark.parametrize("lang", ["tr", "en"])
def test_the_lessons_sheet_has_no_html(lang: str) -> None:
    members = [Member(id=1, display_name="Ayşe & Emma", language=lang, channel="telegram", external_id="1",
                      created_at=NOW)]
    content = lessons_xlsx(shipped(), {}, {1: set()}, members, lang)
    for sheet in openpyxl.load_workbook(io.BytesIO(content)).worksheets:
        for row in sheet.iter_rows(values_only=True):
            assert not [value for value in row if isinstance(value, str) and MARKUP.search(value)], row
    assert openpyxl.load_workbook(io.BytesIO(content)).worksheets[1].cell(2, 1).value == "Ayşe & Emma"


# -- 2. privacy of the quiz average ------------------------------------------------------------

@pytest.mark.parametrize(("takers", "shown"), [(0, None), (1, None), (2, None), (3, 50.0), (7, 50.0)])
def test_the_average_is_shown_only_from_three_takers(takers: int, shown: float | None) -> None:
    stats = LessonStats("monitoring", passed=takers, started=takers + 1, takers=takers,
                        average=50.0 if takers else None)
    assert MIN_QUIZ_TAKERS == 3 and shown_average(stats) == shown
    assert shown_average(None) is None


async def seed(harness: Harness, name: str, slug: str, correct: int | None) -> None:
    """Her monitoring quiz: finished with `correct` of 3, or (None) started, first attempt."""
    from storage import lessons as repo

    lessons = harness.services.extras["lessons"]
    group = (await harness.services.groups.all())[0][0]
    member = next(m for m in (await lessons.service.stats(group.id))[2] if m.display_name == name)
    progress = Progress(member.id, slug, step=5)
    if correct is not None:
        score = round(100 * correct / 3, 1)
        progress = Progress(member.id, slug, step=7, correct=correct, attempts=1, last_score=score, best_score=score,
                            passed_at=NOW if correct >= 2 else None)
    async with harness.services.db.transaction() as tx:
        await repo.save(tx, progress, harness.clock.now())


async def test_coordinators_see_an_average_only_from_three_finished_quizzes(harness: Harness) -> None:
    zeynep, members = await group_with(harness, ("Ayşe", "tr"), ("Rojda", "tr"), ("Elif", "tr"), ("Sema", "tr"))

    async def line() -> str:
        stats = await harness.press(zeynep, await harness.send(zeynep, "/dersler"), "ls:stats")
        return next(row for row in stats.text.splitlines() if "İzleme" in row)

    await seed(harness, "Rojda", "monitoring", 3)
    await seed(harness, "Ayşe", "monitoring", None)  # in progress: not a score
    shown = await line()
    assert "1/4 üye tamamladı" in shown and "3 üyeden az" in shown and "%" not in shown, shown
    await seed(harness, "Elif", "monitoring", 0)
    assert "%" not in await line()
    await seed(harness, "Sema", "monitoring", 2)
    shown = await line()  # three finished: (100 + 0 + 66.7) / 3
    assert "2/4 üye tamamladı" in shown and "2 devam ediyor" in shown and "test ortalaması %56" in shown, shown


async def test_a_coordinator_sending_a_lesson_gets_no_notice_of_her_own(harness: Harness) -> None:
    zeynep, (ayse, emma) = await group_with(harness, ("Ayşe", "tr"), ("Emma", "en"))
    stats = await harness.press(zeynep, await harness.send(zeynep, "/dersler"), "ls:stats")
    picker = await harness.press(zeynep, stats, "📤 Gruba gönder")
    confirm = await harness.press(zeynep, picker, "ls:send:1:monitoring")
    sent = await harness.press(zeynep, confirm, "✅ Gönder")
    assert "2 kişiye gönderiliyor" in sent.text, sent.text
    await harness.next_containing(ayse, "Zeynep bir ders gönderdi")
    await harness.next_containing(emma, "Zeynep sent you a lesson")
    # She is the only one left out: the service's count is the others.
    from storage import members as members_repo

    async with harness.services.db.read() as conn:
        everyone = await members_repo.group_members(conn, 1)
    sender = next(member for member, _ in everyone if member.display_name == "Zeynep")
    lessons = harness.services.extras["lessons"]
    assert await lessons.service.send_to_group(1, "monitoring", sender) == len(everyone) - 1 == 2
    await harness.next_containing(ayse, "Zeynep bir ders gönderdi")  # the second sending reached Ayşe…
    await harness.send(zeynep, "/dersler")  # …and Zeynep's own chat holds no notice of either
    assert not [m for m in harness.server.messages(zeynep.user) if "bir ders gönderdi" in (m.text or "")]


# -- 3. quiz numbers with units ----------------------------------------------------------------

@pytest.mark.parametrize(("typed", "lang", "value"), [
    ("360.000 TL", "tr", 360000), ("360.000", "tr", 360000), ("₺360.000", "tr", 360000), ("360000tl", "tr", 360000),
    ("360 bin TL", "tr", 360000), ("360.000 lira.", "tr", 360000), ("360,000 TL", "en", 360000),
    ("TL 360,000", "en", 360000), ("360 000 ₺", "en", 360000),
])
def test_a_cost_is_read_with_its_currency(typed: str, lang: str, value: float) -> None:
    question = number_question("proposal-writing")
    assert read_quiz_number(typed, render.question_units(question), lang) == value
    assert question.is_right(read_quiz_number(typed, render.question_units(question), lang))


@pytest.mark.parametrize(("slug", "typed", "lang", "value"), [
    ("monitoring", "%75", "tr", 75), ("monitoring", "75 %", "tr", 75), ("monitoring", "yüzde 75", "tr", 75),
    ("monitoring", "75 percent", "en", 75), ("monitoring", "150", "tr", 150), ("monitoring", "-5%", "en", -5),
    ("monitoring", "−5", "tr", -5), ("gender-budgeting", "%2,5", "tr", 2.5), ("gender-budgeting", "2.5%", "en", 2.5),
    ("strategic-plan", "6 ay", "tr", 6), ("strategic-plan", "6 months", "en", 6), ("strategic-plan", "6", "tr", 6),
    ("city-council", "3 gün", "tr", 3), ("city-council", "3 days", "en", 3), ("budget-calendar", "1", "tr", 1),
])
def test_numbers_are_read_with_the_questions_unit(slug: str, typed: str, lang: str, value: float) -> None:
    question = number_question(slug)
    assert read_quiz_number(typed, render.question_units(question), lang) == value


@pytest.mark.parametrize(("slug", "typed", "key", "unit"), [
    ("proposal-writing", "360.000 kişi", "lessons.number_wrong_unit", "TL"),
    ("proposal-writing", "%360", "lessons.number_wrong_unit", "TL"),
    ("monitoring", "75 TL", "lessons.number_wrong_unit", "%"),
    ("strategic-plan", "6 gün", "lessons.number_wrong_unit", "ay"),
    ("budget-calendar", "1 TL", "lessons.number_no_unit", None),
    ("monitoring", "yetmiş beş", "lessons.number_unreadable", None),
    ("monitoring", "75 ya da 80", "lessons.number_unreadable", None),
    ("proposal-writing", "360.000 TL civarı", "lessons.number_unreadable", None),
])
def test_a_wrong_unit_or_no_number_is_refused_saying_why(slug: str, typed: str, key: str, unit: str | None) -> None:
    question = number_question(slug)
    with pytest.raises(InvalidAnswer) as refused:
        read_quiz_number(typed, render.question_units(question), "tr")
    assert refused.value.key == key and refused.value.params.get("unit") == unit


@pytest.mark.parametrize("lang", ["tr", "en"])
def test_number_hints_name_no_range_and_show_the_unit(lang: str) -> None:
    for item in shipped():
        for number, question in enumerate(item.quiz):
            if question.type != "number":
                continue
            text = render.question_reply(item, number, lang).text
            assert "0–100" not in text and "0-100" not in text, text
            if question.unit == "TL":
                assert "42 TL" in text, text
    for key in ("lessons.number_unreadable", "lessons.number_wrong_unit", "lessons.number_no_unit"):
        assert "100" not in t(key, lang, typed="150", unit="%")
    assert render.right_answer(number_question("proposal-writing"), lang) == (
        "360.000 TL" if lang == "tr" else "360,000 TL")


async def test_a_cost_typed_with_tl_is_right_in_chat(harness: Harness) -> None:
    _, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    reply = await harness.press(ayse, await harness.send(ayse, "/dersler"), "ls:open:proposal-writing")
    while "Soru 1/" not in reply.text:
        reply = await harness.send(ayse, "devam")
    reply = await harness.send(ayse, "B")
    assert "Soru 2/3" in reply.text and "ör. 42 TL" in reply.text, reply.text
    refused = await harness.send(ayse, "360.000 kişi")
    assert "bu sorunun birimi TL" in refused.text and "Soru 2/3" in refused.text, refused.text
    right = await harness.send(ayse, "360.000 TL")
    assert right.text.startswith("✅ Doğru.") and "Soru 3/3" in right.text, right.text


# -- 4. offers true whenever they arrive -------------------------------------------------------

@pytest.mark.parametrize("lang", ["tr", "en"])
def test_offer_reasons_make_no_claim_about_what_comes_next(lang: str) -> None:
    from messages import catalog

    reasons = [key for key in catalog(lang) if key.startswith("lessons.why.")]
    assert len(reasons) >= 5
    for key in reasons:
        text = t(key, lang).casefold()
        assert not any(word in text for word in ("yakında", "geliyor", "yaklaşan", "soon", "coming", "about to")), text
