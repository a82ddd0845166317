"""What a WhatsApp person did → the same Conversation calls Telegram uses, each inbound
message once (`services.inbox`, keyed by the Cloud API message id)."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable
from datetime import UTC, datetime

from storage.sql import Connection

from bot.clock import from_timestamp, utc_timestamp
from bot.models import Actor, Reply
from bot.services import Services
from bot.services.conversation import Conversation, Ctx, Replies
from bot.services.late import Recipient
from bot.text import fold
from bot.services.members import invite_code_in
from handlers.whatsapp.menu import MENU_WORDS, menu
from handlers.whatsapp.render import fewer_messages
from handlers.whatsapp.payloads import Inbound, mask_phone
from messages import FALLBACK, format_datetime, t
from storage import dialogs as dialogs_repo
from storage import members as members_repo
from storage import outbox as outbox_repo
from storage import pending_choices as pending_repo
from storage import whatsapp as whatsapp_repo

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"
HELD_FOR_AT_MOST = 14 * 24 * 3600  # held notices older than two weeks are not delivered
# Commands typed with an argument, without a slash: `katıl AbC123`, `join AbC123`.
COMMANDS_WITH_ARGUMENT = frozenset({"katil", "join", "bagla", "link"})
# `katıl KOD` is Turkish, `join CODE` English: the language of the joining dialog.
JOIN_WORD_LANGUAGE = {"katil": "tr", "join": "en"}
# Plain words for features that may or may not be installed (added only when they are).
OPTIONAL_KEYWORDS = {"anketler": "surveys", "surveys": "surveys", "takvim": "calendar",
                     "calendar": "calendar"}


def actor_for(inbound: Inbound) -> Actor:
    """She is keyed by her business-scoped user id; its country prefix hints her language."""
    country = inbound.user_id.split(".")[0] if "." in inbound.user_id else ""
    hint = "tr" if country in ("TR", "") else "en"
    return Actor(channel=CHANNEL, external_id=inbound.user_id, display_name=inbound.name, language_hint=hint)


def forget_strangers(services: Services):  # type: ignore[no-untyped-def]
    """Nightly: drop the window rows of people who are not (or no longer) members, sent
    message ids older than a week (their statuses are in) and expired calendar links."""
    async def forget(reminder: object, now: datetime) -> None:
        async with services.db.transaction() as tx:
            await whatsapp_repo.forget_strangers(tx, utc_timestamp(now) - 2 * 24 * 3600)
            await whatsapp_repo.prune_sent(tx, utc_timestamp(now) - 7 * 24 * 3600)

    return forget


def add_keywords(services: Services) -> None:
    """Keywords for commands that exist (WhatsApp has no command menu)."""
    from handlers.whatsapp.menu import register as register_menu

    register_menu(services.conversation)
    services.privacy.forget_hooks.append(whatsapp_repo.forget_sent)  # her sent-message ids go with her
    known = set(services.conversation.command_names())
    for word, command in OPTIONAL_KEYWORDS.items():
        if command in known:
            services.conversation.add_keyword(word, command)


async def handle(services: Services, inbound: Inbound) -> None:
    """Record her window, release held messages, then route what she did (exactly once)."""
    now = services.now_seconds()
    moment = min(now, inbound.timestamp) if inbound.timestamp else now
    async with services.db.transaction() as tx:
        await whatsapp_repo.saw(tx, inbound.user_id, inbound.wa_id, moment)
        held = await whatsapp_repo.take_held(tx, inbound.user_id)
        member = await members_repo.by_identity(tx, CHANNEL, inbound.user_id)
        if member is not None and member.unreachable_at is not None:
            await members_repo.mark_reachable(tx, member.id)  # she wrote: 131026 is over
        lang = member.language if member else FALLBACK
        recipient = Recipient(member.id if member else None, lang)
        for message in held:
            payload = await _release(services, tx, message, recipient, now)
            if payload is None:
                continue
            await outbox_repo.enqueue(tx, key=f"wa-held:{message.key}:{message.held_at:.3f}", channel=CHANNEL, address=inbound.user_id,
                                      payload=payload, now=now, lane=outbox_repo.REPLY_LANE,
                                      member_id=message.member_id)
    if held:
        services.dispatcher.kick()
    actor = actor_for(inbound)
    conversation = services.conversation
    if inbound.ignored:
        return
    if inbound.new_user_id is not None:
        await services.inbox.handle(actor, inbound.message_id, lambda: _rekey(services, inbound))
        return
    if inbound.choice is not None:
        choice = inbound.choice
        await services.inbox.handle(actor, inbound.message_id,
                                    lambda: _fewer(conversation.on_choice(actor, choice)))
        return
    if inbound.upload is not None:
        upload = inbound.upload
        await services.inbox.handle(actor, inbound.message_id,
                                    lambda: _fewer(conversation.on_upload(actor, upload)))
        return
    text = inbound.text or ""
    await services.inbox.handle(actor, inbound.message_id, lambda: _fewer(_route_text(services, actor, text)))


async def _fewer(replies: Awaitable[Replies]) -> Replies:
    """Every WhatsApp message is billed: texts that fit together go as one."""
    return fewer_messages(await replies)


async def _release(services: Services, conn: Connection, message: whatsapp_repo.HeldMessage,
                   recipient: Recipient, now: float) -> str | None:
    """The held message as it should go out now, or None to drop it: older than two weeks;
    a reminder or nudge that Telegram would no longer send (`bot.services.late`: past its
    grace, the meeting past/cancelled/moved, the survey closed or submitted) → dropped, and
    one still current is recomputed from the real time left; anything else (and a notice that
    still holds as it was) keeps the moment it was meant for on top."""
    if now - message.held_at > HELD_FOR_AT_MOST:
        return None  # weeks-old notices would mislead more than help
    reply = Reply.model_validate_json(message.payload)
    if reply.recheck is not None:
        fresh = await services.late.review(conn, reply, recipient, from_timestamp(now))
        if fresh is None:
            return None
        if reply.recheck.reminder:  # made again for now: no "message from …" line needed
            return fresh.model_dump_json()
        reply = fresh
    return _dated(reply, message.held_at, recipient.lang, services.settings.timezone)


def _dated(reply: Reply, held_at: float, lang: str, timezone: str) -> str:
    """The held message with the moment it was meant for on top: "tomorrow" in a notice
    read later must be read from then."""
    when = format_datetime(datetime.fromtimestamp(held_at, UTC), lang, timezone)
    reply.text = t("whatsapp.held_from", lang, when=when) + "\n\n" + reply.text
    return reply.model_dump_json()


async def _route_text(services: Services, actor: Actor, text: str) -> Replies:
    conversation = services.conversation
    chosen = await _typed_choice(services, actor, text)
    if chosen is not None:
        return await conversation.on_choice(actor, chosen)
    words = text.split()
    if words and words[0].startswith("/"):
        name = words[0].lstrip("/").split("@")[0]
        return await conversation.on_command(actor, fold(name) if fold(name) in conversation.command_names()
                                             else name, words[1:])
    if fold(text) in MENU_WORDS:
        ctx = await conversation.context(actor)
        if await conversation.current_dialog(ctx) is None:
            return await conversation.on_action(actor, lambda ctx: _menu(conversation, ctx))
    if len(words) >= 2 and fold(words[0]) in COMMANDS_WITH_ARGUMENT and fold(words[0]) in conversation.command_names():
        ctx = await conversation.context(actor)
        if await conversation.current_dialog(ctx) is None:
            language = JOIN_WORD_LANGUAGE.get(fold(words[0]))
            code = invite_code_in(" ".join(words[1:]))
            if ctx.member is None and language is not None and code:
                # The word she typed says her language: no language question (one billed
                # message less); `dil` / `language` changes it later.
                return await conversation.on_choice(actor, f"lang:{language}:{code}")
            return await conversation.on_command(actor, fold(words[0]), words[1:])
    return await conversation.on_text(actor, text)


async def _typed_choice(services: Services, actor: Actor, text: str) -> str | None:
    """A typed number or button word answering the last message's choices (the pending
    question first, as on Telegram)."""
    async with services.db.read() as conn:
        raw = await whatsapp_repo.remembered_choices(conn, actor.external_id)
    if not raw:
        return None
    typed = fold(text).strip(" .)")
    if not typed:
        return None
    choices = json.loads(raw)
    if typed.isdigit():  # the number written next to a choice on her screen wins over any label
        for number, _label, choice in choices:
            if number is not None and int(typed) == number:
                return str(choice)
        # Reply buttons alone (no numbers shown): she counts them 1, 2, 3 — when they are on
        # the last message she saw, which is not her open dialog's own question (a number
        # question's "💬 Comment" button never turns "1" into a press).
        position = int(typed)
        if (all(number is None for number, _, _ in choices) and 1 <= position <= len(choices)
                and not any(str(label).isdigit() for _, label, _ in choices)
                and await _buttons_came_after_dialog(services, actor, [str(c) for _, _, c in choices])):
            return str(choices[position - 1][2])
    for _number, label, choice in choices:
        if typed == fold(label) or typed == fold(_strip_symbols(label)):
            return str(choice)
    return None


async def _buttons_came_after_dialog(services: Services, actor: Actor, shown: list[str]) -> bool:
    """True when she has no open dialog, or the buttons on her screen (`shown`: the choice ids
    of the last message she got) are not her last exchange's question — a notice, a held
    message released when she wrote, or a second message reached her after it — or a notice
    reached her after the dialog's last question (outbox row order). The last message she saw
    wins."""
    async with services.db.read() as conn:
        state = await dialogs_repo.get(conn, CHANNEL, actor.external_id)
        if state is None:
            return True
        pending = await pending_repo.get(conn, CHANNEL, actor.external_id)
        if pending is not None and pending.choices and [choice for _, choice in pending.choices] != shown:
            return True
        return await pending_repo.superseded(conn, CHANNEL, actor.external_id, state.outbox_mark)


async def _menu(conversation: Conversation, ctx: Ctx) -> Replies:
    return menu(conversation, ctx)


def _strip_symbols(label: str) -> str:
    return "".join(ch for ch in label if ch.isalnum() or ch.isspace() or ch in "'’").strip()


async def _rekey(services: Services, inbound: Inbound) -> Replies:
    """"User changed user id / number": move her identity, dialogs and window to the new id."""
    assert inbound.new_user_id is not None
    async with services.db.transaction() as tx:
        moved = await whatsapp_repo.rekey(tx, inbound.user_id, inbound.new_user_id, inbound.new_wa_id)
    log.info("whatsapp identity re-keyed (moved=%s, phone %s)", moved, mask_phone(inbound.new_wa_id))
    return []


