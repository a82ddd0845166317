"""Understanding what people type, the way Turkish users type it."""

from __future__ import annotations

import unicodedata

_TURKISH_FOLD = str.maketrans({"İ": "i", "I": "i", "ı": "i", "ç": "c", "Ç": "c", "ğ": "g", "Ğ": "g",
                               "ö": "o", "Ö": "o", "ş": "s", "Ş": "s", "ü": "u", "Ü": "u"})


def fold(text: str) -> str:
    """Lower-case, dotted/dotless-i-insensitive, diacritic-free: `İPTAL`, `iptal`, `IPTAL` → `iptal`."""
    folded = text.strip().translate(_TURKISH_FOLD).lower()
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


YES_WORDS = frozenset({"evet", "e", "yes", "y", "olur", "tamam", "ok", "okay"})
NO_WORDS = frozenset({"hayir", "h", "no", "n", "yok", "istemiyorum"})
CANCEL_WORDS = frozenset({"iptal", "/iptal", "cancel", "/cancel", "vazgec", "dur", "stop"})


def is_cancel(text: str) -> bool:
    return fold(text) in CANCEL_WORDS
