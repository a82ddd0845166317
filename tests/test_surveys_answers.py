"""Reading typed answers the Turkish way: every parser with good and bad inputs."""

from __future__ import annotations

from datetime import date

import pytest

from bot.errors import InvalidAnswer
from bot.services.surveys.answers import (
    NUMBER_LIMIT,
    example_for,
    format_answer,
    read_answer,
    read_choices,
    read_date,
    read_number,
    read_percentage,
    read_yes_no,
)
from bot.services.surveys.model import Answer, Question


def q(**fields: object) -> Question:
    return Question.model_validate({"name": "x", "label": {"tr": "Soru", "en": "Question"}, **fields})


CHOICES = [{"name": "care", "label": {"tr": "Bakım hizmetleri", "en": "Care services"}},
           {"name": "safety", "label": {"tr": "Güvenli kent", "en": "Safe city"}},
           {"name": "jobs", "label": {"tr": "İstihdam", "en": "Employment"}}]


@pytest.mark.parametrize(("typed", "expected"), [
    ("12", 12), ("12,5", 12.5), ("12.5", 12.5), ("1.250", 1250), ("1.250,5", 1250.5),
    ("1.250.000", 1250000), ("1,250.5", 1250.5), ("1 250", 1250), ("-3", -3), (" 40 ", 40), ("7.", 7),
    ("0,75", 0.75),
])
def test_numbers_as_turkish_users_type_them(typed: str, expected: float) -> None:
    assert read_number(typed) == expected


@pytest.mark.parametrize("typed", ["", "on iki", "12,5,3", "1.2.3", "12a", "%", "1..2", "--3"])
def test_what_is_not_a_number_is_refused(typed: str) -> None:
    with pytest.raises(InvalidAnswer) as refused:
        read_number(typed)
    assert refused.value.key == "survey.bad_number"


@pytest.mark.parametrize(("typed", "expected"), [
    ("%40", 40), ("40%", 40), ("40 %", 40), ("% 40", 40), ("40", 40), ("%12,5", 12.5), ("yüzde 40", 40),
    ("Yüzde 12,5", 12.5), ("40 percent", 40),
])
def test_percentages(typed: str, expected: float) -> None:
    assert read_percentage(typed) == expected


@pytest.mark.parametrize("typed", ["kırk", "%", "40%%x", "yüzde"])
def test_bad_percentages(typed: str) -> None:
    with pytest.raises(InvalidAnswer) as refused:
        read_percentage(typed)
    assert refused.value.key == "survey.bad_percentage"


def test_a_percentage_above_100_is_refused_by_default() -> None:
    with pytest.raises(InvalidAnswer):
        read_answer(q(type="percentage"), "%140", "tr")
    assert read_answer(q(type="percentage", max=200), "%140", "tr") == 140


@pytest.mark.parametrize(("typed", "expected"), [
    ("EVET", True), ("evet.", True), ("Evet!", True), ("e", True), ("yes", True), ("var", True),
    ("✅ Evet", True), ("Hayır", False), ("hayir", False), ("HAYIR.", False), ("h", False), ("yok", False),
    ("No", False), ("❌ Hayır", False),
])
def test_yes_and_no(typed: str, expected: bool) -> None:
    assert read_yes_no(typed) is expected


@pytest.mark.parametrize("typed", ["belki", "evet hayır", "", "1"])
def test_neither_yes_nor_no(typed: str) -> None:
    with pytest.raises(InvalidAnswer) as refused:
        read_yes_no(typed)
    assert refused.value.key == "survey.bad_yes_no"


@pytest.mark.parametrize(("typed", "expected"), [
    ("03.12.2026", date(2026, 12, 3)), ("3.12.2026", date(2026, 12, 3)), ("3/12/26", date(2026, 12, 3)),
    ("3 Aralık 2026", date(2026, 12, 3)), ("3 aralik 2026", date(2026, 12, 3)), ("3 ARALIK 2026", date(2026, 12, 3)),
    ("3 December 2026", date(2026, 12, 3)), ("December 3, 2026", date(2026, 12, 3)), ("2026-12-03", date(2026, 12, 3)),
])
def test_dates(typed: str, expected: date) -> None:
    assert read_date(typed) == expected


@pytest.mark.parametrize(("typed", "key"), [
    ("31.02.2026", "survey.no_such_date"), ("2026-02-31", "survey.no_such_date"), ("dün", "survey.bad_date"),
    ("3 Aralık", "survey.date_needs_year"), ("12.12", "survey.date_needs_year"), ("3 Smarch 2026", "survey.bad_date"),
])
def test_bad_dates(typed: str, key: str) -> None:
    with pytest.raises(InvalidAnswer) as refused:
        read_date(typed)
    assert refused.value.key == key


def test_button_words_typed_as_text_count_as_that_button() -> None:
    one = q(type="select_one", choices=CHOICES)
    assert read_answer(one, "güvenli kent", "tr") == "safety"
    assert read_answer(one, "GUVENLI KENT", "tr") == "safety"
    assert read_answer(one, "Safe city", "tr") == "safety"
    assert read_answer(one, "2", "tr") == "safety"
    assert read_answer(one, "istihdam.", "tr") == "jobs"
    with pytest.raises(InvalidAnswer):
        read_answer(one, "sağlık", "tr")
    scale = q(type="range", scale={"start": 1, "end": 5})
    assert read_answer(scale, "4", "tr") == 4
    for wrong in ("6", "0", "iyi", "2,5"):
        with pytest.raises(InvalidAnswer) as refused:
            read_answer(scale, wrong, "tr")
        assert refused.value.key == "survey.bad_scale"
    assert read_answer(q(type="yes_no"), "✅ Evet", "tr") is True


def test_several_choices() -> None:
    many = q(type="select_multiple", choices=CHOICES)
    assert read_choices("bakım hizmetleri, istihdam", many) == ["care", "jobs"]
    assert read_choices("1 ve 3", many) == ["care", "jobs"]
    assert read_choices("Care services; Safe city", many) == ["care", "safety"]
    assert read_choices("güvenli kent", many) == ["safety"]
    with pytest.raises(InvalidAnswer) as refused:
        read_choices("bakım hizmetleri, sağlık", many)
    assert refused.value.key == "survey.bad_choices" and refused.value.params["typed"] == "saglik"


def test_constraints_min_max_and_whole_numbers() -> None:
    places = q(type="integer", min=0, max=5000)
    assert read_answer(places, "1.250", "tr") == 1250
    for typed, key in (("12,5", "survey.not_whole"), ("-1", "survey.too_small"), ("6.000", "survey.too_big")):
        with pytest.raises(InvalidAnswer) as refused:
            read_answer(places, typed, "tr")
        assert refused.value.key == key
    with pytest.raises(InvalidAnswer) as refused:
        read_answer(places, "6.000", "tr")
    assert refused.value.params["max"] == "5.000"
    note = q(type="text", max=10)
    with pytest.raises(InvalidAnswer) as refused:
        read_answer(note, "çok uzun bir yanıt", "tr")
    assert refused.value.key == "survey.text_too_long"
    when = q(type="date", min="2026-01-01")
    with pytest.raises(InvalidAnswer) as refused:
        read_answer(when, "31.12.2025", "tr")
    assert refused.value.params["min"] == "01.01.2026"


def test_answers_are_shown_with_babel_number_formats() -> None:
    places = q(type="integer")
    share = q(type="percentage")
    assert format_answer(places, Answer.of(places, 1250), "tr") == "1.250"
    assert format_answer(places, Answer.of(places, 1250), "en") == "1,250"
    assert format_answer(share, Answer.of(share, 12.5), "tr") == "%12,5"
    assert format_answer(share, Answer.of(share, 12.5), "en") == "12.5%"
    many = q(type="select_multiple", choices=CHOICES)
    assert format_answer(many, Answer.of(many, ["jobs", "care"]), "en") == "Care services, Employment"
    assert format_answer(places, Answer.of(places, None), "tr") == "—"


# -- numbers follow the person's language ----------------------------------------------------

@pytest.mark.parametrize(("typed", "lang", "expected"), [
    ("1.250", "tr", 1250), ("1.250,5", "tr", 1250.5), ("12,5", "tr", 12.5), ("1,250", "tr", 1.25),
    ("12.5", "tr", 12.5), ("1 250", "tr", 1250),
    ("1,250", "en", 1250), ("1,250.5", "en", 1250.5), ("12.5", "en", 12.5), ("1.250", "en", 1.25),
    ("1,250,000", "en", 1250000), ("1 250", "en", 1250), ("1.250,5", "en", 1250.5), ("-3", "en", -3),
])
def test_numbers_are_read_the_way_each_language_writes_them(typed: str, lang: str, expected: float) -> None:
    assert read_number(typed, lang) == expected


@pytest.mark.parametrize("typed", ["1,25", "12,5", "0,75", "1,2500"])
def test_an_english_comma_that_is_no_thousands_group_is_ambiguous(typed: str) -> None:
    with pytest.raises(InvalidAnswer) as refused:
        read_number(typed, "en")
    assert refused.value.key == "survey.ambiguous_number"
    with pytest.raises(InvalidAnswer) as refused:
        read_answer(q(type="decimal"), typed, "en")
    assert refused.value.key == "survey.ambiguous_number"


def test_english_percentages_and_the_hints_show_what_the_parser_accepts() -> None:
    share = q(type="percentage")
    assert read_answer(share, "12.5%", "en") == 12.5 and read_answer(share, "%12,5", "tr") == 12.5
    with pytest.raises(InvalidAnswer) as refused:  # 1,250 in English is 1250: no percentage
        read_answer(share, "1,250", "en")
    assert refused.value.key == "survey.percentage_out_of_range"
    assert read_answer(share, "1,250", "tr") == 1.25  # Turkish decimal comma
    with pytest.raises(InvalidAnswer) as refused:
        read_answer(share, "12,5%", "en")
    assert refused.value.key == "survey.ambiguous_number"
    for kind in ("integer", "decimal", "percentage"):
        question = q(type=kind)
        for lang in ("tr", "en"):
            example = example_for(question, lang)
            assert read_answer(question, example, lang) in (1250, 12.5, 40), (kind, lang, example)


def test_whole_and_decimal_numbers_without_a_max_are_bounded() -> None:
    for kind in ("integer", "decimal"):
        with pytest.raises(InvalidAnswer) as refused:
            read_answer(q(type=kind), "99999999999", "tr")
        assert refused.value.key == "survey.too_big" and refused.value.params["max"] == "1.000.000.000"
        with pytest.raises(InvalidAnswer) as refused:
            read_answer(q(type=kind), "-99999999999", "en")
        assert refused.value.key == "survey.too_small" and refused.value.params["min"] == "-1,000,000,000"
    assert read_answer(q(type="integer"), "1.000.000.000", "tr") == NUMBER_LIMIT
    assert read_answer(q(type="integer", max=5e10), "20.000.000.000", "tr") == 20_000_000_000  # its own max


def test_typed_choices_match_without_spaces_diacritics_or_punctuation() -> None:
    layout = q(type="select_one", choices=[{"name": "in_person", "label": {"tr": "Yüz yüze", "en": "In person"}},
                                           {"name": "online", "label": {"tr": "Çevrim içi", "en": "Online"}}])
    for typed in ("çevrimiçi", "Cevrimici", "ÇEVRİM-İÇİ", "çevrim içi.", "yüzyüze", "inperson"):
        assert read_answer(layout, typed, "tr") in ("online", "in_person"), typed
    assert read_answer(layout, "çevrimiçi", "tr") == "online"
    assert read_answer(q(type="select_multiple", choices=layout.model_dump()["choices"]), "yüzyüze, çevrimiçi",
                       "tr") == ["in_person", "online"]
    # Two options that differ only by a space: the squashed form is ambiguous, the words are not.
    twins = q(type="select_one", choices=[{"name": "a", "label": {"tr": "Ev içi"}},
                                          {"name": "b", "label": {"tr": "Evi çi"}}])
    assert read_answer(twins, "ev içi", "tr") == "a" and read_answer(twins, "evi çi", "tr") == "b"
    with pytest.raises(InvalidAnswer):
        read_answer(twins, "eviçi", "tr")


# -- a typed number is the number she sees (issue 20 §2) -----------------------------------------
def _coded(codes: list[str], labels: list[str] | None = None, kind: str = "select_one") -> Question:
    labels = labels or [f"Seçenek {code}" for code in codes]
    return q(type=kind, choices=[{"name": code, "label": {"tr": label}} for code, label in zip(codes, labels)])


@pytest.mark.parametrize("codes", [["3", "1", "2"], ["10", "20", "30"], ["2", "3", "4"], ["b", "c", "a"],
                                   ["1", "2", "3"], ["0", "1", "2"]])
def test_each_typed_number_is_the_position_on_screen_whatever_the_codes(codes: list[str]) -> None:
    one = _coded(codes)
    picked = [read_answer(one, str(number), "tr") for number in (1, 2, 3)]
    assert picked == codes  # three numbers, three different choices, in screen order
    many = _coded(codes, kind="select_multiple")
    assert read_choices("1, 3", many) == [codes[0], codes[2]]
    assert read_choices("1 3", many) == [codes[0], codes[2]]
    assert read_choices("3 ve 2", many) == [codes[2], codes[1]]
    assert read_choices("2", many) == [codes[1]]


def test_a_number_off_the_list_says_how_many_and_a_code_is_never_a_position() -> None:
    one = _coded(["10", "20", "30"])
    for typed in ("10", "4", "0"):
        with pytest.raises(InvalidAnswer) as refused:
            read_answer(one, typed, "tr")
        assert refused.value.key == "survey.number_not_listed" and refused.value.params["count"] == 3
    many = _coded(["7", "8"], kind="select_multiple")
    with pytest.raises(InvalidAnswer) as refused:
        read_choices("1, 7", many)
    assert refused.value.key == "survey.number_not_listed"


def test_labels_that_are_numbers_do_not_shadow_positions_but_letters_codes_and_words_still_work() -> None:
    one = _coded(["a", "b", "c"], ["3", "5", "Hiç"])
    assert [read_answer(one, typed, "tr") for typed in ("1", "2", "3")] == ["a", "b", "c"]
    assert read_answer(one, "hic", "tr") == "c" and read_answer(one, "b", "tr") == "b"
    many = _coded(["a", "b", "c"], ["Kreş", "Sağlık", "Aydınlatma"], kind="select_multiple")
    assert read_choices("kres, 3", many) == ["a", "c"] and read_choices("a ve b", many) == ["a", "b"]


def test_a_percentage_beyond_100_says_what_is_allowed() -> None:
    share = q(type="percentage")
    with pytest.raises(InvalidAnswer) as refused:
        read_answer(share, "%140", "tr")
    from messages import t
    assert refused.value.key == "survey.percentage_out_of_range"
    assert "0–100 arası bir yüzde" in t(refused.value.key, "tr", **refused.value.params)
    assert "a percentage from 0 to 100" in t(refused.value.key, "en", **refused.value.params)


def test_when_every_label_is_a_number_the_label_is_the_number_she_sees() -> None:
    one = _coded(["a", "b", "c"], ["3", "1", "2"])  # buttons "3", "1", "2" on her screen
    assert [read_answer(one, typed, "tr") for typed in ("3", "1", "2")] == ["a", "b", "c"]
    many = _coded(["a", "b", "c"], ["3", "1", "2"], kind="select_multiple")
    assert read_choices("1, 3", many) == ["b", "a"] or read_choices("1, 3", many) == ["a", "b"]
    with pytest.raises(InvalidAnswer):
        read_answer(one, "4", "tr")


def test_a_number_beyond_the_positions_that_is_a_buttons_own_label_picks_that_button() -> None:
    one = _coded(["none", "few", "many"], ["0", "1-2", "3 ya da fazla"])
    assert read_answer(one, "0", "tr") == "none" and read_answer(one, "2", "tr") == "few"
    with pytest.raises(InvalidAnswer):
        read_answer(one, "7", "tr")
