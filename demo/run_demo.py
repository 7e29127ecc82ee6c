"""`make demo`: serve the bundled news feeds on 127.0.0.1, poll them into db/demo.db with
the real `monitor` command, and show what was stored (and the stories and the digest).

The bundled feeds (demo/feeds/) keep the articles' own dates; the served copies
(db/demo-feeds/) are re-dated first so that the newest article is minutes old."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.config import load_config  # noqa: E402
from monitor.deliver.digest import write_digest_html  # noqa: E402
from monitor.feedserver import FeedServer  # noqa: E402
from monitor.store import Store  # noqa: E402

sys.path.insert(0, str(ROOT / "demo"))
from redate import redate_feeds  # noqa: E402

TEMPLATES = ROOT / "demo" / "feeds"
GOLD = ROOT / "demo" / "gold.jsonl"
DB_DIR = ROOT / "db"
FEEDS = DB_DIR / "demo-feeds"
CONFIG = DB_DIR / "demo-feeds.yaml"
DATABASE = DB_DIR / "demo.db"
DIGEST = DB_DIR / "digest-demo.html"
MONITOR = [sys.executable, "-m", "monitor", "--config", str(CONFIG)]


_CHANNEL_TITLE = re.compile(r"<channel>\s*<title>([^<]*)</title>")


def write_feeds(now: datetime) -> None:
    """The bundled feeds, re-dated to end minutes before `now`, into FEEDS."""
    sources = {}
    with GOLD.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            sources[record["guid"]] = record["source"]
    ranges = redate_feeds(TEMPLATES, FEEDS, sources, now)
    print(f"re-dated the bundled news to the last days before {now:%Y-%m-%d %H:%M} UTC:")
    for source, (oldest, newest) in ranges.items():
        print(f"  {source}: {oldest:%Y-%m-%d %H:%M} - {newest:%Y-%m-%d %H:%M}")


def write_config(server: FeedServer) -> int:
    """A feeds.yaml for the demo: one feed per bundled file, on this server."""
    files = sorted(FEEDS.glob("*.xml"))
    lines = [
        "# Written by demo/run_demo.py: the bundled feeds, served on 127.0.0.1.",
        "settings:",
        f"  database: {DATABASE.name}",
        "  interval: 1h",
        "  languages: [en]  # headlines in English where a story has an English report",
        "  allow_private_addresses: true  # the demo polls its own server on 127.0.0.1",
        "  full_text: never  # the bundled news links to pages that do not exist",
        "feeds:",
    ]
    for file in files:
        language = file.stem.rpartition("-")[2]
        found = _CHANNEL_TITLE.search(file.read_text(encoding="utf-8"))
        name = unescape(found[1]) if found else file.stem
        lines += [
            f"  - url: {server.url(file.name)}",
            f"    name: {json.dumps(name, ensure_ascii=False)}",
            f"    language: {language}",
        ]
    CONFIG.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(files)


def monitor(*args: str) -> None:
    print(f"\n$ monitor {' '.join(args)}", flush=True)
    subprocess.run([*MONITOR, *args], check=True)


def summarize() -> None:
    """What was stored, by language, read back through `monitor export`."""
    print("\nreading back what was stored ($ monitor export)", flush=True)
    out = subprocess.run([*MONITOR, "export"], check=True, capture_output=True, text=True).stdout
    records = [json.loads(line) for line in out.splitlines()]
    by_language = Counter(r["language"] or "??" for r in records)
    feeds = len({r["feed_url"] for r in records})
    print(f"\nstored {len(records)} articles from {feeds} feeds:")
    print("  " + ", ".join(f"{lang} {n}" for lang, n in sorted(by_language.items())))


def main() -> None:
    started = time.monotonic()
    DB_DIR.mkdir(exist_ok=True)
    write_feeds(datetime.now(UTC))
    for stale in (DATABASE, DATABASE.with_suffix(".db-wal"), DATABASE.with_suffix(".db-shm")):
        stale.unlink(missing_ok=True)
    with FeedServer(FEEDS) as server:
        count = write_config(server)
        print(f"serving {count} demo feeds at {server.base_url}; database {DATABASE}")
        monitor("init")
        # One pass: a second one would answer 304 everywhere but load the model again (~10 s).
        monitor("poll", "--all")
    summarize()
    monitor("stories", "--limit", "10")
    monitor("search", "--limit", "3", "inflation")
    with Store.open(DATABASE) as store:
        digest = write_digest_html(store, load_config(CONFIG), None, DIGEST)
    print(f"\nThe digest of the latest day: {digest}")
    print(f"\nDone in {time.monotonic() - started:.0f} s. The database is {DATABASE}; try:")
    print(f"  .venv/bin/monitor --config {CONFIG.relative_to(ROOT)} digest")
    print(f"  .venv/bin/monitor --config {CONFIG.relative_to(ROOT)} serve")


if __name__ == "__main__":
    main()
