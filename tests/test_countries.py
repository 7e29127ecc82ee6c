"""Countries as users write them, a story's countries, the countries in the news against
their week, and the world map drawn from pygal-maps-world's shapes: pure functions."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from monitor.entities.countries import (
    CountryCodeError,
    articles_countries,
    countries_by_story,
    country_code,
    country_codes,
    country_name,
    country_news,
    story_countries,
)
from monitor.web.worldmap import MapCountry, path_rings, render_map, shade_of, simplified_path, world_map

AT = datetime(2025, 3, 10, 12, tzinfo=UTC)


@pytest.mark.parametrize(("text", "code"), [("UA", "UA"), ("ua", "UA"), (" pl ", "PL"), ("Gb", "GB")])
def test_country_codes_in_any_case(text: str, code: str) -> None:
    assert country_code(text) == code


@pytest.mark.parametrize("text", ["XX", "UK", "UKR", "", "U", "12", "ü"])
def test_a_bad_country_code_names_the_value(text: str) -> None:
    with pytest.raises(CountryCodeError, match=re.escape(repr(text))):
        country_code(text)


def test_a_country_name_for_a_code_says_the_code() -> None:
    with pytest.raises(CountryCodeError, match=r"Ukraine is UA"):
        country_code("ukraine")
    assert country_codes(["ua", "PL", "UA"]) == ("UA", "PL")
    assert country_name("UA") == "Ukraine" and country_name("TW") == "Taiwan"


def test_a_story_is_about_the_countries_a_third_of_its_placed_outlets_name() -> None:
    # 4 outlets name places: UA by all, PL by 2 (kept), DE by 1 (a passing mention: left out)
    mentions = [(1, "UA"), (2, "UA"), (3, "UA"), (4, "UA"), (1, "PL"), (2, "PL"), (3, "DE")]
    assert story_countries(mentions) == ["UA", "PL"]


def test_an_outlet_counts_once_however_many_copies_it_ran() -> None:
    # outlet 1 ran ten articles naming FR; outlets 2-4 name US: FR is 1 outlet of 4
    mentions = [(1, "FR")] * 10 + [(2, "US"), (3, "US"), (4, "US")]
    assert story_countries(mentions) == ["US"]


def test_a_lone_article_is_about_every_country_it_names_up_to_five() -> None:
    assert story_countries([(1, c) for c in ("SY", "IQ", "TR")]) == ["IQ", "SY", "TR"]
    assert len(story_countries([(1, c) for c in ("AT", "BE", "CH", "DE", "ES", "FR", "IT")])) == 5
    assert story_countries([]) == []


def test_countries_by_story_reads_store_rows() -> None:
    rows = [
        {"story_id": 7, "feed_id": 1, "country": "UA"},
        {"story_id": 7, "feed_id": 2, "country": "UA"},
        {"story_id": 7, "feed_id": 3, "country": "RU"},
        {"story_id": 7, "feed_id": 4, "country": "US"},
        {"story_id": 9, "feed_id": 1, "country": "FR"},
    ]
    assert countries_by_story(rows) == {7: ["UA"], 9: ["FR"]}


def test_an_articles_countries_from_its_stored_places() -> None:
    assert articles_countries('[{"geonameid": 1, "name": "Kyiv", "country": "UA"}]') == {"UA"}
    assert articles_countries(None) == frozenset() == articles_countries("not json")
    assert articles_countries('{"country": "UA"}') == frozenset()


def stories(hours_ago: list[float], countries: list[str]) -> list[tuple[datetime, list[str]]]:
    return [(AT - timedelta(hours=h), countries) for h in hours_ago]


def test_a_small_count_cannot_win_against_a_big_rise() -> None:
    news = country_news(
        [
            *stories([1], ["TV"]),  # one story, never seen before
            *stories([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], ["UA"]),  # ten now
            *stories([30, 50, 70, 90, 110, 130], ["UA"]),  # one a day before
            *stories([2, 3, 30, 50, 70, 90, 110, 130] * 2, ["FR"]),  # steady
            *stories([200], ["JP"]),  # older than the week: not counted
        ],
        AT,
    )
    by = {c.country: c for c in news}
    assert news[0].country == "UA" and by["UA"].rising
    assert (by["UA"].recent, by["UA"].week) == (10, 16)
    assert not by["TV"].rising and by["TV"].score < by["UA"].score
    assert not by["FR"].rising and (by["FR"].recent, by["FR"].week) == (4, 16)
    assert "JP" not in by
    assert by["UA"].name == "Ukraine"


def test_shades_grow_on_a_square_root_scale() -> None:
    assert shade_of(0, 10) == 0 and shade_of(1, 100) == 1 and shade_of(100, 100) == 5
    assert shade_of(25, 100) == 3  # a quarter of the top is not a pale one-fifth


def test_path_rings_follow_relative_and_absolute_commands() -> None:
    rings = list(path_rings("m 10,10 c 1,1 2,2 5,0 l 0,5 h -5 z M 100 100 L 110 100 V 110 Z"))
    assert rings == [[(10, 10), (15, 10), (15, 15), (10, 15)], [(100, 100), (110, 100), (110, 110)]]
    assert simplified_path(rings, min_step=2) == "M10 10l5 0 0 5-5 0zM100 100l10 0 0 10z"
    assert list(path_rings("10 10 m")) == []  # numbers without a command: nothing, no crash


def test_the_map_comes_from_the_package_small_and_without_styles_or_scripts() -> None:
    world = world_map()
    codes = {s.code for s in world.shapes}
    assert {"UA", "FR", "US", "BR", "CN", "AU", "ZA"} <= codes and len(codes) > 200
    svg = render_map(
        {"UA": MapCountry(5, True, "Ukraine: 5 <stories>"), "MC": MapCountry(1, False, "Monaco")}, "World"
    )
    assert len(svg) < 150_000  # the package's file is 1.1 MB
    assert "style=" not in svg and "<script" not in svg and "<style" not in svg
    assert '<a href="/places/UA"><g class="land shade-5 rising" data-country="UA">' in svg
    assert "Ukraine: 5 &lt;stories&gt;" in svg
    monaco = re.search(r'<a href="/places/MC">(.*?)</a>', svg)
    assert monaco and "<circle" in monaco.group(1)  # too small to see: the package's dot
    assert svg.count("<a ") == 2
