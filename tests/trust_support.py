"""Steps the trust tests share: pressing a button that was never shown (a forged
callback_data), and reading a person's chat."""

from __future__ import annotations

from itertools import count

from bot.emulator.telegram.server import SentMessage
from bot.emulator.telegram.store import message_json
from tests.harness import Harness, Person
from bot.emulator.waits import DEFAULT_WAIT

_forged_ids = count(7_700_000_000_000_000_001)


async def forge_press(harness: Harness, person: Person, data: str) -> SentMessage:
    """`person` sends a callback query with `data` on the last bot message in her chat, as a
    modified client can; returns the bot's next message to her."""
    api = harness.server._api  # noqa: SLF001 - the fake's store; press_button refuses unknown buttons
    chat = api.chats.chats[person.chat_id]
    shown = chat.sent[-1]
    api.updates.push({"callback_query": {
        "id": str(next(_forged_ids)), "from": person.user.to_api(),
        "message": message_json(shown, chat, api.bot_ref), "chat_instance": "1", "data": data}})
    return await harness.next(person)


async def eventually(check, timeout: float = DEFAULT_WAIT):  # type: ignore[no-untyped-def]
    """Wait until the async `check()` returns a truthy value (an update with no reply has
    been handled) and return it; fails the test after `timeout` seconds."""
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = await check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s: {check.__doc__ or check}")
        await asyncio.sleep(0.02)


async def link_group_chat(harness: Harness, coordinator: Person, chat_id: int, title: str = "Kars grubu") -> None:
    """The coordinator (of one group) adds the bot to a Telegram group and types /baglan there."""
    harness.server.add_group_chat(chat_id, title, members=[coordinator.user]).bot_is_member = True
    await harness.server.send_text(coordinator.user, "/baglan", chat_id=chat_id)
    linked = await harness.next(coordinator)
    assert "bağlandı" in linked.text or "bağlan" in linked.text.lower(), linked.text
