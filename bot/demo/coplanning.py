"""The demo's proposal rounds: one open round per city with the members' first proposals,
from `[coplanning]` in `bot/content/demo.toml` (as if opened earlier: no notice now)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from bot import content
from bot.demo.seed import DemoGroup
from bot.services import Services
from bot.services.coplanning.model import Feeds
from bot.services.coplanning.proposals import new_reference
from bot.services.coplanning.rounds import end_of_day
from storage import coplanning as coplanning_repo
from storage import members as members_repo

Text = str | dict[str, str]


def _in(text: Text | None, lang: str) -> str | None:
    if text is None or isinstance(text, str):
        return text
    return text.get(lang) or next(iter(text.values()))


class ProposalSeed(BaseModel):
    author: str
    title: Text
    body: Text
    plan_item: str | None = None


class RoundSeed(BaseModel):
    city: str
    feeds: Feeds
    proposals: list[ProposalSeed] = Field(default_factory=list)


class CoplanningSeeds(BaseModel):
    phase_days: list[int] = Field(min_length=4, max_length=4)
    picks: int = Field(default=3, ge=1, le=10)
    rounds: list[RoundSeed]


def load_seeds() -> CoplanningSeeds:
    return CoplanningSeeds.model_validate(content.load("demo")["coplanning"])


async def seed_round(services: Services, group: DemoGroup, language: str,
                     seeds: CoplanningSeeds | None = None) -> None:
    """Open the city's round (collecting from today) and file its seeded proposals. Each phase
    of N days ends at 23:59 of its N-th day, counting today as the first, so "/wait 7d" from
    the morning always lands in the next phase."""
    seeds = seeds or load_seeds()
    found = next((r for r in seeds.rounds if r.city == group.city), None)
    if found is None:
        return
    now = services.clock.now()
    zone = ZoneInfo((await services.groups.get(group.id)).timezone)  # type: ignore[union-attr]
    today = now.astimezone(zone).date()
    ends, total = [], 0
    for days in seeds.phase_days:
        total += days
        ends.append(end_of_day(today + timedelta(days=total - 1), zone))
    round_ = await services.coplanning.rounds.open(
        group_id=group.id, feeds=found.feeds, year=now.year + 1, ends=tuple(ends), max_picks=seeds.picks,
        quorum=None, created_by=None, announce=False)
    async with services.db.transaction() as tx:
        people = {member.display_name: member.id for member, _ in await members_repo.group_members(tx, group.id)}
        for proposal in found.proposals:
            await coplanning_repo.create_proposal(
                tx, round_id=round_.id, ref=await new_reference(tx, group.city, round_),
                title=_in(proposal.title, language) or "", body=_in(proposal.body, language) or "",
                plan_item=proposal.plan_item, beneficiaries=None, effect=None, evidence=None,
                author_id=people.get(proposal.author), resubmitted_from=None, now=now)
