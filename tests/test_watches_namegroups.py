"""One person, one entry: monitor.watches.namegroups groups keys by their spellings."""

from __future__ import annotations

import random

import pytest

from monitor.watches.namegroups import Keyed, entity_label, entity_rows, group_keys


def _groups(*spellings: str) -> set[frozenset[str]]:
    """The entities of these spellings, each the key of itself, as sets of spellings."""
    found = group_keys(Keyed(s.casefold(), (s,)) for s in spellings)
    by_entity: dict[str, set[str]] = {}
    for spelling in spellings:
        by_entity.setdefault(found[spelling.casefold()], set()).add(spelling)
    return {frozenset(g) for g in by_entity.values()}


@pytest.mark.parametrize(
    "one",
    [
        ("Vladimir Putin", "Путин", "Putina", "Путіна", "Russian President Vladimir Putin",
         "Президент России Владимир Путин"),
        ("Ales Bjaljatski", "Алесь Бяляцкі", "Олесь Біляцький"),
        ("Nigel Farage", "Nigelem Farage", "Farage'a"),
        ("President Biden", "Joe Biden", "Biden"),
    ],
)
def test_spellings_scripts_inflections_and_titles_are_one_entity(one: tuple[str, ...]) -> None:
    assert _groups(*one) == {frozenset(one)}


@pytest.mark.parametrize(
    "apart",
    [
        ("Vladimir Putin", "Peyton Manning"),
        ("Putin", "Peyton"),
        ("Bill Clinton", "Hillary Clinton"),
        ("Donald Trump", "Fred Trump"),
        ("Donald Trump", "Trump Organization"),
    ],
)
def test_look_alikes_stay_apart(apart: tuple[str, ...]) -> None:
    assert _groups(*apart) == {frozenset({s}) for s in apart}


def test_a_surname_alone_joins_only_the_one_person_of_that_surname() -> None:
    assert _groups("Bill Clinton", "Hillary Clinton", "Clinton", "President Clinton") == {
        frozenset({"Bill Clinton"}),
        frozenset({"Hillary Clinton"}),
        frozenset({"Clinton", "President Clinton"}),
    }
    assert _groups("Donald Trump", "Trump", "Трамп") == {frozenset({"Donald Trump", "Trump", "Трамп"})}


def test_the_grouping_does_not_depend_on_the_order_and_names_the_entity_by_a_full_latin_key() -> None:
    keyed = [
        Keyed("путин", ("Путин",), 9),
        Keyed("vladimir putin", ("Vladimir Putin",), 3),
        Keyed("putin", ("Putin", "Putina"), 5),
        Keyed("владимир путин", ("Владимир Путин",), 4),
        Keyed("bill clinton", ("Bill Clinton",), 2),
        Keyed("clinton", ("Clinton",), 7),
    ]
    expected = group_keys(keyed)
    assert expected["путин"] == expected["putin"] == expected["владимир путин"] == "vladimir putin"
    assert expected["clinton"] == "bill clinton"
    rng = random.Random(25)
    for _ in range(5):
        rng.shuffle(keyed)
        assert group_keys(keyed) == expected


def test_the_label_is_a_full_latin_spelling_without_a_title() -> None:
    spellings = {"Путин": 9, "Putin": 5, "Russian President Vladimir Putin": 2, "Vladimir Putin": 1}
    assert entity_label(spellings) == "Vladimir Putin"
    assert entity_label({"Путин": 9, "Putin": 5}) == "Putin"
    assert entity_label({"Путин": 9}) == "Путин"
    assert entity_label({}) == ""


def test_a_storys_rows_become_one_per_entity_and_article() -> None:
    def row(key: str, name: str, mentions: int, *variants: str) -> dict[str, object]:
        return {"key": key, "name": name, "mentions": mentions, "variants": [name, *variants]}

    per_article = {
        1: [row("vladimir putin", "Vladimir Putin", 3, "Putin"), row("putina", "Putina", 1)],
        2: [row("путин", "Путин", 4, "Путина"), row("peyton manning", "Peyton Manning", 2)],
    }
    rows = entity_rows(per_article)
    assert rows[1] == [
        {"key": "vladimir putin", "name": "Vladimir Putin", "mentions": 4,
         "variants": ["Vladimir Putin", "Putin", "Putina"]}
    ]
    assert [(r["key"], r["name"], r["mentions"]) for r in rows[2]] == [
        ("vladimir putin", "Vladimir Putin", 4),
        ("peyton manning", "Peyton Manning", 2),
    ]


def test_a_surname_alone_joins_the_full_name_holding_most_of_its_weight() -> None:
    keyed = [
        Keyed("joe biden", ("Joe Biden",), 19),
        Keyed("shuld biden", ("Should Biden",), 1),  # a slip of the recogniser's, once
        Keyed("president biden", ("President Biden", "Biden"), 10),
    ]
    assert group_keys(keyed)["president biden"] == "joe biden"
    even = [Keyed("bill clinton", ("Bill Clinton",), 5), Keyed("hillary clinton", ("Hillary Clinton",), 4),
            Keyed("clinton", ("Clinton",), 9)]
    assert group_keys(even)["clinton"] == "clinton"


@pytest.mark.parametrize(
    "one",
    [
        ("Vladimir Putin", "پوتین", "普京", "プーチン", "블라디미르 푸틴"),
        ("Donald Trump", "دونالد ترامپ", "唐纳德·特朗普", "トランプ"),
        ("Xi Jinping", "习近平", "시진핑"),
    ],
)
def test_a_spelling_in_a_script_without_capitals_joins_the_latin_one(one: tuple[str, ...]) -> None:
    assert _groups(*one) == {frozenset(one)}


@pytest.mark.parametrize(
    "apart",
    [
        ("Vladimir Putin", "بيتون"),  # Peyton
        ("Peyton Manning", "普京"),
        ("Hillary Clinton", "بيل كلينتون"),  # Bill: another given name before the surname
        ("Angela Merkel", "梅根·马克尔"),  # Meghan Markle
    ],
)
def test_a_look_alike_in_another_script_stays_apart(apart: tuple[str, ...]) -> None:
    assert _groups(*apart) == {frozenset({s}) for s in apart}
