"""Lessons over WhatsApp (issue 23): the `dersler` keyword gives a list message, parts come
with reply buttons, a restart between two sittings loses nothing, a failed quiz is retaken,
the budget-round offer is declined by typing, the lesson comes as a .docx document, and the
coordinator (on Telegram) sees the counts change."""

from __future__ import annotations

from datetime import timedelta

from tests.harness import Person
from tests.test_coplanning import open_round
from tests.whatsapp_support import WaHarness, graph, wa  # noqa: F401  (fixtures)


async def counts(wa: WaHarness, zeynep: Person, short: str) -> str:
    listing = await wa.send(zeynep, "/dersler")
    stats = await wa.press(zeynep, listing, "ls:stats")
    lines = stats.text.splitlines()
    index = next(i for i, line in enumerate(lines) if short in line)
    return lines[index] + "\n" + lines[index + 1]


async def test_a_lesson_over_whatsapp_with_a_restart_a_retake_and_a_declined_offer(wa: WaHarness) -> None:
    created = await wa.create_group()
    zeynep = wa.person("Zeynep")
    await wa.join(zeynep, created.coordinator_invite.code)
    await wa.next(zeynep)
    ayse = wa.graph.user("Ayşe", phone="905321234567")
    await wa.wa_join(ayse, created.member_invite.code, "tr")
    await wa.wa_skip(ayse)

    listing = await wa.wa_send(ayse, "dersler")  # the keyword, no slash
    assert listing.rows, listing  # a list message: one row per lesson
    row = next(r for r in listing.rows if r.id == "ls:open:budget-calendar")
    assert row.title == "🆕 Bütçe takvimi" and row.description and len(row.title) <= 24

    first = await wa.wa_tap(ayse, listing, "ls:open:budget-calendar")
    assert "(1/3)" in first.text and first.titles == ["Devam ▶️", "📄 Belge olarak al"]
    second = await wa.wa_tap(ayse, first, "Devam ▶️")
    assert "(2/3)" in second.text and "1 Eylül" in second.text

    await wa.restart()
    listing = await wa.wa_send(ayse, "dersler")
    assert next(r for r in listing.rows if r.id == "ls:open:budget-calendar").title == "▶️ Bütçe takvimi"
    resumed = await wa.wa_tap(ayse, listing, "ls:open:budget-calendar")
    assert "Kaldığınız yerden" in resumed.text and "(2/3)" in resumed.text
    third = await wa.wa_send(ayse, "devam")
    assert "(3/3)" in third.text and "Teste geç ▶️" in third.titles
    q1 = await wa.wa_tap(ayse, third, "Teste geç ▶️")
    assert "Soru 1/3" in q1.text and q1.type == "text"  # a number: typed
    q2 = await wa.wa_send(ayse, "15")
    assert "❌ Doğru cevap: *1*" in q2.text and "Soru 2/3" in q2.text, q2.text
    q3 = await wa.wa_tap(ayse, q2, "Bütçe")
    assert "❌" in q3.text and "Soru 3/3" in q3.text
    failed = await wa.wa_tap(ayse, q3, "Mayıs: kesin hesap")
    assert "3 sorudan 1 doğru" in failed.text and "🔁 Testi tekrar çöz" in failed.titles

    line = await counts(wa, zeynep, "Bütçe takvimi")
    assert "0/1 üye tamamladı" in line and "1 devam ediyor" in line and "3 üyeden az" in line, line
    assert "%" not in line, line  # one taker: the "average" would be her score

    q1 = await wa.wa_tap(ayse, failed, "🔁 Testi tekrar çöz")
    q2 = await wa.wa_send(ayse, "1")
    assert "✅ Doğru." in q2.text
    q3 = await wa.wa_send(ayse, "1")  # the choice's number typed
    done = await wa.wa_send(ayse, "mayıs kesin hesap")  # its words, any case
    assert "3 sorudan 3 doğru" in done.text and "tamamladınız ✅" in done.text

    line = await counts(wa, zeynep, "Bütçe takvimi")
    assert "1/1 üye tamamladı" in line and "%" not in line and "Ayşe" in line, line

    # The whole lesson as a document WhatsApp accepts (.docx).
    await wa.graph.tap(ayse, done, "📄 Belge olarak al")
    document = await wa.wa_next(ayse, None)
    while document.type != "document":
        document = await wa.wa_next(ayse, None)
    assert document.filename == "ders-budget-calendar.docx"

    # A budget round opens: the gender-budgeting lesson is offered; she declines by typing.
    await open_round(wa, zeynep)
    offer = await wa.wa_next(ayse, "Bütçe önerileri turu açıldı")
    assert offer.titles == ["▶️ Derse başla", "⏰ Sonra", "Hayır, teşekkürler"]
    declined = await wa.wa_send(ayse, "hayır teşekkürler")
    assert "bir daha önermeyeceğim" in declined.text
    lessons = wa.services.extras["lessons"]
    await wa.advance(timedelta(days=8))
    group_id = created.group.id
    assert await lessons.service.offer_to_group(group_id, "gender-budgeting", "budget-round") == 1  # Zeynep only

