"""The search syntax of monitor (the watches' query language: words, "phrases", prefix*, AND,
OR, NOT, parentheses; monitor.watches.query parses it) as an FTS5 MATCH expression and as a
PostgreSQL tsquery, so that both databases take the same queries, however long.

Pure: text in, query text out. Each word or phrase becomes a quoted string, which the
database runs through its own tokenizer, as it ran the stored text: a phrase becomes
`'new' <-> 'york'`, 'COVID-19' the same pieces the article's text gave.
"""

from __future__ import annotations

import unicodedata

from monitor.watches.query import (
    And,
    NegativeQueryError,
    Node,
    Not,
    Or,
    QuerySyntaxError,
    Term,
    normal_form,
    parse_query,
    positive,
)


def _fold_pairs() -> tuple[str, str]:
    """Letters with diacritics and their base letters (Latin, Greek, Cyrillic), as SQLite's
    FTS5 tokenizer folds them ('président' is found by 'president', 'ё' by 'е')."""
    source, target = [], []
    blocks = [(0xC0, 0x250), (0x370, 0x530), (0x1E00, 0x2000)]
    for start, end in blocks:
        for code in range(start, end):
            char = chr(code)
            base = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
            if len(base) == 1 and base != char:
                source.append(char)
                target.append(base)
    return "".join(source), "".join(target)


FOLD_FROM, FOLD_TO = _fold_pairs()
_FOLD = str.maketrans(FOLD_FROM, FOLD_TO)


def fold(text: str) -> str:
    """`text` without the diacritics FTS5 ignores (the same letters as the SQL `monitor_fold`)."""
    return text.translate(_FOLD)


def raw_text(term: Term) -> str:
    """A term's words as the user wrote them (the index reads them with its own tokenizer)."""
    body = term.text or " ".join(term.words)
    if body.startswith('"') and body.endswith('"') and len(body) > 1:
        body = body[1:-1]
    return body.rstrip("*").strip()


def _lexeme(text: str, prefix: bool = False) -> str:
    text = fold(text)
    quoted = "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"
    return quoted + (":*" if prefix else "")


def _balanced(parts: list[str], operator: str) -> str:
    """`parts` joined by a binary operator as a balanced tree: a query of a thousand ORed
    terms nests 10 deep, not a thousand (PostgreSQL's tsquery functions recurse)."""
    if len(parts) == 1:
        return parts[0]
    middle = len(parts) // 2
    return f"({_balanced(parts[:middle], operator)} {operator} {_balanced(parts[middle:], operator)})"


def tsquery_of(node: Node) -> str:
    """A parsed query as PostgreSQL tsquery text, for `to_tsquery('simple', ...)`."""
    if isinstance(node, Term):
        return _lexeme(raw_text(node), node.prefix)
    if isinstance(node, Not):
        return f"!({tsquery_of(node.child)})"
    operator = "&" if isinstance(node, And) else "|"
    return _balanced([tsquery_of(c) for c in node.children], operator)


def _fts5_term(term: Term) -> str:
    return '"' + raw_text(term).replace('"', '""') + '"' + (" *" if term.prefix else "")


def fts5_of(node: Node) -> str:
    """A parsed query (one that needs some term present) as an FTS5 MATCH expression. FTS5's
    NOT is binary (`a NOT b`), and binds tighter than AND, AND tighter than OR: the query is
    put in normal form (NOT on terms only), and each AND becomes its positive children NOT
    the union of the others' opposites."""
    return _fts5(normal_form(node))


def _fts5(node: Node) -> str:
    if isinstance(node, Term):
        return _fts5_term(node)
    if isinstance(node, Or):
        return " OR ".join(_fts5(c) for c in node.children)
    if isinstance(node, Not):  # only under an AND that has a positive child (see below)
        raise ValueError("a query of only NOT terms has no FTS5 expression")
    wanted = [c for c in node.children if positive(c)]
    unwanted = [normal_form(c, negated=True) for c in node.children if not positive(c)]
    if not wanted:
        raise ValueError("a query of only NOT terms has no FTS5 expression")
    body = " AND ".join(_operand(c) for c in wanted)
    if not unwanted:
        return body
    excluded = unwanted[0] if len(unwanted) == 1 else Or(tuple(unwanted))
    return f"{body} NOT {_operand(excluded, alone=True)}"


def _operand(node: Node, alone: bool = False) -> str:
    """An operand of AND (or, `alone`, of NOT): parenthesized where precedence needs it."""
    text = _fts5(node)
    if isinstance(node, Term) or (isinstance(node, And) and not alone):
        return text
    return f"({text})"


def search_tree(query: str) -> Node | None:
    """The parsed query, or None when it is not valid syntax (then it is searched as its words)."""
    try:
        return parse_query(query)
    except QuerySyntaxError:
        return None


def only_not(query: str) -> bool:
    """A well-formed query of only NOT (`NOT Biden`): it finds nothing, rather than its words."""
    try:
        parse_query(query)
    except NegativeQueryError:
        return True
    except QuerySyntaxError:
        return False
    return False


def _words(query: str) -> list[str]:
    return [w for w in query.replace('"', " ").replace("(", " ").replace(")", " ").split() if w.strip("*")]


def to_tsquery(query: str) -> str | None:
    """The tsquery text for a search query; None when it holds no word at all. A query that
    is not valid syntax ('"half', 'a AND', '(x') is searched as its words."""
    tree = search_tree(query)
    if tree is not None:
        return tsquery_of(tree)
    if only_not(query):
        return None
    words = _words(query)
    return _balanced([_lexeme(w) for w in words], "&") if words else None


def to_fts5(query: str) -> str | None:
    """The FTS5 MATCH expression for a search query, as `to_tsquery` for PostgreSQL."""
    tree = search_tree(query)
    if tree is not None:
        return fts5_of(tree)
    if only_not(query):
        return None
    words = _words(query)
    return " ".join('"' + w.replace('"', '""') + '"' for w in words) if words else None
