"""Lessons: the quiet-hours hook, the pass mark, and answers read the way surveys read them."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from bot.models import Group
from bot.services.lessons import quiet, render
from bot.services.lessons.chat import _as_survey_question
from bot.services.lessons.content import shipped
from bot.services.surveys.answers import read_choice

ZONE = "Europe/Istanbul"  # UTC+3


def group(**settings: object) -> Group:
    return Group(id=1, name="G", city="Kars", language="tr", timezone=ZONE, settings=settings)


@pytest.mark.parametrize(("utc_hour", "quiet_now"), [(17, False), (18, True), (23, True), (4, True), (5, False)])
def test_default_quiet_hours_span_midnight_in_the_groups_zone(utc_hour: int, quiet_now: bool) -> None:
    moment = datetime(2026, 11, 25, utc_hour, 0, tzinfo=UTC)  # +3 h: 20:00, 21:00, 02:00, 07:00, 08:00
    assert quiet.is_quiet(quiet.quiet_hours(group()), ZONE, moment) is quiet_now


def test_quiet_hours_end_in_the_morning_and_a_group_setting_wins() -> None:
    late = datetime(2026, 11, 25, 20, 30, tzinfo=UTC)  # 23:30 local
    assert quiet.quiet_ends(quiet.quiet_hours(group()), ZONE, late) == datetime(2026, 11, 26, 5, 0, tzinfo=UTC)
    early = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)  # 04:00 local: the same morning
    assert quiet.quiet_ends(quiet.quiet_hours(group()), ZONE, early) == datetime(2026, 11, 26, 5, 0, tzinfo=UTC)
    day = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
    assert quiet.quiet_ends(quiet.quiet_hours(group()), ZONE, day) == day
    assert quiet.quiet_hours(group(quiet_hours="22:30-07:00")) == (time(22, 30), time(7, 0))
    assert quiet.quiet_hours(group(quiet_hours={"start": "20:00", "end": "09:00"})) == (time(20, 0), time(9, 0))
    assert quiet.quiet_hours(group(quiet_hours="nonsense")) == quiet.DEFAULT_QUIET
    daytime = (time(12, 0), time(14, 0))  # a window within one day
    assert quiet.is_quiet(daytime, ZONE, datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    assert not quiet.is_quiet(daytime, ZONE, datetime(2026, 11, 25, 11, 0, tzinfo=UTC))


@pytest.mark.parametrize(("correct", "total", "passed"), [(1, 3, False), (2, 3, True), (1, 2, False), (2, 2, True),
                                                          (2, 4, False), (3, 4, True)])
def test_the_pass_mark(correct: int, total: int, passed: bool) -> None:
    assert render.passes(correct, total) is passed
    assert render.passes(render.needed(total), total) and not render.passes(render.needed(total) - 1, total)


@pytest.mark.parametrize(("typed", "index"), [("2", 1), ("gösterge", 1), ("GOSTERGE", 1), ("Indicator", 1),
                                              ("faaliyet", 2), ("  amaç ", 0)])
def test_a_choice_is_read_as_a_survey_choice(typed: str, index: int) -> None:
    question = next(lesson for lesson in shipped() if lesson.slug == "plan-terms").quiz[0]
    assert int(read_choice(typed, _as_survey_question(question))) - 1 == index


async def test_an_offer_held_on_whatsapp_is_dropped_once_done_or_declined(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.services.late import LateDelivery, Recipient
    from bot.services.lessons.service import LessonService
    from storage import lessons as repo
    from storage import members as members_repo
    from storage.db import Database
    from storage.lessons import Progress

    now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    db = await Database.open(tmp_path / "k.db")
    try:
        service = LessonService(db, lambda: now, None, None, None)  # type: ignore[arg-type]
        late = LateDelivery()
        service.register_late(late)
        lesson = next(lesson for lesson in shipped() if lesson.slug == "monitoring")
        held = LessonService.offer_reply(lesson, "monitoring-survey", "tr", now)
        async with db.transaction() as tx:
            ayse = await members_repo.create(tx, display_name="Ayşe", language="tr", channel="whatsapp",
                                             external_id="1", now=now)
            fatma = await members_repo.create(tx, display_name="Fatma", language="tr", channel="whatsapp",
                                              external_id="2", now=now)
            emma = await members_repo.create(tx, display_name="Emma", language="en", channel="whatsapp",
                                             external_id="3", now=now)
            await repo.save(tx, Progress(ayse.id, "monitoring", step=7, passed_at=now), now)
            await repo.decline(tx, fatma.id, "monitoring", now)
        async with db.read() as conn:
            later = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
            assert await late.review(conn, held, Recipient(ayse.id, "tr"), later) is None  # completed meanwhile
            assert await late.review(conn, held, Recipient(fatma.id, "tr"), later) is None  # said no thanks
            assert await late.review(conn, held, Recipient(emma.id, "en"), later) is not None
            too_late = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)  # a week on: stale
            assert await late.review(conn, held, Recipient(emma.id, "en"), too_late) is None
    finally:
        await db.close()
