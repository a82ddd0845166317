"""What `/forget` must scrub beyond the person's own rows (KVKK art. 7: erasure).

- `pending_erasures`: the addresses whose last message (the "deleted" confirmation) has not
  been sent yet; a trigger (migration 008) blanks that outbox row once it is final.
- Messages already sent to others that name the person (an attendee list, a summary) keep
  no copy of the text: their payloads are blanked (the delivery status stays for counts).
"""

from __future__ import annotations

import json


from storage.sql import Connection, fetch_one


async def schedule(conn: Connection, channel: str, address: str) -> None:
    """Blank the outbox rows to this address once they are sent (see the migration's trigger)."""
    await conn.execute("INSERT INTO pending_erasures (channel, address) VALUES (?, ?) ON CONFLICT DO NOTHING",
                       (channel, address))


async def pending(conn: Connection) -> int:
    row = await fetch_one(conn, "SELECT COUNT(*) FROM pending_erasures")
    return int(row[0]) if row else 0


async def blank_sent_mentions(conn: Connection, text: str) -> int:
    """Blank the payload of every finished outbox row whose JSON contains `text` (a name as
    the payload spells it); pending rows are left to be sent. Returns how many were blanked."""
    if not text:
        return 0
    spelled = json.dumps(text, ensure_ascii=False)[1:-1]
    cursor = await conn.execute(
        "UPDATE outbox SET payload = '{}' WHERE status NOT IN ('pending', 'sending') "
        "AND payload <> '{}' AND replace(payload, ?, '') <> payload", (spelled,))
    return cursor.rowcount
