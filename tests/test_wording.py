"""wording.py: counted nouns, as the CLI, the web pages and the digest print them."""

from __future__ import annotations

import pytest

from monitor.wording import count


@pytest.mark.parametrize(
    ("n", "noun", "said"),
    [
        (1, "outlet", "1 outlet"),
        (2, "outlet", "2 outlets"),
        (0, "attempt", "0 attempts"),
        (1, "attempt", "1 attempt"),
        (1, "story", "1 story"),
        (3, "story", "3 stories"),
        (2, "smaller story", "2 smaller stories"),
        (2, "day", "2 days"),  # a vowel before the y
        (1, "result", "1 result"),
        (1, "failing feed", "1 failing feed"),
    ],
)
def test_count(n: int, noun: str, said: str) -> None:
    assert count(n, noun) == said
