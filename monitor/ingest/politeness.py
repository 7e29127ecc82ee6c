"""Per-host manners while fetching: a few requests at a time, and a pause between them.

Runtime state only (semaphores and the time of each host's last request); the decisions
about *when* a feed is next due live in schedule.py.
"""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx

DEFAULT_PER_HOST_CONCURRENCY = 2
DEFAULT_PER_HOST_DELAY = 1.0  # seconds between the starts of two requests to one host


def host_of(url: str) -> str:
    """The host a URL's requests go to (lowercase; the URL itself when it has none)."""
    try:
        host = httpx.URL(url).host
    except (httpx.InvalidURL, ValueError, TypeError):
        return url
    return host.lower() or url


@dataclass
class _Host:
    slots: asyncio.Semaphore
    next_start: float = 0.0
    waiting: int = 0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class HostLimiter:
    """At most `concurrency` requests in flight to one host, their starts `delay` s apart."""

    def __init__(
        self,
        concurrency: int = DEFAULT_PER_HOST_CONCURRENCY,
        delay: float = DEFAULT_PER_HOST_DELAY,
        *,
        delay_loopback: bool = False,
    ) -> None:
        self.concurrency = max(1, concurrency)
        self.delay = max(0.0, delay)
        # The machine's own loopback server (the demo, tests) is not a publisher to spare.
        self.delay_loopback = delay_loopback
        self._hosts: dict[str, _Host] = {}
        self.max_in_flight: dict[str, int] = {}  # observed, for tests and benchmarks
        self._in_flight: dict[str, int] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def _delays(self, host: str) -> bool:
        if self.delay_loopback:
            return True
        if host == "localhost" or host.endswith(".localhost"):
            return False
        try:
            return not ipaddress.ip_address(host).is_loopback
        except ValueError:
            return True

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        host = host_of(url)
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # semaphores belong to one event loop: start afresh
            self._loop = loop
            self._hosts.clear()
            self._in_flight.clear()
        state = self._hosts.get(host)
        if state is None:
            state = self._hosts[host] = _Host(slots=asyncio.Semaphore(self.concurrency))
        state.waiting += 1
        try:
            async with state.slots:
                async with state.lock:
                    now = time.monotonic()
                    start = max(now, state.next_start)
                    state.next_start = start + (self.delay if self._delays(host) else 0.0)
                if start > now:
                    await asyncio.sleep(start - now)
                count = self._in_flight.get(host, 0) + 1
                self._in_flight[host] = count
                self.max_in_flight[host] = max(self.max_in_flight.get(host, 0), count)
                try:
                    yield
                finally:
                    self._in_flight[host] -= 1
        finally:
            state.waiting -= 1
            if state.waiting == 0 and state.next_start <= time.monotonic():
                # Forget idle hosts, so that thousands of hosts do not pile up.
                self._hosts.pop(host, None)
                self._in_flight.pop(host, None)
