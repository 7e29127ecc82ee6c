"""/places, /places/XX and ?country= on a large store: 200,000 articles by default.

    python bench/places_web.py                     # 200,000 articles in a temporary SQLite file
    python bench/places_web.py --articles 50000 --db /tmp/places.db   # keep (and reuse) the file

Builds synthetic news in SQLite (the real schema): 200 feeds, 30 days, stories of 1 to 12
articles (about 4 on average, from several outlets), 70 % of the articles naming places: the
story's country (drawn with Zipf's law over 150 countries) for most, and 0 to 2 others. Then
answers, through the web app as `monitor serve` does (Starlette's test client, no network),
each route in turn, interleaved over rounds (the first cold): the home page as the baseline,
the home page and /api/stories filtered by the top country and by a small one, /places,
/api/places and the top country's page. Prints the CPU, the median of the warm rounds and the
ratio to the home page; nothing is asserted. Before answering, each story's countries are kept
(`story_countries`), as the places and stories stages keep them.
"""

from __future__ import annotations

import argparse
import json
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.search import cpu_model  # noqa: E402
from monitor.config import FeedConfig  # noqa: E402
from monitor.entities.countries import country_names  # noqa: E402
from monitor.entities.storycountries import refresh_story_countries  # noqa: E402
from monitor.store import Store  # noqa: E402

DAYS = 30


def build(path: Path, articles: int, end: datetime, seed: int = 25) -> list[str]:
    """The store (reused when it holds enough articles); the countries, commonest first."""
    rng = np.random.default_rng(seed)
    countries = sorted(country_names())[:150]
    rng.shuffle(countries)
    with Store.open(path) as store:
        if store.count("articles") >= articles:
            return countries
        store.sync_feeds(
            [FeedConfig(url=f"https://news{i}.example/rss", name=f"News {i}") for i in range(200)]
        )
        feed_ids = [int(r["id"]) for r in store.query("SELECT id FROM feeds ORDER BY id")]
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    start = end - timedelta(days=DAYS)
    started = time.perf_counter()
    article_id = story_id = 0
    while article_id < articles:
        stories, rows, places = [], [], []
        while len(rows) < 5_000 and article_id < articles:
            story_id += 1
            size = min(int(rng.geometric(0.25)), 12, articles - article_id)
            first = start + timedelta(seconds=float(rng.uniform(0, DAYS * 86400)))
            main = countries[min(int(rng.zipf(1.4)) - 1, len(countries) - 1)]
            times = sorted(first + timedelta(hours=float(rng.exponential(6))) for _ in range(size))
            for when in times:
                article_id += 1
                named: list[str] = []
                if rng.random() < 0.7:
                    named = [main] if rng.random() < 0.85 else []
                    others = rng.integers(0, len(countries), int(rng.integers(0, 3)))
                    named += [countries[int(i)] for i in others]
                named = list(dict.fromkeys(named))
                published = min(when, end - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
                listed = [{"geonameid": 1000 + countries.index(c), "name": c, "country": c} for c in named]
                rows.append((article_id, feed_ids[int(rng.integers(0, len(feed_ids)))], f"g{article_id}",
                             f"Story {story_id} article {article_id}", "en", published, published,
                             f"h{article_id}", story_id, json.dumps(listed)))  # fmt: skip
                places += [(article_id, 1000 + countries.index(c), c) for c in named]
            stamp = times[0].strftime("%Y-%m-%dT%H:%M:%SZ")
            stories.append((story_id, stamp, stamp, article_id - size + 1, size, "bench", stamp))
        with conn:
            conn.executemany(
                "INSERT INTO stories (id, first_seen, last_seen, headline_article_id, n_articles, model, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                stories,
            )
            conn.executemany(
                "INSERT INTO articles (id, feed_id, guid, title, language, published, first_seen, "
                "content_hash, story_id, places) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            conn.executemany(
                "INSERT INTO article_places (article_id, geonameid, country) VALUES (?, ?, ?)", places
            )
        print(f"  built {article_id:,} articles ({time.perf_counter() - started:.0f} s)", flush=True)
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()
    return countries


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--db", type=Path, help="SQLite file to build (or reuse); default: a temporary one")
    args = parser.parse_args()
    print(f"CPU: {cpu_model()}; Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}")
    from starlette.testclient import TestClient

    from monitor.config import load_config
    from monitor.web.app import create_app

    end = datetime.now(UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory() as folder:
        path = args.db or Path(folder) / "places.db"
        began = time.perf_counter()
        countries = build(path, args.articles, end)
        with Store.open(path) as store:  # each story's countries kept, as the stages keep them
            refreshed = time.perf_counter()
            kept = refresh_story_countries(store, limit=10**9)
        print(f"countries of {kept:,} stories kept in {time.perf_counter() - refreshed:.0f} s")
        with Store.open(path, readonly=True) as store:
            n_articles, n_stories = store.count("articles"), store.count("stories")
            week = store.query(
                "SELECT COUNT(*) AS n FROM articles WHERE published >= ?",
                [(end - timedelta(days=7)).strftime("%Y-%m-%dT%H:%M:%SZ")],
            )[0]["n"]
        print(f"{n_articles:,} articles, {n_stories:,} stories ({week:,} articles in the last 7 days) "
              f"ready in {time.perf_counter() - began:.0f} s")  # fmt: skip
        config = Path(folder) / "feeds.yaml"
        config.write_text("settings:\n  timezone: UTC\nfeeds: []\n", encoding="utf-8")
        top, small = countries[0], countries[60]
        routes = {
            "home (baseline)": "/",
            f"home ?country={top}": f"/?country={top}",
            f"home ?country={small}": f"/?country={small}",
            f"/api/stories ?country={top}": f"/api/stories?country={top}",
            "/places": "/places",
            "/api/places": "/api/places",
            f"/places/{top}": f"/places/{top}",
        }
        times: dict[str, list[float]] = {label: [] for label in routes}
        sizes: dict[str, int] = {}
        with TestClient(create_app(path, load_config(config))) as client:
            for _ in range(args.rounds):
                for label, route in routes.items():
                    started = time.perf_counter()
                    answer = client.get(route)
                    times[label].append(time.perf_counter() - started)
                    assert answer.status_code == 200, (route, answer.text[:300])
                    sizes[label] = len(answer.content)
        base = statistics.median(times["home (baseline)"][1:])
        for label, found in times.items():
            warm = statistics.median(found[1:])
            print(f"{label:28} {warm:6.2f} s warm (cold {found[0]:.2f} s), "
                  f"{warm / base:4.1f}x the home page, {sizes[label] / 1024:5.0f} KiB")  # fmt: skip


if __name__ == "__main__":
    main()
