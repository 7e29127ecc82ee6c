"""An article's places and names reach the story decision whatever the pace of their stages:
a real SQLite store, a small gazetteer file (a handful of GeoNames places and their names in
several scripts, in the real file format), the real stages and the default model."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.cli.stories_text import format_story
from monitor.entities.evidence import StoryEvidence
from monitor.entities.gazetteer import _SCHEMA, CITY, COUNTRY, Gazetteer, place_key
from monitor.entities.placestage import PlacesStage
from monitor.entities.stage import run_names_stage
from monitor.errors import MonitorError
from monitor.store import Store
from monitor.stories.records import story_detail
from monitor.stories.stage import run_story_stage
from monitor.web.views import why_line

T0 = datetime(2023, 1, 30, 9, tzinfo=UTC)
# GeoNames ids, names and some of their alternate names (GeoNames data, CC-BY).
PLACES = [
    (1168197, "Peshawar", "PK", CITY, 1218773, ("Peshawar", "Pexauar", "Пешавар", "白沙瓦")),
    (1168579, "Pakistan", "PK", COUNTRY, 220892331, ("Pakistan", "Paquistão", "Пакистан", "巴基斯坦")),
    (298795, "Türkiye", "TR", COUNTRY, 84339067, ("Turkey", "Türkiye", "Turquia", "Турция", "土耳其")),
]
# One event in three languages and scripts, and another event.
ARTICLES = [
    ("en", "Suicide bombing in a Peshawar mosque kills 59",
     "A suicide bombing in a mosque kills 59 people and injures 170 others in Peshawar, Pakistan."),
    ("pt", "Atentado terrorista em mesquita de Pexauar, Paquistão, deixa pelo menos 61 mortos",
     "Um atentado suicida numa mesquita de Pexauar, no Paquistão, deixou pelo menos 61 mortos."),
    ("ru", "Взрыв в мечети в Пешаваре",
     "В результате теракта в мечети в Пешаваре (Пакистан) погибли по меньшей мере 59 человек."),
    ("en", "Earthquake in Turkey kills thousands",
     "A magnitude 7.8 earthquake strikes southern Turkey near the Syrian border, killing thousands."),
]


NAMES_1 = {"Peshawar", "Pakistan"}  # what the names stage reads in the first article


@pytest.fixture(scope="module")
def gazetteer_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gazetteer") / "small.sqlite"
    with sqlite3.connect(path) as db:
        db.executescript(_SCHEMA)
        for geonameid, name, country, kind, population, names in PLACES:
            db.execute("INSERT INTO place VALUES (?,?,?,?,?,?,?)",
                       (geonameid, geonameid, name, country, kind, population, ""))
            for n, alias in enumerate(names):
                db.execute("INSERT OR IGNORE INTO alias (key, place_id, main) VALUES (?,?,?)",
                           (place_key(alias), geonameid, n == 0))
    db.close()
    return path


def fill(path: Path) -> Store:
    store = Store.open(path)
    for n, (language, title, text) in enumerate(ARTICLES, start=1):
        store.db.execute(
            "INSERT INTO feeds (id, url, name, language, created) VALUES (?, ?, ?, ?, ?)",
            [n, f"https://feed{n}.example/rss", f"Outlet {n}", language, "2023-01-01T00:00:00Z"],
        )
        when = (T0 + timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%SZ")
        store.db.execute(
            "INSERT INTO articles (id, feed_id, guid, title, text, language, published, first_seen, "
            "content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [n, n, f"g{n}", title, text, language, when, when, f"h{n}"],
        )
        store.db.execute("INSERT INTO names_pending (article_id) VALUES (?)", [n])
    return store


@pytest.fixture
def stores(tmp_path: Path, gazetteer_path: Path) -> Iterator[tuple[Store, Store, PlacesStage]]:
    places = PlacesStage(gazetteer_path)
    with fill(tmp_path / "staged.db") as staged, fill(tmp_path / "backlog.db") as backlog:
        yield staged, backlog, places


def assignments(store: Store) -> list[tuple[int, int, str]]:
    return [(r["id"], r["story_id"], r["story_reason"] or "") for r in
            store.query("SELECT id, story_id, story_reason FROM articles ORDER BY id")]


def test_the_stories_stage_decides_the_same_whether_or_not_the_entities_stages_ran_first(
    stores: tuple[Store, Store, PlacesStage],
) -> None:
    staged, backlog, places = stores
    # The usual order: names, places, then stories.
    assert run_names_stage(staged) == len(ARTICLES) and places(staged)
    run_story_stage(staged, evidence=StoryEvidence(staged, places.gazetteer))
    # A backlog that the names and places stages have not reached: the stories stage reads
    # what they would have stored, and stores it, so they find nothing left to do.
    run_story_stage(backlog, evidence=StoryEvidence(backlog, places.gazetteer))
    assert backlog.places_pending_count() == 0 and backlog.names_pending_count() == 0
    assert assignments(backlog) == assignments(staged)
    for store in (staged, backlog):
        assert store.article_places([2])[2] == [
            {"geonameid": 1168197, "name": "Peshawar", "country": "PK"},
            {"geonameid": 1168579, "name": "Pakistan", "country": "PK"},
        ]
    stories = {story for _, story, _ in assignments(backlog)}
    assert len(stories) == 2  # the bombing in three languages, the earthquake
    # The explanation names the places that the reports share across languages.
    reason = dict((i, why) for i, _, why in assignments(backlog))[2]
    assert "across languages: " in reason and "shared places Peshawar, Pakistan" in reason
    assert "shared places Peshawar, Pakistan" in format_story(backlog, assignments(backlog)[0][1])
    # ... and so does the story page, line by line.
    items = story_detail(backlog, assignments(backlog)[0][1])["items"]
    page = [" · ".join(why_line(item["why"])) for item in items]
    assert any("across languages by" in x and "shared places Peshawar, Pakistan" in x for x in page), page


def test_without_a_gazetteer_stories_go_on_with_names_alone(
    stores: tuple[Store, Store, PlacesStage], caplog: pytest.LogCaptureFixture
) -> None:
    _, backlog, _ = stores

    def broken() -> Gazetteer:
        raise MonitorError("places: cannot build the gazetteer: disk full")

    evidence = StoryEvidence(backlog, broken)
    with caplog.at_level(logging.WARNING, logger="monitor.entities"):
        first = evidence(backlog.stories_pending(2))
        evidence(backlog.stories_pending(4))
    assert [r.getMessage() for r in caplog.records].count(
        "event=story_evidence_without_places error='places: cannot build the gazetteer: disk full'"
    ) == 1
    assert first[1].places == () and {n["name"] for n in first[1].names} >= NAMES_1
    assert backlog.places_pending_count() == len(ARTICLES)  # places are left for their stage
    assert backlog.names_pending_count() == 0
