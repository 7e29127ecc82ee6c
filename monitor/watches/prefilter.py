"""Pure: which stored articles a backfill must read for a watch, decided without reading them.

A backfill reads only the articles that could match, then runs the same matcher as the stage
on them, so that its matches are the stage's. The candidates are found in the full-text index:

- `query`: every match holds one of the query's positive terms (those not under a NOT; a
  query of only NOTs is refused by the parser). One word stands for each term (a phrase's
  longest word), and the index's tokens that fold to it (`Zürich`, `ZURICH`; `Горбачёв` for
  `горбачев`) are looked up. A term in a script written without spaces, or with `_`, cannot
  be looked up by tokens: then the watch has no query prefilter.
- `names`: every match holds a word whose name key is one of each name's keys; the index's
  tokens with that key (`путин` for `Putin`) are looked up.
- `about`: the stored vectors, compared in bulk (numpy), a little below the threshold.

The index's tokens are whole runs of letters and digits, lower-cased, Latin accents removed;
the matcher's words are runs of word characters of the folded text (query) or runs of
letters (names). Each token is split and folded as the matcher would, so a token stands for
every matcher word inside it. (Not covered: a word glued to a symbol that folds to letters,
like `Apple™`, which the matcher reads as `appletm`.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from monitor.stories.entities import name_key
from monitor.watches.matcher import CompiledWatch
from monitor.watches.query import _UNSPACED, Node, Not, Term, fold

_QUERY_WORD = re.compile(r"\w+")  # as query.Document splits the folded text
_LETTERS = re.compile(r"[^\W\d_]+")  # as matcher.article_name_keys splits a text
ABOUT_MARGIN = 1e-3  # bulk dot products may differ from one dot product in the last bits


@dataclass(frozen=True)
class Plan:
    """What to look up for one watch. A part is None when the watch has it but it cannot be
    looked up (the backfill then reads every article of its window)."""

    words: frozenset[str] | None = frozenset()  # folded words that must be found whole
    prefixes: tuple[str, ...] = ()  # folded prefixes (`klima*`)
    name_keys: frozenset[str] | None = frozenset()
    about: bool = False

    @property
    def possible(self) -> bool:
        return self.words is not None and self.name_keys is not None

    @property
    def looks_up_tokens(self) -> bool:
        return bool(self.words or self.prefixes or self.name_keys)


def positive_terms(node: Node) -> list[Term]:
    """The terms not under a NOT: a matching document holds at least one of them."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Not):
        return []
    return [t for child in node.children for t in positive_terms(child)]


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
    keys: set[str] = set()
    names_possible = True
    for _name, wanted in watch.names:
        if not wanted:
            names_possible = False  # cannot happen for a checked watch (each name gives a key)
            break
        keys.add(min(wanted))  # any one key of a name: the match needs them all
    return Plan(
        words=frozenset(words) if query_possible else None,
        prefixes=tuple(sorted(set(prefixes))),
        name_keys=frozenset(keys) if names_possible else None,
        about=watch.about is not None,
    )


def tokens_to_read(plan: Plan, vocabulary: Iterable[str]) -> list[str]:
    """The index's tokens whose articles may match: they hold a word or prefix of the
    query, or a word with one of the names' keys."""
    words = plan.words or frozenset()
    prefixes = plan.prefixes
    keys = plan.name_keys or frozenset()
    key_initials = {k[0] for k in keys}
    found = []
    for token in vocabulary:
        if words or prefixes:
            folded = [token] if token.isascii() and token.isalnum() else _QUERY_WORD.findall(fold(token))
            if any(w in words or w.startswith(prefixes) for w in folded):
                found.append(token)
                continue
        if keys:
            for run in _LETTERS.findall(token):
                if run.isascii() and run[0] not in key_initials:
                    continue  # an ASCII run's key starts with its first letter
                if name_key(run) in keys:
                    found.append(token)
                    break
    return found
