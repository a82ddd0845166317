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


def test_the_notice_says_per_survey_kind_what_coordinators_see() -> None:
    """Issue 18 §7: named surveys show each answer with the name; anonymous ones only totals,
    from 3 responses — never "only in aggregate" for every survey."""
    from bot.services.surveys.results import MINIMUM_ANONYMOUS_RESPONSES

    turkish = privacy_notice("tr", "Kars Kent Konseyi", "kvkk@example.org")
    english = privacy_notice("en", "Kars City Council", "kvkk@example.org")
    assert "isimli" in turkish and "adınızla" in turkish and "anonim" in turkish
    assert f"en az {MINIMUM_ANONYMOUS_RESPONSES} yanıt" in turkish
    assert "named" in english and "with your name" in english and "anonymous" in english
    assert f"at least {MINIMUM_ANONYMOUS_RESPONSES} people" in english
    assert "only as aggregates" not in english.split("Reports")[0]


async def test_a_named_survey_says_at_its_start_that_coordinators_see_each_answer_with_the_name(
        harness) -> None:  # noqa: ANN001
    from tests.meetings_support import group_with
    from tests.test_surveys_answering import _invitation, _send_izleme

    zeynep, (ayse,) = await group_with(harness, ("Ayşe", "tr"))
    await _send_izleme(harness, zeynep)
    invitation = await _invitation(harness, ayse)
    assert "her yanıtınızı adınızla görür" in invitation.text
    intro = await harness.press(ayse, invitation, "▶️ Başla")
    assert "İsimli" in intro.text and "her yanıtınızı adınızla görür" in intro.text and "/gizlilik" in intro.text
