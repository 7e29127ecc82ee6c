"""Benchmark: one full poll cycle of many feeds served from loopback (issue 4).

    .venv/bin/python bench/poll.py [--feeds 10000] [--hosts 50] [--items 20]
    .venv/bin/python bench/poll.py --feeds 4 --hosts 1 --items 20000 --no-naive   # huge feeds
    .venv/bin/python bench/poll.py --feeds 4 --hosts 1 --items 10 --body-chars 900000 --no-naive

A server process answers on 127.0.0.1 .. 127.0.0.<hosts> with a realistic mix per feed:
70 % answer 304 to a conditional request, 10 % send the same body without validators,
15 % carry two new items each cycle, 3 % are slow (2 s) and 2 % fail (500, 410).
The monitor side runs the real Poller on a real SQLite file:

1. a first cycle, cold (every body fetched, parsed and stored), to learn the validators;
2. the measured cycle: the steady state a daemon lives in;
3. the naive cycle: the same feeds fetched without validators and every body parsed,
   as a poller without conditional requests or body hashes would.

It prints wall time, CPU time, peak memory and requests per second for each, and the
ratio naive / monitor. Targets: the measured cycle within 60 s and 400 MB.

With --backends sqlite,pg (bench/backends.py) the same cycles run on a fresh SQLite file and on
a fresh database of a throw-away PostgreSQL cluster, interleaved (cold on each, then for each
round one step of the server's cycle and the steady cycle on each, the order swapped each
round), and the PostgreSQL / SQLite ratio of the wall times is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from email.utils import formatdate
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import backends

from monitor.config import Config, FeedConfig, Settings
from monitor.pipeline import Poller, PollReport
from monitor.store import open_store

SLOW_SECONDS = float(os.environ.get("BENCH_SLOW", "2.0"))
EPOCH = 1_700_000_000


def kind_of(index: int) -> str:
    bucket = index % 100
    if bucket < 70:
        return "validators"
    if bucket < 80:
        return "no-validators"
    if bucket < 95:
        return "new-items"
    if bucket < 98:
        return "slow"
    return "error-500" if bucket == 98 else "gone"


def padding(chars: int) -> str:
    """About `chars` characters of escaped HTML paragraphs, to make each item's body long."""
    sentence = "More words of a very long article, paragraph after paragraph, to fill the body. "
    paragraph = "&lt;p&gt;" + sentence * 10 + "&lt;/p&gt;"
    return paragraph * (chars // len(paragraph))


def feed_body(index: int, cycle: int, items: int, body_chars: int = 0) -> bytes:
    """An RSS document of `items` items; 'new-items' feeds gain two items per cycle.
    With `body_chars`, each item's description is padded to about that length."""
    extra = padding(body_chars) if body_chars else ""
    newest = items + (2 * cycle if kind_of(index) == "new-items" else 0)
    parts = [
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>',
        f"<title>Feed {index}</title><link>https://site{index}.example/</link><language>en</language>",
    ]
    for n in range(newest, newest - items, -1):
        stamp = formatdate(EPOCH + n * 3600 + index, usegmt=True)
        parts.append(
            f"<item><title>Story {n} of feed {index}: a headline of some length</title>"
            f"<link>https://site{index}.example/story/{n}</link><guid>f{index}-s{n}</guid>"
            f"<pubDate>{stamp}</pubDate><description>&lt;p&gt;The first paragraph of story {n}, "
            f"as feed {index} tells it, with enough words to look like a summary of the "
            f"news of the day and a second sentence for good measure.&lt;/p&gt;{extra}</description></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()


# --- the server process ------------------------------------------------------------------


def serve(hosts: int, items: int, ready: multiprocessing.Queue, body_chars: int = 0) -> None:  # type: ignore[type-arg]
    state = {"cycle": 0}

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                if path == "/control/next":
                    state["cycle"] += 1
                    status, body, extra = 200, b"ok", {}
                else:
                    index = int(path.rsplit("/", 1)[1])
                    status, body, extra = await respond(index, headers)
                lines_out = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}"]
                lines_out += [f"{k}: {v}" for k, v in extra.items()]
                writer.write(("\r\n".join(lines_out) + "\r\n\r\n").encode() + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    async def respond(index: int, headers: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
        kind = kind_of(index)
        cycle = state["cycle"]
        if kind == "error-500":
            return 500, b"internal error", {}
        if kind == "gone":
            return 410, b"gone", {}
        if kind == "slow":
            await asyncio.sleep(SLOW_SECONDS)
        if kind == "no-validators":
            return 200, feed_body(index, 0, items, body_chars), {"Content-Type": "application/rss+xml"}
        etag = f'"{index}-{cycle if kind == "new-items" else 0}"'
        if headers.get("if-none-match") == etag:
            return 304, b"", {"ETag": etag}
        version = cycle if kind == "new-items" else 0
        body = feed_body(index, version, items, body_chars)
        return 200, body, {"ETag": etag, "Content-Type": "application/rss+xml"}

    async def main() -> None:
        ports = []
        servers = []
        for host in range(1, hosts + 1):
            server = await asyncio.start_server(answer, f"127.0.0.{host}", 0, backlog=1024)
            servers.append(server)
            ports.append(server.sockets[0].getsockname()[1])
        ready.put(ports)
        await asyncio.Event().wait()

    asyncio.run(main())


# --- the monitor side --------------------------------------------------------------------


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(label: str, poller: Poller, feeds: list, requests: int) -> tuple[float, PollReport]:  # type: ignore[type-arg]
    cpu0, wall0 = time.process_time(), time.perf_counter()
    report = asyncio.run(poller.poll(feeds))
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    print(
        f"{label:28} wall {wall:6.1f} s  cpu {cpu:6.1f} s  peak RSS {peak_rss_mb():6.0f} MB  "
        f"{requests / wall:7.0f} requests/s   {report.summary()}"
    )
    return wall, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--feeds", type=int, default=10_000)
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--no-naive", action="store_true", help="Skip the naive comparison cycle.")
    parser.add_argument(
        "--body-chars", type=int, default=0, help="Pad each item's body to about this many characters."
    )
    parser.add_argument(
        "--max-entries", type=int, default=Settings.max_entries, help="settings.max_entries for the poll."
    )
    parser.add_argument("--rounds", type=int, default=1, help="Steady cycles per backend (best one kept).")
    backends.add_arguments(parser)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # the failing feeds' warnings are expected

    ready: multiprocessing.Queue = multiprocessing.Queue()  # type: ignore[type-arg]
    server = multiprocessing.Process(
        target=serve, args=(args.hosts, args.items, ready, args.body_chars), daemon=True
    )
    server.start()
    ports = ready.get(timeout=30)
    control = f"http://127.0.0.1:{ports[0]}/control/next"
    # Spread each kind over the hosts (a slow feed's host is not the host of every slow feed).
    host_of = [(i // 100 + i) % args.hosts for i in range(args.feeds)]
    feeds = tuple(
        FeedConfig(url=f"http://127.0.0.{host_of[i] + 1}:{ports[host_of[i]]}/f/{i}")
        for i in range(args.feeds)
    )
    print(
        f"{args.feeds} feeds on {args.hosts} loopback hosts, {args.items} items each "
        f"(bodies padded by {args.body_chars} characters, max_entries {args.max_entries}); "
        f"concurrency {args.concurrency}, 2 per host; python {sys.version.split()[0]}, {os.cpu_count()} CPUs"
    )
    print(backends.describe(args), flush=True)
    import httpx

    with tempfile.TemporaryDirectory() as tmp, backends.backends(args, Path(tmp)) as chosen:
        pollers = {}
        for backend in chosen:
            settings = Settings(
                database=backend.fresh("poll"),
                allow_private_addresses=True,
                concurrency=args.concurrency,
                timeout=10.0,
                max_entries=args.max_entries,
            )
            config = Config(path=Path(tmp) / "feeds.yaml", settings=settings, feeds=feeds)
            store = open_store(settings.database)
            store.sync_feeds(feeds)
            pollers[backend.name] = (store, config, Poller(store, config))
        names = list(pollers)
        for name in names:
            store, _config, poller = pollers[name]
            measure(f"{name}: cycle 1 (cold)", poller, store.feeds(), args.feeds)
        walls: dict[str, list[float]] = {name: [] for name in names}
        for round_ in range(args.rounds):
            httpx.get(control)  # the 'new-items' feeds gain two items
            print(f"  round {round_ + 1} (load {backends.load()})", flush=True)
            for name in names if round_ % 2 == 0 else names[::-1]:
                store, _config, poller = pollers[name]
                wall, _report = measure(f"{name}: cycle 2 (steady)", poller, store.feeds(), args.feeds)
                walls[name].append(wall)
        for name in names:
            best = min(walls[name])
            print(
                f"    {name}: measured cycle, best of {args.rounds}: {best:.1f} s wall (target 60 s), "
                f"peak RSS {peak_rss_mb():.0f} MB (target 400 MB)"
            )
        line = backends.ratio_line("steady cycle wall", {n: min(w) for n, w in walls.items()}, False)
        if line:
            print(line)
        if not args.no_naive:
            for name in names:
                store, config, _poller = pollers[name]
                # The same store and articles, with no validators and no body hashes known:
                # every feed is fetched whole and every body parsed.
                forgetful = [
                    dataclasses.replace(f, etag=None, last_modified=None, body_hash=None)
                    for f in store.feeds()
                ]
                naive_wall, _ = measure(
                    f"{name}: naive (no validators, parse all)", Poller(store, config), forgetful, args.feeds
                )
                print(f"    {name}: naive / monitor wall time: {naive_wall / min(walls[name]):.1f}x")
        for store, _config, _poller in pollers.values():
            store.close()
    server.terminate()


if __name__ == "__main__":
    main()
