"""Moving a whole repeating meeting (issue 10, item 17): "only this one" or "this and all
following" after a new date and time, as a coordinator and her members experience it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.services.meetings import service as meetings_service
from storage import meetings as meetings_repo
from tests.harness import Harness, Person
from tests.meetings_support import group_with, notice, texts


async def _advance_to(harness: Harness, moment: datetime) -> None:
    await harness.advance(moment - harness.clock.now())


async def _monthly_series(harness: Harness, zeynep: Person) -> None:
    """Zeynep announces "Aylık çalışma toplantısı" on the first Thursday of each month at
    14:00, starting 03.12.2026, through the real dialog."""
    await harness.send(zeynep, "/toplanti")
    await harness.next(zeynep)
    await harness.send(zeynep, "Aylık çalışma toplantısı")
    await harness.send(zeynep, "03.12.2026 14:00")
    await harness.send(zeynep, "Kent Konseyi")
    await harness.send(zeynep, "yok")
    repeat = await harness.send(zeynep, "yok")
    preview = await harness.press(zeynep, repeat, "🔁 her ayın ilk Perşembe günü 14:00")
    await harness.press(zeynep, preview, "📤 Gönder")


async def _meeting(harness: Harness, meeting_id: int) -> meetings_repo.Meeting:
    async with harness.services.db.read() as conn:
        meeting = await meetings_repo.get(conn, meeting_id)
    assert meeting is not None
    return meeting


async def test_moving_this_and_all_following_changes_the_pattern_and_tells_each_member_once(
        harness: Harness) -> None:
    zeynep, (ayse, emma) = await group_with(harness, ("Ayşe", "tr"), ("Emma", "en"))
    await _monthly_series(harness, zeynep)
    december = await notice(harness, ayse)
    await harness.server.press_button(ayse.user, december, "✅ Katılıyorum")
    await harness.server.wait_for_edit(december, lambda m: "Yanıtınız" in (m.text or ""))

    # December's meeting is held; January's (07.01.2027) is announced 30 days ahead.
    await _advance_to(harness, datetime(2026, 12, 8, 11, 1, tzinfo=UTC))
    january = await harness.next_containing(ayse, "07.01.2027 14:00", timeout=10)
    await harness.server.press_button(ayse.user, january, "✅ Katılıyorum")
    await harness.server.wait_for_edit(january, lambda m: "Yanıtınız" in (m.text or ""))
    await notice(harness, emma, "7 January 2027")
    await notice(harness, zeynep, "07.01.2027")

    # Zeynep moves January to Friday 08.01.2027 15:00, and the series with it.
    card = await harness.send(zeynep, "/toplantilar")
    await harness.server.press_button(zeynep.user, card, "🗓 Tarihi değiştir")
    ask = await harness.next_containing(zeynep, "Yeni tarih")
    assert "şu an Perşembe, 07.01.2027 14:00" in ask.text
    preview = await harness.send(zeynep, "8 Ocak 2027 15:00")
    assert "tarih değişti: Per 07.01 14:00 → Cum 08.01 15:00" in preview.text, preview.text
    assert "Bu toplantı tekrarlanıyor: her ayın ilk Perşembe günü 14:00" in preview.text
    assert "her ayın ikinci Cuma günü 15:00" in preview.text  # 08.01.2027 is January's second Friday
    assert preview.button_texts[:2] == ["📤 Yalnızca bu toplantı", "🔁 Bu ve sonrakiler"]
    await harness.restart()  # the dialog waits in the database
    done = await harness.press(zeynep, preview, "🔁 Bu ve sonrakiler")
    assert "Tekrar artık her ayın ikinci Cuma günü 15:00" in done.text, done.text
    assert "1 toplantı taşındı" in done.text and "Sonraki: Cuma, 12.02.2027 15:00" in done.text

    moved = await notice(harness, ayse, "zamanı değişti")
    assert "tarih değişti: Per 07.01 14:00 → Cum 08.01 15:00" in moved.text
    assert "🔁 Bundan sonra: her ayın ikinci Cuma günü 15:00" in moved.text
    assert "Cuma, 08.01.2027 15:00" in moved.text and "Katılacak mısınız?" in moved.text  # asked again
    told = await notice(harness, emma, "has moved")
    assert "From now on: every month on the second Friday at 15:00" in told.text, told.text

    # January moved (a new calendar SEQUENCE, answers asked again); December is untouched.
    held, moved_meeting = await _meeting(harness, 1), await _meeting(harness, 2)
    assert (held.starts_at, held.sequence) == (datetime(2026, 12, 3, 11, 0, tzinfo=UTC), 0)
    assert (moved_meeting.starts_at, moved_meeting.sequence) == (datetime(2027, 1, 8, 12, 0, tzinfo=UTC), 1)
    async with harness.services.db.read() as conn:
        assert (await meetings_repo.tally(conn, 1))["yes"] == 1  # Ayşe's answer to December stays
        series = await meetings_repo.get_series(conn, 1)
    assert series is not None and (series.weekday, series.nth, series.local_time) == (4, 2, "15:00")
    new_start = datetime(2027, 1, 8, 12, 0, tzinfo=UTC)
    due = {r.key: r.due_at for r in await harness.services.reminders.pending("meeting:2:")}
    assert due == {"meeting:2:remind:1440m": new_start - timedelta(hours=24),
                   "meeting:2:summary": new_start - timedelta(hours=24),
                   "meeting:2:remind:60m": new_start - timedelta(hours=1)}
    assert {r.key for r in await harness.services.reminders.pending("meeting-series:")} == \
        {"meeting-series:1:2027-02-12"}  # February's second Friday comes next

    # No reminder at the old time; the day-before reminder comes at the new one.
    await _advance_to(harness, datetime(2027, 1, 6, 11, 5, tzinfo=UTC))
    await harness.settle()
    assert not any("Hatırlatma" in text for text in texts(harness, ayse))
    await _advance_to(harness, new_start - timedelta(hours=24) + timedelta(minutes=1))
    reminder = await harness.next_containing(ayse, "Hatırlatma", timeout=10)
    assert "yarın 15:00'te" in reminder.text and "Cuma, 08.01.2027 15:00" in reminder.text

    # February's occurrence is created on the new pattern, 30 days ahead.
    await _advance_to(harness, datetime(2027, 2, 12, 12, 0, tzinfo=UTC) - timedelta(days=30, minutes=-1))
    february = await harness.next_containing(ayse, "12.02.2027", timeout=10)
    assert "Yeni toplantı" in february.text and "Cuma, 12.02.2027 15:00" in february.text
    assert sum("zamanı değişti" in text for text in texts(harness, ayse)) == 1  # one notice for the move


async def test_only_this_one_keeps_the_series_and_this_and_later_skips_cancelled_and_earlier_ones(
        harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    # Weekly occurrences created four weeks ahead, so that several exist at once.
    monkeypatch.setitem(meetings_service.SERIES_LEAD_DAYS, "weekly", 27)
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await harness.send(zeynep, "/toplanti")
    await harness.next(zeynep)
    await harness.send(zeynep, "Haftalık koordinasyon")
    await harness.send(zeynep, "03.12.2026 14:00")
    await harness.send(zeynep, "Kent Konseyi")
    await harness.send(zeynep, "yok")
    repeat = await harness.send(zeynep, "yok")
    preview = await harness.press(zeynep, repeat, "🔁 her hafta Perşembe 14:00")
    await harness.press(zeynep, preview, "📤 Gönder")
    for day in ("03.12.2026", "10.12.2026", "17.12.2026"):  # three occurrences now, each announced
        await notice(harness, ayse, day)
        await notice(harness, zeynep, day)
    await harness.services.meetings.call_off(3)  # 17 December is called off
    await notice(harness, ayse, "iptal edildi")
    await notice(harness, zeynep, "iptal edildi")

    # Only this one: 3 December moves to Friday the 4th; the series keeps its Thursdays.
    card = await harness.send(zeynep, "/toplantilar")
    await harness.server.press_button(zeynep.user, card, "🗓 Tarihi değiştir")
    await harness.next_containing(zeynep, "Yeni tarih")
    preview = await harness.send(zeynep, "04.12.2026 14:00")
    assert "her hafta Perşembe 14:00" in preview.text and "her hafta Cuma 14:00" in preview.text
    done = await harness.press(zeynep, preview, "📤 Yalnızca bu toplantı")
    assert "Cum 04.12 14:00" in done.text and "Tekrar artık" not in done.text
    assert "🔁 Bundan sonra" not in (await notice(harness, ayse, "zamanı değişti")).text
    await notice(harness, zeynep, "zamanı değişti")
    async with harness.services.db.read() as conn:
        series = await meetings_repo.get_series(conn, 1)
    assert series is not None and (series.weekday, series.local_time) == (3, "14:00")
    assert (await _meeting(harness, 2)).starts_at == datetime(2026, 12, 10, 11, 0, tzinfo=UTC)

    # This and later, from 10 December: a time before the previous meeting is refused...
    await harness.send(zeynep, "/toplantilar")
    second_card = await harness.next_containing(zeynep, "10.12.2026")
    await harness.server.press_button(zeynep.user, second_card, "🗓 Tarihi değiştir")
    await harness.next_containing(zeynep, "Yeni tarih")
    preview = await harness.send(zeynep, "02.12.2026 10:00")
    refused = await harness.press(zeynep, preview, "🔁 Bu ve sonrakiler")
    assert "bir önceki toplantısından (04.12.2026 14:00) önce" in refused.text, refused.text
    # ...and a time after it moves 10 December to Tuesday the 8th; the cancelled 17th stays as it was.
    ask = await harness.press(zeynep, preview, "✏️ Başka zaman")
    assert "Yeni tarih" in ask.text
    preview = await harness.send(zeynep, "08.12.2026 10:00")
    assert "her hafta Salı 10:00" in preview.text
    done = await harness.send(zeynep, "bu ve sonrakiler")  # the button's words, typed
    assert "Tekrar artık her hafta Salı 10:00" in done.text and "1 toplantı taşındı" in done.text, done.text
    assert "Sonraki: Salı, 22.12.2026 10:00" in done.text  # the 15th would replace the cancelled 17th
    moved = await notice(harness, ayse, "Salı, 08.12.2026 10:00")
    assert "🔁 Bundan sonra: her hafta Salı 10:00" in moved.text

    first, second, third = [await _meeting(harness, meeting_id) for meeting_id in (1, 2, 3)]
    assert (first.starts_at, first.sequence) == (datetime(2026, 12, 4, 11, 0, tzinfo=UTC), 1)  # untouched
    assert (second.starts_at, second.sequence) == (datetime(2026, 12, 8, 7, 0, tzinfo=UTC), 1)
    assert third.cancelled and third.starts_at == datetime(2026, 12, 17, 11, 0, tzinfo=UTC)

    # The next occurrence is created on the new pattern, after the cancelled week.
    await _advance_to(harness, datetime(2026, 11, 25, 7, 1, tzinfo=UTC))
    created = await notice(harness, ayse, "22.12.2026")
    assert "Yeni toplantı" in created.text and "Salı, 22.12.2026 10:00" in created.text
    await harness.settle()
    assert not any("15.12.2026" in text for text in texts(harness, ayse))
    assert {r.key for r in await harness.services.reminders.pending("meeting-series:")} == \
        {"meeting-series:1:2026-12-29"}
    assert sum("zamanı değişti" in text for text in texts(harness, ayse)) == 2  # the 3rd once, the 10th once
