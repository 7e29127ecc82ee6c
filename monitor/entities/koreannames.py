"""A Korean cue for a person's name: the words after a country's name and a title (미국 대통령
도널드 트럼프가, 프랑스의 작가 아니 에르노를). Pure: a text in, spans out (`titled_names`).

Korean writes titles both before and after names, and its foreign names look like its nouns,
so a title alone says too little (대통령 선거, the presidential election, 총리 관저). A title
right after a country's name (maybe with 의, of, and a word for former, current or new: 미국
전 대통령) is followed by the holder's name far more often, and the name ends where Korean
ends a noun phrase: a particle glued to its last word (가, 는, 를, 의, 에게...), a punctuation
mark, a bracket (사진, photo) or the text's end. Precision first: one to three words of
Hangul, none of them a title, a country or one of the nouns that follow titles (선거, 후보,
취임식), a name of one word of three syllables or more (윤석열, 트럼프; not 정부, government).
The countries' Korean names are pycountry's (its ISO 3166-1 catalogue, a fact of the
language), read once.
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = ["TitledName", "titled_names"]

# Titles and offices, and what a person is (writer, player), that stand before a name.
_TITLES = frozenset(
    """대통령 부통령 총리 수상 국무장관 장관 외무장관 외교장관 국방장관 재무장관 국왕 여왕
    왕 왕세자 황제 교황 총서기 주석 국가주석 대변인 대사 의장 하원의장 상원의원
    하원의원 의원 총재 사무총장 위원장 감독 선수 작가 소설가 가수 배우 영화감독
    총독 주지사 시장 당대표 대표 지도자 최고지도자 외무상 총리대행""".split()  # noqa: SIM905
)
_QUALIFIERS = frozenset(["전", "현", "현직", "신임", "차기", "초대", "당시"])
# Nouns that follow a title (the presidential election, the candidate, the residence): a
# title before them is not a person's.
_AFTER_TITLES = frozenset(
    """선거 대선 후보 후보자 취임식 관저 집무실 당선인 당선자 비서실 비서실장 임기
    직 자리 권한 측 정부 내각 행정부 부인 영부인 일가 가족 연설
    발언 성명 회견 기자회견 방문 순방 탄핵 지지율""".split()  # noqa: SIM905
)
_PARTICLES = (
    "에게서", "으로서", "에서", "에게", "께서", "으로", "이다", "라고", "까지", "부터", "보다", "처럼", "와",
    "과", "은", "는", "이", "가", "을", "를", "의", "에", "도", "로", "만",
)  # fmt: skip
_HANGUL_WORD = re.compile(r"[\uac00-\ud7a3]+")
_MAX_WORDS = 3
_MIN_ALONE = 3  # syllables of a name of one word


@dataclass(frozen=True)
class TitledName:
    start: int
    end: int
    text: str


@lru_cache(maxsize=1)
def _countries() -> frozenset[str]:
    """The countries' Korean names (pycountry's ISO 3166-1 catalogue): each name, and the first
    word of a name of several (러시아 of 러시아 연방)."""
    path = resources.files("pycountry").joinpath("locales", "ko", "LC_MESSAGES", "iso3166-1.mo")
    try:
        with path.open("rb") as handle:
            catalogue = gettext.GNUTranslations(handle)
    except OSError:
        return frozenset()
    # The catalogue's own table: gettext has no public way to list its messages.
    messages: dict[object, object] = getattr(catalogue, "_catalog", {})
    names: set[str] = set()
    for english, korean in messages.items():
        if isinstance(english, str) and english and isinstance(korean, str) and _HANGUL_WORD.fullmatch(
            korean.split()[0] if korean.split() else ""
        ):
            names.add(korean.split()[0])
            if len(korean.split()) == 1:
                names.add(korean)
    return frozenset(names)


def _stem(word: str) -> tuple[str, bool]:
    """A word without the particle glued to it, and whether it had one."""
    for particle in _PARTICLES:
        if word.endswith(particle) and len(word) - len(particle) >= 2:
            return word[: -len(particle)], True
    return word, False


def titled_names(text: str) -> list[TitledName]:
    """The names a country's name and a title stand before (see the module), in text order."""
    countries = _countries()
    if not countries:
        return []
    words = [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"\S+", text)]
    found: list[TitledName] = []
    for index, (_, _, word) in enumerate(words):
        country = word[:-1] if word.endswith("의") and word[:-1] in countries else word
        if country not in countries:
            continue
        at = index + 1
        while at < len(words) and words[at][2] in _QUALIFIERS:
            at += 1
        if at >= len(words) or words[at][2] not in _TITLES:
            continue
        name = _name_after(words, at + 1, countries)
        if name is not None:
            start, end = name
            found.append(TitledName(start, end, text[start:end]))
    return found


def _name_after(
    words: list[tuple[int, int, str]], first: int, countries: frozenset[str]
) -> tuple[int, int] | None:
    """The span of one to three Hangul words from `first`, closed by a particle, a mark or the
    end (see the module), or None."""
    span: list[tuple[int, int]] = []
    for start, _, word in words[first : first + _MAX_WORDS]:
        letters = _HANGUL_WORD.match(word)
        if letters is None:
            return None
        closed = letters.end() < len(word)  # a mark, a bracket, a digit after it
        stem, particle = _stem(word[: letters.end()])
        if stem in _TITLES or stem in countries or stem in _AFTER_TITLES or stem in _QUALIFIERS:
            return None
        span.append((start, start + len(stem)))
        if particle or closed:
            break
    else:
        if first + len(span) < len(words):
            return None  # three words and no end to them: a phrase, not a name
    if not span or (len(span) == 1 and span[0][1] - span[0][0] < _MIN_ALONE):
        return None
    return span[0][0], span[-1][1]
