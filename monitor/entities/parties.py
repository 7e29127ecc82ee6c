"""Parties named by what they stand for, as scripts without capitals build their names: a word
for "party" and a word for the ideology (保守党, حزب المحافظين, พรรคอนุรักษนิยม, 보수당,
பழமைவாதக் கட்சி: the Conservative Party), in each language's order. Data, and the phrases
it makes (`party_phrases`) for monitor.entities.orgnames to find.

A party of this kind is keyed by its English name (`Conservative Party`, with `Conservatives`
and `Tories`): a watch `names: [Conservative Party]` finds every conservative party, as the
same watch finds `Conservative Party of Canada` in English. A party named with its country
and known as one (the Chinese Communist Party) is an organisation of its own in orgnames,
whose written name, longer, wins where both stand (`中国共产党`); it is also a party of its
kind (`Communist Party`).

Look-alikes: the ideology word alone is an adjective or a noun (保守 "conservative", 民主
"democracy"), never a party; a longer ideology wins over the one inside it (社会民主党 is the
Social Democratic Party, not the Democratic Party in it); a phrase may name the letters that
must not follow it (`!`, as in orgnames: 당국 are "authorities", not a party; 党委, 党派,
党支部 are a party's committee, parties, branch: 化工党委 is a chemical works' Party committee,
民主党派 the democratic parties of China), and a
look-alike that a party's name stands inside is listed as no name (`_NOT_NAMES`: 员工党支部
is a staff Party branch, not the Labour Party).
A party named with its country where the language sets the country's name beside it
(越南共产党, حزب کمونیست ویتنام: `parties_with_country_in`) is keyed `Communist Party of
Vietnam`, and is a Communist Party too (`generic_party`); the countries' names in each language
are monitor.entities.teams'.
Source: the project's own knowledge of these languages; a word is written only where sure.
"""

from __future__ import annotations

import re
from functools import cache

from monitor.entities.phrasetrie import trie_pattern
from monitor.entities.teams import countries_in_language, english_countries, english_country

__all__ = ["NOT_NAMES", "generic_party", "parties_with_country_in", "party_names", "party_phrases"]

# Ideology -> the party's English names (the first as the news writes it).
_ENGLISH = {
    "communist": "Communist Party|Communists",
    "conservative": "Conservative Party|Conservatives|Tories|Tory Party",
    "labour": "Labour Party|Labor Party",
    "workers": "Workers' Party|Workers Party",
    "democratic": "Democratic Party|Democrats",
    "republican": "Republican Party|Republicans|GOP",
    "socialist": "Socialist Party|Socialists",
    "liberal": "Liberal Party|Liberals",
    "green": "Green Party|Greens",
    "social democratic": "Social Democratic Party|Social Democrats",
    "liberal democratic": "Liberal Democratic Party|Liberal Democrats|Lib Dems",
    "christian democratic": "Christian Democratic Party|Christian Democrats",
    "people's": "People's Party",
}

# Language -> how a party's name is built (`{}` the ideology word) -> ideology -> its words,
# `|` between them. One language's patterns may serve another of its script (zh for ja).
_PARTIES: dict[str, tuple[tuple[str, ...], dict[str, str]]] = {
    "zh": (
        ("{}党!委派支建校", "{}黨!委派支建校"),  # 党委, 党派...: 化工党委, 民主党派 (not 组: 组成, form)
        {
            "communist": "共产|共產", "conservative": "保守", "labour": "工", "workers": "劳工|勞工",
            "democratic": "民主", "republican": "共和", "socialist": "社会|社會", "liberal": "自由",
            "green": "绿|綠", "social democratic": "社会民主|社會民主|社民",
            "liberal democratic": "自由民主|自民", "christian democratic": "基督教民主", "people's": "人民",
        },
    ),
    "ja": (
        ("{}党",),
        {
            "communist": "共産", "conservative": "保守", "labour": "労働", "workers": "労働者",
            "democratic": "民主", "republican": "共和", "socialist": "社会", "liberal": "自由",
            "green": "緑の", "social democratic": "社会民主|社民", "liberal democratic": "自由民主|自民",
        },
    ),
    "ko": (
        ("{}당!국",),  # 당국: authorities
        {
            "communist": "공산", "conservative": "보수", "labour": "노동", "workers": "노동자",
            "democratic": "민주", "republican": "공화", "socialist": "사회", "liberal": "자유",
            "green": "녹색", "social democratic": "사회민주|사민", "liberal democratic": "자유민주|자민",
        },
    ),
    "th": (
        ("พรรค{}",),
        {
            "communist": "คอมมิวนิสต์", "conservative": "อนุรักษนิยม|อนุรักษ์นิยม", "labour": "แรงงาน",
            "democratic": "เดโมแครต", "republican": "รีพับลิกัน", "socialist": "สังคมนิยม",
            "liberal": "เสรีนิยม", "social democratic": "สังคมประชาธิปไตย",
        },
    ),
    "ar": (
        ("حزب {}", "الحزب {}"),
        {
            "communist": "الشيوعي", "conservative": "المحافظين|المُحافظين", "labour": "العمال",
            "workers": "العمال", "democratic": "الديمقراطي|الديموقراطي", "republican": "الجمهوري",
            "socialist": "الاشتراكي", "liberal": "الليبرالي|الأحرار", "green": "الخضر",
            "social democratic": "الديمقراطي الاجتماعي|الاشتراكي الديمقراطي",
            "liberal democratic": "الديمقراطي الليبرالي|الليبرالي الديمقراطي",
            "christian democratic": "الديمقراطي المسيحي",
        },
    ),
    "fa": (
        ("حزب {}",),
        {
            "communist": "کمونیست", "conservative": "محافظه‌کار|محافظه کار|محافظه‌کاران",
            "labour": "کارگر", "workers": "کارگران", "democratic": "دموکرات|دمکرات",
            "republican": "جمهوری‌خواه|جمهوریخواه|جمهوری خواه", "socialist": "سوسیالیست",
            "liberal": "لیبرال", "green": "سبز", "social democratic": "سوسیال دموکرات|سوسیال‌دموکرات",
            "liberal democratic": "لیبرال دموکرات", "christian democratic": "دموکرات مسیحی",
            "people's": "مردم",
        },
    ),
    "ckb": (
        ("پارتی {}", "حیزبی {}"),
        {
            "communist": "کۆمۆنیست|کۆمۆنیستی", "conservative": "پارێزگاران|پارێزگار",
            "labour": "کرێکاران|کرێکار", "democratic": "دیموکرات|دیموکراتی",
            "socialist": "سۆسیالیست|سۆسیالیستی",
        },
    ),
    "ur": (
        ("{} پارٹی",),
        {
            "communist": "کمیونسٹ", "conservative": "کنزرویٹو", "labour": "لیبر", "democratic": "ڈیموکریٹک",
            "republican": "ریپبلکن", "socialist": "سوشلسٹ", "liberal": "لبرل",
        },
    ),
    "he": (
        ("מפלגת {}", "המפלגה {}"),
        {
            "communist": "הקומוניסטית|הקומוניסטים", "conservative": "השמרנית|השמרנים",
            "labour": "העבודה|הלייבור", "democratic": "הדמוקרטית|הדמוקרטים",
            "republican": "הרפובליקנית|הרפובליקנים", "socialist": "הסוציאליסטית", "liberal": "הליברלית",
            "green": "הירוקה|הירוקים",
        },
    ),
    "yi": (
        ("{} פארטיי",),
        {
            "communist": "קאמוניסטישע", "conservative": "קאנסערוואטיווע", "democratic": "דעמאקראטישע",
            "republican": "רעפובליקאנער|רעפובליקאנישע", "socialist": "סאציאליסטישע",
        },
    ),
    "hi": (
        ("{} पार्टी", "{} दल"),
        {
            "communist": "कम्युनिस्ट", "conservative": "कंज़र्वेटिव|कंजर्वेटिव|कन्ज़र्वेटिव|कंज़रवेटिव",
            "labour": "लेबर", "democratic": "डेमोक्रेटिक", "republican": "रिपब्लिकन",
            "socialist": "सोशलिस्ट|समाजवादी", "liberal": "लिबरल", "green": "ग्रीन",
            "social democratic": "सोशल डेमोक्रेटिक",
        },
    ),
    "ta": (
        ("{} கட்சி",),
        {
            "communist": "கம்யூனிஸ்ட்|பொதுவுடமைக்|பொதுவுடைமைக்", "conservative": "பழமைவாதக்|கன்சர்வேட்டிவ்",
            "labour": "தொழிற்|தொழிலாளர்", "democratic": "ஜனநாயகக்", "republican": "குடியரசுக்",
            "liberal": "லிபரல்",
        },
    ),
    "si": (
        ("{} පක්ෂ",),
        {
            "communist": "කොමියුනිස්ට්", "conservative": "කොන්සර්වේටිව්", "labour": "කම්කරු",
            "republican": "රිපබ්ලිකන්", "socialist": "සමාජවාදී", "liberal": "ලිබරල්",
        },
    ),
    "ka": (
        ("{} პარტი",),
        {
            "communist": "კომუნისტური", "conservative": "კონსერვატიული|კონსერვატორთა",
            "labour": "ლეიბორისტული", "democratic": "დემოკრატიული",
            "republican": "რესპუბლიკური|რესპუბლიკელთა", "socialist": "სოციალისტური", "liberal": "ლიბერალური",
        },
    ),
}

# Phrases that hold a party's written name and are none (see the module).
NOT_NAMES = frozenset({"员工党", "員工黨", "职工党", "職工黨"})


@cache
def party_phrases() -> dict[str, tuple[str, ...]]:
    """A party's English names (`|` between them, as orgnames keys them) -> its written names
    in every language here, maybe with a `!` and the letters that may not follow."""
    out: dict[str, list[str]] = {}
    for patterns, words in _PARTIES.values():
        for ideology, written in words.items():
            phrases = out.setdefault(_ENGLISH[ideology], [])
            phrases += (p.format(w) for p in patterns for w in written.split("|"))
    return {english: tuple(dict.fromkeys(phrases)) for english, phrases in out.items()}


# Language -> pycountry's catalogues of it, and how a party's name is built with its country
# (`{country}`, `{ideology}`), where the language sets the country's name beside the party's
# (中国共产党, 越南共产党, 베트남 공산당, حزب کمونیست ویتنام, พรรคคอมมิวนิสต์เวียดนาม); those whose
# country comes as an adjective or a genitive (Arabic, Hebrew, Hindi, Tamil) are not read so.
_WITH_COUNTRY = {
    "zh": ("zh_CN zh_TW zh_HK", "{country}{ideology}(?:党|黨)(?![委派支建校])"),
    "ja": ("ja", "{country}{ideology}党"),
    "ko": ("ko", r"{country}\s?{ideology}당(?!국)"),
    "fa": ("fa", r"حزب {ideology} {country}(?![^\W\d_])"),
    "th": ("th", "พรรค{ideology}(?:แห่ง)?(?:ประเทศ)?{country}"),
}
_IDEOLOGIES = list(_ENGLISH)


@cache
def _with_country(language: str) -> re.Pattern[str]:
    """A language's pattern of a party's name with its country: groups country, ideology_K (the
    Kth ideology of _ENGLISH)."""
    locales, template = _WITH_COUNTRY[language]
    words = _PARTIES[language][1]
    ideologies = "|".join(
        f"(?P<ideology_{k}>{trie_pattern(words[ideology].split('|'))})"
        for k, ideology in enumerate(_IDEOLOGIES)
        if ideology in words
    )
    country = trie_pattern(list(countries_in_language(locales)))
    return re.compile(template.format(country=f"(?P<country>{country})", ideology=f"(?:{ideologies})"))


def _english(ideology: str, code: str) -> str:
    return f"{_ENGLISH[ideology].split('|')[0]} of {english_country(code)}"


def parties_with_country_in(text: str) -> list[tuple[int, int, str, str]]:
    """The parties a text names with their country: (start, end, as written, English name,
    `Communist Party of Vietnam`)."""
    if not _PARTY_WORDS.search(text):
        return []
    found = []
    for language, (locales, _) in _WITH_COUNTRY.items():
        for match in _with_country(language).finditer(text):
            groups = match.groupdict()
            ideology = next(_IDEOLOGIES[int(k[9:])] for k, v in groups.items() if k[:9] == "ideology_" and v)
            code = countries_in_language(locales)[match.group("country")]
            found.append((match.start(), match.end(), match.group(), _english(ideology, code)))
    return found


_PARTY_WORDS = re.compile("党|黨|당|حزب|พรรค")
_ENGLISH_PARTY = re.compile(r"(?P<party>.+ party) of (?:the )?(?P<country>.+)")


@cache
def _ideology_of() -> dict[str, str]:
    """A party's English name, case-folded -> its ideology."""
    return {name.casefold(): ideology for ideology, names in _ENGLISH.items() for name in names.split("|")}


def party_names(name: str) -> frozenset[str]:
    """The English name (as `parties_with_country_in` gives it) of the party an English name
    names with its country (`Communist Party of Vietnam`); empty for another name."""
    folded = " ".join(name.casefold().replace("’", "'").split())
    match = _ENGLISH_PARTY.fullmatch(re.sub(r"(?<=\w) s\b", "'s", folded))  # a watch's `People s`
    if match is None:
        return frozenset()
    ideology = _ideology_of().get(match.group("party"))
    code = english_countries().get(match.group("country"))
    return frozenset({_english(ideology, code)}) if ideology and code else frozenset()


def generic_party(english: str) -> str | None:
    """The party of its kind that a party named with its country is (`Communist Party of
    Vietnam`: `Communist Party`), or None."""
    party, of, _ = english.partition(" of ")
    return party if of and party.casefold() in _ideology_of() else None
