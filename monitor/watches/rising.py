"""Rising names: the names of the last 48 hours' stories against those of the 14 days before.

A name counts once per story (a flood of copies is one story), in the window of the story's
first report. Its score compares the stories naming it now with what the 14 days before
predict for as many stories, with a pseudo-count so that a name seen twice cannot outrank one
seen twenty times. No I/O here: `rising_names` takes the stories as plain data.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

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


def window_bounds(now: datetime) -> tuple[datetime, datetime, datetime]:
    """(start of the 14 days before, start of the last 48 hours, end)."""
    return now - RECENT - BEFORE, now - RECENT, now


def rising_names(
    stories: Iterable[tuple[datetime, Sequence[str]]],
    now: datetime,
    params: RisingParams | None = None,
    limit: int = 20,
) -> list[RisingName]:
    """The names rising at `now`, best first, from (first report, names) per story."""
    params = params or RisingParams()
    since, recent_start, end = window_bounds(now)
    recent: Counter[str] = Counter()
    before: Counter[str] = Counter()
    spelling: Counter[tuple[str, str]] = Counter()
    n_recent = n_before = 0
    for first, names in stories:
        if not since <= first < end:
            continue
        keys: dict[str, str] = {}
        for name in names:  # a number ("2024", "15") names no one
            if any(c.isalpha() for c in name):
                keys.setdefault(name.casefold(), name)
        counter = recent if first >= recent_start else before
        counter.update(keys.keys())
        if first >= recent_start:
            n_recent += 1
            spelling.update(keys.items())
        else:
            n_before += 1
    if not n_recent:
        return []
    # The 14 days before, scaled to the last 48 hours' number of stories (a busier day does not
    # make every name rise); with no history at all, nothing is expected.
    scale = n_recent / n_before if n_before else 0.0
    best_spelling: dict[str, tuple[int, str]] = {}
    for (key, name), n in spelling.items():
        if key not in best_spelling or n > best_spelling[key][0]:
            best_spelling[key] = (n, name)
    found = []
    for key, count in recent.items():
        if count < params.min_stories:
            continue
        expected = before[key] * scale
        score = (count - expected) / math.sqrt(expected + params.pseudo_count)
        if score >= params.min_score:
            found.append(
                RisingName(best_spelling[key][1], count, before[key], round(expected, 2), round(score, 2))
            )
    found.sort(key=lambda r: (-r.score, -r.recent, r.name))
    return found[:limit]
