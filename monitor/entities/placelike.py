"""Names that are places or their peoples: Paris, United States, Europe, Россия, American,
Ukrainians, Amerikaner. They are the places stage's (countries and places), not people or
organisations, so the names stage keeps them out of an article's names (and so out of /names
and the rising names). Pure, given the gazetteer's lookups.

A name is a place when its fullest spelling is, in the gazetteer, a country or continent, a
state or region with a GeoNames id, or a city of at least MIN_CITY people by its own name, or
by another written in a script of its own (Киев, Тегеран: not the Latin letters many languages
share) or, for a city of MIN_ALTERNATE_CITY, in Latin letters (Londres, Nueva York, Pékin,
Praga: 274 such "names" on the 2,347 texts of bench/entities_cost.py), and not a common
word or surname that geotagging also distrusts (Bush is not Būsh, Egypt); an acronym only a
country (US, UK). A single word is a people's name when, less an ending that
forms peoples' names (-ian, -an, -ese, -ish, -er, -ais, -anie...), it is the beginning of a
country's or continent's name in one word, short of at most MAX_REST letters (American ->
America, Ukrainian -> Ukraine, Chinese -> China, British -> Britain, Amerykanie -> Ameryka);
-i and -is only where what is left is the country's whole name (Israeli, Pakistanis), so that
Francis is not French.

A name of several words whose last word says what kind of place it is (`Sonoma County`,
`Silicon Valley`, `Maacama Fault`, `Red Sea`) is a place, whether the gazetteer holds it or not;
an organisation named after a place ends with another word (`Silicon Valley Bank`, `Black Sea
Fleet`).

A town too small for that (Healdsburg) is a place when the article also names its state or
region among the names that are places (`supported_towns`: Healdsburg and California), the town
written alone (a single word, no first name or title beside it: those are people's names). Its
country named is not enough: Xinhua and China, Woodward and USA, Chelsea and Britain name an
agency, a journalist and a club more often than a town.

A place's name inflected is a place too: a country's in several words each with its ending
(`Соединенных Штатах`, `Stanów Zjednoczonych`: `placephrases`), or one word less a case ending
where geotagging stems it (`Великобритании`, `Francji`, `Warszawie`, `Москве`): a country or
continent, or a city of MIN_CITY people by its own name or by another in a script of its own
(Москва), by another in Latin letters only a city of MIN_ALTERNATE_CITY (`Warszawa`: Warsaw;
`Hamasu` is no form of Hamm, DE, whose other names hold `Hamas`); not a common word
(`Bushem`: Būsh, EG).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from monitor.entities.forms import latin
from monitor.entities.gazetteer import CITY, CONTINENT, COUNTRY, REGION, Gazetteer, PlaceRecord, place_key
from monitor.entities.names import Name
from monitor.entities.placenames import INFLECTING_LANGUAGES, word_keys
from monitor.entities.placephrases import PhraseStarts, phrase_candidates, phrase_starts
from monitor.entities.places import COMMON_WORDS

__all__ = [
    "MIN_CITY", "PLACE_KIND_WORDS", "demonym_stems", "inflected_keys", "inflected_place", "is_demonym",
    "is_place",
    "people_and_organisations", "people_and_organisations_all", "supported_towns",
]

MIN_CITY = 100_000
MIN_ALTERNATE_CITY = 1_000_000
MAX_REST = 3
_MIN_STEM = 4
_MAX_ACRONYM = 5
# Endings of peoples' names, in the languages that write them capitalised (English, German,
# French, Polish, Dutch), longest first.
_ENDINGS = tuple(sorted({
    "ians", "ian", "eans", "ean", "ans", "an", "ese", "ish", "ers", "er", "aner", "ier",
    "ais", "aise", "aises", "ain", "aine", "ains", "aines", "ien", "ienne", "iens", "iennes",
    "anie", "czycy", "cy", "en",
}, key=len, reverse=True))
_WHOLE_ENDINGS = ("is", "i")  # Israelis, Pakistani: only to the country's whole name
# Last words of places' names in English news, which people's and organisations' names do not
# end with (not Bay, Lake, Ocean: Michael Bay, Ricki Lake, Frank Ocean).
PLACE_KIND_WORDS = frozenset({
    "county", "valley", "area", "fault", "island", "islands", "isles", "river", "mountains",
    "peninsula", "province", "region", "oblast", "krai", "coast", "desert", "sea", "strait",
    "straits", "canyon", "basin", "delta", "lakes", "gulf", "archipelago", "plateau",
    "highlands", "lowlands", "geysers",
})


def is_place(
    records: Sequence[PlaceRecord], acronym: bool, common: bool = False, own_script: bool = False
) -> bool:
    """Whether a name's readings in the gazetteer make it a place (see the module); a
    `common` word (places.COMMON_WORDS: Bush, Jackson) is no city's name here either;
    `own_script`: the name is written in a script other than Latin."""
    for place in records:
        if place.kind in (COUNTRY, CONTINENT):
            return True
        if acronym:
            continue
        if place.kind == REGION and place.geonameid is not None:
            return True
        other_name = own_script or place.population >= MIN_ALTERNATE_CITY  # (Londres, Nueva York)
        if place.kind == CITY and (place.main or other_name) and place.population >= MIN_CITY and not common:
            return True
    return False


def demonym_stems(word: str, key: str | None = None) -> list[tuple[str, bool]]:
    """(stem, whole) for each ending `word` (its `place_key`: `key`) may carry: `whole` when
    the stem must be a whole country name. None for words of more than one word or too short."""
    key = place_key(word) if key is None else key
    if " " in key or not key.isalpha() or not key.endswith(_ENDINGS + _WHOLE_ENDINGS):
        return []  # (most names: one test of every ending at once)
    stems = [(key[: -len(e)], False) for e in _ENDINGS if key.endswith(e)]
    stems += [(key[: -len(e)], True) for e in _WHOLE_ENDINGS if key.endswith(e)]
    return [(stem, whole) for stem, whole in stems if len(stem) >= _MIN_STEM]


def is_demonym(word: str, country_keys: Callable[[str], Iterable[str]], key: str | None = None) -> bool:
    """Whether `word` (its `place_key`: `key`) names a people (see the module);
    `country_keys(prefix)` gives the one-word keys of countries and continents that start
    with `prefix`."""
    for stem, whole in demonym_stems(word, key):
        for key in country_keys(stem):
            if key == stem or (not whole and len(key) - len(stem) <= MAX_REST and " " not in key):
                return True
    return False


def place_like_names(
    spellings: Sequence[str],
    found: Mapping[str, tuple[PlaceRecord, ...]],
    country_keys: Callable[[str], Iterable[str]],
    keys: Sequence[str] | None = None,
) -> list[bool]:
    """For each name's fullest spelling, whether it is a place or a people; `found` is the
    gazetteer's readings of their `place_key`s (`keys`, when worked out already)."""
    flags = []
    if keys is None:
        keys = [place_key(s) for s in spellings]
    for spelling, key in zip(spellings, keys, strict=True):
        acronym = spelling.isupper() and len(spelling) <= _MAX_ACRONYM
        words = spelling.split()
        place = is_place(found.get(key, ()), acronym, key in COMMON_WORDS,
                         not latin(spelling.replace(" ", ""))) or (
            len(words) > 1 and words[-1].casefold() in PLACE_KIND_WORDS)
        people = not place and not acronym and " " not in spelling.strip() and is_demonym(
            spelling, country_keys, key)
        flags.append(place or people)
    return flags


def _regions(records: Sequence[PlaceRecord]) -> set[tuple[str, str]]:
    """The states or regions (country, admin1) a place name may name."""
    return {(p.country, p.admin1) for p in records if p.kind == REGION and p.admin1}


def supported_towns(
    spellings: Sequence[str],
    found: Mapping[str, tuple[PlaceRecord, ...]],
    flags: Sequence[bool],
    keys: Sequence[str] | None = None,
) -> list[bool]:
    """For each name not yet a place (`flags`), whether it is a town, by its own name, of a
    state or region that another name of the article, a place, names (see the module); `keys`:
    the names' `place_key`s, when worked out already."""
    if keys is None:
        keys = [place_key(s) for s in spellings]
    named: set[tuple[str, str]] = set()
    for key, place in zip(keys, flags, strict=True):
        if place:
            named |= _regions(found.get(key, ()))
    if not named:
        return [False] * len(spellings)
    towns = []
    for spelling, key, place in zip(spellings, keys, flags, strict=True):
        towns.append(not place and " " not in spelling.strip() and not spelling.isupper()
                     and key not in COMMON_WORDS and any(
                         p.kind == CITY and p.main and (p.country, p.admin1) in named
                         for p in found.get(key, ())))
    return towns


def inflected_keys(
    spelling: str,
    language: str | None,
    phrases: Mapping[str, tuple[str, ...]],
    starts: PhraseStarts | None = None,
) -> tuple[str, ...]:
    """The keys a spelling may have as an inflected place name (see the module): the
    nominative of a name in several words (`phrases`, as `Gazetteer.phrases` gives them, for
    its `phrase_starts`: `starts`, when worked out already), or a word's stems."""
    if " " not in spelling:
        return word_keys(spelling, language)[1:]
    if starts is None:
        starts = phrase_starts(spelling)
    for candidate in phrase_candidates(starts, phrases, language):
        if candidate.start == 0 and candidate.end == len(spelling):
            return candidate.keys[1:]
    return ()


def inflected_place(key: str, place: PlaceRecord, spelling: str) -> bool:
    """Whether an inflected spelling read as `key` names this place (see the module)."""
    if key in COMMON_WORDS:
        return False
    if place.kind in (COUNTRY, CONTINENT):
        return True
    if place.kind != CITY or place.population < MIN_CITY:
        return False
    return place.main or not latin(spelling.replace(" ", "")) or place.population >= MIN_ALTERNATE_CITY


def people_and_organisations(
    found: tuple[Name, ...],
    gazetteer: Gazetteer | None,
    language: str | None = None,
) -> list[Name]:
    """The names that are no place and no people, by the gazetteer (all without one), in an
    article of this language (for its inflections)."""
    if gazetteer is None or not found:
        return list(found)
    keys = [place_key(n.name) for n in found]
    return people_and_organisations_all([(found, language, keys)], gazetteer, gazetteer.lookup(keys))[0]


def people_and_organisations_all(
    articles: Sequence[tuple[tuple[Name, ...], str | None, Sequence[str]]],
    gazetteer: Gazetteer,
    readings: Mapping[str, tuple[PlaceRecord, ...]],
) -> list[list[Name]]:
    """`people_and_organisations` of each article's names (with its language and their
    `place_key`s, whose places `readings` holds), the gazetteer asked once for all the
    articles' names read as inflected."""
    flags_of: list[list[bool]] = []
    maybe_of: list[list[str]] = []  # per article: the names to read as inflected
    for found, language, keys in articles:
        spellings = [n.name for n in found]
        flags = place_like_names(spellings, readings, gazetteer.country_keys, keys)
        towns = supported_towns(spellings, readings, flags, keys)
        flags_of.append([place or town for place, town in zip(flags, towns, strict=True)])
        # The others, read as inflected: in a language that inflects names, or in Cyrillic.
        inflecting = language in INFLECTING_LANGUAGES
        maybe_of.append([s for s, place in zip(spellings, flags_of[-1], strict=True)
                         if not place and (inflecting or not latin(s.replace(" ", "")))])
    inflected: list[dict[str, tuple[str, ...]]] = [{} for _ in articles]
    inflected_readings: Mapping[str, tuple[PlaceRecord, ...]] = {}
    if any(maybe_of):
        starts = {s: phrase_starts(s) for maybe in maybe_of for s in maybe if " " in s}
        phrases = gazetteer.phrases(h for found_at in starts.values() for h in found_at.heads)
        for keys_of, (_, language, _), maybe in zip(inflected, articles, maybe_of, strict=True):
            keys_of.update((s, inflected_keys(s, language, phrases, starts.get(s))) for s in maybe)
        inflected_readings = gazetteer.lookup(k for keys_of in inflected for keys in keys_of.values()
                                              for k in keys)
    return [
        [name for name, place in zip(found, flags, strict=True)
         if not place and not any(inflected_place(k, p, name.name)
                                  for k in keys_of.get(name.name, ()) for p in inflected_readings.get(k, ()))]
        for (found, _, _), flags, keys_of in zip(articles, flags_of, inflected, strict=True)
    ]
