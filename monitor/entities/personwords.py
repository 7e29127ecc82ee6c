"""Where a text's recognised people are named: the words that are part of a person's name, so
that a place name among them is not read as a place (George Floyd is not George, South Africa;
Michael Jordan, and "Jordan said" after him, are not the country). Pure.

The names come from the names recogniser (`monitor.entities.names`): its spellings of each
name as the article writes them. A spelling is a person's when it has two to four capitalised
words (not acronyms, no particle: "King Abdullah of Jordan" names the country), none but the
last a qualifier or a little word ("New York", "The Hague", "CTV Winnipeg" are no one's), and
its last word no organisation's ("University", "Times").

In a script without capitals (Arabic, Persian, Hebrew, Korean...) a spelling of two to four
words is a person's, and its words before the last are given names, which are not places
(فلاديمير بوتين, 블라디미르 푸틴: Vladimir is no town). Its last word is one too when the word
after it in the text is a surname-like word, one the text also writes apart from it: the
recogniser cut the name short (`רוסיה ולדימיר` before `פוטין`, which the text writes alone).
Such a name is found where it starts a word, whatever letters follow (Korean particles).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from monitor.entities.places import NOT_FIRST_NAMES

__all__ = ["ORGANISATION_ENDINGS", "person_name_words", "person_spellings"]

_MAX_WORDS = 4
# Last words of organisations' names, not people's ("Georgia State University", "Kyiv Post").
ORGANISATION_ENDINGS = frozenset({
    "university", "college", "school", "institute", "academy", "city", "county", "state",
    "times", "post", "news", "herald", "tribune", "star", "sun", "globe", "journal", "daily",
    "telegraph", "guardian", "express", "mail", "press", "radio", "tv", "television",
    "council", "party", "union", "bank", "group", "league", "club", "united", "police",
    "army", "court", "airport", "airlines", "airways", "station", "hospital", "church",
    "street", "road", "avenue", "square", "bridge", "river", "lake", "bay", "island",
    "islands", "mountains", "valley", "park", "stadium", "house", "hall", "center", "centre",
    "government", "ministry", "parliament", "assembly", "senate", "congress", "company",
    "fc", "cf", "sc", "office", "department", "agency", "commission", "committee", "act",
})


def _person_words(spelling: str) -> tuple[str, ...] | None:
    words = tuple(spelling.split())
    if not 2 <= len(words) <= _MAX_WORDS:
        return None
    for word in words:
        if not word[:1].isupper() or (len(word) > 1 and word.isupper()):
            return None  # a particle, or an acronym (BBC Scotland)
    if any(word.casefold() in NOT_FIRST_NAMES for word in words[:-1]):
        return None
    if words[-1].casefold() in ORGANISATION_ENDINGS:
        return None
    return words


def person_spellings(names: Iterable[Sequence[str]]) -> list[tuple[str, ...]]:
    """The spellings, of every name's spellings, that read as a person's, as words."""
    found: dict[tuple[str, ...], None] = {}
    for spellings in names:
        for spelling in spellings:
            words = _person_words(spelling)
            if words is not None:
                found.setdefault(words)
    return list(found)


_WORD = re.compile(r"[^\W\d_]+")
_MIN_SURNAME = 3  # letters of a surname-like word


def _caseless_words(spelling: str) -> tuple[str, ...] | None:
    """The words of a spelling of two to four words in a script without capitals, or None."""
    words = tuple(spelling.split())
    if not 2 <= len(words) <= _MAX_WORDS or any(w.lower() != w.upper() for w in words):
        return None
    return words


def _starts(text: str, needle: str) -> list[int]:
    """Where `needle` begins a word of `text` (whatever follows it)."""
    found = []
    at = text.find(needle)
    while at >= 0:
        if at == 0 or not text[at - 1].isalnum():
            found.append(at)
        at = text.find(needle, at + len(needle))
    return found


def _caseless_name_words(names: Iterable[Sequence[str]], text: str) -> set[int]:
    """Starts of the words of `text` that are given names of a caseless person's spelling (see
    the module)."""
    spellings = {words for spellings in names for s in spellings
                 if (words := _caseless_words(s)) is not None}
    if not spellings:
        return set()
    counts: dict[str, int] = {}
    for word in _WORD.findall(text):
        counts[word] = counts.get(word, 0) + 1
    starts: set[int] = set()
    for words in spellings:
        places = _starts(text, " ".join(words))
        for at in places:
            offset = at
            for word in words[:-1]:
                starts.add(offset)
                offset += len(word) + 1
            following = _WORD.match(text, offset + len(words[-1]) + 1)
            if following is None or len(following.group()) < _MIN_SURNAME:
                continue
            after = following.group()
            # the surname-like word: written elsewhere than after this name too
            if text[offset + len(words[-1]):following.start()] == " " and counts[after] > sum(
                    1 for other in places
                    if text.startswith(" ".join(words) + " " + after, other)):
                starts.add(offset)
    return starts


def _bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not before.isalnum() and not after.isalnum()


def _occurrences(text: str, needle: str) -> list[int]:
    found = []
    at = text.find(needle)
    while at >= 0:
        if _bounded(text, at, at + len(needle)):
            found.append(at)
        at = text.find(needle, at + len(needle))
    return found


def person_name_words(
    names: Iterable[Sequence[str]], title: str, text: str
) -> frozenset[tuple[bool, int]]:
    """(in title, start) of every word of the title and text that belongs to a person's name:
    each word of a person's full name where it is written, and the surname alone in the text
    after the full name (in the title: anywhere, a headline's shorthand)."""
    names = list(names)
    words_at: set[tuple[bool, int]] = set()
    first_seen: dict[str, int] = {}  # surname -> where the full name is first written
    for words in person_spellings(names):
        spelling = " ".join(words)
        for in_title, source in ((True, title), (False, text)):
            for at in _occurrences(source, spelling):
                offset = at
                for word in words:
                    words_at.add((in_title, offset))
                    offset += len(word) + 1
                since = -1 if in_title else at  # a headline's name: the whole text after it
                first_seen[words[-1]] = min(first_seen.get(words[-1], since), since)
    for surname, since in first_seen.items():
        words_at.update((True, at) for at in _occurrences(title, surname))
        words_at.update((False, at) for at in _occurrences(text, surname) if at > since)
    words_at.update((True, at) for at in _caseless_name_words(names, title))
    words_at.update((False, at) for at in _caseless_name_words(names, text))
    return frozenset(words_at)
