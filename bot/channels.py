"""The Channel protocol (Telegram, WhatsApp adapters implement it) and the Notifier.

Services never send: they hand `Reply` objects to the Notifier, which writes outbox rows
addressed to the member's channel; the outbox dispatcher delivers them through a Channel.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from storage.sql import Connection

from bot.models import Actor, Member, Reply
from storage import members as members_repo
from storage import outbox as outbox_repo


class DeliveryError(Exception):
    """A message could not be delivered now."""


class RetryLater(DeliveryError):
    """The platform asked us to slow down (Telegram 429 with retry_after)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds


class Unreachable(DeliveryError):
    """The person blocked the bot or the chat no longer exists: do not retry."""


class TransientFailure(DeliveryError):
    """A network error or a server error: try again later with back-off."""


class UnknownOutcome(TransientFailure):
    """The request went out but no usable answer came back (a read timeout, a dropped
    connection, a success response that cannot be parsed): the message may have arrived.
    Retried at most once, then recorded as failed, so a person never gets a prompt many times."""


class PermanentFailure(DeliveryError):
    """The platform rejected this message itself (bad request): retrying cannot help."""


class Channel(Protocol):
    """A chat platform as the core sees it."""

    name: str

    async def deliver(self, address: str, reply: Reply) -> str | None:
        """Send (or edit) one message; return the platform's message id."""
        ...

    def is_group_chat(self, address: str) -> bool:
        """Group chats have their own, stricter rate limit."""
        ...

    # Optional: a channel that splits a long reply into several messages also offers
    # `parts(reply) -> int` and `deliver(address, reply, part=i)` sending only part i, so the
    # dispatcher paces each part like any send and never repeats a delivered one.

    async def download(self, file_id: str) -> bytes:
        """The bytes of a file a person sent (`Upload.file_id`); raises `DeliveryError`."""
        ...


class Notifier:
    """Addresses replies to people and writes them to the outbox (inside the caller's transaction)."""

    def __init__(self, clock_now: Callable[[], float]) -> None:
        self._now = clock_now

    async def reply_to(self, conn: Connection, actor: Actor, reply: Reply, key: str) -> bool:
        """A reply to what `actor` just did: the fast lane."""
        return await outbox_repo.enqueue(
            conn, key=key, channel=actor.channel, address=actor.external_id,
            payload=reply.model_dump_json(), now=self._now(), lane=outbox_repo.REPLY_LANE,
        )

    async def to_member(self, conn: Connection, member: Member, reply: Reply, key: str, *,
                        broadcast_id: int | None = None, lane: int = outbox_repo.BULK_LANE,
                        not_before: float = 0.0) -> bool:
        """A notice to a member on their preferred channel; False if already queued or no channel."""
        identities = await members_repo.identities(conn, member.id)
        if not identities:
            return False
        channel, address = identities[0]
        return await outbox_repo.enqueue(
            conn, key=key, channel=channel, address=address, payload=reply.model_dump_json(),
            now=self._now(), lane=lane, member_id=member.id, broadcast_id=broadcast_id,
            not_before=not_before,
        )

    async def to_chat(self, conn: Connection, channel: str, address: str, reply: Reply, key: str, *,
                      broadcast_id: int | None = None) -> bool:
        """A notice to a group chat (e.g. the group's linked Telegram group)."""
        return await outbox_repo.enqueue(
            conn, key=key, channel=channel, address=address, payload=reply.model_dump_json(),
            now=self._now(), lane=outbox_repo.BULK_LANE, broadcast_id=broadcast_id,
        )
