"""Bytes of a feed -> a ParsedFeed of normalized entries (feedparser does the reading)."""

from __future__ import annotations

import calendar
import hashlib
import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import feedparser
import nh3

from monitor import dates as _dates  # noqa: F401 - registers localized date parsing
from monitor.config import normalize_language
from monitor.errors import ParseError
from monitor.urls import canonical_url
from monitor.xmlguard import defuse_entities

OLDEST_PLAUSIBLE = datetime(1990, 1, 1, tzinfo=UTC)
CLOCK_SKEW = timedelta(hours=1)  # a publisher's clock a little ahead is not absurd


@dataclass(frozen=True)
class Entry:
    guid: str
    url: str | None  # canonical
    link: str | None  # as the feed gave it
    title: str
    text: str  # plain text
    html: str  # sanitized HTML of the content or summary
    published: datetime  # UTC
    published_estimated: bool  # True when the feed's date was missing or absurd
    language: str | None
    language_source: str | None  # 'entry', 'feed', 'detected' or None
    author: str | None
    content_hash: str


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    link: str | None
    language: str | None
    ttl_seconds: int | None
    entries: tuple[Entry, ...]
    warning: str | None = None  # the parser recovered from a problem


_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "table",
        "blockquote",
        "section",
        "article",
        "header",
        "footer",
        "figure",
        "figcaption",
        "pre",
        "hr",
        "dd",
        "dt",
    }
)
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "object"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_NEWLINES = re.compile(r"\s*\n\s*")


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, blocks on lines."""
    if not markup:
        return ""
    if "<" not in markup and "&" not in markup:
        text = markup
    else:
        extractor = _TextExtractor()
        try:
            extractor.feed(markup)
            extractor.close()
            text = "".join(extractor.parts)
        except Exception:
            text = html.unescape(re.sub(r"<[^>]*>", " ", markup))
    text = _SPACES.sub(" ", text)
    return _NEWLINES.sub("\n", text).strip()


def sanitize_html(markup: str) -> str:
    """HTML safe to show: no scripts, handlers, javascript: links (nh3 / ammonia)."""
    if not markup:
        return ""
    return nh3.clean(markup, url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow")


def content_hash(title: str, text: str) -> str:
    normalized = " ".join(f"{title}\n{text}".split())
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


def _plausible_time(struct: Any, now: datetime) -> datetime | None:
    if not struct:
        return None
    try:
        when = datetime.fromtimestamp(calendar.timegm(struct), tz=UTC)
    except (OverflowError, ValueError, TypeError, OSError):
        return None
    if when < OLDEST_PLAUSIBLE or when > now + CLOCK_SKEW:
        return None
    return when


def _entry_language(raw: Mapping[str, Any]) -> str | None:
    for key in ("title_detail", "summary_detail"):
        detail = raw.get(key)
        if detail and detail.get("language"):
            return normalize_language(detail["language"])
    for content in raw.get("content") or ():
        if content.get("language"):
            return normalize_language(content["language"])
    return normalize_language(raw.get("language") or raw.get("dc_language"))


def _entry_html(raw: Mapping[str, Any]) -> str:
    contents = raw.get("content") or ()
    best = ""
    for content in contents:
        value = content.get("value") or ""
        if len(value) > len(best):
            best = value
    summary = raw.get("summary") or ""
    return best if len(best) >= len(summary) else summary


def _ttl_seconds(feed: Mapping[str, Any]) -> int | None:
    ttl = feed.get("ttl")
    try:
        minutes = int(str(ttl).strip())
    except (TypeError, ValueError):
        return None
    return minutes * 60 if 0 < minutes <= 7 * 24 * 60 else None


def _json_text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _json_time(value: Any) -> Any:
    """A JSON Feed date (RFC 3339) as the UTC time tuple feedparser would give; None if bad."""
    try:
        when = datetime.fromisoformat(_json_text(value).replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(UTC).timetuple()


def _json_feed(content: bytes, url: str) -> dict[str, Any] | None:
    """A JSON Feed (1.0 / 1.1) in the shape feedparser gives other feeds; None when the body
    is not JSON at all. feedparser 6.0 does not read JSON Feed."""
    head = content.lstrip()[:1]
    if head not in (b"{", b"\xef"):
        return None
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        if head == b"{":
            raise ParseError(url, f"not a feed (bad JSON: {exc})") from None
        return None
    if not isinstance(document, dict) or "jsonfeed.org" not in _json_text(document.get("version")):
        raise ParseError(url, "not a feed: JSON without a JSON Feed version")
    items = document.get("items")
    entries: list[dict[str, Any]] = []
    for item in items if isinstance(items, list) else ():
        if not isinstance(item, dict):
            continue
        content_html = _json_text(item.get("content_html"))
        content_text = _json_text(item.get("content_text"))
        authors = item.get("authors") or [item.get("author")]
        authors = authors if isinstance(authors, list) else [authors]
        names = [_json_text(a.get("name")) for a in authors if isinstance(a, dict)]
        item_id = item.get("id")
        entries.append(
            {
                "id": str(item_id) if isinstance(item_id, (str, int)) else "",
                "link": _json_text(item.get("url")) or _json_text(item.get("external_url")),
                "title": html.escape(_json_text(item.get("title")), quote=False),
                "summary": html.escape(_json_text(item.get("summary")), quote=False),
                "content": [{"value": content_html or html.escape(content_text, quote=False)}],
                "published_parsed": _json_time(item.get("date_published")),
                "updated_parsed": _json_time(item.get("date_modified")),
                "language": _json_text(item.get("language")) or None,
                "author": ", ".join(name for name in names if name) or None,
            }
        )
    feed = {
        "title": html.escape(_json_text(document.get("title")), quote=False),
        "link": _json_text(document.get("home_page_url")) or None,
        "language": _json_text(document.get("language")) or None,
    }
    return {"feed": feed, "entries": entries, "version": "json1", "bozo": 0}


def parse_feed(
    content: bytes,
    *,
    url: str,
    headers: Mapping[str, str] | None = None,
    feed_language: str | None = None,
    now: datetime | None = None,
) -> ParsedFeed:
    """Parse a feed body. `feed_language` is the user's hint from feeds.yaml.

    Raises ParseError when the body is not a feed at all.
    """
    from monitor.langid import detect_language

    now = now or datetime.now(UTC)
    if not content or not content.strip():
        raise ParseError(url, "empty body")
    # Entity declarations that could blow up (or reach outside) are removed before any
    # parser sees the body: feedparser's lenient fallback would expand them unbounded.
    content, defused = defuse_entities(content)
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    # No Content-Location: feedparser would resolve a GUID like "12345" into a URL on the
    # feed's host. Links are resolved against the feed URL below, by canonical_url.
    try:
        parsed = _json_feed(content, url) or feedparser.parse(
            content, response_headers=response_headers, sanitize_html=True
        )
    except ParseError:
        raise
    except Exception as exc:
        raise ParseError(url, f"the parser failed: {type(exc).__name__}: {exc}") from exc
    feed = parsed.get("feed", {})
    raw_entries = parsed.get("entries", [])
    warning = defused
    if parsed.get("bozo"):
        bozo = f"{type(parsed.get('bozo_exception')).__name__}: {parsed.get('bozo_exception')}"
        warning = f"{warning}; {bozo}" if warning else bozo
    if not parsed.get("version") and not raw_entries:
        head = content[:512].lstrip().lower()
        if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
            raise ParseError(url, "not a feed: the server sent an HTML page")
        raise ParseError(url, f"not a feed ({warning or 'no RSS, Atom or JSON Feed found'})")

    document_language = normalize_language(feed.get("language"))
    feed_default = feed_language or document_language
    entries: list[Entry] = []
    seen_guids: set[str] = set()
    for raw in raw_entries:
        title = html_to_text(raw.get("title") or "").replace("\n", " ")  # one line
        body_html = _entry_html(raw)
        text = html_to_text(body_html)
        link = (raw.get("link") or "").strip() or None
        canonical = canonical_url(link, base=url) if link else None
        guid = (raw.get("id") or "").strip() or canonical
        if not guid:
            if not title and not text:
                continue  # nothing to identify or show
            guid = "urn:sha256:" + content_hash(title, text)[:32]
        if guid in seen_guids:
            continue
        seen_guids.add(guid)
        published = _plausible_time(raw.get("published_parsed"), now) or _plausible_time(
            raw.get("updated_parsed"), now
        )
        language = _entry_language(raw)
        if language is not None and language == document_language and feed_language:
            # Only the document's own xml:lang, inherited by every entry (as feedparser
            # reports it): the user's hint in feeds.yaml comes first, as for RSS <language>.
            language = None
        source: str | None = "entry" if language else None
        if not language and feed_default:
            language, source = feed_default, "feed"
        if not language:
            language = detect_language(f"{title}\n{text}")
            source = "detected" if language else None
        entries.append(
            Entry(
                guid=guid,
                url=canonical,
                link=link,
                title=title,
                text=text,
                html=sanitize_html(body_html),
                published=published or now,
                published_estimated=published is None,
                language=language,
                language_source=source,
                author=(raw.get("author") or None),
                content_hash=content_hash(title, text),
            )
        )
    return ParsedFeed(
        title=html_to_text(feed.get("title") or "") or None,
        link=feed.get("link"),
        language=document_language,
        ttl_seconds=_ttl_seconds(feed),
        entries=tuple(entries),
        warning=warning,
    )
