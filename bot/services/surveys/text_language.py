"""Which language a form's texts are written in, when the form does not say.

An XLSForm with a plain `label` column (no `label::English (en)`) and no `default_language`
setting is stored under the importing group's language, so a Kobo tutorial in English sits
under `tr` in a Turkish group. Exporting it back must not call English text Turkish: the
texts' language is detected with langdetect (a port of Google's language-detection,
https://pypi.org/project/langdetect/), seeded so the answer is the same every run.
"""

from __future__ import annotations

from collections.abc import Iterable

from langdetect import DetectorFactory, LangDetectException, detect_langs

DetectorFactory.seed = 0  # langdetect samples at random; a fixed seed makes it deterministic

MIN_LETTERS = 12  # fewer letters than this ("Gender", "form") say nothing reliable
MIN_PROBABILITY = 0.8
PRODUCT_LANGUAGES = ("tr", "en")


def detected_language(texts: Iterable[str]) -> str | None:
    """The ISO 639-1 code (`"en"`, `"tr"`, …) the texts, read together, are written in; None
    when they are too short or the detector is unsure (probability < 0.8)."""
    joined = " . ".join(text for text in texts if text and text.strip())
    if sum(ch.isalpha() for ch in joined) < MIN_LETTERS:
        return None
    try:
        best = detect_langs(joined)[0]
    except LangDetectException:
        return None
    code = best.lang.split("-")[0]
    if code in PRODUCT_LANGUAGES:
        return code if best.prob >= MIN_PROBABILITY else None
    # Another language only when the detector is all but certain on a longer text (a short
    # Turkish form must not turn Azerbaijani).
    return code if best.prob >= 0.99 and sum(ch.isalpha() for ch in joined) >= 80 else None
