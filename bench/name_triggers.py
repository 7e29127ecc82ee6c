"""What the names triggers (article_names -> story_terms, issue 27's rising names) cost in the
names stage's writes (issue 25, item 5).

    python bench/name_triggers.py
    python bench/name_triggers.py --articles 40000 --rounds 5

Two SQLite files with the same articles (stories of 4, each article naming 8 people or
organisations drawn from 5,000, Zipf-like), one with the triggers and one without them; the
names stage's write (`Store.names_write`, batches of 500: each article's old names deleted, the
new ones inserted, the article no longer pending) runs on both in turn, each round on the same
articles, for two cases:

- "new": articles not in a story yet, the pipeline's order (names before stories): the insert
  trigger's join finds no story;
- "in stories": articles already in stories (names read again: a replay, a backlog after the
  migration): each insert adds a story_terms row, each delete checks the story's other articles.

Prints milliseconds per article (wall clock and CPU time of this process, the best round), the
ratio with and without the triggers, the CPU and the load average.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.store import Store  # noqa: E402

NAME_TRIGGERS = ("article_names_terms_added", "article_names_terms_removed")
BATCH = 500  # as monitor.entities.stage writes


def cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return f"{line.split(':', 1)[1].strip()}, {os.cpu_count()} cores"
    return platform.processor() or "unknown CPU"


def fill(store: Store, articles: int, in_stories: bool) -> dict[int, list[dict[str, Any]]]:
    """Articles (and their stories when `in_stories`); returns the names to write for each."""
    rng = random.Random(25)
    vocabulary = [f"Name{n}" for n in range(5000)]
    weights = [1 / (n + 1) for n in range(5000)]
    end = datetime(2025, 3, 1, tzinfo=UTC)
    found: dict[int, list[dict[str, Any]]] = {}
    with store.transaction():
        store.db.execute(
            "INSERT INTO feeds (id, url, name, created) VALUES (1, 'https://f.example/rss', 'F', ?)",
            ["2025-01-01T00:00:00Z"],
        )
        stories, rows = [], []
        for story in range(1, articles // 4 + 1):
            stamp = (end - timedelta(seconds=rng.uniform(0, 30 * 86400))).strftime("%Y-%m-%dT%H:%M:%SZ")
            stories.append((story, stamp, stamp, "[]", stamp))
            for k in range(4):
                n = (story - 1) * 4 + k + 1
                rows.append((n, 1, f"g{n}", f"Title {n}", "", "en", stamp, stamp, f"h{n}",
                             story if in_stories else None))
                names = sorted(set(rng.choices(vocabulary, weights, k=8)))
                found[n] = [{"key": name.lower(), "name": name, "variants": (name,), "mentions": 1}
                            for name in names]
        if in_stories:
            store.db.executemany(
                "INSERT INTO stories (id, first_seen, last_seen, entities, n_articles, updated_at) "
                "VALUES (?, ?, ?, ?, 4, ?)", stories,
            )
        store.db.executemany(
            "INSERT INTO articles (id, feed_id, guid, title, text, language, published, first_seen, "
            "content_hash, story_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows,
        )
    return found


def write_all(store: Store, found: dict[int, list[dict[str, Any]]]) -> tuple[float, float]:
    """Seconds (wall, CPU) to write every article's names, a batch at a time."""
    ids = sorted(found)
    started, started_cpu = time.perf_counter(), time.process_time()
    for at in range(0, len(ids), BATCH):
        store.names_write({i: found[i] for i in ids[at:at + BATCH]})
    return time.perf_counter() - started, time.process_time() - started_cpu


def measure(articles: int, rounds: int, in_stories: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp, \
            Store.open(Path(tmp) / "with.db") as with_triggers, \
            Store.open(Path(tmp) / "without.db") as without_triggers:
        found = fill(with_triggers, articles, in_stories)
        fill(without_triggers, articles, in_stories)
        for trigger in NAME_TRIGGERS:
            without_triggers.db.execute(f"DROP TRIGGER {trigger}")
        best: dict[str, list[float]] = {"with": [float("inf")] * 2, "without": [float("inf")] * 2}
        for _ in range(rounds):  # interleaved: the load falls on both alike
            for label, store in (("with", with_triggers), ("without", without_triggers)):
                wall, cpu_time = write_all(store, found)
                best[label] = [min(best[label][0], wall), min(best[label][1], cpu_time)]
        terms = with_triggers.query("SELECT COUNT(*) AS n FROM story_terms WHERE kind = 'name'")[0]["n"]
    per = 1000 / articles
    return {
        "with_ms": best["with"][0] * per, "without_ms": best["without"][0] * per,
        "with_cpu_ms": best["with"][1] * per, "without_cpu_ms": best["without"][1] * per,
        "story_terms": float(terms),
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"CPU: {cpu()}; Python {platform.python_version()}; load {os.getloadavg()[0]:.1f}")
    print(f"{args.articles:,} articles, 8 names each, batches of {BATCH}, best of {args.rounds} rounds")
    for label, in_stories in (("new (not in a story yet)", False), ("in stories (names read again)", True)):
        got = measure(args.articles, args.rounds, in_stories)
        print(f"\n{label}: story_terms name rows {got['story_terms']:,.0f}")
        print(f"  with triggers    {got['with_ms']:.3f} ms/article (CPU {got['with_cpu_ms']:.3f})")
        print(f"  without triggers {got['without_ms']:.3f} ms/article (CPU {got['without_cpu_ms']:.3f})")
        print(f"  ratio {got['with_ms'] / got['without_ms']:.2f} wall,"
              f" {got['with_cpu_ms'] / got['without_cpu_ms']:.2f} CPU; load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
