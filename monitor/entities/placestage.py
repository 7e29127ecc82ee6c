"""The places stage: geotag the articles that wait for it and store their places."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from monitor.entities.feedcountry import country_of_url
from monitor.entities.gazetteer import Gazetteer, open_gazetteer
from monitor.entities.geotag import geotag, spans
from monitor.entities.stage import names_of_all
from monitor.entities.storycountries import refresh_story_countries
from monitor.errors import MonitorError
from monitor.wording import count

log = logging.getLogger("monitor.entities")

BATCH = 500


@dataclass(frozen=True)
class PlacesReport:
    articles: int
    with_places: int
    seconds: float

    def summary(self) -> str | None:
        if not self.articles:
            return None
        return (f"places: {count(self.articles, 'article')} read, {self.with_places} with places"
                f" ({1000 * self.seconds / self.articles:.1f} ms each)")


def article_places(
    gazetteer: Gazetteer, article: Mapping[str, Any], names: Sequence[Mapping[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """An article's places as stored and exported: [{geonameid, name, country}]. `names` are
    its names as the names stage stores them ({variants, ...}; found here when not given): a
    place name inside a person's name is not a place."""
    return places_of(gazetteer, [article], [names])[0]


def places_of(
    gazetteer: Gazetteer,
    articles: Sequence[Mapping[str, Any]],
    names: Sequence[Sequence[Mapping[str, Any]] | None],
) -> list[list[dict[str, Any]]]:
    """`article_places` of each article (with its names, or None), the gazetteer asked once
    for the whole batch: one sorted query reads its index in order, and a word that many
    articles write is looked up once."""
    read = [spans(gazetteer, a.get("text") or "", title=a.get("title") or "", language=a.get("language"))
            for a in articles]
    found = gazetteer.lookup(key for candidates in read for c in candidates for key in c.keys)
    named = iter(names_of_all([a for a, found in zip(articles, names, strict=True) if found is None],
                              gazetteer))
    out = []
    for article, article_names, candidates in zip(articles, names, read, strict=True):
        if article_names is None:
            article_names = next(named)
        tag = geotag(
            gazetteer,
            article.get("text") or "",
            title=article.get("title") or "",
            language=article.get("language"),
            feed_country=country_of_url(article.get("feed_url") or ""),
            names=[tuple(name.get("variants") or ()) for name in article_names],
            read=(candidates, found),
        )
        out.append([{"geonameid": p.geonameid, "name": p.name, "country": p.country} for p in tag.places])
    return out


class PlacesStage:
    """A pipeline stage (store -> summary); the gazetteer opens (and is built) at first use."""

    __name__ = "places"

    def __init__(self, path: Path | None = None, *, stop: Callable[[], bool] | None = None) -> None:
        self._path = path
        self._gazetteer: Gazetteer | None = None
        self._stop = stop

    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            try:
                self._gazetteer = open_gazetteer(self._path)
            except (OSError, ValueError) as exc:
                raise MonitorError(f"places: cannot build the gazetteer: {exc}") from exc
        return self._gazetteer

    def run(self, store: Any, batch: int = BATCH) -> PlacesReport:
        started = time.perf_counter()
        read = placed = 0
        while not (self._stop and self._stop()):
            pending = store.places_pending(batch)
            if not pending:
                break
            gazetteer = self.gazetteer()
            names = store.article_names([int(row["id"]) for row in pending if not row.get("names_waiting")])
            found = places_of(gazetteer, pending, [
                None if row.get("names_waiting") else names.get(int(row["id"]), []) for row in pending])
            results = [(row["id"], places) for row, places in zip(pending, found, strict=True)]
            store.places_write(results)
            read += len(results)
            placed += sum(1 for _, places in results if places)
            if len(pending) < batch:
                break
        refresh_story_countries(store, stop=self._stop)  # stories whose articles were read again
        report = PlacesReport(read, placed, time.perf_counter() - started)
        if read:
            log.info("event=places_stage articles=%d with_places=%d seconds=%.2f",
                     read, placed, report.seconds)
        return report

    def __call__(self, store: Any) -> str | None:
        return self.run(store).summary()
