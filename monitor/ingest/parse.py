"""Bytes of a feed -> a ParsedFeed of normalized entries (feedparser does the reading).

A feed may be as large as the fetch size cap allows and hostile: made of tens of thousands
of tiny items, or of a few items with megabytes of text each. So one parse keeps at most
`max_entries` entries (the newest by publication date when the feed has more), at most
MAX_TEXT_CHARS of text per article, and skips entries with nothing to show.
"""

from __future__ import annotations

import calendar
import email.utils
import hashlib
import html
import json
import logging
import re
import xml.parsers.expat
import xml.sax
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from itertools import islice
from typing import Any

import feedparser
import feedparser.datetimes as feedparser_dates
import nh3

from monitor.config import DEFAULT_MAX_ENTRIES, normalize_language
from monitor.errors import ParseError
from monitor.ingest import dates as _dates  # registers localized and 12-hour date parsing
from monitor.ingest import feedparser_plain as _feedparser_plain  # noqa: F401 - skips HTML passes on plain text
from monitor.ingest import langid
from monitor.ingest.urls import article_url
from monitor.ingest.xmlguard import defuse_entities

OLDEST_PLAUSIBLE = datetime(1990, 1, 1, tzinfo=UTC)
CLOCK_SKEW = timedelta(hours=1)  # a publisher's clock a little ahead is not absurd
MAX_TEXT_CHARS = 100_000  # plain text kept per article; a long-form article is about 40,000
MAX_TITLE_CHARS = 1_000
_MARKUP_CHUNK = 32_768  # markup read at a time when extracting text, to stop near the cap
_LANGUAGE_SAMPLE = 2_000  # characters of text that language detection needs, at most
_MARKUP_PER_CHAR = 8  # markup read (and HTML kept) per character of the text cap, at most

log = logging.getLogger("monitor.parse")


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
    wants_page: bool = False  # full text: read the article's page (set by the poller)


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    link: str | None
    language: str | None
    ttl_seconds: int | None
    entries: tuple[Entry, ...]
    warning: str | None = None  # the parser recovered from a problem
    entries_dropped: int = 0  # entries beyond max_entries, not kept (the oldest, else the last)
    entries_skipped: int = 0  # entries with no title, no text and no link
    texts_cut: int = 0  # kept entries whose title or text was cut at its cap


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
        self.visible = 0  # characters of text other than white space, so far

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
            self.visible += len(data) - sum(map(len, _WHITE.findall(data)))


_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_NEWLINES = re.compile(r"\s*\n\s*")
_ODD_SPACE = re.compile(r"[\t\r\f\v\u00a0\u200b]|  ")  # what _SPACES would change
# A tag, roughly: `[^<>]`, not `[^>]`, since on a run of "<" with no ">" the latter is quadratic.
_TAG = re.compile(r"<[^<>]*>")
_WHITE = re.compile(r"[\s\u200b]+")


def html_to_text(markup: str, max_chars: int | None = None) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, blocks on lines.

    With `max_chars`, the text is cut there (at a word's end when one is near).
    """
    return _bounded_text(markup, max_chars)[0]


def _bounded_text(markup: str, max_chars: int | None) -> tuple[str, int | None, bool]:
    """The plain text of `markup` cut at `max_chars`; how much markup was read when reading
    stopped early (None when all of it was); and whether the text was cut.

    Markup is read a chunk at a time, and reading stops once more than `max_chars` visible
    characters are in hand, or `_MARKUP_PER_CHAR` times that much markup was read: a 9 MB
    body costs about what its first few hundred kB cost.
    """
    if not markup:
        return "", None, False
    read: int | None = None
    if "<" not in markup and "&" not in markup and (max_chars is None or len(markup) <= max_chars):
        text = markup
    else:
        limit = len(markup) if max_chars is None else max_chars * _MARKUP_PER_CHAR
        extractor = _TextExtractor()
        try:
            for start in range(0, len(markup), _MARKUP_CHUNK):
                end = start + _MARKUP_CHUNK
                extractor.feed(markup[start:end])
                if end < len(markup) and (
                    end >= limit or (max_chars is not None and extractor.visible > max_chars)
                ):
                    read = end
                    break
            else:
                extractor.close()
            text = "".join(extractor.parts)
        except Exception:
            read = limit if limit < len(markup) else None
            text = html.unescape(_TAG.sub(" ", markup[:read]))
    text = tidy_spaces(text)
    cut = read is not None
    if max_chars is not None and len(text) > max_chars:
        text, cut = _cut(text, max_chars), True
    return text, read, cut


def tidy_spaces(text: str) -> str:
    """Runs of spaces made one space, line breaks with the spaces around them one line
    break, and the ends stripped. Most feed texts need no change: the substitutions run
    only when a search finds something they would change."""
    if _ODD_SPACE.search(text):
        text = _SPACES.sub(" ", text)
    if "\n" in text:
        text = _NEWLINES.sub("\n", text)
    return text.strip()


def _cut(text: str, max_chars: int) -> str:
    """`text` cut to at most `max_chars`, at the end of a word when one ends near the cap."""
    head = text[:max_chars]
    space = max(head.rfind(" "), head.rfind("\n"))
    if space >= max_chars - 200:
        head = head[:space]
    return head.rstrip()


# The characters nh3 (html5ever) changes in text: markup and entities, CR (made LF), NUL and
# a leading byte order mark (dropped), no-break space (written &nbsp;). Checked on every
# code point (tests/test_parse.py).
_HTML_SPECIAL = re.compile("[<>&\r\x00\u00a0\ufeff]")


def sanitize_html(markup: str) -> str:
    """HTML safe to show: no scripts, handlers, javascript: links (nh3 / ammonia)."""
    if not markup:
        return ""
    if not _HTML_SPECIAL.search(markup):
        return markup  # plain text with nothing to escape: what nh3 would give back
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


def _published(raw: Mapping[str, Any], now: datetime) -> datetime | None:
    """An entry's publication time (else its update time) when plausible; None otherwise."""
    published = _plausible_time(raw.get("published_parsed"), now)
    return published or _plausible_time(raw.get("updated_parsed"), now)


def _newest_first(published_times: Sequence[datetime | None]) -> list[int]:
    """Entry indexes, newest first; undated entries after the dated ones, in document order."""
    return sorted(
        range(len(published_times)),
        key=lambda i: (published_times[i] is None, -(t.timestamp() if (t := published_times[i]) else 0.0), i),
    )


def _no_nul(value: str | None) -> str:
    return (value or "").replace("\x00", "")


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


# --- trimming a feed with far too many entries before feedparser reads it --------------

# Namespaces whose <item> / <entry> is a feed entry: none (RSS 0.9x/2.0), RSS 0.90 and 1.0, Atom.
_ENTRY_NAMESPACES = frozenset(
    {
        "",
        "http://my.netscape.com/rdf/simple/0.9/",
        "http://purl.org/rss/1.0/",
        "http://www.w3.org/2005/Atom",
        "http://purl.org/atom/ns#",
    }
)
# Read as feedparser reads them: pubDate, published and issued give `published_parsed`;
# updated, modified and dc:date give `updated_parsed`.
_PUBLISHED_FIELDS = frozenset({"pubdate", "published", "issued"})
_UPDATED_FIELDS = frozenset({"updated", "modified", "date"})
_DATE_FIELDS = _PUBLISHED_FIELDS | _UPDATED_FIELDS


@dataclass
class _EntrySpan:
    """Where one entry lies in the body (bytes start:end), and its dates as written."""

    start: int
    published: str | None = None
    updated: str | None = None
    end: int = 0


def _entry_spans(content: bytes) -> list[_EntrySpan] | None:
    """The entries of an RSS or Atom body (each <item> or <entry> not inside another one),
    found with expat, which is fast (in C); None when the body is not well-formed XML in an
    encoding expat reads, or is UTF-16/32."""
    if b"\0" in content[:4]:
        return None  # byte offsets below assume an ASCII-compatible encoding
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    spans: list[_EntrySpan] = []
    depth = 0
    entry_depth = 0  # depth of the entry being read; 0 outside entries
    field: str | None = None  # the date field being read
    text: list[str] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal depth, entry_depth, field
        depth += 1
        namespace, _, local = name.rpartition(" ")
        if not entry_depth:
            if local in ("item", "entry") and namespace in _ENTRY_NAMESPACES:
                entry_depth = depth
                spans.append(_EntrySpan(start=parser.CurrentByteIndex))
        elif depth == entry_depth + 1 and local.lower() in _DATE_FIELDS:
            field = local.lower()
            text.clear()

    def end(name: str) -> None:
        nonlocal depth, entry_depth, field
        if field is not None and depth == entry_depth + 1:
            value = "".join(text).strip()
            span = spans[-1]
            if field in _PUBLISHED_FIELDS:
                span.published = span.published or value
            else:
                span.updated = span.updated or value
            field = None
        elif entry_depth and depth == entry_depth:
            span = spans[-1]
            at = parser.CurrentByteIndex  # where the end tag starts; just past an <item/>
            if content[at - 2 : at] == b"/>" and content.find(b"<", span.start + 1, at) == -1:
                span.end = at  # <item/>: no markup inside (XML has no "<" in attributes)
            elif content.startswith(b"</", at):
                span.end = content.index(b">", at) + 1
            else:
                raise ValueError(f"no end of the entry at byte {at}")
            entry_depth = 0
        depth -= 1

    def characters(data: str) -> None:
        if field is not None:
            text.append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    try:
        parser.Parse(content, True)
    except (xml.parsers.expat.ExpatError, ValueError, LookupError):
        return None
    return spans


def _span_time(value: str | None, now: datetime) -> datetime | None:
    """A date as written in a feed, read as feedparser would; the two common forms first,
    the quick way (tens of thousands of dates may come in one body)."""
    if not value:
        return None
    try:
        when = _quick_time(value) or _plausible_time(feedparser_dates._parse_date(value), now)
    except Exception:  # hostile text a date reader chokes on: no date
        return None
    return when if when is not None and OLDEST_PLAUSIBLE <= when <= now + CLOCK_SKEW else None


def _quick_time(value: str) -> datetime | None:
    """RFC 3339 (Atom) or RFC 822 with English names (RSS); None for any other form."""
    try:
        when = datetime.fromisoformat(value)
        return when if when.tzinfo else when.replace(tzinfo=UTC)
    except ValueError:
        pass
    if _dates.TWELVE_HOUR.search(value):
        return None  # email.utils drops the PM: feedparser's handlers read it
    parts = email.utils.parsedate_tz(value)
    return datetime.fromtimestamp(email.utils.mktime_tz(parts), tz=UTC) if parts else None


def _looks_over(content: bytes, max_entries: int) -> bool:
    """Could the body hold well over `max_entries` entries? A cheap count of the tags."""
    threshold = 2 * max_entries + 100
    count = content.count(b"<item") + content.count(b"<entry") + content.count(b":item")
    return count > threshold or content.count(b":entry") > threshold


def _trim_entries(content: bytes, keep: int, now: datetime) -> tuple[bytes, int]:
    """The body with all but about `keep` entries removed (the newest by date, else the
    first), and how many were removed. Only well-formed XML is trimmed, whole elements at a
    time, so the result is well-formed too; anything else comes back as it was.

    feedparser spends about half a millisecond per entry in Python: a 10 MB body of 40,000
    tiny entries took 15 s to read whole. expat finds the entries' places and dates in a
    fraction of that, and feedparser then reads only the entries that can be kept.
    """
    spans = _entry_spans(content)
    if spans is None:
        return _cut_after_entries(content, keep)
    if len(spans) <= keep:
        return content, 0
    times = [_span_time(span.published, now) or _span_time(span.updated, now) for span in spans]
    chosen = set(_newest_first(times)[:keep])
    pieces: list[bytes] = []
    position = 0
    for index, span in enumerate(spans):
        if index not in chosen:
            pieces.append(content[position : span.start])
            position = span.end
    pieces.append(content[position:])
    return b"".join(pieces), len(spans) - keep


_DECLARED = re.compile(rb"^<\?xml\s[^>]*\bencoding\s*=", re.IGNORECASE)  # only at byte 0 counts
# Single-byte character sets of non-Latin scripts, each with the block its letters fall in.
_SCRIPT_CHARSETS = (
    ("cp1251", "\u0400", "\u04ff"),  # Cyrillic (Windows)
    ("koi8-r", "\u0400", "\u04ff"),  # Cyrillic (KOI8)
    ("cp1253", "\u0370", "\u03ff"),  # Greek
    ("cp1256", "\u0600", "\u06ff"),  # Arabic
    ("cp1255", "\u0590", "\u05ff"),  # Hebrew
)
_CHARSET_SAMPLE = 64 * 1024
_URLS = re.compile(r"\w+://\S+")
_WORDS = re.compile(r"[^\W\d_]+")


def _undeclared_single_byte(content: bytes, headers: Mapping[str, str] | None) -> bytes:
    """A body in a non-Latin single-byte character set that says nowhere which one, made
    UTF-8; any other body as it is.

    Without a declaration, feedparser reads such a body as windows-1252 and Cyrillic comes
    out as "Ïðåçèäåíò". Read that way, the text of such a body (tags and URLs aside) is words
    made wholly of non-ASCII letters, which no Latin-script language writes: then each
    candidate set whose reading gives letters of its script is tried on a sample, and the one
    whose text the language model is surest of wins (that tells windows-1251 from KOI8-R).
    Nothing fits: unchanged.
    """
    content_type = next((v for k, v in (headers or {}).items() if k.lower() == "content-type"), "")
    declared = "charset" in content_type.lower() or _DECLARED.match(content) is not None
    if declared or content[:3] == b"\xef\xbb\xbf" or content[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return content
    sample = content[:_CHARSET_SAMPLE]
    if not sample.lstrip().startswith(b"<"):
        return content  # not XML (JSON, or compressed bytes served as they are)
    try:
        content.decode("utf-8")
        return content
    except UnicodeDecodeError:
        pass
    visible = _visible(sample.decode("cp1252", errors="replace"))
    accented = whole = 0
    for word in _WORDS.findall(visible):
        high = sum(1 for ch in word if ch >= "\u0080")
        accented += high
        whole += high if high == len(word) else 0
    if accented < 20 or whole < 0.8 * accented:
        return content
    best, best_confidence = None, 0.0
    for charset, low, high_end in _SCRIPT_CHARSETS:
        text = _visible(sample.decode(charset, errors="replace"))
        in_script = sum(1 for ch in text if low <= ch <= high_end and ch.isalpha())
        if in_script < 0.8 * accented or text.count("\ufffd") > 0.01 * len(text):
            continue  # not this script's letters, or bytes the set does not define
        confidence = langid.language_confidence(text)
        if confidence > best_confidence:
            best, best_confidence = charset, confidence
    return content.decode(best, errors="replace").encode("utf-8") if best is not None else content


def _visible(document: str) -> str:
    """Roughly the text of a feed document, for the checks above: tags and URLs dropped."""
    return _URLS.sub(" ", _TAG.sub(" ", document))


_ENTRY_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>")


def _cut_after_entries(content: bytes, keep: int) -> tuple[bytes, int]:
    """For a body expat cannot read (one stray `&` is enough, or an undeclared prefix): the
    body up to the end of its `keep`-th entry, in document order (feeds mostly list the
    newest first), and how many entry end tags were cut off. feedparser's lenient reader
    takes the unclosed rest. JSON Feed bodies are left alone (they are capped once read)."""
    if content.lstrip()[:1] in (b"{", b"["):
        return content, 0
    ends = _ENTRY_END.finditer(content)
    nth = next(islice(ends, keep - 1, None), None)
    if nth is None:
        return content, 0
    return content[: nth.end()], sum(1 for _ in ends)


def parse_feed(
    content: bytes,
    *,
    url: str,
    headers: Mapping[str, str] | None = None,
    feed_language: str | None = None,
    now: datetime | None = None,
    max_entries: int = DEFAULT_MAX_ENTRIES,
    max_text_chars: int = MAX_TEXT_CHARS,
) -> ParsedFeed:
    """Parse a feed body. `feed_language` is the user's hint from feeds.yaml.

    At most `max_entries` entries are kept: all of them when the feed has no more, else the
    newest by publication date (undated ones last, in document order). Entries keep the
    feed's document order. Each article's text is cut at `max_text_chars`.

    Raises ParseError when the body is not a feed at all.
    """
    from monitor.ingest.langid import detect_language

    now = now or datetime.now(UTC)
    if not content or not content.strip():
        raise ParseError(url, "empty body")
    # Entity declarations that could blow up (or reach outside) are removed before any
    # parser sees the body: feedparser's lenient fallback would expand them unbounded.
    content, defused = defuse_entities(content)
    content = _undeclared_single_byte(content, headers)
    trimmed = 0
    if _looks_over(content, max_entries):
        # A margin over the cap: the final choice below reads dates as feedparser does, and
        # may skip empty or repeated entries.
        content, trimmed = _trim_entries(content, 2 * max_entries + 100, now)
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
    published_times = [_published(raw, now) for raw in raw_entries]
    if len(raw_entries) > max_entries:
        order: Sequence[int] = _newest_first(published_times)
    else:
        order = range(len(raw_entries))  # the common case: every entry, as the feed lists them
    kept: list[tuple[int, Entry]] = []
    seen_guids: set[str] = set()
    read = skipped = cut = 0
    first_skipped: str | None = None
    for index in order:
        if len(kept) >= max_entries:
            break
        read += 1
        raw = raw_entries[index]
        title, _, title_cut = _bounded_text(raw.get("title") or "", MAX_TITLE_CHARS)
        title = title.replace("\n", " ")  # one line
        body_html = _entry_html(raw)
        text, markup_read, text_cut = _bounded_text(body_html, max_text_chars)
        link = (raw.get("link") or "").strip() or None
        # feedparser copies an RSS <guid> into `link` when there is no <link>: that alone is
        # not something to open (a GUID is often no URL at all).
        link_given = bool(raw.get("links")) or not raw.get("guidislink")
        if not title and not text and not (link and link_given):
            # Nothing to show or to open (at most a GUID): not an article.
            skipped += 1
            first_skipped = first_skipped or str(raw.get("id") or f"entry #{index + 1}")
            continue
        canonical = article_url(link, base=url) if link else None
        guid = (raw.get("id") or "").strip() or canonical
        if not guid:
            guid = "urn:sha256:" + content_hash(title, text)[:32]
        if guid in seen_guids:
            continue
        seen_guids.add(guid)
        cut += title_cut or text_cut
        published = published_times[index]
        language = _entry_language(raw)
        if language is not None and language == document_language and feed_language:
            # Only the document's own xml:lang, inherited by every entry (as feedparser
            # reports it): the user's hint in feeds.yaml comes first, as for RSS <language>.
            language = None
        source: str | None = "entry" if language else None
        if not language and feed_default:
            language, source = feed_default, "feed"
        if not language:
            language = detect_language(f"{title}\n{text[:_LANGUAGE_SAMPLE]}")
            source = "detected" if language else None
        # NUL is no character of text: PostgreSQL's text type refuses it (a JSON feed's
        # "\u0000", a stray byte), so it goes here, on every backend alike.
        title, text = _no_nul(title), _no_nul(text)
        entry = Entry(
            guid=_no_nul(guid),
            url=_no_nul(canonical) or None,
            link=_no_nul(link) or None,
            title=title,
            text=text,
            html=_no_nul(sanitize_html(body_html[:markup_read])),
            published=published or now,
            published_estimated=published is None,
            language=language,
            language_source=source,
            author=_no_nul(raw.get("author") or "") or None,
            content_hash=content_hash(title, text),
        )
        kept.append((index, entry))
    broken = parsed.get("bozo_exception")
    if not kept and isinstance(broken, xml.sax.SAXException):
        # Ill-formed XML read leniently is worth keeping when entries come out of it; with
        # none, the body is broken (cut short, an error page in XML clothes), not an empty
        # feed: an error, so that the feed's failures show and it backs off.
        raise ParseError(url, f"not well-formed XML and no entries in it ({broken})")
    kept.sort(key=lambda pair: pair[0])
    dropped = len(raw_entries) - read + trimmed
    if dropped or cut:
        log.warning(
            "event=feed_cut feed=%s step=parse entries=%d kept=%d dropped=%d max_entries=%d "
            "texts_cut=%d max_text_chars=%d",
            url,
            len(raw_entries) + trimmed,
            len(kept),
            dropped,
            max_entries,
            cut,
            max_text_chars,
        )
    if skipped:
        log.debug(
            "event=entries_skipped feed=%s step=parse skipped=%d reason=%r first=%r",
            url,
            skipped,
            "no title, text or link",
            first_skipped,
        )
    return ParsedFeed(
        title=html_to_text(feed.get("title") or "", MAX_TITLE_CHARS) or None,
        link=feed.get("link"),
        language=document_language,
        ttl_seconds=_ttl_seconds(feed),
        entries=tuple(entry for _, entry in kept),
        warning=warning,
        entries_dropped=dropped,
        entries_skipped=skipped,
        texts_cut=cut,
    )
