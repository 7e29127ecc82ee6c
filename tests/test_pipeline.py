"""pipeline.py: a poll pass against a real HTTP server on 127.0.0.1 and a real SQLite file."""

from __future__ import annotations

import email.utils
import logging
import re
import socket
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from monitor.config import load_config
from monitor.feedserver import FeedServer, send
from monitor.pipeline import poll_once
from monitor.store import Store

from .conftest import rss, write_config

ITEMS = [
    {
        "title": f"Story {n}",
        "link": f"https://news.example/{n}",
        "guid": f"g{n}",
        "pubDate": f"Sat, 22 Mar 2025 1{n}:00:00 GMT",
        "description": f"Text of story {n}.",
    }
    for n in range(3)
]


def setup(tmp_path: Path, server: FeedServer, feed_dir: Path, names: list[str]) -> tuple[Path, Store]:
    config = write_config(tmp_path / "feeds.yaml", [{"url": server.url(n)} for n in names])
    store = Store.open(load_config(config).settings.database)
    return config, store


def test_conditional_get_costs_no_parse_and_no_write(
    tmp_path: Path, server: FeedServer, feed_dir: Path
) -> None:
    (feed_dir / "a.xml").write_text(rss(ITEMS))
    config_path, store = setup(tmp_path, server, feed_dir, ["a.xml"])
    config = load_config(config_path)
    first = poll_once(store, config, all_feeds=True)
    assert (first.ok, first.new_articles) == (1, 3)
    feed = store.feeds()[0]
    assert feed.etag and feed.last_modified and feed.body_hash
    second = poll_once(store, config, all_feeds=True)
    assert (second.not_modified, second.new_articles) == (1, 0)
    headers = server.requests[-1][1]
    assert headers["if-none-match"] == feed.etag
    assert headers["if-modified-since"] == feed.last_modified
    assert "monitor" in headers["user-agent"] and "gzip" in headers["accept-encoding"]
    # Only feeds that are due are polled without --all.
    assert poll_once(store, config).feeds == 0


def test_same_body_without_validators_is_not_parsed(
    tmp_path: Path, server: FeedServer, feed_dir: Path
) -> None:
    body = rss(ITEMS).encode()

    def no_validators(handler: BaseHTTPRequestHandler) -> bool:
        send(handler, 200, body, {"Content-Type": "application/rss+xml"})
        return True

    server.routes["/plain.xml"] = no_validators
    config_path, store = setup(tmp_path, server, feed_dir, ["plain.xml"])
    config = load_config(config_path)
    assert poll_once(store, config, all_feeds=True).new_articles == 3
    again = poll_once(store, config, all_feeds=True)
    assert (again.ok, again.not_modified, again.new_articles) == (0, 1, 0)
    assert store.query("SELECT outcome FROM fetch_log ORDER BY id")[-1]["outcome"] == "unchanged"


def test_new_and_changed_items(tmp_path: Path, server: FeedServer, feed_dir: Path) -> None:
    (feed_dir / "a.xml").write_text(rss(ITEMS[:2]))
    config_path, store = setup(tmp_path, server, feed_dir, ["a.xml"])
    config = load_config(config_path)
    poll_once(store, config, all_feeds=True)
    changed = [dict(ITEMS[0], description="Corrected text."), ITEMS[1], ITEMS[2]]
    (feed_dir / "a.xml").write_text(rss(changed))
    report = poll_once(store, config, all_feeds=True)
    assert (report.new_articles, report.updated_articles) == (1, 1)
    assert store.count("articles") == 3


def test_failures_are_recorded_and_never_stop_other_feeds(
    tmp_path: Path, server: FeedServer, feed_dir: Path
) -> None:
    (feed_dir / "good.xml").write_text(rss(ITEMS))
    (feed_dir / "page.xml").write_text("<!DOCTYPE html><html><body>Welcome</body></html>")
    (feed_dir / "empty.xml").write_text("")
    (feed_dir / "broken.xml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00garbage")

    def server_error(handler: BaseHTTPRequestHandler) -> bool:
        send(handler, 500, b"oops")
        return True

    server.routes["/error.xml"] = server_error
    with socket.socket() as sock:  # a port with nothing listening
        sock.bind(("127.0.0.1", 0))
        dead_port = sock.getsockname()[1]
    feeds = [
        {"url": server.url("good.xml")},
        {"url": server.url("page.xml")},
        {"url": server.url("empty.xml")},
        {"url": server.url("broken.xml")},
        {"url": server.url("error.xml")},
        {"url": server.url("missing.xml")},
        {"url": f"http://127.0.0.1:{dead_port}/feed"},
        {"url": "http://no-such-host.invalid/feed"},
    ]
    config_path = write_config(tmp_path / "feeds.yaml", feeds)
    config = load_config(config_path)
    store = Store.open(config.settings.database)
    report = poll_once(store, config, all_feeds=True)
    assert (report.ok, report.failed, report.new_articles) == (1, 7, 3)
    errors = {
        r["url"].rsplit("/", 1)[-1]: (r["last_error_step"], r["last_error"]) for r in store.feed_stats()
    }
    assert errors["page.xml"] == ("while parsing", "not a feed: the server sent an HTML page")
    assert errors["empty.xml"] == ("while parsing", "empty body")
    assert errors["error.xml"] == ("bad HTTP status", "HTTP 500 Internal Server Error")
    assert errors["missing.xml"][1] == "HTTP 404 Not Found"
    by_url = {r["url"]: r for r in store.feed_stats()}
    refused = by_url[f"http://127.0.0.1:{dead_port}/feed"]
    assert refused["last_error_step"] in ("while fetching", "while connecting") and refused["last_error"]
    dns = by_url["http://no-such-host.invalid/feed"]
    assert dns["error_count"] == 1 and dns["last_error"]
    # Polled again, failing feeds count errors in a row.
    poll_once(store, config, all_feeds=True)
    assert {r["error_count"] for r in store.feed_stats() if r["url"].endswith("error.xml")} == {2}


def test_private_addresses_refused_by_default(tmp_path: Path, server: FeedServer, feed_dir: Path) -> None:
    (feed_dir / "a.xml").write_text(rss(ITEMS))
    config_path = write_config(
        tmp_path / "feeds.yaml", [{"url": server.url("a.xml")}], allow_private_addresses=False
    )
    config = load_config(config_path)
    store = Store.open(config.settings.database)
    report = poll_once(store, config, all_feeds=True)
    assert report.failed == 1
    assert not server.requests  # refused before a single request
    assert re.search("private|non-public", store.feed_stats()[0]["last_error"])


def test_a_feed_read_despite_a_problem_says_so_in_the_log(
    tmp_path: Path, server: FeedServer, feed_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # An undeclared entity: not well-formed XML, which feedparser still reads leniently.
    (feed_dir / "a.xml").write_text(rss([dict(ITEMS[0], title="Caf&eacute; opens")]))
    config_path, store = setup(tmp_path, server, feed_dir, ["a.xml"])
    with caplog.at_level(logging.INFO, logger="monitor.pipeline"):
        report = poll_once(store, load_config(config_path), all_feeds=True)
    assert report.new_articles == 1
    recovered = [r.getMessage() for r in caplog.records if "event=feed_recovered" in r.getMessage()]
    assert len(recovered) == 1 and server.url("a.xml") in recovered[0]


# --- work only when there is work: the model loads when an article waits for a vector ---------
# A model that cannot load ("st:" with a path that does not exist) makes any load visible: the
# stage fails with its ModelLoadError. A poll that brings nothing new must never get there.

UNLOADABLE = 'stories:\n  model: "st:/nowhere/model"\n'


def test_a_poll_with_nothing_new_never_loads_the_model(
    tmp_path: Path, server: FeedServer, feed_dir: Path
) -> None:
    config_path = write_config(tmp_path / "feeds.yaml", [{"url": server.url("missing.xml")}])
    config_path.write_text(config_path.read_text() + UNLOADABLE)
    config = load_config(config_path)
    with Store.open(config.settings.database) as store:
        failing = poll_once(store, config, all_feeds=True)  # the only feed fails (404)
        assert (failing.failed, failing.stage_errors) == (1, [])
        assert failing.stage_notes == ["stories: nothing new"]
        nothing_due = poll_once(store, config)
        assert (nothing_due.feeds, nothing_due.stage_errors) == (0, [])
        # New articles: now the model must load, and its failure is reported, not hidden.
        (feed_dir / "missing.xml").write_text(rss(ITEMS))
        fresh = poll_once(store, config, all_feeds=True)
        assert fresh.new_articles == 3
        assert len(fresh.stage_errors) == 1 and "st:/nowhere/model" in fresh.stage_errors[0]
        # What was polled stays stored, waiting for a model that loads.
        assert store.count("articles") == 3


def test_monitor_poll_says_when_the_model_cannot_load(
    tmp_path: Path, server: FeedServer, feed_dir: Path
) -> None:
    from .conftest import run_monitor

    config_path = write_config(tmp_path / "feeds.yaml", [{"url": server.url("a.xml")}])
    config_path.write_text(config_path.read_text() + UNLOADABLE)
    assert run_monitor("--config", str(config_path), "init").returncode == 0
    idle = run_monitor("--config", str(config_path), "poll")  # the feed is new, so due: 404
    assert idle.returncode == 0, idle.stderr
    (feed_dir / "a.xml").write_text(rss(ITEMS))
    busy = run_monitor("--config", str(config_path), "poll", "--all")
    assert busy.returncode == 1
    assert "3 new articles" in busy.stdout
    assert "monitor: error: embedding model 'st:/nowhere/model'" in busy.stderr
    assert "Traceback" not in busy.stderr


def test_an_unknown_model_name_stops_the_poll_before_any_request(
    tmp_path: Path, server: FeedServer, feed_dir: Path
) -> None:
    from monitor.stories.embed import ModelLoadError

    (feed_dir / "a.xml").write_text(rss(ITEMS))
    config_path = write_config(tmp_path / "feeds.yaml", [{"url": server.url("a.xml")}])
    config_path.write_text(config_path.read_text() + 'stories:\n  model: "word2vec"\n')
    config = load_config(config_path)
    with Store.open(config.settings.database) as store, pytest.raises(ModelLoadError, match="unknown model"):
        poll_once(store, config, all_feeds=True)
    assert server.requests == []


FULL_DISK_CHILD = """
import asyncio, json, resource, sys
from monitor.config import load_config
from monitor.errors import StoreError
from monitor.pipeline import Poller
from monitor.store import Store

config = load_config(sys.argv[1])
store = Store.open(config.settings.database)
store.sync_feeds(config.feeds)
feeds = store.feeds()
size = config.settings.database.stat().st_size
resource.setrlimit(resource.RLIMIT_FSIZE, (size, resource.RLIM_INFINITY))  # the disk is full
troubles = []

async def main():
    asyncio.get_running_loop().set_exception_handler(lambda _, context: troubles.append(context["message"]))
    try:
        await Poller(store, config).poll(feeds)
        error = None
    except StoreError as exc:
        error = str(exc)
    left = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    return error, len(left)

error, left = asyncio.run(main())
print(json.dumps({"error": error, "tasks_left": left, "troubles": troubles}))
"""


def test_a_full_disk_ends_the_poll_with_no_fetch_left_running(tmp_path: Path, server: FeedServer) -> None:
    """The first write that fails ends the pass; the fetches still in flight are stopped
    before the HTTP client closes (else each hits the closed client: "Cannot send a request,
    as the client has been closed", one asyncio traceback per feed). A real file-size limit."""
    import json
    import subprocess
    import sys
    import time

    body = rss([{"title": f"T{i}", "link": f"https://n.example/{i}", "guid": f"g{i}",
                 "description": "word " * 2000} for i in range(20)]).encode()  # fmt: skip

    def slow(handler: BaseHTTPRequestHandler) -> bool:
        time.sleep(0.5 if handler.path == "/first.xml" else 2)
        send(handler, 200, body, {"Content-Type": "application/rss+xml"})
        return True

    server.routes["/first.xml"] = slow
    for n in range(6):
        server.routes[f"/later{n}.xml"] = slow
    urls = ["first.xml"] + [f"later{n}.xml" for n in range(6)]
    config = write_config(
        tmp_path / "feeds.yaml", [{"url": server.url(u)} for u in urls], per_host_concurrency=16
    )
    done = subprocess.run(
        [sys.executable, "-c", FULL_DISK_CHILD, str(config)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr[-3000:]
    outcome = json.loads(done.stdout)
    assert outcome["error"] and "cannot write" in outcome["error"], outcome
    assert outcome["tasks_left"] == 0 and outcome["troubles"] == [], outcome
    assert "Traceback" not in done.stderr, done.stderr


def test_a_busy_new_feed_is_polled_again_before_its_items_fall_off(
    tmp_path: Path, server: FeedServer, feed_dir: Path
) -> None:
    """The issue's feed: 20 items over the last 4 hours at its first poll. Its next poll
    comes within its pace (12 min, moved at most half of it to its slot), not 7.5 h later
    (17 items lost); a 304 then keeps that pace (what it listed is stored with the feed)."""
    now = datetime.now(UTC)
    items = [
        {
            "title": f"Busy {n}",
            "link": f"https://busy.example/{n}",
            "guid": f"busy{n}",
            "pubDate": email.utils.format_datetime(now - timedelta(minutes=12 * n), usegmt=True),
        }
        for n in range(20)
    ]
    (feed_dir / "busy.xml").write_text(rss(items))
    config_path, store = setup(tmp_path, server, feed_dir, ["busy.xml"])
    config = load_config(config_path)
    assert config.settings.interval == 30 * 60
    for status in ("ok", "not_modified"):
        report = poll_once(store, config, all_feeds=True)
        feed = store.feeds()[0]
        assert feed.last_status == status, report.failures
        assert feed.next_due and feed.last_polled and feed.window
        assert (feed.window.listed, feed.window.dated) == (20, 20)
        assert feed.next_due - feed.last_polled <= timedelta(minutes=12 * 1.5)


def test_a_body_cut_short_with_no_entries_is_an_error_not_an_empty_feed(
    tmp_path: Path, server: FeedServer, feed_dir: Path
) -> None:
    (feed_dir / "cut.xml").write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>')
    (feed_dir / "empty.xml").write_text(rss([]))
    config_path, store = setup(tmp_path, server, feed_dir, ["cut.xml", "empty.xml"])
    report = poll_once(store, load_config(config_path), all_feeds=True)
    assert (report.ok, report.failed) == (1, 1)
    cut, empty = store.feeds()
    assert (cut.last_status, cut.error_count) == ("error", 1)
    (row,) = store.query("SELECT last_error FROM feeds WHERE id = ?", [cut.id])
    assert "not well-formed" in row["last_error"]
    assert empty.last_status == "ok"


def test_a_feed_s_own_settings_are_looked_up_once_per_poll(
    tmp_path: Path, server: FeedServer, feed_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from monitor.config import Config
    from monitor.pipeline import FeedSettings, feed_settings

    (feed_dir / "a.xml").write_text(rss(ITEMS))
    others = [{**item, "link": f"{item['link']}/b", "guid": f"{item['guid']}b"} for item in ITEMS]
    (feed_dir / "b.xml").write_text(rss(others))
    listed = [
        {"url": server.url("a.xml"), "max_entries": 2},
        {"url": server.url("b.xml")},
        {"url": "https://c.example/rss", "full_text": "always", "allow_private_addresses": False},
    ]
    own = load_config(write_config(tmp_path / "own.yaml", listed, full_text="never"))
    store = Store.open(tmp_path / "own.db")
    store.sync_feeds(own.feeds)
    found = {f.url: feed_settings(own, f) for f in store.feeds()}
    store.close()
    assert found == {
        server.url("a.xml"): FeedSettings(True, 2, "never"),
        server.url("b.xml"): FeedSettings(True, own.settings.max_entries, "never"),
        "https://c.example/rss": FeedSettings(False, own.settings.max_entries, "always"),
    }
    config = load_config(write_config(tmp_path / "feeds.yaml", listed[:2], full_text="never"))
    store = Store.open(config.settings.database)
    lookups: list[str] = []
    feed_of = Config.feed
    monkeypatch.setattr(Config, "feed", lambda self, url: lookups.append(url) or feed_of(self, url))
    report = poll_once(store, config, all_feeds=True)
    assert (report.ok, report.new_articles) == (2, 5)  # a.xml keeps its 2 newest entries
    assert sorted(lookups) == [server.url("a.xml"), server.url("b.xml")]  # once each


def test_a_poll_holds_few_fetched_bodies_at_once(tmp_path: Path, server: FeedServer, feed_dir: Path) -> None:
    """A body is freed once its feed's poll is recorded, and fetching waits while a bounded
    number of fetched bodies await their parse: a cold cycle of many feeds stays small."""
    import asyncio
    import gc

    from monitor.ingest.fetch import FetchResult
    from monitor.pipeline import BACKLOG_PER_SLOT, Poller

    names = [f"f{n}.xml" for n in range(24)]
    for name in names:
        (feed_dir / name).write_text(rss([{**item, "guid": f"{name}-{item['guid']}"} for item in ITEMS]))
    feeds: list[dict[str, object]] = [{"url": server.url(n)} for n in names]
    config_path = write_config(tmp_path / "feeds.yaml", feeds, concurrency=1, per_host_concurrency=4)
    config = load_config(config_path)
    store = Store.open(config.settings.database)
    store.sync_feeds(config.feeds)
    alive: list[int] = []
    # Results an earlier test left alive (the suite runs in one process) are not this poll's:
    # held here, so that their ids stay theirs, and left out of the count.
    gc.collect()
    earlier = [o for o in gc.get_objects() if isinstance(o, FetchResult)]
    earlier_ids = {id(o) for o in earlier}

    def progress(feed: object, status: str) -> None:
        gc.collect()
        ours = [o for o in gc.get_objects() if isinstance(o, FetchResult) and id(o) not in earlier_ids]
        alive.append(len(ours))

    report = asyncio.run(Poller(store, config).poll(store.feeds(), progress))
    assert report.ok == 24 and len(alive) == 24
    # The one being recorded, and those fetched meanwhile within the backlog (concurrency 1).
    assert max(alive) <= BACKLOG_PER_SLOT + 1, alive


def test_a_process_that_only_polls_loads_none_of_the_later_stages(server: FeedServer, feed_dir: Path) -> None:
    """numpy, lxml, the embedder and sqlite-utils cost a polling process 20 MB: a poll without
    the later stages (a poll worker, bench/peers.py) imports none of them."""
    import subprocess
    import sys

    (feed_dir / "a.xml").write_text(rss(ITEMS))
    script = f"""
import asyncio, sys
from pathlib import Path
from monitor.config import Config, FeedConfig, Settings
from monitor.pipeline import Poller
from monitor.store import Store
db = Path(sys.argv[1])
feeds = (FeedConfig(url={server.url("a.xml")!r}),)
settings = Settings(database=db, allow_private_addresses=True, full_text="never")
store = Store.open(db)
store.sync_feeds(feeds)
report = asyncio.run(Poller(store, Config(db.with_suffix(".yaml"), settings, feeds)).poll(store.feeds()))
heavy = ("numpy", "lxml", "sqlite_utils", "onnxruntime", "trafilatura", "monitor.stories.embed")
print(report.new_articles, sorted(m for m in heavy if m in sys.modules))
"""
    done = subprocess.run(
        [sys.executable, "-c", script, str(feed_dir.parent / "only-polls.db")],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    assert done.stdout.split(None, 1) == ["3", "[]\n"], done.stdout + done.stderr
