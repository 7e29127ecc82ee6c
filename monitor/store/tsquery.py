"""The search syntax of monitor (FTS5's: words, "phrases", prefix*, AND, OR, NOT, parentheses)
as a PostgreSQL tsquery, so that both databases take the same queries.

Pure: text in, tsquery text out. Each word or phrase becomes a quoted lexeme, which
`to_tsquery` runs through the configuration's parser, as it runs the stored text: a phrase
becomes `'new' <-> 'york'`, 'COVID-19' the same pieces the article's text gave. A query that
is not valid syntax ('"half', 'a AND', '(x') is searched as its words, as on SQLite.
"""

from __future__ import annotations

import re
import unicodedata


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


_TOKEN = re.compile(r'"(?P<phrase>[^"]*)"?|(?P<open>\()|(?P<close>\))|(?P<word>[^\s()"]+)')
_OPERATORS = {"AND", "OR", "NOT"}


def _lexeme(text: str, prefix: bool = False) -> str:
    text = fold(text)
    quoted = "'" + text.replace("\\", "\\\\").replace("'", "''") + "'"
    return quoted + (":*" if prefix else "")


def _tokens(query: str) -> list[tuple[str, str]] | None:
    """(kind, value) pairs; None when a quote is left open."""
    tokens: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(query):
        if match.group("phrase") is not None:
            if not match.group(0).endswith('"') or len(match.group(0)) < 2:
                return None
            if match.group("phrase").strip():
                tokens.append(("term", _lexeme(match.group("phrase"))))
        elif match.group("open"):
            tokens.append(("open", "("))
        elif match.group("close"):
            tokens.append(("close", ")"))
        else:
            word = match.group("word")
            if word in _OPERATORS:
                tokens.append(("op", word))
            elif word.endswith("*") and word.strip("*"):
                tokens.append(("term", _lexeme(word.rstrip("*"), prefix=True)))
            elif word.strip("*"):
                tokens.append(("term", _lexeme(word)))
    return tokens


class _Invalid(ValueError):
    pass


def _parse(tokens: list[tuple[str, str]]) -> str:
    """query := or ; or := and (OR and)* ; and := not (AND? not)* ; not := unary (NOT unary)* ;
    unary := term | ( query ). FTS5's NOT is binary: 'a NOT b' is a and not b."""
    position = 0

    def peek() -> tuple[str, str] | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal position
        if position >= len(tokens):
            raise _Invalid("unexpected end")
        position += 1
        return tokens[position - 1]

    def unary() -> str:
        kind, value = take()
        if kind == "term":
            return value
        if kind == "open":
            inner = either()
            if take()[0] != "close":
                raise _Invalid("unclosed parenthesis")
            return f"({inner})"
        raise _Invalid(f"unexpected {value}")

    def negation() -> str:
        left = unary()
        while peek() == ("op", "NOT"):
            take()
            left = f"({left} & !{unary()})"
        return left

    def both() -> str:
        parts = [negation()]
        while (token := peek()) is not None and (token == ("op", "AND") or token[0] in ("term", "open")):
            if token == ("op", "AND"):
                take()
            parts.append(negation())
        return " & ".join(parts)

    def either() -> str:
        parts = [both()]
        while peek() == ("op", "OR"):
            take()
            parts.append(both())
        return " | ".join(parts) if len(parts) == 1 else "(" + " | ".join(parts) + ")"

    result = either()
    if position != len(tokens):
        raise _Invalid("unexpected text after the query")
    return result


def to_tsquery(query: str) -> str | None:
    """The tsquery text for a search query; None when it holds no word at all."""
    tokens = _tokens(query)
    if tokens:
        try:
            return _parse(tokens)
        except _Invalid:
            pass
    words = [w for w in query.replace('"', " ").replace("(", " ").replace(")", " ").split() if w.strip("*")]
    if not words:
        return None
    return " & ".join(_lexeme(w) for w in words)
