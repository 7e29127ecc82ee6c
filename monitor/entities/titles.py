"""What stands at the edge of a run of capitalised words without being the name: titles and
offices in front (`Russian President Vladimir Putin`, `Президент США`), a country in an oblique
case next to a name (`России Сергей Лавров`, `Трампом Украину`), and a Russian adjective that
agrees with the lower-case noun after it (`в Белом доме`). Pure: words in, where the name is
out. Facts about the languages the recogniser reads (en de fr es it pt nl pl cs sk sl hr sr bg
ru uk), never about particular people.

- A title word (`President`, `Präsident`, `Prezydenta`, `Президентом`, compared by the
  language's case endings; in German also a compound ending in one, `Außenminister`) and every
  word before it are the title's (`Russian President`, `Later President`, `House Speaker`).
  After the last one, the title's complement is too: an acronym (`Президент США`, `President
  FIFA`), a country in any case (`Президент России`, `Präsident Frankreichs`), in Cyrillic a
  word in a genitive's form after a title in its dictionary form and before a name of two
  words (`Губернатор Техаса Грег Эбботт`; not `Президента Владимира Владимировича Путина`),
  a particle with what follows (`Mayor of Boston`), or with one word where two more follow
  (`Secretary of State Antony Blinken`). The name is what is left. A particle that may open a
  surname after a title keeps the run whole (`President von der Leyen`, `Général de Gaulle`).
- Words that also open organisations' names (`General Motors`, `Premier League`, `Justice
  Department`) are titles only before two words or more (`General Mark Milley`), and none
  before a name holding an organisation's word (`President Street`, `Premier League of
  England`: personwords).
- A run that is a title alone (`Chinese President`, `Prime Minister`, `Президент`) names no
  one; a title that is also a surname (`Mike Judge`, `John Major`) is not among those.
- Where names are declined in Cyrillic: a run's first or last word that is a country in an
  oblique case (not its nominative: `России`, `Украину`; `Россия Сегодня` stays) is no part of
  the name (`Трампом Украину`: Trump), and a run splits after a word in the masculine
  instrumental (`-ом`, `-ым`) followed by an adjective's form of another case (`Путиным
  Зеленского`: two names).
- A capitalised Cyrillic word with an adjective's ending in an oblique case before a
  lower-case noun in that case (not a verb) is an adjective of a place's or an institution's
  name, no name: `Верховного суда`, `Верховным судом`, `Республиканской партии`, and after a
  preposition of the prepositional case `в Белом доме`, `на Красной площади`; `о Зеленском
  говорили`, `Зеленского поддержала` keep him.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from functools import cache, lru_cache
from importlib import metadata

from monitor.cachedir import lines_made_once
from monitor.entities.forms import endings, name_form, stems
from monitor.entities.personwords import ORGANISATION_ENDINGS

__all__ = [
    "adjective_of_place",
    "case_breaks",
    "country_words_now",
    "name_span",
    "oblique_country",
    "title_alone",
    "title_length",
]

_COUNTRIES_VERSION = 1  # of the cached list's making (country_words_now)

# Titles and offices written before a name, in the languages the recogniser reads (their
# inflected forms come from the language's endings); not those a person is named by (`Pope
# Francis`, `Prince Harry`, `Queen Elizabeth`, `King Charles`).
_TITLE_WORDS = """
    President President-elect Vice Vice-President Prime Premier Chancellor Secretary Minister Senator
    Governor Mayor Chairman Chairwoman Chairperson Speaker Leader Commissioner Ambassador
    General Colonel Admiral Lieutenant Sergeant Commander Judge Justice Attorney Deputy
    Spokesman Spokeswoman Spokesperson Director CEO Chief Executive Officer Rep Sen Gov Gen Col
    Lt Sgt
    Präsident Präsidentin Bundespräsident Bundeskanzler Bundeskanzlerin Kanzler Kanzlerin
    Ministerpräsident Ministerpräsidentin Ministerin Regierungschef Regierungschefin
    Bürgermeister Bürgermeisterin Außenminister Außenministerin Sprecher Sprecherin
    Président Présidente Ministre Chancelier Chancelière Secrétaire Sénateur Sénatrice Maire
    Gouverneur Général Porte-parole
    Presidente Presidenta Ministro Ministra Canciller Secretario Secretaria Senador Senadora
    Gobernador Gobernadora Alcalde Alcaldesa Portavoz Primer
    Cancelliere Segretario Senatore Sindaco Governatore Generale Portavoce
    Primeiro-ministro Primeira-ministra Chanceler Secretário Governador Prefeito
    Minister-president Kanselier Staatssecretaris Burgemeester Woordvoerder
    Prezydent Prezydentka Kanclerz Sekretarz Gubernator Burmistrz Marszałek Rzecznik
    Prezident Prezidentka Premiér Premiérka Ministr Ministerka Kancléř Kancléřka Předseda
    Předsedkyně Predseda Predsedníčka Senátor Guvernér Primátor Mluvčí Hovorca
    Predsednik Predsednica Ministrica Kancler Kanclerka Župan
    Predsjednik Predsjednica Premijer Ministar Kancelar Kancelarka Gradonačelnik Glasnogovornik
    Председник Председница Премијер Министар Канцелар Градоначелник
    Президент Президентът Премиер Премиерът Министър Канцлер Канцлерът Председател Кмет
    Премьер Премьер-министр Министр Председатель Глава Лидер Губернатор Мэр Сенатор Генсек
    Госсекретарь Спикер Посол Пресс-секретарь Генерал
    Прем'єр Прем'єр-міністр Міністр Голова Лідер Губернатор Мер Держсекретар Речник
"""
# Of those, the ones that also open the names of organisations or things (General Motors,
# Premier League, Justice Department, Chief Executive's Office, Leader Price).
_OPENING_OTHER_NAMES = """General Prime Vice Premier Justice Leader Speaker Director Chief Attorney
    Executive Officer
    Deputy Commander Primer Glava Глава Генерал Лидер Лідер"""
# A run that ends in one of these, all of its words before titles but one (`Chinese
# President`, `Vice President`, `US Vice President`), names no one: titles no one carries as a
# surname.
_TITLE_ONLY_LAST = """President Premier Chancellor Minister Senator Governor Secretary Officer
    Präsident Kanzler Kanzlerin Bundeskanzler Bundeskanzlerin Ministerpräsident Président
    Ministre Presidente Ministro Prezydent Prezident Premiér Ministr Predsednik Predsjednik
    Premijer Ministar Президент Премьер Министр Премиер Министър Председатель Міністр
    Прем'єр Премијер Министар Председник"""
_TITLE_ONLY_BEFORE = 1  # other words before a title that leave the run a title alone
_MIN_INFLECTED_TITLE = 5  # letters of a title read in an inflected word (not Sen in Сена)
_COMPOUND_TITLE_MIN = 6  # letters of a title that ends a German compound (Außenminister)
_COMPOUNDING = frozenset({"de", "nl"})
# Particles after a title: those that only say "of" (the title's complement follows), and those
# that may open a surname too (`von der Leyen`, `de Gaulle`, `da Silva`).
_OF = frozenset({"of", "des", "der", "du", "del", "della"})
_NAME_PARTICLES = frozenset(
    {"de", "di", "da", "do", "dos", "van", "von", "la", "le", "al", "el", "bin", "ibn"}
)
_MIN_COUNTRY_STEM = 4  # letters a country's stem shares with a word of the text (Росси-и)
_COUNTRY_LANGUAGES = "en de fr es it pt nl pl cs sk sl hr sr bg ru uk be"


def _forms(words: str) -> frozenset[str]:
    return frozenset(name_form(w) for w in words.split())


_TITLES = _forms(_TITLE_WORDS)
_OPENING = _forms(_OPENING_OTHER_NAMES)
_ONLY = _forms(_TITLE_ONLY_LAST)
_COMPOUND_TITLES = tuple(t for t in _TITLES if len(t) >= _COMPOUND_TITLE_MIN)
_TITLE_STARTS = frozenset(t[:_MIN_INFLECTED_TITLE] for t in _TITLES if len(t) >= _MIN_INFLECTED_TITLE)
_ORGANISATION_LAST = _forms(" ".join(ORGANISATION_ENDINGS))


def _language(language: str | None) -> str:
    return (language or "").split("-")[0].lower()


@lru_cache(maxsize=4096)  # 37 calls an article, 52 % hits at this size, 0.8 MB full (bench/cache_memory.py)
def _title_form(word: str, language: str | None) -> str | None:
    """The title a word is, maybe inflected or (in German, Dutch) compounded; else None."""
    form = name_form(word)
    if form in _TITLES:
        return form
    if form[:_MIN_INFLECTED_TITLE] in _TITLE_STARTS:  # (a stem begins as its word does)
        for stem in stems(form, endings(language)):
            if stem in _TITLES and len(stem) >= _MIN_INFLECTED_TITLE:
                return stem
    if _language(language) in _COMPOUNDING and form.endswith(_COMPOUND_TITLES):
        return next(t for t in _COMPOUND_TITLES if form.endswith(t))
    return None


def _acronym(word: str) -> bool:
    return 2 <= len(word) <= 5 and word.isupper()


def country_words_now() -> list[str]:
    """The one-word names of the countries in the languages read, as name forms (CLDR, through
    Babel): Babel's data for 16 languages takes some 23 MB that stay for the process's life,
    so a daemon reads this list from the cache folder (`_country_words`), made in a child."""
    from babel import Locale

    nominative: set[str] = set()
    for language in _COUNTRY_LANGUAGES.split():
        for code, written in Locale(language).territories.items():
            if len(code) == 2 and code.isalpha() and " " not in written and "-" not in written:
                nominative.add(name_form(written))
    return sorted(nominative)


def _country_words() -> list[str]:
    """`country_words_now`, from the cache folder; made there by a child process the first time
    (its memory goes with it), in this process where no child can run or nothing is written."""
    made = f"{_COUNTRIES_VERSION}-{zlib.crc32(_COUNTRY_LANGUAGES.encode()):08x}-{metadata.version('babel')}"
    script = "from monitor.entities.titles import country_words_now as c; print(chr(10).join(c()))"
    return lines_made_once(f"country-words-{made}.txt", script, country_words_now)


@cache
def _countries() -> tuple[frozenset[str], frozenset[str]]:
    """The one-word names of the countries (`country_words_now`), and every stem of them of
    _MIN_COUNTRY_STEM letters or more."""
    nominative = frozenset(w for w in _country_words() if w)
    country_stems = {s for form in nominative for s in stems(form) if len(s) >= _MIN_COUNTRY_STEM}
    return nominative, frozenset(country_stems)


def _country(word: str, language: str | None) -> bool:
    """Whether a word is a country's name in any case (`России`, `Frankreichs`, `Polski`)."""
    _, country_stems = _countries()
    found = stems(name_form(word), endings(language))
    return not found.isdisjoint(country_stems) and any(len(s) >= _MIN_COUNTRY_STEM for s in found)


def _cyrillic(word: str) -> bool:
    return "\u0400" <= word[:1] <= "\u04ff"


def oblique_country(word: str, language: str | None) -> bool:
    """Whether a Cyrillic word is a country's name in an oblique case (`России`, `Украину`; not
    `Россия`)."""
    if not _cyrillic(word) or len(word) < _MIN_COUNTRY_STEM + 1:
        return False
    nominative, _ = _countries()
    return name_form(word) not in nominative and _country(word, language)


def _complement(words: Sequence[str], start: int, language: str | None) -> int:
    """Where the name starts after a title's last word at `start - 1`: past its acronyms,
    countries, and a particle of "of" with its words (see the module); 0 where a particle
    that may open a surname follows the title (the run is kept whole)."""
    at = start
    while at < len(words):
        word = words[at]
        if _acronym(word) or _country(word, language):
            at += 1
        elif word.lower() in _OF:
            # Mayor of Boston, Sprecher des Ministeriums: the title's; Secretary of State Antony
            # Blinken: a particle and one word before a name of two
            at += 2 if len(words) - at >= 4 else len(words) - at
        elif word.lower() in _NAME_PARTICLES:
            return 0  # President von der Leyen, Général de Gaulle: maybe a surname's particle
        elif at == start and _genitive_complement(words, at):
            at += 1  # Губернатор Техаса Грег Эбботт
        else:
            break
    return at


# A Cyrillic word that looks like a genitive (Техаса, Калифорнии, Кремля): after a title in its
# dictionary form, with a name of two words after it, the title's complement.
_GENITIVE = ("а", "я", "ы", "и", "ов", "ев")
_NAME_AFTER = 2  # words of a name after a genitive complement


def _genitive_complement(words: Sequence[str], at: int) -> bool:
    title = words[at - 1]
    return (
        _cyrillic(title)
        and name_form(title) in _TITLES  # not Президента Владимира Владимировича Путина
        and len(words) - at > _NAME_AFTER
        and _cyrillic(words[at])
        and words[at].endswith(_GENITIVE)
    )


def title_alone(word: str, language: str | None) -> bool:
    """Whether a word alone is a title that names no one (`President`, `Премьер`)."""
    return name_form(word) in _ONLY or _title_form(word, language) in _ONLY


def title_length(words: Sequence[str], language: str | None) -> int:
    """How many of a run's first words are a title and its complement (see the module):
    len(words) when the run is a title alone, 0 when it has none."""
    if not words:
        return 0
    if len(words) == 1:  # most runs: a title alone, or none
        return 1 if title_alone(words[0], language) else 0
    last = len(words) - 1
    if title_alone(words[last], language):
        before = [w for w in words[:last] if _title_form(w, language) is None]
        if len(before) <= _TITLE_ONLY_BEFORE:
            return len(words)
    cut = 0
    for index in range(last):
        title = _title_form(words[index], language)
        if title is None:
            continue
        if title in _OPENING and last - index < 2:
            continue  # General Motors, Premier League, Electoral Justice Act
        cut = index + 1
    if not cut:
        return 0
    start = _complement(words, cut, language)
    rest = words[start:]
    if not start or any(name_form(w) in _ORGANISATION_LAST for w in rest):
        return 0  # President von der Leyen; Premier League of England, President Street
    if all(_title_form(w, language) is not None for w in rest):
        return len(words)  # Secretario General
    return start


# Cyrillic case endings: the masculine instrumental of a noun or a surname (Трампом, Путиным)
# and the endings of another case that may follow a word.
_INSTRUMENTAL = ("ом", "ём", "ым")  # not -им, -ем: Карим, Салем are nominatives
# Only an adjective's endings (Зеленского, Зеленскому): a foreign surname ending in a vowel is
# not declined (Марком Келли, Сергеем Шойгу, Петром Порошенко).
_OTHER_CASE = ("ого", "его", "ому", "ему", "ую", "юю")
_MIN_DECLINED = 5  # letters of a word whose ending tells its case


def case_breaks(words: Sequence[str]) -> list[int]:
    """Where a Cyrillic run splits into two names: after a word in the masculine instrumental
    followed by an adjective's form of another case (`Путиным Зеленского`), never between two
    instrumentals (`Владимиром Путиным`) nor before an indeclinable surname (`Марком Келли`)."""
    breaks: list[int] = []
    if len(words) < 2 or not _cyrillic(words[0]):
        return breaks
    for index in range(1, len(words)):
        before, word = words[index - 1].lower(), words[index].lower()
        if not (_cyrillic(before) and _cyrillic(word)) or min(len(before), len(word)) < _MIN_DECLINED:
            continue
        if before.endswith(_INSTRUMENTAL) and word.endswith(_OTHER_CASE):
            breaks.append(index)
    return breaks


_PREPOSITIONAL = frozenset({"в", "во", "на", "о", "об", "обо", "при"})
_ADJECTIVE_PREPOSITIONAL = ("ом", "ем", "ой", "ей", "ым", "им")
_NOUN_PREPOSITIONAL = ("е", "и", "ях", "ах")
# An adjective's ending in an oblique case, and the endings of a noun in that case after it.
_AGREEING = (
    (("ого", "его"), ("а", "я", "и", "ы")),  # Верховного суда, Белого дома
    (("ому", "ему"), ("у", "ю")),  # Верховному суду
    (("ым", "им"), ("ом", "ем", "ём")),  # Верховным судом
    (("ой", "ей"), ("ы", "и", "е", "ей", "ой", "ью")),  # Республиканской партии
    (("ую", "юю"), ("у", "ю")),  # Демократическую партию
)
# A verb's endings (past, present, reflexive, infinitive): о Зеленском говорили, Зеленского
# поддержала, Путиным встретился.
_VERB = ("л", "ла", "ло", "ли", "ет", "ит", "ют", "ят", "ут", "ат", "ся", "сь", "ть")
_MIN_NOUN = 3


def adjective_of_place(before: str, word: str, after: str) -> bool:
    """Whether a capitalised Cyrillic word is an adjective of a place's or an institution's
    name, as the lower-case noun after it shows, in the same oblique case (`Верховного суда`,
    `Республиканской партии`; `Белом доме` after a preposition of the prepositional case)."""
    if not _cyrillic(word) or not after[:1].islower() or len(after) < _MIN_NOUN or not _cyrillic(after):
        return False
    if after.endswith(_VERB):
        return False
    word = word.lower()
    if before.lower() in _PREPOSITIONAL and word.endswith(_ADJECTIVE_PREPOSITIONAL):
        return after.endswith(_NOUN_PREPOSITIONAL)
    return any(word.endswith(own) and after.endswith(noun) for own, noun in _AGREEING)


def name_span(words: Sequence[str], language: str | None) -> tuple[int, int]:
    """The words of a run that are the name, [start, end): after its title (`title_length`),
    without a Cyrillic country in an oblique case at either edge (`России Сергей Лавров`);
    an empty span when the run is a title alone."""
    start, end = title_length(words, language), len(words)
    while end - start > 1 and oblique_country(words[start], language):
        start += 1
    while end - start > 1 and oblique_country(words[end - 1], language):
        end -= 1
    return start, end
