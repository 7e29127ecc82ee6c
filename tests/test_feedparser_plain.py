"""feedparser_plain.py: feedparser's HTML passes skipped on plain text give what they gave."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import feedparser.mixin
import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.ingest import feedparser_plain
from monitor.ingest.parse import parse_feed

from .conftest import FIXTURES

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
TEXTS = st.text(alphabet=st.sampled_from("ab <>&;#/=\"' \t\r\n\x00\u00a0é中")) | st.text()


@given(TEXTS)
def test_the_shortcuts_give_what_feedparsers_passes_give(value: str) -> None:
    base, encoding, kind = "https://feeds.example/news/", "utf-8", "text/html"
    assert feedparser_plain.resolve_relative_uris(value, base, encoding, kind) == (
        feedparser_plain._resolve(value, base, encoding, kind)
    )
    sanitized = feedparser_plain._sanitize(value, encoding, kind)
    assert feedparser_plain.sanitize_html(value, encoding, kind) == sanitized


def test_feedparser_calls_the_shortcuts() -> None:
    assert feedparser.mixin.resolve_relative_uris is feedparser_plain.resolve_relative_uris
    assert feedparser.mixin._sanitize_html is feedparser_plain.sanitize_html


@pytest.fixture
def feedparser_alone() -> Iterator[None]:
    """feedparser's own passes for the test's length."""
    feedparser.mixin.resolve_relative_uris = feedparser_plain._resolve
    feedparser.mixin._sanitize_html = feedparser_plain._sanitize
    try:
        yield
    finally:
        feedparser_plain.install()


EXPECTS = sorted((FIXTURES / "feeds").glob("*/*.expect.json"))
FEEDS = [  # the real feeds of the parse tests, the larger ones aside (for time)
    feed
    for feed in (p.with_name(p.name.removesuffix(".expect.json")) for p in EXPECTS)
    if feed.stat().st_size < 60_000
]
# Plain, padded, CRLF, escaped and marked-up values, in RSS and in Atom.
MIXED = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>'
    b"<item><guid>1</guid><title>  Plain  </title><description>  one\r\ntwo  </description></item>"
    b"<item><guid>2</guid><title>A &amp; B</title><description>x &lt;b&gt;y&lt;/b&gt; z</description></item>"
    b'<item><guid>3</guid><title>T3</title><description><![CDATA[<p>a <a href="/r">rel</a>'
    b"<script>x()</script></p>]]></description></item></channel></rss>"
)
ATOM = (
    b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://a.example/b/">'
    b'<title type="html">Feed</title><entry><id>e1</id><title type="html">  Tea \r\n time </title>'
    b'<content type="html">plain words</content><updated>2026-11-01T00:00:00Z</updated></entry>'
    b'<entry><id>e2</id><title type="xhtml">'
    b'<div xmlns="http://www.w3.org/1999/xhtml">X <b>y</b></div></title>'
    b'<summary type="html">&lt;img src="i.png" onerror="z()"&gt; s</summary></entry></feed>'
)


def test_every_fixture_feed_parses_the_same_with_and_without_them(feedparser_alone: None) -> None:
    def parsed(path: Path) -> object:
        return parse_feed(path.read_bytes(), url="https://feeds.example/" + path.name, now=NOW)

    def body(content: bytes) -> object:
        return parse_feed(content, url="https://feeds.example/mixed.xml", now=NOW)

    alone = [parsed(p) for p in FEEDS] + [body(MIXED), body(ATOM)]
    feedparser_plain.install()
    assert [parsed(p) for p in FEEDS] + [body(MIXED), body(ATOM)] == alone
    assert len(FEEDS) > 5
    assert feedparser.mixin._sanitize_html is feedparser_plain.sanitize_html
