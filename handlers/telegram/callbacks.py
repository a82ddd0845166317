"""Telegram button presses: acknowledge at once, then route the choice id."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from handlers.telegram.commands import services_of
from handlers.telegram.updates import actor_of

log = logging.getLogger(__name__)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Route a pressed inline button (`rsvp:42:yes`, `lang:tr:CODE`, ...)."""
    query = update.callback_query
    actor = actor_of(update)
    if query is None or actor is None:
        return
    try:
        await query.answer()  # stops the spinner on the member's phone right away
    except TelegramError as error:  # an old query cannot be answered; the choice still counts
        log.info("could not answer callback query: %s", error)
    services = services_of(context)
    data = query.data or ""  # no data (a game button, a forged query): the stale-button answer
    await services.inbox.handle(actor, str(update.update_id),
                                lambda: services.conversation.on_choice(actor, data))
