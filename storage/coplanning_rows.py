"""Co-planning rows and terms as stored: what a round feeds, its phases, stances, consent
answers, outcomes, hand-off steps; a round and a proposal.

Sources: Law 5393 (Belediye Kanunu) art. 41 (strategic plan and performance programme, with
the views of universities, chambers and NGOs), art. 62 (draft budget to the executive
committee before 1 September), art. 76 (city council opinions on the next municipal council
agenda).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Feeds(StrEnum):
    """What a proposal round feeds."""

    STRATEGIC_PLAN = "strategic_plan"          # stratejik plan (5 years, art. 41)
    PERFORMANCE_PROGRAMME = "performance_programme"  # performans programı (yearly, art. 41)
    BUDGET = "budget"                          # bütçe (yearly, art. 62)
    YEEP = "yeep"                              # yerel eşitlik eylem planı


class Phase(StrEnum):
    COLLECTING = "collecting"
    DISCUSSING = "discussing"
    VOTING = "voting"
    ADOPTING = "adopting"
    CLOSED = "closed"


PHASES = (Phase.COLLECTING, Phase.DISCUSSING, Phase.VOTING, Phase.ADOPTING)


class Stance(StrEnum):
    AGREE = "agree"
    DISAGREE = "disagree"
    PASS = "pass"


class ConsentAnswer(StrEnum):
    """The consent round on the draft opinion: Katılıyorum / Çekincem var / Karşıyım."""

    AGREE = "agree"
    RESERVATION = "reservation"
    OBJECT = "object"


class Outcome(StrEnum):
    PENDING = "pending"
    ADOPTED = "adopted"   # taken into the plan / programme / budget
    PARTLY = "partly"
    REJECTED = "rejected"


class Step(StrEnum):
    """The hand-off of a working group's opinion (Law 5393 art. 76)."""

    EXECUTIVE_BOARD = "executive_board"    # kent konseyi yürütme kurulu
    GENERAL_ASSEMBLY = "general_assembly"  # kent konseyi genel kurulu
    COUNCIL_AGENDA = "council_agenda"      # belediye meclisi gündemi
    DECISION = "decision"                  # meclis kararı


class Round(BaseModel):
    """A proposal round of one group. Times are UTC; each `*_until` ends that phase."""
    model_config = ConfigDict(defer_build=True)  # built on first use (start-up, issue 24)

    id: int
    group_id: int
    feeds: Feeds
    year: int
    collect_until: datetime
    discuss_until: datetime
    vote_until: datetime
    adopt_until: datetime
    max_picks: int = 3
    quorum: int | None = None
    counted_at: datetime | None = None
    adopted_at: datetime | None = None
    archived_at: datetime | None = None
    sent_on: date | None = None  # the day the opinion went to the council (None: adoption day)

    def phase(self, now: datetime) -> Phase:
        """The phase at `now`: each phase runs until its `*_until` (exclusive)."""
        for phase, until in zip(PHASES, self.ends(), strict=True):
            if now < until:
                return phase
        return Phase.CLOSED

    def ends(self) -> tuple[datetime, datetime, datetime, datetime]:
        return (self.collect_until, self.discuss_until, self.vote_until, self.adopt_until)

    def picks_allowed(self, proposals: int) -> int:
        """How many proposals one voter may approve (capped approval voting): at most
        `max_picks` and, with two or more proposals, at most one fewer than there are, so a
        ballot always says which ones matter more (with 2 proposals: 1). At least 1."""
        return max(1, min(self.max_picks, proposals - 1 if proposals >= 2 else 1))


class Proposal(BaseModel):
    model_config = ConfigDict(defer_build=True)  # built on first use (start-up, issue 24)
    id: int
    round_id: int
    ref: str
    title: str
    body: str
    plan_item: str | None = None
    beneficiaries: str | None = None
    effect: str | None = None
    evidence_file_id: str | None = None
    author_id: int | None = None
    status: str = "active"
    merged_into: int | None = None
    status_reason: str | None = None
    version: int = 1
    outcome: Outcome = Outcome.PENDING
    outcome_reason: str | None = None
    resubmitted_from: int | None = None
    created_at: datetime

    @property
    def active(self) -> bool:
        return self.status == "active"
