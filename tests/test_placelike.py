"""Names that are places or peoples (pure decisions), and the names stage keeping them out."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from monitor.config import FeedConfig
from monitor.entities.gazetteer import CITY, CONTINENT, COUNTRY, REGION, Gazetteer, PlaceRecord, place_key
from monitor.entities.names import Name, names_in
from monitor.entities.placelike import (
    demonym_stems,
    is_demonym,
    is_place,
    people_and_organisations,
    people_and_organisations_all,
    place_like_names,
    supported_towns,
)
from monitor.entities.stage import run_names_stage
from monitor.store import Store

from .conftest import ok_update
from .test_entities_names import T0, article


def record(kind: str, population: int = 0, main: bool = True, geonameid: int | None = 1) -> PlaceRecord:
    return PlaceRecord(1, geonameid, "X", "FR", kind, population, "", main)


def test_what_makes_a_name_a_place() -> None:
    assert is_place([record(COUNTRY)], acronym=True)  # US, UK
    assert is_place([record(CONTINENT)], acronym=False)
    assert is_place([record(REGION)], acronym=False)
    assert not is_place([record(REGION)], acronym=True)  # NATO-like acronyms: countries only
    assert not is_place([record(REGION, geonameid=None)], acronym=False)  # an ISO region alone
    assert is_place([record(CITY, 2_100_000)], acronym=False)  # Paris
    assert not is_place([record(CITY, 99_000)], acronym=False)  # a small town's name
    assert not is_place([record(CITY, 500_000, main=False)], acronym=False)  # an alternate name
    assert is_place([record(CITY, 5_000_000, main=False)], acronym=False)  # Londres, Nueva York
    # in a script of its own, a city's other name is as good as its own (Киев, Тегеран)
    assert is_place([record(CITY, 2_900_000, main=False)], acronym=False, own_script=True)
    assert not is_place([record(CITY, 99_000, main=False)], acronym=False, own_script=True)
    assert not is_place([], acronym=False)
    assert not is_place([record(CITY, 136_000)], acronym=False, common=True)  # Bush, not Būsh
    assert is_place([record(REGION)], acronym=False, common=True)


COUNTRIES = ["america", "britain", "china", "europe", "france", "israel", "japan", "pakistan",
             "poland", "turkey", "ukraine", "ukraina", "ameryka", "schweiz"]


def starting(prefix: str) -> list[str]:
    return [c for c in COUNTRIES if c.startswith(prefix)]


@pytest.mark.parametrize("word", ["American", "Americans", "Ukrainian", "Ukrainians", "Chinese",
                                  "British", "Israeli", "Pakistanis", "Europeans", "Japanese",
                                  "Turkish", "Amerykanie", "Ukraińcy", "Schweizer", "Français"])
def test_peoples(word: str) -> None:
    assert is_demonym(word, starting)


@pytest.mark.parametrize("word", ["Francis", "Christian", "Morgan", "Oliver", "Trump", "Putin",
                                  "Cohen", "Brian", "Chin", "Amer", "American Airlines", "Israe"])
def test_not_peoples(word: str) -> None:
    assert not is_demonym(word, starting)


def test_stems_bounded() -> None:
    assert demonym_stems("Ukrainian") == [("ukrain", False), ("ukraini", False)]
    assert demonym_stems("Israelis") == [("israel", True)]
    assert demonym_stems("New Yorker") == [] and demonym_stems("F-16") == []


def test_place_like_names_by_their_fullest_spelling() -> None:
    found = {"paris": (record(CITY, 2_100_000),), "us": (record(COUNTRY),),
             "nato": (record(REGION),), "bush": (record(CITY, 136_000),)}
    assert place_like_names(["Paris", "US", "NATO", "American", "Paris Hilton", "Bush"], found,
                            starting) == [True, True, False, True, False, False]


@pytest.fixture(scope="module")
def gazetteer(gazetteer_file: Path) -> Iterator[Gazetteer]:
    opened = Gazetteer(gazetteer_file)
    yield opened
    opened.close()


def test_people_and_organisations_with_the_gazetteer(gazetteer: Gazetteer) -> None:
    text = ("Officials said that American diplomats met Ukrainian envoys in Paris. Emmanuel Macron "
            "said the European Union and the United States agreed. All of Europe waits, Barack "
            "Obama said.")
    found = names_in("", text, "en")
    kept = [n.name for n in people_and_organisations(found, gazetteer)]
    assert {"Paris", "American", "Ukrainian", "United States", "Europe"} <= {n.name for n in found}
    assert kept == [n.name for n in found if n.name in {"Emmanuel Macron", "European Union",
                                                        "Barack Obama"}]
    assert [n.name for n in people_and_organisations(found, None)] == [n.name for n in found]


def test_the_stage_with_the_gazetteer_stores_no_places(tmp_path: Path, gazetteer: Gazetteer) -> None:
    with Store.open(tmp_path / "monitor.db") as store:
        store.sync_feeds([FeedConfig(url="https://a.example/rss")])
        feed = store.feed_by_url("https://a.example/rss")
        assert feed is not None
        entries = [article("g1", "Angela Merkel met American envoys in Paris on Monday.")]
        store.record_poll(feed, ok_update(T0), entries, url=feed.url, duration_ms=1, size=1)
        assert run_names_stage(store, gazetteer=lambda: gazetteer) == 1
        article_id = int(store.query("SELECT id FROM articles")[0]["id"])
        names = store.article_names([article_id])[article_id]
        assert [n["name"] for n in names] == ["Angela Merkel"]


def test_the_places_stage_reads_the_stored_names_or_finds_them(tmp_path: Path, gazetteer_file: Path) -> None:
    from monitor.entities.placestage import PlacesStage

    text = "Michael Jordan won six titles in Chicago. Jordan said he was proud."
    # names stored (here: none, as if the recogniser had found no one), or waiting: found now
    for stored, expected in ((True, ["Jordan", "Chicago"]), (False, ["Chicago"])):
        with Store.open(tmp_path / f"monitor-{stored}.db") as store:
            store.sync_feeds([FeedConfig(url="https://a.example/rss")])
            feed = store.feed_by_url("https://a.example/rss")
            assert feed is not None
            store.record_poll(feed, ok_update(T0), [article("g1", text)], url=feed.url, duration_ms=1, size=1)
            article_id = int(store.query("SELECT id FROM articles")[0]["id"])
            if stored:
                store.names_write({article_id: []})
            assert store.places_pending(10)[0]["names_waiting"] == (0 if stored else 1)
            assert PlacesStage(gazetteer_file).run(store).with_places == 1
            places = store.article_places([article_id])[article_id]
            assert [p["name"] for p in places] == expected, stored


@pytest.mark.parametrize(
    ("text", "language", "kept"),
    [
        ("Он жил в Соединенных Штатах. В Великобритании тоже. Путин приехал, Путина ждали.", "ru", ["Путин"]),
        ("Mieszka w Stanach Zjednoczonych i we Francji, gdzie Donald Trump mówił.", "pl", ["Donald Trump"]),
        ("Er lebte in den Vereinigten Staaten. Angela Merkel sagte das.", "de", ["Angela Merkel"]),
    ],
)
def test_an_inflected_countrys_name_is_no_name(
    gazetteer: Gazetteer, text: str, language: str, kept: list[str]
) -> None:
    found = names_in("", text, language)
    assert len(found) > len(kept)  # the recogniser reads the countries as names
    assert [n.name for n in people_and_organisations(found, gazetteer, language)] == kept


@pytest.mark.parametrize(
    ("language", "words", "places"),
    [
        ("pl", "Warszawie Kijowie Krakowie Londynie Izraela Hamasu Bushem Trumpa Putina", 5),
        ("ru", "Москве Киеве Минске Путина Трампа Обамы", 3),
    ],
)
def test_an_inflected_word_is_a_city_or_country_only_when_it_says_so_clearly(
    gazetteer: Gazetteer, language: str, words: str, places: int
) -> None:
    # each word alone, as the recogniser gives a name of one word
    found = tuple(Name(w.casefold(), w, (w,), 1) for w in words.split())
    kept = [n.name for n in people_and_organisations(found, gazetteer, language)]
    assert kept == words.split()[places:]


def test_a_city_in_its_nominative_and_another_script_is_no_name(gazetteer: Gazetteer) -> None:
    """Киев and Тегеран are the gazetteer's other names of Kyiv and Tehran: places, not names
    (as Киеве and Тегерана, their inflected forms, already were)."""
    words = "Киев Тегеран Киеве Путин Зеленский"
    found = tuple(Name(w.casefold(), w, (w,), 1) for w in words.split())
    assert [n.name for n in people_and_organisations(found, gazetteer, "ru")] == ["Путин", "Зеленский"]


def test_a_name_ending_with_a_kind_of_place_is_a_place() -> None:
    spellings = ["Sonoma County", "Silicon Valley", "Maacama Fault", "San Francisco Bay Area",
                 "Silicon Valley Bank", "Black Sea Fleet", "County", "Michael Bay"]
    flags = place_like_names(spellings, {}, lambda prefix: [])
    # the gazetteer holds none of them: their last word says it; an organisation ends otherwise
    assert flags == [True, True, True, True, False, False, False, False]


def test_a_town_is_a_place_beside_its_state_and_a_name_elsewhere() -> None:
    california = PlaceRecord(5332921, 5332921, "California", "US", REGION, 0, "CA")
    healdsburg = PlaceRecord(5356012, 5356012, "Healdsburg", "US", CITY, 11_742, "CA")
    oregon = PlaceRecord(5744337, 5744337, "Oregon", "US", REGION, 0, "OR")
    found = {"california": (california,), "healdsburg": (healdsburg,), "oregon": (oregon,)}
    assert supported_towns(["Healdsburg", "California"], found, [False, True]) == [True, False]
    assert supported_towns(["Healdsburg", "Oregon"], found, [False, True]) == [False, False]  # not its state
    assert supported_towns(["Healdsburg"], found, [False]) == [False]  # nothing named
    # A name of several words is a person's or an organisation's, not the town's.
    found["john healdsburg"] = (replace(healdsburg, name="John Healdsburg"),)
    assert supported_towns(["John Healdsburg", "California"], found, [False, True]) == [False, False]
    # Only the town's own name: an alternate name is no support for a name.
    found["healdsburg"] = (replace(healdsburg, main=False),)
    assert supported_towns(["Healdsburg", "California"], found, [False, True]) == [False, False]


def test_a_small_town_beside_its_state_leaves_the_names(gazetteer: Gazetteer) -> None:
    text = ("A wildfire destroyed a winery near Healdsburg on Tuesday, officials in California said. "
            "Healdsburg residents were told to leave.")
    kept = [n.name for n in people_and_organisations(names_in("", text, "en"), gazetteer, "en")]
    assert "Healdsburg" not in kept
    alone = "A wildfire destroyed a winery near Healdsburg on Tuesday. Healdsburg residents left."
    assert [n.name for n in people_and_organisations(names_in("", alone, "en"), gazetteer, "en")] == [
        "Healdsburg"]  # without its state: a name still (precision first)


def test_a_batch_of_articles_keeps_the_names_each_article_keeps(gazetteer: Gazetteer) -> None:
    """The names stage asks the gazetteer once for a batch: each article keeps what it keeps
    alone (its language's inflections, its own phrases, a town of its own region)."""
    texts = [
        ("Mieszka w Stanach Zjednoczonych i we Francji, gdzie Donald Trump mówił.", "pl"),
        ("Путин встретился в Москве с Зеленским. Путина спросили о Киеве.", "ru"),
        ("Paris Hilton and Healdsburg residents met in California with Joe Biden.", "en"),
        ("", "en"),
        ("Er lebte in den Vereinigten Staaten. Angela Merkel sagte das.", "de"),
    ]
    batch = [(found, language, [place_key(n.name) for n in found])
             for found, language in ((names_in("", text, language), language) for text, language in texts)]
    readings = gazetteer.lookup(k for _, _, keys in batch for k in keys)
    alone = [people_and_organisations(found, gazetteer, language) for found, language, _ in batch]
    assert people_and_organisations_all(batch, gazetteer, readings) == alone
    assert sum(len(found) - len(kept) for (found, _, _), kept in zip(batch, alone, strict=True)) >= 4
