"""Deciding the digest, with no I/O: when a day's digest is due, which stories it holds and in
what order, which headline each recipient reads, how long to wait before a retry.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from monitor.deliver.alertplan import StorySize, alert_reason, languages_of, why_text
from monitor.deliver.settings import DigestConfig, Recipient
from monitor.entities.countries import articles_countries, story_countries
from monitor.ingest.parse import html_to_text
from monitor.outlets import outlet_name
from monitor.timeutil import day_bounds, parse_iso

RETRY_FIRST = timedelta(minutes=1)


RETRY_MAX = timedelta(hours=1)


GIVE_UP_AFTER = timedelta(hours=24)  # after the due time: the next day's digest takes over


LEAD_CHARS = 280


def due_at(day: date, cfg: DigestConfig) -> datetime:
    """The UTC time the digest of `day` (a date in the digest's zone) is due: `time` on the
    next day, once the day is over."""
    return datetime.combine(day + timedelta(days=1), cfg.send_time, tzinfo=cfg.zone).astimezone(UTC)


def digest_window(day: date, cfg: DigestConfig) -> tuple[datetime, datetime]:
    """What a day's digest covers: that calendar day in the digest's zone, the same day a
    web page of that date shows (timeutil.day_bounds)."""
    return day_bounds(day, cfg.zone)


def due_day(now: datetime, cfg: DigestConfig) -> date | None:
    """The day whose digest is due at `now`: yesterday (in the digest's zone) once `time` has
    come today."""
    yesterday = now.astimezone(cfg.zone).date() - timedelta(days=1)
    return yesterday if now >= due_at(yesterday, cfg) else None


def retry_delay(attempts: int) -> timedelta:
    """Backoff after `attempts` failed tries: 1 min, 2, 4, ... at most an hour."""
    delay = RETRY_FIRST * (1 << max(0, min(attempts - 1, 16)))
    return min(delay, RETRY_MAX)


@dataclass(frozen=True)
class ArticleRow:
    """One article of a story, with what the digest needs of its feed."""

    id: int
    story_id: int
    title: str
    text: str
    url: str | None
    language: str | None
    published: datetime
    duplicate_of: int | None
    feed_id: int
    outlet: str  # the outlet's display name
    feed_tags: tuple[str, ...] = ()
    countries: frozenset[str] = frozenset()  # of the places it names


@dataclass(frozen=True)
class StoryRow:
    id: int
    headline_article_id: int | None
    first_seen: datetime | None
    thread_id: int | None = None


@dataclass(frozen=True)
class Link:
    title: str
    outlet: str
    url: str | None  # only http(s); None when the article had no usable link
    published: datetime
    copies: tuple[str, ...] = ()  # outlets that ran the same copy


@dataclass(frozen=True)
class StoryView:
    """One story as a digest shows it."""

    id: int
    score: float
    headline: str
    headline_language: str | None
    lead: str
    languages: tuple[str, ...]
    outlets: int
    articles: int
    new_articles: int
    first_outlet: str
    first_published: datetime
    links: tuple[tuple[str, tuple[Link, ...]], ...]  # (language, links), biggest first
    continued: bool = False
    new_since: str = ""  # what is new since yesterday's digest, for a continuing story
    follow_up_of: str = ""  # the headline of an earlier story of its thread the reader already got
    other_versions: int = 0  # versions left out ("+N more"): all but one, unless versions: all
    other_languages: tuple[str, ...] = ()  # their languages: the reader's first, then most covered
    countries: tuple[str, ...] = ()  # what it is about (ISO alpha-2), most covered first, as on its page


@dataclass(frozen=True)
class DayFigures:
    feeds_polled: int = 0
    articles: int = 0
    stories: int = 0
    failing_feeds: int = 0


@dataclass(frozen=True)
class Digest:
    day: date
    start: datetime
    end: datetime
    timezone: str
    recipient: Recipient | None
    stories: tuple[StoryView, ...]
    figures: DayFigures
    candidates: int  # stories of the day before the cut to max_stories
    until: datetime | None = None  # before `end` when the day is not over yet: the day so far
    watches: tuple[WatchSection, ...] = ()  # the reader's daily watches: their matching stories
    rising: tuple[tuple[str, int, int], ...] = ()  # rising names at the day's end: (name, stories, before)
    rising_countries: tuple[tuple[str, int, int], ...] = ()  # the same of countries (by name)


@dataclass(frozen=True)
class WatchStory:
    """A story in a watch's section of the digest: what matched that day, and why."""

    id: int
    headline: str
    headline_language: str | None
    outlets: int
    languages: tuple[str, ...]
    reason: str  # 'new', or how it grew since a digest last showed it: 'new language', 'outlets doubled'
    why: str  # the terms, names and similarity of the day's matching articles, in words
    matched: int  # the day's matching articles
    links: tuple[tuple[str, Link], ...]  # (language, link) of the first matching articles
    countries: tuple[str, ...] = ()  # what it is about (ISO alpha-2), most covered first, as on its page


@dataclass(frozen=True)
class WatchSection:
    """One daily watch in one reader's digest."""

    name: str
    watch_id: int
    stories: tuple[WatchStory, ...]
    more: int = 0  # matching stories left out (beyond max_stories)


def plain(text: str | None) -> str:
    """A feed string as one line of plain text (tags and scripts dropped, entities decoded)."""
    return " ".join(html_to_text(text or "").split())


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s) with a host, else None: no javascript:, data: or relative links."""
    if not url:
        return None
    url = url.strip()
    if any(ord(c) < 32 or c in "\"'<> \\`" for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def lead_of(text: str, limit: int = LEAD_CHARS) -> str:
    """About two lines from the start of an article: whole sentences when they fit."""
    text = plain(text)
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "), cut.rfind("。"))
    if end >= limit // 3:
        return cut[: end + 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip(" ,;:") + "…"


def story_score(outlets: int, languages: int, new_articles: int, total_articles: int) -> float:
    """Rank: distinct outlets weigh most, then languages, then growth within the day."""
    growth = new_articles / total_articles if total_articles else 0.0
    return 3.0 * outlets + 2.0 * languages + math.log2(1 + new_articles) + growth


def _root(article: ArticleRow, by_id: Mapping[int, ArticleRow]) -> ArticleRow:
    """The original of a wire copy (following duplicate_of within the story)."""
    seen = {article.id}
    while (
        article.duplicate_of is not None
        and article.duplicate_of in by_id
        and article.duplicate_of not in seen
    ):
        article = by_id[article.duplicate_of]
        seen.add(article.id)
    return article


def pick_headline(story: StoryRow, articles: Sequence[ArticleRow], languages: Sequence[str]) -> ArticleRow:
    """The article whose title heads the story for a reader of `languages` (in order).

    In a preferred language: the central article (headline_article_id) when it is in that
    language, else the earliest in it. With none: the central article, else the earliest.
    """
    by_id = {a.id: a for a in articles}
    central = by_id.get(story.headline_article_id) if story.headline_article_id is not None else None
    ordered = sorted(articles, key=lambda a: (a.published, a.id))
    for language in languages:
        if central is not None and central.language == language and central.title.strip():
            return central
        in_language = [a for a in ordered if a.language == language and plain(a.title)]
        if in_language:
            originals = [a for a in in_language if a.duplicate_of is None]
            return (originals or in_language)[0]
    if central is not None:
        return central
    titled = [a for a in ordered if plain(a.title)]
    return (titled or ordered)[0]


def build_story(
    story: StoryRow,
    articles: Sequence[ArticleRow],
    start: datetime,
    languages: Sequence[str],
    previous: bool,
    all_versions: bool = False,
) -> StoryView:
    """One story's view for the window starting at `start` (articles are those before its end).

    Its links are the versions in the reader's `languages`; the others are only counted,
    unless `all_versions`."""
    by_id = {a.id: a for a in articles}
    ordered = sorted(articles, key=lambda a: (a.published, a.id))
    roots = [a for a in ordered if _root(a, by_id).id == a.id]
    outlets = {a.outlet for a in roots}
    langs = Counter(a.language or "und" for a in ordered)
    new = [a for a in ordered if a.published >= start]
    headline = pick_headline(story, ordered, languages)
    first = roots[0] if roots else ordered[0]
    copies: dict[int, list[str]] = defaultdict(list)
    for a in ordered:
        root = _root(a, by_id)
        if root.id != a.id and a.outlet != root.outlet and a.outlet not in copies[root.id]:
            copies[root.id].append(a.outlet)
    grouped: dict[str, list[Link]] = defaultdict(list)
    for a in roots:
        grouped[a.language or "und"].append(
            Link(
                title=plain(a.title) or "(untitled)",
                outlet=a.outlet,
                url=safe_url(a.url),
                published=a.published,
                copies=tuple(copies[a.id]),
            )
        )
    preferred = {lang: i for i, lang in enumerate(languages)}
    links = tuple(
        (lang, tuple(items))
        for lang, items in sorted(
            grouped.items(), key=lambda kv: (preferred.get(kv[0], len(preferred)), -len(kv[1]), kv[0])
        )
    )
    links, others = split_versions(links, languages, headline.language or "und", all_versions)
    if not all_versions:
        links, more = one_link(links, safe_url(headline.url), headline.outlet)
        others = more + others
    new_since = ""
    if previous:
        before = [a for a in roots if a.published < start]
        new_outlets = sorted({a.outlet for a in roots if a.published >= start} - {a.outlet for a in before})
        new_langs = sorted({a.language or "und" for a in new} - {a.language or "und" for a in before})
        parts = [f"{len(new)} new article{'s' if len(new) != 1 else ''}"]
        if new_outlets:
            parts.append("new outlets: " + ", ".join(new_outlets))
        if new_langs:
            parts.append("new languages: " + ", ".join(new_langs))
        new_since = "; ".join(parts)
    return StoryView(
        id=story.id,
        score=story_score(len(outlets), len(langs), len(new), len(ordered)),
        headline=plain(headline.title) or "(untitled)",
        headline_language=headline.language,
        lead=lead_of(headline.text),
        languages=tuple(lang for lang, _ in langs.most_common()),
        outlets=len(outlets),
        articles=len(ordered),
        new_articles=len(new),
        first_outlet=first.outlet,
        first_published=first.published,
        links=links,
        continued=previous,
        new_since=new_since,
        other_versions=sum(len(items) for _, items in others),
        other_languages=tuple(lang for lang, _ in others),
        countries=tuple(story_countries((a.feed_id, c) for a in ordered for c in sorted(a.countries))),
    )


LinkGroups = tuple[tuple[str, tuple[Link, ...]], ...]


def one_link(
    links: LinkGroups, headline_url: str | None, headline_outlet: str
) -> tuple[LinkGroups, LinkGroups]:
    """(the one link a story shows, the rest, only counted as "+N more"): the headline's own
    version when it is among `links`, else the first one with an address, else the first."""
    flat = [(lang, link) for lang, items in links for link in items]
    if not flat:
        return links, ()
    chosen = next(
        (
            item
            for item in flat
            if headline_url is not None and item[1].url == headline_url and item[1].outlet == headline_outlet
        ),
        next((item for item in flat if item[1].url is not None), flat[0]),
    )
    rest = tuple(
        (lang, kept)
        for lang, items in links
        if (kept := tuple(link for link in items if link is not chosen[1]))
    )
    return ((chosen[0], (chosen[1],)),), rest


def split_versions(
    links: LinkGroups, languages: Sequence[str], headline_language: str, all_versions: bool
) -> tuple[LinkGroups, LinkGroups]:
    """(the link groups shown, the groups only counted): the reader's languages are shown;
    when the story has none of them, the headline's language is. A reader with no languages,
    or `all_versions`, sees every group."""
    if all_versions or not languages:
        return links, ()
    wanted = set(languages) if any(lang in languages for lang, _ in links) else {headline_language}
    shown = tuple(group for group in links if group[0] in wanted)
    if not shown:  # no link in the headline's language either (an untitled one): show them all
        return links, ()
    return shown, tuple(group for group in links if group[0] not in wanted)


def select_stories(
    stories: Sequence[StoryRow],
    articles: Sequence[ArticleRow],
    start: datetime,
    end: datetime,
    recipient: Recipient | None,
    previous_ids: frozenset[int],
    max_stories: int,
    default_languages: Sequence[str] = (),
    all_versions: bool = False,
) -> tuple[list[StoryView], int]:
    """The day's top stories for one reader, best first, and how many qualified before the cut.

    A story qualifies when one of its articles was published in [start, end); for a reader
    with tags, when one of its articles comes from a feed with one of those tags; for a
    reader with countries, when it is about one of them (monitor.entities.countries).
    """
    by_story: dict[int, list[ArticleRow]] = defaultdict(list)
    for a in articles:
        if a.published < end:
            by_story[a.story_id].append(a)
    languages = recipient.languages if recipient and recipient.languages else tuple(default_languages)
    tags = set(recipient.tags) if recipient else set()
    countries = set(recipient.countries) if recipient else set()
    views = []
    for story in stories:
        items = by_story.get(story.id)
        if not items or not any(start <= a.published < end for a in items):
            continue
        if tags and not any(tags & set(a.feed_tags) for a in items):
            continue
        if countries and not countries.intersection(
            story_countries((a.feed_id, c) for a in items for c in a.countries)
        ):
            continue
        views.append(build_story(story, items, start, languages, story.id in previous_ids, all_versions))
    views.sort(key=lambda v: (-v.score, -v.new_articles, -v.first_published.timestamp(), v.id))
    return views[:max_stories], len(views)


def _article_row(row: Mapping[str, Any]) -> ArticleRow:
    published = parse_iso(row["published"])
    assert published is not None
    return ArticleRow(
        id=int(row["id"]),
        story_id=int(row["story_id"]),
        title=row["title"] or "",
        text=row["text"] or "",
        url=row["url"] or row["link"],
        language=row["language"],
        published=published,
        duplicate_of=row["duplicate_of"],
        feed_id=int(row["feed_id"]),
        outlet=outlet_name(row["feed_name"], row["feed_title"], row["feed_url"]),
        feed_tags=tuple(str(t) for t in json.loads(row["feed_tags"] or "[]")),
        countries=articles_countries(row.get("places")),
    )


FOLLOW_UP_DAYS = 14
"""A story is marked as a follow-up of a thread's earlier story sent at most this many days before."""


def mark_follow_ups(
    views: Sequence[StoryView], thread_of: Mapping[int, int | None], sent: Mapping[int, Mapping[str, Any]]
) -> list[StoryView]:
    """Mark each story whose thread holds an earlier story the reader already got in a digest
    (`sent`: thread id -> that story's id and title): "follow-up of ..."."""
    marked = []
    for view in views:
        thread = thread_of.get(view.id)
        earlier = sent.get(thread) if thread is not None else None
        if earlier is not None and int(earlier["story_id"]) != view.id and not view.continued:
            view = replace(view, follow_up_of=plain(str(earlier["title"])) or f"story {earlier['story_id']}")
        marked.append(view)
    return marked


WATCH_LINKS = 5  # matching articles listed under each story of a watch's section


@dataclass(frozen=True)
class DailyWatch:
    """What the digest needs of a watch mailed daily to a reader."""

    name: str
    min_outlets: int = 1


def _merge_why(whys: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The reasons of several matching articles as one: every term and name, the best similarity."""
    terms = sorted({str(t) for w in whys for t in w.get("terms") or ()})
    names = sorted({str(n) for w in whys for n in w.get("names") or ()})
    scores = [float(w["similarity"]) for w in whys if w.get("similarity") is not None]
    out: dict[str, Any] = {}
    if terms:
        out["terms"] = terms
    if names:
        out["names"] = names
    if scores:
        out["similarity"] = max(scores)
    return out


def watch_sections(
    watches: Sequence[DailyWatch],
    matches: Sequence[Mapping[str, Any]],
    shown_before: Mapping[tuple[int, int], StorySize],
    max_stories: int,
) -> tuple[WatchSection, ...]:
    """The reader's watch sections of a day's digest, in the order of `watches`.

    `matches`: the day's live matches of these watches (store rows: watch name and id, the
    article, why, its story's size and headline). A story is in a section when one of its
    articles matched that day, its story has the watch's `min_outlets`, and no earlier digest
    of this reader showed it in this watch's section at its present size (`shown_before`:
    (watch id, story id) -> the size then): it is shown again only when it grew materially,
    as an immediate alert is. Most matching articles first, then most outlets."""
    by_watch: dict[str, dict[int, list[Mapping[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    ids: dict[str, int] = {}
    for row in matches:
        key = str(row["watch_name"]).casefold()
        ids[key] = int(row["watch_id"])
        by_watch[key][int(row["story_id"])].append(row)
    sections = []
    for watch in watches:
        key = watch.name.casefold()
        if key not in ids:
            continue
        stories = []
        for story_id, rows in by_watch[key].items():
            first = rows[0]
            outlets = int(first["n_outlets"] or 0)
            if outlets < watch.min_outlets:
                continue
            languages = json.loads(first["story_languages"] or "[]")
            size = StorySize(languages_of(languages), outlets)
            reason = alert_reason(shown_before.get((ids[key], story_id)), size)
            if reason is None:
                continue
            whys = [json.loads(r["why"] or "{}") for r in rows]
            # a wire copy counts once: its original is listed (when it matched too)
            originals = [r for r in rows if r.get("duplicate_of") is None] or rows
            links = []
            for r in originals[:WATCH_LINKS]:
                published = parse_iso(r["published"])
                assert published is not None
                links.append(
                    (
                        r["language"] or "und",
                        Link(
                            title=plain(r["title"]) or "(untitled)",
                            outlet=outlet_name(r["feed_name"], r["feed_title"], r["feed_url"]),
                            url=safe_url(r["url"] or r["link"]),
                            published=published,
                        ),
                    )
                )
            stories.append(
                WatchStory(
                    id=story_id,
                    headline=plain(first["headline"]) or plain(first["title"]) or "(untitled)",
                    headline_language=first["headline_language"] or first["language"],
                    outlets=outlets,
                    languages=tuple(str(lang) for lang in languages if lang),
                    reason=reason,
                    why=why_text(_merge_why(whys)),
                    matched=len({int(r["article_id"]) for r in originals}),
                    links=tuple(links),
                )
            )
        stories.sort(key=lambda s: (-s.matched, -s.outlets, s.links[0][1].published, s.id))
        if stories:
            sections.append(
                WatchSection(
                    name=watch.name,
                    watch_id=ids[key],
                    stories=tuple(stories[:max_stories]),
                    more=max(0, len(stories) - max_stories),
                )
            )
    return tuple(sections)
