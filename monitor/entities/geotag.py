"""The places of an article in any language and script.

`geotag` is the one call the rest of monitor makes: candidate spans of the title and text
(`placenames`), their readings in the gazetteer (`gazetteer`, the only I/O), and the pure
decision among them (`places`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence

from monitor.entities.gazetteer import Gazetteer, PlaceRecord, open_gazetteer
from monitor.entities.names import names_in
from monitor.entities.personwords import person_name_words
from monitor.entities.placelike import people_and_organisations
from monitor.entities.placenames import MAX_TEXT_CHARS, Candidate, find_candidates
from monitor.entities.placephrases import phrase_candidates, phrase_starts
from monitor.entities.places import NOT_FIRST_NAMES, Geotag, PlaceMention, resolve_places

__all__ = ["Gazetteer", "Geotag", "PlaceMention", "PlaceRecord", "geotag", "open_gazetteer"]

_WORD = re.compile(r"[^\W\d_]+")


def _word_evidence(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """Words the text writes in lower case, and surnames: capitalised words it uses both right
    after a capitalised word (not an acronym, a little word or a qualifier: "Marco Rubio",
    not "CTV Winnipeg", "The Hague", "New York") and alone ("Rubio said")."""
    lowercase: set[str] = set()
    after_name: set[str] = set()
    alone: set[str] = set()
    previous = ""
    previous_end = -2
    for match in _WORD.finditer(text):
        word = match.group()
        if word.islower():
            lowercase.add(word)
        elif word[:1].isupper():
            joined = match.start() == previous_end + 1 and previous[:1].isupper()
            if not joined:
                alone.add(word)
            elif not previous.isupper() and previous.casefold() not in NOT_FIRST_NAMES:
                after_name.add(word)
        previous, previous_end = word, match.end()
    return frozenset(lowercase), frozenset(after_name & alone)


def _in_title(candidate: Candidate) -> Candidate:
    # Headlines capitalise most words: no person guard from the neighbouring words there.
    return dataclasses.replace(candidate, previous_word="", next_word="",
                               sentence_initial=False, in_title=True)


def geotag(
    gazetteer: Gazetteer,
    text: str,
    *,
    title: str = "",
    language: str | None = None,
    feed_country: str | None = None,
    names: Iterable[Sequence[str]] | None = None,
) -> Geotag:
    """The places of an article: title and text (the first MAX_TEXT_CHARS of it).

    `names` are the spellings of each name the article names (the names stage's variants);
    found here when not given. Mentions carry offsets into the text, or into the title when
    `in_title`.
    """
    body = text[:MAX_TEXT_CHARS]
    title = title[:1000]
    title_starts, body_starts = phrase_starts(title), phrase_starts(body)
    phrases = gazetteer.phrases(title_starts.heads | body_starts.heads)
    candidates = [_in_title(c) for c in find_candidates(title, language, max_run=None)
                  + phrase_candidates(title_starts, phrases, language)]
    candidates += find_candidates(body, language) + phrase_candidates(body_starts, phrases, language)
    found = gazetteer.lookup(key for candidate in candidates for key in candidate.keys)
    lowercase, surnames = _word_evidence(body)
    if names is None:  # as the names stage stores them: no places or peoples
        names = [n.variants for n in people_and_organisations(names_in(title, text, language), gazetteer,
                                                              language)]
    names = list(names)
    return resolve_places(candidates, found, feed_country=feed_country,
                          lowercase_words=lowercase, surnames=surnames,
                          person_words=person_name_words(names, title, body),
                          name_spellings=frozenset(s.casefold() for n in names for s in n),
                          language=language)
