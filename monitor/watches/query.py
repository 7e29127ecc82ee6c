"""The boolean keyword query of a watch: a pure parser and matcher.

    climate AND (summit OR "peace talks") NOT football*

AND, OR and NOT are written in capitals (a lowercase `and` is a word); two terms side by side
mean AND; NOT binds tightest, then AND, then OR. A term is a word, a "quoted phrase", or a
word ending in `*` (any word starting so). Matching ignores case and accents (`Zurich` finds
`Zürich`, `ETE` finds `été`) and is done on whole words, except in scripts written without
spaces (Chinese, Japanese, Thai), where a term is found anywhere in the text. A syntax error
names its 1-based column.

Media-monitoring queries are long (hundreds of names and spellings ORed together): a query
may hold up to MAX_QUERY_LENGTH characters and MAX_TERMS terms. The same parser reads
`monitor search`'s queries, which the stores translate for FTS5 and for PostgreSQL
(monitor.store.tsquery).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from monitor.errors import MonitorError

__all__ = [
    "And",
    "Document",
    "NegativeQueryError",
    "Node",
    "Not",
    "Or",
    "QuerySyntaxError",
    "Term",
    "fold",
    "normal_form",
    "parse_query",
    "positive",
]

MAX_QUERY_LENGTH = 20_000
MAX_TERMS = 1_000
MAX_DEPTH = 30  # levels of parentheses and NOT: FTS5's parser takes a little more

# Operators of other query languages, refused by name rather than read as words.
_FOREIGN_OPERATORS = frozenset({"NEAR", "XOR", "ADJ", "WITHIN", "ONEAR", "SENTENCE", "PARAGRAPH", "W", "PRE"})
_OPERATOR_CHARS = frozenset("&|!~^+=<>{}[]\\")
# Opening quote -> the characters that close it.
_QUOTES = {'"': '"', "“": '”"', "„": '“”"', "«": "»", "”": '”"'}
_WORD = re.compile(r"\w+")
# Scripts without spaces between words: a term is looked for as a substring there.
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


class QuerySyntaxError(MonitorError):
    """A query that cannot be read; `position` is the 1-based column of the problem."""

    def __init__(self, message: str, position: int) -> None:
        self.message = message
        self.position = position
        super().__init__(f"{message} at position {position}")

    def where(self, query: str) -> str:
        """`at position N of '…the query around it…'` (a long query is not printed whole)."""
        return f"at position {self.position} of {excerpt(query, self.position)}"

    def explain(self, query: str) -> str:
        """What is wrong and where, as the CLI, the web and feeds.yaml's checks say it."""
        return f"{self.message} {self.where(query)}"


class NegativeQueryError(QuerySyntaxError):
    """A query of only NOT (`NOT Biden`): well formed, but it would match nearly everything."""


def excerpt(query: str, position: int, width: int = 40) -> str:
    """The query around a 1-based position, quoted, with … where it was cut."""
    start = max(0, position - 1 - width)
    end = position - 1 + width
    return ("…" if start else "") + repr(query[start:end]) + ("…" if end < len(query) else "")


@lru_cache(maxsize=4096)  # words and query terms recur; an article's text is folded by `_folded`
def fold(text: str) -> str:
    """Text with case and accents removed (`Zürich` -> `zurich`, `Straße` -> `strasse`)."""
    return _folded(text)


def _folded(text: str) -> str:
    # Not cached: a cache of whole articles never hits, and held ~6 KB each (65,536 of them).
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


@lru_cache(maxsize=1024)
def _unspaced(words: tuple[str, ...]) -> bool:
    """Whether a term is in a script written without spaces (asked once per term, not per
    article: a query of 500 terms is matched against every new article)."""
    return _UNSPACED.search(" ".join(words)) is not None


# --- the tree -------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """A word or phrase as folded words; the last word may be a prefix (`clim*`)."""

    words: tuple[str, ...]
    prefix: bool = False
    text: str = ""  # as the user wrote it, for "why it matched"

    def __str__(self) -> str:
        body = " ".join(self.words) + ("*" if self.prefix else "")
        return f'"{body}"' if len(self.words) > 1 else body


@dataclass(frozen=True)
class Not:
    child: Node

    def __str__(self) -> str:
        return f"NOT {_wrapped(self.child, Not)}"


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]

    def __str__(self) -> str:
        return " AND ".join(_wrapped(c, And) for c in self.children)


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]

    def __str__(self) -> str:
        return " OR ".join(_wrapped(c, Or) for c in self.children)


Node = Term | Not | And | Or


def _wrapped(node: Node, parent: type) -> str:
    """A child written with parentheses where precedence needs them."""
    rank = {Or: 0, And: 1, Not: 2, Term: 3}
    return f"({node})" if rank[type(node)] <= rank[parent] and not isinstance(node, Term) else str(node)


# --- reading a query ------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # 'term', 'and', 'or', 'not', '(', ')'
    position: int  # 1-based column
    text: str = ""
    prefix: bool = False


def _tokens(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append(_Token(ch, i + 1))
            i += 1
        elif ch in _QUOTES:
            end = -1
            for j in range(i + 1, n):
                if query[j] in _QUOTES[ch]:
                    end = j
                    break
            if end < 0:
                raise QuerySyntaxError("a quote is opened and never closed", i + 1)
            body = query[i + 1 : end].strip()
            prefix = body.endswith("*")
            body = body.rstrip("*").strip()
            if "*" in body:
                raise QuerySyntaxError(
                    "`*` only ends a phrase's last word", i + 2 + query[i + 1 :].index("*")
                )
            if not _words(body):
                raise QuerySyntaxError("an empty phrase", i + 1)
            tokens.append(_Token("term", i + 1, f'"{body}{"*" if prefix else ""}"', prefix))
            i = end + 1
        elif ch in _OPERATOR_CHARS:
            j = i
            while j < n and query[j] in _OPERATOR_CHARS:
                j += 1
            raise QuerySyntaxError(
                f"unknown operator {query[i:j]!r} (use AND, OR, NOT, parentheses and quotes)", i + 1
            )
        else:
            j = i
            while (
                j < n
                and not query[j].isspace()
                and query[j] not in "()"
                and query[j] not in _QUOTES
                and query[j] not in _OPERATOR_CHARS
            ):
                j += 1
            raw = query[i:j]
            if raw.startswith("-") and len(raw) > 1:
                raise QuerySyntaxError("unknown operator '-' (use NOT to leave a word out)", i + 1)
            if raw in ("AND", "OR", "NOT"):
                tokens.append(_Token(raw.lower(), i + 1))
            elif raw.split("/")[0] in _FOREIGN_OPERATORS and raw.isupper():
                raise QuerySyntaxError(
                    f"unknown operator {raw!r} (use AND, OR, NOT; quote it to search for the word)", i + 1
                )
            else:
                prefix = raw.endswith("*")
                body = raw.rstrip("*")
                if "*" in body:
                    raise QuerySyntaxError("`*` only ends a word", i + 1 + body.index("*"))
                if not _words(body):
                    if prefix:
                        raise QuerySyntaxError("`*` must follow the start of a word", i + 1)
                    raise QuerySyntaxError(f"{raw!r} holds no letter or digit", i + 1)
                tokens.append(_Token("term", i + 1, raw, prefix))
            i = j
    return tokens


class _Parser:
    """Recursive descent over: or := and (OR and)* ; and := not ((AND)? not)* ;
    not := NOT not | '(' or ')' | term."""

    def __init__(self, query: str, tokens: list[_Token]) -> None:
        self.query = query
        self.tokens = tokens
        self.at = 0
        self.depth = 0
        self.terms = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def end_position(self) -> int:
        return len(self.query) + 1

    def parse(self) -> Node:
        if not self.tokens:
            raise QuerySyntaxError("an empty query", 1)
        node = self.parse_or()
        token = self.peek()
        if token is not None:
            assert token.kind == ")"
            raise QuerySyntaxError("a closing parenthesis without its opening one", token.position)
        return node

    def parse_or(self) -> Node:
        children = [self.parse_and()]
        while (token := self.peek()) is not None and token.kind == "or":
            self.at += 1
            children.append(self.parse_and())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def parse_and(self) -> Node:
        children = [self.parse_not()]
        while (token := self.peek()) is not None and token.kind in ("and", "not", "term", "("):
            if token.kind == "and":
                self.at += 1
            children.append(self.parse_not())
        return children[0] if len(children) == 1 else And(tuple(children))

    def parse_not(self) -> Node:
        token = self.peek()
        if token is None:
            raise QuerySyntaxError("the query ends where a word was expected", self.end_position())
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QuerySyntaxError(f"more than {MAX_DEPTH} levels of nesting", token.position)
        try:
            if token.kind == "not":
                self.at += 1
                return Not(self.parse_not())
            if token.kind == "(":
                self.at += 1
                inner = self.parse_or()
                close = self.peek()
                if close is None or close.kind != ")":
                    raise QuerySyntaxError("a parenthesis is opened and never closed", token.position)
                self.at += 1
                return inner
            if token.kind == "term":
                self.at += 1
                self.terms += 1
                if self.terms > MAX_TERMS:
                    raise QuerySyntaxError(f"more than {MAX_TERMS} terms", token.position)
                return Term(tuple(_words(token.text)), token.prefix, token.text)
            if token.kind == ")":
                raise QuerySyntaxError("a closing parenthesis where a word was expected", token.position)
            raise QuerySyntaxError(f"{token.kind.upper()} where a word was expected", token.position)
        finally:
            self.depth -= 1


def parse_query(query: str) -> Node:
    """The tree of a query; QuerySyntaxError naming the position of the first problem."""
    if len(query) > MAX_QUERY_LENGTH:
        raise QuerySyntaxError(f"a query of more than {MAX_QUERY_LENGTH} characters", MAX_QUERY_LENGTH + 1)
    node = _Parser(query, _tokens(query)).parse()
    if not _has_positive(node):
        raise NegativeQueryError(
            "a query of only NOT terms would match nearly everything "
            "(give the words to look for too, like: ukraine NOT biden)",
            1,
        )
    return node


def normal_form(node: Node, negated: bool = False) -> Node:
    """The same query with NOT only on terms (De Morgan's laws, double NOT dropped), no AND
    directly in an AND nor OR in an OR, each child once: the shape FTS5's binary NOT takes."""
    if isinstance(node, Term):
        return Not(node) if negated else node
    if isinstance(node, Not):
        return normal_form(node.child, not negated)
    kind: type[And] | type[Or] = And if isinstance(node, And) != negated else Or
    children: list[Node] = []
    for child in node.children:
        inner = normal_form(child, negated)
        children.extend(inner.children if isinstance(inner, kind) else (inner,))
    # A term given twice is one term (`the OR the OR …` is `the`): the same answer, read once.
    return kind(tuple(dict.fromkeys(children)))


def positive(node: Node) -> bool:
    """Whether a query in normal form needs some term present (it then can be searched)."""
    if isinstance(node, Term):
        return True
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(positive(c) for c in node.children)
    return all(positive(c) for c in node.children)


def _has_positive(node: Node) -> bool:
    """Whether the query needs some term present (NOT x alone matches almost everything)."""
    if isinstance(node, Term):
        return True
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(_has_positive(c) for c in node.children)
    return all(_has_positive(c) for c in node.children)


# --- matching -------------------------------------------------------------------------


class Document:
    """One article's title and text, folded and indexed once for every watch's query."""

    def __init__(self, *texts: str | None) -> None:
        joined = "\n".join(t for t in texts if t)
        self.folded = _folded(joined)
        self.words = _WORD.findall(self.folded)
        self.positions: dict[str, list[int]] = {}
        for index, word in enumerate(self.words):
            self.positions.setdefault(word, []).append(index)
        self.sorted_words = sorted(self.positions)

    def _starting(self, prefix: str) -> list[str]:
        found = []
        i = bisect_left(self.sorted_words, prefix)
        while i < len(self.sorted_words) and self.sorted_words[i].startswith(prefix):
            found.append(self.sorted_words[i])
            i += 1
        return found

    def has(self, term: Term) -> bool:
        """Whether the term occurs: whole words in order (the last a prefix when `*`)."""
        if _unspaced(term.words):
            return self._has_unspaced(term)
        if len(term.words) == 1 and not term.prefix:
            return term.words[0] in self.positions  # the common case, asked of every article
        *head, last = term.words
        lasts = set(self._starting(last)) if term.prefix else ({last} & self.positions.keys())
        if not lasts:
            return False
        if not head:
            return True
        starts = self.positions.get(head[0])
        if not starts:
            return False
        for start in starts:
            if all(
                start + k < len(self.words) and self.words[start + k] == word for k, word in enumerate(head)
            ):
                after = start + len(head)
                if after < len(self.words) and self.words[after] in lasts:
                    return True
        return False

    def _has_unspaced(self, term: Term) -> bool:
        # In unspaced scripts the words of a term are found as one run of text; spaces
        # the user put between them may or may not be in the article.
        return " ".join(term.words) in self.folded or "".join(term.words) in self.folded


_NOTHING: frozenset[str] = frozenset()


def evaluate(node: Node, doc: Document) -> tuple[bool, frozenset[str]]:
    """(does the document match, the terms found that made it match)."""
    if isinstance(node, Term):
        if doc.has(node):
            return True, frozenset({node.text or str(node)})
        return False, _NOTHING
    if isinstance(node, Not):
        inner, _ = evaluate(node.child, doc)
        return not inner, frozenset()
    if isinstance(node, And):
        hits: set[str] = set()
        for child in node.children:
            ok, found = evaluate(child, doc)
            if not ok:
                return False, frozenset()
            hits |= found
        return True, frozenset(hits)
    any_hit = False
    hits = set()
    for child in node.children:
        ok, found = evaluate(child, doc)
        if ok:
            any_hit = True
            hits |= found
    return any_hit, frozenset(hits)


def terms(node: Node) -> list[Term]:
    """Every term in the tree, in order."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Not):
        return terms(node.child)
    return [t for child in node.children for t in terms(child)]


def positive_terms(node: Node) -> list[Term]:
    """The terms not under a NOT: a matching document holds at least one of them."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Not):
        return []
    return [t for child in node.children for t in positive_terms(child)]
