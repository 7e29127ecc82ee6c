"""Which entries are teasers whose article page is worth reading, and what a page read gives.
Pure: plain data in, decisions out.

`full_text: auto` reads the page of an entry whose text is short, is cut ("…", "[…]",
"Read more", "Continue reading" and their like in other languages), or comes from a feed whose
entries are all short; `always` reads every entry's page, `never` none. An entry without a
link is never fetched, and neither is one whose text is already the article.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.ingest.extract import MIN_CHARS, text_length
from monitor.ingest.pages import PageOutcome
from monitor.ingest.parse import Entry
from monitor.store.types import PageWrite
from monitor.timeutil import iso, utcnow

# Lengths in Latin characters' worth (extract.text_length): 130 Chinese characters are 390.
SHORT_CHARS = 400  # an entry's text shorter than this is a teaser
FEED_SHORT_CHARS = 1_200  # a feed whose entries are all shorter than this is a feed of teasers
FEED_SHORT_SHARE = 0.8  # ...at least this share of them, and at least FEED_MIN_ENTRIES
FEED_MIN_ENTRIES = 3
# A page whose host answered 429 or 503 with Retry-After is read again once that time has
# passed: at most this many tries in all, and not when the host asks to wait longer than this.
MAX_PAGE_ATTEMPTS = 3
MAX_PAGE_RETRY_WAIT = timedelta(hours=12)

# How feeds say "the rest is on the site", at the end of a teaser.
_CUT = re.compile(
    r"(?:…|\.\.\.|\[…\]|\[\.\.\.\]|\(more…\)|»|>>)\s*$"
    r"|\b(?:read more|continue reading|read the full (?:story|article)|full story|more\s*»"
    r"|lire la suite|la suite|weiterlesen|mehr lesen|leer más|seguir leyendo|sigue leyendo"
    r"|leggi tutto|continua a leggere|lees meer|ler mais|continuar lendo|czytaj dalej"
    r"|читать далее|читать дальше|далее)\b"
    # then nothing but arrows and punctuation, or the quoted title ("Continue reading “X”")
    r"(?:[\s→»›>.…:!\-]*|\s*[“\"«‘'][^\n]{0,120})$",
    re.IGNORECASE,
)


def is_cut(text: str) -> bool:
    """Whether a text ends as a teaser does: an ellipsis, or a "Read more" link's words."""
    return _CUT.search(text.rstrip()[-200:]) is not None


def is_teaser(text: str) -> bool:
    return text_length(text.strip()) < SHORT_CHARS or is_cut(text)


def feed_of_teasers(entries: Sequence[Entry]) -> bool:
    """Whether a feed's entries are consistently short: its articles are on the site."""
    if len(entries) < FEED_MIN_ENTRIES:
        return False
    short = sum(1 for e in entries if text_length(e.text.strip()) < FEED_SHORT_CHARS)
    return short >= FEED_SHORT_SHARE * len(entries)


def wanting_pages(entries: Sequence[Entry], mode: str) -> frozenset[str]:
    """The GUIDs of the entries whose article page is to be read, under `full_text: mode`."""
    linked = [e for e in entries if e.link and e.link.startswith(("http://", "https://"))]
    if mode == "never":
        return frozenset()
    if mode == "always" or feed_of_teasers(entries):
        return frozenset(e.guid for e in linked)
    return frozenset(e.guid for e in linked if is_teaser(e.text))


@dataclass(frozen=True)
class PageDecision:
    write: PageWrite
    read: bool  # the page's text replaces the feed's


def retry_page_at(
    asked: datetime | None, attempts: int, now: datetime
) -> datetime | None:
    """When to read again a page whose host asked to wait until `asked` (Retry-After), after
    `attempts` tries including this one; None: never (no time given, MAX_PAGE_ATTEMPTS tries
    made, or a wait longer than MAX_PAGE_RETRY_WAIT, past which the page's news is old)."""
    if asked is None or attempts >= MAX_PAGE_ATTEMPTS or asked - now > MAX_PAGE_RETRY_WAIT:
        return None
    when = max(asked, now)
    # Up to the whole second, as stored: never before the time the host gave.
    return when if not when.microsecond else when.replace(microsecond=0) + timedelta(seconds=1)


def page_decision(
    article_id: int,
    feed_text: str,
    outcome: PageOutcome,
    *,
    attempts: int = 1,
    now: datetime | None = None,
) -> PageDecision:
    """What to store after reading a page: its text when it holds more than the feed's and
    is long enough to be an article (MIN_CHARS, as Media Cloud keeps the first result over
    200 characters: less is a login or paywall page), else the feed's text stays, with the
    reason; a page whose host asked to wait is to be read again (`retry_page_at`, after
    `attempts` tries, this one included)."""
    page = outcome.page
    canonical = page.canonical_url if page is not None else None
    if page is None or not page.text:
        error = f"{outcome.step}: {outcome.error}" if outcome.step else (outcome.error or "no text")
        retry_at = retry_page_at(outcome.retry_at, attempts, now or utcnow())
        if retry_at is not None:
            error = f"{error}; to be read again after {iso(retry_at)}"
        write = PageWrite(article_id, None, canonical_url=canonical, error=error, retry_at=retry_at)
        return PageDecision(write, False)
    if (length := text_length(page.text)) < MIN_CHARS:
        worth = f" ({length} in Latin characters' worth)" if length != len(page.text) else ""
        error = (
            f"no text: the page gave {len(page.text)} characters{worth}, under {MIN_CHARS} "
            "(a login or paywall page, or no article)"
        )
        return PageDecision(PageWrite(article_id, None, canonical_url=canonical, error=error), False)
    if len(page.text) <= len(feed_text.strip()):
        error = f"no text: the page gave less than the feed ({len(page.text)} <= {len(feed_text.strip())})"
        return PageDecision(PageWrite(article_id, None, canonical_url=canonical, error=error), False)
    return PageDecision(PageWrite(article_id, page.text, page.language, canonical), True)
