"""schedule.py: when a feed is next due is a pure function (no network, no clock)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from monitor.ingest.schedule import PollHistory, is_due, jitter_fraction, next_poll_at, poll_delay

T0 = datetime(2025, 3, 22, 12, 0, tzinfo=UTC)


def test_healthy_feed_waits_its_interval() -> None:
    assert poll_delay(1800, PollHistory()) == 1800
    assert next_poll_at(T0, 3600, PollHistory()) == T0 + timedelta(hours=1)


def test_min_interval_is_a_floor() -> None:
    assert poll_delay(60, PollHistory(), min_interval=300) == 300


def test_feed_hints_stretch_but_never_shorten() -> None:
    assert poll_delay(900, PollHistory(ttl_seconds=3600)) == 3600
    assert poll_delay(900, PollHistory(max_age_seconds=1200)) == 1200
    assert poll_delay(3600, PollHistory(ttl_seconds=600)) == 3600
    # A hint past the maximum interval is capped.
    assert poll_delay(900, PollHistory(ttl_seconds=7 * 86400), max_interval=86400) == 86400


def test_failures_back_off_exponentially_with_jitter_and_cap() -> None:
    delays = [poll_delay(600, PollHistory(error_count=n), key="k") for n in range(1, 12)]
    assert delays[0] >= 600 and delays[0] <= 750
    assert all(b >= a for a, b in itertools.pairwise(delays))
    assert 1200 <= delays[1] <= 1500 and 2400 <= delays[2] <= 3000
    assert delays[-1] == 24 * 3600
    # Deterministic: the same inputs give the same answer.
    assert poll_delay(600, PollHistory(error_count=3), key="k") == delays[2]


def test_retry_after_wins_when_later() -> None:
    later = T0 + timedelta(hours=5)
    assert next_poll_at(T0, 600, PollHistory(retry_after=later)) == later
    sooner = T0 + timedelta(seconds=10)
    assert next_poll_at(T0, 600, PollHistory(retry_after=sooner)) == T0 + timedelta(seconds=600)


def test_jitter_is_spread_and_stable() -> None:
    values = {jitter_fraction(f"https://f{i}.example/") for i in range(200)}
    assert len(values) == 200 and all(0 <= v < 1 for v in values)
    assert min(values) < 0.1 and max(values) > 0.9


def test_is_due() -> None:
    assert is_due(None, T0)
    assert is_due(T0, T0)
    assert not is_due(T0 + timedelta(seconds=1), T0)
