"""Failures Meta reports later, by status webhook, acted on exactly like the same error on the
send (`handlers.whatsapp.channel`):

- 131026 (undeliverable: the number no longer has WhatsApp) → the outbox row is closed as
  'unreachable' and she is marked unreachable, as after Telegram's 403: coordinators see it on
  the card's delivery counts and in /uyeler, and later notices are not sent to her;
- 131047 (re-engagement: her window was closed after all) → her window counts as closed and
  the message is queued again, so the channel holds it and sends the one template;
- anything else (131049 ecosystem limit, 131050 stopped marketing messages, 130472 experiment…)
  → the row is closed as 'failed'.

The message is found by its id (`storage.whatsapp.record_sent`); its outbox row by that id or
by the reply it carried among her rows; when the id is unknown (pruned), she is found by the
business-scoped id in the status, or by the phone when one is given. A status delivered twice
changes nothing more.
"""

from __future__ import annotations

import logging

from storage.sql import Connection, Row
from pydantic import ValidationError

from bot.clock import from_timestamp
from bot.models import Reply
from bot.services import Services
from handlers.whatsapp.channel import reply_digest
from handlers.whatsapp.payloads import StatusUpdate
from storage import members as members_repo
from storage import outbox as outbox_repo
from storage import whatsapp as whatsapp_repo

log = logging.getLogger(__name__)

UNDELIVERABLE = 131026
RE_ENGAGEMENT = 131047
CHANNEL = "whatsapp"


async def handle_status(services: Services, status: StatusUpdate) -> None:
    """Act on one `statuses[]` entry; only `failed` ones change anything."""
    if status.status != "failed":
        return
    code = status.codes[0] if status.codes else 0
    now = services.now_seconds()
    requeued = False
    async with services.db.transaction() as tx:
        sent = await whatsapp_repo.sent_message(tx, status.message_id)
        user_id = sent.user_id if sent is not None else status.user_id
        if user_id is None and status.wa_id:
            contact = await whatsapp_repo.by_phone(tx, status.wa_id)
            user_id = contact.user_id if contact is not None else None
        if user_id is None:
            log.info("whatsapp status %s for a message we do not know: ignored", code)
            return
        row = await _outbox_row(tx, user_id, status.message_id, sent.reply_digest if sent else None)
        member = await members_repo.by_identity(tx, CHANNEL, user_id)
        member_id = member.id if member is not None else (row["member_id"] if row is not None else None)
        if code == UNDELIVERABLE:
            if row is not None and row["status"] != "unreachable":
                await outbox_repo.finish(tx, row["id"], "unreachable", "131026 undeliverable (status webhook)")
            if member_id is not None and await members_repo.mark_unreachable(tx, member_id, from_timestamp(now)):
                log.info("member %s is unreachable on whatsapp (131026 by status)", member_id)
        elif code == RE_ENGAGEMENT and sent is not None and not sent.template:
            await whatsapp_repo.window_closed(tx, user_id, sent.sent_at)
            if row is not None and row["payload"] not in ("", "{}"):
                requeued = await outbox_repo.enqueue(
                    tx, key=f"wa-status:{status.message_id}", channel=CHANNEL, address=user_id,
                    payload=row["payload"], now=now, lane=row["lane"], member_id=row["member_id"])
        elif row is not None and row["status"] in ("sent", "sending", "pending"):  # its outcome may not be recorded yet
            await outbox_repo.finish(tx, row["id"], "failed", f"{code} (status webhook)")
    if requeued:
        services.dispatcher.kick()


async def _outbox_row(conn: Connection, user_id: str, message_id: str, digest: str | None) -> Row | None:
    """Her outbox row that carried the message: by message id (the last part's), else by the
    reply's digest (any part of it); None for a reply already blanked or pruned."""
    rows = await whatsapp_repo.recent_outbox(conn, user_id)
    for row in rows:
        if row["external_message_id"] == message_id:
            return row
    if digest is None:
        return None
    for row in rows:
        try:
            if reply_digest(Reply.model_validate_json(row["payload"])) == digest:
                return row
        except ValidationError:
            continue
    return None
