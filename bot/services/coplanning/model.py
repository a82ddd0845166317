"""Co-planning terms and the facts they rest on: what a round feeds, its phases, the legal
deadline it must beat, stances, consent answers and outcomes.

Sources: Law 5393 (Belediye Kanunu) art. 41 (strategic plan and performance programme, with
the views of universities, chambers and NGOs), art. 62 (the mayor submits the draft budget to
the executive committee — encümen — before 1 September), art. 76 (the city council's opinions
go on the agenda of the next municipal council meeting).
"""

from __future__ import annotations

from datetime import date, timedelta


from storage.coplanning_rows import (PHASES, ConsentAnswer, Feeds, Outcome, Phase, Proposal, Round, Stance,
                                     Step)

__all__ = ["PHASES", "ConsentAnswer", "Feeds", "Outcome", "Phase", "Proposal", "Round", "Stance", "Step",
           "legal_deadline", "PROPOSALS_LEAD", "NO_ANSWER_AFTER"]


def legal_deadline(feeds: Feeds, year: int) -> tuple[date, str] | None:
    """The hard date a round must beat and its legal source, or None where the law sets none.

    A round for year Y's budget or performance programme must be done before the draft
    budget goes to the executive committee: 1 September of Y−1 (Law 5393 art. 62; the
    performance programme is debated before the budget, art. 41). Strategic plans follow the
    election calendar and YEEPs their own plan: the coordinator sets those dates.
    """
    if feeds in (Feeds.BUDGET, Feeds.PERFORMANCE_PROGRAMME):
        return date(year - 1, 9, 1), "5393/62"
    return None


# The group's own proposals are due two weeks before the draft budget (DOMAIN.md milestone
# template: "the group's gender-budget proposals are due two weeks earlier").
PROPOSALS_LEAD = timedelta(days=14)

NO_ANSWER_AFTER = timedelta(days=60)  # a proposal with no council answer is flagged after this
