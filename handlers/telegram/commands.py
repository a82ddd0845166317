"""Telegram handlers for commands and free text: extract, call the conversation, done.

Replies are not sent here: the Inbox writes them to the outbox in the same transaction as
the update's effects, and the dispatcher's reply lane sends them at once.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.models import Actor, Reply, topic_address
from bot.services import Services
from handlers.telegram.updates import actor_of, command_of, upload_of
from messages import t


def services_of(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.application.bot_data["services"]  # type: ignore[no-any-return]


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Run any slash command (known or not) through the conversation router."""
    actor = actor_of(update)
    message = update.effective_message
    if actor is None or message is None or not message.text:
        return
    name, args = command_of(message.text)
    services = services_of(context)
    await services.inbox.handle(actor, str(update.update_id),
                                lambda: services.conversation.on_command(actor, name, args))


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Hand free text to the open dialog, or answer with a hint."""
    actor = actor_of(update)
    message = update.effective_message
    if actor is None or message is None or message.text is None:
        return
    services = services_of(context)
    text = message.text
    await services.inbox.handle(actor, str(update.update_id),
                                lambda: services.conversation.on_text(actor, text))


async def on_upload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A photo, document, sticker, location... in the private chat: to the open dialog."""
    actor = actor_of(update)
    message = update.effective_message
    if actor is None or message is None:
        return
    upload = upload_of(message)
    if upload is None:
        return
    services = services_of(context)
    await services.inbox.handle(actor, str(update.update_id),
                                lambda: services.conversation.on_upload(actor, upload))


async def on_link_group_chat(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/link` typed in a Telegram group chat by a coordinator: post notices there too.

    The person acts from her private chat identity, so the answer reaches her privately."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None or user.is_bot:
        return
    actor = Actor(channel="telegram", external_id=str(user.id), display_name=user.full_name,
                  language_hint=user.language_code)
    services = services_of(context)
    message = update.effective_message
    # Typed inside a forum topic: notices go to that topic, not to General.
    thread = message.message_thread_id if message is not None and message.is_topic_message else None
    chat_address = topic_address(str(chat.id), thread)
    await services.inbox.handle(actor, str(update.update_id), lambda: services.conversation.on_action(
        actor, lambda ctx: services.members.link_chat(ctx, "telegram", chat_address)))


def addressed_to_us(text: str, username: str | None) -> bool:
    """`/yardim`, `/yardim@ourbot` (any case): ours; `/yardim@otherbot`: another bot's."""
    head = text.split()[0] if text.split() else ""
    _, _, addressed = head.partition("@")
    return not addressed or addressed.lower() == (username or "").lower()


async def on_group_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any other command in a group chat (`/yardim@botname`, `/start`…): a short answer in the
    chat — in the topic it was typed in — saying what the bot does there and linking the
    private chat; never silence. A command addressed to another bot is not ours."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or not message.text or chat is None or user is None or user.is_bot:
        return
    if not addressed_to_us(message.text, context.bot.username):
        return
    thread = message.message_thread_id if message.is_topic_message else None
    actor = Actor(channel="telegram", external_id=topic_address(str(chat.id), thread),
                  language_hint=user.language_code)
    services = services_of(context)
    text = t("group_chat.help", user.language_code or services.settings.default_language,
             link=f"https://t.me/{context.bot.username}")

    async def answer() -> list[Reply]:
        return [Reply(text=text)]

    await services.inbox.handle(actor, str(update.update_id), answer)
