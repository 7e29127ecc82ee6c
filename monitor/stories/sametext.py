"""Texts already embedded: an article whose embedded text (title and first words) is one the
model has already turned into a vector takes that vector instead of being embedded again.

Copies found by MinHash (monitor.stories.dedup) already take their original's vector; this
catches the rest of what costs the model nothing new: the same wire text under two GUIDs of
one feed, a headline-only item met twice, a text too short for the copy finder (fewer than
`DedupParams.min_words` words) repeated by several outlets.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

__all__ = ["EmbeddedTexts", "text_key"]


def text_key(text: str) -> bytes:
    """A 96-bit hash of the exact text given to the model."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).digest()


class EmbeddedTexts:
    """Which article's vector stands for each text embedded lately (the last `limit` texts,
    about 100 bytes each)."""

    def __init__(self, limit: int = 50_000) -> None:
        if limit < 1:
            raise ValueError(f"EmbeddedTexts: limit must be at least 1, not {limit}")
        self.limit = limit
        self._owner: dict[bytes, int] = {}

    def __len__(self) -> int:
        return len(self._owner)

    def sources(self, article_ids: Sequence[int], texts: Sequence[str]) -> dict[int, int]:
        """For each article (`article_ids[i]` embeds as `texts[i]`) whose text has a vector
        already, or comes earlier in the same list: the article whose vector it can take.
        Empty texts are left out (they get no vector)."""
        first_here: dict[bytes, int] = {}
        found: dict[int, int] = {}
        for article_id, text in zip(article_ids, texts, strict=True):
            if not text.strip():
                continue
            key = text_key(text)
            owner = first_here.get(key, self._owner.get(key))
            if owner is not None and owner != article_id:
                found[article_id] = owner
            else:
                first_here.setdefault(key, article_id)
        return found

    def remember(self, embedded: Iterable[tuple[int, str]]) -> None:
        """Note texts that now have a vector: (article id, text). The oldest half is forgotten
        when `limit` is passed."""
        for article_id, text in embedded:
            self._owner.setdefault(text_key(text), article_id)
        if len(self._owner) > self.limit:
            keep = list(self._owner.items())[len(self._owner) - self.limit // 2 :]
            self._owner = dict(keep)
