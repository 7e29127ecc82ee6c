"""Watches: definitions synced from feeds.yaml, matches, the articles waiting for the
matcher, the figures of attention over time, alerts already sent, and the outbox."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from monitor.store.core import Core
from monitor.timeutil import iso

_ARTICLE_COLUMNS = (
    "a.id, a.story_id, a.title, a.text, a.language, a.published, a.duplicate_of, a.embedding, "
    "a.embedding_model, f.url AS feed_url, f.name AS feed_name, f.tags AS feed_tags, a.places"
)

# FTS5 keeps at most this many bytes of a token (FTS5_MAX_TOKEN_SIZE in SQLite's fts5Int.h),
# in the index and in a query alike.
FTS_TOKEN_BYTES = 32_768


def _fts_phrase(token: str) -> str:
    """An index token as an FTS5 query phrase; one that may have been cut (its last character
    left out by watch_fts_vocabulary) as a prefix, which the stored term starts with."""
    phrase = '"' + token.replace('"', '""') + '"'
    return phrase + "*" if len(token.encode()) > FTS_TOKEN_BYTES - 4 else phrase


class Watches(Core):
    """Watches: definitions, matches, pending articles, attention figures, alerts, outbox."""

    # --- definitions ------------------------------------------------------------------

    def watches_sync(self, watches: Sequence[tuple[str, str, str]], now: datetime) -> list[dict[str, Any]]:
        """Make the table agree with the config: (name, fingerprint, definition JSON) per watch.
        A new watch is added; an edited one gets its new fingerprint; one no longer listed
        is marked removed (its matches stay until `watches_prune`). Returns every row."""
        stamp = iso(now)
        listed = {name.casefold() for name, _, _ in watches}
        with self.transaction():
            for name, fingerprint, definition in watches:
                self.db.execute(
                    "INSERT INTO watches (name, fingerprint, definition, created_at, updated_at) "
                    f"VALUES (?, ?, ?, ?, ?) ON CONFLICT {self._watch_name_key()} DO UPDATE SET "
                    "name = excluded.name, removed_at = NULL, definition = excluded.definition, "
                    "updated_at = CASE WHEN watches.fingerprint = excluded.fingerprint "
                    "THEN watches.updated_at ELSE excluded.updated_at END, "
                    "fingerprint = excluded.fingerprint",
                    [name, fingerprint, definition, stamp, stamp],
                )
            for row in self.query("SELECT id, name FROM watches WHERE removed_at IS NULL"):
                if str(row["name"]).casefold() not in listed:
                    self.db.execute("UPDATE watches SET removed_at = ? WHERE id = ?", [stamp, row["id"]])
        return self.watches_rows()

    def watches_rows(self) -> list[dict[str, Any]]:
        """Every watch, removed ones included, by name."""
        return self.query(
            "SELECT w.id, w.name, w.fingerprint, w.definition, w.backfilled, w.created_at, w.updated_at, "
            "w.removed_at, (SELECT COUNT(*) FROM watch_matches m WHERE m.watch_id = w.id) AS matches, "
            "(SELECT MAX(published) FROM watch_matches m WHERE m.watch_id = w.id) AS last_match "
            "FROM watches w ORDER BY lower(w.name), w.name"
        )

    def watch_row(self, name: str) -> dict[str, Any] | None:
        rows = self.query("SELECT * FROM watches WHERE lower(name) = lower(?)", [name])
        return rows[0] if rows else None

    def watches_prune(self) -> list[str]:
        """Delete the watches no longer in the config, with their matches; their names."""
        with self.transaction():
            names = [
                str(r["name"]) for r in self.query("SELECT name FROM watches WHERE removed_at IS NOT NULL")
            ]
            self.db.execute("DELETE FROM watches WHERE removed_at IS NOT NULL")
        return names

    # --- matching ---------------------------------------------------------------------

    def watch_pending(self, limit: int) -> list[dict[str, Any]]:
        """Articles waiting for the matcher, in publication order (ties by id)."""
        return self.query(
            f"SELECT {_ARTICLE_COLUMNS} FROM watch_pending p JOIN articles a ON a.id = p.article_id "
            "JOIN feeds f ON f.id = a.feed_id ORDER BY a.published, a.id LIMIT ?",
            [limit],
        )

    def watch_pending_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM watch_pending").fetchone()[0])

    def watch_articles_after(
        self, since: str, after: tuple[str, int] | None, limit: int
    ) -> list[dict[str, Any]]:
        """Articles in stories published since `since`, after the (published, id) cursor."""
        past = "AND (a.published, a.id) > (?, ?) " if after else ""
        return self.query(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles a JOIN feeds f ON f.id = a.feed_id "
            f"WHERE a.story_id IS NOT NULL AND a.published >= ? {past}"
            "ORDER BY a.published, a.id LIMIT ?",
            [since, *(after or ()), limit],
        )

    def watch_articles_count(self, since: str) -> int:
        return int(
            self.db.execute(
                "SELECT COUNT(*) FROM articles WHERE story_id IS NOT NULL AND published >= ?", [since]
            ).fetchone()[0]
        )

    def watch_fts_vocabulary(self) -> list[str] | None:
        """Every distinct token of the full-text index (SQLite's FTS5, through a temporary
        fts5vocab table); None where the database has no such index to list."""
        if not self.web_has_table("articles_fts"):
            return None
        self.db.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.watch_vocabulary "
            "USING fts5vocab(main, articles_fts, row)"
        )
        # FTS5 cuts a longer token at FTS_TOKEN_BYTES, maybe inside a character (a run of
        # ~11,000 Han characters without punctuation): read as text, that one term would stop
        # every backfill. Read as bytes, its broken character is left out (watch_fts_ids then
        # asks for it as a prefix).
        rows = self.db.execute("SELECT CAST(term AS BLOB) FROM temp.watch_vocabulary")
        return [bytes(row[0]).decode("utf-8", "ignore") for row in rows]

    def watch_fts_ids(self, tokens: Sequence[str]) -> set[int]:
        """The articles whose title or text holds one of these index tokens (a token as long
        as the index keeps one, maybe cut, as a prefix)."""
        found: set[int] = set()
        for start in range(0, len(tokens), 200):
            match = " OR ".join(_fts_phrase(t) for t in tokens[start : start + 200])
            found.update(int(row[0]) for row in self.db.execute(self._fts_ids_sql(), [match]))
        return found

    def watch_fts_ids_starting(self, bounds: Sequence[tuple[str, str]]) -> set[int] | None:
        """The articles whose title or text holds an index token in one of these [low, high)
        ranges (SQLite's FTS5, through a temporary fts5vocab table of instances, which reads
        only those terms); None where the database has no such index."""
        if not self.web_has_table("articles_fts"):
            return None
        self.db.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.watch_instances "
            "USING fts5vocab(main, articles_fts, instance)"
        )
        found: set[int] = set()
        for low, high in bounds:
            rows = self.db.execute(
                "SELECT DISTINCT doc FROM temp.watch_instances WHERE term >= ? AND term < ?", [low, high]
            )
            found.update(int(row[0]) for row in rows)
        return found

    def watch_vectors(self, since: str, model: str, after_id: int, limit: int) -> list[tuple[int, bytes]]:
        """(id, vector) of the articles in stories published since `since` with a vector of
        `model`, by id after `after_id`: the backfill's bulk comparison of `about`."""
        return [
            (int(row[0]), bytes(row[1]))
            for row in self.db.execute(
                "SELECT id, embedding FROM articles WHERE id > ? AND story_id IS NOT NULL "
                "AND published >= ? AND embedding_model = ? AND embedding IS NOT NULL ORDER BY id LIMIT ?",
                [after_id, since, model, limit],
            )
        ]

    def watch_similar_ids(
        self, since: str, model: str, about: Sequence[float], low: float
    ) -> set[int] | None:
        """The articles in stories published since `since` whose `model` vector has a dot
        product of at least `low` with `about`, compared by the database; None where it
        cannot compare vectors (then the caller compares them itself)."""
        return None

    def watch_articles_by_id(self, ids: Sequence[int], since: str) -> list[dict[str, Any]]:
        """These articles, those in stories published since `since`, in publication order."""
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        return self.query(
            f"SELECT {_ARTICLE_COLUMNS} FROM articles a JOIN feeds f ON f.id = a.feed_id "
            f"WHERE a.id IN ({marks}) AND a.story_id IS NOT NULL AND a.published >= ? "
            "ORDER BY a.published, a.id",
            [*ids, since],
        )

    def watch_latest_published(self) -> str | None:
        row = self.db.execute("SELECT MAX(published) FROM articles WHERE story_id IS NOT NULL").fetchone()
        return str(row[0]) if row and row[0] else None

    def watch_write(
        self,
        matches: Sequence[dict[str, Any]],
        done: Sequence[int],
        now: datetime,
        *,
        rematched: Sequence[tuple[int, Sequence[int]]] = (),
    ) -> None:
        """One batch in one transaction: the matches (watch_id, article_id, story_id,
        published, why, similarity, backfill), and the pending articles now done. For
        `rematched` (watch ids, article ids: changed articles), old matches go first."""
        stamp = iso(now)
        with self.transaction():
            for article_id, watch_ids in rematched:
                if watch_ids:
                    marks = ",".join("?" * len(watch_ids))
                    self.db.execute(
                        f"DELETE FROM watch_matches WHERE article_id = ? AND watch_id IN ({marks})",
                        [article_id, *watch_ids],
                    )
            self.db.executemany(
                "INSERT INTO watch_matches (watch_id, article_id, story_id, published, why, "
                "similarity, backfill, matched_at) VALUES (:watch_id, :article_id, :story_id, :published, "
                ":why, :similarity, :backfill, :matched_at) ON CONFLICT DO NOTHING",
                [
                    {**m, "why": json.dumps(m["why"], ensure_ascii=False), "matched_at": stamp}
                    for m in matches
                ],
            )
            self.db.executemany("DELETE FROM watch_pending WHERE article_id = ?", [(i,) for i in done])

    def watch_backfill_start(self, watch_id: int, since: str) -> None:
        """Before a backfill: the watch's matches in the window go (the watch changed)."""
        with self.transaction():
            self.db.execute(
                "DELETE FROM watch_matches WHERE watch_id = ? AND published >= ?", [watch_id, since]
            )

    def watch_backfill_done(self, watch_id: int, fingerprint: str) -> None:
        with self.transaction():
            self.db.execute("UPDATE watches SET backfilled = ? WHERE id = ?", [fingerprint, watch_id])

    # --- reading matches ----------------------------------------------------------------

    def watch_day_counts(self, watch_id: int, start: str, end: str, min_outlets: int) -> list[dict[str, Any]]:
        """Per UTC day, by language and over all ('*'): matching articles (copies once) and
        matching stories, of stories with at least `min_outlets` outlets."""
        matched = (
            f"SELECT {self._day_sql('a.published')} AS day, COALESCE(a.language, '') AS language, a.id, "
            "a.duplicate_of, a.story_id FROM watch_matches m JOIN articles a ON a.id = m.article_id "
            "LEFT JOIN stories s ON s.id = a.story_id WHERE m.watch_id = ? AND m.published >= ? "
            "AND m.published < ? AND COALESCE(s.n_outlets, 1) >= ?"
        )
        figures = (
            "COUNT(DISTINCT CASE WHEN duplicate_of IS NULL THEN id END) AS articles, "
            "COUNT(DISTINCT story_id) AS stories"
        )
        return self.query(
            f"WITH hit AS ({matched}) SELECT day, language, {figures} FROM hit GROUP BY day, language "
            f"UNION ALL SELECT day, '*', {figures} FROM hit GROUP BY day ORDER BY 1, 2",
            [watch_id, start, end, min_outlets],
        )

    def watch_day_totals(self, start: str, end: str) -> list[dict[str, Any]]:
        """Per UTC day and language: every article stored (copies once), the denominator."""
        return self.query(
            f"SELECT {self._day_sql('published')} AS day, COALESCE(language, '') AS language, "
            "COUNT(*) AS articles FROM articles WHERE published >= ? AND published < ? "
            "AND duplicate_of IS NULL GROUP BY day, language ORDER BY day, language",
            [start, end],
        )

    def watch_top_outlets(
        self, watch_id: int, start: str, end: str, min_outlets: int, limit: int = 10
    ) -> list[dict[str, Any]]:
        return self.query(
            "SELECT outlet_name(f.name, f.title, f.url) AS outlet, COUNT(DISTINCT a.id) AS articles "
            "FROM watch_matches m JOIN articles a ON a.id = m.article_id JOIN feeds f ON f.id = a.feed_id "
            "LEFT JOIN stories s ON s.id = a.story_id WHERE m.watch_id = ? AND m.published >= ? "
            "AND m.published < ? AND a.duplicate_of IS NULL AND COALESCE(s.n_outlets, 1) >= ? "
            "GROUP BY outlet ORDER BY articles DESC, outlet LIMIT ?",
            [watch_id, start, end, min_outlets, limit],
        )

    def watch_stories(
        self, watch_id: int, start: str, end: str, min_outlets: int, limit: int = 20
    ) -> list[dict[str, Any]]:
        """The stories with matching articles in the period, most matching articles first,
        with the story's headline and figures and why its first match matched."""
        return self.query(
            "SELECT s.id AS story_id, COUNT(DISTINCT a.id) AS matched, MIN(m.published) AS first_match, "
            "MAX(m.published) AS last_match, s.n_articles, s.n_outlets, s.n_languages, s.languages, "
            "h.title AS headline, h.url AS headline_url, h.language AS headline_language, "
            "(SELECT why FROM watch_matches m2 JOIN articles a2 ON a2.id = m2.article_id "
            " WHERE m2.watch_id = ? AND a2.story_id = s.id ORDER BY m2.published LIMIT 1) AS why "
            "FROM watch_matches m JOIN articles a ON a.id = m.article_id JOIN stories s ON s.id = a.story_id "
            "LEFT JOIN articles h ON h.id = s.headline_article_id "
            "WHERE m.watch_id = ? AND m.published >= ? AND m.published < ? AND s.n_outlets >= ? "
            "GROUP BY s.id, h.id ORDER BY matched DESC, last_match DESC, s.id LIMIT ?",
            [watch_id, watch_id, start, end, min_outlets, limit],
        )

    def watch_recent_matches(self, watch_id: int, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """The newest matching articles (skipping `offset`), with their feed, story and why
        (for the watch's page, Atom and tests)."""
        return self.query(
            "SELECT a.id, a.title, a.url, a.link, a.language, a.published, a.story_id, a.text, "
            "m.why, m.similarity, m.backfill, outlet_name(f.name, f.title, f.url) AS outlet "
            "FROM watch_matches m JOIN articles a ON a.id = m.article_id JOIN feeds f ON f.id = a.feed_id "
            "WHERE m.watch_id = ? ORDER BY m.published DESC, a.id DESC LIMIT ? OFFSET ?",
            [watch_id, limit, offset],
        )

    def watch_match_count(self, watch_id: int) -> int:
        """How many articles the watch matched, in all."""
        rows = self.query("SELECT COUNT(*) AS n FROM watch_matches WHERE watch_id = ?", [watch_id])
        return int(rows[0]["n"]) if rows else 0

    def watch_story_figures(self, story_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Story id -> its outlets, languages and headline, for alerts."""
        if not story_ids:
            return {}
        marks = ",".join("?" * len(story_ids))
        rows = self.query(
            f"SELECT s.id, s.n_outlets, s.n_articles, s.languages, s.merged_into, h.title AS headline, "
            f"h.url AS headline_url FROM stories s LEFT JOIN articles h ON h.id = s.headline_article_id "
            f"WHERE s.id IN ({marks})",
            list(story_ids),
        )
        return {int(r["id"]): r for r in rows}

    def watch_story_articles(self, story_id: int) -> list[dict[str, Any]]:
        return self.query(
            "SELECT a.id, a.title, a.url, a.link, a.language, a.published, "
            "outlet_name(f.name, f.title, f.url) AS outlet "
            "FROM articles a JOIN feeds f ON f.id = a.feed_id "
            "WHERE a.story_id = ? AND a.duplicate_of IS NULL "
            "ORDER BY a.published, a.id",
            [story_id],
        )
