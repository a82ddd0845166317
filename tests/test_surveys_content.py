"""The shipped indicator library and templates validate; broken content names file, line, field."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.services.surveys.content import ContentError, library, load_definition_file, parse_definition
from bot.services.surveys.model import QuestionType

DOMAIN_CITIES = {
    "istanbul_bakim_guvenlik": {"I1", "I2", "I4", "I6", "I10", "I14"},
    "izmir_esitlik_plani": {"I3", "I7", "I8", "I9", "I11", "I12", "I16"},
    "gaziantep_ekonomik_guclenme": {"I4", "I6", "I10", "I12", "I13"},
    "kars_kadin_dostu_kent": {"I2", "I5", "I8", "I10", "I12", "I16"},
}


def test_the_shipped_library_has_the_16_indicators_bilingual_and_complete() -> None:
    indicators = library().indicators
    assert [f"I{n}" for n in range(1, 17)] == list(indicators)
    for indicator in indicators.values():
        for field in ("name", "unit", "explanation", "source"):
            texts = getattr(indicator, field)
            assert texts.get("tr") and texts.get("en"), (indicator.code, field)
    assert indicators["I8"].answer_type == "yes_no" and indicators["I4"].answer_type == "integer"


def test_templates_cover_monitoring_evaluation_feedback_and_each_city() -> None:
    templates = library().templates
    assert {"izleme", "degerlendirme", "toplanti_geri_bildirim"} <= set(templates)
    for code, expected in DOMAIN_CITIES.items():
        assert {q.indicator for q in templates[code].questions if q.indicator} == expected, code
    izleme = templates["izleme"]
    assert len(izleme.answerable) == 6
    assert {q.type for q in izleme.questions} >= {QuestionType.PERCENTAGE, QuestionType.YES_NO,
                                                  QuestionType.SELECT_ONE, QuestionType.RANGE}
    nine = izleme.question("i9")
    assert nine is not None and nine.max == 100 and "Kaynak" in nine.hint["tr"]


BROKEN = """\
[indicators.KARS_1]
name = { tr = "Kış kreşi", en = "Winter crèche" }
unit = { tr = "yer", en = "places" }
answer_type = "integer"
explanation = { tr = "Kışın açık kreş yeri", en = "Places open in winter" }
source = { tr = "belediye", en = "municipality" }
frequency = "yearly"

[templates.kis]
title = { tr = "Kış izlemesi", en = "Winter check" }

[[templates.kis.questions]]
indicator = "KARS_1"

[[templates.kis.questions]]
name = "roads"
type = "slider"
label = { tr = "Yollar", en = "Roads" }
"""


def test_an_unknown_question_type_is_refused_with_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "kars.toml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(ContentError) as refused:
        load_definition_file(path)
    error = refused.value
    assert (error.file, error.line, error.field) == ("kars.toml", 17, "templates.kis.questions[1].type")
    assert "kars.toml:17" in str(error)


def test_a_group_definition_with_its_own_indicator_loads(tmp_path: Path) -> None:
    fixed = BROKEN.replace('type = "slider"', 'type = "yes_no"')
    definition = parse_definition(fixed, "kars.toml")
    assert list(definition.indicators) == ["KARS_1"]
    form = definition.templates["kis"]
    assert [q.name for q in form.questions] == ["kars_1", "roads"] and form.questions[0].indicator == "KARS_1"


def test_yaml_definitions_and_their_errors(tmp_path: Path) -> None:
    path = tmp_path / "izmir.yaml"
    path.write_text("templates:\n  hizli:\n    title: {tr: Hızlı}\n    questions:\n      - indicator: I9\n"
                    "      - name: note\n        type: text\n        label: {tr: Not}\n        max: -x\n",
                    encoding="utf-8")
    with pytest.raises(ContentError) as refused:
        load_definition_file(path)
    assert refused.value.field == "templates.hizli.questions[1].max" and refused.value.line == 9


@pytest.mark.parametrize(("text", "field"), [
    ('[indicators.I4]\nname = {tr="x"}\nunit={tr="x"}\nanswer_type="integer"\nexplanation={tr="x"}\n'
     'source={tr="x"}\nfrequency="yearly"\n', "indicators.I4"),
    ('[templates.t]\ntitle={tr="T"}\n[[templates.t.questions]]\nindicator = "I99"\n',
     "templates.t.questions[0].indicator"),
    ('[indicators.X1]\nname = {tr="x"}\nunit={tr="x"}\nanswer_type="integer"\nexplanation={tr="x"}\n'
     'source={tr="x"}\nfrequency="weekly"\n', "indicators.X1.frequency"),
])
def test_other_mistakes_name_their_field(text: str, field: str) -> None:
    with pytest.raises(ContentError) as refused:
        parse_definition(text, "g.toml")
    assert refused.value.field == field
