"""The daemon's memory with full text on: `monitor run` on feeds of teasers served on 127.0.0.1.

    python bench/daemon_memory.py                      # full_text: auto, then never, side by side
    python bench/daemon_memory.py --modes auto --settle 120

Feeds of teasers (the first 25 words of each expected article, as bench/extract.py
--pipeline serves them) link to the 130 real pages of
../shared/data/extraction/readability-pages/; `--copies` feeds list them under other
addresses, so the daemon reads copies x 130 pages. A real `monitor run` (every stage: names,
places, stories with the embedding model, watches) polls them into a fresh SQLite file. Once
no page is pending and every article has its story, the process is left to settle and its
resident memory (VmRSS, with that of any child process it started) is sampled every second
for `--settle` seconds; the peak is the kernel's VmHWM of the daemon itself. Target (issue
26): steady memory within 300 MB.

`--modes auto,never` runs the same feeds with full_text: never as well (the teasers' text
only, no page read, extraction never imported), one daemon after the other, to show what
full text adds. The machine is shared: the load average is printed with each figure.
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from extract import PAGES, load_cases  # noqa: E402
from extract_pipeline import page_route, teaser_feed  # noqa: E402

from monitor.feedserver import FeedServer, send  # noqa: E402


def status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise ValueError(f"no {field} in /proc/{pid}/status")


def descendants(pid: int) -> list[int]:
    """The processes started by `pid` and by them (none, unless a stage works in a child)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            children = (task / "children").read_text().split()
        except OSError:  # the thread ended
            continue
        for child in map(int, children):
            found += [child, *descendants(child)]
    return found


def tree_rss_mb(pid: int) -> tuple[float, int]:
    """(resident MB of the daemon and of every process under it, how many processes under it)."""
    total, under = status_kb(pid, "VmRSS"), 0
    for child in descendants(pid):
        try:
            total += status_kb(child, "VmRSS")
            under += 1
        except (OSError, ValueError):  # ended meanwhile
            pass
    return total / 1024, under


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def progress(db: Path) -> tuple[int, int, int, int]:
    """(articles, pages pending, pages read, articles without a story yet)."""
    if not db.exists():
        return 0, 0, 0, 0
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as conn:
        try:
            row = conn.execute(
                "SELECT COUNT(*), SUM(page_state = 'pending'), SUM(text_source = 'page'), "
                "SUM(story_id IS NULL AND duplicate_of IS NULL) FROM articles"
            ).fetchone()
        except sqlite3.OperationalError:  # not migrated yet
            return 0, 0, 0, 0
    return tuple(int(v or 0) for v in row)  # type: ignore[return-value]


def run_daemon(mode: str, copies: int, settle: float, limit: float, server: FeedServer) -> None:
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "feeds.yaml"
        feeds = "".join(f"  - url: {server.url(f'feed{n}')}\n" for n in range(copies))
        config.write_text(
            "settings:\n  database: monitor.db\n  allow_private_addresses: true\n"
            f"  full_text: {mode}\n  pages_per_poll: 200\n  max_entries: 200\n"
            f"feeds:\n{feeds}",
            encoding="utf-8",
        )
        db = Path(folder) / "monitor.db"
        log = (Path(folder) / "daemon.log").open("w")
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "monitor", "--config", str(config), "run"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        try:
            last, steady_since = None, time.monotonic()
            while time.monotonic() - started < limit:
                time.sleep(1)
                if process.poll() is not None:
                    raise SystemExit(f"monitor run exited {process.returncode}: see {log.name}")
                now = progress(db)
                if now != last:
                    last, steady_since = now, time.monotonic()
                articles, pending, _read, unassigned = now
                if articles and not pending and not unassigned and time.monotonic() - steady_since > 5:
                    break
            busy = time.monotonic() - started
            articles, pending, read, unassigned = progress(db)
            cpu_busy = cpu_seconds(process.pid)
            samples, children = [], 0
            for _ in range(int(settle)):
                time.sleep(1)
                rss, under = tree_rss_mb(process.pid)
                samples.append(rss)
                children = max(children, under)
            peak = status_kb(process.pid, "VmHWM") / 1024
            cpu_idle = cpu_seconds(process.pid) - cpu_busy
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()
    print(
        f"full_text: {mode:<6} {articles} articles, {read} from their page, {pending} pending, "
        f"{unassigned} without a story; in {busy:.0f} s wall, {cpu_busy:.0f} s CPU (load "
        f"{os.getloadavg()[0]:.1f})\n"
        f"    settled {settle:.0f} s: RSS median {statistics.median(samples):.0f} MB, last "
        f"{samples[-1]:.0f} MB, min {min(samples):.0f} MB; peak (VmHWM) {peak:.0f} MB; "
        f"CPU while settled {cpu_idle:.1f} s; child processes counted in: {children} (target: "
        f"steady within 300 MB)",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, default=PAGES)
    parser.add_argument("--modes", default="auto,never", help="full_text modes, run one after the other")
    parser.add_argument("--copies", type=int, default=2, help="feeds, each listing every page anew")
    parser.add_argument("--settle", type=float, default=60.0, help="seconds sampled once settled")
    parser.add_argument("--limit", type=float, default=900.0, help="seconds allowed to settle")
    args = parser.parse_args()
    sources, expected = load_cases(args.pages)
    print(
        f"{len(sources)} pages x {args.copies} feeds from {args.pages}; python "
        f"{sys.version.split()[0]}, {os.cpu_count()} CPUs",
        flush=True,
    )
    with FeedServer() as server:
        for copy in range(args.copies):
            for case, content in sources.items():
                server.routes[f"/{copy}/{case}/"] = page_route(content)
            prefixed = {f"{copy}/{case}": text for case, text in expected.items()}
            body = teaser_feed(server, prefixed)
            server.routes[f"/feed{copy}"] = lambda h, body=body: send(h, 200, body) or True
        for mode in args.modes.split(","):
            run_daemon(mode.strip(), args.copies, args.settle, args.limit, server)


if __name__ == "__main__":
    main()
