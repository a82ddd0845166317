"""Pending chat links: `/link` typed in a group chat by a coordinator of several groups.

The chat to link is kept here, keyed by a random token; the group-picker buttons carry only
the token (a choice id is input from the person, never proof of which chat to link).
"""

from __future__ import annotations

from dataclasses import dataclass


from storage.sql import Connection, fetch_one


@dataclass(frozen=True)
class PendingLink:
    token: str
    member_id: int
    channel: str
    chat_address: str
    expires_at: float  # epoch seconds (UTC)


async def create(conn: Connection, *, token: str, member_id: int, channel: str, chat_address: str,
                 expires_at: float, now: float) -> PendingLink:
    """Store a pending link (and drop expired ones, so the table stays small)."""
    await conn.execute("DELETE FROM pending_chat_links WHERE expires_at <= ?", (now,))
    await conn.execute(
        "INSERT INTO pending_chat_links (token, member_id, channel, chat_address, expires_at) "
        "VALUES (?, ?, ?, ?, ?)", (token, member_id, channel, chat_address, expires_at))
    return PendingLink(token, member_id, channel, chat_address, expires_at)


async def take(conn: Connection, token: str, member_id: int, now: float) -> PendingLink | None:
    """The unexpired link `token` names if `member_id` started it; it is used up either way."""
    row = await fetch_one(
        conn, "SELECT token, member_id, channel, chat_address, expires_at FROM pending_chat_links "
        "WHERE token = ?", (token,))
    if row is None or row["member_id"] != member_id:
        return None
    await conn.execute("DELETE FROM pending_chat_links WHERE token = ?", (token,))
    if row["expires_at"] <= now:
        return None
    return PendingLink(row["token"], row["member_id"], row["channel"], row["chat_address"], row["expires_at"])
