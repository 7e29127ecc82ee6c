"""Watches over articles in scripts without capitals, on real SQLite files: a hostile article
(a run of 100,000 Han characters, which FTS5 cuts inside a character) stops neither the
watches stage nor `monitor poll`."""

from __future__ import annotations

from pathlib import Path

from monitor.database import parse_target
from monitor.feedserver import FeedServer
from monitor.store import open_store as open_database
from monitor.store.watches import FTS_TOKEN_BYTES
from monitor.watches.match import run_watch_stage
from monitor.watches.settings import WatchesConfig, parse_watches_section

from .conftest import rss, run_monitor, write_config
from .watches_helpers import Item, add, open_store

HAN_RUN = "中国" * 50_000  # no punctuation: one token of 300,000 bytes, cut by FTS5 at 32,768


def test_a_token_cut_inside_a_character_is_read_and_found_again(tmp_path: Path) -> None:
    with open_store(tmp_path / "monitor.db") as store:
        long_id, plain_id = add(
            store, [Item(1, "长文", HAN_RUN, "zh"), Item(0, "Putin in Beijing", "", "en", 1)]
        )
        vocabulary = store.watch_fts_vocabulary()
        assert vocabulary is not None and "putin" in vocabulary
        (cut,) = [t for t in vocabulary if t.startswith("中国")]
        assert len(cut.encode()) < FTS_TOKEN_BYTES and HAN_RUN.startswith(
            cut
        )  # the broken character left out
        assert store.watch_fts_ids([cut]) == {long_id}
        assert store.watch_fts_ids(["putin", cut]) == {long_id, plain_id}


def test_backfill_passes_an_article_whose_token_is_cut(tmp_path: Path) -> None:
    watches = parse_watches_section(
        [{"name": "Putin", "names": ["Putin"]}, {"name": "Beijing", "query": "beijing"}],
        "feeds.yaml",
        model="m",
    )
    with open_store(tmp_path / "monitor.db") as store:
        add(store, [Item(1, "长文", HAN_RUN, "zh"), Item(0, "Putin in Beijing", "", "en", 1)])
        run_watch_stage(store, WatchesConfig(model="m"), None)  # the news first
        report = run_watch_stage(store, watches, None)
        assert sorted((name, found) for name, _, found in report.backfilled) == [("Beijing", 1), ("Putin", 1)]


def test_poll_stays_green_after_a_hostile_chinese_article(
    tmp_path: Path, server: FeedServer, feed_dir: Path, backend_url: str
) -> None:
    """The product's own path, on SQLite and PostgreSQL: served, polled, stored, indexed,
    placed in a story, matched; a `names:` and a `query` watch added afterwards are backfilled
    over it, and the next poll passes too."""
    items = [
        {"title": "长文", "guid": "long", "pubDate": "Sat, 05 Dec 2026 08:00:00 GMT", "description": HAN_RUN},
        {
            "title": "Putin meets Xi in Beijing",
            "guid": "putin",
            "pubDate": "Sat, 05 Dec 2026 09:00:00 GMT",
            "description": "Vladimir Putin arrived in Beijing on Tuesday.",
        },
    ]
    (feed_dir / "zh.xml").write_text(rss(items), encoding="utf-8")
    config = write_config(tmp_path / "feeds.yaml", [{"url": server.url("zh.xml")}], database=backend_url)
    first = run_monitor("--config", str(config), "poll", "--all", cwd=tmp_path, timeout=600)
    assert first.returncode == 0, first.stderr
    with config.open("a", encoding="utf-8") as out:
        out.write("watches:\n  - name: Putin\n    names: [Putin]\n  - name: Beijing\n    query: beijing\n")
    for _ in range(2):  # the backfill, then a poll with nothing new
        again = run_monitor("--config", str(config), "poll", "--all", cwd=tmp_path, timeout=600)
        assert again.returncode == 0, again.stderr
        assert "Traceback" not in again.stderr
    with open_database(parse_target(backend_url)) as store:
        matched = store.query(
            "SELECT w.name, a.guid FROM watch_matches m JOIN watches w ON w.id = m.watch_id "
            "JOIN articles a ON a.id = m.article_id ORDER BY w.name"
        )
    assert [(r["name"], r["guid"]) for r in matched] == [("Beijing", "putin"), ("Putin", "putin")]
