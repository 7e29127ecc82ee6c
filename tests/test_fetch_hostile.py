"""fetch.py, politeness.py, xmlguard.py and the fetch side of pipeline.py against real
misbehaving servers on 127.0.0.1 that each test starts (issue 4, items 1-8 and 10)."""

from __future__ import annotations

import asyncio
import email.utils
import gzip
import resource
import socket
import threading
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from functools import cache
from http.server import BaseHTTPRequestHandler
from itertools import pairwise
from pathlib import Path

import brotli
import pytest
from click.testing import CliRunner

from monitor.cli import main
from monitor.config import load_config
from monitor.feedserver import FeedServer, send
from monitor.ingest.discover import feed_url_to_add, find_feed_links
from monitor.ingest.fetch import (
    FetchOptions,
    FetchRequest,
    FetchResult,
    fetch,
    is_public_address,
    make_client,
)
from monitor.ingest.langid import detect_language
from monitor.ingest.parse import parse_feed
from monitor.ingest.politeness import HostLimiter
from monitor.ingest.schedule import StatusStreaks, host_phases, plan_status, spread_due
from monitor.ingest.xmlguard import defuse_entities
from monitor.pipeline import Poller, poll_once
from monitor.store import Store

from .conftest import rss, write_config

ITEMS = [
    {
        "title": f"Story {n}",
        "link": f"https://news.example/{n}",
        "guid": f"g{n}",
        "pubDate": f"Sat, 22 Mar 2025 1{n}:00:00 GMT",
        "description": f"Text of story {n}.",
    }
    for n in range(3)
]
GOOD = rss(ITEMS).encode()
OPTIONS = FetchOptions(user_agent="monitor-test", timeout=5, connect_timeout=2, read_timeout=2)


def get(url: str, *, allow: bool = True, options: FetchOptions = OPTIONS, **client: object) -> FetchResult:
    async def run() -> FetchResult:
        async with make_client(options, **client) as http:  # type: ignore[arg-type]
            return await fetch(http, FetchRequest(url=url, allow_private_addresses=allow), options)

    return asyncio.run(run())


def answer(status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> Callable[..., bool]:
    def route(handler: BaseHTTPRequestHandler) -> bool:
        send(handler, status, body, headers)
        return True

    return route


def raw(status: int, body: bytes, headers: dict[str, str]) -> Callable[..., bool]:
    """Answer with these exact bytes (no gzip by the server)."""

    def route(handler: BaseHTTPRequestHandler) -> bool:
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
        return True

    return route


def paths(server: FeedServer) -> list[str]:
    return [path for path, _headers in server.requests]


def open_store(tmp_path: Path, server: FeedServer, feeds: list[dict[str, object]], **settings: object):
    config = load_config(write_config(tmp_path / "feeds.yaml", feeds, **settings))
    store = Store.open(config.settings.database)
    store.sync_feeds(config.feeds)
    return config, store


def feed_row(store: Store, url: str) -> dict[str, object]:
    return store.query("SELECT * FROM feeds WHERE url = ?", [url])[0]


# --- 1. private addresses ----------------------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.255.0.9",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "169.254.0.1",
        "100.64.0.1",
        "100.127.255.254",
        "224.0.0.1",
        "239.255.255.250",
        "0.0.0.0",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "fd12:3456::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "::127.0.0.1",
        "2002:7f00:1::",
        "64:ff9b::a9fe:a9fe",
        "fe80::1%eth0",
        "192.0.2.1",
        "198.18.0.1",
    ],
)
def test_non_public_addresses_are_recognized(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_pass(address: str) -> None:
    assert is_public_address(address)


def test_loopback_in_every_spelling_is_refused_without_a_request(server: FeedServer) -> None:
    server.routes["/feed"] = answer(200, GOOD)
    port = server.httpd.server_address[1]
    spellings = [
        f"http://127.0.0.1:{port}/feed",
        f"http://localhost:{port}/feed",
        f"http://2130706433:{port}/feed",  # decimal
        f"http://0x7f000001:{port}/feed",  # hexadecimal
        f"http://0177.0.0.1:{port}/feed",  # octal
        f"http://127.1:{port}/feed",  # short form
        f"http://0x7f.1:{port}/feed",
        f"http://[::ffff:127.0.0.1]:{port}/feed",
        f"http://[::ffff:7f00:1]:{port}/feed",
        f"http://[::1]:{port}/feed",
        f"http://LocalHost:{port}/feed",
    ]
    for url in spellings:
        result = get(url, allow=False)
        assert result.outcome == "error", url
        assert result.error_step in ("address check", "bad URL"), (url, result.error_step, result.error)
    assert server.requests == []
    # The same server, allowed: it answers.
    assert get(f"http://127.0.0.1:{port}/feed", allow=True).outcome == "ok"


def test_a_connection_opened_for_an_allowed_feed_never_serves_a_guarded_one(server: FeedServer) -> None:
    server.routes["/feed"] = answer(200, GOOD)

    async def run() -> tuple[FetchResult, FetchResult]:
        async with make_client(OPTIONS) as http:
            allowed = await fetch(
                http, FetchRequest(server.url("feed"), allow_private_addresses=True), OPTIONS
            )
            guarded = await fetch(http, FetchRequest(server.url("feed")), OPTIONS)  # same host, kept alive
            return allowed, guarded

    allowed, guarded = asyncio.run(run())
    assert allowed.outcome == "ok"
    assert (guarded.outcome, guarded.error_step) == ("error", "address check")
    assert paths(server) == ["/feed"]


@pytest.mark.parametrize("host", ["169.254.169.254", "100.64.1.1", "10.0.0.1", "[fd00::1]", "0.0.0.0"])
def test_private_networks_are_refused_at_connect_time(host: str) -> None:
    result = get(f"http://{host}/latest/meta-data/", allow=False)
    assert (result.outcome, result.error_step) == ("error", "address check")
    assert "allow_private_addresses" in (result.error or "")


def test_every_redirect_hop_is_checked(server: FeedServer) -> None:
    """The first hop is allowed (a narrowed policy stands in for a public address); the
    redirect into the user's network is refused when its connection is made."""
    port = server.httpd.server_address[1]
    only_first = {"127.0.0.1"}.__contains__
    for target in (
        f"http://127.0.0.2:{port}/feed",
        f"http://0x7f000002:{port}/feed",
        "http://169.254.169.254/latest/meta-data/",
        f"http://[::1]:{port}/feed",
    ):
        server.requests.clear()
        server.routes["/start"] = answer(302, b"", {"Location": target})
        result = get(server.url("start"), allow=False, is_allowed=only_first)
        assert (result.outcome, result.error_step) == ("error", "address check"), (target, result)
        assert paths(server) == ["/start"]


def test_poll_records_the_refusal_and_a_feed_may_lift_it(tmp_path: Path, server: FeedServer) -> None:
    server.routes["/a"] = answer(200, GOOD)
    server.routes["/b"] = answer(200, GOOD)
    config, store = open_store(
        tmp_path,
        server,
        [{"url": server.url("a")}, {"url": server.url("b"), "allow_private_addresses": "true"}],
        allow_private_addresses=False,
    )
    report = poll_once(store, config, all_feeds=True)
    assert (report.ok, report.failed) == (1, 1)
    refused = feed_row(store, server.url("a"))
    assert refused["last_error_step"] == "address check"
    assert "non-public address 127.0.0.1" in str(refused["last_error"])
    assert paths(server) == ["/b"]


# --- 2. size -------------------------------------------------------------------------------

BOMB_SIZE = 256 * 1024 * 1024  # what the bombs expand to
CAP = 1024 * 1024


@cache
def bomb(encoding: str) -> bytes:
    zeros = b"\0" * (16 * 1024 * 1024)
    if encoding == "br":
        # 16 metablocks of zeros cost a few bytes each: a 256 MB body from ~ 1 kB.
        compressor = brotli.Compressor(quality=1)
        return b"".join(compressor.process(zeros) for _ in range(16)) + compressor.finish()
    if encoding == "gzip":
        obj = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    else:
        obj = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS)
    return b"".join(obj.compress(zeros) for _ in range(16)) + obj.flush()


def peak_memory_of(call: Callable[[], FetchResult]) -> tuple[FetchResult, int]:
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_compression_bombs_stop_at_the_cap(server: FeedServer, encoding: str) -> None:
    payload = bomb(encoding)
    server.routes["/bomb"] = raw(200, payload, {"Content-Encoding": encoding, "Content-Type": "text/xml"})
    options = FetchOptions(user_agent="t", timeout=20, max_body_bytes=CAP)
    result, peak = peak_memory_of(lambda: get(server.url("bomb"), options=options))
    print(f"{encoding} bomb: {len(payload)} bytes on the wire, tracemalloc peak {peak / 1e6:.1f} MB")
    assert (result.outcome, result.error_step) == ("error", "size cap")
    assert peak < 8 * CAP  # the 256 MB never existed


def test_size_cap_counts_plain_and_declared_bodies(server: FeedServer) -> None:
    big = b"<rss>" + b" " * (2 * CAP) + b"</rss>"
    server.routes["/big"] = raw(200, big, {"Content-Type": "text/xml"})
    options = FetchOptions(user_agent="t", max_body_bytes=CAP)
    result = get(server.url("big"), options=options)
    assert (result.outcome, result.error_step) == ("error", "size cap")
    # Under the cap, the same route compressed by the server is read whole.
    server.routes["/ok"] = raw(200, gzip.compress(GOOD), {"Content-Encoding": "gzip"})
    assert get(server.url("ok"), options=options).content == GOOD


def test_layered_and_broken_encodings(server: FeedServer) -> None:
    layered = brotli.compress(gzip.compress(GOOD))  # gzip first, then br
    server.routes["/layered"] = raw(200, layered, {"Content-Encoding": "gzip, br"})
    assert get(server.url("layered")).content == GOOD
    server.routes["/broken"] = raw(200, b"\x1f\x8b\x08\x00garbage" * 10, {"Content-Encoding": "gzip"})
    broken = get(server.url("broken"))
    assert (broken.outcome, broken.error_step) == ("error", "while decompressing")
    server.routes["/cut"] = raw(200, gzip.compress(GOOD)[:40], {"Content-Encoding": "gzip"})
    assert get(server.url("cut")).error_step == "while decompressing"
    raw_deflate = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    server.routes["/raw"] = raw(
        200, raw_deflate.compress(GOOD) + raw_deflate.flush(), {"Content-Encoding": "deflate"}
    )
    assert get(server.url("raw")).content == GOOD
    server.routes["/zlib"] = raw(200, zlib.compress(GOOD), {"Content-Encoding": "deflate"})
    assert get(server.url("zlib")).content == GOOD
    server.routes["/odd"] = raw(200, GOOD, {"Content-Encoding": "x-unheard-of"})
    assert get(server.url("odd")).error_step == "while decompressing"


# --- 3. time -------------------------------------------------------------------------------


def drip(handler: BaseHTTPRequestHandler, every: float = 0.3, stop: threading.Event | None = None) -> bool:
    """Headers at once, then one byte every `every` seconds, for ever (or until `stop`)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.send_header("Connection", "close")  # no length: the body runs until the server stops
    handler.end_headers()
    try:
        for _ in range(10_000):
            if stop is not None and stop.is_set():
                return True
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(every)
    except OSError:
        pass
    return True


def silent(handler: BaseHTTPRequestHandler) -> bool:
    time.sleep(6)
    return True


def test_a_slow_drip_is_cut_at_the_whole_request_deadline(server: FeedServer) -> None:
    server.routes["/drip"] = drip
    options = FetchOptions(user_agent="t", timeout=2, read_timeout=1.5)
    result = get(server.url("drip"), options=options)
    # Bytes keep coming faster than the read timeout: only the whole deadline can stop it.
    assert (result.outcome, result.error_step) == ("error", "deadline")
    assert "2 s" in (result.error or "")


def test_a_silent_server_hits_the_read_timeout(server: FeedServer) -> None:
    server.routes["/silent"] = silent
    options = FetchOptions(user_agent="t", timeout=5, read_timeout=1)
    result = get(server.url("silent"), options=options)
    assert result.outcome == "error"
    assert "read timed out" in (result.error or "")


def test_a_slow_server_does_not_hold_up_the_pass(tmp_path: Path, server: FeedServer) -> None:
    stop = threading.Event()
    server.routes["/drip"] = lambda h: drip(h, 0.2, stop)
    good = [f"good{n}" for n in range(6)]
    for name in good:
        server.routes[f"/{name}"] = answer(200, GOOD)
    config, store = open_store(
        tmp_path, server, [{"url": server.url("drip")}] + [{"url": server.url(n)} for n in good], timeout=3
    )
    order: list[str] = []
    try:
        report = poll_once(
            store, config, all_feeds=True, progress=lambda feed, status: order.append(feed.url)
        )
    finally:
        stop.set()
    assert report.ok == 6 and report.failed == 1
    assert order[-1] == server.url("drip")  # every good feed was stored before the slow one ended
    assert feed_row(store, server.url("drip"))["last_error_step"] == "deadline"


def raw_socket_server(reply: bytes) -> tuple[str, Callable[[], None]]:
    """A TCP server on 127.0.0.1 that answers any request with `reply` bytes, then closes."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def run() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.recv(65536)
                try:
                    conn.sendall(reply)
                except OSError:
                    pass
        listener.close()

    threading.Thread(target=run, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}/feed", stop.set


@pytest.mark.parametrize(
    "reply",
    [
        b"this is not HTTP at all\r\n\r\n",
        b"HTTP/1.1 200 OK\r\n" + b"X-Flood: " + b"a" * 300_000 + b"\r\n\r\n",  # a header bomb
        b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n<rss>",  # cut short
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",  # bad chunking
        b"",  # closes at once
    ],
)
def test_broken_http_is_a_recorded_error(reply: bytes) -> None:
    url, stop = raw_socket_server(reply)
    try:
        result = get(url)
    finally:
        stop()
    assert result.outcome == "error" and result.error and result.error_step


# --- 4. XML ----------------------------------------------------------------------------------

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
<!ENTITY lol "lol">
<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>laughs</title>
<item><guid>l1</guid><title>Laughing &lol9;</title><description>&lol9;</description></item>
</channel></rss>"""


def quadratic(refs: int = 10_000, size: int = 10_000) -> bytes:
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "' + "A" * size + '">\n]>\n'
        '<rss version="2.0"><channel><title>q</title><item><guid>q1</guid><title>Quadratic</title>'
        "<description>" + "&a;" * refs + "</description></item></channel></rss>"
    ).encode()


def external(server: FeedServer) -> bytes:
    return f"""<?xml version="1.0"?>
<!DOCTYPE rss SYSTEM "{server.url("evil.dtd")}" [
<!ENTITY secret SYSTEM "file:///etc/passwd">
<!ENTITY remote SYSTEM "{server.url("remote.ent")}">
<!ENTITY % param SYSTEM "{server.url("param.dtd")}">
%param;
]>
<rss version="2.0"><channel><title>xxe</title>
<item><guid>x1</guid><title>Secret &secret; &remote;</title><description>&secret;</description></item>
</channel></rss>""".encode()


def test_entity_bombs_and_external_entities_are_not_expanded(tmp_path: Path, server: FeedServer) -> None:
    server.routes["/laughs"] = raw(200, LAUGHS, {"Content-Type": "application/rss+xml"})
    server.routes["/quadratic"] = raw(200, quadratic(), {"Content-Type": "application/rss+xml"})
    server.routes["/xxe"] = raw(200, external(server), {"Content-Type": "application/rss+xml"})
    for name in ("evil.dtd", "remote.ent", "param.dtd"):
        server.routes[f"/{name}"] = answer(200, b'<!ENTITY leak "LEAKED">')
    urls = [server.url(n) for n in ("laughs", "quadratic", "xxe")]
    config, store = open_store(tmp_path, server, [{"url": u} for u in urls])
    detect_language("warm up: the language model loads once, about 100 MB")
    tracemalloc.start()
    try:
        poll_once(store, config, all_feeds=True)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    print(f"entity bombs: tracemalloc peak {peak / 1e6:.1f} MB")
    assert peak < 30 * 1024 * 1024  # unguarded, the quadratic feed alone grows 100 MB of text
    assert sorted(paths(server)) == ["/laughs", "/quadratic", "/xxe"]  # no DTD or entity fetched
    rows = store.query("SELECT title, text FROM articles")
    for row in rows:
        assert len(row["text"]) < 200_000 and len(row["title"]) < 10_000
        assert "root:" not in row["text"] + row["title"] and "LEAKED" not in row["text"] + row["title"]
    for url in urls:  # each one stored, or failed with a readable error, never a crash
        row = feed_row(store, url)
        assert row["last_status"] in ("ok", "error")
        if row["last_status"] == "error":
            assert row["last_error_step"] == "while parsing"


def test_harmless_entities_are_kept() -> None:
    body = (
        b'<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY copy2 "&#169;">\n<!ENTITY org "Example Org">\n]>\n'
        b'<rss version="2.0"><channel><title>&org;</title><item><guid>1</guid>'
        b"<title>&copy2; &org;</title></item></channel></rss>"
    )
    assert defuse_entities(body) == (body, None)
    assert parse_feed(body, url="https://x.example/").entries[0].title == "© Example Org"
    defused, note = defuse_entities(quadratic(1000, 10_000))
    assert note is not None and b"<!ENTITY" not in defused
    utf16 = quadratic(1000, 10_000).decode().encode("utf-16")
    defused16, note16 = defuse_entities(utf16)
    assert note16 is not None and "<!ENTITY" not in defused16.decode("utf-16")


# --- 5. redirects ------------------------------------------------------------------------------


def test_redirect_limits_and_loops(server: FeedServer) -> None:
    for n in range(7):
        server.routes[f"/hop{n}"] = answer(302, b"", {"Location": f"/hop{n + 1}"})
    server.routes["/hop7"] = answer(200, GOOD)
    assert get(server.url("hop2")).outcome == "ok"  # five hops
    too_many = get(server.url("hop0"))  # seven hops
    assert (too_many.outcome, too_many.error_step) == ("error", "redirect")
    assert "more than 5 redirects" in (too_many.error or "")
    server.routes["/ping"] = answer(301, b"", {"Location": "/pong"})
    server.routes["/pong"] = answer(308, b"", {"Location": "/ping"})
    loop = get(server.url("ping"))
    assert (loop.outcome, loop.error_step) == ("error", "redirect") and "loop" in (loop.error or "")
    server.routes["/nowhere"] = answer(301, b"")
    assert get(server.url("nowhere")).error_step == "redirect"
    server.routes["/ftp"] = answer(301, b"", {"Location": "ftp://files.example/feed"})
    assert get(server.url("ftp")).error_step == "redirect"


def test_permanent_redirects_move_the_feed_after_three_polls(tmp_path: Path, server: FeedServer) -> None:
    server.routes["/old"] = answer(301, b"", {"Location": "/middle"})
    server.routes["/middle"] = answer(308, b"", {"Location": "/new"})
    server.routes["/temp"] = answer(302, b"", {"Location": "/new"})
    server.routes["/new"] = answer(200, GOOD, {"ETag": '"v1"'})
    old, temp = server.url("old"), server.url("temp")
    config, store = open_store(tmp_path, server, [{"url": old}, {"url": temp}])
    for _ in range(2):
        poll_once(store, config, all_feeds=True)
        assert store.feed_by_url(old).fetch_url is None  # type: ignore[union-attr]
    poll_once(store, config, all_feeds=True)
    assert store.feed_by_url(old).fetch_url == server.url("new")  # type: ignore[union-attr]
    for _ in range(2):
        poll_once(store, config, all_feeds=True)
    assert store.feed_by_url(temp).fetch_url is None  # type: ignore[union-attr]  # 302: nothing changes
    server.requests.clear()
    poll_once(store, config, all_feeds=True)
    assert sorted(paths(server)) == ["/new", "/new", "/temp"]  # the moved feed goes straight there
    assert store.feed_by_url(old).url == old  # type: ignore[union-attr]  # feeds.yaml's URL stays its name


# --- 6. status codes -------------------------------------------------------------------------


def test_gone_three_times_stops_polling_until_added_again(tmp_path: Path, server: FeedServer) -> None:
    server.routes["/gone"] = answer(410, b"gone")
    url = server.url("gone")
    config_path = write_config(tmp_path / "feeds.yaml", [{"url": url}])
    config = load_config(config_path)
    with Store.open(config.settings.database) as store:
        for expected_gone in (False, False, True):
            poll_once(store, config, all_feeds=True)
            assert store.feed_by_url(url).gone is expected_gone  # type: ignore[union-attr]
        before = len(server.requests)
        poll_once(store, config, all_feeds=True)
        assert len(server.requests) == before  # not polled any more
    runner = CliRunner()
    stats = runner.invoke(main, ["--config", str(config_path), "stats"])
    assert stats.exit_code == 0 and "gone" in stats.output
    added = runner.invoke(main, ["--config", str(config_path), "feeds", "add", url])
    assert added.exit_code == 0, added.output
    with Store.open(config.settings.database) as store:
        revived = store.feed_by_url(url)
        assert revived is not None and not revived.gone
        assert [f.url for f in store.due_feeds(datetime.now(UTC) + timedelta(seconds=1))] == [url]
        poll_once(store, config, all_feeds=True)
        assert not store.feed_by_url(url).gone  # type: ignore[union-attr]  # one 410 again is not three


def test_retry_after_in_seconds_and_as_a_date(tmp_path: Path, server: FeedServer) -> None:
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=5)
    server.routes["/busy"] = answer(429, b"slow down", {"Retry-After": "7200"})
    server.routes["/down"] = answer(
        503, b"", {"Retry-After": email.utils.format_datetime(later, usegmt=True)}
    )
    config, store = open_store(tmp_path, server, [{"url": server.url("busy")}, {"url": server.url("down")}])
    start = datetime.now(UTC).replace(microsecond=0)
    poll_once(store, config, all_feeds=True)
    busy, down = store.feed_by_url(server.url("busy")), store.feed_by_url(server.url("down"))
    assert busy is not None and down is not None and busy.next_due is not None
    assert start + timedelta(seconds=7200) <= busy.next_due <= start + timedelta(seconds=7205)
    assert down.next_due == later
    assert feed_row(store, server.url("busy"))["last_error"] == "HTTP 429 Too Many Requests"


def test_failures_back_off_exponentially_then_reset(tmp_path: Path, server: FeedServer) -> None:
    server.routes["/flaky"] = answer(500, b"oops")
    config, store = open_store(tmp_path, server, [{"url": server.url("flaky")}], interval="10m")
    delays = []
    for _ in range(4):
        poll_once(store, config, all_feeds=True)
        feed = store.feed_by_url(server.url("flaky"))
        assert feed is not None and feed.next_due and feed.last_polled
        delays.append((feed.next_due - feed.last_polled).total_seconds())
    assert feed.error_count == 4
    assert all(later > earlier for earlier, later in pairwise(delays))
    assert delays[0] >= 600 and delays[3] >= 8 * 600  # 10 min × 2^3, plus jitter
    assert delays[3] <= 8 * 600 * 1.25 + 1
    for _ in range(20):
        poll_once(store, config, all_feeds=True)
    capped = store.feed_by_url(server.url("flaky"))
    assert capped is not None and capped.next_due and capped.last_polled
    assert (capped.next_due - capped.last_polled).total_seconds() <= 24 * 3600
    server.routes["/flaky"] = answer(200, GOOD)
    poll_once(store, config, all_feeds=True)
    healed = store.feed_by_url(server.url("flaky"))
    assert healed is not None and healed.error_count == 0


# --- 7. politeness -----------------------------------------------------------------------------


class Tracker:
    """Counts requests in flight at the server, and when each arrived."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most = 0
        self.arrivals: list[float] = []

    def route(self, handler: BaseHTTPRequestHandler) -> bool:
        with self.lock:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
            self.arrivals.append(time.monotonic())
        time.sleep(0.3)
        with self.lock:
            self.in_flight -= 1
        send(handler, 200, GOOD)
        return True


def test_per_host_concurrency_and_delay(tmp_path: Path, server: FeedServer) -> None:
    tracker = Tracker()
    names = [f"p{n}" for n in range(6)]
    for name in names:
        server.routes[f"/{name}"] = tracker.route
    config, store = open_store(tmp_path, server, [{"url": server.url(n)} for n in names], concurrency=16)
    poller = Poller(store, config)
    poller.hosts = HostLimiter(concurrency=2, delay=0.2, delay_loopback=True)
    report = asyncio.run(poller.poll(store.feeds()))
    assert report.ok == 6
    assert tracker.most <= 2 and poller.hosts.max_in_flight["127.0.0.1"] == 2
    gaps = [b - a for a, b in pairwise(tracker.arrivals)]
    assert min(gaps) >= 0.2 - 0.05  # starts spaced by the delay (a little network jitter allowed)


def test_a_poller_serves_several_event_loops(tmp_path: Path, server: FeedServer) -> None:
    """`poll` from two asyncio.run calls (a CLI pass, then another): limits are per loop."""
    for n in range(4):
        server.routes[f"/l{n}"] = answer(200, GOOD)
    config, store = open_store(
        tmp_path, server, [{"url": server.url(f"l{n}")} for n in range(4)], concurrency=1
    )
    poller = Poller(store, config)
    for _ in range(2):
        assert asyncio.run(poller.poll(store.feeds())).failed == 0


def test_validators_are_always_sent_when_known(tmp_path: Path, server: FeedServer) -> None:
    modified = "Sat, 22 Mar 2025 10:00:00 GMT"
    server.routes["/v"] = answer(200, GOOD, {"ETag": '"abc"', "Last-Modified": modified})
    config, store = open_store(tmp_path, server, [{"url": server.url("v")}])
    poll_once(store, config, all_feeds=True)
    server.routes["/v"] = answer(304, b"", {"ETag": '"abc"'})
    poll_once(store, config, all_feeds=True)
    poll_once(store, config, all_feeds=True)
    for _path, headers in server.requests[1:]:
        assert headers.get("if-none-match") == '"abc"' and headers.get("if-modified-since") == modified
    assert store.feed_by_url(server.url("v")).last_status == "not_modified"  # type: ignore[union-attr]


def test_feeds_of_one_host_spread_over_their_interval() -> None:
    urls = [f"https://one.example/feed{n}" for n in range(10)]
    phases = host_phases({"one.example": urls, "two.example": ["https://two.example/x"]})
    polled = datetime(2025, 3, 22, 12, 0, tzinfo=UTC)
    interval = 1800
    dues = sorted(spread_due(polled + timedelta(seconds=interval), polled, interval, phases[u]) for u in urls)
    gaps = [(b - a).total_seconds() for a, b in pairwise(dues)]
    assert all(abs(gap - interval / 10) < 1 for gap in gaps)  # evenly spaced, one slot each
    for due in dues:
        assert polled + timedelta(seconds=interval / 2) <= due <= polled + timedelta(seconds=interval * 1.5)
    # Once on its slot, a feed stays there: polled 7 s late, its next poll is a whole interval on.
    phase = phases[urls[0]]
    first = spread_due(polled + timedelta(seconds=interval), polled, interval, phase)
    polled_again = first + timedelta(seconds=7)
    again = spread_due(polled_again + timedelta(seconds=interval), polled_again, interval, phase)
    assert abs((again - first).total_seconds() - interval) < 1


def test_the_pace_of_a_feed_s_items_sets_its_interval_in_a_poll(tmp_path: Path, server: FeedServer) -> None:
    now = datetime.now(UTC)
    hourly = [
        {
            "title": f"H{n}",
            "guid": f"h{n}",
            "link": f"https://h.example/{n}",
            "pubDate": email.utils.format_datetime(now - timedelta(minutes=20 * n), usegmt=True),
        }
        for n in range(1, 60)
    ]
    server.routes["/busy"] = answer(200, rss(hourly).encode())
    server.routes["/fixed"] = answer(200, rss(hourly).encode())
    config, store = open_store(
        tmp_path,
        server,
        [{"url": server.url("busy")}, {"url": server.url("fixed"), "interval": "45m"}],
        interval="30m",
        min_interval="5m",
    )
    poll_once(store, config, all_feeds=True)
    busy, fixed = store.feed_by_url(server.url("busy")), store.feed_by_url(server.url("fixed"))
    assert busy and fixed and busy.next_due and busy.last_polled and fixed.next_due and fixed.last_polled
    # 59 posts in the last 20 hours, one every 20 minutes: the spread keeps it within ±½.
    busy_delay = (busy.next_due - busy.last_polled).total_seconds()
    assert 20 * 60 / 2 <= busy_delay <= 20 * 60 * 1.5
    fixed_delay = (fixed.next_due - fixed.last_polled).total_seconds()
    assert 45 * 60 / 2 <= fixed_delay <= 45 * 60 * 1.5  # its own interval rules (no overflow in 45 min)


def test_status_streaks_are_pure_decisions() -> None:
    state = StatusStreaks()
    for _ in range(2):
        decision = plan_status(state, 410, None)
        assert not decision.gone
        state = decision.streaks
    assert plan_status(state, 410, None).gone
    assert not plan_status(state, 200, None).gone  # a success breaks the streak
    moved = StatusStreaks()
    for _ in range(2):
        decision = plan_status(moved, 200, "https://new.example/feed")
        assert decision.move_to is None
        moved = decision.streaks
    assert plan_status(moved, 200, "https://new.example/feed").move_to == "https://new.example/feed"
    assert plan_status(moved, 500, "https://new.example/feed").move_to is None  # not to a broken place
    assert plan_status(moved, 200, "https://other.example/feed").move_to is None  # must be the same place


# --- 8. content ------------------------------------------------------------------------------


def test_charsets_boms_and_content_types(tmp_path: Path, server: FeedServer) -> None:
    def feed(title: str, declaration: str = "") -> str:
        guid = f"urn:x:{abs(hash(title))}"
        return (
            f'<?xml version="1.0"{declaration}?><rss version="2.0"><channel><title>t</title>'
            f"<item><guid>{guid}</guid><title>{title}</title></item></channel></rss>"
        )

    cases = {
        "latin1-undeclared": (feed("Café au lait").encode("latin-1"), "application/rss+xml", "Café au lait"),
        "wrong-header": (
            feed("Привет мир", ' encoding="windows-1251"').encode("cp1251"),
            "text/xml; charset=utf-8",
            "Привет мир",
        ),
        "utf8-bom": (b"\xef\xbb\xbf" + feed("Grüße", ' encoding="utf-8"').encode(), "text/xml", "Grüße"),
        "utf16-bom": (
            feed("日本語のニュース", ' encoding="utf-16"').encode("utf-16"),
            "application/xml",
            "日本語のニュース",
        ),
        "as-html": (feed("Labelled as HTML").encode(), "text/html", "Labelled as HTML"),
        "as-binary": (feed("Octets").encode(), "application/octet-stream", "Octets"),
        "bad-bytes": (
            feed("Broken \xff\xfe bytes").encode("latin-1").replace(b"\xe9", b"\xc3"),
            "text/xml; charset=utf-8",
            None,
        ),
    }
    for name, (body, kind, _title) in cases.items():
        server.routes[f"/{name}"] = raw(200, body, {"Content-Type": kind})
    server.routes["/page"] = raw(
        200,
        b"<!doctype html><html><head><title>News</title>"
        b'<link rel="alternate" type="application/rss+xml" href="/rss">'
        b"</head><body>hello</body></html>",
        {"Content-Type": "text/html"},
    )
    server.routes["/noise"] = raw(200, bytes(range(256)) * 40, {"Content-Type": "application/rss+xml"})
    config, store = open_store(tmp_path, server, [{"url": server.url(n)} for n in [*cases, "page", "noise"]])
    poll_once(store, config, all_feeds=True)
    for name, (_body, _kind, title) in cases.items():
        rows = store.query(
            "SELECT a.title FROM articles a JOIN feeds f ON f.id = a.feed_id WHERE f.url = ?",
            [server.url(name)],
        )
        assert len(rows) == 1, name
        if title is not None:
            assert rows[0]["title"] == title, name
    page = feed_row(store, server.url("page"))
    assert (page["last_status"], page["last_error_step"]) == ("error", "while parsing")
    assert "HTML page" in str(page["last_error"])
    noise = feed_row(store, server.url("noise"))
    assert (noise["last_status"], noise["last_error_step"]) == ("error", "while parsing")


def test_feed_links_are_found_on_a_page() -> None:
    page = b"""<html><head><base href="https://site.example/news/">
    <link rel="stylesheet" href="/s.css">
    <link rel="alternate" type="application/rss+xml" title="All news" href="rss.xml">
    <LINK REL="Alternate" TYPE="application/atom+xml" HREF="https://site.example/atom">
    <link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
    <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
    </head><body><p>broken <b>markup"""
    links = find_feed_links(page, "https://site.example/")
    assert [(link.url, link.title) for link in links] == [
        ("https://site.example/news/rss.xml", "All news"),
        ("https://site.example/atom", None),
    ]


def test_feeds_add_of_a_page_offers_its_feeds(tmp_path: Path, server: FeedServer) -> None:
    server.routes["/page"] = raw(
        200,
        b'<html><head><link rel="alternate" type="application/rss+xml" '
        b'href="/one.xml"><link rel="alternate" type="application/atom+xml" '
        b'href="/two.xml"></head></html>',
        {"Content-Type": "text/html"},
    )
    server.routes["/one.xml"] = answer(200, GOOD)
    config_path = write_config(tmp_path / "feeds.yaml", [])
    runner = CliRunner()
    refused = runner.invoke(main, ["--config", str(config_path), "feeds", "add", server.url("page")])
    assert refused.exit_code == 1
    assert server.url("one.xml") in refused.output and server.url("two.xml") in refused.output
    assert load_config(config_path).feeds == ()
    with runner.isolation(input="2\n"):
        chosen = feed_url_to_add(server.url("page"), load_config(config_path), interactive=True)
    assert chosen == server.url("two.xml")
    direct = runner.invoke(main, ["--config", str(config_path), "feeds", "add", server.url("one.xml")])
    assert direct.exit_code == 0 and [f.url for f in load_config(config_path).feeds] == [
        server.url("one.xml")
    ]


STUB_NAMES = {  # the resolver stub: names that point into the user's network
    "feeds.corp.example": "127.0.0.1",
    "intranet.example": "10.0.0.5",
    "metadata.example": "169.254.169.254",
}
PRIVATE_SPELLINGS = (
    "127.0.0.1",
    "2130706433",  # decimal
    "0x7f000001",  # hex
    "0x7f.1",
    "0177.0.0.1",  # octal
    "017700000001",
    "127.1",
    "[::ffff:127.0.0.1]",  # IPv4-mapped IPv6
    "[::ffff:7f00:1]",
    "[::1]",
    "localhost",
    "169.254.169.254",  # link-local: cloud metadata
    "[fe80::1]",
    "10.0.0.5",
    "feeds.corp.example",  # names resolving to them
    "intranet.example",
    "metadata.example",
)


def test_feeds_add_refuses_a_private_address_in_any_spelling_before_any_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_getaddrinfo = socket.getaddrinfo
    looked_up: list[str] = []

    def stub(host: str, port: object, *args: object, **kwargs: object) -> list[tuple[object, ...]]:
        looked_up.append(host)
        if host in STUB_NAMES:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (STUB_NAMES[host], port))]
        if host == "localhost":  # /etc/hosts
            return real_getaddrinfo(host, port, *args, **kwargs)  # type: ignore[arg-type]
        # An address in any spelling is read by the C library, never sent to a DNS server.
        return real_getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_NUMERICHOST)  # type: ignore[arg-type]

    monkeypatch.setattr(socket, "getaddrinfo", stub)
    connections: list[object] = []
    with socket.socket() as listener:  # where 127.0.0.1 and the names pointing to it would land
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(0.2)
        port = listener.getsockname()[1]

        def accepted() -> int:
            try:
                while True:
                    conn, _ = listener.accept()
                    connections.append(conn)
                    conn.close()
            except OSError:
                return len(connections)

        guarded = write_config(tmp_path / "feeds.yaml", [], allow_private_addresses=False)
        runner = CliRunner()
        for host in PRIVATE_SPELLINGS:
            url = f"http://{host}:{port}/feed.xml"
            result = runner.invoke(main, ["--config", str(guarded), "feeds", "add", url])
            assert result.exit_code == 1, (host, result.output)
            assert "refused" in result.output and "allow_private_addresses" in result.output, host
            assert load_config(guarded).feeds == (), host
        assert accepted() == 0  # nothing was sent to any of them
        assert {"feeds.corp.example", "intranet.example", "metadata.example"} <= set(looked_up)
        # The control: allowed, the same address is fetched (and, not a feed, refused as such).
        open_config = write_config(tmp_path / "open.yaml", [], allow_private_addresses=True, timeout=1)
        result = runner.invoke(
            main, ["--config", str(open_config), "feeds", "add", f"http://127.0.0.1:{port}/"]
        )
        assert result.exit_code == 1 and "no feed read at" in result.output, result.output
        assert accepted() >= 1


# --- 10. all at once ---------------------------------------------------------------------------


@pytest.fixture
def hostile_world(server: FeedServer) -> Iterator[tuple[FeedServer, list[str], list[str], threading.Event]]:
    stop = threading.Event()
    routes: dict[str, Callable[..., bool]] = {
        "bomb-gzip": raw(200, bomb("gzip"), {"Content-Encoding": "gzip"}),
        "bomb-br": raw(200, bomb("br"), {"Content-Encoding": "br"}),
        "drip": lambda h: drip(h, 0.3, stop),
        "silent": silent,
        "gone": answer(410),
        "busy": answer(429, b"", {"Retry-After": "60"}),
        "loop": answer(301, b"", {"Location": "/loop2"}),
        "loop2": answer(301, b"", {"Location": "/loop"}),
        "laughs": raw(200, LAUGHS, {"Content-Type": "text/xml"}),
        "quadratic": raw(200, quadratic(), {"Content-Type": "text/xml"}),
        "page": raw(200, b"<html><body>not a feed</body></html>", {"Content-Type": "text/html"}),
        "noise": raw(200, bytes(range(256)) * 100, {}),
        "huge": raw(200, b"<rss>" + b"x" * (3 * CAP), {}),
        "broken-gzip": raw(200, b"\x1f\x8b" + b"\0" * 100, {"Content-Encoding": "gzip"}),
    }
    for name, route in routes.items():
        server.routes[f"/{name}"] = route
    good = [f"good{n}" for n in range(20)]
    for n, name in enumerate(good):
        items = [
            {**item, "guid": f"{name}-{item['guid']}", "link": f"{item['link']}/{name}"} for item in ITEMS
        ]
        server.routes[f"/{name}"] = answer(200, rss(items, title=f"Good {n}").encode(), {"ETag": f'"{name}"'})
    try:
        yield server, good, [n for n in routes if n != "loop2"], stop
    finally:
        stop.set()


def test_good_feeds_keep_their_schedule_beside_every_hostile_one(tmp_path: Path, hostile_world) -> None:
    server, good, hostile, _stop = hostile_world
    defused = ["laughs", "quadratic"]  # real feeds once their DTD is gone: stored, unexpanded
    failing = [name for name in hostile if name not in defused]
    feeds = [{"url": server.url(n)} for n in good + hostile]
    feeds.append({"url": "http://169.254.169.254/latest/meta-data/", "allow_private_addresses": "false"})
    config, store = open_store(
        tmp_path, server, feeds, timeout=3, max_body_bytes=CAP, interval="30m", concurrency=8
    )
    tracemalloc.start()
    try:
        for round_ in range(2):
            report = poll_once(store, config, all_feeds=True)
            # The second round leaves alone the feed whose server said Retry-After.
            assert report.failed == len(failing) + 1 - round_
            for name in good:
                feed = store.feed_by_url(server.url(name))
                assert feed is not None and feed.last_polled and feed.next_due
                assert feed.error_count == 0 and feed.last_status in ("ok", "not_modified", "unchanged")
                delay = (feed.next_due - feed.last_polled).total_seconds()
                # Its 3 items date from March 2025: at their pace, the 24 h ceiling, moved to its
                # slot; no backoff from the hostile feeds beside it.
                assert 12 * 3600 <= delay <= 24 * 3600
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"all at once: tracemalloc peak {peak / 1e6:.1f} MB, process max RSS {rss_mb:.0f} MB")
    assert peak < 400 * 1024 * 1024
    assert store.count("articles") == 3 * len(good) + len(defused)
    assert max(len(r["text"]) for r in store.query("SELECT text FROM articles")) < 100_000
    for name in failing:
        row = feed_row(store, server.url(name))
        assert row["last_status"] == "error" and row["last_error"] and row["last_error_step"], name


def test_poll_all_still_waits_as_a_server_asked(tmp_path: Path, server: FeedServer) -> None:
    server.routes["/busy"] = answer(429, b"slow down", {"Retry-After": "7200"})
    server.routes["/fine"] = answer(200, GOOD)
    config, store = open_store(tmp_path, server, [{"url": server.url("busy")}, {"url": server.url("fine")}])
    poll_once(store, config, all_feeds=True)
    def hits(path: str) -> int:
        return sum(1 for seen, _ in server.requests if seen == path)

    before = hits("/busy")
    again = CliRunner().invoke(main, ["--config", str(tmp_path / "feeds.yaml"), "poll", "--all"])
    assert again.exit_code == 0, again.output
    assert hits("/busy") == before == 1  # Retry-After is honoured even with --all
    assert f"not polled: {server.url('busy')}: its server asked us to wait until" in again.output
    assert hits("/fine") == 2


def test_an_absurd_max_age_is_bounded_not_a_crash(tmp_path: Path, server: FeedServer) -> None:
    server.routes["/eternal"] = answer(200, GOOD, {"Cache-Control": "max-age=99999999999999999999"})
    config, store = open_store(tmp_path, server, [{"url": server.url("eternal")}])
    report = poll_once(store, config, all_feeds=True)
    assert report.ok == 1 and report.new_articles == len(ITEMS)
    assert feed_row(store, server.url("eternal"))["max_age_seconds"] == 365 * 86400


def test_both_connection_pools_share_one_tls_context_that_verifies() -> None:
    """Each TLS context made reads the CA bundle (a tenth of a second): a client makes one."""
    import ssl

    transport = make_client(OPTIONS)._transport
    contexts = {id(pool._pool._ssl_context) for pool in (transport.open, transport.guarded)}  # type: ignore[attr-defined]
    assert len(contexts) == 1
    context = transport.guarded._pool._ssl_context  # type: ignore[attr-defined]
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
