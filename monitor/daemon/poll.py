"""The poll role: on SQLite one scheduler job per feed, at the time its state says; on
PostgreSQL claim rounds, due feeds claimed by host with the other poll workers."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta

from monitor.config import Config
from monitor.daemon.base import ALIVE_WITHIN, HEARTBEAT_EVERY, DaemonBase
from monitor.daemon.claims import claim_size
from monitor.errors import MonitorError, StoreError
from monitor.store import FeedState, PostgresStore
from monitor.timeutil import utcnow

log = logging.getLogger("monitor.daemon")

RETRY_FIRST = 10.0  # seconds before polling again a feed whose poll could not be recorded
CLAIM_EVERY = 2  # seconds between claim rounds of a poll worker that found nothing due
START_PACE = 4  # overdue feeds first polled per second and unit of settings.concurrency
HOSTS_IN_HAND = 2  # times settings.concurrency: the hosts a poll worker holds at once


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


def retry_delay(failures: int, interval: int) -> float:
    """Seconds before polling again a feed whose last `failures` polls in a row could not be
    stored: 10 s, 20 s, 40 s... and never more than its `interval` (at least 10 s)."""
    return float(min(RETRY_FIRST * 2 ** min(max(failures, 1) - 1, 20), max(RETRY_FIRST, interval)))


class Polling(DaemonBase):
    """The poll role: when each feed is polled, and what follows a poll."""

    _unrecorded: dict[int, int]  # feed id -> polls in a row that could not be stored

    def _start_polling(self) -> None:
        if not self._does("poll"):
            return
        if self.shared:  # claim due feeds by host, with other poll workers
            self.scheduler.add_job(
                self._track, "interval", seconds=CLAIM_EVERY, args=[self._claim_rounds],
                id="claims", max_instances=1, next_run_time=datetime.now(UTC),
            )  # fmt: skip
        else:
            self._schedule_feeds()

    async def _claim_rounds(self) -> None:
        """Claim due feeds by host and poll them until none is due. Each host goes back as
        soon as its own feeds are polled, and more are claimed once a quarter of this
        worker's share of the hosts went back (daemon/claims.py: the share, and batches that
        shrink as the due feeds run out, keep the workers busy together to the cycle's end).
        A slow feed holds up its own host only, never the other hosts of its claim nor the
        next claim; a claim that finds nothing free waits for a host in hand to go back and
        tries again, and the round ends only with no host in hand."""
        assert isinstance(self.store, PostgresStore)
        store = self.store
        settings = self.config.settings
        if not await self._reachable():
            return
        most = HOSTS_IN_HAND * max(1, settings.concurrency)
        hand = most  # the hosts this worker holds at most, as the last outlook said
        in_flight: set[asyncio.Task[bool]] = set()  # one per host in hand

        async def one_back() -> bool:
            nonlocal in_flight
            done, in_flight = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
            return all(task.result() for task in done)  # False: the database failed under a host

        try:
            while not self._stopping:
                if in_flight and hand - len(in_flight) < max(1, hand // 4):
                    if not await one_back():
                        return
                    continue
                try:
                    size = claim_size(
                        store.claim_outlook(ALIVE_WITHIN),
                        in_hand=len(in_flight),
                        most=most,
                        per_host=claim_per_host(self.config),
                        least=settings.per_host_concurrency,
                    )
                    hand = size.hand
                    feeds = []
                    if size.hosts:
                        feeds = store.claim_feeds(
                            self.worker,
                            hosts=size.hosts,
                            per_host=size.per_host,
                            lease_seconds=lease_seconds(self.config),
                        )
                except StoreError as exc:  # nothing claimed, nothing fetched: all is polled later
                    self.outage.failed(str(exc), time.monotonic())
                    return
                except MonitorError as exc:
                    log.error("event=claim_failed worker=%s error=%r", self.worker, str(exc))
                    return
                if not feeds:
                    if not in_flight:
                        return
                    if not await one_back():
                        return
                    continue
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
