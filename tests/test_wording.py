"""wording.py: counted nouns, as the CLI, the web pages and the digest print them."""

from __future__ import annotations

import pytest

from monitor.wording import count, duration


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
        (2, "match", "2 matches"),
        (1, "match", "1 match"),
        (3, "watch", "3 watches"),
        (2, "copy", "2 copies"),
    ],
)
def test_count(n: int, noun: str, said: str) -> None:
    assert count(n, noun) == said


@pytest.mark.parametrize(
    ("hours", "said"),
    [
        (0.0, "0 min"),
        (0.2, "12 min"),
        (59 / 60, "59 min"),
        (1.0, "1 h"),
        (5.4, "5 h"),
        (47.0, "47 h"),
        (84.0, "3.5 days"),
    ],
)
def test_duration(hours: float, said: str) -> None:
    assert duration(hours) == said
