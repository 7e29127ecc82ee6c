"""The watches stage: after the stories stage, every newly placed (or changed) article is
matched against every watch in publication order, and the matches are stored; a new or edited
watch is first backfilled over the stored news of its last `backfill_days`."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

import numpy as np

from monitor.entities.countries import articles_countries
from monitor.entities.personwords import person_spellings
from monitor.entities.sounds import SoundIndex
from monitor.entities.stage import KNOWN_DAYS, KNOWN_LIMIT, KNOWN_MIN_ARTICLES, KnownNamesCache
from monitor.store.protocols import WatchStore
from monitor.stories.embed import Embedder
from monitor.timeutil import iso, parse_iso, utcnow
from monitor.watches.matcher import ArticleView, CompiledWatch, Vector, compile_watch
from monitor.watches.names import hear_all, sound_index
from monitor.watches.prefilter import (
    ABOUT_MARGIN,
    plan_for,
    sounded_term_ranges,
    sounded_tokens,
    tokens_to_read,
)
from monitor.watches.settings import WatchConfig, WatchesConfig
from monitor.wording import count

log = logging.getLogger("monitor.watches")

BATCH = 500
VECTOR_CHUNK = 20_000  # stored vectors compared at once with a backfilled `about` (30 MB for e5-small)
Progress = Callable[[str, int, int], None]  # (watch name, articles done, articles in all)


@dataclass(frozen=True)
class WatchReport:
    articles: int = 0
    matches: int = 0
    backfilled: tuple[tuple[str, int, int], ...] = ()  # (watch, articles read, matches)
    seconds: float = 0.0

    def summary(self) -> str:
        parts = [f"watches: {count(self.articles, 'article')}, {count(self.matches, 'match')}"]
        parts += [
            f"{name} backfilled over {count(n, 'article')} ({count(m, 'match')})"
            for name, n, m in self.backfilled
        ]
        return "; ".join(parts)


def article_view(row: dict[str, Any]) -> ArticleView:
    """A store row (articles joined with feeds) as the matcher sees it."""
    blob = row.get("embedding")
    try:
        tags = frozenset(str(t) for t in json.loads(row.get("feed_tags") or "[]"))
    except ValueError:
        tags = frozenset()
    return ArticleView(
        id=int(row["id"]),
        title=row.get("title") or "",
        text=row.get("text") or "",
        language=row.get("language"),
        feed_url=row.get("feed_url") or "",
        feed_name=row.get("feed_name"),
        tags=tags,
        countries=articles_countries(row.get("places")),
        vector=np.frombuffer(blob, dtype=np.float32) if blob else None,
        model=row.get("embedding_model"),
    )


def definition(watch: WatchConfig) -> str:
    """What is stored of a watch's definition (for pages of removed watches, and edits)."""
    values = asdict(watch)
    values.pop("line", None)
    return json.dumps(values, default=str, ensure_ascii=False, sort_keys=True)


def compile_all(
    watches: Sequence[WatchConfig], model: str, embedder: Callable[[], Embedder] | None
) -> list[CompiledWatch]:
    """Every watch ready to match; the model is loaded only when some watch has `about`."""
    need_model = any(w.about for w in watches) and embedder is not None
    loaded = embedder() if need_model and embedder is not None else None
    return [compile_watch(w, model, loaded.embed if loaded is not None else None) for w in watches]


Persons = list[list[tuple[str, ...]]]  # known persons, each as its spellings, a spelling as its words


def known_persons(store: WatchStore) -> Persons:
    """The persons the installation knows (`persons_of` the store's known names)."""
    return persons_of(store.names_known(KNOWN_DAYS, KNOWN_MIN_ARTICLES, KNOWN_LIMIT))


def persons_of(known: Sequence[tuple[str, str, int]]) -> Persons:
    """The known persons, each as its spellings, a spelling as its words (`Bill Clinton`): the
    names stage's known names (store.names_known: key, spelling, articles) by key, those of
    their spellings that are a person's (personwords). A watch's surname heard alone after
    another one's given name is not its person (sounds.SoundIndex.knowing)."""
    spellings: dict[str, list[str]] = {}
    for key, spelling, _ in known:
        spellings.setdefault(key, []).append(spelling)
    found = (person_spellings([names]) for names in spellings.values())
    return [person for person in found if person]


class KnownPersons:
    """`known_persons`, kept across the runs of one watches stage: from the known names as a
    KnownNamesCache reads them (in the daemon the names stage's, so that one read of the store,
    at most every KNOWN_CHECK_SECONDS, serves both stages), worked out again when read again;
    `clock`: seconds, for a cache of its own."""

    def __init__(
        self, known: KnownNamesCache | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._known = known if known is not None else KnownNamesCache(clock)
        self._rows: list[tuple[str, str, int]] | None = None
        self._persons: Persons = []

    def __call__(self, store: WatchStore) -> Persons:
        rows = self._known.rows(store)
        if rows is not self._rows:
            self._persons, self._rows = persons_of(rows), rows
        return self._persons


def _surnames_alone(compiled: Sequence[CompiledWatch]) -> bool:
    """Whether a watch has a person's name whose surname is heard alone (which the known
    persons may tell from another person's)."""
    return any(name.spoken is not None and name.spoken[1] for watch in compiled for name in watch.names)


def names_index(
    compiled: Sequence[CompiledWatch], persons: Persons
) -> SoundIndex:
    """One index hearing every person's name of the watches in scripts without capitals,
    knowing the other persons of their surnames (`known_persons`): built once a stage run."""
    return sound_index(name for watch in compiled for name in watch.names).knowing(persons)


def _match_rows(
    compiled: Sequence[CompiledWatch],
    ids: dict[str, int],
    rows: Sequence[dict[str, Any]],
    backfill: bool,
    sounds: SoundIndex,
) -> list[dict[str, Any]]:
    found = []
    for row in rows:
        view = article_view(row)
        if sounds:  # persons' names in scripts without capitals: the text read once
            hear_all(view.name_text, sounds)
        for watch in compiled:
            why = watch.match(view)
            if why is not None:
                found.append(
                    {
                        "watch_id": ids[watch.name.casefold()],
                        "article_id": view.id,
                        "story_id": row.get("story_id"),
                        "published": row["published"],
                        "why": why.as_dict(),
                        "similarity": why.similarity,
                        "backfill": int(backfill),
                    }
                )
    return found


def run_watch_stage(
    store: WatchStore,
    config: WatchesConfig,
    embedder: Callable[[], Embedder] | None,
    *,
    stop: Callable[[], bool] | None = None,
    progress: Progress | None = None,
    backfill: bool = True,
    persons: Callable[[WatchStore], Persons] = known_persons,
) -> WatchReport:
    """Sync the watches with the config, match the pending articles, backfill new or edited
    watches. Each batch is one transaction: a crash loses at most the batch in hand.
    `persons`: the installation's known persons (`known_persons`, or a KnownPersons), read
    once a run where a watch hears a surname alone."""
    started = time.monotonic()
    now = utcnow()
    rows = store.watches_sync([(w.name, w.fingerprint(), definition(w)) for w in config.watches], now)
    ids = {str(r["name"]).casefold(): int(r["id"]) for r in rows}
    compiled = compile_all(config.watches, config.model, embedder)
    known = persons(store) if _surnames_alone(compiled) else []
    sounds = names_index(compiled, known)
    articles = matches = 0
    while not (stop and stop()):
        batch = store.watch_pending(BATCH)
        if not batch:
            break
        found = _match_rows(compiled, ids, batch, False, sounds)
        # A changed article is matched afresh by the active watches (removed ones keep theirs).
        active = [ids[w.name.casefold()] for w in compiled]
        rematched = [(int(r["id"]), active) for r in batch]
        store.watch_write(found, [int(r["id"]) for r in batch], utcnow(), rematched=rematched)
        articles += len(batch)
        matches += len(found)
    done: list[tuple[str, int, int]] = []
    if backfill:
        by_name = {str(r["name"]).casefold(): r for r in rows}
        for watch in compiled:
            row = by_name[watch.name.casefold()]
            fingerprint = watch.config.fingerprint()
            if row["backfilled"] == fingerprint or (stop and stop()):
                continue
            read, found_n = backfill_watch(
                store, watch, int(row["id"]), stop=stop, progress=progress, persons=known
            )
            if stop and stop():
                break  # unfinished: done again from the start next time
            store.watch_backfill_done(int(row["id"]), fingerprint)
            done.append((watch.name, read, found_n))
    report = WatchReport(articles, matches, tuple(done), time.monotonic() - started)
    if articles or done:
        log.info("event=watches_done %s", report.summary())
    return report


def backfill_window_start(store: WatchStore, days: int) -> str | None:
    """The first publication time a backfill reads: `days` before the newest stored article
    (publication time, not the wall clock, so a replay gives the same result)."""
    latest = parse_iso(store.watch_latest_published())
    return iso(latest - timedelta(days=days)) if latest else None


def candidate_ids(store: WatchStore, watch: CompiledWatch, since: str) -> set[int] | None:
    """The articles of the window that could match the watch, found without reading them
    (monitor.watches.prefilter): a superset of its matches. None when the watch cannot be
    prefiltered, or the database has no full-text index to ask: then every article is read."""
    plan = plan_for(watch)
    if not plan.possible:
        return None
    found: set[int] = set()
    if plan.looks_up_tokens:
        vocabulary = store.watch_fts_vocabulary()
        if vocabulary is None:
            return None
        tokens = tokens_to_read(plan, vocabulary)
        if plan.heard:  # and every article in a script where the matcher hears names
            written = store.watch_fts_ids_starting(sounded_term_ranges())
            if written is None:
                return None
            found |= written
            tokens = list(dict.fromkeys(tokens + sounded_tokens(vocabulary)))
        found |= store.watch_fts_ids(tokens)
    if plan.about and watch.about is not None and watch.model is not None:
        found |= _about_candidates(store, watch.about, watch.model, watch.threshold - ABOUT_MARGIN, since)
    return found


def _about_candidates(store: WatchStore, about: Vector, model: str, low: float, since: str) -> set[int]:
    """The articles whose stored vector is at least `low` from `about`: compared by the
    database where it can (pgvector), else here, one matrix product per chunk of vectors."""
    in_database = store.watch_similar_ids(since, model, [float(x) for x in about], low)
    if in_database is not None:
        return in_database
    found: set[int] = set()
    after = 0
    width = about.shape[0] * 4
    while True:
        rows = store.watch_vectors(since, model, after, VECTOR_CHUNK)
        if not rows:
            return found
        after = rows[-1][0]
        same = [(article_id, blob) for article_id, blob in rows if len(blob) == width]
        if not same:
            continue
        matrix = np.frombuffer(b"".join(blob for _, blob in same), dtype=np.float32)
        scores = matrix.reshape(len(same), about.shape[0]) @ about
        ids = np.fromiter((article_id for article_id, _ in same), dtype=np.int64, count=len(same))
        found.update(int(i) for i in ids[scores >= low])


def _window_batches(
    store: WatchStore,
    watch: CompiledWatch,
    since: str,
    *,
    stop: Callable[[], bool] | None = None,
    progress: Progress | None = None,
) -> Iterator[list[dict[str, Any]]]:
    """The articles of the window a watch must be matched against, in batches: only its
    candidates when it can be prefiltered, else every one, in publication order."""
    candidates = candidate_ids(store, watch, since)
    if candidates is not None:
        ordered = sorted(candidates)
        for start in range(0, len(ordered), BATCH):
            if stop and stop():
                return
            batch = store.watch_articles_by_id(ordered[start : start + BATCH], since)
            yield batch
            if progress is not None:
                progress(watch.name, min(start + BATCH, len(ordered)), len(ordered))
        return
    total = store.watch_articles_count(since)
    cursor: tuple[str, int] | None = None
    read = 0
    while not (stop and stop()):
        batch = store.watch_articles_after(since, cursor, BATCH)
        if not batch:
            return
        yield batch
        read += len(batch)
        cursor = (str(batch[-1]["published"]), int(batch[-1]["id"]))
        if progress is not None:
            progress(watch.name, read, total)


def backfill_watch(
    store: WatchStore,
    watch: CompiledWatch,
    watch_id: int,
    *,
    stop: Callable[[], bool] | None = None,
    progress: Progress | None = None,
    save: bool = True,
    persons: Persons | None = None,
) -> tuple[int, int]:
    """Match one watch over the stored news of its window; (articles in the window, matches).
    Only the articles that could match are read (candidate_ids); the matcher is the stage's.
    Backfilled matches are marked so: they never raise an alert. `persons`: known_persons,
    when the caller read them already."""
    since = backfill_window_start(store, watch.config.backfill_days)
    if since is None:
        return 0, 0
    total = store.watch_articles_count(since)
    if save:
        store.watch_backfill_start(watch_id, since)
    ids = {watch.name.casefold(): watch_id}
    if persons is None:
        persons = known_persons(store) if _surnames_alone([watch]) else []
    sounds = names_index([watch], persons)
    found_n = 0
    for batch in _window_batches(store, watch, since, stop=stop, progress=progress):
        found = _match_rows([watch], ids, batch, True, sounds)
        if save:
            store.watch_write(found, [], utcnow())
        found_n += len(found)
    return total, found_n


def try_watch(
    store: WatchStore, watch: WatchConfig, model: str, embedder: Callable[[], Embedder] | None
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """What a watch would match in the stored news of its window: (article row, why), nothing
    saved; in publication order."""
    compiled = compile_all([watch], model, embedder)[0]
    since = backfill_window_start(store, watch.backfill_days)
    out: list[tuple[dict[str, Any], dict[str, Any]]] = []
    if since is None:
        return out
    sounds = names_index([compiled], known_persons(store) if _surnames_alone([compiled]) else [])
    for batch in _window_batches(store, compiled, since):
        for row in batch:
            view = article_view(row)
            if sounds:
                hear_all(view.name_text, sounds)
            why = compiled.match(view)
            if why is not None:
                out.append((row, why.as_dict()))
    out.sort(key=lambda pair: (str(pair[0]["published"]), int(pair[0]["id"])))
    return out


def watch_stage(
    config: WatchesConfig, *, stop: Callable[[], bool] | None = None, known: KnownNamesCache | None = None
) -> Callable[[WatchStore], str | None]:
    """The pipeline's watches stage for this config (after the stories stage); `known`: the
    names stage's known names, read once for both."""

    def load() -> Embedder:
        from monitor.stories.embed import load_embedder

        return load_embedder(config.model)

    persons = KnownPersons(known)  # kept across the stage's runs

    def watches(store: WatchStore) -> str | None:
        report = run_watch_stage(store, config, load, stop=stop, persons=persons)
        return report.summary() if report.articles or report.backfilled else None

    return watches
