"""A watch's `names` under the spellings that transliterations and Slavic grammar give one name
(monitor.entities.forms: sound keys, skeletons, endings; monitor.watches.names: particles, an
organisation named after its country), and never a look-alike. Sentences written for these
tests, in the languages' own words."""

from __future__ import annotations

import pytest

from monitor.entities.forms import endings, local_forms, name_form, skeleton, sound_key, stems
from monitor.watches.matcher import compile_watch
from monitor.watches.prefilter import plan_for, tokens_to_read
from monitor.watches.settings import WatchConfig

from .watches_helpers import name_found as found


@pytest.mark.parametrize(
    ("name", "text", "language"),
    [
        # vowels that transliterations of one name swap: o/u, a/e after the first, a run as one
        ("Prophet Muhammad", "Оскорбление пророка Мухаммеда.", "ru"),
        ("Prophet Muhammad", "Urážka proroka Mohameda.", "cs"),
        ("Prophet Muhammad", "Žalitev preroka Mohamedu.", "sl"),
        ("Mamnoon Hussain", "Президент Хусейн подписал.", "ru"),
        ("Tehreek e Labbaik Pakistan", "Партия Техрик-э-Лаббейк Пакистан вышла.", "ru"),
        # an h next to a consonant: Urdu aspirates (dh), an English silent h (Johnson)
        ("Fawad Chaudhry", "Minister Fawad Chaudry powiedział.", "pl"),
        ("Boris Johnson", "Борис Джонсон заявил.", "ru"),
        # Czech, Slovak and Polish write kh as ch; Bulgarian and Slovene as k
        ("Imran Khan", "Premiér Imran Chán řekl.", "cs"),
        ("Imran Khan", "Премиерът Имран Кан каза.", "bg"),
        ("Jesus Christ", "Вера в Иисуса Христа.", "ru"),  # ch from Greek read as х
        ("Hillary Clinton", "Гілларі Клінтон програла.", "uk"),  # Ukrainian г is h
        # a word of the name next to one spelled as the name has it may be only like it
        ("Saif Ul Malook", "Advokát Saif Mulúk řekl.", "cs"),
        ("Saif Ul Malook", "Adwokat Saifowi ul-Mulookowi grożono.", "pl"),
        # a particle spelled otherwise, glued to the word before, or left out
        ("Saif Ul Malook", "Адвокат Сайфул Малук заявил.", "ru"),
        ("Saif Ul Malook", "Адвокат Саиф-ул-Малук заявил.", "ru"),
        ("Tehreek e Labbaik Pakistan", "Партия Тэхрик-и-Лабайик Пакистан.", "ru"),
        ("Tehreek e Labbaik Pakistan", "Партія Техрік-є-Лабаік Пакистан.", "uk"),
        # Czech adjectival and possessive endings, Slovene accusative and possessive
        ("Khadim Hussain Rizvi", "Tisíce stoupenců Rizvího protestovaly.", "cs"),
        ("Barack Obama", "Obamův nástupce.", "cs"),
        ("Asia Bibi", "Sodišče je Asio Bibi oprostilo.", "sl"),
        ("Asia Bibi", "Bibijeva družina je zbežala.", "sl"),
    ],
)
def test_a_name_under_another_transliteration_or_ending(name: str, text: str, language: str) -> None:
    assert found(name, text, language)


@pytest.mark.parametrize(
    ("name", "text", "language"),
    [
        ("Prophet Muhammad", "Махмуд Аббас заявил.", "ru"),  # Mahmud: another vowel pattern
        ("Prophet Muhammad", "Mahmud Abbas powiedział.", "pl"),
        ("Emmanuel Macron", "Firma Micron ogłosiła wyniki.", "pl"),  # i is not a
        ("Angela Merkel", "Markelle Fultz je zadel.", "sl"),  # the first vowel stays
        ("Merkel", "Маркел выступил.", "ru"),
        ("Anderson", "Andersen a Andreessen Horowitz investují.", "cs"),  # o is not e
        ("Joe Biden", "Город Баден принимает гостей.", "ru"),  # a short word keeps its vowels
        ("Saif Ul Malook", "Soudce Mulúk řekl.", "cs"),  # a word only like the name's: not alone
        ("Saif Ul Malook", "saif mulúk", "cs"),  # none of its words capitalized
        ("Imran Khan", "Imran Kan řekl.", "cs"),  # k for kh: in another alphabet only
        ("Pope Francis", "Prezident Francie řekl.", "cs"),  # Francis is not Franci-e
        ("Chow", "How it ended.", "en"),  # ch is kh only where the language writes kh so
        ("Hillary", "Gillary won.", "en"),  # h as g: in another alphabet only
        ("Morgan", "Morgen kommt er.", "de"),  # a Latin word keeps its vowels outside Slavic text
        ("Europe", "Europa y América.", "es"),
    ],
)
def test_what_a_looser_spelling_does_not_make_the_name(name: str, text: str, language: str) -> None:
    assert not found(name, text, language)


def test_an_organisation_named_after_its_country_without_it() -> None:
    name = "Supreme Court of Pakistan"
    assert found(name, "The Supreme Court said on Tuesday that Pakistan must act.", "en")
    assert found("Tehreek e Labbaik Pakistan", "Техрик-э-Лабайк протестует. Власти Пакистана молчат.", "ru")
    assert not found("Tehreek e Labbaik Pakistan", "Техрик-э-Лабайк протестует.", "ru")  # no country
    assert not found(name, "The Supreme Court of India ruled.", "en")
    assert not found(name, "The Court ruled. Pakistan reacted.", "en")  # one word of the rest


def test_the_keys() -> None:
    assert local_forms("Chán", "cs") == {name_form("Khan")} == {name_form("Хан")}
    assert local_forms("Chow", "en") == frozenset() and name_form("Chow") != name_form("How")
    assert local_forms("Chán", "en") == frozenset()
    muhammad = sound_key(name_form("Muhammad"))
    assert sound_key(name_form("Мухаммед")) == sound_key(name_form("Mohamed")) == muhammad
    assert sound_key(name_form("Mahmud")) != sound_key(name_form("Muhammad"))
    assert sound_key(name_form("Biden")) is None  # 5 letters: compared as it is
    assert skeleton(name_form("Mulook")) == skeleton(name_form("Malook")) != skeleton(name_form("Milan"))
    assert "rizvi" in stems(name_form("Rizvího"), endings("cs"))
    assert "bibi" in stems(name_form("Bibijeve"), endings("sl"))


def test_the_backfill_reads_what_the_matcher_finds() -> None:
    watch = compile_watch(WatchConfig(name="w", names=("Prophet Muhammad", "Saif Ul Malook")), "m", None)
    vocabulary = ["мухаммеда", "mohameda", "mahmud", "mulúk", "mulookowi", "milan", "x"]
    assert tokens_to_read(plan_for(watch), vocabulary) == ["мухаммеда", "mohameda", "mulúk", "mulookowi"]
