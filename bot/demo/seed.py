"""Fill a fresh demo database from `bot/content/demo.toml`: groups, people, meetings."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from importlib import resources
from typing import Any
from zoneinfo import ZoneInfo

from bot.emulator.bot_api import FakeBotApi, FakeUser
from bot.models import Role
from bot.services import Services
from bot.services.privacy import NOTICE_VERSION, PURPOSES
from storage import members as members_repo


@dataclass
class DemoGroup:
    name: str
    city: str
    member_code: str
    coordinator: str


@dataclass
class Cast:
    """Who can be played: every seeded person by name, plus the newcomer."""

    people: dict[str, FakeUser] = field(default_factory=dict)
    groups: list[DemoGroup] = field(default_factory=list)

    def group(self, city: str) -> DemoGroup:
        return next(group for group in self.groups if group.city == city)


def load_content() -> dict[str, Any]:
    text = resources.files("bot.content").joinpath("demo.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


async def seed(services: Services, server: FakeBotApi, language: str) -> Cast:
    """Create the four groups with their people (consented, as if they joined) and meetings."""
    cast = Cast()
    next_id = 5000
    now = services.clock.now()
    for entry in load_content()["groups"]:
        created = await services.groups.create(entry["name"][language], entry["city"], language)
        group = created.group
        cast.groups.append(DemoGroup(group.name, group.city, created.member_invite.code, entry["coordinator"]))
        roster = [(entry["coordinator"], Role.COORDINATOR)] + [(name, Role.MEMBER) for name in entry["members"]]
        for name, role in roster:
            user = cast.people.get(name)
            if user is None:
                next_id += 1
                user = FakeUser(id=next_id, first_name=name, language_code=language)
                cast.people[name] = user
                server.open_private_chat(user)
            await _enrol(services, user, group.id, role, language)
        meeting = entry["meeting"]
        zone = ZoneInfo(group.timezone)
        day = (now.astimezone(zone) + timedelta(days=int(meeting["days_ahead"]))).date()
        starts = datetime.combine(day, time(int(meeting["hour"])), tzinfo=zone)
        await services.meetings.create_and_announce(
            group_id=group.id, title=meeting["title"][language], starts_at=starts, place=meeting["place"],
            agenda=None, quorum=None, created_by=None)
    return cast


async def _enrol(services: Services, user: FakeUser, group_id: int, role: Role, language: str) -> None:
    now = services.clock.now()
    async with services.db.transaction() as tx:
        member = await members_repo.by_identity(tx, "telegram", str(user.id))
        if member is None:
            member = await members_repo.create(tx, display_name=user.first_name, language=language,
                                               channel="telegram", external_id=str(user.id), now=now)
            for purpose in PURPOSES:
                await members_repo.record_consent(tx, member.id, purpose=purpose, granted=True,
                                                  notice_version=NOTICE_VERSION, channel="telegram", now=now)
        await members_repo.add_membership(tx, group_id, member.id, role, now)
