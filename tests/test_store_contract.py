"""One contract, every backend: each case runs on SQLite, on stock PostgreSQL (Debian's, no
pgvector) and on PostgreSQL with pgvector, and expects the same answers.

The last cases run the whole product (poll, stories, threads, watches, search, export, the
digest, the JSON API) on the same news into SQLite and into PostgreSQL, and compare what a
user sees, command by command.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from monitor.cli import main
from monitor.config import FeedConfig
from monitor.database import parse_target
from monitor.errors import StoreError
from monitor.feedserver import FeedServer
from monitor.ingest.pages import PAGE_WAIT
from monitor.ingest.parse import Entry, content_hash
from monitor.ingest.schedule import FeedWindow
from monitor.outlets import outlet_name
from monitor.store import AnyStore, FeedUpdate, PageWrite, Target, open_store
from monitor.store import postgres as postgres_module
from monitor.store import sqlite as sqlite_module
from monitor.timeutil import utcnow
from monitor.watches.query import Document, QuerySyntaxError, evaluate, parse_query

from .conftest import ROOT, write_config
from .conftest import ok_update as poll_update

T0 = datetime(2025, 3, 22, 18, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "pg", "pgvector"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def target(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Target:
    if backend == "sqlite":
        return tmp_path / "monitor.db"
    return parse_target(request.getfixturevalue("pg_database")(backend))


@pytest.fixture
def store(target: Target) -> Iterator[AnyStore]:
    opened = open_store(target)
    opened.sync_feeds(
        [
            FeedConfig(url="https://a.example/rss", name="A — World", tags=("world", "europe")),
            FeedConfig(url="https://b.example/rss", tags=("sport",)),
        ]
    )
    yield opened
    opened.close()


def entry(
    guid: str, title: str = "Title", text: str = "Body", *, language: str = "en", hours: float = 0
) -> Entry:
    return Entry(
        guid=guid,
        url=f"https://n.example/{guid}",
        link=f"https://n.example/{guid}",
        title=title,
        text=text,
        html=f"<p>{text}</p>",
        published=T0 + timedelta(hours=hours),
        published_estimated=False,
        language=language,
        language_source="feed",
        author=None,
        content_hash=content_hash(title, text),
    )


def ok(now: datetime = T0) -> FeedUpdate:
    return poll_update(now, etag='"v1"', body_hash="h")


def poll(store: AnyStore, url: str, entries: list[Entry], now: datetime = T0) -> Any:
    feed = store.feed_by_url(url)
    assert feed is not None
    return store.record_poll(feed, ok(now), entries, url=url, duration_ms=12, size=345)


NEWS = [
    entry("m1", "Gunmen attack concert hall near Moscow", "Gunmen opened fire at Crocus City Hall."),
    entry(
        "m2", "Concert attack: death toll rises", "The toll of the attack near Moscow rose to 133.", hours=5
    ),
    entry(
        "f1",
        "Attaque près de Moscou",
        "Des hommes armés ont ouvert le feu au Crocus City Hall.",
        language="fr",
    ),
    entry("s1", "Arsenal beat Chelsea in the derby", "Arsenal won 5-0 at the Emirates.", hours=30),
    entry("c1", "东京股市上涨", "日经指数周五上涨百分之二", language="zh"),
]


def test_a_fresh_database_is_at_the_schema_version_and_an_older_monitor_refuses_it(
    target: Target, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_store(target) as s:
        version = s.schema_version()
        assert version >= 1
        assert s.migrate() == []  # nothing left to do the second time
    for module in (sqlite_module, postgres_module):  # this code is now one version behind
        monkeypatch.setattr(module, "SCHEMA_VERSION", version - 1)
    for readonly in (False, True):
        with pytest.raises(
            StoreError, match=rf"at schema version {version}, newer than this monitor \({version - 1}\)"
        ):
            open_store(target, readonly=readonly)


def test_articles_are_stored_once_and_updated_in_place(store: AnyStore) -> None:
    counts = poll(store, "https://a.example/rss", NEWS[:2])
    assert (counts.new, counts.updated, counts.unchanged) == (2, 0, 0)
    again = poll(
        store,
        "https://a.example/rss",
        [NEWS[0], entry("m2", "Concert attack: 133 dead", "Rose to 133.", hours=5)],
    )
    assert (again.new, again.updated, again.unchanged) == (0, 1, 1)
    rows = list(store.export_articles())
    assert [(r["guid"], r["title"], r["published"], r["published_estimated"]) for r in rows] == [
        ("m1", "Gunmen attack concert hall near Moscow", "2025-03-22T18:00:00Z", False),
        ("m2", "Concert attack: 133 dead", "2025-03-22T23:00:00Z", False),
    ]
    assert rows[1]["updated_at"] == "2025-03-22T18:00:00Z"
    assert store.count("articles") == 2
    assert [r["guid"] for r in store.export_articles(since=T0 + timedelta(hours=1))] == ["m2"]


def test_places_are_stored_exported_and_read_again_when_an_article_changes(store: AnyStore) -> None:
    poll(store, "https://a.example/rss", NEWS[:2])
    pending = store.places_pending(10)
    assert [r["title"] for r in pending] == [NEWS[0].title, NEWS[1].title]
    assert pending[0]["feed_url"] == "https://a.example/rss" and store.places_pending_count() == 2
    moscow = {"geonameid": 524901, "name": "Moscow", "country": "RU"}
    russia = {"geonameid": 2017370, "name": "Россия", "country": "RU"}
    first, second = (r["id"] for r in pending)
    store.places_write([(first, [moscow, russia]), (second, [])])
    assert store.places_pending(10) == [] and store.places_pending_count() == 0
    assert store.article_places([first, second]) == {first: [moscow, russia], second: []}
    assert [r["places"] for r in store.export_articles()] == [[moscow, russia], []]
    assert store.articles_in_country("ru") == [first]
    store.places_write([(first, [moscow])])  # written again: the rows follow
    assert store.article_places([first]) == {first: [moscow]}
    assert store.count("article_places") == 1
    # a changed text is read again; an unchanged poll keeps the places
    poll(store, "https://a.example/rss", [NEWS[0], entry("m2", "Concert attack: 133 dead", "Rose.", hours=5)])
    assert [r["id"] for r in store.places_pending(10)] == [second]
    assert store.article_places([first, second]) == {first: [moscow]}


def test_page_text_replaces_a_teaser_once_and_a_failure_keeps_the_feeds(store: AnyStore) -> None:
    teasers = [replace(entry(f"t{n}", f"Teaser {n}", f"First words of story {n}…", hours=n), wants_page=True)
               for n in range(3)]  # fmt: skip
    poll(store, "https://a.example/rss", [*teasers, entry("whole", "Whole", "A whole article.")], utcnow())
    feed = store.feed_by_url("https://a.example/rss")
    assert feed is not None
    pending = store.pages_pending(feed.id, 2)
    assert [r["link"] for r in pending] == ["https://n.example/t2", "https://n.example/t1"]  # newest first
    # the stories stage waits for a page being read (first seen just now), at most PAGE_WAIT
    assert [r["title"] for r in store.stories_pending(10)] == ["Whole"]
    slow = replace(entry("slow", "Slow host", "First words…", hours=-1), wants_page=True)
    poll(store, "https://b.example/rss", [slow], utcnow() - PAGE_WAIT - timedelta(seconds=1))
    assert [r["title"] for r in store.stories_pending(10)] == ["Slow host", "Whole"]
    store.pages_skip(store.feed_by_url("https://b.example/rss").id, "test")
    page = "Le texte entier de l'article, lu sur sa page, bien plus long que l'accroche du flux."
    ids = {r["link"]: int(r["id"]) for r in pending}
    store.record_pages(
        [
            PageWrite(ids["https://n.example/t2"], page, "fr", "https://n.example/canonical-t2"),
            PageWrite(ids["https://n.example/t1"], None, error="HTTP 404 Not Found"),
        ]
    )
    assert store.pages_skip(feed.id, "past the budget of 2 pages per poll") == 1
    assert store.pages_pending(feed.id, 10) == []
    rows = {r["guid"]: r for r in store.export_articles()}
    assert (rows["t2"]["text"], rows["t2"]["text_source"], rows["t2"]["language"]) == (page, "page", "fr")
    assert (rows["t1"]["text"], rows["t1"]["text_source"]) == ("First words of story 1…", "feed")
    assert rows["whole"]["text_source"] == "feed"
    assert store.page_failures() == {"https://a.example/rss": 1}
    # the article's view: its whole text, where it came from, why a page was not read
    shown = store.web_article(ids["https://n.example/t2"])
    assert shown is not None
    assert (shown["text"], shown["text_source"], shown["outlet"]) == (page, "page", "A — World")
    failed = store.web_article(ids["https://n.example/t1"])
    assert failed is not None
    assert (failed["text_source"], failed["page_error"]) == ("feed", "HTTP 404 Not Found")
    assert store.web_article(10**9) is None
    stats = {r["url"]: (r["articles"], r["pages_read"], r["page_failures"]) for r in store.feed_stats()}
    assert stats == {"https://a.example/rss": (4, 1, 1), "https://b.example/rss": (1, 0, 0)}
    assert {r["title"] for r in store.stories_pending(10)} == {
        "Whole", "Teaser 0", "Teaser 1", "Teaser 2", "Slow host"
    }
    assert [r["id"] for r in store.search("entier")] == [ids["https://n.example/t2"]]
    # the feed edits its teaser: the title follows, the page's text stays
    poll(store, "https://a.example/rss", [entry("t2", "Teaser 2, updated", "New teaser…", hours=2)], utcnow())
    rows = {r["guid"]: r for r in store.export_articles()}
    assert (rows["t2"]["title"], rows["t2"]["text"]) == ("Teaser 2, updated", page)
    # another feed linking the page's canonical URL is the same article
    same_page = replace(entry("x"), url="https://n.example/canonical-t2")
    counts = poll(store, "https://b.example/rss", [same_page], utcnow())
    assert (counts.new, counts.unchanged) == (0, 1)


def test_a_page_whose_host_asked_to_wait_is_pending_again_after_its_time(store: AnyStore) -> None:
    now = utcnow()
    teaser = replace(entry("t", "Teaser", "First words…"), wants_page=True)
    poll(store, "https://a.example/rss", [teaser], now)
    feed = store.feed_by_url("https://a.example/rss")
    assert feed is not None
    (row,) = store.pages_pending(feed.id, 10, now)
    later = now + timedelta(minutes=5)
    store.record_pages([PageWrite(int(row["id"]), None, error="retry-after: HTTP 429", retry_at=later)])
    # Not before its time, not skipped with the pages past a poll's budget, and not a failure.
    assert store.pages_pending(feed.id, 10, now) == [] and store.pages_waiting_feeds(now) == set()
    assert store.pages_skip(feed.id, "past the budget") == 0 and store.page_failures() == {}
    assert store.pages_waiting_feeds(later) == {feed.id}
    (again,) = store.pages_pending(feed.id, 10, later)
    assert (again["id"], again["page_attempts"]) == (row["id"], 1)
    store.record_pages([PageWrite(int(row["id"]), "The whole article, read from its page at last.")])
    assert store.pages_pending(feed.id, 10, later) == [] and store.pages_waiting_feeds(later) == set()
    (exported,) = store.export_articles()
    assert exported["text_source"] == "page"


def test_pending_articles_come_in_decision_order_whatever_their_ids(store: AnyStore) -> None:
    """Publication time, feed, GUID (monitor.stories.order), so that a batch's limit cuts
    alike whatever order polls stored them in."""
    same_time = [entry(f"s{n}", f"Same time {n}") for n in range(4)]
    poll(store, "https://a.example/rss", [entry("late", hours=1), *same_time[::-1], entry("early", hours=-1)])
    expected = ["early", *sorted(e.guid for e in same_time), "late"]
    assert [r["guid"] for r in store.stories_pending(10)] == expected
    assert [r["guid"] for r in store.stories_pending(3)] == expected[:3]


def test_feed_state_and_failures_read_back_alike(store: AnyStore) -> None:
    poll(store, "https://a.example/rss", NEWS[:1])
    feed = store.feed_by_url("https://a.example/rss")
    assert feed is not None
    assert (feed.name, feed.tags, feed.etag, feed.last_status) == (
        "A — World",
        ("world", "europe"),
        '"v1"',
        "ok",
    )
    assert feed.last_polled == T0 and feed.next_due == T0 + timedelta(minutes=30)
    failed = FeedUpdate(
        polled_at=T0 + timedelta(hours=1), status="error", http_status=500, next_due=T0 + timedelta(hours=2),
        error_count=1, etag=None, last_modified=None, body_hash=None, ttl_seconds=None, max_age_seconds=None,
        retry_after=None, error="HTTP 500", error_step="while fetching",
    )  # fmt: skip
    store.record_poll(feed, failed, [], url=feed.url, duration_ms=5, size=None)
    after = store.feed_by_url("https://a.example/rss")
    assert after is not None
    assert (after.error_count, after.last_status, after.last_http_status) == (1, "error", 500)
    (stats,) = [r for r in store.web_feeds("2025-01-01T00:00:00Z") if r["url"] == feed.url]
    assert (stats["last_error"], stats["last_success"], stats["last_error_at"]) == (
        "HTTP 500",
        "2025-03-22T18:00:00Z",
        "2025-03-22T19:00:00Z",
    )
    # b was added now (not due at T0); a is due again after its failure
    assert [f.url for f in store.due_feeds(T0 + timedelta(hours=3))] == ["https://a.example/rss"]
    store.sync_feeds([FeedConfig(url="https://b.example/rss")])
    assert [f.url for f in store.feeds()] == ["https://b.example/rss"]


def test_what_a_feed_listed_reads_back_alike_and_a_304_keeps_it(store: AnyStore) -> None:
    """The pace of a feed's next poll time comes from its last read body's items: stored with
    the poll on every backend, kept by a poll that read no body (a 304, an error)."""
    feed = store.feed_by_url("https://a.example/rss")
    assert feed is not None and feed.window is None  # never read
    listed = FeedWindow(listed=20, dated=18, times=17, oldest=T0 - timedelta(hours=4))
    store.record_poll(feed, replace(ok(T0), window=listed), [], url=feed.url, duration_ms=1, size=1)
    read = store.feed_by_url(feed.url)
    assert read is not None and read.window == listed
    store.record_poll(read, ok(T0 + timedelta(minutes=12)), [], url=feed.url, duration_ms=1, size=None)
    again = store.feed_by_url(feed.url)
    assert again is not None and again.window == listed
    assert [f.window for f in store.due_feeds(T0 + timedelta(days=1)) if f.url == feed.url] == [listed]


def test_the_feed_due_first_is_found_alike(store: AnyStore) -> None:
    """What `monitor run` names as its next poll when it starts."""
    poll(store, "https://a.example/rss", [], now=T0 + timedelta(hours=2))
    poll(store, "https://b.example/rss", [], now=T0)
    first = store.first_due()
    assert first is not None and first.url == "https://b.example/rss"
    assert first.next_due == T0 + timedelta(minutes=30)
    poll(store, "https://b.example/rss", [], now=T0 + timedelta(hours=3))
    first = store.first_due()
    assert first is not None and first.url == "https://a.example/rss"
    store.sync_feeds([FeedConfig(url="https://b.example/rss")])  # a is no longer followed
    first = store.first_due()
    assert first is not None and first.url == "https://b.example/rss"
    store.sync_feeds([])
    assert store.first_due() is None


@pytest.mark.parametrize(
    ("query", "guids"),
    [
        ("moscow", {"m1", "m2"}),
        ('"concert hall"', {"m1"}),
        ("conc*", {"m1", "m2"}),
        ("moscow NOT toll", {"m1"}),
        ("arsenal OR toll", {"m2", "s1"}),
        ("(arsenal OR gunmen) AND hall", {"m1"}),
        ('"half', set()),  # not valid syntax: searched as its words
        ("AND", set()),
        ("NOT moscow", set()),  # only NOT: nothing (monitor search refuses it), never its word
        ("NOT 日经指数", set()),
        ("5-0", {"s1"}),
        ("日经指数", {"c1"}),  # no spaces between words: found as a substring
    ],
)
def test_search_takes_one_syntax_everywhere(store: AnyStore, query: str, guids: set[str]) -> None:
    poll(store, "https://a.example/rss", NEWS)
    found = {r["url"].rsplit("/", 1)[1] for r in store.search(query, limit=10)}
    assert found == guids
    web = {r["url"].rsplit("/", 1)[1] for r in store.web_search(query)}
    assert web == (guids if query != "日经指数" else set())  # the web has no substring fallback


def test_long_queries_run_on_every_backend(store: AnyStore) -> None:
    """Issue 23: media-monitoring queries of 500 terms and 10,000 characters, within FTS5's
    parser stack and PostgreSQL's tsquery recursion (balanced: 500 ORs nest 9 deep)."""
    poll(store, "https://a.example/rss", NEWS)
    absent = [f"absent{i}" for i in range(499)]

    def found(query: str) -> set[str]:
        hits = {r["url"].rsplit("/", 1)[1] for r in store.search(query, limit=20)}
        assert {r["url"].rsplit("/", 1)[1] for r in store.web_search(query)} == hits
        return hits

    assert found(" OR ".join([*absent, "moscow"])) == {"m1", "m2"}
    assert found(" OR ".join(["moscow", *absent])) == {"m1", "m2"}
    assert found(" AND ".join(["moscow", *(f"NOT {w}" for w in absent)])) == {"m1", "m2"}
    either = " OR ".join([*absent, '"concert hall"', "arsen*"])
    assert found(f"({either}) NOT ({' OR '.join(absent)})") == {"m1", "s1"}
    long = "(" + " OR ".join([*absent[:400], "moscow"]) + ") AND NOT toll"
    long += " " * (10_000 - len(long) - 11) + " AND attack"
    assert len(long) == 10_000 and found(long) == {"m1"}
    nested = "moscow" + " AND (attack OR (gunmen" * 14 + ")" * 28
    assert found(nested) == {"m1", "m2"}


_WORDS = ["moscow", "attack", "concert", "hall", "gunmen", "toll", "arsenal", "crocus", "the", "near"]
_TERMS = [*_WORDS, '"concert hall"', '"death toll"', "conc*", "att*", "mosc*"]


def _random_query(rng: random.Random, depth: int) -> str:
    if depth == 0 or rng.random() < 0.3:
        return rng.choice(_TERMS)
    kind = rng.choice(["and", "or", "not", "juxtaposed"])
    left, right = _random_query(rng, depth - 1), _random_query(rng, depth - 1)
    if kind == "not":
        return f"{left} AND NOT ({right})"
    if kind == "juxtaposed":
        return f"({left}) ({right})"
    return f"({left}) {kind.upper()} ({right})"


def test_search_finds_what_a_watch_query_matches(store: AnyStore) -> None:
    """The translation to FTS5 (binary NOT, precedence) and to tsquery keeps the meaning of
    the query language: every backend finds the articles the watches' matcher matches."""
    poll(store, "https://a.example/rss", NEWS)
    rng = random.Random(23)
    for _ in range(60):
        query = _random_query(rng, 4)
        try:
            tree = parse_query(query)
        except QuerySyntaxError:
            continue
        expected = {e.guid for e in NEWS if evaluate(tree, Document(e.title, e.text))[0]}
        assert {r["url"].rsplit("/", 1)[1] for r in store.search(query, limit=20)} == expected, query


def test_web_search_marks_the_matched_words(store: AnyStore) -> None:
    poll(store, "https://a.example/rss", NEWS)
    (row,) = store.web_search('"concert hall"')
    marked = re.findall("\x02(.*?)\x03", row["title_marked"])
    assert " ".join(marked).lower() == "concert hall"


def test_outlet_names_are_the_same_in_sql_as_in_python(store: AnyStore) -> None:
    cases = [
        ("The Guardian — World", None, "https://www.theguardian.com/world/rss"),
        (None, "Le Monde (ru)", "https://www.lemonde.fr/rss"),
        (None, "BBC News - Home", "https://feeds.bbci.co.uk/news/rss.xml"),
        ("  ", None, "https://rss.example.org:8443/feed"),
        (None, None, "https://feed.example.com/x"),
        (None, "(only brackets)", "https://x.example/"),
        (None, None, "not a url"),
    ]
    for name, title, url in cases:
        (row,) = store.query("SELECT outlet_name(?, ?, ?) AS o", [name, title, url])
        assert row["o"] == outlet_name(name, title, url), (name, title, url)


@pytest.mark.parametrize("flavour", ["pg", "pgvector"])
def test_processes_starting_together_on_postgresql_migrate_once(pg_database: Any, flavour: str) -> None:
    import threading

    target = parse_target(pg_database(flavour))
    applied: list[list[int]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def open_one() -> None:
        try:
            start.wait()
            with open_store(target) as s:
                applied.append(s.migrate())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == [] and len(applied) == 4
    with open_store(target) as s:
        versions = [r["version"] for r in s.query("SELECT version FROM schema_migrations ORDER BY version")]
        assert versions == list(range(1, s.schema_version() + 1))


@pytest.mark.parametrize("flavour", ["pg", "pgvector"])
def test_postgresql_folds_letters_as_the_search_query_does(pg_database: Any, flavour: str) -> None:
    from monitor.store.tsquery import fold

    samples = [
        "Président Ñandú Straße Œuvre ÅNGSTRÖM",
        "Горбачёв й Ё ЙОД",
        "Ελληνικά άέήίόύώ ΐ",
        "plain ascii, nothing to do",
        "東京 株式 上涨 — “quotes” …",
        "",
    ]
    with open_store(parse_target(pg_database(flavour))) as s:
        for text in samples:
            (row,) = s.query("SELECT monitor_fold(?) AS f", [text])
            assert row["f"] == fold(text), text


def test_web_reads_filter_by_tag_language_and_query(store: AnyStore) -> None:
    poll(store, "https://a.example/rss", NEWS[:3])
    poll(store, "https://b.example/rss", NEWS[3:4])
    rows, total = store.web_articles(tag="world", limit=10, offset=0)
    assert total == 3 and {r["language"] for r in rows} == {"en", "fr"}
    rows, total = store.web_articles(language="fr", limit=10, offset=0)
    assert total == 1
    rows, total = store.web_articles(query="arsenal", limit=10, offset=0)
    assert total == 1 and rows[0]["title"].startswith("Arsenal")
    days = store.web_feed_days("2025-03-01T00:00:00Z")
    assert sorted((r["day"], r["n"]) for r in days) == [("2025-03-22", 1), ("2025-03-22", 3)]
    facets = store.web_facets()
    assert facets["tags"] == ["europe", "sport", "world"]
    assert store.web_has_table("articles") and not store.web_has_table("nothing_here")
    assert {"title", "story_id"} <= store.web_columns("articles")


def test_digest_rows_are_once_per_day_and_recipient(store: AnyStore) -> None:
    first = store.digest_insert("2025-03-22", "Ann@Example.org", T0, "<id@x>", "body", [1, 2], "pending", T0)
    again = store.digest_insert("2025-03-22", "ann@example.org", T0, "<id@x>", "body", [1], "pending", T0)
    assert (first, again) == (True, False)
    ready = store.digest_ready(T0 + timedelta(minutes=1), T0 - timedelta(hours=1))
    assert [(r["day"], r["recipient"], r["due_at"]) for r in ready] == [
        ("2025-03-22", "ann@example.org", "2025-03-22T18:00:00Z")
    ]


def test_a_digest_past_its_final_dot_is_never_claimed_again_until_a_person_decides(store: AnyStore) -> None:
    store.digest_insert("2025-03-22", "ann@example.org", T0, "<id@x>", "body", [1], "pending", T0)
    assert store.digest_claim("2025-03-22", "ann@example.org", T0, T0 - timedelta(hours=1))
    assert not store.digest_mark_data_sent("2025-03-22", "ann@example.org", 2, T0)  # not this attempt's claim
    assert store.digest_mark_data_sent("2025-03-22", "ann@example.org", 1, T0)
    assert not store.digest_mark_data_sent("2025-03-22", "ann@example.org", 1, T0)  # once
    later = T0 + timedelta(days=1)
    assert store.digest_ready(later, later) == []  # a stale claim, but past its final dot
    assert not store.digest_claim("2025-03-22", "ann@example.org", later, later)
    (waiting,) = store.digest_errors()
    assert (waiting["state"], waiting["data_sent_at"]) == ("sending", "2025-03-22T18:00:00Z")
    assert store.digest_settle_unknown(T0, "gone", later) == []  # sent at T0, not before
    settled = store.digest_settle_unknown(T0 + timedelta(seconds=1), "gone", later)
    assert [(r["day"], r["recipient"]) for r in settled] == [("2025-03-22", "ann@example.org")]
    row = store.digest_row("2025-03-22", "ann@example.org")
    assert row is not None and (row["state"], row["last_error"]) == ("unknown", "gone")
    assert store.digest_ready(later, later) == []
    assert store.digest_resolve("2025-03-22", "ann@example.org", False, later)  # resend
    assert not store.digest_resolve("2025-03-22", "ann@example.org", True, later)  # no longer unknown
    (ready,) = store.digest_ready(later, later - timedelta(hours=1))
    assert (ready["state"], ready["data_sent_at"]) == ("pending", None)
    assert store.digest_claim("2025-03-22", "ann@example.org", later, later - timedelta(hours=1))
    assert store.digest_mark_data_sent("2025-03-22", "ann@example.org", 2, later)
    store.digest_mark_unknown("2025-03-22", "ann@example.org", "no reply", later)
    assert store.digest_resolve("2025-03-22", "ann@example.org", True, later)  # it arrived after all
    row = store.digest_row("2025-03-22", "ann@example.org")
    assert row is not None and (row["state"], row["sent_at"], row["message"]) == (
        "sent",
        "2025-03-23T18:00:00Z",
        None,
    )


def test_an_alert_mail_past_its_final_dot_is_never_claimed_again_until_a_person_decides(
    store: AnyStore,
) -> None:
    (watch,) = store.watches_sync([("Climate", "fp", "{}")], T0)
    outbox = {
        "idempotency_key": "k1",
        "next_attempt_at": "2025-03-22T18:00:00Z",
        "expires_at": "2025-03-23T18:00:00Z",
        "payload": {"id": 1},
        "envelope": {"watch": "Climate"},
    }
    assert store.alert_record(
        int(watch["id"]), 1, "email", "me@example.org", ["en"], 1, outbox, T0, previous=None
    )
    (row,) = store.outbox_rows()
    claimed = store.outbox_claim(int(row["id"]), T0, T0 - timedelta(hours=1))
    assert claimed is not None and claimed["attempts"] == 1
    assert not store.outbox_mark_data_sent(int(row["id"]), 2, T0)
    assert store.outbox_mark_data_sent(int(row["id"]), 1, T0)
    later = T0 + timedelta(hours=2)
    assert store.outbox_ready(later, later) == [] and store.outbox_claim(int(row["id"]), later, later) is None
    assert [r["id"] for r in store.outbox_in_doubt()] == [row["id"]]
    assert store.outbox_settle_unknown(T0 + timedelta(seconds=1), "gone") == [int(row["id"])]
    (unknown,) = store.outbox_in_doubt()
    assert (unknown["state"], unknown["last_error"]) == ("unknown", "gone")
    assert store.outbox_resolve(int(row["id"]), False, later)
    (again,) = store.outbox_ready(later, later - timedelta(hours=1))
    assert (again["state"], again["data_sent_at"], again["expires_at"]) == (
        "pending",
        None,
        "2025-03-23T20:00:00Z",
    )
    assert store.outbox_in_doubt() == []
    assert store.outbox_claim(int(row["id"]), later, later - timedelta(hours=1)) is not None
    assert store.outbox_mark_data_sent(int(row["id"]), 2, later)
    store.outbox_mark_unknown(int(row["id"]), "no reply")
    assert store.outbox_resolve(int(row["id"]), True, later) and not store.outbox_resolve(
        int(row["id"]), True, later
    )
    (done,) = store.outbox_rows()
    assert (done["state"], done["sent_at"]) == ("sent", "2025-03-22T20:00:00Z")


def test_watches_are_named_without_regard_to_case(store: AnyStore) -> None:
    rows = store.watches_sync([("Putin", "fp1", "{}"), ("arsenal", "fp2", "{}")], T0)
    assert [r["name"] for r in rows] == ["arsenal", "Putin"]
    assert store.watch_row("PUTIN") is not None
    store.watches_sync([("arsenal", "fp2", "{}")], T0 + timedelta(hours=1))
    removed = store.watch_row("putin")
    assert removed is not None and removed["removed_at"] == "2025-03-22T19:00:00Z"
    assert store.watches_prune() == ["Putin"]
    # The same watch renamed in another case is one watch, not two.
    renamed = store.watches_sync([("ARSENAL", "fp2", "{}")], T0 + timedelta(hours=2))
    assert [(r["name"], r["removed_at"]) for r in renamed] == [("ARSENAL", None)]


def test_names_wait_are_stored_and_exported_alike(store: AnyStore) -> None:
    from monitor.entities.stage import run_names_stage

    text = "Vladimir Putin met Emmanuel Macron. Putin said little."
    poll(store, "https://a.example/rss", [entry("n1", "Talks at last", text), NEWS[3]])
    assert store.names_pending_count() == 2  # every new article waits once
    assert run_names_stage(store) == 2 and store.names_pending_count() == 0
    ids = {r["guid"]: r["id"] for r in store.export_articles()}
    names = store.article_names([ids["n1"], ids["s1"]])
    found = [(n["name"], n["mentions"]) for n in names[ids["n1"]]]
    assert found == [("Vladimir Putin", 2), ("Emmanuel Macron", 1)]
    assert names[ids["n1"]][0]["variants"] == ["Vladimir Putin", "Putin"]
    # A watch's matches are exported by the watch's name.
    (watch,) = [r for r in store.watches_sync([("Putin", "fp", "{}")], T0) if r["name"] == "Putin"]
    store.watch_write(
        [{"watch_id": watch["id"], "article_id": ids["n1"], "story_id": None,
          "published": "2025-03-22T18:00:00Z", "why": {"names": ["Putin"]}, "similarity": None,
          "backfill": 0}],
        [], T0,
    )  # fmt: skip
    exported = {r["guid"]: r for r in store.export_articles()}
    assert exported["n1"]["names"] == ["Vladimir Putin", "Emmanuel Macron"]
    assert exported["n1"]["watches"] == ["Putin"]
    # Arsenal only opens sentences here: no name by the rules (equal mentions: by key).
    assert exported["s1"]["names"] == ["Emirates", "Chelsea"] and exported["s1"]["watches"] == []
    # A changed text waits again and its names replace the old ones; an unchanged one does not.
    poll(store, "https://a.example/rss", [entry("n1", "Macron alone", "Emmanuel Macron spoke."), NEWS[3]])
    assert store.names_pending_count() == 1 and run_names_stage(store) == 1
    assert [n["name"] for n in store.article_names([ids["n1"]])[ids["n1"]]] == ["Emmanuel Macron"]


def test_known_names_are_read_alike(store: AnyStore) -> None:
    """The names an installation knows (for names in scripts without capitals): keys named by
    two articles or more in the 30 days before the newest article, with their spellings."""
    from monitor.entities.stage import run_names_stage

    poll(
        store,
        "https://a.example/rss",
        [
            entry("k1", "Vladimir Putin speaks", "Vladimir Putin spoke.", hours=-2),
            entry("k2", "Владимир Путин", "Сегодня Владимир Путин выступил.", language="ru", hours=-1),
            entry("k3", "Emmanuel Macron", "Only Emmanuel Macron spoke.", hours=-1),
            entry("k4", "Emmanuel Macron again", "Emmanuel Macron again.", hours=-40 * 24),  # too old
        ],
    )
    pending = [int(r["id"]) for r in store.names_pending(10)]
    assert pending == sorted(pending, reverse=True) and len(pending) == 4  # newest first
    assert [int(r["id"]) for r in store.names_pending(10, below=pending[1])] == pending[2:]
    run_names_stage(store)
    assert store.names_known(30, 2, 100) == [
        ("vladimir putin", "Vladimir Putin", 1), ("vladimir putin", "Владимир Путин", 1)
    ]
    assert [r[1] for r in store.names_known(60, 2, 100)] == [
        "Emmanuel Macron", "Vladimir Putin", "Владимир Путин"
    ]
    assert store.names_known(60, 2, 1) == [("emanuel makron", "Emmanuel Macron", 2)]  # ties: by key
    assert store.names_known(30, 3, 100) == []


def test_who_is_in_the_news_is_counted_alike(store: AnyStore) -> None:
    """The /names pages' reads: stories per key and window, spellings, an entry's articles."""
    from monitor.entities.stage import run_names_stage

    poll(
        store,
        "https://a.example/rss",
        [
            entry("p1", "Vladimir Putin speaks", "Vladimir Putin spoke. Putin left.", hours=-30),
            entry("p2", "Talks", "The talks with Putin ended.", hours=-2),
            entry("p3", "Владимир Путин", "Сегодня Владимир Путин выступил.", language="ru", hours=-1),
            entry("p4", "100% of_it", "Nothing named here.", hours=-1),
        ],
    )
    run_names_stage(store)
    since, recent, end = "2025-03-20T18:00:00Z", "2025-03-21T18:00:00Z", "2025-03-22T18:00:00Z"
    assert store.names_key_counts(since, recent, end) == {"vladimir putin": (1, 1, 2), "putin": (1, 0, 1)}
    # Articles in no story yet count one story each.
    assert store.names_entry_counts(["vladimir putin", "putin"], since, recent, end) == (2, 1)
    assert store.names_window_stories(since, recent, end) == (3, 1)
    assert store.names_spellings(["vladimir putin"], since, end) == {
        "vladimir putin": {"Vladimir Putin": 3, "Владимир Путин": 2}  # mentions, titles too
    }
    assert store.names_keys_ending("putin", since, end) == {"vladimir putin": 2, "putin": 1}
    assert store.names_keys_ending("_utin", since, end) == {} == store.names_keys_ending("%", since, end)
    times = store.names_story_times(["putin", "vladimir putin"], since, end)
    assert sorted(t for t, _ in times) == [
        "2025-03-21T12:00:00Z", "2025-03-22T16:00:00Z", "2025-03-22T17:00:00Z"
    ]
    rows = store.names_mentions(["putin", "vladimir putin"], since, end, 2)
    assert [(r["title"], r["key"], r["variants"], r["story_id"]) for r in rows] == [
        ("Владимир Путин", "vladimir putin", ["Владимир Путин"], None),
        ("Talks", "putin", ["Putin"], None),
    ]
    assert rows[0]["published"] == "2025-03-22T17:00:00Z" and rows[0]["url"] == "https://n.example/p3"


def test_vectors_are_pgvector_values_where_it_is_installed(target: Target, backend: str) -> None:
    import numpy as np

    with open_store(target) as s:
        s.sync_feeds([FeedConfig(url="https://a.example/rss")])
        poll(s, "https://a.example/rss", NEWS[:1])
        vector = np.array([0.5, -0.25, 1e-40, 0.0, 3.4e38], dtype=np.float32)
        (row,) = s.query("SELECT id FROM articles")
        s.stories_write([], [], [], T0, embeddings=[(row["id"], vector.tobytes(), "m")])
        has_vectors = getattr(s, "vectors", False)
        assert has_vectors == (backend == "pgvector")
        if has_vectors:
            (back,) = s.query("SELECT embedding_v::text AS v, embedding FROM articles")
            assert np.array(json.loads(back["v"]), dtype=np.float32).tobytes() == vector.tobytes()
            assert bytes(back["embedding"]) == vector.tobytes()


def test_an_about_watch_finds_the_same_close_vectors_on_every_backend(target: Target, backend: str) -> None:
    import numpy as np

    from monitor.watches.match import _about_candidates

    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(40, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    about = vectors[0] + 0.3 * vectors[1]
    about = (about / np.linalg.norm(about)).astype(np.float32)
    with open_store(target) as s:
        s.sync_feeds([FeedConfig(url="https://a.example/rss")])
        poll(s, "https://a.example/rss", [entry(f"v{i}", f"Title {i}", f"Text {i}") for i in range(40)])
        ids = [r["id"] for r in s.query("SELECT id FROM articles ORDER BY id")]
        assignments = [
            {"article_id": i, "story_id": 1, "duplicate_of": None, "similarity": None, "score": None,
             "shared_keys": None, "gap_hours": None, "reason": "test"}
            for i in ids
        ]  # fmt: skip
        story = {"id": 1, "model": "m", "first_seen": None, "last_seen": None, "headline_article_id": None,
                 "n_articles": 40, "n_outlets": 1, "n_languages": 1, "languages": "[]", "entities": "[]",
                 "keys": "{}", "centroid": None}  # fmt: skip
        embeddings = [(i, v.tobytes(), "m") for i, v in zip(ids, vectors, strict=True)]
        s.stories_write(assignments, [], [story], T0, embeddings=embeddings)
        found = _about_candidates(s, about, "m", 0.3, "2000-01-01T00:00:00Z")
        assert getattr(s, "vectors", False) == (backend == "pgvector")  # pgvector compares in SQL
    expected = {i for i, v in zip(ids, vectors, strict=True) if float(v @ about) >= 0.3}
    assert found == expected and 0 < len(expected) < 40


def test_the_stories_stage_resumes_from_the_tables_after_a_restart(target: Target) -> None:
    from monitor.stories.stage import _STATES, run_story_stage

    with open_store(target) as s:
        s.sync_feeds([FeedConfig(url="https://a.example/rss")])
        poll(s, "https://a.example/rss", NEWS[:2])
        first = run_story_stage(s)
        _STATES.clear()  # a new process: the stage rebuilds its state from the tables
        poll(s, "https://a.example/rss", NEWS[2:4], now=T0 + timedelta(hours=31))
        second = run_story_stage(s)
        signatures = s.stories_recent_signatures(T0 - timedelta(days=1))
    assert (first.articles, second.articles) == (2, 2)
    assert [(sig[1], sig[0]) for sig in signatures] == sorted((sig[1], sig[0]) for sig in signatures)
    assert len(signatures) == 4
    assert all(isinstance(sig[4], bytes) for sig in signatures)


def test_language_means_are_written_with_a_batch_and_read_back_bit_for_bit(store: AnyStore) -> None:
    first = np.asarray([0.25, -1.5, 3e-9], dtype=np.float64).tobytes()
    second = np.asarray([1.0, 2.0, 3.0], dtype=np.float64).tobytes()
    store.stories_write([], [], [], T0, language_means=[("m", "", 2, first), ("m", "ru", 2, first)])
    store.stories_write([], [], [], T0, language_means=[("m", "ru", 3, second), ("other", "ru", 1, first)])
    assert store.stories_language_means("m") == [("", 2, first), ("ru", 3, second)]
    assert store.stories_language_means("other") == [("ru", 1, first)]
    assert store.stories_language_means("none") == []


# The whole product on both databases -------------------------------------------------------

CORPUS = ROOT / "demo" / "feeds"
WATCHES = (
    "watches:\n  - name: Biden\n    names: [Biden]\n  - name: economy\n    query: inflation OR economy\n"
)


def _corpus_feeds(folder: Path) -> list[dict[str, object]]:
    """A few dozen of the demo's real feeds (seven languages), copied where a server serves them."""
    names = sorted(p.name for p in CORPUS.glob("*.xml"))
    chosen = [n for n in names if not n.endswith("-en.xml")][:24] + [
        n for n in names if n.endswith("-en.xml")
    ][:24]
    for name in chosen:
        shutil.copy(CORPUS / name, folder / name)
    return chosen  # type: ignore[return-value]


def _normalized(text: str, target: Target) -> str:
    """Output with the database's name and the timings taken out."""
    text = text.replace(str(target), "DATABASE")
    text = re.sub(r"\(\d+/s, ", "(", text)
    text = re.sub(r"20[2-9]\d-\d\d-\d\dT\d\d:\d\d:\d\dZ", "NOW", text)  # the corpus is older
    return re.sub(r"\d+(\.\d+)? ?(s|ms)\b", "T", text)


def _run_everything(folder: Path, target: Target, server: FeedServer, names: list[str]) -> dict[str, str]:
    config = write_config(
        folder / "feeds.yaml",
        [{"url": server.url(n), "name": n.removesuffix(".xml")} for n in names],
        database=str(target),
        timezone="UTC",
        concurrency=1,  # one feed at a time, in one order: the same article ids on both
    )
    with config.open("a", encoding="utf-8") as fh:
        fh.write(WATCHES)
    runner = CliRunner()
    out: dict[str, str] = {}

    def run(*args: str) -> str:
        result = runner.invoke(main, ["--config", str(config), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return _normalized(result.output, target)

    run("init")
    run("poll", "--all")
    out["export"] = run("export", "--no-text")
    out["stories"] = run("stories", "--since", "2000-01-01", "--limit", "200", "--json")
    out["threads"] = run("stories", "--since", "2000-01-01", "--threads", "--json")
    ids = [s["id"] for s in json.loads(out["stories"])]
    for story_id in ids[:5]:
        out[f"story {story_id}"] = run("story", str(story_id), "--json")
    out["search"] = run("search", "--limit", "1000", "president")
    out["search phrase"] = run("search", "--limit", "1000", '"white house" OR inflat*')
    out["watches"] = run("watches", "list", "--json")
    out["watch"] = run("watch", "show", "Biden", "--days", "3650", "--json")
    threads = json.loads(out["threads"])
    if threads:
        out["thread"] = run("thread", str(threads[0]["id"]), "--json")
    out["digest"] = run("digest")
    out["feeds"] = run("feeds", "list")
    stats = json.loads(run("stats", "--json"))
    assert stats.pop("workers", []) == [] and stats.pop("expired_claims", []) == []
    out["stats"] = json.dumps(stats)
    # The JSON API, as `monitor serve` answers it.
    from starlette.testclient import TestClient

    from monitor.sections import load_checked_config
    from monitor.web.app import create_app

    with open_store(target, readonly=True) as opened:
        day = str(opened.query("SELECT MAX(published) AS p FROM articles")[0]["p"])[:10]
    with TestClient(create_app(target, load_checked_config(config))) as client:
        for path in (f"/api/stories?day={day}", "/api/feeds", f"/api/stories/{ids[0]}", "/api/watches/Biden"):
            answer = client.get(path)
            assert answer.status_code == 200, (path, answer.text)
            out[path] = _normalized(answer.text, target)
    return out


@pytest.fixture(scope="module")
def corpus_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FeedServer, list[str], Path]]:
    """The corpus served once for the module: both PostgreSQL flavours poll the same URLs
    as the one SQLite run they are compared with."""
    base = tmp_path_factory.mktemp("product")
    www = base / "www"
    www.mkdir()
    names = _corpus_feeds(www)
    with FeedServer(www) as server:
        yield server, names, base


@pytest.fixture(scope="module")
def sqlite_answers(corpus_site: tuple[FeedServer, list[str], Path]) -> dict[str, str]:
    """The product's answers on SQLite, worked out once for both flavours."""
    server, names, base = corpus_site
    folder = base / "sqlite"
    folder.mkdir()
    return _run_everything(folder, base / "lite" / "monitor.db", server, names)


@pytest.mark.parametrize("flavour", ["pg", "pgvector"])
def test_the_product_answers_alike_on_sqlite_and_postgresql(
    tmp_path: Path,
    pg_database: Any,
    flavour: str,
    corpus_site: tuple[FeedServer, list[str], Path],
    sqlite_answers: dict[str, str],
) -> None:
    server, names, _base = corpus_site
    lite = sqlite_answers
    pg = _run_everything(tmp_path, parse_target(pg_database(flavour)), server, names)
    assert len(json.loads(lite["stories"])) > 20  # the corpus makes stories, threads, matches
    assert '"Biden"' in lite["watches"]
    for key in lite:
        if key.startswith("search"):
            # Every match SQLite finds; PostgreSQL also finds inflected forms (its language
            # configurations stem: 'president' finds 'presidente'), and ranks in its own way.
            found = re.compile(r"https?://\S+")
            assert set(found.findall(pg[key])) >= set(found.findall(lite[key])), key
        else:
            assert pg[key] == lite[key], f"{key} differs"


def test_articles_of_a_merged_story_say_which_story_they_came_with(store: AnyStore) -> None:
    from monitor.stories.records import story_detail

    poll(store, "https://a.example/rss", NEWS[:3])
    ids = {r["guid"]: r["id"] for r in store.query("SELECT id, guid FROM articles")}

    def assign(guid: str, story_id: int, reason: str | None) -> dict[str, Any]:
        return {"article_id": ids[guid], "story_id": story_id, "duplicate_of": None, "similarity": None,
                "score": None, "shared_keys": None, "gap_hours": None, "reason": reason}  # fmt: skip

    def story(story_id: int, n: int) -> dict[str, Any]:
        return {"id": story_id, "model": "m", "first_seen": None, "last_seen": None,
                "headline_article_id": None, "n_articles": n, "n_outlets": 1, "n_languages": 1,
                "languages": "[]", "entities": "[]", "keys": "{}", "centroid": None}  # fmt: skip

    first = [assign("m1", 1, "new story: no active story close enough"), assign("m2", 1, "similarity 0.9")]
    store.stories_write(first, [], [story(1, 2)], T0)
    store.stories_write([assign("f1", 2, None)], [], [story(2, 1)], T0)
    store.stories_write([], [(2, 1)], [story(1, 3)], T0)  # story 2 merges into story 1
    reasons = {r["guid"]: r["story_reason"] for r in store.query("SELECT guid, story_reason FROM articles")}
    assert reasons == {
        "m1": "new story: no active story close enough",
        "m2": "similarity 0.9",
        "f1": "merged from story 2",
    }
    items = {item["id"]: item["why"] for item in story_detail(store, 2)["items"]}  # 2 leads to 1
    assert items[ids["f1"]]["merged_from"] == 2 and items[ids["f1"]]["reason"] is None
    assert items[ids["m2"]]["merged_from"] is None and items[ids["m2"]]["reason"] == "similarity 0.9"
    # `monitor story` and the story page say so
    from zoneinfo import ZoneInfo

    from monitor.cli.stories_text import format_story
    from monitor.web.views import group_articles, why_line

    assert "came with story 2 when it merged into this one; opened the story" in format_story(store, 1)
    groups = group_articles(store.web_story_articles(1), ZoneInfo("UTC"))
    lines = {a["id"]: why_line(a["why"]) for g in groups for a in g["articles"]}
    assert lines[ids["f1"]][0] == "came with story 2 when it merged into this one"
    assert lines[ids["m1"]] == ["new story: no active story close enough", "first report"]


def test_publication_times_of_a_window_read_alike_by_ids_or_for_every_story(store: AnyStore) -> None:
    """ranked_hits reads the window whole when it holds too many stories to list their ids."""
    poll(store, "https://a.example/rss", NEWS)
    ids = [r["id"] for r in store.query("SELECT id FROM articles ORDER BY id")]
    rows = [{"article_id": i, "story_id": 1 + n % 2, "duplicate_of": None, "similarity": None,
             "score": None, "shared_keys": None, "gap_hours": None, "reason": None}
            for n, i in enumerate(ids[:4])]  # fmt: skip
    stories = [{"id": s, "model": "m", "first_seen": None, "last_seen": None, "headline_article_id": None,
                "n_articles": 2, "n_outlets": 1, "n_languages": 1, "languages": "[]", "entities": "[]",
                "keys": "{}", "centroid": None} for s in (1, 2)]  # fmt: skip
    store.stories_write(rows, [], stories, T0)
    start, end = "2025-03-22T00:00:00Z", "2025-03-26T00:00:00Z"

    def pairs(found: list[dict[str, Any]]) -> list[tuple[int, str]]:
        return sorted((int(r["story_id"]), str(r["published"])) for r in found)

    every = pairs(store.web_published_times(None, start, end))
    assert every == pairs(store.web_published_times([1, 2], start, end)) and len(every) == 4
    assert pairs(store.web_published_times([2], start, end)) == [p for p in every if p[0] == 2]


def test_breaking_flags_coverage_and_baseline_read_back_alike(store: AnyStore) -> None:
    poll(store, "https://a.example/rss", NEWS[:3])
    poll(store, "https://b.example/rss", NEWS[3:5])
    ids = [r["id"] for r in store.query("SELECT id FROM articles ORDER BY id")]
    rows = [{"article_id": i, "story_id": 1 if n < 3 else 2, "duplicate_of": None, "similarity": None,
             "score": None, "shared_keys": None, "gap_hours": None, "reason": None}
            for n, i in enumerate(ids[:5])]  # fmt: skip
    coverage = '{"outlets": {"a.example": "2025-03-22T18:00:00Z"}, "languages": {}}'
    why = json.dumps({"outlets": 3, "languages": 2, "window_hours": 24.0, "score": 5.0, "baseline": 3.0})
    stories = [{"id": s, "model": "m", "first_seen": "2025-03-22T18:00:00Z",
                "last_seen": "2025-03-22T23:00:00Z", "headline_article_id": None, "n_articles": 1,
                "n_outlets": 1, "n_languages": 1,
                "languages": '["en"]', "entities": "[]", "keys": "{}", "centroid": None}
               for s in (1, 2)]  # fmt: skip
    stories[0] |= {"coverage": coverage, "breaking_at": "2025-03-22T19:30:00Z", "breaking_why": why}
    assert store.stories_breaking_baseline() is None
    store.stories_write(rows, [], stories, T0, breaking_baseline='{"gains": [1.5], "stories": 2.0}')
    assert store.stories_breaking_baseline() == '{"gains": [1.5], "stories": 2.0}'
    # A later write that does not name them keeps the flag, the coverage and the baseline.
    store.stories_write([], [], [{k: v for k, v in stories[0].items() if "breaking" not in k}], T0)
    assert store.stories_breaking_baseline() == '{"gains": [1.5], "stories": 2.0}'
    live = {r["id"]: r for r in store.stories_live("m", T0 - timedelta(days=1))}
    assert live[1]["coverage"] == coverage and live[1]["breaking_why"] == why
    assert live[1]["breaking_at"] == "2025-03-22T19:30:00Z" and live[2]["breaking_at"] is None
    flagged = store.web_breaking("2025-03-22T00:00:00Z", "2025-03-23T00:00:00Z", 10)
    assert [(r["id"], r["breaking_at"], r["breaking_why"]["outlets"]) for r in flagged] == [
        (1, "2025-03-22T19:30:00Z", 3)
    ]
    assert store.web_breaking("2025-03-22T19:30:01Z", "2025-03-23T00:00:00Z", 10) == []
    assert store.web_stories([1, 2])[1]["breaking_at"] == "2025-03-22T19:30:00Z"
    exported = list(store.export_stories())
    assert [(r["id"], r["articles"], r["outlets"], r["languages"], r["breaking_at"]) for r in exported] == [
        (1, 3, 1, ["en", "fr"], "2025-03-22T19:30:00Z"),
        (2, 2, 1, ["en", "zh"], None),
    ]
    assert exported[0]["first_published"] <= exported[0]["last_published"]


def test_rising_name_counts_read_alike(store: AnyStore) -> None:
    poll(store, "https://a.example/rss", NEWS)
    ids = [r["id"] for r in store.query("SELECT id FROM articles ORDER BY id")]
    rows = [{"article_id": i, "story_id": n + 1, "duplicate_of": None, "similarity": None,
             "score": None, "shared_keys": None, "gap_hours": None, "reason": None}
            for n, i in enumerate(ids[:4])]  # fmt: skip
    firsts = ["2025-03-22T10:00:00Z", "2025-03-21T10:00:00Z", "2025-03-10T10:00:00Z", "2025-03-20T10:00:00Z"]
    names = [["Moscow", "Crocus"], ["Moscow"], ["Moscow", "Arsenal"], ["Crocus"]]
    stories = [{"id": n + 1, "model": "m", "first_seen": first, "last_seen": first,
                "headline_article_id": None, "n_articles": 1, "n_outlets": 1, "n_languages": 1,
                "languages": "[]", "entities": json.dumps(found), "keys": "{}", "centroid": None}
               for n, (first, found) in enumerate(zip(firsts, names, strict=True))]  # fmt: skip
    stories[0]["entities"] = json.dumps(["Moscow", "Crocus", "Survey"])  # key names count for nothing
    store.stories_write(rows, [], stories, T0)
    store.names_write({ids[n]: [_named(k) for k in found] for n, found in enumerate(names)})
    store.stories_write([], [(4, 1)], [], T0)  # a merged story counts no more
    recent, before, n_recent, n_before = store.web_story_name_counts(
        "2025-03-08T12:00:00Z", "2025-03-20T12:00:00Z", "2025-03-22T12:00:00Z"
    )
    assert (recent, n_recent, n_before) == ({"moscow": 2, "crocus": 1}, 2, 1)
    assert before == {"moscow": 1, "arsenal": 1}
    # read again: Crocus is gone from story 1's articles (its own and the merged story's)
    store.names_write({ids[0]: [_named("Moscow")]})
    window = ("2025-03-08T12:00:00Z", "2025-03-20T12:00:00Z", "2025-03-22T12:00:00Z")
    assert store.web_story_name_counts(*window)[0] == {"moscow": 2, "crocus": 1}
    store.names_write({ids[3]: []})
    assert store.web_story_name_counts(*window)[0] == {"moscow": 2}


def _named(name: str) -> dict[str, Any]:
    """A recognised name as the names stage writes it (key: the name in lower case here)."""
    return {"key": name.lower(), "name": name, "variants": [name], "mentions": 1}


def test_breaking_alert_reads_and_the_outbox_key_read_alike(store: AnyStore) -> None:
    poll(store, "https://a.example/rss", NEWS[:3])
    poll(store, "https://b.example/rss", NEWS[3:5])
    ids = [r["id"] for r in store.query("SELECT id FROM articles ORDER BY id")]
    rows = [{"article_id": i, "story_id": 1 if n < 3 else 2, "duplicate_of": None, "similarity": None,
             "score": None, "shared_keys": None, "gap_hours": None, "reason": None}
            for n, i in enumerate(ids[:5])]  # fmt: skip
    stories = [{"id": s, "model": "m", "first_seen": "2025-03-22T18:00:00Z",
                "last_seen": "2025-03-22T23:00:00Z", "headline_article_id": ids[0] if s == 1 else None,
                "n_articles": 3, "n_outlets": 1, "n_languages": 2, "languages": '["en", "fr"]',
                "entities": "[]", "keys": "{}", "centroid": None}
               for s in (1, 2)]  # fmt: skip
    stories[0] |= {"breaking_at": "2025-03-22T19:30:00Z", "breaking_why": '{"outlets": 3}'}
    store.stories_write(rows, [], stories, T0)
    moscow = {"geonameid": 524901, "name": "Moscow", "country": "RU"}
    paris = {"geonameid": 2988507, "name": "Paris", "country": "FR"}
    store.places_write([(ids[0], [moscow]), (ids[2], [paris])])
    found = store.breaking_alert_candidates("2025-03-22T19:00:00Z")
    assert [(r["id"], r["breaking_at"], r["headline"]) for r in found] == [
        (1, "2025-03-22T19:30:00Z", "Gunmen attack concert hall near Moscow")
    ]
    assert store.breaking_alert_candidates("2025-03-22T19:30:01Z") == []
    assert store.breaking_story_filters([1, 2]) == {
        1: {"languages": {"en", "fr"}, "tags": {"world", "europe"}},
        2: {"languages": {"en", "zh"}, "tags": {"sport"}},
    }
    outbox = {"idempotency_key": "b1", "next_attempt_at": "2025-03-22T19:30:00Z",
              "expires_at": "2025-03-23T19:30:00Z", "payload": {"event": "story.breaking"}}  # fmt: skip
    assert store.outbox_keys(["b1", "b2"]) == set()
    assert store.outbox_add("webhook", "https://h.example/in", outbox, "2025-03-22T19:30:00Z")
    assert not store.outbox_add("webhook", "https://h.example/in", outbox, "2025-03-22T19:31:00Z")
    assert store.outbox_keys(["b1", "b2"]) == {"b1"}
    (row,) = store.outbox_rows()
    assert (row["watch_id"], row["state"], json.loads(row["payload"])) == (None, "pending", outbox["payload"])


def test_rising_counts_follow_places_joins_merges_and_moved_first_reports(store: AnyStore) -> None:
    """The per-story terms and daily counts (kept by triggers) follow every write that
    changes them: places before and after an article joins, a merge, an earlier first report,
    places read again."""
    poll(store, "https://a.example/rss", NEWS)
    ids = [r["id"] for r in store.query("SELECT id FROM articles ORDER BY id")]
    ru = {"geonameid": 524901, "name": "Moscow", "country": "RU"}
    fr = {"geonameid": 2988507, "name": "Paris", "country": "FR"}
    gb = {"geonameid": 2643743, "name": "London", "country": "GB"}
    store.places_write([(ids[0], [ru]), (ids[1], [ru, fr])])  # before any story

    def story(sid: int, first: str, names: list[str]) -> dict[str, Any]:
        return {"id": sid, "model": "m", "first_seen": first, "last_seen": first, "headline_article_id": None,
                "n_articles": 1, "n_outlets": 1, "n_languages": 1, "languages": "[]",
                "entities": json.dumps(names), "keys": "{}", "centroid": None}  # fmt: skip

    def assign(article: int, sid: int) -> dict[str, Any]:
        return {"article_id": article, "story_id": sid, "duplicate_of": None, "similarity": None,
                "score": None, "shared_keys": None, "gap_hours": None, "reason": None}  # fmt: skip

    first = [
        story(1, "2025-03-21T10:00:00Z", ["Moscow"]),
        story(2, "2025-03-21T11:00:00Z", ["Moscow", "Paris"]),
        story(3, "2025-03-12T09:00:00Z", ["Crocus"]),
    ]
    store.names_write({ids[0]: [_named("Moscow")], ids[1]: [_named("Moscow"), _named("Paris")]})  # before
    store.stories_write([assign(ids[0], 1), assign(ids[1], 2), assign(ids[2], 3)], [], first, T0)
    store.places_write([(ids[2], [gb])])  # places read after the article joined
    store.names_write({ids[2]: [_named("Crocus")]})  # names too
    window = ("2025-03-08T12:00:00Z", "2025-03-20T12:00:00Z", "2025-03-22T12:00:00Z")
    assert store.web_story_term_counts("country", *window) == ({"RU": 2, "FR": 1}, {"GB": 1}, 2, 1)
    places = ({"524901": 2, "2988507": 1}, {"2643743": 1}, 2, 1)  # the same, by GeoNames id
    assert store.web_story_term_counts("place", *window) == places
    store.stories_write([], [(2, 1)], [], T0)  # story 2 merges into 1: one story names RU and FR
    assert store.web_story_term_counts("country", *window) == ({"RU": 1, "FR": 1}, {"GB": 1}, 1, 1)
    assert store.web_story_name_counts(*window) == ({"moscow": 1, "paris": 1}, {"crocus": 1}, 1, 1)
    store.stories_write([], [], [story(1, "2025-03-19T10:00:00Z", ["Moscow", "Kremlin"])], T0)  # earlier
    assert store.web_story_term_counts("country", *window) == ({}, {"GB": 1, "RU": 1, "FR": 1}, 0, 2)
    assert store.web_story_name_counts(*window) == ({}, {"crocus": 1, "moscow": 1, "paris": 1}, 0, 2)
    store.names_write({ids[1]: [_named("Moscow")]})  # read again: no article of story 1 names Paris
    assert store.web_story_name_counts(*window)[1] == {"crocus": 1, "moscow": 1}
    store.places_write([(ids[1], [ru])])  # read again: France is gone from story 1
    assert store.web_story_term_counts("country", *window)[1] == {"GB": 1, "RU": 1}
    assert store.web_story_term_counts("place", *window)[1] == {"2643743": 1, "524901": 1}
    # the same counts, whole days or not: a window on day boundaries
    days = ("2025-03-08T00:00:00Z", "2025-03-20T00:00:00Z", "2025-03-22T00:00:00Z")
    assert store.web_story_term_counts("country", *days) == ({}, {"GB": 1, "RU": 1}, 0, 2)


def test_story_countries_and_country_filters_read_alike(store: AnyStore) -> None:
    poll(store, "https://a.example/rss", NEWS[:3] + NEWS[4:5])
    poll(store, "https://b.example/rss", NEWS[3:4])
    ids = {r["guid"]: int(r["id"]) for r in store.query("SELECT id, guid FROM articles")}
    story_of = {"m1": 1, "m2": 1, "f1": 1, "s1": 2, "c1": 2}
    rows = [{"article_id": ids[g], "story_id": s, "duplicate_of": None, "similarity": None, "score": None,
             "shared_keys": None, "gap_hours": None, "reason": None}
            for g, s in story_of.items()]  # fmt: skip
    stories = [{"id": s, "model": "m", "first_seen": "2025-03-22T18:00:00Z", "last_seen": None,
                "headline_article_id": None, "n_articles": 1, "n_outlets": 1, "n_languages": 1,
                "languages": "[]", "entities": '["Moscow"]', "keys": "{}", "centroid": None}
               for s in (1, 2)]  # fmt: skip
    store.stories_write(rows, [], stories, T0)
    store.names_write({ids["c1"]: [_named("Moscow")]})

    def at(country: str) -> dict[str, object]:
        return {"geonameid": {"RU": 2017370, "FR": 3017382, "GB": 2635167, "JP": 1861060}[country],
                "name": country, "country": country}  # fmt: skip

    store.places_write([(ids["m1"], [at("RU")]), (ids["f1"], [at("RU"), at("FR")]), (ids["m2"], []),
                        (ids["s1"], [at("GB")]), (ids["c1"], [at("JP")])])  # fmt: skip
    feed_a = store.feed_by_url("https://a.example/rss")
    assert feed_a is not None
    found = sorted((r["story_id"], r["feed_id"] == feed_a.id, r["country"])
                   for r in store.story_country_rows([1, 2]))  # fmt: skip
    assert found == [(1, True, "FR"), (1, True, "RU"), (2, False, "GB"), (2, True, "JP")]
    start, end = "2025-03-22T00:00:00Z", "2025-03-25T00:00:00Z"
    assert [h["story_id"] for h in store.web_story_ids(start, end, country="GB")] == [2]
    rows_ru, total = store.web_articles(country="RU", limit=10, offset=0)
    assert total == 2 and {r["id"] for r in rows_ru} == {ids["m1"], ids["f1"]}
    assert [r["id"] for r in store.web_search("crocus", country="FR")] == [ids["f1"]]
    # the candidates of the stories about a country, with their terms (monitor trends --country)
    window = ("2025-03-08T12:00:00Z", "2025-03-20T12:00:00Z", "2025-03-23T12:00:00Z")

    def terms(country: str, kind: str, *bounds: str) -> list[tuple[object, ...]]:
        rows = store.web_country_story_terms(country, kind, *bounds)
        return [(r["story_id"], r["recent"], r["term"]) for r in rows]

    assert terms("JP", "name", *window) == [(2, 1, "moscow")]
    assert terms("RU", "name", *window) == [(1, 1, None)]  # a story that names no one still counts
    assert terms("RU", "place", *window) == [(1, 1, "2017370"), (1, 1, "3017382")]
    assert terms("RU", "place", window[0], "2025-03-23T00:00:00Z", window[2])[0][1] == 0  # before
    assert terms("GB", "name", "2025-03-23T00:00:00Z", "2025-03-23T06:00:00Z", window[2]) == []
    # Each story's countries kept (story_countries): out of date until written again, and read
    # from the articles meanwhile.
    from monitor.entities.storycountries import countries_of, refresh_story_countries

    expected = {1: ["FR", "RU"], 2: ["GB", "JP"]}
    assert store.story_countries_kept([1, 2]) == ({}, [1, 2])
    assert countries_of(store, [1, 2]) == expected
    assert refresh_story_countries(store) == 2 and store.story_countries_pending(10) == []
    assert store.story_countries_kept([2, 1]) == (expected, [])
    kept_rows = store.window_story_countries(start, end)
    assert sorted((r["story_id"], r["dirty"], r["country"]) for r in kept_rows) == [
        (1, 0, "FR"), (1, 0, "RU"), (2, 0, "GB"), (2, 0, "JP")]  # fmt: skip
    store.places_write([(ids["f1"], [at("RU")])])  # read again: story 1 no longer names France
    pending = store.story_countries_pending(10)
    assert [story_id for story_id, _ in pending] == [1]
    assert store.story_countries_write([(1, pending[0][1] - 1, ["XX"])]) == 0  # an older version
    assert countries_of(store, [1, 2]) == {1: ["RU"], 2: ["GB", "JP"]}
    # a candidate still (kept for France until written again), but no story about France
    from monitor.stories.records import ranked_hits
    from monitor.timeutil import parse_iso

    bounds = {"since": parse_iso(start), "until": parse_iso(end)}
    assert [h["story_id"] for h in store.web_story_ids(start, end, country="FR")] == [1]
    assert ranked_hits(store, **bounds, country="FR") == []  # type: ignore[arg-type]
    assert [h["story_id"] for h in store.web_story_ids(start, end, country="RU")] == [1]
    assert refresh_story_countries(store) == 1 and store.story_countries_kept([1]) == ({1: ["RU"]}, [])
    moved = {**rows[0], "article_id": ids["s1"], "story_id": 1}
    store.stories_write([moved], [], [], T0)  # an article moves: both stories out of date
    assert [story_id for story_id, _ in store.story_countries_pending(10)] == [1, 2]
    assert refresh_story_countries(store) == 2
    assert store.story_countries_kept([1, 2]) == ({1: ["GB", "RU"], 2: ["JP"]}, [])
    assert [h["story_id"] for h in ranked_hits(store, **bounds, country="GB")] == [1]  # type: ignore[arg-type]
