"""Meetings, as coordinators and members live them: announce, answer, remind, move, cancel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar

from tests.harness import Harness, Person


async def _group_with(harness: Harness, *people: tuple[str, str]) -> tuple[Person, list[Person]]:
    """A group with Zeynep as coordinator and the given (name, language) members, all joined."""
    group = await harness.create_group("Kadın Dostu Kent", "Kars")
    zeynep = harness.person("Zeynep")
    await harness.join(zeynep, group.coordinator_invite.code)
    await harness.next(zeynep)
    members = []
    for name, lang in people:
        person = harness.person(name, lang)
        await harness.join(person, group.member_invite.code, language=lang)
        await harness.next(person)
        members.append(person)
    return zeynep, members


async def _announce(harness: Harness, zeynep: Person, when: str = "03.12.2026 14:00",
                    place: str = "https://meet.example.org/kars") -> None:
    await harness.send(zeynep, "/toplanti")
    await harness.next(zeynep)  # "1/5 title?"
    await harness.send(zeynep, "Aralık çalışma toplantısı")
    await harness.send(zeynep, when)
    await harness.send(zeynep, place)
    agenda = await harness.send(zeynep, "Bütçe talepleri")
    assert "5/5" in agenda.text
    preview = await harness.press(zeynep, agenda, "Atla ⏭")
    assert "Önizleme" in preview.text and "Perşembe, 03.12.2026 14:00" in preview.text
    sent = await harness.press(zeynep, preview, "📤 Gönder")
    assert "gönderiliyor" in sent.text
    await harness.next_containing(zeynep, "Yeni toplantı")  # coordinators are members too


async def test_a_coordinator_announces_and_every_member_gets_it_in_her_language(harness: Harness) -> None:
    zeynep, (ayse, emma) = await _group_with(harness, ("Ayşe", "tr"), ("Emma", "en"))
    await _announce(harness, zeynep)

    notice = await harness.next_containing(ayse, "Yeni toplantı")
    assert "Perşembe, 03.12.2026 14:00" in notice.text
    assert "https://meet.example.org/kars" in notice.text and "Bütçe talepleri" in notice.text
    assert notice.button_texts[:3] == ["✅ Katılıyorum", "❌ Katılamıyorum", "🤔 Belki"]
    english = await harness.next_containing(emma, "New meeting")
    assert "Thursday, 3 December 2026, 14:00" in english.text
    assert english.button_texts[:3] == ["✅ I'll attend", "❌ I can't attend", "🤔 Maybe"]

    calendar = await harness.press(emma, english, "📅 Add to calendar (.ics)")
    assert calendar.document_name and calendar.document_name.endswith(".ics")
    parsed = icalendar.Calendar.from_ical(calendar.document_bytes)
    event = next(iter(parsed.walk("VEVENT")))
    assert event.decoded("dtstart").astimezone(UTC) == datetime(2026, 12, 3, 11, 0, tzinfo=UTC)
    assert str(event.get("dtstart").params["TZID"]) == "Europe/Istanbul"
    assert any(True for _ in parsed.walk("VTIMEZONE"))


async def test_rsvp_records_changes_and_shows_the_choice(harness: Harness) -> None:
    zeynep, (ayse,) = await _group_with(harness, ("Ayşe", "tr"))
    await _announce(harness, zeynep)
    notice = await harness.next_containing(ayse, "Yeni toplantı")

    await harness.server.press_button(ayse.user, notice, "✅ Katılıyorum")
    edited = await harness.server.wait_for_edit(notice, lambda m: "Yanıtınız" in (m.text or ""))
    assert "• ✅ Katılıyorum •" in edited.button_texts
    await harness.server.press_button(ayse.user, notice, "🤔 Belki")
    edited = await harness.server.wait_for_edit(notice, lambda m: "• 🤔 Belki •" in m.button_texts)

    overview = await harness.send(zeynep, "/toplantilar")
    assert "🤔 1" in overview.text and "⏳ 1" in overview.text  # Ayşe maybe, Zeynep not answered
    attendees = await harness.press(zeynep, overview, "👥 Katılımcılar")
    assert "Ayşe" in attendees.text
    # The coordinator answers from her overview: it keeps the tally and her tools.
    await harness.server.press_button(zeynep.user, overview, "✅ Katılıyorum")
    mine = await harness.server.wait_for_edit(overview, lambda m: "✅ 1" in (m.text or ""))
    assert "• ✅ Katılıyorum •" in mine.button_texts and "🔁 Ertele" in mine.button_texts


async def test_typed_evet_answers_the_only_upcoming_meeting(harness: Harness) -> None:
    zeynep, (ayse,) = await _group_with(harness, ("Ayşe", "tr"))
    await _announce(harness, zeynep)
    await harness.next_containing(ayse, "Yeni toplantı")
    answer = await harness.send(ayse, "EVET")
    assert "Yanıtınız kaydedildi" in answer.text and "Katılıyorum" in answer.text
    mine = await harness.send(ayse, "/toplantilar")
    assert "Yanıtınız: ✅ Katılıyorum" in mine.text


async def test_members_cannot_create_meetings(harness: Harness) -> None:
    zeynep, (ayse,) = await _group_with(harness, ("Ayşe", "tr"))
    refused = await harness.send(ayse, "/toplanti")
    assert "yalnızca koordinatörler" in refused.text


async def test_bad_dates_are_refused_with_an_example_and_nothing_is_lost(harness: Harness) -> None:
    zeynep, _ = await _group_with(harness)
    await harness.send(zeynep, "/newmeeting")
    await harness.next(zeynep)
    ask_when = await harness.send(zeynep, "Ocak toplantısı")
    assert "2/5" in ask_when.text
    for typed, expected in (("yarın", "anlaşılamadı"), ("31.02.2026 10:00", "diye bir tarih yok"),
                            ("01.01.2020 10:00", "geçmişte kaldı")):
        refused = await harness.send(zeynep, typed)
        assert expected in refused.text and "12.12.2026 14:00" in refused.text
    await harness.restart()  # the dialog survives a restart
    place = await harness.send(zeynep, "12.01.2027 10:30")
    assert "3/5" in place.text
    await harness.send(zeynep, "Belediye kültür merkezi")
    quorum = await harness.send(zeynep, "yok")
    assert "5/5" in quorum.text
    preview = await harness.send(zeynep, "8")
    assert "Ocak toplantısı" in preview.text and "12.01.2027 10:30" in preview.text and "8" in preview.text
    cancelled = await harness.send(zeynep, "İPTAL")
    assert "iptal edildi" in cancelled.text.lower()


async def test_reminders_skip_those_who_said_no_and_survive_a_restart(harness: Harness) -> None:
    zeynep, (ayse, fatma) = await _group_with(harness, ("Ayşe", "tr"), ("Fatma", "tr"))
    await _announce(harness, zeynep)
    notice = await harness.next_containing(ayse, "Yeni toplantı")
    await harness.server.press_button(ayse.user, notice, "❌ Katılamıyorum")
    await harness.server.wait_for_edit(notice, lambda m: "Yanıtınız" in (m.text or ""))
    await harness.next_containing(fatma, "Yeni toplantı")
    await harness.settle()

    await harness.restart()
    await harness.advance(datetime(2026, 12, 2, 11, 1, tzinfo=UTC) - harness.clock.now())  # T-24h
    reminder = await harness.next_containing(fatma, "Hatırlatma", timeout=10)
    assert "1 gün" in reminder.text
    summary = await harness.next_containing(zeynep, "yanıtlar", timeout=10)
    assert "❌ 1" in summary.text
    await harness.advance(timedelta(hours=23))  # T-1h
    one_hour = await harness.next_containing(fatma, "1 saat", timeout=10)
    assert "Hatırlatma" in one_hour.text
    await harness.settle()
    texts = [m.text or "" for m in harness.server.messages(ayse.chat_id)]
    assert not any("Hatırlatma" in text for text in texts)  # she said no
    fatma_texts = [m.text or "" for m in harness.server.messages(fatma.chat_id)]
    assert sum("Hatırlatma" in text for text in fatma_texts) == 2  # each reminder exactly once


async def test_reschedule_tells_everyone_asks_again_and_moves_reminders(harness: Harness) -> None:
    zeynep, (ayse,) = await _group_with(harness, ("Ayşe", "tr"))
    await _announce(harness, zeynep)
    notice = await harness.next_containing(ayse, "Yeni toplantı")
    await harness.server.press_button(ayse.user, notice, "✅ Katılıyorum")
    await harness.server.wait_for_edit(notice, lambda m: "Yanıtınız" in (m.text or ""))

    overview = await harness.send(zeynep, "/toplantilar")
    ask = await harness.press(zeynep, overview, "🔁 Ertele")
    assert "yeni tarih" in ask.text
    done = await harness.send(zeynep, "10.12.2026 15:00")
    assert "Perşembe, 10.12.2026 15:00" in done.text
    moved = await harness.next_containing(ayse, "saati değişti")
    assert "10.12.2026 15:00" in moved.text and "Katılacak mısınız?" in moved.text
    keys = [r.key for r in await harness.services.reminders.pending("meeting:")]
    due = {r.key: r.due_at for r in await harness.services.reminders.pending("meeting:")}
    assert due["meeting:1:remind:60m"] == datetime(2026, 12, 10, 11, 0, tzinfo=UTC)
    assert len(keys) == 3

    calendar = await harness.press(ayse, moved, "📅 Takvime ekle (.ics)")
    event = next(iter(icalendar.Calendar.from_ical(calendar.document_bytes).walk("VEVENT")))
    assert int(event.get("sequence")) == 1


async def test_cancel_tells_everyone_drops_reminders_and_old_buttons_say_so(harness: Harness) -> None:
    zeynep, (ayse,) = await _group_with(harness, ("Ayşe", "tr"))
    await _announce(harness, zeynep)
    notice = await harness.next_containing(ayse, "Yeni toplantı")
    overview = await harness.send(zeynep, "/toplantilar")
    confirm = await harness.press(zeynep, overview, "❌ İptal et")
    done = await harness.press(zeynep, confirm, "Evet, iptal et")
    assert "iptal edildi" in done.text
    told = await harness.next_containing(ayse, "İptal")
    assert "Aralık çalışma toplantısı" in told.text
    assert await harness.services.reminders.pending("meeting:1:") == []
    late = await harness.press(ayse, notice, "✅ Katılıyorum")
    assert "iptal edildi" in late.text


async def test_quorum_warning_and_attendance_history(harness: Harness) -> None:
    zeynep, (ayse, fatma) = await _group_with(harness, ("Ayşe", "tr"), ("Fatma", "tr"))
    await harness.send(zeynep, "/toplanti")
    await harness.next(zeynep)
    for answer in ("Şubat toplantısı", "25.11.2026 18:00", "Kent Konseyi salonu", "-"):
        await harness.send(zeynep, answer)
    preview = await harness.send(zeynep, "3")
    await harness.press(zeynep, preview, "📤 Gönder")
    await harness.next_containing(zeynep, "Yeni toplantı")
    # Less than 24 hours away: the summary goes out at once, below the quorum of 3.
    warning = await harness.next_containing(zeynep, "Yeter sayı tutmuyor", timeout=10)
    assert "yeter sayı 3" in warning.text

    await harness.advance(timedelta(days=2))
    overview = await harness.send(zeynep, "/toplantilar")
    sheet = await harness.press(zeynep, overview, "📝 Yoklama")
    assert "0/3" in sheet.text
    await harness.server.press_button(zeynep.user, sheet, "⬜ Ayşe")
    await harness.server.wait_for_edit(sheet, lambda m: "✅ Ayşe" in m.button_texts)
    members = await harness.send(zeynep, "/uyeler")
    assert "Ayşe (üye) — 📋 1/1" in members.text


async def test_a_member_who_joins_later_gets_the_upcoming_meeting(harness: Harness) -> None:
    zeynep, _ = await _group_with(harness)
    await _announce(harness, zeynep)
    invite = await harness.send(zeynep, "/davet")
    code = invite.text.split("?start=")[1].split()[0]
    elif_ = harness.person("Elif")
    await harness.join(elif_, code)
    upcoming = await harness.next_containing(elif_, "Aralık çalışma toplantısı")
    assert "✅ Katılıyorum" in upcoming.button_texts


async def test_a_linked_group_chat_gets_the_notice_too(harness: Harness) -> None:
    zeynep, (ayse,) = await _group_with(harness, ("Ayşe", "tr"))
    chat_id = -1001234567890
    await harness.server.add_bot_to_group(zeynep.user, chat_id, "Kars Kadın Meclisi")
    await harness.server.send_text(zeynep.user, "/baglan", chat_id=chat_id)
    linked = await harness.next_containing(zeynep, "bağlandı")
    assert "Kadın Dostu Kent" in linked.text

    await harness.server.send_text(ayse.user, "/baglan", chat_id=chat_id)
    refusal = await harness.next_containing(ayse, "yalnızca koordinatörler")
    assert refusal.text

    await _announce(harness, zeynep)
    posted = await harness.server.wait_for_message(chat_id, lambda m: "Yeni toplantı" in (m.text or ""))
    assert "Aralık çalışma toplantısı" in posted.text and "özelden" in posted.text
    assert posted.buttons == []  # answers are personal
