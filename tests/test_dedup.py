"""Near-duplicate detection with MinHash LSH (monitor/dedup.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.dedup import Deduplicator, DedupParams, shingles

FIXTURES = Path(__file__).parent / "fixtures" / "stories"
T0 = datetime(2024, 5, 1, 12, tzinfo=UTC)


def load_copies() -> dict[str, str]:
    docs = [json.loads(line) for line in (FIXTURES / "ecb_copies.jsonl").open(encoding="utf-8")]
    return {d["id"]: d["title"] + "\n" + d["text"] for d in docs}


def test_republished_wire_story_is_a_copy_of_the_first() -> None:
    texts = load_copies()
    dedup = Deduplicator()
    first = dedup.check(1, texts["21_8ecb"], T0)
    second = dedup.check(2, texts["21_12ecb"], T0 + timedelta(hours=1))
    assert first.duplicate_of is None
    assert second.duplicate_of == 1
    assert second.jaccard is not None and second.jaccard >= 0.8


def test_edited_version_is_a_copy() -> None:
    texts = load_copies()
    assert 0.8 < Deduplicator.estimate_jaccard(texts["24_11ecbplus"], texts["24_6ecbplus"]) < 0.9
    dedup = Deduplicator()
    dedup.check(10, texts["24_6ecbplus"], T0)
    assert dedup.check(11, texts["24_11ecbplus"], T0).duplicate_of == 10


def test_two_rewrites_of_one_event_are_not_copies() -> None:
    texts = load_copies()
    dedup = Deduplicator()
    dedup.check(1, texts["24_1ecbplus"], T0)
    assert dedup.check(2, texts["24_10ecbplus"], T0).duplicate_of is None
    # ...unless the user lowers the threshold below their similarity (0.76).
    loose = Deduplicator(DedupParams(threshold=0.6))
    loose.check(1, texts["24_1ecbplus"], T0)
    assert loose.check(2, texts["24_10ecbplus"], T0).duplicate_of == 1


def test_unrelated_articles_are_not_copies() -> None:
    texts = load_copies()
    dedup = Deduplicator()
    verdicts = [dedup.check(i, texts[k], T0) for i, k in enumerate(["21_8ecb", "24_6ecbplus"])]
    assert [v.duplicate_of for v in verdicts] == [None, None]


def test_a_copy_of_a_copy_points_at_the_original() -> None:
    texts = load_copies()
    original = texts["21_8ecb"]
    dedup = Deduplicator()
    dedup.check(1, original, T0)
    dedup.check(2, original + " Reporting by staff.", T0 + timedelta(hours=1))
    third = dedup.check(
        3, original + " Reporting by staff. Editing by desk.", T0 + timedelta(hours=2)
    )
    assert third.duplicate_of == 1


def test_headline_alone_is_never_a_copy() -> None:
    dedup = Deduplicator()
    dedup.check(1, "Earthquake hits the coast", T0)
    assert dedup.check(2, "Earthquake hits the coast", T0).duplicate_of is None


def test_rebuilt_index_gives_the_same_verdicts() -> None:
    texts = load_copies()
    dedup = Deduplicator()
    dedup.check(1, texts["21_8ecb"], T0)
    rebuilt = Deduplicator()
    rebuilt.add_known(1, texts["21_8ecb"], None, T0)
    assert rebuilt.check(2, texts["21_12ecb"], T0).duplicate_of == 1


def test_checking_twice_does_not_make_an_article_its_own_copy() -> None:
    texts = load_copies()
    dedup = Deduplicator()
    dedup.check(1, texts["21_8ecb"], T0)
    assert dedup.check(1, texts["21_8ecb"], T0).duplicate_of is None


@pytest.mark.parametrize("size", [1, 3])
def test_shingles_are_casefolded_word_ngrams(size: int) -> None:
    grams = shingles("The Quick brown fox", size)
    assert ("the quick brown" in grams) == (size == 3)
    assert all(g == g.casefold() for g in grams)


def test_exact_keys_decide_insert_update_or_unchanged() -> None:
    from monitor.dedup import exact_action

    assert exact_action(None, False, "h1") == "insert"  # never seen
    assert exact_action("h1", False, "h1") == "unchanged"  # same feed and GUID, same content
    assert exact_action("h1", False, "h2") == "update"  # same feed and GUID, content changed
    assert exact_action(None, True, "h1") == "unchanged"  # same page already stored from another feed
    assert exact_action("h1", True, "h2") == "update"  # the feed's own copy wins over the URL rule
