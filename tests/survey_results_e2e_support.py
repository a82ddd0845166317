"""Steps the end-to-end results tests share: a group whose people joined through the real
onboarding, and a survey with finished responses written through the survey repository
(the answering dialog itself is tested in the surveys tests)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.services.surveys.model import Answer, Evidence, SurveyForm
from storage import members as members_repo
from storage import surveys as repo
from tests.harness import Harness, Person
from tests.meetings_support import group_with

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
DEADLINE = datetime(2026, 12, 10, 20, 59, tzinfo=UTC)  # 10.12.2026 23:59 in Istanbul

FORM = SurveyForm.model_validate({
    "code": "izleme-6ay", "title": {"tr": "Altı aylık izleme", "en": "Six-monthly monitoring"},
    "questions": [
        {"name": "intro", "type": "note", "label": {"tr": "Teşekkürler", "en": "Thanks"}},
        {"name": "creche_places", "type": "integer", "label": {"tr": "Kreş kontenjanı", "en": "Crèche places"},
         "indicator": "I4", "required": True},
        {"name": "budget_share", "type": "percentage", "label": {"tr": "Bütçe payı", "en": "Budget share"},
         "indicator": "I1"},
        {"name": "unit", "type": "yes_no", "label": {"tr": "Eşitlik birimi çalışıyor mu?",
                                                    "en": "Is the equality unit working?"}},
        {"name": "lighting", "type": "select_one", "label": {"tr": "Aydınlatma", "en": "Lighting"},
         "choices": [{"name": "good", "label": {"tr": "İyi", "en": "Good"}},
                     {"name": "poor", "label": {"tr": "Zayıf", "en": "Poor"}}]},
        {"name": "areas", "type": "select_multiple", "label": {"tr": "Öncelikler", "en": "Priorities"},
         "choices": [{"name": "care", "label": {"tr": "Bakım", "en": "Care"}},
                     {"name": "safety", "label": {"tr": "Güvenlik", "en": "Safety"}}]},
        {"name": "opinion", "type": "text", "label": {"tr": "Görüşünüz", "en": "Your view"}},
        {"name": "walked", "type": "date", "label": {"tr": "Denetim yürüyüşü", "en": "Audit walk"}},
        {"name": "photo", "type": "evidence", "label": {"tr": "Fotoğraf", "en": "Photo"}},
    ]})

ANSWERS: list[dict[str, object]] = [
    {"creche_places": 1250, "budget_share": 2.5, "unit": True, "lighting": "good", "areas": ["care", "safety"],
     "opinion": "=HYPERLINK(\"http://evil.example\",\"tıkla\")", "walked": date(2026, 11, 20),
     "photo": Evidence(kind="photo", file_id="AgADfile-ayse", filename="ayse_demir_park.jpg")},
    {"creche_places": 1400, "budget_share": 3.0, "unit": False, "lighting": "poor", "areas": ["care"],
     "opinion": "Kreş saatleri uzamalı"},
    {"creche_places": 1300, "unit": True, "lighting": "good", "areas": []},
]


async def member_id(harness: Harness, person: Person) -> int:
    async with harness.services.db.read() as conn:
        member = await members_repo.by_identity(conn, "telegram", str(person.user.id))
    assert member is not None
    return member.id


async def seed_survey(harness: Harness, group_id: int, answerers: list[Person], invited: list[Person], *,
                      anonymous: bool = False, answers: list[dict[str, object]] | None = None,
                      targets: bool = True) -> int:
    """A survey of FORM sent to `invited`, answered and submitted by `answerers` (in order,
    with ANSWERS), with I4's target card (baseline 1000 in 2024, target 1500 in 2026) and
    I1's (target equal to its baseline). Returns the survey id."""
    questions = {question.name: question for question in FORM.questions}
    ids = [await member_id(harness, person) for person in invited]
    async with harness.services.db.transaction() as tx:
        form_id = await repo.save_form(tx, FORM, NOW, group_id=group_id)
        survey = await repo.create_survey(tx, group_id=group_id, form_id=form_id, deadline=DEADLINE,
                                          anonymous=anonymous, created_by=ids[0], now=NOW, template=FORM.code)
        await repo.add_recipients(tx, survey, ids, NOW)
        if targets:
            await repo.set_baseline(tx, group_id, "I4", 1000, 2024, NOW)
            await repo.set_target(tx, group_id, "I4", 2026, 1500, NOW)
            await repo.set_baseline(tx, group_id, "I1", 3, 2024, NOW)
            await repo.set_target(tx, group_id, "I1", 2026, 3, NOW)
        for index, person in enumerate(answerers):
            member = await member_id(harness, person)
            when = NOW + timedelta(days=1, hours=index * 5, minutes=17)
            response = await repo.start_response(tx, survey, member, when)
            for name, value in (answers or ANSWERS)[index % len(answers or ANSWERS)].items():
                comment = "2 yeni kreş açıldı" if name == "creche_places" and index == 0 else None
                await repo.save_answer(tx, response.id, Answer.of(questions[name], value, comment=comment))
            await repo.submit(tx, survey, response.id, member, when)
    return survey.id


async def kars_group(harness: Harness) -> tuple[Person, list[Person], int]:
    """Zeynep coordinates "Kadın Dostu Kent" (Kars) with Ayşe, Fatma, Şule and Emma (English)."""
    zeynep, members = await group_with(harness, ("Ayşe", "tr"), ("Fatma", "tr"), ("Şule", "tr"), ("Emma", "en"))
    groups = await harness.services.groups.all()
    return zeynep, members, groups[-1][0].id


async def new_group(harness: Harness, name: str, city: str, coordinator: str,
                    *members: str) -> tuple[Person, list[Person], int]:
    """Another group, its coordinator and Turkish members all newcomers joining by link."""
    created = await harness.create_group(name, city)
    boss = harness.person(coordinator)
    await harness.join(boss, created.coordinator_invite.code)
    await harness.next(boss)
    people = []
    for member in members:
        person = harness.person(member)
        await harness.join(person, created.member_invite.code)
        await harness.next(person)
        people.append(person)
    return boss, people, created.group.id
