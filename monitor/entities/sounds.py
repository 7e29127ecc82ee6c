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

`SoundIndex` finds indexed names (their full name and their surname) in a text: in spaced
scripts by words and runs of two or three words, without the script's clitics (Arabic ال و ب
ل in Arabic, Hebrew ה ו ב ל, Korean particles, Georgian, Tamil and Persian endings, Nepali
postpositions); in Chinese and Japanese by runs of characters (a katakana run whole, or two
joined by a middle dot; a Chinese window of characters that transliterations use, not
cutting a run of them, of no more characters than the name has syllables, or one whose
pinyin is the name's letters: 习近平 for Xi Jinping); in Thai by windows of letters that
start or end a run, or start after a title written onto the name (นายทรัมป์พบ). Precision
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
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import pairwise, product

from anyascii import anyascii

from monitor.entities.givennames import census_given_names
from monitor.entities.soundread import (
    EMPTY_SLOT,
    HANGUL,
    HEBREW,
    LATIN,
    MAX_WORD,
    NONE,
    UNWRITTEN,
    Reading,
    Unit,
    heads,
    read_units,
    readings,
    romanize,
    script_of,
    thai_units,
    units_of,
)
from monitor.entities.unspaced import JOINERS, _sound

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

MAX_TEXT = 20_000  # characters of a text read (the title and the start of the body)
MAX_WINDOW = 12  # characters of a Chinese or Thai window (a full name with its dot)
HEAD = 3  # first classes by which a text's spans are looked up in an index
MIN_CLASSES = 2  # consonant classes of a name found by itself (not inside its full name)

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
# Finding names in a text

# Characters Chinese uses for foreign sounds besides those of monitor.entities.unspaced (which
# leaves out the ones that often begin or end native words): a window of them may be a name.
_HAN_SOUNDS = frozenset(
    "京丁特唐德连登默马龙内胡顿宁科林比加图米金安多托翰逊苏汉宾布切丘楚戴道邓狄敦恩法范费福冈高哥格古"
    "哈海豪亨洪华怀惠霍杰康考肯孔昆劳黎李利刘隆路门孟明墨南彭皮平齐恰琼森沙山尚绍舍圣施什史舒松汤陶滕"
    "廷汀通万旺温文伍武西夏辛休许英于詹普朗泽拜尔斯基纳克罗梅佩查理白汗"
    "頓寧蘇漢賓邱戴鄧敦費馮岡黃懷惠傑康孔勞黎劉隆盧門孟彭齊喬瓊森紹聖施舒湯陶騰廷萬溫伍夏辛許詹連龍"
    "蓋爾羅蘭維亞斯達奧貝內諾麥馬蒙爾德卡拉利"
)
# Clitics glued to a name: prefixes (Arabic, Hebrew) and endings (Korean particles,
# Georgian and Tamil cases), longest first; a word keeps MIN_STEM letters without them.
_PREFIXES = {
    "abjad": ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك"),
    "hebrew": ("וה", "שה", "וב", "ול", "ומ", "כש", "מה", "לה", "בה", "ה", "ו", "ב", "ל", "מ", "ש", "כ"),
}
_SUFFIXES = {
    "abjad": ("های", "ها", "ی"),  # Persian plural and ezafe, Arabic -ha (her)
    "hangul": (
        "으로", "에게", "에서", "께서", "이다", "라고", "까지", "부터", "보다", "처럼", "은", "는", "이",
        "가", "을", "를", "의", "에", "와", "과", "도", "로", "만", "측", "씨",
    ),
    "georgian": ("ისთვის", "ისა", "ის", "მა", "ით", "ად", "ში", "ზე", "თან", "ს", "მ"),
    "brahmic": ("लाई", "को", "ले", "मा", "का", "की", "के", "ने"),  # Nepali and Hindi postpositions
    "tamil": ("ிற்குப்", "ுக்குப்", "க்குப்", "யின்", "வின்",
              "ிடமிருந்து", "ுக்கு", "ிற்கு", "ிடம்", "ுடன்", "க்கு", "ின்", "ால்", "ும்", "ை"),
}  # fmt: skip
MIN_STEM = 2  # characters a word keeps without its clitics
MAX_RUN = 4  # words of a full name in a row (كريستينا فرنانديز دي كيرشنر)
_ARABIC = frozenset({"ar", "arz", "ary", "apc", "acm", "afb", "ajp", "aeb", "arq", "ayl"})
_MARKS = (
    "\u200d\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u05b0-\u05c7\u0900-\u0dff\u0e00-\u0e7f"
)
_TOKEN = re.compile(f"(?:[^\\W\\d_]|[{_MARKS}])+")
_HAN_RUN = re.compile(f"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff{JOINERS}]+")
_KATAKANA_RUN = re.compile(f"[\u30a1-\u30fa\u30fc]+(?:[{JOINERS}][\u30a1-\u30fa\u30fc]+)?")
_THAI_PREPOSED_VOWEL = re.compile(r"[\u0e40-\u0e44]")  # written before its consonant: never last
_THAI_RUN = re.compile(r"[\u0e01-\u0e4e]+")
_THAI_FOLLOWING = re.compile(r"[\u0e30-\u0e3a\u0e45-\u0e4e]")  # vowel signs and marks after a consonant
MAX_THAI = 12  # letters of a Thai window
# Thai forms of address and titles written onto the name after them (นายทรัมป์, ประธานาธิบดีไบเดน,
# สมเด็จพระเจ้าชาลส์): a window may start where they end, a form of address at a run's start,
# a title of 6 letters or more anywhere in it (โดยมีสมเด็จพระเจ้าชาลส์). Not นาย before ก (นายก,
# the prime minister's short title).
_THAI_ADDRESS = re.compile("(?:นางสาว|นาง|นาย(?!ก))(?=[\u0e01-\u0e2e\u0e40-\u0e44])")
_THAI_TITLE = re.compile(
    "(?:สมเด็จพระราชินีนาถ|สมเด็จพระสันตะปาปา|สมเด็จพระสันตปาปา|สมเด็จพระเจ้า|พระราชินีนาถ|พระเจ้า"
    "|นายกรัฐมนตรี|รองประธานาธิบดี|ประธานาธิบดี|รัฐมนตรีว่าการ|รัฐมนตรี)(?=[\u0e01-\u0e2e\u0e40-\u0e44])"
)


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


def _spoken_script(word: str) -> str:
    """The script of a spaced word, for its clitics: abjad, hebrew, hangul, georgian, tamil..."""
    first = word[0]
    if HEBREW.match(first):
        return "hebrew"
    if HANGUL.match(first):
        return "hangul"
    if "\u10a0" <= first <= "\u10ff":
        return "georgian"
    if "\u0b80" <= first <= "\u0bff":
        return "tamil"
    return script_of(word)


def _stripped(word: str, script: str, language: str | None) -> Iterator[tuple[int, int]]:
    """The word's spans (offsets within it) without a clitic, the whole word first. Arabic's
    prefixes only in Arabic (or a text of unknown language): Persian's ف, ب start words."""
    yield 0, len(word)
    arabic = language is None or language.split("-")[0] in _ARABIC
    for prefix in _PREFIXES.get(script, ()) if script != "abjad" or arabic else ():
        if word.startswith(prefix) and len(word) - len(prefix) >= MIN_STEM + 1:
            yield len(prefix), len(word)
    for suffix in _SUFFIXES.get(script, ()):
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            yield 0, len(word) - len(suffix)


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

    def _heard(self, candidate: _Candidate) -> Iterator[Heard]:
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


@dataclass(frozen=True)
class _Candidate:
    """A span of a text that may be a name, read into units (see `sound_spans`)."""

    start: int
    end: int
    variants: tuple[tuple[Unit, ...], ...]
    empty: frozenset[str]
    syllabic: bool = False
    least: int = MIN_CLASSES  # classes of a name it may be
    pair: bool = False  # several words: only a full name of several words
    syllables: int = 0  # Chinese characters, which a name must be able to take
    words: int = 1
    heads: frozenset[str] = frozenset()  # its readings' first HEAD classes (soundread.heads)
    apart: bool = False  # in a script that writes a name's words apart (spaced, not Korean)
    given: frozenset[str] = frozenset()  # after a given name and a middle dot: its first classes
    before: str = ""  # the word before it, with only spaces between (spaced scripts)
    common: bool = False  # no surname alone: next to a word for playing cards (トランプで遊ぶ), or
    # a given name before a middle dot (马克斯·维斯塔潘)


@dataclass(frozen=True)
class SoundSpans:
    """A text's spans that may be names, read once for every index asked (`sound_spans`),
    and its runs of Chinese characters (start, characters, pinyin of each) for the pinyin."""

    candidates: tuple[_Candidate, ...]
    han: tuple[tuple[int, str, tuple[str, ...]], ...]
    by_head: dict[str, tuple[int, ...]] = field(default_factory=dict)  # first classes -> candidates


def sound_spans(text: str, language: str | None = None) -> SoundSpans:
    """The spans of a text (up to MAX_TEXT characters) that may be names, in every script
    SoundIndex reads (see the module); `language` is the article's."""
    text = text[:MAX_TEXT]
    before_cards, after_cards = _card_words(text)
    candidates = tuple(
        c
        if c.heads and not (c.end in before_cards or c.start in after_cards)
        else replace(
            c,
            heads=c.heads or heads(c.variants, c.empty, c.syllabic, HEAD),
            common=c.common or c.end in before_cards or c.start in after_cards,
        )
        for c in (*_spaced(text, language), *_han(text), *_kana(text), *_thai(text))
    )
    han = tuple(
        (run.start(), run[0], tuple(re.sub(r"[^a-z]", "", anyascii(c).lower()) for c in run[0]))
        for run in _HAN_RUN.finditer(text)
    )
    by_head: dict[str, list[int]] = {}
    for index, candidate in enumerate(candidates):
        for head in candidate.heads:
            by_head.setdefault(head, []).append(index)
    return SoundSpans(candidates, han, {head: tuple(found) for head, found in by_head.items()})


def _spaced(text: str, language: str | None) -> Iterator[_Candidate]:
    """Words, and runs of two or three words (a full name: شی جین پینگ), of spaced scripts,
    without their clitics."""
    row: list[tuple[int, int, list[tuple[int, int]]]] = []  # the words in a row: start, end, spans
    for match in _TOKEN.finditer(text):
        word = match.group(0)
        script = _spoken_script(word)
        if (
            len(word) > MAX_WORD
            or script in ("latin", "han", "kana", "thai")
            or _CASED.match(word)
            or _VERB.search(word)
        ):
            row = []
            continue
        # an abjad writes few vowels: two consonants are too many words there (خان, جامی)
        least = MIN_CLASSES + 1 if script in ("abjad", "hebrew") else MIN_CLASSES
        spans = [(match.start() + a, match.start() + b) for a, b in _stripped(word, script, language)]
        if row and text[row[-1][1] : match.start()].strip(" \u200c\xa0") != "":
            row = []
        before = text[row[-1][0] : row[-1][1]] if row else ""
        apart = script != "hangul"
        for start, end in spans:
            variants, empty, syllabic = units_of(text[start:end])
            yield _Candidate(start, end, variants, empty, syllabic, least, apart=apart, before=before)
        row = [*row[-(MAX_RUN - 1) :], (match.start(), match.end(), spans)]
        for first in range(len(row) - 1):
            yield from _joined(text, row[first:], apart)


def _joined(
    text: str, row: list[tuple[int, int, list[tuple[int, int]]]], apart: bool
) -> Iterator[_Candidate]:
    """Full names of several words in a row of words: the first maybe without a prefix, the
    last without an ending. Read word by word (each word's first letter is one)."""
    middle = [units_of(text[start:end])[0] for start, end, _ in row[1:-1]]
    for first_start, first_end in row[0][2]:
        if first_end != row[0][1]:
            continue
        first, empty, syllabic = units_of(text[first_start:first_end])
        for start, end in row[-1][2]:
            if start == row[-1][0]:
                parts = [first, *middle, units_of(text[start:end])[0]]
                variants = tuple(sum(combo, ()) for combo in product(*parts))
                opening = heads(first, empty, syllabic, HEAD)  # the first word's, if long enough
                known = opening if all(len(h) == HEAD for h in opening) else frozenset()
                yield _Candidate(
                    first_start,
                    end,
                    variants,
                    empty,
                    syllabic,
                    pair=True,
                    words=len(row),
                    heads=known,
                    apart=apart,
                )


def _han(text: str) -> Iterator[_Candidate]:
    """Windows of Chinese characters that transliterations use, not cutting a run of them."""
    for run in _HAN_RUN.finditer(text):
        chars = run.group(0)
        base = run.start()
        for i in range(len(chars)):
            if chars[i] in JOINERS or not _han_sound(chars[i]):
                continue
            for j in range(i + 2, min(len(chars), i + MAX_WINDOW) + 1):
                window = chars[i:j]
                if not (_han_sound(window[-1]) or window[-1] in JOINERS):
                    break
                if window[-1] in JOINERS:
                    continue
                # not inside a longer transliteration, unless a middle dot marks it a name's
                # and it is long enough to be one (维斯塔潘 before 提前, not 克里斯 of 克里斯特松)
                dotted = any(c in JOINERS for c in window) or (
                    i > 0 and chars[i - 1] in JOINERS and j - i >= 4
                )
                cut_before = i > 0 and _han_sound(chars[i - 1])
                cut_after = (
                    j < len(chars) and _han_sound(chars[j]) and not chars.startswith(_HAN_AFTER_NAMES, j)
                )
                if cut_before or (cut_after and not dotted):
                    continue
                size = sum(c not in JOINERS for c in window)
                # a window across a middle dot is a full name's, or none
                joined = any(c in JOINERS for c in window)
                variants, empty, syllabic = units_of(window)
                given: frozenset[str] = frozenset()
                if i > 1 and chars[i - 1] in JOINERS and _han_sound(chars[i - 2]):
                    first = i - 2
                    while first > 0 and _han_sound(chars[first - 1]) and i - first < MAX_WINDOW:
                        first -= 1
                    given = _given_classes(chars[first : i - 1])
                # before a middle dot and more of a name: the given name of a full name (马克斯·维斯
                #塔潘, Max Verstappen), no surname alone
                opening = j + 1 < len(chars) and chars[j] in JOINERS and _han_sound(chars[j + 1])
                yield _Candidate(
                    base + i, base + j, variants, empty, syllabic, pair=joined, syllables=size, given=given,
                    common=opening,
                )


# Words for playing cards and their games, after a word (Japanese, Korean, Hindi: トランプで遊ぶ,
# 트럼프 카드, ट्रम्प कार्ड) or before it (Hebrew, Thai: כרטיס טראמפ, ไพ่): a surname alone next
# to one is the borrowed common word (trump, トランプ: playing cards), not the person.
_CARD_AFTER = re.compile("(?:カード|ゲーム|で遊|遊び|占い|手品|카드|게임|놀이|कार्ड|पत्त)")
_CARD_BEFORE = re.compile("(?:כרטיס|קלפי|קלף|ไพ่)")
_SPACES = " \u00a0"


def _card_words(text: str) -> tuple[frozenset[int], frozenset[int]]:
    """Where a word before a card word ends, and where a word after one starts (`_CARD_AFTER`)."""
    before, after = set(), set()
    for match in _CARD_AFTER.finditer(text):
        at = match.start()
        while at > 0 and text[at - 1] in _SPACES:
            at -= 1
        before.add(at)
    for match in _CARD_BEFORE.finditer(text):
        at = match.end()
        while at < len(text) and text[at] in _SPACES:
            at += 1
        after.add(at)
    return frozenset(before), frozenset(after)


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


def _given_classes(part: str) -> frozenset[str]:
    """The consonant class a given name written before a middle dot starts with (弗雷德: P), to
    tell another person of the surname after it (Fred Trump); none where it starts with a vowel
    or a semivowel (雅伊尔 for Jair, 埃利乌德 for Eliud), whose first consonant tells nothing."""
    if not part or anyascii(part[0])[:1].lower() in ("", "a", "e", "i", "o", "u", "y", "w"):
        return frozenset()
    variants, empty, syllabic = units_of(part)
    return heads(variants, empty, syllabic, 1)


def _kana(text: str) -> Iterator[_Candidate]:
    """Katakana runs whole, alone or two joined by a middle dot (ドナルド・トランプ)."""
    for run in _KATAKANA_RUN.finditer(text):
        parts = re.split(f"[{JOINERS}]", run.group(0))
        spans = [(run.start(), run.end())] + (
            [(run.end() - len(parts[1]), run.end())] if len(parts) == 2 else []
        )
        for start, end in spans:
            variants, empty, syllabic = units_of(text[start:end])
            given = _given_classes(parts[0]) if start != run.start() else frozenset()
            yield _Candidate(start, end, variants, empty, syllabic, given=given)


def _thai(text: str) -> Iterator[_Candidate]:
    """Windows of Thai letters that start and end where a syllable may, one of them where the
    run of letters does (a space, a mark): Thai writes no space between words, and a window
    inside a run is as often pieces of two (งตำแห); or where a title or a form of address
    written onto the name ends (นายทรัมป์พบ, สมเด็จพระเจ้าชาลส์ที่), a surname or a one-word name
    only there. Two runs with a space between may be a full name (สี จิ้นผิง), and the run
    before a run is its word before (a given name: บิล คลินตัน)."""
    runs = list(_THAI_RUN.finditer(text))
    units = {run.start(): thai_units(run[0]) for run in runs}
    empty = EMPTY_SLOT["thai"]
    for before, after in pairwise(runs):  # a full name, its words spaced: one of them whole
        if text[before.end() : after.start()] != " ":
            continue
        first, second = before[0], after[0]
        ones, twos = units[before.start()], units[after.start()]
        joins = {(i, len(second)) for i in range(max(0, len(first) - MAX_THAI), len(first) - 1)}
        if len(first) <= MAX_THAI:
            joins |= {(0, j) for j in range(2, min(len(second), MAX_THAI) + 1)}
        for i, j in sorted(joins):
            if _THAI_FOLLOWING.match(first[i]) or _thai_cut(second, j):
                continue
            read = (sum(ones[i:], ()) + sum(twos[:j], ()),)
            yield _Candidate(before.start() + i, after.start() + j, read, empty, least=3, pair=True, words=2)
    previous = None
    for run in runs:
        letters = run.group(0)
        size = len(letters)
        # the run before, where only a space parts them: a given name (บิล before คลินตัน)
        spaced = previous is not None and text[previous.end() : run.start()].strip(_SPACES) == ""
        word_before = previous[0] if previous is not None and spaced else ""
        previous = run
        edges = {(0, j) for j in range(2, min(size, MAX_THAI) + 1)}
        edges |= {(i, size) for i in range(max(0, size - MAX_THAI), size - 1)}
        addressed = _THAI_ADDRESS.match(letters)  # a name after a title glued to it (นายทรัมป์พบ)
        opens = [m.end() for m in _THAI_TITLE.finditer(letters)] + ([addressed.end()] if addressed else [])
        edges |= {(at, j) for at in opens for j in range(at + 2, min(size, at + MAX_THAI) + 1)}
        for i, j in sorted(edges):
            if _THAI_FOLLOWING.match(letters[i]) or _thai_cut(letters, j):
                continue
            read = (sum(units[run.start()][i:j], ()),)
            at = run.start()
            # after a title: a surname or a one-word name, not a full name, whose
            # words Thai writes apart (สวีเดนห, of Sweden, is not Joe Biden)
            heard_after = "" if i else word_before
            yield _Candidate(at + i, at + j, read, empty, least=3, before=heard_after, apart=i in opens)


_CASED = re.compile(r"[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]")  # Latin, Greek, Cyrillic: names.py's

# Chinese words that follow a name and start with a character transliterations also use (于 at,
# 通话 a call, 拜访 a visit, 达成 reach, 夫人 wife): a window may end before them (与普京通话)
_HAN_AFTER_NAMES = ("于", "通话", "通电话", "通過", "通过", "拜访", "拜訪", "达成", "達成", "夫人")

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


# Letters of the scripts SoundIndex reads: Arabic, Hebrew, Indic, Thai, Georgian, kana, Han, Hangul
_SOUNDED = re.compile(
    "[\u0590-\u06ff\u0750-\u077f\u0900-\u0dff\u0e00-\u0e7f\u10a0-\u10ff\u3040-\u30ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\ufb1d-\ufdff\ufe70-\ufeff]"
)


def sounded(text: str) -> bool:
    """Whether the text holds letters of a script that SoundIndex reads (a cheap test first)."""
    return _SOUNDED.search(text) is not None


# A pinyin syllable (its initial, its final), to tell a Chinese name in pinyin (`Xi Jinping`)
_PINYIN_SYLLABLE = (
    "(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    "(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|ai|ei|ao|ou|an|en|in|un|ia|ie|iu|ua|uo|ui|ue|er|[aoeiu])"
)
_PINYIN_WORD = re.compile(f"(?:{_PINYIN_SYLLABLE})+")
_ONE_SYLLABLE = re.compile(_PINYIN_SYLLABLE)
# A Korean word in a verb's or adjective's plain ending (했다, 되었다, 있다): no name
_REGNAL = re.compile(r"(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3})")  # a regnal number, up to XXXIX
_VERB = re.compile(r"[\uac00-\ud7af]다$")


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


def _thai_cut(letters: str, end: int) -> bool:
    """Whether Thai letters cut at `end` split a syllable: a vowel sign or mark follows, or a
    vowel written before its consonant ends it."""
    return (end < len(letters) and _THAI_FOLLOWING.match(letters[end]) is not None) or (
        end > 0 and _THAI_PREPOSED_VOWEL.match(letters[end - 1]) is not None
    )


def _han_sound(char: str) -> bool:
    return _sound(char) or char in _HAN_SOUNDS
