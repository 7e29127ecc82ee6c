"""What each part of monitor may ask of the store, one protocol per concern.

Callers depend on these, not on SQLite: a second backend (PostgreSQL) implements the same
methods. `Store` (monitor.store.sqlite) satisfies all of them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any, Protocol

from monitor.config import FeedConfig
from monitor.ingest.parse import Entry
from monitor.store.types import ArticleCounts, FeedState, FeedUpdate, FetchStatus, PageWrite


class Database(Protocol):
    """Opening, closing, schema and one writer at a time."""

    label: str

    def close(self) -> None: ...

    def schema_version(self) -> int: ...

    def migrate(self) -> list[int]: ...

    def transaction(self) -> AbstractContextManager[None]: ...

    def count(self, table: str) -> int: ...

    def web_columns(self, table: str) -> frozenset[str]: ...

    def web_has_table(self, name: str) -> bool: ...


class FeedStore(Protocol):
    """Feeds and polls: what is due, and each poll's result."""

    def sync_feeds(self, feeds: Sequence[FeedConfig], now: datetime | None = None) -> None: ...

    def revive_feed(self, url: str) -> None: ...

    def feeds(self, *, active_only: bool = True) -> list[FeedState]: ...

    def due_feeds(self, now: datetime, *, all_feeds: bool = False) -> list[FeedState]: ...

    def first_due(self) -> FeedState | None: ...

    def waiting_feeds(self, now: datetime) -> list[FeedState]: ...

    def feed_by_id(self, feed_id: int) -> FeedState | None: ...

    def feed_by_url(self, url: str) -> FeedState | None: ...

    def record_poll(
        self,
        feed: FeedState,
        update: FeedUpdate,
        entries: Sequence[Entry],
        *,
        url: str,
        duration_ms: int,
        size: int | None,
        fetch_status: FetchStatus | None = None,
    ) -> ArticleCounts: ...

    def feed_stats(self) -> list[dict[str, Any]]: ...

    def record_fetch_status(
        self,
        feed_id: int,
        *,
        status_streak: int,
        redirect_target: str | None,
        redirect_streak: int,
        gone: bool,
        fetch_url: str | None,
    ) -> None: ...

    def pollable_feed_urls(self) -> list[tuple[str, str]]: ...


class ArticleStore(Protocol):
    """Articles: the export and full-text search."""

    EXPORT_COLUMNS: tuple[str, ...]

    def export_articles(self, since: datetime | None = None) -> Iterator[dict[str, Any]]: ...

    def export_stories(self, since: datetime | None = None) -> Iterator[dict[str, Any]]: ...

    def search(self, query: str, limit: int = 20) -> list[dict[str, Any]]: ...

    def pages_pending(
        self, feed_id: int, limit: int, now: datetime | None = None
    ) -> list[dict[str, Any]]: ...

    def pages_waiting_feeds(self, now: datetime) -> set[int]: ...

    def pages_skip(self, feed_id: int, reason: str, *, waiting: bool = False) -> int: ...

    def record_pages(self, results: Sequence[PageWrite]) -> None: ...

    def page_failures(self) -> dict[str, int]: ...


class StoryStore(Protocol):
    """The stories stage's reads and writes."""

    def stories_pending(self, limit: int) -> list[dict[str, Any]]: ...

    def stories_pending_count(self) -> int: ...

    def stories_vectors(self, article_ids: Sequence[int], model: str) -> dict[int, bytes]: ...

    def stories_write(
        self,
        assignments: Sequence[dict[str, Any]],
        merges: Sequence[tuple[int, int]],
        stories: Sequence[dict[str, Any]],
        now: datetime,
        embeddings: Sequence[tuple[int, bytes, str]] = (),
        threads: Sequence[tuple[int, int]] = (),
        breaking_baseline: str | None = None,
        language_means: Sequence[tuple[str, str, int, bytes]] = (),
    ) -> None: ...

    def stories_breaking_baseline(self) -> str | None: ...

    def stories_members(self, story_ids: Sequence[int]) -> list[dict[str, Any]]: ...

    def stories_live(self, model: str, since: datetime) -> list[dict[str, Any]]: ...

    def stories_clock(self) -> tuple[str | None, int]: ...

    def stories_recent_signatures(
        self, since: datetime
    ) -> list[tuple[int, str, int | None, str, bytes | None]]: ...

    def stories_texts(self, article_ids: Sequence[int]) -> dict[int, tuple[str, str]]: ...

    def stories_save_signatures(self, signatures: Sequence[tuple[int, bytes]]) -> None: ...

    def stories_marker(self) -> tuple[int, int]: ...

    def stories_language_means(self, model: str) -> list[tuple[str, int, bytes]]: ...


class DigestStore(Protocol):
    """Digest state, one row per recipient and day."""

    def digest_story_articles(self, start: datetime, end: datetime) -> list[dict[str, Any]]: ...

    def web_story_name_counts(
        self, since: str, recent: str, end: str
    ) -> tuple[dict[str, int], dict[str, int], int, int]: ...

    def web_story_term_counts(
        self, kind: str, since: str, recent: str, end: str
    ) -> tuple[dict[str, int], dict[str, int], int, int]: ...

    def story_country_rows(self, story_ids: Sequence[int]) -> list[dict[str, Any]]: ...

    def story_countries_kept(self, story_ids: Sequence[int]) -> tuple[dict[int, list[str]], list[int]]: ...

    def names_spellings(self, keys: Sequence[str], since: str, end: str) -> dict[str, dict[str, int]]: ...

    def digest_stories(self, story_ids: Sequence[int]) -> list[dict[str, Any]]: ...

    def digest_thread_stories_sent(
        self, thread_ids: Sequence[int], recipient: str | None, since: Any, before: Any
    ) -> dict[int, dict[str, Any]]: ...

    def digest_previous_story_ids(self, day: Any, recipient: str | None) -> set[int]: ...

    def digest_day_figures(self, start: datetime, end: datetime) -> dict[str, int]: ...

    def digest_row(self, day: Any, recipient: str) -> dict[str, Any] | None: ...

    def digest_insert(
        self,
        day: Any,
        recipient: str,
        due_at: datetime,
        message_id: str | None,
        message: str | None,
        story_ids: Sequence[int],
        state: str,
        now: datetime,
        *,
        watch_stories: Sequence[tuple[int, int, Sequence[str], int]] = (),
        day_end: datetime | None = None,
    ) -> bool: ...

    def digest_watch_matches(
        self, names: Sequence[str], start: datetime, end: datetime
    ) -> list[dict[str, Any]]: ...

    def digest_watch_shown(
        self, watch_ids: Sequence[int], recipient: str, before: datetime
    ) -> list[dict[str, Any]]: ...

    def digest_ready(self, now: datetime, stale_before: datetime) -> list[dict[str, Any]]: ...

    def digest_claim(self, day: Any, recipient: str, now: datetime, stale_before: datetime) -> bool: ...

    def digest_mark_sent(self, day: Any, recipient: str, now: datetime) -> None: ...

    def digest_mark_retry(
        self, day: Any, recipient: str, error: str, retry_at: datetime, now: datetime
    ) -> None: ...

    def digest_mark_failed(self, day: Any, recipient: str, error: str, now: datetime) -> None: ...

    def digest_retry_now(self, day: Any, recipient: str, now: datetime) -> None: ...

    def digest_mark_data_sent(self, day: Any, recipient: str, attempt: int, now: datetime) -> bool: ...

    def digest_mark_unknown(self, day: Any, recipient: str, error: str, now: datetime) -> None: ...

    def digest_settle_unknown(
        self, data_sent_before: datetime, error: str, now: datetime
    ) -> list[dict[str, Any]]: ...

    def digest_resolve(self, day: Any, recipient: str, sent: bool, now: datetime) -> bool: ...

    def digest_errors(self, limit: int = 20) -> list[dict[str, Any]]: ...

    def digest_latest_story_article(self) -> str | None: ...


class WebReads(Protocol):
    """The web pages' read-only queries."""

    def web_story_ids(
        self,
        start: str,
        end: str,
        *,
        language: str | None = None,
        tag: str | None = None,
        feed_id: int | None = None,
        query: str | None = None,
        country: str | None = None,
    ) -> list[dict[str, Any]]: ...

    def web_stories(self, story_ids: Sequence[int]) -> dict[int, dict[str, Any]]: ...

    def web_breaking(self, start: str, end: str, limit: int) -> list[dict[str, Any]]: ...

    def web_story_name_counts(
        self, since: str, recent: str, end: str
    ) -> tuple[dict[str, int], dict[str, int], int, int]: ...

    def web_story_term_counts(
        self, kind: str, since: str, recent: str, end: str
    ) -> tuple[dict[str, int], dict[str, int], int, int]: ...

    def web_country_story_terms(
        self, country: str, kind: str, since: str, recent: str, end: str
    ) -> list[dict[str, Any]]: ...

    def names_spellings(self, keys: Sequence[str], since: str, end: str) -> dict[str, dict[str, int]]: ...

    def web_thread(self, thread_id: int) -> list[dict[str, Any]]: ...

    def web_threads(self, start: str, end: str, limit: int) -> list[dict[str, Any]]: ...

    def web_story(self, story_id: int) -> dict[str, Any] | None: ...

    def web_story_articles(self, story_id: int) -> list[dict[str, Any]]: ...

    def web_published_times(
        self, story_ids: Sequence[int] | None, start: str, end: str
    ) -> list[dict[str, Any]]: ...

    def web_articles(
        self,
        *,
        start: str | None = None,
        end: str | None = None,
        language: str | None = None,
        tag: str | None = None,
        feed_id: int | None = None,
        story_id: int | None = None,
        query: str | None = None,
        country: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[dict[str, Any]], int]: ...

    def web_article(self, article_id: int) -> dict[str, Any] | None: ...

    def web_search(
        self,
        query: str,
        *,
        start: str | None = None,
        end: str | None = None,
        country: str | None = None,
        limit: int = 1000,
    ) -> list[dict[str, Any]]: ...

    def web_feeds(self, since: str) -> list[dict[str, Any]]: ...

    def web_feed_days(self, since: str) -> list[dict[str, Any]]: ...

    def web_facets(self) -> dict[str, list[Any]]: ...

    def web_latest_published(
        self,
        before: str | None = None,
        *,
        language: str | None = None,
        tag: str | None = None,
        feed_id: int | None = None,
    ) -> str | None: ...

    def web_totals(self) -> dict[str, Any]: ...

    # Stories' countries (monitor/store/places.py).
    def story_country_rows(self, story_ids: Sequence[int]) -> list[dict[str, Any]]: ...

    def story_countries_kept(self, story_ids: Sequence[int]) -> tuple[dict[int, list[str]], list[int]]: ...

    def window_story_countries(self, start: str, end: str) -> list[dict[str, Any]]: ...


class WatchStore(Protocol):
    """Watches: definitions, matches, pending articles, attention figures, alerts, outbox."""

    def names_known(self, days: int, min_articles: int, limit: int) -> list[tuple[str, str, int]]: ...

    def watches_sync(
        self, watches: Sequence[tuple[str, str, str]], now: datetime
    ) -> list[dict[str, Any]]: ...

    def watches_rows(self) -> list[dict[str, Any]]: ...

    def watch_row(self, name: str) -> dict[str, Any] | None: ...

    def watches_prune(self) -> list[str]: ...

    def watch_pending(self, limit: int) -> list[dict[str, Any]]: ...

    def watch_pending_count(self) -> int: ...

    def watch_articles_after(
        self, since: str, after: tuple[str, int] | None, limit: int
    ) -> list[dict[str, Any]]: ...

    def watch_articles_count(self, since: str) -> int: ...

    def watch_fts_vocabulary(self) -> list[str] | None: ...

    def watch_fts_ids(self, tokens: Sequence[str]) -> set[int]: ...

    def watch_fts_ids_starting(self, bounds: Sequence[tuple[str, str]]) -> set[int] | None: ...

    def watch_vectors(self, since: str, model: str, after_id: int, limit: int) -> list[tuple[int, bytes]]: ...

    def watch_similar_ids(
        self, since: str, model: str, about: Sequence[float], low: float
    ) -> set[int] | None: ...

    def watch_articles_by_id(self, ids: Sequence[int], since: str) -> list[dict[str, Any]]: ...

    def watch_latest_published(self) -> str | None: ...

    def watch_write(
        self,
        matches: Sequence[dict[str, Any]],
        done: Sequence[int],
        now: datetime,
        *,
        rematched: Sequence[tuple[int, Sequence[int]]] = (),
    ) -> None: ...

    def watch_backfill_start(self, watch_id: int, since: str) -> None: ...

    def watch_backfill_done(self, watch_id: int, fingerprint: str) -> None: ...

    def watch_day_counts(
        self, watch_id: int, start: str, end: str, min_outlets: int
    ) -> list[dict[str, Any]]: ...

    def watch_day_totals(self, start: str, end: str) -> list[dict[str, Any]]: ...

    def watch_top_outlets(
        self, watch_id: int, start: str, end: str, min_outlets: int, limit: int = 10
    ) -> list[dict[str, Any]]: ...

    def watch_stories(
        self, watch_id: int, start: str, end: str, min_outlets: int, limit: int = 20
    ) -> list[dict[str, Any]]: ...

    def watch_recent_matches(
        self, watch_id: int, limit: int = 50, offset: int = 0
    ) -> list[dict[str, Any]]: ...

    def watch_match_count(self, watch_id: int) -> int: ...

    def watch_story_figures(self, story_ids: Sequence[int]) -> dict[int, dict[str, Any]]: ...

    def watch_story_articles(self, story_id: int) -> list[dict[str, Any]]: ...


class NameStore(Protocol):
    """Names per article: the articles waiting for the names stage, and what it found."""

    def names_pending(self, limit: int, below: int | None = None) -> list[dict[str, Any]]: ...

    def names_pending_count(self) -> int: ...

    def names_write(self, found: Mapping[int, Sequence[Mapping[str, Any]]]) -> None: ...

    def article_names(self, article_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]: ...

    def article_watches(self, article_ids: Sequence[int]) -> dict[int, list[str]]: ...

    def names_known(self, days: int, min_articles: int, limit: int) -> list[tuple[str, str, int]]: ...

    def names_key_counts(self, since: str, recent: str, end: str) -> dict[str, tuple[int, int, int]]: ...

    def names_entry_counts(
        self, keys: Sequence[str], since: str, recent: str, end: str
    ) -> tuple[int, int]: ...

    def names_window_stories(self, since: str, recent: str, end: str) -> tuple[int, int]: ...

    def names_spellings(self, keys: Sequence[str], since: str, end: str) -> dict[str, dict[str, int]]: ...

    def names_keys_ending(self, word: str, since: str, end: str) -> dict[str, int]: ...

    def names_story_times(self, keys: Sequence[str], since: str, end: str) -> list[tuple[str, int]]: ...

    def names_mentions(
        self, keys: Sequence[str], since: str, end: str, limit: int
    ) -> list[dict[str, Any]]: ...


class AlertStore(Protocol):
    """Alerts: what each watch alerted on (watch_alerts), and the outbox of deliveries."""

    def alert_candidates(self, watch_id: int, since: str) -> list[dict[str, Any]]: ...

    def alert_live_match(self, watch_id: int, story_id: int) -> dict[str, Any] | None: ...

    def alert_records(self, watch_id: int, story_ids: Sequence[int]) -> list[dict[str, Any]]: ...

    def alert_record(
        self,
        watch_id: int,
        story_id: int,
        channel: str,
        target: str,
        languages: Sequence[str],
        outlets: int,
        outbox: dict[str, Any],
        now: datetime,
        *,
        previous: tuple[list[str], int] | None,
        min_gap: int | None = None,
    ) -> bool: ...

    def outbox_ready(
        self, now: datetime, stale_before: datetime, limit: int = 100
    ) -> list[dict[str, Any]]: ...

    def outbox_claim(
        self, outbox_id: int, now: datetime, stale_before: datetime
    ) -> dict[str, Any] | None: ...

    def outbox_mark_sent(self, outbox_id: int, now: datetime) -> None: ...

    def outbox_mark_retry(self, outbox_id: int, error: str, retry_at: datetime) -> None: ...

    def outbox_mark_failed(self, outbox_id: int, error: str) -> None: ...

    def outbox_mark_data_sent(self, outbox_id: int, attempt: int, now: datetime) -> bool: ...

    def outbox_mark_unknown(self, outbox_id: int, error: str) -> None: ...

    def outbox_settle_unknown(self, data_sent_before: datetime, error: str) -> list[int]: ...

    def outbox_resolve(self, outbox_id: int, sent: bool, now: datetime) -> bool: ...

    def outbox_in_doubt(self, limit: int = 20) -> list[dict[str, Any]]: ...

    def outbox_rows(self, watch_id: int | None = None) -> list[dict[str, Any]]: ...


class BreakingAlertStore(Protocol):
    """Alerts of the `breaking:` section (monitor/store/breaking_alerts.py)."""

    def breaking_alert_candidates(self, since: str) -> list[dict[str, Any]]: ...

    def breaking_story_filters(self, story_ids: Sequence[int]) -> dict[int, dict[str, set[str]]]: ...

    def story_country_rows(self, story_ids: Sequence[int]) -> list[dict[str, Any]]: ...

    def story_countries_kept(self, story_ids: Sequence[int]) -> tuple[dict[int, list[str]], list[int]]: ...

    def outbox_keys(self, keys: Sequence[str]) -> set[str]: ...

    def outbox_add(self, channel: str, target: str, outbox: dict[str, Any], now: str) -> bool: ...


class PlaceStore(Protocol):
    """Articles' places (monitor/store/places.py)."""

    def places_pending(self, limit: int) -> list[dict[str, Any]]: ...

    def places_pending_count(self) -> int: ...

    def places_write(self, results: Sequence[tuple[int, Sequence[dict[str, Any]]]]) -> None: ...

    def article_places(self, article_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]: ...

    def articles_in_country(self, country: str, limit: int = 100) -> list[int]: ...

    def story_countries_pending(self, limit: int) -> list[tuple[int, int]]: ...

    def story_countries_write(self, found: Sequence[tuple[int, int, Sequence[str]]]) -> int: ...


class Backend(
    Database,
    FeedStore,
    ArticleStore,
    StoryStore,
    DigestStore,
    WebReads,
    WatchStore,
    AlertStore,
    BreakingAlertStore,
    NameStore,
    PlaceStore,
    Protocol,
):
    """Everything at once: what a second backend must implement (`Store` does, checked by mypy
    in monitor.store.sqlite)."""
