"""What reading names and places adds to the stories stage's embedding, in wall time.

    python bench/entities_wall.py                 # 16 slices of 96 articles
    python bench/entities_wall.py --slices 24 --size 128

Issue 25, item 5: recognition and geotagging add at most 25 % to the stories stage per
article. The stage embeds a batch with onnxruntime on every core; the names and places stages
read it in Python on one core. On an idle machine the embedding's wall time is about half its
CPU time, so the same reading weighs more in wall time than in CPU time (bench/ingest.py
prints both over the whole pipeline, with more noise). This bench takes the same slice of
bench/ingest.py's texts (WMT, ECB+: title and the first 3,000 characters) in quick turns within
one process, so that a shared machine's load moves both ways alike: the embedding alone, then
the embedding followed by the reading (`names_of_all`, then `places_of` given those names: the
pure work of the two stages, no store). It prints wall and CPU milliseconds an article per
slice, their medians, and the median of what the reading adds to the embedding, in wall and
in CPU time. The CPU model and the load are printed: the wall figure means something only on
an idle machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from stories import load_ecb, load_wmt  # noqa: E402

from monitor.entities.placestage import PlacesStage, places_of  # noqa: E402
from monitor.entities.stage import names_of_all  # noqa: E402
from monitor.stories.embed import article_text, load_embedder  # noqa: E402

ALONE, AFTER = "embedding alone", "embedding, then names and places"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=96, help="articles a slice (a batch)")
    parser.add_argument("--slices", type=int, default=16)
    parser.add_argument("--model", default="e5-small")
    args = parser.parse_args()
    embedder = load_embedder(args.model)
    gazetteer = PlacesStage().gazetteer()
    rows = [
        {"id": i, "title": r.title, "text": r.text[:3000], "language": r.language, "feed_url": ""}
        for i, r in enumerate(load_wmt() + load_ecb())
    ]
    slices = [rows[i : i + args.size] for i in range(0, len(rows) - args.size + 1, args.size)]
    if len(slices) < 2:
        raise SystemExit(f"--size {args.size}: fewer than two slices of {len(rows)} articles")

    def embed(batch: Sequence[dict[str, Any]]) -> None:
        embedder.embed([article_text(row["title"], row["text"]) for row in batch])

    def embed_then_read(batch: Sequence[dict[str, Any]]) -> None:
        embed(batch)
        places_of(gazetteer, batch, names_of_all(batch, gazetteer))

    ways: dict[str, Callable[[Sequence[dict[str, Any]]], None]] = {ALONE: embed, AFTER: embed_then_read}
    embed_then_read(slices[0][:16])  # warm: the model, the gazetteer's pages
    print(f"{_cpu_model()}, {os.cpu_count()} cores; {args.slices} slices of {args.size} articles;"
          " wall / CPU ms an article", flush=True)
    times: dict[str, list[tuple[float, float]]] = {way: [] for way in ways}
    for n in range(args.slices):
        batch = slices[1 + n % (len(slices) - 1)]
        for way in (ALONE, AFTER) if n % 2 == 0 else (AFTER, ALONE):  # each first in turn
            wall, cpu = time.perf_counter(), time.process_time()
            ways[way](batch)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            times[way].append((1000 * wall / len(batch), 1000 * cpu / len(batch)))
        line = "  ".join(f"{way} {times[way][-1][0]:6.2f} / {times[way][-1][1]:5.2f}" for way in ways)
        print(f"  slice {n + 1:2}: {line}  (load {os.getloadavg()[0]:.2f})", flush=True)
    for way in ways:
        print(f"{way:34} wall median {_median([w for w, _ in times[way]]):6.2f},"
              f" CPU median {_median([c for _, c in times[way]]):5.2f} ms an article")
    added = {
        kind: [after[i] / alone[i] - 1 for alone, after in zip(times[ALONE], times[AFTER], strict=True)]
        for kind, i in (("wall", 0), ("CPU", 1))
    }
    for kind, shares in added.items():
        print(f"names and places add to the embedding, {kind}: median {100 * _median(shares):.0f} %"
              f" ({100 * min(shares):.0f}-{100 * max(shares):.0f} %)")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load now {load} (the wall figure holds on an idle machine)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
