"""The scripted tour: a list of steps (data), so each new feature appends its own.

Each step is one person doing one thing — typing, tapping a button (by its label), or
letting time pass — and the fragment the bot's answer to that person must contain, per
language. `{kars_code}` and `{meeting_date}` are filled in at run time.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    who: str                    # a name from the cast; "newcomer" is the person who joins
    do: str                     # "say" | "press" | "wait"
    value: dict[str, str]       # per language: the text, the button label, or a duration
    expect: dict[str, str]      # per language: a fragment one of the new messages must hold
    note: dict[str, str] | None = None  # a narrator's line printed before the step


def _same(text: str) -> dict[str, str]:
    return {"tr": text, "en": text}


TOUR: list[Step] = [
    Step("newcomer", "say", _same("/start {kars_code}"), {"tr": "dilinizi seçin", "en": "choose your language"},
         note={"tr": "Deniz, Kars'ta yeni bir gönüllü, koordinatörün gönderdiği davet bağlantısını açıyor.",
               "en": "Deniz, a new volunteer in Kars, opens the invite link from the coordinator."}),
    Step("newcomer", "press", {"tr": "Türkçe", "en": "English"}, {"tr": "Aydınlatma metni", "en": "Privacy notice"}),
    Step("newcomer", "press", {"tr": "✅ Onaylıyorum", "en": "✅ I agree"}, {"tr": "Onay 2/2", "en": "Consent 2/2"}),
    Step("newcomer", "press", {"tr": "✅ Onaylıyorum", "en": "✅ I agree"},
         {"tr": "katıldınız", "en": "You joined"}),
    Step("Zeynep", "say", {"tr": "/toplanti", "en": "/newmeeting"}, {"tr": "1/5", "en": "1/5"},
         note={"tr": "Zeynep, Kars grubunun koordinatörü, otobüste yeni bir toplantı duyuruyor.",
               "en": "Zeynep, the Kars coordinator, announces a meeting from the bus."}),
    Step("Zeynep", "say", {"tr": "Aralık çalışma toplantısı", "en": "December working meeting"},
         {"tr": "2/5", "en": "2/5"}),
    Step("Zeynep", "say", {"tr": "yarın", "en": "tomorrow"}, {"tr": "12.12.2026 14:00", "en": "12.12.2026 14:00"},
         note={"tr": "Yanlış bir biçim: bot örnekle yeniden soruyor, girilenler kaybolmuyor.",
               "en": "A wrong format: the bot asks again with an example; nothing entered is lost."}),
    Step("Zeynep", "say", _same("{meeting_date}"), {"tr": "3/5", "en": "3/5"}),
    Step("Zeynep", "say", _same("https://meet.example.org/kars-kadin"), {"tr": "4/5", "en": "4/5"}),
    Step("Zeynep", "press", {"tr": "Atla ⏭", "en": "Skip ⏭"}, {"tr": "5/5", "en": "5/5"}),
    Step("Zeynep", "press", {"tr": "Atla ⏭", "en": "Skip ⏭"}, {"tr": "Önizleme", "en": "Preview"}),
    Step("Zeynep", "press", {"tr": "📤 Gönder", "en": "📤 Send"}, {"tr": "gönderiliyor", "en": "going out"}),
    Step("newcomer", "wait", _same("1m"), {"tr": "Yeni toplantı", "en": "New meeting"},
         note={"tr": "Duyuru her üyeye kendi dilinde, yanıt düğmeleriyle ulaşıyor.",
               "en": "The notice reaches every member in her language, with answer buttons."}),
    Step("newcomer", "press", {"tr": "✅ Katılıyorum", "en": "✅ I'll attend"},
         {"tr": "Yanıtınız", "en": "Your answer"}),
    Step("Gülizar", "say", {"tr": "EVET", "en": "YES"}, {"tr": "Hangi toplantı", "en": "Which meeting"},
         note={"tr": "Gülizar düğmeye dokunmak yerine «EVET» yazıyor; iki toplantıya davetli olduğu için bot hangisi diye soruyor.",
               "en": "Gülizar types «YES» instead of tapping; she is invited to two meetings, so the bot asks which."}),
    Step("Gülizar", "press", _same("1"), {"tr": "Yanıtınız: ✅", "en": "Your answer: ✅"}),
    Step("Zeynep", "say", {"tr": "/toplantilar", "en": "/meetings"}, {"tr": "✅ 2", "en": "✅ 2"}),
    Step("newcomer", "wait", _same("1d"), {},
         note={"tr": "Bir gün geçiyor…", "en": "A day passes…"}),
    Step("newcomer", "wait", _same("6h"), {"tr": "Hatırlatma", "en": "Reminder"},
         note={"tr": "…ve toplantıdan 24 saat önce hatırlatma geliyor.",
               "en": "…and 24 hours before the meeting the reminder arrives."}),
]
