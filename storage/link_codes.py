"""One-time codes that link a person's second app (Telegram ↔ WhatsApp) to her member."""

from __future__ import annotations


from storage.sql import Connection, fetch_one


async def create(conn: Connection, code: str, member_id: int, expires_at: float) -> None:
    await conn.execute("DELETE FROM link_codes WHERE member_id = ?", (member_id,))  # one live code each
    await conn.execute("INSERT INTO link_codes (code, member_id, expires_at) VALUES (?, ?, ?)",
                       (code, member_id, expires_at))


async def use(conn: Connection, code: str, now: float) -> int | None:
    """The member the code belongs to, if it is live; the code is spent either way."""
    row = await fetch_one(conn, "DELETE FROM link_codes WHERE code = ? RETURNING member_id, expires_at",
                            (code,))
    if row is None or row["expires_at"] < now:
        return None
    return int(row["member_id"])
