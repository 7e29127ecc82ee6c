"""Stories: online clustering of articles about one event, across outlets and languages.

The decision whether an article joins a story is a pure function (`decide`) of plain numbers:
the cosine similarity of the article's vector to the story's centroid, the gap in publication
time, and how many language-independent keys (names, numbers; see `monitor.entities`) they
share. `StoryAssigner` applies it article by article in publication order, looking only at
stories active within a time window (a numpy matrix of their centroids), and merges stories
that converge. Publication time is the clock: replays and backfills cluster the same way.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

__all__ = [
    "ArticleInput",
    "Assignment",
    "Decision",
    "DecisionInputs",
    "StoryAssigner",
    "StoryParams",
    "StorySnapshot",
    "decide",
]

Vector = npt.NDArray[np.float32]


@dataclass(frozen=True)
class StoryParams:
    """Knobs of the story decision; defaults chosen on the labelled sets (docs/quality.md)."""

    threshold: float = 0.55
    """Join when similarity + entity bonus reaches this."""
    min_similarity: float = 0.30
    """Never join below this similarity, whatever the shared keys say."""
    entity_weight: float = 0.04
    """Bonus per shared name or number key."""
    max_shared: int = 5
    """Shared keys beyond this add nothing (long articles share many by chance)."""
    window_hours: float = 168.0
    """A story not updated for this long (in publication time) takes no new articles."""
    merge_threshold: float = 0.80
    """Two active stories whose centroids are this similar become one."""
    candidates: int = 8
    """How many nearest active stories get the full decision."""


@dataclass(frozen=True)
class DecisionInputs:
    """What the decision looks at for one article and one candidate story."""

    similarity: float
    gap_hours: float
    shared_keys: int


@dataclass(frozen=True)
class Decision:
    join: bool
    score: float
    reason: str


def decide(inputs: DecisionInputs, params: StoryParams) -> Decision:
    """Does an article join a candidate story? Pure: numbers in, verdict out."""
    shared = min(inputs.shared_keys, params.max_shared)
    score = inputs.similarity + params.entity_weight * shared
    if inputs.gap_hours > params.window_hours:
        return Decision(False, score, f"gap {inputs.gap_hours:.0f} h beyond the window")
    if inputs.similarity < params.min_similarity:
        return Decision(False, score, f"similarity {inputs.similarity:.2f} below the floor")
    if score < params.threshold:
        return Decision(False, score, f"score {score:.2f} below {params.threshold:.2f}")
    return Decision(
        True,
        score,
        f"similarity {inputs.similarity:.2f}, {inputs.shared_keys} shared names/numbers, "
        f"gap {inputs.gap_hours:.0f} h",
    )


@dataclass(frozen=True)
class ArticleInput:
    """One article as the assigner sees it. `vector` is None when it could not be embedded."""

    id: int
    published: datetime
    vector: Vector | None
    keys: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Assignment:
    """Where one article went, and why."""

    article_id: int
    story_id: int
    opened: bool
    similarity: float
    shared_keys: int
    gap_hours: float
    reason: str


@dataclass
class StorySnapshot:
    """An active story's state: enough to rebuild the assigner after a restart."""

    id: int
    first_published: datetime
    last_published: datetime
    vector_sum: Vector
    n_articles: int
    keys: Counter[str] = field(default_factory=Counter)


class StoryAssigner:
    """Assigns articles to stories online, in publication-time order.

    Only stories active within `params.window_hours` of the newest article are candidates;
    their centroids sit in one matrix, so a look-up costs the same whether 10,000 or
    200,000 articles were stored before.
    """

    def __init__(
        self,
        params: StoryParams | None = None,
        *,
        next_story_id: int = 1,
        active: Iterable[StorySnapshot] = (),
        clock: datetime | None = None,
    ) -> None:
        self.params = params or StoryParams()
        self.next_story_id = next_story_id
        self.clock = clock
        self._stories: dict[int, StorySnapshot] = {s.id: s for s in active}
        self._order: list[int] = []
        self._matrix: Vector | None = None
        self.merged: dict[int, int] = {}
        """Stories merged away during this assigner's life: old id -> surviving id."""
        self._dirty = True

    # -- index over active stories -------------------------------------------------------
    def _expire(self, now: datetime) -> None:
        limit = now - timedelta(hours=self.params.window_hours)
        gone = [sid for sid, s in self._stories.items() if s.last_published < limit]
        for sid in gone:
            del self._stories[sid]
        if gone:
            self._dirty = True

    def _index(self) -> tuple[list[int], Vector]:
        if self._dirty or self._matrix is None:
            self._order = sorted(self._stories)
            if self._order:
                rows = [self._stories[sid].vector_sum for sid in self._order]
                matrix = np.vstack(rows).astype(np.float32)
                norms = np.linalg.norm(matrix, axis=1, keepdims=True)
                matrix /= np.maximum(norms, 1e-12)
                self._matrix = matrix
            else:
                self._matrix = np.zeros((0, 1), dtype=np.float32)
            self._dirty = False
        return self._order, self._matrix

    def _refresh_row(self, story_id: int) -> None:
        if self._dirty or self._matrix is None:
            return
        try:
            row = self._order.index(story_id)
        except ValueError:
            self._dirty = True
            return
        v = self._stories[story_id].vector_sum
        self._matrix[row] = v / max(float(np.linalg.norm(v)), 1e-12)

    @property
    def active_stories(self) -> list[StorySnapshot]:
        return [self._stories[sid] for sid in sorted(self._stories)]

    # -- assignment ----------------------------------------------------------------------
    def assign(self, article: ArticleInput) -> Assignment:
        """Put one article in a story (opening one when none is close enough)."""
        if self.clock is not None and article.published < self.clock:
            # Late arrival: cluster it at the current clock so order stays monotonic.
            now = self.clock
        else:
            now = article.published
        self.clock = now
        self._expire(now)
        best: tuple[float, int, Decision, DecisionInputs] | None = None
        if article.vector is not None:
            order, matrix = self._index()
            if order:
                sims = matrix @ article.vector
                k = min(self.params.candidates, len(order))
                top = np.argpartition(-sims, k - 1)[:k] if k < len(order) else np.arange(k)
                for row in top:
                    story = self._stories[order[int(row)]]
                    gap = max(0.0, (now - story.last_published).total_seconds() / 3600.0)
                    inputs = DecisionInputs(
                        similarity=float(sims[row]),
                        gap_hours=gap,
                        shared_keys=sum(1 for key in article.keys if key in story.keys),
                    )
                    decision = decide(inputs, self.params)
                    if decision.join and (
                        best is None
                        or decision.score > best[0]
                        or (decision.score == best[0] and story.id < best[1])
                    ):
                        best = (decision.score, story.id, decision, inputs)
        if best is None:
            return self._open(article, now)
        _, story_id, decision, inputs = best
        story = self._stories[story_id]
        assert article.vector is not None
        story.vector_sum = story.vector_sum + article.vector
        story.n_articles += 1
        story.last_published = max(story.last_published, now)
        story.keys.update(article.keys)
        self._refresh_row(story_id)
        self._maybe_merge(story_id)
        return Assignment(
            article.id,
            self.merged.get(story_id, story_id),
            False,
            inputs.similarity,
            inputs.shared_keys,
            inputs.gap_hours,
            decision.reason,
        )

    def _open(self, article: ArticleInput, now: datetime) -> Assignment:
        story_id = self.next_story_id
        self.next_story_id += 1
        if article.vector is not None:
            # Articles without a vector get a story of their own that nothing can join.
            self._stories[story_id] = StorySnapshot(
                id=story_id,
                first_published=now,
                last_published=now,
                vector_sum=article.vector.astype(np.float32).copy(),
                n_articles=1,
                keys=Counter(article.keys),
            )
            self._dirty = True
        reason = "new story" if article.vector is not None else "new story (no vector)"
        return Assignment(article.id, story_id, True, 1.0, 0, 0.0, reason)

    def _maybe_merge(self, story_id: int) -> None:
        """Merge the grown story with an active story whose centroid converged on it."""
        order, matrix = self._index()
        if len(order) < 2:
            return
        row = order.index(story_id)
        sims = matrix @ matrix[row]
        sims[row] = -1.0
        other_row = int(np.argmax(sims))
        if float(sims[other_row]) < self.params.merge_threshold:
            return
        keep, drop = sorted((story_id, order[other_row]))
        kept, dropped = self._stories[keep], self._stories.pop(drop)
        kept.vector_sum = kept.vector_sum + dropped.vector_sum
        kept.n_articles += dropped.n_articles
        kept.first_published = min(kept.first_published, dropped.first_published)
        kept.last_published = max(kept.last_published, dropped.last_published)
        kept.keys.update(dropped.keys)
        for old, new in list(self.merged.items()):
            if new == drop:
                self.merged[old] = keep
        self.merged[drop] = keep
        self._dirty = True

    def assign_all(self, articles: Sequence[ArticleInput]) -> list[Assignment]:
        """Assign articles in (publication time, id) order; returns one Assignment each."""
        ordered = sorted(articles, key=lambda a: (a.published, a.id))
        return [self.assign(a) for a in ordered]

    def resolve(self, story_id: int) -> int:
        """The surviving id of a story that may have been merged away."""
        return self.merged.get(story_id, story_id)


def cosine(a: Vector, b: Vector) -> float:
    """Cosine similarity of two vectors (any norm)."""
    denom = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b) / denom if denom > 0 and not math.isnan(denom) else 0.0
