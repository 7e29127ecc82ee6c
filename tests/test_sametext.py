from __future__ import annotations

import pytest

from monitor.stories.sametext import EmbeddedTexts, text_key


def test_a_text_seen_earlier_in_the_list_or_before_points_at_its_first_article() -> None:
    seen = EmbeddedTexts()
    assert seen.sources([1, 2, 3, 4], ["Quake hits", "Other", "Quake hits", "  "]) == {3: 1}
    seen.remember([(1, "Quake hits"), (2, "Other")])
    assert seen.sources([5, 6, 7], ["Other", "Quake hits.", "quake hits"]) == {5: 2}
    # An article met again (a retried batch) is not its own source.
    assert seen.sources([1], ["Quake hits"]) == {}


def test_the_oldest_half_is_forgotten_past_the_limit() -> None:
    seen = EmbeddedTexts(limit=4)
    seen.remember((i, f"text {i}") for i in range(5))
    assert len(seen) == 2
    assert seen.sources([10, 11], ["text 4", "text 0"]) == {10: 4}
    with pytest.raises(ValueError, match="0"):
        EmbeddedTexts(limit=0)


def test_text_key_tells_apart_what_differs() -> None:
    assert text_key("Quake hits") == text_key("Quake hits")
    assert text_key("Quake hits") != text_key("Quake hits ")
    assert len(text_key("\ud800 lone surrogate")) == 12
