"""Signals beyond a story's count of outlets and languages for breaking detection (issue 27,
item 4), measured on the stories that the stories stage makes of itn-dev, allsides-dev and
the quiet week (one stage run per set, as `bench/trends.py --pipeline`), with each candidate
detector replayed over those stories in publication order.

    python bench/breaking_signals.py

- replay: the default detector replayed must give the stage's own flags (a check).
- plain: the count rule over its floor and factor, for comparison.
- company: the rule at a floor of 2 outlets, kept only when the window's outlets, each weighted
  by how often its reports have had company (another outlet on the story within `hours`),
  learned online in publication time, reach a weighted floor: "two usually-followed outlets
  are unusual where two ordinary ones are not".
- speed: the count rule plus a flag at a story's second outlet when it came within g hours of
  the first: the wide events it can add and the narrow ones it flags too, per g.
- thread: the wide events whose first-day languages one thread gathers better than one story.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from itertools import pairwise, product

from trends import (
    STAGE_THREADS,
    Item,
    _stage_stories,
    load_allsides,
    load_itn,
    main_story_flags,
    per_day,
    quiet_week,
    spread_figures,
)

from monitor.stories.breaking import BreakingParams, BreakingTracker
from monitor.timeutil import iso

StoryOf = dict[int, tuple[int, str | None]]
Sets = dict[str, tuple[list[Item], StoryOf]]


class CompanyFloor(BreakingTracker):
    """The count rule (floor and factor from `params`), a flag kept only when the outlets new
    in the window, each weighted by its rate of reports with company against the installation's
    rate, reach `weighted_floor`. The rates shrink to the installation's by `prior` reports."""

    def __init__(self, params: BreakingParams, weighted_floor: float, prior: float, hours: float) -> None:
        super().__init__(params)
        self.weighted_floor, self.prior, self.near = weighted_floor, prior, timedelta(hours=hours)
        self.reports: dict[str, float] = defaultdict(float)
        self.company: dict[str, float] = defaultdict(float)
        self.all_reports, self.all_company = 2.0, 1.0
        self.evidence: dict[int, dict[str, tuple[float, float]]] = {}
        """Story -> its window's outlets at its flag: (weight, reports seen of the outlet)."""

    def weight(self, outlet: str) -> float:
        usual = self.all_company / self.all_reports
        rate = (self.company[outlet] + self.prior * usual) / (self.reports[outlet] + self.prior)
        return rate / usual

    def _learn(self, story_id: int, published: datetime, outlet: str) -> None:
        coverage = self.stories.get(story_id)
        firsts = dict(coverage.outlets) if coverage else {}
        if outlet in firsts:
            return
        self.reports[outlet] += 1
        self.all_reports += 1
        near = [o for o, t in firsts.items() if abs(published - t) <= self.near]
        alone = [
            o for o in near if not any(p != o and abs(firsts[o] - t) <= self.near for p, t in firsts.items())
        ]
        for keep in alone + ([outlet] if near else []):
            self.company[keep] += 1
            self.all_company += 1

    def observe(self, story_id: int, published: datetime, outlet: str, language: str | None) -> bool:
        self._learn(story_id, published, outlet)
        if not super().observe(story_id, published, outlet, language):
            return False
        coverage = self.stories[story_id]
        start = published - timedelta(hours=self.params.window_hours)
        window = [o for o, t in coverage.outlets.items() if start < t <= published]
        if sum(self.weight(o) for o in window) >= self.weighted_floor:
            self.evidence[story_id] = {o: (round(self.weight(o), 2), self.reports[o]) for o in window}
            return True
        # Vetoed: the gain was counted in the baseline before the decision, as for any story.
        coverage.breaking_at = coverage.why = None
        del self.raised[story_id]
        return False


def replayed(items: list[Item], story_of: StoryOf, tracker: BreakingTracker) -> StoryOf:
    """The stage's stories flagged again by `tracker`: article number -> (story, breaking_at)."""
    for n, item in enumerate(items, 1):
        if n in story_of:
            tracker.observe(story_of[n][0], item.published, item.outlet, item.language)
    flags = {s: c.breaking_at for s, c in tracker.stories.items()}
    return {n: (s, iso(flags[s]) if flags.get(s) else None) for n, (s, _) in story_of.items()}


def figures(sets: Sets, make: Callable[[], BreakingTracker], gold: Sets | None = None) -> dict[str, object]:
    """A candidate's figures on the stage's stories, and on the gold events as stories (the
    detector alone) when `gold` is given."""
    flags = {name: main_story_flags(items, replayed(items, so, make())) for name, (items, so) in sets.items()}
    row = _row(sets, flags)
    if gold is not None:
        on_gold = figures(gold, make)
        row |= {f"gold_{key}": on_gold[key] for key in ("wide_24h", "narrow", "allsides_per_day", "quiet")}
    return row


def gold_stories(items: list[Item]) -> StoryOf:
    """Each gold event as one story: article number -> (its event's number, no flag)."""
    ids = {event: n for n, event in enumerate(sorted({i.event for i in items}), 1)}
    return {n: (ids[item.event], None) for n, item in enumerate(items, 1)}


def _row(sets: Sets, flags: dict[str, dict[str, datetime]]) -> dict[str, object]:
    spread = spread_figures(sets["itn"][0], flags["itn"])
    delay = spread.median_delay_hours
    return {
        "wide_24h": round(spread.wide_flagged_24h, 3),
        "median_delay_h": None if delay is None else round(delay, 1),
        "narrow": round(spread.narrow_flagged, 3),
        "allsides_per_day": round(per_day(sets["allsides"][0], flags["allsides"]), 3),
        "quiet": len(flags["quiet"]),
    }


def company_gains(
    items: list[Item], story_of: StoryOf, candidate: CompanyFloor
) -> Iterator[dict[str, object]]:
    """The wide events `candidate` flags within 24 h that the default does not: when (hours
    after the event's first report, and how many of the stream's articles came before) and on
    what weights (each outlet's weight and the reports it was learned from)."""
    default = main_story_flags(items, replayed(items, story_of, BreakingTracker()))
    flags = main_story_flags(items, replayed(items, story_of, candidate))
    members = _events(items)
    for event, when in sorted(flags.items()):
        start = members[event][0][1].published
        day = start + timedelta(hours=24)
        wide = len({i.language for _, i in members[event]}) >= 8
        if not wide or when > day or (event in default and default[event] <= day):
            continue
        story = max(
            {story_of[n][0] for n, _ in members[event]},
            key=lambda s: sum(story_of[n][0] == s for n, _ in members[event]),
        )
        yield {
            "event": event,
            "flag_after_h": round((when - start) / timedelta(hours=1), 1),
            "stream_articles_before": sum(i.published < when for i in items),
            "outlets_weight_reports": candidate.evidence.get(story),
        }


def _events(items: list[Item]) -> dict[str, list[tuple[int, Item]]]:
    members: dict[str, list[tuple[int, Item]]] = defaultdict(list)
    for n, item in enumerate(items, 1):
        members[item.event].append((n, item))
    return members


def _main_story_outlets(
    members: list[tuple[int, Item]], items: list[Item], story_of: StoryOf
) -> list[datetime]:
    """The first times of the outlets of the story holding most of an event's articles."""
    counts: dict[int, int] = defaultdict(int)
    for n, _ in members:
        counts[story_of[n][0]] += 1
    main = max(counts, key=lambda s: counts[s])
    firsts: dict[str, datetime] = {}
    for n, item in enumerate(items, 1):
        if story_of.get(n, (None,))[0] == main:
            firsts[item.outlet] = min(item.published, firsts.get(item.outlet, item.published))
    return sorted(firsts.values())


def speed_table(
    items: list[Item], story_of: StoryOf, base: dict[str, datetime]
) -> Iterator[dict[str, object]]:
    """The default flags plus a flag at the second outlet of an event's main story when it came
    within g hours of the first (and within 24 h of the event's first report)."""
    members = _events(items)
    languages = {e: len({i.language for _, i in m}) for e, m in members.items()}
    wide = [e for e, k in languages.items() if k >= 8]
    narrow = [e for e, k in languages.items() if k <= 2]
    firsts = {e: _main_story_outlets(m, items, story_of) for e, m in members.items() if e in wide + narrow}
    start = {e: m[0][1].published for e, m in members.items()}
    for gap in (1, 3, 6, 12, 18, 24):

        def fast(event: str, gap: float = gap) -> bool:
            t = firsts[event]
            day = start[event] + timedelta(hours=24)
            return any(b - a <= timedelta(hours=gap) and b <= day for a, b in pairwise(t))

        in_time = [e for e in wide if e in base and base[e] - start[e] <= timedelta(hours=24)]
        yield {
            "second_outlet_within_h": gap,
            "wide_24h": round(len(set(in_time) | {e for e in wide if fast(e)}) / len(wide), 3),
            "narrow": round(len({e for e in narrow if e in base or fast(e)}) / len(narrow), 3),
        }


def thread_gains(
    items: list[Item], story_of: StoryOf, threads: dict[int, int | None]
) -> Iterator[dict[str, object]]:
    """Wide events whose first-day languages one thread gathers better than one story."""
    for event, members in sorted(_events(items).items()):
        if len({i.language for _, i in members}) < 8:
            continue
        day = [(n, i) for n, i in members if i.published - members[0][1].published <= timedelta(hours=24)]
        by_story: dict[int, set[str]] = defaultdict(set)
        by_thread: dict[object, set[str]] = defaultdict(set)
        for n, item in day:
            story = story_of[n][0]
            by_story[story].add(item.language)
            by_thread[threads.get(story) or f"story {story}"].add(item.language)
        best_story, best_thread = max(map(len, by_story.values())), max(map(len, by_thread.values()))
        if best_thread > best_story:
            yield {"event": event, "story_languages_24h": best_story, "thread_languages_24h": best_thread}


def main() -> None:
    itn, allsides = load_itn(), load_allsides()
    default = BreakingParams()
    sets = {
        name: (items, _stage_stories(items, default))
        for name, items in (("itn", itn), ("allsides", allsides), ("quiet", quiet_week(allsides)))
    }
    gold = {name: (items, gold_stories(items)) for name, (items, _) in sets.items()}
    stage = {name: main_story_flags(items, so) for name, (items, so) in sets.items()}
    print(json.dumps({"run": "stage as run", **_row(sets, stage)}))
    print(json.dumps({"run": "replay, default", **figures(sets, partial(BreakingTracker, default), gold)}))
    for floor, factor in product((2, 3), (1.5, 1.75, 2.0)):
        params = replace(default, min_outlets=floor, factor=factor)
        row = figures(sets, partial(BreakingTracker, params), gold)
        print(json.dumps({"run": f"plain floor={floor} factor={factor}", **row}))
    for weighted, factor, prior, hours in product((2.25, 2.5, 3.0), (1.75, 2.0), (5.0, 10.0), (6.0, 24.0)):
        params = replace(default, min_outlets=2, factor=factor)
        row = figures(sets, partial(CompanyFloor, params, weighted, prior, hours), gold)
        name = f"company weighted_floor={weighted} factor={factor} prior={prior} hours={hours}"
        print(json.dumps({"run": name, **row}))
    candidate = CompanyFloor(replace(default, min_outlets=2, factor=1.75), 2.5, 5.0, 24.0)
    for row in company_gains(itn, sets["itn"][1], candidate):
        print(json.dumps({"run": "company gains, weighted_floor=2.5 factor=1.75 prior=5 hours=24", **row}))
    weights = sorted((round(candidate.weight(o), 2), o, n) for o, n in list(candidate.reports.items()))
    print(json.dumps({"run": "company weights at the end: weight, outlet, reports", "weights": weights}))
    for row in speed_table(itn, sets["itn"][1], stage["itn"]):
        print(json.dumps({"run": "speed", **row}))
    for row in thread_gains(itn, sets["itn"][1], STAGE_THREADS[tuple(i.id for i in itn)]):
        print(json.dumps({"run": "thread", **row}))


if __name__ == "__main__":
    main()
