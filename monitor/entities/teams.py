"""National teams as scripts without capitals name them: a word for the team, the country's
name, the sport, maybe "women's" (阿根廷国家足球队, 巴西國家女子排球隊, منتخب الأرجنتين لكرة القدم,
تیم ملی فوتبال آرژانتین, 아르헨티나 축구 국가대표팀, ทีมฟุตบอลทีมชาติอาร์เจนตินา), each
language in its own order. Pure: a text in, teams out, each with its English name as the news
writes it (`Argentina national football team`, `Brazil women's national volleyball team`).

The countries' names in each language come from the ISO 3166-1 catalogues pycountry ships
(their short names and common names; Arabic written without its vowel marks), the English ones
from monitor.entities.countries. A watch's name in English is read the same way (`team_names`):
the country by any of its English names, the sport (`soccer` is football), a team without a
sport (`Argentina national team`) of every sport. The patterns run only on a text that holds a
team word (队, 代表, 국가대표, منتخب, تیم ملی, נבחרת, ทีมชาติ, राष्ट्रीय).
"""

from __future__ import annotations

import gettext
import json
import re
from collections.abc import Iterable
from functools import cache
from importlib import resources

from monitor.entities.phrasetrie import trie_pattern

__all__ = ["countries_in_language", "english_countries", "english_country", "team_names", "teams_in"]

# Sport -> its English words, and each language's (`|` between them).
_SPORTS: dict[str, dict[str, str]] = {
    "football": {
        "en": "football|soccer|association football", "zh": "足球", "ja": "サッカー", "ko": "축구",
        "ar": "لكرة القدم", "fa": "فوتبال", "he": "כדורגל", "th": "ฟุตบอล", "hi": "फ़ुटबॉल|फुटबॉल",
    },
    "basketball": {
        "en": "basketball", "zh": "篮球|籃球", "ja": "バスケットボール", "ko": "농구", "ar": "لكرة السلة",
        "fa": "بسکتبال", "he": "כדורסל", "th": "บาสเกตบอล", "hi": "बास्केटबॉल",
    },
    "volleyball": {
        "en": "volleyball", "zh": "排球", "ja": "バレーボール", "ko": "배구",
        "ar": "للكرة الطائرة|لكرة الطائرة", "fa": "والیبال", "he": "כדורעף", "th": "วอลเลย์บอล",
        "hi": "वॉलीबॉल",
    },
    "handball": {
        "en": "handball", "zh": "手球", "ja": "ハンドボール", "ko": "핸드볼", "ar": "لكرة اليد",
        "fa": "هندبال", "he": "כדוריד",
    },
    "baseball": {"en": "baseball", "zh": "棒球", "ja": "野球", "ko": "야구"},
    "ice hockey": {"en": "ice hockey", "zh": "冰球", "ko": "아이스하키"},
    "cricket": {"en": "cricket", "zh": "板球", "hi": "क्रिकेट"},
    "rugby union": {"en": "rugby union|rugby", "zh": "橄榄球|橄欖球", "ja": "ラグビー", "ko": "럭비"},
}

# Language -> pycountry's catalogues of it, and how a team's name is built: `{country}`,
# `{sport}`, `{women}` (the word for women's teams, optional; `{women2}` where it may stand
# after the sport instead) stand for what they say.
_TEAMS: dict[str, tuple[str, str, str]] = {
    "zh": ("zh_CN zh_TW zh_HK", "{country}(?:国家|國家)?{women}(?:男子)?{sport}(?:队|隊)", "女子"),
    "ja": ("ja", "{sport}{women}{country}代表", "女子"),
    "ko": ("ko", r"{country}\s?(?:{women}\s?)?{sport}\s?국가대표(?:팀)?", "여자"),
    "ar": ("ar", r"منتخب {country} (?:{women} )?{sport}(?: {women2})?", "للسيدات|للنساء"),
    "fa": ("fa", r"تیم ملی {sport} (?:{women} )?{country}(?![^\W\d_])", "زنان"),
    "he": ("he", r"נבחרת {country} ב{sport}(?![^\W\d_])", ""),
    "th": ("th", r"ทีม{sport}{women}ทีมชาติ{country}", "หญิง"),
    "hi": ("hi", r"{country} (?:की )?(?:{women} )?राष्ट्रीय {sport} टीम", "महिला"),
}
_TEAM_WORDS = re.compile("队|隊|代表|국가대표|منتخب|تیم ملی|נבחרת|ทีมชาติ|राष्ट्रीय")
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670]")  # vowel marks and shadda (الصّين: الصين)
_MAX_COUNTRY = 30  # characters of a country's name in a team's
_COMMA = re.compile("[,،、，]")


@cache
def _iso3166() -> list[dict[str, str]]:
    """pycountry's ISO 3166-1 entries, read as data (no catalogue loaded), once (not changed
    by the callers)."""
    path = resources.files("pycountry").joinpath("databases", "iso3166-1.json")
    entries: list[dict[str, str]] = json.loads(path.read_text(encoding="utf-8"))["3166-1"]
    return entries


@cache
def countries_in_language(locales: str) -> dict[str, str]:
    """A language's names of the countries (from its catalogues) -> ISO 3166-1 alpha-2 code:
    the names without a comma, then the part before the comma of the others (ISO's `Iran,
    Islamic Republic of`) where that part is one country's only and in no other's name (not
    Korea's: Persian کره is in South Korea's جمهوری کره, and in North Korea's before a comma)."""
    out: dict[str, str] = {}
    short: dict[str, set[str]] = {}
    for locale in locales.split():
        path = resources.files("pycountry").joinpath("locales", locale, "LC_MESSAGES", "iso3166-1.mo")
        with path.open("rb") as handle:
            catalogue = gettext.GNUTranslations(handle)
        for entry in _iso3166():
            for english in filter(None, (entry.get("common_name"), entry["name"])):
                written = _ARABIC_MARKS.sub("", catalogue.gettext(english))
                if written == english or len(written) > _MAX_COUNTRY:
                    continue
                before = _COMMA.split(written)[0].strip()
                if before == written:
                    out.setdefault(written, entry["alpha_2"])
                else:
                    short.setdefault(before, set()).add(entry["alpha_2"])
    for written, codes in short.items():
        (code,) = codes if len(codes) == 1 else ("",)
        if code and written and not any(written in name for name, other in out.items() if other != code):
            out.setdefault(written, code)
    return out


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@cache
def _pattern(language: str) -> re.Pattern[str]:
    """A language's pattern of a national team's name, with groups country, sport_K (the Kth
    sport of _SPORTS), women, women2."""
    locales, template, women = _TEAMS[language]
    sports = "|".join(
        f"(?P<sport_{k}>{_alternation(words[language].split('|'))})"
        for k, (sport, words) in enumerate(_SPORTS.items())
        if language in words
    )
    return re.compile(
        template.format(
            country=f"(?P<country>{trie_pattern(list(countries_in_language(locales)))})",
            sport=f"(?:{sports})",
            women=f"(?P<women>{women})?" if women else "",
            women2=f"(?P<women2>{women})",
        )
    )


def english_country(code: str) -> str:
    """A country's English name (monitor.entities.countries, imported only once a team or a
    party names a country: it loads Babel)."""
    from monitor.entities.countries import country_names

    return country_names()[code]


def _english(code: str, women: bool, sport: str) -> str:
    return f"{english_country(code)} {'women' + chr(39) + 's ' if women else ''}national {sport} team"


def teams_in(text: str) -> list[tuple[int, int, str, str]]:
    """The national teams a text names: (start, end, as written, English name)."""
    if not _TEAM_WORDS.search(text):
        return []
    found = []
    sports = list(_SPORTS)
    for language, (locales, _, _) in _TEAMS.items():
        for match in _pattern(language).finditer(text):
            groups = match.groupdict()
            sport = next(sports[int(k[6:])] for k, v in groups.items() if k.startswith("sport_") and v)
            code = countries_in_language(locales)[match.group("country")]
            women = bool(groups.get("women") or groups.get("women2"))
            found.append((match.start(), match.end(), match.group(), _english(code, women, sport)))
    return found


@cache
def english_countries() -> dict[str, str]:
    """Every English name of a country, case-folded (CLDR's and pycountry's) -> its code."""
    from monitor.entities.countries import country_names

    out = {name.casefold(): code for code, name in country_names().items()}
    entries = _iso3166()
    for entry in entries:
        for key in ("name", "common_name", "official_name"):
            if entry.get(key):
                out.setdefault(entry[key].casefold(), entry["alpha_2"])
    return out


_ENGLISH_TEAM = re.compile(
    r"(?:the )?(?P<country>.+?) (?:(?P<gender>men's|women's) )?national (?:(?P<sport>.+?) )?team"
)


def team_names(name: str) -> frozenset[str]:
    """The English names (as `teams_in` gives them) of the national teams an English name
    names: one, or one per sport where it names none; empty for another name."""
    folded = " ".join(name.casefold().replace("’", "'").split())
    folded = re.sub(r"\b(women|men)(?:'s| s|s)? ", r"\1's ", folded)  # a watch's words: `women s`
    match = _ENGLISH_TEAM.fullmatch(folded)
    if match is None:
        return frozenset()
    code = english_countries().get(match.group("country"))
    if code is None:
        return frozenset()
    sports = [s for s, words in _SPORTS.items() if match.group("sport") in words["en"].split("|")]
    if match.group("sport") is None:
        sports = list(_SPORTS)
    women = match.group("gender") == "women's"
    return frozenset(_english(code, women, sport) for sport in sports)
