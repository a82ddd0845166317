"""Target cards take only values the indicator can have (a % is 0–100, a count is whole and not
negative, a yes/no indicator is evet/hayır), from the chat and the command line; and a yes/no
indicator (I8 "equality unit / commission active") gets a plan-versus-actual figure: the
answers' majority against the target state, 100 % or 0 %, with the yes share — in /sonuclar,
the chart and the XLSX."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
from PIL import Image

from bot.errors import InvalidAnswer
from bot.services.surveys.exports import survey_xlsx
from bot.services.surveys.model import IndicatorAnswerType, SurveyForm
from bot.services.surveys.results import QuestionView, ResponseView, SurveyView, TargetCard, summarize
from bot.services.surveys.target_values import read_target_value
from messages import t
from storage import surveys as repo
from tests.harness import Harness
from tests.survey_results_e2e_support import kars_group, member_id
from tests.test_cli import _koordinat

PERCENT, COUNT, DECIMAL, YES_NO = (IndicatorAnswerType.PERCENTAGE, IndicatorAnswerType.INTEGER,
                                   IndicatorAnswerType.DECIMAL, IndicatorAnswerType.YES_NO)


@pytest.mark.parametrize(("typed", "kind", "value"), [
    ("%40", PERCENT, 40.0), ("0", PERCENT, 0.0), ("100 %", PERCENT, 100.0), ("12,5", PERCENT, 12.5),
    ("1.250", COUNT, 1250.0), ("0", COUNT, 0.0), ("12,5", DECIMAL, 12.5),
    ("evet", YES_NO, 1.0), ("Var", YES_NO, 1.0), ("yes", YES_NO, 1.0), ("HAYIR", YES_NO, 0.0), ("yok", YES_NO, 0.0),
])
def test_target_values_fit_the_indicator(typed: str, kind: IndicatorAnswerType, value: float) -> None:
    assert read_target_value(typed, kind) == value


@pytest.mark.parametrize(("typed", "kind", "key"), [
    ("-5", PERCENT, "targets.value_percentage_range"), ("%120", PERCENT, "targets.value_percentage_range"),
    ("100,5", PERCENT, "targets.value_percentage_range"), ("-3", COUNT, "targets.value_negative"),
    ("-0,5", DECIMAL, "targets.value_negative"), ("12,5", COUNT, "targets.value_not_whole"),
    ("çok", COUNT, "targets.value_bad_number"), ("1", YES_NO, "targets.value_bad_yes_no"),
    ("belki", YES_NO, "targets.value_bad_yes_no"),
])
def test_impossible_target_values_are_refused_with_the_reason(typed: str, kind: IndicatorAnswerType,
                                                               key: str) -> None:
    with pytest.raises(InvalidAnswer) as caught:
        read_target_value(typed, kind)
    assert caught.value.key == key
    assert typed in t(key, "tr", **caught.value.params) and "<code>" in t(key, "en", **caught.value.params)


def test_the_command_line_refuses_impossible_values_in_one_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert _koordinat(tmp_path, "group", "create", "Kadın Dostu Kent", "--city", "Kars").returncode == 0
    for args, message in ((("I9", "--target", "2027=%120"), "between 0 and 100"),
                          (("I9", "--baseline", "-5", "--baseline-year", "2024"), "between 0 and 100"),
                          (("I4", "--target", "2027=-40"), "cannot be negative"),
                          (("I4", "--target", "2027=12,5"), "whole number"),
                          (("I8", "--target", "2027=1"), "yes/no")):
        refused = _koordinat(tmp_path, "survey", "target", "Kars", *args)
        assert refused.returncode == 2 and message in refused.stderr, (args, refused.stderr)
        assert len(refused.stderr.strip().splitlines()) == 1 and "Traceback" not in refused.stderr
        assert "<code>" not in refused.stderr
    done = _koordinat(tmp_path, "survey", "target", "Kars", "I8", "--baseline", "hayır", "--baseline-year", "2024",
                      "--target", "2026=evet")
    assert done.returncode == 0, done.stderr
    assert "baseline no (2024); targets 2026: yes" in done.stdout
    shown = _koordinat(tmp_path, "survey", "target", "Kars")
    assert "I8 " in shown.stdout and "I9" not in shown.stdout  # nothing was stored by the refusals


def _survey(answers: list[bool | None], *, baseline: float = 0.0, target: float = 1.0) -> SurveyView:
    question = QuestionView("unit", "yes_no", {"tr": "Eşitlik birimi toplandı mı?", "en": "Did the unit meet?"},
                            indicator="I8")
    return SurveyView(
        id=3, title="Yıllık değerlendirme", group_id=1, group_name="Kadın Dostu Kent", language="tr",
        timezone="Europe/Istanbul", anonymous=False, questions=[question], year=2026,
        responses=[ResponseView({} if value is None else {"unit": value}) for value in answers],
        targets={"I8": TargetCard("I8", baseline=baseline, target=target, target_year=2026, baseline_year=2024,
                                  name={"tr": "Eşitlik birimi / komisyonu", "en": "Equality unit / commission active"})})


def test_a_yes_no_indicator_is_reached_or_not_by_the_majority() -> None:
    [reached] = summarize(_survey([True, True, False, None])).achievements
    assert (reached.actual, reached.percent, reached.reports) == (1.0, 100.0, 3) and reached.met
    assert reached.yes_share == pytest.approx(200 / 3)
    [missed] = summarize(_survey([False, False, True])).achievements
    assert (missed.actual, missed.percent) == (0.0, 0.0) and not missed.met
    [tie] = summarize(_survey([True, False])).achievements
    assert tie.actual is None and tie.percent is None and tie.yes_share == 50.0 and not tie.met
    [kept] = summarize(_survey([True, True, True], baseline=1.0, target=1.0)).achievements
    assert kept.target_equals_baseline and kept.percent == 100.0  # kept as it was: reached
    [abolished] = summarize(_survey([True], baseline=1.0, target=0.0)).achievements  # target "no"
    assert abolished.percent == 0.0
    assert summarize(_survey([None, None])).achievements == []  # nobody answered it


def test_the_xlsx_plan_sheet_shows_states_achievement_and_yes_share() -> None:
    book = openpyxl.load_workbook(io.BytesIO(survey_xlsx(_survey([True, True, False]), lang="tr")))
    rows = list(book["Plan-Gerçekleşme"].iter_rows(values_only=True))
    assert rows[0][9:] == ("Not", "Evet payı (%)")
    i8 = next(row for row in rows if row[0] == "I8")
    assert i8[1:9] == ("Eşitlik birimi / komisyonu", "Hayır", 2024, "Evet", 2026, "Evet", 3, 100)
    assert "çoğunluğu" in i8[9] and i8[10] == pytest.approx(66.7)
    tie = openpyxl.load_workbook(io.BytesIO(survey_xlsx(_survey([True, False], baseline=1.0, target=1.0), lang="en")))
    rows = list(tie["Plan vs actual"].iter_rows(values_only=True))
    i8 = next(row for row in rows if row[0] == "I8")
    assert i8[2:9] == ("Yes", 2024, "Yes", 2026, None, 2, None)
    assert "split evenly" in i8[9] and "keep" in i8[9] and i8[10] == 50


I8_FORM = SurveyForm.model_validate({
    "code": "degerlendirme-i8", "title": {"tr": "Yıllık değerlendirme", "en": "Yearly evaluation"},
    "questions": [
        {"name": "unit", "type": "yes_no", "indicator": "I8", "required": True,
         "label": {"tr": "Eşitlik birimi bu yıl toplandı mı?", "en": "Did the equality unit meet this year?"}},
        {"name": "places", "type": "integer", "indicator": "I4",
         "label": {"tr": "Kreş kontenjanı", "en": "Crèche places"}},
    ]})


async def test_a_coordinator_sets_a_yes_no_target_and_reads_its_achievement(harness: Harness) -> None:
    zeynep, (ayse, fatma, sule, emma), group_id = await kars_group(harness)
    # The target card in the chat: a % above 100 and a yes/no typed as a number are refused.
    pick = await harness.send(zeynep, "/hedef")
    ask = await harness.press(zeynep, pick, next(label for label in pick.button_texts if label.startswith("I10 ")))
    too_big = await harness.send(zeynep, "%120 2024")
    assert "0 ile 100 arasında" in too_big.text and "%32,5" in too_big.text
    assert "Başlangıç değerini" in too_big.text  # the same question in the same message; nothing lost
    await harness.send(zeynep, "%35 2024")
    negative = await harness.send(zeynep, "2026=-10")
    assert "0 ile 100 arasında" in negative.text
    saved = await harness.send(zeynep, "2026=50")
    assert "başlangıç 35 (2024) · hedef 2026: 50" in saved.text

    pick = await harness.send(zeynep, "/hedef")
    ask = await harness.press(zeynep, pick, next(label for label in pick.button_texts if label.startswith("I8 ")))
    assert "hayır 2024" in ask.text
    wrong = await harness.send(zeynep, "0 2024")
    assert "hayır 2024" in wrong.text  # what was wrong and the question, in one message
    targets = await harness.send(zeynep, "Hayır 2024")
    assert "başlangıç Hayır (2024)" in targets.text and "=evet" in targets.text
    early = await harness.send(zeynep, "2023=evet")  # before the baseline's year: refused, asked again
    assert "2023 hedefi" in early.text and "(2024) önce olamaz" in early.text and "Yıllık hedef" in early.text
    saved = await harness.send(zeynep, "2026=evet, 2025: hayır")
    assert "başlangıç Hayır (2024) · hedef 2025: Hayır, 2026: Evet" in saved.text, saved.text
    # A mistyped year can be removed: `2025=-`.
    pick = await harness.send(zeynep, "/hedef")
    await harness.press(zeynep, pick, next(label for label in pick.button_texts if "I8 " in label))
    await harness.send(zeynep, "-")  # the baseline stays
    fixed = await harness.send(zeynep, "2025=-")
    assert "hedef 2026: Evet" in fixed.text and "2025" not in fixed.text.split("hedef", 1)[1], fixed.text

    # Two of three say the unit met this year.
    now = harness.clock.now()
    async with harness.services.db.transaction() as tx:
        form_id = await repo.save_form(tx, I8_FORM, now, group_id=group_id)
        survey = await repo.create_survey(tx, group_id=group_id, form_id=form_id,
                                          deadline=datetime(2026, 12, 10, 20, 59, tzinfo=UTC), anonymous=False,
                                          created_by=await member_id(harness, zeynep), now=now)
        await repo.add_recipients(tx, survey, [await member_id(harness, p) for p in (ayse, fatma, sule, emma)], now)
        for index, (person, said) in enumerate(((ayse, True), (fatma, False), (sule, True))):
            member = await member_id(harness, person)
            response = await repo.start_response(tx, survey, member, now)
            await repo.save_answer(tx, response.id, _answer(said))
            await repo.submit(tx, survey, response.id, member, now + timedelta(minutes=index))

    summary = await harness.send(zeynep, "/sonuclar")
    assert ("I8 Eşitlik birimi / komisyonu: gerçekleşen Evet (evet %67, 3 yanıt), hedef Evet (başlangıç Hayır)"
            " → %100") in summary.text
    chart = await harness.next(zeynep)
    assert chart.kind == "photo" and chart.photo_bytes
    Image.open(io.BytesIO(chart.photo_bytes)).verify()
    sheet = await harness.next(zeynep)
    book = openpyxl.load_workbook(io.BytesIO(sheet.document_bytes or b""))
    i8 = next(row for row in book["Plan-Gerçekleşme"].iter_rows(values_only=True) if row[0] == "I8")
    assert i8[2:9] == ("Hayır", 2024, "Evet", 2026, "Evet", 3, 100) and i8[10] == pytest.approx(66.7)

    english = await harness.send(emma, "/results")  # Emma is a member: results are for coordinators
    assert "Equality unit" not in (english.text or "")


def _answer(said: bool):  # type: ignore[no-untyped-def]
    from bot.services.surveys.model import Answer
    return Answer.of(I8_FORM.question("unit"), said)  # type: ignore[arg-type]


def test_a_target_of_another_year_is_named_with_its_year() -> None:
    from bot.services.surveys.results_text import _of_year

    assert _of_year("Evet", 2025, 2026) == "Evet (2025)"  # the nearest earlier target stands in: say which
    assert _of_year("50", 2026, 2026) == "50" and _of_year("50", 2026, None) == "50"
