"""Meetings, as coordinators and members live them: the /toplanti dialog, the notice, the
answers, /toplantilar, the calendar file, latecomers and the linked group chat."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar

from bot.models import Actor
from messages import t
from tests.harness import Harness
from tests.meetings_support import MEETING_START, announce, group_with, notice, texts


async def test_a_coordinator_announces_and_every_member_gets_it_in_her_language(harness: Harness) -> None:
    zeynep, (ayse, emma) = await group_with(harness, ("Ayşe", "tr"), ("Emma", "en"))
    await announce(harness, zeynep)

    turkish = await notice(harness, ayse)
    assert "Perşembe, 03.12.2026 14:00" in turkish.text
    assert "https://meet.example.org/kars" in turkish.text and "Bütçe talepleri" in turkish.text
    assert turkish.button_texts == ["✅ Katılıyorum", "❌ Katılamıyorum", "🤔 Belki", "📅 Takvime ekle (.ics)"]
    english = await notice(harness, emma, "New meeting")
    assert "Thursday, 3 December 2026, 14:00" in english.text and "Agenda: Bütçe talepleri" in english.text
    assert english.button_texts[:3] == ["✅ I'll attend", "❌ I can't attend", "🤔 Maybe"]

    calendar = await harness.press(emma, english, "📅 Add to calendar (.ics)")
    assert calendar.document_name == "meeting-1.ics"
    parsed = icalendar.Calendar.from_ical(calendar.document_bytes)
    event = next(iter(parsed.walk("VEVENT")))
    assert event.decoded("dtstart").astimezone(UTC) == MEETING_START
    assert str(event.get("dtstart").params["TZID"]) == "Europe/Istanbul"
    assert str(event.get("summary")) == "Aralık çalışma toplantısı"
    assert [str(tz.get("tzid")) for tz in parsed.walk("VTIMEZONE")] == ["Europe/Istanbul"]
    assert str(parsed.get("method")) == "PUBLISH"


async def test_answers_are_recorded_changed_and_shown_on_the_buttons(harness: Harness) -> None:
    zeynep, (ayse, fatma) = await group_with(harness, ("Ayşe", "tr"), ("Fatma", "tr"))
    await announce(harness, zeynep)
    invitation = await notice(harness, ayse)

    await harness.server.press_button(ayse.user, invitation, "✅ Katılıyorum")
    await harness.server.wait_for_edit(invitation, lambda m: "Yanıtınız" in (m.text or ""))
    assert "• ✅ Katılıyorum •" in invitation.button_texts and "Katılıyorum" in invitation.text
    await harness.server.press_button(ayse.user, invitation, "🤔 Belki")
    await harness.server.wait_for_edit(invitation, lambda m: "• 🤔 Belki •" in m.button_texts)
    assert "• ✅ Katılıyorum •" not in invitation.button_texts
    # Pressing the chosen answer again changes nothing and breaks nothing: no edit is even tried.
    edits = len(harness.server.calls_to("editMessageText"))
    await harness.server.press_button(ayse.user, invitation, "• 🤔 Belki •")
    await harness.settle()
    assert len(harness.server.calls_to("editMessageText")) == edits
    fatma_notice = await notice(harness, fatma)
    await harness.server.press_button(fatma.user, fatma_notice, "❌ Katılamıyorum")
    await harness.server.wait_for_edit(fatma_notice, lambda m: "Yanıtınız" in (m.text or ""))

    mine = await harness.send(ayse, "/toplantilar")
    assert "Yanıtınız: 🤔 Belki" in mine.text and "Katılımcılar" not in " ".join(mine.button_texts)
    overview = await harness.send(zeynep, "/toplantilar")
    assert "✅ 0 · ❌ 1 · 🤔 1 · ⏳ 1" in overview.text  # Zeynep herself has not answered
    await harness.settle()
    overview = await harness.send(zeynep, "/toplantilar")
    assert "3 kişiden 3 kişiye ulaştı" in overview.text  # delivery of the notice
    attendees = await harness.press(zeynep, overview, "👥 Katılımcılar")
    assert "🤔 Belki (1): Ayşe" in attendees.text and "❌ Katılamıyorum (1): Fatma" in attendees.text
    assert "⏳ Yanıt vermedi (1): Zeynep" in attendees.text
    # The coordinator answers from her overview: the card keeps the tally and her tools.
    await harness.server.press_button(zeynep.user, overview, "✅ Katılıyorum")
    await harness.server.wait_for_edit(overview, lambda m: "✅ 1 ·" in (m.text or ""))
    assert "• ✅ Katılıyorum •" in overview.button_texts and "🗓 Tarihi değiştir" in overview.button_texts


async def test_typed_answers_when_it_is_clear_which_meeting(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await announce(harness, zeynep)
    await notice(harness, ayse)

    answer = await harness.send(ayse, "EVET")
    assert "Yanıtınız kaydedildi" in answer.text and "Katılıyorum" in answer.text
    changed = await harness.send(ayse, "hayır.")
    assert "Katılamıyorum" in changed.text
    chatter = await harness.send(ayse, "tamam")  # not an answer to an invitation
    assert "Yanıtınız" not in chatter.text
    for typed, shown in (("gelemiyorum", "Katılamıyorum"), ("✅ Katılıyorum", "Katılıyorum"),
                         ("katılamıyorum", "Katılamıyorum"), ("belki gelirim", "Belki")):
        assert shown in (await harness.send(ayse, typed)).text, typed
    assert "Yanıtınız: 🤔 Belki" in (await harness.send(ayse, "/toplantilar")).text

    # Right after a second meeting's notice, a typed answer is for that meeting, even though
    # she was looking at the first one's card just before.
    await announce(harness, zeynep, title="Ocak toplantısı", when="14.01.2027 10:00", agenda=None)
    await notice(harness, ayse)
    assert "Ocak toplantısı" in (await harness.send(ayse, "evet")).text

    # Later, with two meetings she has not answered, she picks; those answered are left out
    # and each choice names the group.
    await announce(harness, zeynep, title="Şubat toplantısı", when="11.02.2027 10:00", agenda=None)
    await announce(harness, zeynep, title="Mart toplantısı", when="11.03.2027 10:00", agenda=None)
    await notice(harness, ayse, "Şubat toplantısı")
    await notice(harness, ayse, "Mart toplantısı")
    await harness.advance(timedelta(hours=13))
    which = await harness.send(ayse, "Belki")
    assert "hangi toplantı" in which.text
    assert which.button_texts == ["Şubat toplantısı (Kadın Dostu Kent) — Per 11.02 10:00",
                                  "Mart toplantısı (Kadın Dostu Kent) — Per 11.03 10:00"]
    await harness.server.press_button(ayse.user, which, "Mart toplantısı (Kadın Dostu Kent) — Per 11.03 10:00")
    await harness.server.wait_for_edit(which, lambda m: "Yanıtınız: 🤔 Belki" in (m.text or ""))
    assert "Mart toplantısı" in which.text
    assert "Mart toplantısı" in (await harness.send(ayse, "evet")).text  # the card she is looking at
    await harness.advance(timedelta(hours=2))
    assert "Şubat toplantısı" in (await harness.send(ayse, "evet")).text  # later: the one left open


async def test_only_coordinators_create_meetings(harness: Harness) -> None:
    zeynep, (ayse, emma) = await group_with(harness, ("Ayşe", "tr"), ("Emma", "en"))
    refused = await harness.send(ayse, "/toplanti")
    assert "yalnızca koordinatörler" in refused.text
    refused = await harness.send(emma, "/newmeeting")
    assert "is for coordinators only" in refused.text
    assert "gönderiliyor" not in " ".join(texts(harness, zeynep))


async def test_bad_dates_are_refused_with_an_example_and_nothing_is_lost(harness: Harness) -> None:
    zeynep, _ = await group_with(harness)
    await harness.send(zeynep, "/newmeeting")
    await harness.next(zeynep)
    ask_when = await harness.send(zeynep, "Ocak toplantısı")
    assert "2/5" in ask_when.text and "Türkiye saati" in ask_when.text and "12.12.2026 14:00" in ask_when.text
    for typed, expected in (("yarın mı öbür gün mü", "tarih olarak anlaşılamadı"),
                            ("31.02.2026 10:00", "diye bir gün yok"), ("01.01.2020 10:00", "geçmişte kaldı"),
                            ("12.01.2027 24:00", "saat yanlış"), ("10:00", "günü de yazın")):
        refused = await harness.send(zeynep, typed)
        assert expected in refused.text and "Örnek: 12.12.2026 14:00" in refused.text, refused.text
    far = await harness.send(zeynep, "12.01.2062 10:00")  # a typo for 2026 or 2027: confirmed, not taken
    assert "Perşembe, 12.01.2062 10:00" in far.text and "doğru mu" in far.text and "bir yıldan" in far.text
    again = await harness.send(zeynep, "hayır")
    assert "2/5" in again.text
    ask_time = await harness.send(zeynep, "12.01.2027")  # a date alone: only the time is asked
    assert "Salı, 12.01.2027" in ask_time.text and "saat kaçta" in ask_time.text
    assert "saat yanlış" in (await harness.send(zeynep, "25:00")).text
    await harness.restart()  # the dialog survives a restart
    place = await harness.send(zeynep, "10.30")
    assert "3/5" in place.text and "Salı, 12.01.2027 10:30" in place.text and "Türkiye saati" in place.text
    await harness.send(zeynep, "Belediye kültür merkezi")
    quorum = await harness.send(zeynep, "yok")
    assert "5/5" in quorum.text
    too_big = await harness.send(zeynep, "8")
    assert "Grupta 1 kişi var" in too_big.text
    repeat = await harness.send(zeynep, "1")
    assert "tekrarlansın mı" in repeat.text
    preview = await harness.send(zeynep, "tekrar yok")  # the button's words
    assert "Ocak toplantısı" in preview.text and "Salı, 12.01.2027 10:30" in preview.text
    assert "Gündem: —" in preview.text and "Yeter sayı: 1" in preview.text
    cancelled = await harness.send(zeynep, "İPTAL")
    assert "taslak silindi" in cancelled.text.lower() and "duyurulmadı" in cancelled.text
    nothing = await harness.send(zeynep, "/toplantilar")
    assert "Yaklaşan toplantı yok" in nothing.text


async def test_a_coordinator_of_two_groups_picks_one_and_edits_the_preview(harness: Harness) -> None:
    emma = harness.person("Emma", "en")
    kars = await harness.create_group("Women-Friendly City", "Kars")
    await harness.join(emma, kars.coordinator_invite.code, language="en")
    await harness.next(emma)
    _, (deniz,) = await group_with(harness, ("Deniz", "tr"), name="Eşitlik İzleme", city="İzmir",
                                   coordinator=emma)

    await harness.send(emma, "/newmeeting")
    pick = await harness.next(emma)
    assert "Which group" in pick.text
    typed = await harness.send(emma, "Plan review")  # fits no button: the choices again, named
    assert "tap one of the buttons" in typed.text and "«Eşitlik İzleme (İzmir)»" in typed.text
    assert typed.button_texts == ["Women-Friendly City (Kars)", "Eşitlik İzleme (İzmir)"]
    ask_title = await harness.send(emma, "eşitlik izleme")  # the button's words, typed
    assert "1/5" in ask_title.text and "İzmir" not in ask_title.text
    await harness.send(emma, "Plan review")
    await harness.send(emma, "Dec 10, 2026 2:00 pm")
    await harness.send(emma, "Konak Kadın Meclisi")
    ask_quorum = await harness.send(emma, "Budget demands")
    repeat = await harness.press(emma, ask_quorum, "Skip ⏭")
    preview = await harness.press(emma, repeat, "Does not repeat")
    assert "Thursday, 10 December 2026, 14:00" in preview.text and "Eşitlik İzleme" in preview.text

    fields = await harness.press(emma, preview, "✏️ Edit")
    ask_place = await harness.press(emma, fields, "Place")
    assert "Now: Konak Kadın Meclisi" in ask_place.text
    preview = await harness.send(emma, "https://meet.example.org/izmir")
    assert "https://meet.example.org/izmir" in preview.text and "Budget demands" in preview.text
    assert "Plan review" in preview.text and "10 December 2026, 14:00" in preview.text
    sent = await harness.press(emma, preview, "📤 Send")
    assert "going out" in sent.text and "Eşitlik İzleme" in sent.text

    invitation = await notice(harness, deniz)
    assert "Plan review" in invitation.text and "Perşembe, 10.12.2026 14:00" in invitation.text
    kars_only = [m.text or "" for m in harness.server.messages(emma.chat_id)]
    assert sum("New meeting" in text for text in kars_only) <= 1  # only the İzmir group was told


async def test_a_member_who_joins_later_gets_the_upcoming_meeting(harness: Harness) -> None:
    zeynep, _ = await group_with(harness)
    await announce(harness, zeynep)
    invite = await harness.send(zeynep, "/davet")
    code = invite.text.split("?start=")[1].split()[0]
    elif_ = harness.person("Elif")
    await harness.join(elif_, code)
    upcoming = await harness.next_containing(elif_, "Aralık çalışma toplantısı")
    assert "Yaklaşan toplantı" in upcoming.text and "✅ Katılıyorum" in upcoming.button_texts
    await harness.server.press_button(elif_.user, upcoming, "✅ Katılıyorum")
    await harness.server.wait_for_edit(upcoming, lambda m: "Yanıtınız" in (m.text or ""))
    # The counts add up: the tally and the delivery line describe the same two people.
    await harness.settle()
    overview = await harness.send(zeynep, "/toplantilar")
    assert "✅ 1 · ❌ 0 · 🤔 0 · ⏳ 1" in overview.text and "2 kişiden 2 kişiye ulaştı" in overview.text


async def test_nobody_answers_or_reads_another_groups_meeting(harness: Harness) -> None:
    zeynep, _ = await group_with(harness)
    await announce(harness, zeynep)
    _, (outsider,) = await group_with(harness, ("Gülizar", "tr"), name="Ekonomik Güçlenme", city="Gaziantep")

    # Choice ids reach the core from any platform (a WhatsApp button id can be crafted): the
    # same ids from someone outside the group are refused.
    actor = Actor(channel="telegram", external_id=str(outsider.chat_id))
    for choice in ("rsvp:1:yes", "ics:1", "mtg:1:list", "mtg:1:cancelyes", "att:1:1"):
        replies = await harness.services.conversation.on_choice(actor, choice)
        assert [reply.text for reply in replies] == [t("error.stale_button", "tr")], choice
    assert "Yanıt bekleyen bir toplantı yok" in (await harness.send(outsider, "EVET")).text
    overview = await harness.send(zeynep, "/toplantilar")
    assert "✅ 0" in overview.text


async def test_a_linked_group_chat_gets_the_notice_too(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    chat_id = -1001234567890
    await harness.server.add_bot_to_group(zeynep.user, chat_id, "Kars Kadın Meclisi")
    await harness.server.send_text(zeynep.user, "/baglan", chat_id=chat_id)
    linked = await harness.next_containing(zeynep, "bağlandı")
    assert "Kadın Dostu Kent" in linked.text

    await harness.server.send_text(ayse.user, "/baglan", chat_id=chat_id)
    refusal = await harness.next_containing(ayse, "yalnızca koordinatörler")
    assert refusal.text

    await announce(harness, zeynep)
    posted = await harness.server.wait_for_message(chat_id, lambda m: "Yeni toplantı" in (m.text or ""))
    assert "Aralık çalışma toplantısı" in posted.text and "özelden" in posted.text
    assert posted.buttons == []  # answers are personal
    await harness.settle()
    overview = await harness.send(zeynep, "/toplantilar")
    assert "3 kişiden 3 kişiye ulaştı" in overview.text  # two members and the group chat


async def test_a_title_of_only_emoji_or_punctuation_is_refused_when_created_and_when_changed(
        harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await harness.send(zeynep, "/toplanti")
    await harness.next(zeynep)
    for typed in ("🎉", "🎉🎉🎉", "...", "!!", "👩‍👩‍👧 ✨"):
        refused = await harness.send(zeynep, typed)
        assert "harf ya da rakam olmalı" in refused.text and "Örnek:" in refused.text, (typed, refused.text)
    assert "2/5" in (await harness.send(zeynep, "🎉 Yılbaşı buluşması")).text  # letters with an emoji: fine
    await harness.send(zeynep, "/iptal")

    await announce(harness, zeynep)
    await notice(harness, ayse)
    overview = await harness.send(zeynep, "/toplantilar")
    which = await harness.press(zeynep, overview, "✏️ Yer, başlık, gündem")
    ask = await harness.press(zeynep, which, "Başlık")
    assert "Aralık çalışma toplantısı" in ask.text
    refused = await harness.send(zeynep, "🙂🙂")
    assert "harf ya da rakam olmalı" in refused.text and "Örnek:" in refused.text
    preview = await harness.send(zeynep, "Aralık toplantısı 🙂")  # still at the same question
    assert "📅 Başlık: Aralık çalışma toplantısı → Aralık toplantısı 🙂" in preview.text, preview.text


async def test_a_bare_hour_after_the_date_is_read_as_that_hour_and_confirmed(harness: Harness) -> None:
    zeynep, _ = await group_with(harness)
    await harness.send(zeynep, "/toplanti")
    await harness.next(zeynep)
    await harness.send(zeynep, "Aralık toplantısı")
    confirm = await harness.send(zeynep, "03.12.2026 14")  # not "what time?": 14:00, read back
    assert "Perşembe, 03.12.2026 14:00" in confirm.text and "doğru mu" in confirm.text, confirm.text
    place = await harness.press(zeynep, confirm, "✅ Evet, doğru")
    assert "3/5" in place.text and "Perşembe, 03.12.2026 14:00" in place.text
