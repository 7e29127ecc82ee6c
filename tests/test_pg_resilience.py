"""PostgreSQL going wrong around monitor: lost under a running daemon and back, unreachable at
start, a URL with a typo in feeds.yaml; and `monitor serve` answering from PostgreSQL."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from monitor.daemon import Outage
from monitor.database import parse_url
from monitor.errors import StoreError
from monitor.feedserver import FeedServer
from monitor.store.postgres import PostgresStore

from . import pgcluster
from .conftest import rss, run_monitor, write_config
from .test_daemon import item, wait_for
from .test_web import WebServer, free_port

SECRET = "secret-xyz"


@pytest.fixture
def own_cluster() -> Iterator[pgcluster.Cluster]:
    """A cluster of this test's own (it gets stopped and started): Debian's build."""
    bindir = pgcluster.stock_bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL >= 15 (Debian: apt-get install postgresql)")
    with pgcluster.running_cluster(bindir) as cluster:
        yield cluster


def pg_ctl(cluster: pgcluster.Cluster, *args: str) -> None:
    """pg_ctl on the cluster, as its server's user (pgcluster's way of running its programs)."""
    home = cluster.datadir.parent
    runner = pgcluster._Runner(home, pgcluster._server_user())
    runner.check(cluster.bindir / "pg_ctl", *args, "--wait", "--pgdata", cluster.datadir)


def count(url: str, sql: str = "SELECT COUNT(*) FROM articles") -> int:
    try:
        with psycopg.connect(url, connect_timeout=2) as conn:
            row = conn.execute(sql).fetchone()
            return int(row[0]) if row else 0
    except psycopg.Error:
        return -1


def test_daemon_rides_out_postgresql_stopped_and_started(
    tmp_path: Path, server: FeedServer, feed_dir: Path, own_cluster: pgcluster.Cluster
) -> None:
    """PostgreSQL stops under `monitor run`: the daemon says so once, backs off, keeps running,
    and when the server is back the feed's item that came meanwhile is polled; nothing stored
    before is lost."""
    # connect_timeout=2: the pool waits 6 s for a connection, not 30, so the outage shows sooner
    url = pgcluster.create_database(own_cluster, "monitor") + "?connect_timeout=2"
    (feed_dir / "a.xml").write_text(rss([item(1), item(2)]))
    config = write_config(
        tmp_path / "feeds.yaml", [{"url": server.url("a.xml")}], interval="1m", database=url
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "monitor", "-v", "--config", str(config), "run"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(process.stdout or ()), daemon=True)
    reader.start()

    def logged(event: str) -> bool:
        return any(event in line for line in list(lines))

    try:
        assert wait_for(lambda: count(url) == 2, timeout=60), "the daemon did not poll the feed"
        pg_ctl(own_cluster, "stop", "--mode", "fast")
        # A new item while the database is away: no poll of it can be recorded.
        (feed_dir / "a.xml").write_text(rss([item(1), item(2), item(3)]))
        assert wait_for(lambda: logged("event=database_unavailable"), timeout=90), "".join(lines)
        # It backs off: tries at growing intervals, and does not exit.
        assert wait_for(lambda: logged("event=database_still_unavailable"), timeout=60), "".join(lines)
        assert process.poll() is None, "".join(lines)
        pg_ctl(
            own_cluster,
            "start",
            "--options",
            f"-p {own_cluster.port}",
            "--log",
            str(own_cluster.datadir.parent / "server.log"),
        )
        # The feed's minute, passed at once (its next poll made due now): the claims, back
        # after the outage's back-off, take it, and the third item lands.
        with psycopg.connect(url, connect_timeout=10) as conn:
            conn.execute("UPDATE feeds SET next_due = now()")
        assert wait_for(lambda: count(url) == 3, timeout=120), "".join(lines)
        assert process.poll() is None
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            code = process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            code = process.wait()
        reader.join(timeout=5)
    output = "".join(lines)
    print(output)
    assert code == 0, output
    assert "event=database_unavailable" in output, output
    assert "event=database_back" in output, output
    assert "Traceback" not in output, output
    assert output.count("event=database_unavailable") == 1, output
    delays = [int(d) for d in re.findall(r"event=database_still_unavailable .* retry_in=(\d+)s", output)]
    assert delays == sorted(delays), output  # the tries grow apart
    assert count(url, "SELECT COUNT(DISTINCT guid) FROM articles") == 3


def test_the_urls_connect_timeout_also_bounds_the_pools_wait(pg_database: Callable[[str], str]) -> None:
    """`?connect_timeout=2` in the URL: libpq's connect and the pool's wait for a connection
    (three of them) follow it; without it, 10 s and 30 s. A value libpq would refuse is left
    to libpq's own error."""
    url = pg_database("pg")
    with PostgresStore.open(parse_url(url + "?connect_timeout=2")) as store:
        assert store.pool.timeout == 6
        assert store.pool.kwargs["connect_timeout"] == "2"
    with PostgresStore.open(parse_url(url)) as store:
        assert store.pool.timeout == 30
        assert store.pool.kwargs["connect_timeout"] == "10"
    with pytest.raises(StoreError):
        PostgresStore.open(parse_url(url + "?connect_timeout=soon"))


def test_outage_is_one_event_then_a_growing_back_off(caplog: pytest.LogCaptureFixture) -> None:
    outage = Outage("postgresql://monitor@db/monitor")
    with caplog.at_level(logging.INFO, logger="monitor.daemon"):
        assert not outage.down and outage.may_try(0.0)
        now = 100.0
        waits = []
        for _ in range(8):
            outage.failed("connection refused", now)
            waits.append(outage.next_try - now)
            assert not outage.may_try(now) and outage.may_try(outage.next_try)
            now = outage.next_try
        outage.succeeded(now)
    assert waits == [2, 4, 8, 16, 32, 60, 60, 60]
    events = [r.getMessage().split()[0] for r in caplog.records]
    assert events == ["event=database_unavailable"] + ["event=database_still_unavailable"] * 7 + [
        "event=database_back"
    ]
    assert "down_for=242s" in caplog.records[-1].getMessage()
    assert not outage.down and outage.may_try(0.0)


# --- unreachable at start, typos ---------------------------------------------------------


def closed_port_url() -> str:
    return f"postgresql://monitor@127.0.0.1:{free_port()}/monitor"


@pytest.mark.parametrize("command", [["init"], ["poll"], ["run"], ["stats"], ["export"]])
def test_database_unreachable_at_start_is_one_line_without_password(
    tmp_path: Path, command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = closed_port_url()
    config = write_config(tmp_path / "feeds.yaml", [{"url": "https://example.org/feed.xml"}])
    monkeypatch.setenv("PGPASSWORD", SECRET)
    done = run_monitor("--config", str(config), "--db", url, *command, timeout=60)
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert "Traceback" not in output, output
    assert SECRET not in output
    assert url in done.stderr, output
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, output


def test_database_unreachable_from_the_environment_and_from_feeds_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = closed_port_url()
    monkeypatch.setenv("PGPASSWORD", SECRET)
    config = write_config(tmp_path / "feeds.yaml", [{"url": "https://example.org/feed.xml"}], database=url)
    done = run_monitor("--config", str(config), "init", timeout=60)
    assert done.returncode != 0 and url in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert SECRET not in done.stdout + done.stderr
    env_config = write_config(tmp_path / "env.yaml", [{"url": "https://example.org/feed.xml"}])
    done = subprocess.run(
        [sys.executable, "-m", "monitor", "--config", str(env_config), "init"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "MONITOR_DATABASE_URL": url, "PGPASSWORD": SECRET},
    )
    assert done.returncode != 0 and url in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert SECRET not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("postgresql://monitor@localhost:54x2/monitor", "port"),
        ("postgresql://monitor@localhost:99999/monitor", "port"),
        ("postgresql://monitor@localhost:5432/", "database name"),
        ("postgresql://monitor@localhost:5432", "database name"),
        ("postgresql://monitor@localhost/monitor?sslmod=require", "sslmod"),
        (f"postgresql://monitor:{SECRET}@localhost/monitor", "password"),
        ("postgresq://monitor@localhost/monitor", "scheme"),
        ("mysql://monitor@localhost/monitor", "scheme"),
    ],
)
def test_a_database_url_with_a_typo_names_the_part_and_the_line(tmp_path: Path, url: str, named: str) -> None:
    config = write_config(tmp_path / "feeds.yaml", [{"url": "https://example.org/feed.xml"}], database=url)
    line = next(n for n, text in enumerate(config.read_text().splitlines(), 1) if "database:" in text)
    for command in (["init"], ["feeds", "list"]):
        done = run_monitor("--config", str(config), *command, timeout=60)
        output = done.stdout + done.stderr
        assert done.returncode != 0, output
        assert f"feeds.yaml:{line}:" in done.stderr, output
        assert named in done.stderr, output
        assert "Traceback" not in output and SECRET not in output, output


# --- serve ----------------------------------------------------------------------------------


def test_serve_answers_api_stories_from_postgresql(
    tmp_path: Path, server: FeedServer, feed_dir: Path, pg_database: Callable[[str], str]
) -> None:
    url = pg_database("pg")
    (feed_dir / "a.xml").write_text(rss([item(1), item(2)]))
    config = write_config(tmp_path / "feeds.yaml", [{"url": server.url("a.xml")}], database=url)
    polled = run_monitor("--config", str(config), "poll", timeout=300)
    assert polled.returncode == 0, polled.stderr
    web = WebServer(config, url)  # type: ignore[arg-type]  # --db takes a URL as well as a path
    try:
        answer = web.get("/api/stories?day=2025-03-22")  # the items' day
        assert answer.status_code == 200, answer.text
        body = answer.json()
        stories = body["stories"] if isinstance(body, dict) else body
        assert len(stories) >= 1
        assert {"Item 1", "Item 2"} & {s.get("headline") or s.get("title") for s in stories}
    finally:
        output = web.stop()
    assert "Traceback" not in output, output
