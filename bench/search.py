"""Long boolean queries on 200,000 articles: `monitor search` and a watch's `query`.

    python bench/search.py                      # 200,000 articles in a temporary SQLite file
    python bench/search.py --articles 50000 --db /tmp/search.db   # keep (and reuse) the file

Builds synthetic-but-realistic news in SQLite (the real schema, FTS5 kept by its triggers):
titles of 8-14 words and texts of 120-260, drawn with Zipf's law from a vocabulary of common
English words, 30,000 made-up content words and 3,000 capitalized names, over 200 feeds and
60 days. Then times, through the store as `monitor search` calls it (parse, FTS5, ranking,
snippets), each query three times (the first cold):

- a 120-word OR query of names and phrases (about 1,300 characters, as in issue 23);
- a 500-term query: 400 names ORed, AND 80 topic words, NOT 20 words (about 6,000 characters);
- a 10,000-character query of 1,000 terms (the limits);

and the watches' matcher on the 500-term query, per article (reading an article's words is
shared by every watch; matching is per watch). Prints the CPU model and the
figures; nothing is asserted (the tests check what is found, not how fast).
"""

from __future__ import annotations

import argparse
import hashlib
import platform
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.config import FeedConfig  # noqa: E402
from monitor.store import Store  # noqa: E402
from monitor.store.tsquery import to_fts5  # noqa: E402
from monitor.watches.query import Document, evaluate, parse_query, terms  # noqa: E402

COMMON = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "on",
    "it",
    "with",
    "as",
    "was",
    "at",
    "by",
    "he",
    "be",
    "this",
    "from",
    "are",
    "have",
    "an",
    "has",
    "not",
    "but",
    "said",
    "they",
    "his",
    "were",
    "their",
    "which",
    "will",
    "been",
    "its",
    "after",
    "who",
    "more",
    "would",
    "one",
    "new",
    "also",
    "two",
    "over",
    "than",
    "year",
    "first",
    "up",
    "about",
    "into",
    "government",
    "people",
    "minister",
    "president",
    "police",
    "could",
    "when",
    "last",
    "other",
    "states",
    "state",
    "years",
    "city",
    "week",
    "country",
    "told",
    "since",
    "while",
    "between",
    "war",
    "talks",
    "deal",
    "court",
    "report",
    "election",
    "public",
    "officials",
    "some",
    "most",
    "million",
    "per",
    "cent",
]
SYLLABLES = [
    "ka",
    "ri",
    "to",
    "ne",
    "ma",
    "lo",
    "ve",
    "sa",
    "di",
    "po",
    "an",
    "el",
    "ur",
    "is",
    "om",
    "ba",
    "ce",
    "fu",
    "gi",
    "ho",
    "ju",
    "ky",
    "ly",
    "mu",
    "ny",
    "pe",
    "qu",
    "ra",
    "se",
    "ti",
    "vo",
]
T0 = datetime(2025, 1, 1, tzinfo=UTC)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def vocabulary(rng: np.random.Generator) -> tuple[list[str], list[str]]:
    """(words by rank, names): made-up words of 2-4 syllables, unique."""
    words: dict[str, None] = dict.fromkeys(COMMON)
    while len(words) < len(COMMON) + 30_000:
        n = int(rng.integers(2, 5))
        words["".join(SYLLABLES[i] for i in rng.integers(0, len(SYLLABLES), n))] = None
    names: dict[str, None] = {}
    while len(names) < 3_000:
        n = int(rng.integers(2, 4))
        name = "".join(SYLLABLES[i] for i in rng.integers(0, len(SYLLABLES), n)).capitalize()
        if name.lower() not in words:
            names[name] = None
    return list(words), list(names)


def build(path: Path, articles: int, seed: int = 23) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(seed)
    words, names = vocabulary(rng)
    with Store.open(path) as store:
        if store.count("articles") >= articles:
            return words, names
        store.sync_feeds(
            [FeedConfig(url=f"https://news{i}.example/rss", name=f"News {i}") for i in range(200)]
        )
        feed_ids = [int(r["id"]) for r in store.query("SELECT id FROM feeds ORDER BY id")]
    # Zipf over ranks: the commonest words are the commonest; names drawn apart, a few per text.
    word_array = np.array(words, dtype=object)
    name_array = np.array(names, dtype=object)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    started = time.perf_counter()
    batch = 5_000
    for start in range(0, articles, batch):
        rows = []
        for i in range(start, min(start + batch, articles)):
            n_title, n_text = int(rng.integers(8, 15)), int(rng.integers(120, 261))
            ranks = np.minimum(rng.zipf(1.15, n_title + n_text) - 1, len(words) - 1)
            drawn = word_array[ranks]
            picked = name_array[np.minimum(rng.zipf(1.3, 6) - 1, len(names) - 1)]
            title = " ".join([*picked[:2], *drawn[:n_title]]).capitalize()
            body = drawn[n_title:]
            text = ". ".join(" ".join(body[k : k + 20]).capitalize() for k in range(0, len(body), 20))
            text += " " + " ".join(picked[2:]) + "."
            when = T0 + timedelta(seconds=int(i * 60 * 86400 / articles))
            published = when.strftime("%Y-%m-%dT%H:%M:%SZ")
            digest = hashlib.sha1(f"{i}{title}".encode()).hexdigest()
            feed = feed_ids[i % len(feed_ids)]
            url = f"https://news.example/{i}"
            rows.append((feed, f"g{i}", url, title, text, "en", published, published, digest))
        with conn:
            conn.executemany(
                "INSERT INTO articles (feed_id, guid, url, title, text, language, published, first_seen, "
                "content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        done = min(start + batch, articles)
        print(f"  built {done:,} articles ({time.perf_counter() - started:.0f} s)", flush=True)
    conn.execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")
    conn.commit()
    conn.close()
    return words, names


def queries(words: list[str], names: list[str]) -> dict[str, str]:
    rng = np.random.default_rng(7)
    mid = names[50:1500]
    some = [mid[i] for i in rng.choice(len(mid), 100, replace=False)]
    content = words[len(COMMON) + 200 : len(COMMON) + 5000]
    phrases = [f'"{content[i]} {content[i + 1]}"' for i in rng.choice(len(content) - 1, 20, replace=False)]
    or_120 = " OR ".join(some + phrases)
    many = [mid[i] for i in rng.choice(len(mid), 400, replace=False)]
    topics = [content[i] for i in rng.choice(len(content), 80, replace=False)]
    excluded = [content[i] for i in rng.choice(len(content), 20, replace=False)]
    terms_500 = f"({' OR '.join(many)}) AND ({' OR '.join(topics)}) NOT ({' OR '.join(excluded)})"
    every = [names[i % len(names)] for i in range(1000)]
    limit = " OR ".join(every)
    limit = limit[:10_000].rsplit(" OR ", 1)[0] if len(limit) > 10_000 else limit
    return {"120-word OR": or_120, "500 terms": terms_500, "10,000 characters": limit}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=200_000)
    parser.add_argument("--db", type=Path, help="SQLite file to build (or reuse); default: a temporary one")
    args = parser.parse_args()
    print(f"CPU: {cpu_model()}; Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}")
    with tempfile.TemporaryDirectory() as folder:
        path = args.db or Path(folder) / "search.db"
        started = time.perf_counter()
        words, names = build(path, args.articles)
        print(f"{args.articles:,} articles ready in {time.perf_counter() - started:.0f} s ({path})")
        with Store.open(path) as store:
            for label, query in queries(words, names).items():
                tree = parse_query(query)
                times, found = [], []
                for _ in range(3):
                    began = time.perf_counter()
                    found = store.search(query, 20)
                    times.append(time.perf_counter() - began)
                matched = store.query(
                    "SELECT COUNT(*) AS n FROM articles_fts WHERE articles_fts MATCH ?",
                    [to_fts5(query)],
                )[0]["n"]
                print(
                    f"{label:18} {len(query):6,} characters, {len(terms(tree)):4} terms: "
                    f"{matched:7,} matching articles, top 20 in {times[0]:.2f} s cold, "
                    f"{min(times[1:]):.2f} s warm; {len(found)} shown"
                )
            sample = store.query("SELECT title, text FROM articles ORDER BY id LIMIT 2000")
            tree = parse_query(queries(words, names)["500 terms"])
            began = time.perf_counter()
            documents = [Document(row["title"], row["text"]) for row in sample]
            read = (time.perf_counter() - began) / len(sample)
            began = time.perf_counter()
            for document in documents:
                evaluate(tree, document)
            per = (time.perf_counter() - began) / len(sample)
            print(
                f"watch query of 500 terms: {per * 1e6:.0f} µs per article to match, after "
                f"{read * 1e6:.0f} µs to read it once for every watch ({len(sample)} articles)"
            )


if __name__ == "__main__":
    main()
