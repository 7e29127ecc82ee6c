"""Does a text mention a watched name? Pure: a name and a text in, yes or no.

A name matches where its words occur in the text one after the other, or where its last word
(the surname, of 3 letters or more) occurs alone: `Emmanuel Macron` is found in "Macron said".
Words are compared, never keys: `Putin` is not `Peyton`, `Biden` not `Baden`, `Anderson` not
`Anders` nor `Andersson` (a doubled consonant makes another surname: a Latin word of a language
that keeps foreign spellings doubles the name's consonants, no more, no fewer; a word of
another alphabet or of a respelling language may leave them out, `Асад` for Assad, but adds
none; an organisation's words are spelled both ways). What is tolerated is only what spelling
and grammar change in the same word (monitor.entities.forms: case, accents, alphabets, the
letters romanisations swap, case endings), and:

- the word in the text is capitalized (or in a script without case): `bush fire` does not
  mention Bush; ideographs and kana are matched as a substring (no spaces there);
- a Latin name's word may be read into another alphabet as English spelling sounds (`Trump`:
  `Трамп`, `Biden`: `Байден`), in words of that alphabet only: `Tramp` is not Trump;
- every word may be inflected as the article's language inflects (`Asią Bibi`, `Theresou
  Mayovou`): a text's word matches where its stems meet the name word's, which loses at most
  a final vowel; after an apostrophe (`Farage'a`, `Putin's`) the word ends there;
- in another alphabet, or in a language that respells foreign names (Slavic, Baltic), a
  word of 6 letters or more may be spelled as another transliteration spells it (the same
  sound key: `Мухаммеда`, `Mohameda` for Muhammad; Mahmud stays apart), and in a row, a
  word next to one spelled as the name spells it may differ in its vowels (`Saif Mulúk` for
  `Saif Ul Malook`); a name's particles (`ul`, `e`, `al`) may be spelled otherwise, glued to
  the word before (`Сайфул Малук`) or left out;
- an organisation named after its country (`Supreme Court of Pakistan`) is also found as the
  rest of its name where the text names the country anywhere (`Техрик-э-Лабайк` …
  `Пакистана` for `Tehreek e Labbaik Pakistan`);
- the surname alone does not count where the text puts another first name before it (`Bill
  Clinton` for `Hillary Clinton`; titles, weekdays and list commas are not first names), nor
  where it opens another name, a capitalized word after it, in a language that does not
  capitalize a headline's words (`Ашик Масих`, Ashiq Masih, is not Eisham Ashiq), nor
  for an organisation (a name with an organisation word or a linking word: `Supreme Court of
  Pakistan` is not `Pakistan`), nor when it is a month (`Theresa May`);
- a person's name, whole or its surname alone, is not found inside a place's name: next to a
  capitalized place word after it (`Anderson Springs`, `Jackson Heights`, `Carson City`) or
  before it (`Lake Jackson`, `Rue Victor Hugo`);
- an organisation is also found by its initials in capitals (`European Union`: `EU`), and a
  name in capitals (`AFP`) as a word in capitals, never inside a line of capitals (a
  headline); a leading `The` is optional;
- a first name spelled otherwise (same consonants: `Ijaz` for `Ejaz`) or a middle name
  (`Fawad Ahmed Chaudhry`) is not another first name; in another alphabet a Latin name may
  be read as its letters sound (`France`: `Франс`, `Hidalgo`: `Идальго`);
- an organisation's words borrowed from Latin may be spelled, inflected and ordered as a
  respelling language or another alphabet does (`Parlamentu Europejskiego`: forms.cognate);
  an organisation named after its country finds the country by its adjective too
  (`Пакистанският`); one whose name starts with what it is (`Agence France Press`) is also
  found as the rest (`Франс прес`); a name with a regnal number also without it where no
  capitalized word follows (`Папа Бенедикт`), or with Cyrillic look-alike numerals;
- a name another language translates (`Supreme Court`: `Sąd Najwyższy`; `EU`: `ЕС`) is found
  as monitor.watches.translated reads it.
- a person's Latin name is found in a script without capitals as it sounds there
  (monitor.entities.sounds: `Putin`: プーチン, 普京, بوتين; `Donald Trump`: دونالد ترامپ),
  whole or its surname alone as above (not a Chinese name's given name).

This is the one place a watch's `names` are decided (measured by bench/names.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from monitor.entities.forms import (
    ALL_ENDINGS,
    cognate,
    cognate_key,
    consonants,
    doubled,
    doubled_form,
    endings,
    latin,
    latin_written,
    local_forms,
    name_form,
    read_aloud,
    respells,
    skeletons,
    sound_key,
    sound_keys,
    stems,
    transliterable,
    watched_stems,
)
from monitor.entities.sounds import SoundIndex, SoundSpans, sound_spans, sounded
from monitor.watches.translated import TextConcepts, Translation, translated_in, translation_of

__all__ = [
    "ALL_ENDINGS",
    "NameText",
    "WatchedName",
    "mentions",
    "name_form",
    "name_problem",
    "stems",
    "watched_name",
]

# A word: a run of letters, in any script. Apostrophes and hyphens split words (`al-Assad`,
# `Putin's`), as they split the full-text index's tokens.
_WORD = re.compile(r"[^\W\d_]+")
# Scripts written without spaces between words: a name there is found as a substring.
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_MIN_SURNAME = 3  # a last word this long or longer is found alone
_MIN_LETTERS = 3  # a name with fewer letters is refused


def _forms_of(words: str) -> frozenset[str]:
    return frozenset(name_form(w) for w in words.split())


def _cased(word: str) -> bool:
    """Capitalized, or in a script without case: what a name looks like in running text."""
    first = word[0]
    return first.isupper() or first.istitle() or not (first.islower() or first.isupper())


def _acronym(word: str) -> bool:
    return len(word) >= 2 and word.isupper()


# Words that say what an organisation is: a name holding one is an organisation's, whose last
# word alone (`Press`, `Union`, `Times`) is not the name. Lower-case words inside a name (`of`,
# `e`, `ul`) say the same of names like `Supreme Court of Pakistan`.
_ORGANISATION_WORDS = _forms_of(
    """Agency Agence Airlines Army Assembly Association Authority Bank Board Bureau Church Club
    College Commission Committee Company Congress Corporation Council Court Department Federation
    Force Forces Foundation Front Group Herald Institute International Journal League Ministry
    Movement Nations News Office Organisation Organization Parliament Party Police Post Press
    Radio Senate Service Society Times Tribune Union United University"""
)
_LINKS = frozenset({"of", "for", "and", "to", "in", "on", "the", "e"})  # not al, bin, von, ul
# Words before a surname that are not another first name: titles and calendar words
# (`President Trump`, `On Monday Trump`).
_NOT_FIRST_NAMES = _forms_of(
    """Mr Mrs Ms Miss Dr Sir Lady Lord Dame President Prime Minister Premier Chancellor Pope
    King Queen Prince Princess Senator Governor General Judge Justice Father Saint St Rev Imam
    Sheikh Cardinal Bishop Archbishop Secretary Chairman Leader Speaker Mayor Rep Sen Gov
    Prezydent Prezident Predsednik Predsjednik Premier Premiér Minister Pan Pani Papież Papa
    Kancléř Kanclerz Президент Премьер Премьер-министр Господин Госпожа Папа Канцлер Президента
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday
    January February March April May June July August September October November December
    In On At As For But And The Then When While After Before Meanwhile According"""
)
# Words that make a place of a person's name next to them, capitalized: after it (`Anderson
# Springs`, `Jackson Heights`, `Washington Square`, `Carson City`) or before it (`Lake Jackson`,
# `Fort Worth`, `Rue Victor Hugo`). A watch of a person is not one of the place.
_PLACE_AFTER = _forms_of(
    """Springs Heights County Valley Square Street Avenue Ave Road Rd Boulevard Blvd Bay Lake Lakes
    River Creek Falls Mountain Mountains Beach Island Islands Harbor Harbour Canyon City Township
    Parish Village Airport Station Peak Gulf Strait Glacier Junction Gardens Bridge Hills Park"""
)
_PLACE_BEFORE = _forms_of("Lake Mount Fort Port Cape Camp Rue Avenue Boulevard Calle Plaza Piazza Rua Praça")
# A surname that is also a calendar word is found with its first name only (`Theresa May`).
_CALENDAR = _forms_of(
    """Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May
    June July August September October November December"""
)


# Particles inside names (`Saif ul Malook`, `Tehreek-e-Labbaik`, `Bashar al-Assad`): a
# transliteration may spell them otherwise (`Тэхрик-и-Лабайик`), glue them to the word before
# (`Сайфул Малук`) or leave them out.
_PARTICLES = frozenset({"ul", "ur", "ud", "al", "el", "e", "i", "bin", "ibn", "bint"})
COGNATE_LETTERS = 3  # the first letters of a cognate key that a word's must share (forms.cognate)
_COUNTRY_OPENING = 4  # first letters of a word's form by which a country's adjective is looked up
_COUNTRY_ADJECTIVE = 7  # letters of -sk- and its ending after a country's name (`skiiat`)
_MAX_PARTICLE = 3  # letters of a text's word read as a particle in a particle's place
_PARTICLE_FORMS = frozenset(name_form(p) for p in _PARTICLES | {"uh", "ad", "ed", "a", "y"}) - {""}


@dataclass(frozen=True)
class WatchedName:
    """A name of a watch, ready to compare: the forms of its words, and the forms each may
    take in a word transliterated from another alphabet."""

    text: str
    forms: tuple[str, ...]
    unspaced: str | None = None  # in a script without spaces: the name, folded, as a substring
    read: tuple[frozenset[str], ...] = ()  # per word: its forms in another alphabet
    acronyms: tuple[bool, ...] = ()  # per word: written in capitals (`AFP`), found so only
    organisation: bool = False
    # An organisation's initials, found as a word in capitals (`European Union`: `EU`)
    abbreviation: str | None = None
    particles: tuple[bool, ...] = ()  # per word: a particle, which may be spelled otherwise or left out
    glued: tuple[frozenset[str], ...] = ()  # per word: it with the particle after it (`saiful`)
    # Per word: the sound keys and skeletons of its forms (forms.sound_key, forms.skeleton), in
    # a word of another alphabet (from `read`) and in a Latin word (from its own form)
    sounds: tuple[frozenset[str], ...] = ()
    skeletons: tuple[frozenset[str], ...] = ()
    latin_sounds: tuple[frozenset[str], ...] = ()
    latin_skeletons: tuple[frozenset[str], ...] = ()
    # An organisation named after its country (`Supreme Court of Pakistan`): found as the
    # rest of its name (`core`) where the text names the country (`place`) too.
    core: WatchedName | None = None
    # An organisation's words borrowed from Latin (`European Parliament`): per word other than
    # links, the cognate keys it may have (forms.cognate_key), in Latin and in another alphabet
    cognates: tuple[frozenset[str], ...] = ()
    foreign_cognates: tuple[frozenset[str], ...] = ()
    place: frozenset[str] = frozenset()
    # A name that ends in a regnal number (`Benedict XVI`): the name without it, found where
    # no other name follows (`Papst Benedikt sagte`, not `Benedict Cumberbatch`)
    regnal: WatchedName | None = None
    # An organisation whose name starts with what it is (`Agence France Press`): the rest,
    # itself an organisation's name (`France Press`), as many languages call it
    proper: WatchedName | None = None
    # What the lexicon translates of it (`Supreme Court`: `Sąd Najwyższy`; monitor.watches.translated)
    translation: Translation | None = None
    marked: tuple[str, ...] = ()  # per word: its form with its doubled letters (forms.doubled_form)
    # A person's name as a script without capitals may write it (monitor.entities.sounds:
    # プーチン): its words, and whether its surname is heard alone; None for another name
    spoken: tuple[str, bool] | None = None

    @property
    def heard(self) -> SoundIndex | None:
        """The index that hears the name in a script without capitals, built once it is asked."""
        return None if self.spoken is None else _sound_index(self.text, *self.spoken)

    @property
    def alone(self) -> bool:
        """Whether the last word is found on its own (the surname): not an organisation's
        last word, nor a calendar word."""
        return (
            len(self.forms) > 1
            and len(self.forms[-1]) >= _MIN_SURNAME
            and not self.organisation
            and self.forms[-1] not in _CALENDAR
        )


def watched_name(text: str) -> WatchedName:
    words = [w for w in _WORD.findall(text) if name_form(w)]  # a mark alone has no form
    if len(words) > 2 and words[0].casefold() == "the":
        words = words[1:]  # `The Associated Press` is written `Associated Press` as often
    unspaced = "".join(w.casefold() for w in words) if _UNSPACED.search(text) else None
    forms = tuple(name_form(w) for w in words)
    read = tuple(_read(w, f) for w, f in zip(words, forms, strict=True))
    organisation = any(f in _ORGANISATION_WORDS for f in forms) or any(w in _LINKS for w in words[1:-1])
    acronyms = tuple(_acronym(w) and len(words) == 1 for w in words)
    initials = "".join(w[0] for w in words if w[:1].isupper())
    abbreviation = initials if organisation and len(initials) >= 2 and initials.isupper() else None
    core, place = _core_and_place(words, organisation)
    regnal = watched_name(" ".join(words[:-1])) if len(words) > 1 and _ROMAN.fullmatch(words[-1]) else None
    particles = tuple(0 < k < len(words) - 1 and w.casefold() in _PARTICLES for k, w in enumerate(words))
    glued = tuple(
        frozenset({forms[k] + forms[k + 1]}) if k + 1 < len(forms) and particles[k + 1] else frozenset()
        for k in range(len(forms))
    )
    # read_aloud's variants that add letters (`putin`: `pateeein`) are not spellings of the name
    near = [frozenset(r for r in rs if len(r) <= len(f) + 1) for rs, f in zip(read, forms, strict=True)]
    own = [frozenset({f}) for f in forms]
    alone = len(forms) > 1 and len(forms[-1]) >= _MIN_SURNAME and forms[-1] not in _CALENDAR
    return WatchedName(
        text,
        forms,
        unspaced,
        read,
        acronyms,
        organisation,
        abbreviation,
        particles,
        glued,
        sounds=tuple(sound_keys(r | watched_stems(r) | g) for r, g in zip(near, glued, strict=True)),
        skeletons=tuple(skeletons(r | watched_stems(r) | g) for r, g in zip(near, glued, strict=True)),
        latin_sounds=tuple(sound_keys(r | watched_stems(r) | g) for r, g in zip(own, glued, strict=True)),
        latin_skeletons=tuple(skeletons(r | watched_stems(r) | g) for r, g in zip(own, glued, strict=True)),
        core=core,
        cognates=_cognates(words, own, organisation),
        foreign_cognates=_cognates(words, near, organisation) or _cognates(words, own, organisation),
        place=place,
        regnal=regnal,
        proper=_proper(words, forms, organisation),
        translation=translation_of(
            words, _LINKS, organisation, abbreviation or (words[0] if acronyms[:1] == (True,) else None)
        ),
        marked=tuple(doubled_form(w) for w in words),
        spoken=(" ".join(words), alone) if _personal(words, organisation) else None,
    )


# Lower-case words a person's name may hold (`Lula da Silva`, `Ursula von der Leyen`)
_NAME_PARTICLES = frozenset(
    {"da", "de", "di", "do", "dos", "das", "del", "della", "der", "den", "van", "von"}
    | {"bin", "ibn", "al", "el", "la", "le", "du", "ul", "ur"}
)


@lru_cache(maxsize=4096)
def _sound_index(text: str, words: str, alone: bool) -> SoundIndex:
    return SoundIndex([(text, words)], alone)


def _personal(words: list[str], organisation: bool) -> bool:
    """Whether a watch's name is a person's that another script writes as it sounds
    (monitor.entities.sounds): capitalised words or particles, no organisation, no initials
    (but a regnal number: `Elizabeth II`, which sounds.SoundIndex hears without it)."""
    if organisation or not words or any(_acronym(w) and not _ROMAN.fullmatch(w) for w in words):
        return False
    return all(w[:1].isupper() or w in _NAME_PARTICLES for w in words)


def _cognates(
    words: list[str], forms: list[frozenset[str]], organisation: bool
) -> tuple[frozenset[str], ...]:
    """The cognate keys of an organisation's words other than links (see `cognates`), or ()
    for another name, or one with a word in capitals or of one or two letters."""
    kept = [f for w, f in zip(words, forms, strict=True) if w.casefold() not in _LINKS]
    if not organisation or len(kept) < 2 or any(_acronym(w) for w in words):
        return ()
    keys = tuple(frozenset(cognate_key(f) for f in fs) for fs in kept)
    return keys if all(len(k) >= 3 for ks in keys for k in ks) else ()


# A regnal number (`XVI`, up to XXXIX), which Cyrillic texts may write with the look-alike
# letters Х and І (`ХVІ`: `hvi`).
_ROMAN = re.compile(r"(?=[IVX])X{0,3}(?:IX|IV|V?I{0,3})")
_ROMAN_LOOK_ALIKES = str.maketrans({"X": "Х", "I": "І"})


def _read(word: str, form: str) -> frozenset[str]:
    """The forms a name's word may take in a word of another alphabet (see `read_aloud`); a
    kh may be read as k there too (`Khan`: Bulgarian `Кан`), a ch as kh, as in words from
    Greek (`Christ`: `Христос`, `Michael`: `Михаил`), and an h as г, as Ukrainian and often
    Russian write it (`Hillary`: `Гілларі`, `Hamburg`: `Гамбург`); and as the letters sound
    (`_SOUNDED`)."""
    if not word.isascii():
        return frozenset({form})
    if _ROMAN.fullmatch(word):
        return frozenset({form, name_form(word.translate(_ROMAN_LOOK_ALIKES))})
    read = read_aloud(form)
    folded = word.casefold()
    for old, new in (("kh", "k"), ("ch", "kh"), ("h", "g")):
        if old in folded:
            read |= read_aloud(name_form(folded.replace(old, new)))
    sounded = {folded}
    for pattern, new in _SOUNDED:
        sounded |= {pattern.sub(new, spelling) for spelling in sounded}
    for spelling in sounded - {folded}:
        read |= read_aloud(name_form(spelling))
    return read


# Letters of a Latin spelling that another alphabet writes as they sound: c before e, i, y is
# s (`France`: `Франс`, `Pence`: `Пенс`), a final e after a consonant is silent (`Anne`:
# `Анн`), and so is a first h in Romance names (`Hidalgo`: `Идальго`, `Hollande`: `Олланд`).
_SOUNDED = (
    (re.compile(r"c(?=[eiy])"), "s"),
    (re.compile(r"(?<=[^aeiouy])e$"), ""),
    (re.compile(r"^h(?=[aeiou])"), ""),
)


def _proper(words: list[str], forms: tuple[str, ...], organisation: bool) -> WatchedName | None:
    """An organisation's name without the word for what it is that starts it (see `proper`)."""
    if not organisation or len(words) < 3 or forms[0] not in _ORGANISATION_WORDS or words[1] in _LINKS:
        return None
    rest = watched_name(" ".join(words[1:]))
    return replace(rest, abbreviation=None) if rest.organisation and rest.proper is None else None


def _country_adjective(ending: str) -> bool:
    """Whether what follows a country's name in a word makes its adjective: Slavic -sk- and
    an ending (`pakistanskii`), English -i (`Pakistani`)."""
    return (ending.startswith("sk") and len(ending) <= _COUNTRY_ADJECTIVE) or ending == "i"


def _core_and_place(words: list[str], organisation: bool) -> tuple[WatchedName | None, frozenset[str]]:
    """An organisation's name without the country that ends it (`Supreme Court of Pakistan`:
    `Supreme Court` and `Pakistan`), or (None, {}) for another name."""
    if not organisation or len(words) < 3 or name_form(words[-1]) not in country_forms():
        return None, frozenset()
    rest = words[:-1]
    while rest and rest[-1] in _LINKS:
        rest = rest[:-1]
    if len(rest) < 2:
        return None, frozenset()
    core = watched_name(" ".join(rest))
    if not core.organisation:
        return None, frozenset()
    last = name_form(words[-1])
    place = read_aloud(last) if words[-1].isascii() else frozenset({last})
    return replace(core, abbreviation=None), place


@lru_cache(maxsize=1)
def country_forms() -> frozenset[str]:
    """The forms of the countries' one-word English names, from pycountry's ISO 3166 list."""
    import pycountry

    names: set[str] = set()
    for country in pycountry.countries:
        for attribute in ("name", "common_name"):
            value = getattr(country, attribute, None)
            if value and len(value.split()) == 1:
                names.add(name_form(value))
    return frozenset(names)


def name_problem(text: str) -> str | None:
    """Why a watch cannot use this name, or None."""
    letters = sum(len(w) for w in _WORD.findall(text))
    if letters < _MIN_LETTERS and not (letters == 2 and _acronym(text.strip())):
        return f"{text!r} is too short to be matched as a name (3 letters, or capitals like EU)"
    if not any(watched_name(text).forms):
        return f"{text!r} holds no letter that can be matched"
    return None


# Where a word in one script runs into a capitalized word in another, a space was lost
# (`агентстваAssociated Press`): two words. Capitals alone (`ХVІ`) stay one word.
_GLUED = re.compile(r"(?<=[а-яёіїєґ])(?=[A-Z])|(?<=[a-z])(?=[А-ЯЁІЇЄҐ])")


def _spans(text: str) -> Iterator[tuple[int, int]]:
    """Where the text's words are (see `_WORD`, `_GLUED`)."""
    for match in _WORD.finditer(text):
        start, end = match.span()
        word = match.group(0)
        if word.isascii() or not any("A" <= ch <= "Z" or "a" <= ch <= "z" for ch in word):
            yield start, end
            continue
        for cut in _GLUED.finditer(word):
            yield start, match.start() + cut.start()
            start = match.start() + cut.start()
        yield start, end


@dataclass
class NameText:
    """An article's title and text, read once for every name of every watch."""

    words: list[str] = field(default_factory=list)
    by_stem: dict[str, list[int]] = field(default_factory=dict)  # stem -> indices of words
    unspaced: str = ""
    stems_at: list[frozenset[str]] = field(default_factory=list)  # per word: its stems
    foreign: list[bool] = field(default_factory=list)  # per word: transliterated from another alphabet
    allowed: frozenset[str] = frozenset()  # the case endings of the article's language
    spaced: list[bool] = field(default_factory=list)  # per word: only spaces since the one before
    capitals: frozenset[str] = frozenset()  # the words in capitals, but not in a line of them
    sounds_at: list[frozenset[str]] = field(default_factory=list)  # per word: its stems' sound keys
    by_sound: dict[str, list[int]] = field(default_factory=dict)  # sound key -> indices of words
    skeletons_at: list[frozenset[str]] = field(default_factory=list)  # per word: its stems' skeletons
    respelling: bool = False  # the language respells foreign names (forms.respells)
    _cognates_at: list[str] | None = None  # per word: its cognate key, once an organisation asks
    _by_cognate: dict[str, list[int]] | None = None  # a cognate key's first 3 letters -> words
    _by_opening: dict[str, list[tuple[int, str]]] | None = None  # a form's first letters -> words
    by_skeleton: dict[str, list[int]] = field(default_factory=dict)  # skeleton -> indices of words
    language: str | None = None
    concepts: TextConcepts | None = None  # the words as the lexicon reads them, once a name asks
    sounding: str = ""  # the text, where it holds a script without capitals (monitor.entities.sounds)
    _spans: SoundSpans | None = None  # its spans that may be names there, read once a name asks

    @classmethod
    def of(cls, *texts: str | None, language: str | None = None) -> NameText:
        """The words of the texts; `language` (the article's) decides which endings count."""
        joined = "\n".join(t for t in texts if t)
        spans = list(_spans(joined))
        words = [joined[start:end] for start, end in spans]
        spaced = [
            index > 0 and joined[spans[index - 1][1] : start] in (" ", "\xa0")
            for index, (start, _) in enumerate(spans)
        ]
        by_stem: dict[str, list[int]] = {}
        allowed = endings(language)
        stems_at = []
        sounds_at = []
        by_sound: dict[str, list[int]] = {}
        skeletons_at = []
        by_skeleton: dict[str, list[int]] = {}
        loose_latin = respells(language)
        foreign = [not w.isascii() and transliterable(w) and not latin(w) for w in words]
        for index, word in enumerate(words):
            found = stems(name_form(word), allowed)
            for form in local_forms(word, language):
                found |= stems(form, allowed)
            stems_at.append(found)
            for stem in found:
                by_stem.setdefault(stem, []).append(index)
            # Sound keys and skeletons: for a word of another alphabet, or a Latin word where the
            # language respells foreign names (forms.respells)
            loose = _cased(word) and (loose_latin or foreign[index])
            sounds = sound_keys(found) if loose else frozenset()
            sounds_at.append(sounds)
            for key in sounds:
                by_sound.setdefault(key, []).append(index)
            shapes = skeletons(found) if loose else frozenset()
            skeletons_at.append(shapes)
            for key in shapes:
                by_skeleton.setdefault(key, []).append(index)
        unspaced = "".join(joined.casefold().split()) if _UNSPACED.search(joined) else ""
        text = cls(words, by_stem, unspaced, stems_at, foreign, allowed, spaced)
        text.respelling, text.language = loose_latin, language
        text.sounding = joined if sounded(joined) else ""
        text.sounds_at, text.by_sound = sounds_at, by_sound
        text.skeletons_at, text.by_skeleton = skeletons_at, by_skeleton
        text.capitals = frozenset(
            w for i, w in enumerate(words) if len(w) >= 2 and w.isupper() and not text._shouting(i)
        )
        return text

    def _stems_of(self, forms: frozenset[str]) -> frozenset[str]:
        """The stems a text's word may have to be a name's word: the word, and where the
        article's language inflects, the word without its final vowel (`Asia`, `Asię`: `asi`)."""
        if not self.allowed:
            return forms
        return forms | watched_stems(forms)

    def _is(self, index: int, name: WatchedName, k: int) -> bool:
        """Whether the text's word at `index` is the name's word `k`, maybe inflected."""
        if name.acronyms and name.acronyms[k]:
            word = self.words[index]
            return word.isupper() and name.forms[k] in self.stems_at[index] and not self._shouting(index)
        forms = name.read[k] if self.foreign[index] else frozenset({name.forms[k]})
        if name.glued:
            forms = forms | name.glued[k]
        shared = self._stems_of(forms) & self.stems_at[index]
        if not shared:
            # Spelled as another transliteration spells it (`Мухаммеда`, `Mohameda`: Muhammad)
            keys = name.sounds if self.foreign[index] else name.latin_sounds
            heard = keys[k] & self.sounds_at[index] if keys else frozenset()
            shared = frozenset(s for s in self.stems_at[index] if heard and sound_key(s) in heard)
        return bool(shared) and _doubles_fit(self, index, name, k, max(map(len, shared)))

    def _shouting(self, index: int) -> bool:
        """Whether the word is among other words in capitals (a headline in capitals)."""
        near = self.words[max(0, index - 1) : index] + self.words[index + 1 : index + 2]
        return any(len(w) > 1 and w.isupper() for w in near)

    def _ends_of(self, name: WatchedName) -> list[int]:
        last = len(name.forms) - 1
        candidates: set[int] = set()
        for form in self._stems_of(name.read[last]):
            candidates.update(self.by_stem.get(form, ()))
        for key in name.sounds[last] | name.latin_sounds[last] if name.sounds else ():
            candidates.update(self.by_sound.get(key, ()))
        return sorted(i for i in candidates if self._is(i, name, last))

    def _like(self, index: int, name: WatchedName, k: int) -> bool:
        """Whether the text's word at `index` has the consonants of the name's word `k`, with
        vowels where it has them (`Mulúk` for `Malook`): said of a word next to another of the
        name spelled as the name spells it."""
        if name.acronyms and name.acronyms[k]:
            return False
        keys = name.skeletons if self.foreign[index] else name.latin_skeletons
        like = _cased(self.words[index]) and bool(keys) and not keys[k].isdisjoint(self.skeletons_at[index])
        return like and _doubles_fit(self, index, name, k, len(name_form(self.words[index])))

    def _start_of(self, end: int, name: WatchedName, loose: bool = False) -> int | None:
        """Where the name's words end at `end` one after the other, the index of the first:
        a particle of the name may be spelled otherwise or left out, and a particle the name
        does not write may stand between its words (`Saif-ul-Muluk` for `Saif Muluk`). With
        `loose`, a word may be only like the name's (`_like`) where another is the name's."""

        def fits(index: int, k: int) -> bool:
            return self._is(index, name, k) or (loose and self._like(index, name, k))

        at = end
        k = len(name.forms) - 2
        exact = self._is(end, name, k + 1)
        while k >= 0:
            if name.particles and name.particles[k]:
                if at > 0 and (self._is(at - 1, name, k) or self._particle(at - 1)):
                    at -= 1
                k -= 1
                continue
            if at > 0 and not fits(at - 1, k) and self._particle(at - 1):
                at -= 1
            if at == 0 or not fits(at - 1, k):
                return None
            at -= 1
            exact = exact or self._is(at, name, k)
            k -= 1
        return at if exact else None

    def _rows_like(self, name: WatchedName, ends: list[int]) -> bool:
        """Whether the name's words occur in a row, one of them as the name spells it and the
        others maybe only like it (`_like`); `ends` are where its last word is."""
        last = len(name.forms) - 1
        if last < 1 or name.organisation or not name.skeletons:
            return False
        candidates: set[int] = set(ends)
        for key in name.skeletons[last] | name.latin_skeletons[last]:
            candidates.update(self.by_skeleton.get(key, ()))
        for end in sorted(candidates):
            if _row_found(self, name, self._start_of(end, name, loose=True), end):
                return True
        return False

    def _particle(self, index: int) -> bool:
        word = self.words[index]
        short = len(word) == 1 or (len(word) <= _MAX_PARTICLE and name_form(word) in _PARTICLE_FORMS)
        return word.islower() and short

    def _names_place(self, name: WatchedName) -> bool:
        """Whether the text names the country of an organisation named after it, maybe
        inflected (`Pakistanu`, `Пакистана`)."""
        own = self._stems_of(frozenset({name.forms[-1]}))
        read = self._stems_of(name.place)
        if any(
            not (read if self.foreign[i] else own).isdisjoint(self.stems_at[i])
            for stem in read
            for i in self.by_stem.get(stem, ())
        ):
            return True
        # or by its adjective: the name with -sk- and an ending (`Пакистанският`, `pakistański`)
        # or an English -i (`Pakistani`)
        if self._by_opening is None:
            self._by_opening = {}
            for index, word in enumerate(self.words):
                form = name_form(word)
                self._by_opening.setdefault(form[:_COUNTRY_OPENING], []).append((index, form))
        countries = (name.place, frozenset({name.forms[-1]}))
        return any(
            form.startswith(country) and _country_adjective(form[len(country) :])
            for opening in {c[:_COUNTRY_OPENING] for c in countries[0] | countries[1]}
            for index, form in self._by_opening.get(opening, ())
            for country in countries[0 if self.foreign[index] else 1]
        )

    def _other_first_name(self, name: WatchedName, ends: list[int]) -> bool:
        """Whether the surname follows another capitalised word somewhere in the text (`Bill
        Clinton` when the name is `Hillary Clinton`): then the surname alone is not enough."""
        own = frozenset().union(*(self._stems_of(read) for read in name.read[:-1] + name.glued))
        own_sounds = frozenset().union(*name.sounds[:-1], *name.latin_sounds[:-1])
        own_skeletons = frozenset().union(*name.skeletons[:-1], *name.latin_skeletons[:-1])
        own_consonants = frozenset(consonants(f) for f in name.forms[:-1]) - {""}
        for end in ends:
            if not self.spaced[end]:
                continue
            before = self.words[end - 1]
            if not _cased(before) or before.isupper():
                continue
            if end > 1 and self.spaced[end - 1] and self._is(end - 2, name, 0):
                continue  # a middle name (`Fawad Ahmed Chaudhry`)
            stems_before = self.stems_at[end - 1]
            if (
                stems_before.isdisjoint(own)
                and stems_before.isdisjoint(_NOT_FIRST_NAMES)
                and self.sounds_at[end - 1].isdisjoint(own_sounds)
                and self.skeletons_at[end - 1].isdisjoint(own_skeletons)
                and consonants(name_form(before)) not in own_consonants
            ):
                if self._is(end - 1, name, len(name.forms) - 1):
                    continue  # the surname twice
                return True
        return False

    def _cognate_row(self, name: WatchedName) -> bool:
        """Whether an organisation's words borrowed from Latin occur next to one another in
        any order, as another language spells and inflects them (`Parlamentu Europejskiego`,
        `Европейския парламент` for European Parliament), one of them capitalized: in a
        language that respells names, or in words of another alphabet."""
        if not self.respelling and not any(self.foreign):
            return False
        if self._cognates_at is None or self._by_cognate is None:
            self._cognates_at = [cognate_key(name_form(w)) for w in self.words]
            self._by_cognate = {}
            for index, key in enumerate(self._cognates_at):
                self._by_cognate.setdefault(key[:COGNATE_LETTERS], []).append(index)
        keys_at = self._cognates_at
        size = len(name.cognates)
        firsts = {key[:COGNATE_LETTERS] for key in name.cognates[0] | name.foreign_cognates[0]}
        ats = sorted({i for first in firsts for i in self._by_cognate.get(first, ())})
        starts = sorted({s for i in ats for s in range(max(0, i - size + 1), i + 1)})
        for start in starts:
            if start + size > len(self.words):
                break
            window = range(start, start + size)
            if not all(self.spaced[i] for i in window[1:]) or not any(_cased(self.words[i]) for i in window):
                continue
            if not all(self.respelling or self.foreign[i] for i in window):
                continue
            unmatched = list(range(size))
            for i in window:
                keys = name.foreign_cognates if self.foreign[i] else name.cognates
                k = next((k for k in unmatched if any(cognate(key, keys_at[i]) for key in keys[k])), None)
                if k is None:
                    break
                unmatched.remove(k)
            if not unmatched:
                return True
        return False

    def _alone(self, name: WatchedName) -> bool:
        """Whether the name's words occur in a row, capitalized, with no capitalized word after
        them (the name of a king or a pope without its number, not a first name)."""
        for end in self._ends_of(name):
            start = self._start_of(end, name)
            after = end + 1 < len(self.words) and self.spaced[end + 1] and _cased(self.words[end + 1])
            if start is not None and _cased(self.words[start]) and not after:
                return True
        return False

    def has(self, name: WatchedName) -> bool:
        """Whether the name's words occur in a row (inflected, one of them capitalized), or
        its surname alone, capitalized, where no other first name goes with it."""
        if name.unspaced is not None:
            return bool(self.unspaced) and name.unspaced in self.unspaced
        if not name.forms:
            return False
        if _heard(self, name):
            return True
        if name.abbreviation is not None and name.abbreviation in self.capitals:
            return True
        head = len(name.forms) - 1
        words = self.words
        ends = self._ends_of(name)
        for end in ends:
            if _row_found(self, name, self._start_of(end, name), end):
                return True
        if name.proper is not None and self.has(name.proper):
            return True
        if name.regnal is not None and self._alone(name.regnal):
            return True
        if name.core is not None and self._names_place(name) and self.has(name.core):
            return True
        if self._rows_like(name, ends):
            return True
        if name.cognates and self._cognate_row(name):
            return True
        if name.translation is not None and _translated(self, name, name.translation):
            return True
        if head and not name.alone:
            return False
        cased = [end for end in ends if _cased(words[end])]
        alone = [e for e in cased if not ((head and _opens_another(self, e)) or _placed_alone(self, name, e)
                                          or (not name.organisation and _before_a_surname(self, e)))]
        return bool(alone) and not (head and self._other_first_name(name, cased))


def _heard(text: NameText, name: WatchedName) -> bool:
    """Whether a person's Latin name sounds in the text's words of a script without capitals
    (monitor.entities.sounds), the text's spans read once for every name."""
    if not text.sounding or name.heard is None:
        return False
    if text._spans is None:
        text._spans = sound_spans(text.sounding, text.language)
    return bool(name.heard.find_in(text._spans))


def _doubles_fit(text: NameText, index: int, name: WatchedName, k: int, letters: int) -> bool:
    """Whether the text's word, the name's word `k` by its first `letters` (its stem), doubles
    no letter the name's word does not: a doubled or an added letter makes another surname
    (`Andersson`, `Андерссон` are not Anderson; `Phillips` is not Philips). A Latin word of a
    language that keeps foreign spellings doubles the same letters (Philips is not Phillips);
    a word of another alphabet, or of a language that respells names (forms.respells), may
    leave doubles out (`Асад`, `Asad`: Assad). The stem's last letter is left out, where an
    ending may repeat it (`Asii` for Asia)."""
    if not name.marked or name.organisation:
        return True
    written = doubled(doubled_form(text.words[index]), letters - 1)
    if text.foreign[index] or text.respelling or not latin_written(text.language):
        left = iter(doubled(name.marked[k], len(name.marked[k])))
        return all(letter in left for letter in written)
    return written == doubled(name.marked[k], letters - 1)


def _row_found(text: NameText, name: WatchedName, start: int | None, end: int) -> bool:
    """Whether the name's words, found in a row from `start` to `end`, are its mention: one of
    them capitalized, and for a person, not inside a place's name (`Jackson Heights`)."""
    if start is None or not any(_cased(text.words[i]) for i in range(start, end + 1)):
        return False
    return name.organisation or not (_in_place_name(text, start, end)
                                      or (start == end and _before_a_surname(text, end)))


def _placed_alone(text: NameText, name: WatchedName, end: int) -> bool:
    """Whether the surname at `end`, maybe after the rest of the name, is inside a place's
    name (`Anderson Springs`; `Rue Victor Hugo` for the surname of Victor Hugo)."""
    start = text._start_of(end, name)
    return _in_place_name(text, end if start is None else start, end)


def _in_place_name(text: NameText, start: int, end: int) -> bool:
    """Whether the words from `start` to `end` are inside a place's name: a capitalized place
    word right after them (`Anderson Springs`) or right before them (`Lake Jackson`)."""
    words, spaced = text.words, text.spaced
    after = end + 1 < len(words) and spaced[end + 1] and words[end + 1]
    before = start > 0 and spaced[start] and words[start - 1]
    return bool(
        (after and after[0].isupper() and name_form(after) in _PLACE_AFTER)
        or (before and before[0].isupper() and name_form(before) in _PLACE_BEFORE)
    )


def _opens_another(text: NameText, index: int) -> bool:
    """Whether the word opens another name, a capitalized word after it (`Ашик Масих`, Ashiq
    Masih, is not Eisham Ashiq): where the language does not capitalize a headline's words."""
    after = index + 1
    if text.language in (None, "en") or after >= len(text.words) or not text.spaced[after]:
        return False
    return _cased(text.words[after]) and not text.words[after].isupper()


def _before_a_surname(text: NameText, index: int) -> bool:
    """Whether the word is another person's first name in English, where headlines
    capitalize every word, so that a capitalized word after it says nothing alone
    (`_opens_another` reads other languages): it opens a run of capitalized words (not an
    acronym, not inside a run), and the capitalized word right after it the text also writes
    alone, not after a capitalized word (`Anderson Cooper` ... `Cooper said`). Not in other
    languages: Slavic news runs a photo credit into the next sentence (`Снимка: Ройтерс
    Франция е готова`), where as many true mentions would be lost as false ones (bsnlp-dev)."""
    after = index + 1
    if text.language not in (None, "en") or after >= len(text.words) or not text.spaced[after]:
        return False
    if text.words[index].isupper():
        return False
    if index > 0 and text.spaced[index] and _cased(text.words[index - 1]):
        return False
    following = text.words[after]
    if not _cased(following) or following.isupper() or name_form(following) in _NOT_FIRST_NAMES:
        return False
    return any(
        word == following and j != after and not (text.spaced[j] and _cased(text.words[j - 1]))
        for j, word in enumerate(text.words)
    )


def _translated(text: NameText, name: WatchedName, translation: Translation) -> bool:
    """Whether the text holds the name as another language translates it (monitor.watches.translated)."""
    if text.concepts is None:
        text.concepts = TextConcepts.of(text.words, text.language)
    return translated_in(
        translation, text.concepts, text.words, text.spaced, text.capitals, lambda i, k: text._is(i, name, k)
    )


def mentions(names: Sequence[WatchedName], text: NameText) -> tuple[str, ...]:
    """The names (as the watch writes them) that the text mentions."""
    return tuple(name.text for name in names if text.has(name))
