"""Co-planning as a Kars working group lives it: a round opened by the coordinator, proposals
in about a minute (one near-duplicate merged), discussion, a capped-approval vote with hidden
tallies, the ranked result with a tie, the consent round, the opinion .docx, and the council's
decision told back to the author — through the fake Bot API, with the moved clock."""

from __future__ import annotations

from pathlib import Path

import io
from datetime import timedelta

import docx

from bot.models import Actor
from tests.test_uploads import PNG
from bot.emulator.telegram.server import SentMessage
from tests.harness import Harness, Person
from tests.meetings_support import group_with, texts

# The tests' "now" is Wednesday 25.11.2026 09:00 in Istanbul. The round's phases end at
# 23:59 on these days.
DATES = ("28.11.2026", "30.11.2026", "02.12.2026", "04.12.2026")


async def open_round(harness: Harness, zeynep: Person, picks: str = "2") -> None:
    """Zeynep opens a budget round with her own dates through the real dialog."""
    await harness.send(zeynep, "/onerituru")
    feeds = await harness.next(zeynep)
    assert "neyi besleyecek" in feeds.text
    year = await harness.press(zeynep, feeds, "💰 Bütçe")
    dates = await harness.send(zeynep, "2027")
    assert "Önerilen takvim" in dates.text or "geçmişte" in dates.text
    if "Önerilen takvim" in dates.text:
        ask = await harness.press(zeynep, dates, "✏️ Tarihleri ben yazayım")
    else:
        ask = dates
    assert "Öneri toplama hangi gün" in ask.text
    # A date before the previous phase is refused with the reason; nothing is lost.
    await harness.send(zeynep, DATES[0])
    refused = await harness.send(zeynep, "27.11.2026")
    assert "önceki aşamadan" in refused.text
    await harness.send(zeynep, DATES[1])
    await harness.send(zeynep, DATES[2])
    ask_picks = await harness.send(zeynep, DATES[3])
    preview = await harness.press(zeynep, ask_picks, picks)
    assert "önizleme" in preview.text and "2027 bütçesi" in preview.text and "04.12.2026 23:59" in preview.text
    opened = await harness.press(zeynep, preview, "✅ Turu aç")
    assert "öneri turu açıldı" in opened.text


async def propose(harness: Harness, person: Person, title: str, body: str, *, effect: str | None = None) -> SentMessage:
    """A member's proposal in about a minute; returns the bot's answer to Submit."""
    await harness.settle()  # notices still on their way arrive first, not between the steps
    await harness.server.send_text(person.user, "/oneri")
    ask_title = await harness.next_containing(person, "kısa başlığı")
    assert ask_title
    await harness.send(person, title)
    ask_plan = await harness.send(person, body)
    ask_beneficiaries = await harness.press(person, ask_plan, "⏭ Atla")
    ask_effect = await harness.send(person, "Kooperatif üyesi kadınlar")
    ask_evidence = await harness.send(person, effect) if effect else await harness.press(person, ask_effect, "⏭ Atla")
    preview = await harness.send(person, "atla")  # the skip word typed instead of tapped
    assert "önizleme" in preview.text and title in preview.text
    return await harness.press(person, preview, "📨 Gönder")


async def _vote(harness: Harness, person: Person, choice: str) -> None:
    """`person` opens her ballot and picks (choice id `cp:pk:ROUND:PROPOSAL:PAGE`)."""
    await harness.settle()
    await harness.server.send_text(person.user, "/oy")
    ballot = await harness.next_containing(person, "Seçtikleriniz")
    await harness.server.press_button(person.user, ballot, choice)
    await harness.server.wait_for_edit(ballot, lambda m: "✅" in "".join(b.text for row in m.buttons for b in row))


async def test_nobody_voting_yields_no_group_opinion(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await open_round(harness, zeynep)
    await propose(harness, ayse, "Kadın kooperatiflerinden belediye alımı",
                  "Belediye ikram ve hediyelik alımlarını kadın kooperatiflerinden yapsın.")
    await harness.advance(timedelta(days=9))  # the vote ends with no ballot
    result = await harness.next_containing(ayse, "kimse oy vermedi")
    assert "sıralama yok" in result.text and not result.buttons  # no consent round
    assert "• KARS-2027-B1-001 — Kadın kooperatiflerinden" in result.text and "1." not in result.text
    # During what would have been the consent round: no "draft" opinion either.
    await harness.server.send_text(zeynep.user, "/gorus")
    gorus = await harness.next_containing(zeynep, "görüş belgesi yok")
    assert "kimse oy vermedi" in gorus.text and "TASLAK" not in gorus.text and not gorus.document_name
    await harness.advance(timedelta(days=5))
    closed = await harness.next_containing(ayse, "görüşü çıkmadı")
    assert "kesinleşti" not in closed.text
    await harness.settle()
    assert not any((m.document_name or "").endswith(".docx") for m in harness.server.messages(zeynep.user))


async def test_a_round_from_proposals_to_the_councils_decision(harness: Harness) -> None:
    zeynep, (ayse, elif_, fatma) = await group_with(harness, ("Ayşe", "tr"), ("Elif", "tr"), ("Fatma", "tr"))
    await open_round(harness, zeynep)
    announcement = await harness.next_containing(ayse, "öneri turu başladı")
    assert "2027 bütçesi" in announcement.text and "/oneri" in announcement.text

    # Three proposals; Elif's says what Ayşe's says, and she merges hers into it.
    first = await propose(harness, ayse, "Kadın kooperatiflerinden belediye alımı",
                          "Belediye ikram ve hediyelik alımlarını kadın kooperatiflerinden yapsın.")
    assert "Öneriniz kaydedildi" in first.text and "KARS-2027-B1-001" in first.text
    await propose(harness, elif_, "Kooperatiflerden belediye alımı yapılsın",
                  "Belediye ikram alımlarını kadın kooperatiflerinden yapsın, hediyelikler de.")
    similar = await harness.next_containing(elif_, "Benzer bir öneri")
    assert "KARS-2027-B1-001" in similar.text
    merged = await harness.press(elif_, similar, "🔀 Birleştir (metnimi ona ekle)")
    assert "ortak yazarısınız" in merged.text
    told = await harness.next_containing(ayse, "ortak yazar olarak katıldı")
    assert "Elif" in told.text
    await propose(harness, fatma, "Duraklara aydınlatma ve acil çağrı", "Kış aylarında karanlık duraklara ışık ve acil çağrı butonu.")
    await propose(harness, elif_, "Kreş saatlerinin uzatılması", "Belediye kreşleri akşam 19:00'a kadar açık olsun.")

    # Discussion: a stance, an argument, and a revision by the author (versions kept).
    await harness.advance(timedelta(days=4))  # 29.11: collecting is over
    opened = await harness.next_containing(fatma, "öneri toplama bitti")
    assert "3 öneri" in opened.text
    overview = await harness.send(fatma, "/oneriler")
    assert "tartışma" in overview.text
    card = await harness.press(fatma, overview, "cp:v:1")
    assert "Elif" not in card.text.split("\n")[0]
    await harness.server.press_button(fatma.user, card, "cp:s:1:agree")
    await harness.server.wait_for_edit(card, lambda m: "👍 1" in (m.text or ""))
    ask = await harness.press(fatma, card, "cp:arg:1:for")
    saved = await harness.send(fatma, "Kooperatiflerin geliri artar, kadın istihdamı büyür.")
    assert "kaydedildi" in saved.text and ask
    await harness.server.send_text(ayse.user, "/oneriler")
    mine = await harness.press(ayse, await harness.next_containing(ayse, "Aşama"), "cp:v:1")
    ask_revision = await harness.press(ayse, mine, "cp:rev:1")
    revised = await harness.send(ayse, "Belediye ikram, hediyelik ve tekstil alımlarını kadın kooperatiflerinden yapsın.")
    assert "sürüm 3" in revised.text  # 1: submitted, 2: Elif's text merged in, 3: revised
    assert ask_revision
    # Fatma suggests an amendment; Ayşe accepts it with one tap and Fatma hears.
    ask_amendment = await harness.press(fatma, card, "✍️ Değişiklik öner")
    assert "yazarına sorulacak" in ask_amendment.text
    sent_amendment = await harness.send(fatma, "Alımların yarısı kırsal kooperatiflerden olsun.")
    assert "iletildi" in sent_amendment.text
    suggestion = await harness.next_containing(ayse, "değişiklik öneriyor")
    assert "Fatma" in suggestion.text and "kırsal kooperatiflerden" in suggestion.text
    accepted = await harness.press(ayse, suggestion, "✅ Kabul et")
    assert "sürüm 4" in accepted.text
    assert "kabul edildi" in (await harness.next_containing(fatma, "kabul edildi")).text
    await harness.server.press_button(ayse.user, suggestion, "❌ Reddet")  # a second tap decides nothing
    assert "daha önce karar" in (await harness.next_containing(ayse, "daha önce karar")).text

    # Voting: capped approval (2 picks), tallies hidden, a changed pick, a nudge to non-voters.
    await harness.advance(timedelta(days=2))  # 01.12: voting
    await harness.next_containing(ayse, "oylama başladı")
    await harness.server.send_text(ayse.user, "/oy")
    ballot = await harness.next_containing(ayse, "Seçtikleriniz")
    assert "0/2" in ballot.text and "Sonuçlar oylama bitince" in ballot.text
    await harness.server.press_button(ayse.user, ballot, "cp:pk:1:1:0")
    await harness.server.wait_for_edit(ballot, lambda m: "1/2" in (m.text or ""))
    await harness.server.press_button(ayse.user, ballot, "cp:pk:1:3:0")
    await harness.server.wait_for_edit(ballot, lambda m: "2/2" in (m.text or ""))
    too_many = await harness.press(ayse, ballot, "cp:pk:1:4:0")
    assert "En fazla 2" in too_many.text
    await harness.server.press_button(ayse.user, ballot, "cp:pk:1:3:0")  # she changes her mind
    await harness.server.wait_for_edit(ballot, lambda m: "1/2" in (m.text or ""))
    await harness.server.press_button(ayse.user, ballot, "cp:pk:1:4:0")
    await harness.server.wait_for_edit(ballot, lambda m: "2/2" in (m.text or ""))
    await harness.server.send_text(elif_.user, "/oy")
    elif_ballot = await harness.next_containing(elif_, "Seçtikleriniz")
    assert "Oy veren: 1/4" in elif_ballot.text and "oy)" not in elif_ballot.text  # turnout, never tallies
    await harness.server.press_button(elif_.user, elif_ballot, "cp:pk:1:3:0")
    await harness.server.wait_for_edit(elif_ballot, lambda m: "1/2" in (m.text or ""))
    await harness.server.press_button(elif_.user, elif_ballot, "cp:pk:1:4:0")
    await harness.server.wait_for_edit(elif_ballot, lambda m: "2/2" in (m.text or ""))

    await harness.advance(timedelta(days=1, hours=3))  # 02.12 after 00:00 → nudge fell due 01.12 23:59
    nudge = await harness.next_containing(fatma, "henüz oy vermediniz")
    assert "/oy" in nudge.text
    assert not any("henüz oy vermediniz" in text for text in texts(harness, ayse) + texts(harness, elif_))

    # The close: ranked with counts and the tie named; ballots stay secret.
    await harness.advance(timedelta(hours=21))  # 02.12 23:59 has passed
    result = await harness.next_containing(fatma, "oylama sonuçları")
    assert "Oy veren: 2/4" in result.text
    assert "1. KARS-2027-B1-004 — Kreş saatlerinin uzatılması: 2 oy" in result.text
    assert "2. KARS-2027-B1-001" in result.text and "(berabere)" in result.text
    assert "2. KARS-2027-B1-003" in result.text
    for name in ("Ayşe", "Elif", "Fatma", "Zeynep"):
        assert name not in result.text

    # The consent round records an objection with its reason.
    ask_reason = await harness.press(fatma, result, "✋ Karşıyım")
    assert "itirazınız" in ask_reason.text
    await harness.send(fatma, "Kreş önerisi bütçe dışı kalabilir.")
    await harness.press(ayse, await harness.next_containing(ayse, "oylama sonuçları"), "✅ Katılıyorum")

    # Adoption: the coordinator gets the opinion document; it holds ranks, counts, the objection.
    await harness.advance(timedelta(days=2))
    document = await harness.next_containing(zeynep, "görüş belgesi (5393")
    assert document.document_name and document.document_name.endswith(".docx")
    parsed = docx.Document(io.BytesIO(document.document_bytes))
    body = "\n".join(p.text for p in parsed.paragraphs)
    cells = [cell.text for row in parsed.tables[0].rows for cell in row.cells]
    assert "5393" in body and "md. 76" in body and "Oy veren: 2/4" in body
    assert "KARS-2027-B1-004" in cells and "2" in cells and "2 (=)" in cells
    assert "Kreş önerisi bütçe dışı kalabilir." in body and "Karşıyım: 1" in body
    assert "kooperatiflerinden" in body and "Kooperatiflerin geliri artar" in body
    for name in ("Ayşe", "Elif", "Fatma"):
        assert name not in body and name not in " ".join(cells)
    await harness.next_containing(ayse, "görüşümüz kesinleşti")

    # The council's decision is recorded and the authors hear at once.
    await harness.server.send_text(zeynep.user, "/oneriler")
    overview = await harness.next_containing(zeynep, "Aşama")
    await harness.next_containing(zeynep, "yan yana")  # the cross-city sheet offered after it
    card = await harness.press(zeynep, overview, "cp:v:1")
    steps = await harness.press(zeynep, card, "📌 Akıbetini kaydet")
    outcomes = await harness.press(zeynep, steps, "Belediye meclisi karar verdi")
    ask_details = await harness.press(zeynep, outcomes, "❌ Reddedildi")
    wrong = await harness.send(zeynep, "yarın 2026/112")
    assert "gün.ay.yıl" in wrong.text and ask_details
    recorded = await harness.send(zeynep, "05.12.2026 2026/112 Bütçe kısıtı")
    assert "yazarlara ve gruba bildirildi" in recorded.text
    ask_evidence = await harness.next_containing(zeynep, "kararın fotoğrafını")
    assert ask_evidence.button_texts == ["⏭ Atla"]
    await harness.server.send_photo_from(zeynep.user, PNG)  # the decision, photographed
    saved = await harness.next_containing(zeynep, "saklandı")
    # Zeynep's own copy of the decision notice (bulk lane) may come before or after that reply
    # (the reply lane): take it wherever it is, then go on after whichever came last.
    own_notice = await harness.server.wait_for_message(
        zeynep.user, lambda m: "Bütçe kısıtı" in (m.text or ""), after=ask_evidence)
    if own_notice.message_id < saved.message_id:
        await harness.server.wait_for_message(zeynep.user, lambda m: m.message_id == saved.message_id,
                                              after=own_notice)
    kept = await harness.services.db.fetchone("SELECT evidence_file_id FROM proposal_events WHERE step = 'decision'")
    assert kept[0].startswith("telegram:")
    for author in (ayse, elif_):
        told = await harness.next_containing(author, "karar no: 2026/112")
        assert "Reddedildi" in told.text and "Bütçe kısıtı" in told.text

    # The next budget round lists the rejected proposal for resubmission, with its history.
    await open_round_suggested(harness, zeynep)
    await harness.server.send_text(ayse.user, "/oneriler")
    listing = await harness.next_containing(ayse, "Aşama")
    previous = await harness.next_containing(ayse, "Önceki turlardan")
    assert "KARS-2027-B1-001" in previous.text and "Bütçe kısıtı" in previous.text and listing
    again = await harness.press(ayse, previous, "🔁 001: yeniden sun")
    assert "önizleme" in again.text or "önizleme" in (await harness.next_containing(ayse, "önizleme")).text


async def open_round_suggested(harness: Harness, zeynep: Person) -> None:
    """Zeynep takes the suggested schedule for the 2028 budget in one tap."""
    await harness.settle()
    await harness.server.send_text(zeynep.user, "/onerituru")
    feeds = await harness.next_containing(zeynep, "neyi besleyecek")
    year = await harness.press(zeynep, feeds, "💰 Bütçe")
    assert "2028" in " ".join(year.button_texts)
    dates = await harness.press(zeynep, year, "2028")
    assert "01.09.2027" in dates.text and "md. 62" in dates.text and "18.08.2027 23:59" in dates.text
    picks = await harness.press(zeynep, dates, "✅ Bu tarihleri kullan")
    preview = await harness.press(zeynep, picks, "3")
    opened = await harness.press(zeynep, preview, "✅ Turu aç")
    assert "açıldı" in opened.text


async def test_forged_and_foreign_buttons_get_the_stale_answer(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    _, (stranger,) = await group_with(harness, ("Selin", "tr"), name="Eşit Kent", city="İzmir")
    await open_round(harness, zeynep)
    await propose(harness, ayse, "Kadın kooperatiflerinden belediye alımı",
                  "Belediye ikram ve hediyelik alımlarını kadın kooperatiflerinden yapsın.")
    await harness.advance(timedelta(days=6))  # Kars is voting
    conversation = harness.services.conversation
    izmir = Actor(channel="telegram", external_id=str(stranger.chat_id))
    # Selin (İzmir) forges Kars buttons, and anyone can send malformed ids.
    for forged in ("cp:v:1", "cp:pk:1:1:0", "cp:s:1:agree", "cp:pk:x:y:z", "cp:v", "cp", "cp:rs:1:abc",
                   "cp:cs:1:maybe", "cp:fs:1:nothing", "cp:ballot:1", "cp:res:1", "cp:doc:1", "cp:nothing:1"):
        replies = await conversation.on_choice(izmir, forged)
        assert [reply.text for reply in replies] == ["Bu düğme artık geçerli değil. Komutlar için /yardim yazın."], forged
    db = harness.services.db
    assert (await db.fetchone("SELECT COUNT(*) FROM proposal_ballots"))[0] == 0
    assert (await db.fetchone("SELECT COUNT(*) FROM proposal_stances"))[0] == 0
    # A member is no coordinator: merge, withdraw and the opinion are refused with the reason.
    kars = Actor(channel="telegram", external_id=str(ayse.chat_id))
    for coordinator_only in ("cp:mrg:1", "cp:wd:1", "cp:doc:1"):
        replies = await conversation.on_choice(kars, coordinator_only)
        assert "yalnızca koordinatörler" in replies[0].text, coordinator_only


async def test_forget_anonymises_adopted_proposals_and_drops_the_rest(harness: Harness) -> None:
    import json

    zeynep, (ayse, fatma) = await group_with(harness, ("Ayşe", "tr"), ("Fatma", "tr"))
    await open_round(harness, zeynep)
    await propose(harness, ayse, "Kadın kooperatiflerinden belediye alımı",
                  "Belediye ikram ve hediyelik alımlarını kadın kooperatiflerinden yapsın.")
    await propose(harness, fatma, "Duraklara aydınlatma ve acil çağrı", "Kış aylarında karanlık duraklara ışık ve acil çağrı.")
    await harness.advance(timedelta(days=6))  # voting
    await harness.server.send_text(fatma.user, "/oy")
    ballot = await harness.next_containing(fatma, "Seçtikleriniz")
    await harness.server.press_button(fatma.user, ballot, "cp:pk:1:1:0")
    await harness.server.wait_for_edit(ballot, lambda m: "1/1" in (m.text or ""))

    await harness.settle()
    await harness.server.send_text(fatma.user, "/verilerim")  # (the budget round's lesson offer is unread)
    export = await harness.server.wait_for_message(fatma.user, lambda m: bool(m.document_bytes))
    data = json.loads(export.document_bytes)
    assert [p["title"] for p in data["proposals"]["proposals"]] == ["Duraklara aydınlatma ve acil çağrı"]
    assert len(data["proposals"]["ballots"]) == 1
    await harness.next(fatma)  # the same data as a readable document

    # Fatma leaves before the close: her ballot and her (not adopted) proposal go.
    await harness.server.send_text(fatma.user, "/unut")  # a late notice may come first: find the question
    confirm = await harness.next_containing(fatma, "Emin misiniz?")
    await harness.server.press_button(fatma.user, confirm, "forget:yes")
    await harness.next_containing(fatma, "Verileriniz silindi")
    db = harness.services.db
    assert (await db.fetchone("SELECT COUNT(*) FROM proposal_ballots"))[0] == 0
    assert [row["title"] for row in await db.fetchall("SELECT title FROM proposals")] == [
        "Kadın kooperatiflerinden belediye alımı"]
    await _vote(harness, zeynep, "cp:pk:1:1:0")  # the coordinator's vote: the round yields an opinion

    # After adoption Ayşe leaves: her proposal stays as "a member's proposal", with its count.
    await harness.advance(timedelta(days=4))
    await harness.server.send_text(ayse.user, "/unut")  # a late notice may come first: find the question
    confirm = await harness.next_containing(ayse, "Emin misiniz?")
    await harness.server.press_button(ayse.user, confirm, "forget:yes")
    await harness.next_containing(ayse, "Verileriniz silindi")
    rows = await db.fetchall("SELECT author_id, title FROM proposals")
    assert [(row["author_id"], row["title"]) for row in rows] == [(None, "Kadın kooperatiflerinden belediye alımı")]
    await harness.settle()  # the result and adoption notices first, not between her taps
    await harness.server.send_text(zeynep.user, "/oneriler")
    overview = await harness.next_containing(zeynep, "Aşama")
    await harness.next_containing(zeynep, "yan yana")
    card = await harness.press(zeynep, overview, "cp:v:1")
    assert "Bir üyenin önerisi" in card.text and "Ayşe" not in card.text
    result = await harness.press(zeynep, overview, "cp:res:1")
    assert "KARS-2027-B1-001 — Kadın kooperatiflerinden belediye alımı: 1 oy" in result.text


async def test_a_coordinator_of_two_cities_sees_both_and_others_see_only_theirs(harness: Harness) -> None:
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    _, (selin,) = await group_with(harness, ("Selin", "tr"), name="Eşit Kent", city="İzmir", coordinator=zeynep)
    await harness.send(zeynep, "/onerituru")
    pick = await harness.next_containing(zeynep, "Hangi grup")
    assert len(pick.buttons) == 2
    feeds = await harness.press(zeynep, pick, "Eşit Kent (İzmir)")
    year = await harness.press(zeynep, feeds, "💰 Bütçe")
    dates = await harness.press(zeynep, year, "2028")
    picks = await harness.press(zeynep, dates, "✅ Bu tarihleri kullan")
    preview = await harness.press(zeynep, picks, "3")
    await harness.press(zeynep, preview, "✅ Turu aç")
    await harness.server.send_text(selin.user, "/oneriler")
    assert "Eşit Kent" in (await harness.next_containing(selin, "Aşama")).text
    nothing = await harness.send(ayse, "/oneriler")
    assert "öneri turu yok" in nothing.text


async def test_a_proposal_without_an_answer_for_60_days_is_flagged_once(harness: Harness) -> None:
    """60 days from the adoption (04.12.2026 23:59, no sending day recorded), not from the
    submission (25.11): nothing on 01.02.2027, the flag on the morning of 02.02.2027, once."""
    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await open_round(harness, zeynep)
    await propose(harness, ayse, "Kadın kooperatiflerinden belediye alımı",
                  "Belediye ikram ve hediyelik alımlarını kadın kooperatiflerinden yapsın.")
    await harness.advance(timedelta(days=6))  # voting: one vote, so the round yields an opinion
    await _vote(harness, zeynep, "cp:pk:1:1:0")
    await harness.advance(timedelta(days=62))  # 01.02.2027 09:00: day 59 after the adoption
    await harness.settle()
    assert not any("gündür şu önerilere yanıt yok" in text for text in texts(harness, zeynep))
    await harness.advance(timedelta(days=1, hours=4))  # past the daily check's hour on 02.02
    flagged = await harness.next_containing(zeynep, "gündür şu önerilere yanıt yok")
    assert "KARS-2027-B1-001" in flagged.text and "bilgi verebilir misiniz" in flagged.text
    assert "04.12.2026 tarihinde meclise gönderildi, 60 gündür" in flagged.text
    await harness.advance(timedelta(days=2))
    await harness.settle()
    assert sum("yanıt yok" in text for text in texts(harness, zeynep)) == 1


async def test_exports_in_chat_and_from_the_command_line(harness: Harness, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os
    import subprocess
    import sys

    import openpyxl

    zeynep, (ayse, fatma) = await group_with(harness, ("Ayşe", "tr"), ("Fatma", "tr"))
    await open_round(harness, zeynep)
    await propose(harness, ayse, "=HYPERLINK(\"http://x\") kooperatif alımı",
                  "Belediye ikram ve hediyelik alımlarını kadın kooperatiflerinden yapsın.")
    await propose(harness, fatma, "Duraklara aydınlatma ve acil çağrı", "Kış aylarında karanlık duraklara ışık ve acil çağrı.")
    await harness.advance(timedelta(days=6))
    await harness.server.send_text(fatma.user, "/oy")
    ballot = await harness.next_containing(fatma, "Seçtikleriniz")
    await harness.server.press_button(fatma.user, ballot, "cp:pk:1:2:0")
    await harness.server.wait_for_edit(ballot, lambda m: "1/1" in (m.text or ""))
    await harness.advance(timedelta(days=2))

    # In chat: the coordinator's sheet, read back; a title that looks like a formula stays text.
    await harness.server.send_text(zeynep.user, "/oneriler")
    offer = await harness.next_containing(zeynep, "yan yana")
    await harness.server.press_button(zeynep.user, offer, "📊 Excel (XLSX) indir")
    sheet_file = await harness.server.wait_for_message(zeynep.user, lambda m: m.document_name == "oneriler.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(sheet_file.document_bytes)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:5] == ["Grup", "Şehir", "Konu", "Referans", "Öneri"]
    titles = {row[4]: row for row in rows[1:]}
    formula_row = titles['=HYPERLINK("http://x") kooperatif alımı']
    assert sheet.cell(row=rows.index(formula_row) + 1, column=5).data_type == "s"
    assert titles["Duraklara aydınlatma ve acil çağrı"][7] == 1 and titles["Duraklara aydınlatma ve acil çağrı"][8] == "1"

    # From the command line, as Mehmet would run it (the bot stopped, the same database).
    await harness.stop()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KOORDINAT_")}
    env["KOORDINAT_DATABASE"] = str(harness.database)
    # This checkout's code, whatever the installed package points at.
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[1]), env.get("PYTHONPATH", "")])
    run = lambda *args: subprocess.run([sys.executable, "-m", "bot", *args], cwd=tmp_path, env=env,  # noqa: E731
                                       capture_output=True, text=True, timeout=90)
    opinion = run("export", "opinion", "1", "--output", str(tmp_path / "gorus.docx"))
    assert opinion.returncode == 0, opinion.stderr
    body = "\n".join(p.text for p in docx.Document(str(tmp_path / "gorus.docx")).paragraphs)
    assert "KARS-2027-B1-002 — Duraklara aydınlatma ve acil çağrı" in body
    missing = run("export", "opinion", "99")
    assert missing.returncode == 1 and "no proposal round 99" in missing.stderr
    everything = run("export", "proposals", "--format", "xlsx", "--output", str(tmp_path / "all.xlsx"))
    assert everything.returncode == 0, everything.stderr
    assert openpyxl.load_workbook(tmp_path / "all.xlsx").active.max_row == 3


async def test_the_demo_tour_submits_votes_and_shows_a_result(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from bot.__main__ import Koordinat
    from bot.config import Settings
    from bot.demo import play
    from bot.demo.coplanning import load_seeds
    from bot.demo.tour import COPLANNING

    assert {seed.city for seed in load_seeds().rounds} == {"İstanbul", "İzmir", "Gaziantep", "Kars"}
    for language in ("tr", "en"):
        out: list[str] = []
        settings = Settings(_env_file=None)  # type: ignore[call-arg]
        code = await play(settings, Koordinat, script=True, language=language, write=out.append,
                          files=tmp_path / "files", color=False, steps=COPLANNING)
        text = "\n".join(out)
        assert code == 0, text[-3000:]
        assert "KARS-2027-B1-001" in text and ("(berabere)" in text or "(tie)" in text)


def test_a_ballot_always_ranks_and_references_keep_the_whole_city_name() -> None:
    from datetime import UTC, datetime

    from bot.services.coplanning.proposals import reference
    from storage.coplanning_rows import Feeds, Round

    moment = datetime(2027, 1, 1, tzinfo=UTC)
    round_ = Round(id=3, group_id=1, feeds=Feeds("performance_programme"), year=2027, collect_until=moment,
                   discuss_until=moment, vote_until=moment, adopt_until=moment, max_picks=3)
    # Approving every proposal says nothing: with n proposals at most n − 1 picks, never above K.
    assert [round_.picks_allowed(n) for n in (0, 1, 2, 3, 4, 10)] == [1, 1, 1, 2, 3, 3]
    assert reference("Gaziantep", round_, 2, round_number=3) == "GAZIANTEP-2027-PP3-002"
    assert reference("Kahramanmaraş", round_, 12, round_number=1) == "KAHRAMANMARAS-2027-PP1-012"
