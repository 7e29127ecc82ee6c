"""A text's spans that may be names, for monitor.entities.sounds: in each script without
capitals, the words and runs of words (spaced scripts, without their clitics), windows of
Chinese characters and of Thai letters, and katakana runs that an index of names is asked
about, each read into sound units once. Pure: a text in, spans out (`sound_spans`).

What each script gives (the rules are the module sounds' doc): in spaced scripts, words and
runs of two to four words without the script's clitics (Arabic ال و ب ل in Arabic, Hebrew
ה ו ב ל, Korean particles, Georgian, Tamil and Persian endings, Nepali postpositions), with the
word before each (a given name); Chinese windows of characters that transliterations use, not
cutting a run of them (a window before a middle dot and more of a name is a given name);
katakana runs whole, or two joined by a middle dot; Thai windows that start or end a run, or
start after a title written onto the name (นายทรัมป์พบ), and pairs of runs with a space between.
A span next to a word for playing cards is marked (トランプで遊ぶ). Bounded: MAX_TEXT characters
of a text, windows of MAX_WINDOW characters (MAX_THAI letters), words of MAX_WORD letters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from itertools import pairwise, product

from anyascii import anyascii

from monitor.entities.soundread import (
    EMPTY_SLOT,
    HANGUL,
    HEBREW,
    MAX_WORD,
    Unit,
    heads,
    script_of,
    thai_units,
    units_of,
)
from monitor.entities.unspaced import JOINERS, _sound

__all__ = [
    "HEAD",
    "MAX_RUN",
    "MAX_TEXT",
    "MAX_WINDOW",
    "MIN_CLASSES",
    "Candidate",
    "SoundSpans",
    "sound_spans",
    "sounded",
]

MAX_TEXT = 20_000  # characters of a text read (the title and the start of the body)
MAX_WINDOW = 12  # characters of a Chinese or Thai window (a full name with its dot)
HEAD = 3  # first classes by which a text's spans are looked up in an index
MIN_CLASSES = 2  # consonant classes of a name found by itself (not inside its full name)

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


@dataclass(frozen=True)
class Candidate:
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

    candidates: tuple[Candidate, ...]
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


def _spaced(text: str, language: str | None) -> Iterator[Candidate]:
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
            yield Candidate(start, end, variants, empty, syllabic, least, apart=apart, before=before)
        row = [*row[-(MAX_RUN - 1) :], (match.start(), match.end(), spans)]
        for first in range(len(row) - 1):
            yield from _joined(text, row[first:], apart)


def _joined(
    text: str, row: list[tuple[int, int, list[tuple[int, int]]]], apart: bool
) -> Iterator[Candidate]:
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
                yield Candidate(
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


def _han(text: str) -> Iterator[Candidate]:
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
                joined = any(c in JOINERS for c in window)  # across a middle dot: a full name's, or none
                dotted = joined or (i > 0 and chars[i - 1] in JOINERS and j - i >= 4)
                cut_before = i > 0 and _han_sound(chars[i - 1])
                cut_after = (
                    j < len(chars) and _han_sound(chars[j]) and not chars.startswith(_HAN_AFTER_NAMES, j)
                )
                if cut_before or (cut_after and not dotted):
                    continue
                size = sum(c not in JOINERS for c in window)
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
                yield Candidate(
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


def _given_classes(part: str) -> frozenset[str]:
    """The consonant class a given name written before a middle dot starts with (弗雷德: P), to
    tell another person of the surname after it (Fred Trump); none where it starts with a vowel
    or a semivowel (雅伊尔 for Jair, 埃利乌德 for Eliud), whose first consonant tells nothing."""
    if not part or anyascii(part[0])[:1].lower() in ("", "a", "e", "i", "o", "u", "y", "w"):
        return frozenset()
    variants, empty, syllabic = units_of(part)
    return heads(variants, empty, syllabic, 1)


def _kana(text: str) -> Iterator[Candidate]:
    """Katakana runs whole, alone or two joined by a middle dot (ドナルド・トランプ)."""
    for run in _KATAKANA_RUN.finditer(text):
        parts = re.split(f"[{JOINERS}]", run.group(0))
        spans = [(run.start(), run.end())] + (
            [(run.end() - len(parts[1]), run.end())] if len(parts) == 2 else []
        )
        for start, end in spans:
            variants, empty, syllabic = units_of(text[start:end])
            given = _given_classes(parts[0]) if start != run.start() else frozenset()
            yield Candidate(start, end, variants, empty, syllabic, given=given)


def _thai(text: str) -> Iterator[Candidate]:
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
            yield Candidate(before.start() + i, after.start() + j, read, empty, least=3, pair=True, words=2)
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
            yield Candidate(at + i, at + j, read, empty, least=3, before=heard_after, apart=i in opens)


_CASED = re.compile(r"[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]")  # Latin, Greek, Cyrillic: names.py's

# Chinese words that follow a name and start with a character transliterations also use (于 at,
# 通话 a call, 拜访 a visit, 达成 reach, 夫人 wife): a window may end before them (与普京通话)
_HAN_AFTER_NAMES = ("于", "通话", "通电话", "通過", "通过", "拜访", "拜訪", "达成", "達成", "夫人")


# Letters of the scripts SoundIndex reads: Arabic, Hebrew, Indic, Thai, Georgian, kana, Han, Hangul
_SOUNDED = re.compile(
    "[\u0590-\u06ff\u0750-\u077f\u0900-\u0dff\u0e00-\u0e7f\u10a0-\u10ff\u3040-\u30ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\ufb1d-\ufdff\ufe70-\ufeff]"
)


def sounded(text: str) -> bool:
    """Whether the text holds letters of a script that SoundIndex reads (a cheap test first)."""
    return _SOUNDED.search(text) is not None


# A Korean word in a verb's or adjective's plain ending (했다, 되었다, 있다): no name
_VERB = re.compile(r"[\uac00-\ud7af]다$")


def _thai_cut(letters: str, end: int) -> bool:
    """Whether Thai letters cut at `end` split a syllable: a vowel sign or mark follows, or a
    vowel written before its consonant ends it."""
    return (end < len(letters) and _THAI_FOLLOWING.match(letters[end]) is not None) or (
        end > 0 and _THAI_PREPOSED_VOWEL.match(letters[end - 1]) is not None
    )


def _han_sound(char: str) -> bool:
    return _sound(char) or char in _HAN_SOUNDS
