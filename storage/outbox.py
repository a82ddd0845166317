"""Outbox rows: every outgoing message is written here before anything is sent.

Claiming uses a single `UPDATE … RETURNING` so a future PostgreSQL backend can claim with
`FOR UPDATE SKIP LOCKED` and several workers without touching the services.
"""

from __future__ import annotations

import json

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


from storage.sql import Connection, fetch_all, fetch_one

REPLY_LANE = 0
BULK_LANE = 1
# Statuses a row can end in; 'pending' and 'sending' are still on their way.
FINAL_STATUSES = ("sent", "failed", "unreachable", "dropped")


@dataclass(frozen=True)
class OutboxRow:
    id: int
    key: str
    lane: int
    channel: str
    address: str
    member_id: int | None
    broadcast_id: int | None
    payload: str
    attempts: int
    not_before: float = 0.0
    parts_sent: int = 0  # messages of a split reply already delivered
    created_at: float = 0.0


_RETURNED = ("id, key, lane, channel, address, member_id, broadcast_id, payload, attempts, not_before, "
             "parts_sent, created_at")


async def enqueue(conn: Connection, *, key: str, channel: str, address: str, payload: str,
                  now: float, lane: int = BULK_LANE, member_id: int | None = None,
                  broadcast_id: int | None = None, not_before: float = 0.0) -> bool:
    """Add a message unless one with the same idempotency key exists; True if added.

    A row is ready from the moment it is written (`not_before` is at least `now`), so the
    claim order (not_before, id) is the order in which rows became ready: a retried row
    does not wait behind a broadcast queued after it.
    """
    not_before = max(not_before, now)
    cursor = await conn.execute(
        "INSERT INTO outbox (key, lane, channel, address, member_id, broadcast_id, payload, "
        "not_before, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
        (key, lane, channel, address, member_id, broadcast_id, payload, not_before, now),
    )
    return cursor.rowcount > 0


@dataclass(frozen=True)
class NewMessage:
    """One row for `enqueue_many`."""

    key: str
    channel: str
    address: str
    payload: str
    member_id: int | None = None


async def enqueue_many(conn: Connection, messages: Sequence[NewMessage], *, now: float,
                       lane: int = BULK_LANE, broadcast_id: int | None = None) -> int:
    """Add many messages in one statement (keys already queued are skipped); rows added."""
    before = conn.total_changes
    await conn.executemany(
        "INSERT INTO outbox (key, lane, channel, address, member_id, broadcast_id, payload, "
        "not_before, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING",
        [(m.key, lane, m.channel, m.address, m.member_id, broadcast_id, m.payload, now, now)
         for m in messages],
    )
    return conn.total_changes - before


# A member's address for notices: the identity on her preferred channel (/tercih; Telegram
# unless she chose), else any other one. Members marked
# unreachable (they blocked the bot) get a row too, closed at once as 'unreachable', so that
# coordinators see them in the delivery counts instead of silently missing them.
_AUDIENCE_INSERT = """
INSERT INTO outbox (key, lane, channel, address, member_id, broadcast_id, payload, status,
                    not_before, created_at, error)
SELECT ? || m.id, ?, i.channel, i.external_id, m.id, ?, {payload},
       CASE WHEN m.unreachable_at IS NULL THEN 'pending' ELSE 'unreachable' END, ?, ?,
       CASE WHEN m.unreachable_at IS NULL THEN NULL ELSE 'member unreachable' END
FROM members m JOIN identities i ON i.member_id = m.id {join}
WHERE {where}
  AND NOT (? = 1 AND i.channel = 'whatsapp')
  AND (i.channel = CASE WHEN ? = 1 THEN 'telegram' ELSE COALESCE(m.preferred_channel, 'telegram') END
       OR NOT EXISTS (
       SELECT 1 FROM identities t WHERE t.member_id = m.id
       AND t.channel = CASE WHEN ? = 1 THEN 'telegram' ELSE COALESCE(m.preferred_channel, 'telegram') END))
ORDER BY m.id
ON CONFLICT (key) DO NOTHING
"""


WHATSAPP_OFF = "whatsapp_off"  # groups.settings: this group's notices never go over WhatsApp


async def _whatsapp_off(conn: Connection, *, group_id: int | None = None, broadcast_id: int | None = None) -> int:
    """1 when the group (given, or the broadcast's) turned WhatsApp sending off: its fan-outs
    then use a member's Telegram identity, or skip a WhatsApp-only member (every WhatsApp
    message is billed; `koordinat group whatsapp GROUP off`)."""
    if group_id is None and broadcast_id is not None:
        row = await fetch_one(conn, "SELECT group_id FROM broadcasts WHERE id = ?", (broadcast_id,))
        group_id = row[0] if row else None
    if group_id is None:
        return 0
    row = await fetch_one(conn, "SELECT settings FROM groups WHERE id = ?", (group_id,))
    settings = json.loads(row[0] or "{}") if row else {}
    return 1 if settings.get(WHATSAPP_OFF) else 0


def _payload_by_language(payloads: Mapping[str, str], default: str) -> tuple[str, list[str]]:
    cases = " ".join("WHEN ? THEN ?" for _ in payloads)
    params = [value for pair in payloads.items() for value in pair]
    return (f"CASE m.language {cases} ELSE ? END" if payloads else "?"), [*params, default]


async def enqueue_for_group(conn: Connection, *, key_prefix: str, group_id: int, roles: Sequence[str],
                            payloads: Mapping[str, str], default_payload: str, now: float,
                            broadcast_id: int | None = None, lane: int = BULK_LANE) -> int:
    """One row per member of the group with one of `roles`, keyed `key_prefix + member id`,
    the payload in the member's language: the whole fan-out is one INSERT … SELECT."""
    payload_sql, payload_params = _payload_by_language(payloads, default_payload)
    role_marks = ", ".join("?" for _ in roles)
    sql = _AUDIENCE_INSERT.format(
        payload=payload_sql, join="JOIN memberships ms ON ms.member_id = m.id",
        where=f"ms.group_id = ? AND ms.role IN ({role_marks})")
    off = await _whatsapp_off(conn, group_id=group_id)
    cursor = await conn.execute(
        sql, (key_prefix, lane, broadcast_id, *payload_params, now, now, group_id, *roles, off, off, off))
    return max(cursor.rowcount, 0)


async def enqueue_for_members(conn: Connection, *, key_prefix: str, member_ids: Sequence[int],
                              payloads: Mapping[str, str], default_payload: str, now: float,
                              broadcast_id: int | None = None, lane: int = BULK_LANE) -> int:
    """Like `enqueue_for_group`, for the listed members (in chunks of 500 ids)."""
    payload_sql, payload_params = _payload_by_language(payloads, default_payload)
    off = await _whatsapp_off(conn, broadcast_id=broadcast_id)
    added = 0
    for start in range(0, len(member_ids), 500):
        chunk = list(member_ids[start:start + 500])
        marks = ", ".join("?" for _ in chunk)
        sql = _AUDIENCE_INSERT.format(payload=payload_sql, join="", where=f"m.id IN ({marks})")
        cursor = await conn.execute(
            sql, (key_prefix, lane, broadcast_id, *payload_params, now, now, *chunk, off, off, off))
        added += max(cursor.rowcount, 0)
    return added


async def enqueue_for_each(conn: Connection, items: Sequence[tuple[str, int, Mapping[str, str], str]], *,
                           now: float, lane: int = BULK_LANE) -> int:
    """Many one-member messages in one statement: items of (key prefix, member id, payloads by
    language, default payload); every item must name the same languages."""
    if not items:
        return 0
    languages = list(items[0][2])
    payload_sql, _ = _payload_by_language(dict.fromkeys(languages, ""), "")
    sql = _AUDIENCE_INSERT.format(payload=payload_sql, join="", where="m.id = ?")
    params = []
    for key_prefix, member_id, payloads, default in items:
        if list(payloads) != languages:
            raise ValueError("every item must name the same languages")
        by_language = [value for lang in languages for value in (lang, payloads[lang])]
        params.append((key_prefix, lane, None, *by_language, default, now, now, member_id, 0, 0, 0))
    before = conn.total_changes
    await conn.executemany(sql, params)
    return conn.total_changes - before


async def addresses_of(conn: Connection, member_ids: Sequence[int]) -> dict[int, tuple[str, str, bool]]:
    """{member id: (channel, address, reachable)} by the same rule as the fan-outs."""
    found: dict[int, tuple[str, str, bool]] = {}
    for start in range(0, len(member_ids), 500):
        chunk = list(member_ids[start:start + 500])
        marks = ", ".join("?" for _ in chunk)
        rows = await fetch_all(
            conn, "SELECT m.id, i.channel, i.external_id, m.unreachable_at IS NULL AS reachable "
            "FROM members m JOIN identities i ON i.member_id = m.id "
            f"WHERE m.id IN ({marks}) ORDER BY i.channel = COALESCE(m.preferred_channel, 'telegram'), "
            "i.created_at DESC", chunk,
        )
        for row in rows:
            found[row[0]] = (row[1], row[2], bool(row[3]))  # the last one wins: Telegram first
    return found


async def claim_ready(conn: Connection, now: float, limit: int, lane: int | None = None,
                      term: int | None = None) -> list[OutboxRow]:
    """Mark up to `limit` ready rows as in flight ('sending') and return them in the order
    they became ready (replies first when `lane` is None).

    One `UPDATE … RETURNING` over the `outbox_ready` index; a PostgreSQL backend would add
    `FOR UPDATE SKIP LOCKED` to the inner SELECT so that several workers can claim at once.
    `term` (PostgreSQL): claim only while it is still the schema's leadership term.
    """
    if lane is None:
        where, order, params = "", "lane, not_before, id", (now, limit)
    else:
        where, order, params = "AND lane = ?", "not_before, id", (now, int(lane), limit)
    if term is not None:  # PostgreSQL: only the current leader claims (storage.postgres.lead)
        where += " AND ? = (SELECT term FROM koordinat_leadership WHERE id = 1)"
        params = (*params[:-1], term, params[-1])
    rows = await fetch_all(
        conn, "UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id IN ("
        f" SELECT id FROM outbox WHERE status = 'pending' AND not_before <= ? {where}"
        f" ORDER BY {order} LIMIT ?) RETURNING {_RETURNED}",
        params,
    )
    claimed = [OutboxRow(*tuple(row)) for row in rows]
    claimed.sort(key=lambda row: (row.lane, row.not_before, row.id))
    return claimed


async def mark_sent(conn: Connection, row_id: int, now: float, external_message_id: str | None) -> None:
    await mark_sent_many(conn, [(row_id, external_message_id)], now)


async def mark_sent_many(conn: Connection, sent: Sequence[tuple[int, str | None]], now: float) -> None:
    """Replies keep neither their text nor their address once sent (a /mydata export or a
    /forget confirmation must not linger in the outbox); notices keep the address so the
    sent message can be found again."""
    if not sent:
        return
    await conn.executemany(
        "UPDATE outbox SET status = 'sent', sent_at = ?, external_message_id = ?, error = NULL, "
        f"payload = CASE WHEN lane = {REPLY_LANE} THEN '{{}}' ELSE payload END, "
        f"address = CASE WHEN lane = {REPLY_LANE} THEN '' ELSE address END "
        # A row closed while its send was in flight (a failure the platform reported by
        # webhook before this outcome was recorded) stays closed.
        "WHERE id = ? AND status NOT IN ('failed', 'unreachable', 'dropped')",
        [(now, external_id, row_id) for row_id, external_id in sent],
    )


async def release(conn: Connection, row_id: int, not_before: float, error: str | None = None, *,
                  attempted: bool = True) -> None:
    """Put an in-flight row back to pending, to be tried again at `not_before`.
    `attempted=False`: it was never handed to the platform (its claim is not an attempt)."""
    undo = "" if attempted else ", attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END"
    await conn.execute(
        f"UPDATE outbox SET status = 'pending', not_before = ?, error = ?{undo} WHERE id = ?",
        (not_before, error, row_id),
    )


async def part_sent(conn: Connection, row_id: int, parts_sent: int) -> None:
    """One more message of a split reply went out: back to pending for the next part, keeping
    its place in the order (`not_before` unchanged); not counted as an attempt."""
    await conn.execute(
        "UPDATE outbox SET status = 'pending', parts_sent = ?, error = NULL, "
        "attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END WHERE id = ? "
        "AND status NOT IN ('failed', 'unreachable', 'dropped')",
        (parts_sent, row_id))


async def finish(conn: Connection, row_id: int, status: str, error: str | None) -> None:
    """Close a row that will not be sent: 'failed', 'unreachable' or 'dropped'."""
    await conn.execute("UPDATE outbox SET status = ?, error = ? WHERE id = ?", (status, error, row_id))


async def resume_in_flight(conn: Connection) -> int:
    """Rows a crash left 'sending' go back to pending (start-up)."""
    cursor = await conn.execute("UPDATE outbox SET status = 'pending' WHERE status = 'sending'")
    return cursor.rowcount


async def next_due(conn: Connection, lane: int | None = None) -> float | None:
    """The earliest `not_before` of a pending row (per lane: one index lookup each)."""
    lanes = (REPLY_LANE, BULK_LANE) if lane is None else (lane,)
    earliest: float | None = None
    for one in lanes:
        row = await fetch_one(
            conn, "SELECT MIN(not_before) FROM outbox WHERE status = 'pending' AND lane = ?", (one,)
        )
        if row and row[0] is not None:
            earliest = float(row[0]) if earliest is None else min(earliest, float(row[0]))
    return earliest


async def release_many(conn: Connection, row_ids: Sequence[int]) -> None:
    """Claimed rows that were never handed to the platform go back to pending unchanged
    (a clean stop); their claim does not count as an attempt."""
    await conn.executemany(
        "UPDATE outbox SET status = 'pending', "
        "attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END "
        "WHERE id = ? AND status = 'sending'", [(row_id,) for row_id in row_ids])


async def forget_member(conn: Connection, member_id: int, addresses: list[tuple[str, str]]) -> None:
    """Before a person is deleted: drop their pending messages and blank their addresses."""
    await conn.execute("DELETE FROM outbox WHERE member_id = ? AND status IN ('pending', 'sending')",
                       (member_id,))
    await conn.execute("UPDATE outbox SET address = '', payload = '{}' WHERE member_id = ?", (member_id,))
    for channel, address in addresses:
        await conn.execute(
            "DELETE FROM outbox WHERE channel = ? AND address = ? AND status IN ('pending', 'sending')",
            (channel, address))
        await conn.execute("UPDATE outbox SET address = '', payload = '{}' WHERE channel = ? AND address = ?",
                           (channel, address))


async def last_broadcast_to(conn: Connection, channel: str, address: str, after_id: int,
                            since: float = 0.0) -> tuple[str, str] | None:
    """(kind, key) of the newest broadcast message to this chat address with a row id above
    `after_id` (a dialog's or her last exchange's `outbox_mark`) and queued after `since`
    (epoch seconds), or None: whether the last notice she got since then is, say, a meeting's."""
    row = await fetch_one(
        conn, "SELECT b.kind, b.key FROM outbox o JOIN broadcasts b ON b.id = o.broadcast_id "
        "WHERE o.address = ? AND o.channel = ? AND o.id > ? AND o.created_at > ? ORDER BY o.id DESC LIMIT 1",
        (address, channel, after_id, since))
    return (str(row["kind"]), str(row["key"])) if row is not None else None


async def counts_for_broadcast(conn: Connection, broadcast_id: int) -> dict[str, int]:
    rows = await fetch_all(
        conn, "SELECT status, COUNT(*) AS n FROM outbox WHERE broadcast_id = ? GROUP BY status",
        (broadcast_id,),
    )
    return {row["status"]: row["n"] for row in rows}


# Rows the retention policy may delete: finished, and not needed to name who a notice missed.
_PRUNABLE = "status IN ('sent', 'failed', 'dropped') AND COALESCE(sent_at, created_at) < ?"


async def prune_finished(conn: Connection, cutoff: float) -> int:
    """Delete sent/failed/dropped rows finished before `cutoff` (epoch s); their per-broadcast
    counts move to `broadcast_counts` first, so delivery counts stay what they were.
    'unreachable' rows stay: they name the members a notice could not reach."""
    await conn.execute(
        "INSERT INTO broadcast_counts (broadcast_id, status, n) "
        f"SELECT broadcast_id, status, COUNT(*) FROM outbox WHERE broadcast_id IS NOT NULL AND {_PRUNABLE} "
        "GROUP BY broadcast_id, status "
        "ON CONFLICT (broadcast_id, status) DO UPDATE SET n = broadcast_counts.n + excluded.n", (cutoff,))
    cursor = await conn.execute(f"DELETE FROM outbox WHERE {_PRUNABLE}", (cutoff,))
    return max(cursor.rowcount, 0)


async def last_id(conn: Connection) -> int:
    """The highest outbox row id so far (0 for none): rows written later have larger ids."""
    row = await fetch_one(conn, "SELECT MAX(id) FROM outbox")
    return int(row[0]) if row and row[0] is not None else 0


async def hold_after(conn: Connection, after_id: int, not_before: float) -> int:
    """Pending rows written after row `after_id` wait until `not_before` (epoch s): the
    notices a timed action wrote during its group's quiet hours. Returns how many."""
    cursor = await conn.execute(
        "UPDATE outbox SET not_before = ? WHERE id > ? AND status = 'pending' AND not_before < ?",
        (not_before, after_id, not_before))
    return max(cursor.rowcount, 0)


async def release_broadcast(conn: Connection, broadcast_id: int, now: float) -> int:
    """Send a held broadcast's pending rows now (a coordinator chose "send now")."""
    cursor = await conn.execute(
        "UPDATE outbox SET not_before = ? WHERE broadcast_id = ? AND status = 'pending' AND not_before > ?",
        (now, broadcast_id, now))
    return max(cursor.rowcount, 0)


async def hold_broadcast(conn: Connection, broadcast_id: int, not_before: float) -> int:
    """A broadcast's pending rows wait until `not_before` (epoch s)."""
    cursor = await conn.execute(
        "UPDATE outbox SET not_before = ? WHERE broadcast_id = ? AND status = 'pending' AND not_before < ?",
        (not_before, broadcast_id, not_before))
    return max(cursor.rowcount, 0)
