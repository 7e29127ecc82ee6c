"""A watch's `names` under more spellings of one name: a first name spelled otherwise, a Latin
name read into another alphabet as its letters sound, au as o, Croatian possessives, and an
organisation's words borrowed from Latin as another language spells, inflects and orders
them; and never a look-alike. Sentences written for these tests, in the languages' own words."""

from __future__ import annotations

import pytest

from monitor.entities.forms import cognate, cognate_key, consonants, endings, name_form, sound_key, stems
from monitor.watches.matcher import compile_watch
from monitor.watches.prefilter import plan_for, tokens_to_read
from monitor.watches.settings import WatchConfig

from .watches_helpers import name_found as found


@pytest.mark.parametrize(
    ("name", "text", "language"),
    [
        # a first name spelled otherwise before the surname is not another first name
        ("Ejaz Ashrafi", "To řekl advokát Ijaz Ašrafí.", "cs"),
        ("Fawad Chaudhry", "To řekl ministr Fauád Čaudhrí.", "cs"),
        ("Wilson Chaudhry", "Това каза Уилсън Чоудри.", "bg"),
        ("Ann Hidalgo", "Tak powiedziała Anne Hidalgo.", "pl"),
        # read as the letters sound: c before e as s, a silent final e, a silent first h
        ("Mike Pence", "Вице-президент Пенс заявил.", "ru"),
        ("Ann Hidalgo", "Мэр Парижа Анн Идальго заявила.", "ru"),
        ("France Press", "Агенция Франс прес съобщи.", "bg"),
        # au read as o
        ("Wilson Chaudhry", "Това каза Чоудри.", "bg"),
        # a Croatian possessive
        ("Reuters", "Prema Reutersovoj agenciji.", "hr"),
        # an organisation's borrowed words, spelled, inflected and ordered as the language does
        ("European Parliament", "Posłowie Parlamentu Europejskiego głosowali.", "pl"),
        ("European Parliament", "Депутатите в Европейския парламент гласуваха.", "bg"),
        ("European Parliament", "Poslanci evropskega Parlamenta so glasovali.", "sl"),
        ("European Union", "Države Evropske unije so sklenile.", "sl"),
        ("European Union", "Członkowie Unii Europejskiej zdecydowali.", "pl"),
        ("European Commission", "Европейская комиссия решила.", "ru"),
    ],
)
def test_another_spelling_of_the_name(name: str, text: str, language: str) -> None:
    assert found(name, text, language)


@pytest.mark.parametrize(
    ("name", "text", "language"),
    [
        ("Hillary Clinton", "Bill Clinton spoke.", "en"),  # another first name
        ("Ivana Trump", "Ivanka Trump spoke.", "en"),  # Ivanka: other consonants
        ("Mike Pence", "Mike Pens spoke.", "en"),  # a Latin word keeps the name's spelling
        ("Ann Hidalgo", "Ann Idalgo spoke.", "en"),  # a silent h: in another alphabet only
        # an organisation's words: all of them, in a language that respells, next to each other
        ("European Parliament", "Members of the Parlamentu Europejskiego voted.", "en"),
        ("European Union", "Uniwersytet Europejski otwarto.", "pl"),
        ("European Union", "Unia Afrykańska zdecydowała.", "pl"),
        ("European Parliament", "Europejski Trybunał orzekł w parlamencie.", "pl"),
        ("European Parliament", "Европейские лидеры и парламент.", "ru"),
    ],
)
def test_what_is_not_the_name(name: str, text: str, language: str) -> None:
    assert not found(name, text, language)


def test_the_keys() -> None:
    assert consonants(name_form("Ijaz")) == consonants(name_form("Ejaz")) == "s"
    assert consonants(name_form("Fauád")) == consonants(name_form("Fawad")) == "ft"
    assert consonants(name_form("Bill")) != consonants(name_form("Hillary"))
    assert sound_key(name_form("Chaudhry")) == sound_key(name_form("Чоудри"))
    assert "reuters" in stems(name_form("Reutersovoj"), endings("hr"))
    key = cognate_key(name_form("European"))
    assert all(cognate(key, cognate_key(name_form(w))) for w in ("Europejskiego", "Evropske", "европейския"))
    assert not cognate(key, cognate_key(name_form("Arabska")))
    union = cognate_key(name_form("Union"))
    assert cognate(union, cognate_key(name_form("unije"))) and cognate(union, cognate_key(name_form("Unii")))
    assert not cognate(union, cognate_key(name_form("Uniwersytet")))
    assert cognate(cognate_key(name_form("Parliament")), cognate_key(name_form("Парламентом")))


def test_the_backfill_reads_what_the_matcher_finds() -> None:
    watch = compile_watch(WatchConfig(name="w", names=("European Parliament", "Ann Hidalgo")), "m", None)
    vocabulary = ["europejskiego", "европейския", "идальго", "trybunał", "arabska", "x"]
    read = tokens_to_read(plan_for(watch), vocabulary)
    assert read == ["europejskiego", "европейския", "идальго"]
    polish = compile_watch(WatchConfig(name="w", names=("Ashiq Masih", "Yusuf")), "m", None)
    assert tokens_to_read(plan_for(polish), ["aszika", "masiha", "jusufa", "juszka"]) == ["masiha", "jusufa"]


def test_a_middle_name_is_not_another_first_name() -> None:
    assert found("Fawad Chaudhry", "Minister Fawad Ahmed Chaudhry powiedział.", "pl")
    assert not found("Fawad Chaudhry", "Minister Ahmed Chaudhry powiedział.", "pl")


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Папа Бенедикт ХVІ каза.", "bg", True),  # the number in Cyrillic look-alike letters
        ("Папа Бенедикт каза.", "bg", True),  # the name without its number
        ("Papież Benedykt XVI powiedział.", "pl", True),
        ("The actor Benedict Cumberbatch said.", "en", False),  # another name follows
        ("Papa Benedetto XV disse.", "it", False),  # another number
    ],
)
def test_a_name_with_a_regnal_number(text: str, language: str, expected: bool) -> None:
    assert found("Benedict XVI", text, language) is expected


def test_the_backfill_reads_a_name_without_its_regnal_number() -> None:
    watch = compile_watch(WatchConfig(name="w", names=("Benedict XVI",)), "m", None)
    assert tokens_to_read(plan_for(watch), ["бенедикт", "benedykt", "xvi", "cumberbatch"]) == [
        "бенедикт",
        "benedykt",
        "xvi",
    ]


@pytest.mark.parametrize(
    ("name", "text", "language", "expected"),
    [
        ("Agence France Press", "Това съобщи Франс прес.", "bg", True),  # without `Agence`
        ("Agence France Press", "Tak podała agencja France Press.", "pl", True),
        ("Radio Free Europe", "A free Europe.", "en", False),  # the rest is no organisation's name
        ("Bank of England", "England won.", "en", False),
    ],
)
def test_an_organisation_without_the_word_for_what_it_is(
    name: str, text: str, language: str, expected: bool
) -> None:
    assert found(name, text, language) is expected


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("The Pakistani Supreme Court ruled.", "en", True),  # the country by its adjective
        ("Pakistański Supreme Court orzekł.", "pl", True),
        ("The Supreme Court ruled on Pakistanis.", "en", False),  # a demonym, not the adjective
        ("The Supreme Court ruled.", "en", False),  # no country
    ],
)
def test_an_organisation_named_after_its_country_by_its_adjective(
    text: str, language: str, expected: bool
) -> None:
    assert found("Supreme Court of Pakistan", text, language) is expected
    assert found("Tehreek e Labbaik Pakistan", "Пакистанският съд. Партията Техрик-и Лабаик", "bg")


@pytest.mark.parametrize(
    ("name", "text", "language", "expected"),
    [
        ("Ashiq Masih", "Mówi Aszik Masih.", "pl", True),  # Polish sz for sh
        ("Fawad Chaudhry", "Minister Czaudhry powiedział.", "pl", True),  # Polish cz for ch
        ("Yusuf", "Powiedział Jusuf.", "pl", True),  # j for y before a vowel
        ("Yusuf", "Rekao je Jusuf.", "hr", True),
        ("Yusuf", "Jusuf said.", "en", False),  # English keeps the spelling
        ("Chaudhry", "Czaudhry said.", "en", False),
        ("Ashiq Masih", "Каза Ашіг Масіх.", "uk", True),  # a voiced g for q: not another first name
    ],
)
def test_letters_a_language_writes_for_a_sound(name: str, text: str, language: str, expected: bool) -> None:
    assert found(name, text, language) is expected


def test_a_borrowed_word_shares_five_letters_at_least() -> None:
    party = cognate_key(name_form("Party"))
    assert cognate(party, cognate_key(name_form("partią")))
    assert cognate(party, cognate_key(name_form("партии")))
    assert not cognate(party, cognate_key(name_form("partnerstwo")))
    assert found("Democratic Party", "Kandydat Partii Demokratycznej wygrał.", "pl")
    assert not found("Democratic Party", "Demokratyczne Partnerstwo ogłosiło.", "pl")


def test_words_of_two_scripts_glued_together() -> None:
    assert found("The Associated Press", "По информации агентстваAssociated Press, толпы.", "ru")
    assert found("Reuters", "Сообщило агентствоReuters.", "ru")
    assert not found("Donald", "A McDonald's opened.", "en")  # one script: one word
    watch = compile_watch(WatchConfig(name="w", names=("Reuters",)), "m", None)
    assert tokens_to_read(plan_for(watch), ["агентствоreuters", "агентство"]) == ["агентствоreuters"]
