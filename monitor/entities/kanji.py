"""Japanese people named in kanji (石破茂首相, 安倍晋三氏, 岸田氏): each read as its Latin name
in the order English news writes it (Shigeru Ishiba, Shinzo Abe, Kishida), so that it keys as
the Latin recogniser keys the English spelling and a `names:` watch written in English finds it.

The readings are the person names of mecab-ipadic as janome ships it (Apache-2.0: family names
`名詞,固有名詞,人名,姓`, given names `人名,名`, each with its katakana readings), taken once into
the cache folder by a child process (janome's whole dictionary takes some 290 MB) and read from
there as sorted lines (about 2 MB), only when a Japanese text comes (`NameReadings.load`). Of
several readings the dictionary's first-ranked (lowest cost) is the name's (菅: Kan before
Suga), unless a name the installation knows fits another (`known_reading`: Yoshihide Suga).

Rules (`kanji_names`), per run of kanji (a title written in kanji ends the run it follows):
- before a title or honorific (首相, 氏, 知事, 容疑者, 選手, 政権, さん...): the longest family
  name + given name ending there (岸田文雄首相, 同日岸田文雄首相); else the family name alone
  (石破首相, 岸田政権); else a family name and two or three kanji the dictionary has no given
  name for, each one that given names are written with (安倍晋三元首相: Abe, the given name
  unread; not 鈴木自動車会長);
- without a title: a run that is exactly a family name + a given name (岸田文雄は), or a family
  name that the text named before (安倍晋三氏は… 安倍は).
A part that the dictionary reads first as another word (森, 林, 千葉, 米: a place or a common
noun ranked before the person) stands alone only before a title that only a person is called
by (森首相, not 千葉県知事), and beside a given name only before a title and where that name is
no word too; a word the dictionary holds is never split into two names (東京: 東 + 京). Chinese
text (no kana, or language zh) is not read so: its kanji names are read by sound
(monitor.entities.sounds).

Long vowels are written as English news writes them (シンゾウ, pronounced シンゾー: Shinzo;
コウノ: Kono; オオノ: Ono), with Hepburn's consonants (Shigeru, Fumio, Junichiro).
"""

from __future__ import annotations

import importlib
import re
import zlib
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import metadata
from typing import NamedTuple

from anyascii import anyascii

from monitor.cachedir import cache_dir, lines_made_once
from monitor.entities.forms import name_form

__all__ = [
    "KanjiName",
    "NameReadings",
    "Reading",
    "japanese",
    "japanese_names",
    "kanji_names",
    "known_reading",
    "name_readings_now",
    "read_names",
    "reads_as",
    "romanized",
]

_VERSION = 2  # of the cached table's making (name_readings_now)
_KANJI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u30f6"  # with 々 and ヶ (佐々木, 関ヶ原)
_RUN = re.compile(f"[{_KANJI}]+")
_KANA = re.compile("[\u3041-\u3096\u30a1-\u30fa]")
_KINDS = {"名詞,固有名詞,人名,姓": "f", "名詞,固有名詞,人名,名": "g"}
_MAX_NAME = 6  # kanji of a family name and a given name
_MIN_UNREAD, _MAX_UNREAD = 2, 3  # kanji of a given name the dictionary does not read
_MIN_BARE = 3  # kanji of a full name read without a title

# Titles and honorifics written after a Japanese name. Those a person alone is called by
# (_PERSONAL) may follow a family name that is also a word (森首相, 林官房長官); an office also
# follows a place or a body (千葉県知事, 米大統領, 日本代表); a government or a camp is named
# after its leader as after a party (岸田政権, 連立政権). The longest wins: 元首相 over 首相.
_PERSONAL = """氏 様 殿 首相 元首相 前首相 総理 元総理 前総理 官房長官 外相 防衛相 財務相 法相 農相 環境相
    経済産業相 経産相 厚生労働相 厚労相 文部科学相 文科相 国土交通相 国交相 総務相 経済再生相 復興相 担当相
    元議員 前議員 衆院議員 参院議員 代議士 元知事 前知事 元市長 前市長 元総裁 前総裁 副総裁 幹事長 政調会長
    総務会長 元代表 前代表 容疑者 被告 被告人 受刑者 選手 監督 投手 捕手 内野手 外野手 主将 棋士 九段 八段
    七段 名人 竜王 横綱 大関 関脇 教授 准教授 弁護士 検事 判事 裁判長 報道官 夫妻 君 首相夫人 医師 記者
    作家 俳優 歌手 画家 博士 院長 教諭"""
_OFFICES = """総理大臣 大臣 副大臣 政務官 長官 大統領 議員 知事 都知事 府知事 県知事 市長 区長 町長 村長 総裁
    代表 党首 委員長 議長 会長 社長 副社長 頭取 理事長 大使 書記長 政権 内閣 陣営"""
_TITLES = frozenset((_PERSONAL + " " + _OFFICES).split())
_MAX_TITLE = max(map(len, _TITLES))
_PERSONAL_TITLES = frozenset(_PERSONAL.split())
_HONORIFICS_AFTER = ("さん", "さま", "くん", "ちゃん")  # written in kana after the run


@dataclass(frozen=True)
class KanjiName:
    """A Japanese name in a text: where it stands and its readings (`given` empty when the
    name is the family name alone or its given name was not read)."""

    start: int
    end: int
    text: str
    surname: str  # its family name's kanji: 安倍
    family: str  # Latin readings, the first-ranked first, `|` between: Abe
    given: str = ""  # Shigeru|Shigeshi

    @property
    def latin(self) -> str:
        """The name as English news writes it, by its first-ranked readings: given name first
        (Shinzo Abe)."""
        family, given = self.family.split("|")[0], self.given.split("|")[0]
        return f"{given} {family}" if given else family

    def readings(self) -> list[tuple[str, str]]:
        """Every (given, family) reading of the name, the first-ranked first (given '' where
        none was read)."""
        return [(g, f) for f in self.family.split("|") for g in self.given.split("|")]

    @property
    def spellings(self) -> str:
        """Every reading as English news writes it, the first-ranked first, `|` between."""
        return "|".join(f"{g} {f}" if g else f for g, f in self.readings())


class Reading(NamedTuple):
    """What the table says of one string of kanji."""

    family: str = ""  # its Latin readings as a family name, the first-ranked first, `|` between
    given: str = ""  # as a given name
    wordlike: bool = False  # the dictionary reads it first as another word (森, 千葉)
    word: bool = False  # a word that a family and a given name would spell (東京)


@dataclass(frozen=True)
class NameReadings:
    """Japanese family and given names in kanji with their Latin readings (`lookup`), kept as
    the cache file's lines, UTF-8 and sorted, found by bisection: 1.9 MB in memory where dicts
    of the same strings took 4.9 MB."""

    entries: tuple[bytes, ...]  # kanji, kind (f, g, w), Latin readings, 1 where word-like; tabs between
    given_kanji: frozenset[str] = frozenset()  # every kanji the given names are written with

    @classmethod
    def of_lines(cls, lines: Iterable[bytes]) -> NameReadings:
        """From `name_readings_now`'s lines (as bytes)."""
        entries = tuple(sorted(line for line in lines if line.count(b"\t") == 3))
        given = {c for line in entries if b"\tg\t" in line for c in line[: line.index(b"\t")].decode()}
        return cls(entries, frozenset(given))

    def lookup(self, kanji: str) -> Reading:
        """What the table says of `kanji` (empty where it says nothing)."""
        probe = kanji.encode() + b"\t"
        at = bisect_left(self.entries, probe)
        found: dict[str, str] = {}
        wordlike = False
        while at < len(self.entries) and self.entries[at].startswith(probe):
            kind, latin, flag = self.entries[at][len(probe) :].decode().split("\t")
            found[kind], wordlike = latin, wordlike or flag == "1"
            at += 1
        return Reading(found.get("f", ""), found.get("g", ""), wordlike, "w" in found) if found else _NOTHING

    @staticmethod
    @cache
    def load() -> NameReadings:
        """The table, from the cache folder (made there once by a child process)."""
        made = f"{_VERSION}-{zlib.crc32(' '.join(_KINDS).encode()):08x}-{metadata.version('janome')}"
        name = f"kanji-names-{made}.tsv"
        try:  # read as bytes, with no str of each line on the way: freed, their room stays taken
            return NameReadings.of_lines((cache_dir() / name).read_bytes().split(b"\n"))
        except OSError:
            script = "from monitor.entities.kanji import name_readings_now as n; print(chr(10).join(n()))"
            lines = lines_made_once(name, script, name_readings_now)
            return NameReadings.of_lines(line.encode() for line in lines)


_NOTHING = Reading()


def name_readings_now() -> list[str]:
    """The person names of janome's mecab-ipadic written in kanji, one line each: surface, kind
    (f: family, g: given), its Latin readings (best-ranked first, `|` between), and 1 where
    another word of the same surface ranks before every person's reading of it (森: a forest;
    千葉: the prefecture), else 0; and the words (kind w) that a family and a given name would
    spell (東京: 東 Azuma + 京 Miyako; 京都), which are no names."""
    sysdic = importlib.import_module("janome.sysdic")  # typed or not by janome's version: Any here

    person: dict[tuple[str, str], list[tuple[int, str]]] = {}
    other: dict[str, int] = {}
    for entry in sysdic.entries(compact=False).values():
        surface, cost, pos = entry[0], int(entry[3]), entry[4]
        if not _RUN.fullmatch(surface):
            continue
        kind = _KINDS.get(pos)
        if kind is None:
            other[surface] = min(cost, other.get(surface, cost))
        else:
            person.setdefault((kind, surface), []).append((cost, romanized(entry[8], entry[9])))
    best = {surface: min(min(r) for k, r in ((k, person.get((k, surface), [])) for k in "fg") if r)[0]
            for _, surface in person}  # fmt: skip
    lines = []
    for (kind, surface), found in sorted(person.items()):
        latin = "|".join(dict.fromkeys(spelled for _, spelled in sorted(found) if spelled))
        wordlike = other.get(surface, best[surface] + 1) < best[surface]
        if latin:
            lines.append(f"{surface}\t{kind}\t{latin}\t{int(wordlike)}")
    family = {surface for kind, surface in person if kind == "f"}
    given = {surface for kind, surface in person if kind == "g"}
    return lines + [f"{word}\tw\t\t0" for word in sorted(other) if _splits(word, family, given)]


def _splits(word: str, family: set[str], given: set[str]) -> bool:
    """Whether a word of the dictionary could be read as a family name + a given name."""
    cuts = range(1, len(word)) if len(word) <= _MAX_NAME else range(0)
    return any(word[:k] in family and word[k:] in given for k in cuts)


_SMALL_Y = {"ャ": "a", "ュ": "u", "ョ": "o"}
_SMALL_VOWEL = {"ァ": "a", "ィ": "i", "ゥ": "u", "ェ": "e", "ォ": "o"}


def romanized(reading: str, spoken: str = "") -> str:
    """A name's katakana reading in Hepburn, capitalised, its long vowels as English news
    writes them: left out where the pronunciation (`spoken`, with ー for a long vowel) has one
    (シンゾウ, シンゾー: Shinzo; タロウ: Taro), kept otherwise (イノウエ: Inoue; ケイコ: Keiko)."""
    long_vowel = len(spoken) == len(reading)
    kana = [
        r for r, s in zip(reading, spoken if long_vowel else reading, strict=True)
        if r != "ー" and not (long_vowel and s == "ー" and r in "ウオ")
    ]  # fmt: skip
    out: list[str] = []
    double = False
    for char in kana:
        if char == "ッ":
            double = True
            continue
        if char in _SMALL_Y and out:
            base = out.pop()[:-1]  # キ + ャ: kya; シ + ャ: sha
            out.append(base + ("" if base.endswith(("sh", "ch", "j")) else "y") + _SMALL_Y[char])
        elif char in _SMALL_VOWEL and out:
            out.append(out.pop()[:-1] + _SMALL_VOWEL[char])
        else:
            syllable = anyascii(char).lower()
            if not syllable.isalpha():
                return ""
            if double:
                syllable = ("t" + syllable) if syllable.startswith("ch") else syllable[0] + syllable
            out.append(syllable)
        double = False
    return "".join(out).capitalize()


def japanese(text: str, language: str | None) -> bool:
    """Whether a text is read for kanji names: Japanese by its language, or with no language
    given, holding kana (which Chinese does not write)."""
    lang = (language or "").split("-")[0].lower()
    return lang == "ja" or (not lang and _KANA.search(text) is not None)


def kanji_names(text: str, readings: NameReadings) -> list[KanjiName]:
    """The Japanese names of a text's kanji (see the module), in the order they stand."""
    found: list[KanjiName] = []
    named: set[str] = set()  # family names read in the text so far
    for match in _RUN.finditer(text):
        run, start = match.group(), match.start()
        title = _title_ending(run)
        if title is not None:
            name = _titled(run[: -len(title)], start, readings, named | _personal(title))
        elif text.startswith(_HONORIFICS_AFTER, match.end()):
            name = _titled(run, start, readings, named | _personal("氏"))
        else:
            name = _bare(run, start, readings, named)
        if name is not None:
            found.append(name)
            named.add(name.surname)
    return found


def _full(part: str, readings: NameReadings, wordlike_ok: bool) -> tuple[str, str, str] | None:
    """A family name + a given name that `part` is (the family name's kanji, its Latin, the
    given name's Latin): the longest family name that fits."""
    for cut in range(min(len(part) - 1, _MAX_NAME - 1), 0, -1):
        family = readings.lookup(part[:cut])
        if not family.family:
            continue
        given = readings.lookup(part[cut:])
        if given.given:
            if readings.lookup(part).word:
                return None
            words = family.wordlike + given.wordlike
            if words == 0 or (wordlike_ok and words == 1):
                return part[:cut], family.family, given.given
    return None


def _title_ending(run: str) -> str | None:
    """The longest title that ends a run of kanji after at least one other kanji."""
    return next((run[-k:] for k in range(min(_MAX_TITLE, len(run) - 1), 0, -1) if run[-k:] in _TITLES), None)


def _personal(title: str) -> set[str]:
    """Marks a title that only a person is called by (`_titled`'s `named`)."""
    return {_ANY} if title in _PERSONAL_TITLES else set()


_ANY = ""  # in `named`: any family name may stand alone


def _titled(part: str, start: int, readings: NameReadings, named: set[str]) -> KanjiName | None:
    """The name that ends `part` (the kanji before a title), starting at `start` in the text;
    a family name that is also a word stands alone where `named` holds it (or _ANY)."""
    for length in range(min(len(part), _MAX_NAME), 1, -1):
        full = _full(part[-length:], readings, wordlike_ok=True)
        if full is not None:
            at = start + len(part) - length
            return KanjiName(at, at + length, part[-length:], *full)
    alone = readings.lookup(part)
    if alone.family and (not alone.wordlike or part in named or _ANY in named):
        return KanjiName(start, start + len(part), part, part, alone.family)
    for cut in range(min(len(part) - _MIN_UNREAD, _MAX_NAME - 1), 0, -1):
        head, rest = readings.lookup(part[:cut]), part[cut:]
        if (
            head.family and not head.wordlike and len(rest) <= _MAX_UNREAD and not alone.word
            and all(c in readings.given_kanji for c in rest) and not readings.lookup(rest).wordlike
        ):  # fmt: skip
            return KanjiName(start, start + len(part), part, part[:cut], head.family)
    return None


def _bare(run: str, start: int, readings: NameReadings, named: set[str]) -> KanjiName | None:
    """A run without a title that is a whole name: a family and a given name of no other word,
    or a family name already read in the text."""
    if run in named:
        return KanjiName(start, start + len(run), run, run, readings.lookup(run).family)
    if len(run) < _MIN_BARE:
        return None
    full = _full(run, readings, wordlike_ok=False)
    return KanjiName(start, start + len(run), run, *full) if full is not None else None


Known = Callable[[str], Iterable[tuple[str, tuple[str, ...]]]]


def known_reading(spellings: str, known: Known) -> tuple[str, str] | None:
    """The key and the spelling of the one known name that a kanji name's readings
    (`KanjiName.spellings`) may be: its family name the known name's last word, its given name
    (where read) the first, each as `name_form` spells it but for long vowels (Otani,
    Ohtani). `known(word)`: the known names (key, words) whose last word may be `word`. None
    when no known name, or more than one, fits any reading (菅: Kan or Suga; Naoto Kan and
    Yoshihide Suga both known)."""
    fits: dict[str, tuple[str, ...]] = {}
    for spelled in spellings.split("|"):
        words = [_plain(name_form(w)) for w in spelled.split()]
        for key, known_words in known(spelled.split()[-1]):
            forms = [_plain(name_form(w)) for w in known_words]
            if len(forms) >= 2 and forms[-1] == words[-1] and (len(words) == 1 or forms[:-1] == words[:-1]):
                fits[key] = known_words
    if len(fits) != 1:
        return None
    key, spelling = fits.popitem()
    return key, " ".join(spelling)


def japanese_names(text: str, language: str | None) -> list[KanjiName]:
    """`kanji_names` of a Japanese text (`japanese`), the table loaded at the first; none in
    another text."""
    if not japanese(text, language) or not _RUN.search(text):
        return []
    return kanji_names(text, NameReadings.load())


@lru_cache(maxsize=2)  # a text is asked once for each watched name, one after the other: read once
def read_names(text: str, language: str | None) -> frozenset[tuple[str, str]]:
    """Every reading of the Japanese names of a text as `name_form` spells a Latin name's words:
    (given name, family name), the given name '' where none was read; none outside Japanese."""
    return frozenset(
        (name_form(given) if given else "", name_form(family))
        for found in japanese_names(text, language)
        for given, family in found.readings()
    )


def reads_as(read: frozenset[tuple[str, str]], words: tuple[str, ...]) -> bool:
    """Whether a person's name (its words as `name_form` spells them: Shinzo Abe, or Abe alone)
    is one of the `read_names`: the same family name, and the same given name where both
    have one (given name first or last: Abe Shinzo)."""
    if not read or not words:
        return False
    first, last = _plain(words[0]), _plain(words[-1])
    if len(words) == 1:
        return any(_plain(family) == last for _, family in read)
    return any(
        (family == last and given in ("", first)) or (family == first and given in ("", last))
        for given, family in ((_plain(g), _plain(f)) for g, f in read)
    )


_LONG_VOWEL = re.compile(r"(?<=o)h(?![aeiou])|(?<=[ou])u|(?<=o)o")


def _plain(word: str) -> str:
    """A Japanese name's word without the marks of a long vowel, which romanizations write
    in several ways (Ohtani, Otani, Ootani; Kouno, Kono; Yuuki, Yuki)."""
    return _LONG_VOWEL.sub("", word)
