"""Bad input for names and places (issue 25): scripts the gazetteer does not know, 100,000
characters, names of 500 letters, 10,000 capitalised words in a row, and place names that are
common words. Nothing crashes, the work is bounded (counted here; timed in bench/badinput.py),
and a common word gives no country."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.entities.gazetteer import CITY, COUNTRY, Gazetteer, PlaceRecord
from monitor.entities.geotag import geotag
from monitor.entities.names import MAX_TEXT_CHARS as NAMES_TEXT_CHARS
from monitor.entities.names import names_in
from monitor.entities.placenames import MAX_CANDIDATES, MAX_PROSE_RUN, find_candidates
from monitor.entities.placenames import MAX_TEXT_CHARS as PLACES_TEXT_CHARS
from monitor.entities.places import resolve_places

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


# An article dense with places: mentions alike are decided once (monitor.entities.places), and
# each still gets the answer it would get alone. Pure: records and spans, no gazetteer.
_FRANKFURT = PlaceRecord(2925533, 2925533, "Frankfurt", "DE", CITY, 650_000, "05")
_NIEDERRAD = PlaceRecord(7290401, 7290401, "Niederrad", "DE", CITY, 24_000, "05")
_NIEDERRAD_ALTERNATE = dataclasses.replace(_NIEDERRAD, name="Frankfurt-Niederrad", main=False)
_NICE = PlaceRecord(2990440, 2990440, "Nice", "FR", CITY, 338_620, "93")
_FRANCE = PlaceRecord(3017382, 3017382, "France", "FR", COUNTRY, 66_987_244, "")


def _resolved(text: str, found: dict[str, tuple[PlaceRecord, ...]]) -> list[tuple[str, str]]:
    tag = resolve_places(find_candidates(text, "en"), found)
    return [(m.text, m.place.name) for m in tag.mentions]


def test_one_place_read_through_two_keys_is_decided_per_key() -> None:
    # The same place under its own name and under an alternate one: a small city's Latin
    # alternate is never read, its own name is (beside Frankfurt), whatever the order.
    found = {"frankfurt": (_FRANKFURT,), "niederrad": (_NIEDERRAD,),
             "frankfurt niederrad": (_NIEDERRAD_ALTERNATE,)}
    text = "Flights over Frankfurt-Niederrad and over Niederrad, near Frankfurt, went on. "
    expected = [("Niederrad", "Niederrad"), ("Frankfurt", "Frankfurt")]
    assert _resolved(text, found) == expected
    copies = PLACES_TEXT_CHARS // len(text)  # as many as are read
    assert _resolved(text * copies, found) == expected * copies


def test_mentions_of_one_name_in_different_places_of_a_sentence_are_decided_apart() -> None:
    # A common word opening a sentence is no place; the same word inside one, beside its
    # country, is.
    found = {"nice": (_NICE,), "france": (_FRANCE,)}
    text = "Nice weather today. The mayor of Nice in France spoke. "
    assert _resolved(text, found) == [("Nice", "Nice"), ("France", "France")]
    copies = PLACES_TEXT_CHARS // len(text)
    many = text * copies
    assert _resolved(many, found) == [("Nice", "Nice"), ("France", "France")] * copies
    assert resolve_places(find_candidates(many, "en"), found) == resolve_places(
        find_candidates(many, "en"), found)  # the same answer every time
