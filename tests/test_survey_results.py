"""/sonuclar as a coordinator lives it: the summary, the chart, the spreadsheet, the CSV; the
privacy of anonymous surveys; roles; the cross-city comparison."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import openpyxl
from PIL import Image

from bot.models import Actor
from tests.harness import Harness
from tests.meetings_support import group_with
from tests.survey_results_e2e_support import kars_group, new_group, seed_survey


async def test_coordinator_gets_summary_chart_and_typed_spreadsheet(harness: Harness) -> None:
    zeynep, (ayse, fatma, sule, emma), group_id = await kars_group(harness)
    survey_id = await seed_survey(harness, group_id, [ayse, fatma, sule], [ayse, fatma, sule, emma, zeynep])

    summary = await harness.send(zeynep, "/sonuclar")
    text = summary.text or ""
    assert "Altı aylık izleme" in text and "Kadın Dostu Kent" in text
    assert "Açık, son gün 10.12.2026 23:59" in text
    assert "Yanıt oranı: 3/5 (%60)" in text
    assert "Henüz yanıtlamayanlar: Emma, Zeynep" in text
    assert "ortalama 1.316,67 · ortanca 1.300 · en az 1.250 · en çok 1.400" in text  # Babel, Turkish
    assert "Evet: 2 (%67)" in text and "Hayır: 1 (%33)" in text
    assert "Bakım: 3 (%100)" not in text and "Bakım: 2 (%67)" in text  # share of respondents
    assert "«Kreş saatleri uzamalı»" in text and "20.11.2026 – 20.11.2026" in text
    assert "I4 Belediye kreş kapasitesi: gerçekleşen 1.300, hedef 1.500 (başlangıç 1.000) → %60" in text
    assert "gerçekleşen %2,75, hedef %3 = başlangıç değeri (oran hesaplanamaz; hedef tutturulamadı)" in text
    assert "ortalama %2,75 · ortanca %2,75 · en az %2,5 · en çok %3" in text
    assert summary.button_texts == ["📄 CSV indir"]

    chart = await harness.next(zeynep)
    assert chart.kind == "photo" and chart.photo_bytes is not None
    image = Image.open(io.BytesIO(chart.photo_bytes))
    image.verify()
    assert image.format == "PNG" and image.size[0] >= 800 and len(chart.photo_bytes) > 20_000
    assert "Altı aylık izleme" in (chart.text or "")

    sheet_file = await harness.next(zeynep)
    assert sheet_file.document_name == f"survey-{survey_id}-kadin-dostu-kent.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(sheet_file.document_bytes or b""))
    assert book.sheetnames == ["Altı aylık izleme", "Özet", "Plan-Gerçekleşme"]
    rows = list(book["Altı aylık izleme"].iter_rows(values_only=True))
    header, ayse_row = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert "Teşekkürler" not in header  # notes are not questions
    assert ayse_row["Yanıtlayan"] == "Ayşe"
    assert ayse_row["Gönderilme"] == datetime(2026, 11, 26, 9, 17)  # Istanbul time, no zone
    assert ayse_row["Kreş kontenjanı"] == 1250 and ayse_row["Kreş kontenjanı — yorum"] == "2 yeni kreş açıldı"
    assert ayse_row["Bütçe payı"] == 2.5 and ayse_row["Aydınlatma"] == "İyi"
    assert (ayse_row["Öncelikler: Bakım"], ayse_row["Öncelikler: Güvenlik"]) == (1, 1)
    assert ayse_row["Denetim yürüyüşü"] == datetime(2026, 11, 20)
    assert ayse_row["Fotoğraf"] == "ayse_demir_park.jpg"
    opinion = book["Altı aylık izleme"].cell(row=2, column=header.index("Görüşünüz") + 1)
    assert opinion.data_type == "s" and opinion.value.startswith("=HYPERLINK")  # text, never a formula
    plan = list(book["Plan-Gerçekleşme"].iter_rows(values_only=True))
    i4 = next(row for row in plan if row[0] == "I4")
    assert i4[2:9] == (1000, 2024, 1500, 2026, 1300, 3, 60)

    csv_file = await harness.press(zeynep, summary, "📄 CSV indir")
    assert csv_file.document_name == f"survey-{survey_id}-kadin-dostu-kent.csv"
    data = csv_file.document_bytes or b""
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    ayse_csv = dict(zip(table[0], table[1], strict=True))
    assert ayse_csv["Bütçe payı"] == "2,5" and ayse_csv["Görüşünüz"].startswith("'=HYPERLINK")


async def test_an_english_coordinator_reads_english_and_the_file_keeps_the_groups_language(
        harness: Harness) -> None:
    group = await harness.create_group("Kadın Dostu Kent", "Kars")
    amy = harness.person("Amy", "en")
    await harness.join(amy, group.coordinator_invite.code, language="en")
    await harness.next(amy)
    people = []
    for name in ("Ayşe", "Fatma", "Şule"):
        person = harness.person(name)
        await harness.join(person, group.member_invite.code)
        await harness.next(person)
        people.append(person)
    await seed_survey(harness, group.group.id, people, [*people, amy])

    summary = await harness.send(amy, "/results")
    text = summary.text or ""
    assert "Six-monthly monitoring" in text and "Response rate: 3/4 (75%)" in text
    assert "Not answered yet: Amy" in text
    assert "mean 1,316.67 · median 1,300 · min 1,250 · max 1,400" in text
    assert "Yes: 2 (67%)" in text and "Good: 2 (67%)" in text
    assert "actual 1,300, target 1,500 (baseline 1,000) → 60%" in text
    assert "Open, due 10 Dec 2026, 23:59" in text
    assert (await harness.next(amy)).kind == "photo"
    xlsx = await harness.next(amy)
    book = openpyxl.load_workbook(io.BytesIO(xlsx.document_bytes or b""))
    assert book.sheetnames == ["Altı aylık izleme", "Özet", "Plan-Gerçekleşme"]  # the group's language


async def test_anonymous_results_and_files_name_nobody(harness: Harness) -> None:
    zeynep, (ayse, fatma, sule, emma), group_id = await kars_group(harness)
    await seed_survey(harness, group_id, [ayse, fatma, sule], [ayse, fatma, sule, emma], anonymous=True)

    summary = await harness.send(zeynep, "/sonuclar")
    text = summary.text or ""
    assert "Anonim anket" in text and "Yanıt oranı: 3/4" in text
    assert "yanıtlamayanlar" not in text and "Emma" not in text
    chart = await harness.next(zeynep)
    assert chart.kind == "photo"
    xlsx = await harness.next(zeynep)
    csv_file = await harness.press(zeynep, summary, "📄 CSV indir")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.document_bytes or b""))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row
             if cell is not None]
    everything = " ".join(map(str, cells)) + (csv_file.document_bytes or b"").decode("utf-8-sig")
    for person in (ayse, fatma, sule, emma, zeynep):
        assert person.user.first_name not in everything
        assert str(person.user.id) not in everything
        if person.user.username:
            assert person.user.username not in everything
    assert "ayse_demir" not in everything and "AgADfile" not in everything
    assert "Yanıtlayan" not in everything and "Gönderilme" not in everything
    assert all(cell.hour == 0 and cell.minute == 0 for cell in cells if isinstance(cell, datetime))


async def test_anonymous_results_wait_for_three_responses(harness: Harness) -> None:
    zeynep, (ayse, fatma, sule, emma), group_id = await kars_group(harness)
    await seed_survey(harness, group_id, [ayse, fatma], [ayse, fatma, sule, emma], anonymous=True)

    summary = await harness.send(zeynep, "/sonuclar")
    assert "en az <b>3</b>" in (summary.raw_text or "") or "en az 3 yanıt" in (summary.text or "")
    assert "Yanıt oranı: 2/4" in (summary.text or "") and "Kreş" not in (summary.text or "")
    assert summary.buttons == []
    await harness.settle()
    assert all(message.kind == "text" for message in harness.server.messages(zeynep.chat_id))


async def test_members_and_other_groups_coordinators_never_see_the_results(harness: Harness) -> None:
    zeynep, (ayse, fatma, sule, emma), group_id = await kars_group(harness)
    survey_id = await seed_survey(harness, group_id, [ayse, fatma, sule], [ayse, fatma, sule, emma])
    denied = await harness.send(ayse, "/sonuclar")
    assert "koordinatör" in (denied.text or "").lower() and "Kreş" not in (denied.text or "")

    leyla, _, _ = await new_group(harness, "Eşitlik Planı İzleme", "İzmir", "Leyla")
    other = await harness.send(leyla, f"/sonuclar {survey_id}")
    assert "bulunamadı" in (other.text or "") and "Kreş" not in (other.text or "")
    # A forged or forwarded button is input, not proof.
    actor = Actor(channel="telegram", external_id=str(leyla.user.id))
    for data in (f"results:{survey_id}", f"results:{survey_id}:csv", f"results:{survey_id}:cmp",
                 "results:abc", "results:", f"results:{survey_id}:x:y", "results:999999"):
        replies = await harness.services.conversation.on_choice(actor, data)
        assert [reply.attachment for reply in replies] == [None]
        assert "artık geçerli değil" in replies[0].text, (data, replies[0].text)


async def test_a_coordinator_of_two_cities_compares_them_side_by_side(harness: Harness) -> None:
    zeynep, (ayse, fatma, sule, emma), kars = await kars_group(harness)
    await seed_survey(harness, kars, [ayse, fatma, sule], [ayse, fatma, sule, emma])
    _, (deniz, ece, filiz) = await group_with(harness, ("Deniz", "tr"), ("Ece", "tr"), ("Filiz", "tr"),
                                             name="Eşitlik Planı İzleme", city="İzmir", coordinator=zeynep)
    izmir = (await harness.services.groups.all())[-1][0].id
    izmir_survey = await seed_survey(harness, izmir, [deniz, ece], [deniz, ece, filiz])
    leyla, _, antep = await new_group(harness, "Ekonomik Güçlenme", "Gaziantep", "Leyla")
    await seed_survey(harness, antep, [leyla], [leyla])  # not Zeynep's: never in her comparison

    listing = await harness.send(zeynep, "/sonuclar")
    assert "Hangi anketin" in (listing.text or "") and len(listing.buttons) == 2
    summary = await harness.press(zeynep, listing, f"results:{izmir_survey}")
    assert "Eşitlik Planı İzleme" in (summary.text or "") and "2/3" in (summary.text or "")
    await harness.next(zeynep)  # chart
    await harness.next(zeynep)  # xlsx
    comparison = await harness.press(zeynep, summary, "🗺 Şehirleri karşılaştır")
    assert "Kadın Dostu Kent</b>: 3/4" in (comparison.raw_text or "") or "Kadın Dostu Kent: 3/4" in (comparison.text or "")
    workbook = await harness.next(zeynep)
    book = openpyxl.load_workbook(io.BytesIO(workbook.document_bytes or b""))
    rows = list(book["Karşılaştırma"].iter_rows(values_only=True))
    assert rows[0][1] == "Kadın Dostu Kent (Kars)" and rows[0][3] == "Eşitlik Planı İzleme (İzmir)"
    assert len(rows[0]) == 5  # Gaziantep is not hers
    everything = " ".join(str(c) for s in book.worksheets for r in s.iter_rows(values_only=True) for c in r if c)
    assert "Ekonomik Güçlenme" not in everything and "Leyla" not in everything


async def test_answered_in_chat_closed_at_the_deadline_then_the_results_button(harness: Harness) -> None:
    """The whole way: /anket's survey reaches members, two answer in the chat, it closes at the
    deadline, and the coordinator's 📊 button on the closing message opens the results."""
    from bot.services.surveys.content import library

    zeynep, (ayse, fatma, sule) = await group_with(harness, ("Ayşe", "tr"), ("Fatma", "tr"), ("Şule", "tr"))
    deadline = datetime(2026, 12, 12, 14, 0, tzinfo=UTC)
    await harness.services.surveys.send(group_id=1, form=library().templates["toplanti_geri_bildirim"],
                                        deadline=deadline, anonymous=False, created_by=1,
                                        template="toplanti_geri_bildirim")
    for person, score, time_ok, layout in ((ayse, "2", "EVET", "Karma"), (fatma, "5", "hayır", "Çevrim içi")):
        invitation = await harness.next_containing(person, "Yeni anket", timeout=10)
        await harness.press(person, invitation, "▶️ Başla")
        await harness.next_containing(person, "1. soru (en fazla 4)")
        after = await harness.send(person, score)
        if "daha iyi" in after.text:
            after = await harness.send(person, "=Daha kısa olsun")
        question = await harness.send(person, time_ok)
        summary = await harness.press(person, question, layout)
        await harness.press(person, summary, "📤 Gönder")

    await harness.advance(deadline - harness.clock.now() + timedelta(minutes=1))
    closing = await harness.next_containing(zeynep, "Yanıt oranı: 2/4", timeout=10)
    results = await harness.press(zeynep, closing, "📊 Sonuçlar")
    text = results.text or ""
    assert "Toplantı geri bildirimi" in text and "Kapandı (12.12.2026 17:00)" in text
    assert "Yanıtlamayanlar: Şule, Zeynep" in text
    assert "ortalama 3,5 · ortanca 3,5 · en az 2 · en çok 5" in text
    assert "  2: 1 (%50)" in text and "  3: 0 (%0)" in text  # the scale, point by point
    assert "Evet: 1 (%50)" in text and "Karma: 1 (%50)" in text and "Yüz yüze: 0 (%0)" in text
    assert "«=Daha kısa olsun»" in text
    chart = await harness.next(zeynep)
    assert chart.kind == "photo" and (chart.photo_bytes or b"").startswith(b"\x89PNG")
    workbook = await harness.next(zeynep)
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.document_bytes or b"")).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    by_name = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert set(by_name) == {"Ayşe", "Fatma"}
    assert by_name["Ayşe"]["Toplantıdan ne kadar memnun kaldınız?"] == 2
    assert by_name["Fatma"]["Toplantı saati size uygun muydu?"] == "Hayır"
    improve = sheet.cell(row=[r[0] for r in rows].index("Ayşe") + 1,
                         column=rows[0].index("Neyi daha iyi yapabiliriz?") + 1)
    assert improve.value == "=Daha kısa olsun" and improve.data_type == "s"
