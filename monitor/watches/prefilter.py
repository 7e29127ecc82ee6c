"""Pure: which stored articles a backfill must read for a watch, decided without reading them.

A backfill reads only the articles that could match, then runs the same matcher as the stage
on them, so that its matches are the stage's. The candidates are found in the full-text index:

- `query`: every match holds one of the query's positive terms (those not under a NOT; a
  query of only NOTs is refused by the parser). One word stands for each term (a phrase's
  longest word), and the index's tokens that fold to it (`Zürich`, `ZURICH`; `Горбачёв` for
  `горбачев`) are looked up. A term in a script written without spaces, or with `_`, cannot
  be looked up by tokens: then the watch has no query prefilter.
- `names`: every match holds a word that is the name's last word or an inflected form of it
  (monitor.watches.names: any name, maybe inflected or read into another alphabet), or a word
  with its sound key or skeleton (`Мухаммеда` for `Muhammad`, `Mulúk` for `Malook`); the
  index's tokens that give that form (`путин`, `putina` for `Putin`) or key are looked up; an
  organisation found by its borrowed words in any order (`Parlamentu Europejskiego`) also by
  the first letters of its first word's cognate key; one the lexicon translates
  (monitor.watches.translated) also by the stems of its words in every language
  (`najwyższ`, `верховн`) and what languages write for its initials (`ООН`). A name in a
  script written without spaces cannot be looked up by tokens.
- a person's name that is heard in scripts without capitals (monitor.entities.sounds: 普京,
  پوتین, 푸틴 for `Putin`): every article holding a letter of those scripts, found by the
  index's tokens that start with one (ranges of terms, `sounded_term_ranges`) or hold one
  (`sounded_tokens`), as the matcher reads such an article whole; the others stay unread.
- `about`: the stored vectors, compared in bulk (numpy), a little below the threshold.

The index's tokens are whole runs of letters and digits, lower-cased, Latin accents removed;
the matcher's words are runs of word characters of the folded text (query) or runs of
letters (names). Each token is split and folded as the matcher would, so a token stands for
every matcher word inside it. (Not covered: a word glued to a symbol that folds to letters,
like `Apple™`, which the matcher reads as `appletm`.)
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from monitor.entities.forms import (
    cognate_key,
    every_local_form,
    name_form,
    skeletons,
    sound_keys,
    stems,
    watched_stems,
)
from monitor.entities.lexicon import MAX_ENDING, concept_stems
from monitor.entities.sounds import sounded
from monitor.watches.matcher import CompiledWatch
from monitor.watches.query import _UNSPACED, fold, positive_terms
from monitor.watches.watched import COGNATE_LETTERS, WatchedName

_QUERY_WORD = re.compile(r"\w+")  # as query.Document splits the folded text
_LETTERS = re.compile(r"[^\W\d_]+")  # as monitor.watches.names splits a text
ABOUT_MARGIN = 1e-3  # bulk dot products may differ from one dot product in the last bits


@dataclass(frozen=True)
class Plan:
    """What to look up for one watch. A part is None when the watch has it but it cannot be
    looked up (the backfill then reads every article of its window)."""

    words: frozenset[str] | None = frozenset()  # folded words that must be found whole
    prefixes: tuple[str, ...] = ()  # folded prefixes (`klima*`)
    name_stems: frozenset[str] | None = frozenset()  # forms a word may have with an ending
    name_words: frozenset[str] = frozenset()  # forms a word must have as it is
    name_sounds: frozenset[str] = frozenset()  # sound keys a word's stems may have
    name_skeletons: frozenset[str] = frozenset()  # skeletons a word's stems may have
    name_cognates: frozenset[str] = frozenset()  # first letters of a word's cognate key
    name_concepts: frozenset[str] = frozenset()  # stems of translated words (monitor.entities.lexicon)
    heard: bool = False  # a name heard in scripts without capitals: every article written in one
    about: bool = False

    @property
    def possible(self) -> bool:
        return self.words is not None and self.name_stems is not None

    @property
    def looks_up_tokens(self) -> bool:
        return bool(self.words or self.prefixes or self.name_stems or self.name_words)


def plan_for(watch: CompiledWatch) -> Plan:
    words: set[str] = set()
    prefixes: list[str] = []
    query_possible = True
    if watch.tree is not None:
        for term in positive_terms(watch.tree):
            if not term.words or any("_" in w or _UNSPACED.search(w) for w in term.words):
                query_possible = False
                break
            head = term.words[:-1]
            if head:  # a phrase: its longest whole word is in every match
                words.add(max(head, key=len))
            elif term.prefix:
                prefixes.append(term.words[-1])
            else:
                words.add(term.words[-1])
    ends: set[str] = set()
    whole: set[str] = set()
    sounds: set[str] = set()
    shapes: set[str] = set()
    cognates: set[str] = set()
    concepts: set[str] = set()
    names_possible = True
    for name in watch.names:
        if name.unspaced is not None or not name.forms or not all(name.forms):
            names_possible = False
            break
        # The last word, maybe inflected or read into another alphabet, is in every match.
        last = name.read[-1] if name.read else frozenset({name.forms[-1]})
        ends.update(last | watched_stems(last))
        if name.sounds:
            sounds.update(name.sounds[-1] | name.latin_sounds[-1])
            if len(name.forms) > 1 and not name.organisation:  # a row's last word may be only like it
                shapes.update(name.skeletons[-1] | name.latin_skeletons[-1])
        if name.regnal is not None:  # or the name without its regnal number
            plain = name.regnal.read[-1]
            ends.update(plain | watched_stems(plain))
        if name.cognates:  # or its first word as another language borrowed it (any order)
            cognates.update(k[:COGNATE_LETTERS] for k in name.cognates[0] | name.foreign_cognates[0])
        if name.abbreviation is not None:
            whole.add(name_form(name.abbreviation))  # or its initials in capitals
        for translated in (name.translation, name.core.translation if name.core else None):
            if translated is not None:  # or as another language translates it
                concepts.update(*translated.concepts)
                whole.update(name_form(short) for short in translated.short)
    return Plan(
        words=frozenset(words) if query_possible else None,
        prefixes=tuple(sorted(set(prefixes))),
        name_stems=frozenset(ends) if names_possible else None,
        name_words=frozenset(whole),
        name_sounds=frozenset(sounds),
        name_skeletons=frozenset(shapes),
        name_cognates=frozenset(cognates),
        name_concepts=concept_stems(frozenset(concepts)) if concepts else frozenset(),
        heard=any(_hears(name) for name in watch.names),
        about=watch.about is not None,
    )


def _hears(name: WatchedName) -> bool:
    """Whether the matcher may hear the name, or a name it stands for, in a script without
    capitals (monitor.watches.names: `_heard`)."""
    written = name.translation is not None and bool(name.translation.written)  # `联合国` for UN
    return name.spoken is not None or written or any(
        part is not None and _hears(part) for part in (name.core, name.proper, name.regnal)
    )


@cache
def _sounded_letters() -> frozenset[str]:
    """The characters of the scripts the matcher hears names in, and their lower case (the
    index folds case: Georgian Ⴀ is written ⴀ there). Those scripts are in the Basic
    Multilingual Plane (a test reads every plane)."""
    plane = array("I", range(0x10000)).tobytes().decode("utf-32-le", "surrogatepass")
    letters: set[str] = set()
    for start in range(0, len(plane), 256):  # a block at a time: most hold none
        block = plane[start : start + 256]
        if sounded(block):
            letters.update(c for c in block if sounded(c))
    return frozenset(letters | {c.lower() for c in letters if len(c.lower()) == 1})


@cache
def sounded_term_ranges() -> tuple[tuple[str, str], ...]:
    """[low, high) bounds of the index's terms that start with a letter of those scripts (one
    range per run of consecutive code points: a dozen or so)."""
    points = sorted(ord(c) for c in _sounded_letters())
    ranges: list[tuple[int, int]] = []
    for point in points:
        if ranges and ranges[-1][1] == point:
            ranges[-1] = (ranges[-1][0], point + 1)
        else:
            ranges.append((point, point + 1))
    return tuple((chr(low), chr(high)) for low, high in ranges)


def sounded_tokens(vocabulary: Iterable[str]) -> list[str]:
    """The index's tokens that hold a letter of those scripts after another letter (`putin普京`):
    the ones `sounded_term_ranges` does not cover."""
    letters = _sounded_letters()
    return [t for t in vocabulary if t[:1] not in letters and not letters.isdisjoint(t)]


# An index token's letters change script where the matcher may find two words glued together
# (monitor.watches.names: `агентстваassociated`); the pieces are read as well as the whole.
_SCRIPT_CHANGE = re.compile(r"(?<=[а-яёіїєґ])(?=[a-z])|(?<=[a-z])(?=[а-яёіїєґ])")


def _runs(token: str) -> list[str]:
    runs = _LETTERS.findall(token)
    return runs + [piece for run in runs for piece in _SCRIPT_CHANGE.split(run) if piece != run]


def _starts_with_stem(form: str, stems: frozenset[str]) -> bool:
    """Whether the form is one of the stems with at most `MAX_ENDING` letters more."""
    return any(form[: len(form) - cut] in stems for cut in range(min(MAX_ENDING, len(form)) + 1))


def tokens_to_read(plan: Plan, vocabulary: Iterable[str]) -> list[str]:
    """The index's tokens whose articles may match: they hold a word or prefix of the
    query, or a form of a name's word."""
    words = plan.words or frozenset()
    prefixes = plan.prefixes
    ends = plan.name_stems or frozenset()
    whole = plan.name_words
    sounds, shapes = plan.name_sounds, plan.name_skeletons
    cognates = plan.name_cognates
    translated = plan.name_concepts
    keys = sounds | shapes | cognates | translated
    initials = {form[0] for form in ends | whole if form}
    found = []
    for token in vocabulary:
        if words or prefixes:
            folded = [token] if token.isascii() and token.isalnum() else _QUERY_WORD.findall(fold(token))
            if any(w in words or w.startswith(prefixes) for w in folded):
                found.append(token)
                continue
        if ends or whole:
            for run in _runs(token):
                if not keys and run.isascii() and "ch" not in run and name_form(run[:2])[:1] not in initials:
                    continue  # an ASCII word's form starts as its first two letters' does
                form = name_form(run)
                found_stems = stems(form).union(*(stems(f) for f in every_local_form(run)))
                if (
                    form in whole
                    or (ends and not ends.isdisjoint(found_stems))
                    or (sounds and not sounds.isdisjoint(sound_keys(found_stems)))
                    or (shapes and not shapes.isdisjoint(skeletons(found_stems)))
                    or (cognates and cognate_key(form)[:COGNATE_LETTERS] in cognates)
                    or (translated and _starts_with_stem(form, translated))
                ):
                    found.append(token)
                    break
    return found
