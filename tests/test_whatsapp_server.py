"""One web server for both webhooks; a WhatsApp-only deployment."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import httpx

from bot.__main__ import Koordinat
from bot.clock import ManualClock
from bot.config import Settings
from bot.emulator.telegram import FakeBotApi
from bot.emulator.whatsapp import FakeGraphApi
from tests.harness import Harness
from tests.whatsapp_support import graph, wa_settings  # noqa: F401  (fixture)


async def test_telegram_and_whatsapp_webhooks_share_one_server(
        telegram: FakeBotApi, graph: FakeGraphApi, tmp_path: Path, clock: ManualClock) -> None:
    values = wa_settings(graph)
    port = values["port"]
    harness = Harness(telegram, tmp_path / "k.db", clock, webhook_url=f"http://127.0.0.1:{port}",
                      webhook_secret="s3cret-token", **values)
    await harness.start(webhook=True)
    try:
        assert telegram.webhook_url == f"http://127.0.0.1:{port}/telegram"
        assert telegram.webhook_secret == "s3cret-token"
        nur = harness.person("Nur")
        assert "davet bağlantısını" in (await harness.send(nur, "/start")).text  # via our server
        async with httpx.AsyncClient() as client:
            forged = await client.post(f"http://127.0.0.1:{port}/telegram", json={"update_id": 9},
                                       headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
            health = await client.get(f"http://127.0.0.1:{port}/health")
        assert forged.status_code == 403
        assert health.json() == {"status": "ok", "telegram": True, "whatsapp": True}
        graph.webhook_url = f"http://127.0.0.1:{port}/whatsapp"
        ayse = graph.user("Ayşe")
        await graph.send_text(ayse, "menü")
        assert (await graph.wait_for_message(ayse)).text
    finally:
        await harness.stop()


async def test_a_whatsapp_only_deployment_needs_no_telegram_token(
        graph: FakeGraphApi, tmp_path: Path, clock: ManualClock) -> None:
    settings = Settings(_env_file=None, database=tmp_path / "k.db", **wa_settings(graph))  # type: ignore[call-arg,arg-type]
    assert not settings.has_telegram_token
    bot = Koordinat(settings, clock=clock)
    await bot.start()
    try:
        assert bot.telegram is None and bot.web is not None
        graph.webhook_url = f"http://127.0.0.1:{bot.web.port}/whatsapp"
        created = await bot.services.groups.create("Kadın Dostu Kent", "Kars", "tr") if bot.services else None
        assert created is not None
        ayse = graph.user("Ayşe", phone="905321234567")
        await graph.send_text(ayse, f"katıl {created.member_invite.code}")
        notice = await graph.wait_for_message(ayse)  # "katıl": Turkish, no language question
        assert "Aydınlatma metni" in notice.text, notice.text
    finally:
        await bot.stop()


async def test_koordinat_run_starts_whatsapp_only_and_stops_cleanly(graph: FakeGraphApi, tmp_path: Path) -> None:
    values = wa_settings(graph)
    env = {name: value for name, value in os.environ.items() if not name.startswith("KOORDINAT_")}
    env.update({f"KOORDINAT_{key.upper()}": str(value) for key, value in values.items() if key != "port"})
    env.update({"PORT": str(values["port"]), "KOORDINAT_DATABASE": str(tmp_path / "k.db")})
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--webhook", env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(200):
                try:
                    health = await client.get(f"http://127.0.0.1:{values['port']}/health")
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            else:
                raise AssertionError("the web server did not come up")
        assert health.json()["whatsapp"] is True and health.json()["telegram"] is False
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert "Traceback" not in stderr.decode()
