"""Shared test fixtures: real servers on 127.0.0.1, real SQLite files, real configs."""

from __future__ import annotations

import itertools
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from monitor.entities.gazetteer import Gazetteer
from monitor.feedserver import FeedServer
from monitor.store import FeedUpdate

from . import pgcluster

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).parent.parent


def rss(
    items: list[dict[str, str]],
    *,
    title: str = "Test feed",
    language: str | None = "en",
    ttl: int | None = None,
) -> str:
    """A small RSS 2.0 document."""
    parts = [f"<title>{title}</title><link>https://news.example/</link>"]
    if language:
        parts.append(f"<language>{language}</language>")
    if ttl:
        parts.append(f"<ttl>{ttl}</ttl>")
    for item in items:
        fields = "".join(f"<{k}>{v}</{k}>" for k, v in item.items())
        parts.append(f"<item>{fields}</item>")
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{"".join(parts)}</channel></rss>'
    )


def write_config(path: Path, feeds: list[dict[str, object]], **settings: object) -> Path:
    """Write a feeds.yaml with these feeds; polls of 127.0.0.1 allowed and article pages not
    read (full_text: never) unless overridden."""
    settings.setdefault("allow_private_addresses", True)
    settings.setdefault("database", "monitor.db")
    # The test feeds link to pages that do not exist (news.example): none is read unless asked.
    settings.setdefault("full_text", "never")
    lines = ["settings:"]
    lines += [f"  {k}: {str(v).lower() if isinstance(v, bool) else v}" for k, v in settings.items()]
    lines.append("feeds:")
    for feed in feeds:
        first = True
        for key, value in feed.items():
            lines.append(f"  {'- ' if first else '  '}{key}: {value}")
            first = False
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def ok_update(now: datetime, **changes: Any) -> FeedUpdate:
    """A feed's state after a plain successful poll at `now` (for storing test entries)."""
    return replace(FeedUpdate.success(now, now + timedelta(minutes=30)), **changes)


@pytest.fixture
def feed_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "www"
    folder.mkdir()
    return folder


@pytest.fixture
def server(feed_dir: Path) -> Iterator[FeedServer]:
    with FeedServer(feed_dir) as srv:
        yield srv


def wait_for(check: Callable[[], bool], timeout: float = 30.0) -> bool:
    """Whether `check()` comes true within `timeout` seconds (asked every 0.2 s)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_monitor(
    *args: str, cwd: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the real `monitor` command in a subprocess."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("MONITOR_CONFIG", None)
    env.pop("MONITOR_DB", None)
    env.pop("MONITOR_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


# PostgreSQL: one throw-away cluster per flavour and test session (so per pytest-xdist worker),
# started on first use, and a fresh database per test. "pg" is Debian's build, without pgvector;
# "pgvector" is a PyPI package's (pgcluster.PGVECTOR_BUILDS), skipped where this CPU lacks an
# instruction its vector.so uses.
PG_CLUSTERS = {"pg": "pg_stock_cluster", "pgvector": "pg_vector_cluster"}  # flavour: its fixture
_database_numbers = itertools.count(1)


def _cluster(bindir: Path | None, missing: str, why_not: str | None = None) -> Iterator[pgcluster.Cluster]:
    if bindir is None:
        pytest.skip(missing)
    if why_not is not None:  # a build this CPU cannot run: the server would die at the first vector
        pytest.skip(why_not)
    with pgcluster.running_cluster(bindir) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def pg_stock_cluster() -> Iterator[pgcluster.Cluster]:
    yield from _cluster(pgcluster.stock_bindir(), "no PostgreSQL >= 15 (Debian: apt-get install postgresql)")


@pytest.fixture(scope="session")
def pg_vector_cluster() -> Iterator[pgcluster.Cluster]:
    bindir = pgcluster.pgvector_bindir()
    unsupported = None if bindir is None else pgcluster.pgvector_unsupported(bindir)
    yield from _cluster(bindir, "no PostgreSQL build with pgvector is installed (make install)", unsupported)


@pytest.fixture(scope="session")
def pg_stock_url(pg_stock_cluster: pgcluster.Cluster) -> str:
    """A database on Debian's PostgreSQL, shared by the session."""
    return pgcluster.create_database(pg_stock_cluster, "monitor")


@pytest.fixture(scope="session")
def pg_vector_url(pg_vector_cluster: pgcluster.Cluster) -> str:
    """A database on the build with pgvector (CREATE EXTENSION vector works), shared by the session."""
    return pgcluster.create_database(pg_vector_cluster, "monitor")


@pytest.fixture
def pg_database(request: pytest.FixtureRequest) -> Iterator[Callable[[str], str]]:
    """make(flavour) -> the URL of a new empty database ("pg" or "pgvector"), dropped after the test."""
    made: list[tuple[pgcluster.Cluster, str]] = []

    def make(flavour: str) -> str:
        cluster: pgcluster.Cluster = request.getfixturevalue(PG_CLUSTERS[flavour])
        name = f"test_{next(_database_numbers)}"
        url = pgcluster.create_database(cluster, name)
        made.append((cluster, name))
        return url

    yield make
    for cluster, name in made:
        pgcluster.drop_database(cluster, name)


@pytest.fixture(params=["sqlite", "pg", "pgvector"])
def backend_url(request: pytest.FixtureRequest, tmp_path: Path, pg_database: Callable[[str], str]) -> str:
    """Where a store lives, once per backend: a SQLite file path in tmp_path, or a fresh PostgreSQL URL."""
    if request.param == "sqlite":
        return str(tmp_path / "monitor.db")
    return pg_database(request.param)


@pytest.fixture(scope="session")
def gazetteer_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The places gazetteer, built once for the session from the installed packages (not the
    user's cache: the tests write nowhere else)."""
    from monitor.entities.gazetteer import build_gazetteer

    return build_gazetteer(tmp_path_factory.mktemp("gazetteer") / "gazetteer.sqlite")


@pytest.fixture(scope="module")
def gazetteer(gazetteer_file: Path) -> Iterator[Gazetteer]:
    """The session's gazetteer, opened once for a module."""
    opened = Gazetteer(gazetteer_file)
    yield opened
    opened.close()
