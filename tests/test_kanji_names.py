"""Japanese names in kanji (monitor.entities.kanji), with the readings janome's mecab-ipadic
gives: read, keyed as their English spelling, found by watches written in English."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.entities.kanji import NameReadings, Reading, japanese, japanese_names, kanji_names, romanized
from monitor.entities.names import SpelledNames, names_in
from monitor.entities.sounds import SoundIndex
from monitor.watches.names import NameText, watched_name

FIXTURE = Path(__file__).parent / "fixtures" / "ja_names" / "sentences.jsonl"


@pytest.fixture(scope="module")
def readings() -> NameReadings:
    return NameReadings.load()


def _read(text: str, readings: NameReadings) -> list[tuple[str, str]]:
    return [(n.text, n.latin) for n in kanji_names(text, readings)]


def test_the_table_is_made_once_by_a_child_and_janome_stays_out(tmp_path: Path) -> None:
    """janome's dictionary (~250 MB) is read in a child, whose table goes to the cache folder;
    the process that reads names never imports janome."""
    script = (
        "import sys; from monitor.entities.names import names_in; "
        "n = names_in(None, '石破茂首相は述べた。', 'ja'); "
        "print('janome' in sys.modules, [x.name for x in n])"
    )
    env = {"MONITOR_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "False ['Shigeru Ishiba']"
    (table,) = tmp_path.glob("kanji-names-*.tsv")
    lines = set(table.read_text(encoding="utf-8").split("\n"))
    assert "石破\tf\tIshiba\t0" in lines
    assert any(line.startswith("森\tf\tMori") and line.endswith("\t1") for line in lines)  # a forest first
    assert "東京\tw\t\t0" in lines  # 東 Azuma + 京 Miyako would spell it


@pytest.mark.parametrize(
    ("reading", "spoken", "latin"),
    [
        ("シンゾウ", "シンゾー", "Shinzo"),
        ("タロウ", "タロー", "Taro"),
        ("コウノ", "コーノ", "Kono"),
        ("イノウエ", "イノウエ", "Inoue"),
        ("ケイコ", "ケーコ", "Keiko"),
        ("ジュンイチロウ", "ジュンイチロー", "Junichiro"),
        ("キョウコ", "キョーコ", "Kyoko"),
        ("ハットリ", "ハットリ", "Hattori"),
        ("ハッチョウ", "ハッチョー", "Hatcho"),
        ("フミオ", "", "Fumio"),
    ],
)
def test_readings_in_hepburn_with_long_vowels_as_english_news_writes_them(
    reading: str, spoken: str, latin: str
) -> None:
    assert romanized(reading, spoken) == latin


def test_the_table_says_what_it_holds(readings: NameReadings) -> None:
    assert readings.lookup("石破") == Reading(family="Ishiba")
    assert readings.lookup("森").wordlike and readings.lookup("森").family.startswith("Mori")
    assert readings.lookup("菅").family.split("|")[:2] == ["Kan", "Suga"]  # ipadic's rank
    assert readings.lookup("東京").word and not readings.lookup("東京").family
    assert readings.lookup("政府") == readings.lookup("") == readings.lookup("x" * 500) == Reading()


def test_names_before_a_title_or_an_honorific(readings: NameReadings) -> None:
    assert _read("石破茂首相は10日、記者団に語った。", readings) == [("石破茂", "Shigeru Ishiba")]
    assert _read("同日、岸田文雄前首相と会談した。", readings) == [("岸田文雄", "Fumio Kishida")]
    assert _read("同日岸田文雄首相は", readings) == [("岸田文雄", "Fumio Kishida")]  # the name ends the run
    both = [("高市早苗", "Sanae Takaichi"), ("小池百合子", "Yuriko Koike")]
    assert _read("高市早苗氏と小池百合子都知事", readings) == both
    assert _read("岸田氏は", readings) == [("岸田", "Kishida")]
    assert _read("井上さんは", readings) == [("井上", "Inoue")]
    # A given name the dictionary lacks (晋三): the family name is read, the span is whole.
    assert _read("安倍晋三元首相が", readings) == [("安倍晋三", "Abe")]


def test_an_unread_given_name_is_written_with_the_kanji_of_given_names(readings: NameReadings) -> None:
    """晋三, 義偉 and 翔平 are not in the dictionary but their kanji are those of given names;
    自動車 and 製薬 after a family name are a company's words."""
    assert _read("菅義偉首相、大谷翔平選手", readings) == [("菅義偉", "Kan"), ("大谷翔平", "Oya")]
    assert _read("鈴木自動車会長と小林製薬社長", readings) == []


def test_names_without_a_title(readings: NameReadings) -> None:
    """A run that is exactly a family + given name, and a family name the text named before."""
    ishiba, kishida = ("石破茂", "Shigeru Ishiba"), ("岸田文雄", "Fumio Kishida")
    assert _read("石破茂と岸田文雄の両氏", readings) == [ishiba, kishida]
    assert _read("岸田文雄首相は述べた。岸田は", readings) == [kishida, ("岸田", "Kishida")]
    assert _read("岸田は述べた。", readings) == []  # a family name alone needs a title


def test_a_government_named_after_its_leader(readings: NameReadings) -> None:
    assert _read("石破内閣の支持率", readings) == [("石破", "Ishiba")]
    assert _read("岸田文雄政権", readings) == [("岸田文雄", "Fumio Kishida")]
    assert _read("連立政権と自民党政権、米政権、現政権", readings) == []


@pytest.mark.parametrize(
    "text",
    [
        "日本政府は東京都内で会議を開いた。",
        "東京都知事と千葉県知事、京都市長、大阪府知事が会談した。",  # offices after places
        "中国外相と米国務長官、米大統領、韓国大統領",
        "自民党総裁選の日程が決まった。",
        "林野庁は森林の保全を進める。林業の担い手が減っている。",
        "上田市は新たな計画を発表した。同氏は述べた。",
        "各国首脳が集まった。",
    ],
)
def test_common_words_and_places_are_no_names(text: str, readings: NameReadings) -> None:
    assert _read(text, readings) == []


def test_a_family_name_that_is_also_a_word_needs_a_personal_title(readings: NameReadings) -> None:
    """森 and 林 are read first as words (a forest, a wood): alone, only before a title that
    only a person is called by; with a given name, before any title."""
    assert _read("森首相は辞任した。", readings) == [("森", "Mori")]
    assert _read("林官房長官は述べた。", readings) == [("林", "Hayashi")]
    assert _read("森喜朗元首相", readings) == [("森喜朗", "Yoshiro Mori")]
    assert _read("森の中で林を抜けた。", readings) == []
    assert _read("千葉県知事", readings) == []


def test_names_key_as_their_english_spelling_and_show_it() -> None:
    english = {n.key: n for n in names_in(None, "Prime Minister Shigeru Ishiba met Fumio Kishida.", "en")}
    text = "石破茂首相は岸田文雄氏と会談した。石破首相は述べた。"
    found = {n.key: n for n in names_in("石破茂首相が訪米", text, "ja")}
    assert set(english) == set(found) == {"shigeru ishiba", "fumio kishida"}
    ishiba = found["shigeru ishiba"]
    assert ishiba.name == "Shigeru Ishiba"
    assert set(ishiba.variants) == {"石破茂", "石破"} and ishiba.count == 3  # the family name alone joins it


def _known(*names: str) -> tuple[SoundIndex, SpelledNames]:
    pairs = [(next(n.key for n in names_in(None, f"Yesterday {name} said.", "en")), name) for name in names]
    return SoundIndex(pairs), SpelledNames(pairs)


def test_known_names_choose_among_readings_and_complete_an_unread_given_name() -> None:
    """The names the installation knows from its Latin news: the one that fits a reading
    gives its key and spelling (菅 is Kan first, Suga known; 晋三 unread, Shinzo Abe the one
    Abe known); none where two fit."""
    sounds, spelled = _known("Shinzo Abe", "Yoshihide Suga", "Shohei Ohtani")

    def read(text: str) -> list[tuple[str, str]]:
        return [(n.key, n.name) for n in names_in(None, text, "ja", sounds, spelled)]

    assert read("安倍晋三元首相が死去。安倍氏は") == [("shinzo abe", "Shinzo Abe")]
    assert read("菅義偉前首相は") == [("ioshihide suga", "Yoshihide Suga")]
    assert read("大谷翔平選手が") == [("shohei ohtani", "Shohei Ohtani")]  # Otani in the dictionary
    assert read("菅直人元首相は") == [("naoto kan", "Naoto Kan")]  # read in full: no known name fits
    sounds, spelled = _known("Shinzo Abe", "Akie Abe", "Naoto Kan", "Yoshihide Suga")
    assert read("安倍晋三元首相が") == [("abe", "Abe")]  # two Abes known
    assert read("菅義偉前首相は") == [("kan", "Kan")]  # Kan and Suga both known
    assert read("安倍昭恵さんは") == [("akie abe", "Akie Abe")]


def test_chinese_text_is_not_read_so() -> None:
    assert not japanese("安倍晋三前首相遇刺。", None)  # no kana
    assert not japanese("安倍晋三は", "zh")
    assert japanese("安倍晋三は", None) and japanese("安倍晋三", "ja-JP")
    assert japanese_names("石破茂首相会见记者。", "zh") == []
    chinese = names_in(None, "安倍晋三前首相遇刺。石破茂首相表示哀悼。", "zh")
    assert not {"abe", "shigeru ishiba"} & {n.key for n in chinese}


@pytest.mark.parametrize(
    ("watched", "text", "expected"),
    [
        ("Shinzo Abe", "安倍晋三元首相の銃撃事件から3年。", True),
        ("Abe", "安倍晋三元首相の銃撃事件から3年。", True),
        ("Shinzo Abe", "安倍氏は語った。", True),
        ("Shinzo Abe", "安倍昭恵さんは参列した。", False),  # another given name (Akie)
        ("Akie Abe", "安倍昭恵さんは参列した。", True),
        ("Shigeru Ishiba", "石破茂首相は述べた。", True),
        ("Ishiba", "石破首相は述べた。", True),
        ("Fumio Kishida", "石破茂首相は述べた。", False),
        ("Shohei Ohtani", "大谷翔平選手が本塁打を放った。", True),  # Otani in the dictionary
        ("Yoshihide Suga", "菅義偉前首相は述べた。", True),  # Kan first, Suga among its readings
        ("Shigeru Ishiba", "日本政府は東京都内で会議を開いた。", False),
    ],
)
def test_watches_in_english_find_names_in_kanji(watched: str, text: str, expected: bool) -> None:
    assert NameText.of(text, language="ja").has(watched_name(watched)) is expected


def test_watches_do_not_read_chinese_kanji_as_japanese() -> None:
    assert not NameText.of("石破茂首相表示哀悼。", language="zh").has(watched_name("Shigeru Ishiba"))


def test_the_labelled_sentences(readings: NameReadings) -> None:
    """Our labelled set (tests/fixtures/ja_names): no person read in a sentence that names
    none, and most people in kanji read where they stand."""
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    sentences = [json.loads(line) for line in lines if line.strip()]
    gold = found = 0
    for sentence in sentences:
        names = kanji_names(sentence["text"], readings)
        if not sentence["people"]:
            assert names == [], sentence["text"]
        for person in sentence["people"]:
            gold += 1
            found += any(person["ja"] in n.text or n.text in person["ja"] for n in names)
    assert found >= 0.85 * gold


def test_long_runs_of_kanji_are_read_in_bounded_work(readings: NameReadings) -> None:
    """A run of 20,000 kanji and 5,000 short runs: no name of their length, no crash."""
    assert _read("国" * 20_000 + "首相", readings) == []
    text = "石破茂首相は、" * 5_000
    assert len(_read(text, readings)) == 5_000
