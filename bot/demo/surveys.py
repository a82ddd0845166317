"""The demo's surveys: one open indicator survey per city group, sent at seed time, and the
groups' target cards — from `[surveys]` in `bot/content/demo.toml`."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from bot import content
from bot.demo.seed import DemoGroup
from bot.services import Services
from bot.services.surveys.content import library
from storage import surveys as surveys_repo

BASELINE_YEAR = 2024


class TargetSeed(BaseModel):
    baseline: float
    targets: dict[int, float] = Field(default_factory=dict)


class SurveySeeds(BaseModel):
    days_open: int = Field(default=14, ge=2, le=60)
    templates: dict[str, str]
    targets: dict[str, dict[str, TargetSeed]] = Field(default_factory=dict)


def load_seeds() -> SurveySeeds:
    seeds = SurveySeeds.model_validate(content.load("demo")["surveys"])
    unknown = sorted(set(seeds.templates.values()) - set(library().templates))
    if unknown:
        raise ValueError(f"demo.toml [surveys.templates]: unknown templates {unknown}")
    return seeds


async def seed_survey(services: Services, group: DemoGroup, seeds: SurveySeeds | None = None) -> None:
    """Open the city's template for the group (due in `days_open` days at 17:00, named; as if
    sent earlier, so no invitation now — members find it in /anketler) and set its target cards."""
    seeds = seeds or load_seeds()
    code = seeds.templates.get(group.city)
    if code is None:
        return
    now = services.clock.now()
    zone = ZoneInfo((await services.surveys.group(group.id)).timezone)
    day = (now.astimezone(zone) + timedelta(days=seeds.days_open)).date()
    deadline = datetime.combine(day, time(17, 0), tzinfo=zone)
    await services.surveys.send(group_id=group.id, form=library().templates[code], deadline=deadline,
                                anonymous=False, created_by=None, template=code, invite=False)
    async with services.db.transaction() as tx:
        for indicator, card in seeds.targets.get(group.city, {}).items():
            await surveys_repo.set_baseline(tx, group.id, indicator, card.baseline, BASELINE_YEAR, now)
            for year, target in card.targets.items():
                await surveys_repo.set_target(tx, group.id, indicator, year, target, now)
