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
must not follow it (`!`, as in orgnames: 당국 are "authorities", not a party), and a
look-alike that a party's name stands inside is listed as no name (`_NOT_NAMES`: 员工党支部
is a staff Party branch, not the Labour Party).
Source: the project's own knowledge of these languages; a word is written only where sure.
"""

from __future__ import annotations

from functools import cache

__all__ = ["NOT_NAMES", "party_phrases"]

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
        ("{}党", "{}黨"),
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
