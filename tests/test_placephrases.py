"""Countries' names in several words, each word inflected: the pure matcher, and geotagging
with the gazetteer in several languages."""

from __future__ import annotations

import pytest

from monitor.entities.gazetteer import phrase_head, place_key
from monitor.entities.geotag import Gazetteer, geotag
from monitor.entities.placephrases import phrase_candidates, phrase_starts, word_fits


@pytest.mark.parametrize(
    ("text_word", "name_word", "fits"),
    [
        ("штатах", "штаты", True),
        ("соединенных", "соединенные", True),
        ("южную", "южная", True),
        ("zjednoczonych", "zjednoczone", True),
        ("stanow", "stany", True),
        ("drzavama", "drzave", True),
        ("korea", "koreja", True),
        ("and", "and", True),
        ("und", "and", False),  # short words fit only themselves
        ("коми", "корея", False),
        ("stanislav", "stany", False),  # more than an ending added
        ("sudan", "south", False),
    ],
)
def test_a_word_fits_a_names_word_by_its_ending(text_word: str, name_word: str, fits: bool) -> None:
    assert word_fits(text_word, name_word) is fits


def test_candidates_take_the_longest_name_whose_every_word_fits() -> None:
    phrases = {phrase_head("соединенные", "штаты"): ("соединенные штаты", "соединенные штаты америки")}
    text = "Послы Соединенных Штатов Америки и Соединённых Штатах, но не Соединенное Королевство."
    assert phrase_starts(text).heads >= set(phrases)
    found = phrase_candidates(phrase_starts(text), phrases, "ru", offset=10)
    assert [(c.text, c.keys[-1], c.words) for c in found] == [
        ("Соединенных Штатов Америки", "соединенные штаты америки", 3),
        ("Соединённых Штатах", "соединенные штаты", 2),
    ]
    assert found[0].start == 10 + text.index("Соединенных") and found[0].keys[0] == place_key(found[0].text)


def test_a_name_is_not_read_across_punctuation_nor_from_a_lower_case_start() -> None:
    phrases = {phrase_head("spojene", "staty"): ("spojene staty",)}
    assert phrase_candidates(phrase_starts("Jsou spojené státy. Spojené, státy."), phrases, "cs") == []
    found = phrase_candidates(phrase_starts("Ve Spojených státech."), phrases, "cs")
    assert [c.text for c in found] == ["Spojených státech"]


def test_in_a_language_that_does_not_inflect_names_every_word_is_the_names_own() -> None:
    phrases = {phrase_head("south", "sudan"): ("south sudan",), phrase_head("vereinigte", "staaten"):
               ("vereinigte staaten",)}
    assert phrase_candidates(phrase_starts("South Sudanese officials said."), phrases, "en") == []
    found = phrase_candidates(phrase_starts("The South Sudan border."), phrases, "en")
    assert [c.text for c in found] == ["South Sudan"]
    found = phrase_candidates(phrase_starts("Die Vereinigten Staaten"), phrases, "de")
    assert [c.text for c in found] == ["Vereinigten Staaten"]


@pytest.mark.parametrize(
    ("text", "language", "countries"),
    [
        ("Президент встретился с послом в Соединенных Штатах в понедельник.", "ru", ("US",)),
        ("Власти Соединенных Штатов заявили о санкциях.", "ru", ("US",)),
        ("Він живе у Сполучених Штатах уже десять років.", "uk", ("US",)),
        ("Посолството на Съединените щати остава затворено.", "bg", ("US",)),
        ("Žije ve Spojených státech od roku 2000.", "cs", ("US",)),
        ("Ambasador Stanów Zjednoczonych powiedział, że w Stanach Zjednoczonych pada.", "pl", ("US",)),
        ("Die Vereinigten Staaten haben Sanktionen verhängt.", "de", ("US",)),
        ("Les États-Unis ont annoncé des sanctions.", "fr", ("US",)),
        ("Los Estados Unidos anunciaron sanciones.", "es", ("US",)),
        ("U Sjedinjenim Američkim Državama.", "hr", ("US",)),
        ("Он прилетел в Саудовскую Аравию и Новую Зеландию.", "ru", ("SA", "NZ")),
        ("Wizyta w Korei Południowej i Arabii Saudyjskiej.", "pl", ("KR", "SA")),
        ("Er reiste in die Vereinigten Arabischen Emirate.", "de", ("AE",)),
        ("Переговоры в Великобритании и Северной Корее.", "ru", ("GB", "KP")),
        ("Ve Velké Británii a Jižní Koreji.", "cs", ("GB", "KR")),
    ],
)
def test_inflected_countries_in_several_words(
    gazetteer: Gazetteer, text: str, language: str, countries: tuple[str, ...]
) -> None:
    assert geotag(gazetteer, text, language=language).countries == countries


def test_common_names_come_from_the_cldr(gazetteer: Gazetteer) -> None:
    # ISO's translations give formal names (Корея, Республика); the CLDR the written ones
    found = gazetteer.lookup([place_key("Великобритания"), place_key("Южная Корея"), place_key("Südkorea")])
    assert {p.country for key in found for p in found[key]} == {"GB", "KR"}


def test_a_title_names_the_country_too(gazetteer: Gazetteer) -> None:
    tagged = geotag(gazetteer, "Текст без мест.", title="Санкции Соединенных Штатов", language="ru")
    assert tagged.countries == ("US",) and tagged.mentions[0].in_title
