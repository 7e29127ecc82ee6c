"""Benchmark: reading a large feeds.yaml (issue 17: a deployment of 100,000 feeds and more).

    .venv/bin/python bench/feedlist.py                        # 10,000, 100,000 and 500,000 feeds
    .venv/bin/python bench/feedlist.py --feeds 100000 --baseline-up-to 100000

Writes a feeds.yaml of N feeds (a URL, a name and a language each, over 500 hosts) and
reads it with `load_config`, which builds the document from libyaml's events
(monitor/yamlread.py). The baseline, run side by side on the same file, is ruamel's
round-trip loader, which read feeds.yaml before (`--baseline-up-to` bounds it: it takes
about 75 s for 100,000 feeds). Each read runs in a child process of its own, so that its
peak memory is its own. Printed: the file's size, the seconds and peak memory of each, and
their ratio; the daemon gives a reload of feeds.yaml 60 s.

With `--daemon`, each file is also run as a daemon on SQLite (`monitor init`, then
`monitor -v run`): the seconds from launch to `event=daemon_started`, its memory 30 s later,
and the seconds a SIGTERM then takes. The feeds are on 127.0.0.1, which a daemon refuses to
fetch by default (a private address), so every poll fails before any request is made.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, resource, sys, time
path, how = sys.argv[1], sys.argv[2]
start = time.perf_counter()
if how == "monitor":
    from monitor.config import load_config
    count = len(load_config(path).feeds)
else:
    from ruamel.yaml import YAML
    count = len(YAML(typ="rt").load(open(path, encoding="utf-8").read())["feeds"])
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"feeds": count, "seconds": seconds, "peak_mb": peak}))
"""


def write_feeds(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        handle.write(f"settings:\n  interval: 1h\n  database: {path.with_suffix('.db')}\nfeeds:\n")
        for i in range(count):
            handle.write(
                f"  - url: http://127.0.0.1:9/news{i % 500}/rss/section-{i}.xml\n"
                f"    name: Outlet {i} — section {i % 37}\n"
                f"    language: {('en', 'fr', 'de', 'ru', 'zh', 'ar')[i % 6]}\n"
            )


def measure(path: Path, how: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), how], capture_output=True, text=True, cwd=ROOT, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"{how} failed on {path}:\n{done.stderr[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout)
    return result


def run_daemon(path: Path, settle: float = 30.0) -> tuple[float, float, float]:
    """Seconds to event=daemon_started, MB resident `settle` s later, seconds to stop."""
    monitor = [str(Path(sys.executable).parent / "monitor"), "--config", str(path)]
    subprocess.run([*monitor, "init"], capture_output=True, check=True)
    log = path.with_suffix(".log")
    with log.open("wb") as out:
        start = time.perf_counter()
        daemon = subprocess.Popen([*monitor, "-v", "run"], stdout=out, stderr=subprocess.STDOUT)
        while b"event=daemon_started" not in log.read_bytes():
            if daemon.poll() is not None:
                raise SystemExit(f"the daemon ended: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        started = time.perf_counter() - start
        time.sleep(settle)
        rss_mb = int(Path(f"/proc/{daemon.pid}/statm").read_text().split()[1]) * 4096 / 2**20
        start = time.perf_counter()
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=600)
        return started, rss_mb, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--feeds", default="10000,100000,500000", help="Feed counts, comma-separated.")
    parser.add_argument(
        "--baseline-up-to", type=int, default=100_000, help="Run ruamel's loader only up to this many feeds."
    )
    parser.add_argument("--daemon", action="store_true", help="Also start and stop a daemon on each file.")
    args = parser.parse_args()
    counts = [int(n) for n in args.feeds.split(",")]
    print(f"{'feeds':>8} {'MiB':>6} {'monitor s':>10} {'MB':>6} {'ruamel s':>9} {'MB':>6} {'ratio':>7}")
    with tempfile.TemporaryDirectory() as folder:
        for count in counts:
            path = Path(folder) / f"feeds-{count}.yaml"
            write_feeds(path, count)
            size = path.stat().st_size / 2**20
            ours = measure(path, "monitor")
            assert ours["feeds"] == count, ours
            line = f"{count:>8,} {size:>6.1f} {ours['seconds']:>10.1f} {ours['peak_mb']:>6.0f}"
            if count <= args.baseline_up_to:
                theirs = measure(path, "ruamel")
                ratio = theirs["seconds"] / ours["seconds"]
                line += f" {theirs['seconds']:>9.1f} {theirs['peak_mb']:>6.0f} {ratio:>6.1f}x"
            else:
                line += f" {'-':>9} {'-':>6} {'-':>7}"
            print(line, flush=True)
            if args.daemon:
                started, rss_mb, stopped = run_daemon(path)
                print(
                    f"{'':>8} daemon on SQLite: started in {started:.1f} s, {rss_mb:.0f} MB after 30 s, "
                    f"stopped {stopped:.1f} s after SIGTERM",
                    flush=True,
                )


if __name__ == "__main__":
    main()
