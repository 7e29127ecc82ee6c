"""The places of an article in any language and script.

`geotag` is the one call the rest of monitor makes: candidate spans of the title and text
(`placenames`), their readings in the gazetteer (`gazetteer`, the only I/O), and the pure
decision among them (`places`).
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence

from monitor.entities.gazetteer import Gazetteer, PlaceRecord, open_gazetteer
from monitor.entities.names import names_in
from monitor.entities.personwords import person_name_words
from monitor.entities.placelike import people_and_organisations
from monitor.entities.placenames import MAX_TEXT_CHARS, Candidate, find_candidates
from monitor.entities.placephrases import phrase_candidates, phrase_starts
from monitor.entities.places import NOT_FIRST_NAMES, Geotag, PlaceMention, resolve_places

__all__ = ["Gazetteer", "Geotag", "PlaceMention", "PlaceRecord", "geotag", "open_gazetteer", "spans"]

# Words are the text's longest runs of letters.
_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]+")


def _places_of_word(text: str, word: str) -> Iterator[int]:
    """Where `text` writes `word` (a run of letters) as a whole word."""
    at = text.find(word)
    while at >= 0:
        if not (at and _LETTER.match(text, at - 1)) and not _LETTER.match(text, at + len(word)):
            yield at
        at = text.find(word, at + 1)


class _WordAnswers(Container[str]):
    """A question about a text's words, asked word by word: `resolve_places` asks it of a few
    words, fewer than the text's (a search of the text for each, and the answers kept, costs
    less than reading every word)."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._answers: dict[object, bool] = {}

    def __contains__(self, word: object) -> bool:
        answer = self._answers.get(word)
        if answer is None:
            answer = self._answers[word] = isinstance(word, str) and self._answer(word)
        return answer

    def _answer(self, word: str) -> bool:
        raise NotImplementedError


class _LowercaseWords(_WordAnswers):
    """The words a text writes in lower case (so they are words, not names)."""

    def _answer(self, word: str) -> bool:
        return (word.islower() and _WORD.fullmatch(word) is not None
                and next(_places_of_word(self._text, word), None) is not None)


class _Surnames(_WordAnswers):
    """Capitalised words a text uses both right after a capitalised word (not an acronym, a
    little word or a qualifier: "Marco Rubio", not "CTV Winnipeg", "The Hague", "New York") and
    alone ("Rubio said")."""

    def _answer(self, word: str) -> bool:
        return word[:1].isupper() and _WORD.fullmatch(word) is not None and {"alone", "after a name"} <= {
            self._use(at) for at in _places_of_word(self._text, word)}

    def _use(self, at: int) -> str:
        """How the word at `at` is used: "alone", "after a name", or "" (after an acronym...)."""
        text = self._text
        end = at - 1  # the last letter of the word before, if any
        while end >= 0 and not _LETTER.match(text, end):
            end -= 1
        if end < 0 or at - end - 1 != 1:  # the text's first word, or not joined by one character
            return "alone"
        start = end
        while start > 0 and _LETTER.match(text, start - 1):
            start -= 1
        previous = text[start:end + 1]
        if not previous[:1].isupper():
            return "alone"
        if not previous.isupper() and previous.casefold() not in NOT_FIRST_NAMES:
            return "after a name"
        return ""


def _in_title(candidate: Candidate) -> Candidate:
    # Headlines capitalise most words: no person guard from the neighbouring words there.
    return candidate._replace(previous_word="", next_word="", sentence_initial=False, in_title=True)


def spans(
    gazetteer: Gazetteer, text: str, *, title: str = "", language: str | None = None
) -> list[Candidate]:
    """The spans of an article's title and text (the first MAX_TEXT_CHARS of it) that may name
    a place, as `geotag` reads them (the gazetteer gives the names in several words): found
    apart so that a batch of articles asks the gazetteer for their places once (`places_of`)."""
    body, title = text[:MAX_TEXT_CHARS], title[:1000]
    openings = gazetteer.phrase_openings()
    title_starts, body_starts = phrase_starts(title, openings), phrase_starts(body, openings)
    phrases = gazetteer.phrases(title_starts.heads | body_starts.heads)
    candidates = [_in_title(c) for c in find_candidates(title, language, max_run=None)
                  + phrase_candidates(title_starts, phrases, language)]
    return candidates + find_candidates(body, language) + phrase_candidates(body_starts, phrases, language)


def geotag(
    gazetteer: Gazetteer,
    text: str,
    *,
    title: str = "",
    language: str | None = None,
    feed_country: str | None = None,
    names: Iterable[Sequence[str]] | None = None,
    read: tuple[Sequence[Candidate], Mapping[str, tuple[PlaceRecord, ...]]] | None = None,
) -> Geotag:
    """The places of an article: title and text (the first MAX_TEXT_CHARS of it).

    `names` are the spellings of each name the article names (the names stage's variants);
    found here when not given. `read`: the article's `spans` and the gazetteer's places for
    (at least) their keys, when already looked up. Mentions carry offsets into the text, or
    into the title when `in_title`.
    """
    body = text[:MAX_TEXT_CHARS]
    title = title[:1000]
    candidates: Sequence[Candidate]
    found: Mapping[str, tuple[PlaceRecord, ...]]
    if read is None:
        candidates = spans(gazetteer, body, title=title, language=language)
        found = gazetteer.lookup(key for candidate in candidates for key in candidate.keys)
    else:
        candidates, found = read
    if names is None:  # as the names stage stores them: no places or peoples
        names = [n.variants for n in people_and_organisations(names_in(title, text, language), gazetteer,
                                                              language)]
    names = list(names)
    return resolve_places(candidates, found, feed_country=feed_country,
                          lowercase_words=_LowercaseWords(body), surnames=_Surnames(body),
                          person_words=person_name_words(names, title, body),
                          name_spellings=frozenset(s.casefold() for n in names for s in n),
                          language=language, calendar_words=gazetteer.calendar_words(language))
