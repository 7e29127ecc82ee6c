"""Bad input for names and places (issue 25): scripts the gazetteer does not know, 100,000
characters, names of 500 letters, 10,000 capitalised words in a row, and place names that are
common words. Nothing crashes, the work is bounded (counted here; timed in bench/badinput.py),
and a common word gives no country."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.entities.gazetteer import Gazetteer
from monitor.entities.geotag import geotag
from monitor.entities.names import MAX_TEXT_CHARS as NAMES_TEXT_CHARS
from monitor.entities.names import names_in
from monitor.entities.placenames import MAX_CANDIDATES, MAX_PROSE_RUN, find_candidates

UNKNOWN_SCRIPTS = (
    "ፕሬዚዳንቱ በአዲስ አበባ ንግግር አደረጉ። " * 40  # Ge'ez
    + "བོད་ཀྱི་རྒྱལ་ཁབ་ལྷ་ས། " * 40  # Tibetan
    + "ᏣᎳᎩ ᎠᏂᏴᏫ ᏓᏳᏂᎶᏒ ᏗᎦᏚᎲ. " * 40  # Cherokee: capitals only
    + "𐐔𐐯𐑅𐐨𐑉𐐯𐐻 𐐃𐐿 𐐝𐐪𐑊𐐻. " * 40  # Deseret: capitals and small letters, outside the BMP
)
PLACE_WORDS = [
    "Paris", "Nice", "Mobile", "Reading", "Bath", "Georgia", "Jordan", "London", "Moscow", "Chad",
    "Niger", "Turkey", "Chile",
]


@pytest.fixture(scope="module")
def gazetteer(gazetteer_file: Path) -> Iterator[Gazetteer]:
    opened = Gazetteer(gazetteer_file)
    yield opened
    opened.close()


@pytest.mark.parametrize(
    "sentence",
    [
        "It was a nice day. Nice work, said the manager, and everyone went home.",
        "Mobile phones are everywhere now. Sales of mobile devices grew by a tenth.",
        "Reading is good for children, the teachers said. Reading books helps them.",
        "Bath time is fun for the kids. She ran a hot bath before bed.",
        "He bought a Mobile phone and a Nice car. Reading glasses and Bath towels are on sale.",
        "NICE guidance on MOBILE screening and READING glasses was published.",
    ],
)
def test_a_common_word_gives_no_country(gazetteer: Gazetteer, sentence: str) -> None:
    tag = geotag(gazetteer, sentence, title="", language="en")
    assert tag.countries == () and tag.places == (), [(p.name, p.country) for p in tag.places]


def test_the_places_of_those_words_are_still_found_where_they_are_places(gazetteer: Gazetteer) -> None:
    text = "The festival in Nice drew crowds, and the mayor of Nice, France, spoke at the harbour."
    assert geotag(gazetteer, text, language="en").countries == ("FR",)


def test_unknown_scripts_give_no_place_and_no_crash(gazetteer: Gazetteer) -> None:
    assert geotag(gazetteer, UNKNOWN_SCRIPTS, title="ዜና ከአዲስ አበባ").places == ()
    found = names_in("ዜና", UNKNOWN_SCRIPTS, None)
    assert all(len(n.name.split()) <= 6 for n in found)  # Deseret has capitals: a run, no more


def test_a_long_article_is_read_up_to_a_bound(gazetteer: Gazetteer) -> None:
    filler = "the talks went on late into the night and nothing was said. "
    text = filler * (NAMES_TEXT_CHARS // len(filler) + 1) + "Then Vladimir Putin arrived in Kazan. "
    text += filler * ((100_000 - len(text)) // len(filler) + 1)
    assert len(text) > 100_000
    assert names_in("Talks", text, "en") == ()  # the name comes after the characters read
    assert geotag(gazetteer, text, title="Talks", language="en").places == ()
    assert [n.name for n in names_in("Talks", "Vladimir Putin arrived. " + text, "en")] == ["Vladimir Putin"]


def test_a_name_of_500_letters_is_no_name_and_its_neighbours_still_are(gazetteer: Gazetteer) -> None:
    text = "President A" + "b" * 499 + " met Ж" + "д" * 499
    text += " in Paris with Emmanuel Macron. Mr " + "Q" * 500
    assert {n.name for n in names_in("A" + "b" * 499, text, "en")} == {"Emmanuel Macron", "Paris"}
    assert geotag(gazetteer, text, title="A" + "b" * 499, language="en").countries == ("FR",)


def test_ten_thousand_capitalised_words_name_no_place_and_read_a_bounded_number(gazetteer: Gazetteer) -> None:
    words = " ".join(PLACE_WORDS[i % len(PLACE_WORDS)] for i in range(10_000))
    assert find_candidates(words, "en") == []  # a run this long is a list, not prose
    assert geotag(gazetteer, words, title="News", language="en").places == ()
    assert names_in("News", words, "en") == ()
    # Runs just short enough to be prose, one after another: the spans read are capped.
    prose = ", then ".join(" ".join(PLACE_WORDS[: MAX_PROSE_RUN - 3]) for _ in range(2_000))
    assert len(find_candidates(prose, "en")) == MAX_CANDIDATES
    assert geotag(gazetteer, prose, language="en").places  # and still found, within the bound


def test_a_headline_in_title_case_is_read_whatever_its_length(gazetteer: Gazetteer) -> None:
    title = (
        "Protesters Gather In Central Paris As Unions Call Another Day Of Strikes Over The Pension "
        "Reform Plan"
    )
    assert len(title.split()) > MAX_PROSE_RUN
    assert geotag(gazetteer, "", title=title, language="en").countries == ("FR",)


def test_no_case_reaches_into_the_file_system(tmp_path: Path) -> None:
    # A name that looks like a path or markup is text: names and keys keep it as such.
    found = names_in("../../etc/passwd", "Director <b>Jane Roe</b> of /var/Lib said so.", "en")
    assert "Jane Roe" in [n.name for n in found]
