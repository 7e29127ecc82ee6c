"""feedparser's two HTML passes skipped for a value with no markup, where they change nothing.

feedparser runs every value it takes for HTML (each RSS description, for one) through two
parsers written in Python on sgmllib: one resolves relative links, the other sanitizes. On a
value with neither "<" nor "&" both only copy the text (the sanitizer also strips it and makes
CRLF LF), yet cost a fifth of feedparser's time on a feed of plain descriptions. Here such a
value gets that result at once; any other value goes through feedparser's own code, as before.
The poll's output is unchanged (tests/test_feedparser_plain.py compares both on any text).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import feedparser.mixin as _mixin

# feedparser 6's names, as its element handler (mixin.pop) calls them. A later feedparser
# without them keeps its own code: install() then changes nothing (and a test says so).
_resolve: Callable[..., Any] = getattr(_mixin, "resolve_relative_uris", None) or (lambda *a: None)
_sanitize: Callable[..., Any] = getattr(_mixin, "_sanitize_html", None) or (lambda *a: None)
_FOUND = hasattr(_mixin, "resolve_relative_uris") and hasattr(_mixin, "_sanitize_html")


def _markup(value: Any) -> bool:
    """Whether feedparser's HTML parsers could change `value`: a tag, a reference, or not text."""
    return not isinstance(value, str) or "<" in value or "&" in value


def resolve_relative_uris(html_source: Any, base_uri: Any, encoding: Any, type_: Any) -> Any:
    """feedparser.urls.resolve_relative_uris, at once for plain text (no link to resolve)."""
    if _markup(html_source):
        return _resolve(html_source, base_uri, encoding, type_)
    return html_source


def sanitize_html(html_source: Any, encoding: Any, type_: Any) -> Any:
    """feedparser.sanitizer._sanitize_html, at once for plain text (nothing to remove)."""
    if _markup(html_source):
        return _sanitize(html_source, encoding, type_)
    return html_source.strip().replace("\r\n", "\n")


def install() -> None:
    """Put the two shortcuts where feedparser's element handler calls them (idempotent)."""
    if not _FOUND:
        return
    _mixin.resolve_relative_uris = resolve_relative_uris
    _mixin._sanitize_html = sanitize_html


install()
