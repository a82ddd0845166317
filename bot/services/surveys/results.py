"""Survey results: per-question summaries, response rate and plan-versus-actual.

Works on small neutral views (`SurveyView`, `QuestionView`, `ResponseView`, `TargetCard`)
that `bot.services.surveys.results_source` builds from the stored survey, so that the
arithmetic here, the chart, the exports and the benchmark share one pure, fast core.

Answer values in `ResponseView.answers`, by question type (XLSForm names where they exist):
- `integer`, `decimal`, `percentage` (0–100), `range` (scale): `int | float`;
- `yes_no`: `bool`;  `select_one`: the choice name (`str`);
- `select_multiple`: `list[str]` of choice names;  `text`: `str`;
- `date`: `datetime.date`;  `evidence`: `Evidence`;  `note`: never answered.
A question absent from `answers` was skipped or not relevant.

Anonymous surveys (privacy rules, docs/architecture.md): results carry no names and no per-response order;
below `minimum_responses` (default 3) nothing but the count is released, so that a single
answer cannot be traced back to the one person who gave it.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime
from bot.collation import turkish_sort_key  # noqa: F401  (re-exported: the one sorting rule)

NUMERIC_TYPES = frozenset({"integer", "decimal", "percentage", "range"})
CHOICE_TYPES = frozenset({"select_one", "select_multiple"})
MINIMUM_ANONYMOUS_RESPONSES = 3


@dataclass(frozen=True)
class Choice:
    """One option of a select question: its stable `name` and its label per language."""

    name: str
    labels: dict[str, str]

    def label(self, lang: str) -> str:
        return _pick(self.labels, lang) or self.name


@dataclass(frozen=True)
class QuestionView:
    """What results need of a question: name, XLSForm-style type, labels, options and the
    indicator code (e.g. "I4") when the answer reports an indicator."""

    name: str
    type: str
    labels: dict[str, str]
    choices: tuple[Choice, ...] = ()
    indicator: str | None = None
    unit: dict[str, str] = field(default_factory=dict)
    points: tuple[int, ...] = ()  # a range (scale) question's points, e.g. (1, 2, 3, 4, 5)

    def label(self, lang: str) -> str:
        return _pick(self.labels, lang) or self.name

    def choice_label(self, name: str, lang: str) -> str:
        for choice in self.choices:
            if choice.name == name:
                return choice.label(lang)
        return name


@dataclass(frozen=True)
class Evidence:
    """A photo or document attached as an answer: the platform's file id and, when the
    platform gave one, the file name (both personal data: never shown for anonymous surveys)."""

    file_id: str
    filename: str | None = None
    kind: str = "document"


SENT_BY_MEMBER, SENT_AUTOMATICALLY, PARTIAL = "member", "auto", "partial"


@dataclass(frozen=True)
class ResponseView:
    """One person's response. `respondent_*` are None for anonymous surveys; `submitted_at`
    is an aware UTC datetime (None for a partial one). `sending`: "member" (she tapped Send),
    "auto" (complete when the survey closed, sent then), "partial" (the survey closed with a
    required answer missing: not counted as a response, its answers still summarized)."""

    answers: dict[str, object]
    submitted_at: datetime | None = None
    respondent_id: int | None = None
    respondent_name: str | None = None
    comments: dict[str, str] = field(default_factory=dict)
    sending: str = SENT_BY_MEMBER


@dataclass(frozen=True)
class TargetCard:
    """An indicator's line of the strategic plan's target card (hedef kartı, SBB guide):
    baseline (başlangıç değeri) of `baseline_year` and the target (hedef) for `target_year`."""

    indicator: str
    baseline: float
    target: float
    target_year: int
    baseline_year: int | None = None
    name: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Invitee:
    member_id: int
    name: str


@dataclass
class SurveyView:
    """A survey with its questions, finished responses, invited members and target cards.

    `group_*` describe the group the survey was sent to (language for labels in files,
    `timezone` for local dates); `year` is the reporting year targets are read for."""

    id: int
    title: str
    group_id: int
    group_name: str
    language: str
    timezone: str
    anonymous: bool
    questions: list[QuestionView]
    responses: list[ResponseView]
    invited: list[Invitee] = field(default_factory=list)
    targets: dict[str, TargetCard] = field(default_factory=dict)
    year: int | None = None
    closes_at: datetime | None = None
    template: str | None = None
    city: str = ""
    titles: dict[str, str] = field(default_factory=dict)  # the title per language, when known

    def title_in(self, lang: str) -> str:
        return self.titles.get(lang) or self.title

    @property
    def answerable(self) -> list[QuestionView]:
        return [question for question in self.questions if question.type != "note"]


@dataclass(frozen=True)
class NumberStats:
    count: int
    mean: float
    median: float
    minimum: float
    maximum: float


@dataclass(frozen=True)
class Share:
    """How many of `total` respondents picked this option (for multiple choice the
    shares do not add up to 100 %)."""

    name: str
    label: str
    count: int
    total: int

    @property
    def percent(self) -> float:
        return 100.0 * self.count / self.total if self.total else 0.0


@dataclass
class QuestionSummary:
    question: QuestionView
    count: int
    numbers: NumberStats | None = None
    shares: list[Share] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    dates: tuple[date, date] | None = None
    evidence: int = 0


@dataclass(frozen=True)
class Achievement:
    """Plan versus actual for one indicator (SBB guide, target card):
    achievement (gerçekleşme oranı) = (actual − baseline) ÷ (target − baseline) × 100.

    Numbers: `actual` is the median of the values reported in the survey (members usually
    report the same municipal figure; the median is not thrown by one typo). `percent` is None,
    with `target_equals_baseline` set, when the target equals the baseline (division by zero:
    the target is "keep the baseline").

    Yes/no indicators (e.g. I8 "equality unit / commission active"; `yes_no` set): baseline
    and target are states stored as 1.0 (yes) / 0.0 (no); `actual` is the state most
    respondents reported (1.0 / 0.0), `yes_share` the share of yes answers in %. A state is
    reached or not, so the SBB ratio reduces to `percent` = 100 when `actual` equals the
    target and 0 when not — also when the target equals the baseline ("keep it so"; the note
    says so). A tie (as many yes as no) has no majority: `actual` and `percent` are None."""

    card: TargetCard
    question: QuestionView
    actual: float | None
    reports: int
    percent: float | None
    yes_share: float | None = None

    @property
    def yes_no(self) -> bool:
        return self.question.type == "yes_no"

    @property
    def target_equals_baseline(self) -> bool:
        return self.card.target == self.card.baseline

    @property
    def met(self) -> bool:
        if self.actual is None:
            return False
        if self.yes_no:
            return self.actual == self.card.target
        if self.target_equals_baseline:
            return self.actual >= self.card.target
        return self.percent is not None and self.percent >= 100.0


@dataclass(frozen=True)
class ResponseRate:
    """`responded` counts sent responses (auto-submitted ones among them, `auto`); `partial`
    responses are counted apart and their people stay in `missing`."""

    responded: int
    invited: int
    missing: list[str]  # names; always empty for anonymous surveys
    partial: int = 0
    auto: int = 0

    @property
    def percent(self) -> float:
        return 100.0 * self.responded / self.invited if self.invited else 0.0


@dataclass
class SurveyResults:
    survey: SurveyView
    rate: ResponseRate
    summaries: list[QuestionSummary]
    achievements: list[Achievement]
    withheld: bool = False  # anonymous and below the minimum: nothing but the count
    minimum: int = MINIMUM_ANONYMOUS_RESPONSES


def achievement_percent(actual: float, baseline: float, target: float) -> float | None:
    """(actual − baseline) ÷ (target − baseline) × 100 (SBB guide, target card); None when
    target == baseline. Example: baseline 2, target 6, actual 5 → 75.0."""
    if target == baseline:
        return None
    return (actual - baseline) / (target - baseline) * 100.0


def summarize_question(question: QuestionView, responses: list[ResponseView], *,
                       lang: str, anonymous: bool = False) -> QuestionSummary:
    """The summary of one question over the given responses (skipped answers not counted)."""
    values = [response.answers[question.name] for response in responses
              if question.name in response.answers and response.answers[question.name] is not None]
    summary = QuestionSummary(question=question, count=len(values))
    if question.type in NUMERIC_TYPES:
        numbers = [float(value) for value in values if isinstance(value, int | float) and not isinstance(value, bool)]
        summary.count = len(numbers)
        if numbers:
            summary.numbers = NumberStats(len(numbers), statistics.fmean(numbers), statistics.median(numbers),
                                          min(numbers), max(numbers))
        if question.type == "range" and question.points:  # a scale: how many picked each point
            summary.shares = [Share(str(point), str(point), sum(1 for n in numbers if n == point), len(numbers))
                              for point in question.points]
    elif question.type == "yes_no":
        yes = sum(1 for value in values if value is True)
        no = sum(1 for value in values if value is False)
        summary.count = yes + no
        summary.shares = [Share("yes", "yes", yes, yes + no), Share("no", "no", no, yes + no)]
    elif question.type in CHOICE_TYPES:
        counts = {choice.name: 0 for choice in question.choices}
        for value in values:
            picked = value if isinstance(value, list | tuple) else [value]
            for name in set(map(str, picked)):
                counts[name] = counts.get(name, 0) + 1
        summary.shares = [Share(name, question.choice_label(name, lang), count, len(values))
                          for name, count in counts.items()]
    elif question.type == "text":
        texts = [str(value).strip() for value in values if str(value).strip()]
        # Anonymous: in no particular order, so that the order of arrival reveals nothing.
        summary.texts = sorted(texts, key=turkish_sort_key) if anonymous else texts
        summary.count = len(texts)
    elif question.type == "date":
        days = [value for value in values if isinstance(value, date)]
        summary.count = len(days)
        if days:
            summary.dates = (min(days), max(days))
    elif question.type == "evidence":
        summary.evidence = len(values)
    return summary


def yes_no_achievement(card: TargetCard, question: QuestionView, yes: int, no: int) -> Achievement | None:
    """Plan versus actual for a yes/no indicator from `yes` and `no` answers (see
    `Achievement`): the majority state against the target state, 100 % when reached, 0 %
    when not; None when nobody answered. Example: target yes (1.0), 2 yes and 1 no → actual
    1.0, yes share 66.7 %, 100 %."""
    reports = yes + no
    if reports == 0:
        return None
    actual = None if yes == no else (1.0 if yes > no else 0.0)
    target = 1.0 if card.target >= 0.5 else 0.0
    percent = None if actual is None else (100.0 if actual == target else 0.0)
    return Achievement(card, question, actual, reports, percent, yes_share=100.0 * yes / reports)


def plan_versus_actual(survey: SurveyView) -> list[Achievement]:
    """One `Achievement` per numeric or yes/no question whose indicator has a target card, in
    question order; indicators nobody reported on are left out."""
    achievements = []
    for question in survey.answerable:
        card = survey.targets.get(question.indicator or "")
        if card is None or question.type not in NUMERIC_TYPES | {"yes_no"}:
            continue
        if question.type == "yes_no":
            answers = [r.answers.get(question.name) for r in survey.responses]
            item = yes_no_achievement(card, question, sum(a is True for a in answers), sum(a is False for a in answers))
            if item is not None:
                achievements.append(item)
            continue
        reported = [float(r.answers[question.name]) for r in survey.responses
                    if isinstance(r.answers.get(question.name), int | float)
                    and not isinstance(r.answers.get(question.name), bool)]
        if not reported:
            continue
        actual = statistics.median(reported)
        achievements.append(Achievement(card, question, actual, len(reported),
                                        achievement_percent(actual, card.baseline, card.target)))
    return achievements


def response_rate(survey: SurveyView) -> ResponseRate:
    """Finished responses against invited members; the names of those missing only for
    named surveys (for an anonymous one, the missing list would tell who answered)."""
    sent = [response for response in survey.responses if response.sending != PARTIAL]
    invited = len(survey.invited) or len(sent)
    missing: list[str] = []
    if not survey.anonymous:
        answered = {response.respondent_id for response in sent}
        missing = sorted((person.name for person in survey.invited if person.member_id not in answered),
                         key=turkish_sort_key)
    return ResponseRate(len(sent), invited, missing, partial=len(survey.responses) - len(sent),
                        auto=sum(1 for response in sent if response.sending == SENT_AUTOMATICALLY))


def summarize(survey: SurveyView, *, lang: str | None = None,
              minimum_responses: int = MINIMUM_ANONYMOUS_RESPONSES) -> SurveyResults:
    """Everything a coordinator sees about a survey, in `lang` (default: the group's).
    Partial responses count towards the anonymous minimum: it is about what is shown."""
    language = lang or survey.language
    rate = response_rate(survey)
    if survey.anonymous and len(survey.responses) < minimum_responses:
        return SurveyResults(survey, rate, [], [], withheld=True, minimum=minimum_responses)
    summaries = [summarize_question(question, survey.responses, lang=language, anonymous=survey.anonymous)
                 for question in survey.answerable]
    return SurveyResults(survey, rate, summaries, plan_versus_actual(survey), minimum=minimum_responses)


def _pick(labels: dict[str, str], lang: str) -> str:
    return labels.get(lang) or labels.get("tr") or labels.get("en") or next(iter(labels.values()), "")
