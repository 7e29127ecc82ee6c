"""Who an article names: its people and organisations, each with its spellings. Pure: a title,
a text and a language in, names out.

Rules, in the way Europe Media Monitor reads European news (measured in bench/names.py):

- A name is a run of capitalised words, or a word in capitals (`NATO`, `AFP`), with the
  particles of names inside it (`Supreme Court of Pakistan`, `Bashar al-Assad`, `Ursula von
  der Leyen`). Punctuation other than a hyphen or an apostrophe ends a run.
- A capital that opens a sentence says nothing: the first word of a sentence is kept only when
  the text also writes it capitalised inside a sentence and never in lower case (`Trump said.
  … Trump` is a name; `Survey results…` is not), and never when it is a function word
  (`The`, `In`, `Когда`). Weekdays and months are not names on their own (`May` at the start of
  a sentence, `on Tuesday`); inside a name they are (`Theresa May`). The point of a form of
  address (`Mr.`, French `M.`) or of an initial inside a name (`George W. Bush`) opens no
  sentence, and one letter alone is no name (`S&P`, `C-35`, `L.A.`). A Romance article opens
  a name where the text capitalises it inside a sentence (`Los Angeles`, `Le Monde`).
- In German, where every noun is capitalised, a single word is a name only where the text also
  writes it within a longer name (`Angela Merkel` … `Merkel`), a run after a number counts
  something (`5 Millionen Euro`, `3 Jahre Haft`), and an article joins no two
  nouns into one (`Ende des Jahres`), only a noun and a name of two words or more
  (`Kommission der Europäischen Union`) or `von` and a surname (`Ursula von der Leyen`).
- The mentions of one name in an article are grouped by their last word, maybe inflected
  (`Donald Trump`, `Trump`, `Trumpa`; `Asia Bibi`, `Asii Bibiové`): a surname alone goes to the
  nearest full name before it that ends so (`Bill Clinton`, `Hillary Clinton`: each `Clinton`
  to the last one named). Its key is the longest mention's words as `name_form` spells them in
  every script (`Путин`, `Putin`: `putin`), without a case ending where a shorter mention shows
  the word uninflected.

- A headline in Title Case capitalises words that are no names (`Woman Killed In Queens
  Hit-And-Run Accident, Driver Charged`, `Breaking News`): there a run counts only in its
  parts that the text also names (`Lindsay Lohan Checks Into Rehab`: `Lindsay Lohan`, when
  the text names her), and a word in capitals alone (`CDC`) as anywhere. A title is in Title
  Case when most of its longer words inside a sentence are capitalised and the text writes at
  least two of them in lower case (`killed`, `charged`): a short headline of names
  (`Donald Trump: Nespokojený`) or a German one (nouns capitalised in the text too) is not.

Scripts without capitals (Chinese, Japanese, Arabic, Persian, Georgian, Indic…) have other
signals, read in a text written mostly in them (monitor.entities.scriptnames): a middle dot
joining a transliterated name, a title before or after a name. Each such name's key is its
words romanized (`script_key`), or, given the names an installation already knows (`known`:
a SoundIndex of their Latin spellings, monitor.entities.sounds), the key of the known name it
sounds like, so that 普京 and Putin are one entity; a known name heard without a cue is a
name too.

Bounded work (bench/badinput.py): the first 20,000 characters of the title and text are read, a
word of more than 40 letters is no name's, and a run of more than 6 capitalised words is a
headline or a list, of which only the acronyms count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from anyascii import anyascii

from monitor.entities.forms import WordForms, endings, name_form, stems, watched_stems
from monitor.entities.kanji import known_reading
from monitor.entities.namewords import (
    PARTICLES,
    SHORT_ADDRESS,
    TOKEN,
    WORD_SPLIT,
    Read,
    Token,
    opens_sentence,
    plain_word,
    read_words,
)
from monitor.entities.scriptnames import (
    CASELESS_LETTERS,
    JOINERS,
    Cue,
    caseless,
    cued_names,
    function_word,
    regnal_latin,
)
from monitor.entities.sounds import Heard, SoundIndex, sound_keys, sounds_like
from monitor.entities.titles import adjective_of_place, case_breaks, name_span, title_alone
from monitor.entities.unspaced import is_unspaced

__all__ = ["Name", "SpelledNames", "names_in", "script_key", "story_names", "title_case"]

_MAX_RUN = 6  # words in one name: beyond this a run is a headline in capitals, not a name
_MAX_NAMES = 200  # names kept for one article
MAX_TEXT_CHARS = 20_000  # of the title and text read, as the places are (a bound on the work)
_MIN_KEY_STEM = 4  # a key's word keeps this many letters when it loses an ending
# Characters of a text without capitals searched for known names (the title and the lead,
# where a story names its people): the search costs ~6 µs a character (bench/scriptnames.py)
KNOWN_TEXT_CHARS = 1_500


def _forms_of(words: str) -> frozenset[str]:
    return frozenset(name_form(w) for w in words.split())


# Words that open sentences in capitals without being names (the languages of the feeds):
# articles, pronouns, determiners; none whose folded form is a name's or an acronym's (Dann is
# `dan`, Esa `esa` as ESA, Эта `eta` as ETA, Maar `mar`), none that opens names (Son, Su, Del).
_FUNCTION_WORDS = _forms_of(
    """The A An In On At As For But And Or If When While After Before Then This That These Those
    It He She We They I You His Her Its Their Our My There Here What Who Why How Where Which Some
    All Many Most More No Not Yes So Also Still Yet Even Now Today Yesterday Tomorrow According
    Der Die Das Ein Eine Und Aber Wenn Als Im Am Es Er Sie Wir Ich Auch Nach Bei Mit Von Zu
    Einen Einem Einer Eines Diese Dieser Dieses Diesem Diesen Jene Jener Jenes Solche Solcher
    Solches Welche Welcher Jede Jeder Jedes Viele Einige Mehrere Kein Keine Doch Noch Schon Weil
    Warum Heute Gestern Seine Ihre Unsere
    Le La Les Un Une Des Et Mais Dans Sur Pour Avec Il Elle Ils Nous Selon
    Leur Leurs Chaque Plusieurs Aucun Aucune
    El Los Las Una Pero En Con Por Según Lo
    Esta Estos Estas Cada Todos Todas Ayer
    Il Lo Gli Una Ma Nel Con Per Secondo
    Questo Questa Questi Queste Quella Quello Ogni Tutti Tutte Dopo Anche Ieri
    Seus Suas Segundo Ontem
    Deze Volgens Gisteren
    Na Po Za Ale Ta Ten To Jak Gdy Od Do Się Jest Już
    A I V Ve Se Na Po Za Ale Ta Ten To Jak Když Už Podle
    Je Ki Pa Da So Ko Po Za Ob Tudi Kot
    В На По За Но И А Как Когда Это Он Она Они Мы Я Не По Также Уже Из От До При Для
    Этот Этом Этого Этой Все Всё Каждый После Перед Однако Вчера Сегодня
    У Та Це Він Вона Вони Ми Як Коли Також Вже Із Від
    Във Той Тя Те Ние Като Когато Това След Според"""
)
_CALENDAR = _forms_of(
    """Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May
    June July August September October November December
    Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag Januar Februar März Juni Juli
    Oktober Dezember lundi mardi mercredi jeudi vendredi samedi dimanche janvier février mars avril
    mai juin juillet août septembre octobre novembre décembre
    Понедельник Вторник Среда Четверг Пятница Суббота Воскресенье Январь Февраль Март Апрель Май
    Июнь Июль Август Сентябрь Октябрь Ноябрь Декабрь"""
)
# Forms of address, and the clock's zones: never a name alone, never a name's first word.
_HONORIFICS = _forms_of(" ".join(SHORT_ADDRESS)) | _forms_of(
    "Miss Sir Madam Mme Mlle Herr Frau Sigra Pan Pani Gospodin Господин Госпожа Пан Пані"
)
_ZONES = _forms_of("GMT UTC EST EDT CST CDT PST PDT CET CEST BST MSK")
_NOT_A_FIRST_WORD = _CALENDAR | _FUNCTION_WORDS | _HONORIFICS
# Romance articles that open names (`Los Angeles`, `Le Monde`, `El País`, `La Stampa`): kept
# where the text capitalises them inside a sentence.
_NAME_ARTICLES = _forms_of("Los Las El La Le Les Il Lo Gli")
_NUMBER = re.compile(r"\d\s+$")  # a gap that ends with a number and a space
_CALENDAR_OR_ZONES = _CALENDAR | _ZONES
_NOUNS_CAPITALISED = frozenset({"de", "lb"})  # languages that capitalise every noun
# A title is in Title Case when this share of its words of 4 letters or more inside a
# sentence (short words stay in lower case there: in, of), at least _TITLE_CASE_WORDS of them,
# are capitalised, _TITLE_CASE_EVIDENCE of which the text writes in lower case.
_TITLE_CASE_SHARE = 0.6
_TITLE_CASE_WORDS = 3
_TITLE_CASE_EVIDENCE = 2
_TITLE_CASE_MIN_LETTERS = 4
# ... or, with no help from the text, when at least _LONG_TITLE words are, nearly all capitalised
_LONG_TITLE = 4
_LONG_TITLE_SHARE = 0.8


@dataclass(frozen=True)
class Name:
    """One person or organisation an article names: its key (the same in every script), the
    mention written most fully, and every spelling the article uses."""

    key: str
    name: str
    variants: tuple[str, ...]
    count: int


def _acronym(word: str) -> bool:
    return 2 <= len(word) <= 5 and word.isupper()


def _shouting(run: list[Token]) -> bool:
    return len(run) > 1 and all(t.text.isupper() for t in run if t.text not in PARTICLES)


def _split(runs: list[list[Token]]) -> list[list[Token]]:
    """Runs cut where two names meet: after a word in capitals (`США Дональд Трамп`), between
    two words in different cases (`Трампом Украину`: titles.case_breaks), and before a part the
    text also writes as a run of its own (`Пенджаба Салман Тасир` where `Салман Тасир` stands
    alone elsewhere)."""
    # (a part of two words or more: of a run of three or more)
    alone = {tuple([t.form for t in run]) for run in runs if 2 <= len(run) <= _MAX_RUN}
    out = []
    for run in runs:
        if len(run) == 1 or len(run) > _MAX_RUN:
            out.append(run)
            continue
        start = 0
        cyrillic = "\u0400" <= run[0].text[:1] <= "\u04ff"  # (case_breaks: none in other scripts)
        breaks = case_breaks([t.text for t in run]) if cyrillic else ()
        for index in range(1, len(run)):
            cut = (_acronym(run[index - 1].text) and not run[index].text.isupper()) or index in breaks
            if cut or (len(run) - index > 1 and tuple([t.form for t in run[index:]]) in alone
                       and run[index].text not in PARTICLES):
                out.append(run[start:index])
                start = index
        out.append(run[start:])
    return [run for run in out if run]


_ARTICLES = frozenset({"der", "des", "den"})  # German articles that runs join as particles
_BEFORE_AN_ARTICLE = frozenset({"von", "van", "vom", "vun", "zu"})  # `Ursula von der Leyen`


def _article_cuts(runs: list[list[Token]]) -> list[list[Token]]:
    """German runs cut at an article between nouns, where every noun is capitalised (`Ende
    des Jahres`, `Chefarzt der Kinderabteilung`: no names), unless two capitalised words or
    more follow it before the next particle (`Kommission der Europäischen Union`, `des Obersten
    Gerichtshofes`) or it follows `von` (`Ursula von der Leyen`)."""
    out = []
    for run in runs:
        start = 0
        for index in range(1, len(run) - 1):
            if run[index].text not in _ARTICLES or run[index - 1].text in _BEFORE_AN_ARTICLE:
                continue
            following = 0
            for token in run[index + 1 : index + 3]:
                if token.text in PARTICLES:
                    break
                following += 1
            if following < 2:
                out.append(run[start:index])
                start = index + 1
        out.append(run[start:])
    return [run for run in out if run]


def _mentions(text: str, language: str | None) -> list[list[Token]]:
    """The runs that are names, after the rules on sentence openings, calendar words and
    German nouns."""
    allowed = endings(language)
    read = read_words(text)  # once: the most of the work on an ordinary article
    tokens = read.tokens
    lower = WordForms(w for w in set(read.words) if w.islower())
    inside: set[str] | None = None  # the stems of the words capitalised inside a sentence
    heads: set[str] | None = None  # of the words that open a name inside a sentence
    found: list[list[Token]] = []
    nouns_capitalised = language is not None and language.split("-")[0].lower() in _NOUNS_CAPITALISED
    runs = _split(_article_cuts(read.runs) if nouns_capitalised else read.runs)
    for run in runs:
        if len(run) > 1 and (_shouting(run) or len(run) > _MAX_RUN):
            # A headline in capitals, or a list of capitalised words: keep only its acronyms.
            found.extend([t] for t in run if _acronym(t.text) and not _shouting(run))
            continue
        while run and run[-1].form in _HONORIFICS:  # `Later Mr.` (then the name)
            run = run[:-1]
        if not run:
            continue
        first = run[0]
        form = first.form
        if first.sentence_start and not _acronym(first.text):
            if inside is None:
                inside = _stems_of({t.form for t in tokens if t.capitalised and not t.sentence_start},
                                   allowed)
            unknown = form not in _FUNCTION_WORDS and inside.isdisjoint(stems(form, allowed))
            # Where names are declined, a noun often opens the sentence before one (`Wywiad
            # Farage'a`); in English a first name does (`Bill Clinton said`).
            governed = False
            if unknown and len(run) > 1 and len(allowed) > 1:  # more than German -s
                if heads is None:  # words that open a name inside a sentence: a name there
                    heads = _stems_of({r[0].form for r in runs if not r[0].sentence_start}, allowed)
                governed = _known(run[1:], heads)
            # (the words in lower case last: their forms are worked out at the first question)
            # (an article the text also capitalises inside a sentence: `Los Angeles`, `Le Monde`)
            named = form in _NAME_ARTICLES and len(run) > 1 and not inside.isdisjoint(stems(form, allowed))
            function = form in _FUNCTION_WORDS and not named
            if function or (unknown and (len(run) == 1 or governed)) or form in lower:
                run = run[1:]
        while run and run[0].form in _NOT_A_FIRST_WORD and not _name_article(run):
            run = run[1:]
        while run and run[0].text in PARTICLES:
            run = run[1:]
        if not run:
            continue
        if len(run) == 1 and (run[0].form in _CALENDAR_OR_ZONES or len(run[0].text) == 1):
            continue  # (one letter alone: `M. Romney`, `S&P`, `R&D`, `C-35`, `L.A.`)
        if len(run) > 1:
            start, end = name_span([t.text for t in run], language)  # past a title (titles.py)
            run = run[start:end]
        elif title_alone(run[0].text, language):  # (name_span of one word: all of it or none)
            continue
        if len(run) == 1 and _adjective(read, run[0]):
            continue
        if run:
            found.append(run)
    if nouns_capitalised:
        # (a run after a number counts something: `5 Millionen Euro`, `drei Häuser` are no names)
        counted = {run[0].at for run in runs if _NUMBER.search(read.gaps[run[0].at])}
        content = [[t for t in run if t.form not in _FUNCTION_WORDS] for run in runs
                   if run[0].at not in counted]  # fmt: skip
        in_longer = {t.form for run in content if 1 < len(run) <= _MAX_RUN for t in run}
        found = [
            run
            for run in found
            if run[0].at not in counted
            and (len(run) > 1 or run[0].text.isupper() or run[0].form in in_longer)
        ]
    return found


def _name_article(run: list[Token]) -> bool:
    """Whether a run opens with an article of a name (`Los Angeles`, `Le Monde`, `El País`):
    capitalised inside a sentence, or where the text also writes it so (seen above)."""
    return run[0].form in _NAME_ARTICLES and len(run) > 1


def _stems_of(forms: Iterable[str], allowed: frozenset[str]) -> set[str]:
    """Every stem of these forms."""
    if not allowed:  # each form its only stem
        return set(forms)
    return set().union(*[stems(form, allowed) for form in forms])


def _adjective(read: Read, token: Token) -> bool:
    """Whether a word alone is an adjective of a place's or an institution's name, as the words
    around it show (`в Белом доме`, `Верховного суда`: titles.adjective_of_place)."""
    if not "\u0400" <= token.text[:1] <= "\u04ff":
        return False
    at = token.at
    before = plain_word(read.words[at - 1]) if at > 0 else ""
    following = at + 1 < len(read.words) and not opens_sentence(read.gaps, at + 1, read.words)
    after = plain_word(read.words[at + 1]) if following else ""
    return adjective_of_place(before, token.text, after)


def _known(run: list[Token], heads: set[str]) -> bool:
    """Whether the text opens names inside sentences with these words: a name, which the word
    before it opening a sentence is not part of (`Wywiad Farage'a`)."""
    forms = [t.form for t in run if t.text not in PARTICLES]
    return all(f not in _CALENDAR and not heads.isdisjoint(stems(f)) for f in forms)


def _words(run: list[Token]) -> str:
    return " ".join([t.text for t in run])


def title_case(title: str, text: str) -> bool:
    """Whether a headline is written in Title Case, as its text shows (see the module)."""
    parts = WORD_SPLIT.split(title)
    gaps, heading = parts[0::2], parts[1::2]
    words = [text for index, text in enumerate(map(plain_word, heading))
             if not opens_sentence(gaps, index, heading)
             and len(text) >= _TITLE_CASE_MIN_LETTERS and text.lower() != text.upper()]
    capitalised = [w for w in words if w[:1].isupper() and not w.isupper()]
    if len(words) < _TITLE_CASE_WORDS or len(capitalised) < _TITLE_CASE_SHARE * len(words):
        return False
    if len(words) >= _LONG_TITLE and len(capitalised) >= _LONG_TITLE_SHARE * len(words):
        return True
    wanted = {w.lower() for w in capitalised}
    written = {m.group() for m in TOKEN.finditer(text) if m.group() in wanted}
    return len(written) >= _TITLE_CASE_EVIDENCE


_Places = dict[str, set[tuple[int, int]]]


def _word_places(runs: Sequence[list[Token]], allowed: frozenset[str]) -> _Places:
    """Where each stem of each word stands among these runs: {stem: {(run, position)}}."""
    places: _Places = {}
    for index, run in enumerate(runs):
        for position, token in enumerate(run):
            for stem in stems(token.form, allowed):
                places.setdefault(stem, set()).add((index, position))
    return places


def _named_in(
    words: Sequence[Token], places: _Places, lengths: Sequence[int], allowed: frozenset[str]
) -> bool:
    """Whether these words, maybe inflected, end one of the runs `places` indexes (of these
    `lengths`): a whole name or its last words (`Lohan` of `Lindsay Lohan`), not a title
    before a name (`Judge` of `Judge Analisa Torres`), nor a particle's side of one."""
    if words[0].text in PARTICLES or words[-1].text in PARTICLES:
        return False
    starts: set[tuple[int, int]] | None = None
    for offset, token in enumerate(words):
        here: set[tuple[int, int]] = set()
        for stem in stems(token.form, allowed):
            here |= places.get(stem, set())
        found = {(run, position - offset) for run, position in here}
        starts = found if starts is None else starts & found
        if not starts:
            return False
    return any(start + len(words) == lengths[run] for run, start in starts or ())


def _confirmed(
    run: list[Token], places: _Places, lengths: Sequence[int], allowed: frozenset[str]
) -> list[list[Token]]:
    """The parts of a Title Case headline's run that the text names, longest first from the
    left, and its words in capitals."""
    parts: list[list[Token]] = []
    start = 0
    while start < len(run):
        end = next((end for end in range(len(run), start, -1)
                    if _named_in(run[start:end], places, lengths, allowed)), start)
        if end > start:
            parts.append(run[start:end])
            start = end
            continue
        if _acronym(run[start].text):
            parts.append([run[start]])
        start += 1
    return parts


def _article_mentions(title: str, joined: str, language: str | None) -> list[list[Token]]:
    """The mentions of the title and text (`joined`, the title first); a Title Case title's
    cut to what the text names too."""
    mentions = _mentions(joined, language)
    if not title or not title_case(title, joined[len(title):]):
        return mentions
    title_words = len(TOKEN.findall(title))  # (`joined` begins with the title: its first words)
    in_title = [run for run in mentions if run[0].at < title_words]
    in_text = mentions[len(in_title):]
    allowed = endings(language)
    places = _word_places(in_text, allowed)
    lengths = [len(run) for run in in_text]
    return [part for run in in_title for part in _confirmed(run, places, lengths, allowed)] + in_text


_UNHEARD_SCRIPTS = re.compile("[\u0370-\u052f]")  # Greek, Cyrillic: romanized to be compared


class SpelledNames:
    """Known names of two words or more, by the sound of their last word: a cued name of as
    many words, each of which sounds like the known name's (`sounds_like`; a king's number the
    same), takes its key where the SoundIndex heard nothing in it (埃利烏德·基普喬蓋: Eliud
    Kipchoge; ელისაბედ II and 查理斯三世, read as `查理斯 III`: Elizabeth II, Charles III); a
    spelling in Cyrillic or Greek is compared romanized (Карым Бензема). Only one known name
    may fit, or none is taken."""

    def __init__(self, names: Iterable[tuple[str, str]]) -> None:
        self._by_sound: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
        for key, spelling in names:
            spoken = anyascii(spelling) if _UNHEARD_SCRIPTS.search(spelling) else spelling
            words = tuple(w for w in _SCRIPT_WORD_SPLIT.split(spoken) if w)
            if len(words) < 2 or len(words) > _MAX_RUN:
                continue
            for sound in sound_keys(words[-1]):
                self._by_sound.setdefault(sound, []).append((key, words))

    def ending_in(self, word: str) -> list[tuple[str, tuple[str, ...]]]:
        """The known names (key, words) whose last word sounds like `word`."""
        return [found for sound in sound_keys(word) for found in self._by_sound.get(sound, ())]

    def key_of(self, spelled: str) -> str | None:
        """The key of the one known name that a name written in a script without capitals
        sounds like, word for word; None when none or several do."""
        words = [w for w in _SCRIPT_WORD_SPLIT.split(spelled) if w]
        if len(words) < 2 or len(words) > _MAX_RUN:
            return None
        keys = {
            key
            for sound in sound_keys(words[-1])
            for key, known in self._by_sound.get(sound, ())
            if len(known) == len(words) and all(_sounds_as(k, w) for k, w in zip(known, words, strict=True))
        }
        return keys.pop() if len(keys) == 1 else None


def _sounds_as(known: str, written: str) -> bool:
    """A known name's word and a written one: a king's number the same (II is not III), any
    other word by its sound."""
    if _ROMAN.fullmatch(known) or _ROMAN.fullmatch(written):
        return known == written
    return sounds_like(known, written)


def names_in(
    title: str | None,
    text: str | None,
    language: str | None = None,
    known: SoundIndex | None = None,
    spelled: SpelledNames | None = None,
) -> tuple[Name, ...]:
    """The people and organisations the title and text name, most mentioned first; in a text
    written without capitals, also those its cues name and those `known` finds, a cued name
    that `known` does not hear taking the key of the one of `spelled` it sounds like word for
    word (see the module)."""
    joined = "\n".join(t for t in (title, text) if t)[:MAX_TEXT_CHARS]
    if not caseless(joined):
        return _capitalised_names(title, joined, language)
    # The Latin words inside (DRX가, SpaceX載人, II-ის): read apart from the letters glued to
    # them; a Roman numeral there is a king's or a pope's number, not a name.
    latin = CASELESS_LETTERS.sub(" ", joined)
    found = tuple(n for n in _capitalised_names(title and latin[: len(title)], latin, language)
                  if not _ROMAN.fullmatch(n.name) and len(n.name) > 1)  # B-17, T1: no names
    return _with_script_names(found, joined, language, known, spelled)


def _capitalised_names(title: str | None, joined: str, language: str | None) -> tuple[Name, ...]:
    """The names the capitals say (the module's rules for cased scripts)."""
    allowed = endings(language)
    groups: list[dict[str, int]] = []  # per entity: its spellings and how often
    newest: dict[str, int] = {}  # per stem: the newest entity whose last word may have it
    for run in _article_mentions(title or "", joined, language):
        spelled = _words(run)
        last = run[-1].form
        if not last:
            continue
        word_stems = stems(last, allowed)
        if allowed:
            word_stems = word_stems | watched_stems(frozenset((last,)))
        home = None
        # The nearest entity named before whose last word this one's is.
        nearest = max([newest[s] for s in word_stems if s in newest], default=None)
        if nearest is not None:
            longest = max(groups[nearest], key=len)
            if len(run) == 1 or len(longest.split()) == 1 or _same_words(spelled, longest, allowed):
                home = nearest
        if home is None:
            groups.append({})
            home = len(groups) - 1
        groups[home][spelled] = groups[home].get(spelled, 0) + 1
        for stem in word_stems:
            newest[stem] = max(newest.get(stem, home), home)
        if len(groups) >= _MAX_NAMES:
            break
    names = [_name(group, allowed) for group in groups]
    merged: dict[str, Name] = {}
    for name in names:
        if name.key in merged:
            old = merged[name.key]
            name = Name(
                name.key, old.name, tuple(dict.fromkeys(old.variants + name.variants)), old.count + name.count
            )
        merged[name.key] = name
    return tuple(sorted(merged.values(), key=lambda n: (-n.count, n.key)))


_ROMAN = re.compile(r"[IVXLC]+")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_SCRIPT_WORD_SPLIT = re.compile(f"[\\s{JOINERS}\\-]+")
_NOT_KEY = re.compile(r"[^a-z]+")


def script_key(spelled: str) -> str:
    """The key of a name written in a script without capitals: each word romanized (anyascii)
    and spelled as `name_form` spells a Latin word (普京: puiing; ليز تراس: lyz trs), so that a
    script written letter for sound keys a name as its Latin spelling does (გოტაბაია
    რაჯაპაკსა and Gotabaya Rajapaksa: gotabaia raiapaksa)."""
    words = [name_form(_NOT_KEY.sub("", anyascii(w).lower())) for w in _SCRIPT_WORD_SPLIT.split(spelled)]
    return " ".join(w for w in words if w) or spelled


def _with_script_names(
    found: tuple[Name, ...],
    joined: str,
    language: str | None,
    known: SoundIndex | None,
    spelled: SpelledNames | None = None,
) -> tuple[Name, ...]:
    """`found` (what capitals said) with the names of a text in a script without capitals:
    its cued spans, each with the key of a known name it sounds like (or holds; or, word for
    word, `spelled`'s), else `script_key`; and the known names heard without a cue where that
    is safe (`_heard_alone`).
    Mentions of one key are one name; a one-word key that ends a longer one of the text goes
    to it (普京 to 弗拉基米尔·普京)."""
    heard = known.find(joined[:KNOWN_TEXT_CHARS], language) if known else []
    mentions: list[tuple[int, str, str]] = []  # (start, key, spelling)
    covered: list[tuple[int, int]] = []
    read: dict[str, str] = {}  # key -> the Latin name a dictionary read (安倍晋三: Shinzo Abe)
    for cue in cued_names(joined, language):
        inside = [h for h in heard if h.start < cue.end and cue.start < h.end and _keys_cue(h, cue)]
        best = max(inside, key=lambda h: (h.full, len(h.spelling.split()), h.end - h.start), default=None)
        key = best.key if best else _spelled_key(cue, spelled) or script_key(cue.text)
        if cue.english:  # an organisation as the language writes it (联合国): its English name's key
            key = " ".join(name_form(word) for word in cue.english.split())
            read.setdefault(key, cue.english)
        elif cue.latin:  # read by a dictionary (monitor.entities.kanji): a known name's reading, or its first
            first = cue.latin.split("|")[0]
            fit = known_reading(cue.latin, spelled.ending_in) if spelled is not None else None
            key, latin = fit or (script_key(first), first)
            read.setdefault(key, latin)
        mentions.append((cue.start, key, cue.text))
        covered.append((cue.start, cue.end))
    alone = [h for h in heard if not any(a < h.end and h.start < b for a, b in covered)]
    named = {key for _, key, _ in mentions} | {h.key for h in alone if _heard_alone(h, joined)}
    for h in alone:
        if h.key in named:
            mentions.append((h.start, h.key, joined[h.start : h.end]))
    mentions.sort()
    full = {key.split()[-1]: key for _, key, _ in mentions if " " in key}
    groups: dict[str, dict[str, int]] = {}
    for _, key, spelling in mentions[:_MAX_NAMES]:
        key = full.get(key, key)
        groups.setdefault(key, {})
        groups[key][spelling] = groups[key].get(spelling, 0) + 1
    merged = {name.key: name for name in found}
    for key, group in groups.items():
        variants = tuple(sorted(group, key=lambda v: (-len(v), -group[v], v)))
        name = Name(key, read.get(key, variants[0]), variants, sum(group.values()))
        old = merged.get(key)
        if old is not None:
            name = Name(key, old.name, tuple(dict.fromkeys(old.variants + variants)), old.count + name.count)
        merged[key] = name
    return tuple(sorted(merged.values(), key=lambda n: (-n.count, n.key)))


def _spelled_key(cue: Cue, spelled: SpelledNames | None) -> str | None:
    """The key of the known name a cue sounds like word for word (a regnal one read with its
    number in Roman numerals)."""
    return spelled.key_of(regnal_latin(cue) or cue.text) if spelled is not None else None


def _keys_cue(heard: Heard, cue: Cue) -> bool:
    """Whether a known name heard inside a cued name is that name: heard over the whole cue,
    or a person's name of two words or more heard as the cue's surname (where it ends) or
    over most of it. A one-word known name inside a cue (`Britse` in `پرویز مشرف`), or a name
    heard in a cue's first part, is a look-alike more often than not; so is a surname heard in
    a king's number (`Johnson` in `بندیکت شانزدهم`) or a known acronym's last word."""
    if heard.start <= cue.start and heard.end >= cue.end:
        return True
    words = _NAME_WORD.findall(heard.spelling)
    if len(words) < 2:
        return False
    if not heard.full:  # a regnal number is no surname (شانزدهم, 三世), nor an acronym (FIFA)
        return (
            heard.end >= cue.end
            and _word_starts(cue, heard.start)
            and not cue.regnal
            and not words[-1].isupper()
        )
    return 3 * (heard.end - heard.start) >= 2 * (cue.end - cue.start)


def _word_starts(cue: Cue, at: int) -> bool:
    """Whether a cue's word (or dotted part) starts at `at`: a surname heard from inside a word
    (`درال` in `فدرال`) is a look-alike."""
    before = cue.text[at - cue.start - 1] if at > cue.start else " "
    return before == "-" or _WRITTEN_APART.match(before) is not None


_NAME_WORD = re.compile(r"[^\W\d_]{2,}")
_WRITTEN_APART = re.compile(f"[\\s{JOINERS}]")
_MIN_HAN_NAME = 3  # characters of a full name heard in Chinese without a dot (习近平)
_MIN_THAI_CHUNK = 4  # letters of a Thai surname heard alone


def _heard_alone(heard: Heard, text: str) -> bool:
    """Whether a known name heard where no cue stands is safe to take: a full name of two
    words or more (not a king's number) written as two words or more (or joined by a middle
    dot; in Chinese, three characters or more); in Thai, which writes a phrase without
    spaces and a name's words apart, a person's surname (of a known name of two words) that
    is a whole chunk between spaces. A surname heard alone elsewhere, or a one-word name,
    sounds like too many words of an abjad or of Thai; it is taken only where the text names
    that person otherwise (a cue, or the full name). A span with a function word of the
    language in it (a preposition, a conjunction) is a phrase that sounds alike."""
    words = [w for w in _NAME_WORD.findall(heard.spelling) if not _ROMAN.fullmatch(w)]
    if len(words) < 2:
        return False
    span = text[heard.start : heard.end]
    if _THAI.search(span):
        before, after = text[heard.start - 1 : heard.start], text[heard.end : heard.end + 1]
        whole = not _THAI.match(before or " ") and not _THAI.match(after or " ")
        return whole and len(span) >= _MIN_THAI_CHUNK
    if not heard.full:
        return False
    if _WRITTEN_APART.search(span):
        return not any(function_word(w) for w in span.split())  # من محاولة: "from an attempt"
    return len(span) >= _MIN_HAN_NAME and is_unspaced(span)


def _same_words(a: str, b: str, allowed: frozenset[str]) -> bool:
    """Whether two mentions of several words are one name, each word maybe inflected (the
    shorter one aligned on the longer one's last words)."""
    shorter, longer = sorted((a.split(), b.split()), key=len)
    return all(
        not stems(name_form(w), allowed).isdisjoint(stems(name_form(v), allowed))
        for w, v in zip(shorter, longer[len(longer) - len(shorter) :], strict=True)
    )


def _base(forms: list[str], allowed: frozenset[str]) -> str:
    """One word's base among its forms in an article: the form the others are inflections of
    (`putin` for `putin`, `putina`, `putinim`), or the shortest stem they share (`putina`,
    `putinu`; `bibiove`, `bibiovou`: `bibi`), of 4 letters at least (`Asia`, `Asi`: `asia`). A
    lone form loses a case ending of two letters or more (`putinem`, `klintonova`): one letter
    may be the word's own (`Obama`)."""
    distinct = set(forms)
    if len(distinct) > 1:
        for form in sorted(distinct, key=len):
            if len(form) >= _MIN_KEY_STEM and all(form in stems(other, allowed) for other in distinct):
                return form
        shared = frozenset.intersection(*(stems(f, allowed) for f in distinct))
        long_enough = [s for s in shared if len(s) >= _MIN_KEY_STEM]
        if long_enough:
            return min(long_enough, key=lambda s: (len(s), s))
    return _lone_base(max(sorted(distinct), key=forms.count), allowed)


def _lone_base(form: str, allowed: frozenset[str]) -> str:
    """A form without a case ending of two letters or more (see `_base`)."""
    if not allowed:
        return form
    cuts = [s for s in stems(form, allowed) if len(form) - len(s) >= 2 and len(s) >= _MIN_KEY_STEM]
    return min(cuts, key=lambda s: (len(s), s)) if cuts else form


def _name(group: dict[str, int], allowed: frozenset[str]) -> Name:
    """The entity of one group of mentions: the fullest mention names it; its key is the base
    of each of its words (aligned from the last)."""
    if len(group) == 1:  # most: one spelling, each word its own base
        [(fullest, count)] = group.items()
        forms = [_lone_base(form, allowed) for form in map(name_form, fullest.split()) if form]
        return Name(" ".join(forms), fullest, (fullest,), count)
    variants = sorted(group, key=lambda v: (-len(v.split()), -group[v], len(v), v))
    fullest = variants[0]
    width = len(fullest.split())
    columns: list[list[str]] = [[] for _ in range(width)]
    for variant in group:
        words = variant.split()[-width:]
        for offset, word in enumerate(words):
            columns[width - len(words) + offset].extend([name_form(word)] * group[variant])
    forms = [_base([f for f in column if f], allowed) for column in columns if any(column)]
    return Name(" ".join(forms), fullest, tuple(variants), sum(group.values()))


def story_names(
    per_article: Mapping[int, Sequence[Mapping[str, Any]]], limit: int = 12
) -> list[dict[str, Any]]:
    """The names of a story's articles (as the store keeps them: key, name, variants,
    mentions), one per key: named as the article that mentions it most does, with every
    spelling its articles use, the most widely named first."""
    by_key: dict[str, dict[str, Any]] = {}
    for article_names in per_article.values():
        for row in article_names:
            entry = by_key.setdefault(
                row["key"], {"key": row["key"], "name": row["name"], "top": 0, "articles": 0, "spellings": {}}
            )
            entry["articles"] += 1
            if row["mentions"] > entry["top"]:
                entry["name"], entry["top"] = row["name"], row["mentions"]
            for variant in row["variants"]:
                entry["spellings"][variant] = entry["spellings"].get(variant, 0) + row["mentions"]
    ranked = sorted(by_key.values(), key=lambda e: (-e["articles"], -e["top"], e["key"]))[:limit]
    out = []
    for e in ranked:
        spellings = sorted(e["spellings"], key=lambda v: (-e["spellings"][v], v))
        variants = [v for v in spellings if v != e["name"]]
        out.append({"key": e["key"], "name": e["name"], "articles": e["articles"], "variants": variants})
    return out
