"""Results arithmetic, exports and charts over a small survey (no bot needed)."""

from __future__ import annotations

import csv
import gc
import io
from datetime import date, datetime

import openpyxl
import pytest

from bot.services.surveys.charts import chart_png, render_png
from bot.services.surveys.exports import csv_text, sheet_name, survey_csv, survey_xlsx, template_xlsx
from bot.services.surveys.results import achievement_percent, summarize
from tests.survey_results_support import survey

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_numbers_choices_yes_no_texts_dates_and_evidence_are_summarized() -> None:
    results = summarize(survey())
    by_name = {summary.question.name: summary for summary in results.summaries}
    assert "note" not in by_name  # display-only questions have no results
    creches = by_name["creches"].numbers
    assert creches is not None and (creches.count, creches.mean, creches.median, creches.minimum, creches.maximum) \
        == (3, 16 / 3, 5, 4, 7)
    assert by_name["budget"].count == 2  # skipped by one respondent
    assert [(s.name, s.count, round(s.percent)) for s in by_name["unit"].shares] == [("yes", 2, 67), ("no", 1, 33)]
    assert [(s.label, s.count) for s in by_name["lighting"].shares] == [("İyi", 2), ("Zayıf", 1)]
    # Multiple choice: share of respondents, an empty selection still counts as answered.
    assert [(s.label, s.count, s.total) for s in by_name["areas"].shares] == \
        [("Bakım", 2, 3), ("Güvenlik", 1, 3), ("İstihdam", 0, 3)]
    assert by_name["comment"].texts == ["=HYPERLINK(\"http://evil\")", "Kreşler yetersiz"]
    assert by_name["visited"].dates == (date(2026, 11, 2), date(2026, 11, 2))
    assert by_name["photo"].evidence == 1
    assert results.rate.responded == 3 and results.rate.invited == 4
    assert results.rate.missing == ["Zeynep Çelik"]


def test_achievement_follows_the_sbb_formula_and_notes_a_target_equal_to_the_baseline() -> None:
    assert achievement_percent(5, 2, 6) == 75.0
    assert achievement_percent(1, 2, 6) == -25.0  # worse than the baseline
    assert achievement_percent(8, 10, 6) == 50.0  # a target below the baseline (fewer is better)
    assert achievement_percent(3, 3, 3) is None
    plan = {item.card.indicator: item for item in summarize(survey()).achievements}
    assert plan["I4"].actual == 5 and plan["I4"].percent == 75.0 and plan["I4"].reports == 3
    assert plan["I1"].percent is None and plan["I1"].target_equals_baseline
    assert plan["I1"].actual == 2.75 and not plan["I1"].met


def test_anonymous_results_below_the_minimum_reveal_only_the_count() -> None:
    results = summarize(survey(anonymous=True, count=2))
    assert results.withheld and results.summaries == [] and results.achievements == []
    assert results.rate.responded == 2 and results.rate.missing == []
    assert chart_png(results, "tr") is None
    enough = summarize(survey(anonymous=True))
    assert not enough.withheld and enough.rate.missing == []  # missing names would tell who answered


def _sheet_rows(data: bytes, name: str) -> list[tuple[object, ...]]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [tuple(row) for row in book[name].iter_rows(values_only=True)]


def test_xlsx_has_typed_cells_split_multiple_choice_summary_and_plan_sheets() -> None:
    data = survey_xlsx(survey())
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Altı aylık izleme", "Özet", "Plan-Gerçekleşme"]
    rows = _sheet_rows(data, "Altı aylık izleme")
    header = rows[0]
    assert header[:4] == ("Yanıtlayan", "Gönderilme", "Kreş sayısı", "Kreş sayısı — yorum")
    assert "Öncelikli alanlar: Bakım" in header and "Öncelikli alanlar: İstihdam" in header
    ayse = dict(zip(header, rows[1], strict=True))
    assert ayse["Yanıtlayan"] == "Ayşe Yılmaz"
    assert ayse["Gönderilme"] == datetime(2026, 11, 26, 0, 30)  # 21:30 UTC is 00:30 in Istanbul, no zone
    assert ayse["Kreş sayısı"] == 5 and isinstance(ayse["Kreş sayısı"], int)
    assert ayse["Bütçe payı (%)"] == 2.5
    assert ayse["Eşitlik birimi var mı?"] == "Evet" and ayse["Aydınlatma"] == "İyi"
    assert (ayse["Öncelikli alanlar: Bakım"], ayse["Öncelikli alanlar: Güvenlik"],
            ayse["Öncelikli alanlar: İstihdam"]) == (1, 1, 0)
    assert ayse["Ziyaret tarihi"] == datetime(2026, 11, 2)  # a date cell (openpyxl reads datetimes)
    assert ayse["Kanıt"] == "ayse_yilmaz_kimlik.jpg"
    assert ayse["Görüşünüz"] == "=HYPERLINK(\"http://evil\")"  # text, not a formula
    sule = dict(zip(header, rows[3], strict=True))
    assert sule["Bütçe payı (%)"] is None
    plan = _sheet_rows(data, "Plan-Gerçekleşme")
    assert plan[0][:3] == ("Gösterge", "Gösterge adı", "Başlangıç değeri")
    i4 = next(row for row in plan if row[0] == "I4")
    assert i4[1:9] == ("Belediye kreş kapasitesi", 2, 2024, 6, 2026, 5, 3, 75)
    i1 = next(row for row in plan if row[0] == "I1")
    assert i1[8] is None and "eşit" in i1[9]
    summary = _sheet_rows(data, "Özet")
    creches = next(row for row in summary if row[0] == "Kreş sayısı")
    assert creches[1:6] == (3, pytest.approx(16 / 3), 5, 4, 7)


def test_no_cell_is_a_formula_and_dangerous_text_stays_text() -> None:
    data = survey_xlsx(survey())
    book = openpyxl.load_workbook(io.BytesIO(data))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
    assert csv_text("=1+2") == "'=1+2" and csv_text("+90 555") == "'+90 555"
    assert csv_text("-5 kişi") == "'-5 kişi" and csv_text("@SUM(A1)") == "'@SUM(A1)"
    assert csv_text("Kreş") == "Kreş"


def test_sheet_names_are_valid_and_unique_whatever_the_title() -> None:
    assert sheet_name("İzleme [2026]: Kadın/Erkek*?\\", []) == "İzleme _2026__ Kadın_Erkek___"
    long = "Toplumsal cinsiyet eşitliği altı aylık izleme anketi 2026"
    first = sheet_name(long, [])
    assert len(first) == 31
    second = sheet_name(long, [first])
    assert second.endswith(" (2)") and len(second) <= 31 and second != first
    assert sheet_name("özet", ["ÖZET"]) != "özet"
    assert sheet_name("'''", []) == "Sheet" and sheet_name("History", []) != "History"
    data = survey_xlsx(survey(title="Özet"))  # the title clashes with the summary sheet's name
    names = openpyxl.load_workbook(io.BytesIO(data)).sheetnames
    assert len(names) == len({name.casefold() for name in names}) == 3


def test_csv_is_utf8_with_bom_semicolons_decimal_comma_and_no_formulas() -> None:
    data = survey_csv(survey())
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    header, ayse = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert header[0] == "Yanıtlayan" and len(rows) == 4
    assert ayse["Bütçe payı (%)"] == "2,5" and ayse["Gönderilme"] == "26.11.2026 00:30"
    assert ayse["Görüşünüz"] == "'=HYPERLINK(\"http://evil\")"
    assert ayse["Ziyaret tarihi"] == "02.11.2026"


def test_anonymous_exports_hold_no_name_id_file_name_or_time_of_day() -> None:
    anonymous = survey(anonymous=True)
    xlsx = survey_xlsx(anonymous)
    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row]
    text = " ".join(str(cell) for cell in cells if cell is not None)
    for secret in ("Ayşe", "Fatma", "Şule", "Zeynep", "ayse_yilmaz", "AgAD", "Yanıtlayan"):
        assert secret not in text
    days = [cell for cell in cells if isinstance(cell, datetime)]
    assert days and all(cell.hour == 0 and cell.minute == 0 for cell in days)
    csv_data = survey_csv(anonymous).decode("utf-8-sig")
    for secret in ("Ayşe", "Fatma", "ayse_yilmaz", "AgAD", "00:30"):
        assert secret not in csv_data
    withheld = survey_csv(survey(anonymous=True, count=2)).decode("utf-8-sig")
    assert len(withheld.strip().splitlines()) == 1  # headers only
    assert openpyxl.load_workbook(io.BytesIO(survey_xlsx(survey(anonymous=True, count=2)))).sheetnames \
        == ["Özet", "Plan-Gerçekleşme"]


def test_english_labels_for_an_english_group() -> None:
    data = survey_xlsx(survey(language="en"))
    names = openpyxl.load_workbook(io.BytesIO(data)).sheetnames
    assert names[1:] == ["Summary", "Plan vs actual"]
    header = _sheet_rows(data, names[0])[0]
    assert header[:3] == ("Respondent", "Submitted", "Number of crèches")


def test_cross_city_workbook_puts_groups_side_by_side() -> None:
    kars, izmir = survey(), survey()
    izmir.group_name, izmir.city, izmir.id = "Eşitlik Planı İzleme", "İzmir", 8
    data = template_xlsx([kars, izmir], lang="tr")
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames[:2] == ["Karşılaştırma", "Plan-Gerçekleşme"] and len(book.sheetnames) == 4
    rows = _sheet_rows(data, "Karşılaştırma")
    assert rows[0][1] == "Kadın Dostu Kent (Kars)" and rows[0][3] == "Eşitlik Planı İzleme (İzmir)"
    plan = _sheet_rows(data, "Plan-Gerçekleşme")
    assert {row[0] for row in plan[1:]} == {"Kadın Dostu Kent", "Eşitlik Planı İzleme"}


async def test_the_chart_is_a_png_with_turkish_text_drawn_off_the_loop() -> None:
    results = summarize(survey())
    png = await render_png(results, "tr")
    assert png is not None and png.startswith(PNG_SIGNATURE) and len(png) > 10_000
    from PIL import Image

    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width >= 800 and image.height >= 600


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


def test_hundreds_of_charts_leave_no_memory_behind() -> None:
    import warnings

    results = summarize(survey())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph (a Turkish letter) would warn
        chart_png(results, "tr")
    small = summarize(survey())
    small.summaries = small.summaries[2:3]  # one panel: many charts, quickly
    small.achievements = small.achievements[:1]
    for _ in range(40):  # warm caches (fonts, text layout, LRU caches fill up)
        chart_png(small, "tr")
    gc.collect()
    before = _rss_bytes()
    for _ in range(40):
        chart_png(small, "tr")
    gc.collect()
    grown = _rss_bytes() - before
    assert grown < 6_000_000, grown  # a leaked figure holds ~2 MB: 40 of them would show


def test_names_sort_the_turkish_way() -> None:
    from bot.services.surveys.results import turkish_sort_key

    names = ["Zeynep", "Şule", "İpek", "Işıl", "Çiğdem", "Ayşe", "Can", "Sevgi", "Öykü", "Oya", "Ümran", "Uğur"]
    assert sorted(names, key=turkish_sort_key) == \
        ["Ayşe", "Can", "Çiğdem", "Işıl", "İpek", "Oya", "Öykü", "Sevgi", "Şule", "Uğur", "Ümran", "Zeynep"]


def test_a_survey_nobody_answered_yet_still_gives_a_clear_file_and_no_chart() -> None:
    empty = survey(count=0)
    results = summarize(empty)
    assert results.rate.responded == 0 and results.rate.missing == [p.name for p in empty.invited]
    assert all(summary.count == 0 for summary in results.summaries) and results.achievements == []
    assert chart_png(results, "tr") is None
    book = openpyxl.load_workbook(io.BytesIO(survey_xlsx(empty)))
    assert [row for row in book.worksheets[0].iter_rows(values_only=True)][1:] == []
    assert survey_csv(empty).decode("utf-8-sig").count("\r\n") == 1
