"""The online assigner: articles in publication order, each joining a story (by `decide`) or
opening one, over an in-memory index of the stories active within a time window; stories that
converge merge. Publication time is the clock: replays and backfills cluster the same way.
No I/O here.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import numpy as np

from monitor.stories.centering import LanguageMeans, centered_cosine
from monitor.stories.decide import (
    Decision,
    DecisionInputs,
    StoryParams,
    TitleSignature,
    Vector,
    core_named,
    decide,
    decide_thread,
    span_limit,
    template_conflict,
    title_signature,
    years_conflict,
)
from monitor.stories.entities import NAME_PREFIX, PLACE_PREFIX


@dataclass(frozen=True)
class ArticleInput:
    """One article as the assigner sees it. `vector` is None when it could not be embedded."""

    id: int
    published: datetime
    vector: Vector | None
    keys: frozenset[str] = frozenset()
    language: str | None = None
    title: str = ""
    mean_language: str | None = None
    """The language whose running mean this article's vector counts toward: its language when
    the text confirms it (`monitor.ingest.langid`). None (one word, a language the detector
    does not know, a feed that mislabels its language) leaves every mean as it is."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """How people read its place and name keys (`monitor.stories.entities.evidence_keys`):
    '@1168197' -> 'Peshawar', for the reason of a join they carried."""


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
    thread_id: int | None = None
    """For an opened story: the thread it joins (the id of the thread's first story)."""
    follows: int | None = None
    """For an opened story: the earlier story it continues (same subject, a later development),
    which the new story is threaded to, never merged into."""


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
    thread_id: int | None = None
    """The first story of its thread (None: its own)."""
    titles: list[tuple[datetime, int, TitleSignature]] = field(default_factory=list)
    """The signatures of its first titles (by publication time, then id), for the look-alike check."""


TITLES_KEPT = 8
"""How many of a story's first titles the look-alike check compares a newcomer with."""


def _add_titles(story: StorySnapshot, titles: Iterable[tuple[datetime, int, TitleSignature]]) -> None:
    story.titles = sorted([*story.titles, *titles], key=lambda t: (t[0], t[1]))[:TITLES_KEPT]


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
        # einsum's own loop, one thread: the BLAS product wakes its threads for a few thousand
        # rows, and on a busy machine they spin for several times the work (docs/performance.md).
        sims = np.einsum("ij,j->i", self._matrix[: self._size], vector)
        top = np.argpartition(-sims, k - 1)[:k] if k < self._size else np.arange(self._size)
        pairs = [(self._ids[int(i)], float(sims[int(i)])) for i in top]
        pairs.sort(key=lambda pair: (-pair[1], pair[0]))
        return pairs


def _cohesion(story: StorySnapshot) -> float:
    """Length of the mean of the story's (unit) vectors: 1 for one article or identical ones,
    lower the more its articles differ."""
    if story.n_articles <= 1:
        return 1.0
    return min(1.0, float(np.linalg.norm(story.vector_sum)) / story.n_articles)


class _LatePool:
    """Stories past their span that a language new to them may still join (until
    `span_limit` across languages): their centroids, and when each leaves the pool."""

    def __init__(self) -> None:
        self.stories: dict[int, StorySnapshot] = {}
        self.index = _CentroidIndex()
        self._expiry: list[tuple[datetime, int]] = []
        self._until: dict[int, datetime] = {}

    def put(self, story: StorySnapshot, until: datetime) -> None:
        self.stories[story.id] = story
        self.index.put(story.id, story.vector_sum)
        self._until[story.id] = until
        heapq.heappush(self._expiry, (until, story.id))

    def expire(self, now: datetime) -> None:
        while self._expiry and self._expiry[0][0] < now:
            until, story_id = heapq.heappop(self._expiry)
            if self._until.get(story_id) != until:
                continue  # left already, or its time moved (a newer entry is queued)
            del self.stories[story_id], self._until[story_id]
            self.index.remove(story_id)

    def nearest(self, vector: Vector, k: int, language: str | None) -> list[tuple[int, float]]:
        """The nearest stories that `language` is new to (none without a language)."""
        if not language or not self.stories:
            return []
        return [
            (story_id, similarity)
            for story_id, similarity in self.index.nearest(vector, k)
            if language not in self.stories[story_id].languages
        ]


class _ThreadPool:
    """Stories a newly opened story may continue (open, or closed within `known_hours`): their
    centroids. Those last grown within `thread_window_hours` stay in one index; older ones,
    which only a language new to them may continue (`thread_window_across_hours`), are kept
    by their set of languages: an article skips the old stories of its own language, which
    could not take it (on a 30-day pool most of the rows, docs/performance.md), and these
    never take the top places of stories that could."""

    def __init__(self, young_hours: float) -> None:
        self.young = _CentroidIndex()
        self.old: dict[frozenset[str], _CentroidIndex] = {}
        self._old_of: dict[int, frozenset[str]] = {}
        self._young_for = timedelta(hours=young_hours)
        self._ageing: list[tuple[datetime, int]] = []

    def put(self, story: StorySnapshot) -> None:
        if story.id in self._old_of:
            self.remove(story.id)
        self.young.put(story.id, story.vector_sum)
        heapq.heappush(self._ageing, (story.last_published, story.id))

    def remove(self, story_id: int) -> None:
        languages = self._old_of.pop(story_id, None)
        if languages is None:
            self.young.remove(story_id)
            return
        index = self.old[languages]
        index.remove(story_id)
        if not len(index):
            del self.old[languages]

    def age(self, now: datetime, known: dict[int, StorySnapshot]) -> None:
        """Stories last grown over `thread_window_hours` before `now` move to the old part."""
        limit = now - self._young_for
        while self._ageing and self._ageing[0][0] < limit:
            last, story_id = heapq.heappop(self._ageing)
            story = known.get(story_id)
            if story is None or story.last_published != last or story_id in self._old_of:
                continue  # gone, grown since (a newer entry is queued) or moved already
            self.young.remove(story_id)
            languages = frozenset(story.languages)
            self.old.setdefault(languages, _CentroidIndex()).put(story_id, story.vector_sum)
            self._old_of[story_id] = languages

    def nearest(self, vector: Vector, k: int, language: str | None) -> list[tuple[int, float]]:
        """Up to k (story id, cosine) pairs, best first (ties to the older story): the young
        stories, and the old ones that `language` is new to."""
        found = self.young.nearest(vector, k)
        if language is not None:
            for languages, index in self.old.items():
                if language not in languages:
                    found += index.nearest(vector, k)
        found.sort(key=lambda pair: (-pair[1], pair[0]))
        return found[:k]


def _centered_similarity(
    means: LanguageMeans, params: StoryParams, article: ArticleInput, story: StorySnapshot
) -> float | None:
    """The similarity of the article to a story in other languages once each side's language
    mean is removed (the story's: the mean of its languages' means), put on the scale of the
    plain cosine: 1 - (1 - centered cosine) * `center_scale`. None while too few articles
    were seen to know the means, or with centering off."""
    if params.center_scale <= 0 or article.vector is None:
        return None
    mine = means.mean(article.language)
    if mine is None or mine.shape != article.vector.shape:
        return None  # too few articles yet, or means of vectors of another size
    theirs = [m for language in sorted(story.languages) if (m := means.mean(language)) is not None]
    story_mean = np.mean(theirs, axis=0) if theirs else mine
    centroid = story.vector_sum / np.float32(max(1, story.n_articles))
    cosine = centered_cosine(article.vector, mine, centroid, story_mean)
    return 1.0 - (1.0 - cosine) * params.center_scale


def known_hours(params: StoryParams) -> float:
    """How long after its last article a story stays known: joinable, or one a new story may
    continue (in its language or in a new one)."""
    return max(params.window_hours, params.thread_window_hours, params.thread_window_across_hours)


def _closes(params: StoryParams, story: StorySnapshot, *, cross_language: bool) -> datetime:
    """When the story stops taking articles (in a language new to it, `cross_language`): a
    window after its last article, or its span (`span_limit`) after its first."""
    closes = story.last_published + timedelta(hours=params.window_hours)
    span = span_limit(params, cross_language=cross_language)
    return min(closes, story.first_published + timedelta(hours=span)) if span < 1e6 else closes


def _absorb(kept: StorySnapshot, dropped: StorySnapshot) -> None:
    """Merge a story's articles, keys, languages and titles into another's snapshot."""
    if kept.thread_id is None and dropped.thread_id is not None:
        kept.thread_id = dropped.thread_id
    kept.vector_sum = kept.vector_sum + dropped.vector_sum
    kept.n_articles += dropped.n_articles
    kept.first_published = min(kept.first_published, dropped.first_published)
    kept.last_published = max(kept.last_published, dropped.last_published)
    kept.keys.update(dropped.keys)
    kept.languages.update(dropped.languages)
    _add_titles(kept, dropped.titles)


def _evidence(keys: Iterable[str], labels: Mapping[str, str], prefix: str) -> tuple[str, ...]:
    """The labels of the keys with `prefix` (places, names), in key order, each once (a
    country named in the text is both its own place and its country)."""
    found = (labels.get(key, key[1:]) for key in sorted(keys) if key.startswith(prefix))
    return tuple(dict.fromkeys(found))


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
        means: LanguageMeans | None = None,
    ) -> None:
        self.params = params or StoryParams()
        self.means = means or LanguageMeans(
            min_articles=self.params.center_min_articles, prior=self.params.center_prior
        )
        """Running mean vector per language (`centering`): part of the stored state."""
        self.next_story_id = next_story_id
        self.clock = clock
        self.merged: dict[int, int] = {}
        """Stories merged away during this assigner's life: old id -> surviving id."""
        self._stories: dict[int, StorySnapshot] = {}
        self._key_stories: Counter[str] = Counter()
        """In how many active stories each key appears."""
        self._index = _CentroidIndex()
        self._expiry: list[tuple[datetime, int]] = []
        self._known: dict[int, StorySnapshot] = {}
        """Open stories and those closed within `known_hours`: threads link to them."""
        self._recent = _ThreadPool(self.params.thread_window_hours)
        self._recent_expiry: list[tuple[datetime, int]] = []
        self._late = _LatePool()
        """Stories past their span that a new language may still join."""
        for story in sorted(active, key=lambda s: s.id):
            self._track(story)
            self.next_story_id = max(self.next_story_id, story.id + 1)

    @property
    def active_stories(self) -> list[StorySnapshot]:
        return [self._stories[sid] for sid in sorted(self._stories)]

    @property
    def known_stories(self) -> list[StorySnapshot]:
        """The open stories and those closed within `known_hours`: what a restart
        needs (`active=`) to take the same decisions, threads included."""
        return [self._known[sid] for sid in sorted(self._known)]

    def story(self, story_id: int) -> StorySnapshot | None:
        """An open story, or one past its span that a new language may still join."""
        story_id = self.resolve(story_id)
        return self._stories.get(story_id) or self._late.stories.get(story_id)

    def resolve(self, story_id: int) -> int:
        """The surviving id of a story that may have been merged away."""
        return self.merged.get(story_id, story_id)

    # -- bookkeeping -----------------------------------------------------------------------
    def _count_keys(self, keys: Iterable[str], delta: int) -> None:
        for key in keys:
            self._key_stories[key] += delta
            if self._key_stories[key] <= 0:
                del self._key_stories[key]

    def is_common(self, key: str) -> bool:
        """Whether a key is in too many active stories to count as shared evidence."""
        n = self._key_stories.get(key, 0)
        return n > self.params.common_key_stories and n > self.params.common_key_share * len(self._stories)

    def _track(self, story: StorySnapshot) -> None:
        self._count_keys(story.keys, +1)
        self._stories[story.id] = story
        self._known[story.id] = story
        self._index.put(story.id, story.vector_sum)
        self._recent.put(story)
        heapq.heappush(self._expiry, (self._closes(story), story.id))
        heapq.heappush(self._recent_expiry, (story.last_published, story.id))

    def _closes(self, story: StorySnapshot) -> datetime:
        return _closes(self.params, story, cross_language=False)

    def _expire(self, now: datetime) -> None:
        while self._expiry and self._expiry[0][0] < now:
            closes, story_id = heapq.heappop(self._expiry)
            story = self._stories.get(story_id)
            if story is None or self._closes(story) != closes:
                continue  # merged away, closed already, or updated since (a newer entry is queued)
            del self._stories[story_id]
            self._count_keys(story.keys, -1)
            self._index.remove(story_id)
            until = _closes(self.params, story, cross_language=True)
            if until >= now:
                self._late.put(story, until)
        self._late.expire(now)
        self._recent.age(now, self._known)
        limit = now - timedelta(hours=known_hours(self.params))
        while self._recent_expiry and self._recent_expiry[0][0] < limit:
            last, story_id = heapq.heappop(self._recent_expiry)
            story = self._known.get(story_id)
            if story is None or story.last_published != last:
                continue
            if story_id in self._stories or story_id in self._late.stories:
                continue
            del self._known[story_id]
            self._recent.remove(story_id)

    # -- assignment ------------------------------------------------------------------------
    def assign(self, article: ArticleInput) -> Assignment:
        """Put one article in a story (opening one when none is close enough)."""
        now = article.published
        if self.clock is not None and now < self.clock:
            now = self.clock  # a late arrival is clustered at the current clock
        self.clock = now
        self._expire(now)
        best: tuple[Decision, int, DecisionInputs] | None = None
        signature = title_signature(article.title, article.keys)
        if article.vector is not None:
            k = self.params.candidates
            candidates = self._index.nearest(article.vector, k)
            candidates += self._late.nearest(article.vector, k, article.language)
            for story_id, similarity in candidates:
                story = self.story(story_id)
                inputs = _decision_inputs(self, article, story, similarity, now, signature)
                decision = decide(inputs, self.params)
                if decision.join:
                    # What can only lower a score is looked at for a candidate that joins.
                    inputs = _with_losses(self, article, story, inputs)
                    decision = decide(inputs, self.params)
                if decision.join and (best is None or decision.score > best[0].score):
                    best = (decision, story_id, inputs)
        if best is None or article.vector is None:
            opened = self._open(article, now, signature)
            self._add_to_means(article)
            return opened
        self._add_to_means(article)
        decision, story_id, inputs = best
        survivor = self._join(article, story_id, signature)
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

    def _add_to_means(self, article: ArticleInput) -> None:
        """After the decisions (join, or open and thread): an article's own vector never
        moves the means it is judged by."""
        if article.vector is not None and article.mean_language:
            self.means.add(article.mean_language, article.vector)

    def _join(self, article: ArticleInput, story_id: int, signature: TitleSignature) -> int:
        """Add the article to a story (open, or past its span for a new language); returns
        the story it is in then (another one when the story merged into it)."""
        assert article.vector is not None
        open_story = story_id in self._stories
        story = self._stories[story_id] if open_story else self._late.stories[story_id]
        story.vector_sum = story.vector_sum + article.vector
        story.n_articles += 1
        # The story's times are its articles' own publication times, as the database keeps
        # them (a late arrival is decided at the clock but does not make the story younger).
        story.first_published = min(story.first_published, article.published)
        story.last_published = max(story.last_published, article.published)
        if open_story:
            self._count_keys([key for key in article.keys if key not in story.keys], +1)
        story.keys.update(article.keys)
        if article.language:
            story.languages[article.language] += 1
        _add_titles(story, [(article.published, article.id, signature)])
        self._recent.put(story)
        heapq.heappush(self._recent_expiry, (story.last_published, story_id))
        if not open_story:
            self._late.put(story, _closes(self.params, story, cross_language=True))
            return story_id
        self._index.put(story_id, story.vector_sum)
        heapq.heappush(self._expiry, (self._closes(story), story_id))
        return self._maybe_merge(story_id)

    def _open(self, article: ArticleInput, now: datetime, signature: TitleSignature) -> Assignment:
        story_id = self.next_story_id
        self.next_story_id += 1
        thread_id = follows = None
        if article.vector is not None:
            # An article without a vector gets a story of its own that nothing can join.
            follows = self._thread_for(article, now)
            if follows is not None:
                earlier = self._known[follows]
                thread_id = earlier.thread_id if earlier.thread_id is not None else earlier.id
            self._track(
                StorySnapshot(
                    id=story_id,
                    first_published=article.published,
                    last_published=article.published,
                    vector_sum=np.asarray(article.vector, dtype=np.float32).copy(),
                    n_articles=1,
                    keys=Counter(article.keys),
                    languages=Counter([article.language] if article.language else []),
                    thread_id=thread_id,
                    titles=[(article.published, article.id, signature)],
                )
            )
            reason = "new story: no active story close enough"
        else:
            reason = "new story: the article has no vector"
        return Assignment(
            article.id, story_id, True, 0.0, 0, 0.0, reason, thread_id=thread_id, follows=follows
        )

    def _thread_for(self, article: ArticleInput, now: datetime) -> int | None:
        """The earlier story (open or recently closed) a story opened by this article
        continues: the best-scoring one that `decide_thread` accepts, if any."""
        if self.params.thread_threshold > 1.0 + self.params.entity_weight * self.params.max_shared:
            return None
        assert article.vector is not None
        best: tuple[float, int] | None = None
        for story_id, similarity in self._recent.nearest(
            article.vector, self.params.candidates, article.language
        ):
            story = self._known[story_id]
            cross_language = article.language is not None and article.language not in story.languages
            shared = [key for key in article.keys if key in story.keys and not self.is_common(key)]
            place_ids = sum(1 for key in shared if key[0] == PLACE_PREFIX and key[1:].isdigit())
            centered = None
            if cross_language and place_ids:
                centered = _centered_similarity(self.means, self.params, article, story)
            # Names and numbers as written count as keys (places and names across scripts are
            # evidence for joining across languages; for threads, a shared place lets the
            # centered similarity count: measured, docs/quality.md).
            inputs = DecisionInputs(
                similarity=similarity,
                gap_hours=max(0.0, (now - story.last_published).total_seconds() / 3600.0),
                shared_keys=sum(1 for key in shared if key[0] not in (PLACE_PREFIX, NAME_PREFIX)),
                cross_language=cross_language,
                centered_similarity=centered,
                shared_place_ids=place_ids,
                keyless=not article.keys,
            )
            decision = decide_thread(inputs, self.params)
            if decision.join and (best is None or decision.score > best[0]):
                best = (decision.score, story_id)
        return None if best is None else best[1]

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
            self._known.pop(drop, None)
            self._recent.remove(drop)
            self._count_keys([key for key in dropped.keys if key in kept.keys], -1)
            _absorb(kept, dropped)
            self._index.put(keep, kept.vector_sum)
            self._recent.put(kept)
            heapq.heappush(self._expiry, (self._closes(kept), keep))
            heapq.heappush(self._recent_expiry, (kept.last_published, keep))
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


def _decision_inputs(
    assigner: StoryAssigner,
    article: ArticleInput,
    story: StorySnapshot | None,
    similarity: float,
    now: datetime,
    signature: TitleSignature,
) -> DecisionInputs:
    """What `decide` looks at for this article and a candidate story of `assigner`."""
    assert story is not None and article.vector is not None
    params = assigner.params
    cross_language = (
        article.language is not None and bool(story.languages) and article.language not in story.languages
    )
    shared = [key for key in article.keys if key in story.keys and not assigner.is_common(key)]
    centered = False
    if cross_language:
        adjusted = _centered_similarity(assigner.means, params, article, story)
        if adjusted is not None and adjusted > similarity:
            similarity, centered = adjusted, True
    identities = [key for key in shared if key[0] in (PLACE_PREFIX, NAME_PREFIX)]
    titles = (t[2] for t in story.titles)
    conflict = template_conflict(signature, article.keys, titles, story.keys, params.template_overlap)
    return DecisionInputs(
        similarity=similarity * _cohesion(story) ** params.cohesion_power,
        centered=centered,
        gap_hours=max(0.0, (now - story.last_published).total_seconds() / 3600.0),
        span_hours=max(0.0, (now - story.first_published).total_seconds() / 3600.0),
        shared_keys=len(shared),
        shared_numbers=sum(1 for key in shared if key.startswith("#")),
        shared_identities=len(identities),
        places=_evidence(identities, article.labels, PLACE_PREFIX),
        names=_evidence(identities, article.labels, NAME_PREFIX),
        cross_language=cross_language,
        template_conflict=conflict,
    )


def _with_losses(
    assigner: StoryAssigner, article: ArticleInput, story: StorySnapshot | None, inputs: DecisionInputs
) -> DecisionInputs:
    """The inputs with what lowers a score: how much of the story's core the article
    names (within one language) and whether their years conflict."""
    assert story is not None
    params = assigner.params
    named = 1.0
    if not inputs.cross_language and params.core_weight > 0 and story.n_articles > 1:
        named = core_named(article.keys, story.keys, story.n_articles, params.core_share, assigner.is_common)
    conflict = params.year_penalty > 0 and years_conflict(article.keys, story.keys)
    return replace(inputs, core_named=named, years_conflict=conflict)
