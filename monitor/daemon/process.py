"""The daemon as a process: its parts put together, started, stopped by SIGTERM or SIGINT,
and the one line it says at start."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import threading
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from monitor.config import Config
from monitor.daemon.base import ROLES, make_scheduler, roles_of
from monitor.daemon.deliver import Delivering
from monitor.daemon.poll import Polling
from monitor.daemon.reload import ConfigWatch
from monitor.daemon.stories import Sequencing
from monitor.daemon.workers import Membership, Outage, default_worker_name
from monitor.errors import MonitorError
from monitor.ingest.fetch import make_client
from monitor.metrics import serve_daemon_metrics, set_worker
from monitor.pipeline import Poller, default_stages, fetch_options
from monitor.sections import load_checked_config
from monitor.store import PostgresStore, Target, open_store
from monitor.timeutil import utcnow

log = logging.getLogger("monitor.daemon")
# The one line `monitor run` says at start even without -v (see monitor.cli.context).
start_log = logging.getLogger("monitor.daemon.start")


def _in(seconds: float) -> str:
    if seconds < 1:
        return "now"
    if seconds < 90:
        return f"in {seconds:.0f} s"
    if seconds < 90 * 60:
        return f"in {seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"in {seconds / 3600:.1f} h"
    return f"in {seconds / 86400:.0f} days"


def start_line(
    *, feeds: int, role: str, first_due: datetime | None, now: datetime, zone: ZoneInfo
) -> str:
    """What `monitor run` says when it starts: how many feeds, the roles it plays, and when
    it polls first (in the configured time zone, with its offset)."""
    roles = roles_of(role)
    if "poll" not in roles:
        next_poll = f"none (role {role} does not poll)"
    elif first_due is None:
        next_poll = "none (no feed to poll)"
    else:
        when = max(first_due, now)
        local = when.astimezone(zone).isoformat(timespec="seconds")
        next_poll = f"{local} ({_in((when - now).total_seconds())})"
    return f"event=daemon_started feeds={feeds} roles={','.join(roles)} next_poll={next_poll}"


class Daemon(Polling, Sequencing, Delivering, ConfigWatch, Membership):
    """`monitor run`: every role this process plays, on one event loop."""

    def __init__(
        self,
        config_path: Path,
        db_override: Target | None = None,
        *,
        role: str = "all",
        worker: str | None = None,
        metrics_port: int | None = None,
        config: Config | None = None,
    ) -> None:
        """`config`: feeds.yaml as the caller already read it (100,000 feeds take seconds);
        read here when not given."""
        if role not in ROLES:
            raise MonitorError(f"unknown role {role!r} (one of {', '.join(ROLES)})")
        self.config_path = config_path
        self.db_override = db_override
        self.role = role
        self.worker = worker or default_worker_name()
        self.metrics_port = metrics_port
        self._leader: Any = None  # the stories sequencer's lock connection (PostgreSQL)
        self._mtime = self._config_mtime()  # before the reading: an edit meanwhile is reloaded
        self.config: Config = config or load_checked_config(config_path)
        self._inflight: set[asyncio.Task[Any]] = set()
        self.mail_replies: set[asyncio.Future[Any]] = set()  # final dots sent, replies awaited
        self._new_work = True  # articles left without a story by a previous run
        self._stopping = False
        self._stages_running = threading.Lock()  # held by the thread running the later stages
        self._unrecorded: dict[int, int] = {}  # feed id -> polls in a row that could not be stored
        self.outage = Outage("the database")  # named once it is open

    def run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        database = self.db_override or self.config.settings.database
        self.database = database
        # Checks the model's name; its weights load when the first article waits for a vector.
        stages = default_stages(self.config, stop=lambda: self._stopping, deliver_alerts=False)
        name = f"monitor {self.role} {self.worker}"  # the fetch log records who polled
        self.store = open_store(database, name=name)
        # The later stages (embedding is slow) run in a thread on their own connection; the
        # shared lock keeps writes one at a time.
        self.stage_store = open_store(database, write_lock=self.store.write_lock, name=name)
        self.shared = isinstance(self.store, PostgresStore)  # other workers may share the work
        self.outage = Outage(self.store.label)
        # The pool's own reconnection warnings (two lines a second while the server is away)
        # say less than event=database_unavailable and event=database_back.
        logging.getLogger("psycopg.pool").setLevel(logging.ERROR)
        if self._does("poll"):
            self.store.sync_feeds(self.config.feeds)
        self.poller = Poller(self.store, self.config, stages if self._does("stories") else [])
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        self.scheduler = make_scheduler()
        async with make_client(fetch_options(self.config)) as client:
            self.poller.client = client
            self._start_heartbeat()
            self._start_polling()
            self._start_reload()
            self._start_stages()
            self._start_delivery()
            self.scheduler.start()
            set_worker(self.role, self.worker)
            serve_daemon_metrics(self.config, port=self.metrics_port)
            self._say_started()
            await stop.wait()
            self._stopping = True
            log.info("event=daemon_stopping inflight=%d", len(self._inflight))
            self.scheduler.shutdown(wait=False)
            await self._drain()
        self._leave()
        self._close()
        log.info("event=daemon_stopped")

    def _say_started(self) -> None:
        now = utcnow()
        first = self.store.first_due() if self._does("poll") else None
        line = start_line(
            feeds=len(self.config.feeds), role=self.role, now=now,
            first_due=None if first is None else first.next_due or now,
            zone=ZoneInfo(self.config.settings.timezone),
        )  # fmt: skip
        start_log.info("%s worker=%s db=%s", line, self.worker, self.store.label)

    def _close(self) -> None:
        self.store.close()
        if self._stages_running.locked():
            # A stage past the grace (a model still loading, a long read): its connection is
            # left open under it, and ends with the process, rolling back what it had not
            # committed (each batch is one transaction).
            log.warning("event=stage_left_running (its uncommitted work is taken again at the next start)")
        else:
            if self._leader is not None:
                self._leader.close()
            self.stage_store.close()


def end_process(code: int = 0) -> None:
    """End `monitor run` once the daemon has stopped, its stores closed and its logs
    written: at once, without the interpreter's usual unwinding. A thread of a stage may
    still be inside ONNX Runtime (a model loading, a text being embedded); an ordinary exit
    destroys the runtime's objects under it and the C++ runtime aborts the process
    ("terminate called without an active exception", SIGABRT), which a service manager
    records as a crash. Nothing is lost: whatever such a thread had not committed is rolled
    back by the database."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed, or a pipe nobody reads any more
            pass
    os._exit(code)
