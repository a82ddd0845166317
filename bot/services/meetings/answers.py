"""Members answer a meeting: a tap on ✅ / ❌ / 🤔, or typed `EVET`, `hayır`, `belki`; and
fetch its calendar file."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.models import Button, Member, Reply, Role
from bot.services.meetings import render
from bot.errors import InvalidAnswer, NotFound
from bot.services.conversation import Conversation, Ctx, Replies
from storage import outbox as outbox_repo
from storage.dialogs import DialogState
from bot.text import fold
from bot.typed_answers import read_answer
from messages import t
from storage import meetings as meetings_repo
from storage.db import Database
from storage.meetings import ANSWERS, Meeting

if TYPE_CHECKING:
    from bot.services.meetings.service import MeetingService

# Only words that clearly answer an invitation (a lone "ok" or "tamam" is not an RSVP);
# compared after `fold`, so EVET, Evet, HAYIR and hayır all count.
TYPED_ANSWERS = {
    **dict.fromkeys(("evet", "katiliyorum", "katilacagim", "geliyorum", "gelecegim", "gelirim", "oradayim",
                     "evet katiliyorum", "evet geliyorum", "evet gelecegim", "yes", "i'll attend", "ill attend",
                     "i will attend", "attending", "i'm coming", "im coming", "i will come", "i'll come",
                     "yes i'll attend", "yes i will attend", "i can come"), "yes"),
    **dict.fromkeys(("hayir", "katilamiyorum", "katilamayacagim", "katilamam", "gelemiyorum", "gelemeyecegim",
                     "gelemem", "hayir gelemiyorum", "hayir katilamiyorum", "no", "i can't attend", "i cant attend",
                     "i cannot attend", "can't attend", "cant attend", "i can't come", "i cant come",
                     "i cannot come", "i won't attend", "i won't come", "no i can't attend"), "no"),
    **dict.fromkeys(("belki", "belki gelirim", "belki katilirim", "emin degilim", "bilmiyorum", "maybe",
                     "not sure", "perhaps", "maybe i'll come"), "maybe"),
}
_NOISE = re.compile(r"[^\w' ]+")
WHICH_ONE_LIMIT = 5
# Mid-dialog, a typed sentence answers the meeting just announced only when it is this short.
SHORT_ANSWER_WORDS = 8


def exact_answer(text: str) -> str | None:
    """`EVET!`, `✅ Katılıyorum`, `hayır.` — the text is nothing but an answer word → yes / no /
    maybe; anything else → None."""
    words = " ".join(_NOISE.sub(" ", fold(text).replace("’", "'")).split())
    return TYPED_ANSWERS.get(words)


def typed_answer(text: str) -> str | None:
    """yes / no / maybe as written in a sentence (`Maalesef katılamayacağım, kusura bakmayın`,
    `sorry, I can't make it`; `bot.typed_answers.read_answer`), else None."""
    return exact_answer(text) or read_answer(text).answer


NOTE_LENGTH = 300
NOTE_WINDOW = timedelta(minutes=30)
# A typed answer this soon after a meeting's notice or reminder (and nothing else since) answers it.
JUST_SENT = timedelta(hours=12)


class NoteFlow:
    """The optional reason after a "no" or "maybe": the next message is the note (a typed
    RSVP word changes the answer instead), "Geç" skips."""

    kind = "rsvpnote"

    def __init__(self, answers: MeetingAnswers, conversation: Conversation, db: Database) -> None:
        self._answers = answers
        self._conversation = conversation
        self._db = db

    async def on_text(self, ctx: Ctx, state: DialogState, text: str) -> Replies:
        note = " ".join(text.split())
        if len(note) > NOTE_LENGTH:
            raise InvalidAnswer("rsvp.note_too_long", limit=NOTE_LENGTH, length=len(note))
        await self._conversation.end(ctx)
        late = ctx.now > datetime.fromisoformat(str(state.data.get("until") or ctx.now.isoformat()))
        # only a bare answer word changes the answer: "İşim var, gelemiyorum" is her reason
        if late or exact_answer(text) is not None or self._conversation.is_keyword(text):
            # an answer, a command's word, or much later: not a note after all
            return await self._conversation.on_text(ctx.actor, text)
        member = ctx.require_member()
        async with self._db.transaction() as tx:
            saved = await meetings_repo.set_note(tx, int(state.data["meeting_id"]), member.id, note)
        return [ctx.text("rsvp.note_saved" if saved else "error.stale_button")]

    async def on_choice(self, ctx: Ctx, state: DialogState, parts: list[str]) -> Replies:
        return [ctx.text("error.stale_button")]


class MeetingAnswers:
    def __init__(self, meetings: MeetingService, db: Database, conversation: Conversation) -> None:
        self._meetings = meetings
        self._db = db
        self._conversation = conversation
        self.note_flow = NoteFlow(self, conversation, db)

    async def on_rsvp(self, ctx: Ctx, parts: list[str]) -> Replies:
        """`rsvp:<meeting>:<answer>`: record it and show the choice on the pressed message."""
        member = ctx.require_member()
        if len(parts) != 2 or parts[1] not in ANSWERS:
            return [ctx.text("error.stale_button")]
        meeting = await self._meetings.meeting_of_choice(ctx, parts[0])
        return await self.record(ctx, member, meeting, parts[1], edit_of=ctx.actor.source_message_id)

    async def record(self, ctx: Ctx, member: Member, meeting: Meeting, answer: str,
                     edit_of: str | None) -> Replies:
        group = await self._meetings.group(meeting.group_id)
        if meeting.cancelled:
            if edit_of is not None:  # the stale buttons go; the message says why
                return [render.cancellation(meeting, group, ctx.lang, edit_of=edit_of)]
            return [ctx.text("meeting.was_cancelled", title=meeting.title)]
        if meeting.starts_at <= ctx.now:
            return [ctx.text("meeting.already_started", title=meeting.title)]
        # One read and one upsert inside the update's transaction: no savepoint of their own (a
        # failure fails the update, which rolls back whole), and the needs come with the answer.
        async with self._db.write() as tx:
            before, needs = await meetings_repo.rsvp_and_needs(tx, meeting.id, member.id)
            await meetings_repo.set_rsvp(tx, meeting.id, member.id, answer, ctx.now)
        if answer == "no":  # set_rsvp drops the needs of someone not coming
            needs = ()
        if edit_of is not None and before == answer:
            # The pressed message already shows this answer: editing it into the same text and
            # buttons is refused by Telegram (400 "message is not modified") and costs a call.
            return []
        if edit_of is None:
            return [ctx.text("rsvp.recorded", title=meeting.title, answer=t(render.ANSWER_KEYS[answer], ctx.lang))]
        if ctx.roles.get(group.id) is Role.COORDINATOR:  # her card keeps the tally and tools
            card = await self._meetings.overview.card(ctx, member, meeting)
            return [card.model_copy(update={"edit_of": edit_of})]
        reply = render.invitation(meeting, group, ctx.lang, chosen=answer, heading="meeting.upcoming", edit_of=edit_of,
                                  needs=needs)
        if await self._offer_note(ctx, meeting, answer):  # in the same message: no extra one to pay for
            reply = reply.model_copy(update={"text": reply.text + "\n\n" + t("rsvp.ask_note", ctx.lang)})
        return [reply]

    async def _offer_note(self, ctx: Ctx, meeting: Meeting, answer: str) -> bool:
        """With a tapped "no" or "maybe", the next message may be a reason for the coordinators
        (for `NOTE_WINDOW`) — unless another dialog is open, which it must not replace."""
        if answer == "yes" or await self._conversation.current_dialog(ctx) is not None:
            return False
        await self._conversation.save(ctx, DialogState(NoteFlow.kind, "note", {
            "meeting_id": meeting.id, "until": (ctx.now + NOTE_WINDOW).isoformat()}))
        return True

    async def on_typed_answer(self, ctx: Ctx, text: str) -> Replies | None:
        """Typed `EVET` / `hayır` / `belki` / `katılamıyorum`: right after a meeting's notice or
        reminder, that meeting; otherwise the one upcoming meeting she has not answered yet (or
        the one upcoming meeting at all). When several fit, she picks with a button that names
        the group too."""
        answer = typed_answer(text)
        unsure = answer is None and read_answer(text).plausible
        if (answer is None and not unsure) or ctx.member is None:
            return None
        member = ctx.member
        pending = await self._conversation.pending_choices(ctx)  # read once per update
        async with self._db.read() as conn:  # the last message she saw, if a meeting's notice
            last = await outbox_repo.last_broadcast_to(conn, ctx.actor.channel, ctx.actor.external_id,
                                                       pending.outbox_mark if pending else 0,
                                                       since=(ctx.now - JUST_SENT).timestamp())
        latest = meetings_repo.meeting_of_broadcast(*last) if last else None
        upcoming = await self._meetings.upcoming(list(ctx.roles), limit=WHICH_ONE_LIMIT)
        if not upcoming:
            return [ctx.text("meeting.none_to_answer")] if answer is not None else None
        just_told = next((meeting for meeting in upcoming if meeting.id == latest), None)
        if answer is not None and just_told is None and exact_answer(text) is None \
                and len(text.split()) > SHORT_ANSWER_WORDS:
            answer = None  # a long sentence long after any notice: confirm with the buttons, not guess
        if answer is None:  # `maalesef...`, `sorry`: she answers, but what? Ask with the buttons.
            return await self._ask_which_answer(ctx, member, just_told, upcoming)
        if just_told is not None:
            return await self.record(ctx, member, just_told, answer, edit_of=None)
        async with self._db.read() as conn:
            answered = await meetings_repo.answered_by(conn, member.id, [meeting.id for meeting in upcoming])
        open_ones = [meeting for meeting in upcoming if meeting.id not in answered] or upcoming
        if len(open_ones) == 1:
            return await self.record(ctx, member, open_ones[0], answer, edit_of=None)
        buttons = []
        for meeting in open_ones:
            group = await self._meetings.group(meeting.group_id)
            buttons.append([Button(label=t("meeting.which_one_choice", ctx.lang, title=meeting.title,
                                           group=group.name, when=render.short(meeting.starts_at, group, ctx.lang)),
                                   choice=f"rsvp:{meeting.id}:{answer}")])
        return [Reply(text=t("meeting.which_one", ctx.lang, answer=t(render.ANSWER_KEYS[answer], ctx.lang)),
                      buttons=buttons)]

    async def _ask_which_answer(self, ctx: Ctx, member: Member, just_told: Meeting | None,
                                upcoming: list[Meeting]) -> Replies | None:
        """The meeting's three answer buttons under "did you mean to answer this?" — for the
        meeting just announced, else the one she has not answered (None when that is unclear)."""
        meeting = just_told
        if meeting is None:
            async with self._db.read() as conn:
                answered = await meetings_repo.answered_by(conn, member.id, [m.id for m in upcoming])
            open_ones = [m for m in upcoming if m.id not in answered] or upcoming
            if len(open_ones) != 1:
                return None
            meeting = open_ones[0]
        group = await self._meetings.group(meeting.group_id)
        buttons = [Button(label=t(render.ANSWER_KEYS[answer], ctx.lang), choice=f"rsvp:{meeting.id}:{answer}")
                   for answer in ANSWERS]
        return [Reply(text=t("rsvp.which_answer", ctx.lang, title=meeting.title,
                             when=render.short(meeting.starts_at, group, ctx.lang)), buttons=[buttons])]

    async def on_typed_after_notice(self, ctx: Ctx, state: DialogState, text: str) -> Replies | None:
        """Typed `evet` / `katılıyorum`… while another dialog is open (a survey question, say),
        when the last message she got since that dialog's question is a meeting's notice,
        change or reminder: it answers that meeting, not the dialog (the dialog's question is
        shown again after). None when the text is no RSVP word or no such notice came. A long
        sentence is the dialog's answer (a survey's free text may say "katılamıyorum çünkü…")."""
        answer = exact_answer(text) or (typed_answer(text) if len(text.split()) <= SHORT_ANSWER_WORDS else None)
        if answer is None or ctx.member is None:
            return None
        async with self._db.read() as conn:
            last = await outbox_repo.last_broadcast_to(conn, ctx.actor.channel, ctx.actor.external_id,
                                                       state.outbox_mark, since=(ctx.now - JUST_SENT).timestamp())
        latest = meetings_repo.meeting_of_broadcast(*last) if last else None
        if latest is None:
            return None
        try:
            meeting = await self._meetings.meeting(latest)
        except NotFound:
            return None
        if meeting.group_id not in ctx.roles or meeting.cancelled or meeting.starts_at <= ctx.now:
            return None  # no longer hers, called off or begun: the dialog takes the text
        return await self.record(ctx, ctx.member, meeting, answer, edit_of=None)

    async def on_need(self, ctx: Ctx, parts: list[str]) -> Replies:
        """`need:<meeting>:<need>`: tick or untick a support need on her yes/maybe answer."""
        member = ctx.require_member()
        if len(parts) != 2 or parts[1] not in render.NEEDS:
            return [ctx.text("error.stale_button")]
        meeting = await self._meetings.meeting_of_choice(ctx, parts[0])
        group = await self._meetings.group(meeting.group_id)
        if meeting.cancelled or meeting.starts_at <= ctx.now or parts[1] not in render.enabled_needs(group):
            return [ctx.text("error.stale_button")]
        async with self._db.transaction() as tx:
            needs = await meetings_repo.toggle_need(tx, meeting.id, member.id, parts[1])
            answer = await meetings_repo.rsvp_of(tx, meeting.id, member.id)
        if needs is None:
            return [ctx.text("error.stale_button")]
        return [render.invitation(meeting, group, ctx.lang, chosen=answer, heading="meeting.upcoming",
                                  edit_of=ctx.actor.source_message_id, needs=needs)]

    async def on_calendar(self, ctx: Ctx, parts: list[str]) -> Replies:
        """`ics:<meeting>`: the .ics file (a cancelling one once the meeting is called off)."""
        ctx.require_member()
        meeting = await self._meetings.meeting_of_choice(ctx, parts[0] if parts else "")
        group = await self._meetings.group(meeting.group_id)
        return [self._meetings.calendar_file(meeting, group, ctx.lang, ctx.now)]
