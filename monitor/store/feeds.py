"""Feeds and polls: the feeds table following feeds.yaml, what is due, and each poll's result."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from monitor.config import FeedConfig
from monitor.ingest.parse import Entry
from monitor.ingest.schedule import FeedWindow
from monitor.store.articles import Articles
from monitor.store.types import ArticleCounts, FeedState, FeedUpdate, FetchStatus
from monitor.timeutil import iso, parse_iso, utcnow


def _window(row: dict[str, Any]) -> FeedWindow | None:
    if row.get("listed_items") is None:
        return None  # never read (or polled before the window was kept)
    return FeedWindow(
        listed=int(row["listed_items"]),
        dated=int(row.get("dated_items") or 0),
        times=int(row.get("dated_times") or 0),
        oldest=parse_iso(row.get("oldest_item")),
    )


def _feed_state(row: dict[str, Any]) -> FeedState:
    return FeedState(
        id=row["id"],
        url=row["url"],
        name=row["name"],
        language=row["language"],
        tags=tuple(json.loads(row["tags"] or "[]")),
        interval=row["interval"],
        active=bool(row["active"]),
        gone=bool(row["gone"]),
        etag=row["etag"],
        last_modified=row["last_modified"],
        body_hash=row["body_hash"],
        ttl_seconds=row["ttl_seconds"],
        max_age_seconds=row["max_age_seconds"],
        retry_after=parse_iso(row["retry_after"]),
        error_count=row["error_count"],
        last_status=row["last_status"],
        last_polled=parse_iso(row["last_polled"]),
        next_due=parse_iso(row["next_due"]),
        fetch_url=row.get("fetch_url"),
        last_http_status=row.get("last_http_status"),
        status_streak=row.get("status_streak") or 0,
        redirect_target=row.get("redirect_target"),
        redirect_streak=row.get("redirect_streak") or 0,
        claim_token=row.get("claim_token"),
        window=_window(row),
        host=row.get("host"),
    )


class Feeds(Articles):
    """Feeds and polls: the feeds table following feeds.yaml, what is due, and each poll's result."""

    def sync_feeds(self, feeds: Sequence[FeedConfig], now: datetime | None = None) -> None:
        """Make the feeds table follow the config: add new feeds, update names and hints,
        mark feeds no longer listed inactive (their articles stay). Only rows that change are
        written: a restart of a process with 100,000 unchanged feeds reads them once and
        writes nothing (and locks no row another worker may be claiming)."""
        now = now or utcnow()
        listed = {f.url for f in feeds}
        stored = {
            str(r["url"]): (int(r["id"]), (r["name"], r["language"], r["tags"], r["interval"], r["active"]))
            for r in self.query("SELECT id, url, name, language, tags, interval, active FROM feeds")
        }
        with self.transaction():
            inserts, updates = [], []
            for feed in feeds:
                values = (
                    feed.name,
                    feed.language,
                    json.dumps(list(feed.tags), ensure_ascii=False),
                    feed.interval,
                )
                found = stored.get(feed.url)
                if found is None:
                    inserts.append([feed.url, *values, iso(now), iso(now)])
                elif found[1] != (*values, 1):
                    updates.append([*values, found[0]])
            self.db.executemany(
                "INSERT INTO feeds (url, name, language, tags, interval, created, next_due) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO NOTHING",
                inserts,
            )
            self.db.executemany(
                "UPDATE feeds SET name = ?, language = ?, tags = ?, interval = ?, active = 1 WHERE id = ?",
                updates,
            )
            self.db.executemany(
                "UPDATE feeds SET active = 0 WHERE id = ?",
                [(feed_id,) for url, (feed_id, row) in stored.items() if row[4] and url not in listed],
            )

    def revive_feed(self, url: str) -> None:
        """`feeds add` of a feed marked gone: poll it again from now."""
        with self.transaction():
            self.db.execute(
                "UPDATE feeds SET gone = 0, error_count = 0, status_streak = 0, next_due = ? WHERE url = ?",
                [iso(utcnow()), url],
            )

    def feeds(self, *, active_only: bool = True) -> list[FeedState]:
        where = "WHERE active = 1" if active_only else ""
        return [_feed_state(r) for r in self.query(f"SELECT * FROM feeds {where} ORDER BY id")]

    def due_feeds(self, now: datetime, *, all_feeds: bool = False) -> list[FeedState]:
        """Feeds to poll now: those due, or with `all_feeds` every active feed except those
        whose server asked us (Retry-After) to stay away until later."""
        if all_feeds:
            rows = self.query(
                "SELECT * FROM feeds WHERE active = 1 AND gone = 0 "
                "AND (retry_after IS NULL OR retry_after <= ?) ORDER BY id",
                [iso(now)],
            )
        else:
            rows = self.query(
                "SELECT * FROM feeds WHERE active = 1 AND gone = 0 "
                "AND (next_due IS NULL OR next_due <= ?) ORDER BY next_due, id",
                [iso(now)],
            )
        return [_feed_state(r) for r in rows]

    def first_due(self) -> FeedState | None:
        """The active feed that falls due first (one never polled before any other)."""
        rows = self.query(
            "SELECT * FROM feeds WHERE active = 1 AND gone = 0 "
            "ORDER BY next_due IS NOT NULL, next_due, id LIMIT 1"
        )
        return _feed_state(rows[0]) if rows else None

    def waiting_feeds(self, now: datetime) -> list[FeedState]:
        """Active feeds whose server asked (Retry-After) not to be polled before a later time."""
        rows = self.query(
            "SELECT * FROM feeds WHERE active = 1 AND gone = 0 AND retry_after > ? ORDER BY id",
            [iso(now)],
        )
        return [_feed_state(r) for r in rows]

    def feed_by_id(self, feed_id: int) -> FeedState | None:
        rows = self.query("SELECT * FROM feeds WHERE id = ?", [feed_id])
        return _feed_state(rows[0]) if rows else None

    def feed_by_url(self, url: str) -> FeedState | None:
        rows = self.query("SELECT * FROM feeds WHERE url = ?", [url])
        return _feed_state(rows[0]) if rows else None

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
    ) -> ArticleCounts:
        """Store one feed's poll whole: its articles, its new state, a fetch-log row, and
        with `fetch_status` the streaks of repeated answers. On a server each statement is a
        round trip: the feed row's update also checks and ends the worker's claim, and takes
        the streaks."""
        claim_set, claim_where, claim_params = self._claim_clause(feed)
        gone = fetch_status is not None and fetch_status.gone
        status_set, status_params = "", []
        if fetch_status is not None:
            # fetch_url only when the feed moved: on PostgreSQL, naming it in an UPDATE runs
            # the trigger that keeps the feed's host (monitor.store.pg_schema).
            status_set = (
                ", status_streak = ?, redirect_target = ?, redirect_streak = ?"
                + (", fetch_url = ?" if fetch_status.fetch_url is not None else "")
                + (", gone = 1" if gone else "")
            )
            status_params = [
                fetch_status.status_streak,
                fetch_status.redirect_target,
                fetch_status.redirect_streak,
                *([fetch_status.fetch_url] if fetch_status.fetch_url is not None else []),
            ]
        window_set, window_params = "", []
        if update.window is not None:  # a body read now: what it listed
            window_set = ", listed_items = ?, dated_items = ?, dated_times = ?, oldest_item = ?"
            window = update.window
            window_params = [window.listed, window.dated, window.times, iso(window.oldest)]
        with self.transaction():
            cursor = self.db.execute(
                """UPDATE feeds SET last_polled = ?, last_status = ?, last_http_status = ?,
                   next_due = ?, error_count = ?, etag = ?, last_modified = ?, body_hash = ?,
                   ttl_seconds = ?, max_age_seconds = ?, retry_after = ?,
                   title = COALESCE(?, title), site_url = COALESCE(?, site_url),
                   last_success = CASE WHEN ? = 'error' THEN last_success ELSE ? END,
                   last_error = CASE WHEN ? = 'error' THEN ? ELSE last_error END,
                   last_error_step = CASE WHEN ? = 'error' THEN ? ELSE last_error_step END,
                   last_error_at = CASE WHEN ? = 'error' THEN ? ELSE last_error_at END"""
                f"{status_set}{window_set}{claim_set} WHERE id = ?{claim_where}",
                [
                    iso(update.polled_at),
                    update.status,
                    update.http_status,
                    None if gone else iso(update.next_due),  # a feed gone is never due
                    update.error_count,
                    update.etag,
                    update.last_modified,
                    update.body_hash,
                    update.ttl_seconds,
                    update.max_age_seconds,
                    iso(update.retry_after),
                    update.title,
                    update.site_url,
                    update.status,
                    iso(update.polled_at),
                    update.status,
                    update.error,
                    update.status,
                    update.error_step,
                    update.status,
                    iso(update.polled_at),
                    *status_params,
                    *window_params,
                    feed.id,
                    *claim_params,
                ],
            )
            if cursor.rowcount == 0:
                self._claim_lost(feed)
            counts = self._store_entries(feed.id, entries, update.polled_at)
            self.db.execute(
                "INSERT INTO fetch_log (feed_id, started, duration_ms, url, outcome, http_status, "
                "bytes, new_articles, updated_articles, error, step) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    feed.id,
                    iso(update.polled_at),
                    duration_ms,
                    url,
                    update.status,
                    update.http_status,
                    size,
                    counts.new,
                    counts.updated,
                    update.error,
                    update.error_step,
                ],
            )
        return counts

    def feed_stats(self) -> list[dict[str, Any]]:
        """Per feed: its state, its articles, and its article pages read and failed."""
        return self.query(
            "SELECT f.id, f.url, f.name, f.language, f.active, f.gone, f.last_polled, "
            "f.last_status, f.last_http_status, f.error_count, f.last_error, f.last_error_step, "
            "f.next_due, COALESCE(c.articles, 0) AS articles, COALESCE(c.pages_read, 0) AS pages_read, "
            "COALESCE(c.page_failures, 0) AS page_failures FROM feeds f LEFT JOIN ("
            "SELECT feed_id, COUNT(*) AS articles, "
            "SUM(CASE WHEN text_source = 'page' THEN 1 ELSE 0 END) AS pages_read, "
            "SUM(CASE WHEN page_state = 'failed' THEN 1 ELSE 0 END) AS page_failures "
            "FROM articles GROUP BY feed_id) c ON c.feed_id = f.id ORDER BY f.active DESC, f.id"
        )

    def record_fetch_status(
        self,
        feed_id: int,
        *,
        status_streak: int,
        redirect_target: str | None,
        redirect_streak: int,
        gone: bool,
        fetch_url: str | None,
    ) -> None:
        """After record_poll: the streaks of repeated answers, gone, and a moved URL."""
        status = FetchStatus(status_streak, redirect_target, redirect_streak, gone, fetch_url)
        with self.transaction():
            self._write_fetch_status(feed_id, status)

    def _write_fetch_status(self, feed_id: int, status: FetchStatus) -> None:
        gone = int(status.gone)
        self.db.execute(
            "UPDATE feeds SET status_streak = ?, redirect_target = ?, redirect_streak = ?, "
            "gone = CASE WHEN ? = 1 THEN 1 ELSE gone END, "
            "next_due = CASE WHEN ? = 1 THEN NULL ELSE next_due END, "
            "fetch_url = COALESCE(?, fetch_url) WHERE id = ?",
            [status.status_streak, status.redirect_target, status.redirect_streak, gone, gone,
             status.fetch_url, feed_id],
        )  # fmt: skip

    def pollable_feed_urls(self) -> list[tuple[str, str]]:
        """(url, fetch URL) of every feed that is polled, to spread each host's feeds."""
        rows = self.db.execute(
            "SELECT url, COALESCE(fetch_url, url) FROM feeds WHERE active = 1 AND gone = 0"
        ).fetchall()
        return [(str(r[0]), str(r[1])) for r in rows]
