"""The daemon's steady memory with the gazetteer loaded (issue 25 item 5: at most 300 MB RSS).

    python bench/memory.py                 # the daemon on the demo news, then the gazetteer alone
    python bench/memory.py --settle 60     # seconds sampled once every stage is done

Part 1 serves the bundled demo news (demo/feeds, re-dated as `make demo` does) on 127.0.0.1,
starts the real `monitor run` on a fresh SQLite file in a temporary folder, waits until every
article is named, geotagged and in a story, then samples the daemon's memory (/proc: RSS, its
anonymous and file-backed parts, and what the gazetteer's mapped file holds) every second for
--settle seconds, and stops it with SIGTERM. Part 2 measures, in this process, what opening the
gazetteer and geotagging and naming the demo articles add to the RSS of a process that has
imported monitor. The machine is shared: RSS is steady, times are not.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "demo"))

from redate import redate_feeds  # noqa: E402

from monitor.feedserver import FeedServer  # noqa: E402

TARGET_MB = 300


def cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return f"{line.split(':', 1)[1].strip()}, {os.cpu_count()} cores"
    return platform.processor() or "unknown CPU"


def memory_of(pid: int) -> dict[str, float]:
    """RSS and its parts in MB, from /proc/PID/status and smaps (the gazetteer file's share)."""
    fields: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    gazetteer = 0.0
    current = ""
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        parts = line.split()
        if len(parts) >= 6 and "-" in parts[0]:
            current = parts[-1]
        elif parts and parts[0] == "Rss:" and "gazetteer" in current:
            gazetteer += int(parts[1]) / 1024
    fields["gazetteer file"] = gazetteer
    return fields


def top_mappings(pid: int, n: int = 12) -> list[tuple[float, str]]:
    """The mappings that hold the most RSS (MB, file or [heap]/anonymous)."""
    sizes: dict[str, float] = {}
    current = ""
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        parts = line.split()
        if len(parts) >= 5 and "-" in parts[0] and len(parts[1]) == 4:  # a mapping's first line
            current = parts[5] if len(parts) > 5 else "[anonymous]"
        elif parts and parts[0] == "Rss:":
            sizes[current] = sizes.get(current, 0.0) + int(parts[1]) / 1024
    return sorted(((mb, name) for name, mb in sizes.items()), reverse=True)[:n]


def write_config(folder: Path, server: FeedServer, feeds: Path) -> Path:
    lines = [
        "settings:",
        "  database: monitor.db",
        "  interval: 1h",
        "  allow_private_addresses: true",
        "  full_text: never",
        "feeds:",
    ]
    for file in sorted(feeds.glob("*.xml")):
        lines += [f"  - url: {server.url(file.name)}", f"    language: {file.stem.rpartition('-')[2]}"]
    config = folder / "feeds.yaml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def pending(db: Path) -> tuple[int, int, int, int]:
    """(articles, waiting for names, for places, for a story) in the daemon's database."""
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as connection:
            articles = connection.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
            names = connection.execute("SELECT COUNT(*) FROM names_pending").fetchone()[0]
            places = connection.execute("SELECT COUNT(*) FROM articles WHERE places IS NULL").fetchone()[0]
            stories = connection.execute(
                "SELECT COUNT(*) FROM articles WHERE story_id IS NULL AND duplicate_of IS NULL"
            ).fetchone()[0]
        return articles, names, places, stories
    except sqlite3.Error:
        return 0, -1, -1, -1


def daemon(settle: float, timeout: float, env: dict[str, str], show_mappings: bool = False) -> None:
    with tempfile.TemporaryDirectory(prefix="monitor-memory-") as tmp:
        folder = Path(tmp)
        sources = {}
        with (ROOT / "demo" / "gold.jsonl").open(encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                sources[record["guid"]] = record["source"]
        redate_feeds(ROOT / "demo" / "feeds", folder / "feeds", sources, datetime.now(UTC))
        with FeedServer(folder / "feeds") as server:
            config = write_config(folder, server, folder / "feeds")
            log = (folder / "daemon.log").open("w")
            process = subprocess.Popen(
                [sys.executable, "-m", "monitor", "--config", str(config), "run"],
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
            )
            started = time.monotonic()
            try:
                done_at = None
                peak = 0.0
                while time.monotonic() - started < timeout:
                    time.sleep(1)
                    if process.poll() is not None:
                        raise SystemExit(f"the daemon exited: {(folder / 'daemon.log').read_text()[-2000:]}")
                    peak = max(peak, memory_of(process.pid)["VmRSS"])
                    articles, names, places, stories = pending(folder / "monitor.db")
                    if articles and (names, places, stories) == (0, 0, 0):
                        done_at = time.monotonic()
                        break
                if done_at is None:
                    raise SystemExit(f"not done in {timeout:.0f} s: {pending(folder / 'monitor.db')}")
                print(f"  {articles} articles named, geotagged and in stories after {done_at - started:.0f} s"
                      f" (peak RSS so far {peak:.0f} MB)")
                samples = []
                while time.monotonic() - done_at < settle:
                    time.sleep(1)
                    samples.append(memory_of(process.pid))
                final = samples[-1]
                steady = statistics.median(s["VmRSS"] for s in samples)
                print(f"  steady RSS over {settle:.0f} s: median {steady:.0f} MB,"
                      f" last {final['VmRSS']:.0f} MB (anonymous {final['RssAnon']:.0f},"
                      f" file-backed {final['RssFile']:.0f}; the gazetteer's mapped file"
                      f" {final['gazetteer file']:.1f}); high-water mark {final['VmHWM']:.0f} MB")
                print(f"  target: at most {TARGET_MB} MB: {'met' if steady <= TARGET_MB else 'NOT MET'}")
                if show_mappings:
                    for mb, name in top_mappings(process.pid):
                        print(f"    {mb:7.1f} MB  {name}")
            finally:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
                log.close()


def gazetteer_alone() -> None:
    """What the gazetteer and the two recognisers add to a process that imported monitor."""
    import re
    from html import unescape

    from monitor.entities.gazetteer import open_gazetteer
    from monitor.entities.geotag import geotag
    from monitor.entities.names import names_in

    texts = []
    for file in sorted((ROOT / "demo" / "feeds").glob("*.xml")):
        body = file.read_text(encoding="utf-8")
        language = file.stem.rpartition("-")[2]
        for item in re.findall(r"<item>(.*?)</item>", body, re.S):
            title = re.search(r"<title>(.*?)</title>", item, re.S)
            text = re.search(r"<description>(.*?)</description>", item, re.S)
            texts.append((unescape(title[1]) if title else "", unescape(text[1]) if text else "", language))
    before = memory_of(os.getpid())["VmRSS"]
    gazetteer = open_gazetteer()
    opened = memory_of(os.getpid())["VmRSS"]
    started = time.perf_counter()
    for title, text, language in texts:
        geotag(gazetteer, text, title=title, language=language)
        names_in(title, text, language)
    seconds = time.perf_counter() - started
    after = memory_of(os.getpid())
    print(f"  {len(texts)} demo articles: RSS {before:.0f} MB after imports, +{opened - before:.1f} MB"
          f" with the gazetteer open, +{after['VmRSS'] - before:.1f} MB after geotagging and naming them"
          f" ({1000 * seconds / len(texts):.2f} ms an article); the gazetteer's mapped file"
          f" {after['gazetteer file']:.1f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--settle", type=float, default=30.0)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--skip-daemon", action="store_true")
    parser.add_argument("--mappings", action="store_true", help="print the mappings holding the most RSS")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="an environment variable for the daemon (MALLOC_ARENA_MAX=2)")
    args = parser.parse_args()
    print(f"CPU: {cpu()}; Python {platform.python_version()}")
    if not args.skip_daemon:
        print("the daemon (monitor run) on the demo news:")
        daemon(args.settle, args.timeout, dict(e.split("=", 1) for e in args.env), args.mappings)
    print("the gazetteer and the recognisers alone, in this process:")
    gazetteer_alone()


if __name__ == "__main__":
    main()
