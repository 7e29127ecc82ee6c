"""Countries: ISO 3166-1 alpha-2 codes as users write them, a story's countries from its
articles' places, and the countries in the news now against their week. Pure: plain data in.

A story's countries: the countries named by at least a third of the outlets whose articles in
the story name any place (an outlet counts once, however many copies it ran), most outlets
first, at most five. A passing mention by one outlet of a story that ten outlets covered is
not what the story is about; a story of one article is about every country it names.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

from babel import Locale

from monitor.watches.rising import RisingParams, rising_score, window_scale

COUNTRY_SHARE = 1 / 3
"""A country is a story's when at least this share of its placed outlets name it."""
MAX_STORY_COUNTRIES = 5

RECENT = timedelta(hours=24)
WEEK = timedelta(days=7)


class CountryCodeError(ValueError):
    """A country code that is not ISO 3166-1 alpha-2; the message names the value."""


@cache
def country_names() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> the country's English name as people write it: the CLDR's
    (Babel: Russia, South Korea, Iran), else pycountry's common or official short name
    (its database read as data: no gettext catalogue is loaded)."""
    path = resources.files("pycountry").joinpath("databases", "iso3166-1.json")
    entries = json.loads(path.read_text(encoding="utf-8"))["3166-1"]
    written = Locale("en").territories
    return {e["alpha_2"]: written.get(e["alpha_2"]) or e.get("common_name") or e["name"] for e in entries}


def country_name(code: str) -> str:
    return country_names().get(code.upper(), code.upper())


def country_code(text: str) -> str:
    """`text` as an upper-case ISO 3166-1 alpha-2 code (any case, spaces trimmed); raises
    CountryCodeError naming the value otherwise."""
    code = str(text).strip().upper()
    if len(code) == 2 and code in country_names():
        return code
    shown = str(text)[:40]
    hint = ""
    for alpha2, name in country_names().items():  # "ukraine" -> UA: say the code
        if code.casefold() == name.casefold():
            hint = f" ({name} is {alpha2})"
            break
    raise CountryCodeError(f"bad country {shown!r}: use an ISO 3166-1 alpha-2 code, like UA or PL{hint}")


def country_codes(values: Iterable[str]) -> tuple[str, ...]:
    """Each value as a code (see `country_code`), in order, once each."""
    return tuple(dict.fromkeys(country_code(v) for v in values))


def story_countries(mentions: Iterable[tuple[int, str]]) -> list[str]:
    """One story's countries from (outlet, country) of every place its articles name:
    named by at least COUNTRY_SHARE of the outlets that name a place, most outlets first
    (then the code, for a stable order), at most MAX_STORY_COUNTRIES."""
    outlets_of: dict[str, set[int]] = defaultdict(set)
    placed: set[int] = set()
    for outlet, country in mentions:
        if country:
            outlets_of[country].add(outlet)
            placed.add(outlet)
    if not placed:
        return []
    floor = COUNTRY_SHARE * len(placed)
    kept = [(len(outlets), c) for c, outlets in outlets_of.items() if len(outlets) >= floor - 1e-9]
    kept.sort(key=lambda pair: (-pair[0], pair[1]))
    return [country for _, country in kept[:MAX_STORY_COUNTRIES]]


def countries_by_story(rows: Iterable[Mapping[str, Any]]) -> dict[int, list[str]]:
    """Each story's countries from store rows (story_id, feed_id, country), as `story_countries`."""
    mentions: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for row in rows:
        mentions[int(row["story_id"])].append((int(row["feed_id"]), str(row["country"])))
    return {story_id: story_countries(found) for story_id, found in mentions.items()}


def articles_countries(places_json: str | None) -> frozenset[str]:
    """The countries of an article's stored places (the JSON list of the places stage);
    none when unread or unreadable."""
    try:
        places = json.loads(places_json or "[]")
    except ValueError:
        return frozenset()
    if not isinstance(places, list):
        return frozenset()
    return frozenset(str(p["country"]) for p in places if isinstance(p, dict) and p.get("country"))


# --- the countries in the news: the last 24 hours against the week ------------------------


@dataclass(frozen=True)
class CountryNews:
    country: str
    name: str
    recent: int
    """Stories of the last 24 hours about it (with an article published then)."""
    week: int
    """Stories of the 7 days up to now about it (the last 24 hours included)."""
    expected: float
    """What the 6 days before predict for the last 24 hours, given how many stories each holds."""
    score: float
    rising: bool


def window_bounds(at: datetime) -> tuple[datetime, datetime, datetime]:
    """(start of the week, start of the last 24 hours, end)."""
    return at - WEEK, at - RECENT, at


def country_news(
    stories: Sequence[tuple[datetime, Sequence[str]]],
    at: datetime,
    params: RisingParams | None = None,
) -> list[CountryNews]:
    """Every country of the week's stories, from (latest article in the week, countries) per
    story: the most rising first (a score as `monitor.watches.rising`'s: the count now against
    what the days before predict, with a pseudo-count so that a small count cannot win), then
    by stories now and in the week."""
    params = params or RisingParams()
    since, recent_start, end = window_bounds(at)
    recent: Counter[str] = Counter()
    before: Counter[str] = Counter()
    n_recent = n_before = 0
    for last, countries in stories:
        if not since <= last < end:
            continue
        if last >= recent_start:
            recent.update(set(countries))
            n_recent += 1
        else:
            before.update(set(countries))
            n_before += 1
    # The days before scaled to the last 24 hours' number of stories: a busier day does not
    # make every country rise; with no history, nothing is expected.
    scale = window_scale(n_recent, n_before)
    found = []
    for country in {*recent, *before}:
        expected = before[country] * scale
        score = rising_score(recent[country], before[country], scale, params)
        found.append(
            CountryNews(
                country=country,
                name=country_name(country),
                recent=recent[country],
                week=recent[country] + before[country],
                expected=round(expected, 2),
                score=round(score, 2),
                rising=recent[country] >= params.min_stories and score >= params.min_score,
            )
        )
    found.sort(key=lambda c: (-c.score, -c.recent, -c.week, c.country))
    return found
