"""How rounds and proposals read in chat (both languages, from `messages/*/coplan.toml`)."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, time

from bot.models import Group
from messages import format_date, format_datetime, t
from storage.coplanning import Discussion
from storage.coplanning_rows import Phase, Proposal, Round

_TAGS = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """Catalog text without its HTML (for files: .docx, .xlsx)."""
    return html.unescape(_TAGS.sub("", text))


def feeds_label(round_: Round, lang: str) -> str:
    """"2027 bütçesi", "Stratejik plan (2025)"..."""
    return t(f"coplan.feeds_{round_.feeds.value}", lang, year=round_.year)


def when(moment: datetime, group: Group, lang: str) -> str:
    return format_datetime(moment, lang, group.timezone)


def day(value: date, lang: str) -> str:
    """A calendar day (no time, no zone) as the language writes it: `05.12.2026`."""
    return format_date(datetime.combine(value, time(12), tzinfo=UTC), lang, "UTC")


def schedule(round_: Round, group: Group, lang: str) -> str:
    """The four phases with their end dates, one line each."""
    return t("coplan.schedule", lang, collect=when(round_.collect_until, group, lang),
             discuss=when(round_.discuss_until, group, lang), vote=when(round_.vote_until, group, lang),
             adopt=when(round_.adopt_until, group, lang))


def phase_name(phase: Phase, lang: str) -> str:
    return t(f"coplan.phase_{phase.value}", lang)


def author_name(proposal: Proposal, names: dict[int, str], lang: str) -> str:
    if proposal.author_id is None or proposal.author_id not in names:
        return t("coplan.a_member", lang)
    return names[proposal.author_id]


def card(proposal: Proposal, author: str, discussion: Discussion | None, lang: str) -> str:
    """A proposal as members read it during collecting and discussing."""
    text = t("coplan.card", lang, ref=proposal.ref, title=proposal.title, body=proposal.body, author=author,
             version=proposal.version)
    for label, value in (("plan_item", proposal.plan_item), ("beneficiaries", proposal.beneficiaries),
                         ("effect", proposal.effect)):
        if value:
            text += "\n" + t(f"coplan.card_{label}", lang, value=value)
    if proposal.evidence_file_id:
        text += "\n" + t("coplan.card_evidence", lang)
    if discussion is not None:
        text += "\n\n" + t("coplan.card_discussion", lang, agree=discussion.agree, disagree=discussion.disagree,
                            passed=discussion.passed)
        for argument in discussion.arguments_for[-3:]:
            text += "\n" + t("coplan.card_argument_for", lang, text=argument)
        for argument in discussion.arguments_against[-3:]:
            text += "\n" + t("coplan.card_argument_against", lang, text=argument)
    return text
