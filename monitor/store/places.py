"""Places of articles: what the places stage reads and writes (monitor.entities)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from monitor.store.core import Core


class Places(Core):
    """Each article's places: a JSON list on the article, one row per place for filters."""

    def places_pending(self, limit: int) -> list[dict[str, Any]]:
        """Articles whose places are not read yet (new, or changed since), oldest id first, each
        with whether its names wait to be read (`names_waiting`; else they are stored)."""
        return self.query(
            "SELECT a.id, a.title, a.text, a.language, f.url AS feed_url, CASE WHEN EXISTS "
            "(SELECT 1 FROM names_pending n WHERE n.article_id = a.id) THEN 1 ELSE 0 END AS names_waiting "
            f"FROM articles a {self._indexed_by('articles_unplaced')} JOIN feeds f ON f.id = a.feed_id "
            "WHERE a.places IS NULL ORDER BY a.id LIMIT ?",
            [limit],
        )

    def places_pending_count(self) -> int:
        row = self.db.execute(
            f"SELECT COUNT(*) FROM articles {self._indexed_by('articles_unplaced')} WHERE places IS NULL"
        ).fetchone()
        return int(row[0])

    def places_write(self, results: Sequence[tuple[int, Sequence[dict[str, Any]]]]) -> None:
        """Store each article's places ({geonameid, name, country}), in one transaction; an
        empty list marks an article read that names none."""
        if not results:
            return
        ids = [article_id for article_id, _ in results]
        with self.transaction():
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                self.db.execute(
                    f"DELETE FROM article_places WHERE article_id IN ({','.join('?' * len(chunk))})", chunk
                )
            self.db.executemany(
                "UPDATE articles SET places = ? WHERE id = ?",
                [(json.dumps(list(places), ensure_ascii=False), article_id)
                 for article_id, places in results],
            )
            self.db.executemany(
                "INSERT INTO article_places (article_id, geonameid, country) VALUES (?, ?, ?) "
                "ON CONFLICT DO NOTHING",
                [
                    (article_id, place["geonameid"], place["country"])
                    for article_id, places in results
                    for place in places
                ],
            )

    def article_places(self, article_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]:
        """The stored places of these articles (read or not: an unread one is left out)."""
        found: dict[int, list[dict[str, Any]]] = {}
        for start in range(0, len(article_ids), 500):
            chunk = list(article_ids[start : start + 500])
            rows = self.query(
                f"SELECT id, places FROM articles WHERE id IN ({','.join('?' * len(chunk))}) "
                "AND places IS NOT NULL",
                chunk,
            )
            for row in rows:
                found[int(row["id"])] = json.loads(row["places"])
        return found

    def articles_in_country(self, country: str, limit: int = 100) -> list[int]:
        """Ids of the articles with a place in `country` (ISO 3166-1 alpha-2), newest id first."""
        rows = self.query(
            "SELECT article_id FROM article_places WHERE country = ? "
            "GROUP BY article_id ORDER BY article_id DESC LIMIT ?",
            [country.upper(), limit],
        )
        return [int(row["article_id"]) for row in rows]

    def story_country_rows(self, story_ids: Sequence[int]) -> list[dict[str, Any]]:
        """(story_id, feed_id, country), once each, of the places named by these stories'
        articles (monitor.entities.countries decides which are the story's)."""
        rows: list[dict[str, Any]] = []
        ids = list(dict.fromkeys(int(i) for i in story_ids))
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows += self.query(
                "SELECT DISTINCT a.story_id, a.feed_id, p.country FROM articles a "
                "JOIN article_places p ON p.article_id = a.id "
                f"WHERE a.story_id IN ({','.join('?' * len(chunk))})",
                chunk,
            )
        return rows

    # --- each story's countries, kept (story_countries; monitor.entities.storycountries) ---

    def story_countries_pending(self, limit: int) -> list[tuple[int, int]]:
        """(story id, version) of the stories whose kept countries are out of date, by id."""
        rows = self.query(
            f"SELECT id, countries_dirty FROM stories {self._indexed_by('stories_countries_dirty')} "
            "WHERE countries_dirty > 0 ORDER BY id LIMIT ?",
            [limit],
        )
        return [(int(r["id"]), int(r["countries_dirty"])) for r in rows]

    def story_countries_write(self, found: Sequence[tuple[int, int, Sequence[str]]]) -> int:
        """Each story's countries (in order) as of its `version`: kept, and the story up to
        date, unless it changed since (its version moved on: left for the next round); in one
        transaction. Returns how many were kept."""
        kept = 0
        with self.transaction():
            for story_id, version, countries in found:
                cursor = self.db.execute(
                    "UPDATE stories SET countries_dirty = 0 WHERE id = ? AND countries_dirty = ?",
                    [story_id, version],
                )
                if cursor.rowcount != 1:
                    continue
                self.db.execute("DELETE FROM story_countries WHERE story_id = ?", [story_id])
                self.db.executemany(
                    "INSERT INTO story_countries (story_id, country, rank) VALUES (?, ?, ?)",
                    [(story_id, country, rank) for rank, country in enumerate(countries)],
                )
                kept += 1
        return kept

    def story_countries_kept(self, story_ids: Sequence[int]) -> tuple[dict[int, list[str]], list[int]]:
        """The kept countries of these stories, in order ({id: [...]}, a story with none
        absent), and the ids among them whose kept countries are out of date (to be read from
        their articles: `story_country_rows`)."""
        kept: dict[int, list[str]] = {}
        stale: list[int] = []
        ids = list(dict.fromkeys(int(i) for i in story_ids))
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self.query(
                "SELECT s.id, s.countries_dirty, c.country FROM stories s "
                "LEFT JOIN story_countries c ON c.story_id = s.id "
                f"WHERE s.id IN ({','.join('?' * len(chunk))}) ORDER BY s.id, c.rank",
                chunk,
            )
            for row in rows:
                story_id = int(row["id"])
                if row["countries_dirty"]:
                    if not stale or stale[-1] != story_id:
                        stale.append(story_id)
                elif row["country"] is not None:
                    kept.setdefault(story_id, []).append(str(row["country"]))
        return kept, stale

    def window_story_countries(self, start: str, end: str) -> list[dict[str, Any]]:
        """(story_id, last, dirty, country) of every live story with an article published in
        [start, end): `last` its latest publication in that window, one row per kept country
        (country None: none kept), `dirty` > 0 when they are out of date."""
        return self.query(
            "WITH active AS (SELECT story_id, MAX(published) AS last FROM articles "
            "WHERE published >= ? AND published < ? AND story_id IS NOT NULL GROUP BY story_id) "
            "SELECT active.story_id, active.last, s.countries_dirty AS dirty, c.country FROM active "
            "JOIN stories s ON s.id = active.story_id AND s.merged_into IS NULL "
            "LEFT JOIN story_countries c ON c.story_id = active.story_id",
            [start, end],
        )
