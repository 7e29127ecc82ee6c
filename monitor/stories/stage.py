"""The stories stage: pending articles from the store, deduplicated, embedded, assigned to
stories by the assigner, and written back with the story records (counts, headline, names).
"""

from __future__ import annotations

import json
import logging
import time
import weakref
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from monitor.outlets import outlet_name
from monitor.progress import Progress
from monitor.store.protocols import StoryStore
from monitor.stories.assigner import ArticleInput, StoryAssigner, StorySnapshot, known_hours
from monitor.stories.breaking import Baseline, BreakingTracker, Coverage
from monitor.stories.centering import LanguageMeans, confirmed_language
from monitor.stories.decide import StoryParams, TitleSignature, Vector, merge_note, params_for_model
from monitor.stories.dedup import Deduplicator
from monitor.stories.embed import Embedder, article_text, load_embedder
from monitor.stories.entities import evidence_keys, extract_evidence, extract_keys, extract_names
from monitor.stories.order import in_decision_order
from monitor.stories.sametext import EmbeddedTexts
from monitor.stories.settings import StorySettings
from monitor.timeutil import iso
from monitor.wording import count as _count

if TYPE_CHECKING:
    from monitor.entities.evidence import Identities

log = logging.getLogger("monitor.stories")

Evidence = Callable[[Sequence[dict[str, Any]]], Mapping[int, "Identities"]]
"""Places and names of a batch's articles (`monitor.entities.evidence.StoryEvidence`)."""

class _Stopped(Exception):
    """Raised between two chunks of texts when the stage was asked to stop (a daemon
    shutting down): the batch in hand is dropped before anything of it is written."""


@dataclass(frozen=True)
class StageReport:
    """What one run of the stories stage did."""

    articles: int = 0
    opened: int = 0
    joined: int = 0
    duplicates: int = 0
    merged: int = 0
    threaded: int = 0
    embedded: int = 0
    breaking: int = 0
    """Stories flagged as breaking (monitor.stories.breaking)."""
    seconds: float = 0.0
    model: str = ""

    def summary(self) -> str:
        if not self.articles:
            return "stories: nothing new"
        rate = self.articles / self.seconds if self.seconds > 0 else 0.0
        return (
            f"stories: {_count(self.articles, 'article')} ({rate:.0f}/s, {self.model}): "
            f"{_count(self.opened, 'new story')}, {self.joined} joined, {self.merged} merged, "
            f"{_count(self.duplicates, 'copy')}"
            + (f", {_count(self.threaded, 'follow-up')} threaded" if self.threaded else "")
            + (f", {self.breaking} breaking" if self.breaking else "")
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
    breaking: BreakingTracker
    names: dict[int, dict[str, str]] = field(default_factory=dict)
    """Names found in each recent article (by id), so story records do not re-read texts."""
    outlets: dict[tuple[str | None, str | None, str], str] = field(default_factory=dict)
    """Outlet of each feed (name, title, URL) met so far."""
    texts: EmbeddedTexts = field(default_factory=EmbeddedTexts)
    """Texts embedded lately, so that the same text is not embedded twice."""

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
        # A bound, not a policy: entries are cheap to recompute (0.4 ms) and cost about 2.5 KB
        # each (measured on the labelled news), so 200,000 of them could hold 500 MB; 10,000
        # (25 MB) still covers the stories that the next batches touch.
        if len(self.names) > 10_000:
            self.names.clear()
        self.names[article_id] = names
        return names

    def outlet_of(self, row: Mapping[str, Any]) -> str:
        """The outlet an article comes from, as the story records count them."""
        feed = (row.get("feed_name"), row.get("feed_title"), row.get("feed_url") or "")
        outlet = self.outlets.get(feed)
        if outlet is None:
            outlet = self.outlets[feed] = outlet_name(*feed)
        return outlet


# The assigner lives as long as the StoryStore it was built from; when anything else changed the
# database in between (another process, a restore), it is rebuilt from the tables.
_STATES: weakref.WeakKeyDictionary[StoryStore, _StageState] = weakref.WeakKeyDictionary()


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


def _titles_json(titles: Sequence[tuple[datetime, int, TitleSignature]]) -> str:
    return json.dumps(
        [[iso(when), article_id, sorted(sig.words), sorted(sig.names)] for when, article_id, sig in titles],
        ensure_ascii=False,
    )


def _titles_from(text: str | None) -> list[tuple[datetime, int, TitleSignature]]:
    """Stored title signatures; anything unreadable counts as none (the check then passes)."""
    try:
        return [
            (_when(str(when)), int(article_id), TitleSignature(frozenset(words), frozenset(names)))
            for when, article_id, words, names in json.loads(text or "[]")
        ]
    except (ValueError, TypeError):
        return []


def _rebuild(store: StoryStore, model: str, params: StoryParams, settings: StorySettings) -> _StageState:
    """The assigner and the copy index as the database says they stand."""
    latest, next_id = store.stories_clock()
    clock = _when(latest) if latest else None
    snapshots = []
    coverage: dict[int, Coverage] = {}
    if clock is not None:
        # Closed stories of the thread window too: new stories may continue them.
        since = clock - timedelta(hours=known_hours(params))
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
                    thread_id=row.get("thread_id"),
                    titles=_titles_from(row.get("titles")),
                )
            )
            breaking_at = row.get("breaking_at")
            coverage[int(row["id"])] = Coverage.from_json(
                row.get("coverage"), _when(str(breaking_at)) if breaking_at else None, row.get("breaking_why")
            )
    means = LanguageMeans.from_rows(
        store.stories_language_means(model),
        min_articles=params.center_min_articles,
        prior=params.center_prior,
    )
    assigner = StoryAssigner(params, next_story_id=next_id, active=snapshots, clock=clock, means=means)
    breaking = BreakingTracker(
        settings.breaking,
        baseline=Baseline.from_json(store.stories_breaking_baseline(), settings.breaking),
        stories=coverage,
    )
    dedup = Deduplicator(settings.dedup)
    if clock is not None:
        _rebuild_copy_index(store, dedup, clock - timedelta(hours=settings.dedup_window_hours))
    return _StageState(model, params, assigner, dedup, store.stories_marker(), breaking)


def _rebuild_copy_index(store: StoryStore, dedup: Deduplicator, since: datetime) -> None:
    """The copy index of the window, from the stored signatures. A signature is used only
    when its fingerprint matches these dedup parameters and the article's current content
    hash; any other (missing, from another version, torn, of an edited text) is computed
    again from the text and stored, so the next start finds it."""
    ids: list[int] = []
    signatures: list[Any] = []
    copies_of: list[int | None] = []
    published: list[datetime | None] = []
    redo: list[tuple[int, str, int | None, bytes]] = []
    for article_id, when, duplicate_of, content_hash, blob in store.stories_recent_signatures(since):
        tag = content_hash.encode()
        valid, signature = dedup.signature_from(blob, tag)
        if not valid:
            redo.append((article_id, when, duplicate_of, tag))
        elif signature is not None:  # None: a text too short to have one
            ids.append(article_id)
            signatures.append(signature)
            copies_of.append(duplicate_of)
            published.append(_when(when))
    if ids:
        dedup.add_signatures(ids, np.vstack(signatures), copies_of, published)
    if not redo:
        return
    texts = store.stories_texts([article_id for article_id, *_ in redo])
    refreshed: list[tuple[int, bytes]] = []
    for article_id, when, duplicate_of, tag in redo:
        title, text = texts.get(article_id, ("", ""))
        dedup.add_known(article_id, f"{title}\n{text}", duplicate_of, _when(when))
        refreshed.append((article_id, dedup.signature_bytes(article_id, tag)))
    log.info("stories: %d copy signatures computed again from their texts", len(refreshed))
    store.stories_save_signatures(refreshed)


def _tag(row: Mapping[str, Any]) -> bytes:
    """What a stored signature is bound to: the article's content hash."""
    return str(row["content_hash"] or "").encode()


def _state(store: StoryStore, model: str, params: StoryParams, settings: StorySettings) -> _StageState:
    state = _STATES.get(store)
    if (
        state is None
        or state.model != model
        or state.params != params
        or state.breaking.params != settings.breaking
        or state.marker != store.stories_marker()
    ):
        state = _rebuild(store, model, params, settings)
        _STATES[store] = state
    return state


def _embed_rows(
    embedder: Embedder,
    rows: Sequence[dict[str, Any]],
    texts: Sequence[str],
    copy_of: Mapping[int, int] | None = None,
    known: Mapping[int, Vector] | None = None,
    on_embedded: Callable[[int], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> tuple[list[Vector | None], list[tuple[int, bytes, str]], int]:
    """Each row's vector (`texts[i]` is what row i embeds as): the stored one when its model
    matches; for a copy or a text embedded before (`copy_of`: article id -> original id), its
    original's, taken from this batch or from `known` (original id -> stored vector), since a
    copy says what its original says; else embedded now. Returns the vectors, those to store,
    and how many texts the model embedded; `on_embedded(n)` is told of every `EMBED_CHUNK`
    texts embedded. Raises _Stopped when `stop()` comes true between two chunks of texts."""
    copy_of = copy_of or {}
    known = known or {}
    vectors: list[Vector | None] = [None] * len(rows)
    position = {int(row["id"]): i for i, row in enumerate(rows)}
    for i, row in enumerate(rows):
        if row["embedding_model"] == embedder.name:
            vectors[i] = _vector_from(row["embedding"], embedder.dim)
    fresh: set[int] = set()

    def embed(todo: list[int]) -> None:
        todo = [i for i in todo if vectors[i] is None and texts[i].strip()]
        found = _embed_texts(embedder, [texts[i] for i in todo], on_embedded, stop)
        for i, vector in zip(todo, found, strict=True):
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


# Texts given to the model at a time, with a look at `stop` before each: a second or two of
# work, so that progress is told often (a batch of 256 took 13-21 s on a loaded machine) and a
# daemon told to stop stops within seconds. A text's vector does not depend on its neighbours
# (tests check it), so this changes no result.
EMBED_CHUNK = 32


def _embed_texts(
    embedder: Embedder,
    texts: Sequence[str],
    on_embedded: Callable[[int], None] | None = None,
    stop: Callable[[], bool] | None = None,
) -> list[Vector | None]:
    """The model's vectors for these texts, `EMBED_CHUNK` at a time (`on_embedded(n)` after
    each, a look at `stop` before each, raising _Stopped); one bad text must not stop the
    batch, so a failed chunk is retried text by text and a text that still fails gets None."""
    vectors: list[Vector | None] = []
    for start in range(0, len(texts), EMBED_CHUNK):
        if stop is not None and stop():
            raise _Stopped
        chunk = texts[start : start + EMBED_CHUNK]
        vectors += _embed_chunk(embedder, chunk, stop)
        if on_embedded is not None:
            on_embedded(len(chunk))
    return vectors


def _embed_chunk(
    embedder: Embedder, texts: Sequence[str], stop: Callable[[], bool] | None
) -> list[Vector | None]:
    try:
        return list(embedder.embed(texts))
    except Exception:
        if stop is not None and stop():  # a model torn down under a stopping process
            raise _Stopped from None
        log.exception("stories: embedding a batch failed; retrying article by article")
    matrix: list[Vector | None] = []
    for text in texts:
        if stop is not None and stop():
            raise _Stopped
        try:
            matrix.append(embedder.embed([text])[0])
        except Exception:
            log.exception("stories: cannot embed an article; it gets a story of its own")
            matrix.append(None)
    return matrix


def note_merges_in_batch(assignments: Sequence[dict[str, Any]], resolve: Callable[[int], int]) -> None:
    """Point each assignment of a batch at the live story its story merged into while the
    batch ran, its reason saying which story it came with (as the store says it of the
    articles already written when their story merges: `decide.merge_note`)."""
    for item in assignments:
        story_id = int(item["story_id"])
        live = resolve(story_id)
        if live != story_id:
            item["story_id"] = live
            item["reason"] = merge_note(story_id, item.get("reason"))


def _story_records(
    store: StoryStore,
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
                originals.add(state.outlet_of(r))
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
                "titles": _titles_json(snapshot.titles) if snapshot is not None else None,
                **_breaking_fields(state.breaking.stories.get(story_id)),
            }
        )
    return records


def _breaking_fields(coverage: Coverage | None) -> dict[str, Any]:
    """A story record's breaking columns (none when the tracker does not know the story)."""
    if coverage is None:
        return {}
    return {
        "coverage": coverage.to_json(),
        "breaking_at": iso(coverage.breaking_at) if coverage.breaking_at is not None else None,
        "breaking_why": json.dumps(coverage.why) if coverage.why is not None else None,
    }


def _headline(
    rows: Sequence[dict[str, Any]], centroid: Vector | None, preferred: Sequence[str], dim: int
) -> int:
    """The most central article, in the first preferred language that has one (the first
    in the decision order among equals)."""

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
            # Equally central (a story of two, a copy and its original): the first in the
            # decision order, not the lowest id, which follows the order polls ended.
            scored = [(centrality(r), r) for r in pool]
            top = max(score for score, _ in scored)
            return int(in_decision_order(r for score, r in scored if score == top)[0]["id"])
    return int(in_decision_order(rows)[0]["id"])


def run_story_stage(
    store: StoryStore,
    settings: StorySettings | None = None,
    *,
    stop: Callable[[], bool] | None = None,
    evidence: Evidence | None = None,
) -> StageReport:
    """Put every article without a story into one: dedup, embed (once), assign, record.

    Articles are taken in publication order; each batch is written in one transaction. With
    nothing pending it returns at once: no model load, no state rebuild. Otherwise the model
    loads first, and one that cannot load raises ModelLoadError before anything is written. `stop` is
    asked before each batch and between chunks of texts while embedding: a daemon shutting
    down ends the stage within a second or so, the batch in hand dropped whole (it is taken
    again at the next run) and the batches before it written. `evidence` gives each
    article's places and names (the pipeline's reads those not read yet, so they are known
    whatever the pace of their stages); without it, none.
    """
    settings = settings or StorySettings()
    started = time.perf_counter()
    rows = store.stories_pending(settings.batch_size)
    if not rows:
        # Nothing pending: neither the model nor the stage's state is needed (a poll with
        # nothing new, a cron run, a restart must not pay seconds and hundreds of MB for it).
        return StageReport(seconds=time.perf_counter() - started, model=settings.model)
    embedder = load_embedder(settings.model)
    params = settings.params or params_for_model(embedder.name)
    progress = Progress("stories", store.stories_pending_count(), "articles")
    progress.set_step("reading the stories of the window")
    state = _state(store, embedder.name, params, settings)
    progress.set_step("embedding and assigning")
    totals = Counter[str]()
    try:
        while stop is None or not stop():
            if not rows:
                rows = store.stories_pending(settings.batch_size)
            if not rows:
                break
            # The store's order already on SQLite; a PostgreSQL locale may collate GUIDs otherwise.
            rows = in_decision_order(rows)
            published_at = [_when(row["published"]) for row in rows]
            # Copies first: a copy takes its original's vector instead of being embedded.
            verdicts = [
                state.dedup.check(int(row["id"]), f"{row['title'] or ''}\n{row['text'] or ''}", published)
                for row, published in zip(rows, published_at, strict=True)
            ]
            copy_of = {v.article_id: v.duplicate_of for v in verdicts if v.duplicate_of is not None}
            # And a text the model has embedded before takes that vector too.
            texts = [article_text(row["title"], row["text"], settings.max_words) for row in rows]
            ids = [int(row["id"]) for row in rows]
            reuse = {**state.texts.sources(ids, texts), **copy_of}
            earlier = sorted(set(reuse.values()) - set(ids))
            known = {
                article_id: vector
                for article_id, blob in store.stories_vectors(earlier, embedder.name).items()
                if (vector := _vector_from(blob, embedder.dim)) is not None
            }
            # Progress counts articles: those embedded as they are, the rest (copies, stored
            # vectors) once the batch is written.
            told = progress.done
            vectors, saved, embedded = _embed_rows(
                embedder, rows, texts, reuse, known, on_embedded=progress.update, stop=stop
            )
            told = progress.done - told
            totals["embedded"] += embedded
            merges_before = dict(state.assigner.merged)
            merges_seen = len(merges_before)
            assignments: list[dict[str, Any]] = []
            thread_links: list[tuple[int, int]] = []
            batch_members: list[dict[str, Any]] = []
            identities = evidence(rows) if evidence is not None else {}
            for row, vector, verdict, published in zip(rows, vectors, verdicts, published_at, strict=True):
                found = identities.get(int(row["id"]))
                labels = evidence_keys(found.places, found.names) if found is not None else {}
                result = state.assigner.assign(
                    ArticleInput(
                        id=int(row["id"]),
                        published=published,
                        vector=vector,
                        keys=state.keys_of(row) | frozenset(labels),
                        labels=labels,
                        title=row["title"] or "",
                        language=row["language"] or None,
                        mean_language=confirmed_language(
                            row["language"], row["title"] or "", row["text"] or "", row.get("language_source")
                        ),
                    )
                )
                if len(state.assigner.merged) != merges_seen:
                    for drop, keep in list(state.assigner.merged.items())[merges_seen:]:
                        state.breaking.merge(drop, keep)
                    merges_seen = len(state.assigner.merged)
                # Breaking is judged at the article's own publication time (not the assigner's
                # clock): a backlog can only raise a flag dated when it was published.
                story_id = state.assigner.resolve(result.story_id)
                state.breaking.observe(story_id, published, state.outlet_of(row), row["language"] or None)
                totals["opened" if result.opened else "joined"] += 1
                if result.follows is not None:
                    thread_links.append((result.story_id, result.follows))
                totals["duplicates"] += verdict.duplicate_of is not None
                assignments.append(
                    {
                        "article_id": result.article_id,
                        "story_id": result.story_id,
                        "duplicate_of": verdict.duplicate_of,
                        "minhash": state.dedup.signature_bytes(result.article_id, _tag(row)),
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
            note_merges_in_batch(assignments, state.assigner.resolve)
            threads = sorted(
                {
                    (story, parent)
                    for new, old in thread_links
                    if (story := state.assigner.resolve(new)) != (parent := state.assigner.resolve(old))
                }
            )
            totals["threaded"] += len(threads)
            touched = {item["story_id"] for item in assignments}
            touched |= {state.assigner.resolve(keep) for _, keep in new_merges}
            records = _story_records(store, state, touched, batch_members, settings, embedder.dim)
            # The vectors are written with the assignments, in one transaction: should it fail,
            # the batch is embedded again next time, as nothing of it was kept.
            means = [(state.model, *row) for row in state.assigner.means.rows(changed_only=True)]
            store.stories_write(
                assignments,
                new_merges,
                records,
                now=datetime.now(UTC),
                embeddings=saved,
                threads=threads,
                breaking_baseline=state.breaking.baseline.to_json(),
                language_means=means,
            )
            state.texts.remember((ids[i], texts[i]) for i, vector in enumerate(vectors) if vector is not None)
            totals["breaking"] += len(state.breaking.raised)
            state.breaking.raised.clear()
            state.breaking.forget(story.id for story in state.assigner.known_stories)
            # Merges already in the database need not be replayed: forget them.
            state.assigner.merged.clear()
            if state.assigner.clock is not None:
                state.dedup.forget_before(state.assigner.clock - timedelta(hours=settings.dedup_window_hours))
            # What stories_marker() now reads, without reading it again: one more write of the
            # stage, and this batch's new story rows.
            writes, top_story = state.marker
            state.marker = (writes + 1, max([top_story, *(int(r["id"]) for r in records)]))
            totals["articles"] += len(rows)
            progress.update(len(rows) - told)
            rows = []
    except _Stopped:
        # The copy index already holds this batch, the database does not: rebuilt next run.
        _STATES.pop(store, None)
        log.info("stories: stopped while embedding; the batch in hand is taken again at the next run")
    except BaseException:
        # The assigner and the copy index already hold this batch, the database does not:
        # the next run rebuilds them from the tables instead of building on a phantom.
        _STATES.pop(store, None)
        progress.close(failed=True)
        raise
    progress.close()
    report = StageReport(
        articles=totals["articles"],
        opened=totals["opened"],
        joined=totals["joined"],
        duplicates=totals["duplicates"],
        merged=totals["merged"],
        threaded=totals["threaded"],
        embedded=totals["embedded"],
        breaking=totals["breaking"],
        seconds=time.perf_counter() - started,
        model=embedder.name,
    )
    if report.articles:
        log.info("%s", report.summary())
    return report
