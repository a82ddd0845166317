"""Fill a fresh demo database from `bot/content/demo.toml` and `indicators.toml`: the four
city groups, their people (consented, as if they had joined), and an upcoming meeting each."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, BaseModel, Field, model_validator

from bot import content
from bot.clock import utc_timestamp
from bot.demo.whatsapp import WhatsAppPeople
from bot.emulator.telegram.server import FakeBotApi, FakeUser
from bot.models import Role
from bot.services import Services
from bot.services.privacy import NOTICE_VERSION, PURPOSES
from messages import FALLBACK, LANGUAGES
from storage import members as members_repo
from storage import whatsapp as whatsapp_repo

# A text given per language ({tr = "...", en = "..."}), or one string for every language.
Localized = str | dict[str, str]

NEWCOMER_ID = 4242
FIRST_PERSON_ID = 5001


def pick(text: Localized, lang: str) -> str:
    """`text` in `lang`, else in the fallback language."""
    if isinstance(text, str):
        return text
    return text.get(lang) or text[FALLBACK]


def _has_fallback(value: Localized) -> Localized:
    if isinstance(value, dict) and FALLBACK not in value:
        raise ValueError(f"a per-language text needs at least {FALLBACK!r}: {value}")
    return value


Text = Annotated[str | dict[str, str], AfterValidator(_has_fallback)]


class Indicator(BaseModel):
    id: str
    name: Text
    unit: Text
    source: Text
    frequency: Literal["yearly", "six_monthly", "quarterly", "per_election"]


class MeetingSeed(BaseModel):
    title: Text
    days_ahead: int = Field(ge=1, le=60)
    hour: int = Field(ge=8, le=17)  # daytime: members' safety and care duties
    place: Text
    winter_place: Text | None = None


class GroupSeed(BaseModel):
    city: str
    name: Text
    description: Text
    indicators: list[str]
    coordinator: str
    members: list[str]
    meeting: MeetingSeed


class NewcomerSeed(BaseModel):
    name: str
    joins: str  # a city


class DemoContent(BaseModel):
    winter_months: set[int] = Field(default_factory=set)
    newcomer: NewcomerSeed
    languages: dict[str, str] = Field(default_factory=dict)
    whatsapp: list[str] = Field(default_factory=list)  # people who use WhatsApp, not Telegram
    groups: list[GroupSeed]
    indicators: dict[str, Indicator]

    @model_validator(mode="after")
    def _consistent(self) -> DemoContent:
        cities = [group.city for group in self.groups]
        if self.newcomer.joins not in cities:
            raise ValueError(f"the newcomer joins {self.newcomer.joins!r}, which is not a group's city")
        people = {name for group in self.groups for name in (group.coordinator, *group.members)}
        if self.newcomer.name in people:
            raise ValueError(f"the newcomer {self.newcomer.name!r} is already in a group")
        for group in self.groups:
            unknown = [code for code in group.indicators if code not in self.indicators]
            if unknown:
                raise ValueError(f"{group.city}: unknown indicators {unknown}")
        if set(self.whatsapp) - people:
            raise ValueError(f"whatsapp: unknown people {sorted(set(self.whatsapp) - people)}")
        for name, lang in self.languages.items():
            if lang not in LANGUAGES:
                raise ValueError(f"{name}: no catalog for language {lang!r}")
        return self


def load_content() -> DemoContent:
    library = {code: {"id": code, **entry} for code, entry in content.load("indicators").items()}
    return DemoContent.model_validate({**content.load("demo"), "indicators": library})


@dataclass
class DemoGroup:
    id: int
    name: str
    city: str
    description: str
    indicators: list[Indicator]
    member_code: str
    coordinator: str
    members: list[str]
    meeting_days_ahead: int = 7  # when the group's seeded monthly meeting is, from the demo's start


@dataclass
class Cast:
    """Who can be played: every seeded person by name, and the newcomer who joins."""

    newcomer: FakeUser
    joins: DemoGroup
    people: dict[str, FakeUser] = field(default_factory=dict)
    groups: list[DemoGroup] = field(default_factory=list)

    def group(self, city: str) -> DemoGroup:
        return next(group for group in self.groups if group.city == city)

    def groups_of(self, name: str) -> list[DemoGroup]:
        return [group for group in self.groups if name == group.coordinator or name in group.members]


async def seed(services: Services, server: FakeBotApi, language: str,
               demo: DemoContent | None = None, whatsapp: WhatsAppPeople | None = None,
               before_announcing: Callable[[DemoGroup], Awaitable[None]] | None = None,
               existing: bool = False) -> Cast:
    """Create the groups with their people and announce one upcoming meeting in each;
    `before_announcing(group)` seeds more (the open survey) so the meeting notice stays the
    members' latest message. `existing`: the database holds a previous run: only the cast
    is made again (`recall`)."""
    demo = demo or load_content()
    if existing:
        recalled = await recall(services, server, language, demo, whatsapp)
        if recalled is not None:
            return recalled
    people: dict[str, FakeUser] = {}
    groups: list[DemoGroup] = []
    now = services.clock.now()
    for entry in demo.groups:
        created = await services.groups.create(pick(entry.name, language), entry.city, language)
        group = created.group
        groups.append(DemoGroup(
            id=group.id, name=group.name, city=group.city, description=pick(entry.description, language),
            indicators=[demo.indicators[code] for code in entry.indicators],
            member_code=created.member_invite.code, coordinator=entry.coordinator, members=list(entry.members),
            meeting_days_ahead=entry.meeting.days_ahead))
        roster = [(entry.coordinator, Role.COORDINATOR)] + [(name, Role.MEMBER) for name in entry.members]
        for name, role in roster:
            user = people.get(name)
            if user is None:
                user = FakeUser(id=FIRST_PERSON_ID + len(people), first_name=name,
                                language_code=demo.languages.get(name, language))
                people[name] = user
                if whatsapp is not None and name in demo.whatsapp:
                    await _on_whatsapp(services, whatsapp, user)
                else:
                    server.open_private_chat(user)
            await _enrol(services, user, group.id, role, whatsapp)
        if before_announcing is not None:
            await before_announcing(groups[-1])
        await _announce_meeting(services, group.id, ZoneInfo(group.timezone), entry.meeting, demo, language, now)
    await seed_milestones(services, [group.id for group in groups])
    newcomer = FakeUser(id=NEWCOMER_ID, first_name=demo.newcomer.name, language_code=language)
    server.open_private_chat(newcomer)
    joins = next(group for group in groups if group.city == demo.newcomer.joins)
    cast = Cast(newcomer=newcomer, joins=joins, people=people, groups=groups)
    cast.people[newcomer.first_name] = newcomer
    return cast


async def recall(services: Services, server: FakeBotApi, language: str, demo: DemoContent,
                 whatsapp: WhatsAppPeople | None) -> Cast | None:
    """The cast of a kept demo database: the same people in the same order as `seed` made
    them (Telegram ids follow from it; a WhatsApp person's business-scoped id is read back),
    the groups found by city, a new member invite each. None when the groups are not there."""
    found = {group.city: group for group, _ in await services.groups.all()}
    if not all(entry.city in found for entry in demo.groups):
        return None
    people: dict[str, FakeUser] = {}
    groups: list[DemoGroup] = []
    for entry in demo.groups:
        group = found[entry.city]
        invite = await services.groups.new_member_invite(group.id)
        groups.append(DemoGroup(
            id=group.id, name=group.name, city=group.city, description=pick(entry.description, language),
            indicators=[demo.indicators[code] for code in entry.indicators], member_code=invite.code,
            coordinator=entry.coordinator, members=list(entry.members), meeting_days_ahead=entry.meeting.days_ahead))
        for name in [entry.coordinator, *entry.members]:
            if name in people:
                continue
            user = FakeUser(id=FIRST_PERSON_ID + len(people), first_name=name,
                            language_code=demo.languages.get(name, language))
            people[name] = user
            address = None
            if whatsapp is not None and name in demo.whatsapp:
                async with services.db.read() as conn:
                    address = await whatsapp_repo.address_of_member_named(conn, name)
            if address is not None and whatsapp is not None:
                await _on_whatsapp(services, whatsapp, user, user_id=address)
            else:
                server.open_private_chat(user)
    newcomer = FakeUser(id=NEWCOMER_ID, first_name=demo.newcomer.name, language_code=language)
    server.open_private_chat(newcomer)
    joins = next(group for group in groups if group.city == demo.newcomer.joins)
    cast = Cast(newcomer=newcomer, joins=joins, people=people, groups=groups)
    cast.people[newcomer.first_name] = newcomer
    return cast


async def _announce_meeting(services: Services, group_id: int, zone: ZoneInfo, meeting: MeetingSeed,
                            demo: DemoContent, language: str, now: datetime) -> None:
    day = (now.astimezone(zone) + timedelta(days=meeting.days_ahead)).date()
    starts = datetime.combine(day, time(meeting.hour), tzinfo=zone)
    winter = meeting.winter_place is not None and starts.month in demo.winter_months
    place = pick(meeting.winter_place if winter and meeting.winter_place else meeting.place, language)
    await services.meetings.create_and_announce(group_id=group_id, title=pick(meeting.title, language),
                                                starts_at=starts, place=place)


async def seed_milestones(services: Services, group_ids: list[int]) -> None:
    """Each city's plan cycle: the shipped template for the rest of this year and the next
    (the councils' default session rule; coordinators can set theirs with /takvim meclis)."""
    year = services.clock.now().year
    for group_id in group_ids:
        for each in (year, year + 1):
            await services.milestones.service.load_template(group_id, each)


async def _on_whatsapp(services: Services, whatsapp: WhatsAppPeople, user: FakeUser,
                       user_id: str | None = None) -> None:
    """A WhatsApp member who wrote to the bot a moment ago: her 24-hour window is open."""
    wa = whatsapp.add(user, user_id=user_id)
    now = utc_timestamp(services.clock.now())
    whatsapp.graph.last_inbound[wa.user_id] = now
    async with services.db.transaction() as tx:
        await whatsapp_repo.saw(tx, wa.user_id, None, now)


async def _enrol(services: Services, user: FakeUser, group_id: int, role: Role,
                 whatsapp: WhatsAppPeople | None = None) -> None:
    """As if `user` had opened the invite, read the notice and agreed to both purposes."""
    now = services.clock.now()
    language = user.language_code or FALLBACK
    wa = whatsapp.of(user) if whatsapp is not None else None
    channel, external_id = ("whatsapp", wa.user_id) if wa is not None else ("telegram", str(user.id))
    async with services.db.transaction() as tx:
        member = await members_repo.by_identity(tx, channel, external_id)
        if member is None:
            member = await members_repo.create(tx, display_name=user.first_name, language=language,
                                               channel=channel, external_id=external_id, now=now)
            for purpose in PURPOSES:
                await members_repo.record_consent(tx, member.id, purpose=purpose, granted=True,
                                                  notice_version=NOTICE_VERSION, channel=channel, now=now)
        await members_repo.add_membership(tx, group_id, member.id, role, now)
