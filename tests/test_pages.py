"""Full text of teaser feeds (issue 26): teasers.py's decisions, pages.py and the pipeline
against real servers on 127.0.0.1, hostile pages included."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import main
from monitor.config import load_config
from monitor.feedserver import FeedServer, send
from monitor.ingest.extract import PageText, text_length
from monitor.ingest.fetch import FetchOptions, FetchResult, make_client
from monitor.ingest.pages import PageOutcome, PageTask, not_html, robots_from
from monitor.ingest.parse import Entry, content_hash
from monitor.ingest.teasers import (
    MAX_PAGE_ATTEMPTS,
    MAX_PAGE_RETRY_WAIT,
    feed_of_teasers,
    is_cut,
    is_teaser,
    page_decision,
    retry_page_at,
    wanting_pages,
)
from monitor.pipeline import Poller
from monitor.store import Store

from .conftest import rss, write_config
from .test_fetch_hostile import answer, bomb, drip, paths, raw

ARTICLE = (
    "The city council voted on Tuesday to rebuild the old harbour bridge, which has been closed to "
    "lorries since a survey found cracks in two of its steel piers last spring. Work is to start in "
    "March and last two years; the council expects the cost to reach forty million euros, a third of "
    "it paid by the regional government and the rest by a bond issue. Residents of the eastern "
    "quarter, who now drive twenty minutes round the estuary, welcomed the vote."
)
ARTICLE_FR = (
    "Le conseil municipal a voté mardi la reconstruction du vieux pont du port, fermé aux camions "
    "depuis qu'une expertise a trouvé des fissures dans deux de ses piles d'acier au printemps "
    "dernier. Les travaux doivent commencer en mars et durer deux ans ; le conseil estime leur coût "
    "à quarante millions d'euros, dont un tiers payé par la région et le reste par un emprunt."
)
TEASER = "The city council voted on Tuesday to rebuild the old harbour bridge…"


def html_page(text: str, *, lang: str = "en", head: str = "") -> bytes:
    paragraphs = "".join(f"<p>{sentence}.</p>" for sentence in text.split(". "))
    return (
        f"<!doctype html><html lang={lang}><head><meta charset=utf-8><title>Bridge</title>{head}</head>"
        "<body><nav><a href=/>Home</a> <a href=/world>World</a></nav>"
        f"<article><h1>Bridge</h1>{paragraphs}</article>"
        "<footer>Copyright 2026 News Example. All rights reserved.</footer></body></html>"
    ).encode()


def entry(guid: str, text: str, link: str | None = "https://news.example/a") -> Entry:
    return Entry(
        guid=guid, url=link, link=link, title="Bridge", text=text, html=text,
        published=datetime(2026, 12, 5, tzinfo=UTC), published_estimated=False, language="en",
        language_source="feed", author=None, content_hash=content_hash("Bridge", text),
    )  # fmt: skip


# --- teasers.py: pure decisions ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "A long first paragraph of the story. " * 20 + "…",
        "A long first paragraph of the story. " * 20 + "[…]",
        "A long first paragraph of the story. " * 20 + "[...]",
        "A long first paragraph of the story. " * 20 + "Read more",
        "A long first paragraph of the story. " * 20 + "Continue reading →",
        "A long first paragraph of the story. " * 20 + "Continue reading “Bridge”",
        "Un long premier paragraphe. " * 20 + "Lire la suite",
        "Ein langer erster Absatz. " * 20 + "Weiterlesen",
    ],
)
def test_cut_texts_are_teasers(text: str) -> None:
    assert is_cut(text) and is_teaser(text)


def test_short_texts_are_teasers_and_whole_articles_are_not() -> None:
    assert is_teaser(TEASER)
    assert not is_teaser(ARTICLE * 3)
    assert not is_cut("He said: read more books. " * 30)  # the words, not at the end


def test_which_entries_want_their_page() -> None:
    whole = entry("whole", ARTICLE * 4)
    teaser = entry("teaser", TEASER)
    unlinked = entry("unlinked", TEASER, link=None)
    assert wanting_pages([whole, teaser, unlinked], "auto") == {"teaser"}
    assert wanting_pages([whole, teaser, unlinked], "always") == {"whole", "teaser"}
    assert wanting_pages([whole, teaser, unlinked], "never") == set()
    # a feed whose entries are all short (over the teaser length): its articles are on the site
    summaries = [entry(f"s{n}", ARTICLE) for n in range(4)]
    assert not is_teaser(ARTICLE) and feed_of_teasers(summaries)
    assert wanting_pages(summaries, "auto") == {f"s{n}" for n in range(4)}
    assert not feed_of_teasers(summaries[:2])  # too few to say
    assert wanting_pages([*summaries, whole, whole, whole], "auto") == set()


def test_a_page_replaces_the_feed_text_only_with_more() -> None:
    task = PageTask(7, "https://news.example/rss", "https://news.example/a")
    page = PageText(ARTICLE, "https://news.example/a", "en", "trafilatura")
    read = page_decision(7, TEASER, PageOutcome(task, page))
    assert read.read and read.write.text == ARTICLE and read.write.language == "en"
    less = page_decision(7, ARTICLE * 2, PageOutcome(task, page))
    assert not less.read and less.write.text is None and "less than the feed" in (less.write.error or "")
    paywall = PageText("Bridge\nSubscribers only. Subscribe to read on.", None, "en", "readability")
    little = page_decision(7, TEASER[:20], PageOutcome(task, paywall))
    assert not little.read and "under 200" in (little.write.error or "")  # even beside a shorter feed text
    failed = page_decision(7, TEASER, PageOutcome(task, None, "HTTP 404 Not Found", "bad HTTP status"))
    assert (failed.read, failed.write.error) == (False, "bad HTTP status: HTTP 404 Not Found")


# A whole short article in Chinese (105 characters, as much as ~100 English words) and a
# paywall's line: lengths are weighed in Latin characters' worth (extract.text_length).
CHINESE_ARTICLE = (
    "市议会周二投票决定重建老港口大桥。去年春天的一次检查发现两根钢桥墩出现裂缝，此后该桥一直禁止卡车通行。"
    "工程将于三月开工，为期两年；议会预计费用将达到四千万欧元，其中三分之一由地区政府承担。东区居民对此表示欢迎。"
)
CHINESE_PAYWALL = "订阅后阅读全文。每月一欧元起。"


def test_lengths_are_weighed_alike_in_every_script() -> None:
    assert text_length(ARTICLE) == len(ARTICLE)
    assert text_length("港口大桥") == 12 and text_length("港口，大桥。") == 14  # punctuation counts 1
    assert len(CHINESE_ARTICLE) < 200 <= text_length(CHINESE_ARTICLE)
    assert text_length("서울 시의회") == len("서울 시의회") + 5  # Hangul syllables count 2
    assert not is_teaser(CHINESE_ARTICLE * 2) and is_teaser(CHINESE_ARTICLE[:60])
    task = PageTask(7, "https://news.example/rss", "https://news.example/a")
    short_article = PageText(CHINESE_ARTICLE, None, "zh", "trafilatura")
    assert page_decision(7, CHINESE_ARTICLE[:30] + "…", PageOutcome(task, short_article)).read
    paywall = page_decision(7, "", PageOutcome(task, PageText(CHINESE_PAYWALL, None, "zh", "readability")))
    assert not paywall.read and "(41 in Latin characters' worth), under 200" in (paywall.write.error or "")


def test_only_html_is_read() -> None:
    assert not_html("text/html; charset=utf-8", b"<p>x</p>") is None
    assert not_html("application/xhtml+xml", b"<p>x</p>") is None
    assert not_html(None, b"<p>x</p>") is None
    assert "application/pdf" in (not_html("application/pdf", b"%PDF-1.4") or "")
    assert not_html("text/html", b"%PDF-1.4 ...") is not None  # a server that lies
    assert not_html("", b"\x89PNG\r\n\x1a\n\0\0\0") is not None


def test_robots_rules_follow_rfc_9309() -> None:
    now = 1000.0
    body = b"User-agent: monitor\nDisallow: /private/\n\nUser-agent: *\nDisallow: /\n"
    ok = FetchResult(url="u", outcome="ok", status=200, content=body)
    rules = robots_from(ok, now).parser
    assert rules.can_fetch("monitor/0.1 (test)", "https://news.example/a")
    assert not rules.can_fetch("monitor/0.1 (test)", "https://news.example/private/a")
    assert not rules.can_fetch("otherbot", "https://news.example/a")
    missing = robots_from(FetchResult(url="u", outcome="error", status=404), now).parser
    assert missing.can_fetch("monitor", "https://news.example/a")
    failing = robots_from(FetchResult(url="u", outcome="error", status=503), now).parser
    assert not failing.can_fetch("monitor", "https://news.example/a")
    unreachable = robots_from(FetchResult(url="u", outcome="error", error="timed out"), now).parser
    assert not unreachable.can_fetch("monitor", "https://news.example/a")


# --- through the pipeline, on 127.0.0.1 ---------------------------------------------------------


def feed_of(server: FeedServer, names: list[str], *, text: str = TEASER) -> bytes:
    items = [
        {
            "title": f"Story {name}",
            "link": server.url(name),
            "guid": name,
            "pubDate": f"Sat, 05 Dec 2026 1{n % 10}:00:00 GMT",
            "description": text,
        }
        for n, name in enumerate(names)
    ]
    return rss(items).encode()


def poll(tmp_path: Path, server: FeedServer, feeds: list[dict[str, object]], **settings: object):
    """One pass of the poll (no later stages) with a client whose guard lets 127.0.0.1 through
    only: so a redirect to another private address is refused as on the internet."""
    settings.setdefault("allow_private_addresses", False)
    settings.setdefault("timeout", 3)
    settings.setdefault("full_text", "auto")
    config = load_config(write_config(tmp_path / "feeds.yaml", feeds, **settings))
    store = Store.open(config.settings.database)
    store.sync_feeds(config.feeds)
    return config, store


def run_poll(store: Store, config, server: FeedServer, poller: Poller | None = None):
    poller = poller or Poller(store, config)

    async def run():
        async with make_client(
            FetchOptions(user_agent=config.settings.user_agent, timeout=3),
            is_allowed=lambda address: address in ("127.0.0.1", "127.0.0.2"),
        ) as client:
            poller.client = client
            return await poller.poll(store.due_feeds(datetime.now(UTC) + timedelta(days=400), all_feeds=True))

    return asyncio.run(run())


def articles(store: Store) -> dict[str, dict[str, object]]:
    return {
        str(row["guid"]): row
        for row in store.query(
            "SELECT guid, text, text_source, language, canonical_url, page_state, page_error, page_retry_at "
            "FROM articles"
        )
    }


def test_teasers_are_read_from_their_pages_once(tmp_path: Path, server: FeedServer) -> None:
    server.routes["/robots.txt"] = answer(200, b"User-agent: monitor\nDisallow: /private\n")
    server.routes["/en"] = answer(200, html_page(ARTICLE), {"Content-Type": "text/html; charset=utf-8"})
    canonical = '<link rel="canonical" href="/fr-canonical?utm_source=rss">'
    server.routes["/fr"] = answer(
        200, html_page(ARTICLE_FR, lang="fr", head=canonical), {"Content-Type": "text/html"}
    )
    server.routes["/private"] = answer(200, html_page(ARTICLE), {"Content-Type": "text/html"})
    server.routes["/whole"] = answer(200, html_page(ARTICLE), {"Content-Type": "text/html"})
    items = [
        {"title": "Whole", "link": server.url("whole"), "guid": "whole", "description": ARTICLE * 4},
        *[
            {"title": n, "link": server.url(n), "guid": n, "description": TEASER}
            for n in ("en", "fr", "private")
        ],
    ]
    server.routes["/feed"] = answer(200, rss(items).encode())
    config, store = poll(tmp_path, server, [{"url": server.url("feed")}], user_agent="monitor/0.1 (test)")
    poller = Poller(store, config)  # as the daemon's, kept from poll to poll
    report = run_poll(store, config, server, poller)
    assert (report.pages_read, report.pages_failed) == (2, 1)
    rows = articles(store)
    assert (rows["en"]["text_source"], rows["en"]["language"]) == ("page", "en")
    assert "forty million euros" in str(rows["en"]["text"]) and "All rights reserved" not in str(
        rows["en"]["text"]
    )
    assert (rows["fr"]["text_source"], rows["fr"]["language"]) == ("page", "fr")
    assert rows["fr"]["canonical_url"] == server.url("fr-canonical")
    assert (rows["private"]["text"], rows["private"]["text_source"]) == (TEASER, "feed")
    assert "robots.txt" in str(rows["private"]["page_error"])
    assert rows["whole"]["page_state"] is None  # the article itself: never fetched
    assert sorted(paths(server)) == ["/en", "/feed", "/fr", "/robots.txt"]
    assert store.page_failures() == {server.url("feed"): 1}
    # The next poll lists the same articles and one more: only the new one's page is read.
    items.append({"title": "new", "link": server.url("en2"), "guid": "en2", "description": TEASER})
    server.routes["/en2"] = answer(200, html_page(ARTICLE), {"Content-Type": "text/html"})
    server.routes["/feed"] = answer(200, rss(items).encode())
    server.requests.clear()
    report = run_poll(store, config, server, poller)
    assert sorted(paths(server)) == ["/en2", "/feed"]  # robots.txt kept, the others not again
    assert report.pages_read == 1
    store.close()
    # What a user sees: the pages per feed in `monitor stats`, the text and its source in the export.
    cli = ["--config", str(config.path)]
    stats = CliRunner().invoke(main, [*cli, "stats"])
    assert "article pages: 3 read, 1 failed (the feed's text kept)" in stats.output, stats.output
    exported = CliRunner().invoke(main, [*cli, "export", "--text"])
    records = {r["guid"]: r for r in map(json.loads, exported.output.splitlines())}
    assert (records["en2"]["text_source"], records["private"]["text_source"]) == ("page", "feed")
    assert "forty million euros" in records["en2"]["text"]


def test_full_text_never_and_the_budget_per_poll(tmp_path: Path, server: FeedServer) -> None:
    names = [f"p{n}" for n in range(5)]
    for name in names:
        server.routes[f"/{name}"] = answer(200, html_page(ARTICLE), {"Content-Type": "text/html"})
    server.routes["/teasers"] = answer(200, feed_of(server, names))
    server.routes["/quiet"] = answer(200, feed_of(server, ["q1"]))
    feeds = [{"url": server.url("teasers")}, {"url": server.url("quiet"), "full_text": "never"}]
    config, store = poll(tmp_path, server, feeds, pages_per_poll=2)
    report = run_poll(store, config, server)
    assert (report.pages_read, report.pages_failed) == (2, 0)
    rows = articles(store)
    assert sorted(g for g, r in rows.items() if r["text_source"] == "page") == ["p3", "p4"]  # the newest
    assert {str(rows[g]["page_state"]) for g in ("p0", "p1", "p2")} == {"skipped"}
    assert rows["q1"]["page_state"] is None
    assert "/q1" not in paths(server)


def endless_html(handler: BaseHTTPRequestHandler) -> bool:
    """50 MB of HTML, chunk by chunk (the client stops reading at its cap)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Connection", "close")
    handler.end_headers()
    try:
        handler.wfile.write(b"<html><body>")
        for _ in range(50 * 16):
            handler.wfile.write(b"<p>" + b"word " * 13_000 + b"</p>")
    except OSError:
        pass
    return True


def endless_chunks(handler: BaseHTTPRequestHandler) -> bool:
    """A chunked body that never ends (bounded at 200 MB for the test's sake): the client
    stops reading at its cap."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    chunk = b"<p>" + b"word " * 3_000 + b"</p>"
    try:
        handler.wfile.write(b"%x\r\n<html><body>\r\n" % len(b"<html><body>"))
        for _ in range(200 * 1024 * 1024 // len(chunk)):
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    except OSError:
        pass
    handler.close_connection = True
    return True


# A paywall: the headline, a line of the article and the offer, under 200 characters of text.
PAYWALL = (
    b"<html><body><article><h1>Bridge</h1><p>The council voted to rebuild the bridge.</p>"
    b"<div class=offer><p>Subscribers only. Subscribe from 1 euro a month to read on.</p>"
    b"<a href=/login>Log in</a></div></article></body></html>"
)


def test_hostile_pages_keep_the_feed_text_and_the_poll_goes_on(
    tmp_path: Path, server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    stop = threading.Event()
    deep = b"<html><body>" + b"<div>" * 100_000 + ARTICLE.encode() + b"</div>" * 100_000 + b"</body></html>"
    hostile: dict[str, Callable[..., bool]] = {
        "bomb": raw(200, bomb("gzip"), {"Content-Encoding": "gzip", "Content-Type": "text/html"}),
        "drip": lambda h: drip(h, 0.2, stop),
        "huge": endless_html,
        "deep": raw(200, gzip.compress(deep), {"Content-Encoding": "gzip", "Content-Type": "text/html"}),
        "pdf": raw(200, b"%PDF-1.7\n" + b"0" * 5000, {"Content-Type": "application/pdf"}),
        "image": raw(200, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, {"Content-Type": "image/png"}),
        "lying": raw(200, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, {"Content-Type": "text/html"}),
        "shell": answer(200, b"<html><body><div id=app></div><script>boot()</script></body></html>"),
        "login": answer(200, b"<html><body><form><input name=u><input type=password></form></body></html>"),
        "paywall": answer(200, PAYWALL, {"Content-Type": "text/html"}),
        "chunks": endless_chunks,
        "busy": answer(429, b"slow down"),
        "missing": answer(404, b"not here"),
        "gone": answer(410, b""),
        "inside": answer(302, b"", {"Location": "http://10.0.0.7/admin"}),
    }
    for name, route in hostile.items():
        server.routes[f"/{name}"] = route
    latin = html_page(ARTICLE.replace("euros", "€ (señores)")).replace(b"charset=utf-8", b"charset=bogus-8")
    server.routes["/latin"] = raw(
        200, latin.decode().encode("cp1252"), {"Content-Type": "text/html; charset=nonsense"}
    )
    server.routes["/good"] = answer(200, html_page(ARTICLE), {"Content-Type": "text/html"})
    names = [*hostile, "latin", "good"]
    server.routes["/feed"] = answer(200, feed_of(server, names))
    config, store = poll(tmp_path, server, [{"url": server.url("feed")}], pages_per_poll=len(names))
    caplog.set_level(logging.INFO, logger="monitor.pipeline")
    try:
        report = run_poll(store, config, server)
    finally:
        stop.set()
    rows = articles(store)
    assert {g for g, r in rows.items() if r["text_source"] == "page"} == {"latin", "good"}
    assert "señores" in str(rows["latin"]["text"])
    for name in hostile:
        assert (rows[name]["text"], rows[name]["page_state"]) == (TEASER, "failed"), name
    errors = {name: str(rows[name]["page_error"]) for name in hostile}
    assert errors["drip"].startswith("deadline")
    assert errors["bomb"].startswith("size cap") and errors["huge"].startswith("size cap")
    assert "nested" in errors["deep"]
    assert "not HTML" in errors["pdf"] and "not HTML" in errors["image"] and "not HTML" in errors["lying"]
    assert "404" in errors["missing"] and "410" in errors["gone"] and "429" in errors["busy"]
    assert errors["chunks"].startswith("size cap")
    assert "under 200" in errors["paywall"] and "no article text" in errors["login"]
    assert errors["inside"].startswith("address check")
    assert (report.pages_read, report.pages_failed) == (2, len(hostile))
    assert store.page_failures() == {server.url("feed"): len(hostile)}
    logged = [r.getMessage() for r in caplog.records if "event=page_failed" in r.getMessage()]
    assert len(logged) == len(hostile)  # one line each


def test_a_host_that_asks_to_wait_is_left_alone(tmp_path: Path, server: FeedServer) -> None:
    with FeedServer(host="127.0.0.2") as busy_host:
        busy_host.routes["/busy"] = answer(429, b"", {"Retry-After": "3600"})
        busy_host.routes["/later"] = answer(200, html_page(ARTICLE), {"Content-Type": "text/html"})
        server.routes["/other"] = answer(200, html_page(ARTICLE), {"Content-Type": "text/html"})
        items = [
            {
                "title": "busy",
                "link": busy_host.url("busy"),
                "guid": "busy",
                "pubDate": "Sat, 05 Dec 2026 12:00:00 GMT",
            },
            {
                "title": "later",
                "link": busy_host.url("later"),
                "guid": "later",
                "pubDate": "Sat, 05 Dec 2026 11:00:00 GMT",
            },
            {
                "title": "other",
                "link": server.url("other"),
                "guid": "other",
                "pubDate": "Sat, 05 Dec 2026 10:00:00 GMT",
            },
        ]
        for item in items:
            item["description"] = TEASER
        server.routes["/feed"] = answer(200, rss(items).encode())
        config, store = poll(tmp_path, server, [{"url": server.url("feed")}], per_host_concurrency=1)
        report = run_poll(store, config, server)
        assert [path for path, _ in busy_host.requests] == ["/robots.txt", "/busy"]
    rows = articles(store)
    assert "429" in str(rows["busy"]["page_error"])
    assert str(rows["later"]["page_error"]).startswith("retry-after: 127.0.0.2 asked to wait")
    assert rows["other"]["text_source"] == "page"  # another host: read
    # An hour is within MAX_PAGE_RETRY_WAIT: both are to be read again after it, not given up.
    assert {str(rows[g]["page_state"]) for g in ("busy", "later")} == {"waiting"}
    assert (report.pages_read, report.pages_failed, report.pages_later) == (1, 0, 2)
    assert "2 to read again after their host's Retry-After" in report.summary()


def flaky_page(
    statuses: list[int], wait: str, body: bytes
) -> tuple[Callable[[BaseHTTPRequestHandler], bool], list[int]]:
    """A route that answers each status of `statuses` in turn with Retry-After `wait` (then
    the page, with 200), and the list of the statuses it sent."""
    sent: list[int] = []

    def route(handler: BaseHTTPRequestHandler) -> bool:
        if len(sent) < len(statuses):
            sent.append(statuses[len(sent)])
            send(handler, sent[-1], b"busy", {"Retry-After": wait})
        else:
            sent.append(200)
            send(handler, 200, body, {"Content-Type": "text/html"})
        return True

    return route, sent


def wait_past(store: Store, guid: str) -> None:
    """Sleep until the stored retry time of `guid`'s page has passed."""
    (row,) = store.query("SELECT page_retry_at FROM articles WHERE guid = ?", [guid])
    retry_at = datetime.fromisoformat(str(row["page_retry_at"]).replace("Z", "+00:00"))
    time.sleep(max(0.0, (retry_at - datetime.now(UTC)).total_seconds()) + 0.2)


@pytest.mark.parametrize("status", [429, 503])
def test_a_page_whose_host_asked_to_wait_is_read_once_the_wait_is_over(
    tmp_path: Path, server: FeedServer, status: int
) -> None:
    server.routes["/page"], sent = flaky_page([status], "1", html_page(ARTICLE))
    server.routes["/feed"] = answer(200, feed_of(server, ["page"]))
    config, store = poll(tmp_path, server, [{"url": server.url("feed")}])
    poller = Poller(store, config)  # as the daemon's, kept from poll to poll
    first = run_poll(store, config, server, poller)
    row = articles(store)["page"]
    assert (first.pages_read, first.pages_failed, first.pages_later) == (0, 0, 1)
    assert (row["page_state"], row["text_source"], row["text"]) == ("waiting", "feed", TEASER)
    assert f"retry-after: HTTP {status}" in str(row["page_error"])
    # Polled again before the host's time: the page is not asked for again.
    run_poll(store, config, server, poller)
    assert sent == [status]
    wait_past(store, "page")
    again = run_poll(store, config, server, poller)
    row = articles(store)["page"]
    assert sent == [status, 200] and again.pages_read == 1
    assert (row["page_state"], row["text_source"], row["page_error"]) == ("done", "page", None)
    assert "forty million euros" in str(row["text"])
    # Read: never asked for again.
    run_poll(store, config, server, Poller(store, config))
    assert sent == [status, 200]
    store.close()


def test_a_waiting_page_is_given_up_once_its_feed_says_full_text_never(
    tmp_path: Path, server: FeedServer
) -> None:
    server.routes["/page"], sent = flaky_page([429], "1", html_page(ARTICLE))
    server.routes["/feed"] = answer(200, feed_of(server, ["page"]))
    config, store = poll(tmp_path, server, [{"url": server.url("feed")}])
    run_poll(store, config, server)
    assert articles(store)["page"]["page_state"] == "waiting"
    store.close()
    # The user turns page reading off for this feed; the host's wait then passes.
    config, store = poll(tmp_path, server, [{"url": server.url("feed"), "full_text": "never"}])
    wait_past(store, "page")
    report = run_poll(store, config, server)
    row = articles(store)["page"]
    assert sent == [429] and report.pages_read == 0
    assert (row["page_state"], row["text_source"], row["text"]) == ("skipped", "feed", TEASER)
    assert row["page_error"] == "full_text: never" and row["page_retry_at"] is None
    store.close()


def test_a_host_that_keeps_asking_to_wait_is_tried_a_bounded_number_of_times(
    tmp_path: Path, server: FeedServer
) -> None:
    server.routes["/page"], sent = flaky_page([503] * 10, "1", html_page(ARTICLE))
    server.routes["/feed"] = answer(200, feed_of(server, ["page"]))
    config, store = poll(tmp_path, server, [{"url": server.url("feed")}])
    run_poll(store, config, server)
    for _ in range(MAX_PAGE_ATTEMPTS - 1):
        wait_past(store, "page")
        run_poll(store, config, server)  # a new process each time, as `monitor poll` from cron
    row = articles(store)["page"]
    assert sent == [503] * MAX_PAGE_ATTEMPTS
    assert (row["page_state"], row["text_source"]) == ("failed", "feed")
    time.sleep(1.2)
    run_poll(store, config, server)
    assert sent == [503] * MAX_PAGE_ATTEMPTS  # given up: not asked again
    store.close()


def test_when_a_page_is_read_again() -> None:
    now = datetime(2026, 12, 5, 12, tzinfo=UTC)
    soon = now + timedelta(minutes=5)
    assert retry_page_at(soon, 1, now) == soon
    assert retry_page_at(now - timedelta(seconds=1), 1, now) == now  # a time already past: now
    assert retry_page_at(None, 1, now) is None  # no time given: given up
    assert retry_page_at(soon + timedelta(microseconds=1), 1, now) == soon + timedelta(seconds=1)
    assert retry_page_at(soon, MAX_PAGE_ATTEMPTS, now) is None
    assert retry_page_at(now + MAX_PAGE_RETRY_WAIT + timedelta(seconds=1), 1, now) is None
    task = PageTask(7, "https://news.example/rss", "https://news.example/a")
    waiting = PageOutcome(task, None, "HTTP 429 Too Many Requests", "retry-after", retry_at=soon)
    write = page_decision(7, TEASER, waiting, attempts=1, now=now).write
    assert (write.text, write.retry_at) == (None, soon)
    assert "to be read again after 2026-12-05T12:05:00" in str(write.error)
    assert page_decision(7, TEASER, waiting, attempts=MAX_PAGE_ATTEMPTS, now=now).write.retry_at is None


def charset_page(text: str, *, head: str = "") -> str:
    """A news page around one article of two paragraphs, with no charset of its own."""
    half = len(text) // 2
    return (
        f"<!doctype html><html><head>{head}<title>Bridge</title></head><body><nav><a href=/>Home</a></nav>"
        f"<article><h1>Bridge</h1><p>{text[:half]}</p><p>{text[half:]}</p></article>"
        "<footer>Copyright 2026 News Example</footer></body></html>"
    )


def test_pages_without_a_charset_or_with_a_wrong_one_are_read_in_their_own(
    tmp_path: Path, server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    from .test_charset import SENTENCES

    html = {"Content-Type": "text/html"}
    # (name, language, the charset the page is in, the Content-Type it is served with)
    pages = [
        ("ja", "ja", "shift_jis", html),
        ("zh", "zh", "gb18030", html),
        ("ru", "ru", "cp1251", html),
        ("fr", "fr", "cp1252", html),
        ("pl", "pl", "iso8859_2", html),
        ("ko", "ko", "euc_kr", {"Content-Type": "text/html; charset=utf-8"}),  # declared wrong
        ("el", "el", "cp1253", {"Content-Type": "text/html; charset=ISO-8859-1"}),  # a server's default
        ("tw", "zh-tw", "big5", html),  # 124 characters: a whole short article in Chinese
    ]
    for name, language, charset, headers in pages:
        server.routes[f"/{name}"] = raw(200, charset_page(SENTENCES[language]).encode(charset), headers)
    noise = bytes(0x80 + (n * 37) % 128 for n in range(1500))  # high bytes no charset reads as text
    server.routes["/noise"] = raw(200, charset_page("").encode().replace(b"<p></p>", b"<p>" + noise), html)
    names = [*(name for name, *_ in pages), "noise"]
    server.routes["/feed"] = answer(200, feed_of(server, names))
    config, store = poll(tmp_path, server, [{"url": server.url("feed")}], pages_per_poll=len(names))
    caplog.set_level(logging.INFO, logger="monitor.pipeline")
    report = run_poll(store, config, server)
    rows = articles(store)
    for name, language, _charset, _headers in pages:
        assert rows[name]["text_source"] == "page", (name, rows[name]["page_error"])
        half = len(SENTENCES[language]) // 2  # the page's paragraphs: each in the stored text
        for paragraph in (SENTENCES[language][:half], SENTENCES[language][half:]):
            assert paragraph.strip() in str(rows[name]["text"]), (name, rows[name]["text"])
        assert rows[name]["language"] == language.split("-")[0], name
    assert (rows["noise"]["text"], rows["noise"]["text_source"]) == (TEASER, "feed")
    assert "not decodable" in str(rows["noise"]["page_error"])
    assert (report.pages_read, report.pages_failed) == (len(pages), 1)
    assert store.page_failures() == {server.url("feed"): 1}
    logged = [r.getMessage() for r in caplog.records if "event=page_failed" in r.getMessage()]
    assert len(logged) == 1 and "not decodable" in logged[0]
