"""bench/extract.py --pipeline: the text stored through the real poll pass.

A feed of teasers (the first 25 words of each expected article) is served on 127.0.0.1 with
each page at /<case>/; monitor's Poller polls it into a fresh SQLite file (full_text: auto,
no page budget in the way), reading each teaser's page through pages.py, and the stored
text is scored as the extractors' is.
"""

from __future__ import annotations

import asyncio
import resource
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from xml.sax.saxutils import escape

from monitor.config import load_config
from monitor.feedserver import FeedServer, send
from monitor.pipeline import Poller
from monitor.store import Store

TEASER_WORDS = 25


def teaser_feed(server: FeedServer, expected: dict[str, str]) -> bytes:
    start = datetime(2026, 12, 1, tzinfo=UTC)
    items = []
    for n, (case, text) in enumerate(sorted(expected.items())):
        teaser = " ".join(text.split()[:TEASER_WORDS]) + " …"
        items.append(
            f"<item><title>{escape(case)}</title><link>{server.url(case + '/')}</link>"
            f"<guid>{escape(case)}</guid><pubDate>{format_datetime(start + timedelta(minutes=n))}</pubDate>"
            f"<description>{escape(teaser)}</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Teasers</title>'
        f"<link>{server.url('')}</link>{''.join(items)}</channel></rss>"
    ).encode()


def page_route(content: bytes) -> Callable[[BaseHTTPRequestHandler], bool]:
    def route(handler: BaseHTTPRequestHandler) -> bool:
        send(handler, 200, content, {"Content-Type": "text/html"})
        return True

    return route


def run(
    sources: dict[str, bytes],
    expected: dict[str, str],
    score: Callable[[dict[str, str], dict[str, str]], tuple[float, float, float]],
) -> None:
    with tempfile.TemporaryDirectory() as folder, FeedServer() as server:
        for case, content in sources.items():
            server.routes[f"/{case}/"] = page_route(content)
        server.routes["/feed"] = lambda h: send(h, 200, teaser_feed(server, expected)) or True
        config_path = Path(folder) / "feeds.yaml"
        config_path.write_text(
            "settings:\n  database: monitor.db\n  allow_private_addresses: true\n"
            f"  full_text: auto\n  pages_per_poll: {len(sources) + 10}\n  max_entries: {len(sources) + 10}\n"
            f"feeds:\n  - url: {server.url('feed')}\n",
            encoding="utf-8",
        )
        config = load_config(config_path)
        store = Store.open(config.settings.database)
        store.sync_feeds(config.feeds)
        started, cpu = time.perf_counter(), time.process_time()
        report = asyncio.run(Poller(store, config).poll(store.due_feeds(datetime.now(UTC), all_feeds=True)))
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        rows = store.query("SELECT guid, text, text_source, page_error FROM articles")
        store.close()
    stored = {str(r["guid"]): str(r["text"]) for r in rows}
    from_pages = sum(1 for r in rows if r["text_source"] == "page")
    precision, recall, f1 = score(stored, expected)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{'through the pipeline':<22} P {precision:.3f}  R {recall:.3f}  F1 {f1:.3f}   "
        f"CPU {1000 * cpu / len(sources):6.1f} ms/page   peak RSS {peak:6.0f} MB"
    )
    print(
        f"  {report.summary()}; {from_pages} of {len(rows)} articles with their page's text; "
        f"{wall:.1f} s wall"
    )
    for row in rows:
        if row["page_error"]:
            print(f"  {row['guid']}: {row['page_error']}")
