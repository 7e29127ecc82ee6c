"""The JSON API under /api/ (described at /openapi.json), the Atom feeds of the top and the
breaking stories, /healthz and /metrics."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from monitor import __version__
from monitor.errors import StoreError
from monitor.metrics import WebMetrics
from monitor.stories.records import rising_now
from monitor.timeutil import iso, parse_when, utcnow
from monitor.web.atom import atom_feed
from monitor.web.context import (
    MAX_ID,
    STORIES_PER_PAGE,
    CountryQ,
    DayQ,
    FeedQ,
    LangQ,
    PageQ,
    TagQ,
    TextQ,
    WebContext,
    check_page,
    filters_of,
)
from monitor.web.models import ERRORS, ArticlePage, FeedOut, StoryDetail, StoryPage, ThreadOut, TrendsOut
from monitor.web.views import (
    BadRequest,
    DayWindow,
    StoryFilters,
    check_country,
    check_language,
    check_query,
    check_text,
    safe_url,
)

ATOM_ENTRIES = 30


def add_api_routes(app: FastAPI, ctx: WebContext, web_metrics: WebMetrics) -> None:
    """The JSON API, the Atom feeds and the operations' routes, on the app's shared context."""
    config = ctx.config

    # -- JSON API -------------------------------------------------------------------------

    @app.get("/api/stories", response_model=StoryPage, responses=ERRORS, tags=["stories"])
    def api_stories(
        day: DayQ = None,
        lang: LangQ = None,
        tag: TagQ = None,
        feed: FeedQ = None,
        q: TextQ = None,
        country: CountryQ = None,
        page: PageQ = 1,
        per_page: Annotated[int, Query(ge=1, le=200)] = STORIES_PER_PAGE,
    ) -> dict[str, Any]:
        """A day's stories (by default, as the home page: the last 24 hours, or the 24 hours up
        to the newest article when nothing is newer), ranked as the home page and `monitor
        stories` rank them: outlets x languages x growth (how recent their articles of the
        window are). Each story carries its countries."""
        filters = filters_of(day, lang, tag, feed, q, country)
        with ctx.store() as store:
            window = ctx.stories_window(store, filters, utcnow())
            stories, total = ctx.ranked_stories(store, window, filters, (page - 1) * per_page, per_page)
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
        detail = ctx.story_detail(story_id)
        if isinstance(detail, int):
            return RedirectResponse(f"/api/stories/{detail}", status_code=301)
        summary, groups, _articles = detail
        return {**summary, "groups": groups}

    @app.get("/api/trends", response_model=TrendsOut, tags=["stories"])
    def api_trends(limit: Annotated[int, Query(ge=1, le=100)] = 20) -> Any:
        """Rising names, countries and places: those of the stories first reported in the last
        48 hours against the 14 days before (a name, a place its articles name, or the country
        it lies in, counts once per story; at least 3 stories; a score that weighs the count
        against what was expected, so that a rare name seen twice does not lead)."""
        with ctx.store() as store:
            return rising_now(store, utcnow(), limit=limit)

    @app.get("/api/threads/{thread_id}", response_model=ThreadOut, responses=ERRORS, tags=["stories"])
    def api_thread(thread_id: Annotated[int, PathParam(ge=1, le=MAX_ID)]) -> Any:
        """A thread: stories that follow one another on one subject (a later development is a
        story of its own, linked, never merged), oldest first, with their sizes and languages.
        A story's id redirects (302) to its thread."""
        thread = ctx.thread_of(thread_id)
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
        country: CountryQ = None,
        page: PageQ = 1,
        per_page: Annotated[int, Query(ge=1, le=500)] = 50,
    ) -> dict[str, Any]:
        """Articles, newest first (`country`: those naming a place in it)."""
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
                country=check_country(country),
                limit=per_page,
                offset=(page - 1) * per_page,
            )
            names = store.article_names([int(row["id"]) for row in rows])
        check_page(page, total, per_page)
        for row in rows:
            row["url"] = safe_url(row["url"])
            row["published_estimated"] = bool(row["published_estimated"])
            row["names"] = names.get(int(row["id"]), [])
        return {"page": page, "per_page": per_page, "total": total, "articles": rows}

    @app.get("/api/feeds", response_model=list[FeedOut], tags=["feeds"])
    def api_feeds() -> list[dict[str, Any]]:
        """Each feed's health: last poll and status, error streak and last error, next due,
        articles per day."""
        return ctx.feed_health()

    # -- Atom, health, metrics ------------------------------------------------------------

    @app.get(
        "/stories.atom",
        responses={200: {"content": {"application/atom+xml": {}}}, **ERRORS},
        response_class=Response,
        tags=["feeds out"],
    )
    def stories_atom(
        request: Request,
        lang: LangQ = None,
        tag: TagQ = None,
        feed: FeedQ = None,
        q: TextQ = None,
        country: CountryQ = None,
    ) -> Response:
        """The top stories of the last 24 hours as Atom 1.0 (RFC 4287), optionally for one
        tag, language, feed, search query or country."""
        filters = filters_of(None, lang, tag, feed, q, country)
        now = utcnow()
        window = DayWindow(now.date(), now - timedelta(hours=24), now + timedelta(seconds=1))
        with ctx.store() as store:
            stories, _total = ctx.ranked_stories(store, window, filters, 0, ATOM_ENTRIES)
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
            stories = ctx.breaking_stories(store, "1970-01-01T00:00:00Z", until, ATOM_ENTRIES)
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
