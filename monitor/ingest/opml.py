"""OPML in and out: subscription lists from other readers (Miniflux, FreshRSS, ...)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from html.parser import HTMLParser

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from monitor.config import FeedConfig, normalize_language
from monitor.errors import MonitorError
from monitor.ingest.urls import url_problem


class OPMLError(MonitorError):
    pass


_BARE_AMPERSAND = re.compile(rb"&(?!#\d+;|#x[0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")


def parse_opml(content: bytes, source: str = "OPML") -> list[FeedConfig]:
    """Every outline with an xmlUrl becomes a feed; enclosing outlines become tags."""
    parse_error: str | None = None  # why the strict parse failed, when it did
    try:
        root = SafeET.fromstring(content)
    except ET.ParseError as exc:
        parse_error = str(exc)
        # Hand-written OPML often carries a bare '&' in a URL; escape those and retry.
        repaired = _BARE_AMPERSAND.sub(b"&amp;", content)
        try:
            root = SafeET.fromstring(repaired)
        except (ET.ParseError, DefusedXmlException):
            # Still broken (unescaped quotes in titles are common): read it leniently.
            root = _lenient_tree(content)
            if root is None:
                raise OPMLError(f"{source}: not a readable OPML file: {exc}") from None
    except DefusedXmlException as exc:
        raise OPMLError(f"{source}: refused: {exc}") from None
    if root.tag.lower() != "opml":
        raise OPMLError(f"{source}: not OPML (the root element is <{root.tag}>)")
    body = root.find("body")
    if body is None:
        raise OPMLError(f"{source}: OPML without a <body>")
    feeds: list[FeedConfig] = []
    seen: set[str] = set()

    def walk(node: ET.Element, tags: tuple[str, ...]) -> None:
        for outline in node.findall("outline"):
            attrs = {k.lower(): v for k, v in outline.attrib.items()}
            url = (attrs.get("xmlurl") or "").strip()
            label = (attrs.get("title") or attrs.get("text") or "").strip()
            if url:
                if url_problem(url) is None and url not in seen:
                    seen.add(url)
                    category = [c.strip().strip("/") for c in (attrs.get("category") or "").split(",")]
                    feeds.append(
                        FeedConfig(
                            url=url,
                            name=label or None,
                            language=normalize_language(attrs.get("language")),
                            tags=tuple(dict.fromkeys(t for t in (*tags, *category) if t)),
                        )
                    )
            else:
                walk(outline, (*tags, label) if label else tags)

    walk(body, ())
    if parse_error is not None and not feeds:  # read leniently, and nothing came of it
        raise OPMLError(f"{source}: not a readable OPML file: {parse_error}")
    return feeds


class _OutlineCollector(HTMLParser):
    """Builds an <opml><body><outline>... tree from tag soup, keeping nesting."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = ET.Element("opml")
        self.body = ET.SubElement(self.root, "body")
        self.stack = [self.body]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "outline":
            element = ET.SubElement(self.stack[-1], "outline", {k: v or "" for k, v in attrs})
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "outline":
            ET.SubElement(self.stack[-1], "outline", {k: v or "" for k, v in attrs})

    def handle_endtag(self, tag: str) -> None:
        if tag == "outline" and len(self.stack) > 1:
            self.stack.pop()


def _lenient_tree(content: bytes) -> ET.Element | None:
    if b"<opml" not in content[:2048].lower():
        return None
    collector = _OutlineCollector()
    collector.feed(content.decode("utf-8", errors="replace"))
    collector.close()
    return collector.root


def to_opml(feeds: Sequence[FeedConfig], title: str = "monitor feeds") -> str:
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    body = ET.SubElement(root, "body")
    groups: dict[str, ET.Element] = {}
    for feed in feeds:
        parent = body
        if feed.tags:
            tag = feed.tags[0]
            if tag not in groups:
                groups[tag] = ET.SubElement(body, "outline", text=tag, title=tag)
            parent = groups[tag]
        attrs = {
            "type": "rss",
            "text": feed.name or feed.url,
            "title": feed.name or feed.url,
            "xmlUrl": feed.url,
        }
        if feed.language:
            attrs["language"] = feed.language
        if len(feed.tags) > 1:
            attrs["category"] = ",".join(feed.tags[1:])
        ET.SubElement(parent, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
