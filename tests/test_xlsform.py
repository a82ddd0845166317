"""XLSForm import and export: the supported subset, refusals that name sheet, row and column,
and the round trip through `koordinat survey export-form`."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from bot.services.surveys import content
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


# -- real public forms (tests/files/xlsforms/README.md) ------------------------------------------
FORMS = Path(__file__).parent / "files" / "xlsforms"

# file → (asked questions, fragments of notes it must carry) for the forms that import
IMPORTS = {
    "kobo_tutorial.xls": (11, ["start start_time: the chat records who answered", "location location"]),
    "kobo_mch_v1.xls": (24, []),
    "kobo_enumerator_training.xls": (12, ["left out"]),
    "kobo_enumerator_weekly.xls": (7, ["deviceid"]),
    "kobo_good_eats.xls": (10, ["imei"]),
    "kobo_battery_life.xls": (5, []),
    "kobo_grouped_gps.xls": (2, []),
    "pyxform_specify_other.xlsx": (2, ["or_other"]),
}
# file → (sheet, row, column fragment, reason fragment) of one refusal each must carry
REFUSALS = {
    "hot_buildings.xls": ("survey", 15, "choice_filter", "choice_filter"),
    "nairobi_2021.xls": ("survey", 15, "A (type)", "repeat_count '${Count_HH_members}' depends on an answer"),
}


def test_the_collected_set_is_ten_real_forms_with_licences_noted() -> None:
    files = sorted(path.name for path in FORMS.iterdir() if path.suffix in (".xls", ".xlsx"))
    assert files == sorted([*IMPORTS, *REFUSALS]) and len(files) == 10
    readme = (FORMS / "README.md").read_text(encoding="utf-8")
    assert all(name in readme for name in files) and "Licence" in readme


@pytest.mark.parametrize("name", sorted(IMPORTS))
def test_a_real_form_imports_with_its_notes(name: str) -> None:
    asked, fragments = IMPORTS[name]
    checked = check_xlsform(FORMS / name)
    assert checked.form is not None, checked.report()
    assert len(checked.form.answerable) == asked
    report = checked.report()
    for fragment in fragments:
        assert fragment in report, report
    assert f"{name}: importable as" in report and "REFUSED" not in report


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_a_real_form_beyond_the_chat_is_refused_by_row_with_the_reason(name: str) -> None:
    sheet, row, column, reason = REFUSALS[name]
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(FORMS / name)
    assert any(p.sheet == sheet and p.row == row and column in p.column and reason in p.message
               for p in caught.value.problems), str(caught.value)
    assert all(p.kind == "refused" and p.row > 0 for p in caught.value.problems)


def test_checking_a_thousand_question_form_takes_under_two_seconds() -> None:
    rows: list[list[Any]] = []
    for index in range(1000):
        if index % 4 == 0:
            rows.append(["integer", f"q{index}", f"Soru {index}", None, None, "yes", ". >= 0 and . <= 100"])
        elif index % 4 == 1:
            rows.append(["select_one light", f"q{index}", f"Seçim {index}", None, None, None, None,
                         f"${{q{index - 1}}} > 3"])
        elif index % 4 == 2:
            rows.append(["select_multiple areas", f"q{index}", f"Alanlar {index}"])
        else:
            rows.append(["text", f"q{index}", f"Metin {index}", None, None, None, "string-length(.) <= 200"])
    data = xlsform(rows, [["light", "good", "İyi", "Good"], ["light", "poor", "Zayıf", "Poor"],
                          ["areas", "care", "Bakım", "Care"], ["areas", "safety", "Güvenlik", "Safety"]])
    started = time.perf_counter()
    checked = check_xlsform(data)
    assert time.perf_counter() - started < 2.0
    assert checked.form is not None and len(checked.form.answerable) == 1000


# -- what real forms contain ---------------------------------------------------------------------
KOBO_HEADER = ["type", "name", "label", "hint", "required", "required_message", "constraint", "constraint_message",
               "relevant", "calculation", "default", "choice_filter", "repeat_count", "appearance"]


def kobo(rows: list[list[Any]], choices: list[list[Any]] | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(KOBO_HEADER)
    for row in rows:
        sheet.append(row)
    listed = book.create_sheet("choices")
    listed.append(["list_name", "name", "label", "filter"])
    for row in choices or []:
        listed.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_groups_flatten_with_one_heading_and_their_condition_on_each_question() -> None:
    form = read_xlsform(kobo([
        ["integer", "n", "How many?"],
        ["begin group", "outer", "Household", None, None, None, None, None, "${n} > 0"],
        ["note", "info", "About your household"],
        ["begin_group", "inner", "Children", None, None, None, None, None, "${n} >= 2"],
        ["integer", "kids", "Children?", None, None, None, None, None, "${n} < 20"],
        ["text", "names", "Their names"],
        ["end_group"],
        ["text", "after", "After the inner group"],
        ["end group"],
        ["text", "outside", "Outside"]]))
    q = {question.name: question for question in form.questions}
    assert q["info"].heading == {"tr": "Household"}
    assert q["kids"].heading == {"tr": "Children"} and q["names"].heading == {} and q["after"].heading == {}
    as_pairs = lambda question: [(c.question, c.op, c.value) for any_of in question.conditions for c in any_of]  # noqa: E731
    assert as_pairs(q["kids"]) == [("n", "gt", 0), ("n", "ge", 2)] and q["kids"].relevant.op == "lt"  # type: ignore[union-attr]
    assert as_pairs(q["after"]) == [("n", "gt", 0)] and q["outside"].conditions == []


def test_a_fixed_repeat_is_asked_that_many_times_and_others_are_refused() -> None:
    form = read_xlsform(kobo([
        ["begin repeat", "visit", "Visit", None, None, None, None, None, None, None, None, None, "2"],
        ["integer", "people", "People met"],
        ["integer", "women", "Women among them", None, None, None, ". <= ${people}"],
        ["end repeat"]]))
    assert [q.name for q in form.questions] == ["people_1", "women_1", "people_2", "women_2"]
    assert form.questions[2].heading == {"tr": "Visit (2/2)"} and form.questions[1].label == {"tr": "Women among them (1/2)"}
    checked = check_xlsform(kobo([["integer", "n", "N"],
                                  ["begin repeat", "member", "Member", None, None, None, None, None, None, None, None,
                                   None, "${n}"], ["text", "who", "Name"], ["end repeat"]]))
    assert [str(p) for p in checked.refused] == [
        "survey!row 3, column A (type): begin repeat: a section asked again and again cannot be asked in a chat "
        "(repeat_count '${n}' depends on an answer); give it a fixed repeat_count (1–20) or remove the repeat "
        "(1 row(s) inside)"]


def test_constraints_calculations_defaults_and_messages() -> None:
    checked = check_xlsform(kobo([
        ["integer", "age", "Age", None, "yes", "Please give the age", ". > 0 and . < 120", "Between 1 and 119"],
        ["decimal", "share", "Share", None, None, None, ". >= 0 and . <= 100 and . != ''"],
        ["text", "phone", "Phone", None, None, None, "regex(., '^[0-9]{10}$')"],
        ["date", "born", "Born", None, None, None, ". <= today()"],
        ["calculate", "months", None, None, None, None, None, None, None, "${age} * 12"],
        ["calculate", "stamp", None, None, None, None, None, None, None, "once(format-date-time(now(), '%Y'))"],
        ["decimal", "budget", "Budget", None, None, None, None, None, None, None, "2.5"],
        ["date", "when", "When", None, None, None, None, None, None, None, "today()"],
        ["select_one yn or_other", "fav", "Favourite"]],
        [["yn", "a", "A"], ["yn", "b", "B"]]))
    form = checked.form
    assert form is not None, checked.report()
    q = {question.name: question for question in form.questions}
    assert (q["age"].min, q["age"].max) == (1, 119) and q["age"].constraint_message == {"tr": "Between 1 and 119"}
    assert q["age"].required_message == {"tr": "Please give the age"}
    assert (q["share"].min, q["share"].max) == (0, 100) and q["phone"].pattern == "^[0-9]{10}$"
    assert q["months"].type == QuestionType.CALCULATE and q["months"].calculation == "${age} * 12"
    assert "stamp" not in q and q["budget"].default == "2.5" and q["when"].default is None
    assert [c.name for c in q["fav"].choices] == ["a", "b", "other"] and q["fav_other"].type == QuestionType.TEXT
    report = checked.report()
    assert "'today()'" in report and "beyond simple arithmetic" in report and "computed by the form app" in report


def test_forward_references_name_the_later_row() -> None:
    checked = check_xlsform(kobo([
        ["integer", "a", "A", None, None, None, ". <= ${b}"],
        ["integer", "b", "B", None, None, None, None, None, "${c} = 1"],
        ["integer", "c", "C"]]))
    assert [str(p) for p in checked.refused] == [
        "survey!row 2, column G (constraint): '. <= ${b}' uses ${b}, which comes later (row 3); the chat asks in "
        "order, so a question can only depend on earlier ones",
        "survey!row 3, column I (relevant): '${c} = 1' uses ${c}, which comes later (row 4); the chat asks in "
        "order, so a question can only depend on earlier ones"]


def test_choice_problems_are_reported_on_the_choices_sheet_only_for_lists_in_use() -> None:
    checked = check_xlsform(kobo([["select_one l", "q", "Q"], ["select_one_from_file x.csv", "f", "F"]],
                                 [["l", "x", "X"], ["l", "x", "Again"], ["unused", "u", "U"], ["unused", "u", "U2"],
                                  ["l", None, "No name"], ["l", "y", "Y"]]))
    assert sorted((p.sheet, p.row, p.column) for p in checked.refused) == [
        ("choices", 3, "B (name)"), ("choices", 6, "B (name)"), ("survey", 3, "A (type)")]
    assert "the list 'l' has the choice 'x' twice" in checked.report()
    assert "pydantic" not in checked.report() and "Value error" not in checked.report()


def test_real_world_relevant_expressions() -> None:
    form = read_xlsform(kobo([
        ["select_one yn", "a", "A"], ["select_multiple ab", "b", "B"], ["integer", "n", "N"],
        ["text", "t1", "T1", None, None, None, None, None, "${a} = ’yes’"],  # typographic quotes from Word
        ["text", "t2", "T2", None, None, None, None, None, "selected(${b}, 'x') or ${n} >= 3"],
        ["text", "t3", "T3", None, None, None, None, None, "(${n} > 1 and ${n} < 5) or not(selected(${b}, 'y'))"],
        ["text", "t4", "T4", None, None, None, None, None, "${t1} != ''"]],
        [["yn", "yes", "Yes"], ["yn", "no", "No"], ["ab", "x", "X"], ["ab", "y", "Y"]]))
    q = {question.name: question for question in form.questions}
    assert q["t1"].relevant is not None and q["t1"].relevant.value is True
    assert [[(c.question, c.op, c.value) for c in any_of] for any_of in q["t2"].conditions] == \
        [[("b", "eq", "x"), ("n", "ge", 3)]]
    assert [[(c.question, c.op, c.value) for c in any_of] for any_of in q["t3"].conditions] == \
        [[("n", "gt", 1), ("b", "ne", "y")], [("n", "lt", 5), ("b", "ne", "y")]]
    assert (q["t4"].relevant.op, q["t4"].relevant.value) == ("ne", "")  # type: ignore[union-attr]


def test_formula_labels_escapes_and_invisible_characters() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label"])
    sheet.append(["integer", "a", '="Kaç "&"hane?"'])  # a formula whose value was never saved
    sheet.append(["text", "b", "Adınız\u202e_x000B_\u200f?"])  # bidi override, Excel's escape, RLM
    buffer = io.BytesIO()
    book.save(buffer)
    checked = check_xlsform(buffer.getvalue())
    assert [str(p) for p in checked.refused] == [
        "survey!row 2, column C (label): the label is a formula with no saved value; open the file in Excel or "
        "LibreOffice, save it, and import again"]
    sheet["C2"] = "Kaç hane?"
    buffer = io.BytesIO()
    book.save(buffer)
    form = read_xlsform(buffer.getvalue())
    assert form.questions[1].label == {"tr": "Adınız\n?"} or form.questions[1].label == {"tr": "Adınız ?"}


def test_a_cached_formula_value_is_the_label(tmp_path: Path) -> None:
    """A workbook saved by Excel carries each formula's value: that value is the label."""
    import zipfile

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label"])
    sheet.append(["integer", "a", '="How "&"many?"'])
    path = tmp_path / "cached.xlsx"
    book.save(path)
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    xml = xml.replace('<c r="C2"><f>"How "&amp;"many?"</f><v></v></c>',
                      '<c r="C2" t="str"><f>"How "&amp;"many?"</f><v>How many?</v></c>')
    assert "<v>How many?</v>" in xml, xml
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    assert read_xlsform(path).questions[0].label == {"tr": "How many?"}


def test_the_cli_checks_in_one_pass_stores_nothing_and_asks_before_replacing_a_shipped_template(
        tmp_path: Path) -> None:
    def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KOORDINAT_")}
        env["KOORDINAT_DATABASE"] = str(tmp_path / "k.db")
        env["PYTHONPATH"] = str(Path(__file__).parents[1])  # this checkout's code
        env["PYTHONWARNINGS"] = "default"
        return subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=env, input=stdin,
                              capture_output=True, text=True, timeout=90)

    assert cli("group", "create", "Kadın Dostu Kent", "--city", "Kars").returncode == 0
    checked = cli("survey", "import", str(FORMS / "kobo_tutorial.xls"), "--check")
    assert checked.returncode == 0 and checked.stderr == "", checked.stderr
    assert "ask      survey!3: integer age: How old are you?" in checked.stdout
    assert "leave    survey!18 A (type): start start_time" in checked.stdout
    assert "kobo_tutorial.xls: importable as 'kobo_tutorial' — 11 question(s) to ask" in checked.stdout
    refused = cli("survey", "import", str(FORMS / "hot_buildings.xls"), "--check")
    assert refused.returncode == 2 and "REFUSED  survey!15 H (choice_filter)" in refused.stdout
    assert "Traceback" not in refused.stderr and "Warning" not in refused.stderr
    listed = cli("survey", "library")
    assert "kobo_tutorial" not in listed.stdout  # --check stored nothing
    (tmp_path / "unknown.xlsx").write_bytes(xlsform([["integer", "a", "A", None, None, None, None, None, None,
                                                       "I99"]]))
    as_group = cli("survey", "import", "unknown.xlsx", "--check", "--group", "Kars")  # as Kars's import would
    assert as_group.returncode == 2 and "unknown indicator 'I99'" in as_group.stdout
    no_group = cli("survey", "import", "unknown.xlsx", "--check", "--group", "İzmir")
    assert no_group.returncode == 1 and "no group 'İzmir'" in no_group.stderr

    imported = cli("survey", "import", str(FORMS / "kobo_mch_v1.xls"), "--group", "Kars")
    assert imported.returncode == 0 and "imported for group 1" in imported.stdout, imported.stderr
    assert imported.stderr == ""
    not_twice = cli("survey", "import", str(FORMS / "hot_buildings.xls"), "--group", "Kars")
    assert not_twice.returncode == 2 and "not importable" in not_twice.stderr

    shipped = tmp_path / "izleme.xlsx"
    shipped.write_bytes(xlsform([["integer", "a", "Kaç?"]], settings={"form_title": "Bizim izleme",
                                                                      "form_id": "izleme"}))
    asked = cli("survey", "import", str(shipped), "--group", "Kars")
    assert asked.returncode == 2 and "the form id 'izleme' is a shipped template" in asked.stderr
    assert "--replace" in asked.stderr
    replaced = cli("survey", "import", str(shipped), "--group", "Kars", "--replace")
    assert replaced.returncode == 0 and "replacing a shipped template" in replaced.stdout, replaced.stderr
    again = cli("survey", "import", str(shipped), "--group", "Kars")
    assert again.returncode == 2 and "one of this group's templates" in again.stderr


def test_an_imported_form_written_back_keeps_what_the_chat_uses() -> None:
    from tests.test_survey_forms import kobo_form

    form = read_xlsform(kobo_form(), file="mahalle_turu.xlsx")
    again = read_xlsform(write_xlsform(form), file="again.xlsx")
    for question in form.questions:
        back = again.question(question.name)
        assert back is not None and back.type == question.type, question.name
        assert (back.min, back.max, back.pattern, back.default, back.calculation) == \
            (question.min, question.max, question.pattern, question.default, question.calculation), question.name
        assert back.constraint_message == question.constraint_message and back.label == question.label
    assert [c.name for c in again.question("hood").choices] == ["3", "1", "2", "other"]  # type: ignore[union-attr]


def test_every_metadata_type_and_display_column_is_left_out_with_a_note() -> None:
    metadata = ["start", "end", "today", "deviceid", "username", "phonenumber", "audit", "simserial",
                "subscriberid", "start-geopoint", "email", "imei", "background-audio"]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    header = ["type", "name", "label::Français (fr)", "label::English (en)", "appearance", "media::image",
              "guidance_hint", "read_only", "body::accuracyThreshold", "$kuid", "$autoname", "constraint"]
    sheet.append(header)
    for kind in metadata:
        sheet.append([kind, kind.replace("-", "_")])
    sheet.append(["text", "code", "Code", "Code", "multiline", "a.png", "ask nicely", "false", "5", "x1", "code",
                  "string-length(.) = 10"])
    buffer = io.BytesIO()
    book.save(buffer)
    checked = check_xlsform(buffer.getvalue())
    assert checked.form is not None, checked.report()
    [code] = checked.form.questions
    assert code.label == {"fr": "Code", "en": "Code"} and (code.min, code.max) == (10, 10)
    left_out = [note for note in checked.notes if note.kind == "ignored"]
    assert sorted(note.row for note in left_out if note.row > 1) == list(range(2, 2 + len(metadata)))
    assert {note.column.split(" ")[0] for note in left_out if note.row == 1} == set("EFGHIJK")


def test_kobotoolbox_own_export_with_select_from_list_name() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label::English (en)", "required", "select_from_list_name", "$kuid", "$autoname"])
    sheet.append(["select_one", "q1", "Pick", "true", "l", "abc", "q1"])
    sheet.append(["select_multiple", "q2", "Pick many", "false", "l", "abd", "q2"])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::English (en)", "$kuid"])
    choices.append(["l", "a", "A", "x"])
    choices.append(["l", "b", "B", "y"])
    buffer = io.BytesIO()
    book.save(buffer)
    form = read_xlsform(buffer.getvalue())
    assert [(q.type, [c.name for c in q.choices], q.required) for q in form.questions] == [
        (QuestionType.SELECT_ONE, ["a", "b"], True), (QuestionType.SELECT_MULTIPLE, ["a", "b"], False)]


def test_a_one_language_form_is_exported_under_the_language_its_texts_are_in() -> None:
    from bot.services.surveys.xlsform_write import in_its_own_language
    english = read_xlsform((Path(__file__).parent / "files" / "xlsforms" / "kobo_tutorial.xls").read_bytes())
    assert set(english.question("name").label) == {"tr"}  # stored under the importing group's language
    moved = in_its_own_language(english)
    assert moved.question("name").label == {"en": "What's your name?"} and set(moved.title) == {"en"}
    assert all(set(choice.label) == {"en"} for choice in moved.question("gender").choices)
    turkish = read_xlsform(KOBO_FORM)
    assert in_its_own_language(turkish) == turkish
    library = content.library().templates["izleme"]  # two languages: left as they are
    assert in_its_own_language(library) == library
    assert read_xlsform(write_xlsform(english), default_language="tr").question("age").label == \
        {"en": "How old are you?"}
