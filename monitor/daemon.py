"""`monitor run`: APScheduler drives the poll pass per feed as each falls due.

Roles (`--role poll|stories|deliver|all`): on PostgreSQL any number of processes of each
role share one database. Poll workers claim due feeds by host (monitor.store.workers) instead
of scheduling each feed; one stories process at a time runs the stages (the sequencer holds
an advisory lock; another takes over within seconds when it dies); deliver processes send
digests and alerts, each claimed row by row. On SQLite one process does everything.

SIGTERM/SIGINT: stop scheduling, let the polls in hand finish (a few seconds at most), stop
the stories stage between two chunks of texts (its batch in hand is dropped whole), close
the database, exit 0; `monitor run` then ends the process without unwinding the threads a
stage may still hold (ONNX Runtime's, see `end_process`). feeds.yaml is re-read when it
changes; a bad edit is logged and the last good config kept.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from monitor.background import in_daemon_thread
from monitor.config import Config
from monitor.deliver.alerts import daemon_alerts_job
from monitor.deliver.digest import daemon_digest_job
from monitor.errors import MonitorError, StoreError
from monitor.ingest.fetch import make_client
from monitor.metrics import serve_daemon_metrics, set_stories, set_worker
from monitor.pipeline import Poller, default_stages, fetch_options
from monitor.sections import load_checked_config
from monitor.store import FeedState, PostgresStore, PostgresURL, Target, open_store
from monitor.store.postgres import connect
from monitor.timeutil import utcnow

log = logging.getLogger("monitor.daemon")
# The one line `monitor run` says at start even without -v (see monitor.cli.context).
start_log = logging.getLogger("monitor.daemon.start")

# SIGTERM: the work in hand gets SHUTDOWN_GRACE seconds, what is left is cancelled and given
# CANCEL_GRACE more; with closing, the exit takes at most about 6.5 s (documented: 10 s).
SHUTDOWN_GRACE = 5.0
CANCEL_GRACE = 1.0
RELOAD_EVERY = 5  # seconds between checks of feeds.yaml
RELOAD_TIMEOUT = 60.0  # seconds a reading of feeds.yaml may take (500,000 feeds: ~30 s)
STAGES_EVERY = 30  # seconds between runs of the later stages, when there is new work
STAGES_DEBOUNCE = 2  # seconds from a poll with new articles to the later stages
ALERTS_EVERY = 15  # seconds between deliveries of due alerts (the outbox)
RETRY_FIRST = 10.0  # seconds before polling again a feed whose poll could not be recorded


ROLES = ("poll", "stories", "deliver", "all")
HEARTBEAT_EVERY = 10  # seconds between a worker's heartbeats (which also renew its leases)
ALIVE_WITHIN = 3 * HEARTBEAT_EVERY  # a worker silent longer than this is counted dead
CLAIM_EVERY = 2  # seconds between claim rounds of a poll worker that found nothing due
# With several processes: how often a stories process runs the stages, or, when another is
# the sequencer, asks to take over (so a dead sequencer is replaced within seconds).
SHARED_STAGES_EVERY = 5
START_PACE = 4  # overdue feeds first polled per second and unit of settings.concurrency
HOSTS_IN_HAND = 2  # times settings.concurrency: the hosts a poll worker holds at once
# pg_advisory_lock key of the stories sequencer: 'stories' read as a number.
STORIES_LOCK = int.from_bytes(b"stories", "big")
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


def lease_seconds(config: Config) -> float:
    """How long a claim on a host's feeds holds without a heartbeat: the fetches of one
    host's claimed feeds (each bounded by the timeout, spaced by the per-host delay), with
    room to spare."""
    settings = config.settings
    per_host = claim_per_host(config)
    return 3 * settings.timeout + per_host * settings.per_host_delay + 3 * HEARTBEAT_EVERY


def claim_per_host(config: Config) -> int:
    return max(1, 4 * config.settings.per_host_concurrency)


def spread_overdue(feeds: list[FeedState], now: datetime, pace: float) -> dict[int, datetime]:
    """When to poll each feed that is not yet scheduled: its own time, but the overdue ones
    (never polled, or due while the daemon was down) one after the other at `pace` a
    second, the longest overdue first. A start with 100,000 due feeds then hands the
    fetcher what it can take, not 100,000 polls at once."""
    overdue = [f for f in feeds if f.next_due is None or f.next_due <= now]
    overdue.sort(key=lambda f: f.next_due or datetime.min.replace(tzinfo=UTC))
    when = {f.id: f.next_due for f in feeds if f.next_due is not None and f.next_due > now}
    for index, feed in enumerate(overdue):
        when[feed.id] = now + timedelta(seconds=index / pace)
    return when


def roles_of(role: str) -> tuple[str, ...]:
    return ("poll", "stories", "deliver") if role == "all" else (role,)


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


def retry_delay(failures: int, interval: int) -> float:
    """Seconds before polling again a feed whose last `failures` polls in a row could not be
    stored: 10 s, 20 s, 40 s... and never more than its `interval` (at least 10 s)."""
    return float(min(RETRY_FIRST * 2 ** min(max(failures, 1) - 1, 20), max(RETRY_FIRST, interval)))


class Daemon:
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
        self._new_work = True  # articles left without a story by a previous run
        self._stopping = False
        self._stages_running = threading.Lock()  # held by the thread running the later stages
        self._unrecorded: dict[int, int] = {}  # feed id -> polls in a row that could not be stored
        self.outage = Outage("the database")  # named once it is open

    def _config_mtime(self) -> float:
        try:
            return self.config_path.stat().st_mtime_ns / 1e9
        except OSError:
            return 0.0

    def run(self) -> None:
        asyncio.run(self._main())

    def _does(self, role: str) -> bool:
        return self.role in (role, "all")

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
        self.scheduler = AsyncIOScheduler(timezone=UTC)
        async with make_client(fetch_options(self.config)) as client:
            self.poller.client = client
            if self.shared:
                self._beat()
                self.scheduler.add_job(
                    self._track, "interval", seconds=HEARTBEAT_EVERY, args=[self._heartbeat],
                    id="heartbeat", max_instances=1,
                )  # fmt: skip
            if self._does("poll"):
                if self.shared:  # claim due feeds by host, with other poll workers
                    self.scheduler.add_job(
                        self._track, "interval", seconds=CLAIM_EVERY, args=[self._claim_rounds],
                        id="claims", max_instances=1, next_run_time=datetime.now(UTC),
                    )  # fmt: skip
                else:
                    self._schedule_feeds()
            self.scheduler.add_job(
                self._track,
                "interval",
                seconds=RELOAD_EVERY,
                args=[self._reload_if_changed],
                id="reload",
                max_instances=1,
            )
            if self._does("stories"):
                self.scheduler.add_job(
                    self._track,
                    "interval",
                    seconds=SHARED_STAGES_EVERY if self.shared else STAGES_EVERY,
                    args=[self._run_stages],
                    id="stages",
                    max_instances=1,
                    # Soon after start: articles a previous run left without a story wait no longer.
                    next_run_time=datetime.now(UTC) + timedelta(seconds=STAGES_DEBOUNCE),
                )
            if self._does("deliver"):
                self.scheduler.add_job(
                    self._track,
                    "interval",
                    seconds=60,
                    args=[daemon_digest_job, self],
                    id="digest",
                    max_instances=1,
                    next_run_time=datetime.now(UTC),
                )
                self.scheduler.add_job(
                    self._track,
                    "interval",
                    seconds=ALERTS_EVERY,
                    args=[daemon_alerts_job, self],
                    id="alerts",
                    max_instances=1,
                    next_run_time=datetime.now(UTC) + timedelta(seconds=STAGES_DEBOUNCE),
                )
            self.scheduler.start()
            set_worker(self.role, self.worker)
            serve_daemon_metrics(self.config, port=self.metrics_port)
            now = utcnow()
            first = self.store.first_due() if self._does("poll") else None
            line = start_line(
                feeds=len(self.config.feeds), role=self.role, now=now,
                first_due=None if first is None else first.next_due or now,
                zone=ZoneInfo(self.config.settings.timezone),
            )  # fmt: skip
            start_log.info("%s worker=%s db=%s", line, self.worker, self.store.label)
            await stop.wait()
            self._stopping = True
            log.info("event=daemon_stopping inflight=%d", len(self._inflight))
            self.scheduler.shutdown(wait=False)
            await self._drain()
        if self.shared:
            try:
                self.store.worker_leave(self.worker)  # type: ignore[union-attr]
            except MonitorError as exc:  # the claims end with their leases anyway
                log.error("event=worker_leave_failed error=%r", str(exc))
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
        log.info("event=daemon_stopped")

    # --- many workers (PostgreSQL) -------------------------------------------------

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

    async def _claim_rounds(self) -> None:
        """Claim due feeds by host and poll them until none is due. Each host goes back as
        soon as its own feeds are polled, and more are claimed as soon as a quarter of the
        hosts in hand (HOSTS_IN_HAND times the concurrency) went back: a slow feed holds up
        its own host only, never the other hosts of its claim nor the next claim."""
        assert isinstance(self.store, PostgresStore)
        settings = self.config.settings
        if not await self._reachable():
            return
        most = HOSTS_IN_HAND * max(1, settings.concurrency)
        in_flight: set[asyncio.Task[bool]] = set()  # one per host in hand
        try:
            while not self._stopping:
                if most - len(in_flight) < max(1, most // 4):
                    done, in_flight = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                    if not all(task.result() for task in done):
                        return  # the database failed under a host's polls: back off
                    continue
                try:
                    feeds = self.store.claim_feeds(
                        self.worker,
                        hosts=most - len(in_flight),
                        per_host=claim_per_host(self.config),
                        lease_seconds=lease_seconds(self.config),
                    )
                except StoreError as exc:  # nothing claimed, nothing fetched: all is polled later
                    self.outage.failed(str(exc), time.monotonic())
                    return
                except MonitorError as exc:
                    log.error("event=claim_failed worker=%s error=%r", self.worker, str(exc))
                    return
                if not feeds:
                    return
                by_host: dict[str | None, list[FeedState]] = {}
                for feed in feeds:
                    by_host.setdefault(feed.host, []).append(feed)
                for host_feeds in by_host.values():
                    in_flight.add(asyncio.ensure_future(self._poll_host(host_feeds)))
        finally:
            if in_flight:
                await asyncio.wait(in_flight)

    async def _poll_host(self, feeds: list[FeedState]) -> bool:
        """Poll one host's claimed feeds, then free the host; False when the database failed."""
        assert isinstance(self.store, PostgresStore)
        token, host = feeds[0].claim_token, feeds[0].host
        ok = True
        try:
            report = await self.poller.poll(feeds)
            if report.new_articles or report.updated_articles:
                self._new_work = True
                self._wake_stages()
        except Exception as exc:  # nothing of a feed was half-kept; the leases end
            ok = False
            if isinstance(exc, StoreError):
                self.outage.failed(str(exc), time.monotonic())
            log.error(
                "event=poll_not_recorded feeds=%d error=%r",
                len(feeds),
                str(exc) if isinstance(exc, MonitorError) else f"{type(exc).__name__}: {exc}",
            )
        finally:
            if not self._stopping and token is not None:
                try:
                    if host is None:
                        self.store.release_batch(token)
                    else:
                        self.store.release_host(token, host, feeds)
                except MonitorError as exc:
                    log.error("event=release_failed worker=%s error=%r", self.worker, str(exc))
        return ok

    def _lead_stories(self) -> bool:
        """Whether this process is the stories sequencer now (always, alone on SQLite)."""
        if not self.shared:
            return True
        if self._leader is not None:
            try:
                self._leader.execute("SELECT 1")
                return True
            except Exception:  # its connection is gone, and with it the lock
                log.warning("event=stories_leadership_lost worker=%s", self.worker)
                self._leader.close()
                self._leader = None
        assert isinstance(self.database, PostgresURL)
        conn = connect(self.database, application_name=f"monitor stories sequencer {self.worker}")
        if conn.execute("SELECT pg_try_advisory_lock(%s)", [STORIES_LOCK]).fetchone()[0]:
            self._leader = conn
            log.info("event=stories_leader worker=%s", self.worker)
            return True
        conn.close()
        return False

    async def _drain(self) -> None:
        if not self._inflight:
            return
        _done, pending = await asyncio.wait(self._inflight, timeout=SHUTDOWN_GRACE)
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

    # --- feeds ---------------------------------------------------------------------

    def _schedule_feeds(self) -> None:
        # The scheduled ids in a set: before the scheduler starts, get_job() reads its list of
        # pending jobs from the start, which made 100,000 feeds take hours.
        jobs = {job.id: job for job in self.scheduler.get_jobs() if job.id.startswith("feed:")}
        wanted = set()
        new = []
        for feed in self.store.feeds():
            if feed.gone:
                continue
            job_id = f"feed:{feed.id}"
            wanted.add(job_id)
            if job_id not in jobs:
                new.append(feed)
        pace = START_PACE * self.config.settings.concurrency
        for feed_id, when in spread_overdue(new, utcnow(), pace).items():
            self._schedule_feed(feed_id, when)
        for job_id, job in jobs.items():
            if job_id not in wanted:
                job.remove()

    def _schedule_feed(self, feed_id: int, when: datetime | None) -> None:
        # Never "now": from inside the feed's own running job, a job due at once would be
        # skipped by the scheduler (one instance at a time), and the feed never polled again.
        run_at = max(when or utcnow(), datetime.now(UTC) + timedelta(seconds=1))
        self.scheduler.add_job(
            self._track,
            "date",
            run_date=run_at,
            args=[self._poll_feed, feed_id],
            id=f"feed:{feed_id}",
            replace_existing=True,
            misfire_grace_time=None,
        )

    async def _poll_feed(self, feed_id: int) -> None:
        feed = self.store.feed_by_id(feed_id)
        if feed is None or feed.gone or not feed.active:
            return
        report = None
        try:
            report = await self.poller.poll([feed])
        except Exception as exc:
            # The poll could not be recorded (a full disk, a locked or read-only database, or
            # a bug): nothing of it was kept, so it is tried again soon, then less often.
            failures = self._unrecorded[feed_id] = self._unrecorded.get(feed_id, 0) + 1
            log.error(
                "event=poll_not_recorded feed=%s error=%r retry_in=%.0fs",
                feed.url,
                str(exc) if isinstance(exc, MonitorError) else f"{type(exc).__name__}: {exc}",
                self._retry_delay(feed),
            )
            if failures == 1:  # the full story once, at debug level (or always, for a bug)
                level = logging.DEBUG if isinstance(exc, MonitorError) else logging.ERROR
                log.log(level, "event=poll_not_recorded_detail feed=%s", feed.url, exc_info=True)
        finally:
            if not self._stopping:
                self._reschedule(feed, retry=report is None)
        if report is None:
            return
        self._unrecorded.pop(feed_id, None)
        if report.new_articles or report.updated_articles:
            self._new_work = True
            self._wake_stages()

    def _reschedule(self, feed: FeedState, *, retry: bool) -> None:
        """The feed's next poll: when its state says, or after a failed one, the retry delay
        (and never before its server's Retry-After)."""
        try:
            state = self.store.feed_by_id(feed.id)
        except Exception:  # the database cannot even be read: keep the feed on the retry path
            log.exception("event=feed_state_unreadable feed=%s", feed.url)
            state, retry = feed, True
        if state is None or not state.active or state.gone:
            return
        when = state.next_due
        if retry:
            when = datetime.now(UTC) + timedelta(seconds=self._retry_delay(state))
            if state.retry_after is not None:
                when = max(when, state.retry_after)
        self._schedule_feed(feed.id, when)

    def _retry_delay(self, feed: FeedState) -> float:
        return retry_delay(self._unrecorded.get(feed.id, 1), feed.interval or self.config.settings.interval)

    def _wake_stages(self) -> None:
        """New articles: run the later stages soon (a few seconds, to batch a burst of polls)."""
        job = self.scheduler.get_job("stages")
        soon = datetime.now(UTC) + timedelta(seconds=STAGES_DEBOUNCE)
        if job is not None and job.next_run_time is not None and job.next_run_time > soon:
            job.modify(next_run_time=soon)

    # --- config and stages ---------------------------------------------------------

    async def _reload_if_changed(self) -> None:
        mtime = self._config_mtime()
        if mtime == self._mtime:
            return
        self._mtime = mtime
        # Read in a thread, so that the loop goes on polling and hears SIGTERM; bounded in
        # time here, in memory by the loader's own limits (size, aliases, depth). A reading
        # that overruns is left to finish in its daemon thread, and ignored.
        path = self.config_path
        try:
            config = await asyncio.wait_for(
                in_daemon_thread(lambda: load_checked_config(path), "reload"), RELOAD_TIMEOUT
            )
        except MonitorError as exc:
            log.error("event=config_rejected error=%r (keeping the previous config)", str(exc))
            return
        except TimeoutError:
            log.error(
                "event=config_rejected error=%r (keeping the previous config)",
                f"{path}: not read within {RELOAD_TIMEOUT:g} s",
            )
            return
        except Exception as exc:  # a bug in a check: the daemon goes on with what it has
            log.exception("event=config_rejected error=%r (keeping the previous config)", repr(exc))
            return
        try:
            if self._does("poll"):
                self.store.sync_feeds(config.feeds)
        except MonitorError as exc:  # the database cannot take it now (a full disk): next tick
            self._mtime = -1.0  # differs from any real mtime: read again next tick
            log.error("event=config_not_applied error=%r (tried again in %d s)", str(exc), RELOAD_EVERY)
            return
        self.config = config
        self.poller.config = config
        # Edited watches (or stories settings) apply from the next run of the stages.
        if self._does("stories"):
            self.poller.stages = default_stages(config, stop=lambda: self._stopping, deliver_alerts=False)
        self._new_work = True
        if self._does("poll") and not self.shared:
            self._schedule_feeds()
        log.info("event=config_reloaded feeds=%d", len(config.feeds))

    async def _run_stages(self) -> None:
        if self.shared:
            # Other processes poll: their articles are seen in the database, not here.
            self._new_work = True
        if not self._new_work or not self.poller.stages:
            return
        self._new_work = False
        await in_daemon_thread(self._run_stages_led, "stages")

    def _run_stages_led(self) -> None:
        with self._stages_running:
            if self._stopping:
                return
            try:
                leading = self._lead_stories()
            except MonitorError as exc:
                log.error("event=stages_not_run error=%r", str(exc))
                return
            if leading:
                self._run_stages_now()

    def _run_stages_now(self) -> None:
        for stage in self.poller.stages:
            if self._stopping:
                return
            try:
                note = stage(self.stage_store)
            except MonitorError as exc:
                log.error("event=stage_failed stage=%s error=%r", getattr(stage, "__name__", stage), str(exc))
                self._new_work = True  # what it left undone is tried again at the next run
                continue
            if note:
                log.info("event=stage_done stage=%s note=%r", getattr(stage, "__name__", stage), note)
        set_stories(self.stage_store.count("stories"))


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
