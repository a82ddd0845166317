"""Files, photos and other non-text messages reach the conversation as uploads."""

from __future__ import annotations

from bot.models import Actor, Reply, Upload
from bot.services.conversation import Ctx
from storage.dialogs import DialogState
from tests.harness import Harness

# The smallest valid PNG (1×1), enough for the fake Bot API to store it as a photo.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


async def test_a_photo_outside_any_dialog_gets_a_hint(harness: Harness) -> None:
    group = await harness.create_group()
    ayse = harness.person("Ayşe")
    await harness.join(ayse, group.member_invite.code)
    await harness.server.send_photo_from(ayse.user, PNG)
    reply = await harness.next_containing(ayse, "📎")
    assert "dosya beklemiyorum" in (reply.text or "")


class _EvidenceFlow:
    """A one-step dialog that takes a photo and echoes its bytes' size back."""

    kind = "evidence_probe"

    def __init__(self, harness: Harness) -> None:
        self._harness = harness

    async def on_text(self, ctx: Ctx, state: DialogState, text: str) -> list:
        return [ctx.text("upload.not_expected_in_dialog")]

    async def on_choice(self, ctx: Ctx, state: DialogState, parts: list[str]) -> list:
        return []

    async def on_upload(self, ctx: Ctx, state: DialogState, upload: Upload) -> list:
        channel = self._harness.services.dispatcher._channels["telegram"]  # noqa: SLF001
        data = await channel.download(upload.file_id)
        return [Reply(text=f"{upload.kind}:{len(data)}")]


async def test_a_photo_inside_a_dialog_that_takes_one_is_downloaded(harness: Harness) -> None:
    group = await harness.create_group()
    ayse = harness.person("Ayşe")
    await harness.join(ayse, group.member_invite.code)
    services = harness.services
    services.conversation.add_flow(_EvidenceFlow(harness))
    ctx = await services.conversation.context(Actor(channel="telegram", external_id=str(ayse.chat_id)))
    await services.conversation.begin(ctx, "evidence_probe", "photo")
    await harness.server.send_photo_from(ayse.user, PNG)
    reply = await harness.next_containing(ayse, "photo:")
    assert reply.text == f"photo:{len(PNG)}"
