"""Repeated wrong invite codes are limited (issue 8, item 11)."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from tests.harness import Harness


async def test_a_chat_guessing_codes_is_refused_for_a_while_and_logged_once(
        harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    group = await harness.create_group()
    code = group.member_invite.code
    guesser = harness.person("Deneme")
    guesses = [f"Zz{n}xQ7pLm" for n in range(5)]
    caplog.set_level(logging.INFO)
    for guess in guesses[:4]:
        reply = await harness.send(guesser, f"/katil {guess}")
        assert "geçerli bir davet kodu değil" in reply.text, reply.text
    refused = await harness.send(guesser, f"/start {guesses[4]}")
    assert "🔒" in refused.text and "10 dakika" in refused.text
    # During the lockout even the right code is refused, in the same words.
    again = await harness.send(guesser, f"/start {code}")
    assert "🔒" in again.text
    lines = [r.getMessage() for r in caplog.records if "invite codes" in r.getMessage()]
    assert len(lines) == 1, lines
    assert not any(guess in record.getMessage() for record in caplog.records for guess in [*guesses, code])
    assert str(guesser.chat_id) not in lines[0]

    # Someone else is not affected.
    ayse = harness.person("Ayşe")
    assert "Lütfen dilinizi seçin" in (await harness.send(ayse, f"/start {code}")).text

    await harness.advance(timedelta(minutes=10, seconds=1))
    picker = await harness.send(guesser, f"/start {code}")
    assert "Lütfen dilinizi seçin" in picker.text


async def test_a_few_typos_spread_over_time_are_not_punished(harness: Harness) -> None:
    group = await harness.create_group()
    ayse = harness.person("Ayşe")
    for n in range(8):
        reply = await harness.send(ayse, f"/katil yanlis{n}")
        assert "🔒" not in reply.text
        await harness.advance(timedelta(seconds=20))
    assert "Lütfen dilinizi seçin" in (await harness.send(ayse, f"/katil {group.member_invite.code}")).text


async def test_the_lockout_speaks_english(harness: Harness) -> None:
    await harness.create_group()
    emma = harness.person("Emma", "en")
    for n in range(5):
        reply = await harness.send(emma, f"/join nope{n}")
    assert "Too many invalid invite codes" in reply.text and "10 minutes" in reply.text
