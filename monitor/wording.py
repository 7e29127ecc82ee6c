"""Counted nouns in what people read (CLI, web pages, the digest): '1 story', '2 stories'."""

from __future__ import annotations


def count(n: int, noun: str) -> str:
    """'1 feed', '3 feeds', '1 smaller story', '2 smaller stories' (English nouns with a
    regular plural; 'y' after a consonant becomes 'ies')."""
    if n == 1:
        return f"1 {noun}"
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "i", "o", "u"):
        return f"{n} {noun[:-1]}ies"
    return f"{n} {noun}s"
