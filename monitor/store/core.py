"""The SQLite connection every concern of the store shares: opening, migrating, one writer
at a time through `transaction()`, and the one place where sqlite3 errors become StoreError."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

import sqlite_utils

from monitor.errors import StoreError
from monitor.outlets import outlet_name
from monitor.store.schema import MIGRATIONS, SCHEMA_VERSION
from monitor.timeutil import iso, utcnow

# Distinct outlets among a story's articles (joined as `a`, with their feeds as `f`):
# copies count once, and the feeds of one outlet are one outlet (monitor.outlets).
# The article whose title heads a story (joined as `s`): its chosen headline, else its first.
_HEADLINE_ID_SQL = (
    "COALESCE(s.headline_article_id, (SELECT b.id FROM articles b WHERE b.story_id = s.id "
    "ORDER BY b.published, b.id LIMIT 1))"
)

_OUTLETS_SQL = "COUNT(DISTINCT CASE WHEN a.duplicate_of IS NULL THEN outlet_name(f.name, f.title, f.url) END)"


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


class SQLiteCore:
    """A SQLite database opened for monitor (WAL, foreign keys, a busy timeout)."""

    def __init__(
        self, db: sqlite_utils.Database, path: Path, write_lock: threading.Lock | None = None
    ) -> None:
        self.db = db
        self.path = path
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

    def __enter__(self) -> Self:
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

    def ping(self) -> None:
        """A cheap read that fails with StoreError when the database cannot be read."""
        self.query("SELECT 1 FROM articles LIMIT 1")

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        try:
            return list(self.db.query(sql, params))
        except sqlite3.Error as exc:
            raise StoreError(_describe(exc, self.path)) from None

    def count(self, table: str) -> int:
        return int(self.db.execute(f"SELECT COUNT(*) FROM [{table}]").fetchone()[0])

    def web_columns(self, table: str) -> frozenset[str]:
        """The columns a table has now (other stages may add some): the web degrades to
        what is there."""
        return frozenset(r["name"] for r in self.query(f"SELECT name FROM pragma_table_info('{table}')"))

    def web_has_table(self, name: str) -> bool:
        return bool(self.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [name]))
