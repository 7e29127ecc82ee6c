"""Countries' names in several words, in whatever case their words take (pure).

Inflecting languages give each word of a country's name its own ending: Соединённые Штаты is
written `в Соединенных Штатах`, `Соединенных Штатов`; Stany Zjednoczone `Stanów
Zjednoczonych`; Spojené státy `ve Spojených státech`, and some of these languages write the
name's later words in lower case. `placenames` reads capitalised words and stems a span's last
word only, so these forms are read here: a span of words, its first capitalised, whose words
each fit a word of a country's name (the gazetteer's `phrase` keys, found by the first
letters of their first two words, `gazetteer.phrase_head`), becomes a candidate with the
name's own key, which the gazetteer knows.

A word fits a name's word when they are the same, or, in a word that inflects (Cyrillic, or
Latin in a language that inflects names, as `placenames` stems them), when, both longer than 3
letters, they share all of the name's word but its last MAX_NAME_ENDING letters (3 at least),
and the text's word adds at most MAX_TEXT_ENDING more: `штатах`, `штаты`; `южную`, `южная`;
`zjednoczonych`, `zjednoczone`. Short words (of, и, and, da) fit only themselves; in English
every word must be the name's own (I believe is not Belize).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from itertools import pairwise

from monitor.entities.gazetteer import phrase_head, place_key
from monitor.entities.placenames import INFLECTING_LANGUAGES, MAX_TEXT_CHARS, Candidate, starts_sentence

__all__ = ["phrase_candidates", "phrase_heads", "word_fits"]

MAX_NAME_ENDING = 3
MAX_TEXT_ENDING = 4
_MIN_SHARED = 3
_SHORT_WORD = 3
_MAX_PHRASE_WORDS = 6
# A word (with its apostrophes: d'Ivoire, Обʼєднані); words of one name are joined by one
# space or hyphen (États-Unis, Saudi-Arabien).
_WORD = re.compile(r"[^\W\d_]+(?:['’ʼ][^\W\d_]+)*")
_JOINS = frozenset({" ", "-", "\u00a0", "\u2010"})


def word_fits(text_key: str, name_key: str) -> bool:
    """Whether a word of the text (its `place_key`) is a form of a word of a name (see the
    module)."""
    if text_key == name_key:
        return True
    if len(name_key) <= _SHORT_WORD or len(text_key) <= _SHORT_WORD:
        return False
    shared = next((i for i, (a, b) in enumerate(zip(text_key, name_key, strict=False)) if a != b),
                  min(len(text_key), len(name_key)))
    return (shared >= max(_MIN_SHARED, len(name_key) - MAX_NAME_ENDING)
            and len(text_key) - shared <= MAX_TEXT_ENDING)


def _words(text: str) -> list[re.Match[str]]:
    return list(_WORD.finditer(text[:MAX_TEXT_CHARS]))


def _starts(text: str, words: list[re.Match[str]]) -> list[tuple[int, str]]:
    """(index, head) of each capitalised word followed by a word of the same name."""
    found = []
    for index, (first, second) in enumerate(pairwise(words)):
        if first.group()[:1].isupper() and text[first.end():second.start()] in _JOINS:
            found.append((index, phrase_head(place_key(first.group()), place_key(second.group()))))
    return found


def phrase_heads(text: str) -> set[str]:
    """The heads to ask the gazetteer for (`Gazetteer.phrases`)."""
    return {head for _, head in _starts(text, _words(text))}


def _fits(word: str, name_key: str, inflect_latin: bool) -> bool:
    key = place_key(word)
    if inflect_latin or "\u0400" <= word[:1].casefold() <= "\u04ff":
        return word_fits(key, name_key)
    return key == name_key


def phrase_candidates(
    text: str, phrases: Mapping[str, tuple[str, ...]], language: str | None = None, offset: int = 0
) -> list[Candidate]:
    """Spans of `text` that are forms of the countries' names in `phrases` (head -> keys),
    the longest at each start; each with its own key then the name's."""
    words = _words(text)
    inflect_latin = language in INFLECTING_LANGUAGES
    candidates: list[Candidate] = []
    for index, head in _starts(text, words):
        best: tuple[int, str] | None = None
        for key in phrases.get(head, ()):
            name_words = key.split(" ")
            last = index + len(name_words) - 1
            if len(name_words) > _MAX_PHRASE_WORDS or last >= len(words) or (
                    best is not None and len(name_words) <= best[0]):
                continue
            span = words[index:last + 1]
            if all(text[a.end():b.start()] in _JOINS for a, b in pairwise(span)) and all(
                    _fits(w.group(), n, inflect_latin) for w, n in zip(span, name_words, strict=True)):
                best = (len(name_words), key)
        if best is None:
            continue
        start, end = words[index].start(), words[index + best[0] - 1].end()
        candidates.append(Candidate(
            start=offset + start, end=offset + end, text=text[start:end],
            keys=tuple(dict.fromkeys((place_key(text[start:end]), best[1]))), words=best[0],
            sentence_initial=starts_sentence(text, start),
            cased=True, previous_word="", next_word="",
            after_comma=text[max(0, start - 2):start] == ", "))
    return candidates
