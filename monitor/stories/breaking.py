"""Breaking stories: a story is flagged when it gains outlets and languages unusually fast
for its age, against what stories of that age usually gain in this installation.

Time is the articles' publication time, never the wall clock: each article is judged at its
own publication time, over the window of hours before it, so a replay flags as live does and a
backlog dated last month can only raise a flag dated last month. Outlets and languages count,
not articles: copies and floods from one outlet add nothing. No I/O here.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.timeutil import iso


@dataclass(frozen=True)
class BreakingParams:
    """How fast is unusually fast."""

    window_hours: float = 24.0
    """New outlets and languages are counted over this many hours before each article."""
    language_weight: float = 1.0
    """A new language counts this much on top of its outlet: spread across languages is the
    stronger sign that an event matters beyond one country's press."""
    min_outlets: int = 3
    """The floor: fewer new outlets in the window never flag, whatever the baseline (a quiet
    installation, where any story with two outlets is already above the usual)."""
    factor: float = 2.0
    """How many times the usual score of a story of that age the window must reach."""
    age_buckets_hours: tuple[float, ...] = (1.0, 3.0, 6.0, 12.0, 24.0, 48.0, 96.0, 168.0)
    """Edges of the story ages (hours since its first article) the baseline tells apart."""
    baseline_weight: float = 0.01
    """How much each new story weighs in the baseline (older stories fade by this share each):
    a moving average over stories, not over time, so the same stream gives the same baseline
    however fast it is replayed."""
    prior_stories: float = 10.0
    prior_score: float = 3.0
    """Before the stream has taught anything, the baseline is that of `prior_stories` stories
    that scored `prior_score` in their first hour (two outlets, one language): a new
    installation needs a clear spread (twice that) to flag, and its own stories soon outweigh
    the prior."""


@dataclass(frozen=True)
class BreakingVerdict:
    """The window of one story at one time, and whether it is unusually fast."""

    breaking: bool
    outlets: int
    languages: int
    score: float
    baseline: float
    age_hours: float

    def why(self, window_hours: float) -> dict[str, Any]:
        return {
            "outlets": self.outlets,
            "languages": self.languages,
            "window_hours": window_hours,
            "score": round(self.score, 2),
            "baseline": round(self.baseline, 2),
            "age_hours": round(self.age_hours, 1),
        }


def age_bucket(age_hours: float, params: BreakingParams) -> int:
    """The baseline slot of a story this many hours old (the last takes all older ones)."""
    return min(bisect_right(params.age_buckets_hours, age_hours), len(params.age_buckets_hours) - 1)


def breaking_decision(
    outlets: int, languages: int, age_hours: float, baseline: float, params: BreakingParams
) -> BreakingVerdict:
    """Is a window with `outlets` new outlets and `languages` new languages unusually fast for a
    story `age_hours` old, when such a story usually scores `baseline` in its window?"""
    score = outlets + params.language_weight * languages
    breaking = outlets >= params.min_outlets and score >= params.factor * baseline
    return BreakingVerdict(breaking, outlets, languages, score, baseline, age_hours)


@dataclass
class Baseline:
    """What a story usually gains at each age: per age slot, the outlets and languages (scored
    as in `breaking_decision`) all stories gained at that age, over the number of stories, both
    fading by `baseline_weight` at each new story. Every story counts, the quiet ones too, so
    the baseline of an age is that of the usual story, not of those that grow; a story's gains
    after it was flagged do not count (they are what is unusual)."""

    gains: list[float]
    stories: float

    @classmethod
    def empty(cls, params: BreakingParams) -> Baseline:
        gains = [0.0] * len(params.age_buckets_hours)
        gains[0] = params.prior_score * params.prior_stories
        return cls(gains, params.prior_stories)

    def opened(self, params: BreakingParams) -> None:
        """One more story."""
        keep = 1.0 - params.baseline_weight
        self.gains = [g * keep for g in self.gains]
        self.stories = self.stories * keep + 1.0

    def gained(self, age_hours: float, score: float, params: BreakingParams) -> None:
        self.gains[age_bucket(age_hours, params)] += score

    def usual(self, age_hours: float, params: BreakingParams) -> float:
        """The score a usual story gains in the window of hours up to this age (its first
        article included while the window reaches back to it)."""
        if self.stories <= 0:
            return 0.0
        start, end = age_hours - params.window_hours, age_hours
        usual = 0.0
        edges = (0.0, *params.age_buckets_hours)
        last = len(params.age_buckets_hours) - 1
        for slot in range(len(params.age_buckets_hours)):
            low, high = edges[slot], edges[slot + 1]
            width = high - low
            if slot == last:
                high = max(high, end)  # the last slot takes all older ages, at its own rate
            # A window that reaches the story's first article takes its first hour whole.
            reaches_first = slot == 0 and start < 0
            share = 1.0 if reaches_first else max(0.0, min(end, high) - max(start, low)) / width
            usual += self.gains[slot] / self.stories * share
        return usual

    def to_json(self) -> str:
        return json.dumps({"gains": self.gains, "stories": self.stories})

    @classmethod
    def from_json(cls, text: str | None, params: BreakingParams) -> Baseline:
        """A stored baseline; anything unreadable or of other age slots starts afresh."""
        empty = cls.empty(params)
        try:
            data = json.loads(text or "{}")
            gains = [float(x) for x in data["gains"]]
            stories = float(data["stories"])
        except (ValueError, TypeError, KeyError):
            return empty
        if len(gains) != len(empty.gains):
            return empty
        return cls(gains, stories)


@dataclass
class Coverage:
    """One story's outlets and languages, each with the publication time it first appeared."""

    outlets: dict[str, datetime] = field(default_factory=dict)
    languages: dict[str, datetime] = field(default_factory=dict)
    breaking_at: datetime | None = None
    why: dict[str, Any] | None = None

    @property
    def first_published(self) -> datetime | None:
        return min(self.outlets.values(), default=None)

    def to_json(self) -> str:
        return json.dumps(
            {
                "outlets": {k: iso(v) for k, v in sorted(self.outlets.items())},
                "languages": {k: iso(v) for k, v in sorted(self.languages.items())},
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(
        cls, text: str | None, breaking_at: datetime | None = None, why: str | None = None
    ) -> Coverage:
        """A stored coverage; anything unreadable counts as none."""
        try:
            data = json.loads(text or "{}")
            outlets = {str(k): _when(str(v)) for k, v in data.get("outlets", {}).items()}
            languages = {str(k): _when(str(v)) for k, v in data.get("languages", {}).items()}
            reason = json.loads(why) if why else None
        except (ValueError, TypeError, AttributeError):
            outlets, languages, reason = {}, {}, None
        return cls(outlets, languages, breaking_at, reason if isinstance(reason, dict) else None)

    def merge(self, other: Coverage) -> None:
        for mine, theirs in ((self.outlets, other.outlets), (self.languages, other.languages)):
            for key, when in theirs.items():
                if key not in mine or when < mine[key]:
                    mine[key] = when
        earlier = other.breaking_at
        if earlier is not None and (self.breaking_at is None or earlier < self.breaking_at):
            self.breaking_at, self.why = other.breaking_at, other.why


def _when(text: str) -> datetime:
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _in_window(firsts: Iterable[datetime], start: datetime, end: datetime) -> int:
    return sum(1 for when in firsts if start < when <= end)


class BreakingTracker:
    """The coverage of the open stories and the installation's baseline, updated one article
    at a time (in publication order, as the assigner takes them)."""

    def __init__(
        self,
        params: BreakingParams | None = None,
        *,
        baseline: Baseline | None = None,
        stories: Mapping[int, Coverage] | None = None,
    ) -> None:
        self.params = params or BreakingParams()
        self.baseline = baseline or Baseline.empty(self.params)
        self.stories: dict[int, Coverage] = dict(stories or {})
        self.raised: dict[int, datetime] = {}
        """Stories flagged since the last `raised.clear()`: story id -> breaking_at."""

    def observe(self, story_id: int, published: datetime, outlet: str, language: str | None) -> bool:
        """Count one article of a story; True when it makes the story breaking (just now)."""
        coverage = self.stories.get(story_id)
        if coverage is None:
            coverage = self.stories[story_id] = Coverage()
            self.baseline.opened(self.params)
        new_outlet = outlet not in coverage.outlets or published < coverage.outlets[outlet]
        new_language = bool(language) and (
            language not in coverage.languages or published < coverage.languages[str(language)]
        )
        if not new_outlet and not new_language:
            return False  # a copy, or one more article from an outlet already counted
        gain = 0.0
        if new_outlet:
            gain += outlet not in coverage.outlets
            coverage.outlets[outlet] = published
        if language and new_language:
            gain += self.params.language_weight * (language not in coverage.languages)
            coverage.languages[language] = published
        first = coverage.first_published or published
        age_hours = max(0.0, (published - first).total_seconds() / 3600.0)
        if coverage.breaking_at is None or published < coverage.breaking_at:
            # What a story gains once flagged is unusual by definition: left out, so that a
            # few wide events do not raise the usual for every story after them.
            self.baseline.gained(age_hours, gain, self.params)
        start = published - timedelta(hours=self.params.window_hours)
        verdict = breaking_decision(
            _in_window(coverage.outlets.values(), start, published),
            _in_window(coverage.languages.values(), start, published),
            age_hours,
            self.baseline.usual(age_hours, self.params),
            self.params,
        )
        if not verdict.breaking or (coverage.breaking_at is not None and coverage.breaking_at <= published):
            return False
        coverage.breaking_at = published
        coverage.why = verdict.why(self.params.window_hours)
        self.raised[story_id] = published
        return True

    def merge(self, drop: int, keep: int) -> None:
        """Story `drop` merged into `keep`: one coverage, the earlier flag."""
        dropped = self.stories.pop(drop, None)
        if dropped is None:
            return
        kept = self.stories.setdefault(keep, Coverage())
        was = kept.breaking_at
        kept.merge(dropped)
        if kept.breaking_at is not None and kept.breaking_at != was:
            self.raised[keep] = kept.breaking_at
        self.raised.pop(drop, None)

    def forget(self, keep: Iterable[int]) -> None:
        """Drop the coverage of stories no longer open (only those in `keep` can grow)."""
        wanted = set(keep)
        for story_id in [s for s in self.stories if s not in wanted]:
            del self.stories[story_id]
