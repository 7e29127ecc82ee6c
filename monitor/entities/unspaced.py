"""Place names in scripts written without spaces: when a gazetteer match is a word (pure).

Chinese and Japanese texts are read by every substring (`placenames`), so a place name is
found inside longer words and names: 联合 (Lianhe) in 联合国 (the UN), 达州 (Dazhou) in
佛罗里达州 (Florida), 维斯塔 (Vista) in 维斯塔潘 (Verstappen), 哈罗 (Harrow) in 萨哈罗夫
(Sakharov). These rules say when a city's reading stands as a word:

- a name joined to others by a middle dot (喬治亞·梅洛尼, ドナルド・トランプ) is a foreign
  person's name, unless every part of it is a place (a Japanese list: 日本・中国・韓国);
- a match that cuts a run of transliteration characters (the characters Chinese uses to
  write foreign names by their sound; every katakana) is a piece of a longer foreign name,
  for a city of less than MAX_CUT_CITY people, or whose last character is an administrative
  suffix (达州 after 佛罗里: the 州 is Florida's);
- a city named before 州, 省 or 湖 is a state's, a province's or a lake's name (赫尔松州);
- a two-character city (联合, 民主, 中心 are also words), and any city in the scripts that
  spell words with letters without spaces (Thai, Lao, Myanmar, Khmer: นิส, Nice, in
  คอมมิวนิสต์), needs a city suffix after it (文峰区), or MIN_SHORT_CITY people, or its
  country named in the text and MIN_SHORT_SUPPORTED_CITY.

Countries and regions are judged by one rule only (`inside_place_word`): a name that begins
with a word for a body of water or land (海 sea, 湖, 河, 江, 山, 岛, 湾) and whose last character
opens a word for an area after it (地区, 地帶: "region", "zone") is the end of a longer place
and that word: 海地 (Haiti) in 沿海地區 (coastal areas), 加勒比海地区 (the Caribbean region),
地中海地区. Else 俄罗斯 before 克里姆林宫 is still Russia.
"""

from __future__ import annotations

import re

__all__ = [
    "JOINERS",
    "MAX_CUT_CITY",
    "MIN_SHORT_CITY",
    "MIN_SHORT_SUPPORTED_CITY",
    "inside_place_word",
    "is_unspaced",
    "unspaced_city_fits",
]

MAX_CUT_CITY = 1_000_000  # Moscow (莫斯科) stays Moscow before 科学院
MIN_SHORT_CITY = 1_000_000  # 东京, 柏林, 首尔: alone
MIN_SHORT_SUPPORTED_CITY = 100_000  # 多哈, 酒泉: beside their country

# Middle dots that join the parts of a transliterated name (U+00B7, U+30FB, U+2027, U+FF65,
# U+2022).
JOINERS = "\u00b7\u30fb\u2027\uff65\u2022"
_UNSPACED_CHAR = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30fa\u30fc-\u30ff"
                            r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
# Thai, Lao, Myanmar, Khmer: words spelled with letters and written without spaces, so that
# any name may be a piece of a longer word (นิส, Nice, in คอมมิวนิสต์, communist): read as short.
_LETTERED = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]")
# Characters used for their sound in Chinese transliterations of foreign names (simplified
# and traditional forms), leaving out those that often begin or end native words (东 西 南 北
# 中 大 新 山 海 林 金 安 特 科 比 加 图 米 ...).
_TRANSLITERATION = frozenset(
    "阿埃艾奥澳巴拜鲍贝彼宾波伯博布茨达戴迪蒂丹杜厄恩菲芬弗盖戈格圭哈赫霍基吉贾杰喀卡凯坎柯"
    "克库奎拉莱兰朗勒雷蕾里莉琳卢鲁伦罗洛玛迈麦曼梅蒙莫姆穆纳娜奈尼涅纽努诺欧帕潘佩珀普奇乔萨"
    "塞赛桑瑟沙莎什斯索塔泰坦提瓦威韦维沃乌锡希谢亚娅耶伊尤扎泽兹佐尔夫扬约詹"
    "奧貝鮑達賈傑凱庫萊蘭盧魯倫羅瑪邁麥納紐諾歐喬薩賽錫謝亞婭澤茲揚約維韋烏圖爾"
)
# Katakana (less the middle dot), written for foreign words: all of it is sound.
_KATAKANA = re.compile(r"[\u30a1-\u30fa\u30fc]")
_ADMIN_SUFFIXES = frozenset("州省市县縣区區")
_CITY_SUFFIXES = frozenset("市县縣区區镇鎮町村")
_OTHER_KIND_SUFFIXES = frozenset("州省湖")
# Nouns of water and land that end places' names (加勒比海, 洞庭湖, 长江, 泰山), and the words for
# an area that follow such a name (沿海地区, 山区地带), simplified and traditional.
_FEATURE_NOUNS = frozenset("海湖河江山岛島湾灣")
_AREA_WORDS = frozenset({"地区", "地區", "地带", "地帶", "地域"})


def is_unspaced(text: str) -> bool:
    """Whether a span is written in a script without spaces (Han, kana, Hangul, Thai, Lao,
    Myanmar, Khmer)."""
    return bool(text) and all(_UNSPACED_CHAR.match(char) for char in text)


def inside_place_word(text: str, after: str) -> bool:
    """Whether a name found as `text` before `after` is the tail of a longer place and the
    head of an area word (海地 in 沿海地區: see the module)."""
    return bool(after) and text[:1] in _FEATURE_NOUNS and text[-1] + after in _AREA_WORDS


def _sound(char: str) -> bool:
    return char in _TRANSLITERATION or bool(_KATAKANA.match(char))


def unspaced_city_fits(
    text: str, before: str, after: str, population: int, supported: bool
) -> bool:
    """Whether a city's name found as `text` between `before` and `after` stands as a word
    naming that city (see the module); `supported` when the text names its country."""
    cut_before = bool(before) and _sound(before) and _sound(text[0])
    cut_after = bool(after) and _sound(after) and _sound(text[-1])
    if cut_before and text[-1] in _ADMIN_SUFFIXES:
        return False  # 达州 in 佛罗里达州: the suffix is the longer name's
    if (cut_before or cut_after) and population < MAX_CUT_CITY:
        return False  # 维斯塔 in 维斯塔潘
    if after and after in _OTHER_KIND_SUFFIXES:
        return False  # 赫尔松州, 维多利亚湖
    if (len(text) > 2 and not _LETTERED.match(text)) or (after and after in _CITY_SUFFIXES):
        return True
    return population >= MIN_SHORT_CITY or (supported and population >= MIN_SHORT_SUPPORTED_CITY)
