"""KVKK (Law 6698): the privacy notice, consent purposes, `/mydata` and `/forget`."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable

from storage.sql import Connection

from bot.models import Attachment, Button, Reply
from bot.services.conversation import CommandSpec, Conversation, Ctx, Replies
from bot.services.privacy_document import DOCX_MIME, readable_document
from messages import Markup, t
from storage import audit as audit_repo
from storage import dialogs as dialogs_repo
from storage import erasure as erasure_repo
from storage import members as members_repo
from storage import outbox as outbox_repo
from storage import pending_choices as pending_repo
from storage import personal_data
from storage import quarantine as quarantine_repo
from storage.db import Database

# Bump when the notice text changes: each consent is recorded with the version it answered.
NOTICE_VERSION = "2026-12-07"
PURPOSES = ("group_messages", "surveys")
# How long a forget waits for its confirmation to be sent before the final WAL checkpoint.
SCRUB_TIMEOUT = 120.0


def privacy_notice(lang: str, controller_name: str | None, controller_contact: str | None,
                   backup_retention_days: int | None = None) -> str:
    """The KVKK art. 10 notice in `lang`, naming the data controller and its contact (a
    localized "not named yet" for either when the operator has not set it). On PostgreSQL
    (`backup_retention_days` not None; 0 = not stated) it adds what the server's WAL and
    backups keep after a /forget, and for how long."""
    from bot.services.surveys.results import MINIMUM_ANONYMOUS_RESPONSES  # the rule the notice states

    notice = t("privacy.notice", lang, controller=controller_name or t("privacy.controller_unset", lang),
               contact=controller_contact or t("privacy.contact_unset", lang), version=NOTICE_VERSION,
               minimum=MINIMUM_ANONYMOUS_RESPONSES)
    if backup_retention_days is None:  # SQLite: rows are overwritten and the WAL truncated
        return notice
    retention = (t("storage_notice.retention_days", lang, days=backup_retention_days) if backup_retention_days
                 else t("storage_notice.retention_unset", lang))
    return notice + "\n" + t("storage_notice.postgresql", lang, retention=retention)


class PrivacyService:
    def __init__(self, db: Database, controller: tuple[str | None, str | None]) -> None:
        self._db = db
        self._controller = controller
        self._tasks: set[asyncio.Task[None]] = set()
        # Features that keep files or rows to remove before the person goes (survey evidence):
        # `hook(conn, member_id)` runs inside the /forget transaction.
        self.forget_hooks: list[Callable[[Connection, int], Awaitable[None]]] = []

    def register(self, conversation: Conversation) -> None:
        conversation.add_command(CommandSpec("privacy", self.privacy, aliases=("gizlilik",), needs_member=False, order=80))
        conversation.add_command(CommandSpec("mydata", self.my_data, aliases=("verilerim",), order=81))
        conversation.add_command(CommandSpec("forget", self.forget, aliases=("unut",), order=82))
        conversation.add_choice("forget", self.on_forget_choice)
        conversation.add_choice("consentset", self.on_consent_change)

    async def privacy(self, ctx: Ctx, args: list[str]) -> Replies:
        replies = [Reply(text=privacy_notice(ctx.lang, *self._controller))]
        if ctx.member is not None:
            replies.append(await self._consents(ctx, edit_of=None))
        return replies

    async def _consents(self, ctx: Ctx, edit_of: str | None) -> Reply:
        """Each consent with a button to change it, as the consent prompt promises."""
        member = ctx.require_member()
        async with self._db.read() as conn:
            given = await members_repo.consents(conn, member.id)
        lines = [t("privacy.consent_line", ctx.lang, purpose=t(f"purpose.{purpose}", ctx.lang),
                   answer=t("privacy.granted" if given.get(purpose) else "privacy.not_granted", ctx.lang))
                 for purpose in PURPOSES]
        buttons = [[Button(label=t("privacy.withdraw_button" if given.get(purpose) else "privacy.grant_button",
                                   ctx.lang, purpose=t(f"purpose.{purpose}", ctx.lang)),
                           choice=f"consentset:{purpose}:{'n' if given.get(purpose) else 'y'}")]
                   for purpose in PURPOSES]
        return Reply(text=t("privacy.your_consents", ctx.lang) + "\n" + "\n".join(lines), buttons=buttons,
                     edit_of=edit_of)

    async def on_consent_change(self, ctx: Ctx, parts: list[str]) -> Replies:
        """`consentset:<purpose>:<y|n>`: record the new answer (with the notice's version). The
        group-messages consent is what membership rests on: withdrawing it means /unut."""
        member = ctx.require_member()
        if len(parts) != 2 or parts[0] not in PURPOSES or parts[1] not in ("y", "n"):
            return [ctx.text("error.stale_button")]
        purpose, granted = parts[0], parts[1] == "y"
        if purpose == PURPOSES[0] and not granted:
            return [ctx.text("privacy.withdraw_means_forget"), *await self.forget(ctx, [])]
        async with self._db.transaction() as tx:
            await members_repo.record_consent(tx, member.id, purpose=purpose, granted=granted,
                                              notice_version=NOTICE_VERSION, channel=ctx.actor.channel, now=ctx.now)
        return [await self._consents(ctx, edit_of=ctx.actor.source_message_id)]

    async def my_data(self, ctx: Ctx, args: list[str]) -> Replies:
        member = ctx.require_member()
        async with self._db.read() as conn:
            data = await personal_data.export(conn, member.id)
        data["exported_at"] = ctx.now.isoformat(timespec="seconds")
        data["privacy_notice_version"] = NOTICE_VERSION
        content = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
        document = Attachment(kind="document", filename="koordinat-mydata.json", content=content,
                              mime_type="application/json")
        readable = Attachment(kind="document", filename=t("mydata.document_filename", ctx.lang) + ".docx",
                              content=await asyncio.to_thread(readable_document, data, ctx.lang),
                              mime_type=DOCX_MIME)
        return [Reply(text=t("mydata.caption", ctx.lang), attachment=document),
                Reply(text=t("mydata.document_caption", ctx.lang), attachment=readable)]

    async def forget(self, ctx: Ctx, args: list[str]) -> Replies:
        ctx.require_member()
        return [Reply(text=t("forget.confirm", ctx.lang), buttons=[[
            Button(label=t("button.forget_yes", ctx.lang), choice="forget:yes"),
            Button(label=t("button.forget_no", ctx.lang), choice="forget:no"),
        ]])]

    async def on_forget_choice(self, ctx: Ctx, parts: list[str]) -> Replies:
        if parts not in (["yes"], ["no"]):
            return [ctx.text("error.stale_button")]
        if ctx.member is None:
            return [ctx.text("forget.already_gone")]
        if parts[:1] != ["yes"]:
            return [ctx.text("forget.kept")]
        member = ctx.member
        async with self._db.transaction() as tx:
            groups = [m.group.id for m in await members_repo.memberships(tx, member.id)]
            addresses = await members_repo.identities(tx, member.id)
            await outbox_repo.forget_member(tx, member.id, addresses)
            await erasure_repo.blank_sent_mentions(tx, member.display_name)
            for hook in self.forget_hooks:
                await hook(tx, member.id)
            for channel, address in addresses:
                await dialogs_repo.clear(tx, channel, address)
                await pending_repo.clear(tx, channel, address)  # her last question's buttons, keyed by her chat id
                await quarantine_repo.forget_chat(tx, channel, address)  # updates kept raw: her texts and ids
                await erasure_repo.schedule(tx, channel, address)  # the confirmation below
            await members_repo.delete(tx, member.id)
            for group_id in groups:
                await audit_repo.record(tx, "member_forgotten", ctx.now, group_id=group_id)
            self._db.after_commit(self.scrub_soon)
        ctx.member = None  # she is gone: nothing more is written under her chat id in this update
        return [Reply(text=Markup(t("forget.done", ctx.lang)))]

    # -- leaving nothing on disk ----------------------------------------------------------
    def scrub_soon(self) -> None:
        """Start `scrub` in the background (once the forget has committed)."""
        task = asyncio.get_running_loop().create_task(self.scrub())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def scrub(self, timeout: float = SCRUB_TIMEOUT) -> None:
        """No copy of a forgotten person stays in the database files: with `secure_delete` on,
        deleted rows are zeroed; the WAL, which still holds the pages as they were, is
        checkpointed and truncated now and again once the confirmation to her address has
        been sent and blanked (see `storage.erasure`)."""
        await self._db.checkpoint_truncate()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            async with self._db.read() as conn:
                if not await erasure_repo.pending(conn):
                    break
            await asyncio.sleep(0.1)
        await self._db.checkpoint_truncate()

    async def start(self) -> None:
        """After a restart (a kill -9 right after a forget): the WAL left by the dead process
        may still hold deleted pages, so checkpoint it, and finish any scrub left undone. On
        PostgreSQL the write-ahead log is the server's (kept for the operator's retention), so
        nothing is vacuumed at start unless a scrub was left undone."""
        if self._db.wal_keeps_erased_rows:
            await self._db.checkpoint_truncate()
        async with self._db.read() as conn:
            if await erasure_repo.pending(conn):
                self.scrub_soon()

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
