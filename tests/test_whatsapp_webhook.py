"""The WhatsApp webhook as Meta (and an attacker) reach it: the verify handshake, signatures
over the raw bytes, redeliveries, health."""

from __future__ import annotations

import json

import httpx

from bot.emulator.whatsapp import sign
from tests.whatsapp_support import WaHarness, graph, wa  # noqa: F401  (fixtures)


def _url(wa: WaHarness, path: str) -> str:
    assert wa.bot is not None and wa.bot.web is not None
    return f"http://127.0.0.1:{wa.bot.web.port}{path}"


async def _count(wa: WaHarness, table: str) -> int:
    row = await wa.services.db.fetchone(f"SELECT COUNT(*) AS n FROM {table}")  # noqa: S608
    assert row is not None
    return int(row["n"])


async def test_the_verify_handshake_echoes_the_challenge_only_for_our_token(wa: WaHarness) -> None:
    async with httpx.AsyncClient() as client:
        ok = await client.get(_url(wa, "/whatsapp"), params={
            "hub.mode": "subscribe", "hub.verify_token": wa.graph.verify_token, "hub.challenge": "1158201444"})
        wrong = await client.get(_url(wa, "/whatsapp"), params={
            "hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1158201444"})
        health = await client.get(_url(wa, "/health"))
    assert (ok.status_code, ok.text) == (200, "1158201444")
    assert wrong.status_code == 403 and "1158201444" not in wrong.text
    assert health.json() == {"status": "ok", "telegram": False, "whatsapp": True}  # Telegram polls here


async def test_forged_or_missing_signatures_are_refused_and_nothing_is_stored(wa: WaHarness) -> None:
    created = await wa.create_group()
    ayse = wa.graph.user("Ayşe", phone="905321234567")
    payload = wa.graph._envelope(ayse, {"type": "text", "text": {"body": f"katıl {created.member_invite.code}"}})
    body = json.dumps(payload, ensure_ascii=False).encode()
    assert await wa.graph.post(body, signature=None) == 401
    assert await wa.graph.post(body, signature=sign(body, "not-the-app-secret")) == 403
    # Signed over re-encoded JSON (\\u escapes instead of the bytes sent): refused too.
    reencoded = json.dumps(payload, ensure_ascii=True).encode()
    assert await wa.graph.post(body, signature=sign(reencoded, wa.graph.app_secret)) == 403
    assert await wa.graph.post(body + b" ", signature=sign(body, wa.graph.app_secret)) == 403
    assert await _count(wa, "processed_updates") == 0 and await _count(wa, "whatsapp_contacts") == 0
    assert await _count(wa, "outbox") == 0
    # The real bytes, Turkish letters and `@` included, verify.
    assert "ı" in body.decode() and await wa.graph.post(body) == 200
    notice = await wa.graph.wait_for_message(ayse)  # "katıl": Turkish, no language question
    assert "Aydınlatma metni" in notice.text, notice


async def test_the_same_payload_twice_has_one_effect(wa: WaHarness) -> None:
    created = await wa.create_group()
    ayse = wa.graph.user("Ayşe @ Kars", phone="905321234567")
    payload = await wa.graph.send_text(ayse, f"join {created.member_invite.code}")
    await wa.graph.wait_for_message(ayse)
    assert await wa.graph.post(payload) == 200  # Meta redelivers (no 200 seen in time)
    await wa.settle()
    assert len(wa.graph.messages_to(ayse)) == 2  # the privacy notice and the consent question, once
    assert await _count(wa, "processed_updates") == 1


async def test_a_signed_body_that_is_not_a_cloud_api_payload_is_kept_aside_and_acknowledged(wa: WaHarness) -> None:
    # Signed by Meta, so refusing it would only make Meta deliver it again and again (issue 18).
    assert await wa.graph.post(b"not json") == 200
    assert await wa.graph.post(b'{"entry": "x"}') == 200
    assert await _count(wa, "quarantined_updates") == 2
    # Statuses (sent/delivered/read) and other fields are acknowledged and ignored.
    status = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages",
              "value": {"messaging_product": "whatsapp", "statuses": [{"id": "wamid.X", "status": "read"}]}}]}]}
    assert await wa.graph.post(status) == 200


async def test_a_reaction_gets_no_answer(wa: WaHarness) -> None:
    ayse = wa.graph.user("Ayşe")
    await wa.graph.deliver(ayse, {"type": "reaction", "reaction": {"message_id": "wamid.OUT1", "emoji": "👍"}})
    await wa.graph.send_text(ayse, "yardım")
    first = await wa.graph.wait_for_message(ayse)
    assert "*help*" in first.text and len(wa.graph.messages_to(ayse)) == 1  # only the help
