"""store/copy.py and `monitor db copy`: a real SQLite file copied into a real PostgreSQL server
(and back), whole, resumed after an interruption, checked by its counts."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from monitor.cli.main import main
from monitor.config import FeedConfig
from monitor.database import PostgresURL, parse_target
from monitor.errors import StoreError
from monitor.ingest.parse import Entry, content_hash
from monitor.pollerlock import COPY, RUN, PollerBusy, poller_lock
from monitor.store import AnyStore, PostgresStore, Store, open_store
from monitor.store import copy as copy_module
from monitor.store.copy import (
    DERIVED,
    RUNTIME_TABLES,
    TABLES,
    copied_columns,
    copy_database,
    count_mismatches,
    forward_refs,
    resume_problem,
    same_database,
)
from monitor.timeutil import iso

from .conftest import ok_update

T0 = datetime(2025, 3, 22, 18, 0, tzinfo=UTC)
FEEDS = (
    FeedConfig(url="https://a.example/rss", name="Alpha News", tags=("world",)),
    FeedConfig(url="https://b.example/rss", name="Le Bêta", language="fr"),
)
WORDS = ("harbour", "election", "storm", "budget", "vaccine", "bridge")


# --- a populated store, built through the store's own methods ---------------------------


def entry(n: int) -> Entry:
    title = f"The {WORDS[n % len(WORDS)]} story number {n}"
    text = f"Reporting on the {WORDS[n % len(WORDS)]} for the {n}th time, with « quotes » and ünïcode."
    published = T0 + timedelta(minutes=n)
    return Entry(
        guid=f"guid-{n}",
        url=f"https://n.example/{n}",
        link=f"https://n.example/{n}",
        title=title,
        text=text,
        html=f"<p>{text}</p>",
        published=published,
        published_estimated=n % 5 == 0,
        language="fr" if n % 2 else "en",
        language_source="feed",
        author="A. Writer" if n % 3 == 0 else None,
        content_hash=content_hash(title, text),
    )


def story(story_id: int) -> dict[str, Any]:
    """A story row as the stage writes it."""
    return {
        "id": story_id, "model": "e5-small", "first_seen": iso(T0), "last_seen": iso(T0 + timedelta(hours=1)),
        "headline_article_id": None, "n_articles": 3, "n_outlets": 2, "n_languages": 2,
        "languages": '["en", "fr"]', "entities": '["ukraine"]', "keys": '{"ukraine": 3}',
        "centroid": np.arange(4, dtype=np.float32).tobytes(), "titles": "[]",
    }  # fmt: skip


def populate(store: AnyStore, articles: int = 18) -> None:
    """Feeds, articles with vectors and places, stories (merged forward and back, threads), copies
    pointing forward and back, a digest, watches with matches, alerts and outbox rows, names
    found and articles waiting for theirs."""
    store.sync_feeds(FEEDS, now=T0)
    feeds = store.feeds()
    for n in range(articles):
        feed = feeds[n % 2]
        at = T0 + timedelta(minutes=n)
        store.record_poll(feed, ok_update(at), [entry(n)], url=feed.url, duration_ms=5 + n, size=1000)
    ids = [int(r["id"]) for r in store.query("SELECT id FROM articles ORDER BY id")]
    n_stories = articles // 3
    assignments = []
    for index, article_id in enumerate(ids):
        duplicate_of = None
        if index == 1:
            duplicate_of = ids[-1]  # a copy of a later article (a forward reference)
        elif index == len(ids) - 2:
            duplicate_of = ids[0]
        assignments.append(
            {
                "article_id": article_id, "story_id": index // 3 + 1, "duplicate_of": duplicate_of,
                "similarity": 0.5 + index / 100, "score": 0.25, "shared_keys": index % 4,
                "gap_hours": index / 3, "reason": "joined", "minhash": bytes([index]) * 16,
            }
        )  # fmt: skip
    vectors = [(i, np.full(4, i / 7, dtype=np.float32).tobytes(), "e5-small") for i in ids[:-3]]
    records = [story(s) for s in range(1, n_stories + 1)]
    means = [("e5-small", code, 3, np.full(4, 0.25, dtype=np.float64).tobytes()) for code in ("", "ru")]
    store.stories_write(assignments, [], records, T0, vectors, threads=[(3, 2)], language_means=means)
    store.stories_write([], [(1, 4)], [], T0 + timedelta(minutes=1))  # merged into a later story
    store.stories_write([], [(5, 2)], [], T0 + timedelta(minutes=2))  # and into an earlier one
    store.places_write(
        [(i, [{"geonameid": 2017370 + i, "name": f"Place {i}", "country": "RU"}]) for i in ids[::4]]
    )
    store.digest_insert(date(2025, 3, 22), "Reader@Example.org", T0, "<d1@x>", "hello", [2, 4], "pending", T0)
    store.digest_insert(date(2025, 3, 21), "reader@example.org", T0, None, None, [], "skipped", T0)
    watches = store.watches_sync(
        [("Storms", "f1", json.dumps({"query": "storm"})), ("Budget", "f2", json.dumps({"query": "budget"}))],
        T0,
    )
    by_name = {w["name"]: int(w["id"]) for w in watches}
    matched = [a for a in assignments if a["article_id"] in ids[2::6]]
    store.watch_write(
        [
            {
                "watch_id": by_name["Storms"], "article_id": a["article_id"], "story_id": a["story_id"],
                "published": iso(T0), "why": {"terms": ["storm"]}, "similarity": None, "backfill": 0,
            }
            for a in matched
        ],
        [a["article_id"] for a in matched],
        T0,
    )  # fmt: skip
    putin = {"key": "putin", "name": "Путин", "variants": ["Путин", "Путина"], "mentions": 2}
    store.names_write({ids[0]: [putin], ids[1]: []})  # the other articles still wait for theirs
    for story_id, key in ((2, "k-2"), (4, "k-4")):
        store.alert_record(
            by_name["Storms"], story_id, "webhook", "https://hook.example/in", ["en", "fr"], 2,
            {"idempotency_key": key, "payload": {"story": story_id}, "next_attempt_at": iso(T0),
             "expires_at": iso(T0 + timedelta(days=1))},
            T0, previous=None,
        )  # fmt: skip


def table_rows(store: AnyStore, name: str) -> list[dict[str, Any]]:
    """Every row of a table by its key, as the store reads it (without what PostgreSQL's
    triggers fill and its worker columns: DERIVED)."""
    key = next(t.key for t in TABLES if t.name == name)
    rows = [
        {k: v for k, v in r.items() if k not in DERIVED and k != "worker"}
        for r in store.query(f'SELECT * FROM "{name}"')
    ]
    return sorted(rows, key=lambda r: tuple(r[k] for k in key))


def assert_same(a: AnyStore, b: AnyStore) -> None:
    for table in TABLES:
        assert table_rows(a, table.name) == table_rows(b, table.name), table.name
    # what the triggers filled as the copy went (not copied): the terms rising trends count
    terms = "SELECT story_id, kind, term, day FROM story_terms ORDER BY story_id, kind, term"
    assert a.query(terms) == b.query(terms)
    days = "SELECT kind, day, term, stories FROM term_days ORDER BY kind, day, term"
    assert a.query(days) == b.query(days)


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(tmp_path / "monitor.db")
    populate(store)
    yield store
    store.close()


@pytest.fixture
def pg_url(pg_database: Callable[[str], str]) -> str:
    return pg_database("pg")


def pg_target(url: str) -> PostgresURL:
    target = parse_target(url)
    assert isinstance(target, PostgresURL)
    return target


# --- the copy -------------------------------------------------------------------------


def test_the_populated_store_has_every_table_filled(source: Store) -> None:
    for table in TABLES:
        assert source.count(table.name), table.name
    forward = source.query("SELECT id, duplicate_of FROM articles WHERE duplicate_of > id")
    merged = source.query("SELECT id, merged_into FROM stories WHERE merged_into > id")
    assert forward and merged  # the references the copy has to set after their table


def test_a_sqlite_store_copied_to_postgresql_and_back_is_the_same_row_for_row(
    source: Store, pg_url: str, tmp_path: Path
) -> None:
    result = copy_database(source.path, pg_target(pg_url), batch_rows=5)
    assert {t.name: t.rows for t in result.tables} == {t.name: source.count(t.name) for t in TABLES}
    assert all(t.copied == t.rows for t in result.tables)
    with PostgresStore.open(pg_target(pg_url)) as copied:
        assert_same(source, copied)
        embedding = copied.query("SELECT embedding FROM articles WHERE embedding IS NOT NULL LIMIT 1")[0]
        assert isinstance(embedding["embedding"], bytes) and len(embedding["embedding"]) == 16
    back = tmp_path / "back.db"
    copy_database(pg_target(pg_url), back)
    with Store.open(back) as again:
        assert_same(source, again)
        assert [r["id"] for r in again.search("harbour")] == [r["id"] for r in source.search("harbour")]


def test_an_interrupted_copy_run_again_ends_the_same(
    source: Store, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = copy_module.write_batch
    calls = 0

    def failing(*args: Any) -> None:
        nonlocal calls
        calls += 1
        if calls > 7:
            raise KeyboardInterrupt
        real(*args)

    monkeypatch.setattr(copy_module, "write_batch", failing)
    with pytest.raises(KeyboardInterrupt):
        copy_database(source.path, pg_target(pg_url), batch_rows=2)
    with PostgresStore.open(pg_target(pg_url)) as partial:
        assert partial.count("articles") < source.count("articles")  # stopped inside articles
        assert partial.count("stories") == source.count("stories")
    monkeypatch.setattr(copy_module, "write_batch", real)
    result = copy_database(source.path, pg_target(pg_url), batch_rows=2)
    copied_now = {t.name: t.copied for t in result.tables}
    assert copied_now["feeds"] == 0 and 0 < copied_now["articles"] < source.count("articles")
    with PostgresStore.open(pg_target(pg_url)) as copied:
        assert_same(source, copied)
    again = copy_database(source.path, pg_target(pg_url))  # a third run has nothing to do
    assert all(t.copied == 0 for t in again.tables)


def test_a_row_missing_from_the_copy_fails_the_count_check_naming_the_table(
    source: Store, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = copy_module.write_batch

    def dropping(target: Any, table: str, sql: str, rows: Sequence[Any]) -> None:
        real(target, table, sql, rows[1:] if table == "fetch_log" else rows)

    monkeypatch.setattr(copy_module, "write_batch", dropping)
    n = source.count("fetch_log")
    with pytest.raises(
        StoreError, match=rf"incomplete: fetch_log: {n} rows in the source, {n - 1} in the target"
    ):
        copy_database(source.path, pg_target(pg_url))


def test_search_works_on_the_copy(source: Store, pg_url: str) -> None:
    copy_database(source.path, pg_target(pg_url))
    with PostgresStore.open(pg_target(pg_url)) as copied:
        found = {r["id"] for r in copied.search("harbour")}
        assert found == {r["id"] for r in source.search("harbour")}
        assert len(found) == 3


def test_rows_added_after_the_copy_get_new_ids(source: Store, pg_url: str) -> None:
    copy_database(source.path, pg_target(pg_url))
    with PostgresStore.open(pg_target(pg_url)) as copied:
        top = int(copied.query("SELECT MAX(id) AS m FROM articles")[0]["m"])
        feed = copied.feeds()[0]
        copied.record_poll(feed, ok_update(T0), [entry(100)], url=feed.url, duration_ms=1, size=1)
        assert copied.query("SELECT id FROM articles WHERE guid = 'guid-100'")[0]["id"] == top + 1
        copied.sync_feeds([*FEEDS, FeedConfig(url="https://c.example/rss")], now=T0)
        assert [f.id for f in copied.feeds()] == [1, 2, 3]


def test_a_target_holding_other_news_is_refused_before_anything_is_written(
    source: Store, pg_url: str
) -> None:
    with PostgresStore.open(pg_target(pg_url)) as other:
        other.sync_feeds([FeedConfig(url="https://elsewhere.example/rss")], now=T0)
    with pytest.raises(StoreError, match=r"already holds other data .*feeds row 1 \(url='https://elsewhere"):
        copy_database(source.path, pg_target(pg_url))
    with PostgresStore.open(pg_target(pg_url)) as other:
        assert other.count("articles") == 0


def test_a_target_with_more_rows_than_the_source_is_refused(source: Store, tmp_path: Path) -> None:
    target = tmp_path / "target.db"
    copy_database(source.path, target)
    with Store.open(target) as copied:
        feed = copied.feeds()[0]
        copied.record_poll(feed, ok_update(T0), [entry(100)], url=feed.url, duration_ms=1, size=1)
    with pytest.raises(
        StoreError, match=r"articles holds 19 rows with ids up to 19, where the source holds 18"
    ):
        copy_database(source.path, target)


# --- the tables and the pure decisions ------------------------------------------------


def test_the_tables_are_the_schema_s_in_foreign_key_order(tmp_path: Path, pg_url: str) -> None:
    order = [t.name for t in TABLES]
    with Store.open(tmp_path / "fresh.db") as fresh, open_store(pg_target(pg_url)) as pg:
        names = [
            r["name"]
            for r in fresh.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            if r["name"] not in ("schema_migrations", *RUNTIME_TABLES)
            and not r["name"].startswith(("articles_fts", "sqlite_"))
        ]
        assert sorted(names) == sorted(order)
        for table in order:
            for ref in fresh.query('SELECT DISTINCT "table" AS t FROM pragma_foreign_key_list(?)', [table]):
                assert order.index(ref["t"]) <= order.index(table), (table, ref["t"])
        pg_names = pg.query(
            "SELECT table_name AS name FROM information_schema.tables "
            "WHERE table_schema = current_schema() AND table_name <> 'schema_migrations'"
        )
        assert sorted(r["name"] for r in pg_names) == sorted([*order, *RUNTIME_TABLES])
        for table in TABLES:
            columns = copied_columns(pg.web_columns(table.name), fresh.web_columns(table.name))
            assert columns[1] == (("worker",) if table.name == "fetch_log" else ())


def test_references_to_rows_not_yet_written_wait_for_the_end_of_the_table() -> None:
    assert forward_refs((5, "x", 9), 0, [2]) == (5, "x", None)
    assert forward_refs((5, "x", 5), 0, [2]) == (5, "x", None)
    assert forward_refs((5, "x", 2), 0, [2]) == (5, "x", 2)
    assert forward_refs((5, "x", None), 0, [2]) == (5, "x", None)


def test_counts_and_resumes_are_judged_as_plain_data() -> None:
    assert count_mismatches([("feeds", 2, 2), ("articles", 10, 9)]) == [
        "articles: 10 rows in the source, 9 in the target"
    ]
    articles = TABLES[2]
    assert resume_problem(articles, 0, 0, 0) is None
    assert resume_problem(articles, 500, 500, 512) is None
    assert resume_problem(articles, 3, 500, 512) == (
        "articles holds 3 rows with ids up to 512, where the source holds 500"
    )
    assert copied_columns(frozenset({"id", "a", "c", "search"}), frozenset({"id", "a", "b"})) == (
        ["a", "id"],
        ("c",),
    )


def test_one_database_is_recognised_under_two_spellings(tmp_path: Path) -> None:
    (tmp_path / "m.db").touch()
    assert same_database(tmp_path / "m.db", tmp_path / "." / "m.db")
    assert not same_database(tmp_path / "m.db", tmp_path / "n.db")
    one = pg_target("postgresql://monitor@db.example/monitor")
    assert same_database(one, pg_target("postgresql://other@db.example:5432/monitor"))
    assert not same_database(one, pg_target("postgresql://monitor@db.example/monitor2"))
    assert not same_database(one, tmp_path / "m.db")


# --- the command ------------------------------------------------------------------------


def test_the_command_copies_and_prints_what_it_did(source: Store, pg_url: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["db", "copy", "--from", str(source.path), "--to", pg_url])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"Copied {source.path} to {pg_target(pg_url).label}:"
    assert any(line.split()[:2] == ["articles", "18"] for line in lines)
    assert lines[-1].startswith("Every table holds as many rows as the source's;")
    back = CliRunner().invoke(main, ["db", "copy", "--from", pg_url, "--to", str(tmp_path / "back.db")])
    assert back.exit_code == 0, back.output
    assert "Not copied (the target has no such column): fetch_log.worker." in back.output


def test_the_command_refuses_one_database_onto_itself_and_bad_urls_in_one_line(source: Store) -> None:
    runner = CliRunner()
    same = runner.invoke(main, ["db", "copy", "--from", str(source.path), "--to", str(source.path)])
    assert same.exit_code == 1
    assert same.output.strip().splitlines() == [
        f"monitor: error: {source.path} and {source.path} are the same database: name another target"
    ]
    bad = runner.invoke(
        main, ["db", "copy", "--from", str(source.path), "--to", "postgresql://u:secret@h/db"]
    )
    assert bad.exit_code == 1
    assert len(bad.output.strip().splitlines()) == 1 and "secret" not in bad.output
    assert bad.output.startswith("monitor: error: --to: database URL: it holds a password")


def test_the_command_waits_for_no_poller_and_holds_both_databases_meanwhile(
    source: Store, pg_url: str
) -> None:
    runner = CliRunner()
    with poller_lock(source.path, RUN):
        busy = runner.invoke(main, ["db", "copy", "--from", str(source.path), "--to", pg_url])
    assert busy.exit_code == 1
    assert busy.output.startswith("monitor: error: monitor run (pid ")
    assert "stop it (`systemctl stop monitor`)" in busy.output
    with poller_lock(pg_target(pg_url), RUN):
        busy = runner.invoke(main, ["db", "copy", "--from", str(source.path), "--to", pg_url])
    assert busy.exit_code == 1 and f"is polling {pg_target(pg_url).label}" in busy.output
    copying, polling = poller_lock(pg_target(pg_url), COPY), poller_lock(pg_target(pg_url), RUN)
    with copying, pytest.raises(PollerBusy, match=r"^monitor db copy \(pid "), polling:
        pass


def test_a_value_the_target_cannot_hold_names_the_rows_of_its_batch(tmp_path: Path, pg_url: str) -> None:
    with Store.open(tmp_path / "nul.db") as store:
        populate(store)
        with store.transaction():  # SQLite holds a NUL in text; PostgreSQL's text cannot
            store.db.execute("UPDATE articles SET title = 'a' || char(0) || 'b' WHERE id = 4")
    with pytest.raises(StoreError, match=r"while copying articles \(id 1 to id 5\): .*NUL"):
        copy_database(tmp_path / "nul.db", pg_target(pg_url), batch_rows=5)
