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
_BEFORE_ASCII = (("ου", "u"), ("ού", "u"), ("ու", "u"), ("ъ", "а"))  # Bulgarian ъ: Тръмп
# Latin letters with a háček spell the sounds that English and the Cyrillic transliteration
# spell with h (Ašik Masíh: Ashiq Masih; Čaudhrí: Chaudhry; ш, ч, ж: sh, ch, zh).
_HACEK = str.maketrans({"š": "sh", "č": "ch", "ž": "zh", "ś": "sh", "ć": "ch", "ż": "zh"})
# A j after a vowel is the English y of a diphthong (Husajn, Labajk: Hussain, Labbaik).
_J_AFTER_VOWEL = re.compile(r"(?<=[aeiou])j")
# Romanisations of one sound: English oo and ee (Malook, Taseer: Maluk, Tasir), th (Theresa:
# Tereza), and the Cyrillic дж of English j (Джастин: Justin).
_SWAPPED = (
    ("dzh", "j"),
    ("oo", "u"),
    ("ee", "i"),
    ("th", "t"),
    ("kh", "h"),
    ("ph", "f"),
    ("ck", "k"),
    ("ou", "u"),
)
# How an English spelling is read into an alphabet that spells sounds: u as a (Trump: Трамп,
# Musk: Маск), i as ai (Biden: Байден), ai and ay as ei (May: Мей), eu as oi (Reuters:
# Ройтерс), s as z (Asia: Азия). A name's word in Latin letters may take these forms in a word
# transliterated from another alphabet only; a Latin word of the text must be the name's own
# spelling (Tramp is not Trump).
_READ_ALOUD = (("u", "a"), ("i", "ai"), ("ai", "ei"), ("eu", "oi"), ("s", "z"))
_MAX_VARIANTS = 32
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
# Czech and Slovak give a woman's foreign surname -ová (Clintonová, Bibiovou), and West and
# South Slavic form possessives in -ov (Trumpova administrativa): the same name there. Not in
# Russian or Bulgarian, where -ov makes surnames of first names (Ivanov).
_FEMININE_POSSESSIVE = " ová ové ovou ovej ovú ov ova ovo ovi ove ovu ovega ovem ovim ovih"
_ENDINGS_WRITTEN = {
    **dict.fromkeys(("ru", "uk", "be", "bg", "mk", "sr", "bs", "pl"), _SLAVIC),
    **dict.fromkeys(("hr", "sl", "cs", "sk"), _SLAVIC + _FEMININE_POSSESSIVE),
    **dict.fromkeys(("lt", "lv"), "a u e o s as ui ą ų am"),
    **dict.fromkeys(("de", "sv", "da", "no", "nb", "nn"), "s"),  # Merkels, Putins
    "fi": "a ia n in lle lla sta ssa ille ista issa",
    "et": "i ile iga is ist",
}
_MIN_STEM = 3  # a stem this long or longer may carry an ending (Khan: han, Khana)
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
    folded = folded.translate(_HACEK)
    letters = "".join(ch for ch in anyascii(folded).casefold() if "a" <= ch <= "z")
    letters = _J_AFTER_VOWEL.sub("i", letters)
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


def _acronym(word: str) -> bool:
    return len(word) >= 2 and word.isupper()


def read_aloud(form: str) -> frozenset[str]:
    """The forms a Latin name's word may take once read into another alphabet (see
    `_READ_ALOUD`): `trump` gives `tramp` too."""
    found = {form}
    frontier = [form]
    while frontier and len(found) < _MAX_VARIANTS:
        current = frontier.pop()
        for old, new in _READ_ALOUD:
            at = current.find(old)
            while at >= 0 and len(found) < _MAX_VARIANTS:
                variant = current[:at] + new + current[at + len(old) :]
                if variant not in found:
                    found.add(variant)
                    frontier.append(variant)
                at = current.find(old, at + 1)
    return frozenset(found)


@lru_cache(maxsize=16384)
def watched_stems(forms: frozenset[str]) -> frozenset[str]:
    """A name's word without its final vowel, for a language that declines it (`Asia`: `asi`,
    as `Asię`, `Asii` give): a nominative ending, not a case ending, so only a vowel."""
    return frozenset(f[:-1] for f in forms if len(f) > _MIN_STEM and f[-1] in "aeio")


def _forms_of(words: str) -> frozenset[str]:
    return frozenset(name_form(w) for w in words.split())


# Words that say what an organisation is: a name holding one is an organisation's, whose last
# word alone (`Press`, `Union`, `Times`) is not the name. Lower-case words inside a name (`of`,
# `e`, `ul`) say the same of names like `Supreme Court of Pakistan`.
_ORGANISATION_WORDS = _forms_of(
    """Agency Agence Airlines Army Assembly Association Authority Bank Board Bureau Church Club
    College Commission Committee Company Congress Corporation Council Court Department Federation
    Force Forces Foundation Front Group Herald Institute International Journal League Ministry
    Movement Nations News Office Organisation Organization Parliament Party Police Post Press
    Radio Senate Service Society Times Tribune Union United University"""
)
_LINKS = frozenset({"of", "for", "and", "to", "in", "on", "the", "e"})  # not al, bin, von, ul
# Words before a surname that are not another first name: titles and calendar words
# (`President Trump`, `On Monday Trump`).
_NOT_FIRST_NAMES = _forms_of(
    """Mr Mrs Ms Miss Dr Sir Lady Lord Dame President Prime Minister Premier Chancellor Pope
    King Queen Prince Princess Senator Governor General Judge Justice Father Saint St Rev Imam
    Sheikh Cardinal Bishop Archbishop Secretary Chairman Leader Speaker Mayor Rep Sen Gov
    Prezydent Prezident Predsednik Predsjednik Premier Premiér Minister Pan Pani Papież Papa
    Kancléř Kanclerz Президент Премьер Премьер-министр Господин Госпожа Папа Канцлер Президента
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday
    January February March April May June July August September October November December
    In On At As For But And The Then When While After Before Meanwhile According"""
)
# A surname that is also a calendar word is found with its first name only (`Theresa May`).
_CALENDAR = _forms_of(
    """Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May
    June July August September October November December"""
)


@dataclass(frozen=True)
class WatchedName:
    """A name of a watch, ready to compare: the forms of its words, and the forms each may
    take in a word transliterated from another alphabet."""

    text: str
    forms: tuple[str, ...]
    unspaced: str | None = None  # in a script without spaces: the name, folded, as a substring
    read: tuple[frozenset[str], ...] = ()  # per word: its forms in another alphabet
    acronyms: tuple[bool, ...] = ()  # per word: written in capitals (`AFP`), found so only
    organisation: bool = False
    # An organisation's initials, found as a word in capitals (`European Union`: `EU`)
    abbreviation: str | None = None

    @property
    def alone(self) -> bool:
        """Whether the last word is found on its own (the surname): not an organisation's
        last word, nor a calendar word."""
        return (
            len(self.forms) > 1
            and len(self.forms[-1]) >= _MIN_SURNAME
            and not self.organisation
            and self.forms[-1] not in _CALENDAR
        )


def watched_name(text: str) -> WatchedName:
    words = [w for w in _WORD.findall(text) if name_form(w)]  # a mark alone has no form
    if len(words) > 2 and words[0].casefold() == "the":
        words = words[1:]  # `The Associated Press` is written `Associated Press` as often
    unspaced = "".join(w.casefold() for w in words) if _UNSPACED.search(text) else None
    forms = tuple(name_form(w) for w in words)
    read = tuple(read_aloud(f) if w.isascii() else frozenset({f}) for w, f in zip(words, forms, strict=True))
    organisation = any(f in _ORGANISATION_WORDS for f in forms) or any(w in _LINKS for w in words[1:-1])
    acronyms = tuple(_acronym(w) and len(words) == 1 for w in words)
    initials = "".join(w[0] for w in words if w[:1].isupper())
    abbreviation = initials if organisation and len(initials) >= 2 and initials.isupper() else None
    return WatchedName(text, forms, unspaced, read, acronyms, organisation, abbreviation)


def name_problem(text: str) -> str | None:
    """Why a watch cannot use this name, or None."""
    letters = sum(len(w) for w in _WORD.findall(text))
    if letters < _MIN_LETTERS and not (letters == 2 and _acronym(text.strip())):
        return f"{text!r} is too short to be matched as a name (3 letters, or capitals like EU)"
    if not any(watched_name(text).forms):
        return f"{text!r} holds no letter that can be matched"
    return None


@dataclass
class NameText:
    """An article's title and text, read once for every name of every watch."""

    words: list[str] = field(default_factory=list)
    by_stem: dict[str, list[int]] = field(default_factory=dict)  # stem -> indices of words
    unspaced: str = ""
    stems_at: list[frozenset[str]] = field(default_factory=list)  # per word: its stems
    foreign: list[bool] = field(default_factory=list)  # per word: transliterated from another alphabet
    allowed: frozenset[str] = frozenset()  # the case endings of the article's language
    spaced: list[bool] = field(default_factory=list)  # per word: only spaces since the one before
    capitals: frozenset[str] = frozenset()  # the words in capitals, but not in a line of them

    @classmethod
    def of(cls, *texts: str | None, language: str | None = None) -> NameText:
        """The words of the texts; `language` (the article's) decides which endings count."""
        joined = "\n".join(t for t in texts if t)
        found_words = list(_WORD.finditer(joined))
        words = [m.group(0) for m in found_words]
        spaced = [
            index > 0 and joined[found_words[index - 1].end() : m.start()] in (" ", "\xa0")
            for index, m in enumerate(found_words)
        ]
        by_stem: dict[str, list[int]] = {}
        allowed = endings(language)
        stems_at = []
        for index, word in enumerate(words):
            found = stems(name_form(word), allowed)
            stems_at.append(found)
            for stem in found:
                by_stem.setdefault(stem, []).append(index)
        unspaced = "".join(joined.casefold().split()) if _UNSPACED.search(joined) else ""
        foreign = [not w.isascii() and _transliterable(w) and not _latin(w) for w in words]
        text = cls(words, by_stem, unspaced, stems_at, foreign, allowed, spaced)
        text.capitals = frozenset(
            w for i, w in enumerate(words) if len(w) >= 2 and w.isupper() and not text._shouting(i)
        )
        return text

    def _stems_of(self, forms: frozenset[str]) -> frozenset[str]:
        """The stems a text's word may have to be a name's word: the word, and where the
        article's language inflects, the word without its final vowel (`Asia`, `Asię`: `asi`)."""
        if not self.allowed:
            return forms
        return forms | watched_stems(forms)

    def _is(self, index: int, name: WatchedName, k: int) -> bool:
        """Whether the text's word at `index` is the name's word `k`, maybe inflected."""
        if name.acronyms and name.acronyms[k]:
            word = self.words[index]
            return word.isupper() and name.forms[k] in self.stems_at[index] and not self._shouting(index)
        forms = name.read[k] if self.foreign[index] else frozenset({name.forms[k]})
        return not self._stems_of(forms).isdisjoint(self.stems_at[index])

    def _shouting(self, index: int) -> bool:
        """Whether the word is among other words in capitals (a headline in capitals)."""
        near = self.words[max(0, index - 1) : index] + self.words[index + 1 : index + 2]
        return any(len(w) > 1 and w.isupper() for w in near)

    def _ends_of(self, name: WatchedName) -> list[int]:
        last = len(name.forms) - 1
        candidates: set[int] = set()
        for form in self._stems_of(name.read[last]):
            candidates.update(self.by_stem.get(form, ()))
        return sorted(i for i in candidates if self._is(i, name, last))

    def _other_first_name(self, name: WatchedName, ends: list[int]) -> bool:
        """Whether the surname follows another capitalised word somewhere in the text (`Bill
        Clinton` when the name is `Hillary Clinton`): then the surname alone is not enough."""
        own = frozenset().union(*(self._stems_of(read) for read in name.read[:-1]))
        for end in ends:
            if not self.spaced[end]:
                continue
            before = self.words[end - 1]
            if not _cased(before) or before.isupper():
                continue
            stems_before = self.stems_at[end - 1]
            if stems_before.isdisjoint(own) and stems_before.isdisjoint(_NOT_FIRST_NAMES):
                if self._is(end - 1, name, len(name.forms) - 1):
                    continue  # the surname twice
                return True
        return False

    def has(self, name: WatchedName) -> bool:
        """Whether the name's words occur in a row (inflected, one of them capitalized), or
        its surname alone, capitalized, where no other first name goes with it."""
        if name.unspaced is not None:
            return bool(self.unspaced) and name.unspaced in self.unspaced
        if not name.forms:
            return False
        if name.abbreviation is not None and name.abbreviation in self.capitals:
            return True
        head = len(name.forms) - 1
        words = self.words
        ends = self._ends_of(name)
        for end in ends:
            start = end - head
            if (
                start >= 0
                and all(self._is(start + k, name, k) for k in range(head))
                and any(_cased(words[i]) for i in range(start, end + 1))
            ):
                return True
        if head and not name.alone:
            return False
        cased = [end for end in ends if _cased(words[end])]
        return bool(cased) and not (head and self._other_first_name(name, cased))


def _latin(word: str) -> bool:
    return all(ord(ch) <= 0x024F or 0x1E00 <= ord(ch) <= 0x1EFF for ch in word)


def mentions(names: Sequence[WatchedName], text: NameText) -> tuple[str, ...]:
    """The names (as the watch writes them) that the text mentions."""
    return tuple(name.text for name in names if text.has(name))
