"""Rising names, countries and places: the names (and the countries and places of the places
named) of the last 48 hours' stories against those of the 14 days before.

A name counts once per story (a flood of copies is one story), in the window of the story's
first report. Its score compares the stories naming it now with what the 14 days before
predict for as many stories, with a pseudo-count so that a name seen twice cannot outrank one
seen twenty times. No I/O here: `rising_names` takes the stories as plain data.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

_LETTER = re.compile(r"[^\W\d_]")  # a letter (of any script): a number names no one
RECENT = timedelta(hours=48)
BEFORE = timedelta(days=14)


@dataclass(frozen=True)
class RisingParams:
    min_stories: int = 3
    """The floor: a name in fewer stories of the last 48 hours is never rising."""
    pseudo_count: float = 4.0
    """Added to the expected count under the square root: small counts score low."""
    min_score: float = 1.0


@dataclass(frozen=True)
class RisingName:
    name: str
    recent: int
    """Stories first reported in the last 48 hours that name it."""
    before: int
    """Stories of the 14 days before that name it."""
    expected: float
    """What `before` predicts for the last 48 hours, given how many stories each window holds."""
    score: float
    key: str = ""
    """A recognised name's key (monitor.entities.names) when `name` is its display spelling."""


def window_bounds(now: datetime) -> tuple[datetime, datetime, datetime]:
    """(start of the 14 days before, start of the last 48 hours, end)."""
    return now - RECENT - BEFORE, now - RECENT, now


@dataclass(frozen=True)
class NameCounts:
    """How many stories named each name (as spelled) in each window, and how many stories
    each window holds."""

    recent: Mapping[str, int]
    before: Mapping[str, int]
    n_recent: int
    n_before: int


def count_names(stories: Iterable[tuple[datetime, Sequence[str]]], now: datetime) -> NameCounts:
    """The counts of (first report, names) per story, in the windows ending at `now` (the
    store does the same in SQL: `web_story_name_counts`)."""
    since, recent_start, end = window_bounds(now)
    recent: Counter[str] = Counter()
    before: Counter[str] = Counter()
    n_recent = n_before = 0
    for first, names in stories:
        if not since <= first < end:
            continue
        once: dict[str, str] = {}  # one spelling of a name per story, as the stage keeps them
        for name in names:
            once.setdefault(name.casefold(), name)
        if first >= recent_start:
            recent.update(once.values())
            n_recent += 1
        else:
            before.update(once.values())
            n_before += 1
    return NameCounts(recent, before, n_recent, n_before)


def window_scale(n_recent: int, n_before: int) -> float:
    """How many of the recent window's stories one story of the window before stands for: the
    window before scaled to the recent one's number of stories (a busier day does not make
    every name rise); with no history at all, nothing is expected."""
    return n_recent / n_before if n_before else 0.0


def rising_score(recent: int, before: int, scale: float, params: RisingParams) -> float:
    """A name's score: its recent stories less what the window before predicts, over the
    square root of that prediction plus the pseudo-count. Grows with `recent`, falls with
    `before`."""
    expected = before * scale
    return (recent - expected) / math.sqrt(expected + params.pseudo_count)


def score_rising(
    counts: NameCounts, params: RisingParams | None = None, limit: int = 20, *, words: bool = True
) -> list[RisingName]:
    """The rising names, best first. Spellings that differ only in case are one name (shown
    as its most used spelling of the last 48 hours); a number names no one (unless `words`
    is False: the terms are ids, such as places' GeoNames ids)."""
    params = params or RisingParams()
    if not counts.n_recent:
        return []
    recent: Counter[str] = Counter()
    before: Counter[str] = Counter()
    spelling: dict[str, tuple[int, str]] = {}
    for name, n in counts.recent.items():
        if not words or _LETTER.search(name):
            key = name.casefold()
            recent[key] += n
            best = spelling.get(key)
            if best is None or n > best[0] or (n == best[0] and name < best[1]):
                spelling[key] = (n, name)
    for name, n in counts.before.items():
        before[name.casefold()] += n
    scale = window_scale(counts.n_recent, counts.n_before)
    found = []
    for key, count in recent.items():
        if count < params.min_stories:
            continue
        expected = before[key] * scale
        score = rising_score(count, before[key], scale, params)
        if score >= params.min_score:
            found.append(
                RisingName(spelling[key][1], count, before[key], round(expected, 2), round(score, 2))
            )
    found.sort(key=lambda r: (-r.score, -r.recent, r.name))
    return found[:limit]


def rising_names(
    stories: Iterable[tuple[datetime, Sequence[str]]],
    now: datetime,
    params: RisingParams | None = None,
    limit: int = 20,
) -> list[RisingName]:
    """The names rising at `now`, best first, from (first report, names) per story."""
    return score_rising(count_names(stories, now), params, limit)

