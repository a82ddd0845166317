"""Finding proposals that say the same thing (Turkish-aware fuzzy matching with rapidfuzz)."""

from __future__ import annotations

from collections.abc import Iterable


from bot.text import fold

THRESHOLD = 72  # token-set similarity (0–100) from which proposals are shown as similar
_STOP = frozenset({"ve", "ile", "icin", "bir", "bu", "da", "de", "the", "and", "for", "of", "to", "a", "in"})


def _key(text: str) -> str:
    from rapidfuzz import fuzz, process, utils  # imported where used: start-up stays light (issue 24)
    words = utils.default_process(fold(text)).split()
    return " ".join(word for word in words if word not in _STOP)


def similar(text: str, candidates: Iterable[tuple[int, str]], limit: int = 3) -> list[tuple[int, float]]:
    """The ids among `candidates` (id, text) most like `text`, with scores ≥ THRESHOLD, best first.

    Folding makes `Kadın`, `KADIN` and `kadin` the same word; the token-set ratio ignores word
    order and repeated words.
    """
    choices = {pid: _key(candidate) for pid, candidate in candidates}
    if not choices:
        return []
    from rapidfuzz import fuzz, process, utils  # imported where used: start-up stays light (issue 24)
    found = process.extract(_key(text), choices, scorer=fuzz.token_set_ratio, limit=limit,
                            score_cutoff=THRESHOLD)
    return [(pid, score) for _, score, pid in found]
