"""Surveys: group-defined indicators, target cards, forms, surveys, recipients, responses
and typed answers (migration 006). Models in `bot.services.surveys.model`.

Anonymous surveys: a response row has no member_id; while she is answering, a random token
on her `survey_recipients` row finds her unfinished response, and `submit` erases the token
on both rows, so afterwards nothing links her to her answers. Recipient times and answer
times of anonymous surveys are cut to the day (or not stored).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from datetime import UTC, date, datetime


from bot.services.surveys.model import (
    Answer,
    Evidence,
    Indicator,
    Recipient,
    Response,
    Survey,
    SurveyForm,
    SurveyKind,
    SurveyStatus,
    TargetCard,
)
from storage import personal_data
from storage.sql import Connection, Row, fetch_all, fetch_one, insert_returning_id
from storage.times import from_db, to_db


def _day(moment: datetime) -> datetime:
    """Midnight UTC of `moment`'s day: the finest time kept about anonymous respondents."""
    utc = moment.astimezone(UTC)
    return datetime(utc.year, utc.month, utc.day, tzinfo=UTC)


# -- indicators (the group's own) ---------------------------------------------------------

def _indicator(row: Row) -> Indicator:
    return Indicator(code=row["code"], name=json.loads(row["name"]), unit=json.loads(row["unit"]),
                     answer_type=row["answer_type"], explanation=json.loads(row["explanation"]),
                     source=json.loads(row["source"]), frequency=row["frequency"],
                     group_id=row["group_id"])


async def save_indicator(conn: Connection, group_id: int, indicator: Indicator, now: datetime) -> None:
    """Create or replace the group's indicator `indicator.code`."""
    def dumps(value: dict[str, str]) -> str:
        return json.dumps(value, ensure_ascii=False)
    await conn.execute(
        "INSERT INTO indicators (group_id, code, name, unit, answer_type, explanation, source, frequency, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (group_id, code) DO UPDATE SET "
        "name = excluded.name, unit = excluded.unit, answer_type = excluded.answer_type, "
        "explanation = excluded.explanation, source = excluded.source, frequency = excluded.frequency",
        (group_id, indicator.code, dumps(indicator.name), dumps(indicator.unit), str(indicator.answer_type),
         dumps(indicator.explanation), dumps(indicator.source), str(indicator.frequency), to_db(now)))


async def group_indicators(conn: Connection, group_id: int) -> list[Indicator]:
    rows = await fetch_all(conn, "SELECT * FROM indicators WHERE group_id = ? ORDER BY id", (group_id,))
    return [_indicator(row) for row in rows]


# -- target cards (baseline + yearly targets) ---------------------------------------------

async def set_baseline(conn: Connection, group_id: int, code: str, baseline: float | None,
                       baseline_year: int | None, now: datetime) -> None:
    await conn.execute(
        "INSERT INTO indicator_baselines (group_id, indicator_code, baseline, baseline_year, updated_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (group_id, indicator_code) DO UPDATE SET "
        "baseline = excluded.baseline, baseline_year = excluded.baseline_year, updated_at = excluded.updated_at",
        (group_id, code, baseline, baseline_year, to_db(now)))


async def delete_target(conn: Connection, group_id: int, code: str, year: int) -> bool:
    """Remove one year's target (a mistyped year); True if there was one."""
    cursor = await conn.execute("DELETE FROM indicator_targets WHERE group_id = ? AND indicator_code = ? AND year = ?",
                                (group_id, code, year))
    return cursor.rowcount > 0


async def set_target(conn: Connection, group_id: int, code: str, year: int, target: float,
                     now: datetime) -> None:
    await conn.execute(
        "INSERT INTO indicator_targets (group_id, indicator_code, year, target, updated_at) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (group_id, indicator_code, year) DO UPDATE SET "
        "target = excluded.target, updated_at = excluded.updated_at",
        (group_id, code, year, target, to_db(now)))


async def target_cards(conn: Connection, group_id: int) -> dict[str, TargetCard]:
    """Every indicator of the group with a baseline or a target, by indicator code."""
    cards: dict[str, TargetCard] = {}
    rows = await fetch_all(conn, "SELECT * FROM indicator_baselines WHERE group_id = ?", (group_id,))
    for row in rows:
        cards[row["indicator_code"]] = TargetCard(
            group_id=group_id, indicator_code=row["indicator_code"], baseline=row["baseline"],
            baseline_year=row["baseline_year"])
    rows = await fetch_all(conn, "SELECT * FROM indicator_targets WHERE group_id = ? ORDER BY year",
                            (group_id,))
    for row in rows:
        card = cards.setdefault(row["indicator_code"], TargetCard(
            group_id=group_id, indicator_code=row["indicator_code"]))
        card.targets[int(row["year"])] = float(row["target"])
    return cards


async def target_card(conn: Connection, group_id: int, code: str) -> TargetCard | None:
    return (await target_cards(conn, group_id)).get(code)


# -- forms --------------------------------------------------------------------------------

async def save_form(conn: Connection, form: SurveyForm, now: datetime, *, group_id: int | None = None,
                    source: str = "template", is_template: bool = False) -> int:
    """Store a form definition; returns its id. `is_template` marks a group's own reusable
    template (listed by /anket); copies made for one survey are not templates."""
    return await insert_returning_id(
        conn, "INSERT INTO survey_forms (group_id, code, title, definition, source, is_template, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (group_id, form.code, json.dumps(form.title, ensure_ascii=False), form.model_dump_json(),
         source, int(is_template), to_db(now)))


async def get_form(conn: Connection, form_id: int) -> SurveyForm | None:
    row = await fetch_one(conn, "SELECT definition FROM survey_forms WHERE id = ?", (form_id,))
    return SurveyForm.model_validate_json(row["definition"]) if row else None


async def group_templates(conn: Connection, group_id: int) -> list[tuple[int, SurveyForm]]:
    """The group's own templates (latest version per code), as (form id, form)."""
    rows = await fetch_all(
        conn, "SELECT id, definition FROM survey_forms WHERE group_id = ? AND is_template = 1 AND id IN "
        "(SELECT MAX(id) FROM survey_forms WHERE group_id = ? AND is_template = 1 GROUP BY code) ORDER BY id",
        (group_id, group_id))
    return [(row["id"], SurveyForm.model_validate_json(row["definition"])) for row in rows]


# -- surveys ------------------------------------------------------------------------------

def _survey(row: Row) -> Survey:
    deadline, created = from_db(row["deadline"]), from_db(row["created_at"])
    assert deadline is not None and created is not None
    return Survey(id=row["id"], group_id=row["group_id"], form_id=row["form_id"], kind=row["kind"],
                  template=row["template"], deadline=deadline, anonymous=bool(row["anonymous"]),
                  status=row["status"], nudge_hours=json.loads(row["nudge_hours"]),
                  created_by=row["created_by"], created_at=created, closed_at=from_db(row["closed_at"]))


async def create_survey(conn: Connection, *, group_id: int, form_id: int, deadline: datetime,
                        anonymous: bool, created_by: int | None, now: datetime,
                        kind: SurveyKind = SurveyKind.SURVEY, template: str | None = None,
                        nudge_hours: Iterable[int] = (72, 24)) -> Survey:
    new_id = await insert_returning_id(
        conn, "INSERT INTO surveys (group_id, form_id, kind, template, deadline, anonymous, nudge_hours, "
        "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        (group_id, form_id, str(kind), template, to_db(deadline), int(anonymous),
         json.dumps(sorted(set(nudge_hours), reverse=True)), created_by, to_db(now)))
    survey = await get_survey(conn, new_id)
    assert survey is not None
    return survey


async def get_survey(conn: Connection, survey_id: int) -> Survey | None:
    row = await fetch_one(conn, "SELECT * FROM surveys WHERE id = ?", (survey_id,))
    return _survey(row) if row else None


async def surveys_for_groups(conn: Connection, group_ids: list[int], *, status: SurveyStatus | None = None,
                             kind: SurveyKind | None = SurveyKind.SURVEY, limit: int = 50) -> list[Survey]:
    """The groups' surveys, latest deadline first."""
    if not group_ids:
        return []
    marks = ",".join("?" * len(group_ids))
    sql = f"SELECT * FROM surveys WHERE group_id IN ({marks})"
    params: list[object] = list(group_ids)
    if status is not None:
        sql += " AND status = ?"
        params.append(str(status))
    if kind is not None:
        sql += " AND kind = ?"
        params.append(str(kind))
    sql += " ORDER BY deadline DESC, id DESC LIMIT ?"
    params.append(limit)
    rows = await fetch_all(conn, sql, params)
    return [_survey(row) for row in rows]


async def close_survey(conn: Connection, survey_id: int, now: datetime) -> bool:
    """Close an open survey; False if it was already closed."""
    cursor = await conn.execute("UPDATE surveys SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'",
                                (to_db(now), survey_id))
    return cursor.rowcount > 0


async def set_deadline(conn: Connection, survey_id: int, deadline: datetime) -> None:
    """Move the deadline (and reopen a closed survey when the new deadline is later)."""
    await conn.execute("UPDATE surveys SET deadline = ?, status = 'open', closed_at = NULL WHERE id = ?",
                       (to_db(deadline), survey_id))


async def set_nudge_hours(conn: Connection, survey_id: int, hours: Iterable[int]) -> None:
    await conn.execute("UPDATE surveys SET nudge_hours = ? WHERE id = ?",
                       (json.dumps(sorted(set(hours), reverse=True)), survey_id))


async def set_poll_message(conn: Connection, survey_id: int, where: dict[str, str] | None) -> None:
    await conn.execute("UPDATE surveys SET poll_message = ? WHERE id = ?",
                       (json.dumps(where) if where else None, survey_id))


async def poll_message(conn: Connection, survey_id: int) -> dict[str, str] | None:
    row = await fetch_one(conn, "SELECT poll_message FROM surveys WHERE id = ?", (survey_id,))
    return json.loads(row["poll_message"]) if row and row["poll_message"] else None


# -- recipients ---------------------------------------------------------------------------

async def survey_audience(conn: Connection, group_id: int) -> list[int]:
    """Members of the group whose latest answer to the `surveys` consent purpose is yes."""
    rows = await fetch_all(
        conn, "SELECT ms.member_id FROM memberships ms WHERE ms.group_id = ? AND (SELECT c.granted FROM consents c "
        "WHERE c.member_id = ms.member_id AND c.purpose = 'surveys' ORDER BY c.id DESC LIMIT 1) = 1 "
        "ORDER BY ms.member_id", (group_id,))
    return [int(row["member_id"]) for row in rows]


def _recipient(row: Row) -> Recipient:
    invited = from_db(row["invited_at"])
    assert invited is not None
    return Recipient(survey_id=row["survey_id"], member_id=row["member_id"], invited_at=invited,
                     started_at=from_db(row["started_at"]), submitted_at=from_db(row["submitted_at"]))


async def add_recipients(conn: Connection, survey: Survey, member_ids: Iterable[int], now: datetime) -> None:
    when = to_db(_day(now) if survey.anonymous else now)
    await conn.executemany(
        "INSERT INTO survey_recipients (survey_id, member_id, invited_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        [(survey.id, member_id, when) for member_id in member_ids])


async def recipients(conn: Connection, survey_id: int) -> list[Recipient]:
    rows = await fetch_all(conn, "SELECT * FROM survey_recipients WHERE survey_id = ? ORDER BY member_id",
                            (survey_id,))
    return [_recipient(row) for row in rows]


async def recipient(conn: Connection, survey_id: int, member_id: int) -> Recipient | None:
    row = await fetch_one(conn, "SELECT * FROM survey_recipients WHERE survey_id = ? AND member_id = ?",
                     (survey_id, member_id))
    return _recipient(row) if row else None


async def unfinished_member_ids(conn: Connection, survey_id: int) -> list[int]:
    """Recipients who have not submitted (the nudges' audience)."""
    rows = await fetch_all(conn, "SELECT member_id FROM survey_recipients WHERE survey_id = ? AND submitted_at IS NULL "
                            "ORDER BY member_id", (survey_id,))
    return [int(row["member_id"]) for row in rows]


async def open_surveys_for_member(conn: Connection, member_id: int) -> list[tuple[Survey, Recipient]]:
    """Open surveys sent to the member, soonest deadline first, with her progress."""
    rows = await fetch_all(
        conn, "SELECT s.*, r.survey_id AS r_survey_id, r.member_id AS r_member_id, r.invited_at, r.started_at, "
        "r.submitted_at FROM survey_recipients r JOIN surveys s ON s.id = r.survey_id "
        "WHERE r.member_id = ? AND s.status = 'open' AND s.kind = 'survey' ORDER BY s.deadline, s.id",
        (member_id,))
    result = []
    for row in rows:
        invited = from_db(row["invited_at"])
        assert invited is not None
        result.append((_survey(row), Recipient(
            survey_id=row["r_survey_id"], member_id=row["r_member_id"], invited_at=invited,
            started_at=from_db(row["started_at"]), submitted_at=from_db(row["submitted_at"]))))
    return result


# -- responses and answers ----------------------------------------------------------------

def _response(row: Row) -> Response:
    started = from_db(row["started_at"])
    assert started is not None
    return Response(id=row["id"], survey_id=row["survey_id"], member_id=row["member_id"], started_at=started,
                    submitted_at=from_db(row["submitted_at"]), current_question=row["current_question"],
                    auto_submitted=bool(row["auto_submitted"]))


def _answer(row: Row) -> Answer:
    evidence = None
    if row["evidence_file_id"] is not None:
        evidence = Evidence(kind=row["evidence_kind"] or "document", file_id=row["evidence_file_id"],
                            path=row["evidence_path"], filename=row["evidence_filename"],
                            mime_type=row["evidence_mime"])
    return Answer(question=row["question"], value_num=row["value_num"], value_text=row["value_text"],
                  value_date=date.fromisoformat(row["value_date"]) if row["value_date"] else None,
                  value_json=json.loads(row["value_json"]) if row["value_json"] else None,
                  comment=row["comment"], evidence=evidence, skipped=bool(row["skipped"]),
                  answered_at=from_db(row["answered_at"]))


async def _with_answers(conn: Connection, response: Response) -> Response:
    rows = await fetch_all(conn, "SELECT * FROM survey_answers WHERE response_id = ?", (response.id,))
    response.answers = {row["question"]: _answer(row) for row in rows}
    return response


async def get_response(conn: Connection, response_id: int) -> Response | None:
    row = await fetch_one(conn, "SELECT * FROM survey_responses WHERE id = ?", (response_id,))
    return await _with_answers(conn, _response(row)) if row else None


async def find_response(conn: Connection, survey: Survey, member_id: int) -> Response | None:
    """The member's response to `survey` (named), or her unfinished one (anonymous: through
    the recipient token; a submitted anonymous response can no longer be found)."""
    if survey.anonymous:
        sql = ("SELECT sr.* FROM survey_responses sr JOIN survey_recipients r ON r.token = sr.respondent_token "
               "WHERE r.survey_id = ? AND r.member_id = ? AND r.token IS NOT NULL")
    else:
        sql = "SELECT * FROM survey_responses WHERE survey_id = ? AND member_id = ?"
    row = await fetch_one(conn, sql, (survey.id, member_id))
    return await _with_answers(conn, _response(row)) if row else None


async def start_response(conn: Connection, survey: Survey, member_id: int, now: datetime) -> Response:
    """Her existing unfinished response, or a new one (marks the recipient started)."""
    existing = await find_response(conn, survey, member_id)
    if existing is not None:
        return existing
    if survey.anonymous:
        token = secrets.token_urlsafe(16)
        day = to_db(_day(now))
        response_id = await insert_returning_id(
            conn, "INSERT INTO survey_responses (survey_id, member_id, respondent_token, started_at, updated_at) "
            "VALUES (?, NULL, ?, ?, ?) RETURNING id", (survey.id, token, day, day))
        await conn.execute(
            "INSERT INTO survey_recipients (survey_id, member_id, invited_at, started_at, token) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (survey_id, member_id) DO UPDATE SET started_at = COALESCE(survey_recipients.started_at, excluded.started_at), "
            "token = excluded.token", (survey.id, member_id, day, day, token))
    else:
        response_id = await insert_returning_id(
            conn, "INSERT INTO survey_responses (survey_id, member_id, started_at, updated_at) VALUES (?, ?, ?, ?) "
            "RETURNING id",
            (survey.id, member_id, to_db(now), to_db(now)))
        await conn.execute(
            "INSERT INTO survey_recipients (survey_id, member_id, invited_at, started_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (survey_id, member_id) DO UPDATE SET started_at = COALESCE(survey_recipients.started_at, excluded.started_at)",
            (survey.id, member_id, to_db(now), to_db(now)))
    response = await get_response(conn, response_id)
    assert response is not None
    return response


async def set_current_question(conn: Connection, response_id: int, question: str | None, now: datetime) -> None:
    await conn.execute("UPDATE survey_responses SET current_question = ? WHERE id = ?", (question, response_id))


async def save_answer(conn: Connection, response_id: int, answer: Answer) -> None:
    """Create or replace the answer to `answer.question`."""
    evidence = answer.evidence
    await conn.execute(
        "INSERT INTO survey_answers (response_id, question, value_num, value_text, value_date, value_json, comment, "
        "evidence_kind, evidence_file_id, evidence_path, evidence_filename, evidence_mime, skipped, answered_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (response_id, question) DO UPDATE SET "
        "value_num = excluded.value_num, value_text = excluded.value_text, value_date = excluded.value_date, "
        "value_json = excluded.value_json, comment = excluded.comment, evidence_kind = excluded.evidence_kind, "
        "evidence_file_id = excluded.evidence_file_id, evidence_path = excluded.evidence_path, "
        "evidence_filename = excluded.evidence_filename, evidence_mime = excluded.evidence_mime, "
        "skipped = excluded.skipped, answered_at = excluded.answered_at",
        (response_id, answer.question, answer.value_num, answer.value_text,
         answer.value_date.isoformat() if answer.value_date else None,
         json.dumps(answer.value_json, ensure_ascii=False) if answer.value_json is not None else None,
         answer.comment, evidence.kind if evidence else None, evidence.file_id if evidence else None,
         evidence.path if evidence else None, evidence.filename if evidence else None,
         evidence.mime_type if evidence else None, int(answer.skipped),
         to_db(answer.answered_at) if answer.answered_at else None))


async def set_comment(conn: Connection, response_id: int, question: str, comment: str | None) -> None:
    await conn.execute("UPDATE survey_answers SET comment = ? WHERE response_id = ? AND question = ?",
                       (comment, response_id, question))


async def delete_answer(conn: Connection, response_id: int, question: str) -> None:
    await conn.execute("DELETE FROM survey_answers WHERE response_id = ? AND question = ?", (response_id, question))


async def submit(conn: Connection, survey: Survey, response_id: int, member_id: int, now: datetime) -> None:
    """Mark the response submitted and the member finished; for an anonymous survey, erase
    the token that linked them."""
    when = to_db(_day(now) if survey.anonymous else now)
    await conn.execute("UPDATE survey_responses SET submitted_at = ?, current_question = NULL, "
                       "respondent_token = NULL, updated_at = ? WHERE id = ?", (when, when, response_id))
    await conn.execute("UPDATE survey_recipients SET submitted_at = ?, token = NULL WHERE survey_id = ? AND member_id = ?",
                       (when, survey.id, member_id))


async def submit_unsent(conn: Connection, survey: Survey, response_id: int, now: datetime) -> None:
    """At the closing: mark a response she never sent submitted, `auto_submitted`, and her
    recipient row finished (found by member for a named survey, by the token for an
    anonymous one, which is then erased like at a normal submission)."""
    when = to_db(_day(now) if survey.anonymous else now)
    row = await fetch_one(conn, "SELECT member_id, respondent_token FROM survey_responses WHERE id = ?", (response_id,))
    if row is None:
        return
    await conn.execute("UPDATE survey_responses SET submitted_at = ?, auto_submitted = 1, current_question = NULL, "
                       "respondent_token = NULL, updated_at = ? WHERE id = ?", (when, when, response_id))
    if row["member_id"] is not None:
        await conn.execute("UPDATE survey_recipients SET submitted_at = ? WHERE survey_id = ? AND member_id = ?",
                           (when, survey.id, row["member_id"]))
    elif row["respondent_token"] is not None:
        await conn.execute("UPDATE survey_recipients SET submitted_at = ?, token = NULL WHERE survey_id = ? "
                           "AND token = ?", (when, survey.id, row["respondent_token"]))


async def unlink_unsent(conn: Connection, survey: Survey) -> None:
    """At the closing of an anonymous survey: erase the tokens that still tie unsent
    (partial) responses to their members, so nothing links anyone to her answers."""
    if not survey.anonymous:
        return
    await conn.execute("UPDATE survey_responses SET respondent_token = NULL WHERE survey_id = ? "
                       "AND submitted_at IS NULL", (survey.id,))
    await conn.execute("UPDATE survey_recipients SET token = NULL WHERE survey_id = ?", (survey.id,))


async def responses(conn: Connection, survey_id: int, *, submitted_only: bool = True) -> list[Response]:
    """All responses with their answers (two queries, whatever the count), oldest first."""
    where = "survey_id = ?" + (" AND submitted_at IS NOT NULL" if submitted_only else "")
    rows = await fetch_all(conn, f"SELECT * FROM survey_responses WHERE {where} ORDER BY id", (survey_id,))
    found = {row["id"]: _response(row) for row in rows}
    rows = await fetch_all(
        conn, f"SELECT a.* FROM survey_answers a JOIN survey_responses sr ON sr.id = a.response_id WHERE sr.{where}",
        (survey_id,))
    for row in rows:
        response = found.get(row["response_id"])
        if response is not None:
            response.answers[row["question"]] = _answer(row)
    return list(found.values())


async def evidence_paths_of_member(conn: Connection, member_id: int) -> list[str]:
    """Stored evidence files of the member's named answers (to delete with /forget)."""
    rows = await fetch_all(
        conn, "SELECT a.evidence_path FROM survey_answers a JOIN survey_responses sr ON sr.id = a.response_id "
        "WHERE sr.member_id = ? AND a.evidence_path IS NOT NULL", (member_id,))
    return [row["evidence_path"] for row in rows]


async def forget_member(conn: Connection, member_id: int) -> None:
    """Delete the member's named responses (and answers) and her recipient rows. Anonymous
    answers already carry no link to her and stay, as aggregates; an anonymous response she had
    not submitted yet goes too."""
    await conn.execute("DELETE FROM survey_responses WHERE member_id = ? OR respondent_token IN "
                       "(SELECT token FROM survey_recipients WHERE member_id = ? AND token IS NOT NULL)",
                       (member_id, member_id))
    await conn.execute("DELETE FROM survey_recipients WHERE member_id = ?", (member_id,))


@personal_data.section("surveys")
async def _personal_answers(conn: Connection, member_id: int) -> object:
    """Her named survey answers (anonymous answers cannot be traced back to her)."""
    rows = await fetch_all(
        conn, "SELECT s.id AS survey_id, f.code AS form, sr.started_at, sr.submitted_at, a.question, a.value_num, "
        "a.value_text, a.value_date, a.value_json, a.comment, a.evidence_filename, a.answered_at "
        "FROM survey_responses sr JOIN surveys s ON s.id = sr.survey_id JOIN survey_forms f ON f.id = s.form_id "
        "LEFT JOIN survey_answers a ON a.response_id = sr.id WHERE sr.member_id = ? ORDER BY sr.id, a.question",
        (member_id,))
    return [dict(row) for row in rows]
