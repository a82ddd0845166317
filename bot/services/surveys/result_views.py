"""Builds the neutral result views (`results.SurveyView`) from the stored survey: its form,
group, recipients, finished responses and the group's target cards.

Which target year: the year of the survey's deadline in the group's zone; when the target
card has no target for that year, the previous year's (a yearly evaluation in February
reports on the year just ended). Indicator names come from the group's own indicators, else
the shipped library (`bot/content/indicators.toml`).
"""

from __future__ import annotations

from functools import cache
from zoneinfo import ZoneInfo

from storage.sql import Connection

from bot.models import Group
from bot.services.surveys import content, model
from bot.services.surveys.results import (
    PARTIAL,
    SENT_AUTOMATICALLY,
    SENT_BY_MEMBER,
    Choice,
    Evidence,
    Invitee,
    QuestionView,
    ResponseView,
    SurveyView,
    TargetCard,
)
from storage import groups as groups_repo
from storage import members as members_repo
from storage import surveys as surveys_repo


@cache
def library_names() -> dict[str, dict[str, str]]:
    """Indicator code → {"tr": name, "en": name} of the shipped library."""
    return {code: dict(indicator.name) for code, indicator in content.library().indicators.items()}


# Imported XLSForm types as results treat them: a calculate is a number, a location and an
# acknowledgement are shown as text ("41.0082 28.9784", "✔").
_RESULT_TYPES = {"calculate": "decimal", "geopoint": "text", "acknowledge": "text"}


def question_view(question: model.Question) -> QuestionView:
    kind = str(question.type.value)
    return QuestionView(name=question.name, type=_RESULT_TYPES.get(kind, kind), labels=dict(question.label),
                        choices=tuple(Choice(choice.name, dict(choice.label)) for choice in question.choices),
                        indicator=question.indicator,
                        points=tuple(question.scale.points()) if question.scale else ())


def response_view(response: model.Response, form: model.SurveyForm, names: dict[int, str],
                  anonymous: bool) -> ResponseView:
    answers: dict[str, object] = {}
    comments: dict[str, str] = {}
    for question in form.stored:
        answer = response.answers.get(question.name)
        if answer is None:
            continue
        value = answer.value(question)
        if question.type == model.QuestionType.ACKNOWLEDGE and value is not None:
            value = "✔"
        if isinstance(value, model.Evidence):
            value = Evidence(value.file_id, value.filename, value.kind)
        if value is not None:
            answers[question.name] = value
        if answer.comment:
            comments[question.name] = answer.comment
    member = None if anonymous else response.member_id
    sending = PARTIAL if not response.submitted else (SENT_AUTOMATICALLY if response.auto_submitted else SENT_BY_MEMBER)
    return ResponseView(answers=answers, submitted_at=response.submitted_at, respondent_id=member,
                        respondent_name=names.get(member, f"#{member}") if member is not None else None,
                        comments=comments, sending=sending)


def _year(survey: model.Survey, group: Group) -> int:
    return survey.deadline.astimezone(ZoneInfo(group.timezone)).year


def target_views(cards: dict[str, model.TargetCard], year: int,
                 own_names: dict[str, dict[str, str]]) -> dict[str, TargetCard]:
    views = {}
    for code, card in cards.items():
        target_year = year if year in card.targets else year - 1
        target = card.targets.get(target_year)
        if card.baseline is None or target is None:
            continue
        views[code] = TargetCard(code, baseline=card.baseline, target=target, target_year=target_year,
                                 baseline_year=card.baseline_year,
                                 name=own_names.get(code) or library_names().get(code, {}))
    return views


class ViewCache:
    """What every round of one group shares, read once per build of several views (a report
    of many rounds): the group, its members' names, target cards and own indicators. Make
    one per build and drop it after: it is never refreshed, so it must not outlive the read."""

    def __init__(self) -> None:
        self._group: dict[int, tuple[Group | None, dict[int, str], dict[str, model.TargetCard],
                                     dict[str, dict[str, str]]]] = {}
        self._former: dict[int, str] = {}  # members who have left a group since

    async def former_member(self, conn: Connection, member_id: int) -> str:
        """The display name of a member no longer in the group ("#id" when erased)."""
        if member_id not in self._former:
            member = await members_repo.get(conn, member_id)
            self._former[member_id] = member.display_name if member else f"#{member_id}"
        return self._former[member_id]

    async def group(self, conn: Connection, group_id: int) -> tuple[Group | None, dict[int, str],
                                                                      dict[str, model.TargetCard],
                                                                      dict[str, dict[str, str]]]:
        """(group, member id → display name, target cards, own indicator names) of `group_id`."""
        if group_id not in self._group:
            self._group[group_id] = await _group_parts(conn, group_id)
        return self._group[group_id]


async def _group_parts(conn: Connection, group_id: int) -> tuple[Group | None, dict[int, str],
                                                                   dict[str, model.TargetCard],
                                                                   dict[str, dict[str, str]]]:
    group = await groups_repo.get(conn, group_id)
    if group is None:
        return None, {}, {}, {}
    names = {member.id: member.display_name for member, _ in await members_repo.group_members(conn, group.id)}
    own = {indicator.code: dict(indicator.name) for indicator in await surveys_repo.group_indicators(conn, group.id)}
    return group, names, await surveys_repo.target_cards(conn, group.id), own


async def load_view(conn: Connection, survey: model.Survey, cache: ViewCache | None = None) -> SurveyView:
    """The survey with everything results, charts and exports need (a few queries).
    `cache`: one `ViewCache` shared by the views of one build (a report's rounds), so that
    the group's parts are read once; None reads them afresh."""
    cache = cache or ViewCache()
    group, group_names, cards, own = await cache.group(conn, survey.group_id)
    form = await surveys_repo.get_form(conn, survey.form_id)
    if group is None or form is None:
        raise LookupError(f"survey {survey.id}: its group or form is gone")
    names = dict(group_names)
    recipients = await surveys_repo.recipients(conn, survey.id)
    missing_names = [r.member_id for r in recipients if r.member_id not in names]
    for member_id in missing_names:  # left the group since: still named in a named survey
        names[member_id] = await cache.former_member(conn, member_id)
    # Once closed, responses started but never sent with a required answer missing are
    # partial responses: counted apart, their answered questions summarized.
    responses = await surveys_repo.responses(conn, survey.id, submitted_only=survey.is_open)
    responses = [r for r in responses if r.submitted or any(not a.skipped for a in r.answers.values())]
    year = _year(survey, group)
    return SurveyView(
        id=survey.id, title=model.localized(form.title, group.language), group_id=group.id,
        group_name=group.name, language=group.language, timezone=group.timezone, anonymous=survey.anonymous,
        questions=[question_view(question) for question in form.questions],
        responses=[response_view(response, form, names, survey.anonymous) for response in responses],
        invited=[Invitee(r.member_id, names.get(r.member_id, f"#{r.member_id}")) for r in recipients],
        targets=target_views(cards, year, own),
        year=year, closes_at=survey.deadline, template=survey.template or form.code, city=group.city,
        titles=dict(form.title))


async def titled(conn: Connection, survey: model.Survey, lang: str) -> str:
    """The survey's title in `lang` (for lists of surveys)."""
    form = await surveys_repo.get_form(conn, survey.form_id)
    return model.localized(form.title, lang) if form else f"#{survey.id}"
