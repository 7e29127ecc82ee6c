"""The SQLite store: schema, numbered migrations, and every SQL statement.

One Store object is the single writer. Writes happen inside `transaction()`, so a
poll of one feed lands whole or not at all. Low-level sqlite3 errors are turned into
StoreError here and nowhere else.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from monitor.config import FeedConfig
from monitor.errors import StoreError
from monitor.parse import Entry
from monitor.timeutil import iso, parse_iso, utcnow

Migration = Callable[[sqlite_utils.Database], None]


def _migration_1(db: sqlite_utils.Database) -> None:
    """Feeds, articles (with FTS5), stories, fetch log."""
    for statement in (
        """CREATE TABLE feeds (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            name TEXT,
            language TEXT,
            tags TEXT NOT NULL DEFAULT '[]',
            interval INTEGER,
            active INTEGER NOT NULL DEFAULT 1,
            gone INTEGER NOT NULL DEFAULT 0,
            title TEXT,
            site_url TEXT,
            etag TEXT,
            last_modified TEXT,
            body_hash TEXT,
            ttl_seconds INTEGER,
            max_age_seconds INTEGER,
            retry_after TEXT,
            last_polled TEXT,
            last_success TEXT,
            last_status TEXT,
            last_http_status INTEGER,
            error_count INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            last_error_step TEXT,
            last_error_at TEXT,
            next_due TEXT,
            created TEXT NOT NULL
        )""",
        """CREATE TABLE stories (
            id INTEGER PRIMARY KEY,
            first_seen TEXT,
            last_seen TEXT,
            headline_article_id INTEGER,
            n_articles INTEGER NOT NULL DEFAULT 0,
            n_outlets INTEGER NOT NULL DEFAULT 0,
            n_languages INTEGER NOT NULL DEFAULT 0,
            languages TEXT NOT NULL DEFAULT '[]',
            entities TEXT NOT NULL DEFAULT '[]',
            centroid BLOB,
            model TEXT,
            merged_into INTEGER REFERENCES stories(id),
            updated_at TEXT
        )""",
        """CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
            guid TEXT NOT NULL,
            url TEXT,
            link TEXT,
            title TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL DEFAULT '',
            html TEXT NOT NULL DEFAULT '',
            author TEXT,
            language TEXT,
            language_source TEXT,
            published TEXT NOT NULL,
            published_estimated INTEGER NOT NULL DEFAULT 0,
            first_seen TEXT NOT NULL,
            updated_at TEXT,
            content_hash TEXT NOT NULL,
            duplicate_of INTEGER REFERENCES articles(id) ON DELETE SET NULL,
            story_id INTEGER REFERENCES stories(id) ON DELETE SET NULL,
            embedding BLOB,
            embedding_model TEXT,
            UNIQUE (feed_id, guid)
        )""",
        "CREATE INDEX articles_url ON articles(url)",
        "CREATE INDEX articles_published ON articles(published)",
        "CREATE INDEX articles_story ON articles(story_id)",
        "CREATE INDEX articles_first_seen ON articles(first_seen)",
        """CREATE TABLE fetch_log (
            id INTEGER PRIMARY KEY,
            feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
            started TEXT NOT NULL,
            duration_ms INTEGER,
            url TEXT NOT NULL,
            outcome TEXT NOT NULL,
            http_status INTEGER,
            bytes INTEGER,
            new_articles INTEGER NOT NULL DEFAULT 0,
            updated_articles INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            step TEXT
        )""",
        "CREATE INDEX fetch_log_feed ON fetch_log(feed_id, started)",
        # FTS5 over title and text, kept in step by triggers; named as sqlite-utils and
        # Datasette expect (<table>_fts with content=<table>).
        """CREATE VIRTUAL TABLE articles_fts USING FTS5 (
            title, text, content=[articles], content_rowid=[id]
        )""",
        """CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
        END""",
        """CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, title, text)
            VALUES ('delete', old.id, old.title, old.text);
        END""",
        """CREATE TRIGGER articles_au AFTER UPDATE OF title, text ON articles BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, title, text)
            VALUES ('delete', old.id, old.title, old.text);
            INSERT INTO articles_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
        END""",
    ):
        db.execute(statement)


# Numbered migrations: append, never edit a released one. Version N = MIGRATIONS[N-1].
MIGRATIONS: list[Migration] = [_migration_1]
SCHEMA_VERSION = len(MIGRATIONS)


@dataclass(frozen=True)
class FeedState:
    """A feed as the store knows it: its config and its polling history."""

    id: int
    url: str
    name: str | None
    language: str | None
    tags: tuple[str, ...]
    interval: int | None
    active: bool
    gone: bool
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    ttl_seconds: int | None
    max_age_seconds: int | None
    retry_after: datetime | None
    error_count: int
    last_status: str | None
    last_polled: datetime | None
    next_due: datetime | None


@dataclass(frozen=True)
class FeedUpdate:
    """What one poll changes on a feed row (decided in pipeline.plan_feed_update)."""

    polled_at: datetime
    status: str  # 'ok', 'not_modified', 'unchanged' or 'error'
    http_status: int | None
    next_due: datetime
    error_count: int
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    ttl_seconds: int | None
    max_age_seconds: int | None
    retry_after: datetime | None
    error: str | None = None
    error_step: str | None = None
    title: str | None = None
    site_url: str | None = None
    new_url: str | None = None  # after permanent redirects


@dataclass(frozen=True)
class ArticleCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0


def _feed_state(row: dict[str, Any]) -> FeedState:
    return FeedState(
        id=row["id"],
        url=row["url"],
        name=row["name"],
        language=row["language"],
        tags=tuple(json.loads(row["tags"] or "[]")),
        interval=row["interval"],
        active=bool(row["active"]),
        gone=bool(row["gone"]),
        etag=row["etag"],
        last_modified=row["last_modified"],
        body_hash=row["body_hash"],
        ttl_seconds=row["ttl_seconds"],
        max_age_seconds=row["max_age_seconds"],
        retry_after=parse_iso(row["retry_after"]),
        error_count=row["error_count"],
        last_status=row["last_status"],
        last_polled=parse_iso(row["last_polled"]),
        next_due=parse_iso(row["next_due"]),
    )


def _describe(exc: sqlite3.Error, path: Path) -> str:
    text = str(exc)
    if "readonly" in text:
        return f"{path}: the database is read-only ({text})"
    if "locked" in text or "busy" in text:
        return f"{path}: the database is locked by another process ({text})"
    if "not a database" in text or "malformed" in text:
        return f"{path}: the file is not a usable SQLite database ({text})"
    if "disk" in text or "full" in text:
        return f"{path}: cannot write: {text}"
    return f"{path}: {text}"


class Store:
    """The database. Open with Store.open(path); use as a context manager to close."""

    def __init__(self, db: sqlite_utils.Database, path: Path) -> None:
        self.db = db
        self.path = path

    # --- opening and migrating -----------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, *, readonly: bool = False, busy_timeout_ms: int = 5000) -> Store:
        """Open (creating and migrating unless readonly) the database at `path`."""
        path = Path(path)
        try:
            if readonly:
                if not path.exists():
                    raise StoreError(f"{path}: no database here (run `monitor init` first)")
                conn = sqlite3.connect(
                    f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
                )
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            conn.execute("PRAGMA foreign_keys = ON")
            if not readonly:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            store = cls(sqlite_utils.Database(conn), path)
            if not readonly:
                store.migrate()
            elif store.schema_version() < SCHEMA_VERSION:
                raise StoreError(f"{path}: the database needs migrating (run `monitor init`)")
            return store
        except sqlite3.Error as exc:
            raise StoreError(_describe(exc, path)) from None
        except OSError as exc:
            raise StoreError(f"{path}: {exc.strerror or exc}") from None

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> list[int]:
        """Run the migrations this database lacks, each in its own transaction."""
        applied = []
        current = self.schema_version()
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: the database is at schema version {current}, newer than this "
                f"monitor ({SCHEMA_VERSION}); upgrade monitor"
            )
        for version in range(current + 1, SCHEMA_VERSION + 1):
            migration = MIGRATIONS[version - 1]
            with self.transaction():
                self.db.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations "
                    "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
                )
                migration(self.db)
                problems = self.db.execute("PRAGMA foreign_key_check").fetchall()
                if problems:
                    raise StoreError(f"{self.path}: migration {version} broke foreign keys: {problems[:3]}")
                self.db.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    [version, (migration.__doc__ or migration.__name__).strip(), iso(utcnow())],
                )
                self.db.execute(f"PRAGMA user_version = {version}")
            applied.append(version)
        return applied

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE ... COMMIT; ROLLBACK on any error; sqlite3 errors become StoreError."""
        conn = self.db.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(_describe(exc, self.path)) from None
        try:
            yield
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise StoreError(_describe(exc, self.path)) from None
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        try:
            return list(self.db.query(sql, params))
        except sqlite3.Error as exc:
            raise StoreError(_describe(exc, self.path)) from None

    # --- feeds ---------------------------------------------------------------------

    def sync_feeds(self, feeds: Sequence[FeedConfig], now: datetime | None = None) -> None:
        """Make the feeds table follow the config: add new feeds, update names and hints,
        mark feeds no longer listed inactive (their articles stay)."""
        now = now or utcnow()
        listed = {f.url for f in feeds}
        with self.transaction():
            for feed in feeds:
                row = self.db.execute("SELECT id FROM feeds WHERE url = ?", [feed.url]).fetchone()
                values = [
                    feed.name,
                    feed.language,
                    json.dumps(list(feed.tags), ensure_ascii=False),
                    feed.interval,
                ]
                if row is None:
                    self.db.execute(
                        "INSERT INTO feeds (url, name, language, tags, interval, created, next_due) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [feed.url, *values, iso(now), iso(now)],
                    )
                else:
                    self.db.execute(
                        "UPDATE feeds SET name = ?, language = ?, tags = ?, interval = ?, active = 1 "
                        "WHERE id = ?",
                        [*values, row[0]],
                    )
            for feed_id, url in self.db.execute("SELECT id, url FROM feeds WHERE active = 1").fetchall():
                if url not in listed:
                    self.db.execute("UPDATE feeds SET active = 0 WHERE id = ?", [feed_id])

    def revive_feed(self, url: str) -> None:
        """`feeds add` of a feed marked gone: poll it again from now."""
        with self.transaction():
            self.db.execute(
                "UPDATE feeds SET gone = 0, error_count = 0, next_due = ? WHERE url = ?",
                [iso(utcnow()), url],
            )

    def feeds(self, *, active_only: bool = True) -> list[FeedState]:
        where = "WHERE active = 1" if active_only else ""
        return [_feed_state(r) for r in self.query(f"SELECT * FROM feeds {where} ORDER BY id")]

    def due_feeds(self, now: datetime, *, all_feeds: bool = False) -> list[FeedState]:
        if all_feeds:
            rows = self.query("SELECT * FROM feeds WHERE active = 1 AND gone = 0 ORDER BY id")
        else:
            rows = self.query(
                "SELECT * FROM feeds WHERE active = 1 AND gone = 0 "
                "AND (next_due IS NULL OR next_due <= ?) ORDER BY next_due, id",
                [iso(now)],
            )
        return [_feed_state(r) for r in rows]

    def feed_by_url(self, url: str) -> FeedState | None:
        rows = self.query("SELECT * FROM feeds WHERE url = ?", [url])
        return _feed_state(rows[0]) if rows else None

    # --- a poll's results ----------------------------------------------------------

    def record_poll(
        self,
        feed: FeedState,
        update: FeedUpdate,
        entries: Sequence[Entry],
        *,
        url: str,
        duration_ms: int,
        size: int | None,
    ) -> ArticleCounts:
        """Store one feed's poll whole: its articles, its new state, a fetch-log row."""
        with self.transaction():
            counts = self._store_entries(feed.id, entries, update.polled_at)
            self.db.execute(
                """UPDATE feeds SET last_polled = ?, last_status = ?, last_http_status = ?,
                   next_due = ?, error_count = ?, etag = ?, last_modified = ?, body_hash = ?,
                   ttl_seconds = ?, max_age_seconds = ?, retry_after = ?,
                   title = COALESCE(?, title), site_url = COALESCE(?, site_url),
                   last_success = CASE WHEN ? = 'error' THEN last_success ELSE ? END,
                   last_error = CASE WHEN ? = 'error' THEN ? ELSE last_error END,
                   last_error_step = CASE WHEN ? = 'error' THEN ? ELSE last_error_step END,
                   last_error_at = CASE WHEN ? = 'error' THEN ? ELSE last_error_at END
                   WHERE id = ?""",
                [
                    iso(update.polled_at),
                    update.status,
                    update.http_status,
                    iso(update.next_due),
                    update.error_count,
                    update.etag,
                    update.last_modified,
                    update.body_hash,
                    update.ttl_seconds,
                    update.max_age_seconds,
                    iso(update.retry_after),
                    update.title,
                    update.site_url,
                    update.status,
                    iso(update.polled_at),
                    update.status,
                    update.error,
                    update.status,
                    update.error_step,
                    update.status,
                    iso(update.polled_at),
                    feed.id,
                ],
            )
            self.db.execute(
                "INSERT INTO fetch_log (feed_id, started, duration_ms, url, outcome, http_status, "
                "bytes, new_articles, updated_articles, error, step) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    feed.id,
                    iso(update.polled_at),
                    duration_ms,
                    url,
                    update.status,
                    update.http_status,
                    size,
                    counts.new,
                    counts.updated,
                    update.error,
                    update.error_step,
                ],
            )
        return counts

    def _store_entries(self, feed_id: int, entries: Sequence[Entry], seen_at: datetime) -> ArticleCounts:
        new = updated = unchanged = 0
        for entry in entries:
            row = self.db.execute(
                "SELECT id, content_hash FROM articles WHERE feed_id = ? AND guid = ?",
                [feed_id, entry.guid],
            ).fetchone()
            if row is not None:
                if row[1] == entry.content_hash:
                    unchanged += 1
                    continue
                # Same article, new content: update it in place; its vector is stale.
                self.db.execute(
                    "UPDATE articles SET title = ?, text = ?, html = ?, url = ?, link = ?, "
                    "content_hash = ?, updated_at = ?, embedding = NULL, embedding_model = NULL "
                    "WHERE id = ?",
                    [
                        entry.title,
                        entry.text,
                        entry.html,
                        entry.url,
                        entry.link,
                        entry.content_hash,
                        iso(seen_at),
                        row[0],
                    ],
                )
                updated += 1
                continue
            if (
                entry.url
                and self.db.execute(
                    "SELECT 1 FROM articles WHERE url = ? AND feed_id != ? LIMIT 1", [entry.url, feed_id]
                ).fetchone()
            ):
                unchanged += 1  # the same page, already stored from another feed
                continue
            self.db.execute(
                "INSERT INTO articles (feed_id, guid, url, link, title, text, html, author, "
                "language, language_source, published, published_estimated, first_seen, "
                "content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    feed_id,
                    entry.guid,
                    entry.url,
                    entry.link,
                    entry.title,
                    entry.text,
                    entry.html,
                    entry.author,
                    entry.language,
                    entry.language_source,
                    iso(entry.published),
                    int(entry.published_estimated),
                    iso(seen_at),
                    entry.content_hash,
                ],
            )
            new += 1
        return ArticleCounts(new=new, updated=updated, unchanged=unchanged)

    # --- reading for users ---------------------------------------------------------

    EXPORT_COLUMNS = (
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
        "text",
    )

    def export_articles(self, since: datetime | None = None) -> Iterator[dict[str, Any]]:
        """One record per article, oldest first (the `monitor export` interface)."""
        sql = (
            "SELECT a.id, f.url AS feed_url, f.name AS feed_name, a.url, a.guid, a.title, "
            "a.language, a.published, a.published_estimated, a.first_seen, a.updated_at, "
            "a.story_id, a.duplicate_of, a.content_hash, a.text "
            "FROM articles a JOIN feeds f ON f.id = a.feed_id "
        )
        params: list[Any] = []
        if since is not None:
            sql += "WHERE a.published >= ? "
            params.append(iso(since))
        sql += "ORDER BY a.published, a.id"
        try:
            for row in self.db.query(sql, params):
                row["published_estimated"] = bool(row["published_estimated"])
                yield row
        except sqlite3.Error as exc:
            raise StoreError(_describe(exc, self.path)) from None

    def search(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        """Full-text search (FTS5) over titles and text, best match first."""
        sql = (
            "SELECT a.id, a.title, a.url, a.language, a.published, f.name AS feed_name, "
            "f.url AS feed_url, snippet(articles_fts, 1, '[', ']', '…', 12) AS snippet "
            "FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
            "JOIN feeds f ON f.id = a.feed_id WHERE articles_fts MATCH ? "
            "ORDER BY bm25(articles_fts) LIMIT ?"
        )
        try:
            return list(self.db.query(sql, [query, limit]))
        except sqlite3.OperationalError as exc:
            if "fts5" in str(exc).lower() or "syntax" in str(exc).lower():
                # Not valid FTS5 syntax: search the words as a phrase-free list of terms.
                terms = " ".join('"' + t.replace('"', '""') + '"' for t in query.split())
                if not terms:
                    return []
                return list(self.db.query(sql, [terms, limit]))
            raise StoreError(_describe(exc, self.path)) from None

    def feed_stats(self) -> list[dict[str, Any]]:
        return self.query(
            "SELECT f.id, f.url, f.name, f.language, f.active, f.gone, f.last_polled, "
            "f.last_status, f.last_http_status, f.error_count, f.last_error, f.last_error_step, "
            "f.next_due, (SELECT COUNT(*) FROM articles a WHERE a.feed_id = f.id) AS articles "
            "FROM feeds f ORDER BY f.active DESC, f.id"
        )

    def count(self, table: str) -> int:
        return int(self.db.execute(f"SELECT COUNT(*) FROM [{table}]").fetchone()[0])
