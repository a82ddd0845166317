"""WhatsApp people (business-scoped user id, optional phone), their 24-hour window and the
messages held while it was closed."""

from __future__ import annotations

from dataclasses import dataclass


from storage.sql import Connection, Row, fetch_all, fetch_one


@dataclass(frozen=True)
class Contact:
    user_id: str
    wa_id: str | None
    last_inbound_at: float | None
    last_template_at: float | None
    templates_since_inbound: int = 0  # "a message is waiting" templates since she last wrote


@dataclass(frozen=True)
class HeldMessage:
    id: int
    user_id: str
    key: str
    payload: str
    member_id: int | None
    held_at: float


async def saw(conn: Connection, user_id: str, wa_id: str | None, now: float) -> None:
    """She wrote to us now: the window opens; remember her phone (E.164) when WhatsApp sent it."""
    await conn.execute(
        "INSERT INTO whatsapp_contacts (user_id, wa_id, last_inbound_at, created_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (user_id) DO UPDATE SET last_inbound_at = CASE WHEN "
        "COALESCE(whatsapp_contacts.last_inbound_at, 0) > excluded.last_inbound_at "
        "THEN whatsapp_contacts.last_inbound_at ELSE excluded.last_inbound_at END, "
        "wa_id = COALESCE(excluded.wa_id, whatsapp_contacts.wa_id), templates_since_inbound = 0",
        (user_id, wa_id, now, now),
    )


def _contact(row: Row) -> Contact:
    return Contact(row["user_id"], row["wa_id"], row["last_inbound_at"], row["last_template_at"],
                   row["templates_since_inbound"])


async def get(conn: Connection, user_id: str) -> Contact | None:
    row = await fetch_one(conn, "SELECT * FROM whatsapp_contacts WHERE user_id = ?", (user_id,))
    if row is None:
        return None
    return _contact(row)


async def by_phone(conn: Connection, wa_id: str) -> Contact | None:
    row = await fetch_one(conn, "SELECT * FROM whatsapp_contacts WHERE wa_id = ?", (wa_id,))
    if row is None:
        return None
    return _contact(row)


async def templated(conn: Connection, user_id: str, now: float) -> None:
    """A "message waiting" template went to her now (counted until she writes again)."""
    await conn.execute("UPDATE whatsapp_contacts SET last_template_at = ?, "
                       "templates_since_inbound = templates_since_inbound + 1 WHERE user_id = ?", (now, user_id))


async def rekey(conn: Connection, old_user_id: str, new_user_id: str, wa_id: str | None) -> bool:
    """"User changed user id / number": the person keeps her member, dialogs and window under
    the new id. True if there was anything to move."""
    moved = False
    if old_user_id != new_user_id:
        for table in ("identities", "dialogs"):  # replace a clashing row (SQL both engines take)
            await conn.execute(
                f"DELETE FROM {table} WHERE channel = 'whatsapp' AND external_id = ? AND EXISTS "  # noqa: S608
                f"(SELECT 1 FROM {table} WHERE channel = 'whatsapp' AND external_id = ?)", (new_user_id, old_user_id))
            cursor = await conn.execute(
                f"UPDATE {table} SET external_id = ? WHERE channel = 'whatsapp' AND external_id = ?",  # noqa: S608
                (new_user_id, old_user_id))
            moved = moved or cursor.rowcount > 0
        await conn.execute("UPDATE outbox SET address = ? WHERE channel = 'whatsapp' AND address = ? "
                           "AND status IN ('pending', 'sending')", (new_user_id, old_user_id))
        await conn.execute("UPDATE whatsapp_held SET user_id = ? WHERE user_id = ?", (new_user_id, old_user_id))
        await conn.execute("DELETE FROM whatsapp_contacts WHERE user_id = ? AND EXISTS "
                           "(SELECT 1 FROM whatsapp_contacts WHERE user_id = ?)", (new_user_id, old_user_id))
        cursor = await conn.execute(
            "UPDATE whatsapp_contacts SET user_id = ? WHERE user_id = ?", (new_user_id, old_user_id))
        moved = moved or cursor.rowcount > 0
    if wa_id:
        await conn.execute("UPDATE whatsapp_contacts SET wa_id = ? WHERE user_id = ?", (wa_id, new_user_id))
    return moved


async def hold(conn: Connection, *, user_id: str, key: str, payload: str, member_id: int | None,
               now: float) -> None:
    await conn.execute(
        "INSERT INTO whatsapp_held (user_id, key, payload, member_id, held_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (key) DO NOTHING", (user_id, key, payload, member_id, now))


async def take_held(conn: Connection, user_id: str) -> list[HeldMessage]:
    """Every message held for her, oldest first, removed from the table."""
    rows = await fetch_all(
        conn, "DELETE FROM whatsapp_held WHERE user_id = ? RETURNING id, user_id, key, payload, member_id, held_at",
        (user_id,),
    )
    held = [HeldMessage(r["id"], r["user_id"], r["key"], r["payload"], r["member_id"], r["held_at"]) for r in rows]
    return sorted(held, key=lambda message: message.id)


async def remember_choices(conn: Connection, user_id: str, choices: str | None) -> None:
    """The choices (JSON) of the last message she got, or None after a message without any."""
    await conn.execute(
        "INSERT INTO whatsapp_contacts (user_id, choices, created_at) VALUES (?, ?, 0) "
        "ON CONFLICT (user_id) DO UPDATE SET choices = excluded.choices", (user_id, choices))


async def remembered_choices(conn: Connection, user_id: str) -> str | None:
    row = await fetch_one(conn, "SELECT choices FROM whatsapp_contacts WHERE user_id = ?", (user_id,))
    return row["choices"] if row else None


async def forget_strangers(conn: Connection, closed_before: float) -> int:
    """Window rows of people who are not members (never joined, or used /forget) once
    their window has closed: nothing about them is kept."""
    cursor = await conn.execute(
        "DELETE FROM whatsapp_contacts WHERE COALESCE(last_inbound_at, 0) < ? AND NOT EXISTS ("
        "SELECT 1 FROM identities i WHERE i.channel = 'whatsapp' AND i.external_id = whatsapp_contacts.user_id)",
        (closed_before,))
    return cursor.rowcount


# -- what was sent, for status webhooks (migration 026) ------------------------------------

@dataclass(frozen=True)
class SentMessage:
    message_id: str
    user_id: str
    reply_digest: str
    template: bool
    sent_at: float


async def record_sent(conn: Connection, *, message_id: str, user_id: str, reply_digest: str,
                      template: bool, now: float) -> None:
    """A message id the Cloud API answered for a send to `user_id` (a failure may follow by
    status webhook)."""
    await conn.execute(
        "INSERT INTO whatsapp_sent (message_id, user_id, reply_digest, template, sent_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (message_id) DO NOTHING", (message_id, user_id, reply_digest, int(template), now))


async def sent_message(conn: Connection, message_id: str) -> SentMessage | None:
    row = await fetch_one(conn, "SELECT message_id, user_id, reply_digest, template, sent_at FROM whatsapp_sent "
                                "WHERE message_id = ?", (message_id,))
    if row is None:
        return None
    return SentMessage(row["message_id"], row["user_id"], row["reply_digest"], bool(row["template"]), row["sent_at"])


async def last_sent_to(conn: Connection, user_id: str) -> SentMessage | None:
    """The newest message sent to her (a status that names only her, not a known id)."""
    row = await fetch_one(conn, "SELECT message_id, user_id, reply_digest, template, sent_at FROM whatsapp_sent "
                                "WHERE user_id = ? ORDER BY sent_at DESC LIMIT 1", (user_id,))
    if row is None:
        return None
    return SentMessage(row["message_id"], row["user_id"], row["reply_digest"], bool(row["template"]), row["sent_at"])


async def recent_outbox(conn: Connection, user_id: str, limit: int = 100) -> list[Row]:
    """Her newest WhatsApp outbox rows (id, lane, payload, status, member_id, broadcast_id,
    external_message_id)."""
    return await fetch_all(
        conn, "SELECT id, lane, payload, status, member_id, broadcast_id, external_message_id FROM outbox "
              "WHERE channel = 'whatsapp' "
              "AND address = ? ORDER BY id DESC LIMIT ?", (user_id, limit))


async def prune_sent(conn: Connection, before: float) -> int:
    """Forget sent message ids older than `before` (their statuses are long in) and expired
    calendar links."""
    cursor = await conn.execute("DELETE FROM whatsapp_sent WHERE sent_at < ?", (before,))
    await conn.execute("DELETE FROM calendar_links WHERE expires_at < ?", (before,))
    return cursor.rowcount


async def add_calendar_link(conn: Connection, *, token: str, filename: str, content: str,
                            expires_at: float) -> None:
    await conn.execute("INSERT INTO calendar_links (token, filename, content, expires_at) VALUES (?, ?, ?, ?)",
                       (token, filename, content, expires_at))


async def calendar_link(conn: Connection, token: str, now: float) -> tuple[str, str] | None:
    """(filename, .ics text) behind a link that has not expired, else None."""
    row = await fetch_one(conn, "SELECT filename, content FROM calendar_links WHERE token = ? AND expires_at > ?",
                          (token, now))
    return (row["filename"], row["content"]) if row else None


async def window_closed(conn: Connection, user_id: str, as_of: float) -> None:
    """Meta says her window was closed for a message sent at `as_of` (131047 by status): it
    counts as closed until she writes again (a message of hers after `as_of` keeps it open)."""
    await conn.execute("UPDATE whatsapp_contacts SET last_inbound_at = NULL WHERE user_id = ? "
                       "AND COALESCE(last_inbound_at, 0) <= ?", (user_id, as_of))


async def address_of_member_named(conn: Connection, display_name: str) -> str | None:
    """The business-scoped id of the member called `display_name` on WhatsApp (the demo's
    kept database: its people are found again by name)."""
    row = await fetch_one(conn, "SELECT i.external_id FROM identities i JOIN members m ON m.id = i.member_id "
                                "WHERE i.channel = 'whatsapp' AND m.display_name = ? ORDER BY m.id LIMIT 1",
                          (display_name,))
    return str(row["external_id"]) if row else None


async def forget_sent(conn: Connection, member_id: int) -> None:
    """/forget: the message ids recorded for her WhatsApp identities go with her."""
    await conn.execute("DELETE FROM whatsapp_sent WHERE user_id IN (SELECT external_id FROM identities "
                       "WHERE member_id = ? AND channel = 'whatsapp')", (member_id,))
