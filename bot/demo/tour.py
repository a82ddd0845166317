"""The scripted tour (`koordinat demo --script`) as data: a list of steps, so that every new
feature appends its own.

A step is one person doing one thing — typing (`Say`), tapping a button (`Press`), letting
time pass (`Wait`) or looking at her phone (`Read`) — and what the bot must answer her
(`Expect`). Everything is named by catalog key, never by wording: what people type comes
from `[demo.tour]` in `messages/<lang>.toml` (so each language has its own tour, and a
reworded bot message does not break it), and an expectation is the catalog text the reply
must show, with its placeholders matching anything unless pinned.

`who` is "newcomer" (the person who joins), "coordinator" (of the newcomer's group) or a
name from `bot/content/demo.toml`. Texts may use the run's facts: {code} (the member invite),
{when} (the meeting time, typed the local way with the month's name), {new_when} (the new
time of the group's monthly meeting), {newcomer}, {coordinator}, {group}, {city},
{name} (whoever acts) and {files} (where files are saved).
"""

from __future__ import annotations

from dataclasses import dataclass, field


class Key(str):
    """A pinned placeholder value given as a catalog key (translated when checked)."""


@dataclass(frozen=True)
class Expect:
    """A catalog text one of the new messages must show; `params` pin placeholders
    (others match anything); `file` is the ending of the name of a file that must come with it."""

    key: str
    params: dict[str, str] = field(default_factory=dict)
    file: str | None = None


def expect(key: str, *, file: str | None = None, **params: str) -> Expect:
    return Expect(key, dict(params), file)


@dataclass(frozen=True)
class Say:
    key: str  # a `demo.tour.*` text, filled with the run's facts


@dataclass(frozen=True)
class Press:
    """Tap a button on the latest message with buttons: by its label's catalog key, by its
    number as shown, or by the start of its callback data (filled with the facts)."""

    label: str | None = None
    number: int | None = None
    choice: str | None = None


@dataclass(frozen=True)
class Wait:
    duration: str  # as typed after /wait: 1h, 1d, 30m


@dataclass(frozen=True)
class Read:
    """Look at what came in since she last looked."""


Action = Say | Press | Wait | Read


@dataclass(frozen=True)
class Step:
    who: str
    action: Action
    expect: tuple[Expect, ...] = ()
    note: str | None = None  # a `demo.tour.*` narrator's line printed before the step


NEWCOMER, COORDINATOR = "newcomer", "coordinator"

JOINING: list[Step] = [
    Step(NEWCOMER, Say("demo.tour.start"), (expect("onboarding.pick_language"),), note="demo.tour.note_join"),
    Step(NEWCOMER, Press(choice="lang:{language}:"),
         (expect("privacy.notice"), expect("onboarding.consent_messages"))),
    Step(NEWCOMER, Press(label="button.yes_consent"), (expect("onboarding.consent_surveys"),)),
    Step(NEWCOMER, Press(label="button.yes_consent"),
         (expect("join.joined_member"), expect("meeting.upcoming")), note="demo.tour.note_joined"),
]

ANNOUNCING: list[Step] = [
    Step(COORDINATOR, Say("demo.tour.newmeeting"), (expect("meeting.ask_title"),), note="demo.tour.note_newmeeting"),
    Step(COORDINATOR, Say("demo.tour.meeting_title"), (expect("meeting.ask_when"),)),
    Step(COORDINATOR, Say("demo.tour.vague_date"), (expect("dates.bad_date"),), note="demo.tour.note_vague"),
    Step(COORDINATOR, Say("demo.tour.meeting_when"), (expect("meeting.confirm_when"),),
         note="demo.tour.note_month_name"),
    Step(COORDINATOR, Say("demo.tour.confirm_yes"), (expect("meeting.when_understood"), expect("meeting.ask_place"))),
    Step(COORDINATOR, Say("demo.tour.meeting_place"), (expect("meeting.ask_agenda"),)),
    Step(COORDINATOR, Say("demo.tour.meeting_agenda"), (expect("meeting.ask_quorum"),)),
    Step(COORDINATOR, Say("demo.tour.quorum"), (expect("meeting.ask_repeat"),), note="demo.tour.note_quorum"),
    Step(COORDINATOR, Press(label="meeting.repeat_none_button"), (expect("meeting.preview", quorum="3"),)),
    Step(COORDINATOR, Press(label="meeting.send_button"), (expect("meeting.sent"),)),
]

ANSWERING: list[Step] = [
    Step(NEWCOMER, Read(), (expect("meeting.announcement"),), note="demo.tour.note_notice"),
    Step(NEWCOMER, Press(label="rsvp.yes"), (expect("rsvp.your_answer", answer=Key("rsvp.yes")),)),
    Step(NEWCOMER, Press(label="meeting.calendar_button"), (expect("meeting.calendar_caption", file=".ics"),),
         note="demo.tour.note_calendar"),
    Step("Gülizar", Say("demo.tour.typed_yes"),
         (expect("rsvp.recorded", title=Key("demo.tour.meeting_title"), answer=Key("rsvp.yes")),),
         note="demo.tour.note_typed"),
    Step("Nesrin", Press(label="rsvp.maybe"), (expect("rsvp.your_answer", answer=Key("rsvp.maybe")),),
         note="demo.tour.note_maybe"),
    Step(COORDINATOR, Say("demo.tour.meetings"), (expect("meeting.tally", yes="2", maybe="1"),),
         note="demo.tour.note_overview"),
]

# The coordinator's last card is the group's monthly meeting (the seeded one, a week ahead).
RESCHEDULING: list[Step] = [
    Step(COORDINATOR, Press(label="meeting.move_button"), (expect("meeting.ask_new_time"),), note="demo.tour.note_move"),
    Step(COORDINATOR, Say("demo.tour.new_when"), (expect("meeting.move_preview"),)),
    Step(COORDINATOR, Press(label="meeting.send_button"), (expect("meeting.rescheduled_done"),)),
    Step(NEWCOMER, Read(), (expect("meeting.rescheduled"), expect("meeting.change_date")), note="demo.tour.note_moved"),
]

REMINDING: list[Step] = [
    Step(NEWCOMER, Wait("1d"), note="demo.tour.note_day"),
    Step(NEWCOMER, Wait("6h"), (expect("meeting.reminder", title=Key("demo.tour.meeting_title")),),
         note="demo.tour.note_reminder"),
    Step(COORDINATOR, Read(), (expect("meeting.summary", title=Key("demo.tour.meeting_title")),),
         note="demo.tour.note_summary"),
    Step(NEWCOMER, Wait("22h"), (expect("meeting.reminder", title=Key("demo.tour.meeting_title")),),
         note="demo.tour.note_last_reminder"),
]

PLANNING: list[Step] = [
    Step(COORDINATOR, Say("demo.tour.milestones"), (expect("milestone.list_title"),),
         note="demo.tour.note_milestones"),
    Step(COORDINATOR, Press(label="milestone.ics_button"), (expect("milestone.ics_caption", file=".ics"),)),
]

PRIVACY: list[Step] = [
    Step(NEWCOMER, Say("demo.tour.mydata"), (expect("mydata.caption", file=".json"),), note="demo.tour.note_mydata"),
]

# Indicator surveys (issue 9): a Gaziantep member answers the group's open survey the way she
# types (Turkish numbers, a word where a number is asked), then the coordinator's card.
SURVEYING: list[Step] = [
    Step("Ayşe", Say("demo.tour.surveys"), (expect("survey.list_title"),), note="demo.tour.note_surveys"),
    Step("Ayşe", Press(number=1), (expect("survey.intro"), expect("survey.question", position="1", total="5"))),
    Step("Ayşe", Say("demo.tour.survey_words"), (expect("survey.bad_number"),), note="demo.tour.note_survey_words"),
    Step("Ayşe", Say("demo.tour.survey_a1"), (expect("survey.question", position="2", total="5"),),
         note="demo.tour.note_survey_numbers"),
    Step("Ayşe", Say("demo.tour.survey_a2"), (expect("survey.question", position="3", total="5"),)),
    Step("Ayşe", Say("demo.tour.survey_a3"), (expect("survey.question", position="4", total="5"),)),
    Step("Ayşe", Say("demo.tour.survey_a4"), (expect("survey.question", position="5", total="5"),)),
    # On WhatsApp (every message billed) her last answer sends it: the review and the thanks in one.
    Step("Ayşe", Say("demo.tour.survey_a5"), (expect("survey.summary_title"), expect("survey.thanks")),
         note="demo.tour.note_survey_summary"),
    Step("Leyla", Say("demo.tour.surveys"), (expect("survey.card", done="1", total="4"),),
         note="demo.tour.note_survey_card"),
    Step("Leyla", Press(label="survey.results_button"),
         (expect("survey_results.heading"), expect("survey_results.xlsx_caption", file=".xlsx")),
         note="demo.tour.note_survey_results"),
    # The monitoring report (issue 22): two earlier rounds make a series; one indicator is behind.
    Step("Leyla", Say("demo.tour.report"), (expect("monitoring.missing_reasons"),), note="demo.tour.note_report"),
    Step("Leyla", Press(label="monitoring.button_reasons"), (expect("monitoring.reason_question"),)),
    Step("Leyla", Say("demo.tour.report_reason"), (expect("monitoring.recommendation_question"),)),
    Step("Leyla", Say("demo.tour.report_recommendation"), (expect("monitoring.reasons_done"),)),
    Step("Leyla", Press(label="monitoring.button_docx"), (expect("monitoring.docx_caption", file=".docx"),),
         note="demo.tour.note_report_docx"),
]


# Ayşe uses WhatsApp (bot/content/demo.toml): a list message instead of commands, reply buttons.
WHATSAPP: list[Step] = [
    Step("Ayşe", Say("demo.tour.whatsapp_menu"), (expect("whatsapp.menu_title"),), note="demo.tour.note_whatsapp"),
    Step("Ayşe", Say("demo.tour.whatsapp_meetings"), (expect("rsvp.question"),)),
    Step("Ayşe", Press(label="rsvp.yes"), (expect("rsvp.recorded", answer=Key("rsvp.yes")),)),
    # Files on WhatsApp (issue 19): the 📅 choice is a link to the bot's own server plus a Google
    # Calendar link (WhatsApp takes no .ics); /verilerim is text + a Word document.
    Step("Ayşe", Say("demo.tour.whatsapp_meetings"), (expect("rsvp.your_answer", answer=Key("rsvp.yes")),)),
    Step("Ayşe", Say("demo.tour.whatsapp_calendar_number"),
         (expect("whatsapp.calendar_link"), expect("whatsapp.calendar_google")), note="demo.tour.note_whatsapp_calendar"),
    Step("Ayşe", Say("demo.tour.mydata"),
         (expect("mydata.caption", file=".json.txt"), expect("mydata.document_caption", file=".docx")),
         note="demo.tour.note_whatsapp_mydata"),
]

# Co-planning (issue 13): in Kars a member files a proposal in about a minute; a week later
# the discussion opens, a week after that she votes (tallies hidden), and at the close the
# ranked result with its counts reaches everyone, with the consent round's buttons.
COPLANNING: list[Step] = [
    Step("Elif", Say("demo.tour.propose"), (expect("coplan.ask_title"),), note="demo.tour.note_propose"),
    Step("Elif", Say("demo.tour.proposal_title"), (expect("coplan.ask_body"),)),
    Step("Elif", Say("demo.tour.proposal_body"), (expect("coplan.ask_plan_item"),)),
    Step("Elif", Say("demo.tour.proposal_plan_item"), (expect("coplan.ask_beneficiaries"),)),
    Step("Elif", Press(label="coplan.skip_button"), (expect("coplan.ask_effect"),)),
    Step("Elif", Say("demo.tour.proposal_effect"), (expect("coplan.ask_evidence"),)),
    Step("Elif", Say("demo.tour.skip_word"), (expect("coplan.proposal_preview"),), note="demo.tour.note_skip_word"),
    Step("Elif", Press(label="coplan.submit_button"), (expect("coplan.submitted"),)),
    Step("Elif", Wait("7d"), (expect("coplan.discussion_open", count="3"),), note="demo.tour.note_discussion"),
    Step("Elif", Wait("7d"), (expect("coplan.voting_open"),)),
    Step("Elif", Say("demo.tour.vote"), (expect("coplan.ballot", picks="0"),), note="demo.tour.note_vote"),
    Step("Elif", Press(number=1), (expect("coplan.ballot", picks="1"),)),
    Step("Elif", Wait("7d"), (expect("coplan.result_heading"), expect("coplan.consent_ask")),
         note="demo.tour.note_result"),
]

# Lessons in chat (issue 23): the newcomer takes the monitoring lesson — parts with "Devam",
# one typed — and its quiz (a percentage typed the local way, a wrong answer explained, a
# choice tapped); her coordinator then sees who completed it.
LESSONS: list[Step] = [
    Step(NEWCOMER, Say("demo.tour.lessons"), (expect("lessons.list"),), note="demo.tour.note_lessons"),
    Step(NEWCOMER, Press(choice="ls:open:monitoring"), (expect("lessons.part", number="1", total="4"),)),
    Step(NEWCOMER, Press(label="lessons.next_button"), (expect("lessons.part", number="2", total="4"),)),
    Step(NEWCOMER, Say("demo.tour.lesson_next"), (expect("lessons.part", number="3", total="4"),
                                                  expect("lessons.practice_note")), note="demo.tour.note_lesson_typed"),
    Step(NEWCOMER, Press(label="lessons.next_button"), (expect("lessons.part", number="4", total="4"),)),
    Step(NEWCOMER, Press(label="lessons.to_quiz_button"),
         (expect("lessons.quiz_intro", count="3"), expect("lessons.question", number="1", total="3")),
         note="demo.tour.note_lesson_quiz"),
    Step(NEWCOMER, Say("demo.tour.lesson_a1"), (expect("lessons.right"), expect("lessons.question", number="2"))),
    Step(NEWCOMER, Say("demo.tour.lesson_a2"), (expect("lessons.wrong"), expect("lessons.question", number="3")),
         note="demo.tour.note_lesson_wrong"),
    Step(NEWCOMER, Press(number=2), (expect("lessons.passed", correct="2", total="3"),)),
    Step(COORDINATOR, Say("demo.tour.lessons"), (expect("lessons.list"),), note="demo.tour.note_lesson_stats"),
    Step(COORDINATOR, Press(choice="ls:stats"), (expect("lessons.stats_line", number="6", passed="1"),)),
]

TOUR: list[Step] = [*JOINING, *ANNOUNCING, *ANSWERING, *RESCHEDULING, *REMINDING, *PLANNING, *SURVEYING, *PRIVACY,
                    *WHATSAPP, *COPLANNING, *LESSONS]
