"""One ranking (monitor.stories.ranking): the pure order, and the same stories first in
`monitor stories`, on the home page and from /api/stories for one data set; `?lang=fr` and
`--lang fr` head each story with its French title alike."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.config import FeedConfig
from monitor.store import Store
from monitor.stories.ranking import growth, rank_window
from monitor.timeutil import iso, utcnow

from .conftest import run_monitor, write_config
from .test_web import WebServer, entry, store_entries

SINCE = datetime(2025, 3, 1, tzinfo=UTC)
UNTIL = SINCE + timedelta(hours=24)


def hit(story_id: int, outlets: int, languages: int, articles: int, last: str = "") -> dict[str, object]:
    return {
        "story_id": story_id,
        "day_outlets": outlets,
        "day_languages": languages,
        "day_articles": articles,
        "day_last": last,
    }


def at(hours: float) -> datetime:
    return SINCE + timedelta(hours=hours)


def test_wider_coverage_ranks_first_then_growth() -> None:
    hits = [hit(1, 3, 1, 9), hit(2, 2, 2, 2), hit(3, 1, 1, 30)]
    times = {1: [at(12)], 2: [at(12)], 3: [at(12)]}
    assert [h["story_id"] for h in rank_window(hits, times, SINCE, UNTIL)] == [2, 1, 3]  # 4 > 3 > 1
    # as wide, but gone quiet: the story still growing leads
    quiet = [hit(1, 2, 1, 5), hit(2, 2, 1, 5)]
    ranked = rank_window(quiet, {1: [at(1), at(2)], 2: [at(20), at(23)]}, SINCE, UNTIL)
    assert [h["story_id"] for h in ranked] == [2, 1] and ranked[0]["rank_score"] > ranked[1]["rank_score"]


def test_ties_go_to_articles_then_the_latest_then_the_newest_story() -> None:
    # (12 + 16) / 2 and 14 are the same recency, though the floats differ in the last bit
    assert growth([at(12), at(16)], SINCE, UNTIL) != growth([at(14)], SINCE, UNTIL)
    times = {1: [at(14)], 2: [at(12), at(16)]}
    ranked = rank_window([hit(1, 1, 1, 1, "b"), hit(2, 1, 1, 2, "a")], times, SINCE, UNTIL)
    assert [h["story_id"] for h in ranked] == [2, 1]  # more articles
    times = {1: [at(14)], 2: [at(14)], 3: [at(14)]}
    same = [hit(1, 1, 1, 1, "2025-03-01T14:00:00Z"), hit(2, 1, 1, 1, "2025-03-01T14:00:00Z")]
    same.append(hit(3, 1, 1, 1, "2025-03-01T15:00:00Z"))
    assert [h["story_id"] for h in rank_window(same, times, SINCE, UNTIL)] == [3, 2, 1]


def test_no_outlet_or_language_known_still_counts_once() -> None:
    ranked = rank_window([hit(1, 0, 0, 1), hit(2, 1, 1, 1)], {1: [at(14)], 2: [at(14)]}, SINCE, UNTIL)
    assert ranked[0]["rank_score"] == ranked[1]["rank_score"]


@dataclass
class Site:
    server: WebServer
    config: Path
    db: Path
    ids: dict[str, int]


FEEDS = [
    FeedConfig("https://bbc.example/rss", name="BBC", language="en"),
    FeedConfig("https://guardian.example/rss", name="Guardian", language="en"),
    FeedConfig("https://times.example/rss", name="Times", language="en"),
    FeedConfig("https://lemonde.example/rss", name="Le Monde", language="fr"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Three stories of the last hours. Wide: 3 outlets in one language; bilingual: 2 outlets
    in 2 languages (headed in English); busy: 3 articles of one outlet. The old pages put the
    wide one first (outlets, then languages); the CLI the bilingual one (outlets x languages)."""
    folder = tmp_path_factory.mktemp("ranking")
    config = write_config(
        folder / "feeds.yaml",
        [{"url": f.url, "name": f.name, "language": f.language} for f in FEEDS],
        timezone="Europe/Paris",
    )
    db = folder / "monitor.db"
    now = utcnow()
    with Store.open(db) as store:
        store.sync_feeds(FEEDS)
        bbc, guardian, times, monde = (next(f for f in store.feeds() if f.url == c.url) for c in FEEDS)
        store_entries(
            store,
            bbc,
            [
                entry("bbc-wide", "Bridge closed after crash", now - timedelta(hours=3), "en"),
                entry("bbc-bi", "Summit opens in Geneva", now - timedelta(hours=2), "en"),
                *(
                    entry(f"bbc-busy-{n}", f"Match live {n}", now - timedelta(minutes=60 - n), "en")
                    for n in range(3)
                ),
            ],
        )
        store_entries(
            store, guardian, [entry("guardian-wide", "Bridge shut", now - timedelta(hours=3), "en")]
        )
        store_entries(store, times, [entry("times-wide", "Bridge crash", now - timedelta(hours=3), "en")])
        store_entries(
            store, monde, [entry("monde-bi", "Le sommet s'ouvre à Genève", now - timedelta(hours=2), "fr")]
        )
        art = {r["guid"]: r["id"] for r in store.query("SELECT id, guid FROM articles")}
        ids = {}
        with store.transaction():
            for name, guids in (
                ("wide", ["bbc-wide", "guardian-wide", "times-wide"]),
                ("bi", ["bbc-bi", "monde-bi"]),
                ("busy", ["bbc-busy-0", "bbc-busy-1", "bbc-busy-2"]),
            ):
                cursor = store.db.execute(
                    "INSERT INTO stories (first_seen, last_seen, headline_article_id, n_articles) "
                    "VALUES (?, ?, ?, ?)",
                    [iso(now - timedelta(hours=3)), iso(now), art[guids[0]], len(guids)],
                )
                ids[name] = int(cursor.lastrowid or 0)
                for guid in guids:
                    store.db.execute("UPDATE articles SET story_id = ? WHERE id = ?", [ids[name], art[guid]])
    server = WebServer(config, db)
    try:
        yield Site(server, config, db, ids)
    finally:
        server.stop()


def cli_order(site: Site, *args: str) -> list[dict[str, object]]:
    result = run_monitor("--config", str(site.config), "stories", "--json", *args)
    assert result.returncode == 0, result.stderr
    stories: list[dict[str, object]] = json.loads(result.stdout)
    return stories


def test_cli_home_page_and_api_put_the_same_stories_first(site: Site) -> None:
    expected = [site.ids["bi"], site.ids["wide"], site.ids["busy"]]
    assert [s["id"] for s in cli_order(site)] == expected
    home = site.server.get("/")
    assert [int(i) for i in re.findall(r'<li class="story" id="story-(\d+)"', home.text)] == expected
    api = site.server.get("/api/stories").json()
    assert [s["id"] for s in api["stories"]] == expected
    assert [s["id"] for s in site.server.get("/api/stories?per_page=1&page=2").json()["stories"]] == expected[
        1:2
    ]


def test_lang_fr_heads_stories_in_french_as_the_cli_does(site: Site) -> None:
    cli = cli_order(site, "--lang", "fr")
    assert [(s["id"], s["headline"]) for s in cli] == [(site.ids["bi"], "Le sommet s'ouvre à Genève")]
    page = site.server.get("/?lang=fr").text
    headlines = re.findall(r'<a class="headline" href="/stories/(\d+)" lang="(\w+)">([^<]+)</a>', page)
    assert headlines == [(str(site.ids["bi"]), "fr", "Le sommet s&#39;ouvre à Genève")]
    api = site.server.get("/api/stories?lang=fr").json()["stories"]
    assert [(s["id"], s["headline"], s["headline_language"]) for s in api] == [
        (site.ids["bi"], "Le sommet s'ouvre à Genève", "fr")
    ]
    # without the filter the story keeps its stored (English) headline
    assert "Summit opens in Geneva" in site.server.get("/").text
