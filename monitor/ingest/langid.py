"""Language identification for entries that declare none (py3langid, bundled model)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

MIN_CHARS = 12
SAMPLE_CHARS = 1000
MIN_CONFIDENCE = 0.5
# The model also knows varieties with no ISO 639-1 code: report their macrolanguage, and
# nothing for the rest ('zxx' is "no linguistic content").
_TO_ISO_639_1 = {"wuu": "zh", "yue": "zh", "arz": "ar", "ary": "ar", "gug": "gn", "uzs": "uz", "sdh": "ku"}


def _has_letters(text: str, count: int) -> bool:
    """Does `text` hold at least `count` letters? Stops counting as soon as it does."""
    for ch in text:
        if ch.isalpha():
            count -= 1
            if count <= 0:
                return True
    return count <= 0


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when too short or unsure.

    Only the first SAMPLE_CHARS characters are looked at: more adds time, not accuracy,
    and an article may hold 100,000.
    """
    sample = " ".join(text[: 4 * SAMPLE_CHARS].split())[:SAMPLE_CHARS]
    if not _has_letters(sample, MIN_CHARS):
        return None
    code, confidence = _identifier().classify(sample)
    if confidence < MIN_CONFIDENCE:
        return None
    code = _TO_ISO_639_1.get(str(code), str(code))
    return code if len(code) == 2 else None


def language_confidence(text: str) -> float:
    """How sure the model is of the language of `text` (0 to 1), whatever the language: a
    text decoded with the wrong character set reads as no language in particular."""
    sample = " ".join(text[: 4 * SAMPLE_CHARS].split())[:SAMPLE_CHARS]
    if not _has_letters(sample, MIN_CHARS):
        return 0.0
    return float(_identifier().classify(sample)[1])
