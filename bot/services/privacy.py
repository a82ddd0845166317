"""KVKK (Law 6698): the privacy notice, consent purposes, `/mydata` and `/forget`."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable

from aiosqlite import Connection

from bot.models import Attachment, Button, Reply
from bot.services.conversation import CommandSpec, Conversation, Ctx, Replies
from messages import Markup, t
from storage import audit as audit_repo
from storage import dialogs as dialogs_repo
from storage import members as members_repo
from storage import outbox as outbox_repo
from storage import personal_data
from storage.db import Database

# Bump when the notice text changes: each consent is recorded with the version it answered.
NOTICE_VERSION = "2026-11-25"
PURPOSES = ("group_messages", "surveys")


def privacy_notice(lang: str, controller_name: str, controller_contact: str) -> str:
    return t("privacy.notice", lang, controller=controller_name, contact=controller_contact,
             version=NOTICE_VERSION)


class PrivacyService:
    def __init__(self, db: Database, controller: tuple[str, str]) -> None:
        self._db = db
        self._controller = controller
        # Features that keep files or rows to remove before the person goes (survey evidence):
        # `hook(conn, member_id)` runs inside the /forget transaction.
        self.forget_hooks: list[Callable[[Connection, int], Awaitable[None]]] = []

    def register(self, conversation: Conversation) -> None:
        conversation.add_command(CommandSpec("privacy", self.privacy, aliases=("gizlilik",), needs_member=False, order=80))
        conversation.add_command(CommandSpec("mydata", self.my_data, aliases=("verilerim",), order=81))
        conversation.add_command(CommandSpec("forget", self.forget, aliases=("unut",), order=82))
        conversation.add_choice("forget", self.on_forget_choice)

    async def privacy(self, ctx: Ctx, args: list[str]) -> Replies:
        replies = [Reply(text=privacy_notice(ctx.lang, *self._controller))]
        if ctx.member is not None:
            async with self._db.read() as conn:
                given = await members_repo.consents(conn, ctx.member.id)
            lines = [t("privacy.consent_line", ctx.lang, purpose=t(f"purpose.{purpose}", ctx.lang),
                       answer=t("privacy.granted" if given.get(purpose) else "privacy.not_granted", ctx.lang))
                     for purpose in PURPOSES]
            replies.append(Reply(text=t("privacy.your_consents", ctx.lang) + "\n" + "\n".join(lines)))
        return replies

    async def my_data(self, ctx: Ctx, args: list[str]) -> Replies:
        member = ctx.require_member()
        async with self._db.read() as conn:
            data = await personal_data.export(conn, member.id)
        data["exported_at"] = ctx.now.isoformat(timespec="seconds")
        data["privacy_notice_version"] = NOTICE_VERSION
        content = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
        document = Attachment(kind="document", filename="koordinat-mydata.json", content=content,
                              mime_type="application/json")
        return [Reply(text=t("mydata.caption", ctx.lang), attachment=document)]

    async def forget(self, ctx: Ctx, args: list[str]) -> Replies:
        ctx.require_member()
        return [Reply(text=t("forget.confirm", ctx.lang), buttons=[[
            Button(label=t("button.forget_yes", ctx.lang), choice="forget:yes"),
            Button(label=t("button.forget_no", ctx.lang), choice="forget:no"),
        ]])]

    async def on_forget_choice(self, ctx: Ctx, parts: list[str]) -> Replies:
        if ctx.member is None:
            return [ctx.text("forget.already_gone")]
        if parts[:1] != ["yes"]:
            return [ctx.text("forget.kept")]
        member = ctx.member
        async with self._db.transaction() as tx:
            groups = [m.group.id for m in await members_repo.memberships(tx, member.id)]
            addresses = await members_repo.identities(tx, member.id)
            await outbox_repo.forget_member(tx, member.id, addresses)
            for hook in self.forget_hooks:
                await hook(tx, member.id)
            for channel, address in addresses:
                await dialogs_repo.clear(tx, channel, address)
            await members_repo.delete(tx, member.id)
            for group_id in groups:
                await audit_repo.record(tx, "member_forgotten", ctx.now, group_id=group_id)
        return [Reply(text=Markup(t("forget.done", ctx.lang)))]
