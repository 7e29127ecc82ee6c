"""monitor's polling beside the Python feed library `reader`, on the same feeds in one run.

    .venv/bin/pip install -e '.[bench]'          # reader (and sgmllib3k, which it needs here)
    .venv/bin/python bench/peers.py [--feeds 200] [--items 20] [--rounds 2] [--baseline ../main]

A static server on 127.0.0.1 (monitor.feedserver: ETag, Last-Modified, 304 to a conditional
request) serves N RSS feeds of M items. Each tool runs in a child process of its own, on its
own SQLite file: a cold cycle (every feed fetched, parsed, stored), then a warm one (every
feed answers 304). monitor runs its Poller without the later stages (fetch + parse + store:
what reader does); reader runs `update_feeds(scheduled=False)` with one worker. Printed:
wall and CPU seconds of each cycle, the whole child process's wall time, its peak RSS, and
monitor / reader ratios, with the CPU's model and flags. Figures, never asserts: this machine
is shared.

The feeds' items are 80 words long, which `full_text: auto` takes for teasers: monitor would
then try each item's page (at made-up hosts), which reader never does. `--full-text never`
(the default here) compares like with like; `--full-text auto` measures monitor as shipped.
Targets (issue 28): CPU <= 1.0x reader's, cold and warm; peak memory <= 1.5x.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from email.utils import formatdate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def write_feeds(folder: Path, feeds: int, items: int) -> None:
    for f in range(feeds):
        parts = [f"<title>Feed {f}</title><link>https://f{f}.example/</link><language>en</language>"]
        for i in range(items):
            when = formatdate(1_700_000_000 + 3600 * i + f, usegmt=True)
            text = " ".join(f"word{(f * 31 + i * 7 + k) % 997}" for k in range(80))
            parts.append(
                f"<item><guid>f{f}-{i}</guid><link>https://f{f}.example/{i}</link>"
                f"<title>Item {i} of feed {f}</title><description>{text}</description>"
                f"<pubDate>{when}</pubDate></item>"
            )
        channel = "".join(parts)
        body = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{channel}</channel></rss>'
        (folder / f"{f}.xml").write_text(body, encoding="utf-8")


def cpu_line() -> str:
    """The CPU's model, cores and the flags that decide speed here (issue 28)."""
    model, flags = platform.processor() or platform.machine(), set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                model = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
    except OSError:
        pass
    shown = [f for f in ("avx2", "fma", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8") if f in flags]
    return f"{model}, {os.cpu_count()} CPUs, flags: {' '.join(shown) or '?'}"


def child_monitor(urls: list[str], db: Path, full_text: str = "never") -> dict[str, float]:
    import asyncio
    import logging

    from monitor.config import Config, FeedConfig, Settings
    from monitor.pipeline import Poller
    from monitor.store import Store

    logging.basicConfig(level=logging.ERROR)
    feeds = tuple(FeedConfig(url=url) for url in urls)
    settings = Settings(database=db, allow_private_addresses=True, full_text=full_text)
    config = Config(path=db.with_suffix(".yaml"), settings=settings, feeds=feeds)
    store = Store.open(db)
    store.sync_feeds(feeds)
    poller = Poller(store, config)
    out: dict[str, float] = {}
    for cycle in ("cold", "warm"):
        wall, cpu = time.perf_counter(), time.process_time()
        asyncio.run(poller.poll(store.feeds()))
        out[f"{cycle}_wall"], out[f"{cycle}_cpu"] = time.perf_counter() - wall, time.process_time() - cpu
    out["articles"] = store.count("articles")
    return out


def child_reader(urls: list[str], db: Path) -> dict[str, float]:
    from reader import make_reader

    reader = make_reader(str(db))
    for url in urls:
        reader.add_feed(url)
    out: dict[str, float] = {}
    for cycle in ("cold", "warm"):
        wall, cpu = time.perf_counter(), time.process_time()
        reader.update_feeds(scheduled=False, workers=1)
        out[f"{cycle}_wall"], out[f"{cycle}_cpu"] = time.perf_counter() - wall, time.process_time() - cpu
    out["articles"] = reader.get_entry_counts().total
    return out


def run_child(tool: str, urls: Path, db: Path, full_text: str, script: str = __file__) -> dict[str, float]:
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, script, "--child", tool, str(urls), str(db), "--full-text", full_text],
        stdout=subprocess.PIPE,
        text=True,
    )
    stdout, _ = child.communicate()
    result: dict[str, float] = json.loads(stdout.strip().splitlines()[-1])
    result["process_wall"] = time.perf_counter() - started
    result["peak_mb"] = float(result.pop("peak_kb", 0)) / 1024
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--full-text", choices=["never", "auto"], default="never", help="monitor's setting")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout of monitor (main's worktree, say), run as `baseline` in each round",
    )
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import resource

        tool, urls_file, db = args.child
        urls = json.loads(Path(urls_file).read_text())
        if tool == "monitor":
            result = child_monitor(urls, Path(db), args.full_text)
        else:
            result = child_reader(urls, Path(db))
        result["peak_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps(result))
        return 0

    from monitor.feedserver import FeedServer

    with tempfile.TemporaryDirectory(prefix="monitor-peers-") as tmp:
        folder = Path(tmp) / "www"
        folder.mkdir()
        write_feeds(folder, args.feeds, args.items)
        with FeedServer(folder) as server:
            urls_file = Path(tmp) / "urls.json"
            urls_file.write_text(json.dumps([server.url(f"{f}.xml") for f in range(args.feeds)]))
            print(f"CPU: {cpu_line()}")
            print(
                f"{args.feeds} feeds x {args.items} items on 127.0.0.1, {args.rounds} rounds, "
                f"monitor's full_text: {args.full_text}"
            )
            results: dict[str, list[dict[str, float]]] = {"reader": [], "monitor": []}
            scripts = {"reader": __file__, "monitor": __file__}
            if args.baseline is not None:
                results["baseline"] = []
                scripts["baseline"] = str(args.baseline.resolve() / "bench" / "peers.py")
                print(f"baseline: monitor from {args.baseline.resolve()}")
            for r in range(args.rounds):  # the tools interleaved, round after round
                for tool in results:
                    db = Path(tmp) / f"{tool}-{r}.db"
                    kind = "reader" if tool == "reader" else "monitor"
                    results[tool].append(run_child(kind, urls_file, db, args.full_text, scripts[tool]))
    columns = ["cold_wall", "cold_cpu", "warm_wall", "warm_cpu", "process_wall", "peak_mb"]
    best = {tool: {c: min(r[c] for r in runs) for c in columns} for tool, runs in results.items()}
    print(f"{'(best of rounds)':18}" + "".join(f"{c:>13}" for c in columns) + f"{'articles':>10}")
    for tool, runs in results.items():
        figures = "".join(f"{best[tool][c]:13.2f}" for c in columns)
        print(f"{tool:18}{figures}{runs[0]['articles']:10.0f}")
    ratio = "".join(f"{best['monitor'][c] / max(best['reader'][c], 1e-9):12.2f}x" for c in columns)
    print(f"{'monitor / reader':18}" + ratio)
    if args.rounds > 1:  # medians, and each round's ratio to reader's run beside it (the spread)
        print(f"{'(median of rounds)':18}" + "".join(f"{c:>13}" for c in columns))
        for tool, runs in results.items():
            print(f"{tool:18}" + "".join(f"{statistics.median(r[c] for r in runs):13.2f}" for c in columns))
        pairs_of = [(tool, "reader") for tool in results if tool != "reader"]
        if "baseline" in results:
            pairs_of.append(("monitor", "baseline"))
        for tool, other in pairs_of:
            for c in ("cold_cpu", "warm_cpu", "peak_mb"):
                pairs = zip(results[tool], results[other], strict=True)
                ratios = sorted(m[c] / max(r[c], 1e-9) for m, r in pairs)
                print(
                    f"{tool} / {other} {c}: median {statistics.median(ratios):.2f}x, "
                    f"rounds {' '.join(f'{x:.2f}' for x in ratios)}"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
