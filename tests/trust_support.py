"""Steps the trust tests share: pressing a button that was never shown (a forged
callback_data), and reading a person's chat."""

from __future__ import annotations

from itertools import count

from bot.emulator.bot_api import SentMessage
from bot.emulator.bot_api_store import message_json
from tests.harness import Harness, Person

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
