"""The audit log: what happened, never to whom by name or number (KVKK)."""

from __future__ import annotations

import json
from datetime import datetime

from storage.sql import Connection

from storage.times import to_db


async def record(conn: Connection, action: str, now: datetime, *, group_id: int | None = None,
                 **detail: object) -> None:
    await conn.execute(
        "INSERT INTO audit_log (at, action, group_id, detail) VALUES (?, ?, ?, ?)",
        (to_db(now), action, group_id, json.dumps(detail, ensure_ascii=False)),
    )
