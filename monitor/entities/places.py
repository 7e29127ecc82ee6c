"""Which places a text is about: pick among the gazetteer's readings of each mention (pure).

The decision takes the candidate spans (`placenames.find_candidates`) and what the gazetteer
holds for their keys, and returns the places with GeoNames ids and the countries:

- well-known places win (a population prior; countries, then states and regions, first),
- unless the text's other places point elsewhere: a city in a country or state the text names
  gains (Paris and Texas -> Paris, TX; Georgia with Atlanta -> the US state);
- the feed's country, when known, tips close calls;
- guards against words that only look like places: weekdays and months, common words
  (Nice, Mobile, Reading, Bath) at the start of a sentence or with nothing else in the text
  pointing to their country, a word that the text also writes in lower case, and a place name
  inside a person's name (Michael Jordan, Jordan Henderson, "Henderson" used alone later).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from monitor.entities.gazetteer import CITY, CONTINENT, COUNTRY, REGION, PlaceRecord
from monitor.entities.placenames import Candidate

__all__ = ["Geotag", "PlaceMention", "resolve_places"]

# Single words that are places somewhere but far more often something else, in the languages
# of the feeds: never a place on their own at the start of a sentence, and elsewhere only
# when the text's other places point to the same country.
# Months and weekdays are never a place on their own (Theresa May; March, Cambridgeshire).
CALENDAR_WORDS = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday",
})
COMMON_WORDS = frozenset({
    "nice", "mobile", "reading", "bath", "split", "hope", "deal", "sale", "wells", "orange",
    "independence", "liberty", "justice", "union", "unity", "progress", "enterprise",
    "commerce", "concord", "harmony", "providence", "paradise", "mission", "temple", "eagle",
    "pleasant", "normal", "early", "marathon", "grand", "university", "college", "city",
    "center", "centre", "republic", "buffalo", "phoenix", "bradford", "dover", "mercedes",
    "jackson", "franklin", "madison", "hamilton", "clinton", "douglas", "winston", "eugene",
    "marion", "warren", "trump", "ben", "van", "man",
    "bar", "most", "gap", "best", "bristol", "royal", "street", "north", "south", "east",
    "west", "central", "media", "police", "general", "army", "national", "summit", "post",
    "globe", "herald", "news", "tribune", "star", "sun", "time", "times", "state", "states",
    "said", "says", "but", "and", "the", "this", "that", "these", "there", "after", "before",
    "during", "while", "under", "over", "as", "at", "in", "on", "of", "for", "with", "by",
    "from", "about", "all", "more", "many", "some", "one", "two", "its", "his", "her",
    "their", "our", "your", "it", "he", "she", "we", "they", "you", "if", "when", "where",
    "what", "who", "how", "why", "not", "no", "yes", "also", "even", "just", "only", "still",
    "bay", "lake", "river", "valley", "mountain", "beach", "park", "island", "islands",
    "coast", "port", "fort", "mount", "saint", "san", "santa", "new", "old", "little", "big",
    "long", "white", "black", "red", "green", "blue", "gold", "silver", "golden",
    "america",  # the continent as often as the country: kept only with US context
    "white house", "liberal", "olympic", "god", "much", "lakes", "bush", "amazon",
})
# Words before a place name that keep it a place (Southern California, Greater London).
_PLACE_QUALIFIERS = frozenset({
    "north", "south", "east", "west", "northern", "southern", "eastern", "western", "central",
    "greater", "upper", "lower", "new", "old", "downtown", "rural", "metro", "inner", "outer",
    "northeast", "northwest", "southeast", "southwest", "coastal", "occupied", "mainland",
})
# Bonuses on the log10-population prior.
_KIND_PRIOR = {CONTINENT: 9.0, COUNTRY: 8.6, REGION: 7.5}
_ISO_REGION_PRIOR = 6.3
# A place gains when the text names its country or state, and less when only other cities
# of that country or state are named (Paris and Dallas is still Paris, France).
_NAMED_COUNTRY = 1.5
_NAMED_REGION = 2.5
_CITY_COUNTRY = 0.75
_CITY_REGION = 0.75
_FEED_COUNTRY = 1.5
_MIN_UNSUPPORTED_CITY = 50_000  # a smaller city needs its country or region in the text
_MIN_STEMMED_CITY = 100_000  # an inflected form alone reaches only large cities
_MIN_UNCASED_CITY = 100_000  # so does a word in a script without case
_MIN_ALTERNATE_CITY = 200_000  # and a city's alternate name (Drug is also Durg, India)
_MIN_COMMON_CITY = 50_000  # a common word is a city only when large and its country is named
_MAIN_NAME = 2.5  # a place's own name before another's alternate (Marburg, not Maribor)
_MIN_OPENING_CITY = 100_000  # a city named by a sentence's first word, unless its country is
_MAX_ACRONYM = 5  # US, UK, DRC: an all-capitals word names a country only


@dataclass(frozen=True, slots=True)
class PlaceMention:
    """A place named at `start`:`end` of the text."""

    start: int
    end: int
    text: str
    place: PlaceRecord
    in_title: bool = False


@dataclass(frozen=True, slots=True)
class Geotag:
    """The places of a text (with GeoNames ids, first mention first) and its countries."""

    places: tuple[PlaceRecord, ...]
    countries: tuple[str, ...]
    mentions: tuple[PlaceMention, ...]


@dataclass(slots=True)
class _Reading:
    candidate: Candidate
    options: tuple[PlaceRecord, ...]
    stemmed: bool
    common: bool


def _prior(place: PlaceRecord) -> float:
    if place.kind == REGION and place.geonameid is None:
        return _ISO_REGION_PRIOR
    if place.kind in _KIND_PRIOR:
        return _KIND_PRIOR[place.kind]
    return math.log10(place.population + 10)


def _readings(
    candidates: Sequence[Candidate], found: Mapping[str, tuple[PlaceRecord, ...]],
    lowercase_words: frozenset[str],
) -> list[_Reading]:
    """The longest non-overlapping spans that the gazetteer knows, exact keys before stems."""
    matched: list[_Reading] = []
    for candidate in candidates:
        word = candidate.text.casefold()
        if candidate.words == 1 and (word in CALENDAR_WORDS or (candidate.cased and len(word) < 3
                                     and not candidate.text.isupper())):
            continue
        acronym = candidate.cased and candidate.text.isupper() and len(word) <= _MAX_ACRONYM
        for index, key in enumerate(candidate.keys):
            options = found.get(key)
            if options and acronym:
                options = tuple(o for o in options if o.kind == COUNTRY)
            if options:
                common = word in COMMON_WORDS or word in _PLACE_QUALIFIERS or (
                    candidate.words == 1 and candidate.cased and word in lowercase_words
                )
                matched.append(_Reading(candidate, options, index > 0, common))
                break
    matched.sort(key=lambda r: (-(r.candidate.end - r.candidate.start), r.stemmed,
                                r.candidate.start))
    taken: list[_Reading] = []
    used: list[tuple[bool, int, int]] = []
    for reading in matched:
        candidate = reading.candidate
        if any(candidate.in_title == in_title and candidate.start < end and start < candidate.end
               for in_title, start, end in used):
            continue
        taken.append(reading)
        used.append((candidate.in_title, candidate.start, candidate.end))
    taken.sort(key=lambda r: (not r.candidate.in_title, r.candidate.start))
    return taken


def _is_person_part(reading: _Reading, surnames: frozenset[str]) -> bool:
    """A place name inside a person's name: Michael Jordan, Jordan Henderson."""
    candidate = reading.candidate
    if not candidate.cased or candidate.words != 1:
        return False
    if all(o.kind == CITY for o in reading.options) and (
        candidate.text in surnames or candidate.next_word
    ):
        return True  # Jordan Henderson ... Henderson said; Paris Hilton
    if candidate.previous_capitalised and not candidate.sentence_initial:
        return True
    return bool(candidate.next_word) and candidate.next_word in surnames


@dataclass(slots=True)
class _Context:
    """The countries and states (country, admin1) that the text's other places name or hold."""

    named_countries: set[str]
    named_regions: set[tuple[str, str]]
    city_countries: set[str]
    city_regions: set[tuple[str, str]]
    grounded_countries: set[str]  # of places with GeoNames ids (not ISO regions alone)

    @classmethod
    def of(cls, chosen: Iterable[PlaceRecord]) -> _Context:
        context = cls(set(), set(), set(), set(), set())
        for place in chosen:
            if place.geonameid is not None:
                context.grounded_countries.add(place.country)
            if place.kind == CITY:
                context.city_countries.add(place.country)
                context.city_regions.add((place.country, place.admin1))
            else:
                context.named_countries.add(place.country)
                if place.kind == REGION:
                    context.named_regions.add((place.country, place.admin1))
        return context

    def supports(self, place: PlaceRecord) -> bool:
        region = (place.country, place.admin1)
        return (place.country in self.named_countries or place.country in self.city_countries
                or (place.kind == CITY and region in self.named_regions))

    def score(self, place: PlaceRecord, feed_country: str | None) -> float:
        # Among cities, a place's own name first; a country's translations are as good as
        # its name (Германия).
        own_name = place.main or place.kind in (COUNTRY, CONTINENT) or (
            place.kind == REGION and place.geonameid is not None)
        score = _prior(place) + (_MAIN_NAME if own_name else 0.0)
        if place.kind != COUNTRY:
            if place.country in self.named_countries:
                score += _NAMED_COUNTRY
            elif place.country in self.city_countries:
                score += _CITY_COUNTRY
        if place.kind == REGION and (place.country, place.admin1) in self.city_regions:
            score += _NAMED_REGION  # Georgia beside Atlanta
        if place.kind == CITY:
            region = (place.country, place.admin1)
            if region in self.named_regions:
                score += _NAMED_REGION
            elif region in self.city_regions:
                score += _CITY_REGION
        if feed_country and place.country == feed_country:
            score += _FEED_COUNTRY
        return score


def _acceptable(reading: _Reading, place: PlaceRecord, context: _Context) -> bool:
    candidate = reading.candidate
    supported = context.supports(place)
    if place.geonameid is None and (reading.common or place.country not in context.grounded_countries):
        return False  # an ISO region (Eastern, Lakes) only beside its country or cities
    if (candidate.sentence_initial and candidate.words == 1 and place.kind == CITY
            and place.population < _MIN_OPENING_CITY
            and place.country not in context.named_countries):
        return False
    if reading.common and (candidate.sentence_initial or not supported
                           or (place.kind == CITY and place.population < _MIN_COMMON_CITY)):
        return False
    if place.kind != CITY or supported:
        return True
    if reading.stemmed:
        return place.population >= _MIN_STEMMED_CITY
    if not place.main and place.population < _MIN_ALTERNATE_CITY:
        return False
    if not candidate.cased:
        return place.population >= _MIN_UNCASED_CITY
    return place.population >= _MIN_UNSUPPORTED_CITY


def resolve_places(
    candidates: Sequence[Candidate],
    found: Mapping[str, tuple[PlaceRecord, ...]],
    *,
    feed_country: str | None = None,
    lowercase_words: frozenset[str] = frozenset(),
    surnames: frozenset[str] = frozenset(),
) -> Geotag:
    """Resolve candidate spans to places.

    `found` maps lookup keys to the gazetteer's places; `lowercase_words` are the words the text
    also writes in lower case (so they are words, not names); `surnames` are capitalised words
    the text uses alone that follow a place name elsewhere ("Henderson said").
    """
    readings = _readings(candidates, found, lowercase_words)
    readings = [r for r in readings if not _is_person_part(r, surnames)
                or (r.candidate.previous_capitalised
                    and r.candidate.text.casefold() in _PLACE_QUALIFIERS)]
    # Countries and unambiguous places anchor the others; then each mention takes its best
    # reading given the rest, twice, so that a choice can follow another's.
    chosen: list[PlaceRecord | None] = [max(r.options, key=_prior) for r in readings]
    names = [frozenset(o.place_id for o in r.options) for r in readings]
    for _ in range(2):
        for index, reading in enumerate(readings):
            # Other mentions of the same name do not count: they would vouch for each other.
            others = [p for i, p in enumerate(chosen)
                      if p is not None and names[i] != names[index]]
            context = _Context.of(others)
            if any(p.kind == CONTINENT for p in reading.options):
                chosen[index] = None  # Africa, Asia: no city of that name
                continue
            ranked = sorted(reading.options, key=lambda p: -context.score(p, feed_country))
            chosen[index] = next((p for p in ranked if _acceptable(reading, p, context)), None)
    mentions = tuple(
        PlaceMention(r.candidate.start, r.candidate.end, r.candidate.text, place,
                     r.candidate.in_title)
        for r, place in zip(readings, chosen, strict=True) if place is not None
    )
    places: dict[int, PlaceRecord] = {}
    countries_seen: dict[str, None] = {}
    for mention in mentions:
        countries_seen.setdefault(mention.place.country)
        if mention.place.geonameid is not None:
            places.setdefault(mention.place.geonameid, mention.place)
    return Geotag(tuple(places.values()), tuple(countries_seen), mentions)
