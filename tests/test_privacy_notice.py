"""The privacy notice (KVKK art. 10) never shows an operator's configuration hint to members."""

from __future__ import annotations

from bot.config import Settings
from bot.services.privacy import privacy_notice
from tests.harness import Harness


def test_an_unset_controller_is_named_in_the_readers_language() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.controller_name is None and settings.controller_contact is None
    turkish = privacy_notice("tr", settings.controller_name, settings.controller_contact)
    english = privacy_notice("en", None, None)
    assert "bu botu işleten kuruluş (adını henüz girmedi)" in turkish and "KOORDINAT_" not in turkish
    assert "not named yet" in english and "KOORDINAT_" not in english
    named = privacy_notice("tr", "Kars Kent Konseyi", "kvkk@karskentkonseyi.org")
    assert "Kars Kent Konseyi" in named and "kvkk@karskentkonseyi.org" in named


async def test_a_new_member_reads_the_notice_without_configuration_hints(harness: Harness) -> None:
    group = await harness.create_group()
    nur = harness.person("Nur")
    picker = await harness.send(nur, f"/start {group.member_invite.code}")
    notice = await harness.press(nur, picker, picker.buttons[0][0].callback_data or "")
    assert "Aydınlatma metni" in notice.text and "KOORDINAT_" not in notice.text and "(set " not in notice.text
