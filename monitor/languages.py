"""Language names for people: the language codes monitor stores (ISO 639-1, or ISO 639-3
where a language has no two-letter code, with a subtag now and then), named in English (the
digest, the web pages)."""

from __future__ import annotations

from functools import lru_cache

LANGUAGE_NAMES = {
    "ar": "Arabic", "bg": "Bulgarian", "bn": "Bengali", "ca": "Catalan", "cs": "Czech", "da": "Danish",
    "de": "German", "el": "Greek", "en": "English", "es": "Spanish", "et": "Estonian", "fa": "Persian",
    "fi": "Finnish", "fr": "French", "he": "Hebrew", "hi": "Hindi", "hr": "Croatian", "hu": "Hungarian",
    "id": "Indonesian", "it": "Italian", "ja": "Japanese", "ko": "Korean", "lt": "Lithuanian",
    "lv": "Latvian", "ms": "Malay", "nl": "Dutch", "no": "Norwegian", "pl": "Polish", "pt": "Portuguese",
    "ro": "Romanian", "ru": "Russian", "sk": "Slovak", "sl": "Slovenian", "sr": "Serbian", "sv": "Swedish",
    "sw": "Swahili", "th": "Thai", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu", "vi": "Vietnamese",
    "zh": "Chinese", "und": "Unknown",
}  # fmt: skip


@lru_cache(maxsize=512)
def language_name(code: str | None) -> str:
    """'fr' -> 'French', 'ka' -> 'Georgian', 'be-tarask' -> 'Belarusian (tarask)'; a code
    that names no language stays as it is; no code is 'Unknown'."""
    if not code:
        return "Unknown"
    if code in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[code]
    primary, _, subtag = code.partition("-")
    name = LANGUAGE_NAMES.get(primary.casefold()) or _iso_639_name(primary.casefold())
    if name is None:
        return code
    return f"{name} ({subtag})" if subtag else name


def _iso_639_name(code: str) -> str | None:
    """The English name pycountry gives an ISO 639-1 or 639-3 code, without its
    "(macrolanguage)" mark; None for a code that is none."""
    if not (code.isascii() and code.isalpha() and len(code) in (2, 3)):
        return None
    import pycountry  # its language table is read at the first code outside LANGUAGE_NAMES

    found = pycountry.languages.get(**{"alpha_2" if len(code) == 2 else "alpha_3": code})
    if found is None:
        return None
    return str(found.name).removesuffix(" (macrolanguage)")
