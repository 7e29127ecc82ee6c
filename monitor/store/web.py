"""The read-only queries of the web pages and JSON API."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from monitor.store.core import _HEADLINE_ID_SQL, _OUTLETS_SQL, Core, _json_list, json_object
from monitor.timeutil import iso, parse_iso


@dataclass(frozen=True)
class DaySplit:
    """A window [start, end) as the store counts it: the whole UTC days [first_day, end_day)
    from daily counts, and the pieces before and after them story by story."""

    first_day: date | None  # None: no whole day inside
    end_day: date | None
    pieces: tuple[tuple[datetime, datetime], ...]


def split_days(start: datetime, end: datetime) -> DaySplit:
    """Cut [start, end) (aware times) into whole UTC days and the partial pieces at its ends."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return DaySplit(None, None, ())
    first = start.date() if start == _midnight(start.date()) else start.date() + timedelta(days=1)
    last = end.date()  # days before this one end at or before `end`
    if first >= last:
        return DaySplit(None, None, ((start, end),))
    pieces = []
    if start < _midnight(first):
        pieces.append((start, _midnight(first)))
    if _midnight(last) < end:
        pieces.append((_midnight(last), end))
    return DaySplit(first, last, tuple(pieces))


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


class WebQueries(Core):
    """The read-only queries of the web pages and JSON API."""

    def web_story_ids(
        self,
        start: str,
        end: str,
        *,
        language: str | None = None,
        tag: str | None = None,
        feed_id: int | None = None,
        query: str | None = None,
        country: str | None = None,
    ) -> list[dict[str, Any]]:
        """Stories with articles published in [start, end), with that window's coverage
        (monitor.stories.ranking puts them in order; here: outlets, then languages, then
        articles, then the latest article).

        With `country`, only the stories it is kept for, and those out of date with an article
        naming a place in it: the candidates (monitor.entities.countries decides whether the
        country is the story's).

        Each row: story_id, day_articles, day_outlets, day_languages, day_last.
        """
        filters = []
        params: list[Any] = []
        if language:
            filters.append("EXISTS (SELECT 1 FROM articles b WHERE b.story_id = h.sid AND b.language = ?)")
            params.append(language)
        if tag:
            filters.append(
                "EXISTS (SELECT 1 FROM articles b JOIN feeds f ON f.id = b.feed_id, "
                f"{self._json_values_sql('f.tags', 't')} WHERE b.story_id = h.sid AND t.value = ?)"
            )
            params.append(tag)
        if feed_id is not None:
            filters.append("EXISTS (SELECT 1 FROM articles b WHERE b.story_id = h.sid AND b.feed_id = ?)")
            params.append(feed_id)
        # The country's stories first: those it is kept for (by index), and those out of date
        # with an article naming a place there; the window after.
        in_country = (
            "AND a.story_id IN (SELECT story_id FROM story_countries WHERE country = ? UNION "
            f"SELECT b.story_id FROM stories d {self._indexed_by('stories_countries_dirty')} "
            "JOIN articles b ON b.story_id = d.id JOIN article_places p ON p.article_id = b.id "
            "WHERE d.countries_dirty > 0 AND p.country = ?) "
            if country
            else ""
        )
        params = [*([country, country] if country else []), *params]
        sql_head = "WITH matched AS ({matched}) " if query else ""
        if query:
            filters.append("h.sid IN (SELECT story_id FROM matched)")
        sql = (
            sql_head
            + "SELECT h.sid AS story_id, h.day_articles, h.day_outlets, h.day_languages, h.day_last FROM ("
            "SELECT a.story_id AS sid, COUNT(*) AS day_articles, " + _OUTLETS_SQL + " AS day_outlets, "
            "COUNT(DISTINCT a.language) AS day_languages, MAX(a.published) AS day_last "
            "FROM articles a JOIN stories s ON s.id = a.story_id JOIN feeds f ON f.id = a.feed_id "
            "WHERE s.merged_into IS NULL AND a.published >= ? AND a.published < ? "
            + in_country
            + "GROUP BY a.story_id) h "
            + ("WHERE " + " AND ".join(filters) + " " if filters else "")
            + "ORDER BY h.day_outlets DESC, h.day_languages DESC, h.day_articles DESC, h.day_last DESC, "
            "h.sid DESC"
        )
        if not query:
            return self.query(sql, [start, end, *params])
        matched = (
            f"SELECT a2.story_id FROM articles a2 WHERE a2.id IN ({self._fts_ids_sql()}) "
            "AND a2.story_id IS NOT NULL"
        )
        return self._fts(sql.format(matched=matched), [], query, [start, end, *params])

    def web_stories(self, story_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Whole-story figures for these stories: counts over all their articles, their
        languages, the headline, and the first report (earliest published article)."""
        if not story_ids:
            return {}
        marks = ",".join("?" * len(story_ids))
        rows = self.query(
            "SELECT s.id, s.first_seen, s.last_seen, s.headline_article_id, s.merged_into, s.updated_at, "
            "s.entities, s.model, s.thread_id, s.breaking_at, s.breaking_why, COUNT(a.id) AS n_articles, "
            + _OUTLETS_SQL
            + " AS n_outlets, "
            f"{self._distinct_json_sql('a.language')} AS languages, MIN(a.published) AS first_published, "
            "MAX(a.published) AS last_published "
            "FROM stories s LEFT JOIN articles a ON a.story_id = s.id LEFT JOIN feeds f ON f.id = a.feed_id "
            f"WHERE s.id IN ({marks}) GROUP BY s.id",
            list(story_ids),
        )
        stories = {r["id"]: r for r in rows}
        for row in stories.values():
            row["languages"] = sorted(x for x in json.loads(row["languages"] or "[]") if x)
            row["entities"] = _json_list(row["entities"])
            row["breaking_why"] = json_object(row.get("breaking_why"))
        firsts = self.query(
            "SELECT a.story_id, a.id, a.title, a.url, a.language, a.published, f.id AS feed_id, "
            "COALESCE(f.name, f.title, f.url) AS outlet FROM articles a JOIN feeds f ON f.id = a.feed_id "
            f"WHERE a.story_id IN ({marks}) AND a.id = (SELECT b.id FROM articles b "
            "WHERE b.story_id = a.story_id ORDER BY b.published, b.id LIMIT 1)",
            list(story_ids),
        )
        for earliest in firsts:
            stories[earliest["story_id"]]["first"] = earliest
        headline_ids = [r["headline_article_id"] for r in stories.values() if r["headline_article_id"]]
        headlines: dict[int, dict[str, Any]] = {}
        if headline_ids:
            headlines = {
                h["id"]: h
                for h in self.query(
                    "SELECT id, title, url, language FROM articles "
                    f"WHERE id IN ({','.join('?' * len(headline_ids))})",
                    headline_ids,
                )
            }
        for row in stories.values():
            first: dict[str, Any] | None = row.get("first")
            headline = headlines.get(row["headline_article_id"] or -1) or first
            row["headline"] = headline["title"] if headline else ""
            row["headline_language"] = headline["language"] if headline else None
            row.setdefault("first", None)
        return stories

    def web_breaking(self, start: str, end: str, limit: int) -> list[dict[str, Any]]:
        """Live stories flagged breaking in [start, end), the latest flag first: id,
        breaking_at, breaking_why (a dict, {} when unreadable)."""
        rows = self.query(
            "SELECT id, breaking_at, breaking_why FROM stories WHERE merged_into IS NULL "
            "AND breaking_at >= ? AND breaking_at < ? ORDER BY breaking_at DESC, id DESC LIMIT ?",
            [start, end, limit],
        )
        for row in rows:
            row["breaking_why"] = json_object(row["breaking_why"])
        return rows

    def web_story_name_counts(
        self, since: str, recent: str, end: str
    ) -> tuple[dict[str, int], dict[str, int], int, int]:
        """Of the live stories first reported in [since, end): per recognised name (the key of
        article_names), how many stories of [recent, end) and of [since, recent) name it (one of
        their articles does), and how many stories each holds
        (monitor.watches.rising.NameCounts)."""
        return self.web_story_term_counts("name", since, recent, end)

    def web_country_story_terms(
        self, country: str, kind: str, since: str, recent: str, end: str
    ) -> list[dict[str, Any]]:
        """The live stories first reported in [since, end) with an article naming a place in
        `country` (the candidates of the stories about it), each with its terms of `kind`
        ('name', 'place'): rows (story_id, recent: 1 when first reported in [recent, end),
        term: None for a story with no term of the kind)."""
        return self.query(
            "SELECT c.story_id, CASE WHEN c.first_seen >= ? THEN 1 ELSE 0 END AS recent, t.term "
            "FROM story_terms c JOIN stories s ON s.id = c.story_id AND s.merged_into IS NULL "
            "LEFT JOIN story_terms t ON t.story_id = c.story_id AND t.kind = ? "
            "WHERE c.kind = 'country' AND c.term = ? AND c.first_seen >= ? AND c.first_seen < ? "
            "ORDER BY c.story_id, t.term",
            [recent, kind, country, since, end],
        )

    def web_story_term_counts(
        self, kind: str, since: str, recent: str, end: str
    ) -> tuple[dict[str, int], dict[str, int], int, int]:
        """As web_story_name_counts, for the terms of `kind` ('name', 'country', 'place'):
        whole UTC days are read from the daily counts the triggers keep (term_days), the
        pieces at the ends of each window story by story (story_terms), so that a request
        reads a few thousand rows, not every story of 16 days."""
        recent_counts = self._term_counts(kind, recent, end)
        before_counts = self._term_counts(kind, since, recent)
        totals = self.db.execute(
            "SELECT SUM(CASE WHEN s.first_seen >= ? THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN s.first_seen < ? THEN 1 ELSE 0 END) FROM stories s "
            "WHERE s.merged_into IS NULL AND s.first_seen >= ? AND s.first_seen < ?",
            [recent, recent, since, end],
        ).fetchone()
        return recent_counts, before_counts, int(totals[0] or 0), int(totals[1] or 0)

    def _term_counts(self, kind: str, start: str, end: str) -> dict[str, int]:
        first, last = parse_iso(start), parse_iso(end)
        if first is None or last is None:
            return {}
        split = split_days(first, last)
        counts: dict[str, int] = {}
        if split.first_day is not None and split.end_day is not None:
            for term, n in self.db.execute(
                "SELECT term, SUM(stories) FROM term_days WHERE kind = ? AND day >= ? AND day < ? "
                "GROUP BY term",
                [kind, split.first_day.isoformat(), split.end_day.isoformat()],
            ).fetchall():
                counts[str(term)] = int(n)
        for a, b in split.pieces:
            for term, n in self.db.execute(
                "SELECT term, COUNT(*) FROM story_terms WHERE kind = ? AND first_seen >= ? "
                "AND first_seen < ? GROUP BY term",
                [kind, iso(a), iso(b)],
            ).fetchall():
                counts[str(term)] = counts.get(str(term), 0) + int(n)
        return {term: n for term, n in counts.items() if n > 0}

    def web_thread(self, thread_id: int) -> list[dict[str, Any]]:
        """The live stories of a thread, oldest first: their figures and headline title."""
        rows = self.query(
            "SELECT s.id, s.first_seen, s.last_seen, s.n_articles, s.n_outlets, s.languages, "
            "h.title AS headline, h.language AS headline_language FROM stories s "
            f"LEFT JOIN articles h ON h.id = {_HEADLINE_ID_SQL} "
            "WHERE s.thread_id = ? AND s.merged_into IS NULL ORDER BY s.first_seen, s.id",
            [thread_id],
        )
        for row in rows:
            row["languages"] = [x for x in _json_list(row["languages"]) if isinstance(x, str)]
        return rows

    def web_threads(self, start: str, end: str, limit: int) -> list[dict[str, Any]]:
        """Threads with a story active in [start, end), the most recently active first:
        (thread_id, stories, articles, first_seen, last_seen)."""
        return self.query(
            "SELECT thread_id, COUNT(*) AS stories, SUM(n_articles) AS articles, "
            "MIN(first_seen) AS first_seen, MAX(last_seen) AS last_seen FROM stories "
            "WHERE thread_id IS NOT NULL AND merged_into IS NULL GROUP BY thread_id "
            "HAVING MAX(last_seen) >= ? AND MIN(first_seen) < ? "
            "ORDER BY MAX(last_seen) DESC, thread_id DESC LIMIT ?",
            [start, end, limit],
        )

    def web_story(self, story_id: int) -> dict[str, Any] | None:
        """One story row (even one merged into another), or None."""
        rows = self.query("SELECT id, merged_into FROM stories WHERE id = ?", [story_id])
        return rows[0] if rows else None

    def web_story_articles(self, story_id: int) -> list[dict[str, Any]]:
        """A story's articles with their outlet, oldest first; the columns that say why an
        article joined (named story_*) come along when the stories stage stores them."""
        extra = sorted(c for c in self.web_columns("articles") if c.startswith("story_") and c != "story_id")
        extra_sql = "".join(f', a."{c}"' for c in extra)
        return self.query(
            "SELECT a.id, a.title, a.url, a.link, a.language, a.published, a.published_estimated, "
            "a.first_seen, a.duplicate_of, a.author, substr(a.text, 1, 400) AS summary, a.text_source, "
            f"f.id AS feed_id, COALESCE(f.name, f.title, f.url) AS outlet, f.url AS feed_url{extra_sql} "
            "FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE a.story_id = ? "
            "ORDER BY a.published, a.id",
            [story_id],
        )

    def web_published_times(
        self, story_ids: Sequence[int] | None, start: str, end: str
    ) -> list[dict[str, Any]]:
        """(story_id, published) of these stories' articles in [start, end) (None: of every
        story), for the ranking and sparklines."""
        if story_ids is None:
            return self.query(
                "SELECT story_id, published FROM articles WHERE story_id IS NOT NULL "
                "AND published >= ? AND published < ?",
                [start, end],
            )
        if not story_ids:
            return []
        marks = ",".join("?" * len(story_ids))
        return self.query(
            f"SELECT story_id, published FROM articles WHERE story_id IN ({marks}) "
            "AND published >= ? AND published < ?",
            [*story_ids, start, end],
        )
