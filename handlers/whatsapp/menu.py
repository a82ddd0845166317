"""The WhatsApp menu: `menü` / `menu` answers with a list message of what she may do (WhatsApp
has no command menu); each row is the word she could type, explained underneath."""

from __future__ import annotations

from bot.models import Button, Reply
from bot.services.conversation import Conversation, Ctx, Replies
from messages import t

HIDDEN = frozenset({"start", "cancel"})
MENU_WORDS = frozenset({"menu"})  # folded: menü, MENÜ, Menu


def menu(conversation: Conversation, ctx: Ctx) -> Replies:
    """A list of the commands she may use, in her language (Turkish words for Turkish users)."""
    buttons = []
    for spec in conversation.commands():
        if not spec.in_menu or spec.name in HIDDEN:
            continue
        if (spec.needs_member and ctx.member is None) or (spec.coordinator_only and not ctx.is_coordinator):
            continue
        word = spec.aliases[0] if ctx.lang == "tr" and spec.aliases else spec.name
        buttons.append([Button(label=word, choice=f"cmd:{spec.name}", description=t(f"command.{spec.name}", ctx.lang))])
    return [Reply(text=t("whatsapp.menu_title", ctx.lang), buttons=buttons)]
