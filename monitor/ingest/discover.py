"""`monitor feeds add` of a web page: find the feeds the page links to.

A page names its feeds with `<link rel="alternate" type="application/rss+xml" href=...>`
(the RSS autodiscovery convention, also used for Atom and JSON Feed).
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import click

from monitor.config import DEFAULT_USER_AGENT, Config
from monitor.errors import MonitorError, ParseError
from monitor.ingest.fetch import (
    AddressRefused,
    FetchOptions,
    FetchRequest,
    fetch,
    make_client,
    resolve_public,
)
from monitor.ingest.parse import parse_feed
from monitor.ingest.urls import url_problem

FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/feed+json",
        "application/json",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
    }
)
MAX_PAGE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class FeedLink:
    url: str
    title: str | None
    type: str


class _LinkFinder(HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.links: list[FeedLink] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "base":
            href = dict(attrs).get("href")
            if href:
                self.base = urljoin(self.base, href.strip())
            return
        if tag not in ("link", "a"):
            return
        values = {k.lower(): (v or "") for k, v in attrs}
        rels = values.get("rel", "").lower().split()
        kind = values.get("type", "").split(";")[0].strip().lower()
        href = values.get("href", "").strip()
        if "alternate" in rels and kind in FEED_TYPES and href:
            url = urljoin(self.base, href)
            if url.startswith(("http://", "https://")) and all(link.url != url for link in self.links):
                self.links.append(FeedLink(url=url, title=values.get("title") or None, type=kind))


def find_feed_links(page: bytes, base_url: str) -> list[FeedLink]:
    """The feeds an HTML page announces, in page order, as absolute http(s) URLs."""
    finder = _LinkFinder(base_url)
    try:
        finder.feed(page[:MAX_PAGE_BYTES].decode("utf-8", errors="replace"))
        finder.close()
    except Exception:  # a broken page: keep what was found before it broke
        pass
    return finder.links


@dataclass(frozen=True)
class Probe:
    """What is at a URL given to `feeds add`."""

    url: str
    is_feed: bool
    alternates: tuple[FeedLink, ...] = ()
    problem: str | None = None  # why it could not be checked, or why it is not a feed


async def probe_url(url: str, options: FetchOptions, *, allow_private_addresses: bool = False) -> Probe:
    """Fetch `url` once; say whether it is a feed, else which feeds the page links to."""
    async with make_client(options) as client:
        result = await fetch(
            client, FetchRequest(url=url, allow_private_addresses=allow_private_addresses), options
        )
    if result.outcome != "ok" or result.content is None:
        return Probe(url=url, is_feed=False, problem=f"{result.error_step}: {result.error}")
    final = result.final_url or url
    try:
        await asyncio.to_thread(parse_feed, result.content, url=final, headers=result.headers)
        return Probe(url=url, is_feed=True)
    except ParseError as exc:
        problem = exc.message
    except Exception as exc:  # the parser's own failure: report it, do not crash `feeds add`
        problem = f"{type(exc).__name__}: {exc}"
    return Probe(
        url=url, is_feed=False, alternates=tuple(find_feed_links(result.content, final)), problem=problem
    )


def probe_for_add(url: str, config: Config | None) -> Probe:
    """probe_url with the settings of feeds.yaml and a short deadline (for the CLI)."""
    settings = config.settings if config is not None else None
    options = FetchOptions(
        user_agent=settings.user_agent if settings else DEFAULT_USER_AGENT,
        timeout=min(settings.timeout, 15.0) if settings else 15.0,
        connect_timeout=min(settings.timeout, 10.0) if settings else 10.0,
        max_body_bytes=settings.max_body_bytes if settings else 10 * 1024 * 1024,
    )
    allow = settings.allow_private_addresses if settings else False
    return asyncio.run(probe_url(url, options, allow_private_addresses=allow))


async def refuse_private_address(url: str, timeout: float) -> None:
    """AddressRefused when `url`'s host is, or resolves to, an address polling would refuse
    (loopback, private, link-local..., in any spelling: 2130706433, 0x7f.1, [::ffff:127.0.0.1],
    localhost); checked by the same guard as polling, before any request is sent. A name that
    does not resolve is left to the fetch, which says so."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError:
        return
    if not host:
        return
    try:  # 'localhost.' is 'localhost'; glibc reads 0177.0.0.1 as octal as a connect would
        await resolve_public(host.rstrip(".") or host, port, timeout)
    except AddressRefused:
        raise
    except MonitorError:
        return


def feed_url_to_add(
    url: str, config: Config | None, *, interactive: bool | None = None, force: bool = False
) -> str:
    """The URL `monitor feeds add` should store for `url`.

    A feed or a URL already listed stays as it is. A web page that links to feeds: the user
    picks one when a terminal is there; otherwise the command stops and lists them. Where no
    feed could be read (a 404, an unreachable host, a page that is no feed and links to
    none) the command stops, unless `force`: then the URL is added as given, with a warning.
    An address polling would refuse is refused even so."""
    if url_problem(url) is not None or (config is not None and config.feed(url) is not None):
        return url  # a bad URL is refused by the caller; a listed one is not probed again
    if not (config.settings.allow_private_addresses if config is not None else False):
        try:
            asyncio.run(refuse_private_address(url, timeout=10.0))
        except AddressRefused as exc:
            raise MonitorError(f"{url}: {exc.message}") from None
    probe = probe_for_add(url, config)
    if probe.is_feed:
        return url
    if force:
        click.echo(f"warning: no feed read at {url} ({probe.problem}); adding it anyway (--force)", err=True)
        return url
    if not probe.alternates:
        raise MonitorError(f"no feed read at {url} ({probe.problem}); not added (--force adds it anyway)")
    click.echo(f"{url} is a web page, not a feed. It links to these feeds:")
    for index, link in enumerate(probe.alternates, 1):
        click.echo(f"  {index}. {link.url}  {link.title or ''} ({link.type})")
    if interactive is None:
        interactive = sys.stdin.isatty()
    if not interactive:
        raise MonitorError(f"{url} is not a feed; add one of the feeds it links to (listed above)")
    choice = click.prompt(
        "add which one", type=click.IntRange(1, len(probe.alternates)), default=1, show_default=True
    )
    return probe.alternates[choice - 1].url
