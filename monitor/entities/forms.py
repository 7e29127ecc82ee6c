"""How a name's word is spelled for comparison, in every script: one form for the spellings of
one word (`name_form`), the case endings a language adds (`endings`, `stems`), and the forms an
English spelling takes once read into another alphabet (`read_aloud`). Pure; shared by the
watches' matcher (monitor.watches.names) and the recogniser (monitor.entities.names).

- case and accents fold (`MACRON`, `Mélenchon` = `Melenchon`);
- alphabets that write their vowels go through anyascii (Latin, Greek, Cyrillic, Armenian,
  Georgian: `Путин` = `Πούτιν` = `Putin`); an abjad drops the vowels (Arabic `ماسك` is Musk
  and Mask), and syllabaries and ideographs give syllables, not the name's spelling: those
  words stay in their own script;
- the letters romanisations swap for one sound: c/k/q, ph/f, kh/h, w/v, y/i, ou/u, oo/u, ee/i,
  th/t, дж/j, a háček as h (`Ašik` = `Ashiq`), j after a vowel as i (`Husajn` = `Hussain`),
  Bulgarian ъ as a, and doubled letters (`Makron` = `Macron`, `Асад` = `Assad`); which
  consonants a word doubles is kept apart (`doubled_form`: Andersson, Anderson);
- a case ending from a fixed list for the article's language (Slavic, Baltic, German and
  Nordic `s`, Finnish, Estonian; Czech and Slovak `-ová`, `-ího`, `-ův`; Slovene `-o`,
  `-ev…`), leaving a stem of 3 letters or more (`Putina`, `Путиным`, `Merkels`, `Khana`,
  `Rizvího`, `Bibijeva`);
- letters a language writes for another sound (`local_forms`): in Czech, Slovak and Polish a
  ch may be read as kh (`Chán` is Khan there, and `Chaudhry` stays Chaudhry);
- for long words, a sound key (`sound_key`) that forgets the vowels transliterations swap
  (`Muhammad`, `Mohameda`, `Мухаммеда`), and a skeleton (`skeleton`) that keeps only where
  vowels are, for a word next to another of the name (`Mulúk` by `Saif` for Saif Malook);
- a first name's consonants (`consonants`: Ejaz and Ijaz), and the key by which institution
  words borrowed from Latin compare across languages (`cognate_key`, `cognate`:
  `European`, `Europejskiego`, `Европейския`).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from functools import lru_cache

from anyascii import anyascii

__all__ = [
    "ALL_ENDINGS",
    "WordForms",
    "cognate",
    "cognate_key",
    "consonants",
    "doubled",
    "doubled_form",
    "endings",
    "every_local_form",
    "latin",
    "latin_written",
    "local_forms",
    "name_form",
    "name_forms",
    "read_aloud",
    "respells",
    "skeleton",
    "skeletons",
    "sound_key",
    "sound_keys",
    "stems",
    "transliterable",
    "watched_stems",
]

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
# South Slavic form possessives in -ov (Trumpova administrativa, Croatian Reutersovoj
# agenciji): the same name there. Not in
# Russian or Bulgarian, where -ov makes surnames of first names (Ivanov).
_FEMININE_POSSESSIVE = (
    " ová ové ovou ovej ovú ov ova ovo ovi ove ovu ovega ovem ovim ovih ovoj ovog ovom ovoga ovome"
)
# Czech and Slovak decline a foreign name in -i (-í, -y) as an adjective (Rizvího, Rizvímu),
# and a Czech possessive ends in -ův (Obamův).
_ADJECTIVAL = " ho mu ův"
# Slovene: a feminine name's accusative in -o (Asio Bibi), and the possessive -ev after a
# soft consonant or a j, which Slovene puts after a vowel (Bibijeva: `bibieva`, `bibi`).
_SLOVENE = " o ev eva eve evo evi evu evega evem evim evih"
_ENDINGS_WRITTEN = {
    **dict.fromkeys(("ru", "uk", "be", "bg", "mk", "sr", "bs", "pl"), _SLAVIC),
    **dict.fromkeys(("cs", "sk"), _SLAVIC + _FEMININE_POSSESSIVE + _ADJECTIVAL),
    "hr": _SLAVIC + _FEMININE_POSSESSIVE,
    "sl": _SLAVIC + _FEMININE_POSSESSIVE + _SLOVENE,
    **dict.fromkeys(("lt", "lv"), "a u e o s as ui ą ų am"),
    **dict.fromkeys(("de", "sv", "da", "no", "nb", "nn"), "s"),  # Merkels, Putins
    "fi": "a ia n in lle lla sta ssa ille ista issa",
    "et": "i ile iga is ist",
}
_MIN_STEM = 3  # a stem this long or longer may carry an ending (Khan: han, Khana)


# A letter of none of those alphabets (one class: a regex scan, not a loop over the ranges).
_NOT_TRANSLITERATED = re.compile(
    "[^" + "".join(f"{chr(low)}-{chr(high)}" for low, high in _TRANSLITERATED) + "]"
)
_NOT_ASCII_LETTERS = re.compile("[^a-z]+")
_DOUBLED = re.compile(r"(.)\1+")


def _undoubled(text: str) -> str:
    """Each run of one character as that character: `_DOUBLED`'s matches replaced by a function
    (a template, its first group, costs ~1 µs a call in Python 3.11; this ~0.4)."""
    return _DOUBLED.sub(_first_of_run, text)


def _first_of_run(run: re.Match[str]) -> str:
    return run.group(1)


def transliterable(word: str) -> bool:
    """Whether every letter is of an alphabet that anyascii spells back (see the module)."""
    return _NOT_TRANSLITERATED.search(word) is None


# The word caches here and in the other modules of names, places, watches and stories are
# sized together: ~20 MB when all are full (bench/cache_memory.py, docs/performance.md). Larger
# ones grew a daemon by 260 MB over 8,000 articles and were no faster.
@lru_cache(maxsize=16384)
def name_form(word: str) -> str:
    """How a word is compared: one form for the spellings of one word (see the module)."""
    if word.isascii():  # most words: nothing to normalise or transliterate
        return _undoubled(_spelled(word.lower()))
    folded = unicodedata.normalize("NFC", word.casefold())
    if not transliterable(folded):
        return folded  # compared within its own script
    return _undoubled(_spelled(folded))


@lru_cache(maxsize=1024)
def doubled_form(word: str) -> str:
    """`name_form` with the consonants the word writes twice in a row in capitals, once the
    romanisations' swaps are made (`Andersson`: `andeRson`, `Phillips`: `fiLips`, `Mecca`
    and `Mekka`: `meKa`; `Malook`: `maluk`, its oo is u): what `name_form` forgets, and what
    tells one name from another formed by doubling a letter (Andersson is not Anderson,
    Phillips not Philips). A word outside the alphabets anyascii spells back has none."""
    folded = unicodedata.normalize("NFC", word.casefold())
    if not transliterable(folded):
        return folded
    return _DOUBLED.sub(_mark_consonant, _spelled(folded))


def _mark_consonant(run: re.Match[str]) -> str:
    # Only consonants: a doubled vowel is often what a romanisation writes for one sound
    # (Tehreek, Техриик; ий, iy as ii: Асия, `asiia`), not another name.
    letter = run.group(1)
    return letter if letter in "aeiou" else letter.upper()


def doubled(marked: str, letters: int) -> str:
    """The doubled letters among the first `letters` of a `doubled_form`, in their order."""
    return "".join(ch for ch in marked[:letters] if ch.isupper())


def _spelled(folded: str) -> str:
    """A case-folded word of an alphabet that anyascii spells back, in ASCII letters with the
    romanisations' swaps made (see the module), its doubled letters kept."""
    if folded.isascii():  # nothing to transliterate
        letters = folded if folded.isalpha() else _NOT_ASCII_LETTERS.sub("", folded)
    else:
        letters = _transliterated(folded, _ASCII_LETTERS)
    return _swapped(letters).translate(_ONE_SOUND)


def _transliterated(folded: str, table: dict[int, str | None]) -> str:
    """A case-folded word's ASCII letters, by one of the tables below."""
    for pair, replacement in _BEFORE_ASCII:
        folded = folded.replace(pair, replacement)
    return folded.translate(table)


def _swapped(letters: str) -> str:
    """ASCII letters with the romanisations' swaps made, but the one-letter ones (`_ONE_SOUND`)."""
    if "j" in letters:
        letters = _J_AFTER_VOWEL.sub("i", letters)
    for pair, replacement in _SWAPPED:
        letters = letters.replace(pair, replacement)
    return letters


def _ascii_letters() -> dict[int, str | None]:
    """What `_spelled` keeps of each character of the alphabets anyascii spells back: a háček's
    letter as h (`_HACEK`), any other as anyascii spells it, in lower case, less what is not an
    ASCII letter (one str.translate for a word: anyascii spells a string in a Python loop over
    its characters)."""
    table: dict[int, str | None] = {
        code: chr(code).lower() if chr(code).isalpha() else None
        for code in range(0x80) if not "a" <= chr(code) <= "z"
    }
    for low, high in _TRANSLITERATED:
        for code in range(max(low, 0x80), high + 1):
            spelled = chr(code).translate(_HACEK)
            table[code] = _NOT_ASCII_LETTERS.sub("", anyascii(spelled).casefold())
    return table


_ASCII_LETTERS = _ascii_letters()
_ASCII_LETTERS_SPACED = {**_ASCII_LETTERS, ord(" "): " "}  # words joined by spaces stay apart
_NOT_LETTER_BYTES = bytes(c for c in range(0x80) if not "a" <= chr(c) <= "z" and c != ord(" "))
_ONE_SOUND_BYTES = bytes.maketrans(b"cqwy", b"kkvi")  # _ONE_SOUND


def name_forms(words: Sequence[str]) -> list[str]:
    """`name_form` of each word, worked out for all at once (a few passes over the words joined
    by spaces, not a call for each) and not kept in its cache: for a text's many words in lower
    case, each compared once or twice. Words of other scripts, or with spaces, one by one."""
    if not words:
        return []
    joined = " ".join(words)
    folded = unicodedata.normalize("NFC", joined.casefold())
    if joined.count(" ") == len(words) - 1 and transliterable(folded):
        if folded.isascii():  # in bytes, as `_spelled` does in str
            letters = folded.encode().translate(None, _NOT_LETTER_BYTES).decode()
        else:
            letters = _transliterated(folded, _ASCII_LETTERS_SPACED)
        spelled = _swapped(letters).encode().translate(_ONE_SOUND_BYTES).decode()
        forms = _undoubled(spelled).split(" ")
        if len(forms) == len(words):  # (an empty form: two spaces, made one)
            return forms
    return [name_form.__wrapped__(word) for word in words]


# The letters a form may start with, by the first letter of its word when that is an ASCII
# one: itself (a word kept in its own script), the one `_ONE_SOUND` gives it, or what a swap
# at the word's start gives (dzh: j, oo and ou: u, ee: i, kh: h, ph and pkh: f, ck: k), the
# letters after it being transliterated first (dž: dzh). Nothing else changes it.
_SWAPPED_FIRST = {"d": "j", "o": "u", "e": "i", "k": "h", "p": "f"}
_FIRST_OF_FORM = {
    letter: {letter, letter.translate(_ONE_SOUND), *_SWAPPED_FIRST.get(letter, "")}
    for letter in "abcdefghijklmnopqrstuvwxyz"
}
# And the other way: which words' first letters may give a form that starts with a letter.
_FIRST_OF_WORD = {
    first: tuple(letter for letter, firsts in _FIRST_OF_FORM.items() if first in firsts)
    for first in "abcdefghijklmnopqrstuvwxyz"
}


_ODD_SECOND = re.compile(r"^.[^\x00-\x7f].*$", re.MULTILINE)  # a word's second character beyond ASCII


def _odd_second(words: list[str]) -> list[str]:
    """The words whose second character is neither ASCII nor a letter (one regex scan of the
    words a line each, where no word holds a line break)."""
    lines = "\n".join(words)
    if lines.count("\n") != len(words) - 1:
        return [w for w in words if not (w[1:2].isascii() or w[1:2].isalpha())]
    return [w for w in _ODD_SECOND.findall(lines) if not w[1].isalpha()]


class WordForms:
    """`form in WordForms(words)`: whether some word has that `name_form`, working out the
    forms of only the words that may (the form of a word that starts with an ASCII letter
    starts with one of a few letters), when first asked, together (`name_forms`: ~1 µs a word,
    some 3 µs through `name_form`, whose cache a text's words in lower case would crowd)."""

    def __init__(self, words: Iterable[str]) -> None:
        self._given = words  # sorted at the first question (a text may ask none)
        self._words: list[str] = []  # the words of one first letter: a slice
        self._forms: set[str] = set()
        self._firsts: set[str] | None = None  # the first letters whose words' forms are in

    def __contains__(self, form: object) -> bool:
        if not isinstance(form, str):
            return False
        new: list[str] = []  # the words whose forms are worked out now
        words = self._words
        if self._firsts is None:
            self._firsts = set()
            self._words = words = sorted(self._given)
            # The words whose form may start with any letter: those that do not start with an
            # ASCII letter, and those with a character after it neither ASCII nor a letter (a
            # combining mark, composed with it); the others' forms start as _FIRST_OF_FORM says.
            low, high = bisect_left(words, "a"), bisect_left(words, "{")
            new += words[:low] + words[high:] + _odd_second(words[low:high])
        for first in _FIRST_OF_WORD.get(form[:1], ()):
            if first not in self._firsts:
                self._firsts.add(first)
                new += words[bisect_left(words, first) : bisect_left(words, chr(ord(first) + 1))]
        if new:
            # The words in ASCII apart: their letters go through a bytes table
            self._forms.update(name_forms([w for w in new if w.isascii()]))
            self._forms.update(name_forms([w for w in new if not w.isascii()]))
        return form in self._forms


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
    found = _ENDINGS.get(language)  # most codes as the feeds give them (`en`, `ru`)
    if found is None:
        found = _ENDINGS.get(language.split("-")[0].lower(), _NO_ENDINGS)
    return found


_NO_ENDINGS: frozenset[str] = frozenset()


def stems(form: str, allowed: frozenset[str] = ALL_ENDINGS) -> frozenset[str]:
    """The forms a word of the text may stand for: itself, and itself without one of the
    `allowed` case endings when what is left is 3 letters or more (`putinim`: `putin` too)."""
    if not allowed:  # a language without case endings (English, French...): kept out of the cache
        return frozenset((form,))
    return _stems(form, allowed)


@lru_cache(maxsize=2048)
def _stems(form: str, allowed: frozenset[str]) -> frozenset[str]:
    found = {form}
    for cut in range(1, min(_LONGEST_ENDING, len(form) - _MIN_STEM) + 1):
        if form[-cut:] in allowed:
            found.add(form[:-cut])
    return frozenset(found)


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


@lru_cache(maxsize=1024)
def watched_stems(forms: frozenset[str]) -> frozenset[str]:
    """A name's word without its final vowel, for a language that declines it (`Asia`: `asi`,
    as `Asię`, `Asii` give): a nominative ending, not a case ending, so only a vowel."""
    return frozenset(f[:-1] for f in forms if len(f) > _MIN_STEM and f[-1] in "aeio")


# Letters a language writes for another sound than English spellings give them: Czech,
# Slovak and Polish write the sound of kh (Cyrillic х) as ch (Chán, Chádim: Khan, Khadim);
# Polish writes English sh and ch as sz and cz (Aszik, Czaudhry: Ashiq, Chaudhry); West and
# South Slavic write English y before a vowel as j (Jusuf, Jemen: Yusuf, Yemen). Each group of
# swaps gives one more form.
_Swaps = tuple[tuple[re.Pattern[str], str], ...]
_KH: _Swaps = ((re.compile("ch"), "kh"),)
_SZ_CZ: _Swaps = ((re.compile("sz"), "sh"), (re.compile("cz"), "ch"))
_FIRST_Y: _Swaps = ((re.compile("^j(?=[aeiou])"), "y"),)
_LOCAL_LETTERS: dict[str, tuple[_Swaps, ...]] = {
    **dict.fromkeys(("cs", "sk"), (_KH, _FIRST_Y)),
    "pl": (_KH, _SZ_CZ, _FIRST_Y),
    **dict.fromkeys(("sl", "hr", "bs", "sr"), (_FIRST_Y,)),
}
# Languages that respell foreign names as they sound, in Latin letters: there a Latin word may
# be compared by its sound key and skeleton (`Mohameda`, `Mulúk`); in English, German or
# French text a Latin name keeps its spelling (Morgan is not Morgen).
_RESPELLING = frozenset({"cs", "sk", "pl", "sl", "hr", "bs", "sr", "lt", "lv"})


def local_forms(word: str, language: str | None) -> frozenset[str]:
    """The forms a word may also have where its language writes a sound with other letters
    (see `_LOCAL_LETTERS`): `Chán` in Czech is `han`, as `Khan`; nothing in English."""
    if language is None:
        return frozenset()
    groups = _LOCAL_LETTERS.get(language.split("-")[0].lower(), ())
    folded = word.casefold()
    found = set()
    for group in groups:
        swapped = folded
        for old, new in group:
            swapped = old.sub(new, swapped)
        if swapped != folded:
            found.add(name_form(swapped))
    return frozenset(found)


def every_local_form(word: str) -> frozenset[str]:
    """The word's local forms in every language that has them (for an index without languages)."""
    return frozenset().union(*(local_forms(word, language) for language in _LOCAL_LETTERS))


# Languages written in another alphabet than Latin (ISO 639-1): a Latin word there is a
# borrowed spelling, which may be any romanisation (`Labaik` for Labbaik in a Russian text).
_OTHER_ALPHABETS_WRITTEN = """ru uk bg be mk kk ky tg mn el ka hy ar fa ur ps he yi hi mr ne bn ta te kn
ml gu pa si th lo km my zh ja ko am"""
_OTHER_ALPHABETS = frozenset(_OTHER_ALPHABETS_WRITTEN.split())


def latin_written(language: str | None) -> bool:
    """Whether the language is written in Latin letters (an unknown one is taken to be)."""
    return language is None or language.split("-")[0].lower() not in _OTHER_ALPHABETS


def respells(language: str | None) -> bool:
    """Whether the language respells foreign names as they sound (see `_RESPELLING`)."""
    return language is not None and language.split("-")[0].lower() in _RESPELLING


_MIN_SOUND_KEY = 6  # letters of a form that may be compared by its sound key
# The vowels that transliterations of one name swap (Arabic and Urdu names above all:
# Muhammad, Mohammed, Мухаммед; Labbaik, Лабайк, Лабаяк; Hussain, Хусейн): o and u
# everywhere, a and e after the first syllable, and a run of vowels counts as its first with a
# mark (ai, aia, ei: `a*`). The first vowel stays (Merkel is not Markelle, Macron not Micron).
_ONE_VOWEL = str.maketrans({"u": "o", "y": "i", "j": "i"})
# An h after a consonant (dh, bh, gh: Chaudhry, Чаудри) or before one (Johnson, Джонсон)
_ASPIRATE = re.compile(r"(?<=[^aeiou])h|h(?=[^aeiou])")
_VOWELS = re.compile(r"[aeiou]+")
# au and ao spell the o that English writes au and Cyrillic оу or о (Chaudhry: Чоудри)
_AU = re.compile(r"a[uo](?![aeiou])")


@lru_cache(maxsize=4096)
def sound_key(form: str) -> str | None:
    """A looser form of a long word (6 letters or more), for the spellings that
    transliterations of one name give (see `_ONE_VOWEL`); None for a shorter word, which
    only its own form stands for (Biden is not Baden)."""
    if len(form) < _MIN_SOUND_KEY:
        return None
    letters = _AU.sub("o", _ASPIRATE.sub("", form)).translate(_ONE_VOWEL)
    parts = []
    at = 0
    for index, run in enumerate(_VOWELS.finditer(letters)):
        vowels = run.group(0) if index == 0 else run.group(0).replace("e", "a")
        parts.append(letters[at : run.start()] + vowels[0] + ("*" if len(set(vowels)) > 1 else ""))
        at = run.end()
    parts.append(letters[at:])
    return _undoubled("".join(parts))


_MIN_SKELETON = 4  # letters of a form that may be compared by its skeleton
_ANY_VOWEL = re.compile(r"[aeiouyj]+")


@lru_cache(maxsize=4096)
def skeleton(form: str) -> str | None:
    """A word's consonants with a mark where it has vowels (`malook`, `mulook`: `malak`),
    for a word of 4 letters or more, else None: looser than `sound_key`, for a name's word
    next to another of its words spelled as the name spells it (`Saif Mulúk` for Saif Malook)."""
    if len(form) < _MIN_SKELETON:
        return None
    key = _ANY_VOWEL.sub("a", _ASPIRATE.sub("", form))
    return _undoubled(key)


def skeletons(forms: frozenset[str]) -> frozenset[str]:
    """The skeletons of the forms of 4 letters or more among these."""
    return frozenset(k for k in map(skeleton, forms) if k is not None)


def sound_keys(forms: frozenset[str]) -> frozenset[str]:
    """The sound keys of the long forms among these."""
    return frozenset(k for k in map(sound_key, forms) if k is not None)


_NOT_LATIN = re.compile("[^\u0000-\u024f\u1e00-\u1eff]")


def latin(word: str) -> bool:
    """Whether a word is written in Latin letters only (a regex scan, not a loop in Python)."""
    return _NOT_LATIN.search(word) is None


# Letters that transliterations of one first name write, swap or leave out: vowels, the
# semivowels j, y, w (read v or u: Fawad, Fauád), and h (Hasan, Асан).
_NOT_CONSONANTS = re.compile(r"[aeiouyjwvh]+")
# Voiced and voiceless consonants that transliterations swap (Ashiq: Ukrainian Ашіг)
_VOICELESS = str.maketrans("gdbz", "ktps")


def consonants(form: str) -> str:
    """A word's consonants in their order, without the letters of `_NOT_CONSONANTS`
    (`eiaz`, `iaz`: `z`; `favad`, `fauad`: `fd`), voiced ones as voiceless (`ashig`: `sk`):
    what two spellings of one first name keep (Ejaz and Ijaz, Wilson and Уилсън, Ashiq and
    Ашіг), and two first names do not (Bill and Hillary)."""
    return _undoubled(_NOT_CONSONANTS.sub("", form).translate(_VOICELESS))


# Words of institutions that Slavic languages took from Latin or Greek with English
# (European: europejski, evropski, европейский; Parliament: parlament; Union: unia, unija;
# Catholic: katolicki; Commission: komisja): `cognate_key` gives both the same beginning. A
# first ev before a consonant is the Greek eu (Evropa); an i before a vowel after a consonant
# is left out (parliament, christian); English -ion ends where Slavic -ia, -ija, -ja start.
_FIRST_EV = re.compile(r"^ev(?=[^aeiou])")
_I_BEFORE_VOWEL = re.compile(r"(?<=[^aeiou])i(?=[aeou].)")
_MIN_COGNATE = 3  # letters of a key's beginning that a cognate must share at least
_SHORT_COGNATE = 4  # a key of this many letters or fewer: the other word may add only 3
_COGNATE_SLACK = 3  # letters at the end of a longer key that a cognate may spell otherwise
_COGNATE_EXTRA = 6  # letters a cognate may have beyond the key (endings: europ-ejskiego)


@lru_cache(maxsize=2048)
def cognate_key(form: str) -> str:
    """A word's form as institution words borrowed from Latin compare (see above)."""
    if form.endswith("ion") and len(form) > 4:
        form = form[:-2]
    return _I_BEFORE_VOWEL.sub("", _FIRST_EV.sub("eu", form))


def cognate(name_key: str, word_key: str) -> bool:
    """Whether a word (its `cognate_key`) is the same borrowed word as a name's word, in
    another language's spelling and ending: they share the key's beginning, all of it but
    its last 3 letters and 5 letters at least (`european`, `europejskiego`; `parti`,
    `partia`, not `partnerstwo`), all of a short key (`uni`, `unii`)."""
    if len(name_key) < _MIN_COGNATE:
        return False
    short = len(name_key) <= _SHORT_COGNATE
    need = len(name_key) if short else max(_SHORT_COGNATE + 1, len(name_key) - _COGNATE_SLACK)
    extra = _COGNATE_SLACK if short else _COGNATE_EXTRA
    return word_key[:need] == name_key[:need] and len(word_key) <= len(name_key) + extra
