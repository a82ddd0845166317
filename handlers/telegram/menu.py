"""The command menu Telegram shows, in every language (setMyCommands with language_code)."""

from __future__ import annotations

from telegram import Bot, BotCommand

from bot.services.conversation import Conversation
from messages import LANGUAGES, t


def menu(conversation: Conversation, lang: str) -> list[BotCommand]:
    return [BotCommand(spec.name, t(f"command.{spec.name}", lang))
            for spec in conversation.commands() if spec.in_menu]


async def publish_menu(bot: Bot, conversation: Conversation, default_language: str) -> None:
    await bot.set_my_commands(menu(conversation, default_language))
    for lang in LANGUAGES:
        await bot.set_my_commands(menu(conversation, lang), language_code=lang)
