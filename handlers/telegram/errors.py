"""The one place where an unexpected failure becomes a polite reply and a log line."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from handlers.telegram.inbound import FAILED_KEY
from messages import t
from storage.db import is_disk_full, is_fatal_storage_error

log = logging.getLogger("koordinat.errors")


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure (no message bodies) and tell the person what happened to her input.

    A full disk means her input was NOT saved, so the reply says so instead of the usual
    "nothing you typed was lost"; the database logs the full disk once (storage.db)."""
    error = context.error
    update_id = getattr(update, "update_id", None)
    disk_full = error is not None and is_disk_full(error)
    if disk_full:
        log.info("update %s was not saved (no space)", update_id)  # the database said why, once
    elif error is not None and is_fatal_storage_error(error):
        log.warning("update %s not saved: %s", update_id, error)
    else:
        log.error("update %s failed: %s: %s", update_id, type(error).__name__, error,
                  exc_info=(type(error), error, error.__traceback__) if error else None)
        if error is not None and update_id is not None:  # the inbox quarantines it (inbound.processor)
            context.application.bot_data.setdefault(FAILED_KEY, {})[str(update_id)] = error
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    user = update.effective_user
    lang = user.language_code if user else None
    text = t("trust.not_saved", lang) if disk_full else t("error.unexpected", lang)
    try:
        await context.bot.send_message(update.effective_chat.id, text, parse_mode="HTML")
    except TelegramError as send_error:
        log.warning("could not send the error reply: %s", send_error)
