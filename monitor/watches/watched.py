"""A watch's name as the matcher reads it (monitor.watches.names): its words, their forms in
every script, its surname, whether it is a person's or an organisation's, and the sound index
that finds it in scripts without capitals. Pure: a name's text in, a WatchedName out."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from monitor.entities.forms import (
    cognate_key,
    doubled_form,
    name_form,
    read_aloud,
    skeletons,
    sound_keys,
    watched_stems,
)
from monitor.entities.sounds import SoundIndex
from monitor.watches.translated import Translation, translation_of

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
        spoken=(" ".join(words), alone) if _personal(text, words, organisation) else None,
    )


# Lower-case words a person's name may hold (`Lula da Silva`, `Ursula von der Leyen`)
_NAME_PARTICLES = frozenset(
    {"da", "de", "di", "do", "dos", "das", "del", "della", "der", "den", "van", "von"}
    | {"bin", "ibn", "al", "el", "la", "le", "du", "ul", "ur"}
)


@lru_cache(maxsize=512)
def _sound_index(text: str, words: str, alone: bool) -> SoundIndex:
    return SoundIndex([(text, words)], alone)


def _personal(text: str, words: list[str], organisation: bool) -> bool:
    """Whether a watch's name is a person's that another script writes as it sounds
    (monitor.entities.sounds): capitalised words, particles or the second part of a hyphened
    given name (`Lee Jae-myung`), no organisation, no initials (but a regnal number:
    `Elizabeth II`, which sounds.SoundIndex hears without it)."""
    if organisation or not words or any(_acronym(w) and not _ROMAN.fullmatch(w) for w in words):
        return False
    hyphened = {m.group(1) for m in re.finditer(r"(?<=[^\W\d_]-)([^\W\d_]+)", text)}
    return all(w[:1].isupper() or w in _NAME_PARTICLES or w in hyphened for w in words)


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
