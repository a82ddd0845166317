"""Answering a survey in the private chat, one question at a time (issue 9 §3).

The dialog (kind `sv`) lives in the `dialogs` table and the response's `current_question`,
so a restart mid-survey resumes at the same question, and a member who leaves (another
command, /iptal, tomorrow) continues from /anketler where she stopped. Buttons carry
`sv:<survey>:<action>:<question index>[:<choice index>]` — positions, never values: the
server looks the survey, her response and the question up, and a forged or stale id gets the
polite stale-button answer. Typed words are matched against the pending question's buttons
first (docs/architecture.md).
"""

from __future__ import annotations

import html
import mimetypes
import re
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.errors import InvalidAnswer
from bot.models import Button, Reply, Upload
from bot.services.conversation import Conversation, Ctx, Replies
from bot.services.surveys import calc
from bot.services.surveys.answers import example_for, format_answer, read_answer, read_geopoint
from bot.services.surveys.results import MINIMUM_ANONYMOUS_RESPONSES
from bot.services.surveys.model import (
    Answer,
    Evidence,
    Question,
    QuestionType,
    Response,
    Survey,
    SurveyForm,
    localized,
    relevant,
)
from bot.text import fold
from messages import format_datetime, t
from storage import dialogs as dialogs_repo
from storage import surveys as repo
from storage.dialogs import DialogState

if TYPE_CHECKING:
    from bot.services.surveys.service import SurveyService

KIND = "sv"
BACK_WORDS = frozenset({"geri", "onceki", "back", "previous", "<"})
SKIP_WORDS = frozenset({"atla", "gec", "bos", "skip", "pass", "-"})
SUBMIT_WORDS = frozenset({"gonder", "onayla", "tamam", "evet", "submit", "send", "confirm", "yes", "ok"})
CHANGE_WORDS = frozenset({"degistir", "duzelt", "change", "edit"})
COMMENT_MAX = 1000
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
EVIDENCE_KINDS = ("photo", "document", "video", "audio", "voice")
# Re-ask texts that a form's own `constraint_message` replaces (XLSForm), and the skip refusal
# its `required_message` replaces.
CONSTRAINT_KEYS = frozenset({"survey.too_small", "survey.too_big", "survey.too_early", "survey.too_late",
                             "survey.text_too_long", "survey.text_too_short", "survey.bad_pattern",
                             "survey.percentage_out_of_range"})
LABEL_WIDTH = 40  # a question's label on a "change which?" button
# Channels that bill every message (WhatsApp): the last answer sends the survey, and its
# confirmation holds the review and the thanks (N questions cost N + 2 messages with the
# invitation); the way back is the last question's ⬅️ Back, which it says.
SUBMIT_AT_LAST_ANSWER = frozenset({"whatsapp"})


def visible_questions(form: SurveyForm, answers: dict[str, Answer]) -> list[Question]:
    """The answerable questions to ask given the answers so far (`relevant` applied in order)."""
    return [question for question in form.answerable if relevant(question, form, answers)]


def answered(question: Question, answers: dict[str, Answer]) -> bool:
    """Answered or skipped on purpose (a comment alone does not answer)."""
    answer = answers.get(question.name)
    return answer is not None and (answer.skipped or answer.value(question) is not None)


def count_text(form: SurveyForm, lang: str) -> str:
    """How many questions, as the intro says it: "6 soru", or with skip logic (`relevant`)
    "en fazla 4 soru" — the questions that can be asked, so the count never grows mid-way."""
    key = "survey.count_at_most" if has_skip_logic(form) else "survey.count_exact"
    return t(key, lang, count=len(form.answerable))


def has_skip_logic(form: SurveyForm) -> bool:
    return any(question.relevant is not None or question.conditions for question in form.answerable)


_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.\-]*)\}")


def filled(text: str, form: SurveyForm, answers: dict[str, Answer], lang: str) -> str:
    """A label with XLSForm `${name}` references replaced by her answers ("…" when not
    answered yet): "Thanks for your time ${name}!" → "Thanks for your time Ayşe!"."""
    if "${" not in text:
        return text

    def one(match: re.Match[str]) -> str:
        question = form.question(match.group(1))
        answer = answers.get(match.group(1))
        if question is None or answer is None or answer.skipped:
            return "…"
        return format_answer(question, answer, lang)

    return _REF.sub(one, text)


def default_shown(question: Question, lang: str) -> str:
    """A form's `default` as she would see the answer (`2,5` in Turkish), or as written."""
    try:
        value = read_answer(question, question.default or "", "en")
    except InvalidAnswer:
        return question.default or ""
    return format_answer(question, Answer.of(question, value), lang)


ANONYMOUS_LOCATION_DECIMALS = 2  # about 1 km: a neighbourhood, not her door


def coarse_location(value: str) -> str:
    """A "lat lon" rounded to `ANONYMOUS_LOCATION_DECIMALS` places, for an anonymous survey:
    a shared location to a metre would say who answered."""
    parts = [round(float(part), ANONYMOUS_LOCATION_DECIMALS) for part in value.split()[:2]]
    return " ".join(f"{part:g}" for part in parts)


def calculated(form: SurveyForm, answers: dict[str, Answer]) -> list[Answer]:
    """The form's `calculate` values for the answers so far, in form order (each may use the
    ones before it); a calculate whose inputs are missing is stored as skipped."""
    values: dict[str, float | None] = {}
    for name, answer in answers.items():
        question = form.question(name)
        value = answer.value(question) if question is not None else None
        values[name] = float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
    result = []
    for question in form.questions:
        if question.type != QuestionType.CALCULATE or not question.calculation:
            continue
        value = calc.evaluate(question.calculation, values)
        values[question.name] = value
        result.append(Answer.of(question, value))
    return result


def first_missing(form: SurveyForm, answers: dict[str, Answer]) -> Question | None:
    """The first required question, among those skip logic asks, without an answer; None when
    the response can be submitted."""
    for question in visible_questions(form, answers):
        answer = answers.get(question.name)
        if question.required and (answer is None or answer.skipped or answer.value(question) is None):
            return question
    return None


def hidden_answers(form: SurveyForm, answers: dict[str, Answer]) -> set[str]:
    """Answers to questions skip logic no longer asks (a changed earlier answer): dropped at
    submission."""
    kept = {question.name for question in visible_questions(form, answers)}
    kept |= {question.name for question in form.questions if question.type == QuestionType.CALCULATE}
    return set(answers) - kept


class AnsweringFlow:
    kind = KIND

    def __init__(self, service: SurveyService, conversation: Conversation, files_dir: Path) -> None:
        self._service = service
        self._conversation = conversation
        self._files_dir = files_dir

    async def expects_number(self, ctx: Ctx, state: DialogState) -> bool:
        """Whether the current question is typed as a number (integer, decimal, percentage),
        so that a client turning typed digits into button presses (the demo) sends them as text."""
        if not state.step.startswith("q:"):
            return False
        survey = await self._service.survey(int(state.data["survey_id"]))
        if survey is None:
            return False
        question = (await self._service.form(survey)).question(state.step[2:])
        return question is not None and question.type.value in ("integer", "decimal", "percentage")

    async def resume(self, ctx: Ctx, state: DialogState) -> Replies:
        """Her current question again, headed "back to your survey" (after a typed answer to a
        newer message, e.g. a meeting notice, interrupted the survey)."""
        loaded = await self._load_open(ctx, state)
        if not isinstance(loaded, tuple):
            return loaded
        survey, form, response = loaded
        return [await self._prompt(ctx, survey, form, response, state.step,
                                   before=t("survey.back_to_it", ctx.lang))]

    # -- entry points -----------------------------------------------------------------------
    async def start(self, ctx: Ctx, survey_id: int) -> Replies:
        """Begin or resume her response (Start button, /anketler)."""
        return (await self._start(ctx, survey_id))[0]

    async def _start(self, ctx: Ctx, survey_id: int) -> tuple[Replies, bool]:
        """The replies, and whether she is now answering (False: refused, sent, closed)."""
        member = ctx.require_member()
        survey = await self._service.survey_for_member(ctx, survey_id)
        if survey is None:
            return [ctx.text("error.stale_button")], False
        async with self._service.db.read() as conn:
            recipient = await repo.recipient(conn, survey.id, member.id)
        if recipient is not None and recipient.submitted_at is not None:
            return [ctx.text("survey.already_submitted", title=await self._service.title(survey, ctx.lang))], False
        refusal = await self._refusal(ctx, survey)
        if refusal is not None:
            return refusal, False
        if not await self._service.has_consent(member.id):
            return [ctx.text("survey.no_consent", command="/gizlilik" if ctx.lang == "tr" else "/privacy")], False
        async with self._service.db.transaction() as tx:
            recipient = await repo.recipient(tx, survey.id, member.id)
            if recipient is not None and recipient.submitted_at is not None:
                return [ctx.text("survey.already_submitted",
                                 title=await self._service.title(survey, ctx.lang))], False
            response = await repo.start_response(tx, survey, member.id, ctx.now)
        form = await self._service.form(survey)
        step = self._resume_step(form, response)
        state = DialogState(KIND, step, {"survey_id": survey.id, "response_id": response.id})
        await self._conversation.save(ctx, state)
        replies: Replies = []
        if not response.answers:
            replies.append(ctx.text("survey.intro", title=localized(form.title, ctx.lang),
                                    count=count_text(form, ctx.lang),
                                    deadline=format_datetime(survey.deadline, ctx.lang, await self._zone(survey)),
                                    anonymous=t("survey.anonymous_note" if survey.anonymous else "survey.named_note",
                                                ctx.lang, minimum=MINIMUM_ANONYMOUS_RESPONSES)))
        else:
            replies.append(ctx.text("survey.resuming", title=localized(form.title, ctx.lang)))
        replies.append(await self._prompt(ctx, survey, form, response, step))
        return replies, True

    def _resume_step(self, form: SurveyForm, response: Response) -> str:
        visible = visible_questions(form, response.answers)
        current = response.current_question
        if current and current.startswith("q:") and form.question(current[2:]) in visible:
            return current
        for question in visible:
            if not answered(question, response.answers):
                return f"q:{question.name}"
        return "summary"

    async def _refusal(self, ctx: Ctx, survey: Survey) -> Replies | None:
        if not survey.is_open or survey.deadline <= ctx.now:
            return [ctx.text("survey.closed", title=await self._service.title(survey, ctx.lang))]
        return None

    async def _zone(self, survey: Survey) -> str:
        return (await self._service.group(survey.group_id)).timezone

    # -- loading the dialog's world ------------------------------------------------------------
    async def _load(self, ctx: Ctx, state: DialogState) -> tuple[Survey, SurveyForm, Response] | None:
        async with self._service.db.read() as conn:
            survey = await repo.get_survey(conn, int(state.data.get("survey_id", 0)))
            response = await repo.get_response(conn, int(state.data.get("response_id", 0)))
        if survey is None or response is None or response.survey_id != survey.id:
            return None
        if not survey.anonymous and response.member_id != (ctx.member.id if ctx.member else None):
            return None
        return survey, await self._service.form(survey), response

    async def _load_open(self, ctx: Ctx, state: DialogState) -> tuple[Survey, SurveyForm, Response] | Replies:
        """Her response in progress, or (the dialog ended) the reply saying it is gone or the
        survey closed."""
        loaded = await self._load(ctx, state)
        if loaded is None:
            await self._conversation.end(ctx)
            return [ctx.text("survey.gone")]
        if loaded[2].submitted:  # sent already (the closing sends a complete response)
            await self._conversation.end(ctx)
            return [ctx.text("survey.already_submitted", title=localized(loaded[1].title, ctx.lang))]
        refusal = await self._refusal(ctx, loaded[0])
        if refusal is not None:
            await self._conversation.end(ctx)
            return refusal
        return loaded

    # -- asking ---------------------------------------------------------------------------------
    async def _prompt(self, ctx: Ctx, survey: Survey, form: SurveyForm, response: Response, step: str,
                      *, before: str | None = None, edit_of: str | None = None) -> Reply:
        if step == "summary":
            return self._summary(ctx, survey, form, response, before=before)
        name = step.split(":", 1)[1]
        question = form.question(name)
        assert question is not None
        if step.startswith("c:"):
            return Reply(text=t("survey.ask_comment", ctx.lang, question=localized(question.label, ctx.lang)))
        visible = visible_questions(form, response.answers)
        position = visible.index(question) + 1 if question in visible else len(visible)
        lines = []
        if before:
            lines.append(before)
        notes = filled(self._notes_before(form, question, ctx.lang, response.answers), form, response.answers,
                       ctx.lang)
        if notes:
            lines.append(notes)
        # The total is every question that can be asked, so it stays put when skip logic opens
        # or closes a follow-up ("2/4", never "1/3" then "2/4").
        lines.append(t("survey.question_at_most" if has_skip_logic(form) else "survey.question", ctx.lang,
                       position=position, total=len(form.answerable),
                       label=filled(localized(question.label, ctx.lang), form, response.answers, ctx.lang)))
        hint = filled(localized(question.hint, ctx.lang), form, response.answers, ctx.lang)
        if hint:
            lines.append(t("survey.hint", ctx.lang, hint=hint))
        lines.append(self._how_to(question, ctx.lang))
        answer = response.answers.get(question.name)
        if answer is not None and not answer.skipped:
            lines.append(t("survey.current_answer", ctx.lang, answer=format_answer(question, answer, ctx.lang)))
        if ctx.actor.channel in SUBMIT_AT_LAST_ANSWER and self._is_last(form, response, question):
            lines.append(t("survey.last_answer_sends", ctx.lang))
        return Reply(text="\n".join(lines), buttons=self._buttons(ctx, survey, form, response, question),
                     edit_of=edit_of)

    @staticmethod
    def _is_last(form: SurveyForm, response: Response, question: Question) -> bool:
        """Whether answering `question` completes the response (every other visible question
        answered; an answer that opens a follow-up is not foreseen)."""
        visible = visible_questions(form, response.answers)
        return question in visible and all(answered(other, response.answers) for other in visible
                                           if other is not question)

    def _buttons(self, ctx: Ctx, survey: Survey, form: SurveyForm, response: Response,
                 question: Question) -> list[list[Button]]:
        """The question's answer buttons, then Back / Skip / Comment."""
        index = form.questions.index(question)
        buttons = self._answer_buttons(ctx, survey, form, question, response.answers.get(question.name))
        tools = []
        visible = visible_questions(form, response.answers)
        if question in visible and visible.index(question) > 0:
            tools.append(Button(label=t("survey.back_button", ctx.lang), choice=f"{KIND}:{survey.id}:back:{index}"))
        if not question.required:
            tools.append(Button(label=t("survey.skip_button", ctx.lang), choice=f"{KIND}:{survey.id}:skip:{index}"))
        tools.append(Button(label=t("survey.comment_button", ctx.lang), choice=f"{KIND}:{survey.id}:c:{index}"))
        buttons.append(tools)
        return buttons

    def _reask(self, ctx: Ctx, survey: Survey, form: SurveyForm, response: Response, question: Question,
               problem: str) -> Reply:
        """A wrong answer gets one message (each is billed on WhatsApp): what was wrong, the
        form expected with an example, and the question's buttons — answers so far stay."""
        return Reply(text=problem + "\n" + self._how_to(question, ctx.lang),
                     buttons=self._buttons(ctx, survey, form, response, question))

    @staticmethod
    def _notes_before(form: SurveyForm, question: Question, lang: str,
                      answers: dict[str, Answer] | None = None) -> str:
        """Display-only notes placed between the previous asked question and this one, in
        form order, with their group headings. Questions skipped by `relevant` are stepped
        over, so a note placed before a skipped question is shown with the next asked one;
        each note is shown only when its own `relevant` holds (so exactly once per pass)."""
        index = form.questions.index(question)
        notes = []
        for earlier in reversed(form.questions[:index]):
            if earlier.type == QuestionType.CALCULATE:
                continue
            if earlier.type != QuestionType.NOTE:
                if answers is not None and not relevant(earlier, form, answers):
                    continue  # not asked: the notes before it belong to this question
                break
            if answers is not None and not relevant(earlier, form, answers):
                continue
            notes.insert(0, "ℹ️ " + html.escape(localized(earlier.label, lang), quote=False))
            if earlier.heading:
                notes.insert(0, "<b>" + html.escape(localized(earlier.heading, lang)) + "</b>")
        if question.heading:
            notes.append("<b>" + html.escape(localized(question.heading, lang)) + "</b>")
        return "\n".join(notes)

    @staticmethod
    def _how_to(question: Question, lang: str) -> str:
        kind = question.type
        example = example_for(question, lang)
        if kind == QuestionType.RANGE and question.scale is not None:
            return t("survey.how_range", lang, start=question.scale.start, end=question.scale.end)
        if kind == QuestionType.EVIDENCE:
            return t("survey.how_evidence_media", lang)
        return t(f"survey.how_{kind.value}", lang, example=example)

    def _answer_buttons(self, ctx: Ctx, survey: Survey, form: SurveyForm, question: Question,
                        answer: Answer | None) -> list[list[Button]]:
        index = form.questions.index(question)
        prefix = f"{KIND}:{survey.id}"
        current = answer.value(question) if answer is not None and not answer.skipped else None
        if question.type == QuestionType.YES_NO:
            labels = [(t("survey.yes", ctx.lang), 1), (t("survey.no", ctx.lang), 0)]
            return [[Button(label=_marked(label, current is not None and bool(current) == bool(value)),
                            choice=f"{prefix}:a:{index}:{value}") for label, value in labels]]
        if question.type == QuestionType.RANGE and question.scale is not None:
            points = question.scale.points()
            row = [Button(label=_marked(str(point), current == point), choice=f"{prefix}:a:{index}:{number}")
                   for number, point in enumerate(points)]
            return [row[i:i + 6] for i in range(0, len(row), 6)]
        if question.type == QuestionType.SELECT_ONE:
            if current is None and question.default and question.choice(question.default) is not None:
                current = question.default  # the form's default, marked until she picks
            return [[Button(label=_marked(localized(choice.label, ctx.lang), current == choice.name),
                            choice=f"{prefix}:a:{index}:{number}")] for number, choice in enumerate(question.choices)]
        if question.type == QuestionType.ACKNOWLEDGE:
            return [[Button(label=t("survey.ok_button", ctx.lang), choice=f"{prefix}:a:{index}:0")]]
        if question.default and question.type not in (QuestionType.SELECT_ONE, QuestionType.SELECT_MULTIPLE,
                                                      QuestionType.YES_NO, QuestionType.RANGE):
            return [[Button(label=t("survey.default_button", ctx.lang, value=default_shown(question, ctx.lang)),
                            choice=f"{prefix}:df:{index}")]]
        if question.type == QuestionType.SELECT_MULTIPLE:
            picked = set(current) if isinstance(current, list) else set()
            rows = [[Button(label=("☑️ " if choice.name in picked else "⬜ ") + localized(choice.label, ctx.lang),
                            choice=f"{prefix}:t:{index}:{number}")] for number, choice in enumerate(question.choices)]
            rows.append([Button(label=t("survey.done_button", ctx.lang), choice=f"{prefix}:d:{index}")])
            return rows
        return []

    def _summary(self, ctx: Ctx, survey: Survey, form: SurveyForm, response: Response, *,
                 before: str | None = None) -> Reply:
        lines = [before] if before else []
        # Notes after the last question asked (questions skipped by `relevant` stepped over, as
        # in `_notes_before`, so a note before a skipped last question is not lost).
        last_asked = max((i for i, q in enumerate(form.questions)
                          if q.answerable and relevant(q, form, response.answers)), default=-1)
        closing = [q for q in form.questions[last_asked + 1:]
                   if q.type == QuestionType.NOTE and relevant(q, form, response.answers)]
        for note in closing:  # a form's closing note ("Thank you, ${name}!") before her answers
            lines.append("ℹ️ " + filled(html.escape(localized(note.label, ctx.lang), quote=False), form,
                                        response.answers, ctx.lang))
        lines.append(t("survey.summary_title", ctx.lang, title=localized(form.title, ctx.lang)))
        for number, question in enumerate(visible_questions(form, response.answers), start=1):
            answer = response.answers.get(question.name)
            line = t("survey.summary_line", ctx.lang, number=number,
                     label=filled(localized(question.label, ctx.lang), form, response.answers, ctx.lang),
                     answer=format_answer(question, answer, ctx.lang))
            if answer is not None and answer.comment:
                line += "\n" + t("survey.summary_comment", ctx.lang, comment=answer.comment)
            lines.append(line)
        lines.append(t("survey.summary_footer", ctx.lang))
        buttons = [[Button(label=t("survey.submit_button", ctx.lang), choice=f"{KIND}:{survey.id}:ok"),
                    Button(label=t("survey.change_button", ctx.lang), choice=f"{KIND}:{survey.id}:chg")]]
        return Reply(text="\n".join(lines), buttons=buttons)

    # -- moving on ------------------------------------------------------------------------------
    def _next_step(self, form: SurveyForm, response: Response, after: Question | None, editing: bool) -> str:
        """After answering `after`: the next unanswered question when editing from the summary
        (a changed answer may open a follow-up), else the next visible question, else the summary."""
        visible = visible_questions(form, response.answers)
        if editing:
            for question in visible:
                if not answered(question, response.answers):
                    return f"q:{question.name}"
            return "summary"
        if after is None:
            return f"q:{visible[0].name}" if visible else "summary"
        order = form.questions.index(after)
        for question in visible:
            if form.questions.index(question) > order:
                return f"q:{question.name}"
        for question in visible:  # something earlier left unanswered (e.g. after Back)
            if not answered(question, response.answers):
                return f"q:{question.name}"
        return "summary"

    async def _go(self, ctx: Ctx, state: DialogState, survey: Survey, form: SurveyForm, response: Response,
                  step: str, *, before: str | None = None, edit_of: str | None = None,
                  answer: Answer | None = None, extra: list[Answer] | None = None) -> Replies:
        """Move to `step`: the answer (if any), where she is, and the dialog, in one write."""
        state.step = step
        if step == "summary":
            state.data.pop("editing", None)
        async with self._service.db.write() as tx:  # within the update's transaction: no savepoint of its own
            if answer is not None:
                await repo.save_answer(tx, response.id, answer)
            for computed in extra or []:
                await repo.save_answer(tx, response.id, computed)
            await repo.set_current_question(tx, response.id, step if step.startswith("q:") else None, ctx.now)
            await dialogs_repo.save(tx, ctx.actor.channel, ctx.actor.external_id, state, ctx.now)
        if (step == "summary" and answer is not None and ctx.actor.channel in SUBMIT_AT_LAST_ANSWER
                and first_missing(form, response.answers) is None):
            return await self._send_with_review(ctx, state, survey, form, response, before)
        return [await self._prompt(ctx, survey, form, response, step, before=before, edit_of=edit_of)]

    async def _send_with_review(self, ctx: Ctx, state: DialogState, survey: Survey, form: SurveyForm,
                                response: Response, before: str | None) -> Replies:
        """The last answer sends the survey (`SUBMIT_AT_LAST_ANSWER`): one message with the
        answer saved, her answers as sent, and the thanks."""
        review = self._summary(ctx, survey, form, response).text.rsplit("\n", 1)[0]  # without "press Send"
        replies = await self._submit(ctx, state, survey, form, response)
        parts = [before] if before else []
        return [Reply(text="\n".join([*parts, review, "", *(reply.text for reply in replies)]))]

    async def _record(self, ctx: Ctx, state: DialogState, survey: Survey, form: SurveyForm, response: Response,
                      question: Question, value: Any) -> Replies:
        previous = response.answers.get(question.name)
        answer = Answer.of(question, value, comment=previous.comment if previous else None,
                           answered_at=None if survey.anonymous else ctx.now)
        response.answers[question.name] = answer
        saved = t("survey.saved", ctx.lang, answer=format_answer(question, answer, ctx.lang)) if value is not None \
            else t("survey.skipped", ctx.lang)
        step = self._next_step(form, response, question, bool(state.data.get("editing")))
        extra = calculated(form, response.answers)
        for computed in extra:
            response.answers[computed.question] = computed
        return await self._go(ctx, state, survey, form, response, step, before=saved, answer=answer, extra=extra)

    # -- typed text ---------------------------------------------------------------------------
    async def on_text(self, ctx: Ctx, state: DialogState, text: str) -> Replies:
        loaded = await self._load_open(ctx, state)
        if not isinstance(loaded, tuple):  # gone or closed: the dialog ended, here is why
            return loaded
        survey, form, response = loaded
        step = state.step
        word = fold(text).strip(" .!")
        if step == "summary":
            if word in SUBMIT_WORDS:
                return await self._submit(ctx, state, survey, form, response)
            if word in BACK_WORDS:
                visible = visible_questions(form, response.answers)
                if visible:
                    return await self._go(ctx, state, survey, form, response, f"q:{visible[-1].name}")
            if word in CHANGE_WORDS:
                return [self._change_menu(ctx, survey, form, response)]
            return [self._summary(ctx, survey, form, response, before=t("survey.summary_use_buttons", ctx.lang))]
        name = step.split(":", 1)[1]
        question = form.question(name)
        if question is None:
            return await self._go(ctx, state, survey, form, response, self._resume_step(form, response))
        if step.startswith("c:"):
            if word in BACK_WORDS:  # `geri` at the comment prompt: back to its question, nothing saved
                return await self._go(ctx, state, survey, form, response, f"q:{question.name}")
            comment = text.strip()
            if len(comment) > COMMENT_MAX:
                return [ctx.text("survey.text_too_long", limit=COMMENT_MAX, length=len(comment))]
            existing = response.answers.get(question.name)
            updated = (existing or Answer(question=question.name)).model_copy(update={"comment": comment})
            async with self._service.db.transaction() as tx:
                await repo.save_answer(tx, response.id, updated)
            response.answers[question.name] = updated
            return await self._go(ctx, state, survey, form, response, f"q:{question.name}",
                                  before=t("survey.comment_saved", ctx.lang))
        if word in BACK_WORDS:
            return await self._back(ctx, state, survey, form, response, question)
        if word in SKIP_WORDS:
            if question.required:
                return [self._reask(ctx, survey, form, response, question,
                                    localized(question.required_message, ctx.lang) or t("survey.cannot_skip", ctx.lang))]
            return await self._record(ctx, state, survey, form, response, question, None)
        try:
            value = read_answer(question, text, ctx.lang)
        except InvalidAnswer as error:
            own = localized(question.constraint_message, ctx.lang) if error.key in CONSTRAINT_KEYS else ""
            return [self._reask(ctx, survey, form, response, question, own or t(error.key, ctx.lang, **error.params))]
        if survey.anonymous and question.type == QuestionType.GEOPOINT and isinstance(value, str):
            value = coarse_location(value)
        return await self._record(ctx, state, survey, form, response, question, value)

    # -- buttons ------------------------------------------------------------------------------
    async def on_choice(self, ctx: Ctx, state: DialogState, parts: list[str]) -> Replies:
        """Buttons of the dialog when it is the open one (routed by prefix to `on_button`)."""
        return await self.on_button(ctx, parts)

    async def on_button(self, ctx: Ctx, parts: list[str]) -> Replies:
        """`sv:<survey>:<action>[:<question>[:<choice>]]` from any message, dialog open or not."""
        if len(parts) < 2 or not parts[0].isdigit() or not all(p.isdigit() for p in parts[2:]):
            return [ctx.text("error.stale_button")]
        survey_id, action = int(parts[0]), parts[1]
        numbers = [int(p) for p in parts[2:]]
        if action == "start":
            return await self.start(ctx, survey_id)
        if action == "later":
            survey = await self._service.survey_for_member(ctx, survey_id)
            if survey is None:
                return [ctx.text("error.stale_button")]
            return [ctx.text("survey.later", deadline=format_datetime(survey.deadline, ctx.lang, await self._zone(survey)),
                             command="/anketler" if ctx.lang == "tr" else "/surveys")]
        state = await self._conversation.current_dialog(ctx)
        if state is None or state.kind != KIND or state.data.get("survey_id") != survey_id:
            # An old question's button: carry on where she is in that survey — or, when it
            # was sent (or closed) since, say only that.
            replies, resumed = await self._start(ctx, survey_id)
            return [ctx.text("survey.earlier_tap")] + replies if resumed else replies
        loaded = await self._load_open(ctx, state)
        if not isinstance(loaded, tuple):  # gone or closed: the dialog ended, here is why
            return loaded
        survey, form, response = loaded
        if action == "ok" and state.step == "summary":
            return await self._submit(ctx, state, survey, form, response)
        if action == "chg" and state.step == "summary":
            return [self._change_menu(ctx, survey, form, response)]
        if action == "e" and numbers and numbers[0] < len(form.questions):
            question = form.questions[numbers[0]]
            if question not in visible_questions(form, response.answers):
                return [ctx.text("error.stale_button")]
            state.data["editing"] = True
            return await self._go(ctx, state, survey, form, response, f"q:{question.name}")
        if not numbers or numbers[0] >= len(form.questions):
            return [ctx.text("error.stale_button")]
        question = form.questions[numbers[0]]
        if state.step not in (f"q:{question.name}", f"c:{question.name}"):
            return [await self._prompt(ctx, survey, form, response, state.step,
                                       before=t("survey.earlier_tap", ctx.lang))]
        if action == "back":
            return await self._back(ctx, state, survey, form, response, question)
        if action == "skip":
            if question.required:
                return [self._reask(ctx, survey, form, response, question,
                                    localized(question.required_message, ctx.lang) or t("survey.cannot_skip", ctx.lang))]
            return await self._record(ctx, state, survey, form, response, question, None)
        if action == "df" and question.default:
            try:
                value = read_answer(question, question.default, "en")  # XLSForm writes 2.5, 2026-01-31
            except InvalidAnswer as error:
                return [self._reask(ctx, survey, form, response, question, t(error.key, ctx.lang, **error.params))]
            return await self._record(ctx, state, survey, form, response, question, value)
        if action == "c":
            state.step = f"c:{question.name}"
            await self._conversation.save(ctx, state)
            return [await self._prompt(ctx, survey, form, response, state.step)]
        if action == "a" and len(numbers) == 2:
            value = self._button_value(question, numbers[1])
            if value is None:
                return [ctx.text("error.stale_button")]
            return await self._record(ctx, state, survey, form, response, question, value)
        if action == "t" and len(numbers) == 2 and question.type == QuestionType.SELECT_MULTIPLE \
                and numbers[1] < len(question.choices):
            return await self._toggle(ctx, state, survey, form, response, question, question.choices[numbers[1]].name)
        if action == "d" and question.type == QuestionType.SELECT_MULTIPLE:
            answer = response.answers.get(question.name)
            picked = answer.value(question) if answer is not None else None
            if not picked:
                if question.required:
                    return [self._reask(ctx, survey, form, response, question,
                                        t("survey.pick_at_least_one", ctx.lang))]
                return await self._record(ctx, state, survey, form, response, question, None)
            step = self._next_step(form, response, question, bool(state.data.get("editing")))
            return await self._go(ctx, state, survey, form, response, step,
                                  before=t("survey.saved", ctx.lang, answer=format_answer(question, answer, ctx.lang)))
        return [ctx.text("error.stale_button")]

    @staticmethod
    def _button_value(question: Question, number: int) -> Any:
        if question.type == QuestionType.ACKNOWLEDGE and number == 0:
            return True
        if question.type == QuestionType.YES_NO and number in (0, 1):
            return bool(number)
        if question.type == QuestionType.RANGE and question.scale is not None:
            points = question.scale.points()
            return points[number] if number < len(points) else None
        if question.type == QuestionType.SELECT_ONE and number < len(question.choices):
            return question.choices[number].name
        return None

    async def _toggle(self, ctx: Ctx, state: DialogState, survey: Survey, form: SurveyForm, response: Response,
                      question: Question, name: str) -> Replies:
        """Tick or untick one option; the question's message is edited in place."""
        answer = response.answers.get(question.name)
        picked = list(answer.value(question) or []) if answer is not None and not answer.skipped else []
        picked = [p for p in picked if p != name] if name in picked else [*picked, name]
        comment = answer.comment if answer is not None else None
        updated = Answer.of(question, picked, comment=comment, answered_at=None if survey.anonymous else ctx.now) \
            if picked else Answer(question=question.name, skipped=True, comment=comment)
        async with self._service.db.transaction() as tx:
            if picked:
                await repo.save_answer(tx, response.id, updated)
            else:
                await repo.delete_answer(tx, response.id, question.name)
        if picked:
            response.answers[question.name] = updated
        else:
            response.answers.pop(question.name, None)
        return [await self._prompt(ctx, survey, form, response, state.step, edit_of=ctx.actor.source_message_id)]

    async def _back(self, ctx: Ctx, state: DialogState, survey: Survey, form: SurveyForm, response: Response,
                    question: Question) -> Replies:
        visible = visible_questions(form, response.answers)
        earlier = [q for q in visible if form.questions.index(q) < form.questions.index(question)]
        if not earlier:
            return [await self._prompt(ctx, survey, form, response, state.step,
                                       before=t("survey.no_back", ctx.lang))]
        return await self._go(ctx, state, survey, form, response, f"q:{earlier[-1].name}")

    def _change_menu(self, ctx: Ctx, survey: Survey, form: SurveyForm, response: Response) -> Reply:
        buttons = []
        for number, question in enumerate(visible_questions(form, response.answers), start=1):
            label = localized(question.label, ctx.lang)
            if len(label) > LABEL_WIDTH:
                label = label[:LABEL_WIDTH - 1] + "…"
            buttons.append([Button(label=f"{number}. {label}",
                                   choice=f"{KIND}:{survey.id}:e:{form.questions.index(question)}")])
        return Reply(text=t("survey.which_to_change", ctx.lang), buttons=buttons)

    # -- evidence -----------------------------------------------------------------------------
    async def on_upload(self, ctx: Ctx, state: DialogState, upload: Upload) -> Replies:
        loaded = await self._load_open(ctx, state)
        if not isinstance(loaded, tuple):  # gone or closed: the dialog ended, here is why
            return loaded
        survey, form, response = loaded
        question = form.question(state.step.split(":", 1)[1]) if state.step.startswith("q:") else None
        if question is not None and question.type == QuestionType.GEOPOINT:
            if upload.kind != "location" or upload.latitude is None or upload.longitude is None:
                return [self._reask(ctx, survey, form, response, question, t("survey.bad_geopoint", ctx.lang,
                                                                             typed="📎"))]
            value = read_geopoint(f"{upload.latitude} {upload.longitude}", ctx.lang)
            if survey.anonymous:
                value = coarse_location(value)
            return await self._record(ctx, state, survey, form, response, question, value)
        if upload.kind == "location" and question is not None:
            return [self._reask(ctx, survey, form, response, question, t("survey.location_not_expected", ctx.lang))]
        if question is None or question.type != QuestionType.EVIDENCE:
            return [await self._prompt(ctx, survey, form, response, state.step,
                                       before=t("survey.file_not_expected", ctx.lang))]
        if upload.kind not in EVIDENCE_KINDS or not upload.file_id:
            return [self._reask(ctx, survey, form, response, question, t("survey.evidence_kind_media", ctx.lang))]
        if upload.size is not None and upload.size > EVIDENCE_MAX_BYTES:
            return [ctx.text("survey.evidence_too_big", megabytes=EVIDENCE_MAX_BYTES // (1024 * 1024))]
        path = await self._store_file(ctx, survey, response, question, upload)
        filename = upload.filename if upload.filename and not survey.anonymous else None
        evidence = Evidence(kind=upload.kind, file_id=upload.file_id, path=str(path) if path else None,  # type: ignore[arg-type]
                            filename=filename or (path.name if path else None), mime_type=upload.mime_type)
        return await self._record(ctx, state, survey, form, response, question, evidence)

    async def _store_file(self, ctx: Ctx, survey: Survey, response: Response, question: Question,
                          upload: Upload) -> Path | None:
        """The bytes under KOORDINAT_FILES_DIR/survey-<id>/ (a random name for anonymous
        surveys); None when the platform would not give them (the file id is kept anyway)."""
        data = await self._service.download(ctx.actor.channel, upload.file_id)
        if data is None:
            return None
        suffix = Path(upload.filename).suffix if upload.filename else (
            ".jpg" if upload.kind == "photo" else ".ogg" if upload.kind == "voice"
            else (mimetypes.guess_extension(upload.mime_type or "") or ".bin"))
        stem = secrets.token_hex(8) if survey.anonymous else f"r{response.id}-{question.name}-{secrets.token_hex(3)}"
        folder = self._files_dir / f"survey-{survey.id}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{stem}{suffix[:10]}"
        path.write_bytes(data)
        return path

    # -- submitting ---------------------------------------------------------------------------
    async def _submit(self, ctx: Ctx, state: DialogState, survey: Survey, form: SurveyForm,
                      response: Response) -> Replies:
        missing = first_missing(form, response.answers)
        if missing is not None:
            state.data["editing"] = True
            return await self._go(ctx, state, survey, form, response, f"q:{missing.name}",
                                  before=t("survey.required_missing", ctx.lang))
        member = ctx.require_member()
        async with self._service.db.transaction() as tx:
            for name in hidden_answers(form, response.answers):
                await repo.delete_answer(tx, response.id, name)
            await repo.submit(tx, survey, response.id, member.id, ctx.now)
        await self._conversation.end(ctx)
        await self._service.after_submission(survey)
        return [ctx.text("survey.thanks", title=localized(form.title, ctx.lang),
                         command="/anketler" if ctx.lang == "tr" else "/surveys")]


def _marked(label: str, chosen: bool) -> str:
    return f"• {label} •" if chosen else label

