"""Joining, language, help, invites and the member list.

Onboarding stores nothing until the person has consented: the invite code and the chosen
language travel inside the button ids (`lang:tr:CODE`, `consent:tr:CODE:y`), so a person
who declines leaves no trace.
"""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Awaitable, Callable

from bot.clock import utc_timestamp
from bot.errors import InvalidAnswer, InvalidInvite, NotAuthorized
from bot.models import Attachment, Button, Group, Invite, Member, Reply, Role
from bot.services.conversation import CommandSpec, Conversation, Ctx, Replies
from bot.services.groups import GroupService, InviteLinks
from bot.services.invite_guard import InviteGuard
from bot.services.privacy import NOTICE_VERSION, PURPOSES, privacy_notice
from bot.text import read_number
from messages import LANGUAGE_NAMES, LANGUAGES, t
from storage import chat_links as chat_links_repo
from storage import members as members_repo
from storage.db import Database
from storage.dialogs import DialogState

JoinHook = Callable[[Ctx, Member, Group], Awaitable[Replies]]
# (group, its members, the reader's language) -> {member id: extra text for her line}
MemberLineHook = Callable[[Group, list[Member], str], Awaitable[dict[int, str]]]
# How long the group picker of `/link` (typed in a group chat) stays valid.
LINK_TOKEN_SECONDS = 15 * 60


class MemberService:
    def __init__(self, db: Database, groups: GroupService, links: InviteLinks,
                 conversation: Conversation, controller: tuple[str | None, str | None]) -> None:
        self._db = db
        self._groups = groups
        self._links = links
        self._conversation = conversation
        self._controller = controller
        self.join_hooks: list[JoinHook] = []
        self.member_line_hooks: list[MemberLineHook] = []
        self.invite_guard = InviteGuard()

    def register(self, conversation: Conversation) -> None:
        add = conversation.add_command
        add(CommandSpec("start", self.start, needs_member=False, order=0, in_menu=False))
        add(CommandSpec("help", self.help, aliases=("yardim",), needs_member=False, order=1))
        add(CommandSpec("join", self.join, aliases=("katil",), needs_member=False, order=2))
        add(CommandSpec("language", self.language, aliases=("dil",), order=3))
        add(CommandSpec("invite", self.invite, aliases=("davet",), coordinator_only=True, order=50))
        add(CommandSpec("members", self.members, aliases=("uyeler",), coordinator_only=True, order=51))
        for word in ("yardım", "help", "menu", "menü"):
            conversation.add_keyword(word, "help")
        for word in GREETINGS:  # a greeting gets a short welcome with the next step
            conversation.add_keyword(word, "start")
        conversation.add_flow(JoinCodeFlow(self, conversation))
        conversation.add_choice("lang", self.on_language_choice)
        conversation.add_choice("consent", self.on_consent_choice)
        conversation.add_choice("setlang", self.on_set_language)
        conversation.add_choice("invite", self.on_invite_choice)
        conversation.add_choice("linkchat", self.on_link_choice)

    # -- joining ------------------------------------------------------------------------
    async def start(self, ctx: Ctx, args: list[str]) -> Replies:
        """`/start` alone greets; `/start CODE` (from a deep link) joins."""
        if args:
            return await self.join(ctx, args)
        if ctx.member is None:
            return [ctx.text("start.stranger")]
        return [ctx.text("start.welcome_back", name=ctx.member.display_name), *await self.help(ctx, [])]

    async def join(self, ctx: Ctx, args: list[str]) -> Replies:
        """`/katil CODE` (or a pasted invite link); `/katil` alone asks for the code and takes
        the next message as it."""
        if not args:
            await self._conversation.save(ctx, DialogState(JoinCodeFlow.kind, "code", {}))
            return [ctx.text("join.ask_code")]
        code = invite_code_in(" ".join(args))
        invite, group = await self._usable_invite(ctx, code)
        if ctx.member is None:
            return [self._language_picker(ctx, code)]
        return await self._add_to_group(ctx, ctx.member, code, invite.role, group)

    async def _usable_invite(self, ctx: Ctx, code: str) -> tuple[Invite, Group]:
        """`GroupService.usable_invite`, refused for a while after repeated unknown codes from
        this chat (see `InviteGuard`)."""
        channel, address = ctx.actor.channel, ctx.actor.external_id
        wait = self.invite_guard.refused_for(channel, address, ctx.now)
        if wait is not None:
            raise InvalidInvite("trust.too_many_codes", minutes=max(1, -(-int(wait.total_seconds()) // 60)))
        try:
            return await self._groups.usable_invite(code)
        except InvalidInvite as error:
            if error.key == "join.invalid_code" and self.invite_guard.wrong_code(channel, address, ctx.now):
                raise InvalidInvite("trust.too_many_codes",
                                    minutes=int(self.invite_guard.lockout.total_seconds() // 60)) from error
            raise

    def _language_picker(self, ctx: Ctx, code: str) -> Reply:
        buttons = [[Button(label=LANGUAGE_NAMES[lang], choice=f"lang:{lang}:{code}") for lang in LANGUAGES]]
        text = "\n".join(t("onboarding.pick_language", lang) for lang in LANGUAGES)
        return Reply(text=text, buttons=buttons)

    async def on_language_choice(self, ctx: Ctx, parts: list[str]) -> Replies:
        """A newcomer picked a language: show the privacy notice, then ask consent (1/2)."""
        lang, code = _language_and_code(parts)
        if ctx.member is not None:
            return await self.on_set_language(ctx, [lang])
        await self._usable_invite(ctx, code)
        ctx.lang = lang
        notice = Reply(text=privacy_notice(lang, *self._controller))
        question = Reply(text=t("onboarding.consent_messages", lang), buttons=[[
            Button(label=t("button.yes_consent", lang), choice=f"consent:{lang}:{code}:y"),
            Button(label=t("button.no_consent", lang), choice=f"consent:{lang}:{code}:n"),
        ]])
        return [notice, question]

    async def on_consent_choice(self, ctx: Ctx, parts: list[str]) -> Replies:
        """Consent answers arrive one purpose at a time; the person is stored after the last."""
        lang, code = _language_and_code(parts)
        answers = parts[2:]
        ctx.lang = lang
        if ctx.member is not None:
            return [ctx.text("onboarding.already_registered")]
        if len(answers) > len(PURPOSES) or any(answer not in ("y", "n") for answer in answers):
            return [ctx.text("error.stale_button")]
        if not answers or answers[0] != "y":
            return [ctx.text("onboarding.declined")]
        if len(answers) < len(PURPOSES):
            prefix = ":".join(["consent", lang, code, *answers])
            return [Reply(text=t("onboarding.consent_surveys", lang), buttons=[[
                Button(label=t("button.yes_consent", lang), choice=f"{prefix}:y"),
                Button(label=t("button.no_consent", lang), choice=f"{prefix}:n"),
            ]])]
        invite, group = await self._usable_invite(ctx, code)
        async with self._db.transaction() as tx:
            member = await members_repo.create(
                tx, display_name=ctx.actor.display_name or t("member.unnamed", lang), language=lang,
                channel=ctx.actor.channel, external_id=ctx.actor.external_id, now=ctx.now)
            for purpose, answer in zip(PURPOSES, answers, strict=True):
                await members_repo.record_consent(
                    tx, member.id, purpose=purpose, granted=answer == "y", notice_version=NOTICE_VERSION,
                    channel=ctx.actor.channel, now=ctx.now)
        ctx.member = member
        return await self._add_to_group(ctx, member, code, invite.role, group)

    async def _add_to_group(self, ctx: Ctx, member: Member, code: str, role: Role, group: Group) -> Replies:
        async with self._db.transaction() as tx:
            current = await members_repo.role_in(tx, group.id, member.id)
            if current is Role.COORDINATOR or current is role:
                return [ctx.text("join.already_member", group=group.name)]
            await members_repo.add_membership(tx, group.id, member.id, role, ctx.now)
            if not await self._groups.count_use(code):  # its last use went to someone else meanwhile
                raise InvalidInvite("join.used_up_code", code=code)
        ctx.roles[group.id] = role
        key = "join.joined_coordinator" if role is Role.COORDINATOR else "join.joined_member"
        replies: Replies = [ctx.text(key, group=group.name, city=group.city)]
        replies += await self.help(ctx, [])
        for hook in self.join_hooks:
            replies += await hook(ctx, member, group)
        return replies

    # -- language -----------------------------------------------------------------------
    async def language(self, ctx: Ctx, args: list[str]) -> Replies:
        buttons = [[Button(label=LANGUAGE_NAMES[lang], choice=f"setlang:{lang}") for lang in LANGUAGES]]
        return [Reply(text=t("language.pick", ctx.lang), buttons=buttons)]

    async def on_set_language(self, ctx: Ctx, parts: list[str]) -> Replies:
        member = ctx.require_member()
        if len(parts) != 1 or parts[0] not in LANGUAGES:
            return [ctx.text("error.stale_button")]
        lang = parts[0]
        async with self._db.transaction() as tx:
            await members_repo.set_language(tx, member.id, lang)
        ctx.lang = lang
        return [ctx.text("language.changed", language=LANGUAGE_NAMES[lang])]

    # -- help ---------------------------------------------------------------------------
    async def help(self, ctx: Ctx, args: list[str]) -> Replies:
        lines = []
        for spec in self._conversation.commands():
            if not spec.in_menu or (spec.needs_member and ctx.member is None):
                continue
            if spec.coordinator_only and not ctx.is_coordinator:
                continue
            names = " ".join("/" + name for name in spec.names_for(ctx.lang))
            lines.append(t("help.line", ctx.lang, commands=names, description=t(f"command.{spec.name}", ctx.lang)))
        title = "help.title_coordinator" if ctx.is_coordinator else "help.title"
        if ctx.member is None:
            title = "help.title_stranger"
        return [Reply(text=t(title, ctx.lang) + "\n\n" + "\n".join(lines) + "\n\n" + t("help.footer", ctx.lang))]

    # -- coordinator tools --------------------------------------------------------------
    async def _pick_group(self, ctx: Ctx, args: list[str], prefix: str) -> Group | Reply:
        """The coordinated group the command is about, or a Reply asking which one."""
        groups = ctx.coordinated_groups()
        number = read_number(args[0]) if args else None  # `2`, `²`, `٢`
        if number is not None and number in groups:
            group = await self._groups.get(number)
            assert group is not None
            return group
        if len(groups) == 1:
            group = await self._groups.get(groups[0])
            assert group is not None
            return group
        options = [await self._groups.get(group_id) for group_id in groups]
        buttons = [[Button(label=f"{g.name} ({g.city})", choice=f"{prefix}:{g.id}")] for g in options if g]
        return Reply(text=t("group.pick", ctx.lang), buttons=buttons)

    async def invite(self, ctx: Ctx, args: list[str]) -> Replies:
        picked = await self._pick_group(ctx, args, "invite")
        if isinstance(picked, Reply):
            return [picked]
        return await self._invite_for(ctx, picked)

    async def on_invite_choice(self, ctx: Ctx, parts: list[str]) -> Replies:
        """`invite:<group>` from the group picker: only a group she coordinates."""
        if len(parts) != 1 or not parts[0].isdigit() or int(parts[0]) not in ctx.coordinated_groups():
            return [ctx.text("error.stale_button")]
        return await self.invite(ctx, parts[:1])

    async def _invite_for(self, ctx: Ctx, group: Group) -> Replies:
        if ctx.roles.get(group.id) is not Role.COORDINATOR:
            raise NotAuthorized(command="/invite")
        invite = await self._groups.new_member_invite(group.id)
        link = self._links.telegram(invite.code)
        caption = t("invite.caption", ctx.lang, group=group.name, link=link, code=invite.code,
                    days=str((invite.expires_at - ctx.now).days if invite.expires_at else ""))
        qr = Attachment(kind="photo", filename=f"koordinat-{invite.code}.png",
                        content=self._links.qr_png(invite.code), mime_type="image/png")
        return [Reply(text=caption, attachment=qr)]

    async def link_chat(self, ctx: Ctx, channel: str, chat_address: str) -> Replies:
        """A coordinator typed /link in a group chat: notices will be posted there too."""
        ctx.require_member()
        groups = ctx.coordinated_groups()
        if not groups:
            raise NotAuthorized(command="/link")
        if len(groups) == 1:
            return await self._link(ctx, groups[0], chat_address)
        # The chat waits server-side; the buttons carry only a short-lived token.
        member = ctx.require_member()
        token = secrets.token_urlsafe(12)
        now = utc_timestamp(ctx.now)
        async with self._db.transaction() as tx:
            await chat_links_repo.create(tx, token=token, member_id=member.id, channel=channel,
                                         chat_address=chat_address, expires_at=now + LINK_TOKEN_SECONDS,
                                         now=now)
        options = [await self._groups.get(group_id) for group_id in groups]
        return [Reply(text=t("group.pick_link", ctx.lang), buttons=[
            [Button(label=f"{g.name} ({g.city})", choice=f"linkchat:{token}:{g.id}")] for g in options if g])]

    async def on_link_choice(self, ctx: Ctx, parts: list[str]) -> Replies:
        """`linkchat:<token>:<group>`: the chat comes from the pending link the token names
        (started by this person, unexpired); the group must be one she coordinates."""
        member = ctx.require_member()
        if len(parts) != 2 or not parts[1].isdigit() or ctx.roles.get(int(parts[1])) is not Role.COORDINATOR:
            return [ctx.text("error.stale_button")]
        async with self._db.transaction() as tx:
            pending = await chat_links_repo.take(tx, parts[0], member.id, utc_timestamp(ctx.now))
        if pending is None:
            return [ctx.text("error.stale_button")]
        return await self._link(ctx, int(parts[1]), pending.chat_address)

    async def _link(self, ctx: Ctx, group_id: int, chat_address: str) -> Replies:
        if ctx.roles.get(group_id) is not Role.COORDINATOR:
            raise NotAuthorized(command="/link")
        group = await self._groups.link_chat(group_id, chat_address)
        return [ctx.text("group.linked", group=group.name)]

    async def members(self, ctx: Ctx, args: list[str]) -> Replies:
        replies = []
        for group_id in ctx.coordinated_groups():
            group = await self._groups.get(group_id)
            if group is None:
                continue
            async with self._db.read() as conn:
                people = await members_repo.group_members(conn, group_id)
            extras: dict[int, str] = {}
            for hook in self.member_line_hooks:
                for member_id, extra in (await hook(group, [m for m, _ in people], ctx.lang)).items():
                    extras[member_id] = (extras.get(member_id, "") + " " + extra).strip()
            lines = [t("members.line", ctx.lang, name=member.display_name, role=t(f"role.{role.value}", ctx.lang),
                       extra=(" — " + extras[member.id]) if member.id in extras else "",
                       unreachable=t("members.unreachable", ctx.lang) if member.unreachable_at else "")
                     for member, role in people]
            title = t("members.title", ctx.lang, group=group.name, count=len(people))
            text = title + "\n" + "\n".join(lines)
            if len(text) > MEMBERS_IN_A_MESSAGE:  # Telegram's limit is 4096: a long list goes as a file
                listing = html.unescape(re.sub(r"<[^>]+>", "", "\n".join(lines))).encode("utf-8")
                replies.append(Reply(text=title + "\n" + t("members.as_file", ctx.lang), attachment=Attachment(
                    kind="document", filename=f"{t('members.filename', ctx.lang)}-{group.id}.txt", content=listing,
                    mime_type="text/plain")))
            else:
                replies.append(Reply(text=text))
        return replies


# Beyond this many characters `/uyeler` sends the list as a file (a message holds 4096).
MEMBERS_IN_A_MESSAGE = 3500
GREETINGS = ("merhaba", "selam", "slm", "mrb", "selamlar", "iyi günler", "hi", "hello", "hey")
_LINK_CODE = re.compile(r"start=([A-Za-z0-9_-]+)")


def invite_code_in(text: str) -> str:
    """The invite code in what was typed or pasted: `AbC123`, `/start AbC123`, or an invite
    link `https://t.me/<bot>?start=AbC123`."""
    if match := _LINK_CODE.search(text):
        return match.group(1)
    words = text.replace("/start", " ").split()
    return words[-1] if words else ""


class JoinCodeFlow:
    """After `/katil` without a code: the next message is the code."""

    kind = "joincode"

    def __init__(self, members: MemberService, conversation: Conversation) -> None:
        self._members = members
        self._conversation = conversation

    async def on_text(self, ctx: Ctx, state: DialogState, text: str) -> Replies:
        replies = await self._members.join(ctx, [invite_code_in(text)])  # a wrong code keeps asking
        await self._conversation.end(ctx)
        return replies

    async def on_choice(self, ctx: Ctx, state: DialogState, parts: list[str]) -> Replies:
        return [ctx.text("error.stale_button")]


def _language_and_code(parts: list[str]) -> tuple[str, str]:
    if len(parts) < 2 or parts[0] not in LANGUAGES:
        raise InvalidAnswer("error.stale_button")
    return parts[0], parts[1]
