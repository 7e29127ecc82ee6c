"""Places in scripts without spaces and in common words: the labelled blurbs of
fixtures/places/blurbs.jsonl (each line carries its expected countries), and the pure rules
of `monitor.entities.unspaced`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from monitor.entities.geotag import Gazetteer, geotag
from monitor.entities.unspaced import inside_place_word, is_unspaced, unspaced_city_fits

BLURBS = Path(__file__).parent / "fixtures" / "places" / "blurbs.jsonl"
CASES: list[dict[str, Any]] = [json.loads(line) for line in BLURBS.read_text("utf-8").splitlines()]


@pytest.fixture(scope="module")
def gazetteer(gazetteer_file: Path) -> Iterator[Gazetteer]:
    opened = Gazetteer(gazetteer_file)
    yield opened
    opened.close()


@pytest.mark.parametrize("case", CASES, ids=[f"{c['language']}-{c['why'][:30]}" for c in CASES])
def test_blurb_gets_exactly_its_countries(gazetteer: Gazetteer, case: dict[str, Any]) -> None:
    """The countries the blurb names, less those the gazetteer cannot read there (`missed`)."""
    found = set(geotag(gazetteer, case["text"], language=case["language"]).countries)
    assert found == set(case["countries"]) - set(case["missed"]), case["why"]


def test_unspaced_spans_are_han_kana_or_hangul_only() -> None:
    assert is_unspaced("白沙瓦") and is_unspaced("ソウル") and is_unspaced("서울")
    assert not is_unspaced("") and not is_unspaced("Paz") and not is_unspaced("白沙瓦市1")


@pytest.mark.parametrize(("text", "after", "inside"), [
    ("海地", "區", True),  # 沿海地區: coastal areas
    ("海地", "区", True),  # 加勒比海地区: the Caribbean region
    ("海地", "地", False),  # 海地地震: Haiti's earthquake
    ("海地", "", False),
    ("日本", "区", False),  # 日本地区: Japan's region
])
def test_a_name_inside_a_feature_and_an_area_word(text: str, after: str, inside: bool) -> None:
    assert inside_place_word(text, after) is inside


@pytest.mark.parametrize(("text", "before", "after", "population", "supported", "fits"), [
    ("维斯塔", "", "潘", 100_890, False, False),  # cuts 维斯塔潘
    ("哈罗", "萨", "夫", 149_246, True, False),  # cuts 萨哈罗夫
    ("莫斯科", "在", "科", 10_381_222, True, True),  # a great city is not cut
    ("达州", "里", "登", 1_589_435, False, False),  # 佛罗里达州: the suffix is Florida's
    ("达州", "在", "的", 1_589_435, False, True),
    ("赫尔松", "部", "州", 66_000, True, False),  # the oblast
    ("维多利亚", "入", "湖", 289_625, False, False),  # the lake
    ("联合", "", "国", 121_367, False, False),  # two characters, unsupported
    ("文峰", "市", "区", 31_338, True, True),  # a district's suffix
    ("多哈", "都", "的", 344_939, True, True),  # beside its country
    ("多哈", "都", "的", 344_939, False, False),
    ("东京", "", "で", 9_733_276, False, True),  # a great city alone
])
def test_unspaced_city_rules(
    text: str, before: str, after: str, population: int, supported: bool, fits: bool
) -> None:
    assert unspaced_city_fits(text, before, after, population, supported) is fits
