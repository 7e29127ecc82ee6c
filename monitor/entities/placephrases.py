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
from collections.abc import Container, Mapping
from dataclasses import dataclass

from monitor.entities.gazetteer import phrase_head, phrase_opening, place_key
from monitor.entities.placenames import (
    CAPITAL_LETTERS,
    INFLECTING_LANGUAGES,
    MAX_TEXT_CHARS,
    Candidate,
    starts_sentence,
)

__all__ = ["PhraseStarts", "phrase_candidates", "phrase_starts", "word_fits"]

MAX_NAME_ENDING = 3
MAX_TEXT_ENDING = 4
_MIN_SHARED = 3
_SHORT_WORD = 3
_MAX_PHRASE_WORDS = 6
# A word (with its apostrophes: d'Ivoire, Обʼєднані); words of one name are joined by one
# space or hyphen (États-Unis, Saudi-Arabien).
_WORD = re.compile(r"[^\W\d_]+(?:['’ʼ][^\W\d_]+)*")
_JOINS = frozenset({" ", "-", "\u00a0", "\u2010"})
# A capitalised word followed by a joined word: where a name of several words may start (only
# these are read, not every word of the text). Not inside a word: the capital, then the look
# back at it and the letter before it (a pattern that opens with a class skips to the next
# capital at once: four times faster than a look back first).
_START = re.compile(
    rf"[{CAPITAL_LETTERS}](?<![^\W\d_'’ʼ][{CAPITAL_LETTERS}])[^\W\d_]*(?:['’ʼ][^\W\d_]+)*"
    r"(?=[ \-\u00a0\u2010][^\W\d_])"
)


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


@dataclass(frozen=True, slots=True)
class PhraseStarts:
    """Where in a text a name of several words may start: (offset, head) of each capitalised
    word followed by a joined word; read once, for the gazetteer's heads and the candidates."""

    text: str
    starts: tuple[tuple[int, str], ...]

    @property
    def heads(self) -> set[str]:
        """The heads to ask the gazetteer for (`Gazetteer.phrases`)."""
        return {head for _, head in self.starts}


def phrase_starts(text: str, openings: Container[str] | None = None) -> PhraseStarts:
    """The places where a name of several words may start in `text` (its first MAX_TEXT_CHARS);
    with `openings` (`Gazetteer.phrase_openings`), only where a word opens as some name does."""
    text = text[:MAX_TEXT_CHARS]
    starts = []
    for first in _START.finditer(text):
        first_key = place_key(first.group())
        if openings is not None and phrase_opening(first_key) not in openings:
            continue  # (most words: The, He)
        second = _WORD.match(text, first.end() + 1)
        if second is not None:
            starts.append((first.start(), phrase_head(first_key, place_key(second.group()))))
    return PhraseStarts(text, tuple(starts))


def _joined_words(text: str, start: int, most: int) -> list[re.Match[str]]:
    """The words of `text` from `start` joined by one space or hyphen each, `most` at most."""
    words: list[re.Match[str]] = []
    at = start
    while len(words) < most:
        word = _WORD.match(text, at)
        if word is None:
            break
        words.append(word)
        if text[word.end():word.end() + 1] not in _JOINS:
            break
        at = word.end() + 1
    return words


def _fits(word: str, name_key: str, inflect_latin: bool) -> bool:
    key = place_key(word)
    if inflect_latin or "\u0400" <= word[:1].casefold() <= "\u04ff":
        return word_fits(key, name_key)
    return key == name_key


def phrase_candidates(
    read: PhraseStarts, phrases: Mapping[str, tuple[str, ...]], language: str | None = None, offset: int = 0
) -> list[Candidate]:
    """Spans of the text that are forms of the countries' names in `phrases` (head -> keys),
    the longest at each start; each with its own key then the name's."""
    text = read.text
    inflect_latin = language in INFLECTING_LANGUAGES
    candidates: list[Candidate] = []
    for start, head in read.starts:
        names = [key.split(" ") for key in phrases.get(head, ())]
        if not names:
            continue
        words = _joined_words(text, start, min(_MAX_PHRASE_WORDS, max(len(n) for n in names)))
        best: list[str] = []
        for name_words in names:
            if len(best) < len(name_words) <= len(words) and all(
                    _fits(w.group(), n, inflect_latin) for w, n in zip(words, name_words, strict=False)):
                best = name_words
        if not best:
            continue
        end = words[len(best) - 1].end()
        candidates.append(Candidate(
            start=offset + start, end=offset + end, text=text[start:end],
            keys=tuple(dict.fromkeys((place_key(text[start:end]), " ".join(best)))), words=len(best),
            sentence_initial=starts_sentence(text, start),
            cased=True, previous_word="", next_word="",
            after_comma=text[max(0, start - 2):start] == ", "))
    return candidates
