"""Pulling who/what out of a Telegram update."""

from __future__ import annotations

from telegram import Message, Update

from bot.models import Actor, Upload


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


def upload_of(message: Message) -> Upload | None:
    """The non-text part of a message as a platform-neutral `Upload` (None for plain text)."""
    caption = message.caption
    if message.photo:
        largest = message.photo[-1]
        return Upload(kind="photo", file_id=largest.file_id, size=largest.file_size,
                      mime_type="image/jpeg", caption=caption)
    if message.document is not None:
        doc = message.document
        return Upload(kind="document", file_id=doc.file_id, filename=doc.file_name,
                      mime_type=doc.mime_type, size=doc.file_size, caption=caption)
    for kind in ("video", "audio", "voice"):
        media = getattr(message, kind)
        if media is not None:
            return Upload(kind=kind, file_id=media.file_id, mime_type=getattr(media, "mime_type", None),
                          size=media.file_size, caption=caption)
    if message.sticker is not None:
        return Upload(kind="sticker")
    if message.location is not None or message.venue is not None:
        place = message.location if message.location is not None else message.venue.location  # type: ignore[union-attr]
        return Upload(kind="location", latitude=place.latitude if place else None,
                      longitude=place.longitude if place else None)
    if message.contact is not None:
        return Upload(kind="contact")
    if message.video_note is not None:
        return Upload(kind="video", file_id=message.video_note.file_id, size=message.video_note.file_size)
    if message.text is None:  # a poll, a dice, a game, a story...: still answered, never silence
        return Upload(kind="other")
    return None
