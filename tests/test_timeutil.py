"""timeutil.py: --since values, with ranges checked in our words (never Python's)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.timeutil import parse_when

NOW = datetime(2025, 3, 22, 12, 0, tzinfo=UTC)


def test_ages_and_dates() -> None:
    assert parse_when("6h", NOW) == NOW - timedelta(hours=6)
    assert parse_when("52w", NOW) == NOW - timedelta(weeks=52)
    assert parse_when("2024-03-22", NOW) == datetime(2024, 3, 22, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("9999999999999999999h", "an age of at most 100 years"),
        ("99999999999999999999999999999999999999w", "an age of at most 100 years"),
        ("5300w", "an age of at most 100 years"),
        ("9999-12-31T23:59:59-23:00", "use a date like"),
        ("0001-01-01T00:00:00+01:00", "use a date like"),
    ],
)
def test_out_of_range_values_are_refused_in_our_words(text: str, words: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_when(text, NOW)
    assert words in str(caught.value) and "C int" not in str(caught.value)
