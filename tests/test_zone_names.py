"""Screens name a group's time zone the way people do ("Türkiye saati", "Germany (Berlin)
Time"), never by its IANA id: the prompts that ask for a date (milestones, surveys, meetings)
and the digest's settings, in a Turkish and an English group."""

from __future__ import annotations

from tests.harness import Harness, Person


def _everything_shown(harness: Harness, person: Person) -> str:
    return "\n".join(message.text or "" for message in harness.server.messages(person.user))


async def _zone_prompts(harness: Harness, coordinator: Person, commands: dict[str, str], zone: str) -> list[str]:
    """The coordinator opens each date-asking dialog up to its date question, then cancels;
    returns the prompts that name the zone `zone` (each is waited for)."""
    shown = []
    await harness.send(coordinator, commands["milestone"])
    await harness.next_containing(coordinator, "1/5")
    shown.append((await harness.send(coordinator, "Bütçe önerileri")).text)  # after the title: the due date
    await harness.send(coordinator, commands["cancel"])
    await harness.send(coordinator, commands["survey"])
    source = await harness.next(coordinator)
    await harness.server.press_button(coordinator.user, source, source.button_texts[0])  # the first template
    shown.append((await harness.next_containing(coordinator, zone)).text)
    await harness.send(coordinator, commands["cancel"])
    await harness.send(coordinator, commands["meeting"])
    await harness.next_containing(coordinator, "1/5")
    shown.append((await harness.send(coordinator, "Aralık toplantısı")).text)  # after the title: the time
    await harness.send(coordinator, commands["cancel"])
    shown.append((await harness.send(coordinator, commands["digest"])).text)
    return shown


async def test_a_turkish_group_reads_turkiye_saati(harness: Harness) -> None:
    created = await harness.create_group()
    zeynep = harness.person("Zeynep")
    await harness.join(zeynep, created.coordinator_invite.code)
    await harness.next(zeynep)
    shown = await _zone_prompts(harness, zeynep, {"milestone": "/yenitarih", "survey": "/anket",
                                                  "meeting": "/toplanti", "digest": "/ozet", "cancel": "/iptal"},
                                 "Türkiye saati")
    for text in shown:
        assert "Türkiye saati" in text, text
    assert "Europe/" not in _everything_shown(harness, zeynep)


async def test_a_berlin_group_reads_its_zone_in_english(harness: Harness) -> None:
    created = await harness.services.groups.create("Berlin Solidarity", "Berlin", "en", "Europe/Berlin")
    derya = harness.person("Derya", "en")
    await harness.join(derya, created.coordinator_invite.code, language="en")
    await harness.next(derya)
    shown = await _zone_prompts(harness, derya, {"milestone": "/newmilestone", "survey": "/newsurvey",
                                                 "meeting": "/newmeeting", "digest": "/digest", "cancel": "/cancel"},
                                 "Germany (Berlin)")
    for text in shown:
        assert "Germany (Berlin)" in text, text
    assert "Europe/" not in _everything_shown(harness, derya)
