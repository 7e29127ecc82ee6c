"""timeutil.py: --since values, with ranges checked in our words (never Python's)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from monitor.timeutil import local_time, parse_when

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


def test_local_time_is_in_the_zone_and_says_which() -> None:
    paris = ZoneInfo("Europe/Paris")
    assert local_time("2024-03-22T13:05:00Z", paris) == "2024-03-22 14:05 CET"
    assert local_time("2024-07-01T13:05:00Z", paris) == "2024-07-01 15:05 CEST"  # summer time
    assert local_time(datetime(2024, 3, 22, 13, 5, tzinfo=UTC), ZoneInfo("UTC")) == "2024-03-22 13:05 UTC"
    # tzdata names some zones by their offset ('+03'): the full offset then
    assert local_time("2024-03-22T13:05:00Z", ZoneInfo("Europe/Istanbul")) == "2024-03-22 16:05 +0300"
    assert local_time("2024-03-22T13:05:00Z", ZoneInfo("Asia/Kolkata")) == "2024-03-22 18:35 IST"
    # a day alone needs no zone; the day is the zone's
    assert local_time("2024-03-22T23:30:00Z", paris, "%Y-%m-%d") == "2024-03-23"
    assert local_time(None, paris) == "" and local_time("", paris) == ""
    assert local_time("not a time", paris) == "not a time"
    assert local_time(datetime(2024, 3, 22, 13, 5), paris) == "2024-03-22 14:05 CET"  # naive: UTC
