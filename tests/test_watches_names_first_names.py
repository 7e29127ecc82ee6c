"""A watched surname used as another person's first name in English (`names: [Anderson]`
against `Anderson Cooper`): the word after it, written alone elsewhere, is that person's
surname (monitor.watches.names._before_a_surname). Pure: a name and a text in."""

from __future__ import annotations

import pytest

from monitor.watches.names import NameText, watched_name


@pytest.mark.parametrize(("text", "found"), [
    # Cooper written alone: Anderson is a first name there
    ("Anderson Cooper hosted the debate. Cooper said the candidates clashed.", False),
    ("CNN host Anderson Cooper asked the question. Cooper said so.", False),
    # no word to tell: still found (a headline capitalizes every word)
    ("Anderson Cooper hosted the debate.", True),
    ("Anderson Leads Team To Victory", True),
    # the surname after a first name, or alone
    ("Pamela Anderson returned. Anderson said she was glad.", True),
    ("Anderson said the vote was close. Cooper, a rival, disagreed.", True),
    # an acronym, a weekday after it: no one's surname
    ("Anderson Monday said so. Monday was busy.", True),
])
def test_a_surname_watch_and_a_first_name_of_another(text: str, found: bool) -> None:
    assert NameText.of(text, language="en").has(watched_name("Anderson")) is found


def test_a_full_name_watch_is_not_found_by_another_persons_first_name() -> None:
    text = "Anderson Cooper hosted the debate. Cooper said the candidates clashed."
    assert not NameText.of(text, language="en").has(watched_name("Gillian Anderson"))
    assert NameText.of(text, language="en").has(watched_name("Anderson Cooper"))


def test_other_languages_keep_their_own_rule() -> None:
    """A photo credit run into the next sentence (`Снимка: Ройтерс Франция е готова`) is not
    read as a first name: there the rule would lose as many true mentions as false ones."""
    text = "Снимка: Ройтерс Франция е готова да приеме. Франция заяви."
    assert NameText.of(text, language="bg").has(watched_name("Reuters"))
