"""Names and numbers as language-independent evidence (monitor/entities.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.entities import extract_keys, name_key, number_key

FIXTURES = Path(__file__).parent / "fixtures" / "stories"


@pytest.mark.parametrize(
    "spellings",
    [
        ["Путин", "Putin", "Putina", "Путина", "Путину"],
        ["Merkel", "Меркель", "Merkelová"],
        ["Moscow", "Москва", "Moskva"],
        ["Moscou", "Moskau"],
        ["Sarkozy", "Саркози", "Sarkozyho"],
        ["Brussels", "Bruxelles", "Брюссель"],
        ["Tymoshenko", "Tymošenko", "Тимошенко", "Tymošenková"],
    ],
)
def test_spellings_of_one_name_share_a_key(spellings: list[str]) -> None:
    keys = {name_key(word) for word in spellings}
    assert len(keys) == 1, dict(zip(spellings, [name_key(w) for w in spellings], strict=True))


def test_different_names_get_different_keys() -> None:
    names = ["Putin", "Obama", "Merkel", "Sarkozy", "Libya", "Tymoshenko", "Lohan", "Reid"]
    keys = [name_key(n) for n in names]
    assert len(set(keys)) == len(names)


def test_short_words_have_no_key() -> None:
    assert name_key("EU") is None
    assert name_key("") is None


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("1,000", "#1000"),
        ("1.000", "#1000"),
        ("1 000", "#1000"),
        ("1\u00a0000", "#1000"),
        ("2,6", "#2.6"),
        ("2.6", "#2.6"),
        ("2.60", "#2.6"),
        ("12.345,6", "#12345.6"),
        ("2011", "#2011"),
        ("0,5", "#0.5"),
        ("7", None),
    ],
)
def test_numbers_normalize_across_conventions(written: str, key: str | None) -> None:
    assert number_key(written) == key


def test_sentence_initial_words_are_not_names() -> None:
    keys = extract_keys("", "Yesterday the minister met Putin. Then he left for Paris.")
    assert name_key("Putin") in keys
    assert name_key("Paris") in keys
    assert name_key("Yesterday") not in keys
    assert name_key("Then") not in keys


def test_title_case_headlines_keep_only_acronyms() -> None:
    keys = extract_keys(
        "Parliament Does Not Support Amendment Freeing Tymoshenko, Says EU NATO", ""
    )
    assert name_key("Parliament") not in keys
    assert name_key("Support") not in keys
    assert name_key("NATO") in keys


def test_empty_input_gives_no_keys() -> None:
    assert extract_keys(None, None) == frozenset()
    assert extract_keys("", "   ") == frozenset()


def test_translations_share_more_keys_than_different_stories() -> None:
    """On real translations (WMT), one story's versions share names and numbers."""
    docs = [json.loads(line) for line in (FIXTURES / "wmt_two_stories.jsonl").open()]
    keys = {d["id"]: extract_keys(d["title"], d["text"]) for d in docs}
    same: list[int] = []
    different: list[int] = []
    for a in docs:
        for b in docs:
            if a["id"] >= b["id"] or a["language"] == b["language"]:
                continue
            shared = len(keys[a["id"]] & keys[b["id"]])
            (same if a["cluster_id"] == b["cluster_id"] else different).append(shared)
    assert sum(same) / len(same) >= 1.5
    assert sum(different) / len(different) <= 0.5


def test_keys_do_not_survive_every_spelling() -> None:
    """A known limit: an inflection that adds a consonant, or French `ch` for `sh`."""
    assert name_key("Putinem") != name_key("Putin")
    assert name_key("Timochenko") != name_key("Tymoshenko")
