"""Finding proposals that say the same thing, the way Turkish is written.

Titles and bodies are compared separately (a long body must not dilute a close title, nor a
terse title hide two bodies asking for the same thing); a pair is offered when either is close.
Words are compared after Turkish folding (`bot.text.fold`: `Sığınma`, `SIGINMA`, `sığınma` are
one word) and suffix-tolerantly: Turkish is agglutinative, so `sığınmaevinin`, `sığınma`,
`sığınmaevine` share their stem. Two words match when one is a prefix of the other, when they
have the same root once a request or verbal-noun ending is dropped (`açılsın`, `açılması`),
share a prefix of `STEM` letters (the fixed-prefix stemming that works well for Turkish
retrieval: Can et al., "Information retrieval on Turkish texts", JASIST 59(3), 2008), or when
rapidfuzz sees a typo (`fuzz.ratio` ≥ `TYPO_RATIO` for words of 6+ letters). Word order does
not matter. Function words, request verbs and the group's own city are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


from bot.text import fold

STEM = 5          # letters two words must share at their start (kooperatifler / kooperatiflerinden)
MIN_WORD = 5      # …and both must be at least this long (short words must match as a prefix)
# Request and verbal-noun endings: `açılsın` and `açılması` share the root `açıl` (4 letters,
# too short for STEM alone: `konut` / `konukevi`, `kapasite` / `kapanış` share 4 too).
_VERBAL = ("malari", "meleri", "masi", "mesi", "mali", "meli", "mak", "mek", "sinlar", "sinler", "sin", "sun", "ma",
           "me")
TYPO_RATIO = 88   # rapidfuzz ratio from which two long words are one word mistyped

TITLE_CLOSE = 0.6     # Dice score of titles from which they are close
TITLE_COVER = 0.75    # …or: the shorter title this much covered, by at least 2 words
BODY_CLOSE = 0.5      # Dice score of bodies
BODY_COVER = 0.7      # …or: the shorter body this much covered, by at least 4 words
BODY_COVER_WORDS = 4

# Folded function words and words every proposal of a women's working group uses (they say
# nothing about which proposal it is): conjunctions, postpositions, request verbs.
_STOP = frozenset("""
ve veya ile icin bir bu su o da de ki mi mu gibi daha cok en her hem ya ise olan olarak olsun
olmasi olmali yapilsin yapilmasi edilsin edilmesi saglansin saglanmasi artirilsin artirilmasi
verilsin verilmesi kadin kadinlar kadinlara kadinlarin kadinlarimiz belediye belediyenin
belediyemiz belediyeden belediyeye kent kentte sehir sehrimiz ilce mahalle talep oneri
oneriyoruz istiyoruz rica
the and or for of to a an in on at by with be is are should please women womens woman city
municipality municipal council
""".split())
_APOSTROPHE = re.compile(r"[’'`´]\w*")


def words(text: str, ignore: Iterable[str] = ()) -> list[str]:
    """The content words of `text`, folded, in order, once each: `Kars'ta kadın sığınma evi
    açılsın` → `["sigınma" → "siginma", "evi", "acilsin"]` (the city in `ignore`)."""
    from rapidfuzz import utils  # imported where used: start-up stays light (issue 24)

    ignored = {w for item in ignore for w in utils.default_process(fold(item)).split()}
    cleaned = utils.default_process(fold(_APOSTROPHE.sub("", text)))
    found: list[str] = []
    for word in cleaned.split():
        if len(word) < 2 or word.isdigit() or word in _STOP or word in ignored or word in found:
            continue
        found.append(word)
    return found


def _root(word: str) -> str:
    """The word without a request or verbal-noun ending (`acilsin`, `acilmasi` → `acil`)."""
    for ending in _VERBAL:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def same_word(a: str, b: str) -> bool:
    """Whether two folded words are one word with different suffixes (or a typo)."""
    if a == b or _root(a) == _root(b):
        return True
    shorter = min(len(a), len(b))
    from rapidfuzz import fuzz
    from rapidfuzz.distance import Prefix

    common = int(Prefix.similarity(a, b))
    if common == shorter and shorter >= 3:  # ev / evi is too short; oda / odalar is fine
        return True
    if common >= STEM and shorter >= MIN_WORD:
        return True
    return shorter >= 6 and fuzz.ratio(a, b) >= TYPO_RATIO


@dataclass(frozen=True)
class Closeness:
    """How two texts' content words meet: `dice` = matched words of both / all words (0–1),
    `cover` = share of the shorter text's words found in the other (0–1), `shared` = how
    many of the shorter text's words were found."""

    dice: float
    cover: float
    shared: int


def closeness(a: Sequence[str], b: Sequence[str]) -> Closeness:
    """Compare two word lists (from `words`)."""
    if not a or not b:
        return Closeness(0.0, 0.0, 0)
    in_a = sum(1 for word in a if any(same_word(word, other) for other in b))
    in_b = sum(1 for word in b if any(same_word(word, other) for other in a))
    shorter_hits, shorter_len = (in_a, len(a)) if len(a) <= len(b) else (in_b, len(b))
    return Closeness((in_a + in_b) / (len(a) + len(b)), shorter_hits / shorter_len, shorter_hits)


def score(title_a: str, body_a: str, title_b: str, body_b: str, ignore: Iterable[str] = ()) -> float:
    """0–100: how likely two proposals ask for the same thing; ≥ 50 means "offer a merge".

    Each field is compared on its own: never one score over title and body together.

    Titles are close at a Dice score ≥ TITLE_CLOSE, or when the shorter title is covered
    ≥ TITLE_COVER by at least two words; bodies at Dice ≥ BODY_CLOSE, or the shorter body
    covered ≥ BODY_COVER by at least BODY_COVER_WORDS words (a short body inside a long one).
    A title whose words (≥ 2, ≥ TITLE_COVER of them) all appear in the other proposal is close
    too. The score is the best of these, scaled so that "close" is 50 and above.
    """
    ignore = tuple(ignore)
    a_title, b_title = words(title_a, ignore), words(title_b, ignore)
    a_body, b_body = words(body_a, ignore), words(body_b, ignore)
    title = closeness(a_title, b_title)
    body = closeness(a_body, b_body)
    best = 0.0
    if title.dice >= TITLE_CLOSE or (title.cover >= TITLE_COVER and title.shared >= 2):
        best = max(best, 50 + 50 * max(title.dice, title.cover * 0.9))
    if body.dice >= BODY_CLOSE or (body.cover >= BODY_COVER and body.shared >= BODY_COVER_WORDS):
        best = max(best, 50 + 50 * max(body.dice, body.cover * 0.9))
    # A title said in full by the other proposal (its title or body): "Sığınma evi" against a
    # long text asking for a sığınma evi. Only the title's own words count.
    for own, other in ((a_title, b_title + b_body), (b_title, a_title + a_body)):
        hits = sum(1 for word in own if any(same_word(word, seen) for seen in other))
        if len(own) >= 2 and hits >= 2 and hits / len(own) >= TITLE_COVER:
            best = max(best, 50 + 40 * hits / len(own))
    return min(best, 100.0)


def similar(proposal: tuple[str, str], candidates: Iterable[tuple[int, tuple[str, str]]], limit: int = 3,
            ignore: Iterable[str] = ()) -> list[tuple[int, float]]:
    """The ids among `candidates` (id, (title, body)) close to `proposal` (title, body) by
    title or by body (see `score`), with their scores (50–100), best first, at most `limit`.
    `ignore`: words every proposal of the group uses (its city)."""
    ignore = tuple(ignore)
    found = [(pid, score(proposal[0], proposal[1], title, body, ignore)) for pid, (title, body) in candidates]
    found = [(pid, value) for pid, value in found if value >= 50]
    found.sort(key=lambda item: (-item[1], item[0]))
    return found[:limit]
