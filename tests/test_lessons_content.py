"""The shipped lessons (bot/content/lessons/) as data: structure, sources, quizzes with one
right answer, WhatsApp's limits for every message a lesson sends, the plan-cycle links, and
`file:line: field` errors for a broken file (a group's own lessons use the same loader)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.services.lessons import render
from bot.services.lessons.content import LessonError, catalogue, load_file, parse, shipped
from bot.services.lessons.document import lesson_docx
from bot.services.lessons.service import LINKED_LESSONS, LessonService
from bot.services.milestones.template import plan_cycle
from handlers.whatsapp.render import (MAX_BUTTON_TITLE, MAX_INTERACTIVE_BODY, MAX_ROW_DESCRIPTION, MAX_ROW_TITLE,
                                      render as wa_render)
from messages import LANGUAGES
from storage.lessons import Progress

LESSONS = shipped()
REQUIRED = {"strategic-plan", "plan-terms", "budget-calendar", "gender-budgeting", "sex-disaggregated-data",
            "monitoring", "city-council", "proposal-writing"}


def test_at_least_the_eight_lessons_ship_in_order() -> None:
    slugs = [lesson.slug for lesson in LESSONS]
    assert REQUIRED <= set(slugs) and len(slugs) >= 8
    assert [lesson.order for lesson in LESSONS] == sorted(lesson.order for lesson in LESSONS)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.slug)
def test_structure_languages_sources_and_quiz(lesson) -> None:  # type: ignore[no-untyped-def]
    assert 3 <= len(lesson.part) <= 6 and 2 <= len(lesson.quiz) <= 4
    assert lesson.sources
    for lang in LANGUAGES:
        for text in (lesson.title, lesson.short, lesson.summary, *lesson.sources,
                     *(part.text for part in lesson.part), *(q.text for q in lesson.quiz),
                     *(q.explain for q in lesson.quiz)):
            assert text.get(lang).strip()
    for question in lesson.quiz:
        if question.type == "choice":
            assert sum(choice.right for choice in question.choices) == 1
        else:
            assert question.answer is not None and not question.choices
    # Nothing of one language in the other: common function words only.
    for part in lesson.part:
        assert not re.search(r"\b(the|and|of)\b", part.text.tr), part.text.tr
        assert not re.search(r"\b(ve|bir|ile|için)\b", part.text.en), part.text.en


def test_sources_cite_the_law_the_guide_and_tuik() -> None:
    def cited(slug: str) -> str:
        return " ".join(source.en + " " + source.tr for source in next(l for l in LESSONS if l.slug == slug).sources)

    assert "5393" in cited("strategic-plan") and "art. 41" in cited("strategic-plan")
    assert "5018" in cited("strategic-plan") and "art. 9" in cited("strategic-plan")
    assert "SBB" in cited("plan-terms")
    assert "62" in cited("budget-calendar")
    assert "TÜİK" in cited("sex-disaggregated-data")
    assert "SBB" in cited("monitoring")
    assert "art. 76" in cited("city-council") and "Kent Konseyi Yönetmeliği" in cited("city-council")
    practice = [lesson.slug for lesson in LESSONS if any(part.practice for part in lesson.part)]
    assert {"gender-budgeting", "monitoring", "proposal-writing", "city-council"} <= set(practice)


def test_the_achievement_rate_answers_follow_the_sbb_formula() -> None:
    monitoring = next(lesson for lesson in LESSONS if lesson.slug == "monitoring")
    rising, falling = monitoring.quiz[0], monitoring.quiz[1]
    assert rising.answer == (25 - 10) / (30 - 10) * 100
    assert falling.answer == (45 - 60) / (30 - 60) * 100


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.slug)
def test_every_message_fits_whatsapp_in_one_message(lesson, lang) -> None:  # type: ignore[no-untyped-def]
    replies = [render.part_reply(lesson, index, lang) for index in range(len(lesson.part))]
    replies += [render.question_reply(lesson, number, lang, before=render.verdict(lesson.quiz[0], False, lang))
                for number in range(len(lesson.quiz))]
    replies.append(LessonService.offer_reply(lesson, "budget-round", lang))
    for reply in replies:
        messages = wa_render(reply, lang).messages
        assert len(messages) == 1, reply.text  # one message each: WhatsApp bills every message
        for message in messages:
            assert len(message.body) <= MAX_INTERACTIVE_BODY
            for _, title in message.buttons:
                assert len(title) <= MAX_BUTTON_TITLE and not title.endswith("…"), title
    for question in lesson.quiz:
        for choice in question.choices:
            assert len(choice.get(lang)) <= MAX_BUTTON_TITLE
    button = render.lesson_button(lesson, Progress(member_id=1, lesson=lesson.slug), lang, "ls:open:x")
    assert len(button.label) <= MAX_ROW_TITLE and len(button.description or "") <= MAX_ROW_DESCRIPTION


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_whole_lesson_as_a_document(lang: str) -> None:
    import io

    from docx import Document

    for lesson in LESSONS:
        paragraphs = [p.text for p in Document(io.BytesIO(lesson_docx(lesson, lang))).paragraphs]
        assert paragraphs[0] == lesson.title.get(lang)
        assert lesson.sources[0].get(lang) in paragraphs


def test_the_plan_cycle_links_the_three_lessons() -> None:
    linked = {slug for entry in plan_cycle().milestone for slug in entry.lessons}
    assert set(LINKED_LESSONS.values()) <= linked
    assert linked <= {lesson.slug for lesson in LESSONS}


GOOD = (Path(__file__).parent.parent / "bot/content/lessons/06-monitoring.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("change", "where"), [
    (lambda s: s.replace('{ tr = "Neden ve tedbir", en = "Reason and measures", right = true }',
                         '{ tr = "Neden ve tedbir", en = "Reason and measures" }'), "quiz.2"),
    (lambda s: s.replace('{ tr = "Yalnız oran", en = "Only the rate" }',
                         '{ tr = "Yalnız oran", en = "Only the rate", right = true }'), "quiz.2"),
    (lambda s: s.replace('{ tr = "Hiçbir şey", en = "Nothing" }',
                         '{ tr = "Hiçbir şey olmadığını yazmak", en = "Nothing" }'), "quiz.2.choices.2.tr"),
    (lambda s: s.replace('title.en = "Monitoring and evaluation: achievement rate"\n', ""), "title.en"),
    (lambda s: s.replace('slug = "monitoring"', 'slug = "İzleme"'), "slug"),
    (lambda s: s.replace("answer = 75\n", ""), "quiz.0"),
    (lambda s: s.replace("minutes = 5", "minutes = 5\ncolour = \"red\""), "colour"),
])
def test_a_broken_file_names_file_line_and_field(change, where) -> None:  # type: ignore[no-untyped-def]
    broken = change(GOOD)
    assert broken != GOOD
    with pytest.raises(LessonError) as raised:
        parse(broken, "mine.toml")
    message = str(raised.value)
    assert re.match(rf"mine\.toml:\d+: {re.escape(where)}", message), message


def test_the_line_is_the_offending_entry() -> None:
    broken = GOOD.replace('{ tr = "Neden ve tedbir", en = "Reason and measures", right = true }',
                          '{ tr = "Neden ve tedbir", en = "Reason and measures" }')
    with pytest.raises(LessonError) as raised:
        parse(broken, "mine.toml")
    line = int(str(raised.value).split(":")[1])
    headers = [n for n, text in enumerate(broken.splitlines(), start=1) if text.strip() == "[[quiz]]"]
    assert headers[2] <= line < headers[2] + 12


def test_a_toml_syntax_error_is_one_line() -> None:
    with pytest.raises(LessonError) as raised:
        parse("slug = \n", "mine.toml")
    assert str(raised.value).startswith("mine.toml: ")


def test_a_groups_own_lessons_join_the_catalogue(tmp_path: Path) -> None:
    own = GOOD.replace('slug = "monitoring"', 'slug = "kars-winter-meetings"').replace("order = 6", "order = 20")
    (tmp_path / "kars.toml").write_text(own, encoding="utf-8")
    slugs = [lesson.slug for lesson in catalogue(tmp_path)]
    assert slugs[-1] == "kars-winter-meetings" and len(slugs) == len(LESSONS) + 1
    assert load_file(tmp_path / "kars.toml").slug == "kars-winter-meetings"
    (tmp_path / "clash.toml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(LessonError, match="'monitoring' is already a lesson"):
        catalogue(tmp_path)
    # The running bot leaves a broken or clashing file out and says which.
    (tmp_path / "broken.toml").write_text("slug = \n", encoding="utf-8")
    errors: list[LessonError] = []
    slugs = [lesson.slug for lesson in catalogue(tmp_path, on_error=errors.append)]
    assert "kars-winter-meetings" in slugs and len(slugs) == len(LESSONS) + 1
    assert sorted(str(error).split(":")[0].rsplit("/", 1)[-1] for error in errors) == ["broken.toml", "clash.toml"]
