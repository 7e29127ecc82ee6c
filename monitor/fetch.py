"""HTTP for feeds: conditional GET, timeouts, size cap, private-address guard.

Returns a FetchResult for every request; never raises for a feed's own failure.
Conditional requests follow RFC 9110 §13 (If-None-Match, If-Modified-Since, 304).
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import re
import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx

from monitor.errors import FetchError


@dataclass(frozen=True)
class FetchRequest:
    url: str
    etag: str | None = None
    last_modified: str | None = None
    allow_private_addresses: bool = False


@dataclass(frozen=True)
class FetchOptions:
    user_agent: str
    timeout: float = 20.0  # whole request, seconds
    connect_timeout: float = 10.0
    max_body_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5


@dataclass(frozen=True)
class FetchResult:
    url: str  # as requested
    outcome: str  # 'ok', 'not_modified' or 'error'
    final_url: str | None = None
    status: int | None = None
    content: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    max_age_seconds: int | None = None
    retry_after: datetime | None = None
    permanent_redirect: str | None = None  # where a 301/308 chain ended
    error: str | None = None
    error_step: str | None = None
    elapsed: float = 0.0


_MAX_AGE_RE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


def max_age_of(cache_control: str | None) -> int | None:
    if not cache_control or "no-store" in cache_control.lower():
        return None
    match = _MAX_AGE_RE.search(cache_control)
    return int(match.group(1)) if match else None


def retry_after_of(value: str | None, now: datetime) -> datetime | None:
    """Retry-After as delay-seconds or an HTTP-date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return now + timedelta(seconds=min(int(value), 7 * 86400))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(when, now + timedelta(days=7)) if when > now else None


def is_public_address(address: str) -> bool:
    """False for loopback, private, link-local, CGNAT, multicast, reserved, unspecified."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            ip = mapped
    return bool(ip.is_global) and not ip.is_multicast


async def check_host(host: str, port: int) -> None:
    """Refuse a host that resolves to a non-public address (raises FetchError)."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise FetchError(host, f"DNS lookup failed: {exc.strerror}", step="while resolving") from None
    for info in infos:
        address = str(info[4][0])
        if not is_public_address(address):
            raise FetchError(
                host,
                f"refused: {host} resolves to the private address {address} "
                "(set allow_private_addresses: true to poll it)",
                step="address check",
            )


def make_client(options: FetchOptions) -> httpx.AsyncClient:
    timeout = httpx.Timeout(options.timeout, connect=options.connect_timeout)
    return httpx.AsyncClient(
        timeout=timeout,
        follow_redirects=False,
        headers={
            "User-Agent": options.user_agent,
            "Accept": "application/rss+xml, application/atom+xml, application/feed+json, "
            "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
            "Accept-Encoding": "gzip, deflate, br",
        },
        limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
    )


async def fetch(client: httpx.AsyncClient, request: FetchRequest, options: FetchOptions) -> FetchResult:
    """GET one feed, following at most `max_redirects` redirects, each hop checked."""
    started = time.monotonic()
    try:
        return await asyncio.wait_for(_fetch(client, request, options, started), options.timeout)
    except TimeoutError:
        return FetchResult(
            url=request.url,
            outcome="error",
            error=f"timed out after {options.timeout:g} s",
            error_step="while fetching",
            elapsed=time.monotonic() - started,
        )
    except FetchError as exc:
        return FetchResult(
            url=request.url,
            outcome="error",
            error=exc.message,
            error_step=exc.step,
            elapsed=time.monotonic() - started,
        )
    except httpx.HTTPError as exc:
        return FetchResult(
            url=request.url,
            outcome="error",
            error=f"{type(exc).__name__}: {exc}".strip(": "),
            error_step="while fetching",
            elapsed=time.monotonic() - started,
        )


async def _fetch(
    client: httpx.AsyncClient, request: FetchRequest, options: FetchOptions, started: float
) -> FetchResult:
    headers: dict[str, str] = {}
    if request.etag:
        headers["If-None-Match"] = request.etag
    if request.last_modified:
        headers["If-Modified-Since"] = request.last_modified
    url = request.url
    permanent: str | None = None
    all_permanent = True
    seen: set[str] = set()
    for _hop in range(options.max_redirects + 1):
        parsed = httpx.URL(url)
        if parsed.scheme not in ("http", "https"):
            raise FetchError(request.url, f"redirected to a non-HTTP URL {url}", step="redirect")
        if not request.allow_private_addresses:
            await check_host(parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80))
        seen.add(url)
        async with client.stream("GET", url, headers=headers) as response:
            now = datetime.now(UTC)
            if response.status_code in (301, 302, 303, 307, 308):
                location = response.headers.get("location")
                if not location:
                    raise FetchError(
                        request.url, f"HTTP {response.status_code} without Location", step="redirect"
                    )
                url = str(parsed.join(location))
                if url in seen:
                    raise FetchError(request.url, f"redirect loop at {url}", step="redirect")
                if response.status_code in (301, 308) and all_permanent:
                    permanent = url
                else:
                    all_permanent = False
                    permanent = None
                continue
            common = {
                "url": request.url,
                "final_url": url,
                "status": response.status_code,
                "headers": dict(response.headers),
                "max_age_seconds": max_age_of(response.headers.get("cache-control")),
                "retry_after": retry_after_of(response.headers.get("retry-after"), now),
                "permanent_redirect": permanent,
            }
            if response.status_code == 304:
                return FetchResult(
                    outcome="not_modified",
                    etag=request.etag,
                    last_modified=request.last_modified,
                    elapsed=time.monotonic() - started,
                    **common,  # type: ignore[arg-type]
                )
            if response.status_code >= 400:
                return FetchResult(
                    outcome="error",
                    error=f"HTTP {response.status_code} {response.reason_phrase}".strip(),
                    error_step="bad HTTP status",
                    elapsed=time.monotonic() - started,
                    **common,  # type: ignore[arg-type]
                )
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body.extend(chunk)
                if len(body) > options.max_body_bytes:
                    raise FetchError(
                        request.url,
                        f"body larger than {options.max_body_bytes} bytes (after decompression)",
                        step="size cap",
                    )
            return FetchResult(
                outcome="ok",
                content=bytes(body),
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                elapsed=time.monotonic() - started,
                **common,  # type: ignore[arg-type]
            )
    raise FetchError(request.url, f"more than {options.max_redirects} redirects", step="redirect")
