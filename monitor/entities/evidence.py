"""Each article's places and names, for the stories stage, as plain data.

The story decision weighs the places and names an article shares with a story across
languages (`monitor.stories.decide`). They must be known when the article is assigned, or a
replay, a restart or a backlog that the names and places stages have not caught up with
(the names stage reads at most 5,000 articles a run, newest first) would decide otherwise.
So the stories stage asks here: what the entities stages stored, and for an article they
have not read yet, what they would store, read now and stored (the stages then find it done);
an article written without capitals is read with the names the store knows (`KnownNames`,
built once per stories run, or kept across runs by the pipeline's `KnownNamesCache`, shared
with the names stage), so that its names take the keys of the same people in Latin and
Cyrillic news.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from monitor.entities.gazetteer import Gazetteer
from monitor.entities.placestage import places_of
from monitor.entities.stage import KnownNames, KnownNamesCache, names_of_all
from monitor.errors import MonitorError

log = logging.getLogger("monitor.entities")


@dataclass(frozen=True)
class Identities:
    """An article's places ({geonameid, name, country}) and names ({key, name, ...})."""

    places: tuple[Mapping[str, Any], ...] = ()
    names: tuple[Mapping[str, Any], ...] = ()


class IdentityStore(Protocol):
    """What the evidence reads and writes: the names and places stages' tables."""

    def article_names(self, article_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]: ...

    def names_write(self, found: Mapping[int, Sequence[Mapping[str, Any]]]) -> None: ...

    def places_write(self, results: Sequence[tuple[int, Sequence[dict[str, Any]]]]) -> None: ...

    def names_known(self, days: int, min_articles: int, limit: int) -> list[tuple[str, str, int]]: ...


class StoryEvidence:
    """`evidence(rows)`: {article id: Identities} for rows of `stories_pending` (which carry
    `places`, the stored JSON or None, and `names_waiting`)."""

    def __init__(
        self,
        store: IdentityStore,
        gazetteer: Callable[[], Gazetteer],
        known_cache: KnownNamesCache | None = None,
    ) -> None:
        self._store = store
        self._gazetteer = gazetteer
        self._no_gazetteer: str | None = None
        # Built at the first article written without capitals, or kept by the cache across runs.
        self._known = KnownNames(store, known_cache)

    def __call__(self, rows: Sequence[Mapping[str, Any]]) -> dict[int, Identities]:
        names = self._names(rows)
        places = self._places(rows, names)
        return {
            int(row["id"]): Identities(
                tuple(places.get(int(row["id"]), ())), tuple(names.get(int(row["id"]), ()))
            )
            for row in rows
        }

    def _places(
        self, rows: Sequence[Mapping[str, Any]], names: Mapping[int, Sequence[Mapping[str, Any]]]
    ) -> dict[int, list[dict[str, Any]]]:
        found: dict[int, list[dict[str, Any]]] = {}
        unread = []
        for row in rows:
            stored = _stored_places(row.get("places"))
            if stored is None:
                unread.append(row)
            else:
                found[int(row["id"])] = stored
        gazetteer = self._open() if unread else None
        if gazetteer is not None:
            places = places_of(gazetteer, unread, [names.get(int(row["id"]), []) for row in unread])
            read = [(int(row["id"]), tagged) for row, tagged in zip(unread, places, strict=True)]
            self._store.places_write(read)
            found.update(read)
        return found

    def _names(self, rows: Sequence[Mapping[str, Any]]) -> dict[int, list[dict[str, Any]]]:
        needed = any(row.get("names_waiting") for row in rows)
        gazetteer = self._open() if needed else None
        unnamed = [row for row in rows if row.get("names_waiting")]
        waiting = {int(row["id"]): names
                   for row, names in zip(unnamed, names_of_all(unnamed, gazetteer, self._known), strict=True)}
        if waiting:
            self._store.names_write(waiting)
        stored = [int(row["id"]) for row in rows if not row.get("names_waiting")]
        return {**self._store.article_names(stored), **waiting} if stored else waiting

    def _open(self) -> Gazetteer | None:
        """The gazetteer; None (and one warning) when it cannot be built: stories then go on
        without places rather than stop."""
        if self._no_gazetteer is not None:
            return None
        try:
            return self._gazetteer()
        except MonitorError as exc:
            self._no_gazetteer = str(exc)
            log.warning("event=story_evidence_without_places error=%r", str(exc))
            return None


def _stored_places(text: str | None) -> list[dict[str, Any]] | None:
    """The places column as a list; None when not read yet (or unreadable: read again)."""
    if text is None:
        return None
    try:
        places = json.loads(text)
    except ValueError:
        return None
    return [p for p in places if isinstance(p, dict)] if isinstance(places, list) else None
