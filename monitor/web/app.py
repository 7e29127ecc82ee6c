"""`monitor serve`: read-only web views over the store, beside the daemon.

Server-rendered pages (Jinja2, no JavaScript), a JSON API under /api/ with an OpenAPI
description at /openapi.json, Atom feeds of the top stories (RFC 4287, built with
feedgen), /healthz and /metrics. The database is opened read-only for each request, so
the daemon keeps writing (WAL) while pages are read; nothing here writes.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException as StarletteHTTPException

from monitor import __version__
from monitor.config import Config
from monitor.entities.names import story_names
from monitor.errors import ConfigError, MonitorError, StoreError
from monitor.languages import language_name
from monitor.metrics import WebMetrics, web_registry
from monitor.store import AnyStore, PostgresURL, Target, open_store
from monitor.stories.records import (
    ThreadNotFoundError,
    headline_in,
    ranked_hits,
    rising_now,
    thread_around,
    thread_named,
)
from monitor.timeutil import iso, local_time, parse_iso, parse_when, utcnow
from monitor.watches.match import definition
from monitor.watches.query import MAX_QUERY_LENGTH
from monitor.watches.settings import parse_watches_section
from monitor.web.atom import atom_feed, tags_of
from monitor.web.models import (
    ERRORS,
    ArticlePage,
    FeedOut,
    StoryDetail,
    StoryPage,
    ThreadOut,
    TrendsOut,
)
from monitor.web.views import (
    FEED_SORTS,
    BadRequest,
    DayWindow,
    StoryFilters,
    api_endpoints,
    check_language,
    check_query,
    check_text,
    day_window,
    group_articles,
    hourly_counts,
    latest_window,
    lede,
    safe_url,
    search_groups,
    sort_feeds,
    sparkline_points,
    story_languages,
    story_outlets,
    story_summary,
    story_timeline,
    try_url,
    why_line,
)
from monitor.web.watches import add_watch_routes, home_watches
from monitor.wording import count

log = logging.getLogger("monitor.web")

STORIES_PER_PAGE = 30
MAX_PAGE = 10_000
MAX_ID = 2**63 - 1  # SQLite's largest integer: larger ids cannot exist
ATOM_ENTRIES = 30
BREAKING_SHOWN = 5  # stories in the home page's "Breaking" band
SEARCH_PER_PAGE = 20  # stories (or lone articles) per page of search results
SEARCH_MATCHES = 1000  # matching articles read at most, best first

# Strict: one script of our own (j/k through lists), styles only from our own stylesheet,
# forms only to us.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

API_DESCRIPTION = """Read-only views of what monitor stored: stories (articles about one event
across outlets and languages), articles, and feeds. Times are ISO 8601 in UTC; `*_local`
fields are in the configured time zone. Bad parameters answer 400 with
`{"error": "..."}`; unknown ids answer 404."""


# --- API models (they make the OpenAPI description) ---------------------------------------


# --- settings: the `web:` section of feeds.yaml -------------------------------------------

WEB_KEYS = frozenset({"host", "port", "metrics_host", "metrics_port"})


def serve_address(config: Config, host: str | None, port: int | None) -> tuple[str, int]:
    """Where `monitor serve` listens: the options, else `web.host`/`web.port`, else
    127.0.0.1:8080. Raises ConfigError for an unusable `web:` section."""
    web = config.sections.get("web") or {}
    if not isinstance(web, Mapping):
        raise ConfigError(str(config.path), None, "'web' must be a mapping (host, port, metrics_port)")
    unknown = sorted(str(k) for k in web if k not in WEB_KEYS)
    if unknown:
        raise ConfigError(
            str(config.path),
            None,
            f"unknown key {unknown[0]!r} in web (expected one of: {', '.join(sorted(WEB_KEYS))})",
        )
    chosen_host = host or web.get("host") or "127.0.0.1"
    chosen_port = port if port is not None else web.get("port", 8080)
    if not isinstance(chosen_host, str) or not chosen_host.strip():
        raise ConfigError(str(config.path), None, f"web.host: bad host {chosen_host!r}")
    if not isinstance(chosen_port, int) or isinstance(chosen_port, bool) or not 1 <= chosen_port <= 65535:
        raise ConfigError(str(config.path), None, f"web.port: bad port {chosen_port!r} (1-65535)")
    return chosen_host.strip(), chosen_port


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
PageQ = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1.")]


# --- the application ----------------------------------------------------------------------


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


def _templates(zone: ZoneInfo) -> Environment:
    env = Environment(
        loader=PackageLoader("monitor.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["local"] = lambda value, fmt="%Y-%m-%d %H:%M": local_time(value, zone, fmt)
    env.filters["safe_url"] = safe_url
    env.filters["language_name"] = language_name
    env.globals["version"] = __version__
    env.globals["count"] = count
    return env


def _static(name: str) -> bytes:
    return resources.files("monitor.web").joinpath(f"templates/{name}").read_bytes()


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path in ("/healthz", "/openapi.json")


def create_app(database: Target, config: Config) -> FastAPI:
    """The ASGI application over `database` (opened read-only)."""
    zone = ZoneInfo(config.settings.timezone)
    ctx = WebContext(database=database, config=config, zone=zone, templates=_templates(zone))
    web_metrics: WebMetrics = web_registry(ctx.store)
    stylesheet = _static("style.css")
    keys_script = _static("keys.js")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        if ctx.shared is not None:  # PostgreSQL: the pool opened for the requests
            ctx.shared.close()
            ctx.shared = None

    app = FastAPI(
        lifespan=lifespan,
        title="monitor",
        version=__version__,
        description=API_DESCRIPTION,
        docs_url=None,  # FastAPI's docs load scripts from a CDN, which the CSP forbids: /docs is ours
        redoc_url=None,
    )

    def page(name: str, status: int = 200, **values: Any) -> HTMLResponse:
        template = ctx.templates.get_template(name)
        html = template.render(timezone=config.settings.timezone, **values)
        return HTMLResponse(html, status_code=status)

    def error_response(request: Request, status: int, message: str) -> Response:
        if _wants_json(request) or request.url.path.endswith(".atom"):
            return JSONResponse({"error": message}, status_code=status)
        return page("error.html", status=status, status_code=status, message=message)

    # -- errors: a clear 4xx for bad input, 503 when the database cannot be read ----------

    @app.exception_handler(BadRequest)
    async def bad_request(request: Request, exc: BadRequest) -> Response:
        return error_response(request, 400, str(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error.get("loc", ())[1:]) or "request"
            problems.append(f"{where}: {error.get('msg', 'invalid')}")
        return error_response(request, 400, "bad parameter " + "; ".join(problems))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404 and message == "Not Found":
            message = f"nothing at {request.url.path}"
        return error_response(request, exc.status_code, message)

    @app.exception_handler(MonitorError)
    async def store_error(request: Request, exc: MonitorError) -> Response:
        log.error("event=web_store_error path=%s error=%r", request.url.path, str(exc))
        return error_response(request, 503, f"the database cannot be read now: {exc}")

    @app.middleware("http")
    async def headers_and_log(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        try:
            response = await call_next(request)
        except Exception:
            log.exception("event=web_crash method=%s path=%s", request.method, request.url.path)
            response = error_response(request, 500, "internal error (logged)")
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        route = request.scope.get("route")
        label = getattr(route, "path", None) or "unmatched"
        web_metrics.requests.labels(route=label, status=str(response.status_code)).inc()
        log.info(
            "event=http_request method=%s path=%s status=%d ms=%.1f",
            request.method,
            request.url.path,
            response.status_code,
            (time.perf_counter() - started) * 1000,
        )
        return response

    # -- shared query parameters ----------------------------------------------------------

    def filters_of(
        day: str | None, lang: str | None, tag: str | None, feed: int | None, q: str | None
    ) -> StoryFilters:
        return StoryFilters(
            day=day.strip() if day and day.strip() else None,
            lang=check_language(lang),
            tag=check_text("tag", tag),
            feed=feed,
            q=check_query("q", q),
        )

    def ranked_stories(
        store: AnyStore, window: DayWindow, filters: StoryFilters, offset: int, limit: int
    ) -> tuple[list[dict[str, Any]], int]:
        hits = ranked_hits(
            store,
            since=window.start,
            until=window.end,
            language=filters.lang,
            tag=filters.tag,
            feed_id=filters.feed,
            query=filters.q,
        )
        chosen = hits[offset : offset + limit]
        stories = store.web_stories([h["story_id"] for h in chosen])
        result = []
        for rank, hit in enumerate(chosen, start=offset + 1):
            story = stories.get(hit["story_id"])
            if story is None:
                continue
            if filters.lang:  # as `monitor stories --lang`: each story headed in that language
                headline_in(store, story, filters.lang)
            summary = story_summary(rank, hit, story, zone)
            summary["hourly"] = hourly_counts(hit["published"], window)
            summary["sparkline"] = sparkline_points(summary["hourly"])
            summary["url"] = f"/stories/{story['id']}"
            result.append(summary)
        return result, len(hits)

    def breaking_stories(store: AnyStore, start: str, end: str, limit: int) -> list[dict[str, Any]]:
        """Stories flagged breaking in [start, end), the latest flag first, as the lists show them."""
        flagged = store.web_breaking(start, end, limit)
        stories = store.web_stories([row["id"] for row in flagged])
        result = []
        for rank, row in enumerate(flagged, start=1):
            story = stories.get(row["id"])
            if story is not None:
                summary = story_summary(rank, {}, story, zone)
                summary["url"] = f"/stories/{story['id']}"
                result.append(summary)
        return result

    def stories_window(store: AnyStore, filters: StoryFilters, now: datetime) -> DayWindow:
        """The day asked for; else the latest news there is (the calendar day one click away)."""
        if filters.day is not None:
            return day_window(filters.day, zone, now)
        newest = store.web_latest_published(language=filters.lang, tag=filters.tag, feed_id=filters.feed)
        return latest_window(now, parse_iso(newest), zone)

    def check_page(page_number: int, total: int, per_page: int) -> None:
        last = max(1, math.ceil(total / per_page))
        if page_number > last:
            raise HTTPException(404, f"page {page_number} is past the last page ({last})")

    def story_detail(
        story_id: int,
    ) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]] | int:
        """The story's summary and its article groups, or the id it was merged into."""
        with ctx.store() as store:
            row = store.web_story(story_id)
            seen = set()
            while row is not None and row["merged_into"] is not None and row["id"] not in seen:
                seen.add(row["id"])
                row = store.web_story(row["merged_into"])
            if row is None:
                raise HTTPException(404, f"no story {story_id}")
            if row["id"] != story_id:
                return int(row["id"])
            story = store.web_stories([story_id])[story_id]
            articles = store.web_story_articles(story_id)
            thread = thread_around(store, story_id, story.get("thread_id"))
        summary = story_summary(1, {}, story, zone)
        summary["thread"] = thread
        preferred = [*config.settings.languages, summary["headline_language"] or ""]
        groups = group_articles(articles, zone, preferred=preferred)
        return summary, groups, articles

    def story_page_values(
        summary: dict[str, Any], groups: list[dict[str, Any]], articles: list[dict[str, Any]]
    ) -> dict[str, Any]:
        """What the story page shows beyond the API: a timeline, the lede, outlets, languages."""
        preferred = [*config.settings.languages, summary["headline_language"] or ""]
        first = next((a for a in articles if a["duplicate_of"] is None), articles[0] if articles else None)
        for group in groups:
            for item in [*group["articles"], *(c for a in group["articles"] for c in a["copies"])]:
                item["why_line"] = why_line(item["why"])
        return {
            "story": summary,
            "groups": groups,
            "lede": lede(first.get("summary")) if first else "",
            "lede_of": first,
            "outlets": story_outlets(articles),
            "languages": story_languages(articles, preferred),
            "timeline": story_timeline(articles, zone, preferred),
        }

    # -- pages ----------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def stories_page(
        day: DayQ = None,
        lang: LangQ = None,
        tag: TagQ = None,
        feed: FeedQ = None,
        q: TextQ = None,
        page_number: Annotated[int, Query(alias="page", ge=1, le=MAX_PAGE)] = 1,
    ) -> HTMLResponse:
        filters = filters_of(day, lang, tag, feed, q)
        now = utcnow()
        with ctx.store() as store:
            window = stories_window(store, filters, now)
            stories, total = ranked_stories(
                store, window, filters, (page_number - 1) * STORIES_PER_PAGE, STORIES_PER_PAGE
            )
            check_page(page_number, total, STORIES_PER_PAGE)
            facets = store.web_facets()
            latest = None if total or window.rolling else store.web_latest_published(window.start_iso)
            watches = home_watches(store)
            breaking = breaking_stories(store, window.start_iso, window.end_iso, BREAKING_SHOWN)
        latest_day = local_time(latest, zone, "%Y-%m-%d") if latest else None
        pages = max(1, math.ceil(total / STORIES_PER_PAGE))
        return page(
            "stories.html",
            stories=stories,
            total=total,
            page=page_number,
            pages=pages,
            filters=filters,
            window=window,
            live=window.end >= now,
            day=window.day.isoformat(),
            prev_day=(window.day - timedelta(days=1)).isoformat(),
            next_day=(window.day + timedelta(days=1)).isoformat(),
            facets=facets,
            latest_day=latest_day,
            watches=watches,
            breaking=breaking,
            atom_query=StoryFilters(
                lang=filters.lang, tag=filters.tag, feed=filters.feed, q=filters.q
            ).query(),
        )

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(
        q: TextQ = None,
        since: Annotated[str | None, Query(alias="from", max_length=40)] = None,
        until: Annotated[str | None, Query(alias="to", max_length=40)] = None,
        page_number: Annotated[int, Query(alias="page", ge=1, le=MAX_PAGE)] = 1,
    ) -> HTMLResponse:
        query = check_query("q", q)
        now = utcnow()
        start = day_window(since, zone, now).start if since and since.strip() else None
        end = day_window(until, zone, now).end if until and until.strip() else None
        if start is not None and end is not None and start >= end:
            raise BadRequest("bad date range: 'from' is after 'to'")
        groups: list[dict[str, Any]] = []
        capped = False
        if query:
            with ctx.store() as store:
                hits = store.web_search(
                    query,
                    start=iso(start) if start else None,
                    end=iso(end) if end else None,
                    limit=SEARCH_MATCHES + 1,
                )
                capped = len(hits) > SEARCH_MATCHES
                groups = search_groups(hits[:SEARCH_MATCHES], zone)
                check_page(page_number, len(groups), SEARCH_PER_PAGE)
                shown = groups[(page_number - 1) * SEARCH_PER_PAGE : page_number * SEARCH_PER_PAGE]
                stories = store.web_stories([g["story_id"] for g in shown if g["story_id"]])
            for group in shown:
                story = stories.get(group["story_id"] or -1)
                if story is not None:
                    group["story"] = story_summary(0, {}, story, zone)
        else:
            shown = []
        pages = max(1, math.ceil(len(groups) / SEARCH_PER_PAGE))
        return page(
            "search.html",
            q=query or "",
            since=(since or "").strip(),
            until=(until or "").strip(),
            groups=shown,
            total=len(groups),
            matches=sum(g["matches"] for g in groups),
            capped=capped,
            page=page_number,
            pages=pages,
            query_string=lambda **changes: _query(
                {"q": query, "from": since, "to": until, "page": None, **changes}
            ),
        )

    add_watch_routes(app, ctx.store, page, configured_watches(config))

    @app.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    def story_page(story_id: Annotated[int, PathParam(ge=1, le=MAX_ID)]) -> Response:
        detail = story_detail(story_id)
        if isinstance(detail, int):
            return RedirectResponse(f"/stories/{detail}", status_code=301)
        values = story_page_values(*detail)
        with ctx.store() as store:
            values["names"] = story_names(store.article_names([int(a["id"]) for a in detail[2]]))
        return page("story.html", **values)

    def thread_of(thread_id: int) -> dict[str, Any]:
        """The thread, or (the id names a story, as `monitor thread` takes it) the story's
        thread with `story` set; 404 saying what the id is otherwise."""
        with ctx.store() as store:
            try:
                return thread_named(store, thread_id)
            except ThreadNotFoundError as exc:
                raise HTTPException(404, str(exc)) from None

    @app.get("/threads/{thread_id}", response_class=HTMLResponse, include_in_schema=False)
    def thread_page(thread_id: Annotated[int, PathParam(ge=1, le=MAX_ID)]) -> Response:
        thread = thread_of(thread_id)
        if "story" in thread:  # a story's id: its thread, the story marked (302: threads merge)
            return RedirectResponse(f"/threads/{thread['id']}#story-{thread['story']}", status_code=302)
        return page("thread.html", thread=thread)

    @app.get("/feeds", response_class=HTMLResponse, include_in_schema=False)
    def feeds_page(
        sort: Annotated[str | None, Query(max_length=20)] = None,
        order: Annotated[str | None, Query(max_length=10)] = None,
        failing: Annotated[bool, Query()] = False,
    ) -> HTMLResponse:
        feeds = feed_health()
        failing_count = sum(1 for f in feeds if f["active"] and f["error_streak"])
        rows, sort_used, descending = sort_feeds(feeds, sort, order, failing_only=failing)
        return page(
            "feeds.html",
            feeds=rows,
            total=len(feeds),
            failing=failing_count,
            failing_only=failing,
            sort=sort_used,
            descending=descending,
            columns=FEED_SORTS,
            query_string=lambda **changes: _query(
                {
                    "sort": sort_used,
                    "order": "desc" if descending else "asc",
                    "failing": "1" if failing else None,
                }
                | changes
            ),
        )

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def api_docs() -> Response:
        """The JSON API, read from its OpenAPI description: each endpoint with its parameters,
        and a form to try each GET (plain HTML: nothing to load from elsewhere)."""
        spec = app.openapi()
        return page("api.html", endpoints=api_endpoints(spec))

    @app.get("/docs/try", include_in_schema=False)
    def api_try(request: Request, endpoint: Annotated[str, Query(max_length=200)]) -> Response:
        """A docs form's answer: off to the endpoint with its parameters filled in."""
        values = {k: v for k, v in request.query_params.items() if k != "endpoint"}
        return RedirectResponse(try_url(app.openapi(), endpoint, values), status_code=303)

    @app.get("/static/style.css", include_in_schema=False)
    def style() -> Response:
        return Response(stylesheet, media_type="text/css", headers={"Cache-Control": "max-age=3600"})

    @app.get("/static/keys.js", include_in_schema=False)
    def keys() -> Response:
        return Response(keys_script, media_type="text/javascript", headers={"Cache-Control": "max-age=3600"})

    # -- JSON API -------------------------------------------------------------------------

    @app.get("/api/stories", response_model=StoryPage, responses=ERRORS, tags=["stories"])
    def api_stories(
        day: DayQ = None,
        lang: LangQ = None,
        tag: TagQ = None,
        feed: FeedQ = None,
        q: TextQ = None,
        page: PageQ = 1,
        per_page: Annotated[int, Query(ge=1, le=200)] = STORIES_PER_PAGE,
    ) -> dict[str, Any]:
        """A day's stories (by default, as the home page: the last 24 hours, or the 24 hours up
        to the newest article when nothing is newer), ranked as the home page and `monitor
        stories` rank them: outlets x languages x growth (how recent their articles of the
        window are)."""
        filters = filters_of(day, lang, tag, feed, q)
        with ctx.store() as store:
            window = stories_window(store, filters, utcnow())
            stories, total = ranked_stories(store, window, filters, (page - 1) * per_page, per_page)
        check_page(page, total, per_page)
        return {
            "day": window.day.isoformat(),
            "timezone": config.settings.timezone,
            "start": window.start_iso,
            "end": window.end_iso,
            "page": page,
            "per_page": per_page,
            "total": total,
            "stories": stories,
        }

    @app.get("/api/stories/{story_id}", response_model=StoryDetail, responses=ERRORS, tags=["stories"])
    def api_story(story_id: Annotated[int, PathParam(ge=1, le=MAX_ID)]) -> Any:
        """One story with its articles grouped by language, copies folded under their
        original. A story merged into another redirects (301) to the surviving one."""
        detail = story_detail(story_id)
        if isinstance(detail, int):
            return RedirectResponse(f"/api/stories/{detail}", status_code=301)
        summary, groups, _articles = detail
        return {**summary, "groups": groups}

    @app.get("/api/trends", response_model=TrendsOut, tags=["stories"])
    def api_trends(limit: Annotated[int, Query(ge=1, le=100)] = 20) -> Any:
        """Rising names: those of the stories first reported in the last 48 hours against the
        14 days before (a name counts once per story; at least 3 stories; a score that weighs
        the count against what was expected, so that a rare name seen twice does not lead)."""
        with ctx.store() as store:
            return rising_now(store, utcnow(), limit=limit)

    @app.get("/trends", response_class=HTMLResponse, include_in_schema=False)
    def trends_page() -> HTMLResponse:
        with ctx.store() as store:
            found = rising_now(store, utcnow(), limit=30)
        return page("trends.html", trends=found)

    @app.get("/api/threads/{thread_id}", response_model=ThreadOut, responses=ERRORS, tags=["stories"])
    def api_thread(thread_id: Annotated[int, PathParam(ge=1, le=MAX_ID)]) -> Any:
        """A thread: stories that follow one another on one subject (a later development is a
        story of its own, linked, never merged), oldest first, with their sizes and languages.
        A story's id redirects (302) to its thread."""
        thread = thread_of(thread_id)
        if "story" in thread:
            return RedirectResponse(f"/api/threads/{thread['id']}", status_code=302)
        return thread

    @app.get("/api/articles", response_model=ArticlePage, responses=ERRORS, tags=["articles"])
    def api_articles(
        since: Annotated[
            str | None, Query(max_length=40, description="Published since: 2024-03-22, 6h, 2d.")
        ] = None,
        until: Annotated[str | None, Query(max_length=40, description="Published before this time.")] = None,
        lang: LangQ = None,
        tag: TagQ = None,
        feed: FeedQ = None,
        story: Annotated[
            int | None, Query(ge=1, le=MAX_ID, description="Only this story's articles.")
        ] = None,
        q: TextQ = None,
        page: PageQ = 1,
        per_page: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> dict[str, Any]:
        """Articles, newest first."""
        bounds: list[str | None] = []
        for name, text in (("since", since), ("until", until)):
            if text is None or not text.strip():
                bounds.append(None)
                continue
            try:
                bounds.append(iso(parse_when(text)))
            except (ValueError, OverflowError) as exc:
                raise BadRequest(f"bad {name}: {exc}") from None
        with ctx.store() as store:
            rows, total = store.web_articles(
                start=bounds[0],
                end=bounds[1],
                language=check_language(lang),
                tag=check_text("tag", tag),
                feed_id=feed,
                story_id=story,
                query=check_query("q", q),
                limit=per_page,
                offset=(page - 1) * per_page,
            )
        check_page(page, total, per_page)
        for row in rows:
            row["url"] = safe_url(row["url"])
            row["published_estimated"] = bool(row["published_estimated"])
        return {"page": page, "per_page": per_page, "total": total, "articles": rows}

    def feed_health() -> list[dict[str, Any]]:
        now = utcnow()
        today = now.date()
        days = [(today - timedelta(days=n)).isoformat() for n in range(6, -1, -1)]
        since = days[0] + "T00:00:00Z"
        with ctx.store() as store:
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

    @app.get("/api/feeds", response_model=list[FeedOut], tags=["feeds"])
    def api_feeds() -> list[dict[str, Any]]:
        """Each feed's health: last poll and status, error streak and last error, next due,
        articles per day."""
        return feed_health()

    # -- Atom, health, metrics ------------------------------------------------------------

    @app.get(
        "/stories.atom",
        responses={200: {"content": {"application/atom+xml": {}}}, **ERRORS},
        response_class=Response,
        tags=["feeds out"],
    )
    def stories_atom(
        request: Request, lang: LangQ = None, tag: TagQ = None, feed: FeedQ = None, q: TextQ = None
    ) -> Response:
        """The top stories of the last 24 hours as Atom 1.0 (RFC 4287), optionally for one
        tag, language, feed or search query."""
        filters = filters_of(None, lang, tag, feed, q)
        now = utcnow()
        window = DayWindow(now.date(), now - timedelta(hours=24), now + timedelta(seconds=1))
        with ctx.store() as store:
            stories, _total = ranked_stories(store, window, filters, 0, ATOM_ENTRIES)
            articles = {s["id"]: store.web_story_articles(s["id"]) for s in stories}
        base = str(request.base_url).rstrip("/")
        body = atom_feed(base, str(request.url), filters, stories, articles, now)
        return Response(body, media_type="application/atom+xml; charset=utf-8")

    @app.get(
        "/breaking.atom",
        responses={200: {"content": {"application/atom+xml": {}}}, **ERRORS},
        response_class=Response,
        tags=["feeds out"],
    )
    def breaking_atom(request: Request) -> Response:
        """The stories most recently flagged breaking (coverage growing unusually fast for their
        age), latest first, as Atom 1.0 (RFC 4287)."""
        now = utcnow()
        with ctx.store() as store:
            until = str(iso(now + timedelta(seconds=1)))
            stories = breaking_stories(store, "1970-01-01T00:00:00Z", until, ATOM_ENTRIES)
            articles = {s["id"]: store.web_story_articles(s["id"]) for s in stories}
        base = str(request.base_url).rstrip("/")
        body = atom_feed(base, str(request.url), StoryFilters(), stories, articles, now, breaking=True)
        return Response(body, media_type="application/atom+xml; charset=utf-8")

    @app.get("/healthz", tags=["operations"])
    def healthz() -> JSONResponse:
        """200 when the database can be read, 503 otherwise."""
        try:
            with ctx.store() as store:
                version = store.schema_version()
                store.ping()
        except StoreError as exc:
            return JSONResponse({"status": "error", "error": str(exc)}, status_code=503)
        return JSONResponse({"status": "ok", "schema_version": version, "version": __version__})

    @app.get("/metrics", response_class=PlainTextResponse, tags=["operations"])
    def metrics() -> Response:
        """Prometheus text format: requests served, and the database's figures."""
        return Response(generate_latest(web_metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return app


def configured_watches(config: Config) -> dict[str, tuple[str, dict[str, Any]]]:
    """The watches of feeds.yaml (casefolded name -> name and definition as stored), so that
    one not run yet has a page; none when the section cannot be read (`monitor serve` checked
    the file at start: only a section edited since can fail here)."""
    node = config.sections.get("watches")
    if node is None:
        return {}
    try:
        watches = parse_watches_section(node, str(config.path))
    except ConfigError as exc:
        log.warning("event=web_watches_unreadable error=%r", str(exc))
        return {}
    return {w.name.casefold(): (w.name, json.loads(definition(w))) for w in watches.watches}


def _query(values: Mapping[str, Any]) -> str:
    pairs = [(k, str(v).strip()) for k, v in values.items() if v is not None and str(v).strip()]
    return ("?" + urlencode(pairs)) if pairs else ""
