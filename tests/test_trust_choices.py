"""Button ids are input, never proof (issue 8, item 8): forged, malformed or foreign choices
get the polite stale-button answer and change nothing; `/link`'s picker keeps the chat to link
on the server."""

from __future__ import annotations

import logging

import pytest

from messages import t
from tests.harness import Harness
from tests.meetings_support import announce, group_with, notice
from tests.trust_support import forge_press

STALE = t("error.stale_button", "tr")


def _no_errors(caplog: pytest.LogCaptureFixture) -> None:
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [r.getMessage() for r in errors]


async def test_a_forged_consent_with_too_many_answers_is_a_stale_button(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    group = await harness.create_group()
    code = group.member_invite.code
    leyla = harness.person("Leyla")
    await harness.send(leyla, f"/start {code}")
    reply = await forge_press(harness, leyla, f"consent:tr:{code}:y:y:y")
    assert reply.text == STALE
    assert (await harness.services.db.fetchone("SELECT COUNT(*) FROM members"))[0] == 0
    odd = await forge_press(harness, leyla, f"consent:tr:{code}:y:maybe")
    assert odd.text == STALE
    _no_errors(caplog)
    # The real buttons still work afterwards.
    welcome = await harness.join(leyla, code)
    assert "Kadın Dostu Kent" in welcome.text


async def test_forged_rsvps_change_nothing(harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await announce(harness, zeynep)
    await notice(harness, ayse)
    # Another group, with its own meeting, that Ayşe is not in.
    other_coordinator, _ = await group_with(harness, name="Eşitlik Planı", city="İzmir")
    await announce(harness, other_coordinator, title="İzmir toplantısı")
    foreign = await harness.services.db.fetchone("SELECT id FROM meetings WHERE title = 'İzmir toplantısı'")
    for data in ("rsvp:abc:yes", "rsvp:999999:yes", "rsvp::", "rsvp", "rsvp:1:perhaps",
                 f"rsvp:{foreign['id']}:yes", "ics:", "ics:x", f"ics:{foreign['id']}",
                 f"mtg:{foreign['id']}:list", "mtg:x:cancel", "att:1:x", f"att:{foreign['id']}:1",
                 "remset:x:y", "remset:1:99"):
        reply = await forge_press(harness, ayse, data)
        assert reply.text == STALE, (data, reply.text)
    assert (await harness.services.db.fetchone("SELECT COUNT(*) FROM rsvps"))[0] == 0
    _no_errors(caplog)


@pytest.mark.parametrize("data", ["lang:", "lang:xx:abc", "consent:", "consent:tr", "setlang", "setlang:zz",
                                  "setlang:tr:x", "invite:abc", "invite:999", "forget", "forget:maybe",
                                  "forget:yes:yes", "linkchat", "linkchat:x", "linkchat:abc:1", "meeting:group:x",
                                  "nothing:at:all", ":::", "mtg", "", "rsvp:1:yes:extra"])
async def test_every_malformed_choice_gets_the_stale_button_answer(
        harness: Harness, caplog: pytest.LogCaptureFixture, data: str) -> None:
    zeynep, _ = await group_with(harness)
    reply = await forge_press(harness, zeynep, data)
    assert reply.text == STALE, (data, reply.text)
    assert (await harness.services.db.fetchone("SELECT COUNT(*) FROM members"))[0] == 1  # nobody forgotten
    _no_errors(caplog)


async def test_link_picker_keeps_the_chat_on_the_server(harness: Harness) -> None:
    zeynep, _ = await group_with(harness)
    await group_with(harness, name="Eşitlik Planı", city="İzmir", coordinator=zeynep)
    chat_id = -1001234567890
    harness.server.add_group_chat(chat_id, "Kars Kadın Meclisi", members=[zeynep.user]).bot_is_member = True
    await harness.server.send_text(zeynep.user, "/baglan", chat_id=chat_id)
    picker = await harness.next(zeynep)
    choices = [button.callback_data for row in picker.buttons for button in row]
    assert len(choices) == 2 and all(str(chat_id) not in (c or "") for c in choices), choices

    # A forged id naming any chat links nothing.
    groups = await harness.services.db.fetchall("SELECT id FROM groups ORDER BY id")
    forged = await forge_press(harness, zeynep, f"linkchat:{groups[0]['id']}:-100555")
    assert forged.text == STALE
    token = choices[0].split(":")[1]
    forged = await forge_press(harness, zeynep, f"linkchat:{token}:999")
    assert forged.text == STALE
    assert all(row[0] is None for row in await harness.services.db.fetchall("SELECT telegram_chat_id FROM groups"))

    linked = await harness.press(zeynep, picker, "Eşitlik Planı (İzmir)")
    assert "Eşitlik Planı" in linked.text
    rows = await harness.services.db.fetchall("SELECT name, telegram_chat_id FROM groups ORDER BY id")
    assert [(r["name"], r["telegram_chat_id"]) for r in rows] == [
        ("Kadın Dostu Kent", None), ("Eşitlik Planı", str(chat_id))]
    # The token is used up: pressing again is a stale button.
    again = await harness.press(zeynep, picker, "Kadın Dostu Kent (Kars)")
    assert again.text == STALE


async def test_someone_elses_link_token_is_stale(harness: Harness) -> None:
    zeynep, _ = await group_with(harness)
    await group_with(harness, name="Eşitlik Planı", city="İzmir", coordinator=zeynep)
    chat_id = -1001234567891
    harness.server.add_group_chat(chat_id, "Kars", members=[zeynep.user]).bot_is_member = True
    await harness.server.send_text(zeynep.user, "/link", chat_id=chat_id)
    picker = await harness.next(zeynep)
    token_choice = picker.buttons[0][0].callback_data
    mehmet, _ = await group_with(harness, name="Üçüncü", city="Gaziantep")
    group_id = token_choice.split(":")[2]
    reply = await forge_press(harness, mehmet, f"linkchat:{token_choice.split(':')[1]}:{group_id}")
    assert reply.text == STALE


async def test_a_handler_that_trips_over_a_malformed_id_answers_stale_with_one_warning(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    zeynep, _ = await group_with(harness)

    async def fragile(ctx, parts):  # type: ignore[no-untyped-def]
        return [ctx.text("help.free_text_hint")] if int(parts[0]) and parts[5] else []

    harness.services.conversation.add_choice("fragile", fragile)
    caplog.set_level(logging.INFO)
    for data in ("fragile:abc:SECRETCODE", "fragile:1:SECRETCODE"):
        reply = await forge_press(harness, zeynep, data)
        assert reply.text == STALE
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "fragile" in r.getMessage()]
    assert len(warnings) == 2  # one line per bad press: ValueError, then IndexError
    assert not any("SECRETCODE" in r.getMessage() for r in caplog.records)
    _no_errors(caplog)
