"""What the parts of the daemon share: its state, the roles it plays, and the running of
jobs as tracked tasks that a stop waits for (within its grace) and then cancels."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Coroutine
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from monitor.config import Config
from monitor.pipeline import Poller
from monitor.store import AnyStore, Target

if TYPE_CHECKING:
    from monitor.daemon.workers import Outage

log = logging.getLogger("monitor.daemon")

# SIGTERM: the work in hand gets SHUTDOWN_GRACE seconds, what is left is cancelled and given
# CANCEL_GRACE more; with closing, the exit takes at most about 6.5 s (documented: 10 s).
SHUTDOWN_GRACE = 5.0
CANCEL_GRACE = 1.0
ROLES = ("poll", "stories", "deliver", "all")
HEARTBEAT_EVERY = 10  # seconds between a worker's heartbeats (which also renew its leases)
ALIVE_WITHIN = 3 * HEARTBEAT_EVERY  # a worker silent longer than this is counted dead


def make_scheduler() -> AsyncIOScheduler:
    """The daemon's scheduler. A job whose time passed while the loop was busy (a long poll,
    a loaded machine) runs late, once, instead of being dropped with APScheduler's "was
    missed by" warning (its default grace is 1 s): every job here is periodic or one-off
    work that is still worth doing late, and a late run must not wake a quiet daemon's log."""
    return AsyncIOScheduler(timezone=UTC, job_defaults={"coalesce": True, "misfire_grace_time": None})


def roles_of(role: str) -> tuple[str, ...]:
    return ("poll", "stories", "deliver") if role == "all" else (role,)


class DaemonBase:
    """The state every part reads (set by `Daemon`), and the methods one part calls in
    another (each defined in its own part)."""

    config_path: Path
    db_override: Target | None
    role: str
    worker: str
    config: Config
    database: Target
    store: AnyStore
    stage_store: AnyStore  # the later stages' own connection (they run in a thread)
    shared: bool  # PostgreSQL: other processes may share the work
    outage: Outage
    poller: Poller
    scheduler: AsyncIOScheduler
    _leader: Any  # the stories sequencer's lock connection (PostgreSQL)
    _inflight: set[asyncio.Task[Any]]
    mail_replies: set[asyncio.Future[Any]]  # mails whose final dot went, their reply awaited
    _new_work: bool  # articles may be waiting for the later stages
    _stopping: bool
    _stages_running: threading.Lock  # held by the thread running the later stages

    def _does(self, role: str) -> bool:
        return self.role in (role, "all")

    # Defined by the parts (poll, reload, stories, workers):
    async def _claim_rounds(self) -> None:
        raise NotImplementedError

    async def _reachable(self) -> bool:
        raise NotImplementedError

    async def _reload_if_changed(self) -> None:
        raise NotImplementedError

    def _schedule_feeds(self) -> None:
        raise NotImplementedError

    def _wake_stages(self) -> None:
        raise NotImplementedError

    async def _drain(self) -> None:
        """The work in hand, and the replies to mails already sent, get SHUTDOWN_GRACE; then
        the work left is cancelled. A reply still awaited is not: its mail stays recorded as
        sent but unanswered, never sent again (deliver/handoff.py)."""
        if not self._inflight and not self.mail_replies:
            return
        started = time.monotonic()
        pending: set[asyncio.Task[Any]] = set()
        if self._inflight:
            _done, pending = await asyncio.wait(self._inflight, timeout=SHUTDOWN_GRACE)
        left = SHUTDOWN_GRACE - (time.monotonic() - started)
        if self.mail_replies and left > 0:
            await asyncio.wait(set(self.mail_replies), timeout=left)
        if self.mail_replies:
            log.warning("event=daemon_left_mail_replies count=%d", len(self.mail_replies))
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending, timeout=CANCEL_GRACE)
            log.warning("event=daemon_cancelled_polls count=%d", len(pending))

    async def _track(self, job: Any, *args: Any) -> None:
        """Run a job as a tracked task, so that shutdown can wait for it."""
        if self._stopping:
            return
        if self.outage.down and job not in (self._claim_rounds, self._reload_if_changed):
            return  # the claim rounds try the database at the back-off's pace
        coroutine: Coroutine[Any, Any, None] = job(*args)
        task = asyncio.ensure_future(coroutine)
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)
        try:
            # Shielded: the scheduler's shutdown must not cancel a poll in hand; _drain
            # decides how long it may run.
            await asyncio.shield(task)
        except asyncio.CancelledError:
            pass
        except Exception:  # a job's failure must not end the daemon
            log.exception("event=job_failed job=%s", getattr(job, "__name__", job))
