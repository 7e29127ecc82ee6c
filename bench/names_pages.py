"""The /names pages' reads on a large store: who is in the news, and one name's page.

    python bench/names_pages.py                       # 200,000 articles over 30 days
    python bench/names_pages.py --articles 50000

Builds a SQLite file of synthetic articles (a day's share of the --articles, 30 days, stories
of 1 to 6 articles, 5 names an article drawn from 20,000 people with a Zipf-like skew, some
named by their surname alone) straight into `articles` and `article_names`, then times
`names_now` (/names and /api/names) and `name_record` (/names/{key}) for the busiest name
and for a rare one, each the best of 3.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.config import FeedConfig  # noqa: E402
from monitor.store import Store  # noqa: E402
from monitor.web.names import name_record, names_now  # noqa: E402

END = datetime(2026, 6, 1, tzinfo=UTC)
DAYS = 30


def cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return f"{line.split(':', 1)[1].strip()}, {os.cpu_count()} cores"
    return platform.processor() or "unknown CPU"


def build(path: Path, articles: int) -> None:
    rng = random.Random(25)
    people = [(f"given{i}", f"family{i}") for i in range(20_000)]
    weights = [1 / (rank + 1) for rank in range(len(people))]
    with Store.open(path) as store:
        store.sync_feeds([FeedConfig(url="https://feed.example/rss")])
        feed_id = store.feeds()[0].id
        rows, names = [], []
        story = 0
        left_in_story = 0
        for article in range(1, articles + 1):
            if left_in_story == 0:
                story += 1
                left_in_story = rng.randint(1, 6)
            left_in_story -= 1
            published = END - timedelta(seconds=rng.uniform(0, DAYS * 86_400))
            when = published.strftime("%Y-%m-%dT%H:%M:%SZ")
            rows.append((article, feed_id, f"g{article}", f"Title {article}", "", "en", when, when,
                         f"h{article}", story))
            for given, family in set(rng.choices(people, weights, k=5)):
                key = family if rng.random() < 0.3 else f"{given} {family}"
                names.append((article, key, key.title(), f'["{key.title()}"]', 1))
        with store.transaction():
            store.db.executemany(
                "INSERT INTO stories (id, first_seen, last_seen) VALUES (?, ?, ?)",
                [(s, END.isoformat(), END.isoformat()) for s in range(1, story + 1)],
            )
            store.db.executemany(
                "INSERT INTO articles (id, feed_id, guid, title, text, language, published, first_seen, "
                "content_hash, story_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            store.db.executemany(
                "INSERT OR IGNORE INTO article_names (article_id, key, name, variants, mentions) "
                "VALUES (?, ?, ?, ?, ?)",
                names,
            )
            store.db.execute("DELETE FROM names_pending")


class _Context:
    zone = ZoneInfo("Europe/Paris")


def best_of(runs: int, call: object) -> float:
    assert callable(call)
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    return 1000 * best


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=200_000)
    args = parser.parse_args()
    print(f"CPU: {cpu()}; Python {platform.python_version()}; load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory(prefix="monitor-names-") as tmp:
        path = Path(tmp) / "names.db"
        started = time.perf_counter()
        build(path, args.articles)
        print(f"{args.articles:,} articles over {DAYS} days built in {time.perf_counter() - started:.0f} s")
        with Store.open(path, readonly=True) as store:
            pairs = store.db.execute("SELECT COUNT(*) FROM article_names").fetchone()[0]
            print(f"  {pairs:,} (article, name) pairs")
            found = names_now(store, END)
            top = found["names"][0]["key"]
            ms = best_of(3, lambda: names_now(store, END))
            print(f"  /names: {ms:.0f} ms ({len(found['names'])} names; first {found['names'][0]['name']!r},"
                  f" {found['names'][0]['recent']} stories in 24 h)")
            context = _Context()
            for label, key in (("the busiest name", top), ("a rare name", "given19999 family19999")):
                record = name_record(store, key, END, context)  # type: ignore[arg-type]
                if isinstance(record, str):
                    key = record
                ms = best_of(3, lambda key=key: name_record(store, key, END, context))  # type: ignore[arg-type]
                total = record["total"] if isinstance(record, dict) else "?"
                print(f"  /names/{{key}} for {label} ({key!r}, {total} stories in 30 days): {ms:.0f} ms")


if __name__ == "__main__":
    main()
