"""The features' parts of the plan year (`tests/plan_year.py`): each returns the steps it
plays and may check more. Add a feature by writing a class with `name`, `steps(sim)` and
`check(sim)` and listing it in `PARTS` (see tests/README.md)."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta

from bot.daycount import days_until

from bot.services.surveys.content import library
from tests.plan_year import ZONE, YEAR_END, YEAR_START, Step, YearSim, local

GENERIC_ERROR = ("Bir sorun oluştu", "Something went wrong", "beklenmeyen bir hata", "something unexpected")


OBSERVANCE_ENTRIES = {"womens-day", "violence-against-women-day"}  # plan_cycle.toml, as the calendar knows them


def observance(template_code: str | None) -> bool:
    """A plan-cycle entry that marks a day to observe (stored as `womens-day@2027`)."""
    return (template_code or "").split("@")[0] in OBSERVANCE_ENTRIES


TR_MONTHS = ("Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran", "Temmuz", "Ağustos", "Eylül", "Ekim", "Kasım",
             "Aralık")
TYPED_MONTHS = (10, 3)  # an extra meeting these months (day 15–21), announced through the chat, date typed


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
            if month in TYPED_MONTHS:  # an extra meeting mid-month, its date typed in the chat
                day = first_thursday(year, month) + timedelta(days=14)
                extra = local(day.year, day.month, day.day, 14, 0)
                extra_title = f"{calendar.month_name[month]} {year} ara toplantısı"
                steps.append(Step(extra - timedelta(days=9, hours=2), f"announce {extra_title}",
                                  lambda sim, t=extra_title, s=extra: self.announce_typed(sim, t, s)))
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
        sim.facts.setdefault("starts", {})[title] = starts  # type: ignore[union-attr]

    async def announce_typed(self, sim: YearSim, title: str, starts: datetime) -> None:
        """Through the real /toplanti dialog, the date typed with a Turkish month name
        (`15 Ekim 2026 14:00`): the meeting stored must be the day she typed."""
        wall = starts.astimezone(ZONE)
        typed = f"{wall.day} {TR_MONTHS[wall.month - 1]} {wall.year} 14:00"
        for text in ("/toplanti", title, typed, "Belediye toplantı salonu", "atla", "atla", "tekrar yok", "gönder"):
            answers = await sim.say("Zeynep", text)
        meetings = await sim.harness.services.meetings.upcoming([sim.group_id], limit=20)
        found = next((m for m in meetings if m.title == title), None)
        if found is None:
            sim.facts.setdefault("typed", []).append(f"{title!r} typed {typed!r}: not announced ({answers[-1][:120]!r})")  # type: ignore[union-attr]
            return
        if found.starts_at != starts:
            sim.facts.setdefault("typed", []).append(  # type: ignore[union-attr]
                f"{typed!r} stored as {found.starts_at.astimezone(ZONE):%d.%m.%Y %H:%M}")
        sim.facts.setdefault("meetings", {})[title] = found.id  # type: ignore[union-attr]
        sim.facts.setdefault("dates", {})[title] = {found.starts_at.astimezone(ZONE).date()}  # type: ignore[union-attr]
        sim.facts.setdefault("starts", {})[title] = found.starts_at  # type: ignore[union-attr]

    async def move(self, sim: YearSim, title: str, by: timedelta) -> None:
        meeting_id = sim.facts["meetings"][title]  # type: ignore[index]
        meetings = sim.harness.services.meetings
        meeting = await meetings.meeting(meeting_id)
        moved = await meetings.move(meeting_id, meeting.starts_at + by)
        sim.facts["dates"][title] = {moved.starts_at.astimezone(ZONE).date()}  # type: ignore[index]
        sim.facts["starts"][title] = moved.starts_at  # type: ignore[index]

    async def call_off(self, sim: YearSim, title: str) -> None:
        await sim.harness.services.meetings.call_off(sim.facts["meetings"][title])  # type: ignore[index]
        sim.facts.setdefault("cancelled", set()).add(title)  # type: ignore[union-attr]

    def check(self, sim: YearSim) -> list[str]:
        """A called-off meeting gets no reminder after it was called off; every "yarın /
        bugün / 1 saat sonra / N dakika sonra" of a reminder is true when it arrives."""
        found = self.time_words(sim) + list(sim.facts.get("typed", []))  # type: ignore[arg-type]
        for title in sim.facts.get("cancelled", set()):  # type: ignore[union-attr]
            reminders = [r for r in sim.transcript if r.timed and title in r.text and "⏰" in r.text
                         and r.at.astimezone(ZONE).date() >= min(sim.facts["dates"][title]) - timedelta(days=4)]  # type: ignore[index]
            found += [f"{sim._when(r.at)} {r.who}: reminder of a called-off meeting {title!r}" for r in reminders]
        return found


    @staticmethod
    def time_words(sim: YearSim) -> list[str]:
        found = []
        starts: dict[str, datetime] = sim.facts.get("starts", {})  # type: ignore[assignment]
        for r in sim.transcript:
            if not r.timed:
                continue
            head = r.text.split("\n", 1)[0]
            for title, start in starts.items():
                if title not in head:
                    continue
                left = start - r.at
                days = days_until(start, r.at, ZONE)
                claims = []
                if re.search(r"\b(yarın|tomorrow)\b", head):
                    claims.append(("yarın", days == 1))
                if re.search(r"\b(bugün|today)\b", head):
                    claims.append(("bugün", days == 0))
                if "1 saat sonra" in head or "in an hour" in head:
                    claims.append(("1 saat", timedelta(minutes=30) <= left <= timedelta(minutes=90)))
                minutes = re.search(r"(\d+) dakika sonra|in (\d+) minutes", head)
                if minutes:
                    n = int(minutes.group(1) or minutes.group(2))
                    claims.append((f"{n} dakika", abs(left - timedelta(minutes=n)) <= timedelta(minutes=5)))
                found += [f"{sim._when(r.at)} {r.who}: {word!r} false for {title!r} at "
                          f"{start.astimezone(ZONE):%d.%m.%Y %H:%M}: {head[:90]!r}" for word, ok in claims if not ok]
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
        sim.facts["observances"] = sorted({m.title for m in milestones if observance(m.template_code)})
        sim.facts["milestone_titles"] = {m.title for m in milestones}

    def check(self, sim: YearSim) -> list[str]:
        """A dated observance (8 March, 25 November) is never escalated as overdue."""
        titles: list[str] = sim.facts.get("observances", [])  # type: ignore[assignment]
        return [f"{sim._when(r.at)} {r.who}: observance shown overdue: {line[:90]!r}" for r in sim.transcript
                for line in r.text.splitlines() if any(title in line for title in titles)
                and any(word in line.lower() for word in ("gecikti", "overdue"))]


class MilestonesDone:
    """Marks each milestone done 1–4 (seeded) days after its date, so escalations run for a
    while and stop; observances are left alone (they are never "done")."""

    name = "milestones-done"

    def steps(self, sim: YearSim) -> list[Step]:
        return [Step(YEAR_START + timedelta(minutes=10), "plan the closings", self.plan)]

    async def plan(self, sim: YearSim) -> None:
        service = sim.harness.services.milestones.service
        for milestone_id in sim.facts.get("milestones", []):  # type: ignore[union-attr]
            milestone = await service.get(milestone_id)
            if observance(milestone.template_code):
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


class BudgetRound:
    """A budget proposal round for 2027 (August): Ayşe and Emma propose through the real
    dialog, members vote, the opinion is adopted; in November the coordinator records the
    council's decision (Ayşe's taken in, Emma's rejected); the next May's round for 2028
    offers Emma's proposal again and she resubmits it."""

    name = "budget round"

    def steps(self, sim: YearSim) -> list[Step]:
        return [Step(local(2026, 8, 3, 10), "open the 2027 budget round", lambda sim: self.open(sim, 2027, (
                    local(2026, 8, 17, 23, 59), local(2026, 8, 24, 23, 59), local(2026, 8, 31, 23, 59),
                    local(2026, 9, 7, 23, 59)))),
                Step(local(2026, 8, 5, 11), "Ayşe proposes", lambda sim: self.propose(
                    sim, "Ayşe", "Kadın kooperatiflerinden belediye alımı",
                    "Belediye ikram ve hediyelik alımlarını kadın kooperatiflerinden yapsın.")),  # (CONTENT)
                Step(local(2026, 8, 6, 15), "Emma proposes", lambda sim: self.propose(
                    sim, "Emma", "Lighting at bus stops", "Light and an emergency button at dark bus stops.")),
                Step(local(2026, 8, 26, 12), "votes", self.vote),
                Step(local(2026, 11, 10, 11), "the council's decision", self.record_decision),
                Step(local(2027, 5, 3, 10), "open the 2028 budget round", lambda sim: self.open(sim, 2028, (
                    local(2027, 5, 17, 23, 59), local(2027, 5, 24, 23, 59), local(2027, 5, 28, 23, 59),
                    local(2027, 6, 4, 23, 59)))),
                Step(local(2027, 5, 4, 11), "Emma resubmits", self.resubmit)]

    async def open(self, sim: YearSim, year: int, ends: tuple[datetime, ...]) -> None:
        from bot.services.coplanning.model import Feeds

        round_ = await sim.harness.services.coplanning.rounds.open(
            group_id=sim.group_id, feeds=Feeds.BUDGET, year=year, ends=ends, max_picks=2, quorum=None,
            created_by=sim.members["Zeynep"].member_id)
        sim.facts.setdefault("rounds", []).append(round_.id)  # type: ignore[union-attr]

    async def propose(self, sim: YearSim, name: str, title: str, body: str) -> None:
        answers = await sim.say(name, "/oneri" if sim.members[name].lang == "tr" else "/propose")
        for typed in (title, body, *(["atla" if sim.members[name].lang == "tr" else "skip"] * 4)):
            answers = await sim.say(name, typed)
        answers = await sim.say(name, "gönder" if sim.members[name].lang == "tr" else "submit")  # the button's word
        sent = " ".join(answers)
        if "KARS-" not in sent:
            sim.violations.append(f"{sim._when(sim.clock.now())} {name}'s proposal not submitted: {sent[:200]!r}")

    async def _proposals(self, sim: YearSim, round_id: int) -> list[int]:
        rows = await sim.harness.services.db.fetchall("SELECT id FROM proposals WHERE round_id = ? ORDER BY id",
                                                      (round_id,))
        return [int(row[0]) for row in rows]

    async def vote(self, sim: YearSim) -> None:
        round_id = sim.facts["rounds"][0]  # type: ignore[index]
        proposals = await self._proposals(sim, round_id)
        for name, picks in (("Zeynep", proposals), ("Ayşe", proposals[:1]), ("Emma", proposals[-1:])):
            await sim.say(name, "/oy" if sim.members[name].lang == "tr" else "/vote")
            for proposal_id in picks:
                await sim.press(name, f"cp:pk:{round_id}:{proposal_id}:0")

    async def record_decision(self, sim: YearSim) -> None:
        round_id = sim.facts["rounds"][0]  # type: ignore[index]
        proposals = await self._proposals(sim, round_id)
        for proposal_id, outcome, text in ((proposals[0], "adopted", "10.11.2026 2026/145 Bütçeye alındı"),
                                           (proposals[-1], "rejected", "10.11.2026 2026/146 Bütçe kısıtı")):
            listing = await sim.say("Zeynep", "/oneriler")
            if not any("2027 bütçesi" in shown for shown in listing):  # the round must still be reachable
                sim.violations.append(
                    f"{sim._when(sim.clock.now())} /oneriler does not list the 2027 budget round: {listing[:1]}")
            await sim.press("Zeynep", f"cp:fate:{proposal_id}")
            await sim.press("Zeynep", f"cp:fs:{proposal_id}:decision")
            await sim.press("Zeynep", f"cp:fo:{proposal_id}:{outcome}")
            answers = await sim.say("Zeynep", text)
            if not any("kaydedildi" in a for a in answers):
                sim.violations.append(f"{sim._when(sim.clock.now())} the council's decision on {proposal_id} "
                                      f"not recorded: {answers[:2]}")
            await sim.say("Zeynep", "atla")
        sim.facts["decided"] = proposals

    async def resubmit(self, sim: YearSim) -> None:
        rounds = sim.facts["rounds"]  # type: ignore[index]
        rejected = sim.facts.get("decided", [0])[-1]  # type: ignore[index]
        await sim.say("Emma", "/proposals")
        answers = await sim.press("Emma", f"cp:rs:{rejected}:{rounds[-1]}")
        answers += await sim.say("Emma", "submit")
        if not any("KARS-" in a for a in answers):
            sim.violations.append(f"{sim._when(sim.clock.now())} Emma could not resubmit: {answers[:3]}")

    def check(self, sim: YearSim) -> list[str]:
        """Both authors hear the council's decision. (That the round is still listed by
        /oneriler when the decision is recorded is checked in `record_decision`.)"""
        found = []
        for name, fragment in (("Ayşe", "2026/145"), ("Emma", "2026/146")):
            if not any(fragment in r.text for r in sim.transcript if r.who == name):
                found.append(f"{name} never heard the council's decision {fragment}")
        return found


class MonitoringReport:
    """The monitoring report (issue 22): target cards set in June; three members report the
    September round's figures; in January (the July–December report is due) Zeynep opens
    `/rapor 2026-H2`, gives the reason for the indicator behind its target, downloads the
    Word report and adopts it; the figures match the SBB formula by hand."""

    name = "monitoring report"
    # I2 counselling centres: baseline 2, target 6 → reported 3 → (3 − 2) ÷ (6 − 2) = 25 % (off track)
    # I9 equality-plan actions on time: baseline 40, target 60 → reported 58 → 90 % (on track)
    CARDS = {"I2": (2.0, 6.0), "I9": (40.0, 60.0)}
    REPORTED = {"I2": 3, "I9": 58.0}

    def steps(self, sim: YearSim) -> list[Step]:
        return [Step(local(2026, 6, 2, 11), "target cards", self.cards),
                Step(local(2026, 9, 18, 12), "figures reported", self.report_figures),
                Step(local(2027, 1, 13, 11), "the July–December report", self.report)]

    async def cards(self, sim: YearSim) -> None:
        from storage import surveys as surveys_repo

        async with sim.harness.services.db.transaction() as tx:
            for code, (baseline, target) in self.CARDS.items():
                await surveys_repo.set_baseline(tx, sim.group_id, code, baseline, 2024, sim.clock.now())
                for year in (2026, 2027):
                    await surveys_repo.set_target(tx, sim.group_id, code, year, target, sim.clock.now())

    async def report_figures(self, sim: YearSim) -> None:
        """Three members' answers to the September round, stored as the answering dialog would."""
        from bot.services.surveys.model import Answer, SurveyKind
        from storage import surveys as surveys_repo

        async with sim.harness.services.db.transaction() as tx:
            survey = next(s for s in await surveys_repo.surveys_for_groups(tx, [sim.group_id], kind=SurveyKind.SURVEY)
                          if s.is_open)
            form = await surveys_repo.get_form(tx, survey.form_id)
            assert form is not None
            questions = {q.indicator: q for q in form.questions if q.indicator in self.REPORTED}
            for name in ("Zeynep", "Emma", "Grace"):
                member = sim.members[name].member_id
                response = await surveys_repo.start_response(tx, survey, member, sim.clock.now())
                for code, value in self.REPORTED.items():
                    await surveys_repo.save_answer(tx, response.id, Answer.of(questions[code], value))
                await surveys_repo.submit(tx, survey, response.id, member, sim.clock.now())

    async def report(self, sim: YearSim) -> None:
        problems = sim.facts.setdefault("monitoring", [])
        card = " ".join(await sim.say("Zeynep", "/rapor 2026-H2"))
        for expected in ("İzleme raporu — 2026 Temmuz–Aralık", "🔴 I2", "%25", "🟢 I9", "%90",
                         "1 göstergenin sapma nedeni eksik: I2"):
            if expected not in card:
                problems.append(f"/rapor 2026-H2: {expected!r} not in {card[:300]!r}")  # type: ignore[union-attr]
        question = " ".join(await sim.press("Zeynep", f"report:{sim.group_id}:2026-H2:reasons"))
        if "(1/1)" not in question:
            problems.append(f"reasons: {question[:200]!r}")  # type: ignore[union-attr]
        await sim.say("Zeynep", "Merkez binası ihalesi iptal edildi")
        done = " ".join(await sim.say("Zeynep", "atla"))
        if "Sapma nedenleri kaydedildi" not in done:
            problems.append(f"reasons not saved: {done[:200]!r}")  # type: ignore[union-attr]
        word = await sim.press("Zeynep", f"report:{sim.group_id}:2026-H2:docx")
        if not any("Word" in text or "📄" in text for text in word):
            problems.append(f"no Word report: {word!r}")  # type: ignore[union-attr]
        await sim.press("Zeynep", f"report:{sim.group_id}:2026-H2:adopt")
        adopted = " ".join(await sim.press("Zeynep", f"report:{sim.group_id}:2026-H2:adopt_y"))
        if "kabul edildi olarak saklandı" not in adopted:
            problems.append(f"not adopted: {adopted[:200]!r}")  # type: ignore[union-attr]

    def check(self, sim: YearSim) -> list[str]:
        return list(sim.facts.get("monitoring", []))  # type: ignore[arg-type]


PARTS = (Milestones, MilestonesDone, Meetings, Surveys, Reachable, BudgetRound, MonitoringReport)
