"""Who published an article: the outlet behind a feed.

One outlet often has several feeds (sections, languages), so outlets are counted by name,
not by feed: 'The Guardian — World' and 'The Guardian — Business' are one outlet.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_OUTLET_SUFFIX = re.compile(r"\s*(\([^)]*\)|[—–|:-]\s.*)$")


def outlet_name(name: str | None, title: str | None, url: str) -> str:
    """A feed's outlet: 'The Guardian — World' and 'Le Monde (ru)' -> 'The Guardian', 'Le Monde'."""
    for candidate in (name, title):
        if candidate and candidate.strip():
            short = _OUTLET_SUFFIX.sub("", candidate.strip()).strip()
            return short or candidate.strip()
    host = urlsplit(url).hostname or url
    for prefix in ("www.", "rss.", "feeds.", "feed."):
        if host.startswith(prefix):
            host = host[len(prefix) :]
    return host
