"""The SQLite store: one `Store` made of one part per concern (feeds and polls, articles and
search, stories, digest state, web reads, watches, outbox), all on one connection.

One Store object is the single writer. Writes happen inside `transaction()`, so a poll of one
feed lands whole or not at all. Low-level sqlite3 errors are turned into StoreError here and
nowhere else.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from monitor.errors import StoreError
from monitor.outlets import outlet_name
from monitor.store.breaking_alerts import BreakingAlerts
from monitor.store.core import Core, check_schema
from monitor.store.digest import DigestState
from monitor.store.feeds import Feeds
from monitor.store.outbox import Outbox
from monitor.store.places import Places
from monitor.store.schema import MIGRATIONS, SCHEMA_VERSION
from monitor.store.sqliteconn import Connection
from monitor.store.stories import Stories
from monitor.store.tsquery import to_fts5
from monitor.store.watches import Watches
from monitor.store.web import WebQueries
from monitor.store.webarticles import WebArticles
from monitor.timeutil import iso, utcnow

if TYPE_CHECKING:
    from monitor.store.protocols import Backend


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


class SQLiteCore(Core):
    """A SQLite database opened for monitor (WAL, foreign keys, a busy timeout)."""

    db: Connection

    def __init__(self, db: Connection, path: Path, write_lock: threading.Lock | None = None) -> None:
        self.db = db
        self.path = path
        self.label = str(path)
        # Shared by the Store objects of one process that write (the daemon's poller and
        # its stage thread), so that writes still go one at a time.
        self.write_lock = write_lock or threading.Lock()

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        readonly: bool = False,
        busy_timeout_ms: int = 5000,
        write_lock: threading.Lock | None = None,
    ) -> Self:
        """Open (creating and migrating unless readonly) the database at `path`."""
        path = Path(path)
        if path.exists() and not path.is_file():  # /dev/null, a folder: SQLite would say less clearly
            kind = "a directory" if path.is_dir() else "a device or other special file"
            raise StoreError(f"{path}: not a database file but {kind}; name a file, like db/monitor.db")
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
            store = cls(Connection(conn), path, write_lock)
            if not readonly:
                store.migrate()
            else:
                store.check_version()
            return store
        except sqlite3.Error as exc:
            raise StoreError(_describe(exc, path)) from None
        except OSError as exc:
            raise StoreError(f"{path}: {exc.strerror or exc}") from None

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def check_version(self) -> None:
        """Refuse a database this monitor cannot read: older (not migrated) or newer."""
        check_schema(self.label, self.schema_version(), SCHEMA_VERSION)

    def migrate(self) -> list[int]:
        """Run the migrations this database lacks, each in its own transaction."""
        applied = []
        current = self.schema_version()
        check_schema(self.label, current, SCHEMA_VERSION, migrating=True)
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

    def stream(self, sql: str, params: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
        """Rows one at a time, for results too big to hold (the export)."""
        try:
            yield from self.db.query(sql, params)
        except sqlite3.Error as exc:
            raise StoreError(_describe(exc, self.path)) from None

    def web_columns(self, table: str) -> frozenset[str]:
        """The columns a table has now (other stages may add some): the web degrades to
        what is there."""
        return frozenset(r["name"] for r in self.query("SELECT name FROM pragma_table_info(?)", [table]))

    def web_has_table(self, name: str) -> bool:
        return bool(self.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name]))

    def _day_sql(self, column: str) -> str:
        return f"substr({column}, 1, 10)"  # times are stored as '2024-03-22T18:05:00Z'

    def _distinct_json_sql(self, expression: str) -> str:
        return f"json_group_array(DISTINCT {expression})"

    def _blob_sql(self, column: str) -> str:
        # Anything but a blob (written by another tool) reads as none.
        return f"CASE WHEN typeof({column}) = 'blob' THEN {column} END"

    def _indexed_by(self, index: str) -> str:
        return f"INDEXED BY {index}"

    def _json_values_sql(self, column: str, alias: str) -> str:
        return f"json_each({column}) {alias}"

    def _fts_ids_sql(self) -> str:
        return "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"

    def _fts_source(self) -> tuple[str, str, str]:
        return (
            "articles_fts JOIN articles a ON a.id = articles_fts.rowid",
            "articles_fts MATCH ?",
            "bm25(articles_fts)",
        )

    def _fts_best_sql(self) -> str:
        return (
            "SELECT rowid AS id, bm25(articles_fts) AS score FROM articles_fts "
            "WHERE articles_fts MATCH ? ORDER BY score, rowid LIMIT ?"
        )

    def _fts_marks_sql(self) -> tuple[str, str]:
        return (
            "highlight(articles_fts, 0, char(2), char(3))",
            "snippet(articles_fts, 1, char(2), char(3), '…', 24)",
        )

    def _fts(
        self, sql: str, before: Sequence[Any], query: str, after: Sequence[Any] = ()
    ) -> list[dict[str, Any]]:
        match = to_fts5(query)
        if match is None:
            return []
        return self.query(sql, [*before, match, *after])


class Store(
    SQLiteCore, Feeds, Stories, DigestState, WebQueries, WebArticles, Watches, Outbox, BreakingAlerts, Places
):
    """The SQLite database. Open with Store.open(path); use as a context manager to close."""


if TYPE_CHECKING:  # mypy proves here that the SQLite store satisfies every protocol

    def _implements(store: Store) -> Backend:
        return store
