"""Near-duplicate articles: the same wire story republished, or lightly edited.

MinHash over word shingles estimates the Jaccard similarity of two texts; an LSH index finds
the candidates above a threshold without comparing every pair. A copy points at the earliest
article it copies (`duplicate_of`), so chains collapse onto one original. Copies stay in their
story; they count once when a story's outlets are counted.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from itertools import accumulate, islice
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:  # datasketch is imported when a Deduplicator is made: it pulls in scipy,
    # about 0.3 s that every CLI command would pay through store.py's use of exact_action.
    from datasketch import MinHash

__all__ = ["DedupParams", "Deduplicator", "DuplicateVerdict", "shingles"]

_TOKEN = re.compile(r"\w+", re.UNICODE)
# bytes.translate table: ASCII word characters (what \w matches below 128) kept, others blanked.
_ASCII_WORD_BYTES = bytes(c if c < 128 and (chr(c).isalnum() or chr(c) == "_") else 32 for c in range(256))


EntryAction = Literal["insert", "update", "unchanged"]


def exact_action(stored_hash: str | None, url_stored_elsewhere: bool, content_hash: str) -> EntryAction:
    """What to do with an entry, by its exact keys: `stored_hash` is the content hash of the
    article with the same feed and GUID (None when there is none), `url_stored_elsewhere`
    whether another feed already gave an article at the same canonical URL.

    Same feed and GUID: unchanged, or updated in place when its content changed. Otherwise
    the same page from another feed is stored once; anything else is new.
    """
    if stored_hash is not None:
        return "unchanged" if stored_hash == content_hash else "update"
    return "unchanged" if url_stored_elsewhere else "insert"


@dataclass(frozen=True)
class DedupParams:
    threshold: float = 0.8
    """Jaccard similarity of word shingles at or above which an article is a copy."""
    shingle_words: int = 3
    num_perm: int = 128
    min_words: int = 8
    """Texts shorter than this (a headline alone) are never called copies: too little evidence."""


@dataclass(frozen=True)
class DuplicateVerdict:
    article_id: int
    duplicate_of: int | None
    jaccard: float | None
    """Estimated Jaccard similarity to the original, when one was found."""


def shingles(text: str, size: int) -> set[str]:
    """Overlapping word n-grams of a casefolded text (the whole text if it is shorter)."""
    words = _TOKEN.findall(text.casefold())
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def _shingle_bytes(text: str, size: int) -> list[bytes]:
    """The UTF-8 bytes of `shingles(text, size)`, possibly repeated (a MinHash does not mind).

    The words are joined and encoded once and each shingle is a slice of that: a shingle is
    `" ".join(words[i:i+size])`, and UTF-8 encodes a concatenation as the concatenation of
    the encodings, so the slice between word offsets is exactly its encoding.
    """
    if text.isascii():
        # On ASCII, casefold() is lower() and \w is [A-Za-z0-9_]: blank out the rest, split.
        data = b" ".join(text.lower().encode("ascii").translate(_ASCII_WORD_BYTES).split())
    else:
        data = " ".join(_TOKEN.findall(text.casefold())).encode("utf-8")
    if not data:
        return []
    # A word holds no space, so splitting the bytes at spaces gives each word's encoding.
    steps = [len(word) + 1 for word in data.split(b" ")]
    if len(steps) < size:
        return [data]
    starts = accumulate(steps, initial=0)  # where word j begins
    ends = list(accumulate(steps, initial=-1))[size:]  # one past the end of word j + size - 1
    return list(map(data.__getitem__, map(slice, starts, ends)))

# MurmurHash3's 32-bit finalizer, which datasketch's "affine32" scheme applies to each hash.
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35), np.uint32(16))


class _Signer:
    """MinHash signatures of a list of shingles, computed for all of them at once.

    `MinHash.update_batch` does the same in a Python loop over the shingles; here the CRC-32s
    come from `map` and the permutations are one numpy product. The result is checked against
    `update_batch` on a probe when the signer is made, and `update_batch` is used whenever
    they differ (another datasketch scheme), so signatures never depend on which path ran.
    """

    def __init__(self, num_perm: int) -> None:
        # CRC-32 as the shingle hash: stable across processes (unlike hash()), and several
        # times cheaper than datasketch's default SHA-1; the permutations do the mixing.
        # Drawing those permutations costs as much as hashing a text, so every sketch is a
        # copy of this blank one, which shares them.
        from datasketch import MinHash

        self.blank = MinHash(num_perm=num_perm, hashfunc=zlib.crc32)
        a, b = self.blank.permutations
        self._a = np.ascontiguousarray(a, dtype=np.uint32).reshape(-1, 1)
        self._b = np.ascontiguousarray(b, dtype=np.uint32).reshape(-1, 1)
        reference = self.blank.copy()
        probe = [b"the quick brown", b"quick brown fox", "été 2024".encode(), b""]
        reference.update_batch(probe)
        self.vectorised = getattr(self.blank, "scheme", None) == "affine32" and bool(
            np.array_equal(self._signature(probe), reference.hashvalues)
        )

    def _signature(self, grams: list[bytes]) -> npt.NDArray[np.uint32]:
        hv = np.fromiter(map(zlib.crc32, grams), dtype=np.uint32, count=len(grams))
        s1, m1, s2, m2, s3 = _FMIX32
        hv ^= hv >> s1
        hv *= m1  # uint32 arithmetic wraps: it is modulo 2^32 by design
        hv ^= hv >> s2
        hv *= m2
        hv ^= hv >> s3
        permuted = self._a * hv  # one row per permutation, one column per shingle
        permuted += self._b
        signature: npt.NDArray[np.uint32] = permuted.min(axis=1)
        return signature

    def minhash(self, grams: list[bytes]) -> MinHash:
        """The MinHash of a non-empty list of shingles."""
        mh = self.blank.copy()
        if self.vectorised:
            mh.hashvalues = self._signature(grams)
        else:
            mh.update_batch(grams)
        return mh


class Deduplicator:
    """Holds the LSH index of every article seen; `check` answers and remembers.

    Feed articles in publication order (ties by id) so the earliest one becomes the original;
    `duplicate_of` always names an article that is not itself a copy.
    """

    def __init__(self, params: DedupParams | None = None) -> None:
        from datasketch import MinHashLSH

        self.params = params or DedupParams()
        # LSH finds a pair at exactly its threshold only about half the time (its S-curve), so
        # candidates come from a lower one and the MinHash estimate decides.
        self._lsh = MinHashLSH(
            threshold=max(0.3, self.params.threshold - 0.2), num_perm=self.params.num_perm
        )
        self._signer = _Signer(self.params.num_perm)
        self._hashes: dict[int, MinHash] = {}
        self._original: dict[int, int] = {}
        self._published: dict[int, datetime] = {}

    def __len__(self) -> int:
        return len(self._hashes)

    def _minhash(self, text: str) -> MinHash | None:
        words = _TOKEN.finditer(text)
        if next(islice(words, max(0, self.params.min_words - 1), None), None) is None:
            return None  # fewer than min_words words
        grams = _shingle_bytes(text, self.params.shingle_words)
        if not grams:
            return None
        return self._signer.minhash(grams)

    def check(
        self, article_id: int, text: str, published: datetime | None = None
    ) -> DuplicateVerdict:
        """Is this article a copy of one seen before? Either way, it is indexed afterwards."""
        if article_id in self._original or article_id in self._hashes:
            return DuplicateVerdict(article_id, self._original.get(article_id), None)
        mh = self._minhash(text)
        if mh is None:
            return DuplicateVerdict(article_id, None, None)
        best: tuple[float, int] | None = None
        for other in self._lsh.query(mh):
            other_id = int(other)
            jaccard = float(mh.jaccard(self._hashes[other_id]))
            if jaccard < self.params.threshold:
                continue  # LSH candidates include some false positives
            root = self._original.get(other_id, other_id)
            if best is None or self._earlier(root, best[1]):
                best = (jaccard, root)
        self._lsh.insert(str(article_id), mh)
        self._hashes[article_id] = mh
        if published is not None:
            self._published[article_id] = published
        if best is None:
            return DuplicateVerdict(article_id, None, None)
        self._original[article_id] = best[1]
        return DuplicateVerdict(article_id, best[1], best[0])

    def _earlier(self, a: int, b: int) -> bool:
        pa, pb = self._published.get(a), self._published.get(b)
        if pa is not None and pb is not None and pa != pb:
            return pa < pb
        return a < b

    def add_known(
        self,
        article_id: int,
        text: str,
        duplicate_of: int | None,
        published: datetime | None = None,
    ) -> None:
        """Index an article whose verdict is already stored (rebuilding after a restart)."""
        mh = self._minhash(text)
        if mh is None or article_id in self._hashes:
            return
        self._lsh.insert(str(article_id), mh)
        self._hashes[article_id] = mh
        if published is not None:
            self._published[article_id] = published
        if duplicate_of is not None:
            self._original[article_id] = duplicate_of

    def forget_before(self, when: datetime) -> int:
        """Drop articles published before `when` from the index (bounds memory); count them."""
        old = [aid for aid, published in self._published.items() if published < when]
        for article_id in old:
            self._lsh.remove(str(article_id))
            del self._hashes[article_id]
            del self._published[article_id]
            self._original.pop(article_id, None)
        return len(old)

    def check_all(self, articles: Iterable[tuple[int, str]]) -> list[DuplicateVerdict]:
        return [self.check(article_id, text) for article_id, text in articles]

    @staticmethod
    def estimate_jaccard(a: str, b: str, params: DedupParams | None = None) -> float:
        """Exact Jaccard similarity of the shingle sets of two texts (for tests and tuning)."""
        p = params or DedupParams()
        sa, sb = shingles(a, p.shingle_words), shingles(b, p.shingle_words)
        if not sa or not sb:
            return 0.0
        return len(sa & sb) / len(sa | sb)
