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
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import timedelta
from importlib import resources
from typing import Annotated, Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from fastapi import FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from monitor import __version__
from monitor.config import Config
from monitor.entities.countries import country_name
from monitor.entities.names import story_names
from monitor.errors import ConfigError, MonitorError
from monitor.languages import language_name
from monitor.metrics import WebMetrics, web_registry
from monitor.store import Target
from monitor.stories.records import rising_now, with_countries
from monitor.timeutil import iso, local_time, utcnow
from monitor.watches.match import definition
from monitor.watches.namegroups import entity_rows
from monitor.watches.settings import parse_watches_section
from monitor.web.api import add_api_routes
from monitor.web.context import (
    MAX_ID,
    MAX_PAGE,
    STORIES_PER_PAGE,
    CountryQ,
    DayQ,
    FeedQ,
    LangQ,
    TagQ,
    TextQ,
    WebContext,
    check_page,
    filters_of,
)
from monitor.web.names import add_name_routes
from monitor.web.places import add_place_routes
from monitor.web.reading import article_view
from monitor.web.views import (
    FEED_SORTS,
    BadRequest,
    StoryFilters,
    api_endpoints,
    check_country,
    check_query,
    day_window,
    isolated,
    lede,
    safe_url,
    search_groups,
    sort_feeds,
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


# --- the application ----------------------------------------------------------------------




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
    env.filters["country_name"] = country_name
    env.filters["isolated"] = isolated
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
        country: CountryQ = None,
        page_number: Annotated[int, Query(alias="page", ge=1, le=MAX_PAGE)] = 1,
    ) -> HTMLResponse:
        filters = filters_of(day, lang, tag, feed, q, country)
        now = utcnow()
        with ctx.store() as store:
            window = ctx.stories_window(store, filters, now)
            stories, total = ctx.ranked_stories(
                store, window, filters, (page_number - 1) * STORIES_PER_PAGE, STORIES_PER_PAGE
            )
            check_page(page_number, total, STORIES_PER_PAGE)
            facets = store.web_facets()
            latest = None if total or window.rolling else store.web_latest_published(window.start_iso)
            watches = home_watches(store)
            breaking = ctx.breaking_stories(store, window.start_iso, window.end_iso, BREAKING_SHOWN)
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
                lang=filters.lang, tag=filters.tag, feed=filters.feed, q=filters.q, country=filters.country
            ).query(),
        )

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(
        q: TextQ = None,
        since: Annotated[str | None, Query(alias="from", max_length=40)] = None,
        until: Annotated[str | None, Query(alias="to", max_length=40)] = None,
        country: CountryQ = None,
        page_number: Annotated[int, Query(alias="page", ge=1, le=MAX_PAGE)] = 1,
    ) -> HTMLResponse:
        query = check_query("q", q)
        country_code = check_country(country)
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
                    country=country_code,
                    limit=SEARCH_MATCHES + 1,
                )
                capped = len(hits) > SEARCH_MATCHES
                groups = search_groups(hits[:SEARCH_MATCHES], zone)
                check_page(page_number, len(groups), SEARCH_PER_PAGE)
                shown = groups[(page_number - 1) * SEARCH_PER_PAGE : page_number * SEARCH_PER_PAGE]
                stories = store.web_stories([g["story_id"] for g in shown if g["story_id"]])
                with_countries(store, stories)
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
            country=country_code or "",
            since=(since or "").strip(),
            until=(until or "").strip(),
            groups=shown,
            total=len(groups),
            matches=sum(g["matches"] for g in groups),
            capped=capped,
            page=page_number,
            pages=pages,
            query_string=lambda **changes: _query(
                {"q": query, "from": since, "to": until, "country": country_code, "page": None, **changes}
            ),
        )

    add_watch_routes(app, ctx.store, page, configured_watches(config))
    add_name_routes(app, ctx, page)

    @app.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
    def story_page(story_id: Annotated[int, PathParam(ge=1, le=MAX_ID)]) -> Response:
        detail = ctx.story_detail(story_id)
        if isinstance(detail, int):
            return RedirectResponse(f"/stories/{detail}", status_code=301)
        values = story_page_values(*detail)
        with ctx.store() as store:
            names = store.article_names([int(a["id"]) for a in detail[2]])
        values["names"] = story_names(entity_rows(names))
        return page("story.html", **values)

    @app.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
    def article_page(article_id: Annotated[int, PathParam(ge=1, le=MAX_ID)]) -> Response:
        with ctx.store() as store:
            row = store.web_article(article_id)
            if row is None:
                raise StarletteHTTPException(404, f"no article {article_id}")
            names = story_names(entity_rows(store.article_names([article_id])))
            places = store.article_places([article_id]).get(article_id, [])
            watches = [
                {"name": w, "quoted": quote(w, safe="")}
                for w in store.article_watches([article_id]).get(article_id, [])
            ]
        view = article_view(row, zone)
        return page("article.html", article=view, names=names, places=places, watches=watches)

    @app.get("/threads/{thread_id}", response_class=HTMLResponse, include_in_schema=False)
    def thread_page(thread_id: Annotated[int, PathParam(ge=1, le=MAX_ID)]) -> Response:
        thread = ctx.thread_of(thread_id)
        if "story" in thread:  # a story's id: its thread, the story marked (302: threads merge)
            return RedirectResponse(f"/threads/{thread['id']}#story-{thread['story']}", status_code=302)
        return page("thread.html", thread=thread)

    @app.get("/feeds", response_class=HTMLResponse, include_in_schema=False)
    def feeds_page(
        sort: Annotated[str | None, Query(max_length=20)] = None,
        order: Annotated[str | None, Query(max_length=10)] = None,
        failing: Annotated[bool, Query()] = False,
    ) -> HTMLResponse:
        feeds = ctx.feed_health()
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

    @app.get("/trends", response_class=HTMLResponse, include_in_schema=False)
    def trends_page() -> HTMLResponse:
        with ctx.store() as store:
            found = rising_now(store, utcnow(), limit=30)
        return page("trends.html", trends=found)

    add_api_routes(app, ctx, web_metrics)
    add_place_routes(app, ctx, page)

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
