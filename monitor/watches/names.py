"""Does a text mention a watched name? Pure: a name and a text in, yes or no.

A name matches where its words occur in the text one after the other, or where its last word
(the surname, of 3 letters or more) occurs alone: `Emmanuel Macron` is found in "Macron said".
Words are compared, never keys: `Putin` is not `Peyton`, `Biden` not `Baden`, `Anderson` not
`Anders`. What is tolerated is only what spelling and grammar change in the same word:

- case and accents (`MACRON`, `Mélenchon` = `Melenchon`); the word in the text is
  capitalized (or in a script without case): `bush fire` does not mention Bush;
- another alphabet, through anyascii: `Путин` = `Putin`, `Πούτιν` = `Putin`. Only alphabets
  that write their vowels are transliterated (Latin, Greek, Cyrillic, Armenian, Georgian):
  an abjad drops them (Arabic `ماسك`, Musk, becomes `msk`, as would Mask), and a syllabary or
  ideographs give syllables that are not the name's spelling, so those scripts match a name
  written in the same script only (ideographs and kana as a substring: no spaces there);
- the letters transliterations swap for one sound: c/k/q, ph/f, kh/h, w/v, y/i, ou/u, and
  doubled letters (`Makron` = `Macron`, `Zelenskiy` = `Zelensky`, `Асад` = `Assad`);
- a case ending on the last word, from a fixed list for the article's language (Slavic,
  Baltic, German and Nordic `s`, Finnish, Estonian), on a word of 4 letters or more
  (`Putina`, `Putinu`, `Путиным`, `Merkels`); after an apostrophe (`Farage'a`, `Putin's`,
  `Erdoğan'ın`) the word ends at the apostrophe, as the full-text index splits it.

This is the one place a watch's `names` are decided; a real entity recogniser can take its
place behind `NameText` and `mentions`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from anyascii import anyascii

__all__ = [
    "ALL_ENDINGS",
    "NameText",
    "WatchedName",
    "mentions",
    "name_form",
    "name_problem",
    "stems",
    "watched_name",
]

# A word: a run of letters, in any script. Apostrophes and hyphens split words (`al-Assad`,
# `Putin's`), as they split the full-text index's tokens.
_WORD = re.compile(r"[^\W\d_]+")
# Scripts written without spaces between words: a name there is found as a substring.
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
# Alphabets that write vowels, so that anyascii gives back the spelling of the name.
_TRANSLITERATED = (
    (0x0000, 0x024F),  # Latin, with its supplements and extensions
    (0x0370, 0x03FF),  # Greek
    (0x0400, 0x052F),  # Cyrillic
    (0x0530, 0x058F),  # Armenian
    (0x10A0, 0x10FF),  # Georgian
    (0x1E00, 0x1FFF),  # Latin Extended Additional, Greek Extended
)
# Digraphs that anyascii spells for one vowel (Greek ου, Armenian ու: u).
_BEFORE_ASCII = (("ου", "u"), ("ού", "u"), ("ու", "u"))
_SWAPPED = (("kh", "h"), ("ph", "f"), ("ck", "k"), ("ou", "u"))
_ONE_SOUND = str.maketrans({"c": "k", "q": "k", "w": "v", "y": "i"})
# Case endings that may follow a name's last word in an article of the language, as they are
# written (then normalized as the words are). Derivational endings that make another name
# (-ov, -ova, -in, -ich, -son) are not case endings and are not here: Ivan is not Ivanov. In
# an article of another language (English, French…) only the word itself counts: there
# `Paula` is not a form of Paul. An article of unknown language takes the Slavic ones and `s`.
_SLAVIC = (
    "а у ю я е ё и і ї ы ом ем ём ой ей ою ею ым им ого его ому ему ых их ах ях ами ями ам ям "
    "ові еві ій ий "
    "a u e i y ą ę é á í ý ě om em ou ie ego emu ym im ach ami am owi ovi"
)
_ENDINGS_WRITTEN = {
    **dict.fromkeys(("ru", "uk", "be", "bg", "mk", "sr", "hr", "bs", "sl", "cs", "sk", "pl"), _SLAVIC),
    **dict.fromkeys(("lt", "lv"), "a u e o s as ui ą ų am"),
    **dict.fromkeys(("de", "sv", "da", "no", "nb", "nn"), "s"),  # Merkels, Putins
    "fi": "a ia n in lle lla sta ssa ille ista issa",
    "et": "i ile iga is ist",
}
_MIN_STEM = 4  # a word this long or longer may carry an ending
_MIN_SURNAME = 3  # a last word this long or longer is found alone
_MIN_LETTERS = 3  # a name with fewer letters is refused


def _transliterable(word: str) -> bool:
    return all(any(low <= ord(ch) <= high for low, high in _TRANSLITERATED) for ch in word)


@lru_cache(maxsize=131072)
def name_form(word: str) -> str:
    """How a word is compared: one form for the spellings of one word (see the module)."""
    folded = unicodedata.normalize("NFC", word.casefold())
    if not _transliterable(folded):
        return folded  # compared within its own script
    for pair, replacement in _BEFORE_ASCII:
        folded = folded.replace(pair, replacement)
    letters = "".join(ch for ch in anyascii(folded).casefold() if "a" <= ch <= "z")
    for pair, replacement in _SWAPPED:
        letters = letters.replace(pair, replacement)
    letters = letters.translate(_ONE_SOUND)
    return re.sub(r"(.)\1+", r"\1", letters)


_ENDINGS = {
    language: frozenset(name_form(e) for e in written.split()) - {""}
    for language, written in _ENDINGS_WRITTEN.items()
}
_UNKNOWN_LANGUAGE = _ENDINGS["ru"] | _ENDINGS["de"]  # the commonest: Slavic, and `s`
ALL_ENDINGS = frozenset().union(*_ENDINGS.values())
_LONGEST_ENDING = max(len(e) for e in ALL_ENDINGS)


def endings(language: str | None) -> frozenset[str]:
    """The case endings a name may take in an article of this language (None: unknown)."""
    if language is None:
        return _UNKNOWN_LANGUAGE
    return _ENDINGS.get(language.split("-")[0].lower(), frozenset())


@lru_cache(maxsize=131072)
def stems(form: str, allowed: frozenset[str] = ALL_ENDINGS) -> frozenset[str]:
    """The forms a word of the text may stand for: itself, and itself without one of the
    `allowed` case endings when what is left is 4 letters or more (`putinim`: `putin` too)."""
    found = {form}
    for cut in range(1, min(_LONGEST_ENDING, len(form) - _MIN_STEM) + 1):
        if form[-cut:] in allowed:
            found.add(form[:-cut])
    return frozenset(found)


def _cased(word: str) -> bool:
    """Capitalized, or in a script without case: what a name looks like in running text."""
    first = word[0]
    return first.isupper() or first.istitle() or not (first.islower() or first.isupper())


@dataclass(frozen=True)
class WatchedName:
    """A name of a watch, ready to compare: the forms of its words."""

    text: str
    forms: tuple[str, ...]
    unspaced: str | None = None  # in a script without spaces: the name, folded, as a substring

    @property
    def alone(self) -> bool:
        """Whether the last word is found on its own (the surname)."""
        return len(self.forms) > 1 and len(self.forms[-1]) >= _MIN_SURNAME


def watched_name(text: str) -> WatchedName:
    words = _WORD.findall(text)
    unspaced = "".join(w.casefold() for w in words) if _UNSPACED.search(text) else None
    forms = tuple(form for form in (name_form(w) for w in words) if form)  # a mark alone has none
    return WatchedName(text, forms, unspaced)


def name_problem(text: str) -> str | None:
    """Why a watch cannot use this name, or None."""
    if sum(len(w) for w in _WORD.findall(text)) < _MIN_LETTERS:
        return f"{text!r} is too short to be matched as a name (3 letters at least)"
    if not any(watched_name(text).forms):
        return f"{text!r} holds no letter that can be matched"
    return None


@dataclass
class NameText:
    """An article's title and text, read once for every name of every watch."""

    words: list[str] = field(default_factory=list)
    by_stem: dict[str, list[int]] = field(default_factory=dict)  # stem -> indices of words
    unspaced: str = ""

    @classmethod
    def of(cls, *texts: str | None, language: str | None = None) -> NameText:
        """The words of the texts; `language` (the article's) decides which endings count."""
        joined = "\n".join(t for t in texts if t)
        words = _WORD.findall(joined)
        by_stem: dict[str, list[int]] = {}
        allowed = endings(language)
        for index, word in enumerate(words):
            for stem in stems(name_form(word), allowed):
                by_stem.setdefault(stem, []).append(index)
        unspaced = "".join(joined.casefold().split()) if _UNSPACED.search(joined) else ""
        return cls(words, by_stem, unspaced)

    def has(self, name: WatchedName) -> bool:
        """Whether the name's words occur in a row (the last one inflected, one of them
        capitalized), or its surname alone, capitalized."""
        if name.unspaced is not None:
            return bool(self.unspaced) and name.unspaced in self.unspaced
        if not name.forms:
            return False
        *head, last = name.forms
        words = self.words
        for end in self.by_stem.get(last, ()):
            if _cased(words[end]) and (name.alone or not head):
                return True
            start = end - len(head)
            if (
                head
                and start >= 0
                and all(name_form(words[start + k]) == form for k, form in enumerate(head))
                and any(_cased(words[i]) for i in range(start, end + 1))
            ):
                return True
        return False


def mentions(names: Sequence[WatchedName], text: NameText) -> tuple[str, ...]:
    """The names (as the watch writes them) that the text mentions."""
    return tuple(name.text for name in names if text.has(name))
