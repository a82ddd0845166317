"""What people type instead of tapping (issue 10, item 10): the words on the buttons count, and
the question just asked with buttons is answered first — before any global keyword or RSVP."""

from __future__ import annotations

from bot.services.conversation import match_choice
from tests.harness import Harness
from tests.meetings_support import announce, group_with, notice


async def test_joining_by_typing_the_buttons_words(harness: Harness) -> None:
    group = await harness.create_group()
    nur = harness.person("Nur")
    picker = await harness.send(nur, f"/start {group.member_invite.code}")
    assert picker.button_texts == ["Türkçe", "English"]
    nudged = await harness.send(nur, "bilmiyorum ki")  # fits no button: told to tap one, choices named
    assert "düğmelerden birine" in nudged.text and "«Türkçe»" in nudged.text
    assert nudged.button_texts == ["Türkçe", "English"]
    await harness.send(nur, "turkce")  # the label typed without Turkish letters
    consent = await harness.next(nur)
    assert "Onay 1/2" in consent.text
    second = await harness.send(nur, "Evet")  # yes to the ✅ button
    assert "Onay 2/2" in second.text
    welcome = await harness.send(nur, "onaylıyorum")
    assert "katıldınız" in welcome.text


async def test_evet_at_the_forget_confirmation_deletes_and_is_not_an_rsvp(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await announce(harness, zeynep)
    await notice(harness, ayse)
    confirm = await harness.send(ayse, "/unut")
    assert confirm.button_texts == ["🗑 Evet, verilerimi sil", "Vazgeç"]
    done = await harness.send(ayse, "evet")
    assert "Yanıtınız kaydedildi" not in done.text
    assert "silindi" in done.text.lower(), done.text
    overview = await harness.send(zeynep, "/toplantilar")
    assert "⏳ 1" in overview.text and "✅ 0" in overview.text  # only Zeynep is left, unanswered


async def test_iptal_at_the_forget_confirmation_closes_it_and_deletes_nothing(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    confirm = await harness.send(ayse, "/unut")
    assert confirm.button_texts == ["🗑 Evet, verilerimi sil", "Vazgeç"]
    closed = await harness.send(ayse, "/iptal")
    assert "soruyu kapattım" in closed.text and "hiçbir şey değişmedi" in closed.text, closed.text
    later = await harness.send(ayse, "evet")  # no longer the answer to /unut
    assert "silindi" not in later.text.lower(), later.text
    mine = await harness.send(ayse, "/verilerim")
    assert mine.document_bytes and b"Ay" in mine.document_bytes  # her data is all still there
    await harness.next(ayse)  # the same data as a readable document
    nothing = await harness.send(ayse, "/iptal")
    assert "İptal edilecek bir işlem yok" in nothing.text


async def test_a_coordinator_types_the_preview_buttons(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await harness.send(zeynep, "/toplanti")
    await harness.next(zeynep)
    await harness.send(zeynep, "Bütçe toplantısı")
    await harness.send(zeynep, "03.12.2026 14:00")
    await harness.send(zeynep, "Kent Konseyi")
    await harness.send(zeynep, "yok")
    repeat = await harness.send(zeynep, "atla")  # the skip button's word
    assert "tekrarlansın mı" in repeat.text
    preview = await harness.send(zeynep, "3")  # a button-only question: its number works too
    assert "Önizleme" in preview.text
    nudged = await harness.send(zeynep, "tamam mı bu")
    assert "«📤 Gönder»" in nudged.text and nudged.button_texts == ["📤 Gönder", "✏️ Düzenle", "✖️ Vazgeç"]
    sent = await harness.send(zeynep, "gönder")
    assert "gönderiliyor" in sent.text
    assert "Bütçe toplantısı" in (await notice(harness, ayse)).text


async def test_a_relative_date_is_confirmed_by_typing_evet(harness: Harness) -> None:
    zeynep, _ = await group_with(harness, ("Ayşe", "tr"))
    await harness.send(zeynep, "/toplanti")
    await harness.next(zeynep)
    await harness.send(zeynep, "Acil toplantı")
    confirm = await harness.send(zeynep, "yarın saat 14")  # now is Wednesday 25.11.2026 09:00
    assert "Perşembe, 26.11.2026 14:00" in confirm.text and "doğru mu" in confirm.text
    assert confirm.button_texts == ["✅ Evet, doğru", "✏️ Hayır, yeniden yazacağım"]
    place = await harness.send(zeynep, "evet")
    assert "3/5" in place.text and "Perşembe, 26.11.2026 14:00" in place.text


def test_matching_rules() -> None:
    rsvp = [("✅ Katılıyorum", "rsvp:1:yes"), ("❌ Katılamıyorum", "rsvp:1:no"), ("🤔 Belki", "rsvp:1:maybe")]
    assert match_choice("katılıyorum", rsvp) == "rsvp:1:yes"
    assert match_choice("KATILAMIYORUM!", rsvp) == "rsvp:1:no"
    assert match_choice("evet", rsvp) == "rsvp:1:yes" and match_choice("hayır", rsvp) == "rsvp:1:no"
    assert match_choice("belki", rsvp) == "rsvp:1:maybe"
    assert match_choice("2", rsvp) is None and match_choice("2", rsvp, numbers=True) == "rsvp:1:no"
    card = [*rsvp, ("📅 Takvime ekle (.ics)", "ics:1"), ("❌ İptal et", "mtg:1:cancel")]
    assert match_choice("hayır", card) is None  # two buttons read as "no": not a guess
    assert match_choice("merhaba", card) is None


async def test_katil_without_a_code_asks_for_it_and_takes_a_pasted_link_or_any_case(harness: Harness) -> None:
    group = await harness.create_group()
    nur = harness.person("Nur")
    greeting = await harness.send(nur, "Merhaba")
    assert "Koordinat" in greeting.text  # a short welcome with the next step
    asked = await harness.send(nur, "/katil")
    assert "Davet kodunuzu" in asked.text
    wrong = await harness.send(nur, "yanlis-kod")
    assert "geçerli bir davet kodu değil" in wrong.text
    picker = await harness.send(nur, f"https://t.me/koordinat_bot?start={group.member_invite.code}")
    assert picker.button_texts == ["Türkçe", "English"]

    deniz = harness.person("Deniz")
    picker = await harness.send(deniz, f"/katil {group.member_invite.code.upper()}")
    assert picker.button_texts == ["Türkçe", "English"]


async def test_gizlilik_changes_each_consent(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await harness.send(ayse, "/gizlilik")
    consents = await harness.next(ayse)
    assert "Anketler: verildi" in consents.text
    assert consents.button_texts == ["🚫 Geri al: Grup mesajları", "🚫 Geri al: Anketler"]
    await harness.server.press_button(ayse.user, consents, "🚫 Geri al: Anketler")
    await harness.server.wait_for_edit(consents, lambda m: "Anketler: verilmedi" in (m.text or ""))
    assert "✅ Onayla: Anketler" in consents.button_texts
    await harness.server.press_button(ayse.user, consents, "✅ Onayla: Anketler")
    await harness.server.wait_for_edit(consents, lambda m: "Anketler: verildi" in (m.text or ""))
    withdraw = await harness.press(ayse, consents, "🚫 Geri al: Grup mesajları")
    assert "silinmesi demektir" in withdraw.text
    confirm = await harness.next(ayse)
    assert confirm.button_texts == ["🗑 Evet, verilerimi sil", "Vazgeç"]


async def test_a_no_can_carry_a_reason_only_coordinators_see(harness: Harness) -> None:
    zeynep, (ayse, fatma) = await group_with(harness, ("Ayşe", "tr"), ("Fatma", "tr"))
    await announce(harness, zeynep)
    invitation = await notice(harness, fatma)
    await harness.server.press_button(fatma.user, invitation, "❌ Katılamıyorum")
    await harness.server.wait_for_edit(invitation, lambda m: "not yazın" in (m.text or ""))
    saved = await harness.send(fatma, "Kızım hasta, ocakta gelirim")
    assert "koordinatöre iletildi" in saved.text
    overview = await harness.send(zeynep, "/toplantilar")
    attendees = await harness.press(zeynep, overview, "👥 Katılımcılar")
    assert "❌ Katılamıyorum (1): Fatma («Kızım hasta, ocakta gelirim»)" in attendees.text
    # A member never sees it; a new answer drops the old reason.
    await notice(harness, ayse)
    assert "Kızım hasta" not in (await harness.send(ayse, "/toplantilar")).text
    assert "Katılıyorum" in (await harness.send(fatma, "evet")).text
    attendees = await harness.press(zeynep, await harness.send(zeynep, "/toplantilar"), "👥 Katılımcılar")
    assert "Kızım hasta" not in attendees.text and "Fatma" in attendees.text

    # Right after a tap on 🤔, a command's word is a command, not a note.
    await harness.server.press_button(fatma.user, invitation, "🤔 Belki")
    await harness.server.wait_for_edit(invitation, lambda m: "• 🤔 Belki •" in m.button_texts)
    assert "Koordinat komutları" in (await harness.send(fatma, "yardım")).text


async def test_groups_can_ask_for_support_needs_counted_for_coordinators_only(harness: Harness) -> None:
    zeynep, (ayse, fatma) = await group_with(harness, ("Ayşe", "tr"), ("Fatma", "tr"))
    settings = await harness.send(zeynep, "/hatirlatmalar")
    assert "☐ Yanıt verirken sor: 👶 Çocuk bakımı" in settings.button_texts
    await harness.server.press_button(zeynep.user, settings, "☐ Yanıt verirken sor: 👶 Çocuk bakımı")
    await harness.server.wait_for_edit(settings, lambda m: "☑ Yanıt verirken sor: 👶 Çocuk bakımı" in m.button_texts)
    await harness.server.press_button(zeynep.user, settings, "☐ Yanıt verirken sor: 🚌 Ulaşım")
    await harness.server.wait_for_edit(settings, lambda m: "☑ Yanıt verirken sor: 🚌 Ulaşım" in m.button_texts)
    await announce(harness, zeynep)

    invitation = await notice(harness, ayse)
    await harness.server.press_button(ayse.user, invitation, "✅ Katılıyorum")
    await harness.server.wait_for_edit(invitation, lambda m: "☐ 👶 Çocuk bakımı" in m.button_texts)
    assert "☐ ♿ Erişilebilirlik desteği" not in invitation.button_texts  # not asked by this group
    await harness.server.press_button(ayse.user, invitation, "☐ 👶 Çocuk bakımı")
    await harness.server.wait_for_edit(invitation, lambda m: "☑ 👶 Çocuk bakımı" in m.button_texts)
    await notice(harness, fatma)

    overview = await harness.send(zeynep, "/toplantilar")
    assert "🧩 Destek: 👶 1 · 🚌 0" in overview.text
    attendees = await harness.press(zeynep, overview, "👥 Katılımcılar")
    assert "✅ Katılıyorum (1): Ayşe 👶" in attendees.text
    assert "Ayşe" not in (await harness.send(fatma, "/toplantilar")).text  # members never see who
