"""A small survey over the neutral result views, for the results/exports/charts unit tests."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.services.surveys.results import (
    Choice,
    Evidence,
    Invitee,
    QuestionView,
    ResponseView,
    SurveyView,
    TargetCard,
)

QUESTIONS = [
    QuestionView("creches", "integer", {"tr": "Kreş sayısı", "en": "Number of crèches"}, indicator="I4"),
    QuestionView("budget", "percentage", {"tr": "Bütçe payı (%)", "en": "Budget share (%)"}, indicator="I1"),
    QuestionView("unit", "yes_no", {"tr": "Eşitlik birimi var mı?", "en": "Is there an equality unit?"}),
    QuestionView("lighting", "select_one", {"tr": "Aydınlatma", "en": "Lighting"},
                 choices=(Choice("good", {"tr": "İyi", "en": "Good"}), Choice("poor", {"tr": "Zayıf", "en": "Poor"}))),
    QuestionView("areas", "select_multiple", {"tr": "Öncelikli alanlar", "en": "Priority areas"},
                 choices=(Choice("care", {"tr": "Bakım", "en": "Care"}), Choice("safety", {"tr": "Güvenlik", "en": "Safety"}),
                          Choice("jobs", {"tr": "İstihdam", "en": "Jobs"}))),
    QuestionView("note", "note", {"tr": "Teşekkürler", "en": "Thanks"}),
    QuestionView("comment", "text", {"tr": "Görüşünüz", "en": "Your view"}),
    QuestionView("visited", "date", {"tr": "Ziyaret tarihi", "en": "Visit date"}),
    QuestionView("photo", "evidence", {"tr": "Kanıt", "en": "Evidence"}),
]

PEOPLE = [Invitee(11, "Ayşe Yılmaz"), Invitee(12, "Fatma Demir"), Invitee(13, "Şule Kaya"), Invitee(14, "Zeynep Çelik")]


def responses() -> list[ResponseView]:
    return [
        ResponseView({"creches": 5, "budget": 2.5, "unit": True, "lighting": "good", "areas": ["care", "safety"],
                      "comment": "=HYPERLINK(\"http://evil\")", "visited": date(2026, 11, 2),
                      "photo": Evidence("AgAD-file-1", "ayse_yilmaz_kimlik.jpg", "photo")},
                     datetime(2026, 11, 25, 21, 30, tzinfo=UTC), 11, "Ayşe Yılmaz", {"creches": "2 yeni açıldı"}),
        ResponseView({"creches": 4, "budget": 3.0, "unit": False, "lighting": "poor", "areas": ["care"],
                      "comment": "Kreşler yetersiz"},
                     datetime(2026, 11, 26, 8, 0, tzinfo=UTC), 12, "Fatma Demir"),
        ResponseView({"creches": 7, "unit": True, "lighting": "good", "areas": []},
                     datetime(2026, 11, 27, 9, 15, tzinfo=UTC), 13, "Şule Kaya"),
    ]


def survey(*, anonymous: bool = False, title: str = "Altı aylık izleme", count: int | None = None,
           language: str = "tr") -> SurveyView:
    chosen = responses()[:count] if count is not None else responses()
    if anonymous:
        chosen = [ResponseView(r.answers, r.submitted_at, None, None, r.comments) for r in chosen]
    return SurveyView(
        id=7, title=title, group_id=1, group_name="Kadın Dostu Kent", language=language,
        timezone="Europe/Istanbul", anonymous=anonymous, questions=QUESTIONS, responses=chosen,
        invited=PEOPLE, year=2026, city="Kars",
        targets={"I4": TargetCard("I4", baseline=2, target=6, target_year=2026, baseline_year=2024,
                                  name={"tr": "Belediye kreş kapasitesi", "en": "Municipal childcare capacity"}),
                 "I1": TargetCard("I1", baseline=3, target=3, target_year=2026, baseline_year=2024)})
