"""The last message a person saw wins: a meeting notice that reaches her in the middle of a
survey is answered by a typed `evet`, and the survey waits at the same question."""

from __future__ import annotations

from tests.harness import Harness
from tests.meetings_support import announce, group_with
from tests.test_surveys_answering import _invitation, _send_izleme


async def test_a_typed_rsvp_after_a_notice_answers_the_meeting_not_the_open_survey(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await _send_izleme(harness, zeynep)
    await _invitation(harness, zeynep)  # she is a member too: her own invitation, unread
    invitation = await _invitation(harness, ayse)
    await harness.press(ayse, invitation, "▶️ Başla")
    await harness.next_containing(ayse, "1/6")

    # A notice arrives while she is at question 1; what she then types that is no RSVP word
    # is her survey answer, as before.
    await announce(harness, zeynep, title="Aralık toplantısı")
    december = await harness.next_containing(ayse, "Aralık toplantısı")
    second = await harness.send(ayse, "%40")
    assert "✓ Kaydedildi: %40" in second.text and "2/6" in second.text
    third = await harness.press(ayse, second, "Atla ⏭")
    assert "3/6" in third.text  # a yes/no question

    # Another notice, then `katılıyorum`: the meeting is answered, the survey asked again.
    await announce(harness, zeynep, title="Ocak toplantısı", when="07.01.2027 14:00")
    await harness.next_containing(ayse, "Ocak toplantısı")
    answered = await harness.send(ayse, "katılıyorum")
    assert "Yanıtınız kaydedildi: Ocak toplantısı — ✅ Katılıyorum" in answered.text, answered.text
    again = await harness.next(ayse)
    assert "Anketinize dönelim" in again.text and "3/6" in again.text
    assert "✅ Evet" in again.button_texts

    async with harness.services.db.read() as conn:
        stored = await conn.execute_fetchall("SELECT COUNT(*) FROM survey_answers WHERE question = 'i8'")
    assert stored[0][0] == 0  # the survey's yes/no question is still unanswered

    # The same word now answers the survey: the newest message is its question again.
    fourth = await harness.send(ayse, "hayır")
    assert "✓ Kaydedildi: ❌ Hayır" in fourth.text and "4/6" in fourth.text

    # A tap on a notice's button mid-survey: the card shows her answer, the question comes back.
    await harness.server.press_button(ayse.user, december, next(b for b in december.button_texts if "Katılıyorum" in b))
    back = await harness.next_containing(ayse, "Anketinize dönelim")
    assert "4/6" in back.text

    async with harness.services.db.read() as conn:
        rows = await conn.execute_fetchall(
            "SELECT m.title, r.answer FROM rsvps r JOIN meetings m ON m.id = r.meeting_id "
            "JOIN identities i ON i.member_id = r.member_id WHERE i.external_id = ?", (str(ayse.chat_id),))
    assert {(title, answer) for title, answer in rows} == {("Ocak toplantısı", "yes"), ("Aralık toplantısı", "yes")}


async def test_after_looking_at_her_meetings_a_typed_evet_asks_which_one(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await announce(harness, zeynep, title="Aralık toplantısı")
    await harness.next_containing(ayse, "Aralık toplantısı")
    await announce(harness, zeynep, title="Ocak toplantısı", when="07.01.2027 14:00")
    await harness.next_containing(ayse, "Ocak toplantısı")

    # (As a member who never pressed a button, e.g. one seeded or linked: no row yet.)
    async with harness.services.db.transaction() as tx:
        await tx.execute("DELETE FROM pending_choices WHERE external_id = ?", (str(ayse.chat_id),))
    # She looks at her meetings (two cards): the January notice is no longer the last thing
    # she saw, and both are unanswered, so `evet` asks which one, naming the group.
    await harness.send(ayse, "/toplantilar")
    await harness.settle()
    await harness.server.send_text(ayse.user, "evet")
    which = await harness.next_containing(ayse, "hangi toplantı için")
    assert len(which.button_texts) == 2, which.button_texts
    assert all("Kadın Dostu Kent" in label for label in which.button_texts), which.button_texts
    await harness.server.press_button(ayse.user, which, next(b for b in which.button_texts if "Ocak" in b))
    await harness.server.wait_for_edit(which, lambda m: "Ocak toplantısı" in (m.text or ""))

    # Right after a new notice, `evet` answers that meeting without asking.
    await announce(harness, zeynep, title="Şubat toplantısı", when="04.02.2027 14:00")
    await harness.next_containing(ayse, "Şubat toplantısı")
    answered = await harness.send(ayse, "evet")
    assert "Yanıtınız kaydedildi: Şubat toplantısı" in answered.text, answered.text


async def test_an_old_button_of_another_dialog_shows_the_open_question_again(harness: Harness) -> None:
    zeynep, _ = await group_with(harness, ("Ayşe", "tr"))
    await harness.send(zeynep, "/anket")
    picker = await harness.next(zeynep)
    assert picker.button_texts, picker.text
    await harness.send(zeynep, "/iptal")
    await harness.send(zeynep, "/toplanti")
    ask_title = await harness.next(zeynep)
    assert "1/5" in ask_title.text

    stale = await harness.press(zeynep, picker, picker.button_texts[0])
    assert "Bu düğme artık geçerli değil" in stale.text and "Yarım kalan işleminiz sürüyor" in stale.text
    again = await harness.next(zeynep)
    assert "1/5" in again.text  # the meeting's first question, as it was
    assert "2/5" in (await harness.send(zeynep, "Aralık toplantısı")).text  # and the dialog goes on
