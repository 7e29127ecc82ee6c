"""Counted nouns in what people read (CLI, web pages, the digest): '1 story', '2 stories'."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def count(n: int, noun: str) -> str:
    """'1 feed', '3 feeds', '1 smaller story', '2 smaller stories', '2 matches' (English nouns
    with a regular plural; 'y' after a consonant becomes 'ies'; after s, x, ch and sh: 'es')."""
    if n == 1:
        return f"1 {noun}"
    if noun.endswith("y") and noun[-2:-1] not in ("a", "e", "i", "o", "u"):
        return f"{n} {noun[:-1]}ies"
    if noun.endswith(("s", "x", "ch", "sh")):
        return f"{n} {noun}es"
    return f"{n} {noun}s"


def duration(hours: float) -> str:
    """A gap in time as people say it: '12 min' under an hour, '5 h' under two days, then
    '3.5 days'."""
    if hours < 1:
        return f"{max(0.0, hours) * 60:.0f} min"
    return f"{hours:.0f} h" if hours < 48 else f"{hours / 24:.1f} days"


def breaking_note(why: Mapping[str, Any] | None) -> str:
    """Why a story was flagged breaking, in a line: "4 new outlets and 3 new languages in 24
    hours, where a story of its age usually gains 2.1 outlets and languages in as long"
    (monitor.stories.breaking)."""
    why = why or {}
    try:
        outlets, languages = int(why["outlets"]), int(why["languages"])
        hours, usual = float(why["window_hours"]), float(why["baseline"])
    except (KeyError, TypeError, ValueError):
        return "spreading unusually fast"
    return (
        f"{count(outlets, 'new outlet')} and {count(languages, 'new language')} in {hours:g} hours, "
        f"where a story of its age usually gains {usual:.1f} outlets and languages in as long"
    )
