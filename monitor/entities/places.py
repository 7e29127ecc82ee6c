"""Which places a text is about: pick among the gazetteer's readings of each mention (pure).

The decision takes the candidate spans (`placenames.find_candidates`) and what the gazetteer
holds for their keys, and returns the places with GeoNames ids and the countries:

- well-known places win (a population prior; countries, then states and regions, first),
- unless the text's other places point elsewhere: a city in a country or state the text names
  gains (Paris and Texas -> Paris, TX; Georgia with Atlanta -> the US state);
- the feed's country, when known, tips close calls;
- guards against words that only look like places: weekdays and months, common words
  (Nice, Mobile, Reading, Bath; in a script without capitals, the language's weekdays and
  months: Persian دوشنبه, Monday, is also Dushanbe) at the start of a sentence or with nothing
  else in the text pointing to their country, a word that the text also writes in lower case, and a place name
  inside a person's name (Michael Jordan, Jordan Henderson, "Henderson" used alone later).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

from monitor.entities.forms import consonants, latin
from monitor.entities.gazetteer import CITY, CONTINENT, COUNTRY, REGION, PlaceRecord, place_key
from monitor.entities.placenames import Candidate
from monitor.entities.unspaced import JOINERS, inside_place_word, is_unspaced, unspaced_city_fits

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
# Capitalised words before a name that make it no person's: little words, qualifiers.
NOT_FIRST_NAMES = COMMON_WORDS | _PLACE_QUALIFIERS
# Definite articles that some cities' names in other languages begin with (Den Haag, La Haye,
# La Haya, L'Aia: The Hague; Le Havre, Los Angeles): a name written with its article is a
# place's name, not a word or a person's that happens to be one.
_ARTICLES = frozenset({"den", "het", "la", "le", "les", "las", "los", "il", "lo"})
# Countries and states that are also people's first or last names.
_PERSONAL_NAMES = frozenset({
    "jordan", "chad", "georgia", "israel", "india", "virginia", "carolina", "indiana",
    "washington", "victoria", "florida", "kenya", "lebanon", "brazil", "montana", "dakota",
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
_ROUNDS = 2
_MIN_UNSUPPORTED_CITY = 50_000  # a smaller city needs its country or region in the text
_MIN_STEMMED_CITY = 100_000  # an inflected form alone reaches only large cities
_SHORT_STEM = 3  # letters: a stem this short reaches only those, whatever else the text names
_MIN_UNCASED_CITY = 100_000  # so does a word in a script without case
_MIN_ALTERNATE_CITY = 100_000  # and a city's Latin alternate name (Drug is also Durg, India)
_MIN_COMMON_CITY = 50_000  # a common word is a city only when large and its country is named
_MIN_NAMED_ALTERNATE_CITY = 1_000_000  # and, when the text also names someone so, a great one
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
    key: str  # the gazetteer key read: with `acronym`, it says what `options` holds
    acronym: bool
    named: bool = False  # the article also writes it as a person's or organisation's name


def _prior(place: PlaceRecord) -> float:
    if place.kind == REGION and place.geonameid is None:
        return _ISO_REGION_PRIOR
    if place.kind == COUNTRY:  # Congo: the larger, unless the text says more
        return _KIND_PRIOR[COUNTRY] + math.log10(place.population + 10) / 100
    if place.kind in _KIND_PRIOR:
        return _KIND_PRIOR[place.kind]
    return math.log10(place.population + 10)


def _readings(
    candidates: Sequence[Candidate], found: Mapping[str, tuple[PlaceRecord, ...]],
    lowercase_words: Container[str], name_spellings: frozenset[str] = frozenset(),
    language: str | None = None, calendar: frozenset[str] = frozenset(),
) -> list[_Reading]:
    """The longest non-overlapping spans that the gazetteer knows, exact keys before stems."""
    matched: list[_Reading] = []
    known_keys = found.keys()
    for candidate in candidates:
        if known_keys.isdisjoint(candidate.keys):
            continue  # most spans: no place (looked at before what costs more)
        word = candidate.text.casefold()
        if candidate.words == 1 and (word in CALENDAR_WORDS or (candidate.cased and len(word) < 3
                                     and not candidate.text.isupper())):
            continue
        acronym = candidate.cased and candidate.text.isupper() and len(word) <= _MAX_ACRONYM
        for index, key in enumerate(candidate.keys):
            known = found.get(key)
            if not known:  # most keys: no place (the language check below costs more than this)
                continue
            options = _in_language(known, candidate, language)
            if options and acronym:
                options = tuple(o for o in options if o.kind == COUNTRY)
            if options:
                folded = candidate.keys[0]  # without a possessive ending: Bush's
                common = folded in COMMON_WORDS or folded in _PLACE_QUALIFIERS or (
                    candidate.words == 1 and candidate.cased and folded in lowercase_words
                ) or (not candidate.cased and folded in calendar)
                matched.append(_Reading(candidate, options, index > 0, common, key, acronym,
                                        word in name_spellings))
                break
    matched.sort(key=lambda r: (-(r.candidate.end - r.candidate.start), r.stemmed,
                                r.candidate.start))
    taken: list[_Reading] = []
    # Characters already read, of the title and of the text: a span is short, so looking at
    # each of its characters keeps this linear in the text (10,000 capitalised words in a row).
    used: tuple[set[int], set[int]] = (set(), set())  # of the text, of the title
    for reading in matched:
        candidate = reading.candidate
        span = range(candidate.start, candidate.end)
        read = used[candidate.in_title]
        if not read.isdisjoint(span):
            continue
        taken.append(reading)
        read.update(span)
    taken.sort(key=lambda r: (not r.candidate.in_title, r.candidate.start))
    return _next_to_places(taken)


def _next_to_places(readings: list[_Reading]) -> list[_Reading]:
    """A place right before or after another (印度尼西亚瑪琅: Indonesia, Malang) is cut from
    no longer name on that side: the neighbouring character is the other place's."""
    starts = {(r.candidate.in_title, r.candidate.start) for r in readings}
    ends = {(r.candidate.in_title, r.candidate.end) for r in readings}
    for reading in readings:
        candidate = reading.candidate
        if candidate.before or candidate.after:
            reading.candidate = candidate._replace(
                before="" if (candidate.in_title, candidate.start) in ends else candidate.before,
                after="" if (candidate.in_title, candidate.end) in starts else candidate.after)
    return readings


def _in_language(
    options: tuple[PlaceRecord, ...], candidate: Candidate, language: str | None
) -> tuple[PlaceRecord, ...]:
    """The readings that hold in an article of this language. A country's name in other
    languages only (`PlaceRecord.languages`), written in Latin letters that many languages
    share, is no place beside another capitalised word, where it is a name's part more
    likely (Frisian Ålân in English `Alan Johnson`, French Cambodge in `Petit Cambodge`); alone
    it still is (Burma, Arabia Saudita in Spanish). A name in another script is one anywhere."""
    if not language or not (candidate.previous_word or candidate.next_word) or not latin(candidate.text):
        return options
    base = language.split("-")[0].lower()
    return tuple(o for o in options if not o.languages or base in o.languages.split(","))


def _name_of(reading: _Reading) -> frozenset[int]:
    """What a mention may name: mentions with the same readings are one name."""
    return frozenset(o.place_id for o in reading.options)


def _within(city: PlaceRecord, area: PlaceRecord) -> bool:
    """Whether a city lies in a country or region (a US state by its code; an ISO subdivision,
    whose code is not GeoNames', by its country only)."""
    if city.country != area.country:
        return False
    return area.kind != REGION or area.geonameid is None or city.admin1 == area.admin1


def _qualified(readings: Sequence[_Reading]) -> list[_Reading]:
    """Cities named with their state or country ("Paris, Texas", "Edmonton, Ky.", "Paris,
    France"): every mention of that name takes only the cities there; a name whose qualifier
    holds none of them is a place the gazetteer lacks ("Edmonton, Ky."), and not a place of
    the text, when the qualifier is a state: a country after a city it does not hold is a
    list or a slip ("Mogadishu, Uganda"), and the city stays as it reads.

    Only names that are cities alone, qualified by a word read first as a state or a country,
    not a common word (Tulungagung, East Java: East is a region of Cameroon):
    lists of cities or of countries ("Paris, Madrid", "Georgia, Armenia") are not qualified.
    """
    allowed: dict[frozenset[int], set[int]] = {}
    for reading, following in pairwise(readings):
        qualifier = following.candidate
        if not (qualifier.after_comma and qualifier.in_title == reading.candidate.in_title
                and qualifier.start == reading.candidate.end + 2):
            continue
        areas = [o for o in following.options if o.kind in (COUNTRY, REGION)]
        if following.common or not all(o.kind == CITY for o in reading.options) or not areas or max(
                following.options, key=_prior).kind == CITY:
            continue
        inside = {o.place_id for o in reading.options if any(_within(o, a) for a in areas)}
        if inside or all(a.kind == REGION for a in areas):
            allowed.setdefault(_name_of(reading), set()).update(inside)
    if not allowed:
        return list(readings)
    kept: list[_Reading] = []
    for reading in readings:
        ids = allowed.get(_name_of(reading))
        if ids is None:
            kept.append(reading)
        elif ids:
            options = tuple(o for o in reading.options if o.place_id in ids)
            kept.append(replace(reading, options=options))
    return kept


def _whole_lists(mentions: Sequence[PlaceMention], text_of: Sequence[Candidate]) -> list[PlaceMention]:
    """A place next to a middle dot is one only when the other side of the dot is one too
    (日本・中国): else the dot joins a foreign person's name (喬治亞·梅洛尼, not Georgia).
    `text_of` holds each mention's candidate."""
    ends = {(m.in_title, m.end) for m in mentions}  # where a dot after a place would be
    starts = {(m.in_title, m.start - 1) for m in mentions}
    kept = []
    for mention, candidate in zip(mentions, text_of, strict=True):
        dot_after = bool(candidate.after) and candidate.after in JOINERS
        dot_before = bool(candidate.before) and candidate.before in JOINERS
        if (dot_after and (mention.in_title, mention.end) not in starts) or (
                dot_before and (mention.in_title, mention.start - 1) not in ends):
            continue
        kept.append(mention)
    return kept


def _is_person_part(
    reading: _Reading, surnames: Container[str], person_words: frozenset[tuple[bool, int]]
) -> bool:
    """A place name inside a person's name: Michael Jordan, Jordan Henderson, Paris Hilton,
    and a recognised person's surname alone ("Jordan said" after Michael Jordan); in a
    script without capitals, a city's name that is a recognised person's given name
    (`personwords`: فلاديمير بوتين, 블라디미르 푸틴).

    Cities, and the countries and states that are also people's names; not Nazi Germany,
    Southern California, The French, CTV Winnipeg.
    """
    candidate = reading.candidate
    cities_only = all(o.kind == CITY for o in reading.options)
    if not candidate.cased:  # a given name in a script without capitals (فلاديمير بوتين)
        return candidate.words == 1 and cities_only and (candidate.in_title, candidate.start) in person_words
    if candidate.words != 1:
        return False
    if not cities_only and candidate.text.casefold() not in _PERSONAL_NAMES:
        return False
    if (candidate.in_title, candidate.start) in person_words:
        return True
    if cities_only and candidate.text in surnames:
        return True  # Marco Rubio ... Rubio said
    previous = candidate.previous_word
    if previous and not previous.isupper() and previous.casefold() not in NOT_FIRST_NAMES:
        return True  # Michael Jordan
    return bool(candidate.next_word) and (cities_only or candidate.next_word in surnames)


@dataclass(slots=True)
class _Context:
    """How often the text's places name or hold each country and state (country, admin1);
    `_choose` takes out the name being decided while it decides it: linear in the mentions,
    not quadratic."""

    named_countries: defaultdict[str, int]
    named_regions: defaultdict[tuple[str, str], int]
    city_countries: defaultdict[str, int]
    city_regions: defaultdict[tuple[str, str], int]
    grounded_countries: defaultdict[str, int]  # of places with GeoNames ids (not ISO regions alone)
    region_countries: defaultdict[str, int]  # of the regions named

    @classmethod
    def of(cls, chosen: Iterable[PlaceRecord]) -> _Context:
        # (plain counting dicts: a Counter costs more to make, and a context is made per name)
        context = cls(defaultdict(int), defaultdict(int), defaultdict(int), defaultdict(int),
                      defaultdict(int), defaultdict(int))
        context.count(chosen, 1)
        return context

    def count(self, places: Iterable[PlaceRecord], step: int) -> None:
        """Add (step 1) or take away (step -1) these places."""
        for place in places:
            if place.geonameid is not None:
                self.grounded_countries[place.country] += step
            if place.kind == CITY:
                self.city_countries[place.country] += step
                self.city_regions[(place.country, place.admin1)] += step
            else:
                self.named_countries[place.country] += step
                if place.kind == REGION:
                    self.named_regions[(place.country, place.admin1)] += step
                    self.region_countries[place.country] += step

    def names_country(self, country: str) -> bool:
        return self.named_countries[country] > 0

    def grounds(self, country: str) -> bool:
        return self.grounded_countries[country] > 0

    def supports(self, place: PlaceRecord) -> bool:
        region = (place.country, place.admin1)
        return (self.named_countries[place.country] > 0
                or self.city_countries[place.country] > 0
                or (place.kind == CITY and self.named_regions[region] > 0))

    def score(self, place: PlaceRecord, feed_country: str | None) -> float:
        # Among cities, a place's own name first; a country's translations are as good as
        # its name (Германия).
        own_name = place.main or place.kind in (COUNTRY, CONTINENT) or (
            place.kind == REGION and place.geonameid is not None)
        score = _prior(place) + (_MAIN_NAME if own_name else 0.0)
        region = (place.country, place.admin1)
        if place.kind == CITY:
            if self.named_countries[place.country] > 0:
                score += _NAMED_COUNTRY
            elif self.city_countries[place.country] > 0:
                score += _CITY_COUNTRY
        elif place.kind == REGION and (self.region_countries[place.country] > 0
                                       or self.city_countries[place.country] > 0):
            # a state among other states or cities of its country (not beside its country's
            # name alone: "the US and Georgia" is the country)
            score += _NAMED_COUNTRY
        if place.kind == REGION and self.city_regions[region] > 0:
            score += _NAMED_REGION  # Georgia beside Atlanta
        if place.kind == CITY:
            if self.named_regions[region] > 0:
                score += _NAMED_REGION
            elif self.city_regions[region] > 0:
                score += _CITY_REGION
        if feed_country and place.country == feed_country:
            score += _FEED_COUNTRY
        return score


def _shared_with_foreign_town(reading: _Reading, region: PlaceRecord) -> bool:
    """Whether an ISO region's name in a script of its own (not Latin) is also the name of a
    town of another country whose own name is the region's respelled (the same consonants:
    Gujarāt and Gujrat): then the name's readings are ranked as they are (population, region
    before town, the text's other places), and the better known needs no support (Гуджарат,
    गुजरात: Gujarat, IN, a state, before Gujrat, PK, a town), where falling back to the
    town would be wrong more often than not. Not when a region of another country has that
    name too (پنجاب: Punjab, PK and IN), where the text must say which; nor for a region
    whose name is a word that a town's translates (中央, central: Markazī, IR, and Chūō, JP)."""
    if latin(reading.candidate.text.replace(" ", "")) or any(
            o.kind == REGION and o.country != region.country for o in reading.options):
        return False
    sound = consonants(place_key(region.name))
    return any(o.kind == CITY and o.country != region.country and consonants(place_key(o.name)) == sound
               for o in reading.options)


def _with_article(reading: _Reading) -> bool:
    """Whether the name was read with its article (l'Aia, Den Haag: see _ARTICLES)."""
    candidate = reading.candidate
    if candidate.elided:
        return reading.key == candidate.keys[0]
    first, _, rest = candidate.text.partition(" ")
    return bool(rest) and first.casefold() in _ARTICLES and not reading.stemmed


def _acceptable(reading: _Reading, place: PlaceRecord, context: _Context) -> bool:
    candidate = reading.candidate
    supported = context.supports(place)
    if place.geonameid is None and (reading.common or not (
            context.grounds(place.country) or _shared_with_foreign_town(reading, place))):
        return False  # an ISO region (Eastern, Lakes) only beside its country or cities
    if (candidate.sentence_initial and candidate.words == 1 and place.kind == CITY
            and place.population < _MIN_OPENING_CITY
            and not context.names_country(place.country)):
        return False
    if reading.common and (candidate.sentence_initial or not supported
                           or (place.kind == CITY and place.population < _MIN_COMMON_CITY)):
        return False
    if (reading.stemmed and place.kind == CITY and len(reading.key) <= _SHORT_STEM
            and place.population < _MIN_STEMMED_CITY):
        return False  # Белом (of Белом доме, the White House) is no Bell, US, beside США
    if place.kind in (CITY, REGION) and candidate.names_other:
        return False  # Северный поток: the pipeline, not Severnyy, RU; озеро Виктория
    if place.kind == CITY and candidate.elided and reading.key != candidate.keys[0]:
        return False  # l'Oural is the Urals, not Oral, KZ; all'Avana is L'Avana, Havana
    if not candidate.cased and inside_place_word(candidate.text, candidate.after):
        return False  # 海地 (Haiti) in 沿海地區 (coastal areas)
    if place.kind == CITY and not candidate.cased and is_unspaced(candidate.text) and not \
            unspaced_city_fits(candidate.text, candidate.before, candidate.after,
                               place.population, supported):
        return False  # 联合 in 联合国, 维斯塔 in 维斯塔潘 (monitor.entities.unspaced)
    latin_alternate = not place.main and reading.candidate.text.isascii()
    word_like = latin_alternate and not _with_article(reading)  # l'Aia, Den Haag: names
    if (word_like and place.kind == CITY and candidate.words == 1 and not supported
            and place.population < _MIN_NAMED_ALTERNATE_CITY):
        return False  # Paz (La Paz, MX) in "Literatura e Paz": a word, not a city's name
    if latin_alternate and place.geonameid is None:
        return False  # an ISO region's translation in plain letters (Bob)
    if latin_alternate and place.kind == CITY and place.population < _MIN_ALTERNATE_CITY:
        return False  # Boon is not Severna Park, wherever the text is
    if (word_like and reading.named and place.kind == CITY and not supported
            and place.population < _MIN_NAMED_ALTERNATE_CITY):
        return False  # Hamas is not Hamm, DE (nor Molotov Perm); Bombay is still Mumbai
    if place.kind != CITY or supported:
        return True
    if reading.stemmed:
        return place.population >= _MIN_STEMMED_CITY
    if not place.main and place.population < _MIN_ALTERNATE_CITY:
        return False
    if not candidate.cased:
        return place.population >= _MIN_UNCASED_CITY
    return place.population >= _MIN_UNSUPPORTED_CITY


def _traits(reading: _Reading) -> tuple[object, ...]:
    """What `_acceptable` and the ranking read of a mention: mentions alike are decided once."""
    candidate = reading.candidate
    return (reading.key, reading.acronym, candidate.sentence_initial,
            candidate.words, candidate.cased, candidate.text.isascii(), reading.stemmed,
            reading.common, reading.named, candidate.before, candidate.after, candidate.elided,
            candidate.names_other)


def _choose(
    readings: Sequence[_Reading], names: Sequence[frozenset[int]], feed_country: str | None
) -> list[PlaceRecord | None]:
    """The place of each mention (None: not a place).

    Each name starts at its best-known reading; then each takes its best reading given the
    others' choices, a few rounds, so that a choice can follow another's. Mentions of one name
    are decided together and do not count for each other (they would vouch for each other:
    White House twice is not Casablanca). Within a name, mentions with the same traits get the
    same answer, computed once: an article naming Paris 700 times ranks Paris's readings once
    a round, not 700 times.
    """
    groups: dict[frozenset[int], list[int]] = {}
    for index, name in enumerate(names):
        groups.setdefault(name, []).append(index)
    traits = [_traits(r) for r in readings]
    best_known: dict[tuple[object, ...], PlaceRecord] = {}
    for reading, trait in zip(readings, traits, strict=True):
        if trait not in best_known:
            best_known[trait] = max(reading.options, key=_prior)
    chosen: list[PlaceRecord | None] = [best_known[trait] for trait in traits]
    context = _Context.of(p for p in chosen if p is not None)
    for _ in range(_ROUNDS):
        for members in groups.values():
            # The others' places only while this name is decided; its new choices count at once.
            context.count((p for p in (chosen[i] for i in members) if p is not None), -1)
            decided: dict[tuple[object, ...], PlaceRecord | None] = {}
            for index in members:
                if traits[index] in decided:
                    chosen[index] = decided[traits[index]]
                    continue
                reading = readings[index]
                if any(p.kind == CONTINENT for p in reading.options):
                    choice = None  # Africa, Asia: no city of that name
                else:
                    ranked = reading.options if len(reading.options) == 1 else sorted(
                        reading.options, key=lambda p: -context.score(p, feed_country))
                    choice = next((p for p in ranked if _acceptable(reading, p, context)), None)
                chosen[index] = decided[traits[index]] = choice
            context.count((p for p in (chosen[i] for i in members) if p is not None), 1)
    return chosen


def resolve_places(
    candidates: Sequence[Candidate],
    found: Mapping[str, tuple[PlaceRecord, ...]],
    *,
    feed_country: str | None = None,
    lowercase_words: Container[str] = frozenset(),
    surnames: Container[str] = frozenset(),
    person_words: frozenset[tuple[bool, int]] = frozenset(),
    name_spellings: frozenset[str] = frozenset(),
    language: str | None = None,
    calendar_words: frozenset[str] = frozenset(),
) -> Geotag:
    """Resolve candidate spans to places (in an article of this `language`, when known).

    `found` maps lookup keys to the gazetteer's places; `lowercase_words` are the words the text
    also writes in lower case (so they are words, not names); `surnames` are capitalised words
    the text uses alone that follow a place name elsewhere ("Henderson said"); `person_words`
    are (in title, start) of the words of recognised people's names
    (`monitor.entities.personwords`); `name_spellings` the spellings, case-folded, of the
    people and organisations it names: a city's other name among them (Hamas: Hamm, DE) is a
    place only beside other places of its country, or for a city of a million or more;
    `calendar_words` the keys of the language's weekdays and months (`Gazetteer.calendar_words`):
    in a script without capitals, common words.
    """
    readings = _qualified(_readings(candidates, found, lowercase_words, name_spellings, language,
                                    calendar_words))
    # A name is a person's when every mention of it is (Paris Hilton once, Paris alone later:
    # the city).
    names = [_name_of(r) for r in readings]
    clean = {name for r, name in zip(readings, names, strict=True)
             if not _is_person_part(r, surnames, person_words)}
    kept = [i for i, name in enumerate(names) if name in clean]
    readings = [readings[i] for i in kept]
    chosen = _choose(readings, [names[i] for i in kept], feed_country)
    placed = [(r.candidate, place) for r, place in zip(readings, chosen, strict=True) if place is not None]
    mentions = tuple(_whole_lists(
        [PlaceMention(c.start, c.end, c.text, place, c.in_title) for c, place in placed],
        [c for c, _ in placed]))
    places: dict[int, PlaceRecord] = {}
    countries_seen: dict[str, None] = {}
    for mention in mentions:
        countries_seen.setdefault(mention.place.country)
        if mention.place.geonameid is not None:
            places.setdefault(mention.place.geonameid, mention.place)
    return Geotag(tuple(places.values()), tuple(countries_seen), mentions)
