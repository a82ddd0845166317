"""The Telegram adapter: `register(app, services)` adds every handler in one place."""

from __future__ import annotations

from telegram.ext import (Application, CallbackQueryHandler, ChatMemberHandler, CommandHandler, MessageHandler,
                          filters)

from bot.services import Services
from handlers.telegram.callbacks import on_button
from handlers.telegram.channel import TelegramChannel
from handlers.telegram.commands import on_command, on_group_command, on_link_group_chat, on_text, on_upload
from handlers.telegram.errors import on_error
from handlers.telegram.events import on_edited, on_migration, on_my_chat_member
from handlers.telegram.menu import publish_menu

__all__ = ["TelegramChannel", "publish_menu", "register"]


def register(app: Application, services: Services) -> None:  # type: ignore[type-arg]
    """Add all handlers; order matters: known commands, then unknown ones, then free text."""
    app.bot_data["services"] = services
    private = filters.ChatType.PRIVATE
    # First: an edited message is never a command or an answer (PTB's MessageHandler and
    # CommandHandler also match `edited_message` by default).
    app.add_handler(MessageHandler(filters.UpdateType.EDITED, on_edited))
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migration))
    app.add_handler(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(CommandHandler(services.conversation.command_names(), on_command, filters=private))
    app.add_handler(MessageHandler(private & filters.COMMAND, on_command))  # unknown commands
    app.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, on_text))
    # Anything else a person sends in private (photo, document, sticker, location...).
    app.add_handler(MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, on_upload))
    app.add_handler(CommandHandler(["link", "baglan"], on_link_group_chat, filters=filters.ChatType.GROUPS))
    # Every other command in a group (also `/yardim@botname`): answered there, never silence.
    app.add_handler(MessageHandler(filters.ChatType.GROUPS & filters.COMMAND, on_group_command))
    app.add_handler(CallbackQueryHandler(on_button))
    app.add_error_handler(on_error)
