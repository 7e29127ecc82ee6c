"""The SQLite store: schema, numbered migrations, and every SQL statement.

One Store object is the single writer. Writes happen inside `transaction()`, so a
poll of one feed lands whole or not at all. Low-level sqlite3 errors are turned into
StoreError here and nowhere else.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from monitor.config import FeedConfig
from monitor.dedup import exact_action
from monitor.errors import StoreError
from monitor.outlets import outlet_name
from monitor.parse import Entry
from monitor.timeutil import iso, parse_iso, utcnow

Migration = Callable[[sqlite_utils.Database], None]

# Scripts written without spaces between words (Han, Kana, Hangul syllables are spaced but
# often searched by part, Thai, Lao, Khmer, Myanmar).
_UNSPACED_SCRIPT = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff]"
)

# Distinct outlets among a story's articles (joined as `a`, with their feeds as `f`):
# copies count once, and the feeds of one outlet are one outlet (monitor.outlets).
_OUTLETS_SQL = "COUNT(DISTINCT CASE WHEN a.duplicate_of IS NULL THEN outlet_name(f.name, f.title, f.url) END)"


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


def _migration_2(db: sqlite_utils.Database) -> None:
    """Digests: one row per day and recipient, its delivery state."""
    db.execute(
        """CREATE TABLE digests (
            id INTEGER PRIMARY KEY,
            day TEXT NOT NULL,
            recipient TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
            attempts INTEGER NOT NULL DEFAULT 0,
            due_at TEXT NOT NULL,
            next_attempt_at TEXT,
            started_at TEXT,
            sent_at TEXT,
            last_error TEXT,
            last_error_at TEXT,
            message_id TEXT,
            message TEXT,
            story_ids TEXT NOT NULL DEFAULT '[]',
            created TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (day, recipient)
        )"""
    )
    db.execute("CREATE INDEX digests_state ON digests(state, next_attempt_at)")


def _migration_3(db: sqlite_utils.Database) -> None:
    """Fetching: the URL a feed moved to, and streaks of repeated statuses and redirects."""
    for statement in (
        "ALTER TABLE feeds ADD COLUMN fetch_url TEXT",
        "ALTER TABLE feeds ADD COLUMN status_streak INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE feeds ADD COLUMN redirect_target TEXT",
        "ALTER TABLE feeds ADD COLUMN redirect_streak INTEGER NOT NULL DEFAULT 0",
    ):
        db.execute(statement)


def _migration_stories(db: sqlite_utils.Database) -> None:
    """Stories stage: why each article joined its story, the keys behind each story."""
    for statement in (
        "ALTER TABLE articles ADD COLUMN story_similarity REAL",
        "ALTER TABLE articles ADD COLUMN story_score REAL",
        "ALTER TABLE articles ADD COLUMN story_shared_keys INTEGER",
        "ALTER TABLE articles ADD COLUMN story_gap_hours REAL",
        "ALTER TABLE articles ADD COLUMN story_reason TEXT",
        # name/number keys of a story's articles with their counts (JSON object), so the
        # assigner can be rebuilt from the database after a restart
        "ALTER TABLE stories ADD COLUMN keys TEXT NOT NULL DEFAULT '{}'",
        "CREATE INDEX articles_unassigned ON articles(published, id) WHERE story_id IS NULL",
        "CREATE INDEX stories_live ON stories(model, last_seen) WHERE merged_into IS NULL",
    ):
        db.execute(statement)


# Numbered migrations: append, never edit a released one. Version N = MIGRATIONS[N-1].
MIGRATIONS: list[Migration] = [_migration_1, _migration_2, _migration_3, _migration_stories]
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
    # fetching (issue 4): where the feed moved to, and repeated answers
    fetch_url: str | None = None
    last_http_status: int | None = None
    status_streak: int = 0
    redirect_target: str | None = None
    redirect_streak: int = 0


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

    @classmethod
    def success(cls, polled_at: datetime, next_due: datetime) -> FeedUpdate:
        """A plain successful poll that left no validators or hints (for entries stored
        from elsewhere than a fetch: a backfill, a benchmark, a test)."""
        return cls(
            polled_at=polled_at, status="ok", http_status=200, next_due=next_due, error_count=0,
            etag=None, last_modified=None, body_hash=None, ttl_seconds=None,
            max_age_seconds=None, retry_after=None,
        )  # fmt: skip


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
        fetch_url=row.get("fetch_url"),
        last_http_status=row.get("last_http_status"),
        status_streak=row.get("status_streak") or 0,
        redirect_target=row.get("redirect_target"),
        redirect_streak=row.get("redirect_streak") or 0,
    )


def _outlet_name_sql(name: str | None, title: str | None, url: str | None) -> str:
    return outlet_name(name, title, url or "")


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


def _json_list(text: str | None) -> list[Any]:
    """A JSON list column read leniently: anything else becomes []."""
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


class Store:
    """The database. Open with Store.open(path); use as a context manager to close."""

    def __init__(
        self, db: sqlite_utils.Database, path: Path, write_lock: threading.Lock | None = None
    ) -> None:
        self.db = db
        self.path = path
        # Shared by the Store objects of one process that write (the daemon's poller and
        # its stage thread), so that writes still go one at a time.
        self.write_lock = write_lock or threading.Lock()

    # --- opening and migrating -----------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        readonly: bool = False,
        busy_timeout_ms: int = 5000,
        write_lock: threading.Lock | None = None,
    ) -> Store:
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
            conn.create_function("outlet_name", 3, _outlet_name_sql, deterministic=True)
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            conn.execute("PRAGMA foreign_keys = ON")
            if not readonly:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
            store = cls(sqlite_utils.Database(conn), path, write_lock)
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
        with self.write_lock:
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
                "UPDATE feeds SET gone = 0, error_count = 0, status_streak = 0, next_due = ? WHERE url = ?",
                [iso(utcnow()), url],
            )

    def feeds(self, *, active_only: bool = True) -> list[FeedState]:
        where = "WHERE active = 1" if active_only else ""
        return [_feed_state(r) for r in self.query(f"SELECT * FROM feeds {where} ORDER BY id")]

    def due_feeds(self, now: datetime, *, all_feeds: bool = False) -> list[FeedState]:
        """Feeds to poll now: those due, or with `all_feeds` every active feed except those
        whose server asked us (Retry-After) to stay away until later."""
        if all_feeds:
            rows = self.query(
                "SELECT * FROM feeds WHERE active = 1 AND gone = 0 "
                "AND (retry_after IS NULL OR retry_after <= ?) ORDER BY id",
                [iso(now)],
            )
        else:
            rows = self.query(
                "SELECT * FROM feeds WHERE active = 1 AND gone = 0 "
                "AND (next_due IS NULL OR next_due <= ?) ORDER BY next_due, id",
                [iso(now)],
            )
        return [_feed_state(r) for r in rows]

    def waiting_feeds(self, now: datetime) -> list[FeedState]:
        """Active feeds whose server asked (Retry-After) not to be polled before a later time."""
        rows = self.query(
            "SELECT * FROM feeds WHERE active = 1 AND gone = 0 AND retry_after > ? ORDER BY id",
            [iso(now)],
        )
        return [_feed_state(r) for r in rows]

    def feed_by_id(self, feed_id: int) -> FeedState | None:
        rows = self.query("SELECT * FROM feeds WHERE id = ?", [feed_id])
        return _feed_state(rows[0]) if rows else None

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
        counts: Counter[str] = Counter()
        for entry in entries:
            row = self.db.execute(
                "SELECT id, content_hash FROM articles WHERE feed_id = ? AND guid = ?",
                [feed_id, entry.guid],
            ).fetchone()
            elsewhere = (
                row is None
                and entry.url is not None
                and self.db.execute(
                    "SELECT 1 FROM articles WHERE url = ? AND feed_id != ? LIMIT 1", [entry.url, feed_id]
                ).fetchone()
                is not None
            )
            action = exact_action(row[1] if row else None, elsewhere, entry.content_hash)
            counts[action] += 1
            if action == "update":
                # Same article, new content: update it in place; its vector is stale.
                self.db.execute(
                    "UPDATE articles SET title = ?, text = ?, html = ?, url = ?, link = ?, "
                    "content_hash = ?, updated_at = ?, embedding = NULL, embedding_model = NULL "
                    "WHERE id = ?",
                    [entry.title, entry.text, entry.html, entry.url, entry.link, entry.content_hash,
                     iso(seen_at), row[0]],
                )  # fmt: skip
            elif action == "insert":
                self.db.execute(
                    "INSERT INTO articles (feed_id, guid, url, link, title, text, html, author, "
                    "language, language_source, published, published_estimated, first_seen, "
                    "content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [feed_id, entry.guid, entry.url, entry.link, entry.title, entry.text, entry.html,
                     entry.author, entry.language, entry.language_source, iso(entry.published),
                     int(entry.published_estimated), iso(seen_at), entry.content_hash],
                )  # fmt: skip
        return ArticleCounts(new=counts["insert"], updated=counts["update"], unchanged=counts["unchanged"])

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
            found = list(self.db.query(sql, [query, limit]))
            if found or not _UNSPACED_SCRIPT.search(query):
                return found
            return self._search_substring(query, limit)
        except sqlite3.OperationalError as exc:
            message = str(exc).lower()
            # 'Xi-Jinping' and 'COVID-19' read as column filters, '*' as a special query.
            not_fts5 = ("fts5", "syntax", "unterminated", "no such column", "unknown special query")
            if any(reason in message for reason in not_fts5):
                # Not valid FTS5 syntax: search each word as a plain term instead.
                words = query.replace('"', " ").split()
                terms = " ".join(f'"{w}"' for w in words)
                if not terms:
                    return []
                return list(self.db.query(sql, [terms, limit]))
            raise StoreError(_describe(exc, self.path)) from None

    def _search_substring(self, query: str, limit: int) -> list[dict[str, Any]]:
        """Chinese, Japanese, Thai… write words without spaces, so FTS5's tokenizer sees a
        whole run of text as one token: find each word of the query as a substring instead."""
        words = query.replace('"', " ").split()
        if not words:
            return []
        where = " AND ".join("(a.title LIKE ? ESCAPE '\\' OR a.text LIKE ? ESCAPE '\\')" for _ in words)
        params: list[Any] = []
        for word in words:
            pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            params += [pattern, pattern]
        return self.query(
            "SELECT a.id, a.title, a.url, a.language, a.published, f.name AS feed_name, "
            "f.url AS feed_url, substr(a.text, 1, 120) AS snippet "
            f"FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE {where} "
            "ORDER BY a.published DESC LIMIT ?",
            [*params, limit],
        )

    def feed_stats(self) -> list[dict[str, Any]]:
        return self.query(
            "SELECT f.id, f.url, f.name, f.language, f.active, f.gone, f.last_polled, "
            "f.last_status, f.last_http_status, f.error_count, f.last_error, f.last_error_step, "
            "f.next_due, (SELECT COUNT(*) FROM articles a WHERE a.feed_id = f.id) AS articles "
            "FROM feeds f ORDER BY f.active DESC, f.id"
        )

    def count(self, table: str) -> int:
        return int(self.db.execute(f"SELECT COUNT(*) FROM [{table}]").fetchone()[0])

    # --- web ---------------------------------------------------------------------------
    # Read-only queries for monitor.web (pages, JSON API, Atom, /metrics). Times are ISO
    # text in UTC, so a half-open range [start, end) is a plain string comparison.

    def web_columns(self, table: str) -> frozenset[str]:
        """The columns a table has now (other stages may add some): the web degrades to
        what is there."""
        return frozenset(r["name"] for r in self.query(f"SELECT name FROM pragma_table_info('{table}')"))

    def web_has_table(self, name: str) -> bool:
        return bool(self.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name]))

    def _web_fts(self, sql: str, params: list[Any], query: str) -> list[dict[str, Any]]:
        """Run `sql` whose first parameter is an FTS5 MATCH; on a syntax error, retry with
        the words quoted (so 'C++ "half' searches rather than fails)."""
        try:
            return list(self.db.query(sql, [query, *params]))
        except sqlite3.OperationalError:
            pass  # not FTS5 syntax ('"half', 'a:b', 'AND'): the quoted words below
        terms = " ".join('"' + t.replace('"', '""') + '"' for t in query.split())
        if not terms:
            return []
        return self.query(sql, [terms, *params])

    def web_story_ids(
        self,
        start: str,
        end: str,
        *,
        language: str | None = None,
        tag: str | None = None,
        feed_id: int | None = None,
        query: str | None = None,
    ) -> list[dict[str, Any]]:
        """Stories with articles published in [start, end), ranked by that window's
        coverage: outlets, then languages, then articles, then the latest article.

        Each row: story_id, day_articles, day_outlets, day_languages, day_last.
        """
        filters = []
        params: list[Any] = []
        if language:
            filters.append("EXISTS (SELECT 1 FROM articles b WHERE b.story_id = h.sid AND b.language = ?)")
            params.append(language)
        if tag:
            filters.append(
                "EXISTS (SELECT 1 FROM articles b JOIN feeds f ON f.id = b.feed_id, json_each(f.tags) t "
                "WHERE b.story_id = h.sid AND t.value = ?)"
            )
            params.append(tag)
        if feed_id is not None:
            filters.append("EXISTS (SELECT 1 FROM articles b WHERE b.story_id = h.sid AND b.feed_id = ?)")
            params.append(feed_id)
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
            "GROUP BY a.story_id) h "
            + ("WHERE " + " AND ".join(filters) + " " if filters else "")
            + "ORDER BY h.day_outlets DESC, h.day_languages DESC, h.day_articles DESC, h.day_last DESC, "
            "h.sid DESC"
        )
        if not query:
            return self.query(sql, [start, end, *params])
        matched = (
            "SELECT a2.story_id FROM articles_fts JOIN articles a2 ON a2.id = articles_fts.rowid "
            "WHERE articles_fts MATCH ? AND a2.story_id IS NOT NULL"
        )
        return self._web_fts(sql.format(matched=matched), [start, end, *params], query)

    def web_stories(self, story_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Whole-story figures for these stories: counts over all their articles, their
        languages, the headline, and the first report (earliest published article)."""
        if not story_ids:
            return {}
        marks = ",".join("?" * len(story_ids))
        rows = self.query(
            "SELECT s.id, s.first_seen, s.last_seen, s.headline_article_id, s.merged_into, s.updated_at, "
            "s.entities, s.model, COUNT(a.id) AS n_articles, " + _OUTLETS_SQL + " AS n_outlets, "
            "json_group_array(DISTINCT a.language) AS languages, MIN(a.published) AS first_published, "
            "MAX(a.published) AS last_published "
            "FROM stories s LEFT JOIN articles a ON a.story_id = s.id LEFT JOIN feeds f ON f.id = a.feed_id "
            f"WHERE s.id IN ({marks}) GROUP BY s.id",
            list(story_ids),
        )
        stories = {r["id"]: r for r in rows}
        for row in stories.values():
            row["languages"] = sorted(x for x in json.loads(row["languages"] or "[]") if x)
            row["entities"] = _json_list(row["entities"])
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

    def web_story(self, story_id: int) -> dict[str, Any] | None:
        """One story row (even one merged into another), or None."""
        rows = self.query("SELECT id, merged_into FROM stories WHERE id = ?", [story_id])
        return rows[0] if rows else None

    def web_story_articles(self, story_id: int) -> list[dict[str, Any]]:
        """A story's articles with their outlet, oldest first; the columns that say why an
        article joined (named story_*) come along when the stories stage stores them."""
        extra = sorted(c for c in self.web_columns("articles") if c.startswith("story_") and c != "story_id")
        extra_sql = "".join(f", a.[{c}]" for c in extra)
        return self.query(
            "SELECT a.id, a.title, a.url, a.link, a.language, a.published, a.published_estimated, "
            "a.first_seen, a.duplicate_of, a.author, substr(a.text, 1, 400) AS summary, "
            f"f.id AS feed_id, COALESCE(f.name, f.title, f.url) AS outlet, f.url AS feed_url{extra_sql} "
            "FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE a.story_id = ? "
            "ORDER BY a.published, a.id",
            [story_id],
        )

    def web_published_times(self, story_ids: Sequence[int], start: str, end: str) -> list[dict[str, Any]]:
        """(story_id, published) of these stories' articles in [start, end), for sparklines."""
        if not story_ids:
            return []
        marks = ",".join("?" * len(story_ids))
        return self.query(
            f"SELECT story_id, published FROM articles WHERE story_id IN ({marks}) "
            "AND published >= ? AND published < ?",
            [*story_ids, start, end],
        )

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
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[dict[str, Any]], int]:
        """Articles, newest first, with filters; returns (one page, total)."""
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
            where.append("EXISTS (SELECT 1 FROM json_each(f.tags) t WHERE t.value = ?)")
            params.append(tag)
        if feed_id is not None:
            where.append("a.feed_id = ?")
            params.append(feed_id)
        if story_id is not None:
            where.append("a.story_id = ?")
            params.append(story_id)
        if query:
            where.append("a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
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
            rows = self._web_fts_last(page_sql, params, query, [limit, offset])
            total = self._web_fts_last(count_sql, params, query, [])
        else:
            rows = self.query(page_sql, [*params, limit, offset])
            total = self.query(count_sql, params)
        return rows, int(total[0]["n"]) if total else 0

    def _web_fts_last(
        self, sql: str, before: list[Any], query: str, after: list[Any]
    ) -> list[dict[str, Any]]:
        """Like _web_fts, for SQL whose MATCH parameter sits between `before` and `after`."""
        try:
            return list(self.db.query(sql, [*before, query, *after]))
        except sqlite3.OperationalError:
            pass  # not FTS5 syntax ('"half', 'a:b', 'AND'): the quoted words below
        terms = " ".join('"' + t.replace('"', '""') + '"' for t in query.split())
        if not terms:
            return []
        return self.query(sql, [*before, terms, *after])

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
            "SELECT feed_id, substr(first_seen, 1, 10) AS day, COUNT(*) AS n FROM articles "
            "WHERE first_seen >= ? GROUP BY feed_id, day",
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
                "SELECT DISTINCT t.value FROM feeds f, json_each(f.tags) t WHERE f.active = 1 "
                "ORDER BY t.value"
            )
        ]
        feeds = self.query("SELECT id, COALESCE(name, title, url) AS name FROM feeds ORDER BY name")
        return {"languages": languages, "tags": tags, "feeds": feeds}

    def web_latest_published(self, before: str | None = None) -> str | None:
        """The newest story article's publication time (before `before`), to point an empty
        day at the last day that has stories."""
        sql = "SELECT MAX(published) AS p FROM articles WHERE story_id IS NOT NULL"
        rows = self.query(sql + " AND published < ?", [before]) if before else self.query(sql)
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
                    for r in self.query(f"SELECT [{state}] AS k, COUNT(*) AS n FROM digests GROUP BY k")
                }
        return totals

    # --- digest ----------------------------------------------------------------------
    # The daily digest's reads, and its delivery records: one `digests` row per (day,
    # recipient) moving pending -> sending -> sent (or back to pending with a retry time,
    # or failed, or skipped when a day has no stories and the config says so).

    def digest_story_articles(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Every article published before `end` of each live story with an article in [start, end)."""
        return self.query(
            "SELECT a.id, a.story_id, a.title, a.text, a.url, a.link, a.language, a.published, "
            "a.duplicate_of, a.feed_id, f.name AS feed_name, f.title AS feed_title, f.url AS feed_url, "
            "f.tags AS feed_tags FROM articles a JOIN feeds f ON f.id = a.feed_id "
            "JOIN stories s ON s.id = a.story_id WHERE s.merged_into IS NULL AND a.published < ? "
            "AND a.story_id IN (SELECT story_id FROM articles WHERE story_id IS NOT NULL "
            "AND published >= ? AND published < ?) ORDER BY a.story_id, a.published, a.id",
            [iso(end), iso(start), iso(end)],
        )

    def digest_stories(self, story_ids: Sequence[int]) -> list[dict[str, Any]]:
        if not story_ids:
            return []
        marks = ",".join("?" * len(story_ids))
        return self.query(
            f"SELECT id, headline_article_id, first_seen FROM stories WHERE id IN ({marks}) ORDER BY id",
            list(story_ids),
        )

    def digest_previous_story_ids(self, day: Any, recipient: str | None) -> set[int]:
        """The stories a day's digest held (for this recipient, or any), followed through merges."""
        if recipient is None:
            rows = self.query("SELECT story_ids FROM digests WHERE day = ?", [str(day)])
        else:
            rows = self.query(
                "SELECT story_ids FROM digests WHERE day = ? AND recipient = ?", [str(day), recipient.lower()]
            )
        ids = {int(i) for r in rows for i in _json_list(r["story_ids"]) if isinstance(i, int)}
        result = set()
        for story_id in ids:
            seen = {story_id}
            current = story_id
            while True:
                row = self.db.execute("SELECT merged_into FROM stories WHERE id = ?", [current]).fetchone()
                if row is None or row[0] is None or row[0] in seen:
                    break
                current = int(row[0])
                seen.add(current)
            result.add(current)
        return result

    def digest_day_figures(self, start: datetime, end: datetime) -> dict[str, int]:
        """The header line of a digest: feeds polled, articles, stories, failing feeds."""
        s, e = iso(start), iso(end)
        one = self.db.execute
        return {
            "feeds_polled": int(
                one(
                    "SELECT COUNT(DISTINCT feed_id) FROM fetch_log WHERE started >= ? AND started < ?", [s, e]
                ).fetchone()[0]
            ),
            "articles": int(
                one(
                    "SELECT COUNT(*) FROM articles WHERE published >= ? AND published < ?", [s, e]
                ).fetchone()[0]
            ),
            "stories": int(
                one(
                    "SELECT COUNT(DISTINCT a.story_id) FROM articles a JOIN stories st ON st.id = a.story_id "
                    "WHERE st.merged_into IS NULL AND a.published >= ? AND a.published < ?",
                    [s, e],
                ).fetchone()[0]
            ),
            "failing_feeds": int(
                one(
                    "SELECT COUNT(*) FROM feeds WHERE active = 1 AND gone = 0 AND error_count > 0"
                ).fetchone()[0]
            ),
        }

    def digest_row(self, day: Any, recipient: str) -> dict[str, Any] | None:
        rows = self.query(
            "SELECT * FROM digests WHERE day = ? AND recipient = ?", [str(day), recipient.lower()]
        )
        return rows[0] if rows else None

    def digest_insert(
        self,
        day: Any,
        recipient: str,
        due_at: datetime,
        message_id: str | None,
        message: str | None,
        story_ids: Sequence[int],
        state: str,
        now: datetime,
    ) -> bool:
        """Record a composed digest; False when the (day, recipient) row already exists."""
        with self.transaction():
            cursor = self.db.execute(
                "INSERT OR IGNORE INTO digests (day, recipient, state, due_at, message_id, message, "
                "story_ids, created, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    str(day),
                    recipient.lower(),
                    state,
                    iso(due_at),
                    message_id,
                    message,
                    json.dumps(list(story_ids)),
                    iso(now),
                    iso(now),
                ],
            )
            return bool(cursor.rowcount)

    def digest_ready(self, now: datetime, stale_before: datetime) -> list[dict[str, Any]]:
        """Rows to (re)send now: pending and due, or 'sending' since before `stale_before`."""
        return self.query(
            "SELECT * FROM digests WHERE (state = 'pending' AND (next_attempt_at IS NULL "
            "OR next_attempt_at <= ?)) OR (state = 'sending' AND started_at < ?) ORDER BY day, recipient",
            [iso(now), iso(stale_before)],
        )

    def digest_claim(self, day: Any, recipient: str, now: datetime, stale_before: datetime) -> bool:
        """pending (or stale sending) -> sending, counting an attempt; False if not ours to send."""
        with self.transaction():
            cursor = self.db.execute(
                "UPDATE digests SET state = 'sending', attempts = attempts + 1, started_at = ?, "
                "updated_at = ? WHERE day = ? AND recipient = ? AND ((state = 'pending' "
                "AND (next_attempt_at IS NULL OR next_attempt_at <= ?)) "
                "OR (state = 'sending' AND started_at < ?))",
                [iso(now), iso(now), str(day), recipient.lower(), iso(now), iso(stale_before)],
            )
            return cursor.rowcount == 1

    def digest_mark_sent(self, day: Any, recipient: str, now: datetime) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE digests SET state = 'sent', sent_at = ?, next_attempt_at = NULL, message = NULL, "
                "updated_at = ? WHERE day = ? AND recipient = ?",
                [iso(now), iso(now), str(day), recipient.lower()],
            )

    def digest_mark_retry(
        self, day: Any, recipient: str, error: str, retry_at: datetime, now: datetime
    ) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE digests SET state = 'pending', next_attempt_at = ?, last_error = ?, "
                "last_error_at = ?, updated_at = ? WHERE day = ? AND recipient = ? AND state = 'sending'",
                [iso(retry_at), error, iso(now), iso(now), str(day), recipient.lower()],
            )

    def digest_mark_failed(self, day: Any, recipient: str, error: str, now: datetime) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE digests SET state = 'failed', next_attempt_at = NULL, last_error = ?, "
                "last_error_at = ?, updated_at = ? WHERE day = ? AND recipient = ? AND state = 'sending'",
                [error, iso(now), iso(now), str(day), recipient.lower()],
            )

    def digest_retry_now(self, day: Any, recipient: str, now: datetime) -> None:
        """A pending digest waiting for its retry time: make it due now."""
        with self.transaction():
            self.db.execute(
                "UPDATE digests SET next_attempt_at = ?, updated_at = ? WHERE day = ? AND recipient = ? "
                "AND state = 'pending'",
                [iso(now), iso(now), str(day), recipient.lower()],
            )

    def digest_errors(self, limit: int = 20) -> list[dict[str, Any]]:
        """Digests waiting for a retry after an error, or failed for good; newest first."""
        return self.query(
            "SELECT day, recipient, state, attempts, next_attempt_at, last_error, last_error_at FROM digests "
            "WHERE (state = 'pending' AND last_error IS NOT NULL) OR state = 'failed' "
            "ORDER BY day DESC, recipient LIMIT ?",
            [limit],
        )

    def digest_latest_story_article(self) -> str | None:
        """The publication time of the newest article that belongs to a live story."""
        row = self.db.execute(
            "SELECT MAX(a.published) FROM articles a JOIN stories s ON s.id = a.story_id "
            "WHERE s.merged_into IS NULL"
        ).fetchone()
        return str(row[0]) if row and row[0] else None

    # --- fetching (issue 4) ------------------------------------------------------------

    def record_fetch_status(
        self,
        feed_id: int,
        *,
        status_streak: int,
        redirect_target: str | None,
        redirect_streak: int,
        gone: bool,
        fetch_url: str | None,
    ) -> None:
        """After record_poll: the streaks of repeated answers, gone, and a moved URL."""
        with self.transaction():
            self.db.execute(
                "UPDATE feeds SET status_streak = ?, redirect_target = ?, redirect_streak = ?, "
                "gone = CASE WHEN ? THEN 1 ELSE gone END, "
                "next_due = CASE WHEN ? THEN NULL ELSE next_due END, "
                "fetch_url = COALESCE(?, fetch_url) WHERE id = ?",
                [status_streak, redirect_target, redirect_streak, int(gone), int(gone), fetch_url, feed_id],
            )

    def recent_guids(self, feed_id: int, since: datetime) -> set[str]:
        """GUIDs of a feed's articles published since `since` (dates the feed really gave)."""
        rows = self.db.execute(
            "SELECT guid FROM articles WHERE feed_id = ? AND published >= ? AND published_estimated = 0",
            [feed_id, iso(since)],
        ).fetchall()
        return {str(r[0]) for r in rows}

    def pollable_feed_urls(self) -> list[tuple[str, str]]:
        """(url, fetch URL) of every feed that is polled, to spread each host's feeds."""
        rows = self.db.execute(
            "SELECT url, COALESCE(fetch_url, url) FROM feeds WHERE active = 1 AND gone = 0"
        ).fetchall()
        return [(str(r[0]), str(r[1])) for r in rows]

    # --- stories stage -----------------------------------------------------------------
    # SQL of monitor.stories.run_story_stage: pending articles, embeddings, assignments,
    # story records, and what rebuilding the assigner after a restart reads.

    def stories_pending(self, limit: int) -> list[dict[str, Any]]:
        """Articles not yet in a story, in publication order (ties by id)."""
        # The partial index gives the rows in order, so only `limit` of them are read; left to
        # itself SQLite picks articles_story and sorts every pending article (text and all) for
        # each batch, which made a large backlog quadratic.
        return self.query(
            "SELECT a.id, a.feed_id, a.title, a.text, a.language, a.published, a.embedding, "
            "a.embedding_model, f.name AS feed_name, f.title AS feed_title, f.url AS feed_url "
            "FROM articles a INDEXED BY articles_unassigned JOIN feeds f ON f.id = a.feed_id "
            "WHERE a.story_id IS NULL ORDER BY a.published, a.id LIMIT ?",
            [limit],
        )

    def stories_vectors(self, article_ids: Sequence[int], model: str) -> dict[int, bytes]:
        """The stored vectors of these articles made by `model`: article id -> vector bytes."""
        found: dict[int, bytes] = {}
        for start in range(0, len(article_ids), 500):
            chunk = list(article_ids[start : start + 500])
            marks = ",".join("?" * len(chunk))
            for row in self.db.execute(
                f"SELECT id, embedding FROM articles WHERE id IN ({marks}) "
                "AND embedding_model = ? AND embedding IS NOT NULL",
                [*chunk, model],
            ).fetchall():
                found[int(row[0])] = bytes(row[1])
        return found

    def stories_write(
        self,
        assignments: Sequence[dict[str, Any]],
        merges: Sequence[tuple[int, int]],
        stories: Sequence[dict[str, Any]],
        now: datetime,
        embeddings: Sequence[tuple[int, bytes, str]] = (),
    ) -> None:
        """One batch of the stage in one transaction: the batch's new vectors (article
        id, vector bytes, model name), new story rows, then each article's story, copy
        and reasons, then merges (drop -> keep), then story figures."""
        updated_at = iso(now)
        vectors = {article_id: (blob, model) for article_id, blob, model in embeddings}
        plain: list[dict[str, Any]] = []
        with_vector: list[dict[str, Any]] = []
        for item in assignments:
            vector = vectors.pop(item["article_id"], None)
            if vector is None:
                plain.append(item)
            else:
                with_vector.append({**item, "embedding": vector[0], "embedding_model": vector[1]})
        assign = (
            "UPDATE articles SET story_id = :story_id, duplicate_of = :duplicate_of, "
            "story_similarity = :similarity, story_score = :score, story_shared_keys = :shared_keys, "
            "story_gap_hours = :gap_hours, story_reason = :reason"
        )
        with self.transaction():
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO stories (id, model, updated_at) VALUES (?, ?, ?)",
                [(story["id"], story["model"], updated_at) for story in stories],
            )
            # SQLite rewrites a whole row (text and all) on every UPDATE: an article with a new
            # vector gets it in the same UPDATE as its story.
            self.db.conn.executemany(f"{assign} WHERE id = :article_id", plain)
            self.db.conn.executemany(
                f"{assign}, embedding = :embedding, embedding_model = :embedding_model "
                "WHERE id = :article_id",
                with_vector,
            )
            self.db.conn.executemany(
                "UPDATE articles SET embedding = ?, embedding_model = ? WHERE id = ?",
                [(blob, model, article_id) for article_id, (blob, model) in vectors.items()],
            )
            for drop, keep in merges:
                self.db.execute("UPDATE articles SET story_id = ? WHERE story_id = ?", [keep, drop])
                self.db.execute(
                    "UPDATE stories SET merged_into = ?, n_articles = 0, updated_at = ? WHERE id = ?",
                    [keep, updated_at, drop],
                )
                self.db.execute("UPDATE stories SET merged_into = ? WHERE merged_into = ?", [keep, drop])
            self.db.conn.executemany(
                "UPDATE stories SET first_seen = :first_seen, last_seen = :last_seen, "
                "headline_article_id = :headline_article_id, n_articles = :n_articles, "
                "n_outlets = :n_outlets, n_languages = :n_languages, languages = :languages, "
                "entities = :entities, keys = :keys, centroid = :centroid, model = :model, "
                "updated_at = :updated_at WHERE id = :id",
                [{**story, "updated_at": updated_at} for story in stories],
            )

    def stories_members(self, story_ids: Sequence[int]) -> list[dict[str, Any]]:
        """The articles of these stories, with what a story record is computed from."""
        if not story_ids:
            return []
        marks = ",".join("?" * len(story_ids))
        return self.query(
            "SELECT a.id, a.story_id, a.feed_id, a.title, a.text, a.language, a.published, "
            "a.duplicate_of, a.embedding, a.embedding_model, f.name AS feed_name, "
            "f.title AS feed_title, f.url AS feed_url FROM articles a JOIN feeds f ON f.id = a.feed_id "
            f"WHERE a.story_id IN ({marks}) ORDER BY a.published, a.id",
            list(story_ids),
        )

    def stories_live(self, model: str, since: datetime) -> list[dict[str, Any]]:
        """Stories of `model` still open at `since` (last article published then or later)."""
        return self.query(
            "SELECT id, first_seen, last_seen, n_articles, languages, keys, centroid FROM stories "
            "WHERE merged_into IS NULL AND model = ? AND last_seen >= ? ORDER BY id",
            [model, iso(since)],
        )

    def stories_clock(self) -> tuple[str | None, int]:
        """(latest publication time among assigned articles, the next free story id)."""
        latest = self.db.execute("SELECT MAX(published) FROM articles WHERE story_id IS NOT NULL").fetchone()[
            0
        ]
        next_id = self.db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM stories").fetchone()[0]
        return (str(latest) if latest else None, int(next_id))

    def stories_recent_texts(self, since: datetime) -> list[dict[str, Any]]:
        """Assigned articles published since `since`: what the duplicate index is rebuilt from."""
        return self.query(
            "SELECT id, title, text, published, duplicate_of FROM articles "
            "WHERE story_id IS NOT NULL AND published >= ? ORDER BY published, id",
            [iso(since)],
        )

    def stories_marker(self) -> tuple[int, int]:
        """(assigned articles, highest story id): changes whenever anyone else assigns."""
        row = self.db.execute(
            "SELECT (SELECT COUNT(*) FROM articles WHERE story_id IS NOT NULL), "
            "(SELECT COALESCE(MAX(id), 0) FROM stories)"
        ).fetchone()
        return (int(row[0]), int(row[1]))
