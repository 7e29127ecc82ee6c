"""Running mean vectors per language, to compare articles across languages.

Every language leaves its own mark on e5's vectors: two reports of one event in Persian and in
Chinese sit further apart than two unrelated reports in Persian. Removing each side's language
mean before the cosine ("centering") takes most of that mark away. The means run over the
articles seen so far (publication order), are pulled toward the overall mean while a language
has few articles, and fall back to the overall mean below `min_articles`. No I/O here: the
stage stores them (`rows`) and gives them back (`from_rows`), so that a restart or a replay
decides the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float32]
Sums = npt.NDArray[np.float64]

OVERALL = ""
"""The key of the overall mean among the stored rows."""


@dataclass
class LanguageMeans:
    """Sums and counts of the unit vectors seen per language, and over all languages."""

    min_articles: int = 10
    """Below this many articles a language is centered with the overall mean."""
    prior: float = 20.0
    """A language's mean counts the overall mean as this many articles of its own."""
    sums: dict[str, Sums] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)
    """Keys added to since the last `rows(changed_only=True)`."""
    _cache: dict[str, Vector] = field(default_factory=dict)

    def add(self, language: str, vector: Vector) -> None:
        """Count one article's vector toward `language` and the overall mean."""
        if not language or language == OVERALL:
            raise ValueError(f"a language mean needs a language, not {language!r}")
        value = np.asarray(vector, dtype=np.float64)
        for key in (language, OVERALL):
            total = self.sums.get(key)
            self.sums[key] = value.copy() if total is None else total + value
            self.counts[key] = self.counts.get(key, 0) + 1
            self.changed.add(key)
        # Every language's mean leans on the overall one, which just moved.
        self._cache.clear()

    def overall(self) -> Vector | None:
        """The mean of every counted vector; None while fewer than `min_articles`."""
        n = self.counts.get(OVERALL, 0)
        if n < self.min_articles:
            return None
        found = self._cache.get(OVERALL)
        if found is None:
            found = self._cache[OVERALL] = (self.sums[OVERALL] / n).astype(np.float32)
        return found

    def mean(self, language: str | None) -> Vector | None:
        """What to subtract from a vector in `language`: its running mean pulled toward the
        overall mean, the overall mean for a language with few articles (or none given),
        None while too few articles were seen at all (no centering)."""
        overall = self.overall()
        if overall is None:
            return None
        n = self.counts.get(language, 0) if language else 0
        if not language or n < self.min_articles:
            return overall
        found = self._cache.get(language)
        if found is None:
            pulled = self.sums[language] + self.prior * self.sums[OVERALL] / self.counts[OVERALL]
            found = self._cache[language] = (pulled / (n + self.prior)).astype(np.float32)
        return found

    def rows(self, *, changed_only: bool = False) -> list[tuple[str, int, bytes]]:
        """(language, articles, float64 sum bytes) per key, the overall one keyed ''; with
        `changed_only`, those added to since the last such call (which forgets them)."""
        keys = sorted(self.changed if changed_only else self.sums)
        if changed_only:
            self.changed = set()
        return [(key, self.counts[key], self.sums[key].astype(np.float64).tobytes()) for key in keys]

    @classmethod
    def from_rows(
        cls, rows: Iterable[tuple[str, int, bytes]], *, min_articles: int = 10, prior: float = 20.0
    ) -> LanguageMeans:
        """Means as `rows` gave them (a row of another dimension than the rest is dropped)."""
        means = cls(min_articles=min_articles, prior=prior)
        for language, count, blob in rows:
            means.sums[str(language)] = np.frombuffer(bytes(blob), dtype=np.float64).copy()
            means.counts[str(language)] = int(count)
        dims = {s.shape[0] for s in means.sums.values()}
        if len(dims) > 1:
            keep = means.sums[OVERALL].shape[0] if OVERALL in means.sums else max(dims)
            for key in [k for k, s in means.sums.items() if s.shape[0] != keep]:
                del means.sums[key], means.counts[key]
        return means


def centered_cosine(a: Vector, a_mean: Vector, b: Vector, b_mean: Vector) -> float:
    """The cosine of (a - a_mean) and (b - b_mean); 0 when either is the zero vector."""
    x = a - a_mean
    y = b - b_mean
    norm = float(np.linalg.norm(x)) * float(np.linalg.norm(y))
    return float(x @ y) / norm if norm > 0 else 0.0


MIN_WORDS = 4
"""An article of fewer words says too little of its language to move a mean."""
UNSPACED_PER_WORD = 2
"""Characters of a script written without spaces (Han, kana) taken as one word: a Chinese
word is about 1.5 characters, so a whole Chinese sentence is more than one word."""


def word_count(text: str) -> int:
    """Words in `text`: its spaced words, and a word per `UNSPACED_PER_WORD` characters of Han
    or kana (a Chinese or Japanese sentence has no spaces to count)."""
    from monitor.ingest.extract import HAN_KANA

    spaced, unspaced = HAN_KANA.subn(" ", text)
    return len(spaced.split()) + unspaced // UNSPACED_PER_WORD


SAMPLE_CHARS = 200
"""Characters the language detector reads: enough to tell Ukrainian from Russian, and at
about 0.5 ms (it reads a few KB in 5 ms) cheap next to the model's 10 ms an article."""


def confirmed_language(
    declared: str | None, title: str, text: str, source: str | None = None
) -> str | None:
    """The language an article's vector may count toward (`LanguageMeans.add`): the declared
    one when the text has at least `MIN_WORDS` words and the language detector agrees (on the
    primary subtag: `be-tarask` is `be`), or found it in the first place (`source`
    'detected'); None otherwise: a feed that tags Ukrainian `ru` does not move the Russian
    mean, nor does a one-word title or a language the detector lacks."""
    if not declared:
        return None
    sample = f"{title}\n{text[: 2 * SAMPLE_CHARS]}"
    if word_count(sample) < MIN_WORDS:
        return None
    if source == "detected":
        return declared
    from monitor.ingest.langid import detect_language

    detected = detect_language(" ".join(sample.split())[:SAMPLE_CHARS])
    if detected is None or detected != declared.split("-")[0].casefold():
        return None
    return declared
