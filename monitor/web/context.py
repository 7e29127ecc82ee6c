"""What the web routes share: the request's read-only store (`WebContext`), the reads that
several pages and the JSON API make of it, and the query parameters they take."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import HTTPException, Query
from jinja2 import Environment

from monitor.config import Config
from monitor.store import AnyStore, PostgresURL, Target, open_store
from monitor.stories.records import (
    ThreadNotFoundError,
    headline_in,
    ranked_hits,
    thread_around,
    thread_named,
    with_countries,
)
from monitor.timeutil import parse_iso, utcnow
from monitor.watches.query import MAX_QUERY_LENGTH
from monitor.web.atom import tags_of
from monitor.web.views import (
    DayWindow,
    StoryFilters,
    check_country,
    check_language,
    check_query,
    check_text,
    day_window,
    group_articles,
    hourly_counts,
    latest_window,
    safe_url,
    sparkline_points,
    story_summary,
)

STORIES_PER_PAGE = 30
MAX_PAGE = 10_000
MAX_ID = 2**63 - 1  # SQLite's largest integer: larger ids cannot exist

# Query parameters shared by several routes (module level: FastAPI resolves them by name).
DayQ = Annotated[str | None, Query(max_length=40, description="A day YYYY-MM-DD (local); default today.")]
LangQ = Annotated[
    str | None, Query(max_length=20, description="Only stories with articles in this language.")
]
TagQ = Annotated[str | None, Query(max_length=200, description="Only stories from feeds with this tag.")]
FeedQ = Annotated[
    int | None, Query(ge=1, le=MAX_ID, description="Only stories with articles of this feed id.")
]
TextQ = Annotated[
    str | None,
    Query(
        max_length=MAX_QUERY_LENGTH,
        description="Full-text search: words, \"phrases\", prefix*, AND, OR, NOT, parentheses "
        "(a watch's query language); bad syntax is refused with its position.",
    ),
]
CountryQ = Annotated[
    str | None,
    Query(
        max_length=40,
        description="Only stories about this country (ISO 3166-1 alpha-2, like UA; for articles: "
        "naming a place in it).",
    ),
]
PageQ = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1.")]


@dataclass
class WebContext:
    database: Target
    config: Config
    zone: ZoneInfo
    templates: Environment
    shared: AnyStore | None = None

    @contextmanager
    def store(self) -> Iterator[AnyStore]:
        """A read-only store for one request. SQLite: a connection of its own, opened and
        closed with the request; PostgreSQL: the app's pool of connections, opened once."""
        if isinstance(self.database, PostgresURL):
            if self.shared is None:
                self.shared = open_store(self.database, readonly=True)
            yield self.shared
            return
        store = open_store(self.database, readonly=True)
        try:
            yield store
        finally:
            store.close()

    def ranked_stories(
        self, store: AnyStore, window: DayWindow, filters: StoryFilters, offset: int, limit: int
    ) -> tuple[list[dict[str, Any]], int]:
        hits = ranked_hits(
            store,
            since=window.start,
            until=window.end,
            language=filters.lang,
            tag=filters.tag,
            feed_id=filters.feed,
            query=filters.q,
            country=filters.country,
        )
        chosen = hits[offset : offset + limit]
        stories = store.web_stories([h["story_id"] for h in chosen])
        with_countries(store, stories)
        result = []
        for rank, hit in enumerate(chosen, start=offset + 1):
            story = stories.get(hit["story_id"])
            if story is None:
                continue
            if filters.lang:  # as `monitor stories --lang`: each story headed in that language
                headline_in(store, story, filters.lang)
            summary = story_summary(rank, hit, story, self.zone)
            summary["hourly"] = hourly_counts(hit["published"], window)
            summary["sparkline"] = sparkline_points(summary["hourly"])
            summary["url"] = f"/stories/{story['id']}"
            result.append(summary)
        return result, len(hits)

    def breaking_stories(self, store: AnyStore, start: str, end: str, limit: int) -> list[dict[str, Any]]:
        """Stories flagged breaking in [start, end), the latest flag first, as the lists show them."""
        flagged = store.web_breaking(start, end, limit)
        stories = store.web_stories([row["id"] for row in flagged])
        with_countries(store, stories)
        result = []
        for rank, row in enumerate(flagged, start=1):
            story = stories.get(row["id"])
            if story is not None:
                summary = story_summary(rank, {}, story, self.zone)
                summary["url"] = f"/stories/{story['id']}"
                result.append(summary)
        return result

    def stories_window(self, store: AnyStore, filters: StoryFilters, now: datetime) -> DayWindow:
        """The day asked for; else the latest news there is (the calendar day one click away)."""
        if filters.day is not None:
            return day_window(filters.day, self.zone, now)
        newest = store.web_latest_published(language=filters.lang, tag=filters.tag, feed_id=filters.feed)
        return latest_window(now, parse_iso(newest), self.zone)

    def story_detail(
        self, story_id: int
    ) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]] | int:
        """The story's summary and its article groups, or the id it was merged into."""
        with self.store() as store:
            row = store.web_story(story_id)
            seen = set()
            while row is not None and row["merged_into"] is not None and row["id"] not in seen:
                seen.add(row["id"])
                row = store.web_story(row["merged_into"])
            if row is None:
                raise HTTPException(404, f"no story {story_id}")
            if row["id"] != story_id:
                return int(row["id"])
            stories = store.web_stories([story_id])
            with_countries(store, stories)
            story = stories[story_id]
            articles = store.web_story_articles(story_id)
            thread = thread_around(store, story_id, story.get("thread_id"))
        summary = story_summary(1, {}, story, self.zone)
        summary["thread"] = thread
        preferred = [*self.config.settings.languages, summary["headline_language"] or ""]
        groups = group_articles(articles, self.zone, preferred=preferred)
        return summary, groups, articles

    def thread_of(self, thread_id: int) -> dict[str, Any]:
        """The thread, or (the id names a story, as `monitor thread` takes it) the story's
        thread with `story` set; 404 saying what the id is otherwise."""
        with self.store() as store:
            try:
                return thread_named(store, thread_id)
            except ThreadNotFoundError as exc:
                raise HTTPException(404, str(exc)) from None

    def feed_health(self) -> list[dict[str, Any]]:
        now = utcnow()
        today = now.date()
        days = [(today - timedelta(days=n)).isoformat() for n in range(6, -1, -1)]
        since = days[0] + "T00:00:00Z"
        with self.store() as store:
            rows = store.web_feeds(since)
            per_day = store.web_feed_days(since)
        daily: dict[int, dict[str, int]] = {}
        for r in per_day:
            daily.setdefault(r["feed_id"], {})[r["day"]] = r["n"]
        feeds = []
        for r in rows:
            counts = [daily.get(r["id"], {}).get(d, 0) for d in days]
            feeds.append(
                {
                    "id": r["id"],
                    "url": r["url"],
                    "name": r["name"] or r["title"],
                    "language": r["language"],
                    "tags": tags_of(r["tags"]),
                    "active": bool(r["active"]),
                    "gone": bool(r["gone"]),
                    "last_polled": r["last_polled"],
                    "last_success": r["last_success"],
                    "last_status": r["last_status"],
                    "last_http_status": r["last_http_status"],
                    "error_streak": r["error_count"],
                    "last_error": r["last_error"],
                    "last_error_step": r["last_error_step"],
                    "last_error_at": r["last_error_at"],
                    "next_due": r["next_due"],
                    "articles": r["articles"],
                    "articles_per_day": round(sum(counts) / len(days), 1),
                    "daily": counts,
                    "sparkline": sparkline_points(counts, width=56, height=16),
                    "site": safe_url(r["url"]),
                }
            )
        return feeds


def filters_of(
    day: str | None,
    lang: str | None,
    tag: str | None,
    feed: int | None,
    q: str | None,
    country: str | None = None,
) -> StoryFilters:
    return StoryFilters(
        day=day.strip() if day and day.strip() else None,
        lang=check_language(lang),
        tag=check_text("tag", tag),
        feed=feed,
        q=check_query("q", q),
        country=check_country(country),
    )


def check_page(page_number: int, total: int, per_page: int) -> None:
    last = max(1, math.ceil(total / per_page))
    if page_number > last:
        raise HTTPException(404, f"page {page_number} is past the last page ({last})")
