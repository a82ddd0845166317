"""Replies → Telegram Bot API calls: HTML text, inline keyboards, split long texts."""

from __future__ import annotations

import html
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.models import Reply

MAX_TEXT = 4096
MAX_CAPTION = 1024
_TAG = re.compile(r"<[^>]+>")


def visible_length(text: str) -> int:
    """What Telegram counts: the text after HTML parsing."""
    return len(html.unescape(_TAG.sub("", text)))


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    if not reply.buttons:
        return None
    rows = [[InlineKeyboardButton(button.label, url=button.url) if button.url
             else InlineKeyboardButton(button.label, callback_data=button.choice)
             for button in row] for row in reply.buttons]
    return InlineKeyboardMarkup(rows)


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split at line breaks so every part stays under Telegram's limit and tags stay whole."""
    if visible_length(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if visible_length(candidate) > limit and current:
            parts.append(current)
            current = line
        else:
            current = candidate
        while visible_length(current) > limit:  # one enormous line: cut it (plain text)
            plain = html.unescape(_TAG.sub("", current))
            parts.append(html.escape(plain[:limit], quote=False))
            current = html.escape(plain[limit:], quote=False)
    if current:
        parts.append(current)
    return parts
