"""Breaking detection on replayed news: does a story that spreads get flagged, in time, and
do the others stay quiet?

    python bench/trends.py                  # gold events as stories (the detector alone)
    python bench/trends.py --sweep          # the same over a grid of parameters
    python bench/trends.py --pipeline       # also through the stories stage (embeds; slow)
    python bench/trends.py --trends-speed   # /trends on 200,000 articles
    python bench/trends.py --stage-cost     # what rising counts and breaking add to the stories stage
    python bench/trends.py --explain        # why the stage loses wide events the detector flags on gold
    python bench/trends.py --spread         # each wide event's first day, and the ceiling of any rule

Sets (read from ../shared/data/stories):
- itn-dev: Wikipedia "In the news" items, Sept-Dec 2022, each language's wiki a feed (one
  outlet per language), posting times as given; gold = the event. Of the events that reach
  8 languages or more: the share flagged within 24 h of their first report (target >= 0.8)
  and the median delay; of the events that stay in 1-2 languages: the share flagged (<= 0.1).
- allsides-dev: AllSides roundups (one language, three outlets an event, a steady flow):
  flags per day.
- quiet: a simulated quiet week, 4 allsides articles a day drawn at random (seeded): no flag.

With gold events as stories the detector is judged alone (the clustering's errors are left
out); --pipeline runs the articles through `run_story_stage` on a SQLite file, which clusters
them (and flags) as `monitor poll` would.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from itertools import product
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.stories.breaking import BreakingParams, BreakingTracker  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "stories"


@dataclass(frozen=True)
class Item:
    id: str
    language: str
    outlet: str
    published: datetime
    title: str
    text: str
    event: str


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def load_itn() -> list[Item]:
    items = []
    for line in (DATA / "itn-dev" / "itn_events_dev.jsonl").open(encoding="utf-8"):
        d = json.loads(line)
        items.append(
            Item(
                d["id"],
                d["language"],
                f"{d['wiki_lang']}.wikipedia.org",
                _time(d["timestamp"]),
                d["title"],
                d["text"],
                d["cluster_id"],
            )
        )
    return sorted(items, key=lambda i: (i.published, i.id))


def load_allsides() -> list[Item]:
    items = []
    for line in (DATA / "allsides-dev" / "allsides_dev.jsonl").open(encoding="utf-8"):
        d = json.loads(line)
        items.append(
            Item(
                d["id"],
                d["language"],
                d["outlet"],
                _time(d["timestamp"]),
                d["title"],
                d["text"],
                d["cluster_id"],
            )
        )
    return sorted(items, key=lambda i: (i.published, i.id))


def quiet_week(items: list[Item], per_day: int = 4, seed: int = 7) -> list[Item]:
    """A quiet installation: `per_day` articles a day for a week, drawn from a steady stream."""
    rng = random.Random(seed)
    by_day: dict[object, list[Item]] = defaultdict(list)
    for item in items:
        by_day[item.published.date()].append(item)
    days = sorted(by_day)[:7]
    return sorted(
        (i for day in days for i in rng.sample(by_day[day], min(per_day, len(by_day[day])))),
        key=lambda i: (i.published, i.id),
    )


def flag_gold(items: list[Item], params: BreakingParams) -> dict[str, datetime]:
    """The detector over the gold events as stories: event -> breaking_at."""
    tracker = BreakingTracker(params)
    ids = {event: n for n, event in enumerate(sorted({i.event for i in items}), 1)}
    for item in items:
        tracker.observe(ids[item.event], item.published, item.outlet, item.language)
    names = {n: event for event, n in ids.items()}
    return {names[s]: c.breaking_at for s, c in tracker.stories.items() if c.breaking_at is not None}


@dataclass(frozen=True)
class SpreadFigures:
    wide: int
    wide_flagged_24h: float
    median_delay_hours: float | None
    narrow: int
    narrow_flagged: float


def spread_figures(items: list[Item], flags: dict[str, datetime]) -> SpreadFigures:
    """Wide events (>= 8 languages): flagged within 24 h of the first report, and how late;
    narrow ones (1-2 languages): flagged at all."""
    languages: dict[str, set[str]] = defaultdict(set)
    first: dict[str, datetime] = {}
    for item in items:
        languages[item.event].add(item.language)
        first.setdefault(item.event, item.published)
    wide = [e for e, langs in languages.items() if len(langs) >= 8]
    narrow = [e for e, langs in languages.items() if len(langs) <= 2]
    delays = [(flags[e] - first[e]).total_seconds() / 3600 for e in wide if e in flags]
    in_time = [d for d in delays if d <= 24]
    return SpreadFigures(
        len(wide),
        len(in_time) / max(1, len(wide)),
        statistics.median(delays) if delays else None,
        len(narrow),
        sum(1 for e in narrow if e in flags) / max(1, len(narrow)),
    )


def per_day(items: list[Item], flags: dict[str, datetime]) -> float:
    days = (items[-1].published - items[0].published) / timedelta(days=1)
    return len(flags) / max(1.0, days)


def report(
    name: str,
    params: BreakingParams,
    itn: list[Item],
    allsides: list[Item],
    quiet: list[Item],
    flagger=flag_gold,
) -> dict[str, object]:  # type: ignore[no-untyped-def]
    spread = spread_figures(itn, flagger(itn, params))
    row = {
        "run": name,
        "itn_wide": spread.wide,
        "itn_wide_flagged_24h": round(spread.wide_flagged_24h, 3),
        "itn_median_delay_h": None
        if spread.median_delay_hours is None
        else round(spread.median_delay_hours, 1),
        "itn_narrow": spread.narrow,
        "itn_narrow_flagged": round(spread.narrow_flagged, 3),
        "allsides_flags_per_day": round(per_day(allsides, flagger(allsides, params)), 3),
        "quiet_week_flags": len(flagger(quiet, params)),
    }
    return row


STAGE_SECONDS: list[tuple[int, float]] = []
"""(articles, seconds) of each stories stage run of --pipeline, for the cost figure."""


_STAGE_RUNS: dict[tuple[tuple[str, ...], BreakingParams], dict[int, tuple[int, str | None]]] = {}
STAGE_THREADS: dict[tuple[str, ...], dict[int, int | None]] = {}
"""The last stage run of each set of items (by their ids): story -> its thread."""


def flag_pipeline(items: list[Item], params: BreakingParams) -> dict[str, datetime]:
    """The same items through the stories stage on a fresh SQLite file, one feed per outlet;
    an event counts as flagged at the breaking_at of the story holding most of its articles."""
    return main_story_flags(items, _stage_stories(items, params))


def main_story_flags(items: list[Item], story_of: dict[int, tuple[int, str | None]]) -> dict[str, datetime]:
    """Event -> the breaking_at of the story holding most of its articles (if flagged), from
    article number -> (story, its breaking_at)."""
    by_event: dict[str, Counter[tuple[int, str | None]]] = defaultdict(Counter)
    for n, item in enumerate(items, 1):
        if n in story_of:
            by_event[item.event][story_of[n]] += 1
    flags: dict[str, datetime] = {}
    for event, stories in by_event.items():
        (_story, breaking_at), _count = stories.most_common(1)[0]
        if breaking_at:
            flags[event] = _time(breaking_at)
    return flags


def flag_pipeline_any(items: list[Item], params: BreakingParams) -> dict[str, datetime]:
    """The same run, read another way: an event is flagged at the earliest flag of a story
    that is mostly about it (most of the story's articles are of this event), as a reader
    of the Breaking band would meet it."""
    story_of = _stage_stories(items, params)
    by_story: dict[int, Counter[str]] = defaultdict(Counter)
    flag_of: dict[int, str | None] = {}
    for n, item in enumerate(items, 1):
        if n in story_of:
            story, breaking_at = story_of[n]
            by_story[story][item.event] += 1
            flag_of[story] = breaking_at
    flags: dict[str, datetime] = {}
    for story, events in by_story.items():
        breaking_at = flag_of[story]
        if breaking_at:
            event = events.most_common(1)[0][0]
            when = _time(breaking_at)
            flags[event] = min(when, flags.get(event, when))
    return flags


def _stage_stories(items: list[Item], params: BreakingParams) -> dict[int, tuple[int, str | None]]:
    """Article number -> (story, its breaking_at) after the stories stage; one run per set."""
    key = (tuple(i.id for i in items), params)
    if key not in _STAGE_RUNS:
        _STAGE_RUNS[key] = _run_stage(items, params)
    return _STAGE_RUNS[key]


def _run_stage(items: list[Item], params: BreakingParams) -> dict[int, tuple[int, str | None]]:
    import tempfile

    from monitor.store import Store
    from monitor.stories.settings import StorySettings
    from monitor.stories.stage import run_story_stage

    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "bench.db") as store:
        feeds: dict[str, int] = {}
        with store.transaction():
            for n, item in enumerate(items, 1):
                if item.outlet not in feeds:
                    feeds[item.outlet] = len(feeds) + 1
                    store.db.execute(
                        "INSERT INTO feeds (id, url, name, created) VALUES (?, ?, ?, ?)",
                        [feeds[item.outlet], f"https://feed{len(feeds)}.example/rss", item.outlet,
                         "2018-01-01T00:00:00Z"],
                    )  # fmt: skip
                when = item.published.strftime("%Y-%m-%dT%H:%M:%SZ")
                store.db.execute(
                    "INSERT INTO articles (id, feed_id, guid, title, text, language, published, first_seen, "
                    "content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        n,
                        feeds[item.outlet],
                        item.id,
                        item.title,
                        item.text,
                        item.language,
                        when,
                        when,
                        f"h{n}",
                    ],
                )
        report = run_story_stage(store, StorySettings(breaking=params))
        STAGE_SECONDS.append((report.articles, report.seconds))
        rows = store.query(
            "SELECT a.id, a.story_id, s.breaking_at FROM articles a JOIN stories s ON s.id = a.story_id"
        )
        STAGE_THREADS[tuple(i.id for i in items)] = {
            int(r["id"]): r["thread_id"] for r in store.query("SELECT id, thread_id FROM stories")
        }
    return {int(r["id"]): (int(r["story_id"]), r["breaking_at"]) for r in rows}


def detector_cost(items: list[Item], params: BreakingParams, rounds: int = 5) -> float:
    """Microseconds per article the detector takes (gold events as stories), best of `rounds`."""
    import time

    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        flag_gold(items, params)
        best = min(best, time.perf_counter() - started)
    return best / len(items) * 1e6


def trends_speed(articles: int = 200_000, days: int = 60, calls: int = 20) -> dict[str, float]:
    """Milliseconds `/trends` takes (rising_now, the read and the scoring) on a SQLite file of
    `articles` articles in stories of 4 over `days` days, each story's first article naming
    up to 8 people or organisations (article_names) drawn from 5,000 (Zipf-like) and 2 places
    drawn from 3,000 in 100 countries (Zipf-like): median and worst of `calls` (wall clock), the
    median CPU time, and the load average at the end."""
    import tempfile
    import time

    from monitor.store import Store
    from monitor.stories.records import rising_now

    rng = random.Random(5)
    vocabulary = [f"Name{n}" for n in range(5000)]
    weights = [1 / (n + 1) for n in range(5000)]
    places = list(range(3000))
    place_weights = [1 / (n + 1) for n in range(3000)]
    codes = sorted({f"{chr(65 + n % 26)}{chr(65 + n // 26)}" for n in range(100)})
    end = datetime(2025, 3, 1, tzinfo=UTC)
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "speed.db") as store:
        with store.transaction():
            store.db.execute(
                "INSERT INTO feeds (id, url, name, created) VALUES (1, 'https://f.example/rss', 'F', ?)",
                ["2025-01-01T00:00:00Z"],
            )
            stories = articles // 4
            rows, story_rows, place_rows, name_rows = [], [], [], []
            for story in range(1, stories + 1):
                first = end - timedelta(seconds=rng.uniform(0, days * 86400))
                names = sorted(set(rng.choices(vocabulary, weights, k=8)))
                stamp = first.strftime("%Y-%m-%dT%H:%M:%SZ")
                story_rows.append((story, stamp, stamp, "[]"))
                name_rows += [((story - 1) * 4 + 1, name.lower(), name) for name in names]
                for k in range(4):
                    n = (story - 1) * 4 + k + 1
                    rows.append((n, 1, f"g{n}", f"Title {n}", "", "en", stamp, stamp, f"h{n}", story))
                for place in set(rng.choices(places, place_weights, k=2)):
                    place_rows.append(((story - 1) * 4 + 1, 1_000_000 + place, codes[place % 100]))
            store.db.executemany(
                "INSERT INTO stories (id, first_seen, last_seen, entities, n_articles, updated_at) "
                "VALUES (?, ?, ?, ?, 4, ?)",
                [(*r, r[1]) for r in story_rows],
            )
            store.db.executemany(
                "INSERT INTO articles (id, feed_id, guid, title, text, language, published, first_seen, "
                "content_hash, story_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            store.db.executemany(
                "INSERT INTO article_places (article_id, geonameid, country) VALUES (?, ?, ?)", place_rows
            )
            store.db.executemany(
                "INSERT INTO article_names (article_id, key, name) VALUES (?, ?, ?)", name_rows
            )
        times, cpu = [], []
        for _ in range(calls):
            started, started_cpu = time.perf_counter(), time.process_time()
            rising_now(store, end)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
    return {
        "articles": articles,
        "median_ms": round(statistics.median(times), 1),
        "worst_ms": round(max(times), 1),
        # CPU time of this process: what the call costs, less what other processes take from it.
        "median_cpu_ms": round(statistics.median(cpu), 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


TREND_TRIGGERS = (
    "stories_terms_inserted",
    "stories_terms_updated",
    "stories_terms_deleted",
    "article_places_terms_added",
    "article_places_terms_removed",
    "articles_story_terms",
)


def _stage_run(
    items: list[Item], vectors: dict[int, tuple[bytes, str]], *, triggers: bool, breaking: bool = True
) -> tuple[int, float]:
    """One stories stage run over `items` on a fresh SQLite file, with the vectors given (no
    embedding) and two places per article; without the rising-terms triggers, or without
    breaking detection (its tracker and its columns), when asked. (articles, seconds)."""
    import tempfile
    from unittest import mock

    from monitor.store import Store
    from monitor.stories import stage
    from monitor.stories.settings import StorySettings
    from monitor.stories.stage import run_story_stage

    countries = ["US", "GB", "FR", "DE", "UA", "RU", "CN", "IN", "BR", "ZA", "EG", "JP"]
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "cost.db") as store:
        with store.transaction():
            if not triggers:
                for name in TREND_TRIGGERS:
                    store.db.execute(f"DROP TRIGGER {name}")
            outlets: dict[str, int] = {}
            for n, item in enumerate(items, 1):
                if item.outlet not in outlets:
                    outlets[item.outlet] = len(outlets) + 1
                    store.db.execute(
                        "INSERT INTO feeds (id, url, name, created) VALUES (?, ?, ?, ?)",
                        [outlets[item.outlet], f"https://feed{len(outlets)}.example/rss", item.outlet,
                         "2018-01-01T00:00:00Z"],
                    )  # fmt: skip
                when = item.published.strftime("%Y-%m-%dT%H:%M:%SZ")
                blob, model = vectors[n]
                store.db.execute(
                    "INSERT INTO articles (id, feed_id, guid, title, text, language, published, first_seen, "
                    "content_hash, embedding, embedding_model, places) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '[]')",
                    [n, outlets[item.outlet], item.id, item.title, item.text, item.language, when, when,
                     f"h{n}", blob, model],
                )  # fmt: skip
                for k in (n % 12, (n * 7) % 12):
                    store.db.execute(
                        "INSERT OR IGNORE INTO article_places (article_id, geonameid, country) "
                        "VALUES (?, ?, ?)",
                        [n, 1000 + k, countries[k]],
                    )
        if breaking:
            report = run_story_stage(store, StorySettings())
        else:
            with (
                mock.patch.object(stage.BreakingTracker, "observe", lambda *a, **k: None),
                mock.patch.object(stage, "_breaking_fields", lambda coverage: {}),
            ):
                report = run_story_stage(store, StorySettings())
        return report.articles, report.seconds


def stage_cost(rounds: int = 3) -> dict[str, float]:
    """What the rising-terms triggers add to the stories stage per article: the stage over
    itn-dev and allsides-dev once with embedding (the whole stage's cost), then without
    embedding (vectors given), with and without the triggers, interleaved; best of `rounds`."""
    import tempfile

    from monitor.store import Store
    from monitor.stories.settings import StorySettings
    from monitor.stories.stage import run_story_stage

    items = load_itn() + load_allsides()
    items.sort(key=lambda i: i.published)
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "embed.db") as store:
        with store.transaction():
            for n, item in enumerate(items, 1):
                when = item.published.strftime("%Y-%m-%dT%H:%M:%SZ")
                if n == 1:
                    store.db.execute(
                        "INSERT INTO feeds (id, url, name, created) "
                        "VALUES (1, 'https://f.example/rss', 'F', ?)",
                        ["2018-01-01T00:00:00Z"],
                    )
                store.db.execute(
                    "INSERT INTO articles (id, feed_id, guid, title, text, language, published, first_seen, "
                    "content_hash) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?)",
                    [n, item.id, item.title, item.text, item.language, when, when, f"h{n}"],
                )
        whole = run_story_stage(store, StorySettings())
        vectors = {
            int(r["id"]): (bytes(r["embedding"]), str(r["embedding_model"]))
            for r in store.query("SELECT id, embedding, embedding_model FROM articles")
        }
    variants = {"bare": (False, False), "breaking": (False, True), "breaking+triggers": (True, True)}
    best = dict.fromkeys(variants, float("inf"))
    for _ in range(rounds):
        for name, (triggers, breaking) in variants.items():
            articles, seconds = _stage_run(items, vectors, triggers=triggers, breaking=breaking)
            best[name] = min(best[name], seconds / max(1, articles) * 1e6)
    whole_us = whole.seconds / max(1, whole.articles) * 1e6
    breaking_us = best["breaking"] - best["bare"]
    triggers_us = best["breaking+triggers"] - best["breaking"]
    return {
        "articles": len(items),
        "stage_us_per_article": round(whole_us),
        "without_embedding_us": {k: round(v) for k, v in best.items()},
        "breaking_us_per_article": round(breaking_us),
        "breaking_share_of_stage": round(breaking_us / whole_us, 4),
        "triggers_us_per_article": round(triggers_us),
        "triggers_share_of_stage": round(triggers_us / whole_us, 4),
    }


def explain_losses(itn: list[Item], params: BreakingParams) -> dict[str, object]:
    """Why the stage flags fewer wide events than the detector on gold events: each wide
    event the gold run flags within 24 h is traced through the stage's stories (vectors given
    by a first run, so that the stage itself is what is compared)."""
    import tempfile

    from monitor.store import Store
    from monitor.stories.settings import StorySettings
    from monitor.stories.stage import run_story_stage

    gold = flag_gold(itn, params)
    first: dict[str, datetime] = {}
    languages: dict[str, set[str]] = defaultdict(set)
    for item in itn:
        first.setdefault(item.event, item.published)
        languages[item.event].add(item.language)
    wide = sorted(e for e, langs in languages.items() if len(langs) >= 8)
    with tempfile.TemporaryDirectory() as tmp, Store.open(Path(tmp) / "explain.db") as store:
        with store.transaction():
            outlets: dict[str, int] = {}
            for n, item in enumerate(itn, 1):
                if item.outlet not in outlets:
                    outlets[item.outlet] = len(outlets) + 1
                    store.db.execute(
                        "INSERT INTO feeds (id, url, name, created) VALUES (?, ?, ?, ?)",
                        [outlets[item.outlet], f"https://feed{len(outlets)}.example/rss", item.outlet,
                         "2018-01-01T00:00:00Z"],
                    )  # fmt: skip
                when = item.published.strftime("%Y-%m-%dT%H:%M:%SZ")
                store.db.execute(
                    "INSERT INTO articles (id, feed_id, guid, title, text, language, published, first_seen, "
                    "content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [n, outlets[item.outlet], item.id, item.title, item.text, item.language, when, when,
                     f"h{n}"],
                )  # fmt: skip
        run_story_stage(store, StorySettings(breaking=params))
        rows = store.query(
            "SELECT a.id, a.story_id, s.breaking_at FROM articles a JOIN stories s ON s.id = a.story_id"
        )
    story_of = {int(r["id"]): int(r["story_id"]) for r in rows}
    flagged = {int(r["story_id"]): _time(str(r["breaking_at"])) for r in rows if r["breaking_at"]}
    causes: dict[str, int] = defaultdict(int)
    traces = []
    for event in wide:
        if event not in gold or (gold[event] - first[event]) > timedelta(hours=24):
            continue
        day = first[event] + timedelta(hours=24)
        members = [(n, i) for n, i in enumerate(itn, 1) if i.event == event and n in story_of]
        by_story: dict[int, set[str]] = defaultdict(set)
        for n, item in members:
            if item.published <= day:
                by_story[story_of[n]].add(item.language)
        stories = {story_of[n] for n, _ in members}
        main = max(by_story, key=lambda s: len(by_story[s])) if by_story else None
        in_time = [s for s in stories if s in flagged and flagged[s] <= day]
        if main is not None and main in in_time:
            cause = "flagged"
        elif in_time:
            cause = "another story of the event flagged in time"
        elif any(s in flagged for s in stories):
            cause = "flagged after 24 h"
        elif main is not None and len(by_story[main]) < 3:
            cause = "split: no story gathers 3 languages in 24 h"
        else:
            cause = "one story gathers 3+ languages in 24 h, not flagged"
        causes[cause] += 1
        traces.append({"event": event, "cause": cause, "stories": len(stories),
                       "languages_24h_gold": len({i.language for _, i in members if i.published <= day}),
                       "languages_24h_best_story": len(by_story[main]) if main else 0})  # fmt: skip
    return {"gold_flagged_in_time": sum(causes.values()), "causes": dict(causes), "events": traces}


SPREAD_HOURS = (1, 3, 6, 12, 24)


def spread_table(itn: list[Item], params: BreakingParams) -> dict[str, object]:
    """Where the wide events are won or lost: per event of >= 8 languages, the languages it has
    1, 3, 6, 12 and 24 h after its first report, as gold events and in the stage's story that
    holds most of its articles (how many stories it is split over in its first day), and the
    delay of each flag; then the ceiling of any rule that needs k languages in a story within
    24 h (itn-dev has one outlet per language): the wide events that reach k, and the narrow
    (1-2 languages) ones a rule flagging at k would flag too."""
    story_of = _stage_stories(itn, params)
    gold, stage = flag_gold(itn, params), flag_pipeline(itn, params)
    members: dict[str, list[tuple[int, Item]]] = defaultdict(list)
    story_items: dict[int, list[Item]] = defaultdict(list)
    for n, item in enumerate(itn, 1):
        members[item.event].append((n, item))
        story_items[story_of[n][0]].append(item)
    total = {e: len({i.language for _, i in m}) for e, m in members.items()}
    wide = sorted(e for e, t in total.items() if t >= 8)
    narrow = [e for e, t in total.items() if t <= 2]

    def delay(flags: dict[str, datetime], event: str) -> float | None:
        first = members[event][0][1].published
        return round((flags[event] - first) / timedelta(hours=1), 1) if event in flags else None

    def main_story(event: str) -> int:
        return Counter(story_of[n][0] for n, _ in members[event]).most_common(1)[0][0]

    def reach_gold(event: str, hours: float) -> int:
        first = members[event][0][1].published
        return len({i.language for _, i in members[event] if i.published - first <= timedelta(hours=hours)})

    def reach_story(event: str) -> int:
        """The most first-times of languages a 24 h window of the event's main story holds,
        for windows ending within 24 h of the event's first report."""
        first = members[event][0][1].published
        firsts: dict[str, datetime] = {}
        for item in sorted(story_items[main_story(event)], key=lambda i: i.published):
            firsts.setdefault(item.language, item.published)
        ends = [t for t in firsts.values() if first <= t <= first + timedelta(hours=24)]
        day = timedelta(hours=24)
        return max((sum(1 for w in firsts.values() if t - day < w <= t) for t in ends), default=0)

    events = []
    for event in wide:
        first, main = members[event][0][1].published, main_story(event)
        day = [(n, i) for n, i in members[event] if i.published - first <= timedelta(hours=24)]
        in_main = [i for n, i in members[event] if story_of[n][0] == main]
        events.append(
            {
                "event": event,
                "languages": total[event],
                "gold_languages_at_h": [reach_gold(event, h) for h in SPREAD_HOURS],
                "main_story_languages_at_h": [
                    len({i.language for i in in_main if i.published - first <= timedelta(hours=h)})
                    for h in SPREAD_HOURS
                ],
                "stories_in_first_day": len({story_of[n][0] for n, _ in day}),
                "gold_delay_h": delay(gold, event),
                "stage_delay_h": delay(stage, event),
            }
        )
    ceiling = {
        f"k={k}": {
            "gold_wide": sum(reach_gold(e, 24) >= k for e in wide) / len(wide),
            "gold_narrow": round(sum(reach_gold(e, 24) >= k for e in narrow) / len(narrow), 3),
            "stage_wide": sum(reach_story(e) >= k for e in wide) / len(wide),
            "stage_narrow": round(sum(reach_story(e) >= k for e in narrow) / len(narrow), 3),
        }
        for k in (2, 3)
    }
    return {"wide": len(wide), "narrow": len(narrow), "ceiling": ceiling, "events": events}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sweep", action="store_true")
    parser.add_argument("--pipeline", action="store_true")
    parser.add_argument("--trends-speed", action="store_true", help="time /trends on 200,000 articles")
    parser.add_argument(
        "--stage-cost", action="store_true", help="what the rising-terms triggers add to the stories stage"
    )
    parser.add_argument("--explain", action="store_true", help="why the stage loses wide events gold flags")
    parser.add_argument(
        "--spread", action="store_true", help="each wide event's first day, and the ceilings"
    )
    args = parser.parse_args()
    if args.spread:
        table = spread_table(load_itn(), BreakingParams())
        for event in table.pop("events"):  # type: ignore[attr-defined]
            print(json.dumps(event))
        print(json.dumps(table))
        return
    if args.trends_speed:
        print(json.dumps(trends_speed()))
        return
    if args.explain:
        print(json.dumps(explain_losses(load_itn(), BreakingParams()), indent=1))
        return
    if args.stage_cost:
        print(json.dumps(stage_cost()))
        print(
            json.dumps(
                {
                    "detector_us_per_article": round(
                        detector_cost(load_itn() + load_allsides(), BreakingParams()), 1
                    )
                }
            )
        )
        return
    itn, allsides = load_itn(), load_allsides()
    quiet = quiet_week(allsides)
    base = BreakingParams()
    rows = [report("gold events, defaults", base, itn, allsides, quiet)]
    if args.sweep:
        for window, factor, floor, weight in product((6, 12, 24), (1.5, 2.0, 3.0, 4.0), (2, 3), (0.0, 1.0)):
            params = replace(
                base, window_hours=window, factor=factor, min_outlets=floor, language_weight=weight
            )
            rows.append(
                report(f"w={window} f={factor} floor={floor} lw={weight}", params, itn, allsides, quiet)
            )
    if args.pipeline:
        rows.append(report("through the stories stage", base, itn, allsides, quiet, flagger=flag_pipeline))
        mostly = "stage, any story mostly of the event"
        rows.append(report(mostly, base, itn, allsides, quiet, flagger=flag_pipeline_any))
    for row in rows:
        print(json.dumps(row))
    cost = detector_cost(itn + allsides, base)
    print(json.dumps({"detector_us_per_article": round(cost, 1)}))
    if STAGE_SECONDS:
        articles = sum(n for n, _ in STAGE_SECONDS)
        seconds = sum(s for _, s in STAGE_SECONDS)
        stage_us = seconds / max(1, articles) * 1e6
        print(
            json.dumps({"stage_us_per_article": round(stage_us), "detector_share": round(cost / stage_us, 4)})
        )


if __name__ == "__main__":
    main()
