"""Steps the meeting tests share: a group with people in it, and a coordinator announcing a
meeting through the real `/toplanti` dialog."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.emulator.telegram.server import SentMessage
from tests.harness import Harness, Person

# 03.12.2026 14:00 in Istanbul (UTC+3), eight days after the tests' "now".
MEETING_START = datetime(2026, 12, 3, 11, 0, tzinfo=UTC)


async def group_with(harness: Harness, *people: tuple[str, str], name: str = "Kadın Dostu Kent",
                     city: str = "Kars", coordinator: Person | None = None) -> tuple[Person, list[Person]]:
    """A group with a coordinator (Zeynep unless given) and the given (name, language)
    members, everyone joined through the real onboarding."""
    group = await harness.create_group(name, city)
    zeynep = coordinator or harness.person("Zeynep")
    if coordinator is None:
        await harness.join(zeynep, group.coordinator_invite.code)
    else:  # already registered: the deep link adds her to this group at once
        joined = await harness.send(zeynep, f"/start {group.coordinator_invite.code}")
        assert name in joined.text, joined.text
    await harness.next(zeynep)  # the help that follows the welcome
    members = []
    for member_name, lang in people:
        person = harness.person(member_name, lang)
        await harness.join(person, group.member_invite.code, language=lang)
        await harness.next(person)
        members.append(person)
    return zeynep, members


async def announce(harness: Harness, zeynep: Person, *, title: str = "Aralık çalışma toplantısı",
                   when: str = "03.12.2026 14:00", place: str = "https://meet.example.org/kars",
                   agenda: str | None = "Bütçe talepleri", quorum: str | None = None) -> SentMessage:
    """Zeynep (Turkish, one group) announces a meeting; returns the bot's "sending" answer
    (her own copy of the notice is read too)."""
    await harness.send(zeynep, "/toplanti")
    ask_title = await harness.next(zeynep)
    assert "1/5" in ask_title.text
    assert "2/5" in (await harness.send(zeynep, title)).text
    assert "3/5" in (await harness.send(zeynep, when)).text
    ask_agenda = await harness.send(zeynep, place)
    assert "4/5" in ask_agenda.text
    ask_quorum = await harness.send(zeynep, agenda) if agenda else await harness.press(zeynep, ask_agenda, "Atla ⏭")
    assert "5/5" in ask_quorum.text
    repeat = await harness.send(zeynep, quorum) if quorum else await harness.press(zeynep, ask_quorum, "Atla ⏭")
    assert "tekrarlansın mı" in repeat.text, repeat.text
    preview = await harness.press(zeynep, repeat, "Tekrar yok")
    assert "Önizleme" in preview.text, preview.text
    sent = await harness.press(zeynep, preview, "📤 Gönder")
    assert "gönderiliyor" in sent.text, sent.text
    await harness.next_containing(zeynep, title)  # she is a member of her group too
    return sent


async def notice(harness: Harness, person: Person, fragment: str = "Yeni toplantı") -> SentMessage:
    return await harness.next_containing(person, fragment)


def texts(harness: Harness, person: Person) -> list[str]:
    """Everything the bot has sent this person so far (as the messages read now)."""
    return [message.text or "" for message in harness.server.messages(person.chat_id)]
