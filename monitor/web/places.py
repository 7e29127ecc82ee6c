"""/places: the countries in the news, the last 24 hours against their week, on a world map
and in a table; /places/XX: one country's stories and rising names; /api/places."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import FastAPI, Query
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from monitor.entities.countries import WEEK, CountryNews, country_name, country_news
from monitor.entities.storycountries import window_countries
from monitor.stories.records import news_end, ranked_hits, rising_now, with_countries
from monitor.timeutil import iso, parse_iso, utcnow
from monitor.web.context import MAX_PAGE, STORIES_PER_PAGE, WebContext, check_page
from monitor.web.models import PlacesOut
from monitor.web.views import check_country, story_summary
from monitor.web.worldmap import MapCountry, render_map, shade_of
from monitor.wording import count

Page = Callable[..., HTMLResponse]


def countries_now(store: Any, at: datetime) -> list[CountryNews]:
    """The countries of the week's stories up to `at`, most rising first: one read of the
    kept countries of the stories active in the week (those out of date from their articles)."""
    rows = store.window_story_countries(str(iso(at - WEEK)), str(iso(at)))
    last, about = window_countries(rows, store.story_country_rows)
    stories = []
    for story_id, countries in about.items():
        when = parse_iso(last[story_id])
        if when is not None:
            stories.append((when, countries))
    return country_news(stories, at)


def map_countries(news: list[CountryNews]) -> dict[str, MapCountry]:
    top = max((c.recent for c in news), default=0)
    drawn = {}
    for c in news:
        label = f"{c.name}: {count(c.recent, 'story')} in 24 h, {c.week} in the week"
        label += " (rising)" if c.rising else ""
        drawn[c.country] = MapCountry(shade_of(c.recent, top), c.rising, label)
    return drawn


def add_place_routes(app: FastAPI, ctx: WebContext, page: Page) -> None:
    """The places pages and their JSON, on the app's shared context."""

    @app.get("/places", response_class=HTMLResponse, include_in_schema=False)
    def places_page() -> HTMLResponse:
        with ctx.store() as store:
            at = news_end(store, utcnow())
            news = countries_now(store, at)
        svg = render_map(map_countries(news), "Countries by stories of the last 24 hours")
        return page(
            "places.html",
            news=news,
            world_svg=svg,
            at=iso(at),
            recent_since=iso(at - timedelta(hours=24)),
            week_since=iso(at - WEEK),
        )

    @app.get("/places/{code}", response_class=HTMLResponse, include_in_schema=False)
    def country_page(
        code: Annotated[str, PathParam(max_length=40)],
        page_number: Annotated[int, Query(alias="page", ge=1, le=MAX_PAGE)] = 1,
    ) -> Response:
        country = check_country(code) or ""
        if country != code:  # one address per country: /places/UA
            suffix = f"?page={page_number}" if page_number > 1 else ""
            return RedirectResponse(f"/places/{country}{suffix}", status_code=301)
        with ctx.store() as store:
            now = utcnow()
            at = news_end(store, now)
            hits = ranked_hits(store, since=at - WEEK, until=at, country=country)
            check_page(page_number, len(hits), STORIES_PER_PAGE)
            chosen = hits[(page_number - 1) * STORIES_PER_PAGE : page_number * STORIES_PER_PAGE]
            stories = store.web_stories([h["story_id"] for h in chosen])
            with_countries(store, stories)
            rising = rising_now(store, now, limit=20, country=country)
        shown = []
        for rank, hit in enumerate(chosen, start=(page_number - 1) * STORIES_PER_PAGE + 1):
            story = stories.get(hit["story_id"])
            if story is not None:
                summary = story_summary(rank, hit, story, ctx.zone)
                summary["url"] = f"/stories/{story['id']}"
                shown.append(summary)
        return page(
            "place.html",
            country=country,
            country_label=country_name(country),
            stories=shown,
            total=len(hits),
            page=page_number,
            pages=max(1, math.ceil(len(hits) / STORIES_PER_PAGE)),
            week_since=iso(at - WEEK),
            at=iso(at),
            trends=rising,
        )

    @app.get("/api/places", response_model=PlacesOut, tags=["stories"])
    def api_places() -> dict[str, Any]:
        """The countries of the stories of the last 7 days (a story's countries: those named by
        at least a third of its outlets that name a place), most rising first: stories of the
        last 24 hours, of the week, what the 6 days before predict for 24 hours, and a score
        that weighs the count against that (a pseudo-count keeps a small count from leading).
        The windows end now, or just after the newest article when nothing is newer than 24
        hours."""
        with ctx.store() as store:
            at = news_end(store, utcnow())
            news = countries_now(store, at)
        return {
            "at": iso(at),
            "recent_since": iso(at - timedelta(hours=24)),
            "week_since": iso(at - WEEK),
            "countries": [vars(c) for c in news],
        }
