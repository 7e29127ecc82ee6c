"""Many workers on one PostgreSQL database (a throw-away cluster): poll workers share the due
feeds by host and never poll one feed twice at once, a killed worker's feeds are taken over
when its lease ends, a late worker never writes over a newer result, and the stories are
the same whichever sequencer assigns them, even when one dies on the way."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from monitor.config import FeedConfig
from monitor.database import parse_url
from monitor.feedserver import FeedServer
from monitor.ingest.parse import Entry, content_hash
from monitor.ingest.schedule import FeedWindow
from monitor.store import PostgresStore
from monitor.store.workers import LeaseLost

from .conftest import ROOT, free_port, ok_update, rss, wait_for, write_config

T0 = datetime(2025, 3, 22, 18, 0, tzinfo=UTC)


MONITOR = [sys.executable, "-m", "monitor", "-v"]



def worker(config: Path, url: str, role: str, name: str, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [*MONITOR, "--config", str(config), "run", "--role", role, "--worker", name, *extra],
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
        env={**os.environ, "PYTHONUNBUFFERED": "1", "MONITOR_DATABASE_URL": url},
    )


def stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()



def rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(sql)
        return list(cursor.fetchall()) if cursor.description else []


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    stop_all(started)


def test_a_worker_whose_claim_ended_never_writes_over_the_newer_result(pg_database: Any) -> None:
    url = pg_database("pg")
    with PostgresStore.open(parse_url(url)) as store:
        store.sync_feeds([FeedConfig(url="https://a.example/rss")])
        store.db.execute("UPDATE feeds SET next_due = now() - interval '1 minute'")
        (mine,) = store.claim_feeds("A", hosts=4, per_host=4, lease_seconds=60)
        assert store.claim_feeds("B", hosts=4, per_host=4, lease_seconds=60) == []  # held by A
        # A hangs; its lease ends (by the database's clock) and B takes the feed over.
        store.db.execute("UPDATE feeds SET lease_until = now() - interval '1 second'")
        store.db.execute("UPDATE hosts SET lease_until = now() - interval '1 second'")
        assert [c["url"] for c in store.expired_claims()] == ["https://a.example/rss"]
        (theirs,) = store.claim_feeds("B", hosts=4, per_host=4, lease_seconds=60)
        entry = Entry(
            guid="g1", url="https://a.example/1", link="https://a.example/1", title="B's", text="t",
            html="t", published=T0, published_estimated=False, language="en", language_source="feed",
            author=None, content_hash=content_hash("B's", "t"),
        )  # fmt: skip
        store.record_poll(theirs, ok_update(T0), [entry], url=theirs.url, duration_ms=1, size=1)
        with pytest.raises(LeaseLost, match="another worker has it"):
            later = ok_update(T0 + timedelta(hours=1))
            store.record_poll(mine, later, [], url=mine.url, duration_ms=1, size=1)
        (feed,) = store.feeds()
        assert feed.last_polled == T0  # B's poll stands
        assert [r["title"] for r in store.export_articles()] == ["B's"]
        assert store.expired_claims() == []


def test_a_host_goes_back_alone_while_the_other_hosts_of_its_claim_are_still_polled(pg_database: Any) -> None:
    url = pg_database("pg")
    with PostgresStore.open(parse_url(url)) as store:
        store.sync_feeds([FeedConfig(url="https://a.example/rss"), FeedConfig(url="https://b.example/rss")])
        store.db.execute("UPDATE feeds SET next_due = now() - interval '1 minute'")
        claimed = store.claim_feeds("A", hosts=4, per_host=4, lease_seconds=60)
        assert sorted(f.host for f in claimed) == ["a.example", "b.example"]
        token = claimed[0].claim_token
        assert token is not None
        mine = [f for f in claimed if f.host == "a.example"]
        store.release_host(token, "a.example", mine)  # given up unpolled; b.example in hand
        (taken,) = store.claim_feeds("B", hosts=4, per_host=4, lease_seconds=60)
        assert taken.url == "https://a.example/rss"
        store.release_batch(token)
        (rest,) = store.claim_feeds("B", hosts=4, per_host=4, lease_seconds=60)
        assert rest.url == "https://b.example/rss"


def test_a_claim_brings_what_each_feed_listed(pg_database: Any) -> None:
    """The next poll time follows the pace of a feed's listed items: a worker's claim brings
    them with the feed row (no query per poll), as the last poll stored them."""
    url = pg_database("pg")
    now = datetime.now(UTC)
    with PostgresStore.open(parse_url(url)) as store:
        store.sync_feeds([FeedConfig(url="https://a.example/rss"), FeedConfig(url="https://b.example/rss")])
        a, _b = store.feeds()
        oldest = (now - timedelta(hours=4)).replace(microsecond=0)
        listed = FeedWindow(listed=20, dated=20, times=19, oldest=oldest)
        store.record_poll(a, replace(ok_update(now), window=listed), [], url=a.url, duration_ms=1, size=1)
        store.db.execute("UPDATE feeds SET next_due = now() - interval '1 minute'")
        claimed = {f.url: f for f in store.claim_feeds("A", hosts=4, per_host=4, lease_seconds=60)}
        assert claimed["https://a.example/rss"].window == listed
        assert claimed["https://b.example/rss"].window is None  # never read


def _serve_hosts(
    tmp_path: Path, hosts: list[str], per_host: int
) -> tuple[list[FeedServer], list[dict[str, object]]]:
    servers, feeds = [], []
    for h, host in enumerate(hosts):
        folder = tmp_path / f"www{h}"
        folder.mkdir()
        for n in range(per_host):
            items = [
                {"title": f"{host} feed {n} item {i}", "link": f"https://{host}.example/{n}/{i}",
                 "guid": f"{h}-{n}-{i}", "pubDate": "Sat, 22 Mar 2025 10:00:00 GMT"}
                for i in range(3)
            ]  # fmt: skip
            (folder / f"f{n}.xml").write_text(rss(items), encoding="utf-8")
        server = FeedServer(folder, host=host).__enter__()
        servers.append(server)
        feeds += [{"url": server.url(f"f{n}.xml"), "interval": "1h"} for n in range(per_host)]
    return servers, feeds


def test_poll_workers_share_the_feeds_by_host_and_a_killed_one_s_are_taken_over(
    tmp_path: Path, pg_database: Any, processes: list[subprocess.Popen[bytes]]
) -> None:
    url = pg_database("pg")
    hosts = ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
    servers, feeds = _serve_hosts(tmp_path, hosts, per_host=6)
    # The third host holds its answers until the worker that took it is killed: its claims
    # must pass to another worker when their lease ends. Each server counts the requests it
    # is answering at once: one worker at a time leases a host, with one request at a time.
    killed = threading.Event()
    lock = threading.Lock()
    in_flight = [0, 0, 0]
    peak = [0, 0, 0]

    def counted(server: FeedServer, index: int) -> Callable[[Any], bool]:
        def route(handler: Any) -> bool:
            with lock:
                in_flight[index] += 1
                peak[index] = max(peak[index], in_flight[index])
            try:
                if index == 2:
                    killed.wait(timeout=90)
                server.serve_file(handler, handler.path.split("?")[0])
            finally:
                with lock:
                    in_flight[index] -= 1
            return True

        return route

    for index, server in enumerate(servers):
        for n in range(6):
            server.routes[f"/f{n}.xml"] = counted(server, index)
    try:
        config = write_config(
            tmp_path / "feeds.yaml", feeds, timeout=1, concurrency=1, per_host_concurrency=1, per_host_delay=0
        )
        init = [sys.executable, "-m", "monitor", "--config", str(config), "--db", url, "init"]
        subprocess.run(init, check=True)
        logs = tmp_path / "logs"
        logs.mkdir()
        ports = [free_port() for _ in range(3)]
        for i in range(3):
            log = logs / f"w{i}.log"
            processes.append(worker(config, url, "poll", f"w{i}", log, "--metrics-port", str(ports[i])))
        assert wait_for(lambda: rows(url, "SELECT COUNT(*) FROM feeds WHERE claimed_by IS NOT NULL "
                                          "AND host = '127.0.0.3'")[0][0] > 0, timeout=30)  # fmt: skip
        (slow_worker,) = rows(url, "SELECT DISTINCT claimed_by FROM feeds WHERE host = '127.0.0.3' "
                                   "AND claimed_by IS NOT NULL")[0]  # fmt: skip
        victim = processes[int(slow_worker[1:])]
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        killed.set()
        assert wait_for(lambda: rows(url, "SELECT COUNT(*) FROM feeds WHERE last_polled IS NULL")[0][0] == 0,
                        timeout=90), "the killed worker's feeds were not taken over"  # fmt: skip
        polls = rows(url, "SELECT feed_id, worker, started, duration_ms FROM fetch_log ORDER BY 1, 3")
        # Each process serves its own metrics, labelled with its role and name.
        for i, port in enumerate(ports):
            if f"w{i}" != slow_worker:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
                assert f'monitor_worker{{role="poll",worker="w{i}"}} 1.0' in page
        # `monitor stats` lists the workers: the killed one silent, the others alive.
        stats = subprocess.run(
            [*MONITOR, "--config", str(config), "--db", url, "stats", "--json"],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        workers = {w["name"]: (w["role"], w["alive"]) for w in json.loads(stats.stdout)["workers"]}
        assert workers == {f"w{i}": ("poll", f"w{i}" != slow_worker) for i in range(3)}
    finally:
        for server in servers:
            server.__exit__(None, None, None)
    # Every feed once in this cycle (interval 1h), nothing stored twice, by the live workers.
    assert sorted(p[0] for p in polls) == sorted({p[0] for p in polls}) and len(polls) == 18
    assert rows(url, "SELECT COUNT(*), COUNT(DISTINCT guid) FROM articles")[0] == (54, 54)
    slow_ids = {r[0] for r in rows(url, "SELECT id FROM feeds WHERE host = '127.0.0.3'")}
    taken = {name.split()[-1] for feed_id, name, _, _ in polls if feed_id in slow_ids}
    assert taken and slow_worker not in taken and taken <= {"w0", "w1", "w2"}
    # Never two requests at once to one host: one worker at a time holds it.
    assert peak == [1, 1, 1]


def test_a_worker_whose_clock_is_behind_cannot_make_its_digest_claim_look_stale(pg_database: Any) -> None:
    with PostgresStore.open(parse_url(pg_database("pg"))) as store:
        now = datetime.now(UTC)
        store.digest_insert("2025-03-22", "ann@example.org", now, "<m@x>", "body", [1], "pending", now)
        behind = now - timedelta(minutes=10)  # worker A's clock
        assert store.digest_claim("2025-03-22", "ann@example.org", behind, behind - timedelta(minutes=5))
        # Worker B, on time, sees a claim taken just now (by the database's clock), not ten
        # minutes ago: it does not take the mail over and send it a second time.
        assert not store.digest_claim("2025-03-22", "ann@example.org", now, now - timedelta(minutes=5))
        (row,) = store.query("SELECT attempts, started_at FROM digests")
        assert row["attempts"] == 1
        started = datetime.fromisoformat(row["started_at"].replace("Z", "+00:00"))
        assert abs(started - now) < timedelta(minutes=1)


def _leader(url: str) -> str | None:
    found = rows(
        url,
        "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted "
        "AND a.application_name LIKE 'monitor stories sequencer %'",
    )
    return str(found[0][0]).rsplit(" ", 1)[1] if found else None


def _assignments(url: str) -> list[tuple[Any, ...]]:
    return rows(url, "SELECT id, story_id, duplicate_of, story_reason FROM articles ORDER BY id") + rows(
        url, "SELECT id, first_seen, last_seen, n_articles, merged_into, thread_id FROM stories ORDER BY id"
    )


def test_stories_are_the_same_whichever_sequencer_assigns_them_and_when_it_dies(
    tmp_path: Path, pg_database: Any, processes: list[subprocess.Popen[bytes]]
) -> None:
    corpus = ROOT / "demo" / "feeds"
    www = tmp_path / "www"
    www.mkdir()
    for name in sorted(p.name for p in corpus.glob("*.xml"))[:30]:  # 73 articles, 10 batches
        shutil.copy(corpus / name, www / name)
    one, two = pg_database("pg"), None
    logs = tmp_path / "logs"
    logs.mkdir()
    with FeedServer(www) as server:
        feeds = [{"url": server.url(p.name)} for p in sorted(www.glob("*.xml"))]
        config = write_config(tmp_path / "feeds.yaml", feeds, interval="1d")
        with config.open("a", encoding="utf-8") as fh:
            fh.write("stories:\n  batch_size: 8\n")  # many batches: the leader dies between two
        init = [sys.executable, "-m", "monitor", "--config", str(config), "--db", one, "init"]
        subprocess.run(init, check=True, capture_output=True)
        poller = worker(config, one, "poll", "p0", logs / "p0.log")
        processes.append(poller)
        unpolled = "SELECT COUNT(*) FROM feeds WHERE last_polled IS NULL"
        assert wait_for(lambda: rows(one, unpolled)[0][0] == 0, timeout=60)
        stop_all([poller])
    pending = "SELECT COUNT(*) FROM articles WHERE story_id IS NULL"
    assert rows(one, pending)[0][0] > 50
    # The same input twice: a copy of the database, made by the server.
    server_url, name = one.rsplit("/", 1)
    two = f"{server_url}/copy_{name}"
    rows(f"{server_url}/postgres", f"CREATE DATABASE copy_{name} TEMPLATE {name}")
    try:
        # One sequencer alone.
        alone = worker(config, one, "stories", "s-alone", logs / "alone.log")
        processes.append(alone)
        assert wait_for(lambda: rows(one, pending)[0][0] == 0, timeout=120)
        stop_all([alone])
        # Two, and the one that leads is killed as soon as it has assigned a first batch.
        first, second = (worker(config, two, "stories", f"s{i}", logs / f"s{i}.log") for i in range(2))
        processes.extend([first, second])
        assigned = "SELECT COUNT(*) FROM articles WHERE story_id IS NOT NULL"
        assert wait_for(lambda: rows(two, assigned)[0][0] > 0, timeout=120)
        leader = _leader(two)
        assert leader in ("s0", "s1")
        killed = first if leader == "s0" else second
        killed.send_signal(signal.SIGKILL)
        killed.wait()
        assert rows(two, pending)[0][0] > 0, "the leader finished before it could be killed"
        assert wait_for(lambda: rows(two, pending)[0][0] == 0, timeout=120), "no one took over"
        assert _leader(two) == ("s1" if leader == "s0" else "s0")
        assert _assignments(two) == _assignments(one)
    finally:
        stop_all(processes)
        rows(f"{server_url}/postgres", f"DROP DATABASE IF EXISTS copy_{name} WITH (FORCE)")


def test_two_poll_workers_share_a_cycle_rather_than_one_holding_every_host(
    tmp_path: Path, pg_database: Any, processes: list[subprocess.Popen[bytes]]
) -> None:
    """Each worker may hold 4 hosts (concurrency 2): the first to claim used to take all 4,
    take each back as soon as it went back, and leave the other nothing to claim."""
    url = pg_database("pg")
    hosts = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"]
    servers, feeds = _serve_hosts(tmp_path, hosts, per_host=20)

    def slow(server: FeedServer) -> Callable[[Any], bool]:
        def route(handler: Any) -> bool:
            threading.Event().wait(0.25)  # a publisher's answer takes a while
            server.serve_file(handler, handler.path.split("?")[0])
            return True

        return route

    for server in servers:
        for n in range(20):
            server.routes[f"/f{n}.xml"] = slow(server)
    try:
        config = write_config(
            tmp_path / "feeds.yaml", feeds, timeout=5, concurrency=2, per_host_concurrency=1, per_host_delay=0
        )
        subprocess.run(
            [*MONITOR, "--config", str(config), "--db", url, "init"], check=True, capture_output=True
        )
        rows(url, "UPDATE feeds SET next_due = now() + interval '1 day'")  # nothing due while they start
        logs = tmp_path / "logs"
        logs.mkdir()
        for name in ("w0", "w1"):
            processes.append(worker(config, url, "poll", name, logs / f"{name}.log"))
        assert wait_for(lambda: rows(url, "SELECT COUNT(*) FROM workers")[0][0] == 2, timeout=60)
        rows(url, "UPDATE feeds SET next_due = now()")
        assert wait_for(lambda: rows(url, "SELECT COUNT(*) FROM fetch_log")[0][0] >= 80, timeout=120)
    finally:
        for server in servers:
            server.__exit__(None, None, None)
    polls = dict(rows(url, "SELECT split_part(worker, ' ', -1), COUNT(*) FROM fetch_log GROUP BY 1"))
    assert sum(polls.values()) == 80
    # Each took a fair part (one started the cycle up to a claim round, 2 s, before the other).
    assert min(polls.get("w0", 0), polls.get("w1", 0)) >= 24, polls
