"""How a word sounds, for monitor.entities.sounds: romanised (anyascii, after the script rules
it lacks) and read into consonant classes with the vowel slots between them, a Latin spelling
as English spells names, a script's word as that script writes sounds. Pure.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii

MAX_WORD = 24  # letters of a word read; a longer one is no name
MAX_READINGS = 32  # readings of one word or span kept

FRONT, BACK, OPEN, NONE = "F", "B", "A", "0"
UNWRITTEN = "?"  # marks a slot whose vowel the script does not write
ANY = frozenset({FRONT, BACK, OPEN, NONE, UNWRITTEN})

# Scripts, by the first letter of a word
_ABJAD = re.compile(r"[\u0590-\u05ff\u0600-\u06ff\u0750-\u077f\ufb1d-\ufdff\ufe70-\ufeff]")
HEBREW = re.compile(r"[\u0590-\u05ff\ufb1d-\ufb4f]")
_BRAHMIC = re.compile(r"[\u0900-\u0dff]")  # Devanagari to Sinhala: an inherent a may be lost
_SINHALA_CONSONANT = re.compile(r"[\u0d9a-\u0dc6]")  # a consonant with its a (කරුණාතිලක)
_DRAVIDIAN = re.compile(r"[\u0b80-\u0d7f]")  # Tamil to Malayalam: vowels added to clusters
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_KATAKANA = re.compile(r"[\u30a1-\u30fa\u30fc]")
HANGUL = re.compile(r"[\uac00-\ud7af]")
LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")

# Per script, what an unwritten vowel may be
# (Indic scripts: the inherent a, a schwa, that anyascii leaves out before a conjunct: मर्केल mrkel)
EMPTY_SLOT = {"abjad": ANY, "brahmic": frozenset({OPEN, FRONT, NONE}), "thai": ANY}


@dataclass(frozen=True)
class Reading:
    """A word as it sounds: its consonant classes, and per class the vowels before it, then
    the vowels after the last (one slot more than classes)."""

    classes: str
    vowels: tuple[frozenset[str], ...]


# ---------------------------------------------------------------------------------------
# Romanisation


_THAI_PREPOSED = re.compile(r"([\u0e40-\u0e44])([\u0e01-\u0e2e])")
_THAI_CARRIER = re.compile(r"\u0e2d(?=[\u0e30-\u0e39\u0e40-\u0e44\u0e47])")
_HEBREW_LETTERS = str.maketrans(
    {"ו": "w", "ב": "b", "פ": "p", "ף": "p", "כ": "k", "ך": "k", "ח": "h", "ע": "'", "א": "'"}
)
# A Hebrew word's last ה after a letter is the vowel a it writes (איוואנקה, Ivanka; מלניה)
_HEBREW_FINAL_HE = re.compile("(?<=[\u05d0-\u05ea])\u05d4(?![\u05b0-\u05c7]*[\u05d0-\u05ea])")
_ARABIC_LETTERS = str.maketrans(
    {"ا": "a", "أ": "a", "إ": "i", "آ": "a", "ى": "a", "ة": "a", "ع": "'", "ء": "", "ئ": "y", "ؤ": "w"}
    | {"ھ": "", "ہ": "h", "ە": "ae"}  # Kurdish ە, an a or an e (ڕەشید, Rashid)
)


@lru_cache(maxsize=256)
def romanize(text: str) -> str:
    """The text in ASCII letters, as anyascii spells it, after the rules it lacks: Thai vowels
    written before their consonant are read after it (ไบเดน: baiden); Hebrew ו is a vowel, ב
    b, פ p (וו is v); Arabic alef is a; a mark (Georgian ejectives, Hindi nukta) is left out."""
    if _THAI.search(text):
        # a vowel written before its consonant is read after it; อ before a vowel only carries it
        text = _THAI_CARRIER.sub("", _THAI_PREPOSED.sub(r"\2\1", text))
    if HEBREW.search(text):
        text = _HEBREW_FINAL_HE.sub("a", text.replace("וו", "v")).translate(_HEBREW_LETTERS)
    elif _ABJAD.search(text):
        text = text.translate(_ARABIC_LETTERS)
    if _HAN.search(text):
        return anyascii(text)
    return (
        re.sub(r"[^A-Za-z']+", "", anyascii(text))
        if _ABJAD.search(text)
        else re.sub(r"[^A-Za-z]+", "", anyascii(text))
    )


def _abjad_letters(word: str) -> str:
    """An Arabic or Hebrew word romanised letter by letter, the letters apart (`|`): each is
    one sound, never two letters one (ت then ش is t, sh, not ts, h)."""
    if HEBREW.search(word):
        word = _HEBREW_FINAL_HE.sub("a", word.replace("וו", "v")).translate(_HEBREW_LETTERS)
    else:
        word = word.translate(_ARABIC_LETTERS)
    letters = (re.sub(r"[^A-Za-z']+", "", anyascii(char)) for char in word)
    return "|".join(letter for letter in letters if letter)


# ---------------------------------------------------------------------------------------
# Reading: letters to units (alternatives of consonant classes and vowel marks)

# A unit is a tuple of alternatives; an alternative a string of consonant classes (capitals)
# and vowel classes (F B A); "" is nothing.
Unit = tuple[str, ...]

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
    ("gh", ("K", "")), ("ph", ("P",)), ("th", ("T", "S")), ("dh", ("T",)), ("ts", ("S",)), ("tz", ("S",)),
    ("ck", ("K",)), ("gn", ("N", "KN")), ("ng", ("N", "NK")), ("qu", ("KB",)), ("x", ("KS",)),
)  # fmt: skip
_VOWELS = set("aeiouyw")
# Digraphs that are two letters in the Indic scripts and Thai (त्स, ස්ට: t then s), whose
# romanisation spells a letter's sound with several (ch, sh, th, kh are one letter's)
_ACROSS = frozenset({"ts", "tz"})
_LETTERED = frozenset({"brahmic", "dravidian", "thai"})
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "æ": "ae", "ø": "oe"})  # Pääbo: a front a
# A script's vowel letters say what they sound: its o is no English u (Johnson, Trump)
_WRITTEN_VOWEL = _VOWEL | {"o": "B"}


def _latin_units(word: str) -> list[Unit]:
    """A Latin spelling read as English spells names (see the module)."""
    letters = re.sub(r"[^a-z]", "", anyascii(word.lower().translate(_UMLAUTS)))
    if letters.startswith("mc"):
        letters = "mac" + letters[2:]  # McCarthy: 매카시, مک‌کارتی
    units: list[Unit] = []
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
            elif d == "x" and at == len(letters) - 1 and at > 0 and letters[at - 1] in _VOWELS:
                alts = ("KS", "")  # French does not sound it (Ernaux: آنی ارنو)
            units.append(alts)
            at += len(d)
            continue
        if letter in "yw" and after and after not in _VOWELS and at > 0:
            units.append((_VOWEL[letter],))  # a vowel (Peyton, Dawson)
        elif letter == "w" and after in _VOWELS:
            units.append(("B", "P"))  # a w, or a v as South Asian names spell it (Wickremesinghe)
        elif letter in _VOWELS:
            units.append((_latin_vowel(letters, at),))
        elif letter == "c":
            units.append(("S",) if after in ("e", "i", "y") else ("K",))
        elif letter == "g" and after in ("e", "i", "y"):
            units.append(("K", "S"))
        elif letter in "rl" and at > 0 and letters[at - 1] in _VOWELS and after not in _VOWELS:
            # a coda liquid, which Chinese drops (默克尔, 唐纳德), and a last r that French
            # does not sound (Chérizier: شریزیه)
            units.append(("R", "") if after or letter == "r" else ("R",))
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
    if letter == "e" and letters[max(0, at - 2) : at].endswith(("ch", "sh", "zh", "j")):
        classes += "B"  # a Russian ё (Gorbachev: Горбачёв, გორბაჩოვი)
    if letter == "u" and (closed or len(following) == 1):
        classes += "A"
    if letter == "i" and open_syllable:
        classes += "A"
    if letter == "e" and at == len(letters) - 1 and at > 0 and letters[at - 1] not in _VOWELS:
        classes += NONE  # a silent final e (`Pence`, `Blaise`)
    if (
        letter == "e"
        and at == len(letters) - 2
        and at > 0
        and letters[-1] == "s"
        and letters[at - 1] not in _VOWELS
    ):
        classes += NONE  # a silent e before a last s (`Charles`: ჩარლზ, 찰스)
    elif (
        letter == "e"
        and _VOWELS.intersection(letters[:at])
        and not _VOWELS.intersection(letters[at - 1 : at])
    ):
        classes += "A"  # after the first syllable, a schwa (`Verstappen`: 维斯塔潘, Wickremesinghe)
    return classes


def _script_units(romanized: str, script: str) -> list[Unit]:
    """A romanised word of a script read: as Latin letters, with the script's own rules."""
    if script == "han":
        return _pinyin_units(romanized)
    letters = romanized.lower()
    units: list[Unit] = []
    at = 0
    while at < len(letters):
        rest = letters[at:]
        letter = rest[0]
        if letter == "|":
            at += 1
            continue
        added = _added_vowel(script, letters, at)
        if added:
            units.append((added,))
            at += 2 if rest.startswith("eu") else 1
            continue
        if script == "abjad" and letter == "'":
            units.append(("FBA",))  # ع, א: a vowel's carrier, any vowel
            at += 1
            continue
        if script == "abjad" and letter == "a" and at == 0:
            units.append(("FBA",))  # a first alef carries any vowel (ابراهیم, Ibrahim)
            at += 1
            continue
        if script == "abjad" and letter in "yw":
            # a vowel; و, ו first or before a vowel may be a consonant, v or w (ولادیمیر, سوانته)
            following = letters[at + 1 :].lstrip("|")[:1]
            consonant = letter == "w" and (
                at == 0 or following in ("a", "y") or letters[:at].rstrip("|")[-1:] == "a"
            )
            units.append(("P", "B") if consonant else (_VOWEL[letter],))
            at += 1
            continue
        if letter == "w" and script != "abjad":
            units.append(("B", "P"))  # a w or a v (Thai ว, Korean 웨)
            at += 1
            continue
        if script == "kana" and rest.startswith(("chi", "tsu", "ji")):
            units.append(("T", "S"))  # Japanese writes ti and tu as chi and tsu
            at += 2 if rest.startswith("ji") else 2 + (rest[1] == "s")
            continue
        if script == "dravidian" and letter == "k" and not rest.startswith("kh"):
            units.append(("K", ""))  # Tamil writes an h as a k (செகான், Shehan; இப்ராகீம், Ibrahim)
            at += 1
            continue
        if script == "kana" and letter == "f":
            units.append(("P", ""))  # フ is fu and hu (ネタニヤフ, Netanyahu)
            at += 1
            continue
        if script == "abjad" and rest.startswith("t|sh"):
            units.append(("S",))  # تش, טש: a ch (تشارلز, Charles)
            at += 4
            continue
        if script == "abjad" and rest.startswith(("th", "dh")):
            units.append(("T", "S"))
            at += 2
            continue
        if script == "abjad" and letter == "j":
            units.append(("S", "K"))  # ج is g in Egypt and in many borrowed names
            at += 1
            continue
        digraph = next(
            (
                (d, alts)
                for d, alts in _DIGRAPHS
                if rest.startswith(d) and not (d in _ACROSS and script in _LETTERED)
            ),
            None,
        )
        if digraph is not None:
            d, alts = digraph
            units.append(("N",) if d == "ng" else ("S",) if d == "ch" else alts)
            at += len(d)
            continue
        if rest.startswith("dz"):
            units.append(("S",))  # Georgian ძ for a j (ძიანგ, Jiang)
            at += 2
            continue
        if script == "hangul" and rest.startswith(("eo", "ae")):
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


def _added_vowel(script: str, letters: str, at: int) -> str:
    """The marks of a vowel the script may add where the name has none (with 0, none), or
    "": Japanese u, and o after t or d (トランプ); Korean 으 eu (트럼프); i after ch, sh, j
    (Japanese ッチ, Korean 치); Tamil u and i (டிரம்ப், போரிசு)."""
    letter = letters[at]
    before = letters[max(0, at - 2) : at]
    after_hush = before.endswith(("ch", "sh", "j"))
    if script == "kana" and (
        letter == "u" or (letter == "o" and before[-1:] in ("t", "d")) or (letter == "i" and after_hush)
    ):
        return "B0" if letter != "i" else "F0"
    if script == "hangul" and letters.startswith("eu", at):
        return "FB0"
    if script == "hangul" and letter == "i" and after_hush:
        return "F0"
    if script == "dravidian" and letter in "ui":
        return "B0" if letter == "u" else "F0"
    return ""


_PINYIN = re.compile(r"[A-Z][a-z]*|[a-z]+")
_INITIAL = re.compile(r"^(zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?")
_PINYIN_INITIAL: dict[str, Unit] = {
    "b": ("P",), "p": ("P",), "f": ("P",), "m": ("N",), "d": ("T",), "t": ("T",), "n": ("N",),
    "l": ("R",), "g": ("K",), "k": ("K",), "h": ("", "K"), "j": ("S", "K", "T"), "q": ("S", "K", "T"),
    "x": ("S",), "zh": ("S",), "ch": ("S",), "sh": ("S",), "r": ("R", "S"), "z": ("S",),
    "c": ("S",), "s": ("S",), "y": ("F",), "w": ("B", "P"), "": ("",),
}  # fmt: skip


# Initials Chinese writes with u, or with i, for a bare consonant
_BARE_U = frozenset(("b", "p", "f", "m", "d", "t", "g", "k", "h", "l", "n"))
_BARE_I = frozenset(("z", "c", "s", "zh", "ch", "sh", "r", "j", "q", "x"))


def _pinyin_units(romanized: str) -> list[Unit]:
    """Chinese characters' pinyin (as anyascii spells it, a capital per syllable) read by
    syllables: an initial, a vowel of the final's class, and its n or ng (see the module)."""
    units: list[Unit] = []
    for syllable in _PINYIN.findall(romanized):
        syllable = syllable.lower()
        initial = _INITIAL.match(syllable)
        head = initial.group(0) if initial else ""
        final = syllable[len(head) :]
        units.append(_PINYIN_INITIAL.get(head, ("",)))
        nasal = final.endswith(("n", "ng")) and len(final) > 1
        vowels = final.rstrip("ng") if nasal else final
        if vowels == "er" or (vowels.endswith("r") and len(vowels) > 1):
            units.append(("FBA0",))
            units.append(("R",))
        elif ("e" in vowels and "i" not in vowels and "u" not in vowels) or vowels == "o":
            units.append(("FBA0",))  # a schwa: any vowel, or one Chinese adds (特 te for t, 默 mo for mer)
        elif not nasal and vowels == "u" and head in _BARE_U:
            units.append(("B0",))  # 普 pu, 夫 fu: a p, an f
        elif not nasal and vowels == "i" and head in _BARE_I:
            units.append(("F0",))  # 斯 si, 基 ji: an s, a k
        else:
            classes = "".join(sorted({c for v in vowels for c in _VOWEL.get(v, "")}))
            if vowels == "ai":
                classes = "A"  # 塞 sai, 拜 bai: an a (Serbia's 塞爾維亞 is not Silva)
            if head in ("j", "q", "x", "y") and "u" in vowels:
                classes = classes.replace("B", "F")  # ü
            units.append((classes or "FBA",))
        if nasal:
            units.append(("N",))
    return units


_State = tuple[str, tuple[frozenset[str], ...]]  # classes so far, and the vowel slots


def read_units(
    units: tuple[Unit, ...], empty: frozenset[str], syllabic: bool, prefixes: frozenset[str] | None = None
) -> frozenset[Reading]:
    """The readings of a word's units (at most MAX_READINGS), unit by unit; with `prefixes`,
    only those whose classes stay a prefix of one of them (an index's keys: most words of a
    text are dropped at their first consonant)."""
    states: list[_State] = [("", (frozenset(),))]
    for unit in units:
        if unit == ("",):
            continue
        grown: dict[_State, None] = {}
        for state in states:
            for marks in unit:
                for new in _marked(state, marks, empty, syllabic):
                    if prefixes is None or new[0] in prefixes:
                        grown[new] = None
        states = list(grown)[:MAX_READINGS]
        if not states:
            return frozenset()
    # Before the first consonant and after the last, no vowel written is none: every script
    # writes a first vowel (Arabic and Hebrew on a carrier: أ, ع, א), and a foreign name's last
    # (أوباما, נתניהו)
    edge = frozenset({NONE})
    return frozenset(
        Reading(
            classes, tuple(v or (edge if i in (0, len(vowels) - 1) else empty) for i, v in enumerate(vowels))
        )
        for classes, vowels in states
    )


@lru_cache(maxsize=1024)
def heads(
    variants: tuple[tuple[Unit, ...], ...], empty: frozenset[str], syllabic: bool, depth: int = 2
) -> frozenset[str]:
    """The first `depth` consonant classes a word's readings may start with (or all of a
    shorter reading's): a cheap first test of a text's word against an index's keys."""
    found: set[str] = set()
    for units in variants:
        states: dict[_State, None] = {("", (frozenset(),)): None}
        for unit in units:
            if unit == ("",):
                continue
            grown: dict[_State, None] = {}
            for state in states:
                if len(state[0]) >= depth:
                    grown[(state[0][:depth], ())] = None  # its first classes are set
                    continue
                for marks in unit:
                    grown.update(dict.fromkeys(_marked(state, marks, empty, syllabic)))
            states = grown
        found.update(classes[:depth] for classes, _ in states)
    return frozenset(found)


_VOWEL_RUN = re.compile(r"[FBA0]+|.")  # a unit's marks: a vowel's classes together, or a consonant


@lru_cache(maxsize=256)
def _mark_runs(marks: str) -> tuple[str, ...]:
    return tuple(_VOWEL_RUN.findall(marks))


@lru_cache(maxsize=512)
def _voweled(slot: frozenset[str], vowel: str) -> frozenset[str]:
    """A vowel slot after one more vowel: a vowel the script writes (its classes without 0)
    makes the slot a vowel, though one it adds came before (モスクワ, mo-su-ku-wa: ku then wa
    is a written a, not Musk's bare k); an added one (0) leaves a written one as it was."""
    if NONE not in vowel:
        return (slot - {NONE}) | frozenset(vowel)
    if slot and NONE not in slot:
        return slot | frozenset(vowel) - {NONE}
    return slot | frozenset(vowel)


def _marked(state: _State, marks: str, empty: frozenset[str], syllabic: bool) -> list[_State]:
    """A state after a unit's marks. One class written twice in a row is written once; in a
    syllabic script (Chinese, Japanese, Korean) maybe also with a vowel between, one the script
    adds (特朗普 after 唐纳德: the d of Donald and the T of Trump); in an abjad maybe not (پبو:
    two consonants with a vowel not written between)."""
    states = [state]
    for mark in _mark_runs(marks):
        if mark[0] in "FBA0" or not mark.isupper():
            states = [(c, (*v[:-1], _voweled(v[-1], mark))) for c, v in states]
            continue
        grown = []
        for classes, vowels in states:
            if classes.endswith(mark) and not vowels[-1]:
                grown.append((classes, vowels))  # a double
                if empty != {NONE}:
                    grown.append((classes + mark, (*vowels, frozenset())))
                continue
            grown.append((classes + mark, (*vowels, frozenset())))
            if syllabic and classes.endswith(mark):
                grown.append((classes, (*vowels[:-1], frozenset())))
        states = grown
    return states


def script_of(word: str) -> str:
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
            return "latin" if LATIN.match(char) else "other"
    return "other"


# Characters Chinese transliteration writes for a consonant with an o (Xinhua's table: ko 科,
# go 戈, mo 莫, bo 博, po 波), whose pinyin (ke, ge, mo, bo) reads as a schwa or none: its bare
# consonants have their own (克 k, 格 g, 姆 m, 布 b, 普 p). 莫斯科 is mo-s-ko, not Musk (马斯克).
_HAN_WITH_O = str.maketrans({"科": "Kuo", "戈": "Guo", "莫": "Muo", "博": "Buo", "波": "Puo"})


@lru_cache(maxsize=1024)
def units_of(word: str) -> tuple[tuple[tuple[Unit, ...], ...], frozenset[str], bool]:
    """A word's units (one list, or two: Georgian's nominative ending left out, პუტინი for
    Putin), what an unwritten vowel may be, and whether its script is syllabic."""
    word = unicodedata.normalize("NFC", word)[: MAX_WORD * 3]
    script = script_of(word)
    if script == "latin":
        units = tuple(u for w in re.findall(r"[^\W\d_]+", word) for u in _latin_units(w))
        return (units,), frozenset({NONE}), False
    empty = EMPTY_SLOT.get(script, frozenset({NONE}))
    syllabic = script in ("han", "kana") or bool(HANGUL.search(word))
    if HANGUL.search(word) or _DRAVIDIAN.search(word):
        script = "hangul" if HANGUL.search(word) else "dravidian"
    if script == "han":
        word = word.translate(_HAN_WITH_O)
    spelled = _abjad_letters(word) if script == "abjad" else romanize(word)
    variants = [tuple(_script_units(spelled, script))]
    if _SINHALA_CONSONANT.match(word[-1:]):  # its last consonant's a, which anyascii leaves out
        variants = [(*units, ("A0",)) for units in variants]
    if word.endswith("ი") and len(word) > 2:
        variants.append(tuple(_script_units(romanize(word[:-1]), script)))
    return tuple(variants), empty, syllabic


@lru_cache(maxsize=1024)
def readings(word: str) -> frozenset[Reading]:
    """How a word (or a full name, its words run together) may sound: a Latin spelling read
    as English spells names, a word of another script as it writes sounds (see the module)."""
    variants, empty, syllabic = units_of(word)
    return frozenset().union(*(read_units(units, empty, syllabic) for units in variants))


def thai_units(letters: str) -> list[tuple[Unit, ...]]:
    """A run of Thai letters read letter by letter (see `romanize`): a vowel written before its
    consonant read after it, อ before a vowel reading nothing; the same length as the run."""
    swapped = _THAI_PREPOSED.sub(r"\2\1", letters)
    return [
        () if _THAI_CARRIER.match(swapped, k) else _thai_letter_units(letter)
        for k, letter in enumerate(swapped)
    ]


@lru_cache(maxsize=256)
def _thai_letter_units(letter: str) -> tuple[Unit, ...]:
    return tuple(_script_units(re.sub(r"[^A-Za-z]+", "", anyascii(letter)), "thai"))
