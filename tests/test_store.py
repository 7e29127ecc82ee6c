"""store.py: a real SQLite file; migrations, one copy per article, clear errors."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlite_utils

from monitor.config import FeedConfig
from monitor.errors import StoreError
from monitor.ingest.parse import Entry, content_hash
from monitor.store import SCHEMA_VERSION, FeedUpdate, Store
from monitor.store import schema as schema_module
from monitor.store import sqlite as store_module

from .conftest import ok_update as poll_update

T0 = datetime(2025, 3, 22, 18, 0, tzinfo=UTC)


def entry(guid: str, title: str = "Title", text: str = "Body", url: str | None = None) -> Entry:
    return Entry(
        guid=guid,
        url=url or f"https://n.example/{guid}",
        link=url or f"https://n.example/{guid}",
        title=title,
        text=text,
        html=f"<p>{text}</p>",
        published=T0,
        published_estimated=False,
        language="en",
        language_source="feed",
        author=None,
        content_hash=content_hash(title, text),
    )


def ok_update(now: datetime = T0) -> FeedUpdate:
    return poll_update(now, etag='"v1"', body_hash="h")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "db" / "monitor.db")
    s.sync_feeds([FeedConfig(url="https://a.example/rss", name="A"), FeedConfig(url="https://b.example/rss")])
    return s


def test_fresh_database_is_migrated_and_configured(tmp_path: Path) -> None:
    path = tmp_path / "new" / "monitor.db"
    with Store.open(path) as s:
        assert s.schema_version() == SCHEMA_VERSION
        versions = [r["version"] for r in s.query("SELECT version FROM schema_migrations ORDER BY version")]
        assert versions == list(range(1, SCHEMA_VERSION + 1))
        assert s.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert s.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        # Datasette and sqlite-utils see the tables and the full-text index with no extra step.
        seen = sqlite_utils.Database(s.db.conn)
        assert {"feeds", "articles", "stories", "fetch_log", "articles_fts"} <= set(seen.table_names())
        assert seen["articles"].detect_fts() == "articles_fts"
        assert s.migrate() == []  # idempotent


def test_older_database_migrates_when_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "old.db"
    monkeypatch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:1])
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", 1)
    with Store.open(path) as old:
        old.sync_feeds([FeedConfig(url="https://a.example/rss")])
        assert old.schema_version() == 1
    monkeypatch.undo()
    with Store.open(path) as s:
        assert s.schema_version() == SCHEMA_VERSION
        assert [f.url for f in s.feeds()] == ["https://a.example/rss"]


def test_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this monitor"):
        Store.open(path)


def test_articles_are_stored_once_and_updated_in_place(store: Store) -> None:
    a, b = store.feeds()
    counts = store.record_poll(a, ok_update(), [entry("1"), entry("2")], url=a.url, duration_ms=5, size=10)
    assert (counts.new, counts.updated, counts.unchanged) == (2, 0, 0)
    # Seen again: nothing new.
    counts = store.record_poll(a, ok_update(), [entry("1"), entry("2")], url=a.url, duration_ms=5, size=10)
    assert (counts.new, counts.updated, counts.unchanged) == (0, 0, 2)
    # Content changed under the same GUID: updated, not duplicated; its FTS entry follows.
    counts = store.record_poll(
        a, ok_update(), [entry("1", title="Corrected title")], url=a.url, duration_ms=5, size=10
    )
    assert (counts.new, counts.updated) == (0, 1)
    assert store.count("articles") == 2
    assert [r["title"] for r in store.search("Corrected")] == ["Corrected title"]
    # The same canonical URL from another feed: stored once.
    counts = store.record_poll(
        b, ok_update(), [entry("other-guid", url="https://n.example/1")], url=b.url, duration_ms=5, size=10
    )
    assert counts.new == 0 and store.count("articles") == 2
    assert store.count("fetch_log") == 4


def test_failed_poll_keeps_articles_and_counts_errors(store: Store) -> None:
    a = store.feeds()[0]
    store.record_poll(a, ok_update(), [entry("1")], url=a.url, duration_ms=5, size=10)
    failing = replace(
        ok_update(),
        status="error",
        http_status=500,
        error_count=3,
        error="HTTP 500 Internal Server Error",
        error_step="bad HTTP status",
    )
    store.record_poll(a, failing, [], url=a.url, duration_ms=5, size=None)
    row = store.feed_stats()[0]
    assert row["error_count"] == 3 and row["last_error"] == "HTTP 500 Internal Server Error"
    assert row["last_error_step"] == "bad HTTP status" and row["articles"] == 1


def test_sync_feeds_marks_removed_feeds_inactive(store: Store) -> None:
    store.sync_feeds([FeedConfig(url="https://b.example/rss")])
    assert [f.url for f in store.feeds()] == ["https://b.example/rss"]
    assert len(store.feeds(active_only=False)) == 2


def test_export_and_search(store: Store) -> None:
    a = store.feeds()[0]
    store.record_poll(
        a, ok_update(), [entry("1", "Ataque en Moscú", "Crocus City Hall")], url=a.url, duration_ms=1, size=1
    )
    rows = list(store.export_articles())
    assert rows[0]["published"] == "2025-03-22T18:00:00Z" and rows[0]["story_id"] is None
    assert list(store.export_articles(since=T0 + timedelta(days=1))) == []
    assert store.search("crocus")[0]["title"] == "Ataque en Moscú"
    assert store.search('unbalanced "quote') == []  # bad FTS syntax is not an error


def test_search_words_that_fts5_reads_as_operators(store: Store) -> None:
    a = store.feeds()[0]
    texts = [entry("1", "Putin meets Xi-Jinping", "Trade talks"), entry("2", "COVID-19 cases fall", "Data")]
    store.record_poll(a, ok_update(), texts, url=a.url, duration_ms=1, size=1)
    assert [r["title"] for r in store.search("Xi-Jinping")] == ["Putin meets Xi-Jinping"]  # not a column
    assert [r["title"] for r in store.search("COVID-19")] == ["COVID-19 cases fall"]
    assert store.search("*") == []  # not an "unknown special query"


def test_corrupt_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="not a usable SQLite database"):
        Store.open(path)


def test_locked_database_is_a_clear_error_with_no_partial_write(store: Store, tmp_path: Path) -> None:
    a = store.feeds()[0]
    blocker = sqlite3.connect(store.path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    store.db.execute("PRAGMA busy_timeout = 100")
    with pytest.raises(StoreError, match="locked"):
        store.record_poll(a, ok_update(), [entry("1")], url=a.url, duration_ms=1, size=1)
    blocker.execute("ROLLBACK")
    blocker.close()
    assert store.count("articles") == 0


def test_write_failure_mid_poll_rolls_back(store: Store) -> None:
    a = store.feeds()[0]
    bad = replace(entry("2"), title=None)  # type: ignore[arg-type]  # violates NOT NULL
    with pytest.raises(StoreError):
        store.record_poll(a, ok_update(), [entry("1"), bad], url=a.url, duration_ms=1, size=1)
    assert store.count("articles") == 0 and store.count("fetch_log") == 0


def test_read_only_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    Store.open(path).close()
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)]).returncode != 0:
        path.chmod(0o444)
        if path.stat().st_mode & 0o200 or _can_write(path):
            pytest.skip("cannot make a file read-only here (root without chattr)")
    try:
        with pytest.raises(StoreError, match=r"read-only|readonly|unable to open|cannot"):
            s = Store.open(path)
            s.sync_feeds([FeedConfig(url="https://a.example/rss")])
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=False)


def _can_write(path: Path) -> bool:
    try:
        with open(path, "ab"):
            return True
    except OSError:
        return False


def test_search_finds_words_in_scripts_written_without_spaces(store: Store) -> None:
    a = store.feeds()[0]
    store.record_poll(
        a,
        ok_update(),
        [
            entry("zh", "普京在莫斯科发表讲话", "克里姆林宫表示，讲话持续了两个小时。"),
            entry("en", "Putin speaks"),
        ],
        url=a.url,
        duration_ms=1,
        size=1,
    )
    assert [r["title"] for r in store.search("普京")] == ["普京在莫斯科发表讲话"]
    assert [r["title"] for r in store.search("莫斯科 两个小时")] == ["普京在莫斯科发表讲话"]
    assert store.search("北京") == []
    assert [r["title"] for r in store.search("Putin")] == ["Putin speaks"]  # FTS5 as before


def test_stored_digests_are_relabelled_to_the_day_they_cover(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Migration 7: a digest row named for the day it was due is renamed for the day it
    covered (the day before), so the digest already sent this morning is not sent again."""
    path = tmp_path / "old.db"
    version = store_module.MIGRATIONS.index(schema_module._migration_digest_days)
    monkeypatch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:version])
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", version)
    with Store.open(path) as old:
        for day in ("2026-03-09", "2026-03-10", "2026-03-11"):
            old.db.execute(
                "INSERT INTO digests (day, recipient, state, due_at, created, updated_at) "
                "VALUES (?, 'a@example.org', 'sent', ?, ?, ?)",
                [day, f"{day}T06:00:00Z", f"{day}T06:00:00Z", f"{day}T06:00:01Z"],
            )
        old.db.conn.commit()
    monkeypatch.undo()
    with Store.open(path) as s:
        rows = s.query("SELECT day, due_at FROM digests ORDER BY day")
        assert [(r["day"], r["due_at"][:10]) for r in rows] == [
            ("2026-03-08", "2026-03-09"),
            ("2026-03-09", "2026-03-10"),
            ("2026-03-10", "2026-03-11"),
        ]


def test_stored_digests_and_alerts_keep_their_rows_and_may_then_be_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The migration that rebuilds digests and the outbox (SQLite cannot change a CHECK)
    keeps every row and column, and lets a row be 'unknown' with its `data_sent_at`."""
    path = tmp_path / "old.db"
    version = store_module.MIGRATIONS.index(schema_module._migration_unknown_outcomes)
    monkeypatch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:version])
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", version)
    with Store.open(path) as old:
        old.db.execute(
            "INSERT INTO digests (day, recipient, state, attempts, due_at, message_id, message, story_ids, "
            "created, updated_at) VALUES ('2026-03-09', 'a@example.org', 'pending', 2, "
            "'2026-03-10T06:00:00Z', '<m@x>', 'body', '[1, 2]', '2026-03-10T06:00:00Z', "
            "'2026-03-10T06:01:00Z')"
        )
        watch = old.watches_sync([("Climate", "fp", "{}")], datetime(2026, 3, 10, tzinfo=UTC))[0]
        old.db.execute(
            "INSERT INTO outbox (channel, target, watch_id, idempotency_key, payload, state, attempts, "
            "created_at, next_attempt_at, expires_at, last_error) VALUES ('email', 'me@example.org', ?, 'k', "
            "'{}', 'failed', 3, 'c', 'n', 'e', 'boom')",
            [watch["id"]],
        )
        old.db.conn.commit()
        with pytest.raises(sqlite3.IntegrityError):  # 'unknown' was not a state yet
            old.db.execute("UPDATE digests SET state = 'unknown'")
    monkeypatch.undo()
    with Store.open(path) as s:
        row = s.digest_row("2026-03-09", "a@example.org")
        assert row is not None and (row["state"], row["attempts"], row["message"], row["story_ids"]) == (
            "pending",
            2,
            "body",
            "[1, 2]",
        )
        (alert,) = s.outbox_rows()
        assert (alert["watch_id"], alert["state"], alert["last_error"], alert["data_sent_at"]) == (
            watch["id"],
            "failed",
            "boom",
            None,
        )
        s.db.execute("UPDATE digests SET state = 'unknown', data_sent_at = 'x'")
        s.db.execute("UPDATE outbox SET state = 'unknown', data_sent_at = 'x'")
        assert s.db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert {"digests_state", "outbox_due"} <= {
            r[0] for r in s.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'").fetchall()
        }


def test_a_schema_this_monitor_cannot_use_is_named_with_both_versions() -> None:
    from monitor.store.core import check_schema

    check_schema("db", 9, 9)
    check_schema("db", 3, 9, migrating=True)  # about to be migrated
    newer = r"^db: the database is at schema version 10, newer than this monitor \(9\)"
    with pytest.raises(StoreError, match=newer):
        check_schema("db", 10, 9, migrating=True)
    with pytest.raises(StoreError, match="needs migrating"):
        check_schema("db", 3, 9)


def test_repeated_column_names_in_a_row_are_renamed_not_lost(tmp_path: Path) -> None:
    from monitor.store.sqliteconn import unique_keys

    assert unique_keys(["id", "title"]) == ["id", "title"]
    assert unique_keys(["id", "a", "id", "id_2", "id"]) == ["id", "a", "id_3", "id_2", "id_4"]
    with Store.open(tmp_path / "m.db") as s:
        assert s.query("SELECT 1 AS id, 2 AS id") == [{"id": 1, "id_2": 2}]


def test_rising_name_terms_are_rebuilt_from_recognised_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The migration to recognised names: a stored story's key-name terms ("Survey") go, the
    names its articles name (article_names) come, with the daily counts to match."""
    path = tmp_path / "old.db"
    version = store_module.MIGRATIONS.index(schema_module._migration_trend_names)
    monkeypatch.setattr(store_module, "MIGRATIONS", store_module.MIGRATIONS[:version])
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", version)
    with Store.open(path) as old:
        old.db.execute("INSERT INTO feeds (id, url, name, created) VALUES (1, 'https://f.ex/', 'F', 'c')")
        old.db.execute(
            "INSERT INTO stories (id, first_seen, last_seen, entities, n_articles, updated_at) "
            "VALUES (1, '2026-03-10T08:00:00Z', '2026-03-10T08:00:00Z', '[\"Survey\"]', 1, 'u')"
        )
        old.db.execute(
            "INSERT INTO articles (id, feed_id, guid, title, text, language, published, first_seen, "
            "content_hash, story_id) VALUES (1, 1, 'g', 'Survey: Putin', '', 'en', "
            "'2026-03-10T08:00:00Z', '2026-03-10T08:00:00Z', 'h', 1)"
        )
        old.db.execute("INSERT INTO article_names (article_id, key, name) VALUES (1, 'putin', 'Putin')")
        old.db.conn.commit()
        assert old.query("SELECT term FROM story_terms WHERE kind = 'name'") == [{"term": "Survey"}]
    monkeypatch.undo()
    with Store.open(path) as s:
        assert s.query("SELECT term, day FROM story_terms WHERE kind = 'name'") == [
            {"term": "putin", "day": "2026-03-10"}
        ]
        assert s.query("SELECT term, stories FROM term_days WHERE kind = 'name'") == [
            {"term": "putin", "stories": 1}
        ]


def test_rising_name_terms_are_rebuilt_from_recognised_names_on_postgresql(
    pg_database: Callable[[str], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same migration on PostgreSQL (its own numbering: _TREND_NAMES)."""
    from monitor.database import PostgresURL, parse_target
    from monitor.store import pg_schema
    from monitor.store import postgres as pg_module

    target = parse_target(pg_database("pg"))
    assert isinstance(target, PostgresURL)
    version = [statements for _, statements in pg_schema.MIGRATIONS].index(pg_schema._TREND_NAMES)
    monkeypatch.setattr(pg_module, "MIGRATIONS", pg_schema.MIGRATIONS[:version])
    monkeypatch.setattr(pg_module, "SCHEMA_VERSION", version)
    with pg_module.PostgresStore.open(target) as old, old.transaction():
        old.db.execute("INSERT INTO feeds (id, url, name, created) VALUES (1, 'https://f.ex/', 'F', now())")
        old.db.execute(
            "INSERT INTO stories (id, first_seen, last_seen, entities, n_articles, updated_at) "
            "VALUES (1, '2026-03-10T08:00:00Z', '2026-03-10T08:00:00Z', '[\"Survey\"]', 1, now())"
        )
        old.db.execute(
            "INSERT INTO articles (id, feed_id, guid, title, text, language, published, first_seen, "
            "content_hash, story_id) VALUES (1, 1, 'g', 'Survey: Putin', '', 'en', "
            "'2026-03-10T08:00:00Z', '2026-03-10T08:00:00Z', 'h', 1)"
        )
        old.db.execute("INSERT INTO article_names (article_id, key, name) VALUES (1, 'putin', 'Putin')")
    monkeypatch.undo()
    with pg_module.PostgresStore.open(target) as s:
        assert s.query("SELECT term, day FROM story_terms WHERE kind = 'name'") == [
            {"term": "putin", "day": "2026-03-10"}
        ]
        assert s.query("SELECT term, stories FROM term_days WHERE kind = 'name'") == [
            {"term": "putin", "stories": 1}
        ]
