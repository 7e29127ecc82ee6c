"""Many literal phrases as one regular expression that shares their common beginnings (a trie),
so that a search tries the phrases that go on as the text does, not each of them in turn:
hundreds of organisations' names (monitor.entities.orgnames) or countries' names
(monitor.entities.teams) cost one pass. Pure.

At each place the longest phrase whose own condition holds wins (a phrase may carry a pattern
that must follow it, e.g. a lookahead: tried after every longer phrase that begins so).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["trie_pattern"]

_END = ""  # a node's key for "a phrase ends here"


def trie_pattern(phrases: Iterable[str] | Mapping[str, str]) -> str:
    """One pattern for the phrases (a mapping: each phrase -> the pattern that must follow it)."""
    after = phrases if isinstance(phrases, Mapping) else dict.fromkeys(phrases, "")
    root: dict[str, Any] = {}  # letter -> the node after it; _END -> the condition of a phrase ending here
    for phrase, tail in after.items():
        if not phrase:
            continue
        node = root
        for letter in phrase:
            node = node.setdefault(letter, {})
        node[_END] = tail
    return _pattern(root) if root else "(?!)"


def _pattern(node: dict[str, Any]) -> str:
    """A node's pattern: its letters, each with what follows it, the longest first, and where a
    phrase ends, that phrase's condition last."""
    branches = [re.escape(letter) + _pattern(child) for letter, child in node.items() if letter != _END]
    if _END in node:
        branches.append(str(node[_END]))
    if len(branches) == 1:
        return branches[0]
    return "(?:" + "|".join(branches) + ")"
