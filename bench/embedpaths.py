"""The e5-small paths side by side: speed and agreement with the reference vectors.

    python bench/embedpaths.py                         # int8, int7, fp32 on this CPU
    python bench/embedpaths.py --as-avx2               # with AVX-512, VNNI and AMX hidden
    python bench/embedpaths.py --paths int8,fp32 --texts 300 --rounds 3

Loads each path (monitor.stories.cpupath) in one process, then embeds the same texts (the
stage's own: title + first 60 words of bench/ingest.py's labelled news, every tenth) with
each in turn, round after round, so that all see the same load; prints the best round's
texts/s, and per path the cosine of each text's vector to the reference path's (int8; on
this CPU, so under --as-avx2 the reference is int8 on AVX2 kernels too: compare with
tests/fixtures/stories/e5_paths_int8.npy for the true reference). Also one text at a time
on all threads (`one run`) for each path, the alternative to texts side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

STORIES = ROOT / "tests" / "fixtures" / "stories"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--paths", default="int8,int7,fp32")
    parser.add_argument("--texts", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--one-run", action="store_true", help="also each path one text at a time")
    parser.add_argument("--as-avx2", action="store_true", help="hide AVX-512, VNNI and AMX from cpuid")
    args = parser.parse_args()
    import ceiling

    if args.as_avx2 and not os.environ.get("MONITOR_BENCH_MASKED"):
        ceiling.as_avx2()
    from ingest import records

    from monitor.stories.cpupath import EmbedPath, path_named
    from monitor.stories.e5onnx import E5Onnx
    from monitor.stories.embed import article_text

    print(f"{ceiling.describe_cpu()}; load average {os.getloadavg()[0]:.1f}")
    texts = [article_text(r.title, r.text, 60) for r, _, _ in records(10 * args.texts)][::10]
    fixture = [json.loads(line)["text"] for line in (STORIES / "e5_paths.jsonl").open(encoding="utf-8")]
    reference = np.load(STORIES / "e5_paths_int8.npy").astype(np.float32)
    reference /= np.linalg.norm(reference, axis=1, keepdims=True)
    models: dict[str, E5Onnx] = {}
    for name in args.paths.split(","):
        chosen = path_named(name)
        models[name] = E5Onnx(embed_path=chosen)
        if args.one_run:
            models[f"{name}, one run"] = E5Onnx(embed_path=EmbedPath(chosen.weights, parallel_runs=False))
    for model in models.values():
        model.embed(texts[:4])
    best = dict.fromkeys(models, float("inf"))
    vectors = {}
    for _ in range(args.rounds):
        for label, model in models.items():
            start = time.perf_counter()
            vectors[label] = model.embed(texts)
            best[label] = min(best[label], time.perf_counter() - start)
    first = next(iter(models))
    print(f"{len(texts)} texts, best of {args.rounds} rounds, load average now {os.getloadavg()[0]:.1f}")
    for label, model in models.items():
        here = (vectors[label] * vectors[first]).sum(axis=1)
        fixed = (model.embed(fixture) * reference).sum(axis=1)
        print(
            f"  {label:<14} {len(texts) / best[label]:6.1f} texts/s;"
            f" cosine to {first} here: min {here.min():.4f};"
            f" to the stored reference (38 texts): min {fixed.min():.4f},"
            f" {int((fixed < 0.995).sum())} below 0.995"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
