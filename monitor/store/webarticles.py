"""The read-only queries of the web pages and JSON API about articles, search, feeds and
totals (the stories and threads are in `web.py`)."""

from __future__ import annotations

from typing import Any

from monitor.store.core import Core

# The article `a` names a place in the country given as the parameter.
_NAMES_PLACE_IN = "EXISTS (SELECT 1 FROM article_places p WHERE p.article_id = a.id AND p.country = ?)"


class WebArticles(Core):
    """The web's articles, search results, feed health, facets and totals."""

    def web_articles(
        self,
        *,
        start: str | None = None,
        end: str | None = None,
        language: str | None = None,
        tag: str | None = None,
        feed_id: int | None = None,
        story_id: int | None = None,
        query: str | None = None,
        country: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[dict[str, Any]], int]:
        """Articles, newest first, with filters (`country`: naming a place in it); returns
        (one page, total)."""
        where = []
        params: list[Any] = []
        if start:
            where.append("a.published >= ?")
            params.append(start)
        if end:
            where.append("a.published < ?")
            params.append(end)
        if language:
            where.append("a.language = ?")
            params.append(language)
        if tag:
            where.append(f"EXISTS (SELECT 1 FROM {self._json_values_sql('f.tags', 't')} WHERE t.value = ?)")
            params.append(tag)
        if feed_id is not None:
            where.append("a.feed_id = ?")
            params.append(feed_id)
        if story_id is not None:
            where.append("a.story_id = ?")
            params.append(story_id)
        if country:
            where.append(_NAMES_PLACE_IN)
            params.append(country)
        if query:
            where.append(f"a.id IN ({self._fts_ids_sql()})")
        clause = ("WHERE " + " AND ".join(where)) if where else ""
        base = f"FROM articles a JOIN feeds f ON f.id = a.feed_id {clause}"
        page_sql = (
            "SELECT a.id, a.title, a.url, a.language, a.published, a.published_estimated, a.first_seen, "
            "a.story_id, a.duplicate_of, f.id AS feed_id, COALESCE(f.name, f.title, f.url) AS outlet "
            f"{base} ORDER BY a.published DESC, a.id DESC LIMIT ? OFFSET ?"
        )
        count_sql = f"SELECT COUNT(*) AS n {base}"
        if query:
            # The MATCH parameter comes last in `where`, before LIMIT and OFFSET.
            rows = self._fts(page_sql, params, query, [limit, offset])
            total = self._fts(count_sql, params, query, [])
        else:
            rows = self.query(page_sql, [*params, limit, offset])
            total = self.query(count_sql, params)
        return rows, int(total[0]["n"]) if total else 0

    def web_search(
        self,
        query: str,
        *,
        start: str | None = None,
        end: str | None = None,
        country: str | None = None,
        limit: int = 1000,
    ) -> list[dict[str, Any]]:
        """Articles matching an FTS5 query (published in [start, end) when given, naming a
        place in `country` when given), best match first, at most `limit`; the matched words of
        the title and of a snippet of the text are marked with \x02 before and \x03 after (the
        page turns the marks into <mark>)."""
        where = ""
        params: list[Any] = []
        if start:
            where += " AND a.published >= ?"
            params.append(start)
        if end:
            where += " AND a.published < ?"
            params.append(end)
        if country:
            where += " AND " + _NAMES_PLACE_IN
            params.append(country)
        source, match, rank = self._fts_source()
        title_marked, text_marked = self._fts_marks_sql()
        sql = (
            "SELECT a.id, a.story_id, a.title, a.url, a.link, a.language, a.published, a.duplicate_of, "
            f"COALESCE(f.name, f.title, f.url) AS outlet, {title_marked} AS title_marked, "
            f"{text_marked} AS snippet FROM {source} JOIN feeds f ON f.id = a.feed_id "
            f"WHERE {match}{where} ORDER BY {rank}, a.id LIMIT ?"
        )
        return self._fts(sql, [], query, [*params, limit])

    def web_feeds(self, since: str) -> list[dict[str, Any]]:
        """Each feed's health, and its articles first seen since `since`."""
        return self.query(
            "SELECT f.id, f.url, f.name, f.title, f.language, f.tags, f.active, f.gone, f.last_polled, "
            "f.last_success, f.last_status, f.last_http_status, f.error_count, f.last_error, "
            "f.last_error_step, f.last_error_at, f.next_due, "
            "(SELECT COUNT(*) FROM articles a WHERE a.feed_id = f.id) AS articles, "
            "(SELECT COUNT(*) FROM articles a WHERE a.feed_id = f.id AND a.first_seen >= ?) AS recent "
            "FROM feeds f ORDER BY f.active DESC, f.error_count DESC, COALESCE(f.name, f.url)",
            [since],
        )

    def web_feed_days(self, since: str) -> list[dict[str, Any]]:
        """(feed_id, day, n): articles first seen per feed and UTC day since `since`."""
        return self.query(
            f"SELECT feed_id, {self._day_sql('first_seen')} AS day, COUNT(*) AS n FROM articles "
            f"WHERE first_seen >= ? GROUP BY feed_id, {self._day_sql('first_seen')}",
            [since],
        )

    def web_facets(self) -> dict[str, list[Any]]:
        """What the filters can offer: languages, tags, feeds."""
        languages = [
            r["language"]
            for r in self.query(
                "SELECT language, COUNT(*) AS n FROM articles WHERE language IS NOT NULL "
                "GROUP BY language ORDER BY n DESC, language"
            )
        ]
        tags = [
            r["value"]
            for r in self.query(
                f"SELECT DISTINCT t.value FROM feeds f, {self._json_values_sql('f.tags', 't')} "
                "WHERE f.active = 1 ORDER BY t.value"
            )
        ]
        feeds = self.query("SELECT id, COALESCE(name, title, url) AS name FROM feeds ORDER BY name")
        return {"languages": languages, "tags": tags, "feeds": feeds}

    def web_latest_published(
        self,
        before: str | None = None,
        *,
        language: str | None = None,
        tag: str | None = None,
        feed_id: int | None = None,
    ) -> str | None:
        """The newest publication time of an article in a story (before `before`; of a
        story with an article in `language`, of a feed with `tag`, of `feed_id`): where an
        empty view points, or what the default view leads with."""
        where = ["a.story_id IS NOT NULL"]
        params: list[Any] = []
        if before:
            where.append("a.published < ?")
            params.append(before)
        if language:
            where.append("EXISTS (SELECT 1 FROM articles b WHERE b.story_id = a.story_id AND b.language = ?)")
            params.append(language)
        if tag:
            where.append(
                f"EXISTS (SELECT 1 FROM feeds f, {self._json_values_sql('f.tags', 't')} "
                "WHERE f.id = a.feed_id AND t.value = ?)"
            )
            params.append(tag)
        if feed_id is not None:
            where.append("a.feed_id = ?")
            params.append(feed_id)
        rows = self.query(f"SELECT MAX(a.published) AS p FROM articles a WHERE {' AND '.join(where)}", params)
        return rows[0]["p"] if rows else None

    def web_totals(self) -> dict[str, Any]:
        """Figures for /metrics and /healthz: counts, polls by outcome, digests by state."""
        totals: dict[str, Any] = {
            "feeds": self.count("feeds"),
            "articles": self.count("articles"),
            "stories": int(
                self.db.execute("SELECT COUNT(*) FROM stories WHERE merged_into IS NULL").fetchone()[0]
            ),
            "polls": {
                r["outcome"]: r["n"]
                for r in self.query("SELECT outcome, COUNT(*) AS n FROM fetch_log GROUP BY outcome")
            },
            "poll_ms_sum": self.query("SELECT COALESCE(SUM(duration_ms), 0) AS s FROM fetch_log")[0]["s"],
            "digests": {},
        }
        if self.web_has_table("digests"):
            columns = self.web_columns("digests")
            state = next((c for c in ("state", "status") if c in columns), None)
            if state:
                totals["digests"] = {
                    str(r["k"]): r["n"]
                    for r in self.query(f'SELECT "{state}" AS k, COUNT(*) AS n FROM digests GROUP BY 1')
                }
        return totals
