"""Counting a capped-approval vote: each voter picks up to K proposals; a proposal's score is
the number of voters who picked it. Ties share a rank and are reported as ties."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Ranked:
    """One line of the result: `rank` is 1-based and shared by tied proposals
    (standard competition ranking: 1, 2, 2, 4)."""

    proposal_id: int
    votes: int
    rank: int
    tied: bool


def rank(proposal_ids: Iterable[int], ballots: Iterable[tuple[int, int]]) -> list[Ranked]:
    """Rank `proposal_ids` by the ballots `(member_id, proposal_id)`.

    Proposals without a vote rank too (with 0). Order within a tie is by proposal id, which
    is only for a stable display: the tie itself is reported.
    """
    ids = list(dict.fromkeys(proposal_ids))
    wanted = set(ids)
    counts = Counter(proposal for _, proposal in set(ballots) if proposal in wanted)
    ordered = sorted(ids, key=lambda pid: (-counts[pid], pid))
    by_votes = Counter(counts[pid] for pid in ids)
    result: list[Ranked] = []
    for position, pid in enumerate(ordered, start=1):
        votes = counts[pid]
        shared = result[-1].rank if result and result[-1].votes == votes else position
        result.append(Ranked(pid, votes, shared, by_votes[votes] > 1))
    return result
