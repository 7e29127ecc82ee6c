"""The watches stage on a real SQLite file: matches stored with why, backfill, removal, prune."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from monitor.store import Store
from monitor.watches.match import backfill_window_start, run_watch_stage, try_watch
from monitor.watches.settings import WatchesConfig, parse_watches_section

from .watches_helpers import FakeEmbedder, Item, add, open_store

CLIMATE = (1.0, 0.0, 0.0)
FOOTBALL = (0.0, 1.0, 0.0)


def watches(*items: dict[str, Any]) -> WatchesConfig:
    return parse_watches_section(list(items), "feeds.yaml", model="fake")


def embedder() -> FakeEmbedder:
    return FakeEmbedder({"Talks on the climate of the planet": (0.95, 0.3, 0.0)})


def matches(store: Store, name: str) -> dict[int, dict[str, Any]]:
    rows = store.query(
        "SELECT m.* FROM watch_matches m JOIN watches w ON w.id = m.watch_id WHERE w.name = ?", [name]
    )
    return {int(r["article_id"]): {**r, "why": json.loads(r["why"])} for r in rows}


def news(store: Store) -> list[int]:
    return add(
        store,
        [
            Item(0, "Climate summit opens in Zürich", "Leaders meet.", "en", 1, story=1, vector=CLIMATE),
            Item(
                1,
                "Le sommet sur le climat s'ouvre",
                "Les dirigeants.",
                "fr",
                2,
                story=1,
                vector=(0.9, 0.1, 0),
            ),
            Item(2, "Путин прибыл в Пекин", "Визит Путина в Китай.", "ru", 3, story=2, vector=(0, 0, 1)),
            Item(0, "Cup final tonight", "Football fans gather.", "en", 4, story=3, vector=FOOTBALL),
        ],
    )


def test_new_articles_are_matched_in_order_with_why(tmp_path: Path) -> None:
    with open_store(tmp_path / "m.db") as store:
        config = watches(
            {"name": "Climate", "query": 'climate OR "sommet sur le climat"'},
            {"name": "Putin", "names": ["Putin"]},
            {"name": "About", "about": "Talks on the climate of the planet"},
        )
        run_watch_stage(store, config, embedder)  # the watches exist before the news
        ids = news(store)
        assert store.watch_pending_count() == 4
        report = run_watch_stage(store, config, embedder)
        assert report.articles == 4 and store.watch_pending_count() == 0
        climate = matches(store, "Climate")
        assert set(climate) == {ids[0], ids[1]}
        assert climate[ids[0]]["why"] == {"terms": ["climate"]} and climate[ids[0]]["story_id"] == 1
        assert climate[ids[1]]["why"]["terms"] == ['"sommet sur le climat"']
        assert climate[ids[0]]["backfill"] == 0
        putin = matches(store, "Putin")
        assert set(putin) == {ids[2]} and putin[ids[2]]["why"] == {"names": ["Putin"]}
        about = matches(store, "About")
        assert set(about) == {ids[0], ids[1]}
        assert 0.9 < about[ids[0]]["similarity"] <= 1.0
        # nothing is matched twice, across a restart
    with Store.open(tmp_path / "m.db") as store:
        assert run_watch_stage(store, config, embedder).articles == 0
        assert len(matches(store, "Climate")) == 2


def test_a_story_matches_when_one_of_its_articles_does(tmp_path: Path) -> None:
    with open_store(tmp_path / "m.db") as store:
        config = watches({"name": "Zurich", "query": "zurich"})
        run_watch_stage(store, config, None)
        news(store)
        run_watch_stage(store, config, None)
        watch_id = int(store.watch_row("Zurich")["id"])  # type: ignore[index]
        stories = store.watch_stories(watch_id, "2000", "3000", 1)
        assert [(s["story_id"], s["matched"], s["n_outlets"]) for s in stories] == [(1, 1, 2)]
        assert store.watch_stories(watch_id, "2000", "3000", 3) == []  # min_outlets on the story


def test_filters(tmp_path: Path) -> None:
    with open_store(tmp_path / "m.db") as store:
        config = watches(
            {"name": "fr", "query": "climat*", "languages": ["fr"]},
            {"name": "tag", "query": "climat*", "tags": ["fr"]},
            {"name": "feed", "query": "climat*", "feeds": ["English Daily"]},
            {"name": "url", "query": "climat*", "feeds": ["https://FR.example/rss"]},
        )
        run_watch_stage(store, config, None)
        ids = news(store)
        run_watch_stage(store, config, None)
        assert set(matches(store, "fr")) == {ids[1]}
        assert set(matches(store, "tag")) == {ids[1]}
        assert set(matches(store, "feed")) == {ids[0]}
        assert set(matches(store, "url")) == {ids[1]}


def test_new_watch_is_backfilled_over_its_window_and_edits_backfill_again(tmp_path: Path) -> None:
    with open_store(tmp_path / "m.db") as store:
        old = add(store, [Item(0, "Climate talks long ago", hours=-24 * 40)])
        ids = news(store)
        run_watch_stage(store, watches(), None)  # no watch yet: the pending articles are dropped
        assert store.watch_pending_count() == 0
        seen: list[tuple[str, int, int]] = []
        config = watches({"name": "Climate", "query": "climate"})
        report = run_watch_stage(store, config, None, progress=lambda *a: seen.append(a))
        assert report.backfilled == (("Climate", 4, 1),)
        # only the candidates are read: the two articles that hold "climate" (one is outside
        # the window, which the read leaves out)
        assert seen[-1] == ("Climate", 2, 2)
        assert set(matches(store, "Climate")) == {ids[0]}  # the article 40 days back is outside
        assert old[0] not in matches(store, "Climate")
        assert matches(store, "Climate")[ids[0]]["backfill"] == 1
        assert run_watch_stage(store, config, None).backfilled == ()  # once
        # a longer window reaches the old article; an edited query replaces the matches
        longer = watches({"name": "Climate", "query": "climate", "backfill_days": 60})
        assert run_watch_stage(store, longer, None).backfilled == ()  # the window is no edit
        edited = watches({"name": "Climate", "query": "cup OR climate", "backfill_days": 60})
        run_watch_stage(store, edited, None)
        assert set(matches(store, "Climate")) == {old[0], ids[0], ids[3]}


def test_removed_watch_keeps_its_history_until_pruned(tmp_path: Path) -> None:
    with open_store(tmp_path / "m.db") as store:
        config = watches({"name": "Climate", "query": "climate"}, {"name": "Cup", "query": "cup"})
        run_watch_stage(store, config, None)
        news(store)
        run_watch_stage(store, config, None)
        run_watch_stage(store, watches({"name": "Cup", "query": "cup"}), None)
        rows = {r["name"]: r for r in store.watches_rows()}
        assert rows["Climate"]["removed_at"] and rows["Climate"]["matches"] == 1
        add(store, [Item(0, "Climate again", hours=5)])
        run_watch_stage(store, watches({"name": "Cup", "query": "cup"}), None)
        assert len(matches(store, "Climate")) == 1  # a removed watch stops matching
        assert store.watches_prune() == ["Climate"]
        assert matches(store, "Climate") == {} and [r["name"] for r in store.watches_rows()] == ["Cup"]


def test_changed_article_is_matched_again(tmp_path: Path) -> None:
    with open_store(tmp_path / "m.db") as store:
        config = watches({"name": "Cup", "query": "cup"})
        run_watch_stage(store, config, None)
        ids = news(store)
        run_watch_stage(store, config, None)
        assert set(matches(store, "Cup")) == {ids[3]}
        with store.transaction():
            store.db.execute(
                "UPDATE articles SET title = 'Final tonight', content_hash = 'x' WHERE id = ?", [ids[3]]
            )
        assert store.watch_pending_count() == 1
        run_watch_stage(store, config, None)
        assert matches(store, "Cup") == {}


def test_try_watch_saves_nothing(tmp_path: Path) -> None:
    with open_store(tmp_path / "m.db") as store:
        ids = news(store)
        watch = watches({"name": "Putin", "names": ["Путин"]}).watches[0]
        found = try_watch(store, watch, "fake", None)
        assert [row["id"] for row, _ in found] == [ids[2]]
        assert store.count("watch_matches") == 0 and store.count("watches") == 0
        assert backfill_window_start(store, 30) == "2025-01-30T16:00:00Z"


# Name matching itself (scripts, endings, look-alikes) is tested in tests/test_watches_names.py.
