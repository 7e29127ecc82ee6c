"""A watch's `names`, written in English, found where another language translates the name
(monitor.watches.translated, monitor.entities.lexicon): institution words, titles and the
persons languages translate, in each language family; and never another institution (`High
Court` is not the Supreme Court). Sentences written for these tests, in the languages' own
words."""

from __future__ import annotations

import pytest

from monitor.entities.forms import name_form
from monitor.entities.lexicon import concepts_of_name_word, concepts_of_word, short_names
from monitor.watches.matcher import compile_watch
from monitor.watches.prefilter import plan_for, tokens_to_read
from monitor.watches.settings import WatchConfig

from .watches_helpers import name_found as found


@pytest.mark.parametrize(
    ("name", "text", "language"),
    [
        # East Slavic, Cyrillic: inflected, in either order
        ("Supreme Court", "Решение Верховного суда вступило в силу.", "ru"),
        ("Supreme Court", "Рішення ухвалив Верховний суд.", "uk"),
        ("Constitutional Court", "Это решил Конституционный суд.", "ru"),
        # South Slavic: Bulgarian's article glued to the word, Croatian, Slovene
        ("Supreme Court", "Върховният съд отмени присъдата.", "bg"),
        ("Supreme Court", "Odluku je donio Vrhovni sud.", "hr"),
        ("Supreme Court", "Tako je odločilo Vrhovno sodišče.", "sl"),
        # West Slavic: the adjective after the noun, or before it
        ("Supreme Court", "Orzeczenie Sądu Najwyższego jest ostateczne.", "pl"),
        ("Supreme Court", "Rozhodl o tom Nejvyšší soud.", "cs"),
        ("Supreme Court", "Rozhodol o tom Najvyšší súd.", "sk"),
        # Germanic and Romance
        ("Supreme Court", "La Corte Suprema ha deciso.", "it"),
        ("Supreme Court", "El Tribunal Supremo ha fallado.", "es"),
        ("Catholic Church", "Die Katholische Kirche hat erklärt.", "de"),
        ("Catholic Church", "Позиция Католической церкви неизменна.", "ru"),
        ("Catholic Church", "Stanowisko Kościoła Katolickiego jest jasne.", "pl"),
        # a link of the name as the language writes it, and more institution words
        ("Law and Justice", "Posłowie Prawa i Sprawiedliwości głosowali.", "pl"),
        ("White House", "Об этом сообщили в Белом доме.", "ru"),
        # (this name once crashed the matcher on any text of a respelling language: its words
        # read into another alphabet gave no cognate keys while the Latin ones did)
        ("House of Commons", "Izba Gmin odrzuciła umowę.", "pl"),
        ("House of Commons", "Палата общин отклонила соглашение.", "ru"),
        ("World Health Organization", "Эксперты Всемирной организации здравоохранения.", "ru"),
        ("International Monetary Fund", "Podle Mezinárodního měnového fondu.", "cs"),
        ("Islamic State", "Bojownicy Państwa Islamskiego.", "pl"),
        # an organisation named after its country: the country named anywhere
        ("Supreme Court of Pakistan", "Верховный суд оправдал её. Власти Пакистана молчат.", "ru"),
        # persons that languages translate, with their title or by the last word alone
        ("Pope Francis", "Papież Franciszek odwiedził Rzym.", "pl"),
        ("Pope Francis", "Об этом сказал Франциск в воскресенье.", "ru"),
        ("Pope Francis", "To řekl papež František.", "cs"),
        ("Jesus Christ", "Věří v Ježíše Krista.", "cs"),
        ("Jesus Christ", "Во имя Христа.", "ru"),
        ("God", "Да поможет нам Бог.", "ru"),
        # what languages write for an organisation's initials, or its short name
        ("European Union", "Лидеры ЕС собрались в Брюсселе.", "ru"),
        ("European Union", "Евросоюз ввёл санкции.", "ru"),
        ("United Nations", "Sekretarz generalny ONZ zabrał głos.", "pl"),
        ("United Nations", "Генсек ООН выступил.", "ru"),
        ("UN", "Генсек ООН выступил.", "ru"),
        ("United Nations", "Rada Bezpieczeństwa Narodów Zjednoczonych obraduje.", "pl"),
    ],
)
def test_a_translated_name_is_found(name: str, text: str, language: str) -> None:
    assert found(name, text, language)


@pytest.mark.parametrize(
    ("name", "text", "language"),
    [
        # another court: every word of the name must be found
        ("Supreme Court", "The High Court ruled on Monday.", "en"),
        ("Supreme Court", "Решение вынес Высокий суд Лахора.", "ru"),
        ("Supreme Court", "Orzekł o tym Sąd Okręgowy.", "pl"),
        ("Constitutional Court", "Rozhodl o tom Nejvyšší soud.", "cs"),
        ("Supreme Court", "Rozhodl o tom Ústavní soud.", "cs"),
        ("Supreme Court", "Rozhodl o tom Nejvyšší správní soud.", "cs"),
        # the words apart are not the name; a link only where the name has one
        ("White House", "Белый медведь вошёл в дом.", "ru"),
        ("Islamic State", "Państwo i Kościół Islamski.", "pl"),
        ("Supreme Court", "Najwyższy czas, by sąd się tym zajął.", "pl"),
        # an organisation named after its country, where the text names another
        ("Supreme Court of Pakistan", "Верховный суд России отклонил иск.", "ru"),
        # a translated first name before another name is another person
        ("Pope Francis", "To řekl František Novák.", "cs"),
        # a stem of three letters takes a case ending only: Sudan is not a court, Bogdan not God
        ("God", "Это сказал Богдан.", "ru"),
        ("Supreme Court", "Верховный Судан.", "ru"),
        # Christians are not Christ
        ("Jesus Christ", "Христиане составляют меньшинство.", "ru"),
        # a queen is not a king
        ("King", "Govorila je kraljica.", "hr"),
        # a Latin EC is not the Cyrillic ЕС
        ("European Union", "The EC said so.", "en"),
        # one institution word alone is not a name: it would find every government
        ("Government", "Правительство Испании заявило.", "ru"),
        ("European", "Европейские лидеры собрались.", "ru"),
        # a word of another language is read in its own: English `sad` is not Polish sąd
        ("Supreme Court", "A supreme effort, a sad day.", "en"),
    ],
)
def test_another_name_is_not_found(name: str, text: str, language: str) -> None:
    assert not found(name, text, language)


def test_the_lexicon_reads_a_word_in_its_language() -> None:
    assert concepts_of_word(name_form("Najwyższego"), "pl") == {"supreme"}
    assert concepts_of_word(name_form("kraljica"), "hr") == {"queen"}
    assert concepts_of_word(name_form("kralj"), "hr") == {"king"}
    assert concepts_of_word(name_form("národní"), "cs") == {"national"}
    assert concepts_of_word(name_form("národů"), "cs") == {"nations"}
    assert concepts_of_word(name_form("sad"), "en") == frozenset()
    assert concepts_of_word(name_form("sąd"), None) == {"court"}  # unknown language: every one
    assert concepts_of_name_word("Court") == {"court"}
    assert concepts_of_name_word("Curtis") == frozenset()  # a name's word is read whole
    assert {"ООН", "ONZ", "OSN"} <= short_names("UN")
    assert short_names("XYZ") == frozenset()


def test_the_backfill_reads_the_translated_words() -> None:
    watch = compile_watch(WatchConfig(name="w", names=("Supreme Court",)), None, None)
    vocabulary = ["верховного", "sądu", "najwyższego", "suda", "ustavni", "tennis"]
    assert tokens_to_read(plan_for(watch), vocabulary) == ["верховного", "sądu", "najwyższego", "suda"]
    union = compile_watch(WatchConfig(name="w", names=("European Union",)), None, None)
    assert "ес" in tokens_to_read(plan_for(union), ["ес", "tennis"])
