"""`monitor init`, `monitor poll` and `monitor run`: the database and the pipeline."""

from __future__ import annotations

import signal
import sys
from types import FrameType
from typing import Any

import click

from monitor.cli.context import Context
from monitor.errors import MonitorError
from monitor.timeutil import utcnow
from monitor.wording import count


@click.command()
@click.pass_obj
def init(obj: Context) -> None:
    """Create the database, or migrate it to the current schema (safe to repeat)."""
    with obj.store() as store:
        store.sync_feeds(obj.config.feeds)
        click.echo(
            f"database {store.label} at schema version {store.schema_version()}, "
            f"{count(len(store.feeds()), 'feed')}"
        )


@click.command()
@click.option(
    "--all",
    "all_feeds",
    is_flag=True,
    help="Poll every feed, not only those due (except one whose server asked, with Retry-After, to wait).",
)
@click.pass_obj
def poll(obj: Context, all_feeds: bool) -> None:
    """Poll the feeds that are due once, store new articles, run the later stages."""
    from monitor.pipeline import poll_once
    from monitor.pollerlock import POLL, poller_lock

    config = obj.config
    with poller_lock(obj.database, POLL), obj.store() as store:
        _refuse_beside_workers(store)
        tty = sys.stdout.isatty()
        bar: Any = None

        def on_start(total: int) -> None:
            nonlocal bar
            if tty and total:
                bar = click.progressbar(length=total, label="polling", file=sys.stdout)
                bar.__enter__()

        def progress(feed: Any, status: str) -> None:
            if bar is not None:
                bar.update(1)
            else:
                click.echo(f"{status:13} {feed.url}")

        waiting = store.waiting_feeds(utcnow()) if all_feeds else []
        try:
            report = poll_once(store, config, all_feeds=all_feeds, progress=progress, on_start=on_start)
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
        click.echo(report.summary())
        for url, error in report.failures:
            click.echo(f"  failed: {url}: {error}")
        for feed in waiting:
            until = feed.retry_after.isoformat(timespec="seconds") if feed.retry_after else "?"
            click.echo(f"  not polled: {feed.url}: its server asked us to wait until {until}")
        for note in report.stage_notes:
            click.echo(note)
        for error in report.stage_errors:
            click.echo(f"monitor: error: {error} (new articles are kept for the next run)", err=True)
        if report.stage_errors:
            raise SystemExit(1)


@click.command()
@click.option(
    "--role",
    type=click.Choice(["poll", "stories", "deliver", "all"]),
    default="all",
    show_default=True,
    help="What this process does. On PostgreSQL any number of processes of each role share "
    "the work; on SQLite one process does it all.",
)
@click.option("--worker", default=None, help="This worker's name (default: HOSTNAME:PID).")
@click.option(
    "--metrics-port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Serve this process's /metrics on this port (0: none); default web.metrics_port.",
)
@click.pass_obj
def run(obj: Context, role: str, worker: str | None, metrics_port: int | None) -> None:
    """Run the daemon: poll each feed as it falls due, until SIGTERM or SIGINT.

    Edits to feeds.yaml are picked up without a restart. On PostgreSQL, several processes
    (--role poll, stories, deliver) on several machines share one database.
    """
    from monitor.daemon import Daemon, end_process
    from monitor.pollerlock import RUN, poller_lock
    from monitor.store import PostgresURL

    # Until the daemon's event loop takes them over: a stop while it starts (reading a big
    # feeds.yaml, syncing its feeds) ends it at once with exit 0; what it was writing is
    # rolled back as the exit unwinds (each write is one transaction).
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _stop_while_starting)
    config = obj.config  # a bad config is refused before anything starts
    daemon = Daemon(
        obj.config_path, obj.db_override, role=role, worker=worker, metrics_port=metrics_port, config=config
    )
    if isinstance(obj.database, PostgresURL):  # workers share the work through claims
        daemon.run()
    else:
        with poller_lock(obj.database, RUN):  # refused while another process polls the database
            daemon.run()
    end_process(0)  # stopped by SIGTERM or SIGINT, everything closed: exit 0 at once


def _stop_while_starting(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def _refuse_beside_workers(store: Any) -> None:
    """On PostgreSQL, `monitor poll` beside live poll workers would fetch their feeds twice."""
    from monitor.daemon import ALIVE_WITHIN
    from monitor.store import PostgresStore

    if not isinstance(store, PostgresStore):
        return
    polling = [w for w in store.workers_status(ALIVE_WITHIN) if w["alive"] and w["role"] in ("poll", "all")]
    if polling:
        names = ", ".join(f"{w['name']} ({w['role']})" for w in polling)
        raise MonitorError(
            f"{len(polling)} poll worker(s) share this database ({names}): a `monitor poll` now "
            "would fetch their feeds a second time; they poll each feed as it falls due"
        )
