"""Text that shows nothing is not a title (issue 8, item 9): one cleaning function for every
free-text field, used by the meeting dialog, display names and group names."""

from __future__ import annotations

import pytest

from bot.errors import InvalidAnswer
from bot.text import clean_text, has_visible_text, require_text
from tests.harness import Harness
from tests.meetings_support import group_with


@pytest.mark.parametrize("invisible", ["\u200b\u200b\u200b", "\x00\x00", "\u202e\u202d", "\u2066\u2069",
                                       "\u3164\u3164", "\ufeff", "  \t ", "\u200d\u200c", "\u0301\u0301",
                                       "\u2800", "\u00ad\u2060"])
def test_nothing_visible_cleans_to_empty(invisible: str) -> None:
    assert clean_text(invisible) == ""
    assert clean_text(invisible, multiline=True) == ""
    assert not has_visible_text(clean_text(invisible))
    with pytest.raises(InvalidAnswer):
        require_text(invisible, key="meeting.bad_title")


def test_cleaning_keeps_what_people_mean() -> None:
    assert clean_text("  Aralık\u00a0 toplantısı \x00") == "Aralık toplantısı"
    assert clean_text("Bütçe\u202e tersi") == "Bütçe tersi"  # no bidi override survives
    assert clean_text("I\u0307stanbul") == "\u0130stanbul"  # NFC: İ typed two ways is one
    assert clean_text("👩\u200d👩\u200d👧 aile") == "👩\u200d👩\u200d👧 aile"  # emoji sequences intact
    assert clean_text("1. bütçe\r\n\r\n\r\n2. izleme \n", multiline=True) == "1. bütçe\n\n2. izleme"
    assert clean_text("1. bütçe\n2. izleme") == "1. bütçe 2. izleme"
    assert clean_text("a\u2028b", multiline=True) == "a\nb"
    assert require_text(" Kent Konseyi ", key="meeting.bad_place", min_length=2, max_length=300) == "Kent Konseyi"


async def test_a_title_of_zero_width_characters_is_refused_and_a_nul_never_stored(harness: Harness) -> None:
    zeynep, _ = await group_with(harness)
    await harness.send(zeynep, "/toplanti")
    await harness.next(zeynep)
    refused = await harness.send(zeynep, "\u200b\u200b\u200b\u200b")
    assert "Başlık 2 ile 120 karakter" in refused.text and "Örnek" in refused.text
    refused = await harness.send(zeynep, "\u202e\u2066\x00")
    assert "Başlık" in refused.text
    asked_when = await harness.send(zeynep, "Aralık\x00 toplantısı\u202e")
    assert "2/5" in asked_when.text
    await harness.send(zeynep, "03.12.2026 14:00")
    await harness.send(zeynep, "Kent\x00 Konseyi\u200b salonu")
    await harness.send(zeynep, "1. Bütçe\x07\n2. İzleme\u202e")
    repeat = await harness.send(zeynep, "-")
    preview = await harness.press(zeynep, repeat, "Tekrar yok")
    assert "Önizleme" in preview.text
    state = await harness.services.db.fetchone("SELECT data FROM dialogs")
    stored = state["data"]
    for bad in ("\\u0000", "\\u202e", "\\u0007", "\x00", "\u202e"):
        assert bad not in stored, bad
    assert "Aralık toplantısı" in preview.text and "Kent Konseyi salonu" in preview.text
    assert "1. Bütçe\n2. İzleme" in preview.text


async def test_a_name_of_only_invisible_characters_becomes_unnamed(harness: Harness) -> None:
    group = await harness.create_group()
    ghost = harness.person("\u200b\u3164")
    await harness.join(ghost, group.member_invite.code)
    row = await harness.services.db.fetchone("SELECT display_name FROM members")
    assert row["display_name"] and has_visible_text(row["display_name"])


async def test_group_names_are_cleaned(harness: Harness) -> None:
    created = await harness.services.groups.create("Kadın\x00 Dostu\u202e Kent ", " Kars\u200b", "tr")
    assert (created.group.name, created.group.city) == ("Kadın Dostu Kent", "Kars")
