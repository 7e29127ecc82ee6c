"""Articles: storing a poll's entries once, the export, and full-text search."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from monitor.ingest.parse import Entry
from monitor.store.core import _OUTLETS_SQL, _json_list
from monitor.store.names import Names
from monitor.store.snippets import snippet
from monitor.store.tsquery import only_not, raw_text, search_tree
from monitor.store.types import ArticleCounts, PageWrite
from monitor.stories.exact import exact_action
from monitor.timeutil import iso
from monitor.watches.query import Document, evaluate, positive_terms

# Scripts written without spaces between words (Han, Kana, Hangul syllables are spaced but
# often searched by part, Thai, Lao, Khmer, Myanmar).
_UNSPACED_SCRIPT = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff]"
)


_SUBSTRING_PAGE = 500  # candidates read at once by the substring search


def _balanced_or(conditions: list[str]) -> str:
    """SQL conditions ORed as a balanced tree (nesting log2(n) deep, not n)."""
    if len(conditions) == 1:
        return conditions[0]
    middle = len(conditions) // 2
    return f"({_balanced_or(conditions[:middle])} OR {_balanced_or(conditions[middle:])})"


def _marks(values: Sequence[Any]) -> str:
    return ",".join("?" * len(values))


class Articles(Names):
    """Articles: storing a poll's entries once, the export, and full-text search."""

    def _store_entries(self, feed_id: int, entries: Sequence[Entry], seen_at: datetime) -> ArticleCounts:
        # A few statements per poll, not a few per entry: on a server (PostgreSQL) each
        # statement is a round trip.
        counts: Counter[str] = Counter()
        stored: dict[str, tuple[int, str]] = {}  # guid -> (id, content hash)
        guids = [entry.guid for entry in entries]
        for start in range(0, len(guids), 500):
            chunk = guids[start : start + 500]
            for row in self.db.execute(
                "SELECT id, guid, content_hash FROM articles "
                f"WHERE feed_id = ? AND guid IN ({_marks(chunk)})",
                [feed_id, *chunk],
            ):
                stored[str(row[1])] = (int(row[0]), str(row[2]))
        urls = sorted({e.url for e in entries if e.url is not None and e.guid not in stored})
        elsewhere: set[str] = set()  # URLs another feed already has (or a page named canonical)
        for start in range(0, len(urls), 500):
            chunk = urls[start : start + 500]
            for column in ("url", "canonical_url"):
                elsewhere.update(
                    str(row[0])
                    for row in self.db.execute(
                        f"SELECT DISTINCT {column} FROM articles "
                        f"WHERE {column} IN ({_marks(chunk)}) AND feed_id != ?",
                        [*chunk, feed_id],
                    )
                )
        updates: list[list[Any]] = []
        inserts: list[list[Any]] = []
        seen = iso(seen_at)
        for entry in entries:
            row = stored.get(entry.guid)
            seen_elsewhere = row is None and entry.url is not None and entry.url in elsewhere
            action = exact_action(row[1] if row else None, seen_elsewhere, entry.content_hash)
            counts[action] += 1
            if action == "update" and row is not None:
                updates.append(
                    [entry.title, entry.text, entry.html, entry.url, entry.link, entry.content_hash,
                     seen, row[0]]
                )  # fmt: skip
            elif action == "insert":
                inserts.append(
                    [feed_id, entry.guid, entry.url, entry.link, entry.title, entry.text, entry.html,
                     entry.author, entry.language, entry.language_source, iso(entry.published),
                     int(entry.published_estimated), seen, entry.content_hash,
                     "pending" if entry.wants_page else None]
                )  # fmt: skip
        # Same article, new content: updated in place; its vector is stale. A text read from
        # the article's page stays (the feed's edit is to its teaser).
        self.db.executemany(
            "UPDATE articles SET title = ?, text = CASE WHEN text_source = 'page' THEN text ELSE ? END, "
            "html = ?, url = ?, link = ?, "
            "content_hash = ?, updated_at = ?, embedding = NULL, embedding_model = NULL, "
            "minhash = NULL WHERE id = ?",
            updates,
        )
        self.db.executemany(
            "INSERT INTO articles (feed_id, guid, url, link, title, text, html, author, "
            "language, language_source, published, published_estimated, first_seen, "
            "content_hash, page_state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            inserts,
        )
        # A new article waits for its names (monitor.entities.stage).
        new_guids = [row[1] for row in inserts]
        for start in range(0, len(new_guids), 500):
            chunk = new_guids[start : start + 500]
            self.db.execute(
                "INSERT INTO names_pending (article_id) SELECT id FROM articles "
                f"WHERE feed_id = ? AND guid IN ({_marks(chunk)}) ON CONFLICT DO NOTHING",
                [feed_id, *chunk],
            )
        return ArticleCounts(new=counts["insert"], updated=counts["update"], unchanged=counts["unchanged"])

    def pages_pending(self, feed_id: int, limit: int, now: datetime | None = None) -> list[dict[str, Any]]:
        """Articles of a feed whose page waits to be read, newest first: id, link, url, text,
        page_attempts (tries so far); with `now`, also those whose host asked to wait (Retry-After)
        until then or earlier."""
        columns = "SELECT id, link, url, text, page_attempts, published FROM articles WHERE feed_id = ? "
        sql = columns + "AND page_state = 'pending'"
        params: list[object] = [feed_id]
        if now is not None:
            sql += " UNION ALL " + columns + "AND page_state = 'waiting' AND page_retry_at <= ?"
            params += [feed_id, iso(now)]
        return self.query(sql + " ORDER BY published DESC, id DESC LIMIT ?", [*params, limit])

    def pages_waiting_feeds(self, now: datetime) -> set[int]:
        """The feeds with a page whose host's Retry-After time has passed by `now`."""
        rows = self.db.execute(
            "SELECT DISTINCT feed_id FROM articles WHERE page_state = 'waiting' AND page_retry_at <= ?",
            [iso(now)],
        ).fetchall()
        return {int(row[0]) for row in rows}

    def pages_skip(self, feed_id: int, reason: str, *, waiting: bool = False) -> int:
        """Every page of a feed still pending is not read (past the poll's budget); with
        `waiting`, those waiting for their host's Retry-After neither (the feed now says
        `full_text: never`)."""
        states = "('pending', 'waiting')" if waiting else "('pending')"
        with self.transaction():
            cursor = self.db.execute(
                "UPDATE articles SET page_state = 'skipped', page_error = ?, page_retry_at = NULL "
                f"WHERE feed_id = ? AND page_state IN {states}",
                [reason, feed_id],
            )
        return int(cursor.rowcount)

    def record_pages(self, results: Sequence[PageWrite]) -> None:
        """Each article's page outcome in one transaction: the page's text (text_source
        'page', the language detected on it, its canonical URL), or the error, the feed's
        text staying, and the page either given up ('failed') or to be read again at its
        `retry_at` ('waiting'). Each counts one more try of the page."""
        read = [r for r in results if r.text is not None]
        later = [r for r in results if r.text is None and r.retry_at is not None]
        failed = [r for r in results if r.text is None and r.retry_at is None]
        with self.transaction():
            self.db.executemany(
                "UPDATE articles SET text = ?, text_source = 'page', page_state = 'done', page_error = NULL, "
                "language = COALESCE(?, language), language_source = COALESCE(?, language_source), "
                "canonical_url = ?, minhash = NULL, page_retry_at = NULL, "
                "page_attempts = page_attempts + 1 WHERE id = ?",
                [
                    [r.text, r.language, "detected" if r.language else None, r.canonical_url, r.article_id]
                    for r in read
                ],
            )
            self.db.executemany(
                "UPDATE articles SET page_state = 'waiting', page_error = ?, page_retry_at = ?, "
                "page_attempts = page_attempts + 1, canonical_url = COALESCE(?, canonical_url) WHERE id = ?",
                [[(r.error or "")[:500], iso(r.retry_at), r.canonical_url, r.article_id] for r in later],
            )
            self.db.executemany(
                "UPDATE articles SET page_state = 'failed', page_error = ?, page_retry_at = NULL, "
                "page_attempts = page_attempts + 1, canonical_url = COALESCE(?, canonical_url) WHERE id = ?",
                [[(r.error or "")[:500], r.canonical_url, r.article_id] for r in failed],
            )

    def page_failures(self) -> dict[str, int]:
        """Pages that could not be read (the feed's text kept), per feed URL."""
        rows = self.db.execute(
            "SELECT f.url, COUNT(*) FROM articles a JOIN feeds f ON f.id = a.feed_id "
            "WHERE a.page_state = 'failed' GROUP BY f.url"
        ).fetchall()
        return {str(row[0]): int(row[1]) for row in rows}

    EXPORT_COLUMNS: tuple[str, ...] = (
        "id",
        "feed_url",
        "feed_name",
        "url",
        "guid",
        "title",
        "language",
        "published",
        "published_estimated",
        "first_seen",
        "updated_at",
        "story_id",
        "duplicate_of",
        "content_hash",
        "thread_id",
        "text",
        "names",  # the people and organisations it names, fullest spelling, most mentioned first
        "watches",  # the watches it matched, by name
        "text_source",
        "places",  # [{geonameid, name, country}]: the places it names, first mention first
    )
    _EXPORT_BATCH = 500

    def export_articles(self, since: datetime | None = None) -> Iterator[dict[str, Any]]:
        """One record per article, oldest first (the `monitor export` interface)."""
        sql = (
            "SELECT a.id, f.url AS feed_url, f.name AS feed_name, a.url, a.guid, a.title, "
            "a.language, a.published, a.published_estimated, a.first_seen, a.updated_at, "
            "a.story_id, a.duplicate_of, a.content_hash, s.thread_id, a.text, a.text_source, a.places "
            "FROM articles a JOIN feeds f ON f.id = a.feed_id LEFT JOIN stories s ON s.id = a.story_id "
        )
        params: list[Any] = []
        if since is not None:
            sql += "WHERE a.published >= ? "
            params.append(iso(since))
        sql += "ORDER BY a.published, a.id"
        batch: list[dict[str, Any]] = []
        for row in self.stream(sql, params):
            row["published_estimated"] = bool(row["published_estimated"])
            # [{geonameid, name, country}]; empty until the places stage has read the article
            row["places"] = json.loads(row["places"]) if row["places"] else []
            batch.append(row)
            if len(batch) >= self._EXPORT_BATCH:
                yield from self._with_names(batch)
                batch = []
        yield from self._with_names(batch)

    def _with_names(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = [int(row["id"]) for row in rows]
        names = self.article_names(ids) if ids else {}
        watches = self.article_watches(ids) if ids else {}
        for row in rows:
            row["names"] = [n["name"] for n in names.get(int(row["id"]), [])]
            row["watches"] = watches.get(int(row["id"]), [])
        return rows

    def export_stories(self, since: datetime | None = None) -> Iterator[dict[str, Any]]:
        """One record per live story, by first report (`monitor export --stories`): id,
        thread_id, first and last publication, articles, outlets (originals'), languages (a
        sorted list) and breaking_at (None unless flagged). `since`: stories with an article
        published then or later."""
        sql = (
            "SELECT s.id, s.thread_id, MIN(a.published) AS first_published, "
            "MAX(a.published) AS last_published, COUNT(a.id) AS articles, "
            f"{_OUTLETS_SQL} AS outlets, {self._distinct_json_sql('a.language')} AS languages, "
            "s.breaking_at FROM stories s JOIN articles a ON a.story_id = s.id "
            "JOIN feeds f ON f.id = a.feed_id WHERE s.merged_into IS NULL GROUP BY s.id "
        )
        params: list[Any] = []
        if since is not None:
            sql += "HAVING MAX(a.published) >= ? "
            params.append(iso(since))
        sql += "ORDER BY MIN(a.published), s.id"
        for row in self.stream(sql, params):
            row["languages"] = sorted(x for x in _json_list(row["languages"]) if x)
            row["outlets"] = max(1, int(row["outlets"] or 0))
            yield row

    def search(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        """Full-text search over titles and text, best match first."""
        # Snippets are built in Python (snippets.py): FTS5's snippet() takes minutes on a
        # query that repeats a common word a few hundred times.
        sql = (
            "SELECT a.id, a.title, a.url, a.language, a.published, f.name AS feed_name, "
            f"f.url AS feed_url, a.text AS snippet FROM ({self._fts_best_sql()}) best "
            "JOIN articles a ON a.id = best.id JOIN feeds f ON f.id = a.feed_id ORDER BY best.score, a.id"
        )
        found = self._fts(sql, [], query, [limit])
        for row in found:
            row["snippet"] = snippet(row["snippet"] or "", query)
        if found or not _UNSPACED_SCRIPT.search(query):
            return found
        return self._search_substring(query, limit)

    def _search_substring(self, query: str, limit: int) -> list[dict[str, Any]]:
        """Chinese, Japanese, Thai… write words without spaces, so FTS5's tokenizer sees a
        whole run of text as one token: the articles holding one of the query's unspaced
        words as a substring are read, newest first, and the whole query is matched on them
        as a watch's is (monitor.watches.query), until `limit` are found."""
        if only_not(query):
            return []
        tree = search_tree(query) or search_tree(" ".join(f'"{w}"' for w in query.replace('"', " ").split()))
        if tree is None:
            return []
        unspaced = [raw_text(t) for t in positive_terms(tree) if _UNSPACED_SCRIPT.search(raw_text(t))]
        needles = sorted({max(text.split(), key=len) for text in unspaced})
        if not needles:
            return []
        # One LIKE per needle, ORed as a balanced tree: SQLite's parser nests `x OR y OR …`
        # one level per OR, and refuses 1,000 levels.
        where = _balanced_or(["(a.title LIKE ? ESCAPE '\\' OR a.text LIKE ? ESCAPE '\\')"] * len(needles))
        params: list[Any] = []
        for needle in needles:
            pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            params += [pattern, pattern]
        found: list[dict[str, Any]] = []
        offset = 0
        while len(found) < limit:
            page = self.query(
                "SELECT a.id, a.title, a.url, a.language, a.published, f.name AS feed_name, "
                "f.url AS feed_url, a.text AS snippet "
                f"FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE {where} "
                "ORDER BY a.published DESC, a.id DESC LIMIT ? OFFSET ?",
                [*params, _SUBSTRING_PAGE, offset],
            )
            for row in page:
                if evaluate(tree, Document(row["title"], row["snippet"]))[0]:
                    row["snippet"] = (row["snippet"] or "")[:120]
                    found.append(row)
            if len(page) < _SUBSTRING_PAGE:
                break
            offset += _SUBSTRING_PAGE
        return found[:limit]
