"""Near-duplicate articles: the same wire story republished, or lightly edited.

MinHash over word shingles estimates the Jaccard similarity of two texts; an LSH index finds
the candidates above a threshold without comparing every pair. Signatures are plain uint32
arrays (512 bytes at 128 permutations) and the index keeps one 64-bit key per band in sorted
arrays: about 0.9 KB per article, where datasketch's objects took 8 KB. A signature can be
stored and given back (`signature_bytes`, `add_signature`), so a new process rebuilds the
index of the window without shingling a text again. A copy points at the earliest
article it copies (`duplicate_of`), so chains collapse onto one original. Copies stay in their
story; they count once when a story's outlets are counted.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from itertools import accumulate, islice

import numpy as np
import numpy.typing as npt

Signature = npt.NDArray[np.uint32]


__all__ = ["DedupParams", "Deduplicator", "DuplicateVerdict", "shingles"]

_TOKEN = re.compile(r"\w+", re.UNICODE)
# bytes.translate table: ASCII word characters (what \w matches below 128) kept, others blanked.
_ASCII_WORD_BYTES = bytes(c if c < 128 and (chr(c).isalnum() or chr(c) == "_") else 32 for c in range(256))


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

    The same signatures as datasketch 2's `MinHash(num_perm, hashfunc=zlib.crc32)` (scheme
    "affine32", seed 1; tests/test_dedup.py checks them against it), computed here with one
    numpy product instead of its loop over the shingles, and without importing datasketch:
    it imports scipy, about 58 MB held for the life of a process that only needs these
    few arrays.
    """

    def __init__(self, num_perm: int) -> None:
        # CRC-32 as the shingle hash: stable across processes (unlike hash()), and several
        # times cheaper than SHA-1; the permutations do the mixing. They are datasketch's
        # affine ones, h -> a * h + b mod 2^32 with an odd a, drawn from the same generator.
        gen = np.random.RandomState(1)
        a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
        b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
        self.permutations = (a, b)
        self._a = np.ascontiguousarray(a, dtype=np.uint32).reshape(-1, 1)
        self._b = np.ascontiguousarray(b, dtype=np.uint32).reshape(-1, 1)
        self.vectorised = True  # part of the stored signatures' fingerprint: keep it

    def signature(self, grams: list[bytes]) -> Signature:
        """The MinHash signature (its hash values) of a non-empty list of shingles."""
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


@lru_cache(maxsize=16)
def band_shape(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) of an LSH index that minimizes the sum of its false-positive and
    false-negative probabilities at `threshold`, as datasketch's MinHashLSH chooses them
    (there with scipy's quad; here on a fine grid, the same choice: tests/test_dedup.py)."""
    grid = np.linspace(0.0, 1.0, 20_001)
    below, above = grid <= threshold, grid >= threshold

    def integral(values: npt.NDArray[np.float64], points: npt.NDArray[np.float64]) -> float:
        return float(np.sum((values[1:] + values[:-1]) * np.diff(points)) / 2)  # trapezoids

    best, shape = float("inf"), (0, 0)
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            found = 1.0 - (1.0 - grid**rows) ** bands  # chance that a pair of similarity s is found
            false_positive = integral(found[below], grid[below])
            false_negative = integral(1.0 - found[above], grid[above])
            error = 0.5 * false_positive + 0.5 * false_negative
            if error < best:
                best, shape = error, (bands, rows)
    return shape


_MERGE_EVERY = 4096  # newest entries kept in a dict before they join the sorted arrays


class _BandIndex:
    """LSH over signatures: `bands` bands of `rows` values; two articles that agree on a
    whole band are candidates. Each band of a signature is one 64-bit key (a random linear
    combination of its values, salted per band: two different bands collide with odds of
    about 2^-64, and a false candidate is still checked against the threshold). Keys live in
    one sorted array with the article ids beside it; the newest ones wait in a dict and
    join in bulk; forgotten articles leave at the next merge.
    """

    def __init__(self, bands: int, rows: int) -> None:
        rng = np.random.default_rng(0x6D6F6E69)
        self.bands, self.rows = bands, rows
        self._mult = rng.integers(1, 2**63, size=(bands, rows), dtype=np.uint64) | np.uint64(1)
        self._salt = rng.integers(0, 2**63, size=bands, dtype=np.uint64)
        self._keys = np.zeros(0, dtype=np.uint64)
        self._ids = np.zeros(0, dtype=np.int64)
        self._recent: dict[int, list[int]] = {}
        self._recent_ids: list[int] = []
        self._dead: set[int] = set()

    def keys(self, signature: Signature) -> npt.NDArray[np.uint64]:
        values = signature[: self.bands * self.rows].astype(np.uint64).reshape(self.bands, self.rows)
        summed: npt.NDArray[np.uint64] = (values * self._mult).sum(axis=1, dtype=np.uint64)
        return summed ^ self._salt

    def insert_many(self, article_ids: Sequence[int], signatures: Signature) -> None:
        """Index many articles at once (a rebuild): straight into the sorted arrays."""
        if not len(article_ids):
            return
        n = len(article_ids)
        values = signatures[:, : self.bands * self.rows].astype(np.uint64).reshape(n, self.bands, self.rows)
        keys = (values * self._mult).sum(axis=2, dtype=np.uint64) ^ self._salt
        ids = np.repeat(np.asarray(article_ids, dtype=np.int64), self.bands)
        self._dead.difference_update(article_ids)
        self._keys = np.concatenate([self._keys, keys.reshape(-1)])
        self._ids = np.concatenate([self._ids, ids])
        self._merge()

    def insert(self, article_id: int, signature: Signature) -> None:
        self._dead.discard(article_id)
        for key in self.keys(signature).tolist():
            self._recent.setdefault(key, []).append(article_id)
        self._recent_ids.append(article_id)
        if len(self._recent_ids) >= _MERGE_EVERY:
            self._merge()

    def remove(self, article_id: int) -> None:
        self._dead.add(article_id)
        if len(self._dead) >= _MERGE_EVERY:
            self._merge()

    def query(self, signature: Signature) -> set[int]:
        keys = self.keys(signature)
        found: set[int] = set()
        if self._keys.size:
            lo = np.searchsorted(self._keys, keys, side="left")
            hi = np.searchsorted(self._keys, keys, side="right")
            for a, b in zip(lo.tolist(), hi.tolist(), strict=True):
                if b > a:
                    found.update(self._ids[a:b].tolist())
        for key in keys.tolist():
            found.update(self._recent.get(key, ()))
        return found - self._dead

    def _merge(self) -> None:
        keys = [self._keys]
        ids = [self._ids]
        if self._recent:
            keys.append(
                np.fromiter((k for k, members in self._recent.items() for _ in members), dtype=np.uint64)
            )
            ids.append(np.fromiter((a for members in self._recent.values() for a in members), dtype=np.int64))
        all_keys, all_ids = np.concatenate(keys), np.concatenate(ids)
        if self._dead:
            alive = ~np.isin(all_ids, np.fromiter(self._dead, dtype=np.int64, count=len(self._dead)))
            all_keys, all_ids = all_keys[alive], all_ids[alive]
        order = np.argsort(all_keys, kind="stable")
        self._keys, self._ids = all_keys[order], all_ids[order]
        self._recent, self._recent_ids, self._dead = {}, [], set()


class Deduplicator:
    """Holds the LSH index of every article seen; `check` answers and remembers.

    Feed articles in publication order (ties by id) so the earliest one becomes the original;
    `duplicate_of` always names an article that is not itself a copy.
    """

    def __init__(self, params: DedupParams | None = None) -> None:
        self.params = params or DedupParams()
        # LSH finds a pair at exactly its threshold only about half the time (its S-curve), so
        # candidates come from a lower one and the MinHash estimate decides.
        bands, rows = band_shape(max(0.3, self.params.threshold - 0.2), self.params.num_perm)
        self._index = _BandIndex(bands, rows)
        self._signer = _Signer(self.params.num_perm)
        self._hashes: dict[int, Signature] = {}
        self._original: dict[int, int] = {}
        self._published: dict[int, datetime] = {}
        self.fingerprint = self._fingerprint()

    def _fingerprint(self) -> bytes:
        """What a stored signature must have been made with to be used again: the parameters,
        the permutations and the hashing path (8 bytes)."""
        digest = hashlib.blake2b(digest_size=8)
        p = self.params
        fast = self._signer.vectorised
        digest.update(f"minhash-v1 {p.shingle_words} {p.num_perm} {p.min_words} {fast}".encode())
        a, b = self._signer.permutations
        digest.update(np.asarray(a, dtype=np.uint64).tobytes() + np.asarray(b, dtype=np.uint64).tobytes())
        return digest.digest()

    def __len__(self) -> int:
        return len(self._hashes)

    def _minhash(self, text: str) -> Signature | None:
        words = _TOKEN.finditer(text)
        if next(islice(words, max(0, self.params.min_words - 1), None), None) is None:
            return None  # fewer than min_words words
        grams = _shingle_bytes(text, self.params.shingle_words)
        if not grams:
            return None
        return self._signer.signature(grams)

    def _jaccard(self, a: Signature, b: Signature) -> float:
        return float(np.count_nonzero(a == b)) / float(self.params.num_perm)

    def check(self, article_id: int, text: str, published: datetime | None = None) -> DuplicateVerdict:
        """Is this article a copy of one seen before? Either way, it is indexed afterwards."""
        if article_id in self._original or article_id in self._hashes:
            return DuplicateVerdict(article_id, self._original.get(article_id), None)
        mh = self._minhash(text)
        if mh is None:
            return DuplicateVerdict(article_id, None, None)
        best: tuple[float, int] | None = None
        for other_id in sorted(self._index.query(mh)):
            jaccard = self._jaccard(mh, self._hashes[other_id])
            if jaccard < self.params.threshold:
                continue  # LSH candidates include some false positives
            root = self._original.get(other_id, other_id)
            if best is None or self._earlier(root, best[1]):
                best = (jaccard, root)
        self._remember(article_id, mh, published)
        if best is None:
            return DuplicateVerdict(article_id, None, None)
        self._original[article_id] = best[1]
        return DuplicateVerdict(article_id, best[1], best[0])

    def _remember(self, article_id: int, signature: Signature, published: datetime | None) -> None:
        self._index.insert(article_id, signature)
        self._hashes[article_id] = signature
        if published is not None:
            self._published[article_id] = published

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
        self.add_signature(article_id, self._minhash(text), duplicate_of, published)

    def add_signature(
        self,
        article_id: int,
        signature: Signature | None,
        duplicate_of: int | None,
        published: datetime | None = None,
    ) -> None:
        """Index an article by its stored signature (None: too short to have one)."""
        if signature is None or article_id in self._hashes:
            return
        self._remember(article_id, signature, published)
        if duplicate_of is not None:
            self._original[article_id] = duplicate_of

    def add_signatures(
        self,
        article_ids: Sequence[int],
        signatures: Signature,
        duplicate_of: Sequence[int | None],
        published: Sequence[datetime | None],
    ) -> None:
        """`add_signature` for many articles at once (one row of `signatures` each)."""
        fresh = [i for i, article_id in enumerate(article_ids) if article_id not in self._hashes]
        if not fresh:
            return
        ids = [article_ids[i] for i in fresh]
        matrix = np.ascontiguousarray(signatures[fresh], dtype=np.uint32)
        self._index.insert_many(ids, matrix)
        for row, i in enumerate(fresh):
            article_id = article_ids[i]
            self._hashes[article_id] = matrix[row]
            when, original = published[i], duplicate_of[i]
            if when is not None:
                self._published[article_id] = when
            if original is not None:
                self._original[article_id] = original

    def signature_bytes(self, article_id: int, tag: bytes = b"") -> bytes:
        """The article's signature as stored: the fingerprint, then `tag` (what the text is
        known by, so that a changed text invalidates it), then the values; only the first two
        for an article too short to have one."""
        head = hashlib.blake2b(self.fingerprint + tag, digest_size=8).digest()
        signature = self._hashes.get(article_id)
        return head if signature is None else head + signature.astype("<u4").tobytes()

    def signature_from(self, blob: bytes | None, tag: bytes = b"") -> tuple[bool, Signature | None]:
        """(valid, signature) of a stored blob: valid only when made by these parameters for
        this `tag` and of the right length; a blob that is not valid must be recomputed."""
        if not blob or len(blob) < 8:
            return False, None
        if blob[:8] != hashlib.blake2b(self.fingerprint + tag, digest_size=8).digest():
            return False, None
        if len(blob) == 8:
            return True, None
        if len(blob) != 8 + 4 * self.params.num_perm:
            return False, None
        return True, np.frombuffer(blob, dtype="<u4", offset=8).astype(np.uint32)

    def forget_before(self, when: datetime) -> int:
        """Drop articles published before `when` from the index (bounds memory); count them."""
        old = [aid for aid, published in self._published.items() if published < when]
        for article_id in old:
            self._index.remove(article_id)
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
