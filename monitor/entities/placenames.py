"""Where a text may name a place: candidate spans and the lookup keys of each (pure).

- Scripts with case (Latin, Cyrillic, Greek, Armenian): only capitalised words, and runs of
  them joined by the little words of place names (`Rio de Janeiro`, `Stratford-upon-Avon`),
  up to four words; an inflected word also yields its stem with the usual endings
  (`Пешаваре` -> `пешавар`, `Warszawie` -> `warszawa`, `Farage'a` -> `farage`).
- Scripts written without spaces (Chinese, Japanese, Thai): every substring of two to eight
  characters of a run (`在白沙瓦发生` holds `白沙瓦`); Korean words with their particles
  (`서울에서`) by their prefixes.
- Other scripts without case (Arabic, Hebrew, Devanagari): every word and pair of words; a
  pair also less a one-letter proclitic of its first word (Hebrew `בניו יורק`, "in New
  York", is read `ניו יורק`), so that a place of two words is read whole before its last word
  (York).

Bounded work: the text is cut at `MAX_TEXT_CHARS`, words at `MAX_WORD_CHARS`, text without
spaces at `MAX_UNSPACED_CHARS`, and the spans of one text at `MAX_CANDIDATES`; a run of more
than `MAX_PROSE_RUN` capitalised words in an article's text is a list or a line in capitals, not
prose, and names no place (a headline in Title Case, read with `max_run=None`, may be long).
So a 100,000-character article or 10,000 capitalised words in a row cost a bounded number of
keys (bench/badinput.py times them).

A span may name something else that bears a place's name (`Candidate.names_other`): a Cyrillic
adjective in its nominative before a lower-case word qualifies that noun (`Северный поток`, the
Nord Stream pipeline, not Severnyy; `Советский район`), and a word inside a short name between
guillemets or low-high quotes (`«Северный поток — 2»`, `„Kraków Arena“`) is that name's, and
a name right after a lower-case word for a lake, river, sea or mountain is that feature's
(`озеро Виктория`, Lake Victoria, not the Australian state; `río Paraná`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from operator import attrgetter
from typing import NamedTuple

from monitor.entities.gazetteer import place_key

__all__ = [
    "CAPITAL_LETTERS", "MAX_TEXT_CHARS", "Candidate", "find_candidates", "starts_sentence", "word_keys",
]

MAX_TEXT_CHARS = 20_000
MAX_CANDIDATES = 3_000  # spans of one text (the demo news: 20 an article, 99 at most)
MAX_PROSE_RUN = 16  # capitalised words in a row in prose: beyond this, a list
MAX_WORD_CHARS = 40
# Text without spaces is read by every substring: its first 4,000 such characters (as much
# news as about 10,000 characters of English).
MAX_UNSPACED_CHARS = 4_000
_MAX_RUN_WORDS = 4
_MAX_UNSPACED = 8

# Combining marks are part of a word: Devanagari vowel signs (पेशावर), Arabic and Hebrew
# vowel points (المُحافظين is one word, not الم and حافظين).
_MARKS = "".join(chr(c) for c in range(0x300, 0x10000) if unicodedata.category(chr(c)).startswith("M"))
_LETTER = rf"(?:[^\W\d_]|[{_MARKS}])"
_TOKEN = re.compile(rf"(?:[^\W\d_]\.){{2,}}|[^\W\d_]{_LETTER}*(?:['’\-]{_LETTER}+)*")
# (less the katakana middle dot, which joins the parts of a name: ドナルド・トランプ)
_UNSPACED_LETTERS = (r"\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30fa\u30fc-\u30ff"
                     r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff")
_UNSPACED = re.compile(f"[{_UNSPACED_LETTERS}]+")
_HANGUL_LETTERS = r"\uac00-\ud7af"
_HANGUL = re.compile(f"[{_HANGUL_LETTERS}]+")
# Scripts written with spaces but without case: Hebrew, Arabic, Syriac, Thaana, the Indic
# scripts, Georgian, Ethiopic.
_SPACED_UNCASED_LETTERS = r"\u0590-\u07bf\u0900-\u0dff\u10a0-\u10ff\u1200-\u137f"
_SPACED_UNCASED = re.compile(f"[{_SPACED_UNCASED_LETTERS}]")
# A letter of any of these three (most texts have none: one pass finds it out).
_UNCASED = re.compile(f"[{_UNSPACED_LETTERS}{_HANGUL_LETTERS}{_SPACED_UNCASED_LETTERS}]")
# One-letter words written onto the next word: Hebrew's prepositions, article and conjunctions
# (ב ה ו כ ל מ ש), Arabic's (و ب ل ف ك).
_PROCLITICS = frozenset("בהוכלמש" "وبلفك")
# The little words inside place names; they join capitalised words into one run.
_CONNECTORS = frozenset({
    "de", "del", "della", "di", "da", "do", "dos", "das", "du", "des", "la", "le", "les", "el",
    "al", "of", "on", "upon", "am", "an", "der", "im", "sur", "en", "y", "i", "na", "nad",
    "pod", "and",
})
# French and Italian elide the article before a vowel: l'Oural, l'Ucraina (never a city's,
# unless the article is part of its name: L'Aquila, L'Avana).
_ELIDED_ARTICLES = ("l'", "l’")
_CAPITAL_ELIDED = ("L'", "L’")  # the article opening a sentence: L'Italia, L'Aia
# Nominative endings of Russian, Ukrainian and Belarusian adjectives (Северный, Північний,
# Советская, Красное, Новые); the stem before them is at least _MIN_ADJECTIVE_STEM letters.
_ADJECTIVE_ENDINGS = ("ый", "ий", "ій", "ой", "ая", "яя", "ое", "ее", "ые", "ие", "ыя")
_MIN_ADJECTIVE_STEM = 4
# Quotation marks that open and close names (and speech) in the languages that use them:
# guillemets both ways, German and Slavic low-high quotes.
_OPENING_QUOTES = "«»„‚"
_CLOSING_QUOTES = "»«“‘”"
_MAX_QUOTED_NAME = 40  # characters: a name between quotes, not a quoted sentence
# Lower-case words for natural features, as they stand before the feature's name, in the
# languages that write them so (Russian, Ukrainian, Belarusian, Bulgarian, Polish, Czech,
# Slovak, Croatian, Slovene, Spanish, Portuguese, Italian, French), in their common cases.
_FEATURE_WORD_LIST = """
    озеро озера озере озером озёра река реки реке рекой море моря морем горы гора горе
    залив залива заливе пролив пролива остров острова острове полуостров полуострова
    річка річки річці ріка ріки озері затока затоки острів гори
    возера возеры возере рака ракі рацэ мора моры востраў вострава
    езеро езерото река реката
    jezioro jeziora jeziorze rzeka rzeki rzece morze morza morzu wyspa wyspy wyspie zatoka
    jezero jezera jezeře řeka řeky řece moře ostrov ostrova rieka rieky rieke jazero jazera
    rijeka rijeke rijeci otok otoka
    lago lagos río rio rios ríos fiume mare mar mer lac fleuve rivière île isla ilha isola
"""
_FEATURE_WORDS = frozenset(_FEATURE_WORD_LIST.split())
_FEATURE_WORD_ENDS = frozenset(word[-1] for word in _FEATURE_WORDS)
_MAX_QUOTED_WORDS = 3  # words of letters: «Северный поток — 2» has two
_SENTENCE_START = re.compile(r"(?:^|[.!?:;…\"“”«»()\[\]]\s*|\n\s*)$")
# Endings stripped from inflected names, longest first, with what may replace them in the
# nominative. Slavic cases, Baltic, Finnish, Hungarian and Turkish endings, German genitive.
_CYRILLIC_ENDINGS = ("ами", "ями", "ого", "ому", "ой", "ом", "ем", "ах", "ях", "ов", "ев",
                     "ей", "ую", "е", "а", "у", "ы", "и", "ю", "я")
_CYRILLIC_RESTORE = ("", "а", "я", "ь", "й", "ия", "ы", "и")
_LATIN_ENDINGS = ("iem", "ami", "ach", "owi", "em", "ie", "ze", "ii", "ia", "iu", "ą", "ę", "u",
                  "a", "e", "y", "i", "s", "ssa", "ssä", "sta", "stä", "lla", "llä", "ban",
                  "ben", "ba", "be", "ból", "ből", "ra", "re", "ın", "in", "da", "de", "ta",
                  "te", "dan", "den", "tan", "ten", "ya", "ye")
_LATIN_RESTORE = ("", "a", "e", "o", "y", "ia")
# Languages whose names inflect: their words get stems (English, French... do not).
INFLECTING_LANGUAGES = frozenset({
    "bg", "bs", "cs", "et", "fi", "hr", "hu", "lt", "lv", "mk", "pl", "ru", "sk", "sl", "sr",
    "tr", "uk", "be", "de", "uz", "az",
})


def _suffixes(onsets: str, vowels: str, codas: tuple[str, ...]) -> tuple[str, ...]:
    """A Turkic case suffix in each of its shapes: its first consonant assimilates to the
    stem's last sound, its vowel to the stem's vowels (harmony), so one suffix is written
    many ways: the Kazakh genitive is -ның/-нің/-дың/-дің/-тың/-тің (Сеулдің: Seoul's)."""
    return tuple(onset + vowel + coda for onset in onsets.split() for vowel in vowels for coda in codas)


# Case suffixes of Turkic languages (genitive, dative, locative, ablative, accusative,
# instrumental), generated from their shapes, longest first; a stem keeps its nominative.
_KAZAKH = (("н д т", "ыі", ("ң", "")), ("д т н нд", "ае", ("", "н")), ("ғ г қ к н", "ае", ("",)))
_KYRGYZ = (("н д т", "ыиуү", ("н", "")), ("д т н нд", "аеоө", ("", "н")), ("г к", "аеоө", ("",)))
_TURKIC_CYRILLIC = {
    language: tuple(sorted({s for shape in shapes for s in _suffixes(*shape)}, key=lambda s: (-len(s), s)))
    for language, shapes in (("kk", _KAZAKH), ("ky", _KYRGYZ))
}
_TURKIC_LATIN = {
    "uz": ("ning", "dagi", "dan", "ga", "ka", "qa", "da", "ni"),
    "az": ("nın", "nin", "nun", "nün", "dan", "dən", "tan", "tən", "da", "də", "ta", "tə",
           "ya", "yə", "ın", "in", "un", "ün", "a", "ə", "ı", "i", "u", "ü"),
}


# US states as the AP writes them after a city ("Glasgow, Ky."): read only there.
_AP_STATES = {
    "Ala": "Alabama", "Ariz": "Arizona", "Ark": "Arkansas", "Calif": "California",
    "Colo": "Colorado", "Conn": "Connecticut", "Del": "Delaware", "Fla": "Florida",
    "Ga": "Georgia", "Ill": "Illinois", "Ind": "Indiana", "Kan": "Kansas", "Ky": "Kentucky",
    "La": "Louisiana", "Md": "Maryland", "Mass": "Massachusetts", "Mich": "Michigan",
    "Minn": "Minnesota", "Miss": "Mississippi", "Mo": "Missouri", "Mont": "Montana",
    "Neb": "Nebraska", "Nev": "Nevada", "Okla": "Oklahoma", "Ore": "Oregon",
    "Pa": "Pennsylvania", "Tenn": "Tennessee", "Tex": "Texas", "Vt": "Vermont",
    "Va": "Virginia", "Wash": "Washington", "Wis": "Wisconsin", "Wyo": "Wyoming",
}


class Candidate(NamedTuple):
    """A span of the text that may name a place, with its keys (exact first, then stems). A
    tuple: made for every span of capitalised words of every article, cheaply."""

    start: int
    end: int
    text: str
    keys: tuple[str, ...]
    words: int
    sentence_initial: bool
    cased: bool  # written in a script with case (so capitalisation was required)
    previous_word: str  # the capitalised word just before, in the same run, or ""
    next_word: str  # the next capitalised word in the same sentence, or ""
    in_title: bool = False  # offsets are then into the title
    after_comma: bool = False  # just after ", " (Paris, Texas: Texas qualifies Paris)
    # Scripts without spaces: the characters just before and after ("" at the text's edge).
    before: str = ""
    after: str = ""
    elided: bool = False  # after or with an elided article (l'Oural, L'Aia): a city only with it (keys[0])
    names_other: bool = False  # an adjective of a noun, or a word of a quoted name (module)


def _adjective_of_noun(text: str, span: str, end: int) -> bool:
    """Whether a one-word Cyrillic span is an adjective in its nominative right before a
    lower-case word (Северный поток)."""
    if not ("\u0400" <= span[:1] <= "\u04ff") or " " in span:
        return False
    word = span.casefold()
    if len(word) < _MIN_ADJECTIVE_STEM + 2 or not word.endswith(_ADJECTIVE_ENDINGS):
        return False
    return text[end:end + 1] == " " and text[end + 1:end + 2].islower()


def _after_feature_word(text: str, start: int) -> bool:
    """Whether a span follows a lower-case word for a natural feature (озеро Виктория)."""
    if text[start - 1:start] != " " or (
            text[start - 2:start - 1] not in _FEATURE_WORD_ENDS and not text[start - 2:start - 1].isspace()):
        return False  # (most words: the word before ends otherwise)
    words = text[max(0, start - 16):start].split()
    return bool(words) and words[-1] in _FEATURE_WORDS and words[-1].islower()


def _in_quoted_name(text: str, start: int, end: int) -> bool:
    """Whether a span lies inside a short name between quotes (see the module), with other
    words beside it: «Северный поток», not «Москва» alone."""
    window = text[max(0, start - _MAX_QUOTED_NAME):start]
    opening = max(window.rfind(q) for q in _OPENING_QUOTES)
    if opening < 0 or any(q in window[opening + 1:] for q in _CLOSING_QUOTES):
        return False
    tail = text[end:end + _MAX_QUOTED_NAME]
    closing = min((i for i in (tail.find(q) for q in _CLOSING_QUOTES) if i >= 0), default=-1)
    if closing < 0 or any(q in tail[:closing] for q in _OPENING_QUOTES):
        return False
    quoted = window[opening + 1:] + text[start:end] + tail[:closing]
    words = sum(1 for word in quoted.split() if word[:1].isalpha())
    return quoted.strip() != text[start:end] and 1 < words <= _MAX_QUOTED_WORDS


def starts_sentence(text: str, start: int) -> bool:
    """Whether the word at `start` opens the text, a sentence, a line or a quotation."""
    if text[start - 1:start] == " " and text[start - 2:start - 1].isalpha():
        return False  # (most words: after a word and a space)
    if text[start - 1:start] == "\n":
        return True  # (a line's first word)
    return bool(_SENTENCE_START.search(text[max(0, start - 3):start]))


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper() or word[:1].istitle()


def _has_case(word: str) -> bool:
    first = word[:1]
    return first.lower() != first.upper()


_CONTRACTIONS = frozenset({"ve", "re", "ll", "d", "m", "t"})


def _possessive_head(word: str) -> str:
    """The name before a short ending after an apostrophe (Russia's, Ankara'da), or ""."""
    if "'" not in word and "’" not in word:
        return ""  # (most words)
    for apostrophe in ("'", "’"):
        head, _, tail = word.rpartition(apostrophe)
        if head and len(tail) <= 4 and len(head) >= 3:
            return head
    return ""


def _compound_head(word: str) -> str:
    """The name before a lower-case second half: Canada-wide, Britain-based, Syrian-born."""
    if "-" not in word:
        return ""  # (most words)
    head, _, tail = word.partition("-")
    if head and tail and tail.islower() and len(head) >= 3:
        return head
    return ""


def _is_contraction(word: str) -> bool:
    """I've, We're, She'll: English contractions are no names."""
    if "'" not in word and "’" not in word:
        return False
    for apostrophe in ("'", "’"):
        head, _, tail = word.rpartition(apostrophe)
        if head and tail.casefold() in _CONTRACTIONS:
            return True
    return False


class _Endings(NamedTuple):
    """A list of endings ready for lookup: each ending's rank in the list, their lengths."""

    rank: dict[str, int]
    lengths: tuple[int, ...]
    restore: tuple[str, ...]
    restore_keys: tuple[str, ...]  # the `place_key` of each


def _endings(endings: tuple[str, ...], restore: tuple[str, ...] = ("",)) -> _Endings:
    rank: dict[str, int] = {}
    for index, ending in enumerate(endings):
        rank.setdefault(ending, index)
    return _Endings(rank, tuple(sorted({len(e) for e in endings})), restore, tuple(map(place_key, restore)))


_CYRILLIC = _endings(_CYRILLIC_ENDINGS, _CYRILLIC_RESTORE)
_LATIN = _endings(_LATIN_ENDINGS, _LATIN_RESTORE)
_TURKIC = {
    True: {language: _endings(suffixes) for language, suffixes in _TURKIC_CYRILLIC.items()},
    False: {language: _endings(suffixes) for language, suffixes in _TURKIC_LATIN.items()},
}


def _stem_keys(word: str, cyrillic: bool, language: str | None = None) -> tuple[str, ...]:
    """The keys of the nominative guesses for an inflected name, bounded by the ending lists
    (a Turkic language's own suffixes for kk, ky, uz, az)."""
    base = word.casefold()
    if "'" in base or "’" in base:
        return ()
    endings = _TURKIC[cyrillic].get((language or "").split("-")[0]) or (_CYRILLIC if cyrillic else _LATIN)
    # The word's endings of each length that the list holds, in the list's order.
    rank = endings.rank
    found = [base[-n:] for n in endings.lengths if len(base) - n >= 3 and base[-n:] in rank]
    found.sort(key=rank.__getitem__)
    keys: list[str] = []
    for ending in found:
        stem = base[: -len(ending)]
        # A Slavic stem may drop a vowel or soften a consonant: Польше -> Польша is covered,
        # Кракове -> Краков too; Праге -> Прага by restoring "а".
        if stem[-1].isalpha():  # a letter then a letter: the key is the stem's then the ending's
            stem_key = place_key(stem)
            keys.extend(stem_key + tail_key for tail, tail_key in zip(endings.restore, endings.restore_keys,
                                                                      strict=True) if stem + tail != base)
        else:
            keys.extend(place_key(stem + tail) for tail in endings.restore if stem + tail != base)
    return tuple(dict.fromkeys(keys))


def _joined(head: str, key: str) -> str:
    """The key of a span from its head's key and the key of the rest: `place_key` of a text that
    breaks at a space or hyphen is its parts' keys joined by a space (every step of `place_key`
    reads a character alone, or with the marks after it, and a space or hyphen takes none)."""
    return f"{head} {key}" if head and key else head or key


@lru_cache(maxsize=2048)  # a word recurs: in the spans that end with it, in other articles
def _last_word_keys(last: str, inflect: bool, language: str | None) -> tuple[str, ...]:
    """The keys of a span's last word, each to join to the key of the words before it: the word,
    or the name before a possessive ending (Russia's, Ankara'da: not "Steele's" as Steeles); a
    compound's first half (Canada-wide); when `inflect`, the word's stems (a Turkic `language`'s
    own suffixes too)."""
    head_word = _possessive_head(last)
    keys = [place_key(head_word or last)]
    compound_head = _compound_head(last)
    if compound_head:  # Canada-wide, Britain-based
        keys.append(place_key(compound_head))
    if inflect:
        keys.extend(_stem_keys(last, "\u0400" <= last[:1] <= "\u04ff", language))
    return tuple(keys)


@lru_cache(maxsize=2048)
def _one_word_keys(word: str, inflect: bool, language: str | None) -> tuple[str, ...]:
    """The lookup keys of a span of one word (most spans)."""
    return _usable(_last_word_keys(word, inflect, language))


def _keys_after(head: str, last: str, inflect: bool, language: str | None) -> tuple[str, ...]:
    """The lookup keys of a span: `head` is the key of its words before `last`."""
    if not head:
        return _one_word_keys(last, inflect, language)
    return _usable(tuple(_joined(head, key) for key in _last_word_keys(last, inflect, language)))


def _usable(keys: tuple[str, ...]) -> tuple[str, ...]:
    """The keys of two characters or more, each once, in order."""
    if len(keys) == 1:  # (most spans)
        return keys if len(keys[0]) >= 2 else ()
    return tuple(dict.fromkeys(key for key in keys if len(key) >= 2))


def _span_keys(
    span: str, last_length: int, inflect_latin: bool, inflect_cyrillic: bool, language: str | None
) -> tuple[str, ...]:
    """The lookup keys of a span whose last word is its last `last_length` characters: the span,
    without a possessive ending or a compound's second half, and the stems of its last word
    (Cyrillic when `inflect_cyrillic`, any when `inflect_latin`)."""
    last = span[-last_length:]
    inflect = inflect_latin or (inflect_cyrillic and "\u0400" <= last[:1] <= "\u04ff")
    return _keys_after(place_key(span[:-last_length]), last, inflect, language)


def word_keys(word: str, language: str | None) -> tuple[str, ...]:
    """The lookup keys of one word as geotagging reads it in an article of this language: the
    word, and its nominative guesses where its script or language inflects names."""
    cyrillic = "\u0400" <= word[:1] <= "\u04ff"
    return _span_keys(word, len(word), language in INFLECTING_LANGUAGES, cyrillic, language)


def _words(text: str) -> list[re.Match[str]]:
    return [m for m in _TOKEN.finditer(text) if len(m.group()) <= MAX_WORD_CHARS]


def _capital_letters() -> str:
    """A regex class of every uppercase and titlecase letter of the Basic Multilingual Plane."""
    letters = (chr(c) for c in range(0x10000) if chr(c).isupper() or chr(c).istitle())
    return "".join(re.escape(letter) for letter in letters)


CAPITAL_LETTERS = _CAPITAL = _capital_letters()
# A capitalised word (not inside another word: the "P" of "iPhone"), or dotted capitals (U.S.).
# The capital first, then the look back at the letter before it: a regex whose pattern opens
# with a class skips to the next capital at once (four times faster than a look back first).
_CAPITALISED = re.compile(
    rf"[{_CAPITAL}](?<![^\W\d_][{_CAPITAL}])(?:\.(?:[{_CAPITAL}]\.)+|[^\W\d_]*(?:['’\-][^\W\d_]+)*)"
)
# What may stand between two words of one place name: a space or hyphen, or little words.
_JOIN = re.compile(rf"[ \u00a0-](?:(?:{'|'.join(sorted(_CONNECTORS))})[ \u00a0-])*")


_ALONE = (False,)  # a run of one word: not joined to a word before


def _cased_candidates(
    text: str,
    offset: int,
    inflect_latin: bool,
    max_run: int | None = MAX_PROSE_RUN,
    language: str | None = None,
) -> list[Candidate]:
    # Only capitalised words are read (a regex finds them); runs are those joined by a space,
    # a hyphen or the little words of place names.
    runs: list[list[tuple[int, int, str]]] = []  # each word's start, end and text
    run: list[tuple[int, int, str]] = []
    for token in _CAPITALISED.finditer(text):
        word = token.group()
        if len(word) > MAX_WORD_CHARS or (("'" in word or "’" in word) and _is_contraction(word)):
            if run:
                runs.append(run)
            run = []
            continue
        start, end = token.span()
        if run and not _JOIN.fullmatch(text, run[-1][1], start):
            runs.append(run)
            run = []
        run.append((start, end, word))
    if run:
        runs.append(run)
    candidates: list[Candidate] = []
    quoted = any(q in text for q in _OPENING_QUOTES)  # (most English texts: none)
    for run in runs:
        if max_run is not None and len(run) > max_run:
            continue
        if len(candidates) >= MAX_CANDIDATES:
            break
        starts, ends, words = zip(*run, strict=True)
        keys_of_words: tuple[str, ...]
        keys_between: tuple[str, ...]
        if len(run) == 1:  # (most runs: one word, nothing joined)
            plain, keys_of_words, keys_between = _ALONE, (), ()
        else:
            plain = (False, *(starts[k] - ends[k - 1] == 1 for k in range(1, len(run))))
            # Each word's key and the key of what joins it to the next (" de ": "de"; " ": ""),
            # once: a span's key is theirs joined (`_joined`).
            keys_of_words = tuple(place_key(word) for word in words)
            keys_between = tuple(place_key(text[ends[k]:starts[k + 1]]) for k in range(len(run) - 1))
        for i in range(len(run)):
            begin = starts[i]
            sentence_initial = starts_sentence(text, begin)
            two_before = text[max(0, begin - 2):begin]
            after_comma = two_before == ", "
            elided = two_before in _ELIDED_ARTICLES
            after_feature_word = _after_feature_word(text, begin)
            previous_word = words[i - 1] if plain[i] else ""
            head = ""  # the key of the span's words before its last
            for j in range(i, min(len(run), i + _MAX_RUN_WORDS)):
                if j > i:
                    head = _joined(_joined(head, keys_of_words[j - 1]), keys_between[j - 1])
                end = ends[j]
                span = text[begin:end]
                ap_state = _AP_STATES.get(words[j]) if i == j else None
                if ap_state and text[end:end + 1] == "." and after_comma:
                    candidates.append(Candidate(
                        offset + begin, offset + end + 1, text[begin:end + 1],
                        (place_key(ap_state),), 1, False, True, "", "", after_comma=True))
                    continue
                if ap_state:
                    continue  # Miss, Mass, Ill: words, unless after a city and a comma
                following = words[j + 1] if j + 1 < len(run) and plain[j + 1] else ""
                last = words[j]
                inflect = j - i < 2 and (inflect_latin or "\u0400" <= last[:1] <= "\u04ff")
                if head:
                    keys = _keys_after(head, last, inflect, language)
                else:  # (most spans: one word, its keys kept)
                    keys = _one_word_keys(last, inflect, language)
                if elided:  # the name with its article first: all'Avana is L'Avana, Havana
                    keys = (place_key("l" + span), *keys)
                article = elided or (span[:2] in _CAPITAL_ELIDED and span[2:3].isupper())
                if article and not elided:  # L'Italia, L'Aia: the name with and without it
                    last_length = min(end - starts[j], len(span) - 2)
                    keys = (*keys, *_span_keys(span[2:], last_length, False, False, language))
                names_other = (i == j and _adjective_of_noun(text, span, end)) or (
                    quoted and _in_quoted_name(text, begin, end)) or after_feature_word
                candidates.append(Candidate(
                    offset + begin, offset + end, span, keys, j - i + 1, sentence_initial, True,
                    previous_word, following, False, after_comma, elided=article,
                    names_other=names_other,
                ))
    return candidates


def _uncased_candidates(text: str, offset: int) -> list[Candidate]:
    if not _UNCASED.search(text):
        return []
    candidates: list[Candidate] = []
    budget = MAX_UNSPACED_CHARS
    for run in _UNSPACED.finditer(text):
        if budget <= 0:
            break
        chars = run.group()[:budget]
        budget -= len(chars)
        start = run.start()
        for i in range(len(chars)):
            before = text[start + i - 1] if start + i else ""
            for length in range(2, min(_MAX_UNSPACED, len(chars) - i) + 1):
                piece = chars[i:i + length]
                candidates.append(Candidate(
                    offset + run.start() + i, offset + run.start() + i + length, piece,
                    (place_key(piece),), 1, False, False, "", "",
                    before=before, after=text[start + i + length:start + i + length + 1]))
    for word in _HANGUL.finditer(text):
        chars = word.group()[:_MAX_UNSPACED]
        for length in range(2, len(chars) + 1):
            piece = chars[:length]
            candidates.append(Candidate(
                offset + word.start(), offset + word.start() + length, piece,
                (place_key(piece),), 1, False, False, "", ""))
    if not _SPACED_UNCASED.search(text):
        return candidates
    tokens = [t for t in _words(text) if not _has_case(t.group())
              and not _UNSPACED.match(t.group()) and not _HANGUL.match(t.group())]
    for i, token in enumerate(tokens):
        for j in range(i, min(len(tokens), i + 2)):
            if j > i and text[tokens[j - 1].end():tokens[j].start()] not in (" ", "-"):
                break
            span = text[token.start():tokens[j].end()]
            if len(span) >= 3:
                keys: tuple[str, ...] = (place_key(span),)
                if j > i and span[0] in _PROCLITICS and token.end() - token.start() > 3:
                    keys = (*keys, place_key(span[1:]))
                candidates.append(Candidate(
                    offset + token.start(), offset + tokens[j].end(), span,
                    keys, j - i + 1, False, False, "", ""))
    return candidates


def find_candidates(
    text: str, language: str | None = None, offset: int = 0, *, max_run: int | None = MAX_PROSE_RUN
) -> list[Candidate]:
    """Every span of `text` (cut at MAX_TEXT_CHARS) that may name a place, in text order, at
    most MAX_CANDIDATES; runs of more than `max_run` capitalised words left out (None: none)."""
    text = text[:MAX_TEXT_CHARS]
    # Cyrillic names are stemmed in any case; Latin ones only in a language that inflects them.
    inflect_latin = language in INFLECTING_LANGUAGES
    candidates = _cased_candidates(text, offset, inflect_latin, max_run, language) + _uncased_candidates(
        text, offset
    )
    # By start, the longest first: two stable sorts whose keys are read in C, not a Python key
    # function called for every span.
    candidates.sort(key=attrgetter("end"), reverse=True)
    candidates.sort(key=attrgetter("start"))
    return candidates[:MAX_CANDIDATES]
