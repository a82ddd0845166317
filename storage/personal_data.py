"""What is stored about one person, gathered from every table that holds it (`/mydata`).

Feature modules add their own section with `@section("meetings")` so the export stays
complete as the product grows.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any


from storage.sql import Connection, fetch_all

Exporter = Callable[[Connection, int], Awaitable[Any]]
_SECTIONS: dict[str, Exporter] = {}


def section(name: str) -> Callable[[Exporter], Exporter]:
    def register(exporter: Exporter) -> Exporter:
        _SECTIONS[name] = exporter
        return exporter
    return register


async def _rows(conn: Connection, sql: str, member_id: int) -> list[dict[str, Any]]:
    rows = await fetch_all(conn, sql, (member_id,))
    return [dict(row) for row in rows]


@section("person")
async def _person(conn: Connection, member_id: int) -> Any:
    rows = await _rows(conn, "SELECT id, display_name, language, unreachable_at, created_at "
                             "FROM members WHERE id = ?", member_id)
    return rows[0] if rows else None


@section("identities")
async def _identities(conn: Connection, member_id: int) -> Any:
    return await _rows(conn, "SELECT channel, external_id, created_at FROM identities "
                             "WHERE member_id = ?", member_id)


@section("groups")
async def _groups(conn: Connection, member_id: int) -> Any:
    return await _rows(conn, "SELECT g.name AS group_name, g.city, ms.role, ms.joined_at "
                             "FROM memberships ms JOIN groups g ON g.id = ms.group_id "
                             "WHERE ms.member_id = ?", member_id)


@section("consents")
async def _consents(conn: Connection, member_id: int) -> Any:
    return await _rows(conn, "SELECT purpose, granted, notice_version, channel, recorded_at "
                             "FROM consents WHERE member_id = ? ORDER BY id", member_id)


@section("whatsapp")
async def _whatsapp(conn: Connection, member_id: int) -> Any:
    return await _rows(conn, "SELECT c.user_id, c.wa_id AS phone, c.last_inbound_at FROM whatsapp_contacts c "
                             "JOIN identities i ON i.channel = 'whatsapp' AND i.external_id = c.user_id "
                             "WHERE i.member_id = ?", member_id)


@section("messages_sent_to_you")
async def _outbox(conn: Connection, member_id: int) -> Any:
    return await _rows(conn, "SELECT key, status, created_at, sent_at FROM outbox "
                             "WHERE member_id = ? ORDER BY id", member_id)


async def export(conn: Connection, member_id: int) -> dict[str, Any]:
    return {name: await exporter(conn, member_id) for name, exporter in _SECTIONS.items()}
