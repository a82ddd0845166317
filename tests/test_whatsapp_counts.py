"""Every WhatsApp message is billed: the fake counts what a member and a coordinator get for
joining, a survey, a meeting notice and an RSVP, and /toplanti's first step.

`benchmarks/whatsapp_messages.py` runs this file and prints the counts as a JSON line
(`KOORDINAT_WHATSAPP_COUNTS=<file>` makes the test write them there)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

from bot.emulator.whatsapp import FakeWaUser
from bot.models import Role
from bot.services.surveys.content import library
from tests.meetings_support import announce, group_with
from tests.test_whatsapp_survey import graph  # noqa: F401  (the fake without its pair-rate limit)
from tests.whatsapp_support import WaHarness, wa  # noqa: F401  (fixtures)

JOIN_GOAL = 4
SURVEY_GOAL_EXTRA = 2  # the invitation and the last answer's confirmation (review + thanks)


def _count(wa: WaHarness, user: FakeWaUser) -> int:
    return len(wa.graph.messages_to(user))


async def test_messages_billed_for_joining_a_survey_a_notice_and_a_meeting_dialog(wa: WaHarness) -> None:  # noqa: F811
    zeynep, _ = await group_with(wa)
    code = (await wa.services.groups.new_member_invite(1)).code
    ayse = wa.graph.user("Ayşe", phone="905321234567")
    await wa.wa_join(ayse, code, "tr")
    await wa.wa_skip(ayse)
    joining = _count(wa, ayse)
    assert joining <= JOIN_GOAL

    # A meeting notice and her RSVP.
    before = _count(wa, ayse)
    await announce(wa, zeynep)
    notice = await wa.wa_next(ayse, "Yeni toplantı")
    await wa.wa_skip(ayse)
    notice_messages = _count(wa, ayse) - before
    before = _count(wa, ayse)
    await wa.graph.tap(ayse, notice, "✅ Katılıyorum")
    await wa.wa_skip(ayse)
    rsvp_messages = _count(wa, ayse) - before
    assert notice_messages == 1 and rsvp_messages == 1

    # A six-question survey, from the invitation to the thank-you.
    await wa.services.surveys.send(group_id=1, form=library().templates["izleme"],
                                   deadline=datetime(2026, 12, 5, 11, 0, tzinfo=UTC), anonymous=False,
                                   created_by=1, template="izleme")
    await wa.settle()
    await wa.next_containing(zeynep, "Yeni anket")
    before = _count(wa, ayse) - 1  # the invitation is hers already
    invitation = await wa.wa_next(ayse, "Yeni anket")
    await wa.graph.tap(ayse, invitation, "▶️ Başla")
    questions = 6
    for answer in ("%40", "3", "evet", "Resmi rapor", "4", "Not yok"):
        await wa.wa_skip(ayse)
        await wa.graph.send_text(ayse, answer)
    sent = (await wa.wa_skip(ayse))[-1]
    # The last answer's confirmation holds the review and the thanks: no separate Send step.
    assert "✓ Kaydedildi: Not yok" in sent.text and "yanıtlarınız" in sent.text and "→ *%40*" in sent.text
    assert "Teşekkürler" in sent.text and not sent.choices
    survey_messages = _count(wa, ayse) - before
    assert survey_messages <= questions + 2
    row = await wa.services.db.fetchone("SELECT submitted_at FROM survey_responses")
    assert row is not None and row["submitted_at"] is not None

    # A WhatsApp coordinator's /toplanti starts with one message.
    invite = await wa.services.groups.new_invite(1, Role.COORDINATOR)
    leyla = wa.graph.user("Leyla", phone="905551112233")
    await wa.wa_join(leyla, invite.code, "tr")
    await wa.wa_skip(leyla)
    before = _count(wa, leyla)
    await wa.graph.send_text(leyla, "toplanti")
    first = await wa.wa_skip(leyla)
    assert len(first) == 1 and "1/5" in first[0].text, [m.text for m in first]

    counts = {"benchmark": "whatsapp_messages", "join": joining, "join_goal": JOIN_GOAL,
              "survey_questions": questions, "survey": survey_messages, "survey_goal": questions + 2,
              "meeting_notice": notice_messages, "rsvp": rsvp_messages, "toplanti_first_step": len(first)}
    counts["ok"] = joining <= JOIN_GOAL and survey_messages <= questions + 2 and len(first) == 1
    if out := os.environ.get("KOORDINAT_WHATSAPP_COUNTS"):
        with open(out, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(counts, ensure_ascii=False))
