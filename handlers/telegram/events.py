"""Telegram updates that are not a person's input: the bot's own membership in a chat
(`my_chat_member`), a group becoming a supergroup (`migrate_to_chat_id`), and edited
messages (which are never new answers)."""

from __future__ import annotations

from telegram import ChatMember, ChatMemberUpdated, Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from bot.models import Actor
from bot.services import Services
from handlers.telegram.commands import services_of
from handlers.telegram.updates import actor_of

_GONE = (ChatMember.LEFT, ChatMember.BANNED)  # "left", "kicked"
_PRESENT = (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER, ChatMember.RESTRICTED)


def _chat_actor(chat_id: int) -> Actor:
    return Actor(channel="telegram", external_id=str(chat_id))


async def on_my_chat_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The bot was added to or removed from a chat, or a person blocked/unblocked it."""
    change: ChatMemberUpdated | None = update.my_chat_member
    if change is None:
        return
    services = services_of(context)
    chat = change.chat
    status = change.new_chat_member.status
    address = str(chat.id)
    events = services.chat_events
    if chat.type == ChatType.PRIVATE:
        if status in _GONE:
            action = lambda: events.member_blocked("telegram", address)  # noqa: E731
        elif status in _PRESENT:
            action = lambda: events.member_reachable("telegram", address)  # noqa: E731
        else:
            return
    elif status in _GONE:
        action = lambda: events.chat_removed("telegram", address)  # noqa: E731
    else:
        return
    await _handle_event(services, chat.id, update.update_id, action)


async def on_migration(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group became a supergroup: the service message in the old chat names the new id
    (`migrate_to_chat_id`), the one in the new chat the old id (`migrate_from_chat_id`)."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    services = services_of(context)
    await _handle_event(services, new, update.update_id,
                        lambda: services.chat_events.chat_migrated("telegram", str(old), str(new)))


async def on_edited(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An edited message in a private chat is not a new answer: nothing changes, she is
    asked to send it again. Edits in group chats are ignored (they were not to the bot)."""
    actor = actor_of(update)
    chat = update.effective_chat
    if actor is None or chat is None or chat.type != ChatType.PRIVATE:
        return
    services = services_of(context)
    await services.inbox.handle(actor, str(update.update_id), lambda: services.conversation.on_edit(actor))


async def _handle_event(services: Services, chat_id: int, update_id: int, action) -> None:  # type: ignore[no-untyped-def]
    async def run() -> list:  # type: ignore[type-arg]
        await action()
        return []

    await services.inbox.handle(_chat_actor(chat_id), str(update_id), run)
