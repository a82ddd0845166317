"""Meetings over time: reminders (and what an outage does to them), the coordinators'
summary, the group's reminder setting, moving a meeting and calling it off."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import icalendar

from storage import meetings as meetings_repo
from tests.harness import Harness
from tests.meetings_support import MEETING_START, announce, group_with, notice, texts


async def _until_dropped(harness: Harness, key: str) -> None:
    """Wait (briefly, real time) until the scheduler has dealt with reminder `key`."""
    for _ in range(250):
        reminder = await harness.services.reminders.get(key)
        if reminder is not None and reminder.status == "dropped":
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"reminder {key} was not dropped")


async def _advance_to(harness: Harness, moment: datetime) -> None:
    await harness.advance(moment - harness.clock.now())


async def test_reminders_skip_those_who_said_no_and_survive_a_restart(harness: Harness) -> None:
    zeynep, (ayse, fatma, emma) = await group_with(harness, ("Ayşe", "tr"), ("Fatma", "tr"), ("Emma", "en"))
    await announce(harness, zeynep)
    invitation = await notice(harness, ayse)
    await harness.server.press_button(ayse.user, invitation, "❌ Katılamıyorum")
    await harness.server.wait_for_edit(invitation, lambda m: "Yanıtınız" in (m.text or ""))
    await notice(harness, fatma)
    await notice(harness, emma, "New meeting")
    await harness.settle()

    await harness.restart()  # between the announcement and the reminders
    await _advance_to(harness, MEETING_START - timedelta(hours=24) + timedelta(minutes=1))
    reminder = await harness.next_containing(fatma, "Hatırlatma", timeout=10)
    assert "yarın 14:00'te" in reminder.text and "Perşembe, 03.12.2026 14:00" in reminder.text
    assert "tomorrow at 14:00" in (await harness.next_containing(emma, "Reminder", timeout=10)).text
    summary = await harness.next_containing(zeynep, "yanıtlar", timeout=10)
    assert "✅ 0 · ❌ 1 · 🤔 0 · ⏳ 3" in summary.text
    await _advance_to(harness, MEETING_START - timedelta(hours=1))
    one_hour = await harness.next_containing(fatma, "Hatırlatma", timeout=10)
    assert "1 saat sonra" in one_hour.text
    await harness.settle()

    assert not any("Hatırlatma" in text for text in texts(harness, ayse))  # she said no
    for person, word in ((fatma, "Hatırlatma"), (zeynep, "Hatırlatma"), (emma, "Reminder")):
        assert sum(word in text for text in texts(harness, person)) == 2  # each exactly once
    assert "Bütçe talepleri" not in one_hour.text  # reminders say what is due, no more


async def test_after_an_outage_only_the_nearest_reminder_goes_out_and_none_once_it_started(
        harness: Harness) -> None:
    zeynep, (fatma,) = await group_with(harness, ("Fatma", "tr"))
    await announce(harness, zeynep)
    await announce(harness, zeynep, title="Sabah toplantısı", when="04.12.2026 09:00", agenda=None)
    await notice(harness, fatma, "Aralık")
    await notice(harness, fatma, "Sabah")
    await harness.settle()

    await harness.stop()  # the server is down from Wednesday to Thursday 13:30
    harness.clock.advance(MEETING_START - timedelta(minutes=30) - harness.clock.now())
    await harness.start()
    late = await harness.next_containing(fatma, "Hatırlatma: Aralık", timeout=10)
    assert "30 dakika sonra" in late.text  # the 1 h reminder, late but before the start
    await _until_dropped(harness, "meeting:1:remind:1440m")  # superseded by the nearer one
    await harness.settle()
    assert sum("Hatırlatma: Aralık" in text for text in texts(harness, fatma)) == 1
    # The next morning's meeting is still a day's reminder away from its 1 h one: it comes.
    assert any("Hatırlatma: Sabah toplantısı yarın 09:00'da" in text for text in texts(harness, fatma))

    await harness.stop()  # down again until the morning meeting (04.12, 09:00) has started
    harness.clock.advance(datetime(2026, 12, 4, 6, 30, tzinfo=UTC) - harness.clock.now())
    await harness.start()
    await _until_dropped(harness, "meeting:2:remind:60m")
    await harness.settle()
    assert sum("Hatırlatma: Sabah" in text for text in texts(harness, fatma)) == 1


async def test_a_meeting_announced_the_same_day_gets_no_day_before_reminder(harness: Harness) -> None:
    zeynep, (ayse, fatma) = await group_with(harness, ("Ayşe", "tr"), ("Fatma", "tr"))
    await announce(harness, zeynep, title="Acil değerlendirme", when="25.11.2026 18:00", agenda=None,
                   quorum="3")
    keys = {r.key for r in await harness.services.reminders.pending("meeting:1:")}
    assert keys == {"meeting:1:remind:60m", "meeting:1:summary"}
    invitation = await notice(harness, ayse)
    await harness.server.press_button(ayse.user, invitation, "✅ Katılıyorum")
    await harness.server.wait_for_edit(invitation, lambda m: "Yanıtınız" in (m.text or ""))

    # The summary comes halfway between the notice (09:00) and the start (18:00): 13:30.
    await harness.advance(timedelta(hours=4, minutes=31))
    warning = await harness.next_containing(zeynep, "Yeter sayı tutmuyor", timeout=10)
    assert "katılacağını söyleyen 1 kişi, yeter sayı 3" in warning.text and "✅ 1" in warning.text
    await harness.advance(timedelta(hours=3, minutes=30))  # 17:01
    assert "1 saat sonra" in (await harness.next_containing(fatma, "Hatırlatma", timeout=10)).text
    await harness.settle()
    assert not any("1 gün" in text for text in texts(harness, fatma))


async def test_coordinators_choose_when_reminders_go_out(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await announce(harness, zeynep)
    await notice(harness, ayse)  # the bulk notice may go before or after her reply: read it first
    refused = await harness.send(ayse, "/hatirlatmalar")
    assert "yalnızca koordinatörler" in refused.text

    card = await harness.send(zeynep, "/hatirlatmalar")
    assert "şu an 1 gün ve 1 saat önce" in card.text
    assert card.button_texts[0] == "• 1 gün ve 1 saat önce"
    await harness.server.press_button(zeynep.user, card, "2 gün ve 2 saat önce")
    await harness.server.wait_for_edit(card, lambda m: "artık 2 gün ve 2 saat önce" in (m.text or ""))
    due = {r.key: r.due_at for r in await harness.services.reminders.pending("meeting:1:remind:")}
    assert due == {"meeting:1:remind:2880m": MEETING_START - timedelta(days=2),
                   "meeting:1:remind:120m": MEETING_START - timedelta(hours=2)}

    await _advance_to(harness, MEETING_START - timedelta(days=2))
    assert "Perşembe 14:00'te" in (await harness.next_containing(ayse, "Hatırlatma", timeout=10)).text
    await harness.server.press_button(zeynep.user, card, "kapalı")
    await harness.server.wait_for_edit(card, lambda m: "artık kapalı" in (m.text or ""))
    assert await harness.services.reminders.pending("meeting:1:remind:") == []
    assert [r.key for r in await harness.services.reminders.pending("meeting:1:")] == ["meeting:1:summary"]


async def test_moving_a_meeting_tells_everyone_asks_again_and_moves_the_reminders(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await announce(harness, zeynep)
    invitation = await notice(harness, ayse)
    await harness.server.press_button(ayse.user, invitation, "✅ Katılıyorum")
    await harness.server.wait_for_edit(invitation, lambda m: "Yanıtınız" in (m.text or ""))
    first_file = await harness.press(ayse, invitation, "📅 Takvime ekle (.ics)")

    overview = await harness.send(zeynep, "/toplantilar")
    ask = await harness.press(zeynep, overview, "🗓 Tarihi değiştir")
    assert "şu an Perşembe, 03.12.2026 14:00" in ask.text and "Yeni tarih" in ask.text
    assert "Örnek" in (await harness.send(zeynep, "bir ara")).text  # re-asked
    same = await harness.send(zeynep, "3 Aralık 14:00")  # the time it already has: nothing changes
    assert "zaten Perşembe, 03.12.2026 14:00" in same.text and "hiçbir şey değişmedi" in same.text
    assert await harness.services.reminders.pending("meeting:1:remind:1440m")
    preview = await harness.send(zeynep, "10.12.2026 15:00")
    assert "tarih değişti: Per 03.12 14:00 → Per 10.12 15:00" in preview.text, preview.text
    done = await harness.press(zeynep, preview, "📤 Gönder")
    assert "Per 10.12 15:00" in done.text and "yeniden soruldu" in done.text

    moved = await notice(harness, ayse, "zamanı değişti")
    assert "tarih değişti: Per 03.12 14:00 → Per 10.12 15:00" in moved.text
    assert "Perşembe, 10.12.2026 15:00" in moved.text and "Katılacak mısınız?" in moved.text
    assert "Katılacak mısınız?" in (await harness.send(ayse, "/toplantilar")).text  # asked again
    due = {r.key: r.due_at for r in await harness.services.reminders.pending("meeting:1:")}
    new_start = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
    assert due == {"meeting:1:remind:1440m": new_start - timedelta(hours=24),
                   "meeting:1:summary": new_start - timedelta(hours=24),
                   "meeting:1:remind:60m": new_start - timedelta(hours=1)}

    second_file = await harness.press(ayse, moved, "📅 Takvime ekle (.ics)")
    before = next(iter(icalendar.Calendar.from_ical(first_file.document_bytes).walk("VEVENT")))
    after = next(iter(icalendar.Calendar.from_ical(second_file.document_bytes).walk("VEVENT")))
    assert str(after.get("uid")) == str(before.get("uid"))  # the same calendar entry...
    assert (int(before.get("sequence")), int(after.get("sequence"))) == (0, 1)  # ...updated
    assert after.decoded("dtstart").astimezone(UTC) == new_start

    await _advance_to(harness, MEETING_START - timedelta(hours=23))  # the old 24 h mark passed
    await harness.settle()
    assert not any("Hatırlatma" in text for text in texts(harness, ayse))
    await _advance_to(harness, new_start - timedelta(hours=23, minutes=59))
    reminder = await harness.next_containing(ayse, "Hatırlatma", timeout=10)
    assert "10.12.2026 15:00" in reminder.text


async def test_calling_off_a_meeting_tells_everyone_and_old_buttons_say_so(harness: Harness) -> None:
    zeynep, (ayse, emma) = await group_with(harness, ("Ayşe", "tr"), ("Emma", "en"))
    await announce(harness, zeynep)
    invitation = await notice(harness, ayse)
    overview = await harness.send(zeynep, "/toplantilar")
    confirm = await harness.press(zeynep, overview, "❌ İptal et")
    assert "Herkese bildirilecek" in confirm.text
    kept = await harness.press(zeynep, confirm, "Vazgeç")
    assert "olduğu gibi duruyor" in kept.text
    done = await harness.press(zeynep, confirm, "Evet, iptal et")
    assert "iptal edildi" in done.text

    told = await notice(harness, ayse, "iptal edildi")
    assert "Aralık çalışma toplantısı" in told.text and "Perşembe, 03.12.2026 14:00" in told.text
    assert "has been cancelled" in (await notice(harness, emma, "has been cancelled")).text
    assert await harness.services.reminders.pending("meeting:1:") == []

    # An old RSVP button: the message now says the meeting was cancelled, the buttons go.
    await harness.server.press_button(ayse.user, invitation, "✅ Katılıyorum")
    await harness.server.wait_for_edit(invitation, lambda m: "iptal edildi" in (m.text or ""))
    assert invitation.button_texts == ["📅 Takvimden kaldır (.ics)"]
    assert "Yanıt bekleyen bir toplantı yok" in (await harness.send(ayse, "evet")).text
    removal = await harness.press(ayse, told, "📅 Takvimden kaldır (.ics)")
    parsed = icalendar.Calendar.from_ical(removal.document_bytes)
    event = next(iter(parsed.walk("VEVENT")))
    assert str(parsed.get("method")) == "CANCEL" and str(event.get("status")) == "CANCELLED"
    assert int(event.get("sequence")) == 1

    await notice(harness, zeynep, "toplantısı iptal edildi")  # her own copy, with the calendar removal
    again = await harness.send(zeynep, "/toplantilar")
    assert "Yaklaşan toplantı yok" in again.text
    await _advance_to(harness, MEETING_START - timedelta(minutes=30))
    await harness.settle()
    assert not any("Hatırlatma" in text for text in texts(harness, ayse))


async def test_place_and_duration_change_after_sending_answers_stay_and_the_calendar_updates(
        harness: Harness) -> None:
    zeynep, (ayse, emma) = await group_with(harness, ("Ayşe", "tr"), ("Emma", "en"))
    await announce(harness, zeynep)
    invitation = await notice(harness, ayse)
    await harness.server.press_button(ayse.user, invitation, "✅ Katılıyorum")
    await harness.server.wait_for_edit(invitation, lambda m: "Yanıtınız" in (m.text or ""))
    first_file = await harness.press(ayse, invitation, "📅 Takvime ekle (.ics)")
    await notice(harness, emma, "New meeting")

    overview = await harness.send(zeynep, "/toplantilar")
    which = await harness.press(zeynep, overview, "✏️ Yer, başlık, gündem")
    ask = await harness.press(zeynep, which, "Yer")
    assert "https://meet.example.org/kars" in ask.text
    same = await harness.send(zeynep, "https://meet.example.org/kars")
    assert "hiçbir şey değişmedi" in same.text
    preview = await harness.send(zeynep, "Kars Kültür Merkezi, 2. kat")
    assert "📍 Yer: https://meet.example.org/kars → Kars Kültür Merkezi, 2. kat" in preview.text
    done = await harness.send(zeynep, "gönder")  # the button's word
    assert "yanıtlar geçerli kaldı" in done.text

    told = await notice(harness, ayse, "Toplantıda değişiklik")
    assert "📍 Yer: https://meet.example.org/kars → Kars Kültür Merkezi, 2. kat" in told.text
    assert "Yanıtınız geçerli" in told.text
    assert "Place:" in (await notice(harness, emma, "The meeting has changed")).text
    assert "Yanıtınız: ✅ Katılıyorum" in (await harness.send(ayse, "/toplantilar")).text  # the answer stays

    await notice(harness, zeynep, "Toplantıda değişiklik")  # her own copy as a member
    which = await harness.press(zeynep, await harness.send(zeynep, "/toplantilar"), "✏️ Yer, başlık, gündem")
    await harness.press(zeynep, which, "Süre")
    assert "15 dakika ile 12 saat" in (await harness.send(zeynep, "yarım gün")).text
    preview = await harness.send(zeynep, "90 dk")
    assert "⏱ Süre: 2 sa 0 dk → 1 sa 30 dk" in preview.text
    await harness.press(zeynep, preview, "📤 Gönder")
    second_file = await harness.press(ayse, await notice(harness, ayse, "Süre"), "📅 Takvime ekle (.ics)")
    before = next(iter(icalendar.Calendar.from_ical(first_file.document_bytes).walk("VEVENT")))
    after = next(iter(icalendar.Calendar.from_ical(second_file.document_bytes).walk("VEVENT")))
    assert str(after.get("uid")) == str(before.get("uid"))
    assert (int(before.get("sequence")), int(after.get("sequence"))) == (0, 2)
    assert str(after.get("location")) == "Kars Kültür Merkezi, 2. kat"
    assert str(after.get("description")) == "Bütçe talepleri"
    assert after.decoded("dtend") - after.decoded("dtstart") == timedelta(minutes=90)
    # The reminders follow the new version of the meeting (an older SEQUENCE would be skipped).
    await _advance_to(harness, MEETING_START - timedelta(hours=24))
    assert "Kars Kültür Merkezi" in (await harness.next_containing(ayse, "Hatırlatma", timeout=10)).text


async def test_a_monthly_meeting_repeats_on_the_first_thursday_and_the_series_can_be_stopped(
        harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await harness.send(zeynep, "/toplanti")
    await harness.next(zeynep)
    await harness.send(zeynep, "Aylık çalışma toplantısı")
    await harness.send(zeynep, "03.12.2026 14:00")  # the first Thursday of December
    await harness.send(zeynep, "Kent Konseyi")
    await harness.send(zeynep, "yok")
    repeat = await harness.send(zeynep, "yok")
    assert repeat.button_texts == ["Tekrar yok", "🔁 her hafta Perşembe 14:00",
                                   "🔁 her ayın ilk Perşembe günü 14:00"]
    preview = await harness.press(zeynep, repeat, "🔁 her ayın ilk Perşembe günü 14:00")
    assert "🔁 her ayın ilk Perşembe günü 14:00" in preview.text
    await harness.press(zeynep, preview, "📤 Gönder")
    assert "03.12.2026 14:00" in (await notice(harness, ayse)).text

    # January's meeting (07.01.2027) is announced 30 days ahead, as a meeting of its own.
    await _advance_to(harness, datetime(2026, 12, 8, 11, 1, tzinfo=UTC))
    january = await harness.next_containing(ayse, "07.01.2027 14:00", timeout=10)
    assert "Yeni toplantı" in january.text and "Perşembe, 07.01.2027 14:00" in january.text
    await harness.server.press_button(ayse.user, january, "✅ Katılıyorum")  # its own answers
    await harness.server.wait_for_edit(january, lambda m: "Yanıtınız" in (m.text or ""))
    assert {r.key for r in await harness.services.reminders.pending("meeting-series:")} == \
        {"meeting-series:1:2027-02-04"}  # February's first Thursday comes next

    await notice(harness, zeynep, "07.01.2027")  # her own copy of January's notice
    card = await harness.send(zeynep, "/toplantilar")
    assert "07.01.2027" in card.text

    # The whole series moves to another room: January is changed and February will be created there.
    await harness.server.press_button(zeynep.user, card, "✏️ Yer, başlık, gündem")
    which = await harness.next_containing(zeynep, "neyi değiştirmek")
    await harness.press(zeynep, which, "Yer")
    preview = await harness.send(zeynep, "Kültür Merkezi")
    assert preview.button_texts[:2] == ["📤 Yalnızca bu toplantı", "🔁 Tüm tekrarlar"]
    done = await harness.press(zeynep, preview, "🔁 Tüm tekrarlar")
    assert "tüm tekrarlara uygulandı (1 toplantının" in done.text
    assert "Kültür Merkezi" in (await notice(harness, ayse, "Toplantıda değişiklik")).text
    async with harness.services.db.read() as conn:
        series = await meetings_repo.get_series(conn, 1)
    assert series is not None and series.place == "Kültür Merkezi"
    await notice(harness, zeynep, "Toplantıda değişiklik")
    card = await harness.send(zeynep, "/toplantilar")
    await harness.server.press_button(zeynep.user, card, "⏹ Tekrarı durdur")
    confirm = await harness.next_containing(zeynep, "tekrarı durdurulsun mu")
    done = await harness.press(zeynep, confirm, "Evet, durdur")
    assert "1 gelecek toplantı iptal edildi" in done.text
    assert "07.01.2027" in (await notice(harness, ayse, "iptal edildi")).text
    assert await harness.services.reminders.pending("meeting-series:") == []
