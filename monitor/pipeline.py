"""One poll pass: fetch due feeds concurrently, parse, store through one writer, then run
the later stages. The daemon drives the same pass per feed as each falls due."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import httpx

from monitor.config import Config
from monitor.errors import ParseError
from monitor.fetch import FetchOptions, FetchRequest, FetchResult, fetch, make_client
from monitor.parse import ParsedFeed, parse_feed
from monitor.schedule import PollHistory, next_poll_at
from monitor.store import ArticleCounts, FeedState, FeedUpdate, Store
from monitor.timeutil import utcnow

log = logging.getLogger("monitor.pipeline")

# A later stage (dedup, stories, ...) takes the store and returns a one-line summary.
Stage = Callable[[Store], str | None]


@dataclass
class PollReport:
    ok: int = 0
    not_modified: int = 0
    failed: int = 0
    new_articles: int = 0
    updated_articles: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (url, "step: error")
    stage_notes: list[str] = field(default_factory=list)

    @property
    def feeds(self) -> int:
        return self.ok + self.not_modified + self.failed

    def summary(self) -> str:
        return (
            f"{self.feeds} feeds polled: {self.ok} ok, {self.not_modified} not modified, "
            f"{self.failed} failed; {self.new_articles} new articles, "
            f"{self.updated_articles} updated"
        )


def body_hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def plan_feed_update(
    feed: FeedState,
    result: FetchResult,
    parsed: ParsedFeed | None,
    parse_error: str | None,
    config: Config,
    now: datetime,
) -> FeedUpdate:
    """Decide a feed's new state from one fetch (and parse) result. Pure."""
    settings = config.settings
    interval = feed.interval or settings.interval
    failed = result.outcome == "error" or parse_error is not None
    error_count = feed.error_count + 1 if failed else 0
    content_hash = body_hash(result.content) if result.content is not None else None
    if failed:
        status = "error"
    elif result.outcome == "not_modified":
        status = "not_modified"
    elif parsed is None:
        status = "unchanged"  # same body as last time: not parsed again
    else:
        status = "ok"
    ttl = parsed.ttl_seconds if parsed is not None else feed.ttl_seconds
    max_age = result.max_age_seconds if result.status is not None else feed.max_age_seconds
    history = PollHistory(
        error_count=error_count,
        ttl_seconds=ttl,
        max_age_seconds=max_age,
        retry_after=result.retry_after,
    )
    due = next_poll_at(
        now,
        interval,
        history,
        key=feed.url,
        min_interval=min(settings.min_interval, interval),
        max_interval=settings.max_interval,
    )
    keep_validators = result.outcome != "ok" or parse_error is not None
    return FeedUpdate(
        polled_at=now,
        status=status,
        http_status=result.status,
        next_due=due,
        error_count=error_count,
        etag=feed.etag if keep_validators else result.etag,
        last_modified=feed.last_modified if keep_validators else result.last_modified,
        body_hash=feed.body_hash if (keep_validators or content_hash is None) else content_hash,
        ttl_seconds=ttl,
        max_age_seconds=max_age,
        retry_after=result.retry_after,
        error=parse_error or result.error,
        error_step="while parsing" if parse_error else result.error_step,
        title=parsed.title if parsed else None,
        site_url=parsed.link if parsed else None,
    )


def fetch_options(config: Config) -> FetchOptions:
    s = config.settings
    return FetchOptions(
        user_agent=s.user_agent,
        timeout=s.timeout,
        max_body_bytes=s.max_body_bytes,
        connect_timeout=min(10.0, s.timeout),
    )


def _allow_private(config: Config, feed: FeedState) -> bool:
    listed = config.feed(feed.url)
    if listed is not None and listed.allow_private_addresses is not None:
        return listed.allow_private_addresses
    return config.settings.allow_private_addresses


def _parse(feed: FeedState, result: FetchResult) -> tuple[ParsedFeed | None, str | None]:
    """Parse a fetched body unless it is the same body as last time."""
    if result.outcome != "ok" or result.content is None:
        return None, None
    if feed.body_hash is not None and body_hash(result.content) == feed.body_hash:
        return None, None
    try:
        return parse_feed(
            result.content,
            url=result.final_url or feed.url,
            headers=result.headers,
            feed_language=feed.language,
        ), None
    except ParseError as exc:
        return None, exc.message
    except Exception as exc:
        log.exception("event=parse_crash feed=%s", feed.url)
        return None, f"{type(exc).__name__}: {exc}"


class Poller:
    """Fetches concurrently (bounded) and writes through the one store it holds."""

    def __init__(self, store: Store, config: Config, stages: Sequence[Stage] = ()) -> None:
        self.store = store
        self.config = config
        self.stages = list(stages)
        self._limit = asyncio.Semaphore(config.settings.concurrency)
        self.client: httpx.AsyncClient | None = None  # shared by a long-lived caller

    async def poll(
        self,
        feeds: Sequence[FeedState],
        progress: Callable[[FeedState, str], None] | None = None,
    ) -> PollReport:
        if self.client is not None:
            return await self._poll(self.client, feeds, progress)
        async with make_client(fetch_options(self.config)) as client:
            return await self._poll(client, feeds, progress)

    async def _poll(
        self,
        client: httpx.AsyncClient,
        feeds: Sequence[FeedState],
        progress: Callable[[FeedState, str], None] | None,
    ) -> PollReport:
        report = PollReport()
        options = fetch_options(self.config)

        async def one(feed: FeedState) -> tuple[FeedState, FetchResult]:
            async with self._limit:
                request = FetchRequest(
                    url=feed.url,
                    etag=feed.etag,
                    last_modified=feed.last_modified,
                    allow_private_addresses=_allow_private(self.config, feed),
                )
                return feed, await fetch(client, request, options)

        for task in asyncio.as_completed([one(f) for f in feeds]):
            feed, result = await task
            parsed, parse_error = await asyncio.to_thread(_parse, feed, result)
            # Every write happens here, on the event loop's thread: one writer.
            status = self._record(feed, result, parsed, parse_error, report)
            if progress is not None:
                progress(feed, status)
        return report

    def _record(
        self,
        feed: FeedState,
        result: FetchResult,
        parsed: ParsedFeed | None,
        parse_error: str | None,
        report: PollReport,
    ) -> str:
        now = utcnow()
        update = plan_feed_update(feed, result, parsed, parse_error, self.config, now)
        entries = parsed.entries if parsed is not None else ()
        counts = self.store.record_poll(
            feed,
            update,
            entries,
            url=result.final_url or feed.url,
            duration_ms=int(result.elapsed * 1000),
            size=len(result.content) if result.content is not None else None,
        )
        self._count(report, feed, update, counts)
        return update.status

    @staticmethod
    def _count(report: PollReport, feed: FeedState, update: FeedUpdate, counts: ArticleCounts) -> None:
        if update.status == "error":
            report.failed += 1
            report.failures.append((feed.url, f"{update.error_step}: {update.error}"))
            log.warning(
                "event=poll_failed feed=%s step=%r error=%r errors_in_a_row=%d",
                feed.url,
                update.error_step,
                update.error,
                update.error_count,
            )
        elif update.status == "ok":
            report.ok += 1
        else:
            report.not_modified += 1
        report.new_articles += counts.new
        report.updated_articles += counts.updated
        log.info(
            "event=polled feed=%s status=%s new=%d updated=%d next_due=%s",
            feed.url,
            update.status,
            counts.new,
            counts.updated,
            update.next_due.isoformat(),
        )

    def run_stages(self, report: PollReport) -> None:
        for stage in self.stages:
            note = stage(self.store)
            if note:
                report.stage_notes.append(note)


def default_stages(config: Config) -> list[Stage]:
    """The stages after storing, in order, as far as they exist."""
    del config
    return []


def poll_once(
    store: Store,
    config: Config,
    *,
    all_feeds: bool = False,
    progress: Callable[[FeedState, str], None] | None = None,
    on_start: Callable[[int], None] | None = None,
) -> PollReport:
    """The `monitor poll` pass: sync the config, poll what is due, run the later stages."""
    store.sync_feeds(config.feeds)
    feeds = store.due_feeds(utcnow(), all_feeds=all_feeds)
    if on_start is not None:
        on_start(len(feeds))
    poller = Poller(store, config, default_stages(config))
    report = asyncio.run(poller.poll(feeds, progress))
    poller.run_stages(report)
    return report
