"""Plan milestones as coordinators and members live them: the /yenitarih dialog, /takvim,
reminders at 14/7/1/0 days with the days left computed when sent, Done, Snooze, the daily
overdue escalation, a holiday moving a reminder, the calendar file."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import icalendar

from bot.models import Actor

from tests.harness import Harness, Person
from tests.meetings_support import group_with, texts


async def _advance_to(harness: Harness, moment: datetime) -> None:
    await harness.advance(moment - harness.clock.now())


def _istanbul(day: int, month: int, year: int = 2026, hour: int = 9, minute: int = 0) -> datetime:
    """A moment given in Istanbul time (UTC+3 all year)."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=3)


async def _new_milestone(harness: Harness, zeynep: Person, title: str, due: str, *,
                         audience: str = "Tüm grup", link: str | None = None) -> str:
    """Zeynep runs the whole /yenitarih dialog; returns the bot's confirmation."""
    intro = await harness.send(zeynep, "/yenitarih")
    assert "Yeni plan tarihi" in intro.text
    assert "1/5" in (await harness.next(zeynep)).text
    assert "2/5" in (await harness.send(zeynep, title)).text
    ask_link = await harness.send(zeynep, due)
    assert "3/5" in ask_link.text, ask_link.text
    ask_audience = await (harness.send(zeynep, link) if link else harness.press(zeynep, ask_link, "Atla ⏭"))
    assert "4/5" in ask_audience.text
    ask_offsets = await harness.press(zeynep, ask_audience, audience)
    assert "5/5" in ask_offsets.text
    preview = await harness.press(zeynep, ask_offsets, "✔️ 14, 7, 1, 0")
    assert "Önizleme" in preview.text
    saved = await harness.press(zeynep, preview, "💾 Kaydet")
    return saved.text


async def test_a_coordinator_adds_a_milestone_and_reminders_come_at_14_7_1_and_0_days(harness: Harness) -> None:
    zeynep, (ayse, emma) = await group_with(harness, ("Ayşe", "tr"), ("Emma", "en"))
    saved = await _new_milestone(harness, zeynep, "Bütçe önerilerimiz encümene", "31.12.2026")
    assert "kaydedildi" in saved and "Perşembe, 31.12.2026" in saved and "4 hatırlatma" in saved

    listing = await harness.send(ayse, "/takvim")
    assert "Bütçe önerilerimiz encümene" in listing.text and "36 gün kaldı" in listing.text
    assert listing.button_texts == ["📅 Takvim (.ics)"]  # members: no tools

    expected = [(_istanbul(17, 12), "14 gün kaldı"), (_istanbul(24, 12), "7 gün kaldı"),
                (_istanbul(30, 12), "yarın"), (_istanbul(31, 12), "bugün")]
    for moment, left in expected:
        await _advance_to(harness, moment - timedelta(minutes=1))
        await harness.settle()
        assert not any(left in text for text in texts(harness, ayse)), f"{left} came early"
        await _advance_to(harness, moment + timedelta(minutes=1))
        reminder = await harness.next_containing(ayse, "Hatırlatma", timeout=10)
        assert left in reminder.text and "Bütçe önerilerimiz encümene" in reminder.text
        assert reminder.button_texts == ["⏰ 1 gün ertele"]  # Done is for coordinators
        english = await harness.next_containing(emma, "Reminder", timeout=10)
        assert "Thursday, 31 December 2026" in english.text
        coordinator_copy = await harness.next_containing(zeynep, "Hatırlatma", timeout=10)
        assert coordinator_copy.button_texts == ["✅ Tamamlandı", "⏰ 1 gün ertele"]
    await harness.settle()
    assert sum("Hatırlatma" in text for text in texts(harness, ayse)) == 4


async def test_done_stops_the_reminders_and_tells_the_group(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await _new_milestone(harness, zeynep, "Faaliyet raporu görüşleri", "31.12.2026")
    await _advance_to(harness, _istanbul(17, 12, minute=1))
    first = await harness.next_containing(zeynep, "Hatırlatma", timeout=10)
    # A member cannot mark it done, even with a crafted button.
    await harness.next_containing(ayse, "Hatırlatma", timeout=10)
    forged = await harness.services.conversation.on_choice(
        Actor(channel="telegram", external_id=str(ayse.chat_id)), "ms:1:done")
    assert "yalnızca koordinatörler" in forged[0].text
    nonsense = await harness.services.conversation.on_choice(
        Actor(channel="telegram", external_id=str(ayse.chat_id)), "ms:99x:done")
    assert "artık geçerli değil" in nonsense[0].text
    done = await harness.press(zeynep, first, "✅ Tamamlandı")
    assert "tamamlandı olarak işaretlendi" in done.text
    notice = await harness.next_containing(ayse, "tamamlandı", timeout=10)
    assert "Zeynep" in notice.text
    await harness.next_containing(zeynep, "işaretledi", timeout=10)  # she is in the group too
    again = await harness.press(zeynep, first, "✅ Tamamlandı")
    assert "zaten kapatılmış" in again.text

    await _advance_to(harness, _istanbul(3, 1, 2027, minute=1))  # past every reminder and the due date
    await harness.settle()
    assert sum("Hatırlatma" in text for text in texts(harness, ayse)) == 1
    assert not any("Gecikti" in text for text in texts(harness, zeynep))
    listing = await harness.send(zeynep, "/takvim")
    assert "Faaliyet raporu" not in listing.text


async def test_snooze_brings_one_reminder_back_a_day_later(harness: Harness) -> None:
    zeynep, (ayse, fatma) = await group_with(harness, ("Ayşe", "tr"), ("Fatma", "tr"))
    await _new_milestone(harness, zeynep, "İzleme raporu verileri", "31.12.2026")
    await _advance_to(harness, _istanbul(17, 12, minute=1))
    reminder = await harness.next_containing(ayse, "Hatırlatma", timeout=10)
    await harness.next_containing(fatma, "Hatırlatma", timeout=10)
    snoozed = await harness.press(ayse, reminder, "⏰ 1 gün ertele")
    assert "18.12.2026 09:01" in snoozed.text

    await _advance_to(harness, _istanbul(18, 12, hour=9, minute=0))
    await harness.settle()
    assert sum("Hatırlatma" in text for text in texts(harness, ayse)) == 1
    await _advance_to(harness, _istanbul(18, 12, hour=9, minute=2))
    again = await harness.next_containing(ayse, "Hatırlatma", timeout=10)
    assert "13 gün kaldı" in again.text  # computed when sent
    typed = await harness.send(ayse, "Ertele")  # the button's word, typed
    assert "19.12.2026 09:02" in typed.text
    await harness.settle()
    assert sum("Hatırlatma" in text for text in texts(harness, fatma)) == 1  # only she snoozed


async def test_an_overdue_milestone_escalates_daily_to_coordinators_until_done(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await _new_milestone(harness, zeynep, "Kesin hesap incelemesi", "30.11.2026", audience="Koordinatörler")
    await _advance_to(harness, _istanbul(1, 12, hour=8, minute=59))
    await harness.settle()
    assert not any("Gecikti" in text for text in texts(harness, zeynep))
    await _advance_to(harness, _istanbul(1, 12, minute=1))
    first = await harness.next_containing(zeynep, "Gecikti", timeout=10)
    assert "1 gün gecikti" in first.text and first.button_texts == ["✅ Tamamlandı", "🙈 Kapat"]
    await _advance_to(harness, _istanbul(2, 12, minute=1))
    second = await harness.next_containing(zeynep, "2 gün gecikti", timeout=10)
    await harness.press(zeynep, second, "✅ Tamamlandı")
    await _advance_to(harness, _istanbul(4, 12, minute=1))
    await harness.settle()
    assert sum("Gecikti" in text for text in texts(harness, zeynep)) == 2
    assert not any("Gecikti" in text or "Hatırlatma" in text for text in texts(harness, ayse))  # coordinators only


async def _overdue_on(harness: Harness, title: str, day: int, month: int = 11) -> None:
    """A coordinators-only milestone due on `day`.`month`.2026 (Istanbul), stored as the dialog would."""
    from zoneinfo import ZoneInfo

    from bot.services.milestones.dates import due_on

    due = due_on(datetime(2026, month, day).date(), ZoneInfo("Europe/Istanbul"))
    await harness.services.milestones.service.create(group_id=1, title=title, due_at=due, has_time=False,
                                                      audience="coordinators")


async def test_several_overdue_milestones_come_as_one_daily_message(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    for title, day in (("Kesin hesap incelemesi", 27), ("Faaliyet raporu görüşü", 28), ("İzleme verileri", 30)):
        await _overdue_on(harness, title, day)
    await _advance_to(harness, _istanbul(1, 12, minute=1))
    combined = await harness.next_containing(zeynep, "gecikti", timeout=10)
    await harness.settle()
    assert sum("gecikti" in text for text in texts(harness, zeynep)) == 1  # one message, not three
    assert "3 plan tarihi gecikti" in combined.text and "Kadın Dostu Kent" in combined.text
    lines = combined.text.split("\n")
    assert "1. Kesin hesap incelemesi — Cuma, 27.11.2026 · 4 gün gecikti" in lines
    assert "2. Faaliyet raporu görüşü — Cumartesi, 28.11.2026 · 3 gün gecikti" in lines
    assert "3. İzleme verileri — Pazartesi, 30.11.2026 · 1 gün gecikti" in lines
    assert combined.button_texts == ["✅ 1 Tamamlandı", "🙈 1 Kapat", "✅ 2 Tamamlandı", "🙈 2 Kapat",
                                     "✅ 3 Tamamlandı", "🙈 3 Kapat"]
    done = await harness.press(zeynep, combined, "✅ 2 Tamamlandı")
    assert "«Faaliyet raporu görüşü» tamamlandı" in done.text
    dismissed = await harness.press(zeynep, combined, "🙈 1 Kapat")
    assert "«Kesin hesap incelemesi» kapatıldı" in dismissed.text

    # The next day: only what is still overdue, as the single-milestone card.
    await _advance_to(harness, _istanbul(2, 12, minute=1))
    left = await harness.next_containing(zeynep, "Gecikti", timeout=10)
    assert "İzleme verileri" in left.text and "2 gün gecikti" in left.text and "Kesin hesap" not in left.text
    assert left.button_texts == ["✅ Tamamlandı", "🙈 Kapat"]
    await harness.press(zeynep, left, "✅ Tamamlandı")
    await _advance_to(harness, _istanbul(4, 12, minute=1))
    await harness.settle()
    assert sum("gecikti" in text.casefold() for text in texts(harness, zeynep)) == 2
    assert not any("gecikti" in text.casefold() for text in texts(harness, ayse))  # coordinators only


async def test_many_overdue_milestones_show_five_with_buttons_and_count_the_rest(harness: Harness) -> None:
    from handlers.whatsapp.render import MAX_LIST_ROWS, render

    zeynep, _ = await group_with(harness)
    for day in range(24, 31):
        await _overdue_on(harness, f"Plan adımı {day}", day)
    await _advance_to(harness, _istanbul(2, 12, minute=1))
    combined = await harness.next_containing(zeynep, "7 plan tarihi gecikti", timeout=10)
    assert "… ve 2 tarih daha: /takvim" in combined.text
    assert "5. Plan adımı 28" in combined.text and "Plan adımı 29" not in combined.text
    assert len(combined.button_texts) == 10 and combined.button_texts[-1] == "🙈 5 Kapat"
    # The same reply on WhatsApp: one list message of ten rows, within the Cloud API's limits.
    service = harness.services.milestones.service
    group = await service.group(1)
    reply = service.escalation_reply(await service.overdue(group, harness.clock.now()), group, "tr",
                                     harness.clock.now())
    messages = render(reply, "tr").messages
    assert [m.kind for m in messages] == ["list"] and len(messages[0].rows) == MAX_LIST_ROWS


async def test_escalation_rows_armed_per_milestone_by_an_older_version_send_one_message(harness: Harness) -> None:
    from bot.services.milestones.service import OVERDUE_KIND

    zeynep, _ = await group_with(harness)
    await _overdue_on(harness, "Kesin hesap incelemesi", 29)
    await _overdue_on(harness, "İzleme verileri", 30)
    for milestone_id in (1, 2):  # what a database from before the combined message holds
        await harness.services.reminders.schedule(
            f"milestone:{milestone_id}:overdue:2026-12-01", OVERDUE_KIND, _istanbul(1, 12),
            {"milestone_id": milestone_id, "sequence": 1})
    await _advance_to(harness, _istanbul(1, 12, minute=1))
    combined = await harness.next_containing(zeynep, "2 plan tarihi gecikti", timeout=10)
    assert "Kesin hesap" in combined.text and "İzleme verileri" in combined.text
    await harness.settle()
    assert sum("gecikti" in text.casefold() for text in texts(harness, zeynep)) == 1


async def test_a_reminder_on_a_public_holiday_moves_to_the_working_day_before(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    # 14 days before 15.01.2027 is 1 January, New Year's Day: the reminder comes on 31 December.
    await _new_milestone(harness, zeynep, "Yıllık değerlendirme", "15.01.2027")
    await _advance_to(harness, _istanbul(31, 12, minute=1))
    early = await harness.next_containing(ayse, "Hatırlatma", timeout=10)
    assert "15 gün kaldı" in early.text
    await _advance_to(harness, _istanbul(1, 1, 2027, minute=1))
    await harness.settle()
    assert sum("Hatırlatma" in text for text in texts(harness, ayse)) == 1


async def test_bad_dates_are_explained_and_nothing_entered_is_lost(harness: Harness) -> None:
    zeynep, _ = await group_with(harness)
    await harness.send(zeynep, "/yenitarih")
    await harness.next(zeynep)
    await harness.send(zeynep, "Performans programı görüşü")
    vague = await harness.send(zeynep, "gelecek ay")
    assert "anlaşılamadı" in vague.text and "12.12.2026" in vague.text
    past = await harness.send(zeynep, "01.11.2026")
    assert "geçmişte" in past.text
    no_such = await harness.send(zeynep, "31.02.2027")
    assert "böyle" not in no_such.text and "tarih ya da saat yok" in no_such.text
    await harness.restart()  # the dialog survives
    ask_link = await harness.send(zeynep, "3 Şubat 2027 14:00")
    assert "3/5" in ask_link.text
    ask_audience = await harness.send(zeynep, "i9")
    bad = await harness.send(zeynep, "herkese değil")
    assert "Düğmelerden" in bad.text
    ask_offsets = await harness.send(zeynep, "koordinatörler")
    assert "5/5" in ask_offsets.text and ask_audience.text
    wrong = await harness.send(zeynep, "iki hafta")
    assert "virgülle" in wrong.text
    preview = await harness.send(zeynep, "30, 7, 0")
    assert "Performans programı görüşü" in preview.text and "I9" in preview.text
    assert "Çarşamba, 03.02.2027 14:00" in preview.text and "30, 7 gün önce ve o gün" in preview.text
    saved = await harness.send(zeynep, "kaydet")
    assert "kaydedildi" in saved.text and "3 hatırlatma" in saved.text


async def test_the_calendar_file_has_one_event_per_milestone_with_stable_uids(harness: Harness) -> None:
    zeynep, (emma,) = await group_with(harness, ("Emma", "en"))
    await _new_milestone(harness, zeynep, "Bütçe önerileri", "20.12.2026")
    listing = await harness.send(emma, "/milestones")
    assert "Bütçe önerileri" in listing.text and "Sunday, 20 December 2026" in listing.text and "⚠️" in listing.text
    first = await harness.press(emma, listing, "📅 Calendar (.ics)")
    second = await harness.press(emma, listing, "📅 Calendar (.ics)")
    events = [list(icalendar.Calendar.from_ical(m.document_bytes).walk("VEVENT")) for m in (first, second)]
    assert [str(e.get("uid")) for e in events[0]] == ["milestone-1@koordinat"] == [str(e.get("uid")) for e in events[1]]
    assert str(events[0][0].decoded("dtstart")) == "2026-12-20"


async def test_the_coordinator_moves_and_deletes_a_milestone_from_its_card(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await _new_milestone(harness, zeynep, "Meclis gündemi görüşü", "31.12.2026")
    listing = await harness.send(zeynep, "/takvim")
    card = await harness.press(zeynep, listing, "1")
    assert "Meclis gündemi görüşü" in card.text and "📆 Tarihi değiştir" in card.button_texts
    ask = await harness.press(zeynep, card, "📆 Tarihi değiştir")
    assert "Perşembe, 31.12.2026" in ask.text
    moved = await harness.send(zeynep, "14.01.2027")
    assert "Perşembe, 14.01.2027" in moved.text and "(4)" in moved.text
    card = await harness.press(zeynep, await harness.send(zeynep, "/takvim"), "1")
    await harness.press(zeynep, card, "✏️ Başlık")
    assert "güncellendi" in (await harness.send(zeynep, "Meclis gündemine görüşümüz")).text
    await harness.press(zeynep, card, "⏰ Hatırlatmalar")
    assert "virgülle" in (await harness.send(zeynep, "yarın")).text  # asked again, nothing lost
    assert "(2)" in (await harness.send(zeynep, "14, 0")).text
    await _advance_to(harness, _istanbul(17, 12, minute=1))  # the old 14-day mark
    await harness.settle()
    assert not any("Hatırlatma" in text for text in texts(harness, ayse))
    await _advance_to(harness, _istanbul(31, 12, minute=1))  # the new one
    moved_reminder = await harness.next_containing(ayse, "Hatırlatma", timeout=10)
    assert "14 gün kaldı" in moved_reminder.text and "Meclis gündemine görüşümüz" in moved_reminder.text
    await harness.next_containing(zeynep, "Hatırlatma", timeout=10)

    card = await harness.press(zeynep, await harness.send(zeynep, "/takvim"), "1")
    confirm = await harness.press(zeynep, card, "🗑 Sil")
    assert "silindi" in (await harness.press(zeynep, confirm, "🗑 Evet, sil")).text
    await _advance_to(harness, _istanbul(14, 1, 2027, minute=1))
    await harness.settle()
    assert sum("Hatırlatma" in text for text in texts(harness, ayse)) == 1


async def test_a_milestone_reported_by_survey_reminds_only_those_who_have_not_answered(harness: Harness) -> None:
    zeynep, (ayse, fatma) = await group_with(harness, ("Ayşe", "tr"), ("Fatma", "tr"))
    service = harness.services.milestones.service
    sent: list[str] = []

    async def unanswered(milestone):  # type: ignore[no-untyped-def]
        member = await harness.services.conversation.context(
            Actor(channel="telegram", external_id=str(fatma.chat_id)))
        return [member.member.id] if member.member else []

    async def send_survey(ctx, milestone):  # type: ignore[no-untyped-def]
        sent.append(milestone.survey_template_code)
        return [ctx.text("milestone.survey_unavailable")]

    service.unanswered_hook, service.send_survey_hook = unanswered, send_survey
    await _new_milestone(harness, zeynep, "Altı aylık izleme anketi", "31.12.2026", link="izleme-2026")
    await _advance_to(harness, _istanbul(17, 12, minute=1))
    first = await harness.next_containing(zeynep, "Hatırlatma", timeout=10)
    assert "📨 Anketi gönder" in first.button_texts
    await harness.next_containing(fatma, "Hatırlatma", timeout=10)
    await harness.press(zeynep, first, "📨 Anketi gönder")
    assert sent == ["izleme-2026"]
    await _advance_to(harness, _istanbul(24, 12, minute=1))
    second = await harness.next_containing(zeynep, "7 gün kaldı", timeout=10)
    assert "📨 Anketi gönder" not in second.button_texts  # first reminder only
    await harness.settle()
    assert not any("Hatırlatma" in text for text in texts(harness, ayse))  # she has answered
    mydata = await harness.send(zeynep, "/verilerim")
    exported = json.loads(mydata.document_bytes)
    assert [row["title"] for row in exported["milestones"]["milestones"]] == ["Altı aylık izleme anketi"]
    await harness.next(zeynep)  # the same data as a readable document


async def test_a_coordinator_of_two_groups_picks_the_group_first(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await group_with(harness, name="Kars Kent Konseyi Kadın Meclisi", coordinator=zeynep)
    intro = await harness.send(zeynep, "/yenitarih")
    assert "Yeni plan tarihi" in intro.text
    pick = await harness.next(zeynep)
    assert pick.button_texts == ["Kadın Dostu Kent (Kars)", "Kars Kent Konseyi Kadın Meclisi (Kars)"]
    typed = await harness.send(zeynep, "Bütçe")
    assert "Önce" in typed.text  # the group comes first
    await harness.next(zeynep)
    assert "1/5" in (await harness.press(zeynep, pick, "Kars Kent Konseyi Kadın Meclisi (Kars)")).text
    assert "taslak kaydedilmedi" in (await harness.send(zeynep, "/iptal")).text
    template = await harness.send(zeynep, "/takvim sablon 2027")
    assert template.button_texts == ["Kadın Dostu Kent", "Kars Kent Konseyi Kadın Meclisi"]
    loaded = await harness.press(zeynep, template, "Kars Kent Konseyi Kadın Meclisi")
    assert "Kars Kent Konseyi Kadın Meclisi için yüklendi" in loaded.text
    await harness.next(zeynep)
    member_view = await harness.send(ayse, "/takvim")
    assert "yaklaşan plan tarihi yok" in member_view.text  # her group has none
    forged = await harness.services.conversation.on_choice(
        Actor(channel="telegram", external_id=str(ayse.chat_id)), "ms:2:tpl:2027")
    assert "yalnızca" in forged[0].text
