"""One update never stops the bot (issue 18 §1): an update that cannot be parsed, stored or
processed is kept in `quarantined_updates` with its reason, acknowledged, answered with the
generic "could not read that" when its sender is known, and the rest of the batch goes on."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.emulator.telegram import FakeBotApi
from bot.services.conversation import CommandSpec, Ctx
from storage import quarantine as quarantine_repo
from tests.harness import Harness
from tests.whatsapp_support import graph, wa  # noqa: F401  (fixtures)

# A field of a newer Bot API with a type PTB does not expect, and other shapes a library
# cannot parse: each must be kept aside, not end the intake.
UNPARSEABLE = [
    {"checklist": 5},
    {"date": "yesterday"},
    {"entities": "bold"},
    {"photo": {"file_id": "x"}},
]


async def _kept(harness: Harness) -> list[quarantine_repo.Quarantined]:
    async with harness.services.db.read() as conn:
        return await quarantine_repo.listing(conn)


@pytest.mark.parametrize("fields", UNPARSEABLE, ids=lambda f: next(iter(f)))
async def test_an_update_ptb_cannot_parse_is_quarantined_and_polling_goes_on(
        harness: Harness, telegram: FakeBotApi, fields: dict) -> None:
    nur = harness.person("Nur")
    emma = harness.person("Emma", language_code="en")
    telegram.send_raw(nur.user, {"text": "merhaba", **fields})
    await telegram.send_text(emma.user, "/start")  # in the same batch, after the bad one
    sorry = await harness.next(nur)
    assert "okuyamadım" in sorry.text
    welcome = await harness.next(emma)
    assert "Koordinat" in welcome.text
    kept = await _kept(harness)
    assert len(kept) == 1 and kept[0].chat_key == str(nur.chat_id)
    assert "Error" in kept[0].reason
    # and polling still runs: she is answered next time
    again = await harness.send(nur, "/start")
    assert "Koordinat" in again.text
    assert telegram.pending_updates == 0


async def test_text_with_a_lone_surrogate_is_quarantined_not_refetched_forever(
        harness: Harness, telegram: FakeBotApi) -> None:
    nur = harness.person("Nur")
    emma = harness.person("Emma", language_code="en")
    telegram.send_raw(emma.user, {"text": "hello \ud83d"})
    await telegram.send_text(nur.user, "/start")
    sorry = await harness.next(emma)
    assert "could not read" in sorry.text
    assert "Koordinat" in (await harness.next(nur)).text
    kept = await _kept(harness)
    assert [k.reason for k in kept] == ["text that cannot be stored (a lone UTF-16 surrogate)"]
    assert "\\ud83d" in kept[0].payload
    assert telegram.pending_updates == 0


async def test_an_update_whose_handler_fails_is_quarantined_after_the_polite_answer(
        harness: Harness) -> None:
    async def broken(ctx: Ctx, args: list[str]) -> list:
        raise ZeroDivisionError("a bug")

    harness.services.conversation.add_command(CommandSpec("broken", broken, needs_member=False))
    nur = harness.person("Nur")
    sorry = await harness.send(nur, "/broken")
    assert "beklenmeyen" in sorry.text
    assert "Koordinat" in (await harness.send(nur, "/start")).text
    kept = await _kept(harness)
    assert len(kept) == 1 and kept[0].reason == "ZeroDivisionError: a bug"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_webhook_acknowledges_bad_updates_and_goes_on(
        telegram: FakeBotApi, tmp_path: Path, clock: ManualClock) -> None:
    port = _free_port()
    harness = Harness(telegram, tmp_path / "k.db", clock, webhook_url=f"http://127.0.0.1:{port}",
                      webhook_secret="s3cret-token", webhook_listen="127.0.0.1", port=port,
                      private_chat_rate_per_second=50)
    await harness.start(webhook=True)
    try:
        nur = harness.person("Nur")
        emma = harness.person("Emma", language_code="en")
        telegram.send_raw(nur.user, {"text": "a \udc00 b"})
        telegram.send_raw(emma.user, {"checklist": 5})
        await telegram.send_text(nur.user, "/start")
        assert "okuyamadım" in (await harness.next(nur)).text
        assert "could not read" in (await harness.next(emma)).text
        assert "Koordinat" in (await harness.next(nur)).text
        assert len(await _kept(harness)) == 2
        assert telegram.pending_updates == 0
    finally:
        await harness.stop()


async def test_whatsapp_a_bad_message_in_a_batch_is_kept_and_the_others_answered(wa) -> None:  # noqa: ANN001
    created = await wa.create_group()
    ayse = wa.graph.user("Ayşe", phone="905321234567")
    emma = wa.graph.user("Emma", phone="447700900123", country="GB")
    zehra = wa.graph.user("Zehra", phone="905329876543")
    status = await wa.graph.deliver_batch([
        (ayse, {"type": "text", "text": {"body": "katıl \ud83d"}}),              # unstorable text
        (emma, {"type": "text", "text": "not an object"}),                       # unexpected shape
        (zehra, {"type": "text", "text": {"body": f"katıl {created.member_invite.code}"}}),
    ])
    assert status == 200  # acknowledged: never redelivered forever
    notice = await wa.graph.wait_for_message(zehra)  # `katıl KOD`: Turkish, the privacy notice at once
    assert "Aydınlatma metni" in notice.text
    assert "okuyamadım" in (await wa.graph.wait_for_message(ayse)).text
    assert "could not read" in (await wa.graph.wait_for_message(emma)).text
    async with wa.services.db.read() as conn:
        kept = await quarantine_repo.listing(conn)
    assert sorted(k.chat_key for k in kept) == sorted([ayse.user_id, emma.user_id])
    assert any("surrogate" in k.reason for k in kept)


async def test_whatsapp_a_message_whose_handling_fails_is_kept_and_answered(wa, monkeypatch) -> None:  # noqa: ANN001
    from handlers.whatsapp import webhook

    real = webhook.handle

    async def flaky(services, message):  # noqa: ANN001, ANN202
        if message.text == "boom":
            raise ZeroDivisionError("a bug")
        await real(services, message)

    monkeypatch.setattr(webhook, "handle", flaky)
    ayse = wa.graph.user("Ayşe", phone="905321234567")
    await wa.graph.send_text(ayse, "boom")
    assert "okuyamadım" in (await wa.graph.wait_for_message(ayse)).text
    async with wa.services.db.read() as conn:
        kept = await quarantine_repo.listing(conn)
    assert [k.reason for k in kept] == ["ZeroDivisionError: a bug"]


async def test_the_operator_commands_refuse_unknown_ids_and_whatsapp_retries(harness: Harness) -> None:
    from bot.services import quarantine

    db = harness.services.db
    assert harness.services.quarantine is not None
    kept = await harness.services.quarantine.keep("whatsapp", "wamid.X", {"id": "wamid.X"}, "ValueError: x",
                                                  chat_key="TR.1")
    with pytest.raises(quarantine.QuarantineError, match="no quarantined update #999"):
        await quarantine.retry(db, [999], 0.0)
    with pytest.raises(quarantine.QuarantineError, match="cannot be retried"):
        await quarantine.retry(db, [kept], 0.0)
    with pytest.raises(quarantine.QuarantineError, match="#998"):
        await quarantine.drop(db, [998])
    assert await quarantine.drop(db, None) == 1


def test_repaired_replaces_lone_surrogates_and_joins_pairs() -> None:
    from bot.services.quarantine import is_storable, repaired

    assert repaired({"text": "a\ud83d b", "list": ["\ud83d\ude00"]}) == {"text": "a\ufffd b", "list": ["😀"]}
    assert not is_storable("a\udc00") and is_storable("ağ 😀")


async def test_a_failed_fetch_is_one_log_line_and_polling_goes_on(
        harness: Harness, telegram: FakeBotApi, caplog: pytest.LogCaptureFixture) -> None:
    """A getUpdates that fails (a 502 from the Bot API) is one warning line, no traceback,
    and the next one answers (issue 18 §6)."""
    telegram.fail_next("getUpdates", error_code=502, times=1)
    nur = harness.person("Nur")
    await telegram.send_text(nur.user, "/start")
    assert "Koordinat" in (await harness.next(nur, timeout=10)).text
    failed = [r for r in caplog.records if "getUpdates failed" in r.getMessage()]
    assert len(failed) == 1 and failed[0].exc_info is None and "\n" not in failed[0].getMessage()
