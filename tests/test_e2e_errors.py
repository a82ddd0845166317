"""No handler may crash the bot: an unexpected failure becomes a polite, localized reply."""

from __future__ import annotations

from bot.services.conversation import CommandSpec, Ctx
from tests.harness import Harness


async def test_an_unexpected_failure_gets_a_polite_reply_and_the_bot_keeps_running(harness: Harness) -> None:
    async def broken(ctx: Ctx, args: list[str]) -> list:  # a bug somewhere in a feature
        raise ZeroDivisionError("bug")

    harness.services.conversation.add_command(CommandSpec("broken", broken, needs_member=False))
    nur = harness.person("Nur")
    sorry = await harness.send(nur, "/broken")
    assert "beklenmeyen bir hata" in sorry.text
    emma = harness.person("Emma", language_code="en")
    sorry_en = await harness.send(emma, "/broken")
    assert "unexpected" in sorry_en.text
    still_alive = await harness.send(nur, "/start")
    assert "Koordinat" in still_alive.text


async def test_a_pressed_button_from_nowhere_is_answered_not_crashed(harness: Harness) -> None:
    group = await harness.create_group()
    ayse = harness.person("Ayşe")
    picker = await harness.send(ayse, f"/start {group.member_invite.code}")
    # The invite was used up / deleted meanwhile: the old button must still get a clear answer.
    async with harness.services.db.transaction() as tx:
        await tx.execute("DELETE FROM invites")
    answer = await harness.press(ayse, picker, "Türkçe")
    assert "geçerli bir davet kodu değil" in answer.text
