"""The WhatsApp menu: `menü` / `menu` answers with a list message of what she may do (WhatsApp
has no command menu); each row is the word she could type, explained underneath."""

from __future__ import annotations

from bot.models import Button, Reply
from bot.services.conversation import CommandSpec, Conversation, Ctx, Replies
from messages import t

HIDDEN = frozenset({"start", "cancel", "menu"})
MENU_WORDS = frozenset({"menu"})  # folded: menü, MENÜ, Menu


PAGE = 9  # a list message holds 10 rows: nine commands and "more"


def register(conversation: Conversation) -> None:
    """`menü` / `menu` as a keyword (so that it is understood mid-dialog too, and the dialog
    comes back after it); `wamenu:<page>`: the next page of the menu."""
    async def next_page(ctx: Ctx, parts: list[str]) -> Replies:
        page = int(parts[0]) if parts and parts[0].isdigit() else 0
        return menu(conversation, ctx, page)

    async def show(ctx: Ctx, args: list[str]) -> Replies:
        if ctx.actor.channel != "whatsapp":  # Telegram has its command menu: "menü" there is /help
            help_ = next((spec for spec in conversation.commands() if spec.name == "help"), None)
            if help_ is not None:
                return await help_.handler(ctx, [])
        return menu(conversation, ctx)

    conversation.add_choice("wamenu", next_page)
    if "menu" not in conversation.command_names():
        conversation.add_command(CommandSpec("menu", show, needs_member=False, in_menu=False, order=99))


def menu(conversation: Conversation, ctx: Ctx, page: int = 0) -> Replies:
    """A list of the commands she may use, in her language (Turkish words for Turkish users),
    nine a page so that it stays a WhatsApp list message (at most 10 rows)."""
    buttons = []
    for spec in conversation.commands():
        if not spec.in_menu or spec.name in HIDDEN:
            continue
        if (spec.needs_member and ctx.member is None) or (spec.coordinator_only and not ctx.is_coordinator):
            continue
        word = spec.aliases[0] if ctx.lang == "tr" and spec.aliases else spec.name
        buttons.append([Button(label=word, choice=f"cmd:{spec.name}", description=t(f"command.{spec.name}", ctx.lang))])
    pages = max(1, -(-len(buttons) // PAGE))
    page = min(max(page, 0), pages - 1)
    shown = buttons[page * PAGE:(page + 1) * PAGE]
    if page + 1 < pages:
        shown.append([Button(label=t("whatsapp.menu_more", ctx.lang), choice=f"wamenu:{page + 1}",
                             description=t("whatsapp.menu_more_hint", ctx.lang, page=page + 2, pages=pages))])
    elif page > 0:
        shown.append([Button(label=t("whatsapp.menu_first", ctx.lang), choice="wamenu:0",
                             description=t("whatsapp.menu_more_hint", ctx.lang, page=1, pages=pages))])
    return [Reply(text=t("whatsapp.menu_title", ctx.lang), buttons=shown)]
