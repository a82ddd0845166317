"""Lessons in chat: `/dersler` (`/lessons`), the `ls:` buttons and the lesson dialog.

Buttons (ids are input, never proof: the lesson is looked up, her place is read from the
database, a step that is not hers is answered with her current step):
  ls:list                         the list again
  ls:open:<slug>                  start, resume, or (done) the lesson's card
  ls:next:<slug>:<step>           "Devam" after part <step>
  ls:ans:<slug>:<step>:<choice>   a quiz answer
  ls:retake:<slug>                the quiz again
  ls:read:<slug>                  read the parts again (the quiz result stays)
  ls:doc:<slug>                   the whole lesson as a .docx
  ls:later:<slug> / ls:no:<slug>  an offer put off / declined for good
  ls:stats[:<group>]              coordinators: who has which lesson
  ls:send:<group>[:<slug>]        coordinators: send a lesson to the group (pick, then confirm)
  ls:sendok:<group>:<slug>        … confirmed
  ls:xlsx:<group>                 coordinators: the counts as .xlsx

The dialog (`lesson`, data {"slug"}) only routes typed text: a number for a number question,
a choice's words or number, "devam" for the next part. Her place lives in `lesson_progress`,
so a restart, /iptal or another dialog loses nothing: /dersler resumes where she stopped.
"""

from __future__ import annotations

from datetime import datetime

from bot.errors import InvalidAnswer, NotAuthorized, NotFound
from bot.models import Attachment, Button, Reply, Role
from bot.services.conversation import CommandSpec, Conversation, Ctx, Replies
from bot.services.lessons import render
from bot.services.lessons.content import Lesson
from bot.services.lessons.document import lesson_attachment
from bot.services.lessons.exports import XLSX, lessons_xlsx
from bot.services.lessons.numbers import read_quiz_number
from bot.services.lessons.service import MIN_QUIZ_TAKERS, LessonService, shown_average
from bot.services.surveys.answers import read_choice
from bot.services.surveys.model import Choice, Question, QuestionType
from bot.text import fold
from messages import Markup, t
from storage import lessons as repo
from storage.dialogs import DialogState
from storage.lessons import Progress

KIND = "lesson"
NEXT_WORDS = {"devam", "continue", "next", "ileri", "tamam", "ok"}


class LessonChat:
    kind = KIND
    cancelled_key = "lessons.cancelled"  # /iptal pauses: her place is kept

    def __init__(self, service: LessonService, conversation: Conversation) -> None:
        self._service = service
        self._conversation = conversation

    def register(self) -> None:
        conversation = self._conversation
        conversation.add_command(CommandSpec("lessons", self.list_command, aliases=("dersler",), order=35))
        conversation.add_flow(self)
        conversation.add_choice("ls", self.on_button)

    # -- the list -----------------------------------------------------------------------------
    async def list_command(self, ctx: Ctx, args: list[str]) -> Replies:
        """✅ passed · ▶️ started · 🆕 new, one button per lesson; coordinators also get "who has it"."""
        member = ctx.require_member()
        progress = await self._service.progress(member.id)
        lines = []
        for number, lesson in enumerate(self._service.lessons, start=1):
            lines.append(t("lessons.list_line", ctx.lang, mark=render.mark(lesson, progress.get(lesson.slug)),
                           number=number, title=render.esc(lesson.title.get(ctx.lang)), minutes=lesson.minutes))
        text = t("lessons.list", ctx.lang, lines=Markup("\n".join(lines)))
        buttons = [[render.lesson_button(lesson, progress.get(lesson.slug), ctx.lang, f"ls:open:{lesson.slug}")]
                   for lesson in self._service.lessons]
        if ctx.is_coordinator:
            buttons.append([Button(label=t("lessons.stats_button", ctx.lang), choice="ls:stats",
                                   description=t("lessons.stats_description", ctx.lang))])
        return [Reply(text=text, buttons=buttons)]

    # -- buttons ------------------------------------------------------------------------------
    async def on_button(self, ctx: Ctx, parts: list[str]) -> Replies:
        member = ctx.require_member()
        action = parts[0]
        if action == "list":
            return await self.list_command(ctx, [])
        if action == "stats":
            return await self.stats(ctx, int(parts[1]) if len(parts) > 1 else None)
        if action == "send":
            return await self.send_picker(ctx, int(parts[1]), parts[2] if len(parts) > 2 else None)
        if action == "sendok":
            return await self.send(ctx, int(parts[1]), parts[2])
        if action == "xlsx":
            return await self.xlsx(ctx, int(parts[1]))
        lesson = self._service.lesson(parts[1])
        if action == "open":
            return await self.open(ctx, lesson)
        if action == "next":
            return await self.next(ctx, lesson, int(parts[2]))
        if action == "ans":
            return await self.answer_choice(ctx, lesson, int(parts[2]), int(parts[3]))
        if action == "retake":
            return await self.retake(ctx, lesson)
        if action == "read":
            return await self.reread(ctx, lesson)
        if action == "doc":
            return [Reply(text=t("lessons.document_caption", ctx.lang, title=render.esc(lesson.title.get(ctx.lang))),
                          attachment=lesson_attachment(lesson, ctx.lang))]
        if action == "later":
            return [ctx.text("lessons.later", command=self._list_command(ctx))]
        if action == "no":
            await self._service.decline(member.id, lesson.slug, ctx.now)
            return [ctx.text("lessons.declined", title=render.esc(lesson.title.get(ctx.lang)),
                             command=self._list_command(ctx))]
        raise NotFound()

    @staticmethod
    def _list_command(ctx: Ctx) -> str:
        return "/dersler" if ctx.lang == "tr" else "/lessons"

    # -- taking a lesson -----------------------------------------------------------------------
    async def _load(self, ctx: Ctx, lesson: Lesson) -> Progress:
        member = ctx.require_member()
        async with self._service.db.read() as conn:
            found = await repo.get(conn, member.id, lesson.slug)
        return found or Progress(member_id=member.id, lesson=lesson.slug)

    async def _save(self, ctx: Ctx, progress: Progress) -> None:
        async with self._service.db.write() as tx:
            await repo.save(tx, progress, ctx.now)

    async def open(self, ctx: Ctx, lesson: Lesson, *, before: str = "") -> Replies:
        """Start (part 1), resume at her step, or — quiz answered through — the lesson's card."""
        progress = await self._load(ctx, lesson)
        if progress.step >= lesson.steps:
            if await self._in_this(ctx, lesson):
                await self._conversation.end(ctx)
            return [self._card(ctx, lesson, progress)]
        if not before and (progress.step > 0 or progress.attempts):
            before = t("lessons.resuming", ctx.lang)
        await self._save(ctx, progress)
        await self._conversation.save(ctx, DialogState(KIND, "on", {"slug": lesson.slug}))
        return [self._current(ctx, lesson, progress, before=before)]

    async def _in_this(self, ctx: Ctx, lesson: Lesson) -> bool:
        state = await self._conversation.current_dialog(ctx)
        return state is not None and state.kind == KIND and state.data.get("slug") == lesson.slug

    def _card(self, ctx: Ctx, lesson: Lesson, progress: Progress) -> Reply:
        status = t("lessons.card_passed" if progress.passed_at else "lessons.card_not_passed", ctx.lang,
                   correct=round((progress.best_score or 0) * len(lesson.quiz) / 100), total=len(lesson.quiz))
        text = t("lessons.card", ctx.lang, title=render.esc(lesson.title.get(ctx.lang)), status=status,
                 sources=render.sources_text(lesson, ctx.lang))
        return Reply(text=text, buttons=[[
            Button(label=t("lessons.retake_button", ctx.lang), choice=f"ls:retake:{lesson.slug}"),
            Button(label=t("lessons.reread_button", ctx.lang), choice=f"ls:read:{lesson.slug}"),
            Button(label=t("lessons.document_button", ctx.lang), choice=f"ls:doc:{lesson.slug}")]])

    def _current(self, ctx: Ctx, lesson: Lesson, progress: Progress, *, before: str = "") -> Reply:
        if progress.step < len(lesson.part):
            return render.part_reply(lesson, progress.step, ctx.lang, before=before)
        return render.question_reply(lesson, progress.step - len(lesson.part), ctx.lang, before=before)

    async def next(self, ctx: Ctx, lesson: Lesson, step: int) -> Replies:
        """"Devam" under part `step`: the next part or the first question. An old button (she
        is elsewhere in the lesson) shows where she is."""
        progress = await self._load(ctx, lesson)
        if step != progress.step or step >= len(lesson.part):
            return await self.open(ctx, lesson)
        progress.step += 1
        if progress.step == len(lesson.part):
            progress.correct = 0
        await self._save(ctx, progress)
        await self._conversation.save(ctx, DialogState(KIND, "on", {"slug": lesson.slug}))
        before = t("lessons.quiz_intro", ctx.lang, count=len(lesson.quiz)) if progress.step == len(lesson.part) else ""
        return [self._current(ctx, lesson, progress, before=before)]

    async def answer_choice(self, ctx: Ctx, lesson: Lesson, step: int, index: int) -> Replies:
        progress = await self._load(ctx, lesson)
        if step != progress.step or not len(lesson.part) <= step < lesson.steps:
            if len(lesson.part) <= step < progress.step < lesson.steps:  # an earlier question's button
                return await self.open(ctx, lesson, before=t("lessons.already_answered", ctx.lang))
            return await self.open(ctx, lesson)
        question = lesson.quiz[step - len(lesson.part)]
        if question.type != "choice" or not 0 <= index < len(question.choices):
            raise NotFound()
        return await self._answered(ctx, lesson, progress, index == question.right_choice())

    async def _answered(self, ctx: Ctx, lesson: Lesson, progress: Progress, right: bool) -> Replies:
        question = lesson.quiz[progress.step - len(lesson.part)]
        progress.correct += int(right)
        progress.step += 1
        said = render.verdict(question, right, ctx.lang)
        if progress.step < lesson.steps:
            await self._save(ctx, progress)
            await self._conversation.save(ctx, DialogState(KIND, "on", {"slug": lesson.slug}))
            return [self._current(ctx, lesson, progress, before=said)]
        total = len(lesson.quiz)
        score = round(100 * progress.correct / total, 1)
        progress.attempts += 1
        progress.last_score = score
        progress.best_score = max(score, progress.best_score or 0.0)
        if render.passes(progress.correct, total) and progress.passed_at is None:
            progress.passed_at = ctx.now
        correct = progress.correct
        await self._save(ctx, progress)
        await self._conversation.end(ctx)
        text = said + "\n\n" + render.result_text(lesson, correct, ctx.lang) + "\n\n" + t(
            "lessons.sources", ctx.lang, sources=render.sources_text(lesson, ctx.lang))
        return [Reply(text=text, buttons=render.after_quiz_buttons(lesson, ctx.lang))]

    async def retake(self, ctx: Ctx, lesson: Lesson) -> Replies:
        """The quiz from its first question; her best score and ✅ stay."""
        progress = await self._load(ctx, lesson)
        if progress.step < len(lesson.part):  # not read yet: read first
            return await self.open(ctx, lesson)
        progress.step, progress.correct = len(lesson.part), 0
        await self._save(ctx, progress)
        await self._conversation.save(ctx, DialogState(KIND, "on", {"slug": lesson.slug}))
        return [self._current(ctx, lesson, progress, before=t("lessons.quiz_intro", ctx.lang, count=len(lesson.quiz)))]

    async def reread(self, ctx: Ctx, lesson: Lesson) -> Replies:
        progress = await self._load(ctx, lesson)
        progress.step, progress.correct = 0, 0
        await self._save(ctx, progress)
        await self._conversation.save(ctx, DialogState(KIND, "on", {"slug": lesson.slug}))
        return [self._current(ctx, lesson, progress)]

    # -- the dialog: typed text ----------------------------------------------------------------
    async def on_text(self, ctx: Ctx, state: DialogState, text: str) -> Replies:
        try:
            lesson = self._service.lesson(str(state.data.get("slug")))
        except NotFound:
            await self._conversation.end(ctx)
            return [ctx.text("lessons.gone")]
        progress = await self._load(ctx, lesson)
        if progress.step >= lesson.steps:
            await self._conversation.end(ctx)
            return [self._card(ctx, lesson, progress)]
        word = fold(text).strip(" .!")
        if progress.step < len(lesson.part):
            if word in NEXT_WORDS:
                return await self.next(ctx, lesson, progress.step)
            if self._conversation.is_keyword(text):
                return await self._keyword(ctx, text)
            return [self._current(ctx, lesson, progress, before=t("lessons.tap_next", ctx.lang))]
        question = lesson.quiz[progress.step - len(lesson.part)]
        try:
            if question.type == "number":
                value = read_quiz_number(text, render.question_units(question), ctx.lang)
                return await self._answered(ctx, lesson, progress, question.is_right(value))
            name = read_choice(text, _as_survey_question(question))
            return await self._answered(ctx, lesson, progress, int(name) - 1 == question.right_choice())
        except InvalidAnswer as refused:
            if self._conversation.is_keyword(text):
                return await self._keyword(ctx, text)
            hint = t("lessons.bad_number" if question.type == "number" else "lessons.bad_choice", ctx.lang,
                     problem=t(refused.key, ctx.lang, **refused.params))
            return [self._current(ctx, lesson, progress, before=hint)]

    async def _keyword(self, ctx: Ctx, text: str) -> Replies:
        """A command's word typed mid-lesson: the lesson pauses (her place is kept) and the
        command runs."""
        await self._conversation.end(ctx)
        note = t("lessons.paused", ctx.lang, command=self._list_command(ctx))
        replies = await self._conversation.run_keyword(ctx, text)
        if replies and replies[0].attachment is None:  # one message, not two (WhatsApp bills each)
            return [replies[0].model_copy(update={"text": note + "\n\n" + replies[0].text}), *replies[1:]]
        return [Reply(text=note), *replies]

    async def on_choice(self, ctx: Ctx, state: DialogState, parts: list[str]) -> Replies:
        return await self.on_button(ctx, parts)

    async def resume(self, ctx: Ctx, state: DialogState) -> Replies:
        lesson = self._service.lesson(str(state.data.get("slug")))
        progress = await self._load(ctx, lesson)
        if progress.step >= lesson.steps:
            return []
        return [self._current(ctx, lesson, progress, before=t("lessons.back_to_it", ctx.lang))]

    async def expects(self, ctx: Ctx, state: DialogState) -> str | None:
        try:
            lesson = self._service.lesson(str(state.data.get("slug")))
        except NotFound:
            return None
        progress = await self._load(ctx, lesson)
        if progress.step < len(lesson.part):
            return t("lessons.expects_next", ctx.lang)
        if progress.step < lesson.steps and lesson.quiz[progress.step - len(lesson.part)].type == "number":
            return t("lessons.expects_number", ctx.lang,
                     example=render.number_example(lesson.quiz[progress.step - len(lesson.part)], ctx.lang))
        return t("lessons.expects_choice", ctx.lang)

    async def expects_number(self, ctx: Ctx, state: DialogState) -> bool:
        try:
            lesson = self._service.lesson(str(state.data.get("slug")))
        except NotFound:
            return False
        progress = await self._load(ctx, lesson)
        return (len(lesson.part) <= progress.step < lesson.steps
                and lesson.quiz[progress.step - len(lesson.part)].type == "number")

    # -- coordinators --------------------------------------------------------------------------
    def _require_coordinator(self, ctx: Ctx, group_id: int | None = None) -> list[int]:
        groups = ctx.coordinated_groups()
        if not groups or (group_id is not None and ctx.roles.get(group_id) is not Role.COORDINATOR):
            raise NotAuthorized(command=self._list_command(ctx))
        return groups

    async def stats(self, ctx: Ctx, group_id: int | None) -> Replies:
        """Per lesson: how many members (coordinators not counted) passed, started, the quiz
        average (only from MIN_QUIZ_TAKERS takers up); then, per lesson, who passed (names,
        coordinators only; never answers or scores)."""
        groups = self._require_coordinator(ctx, group_id)
        if group_id is None and len(groups) > 1:
            buttons = []
            for gid in groups:
                group = await self._service.group(gid)
                buttons.append([Button(label=group.name[:24], choice=f"ls:stats:{gid}")])
            return [Reply(text=t("lessons.pick_group", ctx.lang), buttons=buttons)]
        group = await self._service.group(group_id if group_id is not None else groups[0])
        stats, passed, members = await self._service.stats(group.id)
        lines = []
        for number, lesson in enumerate(self._service.lessons, start=1):
            found = stats.get(lesson.slug)
            names = [member.display_name for member in members if lesson.slug in passed.get(member.id, set())]
            average = average_text(found, ctx.lang)
            lines.append(t("lessons.stats_line", ctx.lang, number=number, title=render.esc(lesson.short.get(ctx.lang)),
                           passed=found.passed if found else 0, total=len(members),
                           started=(found.started - found.passed) if found else 0, average=average))
            if names:  # only whether she completed it: never her answers or score
                lines.append(t("lessons.stats_names", ctx.lang, names=", ".join(names)))
        text = t("lessons.stats", ctx.lang, group=render.esc(group.name), lines=Markup("\n".join(lines)),
                 minimum=MIN_QUIZ_TAKERS)
        return [Reply(text=text, buttons=[[Button(label=t("lessons.send_button", ctx.lang), choice=f"ls:send:{group.id}"),
                                           Button(label=t("lessons.xlsx_button", ctx.lang), choice=f"ls:xlsx:{group.id}")]])]

    async def xlsx(self, ctx: Ctx, group_id: int) -> Replies:
        """The same as `koordinat export lessons GROUP`, as a file in the chat."""
        self._require_coordinator(ctx, group_id)
        group = await self._service.group(group_id)
        stats, passed, members = await self._service.stats(group_id)
        content = lessons_xlsx(self._service.lessons, stats, passed, members, ctx.lang)
        name = t("lessons.xlsx_filename", ctx.lang)
        return [Reply(text=t("lessons.xlsx_caption", ctx.lang, group=render.esc(group.name)),
                      attachment=Attachment(kind="document", filename=f"{name}-{group_id}.xlsx", content=content,
                                            mime_type=XLSX))]

    async def send_picker(self, ctx: Ctx, group_id: int, slug: str | None) -> Replies:
        self._require_coordinator(ctx, group_id)
        group = await self._service.group(group_id)
        if slug is None:
            progress = await self._service.progress(ctx.require_member().id)
            buttons = [[render.lesson_button(lesson, progress.get(lesson.slug), ctx.lang,
                                             f"ls:send:{group_id}:{lesson.slug}")] for lesson in self._service.lessons]
            return [Reply(text=t("lessons.send_which", ctx.lang, group=render.esc(group.name)), buttons=buttons)]
        lesson = self._service.lesson(slug)
        return [Reply(text=t("lessons.send_confirm", ctx.lang, title=render.esc(lesson.title.get(ctx.lang)),
                             group=render.esc(group.name)),
                      buttons=[[Button(label=t("lessons.send_yes", ctx.lang), choice=f"ls:sendok:{group_id}:{slug}"),
                                Button(label=t("lessons.send_no", ctx.lang), choice="ls:list")]])]

    async def send(self, ctx: Ctx, group_id: int, slug: str) -> Replies:
        self._require_coordinator(ctx, group_id)
        lesson = self._service.lesson(slug)
        group = await self._service.group(group_id)
        count = await self._service.send_to_group(group_id, slug, ctx.require_member())
        return [ctx.text("lessons.sent", title=render.esc(lesson.title.get(ctx.lang)), group=render.esc(group.name),
                         count=count)]

    # -- offers in her own replies ---------------------------------------------------------------
    async def offer_on_propose(self, ctx: Ctx, now: datetime) -> Reply | None:
        """Her first /oneri: the proposal-writing lesson, if the offer rules allow (once: the
        first time only, even if she took no action on it)."""
        if ctx.member is None or not ctx.roles:
            return None
        slug = "proposal-writing"
        if not self._service.has(slug) or await self._service.ever_offered(ctx.member.id, slug):
            return None
        return await self._service.offer_in_reply(ctx.member.id, next(iter(ctx.roles)), slug, "propose", now)


def average_text(found: object, lang: str) -> str:
    """The average part of a stats line: "test ortalaması %80", "testi 3 üyeden az çözdü…"
    (fewer than MIN_QUIZ_TAKERS finished quizzes: the average would be a person's score) or
    "henüz test yok" (nobody finished the quiz)."""
    average = shown_average(found)  # type: ignore[arg-type]
    if average is not None:
        return t("lessons.stats_average", lang, average=round(average))
    if found is not None and getattr(found, "takers", 0):
        return t("lessons.stats_few_takers", lang, minimum=MIN_QUIZ_TAKERS)
    return t("lessons.stats_no_average", lang)


def _as_survey_question(question: object) -> Question:
    """A quiz choice question as a survey `select_one` question, so that typed answers are
    read exactly as survey answers are (number, words, any case, with or without Turkish
    letters: `bir`, `2`, `gösterge`)."""
    choices = [Choice(name=str(index), label={"tr": choice.tr, "en": choice.en})
               for index, choice in enumerate(question.choices, start=1)]  # type: ignore[attr-defined]
    return Question(name="quiz", type=QuestionType.SELECT_ONE, label={"tr": "quiz", "en": "quiz"}, choices=choices)
