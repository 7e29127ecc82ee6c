"""The stories stage beside the model alone, on the same articles: speed and memory.

    python bench/ceiling.py                         # 2,000 articles, e5-small
    python bench/ceiling.py --articles 40000        # a cold ingest's worth
    python bench/ceiling.py --tree ../other-checkout  # the same figures for another checkout
    python bench/ceiling.py --as-avx2               # as on a CPU without AVX-512, VNNI and AMX

Stores --articles labelled news items (bench/ingest.py's rounds of WMT, ECB+ and tgcontest),
then, in one process, loads the model and takes the pending articles a batch at a time (the
stage's batch size): the model alone embeds the batch's texts (title + first words, what the
stage embeds), then the stories stage runs on that batch (dedup, embedding, assignment, story
records, writes). Taking turns batch by batch, both see the same load on a shared machine.
It prints the model's texts/s, the stage's articles/s, their ratio, and the process's
resident memory (now and peak) along the way, with the load average. `--stage-only` leaves
the model's turns out (for memory through a long ingest). Parse and store are not timed
(bench/ingest.py times them). It prints the CPU's model, the flags that choose the embedding
path (monitor.stories.cpupath) and the path the model runs.

`--as-avx2` runs the same with AVX-512, VNNI and AMX hidden from cpuid (bench/cpumask.c, built
with gcc; Linux on a CPU with "cpuid_fault"): ONNX Runtime then runs its AVX2 kernels, as on an
AMD EPYC of the Zen 3 kind, on this machine's cores, caches and memory. The path is the one
`choose_path` gives for the flags left.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def memory() -> str:
    """Resident memory now and at its peak, in MB (Linux)."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    now, peak = (int(fields[key].split()[0]) // 1024 for key in ("VmRSS", "VmHWM"))
    return f"RSS {now} MB, peak {peak} MB"


# Flags bench/cpumask.c hides from cpuid.
HIDDEN = ("avx512", "amx", "avx_vnni")
SHOWN = ("avx2", "fma", "avx512f", "avx512bw", "avx512_vnni", "avx_vnni", "amx_int8", "asimddp")


def cpupath() -> Any:
    """This checkout's monitor.stories.cpupath (standard library only), loaded from its file:
    the checkout measured (--tree) may be one from before it existed."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "bench_cpupath", ROOT / "monitor" / "stories" / "cpupath.py"
    )
    assert spec is not None and spec.loader is not None
    module = sys.modules.get(spec.name)
    if module is None:
        module = sys.modules[spec.name] = importlib.util.module_from_spec(spec)  # dataclasses look there
        spec.loader.exec_module(module)
    return module


def as_avx2() -> None:
    """Run this script again with cpuid faulting and AVX-512, VNNI and AMX hidden (the
    MONITOR_BENCH_MASKED mark stops the recursion); does not return."""
    choose_path, cpu_flags = cpupath().choose_path, cpupath().cpu_flags
    library = ROOT / ".cache" / "bench" / "cpumask.so"
    library.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["gcc", "-O2", "-shared", "-fPIC", "-o", str(library), str(ROOT / "bench" / "cpumask.c")], check=True
    )
    left = {flag for flag in cpu_flags() if not flag.startswith(HIDDEN)}
    env = dict(os.environ, LD_PRELOAD=str(library), MONITOR_BENCH_MASKED="1")
    env["MONITOR_EMBED_PATH"] = choose_path(left).weights
    os.execve(sys.executable, [sys.executable, *sys.argv], env)


def describe_cpu() -> str:
    """The CPU's model and the flags that choose a path, with what cpumask hides."""
    flags, cpu_model = cpupath().cpu_flags(), cpupath().cpu_model
    masked = bool(os.environ.get("MONITOR_BENCH_MASKED"))
    if masked:
        import ctypes

        if not ctypes.CDLL(None).cpumask_active():
            raise SystemExit("--as-avx2: this CPU or kernel cannot make cpuid fault (no cpuid_fault)")
    shown = [f for f in SHOWN if f in flags and not (masked and f.startswith(HIDDEN))]
    hidden = [f for f in SHOWN if f in flags and masked and f.startswith(HIDDEN)]
    line = (
        f"CPU {cpu_model()}, {os.cpu_count()} cores; flags: {' '.join(shown) or 'none of ' + ' '.join(SHOWN)}"
    )
    return line + (f"; hidden from cpuid: {' '.join(hidden)}" if hidden else "")


class OneBatch:
    """A `stop` for run_story_stage that lets one batch through: true once the stage has
    written a batch (the store's stories marker moved). The stage also asks between chunks
    of texts while embedding, where it must stay false."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.start = store.stories_marker()

    def __call__(self) -> bool:
        return bool(self.store.stories_marker() != self.start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--model", default="e5-small")
    parser.add_argument("--stage-only", action="store_true", help="no model-alone turns (memory runs)")
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout whose monitor is measured")
    parser.add_argument("--as-avx2", action="store_true", help="hide AVX-512, VNNI and AMX from cpuid")
    args = parser.parse_args()
    tree = args.tree.resolve()
    if args.as_avx2 and not os.environ.get("MONITOR_BENCH_MASKED"):
        as_avx2()
    sys.path[:0] = [str(tree), str(ROOT / "bench")]
    os.environ["PYTHONPATH"] = str(tree)  # a child process building the model uses it too

    import monitor  # first: bench/ingest.py puts this checkout ahead on the path

    from ingest import BASE, records, rss  # isort: skip
    from monitor.config import FeedConfig
    from monitor.ingest.parse import parse_feed
    from monitor.store import FeedUpdate, Store
    from monitor.stories.embed import article_text, load_embedder
    from monitor.stories.settings import StorySettings
    from monitor.stories.stage import run_story_stage

    print(f"monitor from {Path(monitor.__file__).parent.parent}, load average {os.getloadavg()[0]:.1f}")
    print(f"  {describe_cpu()}")
    print(f"  start: {memory()}")
    settings = StorySettings(model=args.model)

    def store_articles(path: Path) -> None:
        items = records(args.articles)
        by_feed: dict[str, list] = defaultdict(list)  # type: ignore[type-arg]
        for item in items:
            by_feed[item[2]].append(item)
        now = BASE + timedelta(days=400)
        with Store.open(path) as store:
            feeds = {key: f"https://feeds.example/{i}.rss" for i, key in enumerate(sorted(by_feed))}
            store.sync_feeds([FeedConfig(url=url, name=key) for key, url in feeds.items()])
            states = {f.url: f for f in store.feeds()}
            for i, (key, group) in enumerate(sorted(by_feed.items())):
                body = rss(group, key, i)
                parsed = parse_feed(
                    body, url=feeds[key], feed_language=key.rsplit("-", 1)[1], now=now, max_entries=len(group)
                )
                store.record_poll(
                    states[feeds[key]],
                    FeedUpdate.success(now, now + timedelta(hours=1)),
                    parsed.entries,
                    url=feeds[key],
                    duration_ms=1,
                    size=len(body),
                )

    with tempfile.TemporaryDirectory(prefix="monitor-bench-") as tmp:
        # Stored by a child process, so that building the feeds costs this one nothing: what
        # is measured here is the stage on a database that a poll has filled.
        child = multiprocessing.get_context("fork").Process(target=store_articles, args=(Path(tmp) / "c.db",))
        child.start()
        child.join()
        if child.exitcode != 0:
            return 1
        store = Store.open(Path(tmp) / "c.db")
        pending = store.stories_pending_count()
        texts: list[str] = []
        if not args.stage_only:  # (reading every text at once would add to the peak)
            rows = store.stories_pending(args.articles)
            texts = [article_text(row["title"], row["text"], settings.max_words) for row in rows]
            del rows
        print(f"  {pending} articles stored: {memory()}")
        t = time.perf_counter()
        embedder = load_embedder(args.model)
        print(f"  model loaded in {time.perf_counter() - t:.1f} s: {memory()}")
        runs = getattr(embedder, "runs", "") or "int8 (the only path of this checkout)"
        print(f"  path: {runs}")

        # The machine is shared: the model alone and the stage take turns, one batch each, so
        # that both see the same load. The stage stops after each batch (its `stop` hook) and
        # goes on from its state at the next call, as it would between two polls.
        model_seconds = stage_seconds = first_batch = first_model = 0.0
        batches, done = 0, 0
        totals: dict[str, int] = defaultdict(int)
        while done < pending:
            batch = texts[done : done + settings.batch_size]
            if not args.stage_only:
                t = time.perf_counter()
                embedder.embed(batch)
                model_seconds += time.perf_counter() - t
                first_model = first_model or model_seconds
            t = time.perf_counter()
            report = run_story_stage(store, settings, stop=OneBatch(store))
            seconds = time.perf_counter() - t
            stage_seconds += seconds
            first_batch = first_batch or seconds
            for key in ("articles", "embedded", "opened", "joined", "duplicates"):
                totals[key] += getattr(report, key)
            if not report.articles:
                break
            done += report.articles
            batches += 1
            if batches % 20 == 0 or done >= pending:
                print(f"    {done} articles, load {os.getloadavg()[0]:.1f}: {memory()}", flush=True)
        print(
            f"  stories stage {totals['articles'] / stage_seconds:6.1f} articles/s over {batches} batches"
            f" (the first, with the state's rebuild, {first_batch:.1f} s); {totals['embedded']} texts"
            f" embedded, {totals['duplicates']} copies, {totals['opened']} stories opened"
        )
        if not args.stage_only:
            model = pending / model_seconds
            stage = totals["articles"] / stage_seconds
            print(f"  model alone   {model:6.1f} texts/s on the same batches, in turn with the stage")
            print(f"  stage / model alone: {stage / model:.2f} (target >= 0.9)")
            if batches > 1:
                # The first batch also pays the stage's one-time costs (its state, its imports).
                later = (model_seconds - first_model) / (stage_seconds - first_batch)
                print(f"  stage / model alone after the first batch: {later:.2f}")
        print(f"  end: {memory()}")
        store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
