"""`make demo`: serve the bundled news feeds on 127.0.0.1, poll them into db/demo.db with
the real `monitor` command, and show what was stored (and the stories and the digest)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.config import load_config  # noqa: E402
from monitor.deliver.digest import write_digest_html  # noqa: E402
from monitor.feedserver import FeedServer  # noqa: E402
from monitor.store import Store  # noqa: E402

FEEDS = ROOT / "demo" / "feeds"
DB_DIR = ROOT / "db"
CONFIG = DB_DIR / "demo-feeds.yaml"
DATABASE = DB_DIR / "demo.db"
DIGEST = DB_DIR / "digest-demo.html"
MONITOR = [sys.executable, "-m", "monitor", "--config", str(CONFIG)]


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
        "feeds:",
    ]
    for file in files:
        outlet, _, language = file.stem.rpartition("-")
        lines += [
            f"  - url: {server.url(file.name)}",
            f"    name: {outlet} ({language})",
            f"    language: {language}",
        ]
    CONFIG.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(files)


def monitor(*args: str) -> None:
    print(f"\n$ monitor {' '.join(args)}", flush=True)
    subprocess.run([*MONITOR, *args], check=True)


def summarize() -> None:
    """What was stored, by language, read back through `monitor export`."""
    out = subprocess.run([*MONITOR, "export"], check=True, capture_output=True, text=True).stdout
    records = [json.loads(line) for line in out.splitlines()]
    by_language = Counter(r["language"] or "??" for r in records)
    feeds = len({r["feed_url"] for r in records})
    print(f"\nstored {len(records)} articles from {feeds} feeds:")
    print("  " + ", ".join(f"{lang} {n}" for lang, n in sorted(by_language.items())))


def main() -> None:
    DB_DIR.mkdir(exist_ok=True)
    for stale in (DATABASE, DATABASE.with_suffix(".db-wal"), DATABASE.with_suffix(".db-shm")):
        stale.unlink(missing_ok=True)
    with FeedServer(FEEDS) as server:
        count = write_config(server)
        print(f"serving {count} demo feeds at {server.base_url}; database {DATABASE}")
        monitor("init")
        monitor("poll", "--all")
        monitor("poll", "--all")  # the second pass costs nothing: every feed answers 304
    summarize()
    monitor("stories", "--since", "2007-01-01", "--limit", "8")
    monitor("search", "--limit", "3", "inflation")
    with Store.open(DATABASE) as store:
        digest = write_digest_html(store, load_config(CONFIG), None, DIGEST)
    print(f"\nThe digest of the corpus's last day: {digest}")
    print(f"\nDone. The database is {DATABASE}; try:")
    print(f"  .venv/bin/monitor --config {CONFIG.relative_to(ROOT)} export | head")


if __name__ == "__main__":
    main()
