"""Reading what people type (issue 17 §1 and §4, issue 18 §4): a typed date is never silently
another date, bare hours are afternoon hours, parts of the day are understood, typed answers
are read the way Turkish is written, other digits are digits, and each reader sees her own
language (holidays, legal bases, plan-cycle titles) everywhere."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import openpyxl
import pytest

from bot.dates import MONTH_WORDS, parse_when, read_clock
from bot.errors import InvalidAnswer
from bot.models import Group
from bot.services.meetings.answers import typed_answer
from bot.services.milestones import render
from bot.services.milestones.exports import year_ics, year_xlsx
from bot.services.milestones.template import for_year
from bot.services.milestones.workdays import holiday_name
from bot.services.surveys.answers import read_number as read_survey_number
from bot.services.surveys.answers import read_yes_no
from bot.text import ascii_digits, clean_cell, fold, read_number
from bot.typed_answers import leaning, read_answer
from storage.milestones import Milestone
from tests.language_support import foreign_words

ISTANBUL = ZoneInfo("Europe/Istanbul")
NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # Wednesday 25.11.2026 09:00 in Istanbul
NOWS = (datetime(2026, 1, 2, 6, 0, tzinfo=UTC), datetime(2026, 6, 15, 9, 30, tzinfo=UTC),
        datetime(2026, 12, 20, 17, 0, tzinfo=UTC), datetime(2027, 12, 31, 20, 0, tzinfo=UTC))

TR_MONTHS = ("Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül", "Ekim",
             "Kasım", "Aralık")
TR_SHORT = ("Oca", "Şub", "Mar", "Nis", "May", "Haz", "Tem", "Ağu", "Eyl", "Eki", "Kas", "Ara")
EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")
EN_SHORT = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec")


def _spellings(name: str) -> set[str]:
    """The ways a month word is typed: as written, UPPER (Turkish İ too), lower without
    Turkish letters."""
    plain = name.translate(str.maketrans("şŞğĞüÜöÖçÇıİ", "sSgGuUoOcCiI"))
    return {name, name.replace("i", "İ").upper(), plain.lower()}


# -- 17.1: a typed date is never silently a different date --------------------------------

def test_every_day_of_every_month_reads_back_exactly_or_is_refused() -> None:
    """Every day 1–31 of every month, every Turkish and English month name and short form in
    several spellings, with and without year and time, from several "now"s: what comes back
    is the typed day and month (and year), or a refusal — never another date. Dates that
    exist, typed with a year ahead, are always read (not refused)."""
    wrong: list[str] = []
    refused_existing: list[str] = []
    checked = 0
    for now in NOWS:
        local_now = now.astimezone(ISTANBUL)
        next_year = local_now.year + 1
        for month in range(1, 13):
            names = set()
            for table in (TR_MONTHS, TR_SHORT, EN_MONTHS, EN_SHORT):
                names |= _spellings(table[month - 1])
            names.add("sep" if month == 9 else EN_SHORT[month - 1])
            for name in sorted(names):
                for day in range(1, 32):
                    forms = [f"{day} {name}{year}{clock}" for year in ("", f" {next_year}")
                             for clock in ("", " 14:00")] + [f"{name} {day} {next_year} saat 10:30"]
                    for typed in forms:
                        year = str(next_year) if str(next_year) in typed else ""
                        clock = typed.endswith(("14:00", "10:30"))
                        if True:
                            if True:
                                checked += 1
                                try:
                                    parsed = parse_when(typed, ISTANBUL, now)
                                except InvalidAnswer:
                                    try:
                                        date(next_year, month, day)
                                    except ValueError:
                                        continue
                                    if year:
                                        refused_existing.append(typed)
                                    continue
                                if (parsed.day.month, parsed.day.day) != (month, day) \
                                        or (year and parsed.day.year != next_year):
                                    wrong.append(f"{typed!r} from {local_now:%d.%m.%Y} → {parsed.day}")
                                if clock and parsed.clock not in (time(14, 0), time(10, 30)):
                                    wrong.append(f"{typed!r} → {parsed.clock}")
    assert not wrong, wrong[:20]
    assert not refused_existing, refused_existing[:20]
    assert checked > 40_000


@pytest.mark.parametrize(("typed", "day"), [
    ("13 Mart 14:00", date(2027, 3, 13)),  # MART is also Marquesas Time to dateparser: it was 13 January
    ("13 MART 2027 14:00", date(2027, 3, 13)),
    ("31 Mart 2027", date(2027, 3, 31)),
    ("13 Ağustos 14:00", date(2027, 8, 13)), ("13 Agu 14:00", date(2027, 8, 13)),
    ("25 Eyl 14:00", date(2027, 9, 25)), ("13 Sept 2027", date(2027, 9, 13)),
    ("3 Aralık'ta 14:00", date(2026, 12, 3)), ("3 Aralıkta", date(2026, 12, 3)),
    ("3. Aralık 14:00", date(2026, 12, 3)), ("Aralık 3 14:00", date(2026, 12, 3)),
    ("3 Ara 26 14:00", date(2026, 12, 3)), ("3rd of December 2026 10:00", date(2026, 12, 3)),
    ("Perşembe 3 Aralık 2026", date(2026, 12, 3)),
])
def test_month_words_are_read_as_that_month(typed: str, day: date) -> None:
    assert parse_when(typed, ISTANBUL, NOW).day == day


@pytest.mark.parametrize(("typed", "key"), [
    ("Aralık", "dates.bad_date"),  # which day?
    ("Aralık 2026", "dates.bad_date"),
    ("3 4 Aralık", "dates.bad_date"),  # which date?
    ("3 Aralık Ocak", "dates.bad_date"),
    ("31 Nisan", "dates.no_such_date"),
    ("29 Şubat 2027", "dates.no_such_date"),
    ("13 Mart Cuma", "dates.weekday_mismatch"),  # 13.03.2027 is a Saturday
])
def test_a_month_word_date_that_cannot_be_one_date_is_refused(typed: str, key: str) -> None:
    with pytest.raises(InvalidAnswer) as refused:
        parse_when(typed, ISTANBUL, NOW)
    assert refused.value.key == key and "example" in refused.value.params


def test_every_month_word_the_reader_knows_names_its_month() -> None:
    for table in (TR_MONTHS, TR_SHORT, EN_MONTHS, EN_SHORT):
        for number, name in enumerate(table, start=1):
            assert MONTH_WORDS[fold(name)] == number, name


# -- bare hours and parts of the day -------------------------------------------------------

@pytest.mark.parametrize(("typed", "local", "assumed"), [
    ("yarın saat 3", datetime(2026, 11, 26, 15, 0), True),
    ("perşembe saat 2", datetime(2026, 11, 26, 14, 0), True),
    ("YARIN SAAT 4", datetime(2026, 11, 26, 16, 0), True),
    ("cuma 6", datetime(2026, 11, 27, 18, 0), True),
    ("tomorrow at 3", datetime(2026, 11, 26, 15, 0), True),
    ("yarın 3 buçuk", datetime(2026, 11, 26, 15, 30), True),
    ("3 Aralık 2026 saat 3", datetime(2026, 12, 3, 15, 0), True),
    ("tomorrow afternoon 3", datetime(2026, 11, 26, 15, 0), False),
    ("yarın öğleden sonra 3", datetime(2026, 11, 26, 15, 0), False),
    ("cuma öğleden sonra 3'te", datetime(2026, 11, 27, 15, 0), False),
    ("yarın akşam 7", datetime(2026, 11, 26, 19, 0), False),
    ("akşam 7", datetime(2026, 11, 25, 19, 0), False),  # today
    ("bu akşam 8", datetime(2026, 11, 25, 20, 0), False),
    ("tonight 8", datetime(2026, 11, 25, 20, 0), False),
    ("sabah 9", datetime(2026, 11, 26, 9, 0), False),  # 09:00 today has passed: tomorrow
    ("yarın sabah 10", datetime(2026, 11, 26, 10, 0), False),
    ("öğlen 12", datetime(2026, 11, 25, 12, 0), False),
    ("yarın öğlen 1", datetime(2026, 11, 26, 13, 0), False),
    ("gece 11", datetime(2026, 11, 25, 23, 0), False),
    ("3 Aralık akşam 7", datetime(2026, 12, 3, 19, 0), False),
    ("friday evening 6", datetime(2026, 11, 27, 18, 0), False),
    ("tomorrow morning 9", datetime(2026, 11, 26, 9, 0), False),
    ("3 pm", datetime(2026, 11, 25, 15, 0), False),
    ("yarın 14", datetime(2026, 11, 26, 14, 0), False),
    ("yarın 10", datetime(2026, 11, 26, 10, 0), False),  # 7–12 stay morning hours
])
def test_bare_hours_are_afternoon_and_parts_of_the_day_are_understood(typed: str, local: datetime,
                                                                        assumed: bool) -> None:
    parsed = parse_when(typed, ISTANBUL, NOW)
    assert parsed.moment == local.replace(tzinfo=ISTANBUL).astimezone(UTC), typed
    assert parsed.hour_assumed is assumed
    assert parsed.needs_confirmation  # every one of these is our reading: echoed and confirmed


def test_a_night_hour_is_only_taken_as_typed_and_is_confirmed() -> None:
    parsed = parse_when("03.12.2026 03:00", ISTANBUL, NOW)
    assert parsed.clock == time(3, 0) and parsed.night and parsed.needs_confirmation
    late = parse_when("yarın gece 12", ISTANBUL, NOW)  # the midnight that ends tomorrow
    assert late.day == date(2026, 11, 27) and late.clock == time(0, 0) and late.needs_confirmation
    literal = parse_when("03.12.2026 14:00", ISTANBUL, NOW)
    assert not literal.needs_confirmation  # a whole literal date and a clear time: taken at once


@pytest.mark.parametrize(("typed", "clock", "assumed"), [
    ("3", time(15, 0), True), ("saat 2", time(14, 0), True), ("14", time(14, 0), False),
    ("03:00", time(3, 0), False), ("akşam 7", time(19, 0), False), ("sabah 9", time(9, 0), False),
    ("öğleden sonra 3", time(15, 0), False), ("2 pm", time(14, 0), False), ("9:30", time(9, 30), False),
])
def test_the_time_question_reads_hours_the_same_way(typed: str, clock: time, assumed: bool) -> None:
    assert read_clock(typed) == (clock, assumed)


# -- 17.4: typed answers the way Turkish is written ----------------------------------------

ANSWERS = {
    "no": [
        "Maalesef katılamayacağım", "maalesef bu sefer katılamayacağım, kusura bakmayın", "katılmayacağım",
        "gelemeyeceğim", "gelmiyorum", "Gelemem hocam, üzgünüm", "galiba gelemeyeceğim", "sanırım gelemiyorum",
        "herhalde katılamam", "KATILAMIYORUM!", "katılamıcam", "orada olamayacağım", "Müsait değilim",
        "işim çıktı, gelemiyorum", "hayır", "yokum", "özür dilerim katılamayacağım 🙏",
        "sorry, I can't make it", "I won't be able to come", "unfortunately I cannot attend", "probably not",
        "No", "nope", "can't come, sorry", "I'm afraid I won't be there",
    ],
    "yes": [
        "evet", "Evet, orada olacağım", "geliyorum", "katılacağım 👍", "Tabii ki geleceğim", "gelicem",
        "katılıyoruz", "ben de varım", "sanırım gelirim", "EVET KATILIYORUM",
        "I'll be there", "yes!", "Count me in", "I'm coming", "sure, see you there", "I think so",
        "no problem, I'll be there",
    ],
    "maybe": [
        "belki", "belki geç gelirim", "emin değilim", "inşallah gelirim", "gelmeyebilirim", "bilmiyorum henüz",
        "duruma göre", "maybe", "not sure yet", "I'll try to come", "I might come", "perhaps",
    ],
}


@pytest.mark.parametrize(("typed", "answer"), [(typed, answer) for answer, rows in ANSWERS.items() for typed in rows])
def test_typed_rsvp_answers_are_read_as_written(typed: str, answer: str) -> None:
    assert typed_answer(typed) == answer, typed


@pytest.mark.parametrize("typed", [
    "gelecek toplantı ne zaman?", "katılacak mısınız", "gelecek hafta görüşürüz", "ok", "tamam",
    "Gündemde bütçe var mı", "teşekkürler", "merhaba",
])
def test_what_is_not_an_answer_is_not_taken_for_one(typed: str) -> None:
    assert typed_answer(typed) is None, typed


@pytest.mark.parametrize("typed", ["maalesef", "sorry!", "kusura bakmayın", "hayır, geleceğim ama gelemem"])
def test_a_plausible_but_unclear_answer_is_asked_with_the_buttons(typed: str) -> None:
    reading = read_answer(typed)
    assert reading.answer is None and reading.plausible, typed


@pytest.mark.parametrize("typed", ["teşekkürler", "merhaba", "thanks!", "gelecek hafta görüşürüz"])
def test_thanks_and_greetings_are_not_taken_for_an_unclear_answer(typed: str) -> None:
    assert read_answer(typed) == (None, False) or not read_answer(typed).plausible, typed


@pytest.mark.parametrize(("typed", "said"), [
    ("evet doğru", "yes"), ("maalesef hayır", "no"), ("sure", "yes"), ("no thanks", "no"), ("belki", None),
])
def test_yes_and_no_elsewhere_are_read_the_same_way(typed: str, said: str | None) -> None:
    assert leaning(typed) == said


@pytest.mark.parametrize(("typed", "value"), [
    ("yok maalesef", False), ("Evet galiba", True), ("maalesef hayır", False), ("var, sanırım", True),
])
def test_a_survey_yes_no_answer_with_politeness_around_it(typed: str, value: bool) -> None:
    assert read_yes_no(typed) is value


# -- 18.4: other digits are digits; file text is cleaned like typed text -------------------

@pytest.mark.parametrize(("typed", "number"), [
    ("5", 5), ("５", 5), ("٥", 5), ("۵", 5), ("⁵", 5), ("²", 2), ("१२", 12), ("１２", 12), (" 12 ", 12),
    ("1.200", 1200), ("x", None), ("-3", None), ("1,5", None), ("", None),
])
def test_numbers_typed_with_other_digits(typed: str, number: int | None) -> None:
    assert read_number(typed) == number


def test_dates_and_survey_numbers_take_other_digits() -> None:
    assert ascii_digits("٣ Aralık ٢٠٢٦ ١٤:٠٠") == "3 Aralık 2026 14:00"
    assert parse_when("٣ Aralık ٢٠٢٦ ١٤:٠٠", ISTANBUL, NOW).moment == datetime(2026, 12, 3, 11, 0, tzinfo=UTC)
    assert parse_when("０３.１２.２０２６ １４:００", ISTANBUL, NOW).moment == datetime(2026, 12, 3, 11, 0, tzinfo=UTC)
    assert read_survey_number("１２,５") == 12.5 and read_survey_number("²") == 2.0
    assert fold("Kat ²") == "kat 2"


@pytest.mark.parametrize(("cell", "cleaned"), [
    ("Bakım_x000B_hizmetleri", "Bakım hizmetleri"),
    ("Satır_x000D__x000A_iki", "Satır iki"),
    ("_x005F_x000B_ literal", "_x000B_ literal"),
    ("Kadın\x00 \u202eDostu\u200b", "Kadın Dostu"),
    ("  boşluklar\t\tçok  ", "boşluklar çok"),
    (None, ""), (12, "12"),
])
def test_text_from_files_is_cleaned_like_typed_text(cell: object, cleaned: str) -> None:
    assert clean_cell(cell) == cleaned


# -- each reader in her language, everywhere ------------------------------------------------

def _template_milestones(group: Group) -> list[Milestone]:
    milestones = []
    for number, planned in enumerate(for_year(2026, {"nth": 1, "weekday": 1}), start=1):
        entry = planned.entry
        due = datetime.combine(planned.due, time(17), tzinfo=ISTANBUL).astimezone(UTC)
        milestones.append(Milestone(id=number, group_id=group.id, title=entry.title.get(group.language), due_at=due,
                                    has_time=False, audience=entry.audience, offsets=list(entry.offsets),
                                    template_code=planned.template_code, legal_basis=entry.basis,
                                    notes=entry.note.get(group.language) if entry.note else None))
    # on public holidays: Republic Day and the Feast of Sacrifice
    for number, day in ((90, date(2026, 10, 29)), (91, date(2026, 5, 27))):
        milestones.append(Milestone(id=number, group_id=group.id, title=milestones[0].title,
                                    due_at=datetime.combine(day, time(17), tzinfo=ISTANBUL).astimezone(UTC),
                                    has_time=False, audience="group", offsets=[7], template_code=milestones[0].template_code,
                                    legal_basis="Law 5393 art. 56; Law 5018 art. 9"))
    return milestones


@pytest.mark.parametrize("group_language", ["tr", "en"])
@pytest.mark.parametrize("reader", ["tr", "en"])
def test_cards_lists_ics_and_xlsx_speak_the_readers_language(group_language: str, reader: str) -> None:
    group = Group(id=1, name="Kadın Dostu Kent", city="Kars", language=group_language, timezone="Europe/Istanbul")
    milestones = _template_milestones(group)
    now = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)
    texts = []
    for milestone in milestones:
        texts += [render.details(milestone, group, reader, now), render.line(milestone, group, reader, now)]
    calendar = icalendar.Calendar.from_ical(year_ics(group, milestones, now, reader))
    texts += [f"{event.get('summary')} {event.get('description') or ''}" for event in calendar.walk("VEVENT")]
    sheet = openpyxl.load_workbook(io.BytesIO(year_xlsx(group, milestones, now, reader))).active
    texts += [" ".join(str(cell) for cell in row if cell is not None) for row in sheet.iter_rows(values_only=True)]
    everything = "\n".join(texts)
    assert not foreign_words(everything.replace(group.name, ""), reader), foreign_words(everything, reader)
    if reader == "tr":
        assert "Cumhuriyet Bayramı" in everything and "Kurban Bayramı" in everything
        assert "5393 sayılı Kanun md. 56; 5018 sayılı Kanun md. 9" in everything and "Law 5393" not in everything
        assert "Nisan meclis oturumu: faaliyet raporu" in everything
    else:
        assert "Republic Day" in everything and "Eid al-Adha" in everything
        assert "Law 5393 art. 56; Law 5018 art. 9" in everything and "sayılı" not in everything
        assert "April council session: activity report" in everything


def test_a_title_the_coordinator_typed_stays_as_she_wrote_it() -> None:
    group = Group(id=1, name="G", city="Kars", language="tr", timezone="Europe/Istanbul")
    milestone = _template_milestones(group)[0]
    renamed = Milestone(**{**milestone.__dict__, "title": "Bizim değerlendirme toplantımız"})
    assert render.title(renamed, "en") == "Bizim değerlendirme toplantımız"
    assert render.title(milestone, "en") != milestone.title  # the template's, in English


def test_holiday_names_come_in_the_readers_language() -> None:
    assert holiday_name(date(2026, 10, 29), "tr") == "Cumhuriyet Bayramı"
    assert holiday_name(date(2026, 10, 29), "en") == "Republic Day"
    assert holiday_name(date(2026, 10, 30), "tr") is None
    assert holiday_name(date(2026, 5, 27) + timedelta(days=1), "en") == "Eid al-Adha"


def test_a_part_of_the_day_said_with_the_date_holds_for_the_time_asked_after() -> None:
    evening = parse_when("yarın akşam", ISTANBUL, NOW)
    assert evening.needs_time and evening.period == "evening"
    assert read_clock("7", evening.period) == (time(19, 0), False)
    assert read_clock("7") == (time(7, 0), False)
    assert read_clock("sabah 7", evening.period) == (time(7, 0), False)  # what she types last wins
