"""Ayşe on WhatsApp stays silent for weeks: templates are not repeated, and what was held is
checked again when she writes (Telegram's late-send rules), through the fake Graph API, the
real web server and the moved clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.emulator.whatsapp import FakeWaUser, WaMessage
from bot.services.coplanning.model import Feeds
from bot.services.surveys.content import library
from storage import members as members_repo
from storage import surveys as surveys_repo
from tests.harness import Person
from tests.meetings_support import announce, group_with
from tests.whatsapp_support import WaHarness, graph, wa  # noqa: F401  (fixtures)


async def _at(wa: WaHarness, moment: datetime) -> None:
    """Move the clock to `moment` and let everything due by then be sent."""
    wa.clock.advance(moment - wa.clock.now())
    await wa.services.reminders.send_due()
    await wa.settle()


def _read_all(wa: WaHarness, person: Person) -> None:
    """Zeynep reads whatever came meanwhile (digests, results), so the next wait is fresh."""
    chat = wa.server._api.chats.chats.get(person.chat_id)
    if chat is not None and chat.sent:
        chat.cursor = max(chat.cursor, chat.sent[-1].message_id)


def _templates(wa: WaHarness, user: FakeWaUser) -> list[WaMessage]:
    return [m for m in wa.graph.messages_to(user) if m.type == "template"]


async def _ayse(wa: WaHarness) -> FakeWaUser:
    ayse = wa.graph.user("Ayşe", phone="905321234567")
    code = (await wa.services.groups.new_member_invite(1)).code
    welcome = await wa.wa_join(ayse, code, "tr")
    assert "Kadın Dostu Kent" in welcome.text
    await wa.wa_skip(ayse)
    return ayse


async def test_weeks_of_silence_cost_two_templates_and_stale_reminders_are_dropped(wa: WaHarness) -> None:
    zeynep, _ = await group_with(wa)
    ayse = await _ayse(wa)
    await announce(wa, zeynep)  # 03.12.2026 14:00 (Istanbul)
    await wa.wa_next(ayse, "Yeni toplantı")
    await wa.services.surveys.send(group_id=1, form=library().templates["toplanti_geri_bildirim"],
                                   deadline=datetime(2026, 12, 5, 11, 0, tzinfo=UTC), anonymous=False,
                                   created_by=1, template="toplanti_geri_bildirim")
    await wa.wa_next(ayse, "Yeni anket")
    await wa.wa_skip(ayse)
    # She never answers again. Every day until 14.12 the reminders, nudges, the survey's
    # closing and the digests fall due while her window is closed.
    day = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
    for moment in (datetime(2026, 12, 2, 11, 1, tzinfo=UTC), datetime(2026, 12, 3, 10, 1, tzinfo=UTC),
                   datetime(2026, 12, 4, 11, 1, tzinfo=UTC), datetime(2026, 12, 5, 11, 1, tzinfo=UTC)):
        while day < moment:
            await _at(wa, day)
            day += timedelta(days=1)
        await _at(wa, moment)
    first_templates = _templates(wa, ayse)
    assert len(first_templates) == 1, [m.text for m in wa.graph.messages_to(ayse)]
    # A week after that template, Zeynep announces a new meeting: one more template (a new
    # notice); a third announcement two days later sends none.
    await _at(wa, datetime(2026, 12, 10, 6, 0, tzinfo=UTC))
    _read_all(wa, zeynep)
    await announce(wa, zeynep, title="Yılsonu toplantısı", when="20.12.2026 14:00")
    await wa.settle()
    assert len(_templates(wa, ayse)) == 2
    # A short survey she will not see before it closes (its invitation is held, then stale).
    await wa.services.surveys.send(group_id=1, form=library().templates["toplanti_geri_bildirim"],
                                   deadline=datetime(2026, 12, 12, 11, 0, tzinfo=UTC), anonymous=False,
                                   created_by=1, template="toplanti_geri_bildirim")
    await _at(wa, datetime(2026, 12, 12, 6, 0, tzinfo=UTC))
    _read_all(wa, zeynep)
    await announce(wa, zeynep, title="Ocak toplantısı", when="14.01.2027 14:00")
    await _at(wa, datetime(2026, 12, 14, 6, 0, tzinfo=UTC))
    assert len(_templates(wa, ayse)) == 2
    assert all(m.template_params == ["Ayşe"] for m in _templates(wa, ayse))  # no content, ever
    await wa.wa_skip(ayse)

    # She writes on 14.12: the two announcements come (dated); nothing about the meeting of
    # 03.12 (long past) and nothing about the survey (closed on 05.12).
    before = len(wa.graph.messages_to(ayse))
    await wa.graph.send_text(ayse, "merhaba")
    await wa.graph.wait_for_message(ayse, lambda m: "Ocak toplantısı" in m.text)
    await wa.wa_skip(ayse)
    released = [m.text for m in wa.graph.messages_to(ayse)[before:]]
    assert sum("Yeni toplantı" in text for text in released) == 2, released
    assert not [text for text in released if "30.11.2026" in text or "07.12.2026" in text], released  # old digests
    assert any("Yılsonu toplantısı" in text and text.startswith("📬") for text in released), released
    assert not [text for text in released if "Hatırlatma" in text or "Aralık çalışma" in text], released
    assert not [text for text in released if "yanıtlamadığınız bir anket" in text or "Devam et" in text], released
    assert not [text for text in released if "Yeni anket" in text], released  # closed on 12.12

    # Her window closes again; the 24-hour reminder of the 20.12 meeting is held (a new
    # window: one template). She writes at 08:00 on the day: the reminder is recomputed
    # from the real time left ("bugün", not "yarın"), with the RSVP buttons.
    await _at(wa, datetime(2026, 12, 19, 11, 1, tzinfo=UTC))
    assert len(_templates(wa, ayse)) == 3
    await wa.wa_skip(ayse)
    await _at(wa, datetime(2026, 12, 20, 5, 0, tzinfo=UTC))
    await wa.graph.send_text(ayse, "merhaba")
    reminder = await wa.wa_next(ayse, "Hatırlatma")
    assert "bugün 14:00'te" in reminder.text and "yarın" not in reminder.text, reminder.text
    assert not reminder.text.startswith("📬")
    assert reminder.titles[:2] == ["✅ Katılıyorum", "❌ Katılamıyorum"], reminder.titles



async def test_a_cancelled_meeting_and_a_submitted_survey_are_not_recalled(wa: WaHarness) -> None:
    zeynep, _ = await group_with(wa)
    ayse = await _ayse(wa)
    await announce(wa, zeynep)  # 03.12.2026 14:00
    await wa.wa_next(ayse, "Yeni toplantı")
    survey = await wa.services.surveys.send(group_id=1, form=library().templates["toplanti_geri_bildirim"],
                                            deadline=datetime(2026, 12, 9, 11, 0, tzinfo=UTC), anonymous=False,
                                            created_by=1, template="toplanti_geri_bildirim")
    await wa.wa_next(ayse, "Yeni anket")
    await wa.wa_skip(ayse)
    await _at(wa, datetime(2026, 12, 2, 11, 1, tzinfo=UTC))  # the 24-hour reminder: held
    meeting = (await wa.services.meetings.upcoming([1], limit=1))[0]
    await wa.services.meetings.call_off(meeting.id)  # the cancellation: held too
    await _at(wa, datetime(2026, 12, 3, 8, 0, tzinfo=UTC))
    assert len(_templates(wa, ayse)) == 1
    await wa.wa_skip(ayse)
    # She writes on the morning of the meeting: the cancellation (dated), not the reminder.
    before = len(wa.graph.messages_to(ayse))
    await wa.graph.send_text(ayse, "merhaba")
    cancelled = await wa.graph.wait_for_message(ayse, lambda m: "iptal edildi" in m.text)
    assert cancelled.text.startswith("📬"), cancelled.text
    await wa.wa_skip(ayse)
    released = [m.text for m in wa.graph.messages_to(ayse)[before:]]
    assert not [text for text in released if "Hatırlatma" in text], released

    # The survey's 3-day nudge is held (a new closed window: one template)...
    await _at(wa, datetime(2026, 12, 6, 11, 1, tzinfo=UTC))
    assert len(_templates(wa, ayse)) == 2
    await wa.wa_skip(ayse)
    # ...and her answers reach us another way (her other app) before she writes again.
    async with wa.services.db.transaction() as tx:
        found = await members_repo.by_identity(tx, "whatsapp", ayse.user_id)
        assert found is not None
        response = await surveys_repo.start_response(tx, survey, found.id, wa.clock.now())
        await surveys_repo.submit(tx, survey, response.id, found.id, wa.clock.now())
    before = len(wa.graph.messages_to(ayse))
    await wa.graph.send_text(ayse, "merhaba")
    await wa.graph.wait_for_message(ayse, lambda m: "*yardim*" in m.text)  # her own answer
    await wa.wa_skip(ayse)
    released = [m.text for m in wa.graph.messages_to(ayse)[before:]]
    assert not [text for text in released if "yanıtlamadığınız bir anket" in text], released
    assert all("Koordinat komutları" in text or "hoş geldiniz" in text for text in released), released


async def test_a_held_milestone_reminder_counts_the_days_left_when_she_reads_it(wa: WaHarness) -> None:
    await group_with(wa)
    ayse = await _ayse(wa)
    await wa.services.milestones.service.create(
        group_id=1, title="Bütçe taleplerini ilet", due_at=datetime(2026, 12, 20, 9, 0, tzinfo=UTC),
        has_time=False, offsets=(14, 7))
    await _at(wa, datetime(2026, 12, 6, 12, 0, tzinfo=UTC))  # the 14-day reminder: held
    assert len(_templates(wa, ayse)) == 1
    await _at(wa, datetime(2026, 12, 9, 12, 0, tzinfo=UTC))
    await wa.wa_skip(ayse)
    await wa.graph.send_text(ayse, "merhaba")
    reminder = await wa.wa_next(ayse, "Bütçe taleplerini ilet")
    assert "11 gün kaldı" in reminder.text and "14 gün" not in reminder.text, reminder.text
    assert not reminder.text.startswith("📬")


async def test_co_planning_notices_of_phases_that_ended_and_a_counted_vote_s_nudge_are_dropped(
        wa: WaHarness) -> None:
    await group_with(wa)
    ayse = await _ayse(wa)
    await wa.services.coplanning.rounds.open(
        group_id=1, feeds=Feeds.BUDGET, year=2027, max_picks=2, quorum=None, created_by=1,
        ends=(datetime(2026, 11, 27, 20, 0, tzinfo=UTC), datetime(2026, 11, 29, 20, 0, tzinfo=UTC),
              datetime(2026, 12, 2, 20, 0, tzinfo=UTC), datetime(2026, 12, 10, 20, 0, tzinfo=UTC)))
    await wa.wa_skip(ayse)
    # Discussion opens, voting opens, the vote nudge, the count: all while she is silent.
    for moment in (datetime(2026, 11, 27, 21, 0, tzinfo=UTC), datetime(2026, 11, 29, 21, 0, tzinfo=UTC),
                   datetime(2026, 12, 1, 21, 0, tzinfo=UTC), datetime(2026, 12, 2, 21, 0, tzinfo=UTC)):
        await _at(wa, moment)
    assert len(_templates(wa, ayse)) == 1
    await wa.wa_skip(ayse)
    before = len(wa.graph.messages_to(ayse))
    await wa.graph.send_text(ayse, "yardım")
    await wa.graph.wait_for_message(ayse, lambda m: "*yardim*" in m.text)
    await wa.wa_skip(ayse)
    released = [m.text for m in wa.graph.messages_to(ayse)[before:]]
    assert not [text for text in released if "öneri toplama bitti" in text or "oylama başladı" in text], released
    assert not [text for text in released if "henüz oy vermediniz" in text], released
