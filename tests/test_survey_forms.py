"""A Kobo-style form with every type the import maps, answered end to end in the chat: on
Telegram (through the fake Bot API) and on WhatsApp (through the fake Graph API) — acknowledge,
a group heading with its condition, numbers with the form's own re-ask text, a calculate,
choices whose codes collide with their positions, or_other, regex, a photo, the app's own
location message, a default, a date, and `geri` at the summary."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl

from bot.services.surveys.model import SurveyForm
from bot.services.surveys.xlsform import check_xlsform
from storage import surveys as repo
from tests.harness import Harness
from tests.meetings_support import group_with
from tests.test_uploads import PNG
from tests.whatsapp_support import WaHarness, graph, wa  # noqa: F401  (fixtures)

HEADER = ["type", "name", "label::Türkçe (tr)", "label::English (en)", "required", "constraint",
          "constraint_message::Türkçe (tr)", "constraint_message::English (en)", "relevant", "calculation",
          "default", "appearance", "$kuid"]


def kobo_form() -> bytes:
    """What a KoboToolbox user downloads: metadata, a group, display columns, Kobo's ids."""
    rows: list[list[Any]] = [
        ["start", "start"], ["today", "today"], ["deviceid", "deviceid"],
        ["note", "intro", "Hoş geldiniz", "Welcome"],
        ["acknowledge", "consent", "Okudum, kabul ediyorum", "I have read this and agree"],
        ["integer", "households", "Kaç hane?", "How many households?", "yes", ". >= 0 and . <= 100",
         "0 ile 100 arası bir sayı yazın", "Type a number from 0 to 100", None, None, None, "w2", "a1b2"],
        ["calculate", "doubled", None, None, None, None, None, None, None, "${households} * 2"],
        ["select_one hood or_other", "hood", "Hangi mahalle?", "Which neighbourhood?", "yes"],
        ["select_multiple service", "services", "Hangi hizmetler?", "Which services?", None, None, None, None,
         None, None, None, "minimal"],
        ["begin group", "safety", "Güvenlik", "Safety", None, None, None, None, "${households} > 0"],
        ["select_one yn", "lit", "Aydınlatma yeterli mi?", "Is the lighting enough?"],
        ["text", "code", "Mahalle kodu", "Neighbourhood code", None, "regex(., '^[A-Z]{2}[0-9]{2}$')",
         "İki harf, iki rakam: AB12", "Two letters, two digits: AB12"],
        ["end group"],
        ["image", "photo", "Fotoğraf", "Photo"],
        ["geopoint", "where", "Konum", "Location"],
        ["decimal", "budget", "Bütçe (milyon TL)", "Budget (million TL)", None, None, None, None, None, None, "2.5"],
        ["date", "visited", "Ziyaret tarihi", "Date of the visit"],
        ["end", "end"],
    ]
    choices = [["hood", "3", "Merkez", "Centre"], ["hood", "1", "Yenişehir", "Yenişehir"],
               ["hood", "2", "Bahçelievler", "Bahçelievler"],
               ["service", "a", "Kreş", "Crèche"], ["service", "b", "Sağlık", "Health"],
               ["service", "c", "Aydınlatma", "Lighting"],
               ["yn", "yes", "Evet", "Yes"], ["yn", "no", "Hayır", "No"]]
    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(HEADER)
    for row in rows:
        survey.append(row)
    listed = book.create_sheet("choices")
    listed.append(["list_name", "name", "label::Türkçe (tr)", "label::English (en)"])
    for row in choices:
        listed.append(row)
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version"])
    settings.append(["Mahalle turu", "mahalle_turu", "2026-11"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def imported() -> SurveyForm:
    checked = check_xlsform(kobo_form(), file="mahalle_turu.xlsx")
    assert checked.form is not None, checked.report()
    return checked.form


def test_the_form_imports_with_a_note_for_each_row_left_out() -> None:
    checked = check_xlsform(kobo_form(), file="mahalle_turu.xlsx")
    report = checked.report()
    assert checked.form is not None, report
    assert [q.name for q in checked.form.questions] == [
        "intro", "consent", "households", "doubled", "hood", "hood_other", "services", "lit", "code", "photo",
        "where", "budget", "visited"]
    kinds = {(note.row, note.kind) for note in checked.notes}
    assert {(2, "ignored"), (3, "ignored"), (4, "ignored"), (19, "ignored")} <= kinds  # start, today, deviceid, end
    assert "'appearance' is a display setting" in report and "'$kuid' is a column Koordinat does not use" in report
    assert "or_other" in report and "stored with each response, not asked" in report
    lit = checked.form.question("lit")
    assert lit is not None and lit.heading == {"tr": "Güvenlik", "en": "Safety"}
    assert lit.conditions[0][0].model_dump() == {"question": "households", "op": "gt", "value": 0}


async def _send(harness: Harness) -> None:
    await harness.services.surveys.send(group_id=1, form=imported(), anonymous=False, created_by=None,
                                        deadline=harness.clock.now() + timedelta(days=10))


async def test_every_mapped_type_answered_on_telegram(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await _send(harness)
    invitation = await harness.next_containing(ayse, "Yeni anket", timeout=10)
    await harness.press(ayse, invitation, "▶️ Başla")
    ack = await harness.next_containing(ayse, "Okudum")
    assert "ℹ️ Hoş geldiniz" in ack.text and ack.button_texts[0] == "✔️ Tamam"
    households = await harness.press(ayse, ack, "✔️ Tamam")
    assert "Kaç hane?" in households.text
    too_many = await harness.send(ayse, "500")
    assert "0 ile 100 arası bir sayı yazın" in too_many.text  # the form's own constraint_message
    hood = await harness.send(ayse, "12")
    assert "Hangi mahalle?" in hood.text
    assert hood.button_texts[:4] == ["Merkez", "Yenişehir", "Bahçelievler", "Diğer"]
    other = await harness.send(ayse, "4")  # the fourth on her screen: Other, then its text question
    assert "Diğer" in other.text and "lütfen belirtin" in other.text
    back = await harness.send(ayse, "geri")
    assert "Hangi mahalle?" in back.text
    services = await harness.send(ayse, "3")  # position 3 is Bahçelievler, never the code 3 (Merkez)
    assert "Kaydedildi: Bahçelievler" in services.text and "Hangi hizmetler?" in services.text
    lit = await harness.send(ayse, "1 3")  # two numbers: two choices
    assert "Kaydedildi: Kreş, Aydınlatma" in lit.text
    assert lit.text.index("Güvenlik") < lit.text.index("Aydınlatma yeterli mi?")  # the group's heading, first
    code = await harness.send(ayse, "evet")
    assert "Mahalle kodu" in code.text and "Güvenlik" not in code.text  # shown once
    wrong = await harness.send(ayse, "ab-12")
    assert "İki harf, iki rakam: AB12" in wrong.text
    photo = await harness.send(ayse, "AB12")
    assert "Fotoğraf" in photo.text
    await harness.server.send_photo_from(ayse.user, PNG)
    where = await harness.next_containing(ayse, "Konum")
    assert "Kaydedildi: 📎" in where.text
    await harness.server.send_location_from(ayse.user, 41.0082, 28.9784)
    budget = await harness.next_containing(ayse, "Bütçe")
    assert "Kaydedildi: 📍 41.0082, 28.9784" in budget.text and "↩️ 2,5" in budget.button_texts  # her format
    visited = await harness.press(ayse, budget, "↩️ 2,5")
    assert "Kaydedildi: 2,5" in visited.text and "Ziyaret tarihi" in visited.text
    summary = await harness.send(ayse, "03.12.2026")
    assert "yanıtlarınız" in summary.text and "→ 📍 41.0082, 28.9784" in summary.text
    again = await harness.send(ayse, "geri")  # back from the summary, as everywhere else
    assert "Ziyaret tarihi" in again.text and "03.12.2026" in again.text
    summary = await harness.send(ayse, "04.12.2026")
    which = await harness.send(ayse, "değiştir")
    budget_again = await harness.press(ayse, which, next(b for b in which.button_texts if "Bütçe" in b))
    comment = await harness.press(ayse, budget_again, "💬 Yorum ekle")
    assert "yorum" in comment.text.lower()
    returned = await harness.send(ayse, "geri")  # back from the comment prompt too: no comment "geri"
    assert "Bütçe (milyon TL)" in returned.text and "Şu anki yanıtınız: 2,5" in returned.text
    summary = await harness.send(ayse, "2,5")
    assert "yanıtlarınız" in summary.text and "geri" not in summary.text
    thanks = await harness.press(ayse, summary, "📤 Gönder")
    assert "Teşekkürler" in thanks.text

    async with harness.services.db.read() as conn:
        [survey] = await repo.surveys_for_groups(conn, [1])
        [response] = await repo.responses(conn, survey.id)
    form = imported()
    values = {name: answer.value(form.question(name)) for name, answer in response.answers.items()}  # type: ignore[arg-type]
    assert values["consent"] is True and values["households"] == 12 and values["doubled"] == 24
    assert values["hood"] == "2" and values["services"] == ["a", "c"] and values["lit"] is True
    assert values["code"] == "AB12" and values["where"] == "41.0082 28.9784" and values["budget"] == 2.5
    assert "hood_other" not in values  # asked, then Back and another choice: dropped at submission

    results = harness.services.survey_results
    assert results is not None
    view = await results.view(survey.id)
    book = openpyxl.load_workbook(io.BytesIO(results.xlsx(view)))
    rows = list(book[book.sheetnames[0]].iter_rows(values_only=True))
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["Kaç hane?"] == 12 and row["doubled"] == 24 and row["Konum"] == "41.0082 28.9784"
    assert row["Okudum, kabul ediyorum"] == "✔" and row["Hangi mahalle?"] == "Bahçelievler"


async def test_every_mapped_type_answered_on_whatsapp(wa: WaHarness) -> None:
    zeynep, _ = await group_with(wa)
    code = (await wa.services.groups.new_member_invite(1)).code
    emma = wa.graph.user("Emma", phone="905321234567")
    await wa.wa_join(emma, code, "en")
    await wa.wa_skip(emma)
    await _send(wa)
    await wa.settle()
    invitation = await wa.wa_next(emma, "New survey", timeout=10)
    start = next(choice.title for choice in invitation.buttons if "Start" in choice.title)
    ack = await wa.wa_tap(emma, invitation, start)
    if "I have read" not in ack.text:
        ack = await wa.wa_next(emma, "I have read")
    assert "Welcome" in ack.text and [b.title for b in ack.buttons][0] == "✔️ OK"
    households = await wa.wa_tap(emma, ack, "✔️ OK")
    assert "How many households?" in households.text
    refused = await wa.wa_send(emma, "140")
    assert "Type a number from 0 to 100" in refused.text
    hood = await wa.wa_send(emma, "7")
    assert "Which neighbourhood?" in hood.text
    services = await wa.wa_send(emma, "3")  # the third row she sees: Bahçelievler (code 2)
    assert "Saved: Bahçelievler" in services.text
    lit = await wa.wa_send(emma, "1, 3")
    assert "Saved: Crèche, Lighting" in lit.text and "Safety" in lit.text
    code_question = await wa.wa_send(emma, "no")
    assert "Neighbourhood code" in code_question.text
    wrong = await wa.wa_send(emma, "12AB")
    assert "Two letters, two digits: AB12" in wrong.text
    photo = await wa.wa_send(emma, "KR36")
    assert "Photo" in photo.text
    await wa.graph.send_image(emma, PNG)
    where = await wa.wa_next(emma, "Location")
    assert "Saved: 📎" in where.text
    await wa.graph.send_location(emma, 40.6013, 43.0975, name="Kars")
    budget = await wa.wa_next(emma, "Budget")
    assert "Saved: 📍 40.6013, 43.0975" in budget.text
    visited = await wa.wa_tap(emma, budget, "↩️ 2.5")
    assert "Saved: 2.5" in visited.text
    # On WhatsApp the last answer sends the survey (one billed message less); `back` at the last
    # question is the way back, as everywhere.
    back = await wa.wa_send(emma, "back")
    assert "Budget" in back.text
    again = await wa.wa_send(emma, "2.5")
    assert "Date of the visit" in again.text
    thanks = await wa.wa_send(emma, "4 December 2026")
    assert "Thank you" in thanks.text and "4 Dec 2026" in thanks.text

    async with wa.services.db.read() as conn:
        [survey] = await repo.surveys_for_groups(conn, [1])
        [response] = await repo.responses(conn, survey.id)
    form = imported()
    values = {name: answer.value(form.question(name)) for name, answer in response.answers.items()}  # type: ignore[arg-type]
    assert values["hood"] == "2" and values["services"] == ["a", "c"] and values["lit"] is False
    assert values["where"] == "40.6013 43.0975" and values["doubled"] == 14 and values["budget"] == 2.5
    assert values["photo"].kind == "photo"


def long_list_form() -> SurveyForm:
    """Twelve districts whose codes are numbers in reverse order (code 12 is first on screen)."""
    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label::English (en)", "label::Türkçe (tr)"])
    survey.append(["select_one district", "home", "Where do you live?", "Nerede oturuyorsunuz?"])
    survey.append(["select_multiple district", "visits", "Where do you go?", "Nereye gidiyorsunuz?"])
    survey.append(["geopoint", "spot", "The unsafe spot", "Güvensiz nokta"])
    listed = book.create_sheet("choices")
    listed.append(["list_name", "name", "label::English (en)", "label::Türkçe (tr)"])
    for position in range(1, 13):
        code = str(13 - position)
        listed.append(["district", code, f"District {chr(64 + position)}", f"Bölge {chr(64 + position)}"])
    buffer = io.BytesIO()
    book.save(buffer)
    checked = check_xlsform(buffer.getvalue(), default_language="en")
    assert checked.form is not None, checked.report()
    return checked.form


async def test_whatsapp_numbered_choices_and_an_anonymous_location(wa: WaHarness) -> None:
    zeynep, _ = await group_with(wa)
    code = (await wa.services.groups.new_member_invite(1)).code
    emma = wa.graph.user("Emma", phone="905321234568")
    await wa.wa_join(emma, code, "en")
    await wa.wa_skip(emma)
    await wa.services.surveys.send(group_id=1, form=long_list_form(), anonymous=True, created_by=None,
                                   deadline=wa.clock.now() + timedelta(days=10))
    await wa.settle()
    invitation = await wa.wa_next(emma, "New survey", timeout=10)
    start = next(choice.title for choice in invitation.buttons if "Start" in choice.title)
    home = await wa.wa_tap(emma, invitation, start)
    if "Where do you live?" not in home.text:
        home = await wa.wa_next(emma, "Where do you live?")
    assert "*3.* District C" in home.text and "*12.* District L" in home.text  # numbers written on screen
    visits = await wa.wa_send(emma, "3")
    assert "Saved: District C" in visits.text  # the third on screen (code 10), not the code 3
    spot = await wa.wa_send(emma, "2, 11")
    assert "Saved: District B, District K" in spot.text
    await wa.graph.send_location(emma, 40.601337, 43.097512)
    summary = await wa.wa_next(emma, "answers")
    assert "📍 40.6, 43.1" in summary.text  # anonymous: about a kilometre, not her door
    await wa.wa_send(emma, "submit")
    async with wa.services.db.read() as conn:
        [survey] = await repo.surveys_for_groups(conn, [1])
        [response] = await repo.responses(conn, survey.id)
    form = long_list_form()
    values = {name: answer.value(form.question(name)) for name, answer in response.answers.items()}  # type: ignore[arg-type]
    assert values == {"home": "10", "visits": ["11", "2"], "spot": "40.6 43.1"}


async def test_geri_steps_back_through_the_coordinators_new_survey_dialog(harness: Harness) -> None:
    zeynep, _ = await group_with(harness, ("Ayşe", "tr"))
    await harness.send(zeynep, "/anket")
    source = await harness.next(zeynep)
    deadline = await harness.press(zeynep, source, "Altı aylık izleme (6 soru)")
    assert "Örnek:" in deadline.text
    again = await harness.send(zeynep, "geri")
    assert "Altı aylık izleme (6 soru)" in again.button_texts
    deadline = await harness.press(zeynep, again, "Altı aylık izleme (6 soru)")
    anonymity = await harness.send(zeynep, "12.12.2026 17:00")
    preview = await harness.press(zeynep, anonymity, "👤 İsimli")
    assert "Önizleme" in preview.text
    back = await harness.send(zeynep, "geri")  # from the preview: the last question asked
    assert back.button_texts == ["👤 İsimli", "🕶 Anonim"]


async def test_notes_keep_their_condition_and_a_closing_note_greets_her_by_her_answer(harness: Harness) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label", "relevant"])
    for row in (["text", "who", "Adınız?"], ["select_one yn", "pizza", "Pizza sever misiniz?"],
                ["note", "weird", "Bu ilginç!", "${pizza} = 'no'"], ["integer", "slices", "Kaç dilim?"],
                ["note", "bye", "Teşekkürler ${who}!"]):
        sheet.append(row)
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    choices.append(["yn", "yes", "Evet"])
    choices.append(["yn", "no", "Hayır"])
    buffer = io.BytesIO()
    book.save(buffer)
    form = check_xlsform(buffer.getvalue()).form
    assert form is not None
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await harness.services.surveys.send(group_id=1, form=form, anonymous=False, created_by=None,
                                        deadline=harness.clock.now() + timedelta(days=10))
    invitation = await harness.next_containing(ayse, "Yeni anket", timeout=10)
    await harness.press(ayse, invitation, "▶️ Başla")
    await harness.next_containing(ayse, "Adınız?")
    await harness.send(ayse, "Ayşe Demir")
    slices = await harness.send(ayse, "evet")
    assert "Kaç dilim?" in slices.text and "ilginç" not in slices.text  # its condition does not hold
    summary = await harness.send(ayse, "3")
    assert "ℹ️ Teşekkürler Ayşe Demir!" in summary.text and "yanıtlarınız" in summary.text


def test_a_note_before_a_skipped_question_is_shown_with_the_next_asked_one() -> None:
    """The Kobo tutorial: "That's weird!" (relevant ${pizza_fan} = 'no') sits before
    pizza_type and favorite_toppings, both skipped when she answers no."""
    from bot.services.surveys.answering import AnsweringFlow
    from bot.services.surveys.model import Answer
    from bot.services.surveys.xlsform import read_xlsform
    form = read_xlsform((Path(__file__).parent / "files" / "xlsforms" / "kobo_tutorial.xls").read_bytes())
    fan, net_worth, toppings = form.question("pizza_fan"), form.question("net_worth"), form.question("pizza_type")
    no = {"pizza_fan": Answer.of(fan, False)}
    notes = AnsweringFlow._notes_before(form, net_worth, "tr", no)
    assert notes.index("That's weird!") < notes.index("Thanks for your time")  # form order
    yes = {"pizza_fan": Answer.of(fan, True)}
    assert "weird" not in AnsweringFlow._notes_before(form, net_worth, "tr", yes)
    assert "weird" not in AnsweringFlow._notes_before(form, toppings, "tr", yes)
    assert "Thanks" not in AnsweringFlow._notes_before(form, toppings, "tr", yes)  # it comes later


async def test_notes_around_skipped_questions_each_show_once_in_order_when_their_condition_holds(
        harness: Harness) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label", "relevant"])
    for row in (["select_one yn", "member", "Üye misiniz?"],
                ["note", "welcome", "Hoş geldiniz!", "${member} = 'yes'"],
                ["note", "guest", "Misafir notu", "${member} = 'no'"],
                ["integer", "years", "Kaç yıldır üyesiniz?", "${member} = 'yes'"],
                ["note", "middle", "Ara not"],
                ["text", "since", "Nereden?", "${member} = 'yes'"],
                ["integer", "count", "Kaç toplantı?"],
                ["note", "late", "Son soru öncesi not"],
                ["text", "why", "Neden?", "${count} > 100"],
                ["note", "bye", "Teşekkürler!"]):
        sheet.append(row)
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    choices.append(["yn", "yes", "Evet"])
    choices.append(["yn", "no", "Hayır"])
    buffer = io.BytesIO()
    book.save(buffer)
    form = check_xlsform(buffer.getvalue()).form
    assert form is not None
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await harness.services.surveys.send(group_id=1, form=form, anonymous=False, created_by=None,
                                        deadline=harness.clock.now() + timedelta(days=10))
    invitation = await harness.next_containing(ayse, "Yeni anket", timeout=10)
    await harness.press(ayse, invitation, "▶️ Başla")
    await harness.next_containing(ayse, "Üye misiniz?")
    count = await harness.send(ayse, "hayır")
    assert "Kaç toplantı?" in count.text
    assert "Hoş geldiniz" not in count.text  # its own condition does not hold
    assert count.text.index("Misafir notu") < count.text.index("Ara not") < count.text.index("Kaç toplantı?")
    summary = await harness.send(ayse, "3")  # `why` is skipped: the note before it closes the form
    assert summary.text.count("Son soru öncesi not") == 1 and summary.text.count("Ara not") == 0
    assert summary.text.index("Son soru öncesi not") < summary.text.index("Teşekkürler!")
