"""Warm start of the stories stage: how long a new process takes to get back the state the
stage needs (active stories, centroids, name-key counts, the copy index of the window).

    .venv/bin/python bench/warmstart.py [--stored 200000] [--per-week 40000]

Builds a SQLite file of `--stored` assigned articles at `--per-week` a week (synthetic texts
of 60 words, vectors near one centre per story of four), then times in one process each:
the stage with nothing pending; the first rebuild (no stored signatures: every text of the
window shingled, and the signatures stored); the next rebuild (from the stored signatures).
Prints seconds and the growth of peak RSS. Figures, not asserts: the machine is shared.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.store import Store
from monitor.stories.decide import params_for_model
from monitor.stories.settings import StorySettings
from monitor.stories.stage import _rebuild, run_story_stage

BASE = datetime(2026, 1, 1, tzinfo=UTC)
MODEL, DIM = "e5-small", 384


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(path: Path, stored: int, per_week: int) -> None:
    rng = np.random.default_rng(7)
    words = [f"w{n}x" for n in range(20_000)]
    rate = timedelta(days=7) / per_week
    per_story = 4
    with Store.open(path) as store:
        store.db.execute(
            "INSERT INTO feeds (id, url, name, created) "
            "VALUES (1, 'https://f.example/rss', 'F', '2026-01-01')"
        )
        centers = rng.standard_normal((stored // per_story + 1, DIM)).astype(np.float32)
        centers /= np.linalg.norm(centers, axis=1, keepdims=True)
        with store.transaction():
            stories = []
            for s in range(stored // per_story + 1):
                first, last = BASE + rate * (s * per_story), BASE + rate * (s * per_story + per_story - 1)
                stories.append((s + 1, iso(first), iso(last), per_story, centers[s].tobytes(), MODEL))
            store.db.conn.executemany(
                "INSERT INTO stories (id, first_seen, last_seen, n_articles, n_outlets, n_languages, "
                "languages, entities, keys, centroid, model) "
                "VALUES (?, ?, ?, ?, 1, 1, '[\"en\"]', '[]', '{\"name:x\": 2}', ?, ?)",
                stories,
            )
            picks = rng.integers(0, len(words), size=(stored, 60))
            rows = []
            for a in range(stored):
                when = iso(BASE + rate * a)
                rows.append(
                    (a + 1, f"g{a}", f"Title {a}", " ".join(words[i] for i in picks[a]), when, when,
                     f"h{a}", a // per_story + 1, centers[a // per_story].tobytes(), MODEL)
                )
            store.db.conn.executemany(
                "INSERT INTO articles (id, feed_id, guid, title, text, language, published, first_seen, "
                "content_hash, story_id, embedding, embedding_model) "
                "VALUES (?, 1, ?, ?, ?, 'en', ?, ?, ?, ?, ?, ?)",
                rows,
            )


def iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stored", type=int, default=200_000)
    parser.add_argument("--per-week", type=int, default=40_000)
    parser.add_argument("--keep", type=Path, help="also copy the built database here (for profiling)")
    args = parser.parse_args()
    settings = StorySettings(model=MODEL)
    params = params_for_model(MODEL)
    with tempfile.TemporaryDirectory(prefix="monitor-bench-") as tmp:
        path = Path(tmp) / "warm.db"
        t = time.perf_counter()
        build(path, args.stored, args.per_week)
        if args.keep:
            import shutil

            shutil.copy(path, args.keep)
        built = time.perf_counter() - t
        print(f"{args.stored} stored articles, {args.per_week} a week: built in {built:.1f} s")
        with Store.open(path) as store:
            before = peak_mb()
            t = time.perf_counter()
            report = run_story_stage(store, settings)
            idle = 1000 * (time.perf_counter() - t)
            print(f"  stage with nothing pending: {idle:.1f} ms ({report.summary()})")
            labels = ("first start (signatures from the texts, then stored)", "next start (from signatures)")
            for label in labels:
                t = time.perf_counter()
                state = _rebuild(store, MODEL, params, settings)
                seconds = time.perf_counter() - t
                print(
                    f"  {label}: {seconds:.2f} s, {len(state.assigner.active_stories)} active stories, "
                    f"{len(state.dedup)} articles in the copy index, peak RSS +{peak_mb() - before:.0f} MB"
                )
                del state
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
