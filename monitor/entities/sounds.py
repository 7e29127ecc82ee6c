"""Names heard across scripts: a Latin spelling (`Putin`, `Donald Trump`) found where a text
in a script without capitals writes it as it sounds (普京, プーチン, 푸틴, بوتين, פוטין, पुतिन,
ปูติน, პუტინი, புதின், ترامپ, 特朗普, トランプ, 트럼프). Pure: spellings and a text in, spans out.

Europe Media Monitor's way: one normalised form per name, compared across scripts. A word is
romanised (`romanize`: anyascii, after the few script rules it lacks) and read (`readings`)
as consonant classes with the vowels between them:

- consonants by class, the ones transliterations swap in one class: p b f v (Arabic has no p
  nor v, Hebrew writes p and f alike), t d th, k g q kh, s z sh ch j ts (Chinese, Japanese and
  Korean write one for many), m n ng (Hindi's anusvara, Chinese finals), r l (Japanese,
  Korean and Chinese have one liquid); h, and the semivowels y and w, are vowels here;
  a class written twice in a row is written once (`Xi Jinping`, 시진핑: S N P N);
- vowels by class: front (i, e, y), back (o, u, w), open (a), or none. A Latin spelling's
  vowels read as English spells them (`Trump`: u in a closed syllable is also a; `Biden`: i
  in an open one also ai); a script's vowels as it writes them, each maybe a vowel that
  the script adds and the Latin spelling lacks (Japanese u and o after a consonant, Korean
  으 eu, Chinese 特 te for a t, Tamil's and Hindi's lost inherent a); where a script does
  not write a short vowel (Arabic, Persian, Urdu, Hebrew) any vowel may stand there;
- a Latin spelling's ambiguous letters give several readings (ch: S or K, g before e or i:
  K or S, a coda r or l: heard or not, as Chinese drops it: 默克尔 Merkel, 唐纳德 Donald);
  so do a script's (Chinese j and q stand for a palatal t, k or ch: 普京 Putin, 基 ki).

Two readings agree when their consonant classes are the same and every vowel slot but the
last (where scripts add endings and epenthetic vowels: Georgian -ი) shares a class: `Putin`
is not Peyton (佩顿, بيتون: a front vowel where Putin has u) nor Biden (拜登), though all
three are P T N. `sound_key` is the consonant classes alone: a blocking key, equal for
every spelling of a name, that `sounds_like` then decides.

`SoundIndex` finds indexed names (their full name and their surname) in a text: in spaced
scripts by words and word pairs, without the script's clitics (Arabic ال و ب ل, Hebrew ה ו ב
ל, Korean particles, Georgian and Tamil case endings); in Chinese and Japanese by runs of
characters (a katakana run whole, or two joined by a middle dot; a Chinese window of
characters that transliterations use, not cutting a run of them, or one whose pinyin is the
name's letters: 习近平 for Xi Jinping); in Thai by windows of letters. Precision first: a name
of fewer than two consonant classes is found only as its full name, and every text is read
up to MAX_TEXT characters, a word up to MAX_WORD letters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import product

from anyascii import anyascii

from monitor.entities.unspaced import JOINERS, _sound

__all__ = [
    "MAX_TEXT",
    "MAX_WORD",
    "Heard",
    "Reading",
    "SoundIndex",
    "readings",
    "romanize",
    "sound_key",
    "sound_keys",
    "sounded",
    "sounds_like",
]

MAX_TEXT = 20_000  # characters of a text read (the title and the start of the body)
MAX_WORD = 24  # letters of a word read; a longer one is no name
MAX_READINGS = 32  # readings of one word or span kept
MAX_WINDOW = 9  # characters of a Chinese or Thai window (a full name with its dot)
MIN_CLASSES = 2  # consonant classes of a name found by itself (not inside its full name)

_FRONT, _BACK, _OPEN, _NONE = "F", "B", "A", "0"
_UNWRITTEN = "?"  # marks a slot whose vowel the script does not write
_ANY = frozenset({_FRONT, _BACK, _OPEN, _NONE, _UNWRITTEN})
MIN_UNVOICED = 5  # consonant classes of a name found where the script writes none of its vowels

# Scripts, by the first letter of a word
_ABJAD = re.compile(r"[\u0590-\u05ff\u0600-\u06ff\u0750-\u077f\ufb1d-\ufdff\ufe70-\ufeff]")
_HEBREW = re.compile(r"[\u0590-\u05ff\ufb1d-\ufb4f]")
_BRAHMIC = re.compile(r"[\u0900-\u0dff]")  # Devanagari to Sinhala: an inherent a may be lost
_DRAVIDIAN = re.compile(r"[\u0b80-\u0d7f]")  # Tamil to Malayalam: vowels added to clusters
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KATAKANA = re.compile(r"[\u30a1-\u30fa\u30fc]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")

# Per script, what an unwritten vowel may be
# (Indic scripts: the inherent a, a schwa, that anyascii leaves out before a conjunct: मर्केल mrkel)
_EMPTY_SLOT = {"abjad": _ANY, "brahmic": frozenset({_OPEN, _FRONT, _NONE}), "thai": _ANY}


@dataclass(frozen=True)
class Reading:
    """A word as it sounds: its consonant classes, and per class the vowels before it, then
    the vowels after the last (one slot more than classes)."""

    classes: str
    vowels: tuple[frozenset[str], ...]


@dataclass(frozen=True)
class Heard:
    """A span of a text that sounds like an indexed name: where, the name's key and spelling,
    and whether the full name was heard (or the surname alone)."""

    start: int
    end: int
    key: str
    spelling: str
    full: bool


# ---------------------------------------------------------------------------------------
# Romanisation


_THAI_PREPOSED = re.compile(r"([\u0e40-\u0e44])([\u0e01-\u0e2e])")
_HEBREW_LETTERS = str.maketrans(
    {"ו": "w", "ב": "b", "פ": "p", "ף": "p", "כ": "k", "ך": "k", "ח": "h", "ע": "'", "א": "'"}
)
_ARABIC_LETTERS = str.maketrans(
    {"ا": "a", "أ": "a", "إ": "i", "آ": "a", "ى": "a", "ة": "a", "ع": "'", "ء": "", "ئ": "y", "ؤ": "w"}
    | {"ھ": "", "ہ": "h"}
)


@lru_cache(maxsize=65536)
def romanize(text: str) -> str:
    """The text in ASCII letters, as anyascii spells it, after the rules it lacks: Thai vowels
    written before their consonant are read after it (ไบเดน: baiden); Hebrew ו is a vowel, ב
    b, פ p (וו is v); Arabic alef is a; a mark (Georgian ejectives, Hindi nukta) is left out."""
    if _THAI.search(text):
        text = _THAI_PREPOSED.sub(r"\2\1", text)
    if _HEBREW.search(text):
        text = text.replace("וו", "v").translate(_HEBREW_LETTERS)
    elif _ABJAD.search(text):
        text = text.translate(_ARABIC_LETTERS)
    if _HAN.search(text):
        return anyascii(text)
    return (
        re.sub(r"[^A-Za-z']+", "", anyascii(text))
        if _ABJAD.search(text)
        else re.sub(r"[^A-Za-z]+", "", anyascii(text))
    )


# ---------------------------------------------------------------------------------------
# Reading: letters to units (alternatives of consonant classes and vowel marks)

# A unit is a tuple of alternatives; an alternative a string of consonant classes (capitals)
# and vowel classes (F B A); "" is nothing.
_Unit = tuple[str, ...]

_LETTER = {
    "p": "P", "b": "P", "f": "P", "v": "P",
    "t": "T", "d": "T",
    "k": "K", "g": "K", "q": "K",
    "s": "S", "z": "S", "j": "S",
    "m": "N", "n": "N",
    "r": "R", "l": "R",
    "h": "",
}  # fmt: skip
_VOWEL = {"a": "A", "e": "F", "i": "F", "o": "BA", "u": "B", "y": "F", "w": "B"}
_DIGRAPHS = (
    ("sch", ("S",)), ("tch", ("S",)), ("sh", ("S",)), ("zh", ("S",)), ("ch", ("S", "K")), ("kh", ("K",)),
    ("gh", ("K", "")), ("ph", ("P",)), ("th", ("T",)), ("dh", ("T",)), ("ts", ("S",)), ("tz", ("S",)),
    ("ck", ("K",)), ("ng", ("N", "NK")), ("qu", ("KB",)), ("x", ("KS",)),
)  # fmt: skip
_VOWELS = set("aeiouyw")
# A script's vowel letters say what they sound: its o is no English u (Johnson, Trump)
_WRITTEN_VOWEL = _VOWEL | {"o": "B"}


def _latin_units(word: str) -> list[_Unit]:
    """A Latin spelling read as English spells names (see the module)."""
    letters = re.sub(r"[^a-z]", "", anyascii(word).lower())
    units: list[_Unit] = []
    at = 0
    while at < len(letters):
        rest = letters[at:]
        digraph = next(((d, alts) for d, alts in _DIGRAPHS if rest.startswith(d)), None)
        letter = rest[0]
        after = rest[1:2]
        if digraph is not None:
            d, alts = digraph
            if d == "x" and at == 0:
                alts = ("S",)
            units.append(alts)
            at += len(d)
            continue
        if letter in "yw" and after and after not in _VOWELS and at > 0:
            units.append((_VOWEL[letter],))  # a vowel (Peyton, Dawson)
        elif letter in _VOWELS:
            units.append((_latin_vowel(letters, at),))
        elif letter == "c":
            units.append(("S",) if after in ("e", "i", "y") else ("K",))
        elif letter == "g" and after in ("e", "i", "y"):
            units.append(("K", "S"))
        elif letter in "rl" and at > 0 and letters[at - 1] in _VOWELS and after and after not in _VOWELS:
            units.append(("R", ""))  # a coda liquid, which Chinese drops (默克尔, 唐纳德)
        else:
            units.append((_LETTER.get(letter, ""),))
        at += 1
    return units


def _latin_vowel(letters: str, at: int) -> str:
    """The vowel classes of a Latin vowel: u in a closed syllable is also a (`Trump`), i in
    an open one also a (the ai of `Biden`)."""
    letter = letters[at]
    classes = _VOWEL[letter]
    following = letters[at + 1 : at + 3]
    closed = len(following) == 2 and following[0] not in _VOWELS and following[1] not in _VOWELS
    open_syllable = len(following) == 2 and following[0] not in _VOWELS and following[1] in _VOWELS
    if letter == "u" and (closed or len(following) == 1):
        classes += "A"
    if letter == "i" and open_syllable:
        classes += "A"
    if letter == "e" and at == len(letters) - 1 and at > 0 and letters[at - 1] not in _VOWELS:
        classes += _NONE  # a silent final e (`Pence`, `Blaise`)
    return classes


def _script_units(romanized: str, script: str) -> list[_Unit]:
    """A romanised word of a script read: as Latin letters, with the script's own rules."""
    if script == "han":
        return _pinyin_units(romanized)
    letters = romanized.lower()
    units: list[_Unit] = []
    at = 0
    while at < len(letters):
        rest = letters[at:]
        letter = rest[0]
        if script == "abjad" and letter == "'":
            units.append(("FBA",))  # ع, א: a vowel's carrier, any vowel
            at += 1
            continue
        if script == "abjad" and letter in "yw":
            # a vowel; a first و, ו may be a consonant, v or w (ولادیمیر, Vladimir)
            units.append(("P", "B") if letter == "w" and at == 0 else (_VOWEL[letter],))
            at += 1
            continue
        if script == "kana" and rest.startswith(("chi", "tsu", "ji")):
            units.append(("T", "S"))  # Japanese writes ti and tu as chi and tsu
            at += 2 if rest.startswith("ji") else 2 + (rest[1] == "s")
            continue
        if script == "kana" and letter == "f":
            units.append(("P", ""))  # フ is fu and hu (ネタニヤフ, Netanyahu)
            at += 1
            continue
        if script == "abjad" and rest.startswith(("th", "dh")):
            units.append(("T", "S"))
            at += 2
            continue
        if script == "abjad" and letter == "j":
            units.append(("S", "K"))  # ج is g in Egypt and in many borrowed names
            at += 1
            continue
        digraph = next(((d, alts) for d, alts in _DIGRAPHS if rest.startswith(d)), None)
        if digraph is not None:
            d, alts = digraph
            units.append(("N",) if d == "ng" else ("S",) if d == "ch" else alts)
            at += len(d)
            continue
        if rest.startswith(("eo", "ae")):
            units.append(("AB" if rest[1] == "o" else "FA",))  # Korean ㅓ (an English u, a schwa), ㅐ
            at += 2
            continue
        if letter in _VOWEL:
            units.append((_WRITTEN_VOWEL[letter],))
        elif letter == "c":
            units.append(("S",))
        else:
            units.append((_LETTER.get(letter, ""),))
        at += 1
    return units


_PINYIN = re.compile(r"[A-Z][a-z]*|[a-z]+")
_INITIAL = re.compile(r"^(zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?")
_PINYIN_INITIAL: dict[str, _Unit] = {
    "b": ("P",), "p": ("P",), "f": ("P",), "m": ("N",), "d": ("T",), "t": ("T",), "n": ("N",),
    "l": ("R",), "g": ("K",), "k": ("K",), "h": ("",), "j": ("S", "K", "T"), "q": ("S", "K", "T"),
    "x": ("S",), "zh": ("S",), "ch": ("S",), "sh": ("S",), "r": ("R", "S"), "z": ("S",),
    "c": ("S",), "s": ("S",), "y": ("F",), "w": ("B",), "": ("",),
}  # fmt: skip


def _pinyin_units(romanized: str) -> list[_Unit]:
    """Chinese characters' pinyin (as anyascii spells it, a capital per syllable) read by
    syllables: an initial, a vowel of the final's class, and its n or ng (see the module)."""
    units: list[_Unit] = []
    for syllable in _PINYIN.findall(romanized):
        syllable = syllable.lower()
        initial = _INITIAL.match(syllable)
        head = initial.group(0) if initial else ""
        final = syllable[len(head) :]
        units.append(_PINYIN_INITIAL.get(head, ("",)))
        nasal = final.endswith(("n", "ng")) and len(final) > 1
        vowels = final.rstrip("ng") if nasal else final
        if vowels == "er" or (vowels.endswith("r") and len(vowels) > 1):
            units.append(("FBA",))
            units.append(("R",))
        elif ("e" in vowels and "i" not in vowels and "u" not in vowels) or vowels == "o":
            units.append(("FBA",))  # a schwa: any vowel, or one Chinese adds (特 te for t, 默 mo for mer)
        else:
            classes = "".join(sorted({c for v in vowels for c in _VOWEL.get(v, "")}))
            if head in ("j", "q", "x", "y") and "u" in vowels:
                classes = classes.replace("B", "F")  # ü
            units.append((classes or "FBA",))
        if nasal:
            units.append(("N",))
    return units


def _expand(
    units: list[_Unit], empty: frozenset[str], epenthetic: bool = False, syllabic: bool = False
) -> frozenset[Reading]:
    """The readings of a word's units (at most MAX_READINGS)."""
    found: set[Reading] = set()
    choices = [u for u in units if u != ("",)]
    for combo in product(*choices):
        found.update(_fold("".join(combo), empty, epenthetic, syllabic))
        if len(found) >= MAX_READINGS:
            break
    return frozenset(found)


def _fold(marks: str, empty: frozenset[str], epenthetic: bool, syllabic: bool) -> list[Reading]:
    """Classes and vowel slots from a string of marks. One class written twice in a row is
    written once; in a syllabic script (Chinese, Japanese, Korean) also with a vowel between,
    which may be one the script adds (特朗普 after 唐纳德: the d of Donald and the T of Trump)."""
    states: list[tuple[str, tuple[frozenset[str], ...]]] = [("", (frozenset(),))]
    for mark in marks:
        if not (mark.isupper() and mark not in "FBA"):
            states = [(c, (*v[:-1], v[-1] | {mark})) for c, v in states]
            continue
        grown = []
        for classes, vowels in states:
            if classes.endswith(mark) and not vowels[-1]:
                grown.append((classes, vowels))  # a double
                continue
            grown.append((classes + mark, (*vowels, frozenset())))
            if syllabic and classes.endswith(mark):
                grown.append((classes, (*vowels[:-1], frozenset())))
        states = grown[:MAX_READINGS]
    # Before the first consonant and after the last, no vowel written is none: every script
    # writes a first vowel (Arabic and Hebrew on a carrier: أ, ع, א), and a foreign name's last
    # (أوباما, נתניהו)
    edge = frozenset({_NONE})
    return [
        Reading(
            classes,
            tuple(
                _slot(v, edge if i in (0, len(vowels) - 1) else empty, epenthetic)
                for i, v in enumerate(vowels)
            ),
        )
        for classes, vowels in states
    ]


def _slot(vowels: frozenset[str], empty: frozenset[str], epenthetic: bool) -> frozenset[str]:
    """A vowel slot: its classes, or what an unwritten vowel may be; in a script that adds
    vowels to break clusters (Chinese, Japanese, Korean, Tamil: 트럼프, டிரம்ப்), also none."""
    got = vowels or empty
    return got | {_NONE} if epenthetic else got


def _script(word: str) -> str:
    for char in word:
        if _HAN.match(char):
            return "han"
        if _KATAKANA.match(char) or "\u3040" <= char <= "\u309f":
            return "kana"
        if _ABJAD.match(char):
            return "abjad"
        if _BRAHMIC.match(char):
            return "brahmic"
        if _THAI.match(char):
            return "thai"
        if char.isalpha():
            return "latin" if _LATIN.match(char) else "other"
    return "other"


@lru_cache(maxsize=65536)
def readings(word: str) -> frozenset[Reading]:
    """How a word (or a full name, its words run together) may sound: a Latin spelling read
    as English spells names, a word of another script as it writes sounds (see the module)."""
    word = unicodedata.normalize("NFC", word)[: MAX_WORD * 3]
    script = _script(word)
    if script == "latin":
        units = [u for w in re.findall(r"[^\W\d_]+", word) for u in _latin_units(w)]
        return _expand(units, frozenset({_NONE}))
    empty = _EMPTY_SLOT.get(script, frozenset({_NONE}))
    syllabic = script in ("han", "kana") or bool(_HANGUL.search(word))
    epenthetic = syllabic or bool(_DRAVIDIAN.search(word))
    found = _expand(_script_units(romanize(word), script), empty, epenthetic, syllabic)
    if word.endswith("ი") and len(word) > 2:  # Georgian's nominative ending (პუტინი, Putin)
        found |= readings(word[:-1])
    return found


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
    voiced = [(a, b) for a, b in pairs if a - {_NONE}]
    if not voiced or len(name.classes) >= MIN_UNVOICED:
        return True
    return any(_UNWRITTEN not in b and (a & b) - {_NONE} for a, b in voiced)


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
    "廷汀通万旺温文伍武西夏辛休许英于詹普朗泽拜尔斯基纳克罗梅佩"
    "頓寧蘇漢賓邱戴鄧敦費馮岡黃懷惠傑康孔勞黎劉隆盧門孟彭齊喬瓊森紹聖施舒湯陶騰廷萬溫伍夏辛許詹連龍"
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
    "georgian": ("ისთვის", "ისა", "ის", "მა", "ით", "ად", "ში", "ზე", "თან", "ს"),
    "tamil": ("ிடமிருந்து", "ுக்கு", "ிற்கு", "ிடம்", "ுடன்", "க்கு", "ின்", "ால்", "ும்", "ை"),
}  # fmt: skip
MIN_STEM = 2  # characters a word keeps without its clitics
_MARKS = "\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u05b0-\u05c7\u0900-\u0dff\u0e00-\u0e7f"
_TOKEN = re.compile(f"(?:[^\\W\\d_]|[{_MARKS}])+")
_HAN_RUN = re.compile(f"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff{JOINERS}]+")
_KATAKANA_RUN = re.compile(f"[\u30a1-\u30fa\u30fc]+(?:[{JOINERS}][\u30a1-\u30fa\u30fc]+)?")
_THAI_PREPOSED_VOWEL = re.compile(r"[\u0e40-\u0e44]")  # written before its consonant: never last
_THAI_RUN = re.compile(r"[\u0e01-\u0e4e]+")
_THAI_FOLLOWING = re.compile(r"[\u0e30-\u0e3a\u0e45-\u0e4e]")  # vowel signs and marks after a consonant
MAX_THAI = 12  # letters of a Thai window


@dataclass(frozen=True)
class _Entry:
    key: str
    spelling: str
    reading: Reading
    full: bool
    several: bool = False  # a full name of several words, which a pair of words may be
    syllables: int = 0  # the most syllables (Chinese characters) it may take (`_syllables`)


def _spoken_script(word: str) -> str:
    """The script of a spaced word, for its clitics: abjad, hebrew, hangul, georgian, tamil..."""
    first = word[0]
    if _HEBREW.match(first):
        return "hebrew"
    if _HANGUL.match(first):
        return "hangul"
    if "\u10a0" <= first <= "\u10ff":
        return "georgian"
    if "\u0b80" <= first <= "\u0bff":
        return "tamil"
    return _script(word)


def _stripped(word: str, script: str) -> Iterator[tuple[int, int]]:
    """The word's spans (offsets within it) without a clitic, the whole word first."""
    yield 0, len(word)
    for prefix in _PREFIXES.get(script, ()):
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
        for key, spelling in names:
            words = re.findall(r"[^\W\d_]+", spelling)
            if not words or not all(_LATIN.match(w) for w in words):
                continue
            full = " ".join(words)
            for reading in readings(full):
                self._add(_Entry(key, spelling, reading, True, len(words) > 1, _syllables(words)))
            if len(words) > 1:
                letters = re.sub(r"[^a-z]", "", anyascii(full).lower())
                self._by_pinyin.setdefault(letters, []).append(_Entry(key, spelling, Reading("", ()), True))
                self._pinyin_prefixes.update(letters[:n] for n in range(1, len(letters) + 1))
                if alone and len(words[-1]) >= 3 and not _chinese(words):
                    for reading in readings(words[-1]):
                        self._add(_Entry(key, spelling, reading, False, syllables=_syllables(words[-1:])))

    def _add(self, entry: _Entry) -> None:
        if len(entry.reading.classes) >= MIN_CLASSES:
            self._by_classes.setdefault(entry.reading.classes, []).append(entry)

    def __bool__(self) -> bool:
        return bool(self._by_classes)

    def find(self, text: str, language: str | None = None) -> list[Heard]:
        """The spans of the text that sound like an indexed name, the longest where they
        overlap, in the order of the text. `language` is the article's (unused by the
        scripts' rules so far, which go by the letters; kept for the languages to come)."""
        del language
        text = text[:MAX_TEXT]
        heard = [*self._spaced(text), *self._han(text), *self._kana(text), *self._thai(text)]
        chosen: list[Heard] = []
        taken: list[tuple[int, int]] = []
        for h in sorted(heard, key=lambda h: (-(h.end - h.start), not h.full, h.start, h.key)):
            if all(h.end <= s or h.start >= e for s, e in taken):
                chosen.append(h)
                taken.append((h.start, h.end))
        return sorted(chosen, key=lambda h: (h.start, h.key))

    def _heard(
        self,
        written: str,
        start: int,
        end: int,
        least: int = MIN_CLASSES,
        pair: bool = False,
        syllables: int = 0,
    ) -> Iterator[Heard]:
        """The indexed names of `least` consonant classes or more that `written` (at
        start:end) sounds like; for a `pair` of words, only full names of several words. A
        name of two classes (`Bush`, `Khan`) only where the script wrote every vowel slot as
        the name has it, none before and after its consonants where the name has none. A
        window of `syllables` characters (Chinese) only for a name that may take as many."""
        for reading in readings(written):
            if len(reading.classes) < least:
                continue
            for entry in self._by_classes.get(reading.classes, ()):
                if (pair and not entry.several) or syllables > entry.syllables:
                    continue
                if not _agree(entry.reading, reading):
                    continue
                if len(reading.classes) <= MIN_CLASSES and not _exact(entry.reading, reading):
                    continue
                yield Heard(start, end, entry.key, entry.spelling, entry.full)

    def _spaced(self, text: str) -> Iterator[Heard]:
        """Words and pairs of words of spaced scripts, without their clitics."""
        tokens = [m for m in _TOKEN.finditer(text) if len(m.group(0)) <= MAX_WORD]
        previous: tuple[int, list[tuple[int, int]]] | None = None
        for match in tokens:
            word = match.group(0)
            script = _spoken_script(word)
            if script in ("latin", "han", "kana", "thai") or _CASED.match(word) or _VERB.search(word):
                previous = None
                continue
            # an abjad writes few vowels: two consonants are too many words there (خان, جامی)
            least = MIN_CLASSES + 1 if script in ("abjad", "hebrew") else MIN_CLASSES
            spans = [(match.start() + a, match.start() + b) for a, b in _stripped(word, script)]
            for start, end in spans:
                yield from self._heard(text[start:end], start, end, least)
            if previous is not None and text[previous[0] : match.start()].strip(" \u200c\xa0") == "":
                for first_start, _ in previous[1]:
                    for start, end in spans:
                        if start == match.start():
                            joined = text[first_start : previous[0]] + text[start:end]
                            yield from self._heard(joined, first_start, end, pair=True)
            previous = (match.end(), [s for s in spans if s[1] == match.end()])

    def _han(self, text: str) -> Iterator[Heard]:
        """Windows of Chinese characters: pinyin spelling a full name, or characters of
        transliterations that do not cut a run of them."""
        for run in _HAN_RUN.finditer(text):
            chars = run.group(0)
            base = run.start()
            syllables = [re.sub(r"[^a-z]", "", anyascii(c).lower()) for c in chars]
            for i in range(len(chars)):
                if chars[i] in JOINERS:
                    continue
                pinyin = syllables[i]
                sounding = _han_sound(chars[i])
                for j in range(i + 2, min(len(chars), i + MAX_WINDOW) + 1):
                    window = chars[i:j]
                    pinyin = pinyin + syllables[j - 1] if pinyin in self._pinyin_prefixes else ""
                    for entry in self._by_pinyin.get(pinyin, ()):
                        yield Heard(base + i, base + j, entry.key, entry.spelling, True)
                    sounding = sounding and (_han_sound(window[-1]) or window[-1] in JOINERS)
                    if not sounding and not pinyin:
                        break
                    if not sounding or window[-1] in JOINERS:
                        continue
                    if (i > 0 and _han_sound(chars[i - 1])) or (j < len(chars) and _han_sound(chars[j])):
                        continue
                    size = sum(c not in JOINERS for c in window)
                    yield from self._heard(window, base + i, base + j, syllables=size)

    def _kana(self, text: str) -> Iterator[Heard]:
        """Katakana runs whole, alone or two joined by a middle dot (ドナルド・トランプ)."""
        for run in _KATAKANA_RUN.finditer(text):
            yield from self._heard(run.group(0), run.start(), run.end())
            parts = re.split(f"[{JOINERS}]", run.group(0))
            if len(parts) == 2:
                yield from self._heard(parts[1], run.end() - len(parts[1]), run.end())

    def _thai(self, text: str) -> Iterator[Heard]:
        """Windows of Thai letters that start and end where a syllable may, one of them where
        the run of letters does (a space, a mark): Thai writes no space between words, and a
        window inside a run is as often pieces of two (งตำแห)."""
        for run in _THAI_RUN.finditer(text):
            letters = run.group(0)
            size = len(letters)
            edges = {(0, j) for j in range(2, min(size, MAX_THAI) + 1)}
            edges |= {(i, size) for i in range(max(0, size - MAX_THAI), size - 1)}
            for i, j in sorted(edges):
                if (
                    _THAI_FOLLOWING.match(letters[i])
                    or (j < size and _THAI_FOLLOWING.match(letters[j]))
                    or _THAI_PREPOSED_VOWEL.match(letters[j - 1])
                ):
                    continue
                yield from self._heard(letters[i:j], run.start() + i, run.start() + j, least=3)


_CASED = re.compile(r"[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]")  # Latin, Greek, Cyrillic: names.py's


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
_VERB = re.compile(r"[\uac00-\ud7af]다$")


def _chinese(words: list[str]) -> bool:
    """Whether a name is a Chinese one in pinyin: a one-syllable family name first (`Xi
    Jinping`, `Jiang Zemin`), whose last word is a given name, not found alone."""
    folded = [w.lower() for w in words]
    return (
        len(words) > 1
        and _ONE_SYLLABLE.fullmatch(folded[0]) is not None
        and all(_PINYIN_WORD.fullmatch(w) for w in folded)
    )


def _syllables(words: list[str]) -> int:
    """The most syllables a name may take in Chinese, a character each: its vowels' runs, a
    consonant without a vowel after it (特 for the t of Trump), and one more (尼亚 for the ny
    of Netanyahu); `Messi` (梅西) is not 尼西亞西."""
    letters = re.sub(r"(.)\1+", r"\1", "".join(re.sub(r"[^a-z]", "", anyascii(w).lower()) for w in words))
    runs = len(re.findall("[aeiouy]+", letters))
    bare = len(re.findall("[^aeiouy](?![aeiouy])", letters))
    return runs + bare + 1


def _exact(name: Reading, heard: Reading) -> bool:
    """Every vowel slot written as the name has it (see SoundIndex._heard)."""
    return all(
        (a & b) and _UNWRITTEN not in b and (a != {_NONE} or b == {_NONE} or 0 < i < len(name.vowels) - 1)
        for i, (a, b) in enumerate(zip(name.vowels, heard.vowels, strict=True))
    )


def _han_sound(char: str) -> bool:
    return _sound(char) or char in _HAN_SOUNDS
