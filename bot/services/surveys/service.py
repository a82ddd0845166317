"""Indicator surveys: sending, the member's and coordinator's lists, nudges, closing, polls.

- `answering.py`: a member answers in the private chat (dialog `sv`);
- `dialog.py`: the coordinator's `/anket` (`/newsurvey`) dialog and the new-deadline dialog;
- `poll.py`: `/oylama` (`/poll`), a one-question quick poll with live counts;
- `content.py`: the indicator library and templates; `answers.py`: reading typed answers.

Invitations, nudges, extensions and closings are broadcasts (outbox rows); nudges and the
closing are rows in `reminders` keyed `survey:<id>:nudge:3d`, `survey:<id>:close`, each
carrying the deadline it was armed for, so a moved deadline's old reminders never fire.
Nothing sent to a member ever contains a question or an answer (phones are shared).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path

from storage.sql import Connection

from bot.errors import NotAuthorized, NotFound
from bot.models import Button, Group, Member, Recheck, Reply, Role
from bot.services.broadcasts import BroadcastService
from bot.services.conversation import CommandSpec, Conversation, Ctx, Replies
from bot.services.groups import GroupService
from bot.services.late import LateDelivery, Recipient
from bot.services import remind_button
from bot.services.surveys.nudges import time_left
from bot.services.reminders import HOLD, Reminder, ReminderService
from bot.services.surveys import nudges
from bot.services.surveys.model import Survey, SurveyForm, SurveyKind, SurveyStatus, localized
from bot.services.surveys.results import MINIMUM_ANONYMOUS_RESPONSES
from bot.text import fold
from messages import format_datetime, t
from storage import dialogs as dialogs_repo
from storage import groups as groups_repo
from storage import members as members_repo
from storage import surveys as repo
from storage.db import Database

log = logging.getLogger(__name__)

NUDGE_KIND = "survey_nudge"
INVITATION_KIND = "survey_invitation"  # late-delivery check only (bot.services.late)
CLOSE_KIND = "survey_close"
NUDGE_GRACE = timedelta(hours=12)
START_WORDS = frozenset({"basla", "devam", "devam et", "ankete basla", "start", "continue"})
Downloader = Callable[[str, str], Awaitable[bytes | None]]


def nudge_label(hours: int) -> str:
    """`3d` for 72 hours, `6h` for 6: the reminder key's tail."""
    return f"{hours // 24}d" if hours % 24 == 0 else f"{hours}h"


class SurveyService:
    def __init__(self, db: Database, now: Callable[[], datetime], groups: GroupService,
                 reminders: ReminderService, broadcasts: BroadcastService, *, files_dir: Path,
                 download: Downloader | None = None) -> None:
        self.db = db
        self._now = now
        self._groups = groups
        self._reminders = reminders
        self._broadcasts = broadcasts
        self._files_dir = files_dir
        self._download = download
        self._forms: dict[int, SurveyForm] = {}
        # `hook(group_id, form, member_ids)` in the sending transaction, before the invitation
        # is queued (the monitoring lesson's offer comes first).
        self.before_send_hooks: list[Callable[[int, SurveyForm, list[int]], Awaitable[None]]] = []

    def register(self, conversation: Conversation) -> None:
        from bot.services.surveys.answering import AnsweringFlow
        from bot.services.surveys.dialog import ExtendFlow, NewSurveyFlow, NudgeTimesFlow
        from bot.services.surveys.poll import Polls
        from bot.services.surveys.targets import TargetCardFlow

        self.answering = AnsweringFlow(self, conversation, self._files_dir)
        self.new_survey_flow = NewSurveyFlow(self, conversation)
        self.extend_flow = ExtendFlow(self, conversation)
        self.nudge_flow = NudgeTimesFlow(self, conversation)
        self.polls = Polls(self, conversation)
        self.target_flow = TargetCardFlow(self, conversation)
        conversation.add_command(CommandSpec("targets", self.target_flow.begin_command, aliases=("hedef",),
                                             coordinator_only=True, order=47))
        conversation.add_flow(self.target_flow)
        conversation.add_command(CommandSpec("surveys", self.list_surveys, aliases=("anketler",), order=20))
        conversation.add_command(CommandSpec("newsurvey", self.new_survey_flow.begin_command, aliases=("anket",),
                                             coordinator_only=True, order=44))
        conversation.add_command(CommandSpec("poll", self.polls.command, aliases=("oylama",),
                                             coordinator_only=True, order=46))
        conversation.add_flow(self.answering)
        conversation.add_flow(self.new_survey_flow)
        conversation.add_flow(self.extend_flow)
        conversation.add_flow(self.nudge_flow)
        conversation.add_flow(self.polls)
        conversation.add_choice("sv", self.answering.on_button)
        conversation.add_choice("svm", self.on_manage)
        conversation.add_choice("vote", self.polls.on_vote)
        conversation.add_text_fallback(self.on_typed_start)
        self._reminders.register_kind(NUDGE_KIND, self._send_nudge, grace=_nudge_deadline)
        self._reminders.register_kind(CLOSE_KIND, self._close_due, grace=None, quiet=HOLD)

    # -- lookups --------------------------------------------------------------------------
    async def group(self, group_id: int) -> Group:
        group = await self._groups.get(group_id)
        if group is None:
            raise NotFound()
        return group

    async def survey(self, survey_id: int) -> Survey | None:
        async with self.db.read() as conn:
            return await repo.get_survey(conn, survey_id)

    async def survey_for_member(self, ctx: Ctx, survey_id: int) -> Survey | None:
        """The survey, if she belongs to its group (a button id is input, not proof)."""
        survey = await self.survey(survey_id)
        if survey is None or survey.group_id not in ctx.roles:
            return None
        return survey

    async def form(self, survey: Survey) -> SurveyForm:
        form = self._forms.get(survey.form_id)
        if form is None:
            async with self.db.read() as conn:
                form = await repo.get_form(conn, survey.form_id)
            if form is None:
                raise NotFound()
            self._forms[survey.form_id] = form
        return form

    async def title(self, survey: Survey, lang: str) -> str:
        return localized((await self.form(survey)).title, lang)

    async def download(self, channel: str, file_id: str) -> bytes | None:
        if self._download is None:
            return None
        try:
            return await self._download(channel, file_id)
        except Exception:  # the file id is kept; the bytes are a bonus
            log.warning("evidence download failed on %s", channel)
            return None

    @property
    def broadcasts(self) -> BroadcastService:
        return self._broadcasts

    @staticmethod
    def require_coordinator(ctx: Ctx, group_id: int) -> None:
        if ctx.roles.get(group_id) is not Role.COORDINATOR:
            raise NotAuthorized(command="/anket" if ctx.lang == "tr" else "/newsurvey")

    # -- sending --------------------------------------------------------------------------
    async def send(self, *, group_id: int, form: SurveyForm, deadline: datetime, anonymous: bool,
                   created_by: int | None, template: str | None = None,
                   nudge_hours: tuple[int, ...] = (72, 24), kind: SurveyKind = SurveyKind.SURVEY,
                   invite: bool = True) -> Survey:
        """Store a copy of the form, the survey and its recipients (members who consented to
        surveys), queue the invitation (unless `invite` is False: seeded data, found in
        /anketler) and arm the nudges and the closing — one transaction."""
        now = self._now()
        async with self.db.transaction() as tx:
            form_id = await repo.save_form(tx, form, now, group_id=group_id,
                                           source="poll" if kind == SurveyKind.POLL else "template")
            survey = await repo.create_survey(tx, group_id=group_id, form_id=form_id, deadline=deadline,
                                              anonymous=anonymous, created_by=created_by, now=now, kind=kind,
                                              template=template, nudge_hours=nudge_hours)
            audience = await repo.survey_audience(tx, group_id)
            await repo.add_recipients(tx, survey, audience, now)
            if kind == SurveyKind.SURVEY and invite:
                for hook in self.before_send_hooks:  # e.g. the monitoring lesson, offered first
                    await hook(group_id, form, list(audience))
                group = await self.group(group_id)
                broadcast = await self._broadcasts.create_broadcast(f"survey:{survey.id}:invite", group_id, "survey",
                                                                    conn=tx)
                await self._broadcasts.send_to_members(broadcast, audience, self._invitation(survey, form, group),
                                                       conn=tx)
            if kind == SurveyKind.SURVEY:
                await self._arm(tx, survey)
        return survey

    def _invitation(self, survey: Survey, form: SurveyForm, group: Group,
                    heading: str = "survey.invitation") -> Callable[[str], Reply]:
        # Held on WhatsApp and read later: dropped once closed, extended again or submitted.
        recheck = Recheck(kind=INVITATION_KIND, ref={"survey_id": survey.id, "deadline": survey.deadline.isoformat()},
                          until=survey.deadline, reminder=False)

        def render(lang: str) -> Reply:
            return Reply(recheck=recheck, text=t(heading, lang, group=group.name, title=localized(form.title, lang),
                                deadline=format_datetime(survey.deadline, lang, group.timezone),
                                anonymous=t("survey.anonymous_note" if survey.anonymous else "survey.named_note", lang,
                                            minimum=MINIMUM_ANONYMOUS_RESPONSES)),
                         buttons=[[Button(label=t("survey.start_button", lang), choice=f"sv:{survey.id}:start"),
                                   Button(label=t("survey.later_button", lang), choice=f"sv:{survey.id}:later")]])
        return render

    async def _arm(self, conn: Connection, survey: Survey) -> None:
        """Nudges still ahead and the closing, keyed by survey; old ones are dropped first."""
        now = self._now()
        await self._reminders.cancel_prefix(f"survey:{survey.id}:")
        payload = {"survey_id": survey.id, "deadline": survey.deadline.isoformat()}
        for hours in survey.nudge_hours:
            due = survey.deadline - timedelta(hours=hours)
            if due > now:
                await self._reminders.schedule(f"survey:{survey.id}:nudge:{nudge_label(hours)}", NUDGE_KIND, due,
                                               {**payload, "hours": hours}, reset=True)
        await self._reminders.schedule(f"survey:{survey.id}:close", CLOSE_KIND, survey.deadline, payload, reset=True)

    async def _current(self, reminder: Reminder) -> Survey | None:
        async with self.db.read() as conn:
            survey = await repo.get_survey(conn, int(reminder.payload["survey_id"]))
        if survey is None or not survey.is_open or survey.deadline.isoformat() != reminder.payload.get("deadline"):
            return None
        return survey

    async def _send_nudge(self, reminder: Reminder, now: datetime) -> None:
        """To the recipients who have not submitted: the deadline, never the questions."""
        survey = await self._current(reminder)
        if survey is None:
            return
        await self.nudge(survey, key=f"{reminder.key}:{int(survey.deadline.timestamp())}",
                         until=_nudge_deadline(reminder))

    async def nudge(self, survey: Survey, *, key: str, until: datetime | None = None) -> int:
        """Queue the nudge to everyone who has not finished; returns how many. Those who have
        started are told that what they saved is not sent yet (never what it is). `until`: the
        moment after which a late delivery is dropped (default: the deadline)."""
        async with self.db.read() as conn:
            unfinished = [r for r in await repo.recipients(conn, survey.id) if r.submitted_at is None]
        if not unfinished:
            return 0
        group = await self.group(survey.group_id)
        recheck = Recheck(kind=NUDGE_KIND, ref={"survey_id": survey.id, "deadline": survey.deadline.isoformat()},
                          until=until or survey.deadline)

        def render(heading: str) -> Callable[[str], Reply]:
            def rendered(lang: str) -> Reply:
                return _nudge(survey, group, lang, self._now(), heading).model_copy(update={"recheck": recheck})
            return rendered

        started = [r.member_id for r in unfinished if r.started_at is not None]
        new = [r.member_id for r in unfinished if r.started_at is None]
        if new:
            broadcast = await self._broadcasts.create_broadcast(key, group.id, "survey_nudge")
            await self._broadcasts.send_to_members(broadcast, new, render("survey.nudge"))
        if started:
            broadcast = await self._broadcasts.create_broadcast(f"{key}:unsent", group.id, "survey_nudge")
            await self._broadcasts.send_to_members(broadcast, started, render("survey.nudge_unsent"))
        return len(unfinished)

    def register_late(self, late: LateDelivery) -> None:
        """A nudge or invitation delivered late (a WhatsApp message held while her window was
        closed) is checked again when it is released."""
        late.register(NUDGE_KIND, self._late_nudge)
        late.register(INVITATION_KIND, self._late_invitation)

    async def _late_invitation(self, conn: Connection, held: Reply, recheck: Recheck, recipient: Recipient,
                               now: datetime) -> Reply | None:
        """The invitation as it was, unless the survey is no longer hers to answer (the same
        rules as a nudge)."""
        return held if await self._late_nudge(conn, held, recheck, recipient, now) is not None else None

    async def _late_nudge(self, conn: Connection, held: Reply, recheck: Recheck, recipient: Recipient,
                          now: datetime) -> Reply | None:
        """The nudge as it would be sent now: None once the survey was closed, its deadline
        moved (the extension told her), its deadline passed, or she has submitted."""
        survey = await repo.get_survey(conn, int(recheck.ref["survey_id"]))
        if (survey is None or not survey.is_open or survey.deadline.isoformat() != recheck.ref.get("deadline")
                or survey.deadline <= now or recipient.member_id is None):
            return None
        recipient_row = await repo.recipient(conn, survey.id, recipient.member_id)
        if recipient_row is None or recipient_row.submitted_at is not None:
            return None
        group = await groups_repo.get(conn, survey.group_id)
        heading = "survey.nudge_unsent" if recipient_row.started_at is not None else "survey.nudge"
        return _nudge(survey, group, recipient.lang, now, heading) if group is not None else None

    async def _close_due(self, reminder: Reminder, now: datetime) -> None:
        survey = await self._current(reminder)
        if survey is not None:
            await self.close(survey, early=False)

    async def close(self, survey: Survey, *, early: bool) -> bool:
        """Close it; the coordinators get the response rate and a results button; members who
        had not finished are told when it was closed early."""
        now = self._now()
        form = await self.form(survey)
        async with self.db.transaction() as tx:
            if not await repo.close_survey(tx, survey.id, now):
                return False
            await self._reminders.cancel_prefix(f"survey:{survey.id}:nudge:")
            auto, partial = await self._settle_unsent(tx, survey, form, now)
            await dialogs_repo.clear_for_survey(tx, survey.id)  # her next message is read as usual
            recipients = await repo.recipients(tx, survey.id)
            unfinished = [r.member_id for r in recipients if r.submitted_at is None]
            coordinators = [member.id for member, role in await _group_members(tx, survey.group_id)
                            if role is Role.COORDINATOR]
        group = await self.group(survey.group_id)
        done = len(recipients) - len(unfinished)
        rate = round(100 * done / len(recipients)) if recipients else 0

        def closing(lang: str) -> Reply:
            text = t("survey.closed_for_coordinators", lang, title=localized(form.title, lang),
                     group=group.name, done=done, total=len(recipients), rate=rate)
            if auto:
                text += "\n" + t("survey.closed_auto_note", lang, count=auto)
            if partial:
                text += "\n" + t("survey.closed_partial_note", lang, count=partial)
            return Reply(text=text,
                         buttons=[[Button(label=t("survey.results_button", lang), choice=f"results:{survey.id}")]])

        broadcast = await self._broadcasts.create_broadcast(f"survey:{survey.id}:closed", group.id, "survey_closed")
        await self._broadcasts.send_to_members(broadcast, coordinators, closing)
        if early and unfinished:
            told = await self._broadcasts.create_broadcast(f"survey:{survey.id}:closed-early", group.id, "survey")
            await self._broadcasts.send_to_members(told, [m for m in unfinished if m not in coordinators], lambda lang: Reply(
                text=t("survey.closed_early_notice", lang, title=localized(form.title, lang), group=group.name)))
        return True

    @staticmethod
    async def _settle_unsent(conn: Connection, survey: Survey, form: SurveyForm, now: datetime) -> tuple[int, int]:
        """At the closing, the responses started but never sent: one whose required questions
        (those skip logic asks) are all answered is submitted, marked auto-submitted; one
        missing a required answer stays a partial response (counted apart in the results).
        An anonymous survey's remaining links to members are erased. Returns (auto, partial)."""
        from bot.services.surveys.answering import first_missing, hidden_answers

        auto = partial = 0
        for response in await repo.responses(conn, survey.id, submitted_only=False):
            if response.submitted or not any(not a.skipped for a in response.answers.values()):
                continue
            if first_missing(form, response.answers) is None:
                for name in hidden_answers(form, response.answers):
                    await repo.delete_answer(conn, response.id, name)
                await repo.submit_unsent(conn, survey, response.id, now)
                auto += 1
            else:
                partial += 1
        await repo.unlink_unsent(conn, survey)
        return auto, partial

    async def extend(self, survey: Survey, deadline: datetime) -> Survey:
        """New deadline (reopens a closed survey); nudges re-armed; those not finished are told."""
        async with self.db.transaction() as tx:
            await repo.set_deadline(tx, survey.id, deadline)
            moved = await repo.get_survey(tx, survey.id)
            assert moved is not None
            await self._arm(tx, moved)
            unfinished = await repo.unfinished_member_ids(tx, survey.id)
        group = await self.group(survey.group_id)
        form = await self.form(moved)
        broadcast = await self._broadcasts.create_broadcast(
            f"survey:{survey.id}:extended:{int(deadline.timestamp())}", group.id, "survey")
        await self._broadcasts.send_to_members(broadcast, unfinished, self._invitation(
            moved, form, group, heading="survey.extended_notice"))
        return moved

    async def set_nudges(self, survey: Survey, hours: tuple[int, ...]) -> Survey:
        """New nudge times (hours before the deadline, e.g. `(120, 24)`; `()` for none) for an
        open survey: stored, and the reminders re-armed the way an extension re-arms them —
        times already past are dropped, never sent at once. Members are not told."""
        async with self.db.transaction() as tx:
            await repo.set_nudge_hours(tx, survey.id, hours)
            changed = await repo.get_survey(tx, survey.id)
            assert changed is not None
            await self._arm(tx, changed)
        return changed

    async def has_consent(self, member_id: int) -> bool:
        """Her latest answer to the `surveys` consent purpose is yes (KVKK: asked at join)."""
        async with self.db.read() as conn:
            return bool((await members_repo.consents(conn, member_id)).get("surveys"))

    async def open_for_newcomer(self, ctx: Ctx, member: Member, group: Group) -> Replies:
        """Join hook: a member who joins while a survey is open (and agreed to surveys) is
        added to its recipients and gets its invitation."""
        if not await self.has_consent(member.id):
            return []
        async with self.db.transaction() as tx:
            surveys = await repo.surveys_for_groups(tx, [group.id], status=SurveyStatus.OPEN)
            surveys = [survey for survey in surveys if survey.deadline > ctx.now]
            for survey in surveys:
                await repo.add_recipients(tx, survey, [member.id], ctx.now)
        return [self._invitation(survey, await self.form(survey), group)(ctx.lang) for survey in surveys[:3]]

    async def after_submission(self, survey: Survey) -> None:
        """Hook after a member submitted (nothing yet: results are computed on demand)."""

    # -- /anketler ------------------------------------------------------------------------
    async def list_surveys(self, ctx: Ctx, args: list[str]) -> Replies:
        """Her open surveys with deadlines and a Start/Continue button; for coordinators, also
        their groups' surveys with the response rate and the tools."""
        member = ctx.require_member()
        async with self.db.read() as conn:
            mine = await repo.open_surveys_for_member(conn, member.id)
        replies: Replies = []
        if mine:
            lines = [t("survey.list_title", ctx.lang)]
            buttons = []
            for survey, recipient in mine:
                group = await self.group(survey.group_id)
                state = "done" if recipient.submitted_at else ("started" if recipient.started_at else "new")
                title = await self.title(survey, ctx.lang)
                lines.append(t("survey.list_line", ctx.lang, title=title, group=group.name,
                               deadline=format_datetime(survey.deadline, ctx.lang, group.timezone),
                               state=t(f"survey.state_{state}", ctx.lang)))
                if state != "done":
                    label = t("survey.continue_button" if state == "started" else "survey.start_button", ctx.lang)
                    buttons.append([Button(label=f"{label} — {title}"[:60], choice=f"sv:{survey.id}:start")])
            replies.append(Reply(text="\n".join(lines), buttons=buttons))
        elif not ctx.is_coordinator:
            replies.append(await self._nothing_open(ctx, member.id))
        for group_id in ctx.coordinated_groups():
            replies.extend(await self._coordinator_overview(ctx, group_id))
        if not replies:
            replies.append(ctx.text("survey.none_open"))
        return replies

    async def _nothing_open(self, ctx: Ctx, member_id: int) -> Reply:
        """"No open survey" — or, when she declined survey consent while her groups have open
        surveys, why she is not asked and where to change it."""
        if not await self.has_consent(member_id):
            async with self.db.read() as conn:
                open_ones = await repo.surveys_for_groups(conn, list(ctx.roles), status=SurveyStatus.OPEN)
            if open_ones:
                return ctx.text("survey.no_consent", command="/gizlilik" if ctx.lang == "tr" else "/privacy")
        return ctx.text("survey.none_open")

    async def on_typed_start(self, ctx: Ctx, text: str) -> Replies | None:
        """`başla`, `devam`, `start` typed instead of tapping the invitation's button: her one
        unfinished open survey starts; with several, the list. None for other words."""
        if ctx.member is None or fold(text).strip(" .!") not in START_WORDS:
            return None
        async with self.db.read() as conn:
            mine = [survey for survey, recipient in await repo.open_surveys_for_member(conn, ctx.member.id)
                    if recipient.submitted_at is None and survey.deadline > ctx.now]
        if len(mine) == 1:
            return await self.answering.start(ctx, mine[0].id)
        return await self.list_surveys(ctx, [])

    async def _coordinator_overview(self, ctx: Ctx, group_id: int) -> Replies:
        async with self.db.read() as conn:
            surveys = await repo.surveys_for_groups(conn, [group_id], limit=5)
        if not surveys:
            return []
        group = await self.group(group_id)
        replies = []
        for survey in surveys:
            replies.append(await self.card(ctx, survey, group))
        return replies

    async def card(self, ctx: Ctx, survey: Survey, group: Group, edit_of: str | None = None) -> Reply:
        async with self.db.read() as conn:
            recipients = await repo.recipients(conn, survey.id)
        done = sum(1 for r in recipients if r.submitted_at is not None)
        text = t("survey.card", ctx.lang, title=await self.title(survey, ctx.lang), group=group.name,
                 deadline=format_datetime(survey.deadline, ctx.lang, group.timezone), done=done, total=len(recipients),
                 status=t(f"survey.status_{survey.status.value}", ctx.lang),
                 anonymous=t("survey.anonymous_short" if survey.anonymous else "survey.named_short", ctx.lang))
        if survey.is_open:
            text += "\n" + t("survey.nudges_line", ctx.lang, nudges=nudges.describe(survey.nudge_hours, ctx.lang))
        buttons = [[Button(label=t("survey.results_button", ctx.lang), choice=f"results:{survey.id}")]]
        if survey.is_open:
            buttons.append([Button(label=t("survey.remind_button", ctx.lang), choice=f"svm:{survey.id}:remind"),
                            Button(label=t("survey.extend_button", ctx.lang), choice=f"svm:{survey.id}:extend"),
                            Button(label=t("survey.close_button", ctx.lang), choice=f"svm:{survey.id}:close")])
            buttons.append([Button(label=t("survey.nudges_button", ctx.lang), choice=f"svm:{survey.id}:nudges")])
        else:
            buttons.append([Button(label=t("survey.reopen_button", ctx.lang), choice=f"svm:{survey.id}:extend")])
        return Reply(text=text, buttons=buttons, edit_of=edit_of)

    async def on_manage(self, ctx: Ctx, parts: list[str]) -> Replies:
        """`svm:<survey>:remind|close|closeyes|extend|nudges` from a coordinator's card."""
        if len(parts) != 2 or not parts[0].isdigit():
            return [ctx.text("error.stale_button")]
        survey = await self.survey_for_member(ctx, int(parts[0]))
        if survey is None:
            return [ctx.text("error.stale_button")]
        self.require_coordinator(ctx, survey.group_id)
        action = parts[1]
        group = await self.group(survey.group_id)
        if action in ("remind", "remindyes"):  # one rule for every reminder button: remind_button
            if not survey.is_open:
                return [ctx.text("survey.already_closed")]
            subject = f"survey:{survey.id}"
            if action == "remind":
                question = remind_button.ask_first(
                    ctx.lang, await self.title(survey, ctx.lang),
                    await remind_button.last_sent(self.db, subject + ":", "survey_nudge"), ctx.now,
                    yes=f"svm:{survey.id}:remindyes", no=f"svm:{survey.id}:keep")
                if question is not None:
                    return [question]
            key = (remind_button.key if action == "remind" else remind_button.again_key)(subject, ctx.now)
            count = await self.nudge(survey, key=key)
            return [ctx.text("survey.reminded", count=count)]
        if action == "close":
            return [Reply(text=t("survey.close_confirm", ctx.lang, title=await self.title(survey, ctx.lang)), buttons=[[
                Button(label=t("survey.close_yes", ctx.lang), choice=f"svm:{survey.id}:closeyes"),
                Button(label=t("survey.close_no", ctx.lang), choice=f"svm:{survey.id}:keep")]])]
        if action == "keep":
            return [ctx.text("survey.kept_open")]
        if action == "closeyes":
            if not await self.close(survey, early=True):
                return [ctx.text("survey.already_closed")]
            return [ctx.text("survey.closed_now", title=await self.title(survey, ctx.lang))]
        if action == "extend":
            return await self.extend_flow.begin(ctx, survey, group)
        if action == "nudges":
            if not survey.is_open:
                return [ctx.text("survey.already_closed")]
            return await self.nudge_flow.begin(ctx, survey, group)
        return [ctx.text("error.stale_button")]

    # -- /unut --------------------------------------------------------------------------------
    async def forget_member(self, conn: Connection, member_id: int) -> None:
        """Before the person is deleted: her named answers and their evidence files go."""
        for path in await repo.evidence_paths_of_member(conn, member_id):
            try:
                Path(path).unlink(missing_ok=True)
            except OSError:
                log.warning("could not delete an evidence file")
        await repo.forget_member(conn, member_id)


async def _group_members(conn: Connection, group_id: int) -> list[tuple[Member, Role]]:
    return await members_repo.group_members(conn, group_id)


def _nudge(survey: Survey, group: Group, lang: str, now: datetime, heading: str = "survey.nudge") -> Reply:
    """The nudge (`survey.nudge`, or `survey.nudge_unsent` for one who started): the group,
    the deadline and the time left as of `now` (so two nudges never read the same), never
    the questions (phones are shared)."""
    return Reply(text=t(heading, lang, group=group.name, deadline=format_datetime(survey.deadline, lang, group.timezone),
                        left=time_left(survey.deadline - now, lang),
                        command="/anketler" if lang == "tr" else "/surveys"),
                 buttons=[[Button(label=t("survey.continue_button", lang), choice=f"sv:{survey.id}:start")]])


def _nudge_deadline(reminder: Reminder) -> datetime | None:
    """A nudge is worth sending late until the deadline, at most 12 hours late."""
    deadline = datetime.fromisoformat(str(reminder.payload.get("deadline")))
    return min(deadline, reminder.due_at + NUDGE_GRACE)
