"""Near-duplicate detection with MinHash LSH (monitor/dedup.py)."""

from __future__ import annotations

import json
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.stories.dedup import Deduplicator, DedupParams, _shingle_bytes, shingles

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
    from monitor.stories.exact import exact_action

    assert exact_action(None, False, "h1") == "insert"  # never seen
    assert exact_action("h1", False, "h1") == "unchanged"  # same feed and GUID, same content
    assert exact_action("h1", False, "h2") == "update"  # same feed and GUID, content changed
    assert exact_action(None, True, "h1") == "unchanged"  # same page already stored from another feed
    assert exact_action("h1", True, "h2") == "update"  # the feed's own copy wins over the URL rule


# --- the fast paths of the MinHash: same signatures as datasketch's own, shingle by shingle ---

_TEXTS = [
    "The Quick brown fox jumps over the lazy dog, again and again and again.",
    "Владимир Путин встретился с Ангелой Меркель в Москве 12 марта 2012 года, сообщает ТАСС.",
    "İstanbul'da ŞİŞLİ: Straße, ﬁnance — “quotes” and ǅemal’s 2,6 % rise; snake_case_word too.",
    "東京で地震。 マグニチュード 6.1 の 地震 が 発生 しました 今日 の 朝",
    "a b",  # fewer words than a shingle
    "word " * 30,  # one shingle, repeated
]


def _reference_minhash(text: str, num_perm: int = 128) -> MinHash:
    """The MinHash the plain way: one `update` per distinct shingle."""
    mh = MinHash(num_perm=num_perm, hashfunc=zlib.crc32)
    for gram in sorted(shingles(text, 3)):
        mh.update(gram.encode("utf-8"))
    return mh


@pytest.mark.parametrize("text", _TEXTS)
def test_shingle_bytes_are_the_encoded_shingles(text: str) -> None:
    grams = _shingle_bytes(text, 3)
    assert {g.decode("utf-8") for g in grams} == shingles(text, 3)


@pytest.mark.parametrize("text", _TEXTS)
def test_batch_signature_equals_one_update_per_shingle(text: str) -> None:
    dedup = Deduplicator(DedupParams(min_words=1))
    assert dedup._signer.vectorised  # the installed datasketch has the scheme the fast path computes
    fast = dedup._minhash(text)
    assert fast is not None
    assert list(fast) == list(_reference_minhash(text).hashvalues)


_ANY_TEXT = Deduplicator(DedupParams(min_words=1))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=120))
def test_batch_signature_on_any_text(text: str) -> None:
    fast = _ANY_TEXT._minhash(text)  # _minhash does not index: one Deduplicator serves all
    if not shingles(text, 3):
        assert fast is None
        return
    assert fast is not None
    assert list(fast) == list(_reference_minhash(text).hashvalues)
    assert {g.decode("utf-8") for g in _shingle_bytes(text, 3)} == shingles(text, 3)


@pytest.mark.parametrize("num_perm", [64, 128, 256])
def test_permutations_and_band_shape_are_datasketchs(num_perm: int) -> None:
    """monitor draws datasketch's permutations and chooses its LSH shape without importing it
    (it imports scipy: 58 MB for the life of the process); the choices must stay the same."""
    from datasketch import MinHashLSH

    from monitor.stories.dedup import _Signer, band_shape

    a, b = _Signer(num_perm).permutations
    reference = MinHash(num_perm=num_perm, hashfunc=zlib.crc32)
    assert reference.scheme == "affine32"
    assert list(a) == list(reference.permutations[0]) and list(b) == list(reference.permutations[1])
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        assert band_shape(threshold, num_perm) == (lsh.b, lsh.r), threshold


def test_making_a_deduplicator_imports_neither_datasketch_nor_scipy() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from monitor.stories.dedup import Deduplicator; Deduplicator(); "
        "print(sorted(m for m in ('datasketch', 'scipy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize(("text", "words"), [("one two three four five six seven", 7), ("x " * 8, 8)])
def test_too_few_words_is_counted_on_the_text_as_written(text: str, words: int) -> None:
    assert (Deduplicator()._minhash(text) is None) == (words < DedupParams().min_words)
