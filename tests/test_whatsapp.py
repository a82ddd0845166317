"""WhatsApp members, end to end: the fake Graph API posts signed webhooks to the real web
server, the real bot answers through pywa, and we read what her phone shows."""

from __future__ import annotations

from datetime import timedelta

from bot.emulator.whatsapp import FakeWaUser
from tests.meetings_support import MEETING_START, announce, group_with, notice
from tests.whatsapp_support import WaHarness, graph, wa  # noqa: F401  (fixtures)


async def _wa_member(wa: WaHarness, code: str, name: str = "Ayşe", language: str = "en",
                     phone: str | None = "905321234567") -> FakeWaUser:
    user = wa.graph.user(name, phone=phone)
    welcome = await wa.wa_join(user, code, language)
    assert "Kadın Dostu Kent" in welcome.text, welcome.text
    await wa.wa_skip(user)
    return user


async def test_each_typed_number_picks_the_choice_she_sees_under_that_number(wa: WaHarness) -> None:
    zeynep, _ = await group_with(wa)
    code = (await wa.services.groups.new_member_invite(1)).code
    ayse = await _wa_member(wa, code)
    await announce(wa, zeynep)
    await wa.wa_skip(ayse)
    for typed, expected in (("4", "calendar.google.com"), ("3", "🤔 Maybe"), ("2", "❌ I can't attend"),
                            ("1", "✅ I'll attend")):
        screen = await wa.wa_send(ayse, "meetings")
        card = next(m for m in [screen, *await wa.wa_skip(ayse)] if m.buttons)
        # Three reply buttons (she counts them 1, 2, 3) and the fourth choice numbered 4 in the text.
        shown = [title.strip("• ") for title in card.titles]  # her answer so far is marked • … •
        assert shown == ["✅ I'll attend", "❌ I can't attend", "🤔 Maybe"], card.titles
        assert "*4.* 📅 Add to calendar (.ics)" in card.text and "*1.*" not in card.text, card.text
        got = await wa.wa_send(ayse, typed)
        assert (typed == "4" and expected in got.text) or ("Your answer is saved" in got.text and expected in got.text), \
            (typed, got.text)
    await wa.wa_skip(ayse)
    unknown = await wa.wa_send(ayse, "5")  # no choice 5: not taken as anything
    assert "Your answer" not in unknown.text and unknown.type != "document"


async def test_ayse_joins_on_whatsapp_with_a_typed_code_and_buttons(wa: WaHarness) -> None:
    created = await wa.create_group()
    ayse = wa.graph.user("Ayşe", phone="905321234567")
    # "join" is English: no language question (one billed message less).
    notice_ = await wa.wa_send(ayse, f"join {created.member_invite.code}")
    assert "Kars Kadın Meclisi Derneği" in notice_.text  # the privacy notice names the controller
    question = await wa.wa_next(ayse)
    assert question.titles == ["✅ I agree", "❌ I do not agree"]
    second = await wa.wa_tap(ayse, question, "✅ I agree")
    welcome = await wa.wa_send(ayse, "i agree")  # the button's words, typed
    assert "*Kadın Dostu Kent*" in welcome.text and "<b>" not in welcome.text  # WhatsApp bold, not HTML
    assert "*help* *yardim*" in welcome.text, welcome.text  # the commands (as words) in the same message
    assert await wa.wa_skip(ayse) == []
    assert len(wa.graph.messages_to(ayse)) == 4  # joining costs at most four messages
    assert second.titles == ["✅ I agree", "❌ I do not agree"]
    # A typed word works like a command; Turkish letters or not.
    language = await wa.wa_send(ayse, "DİL")
    assert language.titles == ["Türkçe", "English"]
    changed = await wa.wa_tap(ayse, language, "Türkçe")
    assert "Dil değiştirildi" in changed.text


async def test_the_bare_code_still_asks_her_language(wa: WaHarness) -> None:
    created = await wa.create_group()
    ayse = wa.graph.user("Ayşe", phone="905321234567")
    asked = await wa.wa_send(ayse, "katıl")
    picker = await wa.wa_send(ayse, created.member_invite.code)
    assert picker.titles == ["Türkçe", "English"], (asked.text, picker.text)
    notice_ = await wa.wa_tap(ayse, picker, "English")
    assert "Privacy notice" in notice_.text or "privacy" in notice_.text.lower()


async def test_a_split_group_gets_the_announcement_and_rsvps_with_a_reply_button(wa: WaHarness) -> None:
    zeynep, (fatma,) = await group_with(wa, ("Fatma", "tr"))
    group = (await wa.services.groups.get(1))
    assert group is not None
    code = (await wa.services.groups.new_member_invite(group.id)).code
    ayse = await _wa_member(wa, code)
    await announce(wa, zeynep)
    await notice(wa, fatma)  # Telegram member
    invitation = await wa.wa_next(ayse, "New meeting")
    assert invitation.titles[:3] == ["✅ I'll attend", "❌ I can't attend", "🤔 Maybe"]
    # One numbering for what she sees: the three buttons are 1–3, the fourth choice, written in
    # the text, is 4 (never a second "1").
    assert "*4.* 📅 Add to calendar (.ics)" in invitation.text and "*1.*" not in invitation.text
    calendar = await wa.wa_send(ayse, "4")  # the typed number picks the listed choice
    # WhatsApp takes no .ics file: a Google Calendar link (no public URL in this test).
    assert calendar.type == "text" and "https://calendar.google.com/calendar/render?action=TEMPLATE" in calendar.text
    answer = await wa.wa_tap(ayse, invitation, "✅ I'll attend")  # the earlier buttons still work
    assert "Your answer is saved" in answer.text and "I'll attend" in answer.text
    overview = await wa.send(zeynep, "/toplantilar")
    assert "✅ 1 ·" in overview.text, overview.text


async def test_outside_the_24_hour_window_a_reminder_goes_as_a_template(wa: WaHarness) -> None:
    zeynep, _ = await group_with(wa)
    code = (await wa.services.groups.new_member_invite(1)).code
    ayse = await _wa_member(wa, code)
    await announce(wa, zeynep)
    await wa.wa_next(ayse, "New meeting")
    await wa.settle()
    wa.clock.advance(MEETING_START - timedelta(hours=24) + timedelta(minutes=1) - wa.clock.now())
    template = await wa.graph.wait_for_message(ayse, lambda m: m.type == "template", timeout=10)
    assert template.template == "koordinat_notice" and template.template_language == "en"
    assert template.template_params == ["Ayşe"]  # nothing about the meeting on a shared phone
    assert not [e for _, e in wa.graph.rejected if e.code == 131047]  # the bot knew the window
    # She answers the template: the window opens and the reminder itself follows.
    await wa.graph.send_text(ayse, "menu")
    reminder = await wa.wa_next(ayse, "Reminder")
    assert "Thursday, 3 December 2026, 14:00" in reminder.text
    # A reminder is recomputed when released: its "tomorrow" is read from now, so no
    # "message from …" line is needed (tests/test_whatsapp_held.py covers days of silence).
    assert "tomorrow at 14:00" in reminder.text and not reminder.text.startswith("📬")


async def test_a_window_the_bot_thought_open_falls_back_to_the_template(wa: WaHarness) -> None:
    created = await wa.create_group()
    ayse = await _wa_member(wa, created.member_invite.code)
    wa.graph.fail_next(131047, ayse)  # Meta says the window is closed after all
    await wa.graph.send_text(ayse, "yardım")
    template = await wa.graph.wait_for_message(ayse, lambda m: m.type == "template")
    assert template.template == "koordinat_notice"
    await wa.graph.send_text(ayse, "hello")  # she answers: the held help follows
    assert "*help* *yardim*" in (await wa.wa_next(ayse, "*help*")).text


async def test_a_member_on_both_apps_links_them_and_gets_each_notice_once(wa: WaHarness) -> None:
    zeynep, (fatma,) = await group_with(wa, ("Fatma", "tr"))
    shown = await wa.send(fatma, "/bagla")
    code = shown.text.split("bagla ")[1].split("<")[0].split()[0]
    fatma_wa = wa.graph.user("Fatma", phone="905551112233")
    linked = await wa.wa_send(fatma_wa, f"bagla {code}")
    assert "bağlandı" in linked.text and "Telegram" in linked.text
    choice = await wa.wa_send(fatma_wa, "tercih")
    assert choice.titles == ["Telegram", "WhatsApp"]
    chosen = await wa.wa_tap(fatma_wa, choice, "WhatsApp")
    assert "WhatsApp" in chosen.text
    await wa.settle()
    before_tg = len(wa.server.messages(fatma.chat_id))
    await announce(wa, zeynep)
    await wa.settle()
    await wa.wa_next(fatma_wa, "Yeni toplantı")
    await wa.settle()
    assert not [m for m in wa.server.messages(fatma.chat_id)[before_tg:] if "Yeni toplantı" in (m.text or "")]
    overview = await wa.send(zeynep, "/toplantilar")
    assert "⏳ 2" in overview.text, overview.text  # Zeynep and Fatma: counted once each
    again = await wa.wa_send(fatma_wa, f"bagla {code}")
    assert "geçerli bir bağlama kodu değil" in again.text  # one-time


async def test_the_menu_is_a_list_of_words_she_can_also_type(wa: WaHarness) -> None:
    created = await wa.create_group()
    ayse = await _wa_member(wa, created.member_invite.code, language="tr")
    menu = await wa.wa_send(ayse, "MENÜ")
    assert menu.type == "interactive" and menu.list_button == "Seçenekler"
    assert "toplantilar" in menu.titles and "davet" not in menu.titles
    assert len(menu.rows) <= 10 and menu.titles[-1] == "Daha fazla ▶"  # a list holds 10 rows
    more = await wa.wa_tap(ayse, menu, "Daha fazla ▶")
    assert "verilerim" in more.titles and "unut" in more.titles and "davet" not in more.titles
    row = next(r for r in menu.rows if r.title == "toplantilar")
    assert row.description == "Toplantılar ve yanıtlarınız"
    meetings = await wa.wa_tap(ayse, menu, "toplantilar")
    assert meetings.text
    typed = await wa.wa_send(ayse, "toplantılar")  # the word typed, Turkish letters and all
    assert typed.text == meetings.text


async def test_a_group_can_turn_whatsapp_sending_off(wa: WaHarness) -> None:
    """Every WhatsApp message is billed: with the group's switch off, its notices go to a
    linked member on Telegram (even if she prefers WhatsApp) and to no WhatsApp-only member;
    her own questions are still answered on WhatsApp (replies are not notices)."""
    from storage import groups as groups_repo

    zeynep, (fatma,) = await group_with(wa, ("Fatma", "tr"))
    code = (await wa.services.groups.new_member_invite(1)).code
    ayse = await _wa_member(wa, code)
    shown = await wa.send(fatma, "/bagla")
    link_code = shown.text.split("bagla ")[1].split("<")[0].split()[0]
    fatma_wa = wa.graph.user("Fatma", phone="905551112233")
    await wa.wa_send(fatma_wa, f"bagla {link_code}")
    choice = await wa.wa_send(fatma_wa, "tercih")
    await wa.wa_tap(fatma_wa, choice, "WhatsApp")
    async with wa.services.db.transaction() as tx:
        group = await groups_repo.get(tx, 1)
        assert group is not None
        await groups_repo.update_settings(tx, 1, {**group.settings, "whatsapp_off": True})
    await wa.settle()
    sent_before = len(wa.graph.sent)
    await announce(wa, zeynep)
    await wa.settle()
    assert "Yeni toplantı" in (await notice(wa, fatma)).text  # on Telegram, her other app
    assert [m for m in wa.graph.sent[sent_before:] if "toplant" in (m.text or "").lower() or "meeting" in (m.text or "").lower()] == []
    assert (await wa.wa_send(ayse, "menu")).type == "interactive"  # a reply still goes
