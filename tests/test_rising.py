"""Rising names (monitor.watches.rising): the last 48 hours' stories against the 14 days
before, as a pure function, and as `monitor trends`, /api/trends and /trends show them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from monitor.watches.rising import RisingParams, rising_names

NOW = datetime(2025, 3, 20, 12, tzinfo=UTC)


def stories(n: int, hours_ago: float, *names: str) -> list[tuple[datetime, list[str]]]:
    return [(NOW - timedelta(hours=hours_ago, minutes=i), list(names)) for i in range(n)]


def test_a_name_rises_against_its_own_past_not_by_its_count_alone() -> None:
    history = stories(55, 100, "Biden") + stories(55, 200, "Other")  # the 14 days before
    recent = stories(20, 5, "Biden") + stories(6, 10, "Ljubljana") + stories(14, 20, "Other")
    found = rising_names(history + recent, NOW)
    names = [r.name for r in found]
    # Ljubljana: 6 stories, none before; Biden: 20 stories where 55 before (in 110 stories,
    # against 40 now) predicted 20; Other fell.
    assert names == ["Ljubljana"]
    top = found[0]
    assert (top.recent, top.before, top.expected) == (6, 0, 0.0)


def test_the_floor_and_the_pseudo_count_keep_small_counts_down() -> None:
    recent = stories(2, 3, "Rare") + stories(9, 3, "Summit") + stories(3, 3, "Few")
    found = {r.name: r for r in rising_names(recent, NOW)}
    assert "Rare" not in found  # under the floor of 3 stories
    assert found["Summit"].score > found["Few"].score  # 9 beats 3, both new
    assert rising_names(recent, NOW, RisingParams(min_stories=10)) == []


def test_a_name_counts_once_per_story_whatever_its_spelling() -> None:
    recent = [(NOW - timedelta(hours=1), ["Kyiv", "KYIV", "kyiv", "2024"]) for _ in range(4)]
    (found,) = rising_names(recent, NOW)
    assert found.recent == 4 and found.name == "Kyiv"


def test_stories_outside_the_16_days_or_after_now_do_not_count() -> None:
    late = stories(5, -3, "Future")  # dated after now
    old = stories(50, 24 * 20, "Ancient")  # before the 14 days
    assert rising_names(late + old + stories(3, 2, "Now"), NOW)[0].name == "Now"
    assert [r.name for r in rising_names(late + old + stories(3, 2, "Now"), NOW)] == ["Now"]


def tiny_gazetteer(cache: Path) -> None:
    """The gazetteer the places stage would have built, with one place: Geneva."""
    import sqlite3

    from monitor.entities.gazetteer import _SCHEMA, default_gazetteer_path

    path = default_gazetteer_path()
    assert path.parent == cache
    cache.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as db:
        db.executescript(_SCHEMA)
        db.execute("INSERT INTO place VALUES (2660646, 2660646, 'Geneva', 'CH', 'city', 201741, 'GE')")
    db.close()


def test_trends_are_shown_by_the_cli_the_api_and_the_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .conftest import run_monitor
    from .test_web import WebServer, build_database

    built = build_database(tmp_path)
    from monitor.store import Store

    with Store.open(built.db) as store, store.transaction():
        # The summit's story and three more naming Geneva, all first reported in the last day;
        # their key names hold a capitalised common word, their articles a recognised person.
        store.db.execute("UPDATE stories SET first_seen = ?, entities = ?", [
            (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            '["Survey", "Geneva", "2024"]',
        ])  # fmt: skip
        place_geneva(store)
        name_berset(store)
    monkeypatch.setenv("MONITOR_CACHE_DIR", str(tmp_path / "cache"))
    tiny_gazetteer(tmp_path / "cache")
    args = ("--config", str(built.config), "--db", str(built.db))
    text = run_monitor(*args, "trends")
    assert text.returncode == 0, text.stderr
    assert "rising places (cities, regions):\n  1. Geneva, CH  4 stories (before: 0" in text.stdout
    assert (
        "rising names, 48 hours" in text.stdout
        and "1. Alain Berset  4 stories (before: 0, expected 0.0)" in text.stdout
    )
    assert "Survey" not in text.stdout  # a key name of every story, not a recognised name
    assert "rising countries" in text.stdout and "1. Switzerland (CH)  4 stories (before: 0" in text.stdout
    as_json = json.loads(run_monitor(*args, "trends", "--json").stdout)
    assert [(r["key"], r["name"]) for r in as_json["names"]] == [("alain berset", "Alain Berset")]
    assert [(r["code"], r["name"]) for r in as_json["countries"]] == [("CH", "Switzerland")]
    server = WebServer(built.config, built.db)
    try:
        api = server.get("/api/trends").json()
        assert api["names"] == [
            {
                "key": "alain berset",
                "name": "Alain Berset",
                "recent": 4,
                "before": 0,
                "expected": 0.0,
                "score": 2.0,
            }
        ]  # shown by its most mentioned spelling in Latin letters
        assert api["countries"] == [
            {"code": "CH", "name": "Switzerland", "recent": 4, "before": 0, "expected": 0.0, "score": 2.0}
        ]  # France, named by one story only, stays under the floor
        assert [(r["geonameid"], r["name"], r["country"], r["recent"]) for r in api["places"]] == [
            (2660646, "Geneva", "CH", 4)
        ]  # Switzerland named as a place counts among the countries only
        page = server.get("/trends").text
        assert 'id="trends"' in page and '<a href="/names/alain%20berset">Alain Berset</a>' in page
        assert "Survey" not in page
        # A rising country, and a rising place's country, lead to the country's page.
        assert 'id="rising-countries"' in page and '<a href="/places/CH">Switzerland</a>' in page
        assert 'id="rising-places"' in page and '<a class="count" href="/places/CH">CH</a>' in page
        assert server.get("/places/CH").status_code == 200
        assert server.get("/api/trends?limit=0").status_code == 400
    finally:
        server.stop()


def place_geneva(store: Any) -> None:
    """Every article of every story names Geneva and Switzerland (CH); the first also Paris
    (FR)."""
    placed = store.query("SELECT id FROM articles WHERE story_id IS NOT NULL ORDER BY id")
    ids = [int(r["id"]) for r in placed]
    insert = "INSERT INTO article_places (article_id, geonameid, country) VALUES (?, ?, ?)"
    store.db.executemany(insert, [(i, 2660646, "CH") for i in ids])
    store.db.executemany(insert, [(i, 2658434, "CH") for i in ids])  # the country, as a place
    store.db.execute(insert, [ids[0], 2988507, "FR"])


def name_berset(store: Any) -> None:
    """Every article of every story names Alain Berset (a person the names stage recognised),
    the first also in Cyrillic; none names "Survey"."""
    named = store.query("SELECT id FROM articles WHERE story_id IS NOT NULL ORDER BY id")
    ids = [int(r["id"]) for r in named]
    insert = "INSERT INTO article_names (article_id, key, name, variants, mentions) VALUES (?, ?, ?, '[]', ?)"
    store.db.execute("DELETE FROM article_names")
    store.db.executemany(insert, [(i, "alain berset", "Alain Berset", 1) for i in ids[1:]])
    store.db.execute(insert, [ids[0], "alain berset", "Ален Берсе", 2])


def test_the_digest_has_a_rising_line(tmp_path: Path) -> None:
    from monitor.store import Store

    from .conftest import run_monitor
    from .test_web import DAY, build_database

    built = build_database(tmp_path)  # four live stories of DAY
    with Store.open(built.db) as store, store.transaction():
        store.db.execute('UPDATE stories SET entities = \'["Survey", "Geneva"]\'')
        place_geneva(store)
        name_berset(store)
    args = ("--config", str(built.config), "--db", str(built.db))
    text = run_monitor(*args, "digest", "--date", DAY)
    assert text.returncode == 0, text.stderr
    assert (
        "Rising names (stories of the last 48 hours; of the 14 days before):\n   Alain Berset (4; 0)"
        in text.stdout
    )
    assert (
        "Rising countries (stories with a place there, the last 48 hours; the 14 days before):\n"
        "   Switzerland (4; 0)\n" in text.stdout
    )
    page = tmp_path / "digest.html"
    assert run_monitor(*args, "digest", "--date", DAY, "--output", str(page)).returncode == 0
    html = page.read_text(encoding="utf-8")
    assert "Alain Berset (4; 0)" in html and "Switzerland (4; 0)" in html
    assert "Survey" not in html and "Survey" not in text.stdout  # every story's key name, no one's name


def test_a_place_without_a_gazetteer_is_shown_by_its_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from monitor.stories import records

    monkeypatch.setenv("MONITOR_CACHE_DIR", str(tmp_path))
    records._gazetteer.cache_clear()
    try:
        assert records.place_label(2660646) == {"name": "GeoNames 2660646", "country": ""}
        records._gazetteer.cache_clear()
        tiny_gazetteer(tmp_path)
        assert records.place_label(2660646) == {"name": "Geneva", "country": "CH"}
    finally:
        records._gazetteer.cache_clear()
    assert "2658434" in records.country_geonameids()  # Switzerland
