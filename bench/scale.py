"""Benchmark: many poll workers on one PostgreSQL database (issue 17).

    .venv/bin/python bench/scale.py                          # 100,000 feeds; 1, 2, 4 workers
    .venv/bin/python bench/scale.py --feeds 20000 --workers 1,2
    .venv/bin/python bench/scale.py --kill-test              # 3 workers, one SIGKILLed every 30 s

Everything runs on this machine: a throw-away PostgreSQL cluster (tests/pgcluster.py), one
feed server process answering on loopback addresses 127.0.1.1, 127.0.1.2, ... (one per
host, `--hosts`), and `monitor run --role poll` processes as subprocesses with
MONITOR_DATABASE_URL set. The mix of feeds is bench/poll.py's: 70 % answer 304 to a
conditional request, 10 % send the same body without validators, 15 % carry two new items
per cycle, 3 % are slow (2 s) and 2 % fail (500, 410). Loopback hosts get no per-host
delay (monitor/ingest/politeness.py), so what is measured is the workers' CPU and the
database, not the manners towards publishers.

Scaling: `monitor init`, then a cold first cycle (every body fetched, parsed and stored, by
the largest number of workers) sets the conditional-GET state. Then, for each worker count:
the workers start with no feed due; once all have said they are alive, every active feed is
made due at once (and the new-items feeds gain two items), and the cycle ends when each has
been polled once more (its row in fetch_log). Printed: the cycle's time, requests per
second, CPU seconds and peak memory per worker, the database server's and the feed server's
CPU, the ratio of each count's rate to one worker's, and the CPU other processes on the
machine took meanwhile (on a busy machine the figures are not monitor's alone). Targets
(issue 17): >= 1.7x from 1 to 2 workers on a 2-core machine; a 100,000-feed cycle within
10 minutes.

Kill test: 3 workers on a fresh database (feeds due every 5 minutes, the new-items feeds
gaining two items every 30 s, never dropping old ones); one worker is SIGKILLed every 30 s
and a new one started in its place, for 5 minutes; then the workers run on undisturbed until
the claims of the killed ones have ended and no feed is overdue. Checked: every feed was
polled and none is overdue; no feed was requested twice at once (the feed server's own log
of each request's start and end), nor polled at once by two workers (fetch_log: start,
duration and worker); every item the server sent is stored, once.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import multiprocessing
import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402
import psycopg  # noqa: E402

from bench.poll import kind_of  # noqa: E402
from tests import pgcluster  # noqa: E402

SLOW_SECONDS = float(os.environ.get("BENCH_SLOW", "2.0"))
EPOCH = 1_700_000_000
FEEDS_PER_OCTET = 250  # host h listens on 127.0.(1 + h // 250).(1 + h % 250)


def host_address(host: int) -> str:
    return f"127.0.{1 + host // FEEDS_PER_OCTET}.{1 + host % FEEDS_PER_OCTET}"


def host_of_feed(index: int, hosts: int) -> int:
    """Spread each kind of feed over the hosts, as bench/poll.py does."""
    return (index // 100 + index) % hosts


def item_range(index: int, version: int, items: int, grow: bool) -> range:
    """The item numbers feed `index` carries at `version`, newest first. New-items feeds gain
    two per version; with `grow` they keep every older one too (nothing drops off)."""
    newest = items + (2 * version if kind_of(index) == "new-items" else 0)
    oldest = 1 if grow else newest - items + 1
    return range(newest, oldest - 1, -1)


def guid(index: int, n: int) -> str:
    return f"f{index}-s{n}"


def feed_body(index: int, numbers: range) -> bytes:
    parts = [
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>',
        f"<title>Feed {index}</title><link>https://site{index}.example/</link><language>en</language>",
    ]
    for n in numbers:
        stamp = formatdate(EPOCH + n * 3600 + index, usegmt=True)
        parts.append(
            f"<item><title>Story {n} of feed {index}: a headline of some length</title>"
            f"<link>https://site{index}.example/story/{n}</link><guid>{guid(index, n)}</guid>"
            f"<pubDate>{stamp}</pubDate><description>The first paragraph of story {n}, as feed "
            f"{index} tells it, with enough words to look like a summary.</description></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()


# --- the feed server ---------------------------------------------------------------------
#
# One process, raw asyncio protocols (no HTTP library: at 100,000 feeds the server must cost
# little beside the workers and PostgreSQL on two cores). Every request is logged as
# (feed, start, end, status, version); /control/dump writes the log to a file.


class FeedServer:
    def __init__(self, items: int, grow: bool, log_path: Path) -> None:
        self.items = items
        self.grow = grow
        self.log_path = log_path
        self.version = 0
        self.log: list[tuple[int, float, float, int, int]] = []
        self.loop = asyncio.get_running_loop()

    def answer(self, head: bytes, transport: asyncio.Transport) -> None:
        start = time.time()
        lines = head.split(b"\r\n")
        path = lines[0].split(b" ")[1].decode()
        if path.startswith("/control/"):
            self.control(path, transport)
            return
        etag_sent = None
        for line in lines[1:]:
            if line[:14].lower() == b"if-none-match:":
                etag_sent = line[14:].strip().decode()
        index = int(path.rsplit("/", 1)[1])
        kind = kind_of(index)
        if kind == "slow":
            self.loop.call_later(SLOW_SECONDS, self.respond, index, kind, etag_sent, start, transport)
        else:
            self.respond(index, kind, etag_sent, start, transport)

    def respond(
        self, index: int, kind: str, etag_sent: str | None, start: float, transport: asyncio.Transport
    ) -> None:
        version = self.version if kind == "new-items" else 0
        headers = "Content-Type: application/rss+xml\r\n"
        if kind == "error-500":
            status, body, headers = 500, b"internal error", ""
        elif kind == "gone":
            status, body, headers = 410, b"gone", ""
        elif kind == "no-validators":
            status, body = 200, feed_body(index, item_range(index, 0, self.items, self.grow))
        else:
            etag = f'"{index}-{version}"'
            headers += f"ETag: {etag}\r\n"
            if etag_sent == etag:
                status, body = 304, b""
            else:
                status, body = 200, feed_body(index, item_range(index, version, self.items, self.grow))
        if transport.is_closing():  # the worker went away (killed): nothing was delivered
            return
        transport.write(
            f"HTTP/1.1 {status} X\r\nContent-Length: {len(body)}\r\n{headers}\r\n".encode() + body
        )
        self.log.append((index, start, time.time(), status, version))

    def control(self, path: str, transport: asyncio.Transport) -> None:
        if path == "/control/next":
            self.version += 1
        elif path == "/control/dump":
            with self.log_path.open("w", encoding="utf-8") as fh:
                fh.writelines(f"{i}\t{s:.6f}\t{e:.6f}\t{st}\t{v}\n" for i, s, e, st, v in self.log)
        body = json.dumps({"version": self.version, "requests": len(self.log)}).encode()
        transport.write(f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)


class _Connection(asyncio.Protocol):
    def __init__(self, server: FeedServer) -> None:
        self.server = server
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            assert self.transport is not None
            self.server.answer(head, self.transport)


def serve(hosts: int, items: int, grow: bool, log_path: Path, ready: Any) -> None:
    raise_fd_limit()

    async def main() -> None:
        server = FeedServer(items, grow, log_path)
        loop = asyncio.get_running_loop()
        control = await loop.create_server(lambda: _Connection(server), "127.0.0.1", 0, backlog=1024)
        port = control.sockets[0].getsockname()[1]
        listeners = [control]
        for host in range(hosts):  # the same port on every address
            listeners.append(
                await loop.create_server(lambda: _Connection(server), host_address(host), port, backlog=1024)
            )
        ready.put(port)
        await asyncio.Event().wait()

    asyncio.run(main())


def raise_fd_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


@contextlib.contextmanager
def feed_server(hosts: int, items: int, grow: bool, log_path: Path) -> Iterator[tuple[int, psutil.Process]]:
    ready: multiprocessing.Queue[int] = multiprocessing.Queue()
    process = multiprocessing.Process(target=serve, args=(hosts, items, grow, log_path, ready), daemon=True)
    process.start()
    try:
        port = ready.get(timeout=120)
        assert process.pid is not None
        yield port, psutil.Process(process.pid)
    finally:
        process.terminate()
        process.join(10)


def control(port: int, what: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/control/{what}", timeout=60) as answer:
        result: dict[str, Any] = json.load(answer)
        return result


# --- the database and the workers --------------------------------------------------------


def sql(url: str, query: str, params: Any = None) -> list[tuple[Any, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(query, params)
        return list(cursor.fetchall()) if cursor.description else []


def write_feeds_yaml(path: Path, feeds: int, hosts: int, port: int, concurrency: int, interval: str) -> None:
    lines = [
        "settings:",
        "  allow_private_addresses: true  # the feed server is on 127.0.x.y",
        f"  concurrency: {concurrency}",
        f"  interval: {interval}",
        "  min_interval: 5m",
        "  timeout: 10",
        "feeds:",
    ]
    lines += [f"  - url: http://{host_address(host_of_feed(i, hosts))}:{port}/f/{i}" for i in range(feeds)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@dataclass
class Workers:
    """`monitor run --role poll` subprocesses, with their logs in `folder`."""

    config: Path
    url: str
    folder: Path
    running: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    peak_rss: dict[str, int] = field(default_factory=dict)

    def start(self, name: str) -> None:
        command = [sys.executable, "-m", "monitor", "--config", str(self.config)]
        command += ["run", "--role", "poll", "--worker", name, "--metrics-port", "0"]
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "MONITOR_DATABASE_URL": self.url}
        log = (self.folder / f"{name}.log").open("ab")
        self.running[name] = subprocess.Popen(command, stdout=log, stderr=log, env=env)

    def kill(self, name: str) -> None:
        process = self.running.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait()

    def stop(self) -> None:
        for process in self.running.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.running.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        self.running.clear()

    def alive(self) -> set[str]:
        """The running workers that have said they are alive (their row in `workers`)."""
        names = {r[0] for r in sql(self.url, "SELECT name FROM workers")}
        for name, process in self.running.items():
            if process.poll() is not None:
                raise SystemExit(f"worker {name} exited ({process.returncode}): see {self.folder / name}.log")
        return names & set(self.running)

    def wait_alive(self, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while self.alive() != set(self.running):
            if time.monotonic() > deadline:
                raise SystemExit(f"workers not alive after {timeout:g} s: see {self.folder}")
            time.sleep(0.5)

    def cpu_seconds(self) -> dict[str, float]:
        times = {}
        for name, process in self.running.items():
            with contextlib.suppress(psutil.Error):
                t = psutil.Process(process.pid).cpu_times()
                times[name] = t.user + t.system
        return times

    def sample_memory(self) -> None:
        for name, process in self.running.items():
            with contextlib.suppress(psutil.Error):
                rss = psutil.Process(process.pid).memory_info().rss
                self.peak_rss[name] = max(self.peak_rss.get(name, 0), rss)


def busy_cpu() -> float:
    """CPU seconds the whole machine has been busy (all cores), since boot."""
    t = psutil.cpu_times()
    return float(sum(t) - t.idle - getattr(t, "iowait", 0.0))


def cpu_of(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            t = process.cpu_times()
            total += t.user + t.system
    return total


def postgres_cpu(cluster: pgcluster.Cluster) -> float:
    """CPU seconds of the whole server so far: the postmaster, its live children (a backend
    per connection, checkpointer, WAL writer...) and the children that have exited."""
    pid = int((cluster.datadir / "postmaster.pid").read_text().split()[0])
    postmaster = psutil.Process(pid)
    t = postmaster.cpu_times()
    return t.user + t.system + t.children_user + t.children_system + cpu_of(postmaster.children())


# --- scaling -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cycle:
    workers: int
    feeds: int
    seconds: float
    requests: int
    cpu: dict[str, float]
    rss_mb: dict[str, float]
    postgres_cpu: float
    server_cpu: float
    other_cpu: float  # CPU seconds of every other process on the machine meanwhile

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


_last_progress = [0.0]


def progress(text: str, since: float) -> None:
    """A progress line every 15 s."""
    now = time.monotonic()
    if now - _last_progress[0] >= 15:
        _last_progress[0] = now
        print(f"  {now - since:5.0f} s: {text}", flush=True)


def first_cycle(url: str, workers: Workers, count: int) -> float:
    """Every feed polled once (bodies fetched, parsed and stored): the validators are known."""
    started = time.monotonic()
    for n in range(count):
        workers.start(f"first-{n}")
    total = sql(url, "SELECT COUNT(*) FROM feeds")[0][0]
    while True:
        polled = sql(url, "SELECT COUNT(*) FROM feeds WHERE last_polled IS NOT NULL")[0][0]
        if polled >= total:
            break
        progress(f"first cycle: {polled}/{total} feeds polled", started)
        time.sleep(2)
    workers.stop()
    return time.monotonic() - started


def steady_cycle(
    url: str, workers: Workers, count: int, port: int, cluster: pgcluster.Cluster, server: psutil.Process
) -> Cycle:
    # Nothing due while the workers start (each syncs feeds.yaml with the database first).
    sql(url, "UPDATE feeds SET next_due = now() + interval '1 day'")
    names = [f"w{count}-{n}" for n in range(count)]
    for name in names:
        workers.start(name)
    workers.wait_alive()
    control(port, "next")  # the new-items feeds gain two items
    cpu0, pg0, server0 = workers.cpu_seconds(), postgres_cpu(cluster), cpu_of([server])
    machine0 = busy_cpu()
    wall0 = time.monotonic()
    ((t0, target),) = sql(
        url,
        "WITH due AS (UPDATE feeds SET next_due = now() WHERE active = 1 AND gone = 0 RETURNING id) "
        "SELECT now(), COUNT(*) FROM due",
    )
    while True:
        workers.sample_memory()
        ((polled, requests, end),) = sql(
            url,
            "SELECT COUNT(DISTINCT feed_id), COUNT(*), "
            "MAX(started + make_interval(secs => duration_ms / 1000.0)) FROM fetch_log WHERE started >= %s",
            [t0],
        )
        if polled >= target:
            break
        progress(f"{count} worker(s): {polled}/{target} feeds polled", wall0)
        workers.alive()  # none died
        time.sleep(1)
    cpu1, pg1, server1 = workers.cpu_seconds(), postgres_cpu(cluster), cpu_of([server])
    machine = busy_cpu() - machine0
    seconds = (end - t0).total_seconds()
    workers.stop()
    ours = sum(cpu1[n] - cpu0[n] for n in names if n in cpu1 and n in cpu0) + pg1 - pg0 + server1 - server0
    return Cycle(
        workers=count,
        feeds=target,
        seconds=seconds,
        requests=requests,
        cpu={n: cpu1[n] - cpu0[n] for n in names if n in cpu1 and n in cpu0},
        rss_mb={n: workers.peak_rss.get(n, 0) / 2**20 for n in names},
        postgres_cpu=pg1 - pg0,
        server_cpu=server1 - server0,
        other_cpu=max(0.0, machine - ours),
    )


def print_cycles(cycles: list[Cycle]) -> None:
    base = cycles[0].rate / cycles[0].workers if cycles else 1.0
    print(
        f"{'workers':>7} {'feeds':>7} {'cycle s':>8} {'req/s':>7} {'ratio':>6}  "
        f"{'CPU s per worker':>18} {'peak RSS MB':>14}  {'PG CPU s':>8} {'server CPU s':>12} "
        f"{'others CPU s':>12}"
    )
    for c in cycles:
        cpu = "/".join(f"{v:.0f}" for v in c.cpu.values())
        rss = "/".join(f"{v:.0f}" for v in c.rss_mb.values())
        print(
            f"{c.workers:>7} {c.feeds:>7} {c.seconds:>8.1f} {c.rate:>7.0f} {c.rate / base:>5.2f}x  "
            f"{cpu:>18} {rss:>14}  {c.postgres_cpu:>8.0f} {c.server_cpu:>12.0f} {c.other_cpu:>12.0f}"
        )


def scaling(args: argparse.Namespace, cluster: pgcluster.Cluster, folder: Path) -> None:
    url = pgcluster.create_database(cluster, "scale")
    counts = [int(n) for n in args.workers.split(",")]
    with feed_server(args.hosts, args.items, False, folder / "requests.tsv") as (port, server):
        config = folder / "feeds.yaml"
        write_feeds_yaml(config, args.feeds, args.hosts, port, args.concurrency, "1d")
        init(config, url)
        workers = Workers(config, url, folder)
        try:
            seconds = first_cycle(url, workers, max(counts))
            print(f"first cycle (cold, {max(counts)} workers): {seconds:.0f} s")
            cycles = [steady_cycle(url, workers, n, port, cluster, server) for n in counts]
        finally:
            workers.stop()
    print_cycles(cycles)
    if args.json:
        data = [{**c.__dict__, "rate": c.rate} for c in cycles]
        Path(args.json).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def init(config: Path, url: str) -> None:
    started = time.monotonic()
    env = {**os.environ, "MONITOR_DATABASE_URL": url}
    command = [sys.executable, "-m", "monitor", "--config", str(config), "init"]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"monitor init failed:\n{done.stderr}")
    print(f"{done.stdout.strip()} ({time.monotonic() - started:.0f} s)")


# --- the kill test -----------------------------------------------------------------------


def kill_test(args: argparse.Namespace, cluster: pgcluster.Cluster, folder: Path) -> bool:
    url = pgcluster.create_database(cluster, "killtest")
    log_path = folder / "kill-requests.tsv"
    with feed_server(args.hosts, args.items, True, log_path) as (port, _server):
        config = folder / "kill-feeds.yaml"
        write_feeds_yaml(config, args.feeds, args.hosts, port, args.concurrency, "5m")
        init(config, url)
        workers = Workers(config, url, folder)
        ticking = threading.Event()

        def tick() -> None:  # the new-items feeds gain two items every 30 s
            while not ticking.wait(30):
                control(port, "next")

        threading.Thread(target=tick, daemon=True).start()
        generation = 0
        try:
            for _ in range(3):
                workers.start(f"k{generation}")
                generation += 1
            started = time.monotonic()
            kills, most_expired = 0, 0
            orphans: list[tuple[str, Any, list[int]]] = []  # victim, killed at (db clock), its claims
            claims_sql = "SELECT COUNT(*) FROM feeds WHERE claimed_by IS NOT NULL AND lease_until < now()"
            while time.monotonic() - started < args.kill_seconds:
                next_kill = time.monotonic() + args.kill_every
                while time.monotonic() < next_kill:  # how many claims outlived their worker
                    most_expired = max(most_expired, sql(url, claims_sql)[0][0])
                    time.sleep(2)
                victim = sorted(workers.running)[kills % 3]
                workers.kill(victim)
                kills += 1
                ((at,),) = sql(url, "SELECT now()")
                held = [r[0] for r in sql(url, "SELECT id FROM feeds WHERE claimed_by = %s", [victim])]
                orphans.append((victim, at, held))
                workers.start(f"k{generation}")
                generation += 1
                print(f"  {time.monotonic() - started:4.0f} s: killed {victim}, holding {len(held)} claims")
            # Undisturbed: the killed workers' claims end and their feeds are taken over.
            print("  no more kills; waiting for the killed workers' claims to be taken over")
            overdue_sql = (
                "SELECT COUNT(*) FROM feeds WHERE active = 1 AND gone = 0 AND "
                "(last_polled IS NULL OR next_due < now() - interval '60 seconds')"
            )
            killed = [victim for victim, _, _ in orphans]
            orphaned_sql = "SELECT COUNT(*) FROM feeds WHERE claimed_by = ANY(%s)"
            deadline = time.monotonic() + args.settle_seconds
            while time.monotonic() < deadline:
                expired = sql(url, claims_sql)[0][0]
                most_expired = max(most_expired, expired)
                orphaned = sql(url, orphaned_sql, [killed])[0][0]
                if orphaned == 0 and expired == 0 and sql(url, overdue_sql)[0][0] == 0:
                    break
                time.sleep(2)
            print(f"  settled in {time.monotonic() - deadline + args.settle_seconds:.0f} s")
            overdue, expired = sql(url, overdue_sql)[0][0], sql(url, claims_sql)[0][0]
            ticking.set()
            control(port, "dump")
        finally:
            ticking.set()
            workers.stop()
    return kill_checks(url, log_path, args, kills, most_expired, overdue, expired, orphans)


def kill_checks(
    url: str,
    log_path: Path,
    args: argparse.Namespace,
    kills: int,
    most_expired: int,
    overdue: int,
    expired: int,
    orphans: list[tuple[str, Any, list[int]]],
) -> bool:
    never = sql(
        url,
        "SELECT COUNT(*) FROM feeds f WHERE NOT EXISTS (SELECT 1 FROM fetch_log l WHERE l.feed_id = f.id)",
    )
    polls = sql(url, "SELECT COUNT(*) FROM fetch_log")[0][0]
    # The feeds a worker held when it was killed: each polled later by another worker.
    held = sum(len(ids) for _, _, ids in orphans)
    taken = 0
    for victim, at, ids in orphans:
        if ids:
            taken += sql(
                url,
                "SELECT COUNT(DISTINCT feed_id) FROM fetch_log WHERE feed_id = ANY(%s) AND started > %s "
                "AND worker IS DISTINCT FROM %s",
                [ids, at, f"monitor poll {victim}"],
            )[0][0]
    # Two polls of one feed by two workers whose fetches overlap in time (by fetch_log).
    overlapping_polls = sql(
        url,
        "SELECT COUNT(*) FROM (SELECT worker, started, "
        " lag(worker) OVER w AS prev_worker, "
        " lag(started + make_interval(secs => duration_ms / 1000.0)) OVER w AS prev_end "
        " FROM fetch_log WINDOW w AS (PARTITION BY feed_id ORDER BY started)) x "
        "WHERE started < prev_end AND worker IS DISTINCT FROM prev_worker",
    )[0][0]
    # Two requests for one feed at once, by the server's own log (whoever sent them).
    requests: dict[int, list[tuple[float, float]]] = defaultdict(list)
    served: set[tuple[int, str]] = set()
    for line in log_path.read_text(encoding="utf-8").splitlines():
        index, start, end, status, version = line.split("\t")
        requests[int(index)].append((float(start), float(end)))
        if status == "200":
            for n in item_range(int(index), int(version), args.items, grow=True):
                served.add((int(index), guid(int(index), n)))
    overlapping_requests = 0
    for spans in requests.values():
        spans.sort()
        overlapping_requests += sum(1 for (_, end), (start, _) in itertools.pairwise(spans) if start < end)
    stored_rows = sql(
        url,
        "SELECT substring(f.url FROM '/f/([0-9]+)$')::int, a.guid "
        "FROM articles a JOIN feeds f ON f.id = a.feed_id",
    )
    stored = set(stored_rows)
    lost, extra, twice = served - stored, stored - served, len(stored_rows) - len(stored)
    checks = [
        ("workers killed (SIGKILL)", kills, kills > 0),
        ("claims of the killed workers / polled later by another", f"{held} / {taken}", taken == held),
        ("most expired claims seen at once", most_expired, True),
        ("feeds never polled", never[0][0], never[0][0] == 0),
        ("feeds overdue by > 60 s at the end", overdue, overdue == 0),
        ("expired claims left at the end", expired, expired == 0),
        ("polls (fetch_log rows)", polls, True),
        (
            "polls of one feed overlapping, by two workers (fetch_log)",
            overlapping_polls,
            overlapping_polls == 0,
        ),
        ("requests for one feed overlapping (server log)", overlapping_requests, overlapping_requests == 0),
        ("items served / stored", f"{len(served)} / {len(stored)}", True),
        ("items served but not stored (lost)", len(lost), not lost),
        ("items stored but never served", len(extra), not extra),
        ("items stored twice", twice, twice == 0),
    ]
    for label, value, ok in checks:
        print(f"  {'ok  ' if ok else 'FAIL'} {label}: {value}")
    return all(ok for _, _, ok in checks)


# --- main --------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--feeds", type=int, default=None, help="Feeds (default 100,000; 10,000 for --kill-test)."
    )
    parser.add_argument(
        "--hosts", type=int, default=None, help="Hosts of the feeds (default feeds/100, at least 200)."
    )
    parser.add_argument("--items", type=int, default=5, help="Items per feed.")
    parser.add_argument("--workers", default="1,2,4", help="Worker counts to measure, in order.")
    parser.add_argument("--concurrency", type=int, default=64, help="settings.concurrency of each worker.")
    parser.add_argument("--kill-test", action="store_true", help="Run the kill test instead of the scaling.")
    parser.add_argument("--kill-seconds", type=float, default=300, help="Length of the kill phase.")
    parser.add_argument("--kill-every", type=float, default=30, help="Seconds between two kills.")
    parser.add_argument("--settle-seconds", type=float, default=300, help="Longest wait after the kills.")
    parser.add_argument("--json", help="Also write the scaling figures to this file.")
    parser.add_argument("--keep", type=Path, help="Keep feeds.yaml, worker logs and the request log here.")
    args = parser.parse_args()
    if args.feeds is None:
        args.feeds = 10_000 if args.kill_test else 100_000
    if args.hosts is None:
        args.hosts = min(args.feeds, max(200, args.feeds // 100))
    raise_fd_limit()  # many hosts: the server's listeners, the workers' connections
    bindir = pgcluster.stock_bindir() or pgcluster.pgvector_bindir()
    if bindir is None:
        raise SystemExit("no PostgreSQL found (Debian: apt-get install postgresql)")
    print(
        f"{args.feeds} feeds on {args.hosts} loopback hosts, {args.items} items each; concurrency "
        f"{args.concurrency}; python {sys.version.split()[0]}, {os.cpu_count()} CPUs; PostgreSQL: {bindir}"
    )
    with contextlib.ExitStack() as stack:
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            folder = args.keep
        else:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="monitor-scale-")))
        cluster = stack.enter_context(pgcluster.running_cluster(bindir))
        if args.kill_test:
            ok = kill_test(args, cluster, folder)
            raise SystemExit(0 if ok else 1)
        scaling(args, cluster, folder)


if __name__ == "__main__":
    main()
