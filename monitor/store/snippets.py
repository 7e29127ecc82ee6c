"""Pure: the few words around a search hit, with the matched words in [brackets].

FTS5's own snippet() slows sharply as a query repeats terms ("the OR the OR …" x 200 took
a minute on a few hundred articles), so the search builds its snippets here, in time
linear in the text: the query's words are read the way FTS5's default tokenizer reads
them (unicode61: case and diacritics folded; `word*` a prefix).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

_WORD = re.compile(r"\w+")
_OPERATORS = frozenset({"AND", "OR", "NOT", "NEAR"})
_TERM = re.compile(r"(\w+)(\*?)")


def fold(word: str) -> str:
    """A word as FTS5's unicode61 tokenizer compares it: case and diacritics folded."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def query_terms(query: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """The words of an FTS5 query (operators and column names aside): whole words, and
    prefixes (from `word*`)."""
    words: set[str] = set()
    prefixes: set[str] = set()
    for match in _TERM.finditer(query):
        word, star = match.groups()
        after = query[match.end() : match.end() + 1]
        if word in _OPERATORS or after == ":":  # AND, OR, NOT, NEAR; `title:` a column filter
            continue
        (prefixes if star else words).add(fold(word))
    return frozenset(words), tuple(sorted(prefixes))


def snippet(text: str, query: str, width: int = 12) -> str:
    """`width` words of `text` around the most hits of the query's words in a row, hits in
    [brackets], "…" where text was cut; the start of the text when nothing matches."""
    words, prefixes = query_terms(query)
    spans = [m.span() for m in _WORD.finditer(text)]
    if not spans:
        return ""
    hits = [
        i
        for i, (start, end) in enumerate(spans)
        if (folded := fold(text[start:end])) in words or folded.startswith(prefixes or ("\0",))
    ]
    first = _best_window(hits, len(spans), width)
    last = min(first + width, len(spans)) - 1
    marked = set(hits)
    parts = ["…" if first > 0 else ""]
    position = spans[first][0]
    for i in range(first, last + 1):
        start, end = spans[i]
        parts.append(text[position:start])
        parts.append(f"[{text[start:end]}]" if i in marked else text[start:end])
        position = end
    parts.append("…" if last < len(spans) - 1 else text[position:])
    return " ".join("".join(parts).split())


def _best_window(hits: Sequence[int], words: int, width: int) -> int:
    """The first word of the `width`-word window holding the most hits (the earliest of ties)."""
    best, best_count, low = 0, 0, 0
    for high, position in enumerate(hits):
        while position - hits[low] >= width:
            low += 1
        if high - low + 1 > best_count:
            best_count = high - low + 1
            best = hits[low]
    return max(0, min(best, words - width)) if best_count else 0
