"""The one rule for sorting names, on every backend: Turkish alphabetical order.

SQLite sorts by code point (`Ç` after `Z`) and PostgreSQL by the database's collation (C, or
tr-TR ICU, or en_US…), so `ORDER BY display_name` would list people differently per engine.
Lists of people are therefore ordered in Python with `turkish_sort_key`, never by SQL.
Source: the Turkish alphabet (TDK, Türk Alfabesi: a b c ç d e f g ğ h ı i j k l m n o ö p r
s ş t u ü v y z), with â î û after their base letters and q w x placed where Turkish
dictionaries put foreign letters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

_TURKISH_ALPHABET = "aâbcçdefgğhıiîjklmnoöprsştuûüvwxyzq"
_TURKISH_ORDER = {letter: index for index, letter in enumerate(_TURKISH_ALPHABET)}


def turkish_sort_key(text: str) -> tuple[int, ...]:
    """Sorts names the Turkish way (Ç after C, Ş after S, I before İ), case-insensitively:
    Ayşe, Çiğdem, Işıl, İpek, Şule, Zeynep. Characters outside the alphabet (digits, spaces,
    other scripts) sort after it by code point."""
    lowered = text.replace("I", "ı").replace("İ", "i").lower()
    return tuple(_TURKISH_ORDER.get(char, 100 + ord(char)) for char in lowered)


def sorted_by_name(items: Iterable[T], name: Callable[[T], str],
                   tie: Callable[[T], object] = lambda _: 0) -> list[T]:
    """`items` in Turkish alphabetical order of `name(item)`, then by `tie(item)` (e.g. the id)."""
    return sorted(items, key=lambda item: (turkish_sort_key(name(item)), tie(item)))
