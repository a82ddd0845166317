"""Pulling who/what out of a Telegram update."""

from __future__ import annotations

from telegram import Update

from bot.models import Actor


def actor_of(update: Update) -> Actor | None:
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or user.is_bot:
        return None
    source = update.callback_query.message if update.callback_query else None
    return Actor(channel="telegram", external_id=str(chat.id), display_name=user.full_name,
                 language_hint=user.language_code,
                 source_message_id=str(source.message_id) if source is not None else None)


def command_of(text: str) -> tuple[str, list[str]]:
    """`/Start@koordinat_bot abc` → ("start", ["abc"])."""
    head, *args = text.split()
    return head.lstrip("/").split("@")[0].lower(), args
