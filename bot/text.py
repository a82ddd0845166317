"""Understanding what people type, the way Turkish users type it."""

from __future__ import annotations

import re
import unicodedata

_TURKISH_FOLD = str.maketrans({"İ": "i", "I": "i", "ı": "i", "ç": "c", "Ç": "c", "ğ": "g", "Ğ": "g",
                               "ö": "o", "Ö": "o", "ş": "s", "Ş": "s", "ü": "u", "Ü": "u"})


def fold(text: str) -> str:
    """Lower-case, dotted/dotless-i-insensitive, diacritic-free, every digit ASCII (`²`, `٣`,
    `３` → `2`, `3`, `3`): `İPTAL`, `iptal`, `IPTAL` → `iptal`. For comparing, never for storing."""
    folded = text.strip().translate(_TURKISH_FOLD).lower()
    decomposed = unicodedata.normalize("NFKD", folded)
    return ascii_digits("".join(ch for ch in decomposed if not unicodedata.combining(ch)))


YES_WORDS = frozenset({"evet", "e", "yes", "y", "olur", "tamam", "ok", "okay"})
NO_WORDS = frozenset({"hayir", "h", "no", "n", "yok", "istemiyorum"})
CANCEL_WORDS = frozenset({"iptal", "/iptal", "cancel", "/cancel", "vazgec", "dur", "stop"})


def is_cancel(text: str) -> bool:
    return fold(text) in CANCEL_WORDS


# -- numbers people type -------------------------------------------------------------------

def ascii_digits(text: str) -> str:
    """`text` with every Unicode digit as its ASCII digit: superscripts and subscripts (`²`,
    `₃`), full-width (`３`), Arabic-Indic (`٣`), Persian (`۳`), Devanagari (`३`)... — any
    character with a Unicode digit value (`unicodedata.digit`; NFKC alone leaves `٣` as it is).
    Other characters are kept. Used by every reader of a typed number and date."""
    if text.isascii():
        return text
    out = []
    for ch in text:
        value = unicodedata.digit(ch, None) if not ch.isascii() else None
        out.append(str(value) if value is not None else ch)
    return "".join(out)


def read_number(text: str) -> int | None:
    """A whole number as typed (`12`, ` 12 `, `１２`, `¹²`, `٣`, `1.200`, `1 200`), else None.

    Unicode digits are read as their value (`ascii_digits`); thousands separators `.` or a
    space between groups of three digits are allowed; a sign, a decimal part or words are not."""
    cleaned = ascii_digits(clean_text(text)).strip()
    if re.fullmatch(r"\d+", cleaned):
        return int(cleaned)
    if re.fullmatch(r"\d{1,3}(?:[. ]\d{3})+", cleaned):
        return int(re.sub(r"[. ]", "", cleaned))
    return None


# -- free text people type: what is stored and shown to others ---------------------------
# Format characters (Unicode category Cf) that show nothing and can reorder or hide text:
# bidi embeddings/overrides/isolates (U+202A–202E, U+2066–2069, Trojan Source, CVE-2021-42574),
# marks (U+200E/200F, U+061C), zero-width space, word joiner, BOM, soft hyphen... ZWJ and ZWNJ
# are kept between visible characters (emoji sequences 👩‍👩‍👧, Persian/Kurdish spelling) but
# never count as visible.
_KEPT_JOINERS = frozenset({"\u200c", "\u200d"})
# Letters that Unicode classes as "Lo" but that render as blank (used to fake empty names).
_BLANK_LETTERS = frozenset({"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800", "\u17b4", "\u17b5"})
_LINE_BREAKS = frozenset({"\n", "\r", "\u2028", "\u2029", "\x85", "\v", "\f"})


def _is_visible(ch: str) -> bool:
    category = unicodedata.category(ch)
    return not (category[0] in "CZ" or category in ("Mn", "Me") or ch in _BLANK_LETTERS)


def clean_text(text: str, *, multiline: bool = False) -> str:
    """Free text as it may be stored and shown to others; "" when nothing visible is left.

    Normalises to NFC (so `İ` typed two ways compares equal), drops control characters
    (NUL, escape sequences...; category Cc), bidi and other invisible format characters
    (category Cf, except ZWJ/ZWNJ inside text), lone surrogates and unassigned code points,
    turns tabs and odd spaces into one space and trims. With `multiline`, line breaks
    (also U+2028/2029, CR LF) become `\\n`, each line is trimmed and runs of blank lines
    become one; without it the whole text becomes one line.

    Used for every free-text field (meeting title, place and agenda, display names, survey
    answers...); see `require_text` for the check-and-raise form and docs/architecture.md.
    """
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    kept: list[str] = []
    for ch in text:
        if ch in _LINE_BREAKS:
            kept.append("\n" if multiline else " ")
            continue
        category = unicodedata.category(ch)
        if category in ("Cc", "Cs", "Cn") or (category == "Cf" and ch not in _KEPT_JOINERS):
            if ch == "\t":
                kept.append(" ")
            continue
        kept.append(" " if category == "Zs" else ch)
    lines = ["".join(kept)] if not multiline else "".join(kept).split("\n")
    cleaned: list[str] = []
    for line in lines:
        line = " ".join(part for part in line.split(" ") if part)
        line = line.strip("\u200c\u200d ")
        if line or (cleaned and cleaned[-1]):
            cleaned.append(line)
    result = "\n".join(cleaned).strip()
    return result if has_visible_text(result) else ""


# OOXML's escape for characters XML cannot hold (ECMA-376 Part 1, §22.9.2.19 ST_Xstring):
# `_x000B_` is U+000B; `_x005F_` is a literal underscore (so `_x005F_x000B_` is the text `_x000B_`).
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape_ooxml(text: str) -> str:
    """`_x000B_`-style escapes (Excel, XLSX and CSV saved from it) back to their characters."""
    return _OOXML_ESCAPE.sub(lambda match: chr(int(match.group(1), 16)), text) if "_x" in text else text


def clean_cell(text: object, *, multiline: bool = False) -> str:
    """Text arriving from a file (CSV or XLSX import, XLSForm label) cleaned like typed text:
    `None` → "", Excel's `_x000B_` escapes decoded, then `clean_text` (control and format
    characters dropped, NFC, spaces collapsed)."""
    if text is None:
        return ""
    return clean_text(unescape_ooxml(str(text)), multiline=multiline)


def has_visible_text(text: str) -> bool:
    """True if `text` has at least one character that shows (not only spaces, zero-width or
    format characters, controls, combining marks or blank "letters" such as U+3164)."""
    return any(_is_visible(ch) for ch in text)


def require_text(text: str, *, key: str, multiline: bool = False, max_length: int | None = None,
                 min_length: int = 1, **params: object) -> str:
    """`clean_text`, or `InvalidAnswer(key, **params)` when nothing visible is left or the
    cleaned text is shorter than `min_length` / longer than `max_length` characters (the
    message key receives `low`, `high`, `limit` and `length` too)."""
    from bot.errors import InvalidAnswer

    cleaned = clean_text(text, multiline=multiline)
    high = max_length if max_length is not None else 0
    if not cleaned or len(cleaned) < min_length or (max_length is not None and len(cleaned) > max_length):
        raise InvalidAnswer(key, low=min_length, high=high, limit=high, length=len(cleaned), **params)
    return cleaned
