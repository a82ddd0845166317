"""XLSForm import and export: the supported subset, refusals that name sheet, row and column,
and the round trip through `koordinat survey export-form`."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import openpyxl
import pytest

from bot.services.surveys.model import QuestionType, SurveyForm
from bot.services.surveys.xlsform import XLSFormError, check_xlsform, read_xlsform, write_xlsform
from tests.survey_results_e2e_support import FORM

SURVEY_HEADER = ["type", "name", "label::Turkish (tr)", "label::English (en)", "hint::Turkish (tr)",
                 "required", "constraint", "relevant", "parameters", "bind::koordinat:indicator"]


def xlsform(survey: list[list[Any]], choices: list[list[Any]] | None = None, *,
            header: list[str] | None = None, settings: dict[str, str] | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(header or SURVEY_HEADER)
    for row in survey:
        sheet.append(row)
    listed = book.create_sheet("choices")
    listed.append(["list_name", "name", "label::Turkish (tr)", "label::English (en)"])
    for row in choices or []:
        listed.append(row)
    if settings:
        info = book.create_sheet("settings")
        info.append(list(settings))
        info.append(list(settings.values()))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


KOBO_FORM = xlsform(
    [["note", "intro", "Hoş geldiniz", "Welcome"],
     ["integer", "creches", "Kreş sayısı", "Number of crèches", "Belediye kreşleri", "yes", ". >= 0 and . <= 500",
      None, None, "I4"],
     ["decimal", "share", "Bütçe payı", "Budget share", None, "no", ". >= 0"],
     ["select_one yn", "unit", "Eşitlik birimi var mı?", "Is there an equality unit?", None, "TRUE"],
     ["integer", "meetings", "Kaç toplantı?", "How many meetings?", None, None, None, "${unit} = 'yes'"],
     ["select_one light", "lighting", "Aydınlatma", "Lighting"],
     ["select_multiple areas", "areas", "Alanlar", "Areas", None, None, None, "${lighting} != 'good'"],
     ["range", "satisfaction", "Memnuniyet", "Satisfaction", None, None, None, None, "start=1 end=5 step=1"],
     ["text", "opinion", "Görüşünüz", "Your view", None, None, "string-length(.) <= 500",
      "selected(${areas}, 'care')"],
     ["date", "walked", "Yürüyüş tarihi", "Walk date", None, None, ". >= date('2026-01-01')"],
     ["image", "photo", "Fotoğraf", "Photo", None, None, None, "${satisfaction} < 3"],
     ["percentage", "lit", "Aydınlatılmış alan", "Lit area"]],
    [["yn", "yes", "Evet", "Yes"], ["yn", "no", "Hayır", "No"],
     ["light", "good", "İyi", "Good"], ["light", "poor", "Zayıf", "Poor"],
     ["areas", "care", "Bakım", "Care"], ["areas", "safety", "Güvenlik", "Safety"]],
    settings={"form_title": "Kars izleme", "form_id": "kars_izleme"})


def test_a_kobo_style_form_is_read_with_every_supported_type() -> None:
    form = read_xlsform(KOBO_FORM, file="kars.xlsx")
    assert form.code == "kars_izleme" and form.title == {"tr": "Kars izleme"}
    q = {question.name: question for question in form.questions}
    assert [question.type for question in form.questions] == [
        QuestionType.NOTE, QuestionType.INTEGER, QuestionType.DECIMAL, QuestionType.YES_NO, QuestionType.INTEGER,
        QuestionType.SELECT_ONE, QuestionType.SELECT_MULTIPLE, QuestionType.RANGE, QuestionType.TEXT,
        QuestionType.DATE, QuestionType.EVIDENCE, QuestionType.PERCENTAGE]
    creches = q["creches"]
    assert creches.label == {"tr": "Kreş sayısı", "en": "Number of crèches"} and creches.hint == {"tr": "Belediye kreşleri"}
    assert creches.required and (creches.min, creches.max) == (0, 500) and creches.indicator == "I4"
    assert (q["share"].min, q["share"].max, q["share"].required) == (0, None, False)
    assert q["unit"].required
    assert q["meetings"].relevant is not None and q["meetings"].relevant.model_dump() == \
        {"question": "unit", "op": "eq", "value": True}
    assert [c.label["en"] for c in q["lighting"].choices] == ["Good", "Poor"]
    assert q["areas"].relevant.model_dump() == {"question": "lighting", "op": "ne", "value": "good"}  # type: ignore[union-attr]
    assert q["satisfaction"].scale is not None and q["satisfaction"].scale.points() == [1, 2, 3, 4, 5]
    assert q["opinion"].max == 500 and q["opinion"].relevant.model_dump() == \
        {"question": "areas", "op": "eq", "value": "care"}  # type: ignore[union-attr]
    assert q["walked"].min == date(2026, 1, 1)
    assert q["photo"].relevant.model_dump() == {"question": "satisfaction", "op": "lt", "value": 3}  # type: ignore[union-attr]


def test_an_unsupported_type_is_refused_with_its_row_and_column_named() -> None:
    data = xlsform([["integer", "creches", "Kreş sayısı"], ["text", "note1", "Not"],
                    ["time", "when", "Saat"]])
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(data, file="kars.xlsx")
    message = str(caught.value)
    assert "kars.xlsx" in message and "survey!row 4, column A (type)" in message and "'time'" in message


@pytest.mark.parametrize(("row", "column", "fragment"), [
    (["select_one_from_file places.csv", "q", "Soru"], "A (type)", "attached file"),
    (["select_one missing", "q", "Soru"], "A (type)", "'missing' is not on the choices sheet"),
    (["integer", "q", "Soru", None, None, None, None, "${nope} = 'x'"], "H (relevant)", "no question has that name"),
    (["integer", "q", "Soru", None, None, None, None, "${later} = 'x'"], "H (relevant)", "comes later (row 4)"),
    (["integer", "q", "Soru", None, None, None, None, "${a} + ${b} > 3"], "H (relevant)", "beyond the chat's skip logic"),
    (["integer", "q", "Soru", None, None, "sometimes"], "F (required)", "write yes or no"),
    (["range", "q", "Soru", None, None, None, None, None, "from=1 to=5"], "I (parameters)", "start=1 end=5"),
    (["integer", "2bad", "Soru"], "B (name)", "letters, digits"),
    (["integer", "q"], "A (type)", "no label"),
    (["begin repeat", "r", "Tekrar"], "A (type)", "fixed repeat_count"),
    (["barcode", "q", "Kod"], "A (type)", "barcode"),
])
def test_anything_outside_the_subset_is_refused_never_dropped(row: list[Any], column: str, fragment: str) -> None:
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(xlsform([["yes_no", "a", "A mı?"], row, ["text", "later", "Sonra"]]))
    problem = caught.value.problems[0]
    assert (problem.sheet, problem.row) == ("survey", 3)
    assert column in problem.column and fragment in problem.message.lower() if fragment.islower() else \
        fragment in problem.message, str(caught.value)
    assert "Value error" not in str(caught.value) and "validation error" not in str(caught.value)


def test_display_and_unknown_columns_are_left_out_with_a_note() -> None:
    header = [*SURVEY_HEADER, "constraint_message", "appearance", "$kuid"]
    used = xlsform([["integer", "q", "Soru"], ["text", "t", "Metin", None, None, None, None, None, None, None,
                                                None, "multiline", "abc1"]], header=header)
    checked = check_xlsform(used)
    assert checked.form is not None and [q.name for q in checked.form.questions] == ["q", "t"]
    ignored = {note.column: note.message for note in checked.notes if note.kind == "ignored"}
    assert "display setting" in ignored["L (appearance)"] and "does not use" in ignored["M ($kuid)"]


def test_not_a_workbook_or_no_survey_sheet() -> None:
    with pytest.raises(XLSFormError, match="not an Excel workbook"):
        read_xlsform(b"type,name,label\n")
    book = openpyxl.Workbook()
    book.active.title = "questions"
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(XLSFormError, match="no sheet named 'survey'"):
        read_xlsform(buffer.getvalue())


def test_export_form_round_trips() -> None:
    for form in (FORM, read_xlsform(KOBO_FORM), SurveyForm.model_validate({
            "code": "poll-like", "title": {"en": "Only English"},
            "questions": [{"name": "p", "type": "percentage", "label": {"en": "Share"}, "min": 10},
                          {"name": "s", "type": "range", "label": {"en": "Scale"},
                           "scale": {"start": 0, "end": 10, "step": 2}},
                          {"name": "d", "type": "decimal", "label": {"en": "Amount"}, "min": 0.5,
                           "relevant": {"question": "s", "op": "gt", "value": 4}}]})):
        written = write_xlsform(form)
        again = read_xlsform(written, default_language=next(iter(form.title)))
        assert again.model_dump() == form.model_dump(), form.code
    sheet = openpyxl.load_workbook(io.BytesIO(write_xlsform(FORM)))["survey"]
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["type", "name", "label::Turkish (tr)", "label::English (en)"]
    types = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "decimal" in types and "select_one yes_no" in types and "file" in types  # plain XLSForm types
