"""Who is in the news: the names stage's keys gathered into one entry per person or
organisation, scored for the last 24 hours against the week, and what a name's page shows.
Pure: keys, counts and rows in, decisions out (the store counts, monitor.web.names shows).

The names stage keys each article's entity by its fullest mention there, so one person has
several keys across articles: `vladimir putin`, `putin` (an article that never gives the first
name), `rusian president vladimir putin` (a title in front). `fold_keys` gathers them:

- a key of several words goes to its shortest ending of two words or more that is a key of its
  own (`rusian president vladimir putin` to `vladimir putin`);
- a key of one word goes to the entry of the longer keys that end with it, when one of them
  holds at least two thirds of their articles (`putin` to `vladimir putin`); when none does
  (`clinton`: Bill and Hillary), it stays an entry of its own. So does a word far commoner
  alone than that entry, which then is a slip of the recogniser's rather than its full name:
  `congress` in 11 articles is not `will congress` (a sentence's opening word) in 1.

An entry is shown by the commonest spelling of its own key (`display_name`), not of the keys
gathered under it: `vladimir putin` is Vladimir Putin though `putin` is written more.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from monitor.entities.forms import latin
from monitor.watches.rising import NameCounts, RisingParams, rising_score, score_rising, window_scale
from monitor.watches.settings import watch_name_of

__all__ = [
    "DAY",
    "WEEK",
    "InTheNews",
    "counts_to_rank",
    "daily_stories",
    "display_name",
    "fold_keys",
    "in_the_news",
    "spellings_by_language",
    "watch_yaml",
]

DAY = timedelta(hours=24)
WEEK = timedelta(days=7)
FOLD_SHARE = 2 / 3  # a surname alone goes to the full name holding this share of its articles
FOLD_ALONE = 0.2  # ... when that name has at least this share of the surname's own articles
MAX_KEY = 200  # characters of a key in a URL: longer is not a key the stage writes
# In the news: at least 2 stories in the last 24 hours; the pseudo-count keeps a name of 2
# stories (and nothing the week before) below one of 20 that the week expected 10 of.
NEWS_PARAMS = RisingParams(min_stories=2, pseudo_count=4.0, min_score=float("-inf"))


def fold_keys(
    counts: Mapping[str, int], share: float = FOLD_SHARE, alone: float = FOLD_ALONE
) -> dict[str, str]:
    """Each key's entry (see the module): {key: entry key}; `counts` are articles per key."""
    target: dict[str, str] = {}
    for key in counts:
        words = key.split()
        target[key] = key
        for start in range(len(words) - 2, 0, -1):  # the shortest ending first
            ending = " ".join(words[start:])
            if ending in counts:
                target[key] = ending
                break
    by_last: dict[str, Counter[str]] = defaultdict(Counter)
    for key, entry in target.items():
        words = key.split()
        if len(words) > 1:
            by_last[words[-1]][entry] += counts[key]
    for key in counts:
        candidates = by_last.get(key) if " " not in key else None
        if candidates:
            entry, held = candidates.most_common(1)[0]
            if held >= share * sum(candidates.values()) and held >= alone * counts[key]:
                target[key] = entry
    return target


def display_name(spellings: Mapping[str, int]) -> str:
    """The name an entry is shown by: its most mentioned spelling in Latin letters (the
    pages are in English), else its most mentioned spelling."""
    ranked = sorted(spellings, key=lambda s: (-spellings[s], s))
    return next((s for s in ranked if latin(s.replace(" ", ""))), ranked[0] if ranked else "")


@dataclass(frozen=True)
class InTheNews:
    key: str
    name: str
    recent: int
    """Stories with an article of the last 24 hours naming it."""
    before: int
    """Stories with an article of the 7 days before naming it."""
    expected: float
    """What `before` predicts for the last 24 hours, given how many stories each window holds."""
    score: float


def in_the_news(
    counts: Mapping[str, tuple[int, int]],
    n_recent: int,
    n_before: int,
    names: Mapping[str, str],
    limit: int = 50,
) -> list[InTheNews]:
    """The entries in the news, best first: `counts` are {entry: (stories of the last 24 hours,
    stories of the 7 days before)}, scored as rising names are (monitor.watches.rising), with a
    floor of 2 stories and no floor on the score: a steady name ranks below a rising one."""
    scored = score_rising(
        NameCounts(
            {key: recent for key, (recent, _) in counts.items() if recent},
            {key: before for key, (_, before) in counts.items() if before},
            n_recent,
            n_before,
        ),
        NEWS_PARAMS,
        limit,
    )
    return [
        InTheNews(r.name, names.get(r.name, r.name), r.recent, r.before, r.expected, r.score) for r in scored
    ]


def counts_to_rank(
    bounds: Mapping[str, tuple[int, int, bool]],
    exact: Callable[[str], tuple[int, int]],
    n_recent: int,
    n_before: int,
    limit: int,
) -> dict[str, tuple[int, int]]:
    """The counts `in_the_news` needs to rank the best `limit` entries, asking `exact` (a
    query) only for the entries that may be among them. `bounds`: per entry, the most stories
    of the last 24 hours it can have and the fewest of the week before (the sum and the most
    of its keys' counts), and whether those are exact (an entry of one key). Branch and bound:
    entries in order of their best possible score, until that is below the `limit`th exact one."""
    scale = window_scale(n_recent, n_before)

    def score(recent: int, before: int) -> float:
        return rising_score(recent, before, scale, NEWS_PARAMS)

    ranked = sorted(
        (item for item in bounds.items() if item[1][0] >= NEWS_PARAMS.min_stories),
        key=lambda item: (-score(item[1][0], item[1][1]), item[0]),
    )
    found: dict[str, tuple[int, int]] = {}
    best: list[float] = []  # exact scores so far, highest first
    for entry, (recent, before, is_exact) in ranked:
        if len(best) >= limit and score(recent, before) < best[limit - 1]:
            break
        counts = (recent, before) if is_exact else exact(entry)
        found[entry] = counts
        if counts[0] >= NEWS_PARAMS.min_stories:
            best.append(score(*counts))
            best.sort(reverse=True)
    return found


def daily_stories(
    rows: Iterable[tuple[datetime, int]], zone: ZoneInfo, first_day: date, days: int
) -> list[tuple[date, int]]:
    """Stories per local day from (publication time, story) pairs: a story counts once a day."""
    seen: dict[date, set[int]] = {first_day + timedelta(days=i): set() for i in range(days)}
    for published, story in rows:
        day = published.astimezone(zone).date()
        if day in seen:
            seen[day].add(story)
    return [(day, len(stories)) for day, stories in seen.items()]


def spellings_by_language(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The spellings of an entry per article language, from its article rows (language,
    variants, mentions): [{language, articles, spellings: [(spelling, articles)]}], the
    language with the most articles first; a spelling counts once per article."""
    articles: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        language = row.get("language") or ""
        variants = row["variants"]
        if isinstance(variants, str):
            variants = json.loads(variants)
        articles[language] += 1
        spellings[language].update(set(variants) or {row["name"]})
    return [
        {
            "language": language,
            "articles": n,
            "spellings": sorted(spellings[language].items(), key=lambda kv: (-kv[1], kv[0])),
        }
        for language, n in sorted(articles.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def watch_yaml(name: str) -> str:
    """The lines to add under `watches:` in feeds.yaml to watch a name (any script and
    inflection matches, monitor.watches.names). Quoted as JSON strings, which YAML reads as
    double-quoted scalars: no name can turn into a number, a boolean or a mapping. The watch
    is called by the name without the characters a watch's name may not hold."""
    title = watch_name_of(name)
    quoted = json.dumps(name, ensure_ascii=False)
    return f"  - name: {json.dumps(title, ensure_ascii=False)}\n    names: [{quoted}]\n"
