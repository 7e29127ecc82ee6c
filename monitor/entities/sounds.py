"""Names heard across scripts: a Latin spelling (`Putin`, `Donald Trump`) found where a text
in a script without capitals writes it as it sounds (普京, プーチン, 푸틴, بوتين, פוטין, पुतिन,
ปูติน, პუტინი, புதின், ترامپ, 特朗普, トランプ, 트럼프). Pure: spellings and a text in, spans out.

Europe Media Monitor's way: one normalised form per name, compared across scripts. A word is
romanised and read (monitor.entities.soundread: `romanize`, `readings`) as consonant classes
with the vowels between them:

- consonants by class, the ones transliterations swap in one class: p b f v (Arabic has no p
  nor v, Hebrew writes p and f alike), t d th, k g q kh, s z sh ch j ts (Chinese, Japanese and
  Korean write one for many), m n ng (Hindi's anusvara, Chinese finals), r l (Japanese,
  Korean and Chinese have one liquid); h, and the semivowels y and w, are vowels here;
- vowels by class: front (i, e, y), back (o, u, w), open (a), or none. A Latin spelling's
  vowels read as English spells them (`Trump`: u in a closed syllable is also a; `Biden`: i
  in an open one also ai); a script's as it writes them: where it leaves short vowels
  unwritten (Arabic, Persian, Urdu, Hebrew; Indic's inherent a) any may stand there, and
  the vowels Chinese, Japanese, Korean and Tamil add to break clusters (特 te, ト to, 트 teu)
  may stand for none;
- a Latin spelling's ambiguous letters give several readings (ch: S or K, g before e or i:
  K or S, a coda r or l: heard or not, as Chinese drops it: 默克尔 Merkel, 唐纳德 Donald);
  so do a script's (Chinese j and q stand for a palatal t, k or ch: 普京 Putin, 基 ki).

Two readings agree (`sounds_like`) when their consonant classes are the same, every vowel
slot shares a class (none before the first consonant and after the last where the name has
none: an Arabic word writes its first vowel on an alef, a foreign name's last one too), and,
for a name of fewer than MIN_UNVOICED classes, one of its vowels is written as it sounds:
`Putin` is not Peyton (佩顿, بيتون: a front vowel where Putin has u) nor Biden (拜登),
though all three are P T N, and دست (hand) is not `Test`. `sound_keys` are the consonant
classes alone: blocking keys, one shared by every spelling of a name.

`SoundIndex` finds indexed names (their full name and their surname) in a text's spans
(monitor.entities.soundspans, read once for every index asked): in spaced scripts by words
and runs of two or three words, without the script's clitics (Arabic ال و ب ل in Arabic,
Hebrew ה ו ב ל, Korean particles, Georgian, Tamil and Persian endings, Nepali postpositions);
in Chinese and Japanese by runs of characters (a katakana run whole, or two joined by a middle
dot; a Chinese window of characters that transliterations use, not cutting a run of them, of
no more characters than the name has syllables, or one whose pinyin is the name's letters: 习近平
for Xi Jinping); in Thai by windows of letters that start or end a run, or start after a
title written onto the name (นายทรัมป์พบ). Precision
first: a name of two classes is found only with every vowel written as it has them, and not
in an abjad; a Chinese name in pinyin not by its given name alone; every text is read up to
MAX_TEXT characters, a word up to MAX_WORD letters, and a text's words are read only as far
as they stay a prefix of an indexed name's classes.

Look-alikes kept apart by general rules: a full name is heard in as many words as it has
capitalised ones where the script spaces names (not الاثنين, Monday, for Ho Chi Minh; Korean
joins a name's syllables, Chinese, Japanese and Thai write no spaces); a surname alone is not
heard after another given name (a middle dot's part whose first consonant differs: 弗雷德·
特朗普; in a spaced script a common given name, `_given_name`: فريد ترامب), nor next to the
script's word for playing cards (トランプで遊ぶ, 트럼프 카드); with `knowing` the installation's
known persons, not after the given name of another known person of that surname (بيل كلينتون
where Bill Clinton is known, for Hillary Clinton). A Korean name written family name first
with a hyphened given name (`Lee Jae-myung`) is heard with its family name as Hangul writes
it (이재명), and its given name is no surname.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from anyascii import anyascii

from monitor.entities.givennames import census_given_names
from monitor.entities.soundread import (
    LATIN,
    MAX_WORD,
    NONE,
    UNWRITTEN,
    Reading,
    read_units,
    readings,
    romanize,
    units_of,
)
from monitor.entities.soundspans import (
    HEAD,
    MAX_RUN,
    MAX_TEXT,
    MAX_WINDOW,
    MIN_CLASSES,
    Candidate,
    SoundSpans,
    sound_spans,
    sounded,
)

__all__ = [
    "MAX_TEXT",
    "MAX_WORD",
    "Heard",
    "Reading",
    "SoundIndex",
    "SoundSpans",
    "readings",
    "romanize",
    "sound_key",
    "sound_keys",
    "sound_spans",
    "sounded",
    "sounds_like",
]

MIN_UNVOICED = 5  # consonant classes of a name found where the script writes none of its vowels


@dataclass(frozen=True)
class Heard:
    """A span of a text that sounds like an indexed name: where, the name's key and spelling,
    and whether the full name was heard (or the surname alone)."""

    start: int
    end: int
    key: str
    spelling: str
    full: bool


def sound_keys(word: str) -> frozenset[str]:
    """The consonant classes of a word's readings: blocking keys, one shared by the spellings
    of one name in every script (`Putin`, 普京, بوتين: PTN); `sounds_like` decides."""
    return frozenset(r.classes for r in readings(word))


def sound_key(word: str) -> str:
    """One of `sound_keys`, the shortest (then the first in order): Merkel's NKR (默克尔 drops
    the r), Putin's PTN; two spellings of one name may differ in it, never in `sound_keys`."""
    return min(sound_keys(word), key=lambda k: (len(k), k), default="")


def _agree(name: Reading, heard: Reading) -> bool:
    """Same consonant classes, every vowel slot shares a class (a script's may be one it adds,
    none), and one of them a vowel the script wrote (not one it leaves unwritten: دست, hand,
    is not `Test`), if the name has a vowel there and fewer than MIN_UNVOICED classes."""
    if name.classes != heard.classes:
        return False
    pairs = list(zip(name.vowels, heard.vowels, strict=True))
    if not all(a & b for a, b in pairs):
        return False
    voiced = [(a, b) for a, b in pairs if a - {NONE}]
    if not voiced or len(name.classes) >= MIN_UNVOICED:
        return True
    return any(UNWRITTEN not in b and (a & b) - {NONE} for a, b in voiced)


def sounds_like(spelling: str, written: str) -> bool:
    """Whether a word or name written in another script (`written`) sounds like a Latin
    `spelling` of a name: some reading of each agrees (see the module)."""
    heard = readings(written)
    return any(_agree(name, h) for name in readings(spelling) for h in heard)


# ---------------------------------------------------------------------------------------
# Finding names in a text (its spans: monitor.entities.soundspans)


@dataclass(frozen=True)
class _Entry:
    key: str
    spelling: str
    reading: Reading
    full: bool
    several: bool = False  # a full name of several words, which a pair of words may be
    syllables: int = 0  # the most syllables (Chinese characters) it may take (`_syllables`)
    apart: int = 1  # its capitalised words, which a script that spaces names writes apart
    given: frozenset[str] = frozenset()  # the first consonant classes of its other words
    own: tuple[Reading, ...] = ()  # the readings of its other words (its given names)
    others: tuple[Reading, ...] = ()  # given names of other known persons of its surname (`knowing`)


class SoundIndex:
    """Latin spellings of names, found by their sound in texts of scripts without capitals
    (see the module). Built once (per watch, per names stage), asked per text."""

    def __init__(self, names: Iterable[tuple[str, str]], alone: bool = True) -> None:
        """From (key, spelling) pairs: the key is what a heard span reports (an entity's key,
        a watch's name), the spelling a Latin name (`Vladimir Putin`, `Putin`). With `alone`
        False, a name of several words is found whole only (an organisation's, `Theresa May`)."""
        self._by_classes: dict[str, list[_Entry]] = {}
        self._by_pinyin: dict[str, list[_Entry]] = {}
        self._pinyin_prefixes: set[str] = set()
        self._prefixes: frozenset[str] = frozenset()  # of the keys' classes, to read a text's words by
        self._heads: frozenset[str] = frozenset()  # the keys' first HEAD classes
        self._fill(names, alone)
        self._derive()

    def _fill(self, names: Iterable[tuple[str, str]], alone: bool) -> None:
        for key, spelling in names:
            words = re.findall(r"[^\W\d_]+", spelling)
            if not words or not all(LATIN.match(w) for w in words):
                continue
            if len(words) > 1 and _REGNAL.fullmatch(words[-1]):
                # a regnal number other scripts translate (三世, سوم, 3세): the name without it,
                # heard with a surname's care (`Elizabeth II`: エリザベス, ელისაბედ)
                for reading in _kept(readings(" ".join(words[:-1])), MIN_CLASSES + 1):
                    self._add(_Entry(key, spelling, reading, False, syllables=_syllables(words[:-1])))
                continue
            full = " ".join(words)
            apart = min(MAX_RUN, sum(w[0].isupper() for w in words))
            for reading in _kept(readings(full)):
                self._add(_Entry(key, spelling, reading, True, len(words) > 1, _syllables(words), apart))
            for reading in _kept(_korean_readings(spelling, words)):
                self._add(_Entry(key, spelling, reading, True, True, _syllables(words), apart))
            if len(words) > 1 and all(_PINYIN_WORD.fullmatch(w.lower()) for w in words):
                # a name in pinyin, found as Chinese characters whose pinyin it is (习近平)
                letters = re.sub(r"[^a-z]", "", anyascii(full).lower())
                self._by_pinyin.setdefault(letters, []).append(_Entry(key, spelling, Reading("", ()), True))
                self._pinyin_prefixes.update(letters[:n] for n in range(1, len(letters) + 1))
            korean = _korean_order(spelling, words)
            if len(words) > 1 and alone and len(words[-1]) >= 3 and not _chinese(words) and not korean:
                own = tuple(r for w in words[:-1] for r in sorted(readings(w), key=_order))
                given = frozenset(r.classes[:1] for w in words[:-1] for r in readings(w))
                syllables = _syllables(words[-1:])
                for reading in _kept(readings(words[-1]), MIN_CLASSES + 1):
                    entry = _Entry(key, spelling, reading, False, syllables=syllables, given=given, own=own)
                    self._add(entry)

    @classmethod
    def joined(cls, indexes: Iterable[SoundIndex]) -> SoundIndex:
        """One index holding the names of all `indexes` (every watch's), asked once a text."""
        joined = cls(())
        for index in indexes:
            for classes, entries in index._by_classes.items():
                joined._by_classes.setdefault(classes, []).extend(entries)
            for letters, entries in index._by_pinyin.items():
                joined._by_pinyin.setdefault(letters, []).extend(entries)
            joined._pinyin_prefixes |= index._pinyin_prefixes
        joined._derive()
        return joined

    def knowing(self, persons: Iterable[Sequence[Sequence[str]]]) -> SoundIndex:
        """This index, whose surnames heard alone are not heard after the given name of another
        known person of the same surname: بيل كلينتون where `Bill Clinton` is known, for a
        watch of `Hillary Clinton`. `persons`: the installation's known persons, each as its
        spellings, a spelling as its words (`Liz Truss`, `Elizabeth Truss`); one whose given
        names hold the indexed name's is that person (`Karl Barry Sharpless` for `Barry
        Sharpless`), whose other given names tell no other person."""
        by_surname: dict[str, list[_Known]] = {}
        for spellings in persons:
            latin = [w for w in spellings if len(w) >= 2 and all(LATIN.match(x) for x in w)]
            given = tuple(r for words in latin for w in words[:-1] for r in _kept(readings(w)))
            if not given:
                continue
            words = frozenset(w.casefold() for spelling in latin for w in spelling[:-1])
            for surname in sorted({spelling[-1] for spelling in latin}):
                for reading in _kept(readings(surname), MIN_CLASSES + 1):
                    by_surname.setdefault(reading.classes, []).append(_Known(reading, words, given))
        if not by_surname:
            return self
        index = SoundIndex(())
        index._by_classes = {
            classes: [_with_others(entry, by_surname.get(classes, ())) for entry in entries]
            for classes, entries in self._by_classes.items()
        }
        index._by_pinyin, index._pinyin_prefixes = self._by_pinyin, self._pinyin_prefixes
        index._derive()
        return index

    def heard_keys(self, spans: SoundSpans) -> frozenset[str]:
        """The keys of every indexed name heard in a text's spans: a key is here when `find_in`
        of an index of its names alone finds it (the choice between overlapping spans of
        different names, which `find_in` makes, is not made: each name answers for itself)."""
        indices = sorted({i for head in self._heads for i in spans.by_head.get(head, ())})
        keys = {h.key for i in indices for h in self._heard(spans.candidates[i])}
        keys.update(h.key for h in self._pinyin(spans))
        return frozenset(keys)

    def _add(self, entry: _Entry) -> None:
        if len(entry.reading.classes) >= MIN_CLASSES:
            self._by_classes.setdefault(entry.reading.classes, []).append(entry)

    def _derive(self) -> None:
        """The keys' prefixes and heads, from the keys (once built: a frozenset grown entry by
        entry was copied each time)."""
        self._prefixes = frozenset(c[:n] for c in self._by_classes for n in range(len(c) + 1))
        self._heads = frozenset(c[:HEAD] for c in self._by_classes)

    def __bool__(self) -> bool:
        return bool(self._by_classes)

    def find(self, text: str, language: str | None = None) -> list[Heard]:
        """The spans of the text that sound like an indexed name, in the order of the text;
        where they overlap, a full name before a surname, then the longest. `language` is the
        article's (the scripts' rules go by the letters, but Arabic's prefixes: only in Arabic)."""
        return self.find_in(sound_spans(text, language))

    def find_in(self, spans: SoundSpans) -> list[Heard]:
        """`find` on a text's spans read once (`sound_spans`), for many indexes (watches)."""
        heard: list[Heard] = []
        within: list[tuple[int, Heard]] = []  # the words of the span, for full names
        # only the spans whose readings may start as a key does (its first HEAD classes)
        indices = sorted({i for head in self._heads for i in spans.by_head.get(head, ())})
        for candidate in (spans.candidates[i] for i in indices):
            for h in self._heard(candidate):
                heard.append(h)
                within.append((candidate.words, h))
        heard.extend(self._pinyin(spans))
        # a name found in some words takes no word more (`عمران خان`, not `عمران خان من`)
        pairs = [h for words, h in within if words >= 2 and h.full]
        heard = [
            h
            for h in heard
            if not any(p.key == h.key and h.start <= p.start and p.end <= h.end and p != h for p in pairs)
        ]
        chosen: list[Heard] = []
        taken: list[tuple[int, int]] = []
        for h in sorted(heard, key=lambda h: (not h.full, -(h.end - h.start), h.start, h.key)):
            if all(h.end <= s or h.start >= e for s, e in taken):
                chosen.append(h)
                taken.append((h.start, h.end))
        return sorted(chosen, key=lambda h: (h.start, h.key))

    def _heard(self, candidate: Candidate) -> Iterator[Heard]:
        """The indexed names of `least` consonant classes or more that a candidate span sounds
        like; for a `pair` of words, only full names of several words. A name of two classes
        (`Bush`, `Khan`) only where the script wrote every vowel slot as the name has it, none
        before and after its consonants where the name has none. A window of `syllables`
        characters (Chinese) only for a name that may take as many."""
        c = candidate
        heard = frozenset().union(*(read_units(u, c.empty, c.syllabic, self._prefixes) for u in c.variants))
        for reading in heard:
            if len(reading.classes) < c.least:
                continue
            for entry in self._by_classes.get(reading.classes, ()):
                if (c.pair and not entry.several) or c.syllables > entry.syllables:
                    continue
                if entry.full and c.apart and c.words < entry.apart:
                    continue  # هو تشي منه: a spaced script writes a full name's words apart
                if not entry.full and (c.common or (c.given and entry.given and not c.given & entry.given)):
                    continue  # トランプで遊ぶ (cards), 马克斯· (a given name); 弗雷德·特朗普 (Fred Trump)
                if not entry.full and entry.given and c.before and _given_name(c.before, entry.own):
                    continue  # فريد ترامب: Fred Trump
                if entry.others and c.before and _known_given(c.before, entry.others):
                    continue  # بيل كلينتون: Bill Clinton, a known person, for Hillary Clinton
                if not _agree(entry.reading, reading):
                    continue
                if len(reading.classes) <= MIN_CLASSES and not _exact(entry.reading, reading):
                    continue
                if not entry.full and not _voiced(entry.reading, reading):
                    continue
                yield Heard(c.start, c.end, entry.key, entry.spelling, entry.full)

    def _pinyin(self, spans: SoundSpans) -> Iterator[Heard]:
        """Windows of Chinese characters whose pinyin is a full name's letters (习近平)."""
        if not self._by_pinyin:
            return
        for base, chars, syllables in spans.han:
            for i in range(len(chars)):
                pinyin = syllables[i]
                for j in range(i + 2, min(len(chars), i + MAX_WINDOW) + 1):
                    if pinyin not in self._pinyin_prefixes:
                        break
                    pinyin += syllables[j - 1]
                    for entry in self._by_pinyin.get(pinyin, ()):
                        yield Heard(base + i, base + j, entry.key, entry.spelling, True)


@dataclass(frozen=True)
class _Known:
    """A known person of a surname (SoundIndex.knowing): its given names, as words and read."""

    surname: Reading
    words: frozenset[str]  # its given names, case-folded
    given: tuple[Reading, ...]


def _with_others(entry: _Entry, known: Iterable[_Known]) -> _Entry:
    """A surname's entry with the given names of the other known persons whose surname sounds
    as it does: not the indexed person's (a person whose given names hold its own), and none
    that sounds like its own."""
    if entry.full or not entry.given:
        return entry
    own_words = {w.casefold() for w in re.findall(r"[^\W\d_]+", entry.spelling)[:-1]}
    others = {
        name
        for person in known
        if _agree(entry.reading, person.surname) and not own_words <= person.words
        for name in person.given
        if not any(_agree(name, own) for own in entry.own)
    }
    return replace(entry, others=tuple(sorted(others, key=_order))) if others else entry


@lru_cache(maxsize=1)
def _given_names() -> dict[str, list[Reading]]:
    """Readings of common English given names (Faker's en_US list, from the US census) of
    MIN_CLASSES + 1 classes or more, by their classes: a word before a surname heard alone."""
    found: dict[str, list[Reading]] = {}
    for name in census_given_names():
        for reading in _kept(readings(name), MIN_CLASSES + 1):
            found.setdefault(reading.classes, []).append(reading)
    return found


@lru_cache(maxsize=1024)
def _given_name(word: str, own: tuple[Reading, ...] = ()) -> bool:
    """Whether a word of a spaced script sounds like a common given name, every vowel the name
    has between its consonants written (فريد, Fred; not وقال, and said, for Parker), and not
    like one of the surname's own given names (`own`): the surname heard after it is that other
    person's (فريد ترامب is not Donald Trump)."""
    heard = _heard_readings(word)
    if any(_agree(name, h) for name in own for h in heard):
        return False
    given = _given_names()
    return any(
        _agree(name, h) and _voiced(name, h, strict=True) for h in heard for name in given.get(h.classes, ())
    )


@lru_cache(maxsize=4096)
def _heard_readings(word: str) -> tuple[Reading, ...]:
    """A word of a script without capitals as it may sound (soundread.read_units)."""
    variants, empty, syllabic = units_of(word)
    return tuple(h for units in variants for h in read_units(units, empty, syllabic))


def _known_given(word: str, others: tuple[Reading, ...]) -> bool:
    """Whether a word sounds like the given name of another known person of the surname
    (`others`, SoundIndex.knowing): بيل before كلينتون where Bill Clinton is known. A given name
    of MIN_CLASSES classes or fewer (Bill, Eric) needs every vowel as it has it (`_exact`)."""
    return any(
        _agree(name, h) and (len(h.classes) > MIN_CLASSES or _exact(name, h))
        for h in _heard_readings(word)
        for name in others
    )


# Korean family names as their owners spell them in Latin letters (the Revised Romanization and
# older ones), and as Hangul writes them: a Korean name puts it first (`Lee Jae-myung`, 이재명;
# 이 drops the l, as Korean does at a word's start) and its given name is no surname alone.
_KOREAN_FAMILY = {
    "이": ("Lee", "Yi", "Rhee", "Ri", "Rhie"), "김": ("Kim", "Gim"), "박": ("Park", "Pak", "Bak"),
    "최": ("Choi", "Choe"), "정": ("Jung", "Chung", "Jeong"), "강": ("Kang", "Gang"), "조": ("Cho", "Jo"),
    "윤": ("Yoon", "Yun"), "장": ("Jang", "Chang"), "임": ("Lim", "Im", "Rim"), "한": ("Han",),
    "오": ("Oh", "O"), "서": ("Seo", "Suh"), "신": ("Shin", "Sin"), "권": ("Kwon", "Gwon"),
    "황": ("Hwang",), "안": ("Ahn", "An"), "송": ("Song",), "유": ("Yoo", "Yu", "Ryu", "Ryoo"),
    "류": ("Ryu", "Yoo"), "홍": ("Hong",), "문": ("Moon", "Mun"), "노": ("Roh", "Noh", "No"),
    "양": ("Yang",), "손": ("Son", "Sohn"), "배": ("Bae",), "백": ("Baek", "Paik"), "허": ("Heo", "Huh"),
    "남": ("Nam",), "심": ("Shim", "Sim"), "하": ("Ha",), "곽": ("Kwak",), "성": ("Sung", "Seong"),
    "차": ("Cha",), "주": ("Joo", "Ju"), "우": ("Woo", "U"), "구": ("Koo", "Ku", "Gu"), "나": ("Na", "Ra"),
}  # fmt: skip
_KOREAN_SPELLED = {
    latin.casefold(): hangul for hangul, spelled in _KOREAN_FAMILY.items() for latin in spelled
}


# A pinyin syllable (its initial, its final), to tell a Chinese name in pinyin (`Xi Jinping`)
_PINYIN_SYLLABLE = (
    "(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    "(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|ai|ei|ao|ou|an|en|in|un|ia|ie|iu|ua|uo|ui|ue|er|[aoeiu])"
)
_PINYIN_WORD = re.compile(f"(?:{_PINYIN_SYLLABLE})+")
_ONE_SYLLABLE = re.compile(_PINYIN_SYLLABLE)
_REGNAL = re.compile(r"(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3})")  # a regnal number, up to XXXIX


def _korean_order(spelling: str, words: list[str]) -> bool:
    """Whether a name is a Korean one, family name first: a Korean family name, then a given
    name of two syllables joined by a hyphen (`Lee Jae-myung`; not `Kim Kardashian`)."""
    return (
        len(words) == 3
        and words[0].casefold() in _KOREAN_SPELLED
        and (words[2][:1].islower() or f"{words[1]}-{words[2]}".casefold() in spelling.casefold())
    )


def _korean_readings(spelling: str, words: list[str]) -> frozenset[Reading]:
    """A Korean name as Hangul writes it: its family name in Hangul (이 for Lee), its given name
    read from its letters as Korean's romanization spells them (이재명 for `Lee Jae-myung`)."""
    if not _korean_order(spelling, words):
        return frozenset()
    return readings(_KOREAN_SPELLED[words[0].casefold()] + "".join(words[1:]).lower())


def _chinese(words: list[str]) -> bool:
    """Whether a name is a Chinese one in pinyin: a one-syllable family name first (`Xi
    Jinping`, `Jiang Zemin`), whose last word is a given name, not found alone."""
    folded = [w.lower() for w in words]
    return (
        len(words) > 1
        and _ONE_SYLLABLE.fullmatch(folded[0]) is not None
        and all(_PINYIN_WORD.fullmatch(w) for w in folded)
    )


def _kept(found: frozenset[Reading], least: int = MIN_CLASSES) -> list[Reading]:
    """A name's readings of `least` classes or more (a surname alone: three, `Khan` is too
    many words); those of MIN_CLASSES only where it has no longer one: `Bagnaia` (PKN) is not
    read PN (its gn an n) to be found as a short name."""
    longest = max((len(r.classes) for r in found), default=0)
    least = max(least, MIN_CLASSES + 1 if longest > MIN_CLASSES else MIN_CLASSES)
    return sorted((r for r in found if len(r.classes) >= least), key=_order)


def _order(reading: Reading) -> tuple[str, list[list[str]]]:
    """An order of readings that does not depend on a set's (a name's readings, the same each run)."""
    return reading.classes, sorted(map(sorted, reading.vowels))


def _syllables(words: list[str]) -> int:
    """The most syllables a name may take in Chinese, a character each: its vowels' runs, a
    consonant without a vowel after it (特 for the t of Trump), and one more (尼亚 for the ny
    of Netanyahu); `Messi` (梅西) is not 尼西亞西."""
    letters = re.sub(r"(.)\1+", r"\1", "".join(re.sub(r"[^a-z]", "", anyascii(w).lower()) for w in words))
    runs = len(re.findall("[aeiouy]+", letters))
    bare = len(re.findall("[^aeiouy](?![aeiouy])", letters))
    return runs + bare + 1


def _voiced(name: Reading, heard: Reading, strict: bool = False) -> bool:
    """Whether the vowels the name has between its consonants are written where the script
    leaves vowels unwritten, for a surname alone there (رشيد for Rashid, not راست, right,
    nor رسید, reached): all of them, all but one in a name of MIN_UNVOICED - 1 classes
    (گورباچف, Gorbachev), all but two in a longer one (پزشکیان, Pezeshkian: Persian writes
    neither e)."""
    pairs = zip(name.vowels[1:-1], heard.vowels[1:-1], strict=True)
    unwritten = sum(UNWRITTEN in b for a, b in pairs if NONE not in a)  # not a silent e (Charles)
    return unwritten <= (0 if strict else max(0, min(2, len(name.classes) - MIN_UNVOICED + 2)))


def _exact(name: Reading, heard: Reading) -> bool:
    """Every vowel slot written as the name has it (see SoundIndex._heard)."""
    return all(
        (a & b) and UNWRITTEN not in b and (a != {NONE} or b == {NONE} or 0 < i < len(name.vowels) - 1)
        for i, (a, b) in enumerate(zip(name.vowels, heard.vowels, strict=True))
    )
