"""This process among the others sharing a PostgreSQL database: its heartbeats (which also
renew its leases), its leaving, and what it does while the database is lost (`Outage`)."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time

from monitor.daemon.base import ALIVE_WITHIN, HEARTBEAT_EVERY, DaemonBase
from monitor.daemon.poll import lease_seconds
from monitor.errors import MonitorError, StoreError
from monitor.store import PostgresStore, PostgresURL
from monitor.store.postgres import connect

log = logging.getLogger("monitor.daemon")

__all__ = ["ALIVE_WITHIN", "HEARTBEAT_EVERY", "Membership", "Outage", "default_worker_name"]

OUTAGE_FIRST = 2.0  # seconds before the first try to reach a database that was lost
OUTAGE_MAX = 60.0  # ... doubling up to this
PROBE_TIMEOUT = 3  # seconds a try may take to connect


class Outage:
    """Whether the shared database (PostgreSQL) answers, as the daemon last saw it: one event
    when it is lost, one when it is back, and the back-off between tries meanwhile."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.since: float | None = None  # monotonic time of the first failure
        self.failures = 0
        self.next_try = 0.0

    @property
    def down(self) -> bool:
        return self.since is not None

    def may_try(self, now: float) -> bool:
        return now >= self.next_try

    def failed(self, error: str, now: float) -> None:
        self.failures += 1
        delay = min(OUTAGE_FIRST * 2 ** min(self.failures - 1, 20), OUTAGE_MAX)
        self.next_try = now + delay
        if self.since is None:
            self.since = now
            log.error(
                "event=database_unavailable db=%s error=%r retry_in=%.0fs (polls wait; nothing "
                "unrecorded is lost: due feeds are polled when it is back)",
                self.label, error, delay,
            )  # fmt: skip
        else:
            log.warning(
                "event=database_still_unavailable db=%s down_for=%.0fs retry_in=%.0fs",
                self.label, now - self.since, delay,
            )  # fmt: skip

    def succeeded(self, now: float) -> None:
        if self.since is not None:
            log.info("event=database_back db=%s down_for=%.0fs", self.label, now - self.since)
        self.since = None
        self.failures = 0
        self.next_try = 0.0


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Membership(DaemonBase):
    """Heartbeats and leaving (PostgreSQL), and whether the database answers again."""

    def _start_heartbeat(self) -> None:
        if self.shared:
            self._beat()
            self.scheduler.add_job(
                self._track, "interval", seconds=HEARTBEAT_EVERY, args=[self._heartbeat],
                id="heartbeat", max_instances=1,
            )  # fmt: skip

    def _leave(self) -> None:
        if self.shared:
            try:
                self.store.worker_leave(self.worker)  # type: ignore[union-attr]
            except MonitorError as exc:  # the claims end with their leases anyway
                log.error("event=worker_leave_failed error=%r", str(exc))

    def _beat(self) -> None:
        assert isinstance(self.store, PostgresStore)
        lease = lease_seconds(self.config)
        self.store.worker_beat(self.worker, self.role, socket.gethostname(), os.getpid(), lease)

    async def _heartbeat(self) -> None:
        try:
            self._beat()
        except StoreError as exc:  # the database is away: its leases end, others take over
            self.outage.failed(str(exc), time.monotonic())
        except MonitorError as exc:
            log.error("event=heartbeat_failed worker=%s error=%r", self.worker, str(exc))

    async def _reachable(self) -> bool:
        """While the database is lost: whether it answers again (a plain connection, tried in
        a thread with a short timeout, at the back-off's pace)."""
        if not self.outage.down:
            return True
        if not self.outage.may_try(time.monotonic()):
            return False
        assert isinstance(self.database, PostgresURL)
        database = self.database
        try:
            conn = await asyncio.to_thread(connect, database, connect_timeout=str(PROBE_TIMEOUT))
        except StoreError as exc:
            self.outage.failed(str(exc), time.monotonic())
            return False
        conn.close()
        self.outage.succeeded(time.monotonic())
        return True
