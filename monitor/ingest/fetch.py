"""HTTP for feeds: conditional GET, redirects, deadlines, size cap, private-address guard.

Returns a FetchResult for every request; never raises for a feed's own failure.
Conditional requests follow RFC 9110 §13 (If-None-Match, If-Modified-Since, 304).

Hostile servers are contained here:
- the private-address guard runs inside the connection layer, on every address the host
  name resolves to, for every new connection (so for every redirect hop), and the socket
  is then opened to the address that was checked (no second lookup to rebind);
- the body is decompressed here, piece by bounded piece, and counted after decompression,
  so a gzip, deflate or brotli bomb stops at the cap;
- connect, read and whole-request deadlines bound the time one server can take.
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import re
import socket
import time
import zlib
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Protocol

import brotli
import httpcore
import httpx

from monitor.errors import FetchError

ALLOW_PRIVATE_EXTENSION = "monitor_allow_private_addresses"
DECODE_PIECE = 64 * 1024  # the most a decompressor may produce in one step


@dataclass(frozen=True)
class FetchRequest:
    url: str
    etag: str | None = None
    last_modified: str | None = None
    allow_private_addresses: bool = False
    accept: str | None = None  # the client's Accept (feeds first) unless given


@dataclass(frozen=True)
class FetchOptions:
    user_agent: str
    timeout: float = 20.0  # whole request, seconds (a slow drip is cut here)
    connect_timeout: float = 10.0
    read_timeout: float = 10.0  # silence between two reads
    max_body_bytes: int = 10 * 1024 * 1024  # after decompression
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
    permanent_redirect: str | None = None  # where a chain of only 301/308 ended
    error: str | None = None
    error_step: str | None = None
    elapsed: float = 0.0
    redirects: int = 0


_MAX_AGE_RE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


def max_age_of(cache_control: str | None) -> int | None:
    if not cache_control or "no-store" in cache_control.lower():
        return None
    match = _MAX_AGE_RE.search(cache_control)
    # Bounded: a server may say max-age=99999999999999999999, which no database column holds.
    return min(int(match.group(1)[:12]), 365 * 86400) if match else None


def retry_after_of(value: str | None, now: datetime) -> datetime | None:
    """Retry-After as delay-seconds or an HTTP-date (RFC 9110 §10.2.3), at most a week ahead."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return now + timedelta(seconds=min(int(value), 7 * 86400))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return min(when, now + timedelta(days=7)) if when > now else None


# --- the private-address guard ---------------------------------------------------------

_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, compatible, 6to4, Teredo, NAT64)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public_address(address: str) -> bool:
    """False for loopback, private, link-local (cloud metadata), CGNAT, multicast, reserved,
    unspecified and documentation addresses, IPv4 or IPv6, including IPv4 inside IPv6."""
    try:
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:  # the packets go to the IPv4 address: judge that one
            return is_public_address(str(embedded))
        if ip.is_site_local:
            return False
    return not (
        not ip.is_global
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


class AddressRefused(FetchError):
    """The host resolves to an address the guard does not allow."""


async def resolve_public(
    host: str, port: int, timeout: float | None, is_allowed: Callable[[str], bool] = is_public_address
) -> list[str]:
    """Every address `host` resolves to, or FetchError when one of them is not public.

    One private address among public ones refuses the host: a name that points into the
    user's network is suspicious whatever else it points to."""
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), timeout)
    except TimeoutError:
        raise FetchError(host, f"DNS lookup of {host} timed out", step="while resolving") from None
    except (socket.gaierror, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise FetchError(host, f"DNS lookup of {host} failed: {reason}", step="while resolving") from None
    addresses: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if not is_allowed(address):
            where = f"{host} is" if host.strip("[]") == address else f"{host} resolves to"
            raise AddressRefused(
                host,
                f"refused: {where} the non-public address {address} "
                "(set allow_private_addresses: true to poll it)",
                step="address check",
            )
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise FetchError(host, f"DNS lookup of {host} gave no address", step="while resolving")
    return addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Opens TCP connections only to public addresses, checked at connect time."""

    def __init__(self, is_allowed: Callable[[str], bool] = is_public_address) -> None:
        self._backend = httpcore.AnyIOBackend()
        self.is_allowed = is_allowed

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await resolve_public(host, port, timeout, self.is_allowed)
        last: Exception | None = None
        for address in addresses:
            try:
                return await self._backend.connect_tcp(
                    address, port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.AsyncNetworkStream:
        raise AddressRefused(path, "refused: unix sockets are not fetched", step="address check")

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


class GuardedTransport(httpx.AsyncBaseTransport):
    """Two connection pools: a guarded one, and an open one for the feeds that allow
    private addresses (chosen per request), so that a connection opened for one never
    serves the other."""

    def __init__(self, limits: httpx.Limits, is_allowed: Callable[[str], bool] = is_public_address) -> None:
        # One TLS context for both pools: each one made reads the CA bundle (certifi), which
        # cost a poll a tenth of a second per context, three times over.
        ssl_context = httpx.create_ssl_context(trust_env=False)
        self.open = httpx.AsyncHTTPTransport(verify=ssl_context, limits=limits, trust_env=False)
        self.guarded = httpx.AsyncHTTPTransport(verify=ssl_context, limits=limits, trust_env=False)
        # httpx has no public hook for the network backend; the pool it builds is swapped
        # for the same pool over the guarded backend.
        self.guarded._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=GuardedBackend(is_allowed),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        transport = self.open if request.extensions.get(ALLOW_PRIVATE_EXTENSION) else self.guarded
        return await transport.handle_async_request(request)

    async def __aenter__(self) -> GuardedTransport:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.open.aclose()
        await self.guarded.aclose()


def make_client(
    options: FetchOptions, *, is_allowed: Callable[[str], bool] = is_public_address
) -> httpx.AsyncClient:
    """The shared client; `is_allowed` judges each resolved address (tests narrow it)."""
    timeout = httpx.Timeout(
        options.timeout, connect=options.connect_timeout, read=min(options.read_timeout, options.timeout)
    )
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=50, keepalive_expiry=30)
    return httpx.AsyncClient(
        timeout=timeout,
        follow_redirects=False,
        trust_env=False,
        transport=GuardedTransport(limits, is_allowed),
        headers={
            "User-Agent": options.user_agent,
            "Accept": "application/rss+xml, application/atom+xml, application/feed+json, "
            "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
            "Accept-Encoding": "gzip, deflate, br",
        },
    )


# --- bounded decompression ------------------------------------------------------------


class _Decoder(Protocol):
    def decode(self, data: bytes) -> Iterator[bytes]: ...

    def flush(self) -> Iterator[bytes]: ...


class _ZlibDecoder:
    """gzip (with several members) and deflate (zlib-wrapped or raw, as servers vary)."""

    def __init__(self, gzip: bool) -> None:
        self.gzip = gzip
        self.first = True
        self.obj = zlib.decompressobj(zlib.MAX_WBITS | 16 if gzip else zlib.MAX_WBITS)

    def decode(self, data: bytes) -> Iterator[bytes]:
        if self.first and data:
            self.first = False
            # RFC 9110 says zlib-wrapped; some servers send raw deflate. A zlib header is a
            # deflate method nibble and a 16-bit check that divides by 31 (RFC 1950).
            zlib_header = len(data) >= 2 and (data[0] & 0x0F) == 8 and ((data[0] << 8) | data[1]) % 31 == 0
            if not self.gzip and not zlib_header:
                self.obj = zlib.decompressobj(-zlib.MAX_WBITS)
        while data:
            if self.obj.eof:
                if self.gzip and self.obj.unused_data.lstrip(b"\0"):
                    data = self.obj.unused_data
                    self.obj = zlib.decompressobj(zlib.MAX_WBITS | 16)
                    continue
                return  # trailing garbage after the stream: ignored, as browsers do
            piece = self.obj.decompress(data, DECODE_PIECE)
            data = self.obj.unconsumed_tail
            if piece:
                yield piece

    def flush(self) -> Iterator[bytes]:
        if not self.first and not self.obj.eof:
            raise zlib.error("the compressed stream ends early")
        return iter(())


class _BrotliDecoder:
    def __init__(self) -> None:
        self.obj = brotli.Decompressor()

    def decode(self, data: bytes) -> Iterator[bytes]:
        if self.obj.is_finished():
            return
        piece = self.obj.process(data, output_buffer_limit=DECODE_PIECE)
        if piece:
            yield piece
        idle = 0
        while not self.obj.can_accept_more_data():
            piece = self.obj.process(b"", output_buffer_limit=DECODE_PIECE)
            if piece:
                yield piece
                continue
            idle += 1
            if idle > 3:
                raise brotli.error("the decompressor makes no progress")

    def flush(self) -> Iterator[bytes]:
        if not self.obj.is_finished():
            raise brotli.error("the compressed stream ends early")
        return iter(())


def _decoders(content_encoding: str | None) -> list[_Decoder]:
    """Decoders in the order to apply them (the reverse of the order the server applied)."""
    decoders: list[_Decoder] = []
    for token in reversed([t.strip().lower() for t in (content_encoding or "").split(",") if t.strip()]):
        if token in ("gzip", "x-gzip"):
            decoders.append(_ZlibDecoder(gzip=True))
        elif token == "deflate":
            decoders.append(_ZlibDecoder(gzip=False))
        elif token == "br":
            decoders.append(_BrotliDecoder())
        elif token != "identity":
            raise FetchError("", f"unsupported Content-Encoding {token!r}", step="while decompressing")
    return decoders


def _through(decoders: list[_Decoder], data: bytes, final: bool) -> Iterator[bytes]:
    """Pass `data` through every layer, lazily, so no layer runs ahead of the cap."""
    pieces: Iterable[bytes] = [data] if data else []
    for decoder in decoders:
        pieces = _layer(decoder, pieces, final)
    yield from pieces


def _layer(decoder: _Decoder, pieces: Iterable[bytes], final: bool) -> Iterator[bytes]:
    for piece in pieces:
        yield from decoder.decode(piece)
    if final:
        yield from decoder.flush()


async def read_body(response: httpx.Response, limit: int) -> bytes:
    """The decompressed body, or FetchError as soon as it passes `limit` bytes."""
    declared = response.headers.get("content-length", "")
    encoding = response.headers.get("content-encoding")
    if declared.isdigit() and not encoding and int(declared) > limit:
        raise FetchError(
            "", f"body of {int(declared)} bytes is larger than the cap of {limit}", step="size cap"
        )
    decoders = _decoders(encoding)
    body = bytearray()

    def take(pieces: Iterator[bytes]) -> None:
        for piece in pieces:
            body.extend(piece)
            if len(body) > limit:
                raise FetchError(
                    "", f"body larger than the cap of {limit} bytes (after decompression)", step="size cap"
                )

    raw: AsyncIterator[bytes] = response.aiter_raw()
    try:
        async for chunk in raw:
            take(_through(decoders, chunk, final=False))
        take(_through(decoders, b"", final=True))
    except (zlib.error, brotli.error) as exc:
        raise FetchError("", f"bad {encoding} data: {exc}", step="while decompressing") from None
    return bytes(body)


# --- fetching --------------------------------------------------------------------------


def _failure(request: FetchRequest, started: float, message: str, step: str) -> FetchResult:
    return FetchResult(
        url=request.url, outcome="error", error=message, error_step=step, elapsed=time.monotonic() - started
    )


def _describe_http_error(exc: httpx.HTTPError) -> tuple[str, str]:
    text = str(exc).strip()
    if isinstance(exc, httpx.ConnectTimeout):
        return "connect timed out", "while connecting"
    if isinstance(exc, httpx.ReadTimeout):
        return "the server stopped sending (read timed out)", "while fetching"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect: {text or type(exc).__name__}", "while connecting"
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.LocalProtocolError)):
        return f"broken HTTP from the server: {text or type(exc).__name__}", "while fetching"
    if isinstance(exc, httpx.InvalidURL):
        return f"bad URL: {text}", "while fetching"
    return f"{type(exc).__name__}: {text}".rstrip(": "), "while fetching"


async def fetch(client: httpx.AsyncClient, request: FetchRequest, options: FetchOptions) -> FetchResult:
    """GET one feed, following at most `max_redirects` redirects, each hop checked."""
    started = time.monotonic()
    try:
        return await asyncio.wait_for(_fetch(client, request, options, started), options.timeout)
    except TimeoutError:
        return _failure(request, started, f"no complete answer within {options.timeout:g} s", "deadline")
    except FetchError as exc:
        return _failure(request, started, exc.message, exc.step)
    except httpx.HTTPError as exc:
        message, step = _describe_http_error(exc)
        return _failure(request, started, message, step)
    except (httpcore.ConnectError, OSError, ValueError, UnicodeError) as exc:
        return _failure(request, started, f"{type(exc).__name__}: {exc}", "while fetching")


async def _fetch(
    client: httpx.AsyncClient, request: FetchRequest, options: FetchOptions, started: float
) -> FetchResult:
    headers: dict[str, str] = {}
    # RFC 9110 §13.1: send both validators when known; a server prefers If-None-Match.
    if request.etag:
        headers["If-None-Match"] = request.etag
    if request.last_modified:
        headers["If-Modified-Since"] = request.last_modified
    if request.accept:
        headers["Accept"] = request.accept
    extensions = {ALLOW_PRIVATE_EXTENSION: request.allow_private_addresses}
    url = request.url
    permanent: str | None = None
    all_permanent = True
    seen: set[str] = set()
    for hop in range(options.max_redirects + 1):
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise FetchError(
                request.url, f"bad URL {url!r}: {exc}", step="redirect" if hop else "bad URL"
            ) from None
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise FetchError(request.url, f"not an http(s) URL: {url}", step="redirect" if hop else "bad URL")
        seen.add(str(parsed))
        async with client.stream("GET", parsed, headers=headers, extensions=extensions) as response:
            now = datetime.now(UTC)
            if response.status_code in (301, 302, 303, 307, 308):
                location = response.headers.get("location")
                if not location:
                    raise FetchError(
                        request.url, f"HTTP {response.status_code} without Location", step="redirect"
                    )
                try:
                    url = str(parsed.join(location.strip()))
                except httpx.InvalidURL:
                    raise FetchError(
                        request.url, f"redirect to a bad URL {location!r}", step="redirect"
                    ) from None
                if url in seen:
                    raise FetchError(request.url, f"redirect loop back to {url}", step="redirect")
                if response.status_code in (301, 308) and all_permanent:
                    permanent = url
                else:
                    all_permanent = False
                    permanent = None
                continue
            common: dict[str, Any] = {
                "url": request.url,
                "final_url": url,
                "status": response.status_code,
                "headers": dict(response.headers),
                "max_age_seconds": max_age_of(response.headers.get("cache-control")),
                "retry_after": retry_after_of(response.headers.get("retry-after"), now),
                "permanent_redirect": permanent,
                "redirects": hop,
            }
            if response.status_code == 304:
                return FetchResult(
                    outcome="not_modified",
                    etag=request.etag,
                    last_modified=request.last_modified,
                    elapsed=time.monotonic() - started,
                    **common,
                )
            if response.status_code >= 400 or response.status_code < 200:
                return FetchResult(
                    outcome="error",
                    error=f"HTTP {response.status_code} {response.reason_phrase}".strip(),
                    error_step="bad HTTP status",
                    elapsed=time.monotonic() - started,
                    **common,
                )
            try:
                body = await read_body(response, options.max_body_bytes)
            except FetchError as exc:
                raise FetchError(request.url, exc.message, step=exc.step) from None
            return FetchResult(
                outcome="ok",
                content=body,
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                elapsed=time.monotonic() - started,
                **common,
            )
    raise FetchError(request.url, f"more than {options.max_redirects} redirects", step="redirect")
