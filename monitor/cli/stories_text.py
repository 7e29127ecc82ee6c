"""What `monitor stories` and `monitor story ID` print: the text for people, built from the
records of `monitor.stories.records`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from monitor.entities.countries import country_name
from monitor.entities.names import story_names
from monitor.store.protocols import WebReads
from monitor.stories.decide import across_languages
from monitor.stories.records import (
    latest_bounds,
    rank_stories,
    rank_threads,
    rising_now,
    story_detail,
    thread_named,
)
from monitor.terminal import json_text, one_line
from monitor.timeutil import local_time, parse_iso
from monitor.watches.namegroups import entity_rows
from monitor.wording import breaking_note, duration
from monitor.wording import count as _count

_MAX_TITLE = 200  # characters of a title on one line of text output
_LISTED_NAMES = 5  # names on a story's line of `monitor stories`
_SPELLINGS = 4  # other spellings shown after a name by `monitor story`


class StoryReads(WebReads, Protocol):
    """What the story commands read: the web's queries and the articles' names."""

    def article_names(self, article_ids: Sequence[int]) -> dict[int, list[dict[str, Any]]]: ...


def story_people(store: StoryReads, story_id: int) -> list[dict[str, Any]]:
    """The people and organisations the names stage found in the story's articles, one per
    entity with its spellings, the most widely named first (as the story page lists them)."""
    ids = [int(a["id"]) for a in store.web_story_articles(story_id)]
    return story_names(entity_rows(store.article_names(ids))) if ids else []


def _local(text: str | None, zone: ZoneInfo) -> str:
    return local_time(text, zone) or "?"


def _clean(text: object, limit: int | None = _MAX_TITLE) -> str:
    return one_line(text, limit)


def _shared(n: int) -> str:
    return "1 shared name or number" if n == 1 else f"{n} shared names or numbers"


def _untitled(article: Mapping[str, Any] | None) -> str:
    """What to show for an article without a title: the start of its text, else its URL."""
    if article:
        start = _clean(article.get("summary"), 80)
        if start:
            return f"(no title) {start}"
        if article.get("url"):
            return f"(no title) {_clean(article['url'], 80)}"
    return "(no title, no text)"


def _list_headline(store: WebReads, story: Mapping[str, Any]) -> str:
    if story["headline"].strip():
        return _clean(story["headline"])
    articles = store.web_story_articles(int(story["id"]))
    chosen = next((a for a in articles if a["id"] == story.get("headline_article_id")), None)
    return _untitled(chosen or (articles[0] if articles else None))


def format_stories(
    store: StoryReads,
    *,
    since: datetime | None = None,
    language: str | None = None,
    country: str | None = None,
    as_json: bool = False,
    limit: int = 30,
    timezone: str = "UTC",
    now: datetime | None = None,
) -> str:
    """`monitor stories`: the ranked stories since `since` (default: the last 24 hours, or
    when they hold nothing, the 24 hours up to the newest article: the latest news there is);
    with `country`, those about it."""
    until = now or datetime.now(UTC)
    note = ""
    if since is None:
        newest = parse_iso(store.web_latest_published(language=language))
        since, until = latest_bounds(until, newest)
        if newest is not None and until < (now or datetime.now(UTC)):
            note = (
                f"nothing published in the last 24 hours; the 24 hours to the newest article, "
                f"{local_time(newest, ZoneInfo(timezone))}:"
            )
    ranked = rank_stories(store, since=since, until=until, language=language, country=country, limit=limit)
    if as_json:
        return json_text(ranked, indent=2)
    zone = ZoneInfo(timezone)
    if not ranked:
        where = f" with an article in {language}" if language else ""
        where += f" about {country} ({country_name(country)})" if country else ""
        return (
            f"no stories{where} since {local_time(since, zone)}; "
            "an earlier --since (7d, 2024-03-01) shows more"
        )
    lines = [note] if note else []
    for n, story in enumerate(ranked, 1):
        languages = ",".join(_clean(x, 20) for x in story["languages"]) or "?"
        people = [n["name"] for n in story_people(store, int(story["id"]))]
        entities = [_clean(e, 40) for e in (people or story["entities"])[:_LISTED_NAMES]]
        mark = "BREAKING " if story.get("breaking_at") else ""
        lines.append(
            f"{n:>3}. [{story['id']}] {mark}{_list_headline(store, story)}\n"
            f"     {_count(story['outlets'], 'outlet')}, {_count(story['articles'], 'article')}, "
            f"{languages}; "
            + (f"{' '.join(story['countries'])}; " if story["countries"] else "")
            + f"{_local(story['first_published'], zone)} - {_local(story['last_published'], zone)}"
            + (f"; {', '.join(entities)}" if entities else "")
        )
    return "\n".join(lines)


def _gap(hours: float | None) -> str:
    return "?" if hours is None else duration(hours)


def _why(item: Mapping[str, Any], first_in_language: bool) -> str:
    """Why an article is in its story, in words."""
    why = item["why"]
    merged = why.get("merged_from")
    came = f"came with story {merged} when it merged into this one; " if merged else ""
    if why["similarity"] is None:
        return came + (_clean(why["reason"], None) or "opened the story")
    shared = why["shared_keys"] or 0
    parts = [f"similarity {why['similarity']:.2f}"]
    if why["score"] is not None and abs(why["score"] - why["similarity"]) >= 0.005:
        bonuses = [_shared(shared)] if shared else []
        if first_in_language:
            bonuses.append("first article in its language")
        parts.append(f"score {why['score']:.2f} with " + (" and ".join(bonuses) or "bonuses"))
    else:
        parts.append(_shared(shared))
    parts.append(f"gap {_gap(why['gap_hours'])}")
    carried = across_languages(why.get("reason"))
    if carried:
        parts.append(f"across languages by {carried}")
    return came + "joined: " + ", ".join(parts)


def format_story(store: StoryReads, story_id: int, *, as_json: bool = False, timezone: str = "UTC") -> str:
    """`monitor story ID`: the story's articles by language, with outlet, time and why each
    joined. Raises StoryNotFoundError."""
    detail = story_detail(store, story_id)
    if as_json:
        return json_text(detail, indent=2)
    zone = ZoneInfo(timezone)
    items = detail["items"]
    headline = _clean(detail["headline"])
    if not headline:
        chosen = next((i for i in items if i["id"] == detail["headline_article_id"]), None)
        headline = _untitled(chosen or (items[0] if items else None))
    head = [f"story {detail['id']}: {headline}"]
    if detail["asked_for"] != detail["id"]:
        head.append(f"  (story {detail['asked_for']} was merged into it)")
    head.append(
        f"  {_count(detail['outlets'], 'outlet')}, {_count(detail['articles'], 'article')}, "
        f"languages {', '.join(_clean(x, 20) for x in detail['languages']) or '?'}; "
        f"{_local(detail['first_published'], zone)} - {_local(detail['last_published'], zone)}"
    )
    if detail["countries"]:
        head.append(f"  countries: {', '.join(f'{c} ({country_name(c)})' for c in detail['countries'])}")
    if detail.get("breaking_at"):
        since, why = _local(detail["breaking_at"], zone), breaking_note(detail.get("breaking_why"))
        head.append(f"  BREAKING since {since}: {why}")
    people = [
        _clean(n["name"], 40)
        + (f" ({', '.join(_clean(v, 40) for v in n['variants'][:_SPELLINGS])}"
           + (", …)" if len(n["variants"]) > _SPELLINGS else ")") if n["variants"] else "")
        for n in story_people(store, detail["id"])
    ]
    if people:
        head.append(f"  people and organisations: {', '.join(people)}")
    if detail["entities"]:
        head.append(f"  key names: {', '.join(_clean(e, 40) for e in detail['entities'])}")
    head.extend(_thread_lines(detail.get("thread"), zone))
    by_language: dict[str, list[dict[str, Any]]] = defaultdict(list)
    seen_languages: set[str | None] = set()
    first_in_language: set[int] = set()
    for item in items:  # oldest first, the order in which they joined
        if item["language"] not in seen_languages and seen_languages:
            first_in_language.add(item["id"])
        seen_languages.add(item["language"])
        by_language[_clean(item["language"], 20) or "?"].append(item)
    lines = head
    estimated = False
    for language in sorted(by_language):
        lines.append(f"\n[{language}]")
        for item in by_language[language]:
            copy = f" (copy of #{item['duplicate_of']})" if item["duplicate_of"] else ""
            when = _local(item["published"], zone)
            if item["published_estimated"]:
                when, estimated = "~" + when, True
            title = _clean(item["title"]) or _untitled(item)
            lines.append(
                f"  #{item['id']}  {when}  {_clean(item['outlet'], 80)}: {title}{copy}\n"
                f"      {_why(item, item['id'] in first_in_language)}"
            )
    if estimated:
        lines.append("\n~ the feed gave no usable date: the time it was first seen")
    return "\n".join(lines)


def _thread_story_line(story: Mapping[str, Any], zone: ZoneInfo) -> str:
    languages = ",".join(_clean(x, 20) for x in story["languages"]) or "?"
    return (
        f"[{story['id']}] {_local(story['first_published'], zone)}  {_clean(story['headline'], 120)}"
        f" ({_count(story['articles'], 'article')}, {languages})"
    )


def _thread_lines(thread: Mapping[str, Any] | None, zone: ZoneInfo) -> list[str]:
    """A story's thread in `monitor story`: the stories before and after it."""
    if not thread:
        return []
    lines = [f"  thread {thread['id']} (monitor thread {thread['id']}):"]
    lines += [f"    before: {_thread_story_line(s, zone)}" for s in thread["earlier"]]
    lines += [f"    after:  {_thread_story_line(s, zone)}" for s in thread["later"]]
    return lines


def _stories(n: int) -> str:
    return "1 story" if n == 1 else f"{n} stories"


def _thread_text(thread: Mapping[str, Any], zone: ZoneInfo) -> str:
    stories = thread["stories"]
    head = (
        f"thread {thread['id']}: {_stories(len(stories))}, {_count(thread['articles'], 'article')}, "
        f"{','.join(_clean(x, 20) for x in thread['languages']) or '?'}; "
        f"{_local(thread['first_published'], zone)} - {_local(thread['last_published'], zone)}"
    )
    return "\n".join([head, *(f"  {_thread_story_line(s, zone)}" for s in stories)])


def format_thread(store: WebReads, thread_id: int, *, as_json: bool = False, timezone: str = "UTC") -> str:
    """`monitor thread ID`: the thread's stories over time; given a story's id, that story's
    thread. Raises ThreadNotFoundError."""
    detail = thread_named(store, thread_id)
    if as_json:
        return json_text(detail, indent=2)
    text = _thread_text(detail, ZoneInfo(timezone))
    if "story" in detail:
        return f"story {detail['story']} is in thread {detail['id']}:\n{text}"
    return text


def format_threads(
    store: WebReads,
    *,
    since: datetime | None = None,
    as_json: bool = False,
    limit: int = 30,
    timezone: str = "UTC",
    now: datetime | None = None,
) -> str:
    """`monitor stories --threads`: threads active since `since` (default: the last 7 days)."""
    until = now or datetime.now(UTC)
    since = since or until - timedelta(days=7)
    threads = rank_threads(store, since=since, until=until, limit=limit)
    if as_json:
        return json_text(threads, indent=2)
    zone = ZoneInfo(timezone)
    if not threads:
        return (
            f"no threads since {local_time(since, zone)}; "
            "an earlier --since (30d, 2024-03-01) shows more"
        )
    return "\n\n".join(_thread_text(thread, zone) for thread in threads)


def format_trends(
    store: WebReads,
    *,
    as_json: bool = False,
    limit: int = 20,
    timezone: str = "UTC",
    country: str | None = None,
) -> str:
    """`monitor trends`: the rising names, countries and places, best first, with their counts
    now and before; with `country`, the names and places of the stories about it."""
    found = rising_now(store, datetime.now(UTC), limit=limit, country=country)
    if as_json:
        return json_text(found, indent=2)
    zone = ZoneInfo(timezone)
    about = f" of stories about {country} ({country_name(country)})" if country else ""
    head = f"rising names{about}, 48 hours to {_local(found['at'], zone)} against the 14 days before:"
    lines = _ranked_lines(head, "name", found["names"], lambda item: _clean(item["name"], 60))
    if not country:
        lines += _ranked_lines(
            "rising countries (where the places of a story's articles lie):",
            "country",
            found["countries"],
            lambda item: f"{_clean(item['name'], 60)} ({item['code']})",
        )
    places_head = f"rising places{about}:" if country else "rising places (cities, regions):"
    return "\n".join([*lines, *_ranked_lines(places_head, "place", found["places"], _place_label)])


def _ranked_lines(
    head: str, kind: str, items: Sequence[dict[str, Any]], label: Callable[[dict[str, Any]], str]
) -> list[str]:
    """A heading, then one line per rising item, best first: its label, its stories now and
    before, its score (or why there is none)."""
    lines = [head]
    if not items:
        lines.append(f"  none (a {kind} needs 3 stories in the last 48 hours, and more than before)")
    for n, item in enumerate(items, 1):
        lines.append(
            f"{n:>3}. {label(item)}  {_count(item['recent'], 'story')} "
            f"(before: {item['before']}, expected {item['expected']:.1f}), score {item['score']:.1f}"
        )
    return lines


def _place_label(item: dict[str, Any]) -> str:
    where = f", {item['country']}" if item["country"] else ""
    return f"{_clean(item['name'], 60)}{where}"
