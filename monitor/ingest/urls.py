"""Canonical URLs: one spelling per article, whatever tracking a feed adds."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

# Query parameters that identify a campaign or a click, never the article itself.
_TRACKING_EXACT = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "__s",
        "_hsenc",
        "_hsmi",
        "ito",
        "cmpid",
        "ocid",
        "at_medium",
        "at_campaign",
        "at_custom1",
        "at_custom2",
        "at_custom3",
        "at_custom4",
        "smid",
        "rss",
        "xtor",
        "spm",
        # Webtrends (WT.mc_id and the rest go by the prefix below)
        "wt_mc",
        "wt_zmc",
        # in-site campaigns (the Guardian's INTCMP, many sites' icid)
        "icid",
        "intcmp",
        # AT Internet, beside at_medium and at_campaign
        "at_format",
        "at_link",
        "at_platform",
        "at_emailtype",
        "at_send_date",
        "at_recipient_id",
        "at_recipient_list",
        # click ids of ad and social platforms
        "ttclid",
        "twclid",
        "li_fat_id",
        "gclsrc",
        "srsltid",
        "_branch_match_id",
        "s_kwcid",
        "ncid",
        "sr_share",
        "ref_src",
        "_hsfp",
    }
)
# utm_ (Google Analytics), pk_ (Piwik), mtm_ (Matomo), hsa_ (HubSpot ads), wt. (Webtrends),
# ns_ (comScore)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "wt.", "ns_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def is_tracking_parameter(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_EXACT or lowered.startswith(_TRACKING_PREFIXES)


def canonical_url(url: str, base: str | None = None) -> str:
    """Return `url` with scheme and host lower-cased, default port, fragment and
    tracking parameters removed; relative URLs are resolved against `base`.

    Idempotent: canonical_url(canonical_url(u)) == canonical_url(u).
    """
    url = url.strip()
    if base and not _SCHEME_RE.match(url):
        url = urljoin(base, url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return urlunsplit((scheme, parts.netloc, parts.path, parts.query, ""))
    host = parts.hostname.lower().rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{port}"
    if parts.username:
        userinfo = parts.username + (f":{parts.password}" if parts.password else "")
        netloc = f"{userinfo}@{netloc}"
    path = parts.path or "/"
    kept = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_parameter(k)]
    query = urlencode(kept, doseq=True) if kept else ""
    return urlunsplit((scheme, netloc, path, query, ""))


# Query parameters in which a redirector carries the address it sends the reader to.
_TARGET_PARAMETERS = (
    "url",
    "u",
    "q",
    "target",
    "dest",
    "destination",
    "redirect",
    "redirect_url",
    "to",
    "link",
)
# The last path segment of a redirector: /url (Google Alerts), /news/apiclick.aspx (Bing
# News), /redirect, /redir, /click, /out, /go, /track...
_REDIRECTOR_PATH = re.compile(
    r"(?:^|/)(?:url|r|go|out|link|redir\w*|redirect\w*|\w*click\w*|track\w*)(?:\.\w+)?/?$", re.I
)
_EMBEDDED = re.compile(r"\*(https?://.+)$", re.I)


def unwrap_redirect(url: str) -> str:
    """The article's own address when `url` is a redirector's wrapper around it, else `url`.

    Aggregator feeds send readers through their own click-counting address: Google Alerts
    (`google.com/url?...&url=https://site/article`), Bing News (`.../apiclick.aspx?...&url=`),
    or the target appended after a `*` (`redir.folha.com.br/.../*https://...`). Unwrapped,
    the same article from a wrapped and a plain feed is stored once, and links go straight
    to it. Only a wrapper whose path looks like a redirector's and whose target is an
    absolute http(s) URL on another host is unwrapped."""
    for _ in range(10):  # wrappers around wrappers, until nothing changes
        target = _wrapped_target(url)
        if target is None:
            return url
        url = target
    return url


def article_url(link: str, base: str | None = None) -> str:
    """An entry's link as stored: resolved against `base`, made canonical, and unwrapped
    from a redirector's address (then that target made canonical in turn).

    canonical_url is idempotent, so a link no redirector wraps (nearly all) is made
    canonical once, not twice."""
    canonical = canonical_url(link, base=base)
    target = unwrap_redirect(canonical)
    return canonical if target == canonical else canonical_url(target)


def _wrapped_target(url: str) -> str | None:
    """The address one redirector's wrapper carries, or None when `url` is not a wrapper."""
    if "*" not in url and "?" not in url:
        return None  # neither a target after a star nor a query: most links, at once
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    own_host = (parts.hostname or "").lower()
    embedded = _EMBEDDED.search(url)
    if embedded and "://" in url[: embedded.start()]:
        target: str | None = embedded.group(1)
    elif parts.query and _REDIRECTOR_PATH.search(parts.path):
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        target = next(
            (
                params[n]
                for n in _TARGET_PARAMETERS
                if params.get(n, "").lower().startswith(("http://", "https://"))
            ),
            None,
        )
    else:
        return None
    if target is None or host_of(target) in ("", own_host):
        return None
    return target


def url_problem(url: str) -> str | None:
    """Why `url` cannot be polled as a feed, or None when it can."""
    if not isinstance(url, str) or not url.strip():
        return "the URL is empty"
    try:
        parts = urlsplit(url.strip())
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as exc:
        return f"bad URL {url!r}: {exc}"
    if parts.scheme.lower() not in ("http", "https"):
        return f"bad URL {url!r}: the scheme must be http or https"
    if not parts.hostname:
        return f"bad URL {url!r}: no host"
    if any(ch.isspace() for ch in url.strip()):
        return f"bad URL {url!r}: contains spaces"
    return None


def host_of(url: str) -> str:
    """The host part of a URL, lower-cased ('' when there is none)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
