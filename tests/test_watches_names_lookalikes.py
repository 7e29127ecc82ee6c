"""A watch's `names` never match a look-alike surname formed by doubling or adding a letter
(Andersson is not Anderson, Phillips not Philips), while the name's inflections and
transliterations still match. Sentences written for these tests."""

from __future__ import annotations

import pytest

from monitor.entities.forms import doubled, doubled_form, latin_written, name_form

from .watches_helpers import name_found as found


def test_a_doubled_form_keeps_what_the_name_form_forgets() -> None:
    assert name_form("Andersson") == name_form("Anderson") == "anderson"
    assert doubled_form("Andersson") == "anderSon"
    assert doubled_form("Anderson") == "anderson"
    assert doubled_form("Андерссон") == "anderSon"  # Cyrillic doubles as Latin does
    assert doubled_form("Mattsson") == "maTSon"
    assert doubled_form("Mecca") == doubled_form("Mekka") == "meKa"  # after the swaps (c: k)
    assert doubled_form("Malook") == "maluk"  # oo is u, not a doubled letter
    assert doubled_form("Asii") == "asi"  # nor a doubled vowel
    assert doubled_form("مسك") == "مسك"  # a script anyascii does not spell back: none
    assert doubled("anderSona", 7) == "S"
    assert doubled("anderSona", 5) == ""


def test_which_languages_are_written_in_latin_letters() -> None:
    assert latin_written("sv") and latin_written("pt-BR") and latin_written(None)
    assert not latin_written("ru") and not latin_written("bg")


@pytest.mark.parametrize(
    ("name", "text", "language"),
    [
        # the user check: a Swedish prime minister in Swedish and Portuguese blurbs
        ("Anderson", "Magdalena Andersson är Sveriges statsminister.", "sv"),
        ("Anderson", "Magdalena Andersson é a primeira-ministra da Suécia.", "pt"),
        ("Gillian Anderson", "Statsminister Andersson talade.", "sv"),
        ("Anderson", "Premierka Magdalena Andersson powiedziała.", "pl"),  # a respelling language
        ("Anderson", "Magdalena Anderssonová řekla.", "cs"),  # inflected, still doubled
        ("Anderson", "Магдалена Андерссон заявила.", "ru"),  # in another alphabet
        ("Anderson", "Премьер Андерссона поддержали.", "ru"),
        # the other way: a name written with the double is not the one without
        ("Magdalena Andersson", "Wes Anderson directed it.", "en"),
        ("Scarlett Johansson", "Donald Johanson found Lucy.", "en"),
        ("Johanson", "Scarlett Johansson starred.", "en"),
        ("Mattson", "Per Mattsson sa.", "sv"),
        ("Nielsen", "Anna Nielssen sagde.", "da"),
        ("Hansen", "Robert Hanssen was a spy.", "en"),
        ("Phillips", "Philips reported its profits.", "en"),
        ("Philips", "Bryce Phillips said.", "en"),
    ],
)
def test_a_doubled_or_added_letter_makes_another_surname(name: str, text: str, language: str) -> None:
    assert not found(name, text, language)


@pytest.mark.parametrize(
    ("name", "text", "language"),
    [
        ("Anderson", "Gillian Anderson said.", "en"),
        ("Anderson", "Wywiad z Andersonem.", "pl"),
        ("Anderson", "Rozhovor s Andersonovou.", "cs"),
        ("Anderson", "Андерсон заявил.", "ru"),
        ("Anderson", "Андерсона спросили.", "ru"),
        ("Magdalena Andersson", "Magdalena Andersson talade.", "sv"),
        ("Magdalena Andersson", "Řekla to Anderssonová.", "cs"),
        ("Magdalena Andersson", "Магдалена Андерссон заявила.", "ru"),
        ("Magdalena Andersson", "Anderssonin hallitus.", "fi"),
        ("Scarlett Johansson", "Скарлетт Йоханссон снялась.", "ru"),
        ("Phillips", "Bryce Phillips said.", "en"),
        # another alphabet, or a language that respells names, may leave a double out
        ("Bashar al-Assad", "Президент Асад заявил.", "ru"),
        ("Bashar al-Assad", "Prezydent Asad powiedział.", "pl"),
        ("Tehreek e Labbaik Pakistan", "Партията Техрик-е-Лабайк Пакистан.", "bg"),
        ("Khadim Hussain Rizvi", "Лидер Khadim Husain Rizvi заявил.", "ru"),  # a Latin word there too
        # an ending that repeats the stem's last letter is not a double
        ("Asia Bibi", "Sprawa Asii Bibi.", "pl"),
        ("Asia Bibi", "Асия Биби освобождена.", "ru"),
        # an organisation's words are spelled with and without doubles across languages
        ("Uniwersytet Pensylwania", "Uniwersytet Pennsylwania ogłosił.", "pl"),
    ],
)
def test_inflections_and_transliterations_still_match(name: str, text: str, language: str) -> None:
    assert found(name, text, language)


@pytest.mark.parametrize(
    ("name", "text", "language"),
    [
        ("Anderson", "A fire near Anderson Springs, California, spread.", "en"),
        ("Michael Jackson", "Traffic in Jackson Heights was slow.", "en"),
        ("Washington", "Protesters met at Washington Square.", "en"),
        ("Kit Carson", "The vote in Carson City was close.", "en"),
        ("Anderson", "Residents of Anderson County voted.", "en"),
        ("George Washington", "Traffic on the George Washington Bridge stopped.", "en"),  # the full name too
        ("Jackson", "Flooding hit Lake Jackson overnight.", "en"),  # a place word before it
        ("Victor Hugo", "Un incendie Rue Victor Hugo.", "fr"),
        ("Anderson", "Pożar w Anderson Springs w Kalifornii.", "pl"),  # an English place in any language
    ],
)
def test_a_surname_inside_a_place_name_is_not_the_person(name: str, text: str, language: str) -> None:
    assert not found(name, text, language)


@pytest.mark.parametrize(
    ("name", "text", "language"),
    [
        ("Anderson", "Anderson springs into action.", "en"),  # not a place word: not capitalized
        ("Anderson", "Pamela Anderson, County officials said, will attend.", "en"),  # a comma between
        ("Michael Jackson", "Michael Jackson sang.", "en"),
        ("Washington", "Washington said on Monday that it would act.", "en"),
        ("Jackson", "The lake where Jackson swam.", "en"),
        ("Victor Hugo", "Victor Hugo écrivait.", "fr"),
    ],
)
def test_a_surname_next_to_other_words_is_still_the_person(name: str, text: str, language: str) -> None:
    assert found(name, text, language)
