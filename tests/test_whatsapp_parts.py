"""A reply WhatsApp needs as several messages goes out part by part: each part once, in order,
and after a 131056 (pair rate) on a later part, the dispatcher resumes from that part."""

from __future__ import annotations

from tests.meetings_support import announce, group_with
from tests.whatsapp_support import WaHarness, graph, wa  # noqa: F401  (fixtures)

AGENDA = "\n".join(f"{n}. Gündem maddesi: mahalle güvenliği ve aydınlatma talepleri, bütçe önerisi {n}"
                   for n in range(1, 18))  # ~1400 characters: more than an interactive body takes


async def test_a_long_notice_with_buttons_resumes_from_the_part_refused_by_pair_rate(wa: WaHarness) -> None:
    zeynep, _ = await group_with(wa)
    code = (await wa.services.groups.new_member_invite(1)).code
    ayse = wa.graph.user("Ayşe", phone="905321234567")
    await wa.wa_join(ayse, code, "tr")
    await wa.wa_skip(ayse)
    assert 1024 < len(AGENDA) <= 1500
    before = len(wa.graph.messages_to(ayse))
    wa.graph.fail_next(131056, ayse, after=1)  # the first part goes, the second is refused once
    await announce(wa, zeynep, agenda=AGENDA)
    await wa.wa_next(ayse, "Yeni toplantı")
    buttons = await wa.wa_next(ayse)
    await wa.settle()
    got = wa.graph.messages_to(ayse)[before:]
    assert [m.type for m in got] == ["text", "interactive"], [(m.type, m.text[:40]) for m in got]
    assert "Yeni toplantı" in got[0].text and "17. Gündem maddesi" in got[0].text
    assert got[1] is buttons and "✅ Katılıyorum" in buttons.titles
    assert [error.code for _, error in wa.graph.rejected] == [131056]
    row = await wa.services.db.fetchone("SELECT status, parts_sent FROM outbox WHERE member_id IS NOT NULL "
                                        "AND channel = 'whatsapp' AND broadcast_id IS NOT NULL")
    assert row is not None and row["status"] == "sent" and row["parts_sent"] == 1
    # The typed number still answers the buttons of the last part.
    saved = await wa.wa_send(ayse, "1")
    assert "kaydedildi" in saved.text.lower(), saved.text
