"""The one place where an unexpected failure becomes a polite reply and a log line."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from messages import t

log = logging.getLogger("koordinat.errors")


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure (no message bodies) and tell the person something went wrong."""
    error = context.error
    update_id = getattr(update, "update_id", None)
    log.error("update %s failed: %s: %s", update_id, type(error).__name__, error,
              exc_info=(type(error), error, error.__traceback__) if error else None)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    user = update.effective_user
    lang = user.language_code if user else None
    try:
        await context.bot.send_message(update.effective_chat.id, t("error.unexpected", lang))
    except TelegramError as send_error:
        log.warning("could not send the error reply: %s", send_error)
