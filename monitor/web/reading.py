"""The article page (/articles/<id>): an article's stored text laid out to be read, with
where the text came from and a link to the original. Pure: a store row in, template values out.

The stored text is plain text (the feed's or the page's, extracted, paragraphs on their own
lines), so nothing from a feed or a page reaches the page as markup: no scripts, no remote
images, no styles; the template escapes every paragraph. Each paragraph and the title take
`dir="auto"`, so Arabic or Hebrew reads right to left beside left-to-right text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from monitor.timeutil import local_time
from monitor.web.views import safe_url

# C0 and C1 controls other than tab and newline: never shown, and not valid in HTML text.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[ \t\u00a0]+")


def paragraphs(text: str | None) -> list[str]:
    """The text's paragraphs (its non-blank lines), spaces tidied, controls removed."""
    cleaned = _CONTROLS.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n"))
    lines = (_SPACES.sub(" ", line).strip() for line in cleaned.split("\n"))
    return [line for line in lines if line]


def source_note(text_source: str | None, page_state: str | None, page_error: str | None) -> str:
    """Where the shown text comes from, in words (and why the article's page was not read)."""
    if text_source == "page":
        return "Full text, read from the article's page."
    reason = (page_error or "").strip()
    if page_state == "failed":
        return "The feed's text: the article's page could not be read" + (f" ({reason})." if reason else ".")
    if page_state == "skipped":
        return "The feed's text: the article's page was not read" + (f" ({reason})." if reason else ".")
    if page_state == "pending":
        return "The feed's text: the article's page is still to be read."
    if page_state == "waiting":
        return "The feed's text for now: its site asked to wait" + (f" ({reason})." if reason else ".")
    return "The text as the feed gave it."


def article_view(row: Mapping[str, Any], zone: ZoneInfo) -> dict[str, Any]:
    """What the article page shows of one store row (WebReads.web_article)."""
    original = safe_url(row.get("link") or row.get("url"))
    return {
        "id": row["id"],
        "title": row.get("title") or "(no title)",
        "language": row.get("language"),
        "outlet": row.get("outlet"),
        "feed_id": row.get("feed_id"),
        "author": row.get("author"),
        "published": row.get("published"),
        "published_local": local_time(row.get("published"), zone),
        "published_estimated": bool(row.get("published_estimated")),
        "story_id": row.get("story_id"),
        "duplicate_of": row.get("duplicate_of"),
        "original": original,
        "original_host": urlsplit(original).hostname if original else None,
        "paragraphs": paragraphs(row.get("text")),
        "full_text": row.get("text_source") == "page",
        "source": source_note(row.get("text_source"), row.get("page_state"), row.get("page_error")),
    }
