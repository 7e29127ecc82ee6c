"""Language-independent evidence that two articles report the same event.

Names and numbers survive translation better than any other words: `Путин`, `Putin` and
`Putina` (Czech genitive) are one person, `2,6 %` and `2.6 percent` one figure. This module
pulls proper-noun-ish tokens and numbers out of a title and text, and reduces each to a
short *key* that different spellings of the same name tend to share:

- transliterate to ASCII (anyascii), casefold, keep letters;
- keep the first letter, drop the later vowels, merge consonants that spellings swap
  (c/k/q, v/w, z/s, ...), and keep the first four letters of that skeleton.

So `Moscow`, `Moscou` and `Москва` all give `msk`…, and inflected forms share the stem. The
keys are evidence, not identities: collisions happen, which is why the story decision weighs
them next to the similarity of the texts instead of trusting them alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from anyascii import anyascii

__all__ = [
    "NAME_PREFIX",
    "PLACE_PREFIX",
    "evidence_keys",
    "extract_evidence",
    "extract_keys",
    "extract_names",
    "name_key",
    "number_key",
]

PLACE_PREFIX = "@"
"""Keys of places: '@' and a GeoNames id, or '@' and an ISO 3166-1 alpha-2 country."""
NAME_PREFIX = "="
"""Keys of names: '=' and the entity key of `monitor.entities.names` (one person in every
script and inflection)."""

# A word: letters (any script) possibly joined by an apostrophe or hyphen. It is capitalized
# when `word[0].istitle()`: for one character, uppercase or titlecase (Lt, as the digraph `ǅ`).
_WORD = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
# A number: digits with optional grouping or decimal separators (1,000 / 1.000 / 1 000 / 2,6).
# That is `(?<![\w.,])\d{1,3}(?:[ \u00a0\u202f.,]\d{3})+(?:[.,]\d+)?(?![\w])|\d+(?:[.,]\d+)?`
# with the first digit taken out in front: a pattern that starts with a character class lets
# the regex engine jump from digit to digit instead of trying every position.
_NUMBER = re.compile(
    r"\d(?:(?<![\w.,]\d)\d{0,2}(?:[ \u00a0\u202f.,]\d{3})+(?:[.,]\d+)?(?![\w])|\d*(?:[.,]\d+)?)"
)
_ANY_DIGIT = re.compile(r"\d")
_GROUPED = re.compile(r"\d{1,3}(?:[ .,]\d{3})+(?:[.,]\d+)?")
_GROUP_SEPARATOR = re.compile(r"[ .,]")
# Sentence boundary: what ends a sentence, then whitespace; or line breaks. (That is
# `(?<=[.!?。！？…:;])\s+|\n+`, starting with its first character for speed, as above.)
_SENTENCE_END = re.compile(r"\s(?:(?<=[.!?。！？…:;]\s)\s*|(?<=\n)\n*)")
_VOWELS = frozenset("aeiouy")
# Letters that different transliterations and languages swap for one sound.
_CONSONANT_CLASS = str.maketrans({"c": "k", "q": "k", "w": "v", "z": "s", "x": "s", "j": "i"})
_MAX_TEXT_WORDS = 200
_KEY_LETTERS = 4


@lru_cache(maxsize=4096)
def name_key(word: str) -> str | None:
    """Reduce a name to a spelling-tolerant key, or None when too short to mean anything.

    >>> name_key("Путин") == name_key("Putin") == name_key("Putina")
    True
    """
    ascii_word = anyascii(word).casefold()
    letters = "".join(ch for ch in ascii_word if "a" <= ch <= "z")
    if len(letters) < 3:
        return None
    letters = letters.replace("ph", "f").replace("th", "t").replace("ck", "k").replace("sch", "s")
    letters = letters.replace("sh", "s").replace("ch", "k").replace("kh", "k").replace("gh", "g")
    letters = letters.translate(_CONSONANT_CLASS)
    skeleton = [letters[0]]
    for ch in letters[1:]:
        if ch in _VOWELS or ch == "i":
            continue
        if ch != skeleton[-1]:  # doubled consonants are a spelling habit, not a sound
            skeleton.append(ch)
    key = "".join(skeleton)
    if len(key) < 3:
        # Vowel-heavy short names (Iowa, Ohio): fall back on the plain letters.
        key = letters[:_KEY_LETTERS]
    return key[:_KEY_LETTERS]


@lru_cache(maxsize=2048)
def number_key(raw: str) -> str | None:
    """Normalize a written number to a key (`1,000` = `1.000` = `1 000`; `2,6` = `2.6`).

    Single digits are dropped: they are too common to be evidence.
    """
    text = raw.replace("\u00a0", " ").replace("\u202f", " ")
    if not text.isascii():
        # Digits of any script read as one number: ٢٩ (Arabic-Indic), ۲۹ (Persian), २९ = 29.
        text = _ANY_DIGIT.sub(lambda digit: str(int(digit.group())), text)
    if _GROUPED.fullmatch(text):
        # Grouped thousands: the separators before three-digit groups are not decimals.
        groups = _GROUP_SEPARATOR.split(text)
        if len(groups) >= 2 and len(groups[-1]) != 3:
            integer, fraction = "".join(groups[:-1]), groups[-1]
        else:
            integer, fraction = "".join(groups), ""
    elif "," in text or "." in text:
        integer, _, fraction = text.replace(",", ".").partition(".")
    else:
        integer, fraction = text, ""
    integer = integer.lstrip("0") or "0"
    fraction = fraction.rstrip("0")
    if not fraction and len(integer) < 2:
        return None
    return "#" + integer + ("." + fraction if fraction else "")


def _title_names(title: str) -> list[str]:
    words = _WORD.findall(title)
    if not words:
        return []
    capitalized = [w for w in words[1:] if w[0].istitle()]
    # An English Title Case headline capitalizes every word: then only acronyms are names.
    if len(words) > 3 and len(capitalized) > 0.6 * (len(words) - 1):
        return [w for w in capitalized if w.isupper() and len(w) >= 2]
    return capitalized


def _lead(text: str | None) -> str:
    """The first `_MAX_TEXT_WORDS` words of a text, single-spaced."""
    # With maxsplit the words before the unsplit rest are those of a full split.
    return " ".join((text or "").split(None, _MAX_TEXT_WORDS)[:_MAX_TEXT_WORDS])


def _names(title: str | None, body: str) -> dict[str, str]:
    words: list[str] = list(_title_names(title or ""))
    for sentence in _SENTENCE_END.split(body):
        # The first word is skipped: it is capitalized because it starts a sentence.
        words.extend([w for w in _WORD.findall(sentence)[1:] if len(w) >= 2 and w[0].istitle()])
    names: dict[str, str] = {}
    for word in words:
        key = name_key(word)
        if key is not None:
            names.setdefault(key, word)
    return names


def extract_names(title: str | None, text: str | None) -> dict[str, str]:
    """Name keys found in a title and the start of its text, each with its first spelling."""
    return _names(title, _lead(text))


def extract_evidence(title: str | None, text: str | None) -> tuple[dict[str, str], frozenset[str]]:
    """`extract_names` and `extract_keys` of one article, reading its text once."""
    body = _lead(text)
    names = _names(title, body)
    keys = set(names)
    for source in (title or "", body):
        for match in _NUMBER.finditer(source):
            number = number_key(match.group(0))
            if number is not None:
                keys.add(number)
    return names, frozenset(keys)


def extract_keys(title: str | None, text: str | None) -> frozenset[str]:
    """Name keys and number keys (prefixed `#`) found in a title and the start of its text."""
    return extract_evidence(title, text)[1]


def evidence_keys(
    places: Iterable[Mapping[str, Any]] = (), names: Iterable[Mapping[str, Any]] = ()
) -> dict[str, str]:
    """Keys of an article's places and names as the entities stages stored them (places:
    {geonameid, name, country}; names: {key, name}), each with what people read for it:
    {'@1168197': 'Peshawar', '@PK': 'Pakistan', '=putin': 'Vladimir Putin'}. A city gives
    its own key and its country's: two reports that name Peshawar share both, one that says
    Peshawar and one that says Pakistan share the country. A name spelt as one of the places
    is left to the place."""
    keys: dict[str, str] = {}
    for place in places:
        geonameid, country = place.get("geonameid"), str(place.get("country") or "").upper()
        if geonameid is not None:
            keys.setdefault(f"{PLACE_PREFIX}{int(geonameid)}", str(place.get("name") or geonameid))
        if len(country) == 2 and country.isascii() and country.isalpha():
            keys.setdefault(f"{PLACE_PREFIX}{country}", _country_name(country))
    # The names stage reads place names as names too: a name that is one of the places is
    # counted (and shown) once, as the place.
    place_names = {label.casefold() for key, label in keys.items()}
    for name in names:
        key, label = str(name.get("key") or ""), str(name.get("name") or name.get("key") or "")
        if key and label.casefold() not in place_names:
            keys.setdefault(f"{NAME_PREFIX}{key}", label)
    return keys


@lru_cache(maxsize=512)
def _country_name(code: str) -> str:
    """A country's English name from its ISO 3166-1 alpha-2 code (the code when unknown)."""
    import pycountry  # loads its catalogue at first use (0.15 s): not for every import

    country = pycountry.countries.get(alpha_2=code)
    return str(getattr(country, "name", code)) if country is not None else code
