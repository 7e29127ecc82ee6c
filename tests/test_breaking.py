"""Breaking stories: the pure detector (monitor.stories.breaking) and the stage that runs it."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.stories.breaking import (
    Baseline,
    BreakingParams,
    BreakingTracker,
    Coverage,
    breaking_decision,
)
from monitor.stories.settings import StorySettings
from monitor.stories.stage import run_story_stage

from .test_stories import corpus, fill, make_store

T0 = datetime(2024, 5, 1, 12, tzinfo=UTC)
LANGS = ["en", "fr", "de", "es", "it", "ru", "pt", "nl", "pl", "sv", "fi", "da"]


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def spread(tracker: BreakingTracker, story: int, start: datetime, outlets: int, every_minutes: float) -> None:
    """A story picked up by `outlets` outlets, each in its own language, one after another."""
    for n in range(outlets):
        when = start + timedelta(minutes=n * every_minutes)
        tracker.observe(story, when, f"outlet-{n}", LANGS[n % len(LANGS)])


def test_the_decision_needs_the_floor_and_the_baseline() -> None:
    params = BreakingParams(min_outlets=3, factor=2.0)
    assert not breaking_decision(2, 2, 1.0, 0.0, params).breaking  # under the floor, whatever the baseline
    assert breaking_decision(3, 1, 1.0, 1.5, params).breaking  # 4 >= 2 x 1.5
    assert not breaking_decision(3, 1, 1.0, 2.5, params).breaking  # 4 < 2 x 2.5
    why = breaking_decision(3, 1, 1.0, 1.5, params).why(24.0)
    assert why == {
        "outlets": 3,
        "languages": 1,
        "window_hours": 24.0,
        "score": 4.0,
        "baseline": 1.5,
        "age_hours": 1.0,
    }


def test_a_story_spreading_across_languages_is_flagged_when_it_tips() -> None:
    tracker = BreakingTracker()
    spread(tracker, 1, T0, 6, 20)
    coverage = tracker.stories[1]
    # Fresh installation: the prior baseline is 3 in the first hour (3.3 with this story's own
    # first outlets), so 4 outlets and 4 languages (8 >= 2 x 3.3) tip it, at the fourth
    # outlet's publication time; 3 and 3 (6) did not.
    assert coverage.breaking_at == minutes(60)
    assert coverage.why is not None and coverage.why["outlets"] == 4 and coverage.why["languages"] == 4
    assert tracker.raised == {1: minutes(60)}


def test_a_quiet_installation_flags_nothing() -> None:
    tracker = BreakingTracker()
    rng = random.Random(3)
    for story in range(1, 30):  # a few articles a day, each story in one or two outlets
        day = T0 + timedelta(days=story // 4, hours=rng.randrange(24))
        spread(tracker, story, day, rng.choice([1, 2]), 30)
    assert not tracker.raised
    assert all(c.breaking_at is None for c in tracker.stories.values())


def test_a_flood_from_one_outlet_is_not_breaking() -> None:
    tracker = BreakingTracker()
    for n in range(500):  # 500 copies of one wire story in an hour, from one feed
        tracker.observe(1, T0 + timedelta(seconds=7 * n), "wire", "en")
    assert not tracker.raised
    assert list(tracker.stories[1].outlets) == ["wire"]
    # Only the first article told the baseline anything.
    assert tracker.baseline.gains[0] == pytest.approx(BreakingParams().prior_score * 0.99 * 10 + 2.0)


def test_the_baseline_is_learned_from_the_installation() -> None:
    # A busy installation where every story gets 4 outlets in its first hour (one language).
    tracker = BreakingTracker(BreakingParams(language_weight=0.0))
    for story in range(1, 301):
        for n in range(4):
            tracker.observe(story, T0 + timedelta(hours=story, minutes=10 * n), f"o{n}", "en")
    tracker.raised.clear()
    usual = tracker.baseline.usual(0.5, tracker.params)
    assert 3.8 < usual <= 4.0
    for n in range(5):  # 5 outlets: usual here, not breaking
        tracker.observe(1000, T0 + timedelta(days=30, minutes=n), f"o{n}", "en")
    assert 1000 not in tracker.raised
    for n in range(8):  # 8 outlets: just under twice the usual (just over 4, story 1000 included)
        tracker.observe(1001, T0 + timedelta(days=31, minutes=n), f"p{n}", "en")
    assert not tracker.raised
    tracker.observe(1001, T0 + timedelta(days=31, minutes=8), "p8", "en")  # 9: over twice
    assert tracker.raised == {1001: T0 + timedelta(days=31, minutes=8)}


def test_what_a_story_gains_once_flagged_stays_out_of_the_baseline() -> None:
    tracker = BreakingTracker()
    spread(tracker, 1, T0, 4, 20)  # flagged at its fourth outlet (see above)
    assert tracker.stories[1].breaking_at == minutes(60)
    at_flag = list(tracker.baseline.gains)
    for n in range(4, 12):  # eight more outlets and languages, hours later: unusual, not counted
        tracker.observe(1, minutes(60 * n), f"outlet-{n}", LANGS[n])
    assert tracker.baseline.gains == at_flag
    # An article published before the flag (arriving late) still counts, at its own time.
    tracker.observe(1, minutes(30), "late", "ja")
    assert tracker.baseline.gains[0] == pytest.approx(at_flag[0] + 2.0)


def test_wide_events_do_not_raise_the_bar_for_the_next_one() -> None:
    # 100 stories of one outlet and 10 wide events (12 languages over 12 hours each)...
    tracker = BreakingTracker()
    for k in range(110):
        spread(tracker, k + 1, T0 + timedelta(hours=k), 12 if k % 11 == 10 else 1, 60)
    assert len(tracker.raised) == 10
    # ...then a story that reaches a third language 15 hours after its first report: twice
    # the usual first day of the stories that were not flagged (about 2.5), so it is flagged.
    start = T0 + timedelta(days=10)
    for hours, language in ((0, "en"), (10, "fr"), (15, "de")):
        tracker.observe(999, start + timedelta(hours=hours), f"o-{language}", language)
    assert tracker.stories[999].breaking_at == start + timedelta(hours=15)


def test_clock_jumps_neither_raise_nor_suppress_a_flag_now() -> None:
    tracker = BreakingTracker()
    # An article dated a month ahead: its story cannot be breaking on one outlet...
    tracker.observe(1, T0 + timedelta(days=30), "odd-clock", "en")
    # ...and does not hold back a story that spreads now.
    spread(tracker, 2, T0, 5, 10)
    assert set(tracker.raised) == {2}
    assert tracker.raised[2] == minutes(30)
    # A backlog dated last month, arriving now: its flag (if any) is dated last month.
    spread(tracker, 3, T0 - timedelta(days=30), 6, 10)
    assert tracker.stories[3].breaking_at is not None
    assert tracker.stories[3].breaking_at < T0 - timedelta(days=29)


def test_a_late_article_counts_at_its_own_time() -> None:
    tracker = BreakingTracker()
    tracker.observe(1, minutes(0), "a", "en")
    tracker.observe(1, minutes(60 * 30), "b", "fr")  # 30 hours later
    tracker.observe(1, minutes(10), "c", "de")  # arrives late: only two outlets before it
    tracker.observe(1, minutes(20), "d", "es")  # three
    assert not tracker.raised
    tracker.observe(1, minutes(25), "e", "it")  # four outlets in four languages before it
    assert tracker.raised == {1: minutes(25)}


def test_merged_stories_keep_the_earlier_flag() -> None:
    tracker = BreakingTracker()
    spread(tracker, 1, T0, 5, 5)
    spread(tracker, 2, T0 + timedelta(hours=2), 5, 5)
    assert set(tracker.raised) == {1, 2}
    tracker.raised.clear()
    tracker.merge(2, 1)
    assert tracker.stories[1].breaking_at == minutes(15) and 2 not in tracker.stories
    assert not tracker.raised  # its flag did not change


def test_stored_state_continues_as_an_uninterrupted_run() -> None:
    rng = random.Random(11)
    stream = []
    for story in range(1, 80):
        start = T0 + timedelta(hours=rng.uniform(0, 72))
        for _ in range(rng.choice([1, 1, 2, 3, 6])):
            when = start + timedelta(minutes=rng.uniform(0, 600))
            stream.append((when, story, f"o{rng.randrange(9)}", rng.choice(LANGS[:4])))
    stream.sort()
    once = BreakingTracker()
    for item in stream:
        once.observe(*item[1:2], item[0], *item[2:])
    for cut in (1, len(stream) // 3, len(stream) - 5):
        first = BreakingTracker()
        for when, story, outlet, language in stream[:cut]:
            first.observe(story, when, outlet, language)
        # What the database keeps: each story's coverage and flag, and the baseline.
        stored = {
            s: (c.to_json(), c.breaking_at, json.dumps(c.why) if c.why else None)
            for s, c in first.stories.items()
        }
        again = BreakingTracker(
            baseline=Baseline.from_json(first.baseline.to_json(), BreakingParams()),
            stories={s: Coverage.from_json(*row) for s, row in stored.items()},
        )
        for when, story, outlet, language in stream[cut:]:
            again.observe(story, when, outlet, language)
        assert {s: c.breaking_at for s, c in again.stories.items()} == {
            s: c.breaking_at for s, c in once.stories.items()
        }
        assert again.baseline == once.baseline


def test_unreadable_stored_state_starts_afresh() -> None:
    params = BreakingParams()
    assert Baseline.from_json("{not json", params) == Baseline.empty(params)
    assert Baseline.from_json('{"gains": [1], "stories": 2}', params) == Baseline.empty(params)
    assert Coverage.from_json('{"outlets": 3}') == Coverage()


# -- the stage, on a real database -----------------------------------------------------------
def _breaking(path: Path) -> tuple[list[tuple[int, str | None, str | None]], str | None]:
    with make_store(path) as store:
        rows = store.query(
            "SELECT id, breaking_at, breaking_why FROM stories WHERE merged_into IS NULL ORDER BY id"
        )
        return [
            (r["id"], r["breaking_at"], r["breaking_why"]) for r in rows
        ], store.stories_breaking_baseline()


def test_the_stage_flags_the_same_with_or_without_a_restart(tmp_path: Path) -> None:
    items = corpus()  # two WMT stories in five languages within five hours, among others
    with make_store(tmp_path / "once.db") as store:
        fill(store, items, range(7))
        report = run_story_stage(store)
        fill(store, items, range(7, len(items)))
        report = run_story_stage(store)
        assert report.breaking >= 1 and "breaking" in report.summary()
    expected = _breaking(tmp_path / "once.db")
    flagged = [row for row in expected[0] if row[1] is not None]
    assert flagged and all(json.loads(str(why))["outlets"] >= 3 for _, _, why in flagged)
    path = tmp_path / "twice.db"
    with make_store(path) as store:
        fill(store, items, range(7))
        run_story_stage(store, StorySettings(batch_size=3))
    with make_store(path) as store:  # a new process: the tracker is rebuilt from the tables
        fill(store, items, range(7, len(items)))
        run_story_stage(store, StorySettings(batch_size=4))
    assert _breaking(path) == expected
    # Articles that arrive in another order (all at once, in publication order) raise the same
    # flags at the same times; the baseline quoted in `why` is what the stage had learned when
    # the flag went up, so it may differ with what had arrived by then.
    with make_store(tmp_path / "all.db") as store:
        fill(store, items, range(len(items)))
        run_story_stage(store)
    assert [row[:2] for row in _breaking(tmp_path / "all.db")[0]] == [row[:2] for row in expected[0]]


# -- shown: the API, the pages, Atom, the CLI, the export ------------------------------------
def _flag(db: Path, story_id: int, when: str) -> None:
    why = {
        "outlets": 4,
        "languages": 3,
        "window_hours": 24.0,
        "score": 7.0,
        "baseline": 2.1,
        "age_hours": 0.5,
    }
    with make_store(db) as store, store.transaction():
        store.db.execute(
            "UPDATE stories SET breaking_at = ?, breaking_why = ? WHERE id = ?",
            [when, json.dumps(why), story_id],
        )


def test_breaking_stories_are_shown_everywhere(tmp_path: Path) -> None:
    from .conftest import run_monitor
    from .test_web import WebServer, build_database, check_atom

    built = build_database(tmp_path)
    storm, summit = built.ids["storm"], built.ids["summit"]
    with make_store(built.db) as store:
        when = str(
            store.query("SELECT MAX(published) AS t FROM articles WHERE story_id = ?", [storm])[0]["t"]
        )
    _flag(built.db, storm, when)
    why = "4 new outlets and 3 new languages in 24 hours, where a story of its age usually gains 2.1"
    server = WebServer(built.config, built.db)
    try:
        listed = {s["id"]: s for s in server.get("/api/stories").json()["stories"]}
        assert listed[storm]["breaking_at"] == when and why in listed[storm]["breaking"]
        home = server.get("/").text
        assert 'id="breaking"' in home and f'id="breaking-{storm}"' in home and why in home
        assert server.get(f"/api/stories/{storm}").json()["breaking_at"] == when
        assert 'class="mark-breaking"' in server.get(f"/stories/{storm}").text
        assert "mark-breaking" not in server.get(f"/stories/{summit}").text
        assert server.get(f"/api/stories/{summit}").json()["breaking_at"] is None
        atom = server.get("/breaking.atom")
        assert atom.headers["content-type"].startswith("application/atom+xml")
        entries = check_atom(atom.content)
        assert [e.findtext("{http://www.w3.org/2005/Atom}id") for e in entries] == [
            f"{server.base}/stories/{storm}"
        ]
    finally:
        server.stop()
    args = ("--config", str(built.config), "--db", str(built.db))
    listing = run_monitor(*args, "stories", "--since", "2024-03-01")
    assert listing.returncode == 0, listing.stderr
    marked = [line for line in listing.stdout.splitlines() if "BREAKING" in line]
    assert len(marked) == 1 and f"[{storm}]" in marked[0]
    detail = run_monitor(*args, "story", str(storm))
    assert "BREAKING since" in detail.stdout and why in detail.stdout
    exported = run_monitor(*args, "export", "--stories")
    assert exported.returncode == 0, exported.stderr
    rows = [json.loads(line) for line in exported.stdout.splitlines()]
    assert {r["id"]: r["breaking_at"] for r in rows} == {
        built.ids[name]: (when if name == "storm" else None) for name in ("summit", "vote", "xss", "storm")
    }
    one = next(r for r in rows if r["id"] == summit)
    assert list(one) == ["id", "thread_id", "first_published", "last_published",
                         "articles", "outlets", "languages", "breaking_at", "countries"]  # fmt: skip
    assert one["languages"] == ["de", "en", "fr"] and one["articles"] == 4 and one["outlets"] == 3
    as_csv = run_monitor(*args, "export", "--stories", "--format", "csv")
    assert (
        as_csv.stdout.splitlines()[0]
        == "id,thread_id,first_published,last_published,articles,outlets,languages,breaking_at,countries"
    )
