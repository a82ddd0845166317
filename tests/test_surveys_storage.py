"""The survey repository against a real SQLite file: forms, named and anonymous responses,
typed answers, target cards, /forget."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.models import Role
from bot.services.surveys.model import Answer, Evidence, Indicator, SurveyForm
from storage import groups as groups_repo
from storage import members as members_repo
from storage import personal_data
from storage import surveys as repo
from storage.db import Database

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)

FORM = SurveyForm.model_validate({
    "code": "t1", "title": {"tr": "Deneme", "en": "Trial"},
    "questions": [
        {"name": "places", "type": "integer", "label": {"tr": "Kreş kontenjanı"}, "required": True,
         "indicator": "I4", "min": 0},
        {"name": "share", "type": "percentage", "label": {"tr": "Pay"}},
        {"name": "unit", "type": "yes_no", "label": {"tr": "Birim var mı?"}},
        {"name": "areas", "type": "select_multiple", "label": {"tr": "Alanlar"},
         "choices": [{"name": "a", "label": {"tr": "A"}}, {"name": "b", "label": {"tr": "B"}},
                     {"name": "c", "label": {"tr": "C"}}]},
        {"name": "when", "type": "date", "label": {"tr": "Tarih"}},
        {"name": "photo", "type": "evidence", "label": {"tr": "Fotoğraf"},
         "relevant": {"question": "unit", "op": "eq", "value": True}},
    ]})


async def _setup(path: Path) -> tuple[Database, int, int, int]:
    db = await Database.open(path)
    async with db.transaction() as tx:
        group = await groups_repo.create(tx, name="Kars", city="Kars", language="tr",
                                         timezone="Europe/Istanbul", now=NOW)
        ayse = await members_repo.create(tx, display_name="Ayşe", language="tr", channel="telegram",
                                         external_id="1", now=NOW)
        zeynep = await members_repo.create(tx, display_name="Zeynep", language="tr", channel="telegram",
                                           external_id="2", now=NOW)
        for member in (ayse, zeynep):
            await members_repo.add_membership(tx, group.id, member.id, Role.MEMBER, NOW)
    return db, group.id, ayse.id, zeynep.id


async def test_named_response_round_trips_typed_answers_and_forget(tmp_path: Path) -> None:
    db, group_id, ayse, zeynep = await _setup(tmp_path / "k.db")
    async with db.transaction() as tx:
        form_id = await repo.save_form(tx, FORM, NOW, group_id=group_id)
        survey = await repo.create_survey(tx, group_id=group_id, form_id=form_id, deadline=NOW + timedelta(days=7),
                                          anonymous=False, created_by=ayse, now=NOW)
        await repo.add_recipients(tx, survey, [ayse, zeynep], NOW)
        response = await repo.start_response(tx, survey, ayse, NOW)
        q = {question.name: question for question in FORM.questions}
        await repo.save_answer(tx, response.id, Answer.of(q["places"], 1250, comment="2 yeni kreş"))
        await repo.save_answer(tx, response.id, Answer.of(q["share"], 12.5))
        await repo.save_answer(tx, response.id, Answer.of(q["unit"], True))
        await repo.save_answer(tx, response.id, Answer.of(q["areas"], ["c", "a"]))
        await repo.save_answer(tx, response.id, Answer.of(q["when"], date(2026, 12, 3)))
        await repo.save_answer(tx, response.id, Answer.of(q["photo"], Evidence(
            kind="photo", file_id="F1", path="/tmp/x.jpg", filename="x.jpg")))
        await repo.submit(tx, survey, response.id, ayse, NOW)
    async with db.read() as conn:
        assert await repo.get_form(conn, form_id) == FORM
        [stored] = await repo.responses(conn, survey.id)
        assert stored.member_id == ayse and stored.submitted
        values = {name: answer.value(q[name]) for name, answer in stored.answers.items()}
        assert values == {"places": 1250, "share": 12.5, "unit": True, "areas": ["a", "c"],
                          "when": date(2026, 12, 3), "photo": Evidence(kind="photo", file_id="F1",
                                                                       path="/tmp/x.jpg", filename="x.jpg")}
        assert stored.answers["places"].comment == "2 yeni kreş"
        assert await repo.unfinished_member_ids(conn, survey.id) == [zeynep]
        assert await repo.evidence_paths_of_member(conn, ayse) == ["/tmp/x.jpg"]
        mine = await personal_data.export(conn, ayse)
        assert any(row["question"] == "places" and row["value_num"] == 1250 for row in mine["surveys"])
    async with db.transaction() as tx:
        await repo.forget_member(tx, ayse)
    async with db.read() as conn:
        assert await repo.responses(conn, survey.id) == []
    await db.close()


async def test_anonymous_response_is_unlinked_after_submission(tmp_path: Path) -> None:
    db, group_id, ayse, zeynep = await _setup(tmp_path / "k.db")
    async with db.transaction() as tx:
        form_id = await repo.save_form(tx, FORM, NOW)
        survey = await repo.create_survey(tx, group_id=group_id, form_id=form_id, deadline=NOW + timedelta(days=7),
                                          anonymous=True, created_by=None, now=NOW)
        await repo.add_recipients(tx, survey, [ayse, zeynep], NOW)
        response = await repo.start_response(tx, survey, ayse, NOW)
        again = await repo.start_response(tx, survey, ayse, NOW + timedelta(hours=5))
        assert again.id == response.id  # resumes her unfinished response
        await repo.save_answer(tx, response.id, Answer.of(FORM.questions[0], 3))
        await repo.submit(tx, survey, response.id, ayse, NOW)
    async with db.read() as conn:
        [stored] = await repo.responses(conn, survey.id)
        assert stored.member_id is None
        assert stored.started_at == datetime(2026, 12, 1, tzinfo=UTC)  # no time finer than a day
        assert await repo.find_response(conn, survey, ayse) is None
        rows = await conn.execute_fetchall("SELECT respondent_token FROM survey_responses")
        assert [row[0] for row in rows] == [None]
        assert await repo.unfinished_member_ids(conn, survey.id) == [zeynep]
    await db.close()


async def test_target_cards_and_group_indicators(tmp_path: Path) -> None:
    db, group_id, *_ = await _setup(tmp_path / "k.db")
    own = Indicator(code="KARS_1", name={"tr": "Kış kreşi"}, unit={"tr": "yer"}, answer_type="integer",
                    explanation={"tr": "Kışın açık kreş yeri"}, source={"tr": "belediye"}, frequency="yearly")
    async with db.transaction() as tx:
        await repo.save_indicator(tx, group_id, own, NOW)
        await repo.set_baseline(tx, group_id, "I4", 400, 2024, NOW)
        await repo.set_target(tx, group_id, "I4", 2027, 700, NOW)
        await repo.set_target(tx, group_id, "I4", 2026, 550, NOW)
        await repo.set_target(tx, group_id, "I4", 2026, 600, NOW)
    async with db.read() as conn:
        card = await repo.target_card(conn, group_id, "I4")
        assert card is not None and card.baseline == 400 and card.baseline_year == 2024
        assert card.targets == {2026: 600, 2027: 700}
        assert [indicator.code for indicator in await repo.group_indicators(conn, group_id)] == ["KARS_1"]
    await db.close()
