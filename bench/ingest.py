"""Ingest speed: parse -> store -> dedup -> embed -> assign, and assignment cost vs. size.

    python bench/ingest.py                    # 10,000 articles, default model
    python bench/ingest.py --model use --articles 3000
    python bench/ingest.py --scale-only       # only the 10,000 vs 200,000 stored comparison

Part 1 builds RSS feeds from the labelled news in ../shared/data/stories (WMT newstest, ECB+,
tgcontest pairs), repeated in rounds three weeks apart until there are --articles items,
parses them with monitor.ingest.parse, stores them with Store.record_poll and runs the stories stage
(dedup, embedding, assignment, story records) on a real SQLite file. It prints articles per
second for each step and end to end. The machine is shared and has 2 cores: figures move by
+-20 % between runs.

Part 2 measures the cost of assigning one new article (already embedded, so the model is out
of the figure) when 10,000 and when 200,000 articles are stored. Both databases get articles
at the same rate (10,000 a week), so the window of active stories holds as many stories in
both; what differs is everything the database holds beyond it.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from stories import Record, load_ecb, load_tg_pairs, load_wmt  # noqa: E402

from monitor.config import FeedConfig  # noqa: E402
from monitor.ingest.parse import parse_feed  # noqa: E402
from monitor.store import FeedUpdate, Store  # noqa: E402
from monitor.stories.embed import load_embedder  # noqa: E402
from monitor.stories.settings import StorySettings  # noqa: E402
from monitor.stories.stage import run_story_stage  # noqa: E402

BASE = datetime(2026, 6, 1, tzinfo=UTC)


def records(n: int) -> list[tuple[Record, datetime, str]]:
    """(record, publication time, feed key) for n articles, in rounds three weeks apart."""
    pool: list[Record] = []
    pool += load_wmt()
    pool += load_ecb()
    for a, b, _ in load_tg_pairs():
        pool += [a, b]
    # One week per WMT test set (their own weeks), ECB and tg spread over a week too.
    groups: dict[str, list[Record]] = defaultdict(list)
    for r in pool:
        groups[r.id.split("/")[0] if "/" in r.id else r.id[:3]].append(r)
    out: list[tuple[Record, datetime, str]] = []
    round_ = 0
    while len(out) < n:
        start = BASE + timedelta(days=21 * round_)
        for members in groups.values():
            for i, r in enumerate(members):
                when = start + timedelta(minutes=(i * 7919) % (7 * 24 * 60))
                out.append((r, when, f"{r.outlet or 'x'}-{r.language}"))
        round_ += 1
    return out[:n]


def rss(items: list[tuple[Record, datetime, str]], feed: str, serial: int) -> bytes:
    parts = [f"<title>{escape(feed)}</title><link>https://{serial}.example/</link>"]
    for n, (r, when, _) in enumerate(items):
        parts.append(
            "<item>"
            f"<guid>{serial}-{n}</guid><link>https://{serial}.example/{n}</link>"
            f"<title>{escape(r.title)}</title>"
            f"<description>{escape(r.text[:3000])}</description>"
            f"<pubDate>{format_datetime(when)}</pubDate>"
            "</item>"
        )
    body = "".join(parts)
    head = '<?xml version="1.0" encoding="utf-8"?><rss version="2.0">'
    return f"{head}<channel>{body}</channel></rss>".encode()


def ingest(n: int, model: str, folder: Path) -> None:
    items = records(n)
    by_feed: dict[str, list[tuple[Record, datetime, str]]] = defaultdict(list)
    for item in items:
        by_feed[item[2]].append(item)
    feeds = {key: f"https://feeds.example/{i}.rss" for i, key in enumerate(sorted(by_feed))}
    bodies = {key: rss(group, key, i) for i, (key, group) in enumerate(sorted(by_feed.items()))}
    load_embedder(model)  # loading the model is not ingest
    now = BASE + timedelta(days=400)
    with Store.open(folder / "ingest.db") as store:
        store.sync_feeds([FeedConfig(url=url, name=key) for key, url in feeds.items()])
        states = {f.url: f for f in store.feeds()}
        t0 = time.perf_counter()
        parsed = {
            key: parse_feed(
                bodies[key],
                url=feeds[key],
                feed_language=key.rsplit("-", 1)[1],
                now=now,
                max_entries=len(by_feed[key]),  # every item counts here, whatever the default cap
            )
            for key in feeds
        }
        t1 = time.perf_counter()
        for key, feed in parsed.items():
            store.record_poll(
                states[feeds[key]],
                FeedUpdate.success(now, now + timedelta(hours=1)),
                feed.entries,
                url=feeds[key],
                duration_ms=1,
                size=len(bodies[key]),
            )
        t2 = time.perf_counter()
        report = run_story_stage(store, StorySettings(model=model))
        t3 = time.perf_counter()
        stored = store.count("articles")
    print(f"{stored} articles in {len(feeds)} feeds, model {report.model}")
    print(f"  parse   {stored / (t1 - t0):8.0f} articles/s")
    print(f"  store   {stored / (t2 - t1):8.0f} articles/s")
    print(f"  stories {stored / (t3 - t2):8.0f} articles/s  ({report.summary()})")
    print(f"  end to end {stored / (t3 - t0):.0f} articles/s over {t3 - t0:.1f} s")


def synthetic_db(path: Path, stored: int, model_name: str, dim: int, rng: np.random.Generator) -> datetime:
    """A database with `stored` assigned articles at 10,000 a week; returns the latest time."""
    per_story = 4
    rate = timedelta(days=7) / 10_000
    with Store.open(path) as store:
        store.db.execute(
            "INSERT INTO feeds (id, url, name, created) "
            "VALUES (1, 'https://f.example/rss', 'F', '2026-01-01T00:00:00Z')"
        )
        centers = rng.standard_normal((stored // per_story + 1, dim)).astype(np.float32)
        centers /= np.linalg.norm(centers, axis=1, keepdims=True)
        with store.transaction():
            story_rows = []
            article_rows = []
            for s in range(stored // per_story + 1):
                first = BASE + rate * (s * per_story)
                last = first + rate * (per_story - 1)
                story_rows.append(
                    (
                        s + 1,
                        first.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        last.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        per_story,
                        centers[s].tobytes(),
                        model_name,
                    )
                )
            store.db.conn.executemany(
                "INSERT INTO stories (id, first_seen, last_seen, n_articles, n_outlets, "
                "n_languages, languages, entities, keys, centroid, model) "
                "VALUES (?, ?, ?, ?, 1, 1, '[\"en\"]', '[]', '{}', ?, ?)",
                story_rows,
            )
            for a in range(stored):
                when = (BASE + rate * a).strftime("%Y-%m-%dT%H:%M:%SZ")
                vector = centers[a // per_story] + 0.05 * rng.standard_normal(dim).astype(np.float32)
                vector /= np.linalg.norm(vector)
                article_rows.append(
                    (
                        a + 1,
                        f"g{a}",
                        f"Title {a}",
                        f"Synthetic text number {a} " * 8,
                        when,
                        when,
                        f"h{a}",
                        a // per_story + 1,
                        vector.astype(np.float32).tobytes(),
                        model_name,
                    )
                )
            store.db.conn.executemany(
                "INSERT INTO articles (id, feed_id, guid, title, text, language, published, "
                "first_seen, content_hash, story_id, embedding, embedding_model) "
                "VALUES (?, 1, ?, ?, ?, 'en', ?, ?, ?, ?, ?, ?)",
                article_rows,
            )
    return BASE + rate * stored


def add_new(
    store: Store,
    start_id: int,
    n: int,
    after: datetime,
    dim: int,
    model_name: str,
    rng: np.random.Generator,
) -> None:
    with store.transaction():
        for i in range(n):
            when = (after + timedelta(seconds=60 * (i + 1))).strftime("%Y-%m-%dT%H:%M:%SZ")
            vector = rng.standard_normal(dim).astype(np.float32)
            vector /= np.linalg.norm(vector)
            store.db.execute(
                "INSERT INTO articles (id, feed_id, guid, title, text, language, published, "
                "first_seen, content_hash, embedding, embedding_model) "
                "VALUES (?, 1, ?, ?, ?, 'en', ?, ?, ?, ?, ?)",
                [
                    start_id + i,
                    f"n{start_id + i}",
                    f"New {i}",
                    f"A new synthetic article {i} " * 8,
                    when,
                    when,
                    f"n{i}",
                    vector.tobytes(),
                    model_name,
                ],
            )


def scale(model: str, folder: Path, sizes: tuple[int, ...] = (10_000, 200_000), new: int = 300) -> None:
    embedder = load_embedder(model)
    results = {}
    for stored in sizes:
        rng = np.random.default_rng(7)
        path = folder / f"scale-{stored}.db"
        latest = synthetic_db(path, stored, embedder.name, embedder.dim, rng)
        with Store.open(path) as store:
            add_new(store, stored + 1, 20, latest, embedder.dim, embedder.name, rng)
            t = time.perf_counter()
            run_story_stage(store, StorySettings(model=model))  # rebuilds the assigner
            rebuild = time.perf_counter() - t
            add_new(
                store,
                stored + 100,
                new,
                latest + timedelta(hours=1),
                embedder.dim,
                embedder.name,
                rng,
            )
            t = time.perf_counter()
            run_story_stage(store, StorySettings(model=model, batch_size=50))
            per_article = (time.perf_counter() - t) / new
        results[stored] = per_article
        print(
            f"  {stored:>7} stored: {1000 * per_article:.2f} ms to assign one article "
            f"(first run after opening, with the rebuild: {rebuild:.1f} s)"
        )
    small, large = results[sizes[0]], results[sizes[-1]]
    print(f"  ratio {sizes[-1]} / {sizes[0]}: {large / small:.2f} (target <= 1.5)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--model", default="e5-small")
    parser.add_argument("--scale-only", action="store_true")
    parser.add_argument("--ingest-only", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="monitor-bench-") as tmp:
        if not args.scale_only:
            ingest(args.articles, args.model, Path(tmp))
        if not args.ingest_only:
            print("assignment cost by database size:")
            scale(args.model, Path(tmp))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
