"""Names and numbers as language-independent evidence (monitor/entities.py)."""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from monitor.stories.entities import (
    _MAX_TEXT_WORDS,
    _NUMBER,
    _SENTENCE_END,
    _lead,
    extract_evidence,
    extract_keys,
    extract_names,
    name_key,
    number_key,
)

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
        ("٢٩", "#29"),  # Arabic-Indic digits (Sorani, Arabic)
        ("۲۰۲۲", "#2022"),  # Persian digits
        ("२९", "#29"),  # Devanagari
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


# --- the fast forms of the patterns match what the plain forms match ---

_NUMBER_PLAIN = re.compile(
    r"(?<![\w.,])\d{1,3}(?:[ \u00a0\u202f.,]\d{3})+(?:[.,]\d+)?(?![\w])|\d+(?:[.,]\d+)?"
)
_SENTENCE_END_PLAIN = re.compile(r"(?<=[.!?。！？…:;])\s+|\n+")
_TRICKY = "0123456789 .,\u00a0\u202f_aZ\n\t-!?。…:;é"
# Pieces of numbers and sentences, so that random texts are full of grouped numbers and ends.
_PIECES = ["1", "12", "000", "1 000", "2,6", ".", ",", " ", "\u00a0", "\u202f", "a", "_", "\n", "! ", "… "]


@settings(max_examples=1000, deadline=None)
@given(
    st.lists(st.sampled_from(_PIECES), max_size=20).map("".join)
    | st.text(alphabet=_TRICKY, max_size=60)
    | st.text(max_size=60)
)
@example(".1 000 a1 000 1 000a _1 000 1.000,5 ,123.456 7\u202f000")
@example("End. Next!  Then\n\nmore:\tstop…\u00a0x \n y")
def test_number_and_sentence_patterns_match_their_plain_forms(text: str) -> None:
    assert [m.span() for m in _NUMBER.finditer(text)] == [m.span() for m in _NUMBER_PLAIN.finditer(text)]
    assert _SENTENCE_END.split(text) == _SENTENCE_END_PLAIN.split(text)


def test_capitalized_means_uppercase_or_titlecase() -> None:
    """`istitle()` of one character, as the name finder uses it, is `isupper()` or category Lt."""
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        assert ch.istitle() == (ch.isupper() or unicodedata.category(ch) == "Lt"), hex(code)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40), st.text(alphabet=_TRICKY + " MoscowПутин", max_size=400) | st.text(max_size=400))
def test_evidence_is_names_and_keys_together(title: str, text: str) -> None:
    names, keys = extract_evidence(title, text)
    assert names == extract_names(title, text)
    assert keys == extract_keys(title, text)
    assert set(names) <= keys


def test_lead_is_the_first_words_of_a_full_split() -> None:
    words = [f"w{i}" for i in range(_MAX_TEXT_WORDS + 5)]
    for text in (" ".join(words) + "  \n", "\t" + "  ".join(words[:_MAX_TEXT_WORDS]) + " ", "a b", ""):
        assert _lead(text) == " ".join(text.split()[:_MAX_TEXT_WORDS])
