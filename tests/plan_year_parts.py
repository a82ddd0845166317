"""The features' parts of the plan year (`tests/plan_year.py`): each returns the steps it
plays and may check more. Add a feature by writing a class with `name`, `steps(sim)` and
`check(sim)` and listing it in `PARTS` (see tests/README.md)."""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

from bot.services.surveys.content import library
from tests.plan_year import ZONE, YEAR_END, YEAR_START, Step, YearSim, local

GENERIC_ERROR = ("Bir sorun oluştu", "Something went wrong", "beklenmeyen bir hata", "something unexpected")


def first_thursday(year: int, month: int) -> date:
    days = [week[3] for week in calendar.Calendar().monthdatescalendar(year, month) if week[3].month == month]
    return days[0]


def months() -> list[tuple[int, int]]:
    """(year, month) from the year's start month to its end month."""
    out = []
    year, month = YEAR_START.astimezone(ZONE).year, YEAR_START.astimezone(ZONE).month
    while (year, month) <= (YEAR_END.astimezone(ZONE).year, YEAR_END.astimezone(ZONE).month):
        out.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


class Meetings:
    """A meeting on the first Thursday of each month at 14:00, announced ten days before;
    September's is moved a week later, January's is called off."""

    name = "meetings"

    def steps(self, sim: YearSim) -> list[Step]:
        steps = []
        for year, month in months()[1:]:
            day = first_thursday(year, month)
            starts = local(day.year, day.month, day.day, 14, 0)
            title = f"{calendar.month_name[month]} {year} çalışma toplantısı"
            steps.append(Step(starts - timedelta(days=10, hours=3), f"announce {title}",
                              lambda sim, t=title, s=starts: self.announce(sim, t, s)))
            if month == 9:
                steps.append(Step(starts - timedelta(days=5, hours=2), f"move {title}",
                                  lambda sim, t=title: self.move(sim, t, timedelta(days=7))))
            if month == 1:
                steps.append(Step(starts - timedelta(days=4, hours=1), f"call off {title}",
                                  lambda sim, t=title: self.call_off(sim, t)))
        return steps

    async def announce(self, sim: YearSim, title: str, starts: datetime) -> None:
        coordinator = sim.members["Zeynep"].member_id
        meeting = await sim.harness.services.meetings.create_and_announce(
            group_id=sim.group_id, title=title, starts_at=starts, place="Belediye toplantı salonu",
            created_by=coordinator)
        sim.facts.setdefault("meetings", {})[title] = meeting.id  # type: ignore[union-attr]
        sim.facts.setdefault("dates", {})[title] = {starts.astimezone(ZONE).date()}  # type: ignore[union-attr]

    async def move(self, sim: YearSim, title: str, by: timedelta) -> None:
        meeting_id = sim.facts["meetings"][title]  # type: ignore[index]
        meetings = sim.harness.services.meetings
        meeting = await meetings.meeting(meeting_id)
        moved = await meetings.move(meeting_id, meeting.starts_at + by)
        sim.facts["dates"][title] = {moved.starts_at.astimezone(ZONE).date()}  # type: ignore[index]

    async def call_off(self, sim: YearSim, title: str) -> None:
        await sim.harness.services.meetings.call_off(sim.facts["meetings"][title])  # type: ignore[index]
        sim.facts.setdefault("cancelled", set()).add(title)  # type: ignore[union-attr]

    def check(self, sim: YearSim) -> list[str]:
        """A called-off meeting gets no reminder after it was called off."""
        found = []
        for title in sim.facts.get("cancelled", set()):  # type: ignore[union-attr]
            reminders = [r for r in sim.transcript if r.timed and title in r.text and "⏰" in r.text
                         and r.at.astimezone(ZONE).date() >= min(sim.facts["dates"][title]) - timedelta(days=4)]  # type: ignore[index]
            found += [f"{sim._when(r.at)} {r.who}: reminder of a called-off meeting {title!r}" for r in reminders]
        return found


class Milestones:
    """The plan-cycle template of 2026 and 2027; the coordinator marks each milestone done a
    few (seeded) days after its date, so escalations run for a while and stop."""

    name = "milestones"

    def steps(self, sim: YearSim) -> list[Step]:
        return [Step(YEAR_START + timedelta(minutes=5), "load the template", self.load)]

    async def load(self, sim: YearSim) -> None:
        service = sim.harness.services.milestones.service
        coordinator = sim.members["Zeynep"].member_id
        for year in (2026, 2027):
            await service.load_template(sim.group_id, year, created_by=coordinator)
        milestones = [*await service.year(sim.group_id, 2026), *await service.year(sim.group_id, 2027)]
        dates = sim.facts.setdefault("dates", {})
        for milestone in milestones:
            dates.setdefault(milestone.title, set()).add(milestone.due_at.astimezone(ZONE).date())  # type: ignore[union-attr]
        sim.facts["milestones"] = [m.id for m in milestones if m.due_at <= YEAR_END]

    def check(self, sim: YearSim) -> list[str]:
        return []


class MilestonesDone:
    """Marks each milestone done 1–4 (seeded) days after its date, so escalations run for a
    while and stop; observances are left alone (they are never "done")."""

    name = "milestones-done"

    def steps(self, sim: YearSim) -> list[Step]:
        return [Step(YEAR_START + timedelta(minutes=10), "plan the closings", self.plan)]

    async def plan(self, sim: YearSim) -> None:
        from bot.services.milestones.render import is_observance

        service = sim.harness.services.milestones.service
        for milestone_id in sim.facts.get("milestones", []):  # type: ignore[union-attr]
            milestone = await service.get(milestone_id)
            if is_observance(milestone):
                continue
            moment = sim.daytime(milestone.due_at + timedelta(days=sim.rng.randint(1, 4), hours=sim.rng.randint(0, 5)))
            sim.later(Step(moment, f"done {milestone.title}", lambda sim, i=milestone_id: self.close(sim, i)))

    async def close(self, sim: YearSim, milestone_id: int) -> None:
        service = sim.harness.services.milestones.service
        milestone = await service.get(milestone_id)
        if milestone.is_open:
            await service.close(milestone, "done", sim.members["Zeynep"].member_id)

    def check(self, sim: YearSim) -> list[str]:
        return []


class Surveys:
    """Two indicator surveys (September and March), two weeks each; Ayşe answers neither,
    so she is nudged."""

    name = "surveys"

    def steps(self, sim: YearSim) -> list[Step]:
        return [Step(local(2026, 9, 10, 11), "survey september", lambda sim: self.send(sim, local(2026, 9, 24, 17))),
                Step(local(2027, 3, 10, 11), "survey march", lambda sim: self.send(sim, local(2027, 3, 24, 17)))]

    async def send(self, sim: YearSim, deadline: datetime) -> None:
        await sim.harness.services.surveys.send(
            group_id=sim.group_id, form=library().templates["izleme"], deadline=deadline, anonymous=False,
            created_by=sim.members["Zeynep"].member_id, template="izleme")

    def check(self, sim: YearSim) -> list[str]:
        return []


class Reachable:
    """On the first working day of each month everyone asks for the calendar, the meetings and
    the surveys (WhatsApp members by typing the word): each gets an answer, never the
    generic error; on WhatsApp this also opens her 24-hour window again."""

    name = "reachable"
    ASKED = ("/takvim", "/toplantilar", "/anketler")

    def steps(self, sim: YearSim) -> list[Step]:
        steps = []
        for year, month in months():
            day = date(year, month, 2)
            while day.weekday() >= 5:
                day += timedelta(days=1)
            moment = local(day.year, day.month, day.day, 12, 0)
            if YEAR_START < moment < YEAR_END:
                steps.append(Step(moment, f"ask {day}", self.ask))
        return steps

    async def ask(self, sim: YearSim) -> None:
        failures = sim.facts.setdefault("unreachable", [])
        turn = sim.facts.setdefault("turn", [0])
        turn[0] += 1  # type: ignore[index]
        for index, member in enumerate(sim.members.values()):
            # one command a month each, in turn: every command is asked by everyone each quarter
            for command in [self.ASKED[(turn[0] + index) % len(self.ASKED)]]:  # type: ignore[index]
                typed = command if member.channel == "telegram" else command.lstrip("/")
                answers = await sim.say(member.name, typed)
                if not answers or any(error in text for text in answers for error in GENERIC_ERROR):
                    failures.append(f"{sim._when(sim.clock.now())} {member.name}: {typed!r} → {answers[:1]}")  # type: ignore[union-attr]

    def check(self, sim: YearSim) -> list[str]:
        return list(sim.facts.get("unreachable", []))  # type: ignore[arg-type]


PARTS = (Milestones, MilestonesDone, Meetings, Surveys, Reachable)
