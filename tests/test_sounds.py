"""Names heard across scripts (monitor.entities.sounds): real sentences per script, look-alikes
that must stay apart, and bad input with bounded work."""

from __future__ import annotations

import itertools

import pytest

from monitor.entities.givennames import census_given_names
from monitor.entities.sounds import MAX_TEXT, SoundIndex, romanize, sound_key, sound_keys, sounds_like
from monitor.watches.matcher import ArticleView, compile_watch
from monitor.watches.names import hear_all, sound_index
from monitor.watches.settings import WatchConfig

NAMES = [
    ("putin", "Vladimir Putin"),
    ("trump", "Donald Trump"),
    ("xi", "Xi Jinping"),
    ("zelensky", "Volodymyr Zelensky"),
    ("biden", "Joe Biden"),
    ("merkel", "Angela Merkel"),
    ("peyton", "Peyton Manning"),
]


@pytest.fixture(scope="module")
def index() -> SoundIndex:
    return SoundIndex(NAMES)


def heard(index: SoundIndex, text: str, language: str | None = None) -> list[tuple[str, str, bool]]:
    return [(text[h.start : h.end], h.key, h.full) for h in index.find(text, language)]


SPELLINGS = {
    "Putin": (
        "普京",
        "普丁",
        "プーチン",
        "푸틴",
        "بوتين",
        "پوتین",
        "פוטין",
        "पुतिन",
        "ปูติน",
        "პუტინი",
        "புதின்",
        "پوٹن",
    ),
    "Trump": (
        "ترامپ",
        "特朗普",
        "トランプ",
        "트럼프",
        "ترامب",
        "טראמפ",
        "ट्रम्प",
        "ทรัมป์",
        "ტრამპი",
        "டிரம்ப்",
    ),
    "Zelensky": ("泽连斯基", "ゼレンスキー", "젤렌스키", "زيلينسكي", "זלנסקי", "ज़ेलेंस्की", "ზელენსკი"),
    "Biden": ("拜登", "バイデン", "바이든", "بايدن", "ביידן", "बाइडेन", "ไบเดน"),
    "Merkel": ("默克尔", "メルケル", "메르켈", "ميركل", "मर्केल"),
    "Xi Jinping": ("시진핑",),
    "Donald Trump": ("唐纳德·特朗普",),
    "Netanyahu": ("ネタニヤフ",),
}


@pytest.mark.parametrize(
    ("spelling", "written"), [(spelling, word) for spelling, words in SPELLINGS.items() for word in words]
)
def test_a_name_sounds_alike_in_every_script(spelling: str, written: str) -> None:
    assert sounds_like(spelling, written)
    assert sound_keys(written) & sound_keys(spelling)


@pytest.mark.parametrize(
    ("spelling", "written"),
    [
        ("Putin", "佩顿"),  # Peyton: a front vowel where Putin has u
        ("Putin", "ペイトン"),
        ("Putin", "페이턴"),
        ("Putin", "بيتون"),
        ("Putin", "פייטון"),
        ("Putin", "拜登"),  # Biden: the same consonants
        ("Biden", "普京"),
        ("Putin", "بوتان"),  # Bhutan
        ("Putin", "부탄"),
        ("Trump", "特朗"),  # a consonant short
    ],
)
def test_look_alikes_stay_apart(spelling: str, written: str) -> None:
    assert not sounds_like(spelling, written)


def test_sound_key_is_the_shortest_blocking_key() -> None:
    assert sound_key("Putin") == sound_key("بوتين") == "PTN"
    assert "PTN" in sound_keys("普京")  # whose 京 may be a t, a k or a ch
    assert sound_key("Merkel") == "NKR"
    assert sound_key("") == ""


@pytest.mark.parametrize(
    ("spelling", "written"),
    [
        ("Test", "دست"),  # hand: no vowel written
        ("Trump", "ٹرمپ"),  # Urdu writes none of Trump's: four consonants are not enough alone
        ("Merkel", "מרקל"),  # nor Hebrew of Merkel's (it is also Markle)
        ("Netanyahu", "निधन"),  # death: the name's last vowels are not written
        ("Khan", "ეკონია"),  # a short name needs its vowels as written, none before it
    ],
)
def test_unwritten_vowels_are_no_evidence(spelling: str, written: str) -> None:
    index = SoundIndex([("k", spelling)])
    assert index.find(written) == []


def test_a_chinese_name_in_pinyin_is_not_found_by_its_given_name() -> None:
    index = SoundIndex([("jiang", "Jiang Zemin")])
    assert index.find("زمین لرزه") == []  # زمین, earth, sounds like Zemin
    assert [h.full for h in index.find("جیانگ زمین درگذشت")] == [True]


def test_romanize_reads_what_anyascii_lacks() -> None:
    assert romanize("ไบเดน") == "baiden"  # a Thai vowel written before its consonant
    assert romanize("פוטין") == "pwtyn"  # Hebrew vav a vowel, pe a p
    assert romanize("ماكرون") == "makrwn"  # Arabic alef


def test_full_names_and_surnames_in_spaced_scripts(index: SoundIndex) -> None:
    assert heard(index, "محاکمه دونالد ترامپ، رئیس جمهور سابق آمریکا، آغاز شد.", "fa") == [
        ("دونالد ترامپ", "trump", True)
    ]
    assert heard(index, "블라디미르 푸틴은 러시아에서의 부분 동원령을 선포했다.", "ko") == [
        ("블라디미르 푸틴", "putin", True)
    ]
    # Arabic clitics: و (and) and ال; the word itself is found after them
    found = heard(index, "وقال الرئيس الأمريكي جو بايدن إن بوتين ارتكب جرائم، وبوتين ينفي.", "ar")
    assert [(k, f) for _, k, f in found] == [("biden", True), ("putin", False), ("putin", False)]
    # Georgian: the genitive -ს left out of the span
    assert [s for s, _, _ in heard(index, "რუსეთის პრეზიდენტმა პუტინის", "ka")] == ["პუტინი"]
    assert [k for _, k, _ in heard(index, "ரஷ்ய அதிபர் புதின் மற்றும் டொனால்ட் டிரம்ப்", "ta")] == ["putin", "trump"]
    assert [k for _, k, _ in heard(index, "रूसी राष्ट्रपति व्लादिमीर पुतिन ने कहा", "hi")] == ["putin"]
    assert [k for _, k, _ in heard(index, "ראש הממשלה נפגש עם פוטין ועם טראמפ.", "he")] == ["putin", "trump"]


def test_unspaced_scripts(index: SoundIndex) -> None:
    assert heard(index, "俄罗斯总统弗拉基米尔·普京宣布全国部分动员。", "zh") == [
        ("弗拉基米尔·普京", "putin", True)
    ]
    assert heard(index, "選出新一屆中央政治局常務委員，習近平第三度擔任總書記。", "zh") == [
        ("習近平", "xi", True)
    ]
    assert heard(index, "ドナルド・トランプ前大統領は、プーチン氏と会談した。", "ja") == [
        ("ドナルド・トランプ", "trump", True),
        ("プーチン", "putin", False),
    ]
    # Thai: a window that starts or ends a run of letters (Thai spaces phrases, often names)
    assert [k for _, k, _ in heard(index, "ประธานาธิบดีวลาดิมีร์ ปูติน ของรัสเซียกล่าวว่า", "th")] == ["putin"]
    assert heard(index, "กล่าวว่าปูตินของรัสเซีย", "th") == []  # inside a run: not told from pieces
    # but after a title written onto it (the president)
    assert heard(index, "ประธานาธิบดีปูตินของรัสเซีย", "th") == [("ปูติน", "putin", False)]


def test_no_look_alike_in_running_text(index: SoundIndex) -> None:
    # 佩顿·曼宁 is Peyton Manning; 不停 (non-stop) has Putin's consonants and vowels, but its
    # characters are not those of transliterations
    found = heard(index, "佩顿·曼宁不停地说。", "zh")
    assert [k for _, k, _ in found] == ["peyton"]
    assert [k for _, k, _ in heard(index, "بيتون مانينغ لاعب كرة قدم أمريكي", "ar")] == ["peyton"]
    # a word pair is a full name only: `پوتین و` is Putin and the word `and`
    assert heard(index, "ولادیمیر پوتین و ماریا", "fa")[0][2] is True


def test_latin_and_cyrillic_are_left_to_the_name_matcher(index: SoundIndex) -> None:
    assert index.find("Vladimir Putin met Путин and Peyton Manning.", "en") == []


def test_an_empty_index_finds_nothing() -> None:
    empty = SoundIndex([])
    assert not empty
    assert empty.find("普京 بوتين", "zh") == []


@pytest.mark.parametrize(
    "text",
    [
        "普" * 10_000,
        "ب" * 500,
        "بوتين " * 2_000,
        "プ" * 10_000,
        "ปูติน" * 2_000,
        "푸" * 10_000,
        ("ترامپ " * 50 + "拜登说" * 50) * 40,
        "トランプで遊ぶ" * 3_000,  # card words, after and before a surname
        "כרטיס טראמפ " * 2_000,
        "弗雷德·特朗普" * 2_000,  # given names before middle dots
        "·" * 10_000 + "普京",
    ],
)
def test_bad_input_is_read_up_to_the_bound(index: SoundIndex, text: str) -> None:
    found = index.find(text)
    assert all(h.end <= MAX_TEXT for h in found)
    assert all(a.end <= b.start for a, b in itertools.pairwise(found))


@pytest.mark.parametrize(
    ("spelling", "written"),
    [
        ("Charles", "찰스"),  # an e before a last s is silent
        ("Charles", "ჩარლზ"),
        ("Charles", "تشارلز"),  # تش is a ch
        ("McCarthy", "매카시"),  # Mc is Mac, th an s
        ("Annie Ernaux", "آنی ارنو"),  # French does not sound a last x
        ("Gorbachev", "გორბაჩოვი"),  # an e after ch is a Russian ё
        ("Wickremesinghe", "ვიკრამასინგჰე"),  # w a v, e after the first syllable a schwa
        ("Pavel", "پاول"),  # و after alef is a v
        ("Rashid", "ڕەشید"),  # Kurdish ە is an a
        ("Shehan", "செகான்"),  # Tamil writes an h as a k
        ("Karunatilaka", "කරුණාතිලක"),  # Sinhala's last consonant keeps its a
        ("Kristersson", "ක්‍රිස්ටසොන්"),  # ස්ට is an s then a t
    ],
)
def test_spelling_rules_of_english_and_of_scripts(spelling: str, written: str) -> None:
    assert sounds_like(spelling, written)


def test_a_regnal_number_is_left_out_and_the_name_heard_as_a_surname() -> None:
    index = SoundIndex([("e2", "Elizabeth II")])
    assert [h.full for h in index.find("엘리자베스 2세가 사망했다", "ko")] == [False]
    assert index.find("وفاة إليزابيث الثانية ملكة المملكة المتحدة", "ar") != []
    # heard as a surname: its vowels written where the script leaves them out
    assert SoundIndex([("c3", "Charles III")]).find("کرسی‌های پارلمان", "fa") == []


def test_a_name_found_in_some_words_takes_no_word_more() -> None:
    index = SoundIndex([("k", "Imran Khan")])
    text = "نجاة رئيس الوزراء الباكستاني السابق عمران خان من محاولة اغتيال"
    assert [text[h.start : h.end] for h in index.find(text, "ar")] == ["عمران خان"]


JOINED_NAMES = ["Vladimir Putin", "Donald Trump", "Liz Truss", "Xi Jinping", "Imran Khan", "Rishi Sunak",
                "Joe Biden", "Peyton Manning", "Anwar Ibrahim", "Ebrahim Raisi"]  # fmt: skip
JOINED_TEXTS = [
    ("普京总统与特朗普通话，习近平表示关注。", "zh"),
    ("ولادیمیر پوتین و دونالد ترامپ در تهران؛ ابراهیم رئیسی گفت", "fa"),
    ("التقى الرئيس بوتين مع عمران خان في موسكو", "ar"),
    ("푸틴 대통령과 트럼프 전 대통령이 만났다", "ko"),
    ("ลิซ ทรัสส์ ลาออก และ ริชี ซูนัก เป็นนายกรัฐมนตรี", "th"),
    ("プーチン大統領はトランプ氏と会談した", "ja"),
    ("Putin and Trump met; Peyton Manning watched.", "en"),
    ("தமிழ் செய்தி: இன்று மழை பெய்தது", "ta"),
]


def test_many_watches_heard_at_once_find_what_each_finds_alone() -> None:
    """The watch stage reads an article once for every watch's names (`hear_all` with the
    joined index): each watch must match exactly where it matches when it reads alone."""
    watches = [compile_watch(WatchConfig(name=n, names=(n,)), None, None) for n in JOINED_NAMES]
    joined = sound_index(name for watch in watches for name in watch.names)
    found = 0
    for text, language in JOINED_TEXTS:
        alone = ArticleView(id=1, title="", text=text, language=language)
        together = ArticleView(id=1, title="", text=text, language=language)
        hear_all(together.name_text, joined)
        expected = [watch.match(alone) is not None for watch in watches]
        assert [watch.match(together) is not None for watch in watches] == expected, text
        found += sum(expected)
    assert found >= 10  # the texts do name them: the comparison is not of empty results


def test_given_names_are_fakers_list_read_without_importing_faker() -> None:
    """The census names are read from Faker's data module as text (importing Faker keeps ~10 MB
    in the daemon): the same names as Faker's own provider gives, and no Faker module loaded."""
    import subprocess
    import sys

    script = (
        "import sys; from monitor.entities.givennames import census_given_names as c; n = c(); "
        "print(len(n), any(m == 'faker' or m.startswith('faker.') for m in sys.modules))"
    )
    count, imported = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout.split()
    assert imported == "False"
    from faker.providers.person.en_US import Provider

    assert census_given_names() == sorted(set(Provider.first_names_male) | set(Provider.first_names_female))
    assert int(count) > 500 and "Fred" in census_given_names()
