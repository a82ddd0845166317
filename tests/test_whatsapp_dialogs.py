"""A survey-shaped dialog over WhatsApp (the survey feature plugs into the same Conversation):
a 1–5 scale as a list, yes/no as reply buttons, a 0–10 answer typed, a photo as evidence,
and a restart in the middle that loses nothing."""

from __future__ import annotations

from bot.models import Actor, Button, Reply, Upload
from bot.services.conversation import Ctx
from storage.dialogs import DialogState
from tests.whatsapp_support import WaHarness, graph, wa  # noqa: F401  (fixtures)

JPEG = b"\xff\xd8\xff\xe0JFIF-evidence"


class _SurveyProbe:
    """scale (list) → yes/no (buttons) → 0–10 (typed) → evidence photo (downloaded)."""

    kind = "probe"

    def __init__(self, wa: WaHarness) -> None:
        self._wa = wa

    async def ask(self, ctx: Ctx, step: str) -> list[Reply]:
        if step == "scale":
            return [Reply(text="1/4 Güvenli hissediyor musunuz? (1–5)",
                          buttons=[[Button(label=str(i), choice=f"probe:scale:{i}") for i in range(1, 6)]])]
        if step == "yesno":
            return [Reply(text="2/4 Aydınlatma yeterli mi?", buttons=[[
                Button(label="Evet", choice="probe:yesno:y"), Button(label="Hayır", choice="probe:yesno:n")]])]
        if step == "nps":
            return [Reply(text="3/4 0–10 arası puanınız?",
                          buttons=[[Button(label=str(i), choice=f"probe:nps:{i}") for i in range(11)]])]
        return [Reply(text="4/4 Bir fotoğraf gönderin.")]

    async def on_text(self, ctx: Ctx, state: DialogState, text: str) -> list[Reply]:
        if state.step == "nps" and text.strip().isdigit() and 0 <= int(text) <= 10:
            return await self._answer(ctx, state, text.strip())
        return [Reply(text=f"❌ {state.step}: beklenen bir seçim (örnek: 7)")]

    async def on_choice(self, ctx: Ctx, state: DialogState, parts: list[str]) -> list[Reply]:
        if parts[0] != state.step:
            return [ctx.text("error.stale_button")]
        return await self._answer(ctx, state, parts[1])

    async def on_upload(self, ctx: Ctx, state: DialogState, upload: Upload) -> list[Reply]:
        assert self._wa.bot is not None and self._wa.bot.whatsapp_channel is not None
        data = await self._wa.bot.whatsapp_channel.download(upload.file_id)
        answers = {**state.data, "photo": len(data)}
        await self._wa.services.conversation.end(ctx)
        return [Reply(text="✅ " + ", ".join(f"{k}={v}" for k, v in sorted(answers.items())))]

    async def _answer(self, ctx: Ctx, state: DialogState, value: str) -> list[Reply]:
        order = ["scale", "yesno", "nps", "photo"]
        state.data[state.step] = value
        state.step = order[order.index(state.step) + 1]
        await self._wa.services.conversation.save(ctx, state)
        return await self.ask(ctx, state.step)


async def test_a_survey_shaped_dialog_over_whatsapp(wa: WaHarness) -> None:
    created = await wa.create_group()
    ayse = wa.graph.user("Ayşe", phone="905321234567")
    await wa.wa_join(ayse, created.member_invite.code, "tr")
    await wa.wa_skip(ayse)
    probe = _SurveyProbe(wa)
    wa.services.conversation.add_flow(probe)
    ctx = await wa.services.conversation.context(Actor(channel="whatsapp", external_id=ayse.user_id))
    await wa.services.conversation.begin(ctx, "probe", "scale")
    for reply in await probe.ask(ctx, "scale"):
        async with wa.services.db.transaction() as tx:
            await wa.services.notifier.reply_to(tx, ctx.actor, reply, "probe:first")
    wa.services.dispatcher.kick()

    scale = await wa.wa_next(ayse, "1/4")
    assert scale.rows and [r.title for r in scale.rows] == ["1", "2", "3", "4", "5"]  # a list message
    yesno = await wa.wa_tap(ayse, scale, "4")
    assert yesno.titles == ["Evet", "Hayır"] and not yesno.rows  # reply buttons
    nps = await wa.wa_send(ayse, "evet")  # the button's word typed: answers the pending question
    assert nps.type == "text" and "0 · 1 · 2" in nps.text  # 0–10: typed
    await wa.restart()  # mid-survey: the dialog lives in SQLite
    wa.graph.webhook_url = f"http://127.0.0.1:{wa.bot.web.port}/whatsapp"  # type: ignore[union-attr]
    wa.services.conversation.add_flow(probe)
    bad = await wa.wa_send(ayse, "on")
    assert "örnek: 7" in bad.text  # not understood: said so, with an example
    photo_ask = await wa.wa_send(ayse, "0")  # typed 0 means 0, not "the first choice"
    assert "4/4" in photo_ask.text
    await wa.graph.send_image(ayse, JPEG)
    done = await wa.wa_next(ayse, "✅")
    assert done.text == f"✅ nps=0, photo={len(JPEG)}, scale=4, yesno=y"
