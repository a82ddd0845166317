"""Which words of a text belong to the other language: for tests that check that nothing of
one language's catalog leaks into a reader's messages (cards, digests, reminders, .ics,
XLSX...). Use `foreign_words(text, lang)`; an empty set is the pass."""

from __future__ import annotations

import re
from datetime import date
from functools import cache

from bot.services.milestones.template import plan_cycle
from bot.services.milestones.workdays import holiday_name
from messages import catalog

_WORD = re.compile(r"[^\W\d_]{4,}")


@cache
def _vocabulary(lang: str) -> frozenset[str]:
    """Words (4+ letters, lower-case) of `lang`'s catalog, its plan-cycle titles and its
    holiday names."""
    words: set[str] = set()
    for text in catalog(lang).values():
        words |= {word.lower() for word in _WORD.findall(re.sub(r"<[^>]+>|\{[^}]+\}", " ", text))}
    for entry in plan_cycle().milestone:
        words |= {word.lower() for word in _WORD.findall(entry.title.get(lang))}
    for day in (date(2026, 1, 1), date(2026, 4, 23), date(2026, 5, 1), date(2026, 5, 19), date(2026, 7, 15),
                date(2026, 8, 30), date(2026, 10, 29), date(2026, 3, 20), date(2026, 5, 27)):
        words |= {word.lower() for word in _WORD.findall(holiday_name(day, lang) or "")}
    return frozenset(words)


def foreign_words(text: str, lang: str) -> set[str]:
    """Words of `text` that belong to the other language's catalog (or its holiday names and
    plan-cycle titles) but not to `lang`'s. Names people typed (group names, titles) may
    contain such words: strip them from `text` first."""
    other = "en" if lang == "tr" else "tr"
    foreign = _vocabulary(other) - _vocabulary(lang)
    return {word for word in _WORD.findall(text.lower()) if word in foreign}
