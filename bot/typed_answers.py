"""Typed yes / no / maybe, read the way Turkish and English are written.

A member does not type `hayır` to a meeting notice; she types "Maalesef bu sefer
katılamayacağım, kusura bakmayın" or "sorry, I can't make it". `read_answer` finds the answer in
such a sentence:

- politeness and hedge words around the answer are set aside (`maalesef`, `galiba`, `sanırım`,
  `herhalde`, `üzgünüm`, `kusura bakmayın`, `hocam`, `sorry`, `unfortunately`, `I think`...);
- a Turkish verb of coming / joining is read with its suffixes: negation inside the verb
  (`katılMAyacağım`, `gelMİyorum`), inability (`katılAMAyacağım`, `gelEMEm`), the tense and the
  first person (`geliyorum`, `katılacağız`, colloquial `gelicem`, `katılamıcam`); "might not"
  (`gelmeyebilirim`) is a maybe;
- English negation (`can't`, `won't`, `not`, `unable`) turns a "coming" phrase into a no.

`Reading.answer` is "yes", "no", "maybe" or None; `Reading.plausible` is True when the text
looked like an answer (an RSVP verb or word) but could not be read for certain — then the caller
asks with the buttons instead of saying it did not understand. A question (`?`, `gelecek mi`)
is never an answer. Pure text work, no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.text import fold

# Set aside before reading (folded; longest first so that phrases go before their words).
_HEDGES = sorted((
    "maalesef", "malesef", "malasef", "maalasef", "ne yazik ki", "ne yazik", "galiba", "sanirim", "saniyorum",
    "herhalde", "heralde", "zannedersem", "zannediyorum", "bence", "uzgunum", "cok uzgunum", "kusura bakmayin",
    "kusura bakmayiniz", "kusura bakma", "kusura bakmayin lutfen", "ozur dilerim", "ozur dilerim", "ozur",
    "affedersiniz", "affedin", "hocam", "hanim", "hanimefendi", "arkadaslar", "merhaba", "merhabalar", "selam",
    "selamlar", "iyi gunler", "iyi aksamlar", "tesekkurler", "tesekkur ederim", "tesekkur ederiz", "sagolun",
    "sag olun", "bu sefer", "bu kez", "bu defa", "bu toplantiya", "toplantiya", "toplantida", "bu hafta",
    "bu ay", "yarinki", "yarin", "ben", "biz", "de", "da", "ki", "cok", "lutfen", "canim", "ama", "fakat",
    "ancak", "simdilik", "su an", "su anda", "valla", "vallahi", "acikcasi", "aslinda", "o gun", "o gun icin",
    "sorry", "i'm sorry", "im sorry", "so sorry", "very sorry", "really sorry", "unfortunately", "sadly",
    "i'm afraid", "im afraid", "i think", "i guess", "i believe", "hi", "hello", "hey", "dear", "thanks",
    "thank you", "all", "everyone", "this time", "this week", "tomorrow", "really", "but", "so", "though",
    "no problem", "no worries", "to the meeting", "the meeting", "for the meeting", "meeting", "toplanti",
), key=len, reverse=True)
_HEDGE = re.compile(r"\b(?:" + "|".join(re.escape(h) for h in _HEDGES) + r")\b")
# Regret: a text of nothing but these (and politeness) is most likely a "no" — asked, not guessed.
_REGRET = re.compile(r"\b(?:maalesef|malesef|malasef|maalasef|ne yazik|uzgunum|kusura bakma|ozur|affedersiniz|"
                     r"affedin|sorry|unfortunately|sadly|afraid)")
# A yes read with one of these is a maybe ("inşallah gelirim", "probably").
_DOUBT = frozenset({"insallah", "muhtemelen", "umarim", "probably", "hopefully", "likely"})
_QUESTION = frozenset({"mi", "mu", "misin", "misiniz", "miyiz", "miyim", "musun", "musunuz", "muyuz",
                       "muyum", "mii", "nasil", "ne", "neden", "kim", "hangi", "nerede", "ne zaman",
                       "when", "where", "what", "why", "who", "how", "do", "does", "is", "are"})

# Verbs of attending, folded stems: join, come, make it in time, be present.
_STEMS = ("katil", "gel", "yetis", "bulun", "ugra")
# After a stem: first-person endings (singular and plural, written and colloquial).
_YES_ENDINGS = frozenset({
    "iyorum", "iyoruz", "uyorum", "uyoruz", "irim", "iriz", "urum", "uruz", "arim", "ecegim", "ecegiz", "acagim",
    "acagiz", "icem", "icam", "ucam", "cem", "cam", "ecem", "acam", "ebilirim", "ebiliriz", "abilirim",
    "abiliriz", "ebilecegim", "abilecegim", "dim", "dik", "tim",
})
_NO_ENDINGS = frozenset({
    "emiyorum", "amiyorum", "emiyoruz", "amiyoruz", "emem", "amam", "emeyiz", "amayiz", "emeyecegim",
    "amayacagim", "emeyecegiz", "amayacagiz", "emicem", "amicam", "emiycem", "amiycam", "emeycem", "amaycam",
    "emedim", "amadim", "emeyecem", "amayacam", "miyorum", "miyoruz", "muyorum", "muyoruz", "mem", "mam",
    "meyiz", "mayiz", "meyecegim", "mayacagim", "meyecegiz", "mayacagiz", "micem", "micam", "mucam",
    "meycem", "maycam", "meyecem", "mayacam", "medim", "madim",
})
_MAYBE_ENDINGS = frozenset({"emeyebilirim", "amayabilirim", "meyebilirim", "mayabilirim", "emeyebiliriz",
                            "amayabiliriz", "meyebiliriz", "mayabiliriz"})
# `orada olacağım`: "be there" is `ol` after `orada`.
_THERE = frozenset({"orada", "orda", "there"})
_BE_YES = frozenset({"olacagim", "olacagiz", "olurum", "oluruz", "olicam", "olcam", "olucam"})
_BE_NO = frozenset({"olamayacagim", "olamayacagiz", "olamam", "olamayiz", "olmayacagim", "olmayacagiz",
                    "olmam", "olamicam", "olmicam", "olamiycam"})

_TR_WORDS = {
    **dict.fromkeys(("evet", "tabii", "tabi", "tabiki", "elbette", "kesinlikle", "varim", "variz", "musaitim",
                     "uygunum", "geliyoz", "katiliyoz"), "yes"),
    **dict.fromkeys(("hayir", "yokum", "yokuz", "hastayim", "rahatsizim", "izinliyim", "izindeyim",
                     "disindayim", "yurtdisindayim", "memlekettayim"), "no"),
    **dict.fromkeys(("belki", "bilmiyorum", "bilemiyorum", "bakacagim", "bakarim", "bakicam", "dusunecegim",
                     "kararsizim"), "maybe"),
}
_TR_PHRASES = (
    (re.compile(r"\b(?:emin|kesin) degil(?:im|iz)?\b|\bduruma gore\b|\bhenuz bilmiyorum\b|\bbelli degil\b|"
                r"\bsoz veremem\b|\bcalisacagim\b|\bdeneyecegim\b"), "maybe"),
    (re.compile(r"\b(?:musait|uygun|orada|burada) degil(?:im|iz)\b|\bisim var\b|\bisim cikti\b|"
                r"\bmazeretim var\b|\braporluyum\b|\bsehir disindayim\b|\bgelmek isterdim\b|\bkatilmak isterdim\b|"
                r"\bimkanim yok\b|\bmumkun degil\b|\bmumkun olmayacak\b"), "no"),
    (re.compile(r"\bgeliyorum\b|\bkatilim saglayacagim\b|\bsayin beni\b|\bbeni de say(?:in)?\b"), "yes"),
)
_EN_PHRASES = (
    (re.compile(r"\b(?:not (?:sure|certain)|unsure|might not|may not|maybe|perhaps|possibly|might|depends|"
                r"i'?ll try|will try|try to|tentative(?:ly)?|don'?t know(?: yet)?|do not know|not decided)\b"),
     "maybe"),
    (re.compile(r"\b(?:can'?t|cannot|can not|won'?t|wont|will not|unable|not able|couldn'?t|could not|"
                r"not (?:coming|attending|going|joining|make it|be there|available)|count me out|i'?m out|"
                r"don'?t think so|do not think so|probably not|no|nope|nah|not)\b"), "no"),
    (re.compile(r"\b(?:yes|yeah|yep|yup|sure|of course|definitely|absolutely|certainly|will be there|"
                r"i'?ll be there|i'?ll make it|can make it|count me in|i'?m in|see you(?: there)?|attending|"
                r"coming|i'?ll come|will come|can come|i'?ll attend|will attend|can attend|i'?ll join|will join|"
                r"can join|i'?m available|available|i think so)\b"), "yes"),
)
_NOISE = re.compile(r"[^\w' ]+")
MAX_WORDS = 25


@dataclass(frozen=True)
class Reading:
    """What a typed text answers: `answer` ("yes", "no", "maybe" or None) and whether it
    `plausible`-ly meant to answer (an RSVP verb or word was there) when `answer` is None."""

    answer: str | None
    plausible: bool = False


def _verb(word: str, previous: str) -> str | None:
    """The answer one folded word carries as a verb of attending, or None."""
    if previous in _THERE:
        if word in _BE_YES:
            return "yes"
        if word in _BE_NO:
            return "no"
    for stem in _STEMS:
        if word.startswith(stem):
            ending = word[len(stem):]
            if ending in _MAYBE_ENDINGS:
                return "maybe"
            if ending in _NO_ENDINGS:
                return "no"
            if ending in _YES_ENDINGS:
                return "yes"
    return None


def _looks_like_rsvp(word: str) -> bool:
    """A verb of attending in the first person (`katılırımm`, `gelemiycemm`...) or an answer word."""
    return (any(word.startswith(stem) for stem in _STEMS) and word.endswith(("m", "z"))) or word in _TR_WORDS


def read_answer(text: str) -> Reading:
    """yes / no / maybe in `text` (Turkish or English, any case, with or without Turkish
    letters, emoji and punctuation); see the module's docstring. Examples:
    `Maalesef katılamayacağım` → no; `galiba gelemeyeceğim, kusura bakmayın` → no;
    `Evet, orada olacağım` → yes; `belki geç gelirim` → maybe; `sorry, I can't make it` → no;
    `I'll be there` → yes; `probably not` → no; `gelecek toplantı ne zaman?` → None."""
    if "?" in text:
        return Reading(None)
    words_text = " ".join(_NOISE.sub(" ", fold(text).replace("’", "'").replace("`", "'")).split())
    if not words_text or len(words_text.split()) > MAX_WORDS:
        return Reading(None)
    words = words_text.split()
    if any(word in _QUESTION for word in words[1:]) and not re.search(r"\b(?:i|we)\b", words_text):
        return Reading(None)  # `gelecek misiniz`, `katılacak mı`: a question, not an answer
    found: set[str] = set()
    for pattern, answer in _TR_PHRASES:
        if pattern.search(words_text):
            found.add(answer)
    if not found:
        for previous, word in zip(["", *words], words):
            answer = _verb(word, previous) or _TR_WORDS.get(word)
            if answer is not None:
                found.add(answer)
    doubt = any(word in _DOUBT for word in words)
    if not found:
        english = re.sub(r"\bno (?:problem|worries)\b", " ", words_text)
        for pattern, answer in _EN_PHRASES:
            if pattern.search(english):
                found.add(answer)
                break
    # An RSVP verb or word, or a regret with nothing but politeness around it (`maalesef...`,
    # `sorry!`): meant as an answer. `teşekkürler` or `merhaba` alone are not.
    plausible = any(_looks_like_rsvp(word) for word in words) or (
        bool(_REGRET.search(words_text)) and not _HEDGE.sub(" ", words_text).split())
    if not found:
        return Reading(None, plausible=plausible or doubt)
    if "maybe" in found:
        return Reading("maybe")
    if found == {"yes", "no"}:
        # `hayır, geleceğim` or `evet ama gelemem`: the verb decides when there is exactly one
        verbs = {answer for previous, word in zip(["", *words], words)
                 if (answer := _verb(word, previous)) is not None}
        if len(verbs) == 1:
            found = verbs
        else:
            return Reading(None, plausible=True)
    answer = next(iter(found))
    if answer == "yes" and doubt:
        return Reading("maybe")
    return Reading(answer)


def without_hedges(text: str) -> str:
    """`text` folded, punctuation and politeness/hedge words removed: `Maalesef yok, kusura
    bakmayın` → `yok`; `Evet galiba` → `evet`."""
    words = " ".join(_NOISE.sub(" ", fold(text).replace("’", "'")).split())
    return " ".join(_HEDGE.sub(" ", words).split())


def leaning(text: str, yes: frozenset[str] = frozenset(), no: frozenset[str] = frozenset()) -> str | None:
    """"yes" / "no" for a typed confirmation or refusal read the same way (`evet, doğru`,
    `maalesef hayır`, `sure`, `no thanks`); with `yes` / `no` word sets (folded), also a text
    that is one of them once hedges are set aside (`yok maalesef` for a survey's "yok").
    None otherwise (a maybe counts as neither)."""
    core = without_hedges(text)
    if core and core in yes:
        return "yes"
    if core and core in no:
        return "no"
    answer = read_answer(text).answer
    return answer if answer in ("yes", "no") else None
