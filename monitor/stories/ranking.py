"""Which stories come first: one ranking, with no I/O, for `monitor stories`, the home page,
`/api/stories` and the Atom feed of top stories (monitor.stories.records reads the figures).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any


def growth(published: Iterable[datetime], since: datetime, until: datetime) -> float:
    """1 + how recent a story's articles of the window [since, until) are on average: 0 at
    the window's start, 1 at its end (1.0 for none)."""
    span = max(1.0, (until - since).total_seconds())
    shares = [min(1.0, max(0.0, (when - since).total_seconds() / span)) for when in published]
    return 1 + (sum(shares) / len(shares) if shares else 0.0)


def rank_score(outlets: int, languages: int, recent: float) -> float:
    """Outlets x languages x growth. A story whose articles are all copies (of articles in
    other stories) is still one outlet; an unknown language (emoji, a script the detector
    lacks) does not make it count as none."""
    return max(1, outlets) * max(1, languages) * recent


def rank_window(
    hits: Sequence[Mapping[str, Any]],
    published: Mapping[int, Sequence[datetime]],
    since: datetime,
    until: datetime,
) -> list[dict[str, Any]]:
    """The stories of a window, best first. `hits`: one row per story with articles in the
    window (story_id, day_outlets, day_languages, day_articles, day_last: that window's
    figures); `published`: story id -> its articles' publication times in the window.

    Ranked by `rank_score`, so that a story still growing ranks above one as wide that has
    gone quiet; ties go to more articles, then the latest article, then the newest story.
    Each row comes back with its `rank_score`."""
    scored = [
        {
            **hit,
            "rank_score": rank_score(
                int(hit["day_outlets"] or 0),
                int(hit["day_languages"] or 0),
                growth(published.get(int(hit["story_id"]), ()), since, until),
            ),
        }
        for hit in hits
    ]
    # Two stable sorts: the tie-breakers, then the rank (rounded: two stories whose articles
    # are as recent on average tie, whatever the order the floats were summed in).
    scored.sort(key=lambda h: (h["day_last"] or "", h["story_id"]), reverse=True)
    scored.sort(key=lambda h: (-round(h["rank_score"], 9), -(h["day_articles"] or 0)))
    return scored
