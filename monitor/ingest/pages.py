"""Article pages of teaser feeds: fetched politely and safely, then read by extract.py.

Only an entry's own link is fetched (never a URL found inside a page), through the same
client, guards and per-host limits as feed polling (fetch.py, politeness.py): the private
address guard at every hop, the deadlines, a size cap, redirects checked hop by hop. On
top of that:
- robots.txt is honoured for the configured user agent (RFC 9309): read once per host and
  kept for a day (an hour when it could not be read), for at most MAX_ROBOTS_HOSTS hosts;
  a robots.txt that is missing (4xx) allows everything, one that fails (5xx, no answer)
  allows nothing, as the RFC says;
- a host that answers 429 or 503 with Retry-After is left alone until then, and the
  outcome says when (`retry_at`), so that the page can be read again after it
  (teasers.page_decision);
- only HTML and XHTML are read.
Never raises for a page's own failure: a PageOutcome carries the step and the error.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from urllib.robotparser import RobotFileParser

import httpx

from monitor.ingest.fetch import FetchOptions, FetchRequest, FetchResult, fetch
from monitor.ingest.politeness import HostLimiter, host_of
from monitor.timeutil import utcnow

if TYPE_CHECKING:
    from monitor.ingest.extract import PageText

# extract.py (and lxml with it) is imported at the first page read: a poll of feeds that
# carry their articles whole never loads it.

MAX_PAGE_BYTES = 5 * 1024 * 1024  # larger pages are not read (a long article is ~300 kB)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
HTML_TYPES = ("text/html", "application/xhtml+xml")
MAX_ROBOTS_HOSTS = 1_000
ROBOTS_TTL = 86_400.0  # seconds a robots.txt read is kept
ROBOTS_FAILURE_TTL = 3_600.0  # ...and one that could not be read
MAX_ROBOTS_BYTES = 512 * 1024  # RFC 9309 §2.5: at least 500 KiB must be read
# An article whose page is being read waits for it before the stories stage takes it, at
# most this long after it was first seen: one slow host never holds the stage.
PAGE_WAIT = timedelta(seconds=60)
MAX_WAITING_HOSTS = 10_000  # hosts remembered as having asked to wait (Retry-After)

log = logging.getLogger("monitor.pages")


def _trimmer() -> Callable[[int], int] | None:
    """glibc's malloc_trim, where there is one: a large page's tree leaves freed memory that
    glibc keeps unless asked to hand it back."""
    try:
        return getattr(ctypes.CDLL(None), "malloc_trim", None)
    except OSError:
        return None


_MALLOC_TRIM = _trimmer()


def _extract(content: bytes, url: str, content_type: str | None) -> PageText:
    from monitor.ingest.extract import extract_page

    try:
        return extract_page(content, url, content_type)
    finally:
        if _MALLOC_TRIM is not None:
            _MALLOC_TRIM(0)


@dataclass(frozen=True)
class PageTask:
    article_id: int
    feed_url: str
    link: str
    allow_private_addresses: bool = False


@dataclass(frozen=True)
class PageOutcome:
    task: PageTask
    page: PageText | None  # the extracted page; None when it could not be fetched
    error: str | None = None  # why the feed's text stays
    step: str | None = None  # 'robots.txt', 'retry-after', 'not HTML', 'no text', or fetch's step
    retry_at: datetime | None = None  # step 'retry-after': when the host said it may be asked again


def not_html(content_type: str | None, content: bytes) -> str | None:
    """Why a fetched body is not a page to read, else None. Pure."""
    media = (content_type or "").split(";")[0].strip().lower()
    if media and media not in HTML_TYPES:
        return f"Content-Type {media} is not HTML"
    from monitor.ingest.extract import binary_kind

    return binary_kind(content)


def origin_of(url: str) -> str:
    parsed = httpx.URL(url)
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{parsed.host}{port}"


@dataclass
class _Robots:
    parser: RobotFileParser
    expires: float


def robots_from(result: FetchResult, now: float) -> _Robots:
    """The rules a robots.txt fetch gives (RFC 9309 §2.3.1): a body's; none for a 4xx
    (everything allowed); everything disallowed when the server failed or did not answer."""
    parser = RobotFileParser()
    if result.outcome == "ok" and result.content is not None:
        parser.parse(result.content.decode("utf-8", errors="replace").splitlines())
        return _Robots(parser, now + ROBOTS_TTL)
    if result.status is not None and 400 <= result.status < 500:
        parser.parse([])  # read, and empty: everything allowed
    else:
        parser.parse(["User-agent: *", "Disallow: /"])
    return _Robots(parser, now + ROBOTS_FAILURE_TTL)


class PageReader:
    """Fetches and reads article pages; holds robots.txt rules and Retry-After per host."""

    def __init__(
        self,
        options: FetchOptions,
        hosts: HostLimiter,
        *,
        clock: Callable[[], float] = time.monotonic,
        extract_slots: int = 1,
    ) -> None:
        self.options = FetchOptions(
            user_agent=options.user_agent,
            timeout=options.timeout,
            connect_timeout=options.connect_timeout,
            read_timeout=options.read_timeout,
            max_body_bytes=min(options.max_body_bytes, MAX_PAGE_BYTES),
            max_redirects=options.max_redirects,
        )
        self.hosts = hosts
        self.clock = clock
        self._robots: OrderedDict[str, _Robots] = OrderedDict()
        self._robots_locks: dict[str, asyncio.Lock] = {}
        self._wait_until: OrderedDict[str, float] = OrderedDict()
        self._extract_slots = extract_slots
        self._slots: asyncio.Semaphore | None = None
        self._slots_loop: asyncio.AbstractEventLoop | None = None
        self._executor: ThreadPoolExecutor | None = None

    def _extractor(self) -> ThreadPoolExecutor:
        """One long-lived thread extracts: a new thread per page would take a new malloc
        arena each time, and the daemon's memory would creep up page after page."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="extract")
        return self._executor

    def _extracting(self) -> asyncio.Semaphore:
        """At most a few extractions at once (each may hold a large tree in memory)."""
        loop = asyncio.get_running_loop()
        if self._slots is None or self._slots_loop is not loop:
            self._slots, self._slots_loop = asyncio.Semaphore(self._extract_slots), loop
            self._robots_locks.clear()
        return self._slots

    async def _rules(self, client: httpx.AsyncClient, url: str, allow_private: bool) -> RobotFileParser:
        origin = origin_of(url)
        self._extracting()  # resets per-loop state
        lock = self._robots_locks.setdefault(origin, asyncio.Lock())
        async with lock:  # one robots.txt fetch per host at a time, the others wait for it
            cached = self._robots.get(origin)
            now = self.clock()
            if cached is not None and cached.expires > now:
                self._robots.move_to_end(origin)
                return cached.parser
            robots_options = FetchOptions(
                user_agent=self.options.user_agent,
                timeout=self.options.timeout,
                connect_timeout=self.options.connect_timeout,
                read_timeout=self.options.read_timeout,
                max_body_bytes=MAX_ROBOTS_BYTES,
                max_redirects=self.options.max_redirects,
            )
            request = FetchRequest(
                url=f"{origin}/robots.txt", allow_private_addresses=allow_private, accept="text/plain"
            )
            async with self.hosts.slot(request.url):
                result = await fetch(client, request, robots_options)
            rules = robots_from(result, self.clock())
            self._robots[origin] = rules
            while len(self._robots) > MAX_ROBOTS_HOSTS:
                self._robots.popitem(last=False)
        if len(self._robots_locks) > MAX_ROBOTS_HOSTS:
            self._robots_locks = {k: v for k, v in self._robots_locks.items() if v.locked()}
        return rules.parser

    def _waiting(self, host: str) -> float | None:
        until = self._wait_until.get(host)
        if until is None:
            return None
        remaining = until - self.clock()
        if remaining <= 0:
            self._wait_until.pop(host, None)
            return None
        return remaining

    def _note_retry_after(self, host: str, result: FetchResult) -> None:
        if result.retry_after is None or result.status not in (429, 503):
            return
        seconds = (result.retry_after - utcnow()).total_seconds()
        if seconds > 0:
            self._wait_until[host] = self.clock() + seconds
            self._wait_until.move_to_end(host)
            while len(self._wait_until) > MAX_WAITING_HOSTS:
                self._wait_until.popitem(last=False)

    async def read(self, client: httpx.AsyncClient, task: PageTask) -> PageOutcome:
        """Fetch one article's page and extract its text; never raises for the page."""
        try:
            return await self._read(client, task)
        except (httpx.HTTPError, OSError, ValueError) as exc:
            return PageOutcome(task, None, f"{type(exc).__name__}: {exc}", "while fetching")

    async def _read(self, client: httpx.AsyncClient, task: PageTask) -> PageOutcome:
        url = task.link
        if not url.startswith(("http://", "https://")):
            return PageOutcome(task, None, f"not an http(s) link: {url!r}", "bad URL")
        host = host_of(url)
        if (remaining := self._waiting(host)) is not None:
            return _asked_to_wait(task, host, remaining)
        rules = await self._rules(client, url, task.allow_private_addresses)
        if not rules.can_fetch(self.options.user_agent, url):
            return PageOutcome(task, None, f"robots.txt of {host} disallows {url}", "robots.txt")
        request = FetchRequest(
            url=url, allow_private_addresses=task.allow_private_addresses, accept=PAGE_ACCEPT
        )
        async with self.hosts.slot(url):
            # Asked again once the host's turn comes: an answer given meanwhile counts.
            if (remaining := self._waiting(host)) is not None:
                return _asked_to_wait(task, host, remaining)
            result = await fetch(client, request, self.options)
        self._note_retry_after(host, result)
        if result.status in (429, 503) and result.retry_after is not None:
            error = result.error or f"HTTP {result.status}"
            return PageOutcome(task, None, error, "retry-after", retry_at=result.retry_after)
        if result.outcome != "ok" or result.content is None:
            return PageOutcome(task, None, result.error or result.outcome, result.error_step)
        content_type = result.headers.get("content-type")
        problem = not_html(content_type, result.content)
        if problem is not None:
            return PageOutcome(task, None, problem, "not HTML")
        content, base = result.content, result.final_url or url
        async with self._extracting():
            loop = asyncio.get_running_loop()
            page = await loop.run_in_executor(self._extractor(), _extract, content, base, content_type)
        if not page.text:
            return PageOutcome(task, page, page.note or "no article text found", "no text")
        return PageOutcome(task, page)


def _asked_to_wait(task: PageTask, host: str, remaining: float) -> PageOutcome:
    """The outcome of a page not fetched because its host asked to wait `remaining` s more."""
    return PageOutcome(
        task,
        None,
        f"{host} asked to wait {remaining:.0f} s more",
        "retry-after",
        retry_at=utcnow() + timedelta(seconds=remaining),
    )
