"""One person, two apps: `/bagla` shows a one-time code in one app, `bagla KOD` typed in the
other adds that app to the same member. She then counts once everywhere (rosters, RSVPs,
attendance, response rates: they are per member) and gets each notice once, on the channel
she prefers (`/tercih`; the Notifier sends to her first identity in that order)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from bot.clock import utc_timestamp
from bot.errors import InvalidAnswer
from bot.models import Button, Reply
from bot.services.conversation import CommandSpec, Conversation, Ctx, Replies
from messages import t
from storage import link_codes as codes_repo
from storage import members as members_repo
from storage.db import Database

CODE_LIFETIME = timedelta(minutes=10)
CHANNEL_NAMES = {"telegram": "Telegram", "whatsapp": "WhatsApp"}


class LinkingService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def register(self, conversation: Conversation) -> None:
        conversation.add_command(CommandSpec("link", self.link, aliases=("bagla",), needs_member=False, order=70))
        conversation.add_command(CommandSpec("preferred", self.preferred, aliases=("tercih",), order=71))
        conversation.add_choice("pref", self.on_preferred)

    async def link(self, ctx: Ctx, args: list[str]) -> Replies:
        """No argument: a code for the other app. With a code: this app joins that member."""
        if not args:
            member = ctx.require_member()
            code = f"{secrets.randbelow(900000) + 100000}"
            async with self._db.transaction() as tx:
                await codes_repo.create(tx, code, member.id, utc_timestamp(ctx.now + CODE_LIFETIME))
            return [ctx.text("whatsapp.link_code_shown", code=code,
                             minutes=int(CODE_LIFETIME.total_seconds() // 60))]
        code = args[0].strip()
        if not code.isdigit():
            raise InvalidAnswer("whatsapp.link_usage")
        async with self._db.transaction() as tx:
            owner = await codes_repo.use(tx, code, utc_timestamp(ctx.now))
            if owner is None:
                raise InvalidAnswer("whatsapp.link_bad_code", code=code)
            if ctx.member is not None:
                if ctx.member.id == owner:
                    return [ctx.text("whatsapp.link_already")]
                return [ctx.text("whatsapp.link_both_members")]
            await members_repo.add_identity(tx, owner, ctx.actor.channel, ctx.actor.external_id, ctx.now)
            member = await members_repo.get(tx, owner)
            first = (await members_repo.identities(tx, owner))[0][0]
        assert member is not None
        ctx.member, ctx.lang = member, member.language
        return [ctx.text("whatsapp.link_done", channel=CHANNEL_NAMES.get(first, first))]

    async def preferred(self, ctx: Ctx, args: list[str]) -> Replies:
        member = ctx.require_member()
        async with self._db.read() as conn:
            channels = sorted({channel for channel, _ in await members_repo.identities(conn, member.id)})
        if len(channels) < 2:
            return [ctx.text("whatsapp.preferred_single")]
        return [Reply(text=t("whatsapp.preferred_pick", ctx.lang), buttons=[[
            Button(label=CHANNEL_NAMES.get(channel, channel), choice=f"pref:{channel}") for channel in channels]])]

    async def on_preferred(self, ctx: Ctx, parts: list[str]) -> Replies:
        member = ctx.require_member()
        async with self._db.transaction() as tx:
            channels = {channel for channel, _ in await members_repo.identities(tx, member.id)}
            if not parts or parts[0] not in channels:
                return [ctx.text("error.stale_button")]
            await members_repo.set_preferred_channel(tx, member.id, parts[0])
        return [ctx.text("whatsapp.preferred_set", channel=CHANNEL_NAMES.get(parts[0], parts[0]))]
