"""Turkish input is understood the way people type it."""

from __future__ import annotations

import pytest

from bot.text import fold, is_cancel


@pytest.mark.parametrize("typed", ["iptal", "İPTAL", "IPTAL", "İptal", "  iptal ", "Cancel", "/iptal", "vazgeç", "VAZGEÇ"])
def test_cancel_words_in_any_case_and_spelling(typed: str) -> None:
    assert is_cancel(typed)


def test_fold_handles_dotted_and_dotless_i_and_diacritics() -> None:
    assert fold("EVET") == fold("evet") == "evet"
    assert fold("HAYIR") == fold("hayır") == "hayir"
    assert fold("Yardım") == fold("YARDIM") == "yardim"
    assert fold("Şişli Çarşı Ğ Ü Ö") == "sisli carsi g u o"
