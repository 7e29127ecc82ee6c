"""Which words of a text belong to a recognised person's name (pure), and what that does to
the places read there."""

from __future__ import annotations

from monitor.entities.personwords import person_name_words, person_spellings


def starts(found: frozenset[tuple[bool, int]], text: str, in_title: bool = False) -> list[str]:
    """The words found, as written."""
    return [text[at:].split()[0].strip(".,:") for title, at in sorted(found) if title == in_title]


def test_people_spellings_not_places_organisations_or_particles() -> None:
    names = [
        ("Michael Jordan", "Jordan"),
        ("King Abdullah of Jordan",),  # a particle: the country
        ("New York",), ("BBC Scotland",), ("The Hague",),
        ("Georgia State University",), ("Kyiv Post",),
        ("George Floyd",), ("Президент Джордж Флойд",),
        ("A B C D E",),  # too long for a person
    ]
    assert person_spellings(names) == [
        ("Michael", "Jordan"), ("George", "Floyd"), ("Президент", "Джордж", "Флойд"),
    ]


def test_full_name_words_and_surname_after_it() -> None:
    text = "Jordan is warm. Michael Jordan scored. Later Jordan said he was proud. Jordanian fans."
    found = person_name_words([("Michael Jordan", "Jordan")], "", text)
    # the surname before the full name is not his; inside another word is no mention
    assert starts(found, text) == ["Michael", "Jordan", "Jordan"]
    assert (False, text.index("Jordan")) not in found
    assert (False, text.index("Later Jordan") + 6) in found


def test_title_names_and_surnames() -> None:
    title, text = "Jordan retires", "Michael Jordan said he would retire."
    assert starts(person_name_words([("Michael Jordan",)], title, text), title, True) == ["Jordan"]
    # a full name in the headline marks the text's surname wherever it is
    title, text = "George Floyd: a year on", "Floyd died in Minneapolis."
    found = person_name_words([("George Floyd",)], title, text)
    assert starts(found, title, True) == ["George", "Floyd"]
    assert starts(found, text) == ["Floyd"]


def test_no_people_no_words() -> None:
    assert person_name_words([("NATO",), ("Jordan",)], "Jordan", "Jordan and NATO.") == frozenset()
    assert person_name_words([], "", "") == frozenset()


def test_given_names_in_a_script_without_capitals() -> None:
    # the words before the last; a Korean particle after the name does not hide it
    text = "블라디미르 푸틴은 베이징에서 말했다."
    assert starts(person_name_words([("블라디미르 푸틴",)], "", text), text) == ["블라디미르"]
    text = "قال فلاديمير بوتين إن فلاديمير بوتين مستعد."
    assert starts(person_name_words([("فلاديمير بوتين",)], "", text), text) == ["فلاديمير"] * 2
    # a name cut short: its last word too, before a surname-like word the text writes apart
    text = "נשיא רוסיה ולדימיר פוטין נפגש. פוטין אמר."
    assert starts(person_name_words([("רוסיה ולדימיר",)], "", text), text) == ["רוסיה", "ולדימיר"]
    text = "נשיא רוסיה ולדימיר פוטין נפגש."  # the next word nowhere else: not a surname
    assert starts(person_name_words([("רוסיה ולדימיר",)], "", text), text) == ["רוסיה"]
    # inside another word: not the name
    text = "وبلدية طهران"
    assert person_name_words([("بلدية طهران",)], "", text) == frozenset()
