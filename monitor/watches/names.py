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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

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
    respells,
    skeletons,
    sound_key,
    sound_keys,
    stems,
    transliterable,
    watched_stems,
)
from monitor.entities.kanji import read_names, reads_as
from monitor.entities.sounds import SoundIndex, SoundSpans, sound_spans, sounded
from monitor.watches.translated import TextConcepts, Translation, translated_in, written_in
from monitor.watches.watched import (
    _COUNTRY_OPENING,
    _MAX_PARTICLE,
    _NOT_FIRST_NAMES,
    _PARTICLE_FORMS,
    _PLACE_AFTER,
    _PLACE_BEFORE,
    _UNSPACED,
    _WORD,
    COGNATE_LETTERS,
    WatchedName,
    _cased,
    _country_adjective,
    name_problem,
    watched_name,
)

__all__ = [
    "ALL_ENDINGS",
    "COGNATE_LETTERS",
    "NameText",
    "WatchedName",
    "hear_all",
    "mentions",
    "name_form",
    "name_problem",
    "sound_index",
    "stems",
    "watched_name",
]

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
    heard: frozenset[str] | None = None  # the watched names heard there, when asked for all at once

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
    (monitor.entities.sounds), the text's spans read once for every name; or is the reading
    of a Japanese name in kanji there (安倍晋三: monitor.entities.kanji), read once a text."""
    if not text.sounding or name.heard is None:
        return False
    if reads_as(read_names(text.sounding, text.language), name.forms):
        return True
    if text.heard is not None:
        return name.text in text.heard
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
    if translation.written and text.sounding and written_in(translation.written, text.sounding):
        return True
    if text.concepts is None:
        text.concepts = TextConcepts.of(text.words, text.language)
    return translated_in(
        translation, text.concepts, text.words, text.spaced, text.capitals, lambda i, k: text._is(i, name, k)
    )


def mentions(names: Sequence[WatchedName], text: NameText) -> tuple[str, ...]:
    """The names (as the watch writes them) that the text mentions."""
    return tuple(name.text for name in names if text.has(name))


def sound_index(names: Iterable[WatchedName]) -> SoundIndex:
    """One index that hears every person's name of `names` (many watches') in scripts without
    capitals, to be asked once an article (`hear_all`) instead of once a watch."""
    return SoundIndex.joined(name.heard for name in names if name.heard is not None)


def hear_all(text: NameText, index: SoundIndex) -> None:
    """Read the text once for every name of `index` (from `sound_index`): `mentions` then
    looks the names up instead of searching the text for each."""
    if text.sounding and index:
        if text._spans is None:
            text._spans = sound_spans(text.sounding, text.language)
        text.heard = index.heard_keys(text._spans)

