"""An article page's bytes -> its text, canonical URL and language. Pure: no I/O.

Two extractors, as Media Cloud chains them: trafilatura first, then readability-lxml where
trafilatura yields little (under MIN_CHARS characters). Readability also wins where the two
disagree in a way that shows trafilatura wrong (choose_text): its text holds nearly all of
trafilatura's and more (trafilatura cut the article short: it drops sections, its #304), or
trafilatura's is several times longer around it (footers and "related" lists leak in, #617).

Before either runs, what a reader never sees is taken out of the page: hidden elements
(`hidden`, `aria-hidden`, `display:none`, `visibility:hidden`), cookie and consent banners,
scripts and buttons; the extractors then leave out navigation, comments and "related" lists.
A page that cannot be read (no text, bad markup, too deep to walk) gives empty text: the
caller keeps the feed's.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from monitor.ingest import langid
from monitor.ingest.charset import decode_page
from monitor.ingest.pages import MAX_PAGE_BYTES
from monitor.ingest.parse import MAX_TEXT_CHARS, html_to_text
from monitor.ingest.urls import canonical_url

if TYPE_CHECKING:  # lxml is imported where a page is read: a poll that reads none never loads it
    import lxml.html

MIN_CHARS = 200  # Media Cloud's threshold: a result shorter than this (text_length) is no article
MAX_ELEMENTS = 100_000  # a page of more elements is not walked by the extractors
MAX_DEPTH = 200  # nor one nested deeper (their recursion would run out of stack)
SUPERSET_SHARE = 0.9  # readability's longer text holds this share of trafilatura's shingles
BLOAT = 2.5  # trafilatura's text this many times longer than readability's...
BLOAT_SHARE = 0.8  # ...holding this share of it: trafilatura took in the article's surroundings
MAX_UNDECODED_SHARE = 0.01  # a text with more characters its charset could not decode is garbled

log = logging.getLogger("monitor.extract")


@dataclass(frozen=True)
class PageText:
    text: str  # plain text, paragraphs on their own lines; '' when nothing was found
    canonical_url: str | None  # the page's <link rel=canonical>, made canonical; not fetched
    language: str | None  # detected on the text
    method: str  # 'trafilatura', 'readability' or 'none'
    note: str | None = None  # why the text is empty, when it is


_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# Cookie and consent banners and paywall prompts by the names their scripts give them.
_BANNER = re.compile(
    r"cookie|consent|gdpr|onetrust|didomi|cmp-|qc-cmp|truste|paywall|newsletter-signup", re.I
)
_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "button")


def _is_hidden(element: lxml.html.HtmlElement) -> bool:
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    style = element.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def _is_banner(element: lxml.html.HtmlElement) -> bool:
    names = f"{element.get('id', '')} {element.get('class', '')}"
    return len(names) > 1 and _BANNER.search(names) is not None and element.tag not in ("html", "body")


def _clean(root: lxml.html.HtmlElement) -> None:
    """Remove in place what a reader never sees (hidden elements, banners, scripts)."""
    import lxml.etree

    lxml.etree.strip_elements(root, *_DROP_TAGS, with_tail=False)
    doomed = [el for el in root.iter() if isinstance(el.tag, str) and (_is_hidden(el) or _is_banner(el))]
    for element in doomed:
        parent = element.getparent()
        if parent is not None:
            element.drop_tree()


def _too_large(root: lxml.html.HtmlElement) -> str | None:
    """Why a tree is not walked (too many elements, or nested too deep), else None."""
    for count, _element in enumerate(root.iter(), 1):
        if count > MAX_ELEMENTS:
            return f"more than {MAX_ELEMENTS} elements"
    # Depth: walk down the deepest-looking chain without recursion.
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"elements nested more than {MAX_DEPTH} deep"
        stack.extend((child, depth + 1) for child in element)
    return None


def _canonical(root: lxml.html.HtmlElement, url: str) -> str | None:
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        href = (link.get("href") or "").strip()
        if "canonical" in rel and href:
            found = canonical_url(href, base=url)
            return found if found.startswith(("http://", "https://")) else None
    return None


def _shingles(text: str, size: int = 4) -> Counter[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return Counter(tuple(words[i : i + size]) for i in range(max(0, len(words) - size + 1)))


def contained_share(part: str, whole: str) -> float:
    """The share of `part`'s 4-word shingles that `whole` also holds (0 when `part` has none)."""
    mine = _shingles(part)
    total = sum(mine.values())
    return sum((mine & _shingles(whole)).values()) / total if total else 0.0


# Scripts written without spaces say in one character what Latin says in about three or four
# (a Chinese word is 1.5 characters, an English one 5.7 with its space): Han and kana count 3,
# Hangul syllables (spaced words) 2, so that a length threshold means the same in each.
HAN_KANA = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")


def text_length(text: str) -> int:
    """A text's length in Latin characters' worth: what length thresholds (MIN_CHARS, the
    teaser lengths) compare. Pure."""
    return len(text) + 2 * len(HAN_KANA.findall(text)) + len(_HANGUL.findall(text))


def choose_text(first: str, second: str, min_chars: int = MIN_CHARS) -> tuple[str, int]:
    """Which extractor's text to keep (0: trafilatura's, 1: readability's). Pure.

    The first over `min_chars`, as Media Cloud does, except where the two disagree in a way
    that tells which is wrong: the second holds nearly all of the first and more (the first
    cut the article short), or the second is a small part of a first several times longer
    (the first took in what surrounds the article: comments, lists of other stories)."""
    if text_length(first) < min_chars:
        return (second, 1) if len(second) > len(first) else (first, 0)
    if text_length(second) < min_chars:
        return first, 0
    if len(second) > len(first) and contained_share(first, second) >= SUPERSET_SHARE:
        return second, 1
    if len(first) > BLOAT * len(second) and contained_share(second, first) >= BLOAT_SHARE:
        return second, 1
    return first, 0


def _trafilatura(root: lxml.html.HtmlElement, url: str) -> str:
    import trafilatura  # imported on first use: the daemon pays for it only with full text on

    # fast: without trafilatura's own fallbacks (its copy of readability, then jusText with
    # the stop words of every language, 150,000 words kept in memory for good): readability-lxml
    # is ours, chosen by choose_text. Measured (bench/extract.py): F1 0.966 -> 0.968, 69 -> 62
    # ms of CPU a page, 31 MB less held.
    text = trafilatura.extract(
        root,
        url=url,
        fast=True,
        include_comments=False,
        include_tables=True,
        deduplicate=False,
    )
    return text or ""


def _readability(markup: str) -> str:
    from readability import Document

    summary: str = Document(markup).summary(html_partial=True)
    return html_to_text(summary)


_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"RIFF", b"\x1f\x8b", b"OggS")
_CONTROL = frozenset(range(32)) - {9, 10, 12, 13}


def binary_kind(content: bytes) -> str | None:
    """Why bytes that claim to be HTML are not text (a PDF, an image, a zip), else None."""
    head = content[:1024]
    if any(head.startswith(magic) for magic in _BINARY_MAGIC):
        return f"binary content starting {head[:8]!r}"
    if not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        controls = sum(1 for byte in head if byte in _CONTROL)
        if controls > len(head) // 50:
            return f"binary content ({controls} control bytes in the first {len(head)})"
    return None


def extract_page(content: bytes, url: str, content_type: str | None = None) -> PageText:
    """The article in a page: text (trafilatura, readability-lxml where that is better),
    canonical URL and language. Never raises for a page's content."""
    import lxml.etree
    import lxml.html

    if len(content) > MAX_PAGE_BYTES:
        return PageText("", None, None, "none", f"page of {len(content)} bytes is over {MAX_PAGE_BYTES}")
    binary = binary_kind(content)
    if binary is not None:
        return PageText("", None, None, "none", binary)
    decoded = decode_page(content, content_type)
    markup = decoded.text
    try:
        root = lxml.html.document_fromstring(markup.replace("\x00", ""))
    except (lxml.etree.LxmlError, ValueError) as exc:
        return PageText("", None, None, "none", f"unreadable HTML: {exc}")
    canonical = _canonical(root, url)
    problem = _too_large(root)
    if problem is not None:
        return PageText("", canonical, None, "none", problem)
    _clean(root)
    cleaned = lxml.html.tostring(root, encoding="unicode")
    texts: list[str] = []
    runs: list[Callable[[], str]] = [partial(_trafilatura, root, url), partial(_readability, cleaned)]
    for run in runs:
        try:
            texts.append(_tidy(run()))
        except (RecursionError, ValueError, TypeError, lxml.etree.LxmlError) as exc:
            log.info("event=extract_failed url=%s error=%r", url, f"{type(exc).__name__}: {exc}"[:200])
            texts.append("")
    text, which = choose_text(texts[0], texts[1])
    if not text:
        return PageText("", canonical, None, "none", "no article text found")
    text = text[:MAX_TEXT_CHARS]
    if (garbled := undecoded_share(text)) > MAX_UNDECODED_SHARE:
        note = f"text not decodable: {garbled:.0%} of it unreadable in {decoded.charset} ({decoded.source})"
        return PageText("", canonical, None, "none", note)
    method = ("trafilatura", "readability")[which]
    return PageText(text, canonical, langid.detect_language(text), method)


def undecoded_share(text: str) -> float:
    """The share of a text's characters that its charset could not decode (U+FFFD)."""
    return text.count("\ufffd") / len(text) if text else 0.0


_BLANKS = re.compile(r"[ \t\r\f\v\u00a0]+")


def _tidy(text: str) -> str:
    lines = (_BLANKS.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)
