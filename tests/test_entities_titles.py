"""Titles, offices and Cyrillic cases at the edges of names (monitor.entities.titles), alone
and through the recogniser (monitor.entities.names)."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.entities import titles
from monitor.entities.names import Name, names_in
from monitor.entities.titles import (
    adjective_of_place,
    case_breaks,
    name_span,
    oblique_country,
    title_length,
)


def named(text: str, language: str) -> dict[str, Name]:
    return {n.name: n for n in names_in(None, text, language)}


@pytest.mark.parametrize(
    ("spelling", "language", "name"),
    [
        ("Russian President Vladimir Putin", "en", "Vladimir Putin"),
        ("President Donald Trump", "en", "Donald Trump"),
        ("Later President Trump", "en", "Trump"),
        ("House Speaker Nancy Pelosi", "en", "Nancy Pelosi"),
        ("Secretary of State Antony Blinken", "en", "Antony Blinken"),
        ("Presidente del Gobierno Pedro Sánchez", "es", "Pedro Sánchez"),
        ("President Ursula von der Leyen", "en", "Ursula von der Leyen"),
        ("Attorney General Merrick Garland", "en", "Merrick Garland"),
        ("General Mark Milley", "en", "Mark Milley"),
        ("Prime Minister Theresa May", "en", "Theresa May"),
        ("Bundeskanzler Olaf Scholz", "de", "Olaf Scholz"),
        ("Außenministerin Annalena Baerbock", "de", "Annalena Baerbock"),
        ("Präsident Frankreichs Emmanuel Macron", "de", "Emmanuel Macron"),
        ("Président Emmanuel Macron", "fr", "Emmanuel Macron"),
        ("Prezydenta Andrzeja Dudy", "pl", "Andrzeja Dudy"),
        ("Premiér Andrej Babiš", "cs", "Andrej Babiš"),
        ("Президент России Владимир Путин", "ru", "Владимир Путин"),
        ("Президентом США Дональдом Трампом", "ru", "Дональдом Трампом"),
        ("Прем'єр-міністр Денис Шмигаль", "uk", "Денис Шмигаль"),
        ("Губернатор Техаса Грег Эбботт", "ru", "Грег Эбботт"),
        ("Президента Владимира Владимировича Путина", "ru", "Владимира Владимировича Путина"),
        ("Председник Србије Александар Вучић", "sr", "Александар Вучић"),
    ],
)
def test_a_title_and_its_complement_are_no_part_of_the_name(spelling: str, language: str, name: str) -> None:
    words = spelling.split()
    start, end = name_span(words, language)
    assert " ".join(words[start:end]) == name


@pytest.mark.parametrize(
    ("spelling", "language"),
    [
        ("Chinese President", "en"),
        ("Mayor of Boston", "en"),
        ("Chief Health Officer", "en"),
        ("Presidente del Gobierno", "es"),
        ("Vice President", "en"),
        ("US Vice President", "en"),
        ("Prime Minister", "en"),
        ("Президент США", "ru"),
        ("Президент", "ru"),
        ("Kanzler", "de"),
        ("Secretario General", "es"),
    ],
)
def test_a_title_alone_names_no_one(spelling: str, language: str) -> None:
    assert title_length(spelling.split(), language) == len(spelling.split())


@pytest.mark.parametrize(
    "spelling",
    ["General Motors", "President von der Leyen", "Général de Gaulle", "Premier League",
     "Justice Department", "Electoral Justice Act", "Mike Judge", "John Major",
     "Vladimir Putin", "President Street", "Labour Party Leader", "Premier League of England",
     "Sena Lulić"],
)
def test_names_that_hold_a_title_word_keep_it(spelling: str) -> None:
    assert title_length(spelling.split(), "en") == 0


def test_a_country_in_an_oblique_case_is_no_part_of_a_cyrillic_name() -> None:
    assert oblique_country("России", "ru") and oblique_country("Украину", "ru")
    assert not oblique_country("Россия", "ru")  # the nominative may name things (Россия Сегодня)
    assert not oblique_country("Путина", "ru") and not oblique_country("Polski", "pl")
    assert name_span(["России", "Сергей", "Лавров"], "ru") == (1, 3)
    assert name_span(["Россия", "Сегодня"], "ru") == (0, 2)


@pytest.mark.parametrize(
    ("run", "breaks"),
    [
        ("Путиным Зеленского", [1]),
        ("Трампом Зеленскому", [1]),
        ("Марком Келли", []),  # an indeclinable surname
        ("Сергеем Шойгу", []),
        ("Владимиром Путиным", []),
        ("Дональдом Трампом", []),
        ("Ангелой Меркель", []),
        ("Юлией Тимошенко", []),
        ("Петром Порошенко", []),
        ("Карим Бензема", []),  # a nominative in -им
        ("Donald Trump", []),
    ],
)
def test_a_cyrillic_run_splits_between_words_of_different_cases(run: str, breaks: list[int]) -> None:
    assert case_breaks(run.split()) == breaks


def test_an_adjective_before_a_noun_in_its_case_is_no_name() -> None:
    assert adjective_of_place("в", "Белом", "доме")
    assert adjective_of_place("на", "Красной", "площади")
    assert not adjective_of_place("о", "Зеленском", "говорили")  # a verb follows
    assert not adjective_of_place("с", "Трампом", "встретился")
    assert not adjective_of_place("в", "Белом", "Доме")
    assert adjective_of_place("", "Верховного", "суда") and adjective_of_place("", "Верховным", "судом")
    assert adjective_of_place("", "Республиканской", "партии")
    assert not adjective_of_place("", "Зеленского", "поддержала")
    assert not adjective_of_place("", "Путиным", "встретился")


def test_the_recogniser_keys_a_name_without_its_title() -> None:
    found = named("President Donald Trump spoke on Monday. Donald Trump later met Chinese President"
                  " Xi Jinping; the Chinese President said little. Russian President Vladimir Putin"
                  " was absent.", "en")
    assert set(found) == {"Donald Trump", "Xi Jinping", "Vladimir Putin"}
    assert found["Donald Trump"].key == "donald trump"
    assert found["Donald Trump"].count == 2


def test_the_recogniser_reads_russian_runs_of_two_things_apart() -> None:
    found = named("Президент США Дональд Трамп заявил об этом. Встреча с Трампом Украину не"
                  " затронула, сообщили в Белом доме. Министр иностранных дел России Сергей Лавров"
                  " промолчал. Президент США уехал.", "ru")
    assert found["Дональд Трамп"].key == "donald tramp"
    assert set(found["Дональд Трамп"].variants) == {"Дональд Трамп", "Трампом"}
    assert "Сергей Лавров" in found
    assert not {"Президент США", "США", "Белом", "Трампом Украину", "России Сергей Лавров"} & set(found)


def test_country_words_come_from_the_cache_folder_made_by_a_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Babel's data for the languages read would stay in the daemon (~23 MB): the list is made
    once by a child process into the cache folder and read from there; the same words."""
    import subprocess
    import sys

    monkeypatch.setenv("MONITOR_CACHE_DIR", str(tmp_path))
    script = (
        "import sys, babel.localedata as ld; from monitor.entities.names import names_in; "
        "n = names_in('', 'Президент России Владимир Путин прибыл. Трампом Украину обсуждали.', 'ru'); "
        "print(len(ld._cache), sorted(x.name for x in n))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.startswith("0 ")  # no locale's data loaded in the process that reads names
    assert "Владимир Путин" in out and "Украину" not in out
    (cached,) = list(tmp_path.glob("country-words-*.txt"))
    assert cached.read_text(encoding="utf-8").split("\n") == titles.country_words_now()
