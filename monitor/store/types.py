"""The plain records the store hands out and takes in (no SQL here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from monitor.ingest.schedule import FeedWindow


@dataclass(frozen=True)
class FeedState:
    """A feed as the store knows it: its config and its polling history."""

    id: int
    url: str
    name: str | None
    language: str | None
    tags: tuple[str, ...]
    interval: int | None
    active: bool
    gone: bool
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    ttl_seconds: int | None
    max_age_seconds: int | None
    retry_after: datetime | None
    error_count: int
    last_status: str | None
    last_polled: datetime | None
    next_due: datetime | None
    # fetching (issue 4): where the feed moved to, and repeated answers
    fetch_url: str | None = None
    last_http_status: int | None = None
    status_streak: int = 0
    redirect_target: str | None = None
    redirect_streak: int = 0
    # many workers on PostgreSQL: the token of this worker's claim on the feed, if any
    claim_token: str | None = None
    # what its last read body listed, for the next poll time (None: never read)
    window: FeedWindow | None = None
    host: str | None = None  # as the database groups feeds for claims (PostgreSQL)


@dataclass(frozen=True)
class FetchStatus:
    """After a poll: the streaks of repeated answers, and what they decided (a feed gone, a
    moved fetch URL); decided in schedule.plan_status, written with the poll."""

    status_streak: int
    redirect_target: str | None
    redirect_streak: int
    gone: bool = False
    fetch_url: str | None = None


@dataclass(frozen=True)
class FeedUpdate:
    """What one poll changes on a feed row (decided in pipeline.plan_feed_update)."""

    polled_at: datetime
    status: str  # 'ok', 'not_modified', 'unchanged' or 'error'
    http_status: int | None
    next_due: datetime
    error_count: int
    etag: str | None
    last_modified: str | None
    body_hash: str | None
    ttl_seconds: int | None
    max_age_seconds: int | None
    retry_after: datetime | None
    error: str | None = None
    error_step: str | None = None
    title: str | None = None
    site_url: str | None = None
    window: FeedWindow | None = None  # what a body read now listed; None keeps the last one

    @classmethod
    def success(cls, polled_at: datetime, next_due: datetime) -> FeedUpdate:
        """A plain successful poll that left no validators or hints (for entries stored
        from elsewhere than a fetch: a backfill, a benchmark, a test)."""
        return cls(
            polled_at=polled_at, status="ok", http_status=200, next_due=next_due, error_count=0,
            etag=None, last_modified=None, body_hash=None, ttl_seconds=None,
            max_age_seconds=None, retry_after=None,
        )  # fmt: skip


@dataclass(frozen=True)
class ArticleCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass(frozen=True)
class PageWrite:
    """What reading an article's page gave: its text (None when the feed's text stays), or
    when to read it again."""

    article_id: int
    text: str | None
    language: str | None = None
    canonical_url: str | None = None
    error: str | None = None
    retry_at: datetime | None = None
    """When the page is to be read again (its host asked to wait); None: done with it."""


@dataclass(frozen=True)
class ClaimOutlook:
    """What the database says before a poll worker's claim (PostgreSQL): hosts with due
    feeds (leased by any worker or not), due feeds not yet claimed, and the poll workers
    alive (the claiming one included). daemon/claims.py sizes the claim from it."""

    hosts: int
    due_feeds: int
    workers: int
