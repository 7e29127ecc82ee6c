"""The names stage: each new or changed article's people and organisations, found by the pure
recogniser (monitor.entities.names) and stored with the article; names that are places or
peoples (Paris, Europe, American: monitor.entities.placelike) are the places stage's.

An article written without capitals (Chinese, Arabic, Korean...) is also read for the names
the installation already knows (`KnownNames`): the Latin spellings of the keys that at least
KNOWN_MIN_ARTICLES articles named in the KNOWN_DAYS before the newest article (at most
KNOWN_LIMIT keys), as a SoundIndex (and `SpelledNames`) built once per run, when the first such article comes
(in the daemon, kept across runs by a `KnownNamesCache` and rebuilt when the known names
changed or aged); the stage names those articles after the others of the run (up to a batch
of them waits)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from monitor.entities.gazetteer import Gazetteer, place_key
from monitor.entities.names import Name, SpelledNames, names_in
from monitor.entities.placelike import people_and_organisations_all
from monitor.entities.scriptnames import caseless
from monitor.entities.sounds import SoundIndex
from monitor.errors import MonitorError
from monitor.store.protocols import NameStore

log = logging.getLogger(__name__)

BATCH = 500  # articles read and written at once
PER_RUN = 5_000  # articles named in one run: a backlog (after the migration) goes on next run
KNOWN_DAYS = 30
KNOWN_MIN_ARTICLES = 2
KNOWN_LIMIT = 2_000  # keys, the most named: ~19 MB and ~0.35 s CPU to build (10,000: 95 MB, 1.7 s)


class KnownNamesStore(Protocol):
    def names_known(self, days: int, min_articles: int, limit: int) -> list[tuple[str, str, int]]: ...


@dataclass(frozen=True)
class KnownIndex:
    """The known names as the recogniser reads them: heard in a text (`sounds`), and compared
    word for word with a cued name the index did not hear (`spelled`)."""

    sounds: SoundIndex
    spelled: SpelledNames


class KnownNames:
    """The names the installation knows, as a KnownIndex read from the store at the first
    call (then kept: one per run of a stage); with a `KnownNamesCache` (the daemon's, one for
    the names stage and the story evidence), the index it keeps across runs."""

    def __init__(self, store: KnownNamesStore, cache: KnownNamesCache | None = None) -> None:
        self._store = store
        self._cache = cache
        self._index: KnownIndex | None = None

    def __call__(self) -> KnownIndex:
        if self._index is None:
            if self._cache is not None:
                self._index = self._cache.index(self._store)
            else:
                self._index = _built(self._store.names_known(KNOWN_DAYS, KNOWN_MIN_ARTICLES, KNOWN_LIMIT))
        return self._index


def _built(rows: Sequence[tuple[str, str, int]]) -> KnownIndex:
    log.info("event=known_names keys=%d", len({key for key, _, _ in rows}))
    pairs = [(key, spelling) for key, spelling, _ in rows]
    return KnownIndex(SoundIndex(pairs), SpelledNames(pairs))


# The daemon keeps one index of the known names across its runs (building one costs ~0.3 s
# CPU and ~19 MB for 2,000 names; each run of the names stage and of the stories asked for
# its own). Its store's known names are read again at most every KNOWN_CHECK_SECONDS; the
# index is built again when they changed (KNOWN_CHANGED_SHARE of the keys in or out) or
# when it is KNOWN_MAX_AGE_SECONDS old. One index at a time: memory stays bounded by
# KNOWN_LIMIT.
KNOWN_CHECK_SECONDS = 300.0
KNOWN_MAX_AGE_SECONDS = 3_600.0
KNOWN_CHANGED_SHARE = 0.1


def known_names_stale(age: float, built_from: frozenset[str], known_now: frozenset[str]) -> bool:
    """Whether an index of the known names, `age` seconds old and built from the keys
    `built_from`, is to be built again now that the store knows `known_now`."""
    if age >= KNOWN_MAX_AGE_SECONDS:
        return True
    return len(built_from ^ known_now) > KNOWN_CHANGED_SHARE * max(len(built_from | known_now), 1)


class KnownNamesCache:
    """The known names' index kept across runs (see known_names_stale); `clock`: seconds."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._index: KnownIndex | None = None
        self._keys: frozenset[str] = frozenset()
        self._built_at = 0.0
        self._rows: list[tuple[str, str, int]] | None = None
        self._read_at = 0.0
        self._checked: list[tuple[str, str, int]] | None = None  # the rows the index was checked against
        self.builds = 0

    def rows(self, store: KnownNamesStore) -> list[tuple[str, str, int]]:
        """The known names (store.names_known), read again at most every KNOWN_CHECK_SECONDS:
        in the daemon the names stage's index and the watches stage's known persons
        (watches.match.KnownPersons) come from one read."""
        now = self._clock()
        if self._rows is None or now - self._read_at >= KNOWN_CHECK_SECONDS:
            self._rows, self._read_at = store.names_known(KNOWN_DAYS, KNOWN_MIN_ARTICLES, KNOWN_LIMIT), now
        return self._rows

    def index(self, store: KnownNamesStore) -> KnownIndex:
        rows = self.rows(store)
        if self._index is not None and rows is self._checked:
            return self._index
        keys = frozenset(key for key, _, _ in rows)
        now = self._clock()
        if self._index is None or known_names_stale(now - self._built_at, self._keys, keys):
            self._index = None  # the old one goes before the new one is built
            self._index, self._keys, self._built_at = _built(rows), keys, now
            self.builds += 1
        self._checked = rows
        return self._index


def names_of(
    article: Mapping[str, Any],
    gazetteer: Gazetteer | None = None,
    known: Callable[[], KnownIndex] | None = None,
) -> list[dict[str, Any]]:
    """The rows of one article's names, as the store keeps them: with the gazetteer (as the
    pipeline runs), its places and peoples left out; with `known` (the names the installation
    knows, asked for only by an article written without capitals), those names' keys."""
    return names_of_all([article], gazetteer, known)[0]


def names_of_all(
    articles: Sequence[Mapping[str, Any]],
    gazetteer: Gazetteer | None = None,
    known: Callable[[], KnownIndex] | None = None,
) -> list[list[dict[str, Any]]]:
    """`names_of` each article, the gazetteer asked once for the whole batch."""
    found = []
    for article in articles:
        index = _known_for(article, known)
        found.append(names_in(
            article.get("title"), article.get("text"), article.get("language"),
            index.sounds if index else None, index.spelled if index else None,
        ))  # fmt: skip
    if gazetteer is None:
        return [[_row(n) for n in names] for names in found]
    # Each name's place key once a batch (the key cache, of 2,048, holds few of a batch's names)
    key_of = {name: place_key(name) for name in {n.name for names in found for n in names}}
    readings = gazetteer.lookup(key_of.values())
    named = [(names, a.get("language"), [key_of[n.name] for n in names])
             for a, names in zip(articles, found, strict=True)]
    kept = people_and_organisations_all(named, gazetteer, readings)
    return [[_row(n) for n in names] for names in kept]


def _row(name: Name) -> dict[str, Any]:
    return {"key": name.key, "name": name.name, "variants": name.variants, "mentions": name.count}


def _without_capitals(article: Mapping[str, Any]) -> bool:
    return caseless(f"{article.get('title') or ''}\n{article.get('text') or ''}")


def _known_for(article: Mapping[str, Any], known: Callable[[], KnownIndex] | None) -> KnownIndex | None:
    """The known names, for an article written without capitals (only then built)."""
    return known() if known is not None and _without_capitals(article) else None


def _opened(gazetteer: Callable[[], Gazetteer] | None) -> Gazetteer | None:
    if gazetteer is None:
        return None
    try:
        return gazetteer()
    except MonitorError as exc:  # names go on without it (places are off too)
        log.warning("event=names_without_gazetteer error=%r", str(exc))
        return None


def run_names_stage(
    store: NameStore,
    *,
    stop: Callable[[], bool] | None = None,
    limit: int = PER_RUN,
    gazetteer: Callable[[], Gazetteer] | None = None,
    known_cache: KnownNamesCache | None = None,
) -> int:
    """Name the articles that wait, newest first, a batch at a time, up to `limit` in one run
    (about 2 ms each), so that a backlog does not hold the later stages; returns how many.
    `gazetteer` (opened at the first article) keeps places and peoples out. The articles
    written without capitals are named after the others of up to a batch of them, with the
    names the store then knows (KnownNames, built once per run): a backlog's Latin news
    names the people its Chinese news writes by sound."""
    done = 0
    opened: Gazetteer | None = None
    known = KnownNames(store, known_cache)
    waiting: list[dict[str, Any]] = []  # written without capitals: named once a batch waits
    below: int | None = None
    while done + len(waiting) < limit and not (stop and stop()):
        pending = store.names_pending(min(BATCH, limit - done - len(waiting)), below)
        if not pending:
            break
        below = min(int(a["id"]) for a in pending)
        if opened is None:
            opened = _opened(gazetteer)
        waiting += [a for a in pending if _without_capitals(a)]
        done += _name(store, [a for a in pending if not _without_capitals(a)], opened, None)
        if len(waiting) >= BATCH:
            done += _name(store, waiting, opened, known)
            waiting = []
    if waiting and not (stop and stop()):
        done += _name(store, waiting, opened, known)
    if done:
        log.info("event=names_stage articles=%d", done)
    return done


def _name(
    store: NameStore,
    articles: Sequence[Mapping[str, Any]],
    gazetteer: Gazetteer | None,
    known: Callable[[], KnownIndex] | None,
) -> int:
    if articles:
        found = names_of_all(articles, gazetteer, known)
        store.names_write({int(a["id"]): names for a, names in zip(articles, found, strict=True)})
    return len(articles)


def names_stage(
    *,
    stop: Callable[[], bool] | None = None,
    gazetteer: Callable[[], Gazetteer] | None = None,
    known_cache: KnownNamesCache | None = None,
) -> Callable[[NameStore], str | None]:
    """The pipeline's names stage (before the stories stage, which may use them); with
    `known_cache`, the known names' index is kept across its runs."""

    def names(store: NameStore) -> str | None:
        done = run_names_stage(store, stop=stop, gazetteer=gazetteer, known_cache=known_cache)
        return f"names: {done} articles read" if done else None

    return names
