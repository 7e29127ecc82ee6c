"""Who is in the news: `/names` (names of the last 24 hours against the week before), a
name's page `/names/{key}` (its stories per day as a chart, its spellings by language, its
latest stories, the lines that watch it), and their JSON twins `/api/names`,
`/api/names/{key}`. The store counts; monitor.watches.people decides."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Query
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from monitor.store import AnyStore
from monitor.stories.records import iso_z, news_end
from monitor.timeutil import iso, local_time, parse_iso, utcnow
from monitor.watches.namegroups import (
    entity_label,
    group_keys,
    joining_entries,
    keyed_spellings,
    ranked_entities,
)
from monitor.watches.people import (
    DAY,
    MAX_KEY,
    WEEK,
    counts_to_rank,
    daily_stories,
    display_name,
    fold_keys,
    in_the_news,
    spellings_by_language,
    watch_yaml,
)
from monitor.web.charts import bar_chart
from monitor.web.context import WebContext
from monitor.web.models import ERRORS
from monitor.web.views import safe_url

NAME_DAYS = 30  # the span of a name's page
MENTIONS_READ = 2000  # a name's newest articles read for its spellings and latest stories
STORIES_SHOWN = 20

KeyPath = Annotated[str, PathParam(min_length=1, max_length=MAX_KEY)]


class NameInTheNews(BaseModel):
    key: str = Field(description="The name's key (the same in every script): /api/names/{key}.")
    name: str = Field(description="How the name is shown: a full spelling in Latin letters, without a title.")
    recent: int = Field(description="Stories with an article of the last 24 hours naming it.")
    before: int = Field(description="Stories with an article of the 7 days before naming it.")
    expected: float = Field(description="What the 7 days before predict for the last 24 hours.")
    score: float
    spellings: list[str] = Field(description="Its spellings in the window, most mentioned first.")


class NamesOut(BaseModel):
    at: str = Field(description="The end of the window (now, or just after the newest article).")
    recent_since: str
    since: str
    stories_recent: int = Field(description="Stories with an article in the last 24 hours.")
    stories_before: int = Field(description="Stories with an article in the 7 days before.")
    names: list[NameInTheNews] = Field(description="Names in the news, best first.")


class NameDay(BaseModel):
    day: str
    stories: int


class NameSpellings(BaseModel):
    language: str = Field(description="The articles' language ('' when unknown).")
    articles: int
    spellings: list[tuple[str, int]] = Field(description="(spelling, articles), most used first.")


class NameStory(BaseModel):
    story_id: int | None
    title: str | None
    url: str | None = Field(description="The story page, or the article when it is in no story yet.")
    published: str
    language: str | None


class NameOut(BaseModel):
    key: str
    name: str
    keys: list[str] = Field(description="The names stage's keys gathered under this name.")
    since: str
    at: str
    total: int = Field(description="Stories naming it in these days.")
    days: list[NameDay] = Field(description="Stories per day (the configured time zone).")
    spellings: list[NameSpellings]
    stories: list[NameStory] = Field(description="Its latest stories, newest first.")
    watch: str = Field(description="The lines to add under watches: in feeds.yaml to watch it.")


def names_now(store: AnyStore, at: datetime, limit: int = 50) -> dict[str, Any]:
    """Who is in the news at `at`: the names stage's keys gathered (fold_keys), each counted
    in stories, scored for the last 24 hours against the 7 days before."""
    since, recent, end = iso_z(at - DAY - WEEK), iso_z(at - DAY), iso_z(at)
    per_key = store.names_key_counts(since, recent, end)
    fold = fold_keys({key: n for key, (_, _, n) in per_key.items()})
    keys_of: dict[str, list[str]] = {}
    for key, entry in fold.items():
        keys_of.setdefault(entry, []).append(key)
    n_recent, n_before = store.names_window_stories(since, recent, end)
    # A story may name one person under two keys (`putin` in one article, `vladimir putin` in
    # another): an entry of several keys is counted again over all of them, when it may rank.
    bounds = {
        entry: (
            sum(per_key[k][0] for k in keys),
            max(per_key[k][1] for k in keys),
            len(keys) == 1,
        )
        for entry, keys in keys_of.items()
    }
    # Twice the rows asked for are ranked, so that an entity's keys that rank lower are gathered too.
    counts = counts_to_rank(
        bounds,
        lambda entry: store.names_entry_counts(keys_of[entry], since, recent, end),
        n_recent,
        n_before,
        limit * 2,
    )
    ranked = in_the_news(counts, n_recent, n_before, {}, limit * 2)
    # The entries of one person (`joe biden`, `president biden`) become one row, counted again
    # over all their keys (monitor.watches.namegroups): the ranked entries, and the others that
    # end with a ranked entry's last word, which join a row but make none.
    shown = [r.key for r in ranked]
    joining = joining_entries(shown, keys_of)
    weights = {e: sum(per_key[k][0] for k in keys_of[e]) for e in [*shown, *joining]}
    rows = ranked_entities(shown, keys_of, weights, store.names_spellings([*shown, *joining], since, end))
    merged = {
        key: store.names_entry_counts(list(row.keys), since, recent, end) if row.merged
        else counts[row.entries[0]]
        for key, row in rows.items()
    }
    names = [
        dataclasses.asdict(dataclasses.replace(r, name=entity_label(rows[r.key].spellings) or r.key))
        | {"spellings": sorted(rows[r.key].spellings, key=lambda v: (-rows[r.key].spellings[v], v))}
        for r in in_the_news(merged, n_recent, n_before, {}, limit)
    ]
    return {
        "at": iso_z(at),
        "recent_since": recent,
        "since": since,
        "stories_recent": n_recent,
        "stories_before": n_before,
        "names": names,
    }


class NameNotFound(Exception):
    pass


def name_record(store: AnyStore, key: str, at: datetime, ctx: WebContext) -> dict[str, Any] | str:
    """A name's page at `at` (see NameOut), or the key of the name it belongs to (`putin`
    to `vladimir putin`) when it is gathered under another."""
    end = at
    first_day = (end.astimezone(ctx.zone) - timedelta(days=NAME_DAYS - 1)).date()
    start = datetime.combine(first_day, datetime.min.time(), ctx.zone)
    since, until = iso_z(start), iso_z(end)
    candidates = store.names_keys_ending(key.split()[-1], since, until)
    if key not in candidates:
        raise NameNotFound(f"no article published from {local_time(iso(start), ctx.zone)} to "
                           f"{local_time(iso(end), ctx.zone)} names {key!r}")
    head = _heads(store, candidates, since, until)
    if head[key] != key:
        return head[key]
    keys = sorted(k for k, entry in head.items() if entry == key)
    times = store.names_story_times(keys, since, until)
    days = daily_stories(
        ((p, story) for published, story in times if (p := parse_iso(published)) is not None),
        ctx.zone,
        first_day,
        NAME_DAYS,
    )
    mentions = store.names_mentions(keys, since, until, MENTIONS_READ)
    own: dict[str, int] = {}
    for row in mentions:
        if row["key"] == key:
            own[row["name"]] = own.get(row["name"], 0) + int(row["mentions"])
    name = display_name(own) or key
    stories: list[dict[str, Any]] = []
    seen: set[int] = set()
    for row in mentions:
        story = row["story_id"]
        marker = int(story) if story is not None else -int(row["article_id"])
        if marker in seen:
            continue
        seen.add(marker)
        stories.append(
            {
                "story_id": story,
                "title": row["title"],
                "url": f"/stories/{story}" if story is not None else safe_url(row["url"]),
                "published": row["published"],
                "language": row["language"],
            }
        )
        if len(stories) >= STORIES_SHOWN:
            break
    headlines = store.web_stories([s["story_id"] for s in stories if s["story_id"] is not None])
    for s in stories:
        story = headlines.get(s["story_id"] or -1)
        if story and story.get("headline"):
            s["title"] = story["headline"]
    return {
        "key": key,
        "name": name,
        "keys": keys,
        "since": since,
        "at": until,
        "total": len({story for _, story in times}),
        "days": [{"day": d.isoformat(), "stories": n} for d, n in days],
        "spellings": spellings_by_language(mentions),
        "stories": stories,
        "watch": watch_yaml(name),
    }


def _heads(store: AnyStore, candidates: dict[str, int], since: str, until: str) -> dict[str, str]:
    """Each candidate key's entry: fold_keys's, then its entity's (namegroups: `president
    biden` is Joe Biden's), followed until it stays put, so that an entry's page is its own."""
    fold = fold_keys(candidates)
    entity = group_keys(keyed_spellings(store.names_spellings(sorted(candidates), since, until), candidates))
    heads = {}
    for key in candidates:
        head, seen = key, set()
        while head not in seen:
            seen.add(head)
            head = entity.get(fold[head], fold[head])
        heads[key] = head
    return heads


def add_name_routes(app: FastAPI, ctx: WebContext, page: Callable[..., HTMLResponse]) -> None:
    """The names routes on the app's read-only store and page renderer."""

    def record(key: str) -> dict[str, Any] | str:
        key = " ".join(key.casefold().split())  # keys are casefolded, their words one space apart
        if not key:
            raise HTTPException(404, "no name at /names/ with only spaces")
        with ctx.store() as store:
            try:
                return name_record(store, key, news_end(store, utcnow()), ctx)
            except NameNotFound as exc:
                raise HTTPException(404, str(exc)) from None

    @app.get("/names", response_class=HTMLResponse, include_in_schema=False)
    def names_page() -> HTMLResponse:
        with ctx.store() as store:
            found = names_now(store, news_end(store, utcnow()))
        return page("names.html", news=found, quote=_quote)

    @app.get("/names/{key}", response_class=HTMLResponse, include_in_schema=False)
    def name_page(key: KeyPath) -> Response:
        found = record(key)
        if isinstance(found, str):
            return RedirectResponse(f"/names/{_quote(found)}", status_code=302)
        days = [(date.fromisoformat(d["day"]), int(d["stories"])) for d in found["days"]]
        chart = bar_chart(days, f"{found['name']}: stories per day")
        return page("name.html", n=found, chart=chart, quote=_quote)

    @app.get("/api/names", response_model=NamesOut, tags=["names"])
    def api_names(limit: Annotated[int, Query(ge=1, le=200)] = 50) -> Any:
        """Who is in the news: the people and organisations of the articles of the last 24
        hours against the 7 days before, each counted once per story, its spellings in every
        script gathered; a score that weighs the count against what the week predicts (at
        least 2 stories; a pseudo-count keeps a name seen twice below one seen twenty times)."""
        with ctx.store() as store:
            return names_now(store, news_end(store, utcnow()), limit)

    @app.get("/api/names/{key}", response_model=NameOut, responses=ERRORS, tags=["names"])
    def api_name(key: KeyPath) -> Any:
        """One name over the last 30 days: stories per day, spellings by language, its latest
        stories, and the lines that watch it. A key gathered under a fuller name redirects
        (302) to it (`putin` to `vladimir putin`)."""
        found = record(key)
        if isinstance(found, str):
            return RedirectResponse(f"/api/names/{_quote(found)}", status_code=302)
        return found


def _quote(key: str) -> str:
    return quote(key, safe="")


__all__ = ["add_name_routes", "name_record", "names_now"]
