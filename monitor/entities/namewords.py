"""A text's words as the names recogniser reads them (monitor.entities.names): the words and
the gaps between them, the tokens that may be a name's (capitalised words and the particles
of names), each knowing whether a sentence opens with it, and their runs. Pure: a text in.

A point ends a sentence, but not after a form of address written short (`Mr. Johnson`,
French `M. Romney`) nor after the initial inside a name (`George W. Bush`, read as one run).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from monitor.entities.forms import name_form

__all__ = [
    "MAX_WORD", "PARTICLES", "SHORT_ADDRESS", "TOKEN", "WORD_SPLIT", "Read", "Token", "capitalised_word",
    "opens_sentence", "plain_word", "read_words",
]

# A word: letters, maybe joined by hyphens and apostrophes (`al-Assad`, `O'Leary`, `Farage'a`).
TOKEN = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_APOSTROPHE_ENDING = re.compile(r"['’]([^\W\d_]{1,4})$")
_SENTENCE_END = re.compile(r"[.!?…:;\n\"«»„“”()\[\]]")

MAX_WORD = 40  # letters in one word of a name

# Particles inside names: kept between capitalised words, never at a name's edge.
PARTICLES = frozenset(
    {"of", "de", "del", "della", "des", "di", "da", "do", "dos", "du", "van", "von", "der", "den"}
    | {"ter", "al", "el", "bin", "ibn", "bint", "ul", "ur", "e", "y", "la", "le"}
)
# A word's first two characters when it may be a particle with an ending or one joined to a
# name (`al-Assad`, `de'`): the words looked at besides the capitalised ones and the particles.
_PARTICLE_STARTS = frozenset(p[:2] if len(p) > 1 else p + c for p in PARTICLES for c in ("", "-", "'", "’"))


class Token(NamedTuple):  # a tuple: made for every capitalised word of every article, cheaply
    text: str  # the word, without an apostrophe's ending
    sentence_start: bool
    capitalised: bool
    form: str  # name_form(text)
    joined: bool  # right after the text's word before, itself a token, a space between: a run goes on
    at: int  # its place among the text's words (Read.words)


class Read(NamedTuple):
    """A text's words as written, what stands before each (`gaps`; one more: what follows the
    last), its tokens (the words that may be a name's: capitalised ones and particles), and
    their runs (capitalised words joined by spaces, and particles, at neither edge)."""

    words: list[str]
    gaps: list[str]
    tokens: list[Token]
    runs: list[list[Token]]


WORD_SPLIT = re.compile(f"({TOKEN.pattern})")  # the gaps and the words, in turn


def read_words(text: str) -> Read:
    """A text's words, and its tokens, each knowing whether a sentence opens with it, in runs.
    The words are cut by one regex split; only those that start with a capital or as a
    particle are looked at one by one (most words of a text: a run's end, the gap before the
    next token shows it)."""
    parts = WORD_SPLIT.split(text)
    words, gaps = parts[1::2], parts[0::2]
    tokens = []
    runs: list[list[Token]] = []
    current: list[Token] = []
    make = tuple.__new__  # a Token without the named tuple's Python-level constructor
    kept = -2  # the last token's index, when written without an ending
    for index in [i for i, w in enumerate(words)
                  if w[0].isupper() or w in PARTICLES or (not w.isalpha() and w[:2] in _PARTICLE_STARTS)]:
        whole = words[index]
        word = plain_word(whole) if "'" in whole or "’" in whole else whole
        capitalised = word[0].isupper() or ("-" in word and capitalised_word(word))
        if not capitalised and word not in PARTICLES:
            continue
        gap = gaps[index]
        joined = kept == index - 1 and (
            gap in (" ", "\xa0") or (gap in _POINT and _initial(gaps, index - 1, words))  # `W. Bush`
        )
        opening = not joined and opens_sentence(gaps, index, words)
        token = make(Token, (word, opening, capitalised, name_form(word), joined, index))
        tokens.append(token)
        kept = index if word is whole else -2
        # A run goes on with a token joined to it, capitalised or a particle; a word too long
        # for a name ends it.
        if joined and len(word) <= MAX_WORD and (capitalised or (current and word in PARTICLES)):
            current.append(token)
            continue
        if current:
            runs.append(current)
        current = [token] if capitalised and len(word) <= MAX_WORD else []
    if current:
        runs.append(current)
    return Read(words, gaps, tokens, [run for run in map(_without_last_particles, runs) if run])


def _without_last_particles(run: list[Token]) -> list[Token]:
    while run and run[-1].text in PARTICLES:
        run = run[:-1]
    return run


def plain_word(whole: str) -> str:
    """A word without an apostrophe's ending in lower case (`Farage'a`, `Putin's`, `Erdoğan'ın`)."""
    if "'" in whole or "’" in whole:
        ending = _APOSTROPHE_ENDING.search(whole)
        if ending is not None and ending.group(1).islower():
            return whole[: ending.start()]
    return whole


def opens_sentence(gaps: list[str], index: int, words: list[str]) -> bool:
    """Whether a sentence opens with the text's word `index`: its first, or a mark that ends
    one stands between it and the word before, but not the point of an abbreviation before a
    name (`Mr. Johnson`, French `M. Romney`; an initial inside a name, `George W. Bush`)."""
    if index == 0:
        return True
    gap = gaps[index]
    if gap == " " or _SENTENCE_END.search(gap) is None:
        return False
    return not (gap in _POINT and _abbreviation(gaps, index - 1, words))


_POINT = frozenset({". ", ".\xa0"})
# Forms of address written short, with a point (names.py counts them among its honorifics).
SHORT_ADDRESS = frozenset({"Mr", "Mrs", "Ms", "Mx", "Dr", "Prof", "Sr", "Sra", "Srta", "Sig", "M"})


def _abbreviation(gaps: list[str], at: int, words: list[str]) -> bool:
    """Whether the text's word `at`, a point after it, is a form of address or the initial of
    a name that a capitalised word starts (`George W.`; not `U.S.` nor `group D.`)."""
    return words[at] in SHORT_ADDRESS or _initial(gaps, at, words)


def _initial(gaps: list[str], at: int, words: list[str]) -> bool:
    """Whether the text's word `at` is one capital letter after a capitalised word, a space
    between (`George W`): with its point, a name goes on after it (`George W. Bush`)."""
    word = words[at]
    return (len(word) == 1 and word.isupper() and word not in SHORT_ADDRESS and at > 0 and gaps[at] == " "
            and words[at - 1][:1].isupper())  # fmt: skip


def capitalised_word(word: str) -> bool:
    """Capitalised, or a particle joined to a capitalised word (`al-Assad`)."""
    if not word:
        return False
    if word[0].isupper():
        return True
    particle, _, rest = word.partition("-")
    return particle in PARTICLES and rest[:1].isupper()
